#!/usr/bin/env bats
# Acceptance of issue 3 (sl-httpd), end to end with curl on 127.0.0.1: the
# seed's quick start verbatim and the query API, body framing, two-phase
# commit over HTTP, the error log route, auth, inetd and systemd
# activation, redirect mode, aborted loads (client gone, stage killed, body
# too large, past `timeout`), 200 concurrent loads, and every curl example
# of the seed whose feature exists, verbatim but for host and port.
#
# Each test starts its own server on 127.0.0.1:0 (-1 prints the port) over
# its own data directory and stops it by PID in teardown. Answers are
# compared with Doris's JSON, timings and generated values masked.
load test_helper

T=testdb.test_streamload

setup() {
	setup_data_dir
	seed_table
	servers=()
	start_server
}

teardown() {
	stop_servers
}

# ---- helpers ------------------------------------------------------------------

# start_server [SL-HTTPD ARGS...]: start sl-httpd over $SL_DATA_DIR (unless
# the args name another --data-dir) on 127.0.0.1:0; set $port and
# $server_pid once it printed its port (<= 10 s). Its stderr goes to
# server.N.err.
nserv=0
start_server() {
	local n=$nserv p i
	nserv=$((nserv + 1))
	local out=$BATS_TEST_TMPDIR/server.$n.port err=$BATS_TEST_TMPDIR/server.$n.err
	local dd=(--data-dir "$SL_DATA_DIR")
	[[ " $* " == *" --data-dir "* ]] && dd=()
	sl-httpd "${dd[@]}" --listen 127.0.0.1:0 -1 "$@" > "$out" 2> "$err" 3>&- &
	server_pid=$!
	servers+=("$server_pid")
	wait_port "$out" "$err" "$server_pid"
}

# wait_port OUTFILE ERRFILE PID: set $port from the first line of OUTFILE.
wait_port() {
	local i p
	for ((i = 0; i < 500; i++)); do
		if IFS= read -r p 2> /dev/null < "$1"; then
			p=${p##*:}
			if [[ $p =~ ^[1-9][0-9]*$ ]]; then
				port=$p
				return 0
			fi
			echo "sl-httpd -1 printed '$p', not a port" >&2
			return 1
		fi
		if ! kill -0 "$3" 2> /dev/null; then
			echo "sl-httpd exited before listening; its stderr:" >&2
			cat "$2" >&2
			return 1
		fi
		sleep 0.02
	done
	echo "sl-httpd did not print its port within 10 s" >&2
	return 1
}

# stop_servers: TERM each server we started, wait for it; fail if one of
# them reported a sanitizer error.
stop_servers() {
	local pid f rc=0
	for pid in "${servers[@]}"; do
		kill "$pid" 2> /dev/null || true
	done
	for pid in "${servers[@]}"; do
		wait "$pid" 2> /dev/null || true
	done
	for f in "$BATS_TEST_TMPDIR"/server.*.err; do
		[ -e "$f" ] || continue
		if grep -q -e 'AddressSanitizer' -e 'runtime error:' -e 'LeakSanitizer' "$f"; then
			echo "sanitizer report in $f:" >&2
			cat "$f" >&2
			rc=1
		fi
	done
	return "$rc"
}

url() { printf 'http://127.0.0.1:%s%s' "$port" "$1"; }
LOAD=/api/testdb/test_streamload/_stream_load

# The seed's load of its 10-row file with -sS, plus any extra curl args.
load_seed() {
	curl -sS --location-trusted -u root: -H "Expect:100-continue" -H "column_separator:," \
		-H "columns:user_id,name,age" "$@" -T streamload_example.csv -XPUT "$(url $LOAD)"
}

count() { sl-sql -N -B -e "select count(*) from ${1:-$T}"; }

# json_get KEY: the value of KEY in a pretty-printed answer on stdin.
json_get() {
	sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'
}

# Mask what varies between runs: timings, a positive TxnId, a generated
# UUID label, the error log file name.
mask() {
	mask_times | sed -E \
		-e 's/^(    "TxnId": )[1-9][0-9]*,$/\1ID,/' \
		-e 's/^(    "Label": ")[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",$/\1UUID",/' \
		-e 's#^(    "ErrorURL": "[a-z]+://[^/]*/api/_load_error_log\?file=)[^"]+"#\1FILE"#' \
		-e 's#^(    "ErrorURL": "file://)/[^"]+"#\1PATH"#'
}

# same EXPECTED ACTUAL: compare two texts, show a diff on mismatch.
same() {
	if [ "$1" != "$2" ]; then
		diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") || true
		return 1
	fi
}

success() { answer Success OK 10 10 0 0 118 "${2:-false}" "${1:-UUID}"; echo '}'; }
# refused LABEL MESSAGE: a load refused before any transaction.
refused() { answer Fail "$2" 0 0 0 0 0 false "$1" -1; echo '}'; }

# raw: send stdin as is on a new connection, print the whole response
# (every raw request says Connection: close).
raw() {
	exec 4<> "/dev/tcp/127.0.0.1/$port" || return 1
	( cat >&4 ) 2> /dev/null || true
	timeout 10 cat <&4 || true
	exec 4<&-
}
status_line() { head -n 1 | tr -d '\r'; }
body() { sed '1,/^\r$/d'; }
AUTH_ROOT='Authorization: Basic cm9vdDo='

# A 10-row file whose last row has 2 fields instead of 3.
bad_row_file() {
	head -n 9 streamload_example.csv > bad10.csv
	echo '11,Zed' >> bad10.csv
}

# rows N: N rows of id,name,age on stdout.
rows() { awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "%d,name%d,%d\n", i, i, i % 90 }'; }

# descendants PID: every process below PID.
descendants() {
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}
# stage_pids NAME: pids of the stage NAME running under our servers.
stage_pids() {
	local s p
	for s in "${servers[@]}"; do
		for p in $(descendants "$s"); do
			[ "$(cat "/proc/$p/comm" 2> /dev/null)" = "$1" ] && echo "$p"
		done
	done
	return 0
}
# no_stages_left: no stage runs under our servers any more (<= 10 s).
no_stages_left() {
	local i s left
	for ((i = 0; i < 200; i++)); do
		left=
		for s in sl-parse sl-map sl-filter sl-txn sl-commit; do
			left+=$(stage_pids "$s")
		done
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	echo "stages still running under the server: $left" >&2
	ps -o pid,ppid,stat,args -p "$(echo $left | tr ' ' ,)" >&2 || true
	return 1
}

# wait_prepare LABEL: until the label's txn is running (PREPARE), <= 10 s.
wait_prepare() {
	local i out
	for ((i = 0; i < 200; i++)); do
		out=$(sl-commit --txn-operation commit --label "$1" testdb 2> /dev/null || true)
		[[ "$out" == *"running transaction not found"* || "$out" == *"is prepare"* ]] && return 0
		sleep 0.05
	done
	echo "the txn of label $1 never began; last answer: $out" >&2
	return 1
}

# A load held open on a fifo through curl -T - (chunked): 100000 rows go in
# first, more than the pipes buffer, so the transaction has begun; fd 5 is
# our end of the fifo (fd 3 belongs to bats).
start_held_load() {
	rm -f in.fifo
	mkfifo in.fifo
	curl -sS -u root: -H column_separator:, -H columns:user_id,name,age "$@" \
		-T - -XPUT "$(url $LOAD)" < in.fifo > held.json 2> held.err 3>&- &
	held_pid=$!
	exec 5> in.fifo
	awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "%d,held%d,%d\n", 1000 + i, i, i % 90 }' >&5
}

# server_serves: the server still loads and answers (a fresh label).
server_serves() {
	local out
	out=$(load_seed -H "label:alive$RANDOM$RANDOM") || return 1
	[ "$(json_get Status <<<"$out")" = Success ] || { echo "$out" >&2; return 1; }
}

# ---- acceptance 1: the quick start ----------------------------------------------

@test "quick start: the seed's curl, verbatim, answers Doris's JSON; the query API counts 10" {
	run -0 --separate-stderr curl --location-trusted -u root: -H "Expect:100-continue" -H "column_separator:," -H "columns:user_id,name,age" -T streamload_example.csv -XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	same "$(success)" "$(mask <<<"$output")"
	run -0 --separate-stderr curl -sS -u root: -H 'Content-Type: application/json' \
		-d '{"stmt":"select count(*) from testdb.test_streamload"}' \
		"$(url /api/query/default_cluster/testdb)"
	[ "$stderr" = "" ]
	jq -e '.msg == "success" and .code == 0 and .data.type == "result_set"
		and .data.data == [[10]] and .count == 0
		and (.data.meta | length) == 1 and .data.meta[0].name == "count(*)"' <<<"$output"
	run -0 count
	[ "$output" = 10 ]
}

@test "quick start: HTTP 200, the JSON answer ends with one newline, keys in Doris's order" {
	run -0 --separate-stderr load_seed -H label:nl -o ans.json -w '%{http_code}'
	[ "$output" = 200 ]
	[ "$stderr" = "" ]
	[ "$(tail -c 2 ans.json | od -An -c | tr -s ' ')" = ' } \n' ]
	same "$(success nl)" "$(mask < ans.json)"
}

