#!/usr/bin/env bats
# Crash safety (issue 2, acceptance 6): hundreds of loads into one table,
# most of them with a random stage SIGKILLed at a random moment, while two
# readers keep querying; afterwards exactly the loads that reported Success
# are visible, each one whole. And a torn last txnlog record is ignored.
load test_helper

T=testdb.test_streamload

setup() {
	setup_data_dir
	seed_table
}

count() { sl-sql -N -B -e "select count(*) from $T"; }

json_get() {
	sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'
}

# reader NAME PER: a concurrent reader, looping until ./stop exists.
#   count:  select count(*) must be a multiple of PER (whole loads only);
#   groups: every load visible (one user_id per load) must have PER rows.
# Violations and sl-sql failures go to NAME.bad, the number of queries to
# NAME.n.
reader() {
	local name=$1 per=$2 n=0 c
	: > "$name.bad"
	mkfifo "$name.fifo"
	exec 8<> "$name.fifo"
	while [ ! -e stop ]; do
		read -r -t 0.005 -u 8 || true
		if [ "$name" = count ]; then
			if c=$(sl-sql -N -B -e "select count(*) from $T" 2> "$name.err"); then
				if ! [[ "$c" =~ ^[0-9]+$ ]] || ((c % per)); then
					echo "count: $c is not a multiple of $per" >> "$name.bad"
				fi
			else
				echo "count: sl-sql failed: $(cat "$name.err")" >> "$name.bad"
			fi
		else
			if c=$(sl-sql -N -B -e "select user_id, count(*) from $T group by user_id" 2> "$name.err"); then
				awk -v per="$per" 'NF && $2 != per { print "groups: load " $1 " has " $2 " rows visible" }' <<<"$c" >> "$name.bad"
			else
				echo "groups: sl-sql failed: $(cat "$name.err")" >> "$name.bad"
			fi
		fi
		n=$((n + 1))
	done
	echo "$n" > "$name.n"
}

@test "crash: >= 200 loads with random SIGKILLs and two concurrent readers; only whole successful loads visible" {
	local loads=${SL_CRASH_LOADS:-240} per=50
	local stages=(sl-parse sl-map sl-filter sl-txn sl-commit)
	local i j ok=0 killed=0 sent=0 rc pid victim st when feed slow spid t0 left
	# true for every row; with a `where` sl-filter runs too (a victim like the others)
	local where="where:age > 0"

	reader count "$per" 3>&- &
	rpid1=$!
	reader groups "$per" 3>&- &
	rpid2=$!
	: > expect
	: > log
	: > loads.bad
	# a builtin sub-second sleep (read -t on an empty fifo): no fork
	mkfifo sleep.fifo
	exec 7<> sleep.fifo
	for ((i = 1; i <= loads; i++)); do
		# load i: 50 rows, all with user_id i, so a per-id count shows
		# exactly which loads are visible and that each is whole.
		awk -v id="$i" -v n="$per" 'BEGIN { for (j = 1; j <= n; j++) printf "%d,r%d_%d,%d\n", id, id, j, j }' > "in$i.csv"
		feed=$((RANDOM % 3))
		slow=$((20 + RANDOM % 60))
		if ((feed)); then
			# slow producer: half the rows, a pause of $slow ms, the rest;
			# the pipeline is alive mid-stream for the kill to land in
			{ head -n 25 "in$i.csv"; sleep "$(printf '0.%03d' "$slow")"; tail -n +26 "in$i.csv"; } 3>&- 7>&- \
				| sl-load -H column_separator:, -H "label:L$i" -H "$where" -T - "$T" > out.json 2> err.txt 3>&- 7>&- &
		else
			slow=0
			sl-load -H column_separator:, -H "label:L$i" -H "$where" -T "in$i.csv" "$T" > out.json 2> err.txt 3>&- 7>&- &
		fi
		pid=$!
		t0=${EPOCHREALTIME/./}
		victim=-
		if ((RANDOM % 6)); then
			st=${stages[RANDOM % 5]}
			# the moment: $when ms after the start, anywhere in the load's
			# life (the slow producer's pause, then the end and the commit)
			when=$((RANDOM % (slow + 6)))
			# the stages may not be spawned (or exec'd) yet: look again
			# while the load lives, 5 ms apart (an exec under the
			# sanitizers takes longer than ten pgreps in a row)
			for j in 1 2 3 4 5 6 7 8 9 10; do
				spid=$(pgrep -P "$pid" -x "$st" | head -n 1 || true)
				[ -z "$spid" ] && kill -0 "$pid" 2> /dev/null || break
				read -r -t 0.005 -u 7 || true
			done
			if [ -n "$spid" ]; then
				left=$((when * 1000 - (${EPOCHREALTIME/./} - t0)))
				((left <= 0)) || read -r -t "$(printf '0.%06d' "$left")" -u 7 || true
				kill -KILL "$spid" 2> /dev/null && sent=$((sent + 1))
				victim="$st@+${when}ms"
			else
				victim="($st gone)"
			fi
		fi
		rc=0
		wait "$pid" || rc=$?
		if grep -q 'killed by signal 9' err.txt; then
			killed=$((killed + 1))
		fi
		if [ "$rc" = 0 ] && [ "$(json_get Status < out.json)" = Success ]; then
			ok=$((ok + 1))
			echo "$i" >> expect
		elif [ "$rc" = 0 ]; then
			echo "load $i: exit 0 but not Success" >> loads.bad
		fi
		echo "load $i slow=$slow kill=$victim rc=$rc $(json_get Status < out.json | tr ' ' _) $(head -c 300 err.txt | tr '\n' ' ')" >> log
	done
	exec 7>&-
	touch stop
	wait "$rpid1" "$rpid2"

	echo "# $loads loads, $sent SIGKILLs sent, $killed stages died of them, $ok loads succeeded, $(cat count.n) + $(cat groups.n) concurrent reads" >&3
	if [ -s count.bad ] || [ -s groups.bad ] || [ -s loads.bad ]; then
		cat count.bad groups.bad loads.bad | head -n 40
		return 1
	fi
	[ "$loads" -ge 200 ] || [ -n "${SL_CRASH_LOADS:-}" ]
	[ "$killed" -ge $((loads / 5)) ]
	[ "$ok" -ge 1 ]
	# visible: exactly the successful loads, each with all its rows
	run -0 --separate-stderr sl-sql -N -B -e "select user_id, count(*) from $T group by user_id order by user_id"
	got=$(printf '%s\n' "$output" | awk -v per="$per" '$2 != per { print "partial load " $1 ": " $2 " rows" } $2 == per { print $1 }')
	if [ "$got" != "$(sort -n expect)" ]; then
		diff <(sort -n expect) <(printf '%s\n' "$got") | head -n 40
		for j in $(diff <(sort -n expect) <(printf '%s\n' "$got") | sed -n 's/^[<>] \([0-9]*\)$/\1/p'); do
			grep "^load $j " log
		done
		return 1
	fi
	run -0 count
	[ "$output" = $((ok * per)) ]
	# the table still takes loads, and a killed load's label is free again
	for ((i = 1; i <= loads; i++)); do
		grep -qx "$i" expect || break
	done
	if ((i <= loads)); then
		awk -v id="$i" -v n="$per" 'BEGIN { for (j = 1; j <= n; j++) printf "%d,again%d,%d\n", id, j, j }' > in.csv
		run -0 --separate-stderr sl-load -H column_separator:, -H "label:L$i" -T in.csv "$T"
		[ "$(json_get Status <<<"$output")" = Success ]
		ok=$((ok + 1))
	fi
	run -0 count
	[ "$output" = $((ok * per)) ]
}

