/* SPDX-License-Identifier: Apache-2.0 */
/* test-csvsplit.c -- unit tests of the plain CSV splitter (csvsplit.h):
 * separator values, field splitting at every position of the SSE2 blocks,
 * UTF-8 validation, the line reader's bounds and delimiters, and the
 * enclosed reader's doubled and outer enclose bytes, the first record of a
 * body's start (sl_csv_first), hex digits. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "csvsplit.h"
#include "utf8.h"
#include "hex.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static int sep_is(const char *v, const char *want, size_t n)
{
	sl_buf b = SL_BUF_ZERO;
	const char *err = 0;
	int r = sl_sep_parse(v, &b, &err) == 1 && b.len == n && !memcmp(b.p, want, n);
	sl_buf_free(&b);
	return r;
}

static const char *sep_err(const char *v)
{
	sl_buf b = SL_BUF_ZERO;
	const char *err = 0;
	int r = sl_sep_parse(v, &b, &err);
	sl_buf_free(&b);
	return r == 0 ? err : "(ok)";
}

static void test_sep(void)
{
	sl_buf d = SL_BUF_ZERO;

	CHECK(sep_is(",", ",", 1));
	CHECK(sep_is("\\t", "\t", 1));
	CHECK(sep_is("\\n", "\n", 1));
	CHECK(sep_is("\\\\", "\\", 1));
	CHECK(sep_is("\\x01", "\x01", 1));
	CHECK(sep_is("\\X0a\\x0D", "\n\r", 2));
	CHECK(sep_is("a\\x01", "a\\x01", 5));
	CHECK(sep_is("\\q", "\\q", 2));
	CHECK(sep_is("||", "||", 2));
	CHECK(!strcmp(sep_err("\\x"), "Hex str is empty"));
	CHECK(!strcmp(sep_err("\\x0"), "Hex str length error"));
	CHECK(!strcmp(sep_err("\\xg0"), "Hex str format error"));
	CHECK(!strcmp(sep_err("\\x01|"), "Hex str format error"));
	CHECK(sl_sep_display("\t\n,\r", 4, &d) == 1 && !strcmp(d.p, "\\t\\n,\\r"));
	sl_buf_free(&d);
}

static void test_split(void)
{
	sl_field f[64];
	char line[200];
	size_t n, i, pos;
	int ascii;

	/* a separator at every offset of a 40-byte line */
	for (pos = 0; pos < 40; pos++) {
		memset(line, 'a', 40);
		line[pos] = ',';
		n = sl_csv_split(line, 40, ",", 1, f, 64, &ascii);
		CHECK(n == 2 && f[0].n == pos && f[1].n == 39 - pos && ascii);
	}
	n = sl_csv_split("a||||b", 6, "||", 2, f, 64, 0);
	CHECK(n == 3 && f[0].n == 1 && f[1].n == 0 && f[2].n == 1 && f[2].p[0] == 'b');
	n = sl_csv_split("", 0, ",", 1, f, 64, &ascii);
	CHECK(n == 1 && f[0].n == 0);
	for (i = 0; i < 100; i++)
		line[i] = ',';
	n = sl_csv_split(line, 100, ",", 1, f, 10, 0);
	CHECK(n == 101);
	memcpy(line, "aaaaaaaaaaaaaaaaaaa\xc3\xa9,b", 23);
	n = sl_csv_split(line, 23, ",", 1, f, 64, &ascii);
	CHECK(n == 2 && !ascii);
	n = sl_csv_split(line, 23, "\xc3\xa9", 2, f, 64, &ascii);
	CHECK(n == 2 && !ascii && f[1].n == 2);
}

static void test_utf8(void)
{
	CHECK(sl_utf8_valid("plain ascii text that is long enough", 36));
	CHECK(sl_utf8_valid("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", 9));
	CHECK(!sl_utf8_valid("\xff", 1));
	CHECK(!sl_utf8_valid("\xc0\xaf", 2));             /* overlong */
	CHECK(!sl_utf8_valid("\xed\xa0\x80", 3));         /* surrogate */
	CHECK(!sl_utf8_valid("\xf4\x90\x80\x80", 4));     /* > U+10FFFF */
	CHECK(!sl_utf8_valid("0123456789abcdef\xc3", 17)); /* cut short */
	CHECK(sl_utf8_chars("a\xc3\xa9z", 4) == 3);
	CHECK(sl_utf8_prefix("\xc3\xa9\xc3\xa9x", 5, 1) == 2);
	CHECK(sl_utf8_prefix("ab", 2, 5) == 2);
}

