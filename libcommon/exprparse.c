/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprparse.c -- the expression parser: recursive descent over the SQL
 * tokenizer with precedence OR < AND < NOT < comparison/IS/IN/BETWEEN/LIKE
 * < + - < * / % DIV < unary. It bounds the tree as Doris does (height,
 * children per node) and its own recursion (SL_EXPR_NEST_MAX), and finds
 * each call's function in the table once.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "types.h"
#include "cast.h"
#include "lex.h"
#include "exprnode.h"
#include "exprfunc.h"
#include "exprparse.h"

#define MAX_DEPTH SL_EXPR_NEST_MAX

/* indexed by enum sl_expr_aggfn (exprnode.h) */
static const char *const aggnames[] = { "count", "sum", "min", "max", "avg", "bitmap_union",
	"bitmap_union_count", "hll_union", "hll_union_agg", "hll_raw_agg" };

static int ieq(const char *a, size_t an, const char *b)
{
	return expr_ieqn(a, an, b, strlen(b));
}


struct parser {
	sl_lex *lx;
	char *err;
	size_t errcap;
	size_t prev_end;        /* end offset of the last consumed token */
	int depth;
	int failed;
};

static void perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	if (p->failed) return;
	p->failed = 1;
	if (!p->errcap) return;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errcap, fmt, ap);
	va_end(ap);
}

static void syntax_error(struct parser *p)
{
	const sl_tok *t = &p->lx->tok;
	if (t->kind == SL_TOK_EOF)
		perr(p, "syntax error at position %zu: unexpected end of input", t->pos + 1);
	else
		perr(p, "syntax error at position %zu near '%.*s'", t->pos + 1,
		     (int)(t->n > 40 ? 40 : t->n), t->p);
}

static int advance(struct parser *p)
{
	p->prev_end = p->lx->tok.pos + p->lx->tok.n;
	if (sl_lex_next(p->lx) < 0) {
		perr(p, "%s", p->lx->err);
		return -1;
	}
	return 0;
}

/* Make a a child of e. -1 (message set, a not taken) when out of memory or
 * when e would pass Doris's bounds: the tree's height (a left-deep chain
 * 1+1+...+1 is as high as it has terms, and every walk over it recurses
 * that deep) and the number of children. */
static int add_arg(struct parser *p, sl_expr *e, sl_expr *a)
{
	if (e->nargs >= SL_EXPR_CHILDREN_MAX) {
		perr(p, "Exceeded the maximum number of child expressions (%d).", SL_EXPR_CHILDREN_MAX);
		return -1;
	}
	if (a->height >= SL_EXPR_DEPTH_MAX) {
		perr(p, "Exceeded the maximum depth of an expression tree (%d).", SL_EXPR_DEPTH_MAX);
		return -1;
	}
	if (e->nargs == e->argcap) {
		size_t nc = e->argcap ? e->argcap * 2 : 2;
		sl_expr **n = realloc(e->args, nc * sizeof *n);
		if (!n) { perr(p, "out of memory"); return -1; }
		e->args = n;
		e->argcap = nc;
	}
	e->args[e->nargs++] = a;
	if (a->height + 1 > e->height) e->height = a->height + 1;
	return 0;
}

/* Record the source text of e: [start, prev_end) of the source, which
 * outlives the parse; sl_expr_parse_lex copies the root's text once and
 * points every node into that copy (a copy per node would be quadratic). */
static int set_text(struct parser *p, sl_expr *e, size_t start)
{
	size_t end = p->prev_end > start ? p->prev_end : start;
	e->text = p->lx->src + start;
	e->textn = end - start;
	return 0;
}

static sl_expr *fail_nomem(struct parser *p, sl_expr *e)
{
	perr(p, "out of memory");
	sl_exprnode_free(e);
	return NULL;
}

static sl_expr *parse_or(struct parser *p);
static sl_expr *parse_add(struct parser *p);

static const char *const reserved[] = {
	"select", "from", "where", "group", "order", "by", "limit", "as", "and", "or",
	"not", "is", "in", "between", "like", "when", "then", "else", "end", "div",
	"mod", "asc", "desc", "having", "on", "join", "union", "distinct", "into",
	"values", "set", "offset", "xor", "regexp", "rlike", "escape",
};

static int is_reserved(const sl_tok *t)
{
	size_t i;
	if (t->kind != SL_TOK_IDENT) return 0;
	for (i = 0; i < SL_ARRAY_LEN(reserved); i++)
		if (ieq(t->p, t->n, reserved[i])) return 1;
	return 0;
}

