#!/usr/bin/env bats
# sl-httpd's outer layer: options, --listen and -1 readiness, systemd
# LISTEN_FDS and a listening fd 0, --inetd with tcpserver/systemd variables,
# -c, the empty-root-password refusal, -U, SIGTERM, redirect mode.
# Servers listen on 127.0.0.1 only and are stopped by PID in teardown.
load test_helper

USAGE='sl-httpd: usage: sl-httpd [--data-dir D] [--listen ADDR:PORT]... [-1] [-c MAXCONN] [-U user] [--inetd] [--redirect-to host:port[,host:port...]] [--allow-empty-root-password] [-v N]'

setup() {
	setup_data_dir
	pids=()
	cleanup_dirs=()
}

teardown() {
	local p i
	exec 5>&- 6>&- 7>&-
	# SIGTERM until gone: a second one ends the connections at once (two
	# sent back to back may merge into one pending signal)
	for p in "${pids[@]}"; do
		for ((i = 0; i < 100; i++)); do
			kill -TERM "$p" 2>/dev/null || break
			sleep 0.05
		done
	done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	for p in "${cleanup_dirs[@]}"; do rm -rf "$p"; done
}

# start_httpd ARGS...: sl-httpd ARGS -1 in the background, stderr appended
# to $BATS_TEST_TMPDIR/err.N; sets $pid, $port (first port), $ports (all)
# once it is ready (stdout closed). Fails if the server died instead.
nserv=0
start_httpd() {
	local fifo="$BATS_TEST_TMPDIR/ready.$nserv"
	mkfifo "$fifo"
	"${WRAP[@]}" sl-httpd "$@" -1 > "$fifo" 2>> "$BATS_TEST_TMPDIR/err.$nserv" 3>&- &
	pid=$!
	pids+=("$pid")
	errf="$BATS_TEST_TMPDIR/err.$nserv"
	nserv=$((nserv + 1))
	ports=$(cat "$fifo")
	rm -f "$fifo"
	port=${ports%%$'\n'*}
	[ -n "$port" ] || { cat "$errf" >&2; return 1; }
}

health() { curl -sS --max-time 5 "http://127.0.0.1:$1/api/health"; }

# children PID: the pids of PID's child processes (connection processes).
children() { pgrep -P "$1" || true; }

