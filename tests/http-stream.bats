#!/usr/bin/env bats
# PUT /api/_http_stream (acceptance 6 of issue 4, spec section 12), end to
# end with curl on 127.0.0.1: the seed's http_stream example verbatim but
# for host and port, WHERE -> unselected, WITH LABEL and its reuse,
# two_phase_commit, csv_with_names, request headers the SQL overrides, and
# the Fail answers of a bad `sql` (syntax error, missing/unknown format).
#
# Each test starts its own server on 127.0.0.1:0 (-1 prints the port) over
# its own data directory and stops it by PID in teardown.
load test_helper

T=demo.example_tbl_1

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE demo"
	sl-sql -e "CREATE TABLE $T (user_id BIGINT, name VARCHAR(20), age INT, cost BIGINT)
		DUPLICATE KEY(user_id) DISTRIBUTED BY HASH(user_id) BUCKETS 1"
	# seven fields: id, name, city, age, sex, phone, cost
	printf '%s\n' '1,Emily,Paris,25,F,555,10' '2,Benjamin,Rome,35,M,556,20' \
		'3,Olivia,Oslo,28,F,557,30' '4,Alexander,Lima,60,M,558,40' > test.csv
	server_pid=
	httpd_start
}

teardown() { httpd_stop; }

url() { printf 'http://127.0.0.1:%s%s' "$port" "$1"; }

# hs SQL [CURL ARGS...]: PUT test.csv (or the file $F) to _http_stream.
hs() {
	local sql=$1
	shift
	curl -sS --location-trusted -u root: -T "${F:-test.csv}" "$@" -H "sql:$sql" -XPUT "$(url /api/_http_stream)"
}

json_get() {
	sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'
}

rows() { sl-sql -N -B -e "select * from ${1:-$T} order by user_id"; }

SEED_SQL='insert into demo.example_tbl_1(user_id, age, cost) select c1, c4, c7 * 2 from http_stream("format" = "CSV", "column_separator" = "," ) where age >= 30'

@test "the seed's http_stream example loads verbatim (port replaced); WHERE rows are unselected" {
	run -0 --separate-stderr curl  --location-trusted -u root: -T test.csv  -H "sql:insert into demo.example_tbl_1(user_id, age, cost) select c1, c4, c7 * 2 from http_stream(\"format\" = \"CSV\", \"column_separator\" = \",\" ) where age >= 30"  http://127.0.0.1:$port/api/_http_stream
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get Message <<< "$output")" = OK ]
	[ "$(json_get NumberTotalRows <<< "$output")" = 4 ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(json_get NumberFilteredRows <<< "$output")" = 0 ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 2 ]
	[ "$(json_get TwoPhaseCommit <<< "$output")" = false ]
	[[ $(json_get Label <<< "$output") =~ ^label_[0-9a-f]{16}_[0-9a-f]{16}$ ]]
	[[ $(json_get TxnId <<< "$output") =~ ^[1-9][0-9]*$ ]]
	[ "$(rows)" = $'2\tNULL\t35\t40\n4\tNULL\t60\t80' ]
}

@test "all rows unselected is a Success with nothing loaded" {
	run -0 hs "${SEED_SQL/>= 30/> 100}"
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 4 ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 0 ]
	[ -z "$(rows)" ]
}

@test "without a column list the select items go to the table's columns in order" {
	run -0 hs 'INSERT INTO demo.example_tbl_1 SELECT c1, upper(c2), c4, c7 FROM http_stream("FORMAT"="csv", "Column_Separator"=",");'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 4 ]
	[ "$(rows | head -1)" = $'1\tEMILY\t25\t10' ]
}

