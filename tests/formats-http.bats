#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# formats-http.bats -- parquet, orc and arrow bodies through sl-httpd: the
# seed's curl forms with -H "format:parquet" / "format:orc" / "format: arrow"
# (the seed gives the header as `-H "format:json"` and lists parquet, orc
# and arrow among its values; only the port and the file name differ from
# its commands), a body that is not seekable (curl -T -, chunked) spooled
# and loaded, a body over streaming_load_max_mb refused with Doris's E-217
# and its spooled copy gone, every file of the corpus's parquet/bad_data/
# answered Fail with nothing visible, and http_stream reading the three
# formats, SELECT * included.
#
# The parquet files are written by DuckDB (tests/node/duckdb-run.mjs); the
# orc and arrow ones come from the shared corpus (SL_CORPUS, by default
# ../shared/corpus beside the repository).

bats_require_minimum_version 1.5.0
load test_helper

CORPUS=${SL_CORPUS:-$BATS_TEST_DIRNAME/../../shared/corpus}
NODE="$BATS_TEST_DIRNAME/node"
ORC="$CORPUS/orc/TestOrcFile.test1.orc"
ARROW="$CORPUS/arrow/1.0.0-littleendian/generated_primitive.stream"

setup() {
	setup_data_dir
	[ -d "$CORPUS/parquet" ] || { echo "no corpus at $CORPUS (set SL_CORPUS)" >&2; return 1; }
	[ -d "$NODE/node_modules/@duckdb/node-api" ] || { echo "tests/node is not installed (make node-deps)" >&2; return 1; }
	# the seed's table and its 10 rows, and the same rows as parquet
	seed_table
	duckdb "COPY (SELECT * FROM read_csv('$PWD/streamload_example.csv', header = false,
		columns = {'user_id': 'BIGINT', 'name': 'VARCHAR', 'age': 'INTEGER'}))
		TO '$PWD/streamload_example.parquet' (FORMAT parquet)"
	server_pid=
	httpd_start
}

teardown() { httpd_stop; }

duckdb() { (cd "$NODE" && node duckdb-run.mjs "$@"); }

get() { jq -r ".$1"; }

rows() { sl-sql -N -B -e "select * from ${1:-testdb.test_streamload} order by 1"; }

# the server again (sl.conf changed), on a new port
restart() {
	httpd_stop
	rm -f "$BATS_TEST_TMPDIR/server.port"
	httpd_start
}

seed_rows() { tr , '\t' < streamload_example.csv; }

# the data directory holds no spooled body and no file of the body's size
no_spool_left() {
	[ -z "$(find "$SL_DATA_DIR" -name '.tmp.spool*')" ]
	[ -z "$(find "$SL_DATA_DIR" -type f -size +512k)" ]
}

@test "format:parquet: the seed's curl command, verbatim but for the port and the file" {
	run -0 --separate-stderr curl --location-trusted -u root: \
-H "Expect:100-continue" \
-H "format:parquet" \
-H "columns:user_id,name,age" \
-T streamload_example.parquet \
-XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get Message <<< "$output")" = OK ]
	[ "$(get NumberTotalRows <<< "$output")" = 10 ]
	[ "$(get NumberLoadedRows <<< "$output")" = 10 ]
	[ "$(get LoadBytes <<< "$output")" = "$(stat -c %s streamload_example.parquet)" ]
	[ "$(rows)" = "$(seed_rows)" ]
	# the reference form: no columns header, the file's names match the table's
	run -0 --separate-stderr curl --location-trusted -u root: -H "format:parquet" -H "label:123" -T streamload_example.parquet -XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get Label <<< "$output")" = 123 ]
	[ "$(get NumberLoadedRows <<< "$output")" = 10 ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.test_streamload')" = 20 ]
	no_spool_left
}