# wait_until N CMD...: retry CMD every 0.05 s for up to N tries.
wait_until() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! kill -0 "$1" 2>/dev/null; }
refused() { ! (exec 8<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# stop_twice PID PORT: SIGTERM, and once it took (the port refuses), SIGTERM again.
stop_twice() {
	kill -TERM "$1"
	wait_until 100 refused "$2"
	kill -TERM "$1"
}
# live_in_group PGID: 0 if a process of group PGID is alive (not a zombie).
live_in_group() {
	local q
	for q in $(pgrep -g "$1"); do
		[ "$(ps -o stat= -p "$q" | cut -c1)" = Z ] || return 0
	done
	return 1
}
has_children() { [ -n "$(children "$1")" ]; }
no_children() { [ -z "$(children "$1")" ]; }

# listen_socket FD CMD...: python3 binds a listening socket on 127.0.0.1,
# puts it on fd FD, sets LISTEN_FDS/LISTEN_PID (to its own pid, kept by
# exec) unless FD is 0, and execs CMD. It replaces the calling shell (it
# runs as the background subshell of start_httpd: $! is then the server).
listen_socket() {
	exec python3 -c '
import os, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
fd = int(sys.argv[1])
if s.fileno() == fd:
    os.set_inheritable(s.detach(), True)
else:
    os.dup2(s.fileno(), fd)
    s.close()
if fd != 0:
    os.environ["LISTEN_FDS"] = "1"
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.environ["LISTEN_FDNAMES"] = "sl-httpd"
os.execvp(sys.argv[2], sys.argv[2:])
' "$@"
}

# ---- usage ----

@test "usage: operands, unknown options and bad values exit 100" {
	run -100 --separate-stderr sl-httpd extra
	[ "$output" = "" ]
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd --frobnicate
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd -c 0
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd -c many
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd -v x
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd --listen
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd -U ''
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd -H 'label:x'
	[ "$stderr" = "$USAGE" ]
}

@test "usage: --inetd takes neither --listen, -1 nor -c" {
	run -100 --separate-stderr sl-httpd --inetd --listen 127.0.0.1:0
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd --inetd -1
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-httpd --inetd -c 5
	[ "$stderr" = "$USAGE" ]
}

@test "-h prints the usage on stdout and exits 0" {
	run -0 --separate-stderr sl-httpd -h
	[ "${lines[0]}" = "${USAGE#sl-httpd: }" ]
	[ "$stderr" = "" ]
	run -0 --separate-stderr sl-httpd --help
	[ "${lines[0]}" = "${USAGE#sl-httpd: }" ]
}

@test "--listen: malformed or non-numeric addresses exit 100" {
	run -100 --separate-stderr sl-httpd --listen 127.0.0.1
	[ "$stderr" = "sl-httpd: fatal: --listen wants ADDR:PORT or [ADDR6]:PORT: 127.0.0.1" ]
	run -100 --separate-stderr sl-httpd --listen 127.0.0.1:65536
	[ "$stderr" = "sl-httpd: fatal: --listen wants ADDR:PORT or [ADDR6]:PORT: 127.0.0.1:65536" ]
	run -100 --separate-stderr sl-httpd --listen ::1:8030
	[ "$stderr" = "sl-httpd: fatal: --listen wants ADDR:PORT or [ADDR6]:PORT: ::1:8030" ]
	run -100 --separate-stderr sl-httpd --listen=localhost:8030
	[ "$stderr" = "sl-httpd: fatal: --listen wants a numeric address: localhost:8030" ]
	run -100 --separate-stderr sl-httpd --listen 127.0.0.1:-1
	[ "$stderr" = "sl-httpd: fatal: --listen wants ADDR:PORT or [ADDR6]:PORT: 127.0.0.1:-1" ]
}

@test "--redirect-to: malformed lists exit 100" {
	run -100 --separate-stderr sl-httpd --redirect-to ''
	[ "$stderr" = "sl-httpd: fatal: --redirect-to wants host:port[,host:port...]" ]
	run -100 --separate-stderr sl-httpd --redirect-to 10.0.0.1:8040,
	[ "$stderr" = "sl-httpd: fatal: --redirect-to wants host:port[,host:port...]" ]
	run -100 --separate-stderr sl-httpd --redirect-to 10.0.0.1
	[ "$stderr" = "sl-httpd: fatal: --redirect-to: not host:port: 10.0.0.1" ]
	run -100 --separate-stderr sl-httpd --redirect-to 10.0.0.1:0
	[ "$stderr" = "sl-httpd: fatal: --redirect-to: not host:port: 10.0.0.1:0" ]
	run -100 --separate-stderr sl-httpd --redirect-to 'a/b:80'
	[ "$stderr" = "sl-httpd: fatal: --redirect-to: not host:port: a/b:80" ]
	run -100 --separate-stderr sl-httpd --redirect-to 10.0.0.1:8040,,10.0.0.2:8040
	[ "$stderr" = "sl-httpd: fatal: --redirect-to wants host:port[,host:port...]" ]
}

# ---- --listen and -1 ----

@test "--listen 127.0.0.1:0 -1: the port on stdout once listening, then /api/health answers" {
	start_httpd --listen 127.0.0.1:0 -v 0
	[[ "$port" =~ ^[0-9]+$ ]]
	[ "$ports" = "$port" ]
	run -0 --separate-stderr health "$port"
	[[ "$output" == *'"status"'*'"OK"'* ]]
	[ "$(cat "$errf")" = "" ]
}

@test "-v 2 logs each connection with the client address; connections are reaped" {
	start_httpd --listen 127.0.0.1:0 -v 2
	run -0 --separate-stderr health "$port"
	run -0 --separate-stderr health "$port"
	wait_until 100 no_children "$pid"
	# no zombie either: pgrep -P lists zombies too
	[ -z "$(children "$pid")" ]
	grep -q "^sl-httpd: info: listening on 127.0.0.1:$port\$" "$errf"
	[ "$(grep -c '^sl-httpd: info: accept pid [0-9]* client 127\.0\.0\.1:[0-9]* ([12] of 200)$' "$errf")" = 2 ]
	wait_until 100 eval '[ "$(grep -c "^sl-httpd: info: end pid [0-9]* client 127\.0\.0\.1:[0-9]* exit 0\$" "$errf")" = 2 ]'
}

@test "two --listen sockets: both ports printed, both serve" {
	start_httpd --listen 127.0.0.1:0 --listen=127.0.0.1:0 -v 0
	[ "$(printf '%s\n' "$ports" | wc -l)" = 2 ]
	local p
	for p in $ports; do
		run -0 --separate-stderr health "$p"
		[[ "$output" == *'"OK"'* ]]
	done
}

@test "--listen [::1]:0 serves over IPv6" {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null ||
		skip "no IPv6 loopback"
	start_httpd --listen '[::1]:0' -v 0
	run -0 --separate-stderr curl -sS --max-time 5 "http://[::1]:$port/api/health"
	[[ "$output" == *'"OK"'* ]]
}

@test "a port in use: exit 111 with the bind error" {
	start_httpd --listen 127.0.0.1:0 -v 0
	run -111 --separate-stderr sl-httpd --listen "127.0.0.1:$port" -v 0
	[ "$stderr" = "sl-httpd: fatal: unable to bind to 127.0.0.1:$port: Address already in use" ]
}

# ---- systemd Accept=no and inetd "wait" ----

# load PORT: the seed's quick start through curl (seed_table done).
load_seed() {
	curl -sS --max-time 20 --location-trusted -u root: -H "Expect:100-continue" \
		-H "column_separator:," -H "columns:user_id,name,age" -T streamload_example.csv \
		-XPUT "http://127.0.0.1:$1/api/testdb/test_streamload/_stream_load"
}

@test "LISTEN_FDS/LISTEN_PID: the inherited socket on fd 3 serves a load" {
	command -v python3 >/dev/null || skip "python3 needed to make the socket"
	seed_table
	# /proc/PID/environ is what a process was exec'd with: exec the stages
	# (SL_STAGE_DIR) so that theirs can be read below (built-in stages get
	# the same environment, minus LISTEN_*, which sl-httpd unsets at start)
	export SL_STAGE_DIR=$SL_BIN
	WRAP=(listen_socket 3)
	start_httpd -v 2
	WRAP=()
	[[ "$port" =~ ^[0-9]+$ ]]
	run -0 --separate-stderr health "$port"
	[[ "$output" == *'"OK"'* ]]
	run -0 --separate-stderr load_seed "$port"
	[[ "$output" == *'"Status": "Success"'* ]]
	run -0 sl-sql -N -B -e 'SELECT count(*) FROM testdb.test_streamload'
	[ "$output" = 10 ]
	# the stages of a load never see LISTEN_*: hold a load open, read their environment
	mkfifo body
	curl -sS --max-time 30 -u root: -H "column_separator:," -H "columns:user_id,name,age" -H "where:age >= 0" \
		-T - "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load" < body > up.out 2>&1 3>&- &
	local cpid=$! kid q n=0
	exec 7> body
	cat streamload_example.csv >&7
	wait_until 100 has_children "$pid"
	kid=$(children "$pid")
	wait_until 100 eval '[ "$(pgrep -g "$kid" | wc -l)" -ge 6 ]'
	for q in $(pgrep -g "$kid"); do
		[ "$q" != "$kid" ] || continue
		tr '\0' '\n' < "/proc/$q/environ" > env.txt || continue
		grep -q '^SL_ERROR_URL_PREFIX=' env.txt
		[ -z "$(grep '^LISTEN_' env.txt)" ]
		n=$((n + 1))
	done
	[ "$n" = 5 ]
	exec 7>&-
	wait "$cpid"
	[[ "$(cat up.out)" == *'"Status": "Success"'* ]]
	grep -q "^sl-httpd: info: listening on 127.0.0.1:$port\$" "$errf"
	# the default 127.0.0.1:8030 was not bound in addition
	[ "$(grep -c 'listening on' "$errf")" = 1 ]
}

@test "LISTEN_PID of another process: LISTEN_FDS is ignored" {
	LISTEN_PID=1 LISTEN_FDS=1 start_httpd --listen 127.0.0.1:0 -v 2
	[ "$ports" = "$port" ]
	grep -q '^sl-httpd: info: LISTEN_PID is not our pid: ignoring LISTEN_FDS$' "$errf"
}

@test "LISTEN_FDS naming a non-socket or a non-listening socket: exit 100" {
	run -100 --separate-stderr sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec sl-httpd -v 0' 3</dev/null
	[ "$stderr" = "sl-httpd: fatal: fd 3 of LISTEN_FDS is not a listening stream socket" ]
	run -100 --separate-stderr sh -c 'LISTEN_PID=$$ LISTEN_FDS=x exec sl-httpd -v 0'
	[ "$stderr" = "sl-httpd: fatal: LISTEN_FDS is not a number of sockets (0..64)" ]
	command -v python3 >/dev/null || return 0
	run -100 --separate-stderr python3 -c '
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0))
os.dup2(s.fileno(), 3)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execvp("sl-httpd", ["sl-httpd", "-v", "0"])'
	[ "$stderr" = "sl-httpd: fatal: fd 3 of LISTEN_FDS is not a listening stream socket" ]
}

