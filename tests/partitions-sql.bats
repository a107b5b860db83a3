#!/usr/bin/env bats
# Partitions through SQL: CREATE TABLE with PARTITION BY (its partitions
# made with the table), SHOW CREATE TABLE and SHOW [TEMPORARY] PARTITIONS,
# ALTER TABLE ADD/DROP [TEMPORARY] PARTITION, TRUNCATE TABLE [PARTITION],
# SELECT ... PARTITION (...) and pruning by the WHERE; Doris's messages
# and privileges. The reads over partitions with rows are also proven by
# tests/unit/test-sqlpart.c (it writes rows into chosen partitions).
load test_helper

@test "partitions-sql: unit tests of the reads over partitions with rows (pruning, TRUNCATE)" {
	run -0 --separate-stderr "$SL_UNIT/test-sqlpart"
	[[ "$output" == *" passed, 0 failed" ]]
}

# db.r: RANGE over a DATE key; db.l: LIST over a VARCHAR key.
mk_tables() {
	sl-sql -e "CREATE DATABASE db"
	sl-sql -D db -e 'CREATE TABLE r (d DATE NOT NULL, k INT NOT NULL, v INT)
		DUPLICATE KEY(d, k)
		PARTITION BY RANGE(d) (
			PARTITION p1 VALUES LESS THAN ("2020-02-01"),
			PARTITION p2 VALUES LESS THAN ("2020-03-01"),
			PARTITION p3 VALUES [("2020-03-01"), ("2020-04-01"))
		) DISTRIBUTED BY HASH(k) BUCKETS 1'
	sl-sql -D db -e 'CREATE TABLE l (c VARCHAR(10) NOT NULL, v INT)
		DUPLICATE KEY(c)
		PARTITION BY LIST(c) (
			PARTITION pa VALUES IN ("a", "b"),
			PARTITION pc VALUES IN ("c")
		) DISTRIBUTED BY HASH(c) BUCKETS 1'
}

# The partitions of db.T as "name" lines (temp: TEMPORARY).
names() { sl-sql -N -B -D db -e "SHOW ${2:-} PARTITIONS FROM $1" | cut -f2; }