/* l op r; on failure l and r are freed and the message is set. */
static sl_expr *binary(struct parser *p, int kind, int op, sl_expr *l, sl_expr *r)
{
	sl_expr *e = sl_exprnode_new(kind);
	if (!e || add_arg(p, e, l) < 0 || add_arg(p, e, r) < 0) {
		if (!e || e->nargs == 0) sl_exprnode_free(l);
		sl_exprnode_free(r);
		sl_exprnode_free(e);
		perr(p, "out of memory");
		return NULL;
	}
	e->op = op;
	return e;
}

/* Integer literal from text, typed as the smallest integer type. */
static void set_int_lit(sl_expr *e, __int128 v)
{
	e->kind = E_LIT;
	if (v >= INT64_MIN && v <= INT64_MAX) {
		e->lit.kind = SL_V_INT;
		e->lit.u.i = (int64_t)v;
		e->type.kind = v >= INT8_MIN && v <= INT8_MAX ? SL_T_TINYINT
		    : v >= INT16_MIN && v <= INT16_MAX ? SL_T_SMALLINT
		    : v >= INT32_MIN && v <= INT32_MAX ? SL_T_INT : SL_T_BIGINT;
	} else {
		e->lit.kind = SL_V_LARGE;
		e->lit.u.l = v;
		e->type.kind = SL_T_LARGEINT;
	}
	e->lit.tkind = e->type.kind;
}

static sl_expr *parse_number(struct parser *p)
{
	const sl_tok *t = &p->lx->tok;
	sl_expr *e = sl_exprnode_new(E_LIT);
	size_t i, nint = 0, nfrac = 0, lead = 0;
	int has_exp = 0, dot = 0, started = 0;
	if (!e) return fail_nomem(p, NULL);
	for (i = 0; i < t->n; i++) {
		char c = t->p[i];
		if (c == '.') dot = 1;
		else if (c == 'e' || c == 'E') { has_exp = 1; break; }
		else if (!dot) {
			if (c != '0' || started) { started = 1; nint++; }
			else lead++;
		} else nfrac++;
	}
	if (t->kind == SL_TOK_INT) {
		__int128 v;
		sl_type lt = { .kind = SL_T_LARGEINT };
		sl_value lv;
		if (sl_cast_text(&lt, t->p, t->n, &lv)) {
			v = lv.u.l;
			set_int_lit(e, v);
			return e;
		}
		if (nint <= 38) {
			e->type.kind = SL_T_DECIMAL; e->type.prec = (uint8_t)nint; e->type.scale = 0;
			sl_parse_decimal(t->p, t->n, 38, 0, &e->lit.u.l);
			e->lit.kind = SL_V_DECIMAL; e->lit.prec = (uint8_t)nint; e->lit.scale = 0;
			e->lit.tkind = SL_T_DECIMAL;
			return e;
		}
		has_exp = 1;
	}
	if (!has_exp && nint + nfrac <= 38) {
		int prec = (int)(nint + nfrac), scale = (int)nfrac;
		if (prec == 0) prec = 1;
		if (prec < scale) prec = scale;
		if (prec < 1) prec = 1;
		e->type.kind = SL_T_DECIMAL; e->type.prec = (uint8_t)prec; e->type.scale = (uint8_t)scale;
		if (!sl_parse_decimal(t->p, t->n, prec, scale, &e->lit.u.l)) {
			/* cannot happen for well-formed tokens; fall back to double */
			has_exp = 1;
		} else {
			e->lit.kind = SL_V_DECIMAL; e->lit.prec = (uint8_t)prec; e->lit.scale = (uint8_t)scale;
			e->lit.tkind = SL_T_DECIMAL;
			return e;
		}
	}
	(void)lead;
	e->type.kind = SL_T_DOUBLE;
	e->lit.kind = SL_V_DOUBLE;
	e->lit.tkind = SL_T_DOUBLE;
	sl_parse_double(t->p, t->n, &e->lit.u.d);
	return e;
}

static sl_expr *string_lit(const char *s, size_t n)
{
	sl_expr *e = sl_exprnode_new(E_LIT);
	if (!e) return NULL;
	e->sbuf = malloc(n + 1);
	if (!e->sbuf) { free(e); return NULL; }
	memcpy(e->sbuf, s, n);
	e->sbuf[n] = 0;
	e->sbufn = n;
	e->lit.kind = SL_V_STRING;
	e->lit.u.s.p = e->sbuf;
	e->lit.u.s.n = n;
	e->type.kind = SL_T_VARCHAR;
	e->type.len = n ? (int32_t)(n > 65533 ? 65533 : n) : 1;
	e->lit.tkind = SL_T_VARCHAR;
	return e;
}

