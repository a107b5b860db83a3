#!/usr/bin/env bats
# sl-parse: CSV bodies into source rows. Separators (multi-byte, hex,
# escapes), line delimiters and CRLF, \N and '', empty lines, BOM, skip_lines
# and the csv_with_names formats, invalid UTF-8 and too-long lines as error
# records, Doris's messages for bad headers, and the failure paths.
load test_helper

# The stream as text: rows on stdout, counters and error records as '#'
# lines (timings masked), all in stream order.
dump() { sl-dump 2>&1 | sed -E 's/(TimeMs=)[0-9]+/\1N/g'; }

# sl-parse with stdin from a printf format; stream through dump.
parse() {
	local body=$1
	shift
	printf "$body" | sl-parse "$@" | dump
}

C0='# counters: column_separator=, line_delimiter=\n StartTimeMs=N column_separator_hex=2c line_delimiter_hex=0a'

@test "sl-parse: comma separated rows, \\N is NULL, an empty field is ''" {
	run -0 --separate-stderr parse '1,a,x\n2,\\N,\n3,,\\N\n' -H column_separator:,
	[ "$stderr" = "" ]
	[ "$output" = "$C0
1	a	x
2	\\N	
3		\\N
# counters: LoadBytes=18 ReadDataTimeMs=N" ]
}

@test "sl-parse: default tab separator; CRLF, empty lines, BOM, last line without newline" {
	run -0 --separate-stderr parse '\xef\xbb\xbfa\tb\r\n\n\r\nc\td\n\n\ne\tf' 
	[ "$stderr" = "" ]
	[ "${lines[0]}" = '# counters: column_separator=\t line_delimiter=\n StartTimeMs=N column_separator_hex=09 line_delimiter_hex=0a' ]
	[ "${lines[1]}" = "a	b" ]
	[ "${lines[2]}" = "c	d" ]
	[ "${lines[3]}" = "e	f" ]
	[ "${lines[4]}" = "# counters: LoadBytes=20 ReadDataTimeMs=N" ]
	[ "${#lines[@]}" = 5 ]
}

@test "sl-parse: a BOM after the first line is data; whitespace-only lines are one field" {
	run -0 --separate-stderr parse 'a\n\xef\xbb\xbfb\n  \n' -H column_separator:,
	[ "$stderr" = "" ]
	[ "${lines[1]}" = "a" ]
	[ "${lines[2]}" = $'\xef\xbb\xbfb' ]
	[ "${lines[3]}" = "  " ]
}

@test "sl-parse: multi-byte separator splits non-overlapping, left to right" {
	run -0 --separate-stderr parse 'a||||b\nc|||d\n' -H 'column_separator:||'
	[ "$stderr" = "" ]
	[ "${lines[1]}" = "a		b" ]
	[ "${lines[2]}" = "c	|d" ]
}

@test "sl-parse: hex separator \\x01 and escaped separators" {
	run -0 --separate-stderr parse '1\x01a\n' -H 'column_separator:\x01'
	[ "$stderr" = "" ]
	[ "${lines[1]}" = "1	a" ]
	run -0 --separate-stderr parse '1\x01\x02a\n' -H 'column_separator:\x01\x02'
	[ "${lines[1]}" = "1	a" ]
	run -0 --separate-stderr parse "1'a\n" -H "column_separator:\\'"
	[ "${lines[1]}" = "1	a" ]
	# any other backslash sequence is literal: a\x01 is four bytes
	run -0 --separate-stderr parse '1a\\x01b\n' -H 'column_separator:a\x01'
	[ "${lines[1]}" = "1	b" ]
}

@test "sl-parse: bad hex separators give Doris's messages" {
	local v m
	for v in '\x:Hex str is empty' '\X0:Hex str length error' '\xzz:Hex str format error' '\x01|:Hex str format error'; do
		m="[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = ${v#*:}"
		run -1 --separate-stderr sl-parse -H "column_separator:${v%%:*}" < /dev/null
		[ "$stderr" = "sl-parse: fatal: $m" ]
		run -1 --separate-stderr bash -c 'sl-parse "$@" < /dev/null 2>/dev/null | sl-dump' _ -H "column_separator:${v%%:*}"
		[ "$stderr" = "sl-dump: fatal: stream aborted upstream: $m" ]
	done
	run -1 --separate-stderr sl-parse -H 'line_delimiter:\x1' < /dev/null
	[ "$stderr" = "sl-parse: fatal: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Hex str length error" ]
}

@test "sl-parse: header errors after the transaction are plain X frames" {
	run -0 bash -c 'sl-parse -H "column_separator:\\x" < /dev/null 2>/dev/null | head -c 2 | od -An -tx1'
	[ "$output" = " 58 00" ]
}

@test "sl-parse: multi-byte line delimiter keeps carriage returns" {
	run -0 --separate-stderr parse 'a,b;;c,d\r;;;;e' -H column_separator:, -H 'line_delimiter:;;'
	[ "$stderr" = "" ]
	[ "${lines[1]}" = "a	b" ]
	[ "${lines[2]}" = 'c	d\r' ]
	[ "${lines[3]}" = "e" ]
	[ "${lines[4]}" = "# counters: LoadBytes=14 ReadDataTimeMs=N" ]
	run -0 --separate-stderr parse 'a|b\x02c' -H 'column_separator:|' -H 'line_delimiter:\x02'
	[ "${lines[0]}" = '# counters: column_separator=| line_delimiter=\x02 StartTimeMs=N column_separator_hex=7c line_delimiter_hex=02' ] ||
	[ "${lines[0]}" = $'# counters: column_separator=| line_delimiter=\x02 StartTimeMs=N column_separator_hex=7c line_delimiter_hex=02' ]
	[ "${lines[1]}" = "a	b" ]
	[ "${lines[2]}" = "c" ]
}

@test "sl-parse: csv_with_names and csv_with_names_and_types skip header lines" {
	run -0 --separate-stderr parse 'k,v\n1,a\n' -H column_separator:, -H format:csv_with_names
	[ "${lines[1]}" = "1	a" ]
	[ "${#lines[@]}" = 3 ]
	run -0 --separate-stderr parse 'k,v\nint,string\n1,a\n' -H column_separator:, -H format:CSV_WITH_NAMES_AND_TYPES
	[ "${lines[1]}" = "1	a" ]
	[ "${#lines[@]}" = 3 ]
	# skip_lines is ignored with those formats
	run -0 --separate-stderr parse 'k,v\n1,a\n2,b\n' -H column_separator:, -H format:csv_with_names -H skip_lines:2
	[ "${lines[1]}" = "1	a" ]
	[ "${lines[2]}" = "2	b" ]
}

@test "sl-parse: skip_lines skips physical lines, empty ones included" {
	run -0 --separate-stderr parse 'x\n\ny\n1\n2\n' -H skip_lines:3
	[ "$stderr" = "" ]
	[ "${lines[1]}" = "1" ]
	[ "${lines[2]}" = "2" ]
	[ "${#lines[@]}" = 4 ]
	run -0 --separate-stderr parse 'x\n' -H skip_lines:10
	[ "${#lines[@]}" = 2 ]
}

@test "sl-parse: bad skip_lines values" {
	run -1 --separate-stderr sl-parse -H skip_lines:abc < /dev/null
	[ "$stderr" = "sl-parse: fatal: [INVALID_ARGUMENT]Invalid format of 'skip_lines': 'abc', stoi" ]
	run -1 --separate-stderr sl-parse -H skip_lines:-1 < /dev/null
	[ "$stderr" = "sl-parse: fatal: [INVALID_ARGUMENT]Invalid 'skip_lines': -1" ]
	run -1 --separate-stderr sl-parse -H skip_lines:99999999999 < /dev/null
	[ "$stderr" = "sl-parse: fatal: [INVALID_ARGUMENT]'skip_lines' value out of range: '99999999999', stoi" ]
}

@test "sl-parse: unknown format fails before the transaction (X with the pre-txn flag)" {
	run -1 --separate-stderr sl-parse -H format:xml < /dev/null
	[ "$stderr" = "sl-parse: fatal: [E-1101]unknown data format, format=xml" ]
	run -0 bash -c 'sl-parse -H format:xml < /dev/null 2>/dev/null | head -c 2 | od -An -tx1'
	[ "$output" = " 58 01" ]
	run -1 --separate-stderr sl-parse -H format:hive_text < /dev/null
	[ "$stderr" = "sl-parse: fatal: [NOT_IMPLEMENTED_ERROR]format hive_text is not supported yet: sl-parse reads csv, csv_with_names, csv_with_names_and_types, json, parquet, orc and arrow" ]
	# json names its source columns from `columns` or the table
	run -1 --separate-stderr sl-parse -H format:json < /dev/null
	[ "$stderr" = "sl-parse: fatal: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = JSON needs the \`columns\` header or the table" ]
}

@test "sl-parse: compress_type" {
	run -1 --separate-stderr sl-parse -H compress_type:zip < /dev/null
	[ "$stderr" = "sl-parse: fatal: [E-1101]unknown data format, format=" ]
	run -1 --separate-stderr sl-parse -H format:csv -H compress_type:zip < /dev/null
	[ "$stderr" = "sl-parse: fatal: [E-1101]unknown data format, format=csv" ]
	# snappy_block is read (issue 9 item 8): an empty body is no rows
	run -0 --separate-stderr bash -c "sl-parse -H compress_type:snappy_block < /dev/null | sl-dump"
	[ "$output" = "" ]
	# names are case-insensitive (tests/formats-csv.bats loads each type)
	run -0 --separate-stderr bash -c "printf '1,a\\n' | gzip | sl-parse -H compress_type:GZ -H column_separator:, | sl-dump"
	[ "$output" = "1	a" ]
}

@test "sl-parse: enclose and escape are checked" {
	run -1 --separate-stderr sl-parse -H 'enclose:ab' < /dev/null
	[ "$stderr" = "sl-parse: fatal: [INVALID_ARGUMENT]enclose must be single-char, actually is ab" ]
	run -1 --separate-stderr sl-parse -H 'escape:ab' < /dev/null
	[ "$stderr" = "sl-parse: fatal: [INVALID_ARGUMENT]escape must be single-char, actually is ab" ]
	# a multi-byte separator works with enclose (tests/formats-csv.bats)
	run -0 --separate-stderr parse '1||"a||b"\n' -H 'enclose:"' -H 'column_separator:||'
	[ "${lines[1]}" = "1	a||b" ]
	run -0 --separate-stderr parse '1,"a,b"\n' -H 'enclose:"' -H column_separator:,
	[ "${lines[1]}" = "1	a,b" ]
}

@test "sl-parse: invalid UTF-8 becomes an error record with its line number" {
	run -0 --separate-stderr parse '1,a\n2,\xff\n3,\xc3\xa9\n4,\xed\xa0\x80\n' -H column_separator:,
	[ "$stderr" = "" ]
	[ "${lines[1]}" = "1	a" ]
	[ "${lines[2]}" = "# filtered: line 2: Invalid file encoding: all CSV files must be UTF-8 encoded: src [2,"$'\xff'"]" ]
	[ "${lines[3]}" = "3	é" ]
	[ "${lines[4]}" = "# filtered: line 4: Invalid file encoding: all CSV files must be UTF-8 encoded: src [4,"$'\xed\xa0\x80'"]" ]
}

@test "sl-parse: a line longer than SL_FRAME_MAX is an error record, memory stays bounded" {
	{ echo a; head -c 300000 /dev/zero | tr '\0' x; echo; echo b; } > long.csv
	SL_FRAME_MAX=4096 run -0 --separate-stderr bash -c 'sl-parse < long.csv | sl-dump 2>&1'
	[ "$stderr" = "" ]
	[ "${lines[1]}" = "a" ]
	[[ "${lines[2]}" == "# filtered: line 2: The line is too long: more than 4096 bytes (SL_FRAME_MAX): src [xxxx"* ]]
	[ "${lines[3]}" = "b" ]
}

@test "sl-parse: trim_double_quotes and empty_field_as_null" {
	run -0 --separate-stderr parse '"a",\\N,"\\N",,"\n' -H column_separator:, -H trim_double_quotes:true
	[ "${lines[1]}" = 'a	\N	\\N		"' ]
	run -0 --separate-stderr parse 'a,,\\N\n' -H column_separator:, -H empty_field_as_null:TRUE
	[ "${lines[1]}" = 'a	\N	\N' ]
}

@test "sl-parse: LoadBytes counts every byte read, skipped ones included" {
	seq 1 100000 > n.csv
	run -0 --separate-stderr bash -c 'sl-parse -H skip_lines:5 < n.csv | sl-dump 2>&1 >/dev/null | tail -1'
	[ "$output" = "# counters: LoadBytes=588895 ReadDataTimeMs=${output##*=}" ]
	run -0 bash -c 'sl-parse -H skip_lines:5 < n.csv | sl-dump 2>/dev/null | wc -l'
	[ "$output" = 99995 ]
}

@test "sl-parse: usage errors and --help" {
	local u="sl-parse [--data-dir DIR] [-H 'name:value']... [DB.TABLE] < body"
	run -100 --separate-stderr sl-parse db.t extra
	[ "$stderr" = "sl-parse: usage: $u" ]
	run -100 --separate-stderr sl-parse -x
	[ "$stderr" = "sl-parse: usage: $u" ]
	run -100 --separate-stderr sl-parse -H
	[ "$stderr" = "sl-parse: usage: $u" ]
	run -100 --separate-stderr sl-parse -H nocolon
	[ "$stderr" = "sl-parse: usage: $u" ]
	run -0 --separate-stderr sl-parse --help
	[ "${lines[0]}" = "usage: $u" ]
	[ "$stderr" = "" ]
}

@test "sl-parse: stdout on /dev/full fails with 111" {
	run -111 --separate-stderr bash -c 'printf "1\n" | sl-parse > /dev/full'
	[ "$stderr" = "sl-parse: fatal: unable to write stdout: No space left on device" ]
	run -111 --separate-stderr bash -c 'printf "1\n" | sl-parse >&-'
	[ "$stderr" = "sl-parse: fatal: unable to write stdout: Bad file descriptor" ]
}

@test "sl-parse: a reader that goes away stops it with SIGPIPE" {
	seq 1 2000000 > big.csv
	run -0 bash -c 'sl-parse < big.csv | head -c 10 > /dev/null; echo "${PIPESTATUS[0]}"'
	[ "$output" = 141 ]
}

@test "sl-parse: a read error on stdin is 111 with an X frame" {
	run -0 --separate-stderr bash -c 'sl-parse < . | sl-dump; echo "${PIPESTATUS[*]}"'
	[ "$output" = "111 1" ]
	[[ "$stderr" == *"sl-parse: fatal: unable to read stdin: Is a directory"* ]]
	[[ "$stderr" == *"sl-dump: fatal: stream aborted upstream: [INTERNAL_ERROR]unable to read the body: Is a directory"* ]]
}

@test "sl-parse: unit tests of the CSV splitter" {
	run -0 --separate-stderr "$SL_UNIT/test-csvsplit"
	[ "$stderr" = "" ]
	[[ "$output" == *" passed, 0 failed" ]]
}
