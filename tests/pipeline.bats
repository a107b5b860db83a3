#!/usr/bin/env bats
# Acceptance of issue 2, end to end: the README session through sl-load and
# through the explicit five-stage pipeline, labels, max_filter_ratio, where,
# two-phase commit, concurrent loads and bad input. Every answer is checked
# against Doris's JSON (timings masked).
load test_helper

T=testdb.test_streamload

setup() {
	setup_data_dir
	seed_table
}

# The seed session's load, plus any extra -H options.
load_seed() {
	sl-load -H "column_separator:," -H "columns:user_id,name,age" "$@" \
		-T streamload_example.csv "$T"
}

# The explicit pipeline: every stage gets every header (as the protocol
# says); stdin is the CSV. Exit status: the first failing stage's.
pipeline() {
	(
		set -o pipefail
		sl-parse "$@" | sl-map "$@" "$T" | sl-filter "$@" | sl-txn "$@" "$T" | sl-commit "$@"
	)
}

count() { sl-sql -N -B -e "select count(*) from $T"; }

# piped 'A | B | C': run a pipeline in bash, write every stage's exit status
# to ./rc, exit with the last one's.
piped() {
	bash -c "$1"'
ps=("${PIPESTATUS[@]}"); echo "${ps[*]}" > rc; exit "${ps[-1]}"'
}

# Mask what varies between runs: timings, a positive TxnId, a generated
# UUID label, the error log path.
mask() {
	mask_times | sed -E \
		-e 's/^(    "TxnId": )[1-9][0-9]*,$/\1ID,/' \
		-e 's/^(    "Label": ")[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",$/\1UUID",/' \
		-e 's#^(    "ErrorURL": "file://)/[^"]+"#\1PATH"#'
}

# json_get KEY: the value of KEY in a pretty-printed answer on stdin
# (strings without their quotes).
json_get() {
	sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'
}

# same EXPECTED ACTUAL: compare two texts, show a diff on mismatch.
same() {
	if [ "$1" != "$2" ]; then
		diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") || true
		return 1
	fi
}

# A 10-row file whose last row has 2 fields instead of 3.
bad_row_file() {
	head -n 9 streamload_example.csv > bad10.csv
	echo '11,Zed' >> bad10.csv
}

# ---- acceptance 2: the session --------------------------------------------

@test "session: sl-load of the seed file answers Success 10/10/0/0, count is 10" {
	run -0 --separate-stderr load_seed
	same "$(answer Success OK 10 10 0 0 118; echo '}')" "$(mask <<<"$output")"
	[ "$stderr" = "" ]
	run -0 --separate-stderr count
	[ "$output" = 10 ]
	[ "$stderr" = "" ]
	run -0 --separate-stderr sl-sql -N -B -e "select user_id, name, age from $T order by user_id"
	same "$(tr , '\t' < streamload_example.csv)" "$output"
}

@test "session: sl-sql prints count(*) with a header line, as mysql -B does" {
	load_seed > /dev/null
	run -0 --separate-stderr sl-sql -e "select count(*) from $T"
	same "$(printf 'count(*)\n10')" "$output"
	[ "$stderr" = "" ]
}

@test "session: the explicit five-stage pipeline gives the same answer and table" {
	run -0 --separate-stderr pipeline -H column_separator:, -H columns:user_id,name,age < streamload_example.csv
	same "$(answer Success OK 10 10 0 0 118; echo '}')" "$(mask <<<"$output")"
	[ "$stderr" = "" ]
	run -0 count
	[ "$output" = 10 ]
	run -0 --separate-stderr sl-sql -N -B -e "select user_id, name, age from $T order by user_id"
	same "$(tr , '\t' < streamload_example.csv)" "$output"
}

@test "session: the pipeline exactly as the issue writes it (headers only where they belong)" {
	run -0 --separate-stderr bash -c "set -o pipefail; sl-parse -H column_separator:, < streamload_example.csv \
		| sl-map -H columns:user_id,name,age $T | sl-filter | sl-txn $T | sl-commit"
	same "$(answer Success OK 10 10 0 0 118; echo '}')" "$(mask <<<"$output")"
	[ "$stderr" = "" ]
	run -0 count
	[ "$output" = 10 ]
}