@test "a listening socket on fd 0 (inetd wait) serves" {
	command -v python3 >/dev/null || skip "python3 needed to make the socket"
	WRAP=(listen_socket 0)
	start_httpd -v 0
	WRAP=()
	run -0 --separate-stderr health "$port"
	[[ "$output" == *'"OK"'* ]]
}

# ---- one connection on fds 0/1 ----

@test "--inetd: a request on stdin, the answer on stdout" {
	run -0 --separate-stderr sl-httpd --inetd -v 0 < <(printf 'GET /api/health HTTP/1.0\r\n\r\n')
	[[ "$output" == "HTTP/1."?" 200 "* ]]
	[[ "$output" == *'"OK"'* ]]
	[ "$stderr" = "" ]
}

@test "--inetd: the client comes from TCPREMOTEIP/TCPREMOTEPORT (tcpserver) or REMOTE_ADDR/REMOTE_PORT (systemd)" {
	req() { printf 'GET /api/health HTTP/1.0\r\n\r\n'; }
	run -0 --separate-stderr env TCPREMOTEIP=10.9.8.7 TCPREMOTEPORT=4242 sl-httpd --inetd -v 2 < <(req)
	[[ "$stderr" == *"sl-httpd: info: serving 10.9.8.7:4242 on fds 0/1"* ]]
	[[ "$stderr" == *"sl-httpd: info: end 10.9.8.7:4242 exit 0"* ]]
	run -0 --separate-stderr env REMOTE_ADDR=fd00::7 REMOTE_PORT=5151 TCPREMOTEIP=10.9.8.7 sl-httpd --inetd -v 2 < <(req)
	[[ "$stderr" == *"sl-httpd: info: serving fd00::7:5151 on fds 0/1"* ]]
	# bytes that do not belong in an address are never logged as such
	run -0 --separate-stderr env TCPREMOTEIP=$'1.2.3.4 \033[31m' sl-httpd --inetd -v 2 < <(req)
	[[ "$stderr" == *"sl-httpd: info: serving 1.2.3.4???31m on fds 0/1"* ]]
	run -0 --separate-stderr sl-httpd --inetd -v 2 < <(req)
	[[ "$stderr" == *"sl-httpd: info: serving an unknown client on fds 0/1"* ]]
}

