/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-partroute.c -- unit tests of a load's routing (libcommon/
 * partroute.c): the __SL_PARTITION__ field read back (ids, created
 * partitions with and without their name, malformed ones); rows of a
 * RANGE table routed to their partition's id, a row outside every
 * partition filtered with Doris's reason; `partitions` restricting; an
 * unknown name refused; an AUTO table's new partitions numbered in order
 * of creation and named once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "schema.h"
#include "partition.h"
#include "partroute.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static int parse(const char *s, sl_partroute_field *f)
{
	return sl_partroute_parse(s, strlen(s), f);
}

static void test_parse(void)
{
	sl_partroute_field f;

	CHECK(parse("65536", &f) == 1 && !f.created && f.id == 65536 && !f.name);
	CHECK(parse("0", &f) == 1 && !f.created && f.id == 0);
	CHECK(parse("+3", &f) == 1 && f.created && f.k == 3 && !f.name);
	CHECK(parse("+0 p20220101000000 VALUES [(\"2022-01-01\"), (\"2022-01-02\"))", &f) == 1 && f.created &&
	    f.k == 0 && f.namelen == 15 && !memcmp(f.name, "p20220101000000", 15) &&
	    f.valueslen == strlen("VALUES [(\"2022-01-01\"), (\"2022-01-02\"))") && !memcmp(f.values, "VALUES [", 8));
	CHECK(parse("", &f) == 0);
	CHECK(parse("+", &f) == 0);
	CHECK(parse("-1", &f) == 0);
	CHECK(parse("12a", &f) == 0);
	CHECK(parse("99999999999999999999", &f) == 0);
	CHECK(parse("+65535", &f) == 0);
	CHECK(parse("+1 name", &f) == 0);
	CHECK(parse("+1 name ", &f) == 0);
	CHECK(parse("+1  VALUES", &f) == 0);
	CHECK(sl_partroute_parse("1", SL_NULL_LEN, &f) == 0);
}

/* An encoded row of (k DATE as days, v INT). */
static size_t mkrow(char *b, int32_t days, int32_t v)
{
	sl_u32_pack(b, 4);
	sl_u32_pack(b + 4, (uint32_t)days);
	sl_u32_pack(b + 8, 4);
	sl_u32_pack(b + 12, (uint32_t)v);
	return 16;
}

static sl_schema *mkschema(const char *ddl)
{
	static sl_schema s;
	char err[256];

	sl_schema_free(&s);
	memset(&s, 0, sizeof s);
	if (sl_schema_parse(ddl, strlen(ddl), "d", &s, err, sizeof err) != 1) {
		fprintf(stderr, "schema: %s\n", err);
		return NULL;
	}
	return &s;
}

/* The routing state of a test. */
typedef struct rt { sl_partroute *r; sl_buf reason; char row[32], err[256]; const char *f; size_t n; } rt;

/* Route the row (days, v): sl_partroute_row's answer. */
static int route(rt *t, int32_t days, int32_t v)
{
	return sl_partroute_row(t->r, t->row, mkrow(t->row, days, v), &t->f, &t->n, &t->reason);
}

/* Did the last row get the field s? */
static int got(const rt *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->f, s, t->n);
}

/* Did the last row get a field that starts with s? */
static int got_prefix(const rt *t, const char *s)
{
	return t->n > strlen(s) && !memcmp(t->f, s, strlen(s));
}

static void test_range(const sl_schema *sch)
{
	sl_partinfo parts[2] = {
		{ .id = 65536, .name = "p1", .values = (char *)"VALUES [(\"2020-01-01\"), (\"2020-02-01\"))" },
		{ .id = 65537, .name = "p2", .values = (char *)"VALUES [(\"2020-02-01\"), (\"2020-03-01\"))" },
	};
	static rt t;

	CHECK(sl_partroute_new(sch, parts, 2, NULL, NULL, &t.r, t.err, sizeof t.err) == 1);
	/* 2020-01-15 is day 18276, 2020-02-10 day 18302, 2021-01-01 day 18628 */
	CHECK(route(&t, 18276, 1) == 1 && got(&t, "65536"));
	CHECK(route(&t, 18302, 1) == 1 && got(&t, "65537"));
	CHECK(route(&t, 18628, 1) == 0 && t.reason.len > 35 &&
	    !memcmp(t.reason.p, "no partition for this tuple. tuple=", 35));
	CHECK(sl_partroute_created(t.r) == 0);
	sl_partroute_free(t.r);
	/* `partitions: P2` (any case): p1's rows are filtered */
	CHECK(sl_partroute_new(sch, parts, 2, " P2 ", NULL, &t.r, t.err, sizeof t.err) == 1);
	CHECK(route(&t, 18276, 1) == 0);
	CHECK(route(&t, 18302, 1) == 1 && got(&t, "65537"));
	sl_partroute_free(t.r);
	CHECK(sl_partroute_new(sch, parts, 2, "p1,p9", NULL, &t.r, t.err, sizeof t.err) == 0 &&
	    !strcmp(t.err, "partition p9 is not found in table t"));
	/* a formal partition is no temporary one */
	CHECK(sl_partroute_new(sch, parts, 2, NULL, "p1", &t.r, t.err, sizeof t.err) == 0 &&
	    !strcmp(t.err, "partition p1 is not found in table t"));
	sl_buf_free(&t.reason);
}

/* AUTO RANGE by month: new partitions numbered in order of creation,
 * each named in its first row's field only. */
static void test_auto(const sl_schema *sch)
{
	sl_partinfo jan = { .id = 5, .name = "p20200101000000",
		.values = (char *)"VALUES [(\"2020-01-01\"), (\"2020-02-01\"))" };
	static rt t;

	CHECK(sl_partroute_new(sch, NULL, 0, NULL, NULL, &t.r, t.err, sizeof t.err) == 1);
	CHECK(route(&t, 18276, 1) == 1 && got_prefix(&t, "+0 p20200101000000 VALUES [("));
	CHECK(route(&t, 18277, 1) == 1 && got(&t, "+0"));
	CHECK(route(&t, 18302, 1) == 1 && got_prefix(&t, "+1 p20200201000000 VALUES [("));
	CHECK(route(&t, 18276, 2) == 1 && got(&t, "+0"));
	CHECK(sl_partroute_created(t.r) == 2);
	sl_partroute_free(t.r);
	/* `partitions` restricts the load: no partition is created */
	CHECK(sl_partroute_new(sch, &jan, 1, "p20200101000000", NULL, &t.r, t.err, sizeof t.err) == 1);
	CHECK(route(&t, 18302, 1) == 0 && sl_partroute_created(t.r) == 0);
	CHECK(route(&t, 18276, 1) == 1 && got(&t, "5"));
	sl_partroute_free(t.r);
	sl_buf_free(&t.reason);
}

int main(void)
{
	sl_schema *sch;

	test_parse();
	sch = mkschema("CREATE TABLE t (k DATE, v INT) DUPLICATE KEY(k) "
		"PARTITION BY RANGE(k) () DISTRIBUTED BY HASH(k) BUCKETS 1");
	CHECK(sch != NULL);
	if (sch)
		test_range(sch);
	sch = mkschema("CREATE TABLE t (k DATE NOT NULL, v INT) DUPLICATE KEY(k) "
		"AUTO PARTITION BY RANGE (date_trunc(`k`, 'month')) () DISTRIBUTED BY HASH(k) BUCKETS 1");
	CHECK(sch != NULL);
	if (sch)
		test_auto(sch);
	printf("test-partroute: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
