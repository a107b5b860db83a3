/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-hll.c -- unit tests of HLL sketches (libcommon/hll.c): the forms
 * Doris serializes (empty, explicit, sparse, full), union, rejected
 * encodings, and the estimate within 2% of the true count from 100 up to
 * 1,000,000 distinct values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "hll.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* Add hll_hash("user-<i>") for i in [from, to). */
static void add_users(sl_hll *h, long from, long to)
{
	char s[32];
	long i;
	int ok = 1;
	for (i = from; i < to; i++) {
		int n = snprintf(s, sizeof s, "user-%ld", i);
		if (sl_hll_add(h, sl_hll_hash(s, (size_t)n)) != 1) ok = 0;
	}
	CHECK(ok);
}

static void test_forms(void)
{
	sl_buf e = SL_BUF_ZERO;
	sl_hll *h = sl_hll_new();
	int64_t est;

	CHECK(sl_hll_encode(h, &e) == 1 && e.len == 1 && e.p[0] == 0);
	CHECK(sl_hll_enc_estimate(e.p, e.len, &est) == 1 && est == 0);
	e.len = 0;
	CHECK(sl_hll_enc_hash("a", 1, &e) == 1 && e.len == 10 && e.p[0] == 1 && e.p[1] == 1);
	CHECK(sl_hll_enc_estimate(e.p, e.len, &est) == 1 && est == 1);
	/* 160 distinct hashes stay explicit and exact, the 161st makes registers */
	add_users(h, 0, 160);
	add_users(h, 0, 160);
	e.len = 0;
	CHECK(sl_hll_encode(h, &e) == 1 && e.p[0] == 1 && e.len == 2 + 160 * 8);
	CHECK(sl_hll_estimate(h) == 160);
	add_users(h, 160, 161);
	e.len = 0;
	/* sparse: a (u16 index, rank) triple per non-zero register */
	CHECK(sl_hll_encode(h, &e) == 1 && e.p[0] == 2 && (e.len - 5) % 3 == 0);
	CHECK(e.len > 5 + 3 * 150 && e.len <= 5 + 3 * 161);
	CHECK(sl_hll_enc_estimate(e.p, e.len, &est) == 1 && est == sl_hll_estimate(h));
	add_users(h, 161, 20000);
	e.len = 0;
	CHECK(sl_hll_encode(h, &e) == 1 && e.p[0] == 3 && e.len == 1 + SL_HLL_REGISTERS);
	CHECK(sl_hll_enc_estimate(e.p, e.len, &est) == 1 && est == sl_hll_estimate(h));
	sl_hll_free(h);
	sl_buf_free(&e);
}

/* Two halves unioned give the bytes of the whole. */
static void test_union(void)
{
	static const long sizes[] = { 50, 150, 3000, 50000 };
	size_t k;

	for (k = 0; k < SL_ARRAY_LEN(sizes); k++) {
		sl_hll *a = sl_hll_new(), *b = sl_hll_new(), *w = sl_hll_new();
		sl_buf ea = SL_BUF_ZERO, eb = SL_BUF_ZERO, ew = SL_BUF_ZERO, u = SL_BUF_ZERO;
		add_users(a, 0, sizes[k] / 2 + 10);
		add_users(b, sizes[k] / 2, sizes[k]);
		add_users(w, 0, sizes[k]);
		CHECK(sl_hll_encode(a, &ea) == 1 && sl_hll_encode(b, &eb) == 1 && sl_hll_encode(w, &ew) == 1);
		CHECK(sl_hll_union(ea.p, ea.len, eb.p, eb.len, &u) == 1);
		CHECK(u.len == ew.len && !memcmp(u.p, ew.p, u.len));
		u.len = 0;
		CHECK(sl_hll_union(eb.p, eb.len, ea.p, ea.len, &u) == 1);
		CHECK(u.len == ew.len && !memcmp(u.p, ew.p, u.len));
		sl_hll_free(a); sl_hll_free(b); sl_hll_free(w);
		sl_buf_free(&ea); sl_buf_free(&eb); sl_buf_free(&ew); sl_buf_free(&u);
	}
}

static void test_bad(void)
{
	static const struct { const char *p; size_t n; } encs[] = {
		{ "", 0 }, { "\x00\x01", 2 }, { "\x01\x02\x00\x00\x00\x00\x00\x00\x00\x01", 10 },
		{ "\x02\x01\x00\x00\x00\x00\x40\x01", 8 },              /* register index 16384 */
		{ "\x02\x01\x00\x00\x00\x01\x00\x63", 8 },              /* rank 99 */
		{ "\x02\x02\x00\x00\x00\x01\x00\x01", 8 },              /* short */
		{ "\x03\x00", 2 }, { "\x04", 1 },
	};
	sl_buf o = SL_BUF_ZERO;
	size_t i;
	int64_t est;

	for (i = 0; i < SL_ARRAY_LEN(encs); i++) {
		errno = 0;
		CHECK(sl_hll_enc_estimate(encs[i].p, encs[i].n, &est) == -1 && errno == EPROTO);
		CHECK(sl_hll_union("\x00", 1, encs[i].p, encs[i].n, &o) == -1 && errno == EPROTO);
	}
	sl_buf_free(&o);
}

/* The estimate stays within 2% of the true count at every scale, through
 * linear counting, the bias-corrected range and the plain estimate. */
static void test_error(void)
{
	static const long marks[] = { 100, 1000, 5000, 20000, 60000, 100000, 300000, 1000000 };
	sl_hll *h = sl_hll_new();
	long done = 0;
	size_t k;

	for (k = 0; k < SL_ARRAY_LEN(marks); k++) {
		int64_t est;
		double err;
		add_users(h, done, marks[k]);
		done = marks[k];
		est = sl_hll_estimate(h);
		err = (double)(est - done) / (double)done;
		if (err < 0) err = -err;
		if (getenv("HLL_VERBOSE")) fprintf(stderr, "%ld distinct: estimate %lld\n", done, (long long)est);
		CHECK(err <= 0.02 || (fprintf(stderr, "%ld distinct: estimate %lld\n", done, (long long)est), 0));
	}
	/* duplicates change nothing */
	{
		int64_t before = sl_hll_estimate(h);
		add_users(h, 0, 1000);
		CHECK(sl_hll_estimate(h) == before);
	}
	sl_hll_free(h);
}

int main(void)
{
	test_forms();
	test_union();
	test_bad();
	test_error();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
