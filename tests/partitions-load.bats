#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# partitions-load.bats -- loads into partitioned tables: rows land in the
# partition whose RANGE or LIST holds them (sl-filter routes, sl-txn
# writes one file set per partition), rows outside every partition are
# filtered with Doris's reason, the `partitions` and
# `temporary_partitions` headers restrict a load, AUTO PARTITION tables
# get their new partitions with the load's commit and never without it
# (a killed or failed load leaves none; two loads creating the same one
# share it), UNIQUE tables fold within a partition, a 2PC load's new
# partitions appear at its commit.
load test_helper

FE='[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = '

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE d"
}

get() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'; }

# load TABLE BODY [headers...]: a CSV body through sl-load; the answer on stdout.
load() {
	local t=$1 body=$2
	shift 2
	printf "$body" | sl-load -H column_separator:, "$@" -T - "d.$t"
}

# rows TABLE PARTITION: the rows of one partition, "k,v" space-separated, sorted.
rows() {
	sl-sql -N -e "SELECT * FROM d.$1 PARTITION ($2)" | tr '\t' ',' | sort | tr '\n' ' ' | sed 's/ $//'
}
trows() {
	sl-sql -N -e "SELECT * FROM d.$1 TEMPORARY PARTITION ($2)" | tr '\t' ',' | sort | tr '\n' ' ' | sed 's/ $//'
}
# parts TABLE: the partition names, space-separated, sorted.
parts() {
	sl-sql -N -e "SHOW PARTITIONS FROM d.$1" | cut -f2 | sort | tr '\n' ' ' | sed 's/ $//'
}
# all TABLE: every row of the table, sorted.
all() {
	sl-sql -N -e "SELECT * FROM d.$1" | tr '\t' ',' | sort | tr '\n' ' ' | sed 's/ $//'
}

