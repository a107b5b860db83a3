#!/usr/bin/env bats
# sl-load: the launcher. The seed session's answer byte for byte, labels,
# max_filter_ratio with the error log through curl, two-phase commit, a
# stage killed, sl-commit dying before or after its commit, output errors
# and usage.
load test_helper

T=testdb.test_streamload
USAGE="sl-load: usage: sl-load [--data-dir DIR] [-u user:pass] [-H 'name:value']... [--progress|--no-progress] -T FILE|- DB.TABLE"

setup() {
	setup_data_dir
	seed_table
}

load_seed() {
	sl-load -H "column_separator:," -H "columns:user_id,name,age" "$@" \
		-T streamload_example.csv "$T"
}
count() { sl-sql -N -B -e "select count(*) from $T"; }
get() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'; }
mask() { mask_times | sed -E 's/^(    "TxnId": )[1-9][0-9]*,$/\1ID,/; s#^(    "ErrorURL": "file://)/[^"]+"#\1PATH"#'; }

# The answer of a successful seed load with label L (TxnId and timings masked).
success_json() {
	cat <<EOF
{
    "TxnId": ID,
    "Label": "$1",
    "Comment": "",
    "TwoPhaseCommit": "${2:-false}",
    "Status": "Success",
    "Message": "OK",
    "NumberTotalRows": 10,
    "NumberLoadedRows": 10,
    "NumberFilteredRows": 0,
    "NumberUnselectedRows": 0,
    "LoadBytes": 118,
    "LoadTimeMs": N,
    "BeginTxnTimeMs": N,
    "StreamLoadPutTimeMs": N,
    "ReadDataTimeMs": N,
    "WriteDataTimeMs": N,
    "ReceiveDataTimeMs": N,
    "CommitAndPublishTimeMs": N
}
EOF
}

@test "sl-load: the seed session's load answers like Doris, byte for byte" {
	run -0 --separate-stderr load_seed -H label:123
	[ "$stderr" = "" ]
	[ "$(mask <<<"$output")" = "$(success_json 123)" ]
	[ "$(count)" = 10 ]
}

