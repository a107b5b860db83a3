/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr.c -- the Doris expression engine's tree, its public entry points,
 * the evaluator with Doris's NULL rules, aggregates, and the per-row arena.
 * The parser (exprparse.c), binder (exprbind.c), values and arithmetic
 * (exprval.c), date/time core (exprtime.c) and built-in functions
 * (exprfunc.c) are modules of their own.
 *
 * Evaluation is per row in sl-map and sl-filter, so it never allocates
 * except from the caller's arena; strings made during evaluation live there
 * until sl_arena_reset.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "types.h"
#include "lex.h"
#include "expr.h"
#include "exprnode.h"
#include "exprparse.h"
#include "exprbind.h"
#include "exprval.h"
#include "expreval.h"
#include "exprsketch.h"


/* ------------------------------------------------------------------ */
/* the tree */

void sl_expr_free(sl_expr *e)
{
	sl_exprnode_free(e);
}

const char *sl_expr_text(const sl_expr *e, size_t *n)
{
	if (n) *n = e->textn;
	return e->text ? e->text : "";
}

const char *sl_expr_colname(const sl_expr *e, size_t *n)
{
	if (e->kind != E_COL) return NULL;
	if (n) *n = e->sbufn;
	return e->sbuf;
}

int sl_expr_each_col(const sl_expr *e, int (*fn)(void *ctx, const char *name, size_t n), void *ctx)
{
	size_t i;
	int r;

	if (!e)
		return 1;
	if (e->kind == E_COL)
		return fn(ctx, e->sbuf ? e->sbuf : "", e->sbufn);
	for (i = 0; i < e->nargs; i++)
		if ((r = sl_expr_each_col(e->args[i], fn, ctx)) != 1)
			return r;
	return 1;
}

sl_type sl_expr_type(const sl_expr *e) { return e->type; }

int sl_expr_has_aggs(const sl_expr *e)
{
	size_t i;
	if (e->kind == E_AGG) return 1;
	for (i = 0; i < e->nargs; i++)
		if (sl_expr_has_aggs(e->args[i])) return 1;
	return 0;
}

sl_expr *sl_expr_parse_lex(sl_lex *lx, char *err, size_t errcap)
{
	return sl_exprparse_run(lx, err, errcap);
}

sl_expr *sl_expr_parse(const char *s, size_t n, char *err, size_t errcap)
{
	sl_lex lx;
	sl_expr *e = NULL;
	if (n > SL_EXPR_TEXT_MAX) {
		if (errcap) snprintf(err, errcap, "expression is too long: %zu bytes, the limit is %d", n, SL_EXPR_TEXT_MAX);
		return NULL;
	}
	sl_lex_init(&lx, s, n);
	if (sl_lex_next(&lx) < 0) {
		if (errcap) snprintf(err, errcap, "%s", lx.err);
		goto out;
	}
	if (lx.tok.kind == SL_TOK_EOF) {
		if (errcap) snprintf(err, errcap, "syntax error at position %zu: empty expression", lx.tok.pos + 1);
		goto out;
	}
	e = sl_expr_parse_lex(&lx, err, errcap);
	if (e && lx.tok.kind != SL_TOK_EOF) {
		if (errcap)
			snprintf(err, errcap, "syntax error at position %zu near '%.*s'", lx.tok.pos + 1,
			         (int)(lx.tok.n > 40 ? 40 : lx.tok.n), lx.tok.p);
		sl_expr_free(e);
		e = NULL;
	}
out:
	sl_lex_free(&lx);
	return e;
}

int sl_expr_bind(sl_expr *e, const sl_expr_scope *sc, char *err, size_t errcap)
{
	return sl_exprbind_run(e, sc, err, errcap);
}

int sl_expr_collect_aggs(sl_expr *e, sl_agg_list *list)
{
	size_t i;
	if (e->kind == E_AGG) {
		if (list->n == list->cap) {
			size_t nc = list->cap ? list->cap * 2 : 8;
			sl_expr **n = realloc(list->calls, nc * sizeof *n);
			if (!n) { errno = ENOMEM; return -1; }
			list->calls = n;
			list->cap = nc;
		}
		e->agg_id = (int)list->n;
		list->calls[list->n++] = e;
		return 1;
	}
	for (i = 0; i < e->nargs; i++)
		if (sl_expr_collect_aggs(e->args[i], list) < 0) return -1;
	return 1;
}

