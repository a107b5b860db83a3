#!/usr/bin/env bats
# Examples are tests: every script in examples/ runs here, so the README
# session cannot drift from what the binaries do.
load test_helper

@test "examples/quickstart.sh runs the README session in a fresh directory" {
	run -0 --separate-stderr "$SL_ROOT/examples/quickstart.sh" "$BATS_TEST_TMPDIR/qs"
	[ "$stderr" = "" ]
	# every step of the session is shown, with its output
	[[ "$output" == *'$ bin/sl-sql -e "CREATE DATABASE testdb"'* ]]
	[[ "$output" == *'$ bin/sl-sql < create_table.sql'* ]]
	[[ "$output" == *'$ bin/sl-load -H "column_separator:," -H "columns:user_id,name,age" \'* ]]
	[[ "$output" == *'"Status": "Success",'* ]]
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	[[ "$output" == *'$ bin/sl-parse -H column_separator:, < streamload_example.csv \'* ]]
	[ "$(grep -c '"Status": "Success"' <<<"$output")" = 2 ]
	# it used its own data directory, not $SL_DATA_DIR
	[ -d "$BATS_TEST_TMPDIR/qs/sl-data/testdb" ]
	[ ! -e "$SL_DATA_DIR/testdb" ]
	run -0 sl-sql --data-dir "$BATS_TEST_TMPDIR/qs/sl-data" -N -B -e "select count(*) from testdb.test_streamload"
	[ "$output" = 20 ]
}

@test "examples/quickstart.sh refuses a directory that already has data" {
	mkdir -p qs/sl-data
	run -100 --separate-stderr "$SL_ROOT/examples/quickstart.sh" qs
	[[ "$stderr" == "quickstart.sh: fatal: "*"already exists"* ]]
}

@test "examples/quickstart.sh fails when a load fails" {
	# a copy of the examples whose table has a NOT NULL column without a
	# default that the load does not feed: sl-load answers Fail
	mkdir ex
	cp "$SL_ROOT/examples/quickstart.sh" "$SL_ROOT/examples/streamload_example.csv" ex/
	printf 'CREATE TABLE testdb.test_streamload(user_id BIGINT NOT NULL, name VARCHAR(20), age INT, extra INT NOT NULL)\nDUPLICATE KEY(user_id)\nDISTRIBUTED BY HASH(user_id) BUCKETS 1;\n' > ex/create_table.sql
	run --separate-stderr env SL_BIN="$SL_BIN" ex/quickstart.sh qs
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"quickstart.sh: fatal: exit 1 from: bin/sl-load"* ]]
	[[ "$output" == *'"Status": "Fail",'* ]]
}

@test "examples: create_table.sql and the CSV are the seed's, byte for byte" {
	[ "$(wc -l < "$SL_ROOT/examples/streamload_example.csv")" = 10 ]
	[ "$(wc -c < "$SL_ROOT/examples/streamload_example.csv")" = 118 ]
	[ "$(head -n 1 "$SL_ROOT/examples/create_table.sql")" = "CREATE TABLE testdb.test_streamload(" ]
	[ "$(tail -n 1 "$SL_ROOT/examples/create_table.sql")" = "DISTRIBUTED BY HASH(user_id) BUCKETS 10;" ]
}

@test "examples: the EXAMPLES of sl(7) run as written" {
	cp "$SL_ROOT/examples/create_table.sql" "$SL_ROOT/examples/streamload_example.csv" .
	# the files the later examples name: one bad row of 10 in people.csv
	{ head -n 9 streamload_example.csv; echo '11,Zed'; } > people.csv
	sed 's/^/2/' streamload_example.csv > data.csv
	man_examples sl.7 > ex.sh
	[ "$(grep -c 'sl-load' ex.sh)" -ge 3 ]
	run -0 --separate-stderr bash -e ex.sh
	[ "$(grep -c '"Status": "Success"' <<<"$output")" = 3 ]
	[[ "$output" == *'Reason: Column count mismatch'* ]]
	[[ "$output" == *'"msg": "label [batch7] commit successfully."'* ]]
	run -0 sl-sql -N -B -e "select count(*) from testdb.test_streamload"
	# 10 + 10 (pipeline) + 9 adults of people.csv with age >= 18 -> 8, + 10 (2PC)
	[ "$output" = 38 ]
}

@test "examples: the EXAMPLES of sl-stream(5) run as written" {
	sl-sql -e "CREATE DATABASE db"
	sl-sql -e "CREATE TABLE db.t (user_id BIGINT NOT NULL, name VARCHAR(20), age INT) DUPLICATE KEY(user_id) DISTRIBUTED BY HASH(user_id) BUCKETS 1"
	cp "$SL_ROOT/examples/streamload_example.csv" data.csv
	# only the command lines of the first block (the second is a hex dump)
	man_examples sl-stream.5 | awk 'NF == 0 { exit } { print }' > ex.sh
	run -0 --separate-stderr bash -e ex.sh
	[[ "$output" == *"Emily"* ]]
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	run -0 sl-sql -N -B -e "select count(*) from db.t"
	[ "$output" = 10 ]
}

@test "examples: make run serves the seed's curl quick start on 127.0.0.1:8030" {
	if (exec 3<>/dev/tcp/127.0.0.1/8030) 2>/dev/null; then
		skip "port 8030 is in use on this machine"
	fi
	seed_table
	setsid make -s -C "$SL_ROOT" run SL_DATA="$SL_DATA_DIR" > run.log 2>&1 &
	local pid=$! i
	# make run checks the build and the packages first: on a loaded
	# machine that takes a while
	for ((i = 0; i < 600; i++)); do
		curl -sf http://127.0.0.1:8030/api/health > /dev/null && break
		sleep 0.1
	done
	run curl --location-trusted -u root: \
		-H "Expect:100-continue" \
		-H "column_separator:," \
		-H "columns:user_id,name,age" \
		-T streamload_example.csv \
		-XPUT http://127.0.0.1:8030/api/testdb/test_streamload/_stream_load
	local load=$output
	run curl -s -u root: -d '{"stmt":"select count(*) from testdb.test_streamload"}' \
		http://127.0.0.1:8030/api/query/default_cluster/testdb
	local count=$output
	kill -TERM -- -"$pid" 2> /dev/null || true
	wait "$pid" || true
	[[ "$load" == *'"Status": "Success",'* ]]
	[[ "$load" == *'"NumberLoadedRows": 10,'* ]]
	[ "$(jq -c .data.data <<<"$count")" = "[[10]]" ]
}

# ---- the EXAMPLES of every other man page, one test each ---------------------

# The seed's create_table.sql and CSV in the current directory.
seed_files() { cp "$SL_ROOT/examples/create_table.sql" "$SL_ROOT/examples/streamload_example.csv" .; }

@test "examples: the EXAMPLES of sl-load(1) run as written" {
	seed_files
	man_examples sl-load.1 > ex.sh
	run -0 --separate-stderr bash -e ex.sh
	[ "$stderr" = "" ]
	[[ "$output" == *'"Status": "Success",'* ]]
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	[[ "$output" == *"$(printf 'count(*)\n10')" ]]
}

@test "examples: the EXAMPLES of sl-txn(1) run as written" {
	seed_table
	man_examples sl-txn.1 > ex.sh
	run -0 --separate-stderr bash -e ex.sh
	[[ "$output" == *'"Label": "batch-1",'* ]]
	[[ "$output" == *'"Status": "Success",'* ]]
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	run -0 sl-sql -N -B -e "select count(*) from testdb.test_streamload"
	[ "$output" = 10 ]
}

@test "examples: the EXAMPLES of sl-commit(1) run as written" {
	seed_files
	man_examples sl-commit.1 > ex.sh
	run -0 --separate-stderr bash -e ex.sh
	[[ "$output" == *'"TwoPhaseCommit": "true",'* ]]
	[[ "$output" == *'"msg": "label [tp1] commit successfully."'* ]]
	run -0 sl-sql -N -B -e "select count(*) from testdb.test_streamload"
	[ "$output" = 10 ]
}

@test "examples: the EXAMPLES of sl-parse(1) run as written" {
	printf '1,"a,b"\n2,c\n' > data.csv
	man_examples sl-parse.1 > ex.sh
	[ "$(grep -c 'sl-parse' ex.sh)" = 3 ]
	run -0 --separate-stderr bash -e ex.sh
	[ "$output" = "$(printf '1\ta\n2\t\\N\n1\t2\n1\ta,b\n2\tc')" ]
}

@test "examples: the EXAMPLES of sl-map(1) run as written" {
	man_examples sl-map.1 > ex.sh
	run -0 --separate-stderr bash -e ex.sh
	[ "$output" = "$(printf 'k\tv\n10\ta\n20\tb')" ]
}

@test "examples: the EXAMPLES of sl-filter(1) run as written" {
	man_examples sl-filter.1 > ex.sh
	run -0 --separate-stderr bash -e ex.sh
	[ "$output" = "$(printf 'k\tv\n2\tb\n3\tc')" ]
	[[ "$stderr" == *"NumberUnselectedRows=1"* ]]
}

@test "examples: the EXAMPLES of sl-store(5) show what a database holds after one load" {
	# the page's paths are relative to the default data directory
	export SL_DATA_DIR="$BATS_TEST_TMPDIR/sl-data"
	seed_table
	sl-load -H column_separator:, -T streamload_example.csv testdb.test_streamload > /dev/null
	man_session sl-store.5 > ex.sh
	[ "$(wc -l < ex.sh)" = 3 ]
	run -0 --separate-stderr bash -e ex.sh
	[ "$output" = "$(man_shown sl-store.5)" ]
}

# A session's output and the page's, compared loosely: lines joined (the
# page wraps them), numbers as N, and the page's "(...)" standing for
# anything.
loose() { tr -s ' \n' '  ' | sed -E 's/[0-9]+/N/g; s/ $//'; }

@test "examples: the EXAMPLES of sl-fsck(8) run as written, on a log with a flipped bit" {
	# in /home/me, with the default data directory ./sl-data
	unset SL_DATA_DIR
	sl-sql -e "CREATE DATABASE testdb"
	sl-sql -e "CREATE TABLE testdb.t (k INT, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	# the page shows the loads' own files: no compaction runs among them
	echo "compaction_segment_threshold = 0" > sl-data/sl.conf
	local i b log=sl-data/testdb/txnlog
	for ((i = 1; i <= 30; i++)); do
		seq 1 1000 | awk -v i="$i" '{ print i * 1000 + $1 ",v" $1 }' > in.csv
		sl-load -H column_separator:, -T in.csv testdb.t > /dev/null
	done
	b=$(od -An -tu1 -j 8000 -N1 "$log" | tr -d ' ')
	printf "\\x$(printf %02x $((b ^ 4)))" | dd of="$log" bs=1 seek=8000 conv=notrunc status=none
	man_session sl-fsck.8 > ex.sh
	[ "$(wc -l < ex.sh)" = 2 ]
	run -0 bash ex.sh
	local got want
	got=$(sed "s|$PWD/|/home/me/|" <<<"$output" | loose)
	want=$(man_shown sl-fsck.8 | loose)
	want=${want//'(...)'/'*'}
	[[ "$got" == $want ]]
}