@test "partitions-sql: CREATE TABLE makes its partitions; SHOW PARTITIONS lists them in Doris's columns" {
	mk_tables
	run -0 --separate-stderr sl-sql -B -D db -e "SHOW PARTITIONS FROM r"
	[ "$stderr" = "" ]
	[ "${lines[0]}" = "$(printf 'PartitionId\tPartitionName\tVisibleVersion\tVisibleVersionTime\tState\tPartitionKey\tRange\tDistributionKey\tBuckets\tReplicationNum\tStorageMedium\tCooldownTime\tRemoteStoragePolicy\tLastConsistencyCheckTime\tDataSize\tIsInMemory\tReplicaAllocation\tIsMutable\tSyncWithBaseTables\tUnsyncTables\tCommittedVersion\tRowCount')" ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(cut -f2 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "p1 p2 p3 " ]
	# ids are distinct numbers; the table's constants; no rows yet
	[ "$(cut -f1 <<<"$output" | tail -n +2 | sort -u | grep -c '^[0-9][0-9]*$')" -eq 3 ]
	[ "$(sed -n 2p <<<"$output" | cut -f5-6,8-12,15-19,21-22)" = "$(printf 'NORMAL\td\tk\t1\t1\tHDD\t9999-12-31 23:59:59\t0.000 \tfalse\ttag.location.default: 1\ttrue\ttrue\t0\t0')" ]
	# the Range as Doris prints it: the first partition from the type's minimum
	[[ "$(sed -n 2p <<<"$output" | cut -f7)" == *"keys: [2020-02-01]; )" ]]
	[[ "$(sed -n 3p <<<"$output" | cut -f7)" == "[types: [DATE]; keys: [2020-02-01]; ..types: [DATE]; keys: [2020-03-01]; )" ]]
	run -0 names l
	[ "$output" = "$(printf 'pa\npc')" ]
	run -0 names r TEMPORARY
	[ "$output" = "" ]
}

@test "partitions-sql: an unpartitioned table shows one partition named as the table" {
	seed_table
	run -0 --separate-stderr sl-sql -N -B -e "SHOW PARTITIONS FROM testdb.test_streamload"
	[ "$stderr" = "" ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cut -f2,5-9 <<<"$output")" = "$(printf 'test_streamload\tNORMAL\t\t\tuser_id\t10')" ]
}

@test "partitions-sql: SHOW CREATE TABLE renders the current partitions and runs again" {
	mk_tables
	run -0 --separate-stderr sl-sql -BNr -D db -e "SHOW CREATE TABLE r"
	[ "$stderr" = "" ]
	[[ "$output" == *"PARTITION BY RANGE(\`d\`)"* ]]
	[[ "$output" == *"PARTITION \`p2\` VALUES [(\"2020-02-01\"), (\"2020-03-01\"))"* ]]
	sl-sql -D db -e "ALTER TABLE r ADD PARTITION p4 VALUES LESS THAN (\"2020-05-01\")"
	sl-sql -BNr -D db -e "SHOW CREATE TABLE r" | cut -f2- > ddl.sql
	grep -q 'PARTITION `p4` VALUES \[("2020-04-01"), ("2020-05-01"))' ddl.sql
	sl-sql -D db -e "DROP TABLE r"
	run -0 --separate-stderr sl-sql -D db ddl.sql
	[ "$stderr" = "" ]
	run -0 names r
	[ "$output" = "$(printf 'p1\np2\np3\np4')" ]
}

@test "partitions-sql: CREATE TABLE with a bad partition list creates nothing" {
	sl-sql -e "CREATE DATABASE db"
	run -1 --separate-stderr sl-sql -D db -e 'CREATE TABLE t (k INT NOT NULL, v INT) DUPLICATE KEY(k)
		PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION P1 VALUES LESS THAN ("20"))
		DISTRIBUTED BY HASH(k) BUCKETS 1'
	[[ "$stderr" == "sl-sql: ERROR 1105 (HY000): "*"Duplicate partition name P1"* ]]
	run -1 --separate-stderr sl-sql -D db -e 'CREATE TABLE t (k INT NOT NULL, v INT) DUPLICATE KEY(k)
		PARTITION BY RANGE(k) (PARTITION p1 VALUES [("0"), ("10")), PARTITION p2 VALUES [("5"), ("20")))
		DISTRIBUTED BY HASH(k) BUCKETS 1'
	[[ "$stderr" == *"is intersected with range"* ]]
	run -0 sl-sql -N -D db -e "SHOW TABLES"
	[ "$output" = "" ]
}

