/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-csv.c -- libFuzzer target for the plain-CSV fast path of sl-parse
 * (csvsplit.h): the line reader over an fd, the field splitter, the UTF-8
 * helpers and the separator header parser. Built by `make fuzz`
 * (mk/fuzz.mk) with clang -fsanitize=fuzzer,address,undefined.
 *
 * Input layout: 10 bytes of options, then the body.
 *   b0: line delimiter: bit 2 set -> "\n" (crlf mode), else 1 + b0 % 3
 *       bytes taken from b1..b3
 *   b4: column separator: bit 2 set -> "|", bit 3 set -> "\t", else
 *       1 + b4 % 3 bytes taken from b5..b7
 *   b8..b9: the line cap (1 + (u16 % 4096)); b8 >> 6: lines to skip
 *       in the enclosed pass
 *   b4 bit 4: also run the enclosed-CSV reader (sl_csvq, with the
 *       separator and delimiter above, one to three bytes each), enclose
 *       '"' or (b4 bit 5) b5, escape none or (b4 bit 6) b6, doubled
 *       enclose bytes kept as two or (b4 bit 7) collapsed
 *   b8 bits 4-5: also read the body as a compressed body (sl_input, as
 *       sl-parse does): 1 snappy_block, 2 lz4_block, 3 lzop; and with 1,
 *       the body framed as Hadoop snappy blocks must read back as itself
 * The body goes to a memfd read by sl_lines; every line is checked against
 * a reference split of the body (memmem, leftmost non-overlapping) and
 * split into fields, which are checked to tile the line exactly. The first
 * bytes of the body (up to 64, to the first NUL) are also fed to
 * sl_sep_parse / sl_sep_display.
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <snappy-c.h>

#include "csvsplit.h"
#include "utf8.h"
#include "input.h"
#include "io.h"
#include "sl.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-csv: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static int memfd = -1;

/* Reference UTF-8 validator (RFC 3629), byte by byte. */
static int ref_utf8(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		size_t k;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) { k = 1; cp = c & 0x1F; min = 0x80; }
		else if (c >= 0xE0 && c <= 0xEF) { k = 2; cp = c & 0x0F; min = 0x800; }
		else if (c >= 0xF0 && c <= 0xF4) { k = 3; cp = c & 0x07; min = 0x10000; }
		else return 0;
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

static void check_utf8(const char *p, size_t n)
{
	int v = sl_utf8_valid(p, n);
	size_t chars = sl_utf8_chars(p, n), ref = 0;

	CHECK(v == ref_utf8((const unsigned char *)p, n));
	for (size_t i = 0; i < n; i++)
		ref += ((unsigned char)p[i] & 0xC0) != 0x80;
	CHECK(chars == ref);
	for (size_t k = 0; k <= chars + 1; k += 1 + k / 4) {
		size_t b = sl_utf8_prefix(p, n, k);
		CHECK(b <= n);
		CHECK(sl_utf8_chars(p, b) == (k < chars ? k : chars));
	}
}

