#!/usr/bin/env bats
# sl-mysqld --metrics: GET /metrics on its own address in Prometheus's text
# format (checked by promtool), its counters after a known sequence of
# MySQL clients (queries, a syntax error, a wrong password, a connection
# over -c), 404 for anything else, and scrapers that are too large, too
# slow or too many dropped without holding the MySQL clients back. The
# --metrics port is learnt from -1's second line (--metrics 127.0.0.1:0).
load test_helper
load mysqld_helper

setup() {
	setup_data_dir
	command -v mysql > /dev/null || skip "mysql (mariadb-client) is not installed"
	command -v curl > /dev/null || skip "curl is not installed"
	server_pid=
}

teardown() {
	exec 5>&- 2> /dev/null || true
	[ -z "${hold_pid:-}" ] || { kill "$hold_pid" 2> /dev/null; wait "$hold_pid" 2> /dev/null || true; }
	mysqld_stop
}

# mstart [ARGS...]: sl-mysqld with --metrics on a free port ($mport)
mstart() {
	local l i
	mysqld_start --metrics 127.0.0.1:0 "$@"
	for ((i = 0; i < 500; i++)); do
		l=$(sed -n 2p "$BATS_TEST_TMPDIR/mysqld.port")
		[ -n "$l" ] && break
		sleep 0.02
	done
	[ -n "$l" ]
	mport=${l##*:}
	[ "$mport" != "$port" ]
}

my() { mysql -h127.0.0.1 -P"$port" -uroot "$@"; }
metrics() { curl -sS --max-time 10 "http://127.0.0.1:$mport/metrics"; }
# value SERIES: the value of one series of the last metrics in m.txt
value() { awk -v s="$1 " 'index($0, s) == 1 { print $NF }' m.txt; }
# wait_value SERIES V: until /metrics shows V (a connection's counters are
# added once its answer is sent: 10 s at most)
wait_value() {
	local i
	for ((i = 0; i < 200; i++)); do
		metrics > m.txt
		[ "$(value "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "$1 is $(value "$1"), not $2" >&2
	return 1
}

@test "ops-mysqld-metrics: /metrics passes promtool; its counters match a known sequence of clients" {
	command -v promtool > /dev/null || skip "promtool (Debian prometheus) is not installed"
	mstart
	run -0 metrics
	promtool check metrics <<<"$output"
	[ "$(awk '/^streamload_mysql_statements_total/ { s += $NF } END { print s }' <<<"$output")" = 0 ]
	run -0 my -N -e "SELECT 1"
	run -0 my -N -e "SELECT 40 + 2"
	[ "$output" = 42 ]
	run -1 my -e "SELEC 1"
	[[ "$output" == *"ERROR 1064"* ]]
	run -1 mysql -h127.0.0.1 -P"$port" -uroot -pwrong -e "SELECT 1"
	[[ "$output" == *"ERROR 1045"* ]]
	wait_value 'streamload_mysql_statements_total{result="error"}' 1
	wait_value streamload_mysql_connections_in_flight 0
	promtool check metrics < m.txt
	[ "$(value streamload_mysql_connections_accepted_total)" = 4 ]
	[ "$(value streamload_mysql_connections_refused_total)" = 0 ]
	[ "$(value streamload_mysql_login_failures_total)" = 1 ]
	[ "$(value 'streamload_mysql_statements_total{result="ok"}')" = 2 ]
	[ "$(value 'streamload_mysql_commands_total{command="COM_QUERY",result="ok"}')" = 2 ]
	[ "$(value 'streamload_mysql_commands_total{command="COM_QUERY",result="error"}')" = 1 ]
	[ "$(value streamload_mysql_statement_duration_seconds_count)" = 3 ]
	[ "$(value 'streamload_mysql_statement_duration_seconds_bucket{le="+Inf"}')" = 3 ]
	grep -q '^# TYPE streamload_mysql_statement_duration_seconds histogram$' m.txt
	grep -q '^# TYPE streamload_mysql_connections_in_flight gauge$' m.txt
	# the answer is HTTP/1.0 with the exposition's content type
	run -0 curl -sS -i --max-time 10 "http://127.0.0.1:$mport/metrics"
	[[ "${lines[0]}" == "HTTP/1.0 200 OK"* ]]
	[[ "$output" == *"Content-Type: text/plain; version=0.0.4; charset=utf-8"* ]]
}

@test "ops-mysqld-metrics: a connection held open is in flight; one over -c is refused and counted" {
	mstart -c 1
	mkfifo hold
	my -N < hold > held.out 2>&1 &
	hold_pid=$!
	exec 5> hold
	wait_value streamload_mysql_connections_in_flight 1
	run -1 my -e "SELECT 1"
	[[ "$output" == *"Too many connections"* ]]
	wait_value streamload_mysql_connections_refused_total 1
	echo "SELECT 7 * 6;" >&5
	exec 5>&-
	wait "$hold_pid"
	hold_pid=
	[ "$(cat held.out)" = 42 ]
	wait_value streamload_mysql_connections_in_flight 0
	[ "$(value streamload_mysql_connections_accepted_total)" = 1 ]
	[ "$(value 'streamload_mysql_statements_total{result="ok"}')" = 1 ]
}

@test "ops-mysqld-metrics: anything but GET or HEAD /metrics gets 404" {
	mstart
	run -0 curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$mport/"
	[ "$output" = 404 ]
	run -0 curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$mport/metricsx"
	[ "$output" = 404 ]
	run -0 curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X POST "http://127.0.0.1:$mport/metrics"
	[ "$output" = 404 ]
	run -0 curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$mport/metrics?x=1"
	[ "$output" = 200 ]
	run -0 curl -sS -I --max-time 10 "http://127.0.0.1:$mport/metrics"
	[[ "${lines[0]}" == "HTTP/1.0 200 OK"* ]]
	# the MySQL port does not speak HTTP, nor the metrics port MySQL
	run -1 my --connect-timeout=5 -P"$mport" -e "SELECT 1"
}

@test "ops-mysqld-metrics: oversized, slow and too many scrapes are dropped; MySQL clients go on" {
	mstart
	# a request head over 4096 bytes: 431, closed
	run -0 curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H "X-Big: $(head -c 5000 /dev/zero | tr '\0' a)" \
		"http://127.0.0.1:$mport/metrics"
	[ "$output" = 431 ]
	# eight scrapers that never finish their request hold every scrape
	# slot: the next scrape is closed unanswered at once
	local i pids=() start end
	for i in 1 2 3 4 5 6 7 8; do
		timeout 12 bash -c 'exec 3<> "/dev/tcp/127.0.0.1/$1"; printf "GET /metr" >&3; : > "$2"; cat <&3' \
			slow "$mport" "conn$i" > "slow$i.out" 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < 200; i++)); do [ "$(ls conn* 2> /dev/null | wc -l)" = 8 ] && break; sleep 0.05; done
	sleep 0.5
	start=$(date +%s)
	run ! curl -sS --max-time 3 "http://127.0.0.1:$mport/metrics"
	# closed unread: an empty reply, or a reset when the request was in
	[[ "$output" == *"Empty reply"* || "$output" == *"reset by peer"* ]]
	# MySQL clients are served meanwhile, promptly
	run -0 my -N -e "SELECT 1 + 1"
	[ "$output" = 2 ]
	[ $(($(date +%s) - start)) -lt 3 ]
	# the slow ones are closed past 5 s without an answer
	for i in "${pids[@]}"; do wait "$i" || true; done
	end=$(date +%s)
	[ $((end - start)) -ge 3 ] && [ $((end - start)) -lt 7 ]
	for i in 1 2 3 4 5 6 7 8; do [ ! -s "slow$i.out" ]; done
	# a scrape is answered again once they are gone
	run -0 metrics
	[[ "$output" == *"streamload_mysql_statements_total{result=\"ok\"} 1"* ]]
}

