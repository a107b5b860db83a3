#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# jobs.sh -- continuous load against the one-shot loads of the same bytes
# (issue 12, acceptance 9):
#   1. a backlog of FILES CSV files of SIZE bytes each in a local directory,
#      drained by a job of sl-jobd (s3.max_batch_files = BATCH), against
#      one sl-load of the same bytes into the same table: the ratio of their
#      rates (target >= 0.8);
#   2. the pick-up latency of a new file while the job is idle (inotify):
#      LAT files written one at a time, each timed until its row is
#      visible; p50 and p90 (target p50 < 200 ms);
#   3. the same backlog (the same bytes under the same names) in s3rver
#      (tests/s3_helper.bash: started here, the objects written straight
#      into its store), drained by a job against one curl process alone
#      downloading every object (keep-alive, SigV4) in the same run (target
#      >= 0.8). Skipped with a line saying so when node or s3rver is
#      missing (`make node-deps`) or S3=0.
#
#   bench/jobs.sh                                1,000 x 1 MB files, 30 latencies
#   FILES=50 SIZE=100000 LAT=10 bench/jobs.sh    a quick run
#
# Environment: FILES (1000), SIZE (1000000), BATCH (256), LAT (30), S3 (1), S3_RUNS (3),
# BENCH_DIR (a temporary directory, kept when given), BIN (bin/). Prints the
# figures with their targets; exits 1 when a table does not hold every row.
set -eu

FILES=${FILES:-1000}
SIZE=${SIZE:-1000000}
BATCH=${BATCH:-256}
LAT=${LAT:-30}
S3_RUNS=${S3_RUNS:-3}
BIN=$(cd "${BIN:-$(dirname "$0")/../bin}" && pwd)
PATH=$BIN:$PATH
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${BENCH_DIR:-$(mktemp -d /tmp/bench-jobs.XXXXXX)}
mkdir -p "$DIR"
cd "$DIR"

# ratio A_MS B_MS: B's rate over A's (the same bytes), two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b ? b : 1) }'; }
mbs() { echo $(($1 / 1000 / ($2 + 1))); }

now_ms() { date +%s%3N; }
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

fresh() {
	rm -rf "${DIR:?}/$1" && mkdir -p "$DIR/$1"
	SL_DATA_DIR=$DIR/$1 sl-sql -e "CREATE DATABASE db1; CREATE TABLE db1.t (k BIGINT, v VARCHAR(100))
		DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
}

# drained DATA JOB: the job's CurrentOffset names the backlog's last file
# (its offset commits with its rows); polled instead of count(*), which
# over millions of rows would take the job's CPU while it is timed
drained() {
	SL_DATA_DIR=$DIR/$1 sl-sql -BN -e "select CurrentOffset from job(type=insert) where Name = '$2'" |
		grep -q "$(tail -1 "$DIR/names")\""
}
count() { SL_DATA_DIR=$DIR/$1 sl-sql -BN -e "select count(*) from db1.${2:-t}"; }

# the files: one of rows "k,<pad>" of ~100 bytes, copied under FILES names
# (the S3 part puts the same bytes under the same names)
if [ ! -f "$DIR/in/.done-$FILES-$SIZE" ]; then
	rm -rf "$DIR/in" && mkdir -p "$DIR/in"
	awk -v rows="$((SIZE / 100))" 'BEGIN {
		pad = sprintf("%093d", 0)
		for (r = 0; r < rows; r++)
			printf "%d,%s\n", 1000000 + r, pad
	}' > "$DIR/one.csv"
	seq -f 'f%06g.csv' 1 "$FILES" > "$DIR/names"
	while read -r n; do cp "$DIR/one.csv" "$DIR/in/$n"; done < "$DIR/names"
	touch "$DIR/in/.done-$FILES-$SIZE"
