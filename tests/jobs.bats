#!/usr/bin/env bats
# Continuous-load jobs in SQL: CREATE / PAUSE / RESUME / ALTER / DROP JOB
# with Doris's rules and messages, the job() / jobs() / tasks() views,
# secrets masked, privileges; through sl-sql, the HTTP query route and the
# MySQL front (the seed's \G view); the job files' unit tests.
load test_helper
load jobs_helper
load mysqld_helper

teardown() {
	mysqld_stop
	jobs_teardown
}

S3SQL="INSERT INTO db1.t1 SELECT * FROM S3('uri'='s3://bucket/dir/*.csv', 's3.endpoint'='http://127.0.0.1:9',\
 's3.region'='us-east-1', 's3.access_key'='AKIDSECRET1', 's3.secret_key'='SKSECRET2', 'format'='csv',\
 'column_separator'=',', 'use_path_style'='true')"

# refused PROPS TEXT: CREATE JOB with PROPERTIES(PROPS) fails with
# detailMessage = TEXT (TEXT ending in $: the whole message, else its start).
refused() {
	run -1 --separate-stderr sl-sql -e "CREATE JOB k ON STREAMING PROPERTIES($1) DO $S3SQL"
	if [[ "$2" == *'$' ]]; then
		[[ "$stderr" == *"detailMessage = ${2%'$'}" ]]
	else
		[[ "$stderr" == *"detailMessage = $2"* ]]
	fi
}

