/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlauth.c -- the SQL engine's side of users and grants: the privilege
 * checks every statement makes for the session's user, and the statements
 * CREATE USER, DROP USER, SET PASSWORD, GRANT, REVOKE and SHOW GRANTS,
 * parsed here and done by auth.c (which owns the users file and the
 * meaning of a grant).
 *
 * Every statement asks here before it touches a database or a table, and
 * before it says whether one exists (a denial does not tell). Doris's
 * predicates: SELECT_PRIV to read a table; "some privilege" (Doris's SHOW
 * predicate) to see a database, a table's definition or its loads;
 * CREATE/DROP for DDL; GRANT (root) for users and grants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "types.h"
#include "store.h"
#include "auth.h"
#include "sql.h"
#include "sqlint.h"

/* ---- privileges ---- */

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
			return sl_sql_syserr(s->q, "unable to read the users file");
		s->grants_read = 1;     /* 0 (the user was dropped): no grants */
	}
	return sl_auth_privs_of(s->grants, s->ngrants, db, tbl);
}

/* Does the user hold all of need (any of them when any) on db.tbl? 1 yes,
 * 0 no, -1 errno (q set). */
int sl_sqlauth_may(stmt *s, const char *db, const char *tbl, int need, int any)
{
	int h = held(s, db, tbl);

	if (h < 0)
		return -1;
	return any ? (h & need) != 0 : (h & need) == need;
}

int sl_sqlauth_deny_db(stmt *s, const char *db)
{
	s->failed = 1;
	return sl_sql_err(s->q, SL_SQL_ER_DBACCESS_DENIED, "42000", "Access denied for user '%s' to database '%s'",
		s->q->user, db);
}

static int deny_table(stmt *s, const char *cmd, const char *db, const char *tbl)
{
	s->failed = 1;
	return sl_sql_err(s->q, SL_SQL_ER_TABLEACCESS_DENIED, "42000",
		"%s command denied to user '%s'@'%%' for table '%s.%s'", cmd, s->q->user, db, tbl);
}

static int deny_priv(stmt *s, const char *priv)
{
	s->failed = 1;
	return sl_sql_err(s->q, SL_SQL_ER_SPECIFIC_ACCESS_DENIED, "42000",
		"Access denied; you need (at least one of) the (%s) privilege(s) for this operation", priv);
}

/* Some privilege in db (USE, SHOW TABLES, SHOW [STREAM] LOAD): 1, 0
 * denied (q set), -1. */
int sl_sqlauth_need_db(stmt *s, const char *db)
{
	int r = sl_sqlauth_may(s, db, NULL, SL_PRIV_ALL, 1);

	return r > 0 ? 1 : r < 0 ? -1 : sl_sqlauth_deny_db(s, db);
}

/* need (any of it when any) on db.tbl, else cmd's denial. */
int sl_sqlauth_need_table(stmt *s, const char *cmd, const char *db, const char *tbl, int need, int any)
{
	int r = sl_sqlauth_may(s, db, tbl, need, any);

	return r > 0 ? 1 : r < 0 ? -1 : deny_table(s, cmd, db, tbl);
}

/* Users and grants: GRANT_PRIV, which only root holds. */
static int need_grant_priv(stmt *s)
{
	return is_root(s->q) ? 1 : deny_priv(s, "GRANT");
}

/* ---- users and grants ---- */

/* user_identity: 'name' | name | `name`, then optionally @'host' | @host.
 * Only '%' is a host here: a narrower one would silently not be enforced
 * (sl-httpd checks a user's password, not where it comes from). */
static int user_ident(stmt *s, char *user, size_t cap)
{
	char host[SL_SQL_NAME_MAX];

	if (s->lx.tok.kind == SL_TOK_STRING) {
		if (!sl_sql_str_arg(s, user, cap, "the user name"))
			return 0;
	} else if (!sl_sql_ident(s, user, cap))
		return 0;
	if (sl_sql_op(s, "@")) {
		if (!sl_sql_advance(s))
			return 0;
		if (s->lx.tok.kind == SL_TOK_STRING ? !sl_sql_str_arg(s, host, sizeof host, "the host")
				: !sl_sql_ident(s, host, sizeof host))
			return 0;
		if (strcmp(host, "%")) {
			s->failed = 1;
			return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000",
				"host '%s' is not supported: users are 'name'@'%%' (any host)", host);
		}
	}
	if (!sl_auth_user_valid(user)) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000",
			"Incorrect user name '%s': a letter, then letters, digits, '.', '-' or '_', at most 64", user);
	}
	return 1;
}

#define PASSWORD_CAP 512

