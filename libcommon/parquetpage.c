/* SPDX-License-Identifier: Apache-2.0 */
/* parquetpage.c -- a column chunk's pages decoded into levels and values (parquetpage.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io.h"
#include "parquetenc.h"
#include "parquetpage.h"
#include "parquetzip.h"
#include "thrift.h"

enum { ENC_PLAIN = 0, ENC_PLAIN_DICT = 2, ENC_RLE = 3, ENC_BIT_PACKED = 4, ENC_DELTA = 5,
	ENC_DELTA_LEN = 6, ENC_DELTA_BYTES = 7, ENC_RLE_DICT = 8, ENC_SPLIT = 9 };
enum { PAGE_DATA = 0, PAGE_INDEX = 1, PAGE_DICT = 2, PAGE_DATA2 = 3 };

typedef struct page {
	int type, usize, csize;
	int nvalues, nnulls, nrows, encoding, def_enc, rep_enc;
	int def_len, rep_len, compressed;
} page;

/* what a page's values are decoded with */
typedef struct pagectx {
	const sl_parquet_node *nd;
	sl_parquet_col *col;
	sl_parquet_val *dict;
	size_t ndict;
	uint64_t max;
	char *err;
	size_t errlen;
} pagectx;

static const uint8_t bool_bytes[2] = { 0, 1 };

static void page_fields(sl_thrift *t, page *pg, int which)
{
	int last = 0, ft, id;
	sl_thrift_enter(t);
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		int v = ft == SL_THRIFT_I32 ? (int)sl_thrift_int(t) : 0;
		if (ft != SL_THRIFT_I32) {
			if (which == PAGE_DATA2 && id == 7)
				pg->compressed = sl_thrift_bool(t, ft);
			else
				sl_thrift_skip(t, ft);
			continue;
		}
		if (id == 1)
			pg->nvalues = v;
		else if (which == PAGE_DATA2) {
			if (id == 2) pg->nnulls = v;
			else if (id == 3) pg->nrows = v;
			else if (id == 4) pg->encoding = v;
			else if (id == 5) pg->def_len = v;
			else if (id == 6) pg->rep_len = v;
		} else if (id == 2)
			pg->encoding = v;
		else if (id == 3)
			pg->def_enc = v;
		else if (id == 4)
			pg->rep_enc = v;
	}
	sl_thrift_leave(t);
}

/* the PageHeader at p: its length, or -1 */
static long page_header(const uint8_t *p, size_t n, page *pg)
{
	sl_thrift t;
	int last = 0, ft, id;
	memset(pg, 0, sizeof *pg);
	pg->type = -1;
	pg->compressed = 1;
	sl_thrift_init(&t, p, n);
	while ((id = sl_thrift_field(&t, &last, &ft)) > 0) {
		if (id <= 3 && ft == SL_THRIFT_I32) {
			int v = (int)sl_thrift_int(&t);
			if (id == 1) pg->type = v;
			else if (id == 2) pg->usize = v;
			else pg->csize = v;
		} else if (ft == SL_THRIFT_STRUCT && (id == 5 || id == 7 || id == 8))
			page_fields(&t, pg, id == 5 ? PAGE_DATA : id == 7 ? PAGE_DICT : PAGE_DATA2);
		else
			sl_thrift_skip(&t, ft);
	}
	if (t.bad || id < 0 || pg->usize < 0 || pg->csize < 0 || pg->nvalues < 0 || pg->def_len < 0
			|| pg->rep_len < 0 || pg->nnulls < 0)
		return -1;
	return (long)(t.p - p);
}

static void *grow(void *p, size_t *cap, size_t need, size_t each)
{
	if (need <= *cap && p)
		return p;
	size_t c = *cap ? *cap : 1024;
	while (c < need)
		c *= 2;
	void *q = realloc(p, c * each);
	if (q)
		*cap = c;
	return q;
}

static int fail(pagectx *c, const char *what)
{
	snprintf(c->err, c->errlen, "column %s: %s", c->nd->name, what);
	return -1;
}

static int add_vals(pagectx *c, size_t count)
{
	sl_parquet_col *col = c->col;
	if (count > c->max)
		return fail(c, "a page holds more values than the load allows");
	sl_parquet_val *v = grow(col->v, &col->vcap, col->nv + count, sizeof *v);
	if (!v)
		return fail(c, "out of memory");
	col->v = v;
	return 0;
}