# load_label L: the seed file under label L; prints the answer.
load_label() {
	sl-load -H column_separator:, -H columns:user_id,name,age -H "label:$1" -T streamload_example.csv "$T"
}

@test "crash: garbage appended to the txnlog is ignored and cut by the next append" {
	run -0 load_label a
	log=$SL_DATA_DIR/testdb/txnlog
	[ -f "$log" ]
	printf 'garbage\000\001\002 torn record' >> "$log"
	run -0 --separate-stderr count
	[ "$output" = 10 ]
	[ "$stderr" = "" ]
	run -0 --separate-stderr load_label b
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 count
	[ "$output" = 20 ]
	# labels from before the tear still count as used
	run -1 load_label a
	[ "$(json_get Status <<<"$output")" = "Label Already Exists" ]
	run -0 count
	[ "$output" = 20 ]
}

@test "crash: a torn last commit record is ignored on the next start; the load is as if never committed" {
	run -0 load_label a
	run -0 load_label b
	log=$SL_DATA_DIR/testdb/txnlog
	size=$(stat -c %s "$log")
	for cut in 1 7; do
		cp "$log" log.full
		truncate -s $((size - cut)) "$log"
		# b's commit record is the last one: b is gone, a is intact
		run -0 --separate-stderr count
		[ "$output" = 10 ]
		[ "$stderr" = "" ]
		run -0 sl-sql -N -B -e "select count(*) from $T where user_id = 1"
		[ "$output" = 1 ]
		cp log.full "$log"
	done
	truncate -s $((size - 3)) "$log"
	# b's label is free again (its txn never committed); later loads work
	run -0 --separate-stderr load_label b
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 load_label c
	run -0 count
	[ "$output" = 30 ]
	run -1 load_label a
	[ "$(json_get Status <<<"$output")" = "Label Already Exists" ]
	run -0 count
	[ "$output" = 30 ]
}

@test "crash: a txnlog truncated at every length is readable, and loads resume" {
	run -0 load_label a
	run -0 load_label b
	log=$SL_DATA_DIR/testdb/txnlog
	cp "$log" log.full
	size=$(stat -c %s log.full)
	prev=-1
	for ((cut = size; cut >= 0; cut -= (size / 40 + 1))); do
		head -c "$cut" log.full > "$log"
		run -0 --separate-stderr count
		[[ "$output" =~ ^(0|10|20)$ ]]
		[ "$stderr" = "" ]
		# shorter logs never show more
		[ "$prev" = -1 ] || [ "$output" -le "$prev" ]
		prev=$output
	done
	head -c $((size / 2)) log.full > "$log"
	run -0 --separate-stderr load_label d
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 sl-sql -N -B -e "select count(*) from $T"
	[[ "$output" =~ ^(10|20)$ ]]
}

@test "crash: a PREPARE txn left by a killed sl-txn does not block the label or other loads" {
	mkfifo in.fifo
	sl-load -H column_separator:, -H label:k1 -T - "$T" < in.fifo > held.json 2> held.err 3>&- &
	pid=$!
	exec 5> in.fifo
	head -n 5 streamload_example.csv >&5
	for ((i = 0; i < 200; i++)); do
		out=$(sl-commit --txn-operation commit --label k1 testdb 2> /dev/null || true)
		[[ "$out" == *"running transaction not found"* || "$out" == *"is prepare"* ]] && break
		sleep 0.05
	done
	kill -KILL "$(pgrep -P "$pid" -x sl-txn)"
	( trap '' PIPE; tail -n +6 streamload_example.csv >&5 ) 2> /dev/null || true
	exec 5>&-
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -ne 0 ]
	run -0 count
	[ "$output" = 0 ]
	run -0 --separate-stderr load_label k1
	[ "$(json_get Status <<<"$output")" = Success ]
	run -0 count
	[ "$output" = 10 ]
}