@test "query API: a result set of several rows and columns, and a bad statement" {
	load_seed > /dev/null
	run -0 --separate-stderr curl -sS -u root: -H 'Content-Type: application/json' \
		-d '{"stmt":"select user_id, name from testdb.test_streamload where user_id <= 2 order by user_id"}' \
		"$(url /api/query/default_cluster/testdb)"
	jq -e '.code == 0 and .data.data == [[1, "Emily"], [2, "Benjamin"]]
		and [.data.meta[].name] == ["user_id", "name"]' <<<"$output"
	run -0 --separate-stderr curl -sS -u root: -H 'Content-Type: application/json' \
		-d '{"stmt":"select nope from testdb.test_streamload"}' \
		"$(url /api/query/default_cluster/testdb)"
	jq -e '.code != 0 and .msg != "success"' <<<"$output"
}

@test "health answers without auth; an unknown route is 404 Not Found" {
	run -0 --separate-stderr curl -sS "$(url /api/health)"
	jq -e '.status == "OK"' <<<"$output"
	run -0 --separate-stderr curl -sS -o body -w '%{http_code}' -u root: "$(url /api/nope)"
	[ "$output" = 404 ]
	[ "$(cat body)" = "Not Found" ]
	run -0 --separate-stderr curl -sS -o body -w '%{http_code}' -u root: -XDELETE "$(url $LOAD)"
	[ "$output" = 404 ]
}

@test "the legacy route _load loads like _stream_load" {
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H columns:user_id,name,age \
		-H label:legacy -T streamload_example.csv "$(url /api/testdb/test_streamload/_load)"
	same "$(success legacy)" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 10 ]
}

@test "http_status_codes:true: 200 on Success, 4xx on a data-quality failure and a used label" {
	bad_row_file
	run -0 --separate-stderr load_seed -H http_status_codes:true -H label:hs -o ans.json -w '%{http_code}'
	[ "$output" = 200 ]
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H http_status_codes:true \
		-T bad10.csv -o ans.json -w '%{http_code}' "$(url $LOAD)"
	[[ "$output" == 4[0-9][0-9] ]]
	[ "$(json_get Status < ans.json)" = Fail ]
	run -0 --separate-stderr load_seed -H http_status_codes:true -H label:hs -o ans.json -w '%{http_code}'
	[[ "$output" == 4[0-9][0-9] ]]
	[ "$(json_get Status < ans.json)" = "Label Already Exists" ]
	# without the header, the same failure is HTTP 200, as Doris
	run -0 --separate-stderr load_seed -H label:hs -o ans.json -w '%{http_code}'
	[ "$output" = 200 ]
	run -0 count
	[ "$output" = 10 ]
}

# ---- acceptance 2: framing -----------------------------------------------------

@test "framing: a chunked upload from a pipe (curl -T -) loads 100000 rows" {
	run -0 --separate-stderr bash -c "seq 1 100000 | awk '{OFS=\",\"}{print \$1, \"name\" \$1, \$1 % 90}' | curl -sS -v --location-trusted -u root: -H column_separator:, -H columns:user_id,name,age -H label:pipe -T - -XPUT '$(url $LOAD)'"
	[[ "$stderr" == *"> Transfer-Encoding: chunked"* ]]
	bytes=$(seq 1 100000 | awk '{OFS=","}{print $1, "name" $1, $1 % 90}' | wc -c)
	same "$(answer Success OK 100000 100000 0 0 "$bytes" false pipe; echo '}')" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 100000 ]
	run -0 sl-sql -N -B -e "select name, age from $T where user_id = 99999"
	[ "$output" = "$(printf 'name99999\t9')" ]
}

@test "framing: Content-Length, with Expect: 100-continue answered before the body" {
	rows 50000 > big.csv
	run -0 --separate-stderr curl -sS -v -u root: -H "Expect:100-continue" -H column_separator:, \
		-H columns:user_id,name,age -H label:cl -T big.csv -XPUT "$(url $LOAD)"
	[[ "$stderr" == *"> Content-Length: $(wc -c < big.csv)"* ]]
	[[ "$stderr" == *"< HTTP/1.1 100 Continue"* ]]
	same "$(answer Success OK 50000 50000 0 0 "$(wc -c < big.csv)" false cl; echo '}')" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 50000 ]
}

@test "framing: HTTP/1.0 with Content-Length loads" {
	run -0 --separate-stderr curl -sS -v -0 -u root: -H column_separator:, -H columns:user_id,name,age \
		-H label:h10 -T streamload_example.csv -XPUT "$(url $LOAD)"
	[[ "$stderr" == *"> PUT $LOAD HTTP/1.0"* ]]
	[[ "$stderr" == *"< HTTP/1."?" 200"* ]]
	same "$(success h10)" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 10 ]
}

@test "framing: POST loads like PUT" {
	run -0 --separate-stderr curl -sS -v -u root: -H column_separator:, -H columns:user_id,name,age \
		-H label:post --data-binary @streamload_example.csv "$(url $LOAD)"
	[[ "$stderr" == *"> POST $LOAD HTTP/1.1"* ]]
	same "$(success post)" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 10 ]
}

@test "framing: no Expect header is needed, with a large body too" {
	rows 50000 > big.csv
	run -0 --separate-stderr curl -sS -v -u root: -H "Expect:" -H column_separator:, \
		-H columns:user_id,name,age -H label:noexp -T big.csv -XPUT "$(url $LOAD)"
	[[ "$stderr" != *"> Expect"* ]]
	[ "$(json_get Status <<<"$output")" = Success ]
	[ "$(json_get NumberLoadedRows <<<"$output")" = 50000 ]
	run -0 count
	[ "$output" = 50000 ]
}

@test "framing: keep-alive: two loads on one connection" {
	run -0 --separate-stderr curl -sS -v -u root: -H column_separator:, -H columns:user_id,name,age \
		-T streamload_example.csv "$(url $LOAD)" -T streamload_example.csv "$(url $LOAD)"
	[[ "$stderr" == *"Re-using existing connection"* ]]
	[ "$(grep -c '"Status": "Success"' <<<"$output")" = 2 ]
	run -0 count
	[ "$output" = 20 ]
}

@test "framing: header names are case-insensitive" {
	run -0 --separate-stderr curl -sS -u root: -H "COLUMN_SEPARATOR:," -H "Columns:user_id,name,age" \
		-H "Label:case" -T streamload_example.csv "$(url $LOAD)"
	same "$(success case)" "$(mask <<<"$output")"
}

@test "framing: both Content-Length and chunked -> Doris's error, nothing loaded" {
	run -0 raw < <(printf 'PUT %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n%s\r\ncolumn_separator: ,\r\nlabel: both\r\nContent-Length: 118\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n76\r\n' "$LOAD" "$port" "$AUTH_ROOT"
		cat streamload_example.csv; printf '\r\n0\r\n\r\n')
	[ "$(status_line <<<"$output")" = "HTTP/1.1 200 OK" ]
	same "$(refused both '[INVALID_ARGUMENT]please do not set both content_length and transfer-encoding')" "$(body <<<"$output" | mask)"
	run -0 count
	[ "$output" = 0 ]
	# the label was never used
	run -0 load_seed -H label:both
	[ "$(json_get Status <<<"$output")" = Success ]
}

@test "framing: neither Content-Length nor chunked -> Doris's error, nothing loaded" {
	run -0 raw < <(printf 'PUT %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n%s\r\ncolumn_separator: ,\r\nlabel: neither\r\nConnection: close\r\n\r\n' "$LOAD" "$port" "$AUTH_ROOT")
	[ "$(status_line <<<"$output")" = "HTTP/1.1 200 OK" ]
	same "$(refused neither '[INVALID_ARGUMENT]content_length is empty and transfer-encoding!=chunked, please set content_length or transfer-encoding=chunked')" "$(body <<<"$output" | mask)"
	run -0 count
	[ "$output" = 0 ]
	server_serves
}

@test "framing: a hand-made chunked body with several chunks and chunk extensions" {
	run -0 raw < <(printf 'PUT %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n%s\r\ncolumn_separator: ,\r\nlabel: chunks\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' "$LOAD" "$port" "$AUTH_ROOT"
		printf '5;ext=1\r\n1,Emi\r\n'; printf 'd\r\nly,25\n2,Ben,3\r\n'; printf '2\r\n5\n\r\n0\r\n\r\n')
	[ "$(status_line <<<"$output")" = "HTTP/1.1 200 OK" ]
	same "$(answer Success OK 2 2 0 0 20 false chunks; echo '}')" "$(body <<<"$output" | mask)"
	run -0 sl-sql -N -B -e "select * from $T order by user_id"
	[ "$output" = "$(printf '1\tEmily\t25\n2\tBen\t35')" ]
}