static int width_of(const sl_parquet_node *nd)
{
	switch (nd->type) {
	case PQ_INT32: case PQ_FLOAT: return 4;
	case PQ_INT64: case PQ_DOUBLE: return 8;
	case PQ_INT96: return 12;
	case PQ_FIXED: return nd->type_length;
	default: return 0;
	}
}

static int plain(pagectx *c, const uint8_t *p, size_t n, size_t count, sl_parquet_val *out)
{
	const sl_parquet_node *nd = c->nd;
	if (nd->type == PQ_BOOLEAN) {
		if (count > n * 8)
			return fail(c, "a PLAIN boolean page ends early");
		for (size_t i = 0; i < count; i++)
			out[i] = (sl_parquet_val){ &bool_bytes[(p[i >> 3] >> (i & 7)) & 1], 1 };
		return 0;
	}
	if (nd->type == PQ_BYTE_ARRAY) {
		size_t off = 0;
		for (size_t i = 0; i < count; i++) {
			if (n - off < 4)
				return fail(c, "a PLAIN byte array page ends early");
			uint32_t len = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8
				| (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
			off += 4;
			if (len > n - off)
				return fail(c, "a PLAIN byte array value runs past its page");
			out[i] = (sl_parquet_val){ p + off, len };
			off += len;
		}
		return 0;
	}
	size_t w = (size_t)width_of(nd);
	if (w == 0 || count > n / w)
		return fail(c, "a PLAIN page ends early");
	for (size_t i = 0; i < count; i++)
		out[i] = (sl_parquet_val){ p + i * w, (uint32_t)w };
	return 0;
}

static int dict_indices(pagectx *c, const uint8_t *p, size_t n, size_t count, sl_parquet_val *out)
{
	if (!c->dict)
		return fail(c, "a dictionary-encoded page without a dictionary page");
	if (count == 0)
		return 0;
	if (n < 1)
		return fail(c, "a dictionary-encoded page ends early");
	uint32_t *idx = malloc(count * sizeof *idx);
	if (!idx)
		return fail(c, "out of memory");
	int rc = sl_parquetenc_rle(p + 1, n - 1, p[0], idx, count);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (idx[i] >= c->ndict)
			rc = -1;
		else
			out[i] = c->dict[idx[i]];
	}
	free(idx);
	return rc < 0 ? fail(c, "a dictionary index is malformed or out of the dictionary") : 0;
}

/* DELTA_BINARY_PACKED integers, or the lengths of the byte array
 * encodings (*used: the bytes the run took) */
static int64_t *delta_run(pagectx *c, const uint8_t *p, size_t n, size_t *count, size_t *used)
{
	int64_t cnt = sl_parquetenc_delta_count(p, n);
	if (cnt < 0 || (uint64_t)cnt > c->max || (uint64_t)cnt > n * 64 + 1) {
		fail(c, "a DELTA_BINARY_PACKED run is malformed");
		return NULL;
	}
	int64_t *v = malloc(((size_t)cnt + 1) * sizeof *v);
	if (!v) {
		fail(c, "out of memory");
		return NULL;
	}
	if (sl_parquetenc_delta(p, n, v, (size_t)cnt, used) < 0) {
		free(v);
		fail(c, "a DELTA_BINARY_PACKED run is malformed");
		return NULL;
	}
	*count = (size_t)cnt;
	return v;
}

static int delta_ints(pagectx *c, const uint8_t *p, size_t n, size_t count, sl_parquet_val *out)
{
	size_t got, used, w = c->nd->type == PQ_INT32 ? 4 : 8;
	if (c->nd->type != PQ_INT32 && c->nd->type != PQ_INT64)
		return fail(c, "DELTA_BINARY_PACKED on a type that is not an integer");
	int64_t *v = delta_run(c, p, n, &got, &used);
	if (!v)
		return -1;
	uint8_t *b = got < count ? NULL : sl_arena_alloc(&c->col->mem, count * w + 1);
	for (size_t i = 0; b && i < count; i++) {
		uint64_t u = (uint64_t)v[i];
		for (size_t k = 0; k < w; k++)
			b[i * w + k] = (uint8_t)(u >> (8 * k));
		out[i] = (sl_parquet_val){ b + i * w, (uint32_t)w };
	}
	free(v);
	return b ? 0 : fail(c, got < count ? "a DELTA_BINARY_PACKED run has too few values" : "out of memory");
}

