/* SPDX-License-Identifier: Apache-2.0 */
/* test-input.c -- unit tests of the body reader (input.h): the
 * decompressed start of a body of which only a prefix has come
 * (sl_input_peek), its caps, and a memory reader that is cut short. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "sl.h"
#include "io.h"
#include "input.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* gzip of p[0..n) into out (gz framing: windowBits 31). */
static int gz(const char *p, size_t n, sl_buf *out)
{
	z_stream z;
	int r;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	if (sl_buf_reserve(out, deflateBound(&z, n)) < 0) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->p;
	z.avail_out = (uInt)deflateBound(&z, n);
	r = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return r == Z_STREAM_END ? 0 : -1;
}

static void test_peek(void)
{
	static const char text[] = "id,name\n1,alice\n2,bob\n";
	sl_buf raw = SL_BUF_ZERO, out = SL_BUF_ZERO, big = SL_BUF_ZERO;
	const char *err = NULL;
	size_t i;
	int end = -1;

	CHECK(gz(text, sizeof text - 1, &raw) == 0);
	/* the whole body: all of it, and its end */
	CHECK(sl_input_peek(raw.p, raw.len, 1, "gz", 1 << 20, &out, &end, &err) == 1);
	CHECK(end == 1 && out.len == sizeof text - 1 && !memcmp(out.p, text, out.len));
	/* half of it so far: what it gives, and more is needed */
	out.len = 0;
	CHECK(sl_input_peek(raw.p, raw.len / 2, 0, "GZ", 1 << 20, &out, &end, &err) == 1);
	CHECK(end == 0 && out.len < sizeof text - 1 && !memcmp(out.p, text, out.len));
	/* the same half as a whole body: corrupt, but the end of the data */
	out.len = 0;
	CHECK(sl_input_peek(raw.p, raw.len / 2, 1, "gz", 1 << 20, &out, &end, &err) == 1 && end == 1);
	/* appended after what out holds */
	out.len = 0;
	CHECK(sl_buf_putc(&out, 'x') == 1);
	CHECK(sl_input_peek(raw.p, raw.len, 1, "gz", 1 << 20, &out, &end, &err) == 1);
	CHECK(out.len == sizeof text && out.p[0] == 'x' && !memcmp(out.p + 1, text, sizeof text - 1));
	/* plain: a copy */
	out.len = 0;
	CHECK(sl_input_peek(text, sizeof text - 1, 0, NULL, 1 << 20, &out, &end, &err) == 1);
	CHECK(end == 0 && out.len == sizeof text - 1);
	/* the cap: 4 MiB of data, at most max (+ less than one 64 KiB read) */
	for (i = 0; i < (4u << 20) / 8; i++)
		if (sl_buf_put(&big, "abcdefg\n", 8) < 0)
			break;
	raw.len = 0;
	CHECK(gz(big.p, big.len, &raw) == 0);
	out.len = 0;
	CHECK(sl_input_peek(raw.p, raw.len, 0, "gz", 1 << 20, &out, &end, &err) == 1);
	CHECK(end == 1 && out.len >= (1u << 20) && out.len < (1u << 20) + 65536 && !memcmp(out.p, big.p, out.len));
	/* an unknown compress_type */
	out.len = 0;
	errno = 0;
	CHECK(sl_input_peek(raw.p, raw.len, 1, "zip", 1 << 20, &out, &end, &err) == -1);
	CHECK(errno == EINVAL && err && strstr(err, "zip") && out.len == 0);
	sl_buf_free(&raw);
	sl_buf_free(&out);
	sl_buf_free(&big);
}

/* A memory reader cut inside a compressed stream fails as a truncated
 * body would. */
static void test_mem(void)
{
	static const char text[] = "hello, world\n";
	sl_buf raw = SL_BUF_ZERO;
	char buf[64];
	sl_input *in;
	const char *err = NULL;
	ssize_t k;

	CHECK(gz(text, sizeof text - 1, &raw) == 0);
	in = sl_input_open_mem(raw.p, raw.len - 4, "gz", &err);
	CHECK(in != NULL);
	while (in && (k = sl_input_read(in, buf, sizeof buf)) > 0)
		;
	CHECK(in && k < 0 && *sl_input_error(in));
	sl_input_close(in);
	in = sl_input_open_mem(raw.p, raw.len, "gz", &err);
	CHECK(in && sl_input_read(in, buf, sizeof buf) == (ssize_t)(sizeof text - 1));
	CHECK(in && sl_input_read(in, buf, sizeof buf) == 0);
	CHECK(in && sl_input_raw_bytes(in) == raw.len);
	sl_input_close(in);
	sl_buf_free(&raw);
}

int main(void)
{
	test_peek();
	test_mem();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