@test "framing: a body shorter than Content-Length -> nothing visible, the server serves" {
	# the client sends 118 of 500 bytes and closes
	exec 4<> "/dev/tcp/127.0.0.1/$port"
	{ printf 'PUT %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n%s\r\ncolumn_separator: ,\r\nlabel: short\r\nContent-Length: 500\r\nConnection: close\r\n\r\n' "$LOAD" "$port" "$AUTH_ROOT"
		cat streamload_example.csv; } >&4
	sleep 0.2
	exec 4<&-
	run -0 count
	[ "$output" = 0 ]
	no_stages_left
	run -0 load_seed -H label:short
	[ "$(json_get Status <<<"$output")" = Success ]
}

@test "framing: a malformed request line or header gets 400, the server serves" {
	run -0 raw < <(printf 'GARBAGE\r\n\r\n')
	[[ "$(status_line <<<"$output")" == "HTTP/1.1 400 "* ]]
	run -0 raw < <(printf 'PUT %s HTTP/1.1\r\nno colon here\r\nConnection: close\r\n\r\n' "$LOAD")
	[[ "$(status_line <<<"$output")" == "HTTP/1.1 400 "* ]]
	# an oversize request line
	run -0 raw < <(printf 'GET /%s HTTP/1.1\r\nConnection: close\r\n\r\n' "$(head -c 100000 /dev/zero | tr '\0' a)")
	[[ "$(status_line <<<"$output")" == "HTTP/1.1 4"* ]]
	server_serves
}

# ---- acceptance 3: two-phase commit --------------------------------------------

ok2pc() { printf '{\n    "status": "Success",\n    "msg": "%s"\n}' "$1"; }
err2pc() { printf '{\n    "status": "%s",\n    "msg": "%s"\n}' "$1" "$2"; }
fe() { printf 'TStatus: errCode = 2, detailMessage = %s' "$1"; }
# twopc [CURL ARGS]: PUT /api/testdb/_stream_load_2pc (TWOPC_PATH to change)
twopc() {
	curl -sS -X PUT --location-trusted -u root: "$@" "$(url "${TWOPC_PATH:-/api/testdb/_stream_load_2pc}")"
}

@test "2PC: precommit over HTTP, invisible, then commit by txn_id (the seed's {db}/{table} form)" {
	run -0 --separate-stderr load_seed -H label:tp1 -H two_phase_commit:true
	same "$(success tp1 true)" "$(mask <<<"$output")"
	[ "$(json_get CommitAndPublishTimeMs <<<"$output")" = 0 ]
	id=$(json_get TxnId <<<"$output")
	run -0 count
	[ "$output" = 0 ]
	# the label is held by the precommitted txn
	run -0 --separate-stderr load_seed -H label:tp1
	[ "$(json_get Status <<<"$output")" = "Label Already Exists" ]
	[ "$(json_get ExistingJobStatus <<<"$output")" = PRECOMMITTED ]
	[ "$(json_get Message <<<"$output")" = "[LABEL_ALREADY_EXISTS]TStatus: errCode = 2, detailMessage = Label [tp1] has already been used, relate to txn [$id], status [PRECOMMITTED]." ]
	TWOPC_PATH=/api/testdb/test_streamload/_stream_load_2pc run -0 --separate-stderr twopc -H "txn_id:$id" -H "txn_operation:commit" -o ans -w '%{http_code}'
	[ "$output" = 200 ]
	# no trailing newline after the 2PC answer
	same "$(ok2pc "transaction [$id] commit successfully.")" "$(cat ans)"
	[ "$(tail -c 1 ans)" = "}" ]
	run -0 count
	[ "$output" = 10 ]
}

@test "2PC: commit by label, and by label and txn_id together" {
	run -0 load_seed -H label:tpl -H two_phase_commit:true
	run -0 --separate-stderr twopc -H label:tpl -H txn_operation:commit
	same "$(ok2pc "label [tpl] commit successfully.")" "$output"
	run -0 count
	[ "$output" = 10 ]
	run -0 load_seed -H label:tpb -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr twopc -H label:tpb -H "txn_id:$id" -H txn_operation:commit
	same "$(ok2pc "label [tpb] transaction [$id] commit successfully.")" "$output"
	run -0 count
	[ "$output" = 20 ]
}

@test "2PC: abort by label discards the data and frees the label; wrong states of an aborted txn" {
	run -0 load_seed -H label:tp2 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr twopc -H label:tp2 -H txn_operation:abort
	same "$(ok2pc "label [tp2] abort successfully.")" "$output"
	run -0 count
	[ "$output" = 0 ]
	run -0 --separate-stderr twopc -H "txn_id:$id" -H txn_operation:commit
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already aborted. abort reason: User Abort")")" "$output"
	run -0 --separate-stderr twopc -H "txn_id:$id" -H txn_operation:abort
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already aborted, abort reason: User Abort")")" "$output"
	run -0 load_seed -H label:tp2
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 count
	[ "$output" = 10 ]
}

@test "2PC: abort by txn_id" {
	run -0 load_seed -H label:tp3 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr twopc -H "txn_id:$id" -H txn_operation:abort
	same "$(ok2pc "transaction [$id] abort successfully.")" "$output"
	run -0 count
	[ "$output" = 0 ]
}

@test "2PC: wrong-state commits and aborts of a visible txn, and of one never precommitted" {
	run -0 load_seed -H label:tp4 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 twopc -H "txn_id:$id" -H txn_operation:commit
	run -0 --separate-stderr twopc -H "txn_id:$id" -H txn_operation:commit
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already visible, not pre-committed.")")" "$output"
	run -0 --separate-stderr twopc -H "txn_id:$id" -H txn_operation:abort
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already VISIBLE, could not abort.")")" "$output"
	run -0 --separate-stderr twopc -H label:tp4 -H txn_operation:commit
	same "$(err2pc ANALYSIS_ERROR "$(fe "running transaction not found, label=tp4")")" "$output"
	run -0 --separate-stderr twopc -H label:tp4 -H txn_operation:abort
	same "$(err2pc ANALYSIS_ERROR "$(fe "running transaction not found, label=tp4")")" "$output"
	run -0 load_seed -H label:plain
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr twopc -H "txn_id:$id" -H txn_operation:commit
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already visible, not pre-committed.")")" "$output"
	run -0 count
	[ "$output" = 20 ]
}

@test "2PC: unknown txn, label and database; bad operation and txn_id" {
	run -0 --separate-stderr twopc -H txn_id:999999 -H txn_operation:commit
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [999999] not found")")" "$output"
	run -0 --separate-stderr twopc -H label:nope -H txn_operation:abort
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction not found, label=nope")")" "$output"
	TWOPC_PATH=/api/nodb/_stream_load_2pc run -0 --separate-stderr twopc -H txn_id:1 -H txn_operation:commit
	same "$(err2pc ANALYSIS_ERROR "$(fe "unknown database, database=nodb")")" "$output"
	run -0 --separate-stderr twopc -H txn_id:1 -H txn_operation:Commit
	same "$(err2pc INTERNAL_ERROR "transaction operation should be 'commit' or 'abort'")" "$output"
	run -0 --separate-stderr twopc -H txn_id:x1 -H txn_operation:commit
	same "$(err2pc INTERNAL_ERROR "convert txn_id [x1] failed, reason=stoull")" "$output"
}

@test "2PC: missing txn_id and label, or missing operation, change nothing; no auth is refused" {
	run -0 load_seed -H label:tp5 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr twopc -H txn_operation:commit
	[[ "$output" != *'"Success"'* ]]
	run -0 --separate-stderr twopc -H "txn_id:$id"
	[[ "$output" != *'"Success"'* ]]
	run -0 --separate-stderr curl -sS -X PUT -H "txn_id:$id" -H txn_operation:commit "$(url /api/testdb/_stream_load_2pc)"
	[[ "$output" != *'"Success"'* ]]
	run -0 --separate-stderr curl -sS -X PUT -u root:wrong -H "txn_id:$id" -H txn_operation:commit "$(url /api/testdb/_stream_load_2pc)"
	[[ "$output" != *'"Success"'* ]]
	run -0 count
	[ "$output" = 0 ]
	run -0 --separate-stderr twopc -H "txn_id:$id" -H txn_operation:commit
	same "$(ok2pc "transaction [$id] commit successfully.")" "$output"
}

@test "2PC: a txn of another database is not found through this one" {
	sl-sql -e "CREATE DATABASE otherdb"
	run -0 load_seed -H label:tp6 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	TWOPC_PATH=/api/otherdb/_stream_load_2pc run -0 --separate-stderr twopc -H "txn_id:$id" -H txn_operation:commit
	[[ "$output" != *'"Success"'* ]]
	run -0 count
	[ "$output" = 0 ]
}

# ---- acceptance 4: the error log ---------------------------------------------