static void check_split(const char *p, size_t n, const char *sep, size_t slen)
{
	sl_field small[4], *out = small;
	size_t max = SL_ARRAY_LEN(small), nf;
	int ascii = -1, allascii = 1;

	nf = sl_csv_split(p, n, sep, slen, out, max, &ascii);
	CHECK(nf >= 1);
	if (nf > max) {
		size_t again;
		out = malloc(nf * sizeof *out);
		CHECK(out);
		again = sl_csv_split(p, n, sep, slen, out, nf, NULL);
		CHECK(again == nf);
		max = nf;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			allascii = 0;
	CHECK(ascii == allascii);
	/* the fields tile the line: f0 sep f1 sep ... fN-1 */
	CHECK(out[0].p == p);
	for (size_t i = 0; i < nf; i++) {
		const char *fe = out[i].p + out[i].n;
		CHECK(out[i].n != SL_NULL_LEN);
		CHECK(out[i].p >= p && fe <= p + n);
		CHECK(!memmem(out[i].p, out[i].n, sep, slen));
		if (i + 1 < nf) {
			CHECK((size_t)(p + n - fe) >= slen);
			CHECK(!memcmp(fe, sep, slen));
			CHECK(out[i + 1].p == fe + slen);
		} else {
			CHECK(fe == p + n);
		}
	}
	if (out != small)
		free(out);
}

static void check_sep(const uint8_t *d, size_t n)
{
	char v[65];
	size_t k = 0;
	sl_buf out = { 0, 0, 0 }, disp = { 0, 0, 0 };
	const char *err = NULL;
	int r;

	while (k < n && k < 64 && d[k])
		k++;
	memcpy(v, d, k);
	v[k] = 0;
	r = sl_sep_parse(v, &out, &err);
	CHECK(r == 1 || (r == 0 && err) || r == -1);
	if (r == 1) {
		CHECK(out.len <= k);
		CHECK(sl_sep_display(out.p, out.len, &disp) == 1);
		CHECK(disp.len >= out.len && disp.len <= 2 * out.len);
	}
	sl_buf_free(&out);
	sl_buf_free(&disp);
}

/* The enclosed-CSV reader: no crash, no read past what it returns
 * (ASan), record line numbers ascending, and unescaping only removes
 * bytes: the fields of all records hold at most the body's bytes. */
static void check_quoted(const uint8_t *data, const char *delim, size_t dlen,
	const char *sep, size_t slen, size_t max, size_t body_n)
{
	unsigned char enclose = (data[4] & 0x20) ? data[5] : '"';
	int escape = (data[4] & 0x40) ? data[6] : -1;
	int flags = (data[4] & 0x80) ? SL_CSVQ_COLLAPSE : 0;
	uint64_t last = 0, total = 0;
	sl_lines l;
	sl_csvq *q;
	sl_qrec rec;
	int r;

	CHECK(lseek(memfd, 0, SEEK_SET) == 0);
	CHECK(sl_lines_init(&l, memfd, delim, dlen, max) == 1);
	q = sl_csvq_new(&l, sep, slen, enclose, escape, flags, max, data[8] >> 6);
	CHECK(q);
	while ((r = sl_csvq_next(q, &rec)) == 1) {
		volatile char sink = 0;
		CHECK(rec.nf >= 1);
		CHECK(rec.lineno >= 1 && rec.lineno >= last);
		last = rec.lineno;
		for (size_t i = 0; i < rec.nf; i++) {
			if (rec.f[i].n == SL_NULL_LEN || rec.f[i].n == SL_ABSENT_LEN)
				continue;
			for (size_t k = 0; k < rec.f[i].n; k++)
				sink ^= rec.f[i].p[k];
			total += rec.f[i].n;
		}
		if (rec.nf) {
			/* the promised padding after the fields */
			const sl_field *f = &rec.f[rec.nf - 1];
			if (f->n != SL_NULL_LEN && f->n != SL_ABSENT_LEN)
				for (size_t k = 0; k < SL_CSV_PAD; k++)
					sink ^= f->p[f->n + k];
		}
		(void)sink;
	}
	CHECK(r == 0);
	/* no byte is invented, not even a delimiter after an enclosed field
	 * still open at the end of a body that has no final delimiter */
	CHECK(total <= body_n);
	sl_csvq_free(q);
	sl_lines_free(&l);
}

static void put_be32(unsigned char *p, size_t v)
{
	p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

/* Whatever the body holds, the line reader over a compressed body ends
 * cleanly or fails with EBADMSG and the codec's reason (never a crash or
 * an overread); the body framed as snappy_block (blocks of up to 4 KiB in
 * chunks of up to 1 KiB) reads back exactly, in reads of 1 + b9 % 64. */
static void check_compressed(const uint8_t *data, const char *body, size_t body_n,
	const char *delim, size_t dlen, size_t max)
{
	static const char *const types[] = { NULL, "snappy_block", "lz4_block", "lzop" };
	const char *ct = types[data[8] >> 4 & 3], *err = NULL;
	sl_input *in = sl_input_open_mem(body, body_n, ct, &err);
	unsigned char *z, *back;
	size_t zn = 0, off, got = 0, step = 1 + data[9] % 64;
	sl_lines l;
	sl_line ln;
	int r;

	CHECK(in);
	CHECK(sl_lines_init(&l, -1, delim, dlen, max) == 1);
	l.in = in;
	while ((r = sl_lines_next(&l, &ln)) == 1)
		CHECK(ln.n <= max);
	CHECK(r == 0 || (errno == EBADMSG && *sl_input_error(in)));
	CHECK(l.nread <= body_n);
	sl_lines_free(&l);
	sl_input_close(in);
	if (strcmp(ct, "snappy_block"))
		return;

	z = malloc(body_n + body_n / 4 + 64 * (body_n / 1024 + 2) + 64);
	back = malloc(body_n + 64);
	CHECK(z && back);
	for (off = 0; off < body_n; ) {
		size_t blk = body_n - off < 4096 ? body_n - off : 4096, c;
		put_be32(z + zn, blk);
		zn += 4;
		for (c = 0; c < blk; ) {
			size_t k = blk - c < 1024 ? blk - c : 1024;
			size_t cl = snappy_max_compressed_length(k);
			CHECK(snappy_compress(body + off + c, k, (char *)z + zn + 4, &cl) == SNAPPY_OK);
			put_be32(z + zn, cl);
			zn += 4 + cl;
			c += k;
		}
		off += blk;
	}
	CHECK((in = sl_input_open_mem(z, zn, ct, &err)));
	for (;;) {
		ssize_t k = sl_input_read(in, back + got, step);
		CHECK(k >= 0);
		if (!k)
			break;
		got += (size_t)k;
		CHECK(got <= body_n);
	}
	CHECK(got == body_n && !memcmp(back, body, body_n));
	CHECK(sl_input_raw_bytes(in) == zn);
	sl_input_close(in);
	free(z);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char delim[3], sep[3];
	size_t dlen, slen, max, body_n, pos, lines = 0;
	const char *body;
	int crlf;
	sl_lines l;
	sl_line ln;
	int r;

	if (size < 10)
		return 0;
	if (data[0] & 4) {
		delim[0] = '\n';
		dlen = 1;
	} else {
		dlen = 1 + data[0] % 3;
		memcpy(delim, data + 1, dlen);
	}
	if (data[4] & 4) {
		sep[0] = '|';
		slen = 1;
	} else if (data[4] & 8) {
		sep[0] = '\t';
		slen = 1;
	} else {
		slen = 1 + data[4] % 3;
		memcpy(sep, data + 5, slen);
	}
	max = 1 + ((size_t)data[8] << 8 | data[9]) % 4096;
	body = (const char *)data + 10;
	body_n = size - 10;
	crlf = dlen == 1 && delim[0] == '\n';

	check_sep(data + 10, body_n);

	if (memfd < 0) {
		memfd = memfd_create("fuzz-csv", 0);
		CHECK(memfd >= 0);
	}
	CHECK(ftruncate(memfd, 0) == 0);
	CHECK(pwrite(memfd, body, body_n, 0) == (ssize_t)body_n);
	CHECK(lseek(memfd, 0, SEEK_SET) == 0);

	CHECK(sl_lines_init(&l, memfd, delim, dlen, max) == 1);
	CHECK(l.crlf == crlf);
	pos = 0;
	while ((r = sl_lines_next(&l, &ln)) == 1) {
		/* the reference line: body[pos .. next delimiter or end) */
		const char *at, *s = body + pos;
		size_t rest = body_n - pos, segn;
		volatile char pad = 0;

		CHECK(pos < body_n);
		at = memmem(s, rest, delim, dlen);
		segn = at ? (size_t)(at - s) : rest;
		CHECK(ln.lineno == ++lines);
		CHECK(ln.n <= max);
		for (size_t i = 0; i < SL_CSV_PAD; i++)
			pad ^= ln.p[ln.n + i];   /* the promised padding is readable */
		(void)pad;
		if (ln.toolong) {
			CHECK(segn > max);
			CHECK(ln.n == max);
			CHECK(!memcmp(ln.p, s, max));
		} else {
			size_t want = segn;
			if (crlf && want && s[want - 1] == '\r')
				want--;
			CHECK(segn <= max);
			CHECK(ln.n == want);
			CHECK(!memcmp(ln.p, s, want));
		}
		pos += segn + (at ? dlen : 0);
		check_split(ln.p, ln.n, sep, slen);
		check_utf8(ln.p, ln.n);
	}
	CHECK(r == 0);
	CHECK(pos == body_n);
	CHECK(l.nread == body_n);
	sl_lines_free(&l);
	if (data[4] & 0x10)
		check_quoted(data, delim, dlen, sep, slen, max, body_n);
	if (data[8] & 0x30)
		check_compressed(data, body, body_n, delim, dlen, max);
	return 0;
}
