#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The load stages' logic as library functions, tested without the binaries:
# the row counts and max_filter_ratio (counts.c), the error log (errlog.c),
# the 2PC endpoint's decisions (twopc.c).

load test_helper

@test "counts: unselected rows added up, early stop, max_filter_ratio" {
	run -0 --separate-stderr "$SL_UNIT/test-counts"
	[ "$stderr" = "" ]
}

@test "errlog: name, Doris's line format, line limit, at most 51 lines" {
	run -0 --separate-stderr "$SL_UNIT/test-errlog"
	[ "$stderr" = "" ]
}

@test "twopc: malformed requests, states, Doris's messages" {
	run -0 --separate-stderr "$SL_UNIT/test-twopc"
	[ "$stderr" = "" ]
}