@test "sl-load: without a label, a UUID label" {
	run -0 --separate-stderr load_seed
	[[ "$(get Label <<<"$output")" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
}

@test "sl-load: reusing a label -> Label Already Exists, FINISHED, TxnId -1, table unchanged" {
	run -0 --separate-stderr load_seed -H label:lbl_a
	id=$(get TxnId <<<"$output")
	run -1 --separate-stderr load_seed -H label:lbl_a
	[ "$stderr" = "" ]
	[ "$(mask_times <<<"$output")" = '{
    "TxnId": -1,
    "Label": "lbl_a",
    "Comment": "",
    "TwoPhaseCommit": "false",
    "Status": "Label Already Exists",
    "ExistingJobStatus": "FINISHED",
    "Message": "[LABEL_ALREADY_EXISTS]TStatus: errCode = 2, detailMessage = Label [lbl_a] has already been used, relate to txn ['"$id"'], status [VISIBLE].",
    "NumberTotalRows": 0,
    "NumberLoadedRows": 0,
    "NumberFilteredRows": 0,
    "NumberUnselectedRows": 0,
    "LoadBytes": 0,
    "LoadTimeMs": N,
    "BeginTxnTimeMs": N,
    "StreamLoadPutTimeMs": N,
    "ReadDataTimeMs": N,
    "WriteDataTimeMs": N,
    "ReceiveDataTimeMs": N,
    "CommitAndPublishTimeMs": N
}' ]
	[ "$(count)" = 10 ]
}

@test "sl-load: max_filter_ratio 0 vs 0.2 with one bad row of 10; the ErrorURL shows it" {
	{ head -n 9 streamload_example.csv; echo "11,Extra"; } > bad.csv
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age \
		-H label:bad1 -T bad.csv "$T"
	[ "$stderr" = "" ]
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	[ "$(get NumberTotalRows <<<"$output")" = 10 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 0 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	line='Reason: Column count mismatch: expected 3, but found 2 (sep:, delim:\n). src line [11,Extra]; '
	[ "$(get FirstErrorMsg <<<"$output")" = 'Column count mismatch: expected 3, but found 2 (sep:, delim:\\n). Src line: 11,Extra' ]
	url=$(get ErrorURL <<<"$output")
	[[ "$url" == file:///* ]]
	run -0 curl -sS "$url"
	[ "$output" = "$line" ]
	[ "$(count)" = 0 ]
	# the failed load freed its label; with ratio 0.2 the same file loads 9
	run -0 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age \
		-H label:bad1 -H max_filter_ratio:0.2 -T bad.csv "$T"
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberLoadedRows <<<"$output")" = 9 ]
	[ "$(get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(get FirstErrorMsg <<<"$output")" = "" ]
	run -0 curl -sS "$(get ErrorURL <<<"$output")"
	[ "$output" = "$line" ]
	[ "$(count)" = 9 ]
}

@test "sl-load: two_phase_commit, then sl-commit --txn-operation commit" {
	run -0 --separate-stderr load_seed -H label:tp1 -H two_phase_commit:true
	[ "$(mask <<<"$output")" = "$(success_json tp1 true)" ]
	[ "$(get CommitAndPublishTimeMs <<<"$output")" = 0 ]
	id=$(get TxnId <<<"$output")
	[ "$(count)" = 0 ]
	run -0 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" testdb
	[ "$(get msg <<<"$output")" = "transaction [$id] commit successfully." ]
	[ "$(count)" = 10 ]
}

@test "sl-load: -T - reads stdin; --data-dir goes to every stage" {
	run -0 --separate-stderr bash -c "sl-load -H column_separator:, -H columns:user_id,name,age -T - $T < streamload_example.csv"
	[ "$(count)" = 10 ]
	mkdir other
	sl-sql --data-dir other -e "CREATE DATABASE testdb"
	sl-sql --data-dir other < "$SL_ROOT/examples/create_table.sql"
	run -0 --separate-stderr sl-load --data-dir other -H column_separator:, -T streamload_example.csv "$T"
	[ "$(sl-sql --data-dir other -N -B -e "select count(*) from $T")" = 10 ]
	[ "$(count)" = 10 ]
}

@test "sl-load: unknown table -> NOT_FOUND, TxnId -1" {
	run -1 --separate-stderr sl-load -H column_separator:, -T streamload_example.csv testdb.nope
	[ "$(get TxnId <<<"$output")" = -1 ]
	[ "$(get Message <<<"$output")" = "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=nope" ]
}

@test "sl-load: a stage killed -> Fail, every stage reaped, nothing visible, label free" {
	mkfifo in
	sl-load -H column_separator:, -H label:kill1 -T in "$T" > out 2> err &
	lp=$!
	exec 7> in
	head -n 5 streamload_example.csv >&7
	sleep 0.5
	mp=$(pgrep -P "$lp" -x sl-map)
	[ -n "$mp" ]
	kill -9 "$mp"
	status=0
	wait "$lp" || status=$?
	exec 7>&-
	[ "$status" = 1 ]
	[[ "$(cat err)" == *"sl-load: warning: sl-map killed by signal 9"* ]]
	[ "$(get Status < out)" = Fail ]
	# no stage left behind
	[ -z "$(pgrep -P "$lp")" ]
	[ "$(count)" = 0 ]
	run -0 --separate-stderr load_seed -H label:kill1
	[ "$(count)" = 10 ]
}

# A stage directory where sl-commit is replaced by SCRIPT; fake_load runs
# sl-load with SL_STAGE_DIR pointing there, so its stages are exec'd from
# that directory instead of run built in.
with_fake_commit() {
	mkdir -p fake
	cp "$SL_BIN"/sl-parse "$SL_BIN"/sl-map "$SL_BIN"/sl-filter "$SL_BIN"/sl-txn fake/
	printf '#!/bin/bash\n%s\n' "$1" > fake/sl-commit
	chmod +x fake/sl-commit
}
fake_load() {
	SL_STAGE_DIR=$PWD/fake sl-load "$@"
}

@test "sl-load: sl-commit killed after committing -> Success from the commit record" {
	with_fake_commit '"$SL_BIN/sl-commit" "$@" > /dev/null; kill -9 $$'
	run -0 --separate-stderr fake_load -H column_separator:, -H label:late -T streamload_example.csv "$T"
	[ "$stderr" = "sl-load: warning: sl-commit killed by signal 9" ]
	[ "$(mask <<<"$output")" = "$(success_json late)" ]
	[ "$(count)" = 10 ]
}

@test "sl-load: sl-commit killed before committing -> Fail, aborted, label free" {
	with_fake_commit 'kill -9 $$'
	run -1 --separate-stderr fake_load -H column_separator:, -H label:early -T streamload_example.csv "$T"
	# shown if the test fails (seen once under parallel load, stderr unknown)
	echo "stderr: $stderr"
	[ "$stderr" = "sl-load: warning: sl-commit killed by signal 9" ]
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]the load pipeline failed: sl-commit killed by signal 9" ]
	[ "$(count)" = 0 ]
	run -0 --separate-stderr load_seed -H label:early
}

@test "sl-load: the stages run built in: no stage binary needed beside sl-load or in PATH" {
	mkdir -p alone
	cp "$SL_BIN/sl-load" alone/
	run -0 --separate-stderr env PATH=/usr/bin:/bin alone/sl-load -H column_separator:, -H label:alone \
		-H "where:age > 20" -T streamload_example.csv "$T"
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberLoadedRows <<<"$output")" = 9 ]
	[ "$(get NumberUnselectedRows <<<"$output")" = 1 ]
	[ "$(count)" = 9 ]
}

@test "sl-load: SL_STAGE_DIR without the stages -> exit 127 naming the program, nothing visible" {
	mkdir -p empty
	run -127 --separate-stderr env SL_STAGE_DIR="$PWD/empty" sl-load -H column_separator:, -T streamload_example.csv "$T"
	[ "$stderr" = "sl-load: fatal: unable to run $PWD/empty/sl-parse: No such file or directory" ]
	[ -z "$output" ]
	[ "$(count)" = 0 ]
	# the same directory holding the real stages: they are exec'd from there
	cp "$SL_BIN"/sl-parse "$SL_BIN"/sl-map "$SL_BIN"/sl-filter "$SL_BIN"/sl-txn "$SL_BIN"/sl-commit empty/
	run -0 --separate-stderr env SL_STAGE_DIR="$PWD/empty" sl-load -H column_separator:, -T streamload_example.csv "$T"
	[ "$(count)" = 10 ]
}

@test "sl-load: > /dev/full fails with 111 (the load itself committed)" {
	run -111 --separate-stderr bash -c "sl-load -H column_separator:, -T streamload_example.csv $T > /dev/full"
	[ "$stderr" = "sl-load: fatal: unable to write stdout: No space left on device" ]
	[ "$(count)" = 10 ]
}

@test "sl-load: usage errors" {
	run -100 --separate-stderr sl-load "$T"
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-load -T streamload_example.csv
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-load -T streamload_example.csv notable
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-load -x -T streamload_example.csv "$T"
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-load -H nocolon -T streamload_example.csv "$T"
	[ "$stderr" = "$USAGE" ]
	run -100 --separate-stderr sl-load -T nofile.csv "$T"
	[ "$stderr" = "sl-load: fatal: unable to open nofile.csv: No such file or directory" ]
	run -0 --separate-stderr sl-load --help
	[ "${lines[0]}" = "usage: ${USAGE#sl-load: usage: }" ]
	# -u is accepted
	run -0 --separate-stderr sl-load -u root: -H column_separator:, -T streamload_example.csv "$T"
}

# ---- limits: exec_mem_limit, the CPU bound, a stage's own death reported ----

MEM100="[MEM_LIMIT_EXCEEDED]memory limit exceeded: sl-parse reached the load's limit of 104857600 bytes (exec_mem_limit)"
jq_load() {
	printf '{"a":1}\n' > b.json
	sl-load -H format:json -H "jq: $1" "${@:2}" -T b.json "$T"
}

@test "sl-load: jq building a huge array stops at exec_mem_limit: MEM_LIMIT_EXCEEDED, nothing visible" {
	run -1 --separate-stderr jq_load '[range(2e7)]' -H exec_mem_limit:104857600 -H label:mem1
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "$MEM100" ]
	[[ "$stderr" == *"sl-load: warning: sl-parse "*" at its memory limit of 104857600 bytes"* ]]
	[ "$(count)" = 0 ]
	# the label is free again
	run -0 --separate-stderr load_seed -H label:mem1
	[ "$(count)" = 10 ]
}

@test "sl-load: jq recursing without end (def f: [f]; f) is MEM_LIMIT_EXCEEDED, not a downstream 'empty input'" {
	run -1 --separate-stderr jq_load 'def f: [f]; f' -H exec_mem_limit:104857600
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "$MEM100" ]
	[[ "$output" != *"empty input"* ]]
	[ "$(count)" = 0 ]
}