/* Type name inside CAST(... AS type). */
static int parse_cast_type(struct parser *p, sl_type *t)
{
	sl_lex *lx = p->lx;
	char buf[128];
	size_t n = 0;
	const char *err = NULL;
	size_t start;
	if (lx->tok.kind != SL_TOK_IDENT) { syntax_error(p); return -1; }
	start = lx->tok.pos;
	if (sl_lex_kw(lx, "signed") || sl_lex_kw(lx, "unsigned")) {
		int uns = sl_lex_kw(lx, "unsigned");
		if (advance(p) < 0) return -1;
		if (sl_lex_kw(lx, "int") || sl_lex_kw(lx, "integer"))
			if (advance(p) < 0) return -1;
		memset(t, 0, sizeof *t);
		t->kind = uns ? SL_T_LARGEINT : SL_T_BIGINT;
		return 0;
	}
	if (advance(p) < 0) return -1;
	if (sl_lex_op(lx, "(")) {
		while (!sl_lex_op(lx, ")")) {
			if (lx->tok.kind == SL_TOK_EOF) { syntax_error(p); return -1; }
			if (advance(p) < 0) return -1;
		}
		if (advance(p) < 0) return -1;
	}
	n = p->prev_end - start;
	if (n >= sizeof buf) { perr(p, "bad type in CAST at position %zu", start + 1); return -1; }
	memcpy(buf, lx->src + start, n);
	buf[n] = 0;
	/* CAST(x AS CHAR) and AS VARCHAR without a length mean a string */
	if (ieq(buf, n, "char") || ieq(buf, n, "varchar") || ieq(buf, n, "string") || ieq(buf, n, "text")) {
		memset(t, 0, sizeof *t);
		t->kind = SL_T_STRING;
		t->len = 2147483643;
		return 0;
	}
	if (!sl_type_parse(buf, n, t, &err)) {
		perr(p, "%s in CAST at position %zu: '%s'", err ? err : "unknown type", start + 1, buf);
		return -1;
	}
	return 0;
}

static sl_expr *parse_case(struct parser *p, size_t start)
{
	sl_lex *lx = p->lx;
	sl_expr *e = sl_exprnode_new(E_CASE), *a;
	if (!e) return fail_nomem(p, NULL);
	if (advance(p) < 0) goto bad;
	if (!sl_lex_kw(lx, "when")) {
		if (!(a = parse_or(p))) goto bad;
		if (add_arg(p, e, a) < 0) { sl_exprnode_free(a); goto nomem; }
		e->has_operand = 1;
	}
	if (!sl_lex_kw(lx, "when")) { syntax_error(p); goto bad; }
	while (sl_lex_kw(lx, "when")) {
		if (advance(p) < 0) goto bad;
		if (!(a = parse_or(p))) goto bad;
		if (add_arg(p, e, a) < 0) { sl_exprnode_free(a); goto nomem; }
		if (!sl_lex_kw(lx, "then")) { syntax_error(p); goto bad; }
		if (advance(p) < 0) goto bad;
		if (!(a = parse_or(p))) goto bad;
		if (add_arg(p, e, a) < 0) { sl_exprnode_free(a); goto nomem; }
	}
	if (sl_lex_kw(lx, "else")) {
		if (advance(p) < 0) goto bad;
		if (!(a = parse_or(p))) goto bad;
		if (add_arg(p, e, a) < 0) { sl_exprnode_free(a); goto nomem; }
		e->has_else = 1;
	}
	if (!sl_lex_kw(lx, "end")) { syntax_error(p); goto bad; }
	if (advance(p) < 0) goto bad;
	if (set_text(p, e, start) < 0) goto nomem;
	return e;
nomem:
	return fail_nomem(p, e);
bad:
	sl_exprnode_free(e);
	return NULL;
}

static int lookup_agg(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < SL_ARRAY_LEN(aggnames); i++)
		if (ieq(s, n, aggnames[i])) return (int)i;
	return -1;
}


/* The arguments of a call, after its '(' up to and past its ')'. */
static int parse_args(struct parser *p, sl_expr *e, int ag)
{
	sl_lex *lx = p->lx;
	sl_expr *a;
	if (ag >= 0 && sl_lex_kw(lx, "distinct")) {
		e->distinct = 1;
		if (advance(p) < 0) return -1;
	}
	if (ag == AG_COUNT && !e->distinct && sl_lex_op(lx, "*")) {
		e->star = 1;
		if (advance(p) < 0) return -1;
	} else if (!sl_lex_op(lx, ")")) {
		for (;;) {
			if (!(a = parse_or(p))) return -1;
			if (add_arg(p, e, a) < 0) { sl_exprnode_free(a); perr(p, "out of memory"); return -1; }
			if (!sl_lex_op(lx, ",")) break;
			if (advance(p) < 0) return -1;
		}
	}
	if (!sl_lex_op(lx, ")")) { syntax_error(p); return -1; }
	return advance(p);
}

