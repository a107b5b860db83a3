#!/usr/bin/env bats
# sl-httpd's access log: one key=value line per request at -v 2 (accesslog.h)
# with the load's label, txn id, bytes and duration; never a password or the
# Authorization header; -v 1 logs no request line.
load test_helper

URL=/api/testdb/test_streamload/_stream_load

setup() {
	setup_data_dir
	seed_table
}

teardown() { httpd_stop; }

log() { cat "$BATS_TEST_TMPDIR/server.err"; }
# field LINE KEY: the value of KEY in an access log line
field() { grep -o " $2=[^ ]*" <<<"$1" | head -n 1 | cut -d= -f2-; }

@test "ops-log: a load's line carries its label, txn id, bytes and duration; the password never shows" {
	sl-sql -e "CREATE USER 'jack' IDENTIFIED BY 'S3cret-Pw'; GRANT LOAD_PRIV ON testdb.* TO jack"
	httpd_start -v 2
	run -0 curl -sS -u jack:S3cret-Pw -H column_separator:, -H columns:user_id,name,age -H label:log1 \
		-T streamload_example.csv "http://127.0.0.1:$port$URL"
	txn=$(sed -n -E 's/^ *"TxnId": ([0-9]+),$/\1/p' <<<"$output")
	[ -n "$txn" ]
	run -0 curl -sS -u jack:wrong -H column_separator:, -H label:log2 -T streamload_example.csv \
		"http://127.0.0.1:$port$URL"
	curl -sS -o /dev/null "http://127.0.0.1:$port/api/health"
	httpd_stop
	line=$(log | grep ' label=log1 ')
	[ "$(wc -l <<<"$line")" = 1 ]
	[[ "$line" =~ ^sl-httpd:\ info:\ time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\ client=127\.0\.0\.1:[0-9]+\ user=jack\ method=PUT\ route=stream_load\ path=/api/testdb/test_streamload/_stream_load\ db=testdb\ table=test_streamload\ label=log1\ txn=$txn\ status=Success\ code=200\ bytes_in=118\ rows=10\ duration_ms=[0-9]+$ ]]
	# the refused load: Fail, no transaction
	line=$(log | grep ' label=log2 ')
	[ "$(field "$line" user)" = jack ]
	[ "$(field "$line" txn)" = - ]
	[ "$(field "$line" status)" = Fail ]
	# a request of another route: its fields, unknowns as "-"
	line=$(log | grep ' route=health ')
	[ "$(field "$line" method)" = GET ]
	[ "$(field "$line" label)" = - ]
	[ "$(field "$line" code)" = 200 ]
	# never a password, nor the Authorization header's value
	! log | grep -q -e S3cret -e wrong -e "$(printf 'jack:S3cret-Pw' | base64)" -e "$(printf 'jack:wrong' | base64)"
}

@test "ops-log: a Label Already Exists is logged with its status quoted; -v 1 logs no request line" {
	httpd_start -v 2
	for i in 1 2; do
		curl -sS -o /dev/null -u root: -H column_separator:, -H label:dup1 -T streamload_example.csv \
			"http://127.0.0.1:$port$URL"
	done
	httpd_stop
	log | grep -q ' label=dup1 .* status="Label Already Exists" code=200 '
	rm -f "$BATS_TEST_TMPDIR/server.port"
	httpd_start
	curl -sS -o /dev/null -u root: -H column_separator:, -H label:quiet1 -T streamload_example.csv \
		"http://127.0.0.1:$port$URL"
	httpd_stop
	! log | grep -q 'label=quiet1'
}

@test "ops-log: bytes outside printable ASCII in a logged value are escaped, never written raw" {
	httpd_start -v 2
	curl -sS -o /dev/null "http://127.0.0.1:$port/api/%01%7f%22x%20y/t/_stream_load_2pc" -X PUT || true
	httpd_stop
	line=$(log | grep ' route=stream_load_2pc ')
	[[ "$line" == *'path="/api/\x01\x7f\"x y/t/_stream_load_2pc"'* ]]
	! log | grep -q $'\x01'
}

@test "ops-log: sl-mysqld logs a connection's end in the same key=value format" {
	command -v mysql > /dev/null || skip "mysql client"
	sl-mysqld --listen 127.0.0.1:0 -1 -v 2 > my.port 2> my.err 3>&- &
	mpid=$!
	for ((i = 0; i < 500; i++)); do
		IFS= read -r p 2> /dev/null < my.port && break
		sleep 0.02
	done
	mysql -h127.0.0.1 -P"${p##*:}" -uroot -e 'SELECT 1' > /dev/null
	for ((i = 0; i < 100; i++)); do grep -q ' route=mysql ' my.err && break; sleep 0.05; done
	kill "$mpid"
	wait "$mpid" || true
	[[ "$(grep ' route=mysql ' my.err)" =~ ^sl-mysqld:\ info:\ time=[0-9T:.-]+Z\ client=127\.0\.0\.1\ user=root\ method=connection\ route=mysql\ path=-\ db=-\ table=-\ label=-\ txn=-\ status=closed\ code=-\ bytes_in=-\ rows=-\ duration_ms=[0-9]+$ ]]
}
