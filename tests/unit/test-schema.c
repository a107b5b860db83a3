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

/* render(s), checked to parse back (into *s2) and render the same. */
static char *roundtrip(const sl_schema *s, const char *db, sl_schema *s2)
{
	char err[256], *r1 = sl_schema_render(s), *r2 = 0;

	memset(s2, 0, sizeof *s2);
	CHECK(r1 && parse(r1, db, s2, err) == 1, "reparse: %s", err);
	if (s2->name)
		r2 = sl_schema_render(s2);
	CHECK(r1 && r2 && !strcmp(r1, r2), "render differs:\n%s\n%s", r1 ? r1 : "", r2 ? r2 : "");
	free(r2);
	return r1;
}

static void test_roundtrip(void)
{
	const char *ddl = "create table if not exists `t` (a int, `b c` varchar(5) not null default 'x\\'y' comment 'q\"', "
		"ts datetime(6) default current_timestamp, d decimal(15, 2) default -0.5) "
		"engine = olap comment 'tbl' distributed by random buckets auto properties ('k' = 'v')";
	char err[256], *r1;
	sl_schema s, s2;

	CHECK(parse(ddl, "db", &s, err) == 1, "parse: %s", err);
	CHECK(s.if_not_exists && !strcmp(s.db, "db"), "if not exists, default db");
	CHECK(s.cols[1].default_kind == SL_DEFAULT_VALUE && !strcmp(s.cols[1].default_value, "x'y"), "default");
	CHECK(s.cols[2].default_kind == SL_DEFAULT_CURRENT_TIMESTAMP, "current_timestamp");
	CHECK(!strcmp(s.cols[3].default_value, "-0.5"), "negative default %s", s.cols[3].default_value);
	r1 = roundtrip(&s, "db", &s2);
	CHECK(r1 && strstr(r1, "`b c` varchar(5) NOT NULL DEFAULT \"x'y\" COMMENT \"q\\\"\",\n"), "%s", r1);
	CHECK(r1 && strstr(r1, "DUPLICATE KEY(`a`, `b c`)\nCOMMENT 'tbl'\nDISTRIBUTED BY RANDOM BUCKETS AUTO\nPROPERTIES (\n\"k\" = \"v\"\n);"), "%s", r1);
	free(r1);
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
	CHECK(!strcmp(keys("create table t (a int) partition by range(a) () foo"), "ERR: syntax error at position 49 near 'foo': unexpected table clause"), "%s",
		keys("create table t (a int) partition by range(a) () foo"));
	CHECK(!strcmp(keys("create table t (a int auto_increment)"), "ERR: AUTO_INCREMENT is not supported yet (at position 23)"), "auto_increment");
	CHECK(!strcmp(keys("create table t (a quantile_state)"), "ERR: type quantile_state is not supported yet (at position 19)"), "%s", keys("create table t (a quantile_state)"));
	/* complex types are columns since issue 4, but never the (default) key */
	CHECK(!strcmp(keys("create table t (a map<int,int>)"), "ERR: The olap table first column could not be float, double, string or array, struct, map, please use decimal or varchar instead."), "%s", keys("create table t (a map<int,int>)"));
	CHECK(!strcmp(keys("create table t (a int(11), b bigint(30))"), "a,b"), "display widths");
	CHECK(!strcmp(keys("select 1"), "ERR: syntax error at position 1 near 'select': expected CREATE"), "%s", keys("select 1"));
}

/* The error of one DDL ("" if it parses). */
static const char *error(const char *ddl)
{
	static char err[256];
	sl_schema s;

	if (parse(ddl, "d", &s, err) == 1) {
		sl_schema_free(&s);
		return "";
	}
	return err;
}

#define ERR(ddl, msg) CHECK(!strcmp(error(ddl), msg), "%s\n  got  %s\n  want %s", ddl, error(ddl), msg)

/* The seed's UNIQUE table (its DESC shows the two hidden columns). */
static const char unique_seed[] = "CREATE TABLE table1 (name VARCHAR(100) NOT NULL, gender VARCHAR(10), age INT) "
	"UNIQUE KEY(name) DISTRIBUTED BY HASH(name) BUCKETS 1 "
	"PROPERTIES (\"function_column.sequence_col\" = \"age\")";

