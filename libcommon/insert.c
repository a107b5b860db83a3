/* SPDX-License-Identifier: Apache-2.0 */
/*
 * insert.c -- INSERT INTO as a load (insert.h): the statement parsed and
 * checked against the target's schema; run as one stream load whose body
 * is the VALUES rows or a table's rows (JSON lines keyed by the target's
 * columns, produced by the SQL engine's SELECT, so expressions, WHERE and
 * the SELECT privilege are the engine's), or a TVF's objects streamed one
 * after another (objsrc.h) with the select list as `columns` and the WHERE
 * as the preceding filter over the source's columns.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "insert.h"
#include "lex.h"
#include "expr.h"
#include "schema.h"
#include "objfeed.h"
#include "result.h"
#include "status.h"
#include "label.h"
#include "name.h"
#include "auth.h"
#include "colval.h"
#include "sql.h"

#define NAME_MAX_ 256
#define ER_PARSE 1064
#define ER_NO_DB 1046
#define ER_BAD_DB 1049
#define ER_BAD_TABLE 1051
#define ER_BAD_FIELD 1054
#define ER_UNKNOWN 1105
#define ER_COUNT 1136           /* MySQL's ER_WRONG_VALUE_COUNT_ON_ROW */

/* A span of the statement's text. */
typedef struct span { size_t at, n; } span;

struct sl_insert {
	char db[NAME_MAX_], table[NAME_MAX_];
	char *label;                    /* WITH LABEL, or NULL */
	int source;                     /* SL_INSERT_* */
	char *sql; size_t n;            /* the statement, copied */
	sl_schema sch;                  /* the target's */
	char **cols; size_t ncols;      /* the target columns (list, else all visible) */
	int collist;                    /* the statement listed them */
	/* SELECT */
	int star;
	span *items; size_t nitems;
	span from, where;               /* from: a table's reference as written */
	char sdb[NAME_MAX_], stbl[NAME_MAX_];
	char *tvf; sl_hdrs props;
	char **refs; size_t nrefs;      /* source columns the items and WHERE name */
	/* VALUES */
	span *rows; size_t nrows, caprows;
};

/* ---- parsing ---- */

typedef struct pstate {
	sl_insert *ins;
	sl_store *st;
	sl_lex lx;
	int *code;
	char *err; size_t cap;
} pstate;

__attribute__((format(printf, 3, 4)))
static int perr(pstate *p, int code, const char *fmt, ...)
{
	va_list ap;

	*p->code = code;
	va_start(ap, fmt);
	vsnprintf(p->err, p->cap, fmt, ap);
	va_end(ap);
	return 0;
}

static int syntax(pstate *p)
{
	const sl_tok *t = &p->lx.tok;

	if (t->kind == SL_TOK_EOF)
		return perr(p, ER_PARSE, "syntax error at end of input (position %zu)", t->pos + 1);
	return perr(p, ER_PARSE, "syntax error at position %zu near '%.*s'", t->pos + 1,
		(int)(t->n > 40 ? 40 : t->n), t->p);
}

static int next(pstate *p)
{
	if (sl_lex_next(&p->lx) < 0)
		return perr(p, ER_PARSE, "%s", p->lx.err);
	return 1;
}

static int expect_kw(pstate *p, const char *k)
{
	return sl_lex_kw(&p->lx, k) ? next(p) : syntax(p);
}

static int expect_op(pstate *p, const char *o)
{
	return sl_lex_op(&p->lx, o) ? next(p) : syntax(p);
}

/* An identifier (bare or `quoted`) or, where allowed, a string. */
static int ident(pstate *p, char *buf, size_t cap, int str_ok)
{
	const sl_tok *t = &p->lx.tok;
	const char *s;
	size_t n;

	if (t->kind == SL_TOK_IDENT) {
		s = t->p;
		n = t->n;
	} else if (t->kind == SL_TOK_QIDENT || (str_ok && t->kind == SL_TOK_STRING)) {
		s = t->str ? t->str : "";
		n = t->strn;
	} else
		return syntax(p);
	if (n >= cap)
		return perr(p, ER_UNKNOWN, "identifier too long at position %zu", t->pos + 1);
	memcpy(buf, s, n);
	buf[n] = 0;
	return next(p);
}

/* [db.]table, db defaulting to default_db. */
static int table_ref(pstate *p, const char *default_db, char *db, char *tbl)
{
	if (!ident(p, tbl, NAME_MAX_, 0))
		return 0;
	if (sl_lex_op(&p->lx, ".")) {
		memcpy(db, tbl, NAME_MAX_);
		return next(p) && ident(p, tbl, NAME_MAX_, 0);
	}
	if (!default_db || !*default_db)
		return perr(p, ER_NO_DB, "No database selected");
	snprintf(db, NAME_MAX_, "%s", default_db);
	return 1;
}

