#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# formats-parquet.bats -- the parquet reader (libcommon/parquet*.c,
# thrift.c): every file of the corpus's parquet/data/ read as DuckDB reads
# it (tests/node/parquet-compare.mjs, value by value), the files DuckDB
# cannot read against a twin file of the same rows or the values their
# notes give, every file of parquet/bad_data/ refused with a clear error,
# and damaged files (cut short, bytes changed) refused without a crash.

bats_require_minimum_version 1.5.0
load test_helper

# the shared corpus, outside the repository: SL_CORPUS, by default
# ../shared/corpus beside the repository (where CI has it)
CORPUS=${SL_CORPUS:-$BATS_TEST_DIRNAME/../../shared/corpus}
DATA="$CORPUS/parquet/data"
BAD="$CORPUS/parquet/bad_data"
NODE="$BATS_TEST_DIRNAME/node"

# Files of parquet/data/ the reader cannot read yet: NAME reason. Each must
# still fail cleanly (exit 1, a message, no crash). Empty: every file reads.
KNOWN_UNREAD=""

# Files DuckDB cannot read (the LZ4 codec it refuses): the twin with the
# same rows that it can read.
twin() {
	case "$1" in
	hadoop_lz4_compressed.parquet|non_hadoop_lz4_compressed.parquet) echo lz4_raw_compressed.parquet ;;
	hadoop_lz4_compressed_larger.parquet) echo lz4_raw_compressed_larger.parquet ;;
	*) echo "$1" ;;
	esac
}

# test-parquet's output of FILE compared with DuckDB's reading of ORACLE
compare() {
	"$SL_UNIT/test-parquet" "$1" > "$BATS_TEST_TMPDIR/ours" 2> "$BATS_TEST_TMPDIR/err" || {
		echo "$(basename "$1"): $(cat "$BATS_TEST_TMPDIR/err")"
		return 1
	}
	(cd "$NODE" && node parquet-compare.mjs "$2" "$BATS_TEST_TMPDIR/ours") || {
		echo "$(basename "$1"): differs from DuckDB's reading of $(basename "$2")"
		return 1
	}
}

@test "parquet: the unit tests (Thrift compact protocol, RLE hybrid, DELTA_BINARY_PACKED)" {
	run -0 --separate-stderr "$SL_UNIT/test-parquet"
	[[ "$output" == *" passed, 0 failed" ]] && [ -z "$stderr" ]
}

@test "parquet: the DuckDB oracle is installed (make test installs it: tests/node)" {
	[ -d "$NODE/node_modules/@duckdb/node-api" ]
}

@test "parquet: the oracle sees a wrong value, a missing row, a NULL for a value" {
	f="$DATA/datapage_v2.snappy.parquet"
	"$SL_UNIT/test-parquet" "$f" > "$BATS_TEST_TMPDIR/good"
	cd "$NODE"
	run -0 node parquet-compare.mjs "$f" "$BATS_TEST_TMPDIR/good"
	sed '8s/^[^\t]*/zzz/' "$BATS_TEST_TMPDIR/good" > "$BATS_TEST_TMPDIR/bad1"
	run -1 node parquet-compare.mjs "$f" "$BATS_TEST_TMPDIR/bad1"
	[[ "$output" == *"row 2 a: ours zzz, DuckDB abc"* ]]
	sed '$d' "$BATS_TEST_TMPDIR/good" > "$BATS_TEST_TMPDIR/bad2"
	run -1 node parquet-compare.mjs "$f" "$BATS_TEST_TMPDIR/bad2"
	[[ "$output" == *"rows: ours 4, DuckDB 5"* ]]
	sed '8s/^[^\t]*/\\N/' "$BATS_TEST_TMPDIR/good" > "$BATS_TEST_TMPDIR/bad3"
	run -1 node parquet-compare.mjs "$f" "$BATS_TEST_TMPDIR/bad3"
}

