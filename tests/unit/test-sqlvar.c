/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-sqlvar.c -- unit tests for SET of session variables (sqlvar.c) and
 * what show_hidden_columns changes: the columns a SELECT * and DESC give
 * for a UNIQUE table (the result's column names, seen by the sink even
 * when the table has no rows), explicit hidden names, and that the
 * variable lives in one session only.
 * Prints "N passed, M failed"; exits 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "store.h"
#include "sql.h"

static int npass, nfail;
static char dir[] = "/tmp/test-sqlvar-XXXXXX";

#define CHECK(cond, ...) do { \
	if (cond) npass++; \
	else { nfail++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

/* The result's column names joined by ',', then one "|first value" per row. */
static char got[2048];

static int k_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	(void)ctx;
	(void)types;
	got[0] = 0;
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "", names[i]);
	return 1;
}

static int k_row(void *ctx, size_t n, const sl_value *v)
{
	(void)ctx;
	snprintf(got + strlen(got), sizeof got - strlen(got), "|%.*s", n && v[0].kind == SL_V_STRING ? (int)v[0].u.s.n : 4,
		n && v[0].kind == SL_V_STRING ? v[0].u.s.p : "?");
	return 1;
}

static int k_end(void *ctx) { (void)ctx; return 1; }

static const sl_sql_sink sink = { NULL, k_begin, k_row, k_end };

/* Run one statement: its answer, and got / q->err for the caller. */
static int run(sl_sql *q, const char *stmt)
{
	got[0] = 0;
	return sl_sql_exec(q, stmt, strlen(stmt), &sink);
}

#define OK(q, stmt, want) do { int r_ = run(q, stmt); \
	CHECK(r_ == 1 && !strcmp(got, want), "%s: %d %s\n  got  %s\n  want %s", stmt, r_, (q)->err, got, want); } while (0)
#define ERR(q, stmt, want_code, msg) do { int r_ = run(q, stmt); \
	CHECK(r_ == 0 && (q)->code == (want_code) && !strcmp((q)->err, msg), "%s: %d %d %s\n  want %d %s", stmt, r_, \
		(q)->code, (q)->err, want_code, msg); } while (0)

static void test_hidden(sl_store *st)
{
	sl_sql q, q2;

	sl_sql_init(&q, st);
	OK(&q, "CREATE DATABASE testdb", "");
	OK(&q, "USE testdb", "");
	OK(&q, "CREATE TABLE table1 (name VARCHAR(100) NOT NULL, gender VARCHAR(10), age INT) UNIQUE KEY(name) "
		"DISTRIBUTED BY HASH(name) BUCKETS 1 PROPERTIES (\"function_column.sequence_col\" = \"age\")", "");
	OK(&q, "SELECT * FROM table1", "name,gender,age");
	OK(&q, "SELECT *, 1 FROM table1", "name,gender,age,1");
	OK(&q, "DESC table1", "Field,Type,Null,Key,Default,Extra|name|gender|age");
	ERR(&q, "SELECT __DORIS_DELETE_SIGN__ FROM table1", SL_SQL_ER_BAD_FIELD,
		"Unknown column '__DORIS_DELETE_SIGN__' in 'table list'");
	ERR(&q, "SELECT name FROM table1 WHERE __DORIS_SEQUENCE_COL__ > 1", SL_SQL_ER_BAD_FIELD,
		"Unknown column '__DORIS_SEQUENCE_COL__' in 'table list'");

	OK(&q, "SET show_hidden_columns = true", "");
	OK(&q, "SELECT * FROM table1", "name,gender,age,__DORIS_DELETE_SIGN__,__DORIS_SEQUENCE_COL__");
	OK(&q, "SELECT __DORIS_DELETE_SIGN__, __doris_sequence_col__ FROM table1", "__DORIS_DELETE_SIGN__,__doris_sequence_col__");
	OK(&q, "DESC table1", "Field,Type,Null,Key,Default,Extra|name|gender|age|__DORIS_DELETE_SIGN__|__DORIS_SEQUENCE_COL__");
	OK(&q, "SHOW COLUMNS FROM table1 FROM testdb", "Field,Type,Null,Key,Default,Extra|name|gender|age|__DORIS_DELETE_SIGN__|__DORIS_SEQUENCE_COL__");

	/* another session (sl-sql run again, the next HTTP query) starts with the default */
	sl_sql_init(&q2, st);
	OK(&q2, "SELECT * FROM testdb.table1", "name,gender,age");
	sl_sql_free(&q2);

	OK(&q, "SET @@session.show_hidden_columns = OFF", "");
	OK(&q, "SELECT * FROM table1", "name,gender,age");
	OK(&q, "SET SESSION show_hidden_columns = 1", "");
	OK(&q, "SELECT * FROM table1", "name,gender,age,__DORIS_DELETE_SIGN__,__DORIS_SEQUENCE_COL__");
	OK(&q, "SET show_hidden_columns = DEFAULT", "");
	OK(&q, "SELECT * FROM table1", "name,gender,age");
	sl_sql_free(&q);
}

static void test_errors(sl_store *st)
{
	sl_sql q;

	sl_sql_init(&q, st);
	ERR(&q, "SET x = 1", SL_SQL_ER_UNKNOWN_SYSTEM_VARIABLE, "Unknown system variable 'x'");
	ERR(&q, "SET @@global.nope = 1", SL_SQL_ER_UNKNOWN_SYSTEM_VARIABLE, "Unknown system variable 'nope'");
	ERR(&q, "SET GLOBAL show_hidden_columns = true", SL_SQL_ER_LOCAL_VARIABLE,
		"Variable 'show_hidden_columns' is a SESSION variable and can't be used with SET GLOBAL");
	ERR(&q, "SET show_hidden_columns = 'maybe'", SL_SQL_ER_WRONG_VALUE_FOR_VAR,
		"Variable 'show_hidden_columns' can't be set to the value of 'maybe'");
	ERR(&q, "SET @v = 1", SL_SQL_ER_UNKNOWN, "user variables are not supported yet (at position 6)");
	ERR(&q, "SET show_hidden_columns", SL_SQL_ER_PARSE, "syntax error at end of input (position 24)");
	/* an error part-way keeps what the earlier assignments set, as Doris does */
	ERR(&q, "SET show_hidden_columns = true, foo = 1", SL_SQL_ER_UNKNOWN_SYSTEM_VARIABLE, "Unknown system variable 'foo'");
	CHECK(q.show_hidden_columns == 1, "the first assignment stays");
	sl_sql_free(&q);
}

/* The temporary data directory goes unless a check failed (then it is evidence). */
static void remove_dir(void)
{
	char cmd[64];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
	sl_store st;

	if (!mkdtemp(dir) || sl_store_open(&st, dir) != 1) {
		perror(dir);
		return 111;
	}
	test_hidden(&st);
	test_errors(&st);
	sl_store_close(&st);
	if (!nfail)
		remove_dir();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
