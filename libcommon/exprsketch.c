/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprsketch.c -- BITMAP and HLL in the expression engine (exprsketch.h).
 * Values of both types are SL_V_STRING values holding the encodings of
 * bitmap.h and hll.h, tagged with tkind SL_T_BITMAP / SL_T_HLL. As in
 * Doris, the constructors never give NULL: to_bitmap, bitmap_hash and
 * hll_hash of NULL (and to_bitmap of a negative or non-numeric value) give
 * the empty sketch, and bitmap_count / hll_cardinality of NULL give 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "status.h"
#include "types.h"
#include "arena.h"
#include "bitmap.h"
#include "hll.h"
#include "murmur.h"
#include "exprnode.h"
#include "exprval.h"
#include "exprsketch.h"

enum fn {
	F_TO_BITMAP, F_BITMAP_EMPTY, F_BITMAP_FROM_STRING, F_BITMAP_HASH, F_BITMAP_COUNT,
	F_BITMAP_TO_STRING, F_HLL_HASH, F_HLL_EMPTY, F_HLL_CARDINALITY,
};

static sl_type kind_type(int kind)
{
	sl_type t;
	memset(&t, 0, sizeof t);
	t.kind = (uint8_t)kind;
	if (kind == SL_T_VARCHAR) t.len = 65533;
	return t;
}

static int is_sketch(int kind)
{
	return kind == SL_T_BITMAP || kind == SL_T_HLL;
}

/* ------------------------------------------------------------------ */
/* type rules */

/* "Can not find the compatibility function signature: f(T)" */
static int no_signature(const sl_expr *e, char *err, size_t errcap)
{
	char t[SL_TYPE_FMT_MAX];
	sl_type_format_upper(&e->args[0]->type, t, sizeof t);
	if (errcap)
		snprintf(err, errcap, "Can not find the compatibility function signature: %s(%s)", e->sbuf, t);
	return 0;
}

/* The argument (if any) must be of kind `want`, or a bare NULL. */
static int arg_is(const sl_expr *e, int want, char *err, size_t errcap)
{
	int k = e->nargs ? e->args[0]->type.kind : want;
	return k == want || k == SL_T_NULL ? 1 : no_signature(e, err, errcap);
}

static int arg_not_sketch(const sl_expr *e, char *err, size_t errcap)
{
	return e->nargs && is_sketch(e->args[0]->type.kind) ? no_signature(e, err, errcap) : 1;
}

static int type_make_bitmap(sl_expr *e, char *err, size_t errcap)
{
	e->type = kind_type(SL_T_BITMAP);
	return arg_not_sketch(e, err, errcap);
}

static int type_make_hll(sl_expr *e, char *err, size_t errcap)
{
	e->type = kind_type(SL_T_HLL);
	return arg_not_sketch(e, err, errcap);
}

static int type_bitmap_count(sl_expr *e, char *err, size_t errcap)
{
	e->type = kind_type(SL_T_BIGINT);
	return arg_is(e, SL_T_BITMAP, err, errcap);
}

static int type_bitmap_to_string(sl_expr *e, char *err, size_t errcap)
{
	e->type = kind_type(SL_T_VARCHAR);
	return arg_is(e, SL_T_BITMAP, err, errcap);
}

static int type_hll_cardinality(sl_expr *e, char *err, size_t errcap)
{
	e->type = kind_type(SL_T_BIGINT);
	return arg_is(e, SL_T_HLL, err, errcap);
}

/* ------------------------------------------------------------------ */
/* values */

static void set_sketch(sl_value *out, int tkind, const char *p, size_t n)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_STRING;
	out->tkind = (uint8_t)tkind;
	out->u.s.p = p;
	out->u.s.n = n;
}

