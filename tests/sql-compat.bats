#!/usr/bin/env bats
# sql-compat: what MySQL clients and drivers send on their own, answered as
# Doris answers it (MySQL 5.7.99): @@variables and session functions, SET
# of system variables, SHOW VARIABLES / WARNINGS / COLLATION / ... and the
# information_schema lookups of JDBC, DBeaver and pymysql; through sl-sql
# and the HTTP query route (one engine, two fronts), privileges applied.
load test_helper

teardown() { httpd_stop; }

# refused [-u USER -pPASS] STMT MESSAGE: sl-sql fails with that error line.
refused() {
	local msg=${*: -1}
	run -1 --separate-stderr sl-sql "${@:1:$#-1}"
	[ "$output" = "" ]
	[ "$stderr" = "sl-sql: ERROR $msg" ] || { echo "got: $stderr"; false; }
}

compat_setup() {
	sl-sql -e "CREATE DATABASE db1; CREATE DATABASE db2;
		CREATE TABLE db1.t1 (k INT COMMENT 'the key', v VARCHAR(20)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1;
		CREATE TABLE db1.t2 (a BIGINT, b DATE) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1;
		CREATE TABLE db2.secret (x INT) DUPLICATE KEY(x) DISTRIBUTED BY HASH(x) BUCKETS 1;
		CREATE USER u IDENTIFIED BY 'upw'; GRANT SELECT_PRIV ON db1.t1 TO u"
}

@test "sql-compat: the mysql client's connect query and @@ reads with scopes, aliases and types" {
	run -0 --separate-stderr sl-sql -e "select @@version_comment limit 1"
	[ "$output" = $'@@version_comment\nDoris version streamload (Apache Doris Stream Load as Unix binaries)' ]
	run -0 --separate-stderr sl-sql -N -e "select @@version_comment limit 0"
	[ "$output" = "" ]
	run -0 --separate-stderr sl-sql -e "SELECT @@version, @@session.auto_increment_increment AS auto_increment_increment, @@max_allowed_packet, @@GLOBAL.lower_case_table_names lctn, @@tx_isolation, @@transaction_isolation, @@wait_timeout, @@interactive_timeout, @@net_write_timeout, @@character_set_client, @@collation_connection, @@autocommit"
	[ "$output" = $'@@version\tauto_increment_increment\t@@max_allowed_packet\tlctn\t@@tx_isolation\t@@transaction_isolation\t@@wait_timeout\t@@interactive_timeout\t@@net_write_timeout\t@@character_set_client\t@@collation_connection\t@@autocommit\n5.7.99\t1\t16777216\t0\tREPEATABLE-READ\tREPEATABLE-READ\t28800\t3600\t600\tutf8mb4\tutf8mb4_0900_bin\t1' ]
	# time zones: the process's
	run -0 --separate-stderr env TZ=Asia/Shanghai sl-sql -N -e "select @@system_time_zone, @@time_zone"
	[ "$output" = $'Asia/Shanghai\tAsia/Shanghai' ]
	# an unknown variable, and a mix the engine does not evaluate
	refused -e "select @@nosuch" "1193 (HY000): Unknown system variable 'nosuch'"
	run -1 --separate-stderr sl-sql -e "select @@version, 1 + 1"
	[[ "$stderr" == "sl-sql: ERROR 1105 (HY000): "*"is not supported yet"* ]]
}

@test "sql-compat: DATABASE(), USER(), CURRENT_USER(), CONNECTION_ID(), VERSION()" {
	compat_setup
	run -0 --separate-stderr sl-sql -N -e "SELECT DATABASE(), USER(), CURRENT_USER(), VERSION()"
	[ "$output" = $'NULL\t\'root\'@\'%\'\t\'root\'@\'%\'\t5.7.99' ]
	run -0 --separate-stderr sl-sql -u u -pupw -D db1 -e "select database() as db, current_user, schema()"
	[ "$output" = $'db\tcurrent_user\tschema()\ndb1\t\'u\'@\'%\'\tdb1' ]
	run -0 --separate-stderr sl-sql -N -e "SELECT CONNECTION_ID()"
	[[ "$output" =~ ^[1-9][0-9]*$ ]]
}

@test "sql-compat: SET of system variables is remembered for the session; bad values and GLOBAL are refused" {
	run -0 --separate-stderr sl-sql -N -e "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci; SET autocommit=0;
		SET character_set_results = NULL; SET sql_mode='STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION';
		SET @@session.wait_timeout = 100, net_write_timeout = 30;
		select @@autocommit, @@character_set_results, @@character_set_client, @@collation_connection, @@sql_mode, @@wait_timeout, @@net_write_timeout;
		SET autocommit = ON; SET wait_timeout = DEFAULT; SET CHARACTER SET latin1;
		select @@autocommit, @@wait_timeout, @@character_set_client"
	[ "$stderr" = "" ]
	[ "$output" = $'0\tNULL\tutf8mb4\tutf8mb4_general_ci\tSTRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION\t100\t30\n1\t28800\tlatin1' ]
	# a new session starts from the defaults
	run -0 sl-sql -N -e "select @@autocommit, @@sql_mode"
	[ "$output" = $'1\tONLY_FULL_GROUP_BY' ]
	refused -e "SET autocommit = 'maybe'" "1231 (42000): Variable 'autocommit' can't be set to the value of 'maybe'"
	refused -e "SET sql_mode = NULL" "1231 (42000): Variable 'sql_mode' can't be set to the value of 'NULL'"
	refused -e "SET GLOBAL wait_timeout = 5" "1105 (HY000): SET GLOBAL wait_timeout is not supported yet"
	refused -e "SET nosuch = 1" "1193 (HY000): Unknown system variable 'nosuch'"
	# the engine's own variable still works
	run -0 sl-sql -N -e "SET show_hidden_columns = true; select @@show_hidden_columns"
	[ "$output" = 1 ]
}

@test "sql-compat: SHOW VARIABLES [LIKE | WHERE], SESSION/GLOBAL, with the session's values" {
	run -0 --separate-stderr sl-sql -e "SHOW VARIABLES LIKE 'max_allowed%'"
	[ "$output" = $'Variable_name\tValue\tDefault_Value\tChanged\nmax_allowed_packet\t16777216\t16777216\t0' ]
	run -0 --separate-stderr sl-sql -N -e "SET sql_mode = ''; SHOW SESSION VARIABLES WHERE Variable_name = 'sql_mode' OR Variable_name = 'lower_case_table_names'"
	[ "$output" = $'lower_case_table_names\t0\t0\t0\nsql_mode\t\tONLY_FULL_GROUP_BY\t1' ]
	run -0 sl-sql -N -e "SHOW GLOBAL VARIABLES"
	[ "$(grep -c . <<<"$output")" -ge 30 ]
	[[ "$output" == *$'\nversion\t5.7.99\t'* ]]
	run -0 sl-sql -N -e "SHOW VARIABLES LIKE 'nothing%'"
	[ "$output" = "" ]
}

@test "sql-compat: SHOW WARNINGS, ERRORS, COLLATION, CHARACTER SET, ENGINES, PROCESSLIST" {
	run -0 --separate-stderr sl-sql -e "SHOW WARNINGS; SHOW ERRORS; SHOW WARNINGS LIMIT 10"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	run -0 sl-sql -e "SHOW COLLATION LIKE 'utf8mb4%'"
	[ "$output" = $'Collation\tCharset\tId\tDefault\tCompiled\tSortlen\nutf8mb4_0900_bin\tutf8mb4\t309\tYes\tYes\t1' ]
	run -0 sl-sql -N -e "SHOW COLLATION LIKE 'latin%'"
	[ "$output" = "" ]
	run -0 sl-sql -e "SHOW CHARACTER SET"
	[ "$output" = $'Charset\tDescription\tDefault collation\tMaxlen\nutf8mb4\tUTF-8 Unicode\tutf8mb4_0900_bin\t4' ]
	run -0 sl-sql -N -e "SHOW ENGINES"
	[ "$(cut -f1,2 <<<"$output")" = $'Doris\tYES' ]
	run -0 sl-sql -u root -D information_schema -e "SHOW FULL PROCESSLIST"
	[ "$(head -1 <<<"$output")" = $'Id\tUser\tHost\tdb\tCommand\tTime\tState\tInfo' ]
	[[ "$(sed -n 2p <<<"$output")" == *$'\troot\tlocalhost\tinformation_schema\tQuery\t'* ]]
}

@test "sql-compat: SHOW TABLE STATUS and SHOW FULL COLUMNS, with the table's errors and privileges" {
	compat_setup
	run -0 --separate-stderr sl-sql -D db1 -N -e "SHOW TABLE STATUS"
	[ "$(cut -f1,2 <<<"$output")" = $'t1\tDoris\nt2\tDoris' ]
	run -0 sl-sql -N -e "SHOW TABLE STATUS FROM db1 LIKE '%2'"
	[ "$(cut -f1 <<<"$output")" = t2 ]
	run -0 --separate-stderr sl-sql -D db1 -e "SHOW FULL COLUMNS FROM t1"
	[ "$output" = $'Field\tType\tCollation\tNull\tKey\tDefault\tExtra\tPrivileges\tComment\nk\tint\tNULL\tYES\tUNI\tNULL\t\tselect,insert,update,references\tthe key\nv\tvarchar(20)\tutf8mb4_0900_bin\tYES\t\tNULL\t\tselect,insert,update,references\t' ]
	run -0 sl-sql -N -e "SHOW FULL FIELDS FROM t1 FROM db1 LIKE 'v%'; SHOW FULL COLUMNS IN db1.t2"
	[ "$(cut -f1,2 <<<"$output")" = $'v\tvarchar(20)\na\tbigint\nb\tdate' ]
	# LIKE and WHERE (on the SHOW's own column names), in DESC's form without FULL
	run -0 --separate-stderr sl-sql -D db1 -N -e "SHOW COLUMNS FROM t1 LIKE 'v%'; SHOW FIELDS FROM t1 WHERE Field = 'k'"
	[ "$output" = "$(sl-sql -N -e 'DESC db1.t1' | tac)" ]
	run -0 --separate-stderr sl-sql -N -e "SHOW FULL COLUMNS FROM db1.t2 WHERE Type = 'date' OR \`Key\` = 'UNI'"
	[ "$(cut -f1 <<<"$output")" = $'a\nb' ]
	refused -e "SHOW COLUMNS FROM db1.t1 WHERE nosuch = 1" "1054 (42S22): Unknown column 'nosuch' in 'table list'"
	run -0 --separate-stderr sl-sql -D db1 -e "SHOW FULL TABLES"
	[ "$output" = $'Tables_in_db1\tTable_type\nt1\tBASE TABLE\nt2\tBASE TABLE' ]
	run -0 --separate-stderr sl-sql -u u -pupw -N -e "SHOW FULL TABLES FROM db1 LIKE 't%'"
	[ "$output" = $'t1\tBASE TABLE' ]
	refused -e "SHOW FULL TABLES FROM nodb" "1049 (42000): Unknown database 'nodb'"
	refused -e "SHOW FULL DATABASES" "1105 (HY000): SHOW FULL is not supported yet (at position 11)"
	refused -e "SHOW FULL COLUMNS FROM db1.nosuch" "1051 (42S02): Unknown table 'nosuch'"
	refused -e "SHOW FULL COLUMNS FROM t1" "1046 (3D000): No database selected"
	refused -u u -pupw -e "SHOW FULL COLUMNS FROM db2.secret" "1142 (42000): SHOW COLUMNS command denied to user 'u'@'%' for table 'db2.secret'"
	refused -u u -pupw -e "SHOW TABLE STATUS FROM db2" "1044 (42000): Access denied for user 'u' to database 'db2'"
}

@test "sql-compat: information_schema lookups of JDBC and DBeaver, filtered by the user's privileges" {
	compat_setup
	run -0 --separate-stderr sl-sql -N -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME"
	[ "$output" = $'db1\ndb2\ninformation_schema' ]
	run -0 --separate-stderr sl-sql -N -e "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'db1' ORDER BY TABLE_NAME"
	[ "$output" = $'db1\tt1\tBASE TABLE\tDoris\ndb1\tt2\tBASE TABLE\tDoris' ]
	run -0 --separate-stderr sl-sql -N -e "select column_name, ordinal_position, data_type, column_type, is_nullable, character_maximum_length, column_comment from information_schema.columns where table_schema = 'db1' and table_name = 't1' order by ordinal_position"
	[ "$output" = $'k\t1\tint\tint\tYES\tNULL\tthe key\nv\t2\tvarchar\tvarchar(20)\tYES\t20\t' ]
	# the tables with nothing to list answer empty, with their columns
	run -0 --separate-stderr sl-sql -e "SELECT ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'db1'"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	run -0 sl-sql -N -e "SELECT count(*) FROM information_schema.VIEWS; SELECT VARIABLE_VALUE FROM information_schema.SESSION_VARIABLES WHERE VARIABLE_NAME = 'version'"
	[ "$output" = $'0\n5.7.99' ]
	refused -e "SELECT * FROM information_schema.nosuch" "1051 (42S02): Unknown table 'information_schema.nosuch'"
	run -1 --separate-stderr sl-sql -e "SELECT nosuch FROM information_schema.TABLES"
	[[ "$stderr" == "sl-sql: ERROR 1054 (42S22): "* ]]
	# a user sees only what it holds a privilege on
	run -0 --separate-stderr sl-sql -u u -pupw -N -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA;
		SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES;
		SELECT DISTINCT TABLE_NAME FROM information_schema.COLUMNS"
	[ "$output" = $'information_schema\ndb1\ndb1\tt1\nt1' ]
}

# query USER:PASS STMT: the HTTP query route on db1, the body.
query() {
	local body
	body=$(jq -cn --arg s "$2" '{stmt: $s}')
	curl -sS -u "$1" -H 'Content-Type: application/json' -d "$body" \
		"http://127.0.0.1:$port/api/query/default_cluster/db1"
}

@test "sql-compat: the same answers through the HTTP query route" {
	compat_setup
	httpd_start
	run -0 query root: "select @@version_comment limit 1"
	[ "$(jq -c .data.data <<<"$output")" = '[["Doris version streamload (Apache Doris Stream Load as Unix binaries)"]]' ]
	run -0 query root: "SELECT @@version AS v, @@max_allowed_packet, DATABASE()"
	[ "$(jq -c '[.data.meta, .data.data]' <<<"$output")" = '[[{"name":"v","type":"VARCHAR"},{"name":"@@max_allowed_packet","type":"BIGINT"},{"name":"DATABASE()","type":"VARCHAR"}],[["5.7.99",16777216,"db1"]]]' ]
	run -0 query root: "SHOW VARIABLES LIKE 'lower_case_table_names'"
	[ "$(jq -c .data.data <<<"$output")" = '[["lower_case_table_names","0","0","0"]]' ]
	run -0 query u:upw "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES ORDER BY TABLE_NAME"
	[ "$(jq -c .data.data <<<"$output")" = '[["db1","t1"]]' ]
	run -0 query u:upw "SHOW FULL COLUMNS FROM t2"
	[ "$(jq -r .msg <<<"$output")" = "SHOW COLUMNS command denied to user 'u'@'%' for table 'db1.t2'" ]
}

@test "sql-compat: what MariaDB Connector/J sends: SET sql_mode = concat(@@sql_mode, ...), SET [SESSION] TRANSACTION (accepted, ignored)" {
	run -0 --separate-stderr sl-sql -N -e "set autocommit=1, sql_mode = concat(@@sql_mode,',STRICT_TRANS_TABLES');
		select @@sql_mode;
		SET sql_mode = CONCAT(@@session.sql_mode, '-', @@character_set_client, 'x'); select @@sql_mode;
		SET character_set_results = NULL; SET init_connect = concat('a', @@character_set_results); select @@init_connect"
	[ "$stderr" = "" ]
	[ "$output" = $'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES\nONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES-utf8mb4x\nNULL' ]
	refused -e "SET sql_mode = concat(@@nosuch, 'x')" "1193 (HY000): Unknown system variable 'nosuch'"
	refused -e "SET sql_mode = concat(@@sql_mode, 'x'" "1064 (42000): syntax error at end of input (position 38)"
	refused -e "SET sql_mode = concat(sql_mode)" "1064 (42000): syntax error at position 23 near 'sql_mode'"
	run -0 --separate-stderr sl-sql -N -e "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
		SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED, READ WRITE;
		SET LOCAL TRANSACTION READ ONLY, ISOLATION LEVEL REPEATABLE READ;
		set global transaction isolation level serializable;
		select @@tx_isolation, @@transaction_read_only"
	[ "$stderr" = "" ]
	[ "$output" = $'REPEATABLE-READ\t0' ]
	refused -e "SET TRANSACTION ISOLATION LEVEL READ ONLY" "1064 (42000): syntax error at position 38 near 'ONLY'"
	refused -e "SET TRANSACTION READ COMMITTED" "1064 (42000): syntax error at position 22 near 'COMMITTED'"
	refused -e "SET TRANSACTION" "1064 (42000): syntax error at end of input (position 16)"
	refused -e "SET TRANSACTION ISOLATION READ COMMITTED" "1064 (42000): syntax error at position 27 near 'READ'"
}

# yields EXPR OUTPUT: sl-sql -N answers SELECT EXPR with OUTPUT.
yields() {
	run -0 --separate-stderr sl-sql -N -e "select $1"
	[ "$output" = "$2" ] || { echo "got: $output"; false; }
}

@test "sql-compat: LOCATE, LEAST, GREATEST, CONVERT(x, type) and the numeric precisions of the JDBC metadata queries" {
	yields "locate('(', 'int(11)'), locate(')', 'int(11)'), locate('x', 'abc'), locate('', 'abc'), locate('b', 'abcb', 3), locate('b', 'abc', 9), locate('é', 'aéb'), locate(NULL, 'a')" \
		$'4\t7\t0\t1\t4\t0\t2\tNULL'
	yields "least(3, 2147483647), greatest(1, 5, 2), least(NULL, 1), least('b', 'a'), least(2.5, 1), greatest(7)" \
		$'3\t5\tNULL\ta\t1.0\t7'
	yields "convert(3, unsigned integer), CONVERT (CASE 'x' WHEN 'year' THEN 1 ELSE 2 END, UNSIGNED INTEGER), convert('12', signed), cast(11 + 2 as signed integer)" \
		$'3\t2\t12\t13'
	refused -e "select convert(3 as int)" "1064 (42000): syntax error at position 18 near 'as'"
	refused -e "select locate('a')" "1064 (42000): Can not found function 'locate' which has 1 arity"
	sl-sql -e "CREATE DATABASE p; CREATE TABLE p.t (a TINYINT, b INT, c BIGINT, d DECIMAL(12,3), e DOUBLE, f DATETIME(3), g DATE, h VARCHAR(5)) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1"
	yields "column_name, numeric_precision, numeric_scale, datetime_precision from information_schema.columns where table_schema = 'p' order by ordinal_position" \
		$'a\t3\t0\tNULL\nb\t10\t0\tNULL\nc\t19\t0\tNULL\nd\t12\t3\tNULL\ne\t22\tNULL\tNULL\nf\tNULL\tNULL\t3\ng\tNULL\tNULL\tNULL\nh\tNULL\tNULL\tNULL'
}
