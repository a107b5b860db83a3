#!/usr/bin/env bats
# sl-filter: `where` over typed rows (false or NULL -> unselected, counted),
# pass-through without where, Doris's messages for bad conditions, and the
# stream failure paths.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.t (k INT NOT NULL, v VARCHAR(5), n DECIMAL(9,2) NULL) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '1,a,1.5\n2,b,\\N\n3,c,7\n4,\\N,2\n' | sl-parse -H column_separator:, | sl-map d.t > in.sl
}

# Rows and the last counters line (NumberUnselectedRows), for bash -c.
OUT='sl-dump 2>&1 | grep -v "^# counters: [cL]"'

@test "sl-filter: without where every frame passes through" {
	run -0 --separate-stderr bash -c "sl-filter < in.sl | $OUT"
	[ "$stderr" = "" ]
	[ "$output" = "k	v	n
1	a	1.50
2	b	\\N
3	c	7.00
4	\\N	2.00
# counters: NumberUnselectedRows=0" ]
	# byte for byte the same up to the E frame (16 bytes), before which the
	# NumberUnselectedRows counter goes
	local n=$(( $(stat -c %s in.sl) - 16 ))
	cmp <(sl-filter < in.sl | head -c $n) <(head -c $n in.sl)
}

@test "sl-filter: where drops false and NULL rows and counts them" {
	run -0 --separate-stderr bash -c "sl-filter -H 'where: n > 1.6' < in.sl | $OUT"
	[ "$stderr" = "" ]
	[ "$output" = "k	v	n
3	c	7.00
4	\\N	2.00
# counters: NumberUnselectedRows=2" ]
	run -0 --separate-stderr bash -c "sl-filter -H 'where:v IS NULL OR k IN (1, 2)' < in.sl | $OUT"
	[ "$output" = "k	v	n
1	a	1.50
2	b	\\N
4	\\N	2.00
# counters: NumberUnselectedRows=1" ]
}

@test "sl-filter: error records and counters pass through" {
	printf '1,a,1\nbad\n' | sl-parse -H column_separator:, | sl-map d.t > f.sl
	run -0 --separate-stderr bash -c 'sl-filter -H "where: k > 5" < f.sl | sl-dump 2>&1 | sed -E "s/(TimeMs=)[0-9]+/\\1N/g"'
	[ "$output" = "# counters: column_separator=, line_delimiter=\\n StartTimeMs=N column_separator_hex=2c line_delimiter_hex=0a
k	v	n
# filtered: line 2: Column count mismatch: expected 3, but found 1 (sep:, delim:\\n): src [bad]
# counters: LoadBytes=10 ReadDataTimeMs=N
# counters: NumberUnselectedRows=1" ]
}

@test "sl-filter: unknown column and syntax errors" {
	run -1 --separate-stderr bash -c 'sl-filter -H "where: nosuch > 1" < in.sl > /dev/null'
	[[ "$stderr" == "sl-filter: fatal: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = "*"Unknown column 'nosuch'"* ]]
	run -1 --separate-stderr bash -c 'sl-filter -H "where: k >" < in.sl > /dev/null'
	[[ "$stderr" == "sl-filter: fatal: [INTERNAL_ERROR]TStatus: ParseException: "* ]]
	run -0 --separate-stderr bash -c 'sl-filter -H "where: k >" < in.sl 2>/dev/null | sl-dump > /dev/null; echo "${PIPESTATUS[*]}"'
	[ "$output" = "1 1" ]
	[[ "$stderr" == *"
sl-dump: fatal: stream aborted upstream: [INTERNAL_ERROR]TStatus: ParseException: "* ]]
}

@test "sl-filter: an upstream X is passed on with exit 1" {
	run -0 --separate-stderr bash -c 'sl-parse -H format:xml < /dev/null 2>/dev/null | sl-filter -H "where: bad syntax (" | sl-dump; echo "${PIPESTATUS[*]}"'
	[ "$output" = "1 1 1" ]
	[ "$stderr" = "sl-dump: fatal: stream aborted upstream: [E-1101]unknown data format, format=xml" ]
}

@test "sl-filter: truncated input is 111 with an X frame; bad magic is 100" {
	head -c $(( $(stat -c %s in.sl) - 1 )) in.sl > cut.sl
	run -0 --separate-stderr bash -c 'sl-filter < cut.sl | sl-dump > /dev/null 2>dump.err; echo "${PIPESTATUS[*]}"; grep -v "^#" dump.err'
	[ "${lines[0]}" = "111 1" ]
	[[ "$stderr" == "sl-filter: fatal: truncated stream at byte "*" (no end frame)" ]]
	[[ "${lines[1]}" == "sl-dump: fatal: stream aborted upstream: [INTERNAL_ERROR]sl-filter: truncated stream at byte "* ]]
	run -100 --separate-stderr bash -c 'echo hello | sl-filter > /dev/null'
	[ "$stderr" = "sl-filter: fatal: stdin is not an sl stream" ]
	run -111 --separate-stderr bash -c 'sl-filter < /dev/null > /dev/null'
	[ "$stderr" = "sl-filter: fatal: empty input: stdin is not an sl stream" ]
}

@test "sl-filter: stdout on /dev/full fails with 111" {
	run -111 --separate-stderr bash -c 'sl-filter < in.sl > /dev/full'
	[ "$stderr" = "sl-filter: fatal: unable to write stdout: No space left on device" ]
}

@test "sl-filter: usage errors" {
	# one DB.TABLE operand at most (a partitioned table's routing)
	run -100 --separate-stderr sl-filter d.t e.u
	[ "$stderr" = "sl-filter: usage: sl-filter [--data-dir DIR] [-H 'name:value']... [DB.TABLE]" ]
	run -100 --separate-stderr sl-filter nodot < /dev/null
	[ "$stderr" = "sl-filter: usage: sl-filter [--data-dir DIR] [-H 'name:value']... [DB.TABLE]" ]
	run -0 sl-filter --help
	[ "${lines[0]}" = "usage: sl-filter [--data-dir DIR] [-H 'name:value']... [DB.TABLE]" ]
}
