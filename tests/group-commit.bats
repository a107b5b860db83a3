#!/usr/bin/env bats
# group_commit (spec sections 3.2 and 4; man/sl-store.5 Group commit):
# loads into one table share a transaction and a rowset, each with its own
# answer; async loads become visible at the group commit (the crash test:
# group-commit-crash.bats).
load test_helper
load group_commit_helper

setup() { gc_setup t; }
teardown() { gc_teardown; }

load() { curl -sS -u root: -H column_separator:, "$@" "http://127.0.0.1:$port/api/db/t/_stream_load"; }

@test "the answer: GroupCommit true, a group_commit_ label, no 2PC or begin/commit times; bad values and a label refused" {
	httpd_start
	# a label with group_commit is refused before anything runs: no
	# transaction begun
	run -0 load -H group_commit:async_mode -H label:l1 -T a.csv
	[ "$(field Message <<< "$output")" = "[INVALID_ARGUMENT]label and group_commit can't be set at the same time" ]
	[ "$(field TxnId <<< "$output")" = -1 ]
	[ "$(field Label <<< "$output")" = l1 ]
	[ -z "$(ls "$SL_DATA_DIR/db/txn")" ]
	run -1 --separate-stderr sl-load -H column_separator:, -H group_commit:sync_mode -H label:l1 -T a.csv db.t
	[ "$(field TxnId <<< "$output")" = -1 ]
	[ -z "$(ls "$SL_DATA_DIR/db/txn")" ]
	run -0 load -H group_commit:sync_mode -T a.csv
	[ "$(field Status <<< "$output")" = Success ]
	[ "$(field GroupCommit <<< "$output")" = true ]
	[[ "$(field Label <<< "$output")" =~ ^group_commit_[0-9a-f]{16}_[0-9a-f]{16}$ ]]
	[ "$(field TxnId <<< "$output")" -ge 1000 ]
	[ "$(field NumberLoadedRows <<< "$output")" = 2 ]
	! grep -q -e TwoPhaseCommit -e BeginTxnTimeMs -e CommitAndPublishTimeMs <<< "$output"
	run -0 load -H group_commit:async_mode -T a.csv
	[ "$(field TxnId <<< "$output")" = -1 ]
	[ "$(field GroupCommit <<< "$output")" = true ]
	run -0 load -H group_commit:off_mode -T a.csv
	grep -q '"TwoPhaseCommit": "false"' <<< "$output"
	run -0 load -H group_commit:fast -T a.csv
	[ "$(field Message <<< "$output")" = "[INVALID_ARGUMENT]group_commit can only be [async_mode, sync_mode, off_mode]" ]
	run -0 load -H group_commit:async_mode -H label:l1 -T a.csv
	[ "$(field Message <<< "$output")" = "[INVALID_ARGUMENT]label and group_commit can't be set at the same time" ]
	# group commit does not apply with 2PC: the label is the load's
	run -0 load -H group_commit:sync_mode -H two_phase_commit:true -H label:l1 -T a.csv
	[ "$(field Status <<< "$output")" = Success ]
	[ "$(field Label <<< "$output")" = l1 ]
	# sl-load answers the same way
	run -0 --separate-stderr sl-load -H column_separator:, -H group_commit:sync_mode -T a.csv db.t
	[ "$(field GroupCommit <<< "$output")" = true ]
	# a table group commit does not cover yet: a clear error, nothing loaded
	sl-sql -e "CREATE TABLE db.u (id INT, v INT) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:id,v,x -H group_commit:sync_mode -T a.csv db.u
	[ "$(field Message <<< "$output")" = "[NOT_IMPLEMENTED_ERROR]group_commit is not supported yet for UNIQUE KEY tables: send the load without group_commit (or group_commit: off_mode)" ]
	[ "$(count u)" = 0 ]
	# async rows of the second load may still be pending: the SELECT waits for nobody
	run -0 sl-sql -N -B -e "show group commit from db"
	[ "$(cut -f1 <<< "$output")" = t ]
}

