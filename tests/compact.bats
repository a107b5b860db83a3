#!/usr/bin/env bats
# sl-compact(1), sl-store(5) Compaction: a run of a table's rowset files
# folded into one without changing what any reader sees; one log record
# swaps it in; crashes leave the old run or the new file, never both and
# never neither; automatic compaction after loads.
load test_helper

T=testdb.t
D=

setup() {
	setup_data_dir
	D=$SL_DATA_DIR/testdb/t/data
	sl-sql -e "CREATE DATABASE testdb"
	sl-sql -e "CREATE TABLE $T (k INT, v VARCHAR(20), n BIGINT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	# compactions here are the tests' own unless a test turns them on
	echo "compaction_segment_threshold = 0" > "$SL_DATA_DIR/sl.conf"
}

# load I ROWS: load number I, ROWS rows; its rows are appended to all.tsv
load_n() {
	seq 1 "$2" | awk -v i="$1" '{ print i * 100000 + $1 "," "v" i "-" $1 "," i }' > "in$1.csv"
	sl-load -H column_separator:, -H "label:L$1" -T "in$1.csv" "$T" > "ans$1.json" || { cat "ans$1.json" >&3; return 1; }
	grep -q '"Status": "Success"' "ans$1.json" || return 1
	tr , '\t' < "in$1.csv" >> all.tsv
}

nfiles() { ls "$D" | grep -c '\.rs$' || true; }

# what every reader shows: sl-scan's stream, and SQL's rows in storage order
snap() {
	sl-scan "$T" > "$1.scan"
	sl-sql -N -B -e "select * from $T" > "$1.sql"
}

