/* SPDX-License-Identifier: Apache-2.0 */
/* arrow.c -- the Arrow IPC stream reader: messages, the schema, dictionaries and record batches (LZ4_FRAME, ZSTD bodies). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lz4frame.h>
#include <zstd.h>

#include "sl.h"
#include "arrow.h"
#include "arrowval.h"
#include "flatbuf.h"
#include "input.h"

#define META_MAX ((uint32_t)64 << 20)   /* a message's metadata */
#define LEN_MAX ((int64_t)1 << 31)      /* an array's length */
#define FIELD_DEPTH 64

/* Allocations freed together (a batch's, a dictionary's). */
typedef struct pool { void **p; size_t n, cap; } pool;

typedef struct adict {
	int64_t id;
	const sl_afield *f;
	pool mem;
	sl_aarr arr;
} adict;

/* The walk over a batch's nodes and buffers. */
typedef struct walk {
	sl_fbvec nodes, bufs;
	uint32_t ni, bi;
	const uint8_t *body;
	uint64_t blen;
	int codec;              /* -1 none, 0 LZ4_FRAME, 1 ZSTD */
	pool *mem;
} walk;

typedef struct arrow {
	sl_colreader h;
	const struct sl_colopts *o;
	sl_input *in;
	int fd;
	sl_afield *fields;
	size_t nfields;
	adict *dicts;
	size_t ndicts;
	pool batch;
	sl_aarr *cols;
	int64_t rows, row;
	sl_buf *text;
	int *kinds;             /* nfields: each one's typed kind, or 0 */
	uint8_t *meta, *body;
	int eof;
	int version;            /* the message's MetadataVersion (V4 3, V5 4) */
	uint64_t max;
} arrow;

static int fail(arrow *r, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(arrow *r, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->h.err, sizeof r->h.err, fmt, ap);
	va_end(ap);
	errno = e;
	return -1;
}

static void *pool_add(pool *p, void *x)
{
	if (!x)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		void **np = realloc(p->p, cap * sizeof *np);
		if (!np) {
			free(x);
			return 0;
		}
		p->p = np;
		p->cap = cap;
	}
	return p->p[p->n++] = x;
}

static void pool_free(pool *p)
{
	while (p->n)
		free(p->p[--p->n]);
	free(p->p);
	memset(p, 0, sizeof *p);
}

/* n bytes of the stream: n, less at its end, -1 a read error. */
static ssize_t get(arrow *r, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = r->in ? sl_input_read(r->in, (char *)buf + got, n - got)
		    : sl_fd_read(r->fd, (char *)buf + got, n - got);
		if (k < 0)
			return fail(r, errno ? errno : EIO, "unable to read the stream: %s",
			    r->in ? sl_input_error(r->in) : strerror(errno));
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->h.nread += got;
	return (ssize_t)got;
}

/* ---- the schema ---- */

static int int_type(arrow *r, const sl_fb *t, int *bits, int *sign)
{
	*bits = (int)sl_fb_int(t, 0, 4, 0);
	*sign = (int)sl_fb_int(t, 1, 1, 0);
	if (*bits != 8 && *bits != 16 && *bits != 32 && *bits != 64)
		return fail(r, EINVAL, "an integer of %d bits", *bits);
	return 1;
}

