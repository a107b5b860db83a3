/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprbind.c -- the binder: column names (case-insensitive, hashed for
 * wide scopes), result types with Doris's implicit casts, and where
 * aggregates are allowed. Functions' types come from their table rows
 * (exprfunc.c).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "exprnode.h"
#include "exprbind.h"
#include "exprsketch.h"

sl_type sl_exprbind_type(int kind)
{
	sl_type t;
	memset(&t, 0, sizeof t);
	t.kind = (uint8_t)kind;
	if (kind == SL_T_VARCHAR) t.len = 65533;
	if (kind == SL_T_STRING) t.len = 2147483643;
	if (kind == SL_T_CHAR) t.len = 1;
	return t;
}

sl_type sl_exprbind_dec(int prec, int scale)
{
	sl_type t = sl_exprbind_type(SL_T_DECIMAL);
	if (scale > 38) scale = 38;
	if (prec > 38) prec = 38;
	if (prec < scale) prec = scale;
	if (prec < 1) prec = 1;
	t.prec = (uint8_t)prec;
	t.scale = (uint8_t)scale;
	return t;
}

/* Decimal digits an integer type needs (for int -> decimal promotion). */
static int int_digits(int k)
{
	switch (k) {
	case SL_T_BOOLEAN: return 1;
	case SL_T_TINYINT: return 3;
	case SL_T_SMALLINT: return 5;
	case SL_T_INT: return 10;
	case SL_T_BIGINT: return 19;
	default: return 38;
	}
}

/* Decimal view of a numeric type (ints as DECIMAL(d,0)). */
static void dec_of(const sl_type *t, int *prec, int *scale)
{
	if (t->kind == SL_T_DECIMAL) { *prec = t->prec; *scale = t->scale; }
	else { *prec = int_digits(t->kind); *scale = 0; }
}

/* The common type of two branches (IF, CASE, COALESCE, IN lists). */
sl_type sl_exprbind_common(sl_type a, sl_type b)
{
	if (a.kind == SL_T_NULL) return b;
	if (b.kind == SL_T_NULL) return a;
	if (a.kind == b.kind && a.kind != SL_T_DECIMAL) {
		if (expr_is_str_kind(a.kind)) {
			if (a.kind == SL_T_STRING) return a;
			return sl_exprbind_type(a.kind == SL_T_CHAR && b.kind == SL_T_CHAR ? SL_T_VARCHAR : SL_T_VARCHAR);
		}
		if (a.kind == SL_T_DATETIME && b.scale > a.scale) return b;
		return a;
	}
	if (expr_is_str_kind(a.kind) || expr_is_str_kind(b.kind)) {
		if (a.kind == SL_T_STRING || b.kind == SL_T_STRING) return sl_exprbind_type(SL_T_STRING);
		return sl_exprbind_type(SL_T_VARCHAR);
	}
	if (expr_is_date_kind(a.kind) && expr_is_date_kind(b.kind)) {
		sl_type t = sl_exprbind_type(SL_T_DATETIME);
		t.scale = a.kind == SL_T_DATETIME ? a.scale : 0;
		if (b.kind == SL_T_DATETIME && b.scale > t.scale) t.scale = b.scale;
		return t;
	}
	if (expr_is_date_kind(a.kind) || expr_is_date_kind(b.kind)) return sl_exprbind_type(SL_T_VARCHAR);
	if (a.kind == SL_T_DOUBLE || b.kind == SL_T_DOUBLE || a.kind == SL_T_FLOAT || b.kind == SL_T_FLOAT)
		return sl_exprbind_type(SL_T_DOUBLE);
	if (a.kind == SL_T_DECIMAL || b.kind == SL_T_DECIMAL) {
		int pa, sa, pb, sb, s, ip;
		dec_of(&a, &pa, &sa);
		dec_of(&b, &pb, &sb);
		s = sa > sb ? sa : sb;
		ip = (pa - sa) > (pb - sb) ? pa - sa : pb - sb;
		return sl_exprbind_dec(ip + s, s);
	}
	return a.kind > b.kind ? a : b;
}

/* ------------------------------------------------------------------ */


struct binder {
	const sl_expr_scope *sc;
	char *err;
	size_t errcap;
	int in_agg;
	size_t *tab, tcap;      /* names by case-folded hash (wide scopes), or NULL */
	size_t nfind;           /* lookups so far */
};

/* Case-insensitive FNV-1a of a column name. */
static uint64_t name_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)p[i];
		if (c >= 'A' && c <= 'Z') c += 32;
		h = (h ^ (uint64_t)c) * 1099511628211ULL;
	}
	return h;
}

/* A wide scope (HAVING and ORDER BY see the columns and every select
 * item, up to 4096) gets a hash table once an expression has looked up
 * many names, so that binding stays linear in the number of references (a
 * 1 MiB statement holds 500000 of them). The first of equal names wins,
 * as in the plain scan. 0 ok, -1 ENOMEM (the plain scan goes on). */
