#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# s3.sh -- GET throughput of the S3 source (libcommon/objsrc.c over
# libcurl) against plain curl, both reading the same objects from s3rver
# (issue 12, acceptance 9: a job's drain is held to >= 80% of curl's rate).
#
#   bench/s3.sh                      1,000 objects of 1 MB, 3 runs
#   N=100 SIZE=65536 RUNS=1 bench/s3.sh   a quick run
#
# Starts s3rver (tests/s3_helper.bash: `make node-deps` first) and puts N
# objects of SIZE random bytes under bench/ straight into its store
# (s3_seed_many), then one hyperfine run of
#   - objsrc: `test-objsrc fetch`: the keys listed in batches of 256 (Doris's
#     s3.max_batch_files), each object streamed to /dev/null, one process,
#     one connection kept alive, every request SigV4-signed;
#   - curl: one curl process GETting the N URLs in order (a -K config: one
#     connection kept alive), signed by --aws-sigv4, to /dev/null.
# Both talk to s3rver directly (not to the signature-checking front: node
# checking signatures would be measured too). Prints MB/s of each and the
# ratio objsrc/curl. The fixture functions are tests/s3_helper.bash's
# (s3_start, s3_mkbucket, s3_seed_many, s3_stop): a bench of the job's drain
# (bench for sl-jobd) can set up the same objects with them.
#
# Environment: N (1000), SIZE (1048576), RUNS (3), BENCH_DIR (a temporary
# directory, removed at the end).
set -eu
cd "$(dirname "$0")/.."
N=${N:-1000}
SIZE=${SIZE:-1048576}
RUNS=${RUNS:-3}
T=build/rel/tests/unit/test-objsrc
[ -x "$T" ] || make -j2 "$T" > /dev/null
command -v hyperfine > /dev/null || { echo "bench/s3.sh: hyperfine missing (make deps)" >&2; exit 1; }
dir=${BENCH_DIR:-$(mktemp -d /tmp/sl-bench-s3.XXXXXX)}
mkdir -p "$dir"

SL_ROOT=$(pwd)
export SL_ROOT
# shellcheck source=../tests/s3_helper.bash
. tests/s3_helper.bash
s3_available || { echo "bench/s3.sh: node, s3rver or aws4 missing (make node-deps)" >&2; exit 1; }
s3_start "$dir/s3"
trap 'set +e; s3_stop; rm -rf "$dir"' EXIT INT TERM
s3_mkbucket bench
head -c "$SIZE" /dev/urandom > "$dir/obj"
seq -f 'bench/obj%06g.bin' 1 "$N" | s3_seed_many bench "$dir/obj"
seq -f 'bench/obj%06g.bin' 1 "$N" | while read -r key; do
	printf 'url = "%s/bench/%s"\noutput = "/dev/null"\n' "$S3_DIRECT" "$key"
done > "$dir/curl.cfg"

props="uri=s3://bench/bench/*.bin s3.endpoint=$S3_DIRECT s3.region=$S3_REGION s3.access_key=$S3_AK s3.secret_key=$S3_SK use_path_style=true"
# one pass of each first: s3rver computes a missing md5 on first read
$T fetch s3 $props -- 256 > /dev/null 2> "$dir/fetch.err" || { cat "$dir/fetch.err" >&2; exit 1; }
grep -q "files=$N bytes=$((N * SIZE))" "$dir/fetch.err" || { cat "$dir/fetch.err" >&2; exit 1; }

hyperfine --runs "$RUNS" --warmup 1 --export-json "$dir/h.json" \
	-n objsrc "$T fetch s3 $props -- 256 > /dev/null 2>&1" \
	-n curl "curl -sS --fail --aws-sigv4 aws:amz:$S3_REGION:s3 --user $S3_AK:$S3_SK -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -K $dir/curl.cfg"

jq -r --argjson mb "$(awk "BEGIN { print $N * $SIZE / 1048576 }")" '
	(.results | map({(.command): .mean}) | add) as $t
	| "objsrc: \($mb / $t.objsrc | floor) MB/s, curl: \($mb / $t.curl | floor) MB/s, objsrc/curl: \(($t.curl / $t.objsrc * 100 | floor))%"' "$dir/h.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
