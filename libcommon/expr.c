/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr.c -- the Doris expression engine: parser (precedence OR < AND < NOT
 * < comparison/IS/IN/BETWEEN/LIKE < + - < * / % DIV < unary), binder (column
 * names, result types), evaluator with Doris NULL and implicit-cast rules,
 * casts between values, aggregates, and the per-row arena.
 *
 * Evaluation is per row in sl-map and sl-filter, so it never allocates
 * except from the caller's arena; strings made during evaluation live there
 * until sl_arena_reset.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "sl.h"
#include "types.h"
#include "cast.h"
#include "datetime.h"
#include "lex.h"
#include "expr.h"

#define US_PER_DAY INT64_C(86400000000)
#define US_PER_SEC INT64_C(1000000)
#define MAX_DEPTH SL_EXPR_NEST_MAX
#define MAX_UNIX_TS INT64_C(32536771199)
/* ev() recurses as deep as a tree is high (SL_EXPR_DEPTH_MAX): the helpers
 * it calls stay out of its frame, whose size times that depth must fit the
 * stack with room to spare, under ASan too (tests/unit/test-expr.c). */
#define NOINLINE __attribute__((noinline))

/* ------------------------------------------------------------------ */
/* arena */

struct sl_arena_blk { struct sl_arena_blk *next; size_t cap, used; max_align_t data[]; };

void *sl_arena_alloc(sl_arena *a, size_t n)
{
	struct sl_arena_blk *b;
	if (!a) { errno = EINVAL; return NULL; }
	b = a->head;
	n = (n + 15) & ~(size_t)15;
	if (!n) n = 16;
	if (!b || b->cap - b->used < n) {
		size_t cap = 64 * 1024;
		while (cap < n) cap *= 2;
		b = malloc(sizeof *b + cap);
		if (!b) { errno = ENOMEM; return NULL; }
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		a->used_total += cap;
	}
	{
		void *p = (char *)b->data + b->used;
		b->used += n;
		return p;
	}
}

void sl_arena_reset(sl_arena *a)
{
	struct sl_arena_blk *b, *keep = NULL, *next;
	for (b = a->head; b; b = b->next)
		if (!keep || b->cap > keep->cap) keep = b;
	for (b = a->head; b; b = next) {
		next = b->next;
		if (b != keep) free(b);
	}
	a->head = keep;
	a->used_total = 0;
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
		a->used_total = keep->cap;
	}
}

void sl_arena_free(sl_arena *a)
{
	struct sl_arena_blk *b, *next;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used_total = 0;
}

static char *arena_strdup(sl_arena *a, const char *p, size_t n)
{
	char *d = sl_arena_alloc(a, n + 1);
	if (!d) return NULL;
	memcpy(d, p, n);
	d[n] = 0;
	return d;
}

/* ------------------------------------------------------------------ */
/* the tree */

enum ekind {
	E_LIT, E_COL, E_NEG, E_NOT, E_AND, E_OR, E_CMP, E_ARITH, E_ISNULL, E_IN,
	E_BETWEEN, E_LIKE, E_CASE, E_CAST, E_FUNC, E_AGG,
};
enum cmpop { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_NSEQ };
enum aop { A_ADD, A_SUB, A_MUL, A_DIV, A_MOD, A_IDIV };
enum cat { CAT_INT, CAT_DEC, CAT_DBL };
enum aggfn { AG_COUNT, AG_SUM, AG_MIN, AG_MAX, AG_AVG };

enum fn {
	F_IF, F_IFNULL, F_COALESCE, F_NULLIF, F_YEAR, F_MONTH, F_DAY, F_HOUR,
	F_MINUTE, F_SECOND, F_NOW, F_CURDATE, F_DATE_FORMAT, F_STR_TO_DATE,
	F_FROM_UNIXTIME, F_UNIX_TIMESTAMP, F_CONCAT, F_CONCAT_WS, F_SUBSTR,
	F_UPPER, F_LOWER, F_LENGTH, F_CHAR_LENGTH, F_TRIM, F_LTRIM, F_RTRIM,
	F_REPLACE, F_ABS, F_ROUND, F_FLOOR, F_CEIL, F_TO_DATE, F_DATEDIFF,
	F_LEFT, F_RIGHT,
};

struct fdef { const char *name; int fn, minargs, maxargs; };
static const struct fdef fdefs[] = {
	{ "if", F_IF, 3, 3 }, { "ifnull", F_IFNULL, 2, 2 }, { "nvl", F_IFNULL, 2, 2 },
	{ "coalesce", F_COALESCE, 1, 255 }, { "nullif", F_NULLIF, 2, 2 },
	{ "year", F_YEAR, 1, 1 }, { "month", F_MONTH, 1, 1 }, { "day", F_DAY, 1, 1 },
	{ "dayofmonth", F_DAY, 1, 1 }, { "hour", F_HOUR, 1, 1 }, { "minute", F_MINUTE, 1, 1 },
	{ "second", F_SECOND, 1, 1 }, { "now", F_NOW, 0, 1 }, { "current_timestamp", F_NOW, 0, 1 },
	{ "localtime", F_NOW, 0, 1 }, { "localtimestamp", F_NOW, 0, 1 },
	{ "curdate", F_CURDATE, 0, 0 }, { "current_date", F_CURDATE, 0, 0 },
	{ "date_format", F_DATE_FORMAT, 2, 2 }, { "str_to_date", F_STR_TO_DATE, 2, 2 },
	{ "from_unixtime", F_FROM_UNIXTIME, 1, 2 }, { "unix_timestamp", F_UNIX_TIMESTAMP, 0, 2 },
	{ "concat", F_CONCAT, 1, 255 }, { "concat_ws", F_CONCAT_WS, 2, 255 },
	{ "substr", F_SUBSTR, 2, 3 }, { "substring", F_SUBSTR, 2, 3 }, { "mid", F_SUBSTR, 3, 3 },
	{ "upper", F_UPPER, 1, 1 }, { "ucase", F_UPPER, 1, 1 },
	{ "lower", F_LOWER, 1, 1 }, { "lcase", F_LOWER, 1, 1 },
	{ "length", F_LENGTH, 1, 1 }, { "char_length", F_CHAR_LENGTH, 1, 1 },
	{ "character_length", F_CHAR_LENGTH, 1, 1 },
	{ "trim", F_TRIM, 1, 2 }, { "ltrim", F_LTRIM, 1, 2 }, { "rtrim", F_RTRIM, 1, 2 },
	{ "replace", F_REPLACE, 3, 3 }, { "abs", F_ABS, 1, 1 }, { "round", F_ROUND, 1, 2 },
	{ "floor", F_FLOOR, 1, 1 }, { "ceil", F_CEIL, 1, 1 }, { "ceiling", F_CEIL, 1, 1 },
	{ "to_date", F_TO_DATE, 1, 1 }, { "date", F_TO_DATE, 1, 1 },
	{ "datediff", F_DATEDIFF, 2, 2 }, { "left", F_LEFT, 2, 2 }, { "right", F_RIGHT, 2, 2 },
};

static const char *const aggnames[] = { "count", "sum", "min", "max", "avg" };

struct sl_expr {
	int kind, op, neg;
	sl_type type;            /* result type after bind */
	sl_value lit;            /* E_LIT */
	char *sbuf;              /* literal string bytes / column name */
	size_t sbufn;
	long col;                /* E_COL: bound index */
	sl_expr **args;
	size_t nargs;
	int has_operand;         /* CASE x WHEN ... */
	int has_else;
	const char *text;        /* source text as written: points into the root's text_own */
	size_t textn;
	char *text_own;          /* the root's copy of its own text (one per tree: linear) */
	size_t argcap;
	int height;              /* 1 for a leaf; at most SL_EXPR_DEPTH_MAX */
	int agg_id, distinct, star;
	int cat;                 /* E_ARITH / E_NEG computation category */
	int fmt_has_time;        /* str_to_date with a constant format */
};

static int ieq(const char *a, size_t an, const char *b)
{
	size_t i, bn = strlen(b);
	if (an != bn) return 0;
	for (i = 0; i < an; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z') x += 32;
		if (y >= 'A' && y <= 'Z') y += 32;
		if (x != y) return 0;
	}
	return 1;
}

static int ieqn(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;
	if (an != bn) return 0;
	for (i = 0; i < an; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z') x += 32;
		if (y >= 'A' && y <= 'Z') y += 32;
		if (x != y) return 0;
	}
	return 1;
}

