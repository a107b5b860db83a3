/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bitmap.c -- Doris BITMAP values (bitmap.h): a sorted array while the set
 * holds at most 32 values, then one CRoaring 32-bit bitmap per distinct
 * high half, the byte encoding documented in bitmap.h, union, count and
 * text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <roaring/roaring.h>

#include "sl.h"
#include "io.h"
#include "bitmap.h"

#define SMALL_MAX 32
#define TAG_EMPTY 0x00
#define TAG_SET   0x01
#define TAG_MAP   0x02

struct bucket { uint32_t hi; roaring_bitmap_t *rb; };

struct sl_bitmap {
	size_t nsmall;
	uint64_t small[SMALL_MAX];      /* ascending; used while !big */
	int big;
	struct bucket *b;               /* ascending by hi; every bitmap non-empty */
	size_t nb, cap;
};

sl_bitmap *sl_bitmap_new(void)
{
	sl_bitmap *b = calloc(1, sizeof *b);
	if (!b) errno = ENOMEM;
	return b;
}

void sl_bitmap_free(sl_bitmap *b)
{
	size_t i;
	if (!b) return;
	for (i = 0; i < b->nb; i++) roaring_bitmap_free(b->b[i].rb);
	free(b->b);
	free(b);
}

/* Index of the first bucket whose hi >= hi. */
static size_t bucket_pos(const sl_bitmap *b, uint32_t hi)
{
	size_t lo = 0, up = b->nb;
	while (lo < up) {
		size_t mid = lo + (up - lo) / 2;
		if (b->b[mid].hi < hi) lo = mid + 1;
		else up = mid;
	}
	return lo;
}

/* The bucket for hi, created (empty, or taking rb when given) if absent.
 * NULL ENOMEM. When rb is given and the bucket exists, rb is or-ed in and
 * freed. */
static struct bucket *bucket_get(sl_bitmap *b, uint32_t hi, roaring_bitmap_t *rb)
{
	size_t k = bucket_pos(b, hi);
	if (k < b->nb && b->b[k].hi == hi) {
		if (rb) {
			roaring_bitmap_or_inplace(b->b[k].rb, rb);
			roaring_bitmap_free(rb);
		}
		return &b->b[k];
	}
	if (b->nb == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 4;
		struct bucket *n = realloc(b->b, nc * sizeof *n);
		if (!n) goto nomem;
		b->b = n;
		b->cap = nc;
	}
	if (!rb && !(rb = roaring_bitmap_create())) goto nomem;
	memmove(&b->b[k + 1], &b->b[k], (b->nb - k) * sizeof *b->b);
	b->b[k].hi = hi;
	b->b[k].rb = rb;
	b->nb++;
	return &b->b[k];
nomem:
	if (rb) roaring_bitmap_free(rb);
	errno = ENOMEM;
	return NULL;
}

static int big_add(sl_bitmap *b, uint64_t v)
{
	struct bucket *k = bucket_get(b, (uint32_t)(v >> 32), NULL);
	if (!k) return -1;
	roaring_bitmap_add(k->rb, (uint32_t)v);
	return 1;
}

/* Move the small array into buckets. */
static int go_big(sl_bitmap *b)
{
	size_t i;
	b->big = 1;
	for (i = 0; i < b->nsmall; i++)
		if (big_add(b, b->small[i]) < 0) return -1;
	b->nsmall = 0;
	return 1;
}

int sl_bitmap_add(sl_bitmap *b, uint64_t v)
{
	size_t lo = 0, up = b->nsmall;
	if (b->big) return big_add(b, v);
	while (lo < up) {
		size_t mid = lo + (up - lo) / 2;
		if (b->small[mid] < v) lo = mid + 1;
		else up = mid;
	}
	if (lo < b->nsmall && b->small[lo] == v) return 1;
	if (b->nsmall == SMALL_MAX) {
		if (go_big(b) < 0) return -1;
		return big_add(b, v);
	}
	memmove(&b->small[lo + 1], &b->small[lo], (b->nsmall - lo) * sizeof *b->small);
	b->small[lo] = v;
	b->nsmall++;
	return 1;
}

