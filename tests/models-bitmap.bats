#!/usr/bin/env bats
# BITMAP and HLL values: the unit tests of their encodings (bitmap.c,
# hll.c), every function through sl-sql with Doris's NULL, negative and
# non-numeric rules, the aggregates over them, their display as NULL, the
# refusals with Doris's messages, and the functions in a load's columns and
# where.
load test_helper

# q SQL: the one result row of a SELECT, tab-separated, no header.
q() { sl-sql -BN -e "$1"; }
# sel SQL ROW: SQL succeeds, silently, with the one result row ROW.
sel() {
	run -0 --separate-stderr q "$1"
	[ "$stderr" = "" ] && [ "$output" = "$2" ]
}
# refused SQL ERROR: SQL fails with sl-sql's "ERROR ..." line ERROR.
refused() {
	run -1 --separate-stderr sl-sql -e "$1"
	[ "$output" = "" ] && [ "$stderr" = "sl-sql: ERROR $2" ]
}

@test "bitmap, hll: unit tests of the encodings, union, count and the 2% HLL error at 1M values" {
	run -0 --separate-stderr "$SL_UNIT/test-bitmap"
	[[ "$output" == *" passed, 0 failed" ]]
	run -0 --separate-stderr "$SL_UNIT/test-hll"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "to_bitmap: integers and their text; NULL, negative, non-numeric and out-of-range give the empty bitmap" {
	sel "select bitmap_to_string(to_bitmap(10)), bitmap_to_string(to_bitmap('42')), bitmap_to_string(to_bitmap(18446744073709551615)), bitmap_count(to_bitmap(0))" "10	42	18446744073709551615	1"
	sel "select bitmap_to_string(to_bitmap(-5)), bitmap_count(to_bitmap(NULL)), bitmap_to_string(to_bitmap('abc')), bitmap_count(to_bitmap('18446744073709551616')), bitmap_count(to_bitmap(-1))" "	0		0	0"
}

@test "bitmap_from_string, bitmap_to_string, bitmap_empty, bitmap_count" {
	sel "select bitmap_to_string(bitmap_from_string('0, 1, 2')), bitmap_to_string(bitmap_from_string('9,3,3,4294967296')), bitmap_to_string(bitmap_empty()), bitmap_count(bitmap_from_string('1,2,3'))" "0,1,2	3,9,4294967296		3"
	# invalid text is NULL; NULL in, NULL out; bitmap_count of NULL is 0
	sel "select bitmap_to_string(bitmap_from_string('-1, 0, 1, 2')), bitmap_from_string('a,b') IS NULL, bitmap_to_string(NULL), bitmap_count(NULL), bitmap_to_string(bitmap_from_string(''))" "NULL	1	NULL	0	"
}

@test "bitmap_from_string: more than 32 values and values past 2^32 round-trip" {
	local list
	list=$(seq -s, 1 40),4294967296,8589934593
	sel "select bitmap_to_string(bitmap_from_string('$list')), bitmap_count(bitmap_from_string('$list'))" "$list	42"
}

@test "bitmap_hash: MurmurHash3-32 as Doris (bitmap_hash('hello') = 1321743225); NULL gives the empty bitmap" {
	sel "select bitmap_to_string(bitmap_hash('hello')), bitmap_to_string(bitmap_hash('world')), bitmap_count(bitmap_hash(NULL)), bitmap_count(bitmap_hash(12))" "1321743225	2453398188	0	1"
}

@test "hll_hash, hll_empty, hll_cardinality" {
	sel "select hll_cardinality(hll_hash('a')), hll_cardinality(hll_hash(NULL)), hll_cardinality(hll_empty()), hll_cardinality(NULL), hll_hash(NULL) IS NULL" "1	0	0	0	0"
}

@test "BITMAP and HLL values are displayed as NULL" {
	sel "select to_bitmap(1), hll_hash('a'), bitmap_empty(), hll_empty()" "NULL	NULL	NULL	NULL"
	run -0 --separate-stderr sl-sql -e "select to_bitmap(1) as b"
	[ "$output" = "b
NULL" ]
}

@test "aggregates: bitmap_union_count, bitmap_union, hll_union_agg, hll_union, hll_raw_agg" {
	sel "select bitmap_union_count(to_bitmap(7)), bitmap_to_string(bitmap_union(bitmap_from_string('2,1'))), bitmap_count(bitmap_union(to_bitmap(3))), hll_union_agg(hll_hash('x')), hll_cardinality(hll_union(hll_hash('y'))), hll_cardinality(hll_raw_agg(hll_hash('z')))" "1	1,2	1	1	1	1"
	sel "select bitmap_union_count(to_bitmap(NULL)), hll_union_agg(hll_hash(NULL)), bitmap_union_count(NULL)" "0	0	0"
}

@test "refused: comparisons and arithmetic over BITMAP/HLL, with Doris's messages" {
	refused "select to_bitmap(1) = to_bitmap(1)" "1105 (HY000): Bitmap type dose not support operand: to_bitmap(1) = to_bitmap(1)"
	refused "select hll_hash('a') in (1, 2)" "1105 (HY000): Hll type dose not support operand: hll_hash('a') in (1, 2)"
	refused "select to_bitmap(1) + 1" "1105 (HY000): Bitmap type dose not support operand: to_bitmap(1) + 1"
	run -1 --separate-stderr sl-sql -e "select 1 where hll_empty() between 1 and 2"
	[[ "$stderr" == *"Hll type dose not support operand: hll_empty() between 1 and 2" ]]
}

@test "refused: casts from text to BITMAP/HLL and from them to anything else" {
	refused "select cast('1' as bitmap)" "1105 (HY000): can not cast from origin type varchar(1) to target type=bitmap"
	refused "select cast(hll_empty() as varchar(10))" "1105 (HY000): can not cast from origin type hll to target type=varchar(10)"
	refused "select cast(to_bitmap(1) as hll)" "1105 (HY000): can not cast from origin type bitmap to target type=hll"
}

@test "refused: wrong argument types, arity, min/max/sum of sketches" {
	refused "select bitmap_count(1)" "1105 (HY000): Can not find the compatibility function signature: bitmap_count(TINYINT)"
	refused "select hll_cardinality(to_bitmap(1))" "1105 (HY000): Can not find the compatibility function signature: hll_cardinality(BITMAP)"
	refused "select bitmap_union_count(hll_hash('a'))" "1105 (HY000): Can not find the compatibility function signature: bitmap_union_count(HLL)"
	refused "select to_bitmap(bitmap_empty())" "1105 (HY000): Can not find the compatibility function signature: to_bitmap(BITMAP)"
	refused "select bitmap_empty(1)" "1064 (42000): Can not found function 'bitmap_empty' which has 1 arity"
	run -1 --separate-stderr sl-sql -e "select max(to_bitmap(1))"
	[[ "$stderr" == "sl-sql: ERROR 1105 (HY000): Doris hll, bitmap, array, map, struct, jsonb, variant column must use with specific function, and don't support filter, group by or order by."* ]]
	run -1 --separate-stderr sl-sql -e "select sum(hll_hash('a'))"
	[[ "$stderr" == *"must use with specific function"* ]]
}

@test "a load's columns and where use the functions (sl-map, sl-filter)" {
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.t (k INT NOT NULL, v VARCHAR(30), n BIGINT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '1|42\n2|-3\n3|abc\n4|7,8\n' | sl-parse -H 'column_separator:|' \
		| sl-map -H 'columns: k, tmp, v = bitmap_to_string(to_bitmap(tmp)), n = bitmap_count(bitmap_from_string(tmp)) + hll_cardinality(hll_hash(tmp))' d.t > m.sl
	run -0 --separate-stderr bash -c 'sl-dump < m.sl 2>&1 | grep -v "^# counters"'
	[ "$output" = "k	v	n
1	42	2
2		1
3		1
4		3" ]
	run -0 --separate-stderr bash -c 'sl-filter -H "where: bitmap_count(bitmap_from_string(v)) = 1" < m.sl | sl-dump 2>&1 | grep -v "^# counters"'
	[ "$output" = "k	v	n
1	42	2" ]
}
