/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-parquet.c -- unit tests of the parquet reader's pieces (the Thrift
 * compact protocol, the RLE hybrid, DELTA_BINARY_PACKED) on hand-made
 * bytes, good and lying; with a FILE argument it prints that file's
 * columns ("name<TAB>type" lines, then "--") and rows (TAB-separated,
 * \N for NULL) as the reader yields them, for tests/formats-parquet.bats;
 * a second argument bounds a row group's bytes (sl_colopts.max_batch).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "colfile.h"
#include "parquetenc.h"
#include "sl.h"
#include "thrift.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void test_thrift(void)
{
	/* struct { 1: i32 = -3, 2: binary "ab", 4: list<i32> [1, 2], 5: true } */
	const uint8_t ok[] = { 0x15, 0x05, 0x18, 0x02, 'a', 'b', 0x29, 0x25, 0x02, 0x04, 0x11, 0x00 };
	sl_thrift t;
	int last = 0, ft, et;
	uint32_t n;
	const uint8_t *s;
	sl_thrift_init(&t, ok, sizeof ok);
	CHECK(sl_thrift_field(&t, &last, &ft) == 1 && ft == SL_THRIFT_I32 && sl_thrift_int(&t) == -3);
	CHECK(sl_thrift_field(&t, &last, &ft) == 2 && ft == SL_THRIFT_BINARY);
	sl_thrift_binary(&t, &s, &n);
	CHECK(n == 2 && !memcmp(s, "ab", 2));
	CHECK(sl_thrift_field(&t, &last, &ft) == 4 && ft == SL_THRIFT_LIST);
	sl_thrift_list(&t, &et, &n);
	CHECK(et == SL_THRIFT_I32 && n == 2 && sl_thrift_int(&t) == 1 && sl_thrift_int(&t) == 2);
	CHECK(sl_thrift_field(&t, &last, &ft) == 5 && sl_thrift_bool(&t, ft) == 1);
	CHECK(sl_thrift_field(&t, &last, &ft) == 0 && !t.bad);

	/* a string longer than the buffer, a list claiming more elements than
	 * bytes, structs nested past the bound: refused, no read past the end */
	const uint8_t longstr[] = { 0x18, 0x7f, 'a' };
	sl_thrift_init(&t, longstr, sizeof longstr);
	last = 0;
	CHECK(sl_thrift_field(&t, &last, &ft) == 1);
	sl_thrift_binary(&t, &s, &n);
	CHECK(t.bad && n == 0);
	const uint8_t biglist[] = { 0x19, 0xf5, 0xff, 0xff, 0xff, 0x0f };
	sl_thrift_init(&t, biglist, sizeof biglist);
	sl_thrift_skip(&t, SL_THRIFT_STRUCT);
	CHECK(t.bad);
	uint8_t deep[200];
	memset(deep, 0x1c, sizeof deep);
	sl_thrift_init(&t, deep, sizeof deep);
	sl_thrift_skip(&t, SL_THRIFT_STRUCT);
	CHECK(t.bad);
	const uint8_t badvarint[] = { 0x15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	sl_thrift_init(&t, badvarint, sizeof badvarint);
	sl_thrift_skip(&t, SL_THRIFT_STRUCT);
	CHECK(t.bad);
}

static void test_rle(void)
{
	/* a run of 5 threes (bit width 2), then one bit-packed group of 8 */
	const uint8_t p[] = { 0x0a, 0x03, 0x03, 0x88, 0xc6, 0xfa };
	uint32_t v[13];
	CHECK(sl_parquetenc_rle(p, sizeof p, 3, v, 13) == 0);
	CHECK(v[0] == 3 && v[4] == 3);
	for (int i = 0; i < 8; i++)
		CHECK(v[5 + i] == (uint32_t)i);
	/* too few bytes for the values asked, a run value wider than its bits */
	CHECK(sl_parquetenc_rle(p, 3, 3, v, 13) < 0);
	const uint8_t wide[] = { 0x02, 0x09 };
	CHECK(sl_parquetenc_rle(wide, sizeof wide, 3, v, 1) < 0);
	CHECK(sl_parquetenc_rle(p, sizeof p, 33, v, 1) < 0);
	/* bit width 0: no value bits, yet the runs cover the count (a run of
	 * 3, a bit-packed group of 8: 11 values; ARROW-GH-43605's one
	 * dictionary entry) or the stream is refused, never read as zeros */
	const uint8_t zero[] = { 0x06, 0x03 };
	memset(v, 0xff, sizeof v);
	CHECK(sl_parquetenc_rle(zero, sizeof zero, 0, v, 11) == 0);
	for (int i = 0; i < 11; i++)
		CHECK(v[i] == 0);
	CHECK(sl_parquetenc_rle(zero, sizeof zero, 0, v, 12) < 0);
	CHECK(sl_parquetenc_rle(zero, 0, 0, v, 1) < 0);
	CHECK(sl_parquetenc_rle(zero, 1, 0, v, 4) < 0);
	CHECK(sl_parquetenc_rle(zero, 1, 0, v, 3) == 0);
	/* one run over the count: its value, as the decoder gives every
	 * entry; a shorter run, a bit-packed group, a value wider than its
	 * bits or a cut header: 0 (the decoder decides) */
	uint32_t one = 9;
	CHECK(sl_parquetenc_rle_one(p, sizeof p, 3, 5, &one) == 1 && one == 3);
	CHECK(sl_parquetenc_rle_one(p, sizeof p, 3, 4, &one) == 1 && one == 3);
	CHECK(sl_parquetenc_rle_one(p, sizeof p, 3, 6, &one) == 0);
	CHECK(sl_parquetenc_rle_one(p + 2, sizeof p - 2, 3, 1, &one) == 0);
	CHECK(sl_parquetenc_rle_one(wide, sizeof wide, 3, 1, &one) == 0);
	CHECK(sl_parquetenc_rle_one(p, 1, 3, 5, &one) == 0);
	CHECK(sl_parquetenc_rle_one(p, sizeof p, 3, 0, &one) == 0);
}

static void test_delta(void)
{
	/* block 128, 4 miniblocks, 5 values, first 7; min delta -1 (zigzag 1),
	 * widths 1,0,0,0; deltas 0,1,0,1 over the minimum: 7 6 6 5 5 */
	uint8_t p[64] = { 0x80, 0x01, 0x04, 0x05, 0x0e, 0x01, 0x01, 0, 0, 0 };
	p[10] = 0x0a;   /* bits 0,1,0,1 of the first miniblock */
	int64_t v[5];
	size_t used;
	CHECK(sl_parquetenc_delta_count(p, sizeof p) == 5);
	CHECK(sl_parquetenc_delta(p, sizeof p, v, 5, &used) == 0);
	CHECK(v[0] == 7 && v[1] == 6 && v[2] == 6 && v[3] == 5 && v[4] == 5);
	CHECK(used == 10 + 4);
	/* a miniblock's data cut off; a block size that is no multiple of 128 */
	CHECK(sl_parquetenc_delta(p, 12, v, 5, &used) < 0);
	uint8_t q[] = { 0x40, 0x04, 0x01, 0x00 };
	CHECK(sl_parquetenc_delta_count(q, sizeof q) < 0);
}

static void put_field(sl_field f)
{
	if (f.n == SL_NULL_LEN) {
		fputs("\\N", stdout);
		return;
	}
	for (uint32_t i = 0; i < f.n; i++) {
		char c = f.p[i];
		if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else
			putchar(c);
	}
}

static int dump(const char *path, uint64_t max)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char err[512];
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		return 2;
	}
	sl_colsrc src = { fd, (uint64_t)st.st_size, NULL };
	sl_colopts o = { "UTC", max };
	sl_colreader *r = sl_parquet_open(&src, &o, err, sizeof err);
	if (!r) {
		fprintf(stderr, "test-parquet: %s\n", err);
		return 1;
	}
	for (size_t k = 0; k < r->ncols; k++)
		printf("%s\t%s\n", r->cols[k].name, r->cols[k].type);
	puts("--");
	sl_field *vals = calloc(r->ncols + 1, sizeof *vals);
	int rc;
	while (vals && (rc = r->ops->next(r, vals)) == 1) {
		for (size_t k = 0; k < r->ncols; k++) {
			if (k)
				putchar('\t');
			put_field(vals[k]);
		}
		putchar('\n');
	}
	if (!vals || rc < 0)
		fprintf(stderr, "test-parquet: %s\n", vals ? r->err : "out of memory");
	free(vals);
	r->ops->free(r);
	close(fd);
	return !vals || rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 || argc == 3)
		return dump(argv[1], argc == 3 ? strtoull(argv[2], NULL, 10) : (uint64_t)1 << 30);
	test_thrift();
	test_rle();
	test_delta();
	printf("test-parquet: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
