#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# columnar.sh -- parquet and arrow loads against the CSV load of the same
# rows, and against DuckDB loading the same parquet (issue 13, acceptance 5).
#
#   bench/columnar.sh                       the full run: 6M wide rows (~1 GB as text)
#   ROWS=600000 RUNS=1 bench/columnar.sh    a quick run
#   ROWS=20000 RUNS=1 GROUP=4096 BATCH=4096 BENCH_DIR=DIR bench/columnar.sh
#                                           the smoke run of tests/bench-columnar.bats
#
# Generates (once, cached by size in BENCH_DIR) the 16-column lineitem-like
# rows of bench/load.sh (bench/gen.c wide, '|'-separated), then writes them
# with the column names and types of bench/lineitem.sql
#   - as parquet by DuckDB (snappy, DuckDB's default row groups, or GROUP
#     rows each), tests/node/columnar-write.mjs;
#   - as an Arrow IPC stream by apache-arrow (record batches of BATCH rows),
#     the same script;
# and then
#   1. one hyperfine run of five commands: sl-load of the CSV (as
#      bench/load.sh), of the parquet file and of the arrow stream, each
#      into a fresh DUPLICATE KEY table of its own data directory (--prepare
#      recreates it, so every run commits and fsyncs a whole load, and
#      reads the input file once, so that every run starts from a cached
#      input: a machine that pages out files unused for a minute, as the
#      2-core VMs here do with DAMON, otherwise makes the first run of a
#      command read its file from disk), DuckDB
#      loading the parquet file into a fresh database file
#      (tests/node/duckdb-load.mjs: CREATE TABLE AS SELECT * FROM
#      read_parquet, CHECKPOINT), and that script only counting the loaded
#      table (node's and DuckDB's start, to read the DuckDB figure by);
#      after it, every table is checked to hold ROWS rows, and the three
#      sl-load tables the same values;
#   2. the explicit five-stage pipeline once for the parquet file and once
#      for the arrow stream, every stage wrapped by bench/maxrss.c.
# Prints rows/s of each load, the ratios parquet/CSV and arrow/CSV, the
# ratio sl-load/DuckDB on the parquet file, and each stage's peak RSS beside
# its target: 64 MiB plus the largest row group (record batch) decoded (the
# footer's uncompressed bytes of its column chunks; the batch's buffers).
# The load average is printed beside the figures: on a shared machine they
# are indicative.
#
# Environment: ROWS (6000000), RUNS (3), GROUP (parquet rows per row group;
# DuckDB's default when empty), BATCH (arrow rows per record batch, 122880 =
# DuckDB's row group), BENCH_DIR (work directory, build/bench; ~2.5 GB for
# the full run), SL_BIN (binaries, bin/), CC, NODE (node). The node modules
# are tests/node's (make node-deps). Not part of `make test`.
# Targets (2 cores): parquet and arrow rows/s >= the CSV's (ratios >= 1.0);
# every stage's peak RSS <= 64 MiB plus one row group.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${SL_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
ROWS=${ROWS:-6000000}
RUNS=${RUNS:-3}
GROUP=${GROUP:-}
BATCH=${BATCH:-122880}
work=${BENCH_DIR:-$root/build/bench}
CC=${CC:-cc}
NODE=${NODE:-node}
nodedir=$root/tests/node

die() { echo "columnar.sh: fatal: $*" >&2; exit 111; }

for p in sl-load sl-sql sl-parse sl-map sl-filter sl-txn sl-commit; do
	[ -x "$bin/$p" ] || die "$bin/$p is missing: run make first"
done
command -v hyperfine > /dev/null || die "hyperfine is missing: make deps (or apt-get install hyperfine)"
command -v "$NODE" > /dev/null || die "$NODE is missing: make deps (nodejs)"
[ -d "$nodedir/node_modules/@duckdb/node-api" ] && [ -d "$nodedir/node_modules/apache-arrow" ] ||
	die "the node modules are missing: make node-deps"

mkdir -p "$work"
work=$(cd "$work" && pwd)
$CC -O2 -o "$work/gen" "$here/gen.c" || die "cannot build bench/gen.c"
$CC -O2 -o "$work/maxrss" "$here/maxrss.c" || die "cannot build bench/maxrss.c"

# the inputs, each with a .stats line from columnar-write.mjs
wide=$work/lineitem-$ROWS.tbl
parquet=$work/lineitem-$ROWS${GROUP:+-g$GROUP}.parquet
arrow=$work/lineitem-$ROWS-b$BATCH.arrows
if [ ! -s "$wide" ]; then
	echo "generating $wide"
	"$work/gen" wide "$ROWS" > "$wide.tmp" && mv "$wide.tmp" "$wide"
