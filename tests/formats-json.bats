#!/usr/bin/env bats
# format: json through sl-load: the seed's JSON examples (simple mode,
# matching mode with jsonpaths, json_root), the jq header, document shape
# errors, invalid jsonpaths, and an absent key taking the column's DEFAULT.
load test_helper

T=testdb.test_streamload

setup() {
	setup_data_dir
	seed_table
}


get() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'; }
rows() { sl-sql -N -B -e "select * from $1 order by 1"; }
errlog() { sed -n -E 's#^ *"ErrorURL": "file://(.*)",?$#\1#p' | xargs cat; }

seed_simple() {
	cat > simple.json <<'EOF'
[
{"user_id":1,"name":"Emily","age":25},
{"user_id":2,"name":"Benjamin","age":35},
{"user_id":3,"name":"Olivia","age":28},
{"user_id":4,"name":"Alexander","age":60},
{"user_id":5,"name":"Ava","age":17},
{"user_id":6,"name":"William","age":69},
{"user_id":7,"name":"Sophia","age":32},
{"user_id":8,"name":"James","age":64},
{"user_id":9,"name":"Emma","age":37},
{"user_id":10,"name":"Liam","age":64}
]
EOF
}

expected_rows() {
	printf '%s\n' "1	Emily	25" "2	Benjamin	35" "3	Olivia	28" "4	Alexander	60" "5	Ava	17" \
		"6	William	69" "7	Sophia	32" "8	James	64" "9	Emma	37" "10	Liam	64"
}

@test "json: the seed's first JSON example (jsonpaths, columns) loads 10 rows, LoadBytes 471" {
	cat > streamload_example.json <<'EOF'
[
{"userid":1,"username":"Emily","userage":25},
{"userid":2,"username":"Benjamin","userage":35},
{"userid":3,"username":"Olivia","userage":28},
{"userid":4,"username":"Alexander","userage":60},
{"userid":5,"username":"Ava","userage":17},
{"userid":6,"username":"William","userage":69},
{"userid":7,"username":"Sophia","userage":32},
{"userid":8,"username":"James","userage":64},
{"userid":9,"username":"Emma","userage":37},
{"userid":10,"username":"Liam","userage":64}
]
EOF
	run -0 --separate-stderr sl-load -H "label:124" -H "format:json" -H "strip_outer_array:true" \
		-H 'jsonpaths:["$.userid", "$.username", "$.userage"]' -H "columns:user_id,name,age" \
		-T streamload_example.json "$T"
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberTotalRows <<<"$output")" = 10 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 10 ]
	[ "$(get LoadBytes <<<"$output")" = 471 ]
	[ "$(rows $T)" = "$(expected_rows)" ]
}

@test "json: simple mode (keys -> columns) with strip_outer_array" {
	seed_simple
	run -0 --separate-stderr sl-load -H "format:json" -H "strip_outer_array:true" -T simple.json "$T"
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberLoadedRows <<<"$output")" = 10 ]
	[ "$(rows $T)" = "$(expected_rows)" ]
}

@test "json: matching mode ignores extra keys" {
	cat > m.json <<'EOF'
[
{"userid":1,"hudi":"lala","username":"Emily","userage":25,"userhp":101},
{"userid":2,"hudi":"kpkp","username":"Benjamin","userage":35,"userhp":102}
]
EOF
	run -0 --separate-stderr sl-load -H "format:json" -H "strip_outer_array:true" \
		-H 'jsonpaths:["$.userid", "$.username", "$.userage"]' -H "columns:user_id,name,age" -T m.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(rows $T)" = "$(printf '1\tEmily\t25\n2\tBenjamin\t35')" ]
}

@test "json: json_root with jsonpaths" {
	cat > r.json <<'EOF'
[
{"user":1,"comment":{"userid":101,"username":"Emily","userage":25}},
{"user":2,"comment":{"userid":102,"username":"Benjamin","userage":35}},
{"user":3,"comment":{"userid":103,"username":"Olivia","userage":28}}
]
EOF
	run -0 --separate-stderr sl-load -H "format:json" -H "strip_outer_array:true" -H 'json_root: $.comment' \
		-H 'jsonpaths:["$.userid", "$.username", "$.userage"]' -H "columns:user_id,name,age" -T r.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 3 ]
	[ "$(rows $T)" = "$(printf '101\tEmily\t25\n102\tBenjamin\t35\n103\tOlivia\t28')" ]
}

@test "json: one document per line is read by line by default; values: escapes, booleans, numbers, null" {
	sl-sql -e "CREATE TABLE testdb.v (k INT NOT NULL, s VARCHAR(20), b INT, d DECIMAL(20,3), j STRING) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '%s\n' '{"k":1,"s":"a\"b\u00e9","b":true,"d":12345678901234567.125,"j":{"x":[1,2]}}' \
		'' '{"k":2,"s":null,"b":false,"d":1.5,"j":[1,"2"]}' > v.json
	run -0 --separate-stderr sl-load -H "format:json" -T v.json testdb.v
	[ "$(get NumberTotalRows <<<"$output")" = 2 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(rows testdb.v)" = "$(printf '1\ta"bé\t1\t12345678901234567.125\t{"x":[1,2]}\n2\tNULL\t0\t1.500\t[1,"2"]')" ]
}

# Issue 9.6: without read_json_by_line or strip_outer_array, a body that is
# one JSON document over several lines loads as that document (the seed's
# default, false); one document per line loads by line (Doris 4.0's).
pretty_doc() {
	printf '{\n  "user_id": 1,\n  "name": "Emily",\n  "age": 25\n}\n'
}

