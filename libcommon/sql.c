/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql.c -- the SQL engine's front door (sql.h): the session, the statement
 * splitter, the token helpers and errors every statement shares, the
 * result helpers, and the dispatch of a statement to its module by its
 * first keywords (sqlint.h):
 *  - sqlddl.c     databases and tables: CREATE/DROP, USE, SHOW, DESC;
 *  - sqlpart.c    partitions: ALTER TABLE ADD/DROP PARTITION, TRUNCATE,
 *                 SHOW PARTITIONS, the partitions a SELECT reads;
 *  - sqlselect.c  SELECT (parse and resolve), sqlrun.c (run it);
 *  - sqlauth.c    privilege checks, users and grants statements;
 *  - sqlload.c    SHOW LOAD and SHOW STREAM LOAD over the load record;
 *  - sqlhelp.c    HELP;
 *  - sqlvar.c     SET of session variables.
 * Statements are parsed with the shared lexer (lex.h); expressions with
 * the shared engine (expr.h); CREATE TABLE with schema.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "lex.h"
#include "types.h"
#include "schema.h"
#include "store.h"
#include "auth.h"
#include "sql.h"
#include "sqlint.h"

void sl_sql_init(sl_sql *q, sl_store *st)
{
	memset(q, 0, sizeof *q);
	q->st = st;
}

int sl_sql_set_user(sl_sql *q, const char *user)
{
	if (!user || !sl_auth_user_valid(user)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(q->user, sizeof q->user, "%s", user);
	return 1;
}

void sl_sql_free(sl_sql *q)
{
	sl_sqlsys_free(q);
	free(q->db);
	q->db = 0;
}

int sl_sql_err(sl_sql *q, int code, const char *state, const char *fmt, ...)
{
	va_list ap;

	q->code = code;
	snprintf(q->state, sizeof q->state, "%s", state);
	va_start(ap, fmt);
	vsnprintf(q->err, sizeof q->err, fmt, ap);
	va_end(ap);
	return 0;
}

/* A system failure: keep errno, say what failed. */
int sl_sql_syserr(sl_sql *q, const char *what)
{
	int e = errno;

	q->code = SL_SQL_ER_UNKNOWN;
	snprintf(q->state, sizeof q->state, "HY000");
	/* corruption: say where (sl-store(5)) */
	if (e == EPROTO && strcmp(sl_store_strerror(e), strerror(e)))
		snprintf(q->err, sizeof q->err, "%s: %s", what, sl_store_strerror(e));
	else
		snprintf(q->err, sizeof q->err, "%s", what);
	errno = e;
	return -1;
}

/* ---- statement splitting ---- */

/* A statement longer than SL_LEX_STMT_MAX is refused before it is parsed:
 * the parse takes memory linear in the length. */
static int too_long(sl_sql *q)
{
	return sl_sql_err(q, SL_SQL_ER_PARSE, "42000", "Statement is too long: more than %d bytes", SL_LEX_STMT_MAX);
}

int sl_sql_next(sl_sql *q, const char *src, size_t n, size_t *off, size_t *start, size_t *len)
{
	sl_lex lx;

	while (*off < n) {
		size_t first = SIZE_MAX, last = 0, base = *off;

		sl_lex_init(&lx, src + base, n - base);
		for (;;) {
			if (sl_lex_next(&lx) < 0) {
				*start = base + (first == SIZE_MAX ? 0 : first);
				sl_lex_free(&lx);
				/* Lex again from the statement's start: positions count from there. */
				sl_lex_init(&lx, src + *start, n - *start);
				while (sl_lex_next(&lx) > 0 && lx.tok.kind != SL_TOK_EOF)
					;
				sl_sql_err(q, SL_SQL_ER_PARSE, "42000", "%s", lx.err);
				sl_lex_free(&lx);
				return -1;
			}
			if (lx.tok.kind == SL_TOK_EOF || sl_lex_op(&lx, ";"))
				break;
			if (first == SIZE_MAX)
				first = lx.tok.pos;
			last = lx.tok.pos + lx.tok.n;
			if (last - first > SL_LEX_STMT_MAX) {
				/* no need to find its end: it is refused */
				*start = base + first;
				sl_lex_free(&lx);
				too_long(q);
				return -1;
			}
		}
		*off = lx.tok.kind == SL_TOK_EOF ? n : base + lx.tok.pos + 1;
		sl_lex_free(&lx);
		if (first != SIZE_MAX) {
			*start = base + first;
			*len = last - first;
			return 1;
		}
	}
	return 0;
}

/* ---- token helpers ---- */

size_t sl_sql_pos(const stmt *s) { return s->lx.tok.pos + 1; }

int sl_sql_syntax(stmt *s)
{
	const sl_tok *t = &s->lx.tok;

	if (s->failed)
		return 0;
	s->failed = 1;
	if (t->kind == SL_TOK_EOF)
		return sl_sql_err(s->q, SL_SQL_ER_PARSE, "42000", "syntax error at end of input (position %zu)", t->pos + 1);
	return sl_sql_err(s->q, SL_SQL_ER_PARSE, "42000", "syntax error at position %zu near '%.*s'",
		sl_sql_pos(s), (int)(t->n > 40 ? 40 : t->n), t->p);
}

int sl_sql_advance(stmt *s)
{
	if (sl_lex_next(&s->lx) < 0) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_PARSE, "42000", "%s", s->lx.err);
	}
	return 1;
}