/* The type-specific parameters of f from its type table t. */
static int type_params(arrow *r, sl_afield *f, const sl_fb *t)
{
	switch (f->type) {
	case SL_AT_INT:
		return int_type(r, t, &f->bits, &f->sign);
	case SL_AT_FLOAT:
		f->bits = (int)sl_fb_int(t, 0, 2, 0);
		return f->bits >= 0 && f->bits <= 2 ? 1 : fail(r, EINVAL, "an unknown floating point precision");
	case SL_AT_DECIMAL:
		f->prec = (int)sl_fb_int(t, 0, 4, 0);
		f->scale = (int)sl_fb_int(t, 1, 4, 0);
		f->bits = (int)sl_fb_int(t, 2, 4, 128);
		if ((f->bits != 32 && f->bits != 64 && f->bits != 128 && f->bits != 256) ||
		    f->scale < 0 || f->scale > 76 || f->prec < 1 || f->prec > 76)
			return fail(r, EINVAL, "a decimal of %d bits, precision %d, scale %d", f->bits, f->prec, f->scale);
		return 1;
	case SL_AT_DATE:
		f->unit = (int)sl_fb_int(t, 0, 2, 1);
		return 1;
	case SL_AT_TIME:
		f->unit = (int)sl_fb_int(t, 0, 2, 1) & 3;
		f->bits = (int)sl_fb_int(t, 1, 4, 32);
		return f->bits == (f->unit < 2 ? 32 : 64) ? 1 : fail(r, EINVAL, "a time of %d bits", f->bits);
	case SL_AT_TIMESTAMP: {
		uint32_t n = 0;
		f->unit = (int)sl_fb_int(t, 0, 2, 0) & 3;
		f->zoned = sl_fb_string(t, 1, &n) && n > 0;
		return 1;
	}
	case SL_AT_DURATION:
		f->unit = (int)sl_fb_int(t, 0, 2, 1) & 3;
		return 1;
	case SL_AT_INTERVAL:
		f->unit = (int)sl_fb_int(t, 0, 2, 0);
		return f->unit >= 0 && f->unit <= 2 ? 1 : fail(r, EINVAL, "an unknown interval unit");
	case SL_AT_FIXEDBIN: case SL_AT_FIXEDLIST:
		f->width = (int32_t)sl_fb_int(t, 0, 4, 0);
		return f->width >= 0 && f->width <= (1 << 24) ? 1 : fail(r, EINVAL, "a fixed size of %d", f->width);
	case SL_AT_UNION:
		f->dense = sl_fb_int(t, 0, 2, 0) == 1;
		return 1;
	case SL_AT_NULL: case SL_AT_BINARY: case SL_AT_UTF8: case SL_AT_BOOL: case SL_AT_LIST:
	case SL_AT_STRUCT: case SL_AT_MAP: case SL_AT_LARGEBIN: case SL_AT_LARGEUTF8: case SL_AT_LARGELIST:
		return 1;
	default:
		return fail(r, ENOTSUP, "arrow type %d is not supported yet", f->type);
	}
}

static int read_fields(arrow *r, const sl_fb *parent, unsigned id, sl_afield **out, size_t *nout, int depth);

/* The union's type ids (default 0..n-1), once its children are known. */
static int union_ids(arrow *r, sl_afield *f, const sl_fb *t)
{
	sl_fbvec v;
	size_t i;
	f->ids = calloc(f->nkids + 1, sizeof *f->ids);
	if (!f->ids)
		return fail(r, ENOMEM, "out of memory");
	sl_fb_vector(t, 1, 4, &v);
	if (v.n && v.n != f->nkids)
		return fail(r, EINVAL, "a union of %zu children with %u type ids", f->nkids, v.n);
	for (i = 0; i < f->nkids; i++)
		f->ids[i] = v.n ? (int32_t)sl_fb_le(v.buf + v.pos + 4 * i, 4) : (int32_t)i;
	return 1;
}

static int read_field(arrow *r, const sl_fb *t, sl_afield *f, int depth)
{
	sl_fb ty, de, it;
	uint32_t n = 0;
	const char *name = sl_fb_string(t, 0, &n);

	if (!(f->name = strndup(name ? name : "", name ? n : 0)))
		return fail(r, ENOMEM, "out of memory");
	f->type = (int)sl_fb_uint(t, 2, 1, 0);
	if (!sl_fb_table(t, 3, &ty) && f->type != SL_AT_NULL)
		memset(&ty, 0, sizeof ty);
	if (type_params(r, f, &ty) < 0)
		return -1;
	if (sl_fb_table(t, 4, &de)) {
		f->dict = 1;
		f->dict_id = sl_fb_int(&de, 0, 8, 0);
		f->ibits = 32;
		f->isign = 1;
		if (sl_fb_table(&de, 1, &it) && int_type(r, &it, &f->ibits, &f->isign) < 0)
			return -1;
	}
	if (read_fields(r, t, 5, &f->kids, &f->nkids, depth + 1) < 0)
		return -1;
	if (f->type == SL_AT_UNION)
		return union_ids(r, f, &ty);
	if ((f->type == SL_AT_LIST || f->type == SL_AT_LARGELIST || f->type == SL_AT_FIXEDLIST) && f->nkids != 1)
		return fail(r, EINVAL, "a list of %zu children", f->nkids);
	if (f->type == SL_AT_MAP && (f->nkids != 1 || f->kids[0].type != SL_AT_STRUCT || f->kids[0].nkids != 2))
		return fail(r, EINVAL, "a map whose child is not a struct of a key and a value");
	return 1;
}