@test "--inetd under tcpserver-style env: a load through stdin" {
	seed_table
	local n
	n=$(wc -c < streamload_example.csv)
	{
		printf 'PUT /api/testdb/test_streamload/_stream_load HTTP/1.1\r\nHost: 127.0.0.1\r\n'
		printf 'Authorization: Basic cm9vdDo=\r\ncolumn_separator: ,\r\ncolumns: user_id,name,age\r\n'
		printf 'Content-Length: %d\r\nConnection: close\r\n\r\n' "$n"
		cat streamload_example.csv
	} > req
	run -0 --separate-stderr env TCPREMOTEIP=127.0.0.1 TCPREMOTEPORT=4242 sl-httpd --inetd -v 0 < req
	[[ "$output" == *'"Status": "Success"'* ]]
	[[ "$output" == *'"NumberLoadedRows": 10'* ]]
	run -0 --separate-stderr sl-sql -e 'SELECT count(*) FROM testdb.test_streamload'
	[[ "$output" == *10* ]]
}

# ---- -c MAXCONN ----

@test "-c 1: a second connection waits until the first one ends" {
	start_httpd --listen 127.0.0.1:0 -c 1 -v 0
	exec 5<>"/dev/tcp/127.0.0.1/$port"
	wait_until 100 has_children "$pid"
	# the second connection waits for the slot; nobody serves it yet (a
	# request other than health: health is answered at once, see below)
	curl -sS --max-time 10 --interface 127.0.0.2 "http://127.0.0.1:$port/api/nothing" > second.out 2>&1 3>&- 5>&- &
	local cpid=$!
	sleep 0.5
	kill -0 "$cpid"
	[ ! -s second.out ]
	[ "$(children "$pid" | wc -l)" = 1 ]
	exec 5>&-
	wait "$cpid"
	[ "$(cat second.out)" = "Not Found" ]
}