static void test_models(void)
{
	sl_schema s, s2;
	char *r1, err[256];

	CHECK(parse(unique_seed, "d", &s, err) == 1, "unique: %s", err);
	CHECK(s.model == SL_MODEL_UNIQUE && s.nvisible == 3 && s.ncols == 5, "unique shape %zu %zu", s.nvisible, s.ncols);
	CHECK(s.delete_sign == 3 && s.seq_col == 4 && s.seq_map == 2 && s.mow == 1, "model fields %ld %ld %ld %d",
		s.delete_sign, s.seq_col, s.seq_map, s.mow);
	CHECK(!strcmp(s.cols[3].name, "__DORIS_DELETE_SIGN__") && s.cols[3].hidden && !s.cols[3].nullable
		&& s.cols[3].type.kind == SL_T_TINYINT && s.cols[3].agg == SL_AGG_REPLACE
		&& s.cols[3].default_kind == SL_DEFAULT_VALUE && !strcmp(s.cols[3].default_value, "0"), "delete sign");
	CHECK(!strcmp(s.cols[4].name, "__DORIS_SEQUENCE_COL__") && s.cols[4].hidden && s.cols[4].nullable
		&& s.cols[4].type.kind == SL_T_INT, "sequence column");
	CHECK(!s.cols[0].agg && s.cols[1].agg == SL_AGG_REPLACE && !s.cols[2].hidden, "unique value columns REPLACE");
	r1 = roundtrip(&s, "d", &s2);
	CHECK(r1 && !strstr(r1, "__DORIS") && !strstr(r1, "REPLACE") && strstr(r1, "UNIQUE KEY(`name`)")
		&& strstr(r1, "\"function_column.sequence_col\" = \"age\""), "%s", r1);
	CHECK(s2.ncols == 5 && s2.seq_col == 4 && s2.seq_map == 2, "round trip");
	free(r1);
	sl_schema_free(&s);
	sl_schema_free(&s2);

	CHECK(parse("create table t (k int, v bigint) unique key(k) distributed by hash(k) "
		"properties ('function_column.sequence_type' = 'bigint', 'enable_unique_key_merge_on_write' = 'false')",
		"d", &s, err) == 1, "sequence_type: %s", err);
	CHECK(s.ncols == 4 && s.seq_col == 3 && s.seq_map == -1 && !s.mow && s.cols[3].type.kind == SL_T_BIGINT, "sequence_type shape");
	sl_schema_free(&s);
	CHECK(parse("create table t (k int, v int) unique key(k) distributed by hash(k)", "d", &s, err) == 1
		&& s.ncols == 3 && s.delete_sign == 2 && s.seq_col == -1 && s.mow, "plain unique");
	sl_schema_free(&s);

	CHECK(parse("create table t (k1 int, k2 varchar(5), s bigint sum, m datetime max, r varchar(3) replace, "
		"n int replace_if_not_null) aggregate key(k1, k2) distributed by hash(k1)", "d", &s, err) == 1, "agg: %s", err);
	CHECK(s.model == SL_MODEL_AGGREGATE && s.ncols == 6 && s.nvisible == 6 && s.delete_sign == -1 && s.nkeys == 2
		&& s.cols[2].agg == SL_AGG_SUM && s.cols[5].agg == SL_AGG_REPLACE_IF_NOT_NULL, "agg shape");
	r1 = roundtrip(&s, "d", &s2);
	CHECK(r1 && strstr(r1, "`s` bigint SUM NULL") && strstr(r1, "AGGREGATE KEY(`k1`, `k2`)"), "%s", r1);
	free(r1);
	sl_schema_free(&s);
	sl_schema_free(&s2);
	CHECK(!strcmp(keys("create table t (a int, b int, c int sum, d int max)"), "a,b"), "implicit aggregate keys");

	ERR("create table t (a int, b int) unique key(b) distributed by hash(b)",
		"Key columns should be a ordered prefix of the schema. KeyColumns[0] (starts from zero) is b, but corresponding column is a in the previous columns declaration.");
	ERR("create table t (a int sum, b int) aggregate key(a) distributed by hash(a)",
		"Key column[a] should not specify aggregate type.");
	ERR("create table t (a int, b int) aggregate key(a) distributed by hash(a)",
		"AGG_KEYS table should specify aggregate type for non-key column[b]");
	ERR("create table t (a int, b int sum) unique key(a) distributed by hash(a)",
		"UNIQUE_KEYS table should not specify aggregate type for non-key column[b]");
	ERR("create table t (a int, b int replace) duplicate key(a)",
		"DUP_KEYS table should not specify aggregate type for non-key column[b]");
	ERR("create table t (a int, b varchar(10) sum) aggregate key(a) distributed by hash(a)",
		"Aggregate type SUM is not compatible with primitive type VARCHAR(10)");
	ERR("create table t (a int, b boolean max) aggregate key(a) distributed by hash(a)",
		"Aggregate type MAX is not compatible with primitive type BOOLEAN");
	ERR("create table t (a int, b int not null replace_if_not_null) aggregate key(a) distributed by hash(a)",
		"REPLACE_IF_NOT_NULL column must be nullable, maybe should use REPLACE, column:b");
	ERR("create table t (a int, b int) unique key(a)",
		"Should not be distributed by random when keys type is unique");
	ERR("create table t (a int, b int replace) aggregate key(a) distributed by random",
		"Should not be distributed by random when keys type is aggand column is in replace, [b] is invalid");
	ERR("create table t (a int, b int) duplicate key(a) properties ('function_column.sequence_col' = 'b')",
		"sequence column only support UNIQUE_KEYS");
	ERR("create table t (a int, b int sum) aggregate key(a) properties ('function_column.sequence_type' = 'int')",
		"sequence column only support UNIQUE_KEYS");
	ERR("create table t (a int, b int) duplicate key(a) properties ('enable_unique_key_merge_on_write' = 'true')",
		"enable_unique_key_merge_on_write property only support unique key table");
	ERR("create table t (a int, b int) unique key(a) distributed by hash(a) properties ('enable_unique_key_merge_on_write' = 'yes')",
		"enable_unique_key_merge_on_write must be `true` or `false`");
	ERR("create table t (a int, b int) unique key(a) distributed by hash(a) properties ('function_column.sequence_col' = 'c')",
		"The specified sequence column[c] not exists");
	ERR("create table t (a int, b varchar(3)) unique key(a) distributed by hash(a) properties ('function_column.sequence_col' = 'b')",
		"Sequence type only support integer types and date types");
	ERR("create table t (a int, b int) unique key(a) distributed by hash(a) properties ('function_column.sequence_col' = 'a')",
		"The specified sequence column[a] is a key column: it must be a value column");
	ERR("create table t (a int, b int) unique key(a) distributed by hash(a) properties ('function_column.sequence_type' = 'double')",
		"sequence type only support integer types and date types");
	ERR("create table t (a int, b int) unique key(a) distributed by hash(a) properties "
		"('function_column.sequence_type' = 'int', 'function_column.sequence_col' = 'b')",
		"The sequence_col and sequence_type cannot be set at the same time");
	ERR("create table t (a int, __DORIS_DELETE_SIGN__ int) unique key(a) distributed by hash(a)",
		"Incorrect column name '__DORIS_DELETE_SIGN__'. Column names starting with '__DORIS_' are reserved for hidden columns");
	ERR("create table t (a int, v int sum) aggregate key(a) distributed by hash(v)",
		"Distribution column[v] is not key column");
	ERR("create table t (a int, v int) unique key(a) distributed by hash(v) properties ('enable_unique_key_merge_on_write' = 'false')",
		"Distribution column[v] is not key column");
	CHECK(!*error("create table t (a int, v int) unique key(a) distributed by hash(v)"), "merge-on-write: any distribution column");
	ERR("create table t (a int, b int) unique key(a) partition by range(b) (partition p1 values less than (10)) distributed by hash(a)",
		"The partition column could not be aggregated column and unique table's partition column must be key column");
}