static int read_fields(arrow *r, const sl_fb *parent, unsigned id, sl_afield **out, size_t *nout, int depth)
{
	sl_fbvec v;
	sl_fb t;
	uint32_t i;

	if (depth > FIELD_DEPTH)
		return fail(r, EINVAL, "fields nested more than %d deep", FIELD_DEPTH);
	sl_fb_vector(parent, id, 4, &v);
	if (!(*out = calloc((size_t)v.n + 1, sizeof **out)))
		return fail(r, ENOMEM, "out of memory");
	*nout = v.n;
	for (i = 0; i < v.n; i++) {
		if (!sl_fb_vec_table(parent, &v, i, &t))
			return fail(r, EINVAL, "a damaged field");
		if (read_field(r, &t, &(*out)[i], depth) < 0)
			return -1;
	}
	return 1;
}

static void free_fields(sl_afield *f, size_t n)
{
	size_t i;
	for (i = 0; f && i < n; i++) {
		free(f[i].name);
		free(f[i].ids);
		free_fields(f[i].kids, f[i].nkids);
	}
	free(f);
}

static int read_schema(arrow *r, const sl_fb *s)
{
	size_t i;

	if (sl_fb_int(s, 0, 2, 0) != 0)
		return fail(r, ENOTSUP, "a big-endian stream is not supported yet");
	if (read_fields(r, s, 1, &r->fields, &r->nfields, 0) < 0)
		return -1;
	r->h.ncols = r->nfields;
	r->h.cols = calloc(r->nfields + 1, sizeof *r->h.cols);
	r->text = calloc(r->nfields + 1, sizeof *r->text);
	r->cols = calloc(r->nfields + 1, sizeof *r->cols);
	if (!r->h.cols || !r->text || !r->cols)
		return fail(r, ENOMEM, "out of memory");
	for (i = 0; i < r->nfields; i++) {
		sl_buf t = SL_BUF_ZERO;
		if (sl_arrowval_type(&t, &r->fields[i]) < 0 || sl_buf_cstr(&t) < 0 ||
		    !(r->h.cols[i].name = strdup(r->fields[i].name)))
			return fail(r, ENOMEM, "out of memory");
		r->h.cols[i].type = t.p;
		r->h.cols[i].typed_kind = sl_arrowval_typed(&r->fields[i]);
	}
	return 1;
}

/* ---- record batches ---- */

/* The next buffer of the walk, decompressed when the body is. */
static int next_buf(arrow *r, walk *w, const uint8_t **p, size_t *n)
{
	uint64_t off, len;
	const uint8_t *q;
	int64_t ulen;
	uint8_t *out;

	if (w->bi >= w->bufs.n)
		return fail(r, EINVAL, "fewer buffers than the schema needs");
	q = w->bufs.buf + w->bufs.pos + 16 * (size_t)w->bi++;
	off = sl_fb_le(q, 8);
	len = sl_fb_le(q + 8, 8);
	if (off > w->blen || len > w->blen - off)
		return fail(r, EINVAL, "a buffer outside the message body");
	*p = w->body + off;
	*n = (size_t)len;
	if (w->codec < 0 || len == 0)
		return 1;
	if (len < 8)
		return fail(r, EINVAL, "a compressed buffer of %llu bytes", (unsigned long long)len);
	ulen = (int64_t)sl_fb_le(*p, 8);
	if (ulen == -1) {
		*p += 8;
		*n -= 8;
		return 1;
	}
	if (ulen < 0 || (uint64_t)ulen > r->max)
		return fail(r, EINVAL, "a buffer of %lld bytes decompressed", (long long)ulen);
	if (!(out = pool_add(w->mem, malloc((size_t)ulen + 1))))
		return fail(r, ENOMEM, "out of memory");
	if (w->codec == 1) {
		size_t k = ZSTD_decompress(out, (size_t)ulen, *p + 8, *n - 8);
		if (ZSTD_isError(k) || k != (size_t)ulen)
			return fail(r, EINVAL, "a ZSTD buffer: %s", ZSTD_isError(k) ? ZSTD_getErrorName(k) : "short");
	} else {
		LZ4F_dctx *dc;
		size_t dst = (size_t)ulen, src = *n - 8, k;
		if (LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION)))
			return fail(r, ENOMEM, "out of memory");
		k = LZ4F_decompress(dc, out, &dst, *p + 8, &src, 0);
		LZ4F_freeDecompressionContext(dc);
		if (LZ4F_isError(k) || dst != (size_t)ulen)
			return fail(r, EINVAL, "an LZ4 frame buffer: %s", LZ4F_isError(k) ? LZ4F_getErrorName(k) : "short");
	}
	*p = out;
	*n = (size_t)ulen;
	return 1;
}