int sl_sql_kw(stmt *s, const char *k) { return sl_lex_kw(&s->lx, k); }
int sl_sql_op(stmt *s, const char *o) { return sl_lex_op(&s->lx, o); }

int sl_sql_expect_kw(stmt *s, const char *k)
{
	return sl_sql_kw(s, k) ? sl_sql_advance(s) : sl_sql_syntax(s);
}

int sl_sql_expect_op(stmt *s, const char *o)
{
	return sl_sql_op(s, o) ? sl_sql_advance(s) : sl_sql_syntax(s);
}

/* End of statement: EOF (the splitter removed the ';'), or a lone ';'. */
int sl_sql_expect_end(stmt *s)
{
	if (sl_sql_op(s, ";") && !sl_sql_advance(s))
		return 0;
	if (s->lx.tok.kind != SL_TOK_EOF)
		return sl_sql_syntax(s);
	return 1;
}

/* Identifier into buf (NUL-terminated); 0 on syntax error. */
int sl_sql_ident(stmt *s, char *buf, size_t cap)
{
	const sl_tok *t = &s->lx.tok;
	const char *p;
	size_t n;

	if (t->kind == SL_TOK_IDENT) {
		p = t->p;
		n = t->n;
	} else if (t->kind == SL_TOK_QIDENT) {
		p = t->str ? t->str : "";
		n = t->strn;
	} else
		return sl_sql_syntax(s);
	if (n >= cap) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "identifier too long at position %zu", sl_sql_pos(s));
	}
	memcpy(buf, p, n);
	buf[n] = 0;
	return sl_sql_advance(s);
}

/* [db.]table; db defaults to the session's. */
int sl_sql_table_ref(stmt *s, char *db, char *tbl)
{
	int qualified;

	return sl_sql_table_ref_q(s, db, tbl, &qualified);
}

int sl_sql_table_ref_q(stmt *s, char *db, char *tbl, int *qualified)
{
	*qualified = 0;
	if (!sl_sql_ident(s, tbl, SL_SQL_NAME_MAX))
		return 0;
	if (sl_sql_op(s, ".")) {
		*qualified = 1;
		memcpy(db, tbl, SL_SQL_NAME_MAX);
		if (!sl_sql_advance(s) || !sl_sql_ident(s, tbl, SL_SQL_NAME_MAX))
			return 0;
		return 1;
	}
	if (!s->q->db) {
		s->failed = 1;
		return sl_sql_no_db(s->q);
	}
	snprintf(db, SL_SQL_NAME_MAX, "%s", s->q->db);
	return 1;
}

int sl_sql_if_exists(stmt *s, int if_not, int *flag)
{
	*flag = 0;
	if (!sl_sql_kw(s, "IF"))
		return 1;
	if (!sl_sql_advance(s) || (if_not && !sl_sql_expect_kw(s, "NOT")) || !sl_sql_expect_kw(s, "EXISTS"))
		return 0;
	*flag = 1;
	return 1;
}