void sl_expr_free(sl_expr *e)
{
	size_t i;
	if (!e) return;
	for (i = 0; i < e->nargs; i++) sl_expr_free(e->args[i]);
	free(e->args);
	free(e->sbuf);
	free(e->text_own);
	free(e);
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

sl_type sl_expr_type(const sl_expr *e) { return e->type; }

int sl_expr_has_aggs(const sl_expr *e)
{
	size_t i;
	if (e->kind == E_AGG) return 1;
	for (i = 0; i < e->nargs; i++)
		if (sl_expr_has_aggs(e->args[i])) return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* parser */

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

static sl_expr *node(int kind)
{
	sl_expr *e = calloc(1, sizeof *e);
	if (e) {
		e->kind = kind;
		e->col = -1;
		e->agg_id = -1;
		e->height = 1;
	}
	return e;
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
	sl_expr_free(e);
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
	sl_expr *e = node(kind);
	if (!e || add_arg(p, e, l) < 0 || add_arg(p, e, r) < 0) {
		if (!e || e->nargs == 0) sl_expr_free(l);
		sl_expr_free(r);
		sl_expr_free(e);
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
	sl_expr *e = node(E_LIT);
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
	sl_expr *e = node(E_LIT);
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
	sl_expr *e = node(E_CASE), *a;
	if (!e) return fail_nomem(p, NULL);
	if (advance(p) < 0) goto bad;
	if (!sl_lex_kw(lx, "when")) {
		if (!(a = parse_or(p))) goto bad;
		if (add_arg(p, e, a) < 0) { sl_expr_free(a); goto nomem; }
		e->has_operand = 1;
	}
	if (!sl_lex_kw(lx, "when")) { syntax_error(p); goto bad; }
	while (sl_lex_kw(lx, "when")) {
		if (advance(p) < 0) goto bad;
		if (!(a = parse_or(p))) goto bad;
		if (add_arg(p, e, a) < 0) { sl_expr_free(a); goto nomem; }
		if (!sl_lex_kw(lx, "then")) { syntax_error(p); goto bad; }
		if (advance(p) < 0) goto bad;
		if (!(a = parse_or(p))) goto bad;
		if (add_arg(p, e, a) < 0) { sl_expr_free(a); goto nomem; }
	}
	if (sl_lex_kw(lx, "else")) {
		if (advance(p) < 0) goto bad;
		if (!(a = parse_or(p))) goto bad;
		if (add_arg(p, e, a) < 0) { sl_expr_free(a); goto nomem; }
		e->has_else = 1;
	}
	if (!sl_lex_kw(lx, "end")) { syntax_error(p); goto bad; }
	if (advance(p) < 0) goto bad;
	if (set_text(p, e, start) < 0) goto nomem;
	return e;
nomem:
	return fail_nomem(p, e);
bad:
	sl_expr_free(e);
	return NULL;
}

static int lookup_fn(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < SL_ARRAY_LEN(fdefs); i++)
		if (ieq(s, n, fdefs[i].name)) return (int)i;
	return -1;
}

static int lookup_agg(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < SL_ARRAY_LEN(aggnames); i++)
		if (ieq(s, n, aggnames[i])) return (int)i;
	return -1;
}

static sl_expr *parse_call(struct parser *p, const char *name, size_t namen, size_t start)
{
	sl_lex *lx = p->lx;
	int ag = lookup_agg(name, namen), fi = -1;
	sl_expr *e, *a;
	if (ag < 0) {
		fi = lookup_fn(name, namen);
		if (fi < 0) {
			perr(p, "Can not found function '%.*s' at position %zu", (int)namen, name, start + 1);
			return NULL;
		}
	}
	e = node(ag >= 0 ? E_AGG : E_FUNC);
	if (!e) return fail_nomem(p, NULL);
	e->op = ag >= 0 ? ag : fi;
	e->sbuf = malloc(namen + 1);
	if (!e->sbuf) return fail_nomem(p, e);
	memcpy(e->sbuf, name, namen);
	e->sbuf[namen] = 0;
	e->sbufn = namen;
	if (advance(p) < 0) goto bad;           /* '(' */
	if (ag >= 0 && sl_lex_kw(lx, "distinct")) {
		e->distinct = 1;
		if (advance(p) < 0) goto bad;
	}
	if (ag == AG_COUNT && !e->distinct && sl_lex_op(lx, "*")) {
		e->star = 1;
		if (advance(p) < 0) goto bad;
	} else if (!sl_lex_op(lx, ")")) {
		for (;;) {
			if (!(a = parse_or(p))) goto bad;
			if (add_arg(p, e, a) < 0) { sl_expr_free(a); return fail_nomem(p, e); }
			if (!sl_lex_op(lx, ",")) break;
			if (advance(p) < 0) goto bad;
		}
	}
	if (!sl_lex_op(lx, ")")) { syntax_error(p); goto bad; }
	if (advance(p) < 0) goto bad;
	if (ag >= 0) {
		if (!e->star && e->nargs != 1) {
			perr(p, "Can not found function '%.*s' which has %zu arity", (int)namen, name, e->nargs);
			goto bad;
		}
	} else {
		const struct fdef *d = &fdefs[fi];
		e->op = d->fn;
		if ((int)e->nargs < d->minargs || (int)e->nargs > d->maxargs) {
			perr(p, "Can not found function '%.*s' which has %zu arity", (int)namen, name, e->nargs);
			goto bad;
		}
	}
	if (set_text(p, e, start) < 0) return fail_nomem(p, e);
	return e;
bad:
	sl_expr_free(e);
	return NULL;
}

static sl_expr *parse_primary(struct parser *p)
{
	sl_lex *lx = p->lx;
	sl_tok t = lx->tok;
	size_t start = t.pos;
	sl_expr *e;

	if (t.kind == SL_TOK_INT || t.kind == SL_TOK_NUMBER) {
		if (!(e = parse_number(p))) return NULL;
		if (advance(p) < 0) { sl_expr_free(e); return NULL; }
		if (set_text(p, e, start) < 0) return fail_nomem(p, e);
		return e;
	}
	if (t.kind == SL_TOK_STRING) {
		if (!(e = string_lit(t.str, t.strn))) return fail_nomem(p, NULL);
		if (advance(p) < 0) { sl_expr_free(e); return NULL; }
		/* adjacent literals concatenate: 'a' 'b' */
		while (lx->tok.kind == SL_TOK_STRING) {
			char *nb = realloc(e->sbuf, e->sbufn + lx->tok.strn + 1);
			if (!nb) return fail_nomem(p, e);
			memcpy(nb + e->sbufn, lx->tok.str, lx->tok.strn + 1);
			e->sbuf = nb;
			e->sbufn += lx->tok.strn;
			e->lit.u.s.p = nb;
			e->lit.u.s.n = e->sbufn;
			if (advance(p) < 0) { sl_expr_free(e); return NULL; }
		}
		if (set_text(p, e, start) < 0) return fail_nomem(p, e);
		return e;
	}
	if (sl_lex_op(lx, "(")) {
		if (advance(p) < 0) return NULL;
		if (!(e = parse_or(p))) return NULL;
		if (!sl_lex_op(lx, ")")) { syntax_error(p); sl_expr_free(e); return NULL; }
		if (advance(p) < 0) { sl_expr_free(e); return NULL; }
		if (set_text(p, e, start) < 0) return fail_nomem(p, e);
		return e;
	}
	if (t.kind == SL_TOK_QIDENT || t.kind == SL_TOK_IDENT) {
		const char *name = t.kind == SL_TOK_QIDENT ? t.str : t.p;
		size_t namen = t.kind == SL_TOK_QIDENT ? t.strn : t.n;
		char *copy = NULL;
		if (t.kind == SL_TOK_IDENT) {
			if (sl_lex_kw(lx, "null") || sl_lex_kw(lx, "true") || sl_lex_kw(lx, "false")) {
				if (!(e = node(E_LIT))) return fail_nomem(p, NULL);
				if (sl_lex_kw(lx, "null")) {
					e->type.kind = SL_T_NULL;
				} else {
					e->type.kind = SL_T_BOOLEAN;
					e->lit.kind = SL_V_INT;
					e->lit.u.i = sl_lex_kw(lx, "true");
					e->lit.tkind = SL_T_BOOLEAN;
				}
				if (advance(p) < 0) { sl_expr_free(e); return NULL; }
				if (set_text(p, e, start) < 0) return fail_nomem(p, e);
				return e;
			}
			if (sl_lex_kw(lx, "case")) return parse_case(p, start);
			if (sl_lex_kw(lx, "cast")) {
				sl_expr *a;
				if (advance(p) < 0) return NULL;
				if (!sl_lex_op(lx, "(")) { syntax_error(p); return NULL; }
				if (advance(p) < 0) return NULL;
				if (!(a = parse_or(p))) return NULL;
				if (!sl_lex_kw(lx, "as")) { syntax_error(p); sl_expr_free(a); return NULL; }
				if (advance(p) < 0) { sl_expr_free(a); return NULL; }
				if (!(e = node(E_CAST)) || add_arg(p, e, a) < 0) { sl_expr_free(a); return fail_nomem(p, e); }
				if (parse_cast_type(p, &e->type) < 0) { sl_expr_free(e); return NULL; }
				if (!sl_lex_op(lx, ")")) { syntax_error(p); sl_expr_free(e); return NULL; }
				if (advance(p) < 0) { sl_expr_free(e); return NULL; }
				if (set_text(p, e, start) < 0) return fail_nomem(p, e);
				return e;
			}
			if (sl_lex_kw(lx, "date") || sl_lex_kw(lx, "datetime") || sl_lex_kw(lx, "timestamp")) {
				/* typed literal DATE '2024-01-01' */
				sl_lex_mark m = sl_lex_save(lx);
				int isdate = sl_lex_kw(lx, "date");
				if (advance(p) < 0) return NULL;
				if (lx->tok.kind == SL_TOK_STRING) {
					sl_type tt = { .kind = isdate ? SL_T_DATE : SL_T_DATETIME, .scale = isdate ? 0 : 6 };
					sl_value v;
					if (!sl_cast_text(&tt, lx->tok.str, lx->tok.strn, &v)) {
						perr(p, "Invalid %s literal '%s' at position %zu", isdate ? "date" : "datetime",
						     lx->tok.str, start + 1);
						return NULL;
					}
					if (!(e = node(E_LIT))) return fail_nomem(p, NULL);
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
					if (advance(p) < 0) { sl_expr_free(e); return NULL; }
					if (set_text(p, e, start) < 0) return fail_nomem(p, e);
					return e;
				}
				sl_lex_restore(lx, m);
				p->prev_end = start;
			}
			if (is_reserved(&lx->tok)) { syntax_error(p); return NULL; }
		}
		copy = malloc(namen + 1);
		if (!copy) return fail_nomem(p, NULL);
		memcpy(copy, name, namen);
		copy[namen] = 0;
		if (advance(p) < 0) { free(copy); return NULL; }
		if (t.kind == SL_TOK_IDENT && sl_lex_op(lx, "(")) {
			e = parse_call(p, copy, namen, start);
			free(copy);
			return e;
		}
		/* qualified name t.col: keep the last part */
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
		if (t.kind == SL_TOK_IDENT && (ieq(copy, namen, "current_timestamp") || ieq(copy, namen, "current_date")
		    || ieq(copy, namen, "localtime") || ieq(copy, namen, "localtimestamp"))) {
			int fi = lookup_fn(copy, namen);
			if (!(e = node(E_FUNC))) { free(copy); return fail_nomem(p, NULL); }
			e->op = fdefs[fi].fn;
			e->sbuf = copy;
			e->sbufn = namen;
			if (set_text(p, e, start) < 0) return fail_nomem(p, e);
			return e;
		}
		if (!(e = node(E_COL))) { free(copy); return fail_nomem(p, NULL); }
		e->sbuf = copy;
		e->sbufn = namen;
		if (set_text(p, e, start) < 0) return fail_nomem(p, e);
		return e;
	}
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
		if (!(e = node(neg ? E_NEG : E_NOT)) || add_arg(p, e, a) < 0) { sl_expr_free(a); return fail_nomem(p, e); }
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
		if (advance(p) < 0) { sl_expr_free(l); return NULL; }
		if (!(r = parse_unary(p))) { sl_expr_free(l); return NULL; }
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
		if (advance(p) < 0) { sl_expr_free(l); return NULL; }
		if (!(r = parse_mul(p))) { sl_expr_free(l); return NULL; }
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
			if (!(e = node(E_ISNULL)) || add_arg(p, e, l) < 0) { sl_expr_free(e); return fail_nomem(p, l); }
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
		if (sl_lex_kw(lx, "in")) {
			if (advance(p) < 0) goto bad;
			if (!sl_lex_op(lx, "(")) { syntax_error(p); goto bad; }
			if (advance(p) < 0) goto bad;
			if (!(e = node(E_IN)) || add_arg(p, e, l) < 0) { sl_expr_free(e); return fail_nomem(p, l); }
			l = e;
			for (;;) {
				if (!(r = parse_or(p))) goto bad;
				if (add_arg(p, l, r) < 0) { sl_expr_free(r); return fail_nomem(p, l); }
				if (!sl_lex_op(lx, ",")) break;
				if (advance(p) < 0) goto bad;
			}
			if (!sl_lex_op(lx, ")")) { syntax_error(p); goto bad; }
			if (advance(p) < 0) goto bad;
			l->neg = neg;
			if (set_text(p, l, start) < 0) return fail_nomem(p, l);
			continue;
		}
		if (sl_lex_kw(lx, "between")) {
			sl_expr *lo, *hi;
			if (advance(p) < 0) goto bad;
			if (!(lo = parse_add(p))) goto bad;
			if (!sl_lex_kw(lx, "and")) { syntax_error(p); sl_expr_free(lo); goto bad; }
			if (advance(p) < 0) { sl_expr_free(lo); goto bad; }
			if (!(hi = parse_add(p))) { sl_expr_free(lo); goto bad; }
			if (!(e = node(E_BETWEEN)) || add_arg(p, e, l) < 0) {
				sl_expr_free(e); sl_expr_free(lo); sl_expr_free(hi); return fail_nomem(p, l);
			}
			l = e;
			if (add_arg(p, l, lo) < 0) { sl_expr_free(lo); sl_expr_free(hi); return fail_nomem(p, l); }
			if (add_arg(p, l, hi) < 0) { sl_expr_free(hi); return fail_nomem(p, l); }
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
	sl_expr_free(l);
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
		if (!(e = node(E_NOT)) || add_arg(p, e, a) < 0) { sl_expr_free(a); return fail_nomem(p, e); }
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
		if (advance(p) < 0) { sl_expr_free(l); return NULL; }
		if (!(r = parse_not(p))) { sl_expr_free(l); return NULL; }
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
		if (advance(p) < 0) { sl_expr_free(l); l = NULL; break; }
		if (!(r = parse_and(p))) { sl_expr_free(l); l = NULL; break; }
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

sl_expr *sl_expr_parse_lex(sl_lex *lx, char *err, size_t errcap)
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
		sl_expr_free(e);
		e = NULL;
	}
	return e;
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

/* ------------------------------------------------------------------ */
/* types */

static int is_int_kind(int k) { return k >= SL_T_BOOLEAN && k <= SL_T_LARGEINT; }
static int is_str_kind(int k) { return k == SL_T_CHAR || k == SL_T_VARCHAR || k == SL_T_STRING; }
static int is_date_kind(int k) { return k == SL_T_DATE || k == SL_T_DATETIME; }

static sl_type mk_type(int kind)
{
	sl_type t;
	memset(&t, 0, sizeof t);
	t.kind = (uint8_t)kind;
	if (kind == SL_T_VARCHAR) t.len = 65533;
	if (kind == SL_T_STRING) t.len = 2147483643;
	if (kind == SL_T_CHAR) t.len = 1;
	return t;
}

static sl_type mk_dec(int prec, int scale)
{
	sl_type t = mk_type(SL_T_DECIMAL);
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
static sl_type common_type(sl_type a, sl_type b)
{
	if (a.kind == SL_T_NULL) return b;
	if (b.kind == SL_T_NULL) return a;
	if (a.kind == b.kind && a.kind != SL_T_DECIMAL) {
		if (is_str_kind(a.kind)) {
			if (a.kind == SL_T_STRING) return a;
			return mk_type(a.kind == SL_T_CHAR && b.kind == SL_T_CHAR ? SL_T_VARCHAR : SL_T_VARCHAR);
		}
		if (a.kind == SL_T_DATETIME && b.scale > a.scale) return b;
		return a;
	}
	if (is_str_kind(a.kind) || is_str_kind(b.kind)) {
		if (a.kind == SL_T_STRING || b.kind == SL_T_STRING) return mk_type(SL_T_STRING);
		return mk_type(SL_T_VARCHAR);
	}
	if (is_date_kind(a.kind) && is_date_kind(b.kind)) {
		sl_type t = mk_type(SL_T_DATETIME);
		t.scale = a.kind == SL_T_DATETIME ? a.scale : 0;
		if (b.kind == SL_T_DATETIME && b.scale > t.scale) t.scale = b.scale;
		return t;
	}
	if (is_date_kind(a.kind) || is_date_kind(b.kind)) return mk_type(SL_T_VARCHAR);
	if (a.kind == SL_T_DOUBLE || b.kind == SL_T_DOUBLE || a.kind == SL_T_FLOAT || b.kind == SL_T_FLOAT)
		return mk_type(SL_T_DOUBLE);
	if (a.kind == SL_T_DECIMAL || b.kind == SL_T_DECIMAL) {
		int pa, sa, pb, sb, s, ip;
		dec_of(&a, &pa, &sa);
		dec_of(&b, &pb, &sb);
		s = sa > sb ? sa : sb;
		ip = (pa - sa) > (pb - sb) ? pa - sa : pb - sb;
		return mk_dec(ip + s, s);
	}
	return a.kind > b.kind ? a : b;
}

/* ------------------------------------------------------------------ */
/* binder */

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
			if (ieqn(o, strlen(o), nm, n)) break;
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
			if (ieqn(o, strlen(o), p, n)) return b->tab[j];
		}
		return b->sc->ncols;
	}
	for (k = 0; k < b->sc->ncols; k++) {
		const char *nm = b->sc->names[k];
		if (nm && ieqn(nm, strlen(nm), p, n)) break;
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

/* Does a constant format string contain time-of-day specifiers? */
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
	switch (e->kind) {
	case E_LIT:
		break;
	case E_COL: {
		size_t k = scope_find(b, e->sbuf, e->sbufn);
		if (k == b->sc->ncols)
			return berr(b, "Unknown column '%s' in 'table list'", e->sbuf);
		e->col = (long)k;
		e->type = b->sc->types ? b->sc->types[k] : mk_type(SL_T_VARCHAR);
		break;
	}
	case E_NEG: {
		sl_type a = e->args[0]->type;
		if (is_int_kind(a.kind)) {
			e->cat = CAT_INT;
			e->type = mk_type(a.kind == SL_T_LARGEINT ? SL_T_LARGEINT : SL_T_BIGINT);
		} else if (a.kind == SL_T_DECIMAL) {
			e->cat = CAT_DEC;
			e->type = a;
		} else if (a.kind == SL_T_NULL) {
			e->cat = CAT_INT;
			e->type = mk_type(SL_T_BIGINT);
		} else {
			e->cat = CAT_DBL;
			e->type = mk_type(SL_T_DOUBLE);
		}
		break;
	}
	case E_NOT: case E_AND: case E_OR: case E_CMP: case E_ISNULL: case E_IN:
	case E_BETWEEN: case E_LIKE:
		e->type = mk_type(SL_T_BOOLEAN);
		break;
	case E_ARITH: {
		sl_type a = e->args[0]->type, c = e->args[1]->type;
		int ka = a.kind == SL_T_NULL ? SL_T_TINYINT : a.kind;
		int kc = c.kind == SL_T_NULL ? SL_T_TINYINT : c.kind;
		int aint = is_int_kind(ka), cint = is_int_kind(kc);
		int adec = aint || ka == SL_T_DECIMAL, cdec = cint || kc == SL_T_DECIMAL;
		if (aint && cint && e->op != A_DIV) {
			e->cat = CAT_INT;
			if (e->op == A_MOD) e->type = mk_type(ka > kc ? ka : kc);
			else if (ka == SL_T_LARGEINT || kc == SL_T_LARGEINT
			         || (e->op != A_IDIV && (ka == SL_T_BIGINT || kc == SL_T_BIGINT)))
				e->type = mk_type(SL_T_LARGEINT);
			else e->type = mk_type(SL_T_BIGINT);
			if (e->op == A_MOD && e->type.kind == SL_T_BOOLEAN) e->type = mk_type(SL_T_TINYINT);
		} else if (adec && cdec && !(aint && cint)) {
			int pa, sa, pc, sc;
			sl_type ta = mk_type(ka), tc = mk_type(kc);
			if (ka == SL_T_DECIMAL) ta = a;
			if (kc == SL_T_DECIMAL) tc = c;
			dec_of(&ta, &pa, &sa);
			dec_of(&tc, &pc, &sc);
			e->cat = CAT_DEC;
			switch (e->op) {
			case A_ADD: case A_SUB: {
				int s = sa > sc ? sa : sc, ip = (pa - sa) > (pc - sc) ? pa - sa : pc - sc;
				e->type = mk_dec(ip + s + 1, s);
				break;
			}
			case A_MUL:
				e->type = mk_dec(pa + pc, sa + sc);
				break;
			case A_DIV:
				e->type = mk_dec(pa + sc + 4, sa + 4 > 38 ? 38 : sa + 4);
				break;
			case A_MOD:
				e->type = mk_dec((pa - sa > pc - sc ? pa - sa : pc - sc) + (sa > sc ? sa : sc), sa > sc ? sa : sc);
				break;
			case A_IDIV:
				e->type = mk_type(SL_T_BIGINT);
				break;
			}
		} else if (aint && cint) {
			/* int / int */
			e->cat = CAT_DBL;
			e->type = mk_type(SL_T_DOUBLE);
		} else {
			e->cat = CAT_DBL;
			e->type = mk_type(e->op == A_IDIV ? SL_T_BIGINT : SL_T_DOUBLE);
		}
		break;
	}
	case E_CASE: {
		sl_type t = mk_type(SL_T_NULL);
		size_t k = e->has_operand ? 1 : 0;
		for (; k + 1 < e->nargs || (k < e->nargs && !e->has_else); k += 2)
			if (k + 1 < e->nargs) t = common_type(t, e->args[k + 1]->type);
		if (e->has_else) t = common_type(t, e->args[e->nargs - 1]->type);
		e->type = t;
		break;
	}
	case E_CAST:
		break;
	case E_AGG: {
		sl_type a = e->nargs ? e->args[0]->type : mk_type(SL_T_BIGINT);
		if (!b->sc->allow_aggs)
			return berr(b, "aggregate function %.*s is not allowed here", (int)(e->text ? e->textn : e->sbufn), e->text ? e->text : e->sbuf);
		switch (e->op) {
		case AG_COUNT: e->type = mk_type(SL_T_BIGINT); break;
		case AG_SUM:
			if (is_int_kind(a.kind)) e->type = mk_type(a.kind == SL_T_LARGEINT ? SL_T_LARGEINT : SL_T_BIGINT);
			else if (a.kind == SL_T_DECIMAL) e->type = mk_dec(38, a.scale);
			else e->type = mk_type(SL_T_DOUBLE);
			break;
		case AG_AVG:
			if (a.kind == SL_T_DECIMAL) e->type = mk_dec(38, a.scale > 4 ? a.scale : 4);
			else e->type = mk_type(SL_T_DOUBLE);
			break;
		default:
			e->type = a;
			break;
		}
		break;
	}
	case E_FUNC: {
		sl_type a0 = e->nargs > 0 ? e->args[0]->type : mk_type(SL_T_NULL);
		switch (e->op) {
		case F_IF: e->type = common_type(e->args[1]->type, e->args[2]->type); break;
		case F_IFNULL: e->type = common_type(e->args[0]->type, e->args[1]->type); break;
		case F_COALESCE:
			e->type = mk_type(SL_T_NULL);
			for (i = 0; i < e->nargs; i++) e->type = common_type(e->type, e->args[i]->type);
			break;
		case F_NULLIF: e->type = a0; break;
		case F_YEAR: case F_MONTH: case F_DAY: case F_HOUR: case F_MINUTE: case F_SECOND:
		case F_LENGTH: case F_CHAR_LENGTH: case F_DATEDIFF:
			e->type = mk_type(SL_T_INT);
			break;
		case F_UNIX_TIMESTAMP: e->type = mk_type(SL_T_BIGINT); break;
		case F_NOW:
			e->type = mk_type(SL_T_DATETIME);
			if (e->nargs) {
				const sl_expr *x = e->args[0];
				if (x->kind != E_LIT || x->lit.kind != SL_V_INT || x->lit.u.i < 0 || x->lit.u.i > 6)
					return berr(b, "The precision of %s must be an integer between 0 and 6", e->sbuf);
				e->type.scale = (uint8_t)x->lit.u.i;
			}
			break;
		case F_CURDATE: case F_TO_DATE: e->type = mk_type(SL_T_DATE); break;
		case F_STR_TO_DATE: {
			const sl_expr *f = e->args[1];
			e->type = mk_type(SL_T_DATETIME);
			e->fmt_has_time = 2;
			if (f->kind == E_LIT && f->lit.kind == SL_V_STRING) {
				int k = fmt_time_kind(f->lit.u.s.p, f->lit.u.s.n);
				e->fmt_has_time = k;
				if (k == 0) e->type = mk_type(SL_T_DATE);
				else if (k == 2) e->type.scale = 6;
			} else e->type.scale = 6;
			break;
		}
		case F_DATE_FORMAT: case F_FROM_UNIXTIME: case F_CONCAT: case F_CONCAT_WS:
		case F_SUBSTR: case F_UPPER: case F_LOWER: case F_TRIM: case F_LTRIM: case F_RTRIM:
		case F_REPLACE: case F_LEFT: case F_RIGHT:
			e->type = mk_type(SL_T_VARCHAR);
			break;
		case F_ABS:
			if (is_int_kind(a0.kind))
				e->type = mk_type(a0.kind >= SL_T_BIGINT ? SL_T_LARGEINT : SL_T_BIGINT);
			else if (a0.kind == SL_T_DECIMAL) e->type = a0;
			else e->type = mk_type(SL_T_DOUBLE);
			break;
		case F_ROUND: case F_FLOOR: case F_CEIL:
			if (is_int_kind(a0.kind)) e->type = mk_type(a0.kind >= SL_T_BIGINT ? a0.kind : SL_T_BIGINT);
			else if (a0.kind == SL_T_DECIMAL) {
				int d = 0;
				if (e->op == F_ROUND && e->nargs == 2) {
					const sl_expr *x = e->args[1];
					if (x->kind == E_LIT && x->lit.kind == SL_V_INT) d = (int)x->lit.u.i;
					else d = a0.scale;
				}
				if (d < 0) d = 0;
				if (d > a0.scale) d = a0.scale;
				e->type = mk_dec(a0.prec - a0.scale + d + 1 > 38 ? 38 : a0.prec - a0.scale + d + 1, d);
			} else e->type = mk_type(SL_T_DOUBLE);
			break;
		}
		break;
	}
	}
	return 1;
}

int sl_expr_bind(sl_expr *e, const sl_expr_scope *sc, char *err, size_t errcap)
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

/* ------------------------------------------------------------------ */
/* numeric helpers */

static const __int128 I128_MAX = (__int128)(((unsigned __int128)1 << 127) - 1);
#define I128_MIN (-I128_MAX - 1)

static __int128 p10(int n) { return sl_pow10_i128(n); }

/* Date as the number YYYYMMDD, datetime as YYYYMMDDHHMMSS (MySQL). */
static __int128 date_number(const sl_value *v)
{
	int y; unsigned m, d;
	if (v->kind == SL_V_DATE) {
		sl_civil_from_days(v->u.i, &y, &m, &d);
		return (__int128)y * 10000 + m * 100 + d;
	} else {
		int64_t us = v->u.i, days = us / US_PER_DAY, sod;
		if (us % US_PER_DAY < 0) days--;
		sod = (us - days * US_PER_DAY) / US_PER_SEC;
		sl_civil_from_days(days, &y, &m, &d);
		return ((__int128)y * 10000 + m * 100 + d) * 1000000 + (sod / 3600) * 10000 + (sod / 60 % 60) * 100 + sod % 60;
	}
}

/* Value as double; 0 if not convertible (string that is not a number). */
static int to_double(const sl_value *v, double *d)
{
	switch (v->kind) {
	case SL_V_INT: *d = (double)v->u.i; return 1;
	case SL_V_LARGE: *d = (double)v->u.l; return 1;
	case SL_V_DOUBLE: *d = v->u.d; return 1;
	case SL_V_DECIMAL: *d = (double)((long double)v->u.l / (long double)p10(v->scale)); return 1;
	case SL_V_DATE: case SL_V_DATETIME: *d = (double)date_number(v); return 1;
	case SL_V_STRING: return sl_parse_double(v->u.s.p, v->u.s.n, d);
	default: return 0;
	}
}

/* Integer value (truncating decimals and doubles); 0 if not convertible. */
static int to_i128(const sl_value *v, __int128 *x)
{
	switch (v->kind) {
	case SL_V_INT: *x = v->u.i; return 1;
	case SL_V_LARGE: *x = v->u.l; return 1;
	case SL_V_DECIMAL: *x = v->u.l / p10(v->scale); return 1;
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
static int rescale(__int128 x, int from, int to, __int128 *out)
{
	if (to == from) { *out = x; return 1; }
	if (to > from) {
		int d = to - from;
		if (d > 38) return x == 0 ? (*out = 0, 1) : 0;
		if (__builtin_mul_overflow(x, p10(d), out)) return 0;
		return 1;
	} else {
		int d = from - to;
		__int128 q, r, h;
		if (d > 38) { *out = 0; return 1; }
		q = x / p10(d);
		r = x % p10(d);
		h = p10(d) / 2;
		if (r >= h && r > 0) q++;
		else if (r <= -h && r < 0) q--;
		*out = q;
		return 1;
	}
}

/* Value as an unscaled decimal at its natural scale (ints scale 0). */
static int to_dec(const sl_value *v, __int128 *x, int *scale)
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
	__int128 lim = p10(prec > 38 ? 38 : prec);
	return x < lim && x > -lim;
}

/* ------------------------------------------------------------------ */
/* casts */

static void set_null(sl_value *out)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_NULL;
}

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

static int64_t floordiv64(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
	return q;
}

/* Round microseconds to `scale` fractional digits (half up). */
static int64_t round_us(int64_t us, int scale)
{
	int64_t unit, r;
	if (scale >= 6) return us;
	unit = 1;
	for (r = scale; r < 6; r++) unit *= 10;
	r = us - floordiv64(us, unit) * unit;
	us -= r;
	if (r * 2 >= unit) us += unit;
	return us;
}

int sl_value_cast(const sl_value *in, const sl_type *t, sl_arena *a, sl_value *out)
{
	sl_value v = *in;
	int k = t->kind;

	if (in->kind == SL_V_NULL || k == SL_T_NULL) { set_null(out); out->tkind = (uint8_t)k; return 1; }
	if (is_str_kind(k)) {
		const char *p;
		size_t n;
		int r = value_to_text(in, a, &p, &n);
		if (r <= 0) { set_null(out); if (r < 0) errno = ENOMEM; return 0; }
		memset(out, 0, sizeof *out);
		out->kind = SL_V_STRING;
		out->tkind = (uint8_t)k;
		out->u.s.p = p;
		out->u.s.n = n;
		return 1;
	}
	if (in->kind == SL_V_STRING) {
		sl_value o;
		int r = sl_cast_text(t, in->u.s.p, in->u.s.n, &o);
		*out = o;
		if (!r) set_null(out);
		out->tkind = (uint8_t)k;
		return r;
	}
	memset(out, 0, sizeof *out);
	out->tkind = (uint8_t)k;
	switch (k) {
	case SL_T_BOOLEAN: {
		double d;
		if (v.kind == SL_V_DATE || v.kind == SL_V_DATETIME) { out->kind = SL_V_INT; out->u.i = 1; return 1; }
		if (v.kind == SL_V_DOUBLE) { d = v.u.d; out->kind = SL_V_INT; out->u.i = d != 0; return 1; }
		out->kind = SL_V_INT;
		out->u.i = v.kind == SL_V_INT ? v.u.i != 0 : v.u.l != 0;
		return 1;
	}
	case SL_T_TINYINT: case SL_T_SMALLINT: case SL_T_INT: case SL_T_BIGINT: case SL_T_LARGEINT: {
		__int128 x, lo, hi;
		if (!to_i128(&v, &x)) goto null;
		switch (k) {
		case SL_T_TINYINT: lo = INT8_MIN; hi = INT8_MAX; break;
		case SL_T_SMALLINT: lo = INT16_MIN; hi = INT16_MAX; break;
		case SL_T_INT: lo = INT32_MIN; hi = INT32_MAX; break;
		case SL_T_BIGINT: lo = INT64_MIN; hi = INT64_MAX; break;
		default: lo = I128_MIN; hi = I128_MAX; break;
		}
		if (x < lo || x > hi) goto null;
		if (k == SL_T_LARGEINT) { out->kind = SL_V_LARGE; out->u.l = x; }
		else { out->kind = SL_V_INT; out->u.i = (int64_t)x; }
		return 1;
	}
	case SL_T_FLOAT: case SL_T_DOUBLE: {
		double d;
		if (!to_double(&v, &d)) goto null;
		out->kind = SL_V_DOUBLE;
		out->u.d = k == SL_T_FLOAT ? (double)(float)d : d;
		return 1;
	}
	case SL_T_DECIMAL: {
		__int128 x;
		int s;
		if (v.kind == SL_V_DOUBLE) {
			long double d = (long double)v.u.d * (long double)p10(t->scale);
			if (isnan(v.u.d) || d >= 1e38L || d <= -1e38L) goto null;
			d = d < 0 ? d - 0.5L : d + 0.5L;
			x = (__int128)d;
		} else {
			if (!to_dec(&v, &x, &s)) goto null;
			if (!rescale(x, s, t->scale, &x)) goto null;
		}
		if (!dec_fits(x, t->prec)) goto null;
		out->kind = SL_V_DECIMAL;
		out->u.l = x;
		out->prec = t->prec;
		out->scale = t->scale;
		return 1;
	}
	case SL_T_DATE:
		if (v.kind == SL_V_DATE) { *out = v; out->tkind = SL_T_DATE; return 1; }
		if (v.kind == SL_V_DATETIME) {
			out->kind = SL_V_DATE;
			out->u.i = floordiv64(v.u.i, US_PER_DAY);
			return 1;
		}
		/* FALLTHROUGH */
	case SL_T_DATETIME:
		if (v.kind == SL_V_DATE) {
			if (k == SL_T_DATE) { *out = v; return 1; }
			out->kind = SL_V_DATETIME;
			out->u.i = v.u.i * US_PER_DAY;
			out->scale = t->scale;
			return 1;
		}
		if (v.kind == SL_V_DATETIME) {
			out->kind = SL_V_DATETIME;
			out->u.i = round_us(v.u.i, t->scale);
			out->scale = t->scale;
			return 1;
		}
		if (v.kind == SL_V_INT || v.kind == SL_V_LARGE || v.kind == SL_V_DECIMAL) {
			/* 20240102 / 20240102030405 as a date number */
			char buf[SL_VALUE_FMT_MAX];
			sl_value o;
			__int128 x;
			size_t n;
			if (!to_i128(&v, &x) || x < 0) goto null;
			n = sl_fmt_i128(x, buf);
			if (!sl_cast_text(t, buf, n, &o)) goto null;
			*out = o;
			return 1;
		}
		goto null;
	default:
		goto null;
	}
null:
	set_null(out);
	out->tkind = (uint8_t)k;
	return 0;
}

/* Compare with implicit casts. 1 with *res, or 0 when a side cannot be
 * converted (the comparison is then NULL). */
NOINLINE static int cmp3(const sl_value *a, const sl_value *b, int *res)
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
		if (ka == SL_V_DATE) x = a->u.i * US_PER_DAY;
		else if (ka == SL_V_DATETIME) x = a->u.i;
		else if (!sl_parse_datetime(a->u.s.p, a->u.s.n, 6, &x)) return 0;
		if (kb == SL_V_DATE) y = b->u.i * US_PER_DAY;
		else if (kb == SL_V_DATETIME) y = b->u.i;
		else if (!sl_parse_datetime(b->u.s.p, b->u.s.n, 6, &y)) return 0;
		*res = x < y ? -1 : x > y;
		return 1;
	}
	if (ka == SL_V_DOUBLE || kb == SL_V_DOUBLE || ka == SL_V_STRING || kb == SL_V_STRING) {
		double x, y;
		if (!to_double(a, &x) || !to_double(b, &y)) return 0;
		*res = x < y ? -1 : x > y;
		return 1;
	}
	if (ka == SL_V_DECIMAL || kb == SL_V_DECIMAL) {
		__int128 x, y;
		int sx, sy;
		if (!to_dec(a, &x, &sx) || !to_dec(b, &y, &sy)) return 0;
		if (sx < sy) {
			if (!rescale(x, sx, sy, &x)) { double d1, d2; to_double(a, &d1); to_double(b, &d2); *res = d1 < d2 ? -1 : d1 > d2; return 1; }
		} else if (sy < sx) {
			if (!rescale(y, sy, sx, &y)) { double d1, d2; to_double(a, &d1); to_double(b, &d2); *res = d1 < d2 ? -1 : d1 > d2; return 1; }
		}
		*res = x < y ? -1 : x > y;
		return 1;
	}
	{
		__int128 x, y;
		if (!to_i128(a, &x) || !to_i128(b, &y)) return 0;
		*res = x < y ? -1 : x > y;
		return 1;
	}
}

