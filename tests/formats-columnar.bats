#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# formats-columnar.bats -- what the columnar readers share: the value texts
# (libcommon/colval.c), the body spooled to a bounded temporary file
# (libcommon/colfile.c), the formats accepted by sl-parse, sl-httpd and
# http_stream, and the errors of a damaged file.

bats_require_minimum_version 1.5.0
load test_helper

# numbers, decimals, dates, times, zones, UUIDs, JSON strings: test-colval.c
@test "columnar: the unit tests of the value texts" {
	run -0 --separate-stderr "$SL_UNIT/test-colval"
	[[ "$output" == *" passed, 0 failed" ]] && [ -z "$stderr" ]
}