static int delta_length(pagectx *c, const uint8_t *p, size_t n, size_t count, sl_parquet_val *out)
{
	size_t got, used;
	int64_t *len = delta_run(c, p, n, &got, &used);
	if (!len)
		return -1;
	size_t off = used;
	int rc = got < count ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (len[i] < 0 || (uint64_t)len[i] > n - off)
			rc = -1;
		else {
			out[i] = (sl_parquet_val){ p + off, (uint32_t)len[i] };
			off += (size_t)len[i];
		}
	}
	free(len);
	return rc < 0 ? fail(c, "a DELTA_LENGTH_BYTE_ARRAY page is malformed") : 0;
}

static int delta_bytes(pagectx *c, const uint8_t *p, size_t n, size_t count, sl_parquet_val *out)
{
	size_t np, used;
	int64_t *pre = delta_run(c, p, n, &np, &used);
	if (!pre)
		return -1;
	if (np < count || delta_length(c, p + used, n - used, count, out) < 0) {
		free(pre);
		return fail(c, "a DELTA_BYTE_ARRAY page is malformed");
	}
	sl_parquet_val prev = { (const uint8_t *)"", 0 };
	for (size_t i = 0; i < count; i++) {
		if (pre[i] < 0 || (uint64_t)pre[i] > prev.n) {
			free(pre);
			return fail(c, "a DELTA_BYTE_ARRAY prefix is longer than the value before it");
		}
		size_t plen = (size_t)pre[i], tot = plen + out[i].n;
		uint8_t *b = sl_arena_alloc(&c->col->mem, tot + 1);
		if (!b) {
			free(pre);
			return fail(c, "out of memory");
		}
		memcpy(b, prev.p, plen);
		memcpy(b + plen, out[i].p, out[i].n);
		out[i] = prev = (sl_parquet_val){ b, (uint32_t)tot };
	}
	free(pre);
	return 0;
}

static int split(pagectx *c, const uint8_t *p, size_t n, size_t count, sl_parquet_val *out)
{
	size_t w = (size_t)width_of(c->nd);
	if (w == 0 || c->nd->type == PQ_INT96 || count > n / w)
		return fail(c, "a BYTE_STREAM_SPLIT page is malformed");
	uint8_t *b = sl_arena_alloc(&c->col->mem, count * w + 1);
	if (!b)
		return fail(c, "out of memory");
	for (size_t i = 0; i < count; i++) {
		for (size_t k = 0; k < w; k++)
			b[i * w + k] = p[k * count + i];
		out[i] = (sl_parquet_val){ b + i * w, (uint32_t)w };
	}
	return 0;
}

static int rle_bool(pagectx *c, const uint8_t *p, size_t n, size_t count, sl_parquet_val *out)
{
	if (c->nd->type != PQ_BOOLEAN || n < 4)
		return fail(c, "an RLE value page that is not boolean");
	uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	uint32_t *v = malloc((count + 1) * sizeof *v);
	if (!v)
		return fail(c, "out of memory");
	int rc = len > n - 4 ? -1 : sl_parquetenc_rle(p + 4, len, 1, v, count);
	for (size_t i = 0; rc == 0 && i < count; i++)
		out[i] = (sl_parquet_val){ &bool_bytes[v[i] & 1], 1 };
	free(v);
	return rc < 0 ? fail(c, "an RLE boolean page is malformed") : 0;
}

static int values(pagectx *c, int enc, const uint8_t *p, size_t n, size_t count)
{
	if (add_vals(c, count) < 0)
		return -1;
	sl_parquet_val *out = c->col->v + c->col->nv;
	int rc;
	switch (enc) {
	case ENC_PLAIN: rc = plain(c, p, n, count, out); break;
	case ENC_PLAIN_DICT: case ENC_RLE_DICT: rc = dict_indices(c, p, n, count, out); break;
	case ENC_RLE: rc = rle_bool(c, p, n, count, out); break;
	case ENC_DELTA: rc = delta_ints(c, p, n, count, out); break;
	case ENC_DELTA_LEN: rc = delta_length(c, p, n, count, out); break;
	case ENC_DELTA_BYTES: rc = delta_bytes(c, p, n, count, out); break;
	case ENC_SPLIT: rc = split(c, p, n, count, out); break;
	default:
		snprintf(c->err, c->errlen, "column %s: the value encoding %d is not supported yet",
			c->nd->name, enc);
		return -1;
	}
	if (rc == 0)
		c->col->nv += count;
	return rc;
}

/* one level stream (max > 0) of count entries into lv; *atmax (when not
 * NULL) the number at max, for definition levels the values present */
