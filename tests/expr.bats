#!/usr/bin/env bats
# The type and expression library (libcommon/types.c, lex.c, expr.c): casts
# with Doris non-strict semantics, formatting, the binary encoding, the
# tokenizer, parser errors, evaluation with NULL rules, functions and
# aggregates. The assertions live in the C unit tests; these run them.
load test_helper

@test "types: unit tests of casts, encoding and formatting" {
	run -0 --separate-stderr "$SL_UNIT/test-types"
	[[ "$output" =~ ^[0-9]+" passed, 0 failed"$ ]]
	[ -z "$stderr" ]
}

@test "expr: unit tests of lexer, parser, binder, evaluator and aggregates" {
	run -0 --separate-stderr "$SL_UNIT/test-expr"
	[[ "$output" =~ ^[0-9]+" passed, 0 failed"$ ]]
	[ -z "$stderr" ]
}

@test "types: the unit tests run under another process time zone" {
	# sl_tz_set overrides TZ; results must not depend on the host zone
	TZ=America/Los_Angeles run -0 --separate-stderr "$SL_UNIT/test-types"
	[[ "$output" == *" passed, 0 failed" ]]
	TZ=Asia/Kolkata run -0 --separate-stderr "$SL_UNIT/test-expr"
	[[ "$output" == *" passed, 0 failed" ]]
}

# ---- bounds (issue 8.3): linear memory, bounded depth and length -------------

# Peak RSS bound of one parse: the 30k-term sum once took 774 MB, 200k
# terms 24 GB. ASan's shadow memory adds to the RSS of the sanitizer build.
MAXRSS_KB=$((200 * 1024))
[ -n "${SL_SAN:-}" ] && MAXRSS_KB=$((400 * 1024))

# peak CMD...: run CMD (status and output as run gives them); $kb its peak RSS.
peak() {
	run --separate-stderr /usr/bin/time -f '%M' -o "$BATS_TEST_TMPDIR/rss" "$@"
	kb=$(tail -n 1 "$BATS_TEST_TMPDIR/rss")
	echo "peak RSS $kb KiB" >&3
	[ "$kb" -lt "$MAXRSS_KB" ]
}

# gen PYTHON-EXPR FILE: the string PYTHON-EXPR into FILE (no newline).
gen() { python3 -c "import sys; sys.stdout.write($1)" > "$2"; }

DEPTH_ERR='Exceeded the maximum depth of an expression tree (3000).'
CHILD_ERR='Exceeded the maximum number of child expressions (10000).'

@test "bounds: 30k- and 200k-term sums through sl-sql answer Doris's depth error in bounded memory; 3000 terms add up" {
	setup_data_dir
	for n in 30000 200000; do
		gen "'select 1' + '+1' * $((n - 1))" q.sql
		peak sl-sql -BN q.sql
		[ "$status" -eq 1 ]
		[ "$stderr" = "sl-sql: ERROR 1064 (42000) at line 1: $DEPTH_ERR" ]
	done
	gen "'select 1' + '+1' * 2999" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 0 ] && [ "$output" = 3000 ]
	# each sub-expression once kept a copy of its text: 3000 terms of 150
	# bytes each took 700 MB
	gen "'select length(\"' + 'x' * 150 + '\")' + (' + length(\"' + 'x' * 150 + '\")') * 2998" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 0 ] && [ "$output" = 449850 ]
}

@test "bounds: deep parentheses, NOT, signs, nested calls and CASE: a clear error past the nesting bound, the value within it" {
	setup_data_dir
	for form in "'(' * N + '1' + ')' * N" "'abs(' * N + '1' + ')' * N" "'not ' * N + '1'" "'- ' * N + '1'" \
	            "'case when 1 then ' * N + '1' + ' end' * N" "'concat(' * N + '\"a\"' + ',\"b\")' * N"; do
		gen "'select ' + ${form//N/99}" q.sql
		peak sl-sql -BN q.sql
		[ "$status" -eq 0 ] && [ -n "$output" ]
		gen "'select ' + ${form//N/10000}" q.sql
		peak sl-sql -BN q.sql
		[ "$status" -eq 1 ]
		[[ "$stderr" == "sl-sql: ERROR 1064 (42000) at line 1: expression too deeply nested at position "* ]]
	done
}

@test "bounds: IN lists up to 10000 children; longer ones answer Doris's children error in bounded memory" {
	setup_data_dir
	gen "'select 7 in (' + ','.join(str(i) for i in range(9999)) + ')'" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 0 ] && [ "$output" = 1 ]
	gen "'select 7 in (' + ','.join(['1'] * 400000) + ')'" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 1 ]
	[ "$stderr" = "sl-sql: ERROR 1064 (42000) at line 1: $CHILD_ERR" ]
}

@test "bounds: every operator chained to the depth bound runs on half the usual stack" {
	setup_data_dir
	gen "'select 1' + ''.join([' = 1', '+1', ' is null', ' and 1', ' like 1', ' in (1, 2)', ' between 1 and 2', ' or 1', '*2', ' <=> 1'][i % 10] for i in range(2999))" q.sql
	run --separate-stderr bash -c 'ulimit -s 4096 && sl-sql -BN q.sql'
	[ "$status" -eq 0 ] && [ "$output" = 1 ] && [ "$stderr" = "" ]
}