@test "sl-load: sl.conf exec_mem_limit_max caps the header; the default limit loads as before" {
	echo "exec_mem_limit_max = 104857600" > "$SL_DATA_DIR/sl.conf"
	run -1 --separate-stderr jq_load '[range(2e7)]' -H exec_mem_limit:1000000000000
	[ "$(get Message <<<"$output")" = "$MEM100" ]
	# an ordinary load fits under the cap, the default and a small limit alike
	run -0 --separate-stderr load_seed -H label:capped
	run -0 --separate-stderr load_seed -H label:small -H exec_mem_limit:1
	rm "$SL_DATA_DIR/sl.conf"
	run -0 --separate-stderr load_seed -H label:dflt -H exec_mem_limit:2147483648
	[ "$(count)" = 30 ]
}

@test "sl-load: exec_mem_limit and send_batch_parallelism are validated as Doris does, after begin" {
	run -1 --separate-stderr load_seed -H label:v1 -H exec_mem_limit:abc
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]Invalid mem limit format, stoll" ]
	[ "$(get TxnId <<<"$output")" -gt 0 ]
	run -1 --separate-stderr load_seed -H label:v1 -H exec_mem_limit:99999999999999999999
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]Invalid mem limit format, stoll" ]
	run -1 --separate-stderr load_seed -H label:v1 -H send_batch_parallelism:a
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]Invalid format of 'send_batch_parallelism': 'a', stoi" ]
	run -1 --separate-stderr load_seed -H label:v1 -H send_batch_parallelism:21474836471
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]'send_batch_parallelism' value out of range: '21474836471', stoi" ]
	[ "$(count)" = 0 ]
	# std::stoll/stoi read a leading number; negative parallelism is accepted
	run -0 --separate-stderr load_seed -H label:v1 -H "exec_mem_limit: 2147483648x" -H send_batch_parallelism:-3
	[ "$(count)" = 10 ]
}

