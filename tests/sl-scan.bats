#!/usr/bin/env bats
# sl-scan: a table's visible rows as a row stream (H from the schema, R as
# stored, E); unknown tables; usage; write failures.
load test_helper

@test "sl-scan: an empty table is a header and an end frame" {
	seed_table
	sl-scan testdb.test_streamload > s.bin
	[ "$(hex s.bin)" = "$(frame H 0 "534c000100000003$(field user_id)$(field BIGINT)$(field name)$(field 'VARCHAR(20)')$(field age)$(field INT)" | hex) $(frame E 0 0000000000000000 | hex)" ]
	run -0 --separate-stderr sl-dump < s.bin
	[ "$output" = "$(printf 'user_id\tname\tage')" ]
	[ "$stderr" = "" ]
}

@test "sl-scan: column types in the header are the upper-case Doris names" {
	sl-sql -e "CREATE DATABASE d; CREATE TABLE d.t (a INT, d DECIMAL(15,2), dt DATETIME(3), s STRING, c CHAR(2), b BOOLEAN)"
	run -0 --separate-stderr bash -c 'sl-scan d.t | sl-dump --json; sl-scan d.t | od -An -c | tr -d " \n"'
	[ "$stderr" = "" ]
	[[ "$output" == *"DECIMAL(15,2)"*"DATETIME(3)"*"STRING"*"CHAR(2)"*"BOOLEAN"* ]]
}

@test "sl-scan: loaded rows come back as stored, equal to what sl-sql shows" {
	[ -x "$SL_BIN/sl-load" ] || skip "sl-load not built"
	seed_table
	run -0 sl-load -H column_separator:, -H columns:user_id,name,age -T streamload_example.csv testdb.test_streamload
	run -0 --separate-stderr bash -c 'sl-scan testdb.test_streamload | sl-dump | sort -n'
	[ "$stderr" = "" ]
	[ "${#lines[@]}" = 11 ]
	[ "$output" = "$(sl-sql -e 'select * from testdb.test_streamload order by user_id' | sort -n)" ]
	run -0 bash -c 'sl-scan testdb.test_streamload | sl-dump --json | grep "\"user_id\":1,"'
	[ "$output" = '{"user_id":1,"name":"Emily","age":25}' ]
}

@test "sl-scan: unknown database or table exits 1" {
	sl-sql -e "CREATE DATABASE d"
	run -1 --separate-stderr sl-scan d.nope
	[ "$output" = "" ]
	[ "$stderr" = "sl-scan: fatal: Unknown table 'd.nope'" ]
	run -1 --separate-stderr sl-scan nodb.t
	[ "$stderr" = "sl-scan: fatal: Unknown database 'nodb'" ]
	run -1 --separate-stderr sl-scan 'd.../x'
	[ "$stderr" = "sl-scan: fatal: Unknown table 'd.../x'" ]
}

@test "sl-scan: usage errors exit 100" {
	for args in "" "dbonly" ".t" "d." "d.t extra" "--bogus d.t"; do
		run -100 --separate-stderr sl-scan $args
		[ "$stderr" = "sl-scan: usage: sl-scan [--data-dir DIR] DB.TABLE" ]
	done
	run -0 sl-scan --help
	[ "${lines[0]}" = "usage: sl-scan [--data-dir DIR] DB.TABLE" ]
}

@test "sl-scan: --data-dir selects the store" {
	sl-sql --data-dir other -e "CREATE DATABASE d; CREATE TABLE d.t (a INT)"
	run -1 sl-scan d.t
	run -0 bash -c 'sl-scan --data-dir other d.t | sl-dump'
	[ "$output" = "a" ]
}

@test "sl-scan: stdout to /dev/full fails with 111" {
	seed_table
	run -111 --separate-stderr bash -c 'sl-scan testdb.test_streamload > /dev/full'
	[[ "$stderr" == "sl-scan: fatal: unable to write stdout: "* ]]
}
