#!/usr/bin/env bats
# sl-commit: the answer JSON byte for byte, max_filter_ratio, two-phase
# commit, the 2PC endpoint with every wrong state, and output failures.
# Streams are built by hand and staged with sl-txn.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE d1"
	sl-sql -e "CREATE TABLE d1.s (a VARCHAR(20), b VARCHAR(20)) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1"
}

hexs() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
thdr() { frame H 0 "$(hexs SL)0001$(printf %08x 2)$(field a)$(field 'VARCHAR(20)')$(field b)$(field 'VARCHAR(20)')"; }
row() { frame R 0 "$(field "$1")$(field "$2")"; }
rej() { frame F 0 "$(field "$1")$(field "$2")00000008$(printf %016x "$3")"; }
kv() { frame C 0 "$(field "$1")$(field "$2")"; }
endf() { frame E 0 "$(printf %016x "$1")"; }

# stream N GOOD, K REJECTED, U UNSELECTED
stream() {
	local n=$1 k=${2:-0} u=${3:-0} i
	kv LoadBytes 118
	thdr
	for ((i = 1; i <= n; i++)); do row "k$i" "v$i"; done
	for ((i = 1; i <= k; i++)); do rej "bad row" "x,$i" "$i"; done
	kv NumberUnselectedRows "$u"
	endf "$n"
}
export -f frame field hexs thdr row rej kv endf stream

count() { sl-sql -N -B -e "select count(*) from d1.s"; }
get() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'; }
mask() { mask_times | sed -E 's/^(    "TxnId": )[1-9][0-9]*,$/\1ID,/; s#^(    "ErrorURL": "file://)/[^"]+"#\1PATH"#'; }
# load LABEL [sl-commit args...] < stream
load_s() { local l=$1; shift; sl-txn -H "label:$l" "$@" d1.s | sl-commit "$@"; }
export -f load_s

@test "sl-commit: the Success answer, byte for byte" {
	stream 10 > in.sl
	run -0 --separate-stderr bash -c 'load_s lbl_a -H comment:hello < in.sl'
	[ "$stderr" = "" ]
	[ "$(mask <<<"$output")" = '{
    "TxnId": ID,
    "Label": "lbl_a",
    "Comment": "hello",
    "TwoPhaseCommit": "false",
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
}' ]
	# one trailing newline after the closing brace
	bash -c 'load_s lbl_b < in.sl' > ans
	[ "$(tail -c 2 ans | od -An -c | tr -d ' ')" = '}\n' ]
	[ "$(count)" = 20 ]
}

@test "sl-commit: the Fail answer of too many filtered rows, byte for byte" {
	stream 9 1 > in.sl
	run -1 --separate-stderr bash -c 'load_s f1 < in.sl'
	[ "$stderr" = "" ]
	[ "$(mask <<<"$output")" = '{
    "TxnId": ID,
    "Label": "f1",
    "Comment": "",
    "TwoPhaseCommit": "false",
    "Status": "Fail",
    "Message": "[DATA_QUALITY_ERROR]too many filtered rows",
    "NumberTotalRows": 10,
    "NumberLoadedRows": 0,
    "NumberFilteredRows": 1,
    "NumberUnselectedRows": 0,
    "LoadBytes": 118,
    "LoadTimeMs": N,
    "BeginTxnTimeMs": N,
    "StreamLoadPutTimeMs": N,
    "ReadDataTimeMs": N,
    "WriteDataTimeMs": N,
    "ReceiveDataTimeMs": N,
    "CommitAndPublishTimeMs": N,
    "ErrorURL": "file://PATH",
    "FirstErrorMsg": "bad row. Src line: x,1"
}' ]
	[ "$(count)" = 0 ]
	# the label is free again
	run -0 --separate-stderr bash -c 'load_s f1 -H max_filter_ratio:0.1 < in.sl'
	[ "$(get NumberLoadedRows <<<"$output")" = 9 ]
}