int sl_expr_eval(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	return sl_expreval_eval(e, row, ctx, out);
}

/* ------------------------------------------------------------------ */
/* aggregates */

/* A small open-addressing set of byte strings, for count(DISTINCT x). */
struct dset { size_t n, cap; char **keys; size_t *lens; };

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < n; i++) { h ^= (unsigned char)p[i]; h *= 1099511628211ULL; }
	return h;
}

/* 1 inserted, 0 present, -1 ENOMEM. */
static int dset_add(struct dset *s, const char *p, size_t n)
{
	size_t i;
	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64, k;
		char **nk = calloc(nc, sizeof *nk);
		size_t *nl = calloc(nc, sizeof *nl);
		if (!nk || !nl) { free(nk); free(nl); errno = ENOMEM; return -1; }
		for (k = 0; k < s->cap; k++) {
			if (!s->keys[k]) continue;
			i = hash_bytes(s->keys[k], s->lens[k]) & (nc - 1);
			while (nk[i]) i = (i + 1) & (nc - 1);
			nk[i] = s->keys[k];
			nl[i] = s->lens[k];
		}
		free(s->keys);
		free(s->lens);
		s->keys = nk;
		s->lens = nl;
		s->cap = nc;
	}
	i = hash_bytes(p, n) & (s->cap - 1);
	while (s->keys[i]) {
		if (s->lens[i] == n && !memcmp(s->keys[i], p, n)) return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->keys[i] = malloc(n ? n : 1);
	if (!s->keys[i]) { errno = ENOMEM; return -1; }
	memcpy(s->keys[i], p, n);
	s->lens[i] = n;
	s->n++;
	return 1;
}

static void dset_free(struct dset *s)
{
	size_t i;
	if (!s) return;
	for (i = 0; i < s->cap; i++) free(s->keys[i]);
	free(s->keys);
	free(s->lens);
	free(s);
}

void sl_agg_init(const sl_expr *call, sl_agg_state *st)
{
	memset(st, 0, sizeof *st);
	st->kind = call->op;
}

/* Keep a copy of a string value in st->sbuf. */
static int agg_keep(sl_agg_state *st, const sl_value *v)
{
	st->v = *v;
	if (v->kind == SL_V_STRING) {
		if (v->u.s.n + 1 > st->scap) {
			size_t nc = v->u.s.n + 1 < 64 ? 64 : v->u.s.n + 1;
			char *n = realloc(st->sbuf, nc);
			if (!n) { errno = ENOMEM; return -1; }
			st->sbuf = n;
			st->scap = nc;
		}
		if (v->u.s.n) memcpy(st->sbuf, v->u.s.p, v->u.s.n);
		st->v.u.s.p = st->sbuf;
	}
	return 1;
}

