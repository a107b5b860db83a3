/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partprune.c -- which partitions a bound WHERE tree can match (every one
 * it cannot rule out is kept: pruning never changes a result), and
 * Doris's display of partition bounds (SHOW PARTITIONS' Range, the
 * overlap messages).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "cast.h"
#include "exprnode.h"
#include "model.h"
#include "keyrange.h"
#include "partint.h"

/* ---- Doris's display ---- */

/* The key Doris shows for a column's minimum (MIN padding, LESS THAN's
 * first lower bound). */
static const char *min_text(const sl_type *t)
{
	switch (t->kind) {
	case SL_T_TINYINT: return "-128";
	case SL_T_SMALLINT: return "-32768";
	case SL_T_INT: return "-2147483648";
	case SL_T_BIGINT: return "-9223372036854775808";
	case SL_T_LARGEINT: return "-170141183460469231731687303715884105728";
	case SL_T_DATE: return "0000-01-01";
	case SL_T_DATETIME: return "0000-01-01 00:00:00";
	default: return "";
	}
}

int sl_pkey_text(const sl_partset *ps, const sl_pkey *k, sl_buf *out)
{
	if (sl_buf_puts(out, "types: [") < 0)
		return -1;
	for (size_t i = 0; i < ps->nc; i++) {
		char tb[SL_TYPE_FMT_MAX], *paren;
		sl_type_format_upper(&ps->sch->cols[ps->sc->cols[i]].type, tb, sizeof tb);
		if ((paren = strchr(tb, '(')))
			*paren = 0;
		if (sl_buf_printf(out, "%s%s", i ? ", " : "", tb) < 0)
			return -1;
	}
	if (sl_buf_puts(out, "]; keys: [") < 0)
		return -1;
	for (size_t i = 0; i < ps->nc; i++) {
		const sl_type *t = &ps->sch->cols[ps->sc->cols[i]].type;
		if (i && sl_buf_puts(out, ", ") < 0)
			return -1;
		if (k[i].inf ? sl_buf_puts(out, k[i].inf == PK_MAX ? "MAXVALUE" : min_text(t)) < 0
				: sl_pkey_value_text(t, k[i].f, out) < 0)
			return -1;
	}
	return sl_buf_puts(out, "]; ") < 0 ? -1 : 1;
}

int sl_partrange_text(const sl_partset *ps, const sl_ppart *p, sl_buf *out)
{
	if (sl_buf_putc(out, '[') < 0 || sl_pkey_text(ps, p->k, out) < 0 || sl_buf_puts(out, "..") < 0
			|| sl_pkey_text(ps, p->k + ps->nc, out) < 0 || sl_buf_putc(out, ')') < 0)
		return -1;
	return 1;
}

int sl_partset_range_text(const sl_partset *ps, size_t i, sl_buf *out)
{
	const sl_ppart *p = &ps->p[i];

	if (ps->sc->kind == SL_PART_RANGE)
		return sl_partrange_text(ps, p, out) < 0 ? (errno = ENOMEM, -1) : 1;
	if (ps->sc->kind != SL_PART_LIST)
		return 1;
	if (sl_buf_putc(out, '[') < 0)
		goto nomem;
	for (size_t t = 0; t < p->ntup; t++)
		if ((t && sl_buf_puts(out, ", ") < 0) || sl_pkey_text(ps, p->k + t * ps->nc, out) < 0)
			goto nomem;
	if (sl_buf_putc(out, ']') < 0)
		goto nomem;
	return 1;
nomem:
	errno = ENOMEM;
	return -1;
}

/* ---- pruning ---- */


/* a op b for a compare result r. */
static int holds(int op, int r)
{
	switch (op) {
	case C_EQ: case C_NSEQ: return r == 0;
	case C_NE: return r != 0;
	case C_LT: return r < 0;
	case C_LE: return r <= 0;
	case C_GT: return r > 0;
	default: return r >= 0;
	}
}

/* Compare key k (a bound) with value f of its column. */
static int kcmp(const sl_type *t, const sl_pkey *k, sl_field f)
{
	return k->inf ? k->inf : sl_model_cmp(t, k->f, f);
}

