/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge.c -- a table's rows through its model (merge.h): a heap of the
 * segments' head rows ordered by (normalized key, age); the rows of one
 * key are folded oldest first. Each segment holds a key at most once, so
 * the rows of one key come from distinct files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sl.h"
#include "storeerr.h"
#include "model.h"
#include "merge.h"

#define MERGE_RETRIES 10

typedef struct mhead {
	const char *p;          /* the file's current row */
	size_t len;
	sl_buf key;             /* scratch: the next row's key */
	sl_buf prev;            /* the current row's normalized key */
	uint64_t rows;
} mhead;

struct sl_merge {
	const sl_snapshot *snap;
	size_t *idx, n;         /* the files read: snap->paths[idx[0 .. n)] */
	sl_model_ctx m;
	int sorted, keep, outmask;
	sl_scan **sc;
	mhead *hd;
	size_t *heap, nheap;
	size_t *grp, ngrp;      /* the files of the row last yielded: advanced next */
	size_t cur;             /* DUPLICATE: the file being read */
	sl_buf out;
	/* sl_merge_range: the first key column's bounds, normalized */
	sl_buf rlo, rhi;
	int has_lo, has_hi, lo_incl, hi_incl;
};

/* Heap order: key, then the older file first. */
static int head_less(const sl_merge *mg, size_t a, size_t b)
{
	int c = sl_model_keycmp(&mg->hd[a].prev, &mg->hd[b].prev);

	return c ? c < 0 : a < b;
}

static int same_key(const sl_merge *mg, size_t a, size_t b)
{
	const sl_buf *x = &mg->hd[a].prev, *y = &mg->hd[b].prev;

	return x->len == y->len && !memcmp(x->p, y->p, x->len);
}

static void heap_push(sl_merge *mg, size_t f)
{
	size_t i = mg->nheap++;

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!head_less(mg, f, mg->heap[p]))
			break;
		mg->heap[i] = mg->heap[p];
		i = p;
	}
	mg->heap[i] = f;
}

static size_t heap_pop(sl_merge *mg)
{
	size_t top = mg->heap[0], last = mg->heap[--mg->nheap], i = 0;

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = l;
		if (l >= mg->nheap)
			break;
		if (r < mg->nheap && head_less(mg, mg->heap[r], mg->heap[l]))
			m = r;
		if (!head_less(mg, mg->heap[m], last))
			break;
		mg->heap[i] = mg->heap[m];
		i = m;
	}
	if (mg->nheap)
		mg->heap[i] = last;
	return top;
}

static const char *file_path(const sl_merge *mg, size_t f)
{
	return mg->snap->paths[mg->idx[f]];
}

/* Where key (normalized) lies against bound b of the first key column:
 * <0 below, 0 in it, >0 above. With more key columns b is a prefix. */
static int range_cmp(const sl_merge *mg, const sl_buf *key, const sl_buf *b)
{
	size_t n = key->len < b->len ? key->len : b->len;
	int c;

	if (mg->m.nkeys == 1)
		return sl_model_keycmp(key, b);
	c = memcmp(key->p, b->p, n);
	return c ? c : key->len < b->len ? -1 : 0;
}

/* Is the current key of h below the range (-1), in it (0), above (1)? */
static int out_of_range(const sl_merge *mg, const mhead *h)
{
	int c;

	if (mg->has_hi && ((c = range_cmp(mg, &h->prev, &mg->rhi)) > 0 || (!c && !mg->hi_incl)))
		return 1;
	if (mg->has_lo && ((c = range_cmp(mg, &h->prev, &mg->rlo)) < 0 || (!c && !mg->lo_incl)))
		return -1;
	return 0;
}

/* Read file f's next row into the heap; rows below the range are passed
 * over, the file ends at the first above it. 1, -1 errno. */
static int advance(sl_merge *mg, size_t f)
{
	mhead *h = &mg->hd[f];
	int r;

again:
	r = sl_scan_next(mg->sc[f], &h->p, &h->len);
	if (r <= 0)
		return r;
	h->key.len = 0;
	if (sl_model_key(&mg->m, h->p, h->len, &h->key) < 0) {
		if (errno == EPROTO)
			return sl_storeerr_set("%s: a row whose key is not of the table's key types",
				file_path(mg, f));
		return -1;
	}
	/* a segment's keys ascend, each once: anything else is damage that
	 * would fold rows wrongly */
	if (h->rows++ && sl_model_keycmp(&h->key, &h->prev) <= 0)
		return sl_storeerr_set("%s: row %llu is not in key order", file_path(mg, f),
			(unsigned long long)h->rows);
	{
		sl_buf t = h->prev;
		h->prev = h->key;
		h->key = t;
	}
	if (mg->has_lo || mg->has_hi) {
		int o = out_of_range(mg, h);
		if (o < 0)
			goto again;
		if (o > 0)
			return 0;
	}
	heap_push(mg, f);
	return 1;
}

