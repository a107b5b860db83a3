/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprfunc.c -- the built-in functions: one table of name, arity, type
 * rule and evaluation. Functions sharing an evaluation (year/month/...,
 * upper/lower) tell themselves apart by the row's variant, kept in the
 * node's op. Strict functions get their arguments evaluated by the caller
 * (expr.c) and are not called when one is NULL.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sl.h"
#include "types.h"
#include "datetime.h"
#include "cast.h"
#include "exprnode.h"
#include "exprbind.h"
#include "exprval.h"
#include "exprtime.h"
#include "expreval.h"
#include "exprfunc.h"
#include "exprsketch.h"

#define MAX_UNIX_TS INT64_C(32536771199)

enum fn {
	F_IF, F_IFNULL, F_COALESCE, F_NULLIF, F_YEAR, F_MONTH, F_DAY, F_HOUR,
	F_MINUTE, F_SECOND, F_NOW, F_CURDATE, F_DATE_FORMAT, F_STR_TO_DATE,
	F_FROM_UNIXTIME, F_UNIX_TIMESTAMP, F_CONCAT, F_CONCAT_WS, F_SUBSTR,
	F_UPPER, F_LOWER, F_LENGTH, F_CHAR_LENGTH, F_TRIM, F_LTRIM, F_RTRIM,
	F_REPLACE, F_ABS, F_ROUND, F_FLOOR, F_CEIL, F_TO_DATE, F_DATEDIFF,
	F_LEFT, F_RIGHT, F_LOCATE, F_LEAST, F_GREATEST,
};

/* ------------------------------------------------------------------ */
/* type rules */

static int type_if(sl_expr *e, char *err, size_t errcap)
{
	(void)err; (void)errcap;
	e->type = sl_exprbind_common(e->args[1]->type, e->args[2]->type);
	return 1;
}

static int type_ifnull(sl_expr *e, char *err, size_t errcap)
{
	(void)err; (void)errcap;
	e->type = sl_exprbind_common(e->args[0]->type, e->args[1]->type);
	return 1;
}

static int type_coalesce(sl_expr *e, char *err, size_t errcap)
{
	size_t i;
	(void)err; (void)errcap;
	e->type = sl_exprbind_type(SL_T_NULL);
	for (i = 0; i < e->nargs; i++) e->type = sl_exprbind_common(e->type, e->args[i]->type);
	return 1;
}

static int type_first(sl_expr *e, char *err, size_t errcap)
{
	(void)err; (void)errcap;
	e->type = e->args[0]->type;
	return 1;
}

static int type_int(sl_expr *e, char *err, size_t errcap)
{
	(void)err; (void)errcap;
	e->type = sl_exprbind_type(SL_T_INT);
	return 1;
}

static int type_bigint(sl_expr *e, char *err, size_t errcap)
{
	(void)err; (void)errcap;
	e->type = sl_exprbind_type(SL_T_BIGINT);
	return 1;
}

static int type_date(sl_expr *e, char *err, size_t errcap)
{
	(void)err; (void)errcap;
	e->type = sl_exprbind_type(SL_T_DATE);
	return 1;
}

static int type_varchar(sl_expr *e, char *err, size_t errcap)
{
	(void)err; (void)errcap;
	e->type = sl_exprbind_type(SL_T_VARCHAR);
	return 1;
}

/* now(p): DATETIME(p), p a constant 0..6 */
static int type_now(sl_expr *e, char *err, size_t errcap)
{
	e->type = sl_exprbind_type(SL_T_DATETIME);
	if (e->nargs) {
		const sl_expr *x = e->args[0];
		if (x->kind != E_LIT || x->lit.kind != SL_V_INT || x->lit.u.i < 0 || x->lit.u.i > 6) {
			if (errcap) snprintf(err, errcap, "The precision of %s must be an integer between 0 and 6", e->sbuf);
			return 0;
		}
		e->type.scale = (uint8_t)x->lit.u.i;
	}
	return 1;
}

/* Does a constant format string contain time-of-day specifiers? 0 no, 1
 * yes, 2 microseconds too. */
