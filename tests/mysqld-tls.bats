#!/usr/bin/env bats
# sl-mysqld's TLS (--tls-cert/--tls-key, the client's SSL request) with
# real clients: Debian's mariadb-client (mysql --ssl...) and pymysql with
# ssl={'ca': ...}; a self-signed certificate for 127.0.0.1 made with the
# openssl command; --require-secure-transport; hostile clients; inetd mode
# and socket activation. Servers listen on 127.0.0.1 and are stopped by PID.
load test_helper

PY=/usr/bin/python3
CLIENT="$BATS_TEST_DIRNAME/mysqld-client.py"
TLS_CLIENT="$BATS_TEST_DIRNAME/mysqld-tls.py"
# The SSL request (32 bytes, sequence id 1): PROTOCOL_41 | SSL |
# SECURE_CONNECTION | PLUGIN_AUTH, max packet 16 MB, utf8mb4, 23 zeros.
SSL_REQUEST=20000001008a08000000000121$(printf '0%.0s' {1..46})

setup_file() {
	command -v openssl > /dev/null || skip "openssl is not installed"
	export CERTS="$BATS_FILE_TMPDIR/certs"
	mkdir -p "$CERTS"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$CERTS/key.pem" -out "$CERTS/cert.pem" 2> /dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$CERTS/other.pem" 2> /dev/null
	printf 'not a certificate\n' > "$CERTS/junk.pem"
}

setup() {
	setup_data_dir
	command -v mysql > /dev/null || skip "mysql (mariadb-client) is not installed"
	[ -s "$CERTS/cert.pem" ] || skip "no certificate (openssl)"
	server_pid=
}

teardown() {
	if [ -n "${server_pid:-}" ]; then
		kill "$server_pid" 2> /dev/null || true
		wait "$server_pid" 2> /dev/null || true
	fi
	! grep -e 'AddressSanitizer' -e 'runtime error:' "$BATS_TEST_TMPDIR/mysqld.err" 2> /dev/null
}

