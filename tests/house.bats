#!/usr/bin/env bats
# The shape of the tree (HACKING.md): tests/house-check, one test a rule.
# Sources only, so it runs once (not again for the sanitizer build).

setup() {
	[ -z "${SL_SAN:-}" ] || skip "sources only: checked by the release run"
	command -v ctags >/dev/null || skip "needs Universal Ctags (make deps)"
}

@test "house: no include cycle between modules" {
	run tests/house-check cycles
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "house: no file over 1200 lines" {
	run tests/house-check sizes
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "house: no function over 150 lines" {
	run tests/house-check functions
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "house: no exported symbol named for another module" {
	run tests/house-check prefixes
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "house: no copied blocks of code" {
	run tests/house-check copies
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "house: each function declared in one header" {
	run tests/house-check decls
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "house-check: finds a planted copy, cycle and long function" {
	d=$(mktemp -d)
	mkdir -p "$d/tests" "$d/libcommon" "$d/cmd"
	cp tests/house-check "$d/tests/"
	printf '#include "b.h"\n' > "$d/libcommon/a.h"
	printf '#include "a.h"\nint sl_a_f(void);\n' > "$d/libcommon/b.h"
	printf 'int sl_a_f(void);\n' > "$d/libcommon/c.h"
	{ echo 'int f(void)'; echo '{'; for i in $(seq 1 160); do echo "	x$i();"; done; echo '}'; } > "$d/libcommon/a.c"
	{ echo 'int g(void)'; echo '{'; for i in $(seq 1 8); do echo "	x$i();"; done; echo '}'; } > "$d/cmd/c.c"
	echo 'int sl_a_leak;' > "$d/libcommon/b.c"
	run "$d/tests/house-check"
	rm -rf "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *"include cycle"* ]]
	[[ "$output" == *"function over 150 lines: libcommon/a.c:1 f (163)"* ]]
	[[ "$output" == *"copied block (6 lines): libcommon/a.c:3 and cmd/c.c:3"* || "$output" == *"copied block (6 lines): cmd/c.c:3 and libcommon/a.c:3"* ]]
	[[ "$output" == *"declared in two headers: sl_a_f in libcommon/b.h and libcommon/c.h"* ]]
	[[ "$output" == *"exported symbol names another module: sl_a_leak in libcommon/b.c"* ]]
}