/* The outcome of an auth.h call: 1, 0 with Doris's message, -1. */
static int auth_result(stmt *s, int r, const char *msg, const char *what)
{
	if (r > 0)
		return 1;
	if (r < 0)
		return sl_sql_syserr(s->q, what);
	if (!strncmp(msg, SL_AUTH_MSG_OP_FAILED, strlen(SL_AUTH_MSG_OP_FAILED)))
		return sl_sql_err(s->q, SL_SQL_ER_CANNOT_USER, "HY000", "%s", msg);
	if (!strncmp(msg, SL_AUTH_MSG_NO_GRANT, strlen(SL_AUTH_MSG_NO_GRANT)))
		return sl_sql_err(s->q, SL_SQL_ER_NONEXISTING_GRANT, "42000", "%s", msg);
	return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", msg);
}

/* CREATE USER [IF NOT EXISTS] user [IDENTIFIED BY 'p'] */
int sl_sqlauth_create_user(stmt *s)
{
	char user[SL_SQL_NAME_MAX], pw[PASSWORD_CAP], msg[256];
	int ifne = 0, r;

	pw[0] = 0;
	if (!sl_sql_if_exists(s, 1, &ifne))
		return 0;
	if (!user_ident(s, user, sizeof user))
		return 0;
	if (sl_sql_kw(s, "IDENTIFIED")) {
		if (!sl_sql_advance(s) || !sl_sql_expect_kw(s, "BY") || !sl_sql_str_arg(s, pw, sizeof pw, "the password"))
			return 0;
	}
	if (!sl_sql_expect_end(s) || need_grant_priv(s) <= 0) {
		explicit_bzero(pw, sizeof pw);
		return 0;
	}
	r = sl_auth_create_user(s->q->st, user, pw, ifne, msg, sizeof msg);
	explicit_bzero(pw, sizeof pw);
	return auth_result(s, r, msg, "unable to update the users file");
}

/* DROP USER [IF EXISTS] user */
int sl_sqlauth_drop_user(stmt *s)
{
	char user[SL_SQL_NAME_MAX], msg[256];
	int ife = 0;

	if (!sl_sql_if_exists(s, 0, &ife))
		return 0;
	if (!user_ident(s, user, sizeof user) || !sl_sql_expect_end(s) || need_grant_priv(s) <= 0)
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
int sl_sqlauth_set_password(stmt *s)
{
	char user[SL_SQL_NAME_MAX], pw[PASSWORD_CAP], msg[256];
	int r;

	snprintf(user, sizeof user, "%s", self(s->q));
	if (sl_sql_kw(s, "FOR") && (!sl_sql_advance(s) || !user_ident(s, user, sizeof user)))
		return 0;
	if (!sl_sql_expect_op(s, "="))
		return 0;
	if (sl_sql_kw(s, "PASSWORD")) {
		if (!sl_sql_advance(s) || !sl_sql_expect_op(s, "(") || !sl_sql_str_arg(s, pw, sizeof pw, "the password") ||
		    !sl_sql_expect_op(s, ")"))
			return 0;
	} else if (!sl_sql_str_arg(s, pw, sizeof pw, "the password"))
		return 0;
	if (!sl_sql_expect_end(s) || (strcmp(user, self(s->q)) && need_grant_priv(s) <= 0)) {
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
		if (sl_sql_kw(s, "ALL")) {
			*privs |= SL_PRIV_ALL;
			if (!sl_sql_advance(s) || (sl_sql_kw(s, "PRIVILEGES") && !sl_sql_advance(s)))
				return 0;
		} else if (sl_sql_kw(s, "LOAD_PRIV") || sl_sql_kw(s, "LOAD") || sl_sql_kw(s, "INSERT_PRIV") || sl_sql_kw(s, "INSERT")) {
			/* INSERT_PRIV: the Stream Load docs' "INSERT privileges", LOAD_PRIV in Doris's grammar */
			*privs |= SL_PRIV_LOAD;
			if (!sl_sql_advance(s))
				return 0;
		} else if (sl_sql_kw(s, "SELECT_PRIV") || sl_sql_kw(s, "SELECT")) {
			*privs |= SL_PRIV_SELECT;
			if (!sl_sql_advance(s))
				return 0;
		} else if (s->lx.tok.kind == SL_TOK_IDENT && !sl_sql_kw(s, "ON")) {
			s->failed = 1;
			return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000",
				"privilege '%.*s' is not supported (LOAD_PRIV, SELECT_PRIV, ALL)",
				(int)(s->lx.tok.n > 64 ? 64 : s->lx.tok.n), s->lx.tok.p);
		} else
			return sl_sql_syntax(s);
		if (!sl_sql_op(s, ","))
			return 1;
		if (!sl_sql_advance(s))
			return 0;
	}
}

/* One part of db.tbl: an identifier or '*'. */
static int obj_part(stmt *s, char *buf)
{
	if (sl_sql_op(s, "*")) {
		snprintf(buf, SL_SQL_NAME_MAX, "*");
		return sl_sql_advance(s);
	}
	return sl_sql_ident(s, buf, SL_SQL_NAME_MAX);
}