@test "json: the default reads one multi-line document as a document, several one per line by line" {
	pretty_doc > doc.json
	run -0 --separate-stderr sl-load -H format:json -T doc.json "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 1 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	[ "$(rows $T)" = "$(printf '1\tEmily\t25')" ]
	# a document that starts on a later line, with a BOM-less string value
	# holding brackets, quotes and newlines as escapes, no newline at the end
	printf '\n\n  {"user_id": 2,\n "name": "a]}\\"\\n{", "age":\n 3}' > doc2.json
	run -0 --separate-stderr sl-load -H format:json -T doc2.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	[ "$(sl-sql -N -B -e "select age from $T where user_id = 2")" = 3 ]
	# several documents, one per line (and blank lines): by line
	printf '%s\n' '{"user_id":3,"name":"a","age":1}' '' '{"user_id":4,"name":"b","age":2}' '{"user_id":5,"name":"c","age":3}' > lines.json
	run -0 --separate-stderr sl-load -H format:json -T lines.json "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 3 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 3 ]
	[ "$(sl-sql -N -B -e "select count(*) from $T")" = 5 ]
	# a multi-line top-level array without strip_outer_array is one
	# document: one filtered row, as read_json_by_line false gives
	seed_simple
	run -1 --separate-stderr sl-load -H format:json -T simple.json "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 1 ]
	[[ "$(errlog <<<"$output")" == 'Reason: JSON data is array-object, `strip_outer_array` must be TRUE.'* ]]
	# the headers still decide when sent: the pretty document by line fails
	# line by line, the NDJSON body as one document is one parse error
	run -1 --separate-stderr sl-load -H format:json -H read_json_by_line:true -T doc.json "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 5 ]
	run -1 --separate-stderr sl-load -H format:json -H read_json_by_line:false -T lines.json "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 1 ]
	[[ "$(errlog <<<"$output")" == *"Unexpected extra JSON values"* ]]
	[ "$(sl-sql -N -B -e "select count(*) from $T")" = 5 ]
}

@test "json: the default streams: a long NDJSON body under a small record cap, a document over the cap" {
	# 20000 lines (about 0.8 MB), record cap 200 bytes: every line loads,
	# nothing is held past the first line
	awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "{\"user_id\":%d,\"name\":\"n%d\",\"age\":%d}\n", i, i, i % 90 }' > big.json
	run -0 --separate-stderr sl-load -H format:json -H json_record_max_bytes:200 -T big.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 20000 ]
	# a first line over the cap, more lines after: that line is too large,
	# the others load
	{ printf '{"user_id":0,"name":"%s","age":1}\n' "$(head -c 500 /dev/zero | tr '\0' x)"; head -3 big.json; } > first.json
	run -0 --separate-stderr sl-load -H format:json -H json_record_max_bytes:200 -H max_filter_ratio:0.5 -T first.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 3 ]
	[[ "$(errlog <<<"$output")" == "Reason: The json record is too large: 531 bytes, more than the limit of 200 bytes"* ]]
	[[ "$(errlog <<<"$output")" == *'src line [{"user_id":0,"name":"xxxxx'* ]]      # its head, as by line
	# one multi-line document over the cap: one record too large
	{ printf '{\n"user_id": 1,\n"name": "%s",\n"age": 1}\n' "$(head -c 500 /dev/zero | tr '\0' x)"; } > bigdoc.json
	run -1 --separate-stderr sl-load -H format:json -H json_record_max_bytes:200 -T bigdoc.json "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 1 ]
	[[ "$(errlog <<<"$output")" == "Reason: The json record is too large: 538 bytes, more than the limit of 200 bytes"* ]]
	# the same answers with the parse threads and one-byte reads of a pipe
	pretty_doc > doc.json
	for f in first.json doc.json bigdoc.json; do
		SL_JSON_THREADS=1 sl-parse -H format:json -H columns:user_id,name,age -H json_record_max_bytes:200 < $f \
			| sl-dump 2>&1 | grep -v '^# counters' > serial.txt
		# one byte a write, a pause after each: the reads see them one by one
		perl -e '$| = 1; while (read(STDIN, $c, 1)) { print $c; select(undef, undef, undef, 0.0002) }' < $f | SL_JSON_THREADS=2 SL_JSON_BATCH=1 \
			sl-parse -H format:json -H columns:user_id,name,age -H json_record_max_bytes:200 | sl-dump 2>&1 | grep -v '^# counters' > threads.txt
		diff serial.txt threads.txt
	done
}

@test "json: the default through curl and sl-httpd: one multi-line document, then one document per line" {
	local port pid i out
	sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 -v 0 > port 2> httpd.err 3>&- &
	pid=$!
	for ((i = 0; i < 200; i++)); do [ -s port ] && break; sleep 0.05; done
	port=$(sed 's/.*://' port)
	pretty_doc > doc.json
	printf '%s\n' '{"user_id":3,"name":"a","age":1}' '{"user_id":4,"name":"b","age":2}' > lines.json
	out=$(curl -sS -u root: -H format:json -T doc.json -XPUT "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load")
	[ "$(get Status <<<"$out")" = Success ]
	[ "$(get NumberLoadedRows <<<"$out")" = 1 ]
	# chunked, so the body arrives in pieces of unknown size
	out=$(curl -sS -u root: -H format:json -H 'Transfer-Encoding: chunked' -T lines.json \
		-XPUT "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load")
	[ "$(get Status <<<"$out")" = Success ]
	[ "$(get NumberLoadedRows <<<"$out")" = 2 ]
	kill "$pid"
	wait "$pid" || true
	[ "$(rows $T)" = "$(printf '1\tEmily\t25\n3\ta\t1\n4\tb\t2')" ]
}