/* A fixed-width buffer of len items of bits bits each. */
static int need(arrow *r, size_t have, int64_t len, uint64_t bits, const char *what)
{
	if ((uint64_t)len * bits > (uint64_t)have * 8)
		return fail(r, EINVAL, "a %s buffer shorter than its %lld values", what, (long long)len);
	return 1;
}

static int build(arrow *r, walk *w, sl_aarr *a, const sl_afield *f, int plain, int depth);

/* The children of a nested array, each at least min long. */
static int build_kids(arrow *r, walk *w, sl_aarr *a, int64_t min, int depth)
{
	size_t k;
	if (!(a->kids = pool_add(w->mem, calloc(a->f->nkids + 1, sizeof *a->kids))))
		return fail(r, ENOMEM, "out of memory");
	for (k = 0; k < a->f->nkids; k++) {
		if (build(r, w, &a->kids[k], &a->f->kids[k], 0, depth + 1) < 0)
			return -1;
		if (a->kids[k].len < min)
			return fail(r, EINVAL, "a child array shorter than its parent");
	}
	return 1;
}

static const sl_aarr *find_dict(const arrow *r, int64_t id)
{
	size_t i;
	for (i = 0; i < r->ndicts; i++)
		if (r->dicts[i].id == id)
			return &r->dicts[i].arr;
	return 0;
}

/* The width in bits of a fixed-width type's values, 0 for the others. */
static uint64_t fixed_bits(const sl_afield *f)
{
	static const int ival[] = { 32, 64, 128 };
	switch (f->type) {
	case SL_AT_BOOL: return 1;
	case SL_AT_INT: case SL_AT_DECIMAL: case SL_AT_TIME: return (uint64_t)f->bits;
	case SL_AT_FLOAT: return f->bits == 0 ? 16 : f->bits == 1 ? 32 : 64;
	case SL_AT_DATE: return f->unit == 0 ? 32 : 64;
	case SL_AT_TIMESTAMP: case SL_AT_DURATION: return 64;
	case SL_AT_INTERVAL: return (uint64_t)ival[f->unit];
	case SL_AT_FIXEDBIN: return 8 * (uint64_t)f->width;
	default: return 0;
	}
}

/* The buffers after validity: offsets (width ow) and the rest. */
static int build_body(arrow *r, walk *w, sl_aarr *a, const sl_afield *f, int depth)
{
	int t = f->type;
	unsigned ow = t == SL_AT_LARGEBIN || t == SL_AT_LARGEUTF8 || t == SL_AT_LARGELIST ? 8 : 4;
	uint64_t fb = fixed_bits(f);

	if (fb)
		return next_buf(r, w, &a->b1, &a->n1) < 0 ? -1 : need(r, a->n1, a->len, fb, "value");
	switch (t) {
	case SL_AT_BINARY: case SL_AT_UTF8: case SL_AT_LARGEBIN: case SL_AT_LARGEUTF8:
		if (next_buf(r, w, &a->b1, &a->n1) < 0 || next_buf(r, w, &a->b2, &a->n2) < 0)
			return -1;
		return a->len ? need(r, a->n1, a->len + 1, 8 * ow, "offset") : 1;
	case SL_AT_LIST: case SL_AT_LARGELIST: case SL_AT_MAP:
		if (next_buf(r, w, &a->b1, &a->n1) < 0 || (a->len && need(r, a->n1, a->len + 1, 8 * ow, "offset") < 0))
			return -1;
		return build_kids(r, w, a, 0, depth);
	case SL_AT_FIXEDLIST:
		return build_kids(r, w, a, a->len * f->width, depth);
	case SL_AT_STRUCT:
		return build_kids(r, w, a, a->len, depth);
	default:
		return fail(r, ENOTSUP, "arrow type %d is not supported yet", t);
	}
}

