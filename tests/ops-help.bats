#!/usr/bin/env bats
# --help and --version of every binary (the Makefile's BINS): what they
# print, and that --help lists the same options as the man page's OPTIONS.
load test_helper

setup() { setup_data_dir; }

# The binaries, as the Makefile lists them.
bins() { sed -n 's/^BINS = //p' "$SL_ROOT/Makefile"; }

# The man page of a binary: man/NAME.N (one section per binary).
man_page() { (cd "$SL_ROOT/man" && ls "$1".[1-8]); }

# The options a --help text lists: its lines "  -x ARG, --long=ARG  text",
# the names before the two blanks that end them, one a line, sorted.
help_opts() {
	sed -n 's/^  \(-[^ ].*\)/\1/p' | sed 's/  .*//' | tr ',' '\n' |
		sed -n 's/^ *\(--[a-z0-9][a-z0-9-]*\|-[A-Za-z0-9]\).*/\1/p' | sort -u
}

# The options a man page's OPTIONS section names in its .It lines (Fl X
# is -X; Fl -long is --long), one a line, sorted.
man_opts() {
	awk '/^\.Sh OPTIONS/ { on = 1; next } /^\.Sh / { on = 0 }
		on && /^\.It / {
			for (i = 2; i < NF; i++)
				if ($i == "Fl" && $(i + 1) ~ /^-?[A-Za-z0-9][-A-Za-z0-9]*$/ && $(i + 1) !~ /^[A-Z][a-z]$/)
					print "-" $(i + 1)
		}' "$SL_ROOT/man/$1" | sort -u
}

@test "ops-help: every binary answers --help on stdout: usage, its options, its man page" {
	local b page
	[ "$(bins | wc -w)" -ge 13 ]
	for b in $(bins); do
		page=$(man_page "$b")
		run -0 --separate-stderr "$b" --help
		[ "$stderr" = "" ] || { echo "$b: $stderr"; false; }
		[[ "${lines[0]}" == "usage: $b "* ]] || { echo "$b: ${lines[0]}"; false; }
		[ "${lines[-1]}" = "See ${page%.*}(${page##*.})." ] || { echo "$b: ${lines[-1]}"; false; }
		# every option line has its text after the names
		[ "$(printf '%s\n' "$output" | grep -c '^  -')" -ge 3 ]
		! printf '%s\n' "$output" | grep '^  -' | grep -v '^  -[^ ].*  [a-z0-9]'
		# -h says the same
		run -0 "$b" -h
		[ "${lines[-1]}" = "See ${page%.*}(${page##*.})." ]
	done
}

@test "ops-help: every binary answers --version: NAME (streamload) VERSION, the Makefile's" {
	local b v
	v=$(sed -n 's/^VERSION = //p' "$SL_ROOT/Makefile")
	[[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	for b in $(bins); do
		run -0 --separate-stderr "$b" --version
		[ "$stderr" = "" ]
		[ "${#lines[@]}" = 1 ]
		[[ "$output" == "$b (streamload) $v" || "$output" == "$b (streamload) $v"[-+]* ]] ||
			{ echo "$b: $output"; false; }
	done
	# one version for all: the one object they link
	run -0 sl-sql --version
	local one=${output#sl-sql (streamload) }
	run -0 sl-httpd --version
	[ "${output#sl-httpd (streamload) }" = "$one" ]
	run -0 "$SL_UNIT/test-version"
}

@test "ops-help: --help lists the options of the man page's OPTIONS, and only those" {
	local b page bad=0
	for b in $(bins); do
		page=$(man_page "$b")
		"$b" --help | help_opts > help.txt
		man_opts "$page" > man.txt
		[ -s man.txt ] && [ -s help.txt ]
		grep -qx -- --version man.txt
		grep -qx -- --help help.txt
		if ! diff -u --label "$b --help" --label "man/$page" help.txt man.txt; then
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}

@test "ops-help: the comparison sees an option missing on either side" {
	printf '.Sh OPTIONS\n.Bl -tag\n.It Fl a , Fl -all\nx\n.It Fl -only-man Ar n\ny\n.It Fl p Ns Ar pw , Fl -pw Ns = Ns Ar pw\n.El\n.Sh FILES\n.It Fl z\n' \
		> "$BATS_TEST_TMPDIR/t.1"
	SL_ROOT=$BATS_TEST_TMPDIR; mkdir -p man; mv t.1 man/
	run -0 man_opts t.1
	[ "$output" = "$(printf '%s\n' --all --only-man --pw -a -p | sort)" ]
	run -0 help_opts <<-'EOF'
	usage: t [-a]
	  -a, --all            all
	  -pPW, --pw[=PW]      the password
	  --only-help N        not in the page
	See t(1).
	EOF
	[ "$output" = "$(printf '%s\n' --all --only-help --pw -a -p | sort)" ]
}

@test "ops-help: a usage error shows the synopsis only, on stderr, exit 100" {
	local b
	for b in $(bins); do
		run -100 --separate-stderr "$b" --no-such-option
		[ "$output" = "" ]
		[[ "$stderr" == "$b: usage: $b "* ]] || { echo "$b: $stderr"; false; }
		[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
		[[ "$stderr" != *"See "* ]]
	done
}

@test "ops-help: --help and --version fail with 111 when stdout cannot be written" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -111 bash -c "sl-map --help > /dev/full"
	run -111 bash -c "sl-fsck --version > /dev/full"
}
