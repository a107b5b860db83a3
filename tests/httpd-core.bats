#!/usr/bin/env bats
# sl-httpd's core, driven through `sl-httpd --inetd` with raw HTTP on stdin
# (no ports): loads by Content-Length and chunked, HTTP/1.0, keep-alive,
# framing errors, auth, 2PC, the error log route and its escapes, health,
# the query API, the load record, 404, limits and malformed requests.
load test_helper

T=testdb.test_streamload
URL=/api/testdb/test_streamload/_stream_load

setup() {
	setup_data_dir
	seed_table
}

b64() { printf '%s' "$1" | base64 -w0; }
ROOT="Authorization: Basic $(printf 'root:' | base64 -w0)"

# serve [ARGS]: one connection, the request on stdin
serve() { sl-httpd --inetd --data-dir "$SL_DATA_DIR" "$@"; }
count() { sl-sql -N -B -e "select count(*) from $T"; }
# the status line, the headers, the body of the (last) answer in $output
status_line() { tr -d '\r' <<<"$output" | grep -E '^HTTP/1\.1 [0-9]{3}' | grep -v ' 100 ' | sed -n "${1:-1}p"; }
body() { tr -d '\r' <<<"$output" | awk 'p{print} /^$/{if(!p)p=1}'; }
get() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'; }

# load_req FILE [HEADER]...: a Content-Length load of FILE
load_req() {
	local file=$1 hh
	shift
	printf 'PUT %s HTTP/1.1\r\nHost: %s\r\n' "$URL" "${HOST:-127.0.0.1:8030}"
	for hh in "$@"; do printf '%s\r\n' "$hh"; done
	printf 'Content-Length: %d\r\n\r\n' "$(wc -c < "$file")"
	cat "$file"
}

# chunked FILE: FILE as chunks of 7 bytes, then the last chunk
chunked() {
	local f=$1 size off=0 n
	size=$(wc -c < "$f")
	while [ "$off" -lt "$size" ]; do
		n=$(( size - off < 7 ? size - off : 7 ))
		printf '%x\r\n' "$n"
		tail -c +"$((off + 1))" "$f" | head -c "$n"
		printf '\r\n'
		off=$((off + n))
	done
	printf '0\r\n\r\n'
}

@test "httpd-core: a Content-Length load answers Doris's JSON; the rows are visible" {
	load_req streamload_example.csv "$ROOT" "column_separator:," "columns:user_id,name,age" \
		"label:cl1" "Connection: close" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[[ "$output" == *$'\r\nConnection: close\r\n'* ]]
	[ "$(body | get Status)" = Success ]
	[ "$(body | get Label)" = cl1 ]
	[ "$(body | get NumberLoadedRows)" = 10 ]
	[ "$(body | get LoadBytes)" = 118 ]
	[ "$(body | tail -n 1)" = "}" ]
	[ "$(count)" = 10 ]
	[[ "$stderr" == *"auth ok: user 'root'"* ]]
}