static int build(arrow *r, walk *w, sl_aarr *a, const sl_afield *f, int plain, int depth)
{
	const uint8_t *q;
	int64_t nulls;

	if (depth > FIELD_DEPTH)
		return fail(r, EINVAL, "arrays nested too deep");
	if (w->ni >= w->nodes.n)
		return fail(r, EINVAL, "fewer field nodes than the schema needs");
	q = w->nodes.buf + w->nodes.pos + 16 * (size_t)w->ni++;
	a->f = f;
	a->len = (int64_t)sl_fb_le(q, 8);
	nulls = (int64_t)sl_fb_le(q + 8, 8);
	if (a->len < 0 || a->len > LEN_MAX || nulls < 0 || nulls > a->len)
		return fail(r, EINVAL, "a field node of %lld values, %lld null", (long long)a->len, (long long)nulls);
	if (f->type == SL_AT_NULL && (plain || !f->dict))
		return 1;
	if (f->type == SL_AT_UNION && (plain || !f->dict)) {
		/* before metadata V5 a union had a validity buffer */
		if (r->version < 4 && next_buf(r, w, &a->valid, &a->n1) < 0)
			return -1;
		if (!nulls || r->version >= 4)
			a->valid = 0;
		else if (need(r, a->n1, a->len, 1, "validity") < 0)
			return -1;
		if (next_buf(r, w, &a->b1, &a->n1) < 0 || need(r, a->n1, a->len, 8, "union type") < 0 ||
		    (f->dense && (next_buf(r, w, &a->b2, &a->n2) < 0 || need(r, a->n2, a->len, 32, "union offset") < 0)))
			return -1;
		return build_kids(r, w, a, f->dense ? 0 : a->len, depth);
	}
	if (next_buf(r, w, &a->valid, &a->n1) < 0)
		return -1;
	if (!nulls)
		a->valid = 0;
	else if (need(r, a->n1, a->len, 1, "validity") < 0)
		return -1;
	if (!plain && f->dict) {
		if (!(a->dict = find_dict(r, f->dict_id)))
			return fail(r, EINVAL, "dictionary %lld used before it was sent", (long long)f->dict_id);
		return next_buf(r, w, &a->b1, &a->n1) < 0 ? -1 : need(r, a->n1, a->len, (uint64_t)f->ibits, "index");
	}
	return build_body(r, w, a, f, depth);
}

/* A RecordBatch table over body: the walk set up. */
static int walk_init(arrow *r, walk *w, const sl_fb *rb, const uint8_t *body, uint64_t blen, pool *mem)
{
	sl_fb c;

	memset(w, 0, sizeof *w);
	w->body = body;
	w->blen = blen;
	w->mem = mem;
	w->codec = -1;
	sl_fb_vector(rb, 1, 16, &w->nodes);
	sl_fb_vector(rb, 2, 16, &w->bufs);
	if (sl_fb_table(rb, 3, &c)) {
		w->codec = (int)sl_fb_int(&c, 0, 1, 0);
		if (w->codec != 0 && w->codec != 1)
			return fail(r, ENOTSUP, "body compression %d is not supported yet", w->codec);
	}
	return 1;
}

static const sl_afield *find_dict_field(const sl_afield *f, size_t n, int64_t id)
{
	size_t i;
	const sl_afield *x;
	for (i = 0; i < n; i++) {
		if (f[i].dict && f[i].dict_id == id)
			return &f[i];
		if ((x = find_dict_field(f[i].kids, f[i].nkids, id)))
			return x;
	}
	return 0;
}