int sl_agg_step(const sl_expr *call, sl_agg_state *st, const sl_value *row, sl_eval_ctx *ctx)
{
	sl_value v;
	int r;
	if (call->star) { st->count++; return 1; }
	if ((r = sl_expreval_eval(call->args[0], row, ctx, &v)) < 0) return r;
	if (v.kind == SL_V_NULL) return 1;
	if (call->op >= AG_BITMAP_UNION) return sl_exprsketch_agg_step(call, st, &v);
	switch (call->op) {
	case AG_COUNT:
		if (call->distinct) {
			char buf[SL_VALUE_FMT_MAX + 1], *key = buf;
			size_t n;
			if (v.kind == SL_V_STRING) {
				/* tag strings so '1' and 1 stay distinct only when types differ */
				if (!(key = sl_arena_alloc(ctx->arena, v.u.s.n + 1))) return -1;
				key[0] = 's';
				memcpy(key + 1, v.u.s.p, v.u.s.n);
				n = v.u.s.n + 1;
			} else {
				buf[0] = 'n';
				n = 1 + sl_value_fmt(&v, buf + 1);
			}
			if (!st->distinct && !(st->distinct = calloc(1, sizeof(struct dset)))) { errno = ENOMEM; return -1; }
			if ((r = dset_add(st->distinct, key, n)) < 0) return -1;
			if (r) st->count++;
		} else st->count++;
		return 1;
	case AG_SUM: case AG_AVG: {
		int kind = call->args[0]->type.kind;
		st->count++;
		st->has = 1;
		if (expr_is_int_kind(kind) && (v.kind == SL_V_INT || v.kind == SL_V_LARGE)) {
			__int128 x = v.kind == SL_V_INT ? v.u.i : v.u.l;
			st->sum_l = (__int128)((unsigned __int128)st->sum_l + (unsigned __int128)x);
		} else if (kind == SL_T_DECIMAL && v.kind == SL_V_DECIMAL) {
			__int128 x;
			if (!sl_exprval_rescale(v.u.l, v.scale, call->args[0]->type.scale, &x)) x = 0;
			st->sum_l += x;
		} else {
			double d;
			if (sl_exprval_double(&v, &d)) st->sum_d += d;
		}
		return 1;
	}
	case AG_MIN: case AG_MAX:
		if (!st->has || (call->op == AG_MIN ? sl_value_cmp(&v, &st->v) < 0 : sl_value_cmp(&v, &st->v) > 0)) {
			if (agg_keep(st, &v) < 0) return -1;
			st->has = 1;
		}
		return 1;
	}
	return 1;
}

void sl_agg_final(const sl_expr *call, const sl_agg_state *st, sl_value *out)
{
	int kind = call->nargs ? call->args[0]->type.kind : SL_T_NULL;
	memset(out, 0, sizeof *out);
	out->tkind = call->type.kind;
	if (call->op >= AG_BITMAP_UNION) { sl_exprsketch_agg_final(call, st, out); return; }
	switch (call->op) {
	case AG_COUNT:
		out->kind = SL_V_INT;
		out->u.i = st->count;
		return;
	case AG_SUM:
		if (!st->has) { out->kind = SL_V_NULL; return; }
		if (call->type.kind == SL_T_LARGEINT) { out->kind = SL_V_LARGE; out->u.l = st->sum_l; }
		else if (call->type.kind == SL_T_BIGINT) { out->kind = SL_V_INT; out->u.i = (int64_t)st->sum_l; }
		else if (call->type.kind == SL_T_DECIMAL) {
			out->kind = SL_V_DECIMAL; out->u.l = st->sum_l;
			out->scale = call->type.scale; out->prec = call->type.prec;
		} else { out->kind = SL_V_DOUBLE; out->u.d = st->sum_d; }
		return;
	case AG_AVG:
		if (!st->has || !st->count) { out->kind = SL_V_NULL; return; }
		if (call->type.kind == SL_T_DECIMAL) {
			__int128 n, q, rem, ac;
			int k = call->type.scale - call->args[0]->type.scale;
			if (!sl_exprval_rescale(st->sum_l, 0, k, &n)) { out->kind = SL_V_NULL; return; }
			q = n / st->count;
			rem = n % st->count;
			ac = rem < 0 ? -rem : rem;
			if (ac * 2 >= st->count) q += n < 0 ? -1 : 1;
			out->kind = SL_V_DECIMAL; out->u.l = q;
			out->scale = call->type.scale; out->prec = call->type.prec;
		} else {
			double s = expr_is_int_kind(kind) ? (double)st->sum_l : st->sum_d;
			out->kind = SL_V_DOUBLE;
			out->u.d = s / (double)st->count;
		}
		return;
	default:
		if (!st->has) { out->kind = SL_V_NULL; return; }
		*out = st->v;
		return;
	}
}

void sl_agg_free(sl_agg_state *st)
{
	free(st->sbuf);
	st->sbuf = NULL;
	st->scap = 0;
	dset_free(st->distinct);
	st->distinct = NULL;
	sl_exprsketch_agg_free(st);
}
