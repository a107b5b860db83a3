#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# models-load.bats -- the load side of the table models: the row stream
# sl-map and sl-filter emit for UNIQUE and AGGREGATE tables (the hidden
# __DORIS_DELETE_SIGN__ and __DORIS_SEQUENCE_COL__, merge_type DELETE and
# MERGE with `delete`, the sequence column, partial updates and their
# __SL_UPDATE_MASK__, negative, BITMAP/HLL columns), Doris's messages for
# the refused headers, and the counts of a DELETE/MERGE load.
load test_helper

FE='[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = '

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.t (siteid INT NOT NULL, citycode SMALLINT, username VARCHAR(32) DEFAULT '', pv BIGINT) UNIQUE KEY(siteid) DISTRIBUTED BY HASH(siteid) BUCKETS 1"
	# the seed's sequence table: the sequence fed by age
	sl-sql -e "CREATE TABLE d.seq (name VARCHAR(100) NOT NULL, gender VARCHAR(10), age INT) UNIQUE KEY(name) DISTRIBUTED BY HASH(name) BUCKETS 1 PROPERTIES (\"function_column.sequence_col\" = \"age\")"
	sl-sql -e "CREATE TABLE d.st (k INT NOT NULL, v VARCHAR(10), n INT NOT NULL) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES (\"function_column.sequence_type\" = \"bigint\")"
	sl-sql -e "CREATE TABLE d.a (k INT NOT NULL, s INT SUM, d DECIMAL(9,2) SUM) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	sl-sql -e "CREATE TABLE d.dup (k INT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
}

# stream TABLE BODY [headers...]: the comma-separated BODY through sl-parse,
# sl-map and sl-filter, as text (rows, filtered rows; counters left out).
stream() {
	local t=$1 body=$2
	shift 2
	printf "$body" | sl-parse -H column_separator:, "$@" d.$t | sl-map -H column_separator:, "$@" d.$t | sl-filter "$@" |
		sl-dump 2>&1 | grep -v '^# counters'
}

# json TABLE BODY [headers...]: the same for a JSON body read by line.
json() {
	local t=$1 body=$2
	shift 2
	printf "$body" | sl-parse -H format:json -H read_json_by_line:true "$@" d.$t |
		sl-map -H format:json "$@" d.$t | sl-filter "$@" | sl-dump 2>&1 | grep -v '^# counters'
}

# plan [headers...] TABLE: sl-map over an empty input, its stream dropped.
plan() { sl-map "$@" < /dev/null > /dev/null; }

# refused MESSAGE TABLE [headers...]: sl-map's plan fails with MESSAGE.
refused() {
	local want=$1 t=$2
	shift 2
	run -1 --separate-stderr plan "$@" d.$t
	[ "$stderr" = "sl-map: fatal: $want" ]
}

