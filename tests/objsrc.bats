#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The object sources of INSERT ... FROM S3()/local() and continuous-load
# jobs: the glob matcher (globpat.c), the S3 client (s3.c, s3xml.c) against
# s3rver behind a SigV4-checking front (tests/s3_helper.bash), and local
# directories (objsrc.c), driven through tests/unit/test-objsrc.

load test_helper
load s3_helper

SECRET_BAD=Wr0ngS3cretXq7

setup_file() {
	s3_available || return 0
	s3_start
	s3_mkbucket bkt
	local d="$BATS_FILE_TMPDIR/objs" k
	mkdir -p "$d"
	# keys: a glob's matches and non-matches, and names that need encoding
	for k in dir/a.csv dir/b.csv dir/c.json dir/sub/d.csv dir/x+y=z.csv other/a.csv; do
		printf '%s\n' "$k" > "$d/f"
		s3_put bkt "$k" "$d/f"
	done
	printf 'sp\n' > "$d/f"
	s3_put bkt "dir/e%20%26%20f.csv" "$d/f"
	printf '\xc3\xa9\n' > "$d/f"
	s3_put bkt "dir/%C3%A9t%C3%A9.csv" "$d/f"
	# sizes for the byte limit: 100, 200, 300, 400 bytes
	for k in 1 2 3 4; do
		head -c $((k * 100)) /dev/zero | tr '\0' x > "$d/f"
		s3_put bkt "sized/f$k.csv" "$d/f"
	done
	head -c 3000000 /dev/urandom > "$BATS_FILE_TMPDIR/big"
	s3_put bkt big/blob.bin "$BATS_FILE_TMPDIR/big"
}

teardown_file() {
	s3_stop
}

setup() {
	T="$SL_UNIT/test-objsrc"
	if [ -n "${S3_ENDPOINT:-}" ]; then
		S3P=("s3.endpoint=$S3_ENDPOINT" "s3.region=$S3_REGION" "s3.access_key=$S3_AK"
			"s3.secret_key=$S3_SK" "use_path_style=true")
	fi
}

# the output is these lines exactly
is_output() {
	[ "$output" = "$(printf '%s\n' "$@")" ] || { printf 'got:\n%s\n' "$output" >&2; return 1; }
}

need_s3() {
	[ -n "${S3_ENDPOINT:-}" ] || skip "node, s3rver or aws4 missing (make node-deps)"
}

@test "globpat: Java PathMatcher semantics, {m..n}, bad patterns, prefix, no exponential backtracking" {
	run -0 --separate-stderr "$SL_UNIT/test-globpat"
	[ "$stderr" = "" ]
}

@test "uri: s3:// s3a:// s3n://, path-style and virtual-host http(s), bad uris" {
	run -0 "$T" uri s3://bkt/dir/x.csv 0
	[ "$output" = "endpoint=(none) bucket=bkt key=dir/x.csv" ]
	run -0 "$T" uri s3a://bkt/d/*.csv 1
	[ "$output" = "endpoint=(none) bucket=bkt key=d/*.csv" ]
	run -0 "$T" uri S3N://bkt 0
	[ "$output" = "endpoint=(none) bucket=bkt key=" ]
	run -0 "$T" uri http://127.0.0.1:9000/bkt/dir/a.csv 1
	[ "$output" = "endpoint=http://127.0.0.1:9000 bucket=bkt key=dir/a.csv" ]
	run -0 "$T" uri https://bkt.s3.us-east-1.amazonaws.com/dir/a.csv 0
	[ "$output" = "endpoint=https://s3.us-east-1.amazonaws.com bucket=bkt key=dir/a.csv" ]
	run -2 "$T" uri https://nodot/dir/a.csv 0
	run -2 "$T" uri http://127.0.0.1:9000/ 1
	run -2 "$T" uri oss://bkt/x 0
	run -2 "$T" uri s3:///x 0
}

