#!/usr/bin/env bats
# sl-sql: DDL round trips (the seed's CREATE TABLE verbatim), SHOW/DESC,
# mysql-client output conventions, SELECT, and every error with its
# MySQL number and position.
load test_helper

@test "schema: unit tests of CREATE TABLE parsing and rendering" {
	run -0 --separate-stderr "$SL_UNIT/test-schema"
	[[ "$output" == *" passed, 0 failed" ]]
}

seed_comments() {
	c1=$(sed -n 's/^user_id.*COMMENT "\(.*\)",$/\1/p' "$SL_ROOT/examples/create_table.sql")
	c2=$(sed -n 's/^name.*COMMENT "\(.*\)",$/\1/p' "$SL_ROOT/examples/create_table.sql")
	c3=$(sed -n 's/^age.*COMMENT "\(.*\)"$/\1/p' "$SL_ROOT/examples/create_table.sql")
}

@test "sl-sql: the seed's CREATE TABLE verbatim, then SHOW CREATE TABLE in Doris's form" {
	run -0 --separate-stderr sl-sql -e "CREATE DATABASE testdb"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	run -0 --separate-stderr sl-sql < "$SL_ROOT/examples/create_table.sql"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	seed_comments
	[ -n "$c1" ] && [ -n "$c2" ] && [ -n "$c3" ]
	run -0 --separate-stderr sl-sql -BNr -e "SHOW CREATE TABLE testdb.test_streamload"
	[ "$stderr" = "" ]
	[ "$output" = "test_streamload	CREATE TABLE \`test_streamload\` (
  \`user_id\` bigint NOT NULL COMMENT \"$c1\",
  \`name\` varchar(20) NULL COMMENT \"$c2\",
  \`age\` int NULL COMMENT \"$c3\"
) ENGINE=OLAP
DUPLICATE KEY(\`user_id\`)
COMMENT 'OLAP'
DISTRIBUTED BY HASH(\`user_id\`) BUCKETS 10;" ]
}

@test "sl-sql: SHOW CREATE TABLE output is itself valid DDL (round trip)" {
	seed_table
	sl-sql -BNr -e "SHOW CREATE TABLE testdb.test_streamload" | cut -f2- > ddl.sql
	sl-sql -e "DROP TABLE testdb.test_streamload"
	run -0 --separate-stderr sl-sql -D testdb ddl.sql
	[ "$stderr" = "" ]
	run -0 sl-sql -BNr -e "SHOW CREATE TABLE testdb.test_streamload"
	[ "$output" = "test_streamload	$(cat ddl.sql)" ]
}

@test "sl-sql: DESC and DESCRIBE list Field Type Null Key Default Extra" {
	seed_table
	run -0 --separate-stderr sl-sql -e "DESC testdb.test_streamload"
	[ "$stderr" = "" ]
	[ "$output" = "$(printf 'Field\tType\tNull\tKey\tDefault\tExtra\nuser_id\tBIGINT\tNo\ttrue\tNULL\t\nname\tVARCHAR(20)\tYes\tfalse\tNULL\t\nage\tINT\tYes\tfalse\tNULL\t')" ]
	run -0 sl-sql -e "use testdb; describe test_streamload"
	[ "${lines[1]}" = "$(printf 'user_id\tBIGINT\tNo\ttrue\tNULL\t')" ]
}

@test "sl-sql: a bordered table with -t (as on a terminal), numbers right-aligned" {
	seed_table
	run -0 --separate-stderr sl-sql -t -e "DESC testdb.test_streamload; SELECT 1+1, 'ab', NULL"
	[ "$stderr" = "" ]
	[ "$output" = "+---------+-------------+------+-------+---------+-------+
| Field   | Type        | Null | Key   | Default | Extra |
+---------+-------------+------+-------+---------+-------+
| user_id | BIGINT      | No   | true  | NULL    |       |
| name    | VARCHAR(20) | Yes  | false | NULL    |       |
| age     | INT         | Yes  | false | NULL    |       |
+---------+-------------+------+-------+---------+-------+
+-----+------+------+
| 1+1 | 'ab' | NULL |
+-----+------+------+
|   2 | ab   | NULL |
+-----+------+------+" ]
	run -0 sl-sql -tN -e "SELECT 10"
	[ "$output" = "$(printf '+----+\n| 10 |\n+----+')" ]
}

@test "sl-sql: databases: create, exists, IF NOT EXISTS, show, drop, IF EXISTS" {
	run -0 sl-sql -e "CREATE DATABASE db1; CREATE DATABASE IF NOT EXISTS db1; create schema db2"
	run -0 --separate-stderr sl-sql -e "SHOW DATABASES"
	[ "$output" = "$(printf 'Database\ndb1\ndb2')" ]
	run -1 --separate-stderr sl-sql -e "CREATE DATABASE db1"
	[ "$output" = "" ]
	[ "$stderr" = "sl-sql: ERROR 1007 (HY000): Can't create database 'db1'; database exists" ]
	run -0 sl-sql -e "DROP DATABASE db2; DROP DATABASE IF EXISTS db2"
	run -1 --separate-stderr sl-sql -e "DROP DATABASE db2"
	[ "$stderr" = "sl-sql: ERROR 1008 (HY000): Can't drop database 'db2'; database doesn't exist" ]
	run -1 --separate-stderr sl-sql -e "CREATE DATABASE \`a b\`"
	[ "$stderr" = "sl-sql: ERROR 1102 (42000): Incorrect database name 'a b'" ]
	run -0 sl-sql -N -e "SHOW DATABASES"
	[ "$output" = "db1" ]
}

@test "sl-sql: tables: USE, SHOW TABLES [FROM db], DROP TABLE [IF EXISTS]" {
	sl-sql -e "CREATE DATABASE d; USE d; CREATE TABLE t1 (a INT); CREATE TABLE d.t2 (b INT)"
	run -0 --separate-stderr sl-sql -e "USE d; SHOW TABLES"
	[ "$output" = "$(printf 'Tables_in_d\nt1\nt2')" ]
	run -0 sl-sql -N -e "SHOW TABLES FROM d"
	[ "$output" = "$(printf 't1\nt2')" ]
	run -0 sl-sql -e "DROP TABLE d.t1; DROP TABLE IF EXISTS d.t1"
	run -1 --separate-stderr sl-sql -e "DROP TABLE d.t1"
	[ "$stderr" = "sl-sql: ERROR 1051 (42S02): Unknown table 't1'" ]
	run -1 --separate-stderr sl-sql -e "CREATE TABLE d.t2 (b INT)"
	[ "$stderr" = "sl-sql: ERROR 1050 (42S01): Table 't2' already exists" ]
	run -0 sl-sql -e "CREATE TABLE IF NOT EXISTS d.t2 (x INT)"
	run -0 sl-sql -BN -e "DESC d.t2"
	[ "$output" = "$(printf 'b\tINT\tYes\ttrue\tNULL\t')" ]
}

@test "sl-sql: unknown database, unknown table, no database selected" {
	sl-sql -e "CREATE DATABASE d"
	run -1 --separate-stderr sl-sql -e "USE nodb"
	[ "$stderr" = "sl-sql: ERROR 1049 (42000): Unknown database 'nodb'" ]
	run -1 --separate-stderr sl-sql -e "SHOW TABLES"
	[ "$stderr" = "sl-sql: ERROR 1046 (3D000): No database selected" ]
	run -1 --separate-stderr sl-sql -e "CREATE TABLE t (a INT)"
	[ "$stderr" = "sl-sql: ERROR 1046 (3D000): No database selected" ]
	run -1 --separate-stderr sl-sql -e "CREATE TABLE nodb.t (a INT)"
	[ "$stderr" = "sl-sql: ERROR 1049 (42000): Unknown database 'nodb'" ]
	run -1 --separate-stderr sl-sql -e "DESC d.nope"
	[ "$stderr" = "sl-sql: ERROR 1051 (42S02): Unknown table 'nope'" ]
	run -1 --separate-stderr sl-sql -e "SHOW CREATE TABLE d.nope"
	[ "$stderr" = "sl-sql: ERROR 1051 (42S02): Unknown table 'nope'" ]
	run -1 --separate-stderr sl-sql -e "SELECT * FROM d.nope"
	[ "$stderr" = "sl-sql: ERROR 1051 (42S02): Unknown table 'nope'" ]
	run -1 --separate-stderr sl-sql -e "SELECT * FROM nodb.t"
	[ "$stderr" = "sl-sql: ERROR 1049 (42000): Unknown database 'nodb'" ]
	run -1 --separate-stderr sl-sql -e "SHOW TABLES FROM nodb"
	[ "$stderr" = "sl-sql: ERROR 1049 (42000): Unknown database 'nodb'" ]
}

@test "sl-sql: CREATE TABLE errors name the position" {
	sl-sql -e "CREATE DATABASE d"
	t() { run -1 --separate-stderr sl-sql -D d -e "$1"; [ "$output" = "" ]; [ "$stderr" = "sl-sql: ERROR $2" ]; }
	t "CREATE TABLE t (a INT,, b INT)" "1064 (42000): syntax error at position 23 near ',': expected a column name"
	t "CREATE TABLE t (a INT" "1064 (42000): syntax error at end of input: expected ')'"
	t "CREATE TABLE t (a INT, b FOO)" "1105 (HY000): invalid type 'FOO' at position 26: unknown type"
	t "CREATE TABLE t (a INT, b QUANTILE_STATE)" "1105 (HY000): type QUANTILE_STATE is not supported yet (at position 26)"
	t "CREATE TABLE t (a INT, b ARRAY<INT) DISTRIBUTED BY HASH(a) BUCKETS 1" "1105 (HY000): unterminated type 'ARRAY<INT) DISTRIBUTED BY HASH(a) BUCKETS 1' at position 26"
	t "CREATE TABLE t (a INT AUTO_INCREMENT)" "1105 (HY000): AUTO_INCREMENT is not supported yet (at position 23)"
	t "CREATE TABLE t (a INT, b INT) UNIQUE KEY(a)" "1105 (HY000): Should not be distributed by random when keys type is unique"
	t "CREATE TABLE t (a INT, b INT) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1" "1105 (HY000): AGG_KEYS table should specify aggregate type for non-key column[b]"
	t "CREATE TABLE t (a INT) PARTITION BY RANGE(a) (PARTITION p1 VALUES LESS (10))" "1064 (42000): syntax error at position 72 near '(': expected THAN"
	t "CREATE TABLE t (a INT, b INT) DUPLICATE KEY(a) PARTITION BY RANGE(b) (PARTITION p1 VALUES LESS THAN (\"10\"))" "1105 (HY000): The partition column could not be aggregated column and unique table's partition column must be key column"
	t "CREATE TABLE t (a INT) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1 FOO" "1064 (42000): syntax error at position 74 near 'FOO': unexpected table clause"
	t "CREATE TABLE t (a INT, b INT) DUPLICATE KEY(b)" "1105 (HY000): Key columns should be a ordered prefix of the schema. KeyColumns[0] (starts from zero) is b, but corresponding column is a in the previous columns declaration."
	t "CREATE TABLE t (a INT) DUPLICATE KEY(c)" "1105 (HY000): Key column[c] doesn't exist."
	t "CREATE TABLE t (a INT) DISTRIBUTED BY HASH(c) BUCKETS 1" "1105 (HY000): Distribution column(c) doesn't exist."
	t "CREATE TABLE t (a INT) DISTRIBUTED BY HASH(a) BUCKETS 0" "1105 (HY000): Number of hash distribution should be greater than zero (at position 55)"
	t "CREATE TABLE t (a INT, A INT)" "1105 (HY000): Duplicate column name 'A' (at position 24)"
	t "CREATE TABLE t (a INT NOT NULL DEFAULT NULL)" "1105 (HY000): Can not set null default value to non nullable column: a"
	t "CREATE TABLE t (a INT DEFAULT 'abc')" "1105 (HY000): Invalid default value for 'a': abc (at position 23)"
	t "CREATE TABLE t (a INT DEFAULT CURRENT_TIMESTAMP)" "1105 (HY000): Types other than DATETIME and DATETIMEV2 cannot use current_timestamp as the default value (column 'a' at position 23)"
	t "CREATE TABLE t (f DOUBLE, a INT) DUPLICATE KEY(f)" "1105 (HY000): Float or double can not used as a key, use decimal instead."
	t "CREATE TABLE t (f DOUBLE)" "1105 (HY000): The olap table first column could not be float, double, string or array, struct, map, please use decimal or varchar instead."
	t "CREATE TABLE t (a INT) ENGINE=mysql" "1105 (HY000): Unknown engine 'mysql' at position 31: only OLAP is supported"
	t "CREATE TABLE \`a.b\` (a INT)" "1103 (42000): Incorrect table name 'a.b'"
	run -0 sl-sql -N -e "SHOW TABLES FROM d"
	[ "$output" = "" ]
}

@test "sl-sql: Doris defaults: no KEY clause, no DISTRIBUTED BY; DEFAULT, COMMENT, PROPERTIES kept" {
	sl-sql -e "CREATE DATABASE d"
	run -0 --separate-stderr sl-sql -e "CREATE TABLE IF NOT EXISTS d.t (
	  id BIGINT(30) NOT NULL, code VARCHAR(30) DEFAULT NULL COMMENT '', v INT DEFAULT '7' COMMENT 'it''s \"v\"',
	  ts DATETIMEV2(3) DEFAULT CURRENT_TIMESTAMP, s STRING, d DECIMAL(15,2) DEFAULT -1.5
	) ENGINE = OLAP COMMENT 'my table' PROPERTIES ('replication_num' = '1', \"k\" = \"v\");"
	[ "$stderr" = "" ]
	run -0 sl-sql -BNr -e "SHOW CREATE TABLE d.t"
	[ "$output" = "t	CREATE TABLE \`t\` (
  \`id\` bigint NOT NULL,
  \`code\` varchar(30) NULL,
  \`v\` int NULL DEFAULT \"7\" COMMENT \"it's \\\"v\\\"\",
  \`ts\` datetime(3) NULL DEFAULT CURRENT_TIMESTAMP,
  \`s\` text NULL,
  \`d\` decimal(15,2) NULL DEFAULT \"-1.5\"
) ENGINE=OLAP
DUPLICATE KEY(\`id\`, \`code\`)
COMMENT 'my table'
DISTRIBUTED BY RANDOM BUCKETS AUTO
PROPERTIES (
\"replication_num\" = \"1\",
\"k\" = \"v\"
);" ]
	run -0 sl-sql -BN -e "DESC d.t"
	[ "${lines[2]}" = "$(printf 'v\tINT\tYes\tfalse\t7\t')" ]
	[ "${lines[3]}" = "$(printf 'ts\tDATETIME(3)\tYes\tfalse\tCURRENT_TIMESTAMP\t')" ]
}

@test "sl-sql: SELECT without FROM" {
	run -0 --separate-stderr sl-sql -e "SELECT 1+1"
	[ "$stderr" = "" ]
	[ "$output" = "$(printf '1+1\n2')" ]
	run -0 sl-sql -e "select 1 AS one, 'a\tb' x, NULL, upper('ab'), 7 / 2"
	[ "$output" = "$(printf 'one\tx\tNULL\tupper(%sab%s)\t7 / 2\n1\ta\\tb\tNULL\tAB\t3.5' "'" "'")" ]
	run -0 sl-sql -N -e "SELECT count(*), sum(3); select 2 where 1 = 0"
	[ "$output" = "$(printf '1\t3')" ]
	run -0 sl-sql -N -e "SELECT 1 FROM DUAL LIMIT 0"
	[ "$output" = "" ]
}

@test "sl-sql: SELECT on an empty table: no rows, aggregates give one row" {
	seed_table
	run -0 --separate-stderr sl-sql -e "SELECT * FROM testdb.test_streamload"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	run -0 --separate-stderr sl-sql -e "select count(*), sum(age), max(name) from testdb.test_streamload"
	[ "$output" = "$(printf 'count(*)\tsum(age)\tmax(name)\n0\tNULL\tNULL')" ]
	run -0 sl-sql -e "select name, count(*) from testdb.test_streamload group by name"
	[ "$output" = "" ]
}

@test "sl-sql: SELECT syntax and binding errors" {
	seed_table
	t() { run -1 --separate-stderr sl-sql -D testdb -e "$1"; [ "$output" = "" ]; [ "$stderr" = "sl-sql: ERROR $2" ]; }
	t "SELECT * FORM test_streamload" "1064 (42000): syntax error at position 10 near 'FORM'"
	t "SELECT nope FROM test_streamload" "1054 (42S22): Unknown column 'nope' in 'table list'"
	t "SELECT 1 FROM test_streamload LIMIT x" "1064 (42000): syntax error at position 37 near 'x'"
	t "SELECT * FROM test_streamload ORDER BY 4" "1054 (42S22): Unknown column '4' in 'order clause'"
	t "SELECT * FROM test_streamload WHERE count(*) > 1" "1111 (HY000): Invalid use of group function in WHERE"
	t "SELECT *" "1096 (HY000): No tables used"
	t "SELEC 1" "1064 (42000): syntax error at position 1 near 'SELEC'"
	t "SELECT 'abc" "1064 (42000): unterminated string at position 8"
	t "SELECT 1 UNION SELECT 2" "1064 (42000): syntax error at position 10 near 'UNION'"
	t "UPDATE t SET a = 1" "1064 (42000): syntax error at position 1 near 'UPDATE'"
	t "SELECT * FROM test_streamload, t2" "1105 (HY000): queries over more than one table are not supported (at position 30)"
}

@test "sl-sql: a script stops at the first error, naming its line" {
	printf 'CREATE DATABASE d;\nUSE d;\n\nCREATE TABLE t (a INT);\nCREATE TABLE t (a INT);\nCREATE TABLE u (a INT);\n' > s.sql
	run -1 --separate-stderr sl-sql s.sql
	[ "$stderr" = "sl-sql: ERROR 1050 (42S01) at line 5: Table 't' already exists" ]
	run -0 sl-sql -N -e "SHOW TABLES FROM d"
	[ "$output" = "t" ]
	run -1 --separate-stderr sl-sql < s.sql
	[ "$stderr" = "sl-sql: ERROR 1007 (HY000) at line 1: Can't create database 'd'; database exists" ]
	run -0 sl-sql -e ";; ;"
	[ "$output" = "" ]
	printf -- "-- a comment; with a semicolon\nselect 1; /* block ; */ select 2;\n# hash comment\nselect 3\n" > c.sql
	run -0 --separate-stderr sl-sql -N c.sql
	[ "$output" = "$(printf '1\n2\n3')" ]
	printf "select 1;\n  select 'x\n;\n" > u.sql
	run -1 --separate-stderr sl-sql -N u.sql
	[ "$output" = "1" ]
	[ "$stderr" = "sl-sql: ERROR 1064 (42000) at line 2: unterminated string at position 8" ]
}

@test "sl-sql: --data-dir wins over SL_DATA_DIR" {
	run -0 sl-sql --data-dir other -e "CREATE DATABASE x"
	[ -d other/x ]
	run -0 sl-sql -N -e "SHOW DATABASES"
	[ "$output" = "" ]
}

@test "sl-sql: usage errors exit 100; a missing file; stdout to /dev/full" {
	run -100 --separate-stderr sl-sql --bogus
	[ "$stderr" = "sl-sql: usage: sl-sql [--data-dir DIR] [-u USER [-pPASSWORD]] [-B] [-N] [-r] [-t] [-D DB] [-e 'STMT; ...' | FILE]" ]
	run -100 --separate-stderr sl-sql -e "SELECT 1" file.sql
	run -100 --separate-stderr sl-sql -e
	run -0 sl-sql --help
	[[ "$output" == "usage: sl-sql "* ]]
	run -100 --separate-stderr sl-sql nope.sql
	[ "$stderr" = "sl-sql: fatal: unable to read nope.sql: No such file or directory" ]
	run -111 --separate-stderr bash -c 'sl-sql -e "SELECT 1" > /dev/full'
	[[ "$stderr" == "sl-sql: fatal: unable to write stdout: "* ]]
}

# The seed's table with its 10 rows, plus two rows with NULLs.
load_seed() {
	seed_table
	sl-load -H column_separator:, -H columns:user_id,name,age -T streamload_example.csv testdb.test_streamload > /dev/null
	printf '11,\\N,\\N\n12,Zoe,\\N\n' > n.csv
	sl-load -H column_separator:, -T n.csv testdb.test_streamload > /dev/null
}

@test "sl-sql: the seed session: count(*) after the load is 10" {
	seed_table
	run -0 sl-load -H column_separator:, -H columns:user_id,name,age -T streamload_example.csv testdb.test_streamload
	run -0 --separate-stderr sl-sql -e "select count(*) from testdb.test_streamload"
	[ "$stderr" = "" ]
	[ "$output" = "$(printf 'count(*)\n10')" ]
	run -0 sl-sql -t -e "select count(*) from testdb.test_streamload"
	[ "$output" = "$(printf '+----------+\n| count(*) |\n+----------+\n|       10 |\n+----------+')" ]
}

@test "sl-sql: WHERE, ORDER BY (NULLs first ascending), LIMIT, OFFSET, LIMIT m,n" {
	load_seed
	run -0 --separate-stderr sl-sql -D testdb -e "select user_id, name, age from test_streamload order by age, user_id limit 4"
	[ "$output" = "$(printf 'user_id\tname\tage\n11\tNULL\tNULL\n12\tZoe\tNULL\n5\tAva\t17\n1\tEmily\t25')" ]
	run -0 sl-sql -N -D testdb -e "select user_id, age from test_streamload order by age desc, user_id limit 3 offset 9"
	[ "$output" = "$(printf '5\t17\n11\tNULL\n12\tNULL')" ]
	run -0 sl-sql -N -D testdb -e "select user_id from test_streamload order by 1 desc limit 2, 3"
	[ "$output" = "$(printf '10\n9\n8')" ]
	run -0 sl-sql -N -D testdb -e "select * from test_streamload where age between 30 and 40 and name in ('Sophia', 'Emma', 'Bob') order by user_id"
	[ "$output" = "$(printf '7\tSophia\t32\n9\tEmma\t37')" ]
	run -0 sl-sql -N -D testdb -e "select user_id from test_streamload where name = 'Emily' or age > 68 order by user_id"
	[ "$output" = "$(printf '1\n6')" ]
	run -0 sl-sql -N -D testdb -e "select upper(name), age + 1, name is null, ifnull(name, 'none') from test_streamload where user_id in (1, 11) order by user_id"
	[ "$output" = "$(printf 'EMILY\t26\t0\tEmily\nNULL\tNULL\t1\tnone')" ]
	# a streaming LIMIT returns exactly n rows
	run -0 sl-sql -N -D testdb -e "select name from test_streamload where age > 30 limit 2"
	[ "${#lines[@]}" = 2 ]
}

@test "sl-sql: aggregates, GROUP BY, HAVING with aliases, DISTINCT" {
	load_seed
	run -0 --separate-stderr sl-sql -D testdb -e "select count(*), count(age), count(name), sum(age), avg(age), min(age), max(age), min(name), max(name) from test_streamload"
	[ "$stderr" = "" ]
	[ "$output" = "$(printf 'count(*)\tcount(age)\tcount(name)\tsum(age)\tavg(age)\tmin(age)\tmax(age)\tmin(name)\tmax(name)\n12\t10\t11\t431\t43.1\t17\t69\tAlexander\tZoe')" ]
	run -0 sl-sql -D testdb -e "select age div 10 * 10 as decade, count(*), sum(age) from test_streamload where name like '%a%' group by decade order by decade desc"
	[ "$output" = "$(printf 'decade\tcount(*)\tsum(age)\n60\t4\t257\n30\t3\t104\n20\t1\t28\n10\t1\t17')" ]
	run -0 sl-sql -D testdb -e "select age, count(*) c from test_streamload group by age having c > 1 order by c desc, age"
	[ "$output" = "$(printf 'age\tc\nNULL\t2\n64\t2')" ]
	run -0 sl-sql -N -D testdb -e "select age, count(*) from test_streamload group by 1 having count(*) > 1 order by 1"
	[ "$output" = "$(printf 'NULL\t2\n64\t2')" ]
	run -0 sl-sql -N -D testdb -e "select distinct age from test_streamload order by age desc limit 3"
	[ "$output" = "$(printf '69\n64\n60')" ]
	run -0 sl-sql -N -D testdb -e "select count(distinct age) from test_streamload"
	[ "$output" = "9" ]
	run -0 sl-sql -N -D testdb -e "select count(*) from test_streamload where age > 100"
	[ "$output" = "0" ]
	run -0 sl-sql -N -D testdb -e "select age, count(*) from test_streamload where age > 100 group by age"
	[ "$output" = "" ]
	run -1 --separate-stderr sl-sql -D testdb -e "select age from test_streamload group by count(*)"
	[ "$stderr" = "sl-sql: ERROR 1056 (42000): Can't group on 'count(*)'" ]
}

@test "sl-sql: a terminal table measures wide characters" {
	seed_table
	printf '1,用户,30\n2,ab,4\n' > w.csv
	sl-load -H column_separator:, -T w.csv testdb.test_streamload > /dev/null
	run -0 sl-sql -t -e "select name, age from testdb.test_streamload order by age"
	[ "$output" = "+------+-----+
| name | age |
+------+-----+
| ab   |   4 |
| 用户 |  30 |
+------+-----+" ]
}

@test "sl-sql: ORDER BY with LIMIT keeps the same rows as a full sort (ties in scan order)" {
	load_seed
	for q in "order by age desc, user_id" "order by age desc" "order by name" "order by age, name desc"; do
		full=$(sl-sql -N -D testdb -e "select user_id, name, age from test_streamload $q")
		run -0 sl-sql -N -D testdb -e "select user_id, name, age from test_streamload $q limit 4 offset 3"
		[ "$output" = "$(sed -n 4,7p <<<"$full")" ]
		run -0 sl-sql -N -D testdb -e "select user_id, name, age from test_streamload $q limit 2"
		[ "$output" = "$(sed -n 1,2p <<<"$full")" ]
	done
}

@test "sl-sql: the EXAMPLES of sl-sql(1), sl-scan(1) and sl-dump(1) run as written" {
	cp "$SL_ROOT/examples/create_table.sql" "$SL_ROOT/examples/streamload_example.csv" .
	man_examples sl-sql.1 > ex.sh
	run -0 --separate-stderr bash -e ex.sh
	[ "$stderr" = "" ]
	[[ "$output" == *"DISTRIBUTED BY HASH(\`user_id\`) BUCKETS 10;"* ]]
	[[ "$output" == *"$(printf 'count(*)\n0')"* ]]
	[[ "$output" == *"p202003"* ]]
	sl-load -H column_separator:, -T streamload_example.csv testdb.test_streamload > /dev/null
	for page in sl-scan.1 sl-dump.1; do
		man_examples $page > ex.sh
		run -0 --separate-stderr bash -e ex.sh
		[[ "$output" == *"Emily"* ]]
	done
}

# ---- issue 9.7: the privileges and statements the seed names -----------------------

@test "sl-sql: GRANT INSERT_PRIV is LOAD_PRIV (the seed's INSERT privileges); SHOW GRANTS says Load_priv" {
	seed_table
	sl-sql -e "CREATE USER ins IDENTIFIED BY 'ipw'; CREATE USER ld IDENTIFIED BY 'lpw'
		; GRANT INSERT_PRIV ON testdb.test_streamload TO ins; GRANT LOAD_PRIV ON testdb.test_streamload TO ld
		; GRANT INSERT, SELECT ON testdb.other TO ins"
	run -0 sl-sql -N -e "SHOW GRANTS FOR ins; SHOW GRANTS FOR ld"
	[ "$(cut -f8 <<<"$output")" = "internal.testdb.test_streamload: Load_priv; internal.testdb.other: Select_priv,Load_priv
internal.testdb.test_streamload: Load_priv" ]
	# the grant lets the user load, as the seed says
	run -0 sl-load -u ins:ipw -H column_separator:, -T streamload_example.csv testdb.test_streamload
	[[ "$output" == *'"Status": "Success"'* ]]
	run -0 --separate-stderr sl-sql -e "REVOKE INSERT_PRIV ON testdb.test_streamload FROM ld"
	run -1 sl-load -u ld:lpw -H column_separator:, -T streamload_example.csv testdb.test_streamload
	[[ "$output" == *'the (LOAD) privilege(s)'* ]]
}

@test "sl-sql: SHOW LOAD WHERE LABEL = \"x\" answers whether a label is used (the seed's FAQ), in Doris's columns" {
	seed_table
	sl-load -H column_separator:, -H label:first -T streamload_example.csv testdb.test_streamload > /dev/null
	run -1 sl-load -H column_separator:, -H label:first -T streamload_example.csv testdb.test_streamload
	printf 'x,y,z\n' > bad.csv
	run -1 sl-load -H column_separator:, -H label:broken -H strict_mode:true -T bad.csv testdb.test_streamload
	run -0 --separate-stderr sl-sql -D testdb -e 'SHOW LOAD WHERE LABEL = "first"'
	[ "${lines[0]}" = $'JobId\tLabel\tState\tProgress\tType\tEtlInfo\tTaskInfo\tErrorMsg\tCreateTime\tEtlStartTime\tEtlFinishTime\tLoadStartTime\tLoadFinishTime\tURL\tJobDetails\tTransactionId\tErrorTablets\tUser\tComment' ]
	[ "${#lines[@]}" = 2 ]
	IFS=$'\t' read -r -a f <<<"${lines[1]}"
	[[ "${f[0]}" =~ ^[0-9]+$ ]] && [ "${f[15]}" = "${f[0]}" ]
	[ "${f[1]}" = first ] && [ "${f[2]}" = FINISHED ] && [ "${f[4]}" = STREAM_LOAD ]
	[ "${f[5]}" = "unselected.rows=0; dpp.abnorm.ALL=0; dpp.norm.ALL=10" ] && [ "${f[17]}" = root ]
	# every load of the record but the refused duplicate; STATE and LIKE filter
	run -0 sl-sql -N -e 'SHOW LOAD FROM testdb'
	[ "$(cut -f2,3 <<<"$output")" = $'first\tFINISHED\nbroken\tCANCELLED' ]
	run -0 sl-sql -N -e 'SHOW LOAD FROM testdb WHERE STATE = "CANCELLED"; SHOW LOAD FROM testdb WHERE LABEL LIKE "fi%" LIMIT 1'
	[ "$(cut -f2 <<<"$output")" = $'broken\nfirst' ]
	[[ "$(cut -f8 <<<"${lines[0]}")" == "type:LOAD_RUN_FAIL; msg:"* ]]
	# a label nobody used: no row
	run -0 sl-sql -N -e 'SHOW LOAD FROM testdb WHERE LABEL = "never"'
	[ "$output" = "" ]
	# the transaction log answers even with the record off
	echo 'enable_stream_load_record = false' > "$SL_DATA_DIR/sl.conf"
	sl-load -H column_separator:, -H label:unrecorded -T streamload_example.csv testdb.test_streamload > /dev/null
	run -0 sl-sql -N -e 'SHOW LOAD FROM testdb WHERE LABEL = "unrecorded"'
	[ "$(cut -f2,3,6 <<<"$output")" = $'unrecorded\tFINISHED\tdpp.norm.ALL=10' ]
	run -1 --separate-stderr sl-sql -e 'SHOW LOAD FROM testdb WHERE STATUS = "x"'
	[ "$stderr" = 'sl-sql: ERROR 1105 (HY000): Where clause should looks like: LABEL = "your_load_label", or LABEL LIKE "matcher",  or STATE = "PENDING|ETL|LOADING|FINISHED|CANCELLED|", or compound predicate with operator AND' ]
	# a user sees the loads of the tables it holds a privilege on
	sl-sql -e "CREATE USER r IDENTIFIED BY 'rpw'; CREATE TABLE testdb.t2 (k INT); GRANT SELECT_PRIV ON testdb.t2 TO r"
	run -0 sl-sql -u r -prpw -N -e 'SHOW LOAD FROM testdb; SHOW LOAD FROM testdb WHERE LABEL = "first"'
	[ "$output" = "" ]
}

@test "sl-sql: HELP STREAM LOAD answers a short help as a result set" {
	run -0 --separate-stderr sl-sql -e "HELP STREAM LOAD"
	[ "${lines[0]}" = $'name\tdescription\texample' ]
	[[ "${lines[1]}" == $'STREAM LOAD\tStream Load sends a file'* ]]
	[[ "${lines[1]}" == *'_stream_load'*'label'*'column_separator'*'SHOW LOAD WHERE LABEL'*$'\tcurl --location-trusted -u user:passwd '*'/_stream_load' ]]
	run -0 --separate-stderr sl-sql -e "help 'stream load'"
	[[ "$output" == *'Stream Load sends'* ]]
	run -0 --separate-stderr sl-sql -e "HELP nothing_here"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	run -1 --separate-stderr sl-sql -e "HELP"
	[ "$stderr" = "sl-sql: ERROR 1064 (42000): syntax error at end of input (position 5)" ]
}

@test "sl-sql: enable_stream_load_record: on by default, false turns the record off" {
	seed_table
	sl-load -H column_separator:, -H label:rec_on -T streamload_example.csv testdb.test_streamload > /dev/null
	echo 'enable_stream_load_record = false' > "$SL_DATA_DIR/sl.conf"
	sl-load -H column_separator:, -H label:rec_off -T streamload_example.csv testdb.test_streamload > /dev/null
	echo 'enable_stream_load_record = true' > "$SL_DATA_DIR/sl.conf"
	sl-load -H column_separator:, -H label:rec_again -T streamload_example.csv testdb.test_streamload > /dev/null
	run -0 sl-sql -N -e "SHOW STREAM LOAD FROM testdb"
	[ "$(cut -f1,5 <<<"$output")" = $'rec_on\tSuccess\nrec_again\tSuccess' ]
	run -0 sl-sql -N -e "select count(*) from testdb.test_streamload"
	[ "$output" = 30 ]
}