@test "format:parquet: the columns header maps and computes over the file's columns" {
	run -0 --separate-stderr curl --location-trusted -u root: -H "format:parquet" \
		-H "columns: user_id, name, age, age = age * 2" -H "where: age > 60" \
		-T streamload_example.parquet -XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberLoadedRows <<< "$output")" = 7 ]
	[ "$(get NumberUnselectedRows <<< "$output")" = 3 ]
	[ "$(rows | head -1)" = $'2\tBenjamin\t70' ]
}

@test "format:orc and format: arrow: the seed's curl command with the corpus's files" {
	sl-sql -e "CREATE TABLE testdb.o (int1 INT, boolean1 BOOLEAN, byte1 TINYINT, string1 VARCHAR(20))
		DUPLICATE KEY(int1) DISTRIBUTED BY HASH(int1) BUCKETS 1"
	run -0 --separate-stderr curl --location-trusted -u root: \
-H "Expect:100-continue" \
-H "format:orc" \
-T "$ORC" \
-XPUT http://127.0.0.1:$port/api/testdb/o/_stream_load
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(sl-sql -N -B -e 'select * from testdb.o order by byte1')" = $'65536\t0\t1\thi\n65536\t1\t100\tbye' ]
	sl-sql -e "CREATE TABLE testdb.a (int32_nonnullable INT, utf8_nullable VARCHAR(100))
		DUPLICATE KEY(int32_nonnullable) DISTRIBUTED BY HASH(int32_nonnullable) BUCKETS 1"
	n=$(python3 "$SL_ROOT/tests/arrow-expect.py" "${ARROW%.stream}.json.gz" | tail -n +2 | wc -l)
	[ "$n" -gt 0 ]
	run -0 --separate-stderr curl --location-trusted -u root: -H "format: arrow" -T "$ARROW" -XPUT http://127.0.0.1:$port/api/testdb/a/_stream_load
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberLoadedRows <<< "$output")" = "$n" ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.a')" = "$n" ]
	no_spool_left
}

@test "a body that is not seekable (curl -T -, chunked) is spooled and loads: parquet, orc, arrow" {
	run -0 --separate-stderr bash -c "curl -sS --location-trusted -u root: -H format:parquet -T - -XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load < streamload_example.parquet"
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberLoadedRows <<< "$output")" = 10 ]
	[ "$(rows)" = "$(seed_rows)" ]
	sl-sql -e "CREATE TABLE testdb.o (int1 INT, string1 VARCHAR(20)) DUPLICATE KEY(int1) DISTRIBUTED BY HASH(int1) BUCKETS 1"
	run -0 --separate-stderr bash -c "cat '$ORC' | curl -sS --location-trusted -u root: -H format:orc -T - -XPUT http://127.0.0.1:$port/api/testdb/o/_stream_load"
	[ "$(get NumberLoadedRows <<< "$output")" = 2 ]
	sl-sql -e "CREATE TABLE testdb.a (int32_nonnullable INT) DUPLICATE KEY(int32_nonnullable) DISTRIBUTED BY HASH(int32_nonnullable) BUCKETS 1"
	run -0 --separate-stderr bash -c "cat '$ARROW' | curl -sS --location-trusted -u root: -H format:arrow -T - -XPUT http://127.0.0.1:$port/api/testdb/a/_stream_load"
	[ "$(get Status <<< "$output")" = Success ]
	no_spool_left
}

