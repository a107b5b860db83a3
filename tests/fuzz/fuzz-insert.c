/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-insert.c -- libFuzzer target for the INSERT statement's parser and
 * analysis (insert.h): the input is one statement, parsed against a
 * temporary store holding one database and two tables (made once); a
 * statement that parses is then masked (its secret properties replaced).
 * Nothing runs: the store stays what it was and each input costs no disk
 * writes. Built by `make fuzz` (mk/fuzz.mk).
 *
 * A failed check calls abort(), which libFuzzer reports as a crash: every
 * statement must parse (1) or be refused with a MySQL error number and a
 * message (0); -1 only for ENOMEM or a TVF source that could not be opened.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "sl.h"
#include "sql.h"
#include "store.h"
#include "insert.h"
#include "fuzzstore.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-insert: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static sl_store st;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const ddl[] = {
		"CREATE DATABASE testdb",
		"CREATE TABLE testdb.t (k1 INT, s VARCHAR(20), d DATE, dt DATETIME, dec DECIMAL(10,2)) "
		"DUPLICATE KEY(k1) DISTRIBUTED BY HASH(k1) BUCKETS 1",
		"CREATE TABLE testdb.u (k INT NOT NULL, v VARCHAR(10)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1",
	};
	(void)argc;
	(void)argv;
	fuzz_store_open(&st, "fuzz-insert", ddl, SL_ARRAY_LEN(ddl));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_insert *ins = NULL;
	sl_buf b = SL_BUF_ZERO;
	char err[512];
	int code = 0, r;

	r = sl_insert_parse(&ins, &st, "testdb", (const char *)data, size, &code, err, sizeof err);
	if (r == 0)
		CHECK(code && err[0] && !ins);
	else if (r < 0)
		CHECK(!ins && errno != 0);
	else {
		CHECK(ins && sl_insert_db(ins)[0] && sl_insert_table(ins)[0]);
		CHECK(sl_insert_masked(ins, &b) == 1);
		CHECK(b.len >= size || sl_insert_tvf(ins));
	}
	sl_buf_free(&b);
	sl_insert_free(ins);
	return 0;
}
