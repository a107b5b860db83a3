/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlselect.c -- SELECT: parse the statement (select list, FROM one table,
 * WHERE, GROUP BY, HAVING, ORDER BY, LIMIT), check the SELECT privilege
 * on its table, then resolve it: expand '*', let GROUP BY and ORDER BY
 * name a select item by position or alias, and bind every expression to
 * the table's columns (expr.h). sqlrun.c runs the result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sl.h"
#include "io.h"
#include "lex.h"
#include "types.h"
#include "expr.h"
#include "schema.h"
#include "store.h"
#include "merge.h"
#include "auth.h"
#include "sql.h"
#include "sqlint.h"

static int ident_is_reserved(stmt *s)
{
	static const char *const r[] = { "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT",
		"OFFSET", "UNION", "INTO", "ON", "JOIN", "INNER", "LEFT", "RIGHT", "CROSS", "FOR",
		"LOCK", "WINDOW", "AS", "ASC", "DESC", "USING", "NATURAL", "FULL", "OUTER" };
	for (size_t i = 0; i < SL_ARRAY_LEN(r); i++)
		if (sl_sql_kw(s, r[i]))
			return 1;
	return 0;
}

/* The most items of a select list (after '*' is expanded), GROUP BY or
 * ORDER BY: MySQL's column limit. Matching ORDER BY against the select list
 * is quadratic in these, and each item costs memory. */
#define SEL_LIST_MAX 4096

static int too_many(stmt *s, const char *what)
{
	s->failed = 1;
	if (!strcmp(what, "select list"))
		return sl_sql_err(s->q, SL_SQL_ER_TOO_MANY_FIELDS, "HY000", "Too many columns");
	return sl_sql_err(s->q, SL_SQL_ER_PARSE, "42000", "Too many expressions in %s: the limit is %d", what, SEL_LIST_MAX);
}

static int expr_err(stmt *s, const char *err)
{
	s->failed = 1;
	return sl_sql_err(s->q, SL_SQL_ER_PARSE, "42000", "%s", err);
}

static sl_expr *parse_expr(stmt *s)
{
	char err[512];
	sl_expr *e;

	err[0] = 0;
	if (s->lx.tok.kind == SL_TOK_EOF) {
		sl_sql_syntax(s);
		return 0;
	}
	e = sl_expr_parse_lex(&s->lx, err, sizeof err);
	if (!e)
		expr_err(s, err[0] ? err : "syntax error");
	return e;
}

/* Is the current token an integer standing alone as a list entry (ORDER BY 2)? */
static long positional(stmt *s)
{
	sl_lex_mark m;
	long v;
	int alone;

	if (s->lx.tok.kind != SL_TOK_INT || s->lx.tok.n > 9)
		return 0;
	/* not strtol: the statement need not end with a NUL (fuzz-sql) */
	v = 0;
	for (size_t i = 0; i < s->lx.tok.n; i++)
		v = v * 10 + (s->lx.tok.p[i] - '0');
	m = sl_lex_save(&s->lx);
	if (sl_lex_next(&s->lx) < 0) {
		sl_lex_restore(&s->lx, m);
		return 0;
	}
	alone = s->lx.tok.kind == SL_TOK_EOF || sl_sql_op(s, ",") || sl_sql_op(s, ";") || sl_sql_kw(s, "ASC") || sl_sql_kw(s, "DESC")
		|| sl_sql_kw(s, "LIMIT") || sl_sql_kw(s, "HAVING") || sl_sql_kw(s, "ORDER");
	sl_lex_restore(&s->lx, m);
	return alone && v > 0 ? v : (alone ? -1 : 0);
}

