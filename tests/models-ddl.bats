#!/usr/bin/env bats
# Table models in the SQL front: CREATE TABLE with UNIQUE KEY and AGGREGATE
# KEY (Doris's rules, each with Doris's message), BITMAP and HLL columns,
# the hidden columns of UNIQUE tables (DESC after SET show_hidden_columns,
# as the seed shows it; SELECT *; names), SHOW CREATE TABLE round trips,
# and SET of session variables.
load test_helper

# The seed's UNIQUE table (stream-load.en.txt, "Specifying sequence column
# for merge"): name key, sequence fed from age.
seed_unique() {
	sl-sql -e "CREATE DATABASE IF NOT EXISTS testdb"
	sl-sql -e 'CREATE TABLE testdb.table1 (name VARCHAR(100) NOT NULL, gender VARCHAR(10), age INT)
		UNIQUE KEY(name) DISTRIBUTED BY HASH(name) BUCKETS 1
		PROPERTIES ("function_column.sequence_col" = "age")'
}

@test "models-ddl: unit tests of the models' DDL and of SET" {
	run -0 --separate-stderr "$SL_UNIT/test-schema"
	[[ "$output" == *" passed, 0 failed" ]]
	run -0 --separate-stderr "$SL_UNIT/test-sqlvar"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "models-ddl: the seed's DESC after SET show_hidden_columns=true" {
	seed_unique
	run -0 --separate-stderr sl-sql -t -D testdb -e "SET show_hidden_columns=true; DESC table1"
	[ "$stderr" = "" ]
	[ "$output" = "+------------------------+--------------+------+-------+---------+---------+
| Field                  | Type         | Null | Key   | Default | Extra   |
+------------------------+--------------+------+-------+---------+---------+
| name                   | VARCHAR(100) | No   | true  | NULL    |         |
| gender                 | VARCHAR(10)  | Yes  | false | NULL    | REPLACE |
| age                    | INT          | Yes  | false | NULL    | REPLACE |
| __DORIS_DELETE_SIGN__  | TINYINT      | No   | false | 0       | REPLACE |
| __DORIS_SEQUENCE_COL__ | INT          | Yes  | false | NULL    | REPLACE |
+------------------------+--------------+------+-------+---------+---------+" ]
	# without the variable (and in the next session) the hidden columns are not listed
	run -0 --separate-stderr sl-sql -BN -e "DESC testdb.table1"
	[ "$output" = "$(printf '%s\n' $'name\tVARCHAR(100)\tNo\ttrue\tNULL\t' $'gender\tVARCHAR(10)\tYes\tfalse\tNULL\tREPLACE' \
		$'age\tINT\tYes\tfalse\tNULL\tREPLACE')" ]
	# SHOW COLUMNS answers the same
	run -0 --separate-stderr sl-sql -BN -D testdb -e "SET show_hidden_columns = true; SHOW COLUMNS FROM table1"
	[ "$output" = "$(sl-sql -BN -e 'SET show_hidden_columns = true; DESCRIBE testdb.table1')" ]
	[ "${#lines[@]}" -eq 5 ]
	run -0 --separate-stderr sl-sql -BN -e "SHOW COLUMNS IN table1 FROM testdb"
	[ "${#lines[@]}" -eq 3 ]
	run -1 --separate-stderr sl-sql -e "SHOW COLUMNS FROM table1"
	[ "$stderr" = "sl-sql: ERROR 1046 (3D000): No database selected" ]
	# SHOW FULL COLUMNS (sql-compat.bats) sees the hidden ones the same way
	run -0 --separate-stderr sl-sql -BN -e "SHOW FULL COLUMNS FROM testdb.table1"
	[ "${#lines[@]}" -eq 3 ]
	run -0 --separate-stderr sl-sql -BN -e "SET show_hidden_columns = true; SHOW FULL COLUMNS FROM testdb.table1"
	[ "${#lines[@]}" -eq 5 ]
}

@test "models-ddl: hidden columns: SELECT * leaves them out, names resolve only with show_hidden_columns" {
	seed_unique
	run -1 --separate-stderr sl-sql -D testdb -e "SELECT __DORIS_DELETE_SIGN__ FROM table1"
	[ "$stderr" = "sl-sql: ERROR 1054 (42S22): Unknown column '__DORIS_DELETE_SIGN__' in 'table list'" ]
	run -1 --separate-stderr sl-sql -D testdb -e "SELECT name FROM table1 WHERE __DORIS_SEQUENCE_COL__ > 0"
	[ "$stderr" = "sl-sql: ERROR 1054 (42S22): Unknown column '__DORIS_SEQUENCE_COL__' in 'table list'" ]
	run -0 --separate-stderr sl-sql -D testdb -e "SET show_hidden_columns = true; SELECT __DORIS_DELETE_SIGN__, __DORIS_SEQUENCE_COL__ FROM table1 WHERE __DORIS_DELETE_SIGN__ = 0"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	# the session ends with sl-sql: the next one starts without it
	run -1 --separate-stderr sl-sql -D testdb -e "SELECT __DORIS_DELETE_SIGN__ FROM table1"
	# an empty table answers no rows; the columns SELECT * gives are what the query API's meta shows
	httpd_start
	run -0 query "SELECT * FROM table1"
	[ "$output" = '{"msg":"success","code":0,"data":{"type":"result_set","meta":[{"name":"name","type":"VARCHAR"},{"name":"gender","type":"VARCHAR"},{"name":"age","type":"INT"}],"data":[]},"count":0} 200' ]
	# the query API runs one statement per request, each in a session of its own:
	# a SET answers and is gone with its request
	run -0 query "SET show_hidden_columns = true"
	[ "$output" = '{"msg":"success","code":0,"data":{"type":"exec_status","status":{}},"count":0} 200' ]
	run -0 query "SELECT * FROM table1"
	[[ "$output" == *'"meta":[{"name":"name","type":"VARCHAR"},{"name":"gender","type":"VARCHAR"},{"name":"age","type":"INT"}]'* ]]
	run -0 query "SELECT __DORIS_DELETE_SIGN__ FROM table1"
	[[ "$output" == *"Unknown column '__DORIS_DELETE_SIGN__' in 'table list'"* ]]
}

teardown() { httpd_stop; }

# query STMT: the query API on testdb as root, "BODY HTTP-CODE".
query() {
	curl -sS -u root: -H 'Content-Type: application/json' -w ' %{http_code}' \
		-d "$(jq -cn --arg s "$1" '{stmt: $s}')" "http://127.0.0.1:$port/api/query/default_cluster/testdb"
}

# roundtrip DB.TABLE: SHOW CREATE TABLE, drop, run the shown DDL, SHOW CREATE
# TABLE again: the same text, and the same DESC with the hidden columns.
roundtrip() {
	local ddl desc
	ddl=$(sl-sql -BNr -e "SHOW CREATE TABLE $1" | cut -f2-)
	desc=$(sl-sql -BN -e "SET show_hidden_columns = true; DESC $1")
	sl-sql -e "DROP TABLE $1"
	sl-sql -D "${1%%.*}" -e "$ddl"
	[ "$(sl-sql -BNr -e "SHOW CREATE TABLE $1" | cut -f2-)" = "$ddl" ]
	[ "$(sl-sql -BN -e "SET show_hidden_columns = true; DESC $1")" = "$desc" ]
}

@test "models-ddl: SHOW CREATE TABLE renders the model and properties, never the hidden columns, and round trips" {
	seed_unique
	run -0 --separate-stderr sl-sql -BNr -e "SHOW CREATE TABLE testdb.table1"
	[ "$output" = 'table1	CREATE TABLE `table1` (
  `name` varchar(100) NOT NULL,
  `gender` varchar(10) NULL,
  `age` int NULL
) ENGINE=OLAP
UNIQUE KEY(`name`)
COMMENT '"'OLAP'"'
DISTRIBUTED BY HASH(`name`) BUCKETS 1
PROPERTIES (
"function_column.sequence_col" = "age"
);' ]
	roundtrip testdb.table1
	sl-sql -e "CREATE TABLE testdb.u2 (k BIGINT, d DATE, v VARCHAR(5) DEFAULT 'x') UNIQUE KEY(k, d) DISTRIBUTED BY HASH(k)
		PROPERTIES ('function_column.sequence_type' = 'datetime', 'enable_unique_key_merge_on_write' = 'false')"
	run -0 sl-sql -BN -e "SET show_hidden_columns = true; DESC testdb.u2"
	[ "${lines[3]}" = $'__DORIS_DELETE_SIGN__\tTINYINT\tNo\tfalse\t0\tREPLACE' ]
	[ "${lines[4]}" = $'__DORIS_SEQUENCE_COL__\tDATETIME\tYes\tfalse\tNULL\tREPLACE' ]
	roundtrip testdb.u2
	sl-sql -e "CREATE TABLE testdb.u3 (k INT, v INT) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2"
	run -0 sl-sql -BN -e "SET show_hidden_columns = true; DESC testdb.u3"
	[ "${#lines[@]}" -eq 3 ] && [ "${lines[2]}" = $'__DORIS_DELETE_SIGN__\tTINYINT\tNo\tfalse\t0\tREPLACE' ]
	roundtrip testdb.u3
	sl-sql -e "CREATE TABLE testdb.a1 (k1 INT, k2 VARCHAR(8), s BIGINT SUM DEFAULT '0', mx DATETIME MAX, mn VARCHAR(3) MIN,
		r INT REPLACE, rn DECIMAL(9,2) REPLACE_IF_NOT_NULL) AGGREGATE KEY(k1, k2) DISTRIBUTED BY HASH(k1) BUCKETS 3"
	run -0 sl-sql -BN -e "SET show_hidden_columns = true; DESC testdb.a1"
	[ "$output" = "$(printf '%s\n' $'k1\tINT\tYes\ttrue\tNULL\t' $'k2\tVARCHAR(8)\tYes\ttrue\tNULL\t' \
		$'s\tBIGINT\tYes\tfalse\t0\tSUM' $'mx\tDATETIME\tYes\tfalse\tNULL\tMAX' $'mn\tVARCHAR(3)\tYes\tfalse\tNULL\tMIN' \
		$'r\tINT\tYes\tfalse\tNULL\tREPLACE' $'rn\tDECIMAL(9,2)\tYes\tfalse\tNULL\tREPLACE_IF_NOT_NULL')" ]
	run -0 sl-sql -BNr -e "SHOW CREATE TABLE testdb.a1"
	[[ "$output" == *'`s` bigint SUM NULL DEFAULT "0",'* ]] && [[ "$output" == *'AGGREGATE KEY(`k1`, `k2`)'* ]]
	roundtrip testdb.a1
	# columns with an aggregate and no KEY clause: AGGREGATE KEY over the columns before them
	sl-sql -e "CREATE TABLE testdb.a2 (a INT, b INT, c INT SUM) DISTRIBUTED BY HASH(a)"
	run -0 sl-sql -BNr -e "SHOW CREATE TABLE testdb.a2"
	[[ "$output" == *'AGGREGATE KEY(`a`, `b`)'* ]]
	roundtrip testdb.a2
}

@test "models-ddl: the seed's BITMAP and HLL tables" {
	sl-sql -e "CREATE DATABASE testdb"
	sl-sql -e 'CREATE TABLE testdb.test_streamload(
typ_id BIGINT NULL COMMENT "ID",
hou VARCHAR(10) NULL COMMENT "one",
arr BITMAP BITMAP_UNION NULL COMMENT "two"
)
AGGREGATE KEY(typ_id,hou)
DISTRIBUTED BY HASH(typ_id,hou) BUCKETS 10;'
	run -0 sl-sql -BN -e "DESC testdb.test_streamload"
	[ "${lines[2]}" = $'arr\tBITMAP\tYes\tfalse\tNULL\tBITMAP_UNION' ]
	roundtrip testdb.test_streamload
	sl-sql -e 'CREATE TABLE testdb.hll_t(
typ_id BIGINT NULL COMMENT "ID",
typ_name VARCHAR(10) NULL COMMENT "NAME",
pv hll hll_union NULL COMMENT "hll"
)
AGGREGATE KEY(typ_id,typ_name)
DISTRIBUTED BY HASH(typ_id) BUCKETS 10;'
	run -0 sl-sql -BN -e "DESC testdb.hll_t"
	[ "${lines[2]}" = $'pv\tHLL\tYes\tfalse\tNULL\tHLL_UNION' ]
	roundtrip testdb.hll_t
	sl-sql -e "CREATE TABLE testdb.dup_b (k INT, b BITMAP, h HLL) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k)"
	roundtrip testdb.dup_b
}

