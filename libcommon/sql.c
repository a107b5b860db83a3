/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql.c -- sl-sql's statements over the store. Statements are parsed with
 * the shared lexer (lex.h); expressions with the shared engine (expr.h);
 * CREATE TABLE with schema.c. Results go to a caller's sink (sql.h).
 *
 * SELECT runs in one of three shapes:
 *  - plain (no aggregates, no GROUP BY, no ORDER BY): rows stream from the
 *    scan to the sink, LIMIT stops the scan;
 *  - grouped: a hash table of groups (serialized GROUP BY values -> a copy
 *    of the group's first row + aggregate states); expressions outside the
 *    aggregates are evaluated on that first row, as MySQL does without
 *    ONLY_FULL_GROUP_BY;
 *  - ordered: result rows are copied, sorted in memory (NULLs first for
 *    ASC, last for DESC, ties in scan order), then OFFSET/LIMIT applied;
 *    with a LIMIT only the best OFFSET+LIMIT rows are kept (a max-heap).
 *
 * Users and grants (CREATE/DROP USER, SET PASSWORD, GRANT, REVOKE, SHOW
 * GRANTS) are parsed here and done by auth.c; SHOW STREAM LOAD reads the
 * load record (record.c), filters, sorts and pages it in memory (it is
 * bounded by stream_load_record_max).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl.h"
#include "io.h"
#include "lex.h"
#include "types.h"
#include "expr.h"
#include "frame.h"
#include "schema.h"
#include "store.h"
#include "auth.h"
#include "record.h"
#include "sql.h"

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
	free(q->db);
	q->db = 0;
}

__attribute__((format(printf, 4, 5)))
static int sqlerr(sl_sql *q, int code, const char *state, const char *fmt, ...)
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
static int syserr(sl_sql *q, const char *what)
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
static int stmt_too_long(sl_sql *q)
{
	return sqlerr(q, SL_SQL_ER_PARSE, "42000", "Statement is too long: more than %d bytes", SL_LEX_STMT_MAX);
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
				sqlerr(q, SL_SQL_ER_PARSE, "42000", "%s", lx.err);
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
				stmt_too_long(q);
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

/* ---- parsing helpers ---- */

typedef struct stmt {
	sl_sql *q;
	sl_lex lx;
	const char *src;
	size_t n;
	const sl_sql_sink *sink;
	int failed;             /* 1 SQL error, -1 system error already recorded */
	/* the session user's grants, read once per statement (priv.) */
	sl_auth_entry *grants; size_t ngrants; int grants_read;
} stmt;

static size_t tpos(const stmt *s) { return s->lx.tok.pos + 1; }

static int syntax(stmt *s)
{
	const sl_tok *t = &s->lx.tok;

	if (s->failed)
		return 0;
	s->failed = 1;
	if (t->kind == SL_TOK_EOF)
		return sqlerr(s->q, SL_SQL_ER_PARSE, "42000", "syntax error at end of input (position %zu)", t->pos + 1);
	return sqlerr(s->q, SL_SQL_ER_PARSE, "42000", "syntax error at position %zu near '%.*s'",
		tpos(s), (int)(t->n > 40 ? 40 : t->n), t->p);
}

static int next(stmt *s)
{
	if (sl_lex_next(&s->lx) < 0) {
		s->failed = 1;
		return sqlerr(s->q, SL_SQL_ER_PARSE, "42000", "%s", s->lx.err);
	}
	return 1;
}

static int kw(stmt *s, const char *k) { return sl_lex_kw(&s->lx, k); }
static int op(stmt *s, const char *o) { return sl_lex_op(&s->lx, o); }

static int expect_kw(stmt *s, const char *k)
{
	return kw(s, k) ? next(s) : syntax(s);
}

static int expect_op(stmt *s, const char *o)
{
	return op(s, o) ? next(s) : syntax(s);
}

/* End of statement: EOF (the splitter removed the ';'), or a lone ';'. */
static int expect_end(stmt *s)
{
	if (op(s, ";") && !next(s))
		return 0;
	if (s->lx.tok.kind != SL_TOK_EOF)
		return syntax(s);
	return 1;
}

/* Identifier into buf (NUL-terminated); 0 on syntax error. */
static int ident(stmt *s, char *buf, size_t cap)
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
		return syntax(s);
	if (n >= cap) {
		s->failed = 1;
		return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000", "identifier too long at position %zu", tpos(s));
	}
	memcpy(buf, p, n);
	buf[n] = 0;
	return next(s);
}

#define NAME_MAX_SQL 256

/* [db.]table; db defaults to the session's. */
static int table_ref(stmt *s, char *db, char *tbl)
{
	if (!ident(s, tbl, NAME_MAX_SQL))
		return 0;
	if (op(s, ".")) {
		memcpy(db, tbl, NAME_MAX_SQL);
		if (!next(s) || !ident(s, tbl, NAME_MAX_SQL))
			return 0;
		return 1;
	}
	if (!s->q->db) {
		s->failed = 1;
		return sqlerr(s->q, SL_SQL_ER_NO_DB, "3D000", "No database selected");
	}
	snprintf(db, NAME_MAX_SQL, "%s", s->q->db);
	return 1;
}

static int err_db(sl_sql *q, const char *db)
{
	return sqlerr(q, SL_SQL_ER_BAD_DB, "42000", "Unknown database '%s'", db);
}

static int err_table(sl_sql *q, const char *tbl)
{
	return sqlerr(q, SL_SQL_ER_BAD_TABLE, "42S02", "Unknown table '%s'", tbl);
}

/* Does db exist? 1 yes, 0 no (q set), -1 errno. */
static int need_db(sl_sql *q, const char *db)
{
	if (sl_name_valid(db) != 1)
		return err_db(q, db);
	int r = sl_db_exists(q->st, db);
	if (r < 0)
		return syserr(q, "unable to read the data directory");
	if (!r)
		return err_db(q, db);
	return 1;
}

/* ---- privileges (auth.h) ----
 * Every statement asks here before it touches a database or a table, and
 * before it says whether one exists (a denial does not tell). Doris's
 * predicates: SELECT_PRIV to read a table; "some privilege" (Doris's SHOW
 * predicate) to see a database, a table's definition or its loads;
 * CREATE/DROP for DDL; GRANT (root) for users and grants. */

static int is_root(const sl_sql *q)
{
	return !q->user[0] || !strcmp(q->user, "root");
}

/* The privileges the session's user holds on db.tbl (sl_auth_privs_of);
 * -1 errno (q set). */
static int held(stmt *s, const char *db, const char *tbl)
{
	if (is_root(s->q))
		return SL_PRIV_ALL;
	if (!s->grants_read) {
		if (sl_auth_list(s->q->st, s->q->user, &s->grants, &s->ngrants) < 0)
			return syserr(s->q, "unable to read the users file");
		s->grants_read = 1;     /* 0 (the user was dropped): no grants */
	}
	return sl_auth_privs_of(s->grants, s->ngrants, db, tbl);
}

/* Does the user hold all of need (any of them when any) on db.tbl? 1 yes,
 * 0 no, -1 errno (q set). */
static int may(stmt *s, const char *db, const char *tbl, int need, int any)
{
	int h = held(s, db, tbl);

	if (h < 0)
		return -1;
	return any ? (h & need) != 0 : (h & need) == need;
}

static int deny_db(stmt *s, const char *db)
{
	s->failed = 1;
	return sqlerr(s->q, SL_SQL_ER_DBACCESS_DENIED, "42000", "Access denied for user '%s' to database '%s'",
		s->q->user, db);
}

static int deny_table(stmt *s, const char *cmd, const char *db, const char *tbl)
{
	s->failed = 1;
	return sqlerr(s->q, SL_SQL_ER_TABLEACCESS_DENIED, "42000",
		"%s command denied to user '%s'@'%%' for table '%s.%s'", cmd, s->q->user, db, tbl);
}

static int deny_priv(stmt *s, const char *priv)
{
	s->failed = 1;
	return sqlerr(s->q, SL_SQL_ER_SPECIFIC_ACCESS_DENIED, "42000",
		"Access denied; you need (at least one of) the (%s) privilege(s) for this operation", priv);
}

/* Some privilege in db (USE, SHOW TABLES, SHOW [STREAM] LOAD): 1, 0
 * denied (q set), -1. */
static int need_db_priv(stmt *s, const char *db)
{
	int r = may(s, db, NULL, SL_PRIV_ALL, 1);

	return r > 0 ? 1 : r < 0 ? -1 : deny_db(s, db);
}

/* need (any of it when any) on db.tbl, else cmd's denial. */
static int need_table_priv(stmt *s, const char *cmd, const char *db, const char *tbl, int need, int any)
{
	int r = may(s, db, tbl, need, any);

	return r > 0 ? 1 : r < 0 ? -1 : deny_table(s, cmd, db, tbl);
}

/* Users and grants: GRANT_PRIV, which only root holds. */
static int need_grant_priv(stmt *s)
{
	return is_root(s->q) ? 1 : deny_priv(s, "GRANT");
}

/* ---- result helpers ---- */

static sl_value vstr(const char *s)
{
	sl_value v = SL_VALUE_NULL;

	v.kind = SL_V_STRING;
	v.tkind = SL_T_VARCHAR;
	v.u.s.p = s;
	v.u.s.n = strlen(s);
	return v;
}

static int sink_begin(const sl_sql_sink *k, size_t n, const char *const *names, const sl_type *types)
{
	return k && k->begin ? k->begin(k->ctx, n, names, types) : 1;
}

static int sink_row(const sl_sql_sink *k, size_t n, const sl_value *v)
{
	return k && k->row ? k->row(k->ctx, n, v) : 1;
}

static int sink_end(const sl_sql_sink *k)
{
	return k && k->end ? k->end(k->ctx) : 1;
}

/* A result of VARCHAR columns. */
static int begin_text(const sl_sql_sink *k, size_t n, const char *const *names)
{
	sl_type t[8];

	memset(t, 0, sizeof t);
	for (size_t i = 0; i < n && i < 8; i++) {
		t[i].kind = SL_T_VARCHAR;
		t[i].len = 65533;
	}
	return sink_begin(k, n, names, t);
}

/* ---- DDL ---- */

static int create_db(stmt *s)
{
	char db[NAME_MAX_SQL];
	int ifne = 0, r;

	if (kw(s, "IF")) {
		if (!next(s) || !expect_kw(s, "NOT") || !expect_kw(s, "EXISTS"))
			return 0;
		ifne = 1;
	}
	if (!ident(s, db, sizeof db))
		return 0;
	if (kw(s, "PROPERTIES")) {
		/* Accepted and ignored: ( "k" = "v", ... ) */
		if (!next(s) || !expect_op(s, "("))
			return 0;
		while (!op(s, ")")) {
			if (s->lx.tok.kind == SL_TOK_EOF)
				return syntax(s);
			if (!next(s))
				return 0;
		}
		if (!next(s))
			return 0;
	}
	if (!expect_end(s))
		return 0;
	if (sl_name_valid(db) != 1)
		return sqlerr(s->q, SL_SQL_ER_WRONG_DB_NAME, "42000", "Incorrect database name '%s'", db);
	if ((r = may(s, db, "*", SL_PRIV_CREATE, 0)) <= 0)
		return r < 0 ? -1 : deny_db(s, db);
	r = sl_db_create(s->q->st, db);
	if (r < 0)
		return syserr(s->q, "unable to create the database");
	if (!r && !ifne)
		return sqlerr(s->q, SL_SQL_ER_DB_CREATE_EXISTS, "HY000", "Can't create database '%s'; database exists", db);
	return 1;
}

