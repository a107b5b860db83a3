#!/usr/bin/env bats
# group_commit's crash safety (man/sl-store.5 Group commit): async loads are
# durable in the table's log when answered and committed exactly once, even
# when every process of the data directory dies right after the answer.
load test_helper
load group_commit_helper

# a committer that commits 60 ms after it starts (1 s under the
# sanitizers, whose loads take longer than 60 ms to return)
setup() { gc_setup k "'group_commit_interval_ms' = '$([ -z "${SL_SAN:-}" ] && echo 60 || echo 1000)'"; }
teardown() { gc_teardown; }

@test "async_mode: SIGKILL of every process of the data directory right after each answer loses and repeats nothing" {
	local i rounds=100 acked=0 kills=0 pid
	# under the sanitizers fewer rounds: the release run proves the count
	[ -z "${SL_SAN:-}" ] || rounds=20
	for ((i = 1; i <= rounds; i++)); do
		printf '%d,r,%d\n%d,s,%d\n' "$((2 * i))" "$i" "$((2 * i + 1))" "$i" > k.csv
		if sl-load -H column_separator:, -H group_commit:async_mode -T k.csv db.k > ans 2> /dev/null &&
		   [ "$(field Status < ans)" = Success ]; then
			acked=$((acked + 2))
		fi
		# kill at a varying point of the committer's work: waiting, in
		# its commit, done. Once sl-load has returned, the committer the
		# load started (its pid in daemon.lock) is the only process of
		# the data directory.
		case $((i % 4)) in
		1) ;;
		2) sleep 0.03 ;;
		3) sleep 0.06 ;;
		0) sleep 0.1 ;;
		esac
		pid=$(cat "$SL_DATA_DIR/db/k/gc/daemon.lock" 2> /dev/null || true)
		if [ -n "$pid" ] && ls -l "/proc/$pid/fd" 2> /dev/null | grep -q -F "$SL_DATA_DIR/"; then
			kill -9 "$pid" && kills=$((kills + 1))
		fi
	done
	kill_data_dir
	[ "$acked" = $((2 * rounds)) ]
	# live committers were killed (the others had committed and exited)
	[ "$kills" -ge $((rounds / 20)) ] || { echo "kills: $kills" >&2; false; }
	echo "# kills: $kills" >&3
	# any program touching the table commits what the log holds
	run -0 sl-scan db.k
	[ "$(count k)" = "$acked" ]
	[ "$(sl-sql -N -B -e "select count(distinct id) from db.k")" = "$acked" ]
	[ "$(sl-sql -N -B -e "select min(id), max(id) from db.k")" = "$(printf '2\t%d' $((2 * rounds + 1)))" ]
	run -0 sl-sql -N -B -e "show group commit from db"
	[ "$(grep '^k' <<< "$output" | cut -f2-4)" = "$(printf '0\t0\t0')" ]
	run -0 sl-fsck db
}