static int strv_add(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);

	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return -1;
	(*n)++;
	return 1;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int span_add(span **v, size_t *n, size_t *cap, size_t at, size_t len)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		span *nv = realloc(*v, c * sizeof *nv);
		if (!nv)
			return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = (span){ at, len };
	return 1;
}

/* A source column the expressions name, once (case-insensitively). */
static int add_ref(void *ctx, const char *name, size_t n)
{
	sl_insert *ins = ctx;

	for (size_t i = 0; i < ins->nrefs; i++)
		if (strlen(ins->refs[i]) == n && !strncasecmp(ins->refs[i], name, n))
			return 1;
	return strv_add(&ins->refs, &ins->nrefs, name, n);
}

/* One expression at the lexer, its text span in *sp; its column
 * references collected when refs. */
static int expr(pstate *p, span *sp, int refs)
{
	char e[256];
	size_t at = p->lx.tok.pos;
	sl_expr *x = sl_expr_parse_lex(&p->lx, e, sizeof e);
	int r = 1;

	if (!x)
		return perr(p, ER_PARSE, "%s", e);
	sp->at = at;
	sp->n = (p->lx.tok.kind == SL_TOK_EOF ? p->lx.len : p->lx.tok.pos) - at;
	while (sp->n && (p->lx.src[at + sp->n - 1] == ' ' || p->lx.src[at + sp->n - 1] == '\t' ||
		p->lx.src[at + sp->n - 1] == '\n' || p->lx.src[at + sp->n - 1] == '\r'))
		sp->n--;
	if (refs && sl_expr_each_col(x, add_ref, p->ins) < 0)
		r = -1;
	sl_expr_free(x);
	return r;
}

/* (col, ...) */
static int col_list(pstate *p)
{
	char c[NAME_MAX_];
	sl_insert *ins = p->ins;

	if (!next(p))
		return 0;
	for (;;) {
		if (!ident(p, c, sizeof c, 0))
			return 0;
		if (strv_add(&ins->cols, &ins->ncols, c, strlen(c)) < 0)
			return -1;
		if (sl_lex_op(&p->lx, ")"))
			break;
		if (!expect_op(p, ","))
			return 0;
	}
	ins->collist = 1;
	return next(p);
}

/* VALUES (e, ...) [, (...)]...: each row's text between its parentheses. */
static int values(pstate *p)
{
	sl_insert *ins = p->ins;
	span sp;
	int r;

	ins->source = SL_INSERT_VALUES;
	if (!next(p))
		return 0;
	do {
		size_t at, k = 0;
		if (sl_lex_op(&p->lx, ",") && !next(p))
			return 0;
		if (!expect_op(p, "("))
			return 0;
		at = p->lx.tok.pos;
		while (!sl_lex_op(&p->lx, ")")) {
			if (k && !expect_op(p, ","))
				return 0;
			if (sl_lex_kw(&p->lx, "DEFAULT"))
				return perr(p, ER_UNKNOWN, "DEFAULT in VALUES is not supported yet");
			if ((r = expr(p, &sp, 0)) <= 0)
				return r;
			k++;
		}
		if (k == 0)
			return syntax(p);
		if (span_add(&ins->rows, &ins->nrows, &ins->caprows, at, p->lx.tok.pos - at) < 0)
			return -1;
		if (k != ins->ncols)
			return perr(p, ER_COUNT, "Column count doesn't match value count");
		if (!next(p))
			return 0;
	} while (sl_lex_op(&p->lx, ","));
	return 1;
}

/* S3('k' = 'v', ...) or local(...) after its name. */
static int tvf_props(pstate *p)
{
	sl_insert *ins = p->ins;
	char k[NAME_MAX_];

	if (!next(p) || !next(p))
		return 0;
	while (!sl_lex_op(&p->lx, ")")) {
		if (ins->props.n && !expect_op(p, ","))
			return 0;
		if (!ident(p, k, sizeof k, 1) || !expect_op(p, "="))
			return 0;
		if (p->lx.tok.kind != SL_TOK_STRING)
			return syntax(p);
		if (sl_hdrs_get(&ins->props, k))
			return perr(p, ER_UNKNOWN, "Duplicate property '%s'", k);
		if (sl_hdrs_append(&ins->props, k, p->lx.tok.str ? p->lx.tok.str : "") < 0)
			return -1;
		if (!next(p))
			return 0;
	}
	return next(p);
}

