#!/usr/bin/env bats
# sl-jobd: the daemon's life (SIGTERM), a failing source pausing the job
# with its error (no secret in any output), the automatic resume with
# backoff, a pause by hand never resumed automatically, RESUME and DROP
# while it runs.
load test_helper
load jobs_helper

BADSQL="INSERT INTO db1.t1 SELECT * FROM S3('uri'='s3://bkt/dir/*.csv', 's3.endpoint'='http://127.0.0.1:9',\
 's3.region'='us-east-1', 's3.access_key'='AKIDSECRET1', 's3.secret_key'='SKSECRET2', 'format'='csv',\
 'use_path_style'='true')"

@test "jobrun: unit tests of the automatic resume rule" {
	run -0 --separate-stderr "$SL_UNIT/test-jobrun"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "sl-jobd: SIGTERM stops it at once, exit 0, with or without jobs" {
	jobd_start
	sleep 0.3
	jobd_stop
	mktable
	sl-sql -e "CREATE JOB j ON STREAMING DO $BADSQL"
	jobd_start
	sleep 0.5
	SECONDS=0
	jobd_stop
	[ "$SECONDS" -le 2 ]
	run -100 --separate-stderr sl-jobd --no-such-option
	[[ "$stderr" == *"usage: sl-jobd"* ]]
}

@test "sl-jobd: a failing source pauses the job with its error; no secret anywhere; auto-resume with backoff" {
	mktable
	echo "streaming_job_auto_resume_base_ms = 400" >> "$SL_DATA_DIR/sl.conf"
	sl-sql -e "CREATE JOB j ON STREAMING DO $BADSQL"
	jobd_start
	until_sql "select Status from job(type=insert)" PAUSED
	run -0 sl-sql -BN -e "select ErrorMsg from job(type=insert)"
	[ -n "$output" ] && [ "$output" != NULL ]
	# resumed automatically, paused again: the waits double (0.4, 0.8, 1.6 s)
	until_sql "select FailedTaskCount >= 3 from job(type=insert)" 1
	jobd_stop
	run -0 grep -c "resumed automatically" "$BATS_TEST_TMPDIR/jobd.err"
	[ "$output" -ge 2 ] && [ "$output" -le 3 ]
	grep -q "paused: " "$BATS_TEST_TMPDIR/jobd.err"
	! grep -r SECRET "$BATS_TEST_TMPDIR/jobd.err"
	run -0 sl-sql -e "select * from job(type=insert); select * from tasks(type='insert')"
	[[ "$output" != *SECRET* ]]
}

@test "sl-jobd: a pause by hand is never resumed automatically; RESUME and DROP while it runs" {
	mktable
	echo "streaming_job_auto_resume_base_ms = 100" >> "$SL_DATA_DIR/sl.conf"
	sl-sql -e "CREATE JOB j ON STREAMING DO $BADSQL"
	sl-sql -e "PAUSE JOB WHERE jobname = 'j'"
	jobd_start
	sleep 1
	run -0 sl-sql -BN -e "select Status, FailedTaskCount, ErrorMsg from job(type=insert)"
	[ "$output" = "PAUSED	0	NULL" ]
	# RESUME: sl-jobd picks it up (and its source fails again)
	sl-sql -e "RESUME JOB WHERE jobname = 'j'"
	until_sql "select FailedTaskCount > 0 from job(type=insert)" 1
	# DROP while it runs: gone from the views; the daemon goes on
	sl-sql -e "DROP JOB WHERE jobname = 'j'"
	until_sql "select count(*) from jobs('type'='insert')" 0
	kill -0 "$jobd_pid"
	sleep 0.5
	run -0 sl-sql -BN -e "select count(*) from jobs('type'='insert')"
	[ "$output" = 0 ]
	[ -z "$(ls "$SL_DATA_DIR"/_jobs/*.job 2> /dev/null)" ]
	jobd_stop
}
