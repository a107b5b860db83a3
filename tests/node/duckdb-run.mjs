// SPDX-License-Identifier: Apache-2.0
// duckdb-run.mjs SQL... -- runs each argument as one DuckDB statement in an
// in-memory database and prints the rows of the last one, tab-separated
// (NULL as \N): the tests write parquet files with it (COPY ... TO) and read
// them back as DuckDB does.
import { DuckDBInstance } from '@duckdb/node-api';

const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
await conn.run('SET threads=1');
const stmts = process.argv.slice(2);
let last = null;
for (const s of stmts)
	last = await conn.runAndReadAll(s);
if (last)
	for (const row of last.getRows())
		console.log(row.map((v) => (v === null ? '\\N' : String(v))).join('\t'));
