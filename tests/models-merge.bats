#!/usr/bin/env bats
# The table models' write and read paths: sl-txn's memtable writing
# key-sorted segments, the merging reader under sl-scan and SELECT.
# UNIQUE last wins within a load and across loads, the sequence column
# (the seed's two cases), the delete sign, AGGREGATE functions over three
# loads, a load bigger than the memtable (several segments merged), sl-txn's
# peak memory, partial-update rows (the mask column, in hand-built streams)
# folded onto stored rows, partial_update_new_key_behavior=ERROR; the same
# through sl-load (merge_type DELETE with a sequence, partial_columns).
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE d"
	sl-sql -e "CREATE TABLE d.u (k INT, v VARCHAR(10)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
}

# load TABLE COLUMNS: stdin (CSV) into d.TABLE, printing the Status
load_csv() {
	sl-load -H column_separator:, -H "columns:$2" -T - "d.$1" | sed -n -E 's/^ *"Status": "(.*)",$/\1/p'
}
q() { sl-sql -N -B -e "$1"; }
segments() { ls "$SL_DATA_DIR/d/$1/data" | grep -c '\.rs$'; }

hexs() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
# Partial-update streams of d.p (k, v, w VARCHAR(10), the delete sign,
# the mask) as sl-map writes them for a partial load.
phdr() {
	frame H 0 "$(hexs SL)0001$(printf %08x 5)$(field k)$(field 'VARCHAR(10)')$(field v)$(field 'VARCHAR(10)')$(field w)$(field 'VARCHAR(10)')$(field __DORIS_DELETE_SIGN__)$(field TINYINT)$(field __SL_UPDATE_MASK__)$(field STRING)"
}
prow() { frame R 0 "$(field "$1")$(field "$2")$(field "$3")00000001$(printf %02x "$4")$(field "$5")"; }
endf() { frame E 0 "$(printf %016x "$1")"; }
get() { sed -n -E "s/^ *\"$1\": (.*)\$/\\1/p" | sed -E 's/,$//; s/^"(.*)"$/\1/'; }

@test "models-merge: UNIQUE: the last row of a key wins, within a load and across loads" {
	[ "$(printf '1,a\n2,b\n1,c\n3,d\n2,e\n' | load_csv u k,v)" = Success ]
	[ "$(q 'select * from d.u order by k' | tr '\t\n' ':,')" = "1:c,2:e,3:d," ]
	[ "$(q 'select count(*) from d.u')" = 3 ]
	[ "$(printf '3,x\n4,y\n3,z\n' | load_csv u k,v)" = Success ]
	[ "$(q 'select * from d.u order by k' | tr '\t\n' ':,')" = "1:c,2:e,3:z,4:y," ]
	[ "$(q 'select count(*) from d.u')" = 4 ]
	# sl-scan: one row per key, in key order, the visible columns only
	run -0 bash -c 'sl-scan d.u | sl-dump'
	[ "$output" = "$(printf 'k\tv\n1\tc\n2\te\n3\tz\n4\ty')" ]
	# NumberLoadedRows counts the load's rows, not the keys left
	run -0 bash -c "printf '5,a\n5,b\n' | sl-load -H column_separator:, -H columns:k,v -T - d.u"
	[ "$(get NumberLoadedRows <<<"$output")" = 2 ]
	[ "$(q 'select v from d.u where k = 5')" = b ]
}

@test "models-merge: UNIQUE: the delete sign hides a key; a later row brings it back" {
	printf '1,a\n2,b\n3,c\n' | load_csv u k,v > /dev/null
	[ "$(printf '2,x,1\n' | load_csv u k,v,__DORIS_DELETE_SIGN__)" = Success ]
	[ "$(q 'select k from d.u order by k' | tr '\n' ,)" = "1,3," ]
	[ "$(q 'select count(*) from d.u')" = 2 ]
	# a delete and a re-insert of one key in one load: the later wins
	[ "$(printf '3,x,1\n3,y,0\n1,z,0\n1,z,1\n' | load_csv u k,v,__DORIS_DELETE_SIGN__)" = Success ]
	[ "$(q 'select * from d.u order by k' | tr '\t\n' ':,')" = "3:y," ]
	[ "$(printf '2,again\n' | load_csv u k,v)" = Success ]
	[ "$(q 'select * from d.u order by k' | tr '\t\n' ':,')" = "2:again,3:y," ]
}