@test "json: an absent key takes the column's DEFAULT, an explicit null does not" {
	sl-sql -e "CREATE TABLE testdb.d (k INT NOT NULL, s VARCHAR(10) DEFAULT 'dflt', n INT, ts DATETIME DEFAULT CURRENT_TIMESTAMP) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '%s\n' '{"k":1}' '{"k":2,"s":null,"n":7}' '{"s":"x"}' > d.json
	run -0 --separate-stderr sl-load -H "format:json" -H "max_filter_ratio:0.5" -T d.json testdb.d
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[[ "$(errlog <<<"$output")" == *"Reason: column(k) values is null while columns is not nullable. src line [NULL x NULL NULL]; "* ]]
	run -0 sl-sql -N -B -e "select k, s, n, ts is not null from testdb.d order by k"
	[ "$output" = "$(printf '1\tdflt\tNULL\t1\n2\tNULL\t7\t1')" ]
}

@test "json: jq selects and reshapes records" {
	printf '%s\n' '{"id":1,"name":"Emily","age":25}' '{"id":2,"name":"Benjamin","age":35}' \
		'{"id":3,"name":"Olivia","age":61}' > q.json
	run -0 --separate-stderr sl-load -H "format:json" -H 'jq: select(.age > 30) | {user_id: .id, name, age}' \
		-T q.json "$T"
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(rows $T)" = "$(printf '2\tBenjamin\t35\n3\tOlivia\t61')" ]
}

@test "json: jq over the elements of a stripped array" {
	seed_simple
	run -0 --separate-stderr sl-load -H "format:json" -H "strip_outer_array:true" \
		-H 'jq: select(.age > 60)' -T simple.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 3 ]
	[ "$(sl-sql -N -B -e "select user_id from $T order by 1" | tr '\n' ' ')" = "6 8 10 " ]
}

@test "json: a jq compile error fails the load with jq's message" {
	seed_simple
	run -1 --separate-stderr sl-load -H "format:json" -H 'jq: select(.age >' -T simple.json "$T"
	[ "$(get Status <<<"$output")" = Fail ]
	[[ "$(get Message <<<"$output")" == "[INVALID_ARGUMENT]jq compile error: jq: error: syntax error"* ]]
	[ "$(sl-sql -N -B -e "select count(*) from $T")" = 0 ]
}

# Issue 8.2: a jq program gets the record and nothing else. A secret sits
# in the environment, in a readable .json file and module, and in ~/.jq;
# no vector may put any of them in a row, an answer, the error log or the
# stage's stderr (the server's log).
jq_secrets() {
	export SL_JQ_SECRET=env-secret-4711
	mkdir -p mods home
	echo '{"s":"file-secret-4712"}' > mods/secret.json
	echo 'def leak: "module-secret-4713";' > mods/m.jq
	echo 'def homeleak: "home-secret-4714";' > home/.jq
	export HOME=$PWD/home
	echo '{"user_id":7,"name":"rec","age":3}' > one.json
}

# No secret anywhere: $1 the answer; the stderr, rows and error log too.
no_secret() {
	local all
	all="$1 $stderr $(rows $T) $(errlog <<<"$1" 2>/dev/null || true)"
	[[ "$all" != *secret-471* ]] || { echo "a secret leaked: $all" >&2; false; }
}

@test "json: jq sandbox: \$ENV and env see no environment, in a row or a rejected row's error log" {
	jq_secrets
	# the issue's program: the environment as user_id is a rejected row
	run -1 --separate-stderr sl-load -H format:json -H 'jq: {user_id: ($ENV|tostring), name: "x", age: 1}' -T one.json "$T"
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[[ "$(errlog <<<"$output")" == *'src line [{} x 1]'* ]]
	no_secret "$output"
	run -1 --separate-stderr sl-load -H format:json -H 'jq: {user_id: (env|tostring), name: "x", age: 1}' -T one.json "$T"
	[[ "$(errlog <<<"$output")" == *'src line [{} x 1]'* ]]
	no_secret "$output"
	# loaded rows: $ENV and env are {} (a lookup is null), a function or a
	# binding of the program's own still works
	run -0 --separate-stderr sl-load -H format:json \
		-H 'jq: def f: $ENV; {user_id: .user_id, name: ([$ENV, env, f] | tostring), age: ($ENV.SL_JQ_SECRET // 5)}' -T one.json "$T"
	[ "$(rows $T)" = "$(printf '7\t[{},{},{}]\t5')" ]
	no_secret "$output"
	run -0 --separate-stderr sl-load -H format:json -H 'jq: def env: {a: 8}; {"a": 9} as $ENV | {user_id: env.a, name: "own", age: $ENV.a}' -T one.json "$T"
	[ "$(sl-sql -N -B -e "select * from $T where user_id = 8")" = "$(printf '8\town\t9')" ]
}