# 200,000 rows of uncompressed parquet: about 4 MB against a limit of 1 MB
@test "a parquet body over streaming_load_max_mb: Doris's E-217, nothing visible, no spooled copy left" {
	echo 'streaming_load_max_mb = 1' > "$SL_DATA_DIR/sl.conf"
	restart
	duckdb "COPY (SELECT i AS user_id, 'name' || i AS name, (i % 90)::INT AS age FROM range(1, 200001) t(i))
		TO '$PWD/big.parquet' (FORMAT parquet, COMPRESSION uncompressed)"
	n=$(stat -c %s big.parquet)
	[ "$n" -gt 1048576 ]
	run -0 --separate-stderr curl -sS --location-trusted -u root: -H format:parquet -T big.parquet -XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	[ "$(get Status <<< "$output")" = Fail ]
	[ "$(get Message <<< "$output")" = "[E-217]body size $n exceed BE's conf \`streaming_load_max_mb\` 1048576. increase it if you are sure this load is reasonable" ]
	# chunked: the size is known only as it comes; cut off past the limit
	run -0 --separate-stderr bash -c "curl -sS --location-trusted -u root: -H format:parquet -T - -XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load < big.parquet"
	[ "$(get Status <<< "$output")" = Fail ]
	[[ "$(get Message <<< "$output")" == "[E-217]body size "*" exceed BE's conf \`streaming_load_max_mb\` 1048576. increase it if you are sure this load is reasonable" ]]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.test_streamload')" = 0 ]
	no_spool_left
	# the same table still loads a body under the limit
	run -0 --separate-stderr curl -sS --location-trusted -u root: -H format:parquet -T streamload_example.parquet -XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	[ "$(get NumberLoadedRows <<< "$output")" = 10 ]
}

# sl-load's stdin is a pipe: sl-parse spools it itself, within the limit
@test "sl-load: a piped parquet body over streaming_load_max_mb fails in sl-parse's spool, nothing left" {
	echo 'streaming_load_max_mb = 0' > "$SL_DATA_DIR/sl.conf"
	run --separate-stderr bash -c "cat streamload_example.parquet | sl-load -H format:parquet -T - testdb.test_streamload"
	[ "$(get Status <<< "$output")" = Fail ]
	[ "$(get Message <<< "$output")" = "[E-217]body size exceed BE's conf \`streaming_load_max_mb\` 0. increase it if you are sure this load is reasonable" ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.test_streamload')" = 0 ]
	no_spool_left
}

# Each file's columns (as the reader names them before it fails) become a
# table of text columns, so that the failure is the file's, not a cast's.
# ARROW-GH-43605 is valid by the format: its dictionary has one entry, so
# its indices have bit width 0 (ceil(log2(1))), and the one bit-packed run
# covers the page's 21186 values: it loads the 21186 zeros DuckDB reads.
@test "every file of parquet/bad_data/ through curl: Fail with the reader's reason, nothing visible" {
	nb=0
	for f in "$CORPUS"/parquet/bad_data/*.parquet; do
		b=$(basename "$f")
		nb=$((nb + 1))
		cols=$("$SL_UNIT/test-parquet" "$f" 2> /dev/null | sed -n '/^--$/q; p' | cut -f1) || true
		[ -n "$cols" ] || cols=x
		ddl=$(sed 's/.*/`&` VARCHAR(1000)/' <<< "$cols" | paste -sd, -)
		first=$(head -1 <<< "$cols")
		sl-sql -e "CREATE TABLE testdb.bad$nb ($ddl) DUPLICATE KEY(\`$first\`) DISTRIBUTED BY HASH(\`$first\`) BUCKETS 1"
		run -0 --separate-stderr curl -sS --location-trusted -u root: -H format:parquet -T "$f" -XPUT http://127.0.0.1:$port/api/testdb/bad$nb/_stream_load
		echo "$b: $(get Message <<< "$output")"
		if [ "$b" = ARROW-GH-43605.parquet ]; then
			[ "$(get NumberLoadedRows <<< "$output")" = 21186 ]
			[ "$(sl-sql -N -B -e "select count(*), min(min_fl), max(min_fl) from testdb.bad$nb")" = $'21186\t0\t0' ]
			continue
		fi
		[ "$(get Status <<< "$output")" = Fail ]
		[[ "$(get Message <<< "$output")" == "[INTERNAL_ERROR]failed to read the parquet file: "?* ]]
		[ "$(sl-sql -N -B -e "select count(*) from testdb.bad$nb")" = 0 ]
	done
	[ "$nb" -ge 8 ]
	no_spool_left
}

# ---- http_stream ----

# hs FILE SQL: PUT FILE to _http_stream with the sql header
hs() {
	curl -sS --location-trusted -u root: -T "$1" -H "sql:$2" -XPUT "http://127.0.0.1:$port/api/_http_stream"
}

@test "http_stream(\"format\"=\"parquet\"): the columns the SELECT names, WHERE over them" {
	run -0 --separate-stderr hs streamload_example.parquet 'INSERT INTO testdb.test_streamload SELECT user_id, name, age FROM http_stream("format"="parquet") WHERE age > 60'
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberTotalRows <<< "$output")" = 10 ]
	[ "$(get NumberLoadedRows <<< "$output")" = 3 ]
	[ "$(get NumberUnselectedRows <<< "$output")" = 7 ]
	[ "$(rows)" = $'6\tWilliam\t69\n8\tJames\t64\n10\tLiam\t64' ]
	# into a column list, a constant for the one the file lacks
	run -0 --separate-stderr hs streamload_example.parquet 'INSERT INTO testdb.test_streamload (user_id, age, name) SELECT user_id, age, "x" FROM http_stream("format"="parquet") WHERE user_id = 1'
	[ "$(get NumberLoadedRows <<< "$output")" = 1 ]
	[ "$(rows | head -1)" = $'1\tx\t25' ]
}