@test "partitions-sql: ALTER TABLE ADD PARTITION (LESS THAN from the last bound, IF NOT EXISTS, TEMPORARY) and its refusals" {
	mk_tables
	sl-sql -D db -e 'ALTER TABLE r ADD PARTITION p4 VALUES LESS THAN ("2020-05-01")'
	run -0 sl-sql -N -B -D db -e "SHOW PARTITIONS FROM r"
	[ "$(sed -n 4p <<<"$output" | cut -f2,7)" = "$(printf 'p4\t[types: [DATE]; keys: [2020-04-01]; ..types: [DATE]; keys: [2020-05-01]; )')" ]
	t() { run -1 --separate-stderr sl-sql -D db -e "$1"; [ "$output" = "" ]; [[ "$stderr" == "sl-sql: ERROR $2"* ]] || { echo "$stderr"; false; }; }
	t 'ALTER TABLE r ADD PARTITION P4 VALUES LESS THAN ("2020-06-01")' "1105 (HY000): Duplicate partition name P4"
	t 'ALTER TABLE r ADD PARTITION p9 VALUES [("2020-01-15"), ("2020-01-20"))' "1105 (HY000): Range"
	t 'ALTER TABLE l ADD PARTITION px VALUES IN ("c", "d")' "1105 (HY000): "
	t 'ALTER TABLE testdb.nope ADD PARTITION p VALUES IN ("x")' "1049 (42000): Unknown database 'testdb'"
	t 'ALTER TABLE nope ADD PARTITION p VALUES IN ("x")' "1051 (42S02): Unknown table 'nope'"
	t 'ALTER TABLE r ADD PARTITION p9 VALUES' "1"
	t 'ALTER TABLE r RENAME r2' "1105 (HY000): ALTER TABLE other than ADD or DROP [TEMPORARY] PARTITION is not supported yet (at position 15)"
	# IF NOT EXISTS: nothing changes
	run -0 --separate-stderr sl-sql -D db -e 'ALTER TABLE r ADD PARTITION IF NOT EXISTS p4 VALUES LESS THAN ("2020-09-01")'
	[ "$stderr" = "" ]
	run -0 names r
	[ "$output" = "$(printf 'p1\np2\np3\np4')" ]
	# a temporary partition may overlap the formal ones; only the temporary list shows it
	sl-sql -D db -e 'ALTER TABLE r ADD TEMPORARY PARTITION tp1 VALUES [("2020-01-01"), ("2020-03-01"))'
	run -0 names r TEMPORARY
	[ "$output" = "tp1" ]
	run -0 names r
	[ "$output" = "$(printf 'p1\np2\np3\np4')" ]
	# an unpartitioned table
	seed_table
	t 'ALTER TABLE testdb.test_streamload ADD PARTITION p VALUES LESS THAN ("1")' "1105 (HY000): Alter table [test_streamload] failed. Not a partitioned table"
}

@test "partitions-sql: ALTER TABLE DROP [TEMPORARY] PARTITION [IF EXISTS] [FORCE]" {
	mk_tables
	sl-sql -D db -e 'ALTER TABLE r ADD TEMPORARY PARTITION tp1 VALUES [("2020-01-01"), ("2020-03-01"))'
	run -0 --separate-stderr sl-sql -D db -e "ALTER TABLE r DROP PARTITION P2"
	[ "$stderr" = "" ]
	run -0 names r
	[ "$output" = "$(printf 'p1\np3')" ]
	t() { run -1 --separate-stderr sl-sql -D db -e "$1"; [ "$output" = "" ]; [ "$stderr" = "sl-sql: ERROR $2" ]; }
	t "ALTER TABLE r DROP PARTITION p2" "1507 (HY000): Error in list of partitions to p2"
	t "ALTER TABLE r DROP PARTITION tp1" "1507 (HY000): Error in list of partitions to tp1"
	t "ALTER TABLE r DROP TEMPORARY PARTITION p1" "1507 (HY000): Error in list of partitions to p1"
	run -0 sl-sql -D db -e "ALTER TABLE r DROP PARTITION IF EXISTS p2; ALTER TABLE db.r DROP TEMPORARY PARTITION tp1 FORCE"
	run -0 names r TEMPORARY
	[ "$output" = "" ]
	# the range p2 held is free again (p3's lower bound stays 2020-03-01)
	sl-sql -D db -e 'ALTER TABLE r ADD PARTITION p2b VALUES [("2020-02-01"), ("2020-03-01"))'
	run -0 names r
	[ "$(sort <<<"$output")" = "$(printf 'p1\np2b\np3')" ]
	# the last partitions may go: the table stays, with none
	sl-sql -D db -e "ALTER TABLE l DROP PARTITION pa; ALTER TABLE l DROP PARTITION pc"
	run -0 names l
	[ "$output" = "" ]
	seed_table
	t "ALTER TABLE testdb.test_streamload DROP PARTITION test_streamload" "1105 (HY000): Alter table [test_streamload] failed. Not a partitioned table"
	t "ALTER TABLE testdb.test_streamload DROP PARTITION p" "1507 (HY000): Error in list of partitions to p"
}

