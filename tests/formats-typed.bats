#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# formats-typed.bats -- the typed fields of a columnar load (SL_H_TYPED,
# man/sl-stream.5): sl-parse with a table hands parquet and arrow integers,
# decimals and dates to sl-map in their binary encoding, and the load gives
# what the same load through the values' texts gives (SL_COLUMNAR_TEXT=1):
# the same rows, the same filtered rows, the same reasons, into a table of
# the file's types and into one of other types; sl-parse alone stays text.

bats_require_minimum_version 1.5.0
load test_helper

ROWS=400

# The bench's wide rows as CSV, parquet (DuckDB) and arrow (apache-arrow),
# once for the file.
setup_file() {
	local w=$BATS_FILE_TMPDIR
	cc -O2 -o "$w/gen" "$BATS_TEST_DIRNAME/../bench/gen.c"
	"$w/gen" wide $ROWS > "$w/rows.tbl"
	(cd "$BATS_TEST_DIRNAME/node" && node columnar-write.mjs parquet "$w/rows.tbl" "$w/rows.parquet" 128 &&
		node columnar-write.mjs arrow "$w/rows.tbl" "$w/rows.arrows" 128) > /dev/null
}

setup() {
	setup_data_dir
	W=$BATS_FILE_TMPDIR
	{ echo "CREATE DATABASE bench;"; cat "$SL_ROOT/bench/lineitem.sql"; } | sl-sql > /dev/null
	# every typed column into another type: narrower integers and
	# decimals, strings, DOUBLE, DATETIME; and one of its own type
	sl-sql -e "CREATE TABLE bench.other (l_orderkey VARCHAR(3), l_partkey SMALLINT, l_suppkey BIGINT,
		l_linenumber TINYINT, l_quantity DECIMAL(3,1), l_extendedprice DECIMAL(6,1),
		l_discount DOUBLE, l_tax VARCHAR(10), l_returnflag CHAR(1), l_linestatus CHAR(1),
		l_shipdate DATETIME, l_commitdate VARCHAR(20), l_receiptdate DATE,
		l_shipinstruct VARCHAR(25), l_shipmode VARCHAR(10), l_comment VARCHAR(80))
		DUPLICATE KEY(l_orderkey) DISTRIBUTED BY HASH(l_orderkey) BUCKETS 1"
}

# h_flags FILE: the flags byte of the stream's H frame, in hex
h_flags() {
	python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
i = 0
while i + 8 <= len(b):
    if b[i:i + 1] == b"H":
        print("%02x" % b[i + 1]); break
    i += 8 + int.from_bytes(b[i + 4:i + 8], "big")' "$1"
}

# map FORMAT FILE TABLE [HEADER...]: sl-parse | sl-map | sl-dump of the load,
# rows and filtered records, without the timing counters
map() {
	local fmt=$1 f=$2 t=$3
	shift 3
	sl-parse -H "format:$fmt" "$@" "$t" < "$f" | sl-map -H "format:$fmt" "$@" "$t" | sl-dump 2>&1 |
		grep -v '^# counters'
}

@test "typed: with a table, sl-parse's H names the typed columns' types, flag 0x04; alone all STRING, flag 0" {
	sl-parse -H format:parquet bench.lineitem < "$W/rows.parquet" > typed.sl
	[ "$(h_flags typed.sl)" = 04 ]
	run -0 --separate-stderr bash -c "sl-dump --json < typed.sl | head -1"
	# typed values decode as numbers and dates, strings stay text
	[[ "$output" == '{"l_orderkey":1,"l_partkey":'* ]]
	[[ "$output" == *'"l_quantity":'[0-9]*'.'[0-9][0-9]','* ]]
	[[ "$output" == *'"l_shipdate":"'[0-9][0-9][0-9][0-9]-* ]]
	# alone: text under STRING, no flag; the same rows as text
	sl-parse -H format:parquet < "$W/rows.parquet" > alone.sl
	[ "$(h_flags alone.sl)" = 00 ]
	SL_COLUMNAR_TEXT=1 sl-parse -H format:arrow bench.lineitem < "$W/rows.arrows" > text.sl
	[ "$(h_flags text.sl)" = 00 ]
	run -0 --separate-stderr bash -c "sl-dump --json < alone.sl | head -1"
	[[ "$output" == '{"l_orderkey":"1","l_partkey":"'* ]]
	[ "$(sl-dump < alone.sl 2>/dev/null | tail -n +2 | md5sum)" = "$(sl-dump < typed.sl 2>/dev/null | tail -n +2 | md5sum)" ]
}

@test "typed: parquet and arrow into the file's own types give the CSV load's rows" {
	local csv
	csv=$(sl-parse -H 'column_separator:|' bench.lineitem < "$W/rows.tbl" | sl-map bench.lineitem | sl-dump 2>/dev/null | grep -v '^# counters')
	[ "$(grep -c . <<<"$csv")" -eq $((ROWS + 1)) ]
	[ "$(map parquet "$W/rows.parquet" bench.lineitem)" = "$csv" ]
	[ "$(map arrow "$W/rows.arrows" bench.lineitem)" = "$csv" ]
	[ "$(SL_COLUMNAR_TEXT=1 map parquet "$W/rows.parquet" bench.lineitem)" = "$csv" ]
}