@test "json: jq sandbox: import, include, modulemeta and module fail the load; no file is read" {
	jq_secrets
	local prog
	for prog in "import \"secret\" as \$s {search: \"$PWD/mods\"}; {user_id: 1, name: (\$s|tostring), age: 1}" \
		"import \"m\" as m {search: \"$PWD/mods\"}; {user_id: 1, name: m::leak, age: 1}" \
		"include \"m\" {search: \"$PWD/mods\"}; {user_id: 1, name: leak, age: 1}" \
		"include \"m\"; {user_id: 1, name: leak, age: 1}" \
		'module {a: 1}; .' \
		'{user_id: 1, name: ("m" | modulemeta | tostring), age: 1}' \
		'{user_id: 1, name: "\("m" | modulemeta)", age: 1}' \
		'1.import' ; do
		run -1 --separate-stderr sl-load -H format:json -H "jq: $prog" -T one.json "$T"
		[ "$(get Status <<<"$output")" = Fail ]
		[[ "$(get Message <<<"$output")" == "[INVALID_ARGUMENT]jq: "@(import|include|module|modulemeta)" is not available in a load: a jq program gets the record and nothing else"* ]] ||
			{ echo "$prog: $output" >&2; false; }
		no_secret "$output"
	done
	[ "$(rows $T)" = "" ]
	# ~/.jq is not read either
	run -1 --separate-stderr sl-load -H format:json -H 'jq: {user_id: 1, name: homeleak, age: 1}' -T one.json "$T"
	[[ "$(get Message <<<"$output")" == "[INVALID_ARGUMENT]jq compile error: jq: error: homeleak/0 is not defined"* ]]
	no_secret "$output"
	# the words as data, fields, keys, comments and strings are fine
	run -0 --separate-stderr sl-load -H format:json \
		-H 'jq: # import "secret" include
{user_id: .user_id, name: "import \("include")", age: ({import: 4, include: 1}.import + .module // 0)}' -T one.json "$T"
	[ "$(rows $T)" = "$(printf '7\timport include\t4')" ]
}

@test "json: jq sandbox: input, inputs, input_filename, debug, stderr, halt_error and search paths reach nothing" {
	jq_secrets
	printf '%s\n' '{"user_id":1,"name":"a","age":1}' '{"user_id":2,"name":"stderr-marker-4715","age":2}' > two.json
	run -0 --separate-stderr sl-load -H format:json -H max_filter_ratio:0.9 -H \
		'jq: debug | stderr | {user_id, name: ([input_filename, input_line_number, get_search_list, get_jq_origin, get_prog_origin, [inputs]] | map(tojson) | join("")), age}' \
		-T two.json "$T"
	[ "$(rows $T)" = "$(printf '1\tnullnull[]nullnull[]\t1\n2\tnullnull[]nullnull[]\t2')" ]
	[[ "$stderr" != *marker-4715* ]]
	no_secret "$output"
	# input reads no second record: an error for that record alone
	run -1 --separate-stderr sl-load -H format:json -H 'jq: {user_id, name: (input | .name), age}' -T two.json "$T"
	[ "$(get NumberFilteredRows <<<"$output")" = 2 ]
	[[ "$(errlog <<<"$output")" == *"Reason: jq: error: input is not available in a load"* ]]
	[[ "$(errlog <<<"$output")" != *marker-4715* ]]
	# halt_error's text goes nowhere; halt is an error, not a silent stop
	run -1 --separate-stderr sl-load -H format:json -H 'jq: "halt-secret-4716" | halt_error' -T two.json "$T"
	[[ "$(errlog <<<"$output")" == *"Reason: jq: error: halt_error is not available in a load"* ]]
	[[ "$output $stderr $(errlog <<<"$output")" != *halt-secret-4716* ]]
	run -1 --separate-stderr sl-load -H format:json -H 'jq: "halt-secret-4716" | halt_error(1)' -T two.json "$T"
	[[ "$output $stderr $(errlog <<<"$output")" != *halt-secret-4716* ]]
	run -1 --separate-stderr sl-load -H format:json -H 'jq: halt' -T two.json "$T"
	[[ "$(errlog <<<"$output")" == *"Reason: jq: error: halt is not available in a load"* ]]
}

# The same through curl, as a user with LOAD_PRIV only: the server's own
# environment and files stay out of the answer, the rows, the error log
# and the server's log.
@test "json: jq sandbox through curl and sl-httpd: \$ENV, import and stderr reach nothing" {
	jq_secrets
	local port pid i out
	sl-sql -e "CREATE USER loader IDENTIFIED BY 'lp'; GRANT LOAD_PRIV ON testdb.test_streamload TO loader"
	sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 -v 0 > port 2> httpd.err 3>&- &
	pid=$!
	for ((i = 0; i < 200; i++)); do [ -s port ] && break; sleep 0.05; done
	port=$(sed 's/.*://' port)
	put() { curl -sS -u loader:lp -H format:json "$@" -T one.json -XPUT "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load"; }
	out=$(put -H 'jq: {user_id: ($ENV|tostring), name: "x", age: 1}')
	[ "$(get NumberFilteredRows <<<"$out")" = 1 ]
	run -0 curl -sS "$(get ErrorURL <<<"$out")"
	[[ "$output" == *'src line [{} x 1]'* && "$output" != *secret-471* ]]
	no_secret "$out"
	out=$(put -H 'jq: {user_id: 7, name: (env|tostring), age: 1}')
	[ "$(get Status <<<"$out")" = Success ]
	[ "$(rows $T)" = "$(printf '7\t{}\t1')" ]
	out=$(put -H "jq: import \"secret\" as \$s {search: \"$PWD/mods\"}; {user_id: 1, name: (\$s|tostring), age: 1}")
	[ "$(get Status <<<"$out")" = Fail ]
	[[ "$(get Message <<<"$out")" == "[INVALID_ARGUMENT]jq: import is not available in a load"* ]]
	no_secret "$out"
	out=$(put -H 'jq: stderr | debug | {user_id: 9, name: ("stderr-marker-" + "4715"), age: 1}')
	[ "$(get Status <<<"$out")" = Success ]
	kill "$pid"
	wait "$pid" || true
	[ "$(rows $T)" = "$(printf '7\t{}\t1\n9\tstderr-marker-4715\t1')" ]
	run cat httpd.err
	[[ "$output" != *secret-471* && "$output" != *'"user_id":7'* ]]
}

@test "json: invalid jsonpaths fail the load with INVALID_JSON_PATH" {
	seed_simple
	run -1 --separate-stderr sl-load -H "format:json" -H "strip_outer_array:true" -H 'jsonpaths:["$.a", "b"]' -T simple.json "$T"
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = '[INVALID_JSON_PATH]Invalid json path: [\"$.a\", \"b\"]' ]
	run -1 --separate-stderr sl-load -H "format:json" -H 'jsonpaths:not json' -T simple.json "$T"
	[ "$(get Message <<<"$output")" = '[INVALID_JSON_PATH]Invalid json path: not json' ]
}

@test "json: document shape errors are filtered rows with Doris's reasons" {
	seed_simple
	# an array without strip_outer_array (whole body, read_json_by_line false)
	run -1 --separate-stderr sl-load -H "format:json" -H "read_json_by_line:false" -T simple.json "$T"
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[[ "$(errlog <<<"$output")" == 'Reason: JSON data is array-object, `strip_outer_array` must be TRUE.'* ]]
	# an object with strip_outer_array
	echo '{"user_id":1}' > o.json
	run -1 --separate-stderr sl-load -H "format:json" -H "strip_outer_array:true" -T o.json "$T"
	[[ "$(errlog <<<"$output")" == 'Reason: JSON data is not an array-object, `strip_outer_array` must be FALSE.. src line [{"user_id":1}]; ' ]]
	# scalars, parse errors, objects matching no column: one filtered row each
	printf '%s\n' '{"user_id":1,"name":"a","age":2}' '42' '{"user_id":' '{"other":1}' > bad.json
	run -0 --separate-stderr sl-load -H "format:json" -H "max_filter_ratio:0.9" -T bad.json "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 4 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 3 ]
	log=$(errlog <<<"$output")
	[[ "$log" == *"Reason: Not an json object or json array. src line [42]; "* ]]
	[[ "$log" == *"Reason: Parse json data failed. code: "*"src line [{\"user_id\":]; "* ]]
	[[ "$log" == *"Reason: There is no column matching jsonpaths in the json file, columns:[user_id, name, age, ], please check columns and jsonpaths:. src line [{\"other\":1}]; "* ]]
}

@test "json: [] with strip_outer_array is 'Empty json line'; an empty body is 0 rows" {
	printf '[]' > e.json
	run -1 --separate-stderr sl-load -H "format:json" -H "strip_outer_array:true" -T e.json "$T"
	[[ "$(errlog <<<"$output")" == "Reason: Empty json line. src line [[]]; "* ]]
	: > empty.json
	run -0 --separate-stderr sl-load -H "format:json" -T empty.json "$T"
	[ "$(get NumberTotalRows <<<"$output")" = 0 ]
}

@test "json: a record over json_record_max_bytes is a filtered row, the others load" {
	printf '[{"user_id":1,"name":"a","age":1},{"user_id":2,"name":"%s","age":2},{"user_id":3,"name":"c","age":3}]' \
		"$(head -c 5000 /dev/zero | tr '\0' x)" > big.json
	run -0 --separate-stderr sl-load -H "format:json" -H "strip_outer_array:true" -H "json_record_max_bytes:1000" \
		-H "max_filter_ratio:0.5" -T big.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[[ "$(errlog <<<"$output")" == "Reason: The json record is too large: "* ]]
}

@test "json: line_delimiter splits by-line documents" {
	printf '{"user_id":1,"name":"a","age":1}||{"user_id":2,"name":"b","age":2}||' > l.json
	run -0 --separate-stderr sl-load -H "format:json" -H "line_delimiter:||" -T l.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
}

@test "sl-map: source rows with a STRING header; absent -> DEFAULT, NULL stays NULL" {
	sl-sql -e "CREATE TABLE testdb.d (k INT NOT NULL, s VARCHAR(10) DEFAULT 'dflt', n INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	{
		frame H 0 "534c0001$(printf %08x 3)$(field k)$(field STRING)$(field s)$(field STRING)$(field n)$(field STRING)"
		frame R 0 "$(field 1)fffffffe$(field 5)"
		frame R 0 "$(field 2)$(null_field)fffffffe"
		frame R 0 "fffffffe$(field x)$(field 3)"
		frame E 0 "0000000000000003"
	} > src.sl
	run -0 --separate-stderr bash -c 'sl-map testdb.d < src.sl | sl-dump'
	[ "${lines[0]}" = "k	s	n" ]
	[ "${lines[1]}" = "1	dflt	5" ]
	[ "${lines[2]}" = '2	\N	\N' ]
	[[ "$stderr" == *"column(k) values is null while columns is not nullable"* ]]
}

