/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprval.c -- the expression engine's values: numeric views, casts
 * between values, comparison with implicit casts, truth, and arithmetic
 * with Doris's result types (decimals keep exact scale, x/0 is NULL).
 * Everything here runs per row and allocates only from the caller's arena.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sl.h"
#include "types.h"
#include "datetime.h"
#include "cast.h"
#include "exprnode.h"
#include "exprval.h"

static char *arena_strdup(sl_arena *a, const char *p, size_t n)
{
	char *d = sl_arena_alloc(a, n + 1);
	if (!d) return NULL;
	memcpy(d, p, n);
	d[n] = 0;
	return d;
}

static const __int128 I128_MAX = (__int128)(((unsigned __int128)1 << 127) - 1);
#define I128_MIN (-I128_MAX - 1)


/* Date as the number YYYYMMDD, datetime as YYYYMMDDHHMMSS (MySQL). */
static __int128 date_number(const sl_value *v)
{
	int y; unsigned m, d;
	if (v->kind == SL_V_DATE) {
		sl_civil_from_days(v->u.i, &y, &m, &d);
		return (__int128)y * 10000 + m * 100 + d;
	} else {
		int64_t us = v->u.i, days = us / EXPR_US_PER_DAY, sod;
		if (us % EXPR_US_PER_DAY < 0) days--;
		sod = (us - days * EXPR_US_PER_DAY) / EXPR_US_PER_SEC;
		sl_civil_from_days(days, &y, &m, &d);
		return ((__int128)y * 10000 + m * 100 + d) * 1000000 + (sod / 3600) * 10000 + (sod / 60 % 60) * 100 + sod % 60;
	}
}

/* Value as double; 0 if not convertible (string that is not a number). */
int sl_exprval_double(const sl_value *v, double *d)
{
	switch (v->kind) {
	case SL_V_INT: *d = (double)v->u.i; return 1;
	case SL_V_LARGE: *d = (double)v->u.l; return 1;
	case SL_V_DOUBLE: *d = v->u.d; return 1;
	case SL_V_DECIMAL: *d = (double)((long double)v->u.l / (long double)sl_pow10_i128(v->scale)); return 1;
	case SL_V_DATE: case SL_V_DATETIME: *d = (double)date_number(v); return 1;
	case SL_V_STRING: return sl_parse_double(v->u.s.p, v->u.s.n, d);
	default: return 0;
	}
}

/* Integer value (truncating decimals and doubles); 0 if not convertible. */
int sl_exprval_i128(const sl_value *v, __int128 *x)
{
	switch (v->kind) {
	case SL_V_INT: *x = v->u.i; return 1;
	case SL_V_LARGE: *x = v->u.l; return 1;
	case SL_V_DECIMAL: *x = v->u.l / sl_pow10_i128(v->scale); return 1;
	case SL_V_DOUBLE:
		if (isnan(v->u.d) || v->u.d >= 1.7e38 || v->u.d <= -1.7e38) return 0;
		*x = (__int128)v->u.d;
		return 1;
	case SL_V_DATE: case SL_V_DATETIME: *x = date_number(v); return 1;
	case SL_V_STRING: {
		sl_type t = { .kind = SL_T_LARGEINT };
		sl_value o;
		if (!sl_cast_text(&t, v->u.s.p, v->u.s.n, &o)) return 0;
		*x = o.u.l;
		return 1;
	}
	default: return 0;
	}
}

/* Rescale unscaled x from scale `from` to `to`, rounding half away from
 * zero when dropping digits. 0 on overflow. */
int sl_exprval_rescale(__int128 x, int from, int to, __int128 *out)
{
	if (to == from) { *out = x; return 1; }
	if (to > from) {
		int d = to - from;
		if (d > 38) return x == 0 ? (*out = 0, 1) : 0;
		if (__builtin_mul_overflow(x, sl_pow10_i128(d), out)) return 0;
		return 1;
	} else {
		int d = from - to;
		__int128 q, r, h;
		if (d > 38) { *out = 0; return 1; }
		q = x / sl_pow10_i128(d);
		r = x % sl_pow10_i128(d);
		h = sl_pow10_i128(d) / 2;
		if (r >= h && r > 0) q++;
		else if (r <= -h && r < 0) q--;
		*out = q;
		return 1;
	}
}