/* b's bytes copied into the arena as a sketch value. 1, -1 ENOMEM. */
static int set_from_buf(sl_eval_ctx *ctx, int tkind, const sl_buf *b, sl_value *out)
{
	char *p = sl_arena_alloc(ctx->arena, b->len ? b->len : 1);
	if (!p) return -1;
	if (b->len) memcpy(p, b->p, b->len);
	set_sketch(out, tkind, p, b->len);
	return 1;
}

static int set_bitmap_single(sl_eval_ctx *ctx, uint64_t v, sl_value *out)
{
	char *p = sl_arena_alloc(ctx->arena, 9);
	if (!p) return -1;
	p[0] = 1;                       /* the one-value form of bitmap.h */
	sl_u64_pack(p + 1, v);
	set_sketch(out, SL_T_BITMAP, p, 9);
	return 1;
}

static const char empty_sketch[1] = { 0 };  /* both types' empty form */

/* to_bitmap(x): integers 0..2^64-1 and their text; anything else (NULL,
 * negative, not a number) the empty bitmap */
static int ev_to_bitmap(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	uint64_t v;
	const char *s;
	size_t n;
	(void)e; (void)row;
	switch (a[0].kind) {
	case SL_V_NULL:
		break;
	case SL_V_INT:
		if (a[0].u.i >= 0) return set_bitmap_single(ctx, (uint64_t)a[0].u.i, out);
		break;
	case SL_V_LARGE:
		if (a[0].u.l >= 0 && a[0].u.l <= (__int128)UINT64_MAX) return set_bitmap_single(ctx, (uint64_t)a[0].u.l, out);
		break;
	default:
		if (sl_exprval_str(&a[0], ctx, &s, &n) < 0) return -1;
		if (sl_bitmap_parse_u64(s, n, &v)) return set_bitmap_single(ctx, v, out);
		break;
	}
	set_sketch(out, SL_T_BITMAP, empty_sketch, 1);
	return 1;
}

static int ev_empty(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	(void)row; (void)a; (void)ctx;
	set_sketch(out, e->type.kind, empty_sketch, 1);
	return 1;
}

/* bitmap_hash(x), hll_hash(x): of x's text; NULL gives the empty sketch */
static int ev_hash(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	const char *s;
	size_t n;
	(void)row;
	if (a[0].kind == SL_V_NULL) return ev_empty(e, row, a, ctx, out);
	if (sl_exprval_str(&a[0], ctx, &s, &n) < 0) return -1;
	if (e->op == F_BITMAP_HASH) return set_bitmap_single(ctx, sl_murmur3_32(s, n, SL_MURMUR3_32_SEED), out);
	{
		sl_buf b = SL_BUF_ZERO;
		int r = sl_hll_enc_hash(s, n, &b) < 0 ? -1 : set_from_buf(ctx, SL_T_HLL, &b, out);
		sl_buf_free(&b);
		return r;
	}
}

/* bitmap_from_string('1,2,3'): NULL when the text is not a list of
 * unsigned 64-bit integers */
static int ev_from_string(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	sl_bitmap *bm = sl_bitmap_new();
	sl_buf b = SL_BUF_ZERO;
	const char *s;
	size_t n;
	int r = bm ? 1 : -1;
	(void)e; (void)row;
	if (r > 0 && (r = sl_exprval_str(&a[0], ctx, &s, &n)) > 0)
		r = sl_bitmap_parse(bm, s, n);
	if (r > 0 && (r = sl_bitmap_encode(bm, &b)) > 0)
		r = set_from_buf(ctx, SL_T_BITMAP, &b, out);
	if (r == 0) sl_exprval_set_null(out);
	sl_bitmap_free(bm);
	sl_buf_free(&b);
	return r < 0 ? -1 : 1;
}