/* A DictionaryBatch: its values kept (with its body) for the batches. */
static int dictionary(arrow *r, const sl_fb *db, uint64_t blen)
{
	int64_t id = sl_fb_int(db, 0, 8, 0);
	const sl_afield *f = find_dict_field(r->fields, r->nfields, id);
	adict *d, *nd;
	sl_fb rb;
	walk w;

	if (!f)
		return fail(r, EINVAL, "dictionary %lld of no field", (long long)id);
	if (sl_fb_int(db, 2, 1, 0))
		return fail(r, ENOTSUP, "dictionary deltas are not supported yet");
	if (find_dict(r, id))
		return fail(r, ENOTSUP, "a replaced dictionary is not supported yet");
	if (!sl_fb_table(db, 1, &rb))
		return fail(r, EINVAL, "a dictionary batch without its data");
	if (!(nd = realloc(r->dicts, (r->ndicts + 1) * sizeof *nd)))
		return fail(r, ENOMEM, "out of memory");
	r->dicts = nd;
	d = &r->dicts[r->ndicts++];
	memset(d, 0, sizeof *d);
	d->id = id;
	d->f = f;
	if (!pool_add(&d->mem, r->body))        /* the dictionary keeps its body */
		return fail(r, ENOMEM, "out of memory");
	r->body = 0;
	if (walk_init(r, &w, &rb, d->mem.p[0], blen, &d->mem) < 0 ||
	    build(r, &w, &d->arr, f, 1, 0) < 0)
		return -1;
	return 1;
}

/* A RecordBatch: its columns built over the body. */
static int record_batch(arrow *r, const sl_fb *rb, uint64_t blen)
{
	int64_t len = sl_fb_int(rb, 0, 8, 0);
	size_t i;
	walk w;

	pool_free(&r->batch);
	if (!pool_add(&r->batch, r->body))
		return fail(r, ENOMEM, "out of memory");
	r->body = 0;
	if (len < 0 || len > LEN_MAX)
		return fail(r, EINVAL, "a record batch of %lld rows", (long long)len);
	if (walk_init(r, &w, rb, r->batch.p[0], blen, &r->batch) < 0)
		return -1;
	for (i = 0; i < r->nfields; i++) {
		memset(&r->cols[i], 0, sizeof r->cols[i]);
		if (build(r, &w, &r->cols[i], &r->fields[i], 0, 0) < 0)
			return -1;
		if (r->cols[i].len < len)
			return fail(r, EINVAL, "a column shorter than its record batch");
	}
	r->rows = len;
	r->row = 0;
	return 1;
}

/* ---- messages ---- */

/* The next message: its metadata in r->meta, its body in r->body. 1; 0
 * the stream's end; -1. */
static int message(arrow *r, sl_fb *msg, uint64_t *blen)
{
	uint8_t h[4];
	uint32_t len;
	int64_t bl;
	ssize_t k;
	int bad = 0;

	if ((k = get(r, h, 4)) < 0)
		return -1;
	if (k == 0)
		return 0;
	if (k < 4)
		return fail(r, EINVAL, "the stream ends inside a message length");
	len = (uint32_t)sl_fb_le(h, 4);
	if (len == 0xffffffffu) {
		if ((k = get(r, h, 4)) < 0)
			return -1;
		if (k < 4)
			return fail(r, EINVAL, "the stream ends inside a message length");
		len = (uint32_t)sl_fb_le(h, 4);
	}
	if (len == 0)
		return 0;
	if (len > META_MAX)
		return fail(r, EINVAL, "a message of %u bytes of metadata", len);
	free(r->meta);
	if (!(r->meta = malloc(len)))
		return fail(r, ENOMEM, "out of memory");
	if ((k = get(r, r->meta, len)) < 0)
		return -1;
	if ((uint32_t)k < len)
		return fail(r, EINVAL, "the stream ends inside a message");
	if (!sl_fb_root(msg, r->meta, len, &bad))
		return fail(r, EINVAL, "a damaged message");
	r->version = (int)sl_fb_int(msg, 0, 2, 0);
	bl = sl_fb_int(msg, 3, 8, 0);
	if (bl < 0 || (uint64_t)bl > r->max)
		return fail(r, EINVAL, "a message body of %lld bytes (the limit is %llu)", (long long)bl,
		    (unsigned long long)r->max);
	free(r->body);
	if (!(r->body = malloc((size_t)bl + 1)))
		return fail(r, ENOMEM, "out of memory");
	if ((k = get(r, r->body, (size_t)bl)) < 0)
		return -1;
	if (k < bl)
		return fail(r, EINVAL, "the stream ends inside a message body");
	*blen = (uint64_t)bl;
	return bad ? fail(r, EINVAL, "a damaged message") : 1;
}