@test "bounds: a statement over 1 MiB is refused before it is parsed; select lists past 4096 columns too" {
	setup_data_dir
	gen "'select 1 in (' + ','.join(['1'] * 600000) + ')'" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 1 ]
	[ "$stderr" = "sl-sql: ERROR 1064 (42000) at line 1: Statement is too long: more than 1048576 bytes" ]
	gen "'select 1; select 2 ' + ' ' * 2000000 + '; select 3'" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 0 ] && [ "$output" = "$(printf '1\n2\n3')" ]
	gen "'select ' + ','.join(['1'] * 4096)" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 0 ]
	gen "'select ' + ','.join(['1'] * 300000)" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 1 ] && [ "$stderr" = "sl-sql: ERROR 1117 (HY000) at line 1: Too many columns" ]
	seed_table
	gen "'select ' + ','.join(['*'] * 2000) + ' from testdb.test_streamload'" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 1 ] && [ "$stderr" = "sl-sql: ERROR 1117 (HY000) at line 1: Too many columns" ]
	gen "'select 1 from testdb.test_streamload order by ' + ','.join(['age'] * 5000)" q.sql
	peak sl-sql -BN q.sql
	[ "$status" -eq 1 ]
	[ "$stderr" = "sl-sql: ERROR 1064 (42000) at line 1: Too many expressions in ORDER BY: the limit is 4096" ]
}

@test "bounds: the query route answers the depth error for 30k and 200k terms, in bounded memory" {
	setup_data_dir
	seed_table
	for n in 30000 200000; do
		gen "'{\"stmt\": \"select 1' + '+1' * $((n - 1)) + ' from test_streamload\"}'" body.json
		{
			printf 'POST /api/query/default_cluster/testdb HTTP/1.1\r\nHost: localhost\r\n'
			printf 'Authorization: Basic cm9vdDo=\r\nContent-Type: application/json\r\n'
			printf 'Content-Length: %d\r\nConnection: close\r\n\r\n' "$(stat -c %s body.json)"
			cat body.json
		} > req
		peak sl-httpd --data-dir "$SL_DATA_DIR" --inetd < req
		[ "$status" -eq 0 ]
		[[ "$output" == "HTTP/1.1 200 OK"* ]]
		[[ "$output" == *"{\"msg\":\"$DEPTH_ERR\",\"code\":1,\"data\":null,\"count\":0}" ]]
	done
}

teardown() {
	if [ -n "${srv:-}" ]; then
		kill "$srv" 2> /dev/null || true
		wait 2> /dev/null || true
	fi
}

@test "bounds: the query route over HTTP: 30k and 200k terms answer the depth error; the server's peak RSS stays bounded" {
	setup_data_dir
	seed_table
	# time(1) reports the largest RSS of sl-httpd and of the children it
	# reaped: one per connection, where the statement is parsed
	/usr/bin/time -f '%M' -o rss sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 > port 2> err 3>&- &
	local i p=
	for ((i = 0; i < 500; i++)); do
		IFS= read -r p 2> /dev/null < port && break
		sleep 0.02
	done
	[ -n "$p" ]
	srv=$(pgrep -P "$!")
	for n in 30000 200000 2999; do
		gen "'{\"stmt\": \"select 1' + '+1' * $((n - 1)) + '\"}'" body.json
		run -0 --separate-stderr curl -sS -u root: -H 'Content-Type: application/json' --data-binary @body.json \
			"http://127.0.0.1:${p##*:}/api/query/default_cluster/testdb"
		if [ "$n" = 2999 ]; then
			jq -e '.code == 0 and .data.data == [[2999]]' <<<"$output"
		else
			[ "$output" = "{\"msg\":\"$DEPTH_ERR\",\"code\":1,\"data\":null,\"count\":0}" ]
		fi
	done
	kill "$srv"
	wait
	srv=
	kb=$(tail -n 1 rss)
	echo "peak RSS $kb KiB" >&3
	[ "$kb" -lt "$MAXRSS_KB" ]
	! grep -e AddressSanitizer -e 'runtime error:' err
}

@test "bounds: sl-load's where header: a 62 KB sum answers the depth error, over 64 KiB it is too long" {
	setup_data_dir
	seed_table
	# (200k terms do not fit one argument of exec; over HTTP the header
	# block is capped at http_max_header_bytes, 64 KiB)
	for n in 31000 50000; do
		w=$(python3 -c "print('user_id < 0' + '+1' * $n)")
		peak sl-load -H column_separator:, -H "where: $w" -T streamload_example.csv testdb.test_streamload
		[ "$status" -eq 1 ]
		if [ "${#w}" -le 65536 ]; then
			[[ "$output" == *"\"Message\": \"[INTERNAL_ERROR]TStatus: ParseException: $DEPTH_ERR in where 'user_id < 0+1+1"* ]]
		else
			[[ "$output" == *"\"Message\": \"[INTERNAL_ERROR]TStatus: ParseException: expression is too long: ${#w} bytes, the limit is 65536 in where 'user_id < 0+1+1"* ]]
		fi
	done
	# within the bound: user_id < 5
	w=$(python3 -c "print('user_id < -2985' + '+1' * 2990)")
	run -0 --separate-stderr sl-load -H column_separator:, -H "where: $w" -T streamload_example.csv testdb.test_streamload
	[[ "$output" == *'"NumberLoadedRows": 4,'* ]] && [[ "$output" == *'"NumberUnselectedRows": 6,'* ]]
}