/* Value as an unscaled decimal at its natural scale (ints scale 0). */
int sl_exprval_dec(const sl_value *v, __int128 *x, int *scale)
{
	switch (v->kind) {
	case SL_V_INT: *x = v->u.i; *scale = 0; return 1;
	case SL_V_LARGE: *x = v->u.l; *scale = 0; return 1;
	case SL_V_DECIMAL: *x = v->u.l; *scale = v->scale; return 1;
	case SL_V_DATE: case SL_V_DATETIME: *x = date_number(v); *scale = 0; return 1;
	default: return 0;
	}
}

static int dec_fits(__int128 x, int prec)
{
	__int128 lim = sl_pow10_i128(prec > 38 ? 38 : prec);
	return x < lim && x > -lim;
}

/* ------------------------------------------------------------------ */
/* casts */
static int value_to_text(const sl_value *v, sl_arena *a, const char **p, size_t *n)
{
	char buf[SL_VALUE_FMT_MAX], *d;
	size_t len;
	if (v->kind == SL_V_STRING) { *p = v->u.s.p; *n = v->u.s.n; return 1; }
	if (v->kind == SL_V_INT && v->tkind == SL_T_BOOLEAN) {
		*p = v->u.i ? "1" : "0";
		*n = 1;
		return 1;
	}
	len = sl_value_fmt(v, buf);
	if (!a) return 0;
	d = arena_strdup(a, buf, len);
	if (!d) return -1;
	*p = d;
	*n = len;
	return 1;
}

int64_t sl_exprval_floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
	return q;
}

/* Round microseconds to `scale` fractional digits (half up). */
int64_t sl_exprval_round_us(int64_t us, int scale)
{
	int64_t unit, r;
	if (scale >= 6) return us;
	unit = 1;
	for (r = scale; r < 6; r++) unit *= 10;
	r = us - sl_exprval_floordiv(us, unit) * unit;
	us -= r;
	if (r * 2 >= unit) us += unit;
	return us;
}

/* The casts of a non-NULL, non-string value to each target kind: 1 with
 * out set (out was zeroed, its tkind set), 0 for NULL. */
static int cast_int(const sl_value *v, int k, sl_value *out)
{
	__int128 x, lo, hi;
	if (!sl_exprval_i128(v, &x)) return 0;
	switch (k) {
	case SL_T_TINYINT: lo = INT8_MIN; hi = INT8_MAX; break;
	case SL_T_SMALLINT: lo = INT16_MIN; hi = INT16_MAX; break;
	case SL_T_INT: lo = INT32_MIN; hi = INT32_MAX; break;
	case SL_T_BIGINT: lo = INT64_MIN; hi = INT64_MAX; break;
	default: lo = I128_MIN; hi = I128_MAX; break;
	}
	if (x < lo || x > hi) return 0;
	if (k == SL_T_LARGEINT) { out->kind = SL_V_LARGE; out->u.l = x; }
	else { out->kind = SL_V_INT; out->u.i = (int64_t)x; }
	return 1;
}

static int cast_decimal(const sl_value *v, const sl_type *t, sl_value *out)
{
	__int128 x;
	int s;
	if (v->kind == SL_V_DOUBLE) {
		long double d = (long double)v->u.d * (long double)sl_pow10_i128(t->scale);
		if (isnan(v->u.d) || d >= 1e38L || d <= -1e38L) return 0;
		d = d < 0 ? d - 0.5L : d + 0.5L;
		x = (__int128)d;
	} else {
		if (!sl_exprval_dec(v, &x, &s)) return 0;
		if (!sl_exprval_rescale(x, s, t->scale, &x)) return 0;
	}
	if (!dec_fits(x, t->prec)) return 0;
	out->kind = SL_V_DECIMAL;
	out->u.l = x;
	out->prec = t->prec;
	out->scale = t->scale;
	return 1;
}