/* Lines of a file written with content s, delimiter d, limit max. */
static int lines_of(const char *s, const char *d, size_t max, char out[][64], int *toolong)
{
	char path[] = "/tmp/test-csvsplit-XXXXXX";
	int fd = mkstemp(path), k = 0, r;
	sl_lines l;
	sl_line ln;

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s) || lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	unlink(path);
	sl_lines_init(&l, fd, d, strlen(d), max);
	while ((r = sl_lines_next(&l, &ln)) > 0 && k < 16) {
		snprintf(out[k], 64, "%.*s", (int)(ln.n < 60 ? ln.n : 60), ln.p);
		toolong[k] = ln.toolong;
		k++;
	}
	sl_lines_free(&l);
	close(fd);
	return r < 0 ? -1 : k;
}

static void test_lines(void)
{
	char out[16][64];
	int tl[16];

	CHECK(lines_of("a\r\nb\n\nc", "\n", 100, out, tl) == 4 &&
	    !strcmp(out[0], "a") && !strcmp(out[1], "b") && !strcmp(out[2], "") && !strcmp(out[3], "c"));
	CHECK(lines_of("a\r;;b;;", ";;", 100, out, tl) == 2 && !strcmp(out[0], "a\r") && !strcmp(out[1], "b"));
	CHECK(lines_of("ok\n0123456789abcdef\nend", "\n", 8, out, tl) == 3 &&
	    !strcmp(out[1], "01234567") && tl[1] && !tl[2] && !strcmp(out[2], "end"));
	CHECK(lines_of("0123456789abcdefXYend", "XY", 8, out, tl) == 2 && tl[0] && !strcmp(out[1], "end"));
	CHECK(lines_of("", "\n", 8, out, tl) == 0);
}

/* The records of body s read by sl_csvq (separator ",", delimiter "\n",
 * no flags), fields joined by '|' and records by ';', into out. */
static const char *quoted(const char *s, unsigned char enc, int esc, char *out, size_t cap)
{
	char path[] = "/tmp/test-csvsplit-XXXXXX";
	int fd = mkstemp(path), r;
	size_t o = 0, i;
	sl_lines l;
	sl_csvq *q;
	sl_qrec rec;

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s) || lseek(fd, 0, SEEK_SET) != 0)
		return "(io)";
	unlink(path);
	out[0] = 0;
	sl_lines_init(&l, fd, "\n", 1, 1 << 16);
	q = sl_csvq_new(&l, ",", 1, enc, esc, 0, 1 << 16, 0);
	while (q && (r = sl_csvq_next(q, &rec)) > 0)
		for (i = 0; i < rec.nf && o < cap; i++)
			o += (size_t)snprintf(out + o, cap - o, "%.*s%s", (int)rec.f[i].n, rec.f[i].p,
			    i + 1 < rec.nf ? "|" : ";");
	sl_csvq_free(q);
	sl_lines_free(&l);
	close(fd);
	return out;
}

static void test_quoted(void)
{
	char b[256];

	/* escape equal to enclose: "" inside an enclosed field is one byte
	 * (RFC 4180); outside one it escapes the next byte */
	CHECK(!strcmp(quoted("\"x\"\"y\",1,\"a,b\"\n", '"', '"', b, sizeof b), "x\"y|1|a,b;"));
	CHECK(!strcmp(quoted("\"\"\"lead\",\"\",c\"\"d\n", '"', '"', b, sizeof b), "\"lead||c\"d;"));
	CHECK(!strcmp(quoted("\"e\"\"\"\"f\"\n", '"', '"', b, sizeof b), "e\"\"f;"));
	/* without escape the same doubled bytes stay two */
	CHECK(!strcmp(quoted("\"x\"\"y\",1\n", '"', -1, b, sizeof b), "x\"\"y|1;"));
	/* text after the closing byte: the outer bytes go only when both are
	 * the enclose byte (Doris's escape example without escape) */
	CHECK(!strcmp(quoted("Zhang San,30,'Shanghai, Huangpu District, \\'Dagu Road'\n", '\'', -1, b, sizeof b),
	    "Zhang San|30|Shanghai, Huangpu District, \\'Dagu Road;"));
	CHECK(!strcmp(quoted("\"g\"hi,'a'b'\n", '"', -1, b, sizeof b), "\"g\"hi|'a'b';"));
	CHECK(!strcmp(quoted("'a'b',x\n'a'b\n", '\'', -1, b, sizeof b), "a'b|x;'a'b;"));
}

