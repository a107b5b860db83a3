/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlddl.c -- the statements over the catalogue of the store: CREATE and
 * DROP DATABASE / TABLE, USE, SHOW DATABASES, SHOW TABLES, SHOW CREATE
 * TABLE and DESC. Each asks sqlauth.c before it touches a database or a
 * table, and before it says whether one exists (a denial does not tell);
 * a listing shows only what the user holds some privilege on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "types.h"
#include "schema.h"
#include "store.h"
#include "auth.h"
#include "sql.h"
#include "sqlint.h"

int sl_sqlddl_create_db(stmt *s)
{
	char db[SL_SQL_NAME_MAX];
	int ifne = 0, r;

	if (!sl_sql_if_exists(s, 1, &ifne))
		return 0;
	if (!sl_sql_ident(s, db, sizeof db))
		return 0;
	if (sl_sql_kw(s, "PROPERTIES")) {
		/* Accepted and ignored: ( "k" = "v", ... ) */
		if (!sl_sql_advance(s) || !sl_sql_expect_op(s, "("))
			return 0;
		while (!sl_sql_op(s, ")")) {
			if (s->lx.tok.kind == SL_TOK_EOF)
				return sl_sql_syntax(s);
			if (!sl_sql_advance(s))
				return 0;
		}
		if (!sl_sql_advance(s))
			return 0;
	}
	if (!sl_sql_expect_end(s))
		return 0;
	if (sl_name_valid(db) != 1)
		return sl_sql_err(s->q, SL_SQL_ER_WRONG_DB_NAME, "42000", "Incorrect database name '%s'", db);
	if ((r = sl_sqlauth_may(s, db, "*", SL_PRIV_CREATE, 0)) <= 0)
		return r < 0 ? -1 : sl_sqlauth_deny_db(s, db);
	r = sl_db_create(s->q->st, db);
	if (r < 0)
		return sl_sql_syserr(s->q, "unable to create the database");
	if (!r && !ifne)
		return sl_sql_err(s->q, SL_SQL_ER_DB_CREATE_EXISTS, "HY000", "Can't create database '%s'; database exists", db);
	return 1;
}

int sl_sqlddl_drop_db(stmt *s)
{
	char db[SL_SQL_NAME_MAX];
	int ife = 0, r;

	if (!sl_sql_if_exists(s, 0, &ife))
		return 0;
	if (!sl_sql_ident(s, db, sizeof db))
		return 0;
	if (sl_sql_kw(s, "FORCE") && !sl_sql_advance(s))
		return 0;
	if (!sl_sql_expect_end(s))
		return 0;
	if ((r = sl_sqlauth_may(s, db, "*", SL_PRIV_DROP, 0)) <= 0)
		return r < 0 ? -1 : sl_sqlauth_deny_db(s, db);
	if (sl_name_valid(db) != 1)
		r = 0;
	else if ((r = sl_db_drop(s->q->st, db)) < 0)
		return sl_sql_syserr(s->q, "unable to drop the database");
	if (!r && !ife)
		return sl_sql_err(s->q, SL_SQL_ER_DB_DROP_EXISTS, "HY000", "Can't drop database '%s'; database doesn't exist", db);
	if (r && s->q->db && !strcmp(s->q->db, db)) {
		free(s->q->db);
		s->q->db = 0;
	}
	return 1;
}

