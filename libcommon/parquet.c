/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet.c -- the parquet reader behind colfile.h: the footer read and
 * checked (parquetmeta.c), then one row group at a time, each column
 * chunk decoded (parquetpage.c), rows handed out as the values' Doris
 * texts (parquetval.c), nested columns as JSON (parquetnest.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "parquet.h"
#include "parquetmeta.h"
#include "parquetnest.h"
#include "parquetpage.h"
#include "parquetval.h"
#include "sl.h"
#include "colval.h"
#include "types.h"
#include <endian.h>


typedef struct pq_reader {
	sl_colreader base;
	int fd;
	uint64_t max;
	sl_parquet_meta m;
	sl_parquet_col *cols;   /* nleaves */
	int *top;               /* ncols: node index of each top-level column */
	int rg;                 /* the row group loaded, -1 none yet */
	int64_t row;            /* the next row within it */
	sl_buf text;            /* this row's value texts */
	size_t *off, *tk;       /* this row's texts: offset in text, column */
	size_t *scratch;
	/* ncols, for the flat columns: how a value is handed out (PQ_TEXT,
	 * PQ_BYTES, PQ_TYPED) and a typed field's width */
	uint8_t *mode, *width;
	sl_parquet_col **flat;  /* ncols: a flat column's leaf, NULL nested */
	/* ncols, this row group: a flat column without nulls whose values
	 * are handed out as they lie (bytes, or the typed slot): its values,
	 * one per row (load_group checked the count); v NULL otherwise */
	struct pq_fast { const sl_parquet_val *v; uint8_t bytes, width; } *fast;
} pq_reader;

enum { PQ_TEXT, PQ_BYTES, PQ_TYPED };

/* A typed column's values (sl_colinfo.typed) encoded once per row group,
 * in place: the 16-byte slot of each value takes its field's bytes (big
 * endian, types.h), so that a row hands out a pointer to them. */
static int encode_typed(pq_reader *r, int k, sl_parquet_col *col, const sl_parquet_node *nd)
{
	int kind = r->base.cols[k].typed_kind;
	for (size_t i = 0; i < col->nv; i++) {
		const uint8_t *p = col->v[i].p;
		uint64_t u;
		char *d = (char *)&col->v[i];
		if (col->v[i].n == 4)
			u = (uint64_t)(int64_t)(int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
				| (uint32_t)p[3] << 24);
		else if (col->v[i].n == 8)
			memcpy(&u, p, 8), u = le64toh(u);
		else {
			snprintf(r->base.err, sizeof r->base.err, "column %s: a value of %u bytes", nd->name,
				col->v[i].n);
			return -1;
		}
		if (kind == SL_T_DATE && ((int64_t)u < SL_COLVAL_DAY_MIN || (int64_t)u > SL_COLVAL_DAY_MAX)) {
			snprintf(r->base.err, sizeof r->base.err, "column %s: a value out of its type's range",
				nd->name);
			return -1;
		}
		if (kind == SL_T_BIGINT) {
			u = htobe64(u);
			memcpy(d, &u, 8);
		} else if (kind == SL_T_DECIMAL) {
			uint64_t hi = (int64_t)u < 0 ? ~(uint64_t)0 : 0;
			u = htobe64(u);
			memcpy(d, &hi, 8);
			memcpy(d + 8, &u, 8);
		} else {
			uint32_t w = htobe32((uint32_t)u);
			memcpy(d, &w, 4);
		}
	}
	return 0;
}

static int load_group(pq_reader *r)
{
	const sl_parquet_rg *g = &r->m.rgs[r->rg];
	if (g->bytes > 0 && (uint64_t)g->bytes > r->max) {
		snprintf(r->base.err, sizeof r->base.err,
			"row group %d holds %lld bytes, more than the load allows (%llu)", r->rg,
			(long long)g->bytes, (unsigned long long)r->max);
		return -1;
	}
	/* the previous group released whole before this one is read: decoded
	 * column by column over a heap still holding the rest of the old
	 * group, the process's footprint grew group after group
	 * (fragmentation), and the peak held parts of two groups */
	for (int j = 0; j < r->m.nleaves; j++)
		sl_parquetpage_free(&r->cols[j]);
	for (size_t k = 0; k < r->base.ncols; k++)
		r->fast[k].v = NULL;
	for (int j = 0; j < r->m.nleaves; j++) {
		const sl_parquet_node *nd = &r->m.nodes[r->m.leaves[j]];
		if (sl_parquetpage_chunk(r->fd, &g->cols[j], nd, r->max, &r->cols[j], r->base.err,
				sizeof r->base.err) < 0)
			return -1;
		if (nd->rep == 0 && r->cols[j].n != (uint64_t)g->nrows) {
			snprintf(r->base.err, sizeof r->base.err,
				"column %s has %zu values in row group %d of %lld rows", nd->name,
				r->cols[j].n, r->rg, (long long)g->nrows);
			return -1;
		}
		r->base.nread += (uint64_t)g->cols[j].size;
	}
	for (size_t k = 0; k < r->base.ncols; k++) {
		const sl_parquet_node *nd = &r->m.nodes[r->top[k]];
		if (r->base.cols[k].typed)
			r->mode[k] = PQ_TYPED;
		if (r->mode[k] == PQ_TYPED && encode_typed(r, (int)k, &r->cols[nd->leaf], nd) < 0)
			return -1;
		sl_parquet_col *col = r->flat[k];
		r->fast[k].v = col && !col->vix && r->mode[k] != PQ_TEXT ? col->v : NULL;
		r->fast[k].bytes = r->mode[k] == PQ_BYTES;
		r->fast[k].width = r->width[k];
	}
	r->row = 0;
	return 0;
}

/* a flat column's value: into vals[k] directly (bytes, typed) or r->text;
 * 1 in the text, 0 not, -1 err */
static inline int flat_value(pq_reader *r, int k, sl_parquet_col *col, sl_field *vals)
{
	const sl_parquet_node *nd;
	size_t i = col->pos++, j = i;
	if (i >= col->n || (col->vix && col->vix[i] > col->nv)) {
		nd = &r->m.nodes[r->top[k]];
		snprintf(r->base.err, sizeof r->base.err, "column %s ends before its row group", nd->name);
		return -1;
	}
	/* rows are read across every column's arrays: more streams than the
	 * hardware prefetcher follows, so ask for the lines a few rows ahead.
	 * A chunk without nulls has no vix and needs no look at its levels. */
	if (col->vix) {
		j = col->vix[i];
		__builtin_prefetch(&col->def[i + 64]);
		__builtin_prefetch(&col->vix[i + 32]);
		if (col->def[i] < r->m.nodes[r->top[k]].def) {
			vals[k] = (sl_field){ NULL, SL_NULL_LEN };
			return 0;
		}
	}
	__builtin_prefetch(&col->v[j + 8]);
	nd = &r->m.nodes[r->top[k]];
	switch (r->mode[k]) {
	case PQ_BYTES:
		vals[k] = (sl_field){ (const char *)col->v[j].p, col->v[j].n };
		return 0;
	case PQ_TYPED:
		vals[k] = (sl_field){ (const char *)&col->v[j], r->width[k] };
		return 0;
	default:
		return sl_parquetval_text(&r->text, nd, col->v[j], r->base.err, sizeof r->base.err) < 0 ? -1 : 1;
	}
}

static int pq_next(sl_colreader *base, sl_field *vals)
{
	pq_reader *r = (pq_reader *)base;
	size_t ntext = 0;
	while (r->rg < 0 || r->row >= r->m.rgs[r->rg].nrows) {
		if (r->rg + 1 >= r->m.nrg)
			return 0;
		r->rg++;
		if (load_group(r) < 0)
			return -1;
	}
	r->text.len = 0;
	for (size_t k = 0; k < base->ncols; k++) {
		const struct pq_fast *f = &r->fast[k];
		if (f->v) {     /* the usual field first */
			const sl_parquet_val *v = f->v + r->row;
			__builtin_prefetch(v + 8);
			vals[k] = f->bytes ? (sl_field){ (const char *)v->p, v->n } : (sl_field){ (const char *)v, f->width };
			continue;
		}
		sl_parquet_col *col = r->flat[k];
		size_t at = r->text.len;
		int rc;
		if (col)
			rc = flat_value(r, (int)k, col, vals);
		else if ((rc = sl_parquetnest_row(&r->text, &r->m, r->cols, r->top[k], r->scratch,
				base->err, sizeof base->err)) == 0)
			vals[k] = (sl_field){ NULL, SL_NULL_LEN };
		if (rc < 0)
			return -1;
		if (rc > 0) {
			r->off[ntext] = at;
			r->tk[ntext++] = k;
		}
	}
	/* the texts' addresses once the buffer has stopped moving */
	for (size_t q = 0; q < ntext; q++) {
		size_t end = q + 1 < ntext ? r->off[q + 1] : r->text.len;
		vals[r->tk[q]] = (sl_field){ r->text.p + r->off[q], (uint32_t)(end - r->off[q]) };
	}
	r->row++;
	return 1;
}

static void pq_free(sl_colreader *base)
{
	pq_reader *r = (pq_reader *)base;
	if (!r)
		return;
	for (int j = 0; r->cols && j < r->m.nleaves; j++)
		sl_parquetpage_free(&r->cols[j]);
	for (size_t k = 0; base->cols && k < base->ncols; k++) {
		free(base->cols[k].name);
		free(base->cols[k].type);
	}
	free(base->cols);
	free(r->cols);
	free(r->top);
	free(r->off);
	free(r->tk);
	free(r->scratch);
	free(r->mode);
	free(r->width);
	free(r->flat);
	free(r->fast);
	sl_buf_free(&r->text);
	sl_parquetmeta_free(&r->m);
	free(r);
}

static const struct sl_colreader_ops pq_ops = { pq_next, pq_free };

/* the footer: its bytes read and decoded into r->m */
static int read_footer(pq_reader *r, uint64_t size, char *err, size_t errlen)
{
	uint8_t tail[8], head[4];
	if (size < 12 || pread(r->fd, head, 4, 0) != 4 || pread(r->fd, tail, 8, (off_t)size - 8) != 8) {
		snprintf(err, errlen, "not a parquet file (too short)");
		return -1;
	}
	if (!memcmp(tail + 4, "PARE", 4)) {
		snprintf(err, errlen, "an encrypted parquet file is not supported");
		return -1;
	}
	if (memcmp(head, "PAR1", 4) || memcmp(tail + 4, "PAR1", 4)) {
		snprintf(err, errlen, "not a parquet file (no PAR1 magic)");
		return -1;
	}
	uint64_t flen = (uint64_t)tail[0] | (uint64_t)tail[1] << 8 | (uint64_t)tail[2] << 16
		| (uint64_t)tail[3] << 24;
	if (flen > size - 12 || flen > r->max) {
		snprintf(err, errlen, "the footer's length (%llu) does not fit the file",
			(unsigned long long)flen);
		return -1;
	}
	uint8_t *f = malloc(flen + 1);
	if (!f) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	int rc = -1;
	if (pread(r->fd, f, flen, (off_t)(size - 8 - flen)) != (ssize_t)flen)
		snprintf(err, errlen, "the footer cannot be read: %s", strerror(errno ? errno : EIO));
	else
		rc = sl_parquetmeta_parse(f, flen, size, &r->m, err, errlen);
	free(f);
	return rc;
}

static int columns(pq_reader *r, char *err, size_t errlen)
{
	const sl_parquet_node *root = &r->m.nodes[0];
	size_t n = (size_t)root->nchild;
	r->base.ncols = n;
	r->base.cols = calloc(n + 1, sizeof *r->base.cols);
	r->top = calloc(n + 1, sizeof *r->top);
	r->off = calloc(n + 1, sizeof *r->off);
	r->tk = calloc(n + 1, sizeof *r->tk);
	r->cols = calloc((size_t)r->m.nleaves + 1, sizeof *r->cols);
	r->scratch = calloc(sl_parquetnest_scratch(&r->m), sizeof *r->scratch);
	r->mode = calloc(n + 1, 1);
	r->width = calloc(n + 1, 1);
	r->flat = calloc(n + 1, sizeof *r->flat);
	r->fast = calloc(n + 1, sizeof *r->fast);
	if (!r->base.cols || !r->top || !r->off || !r->tk || !r->cols || !r->scratch || !r->mode || !r->width || !r->flat || !r->fast) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		sl_buf t = SL_BUF_ZERO;
		r->top[k] = root->child[k];
		if (sl_parquetval_type(&t, &r->m, root->child[k], err, errlen) < 0 || sl_buf_cstr(&t) < 0) {
			sl_buf_free(&t);
			if (!*err)
				snprintf(err, errlen, "%s", strerror(ENOMEM));
			return -1;
		}
		r->base.cols[k].type = t.p;
		const sl_parquet_node *nd = &r->m.nodes[root->child[k]];
		if (nd->nchild == 0 && nd->rep == 0) {
			r->base.cols[k].typed_kind = sl_parquetval_typed(nd);
			r->flat[k] = &r->cols[nd->leaf];
			r->mode[k] = sl_parquetval_is_bytes(nd) ? PQ_BYTES : PQ_TEXT;
			r->width[k] = (uint8_t)sl_type_width(&(sl_type){ .kind = (uint8_t)r->base.cols[k].typed_kind });
		}
		if (!(r->base.cols[k].name = strdup(r->m.nodes[root->child[k]].name))) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			return -1;
		}
	}
	return 0;
}

sl_colreader *sl_parquet_open(const sl_colsrc *src, const sl_colopts *o, char *err, size_t errlen)
{
	if (src->fd < 0) {
		snprintf(err, errlen, "parquet needs a seekable file");
		return NULL;
	}
	pq_reader *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	r->base.ops = &pq_ops;
	r->fd = src->fd;
	r->rg = -1;
	r->max = o && o->max_batch ? o->max_batch : SL_PARQUET_DEFAULT_MAX;
	*err = 0;
	if (read_footer(r, src->size, err, errlen) < 0 || columns(r, err, errlen) < 0) {
		pq_free(&r->base);
		return NULL;
	}
	return &r->base;
}
