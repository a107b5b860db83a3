// SPDX-License-Identifier: Apache-2.0
// duckdb-load.mjs FILE.parquet DB.duckdb [TABLE] -- DuckDB's side of
// bench/columnar.sh's paired figure: the parquet file loaded into TABLE
// (lineitem) of the database file DB (created if absent) with
// CREATE TABLE ... AS SELECT * FROM read_parquet(...), then CHECKPOINT, so
// the rows are in the table file on disk as sl-load's are in its segments.
// Prints "rows N", the table's row count.
//   duckdb-load.mjs --count DB.duckdb [TABLE]   prints the rows of TABLE only
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
const count = args[0] === '--count';
if (count)
	args.shift();
const [file, db, table = 'lineitem'] = count ? [null, ...args] : args;
if (!db) {
	console.error('usage: duckdb-load.mjs FILE.parquet DB.duckdb [TABLE] | --count DB.duckdb [TABLE]');
	process.exit(100);
}
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const ident = `"${table.replaceAll('"', '""')}"`;
const inst = await DuckDBInstance.create(db);
const conn = await inst.connect();
if (!count) {
	await conn.run(`CREATE TABLE ${ident} AS SELECT * FROM read_parquet(${q(file)})`);
	await conn.run('CHECKPOINT');
}
const n = (await conn.runAndReadAll(`SELECT count(*) FROM ${ident}`)).getRows()[0][0];
console.log(`rows ${n}`);
conn.closeSync();
inst.closeSync();
