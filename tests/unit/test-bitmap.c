/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-bitmap.c -- unit tests of BITMAP values (libcommon/bitmap.c): the
 * three encodings, union of every pair of forms, values across the 32-bit
 * boundary, text in and out, rejected encodings, and the MurmurHash3
 * bitmap_hash uses (libcommon/murmur.c) against Doris's documented values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "murmur.h"
#include "bitmap.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* The text of an encoded bitmap, in a static buffer ("ERR" if rejected). */
static const char *text_of(const sl_buf *enc)
{
	static char out[4096];
	sl_buf t = SL_BUF_ZERO;
	if (sl_bitmap_enc_text(enc->p, enc->len, &t) < 0) { sl_buf_free(&t); return "ERR"; }
	snprintf(out, sizeof out, "%.*s", (int)t.len, t.p ? t.p : "");
	sl_buf_free(&t);
	return out;
}

/* Encode the set parsed from text. */
static void enc_text(const char *s, sl_buf *out)
{
	sl_bitmap *b = sl_bitmap_new();
	out->len = 0;
	CHECK(b && sl_bitmap_parse(b, s, strlen(s)) == 1);
	CHECK(sl_bitmap_encode(b, out) == 1);
	sl_bitmap_free(b);
}

static void test_forms(void)
{
	sl_buf e = SL_BUF_ZERO;
	uint64_t c;

	CHECK(sl_bitmap_enc_empty(&e) == 1 && e.len == 1 && e.p[0] == 0);
	CHECK(!strcmp(text_of(&e), "") && sl_bitmap_enc_count(e.p, e.len, &c) == 1 && c == 0);
	e.len = 0;
	CHECK(sl_bitmap_enc_single(18446744073709551615ULL, &e) == 1 && e.len == 9 && e.p[0] == 1);
	CHECK(!strcmp(text_of(&e), "18446744073709551615"));
	enc_text(" 3, 1,2 ,2", &e);
	CHECK(e.len == 1 + 3 * 8 && !strcmp(text_of(&e), "1,2,3"));
	enc_text("", &e);
	CHECK(e.len == 1);
	/* more than 32 values: the roaring map, across the 32-bit boundary */
	{
		sl_bitmap *b = sl_bitmap_new();
		uint64_t v;
		for (v = 0; v < 40; v++) CHECK(sl_bitmap_add(b, v * 1000) == 1);
		CHECK(sl_bitmap_add(b, 4294967296ULL) == 1 && sl_bitmap_add(b, 4294967295ULL) == 1);
		CHECK(sl_bitmap_add(b, 0) == 1 && sl_bitmap_count(b) == 42);
		e.len = 0;
		CHECK(sl_bitmap_encode(b, &e) == 1 && e.p[0] == 2);
		CHECK(sl_bitmap_enc_count(e.p, e.len, &c) == 1 && c == 42);
		CHECK(strstr(text_of(&e), ",39000,4294967295,4294967296") != NULL);
		CHECK(!strncmp(text_of(&e), "0,1000,2000,", 12));
		sl_bitmap_free(b);
	}
	sl_buf_free(&e);
}

static void test_union(void)
{
	sl_buf a = SL_BUF_ZERO, b = SL_BUF_ZERO, u = SL_BUF_ZERO, big = SL_BUF_ZERO, u2 = SL_BUF_ZERO;
	char many[600];
	size_t k, n = 0;
	uint64_t c;

	enc_text("1,5,9", &a);
	enc_text("5,7", &b);
	CHECK(sl_bitmap_union(a.p, a.len, b.p, b.len, &u) == 1 && !strcmp(text_of(&u), "1,5,7,9"));
	/* two sets whose union passes 32 values */
	for (k = 0; k < 30; k++) n += (size_t)snprintf(many + n, sizeof many - n, "%s%zu", k ? "," : "", k);
	enc_text(many, &a);
	n = 0;
	for (k = 20; k < 50; k++) n += (size_t)snprintf(many + n, sizeof many - n, "%s%zu", k > 20 ? "," : "", k);
	enc_text(many, &b);
	u.len = 0;
	CHECK(sl_bitmap_union(a.p, a.len, b.p, b.len, &u) == 1 && u.p[0] == 2);
	CHECK(sl_bitmap_enc_count(u.p, u.len, &c) == 1 && c == 50);
	/* map with set, map with map, empty with map: all 50 */
	big.len = 0;
	sl_buf_put(&big, u.p, u.len);
	enc_text("49,8589934592", &a);
	u2.len = 0;
	CHECK(sl_bitmap_union(big.p, big.len, a.p, a.len, &u2) == 1);
	CHECK(sl_bitmap_enc_count(u2.p, u2.len, &c) == 1 && c == 51);
	CHECK(strstr(text_of(&u2), ",48,49,8589934592") != NULL);
	u.len = 0;
	CHECK(sl_bitmap_union(big.p, big.len, u2.p, u2.len, &u) == 1);
	CHECK(sl_bitmap_enc_count(u.p, u.len, &c) == 1 && c == 51);
	a.len = 0;
	sl_bitmap_enc_empty(&a);
	u.len = 0;
	CHECK(sl_bitmap_union(a.p, a.len, big.p, big.len, &u) == 1 && u.len == big.len
	      && !memcmp(u.p, big.p, u.len));
	sl_buf_free(&a);
	sl_buf_free(&b);
	sl_buf_free(&u);
	sl_buf_free(&u2);
	sl_buf_free(&big);
}