fi
# write MODE OUT ARG: columnar-write.mjs once, cached with its stats
write() {
	if [ ! -s "$2" ] || [ ! -s "$2.stats" ]; then
		echo "writing $2"
		rm -f "$2.tmp"
		(cd "$nodedir" && "$NODE" columnar-write.mjs "$1" "$wide" "$2.tmp" $3) > "$2.stats.tmp" ||
			die "columnar-write.mjs $1 failed"
		mv "$2.stats.tmp" "$2.stats" && mv "$2.tmp" "$2"
	fi
	grep -q "^rows $ROWS " "$2.stats" || die "$2 does not hold $ROWS rows: $(cat "$2.stats")"
}
write parquet "$parquet" "$GROUP"
write arrow "$arrow" "$BATCH"

# a data directory per load, each recreated before every run, and the
# run's input read into the page cache (columnar-reset.sh NAME [FILE])
{ echo "CREATE DATABASE bench;"; cat "$here/lineitem.sql"; } > "$work/columnar-schema.sql"
cat > "$work/columnar-reset.sh" <<EOF
#!/bin/sh
[ -z "\$2" ] || cat "\$2" > /dev/null || exit 1
[ "\$1" = none ] && exit 0
rm -rf '$work/columnar-'"\$1" && '$bin/sl-sql' --data-dir '$work/columnar-'"\$1" < '$work/columnar-schema.sql' > /dev/null
EOF
chmod +x "$work/columnar-reset.sh"
duck=$work/columnar-duckdb.duckdb
load() { echo "'$bin/sl-load' --data-dir '$work/columnar-$1' -H '$2' -T '$3' bench.lineitem > /dev/null"; }
duckload="cd '$nodedir' && '$NODE' duckdb-load.mjs '$parquet' '$duck' > /dev/null"
duckcount="cd '$nodedir' && '$NODE' duckdb-load.mjs --count '$duck' > /dev/null"

echo
echo "== $ROWS rows: CSV $(wc -c < "$wide") bytes, parquet $(wc -c < "$parquet"), arrow stream $(wc -c < "$arrow")"
hyperfine --runs "$RUNS" --export-csv "$work/columnar.csv" \
	--prepare "$work/columnar-reset.sh csv '$wide'" -n csv "$(load csv 'column_separator:|' "$wide")" \
	--prepare "$work/columnar-reset.sh parquet '$parquet'" -n parquet "$(load parquet format:parquet "$parquet")" \
	--prepare "$work/columnar-reset.sh arrow '$arrow'" -n arrow "$(load arrow format:arrow "$arrow")" \
	--prepare "rm -f '$duck' '$duck.wal' && $work/columnar-reset.sh none '$parquet'" -n duckdb "$duckload" \
	--prepare true -n duckdb-start "$duckcount" >&2 ||
	die "hyperfine failed (does each load succeed? try: $(load parquet format:parquet "$parquet"))"
uptime=$(uptime | sed 's/.*load average/load average/')

# the last run's tables hold exactly the input, the same values in each
check="select count(*), sum(l_orderkey), sum(l_partkey), sum(l_extendedprice), sum(l_tax),
	min(l_shipdate), max(l_receiptdate), max(l_shipmode), max(l_comment), min(l_comment) from bench.lineitem"
for f in csv parquet arrow; do
	"$bin/sl-sql" --data-dir "$work/columnar-$f" -N -B -e "$check" > "$work/columnar-$f.check" ||
		die "cannot query the $f table"
	n=$(cut -f1 "$work/columnar-$f.check")
	[ "$n" = "$ROWS" ] || die "$f: the table has $n rows after the load, not $ROWS"
	[ $f = csv ] || cmp -s "$work/columnar-csv.check" "$work/columnar-$f.check" ||
		die "$f: the table differs from the CSV load's: $(cat "$work/columnar-$f.check")"
done
n=$(cd "$nodedir" && "$NODE" duckdb-load.mjs --count "$duck") || die "cannot count DuckDB's table"
[ "$n" = "rows $ROWS" ] || die "duckdb: the table has '$n' after the load, not $ROWS rows"

