#!/usr/bin/env bats
# The seed's table-model examples (stream-load.en.txt: DELETE, MERGE, the
# two sequence-column cases with their DESC, bitmap, HLL, partial columns)
# and AGGREGATE KEY over three loads: each table before and after, through
# sl-load and SELECT, as the seed prints them.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE testdb"
}

# load TABLE [HEADER]... < DATA: a stream load that must succeed.
load_ok() {
	local t=$1
	shift
	run -0 --separate-stderr sl-load -H column_separator:, "$@" -T - "testdb.$t"
	[[ "$output" == *'"Status": "Success"'* ]] || { echo "$output"; return 1; }
}

# The rows of a query as the mysql client's table, spaces squeezed and the
# rule lines left out (the seed's tables are printed that way).
table() { sl-sql -t -e "$1" | tr -s ' ' | grep '^|'; }

site_table() {
	sl-sql -e "CREATE TABLE testdb.site (siteid INT NOT NULL, citycode SMALLINT NOT NULL,
		username VARCHAR(32) NOT NULL, pv BIGINT) UNIQUE KEY(siteid, citycode, username)
		DISTRIBUTED BY HASH(siteid) BUCKETS 1"
}

@test "seed: merge_type DELETE removes the keys of the loaded rows" {
	site_table
	printf '3,2,tom,2\n4,3,bush,3\n5,3,helen,3\n' | load_ok site -H columns:siteid,citycode,username,pv
	run -0 table "select * from testdb.site order by siteid"
	[ "$output" = "| siteid | citycode | username | pv |
| 3 | 2 | tom | 2 |
| 4 | 3 | bush | 3 |
| 5 | 3 | helen | 3 |" ]
	load_ok site -H "merge_type: DELETE" -H columns:siteid,citycode,username,pv <<< '3,2,tom,0'
	[[ "$output" == *'"NumberLoadedRows": 1,'* ]]
	run -0 table "select * from testdb.site order by siteid"
	[ "$output" = "| siteid | citycode | username | pv |
| 4 | 3 | bush | 3 |
| 5 | 3 | helen | 3 |" ]
}

@test "seed: merge_type MERGE with delete: siteid=1 deletes jim and adds grace and tom" {
	site_table
	printf '4,3,bush,3\n5,3,helen,3\n1,1,jim,2\n' | load_ok site -H columns:siteid,citycode,username,pv
	printf '2,1,grace,2\n3,2,tom,2\n1,1,jim,2\n' |
		load_ok site -H "merge_type: MERGE" -H "delete: siteid=1" -H columns:siteid,citycode,username,pv
	run -0 table "select * from testdb.site order by pv desc, siteid"
	[ "$output" = "| siteid | citycode | username | pv |
| 4 | 3 | bush | 3 |
| 5 | 3 | helen | 3 |
| 2 | 1 | grace | 2 |
| 3 | 2 | tom | 2 |" ]
	run -0 sl-sql -N -B -e "select count(*) from testdb.site"
	[ "$output" = 4 ]
}

seq_table() {
	sl-sql -e "CREATE TABLE testdb.table1 (name VARCHAR(100) NOT NULL, gender VARCHAR(10),
		age INT) UNIQUE KEY(name) DISTRIBUTED BY HASH(name) BUCKETS 1
		PROPERTIES (\"function_column.sequence_type\" = \"int\")"
	printf 'li,male,10\nwang,male,14\nzhang,male,12\n' |
		load_ok table1 -H "function_column.sequence_col: age" -H "columns: name, gender, age"
}

SEQ_BEFORE="| name | gender | age |
| li | male | 10 |
| wang | male | 14 |
| zhang | male | 12 |"

@test "seed: SET show_hidden_columns=true; DESC shows the hidden columns as the seed does" {
	seq_table
	run -0 sl-sql -t -e "SET show_hidden_columns=true; DESC testdb.table1"
	[ "$(printf '%s\n' "$output" | tr -s ' -' | grep '^|')" = "| Field | Type | Null | Key | Default | Extra |
| name | VARCHAR(100) | No | true | NULL | |
| gender | VARCHAR(10) | Yes | false | NULL | REPLACE |
| age | INT | Yes | false | NULL | REPLACE |
| __DORIS_DELETE_SIGN__ | TINYINT | No | false | 0 | REPLACE |
| __DORIS_SEQUENCE_COL__ | INT | Yes | false | NULL | REPLACE |" ]
	# without the variable the hidden columns stay hidden
	run -0 sl-sql -N -B -e "DESC testdb.table1"
	[[ "$output" != *__DORIS_* ]]
	run -0 table "select * from testdb.table1 order by name"
	[ "$output" = "$SEQ_BEFORE" ]
}

@test "seed: a DELETE whose sequence is >= the stored one deletes the row" {
	seq_table
	echo 'li,male,10' | load_ok table1 -H "merge_type: DELETE" \
		-H "function_column.sequence_col: age" -H "columns: name, gender, age"
	run -0 table "select * from testdb.table1 order by name"
	[ "$output" = "| name | gender | age |
| wang | male | 14 |
| zhang | male | 12 |" ]
}

@test "seed: a DELETE whose sequence is smaller than the stored one does not apply" {
	seq_table
	echo 'li,male,9' | load_ok table1 -H "merge_type: DELETE" \
		-H "function_column.sequence_col: age" -H "columns: name, gender, age"
	run -0 table "select * from testdb.table1 order by name"
	[ "$output" = "$SEQ_BEFORE" ]
	# the hidden columns tell why: li keeps sequence 10 and delete sign 0
	run -0 sl-sql -N -B -e "SET show_hidden_columns=true;
		select name, __DORIS_DELETE_SIGN__, __DORIS_SEQUENCE_COL__ from testdb.table1 where name = 'li'"
	[ "$output" = "li	0	10" ]
}

@test "sequence: the greatest sequence wins across loads, ties go to the later row" {
	seq_table
	printf 'li,female,8\nwang,female,14\n' |
		load_ok table1 -H "function_column.sequence_col: age" -H "columns: name, gender, age"
	run -0 sl-sql -N -B -e "select * from testdb.table1 order by name"
	[ "$output" = "li	male	10
wang	female	14
zhang	male	12" ]
}

@test "UNIQUE: the last row of a key wins, within a load and across loads" {
	sl-sql -e "CREATE TABLE testdb.u (k INT, v VARCHAR(10)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '1,a\n2,b\n1,c\n' | load_ok u
	printf '2,d\n3,e\n' | load_ok u
	run -0 sl-sql -N -B -e "select * from testdb.u order by k"
	[ "$output" = "1	c
2	d
3	e" ]
	run -0 sl-sql -N -B -e "select count(*) from testdb.u"
	[ "$output" = 3 ]
	run -0 bash -c 'sl-scan testdb.u | sl-dump'
	[ "$output" = "$(printf 'k\tv\n1\tc\n2\td\n3\te')" ]
}

@test "AGGREGATE: SUM, MAX, MIN, REPLACE, REPLACE_IF_NOT_NULL over three loads" {
	sl-sql -e "CREATE TABLE testdb.a (k INT, s BIGINT SUM, mx INT MAX, mn INT MIN,
		r VARCHAR(10) REPLACE, rn VARCHAR(10) REPLACE_IF_NOT_NULL) AGGREGATE KEY(k)
		DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '1,10,5,5,a,a\n2,1,1,1,x,x\n' | load_ok a
	printf '1,20,9,3,b,\\N\n1,1,7,4,\\N,c\n' | load_ok a
	printf '1,100,1,8,d,\\N\n3,7,7,7,\\N,\\N\n' | load_ok a
	run -0 sl-sql -N -B -e "select * from testdb.a order by k"
	[ "$output" = "1	131	9	3	d	c
2	1	1	1	x	x
3	7	7	7	NULL	NULL" ]
	# negative: true takes a load back out of an all-SUM table
	sl-sql -e "CREATE TABLE testdb.s (k INT, a BIGINT SUM, b DOUBLE SUM) AGGREGATE KEY(k)
		DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '1,5,1.5\n2,7,2\n' | load_ok s
	printf '1,5,1.5\n' | load_ok s -H "negative: true"
	run -0 sl-sql -N -B -e "select * from testdb.s order by k"
	[ "$output" = "1	0	0
2	7	2" ]
}

@test "seed: the bitmap example loads with arr=to_bitmap(arr) and bitmap_union_count counts it" {
	sl-sql -e 'CREATE TABLE testdb.test_streamload(
		typ_id BIGINT NULL COMMENT "ID",
		hou VARCHAR(10) NULL COMMENT "one",
		arr BITMAP BITMAP_UNION NULL COMMENT "two"
		)
		AGGREGATE KEY(typ_id,hou)
		DISTRIBUTED BY HASH(typ_id,hou) BUCKETS 10'
	cat > bm.csv <<-'EOF'
	1|koga|17723
	2|nijg|146285
	3|lojn|347890
	4|lofn|489871
	5|jfin|545679
	6|kon|676724
	7|nhga|767689
	8|nfubg|879878
	9|huang|969798
	10|buag|97997
	EOF
	for i in 1 2; do
		run -0 sl-load -H "column_separator:|" -H "columns:typ_id,hou,arr,arr=to_bitmap(arr)" \
			-T bm.csv testdb.test_streamload
		[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	done
	run -0 sl-sql -N -B -e "select bitmap_union_count(arr) from testdb.test_streamload"
	[ "$output" = 10 ]
	run -0 sl-sql -N -B -e "select count(*) from testdb.test_streamload"
	[ "$output" = 10 ]
	run -0 sl-sql -N -B -e "select bitmap_to_string(arr) from testdb.test_streamload where typ_id = 10"
	[ "$output" = 97997 ]
}

@test "seed: the HLL example loads with pv=hll_hash(typ_id) and hll_union_agg counts it" {
	sl-sql -e 'CREATE TABLE testdb.test_streamload(
		typ_id BIGINT NULL COMMENT "ID",
		typ_name VARCHAR(10) NULL COMMENT "NAME",
		pv hll hll_union NULL COMMENT "hll"
		)
		AGGREGATE KEY(typ_id,typ_name)
		DISTRIBUTED BY HASH(typ_id) BUCKETS 10'
	cat > hll.csv <<-'EOF'
	1001|koga
	1002|nijg
	1003|lojn
	1004|lofn
	1005|jfin
	1006|kon
	1007|nhga
	1008|nfubg
	1009|huang
	1010|buag
	EOF
	run -0 sl-load -H "column_separator:|" -H "columns:typ_id,typ_name,pv=hll_hash(typ_id)" \
		-T hll.csv testdb.test_streamload
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	run -0 sl-sql -N -B -e "select hll_union_agg(pv) from testdb.test_streamload"
	[ "$output" = 10 ]
}

profile_table() {
	sl-sql -e "CREATE TABLE testdb.user_profile (id INT NOT NULL, name VARCHAR(10),
		balance DECIMAL(9,2), last_access_time DATETIME) UNIQUE KEY(id)
		DISTRIBUTED BY HASH(id) BUCKETS 1
		PROPERTIES (\"enable_unique_key_merge_on_write\" = \"true\")"
	printf '1,kevin,10.00,2024-01-01 00:00:00\n2,amy,20.00,2024-01-01 00:00:00\n' | load_ok user_profile
}

@test "partial_columns: only the listed columns change, the others keep their values" {
	profile_table
	printf '1,99.50,2024-06-01 12:00:00\n3,5.00,2024-06-02 00:00:00\n' |
		load_ok user_profile -H "partial_columns:true" -H "columns:id,balance,last_access_time"
	run -0 sl-sql -N -B -e "select * from testdb.user_profile order by id"
	[ "$output" = "1	kevin	99.50	2024-06-01 12:00:00
2	amy	20.00	2024-01-01 00:00:00
3	NULL	5.00	2024-06-02 00:00:00" ]
}

@test "partial_columns: partial_update_new_key_behavior ERROR rejects a new key, loads none" {
	profile_table
	run -1 sl-load -H column_separator:, -H "partial_columns:true" -H "columns:id,balance" \
		-H "partial_update_new_key_behavior: ERROR" -T - testdb.user_profile <<< $'1,1.00\n9,9.00'
	[[ "$output" == *'"Status": "Fail"'* ]]
	run -0 sl-sql -N -B -e "select id, balance from testdb.user_profile order by id"
	[ "$output" = "1	10.00
2	20.00" ]
	# keys that exist are updated under ERROR
	echo '2,2.00' | load_ok user_profile -H "partial_columns:true" -H "columns:id,balance" \
		-H "partial_update_new_key_behavior: ERROR"
	run -0 sl-sql -N -B -e "select id, name, balance from testdb.user_profile where id = 2"
	[ "$output" = "2	amy	2.00" ]
}

@test "flexible partial update: each JSON row updates only the keys it has" {
	profile_table
	printf '%s\n' '{"id":1,"name":"kev"}' '{"id":2,"balance":null}' '{"id":4,"name":"new","balance":4}' |
		load_ok user_profile -H format:json -H read_json_by_line:true \
		-H "unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS"
	run -0 sl-sql -N -B -e "select * from testdb.user_profile order by id"
	[ "$output" = "1	kev	10.00	2024-01-01 00:00:00
2	amy	NULL	2024-01-01 00:00:00
4	new	4.00	NULL" ]
}