static int scope_index(struct binder *b)
{
	size_t k, cap = 64, j;
	const sl_expr_scope *sc = b->sc;
	while (cap < sc->ncols * 2) cap *= 2;
	if (!(b->tab = malloc(cap * sizeof *b->tab))) return -1;
	b->tcap = cap;
	for (j = 0; j < cap; j++) b->tab[j] = SIZE_MAX;
	for (k = 0; k < sc->ncols; k++) {
		const char *nm = sc->names[k];
		size_t n;
		if (!nm) continue;
		n = strlen(nm);
		for (j = name_hash(nm, n) & (cap - 1); b->tab[j] != SIZE_MAX; j = (j + 1) & (cap - 1)) {
			const char *o = sc->names[b->tab[j]];
			if (expr_ieqn(o, strlen(o), nm, n)) break;
		}
		if (b->tab[j] == SIZE_MAX) b->tab[j] = k;
	}
	return 0;
}

/* The scope index of a name, or ncols. */
static size_t scope_find(struct binder *b, const char *p, size_t n)
{
	size_t k, j;
	if (!b->tab && b->sc->ncols > 32 && ++b->nfind > 64 && scope_index(b) < 0)
		b->nfind = 0;   /* no memory: scan, try again later */
	if (b->tab) {
		for (j = name_hash(p, n) & (b->tcap - 1); b->tab[j] != SIZE_MAX; j = (j + 1) & (b->tcap - 1)) {
			const char *o = b->sc->names[b->tab[j]];
			if (expr_ieqn(o, strlen(o), p, n)) return b->tab[j];
		}
		return b->sc->ncols;
	}
	for (k = 0; k < b->sc->ncols; k++) {
		const char *nm = b->sc->names[k];
		if (nm && expr_ieqn(nm, strlen(nm), p, n)) break;
	}
	return k;
}