@test "jobstore: unit tests (file format, ids, attachment, task life)" {
	run -0 --separate-stderr "$SL_UNIT/test-jobstore"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "jobs: CREATE JOB, the job view with every column, secrets masked" {
	mktable
	run -0 --separate-stderr sl-sql -e "CREATE JOB my_job ON STREAMING PROPERTIES('s3.max_batch_files'='2',
		'session.insert_max_filter_ratio'='0.5') COMMENT 'nightly' DO $S3SQL"
	[ "$stderr" = "" ]
	run -0 --separate-stderr sl-sql -Br -e "select * from job(type=insert) where ExecuteType = 'STREAMING'"
	[ "${lines[0]}" = "Id	Name	Definer	ExecuteType	RecurringStrategy	Status	ExecuteSql	CreateTime	SucceedTaskCount	FailedTaskCount	CanceledTaskCount	Comment	Properties	CurrentOffset	EndOffset	LoadStatistic	ErrorMsg	JobRuntimeMsg" ]
	IFS=$'\t' read -r id name definer et rs status sql ct sc fc cc comment props cur end stat err rt <<<"${lines[1]}"
	[[ "$id" =~ ^[0-9]{13}$ ]]
	[ "$name" = my_job ] && [ "$definer" = root ] && [ "$et" = STREAMING ] && [ "$rs" = NULL ]
	[ "$status" = PENDING ] && [ "$sc$fc$cc" = 000 ] && [ "$comment" = nightly ]
	[[ "$ct" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]
	[ "$props" = '{"s3.max_batch_files":"2","session.insert_max_filter_ratio":"0.5"}' ]
	[ "$cur" = NULL ] && [ "$end" = NULL ] && [ "$err" = NULL ] && [ "$rt" = NULL ]
	[ "$stat" = '{"scannedRows":0,"loadBytes":0,"fileNumber":0,"fileSize":0}' ]
	[[ "$sql" == "INSERT INTO db1.t1 SELECT * FROM S3('uri'='s3://bucket/dir/*.csv',"* ]]
	[[ "$sql" == *"'s3.access_key'='', 's3.secret_key'='', 'format'='csv'"* ]]
	# the secrets are in no view
	run -0 sl-sql -e "select * from jobs(\"type\"=\"insert\")"
	[[ "$output" != *SECRET* ]]
	run -0 sl-sql -e "select * from tasks(type='insert')"
	[[ "$output" != *SECRET* ]]
	# the job file holding them is the owner's only
	[ "$(stat -c %a "$SL_DATA_DIR"/_jobs/$id.job)" = 600 ]
	run -0 sl-sql -BN -e "select Name from jobs('insert')"
	[ "$output" = my_job ]
	# the seed's queries as written: the job views' strings compare without case
	run -0 --separate-stderr sl-sql -Br -e 'select * from job(type=insert) where ExecuteType = "streaming"'
	[ "${#lines[@]}" = 2 ] && [[ "${lines[1]}" == "$id	my_job	root	STREAMING	NULL	PENDING	"* ]]
	run -0 --separate-stderr sl-sql -BN -e "select Name, ExecuteType from job(\"insert\") where ExecuteType = 'Streaming'"
	[ "$output" = "my_job	STREAMING" ]
	run -0 --separate-stderr sl-sql -BN -e "select Name from job(type=insert) where ExecuteType in ('streaming') and Status <> 'pending'"
	[ "$output" = "" ]
}

@test "jobs: CREATE JOB refusals with Doris's messages" {
	mktable
	sl-sql -e "CREATE JOB j ON STREAMING DO $S3SQL"
	run -1 --separate-stderr sl-sql -e "CREATE JOB j ON STREAMING DO $S3SQL"
	[ "$stderr" = "sl-sql: ERROR 1105 (HY000): errCode = 2, detailMessage = job name exist, jobName:j" ]
	run -1 --separate-stderr sl-sql -e "CREATE JOB k ON STREAMING PROPERTIES('bogus'='1') DO $S3SQL"
	[ "$stderr" = "sl-sql: ERROR 1105 (HY000): errCode = 2, detailMessage = Invalid properties: [bogus]. Supported keys are [max_interval, s3.max_batch_files, s3.max_batch_bytes, offset, compute_group] or any key starting with 'session.'." ]
	run -1 --separate-stderr sl-sql -e "CREATE JOB k ON STREAMING PROPERTIES('s3.max_batch_bytes'='1048576') DO $S3SQL"
	[ "$stderr" = "sl-sql: ERROR 1105 (HY000): errCode = 2, detailMessage = s3.max_batch_bytes must be between 100 MB and 10 GB, but was 1048576" ]
	run -1 --separate-stderr sl-sql -e "CREATE JOB k ON STREAMING PROPERTIES('s3.max_batch_bytes'='10737418241') DO $S3SQL"
	[[ "$stderr" == *"must be between 100 MB and 10 GB, but was 10737418241" ]]
	run -0 sl-sql -e "CREATE JOB k1 ON STREAMING PROPERTIES('s3.max_batch_bytes'='104857600', 'max_interval'='1') DO $S3SQL"
	refused "'max_interval'='0'" "max_interval must be at least 1 second, but was 0$"
	refused "'s3.max_batch_files'='0'" "s3.max_batch_files must be at least 1, but was 0$"
	# "mode" (beyond Doris): ordered or unordered; unordered takes no offset; its bound's range
	refused "'mode'='sorted'" "mode must be ordered or unordered, but was sorted$"
	refused "'mode'='unordered', 'offset'='{\"fileName\":\"dir/a\"}'" "offset cannot be used with \"mode\"=\"unordered\""
	refused "'mode'='unordered', 'unordered.max_files'='100001'" "unordered.max_files must be between 1 and 100000, but was 100001$"
	refused "'offset'='file1'" "Failed to initialize offset, file1$"
	refused "'offset'='{\"name\":\"x\"}'" "Invalid format for offset: {\"name\":\"x\"}$"
	refused "'session.no_such_var'='1'" "Invalid session variable, [no_such_var]$"
	run -1 --separate-stderr sl-sql -e "CREATE JOB k ON STREAMING DO INSERT INTO db1.t1 SELECT * FROM db1.t1"
	[[ "$stderr" == *"detailMessage = Only support one source in insert streaming job" ]]
	run -1 --separate-stderr sl-sql -e "CREATE JOB k ON STREAMING DO INSERT INTO db1.nope SELECT * FROM S3('uri'='s3://b/*')"
	[ "$stderr" = "sl-sql: ERROR 1051 (42S02): Unknown table 'nope'" ]
	# max_streaming_job_num from sl.conf
	echo "max_streaming_job_num = 2" >> "$SL_DATA_DIR/sl.conf"
	run -1 --separate-stderr sl-sql -e "CREATE JOB k2 ON STREAMING DO $S3SQL"
	[[ "$stderr" == *"exceeds the limit of max_streaming_job_num: 2" ]]
	run -0 sl-sql -BN -e "select count(*) from jobs('type'='insert')"
	[ "$output" = 2 ]
}

@test "jobs: PAUSE, RESUME, ALTER (only PAUSED; offset; uri and target fixed), DROP" {
	mktable
	sl-sql -e "CREATE JOB j ON STREAMING PROPERTIES('s3.max_batch_files'='2') DO $S3SQL"
	run -1 --separate-stderr sl-sql -e "ALTER JOB j PROPERTIES('max_interval'='3')"
	[[ "$stderr" == *"detailMessage = Only PAUSED job can be altered" ]]
	run -1 --separate-stderr sl-sql -e "RESUME JOB where jobName = 'j'"
	[[ "$stderr" == *"detailMessage = Alter job status error, jobName is j, errorMsg is Can't change job status to the same status" ]]
	run -0 sl-sql -e "PAUSE JOB WHERE jobname = 'j'"
	run -1 --separate-stderr sl-sql -e "PAUSE JOB WHERE jobname = 'j'"
	[[ "$stderr" == *"detailMessage = Alter job status error, jobName is j, errorMsg is Can't change job status to the same status" ]]
	run -0 sl-sql -BN -e "select Status from job(type=insert) where Name = 'j'"
	[ "$output" = PAUSED ]
	run -1 --separate-stderr sl-sql -e "ALTER JOB j"
	[[ "$stderr" == *"detailMessage = No properties or sql changed in ALTER JOB" ]]
	run -1 --separate-stderr sl-sql -e "ALTER JOB j INSERT INTO db1.t1 SELECT * FROM S3('uri'='s3://bucket/other/*.csv')"
	[[ "$stderr" == *"detailMessage = The uri property cannot be modified in ALTER JOB" ]]
	sl-sql -e "CREATE TABLE db1.t2 (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -1 --separate-stderr sl-sql -e "ALTER JOB j INSERT INTO db1.t2 SELECT * FROM S3('uri'='s3://bucket/dir/*.csv')"
	[[ "$stderr" == *"detailMessage = The target table cannot be modified in ALTER JOB" ]]
	run -0 sl-sql -e "ALTER JOB j PROPERTIES('offset'='{\"fileName\":\"dir/b.csv\"}', 'session.insert_max_filter_ratio'='0.5')"
	run -0 sl-sql -Br -N -e "select Properties, CurrentOffset, Status from job(type=insert)"
	[ "$output" = '{"s3.max_batch_files":"2","offset":"{\"fileName\":\"dir/b.csv\"}","session.insert_max_filter_ratio":"0.5"}	{"fileName":"dir/b.csv"}	PAUSED' ]
	# new source options (credentials, format) may change
	run -0 sl-sql -e "ALTER JOB j DO INSERT INTO db1.t1 SELECT * FROM S3('uri'='s3://bucket/dir/*.csv', 'format'='json')"
	run -0 sl-sql -Br -N -e "select ExecuteSql from job(type=insert)"
	[[ "$output" == *"'format'='json'"* ]]
	run -0 sl-sql -e "RESUME JOB where jobName = 'j'"
	run -0 sl-sql -BN -e "select Status, ErrorMsg from job(type=insert)"
	[ "$output" = "PENDING	NULL" ]
	run -0 sl-sql -e "DROP JOB where jobName = 'j'"
	run -1 --separate-stderr sl-sql -e "DROP JOB where jobName = 'j'"
	[ "$stderr" = "sl-sql: ERROR 1105 (HY000): errCode = 2, detailMessage = job not exist, jobName:j" ]
	run -1 --separate-stderr sl-sql -e "PAUSE JOB WHERE jobname = 'j'"
	[[ "$stderr" == *"job not exist, jobName:j" ]]
	run -0 sl-sql -BN -e "select count(*) from jobs('type'='insert')"
	[ "$output" = 0 ]
	run -1 --separate-stderr sl-sql -e "select * from job(type=routine)"
	[[ "$stderr" == *"Invalid job type: routine"* ]]
}

@test "jobs: a user sees and controls only the jobs of tables it may load" {
	mktable
	sl-sql -e "CREATE DATABASE db2; CREATE TABLE db2.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	sl-sql -e "CREATE USER u IDENTIFIED BY 'pw'; GRANT LOAD_PRIV ON db2.* TO u"
	sl-sql -e "CREATE JOB j1 ON STREAMING DO $S3SQL"
	run -0 sl-sql -u u -ppw -e "CREATE JOB j2 ON STREAMING DO INSERT INTO db2.t SELECT * FROM S3('uri'='s3://b/*.csv')"
	run -1 sl-sql -u u -ppw -e "CREATE JOB j3 ON STREAMING DO $S3SQL"
	run -0 sl-sql -u u -ppw -BN -e "select Name, Definer from jobs('type'='insert')"
	[ "$output" = "j2	u" ]
	run -1 sl-sql -u u -ppw -e "PAUSE JOB WHERE jobname = 'j1'"
	run -0 sl-sql -BN -e "select Name from jobs('type'='insert') order by Name"
	[ "$output" = "j1
j2" ]
}

@test "jobs: the statements through the HTTP query route" {
	mktable
	httpd_start
	q() { curl -sS -u root: -H 'Content-Type: application/json' --data-binary "$1" "http://127.0.0.1:$port/api/query/default_cluster/db1"; }
	run -0 q '{"stmt": "CREATE JOB hj ON STREAMING DO INSERT INTO db1.t1 SELECT * FROM S3(\"uri\"=\"s3://b/*.csv\", \"s3.secret_key\"=\"SKSECRET9\")"}'
	[[ "$output" == *'"code":0'* ]]
	run -0 q '{"stmt": "PAUSE JOB WHERE jobname = \"hj\""}'
	run -0 q '{"stmt": "select Name, Status, ExecuteSql from job(type=insert)"}'
	[[ "$output" == *'"hj","PAUSED"'* ]] && [[ "$output" != *SKSECRET9* ]]
	run -0 q '{"stmt": "DROP JOB WHERE jobname = \"hj\""}'
	httpd_stop
}

@test "jobs: the seed's statements through the MySQL front (mysql, \\G)" {
	command -v mysql > /dev/null || skip "mysql (mariadb-client) is not installed"
	mktable
	mysqld_start
	my() { mysql -h127.0.0.1 -P"$port" -uroot "$@"; }
	run -0 my -e "CREATE JOB my_job1 ON STREAMING PROPERTIES('s3.max_batch_files'='2') DO $S3SQL"
	run -0 my -e 'select * from job(type=insert) where ExecuteType = "streaming"\G'
	[[ "$output" == *"
             Name: my_job1
          Definer: root
      ExecuteType: STREAMING
RecurringStrategy: NULL
           Status: PENDING
"* ]]
	[[ "$output" == *"
       Properties: {\"s3.max_batch_files\":\"2\"}
    CurrentOffset: NULL
        EndOffset: NULL
    LoadStatistic: {\"scannedRows\":0,\"loadBytes\":0,\"fileNumber\":0,\"fileSize\":0}
         ErrorMsg: NULL"* ]]
	[[ "$output" != *SECRET* ]]
	run -0 my -e "PAUSE JOB WHERE jobname = 'my_job1'"
	run -1 my -e "PAUSE JOB WHERE jobname = 'my_job1'"
	[[ "$output" == *"errorMsg is Can't change job status to the same status"* ]]
	run -0 my -e "RESUME JOB WHERE jobName = 'my_job1'"
	run -0 my -N -e "select Status from jobs(\"type\"=\"insert\") where Name = 'my_job1'"
	[ "$output" = PENDING ]
	run -0 my -e "DROP JOB WHERE jobName = 'my_job1'"
	run -0 my -N -e "select count(*) from tasks(type='insert')"
	[ "$output" = 0 ]
	mysqld_stop
}

@test "jobs: an unqualified target is kept with the session's database (sl-jobd has no session)" {
	mktable
	run -0 sl-sql -D db1 -e "CREATE JOB q ON STREAMING DO INSERT INTO t1 SELECT * FROM S3('uri'='s3://b/*.csv')"
	run -0 sl-sql -BNr -e "select ExecuteSql from jobs('type'='insert')"
	[ "$output" = "INSERT INTO \`db1\`.t1 SELECT * FROM S3('uri'='s3://b/*.csv')" ]
	sl-sql -e "PAUSE JOB WHERE jobname = 'q'"
	run -0 sl-sql -D db1 -e "ALTER JOB q INSERT INTO t1 SELECT * FROM S3('uri'='s3://b/*.csv', 'format'='json')"
	run -0 sl-sql -BNr -e "select ExecuteSql from jobs('type'='insert')"
	[ "$output" = "INSERT INTO \`db1\`.t1 SELECT * FROM S3('uri'='s3://b/*.csv', 'format'='json')" ]
	run -1 sl-sql -e "CREATE JOB r ON STREAMING DO INSERT INTO t1 SELECT * FROM S3('uri'='s3://b/*.csv')"
	[[ "$output" == *"No database selected"* ]]
}
