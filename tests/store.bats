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