@test "WITH LABEL names the load; reusing the label is refused" {
	run -0 hs 'insert into demo.example_tbl_1 with label hs_l1 (user_id, age) select c1, c4 from http_stream("format"="csv", "column_separator"=",")'
	[ "$(json_get Label <<< "$output")" = hs_l1 ]
	[ "$(json_get Status <<< "$output")" = Success ]
	run -0 hs 'insert into demo.example_tbl_1 with label hs_l1 (user_id, age) select c1, c4 from http_stream("format"="csv", "column_separator"=",")'
	[ "$(json_get Label <<< "$output")" = hs_l1 ]
	[ "$(json_get TxnId <<< "$output")" = -1 ]
	[[ $(json_get Message <<< "$output") == "[LABEL_ALREADY_EXISTS]"*"Label [hs_l1] has already been used"* ]]
	[ "$(sl-sql -N -B -e "select count(*) from $T")" = 4 ]
}

@test "two_phase_commit: precommitted, invisible until the 2PC commit" {
	run -0 hs "$SEED_SQL" -H "two_phase_commit:true"
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get TwoPhaseCommit <<< "$output")" = true ]
	id=$(json_get TxnId <<< "$output")
	[ -z "$(rows)" ]
	run -0 curl -sS -XPUT -u root: -H "txn_id:$id" -H "txn_operation:commit" "$(url /api/demo/_stream_load_2pc)"
	[[ $output == *'"status": "Success"'* ]]
	[ "$(rows | wc -l)" = 2 ]
}

@test "the request's strict_mode, columns, column_separator, where, max_filter_ratio headers are ignored" {
	run -0 hs "$SEED_SQL" -H "column_separator:|" -H "columns:a,b" -H "where:age < 0" \
		-H "strict_mode:true" -H "max_filter_ratio:1" -H "label:hdr_label"
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(json_get Label <<< "$output")" != hdr_label ]
}

@test "short lines get NULL for the missing columns, extra fields are ignored (query semantics)" {
	# spec section 12: c1..cN, N from the first line; not load semantics
	printf '%s\n' '1,Emily,Paris,25,F,555,10' '2,Benjamin' '3,Olivia,Oslo,28,F,557,30,extra,more' > short.csv
	F=short.csv run -0 hs 'insert into demo.example_tbl_1 (user_id, name, age, cost) select c1, c2, c4, c7 from http_stream("format"="csv", "column_separator"=",")'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberTotalRows <<< "$output")" = 3 ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 3 ]
	[ "$(json_get NumberFilteredRows <<< "$output")" = 0 ]
	[ "$(rows)" = $'1\tEmily\t25\t10\n2\tBenjamin\tNULL\tNULL\n3\tOlivia\t28\t30' ]
}

@test "a short first line gives fewer columns: referencing past them fails, select * takes them" {
	printf '%s\n' '1,Emily' '2,Benjamin,Rome,35,M,556,20' > first.csv
	F=first.csv run -0 hs 'insert into demo.example_tbl_1 (user_id, name) select * from http_stream("format"="csv", "column_separator"=",")'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(rows)" = $'1\tEmily\tNULL\tNULL\n2\tBenjamin\tNULL\tNULL' ]
	F=first.csv run -0 hs 'insert into demo.example_tbl_1 (user_id, age) select c1, c4 from http_stream("format"="csv", "column_separator"=",")'
	[ "$(json_get Status <<< "$output")" = Fail ]
	[[ $(json_get Message <<< "$output") == *c4* ]]
	[ "$(sl-sql -N -B -e "select count(*) from $T")" = 2 ]
}

@test "csv_with_names: a short line is padded with NULL too" {
	printf '%s\n' 'id,nm,age' '7,Zoe,41' '8' > names2.csv
	F=names2.csv run -0 hs 'insert into demo.example_tbl_1 (user_id, name, age) select id, nm, age from http_stream("format"="csv_with_names", "column_separator"=",")'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(rows)" = $'7\tZoe\t41\tNULL\n8\tNULL\tNULL\tNULL' ]
}

