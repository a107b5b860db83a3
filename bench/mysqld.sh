#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# mysqld.sh -- sl-mysqld's figures (issue 14, acceptance 6). Not part of
# `make test`.
#
#   bench/mysqld.sh                  10,000,000 rows
#   ROWS=1000000 bench/mysqld.sh     a quick run
#
# 1. `select count(*)` round trip: hyperfine of `mysql -e` through
#    sl-mysqld against `sl-sql -e` on the same data directory (each is a
#    whole client process: connect, log in, query, print).
# 2. ROWS rows (BIGINT, VARCHAR) streamed by a SELECT to the mysql client
#    (batch mode, output to /dev/null): rows/s; the row count is checked.
# 3. The CPU time of that stream on each side: sl-mysqld (one --inetd
#    process under systemd-socket-activate) and the mysql client. On a
#    loaded machine the wall-clock rate of 2. says little; these say which
#    side bounds it.
#
# Environment: ROWS (10000000), RUNS (hyperfine runs, 20), BENCH_DIR
# (build/bench), PORT (19030), SL_BIN (bin).
set -eu
ROWS=${ROWS:-10000000}
RUNS=${RUNS:-20}
BENCH_DIR=${BENCH_DIR:-build/bench}
PORT=${PORT:-19030}
BIN=$(cd "${SL_BIN:-bin}" && pwd)
D="$BENCH_DIR/mysqld-data"
rm -rf "$D"
mkdir -p "$D"
export SL_DATA_DIR="$D"
"$BIN/sl-sql" -e "CREATE DATABASE b"
"$BIN/sl-sql" -e "CREATE TABLE b.t (id BIGINT, name VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 8"
awk -v n="$ROWS" 'BEGIN { for (i = 1; i <= n; i++) printf "%d\tname-%d\n", i, i }' |
	"$BIN/sl-load" -T - b.t > /dev/null
"$BIN/sl-mysqld" --listen "127.0.0.1:$PORT" &
pid=$!
trap 'kill $pid 2> /dev/null' EXIT INT TERM
sleep 1
echo "== select count(*) round trip: mysql through sl-mysqld vs sl-sql"
hyperfine -N -w 3 -r "$RUNS" \
	"mysql -h127.0.0.1 -P$PORT -uroot -N -e 'select count(*) from b.t'" \
	"$BIN/sl-sql -e 'select count(*) from b.t'"
echo "== $ROWS rows streamed to the mysql client"
start=$(date +%s.%N)
got=$(mysql -h127.0.0.1 -P"$PORT" -uroot -N --quick -e "select id, name from b.t" | wc -l)
end=$(date +%s.%N)
[ "$got" = "$ROWS" ] || { echo "got $got rows, not $ROWS" >&2; exit 1; }
awk -v r="$ROWS" -v s="$start" -v e="$end" 'BEGIN { printf "%d rows in %.2f s: %.0f rows/s\n", r, e - s, r / (e - s) }'
command -v systemd-socket-activate > /dev/null || { echo "(no systemd-socket-activate: no CPU figures)"; exit 0; }
echo "== CPU time of the stream: sl-mysqld and the mysql client"
systemd-socket-activate --accept --inetd -E SL_DATA_DIR -l "127.0.0.1:$((PORT + 1))" \
	/usr/bin/time -f "sl-mysqld: %U s user, %S s system" -o "$BENCH_DIR/mysqld.time" \
	"$BIN/sl-mysqld" --inetd 2> /dev/null &
act=$!
trap 'kill $pid $act 2> /dev/null' EXIT INT TERM
sleep 0.5
/usr/bin/time -f "mysql: %U s user, %S s system, %e s wall" \
	mysql -h127.0.0.1 -P"$((PORT + 1))" -uroot -N --quick -e "select id, name from b.t" > /dev/null
sleep 0.5
cat "$BENCH_DIR/mysqld.time"