@test "session: the JSON answer ends with a newline and the keys are in Doris's order" {
	load_seed -H label:lbl_a > out.json
	[ "$(tail -c 1 out.json | od -An -c | tr -d ' ')" = '\n' ]
	run -0 json_get Label < out.json
	[ "$output" = lbl_a ]
	run -0 json_get TxnId < out.json
	[[ "$output" =~ ^[1-9][0-9]*$ ]]
}

# ---- acceptance 3: labels ------------------------------------------------

@test "label reuse: Label Already Exists, FINISHED, TxnId -1, table unchanged" {
	run -0 --separate-stderr load_seed -H label:lbl_a
	id=$(json_get TxnId <<<"$output")
	run -1 --separate-stderr load_seed -H label:lbl_a
	local msg="[LABEL_ALREADY_EXISTS]TStatus: errCode = 2, detailMessage = Label [lbl_a] has already been used, relate to txn [$id], status [VISIBLE]."
	same "$(answer 'Label Already Exists' "$msg" 0 0 0 0 0 false lbl_a | sed '/"Status"/a\    "ExistingJobStatus": "FINISHED",'; echo '}')" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 10 ]
}

@test "label reuse through the explicit pipeline gives the same answer" {
	load_seed -H label:lbl_p > /dev/null
	run -1 --separate-stderr pipeline -H column_separator:, -H columns:user_id,name,age -H label:lbl_p < streamload_example.csv
	[ "$(json_get Status <<<"$output")" = "Label Already Exists" ]
	[ "$(json_get ExistingJobStatus <<<"$output")" = FINISHED ]
	[ "$(json_get TxnId <<<"$output")" = -1 ]
	run -0 count
	[ "$output" = 10 ]
}

@test "label: the label of a failed load is reusable" {
	bad_row_file
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age -H label:lbl_b -T bad10.csv "$T"
	[ "$(json_get Status <<<"$output")" = Fail ]
	run -0 --separate-stderr load_seed -H label:lbl_b
	[ "$(json_get Status <<<"$output")" = Success ]
	[ "$(json_get Label <<<"$output")" = lbl_b ]
	run -0 count
	[ "$output" = 10 ]
}

@test "label: same label in another database is independent" {
	sl-sql -e "CREATE DATABASE db2"
	sed 's/testdb\./db2./' "$SL_ROOT/examples/create_table.sql" | sl-sql
	load_seed -H label:shared > /dev/null
	run -0 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age -H label:shared \
		-T streamload_example.csv db2.test_streamload
	[ "$(json_get Status <<<"$output")" = Success ]
}

# ---- acceptance 4: max_filter_ratio and where ------------------------------

