#!/usr/bin/env bats
# Continuous load from a local directory (S3('uri'='file:///dir/*.csv')):
# the seed's session (rows arrive, the view's offsets and statistics,
# PAUSE stops pick-up, RESUME continues, ALTER while paused, DROP), the
# lexicographic rule, batches by s3.max_batch_files and s3.max_batch_bytes
# in tasks(), "mode"="unordered" (late files load once), a bad
# file pausing the job until ALTER of the offset and RESUME, a new file
# picked up at once while idle (inotify), and the man page's EXAMPLES.
load test_helper
load jobs_helper

mkin() {
	mktable
	mkdir -p "$BATS_TEST_TMPDIR/in"
	IN=$BATS_TEST_TMPDIR/in
}

# put NAME FIRST LAST: a CSV file of rows k,v for k in FIRST..LAST, made
# whole elsewhere and renamed in (a watcher never sees half a file).
put() {
	seq "$2" "$3" | awk '{ print $1 ",v" $1 }' > "$BATS_TEST_TMPDIR/tmp.csv"
	mv "$BATS_TEST_TMPDIR/tmp.csv" "$IN/$1"
}

# stays QUERY EXPECTED: still EXPECTED half a second later
stays() {
	sleep 0.5
	[ "$(sl-sql -BN -e "$1")" = "$2" ]
}

create_job() {
	sl-sql -e "CREATE JOB ${1} ON STREAMING ${2:-} DO INSERT INTO db1.t1 SELECT * FROM S3('uri'='file://$IN/*.csv', 'format'='csv', 'column_separator'=',')"
}