static sl_expr *parse_call(struct parser *p, const char *name, size_t namen, size_t start)
{
	int ag = lookup_agg(name, namen);
	const struct sl_exprfunc_def *d = NULL;
	sl_expr *e;
	if (ag < 0 && !(d = sl_exprfunc_find(name, namen))) {
		perr(p, "Can not found function '%.*s' at position %zu", (int)namen, name, start + 1);
		return NULL;
	}
	e = sl_exprnode_new(ag >= 0 ? E_AGG : E_FUNC);
	if (!e) return fail_nomem(p, NULL);
	e->op = ag >= 0 ? ag : d->variant;
	e->fdef = d;
	e->sbuf = malloc(namen + 1);
	if (!e->sbuf) return fail_nomem(p, e);
	memcpy(e->sbuf, name, namen);
	e->sbuf[namen] = 0;
	e->sbufn = namen;
	if (advance(p) < 0) goto bad;           /* '(' */
	if (parse_args(p, e, ag) < 0) goto bad;
	if (ag >= 0 ? !e->star && e->nargs != 1
	    : (int)e->nargs < d->minargs || (int)e->nargs > d->maxargs) {
		perr(p, "Can not found function '%.*s' which has %zu arity", (int)namen, name, e->nargs);
		goto bad;
	}
	if (set_text(p, e, start) < 0) return fail_nomem(p, e);
	return e;
bad:
	sl_exprnode_free(e);
	return NULL;
}

/* e is complete: consume its last token and give it its text. */
static sl_expr *finish(struct parser *p, sl_expr *e, size_t start)
{
	if (advance(p) < 0) { sl_exprnode_free(e); return NULL; }
	if (set_text(p, e, start) < 0) return fail_nomem(p, e);
	return e;
}

/* 'a' 'b': adjacent literals concatenate */
static sl_expr *parse_string(struct parser *p, size_t start)
{
	sl_lex *lx = p->lx;
	sl_expr *e = string_lit(lx->tok.str, lx->tok.strn);
	if (!e) return fail_nomem(p, NULL);
	if (advance(p) < 0) { sl_exprnode_free(e); return NULL; }
	while (lx->tok.kind == SL_TOK_STRING) {
		char *nb = realloc(e->sbuf, e->sbufn + lx->tok.strn + 1);
		if (!nb) return fail_nomem(p, e);
		memcpy(nb + e->sbufn, lx->tok.str, lx->tok.strn + 1);
		e->sbuf = nb;
		e->sbufn += lx->tok.strn;
		e->lit.u.s.p = nb;
		e->lit.u.s.n = e->sbufn;
		if (advance(p) < 0) { sl_exprnode_free(e); return NULL; }
	}
	if (set_text(p, e, start) < 0) return fail_nomem(p, e);
	return e;
}

/* NULL, TRUE, FALSE */
static sl_expr *parse_constant(struct parser *p, size_t start)
{
	sl_lex *lx = p->lx;
	sl_expr *e = sl_exprnode_new(E_LIT);
	if (!e) return fail_nomem(p, NULL);
	if (sl_lex_kw(lx, "null")) {
		e->type.kind = SL_T_NULL;
	} else {
		e->type.kind = SL_T_BOOLEAN;
		e->lit.kind = SL_V_INT;
		e->lit.u.i = sl_lex_kw(lx, "true");
		e->lit.tkind = SL_T_BOOLEAN;
	}
	return finish(p, e, start);
}

/* CAST(x AS type), and CONVERT(x, type) (convert set) */
static sl_expr *parse_cast(struct parser *p, size_t start, int convert)
{
	sl_lex *lx = p->lx;
	sl_expr *a, *e;
	if (advance(p) < 0) return NULL;
	if (!sl_lex_op(lx, "(")) { syntax_error(p); return NULL; }
	if (advance(p) < 0) return NULL;
	if (!(a = parse_or(p))) return NULL;
	if (convert ? !sl_lex_op(lx, ",") : !sl_lex_kw(lx, "as")) { syntax_error(p); sl_exprnode_free(a); return NULL; }
	if (advance(p) < 0) { sl_exprnode_free(a); return NULL; }
	if (!(e = sl_exprnode_new(E_CAST)) || add_arg(p, e, a) < 0) { sl_exprnode_free(a); return fail_nomem(p, e); }
	if (parse_cast_type(p, &e->type) < 0) { sl_exprnode_free(e); return NULL; }
	if (!sl_lex_op(lx, ")")) { syntax_error(p); sl_exprnode_free(e); return NULL; }
	return finish(p, e, start);
}

/* Typed literal DATE '2024-01-01', DATETIME/TIMESTAMP '...': 1 with *out
 * (NULL on error), or 0 when no string follows (the lexer is back on the
 * keyword, which is then a name). */
