#!/usr/bin/env bats
# The stream load record (libcommon/record.c) and SHOW STREAM LOAD in
# sl-sql: Doris's columns after real sl-load runs, WHERE/ORDER BY/LIMIT,
# the bound from sl.conf, and the errors.
load test_helper

HDR=$'Label\tDb\tTable\tClientIp\tStatus\tMessage\tUrl\tTotalRows\tLoadedRows\tFilteredRows\tUnselectedRows\tLoadBytes\tStartTime\tFinishTime\tUser\tComment'

# Every column but the two times (13, 14), which must look like Doris's.
show() {
	TZ=UTC sl-sql -N -e "SHOW STREAM LOAD $1" > show.out || return 1
	! cut -f13,14 show.out | grep -vqE '^20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}	20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}$' || return 1
	cut -f1-12,15,16 show.out
}

load_csv() { sl-load -H column_separator:, "$@" testdb.test_streamload > /dev/null; }

@test "record: unit tests (round trip, limit, trim, torn tail, bad CRC, concurrency)" {
	run -0 --separate-stderr "$SL_UNIT/test-record"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "record: SHOW STREAM LOAD after sl-load: success, label in use, filtered rows with their Url" {
	seed_table
	run -0 --separate-stderr sl-sql -e "SHOW STREAM LOAD FROM testdb ORDER BY Label LIMIT 5"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	load_csv -H label:first -T streamload_example.csv
	run -1 load_csv -H label:first -T streamload_example.csv
	printf '11,Zoe,30\nx,Bad,1\n' > bad.csv
	load_csv -H label:third -H max_filter_ratio:1 -H comment:with-a-bad-row -T bad.csv
	run -0 --separate-stderr sl-sql -e "SHOW STREAM LOAD FROM testdb"
	[ "${lines[0]}" = "$HDR" ] && [ "${#lines[@]}" = 4 ] && [ "$stderr" = "" ]
	run -0 show "FROM testdb"
	url=$(sed -n 3p show.out | cut -f7)
	[[ "$url" == file://*/_error_log/* ]]
	[ -s "${url#file://}" ]
	[ "$output" = "first	testdb	test_streamload	127.0.0.1	Success	OK	N/A	10	10	0	0	118	root	
first	testdb	test_streamload	127.0.0.1	Label Already Exists	[LABEL_ALREADY_EXISTS]TStatus: errCode = 2, detailMessage = Label [first] has already been used, relate to txn [1000], status [VISIBLE].	N/A	0	0	0	0	0	root	
third	testdb	test_streamload	127.0.0.1	Success	OK	$url	2	1	1	0	18	root	with-a-bad-row" ]
}

@test "record: WHERE LABEL = / LIKE, STATUS, AND; ORDER BY; LIMIT [OFFSET]; USE" {
	seed_table
	for l in a1 a2 b1; do load_csv -H label:$l -T streamload_example.csv; done
	run -1 load_csv -H label:a1 -T streamload_example.csv
	t() { run -0 --separate-stderr show "$1"; [ "$stderr" = "" ]; [ "$(printf %s "$output" | cut -f1,5 | tr '\t\n' ':,')" = "$2" ]; }
	t "FROM testdb" "a1:Success,a2:Success,b1:Success,a1:Label Already Exists,"
	t "FROM testdb WHERE LABEL = 'a1'" "a1:Success,a1:Label Already Exists,"
	t "FROM testdb WHERE label like 'a%'" "a1:Success,a2:Success,a1:Label Already Exists,"
	t "FROM testdb WHERE LABEL LIKE '_1'" "a1:Success,b1:Success,a1:Label Already Exists,"
	t "FROM testdb WHERE STATUS = 'fail'" ""
	t "FROM testdb WHERE STATUS = 'SUCCESS' AND LABEL LIKE 'a%'" "a1:Success,a2:Success,"
	t "FROM testdb ORDER BY Label DESC" "b1:Success,a2:Success,a1:Success,a1:Label Already Exists,"
	t "FROM testdb ORDER BY LoadBytes, StartTime DESC" "a1:Label Already Exists,b1:Success,a2:Success,a1:Success,"
	t "FROM testdb LIMIT 2" "a1:Success,a2:Success,"
	t "FROM testdb LIMIT 1, 2" "a2:Success,b1:Success,"
	t "FROM testdb ORDER BY label LIMIT 2 OFFSET 2" "a2:Success,b1:Success,"
	t "FROM testdb LIMIT 10 OFFSET 9" ""
	t "FROM testdb WHERE LABEL LIKE ''" ""
	t "FROM testdb WHERE LABEL = ''" ""
	# a pattern that backtracks a lot still answers at once
	long=$(printf 'a%.0s' $(seq 1 120))
	load_csv -H label:$long -T streamload_example.csv
	t "FROM testdb WHERE LABEL LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%b'" ""
	t "FROM testdb WHERE LABEL LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a'" "$long:Success,"
	run -0 --separate-stderr sl-sql -N -D testdb -e "SHOW STREAM LOAD WHERE LABEL = 'b1'"
	[ "$(cut -f1 <<<"$output")" = b1 ]
	run -0 --separate-stderr sl-sql -N -e "USE testdb; SHOW STREAM LOAD LIMIT 1"
	[ "$(cut -f1 <<<"$output")" = a1 ]
}

@test "record: SHOW STREAM LOAD errors" {
	seed_table
	t() { run -1 --separate-stderr sl-sql -e "$1"; [ "$output" = "" ]; [ "$stderr" = "sl-sql: ERROR $2" ]; }
	t "SHOW STREAM LOAD" "1046 (3D000): No database selected"
	t "SHOW STREAM LOAD FROM nodb" "1049 (42000): Unknown database 'nodb'"
	t "SHOW STREAM LOAD FROM testdb WHERE Db = 'x'" '1105 (HY000): Where clause should looks like: LABEL = "your_load_label", or LABEL LIKE "matcher",  or STATUS = "SUCCESS|FAIL", or compound predicate with operator AND'
	t "SHOW STREAM LOAD FROM testdb WHERE STATUS = 'running'" '1105 (HY000): Where clause should looks like: LABEL = "your_load_label", or LABEL LIKE "matcher",  or STATUS = "SUCCESS|FAIL", or compound predicate with operator AND'
	t "SHOW STREAM LOAD FROM testdb ORDER BY nope" "1054 (42S22): Unknown column 'nope' in 'order clause'"
	t "SHOW STREAM LOAD FROM testdb LIMIT x" "1064 (42000): syntax error at position 36 near 'x'"
	t "SHOW STREAM FROM testdb" "1064 (42000): syntax error at position 13 near 'FROM'"
	t "SHOW STREAM LOAD FROM testdb extra" "1064 (42000): syntax error at position 30 near 'extra'"
}

@test "record: bounded by stream_load_record_max (sl.conf), rewritten with 0644, never a table" {
	seed_table
	echo "stream_load_record_max = 2" > "$SL_DATA_DIR/sl.conf"
	for i in 1 2 3 4; do load_csv -H label:l$i -T streamload_example.csv; done
	run -0 show "FROM testdb"
	[ "$(cut -f1 <<<"$output" | tr '\n' ,)" = "l3,l4," ]
	load_csv -H label:l5 -T streamload_example.csv
	run -0 show "FROM testdb"
	[ "$(cut -f1 <<<"$output" | tr '\n' ,)" = "l4,l5," ]
	[ "$(stat -c %a "$SL_DATA_DIR/testdb/_load_record")" = 644 ]
	run -0 sl-sql -N -e "SHOW TABLES FROM testdb"
	[ "$output" = "test_streamload" ]
	# gone with its database
	sl-sql -e "DROP DATABASE testdb; CREATE DATABASE testdb"
	run -0 sl-sql -e "SHOW STREAM LOAD FROM testdb"
	[ "$output" = "" ]
}

@test "record: a load with a 1 MiB rejected line and a long comment is recorded as the Success it is" {
	seed_table
	python3 -c "import sys; sys.stdout.write('11,Zoe,30\n12,' + 'x' * 1048576 + '\n')" > long.csv
	comment=$(printf 'c%.0s' {1..70000})
	load_csv -H label:long1 -H max_filter_ratio:1 -H "comment:$comment" -T long.csv
	run -0 show "FROM testdb"
	url=$(cut -f7 show.out)
	[[ "$url" == file://*/_error_log/* ]]
	# the record keeps the first 255 bytes of the comment
	[ "$output" = "long1	testdb	test_streamload	127.0.0.1	Success	OK	$url	2	1	1	0	$(stat -c %s long.csv)	root	${comment:0:255}" ]
}
