#!/usr/bin/env bats
# INSERT INTO ... VALUES / SELECT FROM a table, local() and S3(): one load
# through the stages, with a label, Doris's answers and errors, through
# sl-sql, the HTTP query route and the MySQL front.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE db1;
		CREATE TABLE db1.t (k INT, v VARCHAR(20), d DECIMAL(10,2), dt DATETIME,
		  n INT NOT NULL DEFAULT '7') DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1;
		CREATE TABLE db1.u (a INT, b VARCHAR(30), c INT) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1"
}

# Servers a test started, stopped by PID even when it failed half way.
teardown() {
	[ -z "${server_pid:-}" ] || { kill "$server_pid" 2> /dev/null; wait "$server_pid" 2> /dev/null || true; }
	[ -z "${S3_PID:-}" ] || s3_stop || true
}

rows() { sl-sql -N -e "SELECT * FROM $1 ORDER BY 1"; }
# The "Query OK" line without its time.
ok_line() { sed -n '1s/ ([0-9.]* sec)$//p' <<<"$output"; }
info_line() { sed -n 2p <<<"$output"; }

@test "insert: VALUES with types, NULLs, a column list, defaults and labels" {
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.t WITH LABEL l1 VALUES
		(1, 'a,b\"c\\\\', 1.25, '2024-01-02 03:04:05', 3), (2, NULL, NULL, NULL, 4)"
	[ "$(ok_line)" = "Query OK, 2 rows affected" ]
	[[ "$(info_line)" =~ ^\{\'label\':\'l1\',\ \'status\':\'VISIBLE\',\ \'txnId\':\'[0-9]+\'\}$ ]]
	run -0 --separate-stderr sl-sql -D db1 -e "INSERT INTO t (v, k) VALUES ('x', 1 + 2)"
	[ "$(ok_line)" = "Query OK, 1 row affected" ]
	# a generated label, as Doris's: label_<hex>_<hex>
	[[ "$(info_line)" =~ \'label\':\'label_[0-9a-f]+_[0-9a-f]+\' ]]
	run -0 rows db1.t
	[ "$output" = "$(printf '1\ta,b"c\\\\\t1.25\t2024-01-02 03:04:05\t3\n2\tNULL\tNULL\tNULL\t4\n3\tx\tNULL\tNULL\t7')" ]
	# the label is taken: Doris's INSERT error, nothing loaded
	run -1 --separate-stderr sl-sql -e "INSERT INTO db1.t WITH LABEL l1 VALUES (9, 'z', 1, NULL, 1)"
	[ "$stderr" = "sl-sql: ERROR 1105 (HY000): errCode = 2, detailMessage = Label [l1] has already been used." ]
	[ "$(sl-sql -N -e 'SELECT count(*) FROM db1.t')" = 3 ]
	run -0 sl-sql -N -e "SHOW LOAD FROM db1 WHERE LABEL = 'l1'"
	[[ "$output" == *l1* ]]
}

@test "insert: analysis and syntax errors as Doris's" {
	t() { run -1 --separate-stderr sl-sql -e "$1"; [ "$stderr" = "sl-sql: ERROR $2" ]; }
	t "INSERT INTO db1.t (k, v) VALUES (4)" "1136 (21S01): Column count doesn't match value count"
	t "INSERT INTO db1.t VALUES (4, 'x')" "1136 (21S01): Column count doesn't match value count"
	t "INSERT INTO db1.u SELECT k, v FROM db1.t" "1136 (21S01): Column count doesn't match value count"
	t "INSERT INTO db1.u SELECT * FROM db1.t" "1136 (21S01): Column count doesn't match value count"
	t "INSERT INTO db1.nope VALUES (4)" "1051 (42S02): Unknown table 'nope'"
	t "INSERT INTO nodb.t VALUES (4)" "1049 (42000): Unknown database 'nodb'"
	t "INSERT INTO t VALUES (4)" "1046 (3D000): No database selected"
	t "INSERT INTO db1.t (k, zz) VALUES (4, 1)" "1054 (42S22): Unknown column 'zz' in 't'"
	t "INSERT INTO db1.t (k, k) VALUES (4, 1)" "1105 (HY000): Column 'k' specified twice"
	t "INSERT INTO db1.t (k) VALUES (4" "1064 (42000): syntax error at end of input (position 32)"
	t "INSERT INTO db1.t (k) VALUES (DEFAULT)" "1105 (HY000): DEFAULT in VALUES is not supported yet"
	t "INSERT INTO db1.u SELECT k, v, n FROM db1.nope" "1051 (42S02): Unknown table 'nope'"
	t "INSERT INTO db1.u SELECT k, v, nope FROM db1.t" "1054 (42S22): Unknown column 'nope' in 'table list'"
	t "INSERT INTO db1.t PARTITION (p1) VALUES (1)" "1105 (HY000): INSERT INTO a PARTITION is not supported yet"
	t "INSERT INTO db1.t WITH LABEL \`a b\` VALUES (1, 'x', 1, NULL, 1)" "1105 (HY000): Label format error: 'a b'"
	[ "$(sl-sql -N -e 'SELECT count(*) FROM db1.t')" = 0 ]
}

@test "insert: SELECT from another table, with expressions, WHERE and a column list" {
	sl-sql -e "INSERT INTO db1.t VALUES (1, 'a', 1.5, NULL, 1), (2, 'b', NULL, NULL, 2), (3, NULL, 3, NULL, 3)"
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u SELECT k * 10, concat(v, '!'), n + 100 FROM db1.t WHERE k >= 2"
	[ "$(ok_line)" = "Query OK, 2 rows affected" ]
	run -0 --separate-stderr sl-sql -D db1 -e "INSERT INTO u (c, a) SELECT k, n FROM t WHERE v = 'a'"
	[ "$(ok_line)" = "Query OK, 1 row affected" ]
	sl-sql -e "CREATE TABLE db1.t2 LIKE db1.t" 2> /dev/null ||
		sl-sql -e "CREATE TABLE db1.t2 (k INT, v VARCHAR(20), d DECIMAL(10,2), dt DATETIME, n INT NOT NULL DEFAULT '7') DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.t2 SELECT * FROM db1.t"
	[ "$(ok_line)" = "Query OK, 3 rows affected" ]
	run -0 rows db1.u
	[ "$output" = "$(printf '1\tNULL\t1\n20\tb!\t102\n30\tNULL\t103')" ]
	[ "$(rows db1.t2)" = "$(rows db1.t)" ]
	# no rows selected: a load of nothing, still answered
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u SELECT k, v, n FROM db1.t WHERE k > 100"
	[ "$(ok_line)" = "Query OK, 0 rows affected" ]
}

@test "insert: enable_insert_strict and insert_max_filter_ratio" {
	# strict (the default): any filtered row fails the insert
	run -1 --separate-stderr sl-sql -e "INSERT INTO db1.t (k, n) VALUES ('abc', 1), (2, 2)"
	[[ "$stderr" == "sl-sql: ERROR 1105 (HY000): errCode = 2, detailMessage = Insert has filtered data in strict mode. first_error_msg: "*". url: file://"* ]]
	# not strict: a bad cast is NULL, a NULL into NOT NULL is filtered
	run -0 --separate-stderr sl-sql -e "SET enable_insert_strict = false; INSERT INTO db1.t (k, n) VALUES ('abc', 1), (2, NULL), (3, 3)"
	[ "$(ok_line)" = "Query OK, 2 rows affected" ]
	run -1 --separate-stderr sl-sql -e "SET enable_insert_strict = false; SET insert_max_filter_ratio = '0.1';
		INSERT INTO db1.t (k, n) VALUES (5, NULL), (6, 6)"
	[[ "$stderr" == "sl-sql: ERROR 1105 (HY000): errCode = 2, detailMessage = Insert has too many filtered data 1/2 insert_max_filter_ratio is 0.100000. first_error_msg: "*"url: file://"* ]]
	run -0 rows db1.t
	[ "$output" = "$(printf 'NULL\tNULL\tNULL\tNULL\t1\n3\tNULL\tNULL\tNULL\t3')" ]
}

@test "insert: privileges: LOAD on the target, SELECT on a source table" {
	sl-sql -e "INSERT INTO db1.t (k) VALUES (1); CREATE USER ann IDENTIFIED BY 'pw'; GRANT LOAD_PRIV ON db1.u TO ann"
	run -1 --separate-stderr sl-sql -u ann -ppw -e "INSERT INTO db1.t (k) VALUES (2)"
	[[ "$stderr" == "sl-sql: ERROR 1142 (42000): LOAD command denied to user 'ann'"* ]]
	run -1 --separate-stderr sl-sql -u ann -ppw -e "INSERT INTO db1.u SELECT k, v, n FROM db1.t"
	[[ "$stderr" == "sl-sql: ERROR 1142 (42000): SELECT command denied to user 'ann'"* ]]
	run -0 --separate-stderr sl-sql -u ann -ppw -e "INSERT INTO db1.u (a) VALUES (7)"
	[ "$(ok_line)" = "Query OK, 1 row affected" ]
	sl-sql -e "GRANT SELECT_PRIV ON db1.t TO ann"
	run -0 --separate-stderr sl-sql -u ann -ppw -e "INSERT INTO db1.u SELECT k, v, n FROM db1.t"
	[ "$(ok_line)" = "Query OK, 1 row affected" ]
	[ "$(sl-sql -N -e 'SELECT count(*) FROM db1.u')" = 2 ]
}

@test "insert: a killed INSERT leaves nothing and its label free" {
	# 30,000 source rows: more than the pipes hold while sl-parse waits
	seq 1 30000 | awk '{ print $1 ",v" $1 ",1" }' > src.csv
	sl-load -H column_separator:, -T src.csv db1.u > /dev/null
	mkdir stages
	for s in sl-parse sl-map sl-filter sl-txn sl-commit; do
		printf '#!/bin/sh\n%sexec "%s/%s" "$@"\n' "$([ $s = sl-parse ] && echo 'sleep 1; ')" "$SL_BIN" "$s" > stages/$s
		chmod +x stages/$s
	done
	# not strict: the row cut in half is only filtered, the rows before it
	# would be committed if sl-commit did not see its launcher gone
	SL_STAGE_DIR=$PWD/stages sl-sql -e "SET enable_insert_strict = false;
		INSERT INTO db1.u WITH LABEL k1 SELECT a, b, c FROM db1.u" > out 2> err &
	local pid=$! i
	sleep 0.5
	kill -9 "$pid"
	wait "$pid" || true
	# the orphaned stages end by themselves
	for ((i = 0; i < 200; i++)); do
		pgrep -f "$SL_DATA_DIR" > /dev/null || break
		sleep 0.05
	done
	! pgrep -f "$SL_DATA_DIR"
	[ "$(sl-sql -N -e 'SELECT count(*) FROM db1.u')" = 30000 ]
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u WITH LABEL k1 SELECT a, b, c FROM db1.u WHERE a <= 10"
	[ "$(ok_line)" = "Query OK, 10 rows affected" ]
}

@test "insert: through the HTTP query route and the mysql client" {
	httpd_start --allow-empty-root-password
	run -0 curl -sS -u root: -H 'Content-Type: application/json' \
		-d '{"stmt": "INSERT INTO t WITH LABEL h1 (k, v) VALUES (1, '"'"'x'"'"'), (2, NULL)"}' \
		"http://127.0.0.1:$port/api/query/default_cluster/db1"
	[[ "$output" =~ ^\{\"msg\":\"success\",\"code\":0,\"data\":\{\"type\":\"exec_status\",\"status\":\{\"affectedRows\":2,\"info\":\"\{\'label\':\'h1\',\ \'status\':\'VISIBLE\',\ \'txnId\':\'[0-9]+\'\}\"\}\},\"count\":0\}$ ]]
	run -0 curl -sS -u root: -H 'Content-Type: application/json' \
		-d '{"stmt": "INSERT INTO t WITH LABEL h1 (k) VALUES (3)"}' \
		"http://127.0.0.1:$port/api/query/default_cluster/db1"
	[[ "$output" == *'Label [h1] has already been used.'* ]]
	httpd_stop
	[ "$(sl-sql -N -e 'SELECT count(*) FROM db1.t')" = 2 ]
	command -v mysql > /dev/null || skip "mysql (mariadb-client) is not installed"
	load mysqld_helper
	mysqld_start
	run -0 mysql -h127.0.0.1 -P"$port" -uroot -vvv -D db1 -e "INSERT INTO t WITH LABEL m1 (k) VALUES (3), (4), (5)"
	[[ "$output" == *"Query OK, 3 rows affected"*"{'label':'m1', 'status':'VISIBLE', 'txnId':'"* ]]
	run -1 mysql -h127.0.0.1 -P"$port" -uroot -D db1 -e "INSERT INTO t (k, v) VALUES (3)"
	[[ "$output" == *"ERROR 1136 (21S01)"*"Column count doesn't match value count"* ]]
	mysqld_stop
	[ "$(sl-sql -N -e 'SELECT count(*) FROM db1.t')" = 5 ]
}

@test "insert: SELECT FROM local() csv and json files, with exprs and WHERE" {
	mkdir in
	printf '1,a,10\n2,b,20\n' > in/f1.csv
	printf '3,c,30' > in/f2.csv         # no final newline: the next file still starts a row
	printf '4,d,40\n' > in/f3.csv
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u WITH LABEL loc1 SELECT * FROM local(
		'file_path' = '$PWD/in/*.csv', 'backend_id' = '1', 'format' = 'csv', 'column_separator' = ',')"
	[ "$(ok_line)" = "Query OK, 4 rows affected" ]
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u SELECT c1 + 100, upper(c2), c3 FROM local(
		'file_path' = '$PWD/in/f1.csv', 'format' = 'csv', 'column_separator' = ',') WHERE c3 > 10"
	[ "$(ok_line)" = "Query OK, 1 row affected" ]
	printf '{"id": 5, "name": "e", "x": 50}\n{"id": 6, "name": null, "x": 60}\n' > in/g.json
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u (a, b) SELECT id, name FROM local(
		'file_path' = '$PWD/in/g.json', 'format' = 'json') WHERE x < 60"
	[ "$(ok_line)" = "Query OK, 1 row affected" ]
	run -0 rows db1.u
	[ "$output" = "$(printf '1\ta\t10\n2\tb\t20\n3\tc\t30\n4\td\t40\n5\te\tNULL\n102\tB\t20')" ]
	# csv_with_names: each file's header line is dropped, the rest spliced on
	mkdir hn
	printf 'a,b,c\n7,g,70' > hn/h1.csv
	printf 'a,b,c\n8,h,80\n9,i,90\n' > hn/h2.csv
	printf 'a,b,c\n' > hn/h3.csv
	printf 'a,b,c\n10,j,100\n' > hn/h4.csv
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u SELECT * FROM local(
		'file_path' = '$PWD/hn/*.csv', 'format' = 'csv_with_names', 'column_separator' = ',')"
	[ "$(ok_line)" = "Query OK, 4 rows affected" ]
	[ "$(sl-sql -N -e 'SELECT sum(c) FROM db1.u WHERE a BETWEEN 7 AND 10')" = 340 ]
}

@test "insert: SELECT FROM S3() through the signature-checking front" {
	load s3_helper
	s3_available || skip "node and s3rver are not installed (make node-deps)"
	s3_start 3>&-       # not holding bats's fd 3: a failed test still ends
	s3_mkbucket bkt
	printf '1,a,10\n2,b,20\n' > f1.csv
	printf '3,c,30\n' > f2.csv
	s3_put bkt dir/f1.csv f1.csv
	s3_put bkt dir/f2.csv f2.csv
	s3_put bkt other/f3.csv f2.csv
	props="'s3.endpoint' = '$S3_ENDPOINT', 's3.region' = '$S3_REGION', 's3.access_key' = '$S3_AK',
		'format' = 'csv', 'column_separator' = ',', 'use_path_style' = 'true'"
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u WITH LABEL s3a SELECT * FROM S3(
		'uri' = 's3://bkt/dir/*.csv', 's3.secret_key' = '$S3_SK', $props)"
	[ "$(ok_line)" = "Query OK, 3 rows affected" ]
	run -0 --separate-stderr sl-sql -e "INSERT INTO db1.u SELECT c1 * 100, c2, c3 FROM S3(
		'uri' = 's3://bkt/dir/f1.csv', 's3.secret_key' = '$S3_SK', $props) WHERE c2 = 'b'"
	[ "$(ok_line)" = "Query OK, 1 row affected" ]
	# a wrong secret: the S3 error, the secret in no output
	run -1 --separate-stderr sl-sql -e "INSERT INTO db1.u SELECT * FROM S3(
		'uri' = 's3://bkt/dir/*.csv', 's3.secret_key' = 'wrong-secret-xyz', $props)"
	[[ "$stderr" == "sl-sql: ERROR 1105 (HY000): "*"SignatureDoesNotMatch"* ]]
	[[ "$stderr" != *wrong-secret-xyz* ]]
	s3_stop || true     # wait's status of the killed servers
	S3_PID=
	run -0 rows db1.u
	[ "$output" = "$(printf '1\ta\t10\n2\tb\t20\n3\tc\t30\n200\tb\t20')" ]
}

@test "insert: unit tests (parse, masked text, a job's attach in the commit record only)" {
	run -0 --separate-stderr "$SL_UNIT/test-insert"
	[[ "$output" == *", 0 failed" ]]
}