int sl_sqlddl_create_table(stmt *s)
{
	sl_schema sch;
	sl_partinfo *parts = 0;
	size_t nparts = 0;
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
		return sl_sql_err(s->q, code, state, "%s", err);
	}
	if (!sch.db) {
		sl_schema_free(&sch);
		return sl_sql_no_db(s->q);
	}
	if ((r = sl_sqlauth_need_table(s, "CREATE", sch.db, sch.name, SL_PRIV_CREATE, 0)) <= 0 ||
	    (r = sl_sql_need_db(s->q, sch.db)) <= 0) {
		sl_schema_free(&sch);
		return r;
	}
	if (sl_name_valid(sch.name) != 1) {
		sl_sql_err(s->q, SL_SQL_ER_WRONG_TABLE_NAME, "42000", "Incorrect table name '%s'", sch.name);
		sl_schema_free(&sch);
		return 0;
	}
	/* the initial partitions, resolved and checked before anything is
	 * written; schema.sql keeps the scheme with an empty list */
	if ((r = sl_sqlpart_initial(s, &sch, &parts, &nparts)) <= 0) {
		sl_schema_free(&sch);
		return r;
	}
	ddl = sl_schema_render(&sch);
	if (!ddl) {
		sl_partinfo_free(parts, nparts);
		sl_schema_free(&sch);
		return sl_sql_syserr(s->q, "unable to render the table");
	}
	r = sl_table_create_parts(s->q->st, sch.db, sch.name, ddl, parts, nparts);
	free(ddl);
	sl_partinfo_free(parts, nparts);
	if (r < 0) {
		int e = errno;
		if (e == ENOENT || e == ENOTDIR)
			r = sl_sql_err_db(s->q, sch.db);
		else {
			errno = e;
			r = sl_sql_syserr(s->q, "unable to create the table");
		}
	} else if (r == 0) {
		if (sch.if_not_exists)
			r = 1;
		else
			r = sl_sql_err(s->q, SL_SQL_ER_TABLE_EXISTS, "42S01", "Table '%s' already exists", sch.name);
	}
	sl_schema_free(&sch);
	return r;
}

int sl_sqlddl_drop_table(stmt *s)
{
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];
	int ife = 0, r;

	if (!sl_sql_if_exists(s, 0, &ife))
		return 0;
	if (!sl_sql_table_ref(s, db, tbl))
		return 0;
	if (sl_sql_kw(s, "FORCE") && !sl_sql_advance(s))
		return 0;
	if (!sl_sql_expect_end(s))
		return 0;
	if ((r = sl_sqlauth_need_table(s, "DROP", db, tbl, SL_PRIV_DROP, 0)) <= 0 || (r = sl_sql_need_db(s->q, db)) <= 0)
		return r;
	if (sl_name_valid(tbl) != 1)
		r = 0;
	else if ((r = sl_table_drop(s->q->st, db, tbl)) < 0)
		return sl_sql_syserr(s->q, "unable to drop the table");
	if (!r && !ife)
		return sl_sql_err_table(s->q, tbl);
	return 1;
}

int sl_sqlddl_use(stmt *s)
{
	char db[SL_SQL_NAME_MAX];
	int r;
	char *d;

	if (!sl_sql_ident(s, db, sizeof db) || !sl_sql_expect_end(s))
		return 0;
	/* information_schema: every user may read it (its rows are filtered) */
	if (!sl_sqlinfo_is(db) && ((r = sl_sqlauth_need_db(s, db)) <= 0 || (r = sl_sql_need_db(s->q, db)) <= 0))
		return r;
	if (!(d = strdup(sl_sqlinfo_is(db) ? "information_schema" : db)))
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	free(s->q->db);
	s->q->db = d;
	return 1;
}

/* The names of v the user holds some privilege on (databases; tables of
 * db when db is set), one row each, then the end of the result. */
static int list_visible(stmt *s, const char *db, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sl_value val = sl_sql_vstr(v[i]);
		int r = db ? sl_sqlauth_may(s, db, v[i], SL_PRIV_ALL, 1) : sl_sqlauth_may(s, v[i], NULL, SL_PRIV_ALL, 1);
		if (r < 0)
			return -1;
		if (r && sl_sql_sink_row(s->sink, 1, &val) < 0)
			return sl_sql_syserr(s->q, SL_SQL_MSG_WRITE);
	}
	return sl_sql_sink_end(s->sink) < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : 1;
}

