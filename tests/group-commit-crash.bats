#!/usr/bin/env bats
# group_commit's crash safety (man/sl-store.5 Group commit): async loads are
# durable in the table's log when answered and committed exactly once, even
# when every process of the data directory dies right after the answer.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE db"
	sl-sql -e "CREATE TABLE db.t (id INT, name VARCHAR(20), age INT)
		DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	printf '1,a,30\n2,b,40\n' > a.csv
	server_pid=
}

teardown() {
	httpd_stop
	kill_data_dir
}

# kill_data_dir: SIGKILL every process with a file of the data directory
# open (loads, the detached committers), as a crash would.
kill_data_dir() {
	local p
	for p in $(find /proc/[0-9]*/fd -lname "$SL_DATA_DIR/*" 2> /dev/null | cut -d/ -f3 | sort -u); do
		[ "$p" != $$ ] && kill -9 "$p" 2> /dev/null || true
	done
}

count() { sl-sql -N -B -e "select count(*) from db.${1:-t}"; }
field() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"//; s/"$//'; }

@test "async_mode: SIGKILL of every process of the data directory right after each answer loses and repeats nothing" {
	sl-sql -e "CREATE TABLE db.k (id INT, name VARCHAR(20), age INT) DUPLICATE KEY(id)
		DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ('group_commit_interval_ms' = '30')"
	local i rounds=100 acked=0
	# under the sanitizers fewer rounds: the release run proves the count
	[ -z "${SL_SAN:-}" ] || rounds=20
	for ((i = 1; i <= rounds; i++)); do
		printf '%d,r,%d\n%d,s,%d\n' "$((2 * i))" "$i" "$((2 * i + 1))" "$i" > k.csv
		if sl-load -H column_separator:, -H group_commit:async_mode -T k.csv db.k > ans 2> /dev/null &&
		   [ "$(field Status < ans)" = Success ]; then
			acked=$((acked + 2))
		fi
		# kill at a varying point of the committer's work
		case $((i % 4)) in
		1) ;;
		2) sleep 0.01 ;;
		3) sleep 0.03 ;;
		0) sleep 0.05 ;;
		esac
		kill_data_dir
	done
	[ "$acked" = $((2 * rounds)) ]
	# any program touching the table commits what the log holds
	run -0 sl-scan db.k
	[ "$(count k)" = "$acked" ]
	[ "$(sl-sql -N -B -e "select count(distinct id) from db.k")" = "$acked" ]
	[ "$(sl-sql -N -B -e "select min(id), max(id) from db.k")" = "$(printf '2\t%d' $((2 * rounds + 1)))" ]
	run -0 sl-sql -N -B -e "show group commit from db"
	[ "$(grep '^k' <<< "$output" | cut -f2-4)" = "$(printf '0\t0\t0')" ]
	run -0 sl-fsck db
}
