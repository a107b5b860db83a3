#!/usr/bin/env bats
# CSV dialects and compressed bodies (issue 4, acceptance 3 and 4):
# enclose/escape as the seed's example, RFC 4180 doubled quotes, the
# record cap on an unterminated enclosed field, header errors; every
# compress_type loads the same rows as the plain file, and a truncated or
# corrupt body fails with the library's reason and nothing visible.
load test_helper

T=testdb.test_streamload
BP="$SL_UNIT/blockpack"

setup() {
	setup_data_dir
	seed_table
}

count() { sl-sql -N -B -e "select count(*) from ${1:-$T}"; }
get() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'; }

addr_table() {
	sl-sql -e "CREATE TABLE testdb.addr (username VARCHAR(50), age INT, address VARCHAR(100)) DUPLICATE KEY(username) DISTRIBUTED BY HASH(username) BUCKETS 1 PROPERTIES ('replication_num' = '1')"
}

@test "formats-csv: the seed's enclose example keeps 'Shanghai, HuangPu District, Dagu Road' as one field" {
	addr_table
	printf "%s\n" "zhangsan,30,'Shanghai, HuangPu District, Dagu Road'" > streamload_example.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -H "enclose:'" -H 'escape:\' \
		-H "columns:username,age,address" -T streamload_example.csv testdb.addr
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	run -0 sl-sql -N -B -e "select address from testdb.addr where username = 'zhangsan'"
	[ "$output" = "Shanghai, HuangPu District, Dagu Road" ]
}

@test "formats-csv: the seed's escape example keeps Shanghai, Huangpu District, 'Dagu Road as one field" {
	addr_table
	printf "%s\n" "Zhang San,30,'Shanghai, Huangpu District, \\'Dagu Road'" > streamload_example.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -H "enclose:'" -H 'escape:\' \
		-H "columns:username,age,address" -T streamload_example.csv testdb.addr
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	run -0 sl-sql -N -B -e "select address from testdb.addr"
	[ "$output" = "Shanghai, Huangpu District, 'Dagu Road" ]
}

@test "formats-csv: RFC 4180 with enclose:\" and trim_double_quotes: doubled quotes, separators, line breaks, CRLF" {
	addr_table
	printf '"a ""quoted"" name",1,"x,y"\r\n"multi\nline",2,plain\n"",3,"\\N"\n\n"g"hi,4,z\n' > rfc.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -H 'enclose:"' -H trim_double_quotes:true \
		-T rfc.csv testdb.addr
	[ "$(get NumberTotalRows <<<"$output")" = 4 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 4 ]
	run -0 sl-sql -N -B -e "select address from testdb.addr where age = 1"
	[ "$output" = "x,y" ]
	run -0 sl-sql -N -B -e "select username from testdb.addr where age = 1"
	[ "$output" = 'a "quoted" name' ]
	run -0 sl-sql -N -B -e "select length(username) from testdb.addr where age = 2"
	[ "$output" = 10 ]
	run -0 sl-sql -N -B -e "select username from testdb.addr where age = 4"
	[ "$output" = '"g"hi' ]
}

@test "formats-csv: an unterminated enclosed field swallows the rest: one filtered row" {
	printf '1,"open,x\n2,b,3\n3,c,4\n' > u.csv
	run -1 --separate-stderr sl-load -H "column_separator:," -H 'enclose:"' -T u.csv "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 1 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(count)" = 0 ]
}

@test "formats-csv: an unterminated last field keeps the rest of the body exactly, no delimiter added" {
	# 3 fields as the table wants, so Doris loads the row; the field is the
	# rest of the body as it is (opening quote kept: first and last bytes
	# are stripped only when both are the enclose byte)
	addr_table
	printf 'w,0,ok\nx,1,"ab\ncd' > u1.csv
	printf 'y,2,"ab\ncd\n' > u2.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -H 'enclose:"' -T u1.csv testdb.addr
	[ "$(get NumberTotalRows <<<"$output")" = 2 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 0 ]
	run -0 --separate-stderr sl-load -H "column_separator:," -H 'enclose:"' -T u2.csv testdb.addr
	[ "$(get NumberTotalRows <<<"$output")" = 1 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	run -0 sl-sql -N -B -e "select username, length(address) from testdb.addr order by username"
	[ "$output" = "$(printf 'w\t2\nx\t6\ny\t7')" ]
	run -0 sl-sql -N -B -e "select address from testdb.addr where username = 'x'"
	[ "$output" = '"ab\ncd' ]
	run -0 sl-sql -N -B -e "select address from testdb.addr where username = 'y'"
	[ "$output" = '"ab\ncd\n' ]
}

@test "formats-csv: an unterminated enclosed field is bounded by the record cap, then a filtered row" {
	{ printf '1,"open\n'; for i in $(seq 1 300); do echo "$i,name$i,xxxxxxxxxxxxxxxxxxxxxxxxx"; done; } > cap.csv
	SL_FRAME_MAX=1024 run -0 --separate-stderr sl-load -H "column_separator:," -H 'enclose:"' \
		-H max_filter_ratio:1 -T cap.csv "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 1 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	grep -q 'The line is too long' "$SL_DATA_DIR"/_error_log/*
}

@test "formats-csv: escape without enclose unescapes every field" {
	addr_table
	printf 'a\\bc,1,x\\\\y\n' > e.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -H 'escape:\' -T e.csv testdb.addr
	run -0 sl-sql -N -B -e "select username, address from testdb.addr"
	[ "$output" = "$(printf 'abc\tx\\\\y')" ]
}

@test "formats-csv: enclose and escape must be single-char" {
	run -1 --separate-stderr sl-load -H "column_separator:," -H 'enclose:ab' -T streamload_example.csv "$T"
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]enclose must be single-char, actually is ab" ]
	run -1 --separate-stderr sl-load -H "column_separator:," -H 'escape:ab' -T streamload_example.csv "$T"
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]escape must be single-char, actually is ab" ]
	[ "$(count)" = 0 ]
}