@test "ErrorURL: a load with a filtered row points at the server; curl fetches the log" {
	bad_row_file
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H columns:user_id,name,age \
		-H max_filter_ratio:0.2 -H label:r2 -T bad10.csv "$(url $LOAD)"
	same "$(answer Success OK 10 9 1 0 "$(wc -c < bad10.csv)" false r2 | sed '$s/$/,/'
		echo "    \"ErrorURL\": \"http://127.0.0.1:$port/api/_load_error_log?file=FILE\""
		echo '}')" "$(mask <<<"$output")"
	errurl=$(json_get ErrorURL <<<"$output")
	line='Reason: Column count mismatch: expected 3, but found 2 (sep:, delim:\n). src line [11,Zed]; '
	run -0 --separate-stderr curl -sS -o log -w '%{http_code}' "$errurl"
	[ "$output" = 200 ]
	[ "$(cat log)" = "$line" ]
	# HEAD gives the length, no body
	run -0 --separate-stderr curl -sS -I "$errurl"
	[[ "$(status_line <<<"$output")" == "HTTP/1.1 200"* ]]
	[[ "$output" == *"Content-Length: $(wc -c < log)"* ]]
	run -0 count
	[ "$output" = 9 ]
}

@test "ErrorURL: a failed load's answer has ErrorURL and FirstErrorMsg; the host is the one the client used" {
	bad_row_file
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H columns:user_id,name,age \
		-H label:r0 -T bad10.csv "http://localhost:$port$LOAD"
	jreason='Column count mismatch: expected 3, but found 2 (sep:, delim:\\n)'
	same "$(answer Fail '[DATA_QUALITY_ERROR]too many filtered rows' 10 0 1 0 "$(wc -c < bad10.csv)" false r0 | sed '$s/$/,/'
		echo "    \"ErrorURL\": \"http://localhost:$port/api/_load_error_log?file=FILE\","
		echo "    \"FirstErrorMsg\": \"$jreason. Src line: 11,Zed\""
		echo '}')" "$(mask <<<"$output")"
	run -0 --separate-stderr curl -sS "$(json_get ErrorURL <<<"$output")"
	[ "$output" = 'Reason: Column count mismatch: expected 3, but found 2 (sep:, delim:\n). src line [11,Zed]; ' ]
	run -0 count
	[ "$output" = 0 ]
}

@test "ErrorURL: no path leaves the error-log directory (401/404, never the file)" {
	bad_row_file
	run -0 curl -sS -u root: -H column_separator:, -H max_filter_ratio:0.2 -T bad10.csv "$(url $LOAD)"
	file=$(json_get ErrorURL <<<"$output" | sed 's/.*?file=//')
	[ -n "$file" ]
	# a file of the data directory outside the error logs, and /etc/passwd
	ddfile=$(cd "$SL_DATA_DIR" && find . -type f ! -path '*error*' | head -n 1 | sed 's#^\./##')
	[ -n "$ddfile" ]
	for q in '../../etc/passwd' '..%2f..%2fetc%2fpasswd' '..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd' \
		'/etc/passwd' '%2fetc%2fpasswd' "$SL_DATA_DIR/$ddfile" "../$ddfile" "../../$ddfile" \
		"$file/../../../../../../etc/passwd" '....//....//etc/passwd' '..' '.' '%2e%2e%2f%2e%2e%2fetc%2fpasswd' \
		'../../../../../../../../../../../../etc/passwd' 'x%00' "$file%00" 'nonexistent'; do
		run -0 --separate-stderr curl -sS --path-as-is -o body -w '%{http_code}' "$(url "/api/_load_error_log?file=$q")"
		if [[ "$output" != 401 && "$output" != 404 && "$output" != 400 ]]; then
			echo "file=$q: HTTP $output" >&2
			return 1
		fi
		if grep -q 'root:' body || cmp -s body "$SL_DATA_DIR/$ddfile"; then
			echo "file=$q: served a file outside the error logs" >&2
			return 1
		fi
	done
	# a malformed %xx is refused too
	run -0 --separate-stderr curl -sS -o body -w '%{http_code}' "$(url "/api/_load_error_log?file=%zz")"
	[[ "$output" == 4[0-9][0-9] ]]
	# no file parameter: Doris's 200 answer
	run -0 --separate-stderr curl -sS -o body -w '%{http_code}' "$(url /api/_load_error_log)"
	[ "$output" = 200 ]
	[ "$(cat body)" = "parameter file not specified in url." ]
	# the real one still works
	run -0 --separate-stderr curl -sS -o body -w '%{http_code}' "$(url "/api/_load_error_log?file=$file")"
	[ "$output" = 200 ]
	server_serves
}

# ---- acceptance 5: auth --------------------------------------------------------

access_denied() {
	printf "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for user '%s@127.0.0.1' (using password: %s)" "$1" "$2"
}
NO_LOAD_PRIV='[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied; you need (at least one of) the (LOAD) privilege(s) for this operation'

@test "auth: no Authorization header -> NOT_AUTHORIZED, nothing loaded" {
	run -0 --separate-stderr curl -sS -H column_separator:, -H label:na -T streamload_example.csv "$(url $LOAD)"
	same "$(refused na '[NOT_AUTHORIZED]no valid Basic authorization')" "$(mask <<<"$output")"
	run -0 --separate-stderr curl -sS -H "Authorization: Bearer xyz" -H column_separator:, -H label:na \
		-T streamload_example.csv "$(url $LOAD)"
	same "$(refused na '[NOT_AUTHORIZED]no valid Basic authorization')" "$(mask <<<"$output")"
	run -0 --separate-stderr curl -sS -H "Authorization: Basic %%%not-base64" -H column_separator:, -H label:na \
		-T streamload_example.csv "$(url $LOAD)"
	same "$(refused na '[NOT_AUTHORIZED]no valid Basic authorization')" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 0 ]
}

@test "auth: wrong password and unknown user -> Access denied, the same words" {
	run -0 --separate-stderr load_seed -H label:a1 -u root:wrong
	same "$(refused a1 "$(access_denied root YES)")" "$(mask <<<"$output")"
	run -0 --separate-stderr load_seed -H label:a1 -u nobody:secret
	same "$(refused a1 "$(access_denied nobody YES)")" "$(mask <<<"$output")"
	run -0 --separate-stderr load_seed -H label:a1 -u nobody:
	same "$(refused a1 "$(access_denied nobody NO)")" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 0 ]
	# a refused load with a large body does not hang: the body is not needed
	rows 50000 > big.csv
	run -0 --separate-stderr timeout 20 curl -sS -u root:wrong -H column_separator:, -H label:a1 -T big.csv "$(url $LOAD)"
	[ "$(json_get Message <<<"$output")" = "$(access_denied root YES)" ]
	run -0 timeout 20 curl -sS -u root:wrong -H Expect: -H column_separator:, -H label:a1 -T big.csv "$(url $LOAD)"
	[ "$(json_get Message <<<"$output")" = "$(access_denied root YES)" ]
	server_serves
}

# median_ms USER:PASS: the median time of 9 refused requests, in ms.
median_ms() {
	local i
	for ((i = 0; i < 9; i++)); do
		curl -s -o /dev/null -w '%{time_total}\n' -u "$1" -X PUT -H 'Content-Length: 0' "$(url $LOAD)"
	done | sort -g | sed -n 5p | awk '{ printf "%d\n", $1 * 1000 }'
}

@test "auth: a wrong password takes as long for an unknown user as for a real one" {
	sl-sql -e "CREATE USER 'tim' IDENTIFIED BY 'r1ght'"
	known=$(median_ms tim:wrong)
	unknown=$(median_ms nobody:wrong)
	echo "known user $known ms, unknown user $unknown ms" >&2
	# an early return for unknown users would be ~10 times faster
	[ $((unknown * 2 + 2)) -ge "$known" ]
	[ $((known * 2 + 2)) -ge "$unknown" ]
}

@test "auth: a user without LOAD_PRIV is refused; GRANT LOAD_PRIV lets them load; REVOKE stops them" {
	sl-sql -e "CREATE USER 'alice' IDENTIFIED BY 'Al1ce-pw'"
	run -0 --separate-stderr load_seed -H label:g1 -u alice:Al1ce-pw
	same "$(refused g1 "$NO_LOAD_PRIV")" "$(mask <<<"$output")"
	sl-sql -e "GRANT SELECT_PRIV ON testdb.test_streamload TO 'alice'"
	run -0 --separate-stderr load_seed -H label:g1 -u alice:Al1ce-pw
	[ "$(json_get Message <<<"$output")" = "$NO_LOAD_PRIV" ]
	sl-sql -e "CREATE TABLE testdb.other (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	sl-sql -e "GRANT LOAD_PRIV ON testdb.other TO 'alice'"
	run -0 --separate-stderr load_seed -H label:g1 -u alice:Al1ce-pw
	[ "$(json_get Message <<<"$output")" = "$NO_LOAD_PRIV" ]
	run -0 count
	[ "$output" = 0 ]
	sl-sql -e "GRANT LOAD_PRIV ON testdb.test_streamload TO 'alice'"
	run -0 --separate-stderr load_seed -H label:g1 -u alice:Al1ce-pw
	same "$(success g1)" "$(mask <<<"$output")"
	run -0 --separate-stderr load_seed -H label:g2 -u alice:wrong
	[ "$(json_get Message <<<"$output")" = "$(access_denied alice YES)" ]
	sl-sql -e "REVOKE LOAD_PRIV ON testdb.test_streamload FROM 'alice'"
	run -0 --separate-stderr load_seed -H label:g3 -u alice:Al1ce-pw
	[ "$(json_get Message <<<"$output")" = "$NO_LOAD_PRIV" ]
	run -0 count
	[ "$output" = 10 ]
}