@test "max_filter_ratio 0: one bad row of 10 fails, ErrorURL shows the row and reason" {
	bad_row_file
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age \
		-H max_filter_ratio:0 -H label:r0 -T bad10.csv "$T"
	local bytes=$(wc -c < bad10.csv)
	local reason='Column count mismatch: expected 3, but found 2 (sep:, delim:\n)'
	local jreason='Column count mismatch: expected 3, but found 2 (sep:, delim:\\n)'
	same "$(answer Fail '[DATA_QUALITY_ERROR]too many filtered rows' 10 0 1 0 "$bytes" false r0 | sed '$s/$/,/'
		echo '    "ErrorURL": "file://PATH",'
		echo "    \"FirstErrorMsg\": \"$jreason. Src line: 11,Zed\""
		echo '}')" "$(mask <<<"$output")"
	url=$(json_get ErrorURL <<<"$output")
	[[ "$url" == file:///* ]]
	run -0 curl -s "$url"
	[ "$output" = "Reason: $reason. src line [11,Zed]; " ]
	run -0 count
	[ "$output" = 0 ]
}

@test "max_filter_ratio default is 0: the same file fails without the header" {
	bad_row_file
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age -T bad10.csv "$T"
	[ "$(json_get Message <<<"$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	run -0 count
	[ "$output" = 0 ]
}

@test "max_filter_ratio 0.2: one bad row of 10 loads 9, ErrorURL without FirstErrorMsg" {
	bad_row_file
	run -0 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age \
		-H max_filter_ratio:0.2 -H label:r2 -T bad10.csv "$T"
	local bytes=$(wc -c < bad10.csv)
	same "$(answer Success OK 10 9 1 0 "$bytes" false r2 | sed '$s/$/,/'
		echo '    "ErrorURL": "file://PATH"'
		echo '}')" "$(mask <<<"$output")"
	run -0 curl -s "$(json_get ErrorURL <<<"$output")"
	[ "$output" = 'Reason: Column count mismatch: expected 3, but found 2 (sep:, delim:\n). src line [11,Zed]; ' ]
	run -0 count
	[ "$output" = 9 ]
}

@test "max_filter_ratio: the explicit pipeline decides the same way" {
	bad_row_file
	run -1 --separate-stderr pipeline -H column_separator:, -H columns:user_id,name,age -H max_filter_ratio:0 < bad10.csv
	[ "$(json_get Message <<<"$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	[ "$(json_get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(json_get NumberLoadedRows <<<"$output")" = 0 ]
	run -0 --separate-stderr pipeline -H column_separator:, -H columns:user_id,name,age -H max_filter_ratio:0.2 < bad10.csv
	[ "$(json_get NumberLoadedRows <<<"$output")" = 9 ]
	run -0 count
	[ "$output" = 9 ]
}

@test "max_filter_ratio: a NULL into the NOT NULL key is filtered with Doris's reason" {
	head -n 9 streamload_example.csv > bad10.csv
	echo 'x,Zed,40' >> bad10.csv
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age -T bad10.csv "$T"
	[ "$(json_get NumberFilteredRows <<<"$output")" = 1 ]
	[ "$(json_get FirstErrorMsg <<<"$output")" = "column(user_id) values is null while columns is not nullable. Src line: x Zed 40" ]
	run -0 curl -s "$(json_get ErrorURL <<<"$output")"
	[ "$output" = "Reason: column(user_id) values is null while columns is not nullable. src line [x Zed 40]; " ]
}

@test "where: rows it drops are unselected, and stay outside the ratio" {
	# ages 25 35 28 60 17 69 32 64 37 64: 'age > 30' keeps 7
	run -0 --separate-stderr load_seed -H "where: age > 30"
	same "$(answer Success OK 10 7 0 3 118; echo '}')" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 7 ]
	# rows 1-9 plus a bad row: 3 unselected, 6 kept, 1 filtered.
	# 1/(10-3) = 0.143 > 0.12 fails (1/10 would pass): unselected rows are
	# not in the denominator.
	bad_row_file
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age \
		-H "where: age > 30" -H max_filter_ratio:0.12 -T bad10.csv "$T"
	[ "$(json_get Message <<<"$output")" = "[DATA_QUALITY_ERROR]too many filtered rows" ]
	[ "$(json_get NumberUnselectedRows <<<"$output")" = 3 ]
	[ "$(json_get NumberFilteredRows <<<"$output")" = 1 ]
	run -0 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,age \
		-H "where: age > 30" -H max_filter_ratio:0.15 -T bad10.csv "$T"
	local bytes=$(wc -c < bad10.csv)
	same "$(answer Success OK 10 6 1 3 "$bytes" | sed '$s/$/,/'
		echo '    "ErrorURL": "file://PATH"'
		echo '}')" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 13 ]
}

@test "where: selecting nothing is Success with every row unselected" {
	run -0 --separate-stderr load_seed -H "where: age > 100"
	same "$(answer Success OK 10 0 0 10 118; echo '}')" "$(mask <<<"$output")"
	run -0 count
	[ "$output" = 0 ]
}

@test "where: the explicit pipeline counts unselected rows the same way" {
	run -0 --separate-stderr pipeline -H column_separator:, -H columns:user_id,name,age -H "where: age > 30" < streamload_example.csv
	same "$(answer Success OK 10 7 0 3 118; echo '}')" "$(mask <<<"$output")"
	run -0 sl-sql -N -B -e "select min(age) from $T"
	[ "$output" = 32 ]
}

# ---- acceptance 5: two-phase commit -----------------------------------------

ok2pc() {
	printf '{\n    "status": "Success",\n    "msg": "%s"\n}' "$1"
}
err2pc() {
	printf '{\n    "status": "%s",\n    "msg": "%s"\n}' "$1" "$2"
}
fe() { printf 'TStatus: errCode = 2, detailMessage = %s' "$1"; }