@test "compact: unit tests (the run policy, the K record's fold, the checkpoint, lookups, garbage)" {
	run -0 --separate-stderr "$SL_UNIT/test-compact"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "compact: every reader sees the same rows before and after; fewer files; the old ones removed" {
	local i
	for i in 1 2 3 4 5 6 7 8; do load_n $i $((i * 37)); done
	[ "$(nfiles)" = 8 ]
	snap before
	diff before.sql all.tsv
	ls "$D" > files.before
	run -0 sl-compact "$T"
	[[ "$output" == "testdb.t: "*" file(s), "*" rows, compacted into 1008-0.rs, "*" rows; "*" file(s) now" ]]
	snap after
	cmp before.scan after.scan
	cmp before.sql after.sql
	[ "$(nfiles)" -lt 8 ]
	[ -e "$D/1008-0.rs" ]
	# every file replaced is gone; the others are untouched
	local gone=0
	for f in $(cat files.before); do [ -e "$D/$f" ] || gone=$((gone + 1)); done
	[ "$gone" -ge 2 ]
	[ "$(nfiles)" = $((8 - gone + 1)) ]
	# more loads after a compaction are newer than it: the order holds
	for i in 9 10 11; do load_n $i 5; done
	run -0 sl-compact --full "$T"
	[[ "$output" == *"compacted into 1012-0.rs"*"; 1 file(s) now" ]]
	[ "$(ls "$D")" = 1012-0.rs ]
	snap full
	diff full.sql all.tsv
	run -0 sl-sql -N -B -e "select count(*), sum(n) from $T"
	[ "$output" = "$(awk -F'\t' '{ c++; s += $3 } END { print c "\t" s }' all.tsv)" ]
	run -0 sl-fsck
	[[ "$output" == *"testdb.t: 1 rowset(s), $(wc -l < all.tsv) rows: ok"* ]]
	# the log says it: the checkpoint and a replay agree
	rm -f "$SL_DATA_DIR/testdb/txnlog.ckpt"
	snap replay
	cmp full.scan replay.scan
}

@test "compact: the policy's run, --full, and nothing to compact" {
	run -0 sl-compact "$T"
	[ "$output" = "testdb.t: nothing to compact (0 file(s))" ]
	load_n 1 5000
	run -0 sl-compact "$T"
	[ "$output" = "testdb.t: nothing to compact (1 file(s))" ]
	load_n 2 10
	load_n 3 10
	load_n 4 10
	# the big oldest file is left alone; the three small ones are folded
	run -0 sl-compact "$T"
	[[ "$output" == "testdb.t: 3 file(s), 30 rows, compacted into "*"; 2 file(s) now" ]]
	[ -e "$D/1000-0.rs" ]
	snap a
	diff a.sql all.tsv
	run -0 sl-compact --full "$T"
	[[ "$output" == "testdb.t: 2 file(s), 5030 rows, compacted into "*"; 1 file(s) now" ]]
	snap b
	diff b.sql all.tsv
}

@test "compact: failure paths: no such table or database, usage, busy, a corrupt input file" {
	run -1 sl-compact testdb.nosuch
	[[ "$output" == *"Unknown table 'testdb.nosuch'"* ]]
	run -1 sl-compact nodb.t
	[[ "$output" == *"Unknown database 'nodb'"* ]]
	run -100 sl-compact
	[[ "$output" == *"usage: sl-compact "* ]]
	run -100 sl-compact testdb
	run -100 sl-compact --bogus "$T"
	run -0 sl-compact --help
	[[ "$output" == "usage: sl-compact "* ]]
	load_n 1 100
	load_n 2 100
	# another compaction holds the table: say so, exit 0, change nothing
	touch "$SL_DATA_DIR/testdb/t/compact.lock"
	flock "$SL_DATA_DIR/testdb/t/compact.lock" sl-compact "$T" > busy.out
	grep -q "^testdb.t: a compaction of the table is running; not waiting for it$" busy.out
	[ "$(nfiles)" = 2 ]
	# a damaged input file: refused with the file named, nothing changed
	cp "$D/1001-0.rs" keep.rs
	printf 'XXXX' | dd of="$D/1001-0.rs" bs=1 seek=200 conv=notrunc status=none
	ls "$D" > files.before
	run -100 sl-compact "$T"
	[[ "$output" == *"unable to compact testdb.t: "*"1001-0.rs"* ]]
	[ "$(ls "$D")" = "$(cat files.before)" ]
	cp keep.rs "$D/1001-0.rs"
	run -0 sl-compact "$T"
	snap ok
	diff ok.sql all.tsv
	# a table dropped: nothing to compact it into
	sl-sql -e "DROP TABLE $T"
	run -1 sl-compact "$T"
	[[ "$output" == *"Unknown table 'testdb.t'"* ]]
}

@test "compact: a compaction racing concurrent loads keeps every row of both" {
	local i
	for i in 1 2 3 4 5 6; do load_n $i 20; done
	(
		for i in $(seq 7 40); do load_n $i 7 || echo "load $i failed" >> loads.bad; done
		touch loads.done
	) &
	local n=0
	while [ ! -e loads.done ]; do
		sl-compact "$T" > /dev/null 2>> compact.err || echo "compact failed" >> compact.bad
		n=$((n + 1))
	done
	wait
	[ ! -e loads.bad ] && [ ! -e compact.bad ]
	sl-compact --full "$T"
	echo "# $n compactions during 34 loads" >&3
	snap end
	diff end.sql all.tsv
	[ "$(nfiles)" = 1 ]
	run -0 sl-fsck
}

@test "compact: automatic compaction after loads bounds the file count" {
	echo "compaction_segment_threshold = 4" > "$SL_DATA_DIR/sl.conf"
	local i
	for i in $(seq 1 40); do load_n $i 3; done
	# each load's compaction runs on its own, after the answer: wait for them
	for i in $(seq 1 100); do
		[ "$(nfiles)" -le 4 ] && ! flock -n "$SL_DATA_DIR/testdb/t/compact.lock" true || break
		sleep 0.1
	done
	for i in $(seq 1 100); do
		flock -n "$SL_DATA_DIR/testdb/t/compact.lock" true && [ "$(nfiles)" -le 4 ] && break
		sleep 0.1
	done
	[ "$(nfiles)" -le 4 ]
	snap a
	diff a.sql all.tsv
	run -0 sl-fsck
	# 0 turns it off
	echo "compaction_segment_threshold = 0" > "$SL_DATA_DIR/sl.conf"
	for i in $(seq 41 60); do load_n $i 3; done
	sleep 0.5
	[ "$(nfiles)" -ge 20 ]
	# a bad value is refused like any sl.conf key
	echo "compaction_segment_threshold = many" > "$SL_DATA_DIR/sl.conf"
	run -111 sl-compact "$T"
}

@test "compact: SIGKILL at each step: nothing twice, nothing lost; the leftovers go with the next compaction" {
	local i step nl=4
	for i in 1 2 3 4; do load_n $i 50; done
	for step in reserved writing renamed recorded unlinking; do
		load_n $((nl += 1)) 50
		load_n $((nl += 1)) 50
		run -137 env SL_COMPACT_KILL_AT=$step sl-compact --full "$T"
		snap "$step"
		diff "$step.sql" all.tsv
		run -0 sl-fsck
		case $step in
		writing|renamed|recorded|unlinking)
			[[ "$output" == *"file(s) that no record needs (left by a crash): sl-compact or sl-fsck --repair removes them"* ]] ;;
		*)
			[[ "$output" != *"no record needs"* ]] ;;
		esac
	done
	ls "$D" > files.crashed
	run -0 sl-compact --full "$T"
	[ "${lines[0]}" = "testdb.t: nothing to compact (1 file(s))" ]
	[[ "${lines[1]}" == "testdb.t: removed "*" leftover file(s)" ]]
	[ "$(nfiles)" = 1 ]
	[ "$(ls -A "$D" | wc -l)" = 1 ]
	snap last
	diff last.sql all.tsv
	run -0 sl-fsck
	[[ "$output" != *"no record needs"* ]]
}

