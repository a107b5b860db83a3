/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keyrange.c -- a column's literal values and range in a WHERE tree
 * (keyrange.h).
 */
#include <errno.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "cast.h"
#include "types.h"
#include "model.h"
#include "keyrange.h"

#define US_PER_DAY INT64_C(86400000000)

int sl_keyrange_lit(const sl_column *c, const sl_value *lit, sl_buf *txt, char *buf, sl_field *f)
{
	const sl_type *t = &c->type;
	sl_value v;
	const char *sp = 0;

	txt->len = 0;
	if (lit->kind == SL_V_NULL || sl_value_format(lit, txt) < 0 || !txt->len)
		return 0;
	if (expr_is_date_kind(t->kind)) {
		sl_type dt = { .kind = SL_T_DATETIME, .scale = 6 };
		int64_t unit = INT64_C(1);
		for (int i = t->scale; t->kind == SL_T_DATETIME && i < 6; i++)
			unit *= 10;
		if ((lit->kind != SL_V_STRING && lit->kind != SL_V_DATE && lit->kind != SL_V_DATETIME)
				|| sl_cast_text(&dt, txt->p, txt->len, &v) != 1)
			return 0;
		if (v.u.i % (t->kind == SL_T_DATE ? US_PER_DAY : unit))
			return 0;
		if (t->kind == SL_T_DATE) {
			v.kind = SL_V_DATE;
			v.u.i /= US_PER_DAY;
		}
		v.scale = t->scale;
	} else if (expr_is_int_kind(t->kind) && t->kind != SL_T_BOOLEAN) {
		size_t i = txt->p[0] == '-';
		if (lit->kind != SL_V_INT && lit->kind != SL_V_LARGE && lit->kind != SL_V_STRING)
			return 0;
		for (; i < txt->len; i++)
			if (txt->p[i] < '0' || txt->p[i] > '9')
				return 0;
		if (sl_cast_text(t, txt->p, txt->len, &v) != 1)
			return 0;
	} else if (expr_is_str_kind(t->kind) && lit->kind == SL_V_STRING) {
		v = *lit;
	} else
		return 0;
	f->n = sl_value_encode(t, &v, buf, &sp);
	f->p = sp ? sp : buf;
	return f->n != SL_NULL_LEN;
}

static int is_col(const sl_expr *e, long col) { return e && e->kind == E_COL && e->col == col; }
static int is_lit(const sl_expr *e) { return e && e->kind == E_LIT; }

/* Narrow one side to v (incl: v itself allowed) when v is tighter. */
static int narrow(const sl_type *t, sl_buf *b, int *has, int *incl, sl_field v, int vincl, int upper)
{
	if (*has) {
		int c = sl_model_cmp(t, v, (sl_field){ b->p, (uint32_t)b->len });
		if (upper ? c > 0 : c < 0)
			return 1;
		if (c == 0) {
			*incl = *incl && vincl;
			return 1;
		}
	}
	b->len = 0;
	if (sl_buf_put(b, v.p, v.n) < 0)
		return -1;
	*has = 1;
	*incl = vincl;
	return 1;
}

/* Add "column op lit" to kr. 1, -1 ENOMEM. */
static int add_cmp(const sl_column *c, sl_keyrange *kr, int op, const sl_value *lit)
{
	sl_buf txt = SL_BUF_ZERO;
	char buf[16];
	sl_field f;
	int r = 1;

	if (sl_keyrange_lit(c, lit, &txt, buf, &f) == 1) {
		const sl_type *t = &c->type;
		if (op == C_EQ || op == C_NSEQ || op == C_GT || op == C_GE)
			r = narrow(t, &kr->lo, &kr->has_lo, &kr->lo_incl, f, op != C_GT, 0);
		if (r > 0 && (op == C_EQ || op == C_NSEQ || op == C_LT || op == C_LE))
			r = narrow(t, &kr->hi, &kr->has_hi, &kr->hi_incl, f, op != C_LT, 1);
	}
	sl_buf_free(&txt);
	return r;
}

/* col IN (lits): [min, max] of the list, when every item is a literal
 * that is exactly a value of the column (else nothing). */
