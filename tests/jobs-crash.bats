#!/usr/bin/env bats
# Exactly once under SIGKILL: files keep arriving in a local directory
# while sl-jobd, its workers and the stages of their loads are killed
# (SIGKILL) at random moments and sl-jobd restarted, over >= 100 tasks
# (one file a task); afterwards every file's rows are in the table once.
load test_helper
load jobs_helper

teardown() {
	[ -z "${writer:-}" ] || kill "$writer" 2> /dev/null || true
	jobs_teardown
}

# jobd_restart N: another sl-jobd, its log in jobd.N.err
jobd_restart() {
	sl-jobd 2> "$BATS_TEST_TMPDIR/jobd.$1.err" &
	jobd_pid=$!
}

@test "jobs-crash: SIGKILL of sl-jobd, its workers and stages at random over >= 100 tasks: every row once" {
	# the release build proves the count; under the sanitizers (SL_SAN) the
	# same paths run over fewer files
	local files=110 i round=0
	[ -z "${SL_SAN:-}" ] || files=22
	sl-sql -e "CREATE DATABASE db1; CREATE TABLE db1.t1 (k INT, f INT) DUPLICATE KEY(k)
		DISTRIBUTED BY HASH(k) BUCKETS 1"
	IN=$BATS_TEST_TMPDIR/in
	mkdir -p "$IN"
	sl-sql -e "CREATE JOB j ON STREAMING PROPERTIES('s3.max_batch_files'='1', 'max_interval'='1')
		DO INSERT INTO db1.t1 SELECT * FROM S3('uri'='file://$IN/*.csv', 'format'='csv', 'column_separator'=',')"
	# the writer: file n holds rows (n*10+1 .. n*10+3, n), names in order
	(
		for ((n = 1; n <= files; n++)); do
			printf '%d,%d\n%d,%d\n%d,%d\n' $((n * 10 + 1)) $n $((n * 10 + 2)) $n $((n * 10 + 3)) $n \
				> "$BATS_TEST_TMPDIR/w.tmp"
			mv "$BATS_TEST_TMPDIR/w.tmp" "$IN/$(printf 'f%05d.csv' $n)"
			sleep 0.0$((RANDOM % 5))
		done
	) &
	writer=$!
	jobd_restart 0
	while kill -0 "$writer" 2> /dev/null || [ $round -lt 12 ]; do
		round=$((round + 1))
		sleep 0.$((RANDOM % 4 + 1))
		workers=$(pgrep -P "$jobd_pid" || true)
		stages=$(for w in $workers; do pgrep -P "$w"; done || true)
		case $((RANDOM % 3)) in
		0)	# the daemon and its workers
			kill -9 "$jobd_pid" $workers 2> /dev/null || true
			wait "$jobd_pid" 2> /dev/null || true
			jobd_restart $round ;;
		1)	# the daemon alone: its workers stop as on SIGTERM
			kill -9 "$jobd_pid" 2> /dev/null || true
			wait "$jobd_pid" 2> /dev/null || true
			jobd_restart $round ;;
		*)	# one stage of a running load
			set -- $stages
			[ $# -eq 0 ] || kill -9 "${@:$((RANDOM % $# + 1)):1}" 2> /dev/null || true ;;
		esac
	done
	wait "$writer"
	writer=
	# let the last jobd drain the directory
	last=$(printf 'f%05d.csv' $files)
	for ((i = 0; i < 1200; i++)); do
		[ "$(sl-sql -BNr -e "select CurrentOffset from job(type=insert)")" = "{\"fileName\":\"$IN/$last\"}" ] && break
		# a job paused by a killed load resumes with backoff: resume it now
		[ "$(sl-sql -BN -e "select Status from job(type=insert)")" != PAUSED ] ||
			sl-sql -e "RESUME JOB WHERE jobname = 'j'" 2> /dev/null || true
		sleep 0.1
	done
	kill "$jobd_pid"
	wait "$jobd_pid"
	jobd_pid=
	run -0 sl-sql -BN -e "select count(*), count(distinct k), count(distinct f), sum(k) from db1.t1"
	[ "$output" = "$((files * 3))	$((files * 3))	$files	$((files * (files + 1) / 2 * 30 + files * 6))" ]
	run -0 sl-sql -BN -e "select SucceedTaskCount >= $files from job(type=insert)"
	[ "$output" = 1 ]
}