fi
total=$(cat "$DIR"/in/*.csv | wc -l)
bytes=$(cat "$DIR"/in/*.csv | wc -c)
echo "backlog: $FILES files, $bytes bytes, $total rows; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# 1a. sl-load of the same bytes (one load: the fastest way they go in)
fresh load
t0=$(now_ms)
cat "$DIR"/in/*.csv | SL_DATA_DIR=$DIR/load sl-load -H column_separator:, -T - db1.t > /dev/null
t1=$(now_ms)
[ "$(count load)" = "$total" ] || { echo "sl-load: rows missing" >&2; exit 1; }
load_ms=$((t1 - t0))

# 1b. the job draining the backlog
fresh job
SL_DATA_DIR=$DIR/job sl-sql -e "CREATE JOB j ON STREAMING PROPERTIES('s3.max_batch_files'='$BATCH')
	DO INSERT INTO db1.t SELECT * FROM S3('uri'='file://$DIR/in/*.csv', 'format'='csv', 'column_separator'=',')"
t0=$(now_ms)
SL_DATA_DIR=$DIR/job sl-jobd 2> "$DIR/jobd.err" &
jobd=$!
until drained job j; do sleep 0.1; done
t1=$(now_ms)
job_ms=$((t1 - t0))
[ "$(count job)" = "$total" ] || { echo "job: rows missing" >&2; exit 1; }
echo "local backlog: sl-load $load_ms ms ($(mbs "$bytes" "$load_ms") MB/s), job $job_ms ms ($(mbs "$bytes" "$job_ms") MB/s), job/sl-load rate $(ratio "$load_ms" "$job_ms") (target >= 0.80)"

# 2. pick-up latency of a new file (the job idle, watching the directory)
rm -rf "$DIR/lat" && mkdir -p "$DIR/lat"
SL_DATA_DIR=$DIR/job sl-sql -e "DROP JOB WHERE jobname = 'j'"
# into a table of its own: counting the backlog's rows each time would
# time the count, not the pick-up
SL_DATA_DIR=$DIR/job sl-sql -e "CREATE TABLE db1.lat (k BIGINT, v VARCHAR(100))
	DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
SL_DATA_DIR=$DIR/job sl-sql -e "CREATE JOB l ON STREAMING PROPERTIES('max_interval'='60')
	DO INSERT INTO db1.lat SELECT * FROM S3('uri'='file://$DIR/lat/*.csv', 'format'='csv', 'column_separator'=',')"
sleep 1
have=$(count job lat)
: > "$DIR/lat.ms"
i=1
while [ $i -le "$LAT" ]; do
	printf '%d,x\n' $((2000000000 + i)) > "$DIR/lat.tmp"
	t0=$(now_ms)
	mv "$DIR/lat.tmp" "$DIR/lat/$(printf 'l%06d.csv' $i)"
	have=$((have + 1))
	while [ "$(count job lat)" != "$have" ]; do sleep 0.005; done
	echo $(($(now_ms) - t0)) >> "$DIR/lat.ms"
	i=$((i + 1))
done
sort -n "$DIR/lat.ms" | awk '{ v[NR] = $1 } END { printf "pick-up latency (local dir): p50 %d ms (target < 200 ms), p90 %d ms over %d files\n", v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], NR }'
kill $jobd
wait $jobd || true

# 3. S3: the same backlog from s3rver, the job against curl alone
SL_ROOT=$ROOT
export SL_ROOT
# shellcheck source=../tests/s3_helper.bash
. "$ROOT/tests/s3_helper.bash"
if [ "${S3:-1}" = 0 ] || ! s3_available; then
	echo "s3 backlog: skipped (S3=0, or node / s3rver missing: make node-deps)"
else
	s3_start "$DIR/s3srv"
	trap 's3_stop' EXIT
	s3_mkbucket bench
	# the same bytes under the same names, straight into s3rver's store
	sed 's|^|bench/|' "$DIR/names" | s3_seed_many bench "$DIR/one.csv"
	sed "s|^\(.*\)|url = \"$S3_DIRECT/bench/bench/\1\"\noutput = \"/dev/null\"|" "$DIR/names" > "$DIR/curl.cfg"
	CURL="curl -sS --fail --aws-sigv4 aws:amz:$S3_REGION:s3 --user $S3_AK:$S3_SK -H x-amz-content-sha256:UNSIGNED-PAYLOAD"
	$CURL -K "$DIR/curl.cfg"        # once first: s3rver computes each object's md5 on its first read
	# S3_RUNS pairs, curl then the job: s3rver's speed wanders from run to
	# run, so each figure is the median of its runs
	: > "$DIR/curl.ms"
	: > "$DIR/s3.ms"
	for ((run = 1; run <= S3_RUNS; run++)); do
		t0=$(now_ms)
		$CURL -K "$DIR/curl.cfg"
		echo $(($(now_ms) - t0)) >> "$DIR/curl.ms"
		fresh s3
		SL_DATA_DIR=$DIR/s3 sl-sql -e "CREATE JOB s ON STREAMING PROPERTIES('s3.max_batch_files'='$BATCH')
			DO INSERT INTO db1.t SELECT * FROM S3('uri'='s3://bench/bench/*.csv', 's3.endpoint'='$S3_DIRECT',
			's3.region'='$S3_REGION', 's3.access_key'='$S3_AK', 's3.secret_key'='$S3_SK',
			'use_path_style'='true', 'format'='csv', 'column_separator'=',')"
		t0=$(now_ms)
		SL_DATA_DIR=$DIR/s3 sl-jobd 2> "$DIR/jobd-s3.err" &
		jobd=$!
		until drained s3 s; do sleep 0.1; done
		echo $(($(now_ms) - t0)) >> "$DIR/s3.ms"
		kill $jobd
		wait $jobd || true
		[ "$(count s3)" = "$total" ] || { echo "s3 job: rows missing" >&2; exit 1; }
	done
	curl_ms=$(median "$DIR/curl.ms")
	s3_ms=$(median "$DIR/s3.ms")
	echo "s3 runs (ms): curl $(tr '\n' ' ' < "$DIR/curl.ms")| job $(tr '\n' ' ' < "$DIR/s3.ms")"
	echo "s3 backlog: curl alone $curl_ms ms ($(mbs "$bytes" "$curl_ms") MB/s), job $s3_ms ms ($(mbs "$bytes" "$s3_ms") MB/s), job/curl rate $(ratio "$curl_ms" "$s3_ms") (target >= 0.80)"
	s3_stop
	trap - EXIT
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