@test "httpd-core: a chunked load with Expect: 100-continue; 100 comes before the answer" {
	{
		printf 'PUT %s HTTP/1.1\r\nHost: h\r\n%s\r\ncolumn_separator:,\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n' "$URL" "$ROOT"
		chunked streamload_example.csv
	} > req
	run -0 --separate-stderr serve < req
	[ "$(tr -d '\r' <<<"$output" | head -n 1)" = "HTTP/1.1 100 Continue" ]
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[ "$(body | get Status)" = Success ]
	[ "$(body | get LoadBytes)" = 118 ]
	[[ "$(body | get Label)" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	[ "$(count)" = 10 ]
}

@test "httpd-core: HTTP/1.0 with Content-Length and POST load; 1.0 closes by default" {
	{
		printf 'POST %s HTTP/1.0\r\n%s\r\ncolumn_separator:,\r\nContent-Length: 118\r\n\r\n' "$URL" "$ROOT"
		cat streamload_example.csv
		# never read: HTTP/1.0 without keep-alive closes
		printf 'GET /api/health HTTP/1.0\r\n\r\n'
	} > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[[ "$output" == *$'\r\nConnection: close\r\n'* ]]
	[ "$(grep -o 'HTTP/1.1 [0-9]' <<<"$output" | wc -l)" = 1 ]
	[ "$(body | get Status)" = Success ]
	[ "$(count)" = 10 ]
}

@test "httpd-core: keep-alive: two loads on one connection, then the client closes" {
	{
		load_req streamload_example.csv "$ROOT" "column_separator:," "label:ka1"
		load_req streamload_example.csv "$ROOT" "column_separator:," "label:ka2"
	} > req
	run -0 --separate-stderr serve < req
	[ "$(grep -o 'HTTP/1.1 200 OK' <<<"$output" | wc -l)" = 2 ]
	[ "$(grep -o 'Connection: keep-alive' <<<"$output" | wc -l)" = 2 ]
	[ "$(tr -d '\r' <<<"$output" | get Label | tr '\n' ' ')" = "ka1 ka2 " ]
	[ "$(count)" = 20 ]
	# HTTP/1.0 keeps the connection only when asked
	printf 'GET /api/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /api/health HTTP/1.0\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(grep -o 'HTTP/1.1 200 OK' <<<"$output" | wc -l)" = 2 ]
}

@test "httpd-core: both framing headers or neither -> the spec's answers, nothing loaded" {
	printf 'PUT %s HTTP/1.1\r\n%s\r\nlabel:both\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n1,a,1\r\n0\r\n\r\n' "$URL" "$ROOT" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[[ "$output" == *$'\r\nConnection: close\r\n'* ]]
	[ "$(body | get Status)" = Fail ]
	[ "$(body | get TxnId)" = -1 ]
	[ "$(body | get Label)" = both ]
	[ "$(body | get Message)" = "[INVALID_ARGUMENT]please do not set both content_length and transfer-encoding" ]
	printf 'PUT %s HTTP/1.1\r\n%s\r\nlabel:neither\r\n\r\nGET /api/health HTTP/1.1\r\n\r\n' "$URL" "$ROOT" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Message | head -n 1)" = "[INVALID_ARGUMENT]content_length is empty and transfer-encoding!=chunked, please set content_length or transfer-encoding=chunked" ]
	# no body: the connection goes on
	[ "$(status_line 2)" = "HTTP/1.1 200 OK" ]
	[[ "$output" == *'"msg": "To Be Added"'* ]]
	[ "$(count)" = 0 ]
}

@test "httpd-core: a transfer coding other than a single chunked -> 501 before any txn; the label stays free" {
	local te
	for te in "gzip, chunked" "chunked, chunked" "identity, chunked" "identity" "chunked;q=1"; do
		{
			printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nlabel:te1\r\nTransfer-Encoding: %s\r\n\r\n' "$URL" "$ROOT" "$te"
			chunked streamload_example.csv
		} > req
		run -0 --separate-stderr serve < req
		[ "$(status_line)" = "HTTP/1.1 501 Not Implemented" ]
		[[ "$output" == *$'\r\nConnection: close\r\n'* ]]
		[[ "$output" != *Success* && "$output" != *TxnId* ]]
		[ "$(count)" = 0 ]
	done
	# no transaction was begun: the label is free for the correct retry
	{
		printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nlabel:te1\r\nTransfer-Encoding: chunked\r\n\r\n' "$URL" "$ROOT"
		chunked streamload_example.csv
	} > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Status)" = Success ]
	[ "$(body | get Label)" = te1 ]
	[ "$(count)" = 10 ]
}

@test "httpd-core: auth: none, not Basic, bad base64, wrong password, unknown user, no grant" {
	noauth='[NOT_AUTHORIZED]no valid Basic authorization'
	for a in "" "Authorization: Bearer abc" "Authorization: Basic !!!!" "Authorization: Basic $(b64 nocolon)"; do
		load_req streamload_example.csv ${a:+"$a"} "label:na" > req
		run -0 --separate-stderr serve < req
		[ "$(body | get Message)" = "$noauth" ]
		[ "$(body | get TxnId)" = -1 ]
		[[ "$stderr" == *"auth denied: user '-'"*"no valid Basic authorization"* ]]
	done
	load_req streamload_example.csv "Authorization: Basic $(b64 root:wrong)" > req
	run -0 --separate-stderr serve < req
	[[ "$(body | get Message)" == "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for user 'root@"*"' (using password: YES)" ]]
	[[ "$stderr" == *"auth denied: user 'root'"* ]]
	[[ "$stderr" != *wrong* ]]
	load_req streamload_example.csv "Authorization: Basic $(b64 ghost:)" > req
	run -0 --separate-stderr serve < req
	[[ "$(body | get Message)" == *"Access denied for user 'ghost@"*"' (using password: NO)" ]]
	sl-sql -e "CREATE USER 'bob' IDENTIFIED BY 'pw'"
	load_req streamload_example.csv "Authorization: Basic $(b64 bob:pw)" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Message)" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied; you need (at least one of) the (LOAD) privilege(s) for this operation" ]
	# with http_status_codes the code says it
	load_req streamload_example.csv "Authorization: Basic $(b64 bob:pw)" "http_status_codes: true" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 403 Forbidden" ]
	load_req streamload_example.csv "http_status_codes: true" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 401 Unauthorized" ]
	# granted: bob loads
	sl-sql -e "GRANT LOAD_PRIV ON testdb.* TO 'bob'"
	load_req streamload_example.csv "Authorization: Basic $(b64 bob:pw)" "column_separator:," > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Status)" = Success ]
	[ "$(count)" = 10 ]
}

