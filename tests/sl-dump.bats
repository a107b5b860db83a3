#!/usr/bin/env bats
# sl-dump: any row stream as TSV or JSON lines; metadata on stderr; bad
# and truncated streams.
load test_helper

# hdr NAME TYPE ...: a typed H frame.
hdr() {
	local p="534c0001$(printf %08x $(($# / 2)))"
	while (($#)); do p+="$(field "$1")$(field "$2")"; shift 2; done
	frame H 0 "$p"
}
# end N: an E frame for N rows.
end() { frame E 0 "$(printf %016x "$1")"; }

# A typed stream: k INT, v VARCHAR(10), d DECIMAL(15,2), day DATE, ts DATETIME, b BOOLEAN, big BIGINT.
typed_stream() {
	hdr k INT v 'VARCHAR(10)' d 'DECIMAL(15,2)' day DATE ts DATETIME b BOOLEAN big BIGINT
	frame R 0 "000000040000002a$(field $'a\tb')00000010$(printf %032x 12345)000000040000$(printf %04x 19724)00000008$(printf %016x 1721454511000000)0000000101000000081000000000000001"
	frame R 0 "$(null_field)$(field '')$(null_field)$(null_field)$(null_field)0000000100$(null_field)"
	end 2
}

@test "sl-dump: typed rows as TSV, NULL as \\N, tabs escaped" {
	typed_stream > s.bin
	run -0 --separate-stderr sl-dump < s.bin
	[ "$stderr" = "" ]
	[ "$output" = "$(printf 'k\tv\td\tday\tts\tb\tbig\n42\ta\\tb\t123.45\t2024-01-02\t2024-07-20 05:48:31\t1\t1152921504606846977\n\\N\t\t\\N\t\\N\t\\N\t0\t\\N')" ]
}

@test "sl-dump: --json prints one typed object per row" {
	typed_stream > s.bin
	run -0 --separate-stderr sl-dump --json < s.bin
	[ "$stderr" = "" ]
	[ "${lines[0]}" = '{"k":42,"v":"a\tb","d":123.45,"day":"2024-01-02","ts":"2024-07-20 05:48:31","b":true,"big":"1152921504606846977"}' ]
	[ "${lines[1]}" = '{"k":null,"v":"","d":null,"day":null,"ts":null,"b":false,"big":null}' ]
	[ "${#lines[@]}" = 2 ]
}

@test "sl-dump: a variadic (raw text) stream has no header line; JSON arrays" {
	{ frame H 1 "534c000100000000"; frame R 0 "$(field 1)$(field x)"; frame R 0 "$(field 2)$(null_field)$(field z)"; end 2; } > s.bin
	run -0 --separate-stderr sl-dump < s.bin
	[ "$output" = "$(printf '1\tx\n2\t\\N\tz')" ]
	run -0 --separate-stderr sl-dump --json < s.bin
	[ "$output" = "$(printf '["1","x"]\n["2",null,"z"]')" ]
}

@test "sl-dump: counters and error records go to stderr as # lines" {
	{ frame C 0 "$(field LoadBytes)$(field 118)"; hdr k INT
	  frame F 0 "$(field 'bad value')$(field 'x,y')000000080000000000000003"; end 0; } > s.bin
	run -0 --separate-stderr sl-dump < s.bin
	[ "$output" = "k" ]
	[ "$stderr" = "$(printf '# counters: LoadBytes=118\n# filtered: line 3: bad value: src [x,y]')" ]
}

@test "sl-dump: an abort frame ends the dump with exit 1" {
	{ hdr k INT; frame R 0 "0000000400000001"; frame X 0 "$(field '[INTERNAL_ERROR]boom')$(field '')"; } > s.bin
	run -1 --separate-stderr sl-dump < s.bin
	[ "$output" = "$(printf 'k\n1')" ]
	[ "$stderr" = "sl-dump: fatal: stream aborted upstream: [INTERNAL_ERROR]boom" ]
}

@test "sl-dump: text is not an sl stream (exit 100)" {
	run -100 --separate-stderr sl-dump <<< "hello"
	[ "$output" = "" ]
	[ "$stderr" = "sl-dump: fatal: stdin is not an sl stream" ]
	run -100 --separate-stderr sl-dump <<< "user_id,name,age and more text"
	[ "$stderr" = "sl-dump: fatal: stdin is not an sl stream" ]
}

@test "sl-dump: a truncated stream exits 111 after the rows it could read" {
	typed_stream > s.bin
	head -c 200 s.bin > t.bin
	run -111 --separate-stderr sl-dump < t.bin
	[ "${lines[0]}" = "$(printf 'k\tv\td\tday\tts\tb\tbig')" ]
	[[ "$stderr" == "sl-dump: fatal: truncated stream at byte "*" (no end frame)" ]]
	for n in 0 7 8 50; do
		head -c $n s.bin > t.bin
		run --separate-stderr sl-dump < t.bin
		[ "$status" = 111 ] || [ "$status" = 100 ]
		[[ "$stderr" == "sl-dump: fatal: "* ]]
	done
}

@test "sl-dump: a row with the wrong field count is malformed" {
	{ hdr k INT v STRING; frame R 0 "0000000400000001"; end 1; } > s.bin
	run --separate-stderr sl-dump < s.bin
	[ "$status" = 100 ]
	[[ "$stderr" == "sl-dump: fatal: "* ]]
}

@test "sl-dump: a field of the wrong width for its type is refused" {
	{ hdr k INT; frame R 0 "00000002aaaa"; end 1; } > s.bin
	run -100 --separate-stderr sl-dump < s.bin
	[ "$stderr" = "sl-dump: fatal: malformed row 1: bad value for column k" ]
}

@test "sl-dump: stdout to /dev/full fails with 111" {
	typed_stream > s.bin
	run -111 --separate-stderr bash -c "sl-dump < s.bin > /dev/full"
	[[ "$stderr" == "sl-dump: fatal: unable to write stdout: "* ]]
}

@test "sl-dump: usage errors exit 100, --help exits 0" {
	run -100 --separate-stderr sl-dump --bogus
	[ "$stderr" = "sl-dump: usage: sl-dump [--json] < STREAM" ]
	run -0 --separate-stderr sl-dump --help
	[ "${lines[0]}" = "usage: sl-dump [--json] < STREAM" ]
}

@test "sl-dump: stops at the end frame, so it can read sl-txn directly" {
	seed_table
	run -0 --separate-stderr timeout 20 bash -c \
		'sl-parse -H column_separator:, < streamload_example.csv | sl-map testdb.test_streamload | sl-txn testdb.test_streamload | sl-dump'
	[[ "$stderr" == *"# counters: NumberTotalRows=10 NumberLoadedRows=10 NumberFilteredRows=0 NumberUnselectedRows=0 LoadBytes=118"* ]]
}