@test "jobs-local: the seed's session: rows arrive, the view, PAUSE, RESUME, ALTER, DROP" {
	mkin
	put 2025-09-22-001.csv 1 10
	put 2025-09-22-002.csv 11 20
	put 2025-09-22-003.csv 21 25
	create_job my_job "PROPERTIES('s3.max_batch_files'='2')"
	jobd_start
	until_sql "select count(*), sum(k) from db1.t1" "25	325"
	until_sql "select Status, SucceedTaskCount from job(type=insert)" "RUNNING	2"
	run -0 sl-sql -BNr -e "select CurrentOffset, EndOffset, LoadStatistic from job(type=insert) where ExecuteType = 'STREAMING'"
	size=$(cat "$IN"/*.csv | wc -c)
	[ "$output" = "{\"fileName\":\"$IN/2025-09-22-003.csv\"}	{\"fileName\":\"$IN/2025-09-22-003.csv\"}	{\"scannedRows\":25,\"loadBytes\":$size,\"fileNumber\":3,\"fileSize\":$size}" ]
	run -1 --separate-stderr sl-sql -e "RESUME JOB WHERE jobname = 'my_job'"
	[ "$stderr" = "sl-sql: ERROR 1105 (HY000): errCode = 2, detailMessage = Alter job status error, jobName is my_job, errorMsg is Can't change job status to the same status, job already running" ]
	# PAUSE: a new file waits
	sl-sql -e "PAUSE JOB WHERE jobname = 'my_job'"
	until_sql "select Status from job(type=insert)" PAUSED
	put 2025-09-22-004.csv 26 30
	sleep 1
	run -0 sl-sql -BN -e "select count(*) from db1.t1"
	[ "$output" = 25 ]
	# ALTER while paused, then RESUME: it continues
	sl-sql -e "ALTER JOB my_job PROPERTIES('s3.max_batch_files'='1', 'max_interval'='1')"
	sl-sql -e "RESUME JOB WHERE jobname = 'my_job'"
	until_sql "select count(*), sum(k) from db1.t1" "30	465"
	until_sql "select Status, Properties from job(type=insert)" 'RUNNING	{"s3.max_batch_files":"1","max_interval":"1"}'
	sl-sql -e "DROP JOB WHERE jobname = 'my_job'"
	until_sql "select count(*) from jobs('type'='insert')" 0
	put 2025-09-22-005.csv 31 31
	stays "select count(*) from db1.t1" 30
	jobd_stop
}

@test "jobs-local: after file1..file3 a new file0 is never loaded (ordered); batches of s3.max_batch_files in tasks()" {
	mkin
	for i in 1 2 3 4 5; do put "file$i.csv" "$i" "$i"; done
	create_job j "PROPERTIES('s3.max_batch_files'='2')"
	jobd_start
	until_sql "select count(*) from db1.t1" 5
	until_sql "select SucceedTaskCount from job(type=insert)" 3
	id=$(sl-sql -BN -e "select Id from job(type=insert)")
	run -0 sl-sql -BNr -e "select Label, Status, RunningOffset from tasks(type='insert') where jobId='$id'"
	[ "${#lines[@]}" = 3 ]
	[[ "${lines[0]}" == "${id}_"*"	SUCCESS	{\"startFileName\":\"$IN/file5.csv\",\"endFileName\":\"$IN/file5.csv\"}" ]]
	[[ "${lines[1]}" == *"	SUCCESS	{\"startFileName\":\"$IN/file3.csv\",\"endFileName\":\"$IN/file4.csv\"}" ]]
	[[ "${lines[2]}" == *"	SUCCESS	{\"startFileName\":\"$IN/file1.csv\",\"endFileName\":\"$IN/file2.csv\"}" ]]
	run -0 sl-sql -BNr -e "select LoadStatistic from tasks(type='insert') where jobId='$id' order by TaskId limit 1"
	[ "$output" = '{"scannedRows":2,"loadBytes":10,"fileNumber":2,"fileSize":10}' ]
	put file0.csv 100 100
	put file6.csv 6 6
	until_sql "select count(*), sum(k) from db1.t1" "6	21"
	stays "select count(*) from db1.t1 where k = 100" 0
	jobd_stop
}

@test "jobs-local: batches of s3.max_batch_bytes in tasks(): the file that reaches the limit ends the batch" {
	mkin
	# 60 MiB files, sparse (a row, then zeros): two reach the 100 MiB minimum
	for f in a:1 b:2 c:3; do
		printf '%s,v\n' "${f#*:}" > "$IN/${f%:*}.csv"
		truncate -s 60M "$IN/${f%:*}.csv"
	done
	create_job j "PROPERTIES('s3.max_batch_bytes'='104857600', 'session.enable_insert_strict'='false', 'session.insert_max_filter_ratio'='1')"
	jobd_start
	until_sql "select SucceedTaskCount from job(type=insert)" 2
	jobd_stop
	run -0 sl-sql -BNr -e "select RunningOffset, LoadStatistic from tasks(type='insert')"
	[ "${lines[0]}" = "{\"startFileName\":\"$IN/c.csv\",\"endFileName\":\"$IN/c.csv\"}	{\"scannedRows\":1,\"loadBytes\":62914560,\"fileNumber\":1,\"fileSize\":62914560}" ]
	[ "${lines[1]}" = "{\"startFileName\":\"$IN/a.csv\",\"endFileName\":\"$IN/b.csv\"}	{\"scannedRows\":2,\"loadBytes\":125829120,\"fileNumber\":2,\"fileSize\":125829120}" ]
	[ "${#lines[@]}" = 2 ]
	run -0 sl-sql -BN -e "select count(*), sum(k) from db1.t1"
	[ "$output" = "3	6" ]
}

@test "jobs-local: \"mode\"=\"unordered\": a late file0 loads once; the loaded set's bound pauses the job" {
	mkin
	for i in 1 2 3; do put "file$i.csv" "$i" "$i"; done
	create_job j "PROPERTIES('mode'='unordered', 's3.max_batch_files'='2', 'unordered.max_files'='5')"
	jobd_start
	until_sql "select count(*), sum(k) from db1.t1" "3	6"
	put file0.csv 100 100
	until_sql "select count(*), sum(k) from db1.t1" "4	106"
	until_sql "select CurrentOffset from job(type=insert)" "{\"fileName\":\"$IN/file0.csv\",\"loadedFiles\":4}"
	# an earlier name again, and a loaded file written anew: only the new name loads
	put file00.csv 200 200
	put file2.csv 2 2
	until_sql "select count(*), sum(k) from db1.t1" "5	306"
	# the set holds 5 files: a sixth pauses the job with the reason (never auto-resumed), unloaded
	put file9.csv 9 9
	until_sql "select Status from job(type=insert)" PAUSED
	run -0 sl-sql -BN -e "select ErrorMsg from job(type=insert)"
	[[ "$output" == *'is full (5 files, unordered.max_files=5)'* ]]
	stays "select count(*) from db1.t1" 5
	run -1 --separate-stderr sl-sql -e "ALTER JOB j PROPERTIES('mode'='ordered')"
	[[ "$stderr" == *"detailMessage = The mode property cannot be modified in ALTER JOB" ]]
	run -1 --separate-stderr sl-sql -e "ALTER JOB j PROPERTIES('offset'='{\"fileName\":\"$IN/file5.csv\"}')"
	[[ "$stderr" == *"detailMessage = offset cannot be used with \"mode\"=\"unordered\""* ]]
	sl-sql -e "ALTER JOB j PROPERTIES('unordered.max_files'='6')"
	sl-sql -e "RESUME JOB WHERE jobname = 'j'"
	until_sql "select count(*), sum(k) from db1.t1" "6	315"
	jobd_stop
	run -0 sl-sql -BN -e "select count(*) from db1.t1 group by k having count(*) > 1"
	[ -z "$output" ]
}

@test "jobs-local: a bad file pauses the job (not resumed automatically); ALTER of the offset past it and RESUME continue" {
	mkin
	echo "streaming_job_auto_resume_base_ms = 100" >> "$SL_DATA_DIR/sl.conf"
	put a1.csv 1 3
	printf '4,v4\nnot-a-number,x\n' > "$IN/a2.csv"
	put a3.csv 5 6
	create_job j "PROPERTIES('s3.max_batch_files'='1', 'session.insert_max_filter_ratio'='0')"
	jobd_start
	until_sql "select Status from job(type=insert)" PAUSED
	run -0 sl-sql -BNr -e "select CurrentOffset, FailedTaskCount > 0 from job(type=insert)"
	[ "$output" = "{\"fileName\":\"$IN/a1.csv\"}	1" ]
	run -0 sl-sql -BN -e "select ErrorMsg from job(type=insert)"
	[[ "$output" == *"DATA_QUALITY_ERROR"* ]]
	sleep 1
	run -0 sl-sql -BN -e "select Status, count(*) from job(type=insert) group by Status"
	[ "$output" = "PAUSED	1" ]
	! grep -q "resumed automatically" "$BATS_TEST_TMPDIR/jobd.err"
	sl-sql -e "ALTER JOB j PROPERTIES('offset'='{\"fileName\":\"$IN/a2.csv\"}')"
	sl-sql -e "RESUME JOB WHERE jobname = 'j'"
	until_sql "select count(*), sum(k) from db1.t1" "5	17"
	until_sql "select Status, ErrorMsg from job(type=insert)" "RUNNING	NULL"
	jobd_stop
}

@test "jobs-local: an idle job picks a new file up at once (inotify), not after max_interval" {
	mkin
	create_job j "PROPERTIES('max_interval'='60')"
	jobd_start
	until_sql "select Status from job(type=insert)" RUNNING
	sleep 0.3
	put b1.csv 1 1
	SECONDS=0
	until_sql "select count(*) from db1.t1" 1
	[ "$SECONDS" -le 2 ]
	jobd_stop
}

@test "jobs-local: the EXAMPLES of sl-jobd(8) run as written" {
	unset SL_DATA_DIR
	man_session sl-jobd.8 > ex.sh
	[ "$(wc -l < ex.sh)" = 9 ]
	run -0 --separate-stderr bash -e ex.sh
	[ "$output" = "$(man_shown sl-jobd.8)" ]
}