static int cast_date(const sl_value *v, const sl_type *t, sl_value *out)
{
	int k = t->kind;
	if (k == SL_T_DATE && v->kind == SL_V_DATE) { *out = *v; out->tkind = SL_T_DATE; return 1; }
	if (k == SL_T_DATE && v->kind == SL_V_DATETIME) {
		out->kind = SL_V_DATE;
		out->u.i = sl_exprval_floordiv(v->u.i, EXPR_US_PER_DAY);
		return 1;
	}
	if (v->kind == SL_V_DATE) {
		out->kind = SL_V_DATETIME;
		out->u.i = v->u.i * EXPR_US_PER_DAY;
		out->scale = t->scale;
		return 1;
	}
	if (v->kind == SL_V_DATETIME) {
		out->kind = SL_V_DATETIME;
		out->u.i = sl_exprval_round_us(v->u.i, t->scale);
		out->scale = t->scale;
		return 1;
	}
	if (v->kind == SL_V_INT || v->kind == SL_V_LARGE || v->kind == SL_V_DECIMAL) {
		/* 20240102 / 20240102030405 as a date number */
		char buf[SL_VALUE_FMT_MAX];
		sl_value o;
		__int128 x;
		size_t n;
		if (!sl_exprval_i128(v, &x) || x < 0) return 0;
		n = sl_fmt_i128(x, buf);
		if (!sl_cast_text(t, buf, n, &o)) return 0;
		*out = o;
		return 1;
	}
	return 0;
}

/* A cast to a string type: the value as text. */
static int cast_str(const sl_value *in, int k, sl_arena *a, sl_value *out)
{
	const char *p;
	size_t n;
	int r = value_to_text(in, a, &p, &n);
	if (r <= 0) { sl_exprval_set_null(out); if (r < 0) errno = ENOMEM; return 0; }
	memset(out, 0, sizeof *out);
	out->kind = SL_V_STRING;
	out->tkind = (uint8_t)k;
	out->u.s.p = p;
	out->u.s.n = n;
	return 1;
}

int sl_value_cast(const sl_value *in, const sl_type *t, sl_arena *a, sl_value *out)
{
	sl_value v = *in;
	int k = t->kind, ok;

	if (in->kind == SL_V_NULL || k == SL_T_NULL) { sl_exprval_set_null(out); out->tkind = (uint8_t)k; return 1; }
	/* BITMAP and HLL values convert to nothing else and nothing else to
	 * them (the binder refuses such casts; a branch of another type is NULL) */
	if (k == SL_T_BITMAP || k == SL_T_HLL || in->tkind == SL_T_BITMAP || in->tkind == SL_T_HLL) {
		if (in->tkind == k) { *out = *in; return 1; }
		sl_exprval_set_null(out);
		out->tkind = (uint8_t)k;
		return 0;
	}
	if (expr_is_str_kind(k)) return cast_str(in, k, a, out);
	if (in->kind == SL_V_STRING) {
		sl_value o;
		int r = sl_cast_text(t, in->u.s.p, in->u.s.n, &o);
		*out = o;
		if (!r) sl_exprval_set_null(out);
		out->tkind = (uint8_t)k;
		return r;
	}
	memset(out, 0, sizeof *out);
	out->tkind = (uint8_t)k;
	switch (k) {
	case SL_T_BOOLEAN:
		out->kind = SL_V_INT;
		if (v.kind == SL_V_DATE || v.kind == SL_V_DATETIME) out->u.i = 1;
		else if (v.kind == SL_V_DOUBLE) out->u.i = v.u.d != 0;
		else out->u.i = v.kind == SL_V_INT ? v.u.i != 0 : v.u.l != 0;
		return 1;
	case SL_T_TINYINT: case SL_T_SMALLINT: case SL_T_INT: case SL_T_BIGINT: case SL_T_LARGEINT:
		ok = cast_int(&v, k, out);
		break;
	case SL_T_FLOAT: case SL_T_DOUBLE: {
		double d;
		if ((ok = sl_exprval_double(&v, &d))) {
			out->kind = SL_V_DOUBLE;
			out->u.d = k == SL_T_FLOAT ? (double)(float)d : d;
		}
		break;
	}
	case SL_T_DECIMAL:
		ok = cast_decimal(&v, t, out);
		break;
	case SL_T_DATE: case SL_T_DATETIME:
		ok = cast_date(&v, t, out);
		break;
	default:
		ok = 0;
		break;
	}
	if (ok) return 1;
	sl_exprval_set_null(out);
	out->tkind = (uint8_t)k;
	return 0;
}

