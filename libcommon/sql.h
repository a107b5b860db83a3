/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql.h -- the SQL engine, for its fronts (sl-sql, sl-httpd's query
 * route): the statements over the table store: DDL (databases, tables),
 * SHOW/DESC, USE, single-table SELECT with WHERE, GROUP BY, HAVING, ORDER
 * BY, LIMIT and the aggregates of expr.h, users and grants, SHOW [STREAM]
 * LOAD and HELP. The modules behind it: sql.c.
 *
 * Results are delivered to a sink (begin, row..., end); the caller formats
 * them. Errors are MySQL-style: a MySQL error number, an SQLSTATE and a
 * Doris-worded message ("Unknown database 'x'", "syntax error at position
 * 17 near 'FORM'"). Positions are 1-based byte offsets into the statement.
 *
 * Memory: a SELECT without GROUP BY, aggregates or ORDER BY streams rows
 * (flat memory; LIMIT stops the scan early). GROUP BY keeps one state per
 * group (a copy of the group's first row and its aggregate accumulators).
 * ORDER BY sorts the result in memory; with LIMIT it keeps only the best
 * OFFSET+LIMIT rows (a heap), so memory is bounded by the LIMIT.
 */
#ifndef SL_SQL_H
#define SL_SQL_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"
#include "store.h"

/* MySQL error numbers used (the only place they are written). */
#define SL_SQL_ER_DB_CREATE_EXISTS 1007
#define SL_SQL_ER_DB_DROP_EXISTS   1008
#define SL_SQL_ER_NO_DB            1046
#define SL_SQL_ER_BAD_DB           1049
#define SL_SQL_ER_TABLE_EXISTS     1050
#define SL_SQL_ER_BAD_TABLE        1051
#define SL_SQL_ER_BAD_FIELD        1054
#define SL_SQL_ER_PARSE            1064
#define SL_SQL_ER_WRONG_DB_NAME    1102
#define SL_SQL_ER_WRONG_TABLE_NAME 1103
#define SL_SQL_ER_UNKNOWN          1105
#define SL_SQL_ER_WRONG_GROUP_FIELD 1056
#define SL_SQL_ER_NO_TABLES_USED   1096
#define SL_SQL_ER_INVALID_GROUP_FUNC_USE 1111
#define SL_SQL_ER_TOO_MANY_FIELDS  1117
#define SL_SQL_ER_NONEXISTING_GRANT 1141
#define SL_SQL_ER_CANNOT_USER      1396
#define SL_SQL_ER_UNKNOWN_SYSTEM_VARIABLE 1193
#define SL_SQL_ER_LOCAL_VARIABLE   1228
#define SL_SQL_ER_WRONG_VALUE_FOR_VAR 1231
/* A front's login refused (sl-sql -u). */
#define SL_SQL_ER_ACCESS_DENIED    1045
/* Privilege denials (Doris's ErrorCode): a front may map these to its own
 * "forbidden" answer. */
#define SL_SQL_ER_DBACCESS_DENIED  1044
#define SL_SQL_ER_TABLEACCESS_DENIED 1142
#define SL_SQL_ER_SPECIFIC_ACCESS_DENIED 1227
#define SL_SQL_DENIED(code) ((code) == SL_SQL_ER_DBACCESS_DENIED || \
	(code) == SL_SQL_ER_TABLEACCESS_DENIED || (code) == SL_SQL_ER_SPECIFIC_ACCESS_DENIED)

/* Result sink. Every callback returns 1 to go on, -1 (errno set) to stop
 * the statement (sl_sql_exec then returns -1). Names, types and values are
 * only valid during the call. NULL is a value of kind SL_V_NULL. */
typedef struct sl_sql_sink {
	void *ctx;
	int (*begin)(void *ctx, size_t n, const char *const *names, const sl_type *types);
	int (*row)(void *ctx, size_t n, const sl_value *vals);
	int (*end)(void *ctx);
} sl_sql_sink;

/* A session: the store, the user, the current database (USE) and the last
 * error.
 *
 * Privileges are checked here, per statement and per table it touches, for
 * the session's user (auth.h, Doris's grant semantics and messages): a
 * front authenticates the user, sets it with sl_sql_set_user and leaves
 * every privilege decision to the engine. A session without a user acts
 * as root (sl-sql without -u: whoever may write the data directory). */
typedef struct sl_sql {
	sl_store *st;
	char user[65];          /* "" : root */
	char *db;               /* current database or NULL */
	int code;               /* MySQL error number of the last failure */
	char state[6];          /* its SQLSTATE, e.g. "42000" */
	char err[1024];         /* its message */
	/* session variables (SET): DESC, SELECT * and column names see the
	 * model's hidden columns */
	int show_hidden_columns;
	/* what the last statement without a result set did, for fronts
	 * that answer with counts (the MySQL protocol's OK packet): rows
	 * affected, and Doris's info text for loads, e.g. {'label':'l',
	 * 'status':'VISIBLE', 'txnId':'7'} ("" when none); warnings */
	uint64_t affected;
	char info[256];
	unsigned warnings;
	/* the front's connection id, for CONNECTION_ID() (0: the process id) */
	unsigned long conn_id;
	struct sl_sqlsys *sys;  /* SET values of system variables (private) */
	/* the front offers TLS: @@have_ssl is YES, else DISABLED */
	int have_ssl;
} sl_sql;

/* st stays owned by the caller. sl_sql_free releases the session only. */
void sl_sql_init(sl_sql *q, sl_store *st);
void sl_sql_free(sl_sql *q);
/* The user statements run as (already authenticated by the caller). 1;
 * -1 EINVAL: not a valid user name. */
int sl_sql_set_user(sl_sql *q, const char *user);

/* Find the next statement of a script: src[*off..n) is scanned with the
 * SQL lexer up to a ';' outside quotes (or the end). Empty statements are
 * skipped. 1: *start and *len delimit the statement (without ';'), *off moves
 * past it; 0: nothing left; -1: lexical error (unterminated string...),
 * q->code/err set, *start is where the statement began. */
int sl_sql_next(sl_sql *q, const char *src, size_t n, size_t *off, size_t *start, size_t *len);

/* Execute one statement (without its ';'). 1 ok; 0 SQL error
 * (q->code, q->state, q->err); -1 system failure (errno; q->err says
 * what failed). */
int sl_sql_exec(sl_sql *q, const char *stmt, size_t n, const sl_sql_sink *sink);

#endif