summary=$work/columnar-summary.txt
: > "$summary"
mean_of() { awk -F, -v c="$1" 'NR > 1 && $1 == c { print $2 }' "$work/columnar.csv"; }
min_of() { awk -F, -v c="$1" 'NR > 1 && $1 == c { print $(NF - 1) }' "$work/columnar.csv"; }
# user+system CPU time of a run, every process and thread: on a busy
# machine it tells a slow program from a slow run
cpu_of() { awk -F, -v c="$1" 'NR > 1 && $1 == c { print $(NF - 3) + $(NF - 2) }' "$work/columnar.csv"; }
for f in csv parquet arrow duckdb; do
	case $f in csv) file=$wide ;; arrow) file=$arrow ;; *) file=$parquet ;; esac
	awk -v m="$(mean_of $f)" -v mn="$(min_of $f)" -v c="$(cpu_of $f)" -v r="$ROWS" -v b="$(wc -c < "$file")" -v f="$f" 'BEGIN {
		printf "%-8s mean %.3f s (min %.3f s)  %.2f M rows/s  %.1f MB/s of its file  CPU %.3f s\n", f, m, mn, r / m / 1e6, b / m / 1e6, c
	}' | tee -a "$summary"
done
awk -v c="$(mean_of csv)" -v p="$(mean_of parquet)" -v a="$(mean_of arrow)" -v d="$(mean_of duckdb)" \
	-v s="$(mean_of duckdb-start)" -v cc="$(cpu_of csv)" -v cp="$(cpu_of parquet)" -v ca="$(cpu_of arrow)" \
	-v l="$uptime" 'BEGIN {
	printf "parquet/CSV rows/s %.2f  (target >= 1.0%s; CPU time CSV/parquet %.2f)\n", c / p, (c / p >= 1 ? "" : ": missed"), cc / cp
	printf "arrow/CSV   rows/s %.2f  (target >= 1.0%s; CPU time CSV/arrow %.2f)\n", c / a, (c / a >= 1 ? "" : ": missed"), cc / ca
	printf "sl-load/DuckDB rows/s on the parquet file %.2f  (DuckDB %.3f s, of which %.3f s start node and DuckDB and open the file)\n", d / p, d, s
	printf "measured with %s\n", l
}' | tee -a "$summary"

# memory NAME FILE STATS HEADER: the explicit pipeline, each stage under maxrss
memory() {
	name=$1 file=$2 stats=$3 h=$4 data=$work/columnar-$1
	"$work/columnar-reset.sh" "$name"
	rss=$work/columnar-$name.rss
	: > "$rss"
	m="$work/maxrss $rss"
	$m "$bin/sl-parse" --data-dir "$data" -H "$h" bench.lineitem < "$file" \
		| $m "$bin/sl-map" --data-dir "$data" -H "$h" bench.lineitem \
		| $m "$bin/sl-filter" --data-dir "$data" -H "$h" \
		| $m "$bin/sl-txn" --data-dir "$data" -H "$h" bench.lineitem \
		| $m "$bin/sl-commit" --data-dir "$data" -H "$h" > "$work/columnar-$name.answer.json" ||
		die "$name: the explicit pipeline failed: $(cat "$work/columnar-$name.answer.json")"
	grep -q '"Status": "Success"' "$work/columnar-$name.answer.json" ||
		die "$name: the explicit pipeline did not succeed: $(cat "$work/columnar-$name.answer.json")"
	n=$("$bin/sl-sql" --data-dir "$data" -N -B -e "select count(*) from bench.lineitem")
	[ "$n" = "$ROWS" ] || die "$name: the table has $n rows after the pipeline, not $ROWS"
	# stats: rows N groups G max_rows R max_bytes B
	awk -v name="$name" -v g="$(cut -d' ' -f4 "$stats")" -v gr="$(cut -d' ' -f6 "$stats")" \
	    -v gb="$(cut -d' ' -f8 "$stats")" '
		NR == 1 { t = 65536 + gb / 1024
			printf "%s: %d groups, the largest %d rows, %.1f MiB decoded; stage target %.1f MiB\n", name, g, gr, gb / 1048576, t / 1024 }
		{ printf "%s:   %-10s peak RSS %6.1f MiB  wall %6.2f s\n", name, $1, $2 / 1024, $3 / 1000
		  if ($2 > t) over = over " " $1 }
		END { if (over != "") printf "%s:   over 64 MiB plus one row group:%s\n", name, over }' "$rss" |
		tee -a "$summary"
}
echo
memory parquet "$parquet" "$parquet.stats" format:parquet
memory arrow "$arrow" "$arrow.stats" format:arrow

echo
echo "== summary ($(nproc) cores; targets: parquet and arrow >= CSV rows/s, stage RSS <= 64 MiB + one row group)"
cat "$summary"