@test "sl-commit: max_filter_ratio is strict >, over total - unselected; garbage is 0" {
	stream 7 3 > in.sl
	run -0 --separate-stderr bash -c 'load_s r1 -H max_filter_ratio:0.3 < in.sl'
	run -1 --separate-stderr bash -c 'load_s r2 -H max_filter_ratio:0.29 < in.sl'
	run -1 --separate-stderr bash -c 'load_s r3 -H max_filter_ratio:abc < in.sl'
	[ "$(get Message <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = max_filter_ratio is not a number." ]
	# unselected rows are outside the ratio: 1 filtered of (1+1) selected
	stream 1 1 8 > in2.sl
	run -1 --separate-stderr bash -c 'load_s r4 -H max_filter_ratio:0.4 < in2.sl'
	[ "$(get NumberTotalRows <<<"$output")" = 10 ]
	run -0 --separate-stderr bash -c 'load_s r5 -H max_filter_ratio:0.5 < in2.sl'
	[ "$(get NumberUnselectedRows <<<"$output")" = 8 ]
	# everything unselected, or nothing at all: Success
	stream 0 0 5 > in3.sl
	run -0 --separate-stderr bash -c 'load_s r6 < in3.sl'
	run -0 --separate-stderr bash -c 'load_s r7 < <(stream 0)'
	# a negative ratio fails any non-empty load
	run -1 --separate-stderr bash -c 'load_s r8 -H max_filter_ratio:-1 < <(stream 1)'
	[ "$(count)" = 8 ]
}

@test "sl-commit: max_filter_ratio is checked as Doris checks a load's (a number, 0.0 to 1.0) before any transaction" {
	stream 5 5 > in.sl
	for v in 0x1p0 1 ' 0.5d ' 1e0; do
		run -0 --separate-stderr bash -c "load_s m_${v//[^a-z0-9]/_} -H 'max_filter_ratio:$v' < in.sl"
		[ "$(get NumberLoadedRows <<<"$output")" = 5 ]
	done
	for v in 0.49 -0 0; do
		run -1 --separate-stderr bash -c "load_s f_${v//[^a-z0-9]/_} -H max_filter_ratio:$v < in.sl"
		[ "$(get Message <<<"$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	done
	for v in abc nan NaN inf 0.5x ''; do
		run -1 --separate-stderr bash -c "load_s n_${v//[^a-z0-9]/_} -H 'max_filter_ratio:$v' < in.sl"
		[ -z "$v" ] && { [ "$(get Message <<<"$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]; continue; }
		[ "$(get Message <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = max_filter_ratio is not a number." ]
		[ "$(get TxnId <<<"$output")" = -1 ]
	done
	for v in 2 -1 1e309 Infinity -Infinity 1.0000001; do
		run -1 --separate-stderr bash -c "load_s r_${v//[^a-z0-9]/_} -H max_filter_ratio:$v < in.sl"
		[ "$(get Message <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = max_filter_ratio must between 0.0 and 1.0." ]
		[ "$(get TxnId <<<"$output")" = -1 ]
	done
	[ "$(count)" = 20 ]
}

@test "sl-commit: the commit record's attachment is bounded whatever the counters carry" {
	# a 70000-byte comment and FirstErrorMsg: the answer keeps them, the
	# commit record (at most 64 KiB) a cut copy
	big=$(printf 'c%.0s' {1..70000})
	{ kv LoadBytes 1; thdr; row k1 v1; rej "bad" "x" 1; kv FirstErrorMsg "$big"; kv NumberUnselectedRows 0; endf 1; } > in.sl
	run -0 --separate-stderr bash -c "sl-txn -H label:att1 -H max_filter_ratio:1 d1.s < in.sl | sl-commit -H max_filter_ratio:1 -H comment:$big"
	[ "$stderr" = "" ]
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get Comment <<<"$output")" = "$big" ]
	[ "$(count)" = 1 ]
	# the same through two-phase commit: precommit, then commit by label
	run -0 --separate-stderr bash -c "sl-txn -H label:att2 -H max_filter_ratio:1 d1.s < in.sl | sl-commit -H max_filter_ratio:1 -H two_phase_commit:true -H comment:$big"
	[ "$(get Status <<<"$output")" = Success ]
	run -0 --separate-stderr sl-commit --txn-operation commit --label att2 d1
	[ "$(count)" = 2 ]
}