@test "httpd-core: Expect: 100-continue is not answered when auth fails; the connection closes" {
	printf 'PUT %s HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 118\r\n\r\n' "$URL" > req
	run -0 --separate-stderr serve < req
	[[ "$output" != *"100 Continue"* ]]
	[[ "$output" == *$'\r\nConnection: close\r\n'* ]]
	[ "$(body | get Message)" = "[NOT_AUTHORIZED]no valid Basic authorization" ]
}

@test "httpd-core: http_status_codes: data errors are 4xx, success 200" {
	{ head -n 9 streamload_example.csv; echo "11,Extra"; } > bad.csv
	HOST=example.org:8030 load_req bad.csv "$ROOT" "column_separator:," "http_status_codes: true" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 422 Unprocessable Content" ]
	[ "$(body | get Message)" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	# the ErrorURL names the host the client used
	[[ "$(body | get ErrorURL)" == "http://example.org:8030/api/_load_error_log?file=error_log_testdb.test_streamload."* ]]
	load_req streamload_example.csv "$ROOT" "column_separator:," "http_status_codes: true" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	load_req streamload_example.csv "$ROOT" "column_separator:," "http_status_codes: true" "label:x" > req
	serve < req > /dev/null 2>&1
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 409 Conflict" ]
	[ "$(body | get ExistingJobStatus)" = FINISHED ]
}

@test "httpd-core: unknown table and database; the body is drained and the connection kept" {
	{
		printf 'PUT /api/testdb/nope/_stream_load HTTP/1.1\r\n%s\r\nContent-Length: 118\r\n\r\n' "$ROOT"
		cat streamload_example.csv
		printf 'PUT /api/nodb/t/_stream_load HTTP/1.1\r\n%s\r\nContent-Length: 118\r\n\r\n' "$ROOT"
		cat streamload_example.csv
	} > req
	run -0 --separate-stderr serve < req
	[ "$(tr -d '\r' <<<"$output" | get Message | tr '\n' '|')" = "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=nope|[NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=nodb|" ]
}

@test "httpd-core: a body shorter than Content-Length aborts the load; nothing visible, label free" {
	{
		printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nlabel:short\r\nContent-Length: 500\r\n\r\n' "$URL" "$ROOT"
		cat streamload_example.csv
	} > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Status)" = Fail ]
	[ "$(body | get Message)" = "[NETWORK_ERROR]receive body don't equal with body bytes" ]
	[ "$(count)" = 0 ]
	load_req streamload_example.csv "$ROOT" "column_separator:," "label:short" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Status)" = Success ]
	# a truncated chunked body too
	{
		printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nTransfer-Encoding: chunked\r\n\r\n' "$URL" "$ROOT"
		chunked streamload_example.csv | head -c 60
	} > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Message)" = "[NETWORK_ERROR]receive body don't equal with body bytes" ]
	[ "$(count)" = 10 ]
}

@test "httpd-core: a body over streaming_load_max_mb -> E-217, by length and chunked" {
	echo "streaming_load_max_mb = 0" > "$SL_DATA_DIR/sl.conf"
	load_req streamload_example.csv "$ROOT" "column_separator:," > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Message)" = '[E-217]body size 118 exceed BE'"'"'s conf `streaming_load_max_mb` 0. increase it if you are sure this load is reasonable' ]
	[ "$(body | get TxnId)" = -1 ]
	{
		printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nTransfer-Encoding: chunked\r\n\r\n' "$URL" "$ROOT"
		chunked streamload_example.csv
	} > req
	run -0 --separate-stderr serve < req
	[[ "$(body | get Message)" == '[E-217]body size 7 exceed BE'* ]]
	[ "$(body | get Status)" = Fail ]
	[ "$(count)" = 0 ]
}

# Issue 9.6: the seed says "10G by default" (10240 MiB), not Doris 4.0's
# code default 102400: a Content-Length one byte over is refused before a
# byte of body is read, one at the limit is not.
@test "httpd-core: streaming_load_max_mb defaults to 10240 (the seed's 10G)" {
	printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nContent-Length: 10737418241\r\n\r\n' "$URL" "$ROOT" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Message)" = '[E-217]body size 10737418241 exceed BE'"'"'s conf `streaming_load_max_mb` 10737418240. increase it if you are sure this load is reasonable' ]
	printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nContent-Length: 10737418240\r\n\r\n1,a,2\n' "$URL" "$ROOT" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Status)" = Fail ]
	[ "$(body | get Message)" = "[NETWORK_ERROR]receive body don't equal with body bytes" ]
	[ "$(count)" = 0 ]
}