static int drop_db(stmt *s)
{
	char db[NAME_MAX_SQL];
	int ife = 0, r;

	if (kw(s, "IF")) {
		if (!next(s) || !expect_kw(s, "EXISTS"))
			return 0;
		ife = 1;
	}
	if (!ident(s, db, sizeof db))
		return 0;
	if (kw(s, "FORCE") && !next(s))
		return 0;
	if (!expect_end(s))
		return 0;
	if ((r = may(s, db, "*", SL_PRIV_DROP, 0)) <= 0)
		return r < 0 ? -1 : deny_db(s, db);
	if (sl_name_valid(db) != 1)
		r = 0;
	else if ((r = sl_db_drop(s->q->st, db)) < 0)
		return syserr(s->q, "unable to drop the database");
	if (!r && !ife)
		return sqlerr(s->q, SL_SQL_ER_DB_DROP_EXISTS, "HY000", "Can't drop database '%s'; database doesn't exist", db);
	if (r && s->q->db && !strcmp(s->q->db, db)) {
		free(s->q->db);
		s->q->db = 0;
	}
	return 1;
}

static int create_table(stmt *s)
{
	sl_schema sch;
	char err[512];
	char *ddl;
	int r;

	if (!sl_schema_parse(s->src, s->n, s->q->db, &sch, err, sizeof err)) {
		int code = SL_SQL_ER_UNKNOWN;
		const char *state = "HY000";
		if (!strncmp(err, "syntax error", 12)) {
			code = SL_SQL_ER_PARSE;
			state = "42000";
		}
		return sqlerr(s->q, code, state, "%s", err);
	}
	if (!sch.db) {
		sl_schema_free(&sch);
		return sqlerr(s->q, SL_SQL_ER_NO_DB, "3D000", "No database selected");
	}
	if ((r = need_table_priv(s, "CREATE", sch.db, sch.name, SL_PRIV_CREATE, 0)) <= 0 ||
	    (r = need_db(s->q, sch.db)) <= 0) {
		sl_schema_free(&sch);
		return r;
	}
	if (sl_name_valid(sch.name) != 1) {
		sqlerr(s->q, SL_SQL_ER_WRONG_TABLE_NAME, "42000", "Incorrect table name '%s'", sch.name);
		sl_schema_free(&sch);
		return 0;
	}
	ddl = sl_schema_render(&sch);
	if (!ddl) {
		sl_schema_free(&sch);
		return syserr(s->q, "unable to render the table");
	}
	r = sl_table_create(s->q->st, sch.db, sch.name, ddl);
	free(ddl);
	if (r < 0) {
		int e = errno;
		if (e == ENOENT || e == ENOTDIR)
			r = err_db(s->q, sch.db);
		else {
			errno = e;
			r = syserr(s->q, "unable to create the table");
		}
	} else if (r == 0) {
		if (sch.if_not_exists)
			r = 1;
		else
			r = sqlerr(s->q, SL_SQL_ER_TABLE_EXISTS, "42S01", "Table '%s' already exists", sch.name);
	}
	sl_schema_free(&sch);
	return r;
}

static int drop_table(stmt *s)
{
	char db[NAME_MAX_SQL], tbl[NAME_MAX_SQL];
	int ife = 0, r;

	if (kw(s, "IF")) {
		if (!next(s) || !expect_kw(s, "EXISTS"))
			return 0;
		ife = 1;
	}
	if (!table_ref(s, db, tbl))
		return 0;
	if (kw(s, "FORCE") && !next(s))
		return 0;
	if (!expect_end(s))
		return 0;
	if ((r = need_table_priv(s, "DROP", db, tbl, SL_PRIV_DROP, 0)) <= 0 || (r = need_db(s->q, db)) <= 0)
		return r;
	if (sl_name_valid(tbl) != 1)
		r = 0;
	else if ((r = sl_table_drop(s->q->st, db, tbl)) < 0)
		return syserr(s->q, "unable to drop the table");
	if (!r && !ife)
		return err_table(s->q, tbl);
	return 1;
}

static int use_db(stmt *s)
{
	char db[NAME_MAX_SQL];
	int r;
	char *d;

	if (!ident(s, db, sizeof db) || !expect_end(s))
		return 0;
	if ((r = need_db_priv(s, db)) <= 0 || (r = need_db(s->q, db)) <= 0)
		return r;
	if (!(d = strdup(db)))
		return syserr(s->q, "out of memory");
	free(s->q->db);
	s->q->db = d;
	return 1;
}

/* The names of v the user holds some privilege on (databases; tables of
 * db when db is set), one row each, then the end of the result. */
static int list_visible(stmt *s, const char *db, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sl_value val = vstr(v[i]);
		int r = db ? may(s, db, v[i], SL_PRIV_ALL, 1) : may(s, v[i], NULL, SL_PRIV_ALL, 1);
		if (r < 0)
			return -1;
		if (r && sink_row(s->sink, 1, &val) < 0)
			return syserr(s->q, "unable to write the result");
	}
	return sink_end(s->sink) < 0 ? syserr(s->q, "unable to write the result") : 1;
}

static int show_databases(stmt *s)
{
	static const char *const names[] = { "Database" };
	char **v = 0;
	size_t n = 0;
	int r = 1;

	if (!next(s) || !expect_end(s))
		return 0;
	if (sl_db_list(s->q->st, &v, &n) < 0)
		return syserr(s->q, "unable to list databases");
	if (begin_text(s->sink, 1, names) < 0)
		r = syserr(s->q, "unable to write the result");
	if (r > 0)
		r = list_visible(s, 0, v, n);
	sl_strv_free(v, n);
	return r;
}

static int show_tables(stmt *s)
{
	char db[NAME_MAX_SQL], col[NAME_MAX_SQL + 16];
	const char *names[1] = { col };
	char **v = 0;
	size_t n = 0;
	int r;

	if (!next(s))
		return 0;
	if (kw(s, "FROM") || kw(s, "IN")) {
		if (!next(s) || !ident(s, db, sizeof db))
			return 0;
	} else if (s->q->db)
		snprintf(db, sizeof db, "%s", s->q->db);
	else {
		if (!expect_end(s))
			return 0;
		return sqlerr(s->q, SL_SQL_ER_NO_DB, "3D000", "No database selected");
	}
	if (!expect_end(s))
		return 0;
	if ((r = need_db_priv(s, db)) <= 0 || (r = need_db(s->q, db)) <= 0)
		return r;
	r = sl_table_list(s->q->st, db, &v, &n);
	if (r < 0)
		return syserr(s->q, "unable to list tables");
	if (r == 0)
		return err_db(s->q, db);
	snprintf(col, sizeof col, "Tables_in_%s", db);
	r = begin_text(s->sink, 1, names) < 0 ? syserr(s->q, "unable to write the result") : 1;
	if (r > 0)
		r = list_visible(s, db, v, n);
	sl_strv_free(v, n);
	return r;
}

/* Load db.tbl's schema: 1, 0 (q set), -1. */
static int load_schema(sl_sql *q, const char *db, const char *tbl, sl_schema *sch)
{
	int r = need_db(q, db);

	if (r <= 0)
		return r;
	if (sl_name_valid(tbl) != 1)
		return err_table(q, tbl);
	r = sl_schema_load(q->st, db, tbl, sch);
	if (r == 0)
		return errno == ENOTDIR ? err_db(q, db) : err_table(q, tbl);
	if (r < 0)
		return syserr(q, errno == EPROTO ? "the stored schema is corrupt" : "unable to read the table's schema");
	return 1;
}

static int show_create(stmt *s)
{
	static const char *const names[] = { "Table", "Create Table" };
	char db[NAME_MAX_SQL], tbl[NAME_MAX_SQL];
	sl_schema sch;
	sl_value v[2];
	char *ddl;
	int r;

	if (!table_ref(s, db, tbl) || !expect_end(s))
		return 0;
	if ((r = need_table_priv(s, "SHOW CREATE TABLE", db, tbl, SL_PRIV_ALL, 1)) <= 0 ||
	    (r = load_schema(s->q, db, tbl, &sch)) <= 0)
		return r;
	ddl = sl_schema_render(&sch);
	if (!ddl) {
		sl_schema_free(&sch);
		return syserr(s->q, "out of memory");
	}
	v[0] = vstr(sch.name);
	v[1] = vstr(ddl);
	r = 1;
	if (begin_text(s->sink, 2, names) < 0 || sink_row(s->sink, 2, v) < 0 || sink_end(s->sink) < 0)
		r = -1;
	free(ddl);
	sl_schema_free(&sch);
	return r < 0 ? syserr(s->q, "unable to write the result") : r;
}

static int desc_table(stmt *s)
{
	static const char *const names[] = { "Field", "Type", "Null", "Key", "Default", "Extra" };
	static const char *const aggs[] = { "", "SUM", "MAX", "MIN", "REPLACE", "REPLACE_IF_NOT_NULL", "BITMAP_UNION", "HLL_UNION" };
	char db[NAME_MAX_SQL], tbl[NAME_MAX_SQL], tb[SL_TYPE_FMT_MAX];
	sl_schema sch;
	int r;

	if (!table_ref(s, db, tbl))
		return 0;
	if (kw(s, "ALL") && !next(s))
		return 0;
	if (!expect_end(s))
		return 0;
	if ((r = need_table_priv(s, "DESCRIBE", db, tbl, SL_PRIV_ALL, 1)) <= 0 ||
	    (r = load_schema(s->q, db, tbl, &sch)) <= 0)
		return r;
	r = 1;
	if (begin_text(s->sink, 6, names) < 0)
		r = -1;
	for (size_t i = 0; r > 0 && i < sch.ncols; i++) {
		const sl_column *c = &sch.cols[i];
		sl_value v[6];
		sl_type_format(&c->type, tb, sizeof tb);
		v[0] = vstr(c->name);
		v[1] = vstr(tb);
		v[2] = vstr(c->nullable ? "Yes" : "No");
		v[3] = vstr(c->is_key ? "true" : "false");
		v[4] = c->default_kind == SL_DEFAULT_VALUE ? vstr(c->default_value)
			: c->default_kind == SL_DEFAULT_CURRENT_TIMESTAMP ? vstr("CURRENT_TIMESTAMP")
			: SL_VALUE_NULL;
		v[5] = vstr(c->agg > 0 && (size_t)c->agg < SL_ARRAY_LEN(aggs) ? aggs[c->agg] : "");
		if (sink_row(s->sink, 6, v) < 0)
			r = -1;
	}
	if (r > 0 && sink_end(s->sink) < 0)
		r = -1;
	sl_schema_free(&sch);
	return r < 0 ? syserr(s->q, "unable to write the result") : r;
}

/* ---- SELECT ---- */

typedef struct item { sl_expr *e; char *name; int star; } item;
/* GROUP BY / ORDER BY entry before resolution: an expression, or a 1-based
 * select-list position. ref: the select item it stands for, or -1. */
typedef struct oitem { sl_expr *e; long pos; int desc; long ref; size_t at; } oitem;
typedef struct group { char *key; size_t klen; uint64_t h; sl_value *row; sl_agg_state *st; } group;
typedef struct orow { sl_value *v; size_t seq; } orow;