@test "sl-commit: two_phase_commit true precommits; TRUE does not" {
	run -0 --separate-stderr bash -c 'load_s p1 -H two_phase_commit:true < <(stream 2)'
	[ "$(get TwoPhaseCommit <<<"$output")" = true ]
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(get CommitAndPublishTimeMs <<<"$output")" = 0 ]
	[ "$(count)" = 0 ]
	run -0 --separate-stderr bash -c 'load_s p2 -H two_phase_commit:TRUE < <(stream 2)'
	[ "$(get TwoPhaseCommit <<<"$output")" = false ]
	[ "$(count)" = 2 ]
	# reusing a precommitted label
	run -1 --separate-stderr bash -c 'load_s p1 < <(stream 2)'
	[ "$(get Status <<<"$output")" = "Label Already Exists" ]
	[ "$(get ExistingJobStatus <<<"$output")" = PRECOMMITTED ]
	[[ "$(get Message <<<"$output")" == *"status [PRECOMMITTED]." ]]
}

@test "sl-commit: 2PC commit by id, then every wrong state" {
	run -0 --separate-stderr bash -c 'load_s c1 -H two_phase_commit:true < <(stream 3)'
	id=$(get TxnId <<<"$output")
	run -0 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" d1
	[ "$stderr" = "" ]
	[ "$output" = "{
    \"status\": \"Success\",
    \"msg\": \"transaction [$id] commit successfully.\"
}" ]
	[ "$(count)" = 3 ]
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" d1
	[ "$output" = "{
    \"status\": \"ANALYSIS_ERROR\",
    \"msg\": \"TStatus: errCode = 2, detailMessage = transaction [$id] is already visible, not pre-committed.\"
}" ]
	run -1 --separate-stderr sl-commit --txn-operation abort --txn-id "$id" d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = transaction [$id] is already VISIBLE, could not abort." ]
	run -1 --separate-stderr sl-commit --txn-operation commit --label c1 d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = running transaction not found, label=c1" ]
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id 987654 d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = transaction [987654] not found" ]
	run -1 --separate-stderr sl-commit --txn-operation commit --label nolabel d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = transaction not found, label=nolabel" ]
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" nodb
	[ "$(get status <<<"$output")" = ANALYSIS_ERROR ]
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = unknown database, database=nodb" ]
}

@test "sl-commit: 2PC abort by label frees the label; aborted states" {
	run -0 --separate-stderr bash -c 'load_s a1 -H two_phase_commit:true < <(stream 3)'
	id=$(get TxnId <<<"$output")
	run -0 --separate-stderr sl-commit --txn-operation abort --label a1 d1
	[ "$output" = '{
    "status": "Success",
    "msg": "label [a1] abort successfully."
}' ]
	[ "$(count)" = 0 ]
	run -1 --separate-stderr sl-commit --txn-operation abort --txn-id "$id" d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = transaction [$id] is already aborted, abort reason: User Abort" ]
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = transaction [$id] is already aborted. abort reason: User Abort" ]
	run -1 --separate-stderr sl-commit --txn-operation abort --label a1 d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = running transaction not found, label=a1" ]
	# label and id together: the id wins, both are echoed
	run -0 --separate-stderr bash -c 'load_s a1 -H two_phase_commit:true < <(stream 1)'
	id2=$(get TxnId <<<"$output")
	run -0 --separate-stderr sl-commit --txn-operation commit --txn-id "$id2" --label a1 d1
	[ "$(get msg <<<"$output")" = "label [a1] transaction [$id2] commit successfully." ]
	[ "$(count)" = 1 ]
}

@test "sl-commit: 2PC commit of a PREPARE transaction, and its abort" {
	mkfifo f hold
	{ kv LoadBytes 1; thdr; row k v; timeout 60 cat hold; } > f &
	sl-txn -H label:open1 d1.s < f > first.out &
	wait_txn_open first.out
	id=$(LC_ALL=C tr -c '0-9A-Za-z' ' ' < first.out | grep -oE 'TxnId +[0-9]+' | awk '{print $2}')
	[ -n "$id" ]
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = transaction [$id] is prepare, not pre-committed." ]
	run -1 --separate-stderr sl-commit --txn-operation commit --label open1 d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = running transaction not found, label=open1" ]
	run -0 --separate-stderr sl-commit --txn-operation abort --txn-id "$id" d1
	[ "$(get msg <<<"$output")" = "transaction [$id] abort successfully." ]
	: > hold
	wait || true
	[ "$(count)" = 0 ]
}

