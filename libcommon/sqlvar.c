/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlvar.c -- SET of session variables, as Doris answers it:
 *   SET [GLOBAL | SESSION | LOCAL] name = value [, ...]
 *   SET @@[global. | session. | local.]name = value
 *   SET NAMES charset [COLLATE collation] | SET CHARACTER SET charset
 *   SET [GLOBAL | SESSION | LOCAL] TRANSACTION ISOLATION LEVEL level | READ
 *       ONLY | READ WRITE [, ...]  (accepted and ignored, as Doris does)
 * A value is a literal, or CONCAT of strings and @@names (what MariaDB
 * Connector/J sends: sql_mode = concat(@@sql_mode, ',STRICT_TRANS_TABLES')).
 * The variables the engine honours live in the session (sql.h) for its later
 * statements: show_hidden_columns (DESC, SELECT * and column names see the
 * model's hidden columns). The system variables clients set on their own
 * (sqlsys.c: autocommit, sql_mode, character_set_*...) are accepted and
 * remembered for @@ reads and SHOW VARIABLES. Any other name is Doris's
 * "Unknown system variable"; a user variable (@x) and SET GLOBAL of a
 * system variable are refused as not supported yet.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sl.h"
#include "lex.h"
#include "types.h"
#include "sql.h"
#include "sqlint.h"

enum scope { SCOPE_SESSION = 0, SCOPE_GLOBAL };

/* [GLOBAL | SESSION | LOCAL] before a name, or @@[GLOBAL. | SESSION. | LOCAL.] */
static int scope_words(stmt *s, int *scope)
{
	int at = 0;

	*scope = SCOPE_SESSION;
	while (sl_sql_op(s, "@")) {
		if (!sl_sql_advance(s))
			return 0;
		at++;
	}
	if (at == 1) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000",
			"user variables are not supported yet (at position %zu)", sl_sql_pos(s));
	}
	if (at > 2)
		return sl_sql_syntax(s);
	if (!sl_sql_kw(s, "GLOBAL") && !sl_sql_kw(s, "SESSION") && !sl_sql_kw(s, "LOCAL"))
		return 1;
	*scope = sl_sql_kw(s, "GLOBAL") ? SCOPE_GLOBAL : SCOPE_SESSION;
	if (!sl_sql_advance(s))
		return 0;
	return at ? sl_sql_expect_op(s, ".") : 1;
}

/* A boolean value: ON/OFF, TRUE/FALSE, 1/0 (bare or quoted), DEFAULT. */
static int bool_value(stmt *s, const char *name, int dflt, int *out)
{
	const sl_tok *t = &s->lx.tok;
	char v[64];

	if (t->kind == SL_TOK_STRING)
		snprintf(v, sizeof v, "%.*s", (int)(t->strn < 63 ? t->strn : 63), t->str ? t->str : "");
	else if (t->kind == SL_TOK_IDENT || t->kind == SL_TOK_INT)
		snprintf(v, sizeof v, "%.*s", (int)(t->n < 63 ? t->n : 63), t->p);
	else
		return sl_sql_syntax(s);
	if (t->kind == SL_TOK_IDENT && !strcasecmp(v, "DEFAULT"))
		*out = dflt;
	else if (!strcasecmp(v, "ON") || !strcasecmp(v, "TRUE") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "OFF") || !strcasecmp(v, "FALSE") || !strcmp(v, "0"))
		*out = 0;
	else {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_WRONG_VALUE_FOR_VAR, "42000",
			"Variable '%s' can't be set to the value of '%s'", name, v);
	}
	return sl_sql_advance(s);
}

/* One part of CONCAT: a string, or @@[SESSION. | LOCAL. | GLOBAL.]name
 * (the session's value; NULL makes the whole NULL), appended to buf. */
