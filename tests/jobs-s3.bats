#!/usr/bin/env bats
# Continuous load from S3 (s3rver behind the SigV4-checking front,
# tests/s3_helper.bash): files uploaded under the uri's prefix arrive in
# the table with the view's offsets; a late file0 loaded by an unordered
# job only; 2,500 matching keys listed across
# pages and loaded completely; a wrong secret refused by the front pauses
# the job with the S3 error, and the secret is in no output, log or view.
load test_helper
load jobs_helper
load s3_helper

setup_file() {
	s3_available || return 0
	s3_start
	s3_mkbucket bkt
}

teardown_file() {
	s3_available || return 0
	s3_stop
}

setup() {
	s3_available || skip "node or s3rver missing (make node-deps)"
	setup_data_dir
	mktable
}

# s3job NAME PREFIX [PROPERTIES] [SECRET] [ENDPOINT] [TABLE]: a job over
# s3://bkt/PREFIX/*.csv through the front (or ENDPOINT) into TABLE (db1.t1)
s3job() {
	sl-sql -e "CREATE JOB $1 ON STREAMING ${3:-} DO INSERT INTO ${6:-db1.t1} SELECT * FROM S3(
		'uri'='s3://bkt/$2/*.csv', 's3.endpoint'='${5:-$S3_ENDPOINT}', 's3.region'='$S3_REGION',
		's3.access_key'='$S3_AK', 's3.secret_key'='${4:-$S3_SK}', 'format'='csv',
		'column_separator'=',', 'use_path_style'='true')"
}

@test "jobs-s3: files uploaded under the prefix arrive; offsets and statistics in the view" {
	printf '1,a\n2,b\n' > f1.csv
	printf '3,c\n' > f2.csv
	s3_put bkt d1/2025-09-22-001.csv f1.csv
	s3job j d1 "PROPERTIES('max_interval'='1')"
	jobd_start
	until_sql "select count(*) from db1.t1" 2
	s3_put bkt d1/2025-09-22-002.csv f2.csv
	s3_put bkt d1/skip.txt f2.csv
	until_sql "select count(*), sum(k) from db1.t1" "3	6"
	until_sql "select Status, CurrentOffset, LoadStatistic from job(type=insert)" \
		'RUNNING	{"fileName":"d1/2025-09-22-002.csv"}	{"scannedRows":3,"loadBytes":12,"fileNumber":2,"fileSize":12}'
	jobd_stop
}

@test "jobs-s3: after file1..file3 a new file0: not loaded in order, loaded once by \"mode\"=\"unordered\"" {
	sl-sql -e "CREATE TABLE db1.t2 (k INT, v VARCHAR(20)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	for i in 1 2 3; do printf '%d,v\n' $i > f.csv; s3_put bkt d5/file$i.csv f.csv; done
	s3job o d5 "PROPERTIES('max_interval'='1')"
	s3job u d5 "PROPERTIES('max_interval'='1', 'mode'='unordered')" "" "" db1.t2
	jobd_start
	until_sql "select count(*) from db1.t1" 3
	until_sql "select count(*) from db1.t2" 3
	printf '100,v\n' > f.csv
	s3_put bkt d5/file0.csv f.csv
	until_sql "select count(*), sum(k) from db1.t2" "4	106"
	# a later name: both load it, the ordered job never file0
	printf '4,v\n' > f.csv
	s3_put bkt d5/file4.csv f.csv
	until_sql "select count(*), sum(k) from db1.t1" "4	10"
	until_sql "select count(*), sum(k) from db1.t2" "5	110"
	until_sql "select Name, CurrentOffset from job(type=insert) order by Name" \
		"$(printf 'o\t{"fileName":"d5/file4.csv"}\nu\t{"fileName":"d5/file4.csv","loadedFiles":5}')"
	jobd_stop
}

@test "jobs-s3: 2,500 matching keys are listed across pages and loaded completely" {
	printf '1,x\n' > one.csv
	for i in $(seq -w 1 2500); do echo "d2/k$i.csv"; done | s3_seed_many bkt one.csv
	# straight to s3rver: the front's signature checks are the other tests'
	s3job j d2 "PROPERTIES('s3.max_batch_files'='1000')" "$S3_SK" "$S3_DIRECT"
	jobd_start
	until_sql "select count(*) from db1.t1" 2500
	until_sql "select SucceedTaskCount, CurrentOffset from job(type=insert)" '3	{"fileName":"d2/k2500.csv"}'
	jobd_stop
}

@test "jobs-s3: a wrong secret pauses the job with the S3 error; the secret is nowhere" {
	s3_put bkt d3/a.csv /dev/null
	s3job j d3 "" "WRONGSECRET42"
	jobd_start
	until_sql "select Status from job(type=insert)" PAUSED
	run -0 sl-sql -BN -e "select ErrorMsg from job(type=insert)"
	[[ "$output" == "Failed to fetch meta, SignatureDoesNotMatch"* ]]
	jobd_stop
	! grep -r WRONGSECRET42 "$BATS_TEST_TMPDIR"/jobd.err
	run -0 sl-sql -e "select * from job(type=insert); select * from tasks(type='insert')"
	[[ "$output" != *WRONGSECRET42* ]]
}
