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

teardown() {
	[ -z "${httpd_pid:-}" ] || { kill "$httpd_pid"; wait "$httpd_pid" || true; }
}

# start_httpd: sl-httpd over $SL_DATA_DIR on a free port ($port).
start_httpd() {
	local i
	sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 -v 0 > port 2> httpd.err 3>&- &
	httpd_pid=$!
	for ((i = 0; i < 500; i++)); do [ -s port ] && break; sleep 0.02; done
	port=$(sed 's/.*://' port)
	[[ $port =~ ^[0-9]+$ ]] || { cat httpd.err >&2; false; }
}

# put FILE [HEADER]...: the stream load of FILE into $T through curl.
put() {
	local f=$1
	shift
	curl -sS --location-trusted -u root: -H "Expect:100-continue" "$@" -T "$f" \
		-XPUT "http://127.0.0.1:$port/api/${T%.*}/${T#*.}/_stream_load"
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

# issue 9 item 5: the seed's command after that example, as written (no
# escape header): the \ is data, the field ends at the last ' and, its
# first and last bytes both being the enclose byte, they are stripped
# (spec section 6), through sl-load and through curl
@test "formats-csv: the seed's escape example without its escape header strips the outer enclose bytes" {
	sl-sql -e "DROP TABLE $T"
	sl-sql -e "CREATE TABLE $T (username VARCHAR(50), age INT, address VARCHAR(100)) DUPLICATE KEY(username) DISTRIBUTED BY HASH(username) BUCKETS 1 PROPERTIES ('replication_num' = '1')"
	printf "%s\n" "Zhang San,30,'Shanghai, Huangpu District, \\'Dagu Road'" > streamload_example.csv
	want="Shanghai, Huangpu District, \\\\'Dagu Road	39"     # sl-sql -B shows \ as \\
	run -0 --separate-stderr sl-load -H "column_separator:," -H "enclose:'" \
		-H "columns:username,age,address" -T streamload_example.csv "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	run -0 sl-sql -N -B -e "select address, length(address) from $T"
	[ "$output" = "$want" ]
	sl-sql -e "DROP TABLE $T"
	sl-sql -e "CREATE TABLE $T (username VARCHAR(50), age INT, address VARCHAR(100)) DUPLICATE KEY(username) DISTRIBUTED BY HASH(username) BUCKETS 1 PROPERTIES ('replication_num' = '1')"
	start_httpd
	out=$(curl --location-trusted -u root: \
		-H "Expect:100-continue" \
		-H "column_separator:," \
		-H "enclose:'" \
		-H "columns:username,age,address" \
		-T streamload_example.csv \
		-XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load)
	[ "$(get NumberLoadedRows <<<"$out")" = 1 ] || { echo "$out"; false; }
	run -0 sl-sql -N -B -e "select address, length(address) from $T"
	[ "$output" = "$want" ]
}

# issue 9 item 5: an escape equal to the enclose byte is RFC 4180's
# doubled quote: "x""y" is x"y; enclosed separators stay data
@test "formats-csv: enclose:\" with escape:\" loads \"x\"\"y\" as x\"y, through sl-load and curl" {
	addr_table
	printf '%s\n' '"x""y",1,"a,b"' '"""lead",2,""' 'c""d,3,"e""""f"' > eq.csv
	check() {
		run -0 sl-sql -N -B -e "select username, address from testdb.addr order by age"
		[ "$output" = "$(printf '%s\t%s\n' 'x"y' 'a,b' '"lead' '' 'c"d' 'e""f')" ]
	}
	run -0 --separate-stderr sl-load -H "column_separator:," -H 'enclose:"' -H 'escape:"' -T eq.csv testdb.addr
	[ "$(get NumberLoadedRows <<<"$output")" = 3 ]
	check
	sl-sql -e "DROP TABLE testdb.addr"
	addr_table
	start_httpd
	T=testdb.addr run -0 put eq.csv -H "column_separator:," -H 'enclose:"' -H 'escape:"'
	[ "$(get NumberLoadedRows <<<"$output")" = 3 ]
	check
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
	"$BP" snappy_block < plain.csv > body.snappy_block
	lzop -c < plain.csv > body.lzop   # stdin: lzop refuses to run with fd 0 closed
	cp body.lzop body.lzo             # Doris reads lzo as the lzop file format
}

@test "formats-csv: every compress_type loads the same rows as the plain file; LoadBytes is the compressed size" {
	command -v gzip && command -v bzip2 && command -v lz4 && command -v lzop   # make deps installs them
	make_files
	run -0 --separate-stderr sl-load -H "column_separator:," -T plain.csv "$T"
	want=$(sl-sql -N -B -e "select count(*), sum(user_id), sum(age) from $T")
	age=0
	for ((i = 1; i <= 5000; i++)); do age=$((age + i % 90)); done
	[ "$want" = "$(printf '5000\t12502500\t%s' "$age")" ]
	for ct in gz bz2 lz4 lz4frame LZ4 deflate lz4_block lzo lzop snappy_block SNAPPY_BLOCK; do
		f=body.${ct,,}
		case $ct in lz4frame|LZ4) f=body.lz4 ;; esac
		[ -e "$f" ]
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

@test "formats-csv: an empty compressed body is an empty load" {
	: > empty
	for ct in gz snappy_block lzo; do
		run -0 --separate-stderr sl-load -H "column_separator:," -H compress_type:$ct -T empty "$T"
		[ "$(get NumberTotalRows <<<"$output")" = 0 ]
	done
}

# issue 9 item 8, through curl: lzo is the lzop file format, as Doris
# reads it (an lzop file sent as lzo failed with a block-size error), and
# snappy_block is Hadoop's snappy block framing (it was NOT_IMPLEMENTED)
@test "formats-csv: lzo (an lzop file) and snappy_block through curl load the plain file's rows" {
	make_files
	sl-load -H "column_separator:," -T plain.csv "$T" > /dev/null
	want=$(sl-sql -N -B -e "select count(*), sum(user_id), sum(age) from $T")
	start_httpd
	for ct in lzo snappy_block; do
		sl-sql -e "DROP TABLE $T" && seed_table
		run -0 put body.$ct -H "column_separator:," -H "compress_type:$ct"
		[ "$(get NumberLoadedRows <<<"$output")" = 5000 ] || { echo "$ct: $output"; false; }
		[ "$(get LoadBytes <<<"$output")" = "$(stat -c %s body.$ct)" ]
		[ "$(sl-sql -N -B -e "select count(*), sum(user_id), sum(age) from $T")" = "$want" ]
	done
	# a truncated snappy_block body fails cleanly through curl too
	head -c 30000 body.snappy_block > trunc.sb
	run -0 put trunc.sb -H "column_separator:," -H compress_type:snappy_block
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]unable to read the body: snappy_block: unexpected end of stream" ]
	[ "$(count)" = 5000 ]
}

# issue 9 item 8: truncated, garbage and absurd snappy_block bodies fail
# with a clear reason and leave nothing visible
@test "formats-csv: a truncated or corrupt snappy_block body fails cleanly, nothing visible" {
	make_files
	sb() {
		run -1 --separate-stderr sl-load -H "column_separator:," -H compress_type:snappy_block -T "$1" "$T"
		[ "$(get Status <<<"$output")" = Fail ]
		[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]unable to read the body: snappy_block: $2" ]
		[ "$(count)" = 0 ]
	}
	head -c 30000 body.snappy_block > trunc.sb      # inside a chunk
	sb trunc.sb "unexpected end of stream"
	head -c 2 body.snappy_block > trunc2.sb         # inside a block length
	sb trunc2.sb "unexpected end of stream"
	echo 'not compressed at all' > junk
	sb junk "block of 1852797984 bytes is larger than 67108864"
	printf '\x00\x00\x00\x10\x7f\xff\xff\xffjunk' > hugechunk.sb
	sb hugechunk.sb "corrupt chunk length 2147483647 for 16 bytes left in the block"
	printf '\x00\x00\x00\x10\x00\x00\x00\x00' > empty.sb
	sb empty.sb "empty chunk"
	# a chunk whose snappy preamble says more than its block holds
	printf '\x00\x00\x00\x10\x00\x00\x00\x05junkx' > over.sb
	sb over.sb "a chunk that decompresses to 106 bytes overflows its block"
	# the right lengths and garbage data: the first chunk's bytes after
	# its snappy preamble inverted
	python3 -c '
import sys
b = bytearray(open("body.snappy_block", "rb").read())
for i in range(12, 60):
	b[i] ^= 0xff
sys.stdout.buffer.write(b)' > garbage.sb
	sb garbage.sb "corrupt data (snappy_uncompress status 1)"
	# the label is free again after each failure
	run -0 --separate-stderr sl-load -H "column_separator:," -H compress_type:snappy_block -T body.snappy_block "$T"
	[ "$(count)" = 5000 ]
}
