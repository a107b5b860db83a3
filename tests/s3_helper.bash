# SPDX-License-Identifier: Apache-2.0
# tests/s3_helper.bash -- a local S3 for the tests: s3rver (npm s3rver@3.7.1
# under tests/node, `make node-deps`) behind tests/node/s3front.mjs, a front
# that checks every SigV4 signature with aws4 and can be told to fail.
# Both listen on 127.0.0.1 (free ports), keep their data in a temporary
# directory, and are stopped by PID. Load it after test_helper:
#
#   load s3_helper
#   setup_file()    { s3_start; s3_mkbucket bkt; }   # once per file
#   teardown_file() { s3_stop; }
#
# Functions:
#   s3_available         0 when node and s3rver are installed (else `skip`)
#   s3_start [DIR]       start s3rver and the front (DIR: their data, default
#                        a new directory under BATS_FILE_TMPDIR or /tmp); exports
#                        S3_ENDPOINT (the front, http://127.0.0.1:PORT),
#                        S3_DIRECT (s3rver itself), S3_AK, S3_SK (S3RVER),
#                        S3_REGION (us-east-1), S3_PID, S3_FRONT_PID, S3_DIR
#   s3_stop              stop both (by PID) and remove their data
#   s3_mkbucket NAME     create a bucket
#   s3_put BUCKET KEY FILE          upload FILE as KEY
#   s3_put_many BUCKET FILE < KEYS  upload FILE under every key read from
#                        stdin (one a line), 32 at a time in one curl
#   s3_seed_many BUCKET FILE < KEYS  the same in no time, written straight into
#                        s3rver's store (KEY._S3rver_object and its .md5;
#                        s3rver 3.7.1 takes a missing metadata file as none): thousands of
#                        keys for listing tests, under load where uploads take seconds
#   s3_front POST|GET WHAT [QUERY]  the front's control routes: fail (the next
#                        n requests answer status, 503 by default), cut (the
#                        next n GetObject bodies stop half way), stats (JSON)
# Uploads go to s3rver directly (S3_DIRECT), signed by curl's --aws-sigv4.

S3_NODE_DIR="${SL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/tests/node"

s3_available() {
	command -v node > /dev/null && command -v curl > /dev/null \
		&& [ -f "$S3_NODE_DIR/node_modules/s3rver/bin/s3rver.js" ] \
		&& [ -f "$S3_NODE_DIR/node_modules/aws4/aws4.js" ]
}

# _s3_wait_port LOG PATTERN: the port a server printed on its log (5 s bound)
_s3_wait_port() {
	local i port
	for i in $(seq 1 250); do
		port=$(sed -n "s/.*$2 \(127\.0\.0\.1:\)\{0,1\}\([0-9][0-9]*\)\$/\2/p" "$1" | head -1)
		if [ -n "$port" ]; then
			echo "$port"
			return 0
		fi
		sleep 0.02
	done
	echo "s3_helper: no port in $1:" >&2
	cat "$1" >&2
	return 1
}

s3_start() {
	local port fport
	S3_DIR=${1:-$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/s3.XXXXXX")}
	mkdir -p "$S3_DIR/data"
	node --openssl-legacy-provider "$S3_NODE_DIR/node_modules/s3rver/bin/s3rver.js" \
		-d "$S3_DIR/data" -a 127.0.0.1 -p 0 --silent > "$S3_DIR/s3rver.log" 2>&1 &
	S3_PID=$!
	port=$(_s3_wait_port "$S3_DIR/s3rver.log" "listening on") || return 1
	node "$S3_NODE_DIR/s3front.mjs" "$port" S3RVER S3RVER > "$S3_DIR/front.log" 2>&1 &
	S3_FRONT_PID=$!
	fport=$(_s3_wait_port "$S3_DIR/front.log" "s3front listening on") || return 1
	export S3_DIR S3_PID S3_FRONT_PID
	export S3_DIRECT="http://127.0.0.1:$port" S3_ENDPOINT="http://127.0.0.1:$fport"
	export S3_AK=S3RVER S3_SK=S3RVER S3_REGION=us-east-1
}

s3_stop() {
	local p
	for p in ${S3_FRONT_PID:-} ${S3_PID:-}; do
		kill "$p" 2> /dev/null || :
		wait "$p" 2> /dev/null || :
	done
	[ -n "${S3_DIR:-}" ] && rm -rf "$S3_DIR"
	return 0
}

_s3_curl() {
	curl -sS --fail-with-body --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_AK:$S3_SK" \
		-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

s3_mkbucket() {
	_s3_curl -X PUT "$S3_DIRECT/$1" > /dev/null
}

s3_put() {
	_s3_curl -T "$3" "$S3_DIRECT/$1/$2" > /dev/null
}

s3_put_many() {
	local bucket=$1 file=$2 key cfg
	cfg=$(mktemp)
	while IFS= read -r key; do
		printf 'upload-file = "%s"\nurl = "%s/%s/%s"\noutput = "/dev/null"\n' \
			"$file" "$S3_DIRECT" "$bucket" "$key" >> "$cfg"
	done
	_s3_curl --no-progress-meter --parallel --parallel-max 32 -K "$cfg"
	local rc=$?
	rm -f "$cfg"
	return $rc
}

s3_seed_many() {
	python3 -c '
import hashlib, os, shutil, sys
root, src = sys.argv[1], sys.argv[2]
md5 = hashlib.md5(open(src, "rb").read()).hexdigest()
for key in sys.stdin.read().splitlines():
    dst = os.path.join(root, key + "._S3rver_object")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    with open(dst + ".md5", "w") as f:
        f.write(md5)
' "$S3_DIR/data/$1" "$2"
}

s3_front() {
	curl -sS -f -X "$1" "$S3_ENDPOINT/__front/$2${3:+?$3}"
}
