#!/usr/bin/env bats
# sl-fsck(8): checks a data directory; --repair mends a corrupt txnlog
# (issue 8, item 4) keeping a copy of the log and every rowset file.
load test_helper

T=testdb.test_streamload

loads() {
	local i
	for ((i = 1; i <= $1; i++)); do
		seq 1 1000 | awk -v i="$i" '{ print i * 1000 + $1 ",n" $1 "," $1 % 90 }' > in.csv
		sl-load -H column_separator:, -H "label:L$i" -T in.csv "$T" > /dev/null
	done
}

flip() {
	local b
	b=$(od -An -tu1 -j "$1" -N1 "$2" | tr -d ' ')
	printf "\\x$(printf %02x $((b ^ 4)))" | dd of="$2" bs=1 seek="$1" conv=notrunc status=none
}

setup() {
	setup_data_dir
	seed_table
}

@test "sl-fsck: a clean data directory: exit 0, every table read" {
	loads 2
	run -0 sl-fsck
	[[ "${lines[0]}" == "testdb/txnlog: "*" bytes of log, "*" txns, last txn id 1001: ok" ]]
	[ "${lines[1]}" = "testdb.test_streamload: 2 rowset(s), 2000 rows: ok" ]
	run -0 sl-fsck --data-dir "$SL_DATA_DIR" testdb
	run -1 sl-fsck nosuchdb
	[[ "$output" == *"Unknown database 'nosuchdb'"* ]]
	run -100 sl-fsck --bogus
	run -0 sl-fsck --help
	[[ "$output" == "usage: sl-fsck "* ]]
}

@test "sl-fsck: a torn tail is reported, not an error; the next writer cuts it" {
	loads 1
	printf '\x00\x00\x01\x00abc' >> "$SL_DATA_DIR/testdb/txnlog"
	run -0 sl-fsck
	[[ "$output" == *"a torn tail of 7 bytes at offset "*"ignored by readers, cut by the next writer"* ]]
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = 1000 ]
}

@test "sl-fsck: corruption: exit 100 and nothing touched; --repair keeps a copy, restores service, reuses no id" {
	# the loads' own files and ids, not compactions' (compact.bats)
	echo "compaction_segment_threshold = 0" > "$SL_DATA_DIR/sl.conf"
	loads 30
	local log=$SL_DATA_DIR/testdb/txnlog d=$SL_DATA_DIR/testdb/test_streamload/data
	(cd "$d" && cksum -- *.rs) | sort > rs.before
	flip 8000 "$log"
	cp "$log" log.damaged
	run -100 --separate-stderr sl-fsck
	[[ "$output" == "testdb/txnlog: corrupt record at offset "* ]]
	[[ "$stderr" == *"1 problem(s) found; sl-fsck --repair mends a corrupt log"* ]]
	cmp "$log" log.damaged
	local bad
	bad=$(sed -n -E 's/^testdb\/txnlog: corrupt record at offset ([0-9]+) .*/\1/p' <<< "$output")
	[ "$bad" -le 8000 ]
	run -0 sl-fsck --repair
	[[ "$output" == *"testdb: kept a copy of the whole log ($(stat -c %s log.damaged) bytes) as $SL_DATA_DIR/testdb/txnlog.corrupt-$bad-"* ]]
	[[ "$output" == *"testdb: cut the log at offset $bad "* ]]
	[[ "$output" == *"txn ids continue above 1029"* ]]
	cmp log.damaged "$SL_DATA_DIR"/testdb/txnlog.corrupt-"$bad"-*
	[ "$(stat -c %s "$log")" -lt "$(stat -c %s log.damaged)" ]
	# every rowset file is still there, unchanged: in data/ or lost+found/
	(cd "$d" && cksum -- *.rs; cd "$SL_DATA_DIR/testdb/lost+found/test_streamload" && cksum -- *.rs) | sort > rs.after
	diff rs.before rs.after
	# service is back with the loads before the damage
	run -0 sl-sql -N -B -e "select count(*) from $T"
	local n=$output
	[ "$n" -gt 0 ] && [ "$n" -lt 30000 ] && [ $((n % 1000)) = 0 ]
	run -0 sl-fsck
	seq 1 10 | awk '{ print 99000 + $1 ",x,1" }' > more.csv
	run -0 sl-load -H column_separator:, -H label:after -T more.csv "$T"
	[[ "$output" == *'"TxnId": 1030,'* ]]
	[[ "$output" == *'"Status": "Success",'* ]]
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = $((n + 10)) ]
	(cd "$d" && cksum -- *.rs; cd "$SL_DATA_DIR/testdb/lost+found/test_streamload" && cksum -- *.rs) | sort > rs.later
	[ "$(comm -23 rs.before rs.later)" = "" ]
}