@test "all slots taken by slow clients: /api/health (GET and HEAD) is answered at once; loads wait their turn" {
	seed_table
	echo "http_max_connections_per_ip = 2" > "$SL_DATA_DIR/sl.conf"
	start_httpd --listen 127.0.0.1:0 -c 2 -v 0
	# two clients that send half a request and then nothing
	exec 5<>"/dev/tcp/127.0.0.1/$port" 6<>"/dev/tcp/127.0.0.1/$port"
	printf 'PUT /api/testdb/test_streamload/_stream_load HTTP/1.1\r\n' >&5
	printf 'PUT /api/testdb/test_streamload/_stream_load HTTP/1.1\r\n' >&6
	wait_until 100 eval '[ "$(children "$pid" | wc -l)" = 2 ]'
	SECONDS=0
	run -0 curl -sS --max-time 5 --interface 127.0.0.2 "http://127.0.0.1:$port/api/health"
	[[ "$output" == *'"status": "OK"'* ]]
	run -0 curl -sS --max-time 5 -I --interface 127.0.0.3 "http://127.0.0.1:$port/api/health"
	[[ "$output" == *"HTTP/1.1 200 OK"* ]]
	[ "$SECONDS" -lt 4 ]
	[ "$(children "$pid" | wc -l)" = 2 ]
	# a load waits for a slot, then loads
	curl -sS --max-time 20 --interface 127.0.0.2 -u root: -H column_separator:, -H columns:user_id,name,age \
		-T streamload_example.csv "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load" > load.out 2>&1 3>&- 5>&- 6>&- &
	local cpid=$!
	sleep 0.5
	[ ! -s load.out ] || { cat load.out; false; }
	exec 5>&-
	wait "$cpid"
	[[ "$(cat load.out)" == *'"Status": "Success"'* ]]
	exec 6>&-
}

@test "http_max_connections_per_ip: a flood from one client is capped; others are served" {
	echo "http_max_connections_per_ip = 2" > "$SL_DATA_DIR/sl.conf"
	start_httpd --listen 127.0.0.1:0 -c 10 -v 1
	# six idle connections from 127.0.0.1: 2 served, 2 wait, 2 refused
	exec 5<>"/dev/tcp/127.0.0.1/$port" 6<>"/dev/tcp/127.0.0.1/$port" 7<>"/dev/tcp/127.0.0.1/$port"
	exec 8<>"/dev/tcp/127.0.0.1/$port" 9<>"/dev/tcp/127.0.0.1/$port"
	run -0 curl -sS --max-time 5 "http://127.0.0.1:$port/api/nothing"
	[ "$output" = "Service Unavailable" ]
	[ "$(children "$pid" | wc -l)" = 2 ]
	grep -q "refused: too many connections from this client" "$errf"
	# another client gets its own share
	run -0 curl -sS --max-time 5 --interface 127.0.0.2 "http://127.0.0.1:$port/api/nothing"
	[ "$output" = "Not Found" ]
	# the first client's turn comes when one of its connections ends
	exec 5>&- 6>&- 7>&- 8>&- 9>&-
	wait_until 100 no_children "$pid"
	run -0 curl -sS --max-time 5 "http://127.0.0.1:$port/api/nothing"
	[ "$output" = "Not Found" ]
}

# ---- root with an empty password ----

@test "non-loopback --listen while root's password is empty: refused, exit 100" {
	run -100 --separate-stderr sl-httpd --listen 0.0.0.0:0 -1 -v 0
	[ "$output" = "" ]
	[ "$stderr" = "sl-httpd: fatal: refusing to serve on 0.0.0.0:0 (not loopback) while root has an empty password: set one (sl-sql -e \"SET PASSWORD FOR 'root' = PASSWORD('...')\") or pass --allow-empty-root-password" ]
	run -100 --separate-stderr sl-httpd --listen 127.0.0.1:0 --listen '[::]:0' -1 -v 0
	[ "$stderr" = "sl-httpd: fatal: refusing to serve on [::]:0 (not loopback) while root has an empty password: set one (sl-sql -e \"SET PASSWORD FOR 'root' = PASSWORD('...')\") or pass --allow-empty-root-password" ]
}