@test "typed: into other types, strict or not, the rows, filtered rows and reasons of the text path" {
	local fmt f strict typed text
	for fmt in parquet arrow; do
		f=$W/rows.parquet
		[ $fmt = arrow ] && f=$W/rows.arrows
		for strict in true false; do
			typed=$(map $fmt "$f" bench.other -H strict_mode:$strict)
			text=$(SL_COLUMNAR_TEXT=1 map $fmt "$f" bench.other -H strict_mode:$strict)
			[ "$typed" = "$text" ] || { diff <(echo "$typed") <(echo "$text") | head; false; }
		done
	done
	# the comparison is not empty: strict mode filters rows with the texts
	# in the reasons, non-strict keeps them with NULLs
	typed=$(map parquet "$W/rows.parquet" bench.other -H strict_mode:true)
	[[ "$typed" == *"column(l_partkey) value is incorrect while strict mode is true, src value is "[0-9]* ]]
	[[ "$typed" == *"column(l_extendedprice) value is incorrect while strict mode is true, src value is "[0-9]*.[0-9][0-9]* ]]
	typed=$(map arrow "$W/rows.arrows" bench.other -H strict_mode:false)
	[ "$(grep -c '	\\N	' <<<"$typed")" -gt 0 ]
}

@test "typed: columns expressions and the preceding filter see the values' texts" {
	local cols="l_orderkey,l_partkey,l_suppkey,l_linenumber,l_quantity,l_extendedprice,l_discount,l_tax"
	cols="$cols,l_returnflag,l_linestatus,l_shipdate,l_commitdate,l_receiptdate,l_shipinstruct,l_shipmode"
	cols="$cols,c,l_comment=concat(l_partkey, '/', l_extendedprice, '/', l_shipdate)"
	local fmt f typed text
	for fmt in parquet arrow; do
		f=$W/rows.parquet
		[ $fmt = arrow ] && f=$W/rows.arrows
		typed=$(map $fmt "$f" bench.lineitem -H "columns:$cols")
		text=$(SL_COLUMNAR_TEXT=1 map $fmt "$f" bench.lineitem -H "columns:$cols")
		[ "$typed" = "$text" ]
		[[ "$typed" == *"	"[0-9]*/[0-9]*.[0-9][0-9]/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]* ]]
		# http_stream's WHERE over the sources
		typed=$(map $fmt "$f" bench.lineitem -H "x_sl_preceding_filter:l_extendedprice > 50000 and l_shipdate < '1995-01-01'")
		text=$(SL_COLUMNAR_TEXT=1 map $fmt "$f" bench.lineitem -H "x_sl_preceding_filter:l_extendedprice > 50000 and l_shipdate < '1995-01-01'")
		[ "$typed" = "$text" ]
		local n
		n=$(grep -c . <<<"$typed")
		[ "$n" -gt 10 ] && [ "$n" -lt $((ROWS / 2)) ]
	done
}

@test "typed: sl-load of parquet and arrow equals the CSV load" {
	local check="select count(*), sum(l_orderkey), sum(l_extendedprice), min(l_shipdate), max(l_receiptdate), max(l_comment) from bench.lineitem"
	sl-load -H 'column_separator:|' -T "$W/rows.tbl" bench.lineitem > /dev/null
	local want
	want=$(sl-sql -N -B -e "$check")
	sl-sql -e "TRUNCATE TABLE bench.lineitem"
	sl-load -H format:parquet -T "$W/rows.parquet" bench.lineitem > /dev/null
	[ "$(sl-sql -N -B -e "$check")" = "$want" ]
	sl-sql -e "TRUNCATE TABLE bench.lineitem"
	sl-load -H format:arrow -T "$W/rows.arrows" bench.lineitem > /dev/null
	[ "$(sl-sql -N -B -e "$check")" = "$want" ]
}

# typed_stream KTYPE QTYPE [ROW-HEX...]: a typed source stream of the
# columns k and q and the rows given (payload hex each)
typed_stream() {
	local kt=$1 qt=$2 r
	shift 2
	frame H 4 "534c0001$(printf %08x 2)$(field k)$(field "$kt")$(field q)$(field "$qt")"
	for r in "$@"; do frame R 0 "$r"; done
	frame E 0 "$(printf %016x $#)"
}

@test "sl-map: a typed DECIMAL beyond its precision is cast from its text; a bad typed stream is refused" {
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.t (k INT NOT NULL, q DECIMAL(3,1)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	# q: unscaled 12345 in DECIMAL(3,1) (1234.5, over its precision), then 123 (12.3)
	typed_stream INT 'DECIMAL(3,1)' "00000004000000010000001000000000000000000000000000003039" \
		"0000000400000002000000100000000000000000000000000000007b" > dec.sl
	run -0 --separate-stderr bash -c 'sl-map -H strict_mode:true d.t < dec.sl | sl-dump'
	[ "${lines[0]}" = "k	q" ]
	[ "${lines[1]}" = "2	12.3" ]
	[[ "$stderr" == *"column(q) value is incorrect while strict mode is true, src value is 1234.5"* ]]
	run -0 --separate-stderr bash -c 'sl-map d.t < dec.sl | sl-dump'
	[ "${lines[1]}" = '1	\N' ]
	# a type sl-parse never writes typed; a typed field of the wrong width
	# where its text is needed (BIGINT into INT)
	typed_stream INT DOUBLE > double.sl
	typed_stream BIGINT STRING "0000000300000100000003312e35" > short.sl
	local f want
	for f in double short; do
		want="malformed row in the input stream"
		[ $f = double ] && want="sl-map: a typed source header of a type sl-parse does not write"
		run -100 --separate-stderr sl-map d.t < $f.sl
		[ "$stderr" = "sl-map: fatal: [INTERNAL_ERROR]$want" ]
	done
}