static int parse_typed(struct parser *p, size_t start, sl_expr **out)
{
	sl_lex *lx = p->lx;
	sl_lex_mark m = sl_lex_save(lx);
	int isdate = sl_lex_kw(lx, "date");
	sl_type tt = { .kind = isdate ? SL_T_DATE : SL_T_DATETIME, .scale = isdate ? 0 : 6 };
	sl_value v;
	sl_expr *e;
	*out = NULL;
	if (advance(p) < 0) return 1;
	if (lx->tok.kind != SL_TOK_STRING) {
		sl_lex_restore(lx, m);
		p->prev_end = start;
		return 0;
	}
	if (!sl_cast_text(&tt, lx->tok.str, lx->tok.strn, &v)) {
		perr(p, "Invalid %s literal '%s' at position %zu", isdate ? "date" : "datetime",
		     lx->tok.str, start + 1);
		return 1;
	}
	if (!(e = sl_exprnode_new(E_LIT))) { fail_nomem(p, NULL); return 1; }
	if (!isdate) {
		/* keep the literal's own precision */
		int sc = 0;
		const char *dot = memchr(lx->tok.str, '.', lx->tok.strn);
		if (dot) {
			const char *q = dot + 1;
			while (q < lx->tok.str + lx->tok.strn && *q >= '0' && *q <= '9' && sc < 6) { q++; sc++; }
		}
		tt.scale = (uint8_t)sc;
		v.scale = (uint8_t)sc;
	}
	e->type = tt;
	e->lit = v;
	*out = finish(p, e, start);
	return 1;
}

/* A column reference (qualified t.col keeps its last part), a call, or a
 * niladic function written without parentheses (current_timestamp, ...).
 * The current token is the name; t is a copy of it. */
static sl_expr *parse_name(struct parser *p, const sl_tok *t, size_t start)
{
	sl_lex *lx = p->lx;
	size_t namen = t->kind == SL_TOK_QIDENT ? t->strn : t->n;
	char *copy = malloc(namen + 1);
	sl_expr *e;
	if (!copy) return fail_nomem(p, NULL);
	memcpy(copy, t->kind == SL_TOK_QIDENT ? t->str : t->p, namen);
	copy[namen] = 0;
	if (advance(p) < 0) { free(copy); return NULL; }
	if (t->kind == SL_TOK_IDENT && sl_lex_op(lx, "(")) {
		e = parse_call(p, copy, namen, start);
		free(copy);
		return e;
	}
	while (sl_lex_op(lx, ".")) {
		if (advance(p) < 0) { free(copy); return NULL; }
		if (lx->tok.kind != SL_TOK_IDENT && lx->tok.kind != SL_TOK_QIDENT) {
			syntax_error(p); free(copy); return NULL;
		}
		free(copy);
		namen = lx->tok.kind == SL_TOK_QIDENT ? lx->tok.strn : lx->tok.n;
		copy = malloc(namen + 1);
		if (!copy) return fail_nomem(p, NULL);
		memcpy(copy, lx->tok.kind == SL_TOK_QIDENT ? lx->tok.str : lx->tok.p, namen);
		copy[namen] = 0;
		if (advance(p) < 0) { free(copy); return NULL; }
	}
	if (!(e = sl_exprnode_new(E_COL))) { free(copy); return fail_nomem(p, NULL); }
	if (t->kind == SL_TOK_IDENT && (ieq(copy, namen, "current_timestamp") || ieq(copy, namen, "current_date")
	    || ieq(copy, namen, "localtime") || ieq(copy, namen, "localtimestamp"))) {
		e->kind = E_FUNC;
		e->fdef = sl_exprfunc_find(copy, namen);
		e->op = e->fdef->variant;
	}
	e->sbuf = copy;
	e->sbufn = namen;
	if (set_text(p, e, start) < 0) return fail_nomem(p, e);
	return e;
}

