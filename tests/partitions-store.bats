#!/usr/bin/env bats
# The store's partitions (man/sl-store.5 Partitions): the Q record, P/C
# records and rowsets tagged with their partition, the checkpoint keeping
# every table's partitions, sl-fsck reading them. The API is driven by
# test-partstore (its unit tests; "make DIR" builds a data directory with
# partitioned tables, "list DIR TABLE" prints a table's live partitions).
load test_helper

setup() {
	setup_data_dir
}

flip() {
	local b
	b=$(od -An -tu1 -j "$1" -N1 "$2" | tr -d ' ')
	printf "\\x$(printf %02x $((b ^ 4)))" | dd of="$2" bs=1 seek="$1" conv=notrunc status=none
}

@test "partitions-store: unit tests (create, list, change, truncate, temporary, AUTO re-tag, ESTALE, torn Q, checkpoint, old data)" {
	run -0 --separate-stderr "$SL_UNIT/test-partstore"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "partitions-store: sl-fsck reads every live partition, temporary ones too, never a truncated one's files" {
	run -0 "$SL_UNIT/test-partstore" make "$SL_DATA_DIR"
	run -0 "$SL_UNIT/test-partstore" list "$SL_DATA_DIR" p
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == *" p2 0 VALUES [(\"10\"), (\"20\"))" ]]
	[[ "${lines[1]}" == *" tp 1 VALUES [(\"20\"), (\"30\"))" ]]
	[[ "${lines[2]}" == *" p1 0 VALUES [(\"1\"), (\"10\"))" ]]
	run -0 "$SL_UNIT/test-partstore" list "$SL_DATA_DIR" a
	[[ "${lines[1]}" == *" p20220101000000 0 VALUES [(\"2022-01-01\"), (\"2022-01-02\"))" ]]
	# the truncated p1's first file (5 rows) is on disk, not read
	[ "$(ls "$SL_DATA_DIR"/testdb/p/data/*.rs | wc -l)" -eq 4 ]
	run -0 sl-fsck
	[[ "$output" == *"testdb.p: 3 rowset(s), 6 rows: ok"* ]]
	[[ "$output" == *"testdb.a: 2 rowset(s), 2 rows: ok"* ]]
	# without the checkpoint, the same (the log alone)
	rm -f "$SL_DATA_DIR/testdb/txnlog.ckpt"
	run -0 "$SL_UNIT/test-partstore" list "$SL_DATA_DIR" p
	[ "${#lines[@]}" -eq 3 ]
	run -0 sl-fsck
	[[ "$output" == *"testdb.p: 3 rowset(s), 6 rows: ok"* ]]
}

@test "partitions-store: a torn Q record is ignored; sl-fsck --repair mends a corrupt log holding Q records" {
	run -0 "$SL_UNIT/test-partstore" make "$SL_DATA_DIR"
	local d=$SL_DATA_DIR/testdb/p/data log=$SL_DATA_DIR/testdb/txnlog
	# a torn Q record at the end: ignored
	printf '\x00\x00\x00\x40abcdefgh' >> "$log"
	run -0 sl-fsck
	[[ "$output" == *"a torn tail of 12 bytes"* ]]
	[[ "$output" == *"testdb.p: 3 rowset(s), 6 rows: ok"* ]]
	truncate -s -12 "$log"
	# damage in the middle of the log (inside the Q record of the TRUNCATE)
	run -0 "$SL_UNIT/test-partstore" list "$SL_DATA_DIR" p
	local size
	size=$(stat -c %s "$log")
	flip $((size / 2)) "$log"
	run -100 sl-fsck
	run -0 sl-fsck --repair
	run -0 sl-fsck
	[[ "$output" == *"testdb/txnlog: "*": ok"* ]]
	run -0 "$SL_UNIT/test-partstore" list "$SL_DATA_DIR" p
	[[ "$output" == *" p2 0 "* ]]
}
