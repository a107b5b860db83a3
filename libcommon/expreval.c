/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expreval.c -- the evaluator: one walk over a bound tree per row, with
 * Doris's three-valued logic and NULL propagation. Built-in functions are
 * called through their table row, stored in the node by the parser.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"
#include "exprnode.h"
#include "exprval.h"
#include "expreval.h"

EXPR_NOINLINE static int like_match(const char *s, size_t sn, const char *p, size_t pn)
{
	size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
	while (si < sn) {
		if (pi < pn) {
			char c = p[pi];
			if (c == '%') { star_p = ++pi; star_s = si; continue; }
			if (c == '_') {
				size_t l = expr_utf8_len((unsigned char)s[si]);
				si += l > sn - si ? sn - si : l;
				pi++;
				continue;
			}
			if (c == '\\' && pi + 1 < pn) {
				if (s[si] == p[pi + 1]) { si++; pi += 2; continue; }
			} else if (s[si] == c) { si++; pi++; continue; }
		}
		if (star_p != (size_t)-1) {
			size_t l = expr_utf8_len((unsigned char)s[star_s]);
			star_s += l > sn - star_s ? sn - star_s : l;
			si = star_s;
			pi = star_p;
			continue;
		}
		return 0;
	}
	while (pi < pn && p[pi] == '%') pi++;
	return pi == pn;
}

/* x <op> y from a three-way comparison c */
static inline int cmp_holds(int op, int c)
{
	switch (op) {
	case C_EQ: return c == 0;
	case C_NE: return c != 0;
	case C_LT: return c < 0;
	case C_LE: return c <= 0;
	case C_GT: return c > 0;
	default: return c >= 0;
	}
}

/* sl_exprval_cmp, two strings compared without ASCII case when ctx says so */
static int cmp_ctx(const sl_eval_ctx *ctx, const sl_value *a, const sl_value *b, int *c)
{
	if (ctx->fold_case && a->kind == SL_V_STRING && b->kind == SL_V_STRING) {
		size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		int d = n ? strncasecmp(a->u.s.p, b->u.s.p, n) : 0;
		*c = d ? (d < 0 ? -1 : 1) : a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
		return 1;
	}
	return sl_exprval_cmp(a, b, c);
}

static int eval_cmp(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a, b;
	int r, c;
	if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
	if ((r = sl_expreval_eval(e->args[1], row, ctx, &b)) < 0) return r;
	if (e->op == C_NSEQ) {
		if (a.kind == SL_V_NULL || b.kind == SL_V_NULL) {
			sl_exprval_set_bool(out, a.kind == SL_V_NULL && b.kind == SL_V_NULL);
			return 1;
		}
		sl_exprval_set_bool(out, cmp_ctx(ctx, &a, &b, &c) ? c == 0 : 0);
		return 1;
	}
	if (a.kind == SL_V_NULL || b.kind == SL_V_NULL || !cmp_ctx(ctx, &a, &b, &c)) { sl_exprval_set_bool(out, -1); return 1; }
	sl_exprval_set_bool(out, cmp_holds(e->op, c));
	return 1;
}

static int eval_in(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a, b;
	int seen_null = 0, c, r;
	size_t i;
	if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
	if (a.kind == SL_V_NULL) { sl_exprval_set_bool(out, -1); return 1; }
	for (i = 1; i < e->nargs; i++) {
		if ((r = sl_expreval_eval(e->args[i], row, ctx, &b)) < 0) return r;
		if (b.kind == SL_V_NULL || !cmp_ctx(ctx, &a, &b, &c)) { seen_null = 1; continue; }
		if (c == 0) { sl_exprval_set_bool(out, !e->neg); return 1; }
	}
	sl_exprval_set_bool(out, seen_null ? -1 : e->neg);
	return 1;
}

static int eval_between(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a, lo, hi;
	int c1 = 0, c2 = 0, t1, t2, t, r;
	if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
	if ((r = sl_expreval_eval(e->args[1], row, ctx, &lo)) < 0) return r;
	if ((r = sl_expreval_eval(e->args[2], row, ctx, &hi)) < 0) return r;
	t1 = (a.kind == SL_V_NULL || lo.kind == SL_V_NULL || !sl_exprval_cmp(&a, &lo, &c1)) ? -1 : c1 >= 0;
	t2 = (a.kind == SL_V_NULL || hi.kind == SL_V_NULL || !sl_exprval_cmp(&a, &hi, &c2)) ? -1 : c2 <= 0;
	t = (t1 == 0 || t2 == 0) ? 0 : (t1 < 0 || t2 < 0) ? -1 : 1;
	if (e->neg && t >= 0) t = !t;
	sl_exprval_set_bool(out, t);
	return 1;
}

static int eval_like(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a, b;
	const char *s, *p; size_t sn, pn;
	int r;
	if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
	if ((r = sl_expreval_eval(e->args[1], row, ctx, &b)) < 0) return r;
	if (a.kind == SL_V_NULL || b.kind == SL_V_NULL) { sl_exprval_set_bool(out, -1); return 1; }
	if (sl_exprval_str(&a, ctx, &s, &sn) < 0 || sl_exprval_str(&b, ctx, &p, &pn) < 0) return -1;
	sl_exprval_set_bool(out, like_match(s, sn, p, pn) != e->neg);
	return 1;
}

