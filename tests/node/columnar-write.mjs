// SPDX-License-Identifier: Apache-2.0
// columnar-write.mjs parquet|arrow IN OUT [ROWS] -- the inputs of
// bench/columnar.sh: the '|'-separated 16-column rows of bench/gen.c (wide)
// with the column names and types of bench/lineitem.sql, written
//   parquet  by DuckDB (COPY ... FORMAT parquet, snappy), row groups of
//            ROWS rows (DuckDB's ROW_GROUP_SIZE), DuckDB's default without;
//   arrow    as an Arrow IPC stream by apache-arrow, record batches of
//            ROWS rows (122880 by default: DuckDB's row group size).
// Memory stays flat: the rows are read and written one batch at a time.
// Prints one line: "rows N groups G max_rows R max_bytes B", the row count,
// the number of row groups (record batches), and the largest one's rows and
// decoded size in bytes (parquet: the footer's uncompressed size of its
// column chunks; arrow: the batch's buffers).
import { closeSync, createWriteStream, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const COLS = [
	['l_orderkey', 'BIGINT'], ['l_partkey', 'INTEGER'], ['l_suppkey', 'INTEGER'],
	['l_linenumber', 'INTEGER'], ['l_quantity', 'DECIMAL(15,2)'],
	['l_extendedprice', 'DECIMAL(15,2)'], ['l_discount', 'DECIMAL(15,2)'],
	['l_tax', 'DECIMAL(15,2)'], ['l_returnflag', 'VARCHAR'], ['l_linestatus', 'VARCHAR'],
	['l_shipdate', 'DATE'], ['l_commitdate', 'DATE'], ['l_receiptdate', 'DATE'],
	['l_shipinstruct', 'VARCHAR'], ['l_shipmode', 'VARCHAR'], ['l_comment', 'VARCHAR'],
];

const [mode, inPath, outPath, batchArg] = process.argv.slice(2);
if (!['parquet', 'arrow'].includes(mode) || !inPath || !outPath) {
	console.error('usage: columnar-write.mjs parquet|arrow IN OUT [ROWS]');
	process.exit(100);
}
const q = (s) => `'${s.replaceAll("'", "''")}'`;

async function parquet() {
	const { DuckDBInstance } = await import('@duckdb/node-api');
	const inst = await DuckDBInstance.create(':memory:');
	const conn = await inst.connect();
	const group = batchArg ? `, ROW_GROUP_SIZE ${Number(batchArg)}` : '';
	if (batchArg && !(Number(batchArg) > 0)) throw new Error(`bad GROUP ${batchArg}`);
	const cols = `{${COLS.map(([n, t]) => `${q(n)}: ${q(t)}`).join(', ')}}`;
	await conn.run(`COPY (SELECT * FROM read_csv(${q(inPath)}, delim = '|', header = false, ` +
		`quote = '', escape = '', auto_detect = false, columns = ${cols})) ` +
		`TO ${q(outPath)} (FORMAT parquet, COMPRESSION snappy${group})`);
	const r = (await conn.runAndReadAll(`SELECT count(*), sum(n), max(n), max(b) FROM (
		SELECT row_group_id, any_value(row_group_num_rows) AS n, sum(total_uncompressed_size) AS b
		FROM parquet_metadata(${q(outPath)}) GROUP BY row_group_id)`)).getRows()[0];
	console.log(`rows ${r[1]} groups ${r[0]} max_rows ${r[2]} max_bytes ${r[3]}`);
	conn.closeSync();
	inst.closeSync();
}

// The arrow stream: the text rows parsed here (no other reader in between),
// each batch's columns built in typed arrays.
async function arrow() {
	const A = await import('apache-arrow');
	const batch = Number(batchArg || 122880);
	if (!(batch > 0)) throw new Error(`bad BATCH ${batchArg}`);
	const kinds = COLS.map(([, t]) => t === 'BIGINT' ? 'i64' : t === 'INTEGER' ? 'i32'
		: t.startsWith('DECIMAL') ? 'dec' : t === 'DATE' ? 'date' : 'str');
	const types = kinds.map((k) => k === 'i64' ? new A.Int64() : k === 'i32' ? new A.Int32()
		: k === 'dec' ? new A.Decimal(2, 15, 128) : k === 'date' ? new A.DateDay() : new A.Utf8());
	const fields = COLS.map(([n], j) => new A.Field(n, types[j], false));
	const schema = new A.Schema(fields);
	let rows = 0, groups = 0, maxRows = 0, maxBytes = 0;

	// one batch's column buffers
	function fresh() {
		return kinds.map((k) => k === 'i64' ? new BigInt64Array(batch)
			: k === 'i32' || k === 'date' ? new Int32Array(batch)
			: k === 'dec' ? new Uint32Array(4 * batch)
			: { off: new Int32Array(batch + 1), data: new Uint8Array(16 * batch), len: 0 });
	}
	function finish(cols, n) {
		const children = cols.map((c, j) => kinds[j] === 'str'
			? A.makeData({ type: types[j], length: n, nullCount: 0,
				valueOffsets: c.off.subarray(0, n + 1), data: c.data.subarray(0, c.len) })
			: A.makeData({ type: types[j], length: n, nullCount: 0,
				data: c.subarray(0, kinds[j] === 'dec' ? 4 * n : n) }));
		const data = A.makeData({ type: new A.Struct(fields), length: n, nullCount: 0, children });
		const b = new A.RecordBatch(schema, data);
		const bytes = children.reduce((s, d) => s + d.byteLength, 0);
		rows += n;
		groups++;
		maxRows = Math.max(maxRows, n);
		maxBytes = Math.max(maxBytes, bytes);
		return b;
	}

	function num(buf, s, e) {
		let v = 0, neg = false, i = s;
		if (buf[i] === 45) { neg = true; i++; }
		for (; i < e; i++)
			if (buf[i] !== 46) v = v * 10 + (buf[i] - 48);
		return neg ? -v : v;
	}
	function field(cols, j, r, buf, s, e) {
		const c = cols[j];
		switch (kinds[j]) {
		case 'i64': c[r] = BigInt(num(buf, s, e)); break;
		case 'i32': c[r] = num(buf, s, e); break;
		case 'dec': {
			// DECIMAL(15,2) text "d+.dd": the cents as a 128-bit little-endian integer
			const x = num(buf, s, e);
			if (x >= 0) {   // the upper words stay 0 (a fresh array)
				c[4 * r] = x % 4294967296;
				c[4 * r + 1] = Math.floor(x / 4294967296);
				break;
			}
			const v = BigInt.asUintN(128, BigInt(x));
			for (let w = 0; w < 4; w++) c[4 * r + w] = Number((v >> BigInt(32 * w)) & 0xffffffffn);
			break;
		}
		case 'date': {
			const y = num(buf, s, s + 4), m = num(buf, s + 5, s + 7), d = num(buf, s + 8, s + 10);
			c[r] = Date.UTC(y, m - 1, d) / 86400000;
			break;
		}
		default: {
			const n = e - s;
			if (c.len + n > c.data.length) {
				const g = new Uint8Array(Math.max(2 * c.data.length, c.len + n));
				g.set(c.data.subarray(0, c.len));
				c.data = g;
			}
			c.data.set(buf.subarray(s, e), c.len);
			c.len += n;
			c.off[r + 1] = c.len;
		}
		}
	}

	function* batches() {
		const fd = openSync(inPath, 'r');
		let buf = Buffer.alloc(1 << 23), have = 0, cols = fresh(), r = 0, line = 0;
		for (;;) {
			const got = readSync(fd, buf, have, buf.length - have, null);
			const end = have + got;
			if (got === 0 && have > 0)
				throw new Error(`${inPath}: the last line has no newline`);
			if (got === 0)
				break;
			let ls = 0;
			for (let i = 0; i < end; i++) {
				if (buf[i] !== 10)
					continue;
				line++;
				let j = 0, s = ls;
				for (let k = ls; k <= i; k++) {
					if (k < i && buf[k] !== 124)
						continue;
					if (j >= COLS.length)
						throw new Error(`${inPath}: line ${line} has more than ${COLS.length} fields`);
					field(cols, j++, r, buf, s, k);
					s = k + 1;
				}
				if (j !== COLS.length)
					throw new Error(`${inPath}: line ${line} has ${j} fields, not ${COLS.length}`);
				ls = i + 1;
				if (++r === batch) {
					yield finish(cols, r);
					cols = fresh();
					r = 0;
				}
			}
			buf.copy(buf, 0, ls, end);
			have = end - ls;
			if (have === buf.length)
				buf = Buffer.concat([buf, Buffer.alloc(buf.length)]);
		}
		closeSync(fd);
		if (r > 0)
			yield finish(cols, r);
	}

	await pipeline(Readable.from(batches(), { objectMode: true }),
		A.RecordBatchStreamWriter.throughNode(), createWriteStream(outPath));
	console.log(`rows ${rows} groups ${groups} max_rows ${maxRows} max_bytes ${maxBytes}`);
}

await (mode === 'parquet' ? parquet() : arrow());