/* SELECT * | e [AS a], ... FROM S3(...) | local(...) | [db.]t [WHERE e] */
static int select_q(pstate *p, const char *default_db)
{
	sl_insert *ins = p->ins;
	char alias[NAME_MAX_];
	size_t cap = 0;
	span sp;
	int r;

	if (!next(p))
		return 0;
	if (sl_lex_op(&p->lx, "*")) {
		ins->star = 1;
		if (!next(p))
			return 0;
	} else
		do {
			if (ins->nitems && !next(p))
				return 0;
			if ((r = expr(p, &sp, 1)) <= 0)
				return r;
			if (span_add(&ins->items, &ins->nitems, &cap, sp.at, sp.n) < 0)
				return -1;
			if (sl_lex_kw(&p->lx, "AS") && (!next(p) || !ident(p, alias, sizeof alias, 0)))
				return 0;
		} while (sl_lex_op(&p->lx, ","));
	if (!expect_kw(p, "FROM"))
		return 0;
	ins->from.at = p->lx.tok.pos;
	if ((sl_lex_kw(&p->lx, "S3") || sl_lex_kw(&p->lx, "local")) && p->lx.tok.kind == SL_TOK_IDENT) {
		sl_lex_mark m = sl_lex_save(&p->lx);
		char name[8];
		snprintf(name, sizeof name, "%.*s", (int)p->lx.tok.n, p->lx.tok.p);
		if (!next(p))
			return 0;
		if (sl_lex_op(&p->lx, "(")) {
			sl_lex_restore(&p->lx, m);
			for (char *c = name; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			if (!(ins->tvf = strdup(name)))
				return -1;
			ins->source = !strcmp(name, "s3") ? SL_INSERT_S3 : SL_INSERT_LOCAL;
			if ((r = tvf_props(p)) <= 0)
				return r;
		} else
			sl_lex_restore(&p->lx, m);
	}
	if (!ins->tvf) {
		ins->source = SL_INSERT_TABLE;
		if (!table_ref(p, default_db, ins->sdb, ins->stbl))
			return 0;
	}
	ins->from.n = (p->lx.tok.kind == SL_TOK_EOF ? p->lx.len : p->lx.tok.pos) - ins->from.at;
	if (sl_lex_kw(&p->lx, "WHERE")) {
		if (!next(p))
			return 0;
		if ((r = expr(p, &ins->where, 1)) <= 0)
			return r;
	}
	return 1;
}

static int analyse_target(pstate *p, sl_store *st);

/* The statement's clauses, up to its end. */
static int clauses(pstate *p, const char *default_db)
{
	sl_insert *ins = p->ins;
	char l[NAME_MAX_];
	int r;

	if (!next(p) || !expect_kw(p, "INSERT") || !expect_kw(p, "INTO"))
		return 0;
	if (!table_ref(p, default_db, ins->db, ins->table))
		return 0;
	if (sl_lex_kw(&p->lx, "PARTITION") || sl_lex_kw(&p->lx, "TEMPORARY"))
		return perr(p, ER_UNKNOWN, "INSERT INTO a PARTITION is not supported yet");
	if (sl_lex_kw(&p->lx, "WITH")) {
		if (!next(p) || !expect_kw(p, "LABEL") || !ident(p, l, sizeof l, 1))
			return 0;
		if (!(ins->label = strdup(l)))
			return -1;
	}
	if (sl_lex_op(&p->lx, "(") && (r = col_list(p)) <= 0)
		return r;
	if ((r = analyse_target(p, p->st)) <= 0)
		return r;
	if (sl_lex_kw(&p->lx, "VALUES") || sl_lex_kw(&p->lx, "VALUE"))
		r = values(p);
	else if (sl_lex_kw(&p->lx, "SELECT"))
		r = select_q(p, default_db);
	else
		return syntax(p);
	if (r <= 0)
		return r;
	if (sl_lex_op(&p->lx, ";") && !next(p))
		return 0;
	return p->lx.tok.kind == SL_TOK_EOF ? 1 : syntax(p);
}

/* ---- analysis ---- */

static int visible_cols(const sl_schema *sch, char ***v, size_t *n)
{
	for (size_t i = 0; i < sch->ncols; i++)
		if (!sch->cols[i].hidden && strv_add(v, n, sch->cols[i].name, strlen(sch->cols[i].name)) < 0)
			return -1;
	return 1;
}

static int load_schema(pstate *p, sl_store *st, const char *db, const char *tbl, sl_schema *sch)
{
	int r;

	if (sl_name_valid(db) != 1)
		return perr(p, ER_BAD_DB, "Unknown database '%s'", db);
	if (sl_name_valid(tbl) != 1)
		return perr(p, ER_BAD_TABLE, "Unknown table '%s'", tbl);
	r = sl_schema_load(st, db, tbl, sch);
	if (r == 0 && errno == ENOTDIR)
		return perr(p, ER_BAD_DB, "Unknown database '%s'", db);
	if (r == 0)
		return perr(p, ER_BAD_TABLE, "Unknown table '%s'", tbl);
	return r;
}

/* The target exists; the listed columns are its own, once each. */
static int analyse_target(pstate *p, sl_store *st)
{
	sl_insert *ins = p->ins;
	int r = load_schema(p, st, ins->db, ins->table, &ins->sch);

	if (r <= 0)
		return r;
	if (!ins->collist)
		return visible_cols(&ins->sch, &ins->cols, &ins->ncols);
	for (size_t i = 0; i < ins->ncols; i++) {
		long c = sl_schema_col(&ins->sch, ins->cols[i], strlen(ins->cols[i]));
		if (c < 0 || ins->sch.cols[c].hidden)
			return perr(p, ER_BAD_FIELD, "Unknown column '%s' in '%s'", ins->cols[i], ins->table);
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(ins->cols[i], ins->cols[j]))
				return perr(p, ER_UNKNOWN, "Column '%s' specified twice", ins->cols[i]);
	}
	return 1;
}