range_table() {
	sl-sql -e "CREATE TABLE d.r (k DATE NOT NULL, v INT) DUPLICATE KEY(k)
		PARTITION BY RANGE(k) (
			PARTITION p1 VALUES LESS THAN (\"2020-02-01\"),
			PARTITION p2 VALUES [(\"2020-02-01\"), (\"2020-03-01\")),
			PARTITION p3 VALUES LESS THAN (\"2020-04-01\"))
		DISTRIBUTED BY HASH(k) BUCKETS 1"
}

@test "partitions-load: the router's unit tests (partroute)" {
	run -0 --separate-stderr "$SL_UNIT/test-partroute"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "RANGE: LESS THAN and [a, b) partitions take their rows; one outside every partition is filtered" {
	range_table
	run -0 --separate-stderr load r '2020-01-15,1\n2020-02-01,2\n2020-02-29,3\n2020-03-31,4\n2019-01-01,5\n2020-04-01,6\n' \
		-H max_filter_ratio:0.5
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberTotalRows <<<"$output")" = 6 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 5 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(rows r p1)" = "2019-01-01,5 2020-01-15,1" ]
	[ "$(rows r p2)" = "2020-02-01,2 2020-02-29,3" ]
	[ "$(rows r p3)" = "2020-03-31,4" ]
	url=$(get ErrorURL <<<"$output")
	run -0 cat "${url#file://}"
	[[ "$output" == "Reason: no partition for this tuple. tuple="*"2020-04-01"*". src line []; " ]]
}

@test "RANGE: the filtered row fails a strict load too; max_filter_ratio 0 fails the load" {
	range_table
	run -1 --separate-stderr load r '2020-01-15,1\n2021-01-01,2\n' -H strict_mode:true
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[[ "$(get FirstErrorMsg <<<"$output")" == "no partition for this tuple. tuple="* ]]
	[ "$(all r)" = "" ]
}

@test "RANGE: MAXVALUE and two columns compare as tuples" {
	sl-sql -e "CREATE TABLE d.m (a INT NOT NULL, b INT NOT NULL, v INT) DUPLICATE KEY(a, b)
		PARTITION BY RANGE(a, b) (
			PARTITION p1 VALUES LESS THAN (\"10\", \"5\"),
			PARTITION p2 VALUES LESS THAN (\"20\"),
			PARTITION p3 VALUES LESS THAN (MAXVALUE))
		DISTRIBUTED BY HASH(a) BUCKETS 1"
	run -0 --separate-stderr load m '10,4,1\n10,5,2\n19,99,3\n20,0,4\n999999,1,5\n-5,0,6\n'
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(rows m p1)" = "-5,0,6 10,4,1" ]
	[ "$(rows m p2)" = "10,5,2 19,99,3" ]
	[ "$(rows m p3)" = "20,0,4 999999,1,5" ]
}

@test "LIST: one column and two columns; a value in no list is filtered" {
	sl-sql -e "CREATE TABLE d.l (c VARCHAR(10) NOT NULL, v INT) DUPLICATE KEY(c)
		PARTITION BY LIST(c) (
			PARTITION pa VALUES IN (\"a\", \"b\"),
			PARTITION pc VALUES IN (\"c\"))
		DISTRIBUTED BY HASH(c) BUCKETS 1"
	run -0 --separate-stderr load l 'a,1\nb,2\nc,3\nz,4\n' -H max_filter_ratio:0.5
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(rows l pa)" = "a,1 b,2" ]
	[ "$(rows l pc)" = "c,3" ]
	sl-sql -e "CREATE TABLE d.l2 (c VARCHAR(10) NOT NULL, n INT NOT NULL, v INT) DUPLICATE KEY(c, n)
		PARTITION BY LIST(c, n) (
			PARTITION p1 VALUES IN ((\"a\", \"1\"), (\"b\", \"2\")),
			PARTITION p2 VALUES IN ((\"a\", \"2\")))
		DISTRIBUTED BY HASH(c) BUCKETS 1"
	run -0 --separate-stderr load l2 'a,1,1\nb,2,2\na,2,3\nb,1,4\n' -H max_filter_ratio:0.5
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(rows l2 p1)" = "a,1,1 b,2,2" ]
	[ "$(rows l2 p2)" = "a,2,3" ]
}

@test "partitions: p1, p3 takes their rows and filters the others with the same reason" {
	range_table
	run -0 --separate-stderr load r '2020-01-15,1\n2020-02-10,2\n2020-03-10,3\n' -H 'partitions: p1, P3' \
		-H max_filter_ratio:0.5
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(rows r p1)" = "2020-01-15,1" ]
	[ "$(rows r p2)" = "" ]
	[ "$(rows r p3)" = "2020-03-10,3" ]
	run -0 cat "$(get ErrorURL <<<"$output" | sed 's#^file://##')"
	[[ "$output" == "Reason: no partition for this tuple. tuple="*"2020-02-10"* ]]
}

@test "temporary_partitions loads into temporary partitions only" {
	range_table
	sl-sql -e "ALTER TABLE d.r ADD TEMPORARY PARTITION tp1 VALUES [(\"2020-01-01\"), (\"2020-03-01\"))"
	run -0 --separate-stderr load r '2020-01-15,1\n2020-02-10,2\n2020-03-10,3\n' -H 'temporary_partitions: tp1' \
		-H max_filter_ratio:0.5
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(trows r tp1)" = "2020-01-15,1 2020-02-10,2" ]
	[ "$(all r)" = "" ]
}

@test "the headers' errors: an unknown partition, a formal one named as temporary, both headers" {
	range_table
	run -1 --separate-stderr load r '2020-01-15,1\n' -H 'partitions: p1, p9'
	[ "$(get Message <<<"$output")" = "${FE}partition p9 is not found in table r" ]
	run -1 --separate-stderr load r '2020-01-15,1\n' -H 'temporary_partitions: p1'
	[ "$(get Message <<<"$output")" = "${FE}partition p1 is not found in table r" ]
	run -1 --separate-stderr load r '2020-01-15,1\n' -H 'partitions: p1' -H 'temporary_partitions: p1'
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]Can not specify both partitions and temporary partitions" ]
	# an unpartitioned table: its own name
	sl-sql -e "CREATE TABLE d.u (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 --separate-stderr load u '1,1\n' -H 'partitions: u'
	[ "$(get Status <<<"$output")" = Success ]
}

auto_table() {
	sl-sql -e "CREATE TABLE d.a$1 (k DATETIME NOT NULL, v INT) DUPLICATE KEY(k)
		AUTO PARTITION BY RANGE (date_trunc(\`k\`, '$1')) ()
		DISTRIBUTED BY HASH(k) BUCKETS 1"
}

@test "AUTO RANGE: each unit creates partitions named as Doris names them" {
	for u in day week month year; do auto_table $u; done
	body='2022-01-05 10:00:00,1\n2022-01-05 23:00:00,2\n2022-03-01 00:00:00,3\n'
	for u in day week month year; do
		run -0 --separate-stderr load a$u "$body"
		[ "$(get Status <<<"$output")" = Success ]
	done
	[ "$(parts aday)" = "p20220105000000 p20220301000000" ]
	[ "$(parts aweek)" = "p20220103000000 p20220228000000" ]
	[ "$(parts amonth)" = "p20220101000000 p20220301000000" ]
	[ "$(parts ayear)" = "p20220101000000" ]
	[ "$(rows aday p20220105000000)" = "2022-01-05 10:00:00,1 2022-01-05 23:00:00,2" ]
	# a later load reuses them
	run -0 --separate-stderr load amonth '2022-01-31 00:00:00,4\n'
	[ "$(parts amonth)" = "p20220101000000 p20220301000000" ]
	[ "$(rows amonth p20220101000000)" = "2022-01-05 10:00:00,1 2022-01-05 23:00:00,2 2022-01-31 00:00:00,4" ]
}

@test "AUTO LIST creates a partition per value" {
	sl-sql -e "CREATE TABLE d.al (c VARCHAR(10) NOT NULL, v INT) DUPLICATE KEY(c)
		AUTO PARTITION BY LIST (\`c\`) () DISTRIBUTED BY HASH(c) BUCKETS 1"
	run -0 --separate-stderr load al 'x,1\ny,2\nx,3\n'
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(sl-sql -N -e "SHOW PARTITIONS FROM d.al" | wc -l)" = 2 ]
	[ "$(all al)" = "x,1 x,3 y,2" ]
}

@test "AUTO: a load that fails max_filter_ratio leaves no new partition" {
	auto_table month
	load amonth '2022-01-05 10:00:00,1\n' > /dev/null
	before=$(parts amonth)
	run -1 --separate-stderr load amonth '2023-05-05 10:00:00,1\nnot a date,2\n' -H strict_mode:true
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(parts amonth)" = "$before" ]
	[ "$(all amonth)" = "2022-01-05 10:00:00,1" ]
}

# killed STAGE: a load into amonth whose body stalls after one row of a new
# partition; STAGE (sl-txn or sl-commit) is killed with SIGKILL before it
# commits.
killed() {
	local victim=$1 s
	mkfifo body
	(
		cmd() { if [ "$1" = "$victim" ]; then echo $BASHPID > victim.pid; fi; exec "$@"; }
		sl-parse -H column_separator:, d.amonth < body | sl-map -H column_separator:, d.amonth |
			sl-filter d.amonth | cmd sl-txn d.amonth | cmd sl-commit > answer
	) &
	exec 7> body
	printf '2024-07-01 00:00:00,9\n' >&7
	for s in $(seq 50); do [ -s victim.pid ] && break; sleep 0.1; done
	sleep 1
	kill -9 "$(cat victim.pid)"
	exec 7>&-
	wait || true
}

@test "AUTO: a load killed before it commits (SIGKILL of sl-txn or sl-commit) leaves no new partition" {
	auto_table month
	load amonth '2022-01-05 10:00:00,1\n' > /dev/null
	before=$(parts amonth)
	killed sl-txn
	[ "$(parts amonth)" = "$before" ]
	rm -f body victim.pid answer
	killed sl-commit
	[ "$(parts amonth)" = "$before" ]
	[ "$(all amonth)" = "2022-01-05 10:00:00,1" ]
	# the store is sound, and a later load makes the partition
	run -0 sl-fsck
	run -0 --separate-stderr load amonth '2024-07-01 00:00:00,9\n'
	[ "$(parts amonth)" = "p20220101000000 p20240701000000" ]
}

@test "AUTO: two concurrent loads creating the same partition both succeed; the table has it once" {
	auto_table month
	load amonth '2022-01-05 10:00:00,1\n' > a1 &
	load amonth '2022-01-06 10:00:00,2\n' > a2 &
	wait
	[ "$(get Status < a1)" = Success ]
	[ "$(get Status < a2)" = Success ]
	[ "$(parts amonth)" = "p20220101000000" ]
	[ "$(rows amonth p20220101000000)" = "2022-01-05 10:00:00,1 2022-01-06 10:00:00,2" ]
}

@test "UNIQUE: the later load wins within a partition, keys fold per partition" {
	sl-sql -e "CREATE TABLE d.u (k INT NOT NULL, v VARCHAR(10)) UNIQUE KEY(k)
		PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN (\"10\"), PARTITION p2 VALUES LESS THAN (\"20\"))
		DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 --separate-stderr load u '1,a\n15,b\n1,c\n'
	[ "$(rows u p1)" = "1,c" ]
	run -0 --separate-stderr load u '15,d\n2,e\n'
	[ "$(rows u p1)" = "1,c 2,e" ]
	[ "$(rows u p2)" = "15,d" ]
}

@test "2PC into an AUTO table: the partitions appear at the commit, none after an abort" {
	auto_table month
	run -0 --separate-stderr load amonth '2022-01-05 10:00:00,1\n' -H two_phase_commit:true -H label:l1
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(parts amonth)" = "" ]
	run -0 --separate-stderr sl-commit --txn-operation commit --label l1 d
	[ "$(parts amonth)" = "p20220101000000" ]
	run -0 --separate-stderr load amonth '2023-01-05 10:00:00,1\n' -H two_phase_commit:true -H label:l2
	run -0 --separate-stderr sl-commit --txn-operation abort --label l2 d
	[ "$(parts amonth)" = "p20220101000000" ]
	[ "$(all amonth)" = "2022-01-05 10:00:00,1" ]
}

@test "DUPLICATE: rows of many partitions, more than the open files, all land" {
	sl-sql -e "CREATE TABLE d.al (c INT NOT NULL, v INT) DUPLICATE KEY(c)
		AUTO PARTITION BY LIST (\`c\`) () DISTRIBUTED BY HASH(c) BUCKETS 1"
	for i in $(seq 1 3); do for c in $(seq 1 20); do echo "$c,$i"; done; done > body.csv
	run -0 --separate-stderr sl-load -H column_separator:, -T body.csv d.al
	[ "$(get NumberLoadedRows <<<"$output")" = 60 ]
	[ "$(sl-sql -N -e "SHOW PARTITIONS FROM d.al" | wc -l)" = 20 ]
	[ "$(sl-sql -N -e "SELECT count(*) FROM d.al")" = 60 ]
	[ "$(sl-sql -N -e "SELECT v FROM d.al WHERE c = 7 ORDER BY v" | tr '\n' ' ')" = "1 2 3 " ]
}

@test "a hand pipeline: sl-filter without DB.TABLE leaves the rows unrouted and sl-txn refuses them" {
	range_table
	run -0 --separate-stderr bash -c "printf '2020-01-15,1\n' | sl-parse -H column_separator:, d.r |
		sl-map -H column_separator:, d.r | sl-filter | sl-txn d.r > /dev/null; echo \${PIPESTATUS[4]}"
	[ "$output" = 100 ]
	[ "$stderr" = "sl-txn: fatal: the rows of partitioned table d.r carry no __SL_PARTITION__ column: run sl-filter d.r before sl-txn" ]
	# with it, the rows carry the partition field
	run -0 --separate-stderr bash -c "printf '2020-01-15,1\n' | sl-parse -H column_separator:, d.r |
		sl-map -H column_separator:, d.r | sl-filter d.r | sl-dump"
	[[ "$output" == *"__SL_PARTITION__"* ]]
}

@test "a partition dropped or truncated during the load: the commit fails with the store's message, nothing visible" {
	range_table
	for stmt in "TRUNCATE TABLE d.r PARTITION (p1)" "ALTER TABLE d.r DROP PARTITION p1"; do
		rm -f body answer
		mkfifo body
		sl-load -H column_separator:, -T - d.r < body > answer &
		exec 7> body
		printf '2020-01-15,1\n2020-02-15,2\n' >&7
		sleep 1
		sl-sql -e "$stmt"
		exec 7>&-
		wait $! || true
		[ "$(get Status < answer)" = Fail ]
		[ "$(get Message < answer)" = "${FE}partition p1 was dropped or replaced during the load" ]
		[ "$(all r)" = "" ]
	done
}

@test "2PC: a partition truncated or dropped between the precommit and the commit refuses the commit and aborts the load, nothing visible" {
	range_table
	local n=0  # (not i: bats's run uses it)
	for stmt in "TRUNCATE TABLE d.r PARTITION (p1)" "ALTER TABLE d.r DROP PARTITION p1"; do
		n=$((n + 1))
		run -0 --separate-stderr load r '2020-01-15,1\n2020-02-15,2\n' -H two_phase_commit:true -H label:t$n
		[ "$(get Status <<<"$output")" = Success ]
		[ "$(ls "$SL_DATA_DIR/d/r/data" | wc -l)" -gt 0 ]
		sl-sql -e "$stmt"
		run -1 --separate-stderr sl-commit --txn-operation commit --label t$n d
		[ "$(get status <<<"$output")" = ANALYSIS_ERROR ]
		[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = partition p1 was dropped or replaced during the load" ]
		[ "$(all r)" = "" ]
		# the load can never commit now: it is aborted and its files are gone
		run -1 --separate-stderr sl-commit --txn-operation commit --label t$n d
		[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = running transaction not found, label=t$n" ]
		[ "$(ls "$SL_DATA_DIR/d/r/data" | wc -l)" = 0 ]
	done
}

@test "AUTO LIST: a value no partition can hold is filtered with the reason; a partition name over Doris's limit fails the load" {
	sl-sql -e "CREATE TABLE d.al (s VARCHAR(64) NOT NULL, v INT) DUPLICATE KEY(s)
		AUTO PARTITION BY LIST (\`s\`) () DISTRIBUTED BY HASH(s) BUCKETS 1"
	run -0 --separate-stderr load al 'a\0b,1\nok,2\n' -H max_filter_ratio:0.9
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(parts al)" = "pok2" ]
	grep -q 'Reason: no partition for this tuple. tuple=\["a\\u0000b", "1"\]' "$(get ErrorURL <<<"$output" | sed 's|^file://||')"
	run -1 --separate-stderr load al "$(printf 'x%.0s' $(seq 1 60)),1\n"
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "${FE}Partition name's length is over limit of 50. abort to create." ]
	[ "$(parts al)" = "pok2" ]
}