static sl_expr *parse_primary(struct parser *p)
{
	sl_lex *lx = p->lx;
	sl_tok t = lx->tok;
	size_t start = t.pos;
	sl_expr *e;

	if (t.kind == SL_TOK_INT || t.kind == SL_TOK_NUMBER) {
		if (!(e = parse_number(p))) return NULL;
		return finish(p, e, start);
	}
	if (t.kind == SL_TOK_STRING) return parse_string(p, start);
	if (sl_lex_op(lx, "(")) {
		if (advance(p) < 0) return NULL;
		if (!(e = parse_or(p))) return NULL;
		if (!sl_lex_op(lx, ")")) { syntax_error(p); sl_exprnode_free(e); return NULL; }
		return finish(p, e, start);
	}
	if (t.kind == SL_TOK_IDENT) {
		if (sl_lex_kw(lx, "null") || sl_lex_kw(lx, "true") || sl_lex_kw(lx, "false"))
			return parse_constant(p, start);
		if (sl_lex_kw(lx, "case")) return parse_case(p, start);
		if (sl_lex_kw(lx, "cast") || sl_lex_kw(lx, "convert")) return parse_cast(p, start, sl_lex_kw(lx, "convert"));
		if ((sl_lex_kw(lx, "date") || sl_lex_kw(lx, "datetime") || sl_lex_kw(lx, "timestamp"))
		    && parse_typed(p, start, &e))
			return e;
		if (is_reserved(&lx->tok)) { syntax_error(p); return NULL; }
	}
	if (t.kind == SL_TOK_QIDENT || t.kind == SL_TOK_IDENT) return parse_name(p, &t, start);
	syntax_error(p);
	return NULL;
}

static sl_expr *parse_unary(struct parser *p)
{
	sl_lex *lx = p->lx;
	size_t start = lx->tok.pos;
	sl_expr *e, *a;
	if (++p->depth > MAX_DEPTH) { perr(p, "expression too deeply nested at position %zu", start + 1); return NULL; }
	if (sl_lex_op(lx, "-") || sl_lex_op(lx, "+") || sl_lex_op(lx, "!") || sl_lex_op(lx, "~")) {
		int neg = sl_lex_op(lx, "-"), not = sl_lex_op(lx, "!");
		if (sl_lex_op(lx, "~")) { syntax_error(p); p->depth--; return NULL; }
		if (advance(p) < 0) { p->depth--; return NULL; }
		if (!(a = parse_unary(p))) { p->depth--; return NULL; }
		p->depth--;
		if (!neg && !not) {
			if (set_text(p, a, start) < 0) return fail_nomem(p, a);
			return a;
		}
		if (neg && a->kind == E_LIT && (a->lit.kind == SL_V_INT || a->lit.kind == SL_V_LARGE
		    || a->lit.kind == SL_V_DECIMAL || a->lit.kind == SL_V_DOUBLE)) {
			/* fold -literal so that -2147483648 is an INT and -128 a TINYINT */
			if (a->lit.kind == SL_V_INT) set_int_lit(a, -(__int128)a->lit.u.i);
			else if (a->lit.kind == SL_V_LARGE) {
				if (a->lit.u.l == -(__int128)(((unsigned __int128)1 << 127) - 1) - 1) {
					/* -(min) overflows; leave as a negation node */
					goto mknode;
				}
				set_int_lit(a, -a->lit.u.l);
			}
			else if (a->lit.kind == SL_V_DECIMAL) a->lit.u.l = -a->lit.u.l;
			else a->lit.u.d = -a->lit.u.d;
			if (set_text(p, a, start) < 0) return fail_nomem(p, a);
			return a;
		}
mknode:
		if (!(e = sl_exprnode_new(neg ? E_NEG : E_NOT)) || add_arg(p, e, a) < 0) { sl_exprnode_free(a); return fail_nomem(p, e); }
		if (set_text(p, e, start) < 0) return fail_nomem(p, e);
		return e;
	}
	e = parse_primary(p);
	p->depth--;
	return e;
}

static sl_expr *parse_mul(struct parser *p)
{
	sl_lex *lx = p->lx;
	size_t start = lx->tok.pos;
	sl_expr *l = parse_unary(p), *r;
	while (l) {
		int op;
		if (sl_lex_op(lx, "*")) op = A_MUL;
		else if (sl_lex_op(lx, "/")) op = A_DIV;
		else if (sl_lex_op(lx, "%") || sl_lex_kw(lx, "mod")) op = A_MOD;
		else if (sl_lex_kw(lx, "div")) op = A_IDIV;
		else break;
		if (advance(p) < 0) { sl_exprnode_free(l); return NULL; }
		if (!(r = parse_unary(p))) { sl_exprnode_free(l); return NULL; }
		if (!(l = binary(p, E_ARITH, op, l, r))) return fail_nomem(p, NULL);
		if (set_text(p, l, start) < 0) return fail_nomem(p, l);
	}
	return l;
}

static sl_expr *parse_add(struct parser *p)
{
	sl_lex *lx = p->lx;
	size_t start = lx->tok.pos;
	sl_expr *l = parse_mul(p), *r;
	while (l) {
		int op;
		if (sl_lex_op(lx, "+")) op = A_ADD;
		else if (sl_lex_op(lx, "-")) op = A_SUB;
		else break;
		if (advance(p) < 0) { sl_exprnode_free(l); return NULL; }
		if (!(r = parse_mul(p))) { sl_exprnode_free(l); return NULL; }
		if (!(l = binary(p, E_ARITH, op, l, r))) return fail_nomem(p, NULL);
		if (set_text(p, l, start) < 0) return fail_nomem(p, l);
	}
	return l;
}