/* Messages until a record batch with rows: 1; 0 the end; -1. */
static int advance(arrow *r)
{
	while (r->row >= r->rows) {
		sl_fb msg, hd;
		uint64_t blen;
		int k, type, bad = 0;

		/* the batch read out is released before the next message's
		 * body is read: one batch in memory at a time, not two */
		pool_free(&r->batch);
		r->rows = r->row = 0;
		k = message(r, &msg, &blen);

		if (k <= 0)
			return k;
		msg.bad = &bad;
		type = (int)sl_fb_uint(&msg, 1, 1, 0);
		if (!sl_fb_table(&msg, 2, &hd))
			return fail(r, EINVAL, "a message without its header");
		if (type == 1)
			k = fail(r, EINVAL, "a second schema in the stream");
		else if (type == 2)
			k = dictionary(r, &hd, blen);
		else if (type == 3)
			k = record_batch(r, &hd, blen);
		else
			k = fail(r, ENOTSUP, "an arrow message of type %d is not supported", type);
		if (k < 0)
			return -1;
		if (bad)
			return fail(r, EINVAL, "a damaged message");
	}
	return 1;
}

static int arrow_next(sl_colreader *h, sl_field *vals)
{
	arrow *r = (arrow *)h;
	size_t i;
	int k;

	if (r->eof)
		return 0;
	if ((k = advance(r)) <= 0) {
		r->eof = k == 0;
		return k;
	}
	if (!r->kinds) {        /* the typed kinds, fixed before the first row */
		if (!(r->kinds = calloc(r->nfields + 1, sizeof *r->kinds)))
			return fail(r, ENOMEM, "out of memory");
		for (i = 0; i < r->nfields; i++)
			r->kinds[i] = h->cols[i].typed ? h->cols[i].typed_kind : 0;
	}
	if (sl_arrowval_row(r->text, r->cols, r->kinds, r->nfields, r->row, vals, h->err, sizeof h->err) < 0)
		return -1;
	r->row++;
	return 1;
}

static void arrow_free(sl_colreader *h)
{
	arrow *r = (arrow *)h;
	size_t i;

	for (i = 0; i < r->ndicts; i++)
		pool_free(&r->dicts[i].mem);
	free(r->dicts);
	pool_free(&r->batch);
	for (i = 0; i < r->nfields; i++) {
		if (r->text)
			sl_buf_free(&r->text[i]);
		if (h->cols) {
			free(h->cols[i].name);
			free(h->cols[i].type);
		}
	}
	free(r->text);
	free(r->kinds);
	free(h->cols);
	free(r->cols);
	free_fields(r->fields, r->nfields);
	free(r->meta);
	free(r->body);
	free(r);
}

static const struct sl_colreader_ops arrow_ops = { arrow_next, arrow_free };

sl_colreader *sl_arrow_open(const sl_colsrc *src, const sl_colopts *o, char *err, size_t errlen)
{
	arrow *r = calloc(1, sizeof *r);
	sl_fb msg, s;
	uint64_t blen;
	int k, bad = 0;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return 0;
	}
	r->h.ops = &arrow_ops;
	r->in = src->in;
	r->fd = src->fd;
	r->o = o;
	r->max = o && o->max_batch ? o->max_batch : (uint64_t)1 << 30;
	if ((k = message(r, &msg, &blen)) == 0)
		fail(r, EINVAL, "not an arrow stream: no schema");
	else if (k > 0) {
		msg.bad = &bad;
		if (sl_fb_uint(&msg, 1, 1, 0) != 1 || !sl_fb_table(&msg, 2, &s))
			k = fail(r, EINVAL, "not an arrow stream: the first message is not a schema");
		else if ((k = read_schema(r, &s)) > 0 && bad)
			k = fail(r, EINVAL, "a damaged schema");
	}
	if (k <= 0) {
		int e = errno;
		snprintf(err, errlen, "%s", r->h.err);
		arrow_free(&r->h);
		errno = e ? e : EINVAL;
		return 0;
	}
	return &r->h;
}