typedef struct sel {
	stmt *s;
	item *items; size_t nitems;
	int distinct;
	int has_table;
	char db[NAME_MAX_SQL], tbl[NAME_MAX_SQL];
	sl_schema sch;
	const char **cnames; sl_type *ctypes; size_t ncols;
	/* HAVING and ORDER BY see the columns, then the select items by alias. */
	const char **xnames; sl_type *xtypes; sl_value *xrow;
	sl_expr *where, *having;
	oitem *group; size_t ngroup;
	oitem *order; size_t norder;
	int64_t limit, offset;
	sl_agg_list aggs;
	int grouped;
	sl_arena arena;
	sl_eval_ctx ctx;
	/* groups */
	group *groups; size_t ngroups, capgroups;
	size_t *htab; size_t hcap;
	sl_buf key;
	/* output */
	sl_value *outv;
	orow *rows; size_t nrows, caprows;
	size_t seqno;           /* rows produced so far (sort tie-break) */
	int64_t emitted, skipped;
	int done;
	/* source */
	sl_snapshot snap; int snap_open;
	sl_scan *scan;
	sl_field *fields;
	sl_value *row;
	int empty_done;
} sel;

static int ident_is_reserved(stmt *s)
{
	static const char *const r[] = { "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT",
		"OFFSET", "UNION", "INTO", "ON", "JOIN", "INNER", "LEFT", "RIGHT", "CROSS", "FOR",
		"LOCK", "WINDOW", "AS", "ASC", "DESC", "USING", "NATURAL", "FULL", "OUTER" };
	for (size_t i = 0; i < SL_ARRAY_LEN(r); i++)
		if (kw(s, r[i]))
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
		return sqlerr(s->q, 1117, "HY000", "Too many columns");
	return sqlerr(s->q, SL_SQL_ER_PARSE, "42000", "Too many expressions in %s: the limit is %d", what, SEL_LIST_MAX);
}

static int expr_err(stmt *s, const char *err)
{
	s->failed = 1;
	return sqlerr(s->q, SL_SQL_ER_PARSE, "42000", "%s", err);
}

static sl_expr *parse_expr(stmt *s)
{
	char err[512];
	sl_expr *e;

	err[0] = 0;
	if (s->lx.tok.kind == SL_TOK_EOF) {
		syntax(s);
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
	alone = s->lx.tok.kind == SL_TOK_EOF || op(s, ",") || op(s, ";") || kw(s, "ASC") || kw(s, "DESC")
		|| kw(s, "LIMIT") || kw(s, "HAVING") || kw(s, "ORDER");
	sl_lex_restore(&s->lx, m);
	return alone && v > 0 ? v : (alone ? -1 : 0);
}

static int oitem_list(stmt *s, oitem **v, size_t *n, int order)
{
	for (;;) {
		oitem it;
		oitem *p;

		if (*n >= SEL_LIST_MAX)
			return too_many(s, order ? "ORDER BY" : "GROUP BY");
		memset(&it, 0, sizeof it);
		it.ref = -1;
		it.at = tpos(s);
		it.pos = positional(s);
		if (it.pos) {
			if (!next(s))
				return 0;
		} else if (!(it.e = parse_expr(s)))
			return 0;
		if (order && (kw(s, "ASC") || kw(s, "DESC"))) {
			it.desc = kw(s, "DESC");
			if (!next(s)) {
				sl_expr_free(it.e);
				return 0;
			}
		}
		p = realloc(*v, (*n + 1) * sizeof *p);
		if (!p) {
			sl_expr_free(it.e);
			s->failed = -1;
			return syserr(s->q, "out of memory");
		}
		*v = p;
		(*v)[(*n)++] = it;
		if (!op(s, ","))
			return 1;
		if (!next(s))
			return 0;
	}
}

static int limit_num(stmt *s, int64_t *out)
{
	if (s->lx.tok.kind != SL_TOK_INT || s->lx.tok.n > 18)
		return syntax(s);
	*out = 0;
	for (size_t i = 0; i < s->lx.tok.n; i++)       /* at most 18 digits: no overflow */
		*out = *out * 10 + (s->lx.tok.p[i] - '0');
	return next(s);
}

static int parse_select(sel *S)
{
	stmt *s = S->s;

	if (!next(s))
		return 0;
	if (kw(s, "ALL") && !next(s))
		return 0;
	if (kw(s, "DISTINCT")) {
		S->distinct = 1;
		if (!next(s))
			return 0;
	}
	for (;;) {
		item it;
		item *p;

		if (S->nitems >= SEL_LIST_MAX)
			return too_many(s, "select list");
		memset(&it, 0, sizeof it);
		if (op(s, "*")) {
			it.star = 1;
			if (!next(s))
				return 0;
		} else {
			size_t n;
			const char *t;
			if (!(it.e = parse_expr(s)))
				return 0;
			if (kw(s, "AS")) {
				if (!next(s))
					goto bad;
				if (s->lx.tok.kind != SL_TOK_IDENT && s->lx.tok.kind != SL_TOK_QIDENT
						&& s->lx.tok.kind != SL_TOK_STRING) {
					syntax(s);
					goto bad;
				}
			}
			if (s->lx.tok.kind == SL_TOK_QIDENT || s->lx.tok.kind == SL_TOK_STRING
					|| (s->lx.tok.kind == SL_TOK_IDENT && !ident_is_reserved(s))) {
				if (s->lx.tok.kind == SL_TOK_IDENT)
					it.name = strndup(s->lx.tok.p, s->lx.tok.n);
				else
					it.name = strndup(s->lx.tok.str ? s->lx.tok.str : "", s->lx.tok.strn);
				if (!it.name)
					goto oom;
				if (!next(s))
					goto bad;
			} else {
				t = sl_expr_text(it.e, &n);
				if (!(it.name = strndup(t ? t : "", t ? n : 0)))
					goto oom;
			}
		}
		p = realloc(S->items, (S->nitems + 1) * sizeof *p);
		if (!p)
			goto oom;
		S->items = p;
		S->items[S->nitems++] = it;
		if (!op(s, ","))
			break;
		if (!next(s))
			return 0;
		continue;
	oom:
		sl_expr_free(it.e);
		free(it.name);
		s->failed = -1;
		return syserr(s->q, "out of memory");
	bad:
		sl_expr_free(it.e);
		free(it.name);
		return 0;
	}
	if (kw(s, "FROM")) {
		if (!next(s))
			return 0;
		if (kw(s, "DUAL")) {
			if (!next(s))
				return 0;
		} else {
			if (!table_ref(s, S->db, S->tbl))
				return 0;
			S->has_table = 1;
			if (kw(s, "AS") && !next(s))
				return 0;
			if (s->lx.tok.kind == SL_TOK_QIDENT || (s->lx.tok.kind == SL_TOK_IDENT && !ident_is_reserved(s))) {
				char alias[NAME_MAX_SQL];
				if (!ident(s, alias, sizeof alias))
					return 0;
			}
			if (op(s, ","))
				return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000", "queries over more than one table are not supported (at position %zu)", tpos(s));
		}
	}
	if (kw(s, "WHERE")) {
		if (!next(s) || !(S->where = parse_expr(s)))
			return 0;
	}
	if (kw(s, "GROUP")) {
		if (!next(s) || !expect_kw(s, "BY") || !oitem_list(s, &S->group, &S->ngroup, 0))
			return 0;
	}
	if (kw(s, "HAVING")) {
		if (!next(s) || !(S->having = parse_expr(s)))
			return 0;
	}
	if (kw(s, "ORDER")) {
		if (!next(s) || !expect_kw(s, "BY") || !oitem_list(s, &S->order, &S->norder, 1))
			return 0;
	}
	if (kw(s, "LIMIT")) {
		int64_t a;
		if (!next(s) || !limit_num(s, &a))
			return 0;
		if (op(s, ",")) {
			S->offset = a;
			if (!next(s) || !limit_num(s, &S->limit))
				return 0;
		} else {
			S->limit = a;
			if (kw(s, "OFFSET") && (!next(s) || !limit_num(s, &S->offset)))
				return 0;
		}
	}
	return expect_end(s);
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
		return sqlerr(S->s->q, SL_SQL_ER_BAD_FIELD, "42S22", "%s", err);
	if (!aggs && sl_expr_has_aggs(e))
		return sqlerr(S->s->q, 1111, "HY000", "Invalid use of group function in %s", clause);
	return sqlerr(S->s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", err[0] ? err : "invalid expression");
}

static int name_eq(const char *a, const char *b, size_t bn)
{
	return strlen(a) == bn && !strncasecmp(a, b, bn);
}

/* Expand '*', resolve GROUP BY/ORDER BY references, bind everything. */
static int resolve(sel *S)
{
	sl_sql *q = S->s->q;
	int r;

	if (S->has_table) {
		if ((r = load_schema(q, S->db, S->tbl, &S->sch)) <= 0)
			return r;
		S->ncols = S->sch.ncols;
		S->cnames = calloc(S->ncols + 1, sizeof *S->cnames);
		S->ctypes = calloc(S->ncols + 1, sizeof *S->ctypes);
		S->fields = calloc(S->ncols + 1, sizeof *S->fields);
		S->row = calloc(S->ncols + 1, sizeof *S->row);
		if (!S->cnames || !S->ctypes || !S->fields || !S->row)
			return syserr(q, "out of memory");
		for (size_t i = 0; i < S->ncols; i++) {
			S->cnames[i] = S->sch.cols[i].name;
			S->ctypes[i] = S->sch.cols[i].type;
		}
	}
	/* Expand stars. */
	for (size_t i = 0; i < S->nitems; i++) {
		item *p;
		size_t k;

		if (!S->items[i].star)
			continue;
		if (!S->has_table)
			return sqlerr(q, 1096, "HY000", "No tables used");
		if (S->nitems - 1 + S->ncols > SEL_LIST_MAX)
			return too_many(S->s, "select list");
		p = realloc(S->items, (S->nitems + S->ncols) * sizeof *p);
		if (!p)
			return syserr(q, "out of memory");
		S->items = p;
		memmove(p + i + S->ncols, p + i + 1, (S->nitems - i - 1) * sizeof *p);
		S->nitems += S->ncols - 1;
		for (k = 0; k < S->ncols; k++) {
			char buf[NAME_MAX_SQL * 2 + 3], err[256];
			size_t n = 0;
			buf[n++] = '`';
			for (const char *c = S->cnames[k]; *c && n < sizeof buf - 3; c++) {
				if (*c == '`')
					buf[n++] = '`';
				buf[n++] = *c;
			}
			buf[n++] = '`';
			buf[n] = 0;
			memset(&p[i + k], 0, sizeof p[i + k]);
			p[i + k].e = sl_expr_parse(buf, n, err, sizeof err);
			p[i + k].name = strdup(S->cnames[k]);
			if (!p[i + k].e || !p[i + k].name) {
				/* Keep the rest freeable. */
				for (size_t j = k + 1; j < S->ncols; j++)
					memset(&p[i + j], 0, sizeof p[i + j]);
				return syserr(q, "out of memory");
			}
		}
		i += S->ncols - 1;
	}
	if (!(S->outv = calloc(S->nitems + S->norder + 1, sizeof *S->outv)))
		return syserr(q, "out of memory");
	for (size_t i = 0; i < S->nitems; i++)
		if (!bind(S, S->items[i].e, 1, "select list"))
			return 0;
	S->xnames = calloc(S->ncols + S->nitems + 1, sizeof *S->xnames);
	S->xtypes = calloc(S->ncols + S->nitems + 1, sizeof *S->xtypes);
	S->xrow = calloc(S->ncols + S->nitems + 1, sizeof *S->xrow);
	if (!S->xnames || !S->xtypes || !S->xrow)
		return syserr(q, "out of memory");
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
	if (S->where && !bind(S, S->where, 0, "WHERE"))
		return 0;
	if (S->distinct && !S->ngroup) {
		S->group = calloc(S->nitems + 1, sizeof *S->group);
		if (!S->group)
			return syserr(q, "out of memory");
		for (size_t i = 0; i < S->nitems; i++) {
			S->group[i].ref = -1;
			S->group[i].pos = (long)i + 1;
		}
		S->ngroup = S->nitems;
	}
	for (size_t i = 0; i < S->ngroup; i++) {
		oitem *g = &S->group[i];
		size_t n;
		const char *cn;

		if (g->pos) {
			if (g->pos < 0 || (size_t)g->pos > S->nitems)
				return sqlerr(q, SL_SQL_ER_BAD_FIELD, "42S22", "Unknown column '%ld' in 'group statement'", g->pos);
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
				return sqlerr(q, 1056, "42000", "Can't group on '%.*s'", (int)tn, t);
			}
			return 0;
		}
	}
	if (S->having && !bind(S, S->having, 1, "HAVING"))
		return 0;
	for (size_t i = 0; i < S->norder; i++) {
		oitem *o = &S->order[i];
		size_t n, tn;
		const char *cn, *t;

		if (o->pos) {
			if (o->pos < 0 || (size_t)o->pos > S->nitems)
				return sqlerr(q, SL_SQL_ER_BAD_FIELD, "42S22", "Unknown column '%ld' in 'order clause'", o->pos);
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
	/* Aggregates: one numbering across select list, HAVING and ORDER BY. */
	for (size_t i = 0; i < S->nitems; i++)
		if (sl_expr_collect_aggs(S->items[i].e, &S->aggs) < 0)
			return syserr(q, "out of memory");
	if (S->having && sl_expr_collect_aggs(S->having, &S->aggs) < 0)
		return syserr(q, "out of memory");
	for (size_t i = 0; i < S->norder; i++)
		if (S->order[i].ref < 0 && sl_expr_collect_aggs(S->order[i].e, &S->aggs) < 0)
			return syserr(q, "out of memory");
	S->grouped = S->ngroup > 0 || S->aggs.n > 0;
	return 1;
}

/* ---- row source ---- */

static int src_open(sel *S)
{
	sl_sql *q = S->s->q;
	int r;

	if (!S->has_table)
		return 1;
	r = sl_snapshot_open(q->st, S->db, S->tbl, &S->snap);
	if (r == 0)
		return errno == ENOTDIR ? err_db(q, S->db) : err_table(q, S->tbl);
	if (r < 0)
		return syserr(q, "unable to open the table");
	S->snap_open = 1;
	if (!(S->scan = sl_scan_open(&S->snap)))
		return syserr(q, "unable to read the table");
	return 1;
}

/* 1 row in S->row, 0 end, -1 errno (q->err set). */
static int src_next(sel *S)
{
	const char *p;
	size_t len;
	long nf;
	int r;

	if (!S->has_table) {
		if (S->empty_done)
			return 0;
		S->empty_done = 1;
		return 1;
	}
	r = sl_scan_next(S->scan, &p, &len);
	if (r < 0)
		return syserr(S->s->q, errno == EPROTO ? "corrupt rowset" : "unable to read the table");
	if (r == 0)
		return 0;
	nf = sl_fields_parse(p, len, S->fields, S->ncols);
	if (nf < 0 || (size_t)nf != S->ncols) {
		errno = EPROTO;
		return syserr(S->s->q, "corrupt row: field count does not match the schema");
	}
	for (size_t i = 0; i < S->ncols; i++)
		if (sl_value_decode(&S->ctypes[i], S->fields[i].p, S->fields[i].n, &S->row[i]) < 0) {
			errno = EPROTO;
			return syserr(S->s->q, "corrupt row: bad field encoding");
		}
	return 1;
}

/* ---- values ---- */

/* One malloc'd block holding n values and their string bytes. */
static sl_value *vals_dup(const sl_value *in, size_t n)
{
	size_t extra = 0, off;
	sl_value *v;
	char *mem;

	for (size_t i = 0; i < n; i++)
		if (in[i].kind == SL_V_STRING)
			extra += in[i].u.s.n;
	v = malloc((n ? n : 1) * sizeof *v + extra + 1);
	if (!v)
		return 0;
	mem = (char *)(v + (n ? n : 1));
	off = 0;
	for (size_t i = 0; i < n; i++) {
		v[i] = in[i];
		if (in[i].kind == SL_V_STRING) {
			if (in[i].u.s.n)
				memcpy(mem + off, in[i].u.s.p, in[i].u.s.n);
			v[i].u.s.p = mem + off;
			off += in[i].u.s.n;
		}
	}
	return v;
}

static int key_put(sl_buf *b, const sl_value *v)
{
	char k = (char)v->kind, t[17];

	if (sl_buf_putc(b, k) < 0)
		return -1;
	switch (v->kind) {
	case SL_V_NULL:
		return 1;
	case SL_V_INT: case SL_V_DATE: case SL_V_DATETIME:
		sl_u64_pack(t, (uint64_t)v->u.i);
		return sl_buf_put(b, t, 8);
	case SL_V_LARGE: case SL_V_DECIMAL:
		sl_u64_pack(t, (uint64_t)((unsigned __int128)v->u.l >> 64));
		sl_u64_pack(t + 8, (uint64_t)v->u.l);
		t[16] = (char)v->scale;
		return sl_buf_put(b, t, 17);
	case SL_V_DOUBLE: {
		double d = v->u.d == 0 ? 0.0 : v->u.d;
		uint64_t u;
		memcpy(&u, &d, 8);
		sl_u64_pack(t, u);
		return sl_buf_put(b, t, 8);
	}
	case SL_V_STRING:
		sl_u64_pack(t, (uint64_t)v->u.s.n);
		if (sl_buf_put(b, t, 8) < 0)
			return -1;
		return sl_buf_put(b, v->u.s.p, v->u.s.n);
	}
	return 1;
}

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

/* ---- output ---- */

static int out_row(sel *S, const sl_value *v)
{
	if (S->skipped < S->offset) {
		S->skipped++;
		return 1;
	}
	if (S->limit >= 0 && S->emitted >= S->limit) {
		S->done = 1;
		return 1;
	}
	if (sink_row(S->s->sink, S->nitems, v) < 0)
		return syserr(S->s->q, "unable to write the result");
	S->emitted++;
	if (S->limit >= 0 && S->emitted >= S->limit)
		S->done = 1;
	return 1;
}

static int order_cmp(const void *a, const void *b, void *arg);

/* ORDER BY ... LIMIT keeps only the best offset+limit rows: a max-heap
 * whose top is the worst row kept. */
static void heap_swap(orow *r, size_t i, size_t j)
{
	orow t = r[i];

	r[i] = r[j];
	r[j] = t;
}

static void heap_up(sel *S, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (order_cmp(&S->rows[i], &S->rows[p], S) <= 0)
			break;
		heap_swap(S->rows, i, p);
		i = p;
	}
}

static void heap_down(sel *S, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < S->nrows && order_cmp(&S->rows[l], &S->rows[m], S) > 0)
			m = l;
		if (r < S->nrows && order_cmp(&S->rows[r], &S->rows[m], S) > 0)
			m = r;
		if (m == i)
			return;
		heap_swap(S->rows, i, m);
		i = m;
	}
}