int sl_value_cmp(const sl_value *a, const sl_value *b)
{
	int r;
	if (a->kind == SL_V_NULL || b->kind == SL_V_NULL)
		return (a->kind != SL_V_NULL) - (b->kind != SL_V_NULL);
	if (cmp3(a, b, &r)) return r;
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

/* 3-valued truth: 1 true, 0 false, -1 NULL. */
static int tri(const sl_value *v)
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

static void set_bool(sl_value *out, int t)
{
	memset(out, 0, sizeof *out);
	out->tkind = SL_T_BOOLEAN;
	if (t < 0) { out->kind = SL_V_NULL; return; }
	out->kind = SL_V_INT;
	out->u.i = t;
}

/* ------------------------------------------------------------------ */
/* date/time helpers */

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};
static const char *const day_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

struct civil { int y, mo, d, h, mi, s, us; int64_t days; };

static void civil_of(int64_t us, struct civil *c)
{
	unsigned m, d;
	int64_t sod;
	c->days = floordiv64(us, US_PER_DAY);
	sod = us - c->days * US_PER_DAY;
	sl_civil_from_days(c->days, &c->y, &m, &d);
	c->mo = (int)m;
	c->d = (int)d;
	c->us = (int)(sod % US_PER_SEC);
	sod /= US_PER_SEC;
	c->h = (int)(sod / 3600);
	c->mi = (int)(sod / 60 % 60);
	c->s = (int)(sod % 60);
}