@test "http_stream SELECT * over parquet: the file's own columns, by position; chunked; gz" {
	run -0 --separate-stderr hs streamload_example.parquet 'INSERT INTO testdb.test_streamload SELECT * FROM http_stream("format"="parquet")'
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberLoadedRows <<< "$output")" = 10 ]
	[ "$(rows)" = "$(seed_rows)" ]
	# a body that is not seekable, and a WHERE over the file's columns
	run -0 --separate-stderr bash -c "curl -sS --location-trusted -u root: -T - -H 'sql:INSERT INTO testdb.test_streamload SELECT * FROM http_stream(\"format\"=\"parquet\") WHERE age < 30' -XPUT http://127.0.0.1:$port/api/_http_stream < streamload_example.parquet"
	[ "$(get NumberLoadedRows <<< "$output")" = 3 ]
	[ "$(get NumberUnselectedRows <<< "$output")" = 7 ]
	gzip -c streamload_example.parquet > example.parquet.gz
	run -0 --separate-stderr hs example.parquet.gz 'INSERT INTO testdb.test_streamload SELECT * FROM http_stream("format"="parquet", "compress_type"="gz")'
	[ "$(get NumberLoadedRows <<< "$output")" = 10 ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.test_streamload')" = 23 ]
	# the file's names are not the table's: position decides
	sl-sql -e "CREATE TABLE testdb.p (k BIGINT, s VARCHAR(20), n INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 --separate-stderr hs streamload_example.parquet 'INSERT INTO testdb.p SELECT * FROM http_stream("format"="parquet") WHERE age > 60'
	[ "$(get NumberLoadedRows <<< "$output")" = 3 ]
	[ "$(rows testdb.p)" = $'6\tWilliam\t69\n8\tJames\t64\n10\tLiam\t64' ]
	no_spool_left
}