/* Keep S->outv (select values + ORDER BY keys) for the sort. */
static int stage_row(sel *S)
{
	size_t n = S->nitems + S->norder;
	size_t keep = SIZE_MAX;
	orow cand;

	if (S->limit >= 0 && (uint64_t)S->limit + (uint64_t)S->offset < SIZE_MAX / 2)
		keep = (size_t)(S->limit + S->offset);
	cand.v = S->outv;
	cand.seq = S->seqno++;
	if (keep != SIZE_MAX && S->nrows == keep) {
		sl_value *v;
		if (!keep || order_cmp(&cand, &S->rows[0], S) >= 0)
			return 1;
		if (!(v = vals_dup(S->outv, n)))
			return syserr(S->s->q, "out of memory");
		free(S->rows[0].v);
		S->rows[0].v = v;
		S->rows[0].seq = cand.seq;
		heap_down(S, 0);
		return 1;
	}
	if (S->nrows == S->caprows) {
		size_t cap = S->caprows ? S->caprows * 2 : 256;
		orow *p = realloc(S->rows, cap * sizeof *p);
		if (!p)
			return syserr(S->s->q, "out of memory");
		S->rows = p;
		S->caprows = cap;
	}
	if (!(S->rows[S->nrows].v = vals_dup(S->outv, n)))
		return syserr(S->s->q, "out of memory");
	S->rows[S->nrows].seq = cand.seq;
	S->nrows++;
	if (keep != SIZE_MAX)
		heap_up(S, S->nrows - 1);
	return 1;
}

/* Evaluate the select list, HAVING and the ORDER BY keys over row with
 * aggs; emit the row or stage it for sorting. */
static int produce(sel *S, const sl_value *row, const sl_value *aggs)
{
	S->ctx.aggs = aggs;
	for (size_t i = 0; i < S->nitems; i++)
		if (sl_expr_eval(S->items[i].e, row, &S->ctx, &S->outv[i]) < 0)
			return syserr(S->s->q, "out of memory");
	if (S->having || S->norder) {
		if (S->ncols)
			memcpy(S->xrow, row, S->ncols * sizeof *row);
		memcpy(S->xrow + S->ncols, S->outv, S->nitems * sizeof *S->outv);
	}
	if (S->having) {
		sl_value h;
		if (sl_expr_eval(S->having, S->xrow, &S->ctx, &h) < 0)
			return syserr(S->s->q, "out of memory");
		if (!sl_value_truth(&h))
			return 1;
	}
	if (!S->norder)
		return out_row(S, S->outv);
	for (size_t i = 0; i < S->norder; i++) {
		sl_value *o = &S->outv[S->nitems + i];
		if (S->order[i].ref >= 0)
			*o = S->outv[S->order[i].ref];
		else if (sl_expr_eval(S->order[i].e, S->xrow, &S->ctx, o) < 0)
			return syserr(S->s->q, "out of memory");
	}
	return stage_row(S);
}

static int group_rehash(sel *S)
{
	size_t cap = S->hcap ? S->hcap * 2 : 1024;
	size_t *t = malloc(cap * sizeof *t);

	if (!t)
		return -1;
	for (size_t i = 0; i < cap; i++)
		t[i] = SIZE_MAX;
	for (size_t g = 0; g < S->ngroups; g++) {
		size_t j = S->groups[g].h & (cap - 1);
		while (t[j] != SIZE_MAX)
			j = (j + 1) & (cap - 1);
		t[j] = g;
	}
	free(S->htab);
	S->htab = t;
	S->hcap = cap;
	return 1;
}

/* Find or add the group of row (key already in S->key). */
static group *group_get(sel *S, const sl_value *row)
{
	uint64_t h = hash(S->key.p, S->key.len);
	size_t j;
	group *g;

	if ((S->ngroups + 1) * 2 > S->hcap && group_rehash(S) < 0)
		return 0;
	for (j = h & (S->hcap - 1); S->htab[j] != SIZE_MAX; j = (j + 1) & (S->hcap - 1)) {
		g = &S->groups[S->htab[j]];
		if (g->h == h && g->klen == S->key.len && (!g->klen || !memcmp(g->key, S->key.p, g->klen)))
			return g;
	}
	if (S->ngroups == S->capgroups) {
		size_t cap = S->capgroups ? S->capgroups * 2 : 64;
		group *p = realloc(S->groups, cap * sizeof *p);
		if (!p)
			return 0;
		S->groups = p;
		S->capgroups = cap;
	}
	g = &S->groups[S->ngroups];
	memset(g, 0, sizeof *g);
	g->h = h;
	g->klen = S->key.len;
	g->key = malloc(g->klen + 1);
	g->row = vals_dup(row, S->ncols);
	g->st = calloc(S->aggs.n + 1, sizeof *g->st);
	if (!g->key || !g->row || !g->st) {
		free(g->key);
		free(g->row);
		free(g->st);
		return 0;
	}
	if (g->klen)
		memcpy(g->key, S->key.p, g->klen);
	for (size_t i = 0; i < S->aggs.n; i++)
		sl_agg_init(S->aggs.calls[i], &g->st[i]);
	S->htab[j] = S->ngroups++;
	return g;
}