# A stage directory where sl-parse is replaced by SCRIPT (the others real).
with_fake_parse() {
	mkdir -p fake
	cp "$SL_BIN"/sl-map "$SL_BIN"/sl-filter "$SL_BIN"/sl-txn "$SL_BIN"/sl-commit fake/
	printf '#!/bin/bash\n%s\n' "$1" > fake/sl-parse
	chmod +x fake/sl-parse
}

@test "sl-load: a stage killed by a signal is the load's cause, not what the next stage made of it" {
	# sl-parse closes its output (sl-map sees an empty input, sl-commit
	# answers), then dies of SIGABRT
	with_fake_parse 'exec 1>&-; sleep 0.5; kill -ABRT $$'
	run -1 --separate-stderr fake_load -H column_separator:, -H label:abrt -T streamload_example.csv "$T"
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]the load pipeline failed: sl-parse killed by signal 6" ]
	[[ "$stderr" == *"sl-load: warning: sl-parse killed by signal 6"* ]]
	[ "$(count)" = 0 ]
	run -0 --separate-stderr load_seed -H label:abrt
}

@test "sl-load: exec'd stages (SL_STAGE_DIR) run under the same memory limit" {
	mkdir -p stages
	cp "$SL_BIN"/sl-parse "$SL_BIN"/sl-map "$SL_BIN"/sl-filter "$SL_BIN"/sl-txn "$SL_BIN"/sl-commit stages/
	SL_STAGE_DIR=$PWD/stages run -1 --separate-stderr jq_load 'def f: [f]; f' -H exec_mem_limit:104857600
	[ "$(get Message <<<"$output")" = "$MEM100" ]
	[ "$(count)" = 0 ]
}

@test "sl-load: a stage spinning on the CPU stops at the load's timeout" {
	# one CPU second per core per second of timeout: no jq loop outlives it
	run -1 --separate-stderr timeout 60 bash -c "printf '{\"a\":1}\n' > b.json;
		sl-load -H format:json -H 'jq: last(repeat(1))' -H timeout:1 -T b.json $T"
	[ "$(get Status <<<"$output")" = Fail ]
	[[ "$(get Message <<<"$output")" == "[TIMEOUT]"* ]]
	[ "$(count)" = 0 ]
}

@test "sl-load: through sl-httpd the same limit holds: MEM_LIMIT_EXCEEDED in the answer" {
	printf '{"a":1}\n' > b.json
	{
		printf 'PUT /api/testdb/test_streamload/_stream_load HTTP/1.1\r\nHost: 127.0.0.1:8030\r\n'
		printf 'Authorization: Basic %s\r\n' "$(printf 'root:' | base64 -w0)"
		printf 'format: json\r\njq: def f: [f]; f\r\nexec_mem_limit: 104857600\r\nConnection: close\r\n'
		printf 'Content-Length: %d\r\n\r\n' "$(wc -c < b.json)"
		cat b.json
	} > req
	run -0 --separate-stderr sl-httpd --inetd --data-dir "$SL_DATA_DIR" < req
	[[ "$output" == *'"Status": "Fail",'* ]]
	[[ "$output" == *"\"Message\": \"$MEM100\","* ]]
	[ "$(count)" = 0 ]
}