/* After the clauses: the counts, the source. */
static int analyse_source(pstate *p, sl_store *st)
{
	sl_insert *ins = p->ins;
	sl_objsrc *src = NULL;
	size_t n = ins->nitems;
	int r;

	if (ins->label && sl_label_valid(ins->label) != 1)
		return perr(p, ER_UNKNOWN, "Label format error: '%s'", ins->label);
	if (ins->source == SL_INSERT_VALUES)
		return 1;
	if (ins->source == SL_INSERT_TABLE && ins->star) {
		sl_schema s;
		char **v = NULL;
		memset(&s, 0, sizeof s);
		if ((r = load_schema(p, st, ins->sdb, ins->stbl, &s)) > 0) {
			n = 0;
			r = visible_cols(&s, &v, &n);
			strv_free(v, n);
			sl_schema_free(&s);
		}
		if (r <= 0)
			return r;
	}
	if ((!ins->star || ins->source == SL_INSERT_TABLE) && n != ins->ncols)
		return perr(p, ER_COUNT, "Column count doesn't match value count");
	if (ins->source == SL_INSERT_TABLE)
		return 1;
	if (!sl_hdrs_get(&ins->props, "format"))
		return perr(p, ER_UNKNOWN, "Can not find property: format");
	r = sl_objsrc_open(&src, ins->tvf, &ins->props, p->err, p->cap);
	sl_objsrc_free(src);
	if (r == 0)
		*p->code = ER_UNKNOWN;
	return r;
}

int sl_insert_parse(sl_insert **out, sl_store *st, const char *default_db, const char *sql,
	size_t n, int *code, char *err, size_t cap)
{
	sl_insert *ins = calloc(1, sizeof *ins);
	pstate p = { .ins = ins, .code = code, .err = err, .cap = cap };
	int r;

	*out = NULL;
	*code = 0;
	if (cap)
		err[0] = 0;
	if (!ins)
		return -1;
	if (n > SL_LEX_STMT_MAX) {
		free(ins);
		return perr(&p, ER_UNKNOWN, "the statement is longer than %d bytes", SL_LEX_STMT_MAX);
	}
	if (!(ins->sql = malloc(n + 1))) {
		free(ins);
		return -1;
	}
	memcpy(ins->sql, sql, n);
	ins->sql[n] = 0;
	ins->n = n;
	sl_lex_init(&p.lx, ins->sql, n);
	p.st = st;
	r = clauses(&p, default_db);
	if (r > 0)
		r = analyse_source(&p, st);
	sl_lex_free(&p.lx);
	if (r <= 0) {
		int e = errno;
		sl_insert_free(ins);
		errno = e;
		return r;
	}
	*out = ins;
	return 1;
}

void sl_insert_free(sl_insert *ins)
{
	if (!ins)
		return;
	free(ins->label);
	free(ins->sql);
	sl_schema_free(&ins->sch);
	strv_free(ins->cols, ins->ncols);
	free(ins->items);
	free(ins->tvf);
	sl_hdrs_free(&ins->props);
	strv_free(ins->refs, ins->nrefs);
	free(ins->rows);
	free(ins);
}

