#!/usr/bin/env bats
# sl-httpd for its operator: GET /metrics in Prometheus's text format
# (checked by promtool, counters after a known sequence of loads, shared by
# the connection processes, and by --inetd processes through a file under
# the data directory), loads in flight, GET /api/health failing on a data
# directory that takes no writes, and the Date header of every answer.
load test_helper

URL=/api/testdb/test_streamload/_stream_load

setup() {
	setup_data_dir
	seed_table
}

teardown() {
	httpd_stop
	exec 7>&- 2>/dev/null || true
	[ -z "${imm:-}" ] || chattr -i "$imm" 2>/dev/null || true
}

metrics() { curl -sS --max-time 10 "http://127.0.0.1:$port/metrics"; }
# value SERIES: the value of one series of the last metrics in m.txt
value() { awk -v s="$1 " 'index($0, s) == 1 { print $NF }' m.txt; }
load() { curl -sS --max-time 30 -H column_separator:, -H columns:user_id,name,age "$@" "http://127.0.0.1:$port$URL"; }
# wait_inflight N: until /metrics shows N loads in flight (10 s at most)
wait_inflight() {
	local i
	for i in $(seq 1 200); do
		metrics > m.txt
		[ "$(value streamload_loads_in_flight)" = "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
json_get() { sed -n -E "s/^ *\"$1\": \"?([^\",]*)\"?,?\$/\\1/p"; }

@test "ops-metrics: /metrics passes promtool; its counters match a known sequence of loads" {
	command -v promtool >/dev/null || skip "promtool (Debian prometheus) is not installed"
	# -c 2: each connection its own process, the counters shared
	httpd_start -c 2
	run -0 metrics
	promtool check metrics <<<"$output"
	printf '1,a,1\nx,b,2\n3,c,3\n' > bad.csv
	run -0 load -u root: -H label:m1 -T streamload_example.csv
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 load -u root: -H label:m2 -T streamload_example.csv
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 load -u root: -H label:m3 -H strict_mode:true -T bad.csv
	[ "$(json_get Status <<<"$output")" = Fail ]
	filtered=$(json_get NumberFilteredRows <<<"$output")
	[ "$filtered" -ge 1 ]
	# a wrong password: an auth failure, answered Status Fail like Doris
	run -0 load -u root:wrong -H label:m4 -T streamload_example.csv
	[ "$(json_get Status <<<"$output")" = Fail ]
	metrics > m.txt
	promtool check metrics < m.txt
	[ "$(value 'streamload_loads_total{status="Success"}')" = 2 ]
	[ "$(value 'streamload_loads_total{status="Fail"}')" = 2 ]
	[ "$(value 'streamload_loads_total{status="Label Already Exists"}')" = 0 ]
	[ "$(value streamload_rows_loaded_total)" = 20 ]
	[ "$(value streamload_rows_filtered_total)" = "$filtered" ]
	[ "$(value streamload_received_bytes_total)" = $((118 * 2 + $(wc -c < bad.csv))) ]
	[ "$(value streamload_auth_failures_total)" = 1 ]
	[ "$(value streamload_loads_in_flight)" = 0 ]
	[ "$(value streamload_load_duration_seconds_count)" = 4 ]
	[ "$(value 'streamload_load_duration_seconds_bucket{le="+Inf"}')" = 4 ]
	[ "$(value 'streamload_requests_total{route="stream_load",code="200"}')" = 4 ]
	[ "$(value 'streamload_requests_total{route="metrics",code="200"}')" = 1 ]
	# per table: the loads that began a transaction (not the refused one)
	[ "$(value 'streamload_table_loads_total{db="testdb",table="test_streamload",status="Success"}')" = 2 ]
	[ "$(value 'streamload_table_loads_total{db="testdb",table="test_streamload",status="Fail"}')" = 1 ]
	[ "$(value 'streamload_table_rows_loaded_total{db="testdb",table="test_streamload"}')" = 20 ]
	# requests by route and code: a 404 and a health check
	curl -sS -o /dev/null "http://127.0.0.1:$port/nothing"
	curl -sS -o /dev/null "http://127.0.0.1:$port/api/health"
	metrics > m.txt
	[ "$(value 'streamload_requests_total{route="other",code="404"}')" = 1 ]
	[ "$(value 'streamload_requests_total{route="health",code="200"}')" = 1 ]
	[ "$(value 'streamload_requests_total{route="metrics",code="200"}')" = 2 ]
	grep -q '^# TYPE streamload_load_duration_seconds histogram$' m.txt
	grep -q '^# TYPE streamload_loads_in_flight gauge$' m.txt
}

@test "ops-metrics: a load in flight is counted while it runs, and not after" {
	httpd_start
	mkfifo body
	curl -sS --max-time 60 -u root: -H column_separator:, -H columns:user_id,name,age -H label:fl1 \
		-T - "http://127.0.0.1:$port$URL" < body > fl.out 3>&- &
	cpid=$!
	exec 7> body
	head -n 3 streamload_example.csv >&7
	wait_inflight 1
	exec 7>&-
	wait "$cpid"
	grep -q '"Status": "Success"' fl.out
	metrics > m.txt
	[ "$(value streamload_loads_in_flight)" = 0 ]
	[ "$(value 'streamload_loads_total{status="Success"}')" = 1 ]
}

@test "ops-metrics: a connection process killed inside a load is not left in flight" {
	httpd_start
	mkfifo body
	curl -sS --max-time 60 -u root: -H column_separator:, -H label:k1 \
		-T - "http://127.0.0.1:$port$URL" < body > k.out 3>&- &
	cpid=$!
	exec 7> body
	printf '1,a,1\n' >&7
	wait_inflight 1
	# the connection process of the load (the one in a load stage's group)
	for kid in $(pgrep -P "$server_pid"); do
		[ -n "$(pgrep -g "$kid" | grep -v "^$kid\$")" ] && kill -KILL -- "-$kid"
	done
	exec 7>&-
	wait "$cpid" || true
	wait_inflight 0
}

@test "ops-metrics: --inetd processes add to DATA_DIR/_metrics/sl-httpd" {
	command -v promtool >/dev/null || skip "promtool (Debian prometheus) is not installed"
	for l in i1 i2; do
		{
			printf 'PUT %s HTTP/1.1\r\nHost: h\r\nAuthorization: Basic %s\r\n' "$URL" "$(printf root: | base64)"
			printf 'column_separator: ,\r\nlabel: %s\r\nConnection: close\r\nContent-Length: 118\r\n\r\n' "$l"
			cat streamload_example.csv
		} | sl-httpd --inetd -v 0 > out
		grep -q '"Status": "Success"' out
	done
	[ -f "$SL_DATA_DIR/_metrics/sl-httpd" ]
	printf 'GET /metrics HTTP/1.0\r\n\r\n' | sl-httpd --inetd -v 0 > out
	tr -d '\r' < out | awk 'b { print } /^$/ { b = 1 }' > m.txt
	grep -q '^Content-Type: text/plain; version=0.0.4; charset=utf-8' <(tr -d '\r' < out)
	promtool check metrics < m.txt
	[ "$(value 'streamload_loads_total{status="Success"}')" = 2 ]
	[ "$(value streamload_rows_loaded_total)" = 20 ]
	# the data directory is no database
	run -0 sl-sql -N -B -e 'SHOW DATABASES'
	[[ "$output" != *_metrics* ]]
}

@test "ops-metrics: health answers 503 with Doris-style JSON on a data directory that takes no writes" {
	httpd_start
	run -0 curl -sS -i "http://127.0.0.1:$port/api/health"
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" == *'{"status": "OK", "msg": "To Be Added"}' ]]
	# As root, chmod a-w does not stop writes. An immutable directory
	# (chattr +i, ext4/xfs/btrfs/tmpfs) refuses them to root too (EPERM).
	checked=0
	if chattr +i "$SL_DATA_DIR" 2>/dev/null; then
		imm=$SL_DATA_DIR
		checked=1
		run -0 curl -sS -i "http://127.0.0.1:$port/api/health"
		chattr -i "$SL_DATA_DIR"
		imm=
		[[ "$output" == "HTTP/1.1 503 Service Unavailable"* ]]
		[[ "$output" == *'{"status": "Fail", "msg": "the data directory is not writable: Operation not permitted"}' ]]
		grep -q 'health: .*not writable' "$BATS_TEST_TMPDIR/server.err"
	fi
	# A read-only bind mount of the data directory (EROFS), in a mount
	# namespace of its own (unshare -m: root in a container may lack it).
	if unshare -m true 2>/dev/null; then
		checked=1
		printf 'GET /api/health HTTP/1.0\r\n\r\n' > req
		run -0 unshare -m sh -c 'mount --bind "$SL_DATA_DIR" "$SL_DATA_DIR" &&
			mount -o remount,bind,ro "$SL_DATA_DIR" && exec sl-httpd --inetd -v 0' < req
		[[ "$output" == "HTTP/1.1 503 Service Unavailable"* ]]
		[[ "$output" == *'{"status": "Fail", "msg": "the data directory is not writable: Read-only file system"}' ]]
	fi
	# the probe leaves nothing behind
	[ -z "$(ls -A "$SL_DATA_DIR" | grep health)" ]
	run -0 curl -sS -i "http://127.0.0.1:$port/api/health"
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[ "$checked" = 1 ] || skip "neither chattr +i nor a read-only bind mount (unshare -m) works here"
}

@test "ops-metrics: every answer carries an IMF-fixdate Date header" {
	httpd_start
	date_re='^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$'
	for path in /api/health /metrics /nothing; do
		curl -sS -D hdr -o /dev/null "http://127.0.0.1:$port$path"
		tr -d '\r' < hdr | grep -Eq "$date_re"
	done
	curl -sS -D hdr -o /dev/null -u root: -H column_separator:, -T streamload_example.csv "http://127.0.0.1:$port$URL"
	tr -d '\r' < hdr | grep -Eq "$date_re"
	# within a few seconds of now, as the client reads it
	d=$(tr -d '\r' < hdr | sed -n 's/^Date: //p')
	[ $(( $(date +%s) - $(date -d "$d" +%s) )) -le 5 ]
	# a malformed request too
	printf 'BAD\r\n\r\n' | sl-httpd --inetd -v 0 | tr -d '\r' | grep -Eq "$date_re"
}

@test "ops-metrics: unit tests of the shared counters and the access log line" {
	run -0 --separate-stderr "$SL_UNIT/test-metrics"
	[[ "$output" == *" passed, 0 failed" ]]
}
