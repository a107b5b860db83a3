/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlrun.c -- run a resolved SELECT (sqlselect.c): scan the table (or the
 * one row of a SELECT without FROM), filter with WHERE, and send the rows
 * to the statement's sink. It runs in one of three shapes:
 *  - plain (no aggregates, no GROUP BY, no ORDER BY): rows stream from the
 *    scan to the sink, LIMIT stops the scan;
 *  - grouped: a hash table of groups (serialized GROUP BY values -> a copy
 *    of the group's first row + aggregate states); expressions outside the
 *    aggregates are evaluated on that first row, as MySQL does without
 *    ONLY_FULL_GROUP_BY;
 *  - ordered: result rows are copied, sorted in memory (NULLs first for
 *    ASC, last for DESC, ties in scan order), then OFFSET/LIMIT applied;
 *    with a LIMIT only the best OFFSET+LIMIT rows are kept (a max-heap).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sl.h"
#include "io.h"
#include "types.h"
#include "expr.h"
#include "frame.h"
#include "store.h"
#include "merge.h"
#include "keyrange.h"
#include "gcommit.h"
#include "sql.h"
#include "sqlint.h"

/* ---- row source ---- */

/* The merge's answer: 1 open, 0 (q set), -1 (q set). */
static int src_opened(sel *S, int r)
{
	sl_sql *q = S->s->q;

	if (r == 0)
		return errno == ENOTDIR ? sl_sql_err_db(q, S->db) : sl_sql_err_table(q, S->tbl);
	if (r < 0)
		return sl_sql_syserr(q, "unable to open the table");
	S->snap_open = 1;
	return 1;
}

/* A partitioned table, or the partitions the statement names: only the
 * partitions named, or the ones the WHERE can match (pruning). */
static int src_open_parts(sel *S)
{
	sl_selpart sp = { S->db, S->tbl, S->shown, &S->sch, S->where, S->pnames, S->npnames, S->ptemp };
	int64_t *ids = 0;
	size_t n = 0;
	int r = sl_sqlpart_select(S->s, &sp, &ids, &n);

	if (r <= 0)
		return r;
	r = sl_merge_open_table_parts(S->s->q->st, S->db, S->tbl, &S->sch, S->ptemp ? SL_MERGE_TEMP : 0,
		ids, n, &S->snap, &S->scan);
	free(ids);
	return src_opened(S, r);
}

/* The range of the first key column that the WHERE allows, given to the
 * merge: a point lookup by key folds one key, not the table. 1, -1 (q set). */
static int src_key_range(sel *S)
{
	sl_keyrange kr = SL_KEYRANGE_ZERO;
	int r = sl_keyrange_of(&S->sch, 0, S->where, &kr);

	if (r > 0) {
		sl_field lo = { kr.lo.p, (uint32_t)kr.lo.len }, hi = { kr.hi.p, (uint32_t)kr.hi.len };
		r = sl_merge_range(S->scan, kr.has_lo ? &lo : 0, kr.lo_incl, kr.has_hi ? &hi : 0, kr.hi_incl);
	}
	sl_keyrange_free(&kr);
	return r < 0 ? sl_sql_syserr(S->s->q, "unable to read the table") : 1;
}

static int src_open(sel *S)
{
	int r;

	if (!S->has_table || S->virt)
		return 1;
	/* rows a dead group committer left in the table's log become
	 * visible first; a failure leaves them for the next load, which
	 * reports it */
	(void)sl_gcommit_recover(S->s->q->st, S->db, S->tbl);
	if (S->sch.part.kind != SL_PART_NONE || S->npnames)
		r = src_open_parts(S);
	else
		/* through the table's model: one row per key of a UNIQUE or
		 * AGGREGATE table (count(*) too: never the snapshot's row total) */
		r = src_opened(S, sl_merge_open_table(S->s->q->st, S->db, S->tbl, &S->sch, 0, &S->snap, &S->scan));
	if (r <= 0 || S->sch.model == SL_MODEL_DUPLICATE || !S->where)
		return r;
	return src_key_range(S);
}

/* 1 row in S->row, 0 end, -1 errno (q->err set). */
static int src_next(sel *S)
{
	const char *p;
	size_t len;
	long nf;
	int r;

	if (!S->has_table) {
		if (S->empty_done)
			return 0;
		S->empty_done = 1;
		return 1;
	}
	if (S->virt) {
		if (S->vnext == S->vt.nrows)
			return 0;
		memcpy(S->row, &S->vt.rows[S->vnext++ * S->ncols], S->ncols * sizeof *S->row);
		return 1;
	}
	r = sl_merge_next(S->scan, &p, &len);
	if (r < 0)
		return sl_sql_syserr(S->s->q, errno == EPROTO ? "corrupt rowset" : "unable to read the table");
	if (r == 0)
		return 0;
	/* the merge's rows have every column, hidden ones last: the
	 * statement reads the first S->ncols */
	nf = sl_fields_parse(p, len, S->fields, S->ncols);
	if (nf < 0 || (size_t)nf != sl_merge_ncols(S->scan) || (size_t)nf < S->ncols) {
		errno = EPROTO;
		return sl_sql_syserr(S->s->q, "corrupt row: field count does not match the schema");
	}
	for (size_t i = 0; i < S->ncols; i++)
		if (sl_value_decode(&S->ctypes[i], S->fields[i].p, S->fields[i].n, &S->row[i]) < 0) {
			errno = EPROTO;
			return sl_sql_syserr(S->s->q, "corrupt row: bad field encoding");
		}
	return 1;
}

/* ---- values ---- */

/* One malloc'd block holding n values and their string bytes. */
static sl_value *vals_dup(const sl_value *in, size_t n)
{
	size_t extra = 0, off;
	sl_value *v;
	char *mem;

	for (size_t i = 0; i < n; i++)
		if (in[i].kind == SL_V_STRING)
			extra += in[i].u.s.n;
	v = malloc((n ? n : 1) * sizeof *v + extra + 1);
	if (!v)
		return 0;
	mem = (char *)(v + (n ? n : 1));
	off = 0;
	for (size_t i = 0; i < n; i++) {
		v[i] = in[i];
		if (in[i].kind == SL_V_STRING) {
			if (in[i].u.s.n)
				memcpy(mem + off, in[i].u.s.p, in[i].u.s.n);
			v[i].u.s.p = mem + off;
			off += in[i].u.s.n;
		}
	}
	return v;
}

static int key_put(sl_buf *b, const sl_value *v)
{
	char k = (char)v->kind, t[17];

	if (sl_buf_putc(b, k) < 0)
		return -1;
	switch (v->kind) {
	case SL_V_NULL:
		return 1;
	case SL_V_INT: case SL_V_DATE: case SL_V_DATETIME:
		sl_u64_pack(t, (uint64_t)v->u.i);
		return sl_buf_put(b, t, 8);
	case SL_V_LARGE: case SL_V_DECIMAL:
		sl_u64_pack(t, (uint64_t)((unsigned __int128)v->u.l >> 64));
		sl_u64_pack(t + 8, (uint64_t)v->u.l);
		t[16] = (char)v->scale;
		return sl_buf_put(b, t, 17);
	case SL_V_DOUBLE: {
		double d = v->u.d == 0 ? 0.0 : v->u.d;
		uint64_t u;
		memcpy(&u, &d, 8);
		sl_u64_pack(t, u);
		return sl_buf_put(b, t, 8);
	}
	case SL_V_STRING:
		sl_u64_pack(t, (uint64_t)v->u.s.n);
		if (sl_buf_put(b, t, 8) < 0)
			return -1;
		return sl_buf_put(b, v->u.s.p, v->u.s.n);
	}
	return 1;
}

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

/* ---- output ---- */

static int out_row(sel *S, const sl_value *v)
{
	if (S->skipped < S->offset) {
		S->skipped++;
		return 1;
	}
	if (S->limit >= 0 && S->emitted >= S->limit) {
		S->done = 1;
		return 1;
	}
	if (sl_sql_sink_row(S->s->sink, S->nitems, v) < 0)
		return sl_sql_syserr(S->s->q, SL_SQL_MSG_WRITE);
	S->emitted++;
	if (S->limit >= 0 && S->emitted >= S->limit)
		S->done = 1;
	return 1;
}

static int order_cmp(const void *a, const void *b, void *arg);

/* ORDER BY ... LIMIT keeps only the best offset+limit rows: a max-heap
 * whose top is the worst row kept. */
static void heap_swap(sl_sel_orow *r, size_t i, size_t j)
{
	sl_sel_orow t = r[i];

	r[i] = r[j];
	r[j] = t;
}

static void heap_up(sel *S, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (order_cmp(&S->rows[i], &S->rows[p], S) <= 0)
			break;
		heap_swap(S->rows, i, p);
		i = p;
	}
}