@test "sync_mode: 50 concurrent loads each see their own counts, share commits, all visible; a failing one fails alone" {
	httpd_start
	local i n pids=() loads=50
	# under the sanitizers fewer loads: the release run proves the 50
	[ -z "${SL_SAN:-}" ] || loads=20
	for ((i = 1; i <= loads; i++)); do
		seq "$((i * 1000 + 1))" "$((i * 1000 + i))" | sed 's/$/,n,1/' > "c$i.csv"
	done
	for ((i = 1; i <= loads; i++)); do
		load -H group_commit:sync_mode -T "c$i.csv" > "ans$i" &
		pids+=($!)
	done
	# too many bad rows (a missing column): fails alone, max_filter_ratio 0
	printf '9,x\n10,y,1\n' > bad.csv
	load -H group_commit:sync_mode -T bad.csv > ans.bad &
	pids+=($!)
	wait "${pids[@]}"
	for ((i = 1; i <= loads; i++)); do
		[ "$(field Status < "ans$i")" = Success ] || { cat "ans$i"; false; }
		[ "$(field NumberTotalRows < "ans$i")" = "$i" ]
		[ "$(field NumberLoadedRows < "ans$i")" = "$i" ]
	done
	[ "$(field Status < ans.bad)" = Fail ]
	[ "$(field Message < ans.bad)" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	[ "$(field NumberFilteredRows < ans.bad)" = 1 ]
	grep -q '"ErrorURL"' ans.bad
	[ "$(count)" = $((loads * (loads + 1) / 2)) ]
	[ "$(sl-sql -N -B -e "select count(*) from db.t where id < 1000")" = 0 ]
	# the loads shared commits: fewer transactions than loads
	n=$(cat ans[0-9]* | field TxnId | sort -u | wc -l)
	[ "$n" -lt "$loads" ]
	[ "$(ls "$SL_DATA_DIR/db/t/data" | wc -l)" -le "$n" ]
}

@test "async_mode: rows invisible until the group commits within the interval, then visible once; SHOW GROUP COMMIT" {
	sl-sql -e "CREATE TABLE db.a (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id)
		DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('group_commit_interval_ms' = '1500')"
	run -0 --separate-stderr sl-load -H column_separator:, -H group_commit:async_mode -T a.csv db.a
	[ "$(field Status <<< "$output")" = Success ]
	run -0 --separate-stderr sl-load -H column_separator:, -H group_commit:async_mode -T a.csv db.a
	[ "$(count a)" = 0 ]
	run -0 sl-sql -N -B -e "show group commit from db"
	[ "$(cut -f1-4 <<< "$output")" = "$(printf 'a\t%s\t4\t2' "$(cut -f2 <<< "$output")")" ]
	[ "$(cut -f5,6 <<< "$output")" = "$(printf 'NULL\tNULL')" ]
	[ "$(cut -f7 <<< "$output")" = 1500 ]
	wait_visible a
	[ "$(count a)" = 4 ]
	[ "$(ls "$SL_DATA_DIR/db/a/data" | wc -l)" = 1 ]
	run -0 sl-sql -N -B -e "show group commit from db"
	[ "$(cut -f2-4 <<< "$output")" = "$(printf '0\t0\t0')" ]
	[ "$(cut -f6 <<< "$output")" -ge 1000 ]
}

@test "chunked bodies (curl -T - from a pipe) join groups: one commit, one rowset with a Content-Length load" {
	sl-sql -e "CREATE TABLE db.c (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id)
		DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('group_commit_interval_ms' = '2000')"
	httpd_start
	run -0 curl -sS -u root: -H column_separator:, -H group_commit:async_mode -T - \
		"http://127.0.0.1:$port/api/db/c/_stream_load" < <(printf '3,c,1\n4,d,2\n5,e,3\n')
	[ "$(field Status <<< "$output")" = Success ]
	[ "$(field NumberLoadedRows <<< "$output")" = 3 ]
	run -0 curl -sS -u root: -H column_separator:, -H group_commit:async_mode -T a.csv \
		"http://127.0.0.1:$port/api/db/c/_stream_load"
	[ "$(field Status <<< "$output")" = Success ]
	run -0 sl-sql -N -B -e "show group commit from db"
	[ "$(grep '^c' <<< "$output" | cut -f3,4)" = "$(printf '5\t2')" ]
	wait_visible c
	[ "$(count c)" = 5 ]
	[ "$(ls "$SL_DATA_DIR/db/c/data" | wc -l)" = 1 ]
	# a chunked sync load answers after its commit
	run -0 curl -sS -u root: -H column_separator:, -H group_commit:sync_mode -T - \
		"http://127.0.0.1:$port/api/db/c/_stream_load" < <(printf '6,f,1\n')
	[ "$(field Status <<< "$output")" = Success ]
	[ "$(count c)" = 6 ]
}

@test "async_mode: a load in the log answers Success even when its committer cannot start; the next reader commits it" {
	# gc/daemon.lock a directory: the committer's lock cannot be opened
	mkdir -p "$SL_DATA_DIR/db/t/gc/daemon.lock"
	run -0 --separate-stderr sl-load -H column_separator:, -H group_commit:async_mode -T a.csv db.t
	[ "$(field Status <<< "$output")" = Success ]
	[ "$(field NumberLoadedRows <<< "$output")" = 2 ]
	grep -q 'unable to start the group committer of db.t' <<< "$stderr"
	rmdir "$SL_DATA_DIR/db/t/gc/daemon.lock"
	# the SELECT commits what no committer took
	[ "$(count)" = 2 ]
}

@test "async_mode: a reader that finds records and no committer commits them once and hands the log to a committer of its own (never draining on while loads come)" {
	local dead pid
	sl-sql -e "DROP TABLE db.t; CREATE TABLE db.t (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id)
		DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('group_commit_interval_ms' = '60000')"
	run -0 --separate-stderr sl-load -H column_separator:, -H group_commit:async_mode -T a.csv db.t
	[ "$(field Status <<< "$output")" = Success ]
	# its committer dies before its commit: records, and no committer
	dead=$(cat "$SL_DATA_DIR/db/t/gc/daemon.lock")
	kill -9 "$dead"
	while kill -0 "$dead" 2> /dev/null; do sleep 0.01; done
	# the reader commits them, and a committer of its own now holds the
	# lock (it ends after a second with nothing pending)
	run -0 sl-scan db.t
	pid=$(cat "$SL_DATA_DIR/db/t/gc/daemon.lock")
	[ "$pid" != "$dead" ]
	kill -0 "$pid"
	[ "$(count)" = 2 ]
	# the next load's record waits for a committer's interval: the
	# reader after it finds the lock held and commits nothing itself
	run -0 --separate-stderr sl-load -H column_separator:, -H group_commit:async_mode -T a.csv db.t
	[ "$(field Status <<< "$output")" = Success ]
	[ "$(count)" = 2 ]
}

@test "a small group commit load runs its stages in one process; a stage that fails there answers as through a pipeline" {
	local m a b
	httpd_start
	# the same answers with the stages as a pipeline (SL_STAGE_SEQUENCE=0)
	for m in sync_mode async_mode; do
		# sl-map ends the process: the stages after it run from its output
		a=$(sl-load -H column_separator:, -H group_commit:$m -H columns:id,name,a,age=zz -T a.csv db.t 2> /dev/null || true)
		b=$(SL_STAGE_SEQUENCE=0 sl-load -H column_separator:, -H group_commit:$m -H columns:id,name,a,age=zz -T a.csv db.t 2> /dev/null || true)
		[ "$(field Status <<< "$a")" = Fail ]
		[ "$(field Message <<< "$a")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Unknown column 'zz' in 'table list'" ]
		[ "$(field Message <<< "$a")" = "$(field Message <<< "$b")" ]
		# sl-commit's own verdict: too many filtered rows
		printf '9,x\n10,y,1\n' > bad.csv
		run -0 load -H group_commit:$m -T bad.csv
		[ "$(field Message <<< "$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
		[ "$(field NumberFilteredRows <<< "$output")" = 1 ]
		grep -q '"ErrorURL"' <<< "$output"
	done
	# no spool left behind by the loads that failed or succeeded
	run -0 load -H group_commit:sync_mode -T a.csv
	[ "$(field Status <<< "$output")" = Success ]
	[ -z "$(ls "$SL_DATA_DIR/db/t/gc" | grep spool || true)" ]
	[ "$(count)" = 2 ]
	# the loads were counted once each (the error log too)
	[ "$(sl-sql -N -B -e "show stream load from db" | grep -c Fail)" -ge 6 ]
}

@test "sync_mode: the load that made a commit checks the table's file count (automatic compaction)" {
	local k
	echo "compaction_segment_threshold = 3" > "$SL_DATA_DIR/sl.conf"
	# one after another: each load makes its own commit, a rowset each
	# (k, not i: bats's run sets i)
	for ((k = 1; k <= 8; k++)); do
		printf '%d,n,1\n' "$k" > "s$k.csv"
		run -0 --separate-stderr sl-load -H column_separator:, -H group_commit:sync_mode -T "s$k.csv" db.t
		[ "$(field Status <<< "$output")" = Success ]
	done
	# the compactions run detached, after the answers: wait for them
	for ((k = 0; k < 100; k++)); do
		flock -n "$SL_DATA_DIR/db/t/compact.lock" true && [ "$(ls "$SL_DATA_DIR/db/t/data" | grep -c '\.rs$')" -le 3 ] && break
		sleep 0.1
	done
	[ "$(ls "$SL_DATA_DIR/db/t/data" | grep -c '\.rs$')" -le 3 ]
	[ "$(count)" = 8 ]
}

@test "sync_mode: sl-commit killed once its record is in the log: the launcher waits for the commit and answers Success; the rows are visible once" {
	# the test holds the table's commit lock: the load's sl-commit
	# appends, tells the launcher where its record is, then waits
	mkdir -p "$SL_DATA_DIR/db/t/gc"
	exec {lk}> "$SL_DATA_DIR/db/t/gc/commit.lock"
	flock -x "$lk"
	sl-load -H column_separator:, -H group_commit:sync_mode -T a.csv db.t > out 2> err {lk}>&- &
	load=$!
	pid=
	for ((i = 0; i < 500; i++)); do
		pid=$(pgrep -x sl-commit -P "$load" || true)
		[ -n "$pid" ] && grep -q lock "/proc/$pid/wchan" 2> /dev/null && break
		sleep 0.02
	done
	[ -n "$pid" ]
	[ "$(stat -c %s "$SL_DATA_DIR/db/t/gc/wal")" -gt 16 ]
	kill -9 "$pid"
	exec {lk}>&-
	wait "$load"
	[ "$(field Status < out)" = Success ]
	[ "$(field NumberLoadedRows < out)" = 2 ]
	[ "$(field GroupCommit < out)" = true ]
	[ "$(field TxnId < out)" -gt 0 ]
	grep -q 'sl-commit died after its record went into the group commit log' err
	[ "$(count)" = 2 ]
	# the next load commits alone
	run -0 --separate-stderr sl-load -H column_separator:, -H group_commit:sync_mode -T a.csv db.t
	[ "$(field Status <<< "$output")" = Success ]
	[ "$(count)" = 4 ]
}

@test "unit: a sequence in the caller's own process (sl_spawn_sequence_here): exits, limits, the caller's alarm, and what the caller keeps" {
	run -0 --separate-stderr "$SL_UNIT/test-spawnhere"
}

@test "over HTTP a small group commit load runs its stages in the connection's own process: the answers of a forked sequence and of a pipeline; the connection goes on" {
	local m a b c k
	sl-sql -e "DROP TABLE db.t; CREATE TABLE db.t (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id)
		DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('group_commit_interval_ms' = '300')"
	httpd_start -v 2
	for m in sync_mode async_mode; do
		# sl-map ends itself (a fatal error): the stages after it run
		# from its output, and the answer names it
		a=$(load -H group_commit:$m -H columns:id,name,a,age=zz -T a.csv)
		b=$(sl-load -H column_separator:, -H group_commit:$m -H columns:id,name,a,age=zz -T a.csv db.t 2> /dev/null || true)
		c=$(SL_STAGE_SEQUENCE=0 sl-load -H column_separator:, -H group_commit:$m -H columns:id,name,a,age=zz -T a.csv db.t 2> /dev/null || true)
		[ "$(field Status <<< "$a")" = Fail ]
		[ "$(field Message <<< "$a")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Unknown column 'zz' in 'table list'" ]
		[ "$(field Message <<< "$a")" = "$(field Message <<< "$b")" ]
		[ "$(field Message <<< "$a")" = "$(field Message <<< "$c")" ]
		# sl-commit's verdict, and a body that came with its headers
		# (read whole by the connection first)
		printf '9,x\n10,y,1\n' > bad.csv
		run -0 load -H group_commit:$m --data-binary @bad.csv -X PUT
		[ "$(field Message <<< "$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
		[ "$(field NumberFilteredRows <<< "$output")" = 1 ]
		[ "$(field NumberLoadedRows <<< "$output")" = 0 ]
		# two Successes on one connection: the process that ran the
		# first one's stages runs the second one's too
		run -0 curl -sS -v -u root: -H column_separator:, -H group_commit:$m -T a.csv \
			"http://127.0.0.1:$port/api/db/t/_stream_load" -T a.csv "http://127.0.0.1:$port/api/db/t/_stream_load"
		[ "$(grep -c '"Status": "Success"' <<< "$output")" = 2 ]
		[ "$(grep -ci '^< Connection: close' <<< "$output" || true)" = 0 ]
		grep -qi 'Re-using existing connection' <<< "$output"
	done
	# every Success's rows, once (the async ones within the interval)
	for ((k = 0; k < 100; k++)); do
		[ "$(count)" = 8 ] && break
		sleep 0.1
	done
	[ "$(count)" = 8 ]
	grep -q 'the stages ran in this process' "$BATS_TEST_TMPDIR/server.err"
	# the connection's own lines after the stages are sl-httpd's again
	[ "$(grep -c '^sl-commit: ' "$BATS_TEST_TMPDIR/server.err" || true)" = 0 ]
	grep -q '^sl-map: fatal: .*Unknown column' "$BATS_TEST_TMPDIR/server.err"
}

# waits N: wait (up to 10 s) until the server's log says N times that a
# connection's process waits for the next connection
waits() {
	local i
	for ((i = 0; i < 500; i++)); do
		[ "$(grep -c 'waits for the next connection' "$BATS_TEST_TMPDIR/server.err")" -ge "$1" ] && return 0
		sleep 0.02
	done
	return 1
}
# pids: the connection processes the server's log names, one a line
pids() { sed -n -E 's/^sl-httpd: info: accept pid ([0-9]+) .*/\1/p' "$BATS_TEST_TMPDIR/server.err" | sort -u; }

@test "a connection's process that ran a load's stages serves the next connections: each load as in a fresh process (its time zone, a stage's fatal error); an off_mode load ends it; http_warm_processes = 0 keeps none" {
	local z a p
	sl-sql -e "CREATE TABLE db.z (id INT, dt DATETIME) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	zload() { curl -sS -u root: -H column_separator:, -H group_commit:sync_mode "$@" "http://127.0.0.1:$port/api/db/z/_stream_load"; }
	for z in 1 2 3 4; do
		printf '%s,2024-01-01 10:00:00Z\n' "$z" > "z$z.csv"
	done
	httpd_start -v 2
	run -0 zload -H timezone:+05:00 -T z1.csv
	[ "$(field Status <<< "$output")" = Success ]
	waits 1
	# no time zone header: the default (+08:00), not the load's before
	run -0 zload -T z2.csv
	[ "$(field Status <<< "$output")" = Success ]
	waits 2
	# a stage that ends itself (sl-map's fatal error) leaves the process fit
	run -0 zload -H columns:id,dt=zz -T z3.csv
	[ "$(field Message <<< "$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Unknown column 'zz' in 'table list'" ]
	waits 3
	run -0 zload -H timezone:America/New_York -T z4.csv
	[ "$(field Status <<< "$output")" = Success ]
	waits 4
	run -0 --separate-stderr sl-sql -N -B -e "SELECT id, dt FROM db.z ORDER BY id"
	[ "$output" = "$(printf '%s\n' $'1\t2024-01-01 15:00:00' $'2\t2024-01-01 18:00:00' $'4\t2024-01-01 05:00:00')" ]
	# one process served the four, three of them handed over waiting
	[ "$(pids | wc -l)" = 1 ]
	[ "$(grep -c 'a waiting process' "$BATS_TEST_TMPDIR/server.err")" = 3 ]
	p=$(pids)
	# an off_mode load (its stages forked) ends the process after it
	run -0 curl -sS -u root: -H column_separator:, -H group_commit:off_mode -T z1.csv \
		"http://127.0.0.1:$port/api/db/z/_stream_load"
	[ "$(field Status <<< "$output")" = Success ]
	for ((a = 0; a < 500; a++)); do
		grep -q "end pid $p client .* exit 0\$" "$BATS_TEST_TMPDIR/server.err" && break
		sleep 0.02
	done
	grep -q "end pid $p client .* exit 0\$" "$BATS_TEST_TMPDIR/server.err"
	! kill -0 "$p" 2> /dev/null
	[ "$(grep -c 'waits for the next connection' "$BATS_TEST_TMPDIR/server.err")" = 4 ]
	# a stop ends the waiting processes at once
	run -0 zload -T z1.csv
	waits 5
	p=$(pids | tail -n 1)
	grep -q "accept pid $p " "$BATS_TEST_TMPDIR/server.err"
	kill -0 "$p"
	a=$(date +%s%N)
	httpd_stop
	[ $(( ($(date +%s%N) - a) / 1000000 )) -lt 5000 ]
	! kill -0 "$p" 2> /dev/null
	# http_warm_processes = 0: a new process for each connection
	echo 'http_warm_processes = 0' >> "$SL_DATA_DIR/sl.conf"
	rm -f "$BATS_TEST_TMPDIR/server.port"   # not the last server's port
	httpd_start -v 2
	for z in 1 2 3; do
		run -0 zload -T z1.csv
		[ "$(field Status <<< "$output")" = Success ]
	done
	[ "$(pids | wc -l)" = 3 ]
	! grep -q 'waits for the next connection' "$BATS_TEST_TMPDIR/server.err"
}

@test "http_warm_processes = 1: of two connection processes done at once, one waits for the next connection and the other ends" {
	local a b req
	echo 'http_warm_processes = 1' > "$SL_DATA_DIR/sl.conf"
	httpd_start -v 2
	# two connections, each with a load that runs in its process, both
	# open at once (two processes); then closed one after the other
	printf 'PUT /api/db/t/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDo=\r\ncolumn_separator:,\r\ngroup_commit:sync_mode\r\nContent-Length: 7\r\n\r\n1,a,30\n' > req
	exec {a}<> "/dev/tcp/127.0.0.1/$port" {b}<> "/dev/tcp/127.0.0.1/$port"
	cat req >&"$a"
	cat req >&"$b"
	for req in "$a" "$b"; do
		grep -q -m 1 '"Status": "Success"' <&"$req"
	done
	[ "$(pids | wc -l)" = 2 ]
	exec {a}<&-
	waits 1
	exec {b}<&-
	# the second is told to end: its exit is logged, it waits for nothing
	for ((req = 0; req < 500; req++)); do
		[ "$(grep -c 'end pid [0-9]* client .* exit 0$' "$BATS_TEST_TMPDIR/server.err")" = 1 ] && break
		sleep 0.02
	done
	[ "$(grep -c 'end pid [0-9]* client .* exit 0$' "$BATS_TEST_TMPDIR/server.err")" = 1 ]
	[ "$(grep -c 'waits for the next connection' "$BATS_TEST_TMPDIR/server.err")" = 1 ]
	# the one that waits serves the next connection
	run -0 load -H group_commit:sync_mode -T a.csv
	[ "$(field Status <<< "$output")" = Success ]
	grep -q 'a waiting process' "$BATS_TEST_TMPDIR/server.err"
	[ "$(count)" = 4 ]
}

@test "a group commit load in the connection's process past its timeout answers TIMEOUT and commits nothing, whether sl-parse reads the socket or the connection reads the body" {
	local m out fd line
	httpd_start -v 2
	for m in sync_mode async_mode; do
		# the headers first, the body only after 100 Continue: nothing
		# of it is read with them, so sl-parse reads the socket itself
		# (in this process), stopped by the alarm where it waits
		exec {fd}<> "/dev/tcp/127.0.0.1/$port"
		printf 'PUT /api/db/t/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDo=\r\ncolumn_separator:,\r\ngroup_commit:%s\r\ntimeout:1\r\nExpect: 100-continue\r\nContent-Length: 500\r\n\r\n' "$m" >&"$fd"
		IFS= read -r -t 10 line <&"$fd"
		[[ "$line" == "HTTP/1.1 100 Continue"* ]]
		IFS= read -r -t 10 line <&"$fd"
		printf '1,a,30\n' >&"$fd"
		out=$(timeout 10 cat <&"$fd")
		exec {fd}<&-
		[[ "$(field Message <<< "$out")" == "[TIMEOUT]"* ]]
		# the body with the headers (one write: bash's printf writes a
		# line at a time): the connection reads it (stopped by the same
		# alarm), the stages never run
		printf 'PUT /api/db/t/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDo=\r\ncolumn_separator:,\r\ngroup_commit:%s\r\ntimeout:1\r\nContent-Length: 500\r\n\r\n2,b,40\n' "$m" > req
		exec {fd}<> "/dev/tcp/127.0.0.1/$port"
		cat req >&"$fd"
		out=$(timeout 10 cat <&"$fd")
		exec {fd}<&-
		[[ "$(field Message <<< "$out")" == "[TIMEOUT]"* ]]
	done
	# the server still serves; nothing of the four loads is anywhere
	run -0 load -H group_commit:sync_mode -T a.csv
	[ "$(field Status <<< "$output")" = Success ]
	[ "$(count)" = 2 ]
	# the stages ran in the connections' processes: the two stopped in
	# sl-parse and the last one (the two others never started them); the
	# two stopped ones' processes ended with their connections
	[ "$(grep -c 'the stages ran in this process' "$BATS_TEST_TMPDIR/server.err")" = 3 ]
	[ "$(grep -c 'the stages ran in this process and were stopped' "$BATS_TEST_TMPDIR/server.err")" = 2 ]
	# (the last one's too, unless curl gave up waiting for 100 Continue)
	[ "$(grep -c 'goes to sl-parse directly' "$BATS_TEST_TMPDIR/server.err")" -ge 2 ]
}
