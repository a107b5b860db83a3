#!/usr/bin/env bats
# sl-txn: label/timeout checks, transaction begin, staging, the error log,
# the early stop, the deadline, and the lock handoff to sl-commit. Streams
# are built by hand (typed rows of a VARCHAR table), so these tests need
# only sl-sql, sl-txn and sl-commit.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE d1"
	sl-sql -e "CREATE TABLE d1.s (a VARCHAR(20), b VARCHAR(20)) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1"
}

hexs() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
# The typed header of d1.s, a row, an error record, counters, the end.
thdr() { frame H 0 "$(hexs SL)0001$(printf %08x 2)$(field a)$(field 'VARCHAR(20)')$(field b)$(field 'VARCHAR(20)')"; }
row() { frame R 0 "$(field "$1")$(field "$2")"; }
rej() { frame F 0 "$(field "$1")$(field "$2")00000008$(printf %016x "$3")"; }
kv() { frame C 0 "$(field "$1")$(field "$2")"; }
endf() { frame E 0 "$(printf %016x "$1")"; }
xpre() { frame X 1 "$(field "$1")"; }

# A stream of N good rows and K rejected ones.
stream() {
	local n=$1 k=${2:-0} i
	kv LoadBytes 100
	thdr
	for ((i = 1; i <= n; i++)); do row "k$i" "v$i"; done
	for ((i = 1; i <= k; i++)); do rej "bad row" "x,$i" "$i"; done
	kv NumberUnselectedRows 0
	endf "$n"
}

export -f frame field hexs thdr row rej kv endf xpre stream

count() { sl-sql -N -B -e "select count(*) from d1.s"; }
get() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'; }

@test "sl-txn: stages rows and sl-commit makes them visible" {
	stream 3 > in.sl
	run -0 --separate-stderr bash -c 'sl-txn -H label:a1 d1.s < in.sl | sl-commit'
	[ "$stderr" = "" ]
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get NumberTotalRows <<<"$output")" = 3 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 3 ]
	[ "$(get LoadBytes <<<"$output")" = 100 ]
	[ "$(count)" = 3 ]
}

@test "sl-txn: a generated label is a UUID v4" {
	stream 1 > in.sl
	run -0 --separate-stderr bash -c 'sl-txn d1.s < in.sl | sl-commit'
	[[ "$(get Label <<<"$output")" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
}

@test "sl-txn: a bad label is Doris's label format error, TxnId -1, nothing begun" {
	stream 1 > in.sl
	run -1 --separate-stderr bash -c 'sl-txn -H "label:a b" d1.s < in.sl | sl-commit'
	[ "$stderr" = "" ]
	[ "$(get TxnId <<<"$output")" = -1 ]
	[ "$(get Message <<<"$output")" = '[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Label format error. regex: ^[\\-_A-Za-z0-9:]{1,128}$, label: a b' ]
	l=$(printf 'x%.0s' $(seq 129))
	run -1 --separate-stderr bash -c "sl-txn -H label:$l d1.s < in.sl | sl-commit"
	[[ "$(get Message <<<"$output")" == *"label: $l" ]]
	[ "$(count)" = 0 ]
}

@test "sl-txn: timeout values get Doris's messages" {
	stream 1 > in.sl
	run -1 --separate-stderr bash -c 'sl-txn -H timeout:abc d1.s < in.sl | sl-commit'
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]Invalid format of 'timeout': 'abc', stoi" ]
	run -1 --separate-stderr bash -c 'sl-txn -H timeout:99999999999 d1.s < in.sl | sl-commit'
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]'timeout' value out of range: '99999999999', stoi" ]
	run -1 --separate-stderr bash -c 'sl-txn -H timeout:0 d1.s < in.sl | sl-commit'
	[ "$(get Message <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Invalid timeout: 0. Timeout should be higher than Config.min_load_timeout_second: 1" ]
	run -1 --separate-stderr bash -c 'sl-txn -H timeout:259201 d1.s < in.sl | sl-commit'
	[ "$(get Message <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Invalid timeout: 259201. Timeout should be lower than Config.max_stream_load_timeout_second: 259200" ]
	[ "$(get TxnId <<<"$output")" = -1 ]
	run -0 --separate-stderr bash -c 'sl-txn -H timeout:12abc d1.s < in.sl | sl-commit'
	[ "$(count)" = 1 ]
}

