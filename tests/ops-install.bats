#!/usr/bin/env bats
# make install / uninstall (PREFIX, DESTDIR, BINDIR, MANDIR, UNITDIR), the
# build flags taken from the environment, the LICENSE, the version's one
# place. Installs the binaries under test ($SL_BIN) into scratch roots;
# never builds (make -o bins).
load test_helper

setup() { setup_data_dir; }

# make in the tree with the binaries under test, without rebuilding them
mk() { make -s -C "$SL_ROOT" -o bins OUTDIR="$SL_BIN" "$@"; }

# every file and symbolic link under a directory, one a line
files() { (cd "$1" && find . -type f -o -type l | sort); }

@test "install: DESTDIR + PREFIX=/usr puts binaries, man pages and units in place; uninstall leaves nothing" {
	local D=$BATS_TEST_TMPDIR/x b
	run -0 mk install DESTDIR="$D" PREFIX=/usr
	for b in $(sed -n 's/^BINS = //p' "$SL_ROOT/Makefile"); do
		[ -x "$D/usr/bin/$b" ] || { echo "no $b"; false; }
		cmp "$D/usr/bin/$b" "$SL_BIN/$b"
	done
	[ "$(ls "$D/usr/share/man/man1" | wc -l)" = "$(ls "$SL_ROOT"/man/*.1 | wc -l)" ]
	[ -f "$D/usr/share/man/man5/sl-store.5" ] && [ -f "$D/usr/share/man/man7/sl.7" ]
	[ -f "$D/usr/share/man/man8/sl-httpd.8" ]
	[ "$(stat -c %a "$D/usr/share/man/man8/sl-httpd.8")" = 644 ]
	[ "$(stat -c %a "$D/usr/bin/sl-load")" = 755 ]
	# the units, with the installed binaries' directory in ExecStart
	[ "$(ls "$D/usr/lib/systemd/system" | wc -l)" = "$(ls "$SL_ROOT"/examples/*.service "$SL_ROOT"/examples/*.socket | wc -l)" ]
	grep -qx 'ExecStart=/usr/bin/sl-httpd --data-dir /var/lib/streamload -c 200 -v 1' \
		"$D/usr/lib/systemd/system/sl-httpd-listen.service"
	grep -q '^ExecStart=/usr/bin/sl-httpd --inetd ' "$D/usr/lib/systemd/system/sl-httpd@.service"
	! grep -r '@BINDIR@' "$D"
	# nothing outside PREFIX
	[ "$(ls "$D")" = usr ]
	run -0 mk uninstall DESTDIR="$D" PREFIX=/usr
	[ "$(files "$D")" = "" ]
	[ "$(find "$D" -mindepth 1)" = "" ]
}

@test "install: BINDIR, MANDIR and UNITDIR each move their part; units name that BINDIR" {
	local D=$BATS_TEST_TMPDIR/y
	run -0 mk install DESTDIR="$D" PREFIX=/opt/sl BINDIR=/usr/sbin MANDIR=/opt/sl/man UNITDIR=/lib/systemd/system
	[ -x "$D/usr/sbin/sl-httpd" ] && [ -x "$D/usr/sbin/sl-mysqld" ]
	[ -f "$D/opt/sl/man/man1/sl-load.1" ]
	grep -q '^ExecStart=/usr/sbin/sl-mysqld ' "$D/lib/systemd/system/sl-mysqld.service"
	[ ! -e "$D/opt/sl/bin" ] && [ ! -e "$D/opt/sl/lib" ]
	# a file install did not write stays; so does its directory
	touch "$D/usr/sbin/other"
	run -0 mk uninstall DESTDIR="$D" PREFIX=/opt/sl BINDIR=/usr/sbin MANDIR=/opt/sl/man UNITDIR=/lib/systemd/system
	[ "$(files "$D")" = "./usr/sbin/other" ]
}

@test "install: the default PREFIX is /usr/local" {
	local D=$BATS_TEST_TMPDIR/z
	run -0 mk install DESTDIR="$D"
	[ -x "$D/usr/local/bin/sl-sql" ] && [ -f "$D/usr/local/share/man/man1/sl-sql.1" ]
	grep -q '^ExecStart=/usr/local/bin/sl-httpd ' "$D/usr/local/lib/systemd/system/sl-httpd-listen.service"
	run -0 mk uninstall DESTDIR="$D"
	[ "$(files "$D")" = "" ]
}

@test "build flags: CPPFLAGS, CFLAGS and LDFLAGS as given; -Werror unless WERROR=" {
	local o=$BATS_TEST_TMPDIR/b
	# a dry run (-n -B) of one object and one binary in a scratch build dir
	run -0 make -s -C "$SL_ROOT" -n -B BUILD="$o" OUTDIR="$o/bin" CPPFLAGS=-DSL_T_CPP CFLAGS='-O1 -gline' \
		LDFLAGS=-Wl,-O9 "$o/libcommon/hex.o" "$o/bin/sl-scan"
	[[ "$output" == *"-Werror"*"-DSL_T_CPP -O1 -gline -c -o $o/libcommon/hex.o libcommon/hex.c"* ]]
	[[ "$output" == *"-O1 -gline -Wl,-O9 -o $o/bin/sl-scan"* ]]
	[[ "$output" != *"-O2"* ]]
	run -0 make -s -C "$SL_ROOT" -n -B BUILD="$o" OUTDIR="$o/bin" WERROR= "$o/libcommon/hex.o"
	[[ "$output" == *"-Wall -Wextra "* ]]
	[[ "$output" != *"-Werror"* ]]
	# from the environment too (dpkg-buildflags exports them)
	CPPFLAGS=-DSL_T_ENV run -0 make -s -C "$SL_ROOT" -n -B BUILD="$o" OUTDIR="$o/bin" "$o/libcommon/hex.o"
	[[ "$output" == *"-DSL_T_ENV"* ]]
}

@test "version: one place, the Makefile's VERSION; the Debian changelog names it too" {
	local v
	v=$(sed -n 's/^VERSION = //p' "$SL_ROOT/Makefile")
	[ "$(grep -c '^VERSION = ' "$SL_ROOT/Makefile")" = 1 ]
	[ "$(sed -n '1s/^streamload (\([^)]*\)).*/\1/p' "$SL_ROOT/debian/changelog")" = "$v" ]
	# no binary carries a version of its own
	! grep -rn '(streamload)' "$SL_ROOT/cmd"
	# outside a git checkout the Makefile's VERSION alone
	mkdir t && cp -r "$SL_ROOT/Makefile" "$SL_ROOT/mk" t/
	run -0 make -s -C t -n -B BUILD=b OUTDIR=b/bin b/gen/slversion.h
	[[ "$output" == *"#define SL_VERSION \"$v\""* ]]
	run -0 make -s -C t -n -B BUILD=b OUTDIR=b/bin VERSION=1.2.3 b/gen/slversion.h
	[[ "$output" == *"#define SL_VERSION \"1.2.3\""* ]]
}

@test "LICENSE: Apache-2.0, the text Debian ships" {
	[ -f "$SL_ROOT/LICENSE" ]
	if [ -f /usr/share/common-licenses/Apache-2.0 ]; then
		cmp "$SL_ROOT/LICENSE" /usr/share/common-licenses/Apache-2.0
	fi
	grep -q 'Apache License' "$SL_ROOT/LICENSE"
	grep -q 'Version 2.0, January 2004' "$SL_ROOT/LICENSE"
}
