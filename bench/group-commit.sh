#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# group-commit.sh -- group_commit against single loads (issue 15,
# acceptance 5).
#
#   bench/group-commit.sh                       the full run
#   DURATION=5 CLIENTS=8 bench/group-commit.sh  a quick run
#
# For each of off_mode, sync_mode and async_mode in turn, CLIENTS (32)
# concurrent clients send 10-row loads (`curl -T FILE`, a new connection
# each) through one sl-httpd for DURATION (30) seconds, each into its own
# table of one data directory. Per mode: the successful loads per second,
# and p50 / p99 of curl's %{time_total}. Targets: sync_mode >= 3x and
# async_mode >= 5x off_mode's loads/s. Then: the async rows all visible
# after the interval, and the async table's rowset file count (bounded:
# one file per group commit, compacted past sl.conf's
# compaction_segment_threshold) against the number of async loads.
#
# The server listens on 127.0.0.1:0 over its own data directory and is
# stopped at the end. Prints the figures; exits non-zero only when a step
# fails (a failed load, rows missing); a miss of a target is reported.
#
# Environment: DURATION, CLIENTS, BENCH_DIR (work directory,
# build/bench), SL_BIN (binaries, bin/). Not part of `make test`.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${SL_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
DURATION=${DURATION:-30}
CLIENTS=${CLIENTS:-32}
work=${BENCH_DIR:-$root/build/bench}/group-commit

die() { echo "group-commit.sh: fatal: $*" >&2; exit 111; }

for p in sl-httpd sl-sql sl-parse sl-map sl-txn sl-commit; do
	[ -x "$bin/$p" ] || die "$bin/$p is missing: run make first"
done
command -v curl > /dev/null || die "curl is missing: make deps (or apt-get install curl)"
PATH=$bin:$PATH

rm -rf "$work"
mkdir -p "$work/data"
export SL_DATA_DIR=$work/data
seq 1 10 | awk '{ print $1 ",name" $1 "," $1 * 3 }' > "$work/rows.csv"
sl-sql -e "CREATE DATABASE bench"
for m in off sync async; do
	sl-sql -e "CREATE TABLE bench.g_$m (id INT, name VARCHAR(20), age INT)
		DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
done

sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 > "$work/port" 2> "$work/server.err" &
server=$!
trap 'kill $server 2> /dev/null || true' EXIT
for i in $(seq 100); do
	[ -s "$work/port" ] && break
	sleep 0.05
done
port=$(sed 's/.*://' "$work/port")
[ -n "$port" ] || die "sl-httpd did not start: $(cat "$work/server.err")"

# client MODE N END: loads until END (epoch seconds); one latency (s) a
# line for each successful load, "FAIL" for a failed one
client() {
	while [ "$(date +%s)" -lt "$3" ]; do
		curl -sS -u root: -H column_separator:, -H "group_commit:$1_mode" -T "$work/rows.csv" \
			-w '\nTIME %{time_total}\n' "http://127.0.0.1:$port/api/bench/g_$1/_stream_load" || true
	done | awk '/"Status": "Success"/ { ok = 1 } /^TIME / { print ok ? $2 : "FAIL"; ok = 0 }' > "$work/lat.$1.$2"
}

# run MODE: CLIENTS clients for DURATION seconds; prints the mode's line
run() {
	local m=$1 end c n fails
	end=$(($(date +%s) + DURATION))
	for ((c = 0; c < CLIENTS; c++)); do
		client "$m" "$c" "$end" &
		pids[c]=$!
	done
	wait "${pids[@]}"
	cat "$work"/lat."$m".* > "$work/lat.$m"
	fails=$(grep -c FAIL "$work/lat.$m" || true)
	[ "$fails" = 0 ] || die "${m}_mode: $fails loads failed"
	n=$(wc -l < "$work/lat.$m")
	sort -g "$work/lat.$m" | awk -v m="$m" -v n="$n" -v d="$DURATION" '
		{ v[NR] = $1 }
		END {
			p50 = v[int((n - 1) * 0.50) + 1] * 1000; p99 = v[int((n - 1) * 0.99) + 1] * 1000
			printf "%-11s loads %7d  loads/s %8.1f  p50 %7.1f ms  p99 %7.1f ms\n", m "_mode", n, n / d, p50, p99
		}' | tee "$work/result.$m"
	echo "$n" > "$work/n.$m"
}

echo "group commit: $CLIENTS clients, 10-row loads, ${DURATION}s per mode, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for m in off sync async; do
	run "$m"
done

off=$(cat "$work/n.off") sync=$(cat "$work/n.sync") async=$(cat "$work/n.async")
awk -v o="$off" -v s="$sync" -v a="$async" 'BEGIN {
	printf "sync_mode  %.2fx off_mode (target 3x)%s\n", s / o, (s >= 3 * o ? "" : "  MISSED")
	printf "async_mode %.2fx off_mode (target 5x)%s\n", a / o, (a >= 5 * o ? "" : "  MISSED")
}'

# the async rows become visible within the interval (10 s by default)
want=$((async * 10))
for i in $(seq 300); do
	got=$(sl-sql -N -B -e "select count(*) from bench.g_async")
	[ "$got" = "$want" ] && break
	sleep 0.1
done
[ "$got" = "$want" ] || die "async_mode: $got rows visible, $want acknowledged"
[ "$(sl-sql -N -B -e "select count(*) from bench.g_sync")" = $((sync * 10)) ] || die "sync_mode: rows missing"
echo "async_mode: all $want rows visible; the table has $(ls "$SL_DATA_DIR/bench/g_async/data" | grep -c '\.rs$') rowset files after $async loads (off_mode: $(ls "$SL_DATA_DIR/bench/g_off/data" | grep -c '\.rs$') after $off)"
