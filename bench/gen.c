/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen.c -- benchmark input generator for bench/load.sh (not part of the
 * build: the script compiles it). Deterministic (fixed seed), fast (one
 * 4 MiB buffer, no stdio per field).
 *
 *   gen wide ROWS    16-column lineitem-like rows, '|'-separated:
 *                    4 ints, 4 DECIMAL(15,2), 2 CHAR(1), 3 DATE,
 *                    2 short VARCHAR, a 40-80 character comment
 *   gen narrow ROWS  id,name,age
 *   gen ndjson BYTES the wide rows as JSON objects, one a line, until BYTES
 *   gen array BYTES  the same as one top-level array on a single line
 *                    (the JSON modes print "rows N" on stderr)
 *
 * Output on stdout, one row per line ('\n').
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char obuf[4 << 20];
static size_t olen;

static void flush(void)
{
	size_t off = 0;
	while (off < olen) {
		ssize_t w = write(1, obuf + off, olen - off);
		if (w <= 0) {
			perror("gen: write");
			exit(111);
		}
		off += (size_t)w;
	}
	olen = 0;
}

static uint64_t rs = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static void put(const char *s, size_t n)
{
	memcpy(obuf + olen, s, n);
	olen += n;
}
static void putc1(char c) { obuf[olen++] = c; }

static void putu(uint64_t v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		obuf[olen++] = t[--n];
}

/* cents as d+.dd */
static void putdec(uint64_t cents)
{
	putu(cents / 100);
	putc1('.');
	putc1((char)('0' + cents / 10 % 10));
	putc1((char)('0' + cents % 10));
}

static void put2(int v)
{
	putc1((char)('0' + v / 10));
	putc1((char)('0' + v % 10));
}

/* days since 1970-01-01 -> YYYY-MM-DD (civil_from_days) */
static void putdate(int64_t z)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp, d, m;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	putu((uint64_t)y);
	putc1('-');
	put2((int)m);
	putc1('-');
	put2((int)d);
}

static const char *const instruct[] = { "DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN" };
static const char *const mode[] = { "TRUCK", "MAIL", "REG AIR", "AIR", "FOB", "RAIL", "SHIP" };
static const char *const words[] = {
	"furiously", "sly", "careful", "blithely", "quickly", "fluffily", "slyly", "ironic",
	"final", "regular", "express", "bold", "pending", "even", "special", "silent",
	"unusual", "deposits", "packages", "requests", "accounts", "instructions", "theodolites",
	"pinto", "beans", "foxes", "ideas", "dependencies", "excuses", "platelets", "asymptotes",
	"courts", "dolphins", "multipliers", "sauternes", "warthogs", "frets", "dinos", "attainments",
	"somas", "Tiresias", "patterns", "forges", "braids", "hockey", "players", "frays", "warhorses",
	"dugouts", "notornis", "epitaphs", "pearls", "tithes", "waters", "orbits", "gifts", "sheaves",
	"depths", "sentiments", "decoys", "realms", "pains", "grouches", "escapades",
};

static void comment(void)
{
	size_t want = 41 + rnd() % 40, n = 0;   /* 40..80 after a dropped trailing space */
	while (n < want) {
		const char *w = words[rnd() % (sizeof words / sizeof *words)];
		size_t wl = strlen(w);
		if (n) {
			if (n + 2 > want)
				break;
			putc1(' ');
			n++;
		}
		if (n + wl > want)
			wl = want - n;
		put(w, wl);
		n += wl;
	}
}

static void wide(uint64_t rows)
{
	uint64_t i, order = 1;
	int line = 1;
	for (i = 0; i < rows; i++) {
		uint64_t qty = 1 + rnd() % 50, price = 90000 + rnd() % 10400000;
		int64_t ship = 8035 + (int64_t)(rnd() % 2500);   /* 1992..1998 */
		if (olen > sizeof obuf - 512)
			flush();
		putu(order);
		putc1('|');
		putu(1 + rnd() % 200000);
		putc1('|');
		putu(1 + rnd() % 10000);
		putc1('|');
		putu((uint64_t)line);
		putc1('|');
		putdec(qty * 100);
		putc1('|');
		putdec(price);
		putc1('|');
		putdec(rnd() % 11);
		putc1('|');
		putdec(rnd() % 9);
		putc1('|');
		putc1("RAN"[rnd() % 3]);
		putc1('|');
		putc1("OF"[rnd() % 2]);
		putc1('|');
		putdate(ship);
		putc1('|');
		putdate(ship - 30 + (int64_t)(rnd() % 60));
		putc1('|');
		putdate(ship + 1 + (int64_t)(rnd() % 30));
		putc1('|');
		{
			const char *s = instruct[rnd() % 4];
			put(s, strlen(s));
		}
		putc1('|');
		{
			const char *m = mode[rnd() % 7];
			put(m, strlen(m));
		}
		putc1('|');
		comment();
		putc1('\n');
		if (++line > 1 + (int)(order % 7)) {
			line = 1;
			order++;
		}
	}
}