/* PARTITION BY: the scheme, the clauses as written, Doris's refusals, the
 * rendering with an empty list and its round trip. */
static void test_partition(void)
{
	char err[256];
	sl_schema s, s2;
	char *r, *r2;

	CHECK(parse("create table t (d date, k int, v int) duplicate key(d, k) partition by range(d) "
		"(partition p1 values less than ('2020-01-01'), PARTITION `p2` VALUES [(\"2020-01-01\"), (\"2020-02-01\")))", 0, &s, err) == 1,
		"range: %s", err);
	CHECK(s.part.kind == SL_PART_RANGE && !s.part.autop && s.part.ncols == 1 && s.part.cols[0] == 0, "range scheme");
	CHECK(s.npart_clauses == 2 && !strcmp(s.part_clauses[0], "partition p1 values less than ('2020-01-01')")
		&& !strcmp(s.part_clauses[1], "PARTITION `p2` VALUES [(\"2020-01-01\"), (\"2020-02-01\"))"),
		"clauses as written: %s | %s", s.npart_clauses ? s.part_clauses[0] : "", s.npart_clauses > 1 ? s.part_clauses[1] : "");
	r = sl_schema_render(&s);
	CHECK(r && strstr(r, "COMMENT 'OLAP'\nPARTITION BY RANGE(`d`)\n()\nDISTRIBUTED BY RANDOM"), "render: %s", r ? r : "");
	CHECK(r && parse(r, 0, &s2, err) == 1, "round trip: %s", err);
	r2 = r ? sl_schema_render(&s2) : 0;
	CHECK(r2 && !strcmp(r, r2), "render(parse(render)) is stable: %s", r2 ? r2 : "");
	CHECK(s2.part.kind == SL_PART_RANGE && s2.part.ncols == 1 && s2.npart_clauses == 0, "round-tripped scheme");
	free(r);
	free(r2);
	sl_schema_free(&s2);
	sl_schema_free(&s);

	CHECK(parse("create table t (d datetime not null, k int) unique key(d, k) "
		"auto partition by range (date_trunc(`d`, 'Month')) () distributed by hash(k)", 0, &s, err) == 1, "auto range: %s", err);
	CHECK(s.part.autop && s.part.kind == SL_PART_RANGE && !strcmp(s.part.unit, "month"), "auto range scheme");
	r = sl_schema_render(&s);
	CHECK(r && strstr(r, "AUTO PARTITION BY RANGE (date_trunc(`d`, 'month'))\n()"), "auto render: %s", r ? r : "");
	CHECK(r && parse(r, 0, &s2, err) == 1 && s2.part.autop && !strcmp(s2.part.unit, "month"), "auto round trip: %s", err);
	free(r);
	sl_schema_free(&s2);
	sl_schema_free(&s);

	CHECK(parse("create table t (a varchar(10), b int, v int sum) aggregate key(a, b) auto partition by list (a, b) () "
		"distributed by hash(a)", 0, &s, err) == 1, "auto list: %s", err);
	CHECK(s.part.autop && s.part.kind == SL_PART_LIST && s.part.ncols == 2 && s.part.cols[1] == 1, "auto list scheme");
	sl_schema_free(&s);
	CHECK(parse("create table t (a int, b varchar(4)) duplicate key(a, b) partition by list(b) "
		"(partition p1 values in ('x', \"y\"), partition p2 values in ((NULL)))", 0, &s, err) == 1, "list: %s", err);
	CHECK(s.npart_clauses == 2 && !strcmp(s.part_clauses[1], "partition p2 values in ((NULL))"), "list clauses");
	sl_schema_free(&s);

	ERR("create table t (a int, b int) duplicate key(a) partition by range(c) ()",
		"Partition column[c] does not exist in column list.");
	ERR("create table t (a int, b int) duplicate key(a, b) partition by range(a, A) ()", "Duplicated partition column A");
	ERR("create table t (a int, f float) duplicate key(a) partition by list(f) ()",
		"Invalid partition column 'f': invalid data type FLOAT");
	ERR("create table t (a decimal(9, 2), b int) duplicate key(a) partition by list(a) ()",
		"Invalid partition column 'a': invalid data type DECIMAL(9,2)");
	ERR("create table t (a boolean, b int) duplicate key(a) partition by range(a) ()",
		"Column[a] type[BOOLEAN] cannot be a range partition key.");
	ERR("create table t (a varchar(3), b int) duplicate key(a) partition by range(a) ()",
		"Column[a] type[VARCHAR(3)] cannot be a range partition key.");
	ERR("create table t (a int, b int sum) aggregate key(a) partition by range(b) ()",
		"The partition column could not be aggregated column and unique table's partition column must be key column");
	ERR("create table t (a int, b int) duplicate key(a) partition by range(b) ()",
		"The partition column could not be aggregated column and unique table's partition column must be key column");
	ERR("create table t (a int, d date) duplicate key(a, d) auto partition by range (d) ()",
		"auto create partition only support date_trunc function of RANGE partition");
	ERR("create table t (a int, d date) duplicate key(a, d) auto partition by range (date_trunc(a, d, 'day')) ()",
		"auto create partition only support one slotRef in function expr");
	ERR("create table t (a int, d date) duplicate key(a, d) auto partition by range (date_trunc(a, 'day')) ()",
		"partition expr date_trunc is illegal! Column[a] type[INT] is not a DATE or DATETIME");
	ERR("create table t (a int, d date) duplicate key(a, d) auto partition by range (date_trunc(d, 'hour')) ()",
		"date_trunc unit 'hour' in AUTO PARTITION is not supported yet (at position 91)");
	ERR("create table t (a int, d date) duplicate key(a, d) auto partition by range (date_trunc(d, 'days')) ()",
		"partition expr date_trunc is illegal! unit 'days' (at position 91)");
	ERR("create table t (a int, d date) duplicate key(a, d) auto partition by range (to_date(d)) ()",
		"auto create partition only support function call expr is date_trunc/date_floor/date_ceil. to_date(...) (at position 77)");
	ERR("create table t (a int, d date) duplicate key(a, d) auto partition by list (a, lower(d)) ()",
		"auto create partition only support slotRef in list partitions.");
	ERR("create table t (a int) partition by range(a) (partition p1 values less (10))",
		"syntax error at position 72 near '(': expected THAN");
	ERR("create table t (a int) partition by range(a) (partition p1 values less than (10)) partition by list(a) ()",
		"syntax error at position 83 near 'partition': PARTITION BY given twice");
	ERR("create table t (a int) partition by range(a) (partition p1 values less than (10)) (x)",
		"syntax error at position 83 near '(': unexpected table clause");
	ERR("create table t (a int) partition by range(a) (partition p1 values [(1), (2)) ('replication_num' = '1'))",
		"partition properties are not supported yet (at position 78)");
	ERR("create table t (a int) partition by range(a) (values less than (10))",
		"syntax error at position 47: expected PARTITION");
	ERR("create table t (a int) partition by range(a) (partition p1 values less than (NULL))",
		"Can not use NULL as a RANGE partition value");
}

