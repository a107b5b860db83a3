#!/usr/bin/env bats
# The table store (libcommon/store.c): databases, tables, the transaction
# log, rowsets, labels, 2PC states, torn log tails, corrupt rowsets and
# concurrent loads; see man/sl-store.5.
load test_helper

@test "store: unit tests of the table store" {
	run -0 --separate-stderr "$SL_UNIT/test-store"
	[ "$stderr" = "" ]
	[[ "$output" == *" passed, 0 failed" ]]
}

T=testdb.test_streamload

# loads N: loads 1..N of 1000 rows each (user_id i*1000+1 .. i*1000+1000).
loads() {
	local i
	for ((i = 1; i <= $1; i++)); do
		seq 1 1000 | awk -v i="$i" '{ print i * 1000 + $1 ",n" $1 "," $1 % 90 }' > in.csv
		sl-load -H column_separator:, -H "label:L$i" -T in.csv "$T" > /dev/null
	done
}

# flip OFFSET FILE: flip bit 2 of the byte at OFFSET.
flip() {
	local b
	b=$(od -An -tu1 -j "$1" -N1 "$2" | tr -d ' ')
	printf "\\x$(printf %02x $((b ^ 4)))" | dd of="$2" bs=1 seek="$1" conv=notrunc status=none
}

# snapshot of the rowset files: name and checksum of each
rowsets() { (cd "$SL_DATA_DIR/testdb/test_streamload/data" && cksum -- *.rs); }

@test "store: a flipped bit mid-txnlog is refused by every reader and writer; nothing is cut, reused, overwritten or deleted" {
	setup_data_dir
	seed_table
	loads 30
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = 30000 ]
	local log=$SL_DATA_DIR/testdb/txnlog
	rowsets > rs.before
	flip 8000 "$log"
	cp "$log" log.damaged
	run -100 --separate-stderr sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = "" ]
	[[ "$stderr" == *"testdb/txnlog: corrupt record at offset "*"refused until sl-fsck --repair"* ]]
	run -100 --separate-stderr sl-scan "$T"
	[[ "$stderr" == *"corrupt record at offset"* ]]
	# a load is refused before it begins: no txn id taken, no file written
	seq 1 10 | awk '{ print $1 ",x,1" }' > more.csv
	run -1 sl-load -H column_separator:, -H label:after -T more.csv "$T"
	[[ "$output" == *'"Status": "Fail"'* ]]
	[[ "$output" == *'"Message": "[INTERNAL_ERROR]unable to begin a transaction: testdb/txnlog: corrupt record at offset '* ]]
	[[ "$output" == *'"TxnId": -1,'* ]]
	run -100 sl-sql -e "create table testdb.other (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	cmp "$log" log.damaged
	rowsets > rs.after
	diff rs.before rs.after
	[ -z "$(ls "$SL_DATA_DIR"/testdb/txnlog.torn-* 2> /dev/null)" ]
}

@test "store: the checkpoint does not change the answer for a damaged log" {
	setup_data_dir
	seed_table
	loads 3
	local log=$SL_DATA_DIR/testdb/txnlog ck=$SL_DATA_DIR/testdb/txnlog.ckpt
	# a damaged checkpoint is rebuilt by the next writer: now one covers the log
	echo junk > "$ck"
	seq 1 10 | awk '{ print $1 ",x,1" }' > more.csv
	run -0 sl-load -H column_separator:, -H label:L4 -T more.csv "$T"
	[ "$(head -c 4 "$ck")" = SLCK ]
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = 3010 ]
	flip 300 "$log"
	run -100 --separate-stderr sl-sql -N -B -e "select count(*) from $T"
	[[ "$stderr" == *"corrupt record at offset"* ]]
	local with=$stderr
	rm "$ck"
	run -100 --separate-stderr sl-sql -N -B -e "select count(*) from $T"
	[ "$stderr" = "$with" ]
}

@test "store: a rowset copied over another, and an edited tableid, are refused" {
	setup_data_dir
	seed_table
	loads 3
	local d=$SL_DATA_DIR/testdb/test_streamload
	cp "$d/data/1001-0.rs" keep.rs
	cp "$d/data/1002-0.rs" "$d/data/1001-0.rs"
	run -100 --separate-stderr sl-sql -N -B -e "select count(*) from $T"
	[[ "$stderr" == *"1001-0.rs: the file is rowset 0 of txn 1002"* ]]
	run -100 --separate-stderr sl-scan "$T"
	[[ "$stderr" == *"1001-0.rs: the file is rowset 0 of txn 1002"* ]]
	cp keep.rs "$d/data/1001-0.rs"
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = 3000 ]
	cp "$d/tableid" keep.id
	echo 2 > "$d/tableid"
	run -100 --separate-stderr sl-sql -N -B -e "select count(*) from $T"
	[[ "$stderr" == *"tableid: table id 2, but the log created testdb.test_streamload as 1"* ]]
	run -1 sl-load -H column_separator:, -H label:L9 -T keep.id "$T"
	[[ "$output" == *"tableid: table id 2"* ]]
	cp keep.id "$d/tableid"
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = 3000 ]
}