@test "a filtered row (invalid UTF-8) fails the load: max_filter_ratio is 0" {
	printf '1,Emily,Paris,25,F,555,10\n2,\xff,Rome,35,M,556,20\n' > bad.csv
	F=bad.csv run -0 hs "$SEED_SQL"
	[ "$(json_get Status <<< "$output")" = Fail ]
	[ "$(json_get Message <<< "$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	[[ $(json_get FirstErrorMsg <<< "$output") == "Invalid file encoding"* ]]
	[ -z "$(rows)" ]
}

@test "compress_type gz, bz2, lz4: the source columns come from the decompressed first line" {
	printf '%s\n' '1,Emily,25,10' '2,Benjamin,35,20' '3,Olivia' > four.csv
	gzip -c test.csv > test.csv.gz
	bzip2 -c test.csv > test.csv.bz2
	lz4 -q -c test.csv > test.csv.lz4
	gzip -c four.csv > four.csv.gz
	bzip2 -c four.csv > four.csv.bz2
	lz4 -q -c four.csv > four.csv.lz4
	for ct in gz bz2 lz4; do
		for t in a_$ct b_$ct; do
			sl-sql -e "CREATE TABLE demo.$t (user_id BIGINT, name VARCHAR(20), age INT, cost BIGINT)
				DUPLICATE KEY(user_id) DISTRIBUTED BY HASH(user_id) BUCKETS 1"
		done
		# c1..c7 though the SELECT names only up to c4: N is the first line's
		F=test.csv.$ct run -0 hs "insert into demo.a_$ct (user_id, age) select c1, c4 from http_stream(\"format\"=\"csv\", \"column_separator\"=\",\", \"compress_type\"=\"$ct\") where age > 30"
		[ "$(json_get Status <<< "$output")" = Success ] || { echo "$ct: $output"; false; }
		[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
		[ "$(json_get NumberUnselectedRows <<< "$output")" = 2 ]
		[ "$(json_get LoadBytes <<< "$output")" = "$(stat -c %s "test.csv.$ct")" ]
		[ "$(rows "demo.a_$ct")" = $'2\tNULL\t35\tNULL\n4\tNULL\t60\tNULL' ]
		# select * is c1..c4; the short line is padded
		F=four.csv.$ct run -0 hs "insert into demo.b_$ct select * from http_stream(\"format\"=\"csv\", \"column_separator\"=\",\", \"compress_type\"=\"$ct\")"
		[ "$(json_get Status <<< "$output")" = Success ] || { echo "$ct: $output"; false; }
		[ "$(rows "demo.b_$ct")" = $'1\tEmily\t25\t10\n2\tBenjamin\t35\t20\n3\tOlivia\tNULL\tNULL' ]
	done
}

@test "compress_type: a first record past the first 64 KiB of the body; a truncated body" {
	# 2000 skipped lines of random text (~300 KB gzip'd): the start of the
	# body is read and decompressed until the first record shows 7 fields
	{ head -c 300000 /dev/urandom | base64 -w 150; printf '%s\n' '9,Zed,X,50,M,1,7' '10,Al,Y,51,M,1,8'; } > late.csv
	n=$(($(wc -l < late.csv) - 2))
	gzip -c late.csv > late.gz
	[ "$(stat -c %s late.gz)" -gt 200000 ]
	F=late.gz run -0 hs "insert into demo.example_tbl_1 (user_id, age) select c1, c4 from http_stream(\"format\"=\"csv\", \"column_separator\"=\",\", \"compress_type\"=\"gz\", \"skip_lines\"=\"$n\")"
	[ "$(json_get Status <<< "$output")" = Success ] || { echo "$output"; false; }
	[ "$(rows)" = $'9\tNULL\t50\tNULL\n10\tNULL\t51\tNULL' ]
	for ((i = 10; i < 5000; i++)); do echo "$i,n$i,c,$i,F,1,$i"; done | gzip -c | head -c 20000 > trunc.gz
	F=trunc.gz run -0 hs 'insert into demo.example_tbl_1 select c1, c2, c4, c7 from http_stream("format"="csv", "column_separator"=",", "compress_type"="gz")'
	[ "$(json_get Status <<< "$output")" = Fail ]
	[ "$(json_get Message <<< "$output")" = "[INTERNAL_ERROR]unable to read the body: gz: unexpected end of stream" ]
	[ "$(rows | wc -l)" = 2 ]
}

@test "enclose with a multi-byte column_separator" {
	printf '%s\n' '1||"Smith||Emily"||33||5' '2||"Ann"||44' > mb.csv
	F=mb.csv run -0 hs 'insert into demo.example_tbl_1 select c1, c2, c3, c4 from http_stream("format"="csv", "column_separator"="||", "enclose"="\"")'
	[ "$(json_get Status <<< "$output")" = Success ] || { echo "$output"; false; }
	[ "$(rows)" = $'1\tSmith||Emily\t33\t5\n2\tAnn\t44\tNULL' ]
}

@test "csv_with_names: the header line names the source columns" {
	printf '%s\n' 'id,nm,age' '7,Zoe,41' '8,Yan,19' > names.csv
	F=names.csv run -0 hs 'insert into demo.example_tbl_1 (user_id, name, age) select id, nm, age from http_stream("format"="csv_with_names", "column_separator"=",") where age > 20'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberTotalRows <<< "$output")" = 2 ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 1 ]
	[ "$(rows)" = $'7\tZoe\t41\tNULL' ]
}

@test "skip_lines and line_delimiter properties are honoured" {
	printf 'junk;5,Ann,X,33,F,1,2;6,Bob,Y,44,M,1,3;' > d.csv
	F=d.csv run -0 hs 'insert into demo.example_tbl_1(user_id, age) select c1, c4 from http_stream("format"="csv", "column_separator"=",", "line_delimiter"=";", "skip_lines"="1")'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(rows)" = $'5\tNULL\t33\tNULL\n6\tNULL\t44\tNULL' ]
}

# bad_answer MESSAGE-GLOB: the answer in $output is a Fail with TxnId -1 and Label "".
bad_answer() {
	[ "$(json_get Status <<< "$output")" = Fail ]
	[ "$(json_get TxnId <<< "$output")" = -1 ]
	[[ $output == *'"Label": "",'* ]]
	[[ $(json_get Message <<< "$output") == $1 ]]
	[ -z "$(rows)" ]
}

@test "a SQL syntax error answers Fail, TxnId -1, Label \"\", Nereids parse failed" {
	run -0 hs 'insert into demo.example_tbl_1 select c1 from'
	bad_answer '\[INTERNAL_ERROR\]TStatus: *Nereids parse failed*'
	run -0 hs 'insert demo.example_tbl_1 select c1 from http_stream("format"="csv")'
	bad_answer '*Nereids parse failed*'
	run -0 hs 'insert into demo.example_tbl_1 with label l9 select c1 + from http_stream("format"="csv")'
	bad_answer '*Nereids parse failed*'
	run -0 curl -sS -u root: -T test.csv -XPUT "$(url /api/_http_stream)"
	bad_answer '*Nereids parse failed*'
}

@test "a missing or unknown format, and avro, are refused" {
	run -0 hs 'insert into demo.example_tbl_1 select c1, c2, c4, c7 from http_stream("column_separator"=",")'
	bad_answer '*format: is not supported.'
	run -0 hs 'insert into demo.example_tbl_1 select c1, c2, c4, c7 from http_stream("format"="xml")'
	bad_answer '*format:xml is not supported.'
	run -0 hs 'insert into demo.example_tbl_1 select c1, c2, c4, c7 from http_stream("format"="Avro")'
	bad_answer '*http_stream does not yet support avro'
}

@test "planning errors: unknown table, select count not matching the targets" {
	run -0 hs 'insert into demo.nope select c1 from http_stream("format"="csv")'
	bad_answer '\[NOT_FOUND\]*table not found, tableName=nope'
	run -0 hs 'insert into demo.example_tbl_1 (user_id, age) select c1 from http_stream("format"="csv", "column_separator"=",")'
	bad_answer '*insert into cols should be corresponding to the query output'
}

@test "a bad password is refused before the SQL is looked at" {
	run -0 curl -sS -u root:wrong -T test.csv -H "sql:nonsense" -XPUT "$(url /api/_http_stream)"
	[ "$(json_get Status <<< "$output")" = Fail ]
	[[ $(json_get Message <<< "$output") == *"Access denied"* ]]
}

@test "format json: the select names JSON keys; WHERE rows are unselected" {
	printf '%s\n' '{"id":1,"nm":"Emily","age":25,"c":10}' '{"id":2,"nm":"Ben","age":35,"c":20}' \
		'{"id":3,"age":60}' > test.json
	F=test.json run -0 hs 'INSERT INTO demo.example_tbl_1 (user_id, name, age, cost) SELECT id, nm, age, c * 2 FROM http_stream("format"="json") WHERE age > 30'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberTotalRows <<< "$output")" = 3 ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 1 ]
	[ "$(rows)" = $'2\tBen\t35\t40\n3\tNULL\t60\tNULL' ]
}