static int group_step(sel *S, const sl_value *row)
{
	group *g;

	S->key.len = 0;
	for (size_t i = 0; i < S->ngroup; i++) {
		sl_value v;
		if (sl_expr_eval(S->group[i].e, row, &S->ctx, &v) < 0 || key_put(&S->key, &v) < 0)
			return syserr(S->s->q, "out of memory");
	}
	if (!(g = group_get(S, row)))
		return syserr(S->s->q, "out of memory");
	for (size_t i = 0; i < S->aggs.n; i++)
		if (sl_agg_step(S->aggs.calls[i], &g->st[i], row, &S->ctx) < 0)
			return syserr(S->s->q, "out of memory");
	return 1;
}

static int group_finish(sel *S)
{
	sl_value *fin = calloc(S->aggs.n + 1, sizeof *fin);

	if (!fin)
		return syserr(S->s->q, "out of memory");
	if (!S->ngroups && !S->ngroup) {
		/* Aggregates over no rows: one row (count 0, sum NULL, ...). */
		for (size_t i = 0; i < S->ncols; i++)
			S->row[i] = SL_VALUE_NULL;
		S->key.len = 0;
		if (!group_get(S, S->row)) {
			free(fin);
			return syserr(S->s->q, "out of memory");
		}
	}
	for (size_t g = 0; g < S->ngroups && !S->done; g++) {
		group *gr = &S->groups[g];
		sl_arena_reset(&S->arena);
		for (size_t i = 0; i < S->aggs.n; i++)
			sl_agg_final(S->aggs.calls[i], &gr->st[i], &fin[i]);
		if (produce(S, gr->row, fin) < 0) {
			free(fin);
			return -1;
		}
	}
	free(fin);
	return 1;
}

static int order_cmp(const void *a, const void *b, void *arg)
{
	const sel *S = arg;
	const orow *x = a, *y = b;

	for (size_t i = 0; i < S->norder; i++) {
		const sl_value *u = &x->v[S->nitems + i], *v = &y->v[S->nitems + i];
		int c;
		if (u->kind == SL_V_NULL || v->kind == SL_V_NULL)
			c = (u->kind != SL_V_NULL) - (v->kind != SL_V_NULL);
		else
			c = sl_value_cmp(u, v);
		if (S->order[i].desc)
			c = -c;
		if (c)
			return c < 0 ? -1 : 1;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int run_select(sel *S)
{
	const char **names;
	sl_type *types;
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	S->ctx.arena = &S->arena;
	S->ctx.now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	names = calloc(S->nitems + 1, sizeof *names);
	types = calloc(S->nitems + 1, sizeof *types);
	if (!names || !types) {
		free(names);
		free(types);
		return syserr(S->s->q, "out of memory");
	}
	for (size_t i = 0; i < S->nitems; i++) {
		names[i] = S->items[i].name;
		types[i] = sl_expr_type(S->items[i].e);
	}
	if ((r = src_open(S)) <= 0) {
		free(names);
		free(types);
		return r;
	}
	r = sink_begin(S->s->sink, S->nitems, names, types);
	free(names);
	free(types);
	if (r < 0)
		return syserr(S->s->q, "unable to write the result");
	if (S->limit == 0)
		S->done = 1;
	while (!S->done || S->grouped || S->norder) {
		if (S->limit == 0)
			break;
		r = src_next(S);
		if (r <= 0)
			break;
		sl_arena_reset(&S->arena);
		if (S->where) {
			sl_value w;
			S->ctx.aggs = 0;
			if (sl_expr_eval(S->where, S->row, &S->ctx, &w) < 0)
				return syserr(S->s->q, "out of memory");
			if (!sl_value_truth(&w))
				continue;
		}
		r = S->grouped ? group_step(S, S->row) : produce(S, S->row, 0);
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (S->grouped && S->limit != 0 && group_finish(S) < 0)
		return -1;
	if (S->norder) {
		S->done = S->limit == 0;
		if (S->nrows)
			qsort_r(S->rows, S->nrows, sizeof *S->rows, order_cmp, S);
		for (size_t i = 0; i < S->nrows && !S->done; i++)
			if (out_row(S, S->rows[i].v) < 0)
				return -1;
	}
	if (sink_end(S->s->sink) < 0)
		return syserr(S->s->q, "unable to write the result");
	return 1;
}

static void sel_free(sel *S)
{
	for (size_t i = 0; i < S->nitems; i++) {
		sl_expr_free(S->items[i].e);
		free(S->items[i].name);
	}
	free(S->items);
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
		sl_scan_close(S->scan);
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
	sl_arena_free(&S->arena);
}

static int select_stmt(stmt *s)
{
	sel S;
	int r;

	memset(&S, 0, sizeof S);
	S.s = s;
	S.limit = -1;
	r = parse_select(&S);
	/* the one table a SELECT reads (no joins, no subqueries) */
	if (r > 0 && S.has_table)
		r = need_table_priv(s, "SELECT", S.db, S.tbl, SL_PRIV_SELECT, 0);
	if (r > 0)
		r = resolve(&S);
	if (r > 0)
		r = run_select(&S);
	sel_free(&S);
	return r;
}

/* ---- users and grants (auth.h) ---- */

/* A STRING token into buf; 0 on syntax error or a value that does not fit. */
static int str_arg(stmt *s, char *buf, size_t cap, const char *what)
{
	const sl_tok *t = &s->lx.tok;

	if (t->kind != SL_TOK_STRING)
		return syntax(s);
	if (t->strn >= cap || (t->strn && memchr(t->str, 0, t->strn))) {
		s->failed = 1;
		return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s at position %zu is too long or holds a NUL byte",
			what, tpos(s));
	}
	memcpy(buf, t->strn ? t->str : "", t->strn);
	buf[t->strn] = 0;
	return next(s);
}

/* user_identity: 'name' | name | `name`, then optionally @'host' | @host.
 * Only '%' is a host here: a narrower one would silently not be enforced
 * (sl-httpd checks a user's password, not where it comes from). */
static int user_ident(stmt *s, char *user, size_t cap)
{
	char host[NAME_MAX_SQL];

	if (s->lx.tok.kind == SL_TOK_STRING) {
		if (!str_arg(s, user, cap, "the user name"))
			return 0;
	} else if (!ident(s, user, cap))
		return 0;
	if (op(s, "@")) {
		if (!next(s))
			return 0;
		if (s->lx.tok.kind == SL_TOK_STRING ? !str_arg(s, host, sizeof host, "the host")
				: !ident(s, host, sizeof host))
			return 0;
		if (strcmp(host, "%")) {
			s->failed = 1;
			return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000",
				"host '%s' is not supported: users are 'name'@'%%' (any host)", host);
		}
	}
	if (!sl_auth_user_valid(user)) {
		s->failed = 1;
		return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000",
			"Incorrect user name '%s': a letter, then letters, digits, '.', '-' or '_', at most 64", user);
	}
	return 1;
}

#define PASSWORD_CAP 512
/* MySQL error numbers of the user statements. */
#define SL_SQL_ER_NONEXISTING_GRANT 1141
#define SL_SQL_ER_CANNOT_USER       1396

/* The outcome of an auth.h call: 1, 0 with Doris's message, -1. */
static int auth_result(stmt *s, int r, const char *msg, const char *what)
{
	if (r > 0)
		return 1;
	if (r < 0)
		return syserr(s->q, what);
	if (!strncmp(msg, "Operation ", 10))
		return sqlerr(s->q, SL_SQL_ER_CANNOT_USER, "HY000", "%s", msg);
	if (!strncmp(msg, "There is no such grant", 22))
		return sqlerr(s->q, SL_SQL_ER_NONEXISTING_GRANT, "42000", "%s", msg);
	return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", msg);
}

/* CREATE USER [IF NOT EXISTS] user [IDENTIFIED BY 'p'] */
static int create_user(stmt *s)
{
	char user[NAME_MAX_SQL], pw[PASSWORD_CAP], msg[256];
	int ifne = 0, r;

	pw[0] = 0;
	if (kw(s, "IF")) {
		if (!next(s) || !expect_kw(s, "NOT") || !expect_kw(s, "EXISTS"))
			return 0;
		ifne = 1;
	}
	if (!user_ident(s, user, sizeof user))
		return 0;
	if (kw(s, "IDENTIFIED")) {
		if (!next(s) || !expect_kw(s, "BY") || !str_arg(s, pw, sizeof pw, "the password"))
			return 0;
	}
	if (!expect_end(s) || need_grant_priv(s) <= 0) {
		explicit_bzero(pw, sizeof pw);
		return 0;
	}
	r = sl_auth_create_user(s->q->st, user, pw, ifne, msg, sizeof msg);
	explicit_bzero(pw, sizeof pw);
	return auth_result(s, r, msg, "unable to update the users file");
}

/* DROP USER [IF EXISTS] user */
static int drop_user(stmt *s)
{
	char user[NAME_MAX_SQL], msg[256];
	int ife = 0;

	if (kw(s, "IF")) {
		if (!next(s) || !expect_kw(s, "EXISTS"))
			return 0;
		ife = 1;
	}
	if (!user_ident(s, user, sizeof user) || !expect_end(s) || need_grant_priv(s) <= 0)
		return 0;
	return auth_result(s, sl_auth_drop_user(s->q->st, user, ife, msg, sizeof msg), msg,
		"unable to update the users file");
}

/* The session's user ("root" without one). */
static const char *self(const sl_sql *q)
{
	return q->user[0] ? q->user : "root";
}

/* SET PASSWORD [FOR user] = PASSWORD('p') | 'p'. Without FOR: the session's
 * user (root for sl-sql without -u: whoever may write the data directory
 * is root). Another user's password needs GRANT. */
static int set_password(stmt *s)
{
	char user[NAME_MAX_SQL], pw[PASSWORD_CAP], msg[256];
	int r;

	snprintf(user, sizeof user, "%s", self(s->q));
	if (kw(s, "FOR") && (!next(s) || !user_ident(s, user, sizeof user)))
		return 0;
	if (!expect_op(s, "="))
		return 0;
	if (kw(s, "PASSWORD")) {
		if (!next(s) || !expect_op(s, "(") || !str_arg(s, pw, sizeof pw, "the password") ||
		    !expect_op(s, ")"))
			return 0;
	} else if (!str_arg(s, pw, sizeof pw, "the password"))
		return 0;
	if (!expect_end(s) || (strcmp(user, self(s->q)) && need_grant_priv(s) <= 0)) {
		explicit_bzero(pw, sizeof pw);
		return 0;
	}
	r = sl_auth_set_password(s->q->st, user, pw, msg, sizeof msg);
	explicit_bzero(pw, sizeof pw);
	return auth_result(s, r, msg, "unable to update the users file");
}