@test "two_phase_commit: precommitted data is invisible until sl-commit --txn-operation commit" {
	run -0 --separate-stderr load_seed -H label:tp1 -H two_phase_commit:true
	same "$(answer Success OK 10 10 0 0 118 true tp1; echo '}')" "$(mask <<<"$output")"
	[ "$(json_get CommitAndPublishTimeMs <<<"$output")" = 0 ]
	id=$(json_get TxnId <<<"$output")
	run -0 count
	[ "$output" = 0 ]
	# the label is held by the precommitted txn
	run -1 --separate-stderr load_seed -H label:tp1
	[ "$(json_get ExistingJobStatus <<<"$output")" = PRECOMMITTED ]
	[ "$(json_get Message <<<"$output")" = "[LABEL_ALREADY_EXISTS]TStatus: errCode = 2, detailMessage = Label [tp1] has already been used, relate to txn [$id], status [PRECOMMITTED]." ]
	run -0 count
	[ "$output" = 0 ]
	run -0 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" testdb
	same "$(ok2pc "transaction [$id] commit successfully.")" "$output"
	[ "$stderr" = "" ]
	run -0 count
	[ "$output" = 10 ]
}

@test "two_phase_commit: only the exact value true precommits" {
	run -0 --separate-stderr load_seed -H two_phase_commit:TRUE
	[ "$(json_get TwoPhaseCommit <<<"$output")" = false ]
	run -0 count
	[ "$output" = 10 ]
}

@test "two_phase_commit: commit by label, and by label and id together" {
	run -0 load_seed -H label:tpl -H two_phase_commit:true
	run -0 --separate-stderr sl-commit --txn-operation commit --label tpl testdb
	same "$(ok2pc "label [tpl] commit successfully.")" "$output"
	run -0 count
	[ "$output" = 10 ]
	run -0 load_seed -H label:tpb -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr sl-commit --txn-operation commit --label tpb --txn-id "$id" testdb
	same "$(ok2pc "label [tpb] transaction [$id] commit successfully.")" "$output"
	run -0 count
	[ "$output" = 20 ]
}

@test "two_phase_commit: abort discards the data and frees the label" {
	run -0 load_seed -H label:tp2 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr sl-commit --txn-operation abort --label tp2 testdb
	same "$(ok2pc "label [tp2] abort successfully.")" "$output"
	[ "$stderr" = "" ]
	run -0 count
	[ "$output" = 0 ]
	# wrong states of the aborted txn
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already aborted. abort reason: User Abort")")" "$output"
	run -1 --separate-stderr sl-commit --txn-operation abort --txn-id "$id" testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already aborted, abort reason: User Abort")")" "$output"
	# the label is free again
	run -0 --separate-stderr load_seed -H label:tp2
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 count
	[ "$output" = 10 ]
}

@test "two_phase_commit: abort by txn id" {
	run -0 load_seed -H label:tp3 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 --separate-stderr sl-commit --txn-operation abort --txn-id "$id" testdb
	same "$(ok2pc "transaction [$id] abort successfully.")" "$output"
	run -0 count
	[ "$output" = 0 ]
}

@test "two_phase_commit: wrong-state commits and aborts of a visible txn" {
	run -0 load_seed -H label:tp4 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run -0 sl-commit --txn-operation commit --txn-id "$id" testdb
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already visible, not pre-committed.")")" "$output"
	run -1 --separate-stderr sl-commit --txn-operation abort --txn-id "$id" testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already VISIBLE, could not abort.")")" "$output"
	run -1 --separate-stderr sl-commit --txn-operation commit --label tp4 testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "running transaction not found, label=tp4")")" "$output"
	run -1 --separate-stderr sl-commit --txn-operation abort --label tp4 testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "running transaction not found, label=tp4")")" "$output"
	run -0 count
	[ "$output" = 10 ]
}

@test "two_phase_commit: a txn that was not precommitted cannot be 2PC-committed" {
	run -0 load_seed -H label:plain
	id=$(json_get TxnId <<<"$output")
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id "$id" testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [$id] is already visible, not pre-committed.")")" "$output"
}