@test "models-merge: the sequence column: the seed's two cases of a delete" {
	sl-sql -e 'CREATE TABLE d.s (name VARCHAR(100), gender VARCHAR(10), age INT) UNIQUE KEY(name) DISTRIBUTED BY HASH(name) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "age")'
	c=name,gender,age,__DORIS_DELETE_SIGN__,__DORIS_SEQUENCE_COL__=age
	[ "$(printf 'li,male,10,0\nwang,male,14,0\nzhang,male,12,0\n' | load_csv s $c)" = Success ]
	# a smaller sequence does not win: li stays
	[ "$(printf 'li,male,9,1\n' | load_csv s $c)" = Success ]
	[ "$(q 'select * from d.s order by name' | tr '\t\n' ':,')" = "li:male:10,wang:male:14,zhang:male:12," ]
	# an equal (or larger) one does: li is deleted
	[ "$(printf 'li,male,10,1\n' | load_csv s $c)" = Success ]
	[ "$(q 'select * from d.s order by name' | tr '\t\n' ':,')" = "wang:male:14,zhang:male:12," ]
	# within one load too: the larger sequence wins whatever the order
	[ "$(printf 'wang,a,20,0\nwang,b,18,0\nzhang,c,11,0\n' | load_csv s $c)" = Success ]
	[ "$(q 'select * from d.s order by name' | tr '\t\n' ':,')" = "wang:a:20,zhang:male:12," ]
	[ "$(q 'select count(*) from d.s')" = 2 ]
}

@test "models-merge: AGGREGATE: SUM, MAX, MIN, REPLACE, REPLACE_IF_NOT_NULL over three loads" {
	sl-sql -e 'CREATE TABLE d.a (k INT, s BIGINT SUM, mx INT MAX, mn INT MIN, r VARCHAR(5) REPLACE, rn INT REPLACE_IF_NOT_NULL, d DECIMAL(10,2) SUM) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1'
	c=k,s,mx,mn,r,rn,d
	[ "$(printf '1,10,5,5,a,1,1.25\n2,1,1,1,b,2,0.5\n1,5,7,3,c,\\N,1.25\n' | load_csv a $c)" = Success ]
	[ "$(printf '1,\\N,\\N,\\N,\\N,\\N,\\N\n3,7,7,7,x,7,7\n' | load_csv a $c)" = Success ]
	[ "$(printf '2,-4,0,0,y,\\N,-0.75\n1,1,6,4,e,9,0.01\n' | load_csv a $c)" = Success ]
	run -0 q 'select * from d.a order by k'
	[ "$output" = "$(printf '1\t16\t7\t3\te\t9\t2.51\n2\t-3\t1\t0\ty\t2\t-0.25\n3\t7\t7\t7\tx\t7\t7.00')" ]
	[ "$(q 'select count(*) from d.a')" = 3 ]
}

@test "models-merge: AGGREGATE: BITMAP_UNION and HLL_UNION across loads" {
	sl-sql -e 'CREATE TABLE d.b (k INT, b BITMAP BITMAP_UNION, h HLL HLL_UNION) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1'
	c='k,x,b=to_bitmap(x),h=hll_hash(x)'
	[ "$(printf '1,5\n1,6\n2,7\n' | load_csv b "$c")" = Success ]
	[ "$(printf '1,7\n1,5\n' | load_csv b "$c")" = Success ]
	run -0 q 'select k, bitmap_to_string(b), hll_cardinality(h) from d.b order by k'
	[ "$output" = "$(printf '1\t5,6,7\t3\n2\t7\t1')" ]
}