static int concat_part(stmt *s, char *buf, size_t cap, int *null)
{
	char name[SL_SQL_NAME_MAX], part[1024];
	sl_sqlsys_var v;
	size_t at = strlen(buf);
	long i;
	int scope;

	if (s->lx.tok.kind == SL_TOK_STRING) {
		if (!sl_sql_str_arg(s, part, sizeof part, "the value"))
			return 0;
		v.value = part;
		v.null = 0;
	} else {
		if (!sl_sql_op(s, "@") || !scope_words(s, &scope) || !sl_sql_ident(s, name, sizeof name))
			return sl_sql_syntax(s);
		if ((i = sl_sqlsys_find(name, strlen(name))) < 0) {
			s->failed = 1;
			return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN_SYSTEM_VARIABLE, "HY000",
				"Unknown system variable '%s'", name);
		}
		sl_sqlsys_get(s->q, (size_t)i, &v);
	}
	*null |= v.null;
	if (!v.null && strlen(v.value) >= cap - at) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "the value of CONCAT at position %zu is too long",
			sl_sql_pos(s));
	}
	if (!v.null)
		memcpy(buf + at, v.value, strlen(v.value) + 1);
	return 1;
}

/* CONCAT(part [, part ...]) (at CONCAT) into buf; *null when a part is. */
static int concat_value(stmt *s, char *buf, size_t cap, int *null)
{
	buf[0] = 0;
	*null = 0;
	if (!sl_sql_advance(s) || !sl_sql_expect_op(s, "("))
		return 0;
	for (;;) {
		if (!concat_part(s, buf, cap, null))
			return 0;
		if (!sl_sql_op(s, ","))
			break;
		if (!sl_sql_advance(s))
			return 0;
	}
	return sl_sql_expect_op(s, ")");
}

/* The value of a system variable: a string, a word, a number, NULL,
 * DEFAULT or CONCAT(...) (*val NULL for SQL NULL). */
static int sys_value(stmt *s, long i, char *buf, size_t cap, const char **val)
{
	const sl_tok *t = &s->lx.tok;
	int neg = 0, null;

	*val = buf;
	if (t->kind == SL_TOK_STRING)
		return sl_sql_str_arg(s, buf, cap, "the value");
	if (sl_sql_kw(s, "CONCAT")) {
		if (!concat_value(s, buf, cap, &null))
			return 0;
		if (null)
			*val = 0;
		return 1;
	}
	if (sl_sql_op(s, "-")) {
		neg = 1;
		if (!sl_sql_advance(s))
			return 0;
	}
	if ((t->kind != SL_TOK_IDENT && t->kind != SL_TOK_INT) || t->n + 2 > cap || (neg && t->kind != SL_TOK_INT))
		return sl_sql_syntax(s);
	snprintf(buf, cap, "%s%.*s", neg ? "-" : "", (int)t->n, t->p);
	if (sl_sql_kw(s, "NULL"))
		*val = 0;
	else if (sl_sql_kw(s, "DEFAULT")) {
		sl_sqlsys_var v;
		sl_sqlsys_get(s->q, (size_t)i, &v);
		snprintf(buf, cap, "%s", v.dflt);
	}
	return sl_sql_advance(s);
}

static int sys_assign(stmt *s, const char *name, int scope)
{
	long i = sl_sqlsys_find(name, strlen(name));
	char buf[1024];
	const char *val;

	if (i < 0) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN_SYSTEM_VARIABLE, "HY000", "Unknown system variable '%s'", name);
	}
	if (scope == SCOPE_GLOBAL) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "SET GLOBAL %s is not supported yet", name);
	}
	if (!sys_value(s, i, buf, sizeof buf, &val))
		return 0;
	return sl_sqlsys_store(s, (size_t)i, val);
}

/* NAMES charset [COLLATE collation] | CHARACTER SET charset (at NAMES or
 * CHARACTER/CHARSET): the client's character set variables. */
