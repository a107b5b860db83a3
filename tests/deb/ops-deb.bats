#!/usr/bin/env bats
# The Debian package (debian/): built with dpkg-buildpackage from a scratch
# copy of the tree, extracted with dpkg -x into a scratch root, and the
# installed sl-httpd started as its systemd unit would start it, then the
# seed's quick start loaded through it with the installed binaries.
# `make test-deb` runs it (not tests/run: the build compiles everything).
bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() {
	command -v dpkg-buildpackage > /dev/null || skip "dpkg-dev is not installed (make deps)"
	local src=$BATS_FILE_TMPDIR/src
	mkdir -p "$src"
	# the tracked files as they are now (or, outside git, the tree without
	# what a build leaves)
	if git -C "$ROOT" rev-parse --git-dir > /dev/null 2>&1; then
		(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$src")
	else
		tar -C "$ROOT" --exclude=./build --exclude=./bin --exclude=./tests/node/node_modules \
			--exclude=./sl-data -cf - . | tar -C "$src" -xf -
	fi
	(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
		> "$BATS_FILE_TMPDIR/build.log" 2>&1 || { tail -40 "$BATS_FILE_TMPDIR/build.log" >&3; return 1; }
	ls "$BATS_FILE_TMPDIR"/streamload_*.deb > /dev/null
	dpkg -x "$BATS_FILE_TMPDIR"/streamload_*.deb "$BATS_FILE_TMPDIR/root"
	dpkg-deb -e "$BATS_FILE_TMPDIR"/streamload_*.deb "$BATS_FILE_TMPDIR/control"
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	unset SL_DATA_DIR
	R=$BATS_FILE_TMPDIR/root
}

teardown() {
	[ -z "${server:-}" ] || { kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; }
}

@test "deb: the package is the Makefile's version and holds binaries, man pages, units" {
	local v b
	v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
	[ -f "$BATS_FILE_TMPDIR/streamload_${v}_$(dpkg --print-architecture).deb" ]
	grep -q "^Version: $v\$" "$BATS_FILE_TMPDIR/control/control"
	grep -q '^Depends: .*adduser' "$BATS_FILE_TMPDIR/control/control"
	grep -q '^Depends: .*libjq1' "$BATS_FILE_TMPDIR/control/control"
	grep -q '^Depends: .*libcurl4' "$BATS_FILE_TMPDIR/control/control"
	for b in $(sed -n 's/^BINS = //p' "$ROOT/Makefile"); do
		[ -x "$R/usr/bin/$b" ] || { echo "no /usr/bin/$b"; false; }
		ls "$R"/usr/share/man/man[1-8]/"$b".[1-8].gz > /dev/null
		# built outside git: the Makefile's version alone
		run -0 "$R/usr/bin/$b" --version
		[ "$output" = "$b (streamload) $v" ]
	done
	[ -f "$R/usr/share/man/man5/sl-store.5.gz" ] && [ -f "$R/usr/share/man/man7/sl.7.gz" ]
	[ -f "$R/usr/share/doc/streamload/copyright" ]
	for u in sl-httpd.socket sl-httpd@.service sl-httpd-listen.socket sl-httpd-listen.service \
		sl-mysqld.socket sl-mysqld.service sl-jobd.service; do
		[ -f "$R/lib/systemd/system/$u" ] || { echo "no unit $u"; false; }
	done
	# the units name the installed binaries
	grep -q '^ExecStart=/usr/bin/sl-httpd --data-dir /var/lib/streamload ' "$R/lib/systemd/system/sl-httpd-listen.service"
	grep -q '^ExecStart=/usr/bin/sl-mysqld ' "$R/lib/systemd/system/sl-mysqld.service"
	! grep -r '@BINDIR@' "$R/lib/systemd/system"
	# nothing else under /usr/local or the build's leftovers
	[ ! -e "$R/usr/local" ]
	[ -z "$(find "$R" -name '*.o' -o -name '*.a' -o -name 'test-*')" ]
}

@test "deb: postinst creates the system user streamload and /var/lib/streamload" {
	local p=$BATS_FILE_TMPDIR/control/postinst
	[ -x "$p" ]
	sh -n "$p"
	grep -q 'adduser --system --group .*streamload' "$p"
	grep -q 'install -d -o streamload -g streamload -m 0700 /var/lib/streamload' "$p"
	grep -q 'User=streamload' "$R/lib/systemd/system/sl-httpd-listen.service"
}

@test "deb: the installed sl-httpd, started as its unit starts it, loads the seed's quick start" {
	local exec port i
	cp "$ROOT/examples/create_table.sql" "$ROOT/examples/streamload_example.csv" .
	mkdir data
	run -0 "$R/usr/bin/sl-sql" --data-dir data -e "CREATE DATABASE testdb"
	"$R/usr/bin/sl-sql" --data-dir data < create_table.sql
	# the unit's ExecStart, with the scratch root's binary and data directory,
	# listening on a free port (systemd would pass the socket)
	exec=$(sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/sl-httpd-listen.service")
	exec=${exec/\/usr\/bin\//$R/usr/bin/}
	exec=${exec/\/var\/lib\/streamload/$BATS_TEST_TMPDIR/data}
	[[ "$exec" == "$R/usr/bin/sl-httpd --data-dir $BATS_TEST_TMPDIR/data "* ]]
	$exec --listen 127.0.0.1:0 -1 > port 2> httpd.log &
	server=$!
	for ((i = 0; i < 500; i++)); do
		port=$(sed -n '1{s/.*://;p;q;}' port)
		[ -z "$port" ] || break
		sleep 0.02
	done
	[ -n "$port" ]
	# the seed's curl command
	run -0 curl -sS --location-trusted -u root: -H "Expect:100-continue" -H "column_separator:," \
		-H "columns:user_id,name,age" -T streamload_example.csv \
		-XPUT "http://127.0.0.1:$port/api/testdb/test_streamload/_stream_load"
	[[ "$output" == *'"Status": "Success"'* ]]
	[[ "$output" == *'"NumberLoadedRows": 10'* ]]
	run -0 curl -sS -u root: -H 'Content-Type: application/json' \
		-d '{"stmt":"select count(*) from testdb.test_streamload"}' \
		"http://127.0.0.1:$port/api/query/default_cluster/testdb"
	[[ "$(tr -d ' \n' <<<"$output")" == *'"data":[[10]]'* ]]
	run -0 "$R/usr/bin/sl-sql" --data-dir data -N -B -e "select count(*) from testdb.test_streamload"
	[ "$output" = 10 ]
}
