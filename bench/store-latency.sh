#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# store-latency.sh -- per-load latency of small loads as the store ages.
#
#   bench/store-latency.sh            N=1000 sequential 10-row loads
#   N=200 bench/store-latency.sh      a quick run
#
# Creates a fresh data directory with one DUPLICATE KEY table, then runs
# N sequential `sl-load` of a 10-row CSV into it, timing each run with
# date +%s%N, and prints p50, p90, p99 and max in milliseconds, overall and
# for the first and last tenth of the runs, or WINDOW runs (a store whose
# per-load cost grows with history shows it as last >> first).
#
# Environment: N (1000), WINDOW (the size of the first and last groups,
# N/10), SL_BIN (binaries, bin/), BENCH_DIR (work directory, build/bench).
# Target: p50 <= 5 ms, p99 <= 20 ms.
# Not part of `make test`.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${SL_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
N=${N:-1000}
work=${BENCH_DIR:-$root/build/bench}

die() { echo "store-latency.sh: fatal: $*" >&2; exit 111; }

for p in sl-load sl-sql sl-parse sl-map sl-filter sl-txn sl-commit; do
	[ -x "$bin/$p" ] || die "$bin/$p is missing: run make first"
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
data=$work/latency-data
rm -rf "$data"
times=$work/latency-times.txt
: > "$times"

"$bin/sl-sql" --data-dir "$data" -e 'CREATE DATABASE lat' > /dev/null
"$bin/sl-sql" --data-dir "$data" -e 'CREATE TABLE lat.t (id INT, name VARCHAR(32), age INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1' > /dev/null
csv=$work/latency-10.csv
i=1
: > "$csv"
while [ $i -le 10 ]; do
	echo "$i,name$i,$((i % 90))" >> "$csv"
	i=$((i + 1))
done

i=1
while [ $i -le "$N" ]; do
	t0=$(date +%s%N)
	"$bin/sl-load" --data-dir "$data" -H 'column_separator:,' -T "$csv" lat.t > "$work/latency-out.json" ||
		{ cat "$work/latency-out.json" >&2; die "load $i failed"; }
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 )) >> "$times"
	i=$((i + 1))
done
grep -q '"Status": *"Success"' "$work/latency-out.json" || die "last load did not succeed"

# $1: label, stdin: microseconds one per line
stats() {
	sort -n | awk -v what="$1" '{ v[NR] = $1 } END {
		if (NR == 0) exit
		p50 = v[int((NR - 1) * 0.50) + 1]; p90 = v[int((NR - 1) * 0.90) + 1]
		p99 = v[int((NR - 1) * 0.99) + 1]
		printf "%-12s n=%-5d p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n",
			what, NR, p50 / 1000, p90 / 1000, p99 / 1000, v[NR] / 1000 }'
}
tenth=${WINDOW:-$((N / 10))}
case $tenth in ''|*[!0-9]*) die "WINDOW must be a number" ;; esac
[ "$tenth" -ge 1 ] || tenth=1
[ "$tenth" -le "$N" ] || tenth=$N
stats all < "$times"
head -n "$tenth" "$times" | stats "first $tenth"
tail -n "$tenth" "$times" | stats "last $tenth"
for f in txnlog txnlog.ckpt _load_record; do
	[ -e "$data/lat/$f" ] && printf '%-12s %s bytes\n' "$f" "$(wc -c < "$data/lat/$f")"
done
exit 0