static void heap_down(sel *S, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < S->nrows && order_cmp(&S->rows[l], &S->rows[m], S) > 0)
			m = l;
		if (r < S->nrows && order_cmp(&S->rows[r], &S->rows[m], S) > 0)
			m = r;
		if (m == i)
			return;
		heap_swap(S->rows, i, m);
		i = m;
	}
}

/* Keep S->outv (select values + ORDER BY keys) for the sort. */
static int stage_row(sel *S)
{
	size_t n = S->nitems + S->norder;
	size_t keep = SIZE_MAX;
	sl_sel_orow cand;

	if (S->limit >= 0 && (uint64_t)S->limit + (uint64_t)S->offset < SIZE_MAX / 2)
		keep = (size_t)(S->limit + S->offset);
	cand.v = S->outv;
	cand.seq = S->seqno++;
	if (keep != SIZE_MAX && S->nrows == keep) {
		sl_value *v;
		if (!keep || order_cmp(&cand, &S->rows[0], S) >= 0)
			return 1;
		if (!(v = vals_dup(S->outv, n)))
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
		free(S->rows[0].v);
		S->rows[0].v = v;
		S->rows[0].seq = cand.seq;
		heap_down(S, 0);
		return 1;
	}
	if (S->nrows == S->caprows) {
		size_t cap = S->caprows ? S->caprows * 2 : 256;
		sl_sel_orow *p = realloc(S->rows, cap * sizeof *p);
		if (!p)
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
		S->rows = p;
		S->caprows = cap;
	}
	if (!(S->rows[S->nrows].v = vals_dup(S->outv, n)))
		return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	S->rows[S->nrows].seq = cand.seq;
	S->nrows++;
	if (keep != SIZE_MAX)
		heap_up(S, S->nrows - 1);
	return 1;
}

