#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# formats-orc.bats -- the ORC reader (libcommon/orc.c, orcrle.c, orczip.c)
# against the ORC project's own example files (the shared corpus, outside
# the repository: SL_CORPUS, by default ../shared/corpus beside the
# checkout): every file with an expected/NAME.jsn.gz gives the same rows
# (tests/orc-compare.py compares by meaning), every other file is read to
# its end or, when listed in KNOWN_UNREAD, refused with a clear error;
# every file of corrupt/ is refused cleanly.

bats_require_minimum_version 1.5.0
load test_helper

CORPUS=${SL_CORPUS:-$BATS_TEST_DIRNAME/../../shared/corpus}/orc
ORC=$SL_UNIT/test-orc

# Files this reader refuses, each with the reason; each must still fail
# cleanly (exit 1 and an "error: " line naming the cause, no crash).
KNOWN_UNREAD() {
	case $1 in
	decimal64_v2.orc | decimal64_v2_cplusplus.orc)
		echo "file version 1.9999 (ORC's unstable pre-2.0 format: DECIMAL as RLE v2 integers)" ;;
	version1999.orc)
		echo "file version 19.99, written to test that readers refuse unknown versions" ;;
	esac
}

corpus() {
	[ -d "$CORPUS" ] || { echo "the ORC corpus is not at $CORPUS (set SL_CORPUS)" >&2; return 1; }
}

@test "orc: the unit tests of the encodings (byte RLE, booleans, integer RLE v1 and v2)" {
	run -0 --separate-stderr "$ORC"
	[[ "$output" == *" passed, 0 failed" ]] && [ -z "$stderr" ]
}

