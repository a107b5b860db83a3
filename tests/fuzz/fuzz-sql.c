/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-sql.c -- libFuzzer target for sl-sql's statement parser (sql.h):
 * the input is a script, split with sl_sql_next and run with sl_sql_exec
 * over a temporary store holding one database and one table of every
 * column kind (made once, empty: SELECT still parses, binds, and evaluates
 * its select list once for a query without rows or without FROM). Only
 * statements that cannot change the store run (SELECT, SHOW, DESC, USE;
 * anything else is run as "SELECT <it>"), so the store stays what it was
 * and each input costs no disk writes. Built by `make fuzz` (mk/fuzz.mk).
 *
 * A failed check calls abort(), which libFuzzer reports as a crash: every
 * statement must answer (1) or refuse with a MySQL error number and a
 * message (0); a system failure (-1) is only allowed from the sink.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "io.h"
#include "sl.h"
#include "sql.h"
#include "store.h"
#include "fuzzstore.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-sql: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static sl_store st;

static int k_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	(void)ctx; (void)n; (void)names; (void)types;
	return 1;
}

static int k_row(void *ctx, size_t n, const sl_value *v)
{
	sl_buf *b = ctx;
	size_t i;
	b->len = 0;
	for (i = 0; i < n; i++)
		if (v[i].kind != SL_V_NULL && sl_value_format(&v[i], b) < 0)
			return -1;
	return 1;
}

static int k_end(void *ctx) { (void)ctx; return 1; }

static void run(const char *s, size_t n, const sl_sql_sink *k, sl_sql *q)
{
	int r = sl_sql_exec(q, s, n, k);
	CHECK(r == 1 || (r == 0 && q->code && q->err[0]));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const ddl[] = {
		"CREATE DATABASE testdb",
		"CREATE TABLE testdb.t (k1 INT, s VARCHAR(20), d DATE, dt DATETIME, dec DECIMAL(10,2), "
		"f DOUBLE, big BIGINT, b BOOLEAN, l LARGEINT, c CHAR(4)) DUPLICATE KEY(k1) "
		"DISTRIBUTED BY HASH(k1) BUCKETS 1",
	};
	(void)argc;
	(void)argv;
	fuzz_store_open(&st, "fuzz-sql", ddl, SL_ARRAY_LEN(ddl));
	return 0;
}

/* Statements that only read. */
static int reads(const char *s, size_t n)
{
	static const char *const ok[] = { "select", "show", "desc", "describe", "use" };
	size_t i, l;
	for (i = 0; i < SL_ARRAY_LEN(ok); i++) {
		l = strlen(ok[i]);
		if (n > l && !strncasecmp(s, ok[i], l) && (s[l] == ' ' || s[l] == '\t' || s[l] == '\n'))
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	sl_buf b = SL_BUF_ZERO, tmp = SL_BUF_ZERO;
	sl_sql_sink k = { &b, k_begin, k_row, k_end };
	sl_sql q;
	size_t off = 0, start, len;
	int r, nstmt = 0;

	sl_sql_init(&q, &st);
	run("USE testdb", 10, &k, &q);
	while (nstmt++ < 8 && (r = sl_sql_next(&q, src, size, &off, &start, &len)) != 0) {
		if (r < 0) {
			CHECK(q.code && q.err[0]);
			break;
		}
		CHECK(start + len <= size && len > 0);
		if (reads(src + start, len)) {
			run(src + start, len, &k, &q);
			continue;
		}
		tmp.len = 0;
		if (sl_buf_puts(&tmp, "SELECT ") < 0 || sl_buf_put(&tmp, src + start, len) < 0)
			abort();
		run(tmp.p, tmp.len, &k, &q);
	}
	sl_buf_free(&b);
	sl_buf_free(&tmp);
	sl_sql_free(&q);
	return 0;
}