static int fmt_time_kind(const char *f, size_t n)
{
	size_t i;
	int r = 0;
	for (i = 0; i + 1 < n; i++) {
		if (f[i] != '%') continue;
		switch (f[++i]) {
		case 'H': case 'k': case 'h': case 'I': case 'l': case 'i': case 's': case 'S':
		case 'p': case 'T': case 'r':
			if (!r) r = 1;
			break;
		case 'f': r = 2; break;
		}
	}
	return r;
}

/* str_to_date: DATE when its constant format has no time specifier */
static int type_str_to_date(sl_expr *e, char *err, size_t errcap)
{
	const sl_expr *f = e->args[1];
	(void)err; (void)errcap;
	e->type = sl_exprbind_type(SL_T_DATETIME);
	e->fmt_has_time = 2;
	if (f->kind == E_LIT && f->lit.kind == SL_V_STRING) {
		int k = fmt_time_kind(f->lit.u.s.p, f->lit.u.s.n);
		e->fmt_has_time = k;
		if (k == 0) e->type = sl_exprbind_type(SL_T_DATE);
		else if (k == 2) e->type.scale = 6;
	} else e->type.scale = 6;
	return 1;
}

static int type_abs(sl_expr *e, char *err, size_t errcap)
{
	sl_type a0 = e->args[0]->type;
	(void)err; (void)errcap;
	if (expr_is_int_kind(a0.kind))
		e->type = sl_exprbind_type(a0.kind >= SL_T_BIGINT ? SL_T_LARGEINT : SL_T_BIGINT);
	else if (a0.kind == SL_T_DECIMAL) e->type = a0;
	else e->type = sl_exprbind_type(SL_T_DOUBLE);
	return 1;
}

/* round/floor/ceil: integers stay, decimals keep at most the digits asked */
static int type_round(sl_expr *e, char *err, size_t errcap)
{
	sl_type a0 = e->args[0]->type;
	(void)err; (void)errcap;
	if (expr_is_int_kind(a0.kind)) e->type = sl_exprbind_type(a0.kind >= SL_T_BIGINT ? a0.kind : SL_T_BIGINT);
	else if (a0.kind == SL_T_DECIMAL) {
		int d = 0;
		if (e->op == F_ROUND && e->nargs == 2) {
			const sl_expr *x = e->args[1];
			if (x->kind == E_LIT && x->lit.kind == SL_V_INT) d = (int)x->lit.u.i;
			else d = a0.scale;
		}
		if (d < 0) d = 0;
		if (d > a0.scale) d = a0.scale;
		e->type = sl_exprbind_dec(a0.prec - a0.scale + d + 1 > 38 ? 38 : a0.prec - a0.scale + d + 1, d);
	} else e->type = sl_exprbind_type(SL_T_DOUBLE);
	return 1;
}

/* ------------------------------------------------------------------ */
/* helpers */


/* Byte offset of the k-th (0-based) UTF-8 character, or n. */
static size_t utf8_off(const char *s, size_t n, size_t k)
{
	size_t i = 0;
	while (k && i < n) {
		size_t l = expr_utf8_len((unsigned char)s[i]);
		i += l > n - i ? n - i : l;
		k--;
	}
	return i;
}

static size_t utf8_count(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	while (i < n) {
		size_t l = expr_utf8_len((unsigned char)s[i]);
		i += l > n - i ? n - i : l;
		c++;
	}
	return c;
}