@test "parquet: every file of the corpus's parquet/data/ reads as DuckDB reads it" {
	n=0 failed=""
	for f in "$DATA"/*.parquet; do
		b=$(basename "$f")
		case " $KNOWN_UNREAD " in *" $b "*) continue ;; esac
		[ "$b" = map_no_value.parquet ] && continue   # DuckDB refuses it: the next test
		compare "$f" "$DATA/$(twin "$b")" || failed="$failed $b"
		n=$((n + 1))
	done
	total=$(ls "$DATA"/*.parquet | wc -l) known=$(wc -w <<< "$KNOWN_UNREAD")
	echo "read $n of $total files; differing:$failed"
	[ -z "$failed" ] && [ "$total" -ge 58 ] && [ $((n + 1 + known)) -eq "$total" ]
}

@test "parquet: the files the reader cannot read yet fail cleanly" {
	for b in $KNOWN_UNREAD; do
		run -1 --separate-stderr "$SL_UNIT/test-parquet" "$DATA/$b"
		[[ "$stderr" == "test-parquet: "?* ]]
	done
}

# DuckDB refuses a MAP without values; its note (map_no_value.md) gives
# the rows: the map, and the map without values read as the list of keys
@test "parquet: map_no_value.parquet as its note gives it" {
	run -0 "$SL_UNIT/test-parquet" "$DATA/map_no_value.parquet"
	[ "$output" = "$(printf '%s\n' 'my_map	MAP<INT,INT>' 'my_map_no_v	ARRAY<INT>' \
		'my_list	ARRAY<INT>' '--' \
		'{"1":null,"2":null,"3":null}	[1,2,3]	[1,2,3]' \
		'{"4":null,"5":null,"6":null}	[4,5,6]	[4,5,6]' \
		'{"7":null,"8":null,"9":null}	[7,8,9]	[7,8,9]')" ]
}

@test "parquet: the columns' Doris types (flat, decimal, timestamps, nested)" {
	run -0 "$SL_UNIT/test-parquet" "$DATA/alltypes_plain.parquet"
	[ "$(sed -n '1,11p' <<< "$output" | cut -f2 | tr '\n' ' ')" = \
		"INT BOOLEAN INT INT INT BIGINT FLOAT DOUBLE STRING STRING DATETIME(6) " ]
	run -0 "$SL_UNIT/test-parquet" "$DATA/nonnullable.impala.parquet"
	[[ "$output" == *"int_array_array	ARRAY<ARRAY<INT>>"* ]]
	[[ "$output" == *"Int_Map	MAP<STRING,INT>"* ]]
	[[ "$output" == *"nested_Struct	STRUCT<a:INT,B:ARRAY<INT>,c:STRUCT<D:ARRAY<ARRAY<STRUCT<e:INT,f:STRING>>>>,G:MAP<STRING,STRUCT<h:STRUCT<i:ARRAY<DOUBLE>>>>>"* ]]
	run -0 "$SL_UNIT/test-parquet" "$DATA/byte_array_decimal.parquet"
	[ "$(head -1 <<< "$output")" = "value	DECIMAL(4,2)" ]
	[ "$(sed -n 3p <<< "$output")" = "1.00" ]
}

# ARROW-GH-43605 is a valid file (a dictionary index of bit width 0 means
# every index is 0, and its dictionary has one entry; its one bit-packed
# run of 2649 groups covers the page's 21186 values, as the reader now
# checks): read as DuckDB, pyarrow and parquet-java read it.
# Every other one is refused with the reason.
@test "parquet: every file of the corpus's parquet/bad_data/ fails with a clear error" {
	for f in "$BAD"/*.parquet; do
		b=$(basename "$f")
		if [ "$b" = ARROW-GH-43605.parquet ]; then
			compare "$f" "$f"
			continue
		fi
		run -1 --separate-stderr "$SL_UNIT/test-parquet" "$f"
		echo "$b: $stderr"
		[[ "$stderr" == "test-parquet: "?* ]]
	done
}

# the bytes of printf FORMAT as a file: refused with MESSAGE
refused() {
	printf "$1" > "$BATS_TEST_TMPDIR/x"
	run -1 --separate-stderr "$SL_UNIT/test-parquet" "$BATS_TEST_TMPDIR/x"
	[ "$stderr" = "test-parquet: $2" ]
}

@test "parquet: not a parquet file, a footer longer than the file, a file cut short" {
	refused 'hello world, no magic' "not a parquet file (no PAR1 magic)"
	refused 'PAR1' "not a parquet file (too short)"
	refused 'PAR1xxxx\377\377\0\0PAR1' "the footer's length (65535) does not fit the file"
	refused 'PAR1xxxxPARE' "an encrypted parquet file is not supported"
}

@test "parquet: a row group larger than the load's bound is refused" {
	run -1 --separate-stderr "$SL_UNIT/test-parquet" "$DATA/alltypes_tiny_pages_plain.parquet" 100000
	[[ "$stderr" == "test-parquet: row group 0 holds "*" bytes, more than the load allows (100000)" ]]
}

# every cut of a file and every byte changed in a file: an answer or a
# clear error, never a crash (exit 1 with a message, or 0)
@test "parquet: files cut short or with a byte changed never crash the reader" {
	for src in alltypes_dictionary.parquet nested_maps.snappy.parquet \
			datapage_v2.snappy.parquet; do
		f="$DATA/$src" size=$(stat -c %s "$DATA/$src")
		for ((i = 8; i < size; i += 23)); do
			head -c "$i" "$f" > "$BATS_TEST_TMPDIR/cut"
			run "$SL_UNIT/test-parquet" "$BATS_TEST_TMPDIR/cut"
			[ "$status" -le 1 ] || { echo "$src cut at $i: status $status"; false; }
		done
		for ((i = 0; i < size; i += 5)); do
			cp "$f" "$BATS_TEST_TMPDIR/flip"
			printf '\377' | dd of="$BATS_TEST_TMPDIR/flip" bs=1 seek="$i" conv=notrunc status=none
			run "$SL_UNIT/test-parquet" "$BATS_TEST_TMPDIR/flip"
			[ "$status" -le 1 ] || { echo "$src byte $i: status $status"; false; }
		done
	done
}