int sl_sqlddl_show_databases(stmt *s)
{
	static const char *const names[] = { "Database" };
	char **v = 0;
	size_t n = 0;
	int r = 1;

	if (!sl_sql_advance(s) || !sl_sql_expect_end(s))
		return 0;
	if (sl_db_list(s->q->st, &v, &n) < 0)
		return sl_sql_syserr(s->q, "unable to list databases");
	if (sl_sql_begin_text(s->sink, 1, names) < 0)
		r = sl_sql_syserr(s->q, SL_SQL_MSG_WRITE);
	if (r > 0)
		r = list_visible(s, 0, v, n);
	sl_strv_free(v, n);
	return r;
}

int sl_sqlddl_show_tables(stmt *s)
{
	char db[SL_SQL_NAME_MAX], col[SL_SQL_NAME_MAX + 16];
	const char *names[1] = { col };
	char **v = 0;
	size_t n = 0;
	int r;

	if (!sl_sql_advance(s))
		return 0;
	if (sl_sql_kw(s, "FROM") || sl_sql_kw(s, "IN")) {
		if (!sl_sql_advance(s) || !sl_sql_ident(s, db, sizeof db))
			return 0;
	} else if (s->q->db)
		snprintf(db, sizeof db, "%s", s->q->db);
	else {
		if (!sl_sql_expect_end(s))
			return 0;
		return sl_sql_no_db(s->q);
	}
	if (!sl_sql_expect_end(s))
		return 0;
	if ((r = sl_sqlauth_need_db(s, db)) <= 0 || (r = sl_sql_need_db(s->q, db)) <= 0)
		return r;
	r = sl_table_list(s->q->st, db, &v, &n);
	if (r < 0)
		return sl_sql_syserr(s->q, "unable to list tables");
	if (r == 0)
		return sl_sql_err_db(s->q, db);
	snprintf(col, sizeof col, "Tables_in_%s", db);
	r = sl_sql_begin_text(s->sink, 1, names) < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : 1;
	if (r > 0)
		r = list_visible(s, db, v, n);
	sl_strv_free(v, n);
	return r;
}


int sl_sqlddl_show_create(stmt *s)
{
	static const char *const names[] = { "Table", "Create Table" };
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];
	sl_schema sch;
	sl_value v[2];
	char *ddl;
	int r;

	if (!sl_sql_table_ref(s, db, tbl) || !sl_sql_expect_end(s))
		return 0;
	if ((r = sl_sqlauth_need_table(s, "SHOW CREATE TABLE", db, tbl, SL_PRIV_ALL, 1)) <= 0 ||
	    (r = sl_sql_load_schema(s->q, db, tbl, &sch)) <= 0)
		return r;
	if ((r = sl_sqlpart_render(s, db, tbl, &sch, &ddl)) <= 0) {
		sl_schema_free(&sch);
		return r;
	}
	v[0] = sl_sql_vstr(sch.name);
	v[1] = sl_sql_vstr(ddl);
	r = 1;
	if (sl_sql_begin_text(s->sink, 2, names) < 0 || sl_sql_sink_row(s->sink, 2, v) < 0 || sl_sql_sink_end(s->sink) < 0)
		r = -1;
	free(ddl);
	sl_schema_free(&sch);
	return r < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : r;
}

/* The columns of db.tbl in DESC's shape (the seed's: upper-case types;
 * Extra the fold of a value column: REPLACE on UNIQUE tables, the
 * aggregate on AGGREGATE ones); the hidden columns only when the session
 * has show_hidden_columns. */
const char *sl_sqlddl_agg_name(int agg)
{
	static const char *const aggs[] = { "", "SUM", "MAX", "MIN", "REPLACE", "REPLACE_IF_NOT_NULL", "BITMAP_UNION", "HLL_UNION" };

	return agg > 0 && (size_t)agg < SL_ARRAY_LEN(aggs) ? aggs[agg] : "";
}

