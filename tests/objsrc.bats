#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The object sources of INSERT ... FROM S3()/local() and continuous-load
# jobs: the glob matcher (globpat.c), the S3 client (s3.c, s3xml.c) against
# s3rver behind a SigV4-checking front, and local directories (objsrc.c),
# driven through tests/unit/test-objsrc.

load test_helper

@test "globpat: Java PathMatcher semantics, {m..n}, bad patterns, prefix, no exponential backtracking" {
	run -0 --separate-stderr "$SL_UNIT/test-globpat"
	[ "$stderr" = "" ]
}