@test "two_phase_commit: unknown txn, label and database; bad operation and txn id" {
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id 999999 testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction [999999] not found")")" "$output"
	run -1 --separate-stderr sl-commit --txn-operation abort --label nope testdb
	same "$(err2pc ANALYSIS_ERROR "$(fe "transaction not found, label=nope")")" "$output"
	run -1 --separate-stderr sl-commit --txn-operation commit --txn-id 1 nodb
	same "$(err2pc ANALYSIS_ERROR "$(fe "unknown database, database=nodb")")" "$output"
	run --separate-stderr sl-commit --txn-operation Commit --txn-id 1 testdb
	[ "$status" -ne 0 ]
	same "$(err2pc INTERNAL_ERROR "transaction operation should be 'commit' or 'abort'")" "$output"
	run --separate-stderr sl-commit --txn-operation commit --txn-id x1 testdb
	[ "$status" -ne 0 ]
	same "$(err2pc INTERNAL_ERROR "convert txn_id [x1] failed, reason=stoull")" "$output"
}

# A load held open on a fifo: its txn stays PREPARE until we finish
# writing. 100000 rows go in first, more than every stage buffers, so the
# transaction has begun whatever each stage's flushing policy; then the seed
# file ends the load (100010 rows in all). fd 5 is our end of the fifo (fd 3
# belongs to bats).
start_held_load() {
	rm -f in.fifo
	mkfifo in.fifo
	sl-load -H column_separator:, -H columns:user_id,name,age "$@" -T - "$T" < in.fifo > held.json 2> held.err 3>&- &
	held_pid=$!
	exec 5> in.fifo
	awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "%d,held%d,%d\n", 1000 + i, i, i % 90 }' >&5
}
finish_held_load() {
	( trap '' PIPE; cat streamload_example.csv >&5 ) 2> /dev/null || true
	exec 5>&-
	held_rc=0
	wait "$held_pid" || held_rc=$?
}
# wait_prepare LABEL: until the label's txn is running (PREPARE), <= 10 s.
wait_prepare() {
	local i out
	for ((i = 0; i < 200; i++)); do
		out=$(sl-commit --txn-operation commit --label "$1" testdb 2>/dev/null || true)
		[[ "$out" == *"running transaction not found"* || "$out" == *"is prepare"* ]] && return 0
		sleep 0.05
	done
	echo "the txn of label $1 never began; last answer: $out" >&3
	return 1
}

@test "label held by a running load: ExistingJobStatus RUNNING, status [PREPARE]" {
	start_held_load -H label:run1
	wait_prepare run1
	run -1 --separate-stderr load_seed -H label:run1
	[ "$(json_get Status <<<"$output")" = "Label Already Exists" ]
	[ "$(json_get ExistingJobStatus <<<"$output")" = RUNNING ]
	[[ "$(json_get Message <<<"$output")" =~ ^\[LABEL_ALREADY_EXISTS\]TStatus:\ errCode\ =\ 2,\ detailMessage\ =\ Label\ \[run1\]\ has\ already\ been\ used,\ relate\ to\ txn\ \[[0-9]+\],\ status\ \[PREPARE\]\.$ ]]
	# the running load is not disturbed by the refused one
	finish_held_load
	[ "$held_rc" = 0 ]
	[ "$(json_get Status < held.json)" = Success ]
	[ "$(json_get NumberLoadedRows < held.json)" = 100010 ]
	run -0 count
	[ "$output" = 100010 ]
}

@test "streaming: rows already sent reach sl-txn while the input is held open" {
	# a few rows, then the input stays open: every stage must flush what it
	# has before it blocks on stdin, so the transaction begins (the style
	# rule that keeps streaming through sl-httpd from stalling)
	rm -f in.fifo
	mkfifo in.fifo
	sl-load -H column_separator:, -H label:slow -T - "$T" < in.fifo > held.json 2> held.err 3>&- &
	held_pid=$!
	exec 5> in.fifo
	head -n 5 streamload_example.csv >&5
	wait_prepare slow
	finish_held_load
	[ "$held_rc" = 0 ]
	[ "$(json_get NumberLoadedRows < held.json)" = 15 ]
}

# ---- acceptance 7: concurrency ---------------------------------------------