@test "sl-commit: 2PC request errors" {
	run -1 --separate-stderr sl-commit --txn-operation Commit --txn-id 1 d1
	[ "$output" = '{
    "status": "INTERNAL_ERROR",
    "msg": "transaction operation should be '"'commit' or 'abort'"'"
}' ]
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id x1 d1
	[ "$(get msg <<<"$output")" = "convert txn_id [x1] failed, reason=stoull" ]
	run -1 --separate-stderr sl-commit --txn-operation commit d1
	[ "$(get status <<<"$output")" = FAILED ]
	[ "$(get msg <<<"$output")" = "No transaction id or label selected." ]
	run -1 --separate-stderr sl-commit --txn-id 1 d1
	[ "$(get msg <<<"$output")" = "No transaction operation('commit' or 'abort') selected." ]
	# the Doris headers work as well as the options
	run -1 --separate-stderr sl-commit -H txn_operation:commit -H txn_id:424242 d1
	[ "$(get msg <<<"$output")" = "TStatus: errCode = 2, detailMessage = transaction [424242] not found" ]
}

@test "sl-commit: an upstream abort is answered Fail and the transaction aborted" {
	{ kv LoadBytes 1; thdr; row k v; frame X 0 "$(field '[INTERNAL_ERROR]boom')"; } > in.sl
	run -1 --separate-stderr bash -c 'sl-txn -H label:u1 d1.s < in.sl | sl-commit'
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]boom" ]
	[ "$(get NumberLoadedRows <<<"$output")" = 0 ]
}

@test "sl-commit: truncated input aborts the transaction, exit 111" {
	# sl-txn killed after its begin counters: sl-commit sees no E
	stream 3 > in.sl
	sl-txn -H label:tr1 d1.s < in.sl > full.sl || true
	head -c 120 full.sl > cut.sl
	run -111 --separate-stderr sl-commit < cut.sl
	[ "$stderr" = "sl-commit: fatal: truncated stream at byte 120 (no end frame)" ]
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]upstream failed: truncated stream at byte 120 (no end frame)" ]
	run -100 --separate-stderr bash -c 'echo this is not a row stream | sl-commit'
	[ "$stderr" = "sl-commit: fatal: stdin is not an sl stream" ]
	[ "$output" = "" ]
	# nothing at all: the upstream died first; still an answer
	run -111 --separate-stderr sl-commit < /dev/null
	[ "$stderr" = "sl-commit: fatal: empty input: stdin is not an sl stream" ]
	[ "$(get TxnId <<<"$output")" = -1 ]
	[ "$(get Status <<<"$output")" = Fail ]
}

@test "sl-commit: > /dev/full fails with 111" {
	stream 1 > in.sl
	run -111 --separate-stderr bash -c 'sl-txn -H label:full d1.s < in.sl | sl-commit > /dev/full'
	[ "$stderr" = "sl-commit: fatal: unable to write stdout: No space left on device" ]
	run -111 --separate-stderr bash -c 'sl-commit --txn-operation commit --txn-id 1 d1 > /dev/full'
	[ "$stderr" = "sl-commit: fatal: unable to write stdout: No space left on device" ]
}

@test "sl-commit: usage errors" {
	u="sl-commit: usage: sl-commit [--data-dir DIR] [-H 'name:value']... [--txn-operation commit|abort (--txn-id N | --label L) DB]"
	run -100 --separate-stderr sl-commit --txn-operation commit
	[ "$stderr" = "$u" ]
	run -100 --separate-stderr sl-commit d1 d2
	[ "$stderr" = "$u" ]
	run -100 --separate-stderr sl-commit --bogus
	[ "$stderr" = "$u" ]
	run -100 --separate-stderr sl-commit --txn-id
	[ "$stderr" = "$u" ]
	run -0 --separate-stderr sl-commit -h
	[ "${lines[0]}" = "usage: ${u#sl-commit: usage: }" ]
}
