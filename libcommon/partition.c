/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partition.c -- the text of partitions, without a schema: the PARTITION
 * BY clause of CREATE TABLE as written, one partition clause
 * ("PARTITION p VALUES LESS THAN (...)", "VALUES [(...), (...))",
 * "VALUES IN (...)") or the store's canonical VALUES text parsed into
 * tuples of values as text, and the canonical quoting. The typed side
 * (bounds, routing, pruning) is partmap.c and partprune.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io.h"
#include "lex.h"
#include "partition.h"

/* The state of one parse: the lexer and the first error. */
typedef struct pparse {
	sl_lex *lx;
	char *err;
	size_t errcap;
	int bad;
	int nomem;
	size_t base;            /* offset of the text in the statement, for positions */
} pparse;

__attribute__((format(printf, 2, 3)))
static int perr(pparse *pp, const char *fmt, ...)
{
	va_list ap;

	if (pp->bad++)
		return 0;
	if (pp->errcap) {
		va_start(ap, fmt);
		vsnprintf(pp->err, pp->errcap, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static int oom(pparse *pp)
{
	pp->nomem = 1;
	return perr(pp, "out of memory");
}

/* A syntax error at the current token. */
static int psyntax(pparse *pp, const char *what)
{
	const sl_tok *t = &pp->lx->tok;

	if (t->kind == SL_TOK_EOF)
		return perr(pp, "syntax error at end of input: %s", what);
	return perr(pp, "syntax error at position %zu near '%.*s': %s", pp->base + t->pos + 1,
		(int)(t->n > 40 ? 40 : t->n), t->p, what);
}

static int padv(pparse *pp)
{
	if (sl_lex_next(pp->lx) < 0)
		return perr(pp, "%s", pp->lx->err);
	return 1;
}

static int pkw(pparse *pp, const char *kw) { return sl_lex_kw(pp->lx, kw); }
static int pop(pparse *pp, const char *op) { return sl_lex_op(pp->lx, op); }

/* The current token must be kw (an identifier) or op (punctuation). */
static int pwant(pparse *pp, const char *word, int is_op)
{
	char what[48];

	if (is_op ? pop(pp, word) : pkw(pp, word))
		return padv(pp);
	snprintf(what, sizeof what, is_op ? "expected '%s'" : "expected %s", word);
	return psyntax(pp, what);
}

/* The current identifier, bare or `quoted`, copied. */
static char *pident(pparse *pp, const char *what)
{
	const sl_tok *t = &pp->lx->tok;
	char *s;

	if (t->kind == SL_TOK_IDENT)
		s = strndup(t->p, t->n);
	else if (t->kind == SL_TOK_QIDENT && t->strn)
		s = strndup(t->str, t->strn);
	else {
		psyntax(pp, what);
		return 0;
	}
	if (!s) {
		oom(pp);
		return 0;
	}
	if (!padv(pp)) {
		free(s);
		return 0;
	}
	return s;
}

static int push_str(pparse *pp, char ***v, size_t *n, char *s)
{
	char **p;

	if (!s)
		return oom(pp);
	p = realloc(*v, (*n + 1) * sizeof *p);
	if (!p) {
		free(s);
		return oom(pp);
	}
	p[(*n)++] = s;
	*v = p;
	return 1;
}

/* ---- one clause / a VALUES text ---- */

static int add_val(pparse *pp, sl_pclause *c, int kind, const char *s, size_t n)
{
	sl_pval *p = realloc(c->v, (c->nv + 1) * sizeof *p);

	if (!p)
		return oom(pp);
	c->v = p;
	p += c->nv;
	memset(p, 0, sizeof *p);
	p->kind = kind;
	if (kind == SL_PV_VALUE) {
		if (!(p->s = malloc(n + 1)))
			return oom(pp);
		memcpy(p->s, s, n);
		p->s[n] = 0;
		p->n = n;
	}
	c->nv++;
	return 1;
}

/* Close the tuple that began at value index `from`. */
static int end_tuple(pparse *pp, sl_pclause *c)
{
	size_t *o = realloc(c->off, (c->ntup + 2) * sizeof *o);

	if (!o)
		return oom(pp);
	c->off = o;
	if (!c->ntup)
		o[0] = 0;
	o[++c->ntup] = c->nv;
	return 1;
}

/* One value: "text", 'text', 12, -3.5, NULL, MAXVALUE, MINVALUE. */
static int pvalue(pparse *pp, sl_pclause *c)
{
	const sl_tok *t = &pp->lx->tok;
	char num[80];

	if (t->kind == SL_TOK_STRING) {
		/* the store keeps VALUES texts as C strings */
		if (t->strn && memchr(t->str, 0, t->strn))
			return perr(pp, "A partition value may not hold a NUL byte (at position %zu)", pp->base + t->pos + 1);
		if (!add_val(pp, c, SL_PV_VALUE, t->str ? t->str : "", t->strn))
			return 0;
		return padv(pp);
	}
	if (pkw(pp, "NULL") || pkw(pp, "MAXVALUE") || pkw(pp, "MINVALUE")) {
		if (!add_val(pp, c, pkw(pp, "NULL") ? SL_PV_NULL : pkw(pp, "MAXVALUE") ? SL_PV_MAX : SL_PV_MIN, 0, 0))
			return 0;
		return padv(pp);
	}
	num[0] = 0;
	if (pop(pp, "-") || pop(pp, "+")) {
		num[0] = *t->p == '-' ? '-' : 0;
		num[1] = 0;
		if (!padv(pp))
			return 0;
	}
	if ((t->kind != SL_TOK_INT && t->kind != SL_TOK_NUMBER) || t->n > sizeof num - 2)
		return psyntax(pp, "expected a partition value");
	snprintf(num + strlen(num), sizeof num - strlen(num), "%.*s", (int)t->n, t->p);
	if (!add_val(pp, c, SL_PV_VALUE, num, strlen(num)))
		return 0;
	return padv(pp);
}

/* ( value, ... ) */
static int ptuple(pparse *pp, sl_pclause *c)
{
	if (!pwant(pp, "(", 1))
		return 0;
	for (;;) {
		if (!pvalue(pp, c))
			return 0;
		if (!pop(pp, ","))
			break;
		if (!padv(pp))
			return 0;
	}
	return pwant(pp, ")", 1) && end_tuple(pp, c);
}

/* IN ( value, ... ) or IN ( (tuple), ... ) */
static int plist(pparse *pp, sl_pclause *c)
{
	c->kind = SL_PART_LIST;
	if (!pwant(pp, "(", 1))
		return 0;
	for (;;) {
		if (pop(pp, "(")) {
			if (!ptuple(pp, c))
				return 0;
		} else if (!pvalue(pp, c) || !end_tuple(pp, c))
			return 0;
		if (!pop(pp, ","))
			break;
		if (!padv(pp))
			return 0;
	}
	return pwant(pp, ")", 1);
}

static int pvalues(pparse *pp, sl_pclause *c)
{
	if (!pwant(pp, "VALUES", 0))
		return 0;
	if (pkw(pp, "IN"))
		return padv(pp) && plist(pp, c);
	c->kind = SL_PART_RANGE;
	if (pkw(pp, "LESS")) {
		c->less_than = 1;
		if (!padv(pp) || !pwant(pp, "THAN", 0))
			return 0;
		if (pkw(pp, "MAXVALUE"))
			return add_val(pp, c, SL_PV_MAX, 0, 0) && end_tuple(pp, c) && padv(pp);
		return ptuple(pp, c);
	}
	if (!pop(pp, "["))
		return psyntax(pp, "expected LESS THAN, '[' or IN");
	return padv(pp) && ptuple(pp, c) && pwant(pp, ",", 1) && ptuple(pp, c) && pwant(pp, ")", 1);
}

static int pclause(pparse *pp, sl_pclause *c)
{
	if (!padv(pp))
		return 0;
	if (pkw(pp, "PARTITION")) {
		if (!padv(pp))
			return 0;
		if (pkw(pp, "IF")) {
			if (!padv(pp) || !pwant(pp, "NOT", 0) || !pwant(pp, "EXISTS", 0))
				return 0;
			c->if_not_exists = 1;
		}
		if (!(c->name = pident(pp, "expected a partition name")))
			return 0;
		/* Doris's FeNameFormat: a letter, then letters, digits and '_' */
		if (strspn(c->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(c->name)
				|| !((c->name[0] | 32) >= 'a' && (c->name[0] | 32) <= 'z') || strlen(c->name) > 64)
			return perr(pp, "Incorrect partition name '%s'", c->name);
	}
	if (!pvalues(pp, c))
		return 0;
	if (pop(pp, "("))
		return perr(pp, "partition properties are not supported yet (at position %zu)", pp->base + pp->lx->tok.pos + 1);
	if (pp->lx->tok.kind != SL_TOK_EOF)
		return psyntax(pp, "expected the end of the partition clause");
	if (c->kind == SL_PART_RANGE)
		for (size_t i = 0; i < c->nv; i++)
			if (c->v[i].kind == SL_PV_NULL)
				return perr(pp, "Can not use NULL as a RANGE partition value");
	return 1;
}

/* A clause that starts at byte base of a statement (positions in
 * messages are the statement's). */
static int pclause_at(const char *s, size_t n, size_t base, sl_pclause *c, char *err, size_t errcap)
{
	sl_lex lx;
	pparse pp = { .lx = &lx, .err = err, .errcap = errcap, .base = base };
	int ok;

	memset(c, 0, sizeof *c);
	if (errcap)
		err[0] = 0;
	sl_lex_init(&lx, s, n);
	ok = pclause(&pp, c);
	sl_lex_free(&lx);
	if (ok)
		return 1;
	sl_pclause_free(c);
	if (pp.nomem) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int sl_pclause_parse(const char *s, size_t n, sl_pclause *c, char *err, size_t errcap)
{
	return pclause_at(s, n, 0, c, err, errcap);
}

void sl_pclause_free(sl_pclause *c)
{
	for (size_t i = 0; i < c->nv; i++)
		free(c->v[i].s);
	free(c->v);
	free(c->off);
	free(c->name);
	memset(c, 0, sizeof *c);
}

int sl_part_quote(sl_buf *out, const char *s, size_t n)
{
	if (sl_buf_putc(out, '"') < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (((s[i] == '"' || s[i] == '\\') && sl_buf_putc(out, '\\') < 0) || sl_buf_putc(out, s[i]) < 0)
			return -1;
	return sl_buf_putc(out, '"') < 0 ? -1 : 1;
}

/* ---- PARTITION BY ---- */

static const char *const auto_units[] = { "day", "week", "month", "year" };

/* AUTO RANGE's (date_trunc(`col`, 'unit')), lx after the '('. */
static int pauto_range(pparse *pp, sl_partby *pb)
{
	const sl_tok *t = &pp->lx->tok;
	size_t at = t->pos;
	char *fn;

	if (!(fn = pident(pp, "expected date_trunc(column, 'unit')")))
		return 0;
	if (!pop(pp, "(")) {
		free(fn);
		return perr(pp, "auto create partition only support date_trunc function of RANGE partition");
	}
	if (strcasecmp(fn, "date_trunc")) {
		int known = !strcasecmp(fn, "date_floor") || !strcasecmp(fn, "date_ceil");
		perr(pp, known ? "AUTO PARTITION BY RANGE (%s(...)) is not supported yet (at position %zu)"
			: "auto create partition only support function call expr is date_trunc/date_floor/date_ceil. %s(...) (at position %zu)",
			fn, at + 1);
		free(fn);
		return 0;
	}
	free(fn);
	if (!padv(pp) || !push_str(pp, &pb->names, &pb->nnames, pident(pp, "expected a column name")))
		return 0;
	if (!pwant(pp, ",", 1))
		return 0;
	if (t->kind != SL_TOK_STRING)
		return perr(pp, "auto create partition only support one slotRef in function expr");
	for (size_t i = 0; i < sizeof auto_units / sizeof *auto_units; i++)
		if (t->strn == strlen(auto_units[i]) && !strncasecmp(t->str, auto_units[i], t->strn))
			strcpy(pb->unit, auto_units[i]);
	if (!pb->unit[0]) {
		static const char *const later[] = { "quarter", "hour", "minute", "second" };
		for (size_t i = 0; i < sizeof later / sizeof *later; i++)
			if (t->strn == strlen(later[i]) && !strncasecmp(t->str, later[i], t->strn))
				return perr(pp, "date_trunc unit '%s' in AUTO PARTITION is not supported yet (at position %zu)",
					later[i], t->pos + 1);
		return perr(pp, "partition expr date_trunc is illegal! unit '%.*s' (at position %zu)",
			(int)(t->strn > 40 ? 40 : t->strn), t->str, t->pos + 1);
	}
	if (!padv(pp))
		return 0;
	if (!pop(pp, ")"))
		return perr(pp, "auto create partition only support one slotRef in function expr");
	return padv(pp) && pwant(pp, ")", 1);
}

/* The partition list "( clause, ... )": each clause's text kept as written. */
static int pclauses(pparse *pp, sl_partby *pb)
{
	const sl_tok *t = &pp->lx->tok;

	if (!pwant(pp, "(", 1))
		return 0;
	if (pop(pp, ")"))
		return padv(pp);
	for (;;) {
		size_t start = t->pos, end = start;
		int depth = 0;
		sl_pclause c;
		char *s;
		int r;

		while (t->kind != SL_TOK_EOF && (depth > 0 || (!pop(pp, ",") && !pop(pp, ")")))) {
			depth += pop(pp, "(") || pop(pp, "[") ? 1 : pop(pp, ")") || pop(pp, "]") ? -1 : 0;
			end = t->pos + t->n;
			if (!padv(pp))
				return 0;
		}
		if (t->kind == SL_TOK_EOF)
			return psyntax(pp, "expected ')' after the partitions");
		if (!(s = strndup(pp->lx->src + start, end - start)))
			return oom(pp);
		r = pclause_at(s, strlen(s), start, &c, pp->err, pp->errcap);
		if (r == 1 && !c.name)
			r = 0, snprintf(pp->err, pp->errcap, "syntax error at position %zu: expected PARTITION", start + 1);
		sl_pclause_free(&c);
		if (r <= 0) {
			free(s);
			pp->nomem = r < 0;
			pp->bad++;
			return 0;
		}
		if (!push_str(pp, &pb->clauses, &pb->nclauses, s))
			return 0;
		if (pop(pp, ")"))
			return padv(pp);
		if (!padv(pp))
			return 0;
	}
}

int sl_partby_parse(struct sl_lex *lx, sl_partby *pb, char *err, size_t errcap)
{
	pparse pp = { .lx = lx, .err = err, .errcap = errcap };

	memset(pb, 0, sizeof *pb);
	if (pkw(&pp, "AUTO")) {
		pb->autop = 1;
		if (!padv(&pp))
			goto bad;
	}
	if (!pwant(&pp, "PARTITION", 0) || !pwant(&pp, "BY", 0))
		goto bad;
	if (!pkw(&pp, "RANGE") && !pkw(&pp, "LIST")) {
		psyntax(&pp, "expected RANGE or LIST");
		goto bad;
	}
	pb->kind = pkw(&pp, "RANGE") ? SL_PART_RANGE : SL_PART_LIST;
	if (!padv(&pp) || !pwant(&pp, "(", 1))
		goto bad;
	if (pb->autop && pb->kind == SL_PART_RANGE) {
		if (!pauto_range(&pp, pb))
			goto bad;
	} else {
		for (;;) {
			if (!push_str(&pp, &pb->names, &pb->nnames, pident(&pp, "expected a partition column name")))
				goto bad;
			if (pop(&pp, "(")) {
				perr(&pp, pb->autop ? "auto create partition only support slotRef in list partitions."
					: "syntax error at position %zu: expected a partition column name", lx->tok.pos + 1);
				goto bad;
			}
			if (!pop(&pp, ","))
				break;
			if (!padv(&pp))
				goto bad;
		}
		if (!pwant(&pp, ")", 1))
			goto bad;
	}
	if (pclauses(&pp, pb))
		return 1;
bad:
	sl_partby_free(pb);
	return 0;
}

static void strs_free(char **v, size_t n)
{
	while (n--)
		free(v[n]);
	free(v);
}

void sl_partby_free(sl_partby *pb)
{
	strs_free(pb->names, pb->nnames);
	strs_free(pb->clauses, pb->nclauses);
	memset(pb, 0, sizeof *pb);
}

void sl_partscheme_free(sl_partscheme *sc)
{
	free(sc->cols);
	memset(sc, 0, sizeof *sc);
}