@test "orc: every file with expected rows gives those rows" {
	corpus
	n=0
	for e in "$CORPUS"/expected/*.jsn.gz; do
		f=$(basename "$e" .jsn.gz).orc
		[ -z "$(KNOWN_UNREAD "$f")" ] || { echo "$f is expected and listed as unread"; return 1; }
		"$ORC" "$CORPUS/$f" > "$BATS_TEST_TMPDIR/rows" || { echo "$f: the reader failed"; return 1; }
		run python3 "$BATS_TEST_DIRNAME/orc-compare.py" "$BATS_TEST_TMPDIR/rows" "$e"
		[ "$status" -eq 0 ] || { echo "$f: $output"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
}

@test "orc: every other file is read to its end, or is a known refusal that fails cleanly" {
	corpus
	for p in "$CORPUS"/*.orc; do
		f=$(basename "$p")
		[ ! -e "$CORPUS/expected/${f%.orc}.jsn.gz" ] || continue
		run --separate-stderr "$ORC" "$p"
		if [ -n "$(KNOWN_UNREAD "$f")" ]; then
			[ "$status" -eq 1 ] && [[ "$stderr" == "error: "*"not supported"* ]] ||
				{ echo "$f: status $status, $stderr"; return 1; }
		else
			[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$f: status $status, $stderr"; return 1; }
			[ "${#lines[@]}" -ge 2 ] || { echo "$f: no rows"; return 1; }
		fi
	done
}

@test "orc: the columns' names and Doris types" {
	corpus
	run -0 "$ORC" "$CORPUS/TestOrcFile.test1.orc"
	[ "${lines[0]}" = '[["boolean1","BOOLEAN"],["byte1","TINYINT"],["short1","SMALLINT"],["int1","INT"],["long1","BIGINT"],["float1","FLOAT"],["double1","DOUBLE"],["bytes1","STRING"],["string1","STRING"],["middle","STRUCT<list:ARRAY<STRUCT<int1:INT,string1:STRING>>>"],["list","ARRAY<STRUCT<int1:INT,string1:STRING>>"],["map","MAP<STRING,STRUCT<int1:INT,string1:STRING>>"]]' ]
	run -0 "$ORC" "$CORPUS/TestOrcFile.testUnionAndTimestamp.orc"
	[ "${lines[0]}" = '[["time","DATETIME(6)"],["union","JSON"],["decimal","DECIMAL(38,18)"]]' ]
	# Hive 0.11's DECIMAL without precision is shown with 6 digits
	run -0 "$ORC" "$CORPUS/orc-file-11-format.orc"
	[[ "${lines[0]}" == *'["decimal1","DECIMAL(38,6)"]'* ]]
	# a file whose root is not a struct: one column, Hive's _col0
	run -0 "$ORC" "$CORPUS/TestOrcFile.testTimestamp.orc"
	[ "${lines[0]}" = '[["_col0","DATETIME(6)"]]' ]
}

# the texts themselves, decoded from the driver's hex
@test "orc: nested values are JSON texts, booleans 0/1, a union {tag, value}" {
	corpus
	run -0 "$ORC" "$CORPUS/TestOrcFile.test1.orc"
	row=$(printf '%s\n' "${lines[2]}" | python3 -c 'import json,sys; print("|".join("NULL" if v is None else bytes.fromhex(v).decode() for v in json.loads(sys.stdin.read())))')
	[ "$row" = '1|100|2048|65536|9223372036854775807|2|-5||bye|{"list":[{"int1":1,"string1":"bye"},{"int1":2,"string1":"sigh"}]}|[{"int1":100000000,"string1":"cat"},{"int1":-100000,"string1":"in"},{"int1":1234,"string1":"hat"}]|{"chani":{"int1":5,"string1":"chani"},"mauddib":{"int1":1,"string1":"mauddib"}}' ]
	run -0 "$ORC" "$CORPUS/TestOrcFile.testUnionAndTimestamp.orc"
	row=$(printf '%s\n' "${lines[1]}" | python3 -c 'import json,sys; print("|".join("NULL" if v is None else bytes.fromhex(v).decode() for v in json.loads(sys.stdin.read())))')
	[ "$row" = '2000-03-12 15:00:00|{"tag":0,"value":42}|12345678.654745600000000000' ]
}

@test "orc: every corrupt file is refused with a reason, no crash" {
	corpus
	for p in "$CORPUS"/corrupt/*.orc; do
		run --separate-stderr "$ORC" "$p"
		[ "$status" -eq 1 ] && [[ "$stderr" == "error: "* ]] || { echo "$p: status $status, $stderr"; return 1; }
	done
	run --separate-stderr "$ORC" "$CORPUS/corrupt/negative_dict_entry_lengths.orc"
	[[ "$stderr" == *"dictionary's lengths are damaged"* ]]
}

@test "orc: a truncated or foreign file is refused, at every cut" {
	corpus
	src="$CORPUS/TestOrcFile.test1.orc"
	size=$(stat -c %s "$src")
	for cut in 0 1 3 10 100 500 1000 $((size - 200)) $((size - 20)) $((size - 1)); do
		head -c "$cut" "$src" > "$BATS_TEST_TMPDIR/cut.orc"
		run --separate-stderr "$ORC" "$BATS_TEST_TMPDIR/cut.orc"
		[ "$status" -eq 1 ] && [[ "$stderr" == "error: "* ]] || { echo "cut $cut: status $status, $stderr"; return 1; }
	done
	printf 'a,b\n1,2\n' > "$BATS_TEST_TMPDIR/csv.orc"
	run --separate-stderr "$ORC" "$BATS_TEST_TMPDIR/csv.orc"
	[ "$status" -eq 1 ] && [[ "$stderr" == "error: not an ORC file"* ]]
}

@test "orc: damaged bytes inside stripes fail cleanly or read, never crash" {
	corpus
	src="$CORPUS/TestOrcFile.testSnappy.orc"
	for seed in 1 2 3 4 5 6 7 8; do
		python3 - "$src" "$BATS_TEST_TMPDIR/bad.orc" "$seed" <<'PY'
import random, sys
b = bytearray(open(sys.argv[1], 'rb').read())
r = random.Random(int(sys.argv[3]))
for _ in range(20):
    b[r.randrange(3, len(b) - 300)] ^= 1 << r.randrange(8)
open(sys.argv[2], 'wb').write(b)
PY
		run --separate-stderr "$ORC" "$BATS_TEST_TMPDIR/bad.orc"
		[ "$status" -eq 0 ] || { [ "$status" -eq 1 ] && [[ "$stderr" == "error: "* ]]; } ||
			{ echo "seed $seed: status $status, $stderr"; return 1; }
	done
}

@test "orc: a stripe larger than max_batch is refused" {
	corpus
	run --separate-stderr "$ORC" "$CORPUS/TestOrcFile.testSnappy.orc" 1000
	[ "$status" -eq 1 ] && [[ "$stderr" == *"larger than the limit of 1000 bytes"* ]]
	run -0 "$ORC" "$CORPUS/TestOrcFile.testSnappy.orc" 10000000
	[ "${#lines[@]}" -eq 10001 ]
}

@test "orc: the codecs zlib, snappy, lzo, lz4 and none each read" {
	corpus
	for f in demo-11-zlib TestOrcFile.testSnappy TestVectorOrcFile.testLzo TestVectorOrcFile.testLz4 TestOrcFile.testWithoutCompressionBlockSize; do
		run -0 "$ORC" "$CORPUS/$f.orc"
	done
}

# through sl-load: the file's columns matched to the table's by name,
# nested values into STRING as JSON, a timestamp with nanoseconds cast
@test "orc: sl-load of an ORC file; a corrupt one fails with its reason, nothing loaded" {
	corpus
	sl-sql -e "CREATE DATABASE testdb"
	sl-sql -e "CREATE TABLE testdb.o (int1 INT, boolean1 BOOLEAN, byte1 TINYINT, long1 BIGINT, double1 DOUBLE, string1 VARCHAR(20), list STRING, map STRING) DUPLICATE KEY(int1) DISTRIBUTED BY HASH(int1) BUCKETS 1"
	run -0 --separate-stderr sl-load -H format:orc -T "$CORPUS/TestOrcFile.test1.orc" testdb.o
	[[ "$output" == *'"Status": "Success"'* && "$output" == *'"NumberLoadedRows": 2,'* ]]
	run -0 sl-sql -N -B -e "select * from testdb.o order by byte1"
	[ "${lines[0]}" = $'65536\t0\t1\t9223372036854775807\t-15\thi\t[{"int1":3,"string1":"good"},{"int1":4,"string1":"bad"}]\t{}' ]
	[ "${lines[1]}" = $'65536\t1\t100\t9223372036854775807\t-5\tbye\t[{"int1":100000000,"string1":"cat"},{"int1":-100000,"string1":"in"},{"int1":1234,"string1":"hat"}]\t{"chani":{"int1":5,"string1":"chani"},"mauddib":{"int1":1,"string1":"mauddib"}}' ]
	run --separate-stderr sl-load -H format:orc -T "$CORPUS/corrupt/negative_dict_entry_lengths.orc" testdb.o
	[[ "$output" == *'"Status": "Fail"'* && "$output" == *"dictionary's lengths are damaged"* ]]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.o')" = 2 ]
	sl-sql -e "CREATE TABLE testdb.t (_col0 DATETIME(6)) DUPLICATE KEY(_col0) DISTRIBUTED BY HASH(_col0) BUCKETS 1"
	run -0 --separate-stderr sl-load -H format:orc -T "$CORPUS/TestOrcFile.testTimestamp.orc" testdb.t
	[[ "$output" == *'"NumberLoadedRows": 12,'* ]]
	run -0 sl-sql -N -B -e "select * from testdb.t order by 1 limit 2"
	# nanoseconds rounded to DATETIME(6)'s microseconds by the cast
	[ "${lines[0]}" = "1995-01-01 00:00:00.688889" ] && [ "${lines[1]}" = "1996-08-02 00:00:00.723101" ]
}
