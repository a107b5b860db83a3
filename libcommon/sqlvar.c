/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlvar.c -- SET of session variables, as Doris answers it:
 *   SET [GLOBAL | SESSION | LOCAL] name = value [, ...]
 *   SET @@[global. | session. | local.]name = value
 * The variables the engine honours live in the session (sql.h) for its later
 * statements: show_hidden_columns (DESC, SELECT * and column names see the
 * model's hidden columns). Any other name is Doris's "Unknown system
 * variable"; a user variable (@x) is refused as not supported yet.
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

/* One name = value. */
static int assignment(stmt *s)
{
	char name[SL_SQL_NAME_MAX];
	int scope, v = 0;

	if (!scope_words(s, &scope) || !sl_sql_ident(s, name, sizeof name))
		return 0;
	if (!sl_sql_op(s, "=") && !sl_sql_op(s, ":="))
		return sl_sql_syntax(s);
	if (!sl_sql_advance(s))
		return 0;
	if (strcasecmp(name, "show_hidden_columns")) {
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
