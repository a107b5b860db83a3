#!/usr/bin/env bats
# sl-map: source rows onto a table's typed columns. Positional mapping,
# `columns` with temporaries and derived columns, DEFAULT/NULL, non-strict
# casts, strict_mode, NOT NULL, VARCHAR overflow, column-count errors, the
# planning errors with Doris's messages, and the stream failure paths.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.t (k INT NOT NULL, v VARCHAR(5), n DECIMAL(9,2) NULL, dt DATE) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
}

# Rows and error records of the mapped stream (counters left out).
rows() { sl-dump 2>&1 | grep -v '^# counters'; }

# map BODY [sl-map options...]: comma-separated BODY through sl-parse and
# sl-map d.t.
map() {
	local body=$1
	shift
	printf "$body" | sl-parse -H column_separator:, | sl-map "$@" d.t | rows
}

@test "sl-map: fields map positionally onto the table's columns, typed" {
	run -0 --separate-stderr map '1,abc,3.14159,2024-4-2\n2,\\N,,\n'
	[ "$stderr" = "" ]
	[ "$output" = "k	v	n	dt
1	abc	3.14	2024-04-02
2	\\N	\\N	\\N" ]
}

@test "sl-map: the header names the columns and their types" {
	printf "1\tx\t1\t2024-01-01\n" | sl-parse | sl-map d.t > s.sl
	local t
	for t in 'INT' 'VARCHAR(5)' 'DECIMAL(9,2)' 'DATE'; do
		grep -aqF "$t" s.sl
	done
	run -0 --separate-stderr sl-dump < s.sl
	[ "${lines[0]}" = "k	v	n	dt" ]
}

@test "sl-map: columns with a temporary and derived columns over earlier ones" {
	run -0 --separate-stderr map '7,x,hello\n' -H 'columns: k, tmp, v = upper(substr(tmp2, 1, 3)), tmp2, n = k * 2'
	[ "$stderr" = "" ]
	[ "$output" = "k	v	n	dt
7	HEL	14.00	\\N" ]
}

@test "sl-map: unmentioned columns get DEFAULT, CURRENT_TIMESTAMP or NULL" {
	sl-sql -e "CREATE TABLE d.u (k INT NOT NULL, s VARCHAR(10) NOT NULL DEFAULT 'dflt', ts DATETIME DEFAULT CURRENT_TIMESTAMP, x INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 --separate-stderr bash -c 'printf "5\n" | sl-parse | sl-map -H columns:k d.u | sl-dump 2>/dev/null'
	[ "$stderr" = "" ]
	[ "${lines[0]}" = "k	s	ts	x" ]
	local re='^5	dflt	2[0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}	\\N$'
	[[ "${lines[1]}" =~ $re ]]
}

@test "sl-map: a NOT NULL column without default fails the plan" {
	run -1 --separate-stderr sl-map -H columns:v d.t < /dev/null
	[ "$stderr" = "sl-map: fatal: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Column has no default value, column=k" ]
}

@test "sl-map: column count mismatch rebuilds the raw line with the real separator" {
	run -0 --separate-stderr map '1,a\n2,b,3,2024-01-01,9\n3,c,1,\\N\n'
	[ "$stderr" = "" ]
	[ "$output" = "# filtered: line 1: Column count mismatch: expected 4, but found 2 (sep:, delim:\\n): src [1,a]
# filtered: line 2: Column count mismatch: expected 4, but found 5 (sep:, delim:\\n): src [2,b,3,2024-01-01,9]
k	v	n	dt
3	c	1.00	\\N" ] || [ "$output" = "k	v	n	dt
# filtered: line 1: Column count mismatch: expected 4, but found 2 (sep:, delim:\\n): src [1,a]
# filtered: line 2: Column count mismatch: expected 4, but found 5 (sep:, delim:\\n): src [2,b,3,2024-01-01,9]
3	c	1.00	\\N" ]
}

@test "sl-map: the mismatch names a tab separator as \\t and multi-byte ones verbatim" {
	run -0 --separate-stderr bash -c 'printf "1\tx\n" | sl-parse | sl-map d.t | sl-dump 2>&1 | grep filtered'
	[ "$output" = "# filtered: line 1: Column count mismatch: expected 4, but found 2 (sep:\\t delim:\\n): src [1\\tx]" ]
	run -0 --separate-stderr bash -c 'printf "1||x;;" | sl-parse -H "column_separator:||" -H "line_delimiter:;;" | sl-map d.t | sl-dump 2>&1 | grep filtered'
	[ "$output" = "# filtered: line 1: Column count mismatch: expected 4, but found 2 (sep:|| delim:;;): src [1||x]" ]
}

@test "sl-map: non-strict casts give NULL and keep the row" {
	run -0 --separate-stderr map '1,a,abc,2024-02-30\n2,b,12345678901,2024-07-20\n'
	[ "$output" = "k	v	n	dt
1	a	\\N	\\N
2	b	\\N	2024-07-20" ]
}

@test "sl-map: strict mode filters failed casts of directly fed columns only" {
	run -0 --separate-stderr map '1,a,abc,2024-01-01\n2,b,\\N,\\N\n3,c,1.5,x\n' -H strict_mode:true
	[ "$stderr" = "" ]
	[ "$output" = "k	v	n	dt
# filtered: line 1: column(n) value is incorrect while strict mode is true, src value is abc: src [1 a abc 2024-01-01]
2	b	\\N	\\N
# filtered: line 3: column(dt) value is incorrect while strict mode is true, src value is x: src [3 c 1.5 x]" ]
	# a derived column is never checked
	run -0 --separate-stderr map '1,a,abc\n' -H strict_mode:TRUE -H 'columns:k,v,tmp,n=tmp'
	[ "${lines[1]}" = "1	a	\\N	\\N" ]
}

@test "sl-map: NULL into a NOT NULL column filters the row, source shown with NULL" {
	run -0 --separate-stderr map '\\N,a,1,\\N\nx,b,2,\\N\n'
	[ "$output" = "k	v	n	dt
# filtered: line 1: column(k) values is null while columns is not nullable: src [NULL a 1 NULL]
# filtered: line 2: column(k) values is null while columns is not nullable: src [x b 2 NULL]" ]
}

@test "sl-map: too long VARCHAR is cut in non-strict mode, filtered in strict mode" {
	run -0 --separate-stderr map '1,abcdefgh,1,\\N\n2,ééééééé,1,\\N\n'
	[ "$output" = "k	v	n	dt
1	abcde	1.00	\\N
# filtered: line 2: column_name[v], the length of input is too long than schema. first 32 bytes of input str: [ééééé] schema length: 5; actual length: 10; : src []" ]
	run -0 --separate-stderr map '1,abcdefgh,1,\\N\n' -H strict_mode:true
	[ "$output" = "k	v	n	dt
# filtered: line 1: column_name[v], the length of input is too long than schema. first 32 bytes of input str: [abcdefgh] schema length: 5; actual length: 8; : src []" ]
}

@test "sl-map: planning errors with Doris's messages" {
	run -1 --separate-stderr sl-map -H 'columns:k,v,K' d.t < /dev/null
	[ "$stderr" = "sl-map: fatal: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Duplicate column: K" ]
	run -1 --separate-stderr sl-map -H 'columns:k,v=nosuch+1' d.t < /dev/null
	[[ "$stderr" == "sl-map: fatal: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = "*"Unknown column 'nosuch'"* ]]
	run -1 --separate-stderr sl-map -H 'columns:k,v=(1' d.t < /dev/null
	[[ "$stderr" == "sl-map: fatal: [INTERNAL_ERROR]TStatus: ParseException: "* ]]
	run -1 --separate-stderr sl-map -H 'columns:k,,v' d.t < /dev/null
	[[ "$stderr" == "sl-map: fatal: [INTERNAL_ERROR]TStatus: ParseException: "* ]]
	run -1 --separate-stderr sl-map -H strict_mode:yes d.t < /dev/null
	[ "$stderr" = "sl-map: fatal: [INVALID_ARGUMENT]Invalid strict mode format. Must be bool type" ]
	run -1 --separate-stderr sl-map -H timezone:Mars/Base d.t < /dev/null
	[ "$stderr" = "sl-map: fatal: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Unknown or incorrect time zone: 'Mars/Base'" ]
	run -1 --separate-stderr sl-map -H merge_type:DELETE d.t < /dev/null
	[ "$stderr" = "sl-map: fatal: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = load by MERGE or DELETE is only supported in unique tables." ]
}

@test "sl-map: unknown database or table is an X before the transaction" {
	run -1 --separate-stderr sl-map nodb.t < /dev/null
	[ "$stderr" = "sl-map: fatal: [NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=nodb" ]
	run -1 --separate-stderr sl-map d.nosuch < /dev/null
	[ "$stderr" = "sl-map: fatal: [NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=nosuch" ]
	run -0 bash -c 'printf "1\n" | sl-parse | sl-map d.nosuch 2>/dev/null | od -An -tx1 | tr -d "\n" | grep -o "58 01 00 00"'
	[ "$output" = "58 01 00 00" ]
}

@test "sl-map: an upstream X is passed on; our pre-transaction error outranks a later one" {
	run -0 --separate-stderr bash -c 'sl-parse -H format:xml < /dev/null 2>/dev/null | sl-map d.nosuch | sl-dump; echo "${PIPESTATUS[*]}"'
	[ "$output" = "1 1 1" ]
	[ "$stderr" = "sl-dump: fatal: stream aborted upstream: [E-1101]unknown data format, format=xml" ]
	run -0 --separate-stderr bash -c 'sl-parse -H "column_separator:\\x" < /dev/null 2>/dev/null | sl-map d.nosuch 2>/dev/null | sl-dump; echo "${PIPESTATUS[*]}"'
	[ "$output" = "1 1 1" ]
	[ "$stderr" = "sl-dump: fatal: stream aborted upstream: [NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=nosuch" ]
}

@test "sl-map: truncated input is 111 with an INTERNAL_ERROR X frame" {
	printf '1,a,1,2024-01-01\n2,b,2,2024-01-02\n' | sl-parse -H column_separator:, > s.sl
	local size=$(stat -c %s s.sl)
	head -c $((size - 3)) s.sl > cut.sl
	run -0 --separate-stderr bash -c 'sl-map d.t < cut.sl | sl-dump >/dev/null 2>dump.err; echo "${PIPESTATUS[*]}"; cat dump.err | grep -v "^#"'
	[ "${lines[0]}" = "111 1" ]
	[[ "$stderr" == "sl-map: fatal: truncated stream at byte "*" (no end frame)" ]]
	[[ "${lines[1]}" == "sl-dump: fatal: stream aborted upstream: [INTERNAL_ERROR]sl-map: truncated stream at byte "* ]]
}

@test "sl-map: input that is not a row stream is 100" {
	run -100 --separate-stderr bash -c 'echo hello | sl-map d.t > /dev/null'
	[ "$stderr" = "sl-map: fatal: stdin is not an sl stream" ]
	run -100 --separate-stderr bash -c 'printf "1\t2\t3\t2024-01-01\n" | sl-parse | sl-map d.t | sl-map d.t > /dev/null'
	[ "$stderr" = "sl-map: fatal: [INTERNAL_ERROR]sl-map: the input rows are already typed (expected source rows from sl-parse)" ]
}

@test "sl-map: stdout on /dev/full fails with 111" {
	run -111 --separate-stderr bash -c 'printf "1\tx\t1\t2024-01-01\n" | sl-parse | sl-map d.t > /dev/full'
	[ "$stderr" = "sl-map: fatal: unable to write stdout: No space left on device" ]
}

@test "sl-map: usage errors" {
	run -100 --separate-stderr sl-map
	[ "$stderr" = "sl-map: usage: sl-map [--data-dir DIR] [-H 'name:value']... DB.TABLE" ]
	run -100 --separate-stderr sl-map nodot
	[ "$stderr" = "sl-map: usage: sl-map [--data-dir DIR] [-H 'name:value']... DB.TABLE" ]
	run -100 --separate-stderr sl-map d.t d.t
	[ "$stderr" = "sl-map: usage: sl-map [--data-dir DIR] [-H 'name:value']... DB.TABLE" ]
	run -0 sl-map -h
	[ "${lines[0]}" = "usage: sl-map [--data-dir DIR] [-H 'name:value']... DB.TABLE" ]
}

@test "sl-map: the seed's file into the seed's table" {
	seed_table
	run -0 --separate-stderr bash -c 'sl-parse -H column_separator:, < streamload_example.csv | sl-map -H columns:user_id,name,age testdb.test_streamload | sl-dump 2>/dev/null'
	[ "${#lines[@]}" = 11 ]
	[ "${lines[0]}" = "user_id	name	age" ]
}

@test "sl-map: timezone drives time functions" {
	run -0 --separate-stderr bash -c "printf '1,1700000000\n' | sl-parse -H column_separator:, | sl-map -H timezone:Asia/Shanghai -H \"columns: k, tmp, v = from_unixtime(tmp, '%H:%i')\" d.t | sl-dump 2>/dev/null"
	[ "${lines[1]}" = "1	06:13	\\N	\\N" ]
	run -0 --separate-stderr bash -c "printf '1,1700000000\n' | sl-parse -H column_separator:, | sl-map -H time_zone:+00:00 -H \"columns: k, tmp, v = from_unixtime(tmp, '%H:%i')\" d.t | sl-dump 2>/dev/null"
	[ "${lines[1]}" = "1	22:13	\\N	\\N" ]
}

@test "sl-parse, sl-map, sl-filter: rows are flushed while upstream waits for input" {
	{ printf '1\txyzzy\t1\t2024-01-01\n'; sleep 2; } | sl-parse | sl-map d.t | sl-filter > part.sl &
	local pid=$!
	sleep 1
	run -0 grep -ac xyzzy part.sl
	[ "$output" = 1 ]
	wait "$pid"
	run -0 grep -ac NumberUnselectedRows part.sl
}
