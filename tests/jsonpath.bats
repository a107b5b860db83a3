#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The scanner and jsonpaths over a JSON record (libcommon/jsonpath.c): its
# unit tests.

load test_helper

@test "jsonpath: unit tests of the scanner and the jsonpaths over a record" {
	run -0 --separate-stderr "$SL_UNIT/test-jsonpath"
	[ "$stderr" = "" ]
	[[ "$output" == *" passed, 0 failed" ]]
}
