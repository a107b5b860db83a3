#!/usr/bin/env bats
# sl-mysqld, the MySQL protocol front, with real clients: Debian's
# mariadb-client (mysql) and python3-pymysql (tests/mysqld-client.py);
# inetd mode and systemd activation; hostile clients. Servers listen on
# 127.0.0.1 only and are stopped by PID in teardown.
load test_helper
load mysqld_helper

PY=/usr/bin/python3
CLIENT="$BATS_TEST_DIRNAME/mysqld-client.py"

setup() {
	setup_data_dir
	command -v mysql > /dev/null || skip "mysql (mariadb-client) is not installed"
	server_pid=
}

teardown() {
	mysqld_stop
	[ -z "${httpd_pid:-}" ] || { kill "$httpd_pid" 2> /dev/null; wait "$httpd_pid" 2> /dev/null || true; }
}

my() { mysql -h127.0.0.1 -P"$port" -uroot "$@"; }

@test "mysql: the seed's table created, loaded with curl through sl-httpd, read back (\\G), SHOW STREAM LOAD" {
	command -v curl > /dev/null || skip "curl"
	mysqld_start
	run -0 my -e "CREATE DATABASE testdb"
	run -0 my < "$SL_ROOT/examples/create_table.sql"
	run -0 my -D testdb -e "SHOW TABLES"
	[ "$output" = $'Tables_in_testdb\ntest_streamload' ]
	sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 --allow-empty-root-password \
		> "$BATS_TEST_TMPDIR/httpd.port" 2> "$BATS_TEST_TMPDIR/httpd.err" 3>&- &
	httpd_pid=$!
	local hp i
	for ((i = 0; i < 500; i++)); do
		IFS= read -r hp 2> /dev/null < "$BATS_TEST_TMPDIR/httpd.port" && break
		sleep 0.02
	done
	run -0 curl -s --location-trusted -u root: -H "label:seed1" -H "column_separator:," \
		-H "columns:user_id,name,age" -T "$SL_ROOT/examples/streamload_example.csv" \
		"http://127.0.0.1:${hp##*:}/api/testdb/test_streamload/_stream_load"
	[[ "$output" == *'"Status": "Success"'* ]]
	run -0 my -D testdb -e "SELECT * FROM test_streamload WHERE user_id <= 2 ORDER BY user_id\G"
	[ "$output" = "*************************** 1. row ***************************
user_id: 1
   name: Emily
    age: 25
*************************** 2. row ***************************
user_id: 2
   name: Benjamin
    age: 35" ]
	run -0 my -N -e "SELECT count(*), sum(age) FROM testdb.test_streamload"
	[ "$output" = $'10\t431' ]
	run -0 my -D testdb -e "SHOW STREAM LOAD WHERE label = 'seed1'\G"
	[[ "$output" == *"Label: seed1"* ]]
	[[ "$output" == *"Status: FINISHED"* ]] || [[ "$output" == *"VISIBLE"* ]] || [[ "$output" == *"Success"* ]]
}

@test "mysql: errors carry the engine's code and SQLSTATE; NULL, types and several statements" {
	mysqld_start
	run -1 my -e "SELEC 1"
	[[ "$output" == *"ERROR 1064 (42000) at line 1: syntax error at position 1 near 'SELEC'" ]]
	run -1 my -e "USE nosuch"
	[[ "$output" == *"ERROR 1049 (42000)"*"Unknown database 'nosuch'"* ]]
	run -1 my -D nosuch -e "SELECT 1"
	[[ "$output" == *"ERROR 1049 (42000)"* ]]
	run -0 my -e "CREATE DATABASE d1; CREATE TABLE d1.t (k INT, v VARCHAR(10), p DECIMAL(9,3), dt DATETIME) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 my -t --column-type-info -e "SELECT k, v, p, dt, NULL AS n FROM d1.t"
	local types
	types=$(printf '%s\n' "$output" | awk '/^Field/ { f = $3 } /^Type:/ { t = $2 } /^Decimals:/ { print f, t, $2 }')
	[ "$types" = "\`k\` LONG 0
\`v\` VAR_STRING 0
\`p\` NEWDECIMAL 3
\`dt\` DATETIME 0
\`n\` NULL 0" ]
	run -0 my -N -e "SELECT 1; SELECT 'a', NULL"
	[ "$output" = $'1\na\tNULL' ]
	# the first failing statement ends the query
	run -1 my -N -e "SELECT 1; SELECT nope FROM d1.t; SELECT 3"
	[[ "$output" == $'1\n'*"ERROR 1054 (42S22)"* ]]
	[[ "$output" != *3 ]]
}

@test "pymysql: 100,000 rows through a streaming cursor, parameters, a password, wrong password 1045, no SELECT_PRIV" {
	[ -x "$PY" ] && "$PY" -c 'import pymysql' 2> /dev/null || skip "python3-pymysql is not installed"
	sl-sql -e "CREATE DATABASE pydb"
	sl-sql -e "CREATE TABLE pydb.big (id BIGINT, name VARCHAR(40)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4"
	awk 'BEGIN { for (i = 1; i <= 99999; i++) printf "%d\tn%d\n", i, i; printf "100000\tit'"'"'s \\ quoted\n" }' > big.tsv
	run -0 sl-load -T big.tsv pydb.big
	sl-sql -e "CREATE USER 'ann' IDENTIFIED BY 'secret-1'"
	sl-sql -e "GRANT SELECT_PRIV ON pydb.* TO 'ann'"
	sl-sql -e "CREATE USER 'bob' IDENTIFIED BY 'pw-2'"
	mysqld_start
	run -0 "$PY" "$CLIENT" "$port" rows ann secret-1 100000
	[ "$output" = "100000 5000050000 ['id', 'name']" ]
	run -0 "$PY" "$CLIENT" "$port" params ann secret-1
	[ "$output" = $'((7, \'n7\'),)\n((1,),)' ]
	run -2 "$PY" "$CLIENT" "$port" rows ann wrong 1
	[ "$output" = "ERROR 1045: Access denied for user 'ann'@'127.0.0.1' (using password: YES)" ]
	run -2 "$PY" "$CLIENT" "$port" rows nobody x 1
	[ "$output" = "ERROR 1045: Access denied for user 'nobody'@'127.0.0.1' (using password: YES)" ]
	run -2 "$PY" "$CLIENT" "$port" rows bob pw-2 1
	[[ "$output" == "ERROR 1044: Access denied for user 'bob' to database 'pydb'" ]]
	run -1 mysql -h127.0.0.1 -P"$port" -uann -pwrong -e "SELECT 1"
	[[ "$output" == *"ERROR 1045 (28000): Access denied for user 'ann'@'127.0.0.1' (using password: YES)"* ]]
	run -0 mysql -h127.0.0.1 -P"$port" -uann -psecret-1 -N -e "SELECT count(*) FROM pydb.big"
	[ "$output" = 100000 ]
}

@test "prepared statements: COM_STMT_PREPARE, EXECUTE with parameters (binary rows), CLOSE" {
	[ -x "$PY" ] && "$PY" -c 'import pymysql' 2> /dev/null || skip "python3-pymysql is not installed"
	mysqld_start
	run -0 "$PY" "$CLIENT" "$port" prepared
	[ "$output" = "prepared 0 2
row 42 it's! null-c
end 0xfe
after close 1243" ]
}

@test "a user whose password predates the verifier is told to set it again" {
	sl-sql -e "CREATE USER 'old' IDENTIFIED BY 'pw'"
	# the users file as it was before verifiers: the fourth field removed
	local f="$SL_DATA_DIR/_auth/users"
	[ -f "$f" ] || skip "no _auth/users file"
	grep -q '^user old ' "$f"
	mysqld_start
	awk '$1 == "user" && $2 == "old" { $0 = $1 " " $2 " " $3 } { print }' "$f" > "$f.new"
	mv "$f.new" "$f"
	run -1 mysql -h127.0.0.1 -P"$port" -uold -ppw -e "SELECT 1"
	[[ "$output" == *"ERROR 1045 (28000): Access denied for user 'old'@'127.0.0.1': the password of this user was set before sl-mysqld kept MySQL verifiers; set it again"* ]]
}

@test "--inetd serves one session on fds 0/1; systemd socket activation (LISTEN_FDS) serves too" {
	command -v systemd-socket-activate > /dev/null || skip "no systemd-socket-activate"
	local p pid i
	p=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	systemd-socket-activate -l "127.0.0.1:$p" --accept --inetd -E SL_DATA_DIR="$SL_DATA_DIR" \
		"$SL_BIN/sl-mysqld" --inetd 2> "$BATS_TEST_TMPDIR/inetd.err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do mysql -h127.0.0.1 -P"$p" -uroot -N -e "SELECT 40 + 2" > out 2>&1 && break; sleep 0.05; done
	kill "$pid" 2> /dev/null || true; wait "$pid" || true
	[ "$(cat out)" = 42 ]
	p=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	systemd-socket-activate -l "127.0.0.1:$p" -E SL_DATA_DIR="$SL_DATA_DIR" \
		"$SL_BIN/sl-mysqld" 2> "$BATS_TEST_TMPDIR/sd.err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do mysql -h127.0.0.1 -P"$p" -uroot -N -e "SELECT 6 * 7; SELECT 1" > out 2>&1 && break; sleep 0.05; done
	kill "$pid" 2> /dev/null || true; wait "$pid" || true
	[ "$(cat out)" = $'42\n1' ]
}

@test "hostile clients: truncated and oversized packets, a bad sequence id close only that connection" {
	mysqld_start --max-allowed-packet 4096
	# a login packet cut short, then the socket closed
	run -0 "$PY" "$CLIENT" "$port" raw 2000000185a6
	# a length field of 16 MB - 1 (over max_allowed_packet): ERR 1153 then close
	run -0 "$PY" "$CLIENT" "$port" raw ffffff0185a6
	[ "$output" = "closed ff" ]
	# sequence id 7 instead of 1
	run -0 "$PY" "$CLIENT" "$port" raw 0400000785a60300
	# garbage that parses as nothing
	run -0 "$PY" "$CLIENT" "$port" raw 05000001ffffffffff
	[ "$output" = "closed ff" ]
	run -0 my -N -e "SELECT 'still serving'"
	[ "$output" = "still serving" ]
	grep -q "packet larger than max_allowed_packet" "$BATS_TEST_TMPDIR/mysqld.err"
	grep -q "malformed packet" "$BATS_TEST_TMPDIR/mysqld.err"
}

@test "200 idle connections do not stop others being served; -c refuses with 1040; idle timeout" {
	mysqld_start -c 210 --idle-timeout 10 --read-timeout 10
	"$PY" - "$port" > idle.out 2>&1 <<'PYEOF' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(200)]
print("open", len(socks), flush=True)
time.sleep(20)
PYEOF
	local idle=$! i
	for ((i = 0; i < 200; i++)); do grep -q open idle.out 2> /dev/null && break; sleep 0.05; done
	grep -q "open 200" idle.out
	run -0 my -N -e "SELECT 'served'"
	[ "$output" = served ]
	# at 210 connections the next is refused
	"$PY" - "$port" > more.out 2>&1 <<'PYEOF'
import socket, sys
more = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(12)]
got = []
for s in more:
    s.settimeout(5)
    b = s.recv(4096)
    got.append(b[4:5].hex())
print(got.count("ff"), got.count("0a"))
PYEOF
	read -r refused served < more.out || true
	[ "$refused" -ge 1 ] || { cat more.out; false; }
	# the idle ones are closed after the read timeout; then there is room again
	sleep 11
	run -0 my -N -e "SELECT 'after'"
	[ "$output" = after ]
	grep -q "timed out" "$BATS_TEST_TMPDIR/mysqld.err"
	kill "$idle" 2> /dev/null || true
	wait "$idle" || true
}

@test "options: usage, --tls-cert without --tls-key, a bad --listen" {
	run -100 sl-mysqld --bogus
	[[ "$output" == *"usage: sl-mysqld"* ]]
	run -100 sl-mysqld --tls-cert x.pem
	[[ "$output" == *"--tls-cert and --tls-key go together"* ]]
	run -100 sl-mysqld --listen nonsense
	[[ "$output" == *"--listen wants ADDR:PORT"* ]]
}

@test "examples: the EXAMPLES of sl-mysqld(8) run as written (port 9030 -> a free one)" {
	cp "$SL_ROOT/examples/create_table.sql" .
	mkdir sl-data
	local p
	p=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	man_examples sl-mysqld.8 | sed "s/9030/$p/g" > ex.sh
	run -0 bash -e ex.sh
	[ "$output" = "$(man_examples sl-mysqld.8 | sed -n 's/^# //p')" ]
}

@test "unit: the protocol's text rows and packets built in place (test-mysqlproto)" {
	run -0 --separate-stderr "$SL_UNIT/test-mysqlproto"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "a result set larger than the output buffer streams whole: 300,000 rows of several types through mysql" {
	sl-sql -e "CREATE DATABASE s; CREATE TABLE s.t (id BIGINT, d DATE, x DECIMAL(9,2), n VARCHAR(300)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 3"
	awk 'BEGIN { for (i = 1; i <= 300000; i++) printf "%d\t2024-01-%02d\t%d.%02d\t%s\n", i - 150000, i % 28 + 1, i, i % 100, (i % 1000 ? "n" i : sprintf("%0300d", i)) }' > s.tsv
	run -0 sl-load -T s.tsv s.t
	mysqld_start
	my -N --quick -e "SELECT id, d, x, n FROM s.t ORDER BY id" > got.tsv
	sort -n s.tsv | cmp - got.tsv
}

@test "COM_STMT_SEND_LONG_DATA: a parameter in pieces, forgotten after EXECUTE, bounded by max_allowed_packet; a bad parameter number" {
	[ -x "$PY" ] && "$PY" -c 'import pymysql' 2> /dev/null || skip "python3-pymysql is not installed"
	mysqld_start --max-allowed-packet 100000
	run -0 "$PY" "$CLIENT" "$port" longdata 3 30000
	[ "$output" = $'row n=90000 b=7\nrow NULL' ]
	run -0 "$PY" "$CLIENT" "$port" longdata 1 0
	[ "$output" = $'row n=0 b=7\nrow NULL' ]
	run -2 "$PY" "$CLIENT" "$port" longdata 4 30000
	[ "$output" = "ERROR 1153: Got a packet bigger than 'max_allowed_packet' bytes" ]
	run -2 "$PY" "$CLIENT" "$port" longdata 1 10 5
	[ "$output" = "ERROR 1210: Incorrect arguments to mysqld_stmt_send_long_data" ]
	run -0 my -N -e "SELECT 'still serving'"
}
