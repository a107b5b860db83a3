CREATE TABLE testdb.test_streamload(
user_id BIGINT NOT NULL COMMENT "η”¨ζˆ· ID",
name VARCHAR(20) COMMENT "η”¨ζˆ·ε§“ε",
age INT COMMENT "η”¨ζˆ·εΉ΄ιΎ„"
)
DUPLICATE KEY(user_id)
DISTRIBUTED BY HASH(user_id) BUCKETS 10;