/* Privileges by name (Doris's, with or without _PRIV). */
static int priv_list(stmt *s, int *privs)
{
	*privs = 0;
	for (;;) {
		if (kw(s, "ALL")) {
			*privs |= SL_PRIV_ALL;
			if (!next(s) || (kw(s, "PRIVILEGES") && !next(s)))
				return 0;
		} else if (kw(s, "LOAD_PRIV") || kw(s, "LOAD") || kw(s, "INSERT_PRIV") || kw(s, "INSERT")) {
			/* INSERT_PRIV: the seed's "INSERT privileges", LOAD_PRIV in Doris's grammar */
			*privs |= SL_PRIV_LOAD;
			if (!next(s))
				return 0;
		} else if (kw(s, "SELECT_PRIV") || kw(s, "SELECT")) {
			*privs |= SL_PRIV_SELECT;
			if (!next(s))
				return 0;
		} else if (s->lx.tok.kind == SL_TOK_IDENT && !kw(s, "ON")) {
			s->failed = 1;
			return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000",
				"privilege '%.*s' is not supported (LOAD_PRIV, SELECT_PRIV, ALL)",
				(int)(s->lx.tok.n > 64 ? 64 : s->lx.tok.n), s->lx.tok.p);
		} else
			return syntax(s);
		if (!op(s, ","))
			return 1;
		if (!next(s))
			return 0;
	}
}

/* One part of db.tbl: an identifier or '*'. */
static int obj_part(stmt *s, char *buf)
{
	if (op(s, "*")) {
		snprintf(buf, NAME_MAX_SQL, "*");
		return next(s);
	}
	return ident(s, buf, NAME_MAX_SQL);
}

/* *.* | db.* | db.tbl | internal.db.tbl | tbl | * (the last two in the
 * current database). */
static int grant_obj(stmt *s, char *db, char *tbl)
{
	char a[NAME_MAX_SQL], b[NAME_MAX_SQL], c[NAME_MAX_SQL];
	size_t pos = tpos(s);
	int parts = 1;

	if (!obj_part(s, a))
		return 0;
	if (op(s, ".")) {
		if (!next(s) || !obj_part(s, b))
			return 0;
		parts = 2;
		if (op(s, ".")) {
			if (!next(s) || !obj_part(s, c))
				return 0;
			parts = 3;
		}
	}
	if (parts == 3) {
		if (strcmp(a, "internal")) {
			s->failed = 1;
			return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000", "Unknown catalog '%s'", a);
		}
		memcpy(a, b, sizeof a);
		memcpy(b, c, sizeof b);
	} else if (parts == 1) {
		if (!s->q->db) {
			s->failed = 1;
			return sqlerr(s->q, SL_SQL_ER_NO_DB, "3D000", "No database selected");
		}
		memcpy(b, a, sizeof b);
		snprintf(a, sizeof a, "%s", s->q->db);
	}
	if (!strcmp(a, "*") && strcmp(b, "*")) {
		s->failed = 1;
		return sqlerr(s->q, SL_SQL_ER_PARSE, "42000", "syntax error at position %zu near '*'", pos);
	}
	if (strcmp(a, "*") && sl_name_valid(a) != 1) {
		s->failed = 1;
		return sqlerr(s->q, SL_SQL_ER_WRONG_DB_NAME, "42000", "Incorrect database name '%s'", a);
	}
	if (strcmp(b, "*") && sl_name_valid(b) != 1) {
		s->failed = 1;
		return sqlerr(s->q, SL_SQL_ER_WRONG_TABLE_NAME, "42000", "Incorrect table name '%s'", b);
	}
	snprintf(db, NAME_MAX_SQL, "%s", a);
	snprintf(tbl, NAME_MAX_SQL, "%s", b);
	return 1;
}

/* GRANT privs ON obj TO user; REVOKE privs ON obj FROM user */
static int grant_stmt(stmt *s, int grant)
{
	char db[NAME_MAX_SQL], tbl[NAME_MAX_SQL], user[NAME_MAX_SQL], msg[256];
	int privs, r;

	if (!priv_list(s, &privs) || !expect_kw(s, "ON") || !grant_obj(s, db, tbl) ||
	    !expect_kw(s, grant ? "TO" : "FROM") || !user_ident(s, user, sizeof user) || !expect_end(s) ||
	    need_grant_priv(s) <= 0)
		return 0;
	if (grant)
		r = sl_auth_grant(s->q->st, user, db, tbl, privs, msg, sizeof msg);
	else
		r = sl_auth_revoke(s->q->st, user, db, tbl, privs, msg, sizeof msg);
	return auth_result(s, r, msg, "unable to update the users file");
}

/* Doris's privilege names, comma-joined (ALL: the six of them). */
static int priv_names(sl_buf *b, int privs)
{
	static const struct { int bit; const char *name; } pn[] = {
		{ SL_PRIV_SELECT, "Select_priv" }, { SL_PRIV_LOAD, "Load_priv" }, { SL_PRIV_ALTER, "Alter_priv" },
		{ SL_PRIV_CREATE, "Create_priv" }, { SL_PRIV_DROP, "Drop_priv" }, { SL_PRIV_SHOW_VIEW, "Show_view_priv" },
	};
	int first = 1;

	for (size_t i = 0; i < SL_ARRAY_LEN(pn); i++) {
		if (!(privs & pn[i].bit))
			continue;
		if ((!first && sl_buf_putc(b, ',') < 0) || sl_buf_puts(b, pn[i].name) < 0)
			return -1;
		first = 0;
	}
	return 1;
}

/* A result with column types (text unless numeric[i]). */
static int begin_typed(const sl_sql_sink *k, size_t n, const char *const *names, const int *numeric)
{
	sl_type t[32];

	memset(t, 0, sizeof t);
	for (size_t i = 0; i < n && i < SL_ARRAY_LEN(t); i++) {
		t[i].kind = numeric && numeric[i] ? SL_T_BIGINT : SL_T_VARCHAR;
		t[i].len = numeric && numeric[i] ? 0 : 65533;
	}
	return sink_begin(k, n, names, t);
}

/* SHOW [ALL] GRANTS [FOR user]: one row per user, as Doris. A user sees
 * their own grants; anyone else's need GRANT. */
static int show_grants(stmt *s, int all)
{
	static const char *const names[] = { "UserIdentity", "Comment", "Password", "Roles", "GlobalPrivs",
		"CatalogPrivs", "DatabasePrivs", "TablePrivs", "ResourcePrivs", "WorkloadGroupPrivs" };
	char user[NAME_MAX_SQL];
	sl_auth_entry *e = 0;
	size_t n = 0;
	sl_buf ident = SL_BUF_ZERO, glob = SL_BUF_ZERO, dbs = SL_BUF_ZERO, tbls = SL_BUF_ZERO;
	int r;

	if (!next(s))
		return 0;
	snprintf(user, sizeof user, "%s", self(s->q));
	if (!all && kw(s, "FOR") && (!next(s) || !user_ident(s, user, sizeof user)))
		return 0;
	if (!expect_end(s) || ((all || strcmp(user, self(s->q))) && need_grant_priv(s) <= 0))
		return 0;
	r = sl_auth_list(s->q->st, all ? 0 : user, &e, &n);
	if (r < 0)
		return syserr(s->q, "unable to read the users file");
	if (r == 0)
		return sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000", "user '%s'@'%%' does not exist", user);
	r = begin_typed(s->sink, SL_ARRAY_LEN(names), names, 0) < 0 ? -1 : 1;
	for (size_t i = 0; r > 0 && i < n; i++) {
		sl_value v[SL_ARRAY_LEN(names)];
		int root = !strcmp(e[i].user, "root");

		if (e[i].db[0])
			continue;       /* grants come with their user */
		ident.len = glob.len = dbs.len = tbls.len = 0;
		if (sl_buf_printf(&ident, "'%s'@'%%'", e[i].user) < 0 || sl_buf_cstr(&ident) < 0 ||
		    (root && sl_buf_puts(&glob, "Node_priv,Admin_priv") < 0))
			r = -1;
		for (size_t j = 0; r > 0 && j < n; j++) {
			const sl_auth_entry *g = &e[j];
			if (!g->db[0] || strcmp(g->user, e[i].user))
				continue;
			if (!strcmp(g->db, "*")) {
				if (!root && ((glob.len && sl_buf_putc(&glob, ',') < 0) || priv_names(&glob, g->privs) < 0))
					r = -1;
			} else if (!strcmp(g->table, "*")) {
				if ((dbs.len && sl_buf_puts(&dbs, "; ") < 0) || sl_buf_printf(&dbs, "internal.%s: ", g->db) < 0 ||
				    priv_names(&dbs, g->privs) < 0)
					r = -1;
			} else if ((tbls.len && sl_buf_puts(&tbls, "; ") < 0) ||
				   sl_buf_printf(&tbls, "internal.%s.%s: ", g->db, g->table) < 0 ||
				   priv_names(&tbls, g->privs) < 0)
				r = -1;
		}
		if (r < 0 || sl_buf_cstr(&glob) < 0 || sl_buf_cstr(&dbs) < 0 || sl_buf_cstr(&tbls) < 0) {
			r = -1;
			break;
		}
		for (size_t k = 0; k < SL_ARRAY_LEN(v); k++)
			v[k] = SL_VALUE_NULL;
		v[0] = vstr(ident.p);
		v[1] = vstr(root ? "ROOT" : "");
		v[2] = vstr(e[i].has_password ? "Yes" : "No");
		v[3] = vstr(root ? "operator" : "");
		if (glob.len)
			v[4] = vstr(glob.p);
		if (dbs.len)
			v[6] = vstr(dbs.p);
		if (tbls.len)
			v[7] = vstr(tbls.p);
		if (sink_row(s->sink, SL_ARRAY_LEN(v), v) < 0)
			r = -1;
	}
	if (r > 0 && sink_end(s->sink) < 0)
		r = -1;
	free(e);
	sl_buf_free(&ident);
	sl_buf_free(&glob);
	sl_buf_free(&dbs);
	sl_buf_free(&tbls);
	return r < 0 ? syserr(s->q, "unable to write the result") : r;
}

/* ---- SHOW STREAM LOAD (record.h) ---- */

static const char *const sload_cols[] = { "Label", "Db", "Table", "ClientIp", "Status", "Message", "Url",
	"TotalRows", "LoadedRows", "FilteredRows", "UnselectedRows", "LoadBytes", "StartTime", "FinishTime",
	"User", "Comment" };
static const int sload_numeric[] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0 };

/* Column i of a record: a string (into tmp) or a number. */
static sl_value sload_value(const sl_load_record *r, size_t i, char *tmp, size_t cap)
{
	sl_value v = SL_VALUE_NULL;
	int64_t num = 0;

	switch (i) {
	case 0: return vstr(r->label);
	case 1: return vstr(r->db);
	case 2: return vstr(r->table);
	case 3: return vstr(r->client_ip);
	case 4: return vstr(r->status);
	case 5: return vstr(r->message);
	case 6: return vstr(r->url[0] ? r->url : "N/A");
	case 7: num = r->total; break;
	case 8: num = r->loaded; break;
	case 9: num = r->filtered; break;
	case 10: num = r->unselected; break;
	case 11: num = r->load_bytes; break;
	case 12: case 13: {
		int64_t ms = i == 12 ? r->start_ms : r->finish_ms;
		time_t t = (time_t)(ms / 1000);
		struct tm tm;
		size_t k;
		if (!localtime_r(&t, &tm) || !(k = strftime(tmp, cap, "%Y-%m-%d %H:%M:%S", &tm)))
			return vstr("");
		snprintf(tmp + k, cap - k, ".%03d", (int)(ms % 1000));
		return vstr(tmp);
	}
	case 14: return vstr(r->user);
	default: return vstr(r->comment);
	}
	v.kind = SL_V_INT;
	v.tkind = SL_T_BIGINT;
	v.u.i = num;
	return v;
}

