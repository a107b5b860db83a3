#!/usr/bin/env bats
# Headers a Doris user sends that only route or tune a load (issue 9, items
# 3 and 9; spec sections 3.2 and 4): each is read and checked as Doris does,
# through sl-load and through curl, and what the store cannot do yet is a
# clear NOT_IMPLEMENTED error, never a Success that did something else.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE db"
	sl-sql -e "CREATE TABLE db.t (id INT, name VARCHAR(20), age INT)
		DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	sl-sql -e "CREATE TABLE db.r (id INT, name VARCHAR(20), age INT)
		DUPLICATE KEY(id) DISTRIBUTED BY RANDOM BUCKETS 1"
	printf '1,a,30\n2,b,40\n' > a.csv
	server_pid=
}

teardown() { httpd_stop; }

msg() { sed -n -E 's/^ *"Message": "(.*)",$/\1/p'; }
status() { sed -n -E 's/^ *"Status": "(.*)",$/\1/p'; }
FE='[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = '

# check EXPECTED-MESSAGE HEADER... : the load fails with that message both
# through sl-load and through curl, and nothing becomes visible.
check() {
	local want=$1 h args=()
	shift
	for h in "$@"; do args+=(-H "$h"); done
	run -1 --separate-stderr sl-load -H column_separator:, "${args[@]}" -T a.csv db.${T:-t}
	[ "$(status <<< "$output")" = Fail ]
	[ "$(msg <<< "$output")" = "$want" ]
	run -0 curl -sS -u root: -H column_separator:, "${args[@]}" -T a.csv "http://127.0.0.1:$port/api/db/${T:-t}/_stream_load"
	[ "$(status <<< "$output")" = Fail ]
	[ "$(msg <<< "$output")" = "$want" ]
	[ "$(sl-sql -N -B -e "select count(*) from db.${T:-t}")" = 0 ]
}

# ok HEADER...: the load succeeds both ways (2 rows each).
ok() {
	local h args=()
	for h in "$@"; do args+=(-H "$h"); done
	run -0 --separate-stderr sl-load -H column_separator:, "${args[@]}" -T a.csv db.${T:-t}
	[ "$(status <<< "$output")" = Success ]
	run -0 curl -sS -u root: -H column_separator:, "${args[@]}" -T a.csv "http://127.0.0.1:$port/api/db/${T:-t}/_stream_load"
	[ "$(status <<< "$output")" = Success ]
}

@test "partitions: an unpartitioned table's one partition is named as the table; others are not found" {
	httpd_start
	ok partitions:t
	ok 'partitions: T '
	[ "$(sl-sql -N -B -e "select count(*) from db.t")" = 8 ]
	sl-sql -e "DROP TABLE db.t"
	sl-sql -e "CREATE TABLE db.t (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	check "${FE}partition p1 is not found in table t" partitions:p1
	check "${FE}partition p2 is not found in table t" 'partitions:t, p2'
	check "${FE}partition t is not found in table t" temporary_partitions:t
	check "[INVALID_ARGUMENT]Can not specify both partitions and temporary partitions" partitions:t temporary_partitions:tp
}

@test "load_to_single_tablet: refused on a hash-distributed table, a load on a random one" {
	httpd_start
	check "${FE}if load_to_single_tablet set to true, the olap table must be with random distribution" load_to_single_tablet:true
	ok load_to_single_tablet:false
	sl-sql -e "DROP TABLE db.t"
	sl-sql -e "CREATE TABLE db.t (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	T=r ok load_to_single_tablet:true
	[ "$(sl-sql -N -B -e "select count(*) from db.r")" = 4 ]
}