static int eval_round(const sl_expr *e, const sl_value *a, int64_t d, sl_value *out)
{
	memset(out, 0, sizeof *out);
	out->tkind = e->type.kind;
	if (a->kind == SL_V_DECIMAL) {
		__int128 x = a->u.l, r;
		int s = a->scale, rs = e->type.scale;
		if (e->op == F_ROUND) {
			int keep = (int)(d > s ? s : d);
			if (keep < -38) { r = 0; keep = 0; }
			else if (keep >= 0) {
				if (!sl_exprval_rescale(x, s, keep, &r)) goto null;
			} else {
				if (!sl_exprval_rescale(x, s, 0, &r)) goto null;
				if (!sl_exprval_rescale(r, -keep, 0, &r)) goto null;
				if (!sl_exprval_rescale(r, 0, -keep, &r)) goto null;
				keep = 0;
			}
			if (!sl_exprval_rescale(r, keep, rs, &r)) goto null;
		} else {
			__int128 u = sl_pow10_i128(s), q = x / u, m = x % u;
			if (e->op == F_FLOOR && m < 0) q--;
			if (e->op == F_CEIL && m > 0) q++;
			r = q;
			if (!sl_exprval_rescale(r, 0, rs, &r)) goto null;
		}
		out->kind = SL_V_DECIMAL;
		out->u.l = r;
		out->scale = (uint8_t)rs;
		out->prec = e->type.prec;
		return 1;
	}
	if (a->kind == SL_V_INT || a->kind == SL_V_LARGE) {
		__int128 x = a->kind == SL_V_INT ? a->u.i : a->u.l;
		if (e->op == F_ROUND && d < 0) {
			if (d < -38) x = 0;
			else if (!sl_exprval_rescale(x, (int)-d, 0, &x) || !sl_exprval_rescale(x, 0, (int)-d, &x)) goto null;
		}
		if (e->type.kind == SL_T_LARGEINT) { out->kind = SL_V_LARGE; out->u.l = x; }
		else { out->kind = SL_V_INT; out->u.i = (int64_t)x; }
		return 1;
	}
	{
		double x, r;
		if (!sl_exprval_double(a, &x)) goto null;
		if (e->op == F_FLOOR) r = floor(x);
		else if (e->op == F_CEIL) r = ceil(x);
		else if (d == 0) r = round(x);
		else {
			double f = pow(10.0, (double)d);
			r = round(x * f) / f;
			if (!isfinite(r)) r = x;
		}
		out->kind = SL_V_DOUBLE;
		out->u.d = r;
		return 1;
	}
null:
	sl_exprval_set_null(out);
	return 1;
}

static int format_dt(sl_eval_ctx *ctx, int64_t us, const char *f, size_t fn, sl_value *out)
{
	char *buf, *end;
	f = sl_exprtime_java(f, fn, &fn);
	buf = sl_arena_alloc(ctx->arena, fn * 12 + 1);
	if (!buf) return -1;
	end = sl_exprtime_format(us, f, fn, buf);
	return sl_exprval_set_str(out, buf, (size_t)(end - buf));
}

/* ------------------------------------------------------------------ */
/* functions that evaluate their own arguments (args is NULL) */

static int ev_if(const sl_expr *e, const sl_value *row, const sl_value *args, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value c;
	int r;
	(void)args;
	if ((r = sl_expreval_eval(e->args[0], row, ctx, &c)) < 0) return r;
	if ((r = sl_expreval_eval(e->args[sl_exprval_tri(&c) == 1 ? 1 : 2], row, ctx, out)) < 0) return r;
	return sl_exprval_conform(e, out, ctx);
}

static int ev_ifnull(const sl_expr *e, const sl_value *row, const sl_value *args, sl_eval_ctx *ctx, sl_value *out)
{
	int r;
	(void)args;
	if ((r = sl_expreval_eval(e->args[0], row, ctx, out)) < 0) return r;
	if (out->kind == SL_V_NULL && (r = sl_expreval_eval(e->args[1], row, ctx, out)) < 0) return r;
	return sl_exprval_conform(e, out, ctx);
}

static int ev_coalesce(const sl_expr *e, const sl_value *row, const sl_value *args, sl_eval_ctx *ctx, sl_value *out)
{
	size_t i;
	int r;
	(void)args;
	sl_exprval_set_null(out);
	for (i = 0; i < e->nargs; i++) {
		if ((r = sl_expreval_eval(e->args[i], row, ctx, out)) < 0) return r;
		if (out->kind != SL_V_NULL) break;
	}
	return sl_exprval_conform(e, out, ctx);
}