/* SQL LIKE: % any run, _ one byte; case-sensitive as labels are. Greedy
 * with one backtrack point (the last %): O(len(s) * len(p)), never
 * exponential whatever the pattern. */
static int like(const char *s, const char *p)
{
	const char *star = 0, *resume = 0;

	while (*s) {
		if (*p == '%') {
			star = p++;
			resume = s;
		} else if (*p && (*p == '_' || *p == *s)) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else
			return 0;
	}
	while (*p == '%')
		p++;
	return !*p;
}

typedef struct sload_key { size_t col; int desc; } sload_key;
typedef struct sload_sort { const sload_key *keys; size_t nkeys; const sl_load_record *recs; } sload_sort;

static int sload_cmp(const void *a, const void *b, void *arg)
{
	const sload_sort *S = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;

	for (size_t k = 0; k < S->nkeys; k++) {
		char ta[32], tb[32];
		sl_value va = sload_value(&S->recs[ia], S->keys[k].col, ta, sizeof ta);
		sl_value vb = sload_value(&S->recs[ib], S->keys[k].col, tb, sizeof tb);
		int c;
		if (va.kind == SL_V_INT)
			c = va.u.i < vb.u.i ? -1 : va.u.i > vb.u.i;
		else {
			size_t n = va.u.s.n < vb.u.s.n ? va.u.s.n : vb.u.s.n;
			c = memcmp(va.u.s.p, vb.u.s.p, n);
			if (!c)
				c = va.u.s.n < vb.u.s.n ? -1 : va.u.s.n > vb.u.s.n;
		}
		if (c)
			return S->keys[k].desc ? -c : c;
	}
	return ia < ib ? -1 : ia > ib;  /* stable: record order */
}

#define SLOAD_WHERE "Where clause should looks like: LABEL = \"your_load_label\", or LABEL LIKE \"matcher\", " \
	" or STATUS = \"SUCCESS|FAIL\", or compound predicate with operator AND"
#define LOAD_WHERE "Where clause should looks like: LABEL = \"your_load_label\", or LABEL LIKE \"matcher\", " \
	" or STATE = \"PENDING|ETL|LOADING|FINISHED|CANCELLED|\", or compound predicate with operator AND"

/* [FROM db] [WHERE LABEL = 'x' | LABEL LIKE 'p' | STATUS = 's' [AND ...]]
 * of SHOW STREAM LOAD; SHOW LOAD says STATE instead of STATUS. */
typedef struct lwhere {
	char db[NAME_MAX_SQL], label[256], pat[256], status[32];
	int by_label, by_pat;
} lwhere;

