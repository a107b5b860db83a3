#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The body reader (libcommon/input.c): its unit tests.

load test_helper

@test "input: unit tests of the body reader (the decompressed start of a body)" {
	run -0 --separate-stderr "$SL_UNIT/test-input"
	[ "$stderr" = "" ]
	[[ "$output" == *" passed, 0 failed" ]]
}