# issue 9, item 2: the WHERE filters on the table function's columns
# (c1..cN, the header names of csv_with_names*, the JSON keys), before the
# projection; the rows it removes are unselected.
@test "WHERE over source columns: c4 is not selected into a column of its name" {
	run -0 hs 'insert into demo.example_tbl_1(user_id, age) select c1, c4 from http_stream("format"="csv", "column_separator"=",") where c4 >= 30'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberTotalRows <<< "$output")" = 4 ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 2 ]
	[ "$(rows)" = $'2\tNULL\t35\tNULL\n4\tNULL\t60\tNULL' ]
}

@test "WHERE over a source column that is not selected at all, and over expressions of sources" {
	run -0 hs 'insert into demo.example_tbl_1(user_id, name) select c1, c2 from http_stream("format"="csv", "column_separator"=",") where c7 * 2 > 50 and c3 <> "Lima"'
	[ "$(json_get Status <<< "$output")" = Success ]
	[ "$(json_get NumberLoadedRows <<< "$output")" = 1 ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 3 ]
	[ "$(rows)" = $'3\tOlivia\tNULL\tNULL' ]
}

@test "WHERE: NULL from a short line is not true (unselected); an unknown column fails before any transaction" {
	printf '%s\n' '1,a,x,40' '2,b' '3,c,y,10' > short.csv
	F=short.csv run -0 hs 'insert into demo.example_tbl_1(user_id, name) select c1, c2 from http_stream("format"="csv", "column_separator"=",") where c4 > 5'
	[ "$(json_get NumberLoadedRows <<< "$output")" = 2 ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 1 ]
	[ "$(rows)" = $'1\ta\tNULL\tNULL\n3\tc\tNULL\tNULL' ]
	run -0 hs 'insert into demo.example_tbl_1(user_id) select c1 from http_stream("format"="csv", "column_separator"=",") where nosuch > 5'
	[ "$(json_get Status <<< "$output")" = Fail ]
	[[ $(json_get Message <<< "$output") == *"Unknown column 'nosuch'"* ]]
	[ "$(sl-sql -N -B -e "select count(*) from $T")" = 2 ]
}

@test "WHERE over csv_with_names header names and over JSON keys that are not selected" {
	printf '%s\n' 'id,nm,city,yrs' '1,Emily,Paris,25' '2,Ben,Rome,35' > names.csv
	F=names.csv run -0 hs 'insert into demo.example_tbl_1 (user_id, name) select id, nm from http_stream("format"="csv_with_names", "column_separator"=",") where city = "Rome"'
	[ "$(json_get NumberLoadedRows <<< "$output")" = 1 ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 1 ]
	[ "$(rows)" = $'2\tBen\tNULL\tNULL' ]
	printf '%s\n' '{"id": 7, "nm": "x", "score": 3}' '{"id": 8, "nm": "y", "score": 9}' > w.json
	F=w.json run -0 hs 'insert into demo.example_tbl_1 (user_id, name) select id, nm from http_stream("format"="json") where score > 5'
	[ "$(json_get NumberLoadedRows <<< "$output")" = 1 ]
	[ "$(json_get NumberUnselectedRows <<< "$output")" = 1 ]
	[ "$(sl-sql -N -B -e "select user_id, name from $T where user_id > 5")" = $'8\ty' ]
}
