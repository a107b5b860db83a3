#!/usr/bin/env bats
# sl-load's progress line on a terminal (progress.h): under script(1) the
# line shows the bytes of the total, rows, rows/s, MB/s and the ETA, or a
# spinner for a pipe; not when stderr is not a terminal or with
# --no-progress; --progress forces it.
load test_helper

setup() {
	setup_data_dir
	seed_table
	command -v script > /dev/null || skip "script(1) (bsdutils) is not installed"
	seq 1 300000 | awk '{ print $1 ",n" $1 "," $1 % 90 }' > big.csv
}

# on_tty CMD: CMD run with a terminal as stdin, stdout and stderr; all it wrote in $output
on_tty() { run -0 script -qfec "$1" /dev/null; }
T=testdb.test_streamload

@test "ops-progress: on a terminal, bytes of the total, rows, rows/s, MB/s and ETA; the last line is whole" {
	t0=$(date +%s%N)
	on_tty "sl-load -H column_separator:, -T big.csv $T"
	t1=$(date +%s%N)
	[[ "$output" == *'"Status": "Success"'* ]]
	# at most 10 redraws a second (and the last one)
	draws=$(grep -o 'rows/s' <<<"$output" | wc -l)
	[ "$draws" -le $(( (t1 - t0) / 100000000 + 4 )) ]
	last=$(tr '\r' '\n' <<<"$output" | grep -a 'rows/s' | tail -n 1)
	[[ "$last" =~ ^\[100%\]\ [0-9.]+\ MB\ of\ [0-9.]+\ MB,\ 300000\ rows,\ [0-9]+\ rows/s,\ [0-9.]+\ MB/s,\ ETA\ 0:00:00 ]]
	run -0 sl-sql -N -B -e "SELECT count(*) FROM $T"
	[ "$output" = 300000 ]
}

@test "ops-progress: a body on a pipe: a spinner, bytes and rows counted as they pass" {
	on_tty "cat big.csv | sl-load -H column_separator:, -T - $T"
	[[ "$output" == *'"Status": "Success"'* ]]
	last=$(tr '\r' '\n' <<<"$output" | grep -a 'rows/s' | tail -n 1)
	[[ "$last" =~ ^\[\ [-/|\\]\ \]\ [0-9.]+\ MB,\ 300000\ rows,\ [0-9]+\ rows/s,\ [0-9.]+\ MB/s ]]
	[[ "$last" != *ETA* ]]
}

@test "ops-progress: not when stderr is not a terminal, nor with --no-progress; --progress forces it" {
	run -0 --separate-stderr sl-load -H column_separator:, -T big.csv $T
	[ "$stderr" = "" ]
	on_tty "sl-load --no-progress -H column_separator:, -T big.csv $T"
	[[ "$output" != *'rows/s'* ]]
	[[ "$output" == *'"Status": "Success"'* ]]
	run -0 --separate-stderr sl-load --progress -H column_separator:, -T big.csv $T
	[[ "$stderr" == *'[100%]'*'rows/s'* ]]
	[[ "$output" == *'"Status": "Success"'* ]]
	# its stdout stays the answer alone
	[[ "$output" != *'rows/s'* ]]
}

@test "ops-progress: a compressed body shows bytes but no rows (lines are not rows there)" {
	gzip -k big.csv
	run -0 --separate-stderr sl-load --progress -H column_separator:, -H compress_type:gz -T big.csv.gz $T
	[[ "$output" == *'"NumberLoadedRows": 300000'* ]]
	last=$(tr '\r' '\n' <<<"$stderr" | grep -a 'MB/s' | tail -n 1)
	[[ "$last" == '[100%] '*' MB/s, ETA '* ]]
	[[ "$last" != *rows* ]]
}

@test "ops-progress: unit tests of the progress line" {
	run -0 --separate-stderr "$SL_UNIT/test-progress"
	[[ "$output" == *" passed, 0 failed" ]]
}
