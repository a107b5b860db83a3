/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-orc.c -- unit tests of ORC's encodings (libcommon/orcrle.c: the
 * examples of the ORC specification for byte RLE, booleans, integer RLE
 * v1 and every v2 sub-encoding, and streams that end early; orczip.c:
 * zstd, zlib and original chunks, limits, damage), and, given a
 * file, the ORC reader's rows (libcommon/orc.c) printed for
 * tests/formats-orc.bats: a first line with the columns' names and Doris
 * types, then one JSON array a row, each field hex or null. A reader's
 * failure is "error: REASON" on stderr and exit status 1.
 *   test-orc                     the encoding tests
 *   test-orc FILE [MAX_BATCH]    the file's rows
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "colfile.h"
#include "orcrle.h"
#include "orczip.h"
#include "sl.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* n integers decoded from p[0..len) equal want[0..n), then the end */
static int ints(const uint8_t *p, size_t len, int v2, int sign, const int64_t *want, size_t n)
{
	sl_orcrle_int d;
	int64_t v;
	sl_orcrle_int_init(&d, p, len, v2, sign);
	for (size_t i = 0; i < n; i++)
		if (sl_orcrle_int_next(&d, &v) != 1 || v != want[i])
			return 0;
	return sl_orcrle_int_next(&d, &v) == -1;
}

static void test_int_v2(void)
{
	static const uint8_t sr[] = { 0x0a, 0x27, 0x10 };
	static const int64_t srv[] = { 10000, 10000, 10000, 10000, 10000 };
	CHECK(ints(sr, sizeof sr, 1, 0, srv, 5));
	static const uint8_t di[] = { 0x5e, 0x03, 0x5c, 0xa1, 0xab, 0x1e, 0xde, 0xad, 0xbe, 0xef };
	static const int64_t div[] = { 23713, 43806, 57005, 48879 };
	CHECK(ints(di, sizeof di, 1, 0, div, 4));
	static const uint8_t pb[] = { 0x8e, 0x13, 0x2b, 0x21, 0x07, 0xd0, 0x1e, 0x00, 0x14, 0x70, 0x28,
		0x32, 0x3c, 0x46, 0x50, 0x5a, 0x64, 0x6e, 0x78, 0x82, 0x8c, 0x96, 0xa0, 0xaa, 0xb4, 0xbe,
		0xfc, 0xe8 };
	static const int64_t pbv[] = { 2030, 2000, 2020, 1000000, 2040, 2050, 2060, 2070, 2080, 2090,
		2100, 2110, 2120, 2130, 2140, 2150, 2160, 2170, 2180, 2190 };
	CHECK(ints(pb, sizeof pb, 1, 1, pbv, 20));
	static const uint8_t de[] = { 0xc6, 0x09, 0x02, 0x02, 0x22, 0x42, 0x42, 0x46 };
	static const int64_t dev[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29 };
	CHECK(ints(de, sizeof de, 1, 0, dev, 10));
	/* signed: zigzag; a fixed negative delta */
	static const uint8_t sg[] = { 0xc0, 0x04, 0x13, 0x03 };   /* base -10, delta -2, 5 values */
	static const int64_t sgv[] = { -10, -12, -14, -16, -18 };
	CHECK(ints(sg, sizeof sg, 1, 1, sgv, 5));
	/* cut short: the direct run's packed values are missing */
	CHECK(ints(di, 5, 1, 0, div, 0));
}

static void test_int_v1(void)
{
	static const uint8_t run[] = { 0x61, 0x00, 0x07 };
	int64_t want[100];
	for (int i = 0; i < 100; i++)
		want[i] = 7;
	CHECK(ints(run, sizeof run, 0, 0, want, 100));
	static const uint8_t lit[] = { 0xfb, 0x02, 0x03, 0x04, 0x07, 0x0b };
	static const int64_t litv[] = { 2, 3, 4, 7, 11 };
	CHECK(ints(lit, sizeof lit, 0, 0, litv, 5));
	static const uint8_t dl[] = { 0x00, 0xff, 0x01 };     /* signed: -1, then -2, -3 */
	static const int64_t dlv[] = { -1, -2, -3 };
	CHECK(ints(dl, sizeof dl, 0, 1, dlv, 3));
	CHECK(ints(lit, 3, 0, 0, litv, 0));
}