@test "sl-map: a non-variadic header of other types is still refused" {
	{
		frame H 0 "534c0001$(printf %08x 1)$(field user_id)$(field BIGINT)"
		frame E 0 "0000000000000000"
	} > typed.sl
	run -100 --separate-stderr bash -c 'sl-map testdb.test_streamload < typed.sl > /dev/null'
	[ "$stderr" = "sl-map: fatal: [INTERNAL_ERROR]sl-map: the input rows are already typed (expected source rows from sl-parse)" ]
}

# A by-line body with every kind of record: the ones the worker threads'
# parser takes, and the ones jv_parse_sized decides (scalars, extra values,
# a BOM, parse errors), blank lines, CRLF, a line over the record cap.
mixed_ndjson() {
	local i
	for i in $(seq 1 60); do
		printf '{"a":%d,"b":"r%d"}\n' "$i" "$i"
		printf '{"b":"k\\"%d\\\\","a":-%d.50e1}\r\n' "$i" "$i"
		printf '  {"a":{"n":[%d,{"x":"]}"}]},"b":true,"a":2}  \n' "$i"
	done
	printf '%s\n' '{"\u0061":7,"b":"\u00e9\n"}' '42' '"str"' 'true' 'null' '[1,2]' '{bad' '{"a":}' \
		'{"a":1} x' '{"a":1} {"a":2}' '' '   ' '{"a":1,"b":null}' '{"c":3}'
	printf '\xef\xbb\xbf{"a":8}\n'
	printf '{"a":"%s"}\n' "$(head -c 3000 /dev/zero | tr '\0' y)"
	printf '{"a":"tab\there"}\n'
	printf '{"a":9}\n'
	printf '{"a":10,"b":"no newline at the end"}'
}

# sl-parse | sl-dump without the timing counters
parse_dump() {
	sl-parse -H format:json -H columns:a,b -H json_record_max_bytes:2000 "$@" < mixed.json | sl-dump 2>&1 | grep -v '^# counters'
}