@test "formats-csv: without escape a doubled enclose byte inside an enclosed field stays two bytes (Doris)" {
	# spec section 6: "" does not end the field and is not unescaped; the
	# enclosing pair alone is stripped
	addr_table
	printf '%s\n' '"a ""quoted"" name",1,"x""y"""' '"""",2,"""lead"' 'plain""text,3,z' > dq.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -H 'enclose:"' -T dq.csv testdb.addr
	[ "$(get NumberLoadedRows <<<"$output")" = 3 ]
	run -0 sl-sql -N -B -e "select username, address from testdb.addr where age = 1"
	[ "$output" = "$(printf '%s\t%s' 'a ""quoted"" name' 'x""y""')" ]
	run -0 sl-sql -N -B -e "select username, address from testdb.addr where age = 2"
	[ "$output" = "$(printf '%s\t%s' '""' '""lead')" ]
	run -0 sl-sql -N -B -e "select username from testdb.addr where age = 3"
	[ "$output" = 'plain""text' ]
}

@test "formats-csv: with escape set a doubled enclose byte is one, in enclosed and unenclosed fields" {
	addr_table
	printf '%s\n' '"a ""quoted"" name",1,c""d' > dqe.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -H 'enclose:"' -H 'escape:\' -T dqe.csv testdb.addr
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	run -0 sl-sql -N -B -e "select username, address from testdb.addr"
	[ "$output" = "$(printf '%s\t%s' 'a "quoted" name' 'c"d')" ]
}

@test "formats-csv: enclose with a multi-byte column_separator and line_delimiter \\r\\n" {
	addr_table
	# the separator inside quotes, a lone | and a lone CR outside them,
	# CRLF inside an enclosed field, an empty enclosed field, "g"hi
	printf '"Smith||Emily"||30||"Main St\r\nApt 5"\r\nbob||41||x|y\rz\r\n""||7||"a||b"\r\n"g"hi||8||"q"\r\n' > mb.csv
	run -0 --separate-stderr sl-load -H "column_separator:||" -H 'line_delimiter:\r\n' -H 'enclose:"' \
		-T mb.csv testdb.addr
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberTotalRows <<<"$output")" = 4 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 4 ]
	run -0 sl-sql -N -B -e "select username, length(address) from testdb.addr where age = 30"
	[ "$output" = "$(printf 'Smith||Emily\t14')" ]
	run -0 sl-sql -N -B -e "select address from testdb.addr where age = 30"
	[ "$output" = $'Main St\r\\nApt 5' ]     # sl-sql -B shows LF as \n
	run -0 sl-sql -N -B -e "select length(address) from testdb.addr where username = 'bob'"
	[ "$output" = 5 ]
	run -0 sl-sql -N -B -e "select concat('[', username, ']'), address from testdb.addr where age = 7"
	[ "$output" = "$(printf '[]\ta||b')" ]
	run -0 sl-sql -N -B -e "select username, address from testdb.addr where age = 8"
	[ "$output" = "$(printf '"g"hi\tq')" ]
}

