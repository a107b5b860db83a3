/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-schema.c -- unit tests for libcommon/schema.c: parsing Doris CREATE
 * TABLE, Doris's default key and distribution, the canonical rendering and
 * its round trip, and error positions.
 * Prints "N passed, M failed"; exits 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "types.h"
#include "schema.h"

static int npass, nfail;

#define CHECK(cond, ...) do { \
	if (cond) npass++; \
	else { nfail++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

static int parse(const char *ddl, const char *db, sl_schema *s, char *err)
{
	return sl_schema_parse(ddl, strlen(ddl), db, s, err, 256);
}

/* The key columns joined by ',' for one DDL ("ERR: message" on failure). */
static const char *keys(const char *ddl)
{
	static char out[512];
	char err[256];
	sl_schema s;

	if (!parse(ddl, "d", &s, err)) {
		snprintf(out, sizeof out, "ERR: %s", err);
		return out;
	}
	out[0] = 0;
	for (size_t i = 0; i < s.nkeys; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, s.keys[i]);
	}
	sl_schema_free(&s);
	return out;
}

static void test_seed(void)
{
	const char *ddl = "CREATE TABLE testdb.test_streamload(\n"
		"user_id BIGINT NOT NULL COMMENT \"user id\",\n"
		"name VARCHAR(20) COMMENT \"name\",\n"
		"age INT COMMENT \"age\"\n)\n"
		"DUPLICATE KEY(user_id)\nDISTRIBUTED BY HASH(user_id) BUCKETS 10;";
	char err[256];
	sl_schema s;

	CHECK(parse(ddl, 0, &s, err) == 1, "seed: %s", err);
	CHECK(!strcmp(s.db, "testdb") && !strcmp(s.name, "test_streamload"), "names");
	CHECK(s.ncols == 3, "ncols %zu", s.ncols);
	CHECK(s.cols[0].type.kind == SL_T_BIGINT && !s.cols[0].nullable && s.cols[0].is_key, "user_id");
	CHECK(s.cols[1].type.kind == SL_T_VARCHAR && s.cols[1].type.len == 20 && s.cols[1].nullable, "name");
	CHECK(!strcmp(s.cols[2].comment, "age"), "comment");
	CHECK(s.model == SL_MODEL_DUPLICATE && s.nkeys == 1, "keys");
	CHECK(!s.dist_random && s.ndist_cols == 1 && s.buckets == 10, "distribution");
	CHECK(sl_schema_col(&s, "AGE", 3) == 2 && sl_schema_col(&s, "x", 1) == -1, "sl_schema_col");
	sl_schema_free(&s);
}

static void test_roundtrip(void)
{
	const char *ddl = "create table if not exists `t` (a int, `b c` varchar(5) not null default 'x\\'y' comment 'q\"', "
		"ts datetime(6) default current_timestamp, d decimal(15, 2) default -0.5) "
		"engine = olap comment 'tbl' distributed by random buckets auto properties ('k' = 'v')";
	char err[256], *r1, *r2;
	sl_schema s, s2;

	CHECK(parse(ddl, "db", &s, err) == 1, "parse: %s", err);
	CHECK(s.if_not_exists && !strcmp(s.db, "db"), "if not exists, default db");
	CHECK(s.cols[1].default_kind == SL_DEFAULT_VALUE && !strcmp(s.cols[1].default_value, "x'y"), "default");
	CHECK(s.cols[2].default_kind == SL_DEFAULT_CURRENT_TIMESTAMP, "current_timestamp");
	CHECK(!strcmp(s.cols[3].default_value, "-0.5"), "negative default %s", s.cols[3].default_value);
	r1 = sl_schema_render(&s);
	CHECK(r1 && parse(r1, "db", &s2, err) == 1, "reparse: %s", err);
	r2 = sl_schema_render(&s2);
	CHECK(r1 && r2 && !strcmp(r1, r2), "render differs:\n%s\n%s", r1, r2);
	CHECK(r1 && strstr(r1, "`b c` varchar(5) NOT NULL DEFAULT \"x'y\" COMMENT \"q\\\"\",\n"), "%s", r1);
	CHECK(r1 && strstr(r1, "DUPLICATE KEY(`a`, `b c`)\nCOMMENT 'tbl'\nDISTRIBUTED BY RANDOM BUCKETS AUTO\nPROPERTIES (\n\"k\" = \"v\"\n);"), "%s", r1);
	free(r1);
	free(r2);
	sl_schema_free(&s);
	sl_schema_free(&s2);
	CHECK(parse("CREATE TABLE t (a INT)", 0, &s, err) == 1 && s.db == 0, "no db");
	sl_schema_free(&s);
}

static void test_default_keys(void)
{
	CHECK(!strcmp(keys("create table t (a int, b bigint, c int, d int)"), "a,b,c"), "%s", keys("create table t (a int, b bigint, c int, d int)"));
	CHECK(!strcmp(keys("create table t (a varchar(10), b int)"), "a"), "varchar stops");
	CHECK(!strcmp(keys("create table t (a int, s string)"), "a"), "string stops");
	CHECK(!strcmp(keys("create table t (a int, f double, b int)"), "a"), "double stops");
	CHECK(!strcmp(keys("create table t (c char(40), b int)"), "c"), "long char first");
	CHECK(!strcmp(keys("create table t (a largeint, b largeint, c largeint)"), "a,b"), "36 bytes");
	CHECK(!strncmp(keys("create table t (f float)"), "ERR: The olap table first column", 32), "float first");
}

static void test_errors(void)
{
	CHECK(!strcmp(keys("create table t (a int,, b int)"), "ERR: syntax error at position 23 near ',': expected a column name"), "%s", keys("create table t (a int,, b int)"));
	CHECK(!strcmp(keys("create table t (a int) unique key(a)"), "ERR: UNIQUE KEY is not supported yet (at position 24)"), "%s", keys("create table t (a int) unique key(a)"));
	CHECK(!strcmp(keys("create table t (a int) unique key(a) foo"), "ERR: syntax error at position 38 near 'foo': unexpected table clause"), "syntax before unsupported");
	CHECK(!strcmp(keys("create table t (a int auto_increment)"), "ERR: AUTO_INCREMENT is not supported yet (at position 23)"), "auto_increment");
	CHECK(!strcmp(keys("create table t (a bitmap)"), "ERR: type bitmap is not supported yet (at position 19)"), "%s", keys("create table t (a bitmap)"));
	/* complex types are columns since issue 4, but never the (default) key */
	CHECK(!strcmp(keys("create table t (a map<int,int>)"), "ERR: The olap table first column could not be float, double, string or array, struct, map, please use decimal or varchar instead."), "%s", keys("create table t (a map<int,int>)"));
	CHECK(!strcmp(keys("create table t (a int(11), b bigint(30))"), "a,b"), "display widths");
	CHECK(!strcmp(keys("select 1"), "ERR: syntax error at position 1 near 'select': expected CREATE"), "%s", keys("select 1"));
}

int main(void)
{
	test_seed();
	test_roundtrip();
	test_default_keys();
	test_errors();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
