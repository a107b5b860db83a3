#!/usr/bin/env bats
# Compaction under crashes (sl-store(5) Compaction): hundreds of rounds of
# a small load, an sl-compact SIGKILLed at a random instant or at a named
# step, and reads, with a reader running all along; every read equals what
# the loads that answered Success wrote: nothing shows twice, nothing
# vanishes, the order of the loads (DUPLICATE) or the last value of each
# key (UNIQUE, and UNIQUE over three partitions, whose compactions are
# per partition now and then) holds.
load test_helper

T=testdb.t
PER=4

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE testdb"
	: > expect
	: > ref
	: > keys.now
}

# rows R: load R's rows. DUPLICATE: $PER rows of key R; UNIQUE: $PER keys
# out of 23, repeating across loads, each with the value "R_j";
# partitioned: the same, each key's date in the month 1 + key % 3 (its
# partition), first.
rows() {
	if [ "$MODEL" = dup ]; then
		awk -v id="$1" -v n="$PER" 'BEGIN { for (j = 1; j <= n; j++) printf "%d,r%d_%d,%d\n", id, id, j, j }'
	elif [ "$MODEL" = part ]; then
		awk -v id="$1" -v n="$PER" 'BEGIN { for (j = 1; j <= n; j++) { k = (id * 7 + j) % 23
			printf "2020-0%d-01,%d,%d_%d,%d\n", 1 + k % 3, k, id, j, j } }'
	else
		awk -v id="$1" -v n="$PER" 'BEGIN { for (j = 1; j <= n; j++) printf "%d,%d_%d,%d\n", (id * 7 + j) % 23, id, j, j }'
	fi
}

# load R answered Success: the reference takes it; keys.now (what every
# later read must hold) is replaced in one rename
took() {
	echo "$1" >> expect
	if [ "$MODEL" = dup ]; then
		cp expect keys.tmp
	else
		cat ref <(cut -d, -f"$KV" in.csv | tr , '\t') | awk -F'\t' '{ v[$1] = $2 } END { for (k in v) print k "\t" v[k] }' \
			| sort -n > ref.tmp && mv ref.tmp ref
		cut -f1 ref > keys.tmp
	fi
	mv keys.tmp keys.now
}

# the table now, exactly: DUPLICATE the successful loads in order, UNIQUE
# the last value of each key
exact() {
	if [ "$MODEL" = dup ]; then
		sl-sql -N -B -e "select k from $T" | uniq > got || return 1
		cmp -s got expect && [ "$(sl-sql -N -B -e "select count(*) from $T")" = $(($(wc -l < expect) * PER)) ]
	else
		# (partitioned: the rows come partition by partition)
		sl-sql -N -B -e "select k, v from $T $([ "$MODEL" = part ] && echo order by k)" > got || return 1
		cmp -s got ref
	fi
}

# reader: loops until ./stop exists; each read must hold every key of
# keys.now as it was when the read began, each the right number of times
# (a whole load; a UNIQUE key once). Violations go to reader.bad.
reader() {
	local n=0 want got per=$PER
	[ "$MODEL" = dup ] || per=1
	: > reader.bad
	while [ ! -e stop ]; do
		want=$(sort < keys.now)
		if got=$(sl-sql -N -B -e "select k, count(*) from $T group by k" 2> reader.err); then
			got=$(awk -v per="$per" 'NF && $2 != per { print "key " $1 ": " $2 " rows" } NF && $2 == per { print $1 }' <<<"$got" | sort)
			if [ -n "$want" ] && [ "$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$got"))" != "" ]; then
				echo "read $n: vanished: $(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -n 3 | tr '\n' ' ')" >> reader.bad
			fi
			grep -q rows <<<"$got" && echo "read $n: $(grep rows <<<"$got" | head -n 3 | tr '\n' ' ')" >> reader.bad
		else
			echo "read $n: sl-sql failed: $(cat reader.err)" >> reader.bad
		fi
		n=$((n + 1))
	done
	echo "$n" > reader.n
}