/* Evaluate the select list, HAVING and the ORDER BY keys over row with
 * aggs; emit the row or stage it for sorting. */
static int produce(sel *S, const sl_value *row, const sl_value *aggs)
{
	S->ctx.aggs = aggs;
	for (size_t i = 0; i < S->nitems; i++)
		if (sl_expr_eval(S->items[i].e, row, &S->ctx, &S->outv[i]) < 0)
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	if (S->having || S->norder) {
		if (S->ncols)
			memcpy(S->xrow, row, S->ncols * sizeof *row);
		memcpy(S->xrow + S->ncols, S->outv, S->nitems * sizeof *S->outv);
	}
	if (S->having) {
		sl_value h;
		if (sl_expr_eval(S->having, S->xrow, &S->ctx, &h) < 0)
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
		if (!sl_value_truth(&h))
			return 1;
	}
	if (!S->norder)
		return out_row(S, S->outv);
	for (size_t i = 0; i < S->norder; i++) {
		sl_value *o = &S->outv[S->nitems + i];
		if (S->order[i].ref >= 0)
			*o = S->outv[S->order[i].ref];
		else if (sl_expr_eval(S->order[i].e, S->xrow, &S->ctx, o) < 0)
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	}
	return stage_row(S);
}

static int group_rehash(sel *S)
{
	size_t cap = S->hcap ? S->hcap * 2 : 1024;
	size_t *t = malloc(cap * sizeof *t);

	if (!t)
		return -1;
	for (size_t i = 0; i < cap; i++)
		t[i] = SIZE_MAX;
	for (size_t g = 0; g < S->ngroups; g++) {
		size_t j = S->groups[g].h & (cap - 1);
		while (t[j] != SIZE_MAX)
			j = (j + 1) & (cap - 1);
		t[j] = g;
	}
	free(S->htab);
	S->htab = t;
	S->hcap = cap;
	return 1;
}

/* Find or add the group of row (key already in S->key). */
static sl_sel_group *group_get(sel *S, const sl_value *row)
{
	uint64_t h = hash(S->key.p, S->key.len);
	size_t j;
	sl_sel_group *g;

	if ((S->ngroups + 1) * 2 > S->hcap && group_rehash(S) < 0)
		return 0;
	for (j = h & (S->hcap - 1); S->htab[j] != SIZE_MAX; j = (j + 1) & (S->hcap - 1)) {
		g = &S->groups[S->htab[j]];
		if (g->h == h && g->klen == S->key.len && (!g->klen || !memcmp(g->key, S->key.p, g->klen)))
			return g;
	}
	if (S->ngroups == S->capgroups) {
		size_t cap = S->capgroups ? S->capgroups * 2 : 64;
		sl_sel_group *p = realloc(S->groups, cap * sizeof *p);
		if (!p)
			return 0;
		S->groups = p;
		S->capgroups = cap;
	}
	g = &S->groups[S->ngroups];
	memset(g, 0, sizeof *g);
	g->h = h;
	g->klen = S->key.len;
	g->key = malloc(g->klen + 1);
	g->row = vals_dup(row, S->ncols);
	g->st = calloc(S->aggs.n + 1, sizeof *g->st);
	if (!g->key || !g->row || !g->st) {
		free(g->key);
		free(g->row);
		free(g->st);
		return 0;
	}
	if (g->klen)
		memcpy(g->key, S->key.p, g->klen);
	for (size_t i = 0; i < S->aggs.n; i++)
		sl_agg_init(S->aggs.calls[i], &g->st[i]);
	S->htab[j] = S->ngroups++;
	return g;
}

