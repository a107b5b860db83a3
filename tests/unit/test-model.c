/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-model.c -- unit tests of the table model on encoded rows
 * (libcommon/model.c): normalized keys order as values do (NULL first,
 * negatives, floats, strings with zero bytes, several key columns); the
 * fold: UNIQUE last wins, the sequence (larger or equal wins, NULL
 * smallest), the delete sign, partial-update masks, the AGGREGATE
 * functions; malformed rows refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "frame.h"
#include "types.h"
#include "bitmap.h"
#include "hll.h"
#include "model.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

#define NUL (-0x7fffffffffffL)   /* an argument meaning NULL */

static sl_column col(const char *name, const char *type, int key, int agg, int hidden)
{
	sl_column c;

	memset(&c, 0, sizeof c);
	c.name = (char *)name;
	sl_type_parse(type, strlen(type), &c.type, 0);
	c.is_key = key;
	c.agg = agg;
	c.hidden = hidden;
	c.nullable = 1;
	return c;
}

/* A schema of n columns cs, the first one the key, no hidden columns. */
static void mkschema(sl_schema *s, sl_column *cs, size_t n, int model)
{
	s->cols = cs;
	s->ncols = n;
	s->nkeys = 1;
	s->model = model;
	s->delete_sign = s->seq_col = -1;
}

static void put_int(sl_buf *b, long v, size_t w)
{
	char t[8];

	if (v == NUL) {
		sl_u32_pack(t, SL_NULL_LEN);
		sl_buf_put(b, t, 4);
		return;
	}
	sl_u32_pack(t, (uint32_t)w);
	sl_buf_put(b, t, 4);
	if (w == 1)
		t[0] = (char)v;
	else if (w == 4)
		sl_u32_pack(t, (uint32_t)(int32_t)v);
	else
		sl_u64_pack(t, (uint64_t)(int64_t)v);
	sl_buf_put(b, t, w);
}

static void put_str(sl_buf *b, const char *s, size_t n)
{
	char t[4];

	sl_u32_pack(t, (uint32_t)n);
	sl_buf_put(b, t, 4);
	sl_buf_put(b, s, n);
}

/* key of a one-column table of the given type from one field */
static void key1(sl_model_ctx *m, const sl_buf *row, sl_buf *k)
{
	k->len = 0;
	CHECK(sl_model_key(m, row->p, row->len, k) == 1);
}