@test "two concurrent sl-loads into one table both succeed and both are visible" {
	awk 'BEGIN { for (i = 1; i <= 200000; i++) printf "%d,n%d,%d\n", i, i, i % 100 }' > a.csv
	awk 'BEGIN { for (i = 200001; i <= 400000; i++) printf "%d,n%d,%d\n", i, i, i % 100 }' > b.csv
	sl-load -H column_separator:, -H label:ca -T a.csv "$T" > a.json 2> a.err &
	pa=$!
	sl-load -H column_separator:, -H label:cb -T b.csv "$T" > b.json 2> b.err &
	pb=$!
	ra=0 rb=0
	wait "$pa" || ra=$?
	wait "$pb" || rb=$?
	cat a.err b.err
	[ "$ra" = 0 ]
	[ "$rb" = 0 ]
	[ "$(json_get Status < a.json)" = Success ]
	[ "$(json_get Status < b.json)" = Success ]
	[ "$(json_get NumberLoadedRows < a.json)" = 200000 ]
	[ "$(json_get NumberLoadedRows < b.json)" = 200000 ]
	[ "$(json_get TxnId < a.json)" != "$(json_get TxnId < b.json)" ]
	run -0 count
	[ "$output" = 400000 ]
	run -0 sl-sql -N -B -e "select count(*), min(user_id), max(user_id) from $T where user_id > 200000"
	[ "$output" = "$(printf '200000\t200001\t400000')" ]
}

@test "concurrent: four explicit pipelines at once all commit" {
	for i in 1 2 3 4; do
		pipeline -H column_separator:, -H columns:user_id,name,age -H "label:p$i" < streamload_example.csv > "p$i.json" &
	done
	wait
	for i in 1 2 3 4; do
		[ "$(json_get Status < "p$i.json")" = Success ]
	done
	run -0 count
	[ "$output" = 40 ]
}

# ---- acceptance 8: bad input --------------------------------------------------

@test "bad input: a truncated row stream commits nothing (sl-txn 111, sl-commit Fail)" {
	sl-parse -H column_separator:, < streamload_example.csv | sl-map -H columns:user_id,name,age "$T" | sl-filter > stream.bin
	local size=$(wc -c < stream.bin)
	for cut in 9 $((size / 2)) $((size - 1)); do
		run -1 --separate-stderr piped "head -c $cut stream.bin | sl-txn $T | sl-commit"
		[ "$(cat rc)" = "0 111 1" ]
		[ "$(json_get Status <<<"$output")" = Fail ]
		[[ "$(json_get Message <<<"$output")" == "[INTERNAL_ERROR]"* ]]
		[ "$(json_get NumberLoadedRows <<<"$output")" = 0 ]
		[[ "$stderr" =~ ^sl-txn:\ fatal:\ .*truncated ]]
	done
	run -0 count
	[ "$output" = 0 ]
	# the whole saved stream loads
	run -0 --separate-stderr bash -c "sl-txn $T < stream.bin | sl-commit"
	[ "$(json_get NumberLoadedRows <<<"$output")" = 10 ]
	run -0 count
	[ "$output" = 10 ]
}

@test "bad input: each stage says truncated stream and exits 111" {
	sl-parse -H column_separator:, < streamload_example.csv > raw.bin
	sl-map -H columns:user_id,name,age "$T" < raw.bin > typed.bin
	local cut=$(( $(wc -c < raw.bin) - 3 ))
	run --separate-stderr bash -c "head -c $cut raw.bin | sl-map -H columns:user_id,name,age $T > /dev/null"
	[ "$status" = 111 ]
	[[ "$stderr" == "sl-map: fatal: truncated stream at byte"* ]]
	cut=$(( $(wc -c < typed.bin) - 3 ))
	run --separate-stderr bash -c "head -c $cut typed.bin | sl-filter > /dev/null"
	[ "$status" = 111 ]
	[[ "$stderr" == "sl-filter: fatal: truncated stream at byte"* ]]
}