@test "models-merge: a load bigger than the memtable: several segments, merged by key" {
	# (automatic compaction off: the test counts the load's own segments)
	printf 'write_buffer_size = 65536\ncompaction_segment_threshold = 0\n' > "$SL_DATA_DIR/sl.conf"
	# 20000 rows over 3000 keys in a scrambled order: the last row of a key wins
	seq 1 20000 | awk '{ print ($1 * 7919) % 3000 "," $1 }' > in.csv
	[ "$(load_csv u k,v < in.csv)" = Success ]
	[ "$(segments u)" -gt 3 ]
	awk -F, '{ last[$1] = $2 } END { for (k in last) print k "\t" last[k] }' in.csv | sort -n > want
	q 'select * from d.u order by k' > got
	cmp want got
	# a second load of every other key, itself in several segments
	seq 1 3000 | awk '$1 % 2 { print $1 ",n" $1 }' | sort -t, -k1,1nr > in2.csv
	[ "$(load_csv u k,v < in2.csv)" = Success ]
	awk -F, '{ last[$1] = $2 } END { for (k in last) print k "\t" last[k] }' in.csv in2.csv | sort -n > want
	q 'select * from d.u order by k' > got
	cmp want got
	[ "$(q 'select count(*) from d.u')" = 3000 ]
	# an sl.conf value that is not a number fails the load
	echo "write_buffer_size = lots" > "$SL_DATA_DIR/sl.conf"
	run -1 bash -c "echo 1,a | sl-load -H column_separator:, -H columns:k,v -T - d.u"
	[[ "$output" == *'write_buffer_size = lots: not a number of bytes'* ]]
}

@test "models-merge: sl-txn's peak memory stays bounded on a large UNIQUE load" {
	command -v /usr/bin/time > /dev/null || skip "no /usr/bin/time"
	[ -z "${SL_SAN:-}" ] || skip "resident sizes under the sanitizers say nothing"
	seq 1 1500000 | awk '{ print ($1 * 7919) % 1000000 "," $1 }' > big.csv
	sl-parse -H column_separator:, -H columns:k,v d.u < big.csv | sl-map -H column_separator:, -H columns:k,v d.u > big.sl
	/usr/bin/time -v -o rss.txt sl-txn d.u < big.sl | sl-commit > answer
	[ "$(get Status < answer)" = Success ]
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' rss.txt)
	echo "sl-txn peak RSS: $rss KiB"
	[ "$rss" -le 65536 ]
	[ "$(q 'select count(*) from d.u')" = 1000000 ]
	[ "$(q 'select v from d.u where k = 7919')" = 1000001 ]
}

@test "models-merge: partial rows: masked columns keep the stored values; new keys get the row's own" {
	sl-sql -e "CREATE TABLE d.p (k VARCHAR(10), v VARCHAR(10), w VARCHAR(10)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	[ "$(printf 'a,1,x\nb,2,y\n' | load_csv p k,v,w)" = Success ]
	# mask 1101: k, v and the delete sign given, w kept
	{ phdr; prow b 20 "" 0 1101; prow c 30 dflt 0 1101; prow a 10 "" 0 1101; endf 3; } > p.sl
	run -0 --separate-stderr bash -c 'sl-txn d.p < p.sl | sl-commit'
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(q 'select * from d.p order by k' | tr '\t\n' ':,')" = "a:10:x,b:20:y,c:30:dflt," ]
	# two partial rows of one key in a load: their masks merge
	{ phdr; prow a "" w1 0 1011; prow a v2 "" 0 1101; endf 2; } > p2.sl
	run -0 --separate-stderr bash -c 'sl-txn d.p < p2.sl | sl-commit'
	[ "$(q 'select * from d.p order by k' | tr '\t\n' ':,')" = "a:v2:w1,b:20:y,c:30:dflt," ]
	# a partial delete
	{ phdr; prow b "" "" 1 1001; endf 1; } > p3.sl
	run -0 --separate-stderr bash -c 'sl-txn d.p < p3.sl | sl-commit'
	[ "$(q 'select k from d.p order by k' | tr '\n' ,)" = "a,c," ]
	# a stream whose columns are not the table's is refused
	{ frame H 0 "$(hexs SL)0001$(printf %08x 1)$(field k)$(field 'VARCHAR(10)')"; frame R 0 "$(field a)"; endf 1; } > bad.sl
	run --separate-stderr bash -c 'sl-txn d.p < bad.sl | sl-commit'
	[ "$(get Status <<<"$output")" = Fail ]
	[[ "$(get Message <<<"$output")" == *'the row stream has 1 columns, table p has 4'* ]]
}