@test "store: over HTTP a corrupt log answers Fail with INTERNAL_ERROR naming the offset" {
	setup_data_dir
	seed_table
	loads 2
	flip 300 "$SL_DATA_DIR/testdb/txnlog"
	run -0 --separate-stderr sl-httpd --data-dir "$SL_DATA_DIR" --inetd < <(
		printf 'PUT /api/testdb/test_streamload/_stream_load HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic cm9vdDo=\r\ncolumn_separator: ,\r\nlabel: h1\r\nContent-Length: 118\r\nConnection: close\r\n\r\n'
		cat streamload_example.csv)
	[[ "$output" == *'"Status": "Fail",'* ]]
	[[ "$output" == *'"Message": "[INTERNAL_ERROR]unable to begin a transaction: testdb/txnlog: corrupt record at offset '*"refused until sl-fsck --repair"* ]]
}

@test "store: the checkpoint's visible index and the log prefix's CRC (unit tests)" {
	run -0 --separate-stderr "$SL_UNIT/test-ckpt"
	[ "$stderr" = "" ]
	[[ "$output" == *" passed, 0 failed" ]]
}

# ckver: the version field of the checkpoint, as a number.
ckver() { od -An -tu4 --endian=big -j4 -N4 "$SL_DATA_DIR/testdb/txnlog.ckpt" | tr -d ' '; }

@test "store: snapshots of two tables through the checkpoint's visible index answer as the log alone, across compactions" {
	setup_data_dir
	seed_table
	sl-sql -e "CREATE TABLE testdb.u (k INT, v INT) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	local ck=$SL_DATA_DIR/testdb/txnlog.ckpt i
	for ((i = 1; i <= 6; i++)); do
		seq 1 100 | awk -v i="$i" '{ print i * 1000 + $1 ",n" $1 "," $1 % 90 }' > in.csv
		sl-load -H column_separator:, -T in.csv "$T" > /dev/null
		seq 1 50 | awk -v i="$i" '{ print $1 "," i }' > u.csv
		sl-load -H column_separator:, -T u.csv testdb.u > /dev/null
	done
	sl-compact testdb.u > /dev/null
	echo junk > "$ck"
	seq 1 10 | awk '{ print $1 "," 7 }' > u.csv
	run -0 sl-load -H column_separator:, -T u.csv testdb.u
	[ "$(ckver)" = 7 ]
	local q="select count(*), sum(user_id) from $T; select count(*), sum(v) from testdb.u"
	run -0 sl-sql -N -B -e "$q"
	[ "$output" = "$(printf '600\t2130300\n50\t310')" ]
	# a compaction after the checkpoint: the log's tail replaces entries
	# the index lists
	sl-compact "$T" > /dev/null
	run -0 sl-sql -N -B -e "$q"
	local with=$output
	rm "$ck"
	run -0 sl-sql -N -B -e "$q"
	[ "$output" = "$with" ]
}

@test "store: a checkpoint of version 6 is not read, and the next writer writes version 7" {
	setup_data_dir
	seed_table
	loads 3
	local ck=$SL_DATA_DIR/testdb/txnlog.ckpt c
	echo junk > "$ck"
	seq 1 10 | awk '{ print $1 ",x,1" }' > more.csv
	run -0 sl-load -H column_separator:, -H label:L4 -T more.csv "$T"
	[ "$(ckver)" = 7 ]
	# version 6, the header's CRC-32 (gzip's trailer, little-endian) made
	# again over its first 96 bytes
	printf '\0\0\0\6' | dd of="$ck" bs=1 seek=4 conv=notrunc status=none
	c=($(head -c 96 "$ck" | gzip -c | tail -c 8 | head -c 4 | od -An -tx1))
	printf "\\x${c[3]}\\x${c[2]}\\x${c[1]}\\x${c[0]}" | dd of="$ck" bs=1 seek=96 conv=notrunc status=none
	[ "$(ckver)" = 6 ]
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = 3010 ]
	# the writer finds it unusable and writes one of its own version
	seq 11 20 | awk '{ print $1 ",x,1" }' > more.csv
	run -0 sl-load -H column_separator:, -H label:L5 -T more.csv "$T"
	[ "$(ckver)" = 7 ]
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[ "$output" = 3020 ]
}