/* Any value as local datetime microseconds; 0 if not a date. */
static int to_dt_us(const sl_value *v, int64_t *us)
{
	switch (v->kind) {
	case SL_V_DATE: *us = v->u.i * US_PER_DAY; return 1;
	case SL_V_DATETIME: *us = v->u.i; return 1;
	case SL_V_STRING: return sl_parse_datetime(v->u.s.p, v->u.s.n, 6, us);
	case SL_V_INT: case SL_V_LARGE: case SL_V_DECIMAL: {
		sl_type t = { .kind = SL_T_DATETIME, .scale = 6 };
		sl_value o;
		if (!sl_value_cast(v, &t, NULL, &o) || o.kind == SL_V_NULL) return 0;
		*us = o.u.i;
		return 1;
	}
	default: return 0;
	}
}

/* MySQL's calc_week (sql/sql_time.cc). */
#define WEEK_MONDAY_FIRST 1
#define WEEK_YEAR 2
#define WEEK_FIRST_WEEKDAY 4

static int64_t daynr(int y, int m, int d) { return sl_days_from_civil(y, (unsigned)m, (unsigned)d) + 719528; }
static int days_in_year(int y) { return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 : 365; }
static int calc_weekday(int64_t dnr, int sunday_first) { return (int)((dnr + 5 + (sunday_first ? 1 : 0)) % 7); }