@test "auth: grants on db.* and *.*; SET PASSWORD; DROP USER" {
	sl-sql -e "CREATE USER 'bob' IDENTIFIED BY 'b0b'"
	sl-sql -e "GRANT LOAD_PRIV ON testdb.* TO 'bob'"
	run -0 load_seed -u bob:b0b
	[ "$(json_get Status <<<"$output")" = Success ]
	sl-sql -e "CREATE USER 'carol' IDENTIFIED BY 'c4rol'"
	sl-sql -e "GRANT ALL ON *.* TO 'carol'"
	run -0 load_seed -u carol:c4rol
	[ "$(json_get Status <<<"$output")" = Success ]
	sl-sql -e "SET PASSWORD FOR 'bob' = PASSWORD('n3w')"
	run -0 load_seed -u bob:b0b
	[ "$(json_get Message <<<"$output")" = "$(access_denied bob YES)" ]
	run -0 load_seed -u bob:n3w
	[ "$(json_get Status <<<"$output")" = Success ]
	sl-sql -e "DROP USER 'bob'"
	run -0 load_seed -u bob:n3w
	[ "$(json_get Message <<<"$output")" = "$(access_denied bob YES)" ]
	run -0 count
	[ "$output" = 30 ]
}

@test "auth: passwords are not readable from the data directory; the log names users, never passwords" {
	sl-sql -e "CREATE USER 'dave' IDENTIFIED BY 'Sup3rS3cretPw'"
	sl-sql -e "GRANT LOAD_PRIV ON testdb.* TO 'dave'"
	run -0 load_seed -u dave:Sup3rS3cretPw
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 load_seed -u dave:Wr0ngGuessPw
	[ "$(json_get Status <<<"$output")" = Fail ]
	# no clear password anywhere in the data directory
	run -1 grep -r -l -a -e Sup3rS3cretPw -e Wr0ngGuessPw "$SL_DATA_DIR"
	# the files that hold the hashes are 0600, in a 0700 directory, and hold crypt(3) hashes
	hashfiles=$(grep -r -l -a 'dave' "$SL_DATA_DIR" | xargs -r grep -l -a -E '\$(y|6|gy|7)\$' || true)
	[ -n "$hashfiles" ]
	for f in $hashfiles; do
		[ "$(stat -c %a "$f")" = 600 ]
		[ "$(stat -c %a "$(dirname "$f")")" = 700 ]
	done
	grep -q -a -E '\$(y|6|gy|7)\$' $hashfiles
	# the server logged the decisions with the user, never a password
	grep -q dave "$BATS_TEST_TMPDIR/server.0.err"
	run -1 grep -a -e Sup3rS3cretPw -e Wr0ngGuessPw "$BATS_TEST_TMPDIR/server.0.err"
}

@test "auth: the query API and the 2PC route need auth too; health and the error log do not" {
	load_seed > /dev/null
	run -0 --separate-stderr curl -sS -u root:wrong -H 'Content-Type: application/json' \
		-d '{"stmt":"select count(*) from testdb.test_streamload"}' "$(url /api/query/default_cluster/testdb)"
	[[ "$output" != *'[[10]]'* ]]
	run -0 --separate-stderr curl -sS -H 'Content-Type: application/json' \
		-d '{"stmt":"select count(*) from testdb.test_streamload"}' "$(url /api/query/default_cluster/testdb)"
	[[ "$output" != *'[[10]]'* ]]
	run -0 --separate-stderr curl -sS -o /dev/null -w '%{http_code}' "$(url /api/health)"
	[ "$output" = 200 ]
}

@test "auth: the stream load record names the user and the client" {
	sl-sql -e "CREATE USER 'erin' IDENTIFIED BY 'e'"
	sl-sql -e "GRANT LOAD_PRIV ON testdb.* TO 'erin'"
	load_seed -u erin:e -H label:rec1 > /dev/null
	run -0 --separate-stderr curl -sS -u root: "$(url /api/testdb/_stream_load_record)"
	[[ "$output" == *rec1* ]]
	[[ "$output" == *erin* ]]
	[[ "$output" == *127.0.0.1* ]]
}

# ---- acceptance 6: inetd and systemd activation ----------------------------------

@test "inetd mode: a request on stdin loads, the answer on stdout" {
	run -0 --separate-stderr sl-httpd --data-dir "$SL_DATA_DIR" --inetd < <(
		printf 'PUT %s HTTP/1.1\r\nHost: localhost\r\n%s\r\ncolumn_separator: ,\r\ncolumns: user_id,name,age\r\nlabel: inetd\r\nContent-Length: 118\r\nConnection: close\r\n\r\n' "$LOAD" "$AUTH_ROOT"
		cat streamload_example.csv)
	[ "$(status_line <<<"$output")" = "HTTP/1.1 200 OK" ]
	same "$(success inetd)" "$(body <<<"$output" | mask)"
	run -0 count
	[ "$output" = 10 ]
}

@test "systemd activation: LISTEN_FDS/LISTEN_PID on an inherited socket serves a load" {
	# perl binds 127.0.0.1:0, prints the port, puts the socket on fd 3 and
	# execs sl-httpd with LISTEN_FDS=1 and LISTEN_PID set to its own pid
	perl -MSocket -MPOSIX -e '
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
		bind($s, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die "bind: $!";
		listen($s, 128) or die "listen: $!";
		my ($p) = unpack_sockaddr_in(getsockname($s));
		$| = 1; print "$p\n";
		POSIX::dup2(fileno($s), 3) or die "dup2: $!";
		$ENV{LISTEN_FDS} = 1; $ENV{LISTEN_PID} = $$;
		exec @ARGV or die "exec: $!";' sl-httpd --data-dir "$SL_DATA_DIR" > sd.port 2> sd.err &
	servers+=($!)
	wait_port sd.port sd.err $!
	run -0 --separate-stderr load_seed -H label:sd
	same "$(success sd)" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 10 ]
}

# ---- acceptance 7: redirect mode ----------------------------------------------------