@test "unique_key_update_mode and partial_update_new_key_behavior: bad values, and partial modes on a DUPLICATE table" {
	httpd_start
	check "[INVALID_ARGUMENT]Invalid unique_key_partial_mode bogus, must be one of 'UPSERT', 'UPDATE_FIXED_COLUMNS' or 'UPDATE_FLEXIBLE_COLUMNS'" unique_key_update_mode:bogus
	check "${FE}Only unique key merge on write support partial update" unique_key_update_mode:UPDATE_FIXED_COLUMNS
	# UPDATE_FLEXIBLE_COLUMNS: the BE refuses a CSV body first (Doris)
	check "[INVALID_ARGUMENT]flexible partial update only support json format as input file currently" unique_key_update_mode:update_flexible_columns
	check "[INVALID_ARGUMENT]Invalid partial_update_new_key_behavior MAYBE, must be one of {'APPEND', 'ERROR'}" partial_update_new_key_behavior:maybe
	ok unique_key_update_mode:upsert
}

@test "group_commit: bad values and a label with it are refused; off_mode and sync_mode load" {
	httpd_start
	check "[INVALID_ARGUMENT]group_commit can only be [async_mode, sync_mode, off_mode]" group_commit:fast
	check "[INVALID_ARGUMENT]label and group_commit can't be set at the same time" group_commit:sync_mode label:l1
	ok group_commit:off_mode
	ok group_commit:sync_mode
	# with 2PC Doris turns group commit off: a normal (precommitted) load
	run -0 sl-load -H column_separator:, -H group_commit:async_mode -H two_phase_commit:true -T a.csv db.t
	[ "$(status <<< "$output")" = Success ]
}

@test "enable_profile: each stage writes its profile line to the server's log (and to sl-load's stderr)" {
	httpd_start
	run -0 curl -sS -u root: -H column_separator:, -H enable_profile:true -H label:prof1 -H 'where: age > 35' \
		-T a.csv "http://127.0.0.1:$port/api/db/t/_stream_load"
	[ "$(status <<< "$output")" = Success ]
	log=$BATS_TEST_TMPDIR/server.err
	grep -q '^sl-parse: profile: label=prof1 table=db.t rows_in=0 rows_out=2 errors=0 ' "$log"
	grep -q '^sl-map: profile: label=prof1 table=db.t rows_in=2 rows_out=2 errors=0 ' "$log"
	grep -q '^sl-filter: profile: label=prof1 table=- rows_in=2 rows_out=1 ' "$log"
	grep -q '^sl-txn: profile: label=prof1 table=db.t rows_in=1 ' "$log"
	grep -q '^sl-commit: profile: label=prof1 ' "$log"
	grep -E '^sl-map: profile: .* bytes_in=[1-9][0-9]* bytes_out=[1-9][0-9]* wall_ms=[0-9]+ cpu_ms=[0-9]+ max_rss_kb=[0-9]+$' "$log"
	# without the header, nothing
	run -0 curl -sS -u root: -H column_separator:, -H label:prof2 -T a.csv "http://127.0.0.1:$port/api/db/t/_stream_load"
	! grep -q 'label=prof2' "$log"
	run -0 --separate-stderr sl-load -H column_separator:, -H enable_profile:TRUE -H label:prof3 -T a.csv db.t
	[ "$(grep -c '^sl-[a-z]*: profile: label=prof3 ' <<< "$stderr")" = 4 ]
	# a small group-commit load runs its stages in one process: still a
	# line for each, with its own counts
	sl-sql -e "CREATE TABLE db.gp (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	run -0 curl -sS -u root: -H column_separator:, -H enable_profile:true -H group_commit:sync_mode \
		-T a.csv "http://127.0.0.1:$port/api/db/gp/_stream_load"
	[ "$(status <<< "$output")" = Success ]
	l=$(sed -n 's/^sl-parse: profile: label=\([^ ]*\) table=db.gp .*/\1/p' "$log")
	[ -n "$l" ]
	[ "$(grep "profile: label=$l " "$log" | cut -d: -f1 | sort | tr '\n' ' ')" = "sl-commit sl-map sl-parse sl-txn " ]
	grep -q "^sl-map: profile: label=$l table=db.gp rows_in=2 rows_out=2 " "$log"
}
