#!/usr/bin/env bats
# Compaction of a partitioned table (sl-compact(1), sl-store(5)
# Compaction): one new file per partition of the run, `--partition P`
# (only the entries whose files are all in P), full compaction, automatic
# compaction counting files per partition; every read equal before and
# after; TRUNCATE and DROP PARTITION, then compaction: the files of the
# dropped partitions go, the others' rows stay.
load test_helper

T=testdb.t

setup() {
	setup_data_dir
	# compactions here are the tests' own unless a test turns them on
	echo "compaction_segment_threshold = 0" > "$SL_DATA_DIR/sl.conf"
	sl-sql -e "CREATE DATABASE testdb"
	D=$SL_DATA_DIR/testdb/t/data
	sl-sql -e "CREATE TABLE $T (d DATE, k INT, v VARCHAR(20)) UNIQUE KEY(d, k)
		PARTITION BY RANGE(d) (
			PARTITION p1 VALUES LESS THAN (\"2020-02-01\"),
			PARTITION p2 VALUES LESS THAN (\"2020-03-01\"),
			PARTITION p3 VALUES LESS THAN (\"2020-04-01\"))
		DISTRIBUTED BY HASH(k) BUCKETS 1"
}

# load I MONTHS...: load number I, 3 rows in each month (1 2 3) given;
# keys repeat across loads (k = I % 4 * 10 + j): the last value wins
load_m() {
	local i=$1 m j
	shift
	for m in "$@"; do
		for j in 1 2 3; do echo "2020-0$m-1$j,$((i % 4 * 10 + j)),v$i"; done
	done > "in$i.csv"
	sl-load -H column_separator:, -H "label:L$i" -T "in$i.csv" "$T" > "ans$i.json" || { cat "ans$i.json" >&3; return 1; }
	grep -q '"Status": "Success"' "ans$i.json"
}

# txn I: the txn id of load I
txn() { sed -n 's/.*"TxnId": *\([0-9]*\).*/\1/p' "ans$1.json"; }

nfiles() { ls "$D" | grep -c '\.rs$' || true; }

# the table the successful loads I... make: the last value of each key
ref() {
	local i
	for i in "$@"; do cat "in$i.csv"; done |
		awk -F, '{ v[$1 "\t" $2] = $3 } END { for (x in v) print x "\t" v[x] }' |
		sort -t "$(printf '\t')" -k1,1 -k2,2n
}

# what readers show: the whole table, and each partition alone
snap() {
	sl-sql -N -B -e "select * from $T order by d, k" > "$1.all"
	local p
	for p in p1 p2 p3; do
		sl-sql -N -B -e "select * from $T PARTITION ($p) order by d, k" > "$1.$p"
	done
	sl-scan "$T" | sort > "$1.scan"
}

same() {
	local f
	for f in all p1 p2 p3 scan; do cmp "$1.$f" "$2.$f"; done
}

@test "partitions-compact: --partition P compacts only the entries all in P; reads are equal" {
	load_m 1 1
	load_m 2 2
	load_m 3 1
	load_m 4 1 2
	load_m 5 1
	load_m 6 1
	load_m 7 3
	[ "$(nfiles)" = 8 ]
	snap before
	[ "$(wc -l < before.all)" -gt 0 ]
	ls "$D" > files.before
	# p1: loads 5 and 6 (load 4 spans p2 and splits p1's entries)
	run -0 sl-compact --partition p1 "$T"
	[[ "$output" == "testdb.t: 2 file(s), 6 rows, compacted into "*"-0.rs, 6 rows; 7 file(s) now" ]]
	snap after
	same before after
	ls "$D" > files.after
	[ "$(comm -23 files.before files.after | wc -l)" = 2 ]
	# then loads 1 and 3: contiguous among p1's entries (load 2 is in p2
	# only), before load 4; the name is case-insensitive
	run -0 sl-compact --partition P1 "$T"
	[[ "$output" == "testdb.t: 2 file(s), 6 rows, compacted into "*"-0.rs, "*" rows; 6 file(s) now" ]]
	snap after2
	same before after2
	ls "$D" > files.after2
	comm -23 files.after files.after2 > gone
	grep -q "^$(txn 1)-0.rs\$" gone
	grep -q "^$(txn 3)-0.rs\$" gone
	# load 4 spans p1 and p2: never in a run of p1 alone
	run -0 sl-compact --partition p1 "$T"
	[[ "$output" == *"nothing to compact"* ]]
	run -0 sl-compact --partition p3 "$T"
	[[ "$output" == *"nothing to compact"* ]]
	# an unknown partition
	run -1 sl-compact --partition p9 "$T"
	[[ "$output" == *"partition p9 is not found in table testdb.t"* ]]
	run -100 sl-compact --partition "$T"
	run -1 sl-compact --partition p1 testdb.nosuch
	[[ "$output" == *"Unknown table 'testdb.nosuch'"* ]]
}

@test "partitions-compact: the policy and full compaction write one file per partition; reads are equal" {
	local i
	for i in 1 2 3 4 5 6; do load_m $i $((i % 3 + 1)); done
	load_m 7 1 2 3
	load_m 8 2
	snap before
	run -0 sl-compact "$T"
	[[ "$output" == *"compacted into"* ]]
	snap mid
	same before mid
	# two more files in p1 and p3 at least: a full compaction has work
	load_m 9 1 3
	snap before
	run -0 sl-compact --full "$T"
	[[ "$output" == *"compacted into "*"-0.rs .. "*"-2.rs (one per partition)"*"; 3 file(s) now" ]]
	[ "$(nfiles)" = 3 ]
	snap after
	same before after
	run -0 sl-compact --full "$T"
	[[ "$output" == *"nothing to compact (3 file(s))"* ]]
	# the UNIQUE model held through the runs: each key once, the last value
	ref 1 2 3 4 5 6 7 8 9 > expect
	cmp expect after.all
}

@test "partitions-compact: automatic compaction counts the files of each partition" {
	echo "compaction_segment_threshold = 3" > "$SL_DATA_DIR/sl.conf"
	local i
	load_m 1 1
	load_m 2 3
	for i in 3 4 5 6 7 8; do load_m $i 2; done
	# each load's compaction runs on its own, after the answer: wait
	# (10 s at most) for it; p2 had 6 files: now at most 3; p1, p3 one each
	local tries=0
	until flock -n "$D/../compact.lock" true && [ "$(nfiles)" -le 5 ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 100 ]
		sleep 0.1
	done
	snap after
	[ "$(wc -l < after.p2)" = 12 ]
	[ "$(wc -l < after.p1)" = 3 ]
	[ "$(wc -l < after.p3)" = 3 ]
}

@test "partitions-compact: TRUNCATE and DROP PARTITION, then compaction: the dropped files go, the rest reads the same" {
	local i
	for i in 1 2 3 4; do load_m $i 1 2 3; done
	load_m 5 2
	snap before
	sl-sql -e "TRUNCATE TABLE $T PARTITION (p1)"
	sl-sql -e "ALTER TABLE $T DROP PARTITION p3"
	[ "$(sl-sql -N -B -e "select count(*) from $T PARTITION (p1)")" = 0 ]
	sl-sql -N -B -e "select * from $T PARTITION (p2) order by d, k" > mid.p2
	cmp before.p2 mid.p2
	# the first compaction after the change removes the dropped
	# partitions' files (loads 1 to 4 had one in p1 and one in p3 each)
	run -0 sl-compact "$T"
	[[ "$output" == *"compacted into"* ]]
	[[ "$output" == *"removed 8 leftover file(s)"* ]]
	run -0 sl-compact --full "$T"
	[[ "$output" != *"leftover"* ]]
	[ "$(nfiles)" = 1 ]
	sl-sql -N -B -e "select * from $T order by d, k" > after.all
	cmp before.p2 after.all
	run -0 sl-fsck
	# new loads into the new p1 are read and compacted as before
	load_m 6 1
	load_m 7 1
	run -0 sl-compact --partition p1 "$T"
	[[ "$output" == *"compacted into"* ]]
	[ "$(sl-sql -N -B -e "select count(*) from $T PARTITION (p1)")" = 6 ]
	ref 6 7 > expect
	sl-sql -N -B -e "select * from $T PARTITION (p1) order by d, k" > got
	cmp expect got
}