# tls_start [ARGS...]: sl-mysqld -v 2 on a free port of 127.0.0.1 ($port);
# -1 writes the address once listening. Its log: $BATS_TEST_TMPDIR/mysqld.err.
tls_start() {
	local addr= deadline=$((SECONDS + 20))
	sl-mysqld --listen 127.0.0.1:0 -1 -v 2 "$@" > addr.txt 2> "$BATS_TEST_TMPDIR/mysqld.err" 3>&- &
	server_pid=$!
	until [ -s addr.txt ] && addr=$(< addr.txt) && [ -n "$addr" ]; do
		if ! kill -0 "$server_pid" 2> /dev/null || [ "$SECONDS" -ge "$deadline" ]; then
			cat "$BATS_TEST_TMPDIR/mysqld.err" >&2
			return 1
		fi
		sleep 0.02
	done
	port=${addr##*:}
}

tls_server() { tls_start --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/key.pem" "$@"; }
# the client verifies the server's certificate (for 127.0.0.1) with it
my_tls() { mysql -h127.0.0.1 -P"$port" -uroot --ssl-ca="$CERTS/cert.pem" --ssl-verify-server-cert "$@"; }
my_plain() { mysql -h127.0.0.1 -P"$port" -uroot --skip-ssl "$@"; }
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

@test "mysql --ssl: a verified TLS session (status shows its cipher), @@have_ssl YES; a plain client still served" {
	tls_server
	run -0 my_tls -e status
	[[ "$output" == *"SSL:"*"Cipher in use is "* ]]
	run -0 my_tls -N -e "SELECT @@have_ssl; SELECT 40 + 2; SHOW VARIABLES LIKE 'have_ssl'"
	[ "$output" = $'YES\n42\nhave_ssl\tYES\tYES\t0' ]
	run -0 my_tls -N -e "CREATE DATABASE d; CREATE TABLE d.t (k INT, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1; SHOW TABLES FROM d"
	[ "$output" = t ]
	grep -q "connection 1 from 127.0.0.1: TLSv1\.[23], " "$BATS_TEST_TMPDIR/mysqld.err"
	# TLS 1.2 at least
	run -0 my_tls --tls-version=TLSv1.2 -e status
	[[ "$output" == *"SSL:"*"Cipher in use is "* ]]
	run -1 my_tls --tls-version=TLSv1.1 -e status
	[[ "$output" == *"ERROR 2026 (HY000)"* ]]
	grep -q "TLS handshake failed: .*unsupported protocol" "$BATS_TEST_TMPDIR/mysqld.err"
	run -0 my_plain -e status
	[[ "$output" == *"SSL:"*"Not in use"* ]]
	run -0 my_plain -N -e "SELECT @@have_ssl"
	[ "$output" = YES ]
}

@test "without --tls-cert: @@have_ssl DISABLED, CLIENT_SSL not offered, an SSL request answered Bad handshake" {
	tls_start
	run -0 mysql -h127.0.0.1 -P"$port" -uroot -N -e "SELECT @@have_ssl; SHOW VARIABLES LIKE 'have_ssl'"
	[ "$output" = $'DISABLED\nhave_ssl\tDISABLED\tDISABLED\t0' ]
	run -0 mysql -h127.0.0.1 -P"$port" -uroot -e status
	[[ "$output" == *"SSL:"*"Not in use"* ]]
	# a client that insists on a verified TLS session finds none offered
	run -1 my_tls -e "SELECT 1"
	[[ "$output" == *"ERROR 2026 (HY000)"* ]]
	run -0 "$PY" "$CLIENT" "$port" raw "$SSL_REQUEST"
	[ "$output" = "closed ff" ]
}

@test "a large result over TLS equals the plain one (rows in large records); pymysql with ssl={'ca': ...}" {
	sl-sql -e "CREATE DATABASE pydb"
	sl-sql -e "CREATE TABLE pydb.big (id BIGINT, name VARCHAR(40)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4"
	awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "%d\tname %d\n", i, i }' > big.tsv
	run -0 sl-load -T big.tsv pydb.big
	sl-sql -e "CREATE USER 'ann' IDENTIFIED BY 'secret-1'"
	sl-sql -e "GRANT SELECT_PRIV ON pydb.* TO 'ann'"
	tls_server
	my_tls -N -e "SELECT id, name FROM pydb.big ORDER BY id" > tls.out
	my_plain -N -e "SELECT id, name FROM pydb.big ORDER BY id" > plain.out
	[ "$(wc -l < tls.out)" -eq 100000 ]
	cmp tls.out plain.out
	[ -x "$PY" ] && "$PY" -c 'import pymysql' 2> /dev/null || skip "python3-pymysql is not installed"
	run -0 "$PY" "$TLS_CLIENT" "$port" "$CERTS/cert.pem" ann secret-1 100000
	[ "$output" = "True YES 100000 5000050000" ]
	run -2 "$PY" "$TLS_CLIENT" "$port" "$CERTS/cert.pem" ann wrong 1
	[ "$output" = "ERROR 1045: Access denied for user 'ann'@'127.0.0.1' (using password: YES)" ]
}

@test "--require-secure-transport: a plain client refused with 3159, a TLS one served" {
	tls_server --require-secure-transport
	run -1 my_plain -e "SELECT 1"
	[[ "$output" == *"ERROR 3159 (HY000): Connections using insecure transport are prohibited while --require_secure_transport=ON."* ]]
	run -0 my_tls -N -e "SELECT 'secure'"
	[ "$output" = secure ]
	if [ -x "$PY" ] && "$PY" -c 'import pymysql' 2> /dev/null; then
		run -2 "$PY" "$CLIENT" "$port" query root "" "SELECT 1"
		[ "$output" = "ERROR 3159: Connections using insecure transport are prohibited while --require_secure_transport=ON." ]
	fi
}

@test "hostile clients: garbage instead of a ClientHello, a silent one after the SSL request: dropped, the next one served" {
	tls_server --read-timeout 1
	# the SSL request, then an HTTP request where the ClientHello goes
	run -0 "$PY" "$CLIENT" "$port" raw "${SSL_REQUEST}474554202f20485454502f312e300d0a0d0a"
	[[ "$output" == closed* ]]
	# the SSL request, then a response that is not the login over TLS:
	# nothing: the handshake times out
	"$PY" - "$port" "$SSL_REQUEST" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.recv(4096)
s.sendall(bytes.fromhex(sys.argv[2]))
assert s.recv(4096) == b""
PYEOF
	run -0 my_tls -N -e "SELECT 'still serving'"
	[ "$output" = "still serving" ]
	grep -q "TLS handshake failed: " "$BATS_TEST_TMPDIR/mysqld.err"
	grep -q "no TLS session" "$BATS_TEST_TMPDIR/mysqld.err"
	grep -q "timed out" "$BATS_TEST_TMPDIR/mysqld.err"
	kill -0 "$server_pid"
}

@test "start-up: an unreadable certificate or key, not PEM, a key not the certificate's, options alone: exit 100 with the reason" {
	run -100 sl-mysqld --tls-cert "$CERTS/nosuch.pem" --tls-key "$CERTS/key.pem"
	[[ "$output" == *"unable to read the TLS certificate $CERTS/nosuch.pem: No such file or directory"* ]]
	run -100 sl-mysqld --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/nosuch.pem"
	[[ "$output" == *"unable to read the TLS key $CERTS/nosuch.pem: No such file or directory"* ]]
	run -100 sl-mysqld --tls-cert "$CERTS/junk.pem" --tls-key "$CERTS/key.pem"
	[[ "$output" == *"unable to load the TLS certificate $CERTS/junk.pem (PEM expected): "* ]]
	run -100 sl-mysqld --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/junk.pem"
	[[ "$output" == *"unable to load the TLS key $CERTS/junk.pem"* ]]
	run -100 sl-mysqld --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/other.pem"
	[[ "$output" == *"the TLS key $CERTS/other.pem is not the key of the certificate $CERTS/cert.pem: "* ]]
	run -100 sl-mysqld --tls-cert "$CERTS/cert.pem"
	[[ "$output" == *"--tls-cert and --tls-key go together"* ]]
	run -100 sl-mysqld --require-secure-transport
	[[ "$output" == *"--require-secure-transport needs --tls-cert and --tls-key"* ]]
	# the same in inetd mode, before serving anything
	run -100 sl-mysqld --inetd --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/other.pem" < /dev/null
	[[ "$output" == *"is not the key of the certificate"* ]]
}

@test "TLS in inetd mode (fds 0/1) and with systemd socket activation" {
	command -v systemd-socket-activate > /dev/null || skip "no systemd-socket-activate"
	local p pid i
	p=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$p" --accept --inetd -E SL_DATA_DIR="$SL_DATA_DIR" \
		"$SL_BIN/sl-mysqld" --inetd --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/key.pem" \
		--require-secure-transport 2> "$BATS_TEST_TMPDIR/mysqld.err" &
	pid=$!
	port=$p
	for ((i = 0; i < 200; i++)); do my_tls -N -e "SELECT 40 + 2; SELECT @@have_ssl" > out 2>&1 && break; sleep 0.05; done
	[ "$(cat out)" = $'42\nYES' ] || { cat out; false; }
	run -0 my_tls -e status
	[[ "$output" == *"Cipher in use is "* ]]
	run -1 my_plain -e "SELECT 1"
	[[ "$output" == *"ERROR 3159 (HY000)"* ]]
	kill "$pid" 2> /dev/null || true; wait "$pid" || true
	p=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$p" -E SL_DATA_DIR="$SL_DATA_DIR" \
		"$SL_BIN/sl-mysqld" --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/key.pem" 2>> "$BATS_TEST_TMPDIR/mysqld.err" &
	pid=$!
	port=$p
	for ((i = 0; i < 200; i++)); do my_tls -e status > out 2>&1 && break; sleep 0.05; done
	kill "$pid" 2> /dev/null || true; wait "$pid" || true
	grep -q "Cipher in use is " out || { cat out; false; }
}