@test "models-ddl: every model rule refuses with Doris's message, and nothing is created" {
	sl-sql -e "CREATE DATABASE d"
	local ddl msg n=0
	while IFS='|' read -r ddl msg; do
		run -1 --separate-stderr sl-sql -D d -e "$ddl"
		[ "$output" = "" ] && [ "$stderr" = "sl-sql: ERROR 1105 (HY000): $msg" ] || { echo "$ddl: $stderr"; false; }
		n=$((n + 1))
	done <<'EOF'
CREATE TABLE t (a INT, b INT) UNIQUE KEY(b) DISTRIBUTED BY HASH(a)|Key columns should be a ordered prefix of the schema. KeyColumns[0] (starts from zero) is b, but corresponding column is a in the previous columns declaration.
CREATE TABLE t (a INT, b INT SUM) AGGREGATE KEY(a, b) DISTRIBUTED BY HASH(a)|Key column[b] should not specify aggregate type.
CREATE TABLE t (a INT, b INT) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|AGG_KEYS table should specify aggregate type for non-key column[b]
CREATE TABLE t (a INT, b INT MAX) UNIQUE KEY(a) DISTRIBUTED BY HASH(a)|UNIQUE_KEYS table should not specify aggregate type for non-key column[b]
CREATE TABLE t (a INT, b INT REPLACE) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a)|DUP_KEYS table should not specify aggregate type for non-key column[b]
CREATE TABLE t (a INT, b VARCHAR(10) SUM) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|Aggregate type SUM is not compatible with primitive type VARCHAR(10)
CREATE TABLE t (a INT, b BOOLEAN MIN) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|Aggregate type MIN is not compatible with primitive type BOOLEAN
CREATE TABLE t (a INT, b INT BITMAP_UNION) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|Aggregate type BITMAP_UNION is not compatible with primitive type INT
CREATE TABLE t (a INT, b BITMAP HLL_UNION) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|Aggregate type HLL_UNION is not compatible with primitive type BITMAP
CREATE TABLE t (a INT, b HLL REPLACE) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|Aggregate type REPLACE is not compatible with primitive type HLL
CREATE TABLE t (a INT, b BITMAP) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|AGG_KEYS table should specify aggregate type for non-key column[b]
CREATE TABLE t (b BITMAP, a INT) DUPLICATE KEY(b) DISTRIBUTED BY HASH(a)|Key column can not set complex type:b
CREATE TABLE t (a INT, h HLL HLL_UNION DEFAULT NULL) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|Hll type column can not set default value
CREATE TABLE t (a INT, b BITMAP BITMAP_UNION DEFAULT '1') AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|Bitmap type column can not set default value
CREATE TABLE t (a INT, b INT NOT NULL REPLACE_IF_NOT_NULL) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a)|REPLACE_IF_NOT_NULL column must be nullable, maybe should use REPLACE, column:b
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a)|Should not be distributed by random when keys type is unique
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) DISTRIBUTED BY RANDOM BUCKETS 2|Should not be distributed by random when keys type is unique
CREATE TABLE t (a INT, b INT REPLACE) AGGREGATE KEY(a)|Should not be distributed by random when keys type is aggand column is in replace, [b] is invalid
CREATE TABLE t (a INT, b INT SUM) AGGREGATE KEY(a) DISTRIBUTED BY HASH(b)|Distribution column[b] is not key column
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) DISTRIBUTED BY HASH(b) PROPERTIES ('enable_unique_key_merge_on_write' = 'false')|Distribution column[b] is not key column
CREATE TABLE t (a INT, b INT) DUPLICATE KEY(a) PROPERTIES ('enable_unique_key_merge_on_write' = 'true')|enable_unique_key_merge_on_write property only support unique key table
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) DISTRIBUTED BY HASH(a) PROPERTIES ('enable_unique_key_merge_on_write' = 'TRUE')|enable_unique_key_merge_on_write must be `true` or `false`
CREATE TABLE t (a INT, b INT) DUPLICATE KEY(a) PROPERTIES ('function_column.sequence_col' = 'b')|sequence column only support UNIQUE_KEYS
CREATE TABLE t (a INT, b INT SUM) AGGREGATE KEY(a) DISTRIBUTED BY HASH(a) PROPERTIES ('function_column.sequence_type' = 'int')|sequence column only support UNIQUE_KEYS
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) DISTRIBUTED BY HASH(a) PROPERTIES ('function_column.sequence_col' = 'c')|The specified sequence column[c] not exists
CREATE TABLE t (a INT, b DOUBLE) UNIQUE KEY(a) DISTRIBUTED BY HASH(a) PROPERTIES ('function_column.sequence_col' = 'b')|Sequence type only support integer types and date types
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) DISTRIBUTED BY HASH(a) PROPERTIES ('function_column.sequence_col' = 'a')|The specified sequence column[a] is a key column: it must be a value column
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) DISTRIBUTED BY HASH(a) PROPERTIES ('function_column.sequence_type' = 'varchar(3)')|sequence type only support integer types and date types
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) DISTRIBUTED BY HASH(a) PROPERTIES ('function_column.sequence_type' = 'int', 'function_column.sequence_col' = 'b')|The sequence_col and sequence_type cannot be set at the same time
CREATE TABLE t (a INT, __DORIS_DELETE_SIGN__ TINYINT) UNIQUE KEY(a) DISTRIBUTED BY HASH(a)|Incorrect column name '__DORIS_DELETE_SIGN__'. Column names starting with '__DORIS_' are reserved for hidden columns
CREATE TABLE t (a INT, b INT) UNIQUE KEY(a) PARTITION BY RANGE(b) (PARTITION p1 VALUES LESS THAN (10)) DISTRIBUTED BY HASH(a)|The partition column could not be aggregated column and unique table's partition column must be key column
EOF
	[ "$n" -eq 31 ]
	run -0 sl-sql -N -e "SHOW TABLES FROM d"
	[ "$output" = "" ]
}