/* sl_csv_first over p as "a|b;" (fields joined), "more" (0, not end),
 * "none" (0, end). */
static const char *first(const char *p, int end, const char *sep, const char *delim, int enc,
	uint64_t skip, char *out, size_t cap)
{
	sl_csvfmt f = { sep, delim, strlen(sep), strlen(delim), enc, -1, 0, skip };
	sl_buf rec = SL_BUF_ZERO;
	size_t nf = 99, i, o = 0;
	const char *q;
	int r = sl_csv_first(p, strlen(p), end, &f, &rec, &nf);

	if (r <= 0) {
		snprintf(out, cap, "%s", r < 0 ? "error" : end ? "none" : "more");
		sl_buf_free(&rec);
		return out;
	}
	out[0] = 0;
	for (i = 0, q = rec.p; i < nf && o < cap; i++, q += strlen(q) + 1)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", q, i + 1 < nf ? "|" : ";");
	sl_buf_free(&rec);
	return out;
}

static void test_first(void)
{
	char b[256];

	CHECK(!strcmp(first("a,b,c\nd\n", 0, ",", "\n", -1, 0, b, sizeof b), "a|b|c;"));
	/* the first line may go on until a delimiter or the end */
	CHECK(!strcmp(first("a,b,c", 0, ",", "\n", -1, 0, b, sizeof b), "more"));
	CHECK(!strcmp(first("a,b,c\r", 1, ",", "\n", -1, 0, b, sizeof b), "a|b|c;"));
	CHECK(!strcmp(first("a,b\r\n", 0, ",", "\n", -1, 0, b, sizeof b), "a|b;"));
	/* a BOM, skipped lines, empty lines */
	CHECK(!strcmp(first("\xEF\xBB\xBFx\ny,z\n", 0, ",", "\n", -1, 0, b, sizeof b), "x;"));
	CHECK(!strcmp(first("h1\nh2\n\n\ny,z\n", 0, ",", "\n", -1, 2, b, sizeof b), "y|z;"));
	CHECK(!strcmp(first("\n\n", 0, ",", "\n", -1, 0, b, sizeof b), "more"));
	CHECK(!strcmp(first("\n\n", 1, ",", "\n", -1, 0, b, sizeof b), "none"));
	CHECK(!strcmp(first("", 1, ",", "\n", -1, 0, b, sizeof b), "none"));
	/* separators and delimiters of several bytes, one cut at the end */
	CHECK(!strcmp(first("a||b||c;;d", 0, "||", ";;", -1, 0, b, sizeof b), "a|b|c;"));
	CHECK(!strcmp(first("a||b;", 0, "||", ";;", -1, 0, b, sizeof b), "more"));
	/* more fields than the stack array holds */
	{
		char line[400];
		size_t i, n = 0;
		for (i = 0; i < 100; i++)
			line[n++] = 'x', line[n++] = ',';
		line[n - 1] = '\n';
		line[n] = 0;
		first(line, 1, ",", "\n", -1, 0, b, sizeof b);
		CHECK(strlen(b) == 200 && b[199] == ';');
	}
	/* enclosed: a delimiter inside a field, a record cut inside one */
	CHECK(!strcmp(first("\"a\nb\",c\nd\n", 0, ",", "\n", '"', 0, b, sizeof b), "a\nb|c;"));
	CHECK(!strcmp(first("\"a\nb", 0, ",", "\n", '"', 0, b, sizeof b), "more"));
	CHECK(!strcmp(first("\"a\",b", 0, ",", "\n", '"', 0, b, sizeof b), "more"));
	CHECK(!strcmp(first("\"a\",b", 1, ",", "\n", '"', 0, b, sizeof b), "a|b;"));
	CHECK(!strcmp(first("\n\"x\"||y\n", 0, "||", "\n", '"', 0, b, sizeof b), "x|y;"));
	CHECK(!strcmp(first("s\n\"x\",y\n", 0, ",", "\n", '"', 1, b, sizeof b), "x|y;"));
	CHECK(sl_hex_digit('0') == 0 && sl_hex_digit('a') == 10 && sl_hex_digit('F') == 15 &&
	    sl_hex_digit('g') == -1 && sl_hex_digit('/') == -1);
}

int main(void)
{
	test_sep();
	test_split();
	test_utf8();
	test_lines();
	test_quoted();
	test_first();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
