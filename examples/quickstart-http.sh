#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# quickstart-http.sh -- the quickstart over HTTP, run for real: start
# sl-httpd on a free port of 127.0.0.1 over a new data directory, create the
# seed's database and table with sl-sql, load the seed's 10-row CSV with the
# seed's own curl command, count through the query API, stop the server.
#
#   examples/quickstart-http.sh [WORKDIR]
#
# WORKDIR (default: a new temporary directory) gets a `bin` symlink to the
# binaries, copies of the example files and the data directory ./sl-data.
# Binaries come from $SL_BIN, else bin/ at the repository root. Each
# command is printed with a "$ " prompt, followed by its output. Exits
# non-zero if any step fails or the count is not 10.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${SL_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac

die() { echo "quickstart-http.sh: fatal: $1" >&2; exit "${2:-111}"; }

for p in sl-httpd sl-sql sl-parse sl-map sl-filter sl-txn sl-commit; do
	[ -x "$bin/$p" ] || die "$bin/$p is missing: run make first"
done
command -v curl > /dev/null || die "curl is missing: make deps (or apt-get install curl)"

if [ $# -gt 0 ]; then
	work=$1
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/sl-quickstart-http.XXXXXX")
fi
cd "$work"
[ ! -e sl-data ] || die "$work/sl-data already exists; give an empty WORKDIR" 100
ln -sfn "$bin" bin
cp "$here/create_table.sql" "$here/streamload_example.csv" .
unset SL_DATA_DIR

# show CMD: print "$ CMD", run it through sh, fail if it fails.
show() {
	printf '$ %s\n' "$1"
	sh -c "$1" || { rc=$?; echo "quickstart-http.sh: fatal: exit $rc from: $1" >&2; exit "$rc"; }
}

# show_quiet CMD: the same, with CMD's stderr (curl's progress meter when
# its output is not a terminal) shown only if CMD fails.
show_quiet() {
	printf '$ %s\n' "$1"
	sh -c "$1" 2> stderr.txt || {
		rc=$?
		cat stderr.txt >&2
		echo "quickstart-http.sh: fatal: exit $rc from: $1" >&2
		exit "$rc"
	}
}

echo "# in $work"
show 'bin/sl-sql -e "CREATE DATABASE testdb"'
show 'bin/sl-sql < create_table.sql'

# The server: port 0 picks a free port, -1 prints it once listening.
printf '$ %s\n' 'bin/sl-httpd --listen 127.0.0.1:0 -1 > port 2> sl-httpd.log &'
bin/sl-httpd --listen 127.0.0.1:0 -1 > port 2> sl-httpd.log &
server=$!
trap 'kill $server 2> /dev/null || true; wait $server 2> /dev/null || true' EXIT
trap 'exit 130' INT TERM
i=0
port=
while [ $i -lt 500 ]; do
	port=$(sed -n '1{s/.*://;p;q;}' port)
	case $port in [1-9]*) break ;; esac
	kill -0 $server 2> /dev/null || die "sl-httpd exited: $(cat sl-httpd.log)"
	sleep 0.02
	i=$((i + 1))
done
case $port in [1-9]*) ;; *) die "sl-httpd did not print its port" ;; esac
show 'cat port'

show_quiet "curl --location-trusted -u root: -H \"Expect:100-continue\" -H \"column_separator:,\" \\
    -H \"columns:user_id,name,age\" -T streamload_example.csv \\
    -XPUT http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load"

q='{"stmt":"select count(*) from testdb.test_streamload"}'
printf '$ %s\n' "curl -u root: -H 'Content-Type: application/json' -d '$q' \\
    http://127.0.0.1:$port/api/query/default_cluster/testdb"
out=$(curl -sS -u root: -H 'Content-Type: application/json' -d "$q" \
	"http://127.0.0.1:$port/api/query/default_cluster/testdb") || die "the query API failed"
printf '%s\n' "$out"
case $(printf '%s' "$out" | tr -d ' \t\n') in
*'"data":[[10]]'*) ;;
*) die "expected a count of 10 from the query API" 1 ;;
esac

printf '$ %s\n' 'kill %1'
kill $server
wait $server 2> /dev/null || true
trap - EXIT
echo
echo "# done; the table stays in $work/sl-data: cd $work and try bin/sl-httpd (port 8030) or bin/sl-sql"