/* concat, concat_ws: evaluate into an arena array, then join */
static int ev_concat(const sl_expr *e, const sl_value *row, const sl_value *args, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value *vs = sl_arena_alloc(ctx->arena, e->nargs * sizeof *vs);
	const char *sep = "";
	size_t i, sepn = 0, total = 0, k0 = 0, cnt = 0;
	char *buf, *o;
	int r;
	(void)args;
	if (!vs) return -1;
	for (i = 0; i < e->nargs; i++) {
		if ((r = sl_expreval_eval(e->args[i], row, ctx, &vs[i])) < 0) return r;
		if (vs[i].kind == SL_V_NULL) {
			if (e->op == F_CONCAT || i == 0) { sl_exprval_set_null(out); return 1; }
			continue;
		}
		if (vs[i].kind != SL_V_STRING) {
			const char *p; size_t n;
			if (sl_exprval_str(&vs[i], ctx, &p, &n) < 0) return -1;
			sl_exprval_set_str(&vs[i], p, n);
		}
	}
	if (e->op == F_CONCAT_WS) { sep = vs[0].u.s.p; sepn = vs[0].u.s.n; k0 = 1; }
	for (i = k0; i < e->nargs; i++)
		if (vs[i].kind != SL_V_NULL) { total += vs[i].u.s.n; cnt++; }
	if (cnt > 1) total += sepn * (cnt - 1);
	buf = sl_arena_alloc(ctx->arena, total + 1);
	if (!buf) return -1;
	o = buf;
	cnt = 0;
	for (i = k0; i < e->nargs; i++) {
		if (vs[i].kind == SL_V_NULL) continue;
		if (cnt++ && sepn) { memcpy(o, sep, sepn); o += sepn; }
		if (vs[i].u.s.n) memcpy(o, vs[i].u.s.p, vs[i].u.s.n);
		o += vs[i].u.s.n;
	}
	return sl_exprval_set_str(out, buf, total);
}

static void set_date(sl_value *out, int64_t days)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_DATE;
	out->tkind = SL_T_DATE;
	out->u.i = days;
}

static void set_datetime(sl_value *out, int64_t us, int scale)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_DATETIME;
	out->tkind = SL_T_DATETIME;
	out->scale = (uint8_t)scale;
	out->u.i = us;
}

/* now(), curdate(): the statement's time, local, at the node's precision */
static int ev_now(const sl_expr *e, const sl_value *row, const sl_value *args, sl_eval_ctx *ctx, sl_value *out)
{
	int64_t now = ctx->now_us ? ctx->now_us : sl_exprtime_now();
	int64_t local = sl_tz_to_local(now), unit = 1;
	int k;
	(void)row; (void)args;
	if (e->op == F_CURDATE) {
		set_date(out, sl_exprval_floordiv(local, EXPR_US_PER_DAY));
		return 1;
	}
	for (k = e->type.scale; k < 6; k++) unit *= 10;
	set_datetime(out, sl_exprval_floordiv(local, unit) * unit, e->type.scale);
	return 1;
}

/* ------------------------------------------------------------------ */
/* strict functions: args holds the first three arguments, none NULL
 * (but nullif's) */

static int ev_nullif(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	int c;
	(void)row;
	if (a[0].kind == SL_V_NULL) { sl_exprval_set_null(out); return 1; }
	if (a[1].kind != SL_V_NULL && sl_exprval_cmp(&a[0], &a[1], &c) && c == 0) { sl_exprval_set_null(out); return 1; }
	*out = a[0];
	return sl_exprval_conform(e, out, ctx);
}

/* year, month, day, hour, minute, second */
static int ev_field(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	int64_t us;
	struct sl_exprtime_civil c;
	int v = 0;
	(void)row; (void)ctx;
	if (!sl_exprtime_us(&a[0], &us)) { sl_exprval_set_null(out); return 1; }
	sl_exprtime_civil(us, &c);
	switch (e->op) {
	case F_YEAR: v = c.y; break;
	case F_MONTH: v = c.mo; break;
	case F_DAY: v = c.d; break;
	case F_HOUR: v = c.h; break;
	case F_MINUTE: v = c.mi; break;
	default: v = c.s; break;
	}
	return sl_exprval_set_int(out, v, SL_T_INT);
}

static int ev_to_date(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	int64_t us;
	(void)e; (void)row; (void)ctx;
	if (!sl_exprtime_us(&a[0], &us)) { sl_exprval_set_null(out); return 1; }
	set_date(out, sl_exprval_floordiv(us, EXPR_US_PER_DAY));
	return 1;
}

static int ev_datediff(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	int64_t x, y;
	(void)e; (void)row; (void)ctx;
	if (!sl_exprtime_us(&a[0], &x) || !sl_exprtime_us(&a[1], &y)) { sl_exprval_set_null(out); return 1; }
	return sl_exprval_set_int(out, sl_exprval_floordiv(x, EXPR_US_PER_DAY) - sl_exprval_floordiv(y, EXPR_US_PER_DAY), SL_T_INT);
}

