# Shared setup for every bats file: the build directory first on PATH, a
# fresh data directory per test, and helpers to build and inspect frames.
bats_require_minimum_version 1.5.0

: "${SL_BIN:=$BATS_TEST_DIRNAME/../bin}"
: "${SL_UNIT:=$BATS_TEST_DIRNAME/../build/rel/tests/unit}"
SL_BIN=$(cd "$SL_BIN" && pwd)
export SL_BIN SL_UNIT
PATH="$SL_BIN:$PATH"
# Debian's python3 (DEB_PKGS), not a version manager's shim that PATH may
# find first: such a shim costs a third of a second a call
if [ -x /usr/bin/python3 ]; then
	python3() { /usr/bin/python3 "$@"; }
fi
export SL_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"

setup_data_dir() {
	export SL_DATA_DIR="$BATS_TEST_TMPDIR/data"
	mkdir -p "$SL_DATA_DIR"
	cd "$BATS_TEST_TMPDIR"
}

# The seed's table and 10-row file, in the current directory.
seed_table() {
	sl-sql -e "CREATE DATABASE IF NOT EXISTS testdb"
	sl-sql < "$SL_ROOT/examples/create_table.sql"
	cp "$SL_ROOT/examples/streamload_example.csv" .
}

# man_examples PAGE: the .Bd -literal blocks of man/PAGE's EXAMPLES section
# as one shell script (\e -> \), a blank line after each block.
man_examples() {
	awk '/^\.Sh EXAMPLES/ { ex = 1; next } /^\.Sh / { ex = 0 }
		ex && /^\.Bd -literal/ { lit = 1; next } ex && /^\.Ed/ { lit = 0; print ""; next }
		ex && lit { gsub(/\\e/, "\\"); print }' "$SL_ROOT/man/$1"
}

# For EXAMPLES written as a session ("$ command" lines, each followed by
# its output): man_session PAGE prints the commands, man_shown PAGE the
# output the page shows (blank lines left out).
man_session() { man_examples "$1" | sed -n 's/^\$ //p'; }
man_shown() { man_examples "$1" | grep -v -e '^\$ ' -e '^$'; }

# Print a file (or stdin) as hex bytes, one line.
hex() { od -An -tx1 -v "$@" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

# frame TYPE FLAGS PAYLOAD-HEX: one frame as raw bytes on stdout.
frame() {
	local type=$1 flags=$2 payload=${3:-}
	local len=$(( ${#payload} / 2 ))
	printf "\\x$(printf %02x "'$type")\\x$(printf %02x "$flags")\\x00\\x00"
	printf "\\x$(printf %02x $((len >> 24 & 255)))\\x$(printf %02x $((len >> 16 & 255)))\\x$(printf %02x $((len >> 8 & 255)))\\x$(printf %02x $((len & 255)))"
	local i
	for ((i = 0; i < ${#payload}; i += 2)); do printf "\\x${payload:i:2}"; done
}

# field TEXT: hex of a length-prefixed field (u32 BE length + bytes).
field() {
	local s=$1 n=${#1}
	printf '%08x' "$n"
	printf '%s' "$s" | od -An -tx1 -v | tr -d ' \n'
}
null_field() { printf 'ffffffff'; }

# Mask the timing fields of a stream-load JSON answer.
mask_times() { sed -E 's/("[A-Za-z]*TimeMs": )[0-9]+/\1N/'; }

# answer STATUS MESSAGE TOTAL LOADED FILTERED UNSELECTED BYTES [2PC] [LABEL] [TXN]:
# the stream-load answer as mask_times leaves it, without ErrorURL,
# FirstErrorMsg and the closing brace. TXN defaults to ID (a masked id) for
# Success and Fail, else -1.
answer() {
	local txn=${10:-} label=${9:-UUID}
	if [ -z "$txn" ]; then
		txn=ID
		[ "$1" = Success ] || [ "$1" = Fail ] || txn=-1
	fi
	cat <<EOF
{
    "TxnId": $txn,
    "Label": "$label",
    "Comment": "",
    "TwoPhaseCommit": "${8:-false}",
    "Status": "$1",
    "Message": "$2",
    "NumberTotalRows": $3,
    "NumberLoadedRows": $4,
    "NumberFilteredRows": $5,
    "NumberUnselectedRows": $6,
    "LoadBytes": $7,
    "LoadTimeMs": N,
    "BeginTxnTimeMs": N,
    "StreamLoadPutTimeMs": N,
    "ReadDataTimeMs": N,
    "WriteDataTimeMs": N,
    "ReceiveDataTimeMs": N,
    "CommitAndPublishTimeMs": N
EOF
}

setup() { setup_data_dir; }

# httpd_start [ARGS...]: sl-httpd on 127.0.0.1 (a free port, in $port) over
# $SL_DATA_DIR, its stderr (the server's log) in $BATS_TEST_TMPDIR/server.err;
# httpd_stop stops it by PID and fails on a sanitizer report in that log.
httpd_start() {
	local i p
	sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 "$@" > "$BATS_TEST_TMPDIR/server.port" \
		2> "$BATS_TEST_TMPDIR/server.err" 3>&- &
	server_pid=$!
	for ((i = 0; i < 500; i++)); do
		if IFS= read -r p 2> /dev/null < "$BATS_TEST_TMPDIR/server.port"; then
			port=${p##*:}
			return 0
		fi
		kill -0 "$server_pid" 2> /dev/null || { cat "$BATS_TEST_TMPDIR/server.err" >&2; return 1; }
		sleep 0.02
	done
	return 1
}

httpd_stop() {
	if [ -n "${server_pid:-}" ]; then
		kill "$server_pid" 2> /dev/null || true
		wait "$server_pid" 2> /dev/null || true
		server_pid=
	fi
	if grep -q -e 'AddressSanitizer' -e 'runtime error:' -e 'LeakSanitizer' "$BATS_TEST_TMPDIR/server.err" 2> /dev/null; then
		cat "$BATS_TEST_TMPDIR/server.err" >&2
		return 1
	fi
}

# wait_txn_open FILE: wait (up to 60 s) until the sl-txn writing FILE has
# begun its transaction (its first C frame, with TxnId, is out): a load
# held open by a test is then visible to other loads, however busy the
# machine is.
wait_txn_open() {
	local i
	for i in $(seq 1 1200); do
		LC_ALL=C grep -aq TxnId "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "wait_txn_open: no transaction began in $1" >&2
	return 1
}