@test "compact: sl-fsck --repair removes what a killed compaction left" {
	load_n 1 10
	load_n 2 10
	run -137 env SL_COMPACT_KILL_AT=renamed sl-compact "$T"
	[ "$(nfiles)" = 3 ]
	run -0 sl-fsck --repair
	[[ "$output" == *"testdb.t: removed 1 file(s) that no record needs (left by a crash)"* ]]
	[ "$(nfiles)" = 2 ]
	snap a
	diff a.sql all.tsv
}

@test "compact: sl-fsck --repair of a log damaged before compactions: the table is served again" {
	local i b off
	for i in $(seq 1 12); do
		load_n "$i" 100
		((i % 4)) || sl-compact "$T" > /dev/null
	done
	# a bit flipped in the commit record of load 7 (txn 1006, the only
	# record naming 1006-0.rs), before the later compactions, whose runs
	# reach back before it and whose old files are gone
	off=$(grep -obUa 1006-0.rs "$SL_DATA_DIR/testdb/txnlog" | cut -d: -f1)
	b=$(od -An -tu1 -j "$off" -N1 "$SL_DATA_DIR/testdb/txnlog" | tr -d ' ')
	printf "\\x$(printf %02x $((b ^ 4)))" | dd of="$SL_DATA_DIR/testdb/txnlog" bs=1 seek="$off" conv=notrunc status=none
	run -100 sl-fsck
	run -0 sl-fsck --repair
	[[ "$output" == *"testdb: appended again the compaction records from past the damage whose runs reach back before it"* ]]
	[[ "$output" == *"testdb.t: "*" rowset(s), "*" rows: ok"* ]]
	# loads 1-6 before it, 7-12 past it: all in the files of the
	# compactions whose runs reach back before it, appended again
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = 1200 ]
	run -0 sl-fsck
	# what is visible is whole loads, in order
	sl-sql -N -B -e "select * from $T" > now.tsv
	awk -F'\t' '{ print $3 }' now.tsv | uniq -c | awk '$1 != 100 { exit 1 }'
	[ "$(awk -F'\t' '{ print $3 }' now.tsv | uniq)" = "$(awk -F'\t' '{ print $3 }' now.tsv | uniq | sort -n)" ]
	# and the table takes loads again
	load_n 99 10
}