static int ev_date_format(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	int64_t us;
	const char *f; size_t fn;
	(void)e; (void)row;
	if (!sl_exprtime_us(&a[0], &us)) { sl_exprval_set_null(out); return 1; }
	if (sl_exprval_str(&a[1], ctx, &f, &fn) < 0) return -1;
	return format_dt(ctx, us, f, fn, out);
}

/* a[0] parsed with the format a[1] (MySQL or Java form). 1 ok, 0 no
 * match, -1 ENOMEM. */
static int parse_with(const sl_value *a, sl_eval_ctx *ctx, int64_t *us)
{
	const char *s, *f; size_t sn, fn;
	if (sl_exprval_str(&a[0], ctx, &s, &sn) < 0 || sl_exprval_str(&a[1], ctx, &f, &fn) < 0) return -1;
	f = sl_exprtime_java(f, fn, &fn);
	return sl_exprtime_parse(s, sn, f, fn, us);
}

static int ev_str_to_date(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	int64_t us;
	int r;
	(void)row;
	if ((r = parse_with(a, ctx, &us)) < 0) return -1;
	if (!r) { sl_exprval_set_null(out); return 1; }
	if (e->type.kind == SL_T_DATE) set_date(out, sl_exprval_floordiv(us, EXPR_US_PER_DAY));
	else set_datetime(out, sl_exprval_round_us(us, e->type.scale), e->type.scale);
	return 1;
}

static int ev_from_unixtime(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	__int128 ts;
	const char *f = "%Y-%m-%d %H:%i:%s";
	size_t fn = 17;
	(void)row;
	if (!sl_exprval_i128(&a[0], &ts) || ts < 0 || ts > MAX_UNIX_TS) { sl_exprval_set_null(out); return 1; }
	if (e->nargs > 1 && sl_exprval_str(&a[1], ctx, &f, &fn) < 0) return -1;
	return format_dt(ctx, sl_tz_to_local((int64_t)ts * EXPR_US_PER_SEC), f, fn, out);
}

static int ev_unix_timestamp(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	int64_t us, secs;
	(void)row;
	if (e->nargs == 0) {
		int64_t now = ctx->now_us ? ctx->now_us : sl_exprtime_now();
		return sl_exprval_set_int(out, sl_exprval_floordiv(now, EXPR_US_PER_SEC), SL_T_BIGINT);
	}
	if (e->nargs == 2) {
		int r = parse_with(a, ctx, &us);
		if (r < 0) return -1;
		if (!r) { sl_exprval_set_null(out); return 1; }
	} else if (!sl_exprtime_us(&a[0], &us)) { sl_exprval_set_null(out); return 1; }
	secs = sl_exprval_floordiv(sl_tz_to_utc(us), EXPR_US_PER_SEC);
	if (secs < 0 || secs > MAX_UNIX_TS) secs = 0;
	return sl_exprval_set_int(out, secs, SL_T_BIGINT);
}

/* substr, left, right: positions and lengths in UTF-8 characters */
static int ev_substr(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	const char *s; size_t sn, nch, b, en;
	__int128 pos, len = -1;
	(void)row;
	if (sl_exprval_str(&a[0], ctx, &s, &sn) < 0) return -1;
	if (!sl_exprval_i128(&a[1], &pos)) { sl_exprval_set_null(out); return 1; }
	if (e->op == F_SUBSTR && e->nargs == 3 && !sl_exprval_i128(&a[2], &len)) { sl_exprval_set_null(out); return 1; }
	nch = utf8_count(s, sn);
	if (e->op == F_LEFT) { len = pos; pos = 1; }
	else if (e->op == F_RIGHT) {
		len = pos;
		if (len <= 0) return sl_exprval_set_str(out, "", 0);
		pos = len >= (__int128)nch ? 1 : (__int128)nch - len + 1;
	}
	if (pos == 0 || (e->nargs == 3 && len <= 0) || (e->op != F_SUBSTR && len <= 0))
		return sl_exprval_set_str(out, "", 0);
	if (pos < 0) pos += (__int128)nch + 1;
	if (pos < 1 || pos > (__int128)nch) return sl_exprval_set_str(out, "", 0);
	b = utf8_off(s, sn, (size_t)(pos - 1));
	if (len < 0 || len > (__int128)nch) en = sn;
	else en = b + utf8_off(s + b, sn - b, (size_t)len);
	return sl_exprval_set_str(out, s + b, en - b);
}