@test "bad input: wrong magic is not an sl stream (exit 100), nothing visible" {
	for prog in sl-map sl-filter sl-txn; do
		local args=()
		[ "$prog" = sl-filter ] || args=("$T")
		run -100 --separate-stderr bash -c "printf 'id,name\n1,a\n' | $prog ${args[*]} > /dev/null"
		[ "$stderr" = "$prog: fatal: stdin is not an sl stream" ]
	done
	# a header frame with the wrong magic/version
	frame H 0 "534c0002""00000000" > badver.bin
	run -100 --separate-stderr bash -c "sl-filter < badver.bin > /dev/null"
	[[ "$stderr" == "sl-filter: fatal: "* ]]
	run --separate-stderr bash -c "set -o pipefail; printf 'garbage' | sl-txn $T | sl-commit"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"sl-txn: fatal: stdin is not an sl stream"* ]]
	run -0 count
	[ "$output" = 0 ]
}

@test "bad input: sl-commit on raw bytes fails without committing" {
	run --separate-stderr bash -c "printf 'hello' | sl-commit"
	[ "$status" = 100 ]
	[[ "$stderr" == *"sl-commit: fatal: stdin is not an sl stream"* ]]
	run --separate-stderr sl-commit < /dev/null
	[ "$status" -ne 0 ]
	[[ "$stderr" == "sl-commit: fatal: "* ]]
	run -0 count
	[ "$output" = 0 ]
}

@test "bad input: a stage killed mid-stream in the explicit pipeline commits nothing" {
	awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "%d,n%d,%d\n", i, i, i % 100 }' > big.csv
	run -1 --separate-stderr piped "sl-parse -H column_separator:, < big.csv \
		| sl-map -H columns:user_id,name,age $T \
		| sh -c 'head -c 20000; kill -KILL \$\$' \
		| sl-txn $T | sl-commit"
	[[ "$(cat rc)" =~ ^[0-9]+\ [0-9]+\ 137\ 111\ 1$ ]]
	[ "$(json_get Status <<<"$output")" = Fail ]
	[[ "$(json_get Message <<<"$output")" == "[INTERNAL_ERROR]"* ]]
	[[ "$stderr" == *"sl-txn: fatal: truncated stream at byte"* ]]
	run -0 count
	[ "$output" = 0 ]
	# the table still takes loads
	run -0 load_seed
	run -0 count
	[ "$output" = 10 ]
}

@test "bad input: sl-load with a stage killed fails, reaps every stage, commits nothing" {
	local n=0 stage kids k
	for stage in sl-parse sl-map sl-filter sl-txn sl-commit; do
		# a `where` (true for every row) so that sl-filter runs too
		start_held_load -H "label:kill_$stage" -H "where:age >= 0"
		wait_prepare "kill_$stage"
		kids=$(pgrep -P "$held_pid")
		spid=$(pgrep -P "$held_pid" -x "$stage")
		[ -n "$spid" ]
		kill -KILL "$spid"
		finish_held_load
		[ "$held_rc" -ne 0 ]
		[[ "$(cat held.err)" == *"$stage"* ]]
		for k in $kids; do
			! kill -0 "$k" 2> /dev/null
		done
		if [ -s held.json ]; then
			[ "$(json_get Status < held.json)" != Success ]
		fi
		run -0 count
		[ "$output" = "$n" ]
		# the label is free again
		run -0 load_seed -H "label:kill_$stage"
		n=$((n + 10))
		run -0 count
		[ "$output" = "$n" ]
	done
}

@test "bad input: unknown database and unknown table" {
	run -1 --separate-stderr sl-load -H column_separator:, -H label:u1 -T streamload_example.csv nodb.test_streamload
	same "$(answer Fail '[NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=nodb' 0 0 0 0 0 false u1 | sed 's/"TxnId": ID/"TxnId": -1/'; echo '}')" "$(mask <<<"$output")"
	run -1 --separate-stderr sl-load -H column_separator:, -H label:u2 -T streamload_example.csv testdb.nosuch
	same "$(answer Fail '[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=nosuch' 0 0 0 0 0 false u2 | sed 's/"TxnId": ID/"TxnId": -1/'; echo '}')" "$(mask <<<"$output")"
	run -1 --separate-stderr bash -c "sl-parse -H column_separator:, < streamload_example.csv | sl-map testdb.nosuch | sl-filter | sl-txn -H label:u3 testdb.nosuch | sl-commit"
	[ "$(json_get TxnId <<<"$output")" = -1 ]
	[ "$(json_get Label <<<"$output")" = u3 ]
	[ "$(json_get Message <<<"$output")" = "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=nosuch" ]
	run -0 count
	[ "$output" = 0 ]
}

