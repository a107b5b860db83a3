/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-sketch.c -- libFuzzer target for the BITMAP and HLL decoders
 * (bitmap.h, hll.h, base64.h): the bytes of a BITMAP or HLL field come
 * from rowset files and row streams, and hll_from_base64 takes a user's
 * text. Built by `make fuzz` (mk/fuzz.mk).
 *
 * Input layout: 1 byte of options, then the data.
 *   b0 & 3 == 0: the data is a BITMAP encoding; 1: an HLL encoding;
 *   2: base64 text of an HLL encoding (hll_from_base64's path).
 * Whatever decodes must survive a round trip: decode into a value,
 * encode, decode again: the same count (BITMAP) or estimate (HLL); its
 * union with itself is itself; bitmap_to_string's text parses back.
 * Anything that does not decode must fail with EPROTO, never crash.
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "bitmap.h"
#include "hll.h"
#include "base64.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-sketch: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static void bitmap_case(const char *p, size_t n)
{
	sl_bitmap *b = sl_bitmap_new(), *b2 = sl_bitmap_new();
	sl_buf enc = SL_BUF_ZERO, u = SL_BUF_ZERO, txt = SL_BUF_ZERO;
	uint64_t c1 = 0, c2 = 0;

	CHECK(b && b2);
	if (sl_bitmap_enc_count(p, n, &c1) < 0) {
		CHECK(errno == EPROTO || errno == ENOMEM);
		CHECK(sl_bitmap_or_enc(b, p, n) < 0);
		goto out;
	}
	CHECK(sl_bitmap_or_enc(b, p, n) == 1 && sl_bitmap_count(b) == c1);
	CHECK(sl_bitmap_encode(b, &enc) == 1);
	CHECK(sl_bitmap_enc_count(enc.p, enc.len, &c2) == 1 && c2 == c1);
	CHECK(sl_bitmap_union(p, n, p, n, &u) == 1);
	CHECK(sl_bitmap_enc_count(u.p, u.len, &c2) == 1 && c2 == c1);
	if (c1 <= 4096) {
		CHECK(sl_bitmap_text(b, &txt) == 1);
		CHECK(sl_bitmap_parse(b2, txt.p ? txt.p : "", txt.len) == 1 && sl_bitmap_count(b2) == c1);
	}
out:
	sl_bitmap_free(b);
	sl_bitmap_free(b2);
	sl_buf_free(&enc);
	sl_buf_free(&u);
	sl_buf_free(&txt);
}

static void hll_case(const char *p, size_t n)
{
	sl_hll *h = sl_hll_new();
	sl_buf enc = SL_BUF_ZERO, u = SL_BUF_ZERO;
	int64_t e1 = 0, e2 = 0;

	CHECK(h);
	if (sl_hll_enc_estimate(p, n, &e1) < 0) {
		CHECK(errno == EPROTO || errno == ENOMEM);
		CHECK(sl_hll_or_enc(h, p, n) < 0);
		goto out;
	}
	CHECK(e1 >= 0);
	CHECK(sl_hll_or_enc(h, p, n) == 1 && sl_hll_estimate(h) == e1);
	CHECK(sl_hll_encode(h, &enc) == 1);
	CHECK(sl_hll_enc_estimate(enc.p, enc.len, &e2) == 1 && e2 == e1);
	CHECK(sl_hll_union(p, n, p, n, &u) == 1);
	CHECK(sl_hll_enc_estimate(u.p, u.len, &e2) == 1 && e2 == e1);
out:
	sl_hll_free(h);
	sl_buf_free(&enc);
	sl_buf_free(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;
	sl_buf raw = SL_BUF_ZERO;

	if (!size)
		return 0;
	switch (data[0] & 3) {
	case 0:
		bitmap_case(p, n);
		break;
	case 1:
		hll_case(p, n);
		break;
	default:
		if (sl_base64_decode(p, n, &raw) == 1)
			hll_case(raw.p ? raw.p : "", raw.len);
		break;
	}
	sl_buf_free(&raw);
	return 0;
}