const char *sl_insert_db(const sl_insert *ins) { return ins->db; }
const char *sl_insert_table(const sl_insert *ins) { return ins->table; }
int sl_insert_source(const sl_insert *ins) { return ins->source; }
const char *sl_insert_tvf(const sl_insert *ins) { return ins->tvf; }
const char *sl_insert_label(const sl_insert *ins) { return ins->label; }
const char *sl_insert_src_db(const sl_insert *ins)
{
	return ins->source == SL_INSERT_TABLE ? ins->sdb : NULL;
}
const char *sl_insert_src_table(const sl_insert *ins)
{
	return ins->source == SL_INSERT_TABLE ? ins->stbl : NULL;
}
const sl_hdrs *sl_insert_tvf_props(const sl_insert *ins)
{
	return ins->tvf ? &ins->props : NULL;
}

static int is_secret(const char *p, size_t n)
{
	for (const char *const *s = sl_objsrc_secret_props; *s; s++)
		if (strlen(*s) == n && !strncasecmp(*s, p, n))
			return 1;
	return 0;
}

int sl_insert_masked(const sl_insert *ins, sl_buf *out)
{
	sl_lex lx;
	size_t done = 0;
	int secret = 0, r = 1;

	sl_lex_init(&lx, ins->sql, ins->n);
	while (sl_lex_next(&lx) == 1 && lx.tok.kind != SL_TOK_EOF) {
		const sl_tok *t = &lx.tok;
		if (secret == 2 && t->kind == SL_TOK_STRING) {
			if (sl_buf_put(out, ins->sql + done, t->pos - done) < 0 ||
			    sl_buf_putc(out, t->p[0]) < 0 || sl_buf_puts(out, "*XXX") < 0 ||
			    sl_buf_putc(out, t->p[0]) < 0) {
				r = -1;
				break;
			}
			done = t->pos + t->n;
		}
		if (secret == 1 && sl_lex_op(&lx, "="))
			secret = 2;
		else
			secret = (t->kind == SL_TOK_STRING || t->kind == SL_TOK_QIDENT) &&
				is_secret(t->str ? t->str : "", t->strn);
	}
	sl_lex_free(&lx);
	if (r > 0 && sl_buf_put(out, ins->sql + done, ins->n - done) < 0)
		r = -1;
	return r;
}

/* ---- running ---- */

/* The format properties of a TVF that are a load's headers of the same name. */
static const char *const tvf_format_props[] = {
	"format", "column_separator", "line_delimiter", "compress_type", "read_json_by_line",
	"strip_outer_array", "json_root", "jsonpaths", "num_as_string", "fuzzy_parse",
	"trim_double_quotes", "skip_lines", "enclose", "escape", "empty_field_as_null", NULL,
};

typedef struct runctx {
	sl_insert *ins;
	sl_store *st;
	const sl_insert_opts *o;
	sl_objfeed feed;                         /* a TVF's objects */
	int wfd, epipe;
	sl_buf out, tmp;
	char msg[1536];
} runctx;

static int is_csv(const char *fmt)
{
	return !fmt || !strncasecmp(fmt, "csv", 3);
}

static int add_quoted(sl_buf *b, const char *name)
{
	if (sl_buf_putc(b, '`') < 0)
		return -1;
	for (const char *c = name; *c; c++)
		if ((*c == '`' && sl_buf_putc(b, '`') < 0) || sl_buf_putc(b, *c) < 0)
			return -1;
	return sl_buf_putc(b, '`');
}

/* `a`,`b`,... of names[0..n) (prefix: NULL, or "c" for c1..cn). */
static int name_list(sl_buf *b, char *const *names, size_t n, const char *prefix)
{
	char c[32];

	for (size_t i = 0; i < n; i++) {
		if (i && sl_buf_putc(b, ',') < 0)
			return -1;
		if (prefix)
			snprintf(c, sizeof c, "%s%zu", prefix, i + 1);
		if (add_quoted(b, prefix ? c : names[i]) < 0)
			return -1;
	}
	return 1;
}

/* Is name one of the target table's columns? */
static int target_has(const sl_insert *ins, const char *name)
{
	return sl_schema_col(&ins->sch, name, strlen(name)) >= 0;
}

/* The `columns` of a TVF's load: the source's names, then every target
 * column = its item. nsrc: the CSV's field count (0 JSON: the names the
 * items and WHERE use). A source name that is a column of the target
 * would be loaded into it as well: refused. 1, 0 (msg), -1. */
