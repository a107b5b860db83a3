-- SPDX-License-Identifier: Apache-2.0
-- The benchmark table of the id,name,age file (bench/*.sh create it).
CREATE TABLE bench.people (
    id BIGINT NOT NULL,
    name VARCHAR(32),
    age INT
)
DUPLICATE KEY(id)
DISTRIBUTED BY HASH(id) BUCKETS 1;