/* locate(substr, str[, pos]): the 1-based character position of substr
 * in str from character pos on, 0 when absent (MySQL, Doris) */
static int ev_locate(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	const char *t, *s, *hit; size_t tn, sn, b = 0;
	__int128 pos = 1;
	(void)row;
	if (sl_exprval_str(&a[0], ctx, &t, &tn) < 0 || sl_exprval_str(&a[1], ctx, &s, &sn) < 0) return -1;
	if (e->nargs == 3 && !sl_exprval_i128(&a[2], &pos)) { sl_exprval_set_null(out); return 1; }
	if (pos < 1 || pos > (__int128)utf8_count(s, sn) + 1) return sl_exprval_set_int(out, 0, SL_T_INT);
	b = utf8_off(s, sn, (size_t)(pos - 1));
	hit = tn ? memmem(s + b, sn - b, t, tn) : s + b;
	return sl_exprval_set_int(out, hit ? (int64_t)utf8_count(s, (size_t)(hit - s)) + 1 : 0, SL_T_INT);
}

/* least, greatest: of the arguments compared with implicit casts, in the
 * common type (a NULL argument makes NULL: the function is strict) */
static int ev_least(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	size_t i, best = 0;
	int c;
	(void)row;
	for (i = 1; i < e->nargs; i++) {
		if (!sl_exprval_cmp(&a[i], &a[best], &c)) { sl_exprval_set_null(out); return 1; }
		if (e->op == F_LEAST ? c < 0 : c > 0) best = i;
	}
	*out = a[best];
	return sl_exprval_conform(e, out, ctx);
}

/* upper, lower: ASCII letters */
static int ev_case(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	const char *s; size_t sn, k;
	char *d;
	(void)row;
	if (sl_exprval_str(&a[0], ctx, &s, &sn) < 0) return -1;
	if (!(d = sl_arena_alloc(ctx->arena, sn + 1))) return -1;
	for (k = 0; k < sn; k++) {
		char c = s[k];
		if (e->op == F_UPPER && c >= 'a' && c <= 'z') c -= 32;
		else if (e->op == F_LOWER && c >= 'A' && c <= 'Z') c += 32;
		d[k] = c;
	}
	return sl_exprval_set_str(out, d, sn);
}

/* length in bytes, char_length in characters */
static int ev_length(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	const char *s; size_t sn;
	(void)row;
	if (sl_exprval_str(&a[0], ctx, &s, &sn) < 0) return -1;
	return sl_exprval_set_int(out, (int64_t)(e->op == F_LENGTH ? sn : utf8_count(s, sn)), SL_T_INT);
}

/* trim, ltrim, rtrim: repeated occurrences of a[1] (a space by default) */
static int ev_trim(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	const char *s, *t = " "; size_t sn, tn = 1, b = 0, en;
	(void)row;
	if (sl_exprval_str(&a[0], ctx, &s, &sn) < 0) return -1;
	if (e->nargs == 2 && sl_exprval_str(&a[1], ctx, &t, &tn) < 0) return -1;
	en = sn;
	if (tn == 0) return sl_exprval_set_str(out, s, sn);
	if (e->op != F_RTRIM)
		while (en - b >= tn && !memcmp(s + b, t, tn)) b += tn;
	if (e->op != F_LTRIM)
		while (en - b >= tn && !memcmp(s + en - tn, t, tn)) en -= tn;
	return sl_exprval_set_str(out, s + b, en - b);
}