static int berr(struct binder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int berr(struct binder *b, const char *fmt, ...)
{
	va_list ap;
	if (b->errcap) {
		va_start(ap, fmt);
		vsnprintf(b->err, b->errcap, fmt, ap);
		va_end(ap);
	}
	return 0;
}


static void bind_neg(sl_expr *e)
{
	sl_type a = e->args[0]->type;
	if (expr_is_int_kind(a.kind)) {
		e->cat = CAT_INT;
		e->type = sl_exprbind_type(a.kind == SL_T_LARGEINT ? SL_T_LARGEINT : SL_T_BIGINT);
	} else if (a.kind == SL_T_DECIMAL) {
		e->cat = CAT_DEC;
		e->type = a;
	} else if (a.kind == SL_T_NULL) {
		e->cat = CAT_INT;
		e->type = sl_exprbind_type(SL_T_BIGINT);
	} else {
		e->cat = CAT_DBL;
		e->type = sl_exprbind_type(SL_T_DOUBLE);
	}
}

/* Decimal arithmetic: exact scale (+,-: max scale; *: sum of scales;
 * /: dividend scale + 4). */
static void bind_dec_arith(sl_expr *e, sl_type ta, sl_type tc)
{
	int pa, sa, pc, sc;
	dec_of(&ta, &pa, &sa);
	dec_of(&tc, &pc, &sc);
	e->cat = CAT_DEC;
	switch (e->op) {
	case A_ADD: case A_SUB: {
		int s = sa > sc ? sa : sc, ip = (pa - sa) > (pc - sc) ? pa - sa : pc - sc;
		e->type = sl_exprbind_dec(ip + s + 1, s);
		break;
	}
	case A_MUL:
		e->type = sl_exprbind_dec(pa + pc, sa + sc);
		break;
	case A_DIV:
		e->type = sl_exprbind_dec(pa + sc + 4, sa + 4 > 38 ? 38 : sa + 4);
		break;
	case A_MOD:
		e->type = sl_exprbind_dec((pa - sa > pc - sc ? pa - sa : pc - sc) + (sa > sc ? sa : sc), sa > sc ? sa : sc);
		break;
	case A_IDIV:
		e->type = sl_exprbind_type(SL_T_BIGINT);
		break;
	}
}

static void bind_arith(sl_expr *e)
{
	sl_type a = e->args[0]->type, c = e->args[1]->type;
	int ka = a.kind == SL_T_NULL ? SL_T_TINYINT : a.kind;
	int kc = c.kind == SL_T_NULL ? SL_T_TINYINT : c.kind;
	int aint = expr_is_int_kind(ka), cint = expr_is_int_kind(kc);
	int adec = aint || ka == SL_T_DECIMAL, cdec = cint || kc == SL_T_DECIMAL;
	if (aint && cint && e->op != A_DIV) {
		e->cat = CAT_INT;
		if (e->op == A_MOD) e->type = sl_exprbind_type(ka > kc ? ka : kc);
		else if (ka == SL_T_LARGEINT || kc == SL_T_LARGEINT
		         || (e->op != A_IDIV && (ka == SL_T_BIGINT || kc == SL_T_BIGINT)))
			e->type = sl_exprbind_type(SL_T_LARGEINT);
		else e->type = sl_exprbind_type(SL_T_BIGINT);
		if (e->op == A_MOD && e->type.kind == SL_T_BOOLEAN) e->type = sl_exprbind_type(SL_T_TINYINT);
	} else if (adec && cdec && !(aint && cint)) {
		bind_dec_arith(e, ka == SL_T_DECIMAL ? a : sl_exprbind_type(ka),
		               kc == SL_T_DECIMAL ? c : sl_exprbind_type(kc));
	} else if (aint && cint) {
		/* int / int */
		e->cat = CAT_DBL;
		e->type = sl_exprbind_type(SL_T_DOUBLE);
	} else {
		e->cat = CAT_DBL;
		e->type = sl_exprbind_type(e->op == A_IDIV ? SL_T_BIGINT : SL_T_DOUBLE);
	}
}

static void bind_case(sl_expr *e)
{
	sl_type t = sl_exprbind_type(SL_T_NULL);
	size_t k = e->has_operand ? 1 : 0;
	for (; k + 1 < e->nargs || (k < e->nargs && !e->has_else); k += 2)
		if (k + 1 < e->nargs) t = sl_exprbind_common(t, e->args[k + 1]->type);
	if (e->has_else) t = sl_exprbind_common(t, e->args[e->nargs - 1]->type);
	e->type = t;
}

static int bind_agg(struct binder *b, sl_expr *e)
{
	sl_type a = e->nargs ? e->args[0]->type : sl_exprbind_type(SL_T_BIGINT);
	if (!b->sc->allow_aggs)
		return berr(b, "aggregate function %.*s is not allowed here", (int)(e->text ? e->textn : e->sbufn), e->text ? e->text : e->sbuf);
	switch (e->op) {
	case AG_COUNT: e->type = sl_exprbind_type(SL_T_BIGINT); break;
	case AG_SUM:
		if (expr_is_int_kind(a.kind)) e->type = sl_exprbind_type(a.kind == SL_T_LARGEINT ? SL_T_LARGEINT : SL_T_BIGINT);
		else if (a.kind == SL_T_DECIMAL) e->type = sl_exprbind_dec(38, a.scale);
		else e->type = sl_exprbind_type(SL_T_DOUBLE);
		break;
	case AG_AVG:
		if (a.kind == SL_T_DECIMAL) e->type = sl_exprbind_dec(38, a.scale > 4 ? a.scale : 4);
		else e->type = sl_exprbind_type(SL_T_DOUBLE);
		break;
	default:
		e->type = a;
		break;
	}
	return 1;
}

/* The type of e, whose children are bound. 1, or 0 with the message. */
static int bind_node(struct binder *b, sl_expr *e)
{
	switch (e->kind) {
	case E_COL: {
		size_t k = scope_find(b, e->sbuf, e->sbufn);
		if (k == b->sc->ncols)
			return berr(b, "Unknown column '%s' in 'table list'", e->sbuf);
		e->col = (long)k;
		e->type = b->sc->types ? b->sc->types[k] : sl_exprbind_type(SL_T_VARCHAR);
		return 1;
	}
	case E_NEG:
		bind_neg(e);
		return 1;
	case E_NOT: case E_AND: case E_OR: case E_CMP: case E_ISNULL: case E_IN:
	case E_BETWEEN: case E_LIKE:
		e->type = sl_exprbind_type(SL_T_BOOLEAN);
		return 1;
	case E_ARITH:
		bind_arith(e);
		return 1;
	case E_CASE:
		bind_case(e);
		return 1;
	case E_AGG:
		return bind_agg(b, e);
	case E_FUNC:
		return e->fdef->type(e, b->err, b->errcap);
	default:                /* E_LIT, E_CAST: typed by the parser */
		return 1;
	}
}

/* The type of e, then Doris's refusals of BITMAP/HLL operands. */
static int bind_checked(struct binder *b, sl_expr *e)
{
	return bind_node(b, e) && sl_exprsketch_check(e, b->err, b->errcap);
}

static int bind(struct binder *b, sl_expr *e)
{
	size_t i;
	for (i = 0; i < e->nargs; i++) {
		if (e->kind == E_AGG) {
			if (b->in_agg) return berr(b, "aggregate function cannot contain aggregate parameters: %.*s", (int)e->textn, e->text ? e->text : "");
			b->in_agg = 1;
			if (!bind(b, e->args[i])) return 0;
			b->in_agg = 0;
		} else if (!bind(b, e->args[i])) return 0;
	}
	return bind_checked(b, e);
}

int sl_exprbind_run(sl_expr *e, const sl_expr_scope *sc, char *err, size_t errcap)
{
	struct binder b;
	int r;
	b.sc = sc;
	b.err = err;
	b.errcap = errcap;
	b.in_agg = 0;
	b.tab = NULL;
	b.tcap = 0;
	b.nfind = 0;
	if (errcap) err[0] = 0;
	r = bind(&b, e);
	free(b.tab);
	return r;
}