static int tvf_columns(runctx *c, size_t nsrc, sl_buf *b)
{
	sl_insert *ins = c->ins;
	char **src = nsrc ? NULL : ins->refs;
	size_t n = nsrc ? nsrc : ins->nrefs;
	char name[32];

	for (size_t i = 0; i < n; i++) {
		const char *s = src ? src[i] : (snprintf(name, sizeof name, "c%zu", i + 1), name);
		if (target_has(ins, s)) {
			snprintf(c->msg, sizeof c->msg, SL_E_NOT_IMPLEMENTED_ERROR "a source column named as a "
				"column of the target table ('%s') is not supported yet in INSERT ... SELECT", s);
			return 0;
		}
	}
	if (nsrc)
		for (size_t k = 0; k < ins->nrefs; k++) {
			char *e;
			unsigned long v = (ins->refs[k][0] | 32) == 'c' ? strtoul(ins->refs[k] + 1, &e, 10) : 0;
			if (!v || *e || v > nsrc) {
				snprintf(c->msg, sizeof c->msg, SL_E_ANALYSIS_ERROR "Unknown column '%s' in 'table list'",
					ins->refs[k]);
				return 0;
			}
		}
	if (name_list(b, src, n, src ? NULL : "c") < 0)
		return -1;
	for (size_t i = 0; i < ins->ncols; i++) {
		if ((b->len && sl_buf_putc(b, ',') < 0) || add_quoted(b, ins->cols[i]) < 0 || sl_buf_putc(b, '=') < 0)
			return -1;
		if (ins->star ? sl_buf_printf(b, "c%zu", i + 1) < 0 :
		    sl_buf_put(b, ins->sql + ins->items[i].at, ins->items[i].n) < 0)
			return -1;
	}
	return 1;
}

/* The rows of a SELECT (a VALUES row, or the source table's) as JSON
 * lines keyed by the target's columns. */
static int json_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	runctx *c = ctx;

	(void)names;
	if (n != c->ins->ncols) {
		snprintf(c->msg, sizeof c->msg, SL_E_ANALYSIS_ERROR "Column count doesn't match value count");
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (types[i].kind == SL_T_BITMAP || types[i].kind == SL_T_HLL) {
			snprintf(c->msg, sizeof c->msg, SL_E_NOT_IMPLEMENTED_ERROR "INSERT of a BITMAP or HLL "
				"value from a SELECT is not supported yet");
			errno = EINVAL;
			return -1;
		}
	return 1;
}

static int json_row(void *ctx, size_t n, const sl_value *v)
{
	runctx *c = ctx;
	sl_buf *b = &c->out;

	if (sl_buf_putc(b, '{') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((i && sl_buf_putc(b, ',') < 0) ||
		    sl_colval_json_string(b, c->ins->cols[i], strlen(c->ins->cols[i])) < 0 || sl_buf_putc(b, ':') < 0)
			return -1;
		if (v[i].kind == SL_V_NULL) {
			if (sl_buf_puts(b, "null") < 0)
				return -1;
			continue;
		}
		c->tmp.len = 0;
		if (sl_value_format(&v[i], &c->tmp) < 0 || sl_colval_json_string(b, c->tmp.p, c->tmp.len) < 0)
			return -1;
	}
	if (sl_buf_puts(b, "}\n") < 0)
		return -1;
	if (b->len >= 65536) {
		if (sl_allwrite(c->wfd, b->p, b->len) < b->len) {
			c->epipe = errno == EPIPE;
			return -1;
		}
		b->len = 0;
	}
	return 1;
}

int sl_insert_select_sql(const sl_insert *ins, sl_buf *out)
{
	if (ins->source != SL_INSERT_TABLE)
		return 0;
	if (sl_buf_puts(out, "SELECT ") < 0 ||
	    (ins->star ? sl_buf_putc(out, '*') : sl_buf_put(out, ins->sql + ins->items[0].at,
		ins->items[ins->nitems - 1].at + ins->items[ins->nitems - 1].n - ins->items[0].at)) < 0 ||
	    sl_buf_puts(out, " FROM ") < 0 || add_quoted(out, ins->sdb) < 0 || sl_buf_putc(out, '.') < 0 ||
	    add_quoted(out, ins->stbl) < 0)
		return -1;
	if (ins->where.n && (sl_buf_puts(out, " WHERE ") < 0 ||
	    sl_buf_put(out, ins->sql + ins->where.at, ins->where.n) < 0))
		return -1;
	return 1;
}

/* The session that runs the SELECTs: the statement's user and database. */
static int run_select(runctx *c, sl_sql *q, const char *sql, size_t n)
{
	sl_sql_sink k = { c, json_begin, json_row, NULL };
	int r = sl_sql_exec(q, sql, n, &k);

	if (r == 0)
		snprintf(c->msg, sizeof c->msg, SL_E_ANALYSIS_ERROR "%.1024s", q->err);
	else if (r < 0 && !c->epipe && !c->msg[0])
		snprintf(c->msg, sizeof c->msg, SL_E_INTERNAL_ERROR "%.1024s: %s", q->err, strerror(errno));
	return r;
}

