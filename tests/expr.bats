#!/usr/bin/env bats
# The type and expression library (libcommon/types.c, lex.c, expr.c): casts
# with Doris non-strict semantics, formatting, the binary encoding, the
# tokenizer, parser errors, evaluation with NULL rules, functions and
# aggregates. The assertions live in the C unit tests; these run them.
load test_helper

@test "types: unit tests of casts, encoding and formatting" {
	run -0 --separate-stderr "$SL_UNIT/test-types"
	[[ "$output" =~ ^[0-9]+" passed, 0 failed"$ ]]
	[ -z "$stderr" ]
}

@test "expr: unit tests of lexer, parser, binder, evaluator and aggregates" {
	run -0 --separate-stderr "$SL_UNIT/test-expr"
	[[ "$output" =~ ^[0-9]+" passed, 0 failed"$ ]]
	[ -z "$stderr" ]
}

@test "types: the unit tests run under another process time zone" {
	# sl_tz_set overrides TZ; results must not depend on the host zone
	TZ=America/Los_Angeles run -0 --separate-stderr "$SL_UNIT/test-types"
	[[ "$output" == *" passed, 0 failed" ]]
	TZ=Asia/Kolkata run -0 --separate-stderr "$SL_UNIT/test-expr"
	[[ "$output" == *" passed, 0 failed" ]]
}
