#!/usr/bin/env bats
# Partitions in the DDL: the unit tests of the partition modules (clauses,
# canonical VALUES texts, routing, AUTO partitions and their names,
# pruning, Doris's displays; test-schema.c has PARTITION BY's parsing and
# runs from models-ddl.bats), and the PARTITION BY refusals of CREATE
# TABLE through sl-sql, each with Doris's message, nothing created.
load test_helper

@test "partitions-ddl: unit tests of the partition modules" {
	run -0 --separate-stderr "$SL_UNIT/test-partition"
	[[ "$output" == *" passed, 0 failed" ]]
}

# CREATE TABLE $1 in database d fails with Doris's message $2.
refused() {
	run -1 --separate-stderr sl-sql -D d -e "CREATE TABLE t $1"
	[ -z "$output" ] || { echo "stdout: $output"; return 1; }
	[ "$stderr" = "sl-sql: ERROR 1105 (HY000): $2" ] || { echo "$1: $stderr"; return 1; }
}

@test "partitions-ddl: every PARTITION BY rule refuses with Doris's message, and nothing is created" {
	sl-sql -e "CREATE DATABASE d"
	refused "(a INT, b INT) DUPLICATE KEY(a) PARTITION BY RANGE(c) ()" \
		"Partition column[c] does not exist in column list."
	refused "(a INT, b INT) DUPLICATE KEY(a, b) PARTITION BY RANGE(a, a) ()" "Duplicated partition column a"
	refused "(a INT, b INT SUM) AGGREGATE KEY(a) PARTITION BY RANGE(b) () DISTRIBUTED BY HASH(a)" \
		"The partition column could not be aggregated column and unique table's partition column must be key column"
	refused "(a INT, b INT) UNIQUE KEY(a) PARTITION BY LIST(b) () DISTRIBUTED BY HASH(a)" \
		"The partition column could not be aggregated column and unique table's partition column must be key column"
	refused "(a INT, b DOUBLE) DUPLICATE KEY(a) PARTITION BY LIST(b) ()" "Invalid partition column 'b': invalid data type DOUBLE"
	refused "(a VARCHAR(8), b INT) DUPLICATE KEY(a) PARTITION BY RANGE(a) ()" \
		"Column[a] type[VARCHAR(8)] cannot be a range partition key."
	refused "(a INT, d DATE) DUPLICATE KEY(a, d) AUTO PARTITION BY RANGE (d) ()" \
		"auto create partition only support date_trunc function of RANGE partition"
	refused "(a INT, d DATE) DUPLICATE KEY(a, d) AUTO PARTITION BY RANGE (date_trunc(a, 'day')) ()" \
		"partition expr date_trunc is illegal! Column[a] type[INT] is not a DATE or DATETIME"
	refused "(a INT, d DATE) DUPLICATE KEY(a, d) AUTO PARTITION BY RANGE (date_trunc(d, 'hour')) ()" \
		"date_trunc unit 'hour' in AUTO PARTITION is not supported yet (at position 91)"
	refused "(a INT, d DATE) DUPLICATE KEY(a, d) PARTITION BY RANGE(d) (PARTITION p1 VALUES LESS THAN (NULL))" \
		"Can not use NULL as a RANGE partition value"
	run -0 sl-sql -N -e "SHOW TABLES FROM d"
	[ "$output" = "" ]
}