/* A STRING token into buf; 0 on syntax error or a value that does not fit. */
int sl_sql_str_arg(stmt *s, char *buf, size_t cap, const char *what)
{
	const sl_tok *t = &s->lx.tok;

	if (t->kind != SL_TOK_STRING)
		return sl_sql_syntax(s);
	if (t->strn >= cap || (t->strn && memchr(t->str, 0, t->strn))) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s at position %zu is too long or holds a NUL byte",
			what, sl_sql_pos(s));
	}
	memcpy(buf, t->strn ? t->str : "", t->strn);
	buf[t->strn] = 0;
	return sl_sql_advance(s);
}

static int limit_num(stmt *s, int64_t *out)
{
	if (s->lx.tok.kind != SL_TOK_INT || s->lx.tok.n > 18)
		return sl_sql_syntax(s);
	*out = 0;
	for (size_t i = 0; i < s->lx.tok.n; i++)       /* at most 18 digits: no overflow */
		*out = *out * 10 + (s->lx.tok.p[i] - '0');
	return sl_sql_advance(s);
}

/* [LIMIT n [OFFSET m] | LIMIT m, n] */
int sl_sql_limit(stmt *s, int64_t *limit, int64_t *offset)
{
	*limit = -1;
	*offset = 0;
	if (!sl_sql_kw(s, "LIMIT"))
		return 1;
	if (!sl_sql_advance(s) || !limit_num(s, limit))
		return 0;
	if (sl_sql_op(s, ",")) {
		*offset = *limit;
		if (!sl_sql_advance(s) || !limit_num(s, limit))
			return 0;
	} else if (sl_sql_kw(s, "OFFSET") && (!sl_sql_advance(s) || !limit_num(s, offset)))
		return 0;
	return 1;
}

/* ---- catalogue errors ---- */

int sl_sql_no_db(sl_sql *q)
{
	return sl_sql_err(q, SL_SQL_ER_NO_DB, "3D000", "No database selected");
}

int sl_sql_err_db(sl_sql *q, const char *db)
{
	return sl_sql_err(q, SL_SQL_ER_BAD_DB, "42000", "Unknown database '%s'", db);
}

int sl_sql_err_table(sl_sql *q, const char *tbl)
{
	return sl_sql_err(q, SL_SQL_ER_BAD_TABLE, "42S02", "Unknown table '%s'", tbl);
}

/* Does db exist? 1 yes, 0 no (q set), -1 errno. */
int sl_sql_need_db(sl_sql *q, const char *db)
{
	if (sl_name_valid(db) != 1)
		return sl_sql_err_db(q, db);
	int r = sl_db_exists(q->st, db);
	if (r < 0)
		return sl_sql_syserr(q, "unable to read the data directory");
	if (!r)
		return sl_sql_err_db(q, db);
	return 1;
}

/* Load db.tbl's schema: 1, 0 (q set), -1. */
int sl_sql_load_schema(sl_sql *q, const char *db, const char *tbl, sl_schema *sch)
{
	int r = sl_sql_need_db(q, db);

	if (r <= 0)
		return r;
	if (sl_name_valid(tbl) != 1)
		return sl_sql_err_table(q, tbl);
	r = sl_schema_load(q->st, db, tbl, sch);
	if (r == 0)
		return errno == ENOTDIR ? sl_sql_err_db(q, db) : sl_sql_err_table(q, tbl);
	if (r < 0)
		return sl_sql_syserr(q, errno == EPROTO ? "the stored schema is corrupt" : "unable to read the table's schema");
	return 1;
}

/* ---- result helpers ---- */

sl_value sl_sql_vstr(const char *s)
{
	sl_value v = SL_VALUE_NULL;

	v.kind = SL_V_STRING;
	v.tkind = SL_T_VARCHAR;
	v.u.s.p = s;
	v.u.s.n = strlen(s);
	return v;
}

sl_value sl_sql_vint(int64_t i)
{
	sl_value v = SL_VALUE_NULL;

	v.kind = SL_V_INT;
	v.tkind = SL_T_BIGINT;
	v.u.i = i;
	return v;
}