@test "non-loopback --listen with --allow-empty-root-password: served, with a warning" {
	start_httpd --listen 0.0.0.0:0 --allow-empty-root-password -v 1
	run -0 --separate-stderr health "$port"
	[[ "$output" == *'"OK"'* ]]
	grep -qx 'sl-httpd: warning: serving on 0.0.0.0:0 (not loopback) while root has an empty password' "$errf"
}

@test "non-loopback --listen once root has a password: served" {
	run -0 --separate-stderr sl-sql -e "SET PASSWORD FOR 'root' = PASSWORD('s3cret')"
	start_httpd --listen 0.0.0.0:0 -v 1
	run -0 --separate-stderr health "$port"
	[[ "$output" == *'"OK"'* ]]
	[ -z "$(grep "empty password" "$errf")" ]
}

@test "a systemd socket on a public address counts as non-loopback" {
	command -v python3 >/dev/null || skip "python3 needed to make the socket"
	run -100 --separate-stderr python3 -c '
import os, socket
s = socket.socket(); s.bind(("0.0.0.0", 0)); s.listen(4)
os.dup2(s.fileno(), 3)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execvp("sl-httpd", ["sl-httpd", "-v", "0"])'
	[[ "$stderr" =~ ^"sl-httpd: fatal: refusing to serve on 0.0.0.0:"[0-9]+" (not loopback) while root has an empty password" ]]
}

# ---- -U ----

@test "-U unknown user: exit 100 after binding" {
	run -100 --separate-stderr sl-httpd --listen 127.0.0.1:0 -U no-such-user-sl -v 0
	[ "$stderr" = "sl-httpd: fatal: unknown user: no-such-user-sl" ]
}

@test "-U nobody: binds as root, serves as nobody; a data dir nobody cannot use is fatal" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	getent passwd nobody >/dev/null || skip "no user nobody"
	if command -v runuser >/dev/null; then
		runuser -u nobody -- test -x "$SL_BIN/sl-parse" || skip "nobody cannot run $SL_BIN"
	fi
	local d
	d=$(mktemp -d /tmp/sl-httpd-U.XXXXXX)
	cleanup_dirs+=("$d")
	chmod 755 "$d"
	mkdir "$d/closed" && chmod 700 "$d/closed"
	run -100 --separate-stderr sl-httpd --data-dir "$d/closed/data" --listen 127.0.0.1:0 -U nobody -v 0
	[ "$stderr" = "sl-httpd: fatal: unable to open the data directory $d/closed/data: Permission denied" ]
	export SL_DATA_DIR="$d/data"
	seed_table
	chown -R nobody "$d/data"
	start_httpd --data-dir "$d/data" --listen 127.0.0.1:0 -U nobody -v 1
	[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "$(id -u nobody)" ]
	[ "$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$pid/status" | tr -d ' ')" = "$(id -G nobody | tr -d ' ')" ]
	run -0 --separate-stderr health "$port"
	[[ "$output" == *'"OK"'* ]]
	# the pipeline ran as nobody: everything it wrote is nobody's
	run -0 --separate-stderr load_seed "$port"
	[[ "$output" == *'"Status": "Success"'* ]]
	run -0 sl-sql -N -B -e 'SELECT count(*) FROM testdb.test_streamload'
	[ "$output" = 10 ]
	[ -z "$(find "$d/data" ! -user nobody)" ]
	# no "running as root" warning once dropped
	[ -z "$(grep "running as root" "$errf")" ]
}

# ---- signals ----

@test "SIGTERM: stops accepting, lets the connection finish, exits 0 with no children" {
	start_httpd --listen 127.0.0.1:0 -v 0
	exec 5<>"/dev/tcp/127.0.0.1/$port"
	wait_until 100 has_children "$pid"
	local kid
	kid=$(children "$pid")
	kill -TERM "$pid"
	# not accepting any more
	wait_until 100 refused "$port"
	sleep 0.2
	kill -0 "$pid"          # still waiting for its connection
	kill -0 "$kid"
	exec 5>&-
	wait_until 200 gone "$pid"
	wait "$pid"
	gone "$kid"
}