@test "sl-txn: an upstream pre-transaction abort is passed on; it beats the label check" {
	{ kv StartTimeMs 1; xpre "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=zz"; } > in.sl
	run -1 --separate-stderr bash -c 'sl-txn -H "label:bad label" d1.s < in.sl | sl-commit'
	[ "$stderr" = "" ]
	[ "$(get TxnId <<<"$output")" = -1 ]
	[ "$(get Label <<<"$output")" = "bad label" ]
	[ "$(get Message <<<"$output")" = "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=zz" ]
	# a timeout that is no number comes before the table check
	run -1 --separate-stderr bash -c 'sl-txn -H timeout:x d1.s < in.sl | sl-commit'
	[ "$(get Message <<<"$output")" = "[INVALID_ARGUMENT]Invalid format of 'timeout': 'x', stoi" ]
}

@test "sl-txn: unknown database or table without sl-map" {
	stream 1 > in.sl
	run -1 --separate-stderr bash -c 'sl-txn nodb.s < in.sl | sl-commit'
	[ "$(get Message <<<"$output")" = "[NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=nodb" ]
	run -1 --separate-stderr bash -c 'sl-txn d1.nope < in.sl | sl-commit'
	[ "$(get Message <<<"$output")" = "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=nope" ]
}

@test "sl-txn: label in use -> Label Already Exists (RUNNING while the first load is open)" {
	stream 1 > in.sl
	# a first load that stays open: its input never ends while we look
	mkfifo f hold
	{ kv LoadBytes 1; thdr; row k v; timeout 60 cat hold; } > f &
	sl-txn -H label:busy d1.s < f > first.out &
	wait_txn_open first.out
	run -1 --separate-stderr bash -c 'sl-txn -H label:busy d1.s < in.sl | sl-commit'
	[ "$(get Status <<<"$output")" = "Label Already Exists" ]
	[ "$(get ExistingJobStatus <<<"$output")" = RUNNING ]
	[[ "$(get Message <<<"$output")" =~ ^\[LABEL_ALREADY_EXISTS\]TStatus:\ errCode\ =\ 2,\ detailMessage\ =\ Label\ \[busy\]\ has\ already\ been\ used,\ relate\ to\ txn\ \[[0-9]+\],\ status\ \[PREPARE\]\.$ ]]
	: > hold
	wait
	# the first load's input ended without E: aborted, label free again
	run -0 --separate-stderr bash -c 'sl-txn -H label:busy d1.s < in.sl | sl-commit'
	[ "$(count)" = 1 ]
}