/* Compare with implicit casts. 1 with *res, or 0 when a side cannot be
 * converted (the comparison is then NULL). */
int sl_exprval_cmp(const sl_value *a, const sl_value *b, int *res)
{
	int ka = a->kind, kb = b->kind;
	if (ka == SL_V_STRING && kb == SL_V_STRING) {
		size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		int c = n ? memcmp(a->u.s.p, b->u.s.p, n) : 0;
		if (!c) c = a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
		*res = c < 0 ? -1 : c > 0;
		return 1;
	}
	if ((ka == SL_V_DATE || ka == SL_V_DATETIME || kb == SL_V_DATE || kb == SL_V_DATETIME)
	    && (ka == SL_V_DATE || ka == SL_V_DATETIME || ka == SL_V_STRING)
	    && (kb == SL_V_DATE || kb == SL_V_DATETIME || kb == SL_V_STRING)) {
		int64_t x, y;
		if (ka == SL_V_DATE) x = a->u.i * EXPR_US_PER_DAY;
		else if (ka == SL_V_DATETIME) x = a->u.i;
		else if (!sl_parse_datetime(a->u.s.p, a->u.s.n, 6, &x)) return 0;
		if (kb == SL_V_DATE) y = b->u.i * EXPR_US_PER_DAY;
		else if (kb == SL_V_DATETIME) y = b->u.i;
		else if (!sl_parse_datetime(b->u.s.p, b->u.s.n, 6, &y)) return 0;
		*res = x < y ? -1 : x > y;
		return 1;
	}
	if (ka == SL_V_DOUBLE || kb == SL_V_DOUBLE || ka == SL_V_STRING || kb == SL_V_STRING) {
		double x, y;
		if (!sl_exprval_double(a, &x) || !sl_exprval_double(b, &y)) return 0;
		*res = x < y ? -1 : x > y;
		return 1;
	}
	if (ka == SL_V_DECIMAL || kb == SL_V_DECIMAL) {
		__int128 x, y;
		int sx, sy;
		if (!sl_exprval_dec(a, &x, &sx) || !sl_exprval_dec(b, &y, &sy)) return 0;
		if (sx < sy) {
			if (!sl_exprval_rescale(x, sx, sy, &x)) { double d1, d2; sl_exprval_double(a, &d1); sl_exprval_double(b, &d2); *res = d1 < d2 ? -1 : d1 > d2; return 1; }
		} else if (sy < sx) {
			if (!sl_exprval_rescale(y, sy, sx, &y)) { double d1, d2; sl_exprval_double(a, &d1); sl_exprval_double(b, &d2); *res = d1 < d2 ? -1 : d1 > d2; return 1; }
		}
		*res = x < y ? -1 : x > y;
		return 1;
	}
	{
		__int128 x, y;
		if (!sl_exprval_i128(a, &x) || !sl_exprval_i128(b, &y)) return 0;
		*res = x < y ? -1 : x > y;
		return 1;
	}
}

int sl_value_cmp(const sl_value *a, const sl_value *b)
{
	int r;
	if (a->kind == SL_V_NULL || b->kind == SL_V_NULL)
		return (a->kind != SL_V_NULL) - (b->kind != SL_V_NULL);
	if (sl_exprval_cmp(a, b, &r)) return r;
	/* not comparable (e.g. 'abc' vs 1): order by kind, then as text */
	if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
	return 0;
}