static int kcmp(const sl_buf *a, const sl_buf *b)
{
	int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void test_keys(void)
{
	sl_column cs[3];
	sl_schema s = SL_SCHEMA_ZERO;
	sl_model_ctx m;
	sl_buf r = SL_BUF_ZERO, ka = SL_BUF_ZERO, kb = SL_BUF_ZERO;
	long ints[] = { NUL, -2147483647L - 1, -5, -1, 0, 1, 7, 2147483647L };
	double ds[] = { -1e300, -2.5, -0.0, 0.0, 1e-300, 3.0 };

	cs[0] = col("k", "INT", 1, 0, 0);
	mkschema(&s, cs, 1, SL_MODEL_UNIQUE);
	CHECK(sl_model_init(&m, &s) == 1);
	for (size_t i = 0; i + 1 < SL_ARRAY_LEN(ints); i++) {
		r.len = 0;
		put_int(&r, ints[i], 4);
		key1(&m, &r, &ka);
		r.len = 0;
		put_int(&r, ints[i + 1], 4);
		key1(&m, &r, &kb);
		CHECK(kcmp(&ka, &kb) < 0);
	}
	/* a field of the wrong width is not a key */
	r.len = 0;
	put_int(&r, 5, 8);
	ka.len = 0;
	CHECK(sl_model_key(&m, r.p, r.len, &ka) == -1 && errno == EPROTO);
	sl_model_free(&m);

	cs[0] = col("k", "DOUBLE", 1, 0, 0);
	CHECK(sl_model_init(&m, &s) == 1);
	for (size_t i = 0; i + 1 < SL_ARRAY_LEN(ds); i++) {
		uint64_t u;
		char t[12];
		memcpy(&u, &ds[i], 8);
		sl_u32_pack(t, 8);
		sl_u64_pack(t + 4, u);
		r.len = 0;
		sl_buf_put(&r, t, 12);
		key1(&m, &r, &ka);
		memcpy(&u, &ds[i + 1], 8);
		sl_u64_pack(t + 4, u);
		r.len = 0;
		sl_buf_put(&r, t, 12);
		key1(&m, &r, &kb);
		/* -0 and 0 are one key */
		CHECK(i == 2 ? kcmp(&ka, &kb) == 0 : kcmp(&ka, &kb) < 0);
	}
	sl_model_free(&m);

	/* two key columns, a string first: "a" < "a\0" < "ab", then the int */
	cs[0] = col("s", "VARCHAR(10)", 1, 0, 0);
	cs[1] = col("k", "INT", 1, 0, 0);
	s.ncols = 2;
	s.nkeys = 2;
	CHECK(sl_model_init(&m, &s) == 1);
	{
		const char *strs[] = { "a", "a\0", "a\0", "ab", "b" };
		size_t lens[] = { 1, 2, 2, 2, 1 };
		long ks[] = { 9, 1, 2, -3, -9 };
		for (size_t i = 0; i + 1 < SL_ARRAY_LEN(strs); i++) {
			r.len = 0;
			put_str(&r, strs[i], lens[i]);
			put_int(&r, ks[i], 4);
			key1(&m, &r, &ka);
			r.len = 0;
			put_str(&r, strs[i + 1], lens[i + 1]);
			put_int(&r, ks[i + 1], 4);
			key1(&m, &r, &kb);
			CHECK(kcmp(&ka, &kb) < 0);
		}
	}
	sl_model_free(&m);
	sl_buf_free(&r);
	sl_buf_free(&ka);
	sl_buf_free(&kb);
}

/* UNIQUE (k INT, v INT, __DORIS_DELETE_SIGN__, __DORIS_SEQUENCE_COL__ INT) */
static sl_column ucols[4];
static sl_schema uschema(int seq)
{
	sl_schema s = SL_SCHEMA_ZERO;

	ucols[0] = col("k", "INT", 1, 0, 0);
	ucols[1] = col("v", "INT", 0, SL_AGG_REPLACE, 0);
	ucols[2] = col("__DORIS_DELETE_SIGN__", "TINYINT", 0, SL_AGG_REPLACE, 1);
	ucols[3] = col("__DORIS_SEQUENCE_COL__", "INT", 0, SL_AGG_REPLACE, 1);
	s.cols = ucols;
	s.ncols = seq ? 4 : 3;
	s.nvisible = 2;
	s.nkeys = 1;
	s.model = SL_MODEL_UNIQUE;
	s.delete_sign = 2;
	s.seq_col = seq ? 3 : -1;
	s.seq_map = -1;
	return s;
}

/* A row of the UNIQUE table: rows[i] is malloc'd text of its payload. */
static sl_buf urow(long k, long v, int del, long seq, int withseq, const char *mask)
{
	sl_buf b = SL_BUF_ZERO;

	put_int(&b, k, 4);
	put_int(&b, v, 4);
	put_int(&b, del, 1);
	if (withseq)
		put_int(&b, seq, 4);
	if (mask)
		put_str(&b, mask, strlen(mask));
	return b;
}

static long field_int(const char *p, size_t len, size_t i)
{
	sl_field f[8];

	if (sl_fields_parse(p, len, f, 8) <= (long)i || f[i].n == SL_NULL_LEN)
		return NUL;
	if (f[i].n == 1)
		return (signed char)f[i].p[0];
	return (int32_t)sl_u32_unpack(f[i].p);
}

/* Fold rows[0..n) (oldest first); *v the value column, or NUL; returns
 * fold_end's result. */
static int fold(sl_model_ctx *m, sl_buf *rows, size_t n, int keep, int mask_out, long *v,
	size_t *nf)
{
	sl_buf out = SL_BUF_ZERO;
	const char *p;
	size_t len;
	int r = sl_model_fold_start(m, rows[0].p, rows[0].len);

	for (size_t i = 1; r == 1 && i < n; i++)
		r = sl_model_fold_add(m, rows[i].p, rows[i].len);
	if (r == 1)
		r = sl_model_fold_end(m, keep, mask_out, &out, &p, &len);
	if (r == 1) {
		*v = field_int(p, len, 1);
		*nf = (size_t)sl_fields_parse(p, len, 0, 0);
	}
	sl_buf_free(&out);
	for (size_t i = 0; i < n; i++)
		sl_buf_free(&rows[i]);
	return r;
}

static void test_unique(void)
{
	sl_schema s = uschema(0), sq = uschema(1);
	sl_model_ctx m, ms;
	sl_buf rows[4];
	long v;
	size_t nf;

	CHECK(sl_model_init(&m, &s) == 1 && sl_model_init(&ms, &sq) == 1);
	/* last wins */
	rows[0] = urow(1, 10, 0, 0, 0, 0);
	rows[1] = urow(1, 20, 0, 0, 0, 0);
	rows[2] = urow(1, 30, 0, 0, 0, 0);
	CHECK(fold(&m, rows, 3, 0, 0, &v, &nf) == 1 && v == 30 && nf == 3);
	/* a delete hides the key, unless kept; a later row revives it */
	rows[0] = urow(1, 10, 0, 0, 0, 0);
	rows[1] = urow(1, 20, 1, 0, 0, 0);
	CHECK(fold(&m, rows, 2, 0, 0, &v, &nf) == 0);
	rows[0] = urow(1, 10, 0, 0, 0, 0);
	rows[1] = urow(1, 20, 1, 0, 0, 0);
	CHECK(fold(&m, rows, 2, 1, 0, &v, &nf) == 1 && v == 20);
	rows[0] = urow(1, 10, 1, 0, 0, 0);
	rows[1] = urow(1, 20, 0, 0, 0, 0);
	CHECK(fold(&m, rows, 2, 0, 0, &v, &nf) == 1 && v == 20);
	/* sequence: larger or equal wins, NULL is the smallest; a delete with
	 * a smaller sequence does not win: the row stays */
	{
		static const struct { long aseq, bseq; int bdel, r; long v; } sc[] = {
			{ 5, 3, 0, 1, 10 }, { 5, 5, 0, 1, 20 }, { 5, NUL, 0, 1, 10 },
			{ NUL, -7, 0, 1, 20 }, { 5, 2, 1, 1, 10 }, { 5, 6, 1, 0, 0 },
		};
		for (size_t i = 0; i < SL_ARRAY_LEN(sc); i++) {
			rows[0] = urow(1, 10, 0, sc[i].aseq, 1, 0);
			rows[1] = urow(1, 20, sc[i].bdel, sc[i].bseq, 1, 0);
			v = 0;
			CHECK(fold(&ms, rows, 2, 0, 0, &v, &nf) == sc[i].r && v == sc[i].v);
		}
	}
	/* masks: '0' keeps the stored value; the result of a full A is full */
	rows[0] = urow(1, 10, 0, 0, 0, 0);
	rows[1] = urow(1, NUL, 0, 0, 0, "101");
	CHECK(fold(&m, rows, 2, 0, 1, &v, &nf) == 1 && v == 10 && nf == 4);
	rows[0] = urow(1, 10, 0, 0, 0, 0);
	rows[1] = urow(1, 99, 0, 0, 0, "111");
	CHECK(fold(&m, rows, 2, 0, 0, &v, &nf) == 1 && v == 99 && nf == 3);
	/* a partial row alone: its own values; with mask_out its mask */
	rows[0] = urow(1, 7, 0, 0, 0, "101");
	CHECK(fold(&m, rows, 1, 0, 0, &v, &nf) == 1 && v == 7 && nf == 3);
	rows[0] = urow(1, 7, 0, 0, 0, "101");
	CHECK(fold(&m, rows, 1, 1, 1, &v, &nf) == 1 && v == 7 && nf == 4);
	/* two partial rows: masks OR */
	{
		sl_buf out = SL_BUF_ZERO;
		const char *p;
		size_t len;
		sl_field f[5];
		rows[0] = urow(1, 7, 0, 0, 0, "111");
		rows[1] = urow(1, 8, 0, 0, 0, "101");
		CHECK(sl_model_fold_start(&m, rows[0].p, rows[0].len) == 1 &&
		      sl_model_fold_add(&m, rows[1].p, rows[1].len) == 1 &&
		      sl_model_fold_end(&m, 1, 1, &out, &p, &len) == 1);
		CHECK(sl_fields_parse(p, len, f, 5) == 4 && f[3].n == 3 && !memcmp(f[3].p, "111", 3));
		CHECK(field_int(p, len, 1) == 7);
		sl_buf_free(&out);
		sl_buf_free(&rows[0]);
		sl_buf_free(&rows[1]);
	}
	/* a sequence not given by a partial row keeps the stored one: B wins */
	rows[0] = urow(1, 10, 0, 5, 1, 0);
	rows[1] = urow(1, 20, 0, NUL, 1, "1110");
	CHECK(fold(&ms, rows, 2, 0, 0, &v, &nf) == 1 && v == 20);
	/* malformed: a bad mask, a wrong field count */
	rows[0] = urow(1, 10, 0, 0, 0, "1x1");
	CHECK(sl_model_fold_start(&m, rows[0].p, rows[0].len) == -1 && errno == EPROTO);
	sl_buf_free(&rows[0]);
	rows[0] = urow(1, 10, 0, 5, 1, "11");
	CHECK(sl_model_fold_start(&m, rows[0].p, rows[0].len) == -1 && errno == EPROTO);
	sl_buf_free(&rows[0]);
	sl_model_free(&m);
	sl_model_free(&ms);
}

static void test_aggregate(void)
{
	sl_column cs[7];
	sl_schema s = SL_SCHEMA_ZERO;
	sl_model_ctx m;
	sl_buf a = SL_BUF_ZERO, b = SL_BUF_ZERO, c = SL_BUF_ZERO, out = SL_BUF_ZERO;
	const char *p;
	size_t len;
	sl_field f[8];

	cs[0] = col("k", "INT", 1, 0, 0);
	cs[1] = col("s", "INT", 0, SL_AGG_SUM, 0);
	cs[2] = col("mx", "INT", 0, SL_AGG_MAX, 0);
	cs[3] = col("mn", "INT", 0, SL_AGG_MIN, 0);
	cs[4] = col("r", "INT", 0, SL_AGG_REPLACE, 0);
	cs[5] = col("rn", "INT", 0, SL_AGG_REPLACE_IF_NOT_NULL, 0);
	cs[6] = col("d", "DOUBLE", 0, SL_AGG_SUM, 0);
	mkschema(&s, cs, 7, SL_MODEL_AGGREGATE);
	CHECK(sl_model_init(&m, &s) == 1);
	{
		long av[] = { 1, 5, 5, 5, 1, 1 }, bv[] = { 1, -7, NUL, 9, NUL, NUL },
		     cv[] = { 1, NUL, 8, 2, 3, 4 };
		uint64_t u;
		double d = 1.5;
		char t[12];
		for (size_t i = 0; i < 6; i++) {
			put_int(&a, av[i], 4);
			put_int(&b, bv[i], 4);
			put_int(&c, cv[i], 4);
		}
		memcpy(&u, &d, 8);
		sl_u32_pack(t, 8);
		sl_u64_pack(t + 4, u);
		sl_buf_put(&a, t, 12);
		sl_buf_put(&b, t, 12);
		put_int(&c, NUL, 4);
	}
	CHECK(sl_model_fold_start(&m, a.p, a.len) == 1 && sl_model_fold_add(&m, b.p, b.len) == 1 &&
	      sl_model_fold_add(&m, c.p, c.len) == 1 &&
	      sl_model_fold_end(&m, 0, 0, &out, &p, &len) == 1);
	CHECK(sl_fields_parse(p, len, f, 8) == 7);
	CHECK(field_int(p, len, 1) == -2);      /* 5 + -7 + NULL */
	CHECK(field_int(p, len, 2) == 8);       /* max(5, NULL, 8) */
	CHECK(field_int(p, len, 3) == 2);       /* min(5, 9, 2) */
	CHECK(field_int(p, len, 4) == 3);       /* replace: the last */
	CHECK(field_int(p, len, 5) == 4);       /* NULL does not replace */
	{
		uint64_t u = sl_u64_unpack(f[6].p);
		double d;
		memcpy(&d, &u, 8);
		CHECK(f[6].n == 8 && d == 3.0);
	}
	/* REPLACE takes a NULL */
	a.len = b.len = 0;
	put_int(&a, 1, 4); put_int(&a, 1, 4); put_int(&a, 1, 4); put_int(&a, 1, 4);
	put_int(&a, 1, 4); put_int(&a, 1, 4); put_int(&a, NUL, 4);
	put_int(&b, 1, 4); put_int(&b, 1, 4); put_int(&b, 1, 4); put_int(&b, 1, 4);
	put_int(&b, NUL, 4); put_int(&b, 1, 4); put_int(&b, NUL, 4);
	CHECK(sl_model_fold_start(&m, a.p, a.len) == 1 && sl_model_fold_add(&m, b.p, b.len) == 1 &&
	      sl_model_fold_end(&m, 0, 0, &out, &p, &len) == 1);
	CHECK(field_int(p, len, 4) == NUL && field_int(p, len, 1) == 2);
	sl_model_free(&m);
	/* SUM of a string column is refused */
	cs[1] = col("s", "VARCHAR(3)", 0, SL_AGG_SUM, 0);
	s.ncols = 2;
	CHECK(sl_model_init(&m, &s) == 1);
	a.len = b.len = 0;
	put_int(&a, 1, 4);
	put_str(&a, "x", 1);
	put_int(&b, 1, 4);
	put_str(&b, "y", 1);
	CHECK(sl_model_fold_start(&m, a.p, a.len) == 1 && sl_model_fold_add(&m, b.p, b.len) == -1 &&
	      errno == EINVAL);
	sl_model_free(&m);
	sl_buf_free(&a);
	sl_buf_free(&b);
	sl_buf_free(&c);
	sl_buf_free(&out);
}

/* BITMAP_UNION and HLL_UNION over three rows, a NULL in the middle. */
static void test_unions(void)
{
	sl_column cs[3];
	sl_schema s = SL_SCHEMA_ZERO;
	sl_model_ctx m;
	sl_buf r[3] = { SL_BUF_ZERO, SL_BUF_ZERO, SL_BUF_ZERO }, e = SL_BUF_ZERO, out = SL_BUF_ZERO;
	const char *p;
	size_t len;
	sl_field f[4];
	uint64_t cnt = 0;
	int64_t est = 0;

	cs[0] = col("k", "INT", 1, 0, 0);
	cs[1] = col("b", "BITMAP", 0, SL_AGG_BITMAP_UNION, 0);
	cs[2] = col("h", "HLL", 0, SL_AGG_HLL_UNION, 0);
	mkschema(&s, cs, 3, SL_MODEL_AGGREGATE);
	CHECK(sl_model_init(&m, &s) == 1);
	for (int i = 0; i < 3; i++) {
		put_int(&r[i], 1, 4);
		e.len = 0;
		if (i == 1) {
			put_int(&r[i], NUL, 4);
			put_int(&r[i], NUL, 4);
			continue;
		}
		sl_bitmap_enc_single((uint64_t)i + 100, &e);
		put_str(&r[i], e.p, e.len);
		e.len = 0;
		sl_hll_enc_hash(i ? "x" : "y", 1, &e);
		put_str(&r[i], e.p, e.len);
	}
	CHECK(sl_model_fold_start(&m, r[0].p, r[0].len) == 1 &&
	      sl_model_fold_add(&m, r[1].p, r[1].len) == 1 &&
	      sl_model_fold_add(&m, r[2].p, r[2].len) == 1 &&
	      sl_model_fold_end(&m, 0, 0, &out, &p, &len) == 1);
	CHECK(sl_fields_parse(p, len, f, 4) == 3);
	CHECK(sl_bitmap_enc_count(f[1].p, f[1].n, &cnt) == 1 && cnt == 2);
	CHECK(sl_hll_enc_estimate(f[2].p, f[2].n, &est) == 1 && est == 2);
	/* a bad encoding is refused */
	r[1].len = 0;
	put_int(&r[1], 1, 4);
	put_str(&r[1], "zz", 2);
	put_int(&r[1], NUL, 4);
	CHECK(sl_model_fold_start(&m, r[0].p, r[0].len) == 1 &&
	      sl_model_fold_add(&m, r[1].p, r[1].len) == -1 && errno == EPROTO);
	sl_model_free(&m);
	for (int i = 0; i < 3; i++)
		sl_buf_free(&r[i]);
	sl_buf_free(&e);
	sl_buf_free(&out);
}

/* Many rows of one key: the unions are kept decoded through the fold
 * (a second fold with the same context starts from nothing). */
static void test_unions_many(void)
{
	enum { N = 50000 };
	sl_column cs[3];
	sl_schema s = SL_SCHEMA_ZERO;
	sl_model_ctx m;
	sl_buf *r = calloc(N, sizeof *r), e = SL_BUF_ZERO, out = SL_BUF_ZERO;
	const char *p;
	size_t len;
	sl_field f[4];
	uint64_t cnt = 0;
	int64_t est = 0;
	char t[24];
	int ok = 1;

	cs[0] = col("k", "INT", 1, 0, 0);
	cs[1] = col("b", "BITMAP", 0, SL_AGG_BITMAP_UNION, 0);
	cs[2] = col("h", "HLL", 0, SL_AGG_HLL_UNION, 0);
	mkschema(&s, cs, 3, SL_MODEL_AGGREGATE);
	CHECK(r && sl_model_init(&m, &s) == 1);
	for (int i = 0; i < N; i++) {
		put_int(&r[i], 7, 4);
		e.len = 0;
		sl_bitmap_enc_single((uint64_t)i * 3, &e);
		put_str(&r[i], e.p, e.len);
		e.len = 0;
		sl_hll_enc_hash(t, (size_t)snprintf(t, sizeof t, "%d", i), &e);
		put_str(&r[i], e.p, e.len);
	}
	for (int round = 0; round < 2; round++) {
		int n = round ? 3 : N;
		ok &= sl_model_fold_start(&m, r[0].p, r[0].len) == 1;
		for (int i = 1; i < n; i++)
			ok &= sl_model_fold_add(&m, r[i].p, r[i].len) == 1;
		ok &= sl_model_fold_end(&m, 0, 0, &out, &p, &len) == 1;
		CHECK(ok && sl_fields_parse(p, len, f, 4) == 3);
		CHECK(sl_bitmap_enc_count(f[1].p, f[1].n, &cnt) == 1 && cnt == (uint64_t)n);
		CHECK(sl_hll_enc_estimate(f[2].p, f[2].n, &est) == 1 &&
		      est > n - n / 50 - 1 && est < n + n / 50 + 1);
	}
	/* a fold left in the middle frees its unions with the context */
	CHECK(sl_model_fold_start(&m, r[0].p, r[0].len) == 1 &&
	      sl_model_fold_add(&m, r[1].p, r[1].len) == 1);
	sl_model_free(&m);
	for (int i = 0; i < N; i++)
		sl_buf_free(&r[i]);
	free(r);
	sl_buf_free(&e);
	sl_buf_free(&out);
}

int main(void)
{
	test_unions();
	test_unions_many();
	test_keys();
	test_unique();
	test_aggregate();
	printf("test-model: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
