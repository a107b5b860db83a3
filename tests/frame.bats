#!/usr/bin/env bats
# The row stream library (libcommon/frame.c): round trips, NULL vs '',
# truncation at every byte, bad magic, oversize frames, CRC.
load test_helper

@test "frame: unit tests of reader and writer" {
	run -0 "$SL_UNIT/test-frame"
	[[ "$output" == *" passed, 0 failed" ]]
}

# script(1) gets /dev/null as stdin: with stdin closed (as under CI) it may
# print nothing at all.
@test "frame: a stage whose stdout is a terminal prints readable rows" {
	seed_table
	run -0 script -qec "sl-parse -H column_separator:, < streamload_example.csv | sl-map testdb.test_streamload" /dev/null < /dev/null
	output=$(printf '%s\n' "$output" | tr -d '\r')
	[ "${lines[0]%$'\r'}" = "user_id | name | age" ]
	[[ "$output" == *$'\n1 | Emily | 25\n'* ]]
	[[ "$output" == *$'\n10 | Liam | 64'* ]]
}

@test "frame: sl-parse's own rows on a terminal, text and columnar (rows built in place print as rows)" {
	printf '1,a\n2,\\N\n' > in.csv
	run -0 script -qec "sl-parse -H column_separator:, < in.csv" /dev/null < /dev/null
	output=$(printf '%s\n' "$output" | tr -d '\r')
	[[ "$output" == *$'\n1 | a\n2 | NULL'* ]]
	run -0 script -qec "sl-parse -H format:parquet < '${SL_CORPUS:-$BATS_TEST_DIRNAME/../../shared/corpus}/parquet/data/alltypes_plain.parquet'" /dev/null < /dev/null
	output=$(printf '%s\n' "$output" | tr -d '\r')
	[[ "$output" == "id | bool_col | tinyint_col"* ]]
	[[ "$output" == *$'\n5 | 0 | 1 | 1 | 1 | 10 | 1.1 | 10.1 | 03/01/09 | 1 | 2009-03-01 08:01:00.000000\n'* ]]
}

@test "frame: on a terminal, NULL prints as NULL and filtered rows as comments" {
	seed_table
	printf '1,\\N,3\n2,x\n' > in.csv
	run -0 script -qec "sl-parse -H column_separator:, < in.csv | sl-map testdb.test_streamload" /dev/null < /dev/null
	output=$(printf '%s\n' "$output" | tr -d '\r')
	[[ "$output" == *$'\n1 | NULL | 3\n'* ]]
	[[ "$output" == *"# filtered (line 2): Column count mismatch: expected 3, but found 2 (sep:, delim:\n) src line [2,x]"* ]]
}
