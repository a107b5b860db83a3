#!/usr/bin/env bats
# Rows removed before sl-filter are unselected too: each stage that drops
# rows counts them under its own key (sl-parse's `jq`: JqUnselectedRows;
# sl-map's preceding filter, http_stream's WHERE: PrecedingUnselectedRows;
# sl-filter's `where`: NumberUnselectedRows) and sl-txn adds them up, so
# the answer does not depend on which stages ran.
load test_helper

setup() {
	setup_data_dir
	sl-sql -e "CREATE DATABASE db"
	sl-sql -e "CREATE TABLE db.t (user_id BIGINT, name VARCHAR(20), age INT)
		DUPLICATE KEY(user_id) DISTRIBUTED BY HASH(user_id) BUCKETS 1"
	printf '%s\n' '{"user_id":1,"name":"a","age":3}' '{"user_id":2,"name":"b","age":4}' \
		'{"user_id":3,"name":"c","age":5}' > j.json
}

count() { sed -n -E "s/^ *\"$1\": ([0-9]+),?\$/\\1/p"; }

@test "records a jq program drops are unselected with or without a where (issue 10)" {
	run -0 sl-load -H format:json -H 'jq: select(.user_id != 2)' -T j.json db.t
	[ "$(count NumberTotalRows <<< "$output")" = 3 ]
	[ "$(count NumberUnselectedRows <<< "$output")" = 1 ]
	[ "$(count NumberLoadedRows <<< "$output")" = 2 ]
	run -0 sl-load -H format:json -H 'jq: select(.user_id != 2)' -H 'where: user_id > 0' -T j.json db.t
	[ "$(count NumberTotalRows <<< "$output")" = 3 ]
	[ "$(count NumberUnselectedRows <<< "$output")" = 1 ]
	run -0 sl-load -H format:json -H 'jq: select(.user_id != 2)' -H 'where: user_id > 1' -T j.json db.t
	[ "$(count NumberTotalRows <<< "$output")" = 3 ]
	[ "$(count NumberUnselectedRows <<< "$output")" = 2 ]
	[ "$(count NumberLoadedRows <<< "$output")" = 1 ]
}

@test "the explicit pipeline adds the stages' counts the same way" {
	run -0 bash -c "sl-parse -H format:json -H 'jq: select(.user_id != 2)' db.t < j.json |
		sl-map db.t | sl-filter -H 'where: user_id > 1' | sl-txn db.t | sl-commit"
	[ "$(count NumberTotalRows <<< "$output")" = 3 ]
	[ "$(count NumberUnselectedRows <<< "$output")" = 2 ]
	[ "$(count NumberLoadedRows <<< "$output")" = 1 ]
}
