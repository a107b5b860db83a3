#!/usr/bin/env bats
# The seed's "Loading data into specific partitions" example (stream-load.en.txt:
# `partitions: p1, p2` with max_filter_ratio 0.2, through curl as the seed runs
# it), rows outside every partition, and AUTO PARTITION creating its partitions
# atomically with the load (issue 11, acceptance line 3).
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE testdb"
	cp "$SL_ROOT/examples/streamload_example.csv" .
}

teardown() { httpd_stop; }

# The seed's table, partitioned by user_id: p1 [MIN, 5), p2 [5, 9), p3 [9, MAX).
range_table() {
	sl-sql -e "CREATE TABLE testdb.test_streamload(
		user_id BIGINT NOT NULL COMMENT \"user id\",
		name VARCHAR(20) COMMENT \"user name\",
		age INT COMMENT \"user age\")
		DUPLICATE KEY(user_id)
		PARTITION BY RANGE(user_id) (
			PARTITION p1 VALUES LESS THAN (\"5\"),
			PARTITION p2 VALUES LESS THAN (\"9\")${1-,
			PARTITION p3 VALUES LESS THAN MAXVALUE})
		DISTRIBUTED BY HASH(user_id) BUCKETS 10"
}

# seed_put [HEADER]...: the seed's curl command against the running server.
seed_put() {
	local h=() x
	for x in "$@"; do h+=(-H "$x"); done
	curl -sS --location-trusted -u root: -H "Expect:100-continue" -H "column_separator:," \
		-H "columns:user_id,name,age" "${h[@]}" -T streamload_example.csv \
		-XPUT "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load"
}

json_get() { jq -r ".$1"; }
ids() { sl-sql -N -B -e "select user_id from testdb.test_streamload order by user_id" | tr '\n' ' '; }
part_names() { sl-sql -N -B -e "SHOW PARTITIONS FROM testdb.$1" | cut -f2 | sort | tr '\n' ' '; }

@test "seed: partitions: p1, p2 with max_filter_ratio:0.2 loads p1 and p2 and filters p3's rows" {
	range_table
	httpd_start
	run -0 seed_put "label:123" "max_filter_ratio:0.2" "partitions: p1, p2"
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberTotalRows <<< "$output")" = 10 ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 8 ]
	[ "$(json_get NumberFilteredRows <<< "$output")" = 2 ]
	url=$(json_get ErrorURL <<< "$output")
	run -0 curl -sS "$url"
	[[ "$output" == *"no partition for this tuple. tuple="* ]]
	[ "$(ids)" = "1 2 3 4 5 6 7 8 " ]
	# a third of the rows outside p1 is more than 20%: nothing of it is visible
	run -0 seed_put "label:124" "max_filter_ratio:0.2" "partitions: p1"
	[ "$(json_get Status <<< "$output")" = Fail ]
	[ "$(json_get Message <<< "$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	[ "$(json_get NumberFilteredRows <<< "$output")" = 6 ]
	[ "$(ids)" = "1 2 3 4 5 6 7 8 " ]
}

@test "seed: partitions names a partition the table does not have" {
	range_table
	httpd_start
	run -0 seed_put "partitions: p1, p9"
	[ "$(json_get Status <<< "$output")" = Fail ]
	[[ "$(json_get Message <<< "$output")" == *"partition p9 is not found in table test_streamload"* ]]
	run -0 seed_put "partitions: p1" "temporary_partitions: tp1"
	[ "$(json_get Message <<< "$output")" = "[INVALID_ARGUMENT]Can not specify both partitions and temporary partitions" ]
	[ "$(ids)" = "" ]
}

@test "rows outside every partition are filtered with Doris's reason, in both strict modes" {
	range_table ""
	for strict in false true; do
		run -0 --separate-stderr sl-load -H column_separator:, -H strict_mode:$strict \
			-H max_filter_ratio:0.2 -T streamload_example.csv testdb.test_streamload
		[ "$(json_get Status <<< "$output")" = Success ]
		[ "$(json_get NumberLoadedRows <<< "$output")" = 8 ]
		[ "$(json_get NumberFilteredRows <<< "$output")" = 2 ]
	done
	[ "$(ids)" = "1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 " ]
	run -1 --separate-stderr sl-load -H column_separator:, -T streamload_example.csv testdb.test_streamload
	[ "$(json_get Status <<< "$output")" = Fail ]
	[ "$(json_get NumberFilteredRows <<< "$output")" = 2 ]
	[[ "$(json_get FirstErrorMsg <<< "$output")" == *"no partition for this tuple. tuple="* ]]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.test_streamload')" = 16 ]
}

auto_table() {
	sl-sql -e "CREATE TABLE testdb.ev (d DATE NOT NULL, id INT NOT NULL, v INT)
		DUPLICATE KEY(d, id)
		AUTO PARTITION BY RANGE (date_trunc(d, 'month')) ()
		DISTRIBUTED BY HASH(id) BUCKETS 1"
}

@test "AUTO PARTITION: a load creates the months it needs, with the load" {
	auto_table
	[ "$(part_names ev)" = "" ]
	printf '2020-01-05,1,1\n2020-03-09,2,2\n2020-01-31,3,3\n' |
		sl-load -H column_separator:, -T - testdb.ev | grep -q '"Status": "Success"'
	[ "$(part_names ev)" = "p20200101000000 p20200301000000 " ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.ev')" = 3 ]
	# a failed load (a bad row, max_filter_ratio 0) creates nothing
	printf '2021-07-01,4,4\nnot-a-date,5,5\n' |
		sl-load -H column_separator:, -H strict_mode:true -T - testdb.ev | grep -q '"Status": "Fail"'
	[ "$(part_names ev)" = "p20200101000000 p20200301000000 " ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.ev')" = 3 ]
}

@test "AUTO PARTITION: a killed load leaves no partition behind" {
	auto_table
	mkfifo in.fifo
	sl-load -H column_separator:, -H label:k1 -T - testdb.ev < in.fifo > held.json 2> held.err 3>&- &
	pid=$!
	exec 5> in.fifo
	for i in $(seq 1 2000); do echo "2021-0$((i % 9 + 1))-01,$i,$i"; done >&5
	# the load has begun writing its rows (files of partitions it creates)
	for ((i = 0; i < 1200; i++)); do
		[ -n "$(ls -A "$SL_DATA_DIR/testdb/ev/data")" ] && break
		sleep 0.05
	done
	[ -n "$(ls -A "$SL_DATA_DIR/testdb/ev/data")" ]
	kill -KILL "$(pgrep -P "$pid" -x sl-txn)"
	( trap '' PIPE; echo "2022-01-01,1,1" >&5 ) 2> /dev/null || true
	exec 5>&-
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -ne 0 ]
	[ "$(part_names ev)" = "" ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.ev')" = 0 ]
	# the same rows again, to the end: the nine months appear, once
	for i in $(seq 1 2000); do echo "2021-0$((i % 9 + 1))-01,$i,$i"; done |
		sl-load -H column_separator:, -H label:k1 -T - testdb.ev | grep -q '"Status": "Success"'
	[ "$(part_names ev | wc -w)" = 9 ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.ev')" = 2000 ]
}

@test "SELECT reads only the partitions its WHERE can match" {
	range_table
	head -n 8 streamload_example.csv > p12.csv
	tail -n 2 streamload_example.csv > p3.csv
	sl-load -H column_separator:, -T p12.csv testdb.test_streamload | grep -q '"Status": "Success"'
	run -0 --separate-stderr sl-load -H column_separator:, -T p3.csv testdb.test_streamload
	txn=$(json_get TxnId <<< "$output")
	# p3's rows are the second load's only file: without it, a read of p3 fails
	ls "$SL_DATA_DIR/testdb/test_streamload/data/$txn"-*.rs
	rm "$SL_DATA_DIR/testdb/test_streamload/data/$txn"-*.rs
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.test_streamload where user_id < 9')" = 8 ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.test_streamload where user_id in (1, 6) or user_id between 7 and 8')" = 4 ]
	[ "$(sl-sql -N -B -e 'select name from testdb.test_streamload partition (p2) where age > 60' | sort)" = "James
William" ]
	run sl-sql -N -B -e 'select count(*) from testdb.test_streamload where user_id >= 9'
	[ "$status" -ne 0 ]
	run sl-sql -N -B -e 'select count(*) from testdb.test_streamload'
	[ "$status" -ne 0 ]
}