static int eval_case(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a, b;
	size_t k = 0;
	int r;
	if (e->has_operand) {
		if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
		k = 1;
	}
	for (; k + 1 < e->nargs || (k + 1 == e->nargs && !e->has_else); k += 2) {
		int hit;
		if (k + 1 >= e->nargs) break;
		if ((r = sl_expreval_eval(e->args[k], row, ctx, &b)) < 0) return r;
		if (e->has_operand) {
			int c;
			hit = a.kind != SL_V_NULL && b.kind != SL_V_NULL && sl_exprval_cmp(&a, &b, &c) && c == 0;
		} else hit = sl_exprval_tri(&b) == 1;
		if (hit) {
			if ((r = sl_expreval_eval(e->args[k + 1], row, ctx, out)) < 0) return r;
			return sl_exprval_conform(e, out, ctx);
		}
	}
	if (e->has_else) {
		if ((r = sl_expreval_eval(e->args[e->nargs - 1], row, ctx, out)) < 0) return r;
		return sl_exprval_conform(e, out, ctx);
	}
	sl_exprval_set_null(out);
	out->tkind = e->type.kind;
	return 1;
}

static int eval_cast(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a;
	int r;
	if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
	if (!sl_value_cast(&a, &e->type, ctx->arena, out) && expr_is_str_kind(e->type.kind)) {
		errno = ENOMEM;
		return -1;
	}
	return 1;
}

/* A strict built-in function through its table row: its first three
 * arguments are evaluated here, and it is not called when one is NULL. */
EXPR_NOINLINE static int eval_call(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	const struct sl_exprfunc_def *d = e->fdef;
	sl_value a[3];
	size_t i;
	int r;
	for (i = 0; i < e->nargs && i < 3; i++) {
		if ((r = sl_expreval_eval(e->args[i], row, ctx, &a[i])) < 0) return r;
		if (a[i].kind == SL_V_NULL && d->strict == 1) {
			sl_exprval_set_null(out);
			out->tkind = e->type.kind;
			return 1;
		}
	}
	return d->eval(e, row, a, ctx, out);
}

int sl_expreval_eval(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a, b;
	int r, x, y;

	switch (e->kind) {
	case E_LIT:
		*out = e->lit;
		return 1;
	case E_COL:
		*out = row[e->col];
		return 1;
	case E_NEG:
		if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
		if (a.kind == SL_V_NULL) { sl_exprval_set_null(out); return 1; }
		return sl_exprval_neg(e, &a, out);
	case E_NOT:
		if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
		x = sl_exprval_tri(&a);
		sl_exprval_set_bool(out, x < 0 ? -1 : !x);
		return 1;
	case E_AND:
		if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
		x = sl_exprval_tri(&a);
		if (x == 0) { sl_exprval_set_bool(out, 0); return 1; }
		if ((r = sl_expreval_eval(e->args[1], row, ctx, &b)) < 0) return r;
		y = sl_exprval_tri(&b);
		sl_exprval_set_bool(out, y == 0 ? 0 : (x < 0 || y < 0) ? -1 : 1);
		return 1;
	case E_OR:
		if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
		x = sl_exprval_tri(&a);
		if (x == 1) { sl_exprval_set_bool(out, 1); return 1; }
		if ((r = sl_expreval_eval(e->args[1], row, ctx, &b)) < 0) return r;
		y = sl_exprval_tri(&b);
		sl_exprval_set_bool(out, y == 1 ? 1 : (x < 0 || y < 0) ? -1 : 0);
		return 1;
	case E_CMP: return eval_cmp(e, row, ctx, out);
	case E_ARITH:
		if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
		if (a.kind == SL_V_NULL) { sl_exprval_set_null(out); out->tkind = e->type.kind; return 1; }
		if ((r = sl_expreval_eval(e->args[1], row, ctx, &b)) < 0) return r;
		if (b.kind == SL_V_NULL) { sl_exprval_set_null(out); out->tkind = e->type.kind; return 1; }
		return sl_exprval_arith(e, &a, &b, out);
	case E_ISNULL:
		if ((r = sl_expreval_eval(e->args[0], row, ctx, &a)) < 0) return r;
		sl_exprval_set_bool(out, (a.kind == SL_V_NULL) != e->neg);
		return 1;
	case E_IN: return eval_in(e, row, ctx, out);
	case E_BETWEEN: return eval_between(e, row, ctx, out);
	case E_LIKE: return eval_like(e, row, ctx, out);
	case E_CASE: return eval_case(e, row, ctx, out);
	case E_CAST: return eval_cast(e, row, ctx, out);
	case E_FUNC:
		if (!e->fdef->strict) return e->fdef->eval(e, row, NULL, ctx, out);
		return eval_call(e, row, ctx, out);
	case E_AGG:
		if (!ctx->aggs || e->agg_id < 0) { sl_exprval_set_null(out); return 1; }
		*out = ctx->aggs[e->agg_id];
		return 1;
	}
	sl_exprval_set_null(out);
	return 1;
}