uint64_t sl_bitmap_count(const sl_bitmap *b)
{
	uint64_t c = 0;
	size_t i;
	if (!b->big) return b->nsmall;
	for (i = 0; i < b->nb; i++) c += roaring_bitmap_get_cardinality(b->b[i].rb);
	return c;
}

/* ------------------------------------------------------------------ */
/* decoding */

static int bad(void)
{
	errno = EPROTO;
	return -1;
}

/* Check a SET form: 1 with *k values, or -1 EPROTO. */
static int set_check(const char *p, size_t n, size_t *k)
{
	size_t i;
	if (n < 9 || (n - 1) % 8 || (n - 1) / 8 > SMALL_MAX) return bad();
	*k = (n - 1) / 8;
	for (i = 1; i < *k; i++)
		if (sl_u64_unpack(p + 1 + 8 * i) <= sl_u64_unpack(p + 1 + 8 * (i - 1))) return bad();
	return 1;
}

/* CRoaring 0.2.66 deserializes containers without checking what is in
 * them: a damaged one can hold values out of order or twice, and then its
 * cardinality lies. Walk the values: strictly ascending, as many as the
 * cardinality says. */
typedef struct walk { uint64_t n; uint32_t last; } walk;

static bool walk_value(uint32_t v, void *arg)
{
	walk *w = arg;

	if (w->n++ && v <= w->last)
		return false;
	w->last = v;
	return true;
}

static int roaring_sane(const roaring_bitmap_t *rb)
{
	walk w = { 0, 0 };

	return roaring_iterate(rb, walk_value, &w) && w.n == roaring_bitmap_get_cardinality(rb);
}

/* Walk a MAP form, calling fn for each bucket's deserialized bitmap (fn
 * owns it). 1, -1 EPROTO/ENOMEM (or fn's -1). */
typedef int bucket_fn(void *arg, uint32_t hi, roaring_bitmap_t *rb);

static int map_walk(const char *p, size_t n, bucket_fn *fn, void *arg)
{
	size_t i = 5, k;
	uint32_t nb, prev = 0;
	if (n < 5) return bad();
	nb = sl_u32_unpack(p + 1);
	for (k = 0; k < nb; k++) {
		uint32_t hi, len;
		roaring_bitmap_t *rb;
		if (n - i < 8) return bad();
		hi = sl_u32_unpack(p + i);
		len = sl_u32_unpack(p + i + 4);
		i += 8;
		if (len == 0 || len > n - i || (k && hi <= prev)) return bad();
		if (roaring_bitmap_portable_deserialize_size(p + i, len) != len) return bad();
		rb = roaring_bitmap_portable_deserialize_safe(p + i, len);
		if (!rb) return bad();
		if (roaring_bitmap_is_empty(rb) || !roaring_sane(rb)) {
			roaring_bitmap_free(rb);
			return bad();
		}
		if (fn(arg, hi, rb) < 0) return -1;
		prev = hi;
		i += len;
	}
	return i == n ? 1 : bad();
}

static int or_bucket(void *arg, uint32_t hi, roaring_bitmap_t *rb)
{
	return bucket_get(arg, hi, rb) ? 1 : -1;
}

/* The form of an encoding: its tag, with *k values for a SET (checked
 * whole; a MAP is checked as it is walked). -1 EPROTO. */
static int form_of(const char *p, size_t n, size_t *k)
{
	*k = 0;
	if (n < 1) return bad();
	switch ((unsigned char)p[0]) {
	case TAG_EMPTY: return n == 1 ? TAG_EMPTY : bad();
	case TAG_SET: return set_check(p, n, k) < 0 ? -1 : TAG_SET;
	case TAG_MAP: return TAG_MAP;
	default: return bad();
	}
}

int sl_bitmap_or_enc(sl_bitmap *b, const char *p, size_t n)
{
	size_t k, i;
	int t = form_of(p, n, &k);
	if (t < 0) return -1;
	for (i = 0; i < k; i++)
		if (sl_bitmap_add(b, sl_u64_unpack(p + 1 + 8 * i)) < 0) return -1;
	if (t != TAG_MAP) return 1;
	if (!b->big && go_big(b) < 0) return -1;
	return map_walk(p, n, or_bucket, b);
}