@test "json: by line, the parse on worker threads gives what the serial parse gives, in order" {
	mixed_ndjson > mixed.json
	SL_JSON_THREADS=1 parse_dump > serial.txt
	[ "$(grep -c '^# filtered' serial.txt)" = 13 ]
	[ "$(grep -vc '^# filtered' serial.txt)" = 185 ]     # the header line and 184 rows
	grep -q '^# filtered: line 190: Parse json data failed. code: 3, error info: Unexpected extra JSON values' serial.txt
	grep -q '^# filtered: line 194: The json record is too large: 3008 bytes' serial.txt
	grep -qFx '{"n":[60,{"x":"]}"}]}	1' serial.txt          # the first of a duplicate key wins
	grep -qFx -- '-60.50e1	k"60\\' serial.txt             # sl-dump shows one backslash as two
	grep -qFx '7	é\n' serial.txt
	grep -qFx '10	no newline at the end' serial.txt
	# batches of one record, of a few records, the default; records over the batch size in between
	for b in 1 100 1000 ''; do
		SL_JSON_THREADS=3 SL_JSON_BATCH=$b parse_dump > threads.txt
		diff serial.txt threads.txt
	done
	SL_JSON_THREADS=2 parse_dump -H line_delimiter:'\r\n' > threads.txt
	SL_JSON_THREADS=1 parse_dump -H line_delimiter:'\r\n' > serial.txt
	diff serial.txt threads.txt
}

# Issue 8.11: a number or literal ends at the byte after it, which jv's
# incremental parser consumes: a NUL (the number 0 to it) cut by a quote
# left the threads with a number where jv_parse_sized finds an unfinished
# string. The fuzz target's input 02 00 00 fe 09 00 22 is the first line.
@test "json: a NUL inside a line, and literals cut by a quote or bracket: threads answer as the serial parse" {
	printf '\t\0"\n1"x"\ntrue"a"\n0[1]\nnull{}\n\0"\n{"a":1}\n-2"\n' > nul.json
	SL_JSON_THREADS=1 sl-parse -H format:json -H read_json_by_line:true -H columns:id,name,age < nul.json \
		| sl-dump 2>&1 | grep -av '^# counters' > serial.txt
	[ "$(grep -ac '^# filtered' serial.txt)" = 8 ]
	grep -aqF "# filtered: line 1: Parse json data failed. code: 3, error info: Unfinished string at EOF at line 1, column 3" serial.txt
	for b in 1 961 ''; do
		SL_JSON_THREADS=2 SL_JSON_BATCH=$b sl-parse -H format:json -H read_json_by_line:true -H columns:id,name,age < nul.json \
			| sl-dump 2>&1 | grep -av '^# counters' > threads.txt
		cmp serial.txt threads.txt
	done
	# the fuzz target's input, as it is: 4 option bytes, then the body
	[ "$(od -An -tx1 "$BATS_TEST_DIRNAME/fuzz/corpus-json/nul-in-line-threads" | tr -d ' \n')" = 020000fe090022 ]
}

# A hostile top-level array for strip_outer_array: white space and newlines
# between elements, escapes, brackets in strings, nested arrays and objects,
# scalars and arrays as elements, bad elements, an empty element, one over
# a record cap of 2000 bytes.
mixed_array() {
	local i
	printf '[\n'
	for i in $(seq 1 60); do
		printf '{"a":%d,"b":"r%d"} ,\n' "$i" "$i"
		printf '\t{"b":"k\\"%d\\\\","a":-%d.50e1}\r\n,' "$i" "$i"
		printf '  {"a":{"n":[%d,{"x":"]}"}]},"b":true,"a":2}  \n ,' "$i"
	done
	printf '%s,\n' '{"\u0061":7,"b":"\u00e9\n"}' '42' '"str,]"' 'true' 'null' '[1,2]' '[[1],{"a":3}]' \
		'{bad}' '{"a":}' '{"a":1} x' 'tru  ' '{"a":1,"b":null}' '{"c":3}' '' '{"a":[{"n":5}],"b":"[,]"}'
	printf '{"a":"%s"},\n' "$(head -c 3000 /dev/zero | tr '\0' y)"
	printf '{"a":"tab\there"},{"a":9}, \n'
	printf '{"a":10,"b":"end"}\n]\n'
}