int sl_sql_sink_begin(const sl_sql_sink *k, size_t n, const char *const *names, const sl_type *types)
{
	return k && k->begin ? k->begin(k->ctx, n, names, types) : 1;
}

int sl_sql_sink_row(const sl_sql_sink *k, size_t n, const sl_value *v)
{
	return k && k->row ? k->row(k->ctx, n, v) : 1;
}

int sl_sql_sink_end(const sl_sql_sink *k)
{
	return k && k->end ? k->end(k->ctx) : 1;
}

/* A result of VARCHAR columns. */
int sl_sql_begin_text(const sl_sql_sink *k, size_t n, const char *const *names)
{
	sl_type t[8];

	memset(t, 0, sizeof t);
	for (size_t i = 0; i < n && i < 8; i++) {
		t[i].kind = SL_T_VARCHAR;
		t[i].len = 65533;
	}
	return sl_sql_sink_begin(k, n, names, t);
}

/* A result with column types (text unless numeric[i]). */
int sl_sql_begin_typed(const sl_sql_sink *k, size_t n, const char *const *names, const int *numeric)
{
	sl_type t[32];

	memset(t, 0, sizeof t);
	for (size_t i = 0; i < n && i < SL_ARRAY_LEN(t); i++) {
		t[i].kind = numeric && numeric[i] ? SL_T_BIGINT : SL_T_VARCHAR;
		t[i].len = numeric && numeric[i] ? 0 : 65533;
	}
	return sl_sql_sink_begin(k, n, names, t);
}

/* ---- dispatch ---- */

/* CREATE DATABASE | TABLE | USER (after CREATE) */
static int create_stmt(stmt *s)
{
	if (sl_sql_kw(s, "DATABASE") || sl_sql_kw(s, "SCHEMA"))
		return sl_sql_advance(s) ? sl_sqlddl_create_db(s) : 0;
	if (sl_sql_kw(s, "TABLE") || sl_sql_kw(s, "EXTERNAL") || sl_sql_kw(s, "TEMPORARY"))
		return sl_sqlddl_create_table(s);
	if (sl_sql_kw(s, "USER"))
		return sl_sql_advance(s) ? sl_sqlauth_create_user(s) : 0;
	if (sl_sql_kw(s, "JOB"))
		return sl_sql_advance(s) ? sl_sqljob_create(s) : 0;
	return sl_sql_syntax(s);
}

/* DROP DATABASE | TABLE | USER (after DROP) */
static int drop_stmt(stmt *s)
{
	if (sl_sql_kw(s, "DATABASE") || sl_sql_kw(s, "SCHEMA"))
		return sl_sql_advance(s) ? sl_sqlddl_drop_db(s) : 0;
	if (sl_sql_kw(s, "TABLE"))
		return sl_sql_advance(s) ? sl_sqlddl_drop_table(s) : 0;
	if (sl_sql_kw(s, "USER"))
		return sl_sql_advance(s) ? sl_sqlauth_drop_user(s) : 0;
	if (sl_sql_kw(s, "JOB"))
		return sl_sqljob_drop(s);
	return sl_sql_syntax(s);
}

/* SHOW ... (after SHOW) */
static int show_stmt(stmt *s)
{
	if (sl_sql_kw(s, "DATABASES") || sl_sql_kw(s, "SCHEMAS"))
		return sl_sqlddl_show_databases(s);
	if (sl_sql_kw(s, "TABLES"))
		return sl_sqlddl_show_tables(s);
	if (sl_sql_kw(s, "CREATE"))
		return sl_sql_advance(s) && sl_sql_expect_kw(s, "TABLE") ? sl_sqlddl_show_create(s) : 0;
	if (sl_sqlinfo_is_show(s))
		return sl_sqlinfo_show(s);
	if (sl_sql_kw(s, "COLUMNS") || sl_sql_kw(s, "FIELDS"))
		return sl_sqlddl_show_columns(s);
	if (sl_sql_kw(s, "GRANTS"))
		return sl_sqlauth_show_grants(s, 0);
	if (sl_sql_kw(s, "ALL"))
		return sl_sql_advance(s) && sl_sql_kw(s, "GRANTS") ? sl_sqlauth_show_grants(s, 1) : sl_sql_syntax(s);
	if (sl_sql_kw(s, "STREAM"))
		return sl_sqlload_show_stream(s);
	if (sl_sql_kw(s, "LOAD"))
		return sl_sqlload_show_load(s);
	if (sl_sql_kw(s, "PARTITIONS"))
		return sl_sqlpart_show(s, 0);
	if (sl_sql_kw(s, "TEMPORARY"))
		return sl_sql_advance(s) && sl_sql_kw(s, "PARTITIONS") ? sl_sqlpart_show(s, 1) : sl_sql_syntax(s);
	if (sl_sql_kw(s, "GROUP"))
		return sl_sqlgc_show(s);
	return sl_sql_syntax(s);
}