# bad_header HEADER TXN MESSAGE: sl-load with the seed options plus HEADER
# fails with MESSAGE (TXN: -1, or "any" when a txn may have begun).
bad_header() {
	run -1 --separate-stderr load_seed -H "$1"
	if [ "$(json_get Status <<<"$output")" != Fail ] || [ "$(json_get Message <<<"$output")" != "$3" ]; then
		echo "header $1: expected Fail with: $3" >&3
		echo "$output" >&3
		return 1
	fi
	[ "$2" = any ] || [ "$(json_get TxnId <<<"$output")" = "$2" ]
	[ "$(json_get NumberLoadedRows <<<"$output")" = 0 ]
}

@test "bad header values give Doris's messages and load nothing" {
	local fe='[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = '
	bad_header 'timeout:abc' -1 "[INVALID_ARGUMENT]Invalid format of 'timeout': 'abc', stoi"
	bad_header 'timeout:99999999999' -1 "[INVALID_ARGUMENT]'timeout' value out of range: '99999999999', stoi"
	bad_header 'timeout:0' -1 "${fe}Invalid timeout: 0. Timeout should be higher than Config.min_load_timeout_second: 1"
	bad_header 'timeout:259201' -1 "${fe}Invalid timeout: 259201. Timeout should be lower than Config.max_stream_load_timeout_second: 259200"
	bad_header 'label:bad label!' -1 "${fe}Label format error. regex: ^[\\\\-_A-Za-z0-9:]{1,128}\$, label: bad label!"
	bad_header 'format:xml' -1 '[E-1101]unknown data format, format=xml'
	bad_header 'skip_lines:-1' any "[INVALID_ARGUMENT]Invalid 'skip_lines': -1"
	bad_header 'skip_lines:x' any "[INVALID_ARGUMENT]Invalid format of 'skip_lines': 'x', stoi"
	bad_header 'strict_mode:maybe' any '[INVALID_ARGUMENT]Invalid strict mode format. Must be bool type'
	run -0 count
	[ "$output" = 0 ]
}

@test "bad header values: planning errors in columns" {
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:user_id,name,name -T streamload_example.csv "$T"
	[ "$(json_get Message <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Duplicate column: name" ]
	run -1 --separate-stderr sl-load -H column_separator:, -H columns:name,age -T streamload_example.csv "$T"
	[ "$(json_get Message <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Column has no default value, column=user_id" ]
	run -0 count
	[ "$output" = 0 ]
}

@test "sl-commit > /dev/full fails with 111" {
	run --separate-stderr bash -c "sl-parse -H column_separator:, < streamload_example.csv \
		| sl-map -H columns:user_id,name,age $T | sl-filter | sl-txn $T | sl-commit > /dev/full"
	[ "$status" = 111 ]
	[[ "$stderr" == "sl-commit: fatal: "*"No space left on device" ]]
	run -0 load_seed -H label:f1 -H two_phase_commit:true
	id=$(json_get TxnId <<<"$output")
	run --separate-stderr bash -c "sl-commit --txn-operation commit --txn-id $id testdb > /dev/full"
	[ "$status" = 111 ]
	[[ "$stderr" == "sl-commit: fatal: "*"No space left on device" ]]
}

@test "sl-load > /dev/full fails with 111" {
	run --separate-stderr bash -c "sl-load -H column_separator:, -T streamload_example.csv $T > /dev/full"
	[ "$status" = 111 ]
	[[ "$stderr" == "sl-load: fatal: "*"No space left on device" ]]
}

@test "usage errors exit 100" {
	run -100 --separate-stderr sl-load
	[[ "$stderr" == "sl-load: usage: "* ]]
	run -100 --separate-stderr sl-load -T streamload_example.csv
	[[ "$stderr" == "sl-load: usage: "* ]]
	run -100 --separate-stderr sl-txn
	[[ "$stderr" == "sl-txn: usage: "* ]]
	run -100 --separate-stderr sl-map
	[[ "$stderr" == "sl-map: usage: "* ]]
}