static const char *feed_select(void *ctx, int wfd)
{
	runctx *c = ctx;
	sl_insert *ins = c->ins;
	sl_buf sql = SL_BUF_ZERO;
	sl_sql q;
	int r = 1;

	c->wfd = wfd;
	sl_sql_init(&q, c->st);
	if (c->o->user && *c->o->user && sl_sql_set_user(&q, c->o->user) < 0)
		r = -1;
	for (size_t i = 0; r > 0 && i < (ins->source == SL_INSERT_VALUES ? ins->nrows : 1); i++) {
		sql.len = 0;
		if (ins->source == SL_INSERT_VALUES)
			r = sl_buf_puts(&sql, "SELECT ") < 0 ? -1 :
				sl_buf_put(&sql, ins->sql + ins->rows[i].at, ins->rows[i].n);
		else
			r = sl_insert_select_sql(ins, &sql);
		if (r > 0)
			r = run_select(c, &q, sql.p, sql.len);
	}
	if (r < 0 && !c->msg[0] && !c->epipe)
		snprintf(c->msg, sizeof c->msg, SL_E_INTERNAL_ERROR "%s", strerror(errno));
	if (r > 0 && c->out.len && sl_allwrite(wfd, c->out.p, c->out.len) < c->out.len)
		c->epipe = errno == EPIPE;
	c->out.len = 0;
	sl_sql_free(&q);
	sl_buf_free(&sql);
	return c->msg[0] && !c->epipe ? c->msg : NULL;
}

static const char *session_var(const sl_insert_opts *o, const char *name, const char *dflt)
{
	const char *v = o->session ? sl_hdrs_get(o->session, name) : NULL;

	return v ? v : dflt;
}

/* The load's headers from the statement and the session: 1, 0 (msg), -1. */
static int build_headers(runctx *c, sl_hdrs *h)
{
	sl_insert *ins = c->ins;
	const sl_insert_opts *o = c->o;
	const char *strict = session_var(o, "enable_insert_strict", "true"), *tz = session_var(o, "time_zone", NULL);
	int on = !strcasecmp(strict, "true") || !strcmp(strict, "1") || !strcasecmp(strict, "on");
	sl_buf b = SL_BUF_ZERO;
	int r = 1;

	if (sl_hdrs_set(h, "max_filter_ratio", on ? "0" : session_var(o, "insert_max_filter_ratio", "1.0")) < 0 ||
	    sl_hdrs_set(h, "strict_mode", on ? "true" : "false") < 0 || (tz && sl_hdrs_set(h, "timezone", tz) < 0))
		return -1;
	if (ins->source == SL_INSERT_VALUES || ins->source == SL_INSERT_TABLE) {
		if (sl_hdrs_set(h, "format", "json") < 0 || sl_hdrs_set(h, "read_json_by_line", "true") < 0 ||
		    name_list(&b, ins->cols, ins->ncols, NULL) < 0 || sl_buf_cstr(&b) < 0 ||
		    sl_hdrs_set(h, "columns", b.p) < 0)
			r = -1;
		sl_buf_free(&b);
		return r;
	}
	for (const char *const *k = tvf_format_props; *k; k++) {
		const char *v = sl_hdrs_get(&ins->props, *k);
		if (v && sl_hdrs_set(h, *k, v) < 0)
			return -1;
	}
	if (c->feed.compress && sl_hdrs_set(h, "compress_type", c->feed.compress) < 0)
		return -1;
	if (!is_csv(sl_hdrs_get(h, "format")) && !sl_hdrs_get(h, "read_json_by_line") &&
	    sl_hdrs_set(h, "read_json_by_line", "true") < 0)        /* the TVF's default */
		return -1;
	if (!ins->star || (ins->where.n && is_csv(sl_hdrs_get(h, "format")))) {
		size_t nsrc = 0;
		if (is_csv(sl_hdrs_get(h, "format"))) {
			if (c->feed.compressed) {
				snprintf(c->msg, sizeof c->msg, SL_E_NOT_IMPLEMENTED_ERROR "a select list or WHERE over "
					"compressed CSV objects is not supported yet");
				return 0;
			}
			if ((r = sl_objfeed_fields(&c->feed, &nsrc)) <= 0) {
				snprintf(c->msg, sizeof c->msg, "%s", c->feed.msg);
				return r;
			}
			if (ins->star && nsrc != ins->ncols) {
				snprintf(c->msg, sizeof c->msg, SL_E_ANALYSIS_ERROR "Column count doesn't match value count");
				return 0;
			}
		}
		r = tvf_columns(c, nsrc, &b);
	} else if (ins->collist)
		r = name_list(&b, ins->cols, ins->ncols, NULL);
	if (r > 0 && b.len && (sl_buf_cstr(&b) < 0 || sl_hdrs_set(h, "columns", b.p) < 0))
		r = -1;
	sl_buf_free(&b);
	if (r > 0 && ins->where.n) {
		char *w = strndup(ins->sql + ins->where.at, ins->where.n);
		r = w && sl_hdrs_set(h, SL_PRECEDING_FILTER, w) > 0 ? 1 : -1;
		free(w);
	}
	return r;
}