static int add_in(const sl_column *c, long col, sl_keyrange *kr, const sl_expr *e)
{
	sl_keyrange in = SL_KEYRANGE_ZERO;
	int r = 1;

	(void)col;
	for (size_t a = 1; a < e->nargs && r > 0; a++) {
		sl_buf txt = SL_BUF_ZERO;
		char buf[16];
		sl_field f;
		if (!is_lit(e->args[a]) || sl_keyrange_lit(c, &e->args[a]->lit, &txt, buf, &f) != 1) {
			sl_buf_free(&txt);
			sl_keyrange_free(&in);
			return 1;
		}
		/* widen: the smallest and the largest item */
		if (!in.has_lo || sl_model_cmp(&c->type, f, (sl_field){ in.lo.p, (uint32_t)in.lo.len }) < 0) {
			in.has_lo = 0;
			r = narrow(&c->type, &in.lo, &in.has_lo, &in.lo_incl, f, 1, 0);
		}
		if (r > 0 && (!in.has_hi || sl_model_cmp(&c->type, f, (sl_field){ in.hi.p, (uint32_t)in.hi.len }) > 0)) {
			in.has_hi = 0;
			r = narrow(&c->type, &in.hi, &in.has_hi, &in.hi_incl, f, 1, 1);
		}
		sl_buf_free(&txt);
	}
	if (r > 0 && in.has_lo)
		r = narrow(&c->type, &kr->lo, &kr->has_lo, &kr->lo_incl,
			(sl_field){ in.lo.p, (uint32_t)in.lo.len }, 1, 0);
	if (r > 0 && in.has_hi)
		r = narrow(&c->type, &kr->hi, &kr->has_hi, &kr->hi_incl,
			(sl_field){ in.hi.p, (uint32_t)in.hi.len }, 1, 1);
	sl_keyrange_free(&in);
	return r;
}

static int walk(const sl_column *c, long col, sl_keyrange *kr, const sl_expr *e)
{
	switch (e->kind) {
	case E_AND:
		if (e->nargs != 2)
			return 1;
		return walk(c, col, kr, e->args[0]) < 0 ? -1 : walk(c, col, kr, e->args[1]);
	case E_CMP: {
		static const int mirror[] = { [C_EQ] = C_EQ, [C_NE] = C_NE, [C_LT] = C_GT, [C_LE] = C_GE,
			[C_GT] = C_LT, [C_GE] = C_LE, [C_NSEQ] = C_NSEQ };
		if (e->nargs != 2 || e->op == C_NE)
			return 1;
		if (is_col(e->args[0], col) && is_lit(e->args[1]))
			return add_cmp(c, kr, e->op, &e->args[1]->lit);
		if (is_lit(e->args[0]) && is_col(e->args[1], col))
			return add_cmp(c, kr, mirror[e->op], &e->args[0]->lit);
		return 1;
	}
	case E_BETWEEN:
		if (e->neg || e->nargs != 3 || !is_col(e->args[0], col) || !is_lit(e->args[1]) ||
		    !is_lit(e->args[2]))
			return 1;
		return add_cmp(c, kr, C_GE, &e->args[1]->lit) < 0 ? -1 : add_cmp(c, kr, C_LE, &e->args[2]->lit);
	case E_IN:
		if (e->neg || e->nargs < 2 || !is_col(e->args[0], col))
			return 1;
		return add_in(c, col, kr, e);
	default:
		return 1;
	}
}

int sl_keyrange_of(const sl_schema *sch, long col, const sl_expr *where, sl_keyrange *kr)
{
	kr->has_lo = kr->has_hi = kr->lo_incl = kr->hi_incl = 0;
	kr->lo.len = kr->hi.len = 0;
	if (!where || col < 0 || (size_t)col >= sch->ncols)
		return 0;
	if (walk(&sch->cols[col], col, kr, where) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return kr->has_lo || kr->has_hi;
}

void sl_keyrange_free(sl_keyrange *kr)
{
	sl_buf_free(&kr->lo);
	sl_buf_free(&kr->hi);
}