static int calc_week(int y, int m, int d, int behaviour, int *year)
{
	int64_t dnr = daynr(y, m, d), first = daynr(y, 1, 1), days;
	int monday_first = behaviour & WEEK_MONDAY_FIRST;
	int week_year = behaviour & WEEK_YEAR;
	int first_weekday = behaviour & WEEK_FIRST_WEEKDAY;
	int weekday = calc_weekday(first, !monday_first);
	*year = y;
	if (m == 1 && d <= 7 - weekday) {
		if (!week_year && ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4)))
			return 0;
		week_year = 1;
		(*year)--;
		first -= (days = days_in_year(*year));
		weekday = (int)((weekday + 53 * 7 - days) % 7);
	}
	if ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4))
		days = dnr - (first + (7 - weekday));
	else
		days = dnr - (first - weekday);
	if (week_year && days >= 52 * 7) {
		weekday = (weekday + days_in_year(*year)) % 7;
		if ((!first_weekday && weekday < 4) || (first_weekday && weekday == 0)) {
			(*year)++;
			return 1;
		}
	}
	return (int)(days / 7 + 1);
}

static char *put_num(char *o, int64_t v, int width)
{
	char tmp[24];
	int n = 0, neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
	while (n < width) tmp[n++] = '0';
	if (neg) *o++ = '-';
	while (n) *o++ = tmp[--n];
	return o;
}

static char *put_str(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

/* Format local datetime us with a MySQL format. out must hold 12 bytes per
 * format byte. Returns the end. */
static char *date_format(int64_t us, const char *f, size_t fn, char *o)
{
	struct civil c;
	size_t i;
	int wd, yy;
	civil_of(us, &c);
	wd = (int)((c.days % 7 + 7 + 3) % 7);   /* 0 = Monday (1970-01-01 was a Thursday) */
	for (i = 0; i < fn; i++) {
		char ch = f[i];
		if (ch != '%' || i + 1 >= fn) { *o++ = ch; continue; }
		ch = f[++i];
		switch (ch) {
		case 'a': o = put_str(o, day_names[wd], 3); break;
		case 'b': o = put_str(o, month_names[c.mo - 1], 3); break;
		case 'c': o = put_num(o, c.mo, 1); break;
		case 'D': {
			const char *suf = "th";
			o = put_num(o, c.d, 1);
			if (c.d / 10 != 1) {
				if (c.d % 10 == 1) suf = "st";
				else if (c.d % 10 == 2) suf = "nd";
				else if (c.d % 10 == 3) suf = "rd";
			}
			o = put_str(o, suf, 2);
			break;
		}
		case 'd': o = put_num(o, c.d, 2); break;
		case 'e': o = put_num(o, c.d, 1); break;
		case 'f': o = put_num(o, c.us, 6); break;
		case 'H': o = put_num(o, c.h, 2); break;
		case 'h': case 'I': o = put_num(o, (c.h + 11) % 12 + 1, 2); break;
		case 'i': o = put_num(o, c.mi, 2); break;
		case 'j': o = put_num(o, c.days - sl_days_from_civil(c.y, 1, 1) + 1, 3); break;
		case 'k': o = put_num(o, c.h, 1); break;
		case 'l': o = put_num(o, (c.h + 11) % 12 + 1, 1); break;
		case 'M': o = put_str(o, month_names[c.mo - 1], strlen(month_names[c.mo - 1])); break;
		case 'm': o = put_num(o, c.mo, 2); break;
		case 'p': o = put_str(o, c.h < 12 ? "AM" : "PM", 2); break;
		case 'r':
			o = put_num(o, (c.h + 11) % 12 + 1, 2); *o++ = ':';
			o = put_num(o, c.mi, 2); *o++ = ':';
			o = put_num(o, c.s, 2); *o++ = ' ';
			o = put_str(o, c.h < 12 ? "AM" : "PM", 2);
			break;
		case 'S': case 's': o = put_num(o, c.s, 2); break;
		case 'T':
			o = put_num(o, c.h, 2); *o++ = ':';
			o = put_num(o, c.mi, 2); *o++ = ':';
			o = put_num(o, c.s, 2);
			break;
		case 'U': o = put_num(o, calc_week(c.y, c.mo, c.d, WEEK_FIRST_WEEKDAY, &yy), 2); break;
		case 'u': o = put_num(o, calc_week(c.y, c.mo, c.d, WEEK_MONDAY_FIRST, &yy), 2); break;
		case 'V': o = put_num(o, calc_week(c.y, c.mo, c.d, WEEK_YEAR | WEEK_FIRST_WEEKDAY, &yy), 2); break;
		case 'v': o = put_num(o, calc_week(c.y, c.mo, c.d, WEEK_YEAR | WEEK_MONDAY_FIRST, &yy), 2); break;
		case 'X': calc_week(c.y, c.mo, c.d, WEEK_YEAR | WEEK_FIRST_WEEKDAY, &yy); o = put_num(o, yy, 4); break;
		case 'x': calc_week(c.y, c.mo, c.d, WEEK_YEAR | WEEK_MONDAY_FIRST, &yy); o = put_num(o, yy, 4); break;
		case 'W': o = put_str(o, day_names[wd], strlen(day_names[wd])); break;
		case 'w': o = put_num(o, (wd + 1) % 7, 1); break;
		case 'Y': o = put_num(o, c.y, 4); break;
		case 'y': o = put_num(o, c.y % 100, 2); break;
		default: *o++ = ch; break;         /* %% and unknown: the character */
		}
	}
	return o;
}

static int name_prefix(const char *s, size_t n, const char *name, size_t len)
{
	size_t i;
	if (n < len) return 0;
	for (i = 0; i < len; i++) {
		int a = (unsigned char)s[i], b = (unsigned char)name[i];
		if (a >= 'A' && a <= 'Z') a += 32;
		if (b >= 'A' && b <= 'Z') b += 32;
		if (a != b) return 0;
	}
	return 1;
}

static int read_num(const char *s, size_t n, size_t *i, int maxd, int *out)
{
	int v = 0, nd = 0;
	while (*i < n && nd < maxd && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++; nd++;
	}
	*out = v;
	return nd;
}

static int is_sp(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* str_to_date: parse s with MySQL format f. 1 ok with local us. */
static int str_to_date(const char *s, size_t sn, const char *f, size_t fn, int64_t *us)
{
	size_t i = 0, j;
	int y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0, pm = -1, yday = -1;
	int have_date = 0, h12 = 0;
	for (j = 0; j < fn; j++) {
		char c = f[j];
		if (is_sp(c)) { while (i < sn && is_sp(s[i])) i++; continue; }
		if (c != '%' || j + 1 >= fn) {
			if (i >= sn || s[i] != c) return 0;
			i++;
			continue;
		}
		c = f[++j];
		/* numeric fields skip leading spaces, as MySQL does */
		switch (c) {
		case 'Y': {
			size_t s0 = i;
			int nd = read_num(s, sn, &i, 4, &y);
			if (!nd) return 0;
			if (nd <= 2 && i - s0 == 2) y = y < 70 ? 2000 + y : 1900 + y;
			have_date = 1;
			break;
		}
		case 'y':
			if (read_num(s, sn, &i, 2, &y) != 2) return 0;
			y = y < 70 ? 2000 + y : 1900 + y;
			have_date = 1;
			break;
		case 'm': case 'c': if (!read_num(s, sn, &i, 2, &mo)) return 0; have_date = 1; break;
		case 'd': case 'e': if (!read_num(s, sn, &i, 2, &d)) return 0; have_date = 1; break;
		case 'D':
			if (!read_num(s, sn, &i, 2, &d)) return 0;
			if (i + 2 <= sn) i += 2;
			have_date = 1;
			break;
		case 'H': case 'k': if (!read_num(s, sn, &i, 2, &h)) return 0; break;
		case 'h': case 'I': case 'l': if (!read_num(s, sn, &i, 2, &h)) return 0; h12 = 1; break;
		case 'i': if (!read_num(s, sn, &i, 2, &mi)) return 0; break;
		case 's': case 'S': if (!read_num(s, sn, &i, 2, &sec)) return 0; break;
		case 'f': {
			int nd = 0;
			frac = 0;
			while (i < sn && s[i] >= '0' && s[i] <= '9') {
				if (nd < 6) { frac = frac * 10 + (s[i] - '0'); nd++; }
				i++;
			}
			if (!nd) return 0;
			while (nd < 6) { frac *= 10; nd++; }
			break;
		}
		case 'j': if (!read_num(s, sn, &i, 3, &yday)) return 0; have_date = 1; break;
		case 'p':
			if (name_prefix(s + i, sn - i, "AM", 2)) pm = 0;
			else if (name_prefix(s + i, sn - i, "PM", 2)) pm = 1;
			else return 0;
			i += 2;
			break;
		case 'M': case 'b': {
			int k, found = 0;
			for (k = 0; k < 12 && !found; k++) {
				size_t len = c == 'M' ? strlen(month_names[k]) : 3;
				if (name_prefix(s + i, sn - i, month_names[k], len)) { mo = k + 1; i += len; found = 1; }
			}
			if (!found) return 0;
			have_date = 1;
			break;
		}
		case 'W': case 'a': {
			int k, found = 0;
			for (k = 0; k < 7 && !found; k++) {
				size_t len = c == 'W' ? strlen(day_names[k]) : 3;
				if (name_prefix(s + i, sn - i, day_names[k], len)) { i += len; found = 1; }
			}
			if (!found) return 0;
			break;
		}
		case 'T':
			if (!read_num(s, sn, &i, 2, &h) || i >= sn || s[i++] != ':') return 0;
			if (!read_num(s, sn, &i, 2, &mi) || i >= sn || s[i++] != ':') return 0;
			if (!read_num(s, sn, &i, 2, &sec)) return 0;
			break;
		case 'r':
			if (!read_num(s, sn, &i, 2, &h) || i >= sn || s[i++] != ':') return 0;
			if (!read_num(s, sn, &i, 2, &mi) || i >= sn || s[i++] != ':') return 0;
			if (!read_num(s, sn, &i, 2, &sec)) return 0;
			while (i < sn && is_sp(s[i])) i++;
			if (name_prefix(s + i, sn - i, "AM", 2)) pm = 0;
			else if (name_prefix(s + i, sn - i, "PM", 2)) pm = 1;
			else return 0;
			i += 2;
			h12 = 1;
			break;
		default:
			if (i >= sn || s[i] != c) return 0;
			i++;
			break;
		}
	}
	(void)have_date;
	if (h12 || pm >= 0) {
		if (h < 1 || h > 12) { if (h12) return 0; }
		if (pm == 1 && h < 12) h += 12;
		else if (pm == 0 && h == 12) h = 0;
	}
	if (yday >= 0) {
		int64_t dd;
		if (yday < 1 || yday > days_in_year(y)) return 0;
		dd = sl_days_from_civil(y, 1, 1) + yday - 1;
		*us = dd * US_PER_DAY + ((int64_t)h * 3600 + mi * 60 + sec) * US_PER_SEC + frac;
		return h < 24 && mi < 60 && sec < 60;
	}
	if (!sl_date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59) return 0;
	*us = sl_days_from_civil(y, (unsigned)mo, (unsigned)d) * US_PER_DAY
	    + ((int64_t)h * 3600 + mi * 60 + sec) * US_PER_SEC + frac;
	return 1;
}

static int64_t wall_now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * US_PER_SEC + tv.tv_usec;
}

/* ------------------------------------------------------------------ */
/* evaluator */

static int ev(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out);

NOINLINE static int str_of(const sl_value *v, sl_eval_ctx *ctx, const char **p, size_t *n)
{
	int r = value_to_text(v, ctx->arena, p, n);
	if (r < 0 || (r == 0 && !ctx->arena)) { errno = ENOMEM; return -1; }
	return 1;
}

static int set_str(sl_value *out, const char *p, size_t n)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_STRING;
	out->tkind = SL_T_VARCHAR;
	out->u.s.p = p;
	out->u.s.n = n;
	return 1;
}

