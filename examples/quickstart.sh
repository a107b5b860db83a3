#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# quickstart.sh -- the README session, run for real: create a database and
# the seed's table, load the seed's 10-row CSV with sl-load, count, then do
# the same load again as an explicit five-stage pipeline and count again.
#
#   examples/quickstart.sh [WORKDIR]
#
# WORKDIR (default: a new temporary directory) gets a `bin` symlink to the
# binaries, copies of the example files and the data directory ./sl-data,
# so every command printed below can be pasted there as it is. Binaries come
# from $SL_BIN, else bin/ at the repository root. Each command is printed
# with a "$ " prompt, followed by its output. Exits non-zero if any step
# fails or a count is not what the session promises.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${SL_BIN:-$root/bin}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac

for p in sl-sql sl-load sl-parse sl-map sl-filter sl-txn sl-commit; do
	if [ ! -x "$bin/$p" ]; then
		echo "quickstart.sh: fatal: $bin/$p is missing: run make first" >&2
		exit 111
	fi
done

if [ $# -gt 0 ]; then
	work=$1
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/sl-quickstart.XXXXXX")
fi
cd "$work"
if [ -e sl-data ]; then
	echo "quickstart.sh: fatal: $work/sl-data already exists; give an empty WORKDIR" >&2
	exit 100
fi
ln -sfn "$bin" bin
cp "$here/create_table.sql" "$here/streamload_example.csv" .
# The session uses the default data directory, ./sl-data in WORKDIR.
unset SL_DATA_DIR

# show CMD: print "$ CMD", run it through sh, fail if it fails.
show() {
	printf '$ %s\n' "$1"
	sh -c "$1" || { rc=$?; echo "quickstart.sh: fatal: exit $rc from: $1" >&2; exit "$rc"; }
}

# count: the table's row count, checked against $1.
count() {
	printf '$ %s\n' 'bin/sl-sql -e "select count(*) from testdb.test_streamload"'
	out=$(bin/sl-sql -e "select count(*) from testdb.test_streamload") || exit $?
	printf '%s\n' "$out"
	n=$(bin/sl-sql -N -B -e "select count(*) from testdb.test_streamload") || exit $?
	if [ "$n" != "$1" ]; then
		echo "quickstart.sh: fatal: expected $1 rows, the table has $n" >&2
		exit 1
	fi
}

echo "# in $work"
show 'bin/sl-sql -e "CREATE DATABASE testdb"'
show 'bin/sl-sql < create_table.sql'
show 'bin/sl-load -H "column_separator:," -H "columns:user_id,name,age" \
    -T streamload_example.csv testdb.test_streamload'
count 10
echo
echo "# the same load as an explicit pipeline"
show 'bin/sl-parse -H column_separator:, < streamload_example.csv \
  | bin/sl-map -H columns:user_id,name,age testdb.test_streamload \
  | bin/sl-filter | bin/sl-txn testdb.test_streamload | bin/sl-commit'
count 20
show 'bin/sl-sql -e "select * from testdb.test_streamload where user_id <= 3 order by user_id, name"'
echo
echo "# done; the table stays in $work/sl-data: cd $work and try bin/sl-sql -e 'desc testdb.test_streamload'"