@test "json: a stripped array, the parse on worker threads gives what the serial parse gives, in order" {
	mixed_array > mixed.json
	export SL_JSON_RECORD_MAX=2000
	SL_JSON_THREADS=1 parse_dump -H strip_outer_array:true > serial.txt
	[ "$(grep -c '^# filtered' serial.txt)" = 14 ]
	[ "$(grep -vc '^# filtered' serial.txt)" = 186 ]     # the header line and 185 rows
	grep -qF "# filtered: line 190: Parse json data failed. code: 3, error info: Invalid numeric literal at EOF at line 1, column 9 (while parsing '{\"a\":1} x')" serial.txt
	grep -qF "# filtered: line 191: Parse json data failed. code: 3, error info: Invalid literal at EOF at line 1, column 3 (while parsing 'tru')" serial.txt
	grep -q '^# filtered: line 194: Parse json data failed. code: 3, error info: empty array element' serial.txt
	grep -q '^# filtered: line 196: The json record is too large: 3009 bytes' serial.txt
	grep -qFx '{"n":[60,{"x":"]}"}]}	1' serial.txt
	grep -qFx -- '-60.50e1	k"60\\' serial.txt
	grep -qFx '7	é\n' serial.txt
	grep -qFx '10	end' serial.txt
	# batches of one element, of a few, the default; elements over the batch size in between
	for b in 1 100 1000 ''; do
		SL_JSON_THREADS=3 SL_JSON_BATCH=$b parse_dump -H strip_outer_array:true > threads.txt
		diff serial.txt threads.txt
	done
	# json_root with jsonpaths (matching mode: scalars and arrays are rows too)
	SL_JSON_THREADS=1 parse_dump -H strip_outer_array:true -H json_root:'$.a' -H jsonpaths:'["$.n[0]","$.n[1].x"]' > serial.txt
	grep -qFx '60	]}' serial.txt
	for b in 1 500 ''; do
		SL_JSON_THREADS=2 SL_JSON_BATCH=$b parse_dump -H strip_outer_array:true -H json_root:'$.a' \
			-H jsonpaths:'["$.n[0]","$.n[1].x"]' > threads.txt
		diff serial.txt threads.txt
	done
	SL_JSON_THREADS=1 parse_dump -H strip_outer_array:true -H jsonpaths:'["$.a","$.b"]' > serial.txt
	SL_JSON_THREADS=2 SL_JSON_BATCH=200 parse_dump -H strip_outer_array:true -H jsonpaths:'["$.a","$.b"]' > threads.txt
	diff serial.txt threads.txt
	# the whole array on one line, read in pieces: the same rows
	tr -d '\n' < mixed.json > one.json
	mv one.json mixed.json
	SL_JSON_THREADS=1 parse_dump -H strip_outer_array:true > serial.txt
	SL_JSON_THREADS=2 SL_JSON_BATCH=64 parse_dump -H strip_outer_array:true > threads.txt
	diff serial.txt threads.txt
	# empty arrays, trailing content, an unterminated array, no array, nothing
	for body in '[]' ' [ ]  ' $'[\n\n]\n' '[{"a":1},{"a":2}] x' '[{"a":1},{"a":2}' '[{"a":1},,{"a":2},]' \
		'[{"a":1}, {"b":"]"} ] ]' '{"a":1}' $'\xef\xbb\xbf[{"a":3}]' '' '[[],[[]],{}]'; do
		printf '%s' "$body" > mixed.json
		SL_JSON_THREADS=1 parse_dump -H strip_outer_array:true > serial.txt
		for b in 1 ''; do
			SL_JSON_THREADS=2 SL_JSON_BATCH=$b parse_dump -H strip_outer_array:true > threads.txt
			diff serial.txt threads.txt
		done
	done
	printf '[]' > mixed.json
	SL_JSON_THREADS=2 parse_dump -H strip_outer_array:true > threads.txt
	grep -qFx '# filtered: line 1: Empty json line: src [[]]' threads.txt
}

@test "json: by line with worker threads, a load keeps every row and filtered row" {
	mixed_ndjson > mixed.json
	sl-sql -e "CREATE TABLE testdb.ab (a VARCHAR(100), b STRING) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1"
	run -0 --separate-stderr env SL_JSON_THREADS=2 SL_JSON_BATCH=500 sl-load -H format:json -H json_record_max_bytes:2000 \
		-H max_filter_ratio:0.5 -T mixed.json testdb.ab
	[ "$(get NumberTotalRows <<<"$output")" = 197 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 184 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 13 ]
	[ "$(sl-sql -N -B -e 'select count(*) from testdb.ab')" = 184 ]
}

# A stripped JSON array of exactly $1 bytes: one row, its name padded.
sized_array() {
	local frame='[{"user_id":1,"name":"","age":2}]'
	printf '[{"user_id":1,"name":"%s","age":2}]' "$(head -c $(($1 - ${#frame})) /dev/zero | tr '\0' n)"
}

@test "json: a body over streaming_load_json_max_mb, not read by line, fails before a transaction (E-217)" {
	echo 'streaming_load_json_max_mb = 1' > "$SL_DATA_DIR/sl.conf"
	sized_array 1048577 > over.json
	[ "$(wc -c < over.json)" = 1048577 ]
	run -1 --separate-stderr sl-load -H format:json -H strip_outer_array:true -T over.json "$T"
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get TxnId <<<"$output")" = -1 ]
	[ "$(get Message <<<"$output")" = '[E-217]json body size 1048577 exceed BE'"'"'s conf `streaming_load_json_max_mb` 1048576. increase it if you are sure this load is reasonable' ]
	[ "$(sl-sql -N -B -e "select count(*) from $T")" = 0 ]
	# read_json_by_line false is the same; the whole body as one document too
	run -1 --separate-stderr sl-load -H format:json -H read_json_by_line:false -T over.json "$T"
	[[ "$(get Message <<<"$output")" == '[E-217]json body size 1048577 exceed'* ]]
	# at the limit: loads
	sized_array 1048576 > at.json
	run -0 --separate-stderr sl-load -H format:json -H strip_outer_array:true -T at.json "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	# read by line: no limit (a by-line body is not held whole)
	{ tr -d '[]' < over.json; echo; echo '{"user_id":2,"name":"b","age":3}'; } > over.ndjson
	[ "$(wc -c < over.ndjson)" -gt 1048576 ]
	run -0 --separate-stderr sl-load -H format:json -T over.ndjson "$T"
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	# CSV is not concerned
	head -c 1100000 /dev/zero | tr '\0' '\n' > blank.csv
	run -0 --separate-stderr sl-load -H column_separator:, -T blank.csv "$T"
}

@test "json: streaming_load_json_max_mb defaults to 100 MB; a body of unknown size is not checked" {
	truncate -s 104857601 sparse.json
	run -1 --separate-stderr sl-load -H format:json -H read_json_by_line:false -T sparse.json "$T"
	[ "$(get Message <<<"$output")" = '[E-217]json body size 104857601 exceed BE'"'"'s conf `streaming_load_json_max_mb` 104857600. increase it if you are sure this load is reasonable' ]
	[ "$(get TxnId <<<"$output")" = -1 ]
	# a pipe: the size is not known before reading (as a chunked body in Doris)
	echo 'streaming_load_json_max_mb = 0' > "$SL_DATA_DIR/sl.conf"
	seed_simple
	run -0 --separate-stderr sh -c "cat simple.json | sl-load -H format:json -H strip_outer_array:true -T - $T"
	[ "$(get NumberLoadedRows <<<"$output")" = 10 ]
	# a front end that knows the size passes it as x_sl_body_bytes
	run -1 --separate-stderr sh -c "sl-parse -H format:json -H strip_outer_array:true -H x_sl_body_bytes:1 $T < /dev/null | sl-dump"
	[[ "$stderr" == *'[E-217]json body size 1 exceed BE'"'"'s conf `streaming_load_json_max_mb` 0.'* ]]
}