static void test_bad(void)
{
	static const char *const texts[] = { "-1", "1,,2", "a", "1 2", "18446744073709551616", ",", "1," };
	static const struct { const char *p; size_t n; } encs[] = {
		{ "", 0 }, { "\x00\x00", 2 }, { "\x01\x00", 2 }, { "\x07", 1 },
		{ "\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x01", 17 },  /* not ascending */
		{ "\x02\x00\x00\x00\x01", 5 },                     /* a bucket announced, none there */
		{ "\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x04zzzz", 17 },  /* not roaring */
	};
	sl_bitmap *b = sl_bitmap_new();
	sl_buf o = SL_BUF_ZERO;
	size_t i;
	uint64_t c;

	for (i = 0; i < SL_ARRAY_LEN(texts); i++)
		CHECK(sl_bitmap_parse(b, texts[i], strlen(texts[i])) == 0);
	for (i = 0; i < SL_ARRAY_LEN(encs); i++) {
		errno = 0;
		CHECK(sl_bitmap_enc_count(encs[i].p, encs[i].n, &c) == -1 && errno == EPROTO);
		CHECK(sl_bitmap_union(encs[i].p, encs[i].n, "\x00", 1, &o) == -1 && errno == EPROTO);
	}
	sl_bitmap_free(b);
	sl_buf_free(&o);
}

static void test_murmur(void)
{
	/* bitmap_to_string(bitmap_hash('hello')) in Doris's documentation */
	CHECK(sl_murmur3_32("hello", 5, SL_MURMUR3_32_SEED) == 1321743225u);
	CHECK(sl_murmur3_32("world", 5, SL_MURMUR3_32_SEED) == 2453398188u);
	/* the reference vectors of MurmurHash3 x86_32 */
	CHECK(sl_murmur3_32("", 0, 0) == 0 && sl_murmur3_32("", 0, 1) == 0x514E28B7u);
	CHECK(sl_murmur3_32("\xff\xff\xff\xff", 4, 0) == 0x76293B50u);
	CHECK(sl_murmur3_32("\x21\x43\x65\x87", 4, 0x5082EDEEu) == 0x2362F9DEu);
	CHECK(sl_murmur3_32("\x21\x43\x65", 3, 0) == 0x7E4A8634u);
}

/* A container whose values are out of order or repeated (damage CRoaring
 * 0.2.66 does not see when it deserializes) is refused: counts would lie. */
static void test_damaged_container(void)
{
	sl_bitmap *b = sl_bitmap_new();
	sl_buf e = SL_BUF_ZERO, u = SL_BUF_ZERO;
	uint64_t cnt = 0;
	size_t i, at = 0;
	int found = 0;

	for (i = 0; i < 40; i++)
		sl_bitmap_add(b, (1ULL << 33) + 357 + 7 * i);
	CHECK(sl_bitmap_encode(b, &e) == 1 && sl_bitmap_enc_count(e.p, e.len, &cnt) == 1 && cnt == 40);
	/* the array container holds 357, 364, ... as little-endian u16:
	 * make the second equal to the first */
	for (i = 0; i + 4 <= e.len && !found; i++)
		if ((unsigned char)e.p[i] == 0x65 && e.p[i + 1] == 0x01 &&
		    (unsigned char)e.p[i + 2] == 0x6c && e.p[i + 3] == 0x01)
			found = 1, at = i;
	CHECK(found);
	e.p[at + 2] = 0x65;
	CHECK(sl_bitmap_enc_count(e.p, e.len, &cnt) == -1 && errno == EPROTO);
	CHECK(sl_bitmap_union(e.p, e.len, e.p, e.len, &u) == -1 && errno == EPROTO);
	CHECK(sl_bitmap_or_enc(b, e.p, e.len) == -1 && errno == EPROTO);
	sl_bitmap_free(b);
	sl_buf_free(&e);
	sl_buf_free(&u);
}

int main(void)
{
	test_damaged_container();
	test_forms();
	test_union();
	test_bad();
	test_murmur();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