@test "compact: a UNIQUE KEY table: the last value and the deletes hold through a run that keeps the delete signs and through a full compaction that drops them" {
	sl-sql -e "CREATE TABLE testdb.u (k INT, v VARCHAR(20)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	local i
	seq 1 3000 | awk '{ print $1 ",big" $1 }' > big.csv
	sl-load -H column_separator:, -H columns:k,v -T big.csv testdb.u | grep -q '"Status": "Success"'
	for i in 1 2 3; do
		seq 1 5 | awk -v i="$i" '{ print $1 * i ",s" i }' > in.csv
		sl-load -H column_separator:, -H columns:k,v -T in.csv testdb.u | grep -q '"Status": "Success"'
	done
	printf '2\n4\n' > d.csv
	sl-load -H column_separator:, -H columns:k -H merge_type:DELETE -T d.csv testdb.u | grep -q '"Status": "Success"'
	sl-sql -N -B -e "select * from testdb.u" > before.tsv
	[ "$(wc -l < before.tsv)" = 2998 ]
	[ "$(head -n 4 before.tsv | tr '\t\n' ': ')" = "1:s1 3:s3 5:s1 6:s3 " ]
	# the big oldest file stays out: the run keeps the delete signs of 2
	# and 4 (11 keys), as the big file still holds them
	run -0 sl-compact testdb.u
	[ "$output" = "testdb.u: 4 file(s), 17 rows, compacted into 1005-0.rs, 11 rows; 2 file(s) now" ]
	sl-sql -N -B -e "select * from testdb.u" > partial.tsv
	cmp before.tsv partial.tsv
	# from the oldest file on: the deleted keys are gone for good
	run -0 sl-compact --full testdb.u
	[ "$output" = "testdb.u: 2 file(s), 3011 rows, compacted into 1006-0.rs, 2998 rows; 1 file(s) now" ]
	sl-sql -N -B -e "select * from testdb.u" > full.tsv
	cmp before.tsv full.tsv
	run -0 sl-fsck
}

@test "compact: an AGGREGATE KEY table: SUM, MAX and REPLACE fold the same before and after" {
	sl-sql -e "CREATE TABLE testdb.a (k INT, s BIGINT SUM, m INT MAX, r VARCHAR(10) REPLACE) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	local i
	for i in 1 2 3 4; do
		seq 1 6 | awk -v i="$i" '{ print ($1 * i) % 7 "," i "," $1 * i ",r" i }' > in.csv
		sl-load -H column_separator:, -H columns:k,s,m,r -T in.csv testdb.a | grep -q '"Status": "Success"'
	done
	sl-sql -N -B -e "select * from testdb.a" > before.tsv
	[ "$(tr '\t\n' ': ' < before.tsv)" = "1:10:15:r4 2:10:16:r4 3:10:24:r4 4:10:18:r4 5:10:12:r4 6:10:20:r4 " ]
	# loads 2 and 3 begin in key order, then break it: their rows up to
	# the break stream into a segment of their own, the rest are sorted
	run -0 sl-compact testdb.a
	[ "$output" = "testdb.a: 6 file(s), 24 rows, compacted into 1004-0.rs, 6 rows; 1 file(s) now" ]
	sl-sql -N -B -e "select * from testdb.a" > after.tsv
	cmp before.tsv after.tsv
}

@test "compact: the EXAMPLES of sl-compact(1) run as written" {
	unset SL_DATA_DIR
	man_session sl-compact.1 > ex.sh
	[ "$(wc -l < ex.sh)" = 7 ]
	run -0 --separate-stderr bash -e ex.sh
	[ "$output" = "$(man_shown sl-compact.1)" ]
}