@test "partitions-sql: TRUNCATE TABLE empties the table; its partition keeps its name with a new id" {
	seed_table
	sl-load -H column_separator:, -T streamload_example.csv testdb.test_streamload > /dev/null
	id0=$(sl-sql -N -B -e "SHOW PARTITIONS FROM testdb.test_streamload" | cut -f1)
	run -0 sl-sql -N -B -e "SHOW PARTITIONS FROM testdb.test_streamload"
	[ "$(cut -f22 <<<"$output")" = "10" ]
	run -0 --separate-stderr sl-sql -e "TRUNCATE TABLE testdb.test_streamload"
	[ "$stderr" = "" ]
	run -0 sl-sql -N -B -e "SELECT count(*) FROM testdb.test_streamload; SHOW PARTITIONS FROM testdb.test_streamload"
	[ "${lines[0]}" = "0" ]
	[ "$(cut -f2,22 <<<"${lines[1]}")" = "$(printf 'test_streamload\t0')" ]
	[ "$(cut -f1 <<<"${lines[1]}")" != "$id0" ]
	# loads go on into the new partition; TRUNCATE ... PARTITION (name of the table)
	sl-load -H column_separator:, -T streamload_example.csv testdb.test_streamload > /dev/null
	run -0 sl-sql -N -e "SELECT count(*) FROM testdb.test_streamload"
	[ "$output" = "10" ]
	run -0 sl-sql -D testdb -e "TRUNCATE TABLE test_streamload PARTITION (test_streamload)"
	run -0 sl-sql -N -e "SELECT count(*) FROM testdb.test_streamload"
	[ "$output" = "0" ]
}

@test "partitions-sql: TRUNCATE TABLE t PARTITION (...) renews only those; the whole table drops temporary ones" {
	mk_tables
	sl-sql -D db -e 'ALTER TABLE r ADD TEMPORARY PARTITION tp1 VALUES [("2020-01-01"), ("2020-03-01"))'
	before=$(sl-sql -N -B -D db -e "SHOW PARTITIONS FROM r" | cut -f1,2)
	run -0 --separate-stderr sl-sql -D db -e "TRUNCATE TABLE r PARTITION (p1, P3, p1)"
	[ "$stderr" = "" ]
	after=$(sl-sql -N -B -D db -e "SHOW PARTITIONS FROM r" | cut -f1,2)
	[ "$(cut -f2 <<<"$after" | tr '\n' ' ')" = "p1 p2 p3 " ]
	# p2 untouched, p1 and p3 new ids
	[ "$(sed -n 2p <<<"$after")" = "$(sed -n 2p <<<"$before")" ]
	[ "$(sed -n 1p <<<"$after")" != "$(sed -n 1p <<<"$before")" ]
	[ "$(sed -n 3p <<<"$after")" != "$(sed -n 3p <<<"$before")" ]
	run -0 names r TEMPORARY
	[ "$output" = "tp1" ]
	run -1 --separate-stderr sl-sql -D db -e "TRUNCATE TABLE r PARTITION (p1, p9)"
	[ "$stderr" = "sl-sql: ERROR 1105 (HY000): Partition p9 does not exist" ]
	[ "$(sl-sql -N -B -D db -e "SHOW PARTITIONS FROM r" | cut -f1,2)" = "$after" ]
	run -0 sl-sql -D db -e "TRUNCATE TABLE r"
	[ "$(names r; names r TEMPORARY)" = "$(printf 'p1\np2\np3')" ]
}