static int oitem_list(stmt *s, sl_sel_oitem **v, size_t *n, int order)
{
	for (;;) {
		sl_sel_oitem it;
		sl_sel_oitem *p;

		if (*n >= SEL_LIST_MAX)
			return too_many(s, order ? "ORDER BY" : "GROUP BY");
		memset(&it, 0, sizeof it);
		it.ref = -1;
		it.at = sl_sql_pos(s);
		it.pos = positional(s);
		if (it.pos) {
			if (!sl_sql_advance(s))
				return 0;
		} else if (!(it.e = parse_expr(s)))
			return 0;
		if (order && (sl_sql_kw(s, "ASC") || sl_sql_kw(s, "DESC"))) {
			it.desc = sl_sql_kw(s, "DESC");
			if (!sl_sql_advance(s)) {
				sl_expr_free(it.e);
				return 0;
			}
		}
		p = realloc(*v, (*n + 1) * sizeof *p);
		if (!p) {
			sl_expr_free(it.e);
			s->failed = -1;
			return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		}
		*v = p;
		(*v)[(*n)++] = it;
		if (!sl_sql_op(s, ","))
			return 1;
		if (!sl_sql_advance(s))
			return 0;
	}
}

/* One select-list item into it: '*', or an expression with its name (the
 * alias, or the expression's text). 1, 0, -1; it holds what it got. */
static int parse_item(stmt *s, sl_sel_item *it)
{
	size_t n;
	const char *t;

	memset(it, 0, sizeof *it);
	if (sl_sql_op(s, "*")) {
		it->star = 1;
		return sl_sql_advance(s);
	}
	if (!(it->e = parse_expr(s)))
		return 0;
	if (sl_sql_kw(s, "AS")) {
		if (!sl_sql_advance(s))
			return 0;
		if (s->lx.tok.kind != SL_TOK_IDENT && s->lx.tok.kind != SL_TOK_QIDENT
				&& s->lx.tok.kind != SL_TOK_STRING)
			return sl_sql_syntax(s);
	}
	if (s->lx.tok.kind == SL_TOK_QIDENT || s->lx.tok.kind == SL_TOK_STRING
			|| (s->lx.tok.kind == SL_TOK_IDENT && !ident_is_reserved(s))) {
		if (s->lx.tok.kind == SL_TOK_IDENT)
			it->name = strndup(s->lx.tok.p, s->lx.tok.n);
		else
			it->name = strndup(s->lx.tok.str ? s->lx.tok.str : "", s->lx.tok.strn);
		if (!it->name)
			return -1;
		return sl_sql_advance(s);
	}
	t = sl_expr_text(it->e, &n);
	return (it->name = strndup(t ? t : "", t ? n : 0)) ? 1 : -1;
}

/* The select list, after SELECT [ALL | DISTINCT]. */
static int parse_items(sel *S)
{
	stmt *s = S->s;

	for (;;) {
		sl_sel_item it;
		sl_sel_item *p = 0;
		int r;

		if (S->nitems >= SEL_LIST_MAX)
			return too_many(s, "select list");
		r = parse_item(s, &it);
		if (r > 0 && !(p = realloc(S->items, (S->nitems + 1) * sizeof *p)))
			r = -1;
		if (r <= 0) {
			sl_expr_free(it.e);
			free(it.name);
			if (r < 0) {
				s->failed = -1;
				return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
			}
			return 0;
		}
		S->items = p;
		S->items[S->nitems++] = it;
		if (!sl_sql_op(s, ","))
			return 1;
		if (!sl_sql_advance(s))
			return 0;
	}
}

/* [TEMPORARY] PARTITION[S] (p1, p2) | [TEMPORARY] PARTITION p */
static int parse_partitions(sel *S)
{
	stmt *s = S->s;

	if (sl_sql_kw(s, "TEMPORARY")) {
		S->ptemp = 1;
		if (!sl_sql_advance(s))
			return 0;
		if (!sl_sql_kw(s, "PARTITION") && !sl_sql_kw(s, "PARTITIONS"))
			return sl_sql_syntax(s);
	}
	if (!sl_sql_kw(s, "PARTITION") && !sl_sql_kw(s, "PARTITIONS"))
		return 1;
	return sl_sql_advance(s) && sl_sqlpart_names(s, &S->pnames, &S->npnames) > 0;
}