@test "sl-txn: error log lines in Doris's format, FirstErrorMsg, ErrorURL" {
	stream 2 2 > in.sl
	run -0 --separate-stderr bash -c 'sl-txn -H label:e1 -H max_filter_ratio:0.5 d1.s < in.sl | sl-commit -H max_filter_ratio:0.5'
	url=$(get ErrorURL <<<"$output")
	[[ "$url" == file:///* ]]
	[ "$(cat "${url#file://}")" = "$(printf 'Reason: bad row. src line [x,1]; \nReason: bad row. src line [x,2]; ')" ]
	[ "$(get FirstErrorMsg <<<"$output")" = "" ]   # only in failed answers
	run -1 --separate-stderr bash -c 'sl-txn -H label:e2 d1.s < in.sl | sl-commit'
	[ "$(get FirstErrorMsg <<<"$output")" = "bad row. Src line: x,1" ]
	[ "$(get Message <<<"$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
}

@test "sl-txn: a log line longer than load_error_log_limit_bytes is cut and says so" {
	echo "load_error_log_limit_bytes = 40" > "$SL_DATA_DIR/sl.conf"
	{ kv LoadBytes 1; thdr; row k v; rej "bad row" "x,1" 1; rej "a reason" "$(printf '%050d' 7)" 2; endf 1; } > in.sl
	run -0 --separate-stderr bash -c 'sl-txn -H max_filter_ratio:1 d1.s < in.sl | sl-commit -H max_filter_ratio:1'
	log=$(get ErrorURL <<<"$output")
	log=${log#file://}
	[ "$(wc -l < "$log")" = 2 ]
	[ "$(sed -n 1p "$log")" = "Reason: bad row. src line [x,1]; " ]
	# Doris: the first 40 bytes of the line, then "error log is too long"
	[ "$(sed -n 2p "$log")" = "Reason: a reason. src line [000000000000error log is too long" ]
	[ "$(get NumberFilteredRows <<<"$output")" = 2 ]
}

@test "sl-txn: at most 51 Reason lines in the error log, however many rows are rejected" {
	# 1024 rejects: one error record, doubled ten times
	rej "bad row" "x,1" 1 > r.sl
	for ((i = 0; i < 10; i++)); do cat r.sl r.sl > r2.sl && mv r2.sl r.sl; done
	{ kv LoadBytes 1; thdr; row k v; cat r.sl; endf 1; } > in.sl
	run -0 --separate-stderr bash -c 'sl-txn -H max_filter_ratio:1 d1.s < in.sl | sl-commit -H max_filter_ratio:1'
	[ "$(get NumberFilteredRows <<<"$output")" = 1024 ]
	[ "$(get NumberLoadedRows <<<"$output")" = 1 ]
	log=$(get ErrorURL <<<"$output")
	log=${log#file://}
	[ "$(grep -c '^Reason: ' "$log")" = 51 ]
	[ "$(wc -l < "$log")" = 51 ]
	[ "$(sort -u "$log")" = "Reason: bad row. src line [x,1]; " ]
}

@test "sl-txn: FirstErrorMsg keeps 500 bytes of the reason and of the source line" {
	src="$(printf 'y%.0s' {1..2000})"
	why="$(printf 'r%.0s' {1..600})"
	{ kv LoadBytes 1; thdr; row k v; rej "$why" "$src" 1; rej "short" "z" 2; endf 1; } > in.sl
	run -1 --separate-stderr bash -c 'sl-txn d1.s < in.sl | sl-commit'
	[ "$(get Message <<<"$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	[ "$(get FirstErrorMsg <<<"$output")" = "${why:0:500}.... Src line: ${src:0:500}..." ]
	# the error log keeps the whole line
	log=$(get ErrorURL <<<"$output")
	[ "$(sed -n 1p "${log#file://}")" = "Reason: $why. src line [$src]; " ]
	# short ones are not cut; a cut never splits a UTF-8 character
	export LC_ALL=C         # field counts bytes
	src="$(printf 'a'; printf '\xc3\xa9%.0s' {1..300})"
	{ kv LoadBytes 1; thdr; rej "short" "$src" 1; endf 0; } > in.sl
	run -1 --separate-stderr bash -c 'sl-txn d1.s < in.sl | sl-commit'
	# 500 bytes end inside the 250th character: 499 are kept
	[ "$(get FirstErrorMsg <<<"$output")" = "short. Src line: a$(printf '\xc3\xa9%.0s' {1..249})..." ]
}

@test "sl-txn: more than 51 rejects with max_filter_ratio 0 stop the load" {
	stream 5 60 > in.sl
	run -1 --separate-stderr bash -c 'sl-txn d1.s < in.sl | sl-commit'
	[ "$stderr" = "" ]
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "[DATA_QUALITY_ERROR]Encountered unqualified data, stop processing. Please check if the source data matches the schema, and consider disabling strict mode or increasing max_filter_ratio." ]
	[ "$(count)" = 0 ]
	# a ratio above 0 turns the early stop off
	run -0 --separate-stderr bash -c 'sl-txn -H max_filter_ratio:1 d1.s < in.sl | sl-commit -H max_filter_ratio:1'
	[ "$(get NumberFilteredRows <<<"$output")" = 60 ]
	[ "$(count)" = 5 ]
}

@test "sl-txn: the timeout is a deadline on the input" {
	start=$SECONDS
	run -1 --separate-stderr bash -c '{ kv LoadBytes 1; thdr; row k v; sleep 2; } | sl-txn -H timeout:1 -H label:t1 d1.s | sl-commit'
	[[ "$(get Message <<<"$output")" == "[TIMEOUT]"* ]]
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(count)" = 0 ]
	run -0 --separate-stderr bash -c 'sl-txn -H label:t1 d1.s < <(stream 1) | sl-commit'
}

@test "sl-txn: a reader that does not commit -> the transaction is aborted" {
	stream 2 > in.sl
	# the reader takes the whole stream (it fits in the pipe) and goes away
	run -1 --separate-stderr bash -c 'sl-txn -H label:h1 d1.s < in.sl | sleep 0.5; exit ${PIPESTATUS[0]}'
	[ "$stderr" = "" ]
	[ "$(count)" = 0 ]
	# stdout not a pipe: aborted at once
	run -1 --separate-stderr bash -c 'sl-txn -H label:h1 d1.s < in.sl > out.sl'
	[ "$stderr" = "" ]
	run -1 --separate-stderr sl-commit < out.sl
	[[ "$(get Message <<<"$output")" == *"is already aborted. abort reason: "* ]]
	[ "$(count)" = 0 ]
	# the label is free
	run -0 --separate-stderr bash -c 'sl-txn -H label:h1 d1.s < in.sl | sl-commit'
	[ "$(count)" = 2 ]
}

@test "sl-txn: truncated input -> X downstream, exit 111, nothing visible" {
	stream 3 > in.sl
	head -c 150 in.sl > cut.sl
	run -111 --separate-stderr bash -c 'sl-txn -H label:tr d1.s < cut.sl | sl-commit; exit ${PIPESTATUS[0]}'
	[ "$stderr" = "sl-txn: fatal: truncated stream at byte 150 (no end frame)" ]
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]upstream failed: truncated stream at byte 150 (no end frame)" ]
	[ "$(count)" = 0 ]
}

@test "sl-txn: an upstream abort after rows aborts the transaction" {
	{ kv LoadBytes 1; thdr; row k v; frame X 0 "$(field '[INTERNAL_ERROR]boom')"; } > in.sl
	run -1 --separate-stderr bash -c 'sl-txn -H label:x1 d1.s < in.sl | sl-commit'
	[ "$stderr" = "" ]
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]boom" ]
	[[ "$(get TxnId <<<"$output")" =~ ^[0-9]+$ ]]
	[ "$(count)" = 0 ]
	run -0 --separate-stderr bash -c 'sl-txn -H label:x1 d1.s < <(stream 1) | sl-commit'
}

@test "sl-txn: not an sl stream, rows not typed" {
	run -100 --separate-stderr bash -c 'echo hello, this is not a row stream | sl-txn d1.s > /dev/null'
	[ "$stderr" = "sl-txn: fatal: stdin is not an sl stream" ]
	{ frame H 1 "$(hexs SL)0001$(printf %08x 0)"; frame R 0 "$(field x)"; endf 1; } > raw.sl
	run -100 --separate-stderr bash -c 'sl-txn d1.s < raw.sl | sl-commit; exit ${PIPESTATUS[0]}'
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]sl-txn needs typed rows: run sl-map before sl-txn" ]
	# a columnar file's source rows (SL_H_TYPED) are sl-map's to convert too
	{ frame H 4 "$(hexs SL)0001$(printf %08x 0)"; frame R 0 "$(field x)"; endf 1; } > typed.sl
	run -100 --separate-stderr bash -c 'sl-txn d1.s < typed.sl | sl-commit; exit ${PIPESTATUS[0]}'
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]sl-txn needs typed rows: run sl-map before sl-txn" ]
}

@test "sl-txn: usage errors" {
	run -100 --separate-stderr sl-txn
	[ "$stderr" = "sl-txn: usage: sl-txn [--data-dir DIR] [-H 'name:value']... DB.TABLE" ]
	run -100 --separate-stderr sl-txn notable
	[ "$stderr" = "sl-txn: usage: sl-txn [--data-dir DIR] [-H 'name:value']... DB.TABLE" ]
	run -100 --separate-stderr sl-txn -x d1.s
	run -100 --separate-stderr sl-txn -H nocolon d1.s
	run -0 --separate-stderr sl-txn --help
	[ "${lines[0]}" = "usage: sl-txn [--data-dir DIR] [-H 'name:value']... DB.TABLE" ]
}