static int ev_replace(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	const char *s, *f, *t; size_t sn, fn, tn, k, cnt = 0, total;
	char *d, *o;
	(void)e; (void)row;
	if (sl_exprval_str(&a[0], ctx, &s, &sn) < 0 || sl_exprval_str(&a[1], ctx, &f, &fn) < 0
	    || sl_exprval_str(&a[2], ctx, &t, &tn) < 0) return -1;
	if (fn == 0 || fn > sn) return sl_exprval_set_str(out, s, sn);
	for (k = 0; k + fn <= sn; ) {
		if (!memcmp(s + k, f, fn)) { cnt++; k += fn; } else k++;
	}
	if (!cnt) return sl_exprval_set_str(out, s, sn);
	total = sn - cnt * fn + cnt * tn;
	if (!(d = sl_arena_alloc(ctx->arena, total + 1))) return -1;
	o = d;
	for (k = 0; k < sn; ) {
		if (k + fn <= sn && !memcmp(s + k, f, fn)) {
			memcpy(o, t, tn); o += tn; k += fn;
		} else *o++ = s[k++];
	}
	return sl_exprval_set_str(out, d, total);
}

static int ev_abs(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	double d;
	(void)row; (void)ctx;
	memset(out, 0, sizeof *out);
	out->tkind = e->type.kind;
	if (a[0].kind == SL_V_INT || a[0].kind == SL_V_LARGE) {
		__int128 x = a[0].kind == SL_V_INT ? a[0].u.i : a[0].u.l;
		if (x < 0) x = (__int128)(0 - (unsigned __int128)x);
		if (e->type.kind == SL_T_LARGEINT) { out->kind = SL_V_LARGE; out->u.l = x; }
		else { out->kind = SL_V_INT; out->u.i = (int64_t)x; }
		return 1;
	}
	if (a[0].kind == SL_V_DECIMAL) {
		*out = a[0];
		if (out->u.l < 0) out->u.l = -out->u.l;
		return 1;
	}
	if (!sl_exprval_double(&a[0], &d)) { sl_exprval_set_null(out); return 1; }
	out->kind = SL_V_DOUBLE;
	out->u.d = fabs(d);
	return 1;
}

/* round, floor, ceil */
static int ev_round(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	__int128 d = 0;
	sl_value x = a[0];
	(void)row; (void)ctx;
	if (e->nargs == 2 && !sl_exprval_i128(&a[1], &d)) { sl_exprval_set_null(out); return 1; }
	if (d > 60) d = 60;
	if (d < -60) d = -60;
	if (x.kind == SL_V_STRING || x.kind == SL_V_DATE || x.kind == SL_V_DATETIME) {
		double dd;
		if (!sl_exprval_double(&x, &dd)) { sl_exprval_set_null(out); return 1; }
		memset(&x, 0, sizeof x);
		x.kind = SL_V_DOUBLE;
		x.u.d = dd;
	}
	return eval_round(e, &x, (int64_t)d, out);
}

/* ------------------------------------------------------------------ */
/* the table */

#define LAZY 0
#define STRICT 1
#define NULLS 2                 /* strict, but called with NULL arguments */