static int group_step(sel *S, const sl_value *row)
{
	sl_sel_group *g;

	S->key.len = 0;
	for (size_t i = 0; i < S->ngroup; i++) {
		sl_value v;
		if (sl_expr_eval(S->group[i].e, row, &S->ctx, &v) < 0 || key_put(&S->key, &v) < 0)
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	}
	if (!(g = group_get(S, row)))
		return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	for (size_t i = 0; i < S->aggs.n; i++)
		if (sl_agg_step(S->aggs.calls[i], &g->st[i], row, &S->ctx) < 0)
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	return 1;
}

static int group_finish(sel *S)
{
	sl_value *fin = calloc(S->aggs.n + 1, sizeof *fin);

	if (!fin)
		return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	if (!S->ngroups && !S->ngroup) {
		/* Aggregates over no rows: one row (count 0, sum NULL, ...). */
		for (size_t i = 0; i < S->ncols; i++)
			S->row[i] = SL_VALUE_NULL;
		S->key.len = 0;
		if (!group_get(S, S->row)) {
			free(fin);
			return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
		}
	}
	for (size_t g = 0; g < S->ngroups && !S->done; g++) {
		sl_sel_group *gr = &S->groups[g];
		sl_arena_reset(&S->arena);
		for (size_t i = 0; i < S->aggs.n; i++)
			sl_agg_final(S->aggs.calls[i], &gr->st[i], &fin[i]);
		if (produce(S, gr->row, fin) < 0) {
			free(fin);
			return -1;
		}
	}
	free(fin);
	return 1;
}

static int order_cmp(const void *a, const void *b, void *arg)
{
	const sel *S = arg;
	const sl_sel_orow *x = a, *y = b;

	for (size_t i = 0; i < S->norder; i++) {
		const sl_value *u = &x->v[S->nitems + i], *v = &y->v[S->nitems + i];
		int c;
		if (u->kind == SL_V_NULL || v->kind == SL_V_NULL)
			c = (u->kind != SL_V_NULL) - (v->kind != SL_V_NULL);
		else
			c = sl_value_cmp(u, v);
		if (S->order[i].desc)
			c = -c;
		if (c)
			return c < 0 ? -1 : 1;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int sl_sqlrun_select(sel *S)
{
	const char **names;
	sl_type *types;
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	S->ctx.arena = &S->arena;
	S->ctx.now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	S->ctx.fold_case = S->jobview;  /* the seed's where ExecuteType = "streaming" */
	names = calloc(S->nitems + 1, sizeof *names);
	types = calloc(S->nitems + 1, sizeof *types);
	if (!names || !types) {
		free(names);
		free(types);
		return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
	}
	for (size_t i = 0; i < S->nitems; i++) {
		names[i] = S->items[i].name;
		types[i] = sl_expr_type(S->items[i].e);
	}
	if ((r = src_open(S)) <= 0) {
		free(names);
		free(types);
		return r;
	}
	r = sl_sql_sink_begin(S->s->sink, S->nitems, names, types);
	free(names);
	free(types);
	if (r < 0)
		return sl_sql_syserr(S->s->q, SL_SQL_MSG_WRITE);
	if (S->limit == 0)
		S->done = 1;
	while (!S->done || S->grouped || S->norder) {
		if (S->limit == 0)
			break;
		r = src_next(S);
		if (r <= 0)
			break;
		sl_arena_reset(&S->arena);
		if (S->where) {
			sl_value w;
			S->ctx.aggs = 0;
			if (sl_expr_eval(S->where, S->row, &S->ctx, &w) < 0)
				return sl_sql_syserr(S->s->q, SL_SQL_MSG_OOM);
			if (!sl_value_truth(&w))
				continue;
		}
		r = S->grouped ? group_step(S, S->row) : produce(S, S->row, 0);
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (S->grouped && S->limit != 0 && group_finish(S) < 0)
		return -1;
	if (S->norder) {
		S->done = S->limit == 0;
		if (S->nrows)
			qsort_r(S->rows, S->nrows, sizeof *S->rows, order_cmp, S);
		for (size_t i = 0; i < S->nrows && !S->done; i++)
			if (out_row(S, S->rows[i].v) < 0)
				return -1;
	}
	if (sl_sql_sink_end(S->s->sink) < 0)
		return sl_sql_syserr(S->s->q, SL_SQL_MSG_WRITE);
	return 1;
}