@test "ops-mysqld-metrics: --metrics is refused with --inetd, and malformed like --listen" {
	run -100 sl-mysqld --inetd --metrics 127.0.0.1:0
	[[ "$output" == *"--metrics is not supported with --inetd"* ]]
	run -100 sl-mysqld --listen 127.0.0.1:0 --metrics nohost
	run -100 sl-mysqld --listen 127.0.0.1:0 --metrics
}

@test "ops-mysqld-metrics: --inetd processes keep their counters in DATA_DIR/_metrics/sl-mysqld" {
	command -v systemd-socket-activate > /dev/null || skip "no systemd-socket-activate"
	local p pid i
	p=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	systemd-socket-activate -l "127.0.0.1:$p" --accept --inetd -E SL_DATA_DIR="$SL_DATA_DIR" \
		"$SL_BIN/sl-mysqld" --inetd 2> "$BATS_TEST_TMPDIR/inetd.err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do mysql -h127.0.0.1 -P"$p" -uroot -N -e "SELECT 40 + 2" > out 2>&1 && break; sleep 0.05; done
	kill "$pid" 2> /dev/null || true; wait "$pid" || true
	[ "$(cat out)" = 42 ]
	[ -s "$SL_DATA_DIR/_metrics/sl-mysqld" ]
	! grep -q -e 'AddressSanitizer' -e 'runtime error:' "$BATS_TEST_TMPDIR/inetd.err"
}