/* *.* | db.* | db.tbl | internal.db.tbl | tbl | * (the last two in the
 * current database). */
static int grant_obj(stmt *s, char *db, char *tbl)
{
	char a[SL_SQL_NAME_MAX], b[SL_SQL_NAME_MAX], c[SL_SQL_NAME_MAX];
	size_t pos = sl_sql_pos(s);
	int parts = 1;

	if (!obj_part(s, a))
		return 0;
	if (sl_sql_op(s, ".")) {
		if (!sl_sql_advance(s) || !obj_part(s, b))
			return 0;
		parts = 2;
		if (sl_sql_op(s, ".")) {
			if (!sl_sql_advance(s) || !obj_part(s, c))
				return 0;
			parts = 3;
		}
	}
	if (parts == 3) {
		if (strcmp(a, "internal")) {
			s->failed = 1;
			return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "Unknown catalog '%s'", a);
		}
		memcpy(a, b, sizeof a);
		memcpy(b, c, sizeof b);
	} else if (parts == 1) {
		if (!s->q->db) {
			s->failed = 1;
			return sl_sql_no_db(s->q);
		}
		memcpy(b, a, sizeof b);
		snprintf(a, sizeof a, "%s", s->q->db);
	}
	if (!strcmp(a, "*") && strcmp(b, "*")) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_PARSE, "42000", "syntax error at position %zu near '*'", pos);
	}
	if (strcmp(a, "*") && sl_name_valid(a) != 1) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_WRONG_DB_NAME, "42000", "Incorrect database name '%s'", a);
	}
	if (strcmp(b, "*") && sl_name_valid(b) != 1) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_WRONG_TABLE_NAME, "42000", "Incorrect table name '%s'", b);
	}
	snprintf(db, SL_SQL_NAME_MAX, "%s", a);
	snprintf(tbl, SL_SQL_NAME_MAX, "%s", b);
	return 1;
}

/* GRANT privs ON obj TO user; REVOKE privs ON obj FROM user */
int sl_sqlauth_grant(stmt *s, int grant)
{
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX], user[SL_SQL_NAME_MAX], msg[256];
	int privs, r;

	if (!priv_list(s, &privs) || !sl_sql_expect_kw(s, "ON") || !grant_obj(s, db, tbl) ||
	    !sl_sql_expect_kw(s, grant ? "TO" : "FROM") || !user_ident(s, user, sizeof user) || !sl_sql_expect_end(s) ||
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


/* SHOW [ALL] GRANTS [FOR user]: one row per user, as Doris. A user sees
 * their own grants; anyone else's need GRANT. */
int sl_sqlauth_show_grants(stmt *s, int all)
{
	static const char *const names[] = { "UserIdentity", "Comment", "Password", "Roles", "GlobalPrivs",
		"CatalogPrivs", "DatabasePrivs", "TablePrivs", "ResourcePrivs", "WorkloadGroupPrivs" };
	char user[SL_SQL_NAME_MAX];
	sl_auth_entry *e = 0;
	size_t n = 0;
	sl_buf ident = SL_BUF_ZERO, glob = SL_BUF_ZERO, dbs = SL_BUF_ZERO, tbls = SL_BUF_ZERO;
	int r;

	if (!sl_sql_advance(s))
		return 0;
	snprintf(user, sizeof user, "%s", self(s->q));
	if (!all && sl_sql_kw(s, "FOR") && (!sl_sql_advance(s) || !user_ident(s, user, sizeof user)))
		return 0;
	if (!sl_sql_expect_end(s) || ((all || strcmp(user, self(s->q))) && need_grant_priv(s) <= 0))
		return 0;
	r = sl_auth_list(s->q->st, all ? 0 : user, &e, &n);
	if (r < 0)
		return sl_sql_syserr(s->q, "unable to read the users file");
	if (r == 0)
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "user '%s'@'%%' does not exist", user);
	r = sl_sql_begin_typed(s->sink, SL_ARRAY_LEN(names), names, 0) < 0 ? -1 : 1;
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
		v[0] = sl_sql_vstr(ident.p);
		v[1] = sl_sql_vstr(root ? "ROOT" : "");
		v[2] = sl_sql_vstr(e[i].has_password ? "Yes" : "No");
		v[3] = sl_sql_vstr(root ? "operator" : "");
		if (glob.len)
			v[4] = sl_sql_vstr(glob.p);
		if (dbs.len)
			v[6] = sl_sql_vstr(dbs.p);
		if (tbls.len)
			v[7] = sl_sql_vstr(tbls.p);
		if (sl_sql_sink_row(s->sink, SL_ARRAY_LEN(v), v) < 0)
			r = -1;
	}
	if (r > 0 && sl_sql_sink_end(s->sink) < 0)
		r = -1;
	free(e);
	sl_buf_free(&ident);
	sl_buf_free(&glob);
	sl_buf_free(&dbs);
	sl_buf_free(&tbls);
	return r < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : r;
}