@test "redirect mode: curl --location-trusted loads through a front, alternating back ends" {
	local be=() d i
	for i in 1 2; do
		d=$BATS_TEST_TMPDIR/be$i
		mkdir -p "$d"
		SL_DATA_DIR=$d seed_table
		start_server --data-dir "$d"
		be+=("127.0.0.1:$port")
	done
	start_server --redirect-to "${be[0]},${be[1]}"
	# the 307 itself: same path and query, the next back end
	run -0 --separate-stderr curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -u root: \
		-H column_separator:, -T streamload_example.csv "$(url "$LOAD?x=1")"
	[[ "$output" == "307 http://127.0.0.1:"*"$LOAD?x=1" ]]
	first=${output#307 http://}
	first=${first%%/*}
	for i in 1 2 3 4; do
		run -0 --separate-stderr curl -sS --location-trusted -u root: -H "Expect:100-continue" \
			-H "column_separator:," -H "columns:user_id,name,age" -T streamload_example.csv \
			-XPUT "$(url $LOAD)"
		[ "$(json_get Status <<<"$output")" = Success ]
	done
	# 4 loads alternate: 2 on each back end
	run -0 sl-sql --data-dir "$BATS_TEST_TMPDIR/be1" -N -B -e "select count(*) from $T"
	[ "$output" = 20 ]
	run -0 sl-sql --data-dir "$BATS_TEST_TMPDIR/be2" -N -B -e "select count(*) from $T"
	[ "$output" = 20 ]
	# nothing went into the front's own data directory
	run -0 count
	[ "$output" = 0 ]
}

# ---- acceptance 8: aborted loads; concurrency --------------------------------

@test "abort: a client that disconnects mid-body leaves nothing visible; the server serves" {
	start_held_load -H label:gone
	wait_prepare gone
	kill -9 "$held_pid"
	wait "$held_pid" || true
	exec 5>&-
	no_stages_left
	run -0 count
	[ "$output" = 0 ]
	# the label is free again, the server serves
	run -0 --separate-stderr load_seed -H label:gone
	same "$(success gone)" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 10 ]
}

@test "abort: a stage killed mid-load -> Fail, nothing visible, the server serves" {
	start_held_load -H label:killed
	wait_prepare killed
	pids=$(stage_pids sl-txn)
	[ -n "$pids" ]
	kill -9 $pids
	sleep 0.2
	( trap '' PIPE; cat streamload_example.csv >&5 ) 2> /dev/null || true
	exec 5>&-
	rc=0
	wait "$held_pid" || rc=$?
	[ "$rc" = 0 ] || { cat held.err; false; }
	[ "$(json_get Status < held.json)" = Fail ]
	[ "$(json_get Label < held.json)" = killed ]
	no_stages_left
	run -0 count
	[ "$output" = 0 ]
	run -0 --separate-stderr load_seed -H label:killed
	same "$(success killed)" "$(mask <<<"$output")"
}

@test "abort: a body over streaming_load_max_mb (Content-Length) -> Doris's E-217, nothing visible" {
	stop_servers
	servers=()
	echo 'streaming_load_max_mb = 1' > "$SL_DATA_DIR/sl.conf"
	start_server
	rows 100000 > big.csv
	n=$(wc -c < big.csv)
	[ "$n" -gt 1048576 ]
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H label:big -T big.csv "$(url $LOAD)"
	same "$(refused big "[E-217]body size $n exceed BE's conf \`streaming_load_max_mb\` 1048576. increase it if you are sure this load is reasonable")" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 0 ]
	# under the limit still loads
	run -0 load_seed -H label:small
	[ "$(json_get Status <<<"$output")" = Success ]
}

@test "abort: a JSON body over streaming_load_json_max_mb (Content-Length, not by line) -> E-217 before any txn" {
	stop_servers
	servers=()
	echo 'streaming_load_json_max_mb = 1' > "$SL_DATA_DIR/sl.conf"
	start_server
	{ printf '['; for ((i = 1; i <= 30000; i++)); do printf '{"user_id":%d,"name":"n%d","age":1},' $i $i; done; printf '{"user_id":0,"name":"z","age":1}]'; } > big.json
	n=$(wc -c < big.json)
	[ "$n" -gt 1048576 ]
	run -0 --separate-stderr curl -sS -u root: -H format:json -H strip_outer_array:true -H label:bigj -T big.json "$(url $LOAD)"
	[ "$(json_get Status <<<"$output")" = Fail ]
	[ "$(json_get TxnId <<<"$output")" = -1 ]
	[ "$(json_get Message <<<"$output")" = "[E-217]json body size $n exceed BE's conf \`streaming_load_json_max_mb\` 1048576. increase it if you are sure this load is reasonable" ]
	run -0 count
	[ "$output" = 0 ]
	# read by line, the same size loads; so does the array chunked (size unknown, as in Doris)
	tr -d '[]' < big.json | tr '}' '\n' | sed -n 's/^,\{0,1\}\(.*\)$/\1}/p' > big.ndjson
	run -0 --separate-stderr curl -sS -u root: -H format:json -H label:bignd -T big.ndjson "$(url $LOAD)"
	[ "$(json_get NumberLoadedRows <<<"$output")" = 30001 ]
	run -0 --separate-stderr bash -c "curl -sS -u root: -H format:json -H strip_outer_array:true -H label:bigjc -T - '$(url $LOAD)' < big.json"
	[ "$(json_get NumberLoadedRows <<<"$output")" = 30001 ]
	# the internal header is ours to set: a client's x_sl_body_bytes is ignored
	printf '[{"user_id":1,"name":"a","age":2}]' > small.json
	run -0 --separate-stderr curl -sS -u root: -H format:json -H strip_outer_array:true -H x_sl_body_bytes:99999999999 -H label:smallj -T small.json "$(url $LOAD)"
	[ "$(json_get Status <<<"$output")" = Success ]
}

@test "abort: a chunked body over streaming_load_max_mb is cut off, nothing visible" {
	stop_servers
	servers=()
	echo 'streaming_load_max_mb = 1' > "$SL_DATA_DIR/sl.conf"
	start_server
	run -0 --separate-stderr bash -c "awk 'BEGIN { for (i = 1; i <= 100000; i++) printf \"%d,n%d,%d\\n\", i, i, 1 }' | curl -sS -u root: -H column_separator:, -H label:bigc -T - -o ans -w '%{http_code}' '$(url $LOAD)'"
	if [ "$output" = 200 ]; then
		[ "$(json_get Status < ans)" = Fail ]
		[[ "$(json_get Message < ans)" == "[E-217]"* ]]
	else
		[ "$output" = 413 ]
	fi
	no_stages_left
	run -0 count
	[ "$output" = 0 ]
	run -0 load_seed -H label:bigc
	[ "$(json_get Status <<<"$output")" = Success ]
}

@test "abort: a load past its timeout -> Fail [TIMEOUT], nothing visible, the server serves" {
	SECONDS=0
	run -0 --separate-stderr bash -c "(head -n 5 streamload_example.csv; sleep 3; tail -n 5 streamload_example.csv) | curl -sS -u root: -H column_separator:, -H columns:user_id,name,age -H timeout:1 -H label:slow -T - '$(url $LOAD)'"
	[ "$(json_get Status <<<"$output")" = Fail ]
	[ "$(json_get Label <<<"$output")" = slow ]
	[[ "$(json_get Message <<<"$output")" == "[TIMEOUT]"* ]]
	[ "$SECONDS" -lt 10 ]
	no_stages_left
	run -0 count
	[ "$output" = 0 ]
	run -0 load_seed -H label:slow
	[ "$(json_get Status <<<"$output")" = Success ]
}

# client PORT SCRIPT: a raw HTTP client in python3 that asks for 100-continue
# and sends the body only after it, so that sl-httpd hands the connection
# itself to sl-parse (nothing of the body is buffered yet). SCRIPT is python
# run with `s` (the socket), `req(cl, headers...)` (sends the request head,
# waits for 100 Continue), `resp()` (reads and prints one response) and
# `answer()` (reads to EOF, prints what came).
client() {
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def req(cl, *hdrs):
    h = "PUT /api/testdb/test_streamload/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDo=\r\nExpect: 100-continue\r\n"
    h += "".join(x + "\r\n" for x in hdrs) + "Content-Length: %d\r\n\r\n" % cl
    s.sendall(h.encode())
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(1)
    assert got.startswith(b"HTTP/1.1 100"), got
def resp():
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(1)
    n = [int(l.split(b":")[1]) for l in got.split(b"\r\n") if l.lower().startswith(b"content-length:")][0]
    while len(got.split(b"\r\n\r\n", 1)[1]) < n:
        got += s.recv(65536)
    sys.stdout.write(got.decode().replace("\r", ""))
def answer():
    got = b""
    while True:
        k = s.recv(65536)
        if not k:
            break
        got += k
    sys.stdout.write(got.decode().replace("\r", ""))
exec(sys.argv[2])
PY
}

@test "handoff: a body sent after 100-continue goes to sl-parse directly; keep-alive holds after it" {
	stop_servers
	servers=()
	start_server -v 2
	# two loads on one connection, each body sent after its 100 Continue
	run -0 --separate-stderr client "$port" "
req(118, 'column_separator:,', 'columns:user_id,name,age', 'label:h1')
s.sendall(open('streamload_example.csv','rb').read())
resp()
req(118, 'column_separator:,', 'columns:user_id,name,age', 'label:h2', 'Connection: close')
s.sendall(open('streamload_example.csv','rb').read())
answer()"
	[ "$(grep -c '"Status": "Success"' <<<"$output")" = 2 ]
	[[ "$output" == *'"Label": "h1"'* && "$output" == *'"Label": "h2"'* ]]
	[ "$(count)" = 20 ]
	stop_servers
	servers=()
	[ "$(grep -c ': the body (118 bytes) goes to sl-parse directly$' "$BATS_TEST_TMPDIR/server.1.err")" = 2 ]
	start_server
	# curl sends Expect: 100-continue for a large upload: the same path
	rows 300000 > big.csv
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H label:hbig -T big.csv "$(url $LOAD)"
	[ "$(json_get NumberLoadedRows <<<"$output")" = 300000 ]
	[ "$(json_get LoadBytes <<<"$output")" = "$(wc -c < big.csv)" ]
}

@test "handoff: a body that ends early -> [NETWORK_ERROR]receive body don't equal with body bytes, nothing visible" {
	run -0 --separate-stderr client "$port" "
req(118, 'column_separator:,', 'columns:user_id,name,age', 'label:hshort')
s.sendall(open('streamload_example.csv','rb').read()[:60])
s.shutdown(socket.SHUT_WR)
answer()"
	[[ "$output" == *'"Status": "Fail"'* ]]
	[[ "$output" == *"\"Message\": \"[NETWORK_ERROR]receive body don't equal with body bytes\""* ]]
	[[ "$output" == *"Connection: close"* ]]
	[ "$(count)" = 0 ]
	# the label is free, the server serves
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H columns:user_id,name,age -H label:hshort -T streamload_example.csv "$(url $LOAD)"
	[ "$(json_get Status <<<"$output")" = Success ]
}

@test "handoff: a client that stalls mid-body past http_read_timeout_ms -> Fail, nothing visible, the server serves" {
	stop_servers
	servers=()
	echo 'http_read_timeout_ms = 500' > "$SL_DATA_DIR/sl.conf"
	start_server
	run -0 --separate-stderr client "$port" "
req(118, 'column_separator:,', 'columns:user_id,name,age', 'label:hslow')
s.sendall(open('streamload_example.csv','rb').read()[:60])
time.sleep(2)
answer()"
	[[ "$output" == *"\"Message\": \"[NETWORK_ERROR]receive body don't equal with body bytes\""* ]]
	[ "$(count)" = 0 ]
	no_stages_left
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H columns:user_id,name,age -H label:hslow -T streamload_example.csv "$(url $LOAD)"
	[ "$(json_get Status <<<"$output")" = Success ]
}

@test "slow body: under http_body_min_rate_bytes -> Fail [NETWORK_ERROR] and close, by Content-Length and chunked" {
	stop_servers
	servers=()
	printf 'http_body_min_rate_bytes = 200\nhttp_body_min_rate_window_second = 1\n' > "$SL_DATA_DIR/sl.conf"
	start_server
	# one byte every 0.3 s: never idle for the read timeout (30 s), far
	# under 200 bytes a second; cut within a few windows
	SECONDS=0
	run -0 --separate-stderr client "$port" "
req(118, 'column_separator:,', 'columns:user_id,name,age', 'label:slow1')
data = open('streamload_example.csv','rb').read()
s.settimeout(20)
try:
    for i in range(len(data)):
        s.sendall(data[i:i+1])
        time.sleep(0.3)
except OSError:
    pass
answer()"
	[ "$SECONDS" -lt 15 ]
	[[ "$output" == *'"Status": "Fail"'* ]]
	[[ "$output" == *'"Message": "[NETWORK_ERROR]receive body too slow: '*' bytes in 1 s, less than http_body_min_rate_bytes 200 per second"'* ]]
	[[ "$output" == *"Connection: close"* ]]
	[ "$(count)" = 0 ]
	no_stages_left
	# chunked (the body copied through sl-httpd)
	SECONDS=0
	run -0 --separate-stderr client "$port" "
h = 'PUT /api/testdb/test_streamload/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDo=\r\n'
h += 'column_separator:,\r\nlabel:slow2\r\nTransfer-Encoding: chunked\r\n\r\n'
s.sendall(h.encode())
s.settimeout(20)
try:
    for line in open('streamload_example.csv','rb').read().splitlines(True):
        for i in range(len(line)):
            s.sendall(b'1\r\n' + line[i:i+1] + b'\r\n')
            time.sleep(0.3)
    s.sendall(b'0\r\n\r\n')
except OSError:
    pass
answer()"
	[ "$SECONDS" -lt 15 ]
	[[ "$output" == *'"Message": "[NETWORK_ERROR]receive body too slow: '* ]]
	[ "$(count)" = 0 ]
	no_stages_left
	# a client at full speed is not cut; the labels are free
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H columns:user_id,name,age -H label:slow1 -T streamload_example.csv "$(url $LOAD)"
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H columns:user_id,name,age -H label:slow2 -T - "$(url $LOAD)" < streamload_example.csv
	[ "$(json_get Status <<<"$output")" = Success ]
	[ "$(count)" = 20 ]
}

@test "slow body: a slow pipeline (back pressure) is not the client's fault: not cut" {
	stop_servers
	servers=()
	printf 'http_body_min_rate_bytes = 10000\nhttp_body_min_rate_window_second = 1\n' > "$SL_DATA_DIR/sl.conf"
	start_server
	# sl-txn is stopped for 3 s while a body far larger than the pipes
	# and socket buffers waits: the client sends nothing then, but only
	# because we do not read; the load succeeds
	rows 2000000 > big.csv
	client "$port" "
data = open('big.csv','rb').read()
req(len(data), 'column_separator:,', 'label:bp1')
s.sendall(data)
resp()" > bp.out 2> bp.err 3>&- &
	local cpid=$! i c pids=
	for ((i = 0; i < 500; i++)); do
		# the connection's sl-txn (two levels below the server)
		c=$(pgrep -d, -P "$server_pid") || true
		[ -n "$c" ] && pids=$(pgrep -x sl-txn -P "$c") || true
		[ -n "$pids" ] && break
		sleep 0.01
	done
	[ -n "$pids" ]
	kill -STOP $pids
	sleep 3
	kill -CONT $pids
	wait "$cpid"
	[[ "$(cat bp.out)" == *'"Status": "Success"'* ]]
	[ "$(count)" = 2000000 ]
}

@test "handoff: a failed load with its body partly unread still answers (linger), then closes" {
	# strict mode with a bad first row: sl-parse may stop before the end
	rows 200000 > big.csv
	sed -i '1s/.*/x,y,z/' big.csv
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H max_filter_ratio:0 -H label:hfail -T big.csv "$(url $LOAD)"
	[ "$(json_get Status <<<"$output")" = Fail ]
	[ "$(count)" = 0 ]
	run -0 --separate-stderr curl -sS -u root: -H column_separator:, -H label:hfail -T streamload_example.csv "$(url $LOAD)"
	[ "$(json_get Status <<<"$output")" = Success ]
}

@test "abort: a client that sends headers and then nothing is timed out; the server serves meanwhile" {
	exec 4<> "/dev/tcp/127.0.0.1/$port"
	printf 'PUT %s HTTP/1.1\r\nHost: x\r\n' "$LOAD" >&4
	# the half-sent request does not block others
	server_serves
	exec 4<&-
}

@test "concurrency: 200 concurrent 10-row loads into one table all succeed, all rows visible" {
	local pids=() i
	for ((i = 1; i <= 200; i++)); do
		curl -sS -u root: -H column_separator:, -H columns:user_id,name,age -H "label:c$i" \
			-T streamload_example.csv -o "c$i.json" "$(url $LOAD)" 2> "c$i.err" 3>&- &
		pids+=($!)
	done
	local bad=0
	for i in "${pids[@]}"; do
		wait "$i" || bad=$((bad + 1))
	done
	[ "$bad" = 0 ]
	for ((i = 1; i <= 200; i++)); do
		if [ "$(json_get Status < "c$i.json")" != Success ]; then
			echo "load $i:" >&2
			cat "c$i.json" "c$i.err" >&2
			return 1
		fi
		[ "$(json_get Label < "c$i.json")" = "c$i" ]
	done
	# 200 distinct transactions
	[ "$(cat c*.json | json_get TxnId | sort -u | wc -l)" = 200 ]
	run -0 count
	[ "$output" = 2000 ]
	no_stages_left
}

# ---- the seed's curl examples, verbatim but for host and port ------------------------------
#
# Where the seed writes `-u root` (curl then asks for the password on the
# terminal), the command runs under script(1) and gets an empty password
# from it. Examples whose feature does not exist yet (JSON, http_stream,
# enclose/escape, partitions, ARRAY/BITMAP/HLL/MAP types, sequence columns,
# partial columns) are not here.

# on_tty CMD: run CMD (a shell command line) with a terminal that answers
# curl's password prompt with an empty line; print its output without the
# prompt and without the terminal's carriage returns.
on_tty() {
	printf '\n' | script -qec "$1" /dev/null | tr -d '\r' | grep -v -e "^Enter host password for user" -e '^$'
}

@test "seed: timeout:3000 (the seed's missing backslash restored)" {
	run -0 --separate-stderr curl --location-trusted -u root: \
-H "Expect:100-continue" \
-H "timeout:3000" \
-H "column_separator:," \
-H "columns:user_id,name,age" \
-T streamload_example.csv \
-XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	same "$(success)" "$(mask <<<"$output")"
}

@test "seed: max_filter_ratio:0.4" {
	run -0 --separate-stderr curl --location-trusted -u root: \
-H "Expect:100-continue" \
-H "max_filter_ratio:0.4" \
-H "column_separator:," \
-H "columns:user_id,name,age" \
-T streamload_example.csv \
-XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	same "$(success)" "$(mask <<<"$output")"
}

@test "seed: where:age>=35 loads 6, 4 unselected" {
	run -0 --separate-stderr curl --location-trusted -u root: \
-H "Expect:100-continue" \
-H "where:age>=35" \
-H "column_separator:," \
-H "columns:user_id,name,age" \
-T streamload_example.csv \
-XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	same "$(answer Success OK 10 6 0 4 118; echo '}')" "$(mask <<<"$output")"
	run -0 sl-sql -N -B -e "select min(age) from $T"
	[ "$output" = 35 ]
}

@test "seed: merge_type: DELETE on the seed's DUPLICATE KEY table -> Doris's refusal" {
	run -0 --separate-stderr curl --location-trusted -u root: \
-H "Expect:100-continue" \
-H "merge_type: DELETE" \
-H "column_separator:," \
-H "columns:user_id,name,age" \
-T streamload_example.csv \
-XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	[ "$(json_get Status <<<"$output")" = Fail ]
	[ "$(json_get Message <<<"$output")" = '[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = load by MERGE or DELETE is only supported in unique tables.' ]
	run -0 count
	[ "$output" = 0 ]
}

@test "seed: strict_mode:true" {
	run -0 --separate-stderr curl --location-trusted -u root: -H "strict_mode:true" -H "column_separator:," -H "columns:user_id,name,age" -T streamload_example.csv http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	same "$(success)" "$(mask <<<"$output")"
	printf '11,Zed,notanumber\n' > strict.csv
	run -0 --separate-stderr curl --location-trusted -u root: -H "strict_mode:true" -H "column_separator:," -H "columns:user_id,name,age" -T strict.csv http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	[ "$(json_get Status <<<"$output")" = Fail ]
	[ "$(json_get FirstErrorMsg <<<"$output")" = 'column(age) value is incorrect while strict mode is true, src value is notanumber. Src line: 11 Zed notanumber' ]
}

@test "seed: streaming from a pipe, seq | awk | curl -u root -T - (tab-separated)" {
	sl-sql -e "CREATE DATABASE testDb"
	sl-sql -e "CREATE TABLE testDb.testTbl (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 --separate-stderr on_tty "seq 1 10 | awk '{OFS=\"\t\"}{print \$1, \$1 * 10}' | curl --location-trusted -u root -T - http://127.0.0.1:$port/api/testDb/testTbl/_stream_load"
	same "$(answer Success OK 10 10 0 0 "$(seq 1 10 | awk '{OFS="\t"}{print $1, $1 * 10}' | wc -c)"; echo '}')" "$(mask <<<"$output")"
	run -0 sl-sql -N -B -e "select sum(v) from testDb.testTbl"
	[ "$output" = 550 ]
}

@test "seed: format:csv_with_names skips the header line" {
	sl-sql -e "CREATE DATABASE testDb"
	sl-sql -e "CREATE TABLE testDb.testTbl (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	printf ' id,name,age\n1,doris,20\n2,flink,10\n' > test.csv
	run -0 --separate-stderr on_tty "curl --location-trusted -u root -T test.csv  -H \"label:1\" -H \"format:csv_with_names\" -H \"column_separator:,\" http://127.0.0.1:$port/api/testDb/testTbl/_stream_load"
	same "$(answer Success OK 2 2 0 0 "$(wc -c < test.csv)" false 1; echo '}')" "$(mask <<<"$output")"
	run -0 sl-sql -N -B -e "select * from testDb.testTbl order by id"
	[ "$output" = "$(printf '1\tdoris\t20\n2\tflink\t10')" ]
}

@test "seed: -T date -H label:123 into test.date" {
	sl-sql -e "CREATE DATABASE test"
	sl-sql -e "CREATE TABLE test.date (k INT, d DATE) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '1\t2024-01-02\n2\t2024-02-29\n' > date
	run -0 --separate-stderr on_tty "curl --location-trusted -u root -T date -H \"label:123\" http://127.0.0.1:$port/api/test/date/_stream_load"
	same "$(answer Success OK 2 2 0 0 "$(wc -c < date)" false 123; echo '}')" "$(mask <<<"$output")"
	# the label is used now
	run -0 --separate-stderr on_tty "curl --location-trusted -u root -T date -H \"label:123\" http://127.0.0.1:$port/api/test/date/_stream_load"
	[ "$(json_get Status <<<"$output")" = "Label Already Exists" ]
	[ "$(json_get ExistingJobStatus <<<"$output")" = FINISHED ]
}

@test "seed: two-phase commit as the seed shows it, user:passwd, commit and abort by txn_id and label" {
	sl-sql -e "CREATE USER 'user' IDENTIFIED BY 'passwd'"
	sl-sql -e "GRANT LOAD_PRIV ON testdb.test_streamload TO 'user'"
	rows 100 | tr , '\t' > test.txt
	run -0 --separate-stderr curl  --location-trusted -u user:passwd -H "two_phase_commit:true" -T test.txt http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	same "$(answer Success OK 100 100 0 0 "$(wc -c < test.txt)" true; echo '}')" "$(mask <<<"$output")"
	id=$(json_get TxnId <<<"$output")
	run -0 count
	[ "$output" = 0 ]
	run -0 --separate-stderr curl -X PUT --location-trusted -u user:passwd  -H "txn_id:$id" -H "txn_operation:commit"  http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load_2pc
	same "$(ok2pc "transaction [$id] commit successfully.")" "$output"
	run -0 count
	[ "$output" = 100 ]
	run -0 curl  --location-trusted -u user:passwd -H "two_phase_commit:true" -T test.txt http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	label=$(json_get Label <<<"$output")
	run -0 --separate-stderr curl -X PUT --location-trusted -u user:passwd  -H "label:$label" -H "txn_operation:commit"  http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load_2pc
	same "$(ok2pc "label [$label] commit successfully.")" "$output"
	run -0 count
	[ "$output" = 200 ]
	run -0 curl  --location-trusted -u user:passwd -H "two_phase_commit:true" -T test.txt http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr curl -X PUT --location-trusted -u user:passwd  -H "txn_id:$id" -H "txn_operation:abort"  http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load_2pc
	same "$(ok2pc "transaction [$id] abort successfully.")" "$output"
	run -0 curl  --location-trusted -u user:passwd -H "two_phase_commit:true" -T test.txt http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load
	label=$(json_get Label <<<"$output")
	run -0 --separate-stderr curl -X PUT --location-trusted -u user:passwd  -H "label:$label" -H "txn_operation:abort"  http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load_2pc
	same "$(ok2pc "label [$label] abort successfully.")" "$output"
	run -0 count
	[ "$output" = 200 ]
}

@test "seed: the complete example, -u user:password -T store_sales -H label:abc into bj_sales.store_sales" {
	sl-sql -e "CREATE DATABASE bj_sales"
	sl-sql -e "CREATE TABLE bj_sales.store_sales (id BIGINT, item VARCHAR(20), qty INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	sl-sql -e "CREATE USER 'user' IDENTIFIED BY 'password'"
	sl-sql -e "GRANT LOAD_PRIV ON bj_sales.* TO 'user'"
	rows 1000 | tr , '\t' > store_sales
	run -0 --separate-stderr curl --location-trusted -u user:password -T "$BATS_TEST_TMPDIR/store_sales" -H "label:abc" http://127.0.0.1:$port/api/bj_sales/store_sales/_stream_load
	same "$(answer Success OK 1000 1000 0 0 "$(wc -c < store_sales)" false abc; echo '}')" "$(mask <<<"$output")"
	run -0 count bj_sales.store_sales
	[ "$output" = 1000 ]
}

@test "seed: the HTTP answers equal sl-load's for the same headers (labels, columns/where, ratio, errors)" {
	bad_row_file
	SL_DATA_DIR=$BATS_TEST_TMPDIR/ref seed_table
	local i=0 h lh
	while IFS= read -r h; do
		i=$((i + 1))
		eval "hs=($h)"
		lh=(-H "label:h$i")
		[[ "$h" == *label:* ]] && lh=()
		run --separate-stderr curl -sS -u root: "${lh[@]}" "${hs[@]}" -T bad10.csv "$(url $LOAD)"
		http=$(mask <<<"$output")
		run --separate-stderr sl-load --data-dir "$BATS_TEST_TMPDIR/ref" "${lh[@]}" "${hs[@]}" -T bad10.csv "$T"
		ref=$(mask <<<"$output" | sed 's#^\(    "ErrorURL": "\)file://PATH"#\1http://127.0.0.1:'"$port"'/api/_load_error_log?file=FILE"#')
		same "$ref" "$http" || { echo "headers: $h" >&2; return 1; }
	done <<'EOF'
-H column_separator:, -H columns:user_id,name,age
-H column_separator:, -H columns:user_id,name,age -H max_filter_ratio:0.2
-H column_separator:, -H "columns:user_id,name,age" -H "where:age>=35" -H max_filter_ratio:0.5
-H column_separator:, -H "columns:user_id,name,a,age=a*2" -H max_filter_ratio:1
-H column_separator:, -H "columns:user_id,name,age,extra"
-H column_separator:, -H columns:nope
-H column_separator:, -H strict_mode:maybe
-H column_separator:, -H timeout:0
-H column_separator:, -H timeout:abc
-H column_separator:, -H format:parquet
-H column_separator:, -H label:bad/label
-H column_separator:, -H skip_lines:2 -H max_filter_ratio:1
-H column_separator:, -H comment:hello -H max_filter_ratio:1
EOF
}

# ---- examples/quickstart-http.sh ----------------------------------------------------

@test "examples/quickstart-http.sh runs the HTTP session in a fresh directory and stops its server" {
	run -0 --separate-stderr "$SL_ROOT/examples/quickstart-http.sh" "$BATS_TEST_TMPDIR/qs"
	[ "$stderr" = "" ]
	[[ "$output" == *'$ curl --location-trusted -u root: -H "Expect:100-continue" -H "column_separator:," \'* ]]
	[[ "$output" == *'"Status": "Success",'* ]]
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	[[ "$(tr -d ' \n' <<<"$output")" == *'"data":[[10]]'* ]]
	run -0 sl-sql --data-dir "$BATS_TEST_TMPDIR/qs/sl-data" -N -B -e "select count(*) from $T"
	[ "$output" = 10 ]
	# the server it started is gone
	port=$(sed -n '1{s/.*://;p;q;}' "$BATS_TEST_TMPDIR/qs/port")
	run curl -sS -o /dev/null "http://127.0.0.1:$port/api/health"
	[ "$status" -ne 0 ]
}

@test "examples/quickstart-http.sh refuses a directory that already has data" {
	mkdir -p qs/sl-data
	run -100 --separate-stderr "$SL_ROOT/examples/quickstart-http.sh" qs
	[[ "$stderr" == "quickstart-http.sh: fatal: "*"already exists"* ]]
}