/* [FROM DUAL | FROM [db.]table [PARTITION (...)] [[AS] alias]] */
static int parse_from(sel *S)
{
	stmt *s = S->s;
	int qualified;

	if (!sl_sql_kw(s, "FROM"))
		return 1;
	if (!sl_sql_advance(s))
		return 0;
	if (sl_sql_kw(s, "DUAL"))
		return sl_sql_advance(s);
	if (s->lx.tok.kind == SL_TOK_IDENT && s->lx.tok.n < 8) {
		/* job(...), jobs(...), tasks(...): the continuous-load views */
		sl_lex_mark m = sl_lex_save(&s->lx);
		snprintf(S->tbl, sizeof S->tbl, "%.*s", (int)s->lx.tok.n, s->lx.tok.p);
		if (sl_sqljob_is_view(S->tbl) && sl_sql_advance(s) && sl_sql_op(s, "("))
			S->jobview = 1;
		else
			sl_lex_restore(&s->lx, m);
	}
	qualified = 0;
	if (S->jobview ? !sl_sqljob_view_args(s, S->tbl) : !sl_sql_table_ref_q(s, S->db, S->tbl, &qualified))
		return 0;
	S->has_table = 1;
	snprintf(S->shown, sizeof S->shown, "%s%s%s", qualified ? S->db : "", qualified ? "." : "", S->tbl);
	if (!parse_partitions(S))
		return 0;
	if (sl_sql_kw(s, "AS") && !sl_sql_advance(s))
		return 0;
	if (s->lx.tok.kind == SL_TOK_QIDENT || (s->lx.tok.kind == SL_TOK_IDENT && !ident_is_reserved(s))) {
		char alias[SL_SQL_NAME_MAX];
		if (!sl_sql_ident(s, alias, sizeof alias))
			return 0;
	}
	if (sl_sql_op(s, ","))
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "queries over more than one table are not supported (at position %zu)", sl_sql_pos(s));
	return 1;
}

static int parse_select(sel *S)
{
	stmt *s = S->s;

	if (!sl_sql_advance(s))
		return 0;
	if (sl_sql_kw(s, "ALL") && !sl_sql_advance(s))
		return 0;
	if (sl_sql_kw(s, "DISTINCT")) {
		S->distinct = 1;
		if (!sl_sql_advance(s))
			return 0;
	}
	if (!parse_items(S) || !parse_from(S))
		return 0;
	if (sl_sql_kw(s, "WHERE")) {
		if (!sl_sql_advance(s) || !(S->where = parse_expr(s)))
			return 0;
	}
	if (sl_sql_kw(s, "GROUP")) {
		if (!sl_sql_advance(s) || !sl_sql_expect_kw(s, "BY") || !oitem_list(s, &S->group, &S->ngroup, 0))
			return 0;
	}
	if (sl_sql_kw(s, "HAVING")) {
		if (!sl_sql_advance(s) || !(S->having = parse_expr(s)))
			return 0;
	}
	if (sl_sql_kw(s, "ORDER")) {
		if (!sl_sql_advance(s) || !sl_sql_expect_kw(s, "BY") || !oitem_list(s, &S->order, &S->norder, 1))
			return 0;
	}
	return sl_sql_limit(s, &S->limit, &S->offset) && sl_sql_expect_end(s);
}

/* A fresh parse of select item i's text (GROUP BY alias / position). */
static sl_expr *reparse_item(sel *S, size_t i)
{
	char err[512];
	size_t n;
	const char *t = sl_expr_text(S->items[i].e, &n);
	sl_expr *e = NULL;
	sl_lex lx;

	/* Not sl_expr_parse: an item of a statement may be longer than
	 * SL_EXPR_TEXT_MAX; it parsed once, so it parses again. */
	err[0] = 0;
	sl_lex_init(&lx, t, n);
	if (sl_lex_next(&lx) < 0)
		snprintf(err, sizeof err, "%s", lx.err);
	else
		e = sl_expr_parse_lex(&lx, err, sizeof err);
	sl_lex_free(&lx);
	if (!e)
		expr_err(S->s, err[0] ? err : "syntax error");
	return e;
}