int sl_value_truth(const sl_value *v)
{
	switch (v->kind) {
	case SL_V_INT: return v->u.i != 0;
	case SL_V_LARGE: case SL_V_DECIMAL: return v->u.l != 0;
	case SL_V_DOUBLE: return v->u.d != 0 && !isnan(v->u.d);
	case SL_V_DATE: case SL_V_DATETIME: return 1;
	case SL_V_STRING: {
		int b;
		double d;
		if (sl_parse_bool(v->u.s.p, v->u.s.n, &b)) return b;
		if (sl_parse_double(v->u.s.p, v->u.s.n, &d)) return d != 0;
		return 0;
	}
	default: return 0;
	}
}


int sl_exprval_tri(const sl_value *v)
{
	if (v->kind == SL_V_NULL) return -1;
	if (v->kind == SL_V_STRING) {
		int b;
		double d;
		if (sl_parse_bool(v->u.s.p, v->u.s.n, &b)) return b;
		if (sl_parse_double(v->u.s.p, v->u.s.n, &d)) return d != 0;
		return -1;
	}
	return sl_value_truth(v);
}

int sl_exprval_str(const sl_value *v, sl_eval_ctx *ctx, const char **p, size_t *n)
{
	int r = value_to_text(v, ctx->arena, p, n);
	if (r < 0 || (r == 0 && !ctx->arena)) { errno = ENOMEM; return -1; }
	return 1;
}


/* Cast a branch result to the node's declared type. */
int sl_exprval_conform(const sl_expr *e, sl_value *v, sl_eval_ctx *ctx)
{
	sl_value o;
	if (v->kind == SL_V_NULL) return 1;
	if (e->type.kind == SL_T_NULL) return 1;
	if (v->tkind == e->type.kind && e->type.kind != SL_T_DECIMAL && e->type.kind != SL_T_DATETIME) return 1;
	if (v->kind == SL_V_STRING && expr_is_str_kind(e->type.kind)) { v->tkind = e->type.kind; return 1; }
	/* a cast to a string type fails only when the arena is exhausted */
	if (!sl_value_cast(v, &e->type, ctx->arena, &o) && expr_is_str_kind(e->type.kind)) {
		errno = ENOMEM;
		return -1;
	}
	*v = o;
	return 1;
}

/* The arithmetic of each category: 1 with out set, 0 for NULL. */
static int arith_int(const sl_expr *e, const sl_value *a, const sl_value *b, sl_value *out)
{
	__int128 x, y, r;
	if (!sl_exprval_i128(a, &x) || !sl_exprval_i128(b, &y)) return 0;
	switch (e->op) {
	case A_ADD: r = (__int128)((unsigned __int128)x + (unsigned __int128)y); break;
	case A_SUB: r = (__int128)((unsigned __int128)x - (unsigned __int128)y); break;
	case A_MUL: r = (__int128)((unsigned __int128)x * (unsigned __int128)y); break;
	case A_MOD:
		if (y == 0) return 0;
		if (y == -1) r = 0; else r = x % y;
		break;
	case A_IDIV:
		if (y == 0) return 0;
		if (y == -1) r = (__int128)(0 - (unsigned __int128)x); else r = x / y;
		break;
	default: return 0;
	}
	if (e->type.kind == SL_T_LARGEINT) { out->kind = SL_V_LARGE; out->u.l = r; }
	else { out->kind = SL_V_INT; out->u.i = (int64_t)r; }
	return 1;
}

/* x/10^sx / (y/10^sy) at scale rs = x * 10^(sy + rs - sx) / y, rounded
 * half away from zero; DIV truncates to an integer. */
static int dec_div(const sl_expr *e, __int128 x, int sx, __int128 y, int sy, __int128 *r)
{
	int k = e->op == A_IDIV ? sy - sx : sy + e->type.scale - sx;
	__int128 n = x, q, rem;
	if (y == 0) return 0;
	if (k > 0) { if (__builtin_mul_overflow(x, sl_pow10_i128(k), &n)) return 0; }
	else if (k < 0) { if (__builtin_mul_overflow(y, sl_pow10_i128(-k), &y)) return 0; }
	q = n / y;
	rem = n % y;
	if (e->op == A_DIV) {
		__int128 ar = rem < 0 ? -rem : rem, ay = y < 0 ? -y : y;
		if (ar >= ay - ar) q += ((n < 0) != (y < 0)) ? -1 : 1;
	}
	*r = q;
	return 1;
}