# round R: load R, a kill of sl-parse or sl-map now and then (the load
# then never commits); a compaction killed at a random instant or step,
# or left alone; every tenth round the table compared with the reference.
crash_rounds() {
	# (not i: bats's run uses it)
	local rounds=$1 r pid st rc part steps=(reserved writing renamed recorded unlinking)
	local ok=0 kills=0 ckills=0 comps=0
	for ((r = 1; r <= rounds; r++)); do
		rows "$r" > in.csv
		if ((RANDOM % 5 == 0)); then
			st=$( ((RANDOM % 2)) && echo sl-parse || echo sl-map)
			{ head -n 2 in.csv; sleep 0.05; tail -n +3 in.csv; } \
				| sl-load -H column_separator:, -H "columns:$COLS" -H "label:L$r" -T - "$T" > out.json 2> err.txt &
			pid=$!
			sleep 0.02
			pkill -KILL -P "$pid" -x "$st" && kills=$((kills + 1))
			rc=0
			wait "$pid" 2> /dev/null || rc=$?
		else
			rc=0
			sl-load -H column_separator:, -H "columns:$COLS" -H "label:L$r" -T in.csv "$T" > out.json 2> err.txt || rc=$?
		fi
		if [ "$rc" = 0 ] && grep -q '"Status": "Success"' out.json; then
			took "$r"
			ok=$((ok + 1))
		fi
		case $((RANDOM % 4)) in
		0)
			# (waited for in the background: bash would print "Killed"
			# for each, burying a failure's report)
			SL_COMPACT_KILL_AT=${steps[RANDOM % 5]} sl-compact "$T" > /dev/null 2>&1 &
			wait $! 2> /dev/null || true
			ckills=$((ckills + 1)) ;;
		1)
			sl-compact "$T" > /dev/null 2>&1 &
			pid=$!
			read -r -t "0.0$((RANDOM % 30 + 10))" -u 7 || true
			kill -KILL "$pid" 2> /dev/null && ckills=$((ckills + 1))
			wait "$pid" 2> /dev/null || true ;;
		2)
			# partitioned: now and then one partition alone
			part=()
			[ "$MODEL" = part ] && ((RANDOM % 2)) && part=(--partition "p$((RANDOM % 3 + 1))")
			sl-compact "${part[@]}" "$T" > compact.out 2>&1 || { cat compact.out; echo "round $r: sl-compact failed"; return 1; }
			comps=$((comps + 1)) ;;
		esac
		if ((r % 10 == 0)) && ! exact; then
			echo "round $r: the table is not what the successful loads wrote"
			diff got "$( [ "$MODEL" = dup ] && echo expect || echo ref)" | head -n 10
			return 1
		fi
	done
	echo "# $rounds rounds: $ok loads succeeded, $kills loads killed, $ckills compactions killed, $comps finished" >&3
}

# the whole test for one table model (MODEL dup, uniq or part); FILES the
# files a full compaction leaves (one per partition)
crash_test() {
	local rounds=${SL_CRASH_ROUNDS:-200}
	echo "compaction_segment_threshold = 6" > "$SL_DATA_DIR/sl.conf"
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
	# the end: the reference exactly; the leftovers of the killed
	# compactions go with the last one
	sl-compact --full "$T"
	exact
	run -0 sl-fsck
	[[ "$output" != *"no record needs"* ]]
	[ "$(ls -A "$SL_DATA_DIR/testdb/t/data" | wc -l)" = "${FILES:-1}" ]
}

COLS=k,v,n
KV=1,2

@test "compact-crash: 200 rounds of loads, reads and SIGKILLed compactions (DUPLICATE): reads equal the successful loads" {
	MODEL=dup
	sl-sql -e "CREATE TABLE $T (k INT, v VARCHAR(20), n INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	crash_test
}

@test "compact-crash: 200 rounds of loads, reads and SIGKILLed compactions (UNIQUE KEY, keys repeat): reads equal the last value of each key" {
	MODEL=uniq
	sl-sql -e "CREATE TABLE $T (k INT, v VARCHAR(20), n INT) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	crash_test
}

@test "compact-crash: 200 rounds of loads, reads and SIGKILLed compactions, whole or per partition (UNIQUE KEY over three partitions): reads equal the last value of each key" {
	MODEL=part COLS=d,k,v,n KV=2,3 FILES=3
	sl-sql -e "CREATE TABLE $T (d DATE, k INT, v VARCHAR(20), n INT) UNIQUE KEY(d, k)
		PARTITION BY RANGE(d) (PARTITION p1 VALUES LESS THAN (\"2020-02-01\"),
			PARTITION p2 VALUES LESS THAN (\"2020-03-01\"), PARTITION p3 VALUES LESS THAN MAXVALUE)
		DISTRIBUTED BY HASH(k) BUCKETS 1"
	crash_test
}