static int bind(sel *S, sl_expr *e, int aggs, const char *clause)
{
	sl_expr_scope sc;
	char err[512];
	int ext = aggs && S->xnames && strcmp(clause, "select list");

	sc.ncols = S->ncols + (ext ? S->nitems : 0);
	sc.names = ext ? S->xnames : S->cnames;
	sc.types = ext ? S->xtypes : S->ctypes;
	sc.allow_aggs = aggs;
	err[0] = 0;
	if (sl_expr_bind(e, &sc, err, sizeof err))
		return 1;
	S->s->failed = 1;
	if (strstr(err, "Unknown column"))
		return sl_sql_err(S->s->q, SL_SQL_ER_BAD_FIELD, "42S22", "%s", err);
	if (!aggs && sl_expr_has_aggs(e))
		return sl_sql_err(S->s->q, SL_SQL_ER_INVALID_GROUP_FUNC_USE, "HY000", "Invalid use of group function in %s", clause);
	return sl_sql_err(S->s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", err[0] ? err : "invalid expression");
}

static int name_eq(const char *a, const char *b, size_t bn)
{
	return strlen(a) == bn && !strncasecmp(a, b, bn);
}

/* The table's schema and the arrays sized by its columns. */
static int resolve_table(sel *S)
{
	sl_sql *q = S->s->q;
	int r;

	if (S->virt) {
		if ((r = S->jobview ? sl_sqljob_open(S->s, S->tbl, &S->vt) : sl_sqlinfo_open(S->s, S->tbl, &S->vt)) <= 0)
			return r;
		/* a virtual table: its columns, all visible */
		S->sch.nvisible = S->vt.ncols;
		S->ncols = S->vt.ncols;
	} else if ((r = sl_sql_load_schema(q, S->db, S->tbl, &S->sch)) <= 0)
		return r;
	else
		S->ncols = S->sch.ncols;
	S->cnames = calloc(S->ncols + 1, sizeof *S->cnames);
	S->ctypes = calloc(S->ncols + 1, sizeof *S->ctypes);
	S->fields = calloc(S->ncols + 1, sizeof *S->fields);
	S->row = calloc(S->ncols + 1, sizeof *S->row);
	if (!S->cnames || !S->ctypes || !S->fields || !S->row)
		return sl_sql_syserr(q, SL_SQL_MSG_OOM);
	for (size_t i = 0; S->virt && i < S->ncols; i++) {
		S->cnames[i] = S->vt.names[i];
		S->ctypes[i] = S->vt.types[i];
	}
	for (size_t i = 0; !S->virt && i < S->ncols; i++) {
		/* A hidden column is named only with show_hidden_columns ("" never matches). */
		S->cnames[i] = S->sch.cols[i].hidden && !q->show_hidden_columns ? "" : S->sch.cols[i].name;
		S->ctypes[i] = S->sch.cols[i].type;
	}
	return 1;
}

/* Items p[0..n): one per column, `name` quoted as an identifier. */
static int star_items(sel *S, sl_sel_item *p, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char buf[SL_SQL_NAME_MAX * 2 + 3], err[256];
		size_t n = 0;
		buf[n++] = '`';
		for (const char *c = S->cnames[k]; *c && n < sizeof buf - 3; c++) {
			if (*c == '`')
				buf[n++] = '`';
			buf[n++] = *c;
		}
		buf[n++] = '`';
		buf[n] = 0;
		memset(&p[k], 0, sizeof p[k]);
		p[k].e = sl_expr_parse(buf, n, err, sizeof err);
		p[k].name = strdup(S->cnames[k]);
		if (!p[k].e || !p[k].name) {
			/* Keep the rest freeable. */
			for (size_t j = k + 1; j < n; j++)
				memset(&p[j], 0, sizeof p[j]);
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
		}
	}
	return 1;
}

/* Expand each '*' of the select list into the table's columns: the
 * visible ones (hidden ones are last), all with show_hidden_columns. */
static int expand_stars(sel *S)
{
	sl_sql *q = S->s->q;
	size_t n = q->show_hidden_columns ? S->ncols : S->sch.nvisible;

	for (size_t i = 0; i < S->nitems; i++) {
		sl_sel_item *p;

		if (!S->items[i].star)
			continue;
		if (!S->has_table)
			return sl_sql_err(q, SL_SQL_ER_NO_TABLES_USED, "HY000", "No tables used");
		if (S->nitems - 1 + n > SEL_LIST_MAX)
			return too_many(S->s, "select list");
		p = realloc(S->items, (S->nitems + n + 1) * sizeof *p);
		if (!p)
			return sl_sql_syserr(q, SL_SQL_MSG_OOM);
		S->items = p;
		memmove(p + i + n, p + i + 1, (S->nitems - i - 1) * sizeof *p);
		S->nitems += n - 1;
		if (star_items(S, p + i, n) < 0)
			return -1;
		i += n - 1;
	}
	return 1;
}

