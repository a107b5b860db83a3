#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# load.sh -- sl-load throughput and per-stage memory (issue 2, acceptance 9).
#
#   bench/load.sh            the full run: 6M wide rows (~1 GB), 10M narrow rows
#   ROWS=600000 NROWS=1000000 RUNS=1 bench/load.sh     a quick run
#
# Generates (once, cached by size) a 16-column lineitem-like file
# ('|'-separated: 4 ints, 4 DECIMAL(15,2), 2 CHAR(1), 3 DATE, 2 short
# VARCHAR, a 40-80 character comment) and a 3-column id,name,age CSV, then
# for each: times `sl-load` into a fresh DUPLICATE KEY table with hyperfine
# (--prepare recreates the data directory, so every run commits and fsyncs
# a whole load), prints MB/s (10^6 bytes) and rows/s, and runs the explicit
# five-stage pipeline once with every stage wrapped to record its peak RSS.
#
# Environment: ROWS (wide rows, 6000000), NROWS (narrow rows, 10000000),
# RUNS (hyperfine runs, 3), BENCH_DIR (work directory, build/bench; needs
# ~3 GB for the full run), SL_BIN (binaries, bin/), CC.
# Targets (2 cores): >= 150 MB/s wide, >= 6M rows/s narrow, every stage's
# peak RSS <= 64 MiB. Not part of `make test`; `make bench` runs it.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${SL_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
ROWS=${ROWS:-6000000}
NROWS=${NROWS:-10000000}
RUNS=${RUNS:-3}
work=${BENCH_DIR:-$root/build/bench}
CC=${CC:-cc}

die() { echo "load.sh: fatal: $*" >&2; exit 111; }

for p in sl-load sl-sql sl-parse sl-map sl-filter sl-txn sl-commit; do
	[ -x "$bin/$p" ] || die "$bin/$p is missing: run make first"
done
command -v hyperfine > /dev/null || die "hyperfine is missing: make deps (or apt-get install hyperfine)"

mkdir -p "$work"
work=$(cd "$work" && pwd)
$CC -O2 -o "$work/gen" "$here/gen.c" || die "cannot build bench/gen.c"
$CC -O2 -o "$work/maxrss" "$here/maxrss.c" || die "cannot build bench/maxrss.c"

wide=$work/lineitem-$ROWS.tbl
narrow=$work/people-$NROWS.csv
if [ ! -s "$wide" ]; then
	echo "generating $wide"
	"$work/gen" wide "$ROWS" > "$wide.tmp" && mv "$wide.tmp" "$wide"
fi
if [ ! -s "$narrow" ]; then
	echo "generating $narrow"
	"$work/gen" narrow "$NROWS" > "$narrow.tmp" && mv "$narrow.tmp" "$narrow"
fi

data=$work/data
{ echo "CREATE DATABASE bench;"; cat "$here/lineitem.sql" "$here/people.sql"; } > "$work/schema.sql"
cat > "$work/reset.sh" <<EOF
#!/bin/sh
rm -rf '$data' && '$bin/sl-sql' --data-dir '$data' < '$work/schema.sql' > /dev/null
EOF
chmod +x "$work/reset.sh"

# bench NAME FILE ROWS TABLE SEP
bench() {
	name=$1 file=$2 rows=$3 table=$4 sep=$5
	bytes=$(wc -c < "$file")
	echo
	echo "== $name: $rows rows, $bytes bytes -> bench.$table"
	load="'$bin/sl-load' --data-dir '$data' -H 'column_separator:$sep' -T '$file' bench.$table"
	hyperfine --runs "$RUNS" --prepare "$work/reset.sh" \
		--export-csv "$work/$name.csv" "$load > /dev/null" >&2 ||
		die "hyperfine of $name failed (does sl-load succeed? try: $load)"
	# the last run's table holds exactly the file
	n=$("$bin/sl-sql" --data-dir "$data" -N -B -e "select count(*) from bench.$table")
	[ "$n" = "$rows" ] || die "$name: the table has $n rows after the load, not $rows"
	mean=$(awk -F, 'NR == 2 { print $(NF - 6) }' "$work/$name.csv")
	min=$(awk -F, 'NR == 2 { print $(NF - 1) }' "$work/$name.csv")

	# one explicit pipeline, each stage under maxrss
	"$work/reset.sh"
	rss=$work/$name.rss
	: > "$rss"
	m="$work/maxrss $rss"
	$m "$bin/sl-parse" --data-dir "$data" -H "column_separator:$sep" < "$file" \
		| $m "$bin/sl-map" --data-dir "$data" "bench.$table" \
		| $m "$bin/sl-filter" --data-dir "$data" \
		| $m "$bin/sl-txn" --data-dir "$data" "bench.$table" \
		| $m "$bin/sl-commit" --data-dir "$data" > "$work/$name.answer.json" ||
		die "$name: the explicit pipeline failed: $(cat "$work/$name.answer.json")"
	grep -q '"Status": "Success"' "$work/$name.answer.json" ||
		die "$name: the explicit pipeline did not succeed: $(cat "$work/$name.answer.json")"

	awk -v b="$bytes" -v r="$rows" -v m="$mean" -v mn="$min" -v name="$name" 'BEGIN {
		printf "%s: mean %.3f s (min %.3f s)  %.1f MB/s  %.2f M rows/s\n", name, m, mn, b / m / 1e6, r / m / 1e6
	}' | tee -a "$work/summary.txt"
	awk -v name="$name" '{ printf "%s:   %-10s peak RSS %6.1f MiB  wall %6.2f s\n", name, $1, $2 / 1024, $3 / 1000
		if ($2 > 65536) over = over " " $1 }
		END { if (over != "") printf "%s:   over 64 MiB:%s\n", name, over }' "$rss" | tee -a "$work/summary.txt"
}

: > "$work/summary.txt"
bench wide "$wide" "$ROWS" lineitem '|'
bench narrow "$narrow" "$NROWS" people ','
echo
echo "== summary ($(nproc) cores; targets: wide >= 150 MB/s, narrow >= 6 M rows/s, stage RSS <= 64 MiB)"
cat "$work/summary.txt"