/* ------------------------------------------------------------------ */
/* encoding */

int sl_bitmap_enc_empty(sl_buf *out)
{
	return sl_buf_putc(out, TAG_EMPTY) < 0 ? -1 : 1;
}

int sl_bitmap_enc_single(uint64_t v, sl_buf *out)
{
	char p[9];
	p[0] = TAG_SET;
	sl_u64_pack(p + 1, v);
	return sl_buf_put(out, p, 9) < 0 ? -1 : 1;
}

/* SET form of k ascending values. */
static int put_set(const uint64_t *v, size_t k, sl_buf *out)
{
	size_t i;
	char *p;
	if (!k) return sl_bitmap_enc_empty(out);
	if (sl_buf_reserve(out, 1 + 8 * k) < 0) return -1;
	p = out->p + out->len;
	p[0] = TAG_SET;
	for (i = 0; i < k; i++) sl_u64_pack(p + 1 + 8 * i, v[i]);
	out->len += 1 + 8 * k;
	return 1;
}

struct collect { uint64_t *v; size_t n; uint32_t hi; };

static bool collect_one(uint32_t lo, void *arg)
{
	struct collect *c = arg;
	c->v[c->n++] = (uint64_t)c->hi << 32 | lo;
	return true;
}

int sl_bitmap_encode(sl_bitmap *b, sl_buf *out)
{
	uint64_t card = sl_bitmap_count(b);
	size_t i, at;
	if (!b->big) return put_set(b->small, b->nsmall, out);
	if (card <= SMALL_MAX) {
		uint64_t v[SMALL_MAX];
		struct collect c = { v, 0, 0 };
		for (i = 0; i < b->nb; i++) {
			c.hi = b->b[i].hi;
			roaring_iterate(b->b[i].rb, collect_one, &c);
		}
		return put_set(v, c.n, out);
	}
	if (sl_buf_reserve(out, 5) < 0) return -1;
	at = out->len;
	out->p[out->len++] = TAG_MAP;
	out->len += 4;
	{
		uint32_t nb = 0;
		for (i = 0; i < b->nb; i++) {
			size_t sz;
			if (roaring_bitmap_is_empty(b->b[i].rb)) continue;
			roaring_bitmap_run_optimize(b->b[i].rb);
			sz = roaring_bitmap_portable_size_in_bytes(b->b[i].rb);
			if (sz > UINT32_MAX - 16) { errno = ENOMEM; return -1; }
			if (sl_buf_reserve(out, 8 + sz) < 0) return -1;
			sl_u32_pack(out->p + out->len, b->b[i].hi);
			sl_u32_pack(out->p + out->len + 4, (uint32_t)sz);
			out->len += 8;
			out->len += roaring_bitmap_portable_serialize(b->b[i].rb, out->p + out->len);
			nb++;
		}
		sl_u32_pack(out->p + at + 1, nb);
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* text */

struct textout { sl_buf *out; uint32_t hi; int first, err; };

static int put_u64(struct textout *t, uint64_t v)
{
	char num[24];
	int k = snprintf(num, sizeof num, t->first ? "%" PRIu64 : ",%" PRIu64, v);
	t->first = 0;
	if (sl_buf_put(t->out, num, (size_t)k) < 0) { t->err = 1; return -1; }
	return 1;
}

static bool text_one(uint32_t lo, void *arg)
{
	struct textout *t = arg;
	return put_u64(t, (uint64_t)t->hi << 32 | lo) > 0;
}

int sl_bitmap_text(const sl_bitmap *b, sl_buf *out)
{
	struct textout t = { out, 0, 1, 0 };
	size_t i;
	if (sl_buf_reserve(out, 1) < 0) return -1;
	if (!b->big) {
		for (i = 0; i < b->nsmall; i++)
			if (put_u64(&t, b->small[i]) < 0) return -1;
		return 1;
	}
	for (i = 0; i < b->nb && !t.err; i++) {
		t.hi = b->b[i].hi;
		roaring_iterate(b->b[i].rb, text_one, &t);
	}
	return t.err ? -1 : 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int sl_bitmap_parse_u64(const char *s, size_t n, uint64_t *out)
{
	size_t i = 0, d0;
	uint64_t v = 0;
	while (i < n && is_space(s[i])) i++;
	if (i < n && s[i] == '+') i++;
	d0 = i;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		unsigned dg = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - dg) / 10) return 0;
		v = v * 10 + dg;
		i++;
	}
	if (i == d0) return 0;
	while (i < n && is_space(s[i])) i++;
	*out = v;
	return i == n;
}