/* Bind the select list; then the names HAVING and ORDER BY see: the
 * columns, then the items by alias. */
static int resolve_items(sel *S)
{
	sl_sql *q = S->s->q;

	if (!(S->outv = calloc(S->nitems + S->norder + 1, sizeof *S->outv)))
		return sl_sql_syserr(q, SL_SQL_MSG_OOM);
	for (size_t i = 0; i < S->nitems; i++)
		if (!bind(S, S->items[i].e, 1, "select list"))
			return 0;
	S->xnames = calloc(S->ncols + S->nitems + 1, sizeof *S->xnames);
	S->xtypes = calloc(S->ncols + S->nitems + 1, sizeof *S->xtypes);
	S->xrow = calloc(S->ncols + S->nitems + 1, sizeof *S->xrow);
	if (!S->xnames || !S->xtypes || !S->xrow)
		return sl_sql_syserr(q, SL_SQL_MSG_OOM);
	for (size_t i = 0; i < S->ncols; i++) {
		S->xnames[i] = S->cnames[i];
		S->xtypes[i] = S->ctypes[i];
	}
	for (size_t i = 0; i < S->nitems; i++) {
		const char *n = S->items[i].name;
		/* An alias never hides a column of the table. */
		S->xnames[S->ncols + i] = sl_schema_col(&S->sch, n, strlen(n)) >= 0 ? "" : n;
		S->xtypes[S->ncols + i] = sl_expr_type(S->items[i].e);
	}
	return 1;
}

/* GROUP BY entries (DISTINCT: the whole select list): a position or an
 * alias stands for its item's expression; bind each. */
static int resolve_group(sel *S)
{
	sl_sql *q = S->s->q;

	if (S->distinct && !S->ngroup) {
		S->group = calloc(S->nitems + 1, sizeof *S->group);
		if (!S->group)
			return sl_sql_syserr(q, SL_SQL_MSG_OOM);
		for (size_t i = 0; i < S->nitems; i++) {
			S->group[i].ref = -1;
			S->group[i].pos = (long)i + 1;
		}
		S->ngroup = S->nitems;
	}
	for (size_t i = 0; i < S->ngroup; i++) {
		sl_sel_oitem *g = &S->group[i];
		size_t n;
		const char *cn;

		if (g->pos) {
			if (g->pos < 0 || (size_t)g->pos > S->nitems)
				return sl_sql_err(q, SL_SQL_ER_BAD_FIELD, "42S22", "Unknown column '%ld' in 'group statement'", g->pos);
			if (!(g->e = reparse_item(S, (size_t)g->pos - 1)))
				return 0;
		} else if ((cn = sl_expr_colname(g->e, &n)) && sl_schema_col(&S->sch, cn, n) < 0) {
			for (size_t k = 0; k < S->nitems; k++)
				if (name_eq(S->items[k].name, cn, n)) {
					sl_expr_free(g->e);
					if (!(g->e = reparse_item(S, k)))
						return 0;
					break;
				}
		}
		if (!bind(S, g->e, 0, "GROUP BY")) {
			if (sl_expr_has_aggs(g->e)) {
				size_t tn;
				const char *t = sl_expr_text(g->e, &tn);
				return sl_sql_err(q, SL_SQL_ER_WRONG_GROUP_FIELD, "42000", "Can't group on '%.*s'", (int)tn, t);
			}
			return 0;
		}
	}
	return 1;
}

/* ORDER BY entries: a position, an alias or an item's very text refers
 * to that item (ref); anything else is bound as an expression. */