int sl_merge_range(sl_merge *mg, const sl_field *lo, int lo_incl, const sl_field *hi, int hi_incl)
{
	size_t n = mg->nheap;

	if (!mg->sorted || (!lo && !hi))
		return 0;
	if (mg->ngrp) {
		errno = EINVAL;
		return -1;
	}
	mg->rlo.len = mg->rhi.len = 0;
	if ((lo && sl_model_key_first(&mg->m, *lo, &mg->rlo) < 0) ||
	    (hi && sl_model_key_first(&mg->m, *hi, &mg->rhi) < 0))
		return -1;
	mg->has_lo = lo != 0;
	mg->has_hi = hi != 0;
	mg->lo_incl = lo_incl;
	mg->hi_incl = hi_incl;
	/* the heads read at open: the ones in range stay, the others move on
	 * (below) or end (above) */
	mg->nheap = 0;
	for (size_t i = 0; i < n; i++) {
		size_t f = mg->heap[i];
		int o = out_of_range(mg, &mg->hd[f]);
		if (o == 0)
			heap_push(mg, f);
		else if (o < 0 && advance(mg, f) < 0)
			return -1;
	}
	return 1;
}

/* Raise the soft limit of open files to the hard one when n more files
 * would not fit comfortably. */
static void nofile_room(size_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	if ((rlim_t)n + 64 > rl.rlim_cur && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Open every file of the run; note which carry the mask column. */
static int open_files(sl_merge *mg)
{
	nofile_room(mg->n);
	for (size_t f = 0; f < mg->n; f++) {
		const char *last;
		if (!(mg->sc[f] = sl_scan_open_one(mg->snap, mg->idx[f])))
			return -1;
		if (sl_scan_ncols(mg->sc[f], &last) == mg->m.ncols + 1 && !strcmp(last, SL_MODEL_MASK_COL))
			mg->outmask = mg->keep;
	}
	return 1;
}

sl_merge *sl_merge_open_set(const sl_snapshot *snap, const sl_schema *sch,
	const size_t *idx, size_t n, int flags)
{
	sl_merge *mg;

	for (size_t f = 0; f < n; f++)
		if (idx[f] >= snap->n || (f && idx[f] <= idx[f - 1])) {
			errno = EINVAL;
			return 0;
		}
	if (!(mg = calloc(1, sizeof *mg))) {
		errno = ENOMEM;
		return 0;
	}
	mg->snap = snap;
	mg->keep = (flags & SL_MERGE_KEEP) != 0;
	mg->sorted = sch->model != SL_MODEL_DUPLICATE;
	if (sl_model_init(&mg->m, sch) < 0)
		goto fail;
	mg->idx = calloc(n + 1, sizeof *mg->idx);
	mg->sc = calloc(n + 1, sizeof *mg->sc);
	mg->hd = calloc(n + 1, sizeof *mg->hd);
	mg->heap = calloc(n + 1, sizeof *mg->heap);
	mg->grp = calloc(n + 1, sizeof *mg->grp);
	if (!mg->idx || !mg->sc || !mg->hd || !mg->heap || !mg->grp) {
		errno = ENOMEM;
		goto fail;
	}
	if (n)
		memcpy(mg->idx, idx, n * sizeof *idx);
	mg->n = n;
	if (open_files(mg) < 0)
		goto fail;
	if (mg->sorted)
		for (size_t f = 0; f < n; f++)
			if (advance(mg, f) < 0)
				goto fail;
	return mg;
fail:
	sl_merge_close(mg);
	return 0;
}

sl_merge *sl_merge_open(const sl_snapshot *snap, const sl_schema *sch,
	size_t first, size_t n, int flags)
{
	size_t *idx;
	sl_merge *mg;

	if (first > snap->n || n > snap->n - first) {
		errno = EINVAL;
		return 0;
	}
	if (!(idx = malloc((n + 1) * sizeof *idx))) {
		errno = ENOMEM;
		return 0;
	}
	for (size_t f = 0; f < n; f++)
		idx[f] = first + f;
	mg = sl_merge_open_set(snap, sch, idx, n, flags);
	free(idx);
	return mg;
}

/* Is partition part among parts[0..nparts) (parts NULL: every one)? */
static int part_wanted(const int64_t *parts, size_t nparts, int64_t part)
{
	if (!parts)
		return 1;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i] == part)
			return 1;
	return 0;
}

/* The snapshot's files of the wanted partitions, opened. */
static sl_merge *open_parts(const sl_snapshot *snap, const sl_schema *sch, int flags,
	const int64_t *parts, size_t nparts)
{
	size_t *idx, n = 0;
	sl_merge *mg;

	if (!(idx = malloc((snap->n + 1) * sizeof *idx))) {
		errno = ENOMEM;
		return 0;
	}
	for (size_t i = 0; i < snap->n; i++)
		if (part_wanted(parts, nparts, snap->refs[i].part))
			idx[n++] = i;
	mg = sl_merge_open_set(snap, sch, idx, n, flags);
	free(idx);
	return mg;
}

