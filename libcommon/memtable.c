/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memtable.c -- a bounded, key-sorted buffer of a load's rows (memtable.h).
 *
 * One buffer holds, per row, its normalized key then its payload; an
 * index of entries (the key's first 8 bytes as a number, offsets,
 * lengths) is what gets sorted. Input already in key order (the common
 * case of a load by ascending id) is recognised in one pass and not
 * sorted; otherwise a bottom-up merge sort, stable, over the index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "model.h"
#include "memtable.h"

typedef struct ment {
	uint64_t pfx;           /* the key's first 8 bytes, big-endian, 0-padded */
	uint32_t off;           /* of the key in buf; the row follows it */
	uint32_t klen, rlen;
} ment;

struct sl_memtable {
	sl_model_ctx m;
	size_t budget;
	sl_buf buf;
	ment *ent;
	size_t n, cap;
	sl_buf out;
	/* streaming: the row held back and its key, in one of two buffers
	 * (the other holds the row last handed out) */
	int broken;             /* the order broke: the memtable takes every row */
	int tagged;             /* rows added with a partition tag (sl_memtable_add_part) */
	int held, hi;
	sl_buf hkey[2], hrow[2];
};

sl_memtable *sl_memtable_new(const sl_schema *sch, size_t budget)
{
	sl_memtable *mt = calloc(1, sizeof *mt);

	if (!mt || sl_model_init(&mt->m, sch) < 0) {
		free(mt);
		errno = ENOMEM;
		return 0;
	}
	mt->budget = budget < SL_MEMTABLE_BUDGET_MIN ? SL_MEMTABLE_BUDGET_MIN : budget;
	return mt;
}

void sl_memtable_free(sl_memtable *mt)
{
	if (!mt)
		return;
	sl_model_free(&mt->m);
	sl_buf_free(&mt->buf);
	sl_buf_free(&mt->out);
	for (int i = 0; i < 2; i++) {
		sl_buf_free(&mt->hkey[i]);
		sl_buf_free(&mt->hrow[i]);
	}
	free(mt->ent);
	free(mt);
}

/* The row bytes and the sort's two index arrays. */
static size_t used(const sl_memtable *mt)
{
	return mt->buf.len + 2 * mt->n * sizeof(ment);
}

int sl_memtable_full(const sl_memtable *mt)
{
	return used(mt) >= mt->budget;
}

uint64_t sl_memtable_rows(const sl_memtable *mt)
{
	return mt->n;
}

/* Copy a row in, its key after the 4-byte tag when tagged (the sort
 * then puts a tag's rows together, and keys never match across tags). */
static int add_row(sl_memtable *mt, const char *tag, const char *p, size_t len)
{
	size_t at = mt->buf.len, klen;
	ment *e;
	unsigned char pfx[8] = { 0 };

	if (mt->n == mt->cap) {
		size_t cap = mt->cap ? mt->cap * 2 : 4096;
		ment *ne = realloc(mt->ent, cap * sizeof *ne);
		if (!ne) {
			errno = ENOMEM;
			return -1;
		}
		mt->ent = ne;
		mt->cap = cap;
	}
	if ((tag && sl_buf_put(&mt->buf, tag, 4) < 0) || sl_model_key(&mt->m, p, len, &mt->buf) < 0) {
		mt->buf.len = at;
		return -1;
	}
	klen = mt->buf.len - at;
	if (sl_buf_put(&mt->buf, p, len) < 0 || mt->buf.len > UINT32_MAX) {
		mt->buf.len = at;
		errno = ENOMEM;
		return -1;
	}
	memcpy(pfx, mt->buf.p + at, klen < 8 ? klen : 8);
	e = &mt->ent[mt->n++];
	e->pfx = sl_u64_unpack((const char *)pfx);
	e->off = (uint32_t)at;
	e->klen = (uint32_t)klen;
	e->rlen = (uint32_t)len;
	return 1;
}

int sl_memtable_add(sl_memtable *mt, const char *p, size_t len)
{
	return add_row(mt, NULL, p, len);
}

int sl_memtable_add_part(sl_memtable *mt, uint32_t tag, const char *p, size_t len)
{
	char t[4];

	sl_u32_pack(t, tag);
	mt->tagged = 1;
	return add_row(mt, t, p, len);
}

static inline int ment_cmp(const char *buf, const ment *a, const ment *b)
{
	size_t m;

	if (a->pfx != b->pfx)
		return a->pfx < b->pfx ? -1 : 1;
	m = a->klen < b->klen ? a->klen : b->klen;
	if (m > 8) {
		const unsigned char *x = (const unsigned char *)buf + a->off + 8;
		const unsigned char *y = (const unsigned char *)buf + b->off + 8;
		int c;
		if (*x != *y)           /* most keys differ in their first bytes */
			return *x < *y ? -1 : 1;
		if ((c = memcmp(x, y, m - 8)))
			return c;
	}
	return (a->klen > b->klen) - (a->klen < b->klen);
}

