#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# formats.sh -- JSON and compressed-CSV throughput and per-stage memory
# (issue 4, acceptance 2 and 8). Not part of `make test`.
#
#   bench/formats.sh                     the full run (~1 GB of each input)
#   JSON_BYTES=100000000 ARRAY_BYTES=100000000 ROWS=600000 RUNS=1 bench/formats.sh
#                                        a quick run
#
# Generates (once, cached by size in BENCH_DIR) the lineitem-like rows of
# bench/load.sh (bench/gen.c) as
#   - NDJSON, one object per line, keyed by the column names (bench/gen.c ndjson|array)
#   - one top-level JSON array on a single line (for strip_outer_array)
#   - the '|'-separated wide file, gzip'd
# then
#   1. times `sl-load -H format:json` of the NDJSON file and
#      `sl-load -H compress_type:gz -H column_separator:|` of the .gz file
#      into a fresh DUPLICATE KEY table with hyperfine (--prepare recreates
#      the data directory) and prints MB/s of UNCOMPRESSED data (10^6 bytes);
#   2. runs the explicit five-stage pipeline once for the JSON array (with
#      strip_outer_array) and once for the NDJSON body, every stage wrapped
#      by bench/maxrss.c, and prints each stage's peak RSS.
# Every measurement checks the loaded row count. A part that fails (e.g. a
# format not supported by this build) is reported as "not measured" with
# the reason and the others still run; the exit status is then 1.
#
# Environment: JSON_BYTES (NDJSON size, 1000000000), ARRAY_BYTES (JSON array
# size, 1000000000), ROWS (wide CSV rows before gzip, 6000000 = ~1 GB),
# RUNS (hyperfine runs, 3), BENCH_DIR (work directory, build/bench; needs
# ~4 GB for the full run), SL_BIN (binaries, bin/), CC, GZIP_LEVEL (1).
# Targets (2 cores): NDJSON >= 100 MB/s, gz CSV >= 100 MB/s uncompressed,
# every stage's peak RSS < 64 MiB.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${SL_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
JSON_BYTES=${JSON_BYTES:-1000000000}
ARRAY_BYTES=${ARRAY_BYTES:-1000000000}
ROWS=${ROWS:-6000000}
RUNS=${RUNS:-3}
GZIP_LEVEL=${GZIP_LEVEL:-1}
work=${BENCH_DIR:-$root/build/bench}
CC=${CC:-cc}

die() { echo "formats.sh: fatal: $*" >&2; exit 111; }

for p in sl-load sl-sql sl-parse sl-map sl-filter sl-txn sl-commit; do
	[ -x "$bin/$p" ] || die "$bin/$p is missing: run make first"
done
command -v hyperfine > /dev/null || die "hyperfine is missing: make deps (or apt-get install hyperfine)"
command -v gzip > /dev/null || die "gzip is missing"

mkdir -p "$work" || die "cannot create $work"
work=$(cd "$work" && pwd)
$CC -O2 -o "$work/gen" "$here/gen.c" || die "cannot build bench/gen.c"
$CC -O2 -o "$work/maxrss" "$here/maxrss.c" || die "cannot build bench/maxrss.c"

# gen_json MODE BYTES FILE: generate once; the row count goes to FILE.rows
gen_json() {
	if [ ! -s "$3" ] || [ ! -s "$3.rows" ]; then
		echo "generating $3"
		"$work/gen" "$1" "$2" > "$3.tmp" 2> "$3.rows.tmp" || die "gen $1 $2 failed"
		sed -n 's/^rows //p' "$3.rows.tmp" > "$3.rows" && rm -f "$3.rows.tmp"
		mv "$3.tmp" "$3"
	fi
}
ndjson=$work/lineitem-$JSON_BYTES.ndjson
array=$work/lineitem-$ARRAY_BYTES.array.json
wide=$work/lineitem-$ROWS.tbl
widegz=$work/lineitem-$ROWS.tbl.gz
gen_json ndjson "$JSON_BYTES" "$ndjson"
gen_json array "$ARRAY_BYTES" "$array"
if [ ! -s "$widegz" ] || [ ! -s "$widegz.bytes" ]; then
	echo "generating $widegz"
	if [ -s "$wide" ]; then
		# bench/load.sh's cached file (same generator, same rows)
		gzip -"$GZIP_LEVEL" -c "$wide" > "$widegz.tmp" || die "gzip failed"
		wc -c < "$wide" > "$widegz.bytes"
	else
		"$work/gen" wide "$ROWS" | tee "$widegz.raw" | gzip -"$GZIP_LEVEL" -c > "$widegz.tmp" ||
			die "gen | gzip failed"
		wc -c < "$widegz.raw" > "$widegz.bytes"
		rm -f "$widegz.raw"
	fi
	mv "$widegz.tmp" "$widegz"
fi

data=$work/data-formats
{ echo "CREATE DATABASE bench;"; cat "$here/lineitem.sql"; } > "$work/formats-schema.sql"
# A whole-document JSON body of 1 GB is over streaming_load_json_max_mb's
# default (100 MB, as in Doris): the data directory raises it, as a Doris
# user loading such a body would (by-line bodies are not concerned).
cat > "$work/formats-reset.sh" <<EOF
#!/bin/sh
rm -rf '$data' && '$bin/sl-sql' --data-dir '$data' < '$work/formats-schema.sql' > /dev/null &&
echo 'streaming_load_json_max_mb = 4096' > '$data/sl.conf'
EOF
chmod +x "$work/formats-reset.sh"