/* The statement at its first token, to its module. */
static int dispatch(stmt *s)
{
	if (sl_sql_kw(s, "CREATE"))
		return sl_sql_advance(s) ? create_stmt(s) : 0;
	if (sl_sql_kw(s, "DROP"))
		return sl_sql_advance(s) ? drop_stmt(s) : 0;
	if (sl_sql_kw(s, "SHOW"))
		return sl_sql_advance(s) ? show_stmt(s) : 0;
	if (sl_sql_kw(s, "DESC") || sl_sql_kw(s, "DESCRIBE"))
		return sl_sql_advance(s) ? sl_sqlddl_desc(s) : 0;
	if (sl_sql_kw(s, "USE"))
		return sl_sql_advance(s) ? sl_sqlddl_use(s) : 0;
	if (sl_sql_kw(s, "SELECT")) {
		size_t at = s->lx.tok.pos + s->lx.tok.n;
		if (sl_sqlsys_is_select(s->src + at, s->n - at))
			return sl_sqlsys_select(s);
		return sl_sqlselect_stmt(s);
	}
	if (sl_sql_kw(s, "SET")) {
		if (!sl_sql_advance(s))
			return 0;
		if (sl_sql_kw(s, "PASSWORD"))
			return sl_sql_advance(s) ? sl_sqlauth_set_password(s) : 0;
		return sl_sqlvar_set(s);
	}
	if (sl_sql_kw(s, "HELP"))
		return sl_sqlhelp_stmt(s);
	if (sl_sql_kw(s, "INSERT"))
		return sl_sqlinsert_stmt(s);
	if (sl_sql_kw(s, "ALTER")) {
		if (!sl_sql_advance(s))
			return 0;
		return sl_sql_kw(s, "JOB") ? sl_sqljob_alter(s) : sl_sqlpart_alter(s);
	}
	if (sl_sql_kw(s, "PAUSE") || sl_sql_kw(s, "RESUME")) {
		int resume = sl_sql_kw(s, "RESUME");
		return sl_sql_advance(s) ? sl_sqljob_pause(s, resume) : 0;
	}
	if (sl_sql_kw(s, "TRUNCATE"))
		return sl_sql_advance(s) ? sl_sqlpart_truncate(s) : 0;
	if (sl_sql_kw(s, "GRANT") || sl_sql_kw(s, "REVOKE")) {
		int g = sl_sql_kw(s, "GRANT");
		return sl_sql_advance(s) ? sl_sqlauth_grant(s, g) : 0;
	}
	return sl_sql_syntax(s);
}

int sl_sql_exec(sl_sql *q, const char *src, size_t n, const sl_sql_sink *sink)
{
	stmt s;
	int r = 0;

	memset(&s, 0, sizeof s);
	s.q = q;
	s.src = src;
	s.n = n;
	s.sink = sink;
	q->code = 0;
	q->state[0] = 0;
	q->err[0] = 0;
	/* a statement without a result set affects no rows unless it says so */
	q->affected = 0;
	q->info[0] = 0;
	q->warnings = 0;
	if (n > SL_LEX_STMT_MAX)
		return too_long(q);
	sl_lex_init(&s.lx, src, n);
	if (sl_sql_advance(&s))
		r = dispatch(&s);
	free(s.grants);
	sl_lex_free(&s.lx);
	if (r == 0 && !q->code)
		sl_sql_err(q, SL_SQL_ER_PARSE, "42000", "syntax error");
	return r;
}