static int arith_dec(const sl_expr *e, const sl_value *a, const sl_value *b, sl_value *out)
{
	__int128 x, y, r;
	int sx, sy, rs = e->type.scale;
	if (!sl_exprval_dec(a, &x, &sx) || !sl_exprval_dec(b, &y, &sy)) return 0;
	switch (e->op) {
	case A_ADD: case A_SUB: case A_MOD: {
		int s = sx > sy ? sx : sy;
		if (!sl_exprval_rescale(x, sx, s, &x) || !sl_exprval_rescale(y, sy, s, &y)) return 0;
		if (e->op == A_ADD) { if (__builtin_add_overflow(x, y, &r)) return 0; }
		else if (e->op == A_SUB) { if (__builtin_sub_overflow(x, y, &r)) return 0; }
		else { if (y == 0) return 0; r = x % y; }
		if (!sl_exprval_rescale(r, s, rs, &r)) return 0;
		break;
	}
	case A_MUL:
		if (__builtin_mul_overflow(x, y, &r)) return 0;
		if (!sl_exprval_rescale(r, sx + sy, rs, &r)) return 0;
		break;
	case A_DIV: case A_IDIV:
		if (!dec_div(e, x, sx, y, sy, &r)) return 0;
		if (e->op == A_IDIV) {
			if (r > INT64_MAX || r < INT64_MIN) return 0;
			out->kind = SL_V_INT;
			out->u.i = (int64_t)r;
			return 1;
		}
		break;
	default: return 0;
	}
	if (!dec_fits(r, 38)) return 0;
	out->kind = SL_V_DECIMAL;
	out->u.l = r;
	out->scale = (uint8_t)rs;
	out->prec = e->type.prec;
	return 1;
}

static int arith_dbl(const sl_expr *e, const sl_value *a, const sl_value *b, sl_value *out)
{
	double x, y, r;
	if (!sl_exprval_double(a, &x) || !sl_exprval_double(b, &y)) return 0;
	switch (e->op) {
	case A_ADD: r = x + y; break;
	case A_SUB: r = x - y; break;
	case A_MUL: r = x * y; break;
	case A_DIV: if (y == 0) return 0; r = x / y; break;
	case A_MOD: if (y == 0) return 0; r = fmod(x, y); break;
	case A_IDIV: {
		double q;
		if (y == 0) return 0;
		q = trunc(x / y);
		if (isnan(q) || q >= 9.2e18 || q <= -9.2e18) return 0;
		return sl_exprval_set_int(out, (int64_t)q, SL_T_BIGINT);
	}
	default: return 0;
	}
	out->kind = SL_V_DOUBLE;
	out->u.d = r;
	return 1;
}

int sl_exprval_arith(const sl_expr *e, const sl_value *a, const sl_value *b, sl_value *out)
{
	int ok;
	memset(out, 0, sizeof *out);
	out->tkind = e->type.kind;
	if (e->cat == CAT_INT) ok = arith_int(e, a, b, out);
	else if (e->cat == CAT_DEC) ok = arith_dec(e, a, b, out);
	else ok = arith_dbl(e, a, b, out);
	if (!ok) sl_exprval_set_null(out);
	return 1;
}

/* -a as 0 - a */
int sl_exprval_neg(const sl_expr *e, const sl_value *a, sl_value *out)
{
	sl_value zero;
	sl_expr tmp = *e;
	memset(&zero, 0, sizeof zero);
	zero.kind = SL_V_INT;
	zero.tkind = SL_T_TINYINT;
	tmp.op = A_SUB;
	if (e->cat == CAT_DEC) tmp.type.scale = e->args[0]->type.scale;
	return sl_exprval_arith(&tmp, &zero, a, out);
}