static int names_assign(stmt *s)
{
	static const char *const set[] = { "character_set_client", "character_set_connection", "character_set_results" };
	char cs[128], coll[128] = "";
	int names = sl_sql_kw(s, "NAMES"), r = 1;

	if (!sl_sql_advance(s) || (sl_sql_kw(s, "SET") && !names && !sl_sql_advance(s)))
		return 0;
	if (s->lx.tok.kind == SL_TOK_STRING ? !sl_sql_str_arg(s, cs, sizeof cs, "the character set")
	    : !sl_sql_ident(s, cs, sizeof cs))
		return 0;
	if (names && sl_sql_kw(s, "COLLATE")) {
		if (!sl_sql_advance(s) || (s->lx.tok.kind == SL_TOK_STRING
		    ? !sl_sql_str_arg(s, coll, sizeof coll, "the collation") : !sl_sql_ident(s, coll, sizeof coll)))
			return 0;
	}
	if (!strcasecmp(cs, "DEFAULT"))
		snprintf(cs, sizeof cs, "utf8mb4");
	for (size_t k = 0; r > 0 && k < SL_ARRAY_LEN(set); k++)
		r = sl_sqlsys_store(s, (size_t)sl_sqlsys_find(set[k], strlen(set[k])), cs);
	if (r > 0 && coll[0])
		r = sl_sqlsys_store(s, (size_t)sl_sqlsys_find("collation_connection", 20), coll);
	return r;
}

/* The word after READ: one of two (1), else a syntax error. */
static int one_of(stmt *s, const char *a, const char *b)
{
	if (!sl_sql_kw(s, a) && !sl_sql_kw(s, b))
		return sl_sql_syntax(s);
	return sl_sql_advance(s);
}

/* TRANSACTION characteristic [, ...] (at TRANSACTION): ISOLATION LEVEL
 * {READ UNCOMMITTED | READ COMMITTED | REPEATABLE READ | SERIALIZABLE},
 * READ ONLY, READ WRITE. Doris accepts and ignores them (a load is its own
 * transaction; there is nothing to isolate), and so does this. */
static int transaction(stmt *s)
{
	int iso;

	do {
		if (!sl_sql_advance(s))
			return 0;
		iso = sl_sql_kw(s, "ISOLATION");
		if (iso && (!sl_sql_advance(s) || !sl_sql_kw(s, "LEVEL") || !sl_sql_advance(s)))
			return sl_sql_syntax(s);
		if (iso && sl_sql_kw(s, "SERIALIZABLE")) {
			if (!sl_sql_advance(s))
				return 0;
		} else if (iso && sl_sql_kw(s, "REPEATABLE")) {
			if (!sl_sql_advance(s) || !one_of(s, "READ", "READ"))
				return 0;
		} else if (!sl_sql_kw(s, "READ") || !sl_sql_advance(s) ||
		    !(iso ? one_of(s, "COMMITTED", "UNCOMMITTED") : one_of(s, "ONLY", "WRITE")))
			return sl_sql_syntax(s);
	} while (sl_sql_op(s, ","));
	return 1;
}

/* One name = value. */
static int assignment(stmt *s)
{
	char name[SL_SQL_NAME_MAX];
	int scope, v = 0;

	if (sl_sql_kw(s, "NAMES") || sl_sql_kw(s, "CHARACTER") || sl_sql_kw(s, "CHARSET"))
		return names_assign(s);
	if (!scope_words(s, &scope))
		return 0;
	if (sl_sql_kw(s, "TRANSACTION"))
		return transaction(s);
	if (!sl_sql_ident(s, name, sizeof name))
		return 0;
	if (!sl_sql_op(s, "=") && !sl_sql_op(s, ":="))
		return sl_sql_syntax(s);
	if (!sl_sql_advance(s))
		return 0;
	if (strcasecmp(name, "show_hidden_columns"))
		return sys_assign(s, name, scope);
	if (0) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN_SYSTEM_VARIABLE, "HY000", "Unknown system variable '%s'", name);
	}
	if (scope == SCOPE_GLOBAL) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_LOCAL_VARIABLE, "HY000",
			"Variable '%s' is a SESSION variable and can't be used with SET GLOBAL", "show_hidden_columns");
	}
	if (!bool_value(s, "show_hidden_columns", 0, &v))
		return 0;
	s->q->show_hidden_columns = v;
	return 1;
}

int sl_sqlvar_set(stmt *s)
{
	for (;;) {
		if (!assignment(s))
			return 0;
		if (!sl_sql_op(s, ","))
			break;
		if (!sl_sql_advance(s))
			return 0;
	}
	if (!sl_sql_expect_end(s))
		return 0;
	return 1;
}