static const struct sl_exprfunc_def fdefs[] = {
	{ "if", F_IF, 3, 3, LAZY, type_if, ev_if },
	{ "ifnull", F_IFNULL, 2, 2, LAZY, type_ifnull, ev_ifnull },
	{ "nvl", F_IFNULL, 2, 2, LAZY, type_ifnull, ev_ifnull },
	{ "coalesce", F_COALESCE, 1, 255, LAZY, type_coalesce, ev_coalesce },
	{ "nullif", F_NULLIF, 2, 2, NULLS, type_first, ev_nullif },
	{ "year", F_YEAR, 1, 1, STRICT, type_int, ev_field },
	{ "month", F_MONTH, 1, 1, STRICT, type_int, ev_field },
	{ "day", F_DAY, 1, 1, STRICT, type_int, ev_field },
	{ "dayofmonth", F_DAY, 1, 1, STRICT, type_int, ev_field },
	{ "hour", F_HOUR, 1, 1, STRICT, type_int, ev_field },
	{ "minute", F_MINUTE, 1, 1, STRICT, type_int, ev_field },
	{ "second", F_SECOND, 1, 1, STRICT, type_int, ev_field },
	{ "now", F_NOW, 0, 1, LAZY, type_now, ev_now },
	{ "current_timestamp", F_NOW, 0, 1, LAZY, type_now, ev_now },
	{ "localtime", F_NOW, 0, 1, LAZY, type_now, ev_now },
	{ "localtimestamp", F_NOW, 0, 1, LAZY, type_now, ev_now },
	{ "curdate", F_CURDATE, 0, 0, LAZY, type_date, ev_now },
	{ "current_date", F_CURDATE, 0, 0, LAZY, type_date, ev_now },
	{ "date_format", F_DATE_FORMAT, 2, 2, STRICT, type_varchar, ev_date_format },
	{ "str_to_date", F_STR_TO_DATE, 2, 2, STRICT, type_str_to_date, ev_str_to_date },
	{ "from_unixtime", F_FROM_UNIXTIME, 1, 2, STRICT, type_varchar, ev_from_unixtime },
	{ "unix_timestamp", F_UNIX_TIMESTAMP, 0, 2, STRICT, type_bigint, ev_unix_timestamp },
	{ "concat", F_CONCAT, 1, 255, LAZY, type_varchar, ev_concat },
	{ "concat_ws", F_CONCAT_WS, 2, 255, LAZY, type_varchar, ev_concat },
	{ "substr", F_SUBSTR, 2, 3, STRICT, type_varchar, ev_substr },
	{ "substring", F_SUBSTR, 2, 3, STRICT, type_varchar, ev_substr },
	{ "mid", F_SUBSTR, 3, 3, STRICT, type_varchar, ev_substr },
	{ "upper", F_UPPER, 1, 1, STRICT, type_varchar, ev_case },
	{ "ucase", F_UPPER, 1, 1, STRICT, type_varchar, ev_case },
	{ "lower", F_LOWER, 1, 1, STRICT, type_varchar, ev_case },
	{ "lcase", F_LOWER, 1, 1, STRICT, type_varchar, ev_case },
	{ "length", F_LENGTH, 1, 1, STRICT, type_int, ev_length },
	{ "char_length", F_CHAR_LENGTH, 1, 1, STRICT, type_int, ev_length },
	{ "character_length", F_CHAR_LENGTH, 1, 1, STRICT, type_int, ev_length },
	{ "trim", F_TRIM, 1, 2, STRICT, type_varchar, ev_trim },
	{ "ltrim", F_LTRIM, 1, 2, STRICT, type_varchar, ev_trim },
	{ "rtrim", F_RTRIM, 1, 2, STRICT, type_varchar, ev_trim },
	{ "replace", F_REPLACE, 3, 3, STRICT, type_varchar, ev_replace },
	{ "abs", F_ABS, 1, 1, STRICT, type_abs, ev_abs },
	{ "round", F_ROUND, 1, 2, STRICT, type_round, ev_round },
	{ "floor", F_FLOOR, 1, 1, STRICT, type_round, ev_round },
	{ "ceil", F_CEIL, 1, 1, STRICT, type_round, ev_round },
	{ "ceiling", F_CEIL, 1, 1, STRICT, type_round, ev_round },
	{ "to_date", F_TO_DATE, 1, 1, STRICT, type_date, ev_to_date },
	{ "date", F_TO_DATE, 1, 1, STRICT, type_date, ev_to_date },
	{ "datediff", F_DATEDIFF, 2, 2, STRICT, type_int, ev_datediff },
	{ "left", F_LEFT, 2, 2, STRICT, type_varchar, ev_substr },
	{ "right", F_RIGHT, 2, 2, STRICT, type_varchar, ev_substr },
	{ "locate", F_LOCATE, 2, 3, STRICT, type_int, ev_locate },
	{ "least", F_LEAST, 1, 255, STRICT, type_coalesce, ev_least },
	{ "greatest", F_GREATEST, 1, 255, STRICT, type_coalesce, ev_least },
};

static const struct sl_exprfunc_def *find_in(const struct sl_exprfunc_def *tab, size_t ntab,
                                             const char *name, size_t n)
{
	size_t i;
	for (i = 0; i < ntab; i++)
		if (expr_ieqn(name, n, tab[i].name, strlen(tab[i].name))) return &tab[i];
	return NULL;
}

/* This file's table, then the BITMAP/HLL functions' (exprsketch.c). */
const struct sl_exprfunc_def *sl_exprfunc_find(const char *name, size_t n)
{
	const struct sl_exprfunc_def *d = find_in(fdefs, SL_ARRAY_LEN(fdefs), name, n), *sk;
	size_t nsk;
	if (d) return d;
	sk = sl_exprsketch_table(&nsk);
	return find_in(sk, nsk, name, n);
}
