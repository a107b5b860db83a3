#!/usr/bin/env bats
# Complex and special column types: ARRAY, MAP, STRUCT and JSON columns
# loaded from CSV text through sl-load and read back through sl-sql (the
# seed's ARRAY example), nesting, invalid elements, DESC / SHOW CREATE
# TABLE, key-column refusals, and DATETIME text with zone suffixes
# converted into the load's timezone.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE testdb"
}

q() { sl-sql -N -B -e "$1"; }

@test "types-complex: the seed's ARRAY example loads and reads back" {
	sl-sql -e 'CREATE TABLE testdb.test_streamload(
typ_id BIGINT NOT NULL COMMENT "ID",
name VARCHAR(20) NULL COMMENT "名称",
arr ARRAY<int(10)> NULL COMMENT "数组"
)
DUPLICATE KEY(typ_id)
DISTRIBUTED BY HASH(typ_id) BUCKETS 10;'
	cat > streamload_example.csv <<'EOF'
1|Emily|[1,2,3,4]
2|Benjamin|[22,45,90,12]
3|Olivia|[23,16,19,16]
4|Alexander|[123,234,456]
5|Ava|[12,15,789]
6|William|[57,68,97]
7|Sophia|[46,47,49]
8|James|[110,127,128]
9|Emma|[19,18,123,446]
10|Liam|[89,87,96,12]
EOF
	run -0 --separate-stderr sl-load -H "Expect:100-continue" -H "column_separator:|" \
		-H "columns:typ_id,name,arr" -T streamload_example.csv testdb.test_streamload
	[[ "$output" == *'"Status": "Success"'* ]]
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	run -0 --separate-stderr q "SELECT * FROM testdb.test_streamload ORDER BY typ_id"
	[ "$output" = "$(printf '%s\n' \
		$'1\tEmily\t[1, 2, 3, 4]' \
		$'2\tBenjamin\t[22, 45, 90, 12]' \
		$'3\tOlivia\t[23, 16, 19, 16]' \
		$'4\tAlexander\t[123, 234, 456]' \
		$'5\tAva\t[12, 15, 789]' \
		$'6\tWilliam\t[57, 68, 97]' \
		$'7\tSophia\t[46, 47, 49]' \
		$'8\tJames\t[110, 127, 128]' \
		$'9\tEmma\t[19, 18, 123, 446]' \
		$'10\tLiam\t[89, 87, 96, 12]')" ]
	run -0 --separate-stderr q "DESC testdb.test_streamload"
	[ "${lines[2]}" = $'arr\tARRAY<INT>\tYes\tfalse\tNULL\t' ]
}