static int cmp_op(const sl_lex *lx)
{
	if (sl_lex_op(lx, "=") || sl_lex_op(lx, "==")) return C_EQ;
	if (sl_lex_op(lx, "!=") || sl_lex_op(lx, "<>")) return C_NE;
	if (sl_lex_op(lx, "<")) return C_LT;
	if (sl_lex_op(lx, "<=")) return C_LE;
	if (sl_lex_op(lx, ">")) return C_GT;
	if (sl_lex_op(lx, ">=")) return C_GE;
	if (sl_lex_op(lx, "<=>")) return C_NSEQ;
	return -1;
}

/* l IN (a, b, ...), the current token IN: the node, owning l, or NULL
 * with l freed. */
static sl_expr *parse_in(struct parser *p, sl_expr *l)
{
	sl_lex *lx = p->lx;
	sl_expr *e, *r;
	if (advance(p) < 0) goto bad;
	if (!sl_lex_op(lx, "(")) { syntax_error(p); goto bad; }
	if (advance(p) < 0) goto bad;
	if (!(e = sl_exprnode_new(E_IN)) || add_arg(p, e, l) < 0) { sl_exprnode_free(e); return fail_nomem(p, l); }
	l = e;
	for (;;) {
		if (!(r = parse_or(p))) goto bad;
		if (add_arg(p, l, r) < 0) { sl_exprnode_free(r); return fail_nomem(p, l); }
		if (!sl_lex_op(lx, ",")) break;
		if (advance(p) < 0) goto bad;
	}
	if (!sl_lex_op(lx, ")")) { syntax_error(p); goto bad; }
	if (advance(p) < 0) goto bad;
	return l;
bad:
	sl_exprnode_free(l);
	return NULL;
}

/* l BETWEEN lo AND hi, the current token BETWEEN: as parse_in. */
static sl_expr *parse_between(struct parser *p, sl_expr *l)
{
	sl_lex *lx = p->lx;
	sl_expr *lo, *hi, *e;
	if (advance(p) < 0) goto bad;
	if (!(lo = parse_add(p))) goto bad;
	if (!sl_lex_kw(lx, "and")) { syntax_error(p); sl_exprnode_free(lo); goto bad; }
	if (advance(p) < 0) { sl_exprnode_free(lo); goto bad; }
	if (!(hi = parse_add(p))) { sl_exprnode_free(lo); goto bad; }
	if (!(e = sl_exprnode_new(E_BETWEEN)) || add_arg(p, e, l) < 0) {
		sl_exprnode_free(e); sl_exprnode_free(lo); sl_exprnode_free(hi); return fail_nomem(p, l);
	}
	if (add_arg(p, e, lo) < 0) { sl_exprnode_free(lo); sl_exprnode_free(hi); return fail_nomem(p, e); }
	if (add_arg(p, e, hi) < 0) { sl_exprnode_free(hi); return fail_nomem(p, e); }
	return e;
bad:
	sl_exprnode_free(l);
	return NULL;
}

static sl_expr *parse_pred(struct parser *p)
{
	sl_lex *lx = p->lx;
	size_t start = lx->tok.pos;
	sl_expr *l = parse_add(p), *r, *e;
	while (l) {
		int op = cmp_op(lx), neg = 0;
		if (op >= 0) {
			if (advance(p) < 0) goto bad;
			if (!(r = parse_add(p))) goto bad;
			if (!(l = binary(p, E_CMP, op, l, r))) return fail_nomem(p, NULL);
			if (set_text(p, l, start) < 0) return fail_nomem(p, l);
			continue;
		}
		if (sl_lex_kw(lx, "is")) {
			if (advance(p) < 0) goto bad;
			if (sl_lex_kw(lx, "not")) {
				neg = 1;
				if (advance(p) < 0) goto bad;
			}
			if (!sl_lex_kw(lx, "null")) { syntax_error(p); goto bad; }
			if (advance(p) < 0) goto bad;
			if (!(e = sl_exprnode_new(E_ISNULL)) || add_arg(p, e, l) < 0) { sl_exprnode_free(e); return fail_nomem(p, l); }
			e->neg = neg;
			l = e;
			if (set_text(p, l, start) < 0) return fail_nomem(p, l);
			continue;
		}
		if (sl_lex_kw(lx, "not")) {
			sl_lex_mark m = sl_lex_save(lx);
			size_t pe = p->prev_end;
			if (advance(p) < 0) goto bad;
			if (!sl_lex_kw(lx, "in") && !sl_lex_kw(lx, "between") && !sl_lex_kw(lx, "like")) {
				sl_lex_restore(lx, m);
				p->prev_end = pe;
				break;
			}
			neg = 1;
		}
		if (sl_lex_kw(lx, "in") || sl_lex_kw(lx, "between")) {
			if (!(l = sl_lex_kw(lx, "in") ? parse_in(p, l) : parse_between(p, l))) return NULL;
			l->neg = neg;
			if (set_text(p, l, start) < 0) return fail_nomem(p, l);
			continue;
		}
		if (sl_lex_kw(lx, "like")) {
			if (advance(p) < 0) goto bad;
			if (!(r = parse_add(p))) goto bad;
			if (!(l = binary(p, E_LIKE, 0, l, r))) return fail_nomem(p, NULL);
			l->neg = neg;
			if (set_text(p, l, start) < 0) return fail_nomem(p, l);
			continue;
		}
		break;
	}
	return l;
bad:
	sl_exprnode_free(l);
	return NULL;
}