int sl_bitmap_parse(sl_bitmap *b, const char *s, size_t n)
{
	size_t i = 0, item;
	while (i < n && is_space(s[i])) i++;
	if (i == n) return 1;
	for (i = 0; i <= n; i = item + 1) {
		uint64_t v;
		const char *c = memchr(s + i, ',', n - i);
		item = c ? (size_t)(c - s) : n;
		if (!sl_bitmap_parse_u64(s + i, item - i, &v)) return 0;
		if (sl_bitmap_add(b, v) < 0) return -1;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* on encodings */

/* Union of two SET forms straight into out (no CRoaring). */
static int union_sets(const char *a, size_t ka, const char *b, size_t kb, sl_buf *out)
{
	uint64_t v[2 * SMALL_MAX];
	size_t i = 0, j = 0, k = 0;
	while (i < ka || j < kb) {
		uint64_t x = i < ka ? sl_u64_unpack(a + 1 + 8 * i) : UINT64_MAX;
		uint64_t y = j < kb ? sl_u64_unpack(b + 1 + 8 * j) : UINT64_MAX;
		if (j >= kb || (i < ka && x < y)) { v[k++] = x; i++; }
		else if (i >= ka || y < x) { v[k++] = y; j++; }
		else { v[k++] = x; i++; j++; }
	}
	if (k <= SMALL_MAX) return put_set(v, k, out);
	{
		sl_bitmap *m = sl_bitmap_new();
		int r = m ? 1 : -1;
		for (i = 0; r > 0 && i < k; i++) r = sl_bitmap_add(m, v[i]);
		if (r > 0) r = sl_bitmap_encode(m, out);
		sl_bitmap_free(m);
		return r;
	}
}

int sl_bitmap_union(const char *a, size_t an, const char *b, size_t bn, sl_buf *out)
{
	sl_bitmap *m;
	size_t ka, kb;
	int r;
	if (an >= 1 && bn >= 1 && a[0] == TAG_SET && b[0] == TAG_SET) {
		if (set_check(a, an, &ka) < 0 || set_check(b, bn, &kb) < 0) return -1;
		return union_sets(a, ka, b, kb, out);
	}
	if (!(m = sl_bitmap_new())) return -1;
	r = sl_bitmap_or_enc(m, a, an);
	if (r > 0) r = sl_bitmap_or_enc(m, b, bn);
	if (r > 0) r = sl_bitmap_encode(m, out);
	sl_bitmap_free(m);
	return r;
}

static int count_bucket(void *arg, uint32_t hi, roaring_bitmap_t *rb)
{
	(void)hi;
	*(uint64_t *)arg += roaring_bitmap_get_cardinality(rb);
	roaring_bitmap_free(rb);
	return 1;
}

int sl_bitmap_enc_count(const char *p, size_t n, uint64_t *count)
{
	size_t k;
	int t = form_of(p, n, &k);
	*count = k;
	if (t < 0) return -1;
	return t == TAG_MAP ? map_walk(p, n, count_bucket, count) : 1;
}

int sl_bitmap_enc_text(const char *p, size_t n, sl_buf *out)
{
	sl_bitmap *m = sl_bitmap_new();
	int r = m ? sl_bitmap_or_enc(m, p, n) : -1;
	if (r > 0) r = sl_bitmap_text(m, out);
	sl_bitmap_free(m);
	return r;
}
