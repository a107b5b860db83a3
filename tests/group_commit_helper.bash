# Shared by tests/group-commit*.bats: a database db with a DUPLICATE
# table per test, the answer's fields, and a crash of the data directory.

# gc_setup TABLE [PROPERTIES...]: a fresh data directory, database db and
# db.TABLE (id INT, name VARCHAR(20), age INT) with those properties.
gc_setup() {
	local t=$1 props=
	shift
	[ $# -eq 0 ] || props="PROPERTIES ($*)"
	setup_data_dir
	server_pid=
	printf '1,a,30\n2,b,40\n' > a.csv
	sl-sql -e "CREATE DATABASE db; CREATE TABLE db.$t (id INT, name VARCHAR(20), age INT)
		DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 $props"
}

# kill_data_dir: SIGKILL every process of ours (sl-*) with a file of the
# data directory open (loads, the detached committers), as a crash would.
kill_data_dir() {
	local p
	for p in $(pgrep '^sl-'); do
		if ls -l "/proc/$p/fd" 2> /dev/null | grep -q -F "$SL_DATA_DIR/"; then
			kill -9 "$p" 2> /dev/null || true
		fi
	done
}

gc_teardown() {
	httpd_stop
	kill_data_dir
}

count() { sl-sql -N -B -e "select count(*) from db.${1:-t}"; }
# field KEY: the value of "KEY" in the answer on stdin, without quotes
field() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"//; s/"$//'; }

# wait_visible TABLE: poll (up to 10 s) until db.TABLE has rows
wait_visible() {
	local i
	for ((i = 0; i < 250; i++)); do
		[ "$(count "$1")" = 0 ] || return 0
		sleep 0.04
	done
	return 1
}