@test "httpd-core: a load past its timeout is killed and aborted; the server answers" {
	mkfifo in
	{
		printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nlabel:slow\r\ntimeout:1\r\nContent-Length: 500\r\n\r\n' "$URL" "$ROOT"
		head -n 3 streamload_example.csv
		sleep 3
	} > in &
	run -0 --separate-stderr serve < in
	[ "$(body | get Status)" = Fail ]
	[[ "$(body | get Message)" == "[TIMEOUT]"* ]]
	[ "$(count)" = 0 ]
	wait
}

@test "httpd-core: 2PC: precommit, commit by txn_id, wrong states, abort by label" {
	load_req streamload_example.csv "$ROOT" "column_separator:," "label:tp1" "two_phase_commit:true" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get TwoPhaseCommit)" = true ]
	id=$(body | get TxnId)
	[ "$(count)" = 0 ]
	tp() { printf 'PUT /api/testdb/_stream_load_2pc HTTP/1.1\r\n%s\r\n' "$ROOT"; for hh in "$@"; do printf '%s\r\n' "$hh"; done; printf '\r\n'; }
	tp "txn_id:$id" "txn_operation:commit" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[ "$(body)" = '{
    "status": "Success",
    "msg": "transaction ['"$id"'] commit successfully."
}' ]
	[ "$(count)" = 10 ]
	tp "txn_id:$id" "txn_operation:commit" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "TStatus: errCode = 2, detailMessage = transaction [$id] is already visible, not pre-committed." ]
	[ "$(body | get status)" = ANALYSIS_ERROR ]
	tp "txn_operation:commit" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "No transaction id or label selected." ]
	[ "$(body | get status)" = FAILED ]
	tp "txn_id:$id" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "No transaction operation('commit' or 'abort') selected." ]
	tp "txn_id:x1" "txn_operation:commit" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "convert txn_id [x1] failed, reason=stoull" ]
	tp "txn_id:1" "txn_operation:COMMIT" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "transaction operation should be 'commit' or 'abort'" ]
	# abort by label, through the {table} form of the path
	load_req streamload_example.csv "$ROOT" "column_separator:," "label:tp2" "two_phase_commit:true" > req
	serve < req > /dev/null 2>&1
	printf 'PUT /api/testdb/test_streamload/_stream_load_2pc HTTP/1.1\r\n%s\r\nlabel:tp2\r\ntxn_operation:abort\r\n\r\n' "$ROOT" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "label [tp2] abort successfully." ]
	[ "$(count)" = 10 ]
	# no auth: the 2PC shape
	printf 'PUT /api/testdb/_stream_load_2pc HTTP/1.1\r\ntxn_id:1\r\ntxn_operation:abort\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(body | get status)" = NOT_AUTHORIZED ]
	[ "$(body | get msg)" = "no valid Basic authorization" ]
	tp "label:nope" "txn_operation:abort" "http_status_codes:true" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 404 Not Found" ]
	[ "$(body | get msg)" = "TStatus: errCode = 2, detailMessage = transaction not found, label=nope" ]
}

@test "httpd-core: 2PC checks LOAD_PRIV on the transaction's own table, through both URLs" {
	sl-sql -e "CREATE TABLE testdb.t2 (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	sl-sql -e "CREATE USER 'eve' IDENTIFIED BY 'pw'"
	sl-sql -e "GRANT LOAD_PRIV ON testdb.t2 TO 'eve'"
	EVE="Authorization: Basic $(b64 eve:pw)"
	load_req streamload_example.csv "$ROOT" "column_separator:," "label:own1" "two_phase_commit:true" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get TwoPhaseCommit)" = true ]
	id=$(body | get TxnId)
	tp2() { printf 'PUT %s HTTP/1.1\r\n%s\r\n' "$1" "$2"; shift 2; for hh in "$@"; do printf '%s\r\n' "$hh"; done; printf '\r\n'; }
	denied="TStatus: errCode = 2, detailMessage = Access denied; you need (at least one of) the (LOAD) privilege(s) for this operation"
	for u in /api/testdb/_stream_load_2pc /api/testdb/t2/_stream_load_2pc; do
		for op in commit abort; do
			for sel in "txn_id:$id" "label:own1" "txn_id: +$id"; do
				tp2 "$u" "$EVE" "$sel" "txn_operation:$op" "http_status_codes:true" > req
				run -0 --separate-stderr serve < req
				[ "$(status_line)" = "HTTP/1.1 403 Forbidden" ]
				[ "$(body | get status)" = ANALYSIS_ERROR ]
				[ "$(body | get msg)" = "$denied" ]
			done
		done
	done
	[ "$(count)" = 0 ]
	# root, with the URL of another table: refused, the txn is not of it
	tp2 /api/testdb/t2/_stream_load_2pc "$ROOT" "txn_id:$id" "txn_operation:abort" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get status)" = ANALYSIS_ERROR ]
	[ "$(body | get msg)" = "TStatus: errCode = 2, detailMessage = transaction [$id] is not a load into table t2" ]
	# eve's own precommitted load on t2 is hers to commit
	printf 'PUT /api/testdb/t2/_stream_load HTTP/1.1\r\n%s\r\nlabel:eve1\r\ntwo_phase_commit:true\r\nContent-Length: 2\r\n\r\n7\n' "$EVE" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Status)" = Success ]
	tp2 /api/testdb/_stream_load_2pc "$EVE" "label:eve1" "txn_operation:commit" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "label [eve1] commit successfully." ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.t2')" = 1 ]
	# the owner still commits, through the db URL and the table URL
	tp2 /api/testdb/test_streamload/_stream_load_2pc "$ROOT" "txn_id:$id" "txn_operation:commit" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "transaction [$id] commit successfully." ]
	[ "$(count)" = 10 ]
	# an unknown txn still needs a LOAD grant in the database
	sl-sql -e "CREATE USER 'nobody2' IDENTIFIED BY 'pw'"
	tp2 /api/testdb/_stream_load_2pc "Authorization: Basic $(b64 nobody2:pw)" "txn_id:999999" "txn_operation:abort" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "$denied" ]
	tp2 /api/testdb/_stream_load_2pc "$EVE" "txn_id:999999" "txn_operation:abort" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get msg)" = "TStatus: errCode = 2, detailMessage = transaction [999999] not found" ]
}

