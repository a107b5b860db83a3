#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# formats-arrow.bats -- format: arrow, the Arrow IPC stream (arrow.c): every
# .stream of the corpus (apache/arrow-testing's integration files, plain,
# LZ4_FRAME and ZSTD bodies) read by sl-parse equals the rows of its
# integration JSON (tests/arrow-expect.py); a load into a table matches
# its columns by name; damaged streams fail with the reason, load nothing.

bats_require_minimum_version 1.5.0
load test_helper

: "${SL_CORPUS:=$SL_ROOT/../shared/corpus}"

# Streams the reader cannot read yet, each with the reason: they must
# still fail cleanly (exit 1, an X with a reason, no crash).
KNOWN_UNREAD=""

setup() {
	setup_data_dir
	[ -d "$SL_CORPUS/arrow" ] || { echo "no corpus at $SL_CORPUS (set SL_CORPUS)" >&2; return 1; }
}

known_unread() {
	local n
	for n in $KNOWN_UNREAD; do [ "$n" = "$1" ] && return 0; done
	return 1
}

@test "arrow: every corpus stream equals its integration JSON" {
	local f b name bad="" n=0
	for f in "$SL_CORPUS"/arrow/*/*.stream; do
		b=${f%.stream}
		name=$(basename "$b")
		n=$((n + 1))
		python3 "$SL_ROOT/tests/arrow-expect.py" "$b.json.gz" > exp.tsv
		if known_unread "$name"; then
			run -1 --separate-stderr sl-parse -H format:arrow -H timezone:UTC < "$f"
			[[ "$stderr" == *"[INTERNAL_ERROR]failed to read the arrow file: "* ]] || bad="$bad $name(unclean failure)"
			continue
		fi
		if ! sl-parse -H format:arrow -H timezone:UTC < "$f" 2> err.txt | sl-dump > got.tsv 2>/dev/null; then
			bad="$bad $name($(head -c 200 err.txt))"
		elif ! cmp -s exp.tsv got.tsv; then
			bad="$bad $name(differs)"
		fi
	done
	[ "$n" -ge 21 ]
	[ -z "$bad" ] || { echo "failed:$bad" >&2; false; }
}

@test "arrow: alone, the file's column names in H and their Doris types in C" {
	f="$SL_CORPUS/arrow/1.0.0-littleendian/generated_nested.stream"
	run -0 --separate-stderr bash -c "sl-parse -H format:arrow < '$f' | sl-dump"
	[[ "$stderr" == *'ColumnTypes=["ARRAY<INT>","ARRAY<INT>","STRUCT<f1:INT,f2:STRING>"]'* ]]
	[ "${lines[0]}" = "$(python3 "$SL_ROOT/tests/arrow-expect.py" "${f%.stream}.json.gz" | head -1)" ]
}

@test "arrow: a load matches the table's columns by name, case-insensitively; a missing one takes its DEFAULT" {
	f="$SL_CORPUS/arrow/1.0.0-littleendian/generated_primitive.stream"
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.t (INT32_NONNULLABLE INT, utf8_nullable VARCHAR(100), missing INT DEFAULT '7',
		float64_nonnullable DOUBLE, bool_nonnullable BOOLEAN) DUPLICATE KEY(INT32_NONNULLABLE)
		DISTRIBUTED BY HASH(INT32_NONNULLABLE) BUCKETS 1 PROPERTIES ('replication_num' = '1')"
	run -0 --separate-stderr sl-load -H format:arrow -T "$f" d.t
	[[ "$output" == *'"Status": "Success"'* ]]
	python3 "$SL_ROOT/tests/arrow-expect.py" "${f%.stream}.json.gz" |
		awk -F'\t' 'NR > 1 { print $8 "\t" $25 "\t7\t" $22 "\t" $2 }' | sort > exp.tsv
	sl-sql -N -B -e "select INT32_NONNULLABLE, utf8_nullable, missing, float64_nonnullable, bool_nonnullable from d.t" |
		sed 's/\tNULL\t/\t\\N\t/g' | sort > got.tsv
	[ -s exp.tsv ]
	run diff exp.tsv got.tsv
	[ "$status" -eq 0 ]
}

@test "arrow: a truncated, a damaged and a non-arrow body fail with the reason; nothing is loaded" {
	f="$SL_CORPUS/arrow/2.0.0-compression/generated_zstd.stream"
	head -c 1000 "$f" > cut.stream
	run -1 --separate-stderr sl-parse -H format:arrow < cut.stream
	[[ "$stderr" == *"[INTERNAL_ERROR]failed to read the arrow file: the stream ends inside a message"* ]]
	printf 'a,b\n1,2\n' > text.csv
	run -1 --separate-stderr sl-parse -H format:arrow < text.csv
	[[ "$stderr" == *"[INTERNAL_ERROR]failed to read the arrow file: "* ]]
	# every seventh byte flipped in turn (metadata and bodies): a clean
	# answer each time (the fuzz target fuzz-arrow mutates further; one
	# process a byte was ten minutes under the sanitizers)
	cp "$SL_CORPUS/arrow/1.0.0-littleendian/generated_nested.stream" n.stream
	python3 - <<'PY'
import os
b = open('n.stream', 'rb').read()
for i in range(8, len(b), 7):
    m = bytearray(b); m[i] ^= 0xff
    open('flip-%d.stream' % i, 'wb').write(m)
PY
	for g in flip-*.stream; do
		run sl-parse -H format:arrow < "$g"
		[ "$status" -le 1 ] || { echo "$g: exit $status" >&2; false; }
	done
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.t (f1 INT) DUPLICATE KEY(f1) DISTRIBUTED BY HASH(f1) BUCKETS 1 PROPERTIES ('replication_num' = '1')"
	run -1 --separate-stderr sl-load -H format:arrow -T cut.stream d.t
	[[ "$output" == *'"Status": "Fail"'* ]]
	[[ "$output" == *'failed to read the arrow file: the stream ends inside a message'* ]]
	[ "$(sl-sql -N -B -e 'select count(*) from d.t')" = 0 ]
}