@test "formats-csv: enclose with a multi-byte separator: escape, doubled quotes, and a column count mismatch" {
	addr_table
	printf '%s\n' '"it\"s||here"||1||a\||b' '"x""y"||2||z' 'only||3' > mbe.csv
	run -1 --separate-stderr sl-load -H "column_separator:||" -H 'enclose:"' -H 'escape:\' \
		-H max_filter_ratio:0.5 -H "columns:username,age,address" -T mbe.csv testdb.addr
	[ "$(get NumberTotalRows <<<"$output")" = 3 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 2 ]
	[[ $(get FirstErrorMsg <<<"$output") == "Column count mismatch: expected 3, but found 4"* ]]
	run -0 --separate-stderr sl-load -H "column_separator:||" -H 'enclose:"' -H 'escape:\' \
		-H max_filter_ratio:1 -H "columns:username,age,address" -T mbe.csv testdb.addr
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	run -0 sl-sql -N -B -e "select username, address from testdb.addr"
	[ "$output" = "$(printf 'x"y\tz')" ]
}

# A bigger file, compressed each way.
make_files() {
	local i
	for ((i = 1; i <= 5000; i++)); do echo "$i,name$i,$((i % 90))"; done > plain.csv
	gzip -c plain.csv > body.gz
	bzip2 -c plain.csv > body.bz2
	lz4 -q -c plain.csv > body.lz4
	"$BP" deflate < plain.csv > body.deflate
	"$BP" lz4_block < plain.csv > body.lz4_block
	"$BP" lzo < plain.csv > body.lzo
	lzop -c < plain.csv > body.lzop   # stdin: lzop refuses to run with fd 0 closed
}

@test "formats-csv: every compress_type loads the same rows as the plain file; LoadBytes is the compressed size" {
	command -v gzip && command -v bzip2 && command -v lz4 && command -v lzop   # make deps installs them
	make_files
	run -0 --separate-stderr sl-load -H "column_separator:," -T plain.csv "$T"
	want=$(sl-sql -N -B -e "select count(*), sum(user_id), sum(age) from $T")
	age=0
	for ((i = 1; i <= 5000; i++)); do age=$((age + i % 90)); done
	[ "$want" = "$(printf '5000\t12502500\t%s' "$age")" ]
	for ct in gz bz2 lz4 lz4frame LZ4 deflate lz4_block lzo lzop; do
		f=body.${ct,,}
		case $ct in lz4frame|LZ4) f=body.lz4 ;; esac
		[ -e "$f" ] || continue
		rm -rf "$SL_DATA_DIR" && mkdir -p "$SL_DATA_DIR" && seed_table
		run -0 --separate-stderr sl-load -H "column_separator:," -H "compress_type:$ct" -T "$f" "$T"
		[ "$(get NumberLoadedRows <<<"$output")" = 5000 ] || { echo "$ct: $output"; false; }
		[ "$(get LoadBytes <<<"$output")" = "$(stat -c %s "$f")" ]
		[ "$(sl-sql -N -B -e "select count(*), sum(user_id), sum(age) from $T")" = "$want" ]
	done
}

@test "formats-csv: a truncated gz body fails cleanly with zlib's reason, nothing visible" {
	make_files
	head -c 20000 body.gz > trunc.gz
	run -1 --separate-stderr sl-load -H "column_separator:," -H compress_type:gz -H label:tr -T trunc.gz "$T"
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]unable to read the body: gz: unexpected end of stream" ]
	[ "$(count)" = 0 ]
	# the label is free again
	run -0 --separate-stderr sl-load -H "column_separator:," -H compress_type:gz -H label:tr -T body.gz "$T"
	[ "$(count)" = 5000 ]
}

@test "formats-csv: corrupt bodies fail with the library's reason" {
	make_files
	echo 'not compressed' > junk
	run -1 --separate-stderr sl-load -H "column_separator:," -H compress_type:gz -T junk "$T"
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]unable to read the body: gz: incorrect header check" ]
	run -1 --separate-stderr sl-load -H "column_separator:," -H compress_type:bz2 -T junk "$T"
	[[ "$(get Message <<<"$output")" == *"bz2: not bzip2 data"* ]]
	run -1 --separate-stderr sl-load -H "column_separator:," -H compress_type:lz4 -T junk "$T"
	[[ "$(get Message <<<"$output")" == *"lz4: "* ]]
	run -1 --separate-stderr sl-load -H "column_separator:," -H compress_type:lzop -T junk "$T"
	[[ "$(get Message <<<"$output")" == *"lzop: bad magic"* ]]
	head -c 3000 body.lz4_block > t.lz4b
	run -1 --separate-stderr sl-load -H "column_separator:," -H compress_type:lz4_block -T t.lz4b "$T"
	[[ "$(get Message <<<"$output")" == *"lz4_block: unexpected end of stream"* ]]
	[ "$(count)" = 0 ]
}

@test "formats-csv: an empty compressed body is an empty load; snappy_block is not supported yet" {
	: > empty
	run -0 --separate-stderr sl-load -H "column_separator:," -H compress_type:gz -T empty "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 0 ]
	run -1 --separate-stderr sl-load -H "column_separator:," -H compress_type:snappy_block -T streamload_example.csv "$T"
	[[ "$(get Message <<<"$output")" == "[NOT_IMPLEMENTED_ERROR]compress_type snappy_block is not supported yet"* ]]
}