static void test_bytes(void)
{
	static const uint8_t run[] = { 0x61, 0x00 }, lit[] = { 0xfe, 0x44, 0x45 };
	sl_orcrle_byte d;
	uint8_t v;
	int ok = 1;
	sl_orcrle_byte_init(&d, run, sizeof run);
	for (int i = 0; i < 100; i++)
		ok &= sl_orcrle_byte_next(&d, &v) == 1 && v == 0;
	CHECK(ok && sl_orcrle_byte_next(&d, &v) == -1);
	sl_orcrle_byte_init(&d, lit, sizeof lit);
	CHECK(sl_orcrle_byte_next(&d, &v) == 1 && v == 0x44);
	CHECK(sl_orcrle_byte_next(&d, &v) == 1 && v == 0x45);
	CHECK(sl_orcrle_byte_next(&d, &v) == -1);
	sl_orcrle_byte_init(&d, lit, 2);
	CHECK(sl_orcrle_byte_next(&d, &v) == -1);
	static const uint8_t bo[] = { 0xff, 0x80 };  /* one literal byte: 1000 0000 */
	sl_orcrle_bool b;
	int bit;
	sl_orcrle_bool_init(&b, bo, sizeof bo);
	CHECK(sl_orcrle_bool_next(&b, &bit) == 1 && bit == 1);
	ok = 1;
	for (int i = 0; i < 7; i++)
		ok &= sl_orcrle_bool_next(&b, &bit) == 1 && bit == 0;
	CHECK(ok && sl_orcrle_bool_next(&b, &bit) == -1);
}

/* a chunk header: length and the "original" bit, little-endian */
static size_t chunk_head(uint8_t *p, size_t len, int original)
{
	uint32_t h = (uint32_t)(len << 1 | (original != 0));
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(h >> 8);
	p[2] = (uint8_t)(h >> 16);
	return 3;
}

static void test_chunks(void)
{
	char text[1000], err[256];
	uint8_t in[2048];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (char)('a' + i % 7);
	/* a zstd chunk then an original one */
	size_t z = ZSTD_compress(in + 3, sizeof in - 3, text, sizeof text, 3);
	CHECK(!ZSTD_isError(z));
	size_t n = 3 + z;
	chunk_head(in, z, 0);
	n += chunk_head(in + n, 5, 1);
	memcpy(in + n, "hello", 5);
	n += 5;
	sl_buf out = SL_BUF_ZERO;
	CHECK(sl_orczip_unpack(SL_ORCZIP_ZSTD, 1000, in, n, 1 << 20, &out, err, sizeof err) == 1);
	CHECK(out.len == 1005 && memcmp(out.p, text, 1000) == 0 && memcmp(out.p + 1000, "hello", 5) == 0);
	/* more out than the limit; a chunk longer than its stream; damage */
	out.len = 0;
	CHECK(sl_orczip_unpack(SL_ORCZIP_ZSTD, 1000, in, n, 500, &out, err, sizeof err) == -1);
	out.len = 0;
	CHECK(sl_orczip_unpack(SL_ORCZIP_ZSTD, 1000, in, 10, 1 << 20, &out, err, sizeof err) == -1);
	in[5] ^= 0xff;
	out.len = 0;
	CHECK(sl_orczip_unpack(SL_ORCZIP_ZSTD, 1000, in, n, 1 << 20, &out, err, sizeof err) == -1);
	CHECK(strstr(err, "ZSTD chunk does not decompress") != NULL);
	/* zlib is raw deflate */
	z_stream zs = { 0 };
	CHECK(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	zs.next_in = (Bytef *)text;
	zs.avail_in = sizeof text;
	zs.next_out = in + 3;
	zs.avail_out = sizeof in - 3;
	CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	chunk_head(in, zs.total_out, 0);
	out.len = 0;
	CHECK(sl_orczip_unpack(SL_ORCZIP_ZLIB, 1000, in, 3 + zs.total_out, 1 << 20, &out, err, sizeof err) == 1);
	CHECK(out.len == 1000 && memcmp(out.p, text, 1000) == 0);
	deflateEnd(&zs);
	CHECK(sl_orczip_unpack(6, 1000, in, 10, 1 << 20, &out, err, sizeof err) == -1);
	CHECK(strstr(err, "not supported") != NULL);
	sl_buf_free(&out);
}

static int dump(const char *path, const char *max)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		return 2;
	}
	sl_colsrc src = { fd, (uint64_t)st.st_size, NULL };
	sl_colopts o = { "UTC", max ? strtoull(max, NULL, 10) : 0 };
	char err[512];
	sl_colreader *r = sl_orc_open(&src, &o, err, sizeof err);
	if (!r) {
		fprintf(stderr, "error: %s\n", err);
		return 1;
	}
	printf("[");
	for (size_t i = 0; i < r->ncols; i++)
		printf("%s[\"%s\",\"%s\"]", i ? "," : "", r->cols[i].name, r->cols[i].type);
	printf("]\n");
	sl_field *v = calloc(r->ncols + 1, sizeof *v);
	int rc;
	while ((rc = r->ops->next(r, v)) == 1) {
		putchar('[');
		for (size_t i = 0; i < r->ncols; i++) {
			if (i)
				putchar(',');
			if (v[i].n == SL_NULL_LEN) {
				fputs("null", stdout);
				continue;
			}
			putchar('"');
			for (uint32_t k = 0; k < v[i].n; k++)
				printf("%02x", (unsigned char)v[i].p[k]);
			putchar('"');
		}
		puts("]");
	}
	if (rc < 0)
		fprintf(stderr, "error: %s\n", r->err);
	free(v);
	r->ops->free(r);
	close(fd);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return dump(argv[1], argc > 2 ? argv[2] : NULL);
	test_int_v2();
	test_int_v1();
	test_bytes();
	test_chunks();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
