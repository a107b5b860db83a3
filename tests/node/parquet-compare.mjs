// SPDX-License-Identifier: Apache-2.0
// parquet-compare.mjs FILE OURS -- the rows the parquet reader printed
// (test-parquet FILE: "name<TAB>type" lines, "--", then TAB-separated rows,
// \N for NULL, \t \n \\ escaped) against DuckDB's reading of the same
// file, value by value with each type's rule: exact texts for integers,
// decimals, dates, strings, UUIDs; the same number for floats; the same
// instant (microseconds) for timestamps and times; the same bytes for
// binary; the same JSON for nested values. Prints every difference; exit 1
// if any.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, oursPath] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
await conn.run('SET threads=1');
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const src = `read_parquet(${q(file)})`;
const desc = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRowObjects();

function kind(t) {
	if (/[\[\]]|^STRUCT|^MAP|^UNION/.test(t)) return 'json';
	if (t === 'BOOLEAN') return 'bool';
	if (t === 'FLOAT' || t === 'DOUBLE') return 'float';
	if (t.startsWith('TIMESTAMP')) return 'ts';
	if (t.startsWith('TIME')) return 'time';
	if (t === 'BLOB') return 'blob';
	return 'text';
}
const cols = desc.map((d) => ({ name: d.column_name, kind: kind(String(d.column_type)) }));
const ident = (n) => `"${n.replaceAll('"', '""')}"`;
const expr = cols.map((c) => {
	const x = ident(c.name);
	switch (c.kind) {
	case 'json': return `CAST(to_json(${x}) AS VARCHAR)`;
	case 'bool': return `CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} THEN '1' ELSE '0' END`;
	case 'ts': return `CAST(epoch_us(${x}) AS VARCHAR)`;
	case 'blob': return `hex(${x})`;
	default: return `CAST(${x} AS VARCHAR)`;
	}
});
const want = (await conn.runAndReadAll(`SELECT ${expr.join(', ')} FROM ${src}`)).getRows();

// our output, split at bytes
const raw = readFileSync(oursPath);
const lines = [];
for (let s = 0, i = 0; i <= raw.length; i++)
	if (i === raw.length || raw[i] === 10) { if (i > s || i < raw.length) lines.push(raw.subarray(s, i)); s = i + 1; }
const sep = lines.findIndex((l) => l.toString() === '--');
const names = lines.slice(0, sep).map((l) => l.toString().split('\t')[0]);
const rows = lines.slice(sep + 1);
function unescape(b) {
	const out = [];
	for (let i = 0; i < b.length; i++) {
		if (b[i] === 92 && i + 1 < b.length) {
			const c = b[++i];
			out.push(c === 116 ? 9 : c === 110 ? 10 : c);
		} else out.push(b[i]);
	}
	return Buffer.from(out);
}
function fields(l) {
	const f = [];
	let s = 0;
	for (let i = 0; i <= l.length; i++)
		if (i === l.length || l[i] === 9) { f.push(l.subarray(s, i)); s = i + 1; }
	return f.map((b) => (b.toString() === '\\N' ? null : unescape(b)));
}

const num = (s) => {
	const t = s.toLowerCase();
	if (t === 'nan') return NaN;
	if (t === 'inf' || t === 'infinity') return Infinity;
	if (t === '-inf' || t === '-infinity') return -Infinity;
	return Number(s);
};
const sameNum = (a, b) => (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.fround(a) === Math.fround(b) && Math.fround(a) === a;
// "YYYY-MM-DD HH:MM:SS[.f]" as microseconds since the epoch (BigInt)
function tsUs(s) {
	const m = /^(-?\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?/.exec(s);
	if (!m) return null;
	const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
	const frac = ((m[7] || '') + '000000').slice(0, 6);
	return BigInt(ms) * 1000n + BigInt(frac);
}
function timeUs(s) {
	const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?/.exec(s);
	if (!m) return null;
	return ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1e6 + +(((m[4] || '') + '000000').slice(0, 6));
}
function sameJson(a, b) {
	if (a === null || b === null) return a === b;
	if (typeof a === 'number' || typeof b === 'number') {
		const x = typeof a === 'number' ? a : num(String(a)), y = typeof b === 'number' ? b : num(String(b));
		return sameNum(x, y);
	}
	if (typeof a === 'string' && typeof b === 'string') {
		if (a === b) return true;
		const ta = tsUs(a), tb = tsUs(b);
		return ta !== null && ta === tb;
	}
	if (typeof a !== typeof b) return false;
	if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
	const ka = Object.keys(a), kb = Object.keys(b);
	return ka.length === kb.length && ka.every((k) => k in b && sameJson(a[k], b[k]));
}
function same(c, got, w) {
	if (got === null || w === null) return got === w;
	const s = got.toString('utf8');
	switch (c.kind) {
	case 'float': return sameNum(num(s), num(w));
	case 'ts': return tsUs(s) === BigInt(w);
	case 'time': return timeUs(s) === timeUs(w);
	case 'blob': return got.toString('hex').toUpperCase() === w;
	case 'json': try { return sameJson(JSON.parse(s), JSON.parse(w)); } catch { return false; }
	case 'bool': return s === w;
	default: return Buffer.compare(got, Buffer.from(w, 'utf8')) === 0;
	}
}

let bad = 0;
const say = (m) => { if (bad++ < 20) console.log(m); };
if (names.join(',') !== cols.map((c) => c.name).join(','))
	say(`columns: ours ${names.join(',')}, DuckDB ${cols.map((c) => c.name).join(',')}`);
if (rows.length !== want.length) say(`rows: ours ${rows.length}, DuckDB ${want.length}`);
for (let r = 0; r < Math.min(rows.length, want.length); r++) {
	const f = fields(rows[r]);
	if (f.length !== cols.length) { say(`row ${r + 1}: ${f.length} fields`); continue; }
	cols.forEach((c, k) => {
		const w = want[r][k] === null ? null : String(want[r][k]);
		if (!same(c, f[k], w))
			say(`row ${r + 1} ${c.name}: ours ${f[k] === null ? '\\N' : f[k].toString()}, DuckDB ${w === null ? 'NULL' : w}`);
	});
}
if (bad) console.log(`${bad} differences`);
process.exit(bad ? 1 : 0);
