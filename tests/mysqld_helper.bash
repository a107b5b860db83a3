# sl-mysqld started and stopped for the bats files of the MySQL front
# (tests/mysqld.bats, tests/jdbc/mysqld-jdbc.bats): on a free port of
# 127.0.0.1, stopped by PID, its log checked for sanitizer reports.

# mysqld_start [ARGS...]: sl-mysqld on a free port of 127.0.0.1 ($port),
# its log in $BATS_TEST_TMPDIR/mysqld.err.
mysqld_start() {
	local p i
	sl-mysqld --listen 127.0.0.1:0 -1 -v 2 "$@" > "$BATS_TEST_TMPDIR/mysqld.port" \
		2> "$BATS_TEST_TMPDIR/mysqld.err" 3>&- &
	server_pid=$!
	for ((i = 0; i < 500; i++)); do
		if IFS= read -r p 2> /dev/null < "$BATS_TEST_TMPDIR/mysqld.port"; then
			port=${p##*:}
			return 0
		fi
		kill -0 "$server_pid" 2> /dev/null || { cat "$BATS_TEST_TMPDIR/mysqld.err" >&2; return 1; }
		sleep 0.02
	done
	return 1
}

mysqld_stop() {
	if [ -n "${server_pid:-}" ]; then
		kill "$server_pid" 2> /dev/null || true
		wait "$server_pid" 2> /dev/null || true
		server_pid=
	fi
	if grep -q -e 'AddressSanitizer' -e 'runtime error:' "$BATS_TEST_TMPDIR/mysqld.err" 2> /dev/null; then
		cat "$BATS_TEST_TMPDIR/mysqld.err" >&2
		return 1
	fi
}