# The seed's JSON curl commands, verbatim but for host, port and password
# (its <doris_user>:<doris_password> is root with the empty password here),
# through sl-httpd: each answers what sl-load answers for the same headers
# and leaves the same rows. The data files are the seed's.
@test "json: the seed's JSON examples through curl and sl-httpd equal sl-load's, row for row" {
	local port pid i out ref
	sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 -v 0 > port 2> httpd.err 3>&- &
	pid=$!
	for ((i = 0; i < 200; i++)); do [ -s port ] && break; sleep 0.05; done
	port=$(sed 's/.*://' port)
	# labels stay taken in the database: the reference loads use LABEL-ref
	mask() { sed -E 's/("[A-Za-z]*TimeMs": )[0-9]+/\1N/; s/("TxnId": )[0-9]+/\1N/; s/("Label": "[^"]*)-ref"/\1"/'; }
	fresh() { sl-sql -e "DROP TABLE $T" && seed_table; }
	# 1. the quick start's JSON load (label 124; jsonpaths, columns)
	awk 'BEGIN { print "["; n = split("Emily Benjamin Olivia Alexander Ava William Sophia James Emma Liam", a, " ");
		split("25 35 28 60 17 69 32 64 37 64", g, " ");
		for (i = 1; i <= n; i++) printf "{\"userid\":%d,\"username\":\"%s\",\"userage\":%d}%s\n", i, a[i], g[i], i < n ? "," : "";
		print "]" }' > streamload_example.json
	out=$(curl -sS --location-trusted -u root: \
		-H "label:124" \
		-H "Expect:100-continue" \
		-H "format:json" -H "strip_outer_array:true" \
		-H "jsonpaths:[\"$.userid\", \"$.username\", \"$.userage\"]" \
		-H "columns:user_id,name,age" \
		-T streamload_example.json \
		-XPUT "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load")
	[ "$(get Status <<<"$out")" = Success ]
	[ "$(rows $T)" = "$(expected_rows)" ]
	fresh
	ref=$(sl-load -H "label:124-ref" -H "format:json" -H "strip_outer_array:true" \
		-H "jsonpaths:[\"$.userid\", \"$.username\", \"$.userage\"]" -H "columns:user_id,name,age" \
		-T streamload_example.json "$T")
	[ "$(mask <<<"$out")" = "$(mask <<<"$ref")" ]
	# 2. simple mode; 3. matching mode; 4. json_root (each file named as the seed names it)
	for ex in simple matching root; do
		fresh
		case $ex in
		simple)
			seed_simple
			cp simple.json ex.json
			set -- -H "format:json" -H "strip_outer_array:true"
			want=$(expected_rows) ;;
		matching)
			awk 'BEGIN { print "["; n = split("Emily Benjamin Olivia Alexander Ava William Sophia James Emma Liam", a, " ");
				split("25 35 28 60 17 69 32 64 37 64", g, " ");
				for (i = 1; i <= n; i++) printf "{\"userid\":%d,\"hudi\":\"x\",\"username\":\"%s\",\"userage\":%d,\"userhp\":%d}%s\n", i, a[i], g[i], 100 + i, i < n ? "," : "";
				print "]" }' > ex.json
			set -- -H "format:json" -H "strip_outer_array:true" \
				-H "jsonpaths:[\"$.userid\", \"$.username\", \"$.userage\"]" -H "columns:user_id,name,age"
			want=$(expected_rows) ;;
		root)
			awk 'BEGIN { print "["; n = split("Emily Benjamin Olivia Alexander Ava William Sophia James Emma Liam", a, " ");
				split("25 35 28 60 17 69 32 64 37 64", g, " ");
				for (i = 1; i <= n; i++) printf "{\"user\":%d,\"comment\":{\"userid\":%d,\"username\":\"%s\",\"userage\":%d}}%s\n", i, 100 + i, a[i], g[i], i < n ? "," : "";
				print "]" }' > ex.json
			set -- -H "format:json" -H "strip_outer_array:true" -H "json_root: $.comment" \
				-H "jsonpaths:[\"$.userid\", \"$.username\", \"$.userage\"]" -H "columns:user_id,name,age"
			want=$(expected_rows | awk -F'\t' -v OFS='\t' '{ $1 += 100; print }') ;;
		esac
		# (seed_table, in fresh, rewrites streamload_example.csv: copy again)
		cp ex.json streamload_example.csv
		out=$(curl -sS --location-trusted -u root: -H "Expect:100-continue" -H "label:$ex" "$@" \
			-T streamload_example.csv \
			-XPUT "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load")
		[ "$(get Status <<<"$out")" = Success ] || { echo "$ex: $out" >&2; false; }
		[ "$(get NumberLoadedRows <<<"$out")" = 10 ]
		[ "$(rows $T)" = "$want" ]
		fresh
		cp ex.json streamload_example.csv
		ref=$(sl-load -H "label:$ex-ref" "$@" -T streamload_example.csv "$T") || { echo "$ex ref: $ref" >&2; false; }
		[ "$(mask <<<"$out")" = "$(mask <<<"$ref")" ] || { diff <(mask <<<"$out") <(mask <<<"$ref") >&2; false; }
		[ "$(rows $T)" = "$want" ]
	done
	kill "$pid"
	wait "$pid" || true
}