static int load_where(stmt *s, lwhere *w, int show_load)
{
	static const char *const states[] = { "SUCCESS", "FAIL", "PENDING", "ETL", "LOADING", "FINISHED", "CANCELLED" };
	size_t k;

	memset(w, 0, sizeof *w);
	if (kw(s, "FROM") || kw(s, "IN")) {
		if (!next(s) || !ident(s, w->db, sizeof w->db))
			return 0;
	} else if (s->q->db)
		snprintf(w->db, sizeof w->db, "%s", s->q->db);
	if (!kw(s, "WHERE"))
		return 1;
	if (!next(s))
		return 0;
	for (;;) {
		if (kw(s, "LABEL")) {
			if (!next(s))
				return 0;
			if (op(s, "=")) {
				if (!next(s) || !str_arg(s, w->label, sizeof w->label, "the label"))
					return 0;
				w->by_label = 1;
			} else if (kw(s, "LIKE")) {
				if (!next(s) || !str_arg(s, w->pat, sizeof w->pat, "the pattern"))
					return 0;
				w->by_pat = 1;
			} else
				goto bad;
		} else if (kw(s, show_load ? "STATE" : "STATUS")) {
			if (!next(s) || !op(s, "=") || !next(s))
				return 0;
			if (!str_arg(s, w->status, sizeof w->status, "the status"))
				return 0;
			for (k = show_load ? 2 : 0; k < (show_load ? SL_ARRAY_LEN(states) : 2); k++)
				if (!strcasecmp(w->status, states[k]))
					break;
			if (k == (show_load ? SL_ARRAY_LEN(states) : 2))
				goto bad;
		} else
			goto bad;
		if (!kw(s, "AND"))
			return 1;
		if (!next(s))
			return 0;
	}
bad:
	if (!s->failed) {
		s->failed = 1;
		sqlerr(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", show_load ? LOAD_WHERE : SLOAD_WHERE);
	}
	return 0;
}

/* [LIMIT n [OFFSET m] | LIMIT m, n] */
static int load_limit(stmt *s, int64_t *limit, int64_t *offset)
{
	*limit = -1;
	*offset = 0;
	if (!kw(s, "LIMIT"))
		return 1;
	if (!next(s) || !limit_num(s, limit))
		return 0;
	if (op(s, ",")) {
		*offset = *limit;
		if (!next(s) || !limit_num(s, limit))
			return 0;
	} else if (kw(s, "OFFSET") && (!next(s) || !limit_num(s, offset)))
		return 0;
	return 1;
}

/* SHOW STREAM LOAD [FROM db] [WHERE ...] [ORDER BY col [ASC|DESC], ...] [LIMIT ...] */
static int show_stream_load(stmt *s)
{
	lwhere w;
	char *db = w.db;
	sload_key keys[SL_ARRAY_LEN(sload_cols)];
	size_t nkeys = 0, n = 0, nsel = 0, *idx = 0;
	sl_load_record *recs = 0;
	int64_t limit = -1, offset = 0;
	int r;

	if (!next(s) || !expect_kw(s, "LOAD") || !load_where(s, &w, 0))
		return 0;
	if (kw(s, "ORDER")) {
		if (!next(s) || !expect_kw(s, "BY"))
			return 0;
		for (;;) {
			char col[NAME_MAX_SQL];
			size_t c;
			if (!ident(s, col, sizeof col))
				return 0;
			for (c = 0; c < SL_ARRAY_LEN(sload_cols) && strcasecmp(col, sload_cols[c]); c++)
				;
			if (c == SL_ARRAY_LEN(sload_cols)) {
				s->failed = 1;
				return sqlerr(s->q, SL_SQL_ER_BAD_FIELD, "42S22", "Unknown column '%s' in 'order clause'", col);
			}
			if (nkeys < SL_ARRAY_LEN(keys)) {
				keys[nkeys].col = c;
				keys[nkeys].desc = 0;
			}
			if (kw(s, "DESC") || kw(s, "ASC")) {
				if (nkeys < SL_ARRAY_LEN(keys))
					keys[nkeys].desc = kw(s, "DESC");
				if (!next(s))
					return 0;
			}
			if (nkeys < SL_ARRAY_LEN(keys))
				nkeys++;
			if (!op(s, ","))
				break;
			if (!next(s))
				return 0;
		}
	}
	if (!load_limit(s, &limit, &offset) || !expect_end(s))
		return 0;
	if (!db[0])
		return sqlerr(s->q, SL_SQL_ER_NO_DB, "3D000", "No database selected");
	if ((r = need_db_priv(s, db)) <= 0 || (r = need_db(s->q, db)) <= 0)
		return r;
	r = sl_record_list(s->q->st, db, &recs, &n, 0);
	if (r < 0)
		return syserr(s->q, "unable to read the stream load record");
	if (r == 0)
		return err_db(s->q, db);
	if (n && !(idx = malloc(n * sizeof *idx))) {
		free(recs);
		return syserr(s->q, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if ((w.by_label && strcmp(recs[i].label, w.label)) || (w.by_pat && !like(recs[i].label, w.pat)) ||
		    (w.status[0] && strcasecmp(recs[i].status, w.status)))
			continue;
		/* only the loads of tables the user holds some privilege on */
		if ((r = may(s, db, recs[i].table, SL_PRIV_ALL, 1)) <= 0) {
			if (r < 0) {
				free(idx);
				free(recs);
				return -1;
			}
			continue;
		}
		idx[nsel++] = i;
	}
	if (nkeys && nsel > 1) {
		sload_sort S = { keys, nkeys, recs };
		qsort_r(idx, nsel, sizeof *idx, sload_cmp, &S);
	}
	r = begin_typed(s->sink, SL_ARRAY_LEN(sload_cols), sload_cols, sload_numeric) < 0 ? -1 : 1;
	for (size_t i = (size_t)offset; r > 0 && i < nsel && (limit < 0 || i < (size_t)(offset + limit)); i++) {
		sl_value v[SL_ARRAY_LEN(sload_cols)];
		char t1[32], t2[32];
		for (size_t c = 0; c < SL_ARRAY_LEN(v); c++)
			v[c] = sload_value(&recs[idx[i]], c, c == 12 ? t1 : t2, sizeof t1);
		if (sink_row(s->sink, SL_ARRAY_LEN(v), v) < 0)
			r = -1;
	}
	if (r > 0 && sink_end(s->sink) < 0)
		r = -1;
	free(idx);
	free(recs);
	return r < 0 ? syserr(s->q, "unable to write the result") : r;
}

/* ---- SHOW LOAD (the seed's FAQ: is a label already used?) ---- */

static const char *const load_cols[] = { "JobId", "Label", "State", "Progress", "Type", "EtlInfo", "TaskInfo",
	"ErrorMsg", "CreateTime", "EtlStartTime", "EtlFinishTime", "LoadStartTime", "LoadFinishTime", "URL",
	"JobDetails", "TransactionId", "ErrorTablets", "User", "Comment" };
static const int load_numeric[] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };

/* Doris's job state of a transaction state / of a record's status. */
static const char *job_state(int txn_state)
{
	switch (txn_state) {
	case SL_TXN_VISIBLE: case SL_TXN_COMMITTED: return "FINISHED";
	case SL_TXN_ABORTED: return "CANCELLED";
	default: return "LOADING";   /* PREPARE, or PRECOMMITTED waiting for its 2PC */
	}
}

static void fmt_ms(char *buf, size_t cap, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms || !localtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
		buf[0] = 0;
}

/* One SHOW LOAD row: from the transaction log (ti) and/or the load's
 * record (rec); the log wins for the id and the state. */
static int load_row(stmt *s, const sl_txninfo *ti, const sl_load_record *rec)
{
	sl_value v[SL_ARRAY_LEN(load_cols)];
	char etl[160], task[96], err[600], t0[32], t1[32], det[128];
	const char *state = ti ? job_state(ti->state)
		: !strcmp(rec->status, "Success") || !strcmp(rec->status, "Publish Timeout") ? "FINISHED" : "CANCELLED";
	int fin = !strcmp(state, "FINISHED");

	for (size_t i = 0; i < SL_ARRAY_LEN(v); i++)
		v[i] = SL_VALUE_NULL;
	if (ti) {
		v[0].kind = v[15].kind = SL_V_INT;
		v[0].tkind = v[15].tkind = SL_T_BIGINT;
		v[0].u.i = v[15].u.i = ti->id;
	}
	v[1] = vstr(ti ? ti->label : rec->label);
	v[2] = vstr(state);
	v[3] = vstr(fin ? "100.00% (1/1)" : "0.00% (0/1)");
	v[4] = vstr("STREAM_LOAD");
	if (rec) {
		snprintf(etl, sizeof etl, "unselected.rows=%lld; dpp.abnorm.ALL=%lld; dpp.norm.ALL=%lld",
			(long long)rec->unselected, (long long)rec->filtered, (long long)rec->loaded);
		v[5] = vstr(etl);
		snprintf(det, sizeof det, "{\"ScannedRows\":%lld,\"TaskNumber\":1,\"LoadBytes\":%lld}",
			(long long)rec->total, (long long)rec->load_bytes);
		v[14] = vstr(det);
		if (rec->url[0])
			v[13] = vstr(rec->url);
		v[17] = vstr(rec->user);
	} else if (fin) {
		snprintf(etl, sizeof etl, "dpp.norm.ALL=%llu", (unsigned long long)ti->nrows);
		v[5] = vstr(etl);
	}
	if (ti) {
		snprintf(task, sizeof task, "cluster:N/A; timeout(s):%lld", (long long)ti->timeout_s);
		v[6] = vstr(task);
	}
	if (!strcmp(state, "CANCELLED")) {
		snprintf(err, sizeof err, "type:LOAD_RUN_FAIL; msg:%s",
			ti && ti->reason[0] ? ti->reason : rec ? rec->message : "");
		v[7] = vstr(err);
	}
	fmt_ms(t0, sizeof t0, ti ? ti->begin_ms : rec->start_ms);
	fmt_ms(t1, sizeof t1, ti ? ti->finish_ms : rec->finish_ms);
	for (size_t i = 8; i <= 11; i++)
		v[i] = vstr(t0);
	if (strcmp(state, "LOADING"))
		v[12] = vstr(t1);
	v[16] = vstr("{}");
	v[18] = vstr(rec ? rec->comment : "");
	return sink_row(s->sink, SL_ARRAY_LEN(v), v) < 0 ? -1 : 1;
}

/* SHOW LOAD [FROM db] [WHERE LABEL = 'x' | LABEL LIKE 'p' | STATE = 's' [AND ...]] [LIMIT ...]
 * Doris's SHOW LOAD columns, one row per load of the record (refused
 * duplicates are no job); LABEL = 'x' asks the transaction log, which
 * knows every label in use even with enable_stream_load_record = false. */
static int show_load(stmt *s)
{
	lwhere w;
	sl_load_record *recs = 0;
	sl_txninfo ti = SL_TXNINFO_ZERO;
	size_t n = 0, shown = 0;
	int64_t limit, offset, seen = 0;
	int r, found = 0;

	if (!next(s) || !load_where(s, &w, 1) || !load_limit(s, &limit, &offset) || !expect_end(s))
		return 0;
	if (!w.db[0])
		return sqlerr(s->q, SL_SQL_ER_NO_DB, "3D000", "No database selected");
	if ((r = need_db_priv(s, w.db)) <= 0 || (r = need_db(s->q, w.db)) <= 0)
		return r;
	if (w.by_label) {
		found = sl_txn_lookup_label(s->q->st, w.db, w.label, &ti);
		if (found < 0) {
			sl_txninfo_free(&ti);
			return syserr(s->q, errno == EPROTO ? "the transaction log is corrupt" : "unable to read the transaction log");
		}
		if (found && ((r = may(s, w.db, ti.table, SL_PRIV_ALL, 1)) <= 0 ||
			      (w.status[0] && strcasecmp(job_state(ti.state), w.status)))) {
			if (r < 0) {
				sl_txninfo_free(&ti);
				return -1;
			}
			found = -2;     /* the label's load, but not one to show */
		}
	}
	if (sl_record_list(s->q->st, w.db, &recs, &n, 0) < 0) {
		sl_txninfo_free(&ti);
		return syserr(s->q, "unable to read the stream load record");
	}
	r = begin_typed(s->sink, SL_ARRAY_LEN(load_cols), load_cols, load_numeric) < 0 ? -1 : 1;
	if (r > 0 && found == 1) {
		/* the log's txn, with its newest record for the counts */
		const sl_load_record *rec = 0;
		for (size_t i = n; i-- > 0 && !rec;)
			if (!strcmp(recs[i].label, w.label) && strcmp(recs[i].status, "Label Already Exists"))
				rec = &recs[i];
		if (offset == 0 && limit != 0)
			r = load_row(s, &ti, rec);
	}
	for (size_t i = 0; r > 0 && !found && i < n && (limit < 0 || shown < (size_t)limit); i++) {
		const sl_load_record *rec = &recs[i];
		int ok = !strcmp(rec->status, "Success") || !strcmp(rec->status, "Publish Timeout");
		if (!strcmp(rec->status, "Label Already Exists") ||
		    (w.by_label && strcmp(rec->label, w.label)) || (w.by_pat && !like(rec->label, w.pat)) ||
		    (w.status[0] && strcasecmp(w.status, ok ? "FINISHED" : "CANCELLED")))
			continue;
		int vis = may(s, w.db, rec->table, SL_PRIV_ALL, 1);
		if (vis < 0) {
			r = -1;
			break;
		}
		if (!vis)
			continue;
		if (seen++ < offset)
			continue;
		r = load_row(s, 0, rec);
		shown++;
	}
	if (r > 0 && sink_end(s->sink) < 0)
		r = -1;
	free(recs);
	sl_txninfo_free(&ti);
	return r < 0 && !s->q->err[0] ? syserr(s->q, "unable to write the result") : r;
}

/* ---- HELP ---- */

static const char help_stream_load[] =
	"Stream Load sends a file or a stream to one table over HTTP and answers when the load is\n"
	"visible (or failed): PUT /api/{db}/{table}/_stream_load with Basic authorization of a\n"
	"user holding LOAD_PRIV (also granted as INSERT_PRIV) on the table; the body is the data.\n"
	"Headers: label, format (csv, json, ...), column_separator, line_delimiter, enclose, escape,\n"
	"skip_lines, columns, where, partitions, max_filter_ratio, strict_mode, timezone, timeout,\n"
	"exec_mem_limit, jsonpaths, json_root, strip_outer_array, read_json_by_line, fuzzy_parse,\n"
	"num_as_string, merge_type, delete, function_column.sequence_col, two_phase_commit,\n"
	"compress_type, comment.\n"
	"The answer is a JSON object: TxnId, Label, Comment, TwoPhaseCommit, Status (Success,\n"
	"Publish Timeout, Label Already Exists, Fail), ExistingJobStatus, Message, NumberTotalRows,\n"
	"NumberLoadedRows, NumberFilteredRows, NumberUnselectedRows, LoadBytes, LoadTimeMs,\n"
	"BeginTxnTimeMs, StreamLoadPutTimeMs, ReadDataTimeMs, WriteDataTimeMs,\n"
	"CommitAndPublishTimeMs, ErrorURL.\n"
	"A label is used once: SHOW LOAD WHERE LABEL = \"x\" tells whether it is; SHOW STREAM LOAD\n"
	"lists the recent loads. Without a server: sl-load -H name:value -T file db.table.";
static const char help_stream_load_example[] =
	"curl --location-trusted -u user:passwd -H \"label:123\" -H \"column_separator:,\" "
	"-T testData http://host:port/api/testDb/testTbl/_stream_load";

/* HELP topic (words or a string): Doris's name, description, example for
 * a topic it knows; an empty name, is_it_category list otherwise. */
static int help_stmt(stmt *s)
{
	static const char *const topic_cols[] = { "name", "description", "example" };
	static const char *const list_cols[] = { "name", "is_it_category" };
	char topic[128] = "";
	size_t len = 0;
	int r;

	if (!next(s))
		return 0;
	while (s->lx.tok.kind != SL_TOK_EOF && !op(s, ";")) {
		const char *p = s->lx.tok.kind == SL_TOK_STRING ? s->lx.tok.str : s->lx.tok.p;
		size_t n = s->lx.tok.kind == SL_TOK_STRING ? s->lx.tok.strn : s->lx.tok.n;
		if (len + n + 2 < sizeof topic) {
			len += (size_t)snprintf(topic + len, sizeof topic - len, "%s%.*s", len ? " " : "", (int)n, p ? p : "");
		} else
			len = sizeof topic;     /* too long for any topic */
		if (!next(s))
			return 0;
	}
	if (!len)
		return syntax(s);
	if (len < sizeof topic && !strcasecmp(topic, "STREAM LOAD")) {
		sl_value v[3] = { vstr("STREAM LOAD"), vstr(help_stream_load), vstr(help_stream_load_example) };
		r = begin_text(s->sink, 3, topic_cols) < 0 || sink_row(s->sink, 3, v) < 0 ? -1 : 1;
	} else
		r = begin_text(s->sink, 2, list_cols) < 0 ? -1 : 1;
	if (r > 0 && sink_end(s->sink) < 0)
		r = -1;
	return r < 0 ? syserr(s->q, "unable to write the result") : 1;
}

/* ---- dispatch ---- */

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
	if (n > SL_LEX_STMT_MAX)
		return stmt_too_long(q);
	sl_lex_init(&s.lx, src, n);
	if (!next(&s))
		goto out;
	if (kw(&s, "CREATE")) {
		if (!next(&s))
			goto out;
		if (kw(&s, "DATABASE") || kw(&s, "SCHEMA"))
			r = next(&s) ? create_db(&s) : 0;
		else if (kw(&s, "TABLE") || kw(&s, "EXTERNAL") || kw(&s, "TEMPORARY"))
			r = create_table(&s);
		else if (kw(&s, "USER"))
			r = next(&s) ? create_user(&s) : 0;
		else
			r = syntax(&s);
	} else if (kw(&s, "DROP")) {
		if (!next(&s))
			goto out;
		if (kw(&s, "DATABASE") || kw(&s, "SCHEMA"))
			r = next(&s) ? drop_db(&s) : 0;
		else if (kw(&s, "TABLE"))
			r = next(&s) ? drop_table(&s) : 0;
		else if (kw(&s, "USER"))
			r = next(&s) ? drop_user(&s) : 0;
		else
			r = syntax(&s);
	} else if (kw(&s, "SHOW")) {
		if (!next(&s))
			goto out;
		if (kw(&s, "DATABASES") || kw(&s, "SCHEMAS"))
			r = show_databases(&s);
		else if (kw(&s, "TABLES"))
			r = show_tables(&s);
		else if (kw(&s, "CREATE")) {
			r = next(&s) && expect_kw(&s, "TABLE") ? show_create(&s) : 0;
		} else if (kw(&s, "GRANTS"))
			r = show_grants(&s, 0);
		else if (kw(&s, "ALL"))
			r = next(&s) && kw(&s, "GRANTS") ? show_grants(&s, 1) : syntax(&s);
		else if (kw(&s, "STREAM"))
			r = show_stream_load(&s);
		else if (kw(&s, "LOAD"))
			r = show_load(&s);
		else
			r = syntax(&s);
	} else if (kw(&s, "DESC") || kw(&s, "DESCRIBE")) {
		r = next(&s) ? desc_table(&s) : 0;
	} else if (kw(&s, "USE")) {
		r = next(&s) ? use_db(&s) : 0;
	} else if (kw(&s, "SELECT")) {
		r = select_stmt(&s);
	} else if (kw(&s, "SET")) {
		r = next(&s) && expect_kw(&s, "PASSWORD") ? set_password(&s) : 0;
	} else if (kw(&s, "HELP")) {
		r = help_stmt(&s);
	} else if (kw(&s, "GRANT") || kw(&s, "REVOKE")) {
		int g = kw(&s, "GRANT");
		r = next(&s) ? grant_stmt(&s, g) : 0;
	} else
		r = syntax(&s);
out:
	free(s.grants);
	sl_lex_free(&s.lx);
	if (r == 0 && !q->code)
		sqlerr(q, SL_SQL_ER_PARSE, "42000", "syntax error");
	return r;
}