/* Stable sort of the index (bottom-up merge sort into aux and back). */
static int sort_index(sl_memtable *mt)
{
	const char *buf = mt->buf.p;
	ment *src = mt->ent, *dst;
	size_t n = mt->n, i;

	for (i = 1; i < n && ment_cmp(buf, &src[i - 1], &src[i]) <= 0; i++)
		;
	if (i >= n)
		return 1;
	/* the second half of the index lives only while sorting */
	if (!(dst = malloc(mt->cap * sizeof *dst))) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, o = lo;
			while (a < mid && b < hi)
				dst[o++] = ment_cmp(buf, &src[b], &src[a]) < 0 ? src[b++] : src[a++];
			while (a < mid)
				dst[o++] = src[a++];
			while (b < hi)
				dst[o++] = src[b++];
		}
		{
			ment *t = src;
			src = dst;
			dst = t;
		}
	}
	mt->ent = src;
	free(dst);
	return 1;
}

/* Where flush's rows go: the caller's callback, with the run's tag when
 * the rows are tagged. */
typedef struct emit_to {
	int (*emit)(void *arg, const char *p, size_t len);
	int (*emit_part)(void *arg, uint32_t tag, const char *p, size_t len);
	void *arg;
	uint32_t tag;
} emit_to;

static int emit_one(const emit_to *to, const char *p, size_t len)
{
	return to->emit_part ? to->emit_part(to->arg, to->tag, p, len) : to->emit(to->arg, p, len);
}

/* Fold the run ent[i..j) of one key and emit the result. */
static int fold_run(sl_memtable *mt, size_t i, size_t j, int masked, const emit_to *to)
{
	const char *buf = mt->buf.p, *p;
	size_t len;
	int r = sl_model_fold_start(&mt->m, buf + mt->ent[i].off + mt->ent[i].klen, mt->ent[i].rlen);

	for (size_t k = i + 1; r > 0 && k < j; k++)
		r = sl_model_fold_add(&mt->m, buf + mt->ent[k].off + mt->ent[k].klen, mt->ent[k].rlen);
	if (r > 0)
		r = sl_model_fold_end(&mt->m, 1, masked, &mt->out, &p, &len);
	if (r < 0)
		return -1;
	return r ? emit_one(to, p, len) : 1;
}

static int flush_to(sl_memtable *mt, int masked, emit_to *to)
{
	const char *buf;
	size_t i = 0;

	if (sort_index(mt) < 0)
		return -1;
	buf = mt->buf.p;
	while (i < mt->n) {
		size_t j = i + 1;
		while (j < mt->n && !ment_cmp(buf, &mt->ent[i], &mt->ent[j]))
			j++;
		if (mt->tagged)
			to->tag = sl_u32_unpack(buf + mt->ent[i].off);
		if (j == i + 1) {
			/* one row of its key: written as it came */
			const ment *e = &mt->ent[i];
			if (emit_one(to, buf + e->off + e->klen, e->rlen) < 0)
				return -1;
		} else if (fold_run(mt, i, j, masked, to) < 0) {
			return -1;
		}
		i = j;
	}
	mt->n = 0;
	mt->buf.len = 0;
	return 1;
}

int sl_memtable_flush(sl_memtable *mt, int masked,
	int (*emit)(void *arg, const char *p, size_t len), void *arg)
{
	emit_to to = { emit, NULL, arg, 0 };

	return flush_to(mt, masked, &to);
}

int sl_memtable_flush_part(sl_memtable *mt, int masked,
	int (*emit)(void *arg, uint32_t tag, const char *p, size_t len), void *arg)
{
	emit_to to = { NULL, emit, arg, 0 };

	return flush_to(mt, masked, &to);
}

/* ---- streaming ---- */

int sl_memtable_push(sl_memtable *mt, const char *p, size_t len, const char **out, size_t *outlen)
{
	int nx = !mt->hi;
	sl_buf *k = &mt->hkey[nx];

	*out = 0;
	*outlen = 0;
	if (mt->broken)
		return sl_memtable_add(mt, p, len);
	k->len = 0;
	if (sl_model_key(&mt->m, p, len, k) < 0)
		return -1;
	if (mt->held && sl_model_keycmp(k, &mt->hkey[mt->hi]) <= 0) {
		/* the order broke: the held row and this one start the memtable */
		mt->broken = 1;
		mt->held = 0;
		if (sl_memtable_add(mt, mt->hrow[mt->hi].p, mt->hrow[mt->hi].len) < 0 ||
		    sl_memtable_add(mt, p, len) < 0)
			return -1;
		return 0;
	}
	mt->hrow[nx].len = 0;
	if (sl_buf_put(&mt->hrow[nx], p, len) < 0)
		return -1;
	if (mt->held) {
		*out = mt->hrow[mt->hi].p;
		*outlen = mt->hrow[mt->hi].len;
	}
	mt->hi = nx;
	mt->held = 1;
	return 1;
}

int sl_memtable_pending(sl_memtable *mt, const char **out, size_t *outlen)
{
	if (!mt->held)
		return 0;
	mt->held = 0;
	*out = mt->hrow[mt->hi].p;
	*outlen = mt->hrow[mt->hi].len;
	return 1;
}