static int set_int(sl_value *out, int64_t v, int tkind)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_INT;
	out->tkind = (uint8_t)tkind;
	out->u.i = v;
	return 1;
}

/* Cast a branch result to the node's declared type. */
NOINLINE static int conform(const sl_expr *e, sl_value *v, sl_eval_ctx *ctx)
{
	sl_value o;
	if (v->kind == SL_V_NULL) return 1;
	if (e->type.kind == SL_T_NULL) return 1;
	if (v->tkind == e->type.kind && e->type.kind != SL_T_DECIMAL && e->type.kind != SL_T_DATETIME) return 1;
	if (v->kind == SL_V_STRING && is_str_kind(e->type.kind)) { v->tkind = e->type.kind; return 1; }
	/* a cast to a string type fails only when the arena is exhausted */
	if (!sl_value_cast(v, &e->type, ctx->arena, &o) && is_str_kind(e->type.kind)) {
		errno = ENOMEM;
		return -1;
	}
	*v = o;
	return 1;
}

NOINLINE static int eval_arith(const sl_expr *e, const sl_value *a, const sl_value *b, sl_value *out)
{
	memset(out, 0, sizeof *out);
	out->tkind = e->type.kind;
	if (e->cat == CAT_INT) {
		__int128 x, y, r;
		if (!to_i128(a, &x) || !to_i128(b, &y)) goto null;
		switch (e->op) {
		case A_ADD: r = (__int128)((unsigned __int128)x + (unsigned __int128)y); break;
		case A_SUB: r = (__int128)((unsigned __int128)x - (unsigned __int128)y); break;
		case A_MUL: r = (__int128)((unsigned __int128)x * (unsigned __int128)y); break;
		case A_MOD:
			if (y == 0) goto null;
			if (y == -1) r = 0; else r = x % y;
			break;
		case A_IDIV:
			if (y == 0) goto null;
			if (y == -1) r = (__int128)(0 - (unsigned __int128)x); else r = x / y;
			break;
		default: goto null;
		}
		if (e->type.kind == SL_T_LARGEINT) { out->kind = SL_V_LARGE; out->u.l = r; }
		else { out->kind = SL_V_INT; out->u.i = (int64_t)r; }
		return 1;
	}
	if (e->cat == CAT_DEC) {
		__int128 x, y, r;
		int sx, sy, rs = e->type.scale;
		if (!to_dec(a, &x, &sx) || !to_dec(b, &y, &sy)) goto null;
		switch (e->op) {
		case A_ADD: case A_SUB: case A_MOD: {
			int s = sx > sy ? sx : sy;
			if (!rescale(x, sx, s, &x) || !rescale(y, sy, s, &y)) goto null;
			if (e->op == A_ADD) { if (__builtin_add_overflow(x, y, &r)) goto null; }
			else if (e->op == A_SUB) { if (__builtin_sub_overflow(x, y, &r)) goto null; }
			else { if (y == 0) goto null; r = x % y; }
			if (!rescale(r, s, rs, &r)) goto null;
			break;
		}
		case A_MUL:
			if (__builtin_mul_overflow(x, y, &r)) goto null;
			if (!rescale(r, sx + sy, rs, &r)) goto null;
			break;
		case A_DIV: case A_IDIV: {
			/* x/10^sx / (y/10^sy) at scale rs = x * 10^(sy + rs - sx) / y */
			int k = e->op == A_IDIV ? sy - sx : sy + rs - sx;
			__int128 n = x, q, rem;
			if (y == 0) goto null;
			if (k > 0) { if (__builtin_mul_overflow(x, p10(k), &n)) goto null; }
			else if (k < 0) { if (__builtin_mul_overflow(y, p10(-k), &y)) goto null; }
			q = n / y;
			rem = n % y;
			if (e->op == A_DIV) {
				__int128 ar = rem < 0 ? -rem : rem, ay = y < 0 ? -y : y;
				if (ar >= ay - ar) q += ((n < 0) != (y < 0)) ? -1 : 1;
			}
			r = q;
			if (e->op == A_IDIV) {
				if (r > INT64_MAX || r < INT64_MIN) goto null;
				out->kind = SL_V_INT;
				out->u.i = (int64_t)r;
				return 1;
			}
			break;
		}
		default: goto null;
		}
		if (!dec_fits(r, 38)) goto null;
		out->kind = SL_V_DECIMAL;
		out->u.l = r;
		out->scale = (uint8_t)rs;
		out->prec = e->type.prec;
		return 1;
	}
	{
		double x, y, r;
		if (!to_double(a, &x) || !to_double(b, &y)) goto null;
		switch (e->op) {
		case A_ADD: r = x + y; break;
		case A_SUB: r = x - y; break;
		case A_MUL: r = x * y; break;
		case A_DIV: if (y == 0) goto null; r = x / y; break;
		case A_MOD: if (y == 0) goto null; r = fmod(x, y); break;
		case A_IDIV: {
			double q;
			if (y == 0) goto null;
			q = trunc(x / y);
			if (isnan(q) || q >= 9.2e18 || q <= -9.2e18) goto null;
			return set_int(out, (int64_t)q, SL_T_BIGINT);
		}
		default: goto null;
		}
		out->kind = SL_V_DOUBLE;
		out->u.d = r;
		return 1;
	}
null:
	set_null(out);
	return 1;
}

static size_t utf8_len(unsigned char c)
{
	if (c < 0x80) return 1;
	if (c >= 0xF0) return 4;
	if (c >= 0xE0) return 3;
	if (c >= 0xC0) return 2;
	return 1;
}