@test "models-load: the plan's unit tests (colmap)" {
	run -0 --separate-stderr "$SL_UNIT/test-colmap"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "hidden columns: positional fields feed the visible columns; the delete sign defaults to 0" {
	run -0 --separate-stderr stream t '3,2,tom,2\n4,3,bush,3\n'
	[ "$output" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__
3	2	tom	2	0
4	3	bush	3	0" ]
	# a fifth field is one too many: only the visible columns are sources
	run -0 --separate-stderr stream t '3,2,tom,2,1\n'
	[[ "$output" == *"Column count mismatch: expected 4, but found 5"* ]]
}

@test "hidden_columns appends hidden columns to the source fields, in its order; columns may name them" {
	run -0 --separate-stderr stream t '3,2,tom,2,1\n4,3,bush,3,0\n' -H 'hidden_columns: __doris_delete_sign__'
	[ "$output" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__
3	2	tom	2	1
4	3	bush	3	0" ]
	run -0 --separate-stderr stream st '1,a,5,7,1\n' -H 'hidden_columns:__DORIS_SEQUENCE_COL__,__DORIS_DELETE_SIGN__' \
		-H function_column.sequence_col:n
	[ "${lines[1]}" = "1	a	5	1	5" ]
	run -0 --separate-stderr stream t '5,1\n' -H 'columns: siteid, __DORIS_DELETE_SIGN__'
	[ "${lines[1]}" = "5	\\N		\\N	1" ]
	# JSON: the keys sl-parse looks for are the same source columns
	run -0 --separate-stderr json t '{"siteid":1,"__DORIS_DELETE_SIGN__":1}\n' -H hidden_columns:__DORIS_DELETE_SIGN__
	[ "${lines[1]}" = "1	\\N		\\N	1" ]
	run -0 --separate-stderr json t '{"siteid":1,"__DORIS_DELETE_SIGN__":1}\n'
	[ "${lines[1]}" = "1	\\N		\\N	0" ]
	# ignored with columns (Doris reads it only without)
	run -0 --separate-stderr stream t '5,1,x,2\n' -H 'columns: siteid, citycode, username, pv' -H hidden_columns:__DORIS_DELETE_SIGN__
	[ "${lines[1]}" = "5	1	x	2	0" ]
}

@test "merge_type DELETE: every row's delete sign is 1 (the seed's example)" {
	run -0 --separate-stderr stream t '3,2,tom,0\n' -H merge_type:DELETE -H 'columns: siteid, citycode, username, pv'
	[ "$output" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__
3	2	tom	0	1" ]
}

@test "merge_type MERGE: sl-filter sets the delete sign where delete holds over the final values" {
	run -0 --separate-stderr stream t '2,1,grace,2\n3,2,tom,2\n1,1,jim,2\n' -H merge_type:MERGE -H 'delete: siteid=1' \
		-H 'columns: siteid, citycode, username, pv'
	[ "$stderr" = "" ]
	[ "$output" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__
2	1	grace	2	0
3	2	tom	2	0
1	1	jim	2	1" ]
	# final values: a derived column, a defaulted one; NULL is not a delete
	run -0 --separate-stderr stream t '1,a\n2,b\n3,\\N\n' -H merge_type:merge -H 'columns: siteid, u, username = upper(u)' \
		-H "delete: username = 'B' or citycode is null and siteid = 1"
	[ "$output" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__
1	\\N	A	\\N	1
2	\\N	B	\\N	1
3	\\N	\\N	\\N	0" ]
	# with where: unselected rows are dropped, the rest marked
	run -0 --separate-stderr bash -c "printf '1,1,a,1\n2,1,b,1\n3,1,c,1\n' | sl-parse -H column_separator:, |
		sl-map -H merge_type:MERGE -H 'delete: siteid = 2' d.t | sl-filter -H 'where: siteid > 1' -H 'delete: siteid = 2' | sl-dump 2>&1 | grep -v '^# counters: [cL]'"
	[ "${lines[1]}" = "2	1	b	1	1" ]
	[ "${lines[2]}" = "3	1	c	1	0" ]
	[[ "$output" == *"NumberUnselectedRows=1"* ]]
}

@test "merge_type and delete: Doris's messages" {
	refused "[INVALID_ARGUMENT]Invalid merge type UPSERT" t -H merge_type:UPSERT
	refused "[INVALID_ARGUMENT]Excepted DELETE ON clause when merge type is MERGE." t -H merge_type:MERGE
	refused "[INVALID_ARGUMENT]Not support DELETE ON clause when merge type is not MERGE." t -H merge_type:DELETE -H 'delete: siteid=1'
	refused "[INVALID_ARGUMENT]Not support DELETE ON clause when merge type is not MERGE." t -H 'delete: siteid=1'
	refused "${FE}load by MERGE or DELETE is only supported in unique tables." dup -H merge_type:DELETE
	refused "${FE}load by MERGE or DELETE is only supported in unique tables." a -H merge_type:MERGE -H 'delete: k=1'
	# the delete condition itself: sl-filter's
	run -1 --separate-stderr bash -c "printf '1,1,a,1\n' | sl-parse -H column_separator:, | sl-map -H merge_type:MERGE -H 'delete: nosuch = 1' d.t |
		sl-filter -H 'delete: nosuch = 1' | sl-dump 2>&1"
	[[ "$output" == *"fatal: stream aborted upstream: [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Unknown column 'nosuch'"* ]]
	run -1 --separate-stderr bash -c "printf '1,1,a,1\n' | sl-parse -H column_separator:, | sl-map -H merge_type:MERGE -H 'delete: (' d.t |
		sl-filter -H 'delete: (' | sl-dump 2>&1"
	[[ "$output" == *"stream aborted upstream: [INTERNAL_ERROR]TStatus: ParseException: "*" in delete '('"* ]]
	# rows of a table without the delete sign
	run -1 --separate-stderr bash -c "printf '1,1\n' | sl-parse -H column_separator:, | sl-map d.dup | sl-filter -H 'delete: k = 1' | sl-dump 2>&1"
	[[ "$output" == *"sl-filter: delete needs rows with the __DORIS_DELETE_SIGN__ column"* ]]
}

@test "DELETE and MERGE loads count their delete rows as loaded" {
	printf '1,1,a,1\n2,1,b,1\n3,1,c,1\n' > m.csv
	run -0 --separate-stderr sl-load -H column_separator:, -H merge_type:MERGE -H 'delete: siteid <= 2' -H 'where: siteid > 1' -T m.csv d.t
	[[ "$output" == *'"Status": "Success"'* ]]
	[[ "$output" == *'"NumberTotalRows": 3,'* ]]
	[[ "$output" == *'"NumberLoadedRows": 2,'* ]]
	[[ "$output" == *'"NumberUnselectedRows": 1,'* ]]
	# the launcher runs sl-filter for `delete` alone (its profile line shows it)
	run -0 --separate-stderr sl-load -H column_separator:, -H merge_type:MERGE -H 'delete: siteid = 1' -H enable_profile:true -T m.csv d.t
	[[ "$output" == *'"NumberLoadedRows": 3,'* ]]
	[[ "$stderr" == *"sl-filter: profile: "* ]]
	run -0 --separate-stderr sl-load -H column_separator:, -H enable_profile:true -T m.csv d.t
	[[ "$stderr" != *"sl-filter: profile: "* ]]
	run -0 --separate-stderr sl-load -H column_separator:, -H merge_type:DELETE -T m.csv d.t
	[[ "$output" == *'"NumberLoadedRows": 3,'* ]]
	[[ "$output" == *'"NumberFilteredRows": 0,'* ]]
	run -1 --separate-stderr sl-load -H column_separator:, -H merge_type:DELETE -T m.csv d.dup
	[[ "$output" == *"\"Message\": \"${FE}load by MERGE or DELETE is only supported in unique tables.\""* ]]
}

@test "sequence: the header's column feeds __DORIS_SEQUENCE_COL__, cast to its type (the seed's two cases)" {
	run -0 --separate-stderr stream seq 'li,male,10\nli,male,9\n' -H merge_type:DELETE -H function_column.sequence_col:age \
		-H 'columns: name, gender, age'
	[ "$output" = "name	gender	age	__DORIS_DELETE_SIGN__	__DORIS_SEQUENCE_COL__
li	male	10	1	10
li	male	9	1	9" ]
	# a source-only name; text that is no number is NULL
	run -0 --separate-stderr stream st '1,a,5,17\n2,b,6,x\n' -H 'columns: k, v, n, s' -H function_column.sequence_col:s
	[ "$output" = "k	v	n	__DORIS_DELETE_SIGN__	__DORIS_SEQUENCE_COL__
1	a	5	0	17
2	b	6	0	\\N" ]
}

@test "sequence: the table's sequence_col feeds it on every load; Doris's messages" {
	run -0 --separate-stderr stream seq 'wang,male,14\n'
	[ "${lines[1]}" = "wang	male	14	0	14" ]
	refused "${FE}Table st has sequence column, need to specify the sequence column" st
	refused "${FE}Table seq has sequence column, need to specify the sequence column" seq -H 'columns: name, gender'
	refused "${FE}There is no sequence column in the table t" t -H function_column.sequence_col:pv
	refused "${FE}There is no sequence column in the table dup" dup -H function_column.sequence_col:v
	refused "${FE}Unknown column 'nosuch' in 'table list'" st -H function_column.sequence_col:nosuch
}

@test "partial_columns: the listed columns are marked 1 in __SL_UPDATE_MASK__, the others keep their stored values" {
	run -0 --separate-stderr stream t '1,7\n2,\\N\n' -H partial_columns:true -H 'columns: siteid, pv'
	[ "$stderr" = "" ]
	[ "$output" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__	__SL_UPDATE_MASK__
1	\\N		7	0	10011
2	\\N		\\N	0	10011" ]
	# a NOT NULL column without default is not asked for
	run -0 --separate-stderr stream st '1,a\n' -H unique_key_update_mode:UPDATE_FIXED_COLUMNS -H 'columns: k, v' \
		-H function_column.sequence_col:k
	[ "$output" = "k	v	n	__DORIS_DELETE_SIGN__	__DORIS_SEQUENCE_COL__	__SL_UPDATE_MASK__
1	a	\\N	0	1	11011" ]
	# the table's sequence follows its column
	run -0 --separate-stderr stream seq 'li,f\n' -H partial_columns:true -H 'columns: name, gender'
	[ "${lines[1]}" = "li	f	\\N	0	\\N	11010" ]
	run -0 --separate-stderr stream seq 'li,12\n' -H partial_columns:true -H 'columns: name, age'
	[ "${lines[1]}" = "li	\\N	12	0	12	10111" ]
	# with MERGE the delete sign is given too
	run -0 --separate-stderr stream t '1,7\n' -H partial_columns:true -H 'columns: siteid, pv' -H merge_type:MERGE -H 'delete: pv > 5'
	[ "${lines[1]}" = "1	\\N		7	1	10011" ]
}

@test "partial_columns: every column listed, or no columns, is a plain upsert; Doris's messages" {
	run -0 --separate-stderr stream t '1,2,x,3\n' -H partial_columns:true -H 'columns: siteid, citycode, username, pv'
	[ "$output" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__
1	2	x	3	0" ]
	run -0 --separate-stderr stream t '1,2,x,3\n' -H partial_columns:true
	[ "${lines[0]}" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__" ]
	refused "${FE}Partial update should include all key columns, missing: siteid" t -H partial_columns:true -H 'columns: pv'
	refused "${FE}Partial update should not include invisible column except delete sign column: __DORIS_SEQUENCE_COL__" st \
		-H partial_columns:true -H 'columns: k, __DORIS_SEQUENCE_COL__' -H function_column.sequence_col:k
	refused "${FE}Only unique key merge on write support partial update" dup -H partial_columns:true -H 'columns: k'
	refused "${FE}Only unique key merge on write support partial update" a -H unique_key_update_mode:UPDATE_FIXED_COLUMNS
	sl-sql -e "CREATE TABLE d.mor (k INT NOT NULL, v INT) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES (\"enable_unique_key_merge_on_write\" = \"false\")"
	refused "${FE}Only unique key merge on write support partial update" mor -H partial_columns:true -H 'columns: k'
	# an upsert names every NOT NULL column
	refused "${FE}Column has no default value, column=n" st -H unique_key_update_mode:upsert -H partial_columns:true \
		-H 'columns: k, v' -H function_column.sequence_col:k
	refused "[INVALID_ARGUMENT]Invalid partial_update_new_key_behavior NEVER, must be one of {'APPEND', 'ERROR'}" t \
		-H partial_update_new_key_behavior:never
}

@test "UPDATE_FLEXIBLE_COLUMNS: each row's mask is the keys it has; null is given, absent is kept" {
	run -0 --separate-stderr json t '{"siteid":1,"pv":5}\n{"siteid":2,"citycode":null}\n{"siteid":3,"username":"x","__DORIS_DELETE_SIGN__":1}\n{"pv":1}\n' \
		-H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS
	[ "$output" = "siteid	citycode	username	pv	__DORIS_DELETE_SIGN__	__SL_UPDATE_MASK__
1	\\N		5	0	10011
2	\\N		\\N	0	11001
3	\\N	x	\\N	1	10101
# filtered: line 4: the key column siteid is missing in a row of a flexible partial update: src [NULL NULL NULL 1 NULL]" ]
	# a sequence_type table: __DORIS_SEQUENCE_COL__ is a key of the record
	run -0 --separate-stderr json st '{"k":1,"__DORIS_SEQUENCE_COL__":9}\n' -H unique_key_update_mode:update_flexible_columns
	[ "${lines[1]}" = "1	\\N	\\N	0	9	10011" ]
	# a sequence_col table: the sequence follows its column
	run -0 --separate-stderr json seq '{"name":"li","age":3}\n{"name":"wu"}\n' -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS
	[ "${lines[1]}" = "li	\\N	3	0	3	10111" ]
	[ "${lines[2]}" = "wu	\\N	\\N	0	\\N	10010" ]
}

@test "UPDATE_FLEXIBLE_COLUMNS: JSON only, without the options it cannot honour (Doris's messages)" {
	local m="[INVALID_ARGUMENT]Don't support flexible partial update when"
	refused "[INVALID_ARGUMENT]flexible partial update only support json format as input file currently" t \
		-H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS
	refused "$m 'fuzzy_parse' is enabled" t -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS -H format:json -H fuzzy_parse:true
	refused "$m 'columns' is specified" t -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS -H format:json -H columns:siteid
	refused "$m 'jsonpaths' is specified" t -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS -H format:json -H 'jsonpaths:["$.a"]'
	refused "$m 'hidden_columns' is specified" t -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS -H format:json \
		-H hidden_columns:__DORIS_DELETE_SIGN__
	refused "$m 'function_column.sequence_col' is specified" st -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS -H format:json \
		-H function_column.sequence_col:k
	refused "$m 'merge_type' is specified" t -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS -H format:json -H merge_type:APPEND
	refused "$m 'where' is specified" t -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS -H format:json -H 'where:pv>1'
	refused "${FE}Only unique key merge on write support partial update" dup -H unique_key_update_mode:UPDATE_FLEXIBLE_COLUMNS \
		-H format:json
}

@test "negative: true multiplies SUM columns by -1; Doris's messages" {
	run -0 --separate-stderr stream a '1,5,2.5\n2,\\N,-3\n' -H negative:true
	[ "$output" = "k	s	d
1	-5	-2.50
2	\\N	3.00" ]
	# exactly true (case-sensitive), else off
	run -0 --separate-stderr stream a '1,5,2.5\n' -H negative:TRUE
	[ "${lines[1]}" = "1	5	2.50" ]
	refused "${FE}Column is not SUM AggregateType. column:citycode" t -H negative:true
	refused "${FE}Negative is only used when merge type is APPEND." a -H negative:true -H merge_type:DELETE
	sl-sql -e "CREATE TABLE d.mx (k INT NOT NULL, s INT SUM, m INT MAX) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	refused "${FE}Column is not SUM AggregateType. column:m" mx -H negative:true
}

@test "BITMAP and HLL columns take only a value of their type" {
	sl-sql -e "CREATE TABLE d.b (typ_id BIGINT NULL, hou VARCHAR(10) NULL, arr BITMAP BITMAP_UNION NULL) AGGREGATE KEY(typ_id,hou) DISTRIBUTED BY HASH(typ_id,hou) BUCKETS 1"
	sl-sql -e "CREATE TABLE d.h (typ_id BIGINT NULL, typ_name VARCHAR(10) NULL, pv HLL HLL_UNION NULL) AGGREGATE KEY(typ_id,typ_name) DISTRIBUTED BY HASH(typ_id) BUCKETS 1"
	refused "${FE}bitmap column arr require the function return type is BITMAP" b
	refused "${FE}bitmap column arr require the function return type is BITMAP" b -H 'columns: typ_id, hou, a, arr = a'
	refused "${FE}HLL column must use hll_hash function, like pv=hll_hash(xxx)" h -H 'columns: typ_id, typ_name, pv'
	refused "${FE}HLL column must use hll_hash function, like pv=hll_hash(xxx) or pv=hll_empty()" h \
		-H 'columns: typ_id, typ_name, x, pv = upper(x)'
	# not given: NULL
	run -0 --separate-stderr stream h '1,a\n' -H 'columns: typ_id, typ_name'
	[ "${lines[1]}" = "1	a	\\N" ]
}

# sketch TABLE WHERE BODY [headers...]: the |-separated BODY mapped onto
# TABLE, then only the rows whose sketch WHERE selects (sl-filter reads
# the encoded BITMAP/HLL fields back), rows only.
sketch() {
	local t=$1 where=$2 body=$3
	shift 3
	printf "$body" | sl-parse -H 'column_separator:|' | sl-map "$@" d.$t | sl-filter -H "where: $where" |
		sl-dump 2>&1 | grep -v '^# counters'
}

@test "BITMAP and HLL: the seed's examples load to_bitmap and hll_hash values" {
	sl-sql -e "CREATE TABLE d.b (typ_id BIGINT NULL COMMENT \"ID\", hou VARCHAR(10) NULL COMMENT \"one\", arr BITMAP BITMAP_UNION NULL COMMENT \"two\") AGGREGATE KEY(typ_id,hou) DISTRIBUTED BY HASH(typ_id,hou) BUCKETS 10"
	sl-sql -e "CREATE TABLE d.h (typ_id BIGINT NULL COMMENT \"ID\", typ_name VARCHAR(10) NULL COMMENT \"NAME\", pv hll hll_union NULL COMMENT \"hll\") AGGREGATE KEY(typ_id,typ_name) DISTRIBUTED BY HASH(typ_id) BUCKETS 10"
	# a source field and the derived column of the same name: the derived one feeds arr
	run -0 --separate-stderr sketch b "bitmap_to_string(arr) = '17723' or bitmap_count(arr) = 2" \
		'1|koga|17723\n2|nijg|146285\n' -H 'columns:typ_id,hou,arr,arr=to_bitmap(arr)'
	[ "$output" = "typ_id	hou	arr
1	koga	NULL" ]
	run -0 --separate-stderr sketch b "bitmap_count(arr) = 0" '1|a|5\n' -H 'columns:typ_id,hou,x,arr=bitmap_empty()'
	[ "${lines[1]}" = "1	a	NULL" ]
	run -0 --separate-stderr sketch h "hll_cardinality(pv) = 1" '1001|koga\n1002|nijg\n' \
		-H 'columns:typ_id,typ_name,pv=hll_hash(typ_id)'
	[ "$output" = "typ_id	typ_name	pv
1001	koga	NULL
1002	nijg	NULL" ]
	run -0 --separate-stderr sketch h "hll_cardinality(pv) = 0" '1001|koga\n' -H 'columns:typ_id,typ_name,pv=hll_empty()'
	[ "${lines[1]}" = "1001	koga	NULL" ]
	# two plain names, or two derived ones, are still duplicates
	refused "${FE}Duplicate column: arr" b -H 'columns: typ_id, hou, arr, arr = to_bitmap(1), arr = to_bitmap(2)'
}