/* May a row of partition i have column col `op` the literal? */
static int may_cmp(const sl_partset *ps, size_t i, long col, int op, const sl_value *lit)
{
	const sl_ppart *p = &ps->p[i];
	size_t j = 0;
	const sl_column *c;
	sl_buf txt = SL_BUF_ZERO;
	char buf[16];
	sl_field f;
	int r = 1;

	while (j < ps->nc && ps->sc->cols[j] != col)
		j++;
	if (j == ps->nc || op == C_NE || (ps->sc->kind == SL_PART_RANGE && j))
		return 1;
	c = &ps->sch->cols[col];
	if (!sl_keyrange_lit(c, lit, &txt, buf, &f))
		goto out;
	if (ps->sc->kind == SL_PART_RANGE) {
		/* column 0 of the partition lies in [lo, hi), or [lo, hi] when
		 * the upper bound has more than the minimum after it */
		int lo = kcmp(&c->type, &p->k[0], f), hi = kcmp(&c->type, &p->k[ps->nc], f);
		int open = 1;
		for (size_t m = 1; m < ps->nc; m++)
			open &= p->k[ps->nc + m].inf == PK_MIN;
		switch (op) {
		case C_EQ: case C_NSEQ: r = lo <= 0 && (open ? hi > 0 : hi >= 0); break;
		case C_LT: r = lo < 0; break;
		case C_LE: r = lo <= 0; break;
		case C_GT: r = hi > 0; break;
		default: r = open ? hi > 0 : hi >= 0; break;
		}
		goto out;
	}
	r = 0;
	for (size_t u = 0; u < p->ntup && !r; u++) {
		const sl_pkey *k = &p->k[u * ps->nc + j];
		r = k->f.n != SL_NULL_LEN && holds(op, sl_model_cmp(&c->type, k->f, f));
	}
out:
	sl_buf_free(&txt);
	return r;
}

static int is_col(const sl_expr *e) { return e && e->kind == E_COL; }
static int is_lit(const sl_expr *e) { return e && e->kind == E_LIT; }

static int negate_op(int op)
{
	static const int neg[] = { [C_EQ] = C_NE, [C_NE] = C_EQ, [C_LT] = C_GE, [C_LE] = C_GT,
		[C_GT] = C_LE, [C_GE] = C_LT, [C_NSEQ] = C_NE };
	return neg[op];
}

static int mirror_op(int op)
{
	return op == C_LT ? C_GT : op == C_GT ? C_LT : op == C_LE ? C_GE : op == C_GE ? C_LE : op;
}

/* May e (its negation when neg) be true for a row of partition i? Three-
 * valued logic: NOT (x < 5) holds only where x >= 5, so a negation pushed
 * to the leaves never drops a partition that can match. */
static int may(const sl_partset *ps, size_t i, const sl_expr *e, int neg)
{
	switch (e->kind) {
	case E_AND:
	case E_OR:
		if (e->nargs != 2)
			return 1;
		if ((e->kind == E_AND) != neg)
			return may(ps, i, e->args[0], neg) && may(ps, i, e->args[1], neg);
		return may(ps, i, e->args[0], neg) || may(ps, i, e->args[1], neg);
	case E_NOT:
		return e->nargs != 1 || may(ps, i, e->args[0], !neg);
	case E_CMP: {
		int op = e->op;
		if (e->nargs != 2 || (op == C_NSEQ && neg))
			return 1;
		if (neg)
			op = negate_op(op);
		if (is_col(e->args[0]) && is_lit(e->args[1]))
			return may_cmp(ps, i, e->args[0]->col, op, &e->args[1]->lit);
		if (is_lit(e->args[0]) && is_col(e->args[1]))
			return may_cmp(ps, i, e->args[1]->col, mirror_op(op), &e->args[0]->lit);
		return 1;
	}
	case E_IN:
		if (neg != !!e->neg || e->nargs < 2 || !is_col(e->args[0]))
			return 1;
		for (size_t a = 1; a < e->nargs; a++)
			if (!is_lit(e->args[a]) || may_cmp(ps, i, e->args[0]->col, C_EQ, &e->args[a]->lit))
				return 1;
		return 0;
	case E_BETWEEN: {
		int out = neg != !!e->neg;
		long col;
		if (e->nargs != 3 || !is_col(e->args[0]) || !is_lit(e->args[1]) || !is_lit(e->args[2]))
			return 1;
		col = e->args[0]->col;
		if (out)
			return may_cmp(ps, i, col, C_LT, &e->args[1]->lit) || may_cmp(ps, i, col, C_GT, &e->args[2]->lit);
		return may_cmp(ps, i, col, C_GE, &e->args[1]->lit) && may_cmp(ps, i, col, C_LE, &e->args[2]->lit);
	}
	default:
		return 1;
	}
}

int sl_partset_prune(const sl_partset *ps, const struct sl_expr *where, unsigned char *keep)
{
	for (size_t i = 0; i < ps->n; i++)
		keep[i] = !where || !ps->sc->kind || may(ps, i, where, 0);
	return 1;
}

int sl_partset_cmp(const sl_partset *ps, size_t i, size_t j)
{
	const sl_ppart *a = &ps->p[i], *b = &ps->p[j];
	int c = ps->sc->kind == SL_PART_RANGE ? sl_pkey_cmp(ps, a->k, b->k) : 0;

	return c ? c : (a->info.id > b->info.id) - (a->info.id < b->info.id);
}
