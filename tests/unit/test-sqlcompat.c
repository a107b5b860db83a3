/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-sqlcompat.c -- unit tests of what a protocol front reads from the
 * engine besides result sets: affected rows, info and warnings reset by
 * every statement without a result set (DDL, users and grants, SET), the
 * front's connection id for CONNECTION_ID(), and the session's SET values
 * released with the session (sl_sql_free; run under ASan for leaks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "store.h"
#include "types.h"
#include "sql.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-sqlcompat-XXXXXX";
static char first[256];
static size_t rows;

static int k_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	(void)ctx; (void)n; (void)names; (void)types;
	rows = 0;
	first[0] = 0;
	return 1;
}

static int k_row(void *ctx, size_t n, const sl_value *v)
{
	(void)ctx;
	if (!rows++ && n) {
		if (v[0].kind == SL_V_INT)
			snprintf(first, sizeof first, "%lld", (long long)v[0].u.i);
		else if (v[0].kind == SL_V_STRING)
			snprintf(first, sizeof first, "%.*s", (int)v[0].u.s.n, v[0].u.s.p);
		else
			snprintf(first, sizeof first, "NULL");
	}
	return 1;
}

static int k_end(void *ctx) { (void)ctx; return 1; }

static const sl_sql_sink sink = { 0, k_begin, k_row, k_end };

/* Run stmt after dirtying the counters; 1 when it left them reset. */
static int resets(sl_sql *q, const char *stmt)
{
	q->affected = 42;
	snprintf(q->info, sizeof q->info, "stale");
	q->warnings = 3;
	if (sl_sql_exec(q, stmt, strlen(stmt), &sink) != 1) {
		fprintf(stderr, "%s: %s\n", stmt, q->err);
		return 0;
	}
	return q->affected == 0 && !q->info[0] && q->warnings == 0;
}

static int run(sl_sql *q, const char *stmt)
{
	return sl_sql_exec(q, stmt, strlen(stmt), &sink);
}

int main(void)
{
	sl_store st;
	sl_sql q;
	char cmd[600];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 111;
	}
	CHECK(sl_store_open(&st, dir) == 1);
	sl_sql_init(&q, &st);
	CHECK(resets(&q, "CREATE DATABASE d"));
	CHECK(resets(&q, "CREATE TABLE d.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"));
	CHECK(resets(&q, "USE d"));
	CHECK(resets(&q, "CREATE USER u IDENTIFIED BY 'pw'"));
	CHECK(resets(&q, "GRANT SELECT_PRIV ON d.t TO u"));
	CHECK(resets(&q, "SET NAMES utf8mb4"));
	CHECK(resets(&q, "SET sql_mode = 'ANSI'"));
	CHECK(resets(&q, "DROP TABLE d.t"));
	/* a failure resets them too */
	q.affected = 9;
	CHECK(run(&q, "DROP TABLE d.nosuch") == 0 && q.affected == 0);

	/* CONNECTION_ID() is the front's id when it sets one */
	q.conn_id = 77;
	CHECK(run(&q, "SELECT CONNECTION_ID()") == 1 && rows == 1 && !strcmp(first, "77"));
	CHECK(run(&q, "SELECT @@sql_mode") == 1 && !strcmp(first, "ANSI"));
	CHECK(run(&q, "SELECT DATABASE()") == 1 && !strcmp(first, "d"));
	/* a value read, then replaced: the sink saw a copy */
	CHECK(run(&q, "SET sql_mode = 'TRADITIONAL'") == 1);
	CHECK(run(&q, "SELECT @@sql_mode LIMIT 1") == 1 && !strcmp(first, "TRADITIONAL"));
	sl_sql_free(&q);
	CHECK(q.sys == 0);

	/* a new session: the defaults */
	sl_sql_init(&q, &st);
	CHECK(run(&q, "SELECT @@sql_mode, @@autocommit") == 1 && !strcmp(first, "ONLY_FULL_GROUP_BY"));
	sl_sql_free(&q);
	sl_store_close(&st);
	printf("%d passed, %d failed\n", passed, failed);
	if (failed)
		return 1;
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
