#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# loadopt.bats -- the load headers table (libcommon/loadopt.c) against the
# man pages: every option is documented in the page of each stage that
# uses it, and every header a stage page documents is in the table.

bats_require_minimum_version 1.5.0
load test_helper

MAN=$BATS_TEST_DIRNAME/../man

page() {
	case $1 in
	launcher) echo "$MAN/sl-load.1" ;;
	*) echo "$MAN/$1.1" ;;
	esac
}

# The OPTIONS section of a page.
options() { sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$1"; }

# The header names an OPTIONS section documents: the name after each Cm on
# an .It line, and a bare name listed after it with a comma.
documented() {
	options "$1" | awk '/^\.It/ && / Cm / && !/^\.It Fl -/ {
		for (i = 2; i <= NF; i++) {
			if ($i == "Cm" && i < NF) { print $(i + 1); i++; continue }
			if ($i == "," && i < NF && $(i + 1) ~ /^[a-z][a-z_.]*$/) print $(i + 1)
		}
	}' | sort -u
}

@test "loadopt: the unit tests of the table and its parser" {
	run -0 --separate-stderr "$SL_UNIT/test-loadopt"
	[ "$stderr" = "" ]
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "loadopt: every option is documented in the man page of each stage that uses it" {
	run -0 --separate-stderr "$SL_UNIT/test-loadopt" --table
	table=$output
	[ "$(echo "$table" | wc -l)" -gt 30 ]
	missing=
	while read -r name stages; do
		for s in ${stages//,/ }; do
			re=${name//./\\.}
			grep -Eq "(^\.It .*\b|Cm )$re(\b|$)" "$(page "$s")" || missing="$missing $name:$s"
		done
	done <<< "$table"
	echo "undocumented:$missing"
	[ -z "$missing" ]
}

@test "loadopt: every header a stage's man page documents is in the table" {
	run -0 --separate-stderr "$SL_UNIT/test-loadopt" --table
	names=$(echo "$output" | cut -d' ' -f1)
	unknown=
	for p in sl-parse sl-map sl-filter sl-txn sl-commit; do
		for n in $(documented "$(page $p)"); do
			echo "$names" | grep -qxF "$n" || unknown="$unknown $p:$n"
		done
	done
	echo "not in the table:$unknown"
	[ -z "$unknown" ]
}