/* LOAD on the target; SELECT on a source table. 1, 0 (msg), -1. */
static int check_privs(runctx *c)
{
	const char *u = c->o->user;
	int r;

	if (!u || !*u || !strcmp(u, "root"))
		return 1;
	if ((r = sl_auth_has_priv(c->st, u, c->ins->db, c->ins->table, SL_PRIV_LOAD)) > 0 &&
	    c->ins->source == SL_INSERT_TABLE)
		r = sl_auth_has_priv(c->st, u, c->ins->sdb, c->ins->stbl, SL_PRIV_SELECT) > 0 ? 1 : 2;
	if (r == 0 || r == 2)
		snprintf(c->msg, sizeof c->msg, SL_E_ANALYSIS_ERROR SL_TSTATUS "Access denied; you need (at least "
			"one of) the (%s) privilege(s) for this operation", r ? "SELECT" : "LOAD");
	return r == 2 ? 0 : r;
}

static void on_pipe(int sig) { (void)sig; }

/* Doris's generated label: label_<hi>_<lo> of a random query id. */
static int gen_label(char *buf, size_t cap)
{
	uint64_t id[2];

	if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id)
		return -1;
	snprintf(buf, cap, "label_%" PRIx64 "_%" PRIx64, id[0], id[1]);
	return 1;
}

int sl_insert_run(sl_insert *ins, sl_store *st, const sl_insert_opts *o, sl_load_out *out)
{
	runctx c;
	sl_hdrs h = SL_HDRS_ZERO;
	sl_load_req rq;
	struct sigaction sa, old;
	char label[64], *env[3] = { (char *)SL_COMMIT_WATCH_ENV "=1", NULL, NULL };
	int r;

	memset(&c, 0, sizeof c);
	c.ins = ins;
	c.st = st;
	c.o = o;
	if (o->attach && strlen(o->attach) > SL_INSERT_ATTACH_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (!o->label && !ins->label && gen_label(label, sizeof label) < 0)
		return -1;
	memset(&rq, 0, sizeof rq);
	rq.data_dir = o->data_dir;
	rq.st = st;
	rq.bindir = o->bindir;
	rq.db = ins->db;
	rq.table = ins->table;
	rq.hdrs = &h;
	rq.infd = -1;
	rq.feed = ins->tvf ? sl_objfeed_feed : feed_select;
	rq.feed_ctx = ins->tvf ? (void *)&c.feed : (void *)&c;
	rq.errfd = o->errfd;
	rq.user = o->user && *o->user ? o->user : "root";
	rq.client_ip = "127.0.0.1";
	rq.env = env;
	if (o->attach) {
		if (!(env[1] = malloc(strlen(o->attach) + sizeof SL_COMMIT_ATTACH_ENV "=")))
			return -1;
		sprintf(env[1], "%s=%s", SL_COMMIT_ATTACH_ENV, o->attach);
	}
	/* a write to a reader that is gone (the pipeline, or the feed that
	 * stopped reading an object) is EPIPE, not a signal */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_pipe;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, &old);
	r = sl_hdrs_set(&h, "label", o->label ? o->label : ins->label ? ins->label : label) < 0 ? -1 : 1;
	if (r > 0)
		r = check_privs(&c);
	if (r > 0 && ins->tvf && (r = sl_objfeed_open(&c.feed, ins->tvf, &ins->props, o->keys, o->nkeys)) == 0)
		snprintf(c.msg, sizeof c.msg, "%s", c.feed.msg);
	if (r > 0)
		r = build_headers(&c, &h);
	if (r == 0)
		r = sl_load_fail(&rq, c.msg, out);
	else if (r > 0)
		r = sl_load_run(&rq, out);
	sigaction(SIGPIPE, &old, NULL);
	free(env[1]);
	sl_hdrs_free(&h);
	sl_buf_free(&c.out);
	sl_buf_free(&c.tmp);
	sl_objfeed_close(&c.feed);
	return r;
}

int sl_insert_attach_get(const sl_txninfo *ti, sl_buf *out)
{
	return sl_result_attach_extra_get(ti->attach.p, ti->attach.len, out);
}