NOINLINE static int like_match(const char *s, size_t sn, const char *p, size_t pn)
{
	size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
	while (si < sn) {
		if (pi < pn) {
			char c = p[pi];
			if (c == '%') { star_p = ++pi; star_s = si; continue; }
			if (c == '_') {
				size_t l = utf8_len((unsigned char)s[si]);
				si += l > sn - si ? sn - si : l;
				pi++;
				continue;
			}
			if (c == '\\' && pi + 1 < pn) {
				if (s[si] == p[pi + 1]) { si++; pi += 2; continue; }
			} else if (s[si] == c) { si++; pi++; continue; }
		}
		if (star_p != (size_t)-1) {
			size_t l = utf8_len((unsigned char)s[star_s]);
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

/* Byte offset of the k-th (0-based) UTF-8 character, or n. */
static size_t utf8_off(const char *s, size_t n, size_t k)
{
	size_t i = 0;
	while (k && i < n) {
		size_t l = utf8_len((unsigned char)s[i]);
		i += l > n - i ? n - i : l;
		k--;
	}
	return i;
}

static size_t utf8_count(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	while (i < n) {
		size_t l = utf8_len((unsigned char)s[i]);
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
				if (!rescale(x, s, keep, &r)) goto null;
			} else {
				if (!rescale(x, s, 0, &r)) goto null;
				if (!rescale(r, -keep, 0, &r)) goto null;
				if (!rescale(r, 0, -keep, &r)) goto null;
				keep = 0;
			}
			if (!rescale(r, keep, rs, &r)) goto null;
		} else {
			__int128 u = p10(s), q = x / u, m = x % u;
			if (e->op == F_FLOOR && m < 0) q--;
			if (e->op == F_CEIL && m > 0) q++;
			r = q;
			if (!rescale(r, 0, rs, &r)) goto null;
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
			else if (!rescale(x, (int)-d, 0, &x) || !rescale(x, 0, (int)-d, &x)) goto null;
		}
		if (e->type.kind == SL_T_LARGEINT) { out->kind = SL_V_LARGE; out->u.l = x; }
		else { out->kind = SL_V_INT; out->u.i = (int64_t)x; }
		return 1;
	}
	{
		double x, r;
		if (!to_double(a, &x)) goto null;
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
	set_null(out);
	return 1;
}

static const char *java_fmt(const char *f, size_t n, size_t *on)
{
	static const struct { const char *j, *m; } map[] = {
		{ "yyyy-MM-dd HH:mm:ss", "%Y-%m-%d %H:%i:%s" },
		{ "yyyy-MM-dd HH:mm", "%Y-%m-%d %H:%i" },
		{ "yyyy-MM-dd", "%Y-%m-%d" },
		{ "yyyyMMdd", "%Y%m%d" },
		{ "yyyyMMddHHmmss", "%Y%m%d%H%i%s" },
		{ "yyyy-MM", "%Y-%m" },
	};
	size_t i;
	for (i = 0; i < SL_ARRAY_LEN(map); i++)
		if (strlen(map[i].j) == n && !memcmp(map[i].j, f, n)) {
			*on = strlen(map[i].m);
			return map[i].m;
		}
	*on = n;
	return f;
}

static int format_dt(sl_eval_ctx *ctx, int64_t us, const char *f, size_t fn, sl_value *out)
{
	char *buf, *end;
	f = java_fmt(f, fn, &fn);
	buf = sl_arena_alloc(ctx->arena, fn * 12 + 1);
	if (!buf) return -1;
	end = date_format(us, f, fn, buf);
	return set_str(out, buf, (size_t)(end - buf));
}

NOINLINE static int eval_func(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a[3];
	size_t i;
	int r;

	/* functions that do not evaluate all their arguments up front */
	switch (e->op) {
	case F_IF:
		if ((r = ev(e->args[0], row, ctx, &a[0])) < 0) return r;
		if ((r = ev(e->args[tri(&a[0]) == 1 ? 1 : 2], row, ctx, out)) < 0) return r;
		return conform(e, out, ctx);
	case F_IFNULL:
		if ((r = ev(e->args[0], row, ctx, out)) < 0) return r;
		if (out->kind == SL_V_NULL && (r = ev(e->args[1], row, ctx, out)) < 0) return r;
		return conform(e, out, ctx);
	case F_COALESCE:
		set_null(out);
		for (i = 0; i < e->nargs; i++) {
			if ((r = ev(e->args[i], row, ctx, out)) < 0) return r;
			if (out->kind != SL_V_NULL) break;
		}
		return conform(e, out, ctx);
	case F_CONCAT: case F_CONCAT_WS: {
		/* two passes: evaluate into an arena array, then join */
		sl_value *vs = sl_arena_alloc(ctx->arena, e->nargs * sizeof *vs);
		const char *sep = "";
		size_t sepn = 0, total = 0, k0 = 0, cnt = 0;
		char *buf, *o;
		if (!vs) return -1;
		for (i = 0; i < e->nargs; i++) {
			if ((r = ev(e->args[i], row, ctx, &vs[i])) < 0) return r;
			if (vs[i].kind == SL_V_NULL) {
				if (e->op == F_CONCAT || i == 0) { set_null(out); return 1; }
				continue;
			}
			if (vs[i].kind != SL_V_STRING) {
				const char *p; size_t n;
				if (str_of(&vs[i], ctx, &p, &n) < 0) return -1;
				set_str(&vs[i], p, n);
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
		return set_str(out, buf, total);
	}
	case F_NOW: case F_CURDATE: {
		int64_t now = ctx->now_us ? ctx->now_us : wall_now_us();
		int64_t local = sl_tz_to_local(now);
		memset(out, 0, sizeof *out);
		if (e->op == F_CURDATE) {
			out->kind = SL_V_DATE;
			out->tkind = SL_T_DATE;
			out->u.i = floordiv64(local, US_PER_DAY);
			return 1;
		}
		{
			int64_t unit = 1;
			int k;
			for (k = e->type.scale; k < 6; k++) unit *= 10;
			local = floordiv64(local, unit) * unit;
		}
		out->kind = SL_V_DATETIME;
		out->tkind = SL_T_DATETIME;
		out->scale = e->type.scale;
		out->u.i = local;
		return 1;
	}
	case F_UNIX_TIMESTAMP:
		if (e->nargs == 0) {
			int64_t now = ctx->now_us ? ctx->now_us : wall_now_us();
			return set_int(out, floordiv64(now, US_PER_SEC), SL_T_BIGINT);
		}
		break;
	default:
		break;
	}

	for (i = 0; i < e->nargs && i < 3; i++) {
		if ((r = ev(e->args[i], row, ctx, &a[i])) < 0) return r;
		if (a[i].kind == SL_V_NULL && e->op != F_NULLIF) { set_null(out); out->tkind = e->type.kind; return 1; }
	}

	switch (e->op) {
	case F_NULLIF: {
		int c;
		if (a[0].kind == SL_V_NULL) { set_null(out); return 1; }
		if (a[1].kind != SL_V_NULL && cmp3(&a[0], &a[1], &c) && c == 0) { set_null(out); return 1; }
		*out = a[0];
		return conform(e, out, ctx);
	}
	case F_YEAR: case F_MONTH: case F_DAY: case F_HOUR: case F_MINUTE: case F_SECOND: {
		int64_t us;
		struct civil c;
		int v = 0;
		if (!to_dt_us(&a[0], &us)) { set_null(out); return 1; }
		civil_of(us, &c);
		switch (e->op) {
		case F_YEAR: v = c.y; break;
		case F_MONTH: v = c.mo; break;
		case F_DAY: v = c.d; break;
		case F_HOUR: v = c.h; break;
		case F_MINUTE: v = c.mi; break;
		default: v = c.s; break;
		}
		return set_int(out, v, SL_T_INT);
	}
	case F_TO_DATE: {
		int64_t us;
		if (!to_dt_us(&a[0], &us)) { set_null(out); return 1; }
		memset(out, 0, sizeof *out);
		out->kind = SL_V_DATE;
		out->tkind = SL_T_DATE;
		out->u.i = floordiv64(us, US_PER_DAY);
		return 1;
	}
	case F_DATEDIFF: {
		int64_t x, y;
		if (!to_dt_us(&a[0], &x) || !to_dt_us(&a[1], &y)) { set_null(out); return 1; }
		return set_int(out, floordiv64(x, US_PER_DAY) - floordiv64(y, US_PER_DAY), SL_T_INT);
	}
	case F_DATE_FORMAT: {
		int64_t us;
		const char *f; size_t fn;
		if (!to_dt_us(&a[0], &us)) { set_null(out); return 1; }
		if (str_of(&a[1], ctx, &f, &fn) < 0) return -1;
		return format_dt(ctx, us, f, fn, out);
	}
	case F_STR_TO_DATE: {
		const char *s, *f; size_t sn, fn;
		int64_t us;
		if (str_of(&a[0], ctx, &s, &sn) < 0 || str_of(&a[1], ctx, &f, &fn) < 0) return -1;
		f = java_fmt(f, fn, &fn);
		if (!str_to_date(s, sn, f, fn, &us)) { set_null(out); return 1; }
		memset(out, 0, sizeof *out);
		if (e->type.kind == SL_T_DATE) {
			out->kind = SL_V_DATE;
			out->tkind = SL_T_DATE;
			out->u.i = floordiv64(us, US_PER_DAY);
		} else {
			out->kind = SL_V_DATETIME;
			out->tkind = SL_T_DATETIME;
			out->scale = e->type.scale;
			out->u.i = round_us(us, e->type.scale);
		}
		return 1;
	}
	case F_FROM_UNIXTIME: {
		__int128 ts;
		const char *f = "%Y-%m-%d %H:%i:%s";
		size_t fn = 17;
		if (!to_i128(&a[0], &ts) || ts < 0 || ts > MAX_UNIX_TS) { set_null(out); return 1; }
		if (e->nargs > 1 && str_of(&a[1], ctx, &f, &fn) < 0) return -1;
		return format_dt(ctx, sl_tz_to_local((int64_t)ts * US_PER_SEC), f, fn, out);
	}
	case F_UNIX_TIMESTAMP: {
		int64_t us, secs;
		if (e->nargs == 2) {
			const char *s, *f; size_t sn, fn;
			if (str_of(&a[0], ctx, &s, &sn) < 0 || str_of(&a[1], ctx, &f, &fn) < 0) return -1;
			f = java_fmt(f, fn, &fn);
			if (!str_to_date(s, sn, f, fn, &us)) { set_null(out); return 1; }
		} else if (!to_dt_us(&a[0], &us)) { set_null(out); return 1; }
		secs = floordiv64(sl_tz_to_utc(us), US_PER_SEC);
		if (secs < 0 || secs > MAX_UNIX_TS) secs = 0;
		return set_int(out, secs, SL_T_BIGINT);
	}
	case F_SUBSTR: case F_LEFT: case F_RIGHT: {
		const char *s; size_t sn, nch, b, en;
		__int128 pos, len = -1;
		if (str_of(&a[0], ctx, &s, &sn) < 0) return -1;
		if (!to_i128(&a[1], &pos)) { set_null(out); return 1; }
		if (e->op == F_SUBSTR && e->nargs == 3 && !to_i128(&a[2], &len)) { set_null(out); return 1; }
		nch = utf8_count(s, sn);
		if (e->op == F_LEFT) { len = pos; pos = 1; }
		else if (e->op == F_RIGHT) {
			len = pos;
			if (len <= 0) return set_str(out, "", 0);
			pos = len >= (__int128)nch ? 1 : (__int128)nch - len + 1;
		}
		if (pos == 0 || (e->nargs == 3 && len <= 0) || (e->op != F_SUBSTR && len <= 0))
			return set_str(out, "", 0);
		if (pos < 0) pos += (__int128)nch + 1;
		if (pos < 1 || pos > (__int128)nch) return set_str(out, "", 0);
		b = utf8_off(s, sn, (size_t)(pos - 1));
		if (len < 0 || len > (__int128)nch) en = sn;
		else en = b + utf8_off(s + b, sn - b, (size_t)len);
		return set_str(out, s + b, en - b);
	}
	case F_UPPER: case F_LOWER: {
		const char *s; size_t sn, k;
		char *d;
		if (str_of(&a[0], ctx, &s, &sn) < 0) return -1;
		if (!(d = sl_arena_alloc(ctx->arena, sn + 1))) return -1;
		for (k = 0; k < sn; k++) {
			char c = s[k];
			if (e->op == F_UPPER && c >= 'a' && c <= 'z') c -= 32;
			else if (e->op == F_LOWER && c >= 'A' && c <= 'Z') c += 32;
			d[k] = c;
		}
		return set_str(out, d, sn);
	}
	case F_LENGTH: case F_CHAR_LENGTH: {
		const char *s; size_t sn;
		if (str_of(&a[0], ctx, &s, &sn) < 0) return -1;
		return set_int(out, (int64_t)(e->op == F_LENGTH ? sn : utf8_count(s, sn)), SL_T_INT);
	}
	case F_TRIM: case F_LTRIM: case F_RTRIM: {
		const char *s, *t = " "; size_t sn, tn = 1, b = 0, en;
		if (str_of(&a[0], ctx, &s, &sn) < 0) return -1;
		if (e->nargs == 2 && str_of(&a[1], ctx, &t, &tn) < 0) return -1;
		en = sn;
		if (tn == 0) return set_str(out, s, sn);
		if (e->op != F_RTRIM)
			while (en - b >= tn && !memcmp(s + b, t, tn)) b += tn;
		if (e->op != F_LTRIM)
			while (en - b >= tn && !memcmp(s + en - tn, t, tn)) en -= tn;
		return set_str(out, s + b, en - b);
	}
	case F_REPLACE: {
		const char *s, *f, *t; size_t sn, fn, tn, k, cnt = 0, total;
		char *d, *o;
		if (str_of(&a[0], ctx, &s, &sn) < 0 || str_of(&a[1], ctx, &f, &fn) < 0
		    || str_of(&a[2], ctx, &t, &tn) < 0) return -1;
		if (fn == 0 || fn > sn) return set_str(out, s, sn);
		for (k = 0; k + fn <= sn; ) {
			if (!memcmp(s + k, f, fn)) { cnt++; k += fn; } else k++;
		}
		if (!cnt) return set_str(out, s, sn);
		total = sn - cnt * fn + cnt * tn;
		if (!(d = sl_arena_alloc(ctx->arena, total + 1))) return -1;
		o = d;
		for (k = 0; k < sn; ) {
			if (k + fn <= sn && !memcmp(s + k, f, fn)) {
				memcpy(o, t, tn); o += tn; k += fn;
			} else *o++ = s[k++];
		}
		return set_str(out, d, total);
	}
	case F_ABS: {
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
		{
			double d;
			if (!to_double(&a[0], &d)) { set_null(out); return 1; }
			out->kind = SL_V_DOUBLE;
			out->u.d = fabs(d);
			return 1;
		}
	}
	case F_ROUND: case F_FLOOR: case F_CEIL: {
		__int128 d = 0;
		sl_value x = a[0];
		if (e->nargs == 2 && !to_i128(&a[1], &d)) { set_null(out); return 1; }
		if (d > 60) d = 60;
		if (d < -60) d = -60;
		if (x.kind == SL_V_STRING || x.kind == SL_V_DATE || x.kind == SL_V_DATETIME) {
			double dd;
			if (!to_double(&x, &dd)) { set_null(out); return 1; }
			memset(&x, 0, sizeof x);
			x.kind = SL_V_DOUBLE;
			x.u.d = dd;
		}
		return eval_round(e, &x, (int64_t)d, out);
	}
	default:
		set_null(out);
		return 1;
	}
}

/* -a as 0 - a */
static NOINLINE int eval_neg(const sl_expr *e, const sl_value *a, sl_value *out)
{
	sl_value zero;
	sl_expr tmp = *e;
	memset(&zero, 0, sizeof zero);
	zero.kind = SL_V_INT;
	zero.tkind = SL_T_TINYINT;
	tmp.op = A_SUB;
	if (e->cat == CAT_DEC) tmp.type.scale = e->args[0]->type.scale;
	return eval_arith(&tmp, &zero, a, out);
}

static int ev(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	sl_value a, b;
	int r;
	size_t i;

	switch (e->kind) {
	case E_LIT:
		*out = e->lit;
		return 1;
	case E_COL:
		*out = row[e->col];
		return 1;
	case E_NEG:
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		if (a.kind == SL_V_NULL) { set_null(out); return 1; }
		return eval_neg(e, &a, out);
	case E_NOT:
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		r = tri(&a);
		set_bool(out, r < 0 ? -1 : !r);
		return 1;
	case E_AND: {
		int x, y;
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		x = tri(&a);
		if (x == 0) { set_bool(out, 0); return 1; }
		if ((r = ev(e->args[1], row, ctx, &b)) < 0) return r;
		y = tri(&b);
		set_bool(out, y == 0 ? 0 : (x < 0 || y < 0) ? -1 : 1);
		return 1;
	}
	case E_OR: {
		int x, y;
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		x = tri(&a);
		if (x == 1) { set_bool(out, 1); return 1; }
		if ((r = ev(e->args[1], row, ctx, &b)) < 0) return r;
		y = tri(&b);
		set_bool(out, y == 1 ? 1 : (x < 0 || y < 0) ? -1 : 0);
		return 1;
	}
	case E_CMP: {
		int c;
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		if ((r = ev(e->args[1], row, ctx, &b)) < 0) return r;
		if (e->op == C_NSEQ) {
			if (a.kind == SL_V_NULL || b.kind == SL_V_NULL) {
				set_bool(out, a.kind == SL_V_NULL && b.kind == SL_V_NULL);
				return 1;
			}
			set_bool(out, cmp3(&a, &b, &c) ? c == 0 : 0);
			return 1;
		}
		if (a.kind == SL_V_NULL || b.kind == SL_V_NULL || !cmp3(&a, &b, &c)) { set_bool(out, -1); return 1; }
		switch (e->op) {
		case C_EQ: c = c == 0; break;
		case C_NE: c = c != 0; break;
		case C_LT: c = c < 0; break;
		case C_LE: c = c <= 0; break;
		case C_GT: c = c > 0; break;
		default: c = c >= 0; break;
		}
		set_bool(out, c);
		return 1;
	}
	case E_ARITH:
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		if (a.kind == SL_V_NULL) { set_null(out); out->tkind = e->type.kind; return 1; }
		if ((r = ev(e->args[1], row, ctx, &b)) < 0) return r;
		if (b.kind == SL_V_NULL) { set_null(out); out->tkind = e->type.kind; return 1; }
		return eval_arith(e, &a, &b, out);
	case E_ISNULL:
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		set_bool(out, (a.kind == SL_V_NULL) != e->neg);
		return 1;
	case E_IN: {
		int seen_null = 0, c;
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		if (a.kind == SL_V_NULL) { set_bool(out, -1); return 1; }
		for (i = 1; i < e->nargs; i++) {
			if ((r = ev(e->args[i], row, ctx, &b)) < 0) return r;
			if (b.kind == SL_V_NULL || !cmp3(&a, &b, &c)) { seen_null = 1; continue; }
			if (c == 0) { set_bool(out, !e->neg); return 1; }
		}
		set_bool(out, seen_null ? -1 : e->neg);
		return 1;
	}
	case E_BETWEEN: {
		sl_value lo, hi;
		int c1 = 0, c2 = 0, t1, t2, t;
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		if ((r = ev(e->args[1], row, ctx, &lo)) < 0) return r;
		if ((r = ev(e->args[2], row, ctx, &hi)) < 0) return r;
		t1 = (a.kind == SL_V_NULL || lo.kind == SL_V_NULL || !cmp3(&a, &lo, &c1)) ? -1 : c1 >= 0;
		t2 = (a.kind == SL_V_NULL || hi.kind == SL_V_NULL || !cmp3(&a, &hi, &c2)) ? -1 : c2 <= 0;
		t = (t1 == 0 || t2 == 0) ? 0 : (t1 < 0 || t2 < 0) ? -1 : 1;
		if (e->neg && t >= 0) t = !t;
		set_bool(out, t);
		return 1;
	}
	case E_LIKE: {
		const char *s, *p; size_t sn, pn;
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		if ((r = ev(e->args[1], row, ctx, &b)) < 0) return r;
		if (a.kind == SL_V_NULL || b.kind == SL_V_NULL) { set_bool(out, -1); return 1; }
		if (str_of(&a, ctx, &s, &sn) < 0 || str_of(&b, ctx, &p, &pn) < 0) return -1;
		set_bool(out, like_match(s, sn, p, pn) != e->neg);
		return 1;
	}
	case E_CASE: {
		size_t k = 0;
		if (e->has_operand) {
			if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
			k = 1;
		}
		for (; k + 1 < e->nargs || (k + 1 == e->nargs && !e->has_else); k += 2) {
			int hit;
			if (k + 1 >= e->nargs) break;
			if ((r = ev(e->args[k], row, ctx, &b)) < 0) return r;
			if (e->has_operand) {
				int c;
				hit = a.kind != SL_V_NULL && b.kind != SL_V_NULL && cmp3(&a, &b, &c) && c == 0;
			} else hit = tri(&b) == 1;
			if (hit) {
				if ((r = ev(e->args[k + 1], row, ctx, out)) < 0) return r;
				return conform(e, out, ctx);
			}
		}
		if (e->has_else) {
			if ((r = ev(e->args[e->nargs - 1], row, ctx, out)) < 0) return r;
			return conform(e, out, ctx);
		}
		set_null(out);
		out->tkind = e->type.kind;
		return 1;
	}
	case E_CAST:
		if ((r = ev(e->args[0], row, ctx, &a)) < 0) return r;
		if (!sl_value_cast(&a, &e->type, ctx->arena, out) && is_str_kind(e->type.kind)) {
			errno = ENOMEM;
			return -1;
		}
		return 1;
	case E_FUNC:
		return eval_func(e, row, ctx, out);
	case E_AGG:
		if (!ctx->aggs || e->agg_id < 0) { set_null(out); return 1; }
		*out = ctx->aggs[e->agg_id];
		return 1;
	}
	set_null(out);
	return 1;
}

int sl_expr_eval(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out)
{
	return ev(e, row, ctx, out);
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
	if ((r = ev(call->args[0], row, ctx, &v)) < 0) return r;
	if (v.kind == SL_V_NULL) return 1;
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
		if (is_int_kind(kind) && (v.kind == SL_V_INT || v.kind == SL_V_LARGE)) {
			__int128 x = v.kind == SL_V_INT ? v.u.i : v.u.l;
			st->sum_l = (__int128)((unsigned __int128)st->sum_l + (unsigned __int128)x);
		} else if (kind == SL_T_DECIMAL && v.kind == SL_V_DECIMAL) {
			__int128 x;
			if (!rescale(v.u.l, v.scale, call->args[0]->type.scale, &x)) x = 0;
			st->sum_l += x;
		} else {
			double d;
			if (to_double(&v, &d)) st->sum_d += d;
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
			if (!rescale(st->sum_l, 0, k, &n)) { out->kind = SL_V_NULL; return; }
			q = n / st->count;
			rem = n % st->count;
			ac = rem < 0 ? -rem : rem;
			if (ac * 2 >= st->count) q += n < 0 ? -1 : 1;
			out->kind = SL_V_DECIMAL; out->u.l = q;
			out->scale = call->type.scale; out->prec = call->type.prec;
		} else {
			double s = is_int_kind(kind) ? (double)st->sum_l : st->sum_d;
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
}