@test "types-complex: nested arrays, invalid elements become NULL" {
	sl-sql -e "CREATE TABLE testdb.n (k INT, a ARRAY<ARRAY<INT>>, s ARRAY<STRING>, d ARRAY<DATE>) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	cat > n.csv <<'EOF'
1|[[1,2],[3],[]]|["a", "b,c"]|[2024-01-02]
2|[[1,x],null,7]|[plain, 'q']|["2024-1-3", "nope"]
3|[1,2|[]|[]
4|\N|["x"]|not an array
EOF
	run -0 --separate-stderr sl-load -H "column_separator:|" -T n.csv testdb.n
	[[ "$output" == *'"NumberLoadedRows": 4,'* ]]
	run -0 --separate-stderr q "SELECT * FROM testdb.n ORDER BY k"
	[ "${lines[0]}" = $'1\t[[1, 2], [3], []]\t["a", "b,c"]\t["2024-01-02"]' ]
	[ "${lines[1]}" = $'2\t[[1, null], null, null]\t["plain", "q"]\t["2024-01-03", null]' ]
	[ "${lines[2]}" = $'3\tNULL\t[]\t[]' ]
	[ "${lines[3]}" = $'4\tNULL\t["x"]\tNULL' ]
}

@test "types-complex: a malformed array is a filtered row in strict mode" {
	sl-sql -e "CREATE TABLE testdb.s (k INT, a ARRAY<INT>) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '1|[1,2]\n2|[1,2\n' > s.csv
	run -0 --separate-stderr sl-load -H "column_separator:|" -H "strict_mode:true" -H "max_filter_ratio:1" -T s.csv testdb.s
	[[ "$output" == *'"NumberLoadedRows": 1,'* ]]
	[[ "$output" == *'"NumberFilteredRows": 1,'* ]]
	run -0 --separate-stderr q "SELECT * FROM testdb.s"
	[ "$output" = $'1\t[1, 2]' ]
}

@test "types-complex: MAP, STRUCT and JSON columns from CSV text" {
	sl-sql -e "CREATE TABLE testdb.m (k INT, m MAP<STRING,INT>, st STRUCT<id:INT, name:VARCHAR(10)>, j JSON) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	cat > m.csv <<'EOF'
1|{"Emily":101,"age":25}|{"id":1, "name":"ann"}|{"a": [1, 2.50], "b" : null}
2|{k:1, 'k2' : oops}|{2, bob}|[true,"x y"]
3|{}|{"name":"cy"}|{"a":
EOF
	run -0 --separate-stderr sl-load -H "column_separator:|" -T m.csv testdb.m
	[[ "$output" == *'"NumberLoadedRows": 3,'* ]]
	run -0 --separate-stderr q "SELECT * FROM testdb.m ORDER BY k"
	[ "${lines[0]}" = $'1\t{"Emily":101, "age":25}\t{"id":1, "name":"ann"}\t{"a":[1,2.50],"b":null}' ]
	[ "${lines[1]}" = $'2\t{"k":1, "k2":null}\t{"id":2, "name":"bob"}\t[true,"x y"]' ]
	[ "${lines[2]}" = $'3\t{}\t{"id":null, "name":"cy"}\tNULL' ]
}

@test "types-complex: DESC and SHOW CREATE TABLE round trip" {
	sl-sql -e "CREATE TABLE testdb.r (k BIGINT NOT NULL, a ARRAY<ARRAY<DECIMAL(5,2)>> NULL COMMENT 'x', m Map<String, Array<Int>>, s STRUCT<id:INT,\`Nm\`:VARCHAR(10)>, j JSONB) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	run -0 --separate-stderr q "DESC testdb.r"
	[ "$output" = "$(printf '%s\n' \
		$'k\tBIGINT\tNo\ttrue\tNULL\t' \
		$'a\tARRAY<ARRAY<DECIMAL(5,2)>>\tYes\tfalse\tNULL\t' \
		$'m\tMAP<STRING,ARRAY<INT>>\tYes\tfalse\tNULL\t' \
		$'s\tSTRUCT<id:INT,Nm:VARCHAR(10)>\tYes\tfalse\tNULL\t' \
		$'j\tJSON\tYes\tfalse\tNULL\t')" ]
	run -0 --separate-stderr q "SHOW CREATE TABLE testdb.r"
	[[ "$output" == *'`a` array<array<decimal(5,2)>> NULL COMMENT "x",'* ]]
	[[ "$output" == *'`s` struct<id:int,Nm:varchar(10)> NULL,'* ]]
	# the rendered DDL parses back to the same table
	ddl=$(printf '%s' "$output" | cut -f2- | sed 's/\\n/\n/g; s/CREATE TABLE `r`/CREATE TABLE testdb.r2/')
	sl-sql -e "$ddl"
	run -0 --separate-stderr q "DESC testdb.r2"
	[ "$output" = "$(q 'DESC testdb.r')" ]
}

@test "types-complex: complex columns are refused as keys and with non-NULL defaults" {
	run -1 --separate-stderr sl-sql -e "CREATE TABLE testdb.x (a ARRAY<INT>, k INT) DUPLICATE KEY(a) DISTRIBUTED BY HASH(k) BUCKETS 1"
	[[ "$stderr" == *"Array can only be used in the non-key column of the duplicate table at present."* ]]
	run -1 --separate-stderr sl-sql -e "CREATE TABLE testdb.x (k INT, j JSON) DUPLICATE KEY(k) DISTRIBUTED BY HASH(j) BUCKETS 1"
	[[ "$stderr" == *"JSONB Type should not be used in distribution column[j]."* ]]
	run -1 --separate-stderr sl-sql -e "CREATE TABLE testdb.x (k INT, a ARRAY<INT> DEFAULT '[]') DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	[[ "$stderr" == *"Invalid default value for 'a'"* ]]
	run -1 --separate-stderr sl-sql -e "CREATE TABLE testdb.x (k INT, m MAP<ARRAY<INT>,INT>) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	[[ "$stderr" == *"MAP keys must be of a scalar type"* ]]
	run -1 --separate-stderr sl-sql -e "CREATE TABLE testdb.x (b BITMAP, k INT) DUPLICATE KEY(b) DISTRIBUTED BY HASH(k) BUCKETS 1"
	[[ "$stderr" == *"Key column can not set complex type:b"* ]]
}

@test "types-complex: zone-suffixed datetimes follow the timezone header" {
	sl-sql -e "CREATE TABLE testdb.z (k INT, dt DATETIME) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '%s\n' '1,2024-01-01 10:00:00Z' '2,2024-01-01 10:00:00+08:00' '3,2024-01-01 10:00:00-05:30' \
		'4,2012-01-01 01:00:00+00:00' '5,2024-01-01 10:00:00' > z.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -H "timezone:+08:00" -T z.csv testdb.z
	[[ "$output" == *'"NumberLoadedRows": 5,'* ]]
	run -0 --separate-stderr q "SELECT * FROM testdb.z ORDER BY k"
	[ "$output" = "$(printf '%s\n' $'1\t2024-01-01 18:00:00' $'2\t2024-01-01 10:00:00' \
		$'3\t2024-01-01 23:30:00' $'4\t2012-01-01 09:00:00' $'5\t2024-01-01 10:00:00')" ]
	sl-sql -e "TRUNCATE TABLE testdb.z" 2>/dev/null || sl-sql -e "DELETE FROM testdb.z WHERE k > 0" 2>/dev/null || {
		sl-sql -e "DROP TABLE testdb.z"
		sl-sql -e "CREATE TABLE testdb.z (k INT, dt DATETIME) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	}
	run -0 --separate-stderr sl-load -H "column_separator:," -H "timezone:America/New_York" -T z.csv testdb.z
	run -0 --separate-stderr q "SELECT * FROM testdb.z WHERE k < 3 ORDER BY k"
	[ "$output" = "$(printf '%s\n' $'1\t2024-01-01 05:00:00' $'2\t2023-12-31 21:00:00')" ]
}

@test "types-complex: without a timezone header the zone is +08:00, whatever the host's" {
	sl-sql -e "CREATE TABLE testdb.z (k INT, dt DATETIME) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	printf '%s\n' '1,2024-01-01 10:00:00Z' '2,2024-01-01 10:00:00-05:30' > z.csv
	TZ=America/New_York run -0 --separate-stderr sl-load -H "column_separator:," -T z.csv testdb.z
	run -0 --separate-stderr q "SELECT * FROM testdb.z ORDER BY k"
	[ "$output" = "$(printf '%s\n' $'1\t2024-01-01 18:00:00' $'2\t2024-01-01 23:30:00')" ]
}

@test "types-complex: large array values (far over 16 bytes a field) load intact" {
	sl-sql -e "CREATE TABLE testdb.big (k INT, arr ARRAY<INT>) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	{ printf '1\t['; seq -s, 1 3000 | tr -d '\n'; printf ']\n'; } > big.tsv
	run -0 --separate-stderr sl-load -T big.tsv testdb.big
	[[ "$output" == *'"NumberLoadedRows": 1,'* ]]
	run -0 --separate-stderr sl-sql -N -B -e "SELECT arr FROM testdb.big"
	[ "$output" = "[$(seq -s, 1 3000 | sed 's/,/, /g')]" ]
}

# The seed's "Loading map data type": a JSON array into a Map<STRING, INT>
# column, by sl-load and by curl through sl-httpd, with the seed's headers.
map_seed() {
	# examples/map_example.json and map_table.sql are the seed's, verbatim
	cp "$SL_ROOT/examples/map_example.json" streamload_example.csv
	[ "$(grep -c user_id streamload_example.csv)" = 10 ]
	sl-sql -e "DROP TABLE IF EXISTS testdb.test_streamload"
	sl-sql < "$SL_ROOT/examples/map_table.sql"
}

@test "types-complex: the seed's MAP example loads with sl-load and reads back" {
	map_seed
	run -0 --separate-stderr sl-load -H "Expect:100-continue" -H "format: json" -H "strip_outer_array:true" \
		-T streamload_example.csv testdb.test_streamload
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	run -0 --separate-stderr sl-sql -N -B -e "SELECT * FROM testdb.test_streamload ORDER BY user_id LIMIT 2"
	[ "$output" = "$(printf '%s\n' $'1\t{"Emily":101, "age":25}' $'2\t{"Benjamin":102, "age":35}')" ]
}

@test "types-complex: the seed's MAP example loads with curl through sl-httpd" {
	map_seed
	sl-httpd --data-dir "$SL_DATA_DIR" --listen 127.0.0.1:0 -1 -v 0 > port 2> httpd.err 3>&- &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do [ -s port ] && break; sleep 0.05; done
	run curl -s --location-trusted -u root: \
		-H "Expect:100-continue" \
		-H "format: json" \
		-H "strip_outer_array:true" \
		-T streamload_example.csv \
		-XPUT "http://127.0.0.1:$(head -n 1 port)/api/testdb/test_streamload/_stream_load"
	kill "$pid"; wait "$pid" || true
	[[ "$output" == *'"Status": "Success",'* ]]
	[[ "$output" == *'"NumberLoadedRows": 10,'* ]]
	run -0 sl-sql -N -B -e "SELECT namemap FROM testdb.test_streamload WHERE user_id = 10"
	[ "$output" = '{"Liam":110, "age":64}' ]
}

@test "types-complex: sl.conf time_zone sets the default zone" {
	sl-sql -e "CREATE TABLE testdb.z (k INT, dt DATETIME) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
	echo 'time_zone = UTC' > "$SL_DATA_DIR/sl.conf"
	printf '%s\n' '1,2024-01-01 10:00:00+08:00' > z.csv
	run -0 --separate-stderr sl-load -H "column_separator:," -T z.csv testdb.z
	run -0 --separate-stderr sl-sql -N -B -e "SELECT dt FROM testdb.z"
	[ "$output" = "2024-01-01 02:00:00" ]
}
