#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# bench-columnar.bats -- bench/columnar.sh end to end on a small input (its
# smoke run): the wide rows written as parquet by DuckDB and as an Arrow IPC
# stream by apache-arrow (tests/node/columnar-write.mjs), loaded by sl-load
# from the CSV, the parquet file and the arrow stream and by DuckDB, every
# table holding the input's rows. Times are printed, never asserted.

bats_require_minimum_version 1.5.0
load test_helper

ROWS=20000

@test "bench/columnar.sh loads the same rows from CSV, parquet and arrow, and DuckDB from the parquet" {
	local work=$BATS_TEST_TMPDIR/bench
	# row groups and record batches of 4096 rows: the readers cross five
	run env ROWS=$ROWS RUNS=1 GROUP=4096 BATCH=4096 BENCH_DIR="$work" "$SL_ROOT/bench/columnar.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	# the inputs hold ROWS rows in five groups each
	grep -qx "rows $ROWS groups 5 max_rows 4096 max_bytes [0-9]*" "$work/lineitem-$ROWS-b4096.arrows.stats"
	grep -q "^rows $ROWS groups [2-9] " "$work/lineitem-$ROWS-g4096.parquet.stats"
	[ "$(wc -l < "$work/lineitem-$ROWS.tbl")" -eq $ROWS ]
	# every table holds the input's rows (the last hyperfine run's loads,
	# then the explicit pipelines of the parquet and arrow tables)
	local f sums=
	for f in csv parquet arrow; do
		run sl-sql --data-dir "$work/columnar-$f" -N -B -e "select count(*) from bench.lineitem"
		[ "$status" -eq 0 ]
		[ "$output" = "$ROWS" ]
	done
	run sl-sql --data-dir "$work/columnar-csv" -N -B -e \
		"select count(*), sum(l_extendedprice), max(l_comment) from bench.lineitem"
	sums=$output
	for f in parquet arrow; do
		run sl-sql --data-dir "$work/columnar-$f" -N -B -e \
			"select count(*), sum(l_extendedprice), max(l_comment) from bench.lineitem"
		[ "$output" = "$sums" ]
	done
	run bash -c "cd '$BATS_TEST_DIRNAME/node' && node duckdb-load.mjs --count '$work/columnar-duckdb.duckdb'"
	[ "$status" -eq 0 ]
	[ "$output" = "rows $ROWS" ]
	# the summary: each load's rate, the ratios, every stage's peak RSS
	local s=$work/columnar-summary.txt
	for f in csv parquet arrow duckdb; do
		grep -q "^$f  *mean [0-9.]* s .* M rows/s" "$s"
	done
	grep -q '^parquet/CSV rows/s [0-9.]*  (target >= 1.0' "$s"
	grep -q '^arrow/CSV   rows/s [0-9.]*  (target >= 1.0' "$s"
	grep -q '^sl-load/DuckDB rows/s on the parquet file [0-9.]* ' "$s"
	for f in parquet arrow; do
		grep -q "^$f: [0-9]* groups, the largest 4096 rows, [0-9.]* MiB decoded; stage target [0-9.]* MiB" "$s"
		for p in sl-parse sl-map sl-filter sl-txn sl-commit; do
			grep -q "^$f:   $p  *peak RSS  *[0-9.]* MiB" "$s"
		done
	done
}

@test "bench/columnar.sh refuses to run without the pipeline's binaries" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run env ROWS=100 SL_BIN="$BATS_TEST_TMPDIR/empty" BENCH_DIR="$BATS_TEST_TMPDIR/bench" \
		"$SL_ROOT/bench/columnar.sh"
	[ "$status" -eq 111 ]
	[[ "$output" == *"columnar.sh: fatal: $BATS_TEST_TMPDIR/empty/sl-load is missing: run make first"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/bench" ]
}