@test "models-merge: partial_update_new_key_behavior=ERROR fails a partial load that names a new key" {
	sl-sql -e "CREATE TABLE d.p (k VARCHAR(10), v VARCHAR(10), w VARCHAR(10)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	[ "$(printf 'a,1,x\nb,2,y\nd,4,z\n' | load_csv p k,v,w)" = Success ]
	printf 'd,x,1\n' | load_csv p k,v,__DORIS_DELETE_SIGN__ > /dev/null
	{ phdr; prow b 20 "" 0 1101; prow c 30 "" 0 1101; prow a 10 "" 0 1101; endf 3; } > p.sl
	run --separate-stderr bash -c 'sl-txn -H partial_update_new_key_behavior:ERROR d.p < p.sl | sl-commit'
	[ "$(get Status <<<"$output")" = Fail ]
	[ "$(get Message <<<"$output")" = "[INTERNAL_ERROR]tablet error: [E-7003]Can't append new rows in partial update when partial_update_new_key_behavior is ERROR. Row with key=[c] is not in table." ]
	[ "$(q 'select * from d.p order by k' | tr '\t\n' ':,')" = "a:1:x,b:2:y," ]
	# a deleted key is not in the table either
	{ phdr; prow d 40 "" 0 1101; endf 1; } > p2.sl
	run --separate-stderr bash -c 'sl-txn -H partial_update_new_key_behavior:ERROR d.p < p2.sl | sl-commit'
	[[ "$(get Message <<<"$output")" == *'Row with key=[d] is not in table.' ]]
	# keys that all exist: the load succeeds; APPEND (the default) takes new keys
	{ phdr; prow b 21 "" 0 1101; prow a 11 "" 0 1101; endf 2; } > p3.sl
	run -0 --separate-stderr bash -c 'sl-txn -H partial_update_new_key_behavior:ERROR d.p < p3.sl | sl-commit'
	[ "$(get Status <<<"$output")" = Success ]
	run -0 --separate-stderr bash -c 'sl-txn d.p < p.sl | sl-commit'
	[ "$(get Status <<<"$output")" = Success ]
	[ "$(q 'select * from d.p order by k' | tr '\t\n' ':,')" = "a:10:x,b:20:y,c:30:," ]
}

@test "models-merge: through sl-load: the seed's sequence deletes, partial_columns, a new key refused" {
	sl-sql -e 'CREATE TABLE d.s (name VARCHAR(100), gender VARCHAR(10), age INT) UNIQUE KEY(name) DISTRIBUTED BY HASH(name) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "age")'
	del() { sl-load -H column_separator:, -H merge_type:DELETE -H function_column.sequence_col:age -H 'columns: name, gender, age' -T - d.s | get Status; }
	[ "$(printf 'li,male,10\nwang,male,14\nzhang,male,12\n' | load_csv s name,gender,age)" = Success ]
	[ "$(echo li,male,9 | del)" = Success ]
	[ "$(q 'select * from d.s order by name' | tr '\t\n' ':,')" = "li:male:10,wang:male:14,zhang:male:12," ]
	[ "$(echo li,male,10 | del)" = Success ]
	[ "$(q 'select * from d.s order by name' | tr '\t\n' ':,')" = "wang:male:14,zhang:male:12," ]
	sl-sql -e "CREATE TABLE d.p (k INT, v VARCHAR(10), w VARCHAR(10)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	[ "$(printf '1,a,x\n2,b,y\n' | load_csv p k,v,w)" = Success ]
	part() { sl-load -H column_separator:, -H partial_columns:true -H columns:k,v "$@" -T - d.p; }
	[ "$(printf '1,A\n3,C\n' | part | get Status)" = Success ]
	[ "$(q 'select * from d.p order by k' | tr '\t\n' ':,')" = "1:A:x,2:b:y,3:C:NULL," ]
	run bash -c "$(declare -f part); printf '1,Q\n4,D\n' | part -H partial_update_new_key_behavior:ERROR"
	[ "$(get Status <<<"$output")" = Fail ]
	[[ "$output" == *"Can't append new rows in partial update when partial_update_new_key_behavior is ERROR. Row with key=[4] is not in table."* ]]
	[ "$(q 'select * from d.p order by k' | tr '\t\n' ':,')" = "1:A:x,2:b:y,3:C:NULL," ]
}