@test "models-ddl: SET of session variables: Doris's answers, kept for the session's later statements" {
	seed_unique
	t() { run -1 --separate-stderr sl-sql -e "$1"; [ "$stderr" = "sl-sql: ERROR $2" ] || { echo "$1: $stderr"; false; }; }
	t "SET exec_mem_limit = 1" "1193 (HY000): Unknown system variable 'exec_mem_limit'"
	t "SET @@global.foo = 1" "1193 (HY000): Unknown system variable 'foo'"
	t "SET GLOBAL show_hidden_columns = true" "1228 (HY000): Variable 'show_hidden_columns' is a SESSION variable and can't be used with SET GLOBAL"
	t "SET show_hidden_columns = 2" "1231 (42000): Variable 'show_hidden_columns' can't be set to the value of '2'"
	t "SET @v = 1" "1105 (HY000): user variables are not supported yet (at position 6)"
	t "SET show_hidden_columns" "1064 (42000): syntax error at end of input (position 24)"
	local s
	for s in "SET show_hidden_columns = true" "SET SESSION show_hidden_columns = ON" "set local show_hidden_columns = 'true'" \
			"SET @@show_hidden_columns = 1" "SET @@session.show_hidden_columns = TRUE"; do
		run -0 --separate-stderr sl-sql -BN -e "$s; DESC testdb.table1"
		[ "$stderr" = "" ] && [ "${#lines[@]}" -eq 5 ] || { echo "$s: $output"; false; }
	done
	run -0 sl-sql -BN -e "SET show_hidden_columns = true; SET show_hidden_columns = false; DESC testdb.table1"
	[ "${#lines[@]}" -eq 3 ]
	run -0 sl-sql -BN -e "SET show_hidden_columns = true; SET show_hidden_columns = DEFAULT; DESC testdb.table1"
	[ "${#lines[@]}" -eq 3 ]
	# SET PASSWORD is still SET PASSWORD
	run -0 --separate-stderr sl-sql -e "CREATE USER u IDENTIFIED BY 'a'; SET PASSWORD FOR u = PASSWORD('b')"
	[ "$stderr" = "" ]
}