static int levels(pagectx *c, const uint8_t *p, size_t n, int max, uint16_t *lv, size_t count, size_t *atmax)
{
	size_t k = 0;
	uint32_t one;
	int bw = 0;
	while ((1 << bw) <= max)
		bw++;
	if (sl_parquetenc_rle_one(p, n, bw, count, &one)) {
		if (one > (uint32_t)max)
			return fail(c, "the repetition or definition levels are malformed");
		for (size_t i = 0; i < count; i++)
			lv[i] = (uint16_t)one;
		if (atmax)
			*atmax = one == (uint32_t)max ? count : 0;
		return 0;
	}
	uint32_t *v = malloc((count + 1) * sizeof *v);
	if (!v)
		return fail(c, "out of memory");
	int rc = sl_parquetenc_rle(p, n, bw, v, count);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (v[i] > (uint32_t)max)
			rc = -1;
		k += v[i] == (uint32_t)max;
		lv[i] = (uint16_t)v[i];
	}
	free(v);
	if (atmax)
		*atmax = k;
	return rc < 0 ? fail(c, "the repetition or definition levels are malformed") : 0;
}

static int add_levels(pagectx *c, size_t count)
{
	sl_parquet_col *col = c->col;
	size_t cap = col->cap;
	if (count > c->max)
		return fail(c, "a page holds more values than the load allows");
	uint16_t *d = grow(col->def, &cap, col->n + count, sizeof *d);
	if (!d)
		return fail(c, "out of memory");
	col->def = d;
	memset(col->def + col->n, 0, count * sizeof *d);
	if (c->nd->rep) {       /* else no repetition levels (parquetdef.h) */
		size_t rcap = col->cap;
		uint16_t *r = grow(col->rep, &rcap, col->n + count, sizeof *r);
		if (!r)
			return fail(c, "out of memory");
		col->rep = r;
		memset(col->rep + col->n, 0, count * sizeof *r);
	}
	col->cap = cap;
	return 0;
}

/* a v1 data page (decompressed): [rep levels][def levels] values */
static int data_v1(pagectx *c, const page *pg, const uint8_t *p, size_t n)
{
	const sl_parquet_node *nd = c->nd;
	size_t cnt = (size_t)pg->nvalues, from = c->col->n, have = cnt;
	if (add_levels(c, cnt) < 0)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		int max = pass == 0 ? nd->rep : nd->def;
		if (max == 0)
			continue;
		if ((pass == 0 ? pg->rep_enc : pg->def_enc) != ENC_RLE)
			return fail(c, "levels not RLE-encoded (BIT_PACKED) are not supported yet");
		if (n < 4)
			return fail(c, "a data page ends before its levels");
		uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		if (len > n - 4)
			return fail(c, "the levels run past their page");
		if (levels(c, p + 4, len, max, (pass == 0 ? c->col->rep : c->col->def) + from, cnt,
				pass == 0 ? NULL : &have) < 0)
			return -1;
		p += 4 + len;
		n -= 4 + len;
	}
	c->col->n += cnt;
	return values(c, pg->encoding, p, n, have);
}

/* a v2 data page: levels uncompressed, then the values (body decompressed) */
static int data_v2(pagectx *c, const page *pg, const uint8_t *lv, const uint8_t *body, size_t n)
{
	const sl_parquet_node *nd = c->nd;
	size_t cnt = (size_t)pg->nvalues, from = c->col->n, have = cnt;
	if (add_levels(c, cnt) < 0)
		return -1;
	if (nd->rep && levels(c, lv, (size_t)pg->rep_len, nd->rep, c->col->rep + from, cnt, NULL) < 0)
		return -1;
	if (nd->def && levels(c, lv + pg->rep_len, (size_t)pg->def_len, nd->def, c->col->def + from, cnt, &have) < 0)
		return -1;
	c->col->n += cnt;
	return values(c, pg->encoding, body, n, have);
}

static int dictionary(pagectx *c, const page *pg, const uint8_t *p, size_t n)
{
	if (c->dict)
		return fail(c, "a second dictionary page");
	if ((uint64_t)pg->nvalues > c->max || (size_t)pg->nvalues > n * 8 + 1)
		return fail(c, "a dictionary page with more entries than it has bytes");
	c->ndict = (size_t)pg->nvalues;
	c->dict = sl_arena_alloc(&c->col->mem, (c->ndict + 1) * sizeof *c->dict);
	if (!c->dict)
		return fail(c, "out of memory");
	if (pg->encoding != ENC_PLAIN && pg->encoding != ENC_PLAIN_DICT)
		return fail(c, "a dictionary page not PLAIN-encoded");
	return plain(c, p, n, c->ndict, c->dict);
}