@test "http_stream SELECT * over parquet: a count that differs, a damaged file, a body over the limit" {
	sl-sql -e "CREATE TABLE testdb.two (user_id BIGINT, name VARCHAR(20)) DUPLICATE KEY(user_id) DISTRIBUTED BY HASH(user_id) BUCKETS 1"
	run -0 --separate-stderr hs streamload_example.parquet 'INSERT INTO testdb.two SELECT * FROM http_stream("format"="parquet")'
	[ "$(get Status <<< "$output")" = Fail ]
	[ "$(get Message <<< "$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = insert into cols should be corresponding to the query output" ]
	head -c 300 streamload_example.parquet > cut.parquet
	run -0 --separate-stderr hs cut.parquet 'INSERT INTO testdb.test_streamload SELECT * FROM http_stream("format"="parquet")'
	[ "$(get Status <<< "$output")" = Fail ]
	[[ "$(get Message <<< "$output")" == "[INTERNAL_ERROR]failed to read the parquet file: "?* ]]
	for fmt in orc arrow; do
		run -0 --separate-stderr hs streamload_example.csv "INSERT INTO testdb.test_streamload SELECT * FROM http_stream(\"format\"=\"$fmt\")"
		[[ "$(get Message <<< "$output")" == "[INTERNAL_ERROR]failed to read the $fmt file: "?* ]]
	done
	[ -z "$(rows)" ]
	echo 'streaming_load_max_mb = 1' > "$SL_DATA_DIR/sl.conf"
	restart
	head -c 2000000 /dev/urandom > big.parquet
	run -0 --separate-stderr bash -c "curl -sS --location-trusted -u root: -T - -H 'sql:INSERT INTO testdb.test_streamload SELECT * FROM http_stream(\"format\"=\"parquet\")' -XPUT http://127.0.0.1:$port/api/_http_stream < big.parquet"
	[ "$(get Status <<< "$output")" = Fail ]
	[[ "$(get Message <<< "$output")" == "[E-217]body size "*" exceed BE's conf \`streaming_load_max_mb\` 1048576. increase it if you are sure this load is reasonable" ]]
	no_spool_left
}

# TestOrcFile.testSnappy: int1 INT, string1 STRING, 10,000 rows
@test "http_stream(\"format\"=\"orc\"): named columns and SELECT *" {
	f="$CORPUS/orc/TestOrcFile.testSnappy.orc"
	"$SL_UNIT/test-orc" "$f" | tail -n +2 | python3 -c '
import json, sys
for l in sys.stdin:
    v = json.loads(l)
    print("\t".join("NULL" if x is None else bytes.fromhex(x).decode() for x in v))' | sort > want
	[ "$(wc -l < want)" = 10000 ]
	sl-sql -e "CREATE TABLE testdb.o (a INT, b VARCHAR(100)) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1"
	run -0 --separate-stderr hs "$f" 'INSERT INTO testdb.o SELECT * FROM http_stream("format"="orc")'
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberLoadedRows <<< "$output")" = 10000 ]
	[ "$(rows testdb.o | sort)" = "$(cat want)" ]
	run -0 --separate-stderr hs "$f" 'INSERT INTO testdb.o (b, a) SELECT string1, int1 FROM http_stream("format"="orc") WHERE int1 < 0'
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberLoadedRows <<< "$output")" = "$(awk '$1 < 0' want | wc -l)" ]
}

# generated_zstd.stream: ints, strs, record batches compressed with ZSTD
@test "http_stream(\"format\"=\"arrow\"): SELECT * and named columns of a compressed stream" {
	f="$CORPUS/arrow/2.0.0-compression/generated_zstd.stream"
	python3 "$SL_ROOT/tests/arrow-expect.py" "${f%.stream}.json.gz" | tail -n +2 | sed 's/\\N/NULL/g' | sort > want
	[ "$(wc -l < want)" -gt 0 ]
	sl-sql -e "CREATE TABLE testdb.a (a INT, b VARCHAR(100)) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1"
	run -0 --separate-stderr hs "$f" 'INSERT INTO testdb.a SELECT * FROM http_stream("format"="arrow")'
	[ "$(get Status <<< "$output")" = Success ]
	[ "$(get NumberLoadedRows <<< "$output")" = "$(wc -l < want)" ]
	[ "$(rows testdb.a | sort)" = "$(cat want)" ]
	run -0 --separate-stderr bash -c "cat '$f' | curl -sS --location-trusted -u root: -T - -H 'sql:INSERT INTO testdb.a (a, b) SELECT ints, strs FROM http_stream(\"format\"=\"arrow\")' -XPUT http://127.0.0.1:$port/api/_http_stream"
	[ "$(get NumberLoadedRows <<< "$output")" = "$(wc -l < want)" ]
	no_spool_left
}
