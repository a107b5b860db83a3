#!/bin/sh
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
#   3. with S3_ENDPOINT set (an s3rver or any S3 with the files under
#      s3://$S3_BUCKET/bench/), the same backlog drained from S3 against
#      curl alone downloading every object (target >= 0.8).
#
#   bench/jobs.sh                           1,000 x 1 MB files
#   FILES=50 SIZE=100000 LAT=10 bench/jobs.sh   a quick run
#
# Environment: FILES (1000), SIZE (1000000), BATCH (256), LAT (30),
# BENCH_DIR (a temporary directory), BIN (bin/), S3_ENDPOINT, S3_BUCKET,
# S3_AK, S3_SK, S3_REGION (us-east-1). Prints the figures; exits 1 when a
# table does not hold every row.
set -eu

FILES=${FILES:-1000}
SIZE=${SIZE:-1000000}
BATCH=${BATCH:-256}
LAT=${LAT:-30}
BIN=$(cd "${BIN:-$(dirname "$0")/../bin}" && pwd)
PATH=$BIN:$PATH
DIR=${BENCH_DIR:-$(mktemp -d /tmp/bench-jobs.XXXXXX)}
mkdir -p "$DIR"
cd "$DIR"

now_ms() { date +%s%3N; }

fresh() {
	rm -rf "$DIR/$1" && mkdir -p "$DIR/$1"
	SL_DATA_DIR=$DIR/$1 sl-sql -e "CREATE DATABASE db1; CREATE TABLE db1.t (k BIGINT, v VARCHAR(100))
		DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
}

count() { SL_DATA_DIR=$DIR/$1 sl-sql -BN -e "select count(*) from db1.t"; }

# the files: rows "k,<pad>" of ~100 bytes, keys unique across files
if [ ! -f "$DIR/in/.done-$FILES-$SIZE" ]; then
	rm -rf "$DIR/in" && mkdir -p "$DIR/in"
	rows=$((SIZE / 100))
	awk -v files="$FILES" -v rows="$rows" -v dir="$DIR/in" 'BEGIN {
		pad = sprintf("%093d", 0)
		for (f = 1; f <= files; f++) {
			name = sprintf("%s/f%06d.csv", dir, f)
			for (r = 0; r < rows; r++)
				printf "%d,%s\n", f * 1000000 + r, pad > name
			close(name)
		}
	}'
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
while [ "$(count job)" != "$total" ]; do sleep 0.05; done
t1=$(now_ms)
job_ms=$((t1 - t0))
echo "local backlog: sl-load $load_ms ms ($((bytes / 1000 / (load_ms + 1))) MB/s), job $job_ms ms ($((bytes / 1000 / (job_ms + 1))) MB/s), job/sl-load rate $(awk -v a="$load_ms" -v b="$job_ms" 'BEGIN { printf "%.2f", a / b }')"

# 2. pick-up latency of a new file (the job idle, watching the directory)
rm -rf "$DIR/lat" && mkdir -p "$DIR/lat"
SL_DATA_DIR=$DIR/job sl-sql -e "DROP JOB WHERE jobname = 'j'"
SL_DATA_DIR=$DIR/job sl-sql -e "CREATE JOB l ON STREAMING PROPERTIES('max_interval'='60')
	DO INSERT INTO db1.t SELECT * FROM S3('uri'='file://$DIR/lat/*.csv', 'format'='csv', 'column_separator'=',')"
sleep 1
have=$(count job)
: > "$DIR/lat.ms"
i=1
while [ $i -le "$LAT" ]; do
	printf '%d,x\n' $((2000000000 + i)) > "$DIR/lat.tmp"
	t0=$(now_ms)
	mv "$DIR/lat.tmp" "$DIR/lat/$(printf 'l%06d.csv' $i)"
	have=$((have + 1))
	while [ "$(count job)" != "$have" ]; do sleep 0.005; done
	echo $(($(now_ms) - t0)) >> "$DIR/lat.ms"
	i=$((i + 1))
done
sort -n "$DIR/lat.ms" | awk '{ v[NR] = $1 } END { printf "pick-up latency (local dir): p50 %d ms, p90 %d ms over %d files\n", v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], NR }'
kill $jobd
wait $jobd || true

# 3. S3: the job against curl alone
if [ -n "${S3_ENDPOINT:-}" ]; then
	B=${S3_BUCKET:-testbkt}
	AUTH="--aws-sigv4 aws:amz:${S3_REGION:-us-east-1}:s3 --user ${S3_AK:-S3RVER}:${S3_SK:-S3RVER}"
	t0=$(now_ms)
	for f in "$DIR"/in/*.csv; do
		# shellcheck disable=SC2086
		curl -sSf $AUTH -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -o /dev/null "$S3_ENDPOINT/$B/bench/${f##*/}"
	done
	curl_ms=$(($(now_ms) - t0))
	fresh s3
	SL_DATA_DIR=$DIR/s3 sl-sql -e "CREATE JOB s ON STREAMING PROPERTIES('s3.max_batch_files'='$BATCH')
		DO INSERT INTO db1.t SELECT * FROM S3('uri'='s3://$B/bench/*.csv', 's3.endpoint'='$S3_ENDPOINT',
		's3.region'='${S3_REGION:-us-east-1}', 's3.access_key'='${S3_AK:-S3RVER}', 's3.secret_key'='${S3_SK:-S3RVER}',
		'use_path_style'='true', 'format'='csv', 'column_separator'=',')"
	t0=$(now_ms)
	SL_DATA_DIR=$DIR/s3 sl-jobd 2> "$DIR/jobd-s3.err" &
	jobd=$!
	while [ "$(count s3)" != "$total" ]; do sleep 0.05; done
	s3_ms=$(($(now_ms) - t0))
	kill $jobd
	wait $jobd || true
	echo "s3 backlog: curl $curl_ms ms, job $s3_ms ms, job/curl rate $(awk -v a="$curl_ms" -v b="$s3_ms" 'BEGIN { printf "%.2f", a / b }')"
fi
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
