#!/usr/bin/env bats
# sl-mysqld through JDBC (issue 14, acceptance 3): Debian's MariaDB
# Connector/J (libmariadb-java) on OpenJDK 17 runs tests/jdbc/SlJdbc.java,
# compiled here by javac. Out of tests/run (the JVM and javac take
# seconds): `make test-jdbc`, which `make test` runs.
# test_helper's defaults are relative to tests/: these are from tests/jdbc
: "${SL_BIN:=$BATS_TEST_DIRNAME/../../bin}"
: "${SL_UNIT:=$BATS_TEST_DIRNAME/../../build/rel/tests/unit}"
load ../test_helper
load ../mysqld_helper

JAR=/usr/share/java/mariadb-java-client.jar

setup_file() {
	command -v javac > /dev/null && [ -r "$JAR" ] || return 0
	mkdir -p "$BATS_FILE_TMPDIR/classes"
	javac -d "$BATS_FILE_TMPDIR/classes" -cp "$JAR" "$BATS_TEST_DIRNAME/SlJdbc.java"
}

setup() {
	command -v java > /dev/null && [ -r "$JAR" ] || skip "openjdk-17-jdk-headless and libmariadb-java are not installed"
	setup_data_dir
	server_pid=
	sl-sql -e "CREATE DATABASE jdb;
		CREATE TABLE jdb.typed (id INT, name VARCHAR(20), d DATE, amount DECIMAL(10,2), note STRING, ts DATETIME, f DOUBLE, big BIGINT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1;
		CREATE TABLE jdb.big (id BIGINT, name VARCHAR(40)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2;
		CREATE USER 'jan' IDENTIFIED BY 'pw-j1'; GRANT SELECT_PRIV ON jdb.* TO 'jan'"
	printf '1\ta\t2024-01-01\t1.5\tx\t2024-01-01 10:00:00\t1.5\t1\n2\tit'"'"'s b\t2024-02-29\t-0.5\t\\N\t\\N\t\\N\t\\N\n3\tc\t1999-12-31\t12345.67\t\\N\t1999-12-31 23:59:59\t2.25\t9000000000\n' > typed.tsv
	sl-load -T typed.tsv jdb.typed > /dev/null
	awk 'BEGIN { for (i = 1; i <= 10000; i++) printf "%d\tn%d\n", i, i }' > big.tsv
	sl-load -T big.tsv jdb.big > /dev/null
	mysqld_start
}

teardown() { mysqld_stop; }

# jdbc USER PASSWORD MODE: SlJdbc against the server.
jdbc() { java -cp "$JAR:$BATS_FILE_TMPDIR/classes" SlJdbc "$port" "$@"; }

@test "jdbc: metadata (product, tables, columns of several types) as Connector/J reads it" {
	run -0 jdbc jan pw-j1 meta
	[ "$output" = "product MySQL 5.7.99
table jdb.big TABLE
table jdb.typed TABLE
column id 4 INT 10 YES 1
column name 12 VARCHAR 20 YES 2
column d 91 DATE 10 YES 3
column amount 3 DECIMAL 10 YES 4
column note -1 TEXT 2147483643 YES 5
column ts 93 DATETIME 19 YES 6
column f 8 DOUBLE 22 YES 7
column big -5 BIGINT 19 YES 8" ]
}

@test "jdbc: a PreparedStatement with int, string, date, decimal and null parameters, executed twice" {
	run -0 jdbc jan pw-j1 params
	[ "$output" = "col id 4
col name 12
col d 91
col amount 3
row 2 it's b 2024-02-29 -0.50
row 3 c 1999-12-31 12345.67" ]
}

@test "jdbc: 10,000 rows read and checked one by one" {
	run -0 jdbc jan pw-j1 rows
	[ "$output" = "10000 50005000" ]
}

@test "jdbc: a wrong password is SQLException 1045 / 28000" {
	run -2 jdbc jan wrong wrongpw
	[[ "${lines[0]}" == "SQLException 1045 28000: "*"Access denied for user 'jan'@'127.0.0.1' (using password: YES)" ]]
}

@test "jdbc: parameters sent in pieces (setCharacterStream, setBinaryStream: COM_STMT_SEND_LONG_DATA)" {
	run -0 jdbc jan pw-j1 longdata
	[ "$output" = "long 100000 tuvwxyzabcd 5" ]
}