static sl_expr *parse_not(struct parser *p)
{
	sl_lex *lx = p->lx;
	size_t start = lx->tok.pos;
	sl_expr *a, *e;
	if (sl_lex_kw(lx, "not")) {
		if (++p->depth > MAX_DEPTH) { perr(p, "expression too deeply nested at position %zu", start + 1); return NULL; }
		if (advance(p) < 0) return NULL;
		a = parse_not(p);
		p->depth--;
		if (!a) return NULL;
		if (!(e = sl_exprnode_new(E_NOT)) || add_arg(p, e, a) < 0) { sl_exprnode_free(a); return fail_nomem(p, e); }
		if (set_text(p, e, start) < 0) return fail_nomem(p, e);
		return e;
	}
	return parse_pred(p);
}

static sl_expr *parse_and(struct parser *p)
{
	sl_lex *lx = p->lx;
	size_t start = lx->tok.pos;
	sl_expr *l = parse_not(p), *r;
	while (l && (sl_lex_kw(lx, "and") || sl_lex_op(lx, "&&"))) {
		if (advance(p) < 0) { sl_exprnode_free(l); return NULL; }
		if (!(r = parse_not(p))) { sl_exprnode_free(l); return NULL; }
		if (!(l = binary(p, E_AND, 0, l, r))) return fail_nomem(p, NULL);
		if (set_text(p, l, start) < 0) return fail_nomem(p, l);
	}
	return l;
}

static sl_expr *parse_or(struct parser *p)
{
	sl_lex *lx = p->lx;
	size_t start = lx->tok.pos;
	sl_expr *l, *r;
	if (++p->depth > MAX_DEPTH) { perr(p, "expression too deeply nested at position %zu", start + 1); return NULL; }
	l = parse_and(p);
	while (l && (sl_lex_kw(lx, "or") || sl_lex_op(lx, "||"))) {
		if (advance(p) < 0) { sl_exprnode_free(l); l = NULL; break; }
		if (!(r = parse_and(p))) { sl_exprnode_free(l); l = NULL; break; }
		if (!(l = binary(p, E_OR, 0, l, r))) { l = fail_nomem(p, NULL); break; }
		if (set_text(p, l, start) < 0) { l = fail_nomem(p, l); break; }
	}
	p->depth--;
	return l;
}

/* Point e's text (inside [from, end)) and its children's into to. */
static void rebase_text(sl_expr *e, const char *from, const char *end, const char *to)
{
	size_t i;
	if (e->text && e->text >= from && e->text + e->textn <= end)
		e->text = to + (e->text - from);
	else {
		e->text = NULL;
		e->textn = 0;
	}
	for (i = 0; i < e->nargs; i++) rebase_text(e->args[i], from, end, to);
}

/* The root keeps one copy of its text; the source may go away. */
static int keep_text(sl_expr *e)
{
	const char *from = e->text ? e->text : "";
	char *own = malloc(e->textn + 1);
	if (!own) return -1;
	memcpy(own, from, e->textn);
	own[e->textn] = 0;
	rebase_text(e, from, from + e->textn, own);
	e->text_own = own;
	return 0;
}

sl_expr *sl_exprparse_run(sl_lex *lx, char *err, size_t errcap)
{
	struct parser p;
	sl_expr *e;
	memset(&p, 0, sizeof p);
	p.lx = lx;
	p.err = err;
	p.errcap = errcap;
	p.prev_end = lx->tok.pos;
	if (errcap) err[0] = 0;
	e = parse_or(&p);
	if (!e && !p.failed) perr(&p, "syntax error");
	if (e && keep_text(e) < 0) {
		perr(&p, "out of memory");
		sl_exprnode_free(e);
		e = NULL;
	}
	return e;
}
