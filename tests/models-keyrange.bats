#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# models-keyrange.bats -- SELECT over a UNIQUE or AGGREGATE table reads only
# the keys its WHERE allows on the first key column (keyrange.h, merge.h
# sl_merge_range): every answer equals the same query whose WHERE the range
# cannot use (an OR with a false comparison on a value column), over
# several segments with overlapping keys, deletes, composite keys of text
# and dates; a point lookup folds one key (callgrind counts it).
load test_helper

# same SQL: the query with WHERE w, and with WHERE (w) OR <false>
same() {
	local t=$1 w=$2 f=$3
	run -0 sl-sql -N -B -e "select * from $t where $w order by 1, 2"
	local fast=$output
	run -0 sl-sql -N -B -e "select * from $t where ($w) or $f order by 1, 2"
	[ "$fast" = "$output" ] || { echo "$t where $w: '$fast' != '$output'"; return 1; }
	run -0 sl-sql -N -B -e "select count(*) from $t where $w"
	local n=$output
	[ "$(printf '%s' "$fast" | grep -c .)" = "$n" ]
}

setup_file() {
	export SL_DATA_DIR=$BATS_FILE_TMPDIR/data
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.u (id BIGINT NOT NULL, name VARCHAR(20), v INT) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	sl-sql -e "CREATE TABLE d.c (city VARCHAR(20) NOT NULL, n INT NOT NULL, v INT) UNIQUE KEY(city, n) DISTRIBUTED BY HASH(city) BUCKETS 1"
	sl-sql -e "CREATE TABLE d.a (day DATE NOT NULL, k INT NOT NULL, s BIGINT SUM, m INT MAX) AGGREGATE KEY(day, k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	# five loads each: overlapping keys, later ones win; a delete load
	for l in 1 2 3 4 5; do
		seq $l 3 300 | awk -v l=$l '{ print $1 ",n" l "_" $1 "," l }' |
			sl-load -H column_separator:, -T - d.u > /dev/null
		for c in "" a ab abc b "a b" zz; do seq $l 2 12 | awk -v c="$c" -v l=$l '{ print c "," $1 "," l }'; done |
			sl-load -H column_separator:, -T - d.c > /dev/null
		seq 1 40 | awk -v l=$l '{ printf "2024-0%d-%02d,%d,%d,%d\n", 1 + $1 % 3, 1 + $1 % 28, $1 % 5, l, $1 * l }' |
			sl-load -H column_separator:, -T - d.a > /dev/null
	done
	seq 50 7 150 | awk '{ print $1 ",x,0" }' |
		sl-load -H column_separator:, -H merge_type:DELETE -T - d.u > /dev/null
	[ "$(sl-sql -N -B -e 'select count(*) from d.u')" -gt 200 ]
}

setup() {
	export SL_DATA_DIR=$BATS_FILE_TMPDIR/data
}

@test "keyrange: one BIGINT key: =, <, <=, >, >=, BETWEEN, IN, <=>, literal first, conjunctions, deleted keys, outside every key" {
	local f="name = 'nope'"
	for w in "id = 100" "id = 57" "id = 1" "id = 300" "id = 0" "id = 999" "id < 10" "id <= 10" \
		"id > 290" "id >= 290" "id between 40 and 70" "id in (2, 57, 64, 299, 1000)" "100 = id" \
		"20 > id" "id <=> 99" "id > 10 and id < 20" "id >= 10 and id <= 10" "id > 30 and id < 20" \
		"id = 5 and id = 6" "id > 5 and v = 3" "id = '100'" "id in (7)" "id between 70 and 40" \
		"id = -1" "id < -5" "id >= 1 and id >= 150 and id <= 160 and id < 155"; do
		same d.u "$w" "$f"
	done
}

@test "keyrange: a VARCHAR first key of a composite key (empty, prefixes, a space), and the second key column left to the WHERE" {
	local f="v = -7"
	for w in "city = 'a'" "city = ''" "city = 'ab'" "city = 'a b'" "city < 'ab'" "city > 'ab'" \
		"city >= 'b'" "city between 'a' and 'abc'" "city in ('zz', 'a', 'q')" "city = 'a' and n = 5" \
		"city = 'ab' and n > 6" "city < 'a'" "city > 'zz'" "n = 3" "city = 'a' or city = 'b'"; do
		same d.c "$w" "$f"
	done
}

@test "keyrange: a DATE first key of an AGGREGATE table: every fold of the kept keys as without the range" {
	local f="m = -7"
	for w in "day = '2024-02-05'" "day = '2024-02-05 00:00:00'" "day = '2024-02-05 00:00:01'" \
		"day < '2024-02-01'" "day between '2024-01-10' and '2024-02-10'" "day in ('2024-03-01', '2024-01-02')" \
		"day > '2024-03-20' and k = 1" "day >= '2024-03-28'"; do
		same d.a "$w" "$f"
	done
}

@test "keyrange: a point lookup folds one key: a fraction of the instructions of a read of every key" {
	command -v valgrind > /dev/null || skip "valgrind is not installed"
	[ -z "${SL_SAN:-}" ] || skip "instruction counts under the sanitizers say nothing"
	ir() {
		valgrind --tool=callgrind --callgrind-out-file=/dev/null sl-sql -N -B -e "$1" 2>&1 |
			sed -n 's/.*refs: *//p' | tr -d ,
	}
	local point all
	sl-sql -e "CREATE TABLE d.big (id BIGINT NOT NULL, name VARCHAR(20)) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
	seq 1 20000 | awk '{ print $1 ",n" $1 }' | sl-load -H column_separator:, -T - d.big > /dev/null
	seq 1 2 20000 | awk '{ print $1 ",m" $1 }' | sl-load -H column_separator:, -T - d.big > /dev/null
	point=$(ir "select * from d.big where id = 15001")
	all=$(ir "select * from d.big where id = 15001 or name = 'nope'")
	run -0 sl-sql -N -B -e "select * from d.big where id = 15001"
	[ "$output" = "$(printf '15001\tm15001')" ]
	echo "point $point, every key $all"
	[ "$point" -gt 0 ] && [ $((point * 3)) -lt "$all" ]
}