@test "a second SIGTERM ends the connections at once; exit 0" {
	start_httpd --listen 127.0.0.1:0 -v 1 -c 3
	exec 5<>"/dev/tcp/127.0.0.1/$port"
	exec 6<>"/dev/tcp/127.0.0.1/$port"
	wait_until 100 eval '[ "$(children "$pid" | wc -l)" = 2 ]'
	local kids
	kids=$(children "$pid")
	stop_twice "$pid" "$port"
	wait_until 100 gone "$pid"
	wait "$pid"
	local k
	for k in $kids; do gone "$k"; done
	grep -qx 'sl-httpd: warning: stopping: terminating 2 connection(s)' "$errf"
	exec 5>&- 6>&-
}

# ---- redirect mode ----

@test "--redirect-to: 307 to each back end in turn, same path and query" {
	start_httpd --listen 127.0.0.1:0 -v 0 --redirect-to 127.0.0.1:1111,127.0.0.1:2222
	local u="http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load?x=1" a b c
	a=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' -u root: -T /dev/null "$u")
	b=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' -u root: -T /dev/null "$u")
	c=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' -u root: -T /dev/null "$u")
	[ "$a" = "307 http://127.0.0.1:1111/api/testdb/test_streamload/_stream_load?x=1" ]
	[ "$b" = "307 http://127.0.0.1:2222/api/testdb/test_streamload/_stream_load?x=1" ]
	[ "$c" = "$a" ]
}

@test "--redirect-to two back ends: curl --location-trusted loads through the front, alternating" {
	local d1="$BATS_TEST_TMPDIR/b1" d2="$BATS_TEST_TMPDIR/b2" d p1 p2 i
	for d in "$d1" "$d2"; do
		SL_DATA_DIR=$d sl-sql -e "CREATE DATABASE testdb"
		SL_DATA_DIR=$d sl-sql < "$SL_ROOT/examples/create_table.sql"
	done
	cp "$SL_ROOT/examples/streamload_example.csv" .
	start_httpd --data-dir "$d1" --listen 127.0.0.1:0 -v 0; p1=$port
	start_httpd --data-dir "$d2" --listen 127.0.0.1:0 -v 0; p2=$port
	start_httpd --listen 127.0.0.1:0 -v 0 --redirect-to "127.0.0.1:$p1,127.0.0.1:$p2"
	for i in 1 2 3 4; do
		run -0 --separate-stderr load_seed "$port"
		[[ "$output" == *'"Status": "Success"'* ]]
	done
	run -0 --separate-stderr sl-sql --data-dir "$d1" -e 'SELECT count(*) FROM testdb.test_streamload'
	[[ "$output" == *20* ]]
	run -0 --separate-stderr sl-sql --data-dir "$d2" -e 'SELECT count(*) FROM testdb.test_streamload'
	[[ "$output" == *20* ]]
}

# ---- systemd's own activation tool, the example units, the man page ----

# free_port: a port nobody listens on now (for tools that cannot take 0).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

@test "systemd-socket-activate: Accept=no (accept loop on fd 3) and Accept=yes (--inetd per connection)" {
	command -v systemd-socket-activate >/dev/null || skip "no systemd-socket-activate"
	command -v python3 >/dev/null || skip "python3 needed to pick a port"
	local p1 p2
	p1=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$p1" sl-httpd -v 2 > /dev/null 2> ssa1.err 3>&- &
	pids+=($!)
	p2=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$p2" --accept --inetd sl-httpd --inetd -v 2 > /dev/null 2> ssa2.err 3>&- &
	pids+=($!)
	wait_until 100 grep -q "Listening on 127.0.0.1:$p1" ssa1.err
	wait_until 100 grep -q "Listening on 127.0.0.1:$p2" ssa2.err
	run -0 --separate-stderr health "$p1"
	[[ "$output" == *'"OK"'* ]]
	run -0 --separate-stderr health "$p1"
	run -0 --separate-stderr health "$p2"
	[[ "$output" == *'"OK"'* ]]
	run -0 --separate-stderr health "$p2"
	# one accept loop serving both connections; one --inetd process each
	wait_until 100 eval '[ "$(grep -c "sl-httpd: info: end pid" ssa1.err)" = 2 ]'
	grep -q "^sl-httpd: info: listening on 127.0.0.1:$p1\$" ssa1.err
	wait_until 100 eval '[ "$(grep -c "^sl-httpd: info: end 127\.0\.0\.1:[0-9]* exit 0\$" ssa2.err)" = 2 ]'
}