int sl_merge_open_table_parts(sl_store *st, const char *db, const char *table,
	const sl_schema *sch, int flags, const int64_t *parts, size_t nparts,
	sl_snapshot *snap, sl_merge **out)
{
	int sflags = flags & SL_MERGE_TEMP ? SL_SNAP_TEMP : 0;

	for (int tries = 0;; tries++) {
		int r = sl_snapshot_open_flags(st, db, table, sflags, snap);
		if (r <= 0)
			return r;
		if ((*out = open_parts(snap, sch, flags, parts, nparts)))
			return 1;
		{
			int e = errno;
			sl_snapshot_free(snap);
			errno = e;
		}
		if (errno != ENOENT || tries + 1 >= MERGE_RETRIES)
			return -1;
	}
}

int sl_merge_open_table(sl_store *st, const char *db, const char *table,
	const sl_schema *sch, int flags, sl_snapshot *snap, sl_merge **out)
{
	return sl_merge_open_table_parts(st, db, table, sch, flags & ~SL_MERGE_TEMP, 0, 0, snap, out);
}

size_t sl_merge_ncols(const sl_merge *mg)
{
	return mg->m.ncols + (mg->outmask ? 1 : 0);
}

/* DUPLICATE: the files one after the other. */
static int next_concat(sl_merge *mg, const char **payload, size_t *len)
{
	while (mg->cur < mg->n) {
		int r = sl_scan_next(mg->sc[mg->cur], payload, len);
		if (r)
			return r;
		mg->cur++;
	}
	return 0;
}

/* Fold the group of files holding the smallest key, oldest first. */
static int fold_group(sl_merge *mg)
{
	size_t f = mg->grp[0];
	int r = sl_model_fold_start(&mg->m, mg->hd[f].p, mg->hd[f].len);

	for (size_t k = 1; r > 0 && k < mg->ngrp; k++) {
		f = mg->grp[k];
		r = sl_model_fold_add(&mg->m, mg->hd[f].p, mg->hd[f].len);
	}
	if (r < 0 && errno == EPROTO)
		return sl_storeerr_set("%s: a row that is not a row of the table", file_path(mg, f));
	if (r < 0 && errno == EINVAL)
		errno = EPROTO;
	return r;
}

int sl_merge_next(sl_merge *mg, const char **payload, size_t *len)
{
	if (!mg->sorted)
		return next_concat(mg, payload, len);
	for (;;) {
		int r;
		for (size_t k = 0; k < mg->ngrp; k++)
			if (advance(mg, mg->grp[k]) < 0)
				return -1;
		mg->ngrp = 0;
		if (!mg->nheap)
			return 0;
		mg->grp[mg->ngrp++] = heap_pop(mg);
		while (mg->nheap && same_key(mg, mg->heap[0], mg->grp[0]))
			mg->grp[mg->ngrp++] = heap_pop(mg);
		/* pops come out oldest first among equal keys (the heap's tie
		 * order), so the group is already in age order */
		if (fold_group(mg) < 0)
			return -1;
		r = sl_model_fold_end(&mg->m, mg->keep, mg->outmask, &mg->out, payload, len);
		if (r != 0)
			return r;
	}
}

int sl_merge_first_new_key(sl_merge *load, sl_merge *table, const char **payload, size_t *len)
{
	sl_buf lk = SL_BUF_ZERO, tk = SL_BUF_ZERO;
	const char *tp = 0;
	size_t tlen = 0;
	int r, tr = 1, ret = -1, c = 1;

	while ((r = sl_merge_next(load, payload, len)) > 0) {
		lk.len = 0;
		if (sl_model_key(&load->m, *payload, *len, &lk) < 0)
			goto out;
		/* the table's rows up to the load row's key */
		while (tr > 0 && (!tp || (c = sl_model_keycmp(&tk, &lk)) < 0)) {
			if ((tr = sl_merge_next(table, &tp, &tlen)) < 0)
				goto out;
			tk.len = 0;
			if (tr > 0 && sl_model_key(&table->m, tp, tlen, &tk) < 0)
				goto out;
			c = 1;
		}
		if (tr == 0 || c > 0)
			break;
	}
	ret = r < 0 ? -1 : r > 0;
out:
	sl_buf_free(&lk);
	sl_buf_free(&tk);
	return ret;
}

void sl_merge_close(sl_merge *mg)
{
	int e = errno;

	if (!mg)
		return;
	for (size_t f = 0; f < mg->n; f++) {
		if (mg->sc)
			sl_scan_close(mg->sc[f]);
		if (mg->hd) {
			sl_buf_free(&mg->hd[f].key);
			sl_buf_free(&mg->hd[f].prev);
		}
	}
	free(mg->idx);
	free(mg->sc);
	free(mg->hd);
	free(mg->heap);
	free(mg->grp);
	sl_buf_free(&mg->rlo);
	sl_buf_free(&mg->rhi);
	sl_buf_free(&mg->out);
	if (mg->m.cur)
		sl_model_free(&mg->m);
	free(mg);
	errno = e;
}
