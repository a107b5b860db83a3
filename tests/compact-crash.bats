#!/usr/bin/env bats
# Compaction under crashes (sl-store(5) Compaction): hundreds of rounds of
# a small load, an sl-compact SIGKILLed at a random instant or at a named
# step, and reads, with a reader running all along; every read equals what
# the loads that answered Success wrote: nothing shows twice, nothing
# vanishes, the order of the loads holds.
load test_helper

T=testdb.t
PER=4

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE testdb"
}

# reader: loops until ./stop exists; each read of the table must hold
# every load that succeeded before it began (expect.n lines of expect),
# each whole and once, in load order. Violations go to reader.bad.
reader() {
	local n=0 want got
	: > reader.bad
	while [ ! -e stop ]; do
		want=$(head -n "$(cat expect.n)" expect)
		if got=$(sl-sql -N -B -e "select k, count(*) from $T group by k" 2> reader.err); then
			got=$(awk -v per="$PER" 'NF && $2 != per { print "load " $1 ": " $2 " rows" } NF && $2 == per { print $1 }' <<<"$got" | sort)
			if [ -n "$want" ] && [ "$(comm -23 <(sort <<<"$want") <(printf '%s\n' "$got"))" != "" ]; then
				echo "read $n: a load vanished or is not whole: $(comm -23 <(sort <<<"$want") <(printf '%s\n' "$got") | head -n 3 | tr '\n' ' ')" >> reader.bad
			fi
			grep -q rows <<<"$got" && echo "read $n: $(grep rows <<<"$got" | head -n 3 | tr '\n' ' ')" >> reader.bad
		else
			echo "read $n: sl-sql failed: $(cat reader.err)" >> reader.bad
		fi
		n=$((n + 1))
	done
	echo "$n" > reader.n
}

# round I: load I ($PER rows of key I), a kill of sl-parse or sl-map now
# and then (the load then never commits); a compaction killed at a random
# instant or step, or left alone; then a read compared with the reference.
crash_rounds() {
	# (not i: bats's run uses it)
	local rounds=$1 r pid st rc steps=(reserved writing renamed recorded unlinking)
	local ok=0 kills=0 ckills=0 comps=0
	for ((r = 1; r <= rounds; r++)); do
		awk -v id="$r" -v n="$PER" 'BEGIN { for (j = 1; j <= n; j++) printf "%d,r%d_%d,%d\n", id, id, j, j }' > in.csv
		if ((RANDOM % 5 == 0)); then
			st=$( ((RANDOM % 2)) && echo sl-parse || echo sl-map)
			{ head -n 2 in.csv; sleep 0.05; tail -n +3 in.csv; } \
				| sl-load -H column_separator:, -H "label:L$r" -T - "$T" > out.json 2> err.txt &
			pid=$!
			sleep 0.02
			pkill -KILL -P "$pid" -x "$st" && kills=$((kills + 1))
			rc=0
			wait "$pid" || rc=$?
		else
			rc=0
			sl-load -H column_separator:, -H "label:L$r" -T in.csv "$T" > out.json 2> err.txt || rc=$?
		fi
		if [ "$rc" = 0 ] && grep -q '"Status": "Success"' out.json; then
			echo "$r" >> expect
			ok=$((ok + 1))
			wc -l < expect > expect.tmp && mv expect.tmp expect.n
		fi
		case $((RANDOM % 4)) in
		0)
			SL_COMPACT_KILL_AT=${steps[RANDOM % 5]} sl-compact "$T" > /dev/null 2>&1 || true
			ckills=$((ckills + 1)) ;;
		1)
			sl-compact "$T" > /dev/null 2>&1 &
			pid=$!
			read -r -t "0.0$((RANDOM % 30 + 10))" -u 7 || true
			kill -KILL "$pid" 2> /dev/null && ckills=$((ckills + 1))
			wait "$pid" || true ;;
		2)
			sl-compact "$T" > compact.out 2>&1 || { cat compact.out; echo "round $r: sl-compact failed"; return 1; }
			comps=$((comps + 1)) ;;
		esac
		if ((r % 10 == 0)); then
			run -0 --separate-stderr sl-sql -N -B -e "select k from $T"
			if [ "$(uniq <<<"$output")" != "$(cat expect)" ] || [ "$(wc -l <<<"$output")" != $((ok * PER)) ]; then
				echo "round $r: the table is not the successful loads, in order"
				diff <(cat expect) <(uniq <<<"$output") | head -n 10
				return 1
			fi
		fi
	done
	echo "# $rounds rounds: $ok loads succeeded, $kills loads killed, $ckills compactions killed, $comps finished" >&3
}

@test "compact-crash: >= 200 rounds of loads, reads and SIGKILLed compactions (DUPLICATE): reads equal the successful loads" {
	local rounds=${SL_CRASH_ROUNDS:-220}
	sl-sql -e "CREATE TABLE $T (k INT, v VARCHAR(20), n INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	echo "compaction_segment_threshold = 6" > "$SL_DATA_DIR/sl.conf"
	: > expect
	echo 0 > expect.n
	mkfifo sleep.fifo
	exec 7<> sleep.fifo
	reader 3>&- 7>&- &
	local rpid=$!
	crash_rounds "$rounds"
	touch stop
	wait "$rpid"
	exec 7>&-
	echo "# $(cat reader.n) concurrent reads" >&3
	if [ -s reader.bad ]; then
		head -n 20 reader.bad
		return 1
	fi
	# the end: every successful load, once, in order; the leftovers of the
	# killed compactions go with the last one
	sl-compact --full "$T"
	run -0 sl-sql -N -B -e "select k from $T"
	[ "$(uniq <<<"$output")" = "$(cat expect)" ]
	run -0 sl-fsck
	[[ "$output" != *"no record needs"* ]]
	[ "$(ls "$SL_DATA_DIR/testdb/t/data")" != "" ]
	[ "$(ls -A "$SL_DATA_DIR/testdb/t/data" | wc -l)" = 1 ]
}