@test "examples: the systemd units pass systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	mkdir units
	cp "$SL_ROOT"/examples/sl-httpd.socket "$SL_ROOT"/examples/sl-httpd@.service \
		"$SL_ROOT"/examples/sl-httpd-listen.socket "$SL_ROOT"/examples/sl-httpd-listen.service units/
	sed -i "s|^ExecStart=[^ ]*/sl-httpd |ExecStart=$SL_BIN/sl-httpd |" units/*.service
	run -0 --separate-stderr systemd-analyze verify --man=no units/sl-httpd.socket units/sl-httpd@.service \
		units/sl-httpd-listen.socket units/sl-httpd-listen.service
	[ "$stderr" = "" ]
	# the lines of inetd.conf and sl-httpd.tcpserver name options sl-httpd has
	grep -q '^127.0.0.1:sl-httpd stream tcp nowait streamload /usr/local/bin/sl-httpd sl-httpd --inetd --data-dir /var/lib/streamload$' "$SL_ROOT/examples/inetd.conf"
	grep -q 'sl-httpd --inetd --data-dir /var/lib/streamload$' "$SL_ROOT/examples/sl-httpd.tcpserver"
}

@test "examples: the EXAMPLES of sl-httpd(8) run as written (port 8030 -> the test's)" {
	cp "$SL_ROOT/examples/create_table.sql" "$SL_ROOT/examples/streamload_example.csv" .
	mkdir sl-data
	start_httpd --data-dir ./sl-data --listen 127.0.0.1:0 -v 0
	man_examples sl-httpd.8 | sed "s/127\.0\.0\.1:8030/127.0.0.1:$port/g" > ex.sh
	[ "$(grep -c '^curl' ex.sh)" = 7 ]
	run -0 --separate-stderr bash -e ex.sh
	[ "$(grep -c '"NumberLoadedRows": 10' <<<"$output")" = 2 ]
	[[ "$output" == *'"Label": "batch_42"'*'"Status": "Success"'* ]]
	[[ "$output" == *'"data":[[10]]'* ]]
	[[ "$output" == *'{"status": "OK", "msg": "To Be Added"}'* ]]
	[[ "$output" == *'"msg": "label [batch_42] commit successfully."'* ]]
	[[ "$output" == *'streamload_loads_total{status="Success"} 2'* ]]
	run -0 sl-sql --data-dir ./sl-data -N -B -e "SELECT count(*) FROM testdb.test_streamload"
	[ "$output" = 20 ]
}

@test "--inetd on a listening socket (an inetd wait line with --inetd): exit 100" {
	command -v python3 >/dev/null || skip "python3 needed to make the socket"
	run -100 --separate-stderr python3 -c '
import os, socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
os.dup2(s.fileno(), 0)
os.execvp("sl-httpd", ["sl-httpd", "--inetd", "-v", "0"])'
	[ "$stderr" = "sl-httpd: fatal: fd 0 is a listening socket: drop --inetd to run the accept loop on it (inetd wait)" ]
}

@test "a second SIGTERM during a load: its process group (core and stages) dies, nothing is visible" {
	seed_table
	start_httpd --listen 127.0.0.1:0 -v 0
	# a chunked body that stays open until the test closes fd 7
	mkfifo body
	curl -sS --max-time 30 -u root: -H "column_separator:," -H "columns:user_id,name,age" -H "where:age >= 0" \
		-T - "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load" < body > up.out 2>&1 3>&- &
	local cpid=$! kid
	exec 7> body
	cat streamload_example.csv >&7
	wait_until 100 has_children "$pid"
	kid=$(children "$pid")
	# the connection process and its five stages (sl-filter: a `where`), in one process group
	wait_until 100 eval '[ "$(pgrep -g "$kid" | wc -l)" -ge 6 ]'
	stop_twice "$pid" "$port"
	wait_until 100 gone "$pid"
	wait "$pid"
	# zombies reparented to init do not count: they are dead. The group
	# was sent SIGKILL before sl-httpd exited; on a loaded machine a
	# process may take a moment more to finish dying
	wait_until 100 eval '! live_in_group "$kid"'
	run -0 sl-sql -N -B -e 'SELECT count(*) FROM testdb.test_streamload'
	[ "$output" = 0 ]
	exec 7>&-
	wait "$cpid" || true
}