static int resolve_order(sel *S)
{
	for (size_t i = 0; i < S->norder; i++) {
		sl_sel_oitem *o = &S->order[i];
		size_t n, tn;
		const char *cn, *t;

		if (o->pos) {
			if (o->pos < 0 || (size_t)o->pos > S->nitems)
				return sl_sql_err(S->s->q, SL_SQL_ER_BAD_FIELD, "42S22", "Unknown column '%ld' in 'order clause'", o->pos);
			o->ref = o->pos - 1;
			continue;
		}
		cn = sl_expr_colname(o->e, &n);
		t = sl_expr_text(o->e, &tn);
		for (size_t k = 0; k < S->nitems && o->ref < 0; k++) {
			if (cn && name_eq(S->items[k].name, cn, n))
				o->ref = (long)k;
			else {
				size_t it_n;
				const char *it_t = sl_expr_text(S->items[k].e, &it_n);
				if (t && it_t && it_n == tn && !memcmp(it_t, t, tn))
					o->ref = (long)k;
			}
		}
		if (o->ref < 0 && !bind(S, o->e, 1, "ORDER BY"))
			return 0;
	}
	return 1;
}

/* Aggregates: one numbering across select list, HAVING and ORDER BY. */
static int collect_aggs(sel *S)
{
	for (size_t i = 0; i < S->nitems; i++)
		if (sl_expr_collect_aggs(S->items[i].e, &S->aggs) < 0)
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	if (S->having && sl_expr_collect_aggs(S->having, &S->aggs) < 0)
		return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	for (size_t i = 0; i < S->norder; i++)
		if (S->order[i].ref < 0 && sl_expr_collect_aggs(S->order[i].e, &S->aggs) < 0)
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	S->grouped = S->ngroup > 0 || S->aggs.n > 0;
	return 1;
}

/* Expand '*', resolve GROUP BY/ORDER BY references, bind everything. */
static int resolve(sel *S)
{
	int r;

	if (S->has_table && (r = resolve_table(S)) <= 0)
		return r;
	if ((r = expand_stars(S)) <= 0 || (r = resolve_items(S)) <= 0)
		return r;
	if (S->where && !bind(S, S->where, 0, "WHERE"))
		return 0;
	if ((r = resolve_group(S)) <= 0)
		return r;
	if (S->having && !bind(S, S->having, 1, "HAVING"))
		return 0;
	if ((r = resolve_order(S)) <= 0)
		return r;
	return collect_aggs(S);
}

static void sel_free(sel *S)
{
	for (size_t i = 0; i < S->nitems; i++) {
		sl_expr_free(S->items[i].e);
		free(S->items[i].name);
	}
	free(S->items);
	sl_strv_free(S->pnames, S->npnames);
	sl_expr_free(S->where);
	sl_expr_free(S->having);
	for (size_t i = 0; i < S->ngroup; i++)
		sl_expr_free(S->group[i].e);
	free(S->group);
	for (size_t i = 0; i < S->norder; i++)
		sl_expr_free(S->order[i].e);
	free(S->order);
	for (size_t g = 0; g < S->ngroups; g++) {
		for (size_t i = 0; i < S->aggs.n; i++)
			sl_agg_free(&S->groups[g].st[i]);
		free(S->groups[g].st);
		free(S->groups[g].key);
		free(S->groups[g].row);
	}
	free(S->groups);
	free(S->htab);
	free(S->aggs.calls);
	sl_buf_free(&S->key);
	for (size_t i = 0; i < S->nrows; i++)
		free(S->rows[i].v);
	free(S->rows);
	free(S->outv);
	if (S->scan)
		sl_merge_close(S->scan);
	if (S->snap_open)
		sl_snapshot_free(&S->snap);
	free(S->fields);
	free(S->row);
	free(S->cnames);
	free(S->ctypes);
	free(S->xnames);
	free(S->xtypes);
	free(S->xrow);
	sl_schema_free(&S->sch);
	sl_sqlinfo_free(&S->vt);
	sl_arena_free(&S->arena);
}

int sl_sqlselect_stmt(stmt *s)
{
	sel S;
	int r;

	memset(&S, 0, sizeof S);
	S.s = s;
	S.limit = -1;
	r = parse_select(&S);
	/* the one table a SELECT reads (no joins, no subqueries) */
	S.virt = S.has_table && (sl_sqlinfo_is(S.db) || S.jobview);
	/* information_schema: every user reads it, its rows are filtered */
	if (r > 0 && S.has_table && !S.virt)
		r = sl_sqlauth_need_table(s, "SELECT", S.db, S.tbl, SL_PRIV_SELECT, 0);
	if (r > 0)
		r = resolve(&S);
	if (r > 0)
		r = sl_sqlrun_select(&S);
	sel_free(&S);
	return r;
}