@test "httpd-core: the error log route serves error logs and nothing else" {
	{ head -n 9 streamload_example.csv; echo "11,Extra"; } > bad.csv
	load_req bad.csv "$ROOT" "column_separator:," "max_filter_ratio:0.2" > req
	run -0 --separate-stderr serve < req
	url=$(body | get ErrorURL)
	file=${url#http://127.0.0.1:8030/api/_load_error_log?file=}
	[ "$file" != "$url" ]
	printf 'GET /api/_load_error_log?file=%s HTTP/1.1\r\n\r\n' "$file" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[[ "$output" == *$'\r\nContent-Type: text/plain; charset=utf-8\r\n'* ]]
	[ "$(body)" = 'Reason: Column count mismatch: expected 3, but found 2 (sep:, delim:\n). src line [11,Extra]; ' ]
	# HEAD: the headers with the length, no body
	printf 'HEAD /api/_load_error_log?file=%s HTTP/1.1\r\n\r\n' "$file" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[[ "$output" == *$'Content-Length: '"$(wc -c < "$SL_DATA_DIR/_error_log/$file")"$'\r\n'* ]]
	[ -z "$(body)" ]
	printf 'GET /api/_load_error_log HTTP/1.1\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(body)" = "parameter file not specified in url." ]
	echo secret > "$BATS_TEST_TMPDIR/secret"
	for f in ../../etc/passwd ..%2F..%2Fetc%2Fpasswd %2e%2e%2fsecret ../secret /etc/passwd %2Fetc%2Fpasswd \
		..%252f..%252fetc%252fpasswd .. . .hidden 'a/../../secret' '%2e%2e'; do
		printf 'GET /api/_load_error_log?file=%s HTTP/1.1\r\n\r\n' "$f" > req
		run -0 --separate-stderr serve < req
		[ "$(status_line)" = "HTTP/1.1 401 Unauthorized" ]
		[[ "$output" != *root:* && "$output" != *secret* ]]
	done
	printf 'GET /api/_load_error_log?file=error_log_nope HTTP/1.1\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 404 Not Found" ]
	# a symlink in the directory is not followed
	ln -s /etc/passwd "$SL_DATA_DIR/_error_log/error_log_link"
	printf 'GET /api/_load_error_log?file=error_log_link HTTP/1.1\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 404 Not Found" ]
	# a path that climbs out of the route itself
	printf 'GET /api/_load_error_log/../../../etc/passwd HTTP/1.1\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[[ "$(status_line)" == "HTTP/1.1 40"[04]* ]]
	[[ "$output" != *root:* ]]
}

@test "httpd-core: error log names carry 128 random bits; two loads have unrelated ones" {
	{ head -n 9 streamload_example.csv; echo "11,Extra"; } > bad.csv
	local i names=()
	for i in 1 2; do
		load_req bad.csv "$ROOT" "column_separator:," "max_filter_ratio:0.2" "label:rnd$i" > req
		run -0 --separate-stderr serve < req
		url=$(body | get ErrorURL)
		names+=("${url#http://127.0.0.1:8030/api/_load_error_log?file=}")
	done
	id1=$(sed -n 's/.*_\([0-9]*\)_[0-9a-f]*$/\1/p' <<<"${names[0]}")
	[[ "${names[0]}" =~ ^error_log_testdb\.test_streamload\.rnd1_[0-9]+_[0-9a-f]{32}$ ]]
	[[ "${names[1]}" =~ ^error_log_testdb\.test_streamload\.rnd2_[0-9]+_[0-9a-f]{32}$ ]]
	[ -f "$SL_DATA_DIR/_error_log/${names[0]}" ] && [ -f "$SL_DATA_DIR/_error_log/${names[1]}" ]
	r1=${names[0]##*_} r2=${names[1]##*_}
	# unrelated: not equal, not one after the other, about half the bits differ
	[ "$r1" != "$r2" ]
	local x=$(( 16#${r1:0:15} ^ 16#${r2:0:15} )) bits=0
	while [ "$x" -gt 0 ]; do bits=$((bits + (x & 1))); x=$((x >> 1)); done
	[ "$bits" -ge 8 ] && [ "$bits" -le 52 ]
	# the name without its random part is not served
	printf 'GET /api/_load_error_log?file=%s HTTP/1.1\r\n\r\n' "error_log_testdb.test_streamload.rnd1_$id1" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 404 Not Found" ]
}

@test "httpd-core: error_log_requires_auth: off, no auth; on, 401 without it, 403 without a grant, 200 with LOAD or SELECT" {
	{ head -n 9 streamload_example.csv; echo "11,Extra"; } > bad.csv
	load_req bad.csv "$ROOT" "column_separator:," "max_filter_ratio:0.2" > req
	run -0 --separate-stderr serve < req
	url=$(body | get ErrorURL)
	file=${url#http://127.0.0.1:8030/api/_load_error_log?file=}
	want='Reason: Column count mismatch: expected 3, but found 2 (sep:, delim:\n). src line [11,Extra]; '
	getlog() { printf 'GET /api/_load_error_log?file=%s HTTP/1.1\r\n%s\r\n' "${2:-$file}" "${1:+$1$'\r\n'}" > req; run -0 --separate-stderr serve < req; }
	# off (the default): Doris's unauthenticated ErrorURL
	getlog ""
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[ "$(body)" = "$want" ]
	echo "error_log_requires_auth = true" >> "$SL_DATA_DIR/sl.conf"
	getlog ""
	[ "$(status_line)" = "HTTP/1.1 401 Unauthorized" ]
	[[ "$output" == *$'\r\nWWW-Authenticate: Basic realm="Restricted"\r\n'* ]]
	[[ "$output" != *"Column count"* ]]
	sl-sql -e "CREATE USER 'ann' IDENTIFIED BY 'pw'"
	sl-sql -e "CREATE TABLE testdb.t2 (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	ANN="Authorization: Basic $(b64 ann:pw)"
	getlog "Authorization: Basic $(b64 ann:wrong)"
	[ "$(status_line)" = "HTTP/1.1 401 Unauthorized" ]
	getlog "$ANN"
	[ "$(status_line)" = "HTTP/1.1 403 Forbidden" ]
	[[ "$output" != *"Column count"* ]]
	sl-sql -e "GRANT LOAD_PRIV ON testdb.t2 TO 'ann'"
	getlog "$ANN"
	[ "$(status_line)" = "HTTP/1.1 403 Forbidden" ]
	sl-sql -e "GRANT SELECT_PRIV ON testdb.test_streamload TO 'ann'"
	getlog "$ANN"
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[ "$(body)" = "$want" ]
	sl-sql -e "REVOKE SELECT_PRIV ON testdb.test_streamload FROM 'ann'"
	sl-sql -e "GRANT LOAD_PRIV ON testdb.test_streamload TO 'ann'"
	getlog "$ANN"
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	getlog "$ROOT"
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	# a log whose name says no table is root's only
	cp "$SL_DATA_DIR/_error_log/$file" "$SL_DATA_DIR/_error_log/error_log_old"
	getlog "$ANN" error_log_old
	[ "$(status_line)" = "HTTP/1.1 403 Forbidden" ]
	getlog "$ROOT" error_log_old
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	# the setting back off: no auth again
	echo "error_log_requires_auth = false" >> "$SL_DATA_DIR/sl.conf"
	getlog ""
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
}

@test "httpd-core: health needs no auth" {
	printf 'GET /api/health HTTP/1.1\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[ "$(body)" = '{"status": "OK", "msg": "To Be Added"}' ]
}

@test "httpd-core: the query API runs SQL in Doris's JSON; errors and auth" {
	load_req streamload_example.csv "$ROOT" "column_separator:," > req
	serve < req > /dev/null 2>&1
	q='{"stmt": "select count(*) from test_streamload"}'
	printf 'POST /api/query/default_cluster/testdb HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' "$ROOT" "${#q}" "$q" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[ "$(body)" = '{"msg":"success","code":0,"data":{"type":"result_set","meta":[{"name":"count(*)","type":"BIGINT"}],"data":[[10]]},"count":0}' ]
	q='{"stmt": "select user_id, name from test_streamload where user_id = 1"}'
	printf 'POST /api/query/default_cluster/testdb HTTP/1.1\r\n%s\r\nContent-Length: %d\r\n\r\n%s' "$ROOT" "${#q}" "$q" > req
	run -0 --separate-stderr serve < req
	[[ "$(body)" == *'"data":[[1,"Emily"]]'* ]]
	q='{"stmt": "select nope from test_streamload"}'
	printf 'POST /api/query/default_cluster/testdb HTTP/1.1\r\n%s\r\nContent-Length: %d\r\n\r\n%s' "$ROOT" "${#q}" "$q" > req
	run -0 --separate-stderr serve < req
	[[ "$(body)" == '{"msg":"'*'nope'*'","code":1,"data":null,"count":0}' ]]
	q='not json'
	printf 'POST /api/query/default_cluster/testdb HTTP/1.1\r\n%s\r\nContent-Length: %d\r\n\r\n%s' "$ROOT" "${#q}" "$q" > req
	run -0 --separate-stderr serve < req
	[[ "$(body)" == *'"code":1,"data":null'* ]]
	q='{"stmt": "select 1"}'
	printf 'POST /api/query/default_cluster/testdb HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s' "${#q}" "$q" > req
	run -0 --separate-stderr serve < req
	[ "$(body)" = '{"msg":"[NOT_AUTHORIZED]no valid Basic authorization","code":1,"data":null,"count":0}' ]
}

@test "httpd-core: the stream load record lists the loads of a database" {
	load_req streamload_example.csv "$ROOT" "column_separator:," "label:rec1" "comment:first" > req
	serve < req > /dev/null 2>&1
	printf 'GET /api/testdb/_stream_load_record HTTP/1.1\r\n%s\r\n\r\n' "$ROOT" > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	[[ "$(body)" == *'"Label": "rec1", "Db": "testdb", "Table": "test_streamload"'*'"Status": "Success"'*'"LoadedRows": 10'*'"User": "root", "Comment": "first"'* ]]
	printf 'GET /api/nodb/_stream_load_record HTTP/1.1\r\n%s\r\n\r\n' "$ROOT" > req
	run -0 --separate-stderr serve < req
	[[ "$(body)" == *'unknown database, database=nodb'* ]]
}

@test "httpd-core: redirect mode answers the load routes with 307, round-robin" {
	printf 'PUT %s?x=1 HTTP/1.1\r\n%s\r\nContent-Length: 0\r\n\r\nPUT %s HTTP/1.1\r\n%s\r\nContent-Length: 0\r\n\r\n' "$URL" "$ROOT" "$URL" "$ROOT" > req
	run -0 --separate-stderr serve --redirect-to 127.0.0.1:1,127.0.0.1:2 < req
	[ "$(status_line)" = "HTTP/1.1 307 Temporary Redirect" ]
	[[ "$output" == *$'Location: http://127.0.0.1:1'"$URL"$'?x=1\r\n'* ]]
	[[ "$output" == *$'Location: http://127.0.0.1:2'"$URL"$'\r\n'* ]]
}

@test "httpd-core: unknown routes and methods -> 404 Not Found" {
	for r in "GET / HTTP/1.1" "GET /api/nothing HTTP/1.1" "DELETE $URL HTTP/1.1" "GET $URL HTTP/1.1" \
		"PUT /api/testdb/_stream_load HTTP/1.1" "GET /index.html HTTP/1.1"; do
		printf '%s\r\n\r\n' "$r" > req
		run -0 --separate-stderr serve < req
		[ "$(status_line)" = "HTTP/1.1 404 Not Found" ]
		[ "$(body)" = "Not Found" ]
	done
}

@test "httpd-core: malformed requests: bad %xx, bad request lines, oversize line and headers" {
	for t in '/api/%zz' '/api/%4' '/api/he%00alth' '/api/health?x=%g1'; do
		printf 'GET %s HTTP/1.1\r\n\r\n' "$t" > req
		run -0 --separate-stderr serve < req
		[ "$(status_line)" = "HTTP/1.1 400 Bad Request" ]
		[[ "$output" == *$'Connection: close\r\n'* ]]
	done
	# ..%2F above the root
	printf 'GET /%%2e%%2e/%%2e%%2e/etc/passwd HTTP/1.1\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 400 Bad Request" ]
	# a percent-encoded route still routes once decoded
	printf 'GET /api/%%68ealth HTTP/1.1\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 200 OK" ]
	for l in "GET" "GET /api/health" "GET /api/health HTTP/1.1 x" "GET  /api/health HTTP/1.1" "GET /api/health FTP/1.0"; do
		printf '%s\r\n\r\n' "$l" > req
		run -0 --separate-stderr serve < req
		[ "$(status_line)" = "HTTP/1.1 400 Bad Request" ]
	done
	printf 'GET /api/health HTTP/2.0\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 505 HTTP Version Not Supported" ]
	{ printf 'GET /api/health?'; head -c 9000 /dev/zero | tr '\0' a; printf ' HTTP/1.1\r\n\r\n'; } > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 414 URI Too Long" ]
	{ printf 'GET /api/health HTTP/1.1\r\nX-Big: '; head -c 70000 /dev/zero | tr '\0' a; printf '\r\n\r\n'; } > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 431 Request Header Fields Too Large" ]
	{ printf 'GET /api/health HTTP/1.1\r\n'; for i in $(seq 1 101); do printf 'X-H%d: v\r\n' "$i"; done; printf '\r\n'; } > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 431 Request Header Fields Too Large" ]
	printf 'GET /api/health HTTP/1.1\r\nBad Header: x\r\n\r\n' > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 400 Bad Request" ]
	printf 'GET /api/health HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx' > req
	run -0 --separate-stderr serve < req
	[ "$(status_line)" = "HTTP/1.1 400 Bad Request" ]
	# the log maps raw bytes to '?'
	printf 'GET /\001\377 HTTP/1.1\r\n\r\n' > req
	run -0 --separate-stderr serve -v 2 < req
	[ "$(status_line)" = "HTTP/1.1 400 Bad Request" ]
	[[ "$stderr" != *$'\001'* ]]
}

@test "httpd-core: unit tests of the request head and chunk parser" {
	run -0 --separate-stderr "$SL_UNIT/test-httphead"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "httpd-core: a NUL or a control byte in the request line is refused, not cut there" {
	for l in '\000GET /api/health HTTP/1.1' 'G\001ET /api/health HTTP/1.1' 'GET /api/health\000/x HTTP/1.1' \
		'GET /api/health HTTP/1.1\000'; do
		printf "$l\r\n\r\n" > req
		run -0 --separate-stderr serve < req
		[ "$(status_line)" = "HTTP/1.1 400 Bad Request" ]
	done
}

@test "httpd-core: a slow client is dropped after the read timeout" {
	echo "http_read_timeout_ms = 300" > "$SL_DATA_DIR/sl.conf"
	mkfifo in
	{ printf 'GET /api/health HTTP/1.1\r\n'; sleep 2; } > in &
	start=$(date +%s%N)
	run -0 --separate-stderr serve < in
	end=$(date +%s%N)
	[ $(( (end - start) / 1000000 )) -lt 1500 ]
	[ -z "$output" ]
	wait
}

@test "httpd-core: header names are case-insensitive; the first occurrence wins" {
	{
		printf 'PUT %s HTTP/1.1\r\n%s\r\nCOLUMN_SEPARATOR:,\r\nLabel:first\r\nlabel:second\r\ncontent-length: 118\r\n\r\n' "$URL" "$ROOT"
		cat streamload_example.csv
	} > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Status)" = Success ]
	[ "$(body | get Label)" = first ]
}

@test "httpd-core: a stage killed mid-load -> Fail, nothing visible, stages reaped, label free" {
	mkfifo in
	sl-httpd --inetd --data-dir "$SL_DATA_DIR" < in > out 2> err &
	sp=$!
	exec 7> in
	printf 'PUT %s HTTP/1.1\r\n%s\r\ncolumn_separator:,\r\nlabel:kill1\r\nContent-Length: 118\r\n\r\n' "$URL" "$ROOT" >&7
	head -n 5 streamload_example.csv >&7
	for i in $(seq 50); do mp=$(pgrep -P "$sp" -x sl-map) && break; sleep 0.1; done
	[ -n "$mp" ]
	kill -9 "$mp"
	tail -n +6 streamload_example.csv >&7
	exec 7>&-
	wait "$sp"
	output=$(cat out)
	[ "$(body | get Status)" = Fail ]
	# sl-commit answers the X of the stage after sl-map, or load.c the log
	[[ "$(body | get Message)" == "[INTERNAL_ERROR]"* ]]
	[[ "$(cat err)" == *"sl-map killed by signal 9"* ]]
	[ -z "$(pgrep -P "$sp")" ]
	[ "$(count)" = 0 ]
	load_req streamload_example.csv "$ROOT" "column_separator:," "label:kill1" > req
	run -0 --separate-stderr serve < req
	[ "$(body | get Status)" = Success ]
}