@test "partitions-sql: SELECT ... PARTITION and TEMPORARY PARTITION over empty partitions; unknown names" {
	mk_tables
	sl-sql -D db -e 'ALTER TABLE r ADD TEMPORARY PARTITION tp1 VALUES [("2020-01-01"), ("2020-03-01"))'
	run -0 --separate-stderr sl-sql -N -D db -e "SELECT count(*) FROM r PARTITION (p1, p2); SELECT count(*) FROM r PARTITIONS (p3) x;
		SELECT count(*) FROM r PARTITION p1; SELECT count(*) FROM db.r TEMPORARY PARTITION (tp1) AS t WHERE k > 1;
		SELECT count(*) FROM r WHERE d = '2020-02-03'"
	[ "$stderr" = "" ]
	[ "$output" = "$(printf '0\n0\n0\n0\n0')" ]
	t() { run -1 --separate-stderr sl-sql -D db -e "$1"; [ "$output" = "" ]; [ "$stderr" = "sl-sql: ERROR $2" ]; }
	t "SELECT * FROM r PARTITION (p1, p9)" "1105 (HY000): Partition: p9 is not exists on table r"
	t "SELECT * FROM db.r PARTITION (tp1)" "1105 (HY000): Partition: tp1 is not exists on table db.r"
	t "SELECT * FROM r TEMPORARY PARTITION (p1)" "1105 (HY000): Partition: p1 is not exists on table r"
	t "SELECT * FROM r PARTITION ()" "1064 (42000): syntax error at position 28 near ')'"
	t "SELECT * FROM r TEMPORARY x" "1064 (42000): syntax error at position 27 near 'x'"
	# an unpartitioned table: its one partition, named as the table
	seed_table
	sl-load -H column_separator:, -T streamload_example.csv testdb.test_streamload > /dev/null
	run -0 sl-sql -N -D testdb -e "SELECT count(*) FROM test_streamload PARTITION (test_streamload)"
	[ "$output" = "10" ]
	t "SELECT count(*) FROM testdb.test_streamload PARTITION (p1)" "1105 (HY000): Partition: p1 is not exists on table testdb.test_streamload"
}

@test "partitions-sql: privileges: ALTER needs ALTER_PRIV (ALL), TRUNCATE LOAD_PRIV, SHOW PARTITIONS any" {
	mk_tables
	sl-sql -e "CREATE USER ld IDENTIFIED BY 'p'; GRANT LOAD_PRIV ON db.r TO ld;
		CREATE USER sel IDENTIFIED BY 'p'; GRANT SELECT_PRIV ON db.l TO sel;
		CREATE USER adm IDENTIFIED BY 'p'; GRANT ALL ON db.* TO adm"
	t() { run -1 --separate-stderr sl-sql -u "$1" -pp -D db -e "$2"; [ "$output" = "" ]; [ "$stderr" = "sl-sql: ERROR $3" ]; }
	t ld "ALTER TABLE r DROP PARTITION p1" "1142 (42000): ALTER command denied to user 'ld'@'%' for table 'db.r'"
	t ld 'ALTER TABLE r ADD PARTITION p9 VALUES LESS THAN ("2021-01-01")' "1142 (42000): ALTER command denied to user 'ld'@'%' for table 'db.r'"
	t sel "TRUNCATE TABLE l" "1142 (42000): LOAD command denied to user 'sel'@'%' for table 'db.l'"
	t sel "SHOW PARTITIONS FROM r" "1142 (42000): SHOW PARTITIONS command denied to user 'sel'@'%' for table 'db.r'"
	# a denial does not tell whether the table exists
	t sel "SHOW PARTITIONS FROM nope" "1142 (42000): SHOW PARTITIONS command denied to user 'sel'@'%' for table 'db.nope'"
	run -0 names r
	[ "$output" = "$(printf 'p1\np2\np3')" ]
	run -0 --separate-stderr sl-sql -u ld -pp -D db -e "TRUNCATE TABLE r PARTITION (p2); SHOW PARTITIONS FROM r"
	[ "$stderr" = "" ]
	run -0 sl-sql -u sel -pp -N -B -D db -e "SHOW PARTITIONS FROM l"
	[ "${#lines[@]}" -eq 2 ]
	run -0 --separate-stderr sl-sql -u adm -pp -D db -e "ALTER TABLE r DROP PARTITION p1; ALTER TABLE l ADD PARTITION pd VALUES IN ('d')"
	[ "$stderr" = "" ]
	run -0 names r
	[ "$output" = "$(printf 'p2\np3')" ]
}

