#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# colmap.bats -- sl-map's column mapping (libcommon/colmap.c) tested as a
# library: planning, casts, strict mode, NOT NULL, lengths, the preceding
# filter, without running the binary.

bats_require_minimum_version 1.5.0
load test_helper

@test "colmap: the unit tests of the column mapping" {
	run -0 --separate-stderr "$SL_UNIT/test-colmap"
	[ "$stderr" = "" ]
	[[ "$output" == *" passed, 0 failed" ]]
}