static void test_sketches(void)
{
	char err[256];
	sl_schema s;

	CHECK(parse("CREATE TABLE testdb.test_streamload(typ_id BIGINT NULL COMMENT \"ID\", hou VARCHAR(10) NULL COMMENT \"one\", "
		"arr BITMAP BITMAP_UNION NULL COMMENT \"two\") AGGREGATE KEY(typ_id,hou) DISTRIBUTED BY HASH(typ_id,hou) BUCKETS 10",
		0, &s, err) == 1, "seed bitmap table: %s", err);
	CHECK(s.ncols == 3 && s.cols[2].type.kind == SL_T_BITMAP && s.cols[2].agg == SL_AGG_BITMAP_UNION, "bitmap column");
	sl_schema_free(&s);
	CHECK(parse("CREATE TABLE testdb.test_streamload(typ_id BIGINT NULL COMMENT \"ID\", typ_name VARCHAR(10) NULL COMMENT \"NAME\", "
		"pv hll hll_union NULL COMMENT \"hll\") AGGREGATE KEY(typ_id,typ_name) DISTRIBUTED BY HASH(typ_id) BUCKETS 10",
		0, &s, err) == 1, "seed hll table: %s", err);
	CHECK(s.cols[2].type.kind == SL_T_HLL && s.cols[2].agg == SL_AGG_HLL_UNION, "hll column");
	sl_schema_free(&s);
	CHECK(!*error("create table t (k int, b bitmap, h hll) duplicate key(k)"), "sketches in a DUPLICATE table");
	CHECK(!*error("create table t (k int, b bitmap default null) unique key(k) distributed by hash(k)"), "bitmap DEFAULT NULL");
	ERR("create table t (b bitmap, k int) duplicate key(b)", "Key column can not set complex type:b");
	ERR("create table t (a bitmap)", "Key column can not set complex type:a");
	ERR("create table t (k int, b bitmap) aggregate key(k) distributed by hash(k)",
		"AGG_KEYS table should specify aggregate type for non-key column[b]");
	ERR("create table t (k int, b bitmap hll_union) aggregate key(k) distributed by hash(k)",
		"Aggregate type HLL_UNION is not compatible with primitive type BITMAP");
	ERR("create table t (k int, b bitmap replace) aggregate key(k) distributed by hash(k)",
		"Aggregate type REPLACE is not compatible with primitive type BITMAP");
	ERR("create table t (k int, h hll sum) aggregate key(k) distributed by hash(k)",
		"Aggregate type SUM is not compatible with primitive type HLL");
	ERR("create table t (k int, v int bitmap_union) aggregate key(k) distributed by hash(k)",
		"Aggregate type BITMAP_UNION is not compatible with primitive type INT");
	ERR("create table t (k int, h hll hll_union default null) aggregate key(k) distributed by hash(k)",
		"Hll type column can not set default value");
	ERR("create table t (k int, b bitmap bitmap_union default '1') aggregate key(k) distributed by hash(k)",
		"Bitmap type column can not set default value");
}

int main(void)
{
	test_sketches();
	test_models();
	test_seed();
	test_roundtrip();
	test_default_keys();
	test_errors();
	test_partition();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