static void narrow(uint64_t rows)
{
	uint64_t i;
	for (i = 1; i <= rows; i++) {
		if (olen > sizeof obuf - 128)
			flush();
		putu(i);
		put(",name", 5);
		putu(i);
		putc1(',');
		putu(rnd() % 100);
		putc1('\n');
	}
}

/* The rows of wide() as JSON objects keyed by the column names (numbers as
 * JSON numbers, the rest as strings): NDJSON, or one top-level array on a
 * single line for strip_outer_array; until at least `bytes` bytes. Returns
 * the number of rows. */
static void key(const char *k, int first)
{
	if (!first)
		putc1(',');
	putc1('"');
	put(k, strlen(k));
	put("\":", 2);
}

static void str(const char *s, size_t n)
{
	putc1('"');
	put(s, n);
	putc1('"');
}

static uint64_t json(int array, uint64_t bytes)
{
	uint64_t i, order = 1, total = 0;
	int line = 1;
	if (array)
		putc1('[');
	for (i = 0;; i++) {
		uint64_t qty = 1 + rnd() % 50, price = 90000 + rnd() % 10400000;
		int64_t ship = 8035 + (int64_t)(rnd() % 2500);   /* 1992..1998 */
		if (olen > sizeof obuf - 1024) {
			total += olen;
			flush();
		}
		if (array && i)
			putc1(',');
		putc1('{');
		key("l_orderkey", 1);
		putu(order);
		key("l_partkey", 0);
		putu(1 + rnd() % 200000);
		key("l_suppkey", 0);
		putu(1 + rnd() % 10000);
		key("l_linenumber", 0);
		putu((uint64_t)line);
		key("l_quantity", 0);
		putdec(qty * 100);
		key("l_extendedprice", 0);
		putdec(price);
		key("l_discount", 0);
		putdec(rnd() % 11);
		key("l_tax", 0);
		putdec(rnd() % 9);
		key("l_returnflag", 0);
		str(&"RAN"[rnd() % 3], 1);
		key("l_linestatus", 0);
		str(&"OF"[rnd() % 2], 1);
		key("l_shipdate", 0);
		putc1('"');
		putdate(ship);
		putc1('"');
		key("l_commitdate", 0);
		putc1('"');
		putdate(ship - 30 + (int64_t)(rnd() % 60));
		putc1('"');
		key("l_receiptdate", 0);
		putc1('"');
		putdate(ship + 1 + (int64_t)(rnd() % 30));
		putc1('"');
		key("l_shipinstruct", 0);
		{
			const char *s = instruct[rnd() % 4];
			str(s, strlen(s));
		}
		key("l_shipmode", 0);
		{
			const char *m = mode[rnd() % 7];
			str(m, strlen(m));
		}
		key("l_comment", 0);
		putc1('"');
		comment();
		putc1('"');
		putc1('}');
		if (!array)
			putc1('\n');
		if (++line > 1 + (int)(order % 7)) {
			line = 1;
			order++;
		}
		if (total + olen >= bytes)
			break;
	}
	if (array)
		put("]\n", 2);
	flush();
	return i + 1;
}

int main(int argc, char **argv)
{
	uint64_t n;
	if (argc != 3 || (strcmp(argv[1], "wide") && strcmp(argv[1], "narrow") &&
	    strcmp(argv[1], "ndjson") && strcmp(argv[1], "array"))) {
		fputs("gen: usage: gen wide|narrow ROWS | gen ndjson|array BYTES\n", stderr);
		return 100;
	}
	n = strtoull(argv[2], 0, 10);
	if (!strcmp(argv[1], "wide"))
		wide(n);
	else if (!strcmp(argv[1], "narrow"))
		narrow(n);
	else {
		/* the row count goes to stderr ("rows N") for bench/formats.sh */
		uint64_t rows = n ? json(!strcmp(argv[1], "array"), n) : 0;
		fprintf(stderr, "rows %llu\n", (unsigned long long)rows);
		return 0;
	}
	flush();
	return 0;
}