static int desc_table(stmt *s, const char *cmd, const char *db, const char *tbl)
{
	static const char *const names[] = { "Field", "Type", "Null", "Key", "Default", "Extra" };
	char tb[SL_TYPE_FMT_MAX];
	sl_schema sch;
	int r;

	if ((r = sl_sqlauth_need_table(s, cmd, db, tbl, SL_PRIV_ALL, 1)) <= 0 ||
	    (r = sl_sql_load_schema(s->q, db, tbl, &sch)) <= 0)
		return r;
	r = 1;
	if (sl_sql_begin_text(s->sink, 6, names) < 0)
		r = -1;
	for (size_t i = 0; r > 0 && i < sch.ncols; i++) {
		const sl_column *c = &sch.cols[i];
		sl_value v[6];
		if (c->hidden && !s->q->show_hidden_columns)
			continue;
		sl_type_format_upper(&c->type, tb, sizeof tb);
		v[0] = sl_sql_vstr(c->name);
		v[1] = sl_sql_vstr(tb);
		v[2] = sl_sql_vstr(c->nullable ? "Yes" : "No");
		v[3] = sl_sql_vstr(c->is_key ? "true" : "false");
		v[4] = c->default_kind == SL_DEFAULT_VALUE ? sl_sql_vstr(c->default_value)
			: c->default_kind == SL_DEFAULT_CURRENT_TIMESTAMP ? sl_sql_vstr("CURRENT_TIMESTAMP")
			: SL_VALUE_NULL;
		v[5] = sl_sql_vstr(sl_sqlddl_agg_name(c->agg));
		if (sl_sql_sink_row(s->sink, 6, v) < 0)
			r = -1;
	}
	if (r > 0 && sl_sql_sink_end(s->sink) < 0)
		r = -1;
	sl_schema_free(&sch);
	return r < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : r;
}

int sl_sqlddl_desc(stmt *s)
{
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];

	if (!sl_sql_table_ref(s, db, tbl))
		return 0;
	if (sl_sql_kw(s, "ALL") && !sl_sql_advance(s))
		return 0;
	if (!sl_sql_expect_end(s))
		return 0;
	return desc_table(s, "DESCRIBE", db, tbl);
}

/* {FROM | IN} [db.]tbl [{FROM | IN} db] (at COLUMNS or FIELDS). */
int sl_sqlddl_columns_ref(stmt *s, char *db, char *tbl)
{
	int have_db = 0;

	if (!sl_sql_advance(s))
		return 0;
	if (!sl_sql_kw(s, "FROM") && !sl_sql_kw(s, "IN"))
		return sl_sql_syntax(s);
	if (!sl_sql_advance(s) || !sl_sql_ident(s, tbl, SL_SQL_NAME_MAX))
		return 0;
	if (sl_sql_op(s, ".")) {
		memcpy(db, tbl, SL_SQL_NAME_MAX);
		have_db = 1;
		if (!sl_sql_advance(s) || !sl_sql_ident(s, tbl, SL_SQL_NAME_MAX))
			return 0;
	}
	if (sl_sql_kw(s, "FROM") || sl_sql_kw(s, "IN")) {
		have_db = 1;
		if (!sl_sql_advance(s) || !sl_sql_ident(s, db, SL_SQL_NAME_MAX))
			return 0;
	}
	if (!have_db && !s->q->db) {
		s->failed = 1;
		return sl_sql_no_db(s->q);
	}
	if (!have_db)
		snprintf(db, SL_SQL_NAME_MAX, "%s", s->q->db);
	return 1;
}

/* SHOW COLUMNS {FROM | IN} [db.]tbl [{FROM | IN} db] (at COLUMNS or FIELDS). */
int sl_sqlddl_show_columns(stmt *s)
{
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];

	if (!sl_sqlddl_columns_ref(s, db, tbl))
		return 0;
	if (sl_sql_kw(s, "LIKE") || sl_sql_kw(s, "WHERE"))
		return sl_sqlinfo_columns(s, db, tbl);
	if (!sl_sql_expect_end(s))
		return 0;
	return desc_table(s, "SHOW COLUMNS", db, tbl);
}
