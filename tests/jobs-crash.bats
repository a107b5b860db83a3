#!/usr/bin/env bats
# Exactly once under SIGKILL: files keep arriving in a local directory
# while sl-jobd, its workers and the stages of their loads are killed
# (SIGKILL) at random moments and sl-jobd restarted, over >= 100 tasks
# (one file a task); afterwards every file's rows are in the table once.
# The same for a "mode"="unordered" job whose files arrive in random name
# order (its loaded-key set commits with the rows).
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

# writer FILES [shuffled]: file n (of 1..FILES, in order or shuffled)
# holds rows (n*10+1 .. n*10+3, n), written whole and renamed in, in the
# background ($writer).
writer() {
	(
		for n in $(if [ -n "${2:-}" ]; then shuf -i "1-$1"; else seq 1 "$1"; fi); do
			printf '%d,%d\n%d,%d\n%d,%d\n' $((n * 10 + 1)) $n $((n * 10 + 2)) $n $((n * 10 + 3)) $n \
				> "$BATS_TEST_TMPDIR/w.tmp"
			mv "$BATS_TEST_TMPDIR/w.tmp" "$IN/$(printf 'f%05d.csv' $n)"
			sleep 0.0$((RANDOM % 5))
		done
	) &
	writer=$!
}

# chaos ROUNDS: while the writer writes (and for at least ROUNDS rounds),
# SIGKILL at random the daemon and its workers, the daemon alone, or one
# stage of a running load; the daemon restarted each time.
chaos() {
	local round=0 workers stages
	jobd_restart 0
	while kill -0 "$writer" 2> /dev/null || [ $round -lt "$1" ]; do
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
}

# drained PATTERN: let the last sl-jobd load until CurrentOffset matches
# PATTERN (a job paused by a killed load resumes with backoff: resume it
# now), then stop it; 1 when it never did.
drained() {
	local i cur caught
	for ((i = 0; i < 1200; i++)); do
		cur=$(sl-sql -BNr -e "select CurrentOffset from job(type=insert)")
		# shellcheck disable=SC2053
		[[ $cur == $1 ]] && break
		[ "$(sl-sql -BN -e "select Status from job(type=insert)")" != PAUSED ] ||
			sl-sql -e "RESUME JOB WHERE jobname = 'j'" 2> /dev/null || true
		sleep 0.1
	done
	# a daemon restarted just now may not catch SIGTERM yet (the default
	# action would end it, status 143): wait until it does
	for ((i = 0; i < 200; i++)); do
		caught=$(awk '/^SigCgt:/ { print $2 }' "/proc/$jobd_pid/status" 2> /dev/null || true)
		[ -n "$caught" ] && (((0x$caught >> 14) & 1)) && break
		sleep 0.05
	done
	kill "$jobd_pid"
	wait "$jobd_pid"
	jobd_pid=
	[[ $cur == $1 ]]
}

# every_row_once FILES: the table holds each file's rows exactly once
every_row_once() {
	run -0 sl-sql -BN -e "select count(*), count(distinct k), count(distinct f), sum(k) from db1.t1"
	[ "$output" = "$(($1 * 3))	$(($1 * 3))	$1	$(($1 * ($1 + 1) / 2 * 30 + $1 * 6))" ]
	run -0 sl-sql -BN -e "select SucceedTaskCount >= $(($1 / ${2:-1})) from job(type=insert)"
	[ "$output" = 1 ]
}

# mkjob PROPS: db1.t1 and job j over $IN
mkjob() {
	sl-sql -e "CREATE DATABASE db1; CREATE TABLE db1.t1 (k INT, f INT) DUPLICATE KEY(k)
		DISTRIBUTED BY HASH(k) BUCKETS 1"
	IN=$BATS_TEST_TMPDIR/in
	mkdir -p "$IN"
	sl-sql -e "CREATE JOB j ON STREAMING PROPERTIES($1)
		DO INSERT INTO db1.t1 SELECT * FROM S3('uri'='file://$IN/*.csv', 'format'='csv', 'column_separator'=',')"
}

@test "jobs-crash: SIGKILL of sl-jobd, its workers and stages at random over >= 100 tasks: every row once" {
	# the release build proves the count; under the sanitizers (SL_SAN) the
	# same paths run over fewer files
	local files=110
	[ -z "${SL_SAN:-}" ] || files=22
	mkjob "'s3.max_batch_files'='1', 'max_interval'='1'"
	writer $files
	chaos 12
	drained "{\"fileName\":\"$IN/$(printf 'f%05d.csv' $files)\"}"
	every_row_once $files
}

@test "jobs-crash: \"mode\"=\"unordered\", files arriving in random name order, SIGKILL at random: every row once" {
	local files=30
	[ -z "${SL_SAN:-}" ] || files=12
	mkjob "'mode'='unordered', 's3.max_batch_files'='2', 'max_interval'='1'"
	writer $files shuffled
	chaos 6
	# every file loaded: the set holds them all (the last loaded key varies)
	drained "*\"loadedFiles\":$files}"
	every_row_once $files 2
}
