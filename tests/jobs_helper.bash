# Helpers of the continuous-load tests (jobs*.bats): sl-jobd started and
# stopped by PID, polling a query, the sanitizer check of its log.

# jobd_start: sl-jobd over $SL_DATA_DIR, its log in $BATS_TEST_TMPDIR/jobd.err.
jobd_start() {
	sl-jobd 2> "$BATS_TEST_TMPDIR/jobd.err" &
	jobd_pid=$!
}

# jobd_stop: SIGTERM; its exit status.
jobd_stop() {
	kill "$jobd_pid"
	wait "$jobd_pid"; local rc=$?; jobd_pid=; return $rc
}

# until_sql QUERY EXPECTED: poll (every 0.05 s, at most 20 s) until the
# query's -BN output is EXPECTED.
until_sql() {
	local i out
	for ((i = 0; i < 400; i++)); do
		out=$(sl-sql -BN -e "$1")
		[ "$out" = "$2" ] && return 0
		sleep 0.05
	done
	echo "last: $out" >&2
	return 1
}

# the daemon stopped, and no sanitizer report in its logs
jobs_teardown() {
	[ -z "${jobd_pid:-}" ] || kill "$jobd_pid" 2> /dev/null || true
	if grep -q -e 'AddressSanitizer' -e 'runtime error:' "$BATS_TEST_TMPDIR"/jobd*.err 2> /dev/null; then
		cat "$BATS_TEST_TMPDIR"/jobd*.err >&2
		return 1
	fi
}
teardown() { jobs_teardown; }

# mktable: db1.t1 (k INT, v VARCHAR(20)).
mktable() {
	sl-sql -e "CREATE DATABASE db1; CREATE TABLE db1.t1 (k INT, v VARCHAR(20)) DUPLICATE KEY(k)
		DISTRIBUTED BY HASH(k) BUCKETS 1"
}
