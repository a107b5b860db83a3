#!/usr/bin/env bats
# The row stream library (libcommon/frame.c): round trips, NULL vs '',
# truncation at every byte, bad magic, oversize frames, CRC.
load test_helper

@test "frame: unit tests of reader and writer" {
	run -0 "$SL_UNIT/test-frame"
	[[ "$output" == *" passed, 0 failed" ]]
}