/* one page at buf[off..], its bytes decompressed as needed */
static long one_page(pagectx *c, int codec, const uint8_t *buf, size_t size, size_t off)
{
	page pg;
	long hl = page_header(buf + off, size - off, &pg);
	if (hl < 0)
		return fail(c, "a page header is malformed");
	off += (size_t)hl;
	if ((size_t)pg.csize > size - off)
		return fail(c, "a page runs past its column chunk");
	if ((uint64_t)pg.usize > c->max)
		return fail(c, "a page larger than the load allows");
	const uint8_t *p = buf + off;
	size_t lvl = pg.type == PAGE_DATA2 ? (size_t)pg.rep_len + (size_t)pg.def_len : 0;
	if (lvl > (size_t)pg.csize || lvl > (size_t)pg.usize)
		return fail(c, "a v2 page's levels are longer than the page");
	if (pg.type == PAGE_INDEX || pg.type < 0 || pg.type > PAGE_DATA2)
		return (long)(off + (size_t)pg.csize);
	int raw = codec == 0 || (pg.type == PAGE_DATA2 && !pg.compressed);
	uint8_t *u = (uint8_t *)p;
	size_t un = (size_t)pg.usize - lvl;
	if (raw && un != (size_t)pg.csize - lvl)
		return fail(c, "an uncompressed page's sizes disagree");
	if (!raw) {
		if (!(u = sl_arena_alloc(&c->col->mem, un + 1)))
			return fail(c, "out of memory");
		char why[200];
		if (un > 0 && sl_parquetzip_inflate(codec, p + lvl, (size_t)pg.csize - lvl, u, un, why, sizeof why) < 0)
			return fail(c, why);
	} else
		u += lvl;
	int rc;
	if (pg.type == PAGE_DICT)
		rc = dictionary(c, &pg, u, un);
	else if (pg.type == PAGE_DATA)
		rc = data_v1(c, &pg, u, un);
	else
		rc = data_v2(c, &pg, p, u, un);
	return rc < 0 ? -1 : (long)(off + (size_t)pg.csize);
}

int sl_parquetpage_chunk(int fd, const sl_parquet_chunk *k, const sl_parquet_node *nd,
	uint64_t max, sl_parquet_col *col, char *err, size_t errlen)
{
	pagectx c = { nd, col, NULL, 0, max, err, errlen };
	sl_arena_free(&col->mem);
	col->n = col->nv = col->pos = 0;
	if ((uint64_t)k->avail > max)
		return fail(&c, "a column chunk larger than the load allows");
	uint8_t *buf = sl_arena_alloc(&col->mem, (size_t)k->avail + 1);
	if (!buf)
		return fail(&c, "out of memory");
	ssize_t got = k->avail ? pread(fd, buf, (size_t)k->avail, k->start) : 0;
	if (got != k->avail)
		return fail(&c, got < 0 ? strerror(errno) : "the file ends inside a column chunk");
	size_t off = 0;
	while (off < (size_t)k->avail && col->n < (uint64_t)k->num_values) {
		long next = one_page(&c, k->codec, buf, (size_t)k->avail, off);
		if (next < 0)
			return -1;
		off = (size_t)next;
	}
	if (col->n != (uint64_t)k->num_values)
		return fail(&c, "the pages hold fewer values than the column chunk's metadata says");
	/* each page decoded as many values as its levels say (values) */
	if (col->nv == col->n) {        /* entry i is value i (parquetdef.h) */
		free(col->vix);
		col->vix = NULL;
		return 0;
	}
	uint32_t *vix = realloc(col->vix, (col->n + 1) * sizeof *vix);
	if (!vix)
		return fail(&c, "out of memory");
	col->vix = vix;
	size_t nv = 0;
	for (size_t i = 0; i < col->n; i++) {
		vix[i] = (uint32_t)nv;
		nv += col->def[i] == nd->def;
	}
	if (nv != col->nv)
		return fail(&c, "the pages hold a different number of values than their levels say");
	return 0;
}

void sl_parquetpage_free(sl_parquet_col *col)
{
	free(col->def);
	free(col->rep);
	free(col->v);
	free(col->vix);
	sl_arena_free(&col->mem);
	memset(col, 0, sizeof *col);
}