/* bitmap_count, hll_cardinality: 0 for NULL; NULL for a corrupt value */
static int ev_count(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	uint64_t c = 0;
	int64_t est = 0;
	int r = 1;
	(void)row; (void)ctx;
	if (a[0].kind == SL_V_NULL) return sl_exprval_set_int(out, 0, SL_T_BIGINT);
	if (e->op == F_BITMAP_COUNT) {
		r = sl_bitmap_enc_count(a[0].u.s.p, a[0].u.s.n, &c);
		est = (int64_t)c;
	} else r = sl_hll_enc_estimate(a[0].u.s.p, a[0].u.s.n, &est);
	if (r < 0 && errno == ENOMEM) return -1;
	if (r < 0) { sl_exprval_set_null(out); return 1; }
	return sl_exprval_set_int(out, est, SL_T_BIGINT);
}

static int ev_to_string(const sl_expr *e, const sl_value *row, const sl_value *a, sl_eval_ctx *ctx, sl_value *out)
{
	sl_buf b = SL_BUF_ZERO;
	int r;
	(void)e; (void)row;
	r = sl_bitmap_enc_text(a[0].u.s.p, a[0].u.s.n, &b);
	if (r > 0) {
		char *p = sl_arena_alloc(ctx->arena, b.len + 1);
		if (!p) r = -1;
		else {
			if (b.len) memcpy(p, b.p, b.len);
			sl_exprval_set_str(out, p, b.len);
		}
	} else if (errno == EPROTO) {
		sl_exprval_set_null(out);
		r = 1;
	}
	sl_buf_free(&b);
	return r;
}

#define STRICT 1
#define NULLS 2                 /* called with NULL arguments too */

static const struct sl_exprfunc_def fdefs[] = {
	{ "to_bitmap", F_TO_BITMAP, 1, 1, NULLS, type_make_bitmap, ev_to_bitmap },
	{ "bitmap_empty", F_BITMAP_EMPTY, 0, 0, NULLS, type_make_bitmap, ev_empty },
	{ "bitmap_from_string", F_BITMAP_FROM_STRING, 1, 1, STRICT, type_make_bitmap, ev_from_string },
	{ "bitmap_hash", F_BITMAP_HASH, 1, 1, NULLS, type_make_bitmap, ev_hash },
	{ "bitmap_count", F_BITMAP_COUNT, 1, 1, NULLS, type_bitmap_count, ev_count },
	{ "bitmap_to_string", F_BITMAP_TO_STRING, 1, 1, STRICT, type_bitmap_to_string, ev_to_string },
	{ "hll_hash", F_HLL_HASH, 1, 1, NULLS, type_make_hll, ev_hash },
	{ "hll_empty", F_HLL_EMPTY, 0, 0, NULLS, type_make_hll, ev_empty },
	{ "hll_cardinality", F_HLL_CARDINALITY, 1, 1, NULLS, type_hll_cardinality, ev_count },
};

const struct sl_exprfunc_def *sl_exprsketch_table(size_t *n)
{
	*n = SL_ARRAY_LEN(fdefs);
	return fdefs;
}

/* ------------------------------------------------------------------ */
/* binder checks */

static int check_operands(const sl_expr *e, char *err, size_t errcap)
{
	size_t i;
	for (i = 0; i < e->nargs; i++) {
		int k = e->args[i]->type.kind;
		if (!is_sketch(k)) continue;
		if (errcap)
			snprintf(err, errcap, "%s type dose not support operand: %.*s", k == SL_T_BITMAP ? "Bitmap" : "Hll",
			         (int)e->textn, e->text ? e->text : "");
		return 0;
	}
	return 1;
}

static int check_cast(const sl_expr *e, char *err, size_t errcap)
{
	sl_type from = e->args[0]->type;
	char a[SL_TYPE_FMT_MAX], b[SL_TYPE_FMT_MAX];
	if (from.kind == e->type.kind || from.kind == SL_T_NULL) return 1;
	if (!is_sketch(from.kind) && !is_sketch(e->type.kind)) return 1;
	sl_type_format(&from, a, sizeof a);
	sl_type_format(&e->type, b, sizeof b);
	if (errcap) snprintf(err, errcap, "can not cast from origin type %s to target type=%s", a, b);
	return 0;
}

