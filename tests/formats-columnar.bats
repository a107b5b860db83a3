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

: "${SL_CORPUS:=$SL_ROOT/../shared/corpus}"

teardown() { [ -z "${server_pid:-}" ] || httpd_stop; }

# A table of two columns of generated_primitive.stream, and sl-httpd.
columnar_server() {
	setup_data_dir
	F="$SL_CORPUS/arrow/1.0.0-littleendian/generated_primitive.stream"
	[ -f "$F" ] || { echo "no corpus at $SL_CORPUS (set SL_CORPUS)" >&2; return 1; }
	N=$(python3 "$SL_ROOT/tests/arrow-expect.py" "${F%.stream}.json.gz" | tail -n +2 | wc -l)
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.t (int32_nonnullable INT, utf8_nullable VARCHAR(100))
		DUPLICATE KEY(int32_nonnullable) DISTRIBUTED BY HASH(int32_nonnullable) BUCKETS 1"
	server_pid=
	httpd_start
}

@test "columnar: -H format:arrow through sl-httpd's stream load, and http_stream(\"format\"=\"arrow\")" {
	columnar_server
	run -0 --separate-stderr curl -sS --location-trusted -u root: -H "format:arrow" -T "$F" \
		"http://127.0.0.1:$port/api/d/t/_stream_load"
	[[ "$output" == *'"Status": "Success"'* ]]
	[[ "$output" == *"\"NumberLoadedRows\": $N,"* ]]
	run -0 --separate-stderr curl -sS --location-trusted -u root: -T "$F" -XPUT \
		-H 'sql:insert into d.t select int32_nonnullable, utf8_nullable from http_stream("format"="arrow")' \
		"http://127.0.0.1:$port/api/_http_stream"
	[[ "$output" == *'"Status": "Success"'* ]]
	[ "$(sl-sql -N -B -e 'select count(*) from d.t')" = $((2 * N)) ]
	httpd_stop
}

@test "columnar: parquet and orc without their reader answer NOT_IMPLEMENTED, or read through the spooled body" {
	setup_data_dir
	for fmt in parquet orc; do
		run -1 --separate-stderr bash -c "printf 'not a file' | sl-parse -H format:$fmt"
		[[ "$stderr" == *"format $fmt is not supported yet"* || "$stderr" == *"failed to read the $fmt file: "* ]]
	done
	# nothing left behind under the data directory by the spooled copy
	[ -z "$(find "$SL_DATA_DIR" -name '.tmp.spool*')" ]
}
