/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-partition.c -- unit tests for the partitions of a table
 * (partition.h: partition.c, partmap.c, partauto.c, partprune.c): clauses
 * resolved into canonical VALUES text and their round trip through
 * sl_partset_new, Doris's refusals (overlaps, conflicts, names, values),
 * routing on the boundaries, MINVALUE/MAXVALUE and NULL, the partitions
 * AUTO tables create and their names, the row text of the load's error,
 * pruning with AND/OR/NOT/IN/BETWEEN, and Doris's Range display.
 * Prints "N passed, M failed"; exits 1 on any failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "cast.h"
#include "expr.h"
#include "schema.h"
#include "partition.h"

static int npass, nfail;

#define CHECK(cond, ...) do { \
	if (cond) npass++; \
	else { nfail++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

static sl_schema sch;
static sl_partset *ps;
static char err[512];

static void table(const char *ddl)
{
	sl_partset_free(ps);
	sl_schema_free(&sch);
	if (!sl_schema_parse(ddl, strlen(ddl), "d", &sch, err, sizeof err)) {
		fprintf(stderr, "FAIL schema %s: %s\n", ddl, err);
		exit(1);
	}
	ps = sl_partset_new(&sch, 0, 0, err, sizeof err);
	if (!ps)
		exit(1);
}

/* Add a clause: "" and its index in *idx, or the error. */
static const char *add(const char *clause, int temp, size_t *idx)
{
	static char out[512];
	size_t i = 99;
	int r = sl_partset_add_clause(ps, clause, strlen(clause), temp, &i, err, sizeof err);

	snprintf(out, sizeof out, "%s", r == 1 ? "" : r == 0 ? err : "ENOMEM");
	if (idx)
		*idx = i;
	return out;
}

static const char *values(size_t i)
{
	const sl_partinfo *p = sl_partset_get(ps, i);
	return p ? p->values : "(none)";
}

/* An encoded row of the table from "v1|v2|\N" (every column, the hidden
 * ones included). */
static size_t row(const char *text, char *out)
{
	char copy[256], *save = 0, *f;
	size_t len = 0, col = 0;

	snprintf(copy, sizeof copy, "%s", text);
	for (f = strtok_r(copy, "|", &save); f; f = strtok_r(0, "|", &save), col++) {
		sl_value v;
		char buf[16];
		const char *sp = 0;
		uint32_t n = SL_NULL_LEN;
		if (strcmp(f, "\\N") && sl_cast_text(&sch.cols[col].type, f, strlen(f), &v) == 1)
			n = sl_value_encode(&sch.cols[col].type, &v, buf, &sp);
		sl_u32_pack(out + len, n);
		len += 4;
		if (n != SL_NULL_LEN) {
			memcpy(out + len, sp ? sp : buf, n);
			len += n;
		}
	}
	for (; col < sch.ncols; col++) {        /* hidden columns: 0 */
		sl_u32_pack(out + len, 1);
		out[len + 4] = 0;
		len += 5;
	}
	return len;
}

/* The name of the partition a row routes to, "-" none. */
static const char *route(const char *text, int temp)
{
	char r[512];
	size_t n = row(text, r);
	long i = sl_partset_route(ps, temp, r, n);
	return i >= 0 ? sl_partset_get(ps, (size_t)i)->name : i == -1 ? "-" : "ERR";
}

/* The kept partitions of a WHERE, as '1' and '0'. */
static const char *prune(const char *where)
{
	static char out[64];
	const char *names[32];
	sl_type types[32];
	sl_expr_scope sc = { .ncols = sch.ncols, .names = names, .types = types };
	unsigned char keep[32];
	sl_expr *e;

	for (size_t i = 0; i < sch.ncols; i++) {
		names[i] = sch.cols[i].name;
		types[i] = sch.cols[i].type;
	}
	e = sl_expr_parse(where, strlen(where), err, sizeof err);
	if (!e || !sl_expr_bind(e, &sc, err, sizeof err)) {
		sl_expr_free(e);
		return err;
	}
	memset(keep, 7, sizeof keep);
	sl_partset_prune(ps, e, keep);
	sl_expr_free(e);
	for (size_t i = 0; i < sl_partset_n(ps); i++)
		out[i] = keep[i] == 1 ? '1' : keep[i] == 0 ? '0' : '?';
	out[sl_partset_n(ps)] = 0;
	return out;
}

static const char *range_text(size_t i)
{
	static char out[512];
	sl_buf b = SL_BUF_ZERO;
	sl_partset_range_text(ps, i, &b);
	snprintf(out, sizeof out, "%.*s", (int)b.len, b.p ? b.p : "");
	sl_buf_free(&b);
	return out;
}

/* The set rebuilt from its own list decodes to the same partitions. */
static void roundtrip(const char *what)
{
	size_t n = sl_partset_n(ps);
	sl_partinfo *l = calloc(n + 1, sizeof *l);
	sl_partset *again;

	for (size_t i = 0; i < n; i++) {
		l[i] = *sl_partset_get(ps, i);
		l[i].id = (int64_t)i + 1;
	}
	again = sl_partset_new(&sch, l, n, err, sizeof err);
	CHECK(again && sl_partset_n(again) == n, "%s: round trip: %s", what, err);
	for (size_t i = 0; again && i < n; i++) {
		CHECK(!strcmp(sl_partset_get(again, i)->values, l[i].values), "%s: values %zu: %s", what, i,
			sl_partset_get(again, i)->values);
		CHECK(sl_partset_get(again, i)->id == (int64_t)i + 1, "%s: id kept", what);
	}
	sl_partset_free(again);
	free(l);
}

#define EQ(got, want) do { const char *g_ = (got), *w_ = (want); \
	CHECK(!strcmp(g_, w_), "%s\n  got  %s\n  want %s", #got, g_, w_); } while (0)

static void test_range_date(void)
{
	size_t i;

	table("create table t (d date, k int, v int) duplicate key(d, k) partition by range(d) ()");
	EQ(add("PARTITION p1 VALUES LESS THAN ('2020-01-01')", 0, &i), "");
	CHECK(i == 0, "index of p1");
	EQ(add("PARTITION p2 VALUES LESS THAN (\"2020-02-01\")", 0, 0), "");
	EQ(add("PARTITION p3 VALUES [('2020-3-1'), ('2020-04-01'))", 0, 0), "");
	EQ(add("PARTITION pmax VALUES LESS THAN MAXVALUE", 0, 0), "");
	EQ(add("PARTITION p25 VALUES LESS THAN ('2020-03-01')", 0, &i), "");
	CHECK(i == 4, "index of p25");
	EQ(values(0), "VALUES [(MINVALUE), (\"2020-01-01\"))");
	EQ(values(1), "VALUES [(\"2020-01-01\"), (\"2020-02-01\"))");
	EQ(values(2), "VALUES [(\"2020-03-01\"), (\"2020-04-01\"))");
	EQ(values(3), "VALUES [(\"2020-04-01\"), (MAXVALUE))");
	EQ(values(4), "VALUES [(\"2020-02-01\"), (\"2020-03-01\"))");

	EQ(route("2019-12-31|1|1", 0), "p1");
	EQ(route("0001-01-01|1|1", 0), "p1");
	EQ(route("\\N|1|1", 0), "p1");
	EQ(route("2020-01-01|1|1", 0), "p2");
	EQ(route("2020-01-31|1|1", 0), "p2");
	EQ(route("2020-02-01|1|1", 0), "p25");
	EQ(route("2020-03-31|1|1", 0), "p3");
	EQ(route("2020-04-01|1|1", 0), "pmax");
	EQ(route("9999-12-31|1|1", 0), "pmax");
	EQ(route("2020-02-10|1|1", 1), "-");

	EQ(add("PARTITION px VALUES [('2020-01-15'), ('2020-02-15'))", 0, 0),
		"Range [types: [DATE]; keys: [2020-01-15]; ..types: [DATE]; keys: [2020-02-15]; ) is intersected with range: "
		"[types: [DATE]; keys: [2020-01-01]; ..types: [DATE]; keys: [2020-02-01]; )");
	EQ(add("PARTITION px VALUES LESS THAN ('2020-01-01')", 0, 0), "The lower values must smaller than upper values");
	EQ(add("PARTITION px VALUES [('2021-01-01'), ('2020-01-01'))", 0, 0), "The lower values must smaller than upper values");
	EQ(add("PARTITION P1 VALUES [('2021-01-01'), ('2021-02-01'))", 0, 0), "Duplicate partition name P1");
	EQ(add("PARTITION IF NOT EXISTS P1 VALUES [('2021-01-01'), ('2021-02-01'))", 0, &i), "");
	CHECK(i == 0 && sl_partset_n(ps) == 5, "IF NOT EXISTS: the existing one, nothing added");
	EQ(add("PARTITION px VALUES LESS THAN ('abc')", 0, 0), "date literal [abc] is invalid");
	EQ(add("PARTITION px VALUES IN ('2020-01-01')", 0, 0),
		"Range partition expected 'VALUES [LESS THAN or [(\"xxx\" ,...), (\"xxx\", ...))]'");
	EQ(add("VALUES LESS THAN ('2030-01-01')", 0, 0), "syntax error at position 1: expected PARTITION");
	CHECK(sl_partset_n(ps) == 5, "refusals add nothing");

	/* temporary partitions: their own bounds, the same names space */
	EQ(add("PARTITION tp VALUES [('2020-01-01'), ('2020-06-01'))", 1, &i), "");
	EQ(add("PARTITION p2 VALUES [('2030-01-01'), ('2030-06-01'))", 1, 0), "Duplicate partition name p2");
	EQ(route("2020-02-10|1|1", 1), "tp");
	CHECK(sl_partset_find(ps, "TP", 2, 1) == (long)i && sl_partset_find(ps, "tp", 2, 0) == -1, "find by temp");
	CHECK(sl_partset_find(ps, "P25", 3, 0) == 4, "find is case-insensitive");

	EQ(range_text(0), "[types: [DATE]; keys: [0000-01-01]; ..types: [DATE]; keys: [2020-01-01]; )");
	EQ(range_text(3), "[types: [DATE]; keys: [2020-04-01]; ..types: [DATE]; keys: [MAXVALUE]; )");
	roundtrip("range date");
	{
		char *r = sl_schema_render_parts(&sch, ps);
		CHECK(r && strstr(r, "PARTITION BY RANGE(`d`)\n(PARTITION `p1` VALUES [(MINVALUE), (\"2020-01-01\")),\n"
			"PARTITION `p2` VALUES") && !strstr(r, "`tp`"), "render with partitions: %s", r ? r : "");
		free(r);
	}

	/* pruning: p1 p2 p3 pmax p25 tp */
	EQ(prune("d = '2020-01-15'"), "010001");
	EQ(prune("d < '2020-01-01'"), "100000");
	EQ(prune("d <= '2020-01-01'"), "110001");
	EQ(prune("'2020-01-01' > d"), "100000");
	EQ(prune("d >= '2020-03-15' AND d < '2020-04-01'"), "001001");
	EQ(prune("d = '2020-01-15' OR d = '2020-05-01'"), "010101");
	EQ(prune("d IN ('2019-01-01', '2020-03-05')"), "101001");
	EQ(prune("d BETWEEN '2020-01-10' AND '2020-03-10'"), "011011");
	EQ(prune("d NOT BETWEEN '2000-01-01' AND '2020-03-10'"), "101101");
	EQ(prune("NOT (d < '2020-04-01')"), "000101");
	EQ(prune("NOT (d >= '2020-01-01' AND k = 1)"), "111111");
	EQ(prune("d NOT IN ('2020-01-01')"), "111111");
	EQ(prune("k = 1"), "111111");
	EQ(prune("d = 'garbage'"), "111111");
	EQ(prune("d = '2020-01-15 10:00:00'"), "111111");
	EQ(prune("d + 1 = 5"), "111111");
	EQ(prune("d > '2021-01-01' AND d < '2020-01-01'"), "000000");
	CHECK(sl_partset_prune(ps, 0, (unsigned char[8]){ 0 }) == 1, "no WHERE");
}

static void test_range_multi(void)
{
	table("create table t (a int, b tinyint, v int) duplicate key(a, b) partition by range(a, b) ()");
	EQ(add("PARTITION p1 VALUES LESS THAN ('10')", 0, 0), "");
	EQ(add("PARTITION p2 VALUES LESS THAN (\"10\", \"5\")", 0, 0), "");
	EQ(add("PARTITION p3 VALUES LESS THAN (MAXVALUE)", 0, 0), "");
	EQ(values(0), "VALUES [(MINVALUE, MINVALUE), (\"10\", MINVALUE))");
	EQ(values(1), "VALUES [(\"10\", MINVALUE), (\"10\", \"5\"))");
	EQ(values(2), "VALUES [(\"10\", \"5\"), (MAXVALUE, MAXVALUE))");
	EQ(route("9|100|0", 0), "p1");
	EQ(route("\\N|\\N|0", 0), "p1");
	EQ(route("10|\\N|0", 0), "p2");
	EQ(route("10|4|0", 0), "p2");
	EQ(route("10|5|0", 0), "p3");
	EQ(route("2147483647|127|0", 0), "p3");
	EQ(range_text(0), "[types: [INT, TINYINT]; keys: [-2147483648, -128]; ..types: [INT, TINYINT]; keys: [10, -128]; )");
	EQ(add("PARTITION px VALUES LESS THAN ('1', '2', '3')", 0, 0),
		"Partition values number is more than partition column number: 3 > 2");
	EQ(add("PARTITION px VALUES [('abc'), ('20'))", 0, 0), "Invalid number format: abc");
	EQ(add("PARTITION px VALUES [('3.5'), ('20'))", 0, 0), "Invalid number format: 3.5");
	EQ(add("PARTITION px VALUES [('1', '300'), ('20'))", 0, 0), "Number out of range[300]. type: TINYINT");
	roundtrip("range multi");
	/* only the first column prunes; with more columns its upper bound is inclusive */
	EQ(prune("a = 10"), "011");
	EQ(prune("a < 10"), "100");
	EQ(prune("b = 1"), "111");
	{
		char r[64];
		size_t n = row("1|2|3", r);
		errno = 0;
		CHECK(n == 21 && sl_partset_route(ps, 0, r, 10) == -2 && errno == EPROTO, "a truncated row: EPROTO");
		CHECK(sl_partset_route(ps, 0, r, 4) == -2 && errno == EPROTO, "a short row: EPROTO");
	}
}

static void test_list(void)
{
	size_t i;

	table("create table t (s varchar(10) null, k int not null, v int) duplicate key(s, k) partition by list(s) ()");
	EQ(add("PARTITION p1 VALUES IN ('a', \"b\")", 0, 0), "");
	EQ(add("PARTITION pn VALUES IN (NULL)", 0, 0), "");
	EQ(add("PARTITION pq VALUES IN ('x\"y\\\\z')", 0, &i), "");
	EQ(values(0), "VALUES IN ((\"a\"), (\"b\"))");
	EQ(values(1), "VALUES IN ((NULL))");
	EQ(values(2), "VALUES IN ((\"x\\\"y\\\\z\"))");
	EQ(route("a|1|0", 0), "p1");
	EQ(route("b|1|0", 0), "p1");
	EQ(route("\\N|1|0", 0), "pn");
	EQ(route("c|1|0", 0), "-");
	EQ(route("x\"y\\z|1|0", 0), "pq");
	EQ(add("PARTITION p3 VALUES IN ('c', 'b')", 0, 0),
		"The partition key[(\"b\")] in partition item[(\"c\"), (\"b\")] is conflict with current partitionKeys[(\"a\"), (\"b\")]");
	EQ(add("PARTITION p3 VALUES IN ('c', 'c')", 0, 0),
		"The partition key[(\"c\")] in partition item[(\"c\"), (\"c\")] is conflict with current partitionKeys[(\"c\"), (\"c\")]");
	EQ(add("PARTITION p3 VALUES IN ('abcdefghijk')", 0, 0), "Partition value abcdefghijk is longer than column s's VARCHAR(10)");
	EQ(add("PARTITION p3 VALUES LESS THAN ('c')", 0, 0),
		"List partition expected 'VALUES [IN or ((\"xxx\", \"xxx\"), ...)]'");
	EQ(add("PARTITION p3 VALUES IN (MAXVALUE)", 0, 0), "MAXVALUE and MINVALUE are not allowed in a LIST partition");
	EQ(add("PARTITION tb VALUES IN ('b')", 1, 0), "");
	EQ(route("b|1|0", 1), "tb");
	EQ(range_text(0), "[types: [VARCHAR]; keys: [a]; , types: [VARCHAR]; keys: [b]; ]");
	EQ(range_text(1), "[types: [VARCHAR]; keys: [NULL]; ]");
	roundtrip("list");
	EQ(prune("s = 'a'"), "1000");
	EQ(prune("s IN ('c', 'x\"y\\\\z')"), "0010");
	EQ(prune("s > 'a'"), "1011");
	EQ(prune("s = 'b' OR k = 2"), "1111");
	EQ(prune("s = 'b' AND k = 2"), "1001");
	EQ(add("PARTITION pe VALUES IN ('')", 1, &i), "");
	EQ(values(i), "VALUES IN ((\"\"))");
	roundtrip("list with an empty string");

	table("create table t (a int not null, b varchar(4) not null, v int) unique key(a, b) partition by list(a, b) () distributed by hash(a)");
	EQ(add("PARTITION p1 VALUES IN (('1', 'x'), ('2', 'y'))", 0, 0), "");
	EQ(add("PARTITION p2 VALUES IN ((-1, 'x'))", 0, 0), "");
	EQ(values(0), "VALUES IN ((\"1\", \"x\"), (\"2\", \"y\"))");
	EQ(route("1|x|0|0", 0), "p1");
	EQ(route("2|y|0|0", 0), "p1");
	EQ(route("1|y|0|0", 0), "-");
	EQ(route("-1|x|0|0", 0), "p2");
	EQ(add("PARTITION px VALUES IN ('1')", 0, 0), "partition key desc list size[1] is not equal to partition column size[2]");
	EQ(add("PARTITION px VALUES IN ((NULL, 'x'))", 0, 0), "Can not use NULL in the partition values of NOT NULL column a");
	roundtrip("list multi");
	EQ(prune("a = 2"), "10");
	EQ(prune("b = 'x'"), "11");
	EQ(prune("a = 2 AND b = 'x'"), "10");
	EQ(prune("a < 0"), "01");
}

/* AUTO RANGE: the partition made for one value of a table with unit u. */
static const char *auto_range(const char *type, const char *unit, const char *value)
{
	static char out[256];
	char ddl[256], r[128];
	size_t n, idx = 99;
	int k;

	snprintf(ddl, sizeof ddl, "create table t (d %s not null, v int) duplicate key(d) "
		"auto partition by range (date_trunc(d, '%s')) ()", type, unit);
	table(ddl);
	n = row(value, r);
	k = sl_partset_auto(ps, r, n, &idx);
	if (k != 1 || idx != 0)
		return "no partition";
	snprintf(out, sizeof out, "%s %s", sl_partset_get(ps, 0)->name, values(0));
	return out;
}

static void test_auto_range(void)
{
	char r[128];
	size_t n, idx;

	EQ(auto_range("date", "day", "2022-03-15|0"), "p20220315000000 VALUES [(\"2022-03-15\"), (\"2022-03-16\"))");
	EQ(auto_range("date", "week", "2022-03-17|0"), "p20220314000000 VALUES [(\"2022-03-14\"), (\"2022-03-21\"))");
	EQ(auto_range("date", "week", "2022-03-14|0"), "p20220314000000 VALUES [(\"2022-03-14\"), (\"2022-03-21\"))");
	EQ(auto_range("date", "week", "2022-03-20|0"), "p20220314000000 VALUES [(\"2022-03-14\"), (\"2022-03-21\"))");
	EQ(auto_range("date", "month", "2022-12-31|0"), "p20221201000000 VALUES [(\"2022-12-01\"), (\"2023-01-01\"))");
	EQ(auto_range("date", "year", "2022-07-04|0"), "p20220101000000 VALUES [(\"2022-01-01\"), (\"2023-01-01\"))");
	EQ(auto_range("date", "year", "9999-07-04|0"), "p99990101000000 VALUES [(\"9999-01-01\"), (MAXVALUE))");
	EQ(auto_range("datetime", "day", "2022-12-31 23:59:59|0"),
		"p20221231000000 VALUES [(\"2022-12-31 00:00:00\"), (\"2023-01-01 00:00:00\"))");
	EQ(auto_range("datetime", "month", "2022-12-31 23:59:59|0"),
		"p20221201000000 VALUES [(\"2022-12-01 00:00:00\"), (\"2023-01-01 00:00:00\"))");
	EQ(auto_range("datetime(3)", "day", "1969-12-31 12:00:00.5|0"),
		"p19691231000000 VALUES [(\"1969-12-31 00:00:00.000\"), (\"1970-01-01 00:00:00.000\"))");
	EQ(auto_range("datetime", "week", "1970-01-01 00:00:00|0"),
		"p19691229000000 VALUES [(\"1969-12-29 00:00:00\"), (\"1970-01-05 00:00:00\"))");
	/* the made partition routes its rows; making it again is refused */
	auto_range("date", "month", "2022-03-15|0");
	EQ(route("2022-03-31|0", 0), "p20220301000000");
	EQ(route("2022-04-01|0", 0), "-");
	n = row("2022-03-02|0", r);
	CHECK(sl_partset_auto(ps, r, n, &idx) == -1 && errno == EEXIST && sl_partset_n(ps) == 1,
		"the same partition twice: EEXIST (%s)", sl_partset_error(ps));
	/* a hand-made partition in the way: Doris's overlap message */
	EQ(add("PARTITION hand VALUES [('2022-05-10'), ('2022-05-11'))", 0, 0), "");
	n = row("2022-05-20|0", r);
	CHECK(sl_partset_auto(ps, r, n, &idx) == -1 && errno == EEXIST
		&& strstr(sl_partset_error(ps), "is intersected with range"), "overlap: %s", sl_partset_error(ps));
	table("create table t (d date null, v int) duplicate key(d) auto partition by range (date_trunc(d, 'day')) ()");
	n = row("\\N|0", r);
	CHECK(sl_partset_auto(ps, r, n, &idx) == 0 && sl_partset_n(ps) == 0, "NULL: no partition");
	table("create table t (d date, v int) duplicate key(d) partition by range (d) ()");
	n = row("2022-01-01|0", r);
	CHECK(sl_partset_auto(ps, r, n, &idx) == 0, "not AUTO: 0");
}

static const char *auto_list(const char *ddl, const char *value)
{
	static char out[256];
	char r[256];
	size_t n, idx = 99;
	int k;

	table(ddl);
	n = row(value, r);
	k = sl_partset_auto(ps, r, n, &idx);
	if (k != 1)
		return k ? sl_partset_error(ps) : "no partition";
	snprintf(out, sizeof out, "%s %s", sl_partset_get(ps, idx)->name, values(idx));
	return out;
}

static void test_auto_list(void)
{
	static const char one[] = "create table t (s varchar(100), v int) duplicate key(s) auto partition by list (s) ()";
	static const char two[] = "create table t (s varchar(10), t varchar(10), v int) duplicate key(s, t) "
		"auto partition by list (s, t) ()";
	static const char num[] = "create table t (k bigint, v int) duplicate key(k) auto partition by list (k) ()";

	EQ(auto_list(one, "helloworld|0"), "phelloworld10 VALUES IN ((\"helloworld\"))");
	EQ(auto_list(two, "hello|world|0"), "phello5world5 VALUES IN ((\"hello\", \"world\"))");
	EQ(auto_list(one, "\xe4\xbd\xa0\xe5\xa5\xbd|0"), "p4f60597d2 VALUES IN ((\"\xe4\xbd\xa0\xe5\xa5\xbd\"))");
	EQ(auto_list(one, "a-b|0"), "pa2db3 VALUES IN ((\"a-b\"))");
	EQ(auto_list(one, "\xf0\x9f\x98\x80|0"), "p1f600de002 VALUES IN ((\"\xf0\x9f\x98\x80\"))");
	EQ(auto_list(num, "-11|0"), "p_2d113 VALUES IN ((\"-11\"))");
	EQ(auto_list(one, "\\N|0"), "pX VALUES IN ((NULL))");
	EQ(auto_list(two, "\\N|b|0"), "pXb1 VALUES IN ((NULL, \"b\"))");
	EQ(auto_list(one, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij|0"),
		"Partition name's length is over limit of 50. abort to create.");
	CHECK(errno == ENAMETOOLONG && sl_partset_n(ps) == 0, "over the limit: ENAMETOOLONG, nothing added");
	auto_list(one, "x|0");
	EQ(route("x|0", 0), "px1");
	roundtrip("auto list");
}

static void test_tuple_text(void)
{
	sl_buf b = SL_BUF_ZERO;
	char r[128];
	size_t n;

	table("create table t (k int, d date, s varchar(10)) unique key(k) distributed by hash(k)");
	n = row("1|\\N|a\"b", r);
	CHECK(sl_part_tuple_text(&sch, r, n, &b) == 1, "tuple text");
	CHECK(b.len == 19 && !memcmp(b.p, "[\"1\", null, \"a\\\"b\"]", 19), "%.*s", (int)b.len, b.p);
	b.len = 0;
	CHECK(sl_part_tuple_text(&sch, r, 6, &b) == -1 && errno == EPROTO, "a damaged row: EPROTO");
	sl_buf_free(&b);
	/* an unpartitioned table: its one implicit partition holds every row */
	{
		sl_partinfo one = { .id = 0, .name = "t", .values = "" };
		sl_partset_free(ps);
		ps = sl_partset_new(&sch, &one, 1, err, sizeof err);
		CHECK(ps && sl_partset_n(ps) == 1, "the implicit partition: %s", err);
		EQ(route("5|2020-01-01|x", 0), "t");
		EQ(route("5|2020-01-01|x", 1), "-");
		EQ(prune("k = 1"), "1");
		EQ(add("PARTITION p VALUES IN ('1')", 0, 0), "Table is not partitioned: it takes no PARTITION clause");
	}
	{
		sl_partinfo bad = { .id = 1, .name = "p", .values = "VALUES [(\"1\"), (\"x\"))" };
		sl_partset_free(ps);
		ps = 0;
		table("create table t (k int, v int) duplicate key(k) partition by range(k) ()");
		sl_partset_free(ps);
		ps = sl_partset_new(&sch, &bad, 1, err, sizeof err);
		CHECK(!ps && !strcmp(err, "partition p: Invalid number format: x"), "a bad stored text: %s", err);
		bad.values = "";
		ps = sl_partset_new(&sch, &bad, 1, err, sizeof err);
		CHECK(!ps && strstr(err, "do not fit"), "an implicit partition in a partitioned table: %s", err);
		bad.values = "PARTITION p VALUES [(\"1\"), (\"2\"))";
		ps = sl_partset_new(&sch, &bad, 1, err, sizeof err);
		CHECK(!ps && strstr(err, "not a canonical VALUES text"), "a clause is not a VALUES text: %s", err);
		table("create table t (k int, v int) duplicate key(k) partition by range(k) ()");
	}
}

static void test_clause_text(void)
{
	sl_pclause c;

	CHECK(sl_pclause_parse("PARTITION IF NOT EXISTS `my_p` VALUES [(-1, 'a'), (MAXVALUE))", 61, &c, err, sizeof err) == 1,
		"clause: %s", err);
	CHECK(c.if_not_exists && !strcmp(c.name, "my_p") && c.kind == SL_PART_RANGE && c.ntup == 2 && c.nv == 3,
		"clause parts");
	CHECK(c.v[0].kind == SL_PV_VALUE && !strcmp(c.v[0].s, "-1") && c.v[2].kind == SL_PV_MAX, "values");
	sl_pclause_free(&c);
	CHECK(sl_pclause_parse("VALUES IN ((1, 2), (3, NULL))", 29, &c, err, sizeof err) == 1 && c.kind == SL_PART_LIST
		&& c.ntup == 2 && c.off[1] == 2 && c.v[3].kind == SL_PV_NULL, "list tuples: %s", err);
	sl_pclause_free(&c);
	CHECK(sl_pclause_parse("VALUES [(1), (2)) x", 19, &c, err, sizeof err) == 0
		&& !strcmp(err, "syntax error at position 19 near 'x': expected the end of the partition clause"), "%s", err);
	CHECK(sl_pclause_parse("VALUES IN ('a", 13, &c, err, sizeof err) == 0, "unterminated: %s", err);
	CHECK(sl_pclause_parse("", 0, &c, err, sizeof err) == 0, "empty: %s", err);
	CHECK(sl_pclause_parse("PARTITION `my p` VALUES IN (1)", 30, &c, err, sizeof err) == 0
		&& !strcmp(err, "Incorrect partition name 'my p'"), "name: %s", err);
	CHECK(sl_pclause_parse("PARTITION _p VALUES IN (1)", 26, &c, err, sizeof err) == 0
		&& !strcmp(err, "Incorrect partition name '_p'"), "name: %s", err);
	CHECK(sl_pclause_parse("VALUES IN ('a\0b')", 17, &c, err, sizeof err) == 0
		&& !strcmp(err, "A partition value may not hold a NUL byte (at position 12)"), "NUL: %s", err);
}

int main(void)
{
	test_clause_text();
	test_range_date();
	test_range_multi();
	test_list();
	test_auto_range();
	test_auto_list();
	test_tuple_text();
	sl_partset_free(ps);
	sl_schema_free(&sch);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
