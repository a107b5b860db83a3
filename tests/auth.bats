#!/usr/bin/env bats
# Users and grants (libcommon/auth.c) through sl-sql: CREATE/DROP USER,
# SET PASSWORD, GRANT/REVOKE, SHOW GRANTS; hashes only (never a password in
# the data directory), file modes, Doris's error wording, concurrent sl-sql
# runs that lose no update, and sl-load refusing or accepting a user.
load test_helper

# SHOW GRANTS' columns, tab-separated.
HDR=$'UserIdentity\tComment\tPassword\tRoles\tGlobalPrivs\tCatalogPrivs\tDatabasePrivs\tTablePrivs\tResourcePrivs\tWorkloadGroupPrivs'
ROOT_EMPTY=$'\'root\'@\'%\'\tROOT\tNo\toperator\tNode_priv,Admin_priv\tNULL\tNULL\tNULL\tNULL\tNULL'

@test "auth: unit tests (checks, privileges, answers, timing, damaged file)" {
	run -0 --separate-stderr "$SL_UNIT/test-auth"
	[[ "$output" == *" passed, 0 failed" ]]
}

@test "auth: root exists by default with an empty password and nothing on disk" {
	run -0 --separate-stderr sl-sql -e "SHOW GRANTS"
	[ "$stderr" = "" ]
	[ "$output" = "$HDR
$ROOT_EMPTY" ]
	run -0 sl-sql -e "SHOW GRANTS FOR root"
	[ "${lines[1]}" = "$ROOT_EMPTY" ]
	[ ! -e "$SL_DATA_DIR/_auth" ]
}

@test "auth: CREATE USER, GRANT, SHOW GRANTS, REVOKE, DROP USER" {
	run -0 --separate-stderr sl-sql -e "CREATE USER 'jack'@'%' IDENTIFIED BY 'j-pass'; CREATE USER bob"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	run -0 --separate-stderr sl-sql -e "
		GRANT LOAD_PRIV ON testdb.test_streamload TO 'jack'@'%';
		GRANT SELECT_PRIV, LOAD_PRIV ON testdb.* TO jack;
		GRANT SELECT_PRIV ON other.* TO 'jack';
		GRANT ALL PRIVILEGES ON *.* TO 'bob'"
	[ "$stderr" = "" ]
	run -0 --separate-stderr sl-sql -e "SHOW GRANTS FOR 'jack'@'%'"
	[ "$output" = "$HDR
'jack'@'%'		Yes		NULL	NULL	internal.testdb: Select_priv,Load_priv; internal.other: Select_priv	internal.testdb.test_streamload: Load_priv	NULL	NULL" ]
	run -0 --separate-stderr sl-sql -N -e "SHOW ALL GRANTS"
	[ "$output" = "$ROOT_EMPTY
'jack'@'%'		Yes		NULL	NULL	internal.testdb: Select_priv,Load_priv; internal.other: Select_priv	internal.testdb.test_streamload: Load_priv	NULL	NULL
'bob'@'%'		No		Select_priv,Load_priv,Alter_priv,Create_priv,Drop_priv,Show_view_priv	NULL	NULL	NULL	NULL	NULL" ]
	run -0 --separate-stderr sl-sql -e "REVOKE LOAD_PRIV ON testdb.* FROM jack; REVOKE LOAD ON testdb.test_streamload FROM 'jack'@'%'"
	[ "$stderr" = "" ]
	run -0 sl-sql -N -e "SHOW GRANTS FOR jack"
	[ "$output" = "'jack'@'%'		Yes		NULL	NULL	internal.testdb: Select_priv; internal.other: Select_priv	NULL	NULL	NULL" ]
	# a grant in the current database (USE), and the three-part name
	sl-sql -e "CREATE DATABASE d"
	run -0 --separate-stderr sl-sql -D d -e "GRANT LOAD_PRIV ON t TO jack; GRANT SELECT_PRIV ON internal.d.u TO jack"
	run -0 sl-sql -N -e "SHOW GRANTS FOR jack"
	[ "$output" = "'jack'@'%'		Yes		NULL	NULL	internal.testdb: Select_priv; internal.other: Select_priv	internal.d.t: Load_priv; internal.d.u: Select_priv	NULL	NULL" ]
	run -0 --separate-stderr sl-sql -e "DROP USER 'jack'@'%'; DROP USER IF EXISTS jack; CREATE USER IF NOT EXISTS bob IDENTIFIED BY 'x'"
	[ "$stderr" = "" ]
	run -0 sl-sql -N -e "SHOW ALL GRANTS"
	[ "$output" = "$ROOT_EMPTY
'bob'@'%'		No		Select_priv,Load_priv,Alter_priv,Create_priv,Drop_priv,Show_view_priv	NULL	NULL	NULL	NULL	NULL" ]
	# a user created again starts without the old grants
	sl-sql -e "CREATE USER jack"
	run -0 sl-sql -N -e "SHOW GRANTS FOR jack"
	[ "$output" = "'jack'@'%'		No		NULL	NULL	NULL	NULL	NULL	NULL" ]
}

@test "auth: passwords are stored as crypt(3) hashes only; _auth is 0700, its files 0600" {
	sl-sql -e "CREATE USER jack IDENTIFIED BY 'Sup3r-Secret-Pw'; SET PASSWORD FOR root = PASSWORD('R00t-Secret-Pw')"
	run -1 grep -rF -e 'Sup3r-Secret-Pw' -e 'R00t-Secret-Pw' "$SL_DATA_DIR"
	[ "$output" = "" ]
	[ "$(stat -c %a "$SL_DATA_DIR/_auth")" = 700 ]
	[ "$(stat -c %a "$SL_DATA_DIR/_auth/users")" = 600 ]
	[ "$(stat -c %a "$SL_DATA_DIR/_auth/lock")" = 600 ]
	run -0 grep -cE '^user (jack|root) \$(y|6)\$' "$SL_DATA_DIR/_auth/users"
	[ "$output" = 2 ]
	# no temporary file left behind
	run -0 ls -A "$SL_DATA_DIR/_auth"
	[ "$output" = "lock
users" ]
}

@test "auth: SET PASSWORD [FOR u] = PASSWORD('p') or 'p'; root becomes explicit" {
	sl-sql -e "CREATE USER jack"
	run -0 sl-sql -N -e "SHOW GRANTS FOR jack"
	[ "$(cut -f3 <<<"$output")" = No ]
	run -0 --separate-stderr sl-sql -e "SET PASSWORD FOR 'jack'@'%' = PASSWORD('p1')"
	run -0 sl-sql -N -e "SHOW GRANTS FOR jack"
	[ "$(cut -f3 <<<"$output")" = Yes ]
	run -0 --separate-stderr sl-sql -e "SET PASSWORD FOR jack = ''"
	run -0 sl-sql -N -e "SHOW GRANTS FOR jack"
	[ "$(cut -f3 <<<"$output")" = No ]
	# without FOR: root, the user sl-sql acts as
	run -0 --separate-stderr sl-sql -e "SET PASSWORD = 'rootpw'"
	run -0 sl-sql -N -e "SHOW GRANTS"
	[ "$(cut -f1,3 <<<"$output")" = "'root'@'%'	Yes" ]
	run -0 sl-sql -e "SET PASSWORD FOR root = PASSWORD('')"
	run -0 sl-sql -N -e "SHOW GRANTS"
	[ "$output" = "$ROOT_EMPTY" ]
}

@test "auth: errors in Doris's and MySQL's words, exit 1, nothing changed" {
	sl-sql -e "CREATE USER jack IDENTIFIED BY 'p'"
	cp "$SL_DATA_DIR/_auth/users" before
	t() { run -1 --separate-stderr sl-sql -e "$1"; [ "$output" = "" ]; [ "$stderr" = "sl-sql: ERROR $2" ]; }
	t "CREATE USER jack" "1396 (HY000): Operation CREATE USER failed for 'jack'@'%'"
	t "CREATE USER 'root'@'%' IDENTIFIED BY 'x'" "1396 (HY000): Operation CREATE USER failed for 'root'@'%'"
	t "DROP USER nobody" "1396 (HY000): Operation DROP USER failed for 'nobody'@'%'"
	t "DROP USER root" "1396 (HY000): Operation DROP USER failed for 'root'@'%'"
	t "SET PASSWORD FOR nobody = PASSWORD('x')" "1105 (HY000): user 'nobody'@'%' does not exist"
	t "GRANT LOAD_PRIV ON testdb.* TO nobody" "1105 (HY000): user 'nobody'@'%' does not exist"
	t "REVOKE LOAD_PRIV ON testdb.* FROM nobody" "1105 (HY000): user 'nobody'@'%' does not exist"
	t "REVOKE LOAD_PRIV ON testdb.* FROM jack" "1141 (42000): There is no such grant defined for user 'jack' on host '%'"
	t "SHOW GRANTS FOR nobody" "1105 (HY000): user 'nobody'@'%' does not exist"
	t "CREATE USER 'eve'@'localhost'" "1105 (HY000): host 'localhost' is not supported: users are 'name'@'%' (any host)"
	t "CREATE USER '1eve'" "1105 (HY000): Incorrect user name '1eve': a letter, then letters, digits, '.', '-' or '_', at most 64"
	t "CREATE USER 'e ve'" "1105 (HY000): Incorrect user name 'e ve': a letter, then letters, digits, '.', '-' or '_', at most 64"
	t "GRANT ALTER_PRIV ON testdb.* TO jack" "1105 (HY000): privilege 'ALTER_PRIV' is not supported (LOAD_PRIV, SELECT_PRIV, ALL)"
	t "GRANT LOAD_PRIV ON *.t TO jack" "1064 (42000): syntax error at position 20 near '*'"
	t "GRANT LOAD_PRIV ON t TO jack" "1046 (3D000): No database selected"
	t "GRANT LOAD_PRIV ON \`a b\`.* TO jack" "1102 (42000): Incorrect database name 'a b'"
	t "GRANT LOAD_PRIV ON hive.d.t TO jack" "1105 (HY000): Unknown catalog 'hive'"
	t "GRANT LOAD_PRIV testdb.* TO jack" "1064 (42000): syntax error at position 17 near 'testdb'"
	t "GRANT LOAD_PRIV ON testdb.* jack" "1064 (42000): syntax error at position 29 near 'jack'"
	t "REVOKE LOAD_PRIV ON testdb.* TO jack" "1064 (42000): syntax error at position 30 near 'TO'"
	t "CREATE USER bob IDENTIFIED 'x'" "1064 (42000): syntax error at position 28 near ''x''"
	t "CREATE USER bob IDENTIFIED BY 'x' extra" "1064 (42000): syntax error at position 35 near 'extra'"
	t "SET PASSWORD FOR jack PASSWORD('x')" "1064 (42000): syntax error at position 23 near 'PASSWORD'"
	t "DROP USER" "1064 (42000): syntax error at end of input (position 10)"
	cmp before "$SL_DATA_DIR/_auth/users"
	# IF [NOT] EXISTS turn the first two into no-ops
	run -0 --separate-stderr sl-sql -e "CREATE USER IF NOT EXISTS jack; DROP USER IF EXISTS nobody"
	[ "$stderr" = "" ]
	cmp before "$SL_DATA_DIR/_auth/users"
}

@test "auth: a damaged users file fails closed (exit 100), it is never rewritten" {
	sl-sql -e "CREATE USER jack"
	echo "garbage line" >> "$SL_DATA_DIR/_auth/users"
	cp "$SL_DATA_DIR/_auth/users" before
	run -100 --separate-stderr sl-sql -e "CREATE USER bob"
	[ "$stderr" = "sl-sql: fatal: unable to update the users file: Protocol error" ]
	run -100 --separate-stderr sl-sql -e "SHOW GRANTS"
	[ "$stderr" = "sl-sql: fatal: unable to read the users file: Protocol error" ]
	cmp before "$SL_DATA_DIR/_auth/users"
}

@test "auth: concurrent sl-sql runs lose no update" {
	for w in a b c d; do
		( for i in $(seq 1 15); do sl-sql -e "CREATE USER u${w}$i; GRANT LOAD_PRIV ON db.* TO u${w}$i" || exit 1; done ) &
	done
	wait
	run -0 sl-sql -N -e "SHOW ALL GRANTS"
	[ "${#lines[@]}" = 61 ]
	run -0 grep -c '^grant ' "$SL_DATA_DIR/_auth/users"
	[ "$output" = 60 ]
}

@test "auth: sl-load -u: unknown user, wrong password, no LOAD_PRIV refused; a granted user loads" {
	seed_table
	sl-sql -e "CREATE USER jack IDENTIFIED BY 'jpw'; CREATE USER ro IDENTIFIED BY 'rpw'; GRANT SELECT_PRIV ON testdb.* TO ro"
	msg() { sed -n 's/^    "Message": "\(.*\)",$/\1/p'; }
	run -1 sl-load -u nobody:x -H column_separator:, -T streamload_example.csv testdb.test_streamload
	[ "$(msg <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for user 'nobody@127.0.0.1' (using password: YES)" ]
	run -1 sl-load -u jack: -H column_separator:, -T streamload_example.csv testdb.test_streamload
	[ "$(msg <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for user 'jack@127.0.0.1' (using password: NO)" ]
	run -1 sl-load -u ro:rpw -H column_separator:, -T streamload_example.csv testdb.test_streamload
	[ "$(msg <<<"$output")" = "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied; you need (at least one of) the (LOAD) privilege(s) for this operation" ]
	run -1 sl-load -u jack:jpw -H column_separator:, -T streamload_example.csv testdb.test_streamload
	[[ "$(msg <<<"$output")" == *"the (LOAD) privilege(s)"* ]]
	sl-sql -e "GRANT LOAD_PRIV ON testdb.test_streamload TO jack"
	run -0 sl-load -u jack:jpw -H column_separator:, -T streamload_example.csv testdb.test_streamload
	[ "$(msg <<<"$output")" = "OK" ]
	run -0 sl-sql -N -e "SELECT count(*) FROM testdb.test_streamload"
	[ "$output" = 10 ]
}