static int check_agg(sl_expr *e, char *err, size_t errcap)
{
	int want = e->op == AG_BITMAP_UNION || e->op == AG_BITMAP_UNION_COUNT ? SL_T_BITMAP : SL_T_HLL;
	switch (e->op) {
	case AG_BITMAP_UNION: case AG_HLL_UNION: case AG_HLL_RAW_AGG:
		e->type = kind_type(want);
		break;
	case AG_BITMAP_UNION_COUNT: case AG_HLL_UNION_AGG:
		e->type = kind_type(SL_T_BIGINT);
		break;
	case AG_COUNT:
		return 1;
	default:
		if (e->nargs && is_sketch(e->args[0]->type.kind)) {
			if (errcap) snprintf(err, errcap, "%s", SL_ONLY_METRIC_TYPE_MSG);
			return 0;
		}
		return 1;
	}
	return arg_is(e, want, err, errcap);
}

int sl_exprsketch_check(sl_expr *e, char *err, size_t errcap)
{
	switch (e->kind) {
	case E_CMP: case E_IN: case E_BETWEEN: case E_LIKE: case E_ARITH: case E_NEG:
		return check_operands(e, err, errcap);
	case E_CAST:
		return check_cast(e, err, errcap);
	case E_AGG:
		return check_agg(e, err, errcap);
	default:
		return 1;
	}
}

/* ------------------------------------------------------------------ */
/* aggregates */

struct sk_state { sl_bitmap *bm; sl_hll *hll; sl_buf enc; };

int sl_exprsketch_agg_step(const sl_expr *call, sl_agg_state *st, const sl_value *v)
{
	struct sk_state *s = st->sketch;
	int bitmap = call->op == AG_BITMAP_UNION || call->op == AG_BITMAP_UNION_COUNT;
	if (v->kind != SL_V_STRING) return 1;   /* a bare NULL literal's type */
	if (!s) {
		if (!(s = calloc(1, sizeof *s))) { errno = ENOMEM; return -1; }
		st->sketch = s;
		if (bitmap ? !(s->bm = sl_bitmap_new()) : !(s->hll = sl_hll_new())) return -1;
	}
	st->has = 1;
	return bitmap ? sl_bitmap_or_enc(s->bm, v->u.s.p, v->u.s.n) : sl_hll_or_enc(s->hll, v->u.s.p, v->u.s.n);
}

void sl_exprsketch_agg_final(const sl_expr *call, const sl_agg_state *st, sl_value *out)
{
	struct sk_state *s = st->sketch;
	int r;
	switch (call->op) {
	case AG_BITMAP_UNION_COUNT:
		sl_exprval_set_int(out, s ? (int64_t)sl_bitmap_count(s->bm) : 0, SL_T_BIGINT);
		return;
	case AG_HLL_UNION_AGG:
		sl_exprval_set_int(out, s ? sl_hll_estimate(s->hll) : 0, SL_T_BIGINT);
		return;
	default:
		break;
	}
	if (!s) {                       /* no rows: the empty sketch */
		set_sketch(out, call->type.kind, empty_sketch, 1);
		return;
	}
	s->enc.len = 0;
	r = call->op == AG_BITMAP_UNION ? sl_bitmap_encode(s->bm, &s->enc) : sl_hll_encode(s->hll, &s->enc);
	if (r < 0) { sl_exprval_set_null(out); return; }
	set_sketch(out, call->type.kind, s->enc.p, s->enc.len);
}

void sl_exprsketch_agg_free(sl_agg_state *st)
{
	struct sk_state *s = st->sketch;
	if (!s) return;
	sl_bitmap_free(s->bm);
	sl_hll_free(s->hll);
	sl_buf_free(&s->enc);
	free(s);
	st->sketch = NULL;
}