@test "open: Doris's messages for missing or bad properties" {
	run -2 "$T" list s3 s3.region=r -- "" 0 0
	[ "$output" = "error: Properties 'uri' is required." ]
	run -2 "$T" list S3 uri=s3://b/k s3.region=r -- "" 0 0
	[ "$output" = "error: Properties 's3.endpoint' is required." ]
	run -2 "$T" list s3 uri=s3://b/k s3.endpoint=127.0.0.1:1 -- "" 0 0
	[ "$output" = "error: Properties 's3.region' is required." ]
	run -2 "$T" list s3 uri=ftp://b/k s3.endpoint=127.0.0.1:1 s3.region=r -- "" 0 0
	[ "$output" = "error: parse s3 uri failed, uri = ftp://b/k" ]
	run -2 "$T" list local backend_id=1 -- "" 0 0
	[ "$output" = "error: Property 'file_path' is required." ]
	run -2 "$T" list local file_path=rel/*.csv -- "" 0 0
	[ "$output" = "error: file_path must be an absolute path: rel/*.csv" ]
	run -2 "$T" list s3 "uri=s3://b/d/{a,{b}}" s3.endpoint=h s3.region=r -- "" 0 0
	[[ "$output" == "error: Invalid glob pattern d/{a,{b}}: Cannot nest groups"* ]]
	run -2 "$T" watch s3 uri=s3://b/k s3.endpoint=h s3.region=r "s3.session_token=$(printf '%05000d' 0)" -- 0
	[ "$output" = "error: s3.session_token is longer than 4096 bytes" ]
	run -2 "$T" watch s3 uri=s3://b/k s3.endpoint=ftp://h s3.region=r -- 0
	[ "$output" = "error: Invalid s3.endpoint: ftp://h" ]
	run -2 "$T" list hdfs uri=x -- "" 0 0
	[ "$output" = "error: Unknown table-valued source: hdfs" ]
	# a region from an AWS endpoint, as Doris's S3URI (watch: opened, nothing asked)
	run -0 "$T" watch s3 uri=s3://b/k s3.endpoint=https://s3.eu-west-3.amazonaws.com -- 0
	[ "${lines[1]}" = "poll" ]
	run -2 "$T" watch s3 uri=https://b.s3.amazonaws.com/k -- 0
	[ "$output" = "error: Properties 's3.region' is required." ]
}

@test "s3: a glob's keys in byte order, start-after, names that need encoding, each request's signature checked" {
	need_s3
	before=$(s3_front GET stats | jq .sigbad)
	run -0 "$T" list s3 uri=s3://bkt/dir/*.csv "${S3P[@]}" -- "" 0 0
	is_output "desc=s3://bkt/dir/*.csv" "dir/a.csv 10" "dir/b.csv 10" "dir/e & f.csv 3" \
		"dir/x+y=z.csv 14" "dir/été.csv 3" "bytes=40" "next=(none)"
	# strictly after the offset, which need not exist itself
	run -0 "$T" list s3 uri=s3://bkt/dir/*.csv "${S3P[@]}" -- "dir/b.csv" 0 0
	[ "${lines[1]}" = "dir/e & f.csv 3" ]
	run -0 "$T" list s3 uri=s3://bkt/dir/*.csv "${S3P[@]}" -- "dir/c" 0 0
	[ "${lines[1]}" = "dir/e & f.csv 3" ]
	run -0 "$T" list s3 uri=s3://bkt/dir/*.csv "${S3P[@]}" -- "dir/été.csv" 0 0
	[ "${lines[1]}" = "bytes=0" ]
	# ** crosses '/', {a,b} and [..] as Java
	run -0 "$T" list s3 "uri=s3://bkt/dir/**.csv" "${S3P[@]}" -- "" 0 0
	[[ "$output" == *"dir/sub/d.csv 14"* ]]
	run -0 "$T" list s3 "uri=s3://bkt/{dir,other}/[ab].csv" "${S3P[@]}" -- "" 0 0
	is_output "desc=s3://bkt/{dir,other}/[ab].csv" "dir/a.csv 10" "dir/b.csv 10" "other/a.csv 12" \
		"bytes=32" "next=(none)"
	# the objects' bytes, keys encoded once in the path
	run -0 --separate-stderr "$T" copy s3 uri=s3://bkt/dir/*.csv "${S3P[@]}" -- "dir/x+y=z.csv"
	[ "$output" = "dir/x+y=z.csv" ]
	[[ "$stderr" == *"bytes=14"* ]]
	run -0 --separate-stderr "$T" copy s3 uri=s3://bkt/dir/*.csv "${S3P[@]}" -- "dir/été.csv"
	[ "$output" = "é" ]
	[ "$(s3_front GET stats | jq .sigbad)" = "$before" ]
}

@test "s3: batches bounded by files and by bytes, the file that reaches the limit included, next" {
	need_s3
	first_two=("desc=s3://bkt/sized/*.csv" "sized/f1.csv 100" "sized/f2.csv 200" "bytes=300" "next=sized/f3.csv")
	run -0 "$T" list s3 uri=s3://bkt/sized/*.csv "${S3P[@]}" -- "" 2 0
	is_output "${first_two[@]}"
	# 250 bytes: f1 (100) then f2 (300 >= 250) stops the batch
	run -0 "$T" list s3 uri=s3://bkt/sized/*.csv "${S3P[@]}" -- "" 0 250
	is_output "${first_two[@]}"
	# exactly reached: 300 stops after f2 too
	run -0 "$T" list s3 uri=s3://bkt/sized/*.csv "${S3P[@]}" -- "" 0 300
	is_output "${first_two[@]}"
	# one file over the limit is a batch of its own
	run -0 "$T" list s3 uri=s3://bkt/sized/*.csv "${S3P[@]}" -- "sized/f3.csv" 0 10
	is_output "desc=s3://bkt/sized/*.csv" "sized/f4.csv 400" "bytes=400" "next=(none)"
	run -0 "$T" drain s3 uri=s3://bkt/sized/*.csv "${S3P[@]}" -- 0 250
	is_output "desc=s3://bkt/sized/*.csv" "batch 1 sized/f1.csv sized/f2.csv next=sized/f3.csv" \
		"batch 2 sized/f3.csv sized/f3.csv next=sized/f4.csv" "batch 3 sized/f4.csv sized/f4.csv next=(none)" \
		"files=4"
	# every object in order, batch after batch, into one fd
	run -0 --separate-stderr "$T" fetch s3 uri=s3://bkt/sized/*.csv "${S3P[@]}" -- 3
	[ "${#output}" = 1000 ]
	[[ "$stderr" == *"files=4 bytes=1000"* ]]
}

@test "s3: 2,500 keys over pages of 1000 listed completely, in batches and at once" {
	need_s3
	printf 'x\n' > "$BATS_TEST_TMPDIR/one"
	seq -f 'many/k%05g.csv' 1 2500 | s3_seed_many bkt "$BATS_TEST_TMPDIR/one"
	s3_put bkt many/zzz.json "$BATS_TEST_TMPDIR/one"
	before=$(s3_front GET stats | jq .requests)
	run -0 "$T" list s3 uri=s3://bkt/many/*.csv "${S3P[@]}" -- "" 0 0
	[ "${lines[1]}" = "many/k00001.csv 2" ]
	[ "${lines[2500]}" = "many/k02500.csv 2" ]
	[ "${lines[2501]}" = "bytes=5000" ]
	[ "${#lines[@]}" = 2503 ]
	# three pages: 1000, 1000, 501
	[ "$(s3_front GET stats | jq .requests)" = $((before + 3)) ]
	run -0 "$T" drain s3 uri=s3://bkt/many/*.csv "${S3P[@]}" -- 1000 0
	[ "${lines[1]}" = "batch 1 many/k00001.csv many/k01000.csv next=many/k01001.csv" ]
	[ "${lines[3]}" = "batch 3 many/k02001.csv many/k02500.csv next=(none)" ]
	[ "${lines[4]}" = "files=2500" ]
}

@test "s3: a wrong secret is refused at the front: SignatureDoesNotMatch, the secret in no output" {
	need_s3
	run -2 --separate-stderr "$T" list s3 uri=s3://bkt/dir/*.csv "s3.endpoint=$S3_ENDPOINT" s3.region=us-east-1 \
		s3.access_key=S3RVER "s3.secret_key=$SECRET_BAD" use_path_style=true -- "" 0 0
	[[ "${lines[1]}" == "error: SignatureDoesNotMatch: The request signature we calculated does not match"* ]]
	[[ "$output$stderr" != *"$SECRET_BAD"* ]]
	run -2 --separate-stderr "$T" copy s3 uri=s3://bkt/dir/*.csv "s3.endpoint=$S3_ENDPOINT" s3.region=us-east-1 \
		s3.access_key=S3RVER "s3.secret_key=$SECRET_BAD" use_path_style=true -- dir/a.csv
	[[ "$output" == "error: SignatureDoesNotMatch: "* ]]
	[[ "$output$stderr" != *"$SECRET_BAD"* ]]
	run -2 "$T" list s3 uri=s3://bkt/dir/*.csv "s3.endpoint=$S3_ENDPOINT" s3.region=us-east-1 \
		s3.access_key=NOSUCH s3.secret_key=S3RVER use_path_style=true -- "" 0 0
	[[ "${lines[1]}" == "error: InvalidAccessKeyId: "* ]]
	# not retried: one request each
}

@test "s3: a session token is sent and signed; no keys: anonymous requests" {
	need_s3
	before=$(s3_front GET stats)
	run -0 "$T" list s3 uri=s3://bkt/dir/a.csv "${S3P[@]}" s3.session_token=TOKEN-1 -- "" 0 0
	[ "${lines[1]}" = "dir/a.csv 10" ]
	run -0 "$T" list s3 uri=s3://bkt/dir/a.csv "s3.endpoint=$S3_ENDPOINT" s3.region=us-east-1 use_path_style=true -- "" 0 0
	[ "${lines[1]}" = "dir/a.csv 10" ]
	after=$(s3_front GET stats)
	[ "$(jq .sigok <<< "$after")" = $(($(jq .sigok <<< "$before") + 1)) ]
	[ "$(jq .unsigned <<< "$after")" = $(($(jq .unsigned <<< "$before") + 1)) ]
}

@test "s3: 5xx answers retried with backoff; after 3 the S3 error; missing objects not retried" {
	need_s3
	s3_front POST fail n=2 > /dev/null
	run -0 "$T" list s3 uri=s3://bkt/dir/a.csv "${S3P[@]}" -- "" 0 0
	[ "${lines[1]}" = "dir/a.csv 10" ]
	s3_front POST fail n=2 status=500 > /dev/null
	run -0 --separate-stderr "$T" copy s3 uri=s3://bkt/dir/a.csv "${S3P[@]}" -- dir/a.csv
	[ "$output" = "dir/a.csv" ]
	s3_front POST fail n=3 > /dev/null
	run -2 "$T" list s3 uri=s3://bkt/dir/a.csv "${S3P[@]}" -- "" 0 0
	[ "${lines[1]}" = "error: SlowDown: Please reduce your request rate." ]
	before=$(s3_front GET stats | jq .requests)
	run -2 --separate-stderr "$T" copy s3 uri=s3://bkt/dir/*.csv "${S3P[@]}" -- dir/nothere.csv
	[[ "$output" == "error: NoSuchKey: "* ]]
	[ "$(s3_front GET stats | jq .requests)" = $((before + 1)) ]
	# a key outside the source's glob is refused before any request
	run -2 --separate-stderr "$T" copy s3 uri=s3://bkt/dir/*.csv "${S3P[@]}" -- other/a.csv
	[ "$output" = "error: other/a.csv is not an object of s3://bkt/dir/*.csv" ]
}

@test "s3: a refused connection is retried, then curl's failure" {
	need_s3
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	start=$(date +%s%N)
	run -2 "$T" list s3 uri=s3://bkt/x "s3.endpoint=127.0.0.1:$port" s3.region=r "s3.secret_key=$SECRET_BAD" \
		s3.access_key=a use_path_style=true -- "" 0 0
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[[ "${lines[1]}" == "error: Couldn't connect to server"* ]]
	[[ "$output" != *"$SECRET_BAD"* ]]
	# two backoffs, 100 and 400 ms
	[ "$ms" -ge 500 ]
}

@test "s3: a GetObject cut half way resumes with a Range; a closed pipe is EPIPE at once" {
	need_s3
	sigbad=$(s3_front GET stats | jq .sigbad)
	s3_front POST cut n=1 > /dev/null
	"$T" copy s3 uri=s3://bkt/big/* "${S3P[@]}" -- big/blob.bin > "$BATS_TEST_TMPDIR/got" 2> "$BATS_TEST_TMPDIR/err"
	cmp "$BATS_FILE_TMPDIR/big" "$BATS_TEST_TMPDIR/got"
	grep -q 'bytes=3000000' "$BATS_TEST_TMPDIR/err"
	[ "$(s3_front GET stats | jq .cut)" -ge 1 ]
	# the resumed request's Range header is signed too
	[ "$(s3_front GET stats | jq .sigbad)" = "$sigbad" ]
	run bash -c "'$T' copy s3 uri=s3://bkt/big/* ${S3P[*]} -- big/blob.bin | head -c 10 > /dev/null; echo \${PIPESTATUS[0]}"
	[[ "$output" == *"Broken pipe"* ]]
	[ "${lines[-1]}" = 1 ]
}

@test "local: a directory's files by glob (** and symlinks), batches, start-after, file:// uris" {
	d="$BATS_TEST_TMPDIR/in"
	mkdir -p "$d/sub/deep" "$d/other"
	printf 'a\n' > "$d/a.csv"
	printf 'bb\n' > "$d/b.csv"
	printf 'c\n' > "$d/c.json"
	printf 'd\n' > "$d/sub/d.csv"
	printf 'e\n' > "$d/sub/deep/e.csv"
	printf 'o\n' > "$d/other/o.csv"
	ln -s "$d/a.csv" "$d/link.csv"
	mkfifo "$d/fifo.csv"
	run -0 "$T" list local "file_path=$d/*.csv" backend_id=1 -- "" 0 0
	is_output "desc=file://$d/*.csv" "$d/a.csv 2" "$d/b.csv 3" "bytes=5" "next=(none)"
	run -0 "$T" list local "file_path=$d/**.csv" -- "" 0 0
	is_output "desc=file://$d/**.csv" "$d/a.csv 2" "$d/b.csv 3" "$d/other/o.csv 2" "$d/sub/d.csv 2" \
		"$d/sub/deep/e.csv 2" "bytes=11" "next=(none)"
	run -0 "$T" list local "file_path=$d/*/*.csv" -- "" 0 0
	is_output "desc=file://$d/*/*.csv" "$d/other/o.csv 2" "$d/sub/d.csv 2" "bytes=4" "next=(none)"
	run -0 "$T" list s3 "uri=file://$d/*.csv" -- "$d/a.csv" 1 0
	is_output "desc=file://$d/*.csv" "$d/b.csv 3" "bytes=3" "next=(none)"
	run -0 "$T" list local "file_path=$d/**" -- "" 2 0
	is_output "desc=file://$d/**" "$d/a.csv 2" "$d/b.csv 3" "bytes=5" "next=$d/c.json"
	run -0 "$T" drain local "file_path=$d/**.csv" -- 2 0
	[ "${lines[-1]}" = "files=5" ]
	# every object in order, batch after batch, into one fd
	run -0 --separate-stderr "$T" fetch local "file_path=$d/**.csv" -- 2
	[ "$output" = "$(cat "$d/a.csv" "$d/b.csv" "$d/other/o.csv" "$d/sub/d.csv" "$d/sub/deep/e.csv")" ]
	[[ "$stderr" == *"files=5 bytes=11"* ]]
	run -0 --separate-stderr "$T" copy local "file_path=$d/*.csv" -- "$d/b.csv"
	[ "$output" = "bb" ]
	run -2 --separate-stderr "$T" copy local "file_path=$d/*.csv" -- "$d/link.csv"
	[[ "$output" == "error: $d/link.csv: "* ]]
	run -2 --separate-stderr "$T" copy local "file_path=$d/*.csv" -- "$d/gone.csv"
	[ "$output" = "error: $d/gone.csv: No such file or directory" ]
	# a directory that does not exist yet holds nothing
	run -0 "$T" list local "file_path=$d/none/*.csv" -- "" 0 0
	[ "${lines[1]}" = "bytes=0" ]
}

@test "local: inotify wakes a watcher on a new file; nothing new: no wake-up; S3 is polled" {
	d="$BATS_TEST_TMPDIR/w"
	out="$BATS_TEST_TMPDIR/watch.out"
	mkdir -p "$d"
	"$T" watch local "file_path=$d/*.csv" -- 5000 > "$out" &
	pid=$!
	for i in $(seq 1 200); do grep -q ready "$out" && break; sleep 0.01; done
	start=$(date +%s%N)
	printf 'x\n' > "$d/new.csv"
	for i in $(seq 1 500); do grep -q woken "$out" && break; sleep 0.002; done
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	wait "$pid"
	run cat "$out"
	[ "${lines[0]}" = "desc=file://$d/*.csv" ]
	[ "${lines[2]}" = "woken" ]
	[ "${lines[3]}" = "drained" ]
	[ "$ms" -lt 1000 ]
	run -0 "$T" watch local "file_path=$d/*.csv" -- 100
	[ "${lines[2]}" = "timeout" ]
	run -0 "$T" watch s3 uri=s3://b/k s3.endpoint=127.0.0.1:1 s3.region=r -- 100
	[ "${lines[1]}" = "poll" ]
}