@test "partitions-sql: two concurrent ALTER ADDs of overlapping ranges: one wins, the other is refused" {
	sl-sql -e "CREATE DATABASE db"
	sl-sql -D db -e 'CREATE TABLE t (k INT NOT NULL, v INT) DUPLICATE KEY(k)
		PARTITION BY RANGE(k) (PARTITION p0 VALUES [("0"), ("1"))) DISTRIBUTED BY HASH(k) BUCKETS 1'
	for i in $(seq 1 6); do
		sl-sql -D db -e "ALTER TABLE t ADD PARTITION a$i VALUES [(\"$((i * 10))\"), (\"$((i * 10 + 10))\"))" 2> a$i.err &
		sl-sql -D db -e "ALTER TABLE t ADD PARTITION b$i VALUES [(\"$((i * 10 + 5))\"), (\"$((i * 10 + 15))\"))" 2> b$i.err &
	done
	wait
	run -0 sl-sql -N -B -D db -e "SHOW PARTITIONS FROM t"
	# a1..a6 overlap each other's neighbours through b: no two kept ranges meet
	ranges=$(cut -f2 <<<"$output" | while read -r p; do
		n=${p#?}; case $p in a*) echo "$((n * 10)) $((n * 10 + 10))";; b*) echo "$((n * 10 + 5)) $((n * 10 + 15))";; esac
	done | sort -n)
	prev=0
	while read -r lo hi; do [ "$lo" -ge "$prev" ]; prev=$hi; done <<<"$ranges"
	# every refused one says why
	for f in a*.err b*.err; do
		[ ! -s "$f" ] || grep -q "is intersected with range" "$f"
	done
	[ "$(cat a*.err b*.err | grep -c .)" -eq $((12 - ${#lines[@]} + 1)) ]
}

@test "partitions-sql: a table created with no partitions (AUTO, or an empty list) has none until one is added" {
	sl-sql -e "CREATE DATABASE db"
	sl-sql -D db -e "CREATE TABLE a (d DATE NOT NULL, k INT NOT NULL) DUPLICATE KEY(d, k)
		AUTO PARTITION BY RANGE (date_trunc(\`d\`, 'month')) () DISTRIBUTED BY HASH(k) BUCKETS 1;
		CREATE TABLE t (k INT NOT NULL) DUPLICATE KEY(k) PARTITION BY RANGE(k) () DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 --separate-stderr sl-sql -N -D db -e "SHOW PARTITIONS FROM a; SHOW PARTITIONS FROM t; SELECT count(*) FROM a; TRUNCATE TABLE a"
	[ "$stderr" = "" ]
	[ "$output" = "0" ]
	run -0 sl-sql -BNr -D db -e "SHOW CREATE TABLE t"
	[[ "$output" == *"PARTITION BY RANGE(\`k\`)
()"* ]]
	run -1 --separate-stderr sl-sql -D db -e "ALTER TABLE t DROP PARTITION t"
	[ "$stderr" = "sl-sql: ERROR 1507 (HY000): Error in list of partitions to t" ]
	sl-sql -D db -e "ALTER TABLE a ADD PARTITION p1 VALUES [('2020-01-01'), ('2020-02-01'));
		ALTER TABLE t ADD PARTITION IF NOT EXISTS x VALUES LESS THAN ('5')"
	run -0 sl-sql -N -B -D db -e "SHOW PARTITIONS FROM a; SHOW PARTITIONS FROM t"
	[ "$(cut -f2,7 <<<"$output")" = "$(printf 'p1\t[types: [DATE]; keys: [2020-01-01]; ..types: [DATE]; keys: [2020-02-01]; )\nx\t[types: [INT]; keys: [-2147483648]; ..types: [INT]; keys: [5]; )')" ]
	# a load fills p1 and creates the AUTO partition of February
	printf '2020-01-05,1\n2020-02-07,2\n' > a.csv
	sl-load -H column_separator:, -T a.csv db.a > /dev/null
	run -0 sl-sql -N -B -D db -e "SHOW PARTITIONS FROM a"
	[ "$(cut -f2,22 <<<"$output")" = "$(printf 'p1\t1\np20200201000000\t1')" ]
	run -0 sl-sql -N -D db -e "SELECT k FROM a WHERE d >= '2020-02-01'; SELECT k FROM a PARTITION (p1)"
	[ "$output" = "$(printf '2\n1')" ]
}
