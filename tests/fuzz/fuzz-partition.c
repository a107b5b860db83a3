/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-partition.c -- libFuzzer target for the partition texts
 * (partition.h): the clauses of CREATE TABLE / ALTER TABLE ADD PARTITION
 * come from users, the canonical VALUES texts from the store. Built by
 * `make fuzz` (mk/fuzz.mk).
 *
 * Input layout: 1 byte of options, then the text.
 *   b0 % 4 picks the table: RANGE over a DATE, RANGE over (INT, TINYINT),
 *   LIST over a VARCHAR(10), LIST over (BIGINT, DATETIME);
 *   b0 & 4: the text is a stored VALUES text (sl_partset_new), else a
 *   clause added to a set that holds two partitions already.
 * Whatever is accepted must come back as a canonical text that decodes
 * to itself (a set rebuilt from the set's own list has the same texts),
 * and its Range display must be written; anything refused has a message.
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "schema.h"
#include "partition.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-partition: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static const char *const tables[4][2] = {
	{ "create table t (d date, v int) duplicate key(d) partition by range(d) ()",
	  "PARTITION a VALUES LESS THAN ('2020-01-01')" },
	{ "create table t (a int, b tinyint, v int) duplicate key(a, b) partition by range(a, b) ()",
	  "PARTITION a VALUES [('1', '2'), ('5'))" },
	{ "create table t (s varchar(10), v int) duplicate key(s) partition by list(s) ()",
	  "PARTITION a VALUES IN ('x', NULL)" },
	{ "create table t (k bigint, d datetime, v int) duplicate key(k, d) partition by list(k, d) ()",
	  "PARTITION a VALUES IN ((1, '2020-01-01 10:00:00'))" },
};

/* Every partition's text decodes to itself; every display is written. */
static void check_set(const sl_schema *sch, const sl_partset *ps)
{
	size_t n = sl_partset_n(ps);
	sl_partinfo *l = calloc(n + 1, sizeof *l);
	char err[256];
	sl_partset *again;

	CHECK(l);
	for (size_t i = 0; i < n; i++) {
		sl_buf b = SL_BUF_ZERO;
		l[i] = *sl_partset_get(ps, i);
		CHECK(sl_partset_range_text(ps, i, &b) == 1 && b.len > 0);
		sl_buf_free(&b);
	}
	again = sl_partset_new(sch, l, n, err, sizeof err);
	CHECK(again && sl_partset_n(again) == n);
	for (size_t i = 0; i < n; i++)
		CHECK(!strcmp(sl_partset_get(again, i)->values, l[i].values));
	sl_partset_free(again);
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *text;
	sl_schema sch;
	sl_partset *ps;
	size_t idx, t;
	int r;

	if (size < 1 || size > 4096)
		return 0;
	t = data[0] % 4;
	if (!(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	CHECK(sl_schema_parse(tables[t][0], strlen(tables[t][0]), "d", &sch, err, sizeof err) == 1);
	if (data[0] & 4) {
		sl_partinfo p = { .id = 1, .name = "p", .values = text };
		ps = sl_partset_new(&sch, &p, 1, err, sizeof err);
		if (ps)
			check_set(&sch, ps);
		else
			CHECK(err[0]);
	} else {
		ps = sl_partset_new(&sch, 0, 0, err, sizeof err);
		CHECK(ps);
		CHECK(sl_partset_add_clause(ps, tables[t][1], strlen(tables[t][1]), 0, &idx, err, sizeof err) == 1);
		r = sl_partset_add_clause(ps, text, size - 1, data[0] & 8 ? 1 : 0, &idx, err, sizeof err);
		CHECK(r == 1 || (r == 0 && err[0]));
		CHECK(r != 1 || idx < sl_partset_n(ps));
		check_set(&sch, ps);
	}
	sl_partset_free(ps);
	sl_schema_free(&sch);
	free(text);
	return 0;
}