summary=$work/formats-summary.txt
: > "$summary"
failed=0
fail() {
	echo "$1: not measured: $2" | tee -a "$summary" >&2
	failed=1
}

# count_ok NAME ROWS: the table holds exactly ROWS rows
count_ok() {
	n=$("$bin/sl-sql" --data-dir "$data" -N -B -e "select count(*) from bench.lineitem" 2>&1)
	[ "$n" = "$2" ] && return 0
	fail "$1" "the table has '$n' rows after the load, not $2"
	return 1
}

# speed NAME FILE UNCOMPRESSED_BYTES ROWS HEADER...: hyperfine of sl-load
speed() {
	name=$1 file=$2 bytes=$3 rows=$4
	shift 4
	hs=""
	for h; do hs="$hs -H '$h'"; done
	load="'$bin/sl-load' --data-dir '$data'$hs -T '$file' bench.lineitem"
	echo
	echo "== $name: $rows rows, $bytes bytes uncompressed ($(wc -c < "$file") on disk)"
	# one checked load first: a clear reason if this build cannot do it
	"$work/formats-reset.sh" || die "cannot create the schema"
	if ! sh -c "$load" > "$work/$name.answer.json" 2>&1 ||
	    ! grep -q '"Status": "Success"' "$work/$name.answer.json"; then
		fail "$name" "sl-load did not succeed: $(tr -s ' \n' '  ' < "$work/$name.answer.json" | cut -c1-300)"
		return
	fi
	count_ok "$name" "$rows" || return
	if ! hyperfine --runs "$RUNS" --prepare "$work/formats-reset.sh" \
		--export-csv "$work/$name.csv" "$load > /dev/null" >&2; then
		fail "$name" "hyperfine failed (try: $load)"
		return
	fi
	count_ok "$name" "$rows" || return
	mean=$(awk -F, 'NR == 2 { print $(NF - 6) }' "$work/$name.csv")
	min=$(awk -F, 'NR == 2 { print $(NF - 1) }' "$work/$name.csv")
	cpu=$(awk -F, 'NR == 2 { print $(NF - 3) + $(NF - 2) }' "$work/$name.csv")
	load=$(cut -d' ' -f1 /proc/loadavg 2> /dev/null || echo '?')
	awk -v b="$bytes" -v r="$rows" -v m="$mean" -v mn="$min" -v name="$name" 'BEGIN {
		printf "%s: mean %.3f s (min %.3f s)  %.1f MB/s uncompressed  %.2f M rows/s%s\n",
		    name, m, mn, b / m / 1e6, r / m / 1e6, b / m / 1e6 < 100 ? "  (under 100 MB/s)" : ""
	}' | tee -a "$summary"
	# the machine is shared: CPU time (all stages and threads) and the load
	# average tell a slow run on a busy machine from a slow program
	awk -v c="$cpu" -v m="$mean" -v l="$load" -v name="$name" 'BEGIN {
		printf "%s:   CPU %.3f s a run (user+sys, %.2f cores busy); load average %s\n", name, c, c / m, l
	}' | tee -a "$summary"
}

# memory NAME FILE ROWS HEADER...: the explicit pipeline, each stage under maxrss
memory() {
	name=$1 file=$2 rows=$3
	shift 3
	# HEADER... -> --data-dir D -H HEADER...
	n=$#
	while [ "$n" -gt 0 ]; do
		set -- "$@" -H "$1"
		shift
		n=$((n - 1))
	done
	set -- --data-dir "$data" "$@"
	echo
	echo "== $name: per-stage peak RSS, $rows rows, $(wc -c < "$file") bytes"
	"$work/formats-reset.sh" || die "cannot create the schema"
	rss=$work/$name.rss
	: > "$rss"
	m="$work/maxrss $rss"
	# sl-parse gets the table: without `columns` the JSON keys are its columns
	$m "$bin/sl-parse" "$@" bench.lineitem < "$file" \
		| $m "$bin/sl-map" "$@" bench.lineitem \
		| $m "$bin/sl-filter" "$@" \
		| $m "$bin/sl-txn" "$@" bench.lineitem \
		| $m "$bin/sl-commit" "$@" > "$work/$name.answer.json" 2> "$work/$name.stderr"
	if ! grep -q '"Status": "Success"' "$work/$name.answer.json"; then
		fail "$name" "the explicit pipeline did not succeed: $(cat "$work/$name.answer.json" "$work/$name.stderr" | tr -s ' \n' '  ' | cut -c1-300)"
		return
	fi
	count_ok "$name" "$rows" || return
	awk -v name="$name" '{ printf "%s:   %-10s peak RSS %6.1f MiB  wall %6.2f s\n", name, $1, $2 / 1024, $3 / 1000
		if ($2 >= 65536) over = over " " $1 }
		END { if (over != "") printf "%s:   64 MiB or more:%s\n", name, over }' "$rss" | tee -a "$summary"
}

ndrows=$(cat "$ndjson.rows")
arows=$(cat "$array.rows")
speed json-ndjson "$ndjson" "$(wc -c < "$ndjson")" "$ndrows" 'format:json'
speed csv-gz "$widegz" "$(cat "$widegz.bytes")" "$ROWS" 'compress_type:gz' 'column_separator:|'
memory json-array-rss "$array" "$arows" 'format:json' 'strip_outer_array:true'
memory json-ndjson-rss "$ndjson" "$ndrows" 'format:json'

echo
echo "== summary ($(nproc) cores; targets: NDJSON and gz CSV >= 100 MB/s uncompressed, stage RSS < 64 MiB)"
cat "$summary"
exit $failed
