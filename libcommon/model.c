/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model.c -- a table's model on encoded rows: normalized keys and the
 * fold of equal keys (model.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "frame.h"
#include "types.h"
#include "bitmap.h"
#include "hll.h"
#include "model.h"

int sl_model_init(sl_model_ctx *m, const sl_schema *sch)
{
	size_t n = sch->ncols;

	memset(m, 0, sizeof *m);
	m->sch = sch;
	m->ncols = n;
	m->nkeys = sch->nkeys <= n ? sch->nkeys : n;
	m->kind = sch->model;
	m->cur = calloc(n + 1, sizeof *m->cur);
	m->in = calloc(n + 2, sizeof *m->in);
	m->mask = calloc(n + 1, 1);
	m->fix = calloc(n + 1, sizeof *m->fix);
	m->var = calloc(n + 1, sizeof *m->var);
	m->acc = calloc(n + 1, sizeof *m->acc);
	if (!m->cur || !m->in || !m->mask || !m->fix || !m->var || !m->acc) {
		sl_model_free(m);
		errno = ENOMEM;
		return -1;
	}
	return 1;
}

/* Drop column i's union in progress. */
static void acc_drop(sl_model_ctx *m, size_t i)
{
	if (!m->acc[i])
		return;
	if (m->sch->cols[i].agg == SL_AGG_BITMAP_UNION)
		sl_bitmap_free(m->acc[i]);
	else
		sl_hll_free(m->acc[i]);
	m->acc[i] = 0;
}

void sl_model_free(sl_model_ctx *m)
{
	if (m->acc)
		for (size_t i = 0; i < m->ncols; i++)
			acc_drop(m, i);
	free(m->acc);
	if (m->var)
		for (size_t i = 0; i < m->ncols; i++)
			sl_buf_free(&m->var[i]);
	free(m->cur);
	free(m->in);
	free(m->mask);
	free(m->fix);
	free(m->var);
	sl_buf_free(&m->tmp);
	memset(m, 0, sizeof *m);
}

/* ---- normalized keys ---- */

static int is_floating(const sl_type *t)
{
	return t->kind == SL_T_FLOAT || t->kind == SL_T_DOUBLE;
}

/* The fixed-width value p[0..w) made memcmp-ordered into out. */
static void norm_fixed(const sl_type *t, const char *p, size_t w, unsigned char *out)
{
	memcpy(out, p, w);
	if (!is_floating(t)) {
		out[0] ^= 0x80;
		return;
	}
	if (out[0] & 0x80) {
		size_t i;
		for (i = 1; i < w && !out[i]; i++)
			;
		if (i == w && out[0] == 0x80) {         /* -0 is 0 */
			out[0] = 0x80;
			return;
		}
		for (i = 0; i < w; i++)
			out[i] = (unsigned char)~out[i];
		return;
	}
	out[0] ^= 0x80;
}

/* Write one key field (not NULL) in its normalized form at o (room
 * made by the caller: 2n + 2 bytes, or the type's width). Returns the
 * bytes written, or -1 EPROTO. */
static long key_put(char *o, const sl_type *t, const char *p, uint32_t n, int last)
{
	size_t w = sl_type_width(t);
	char *s = o;

	if (w) {
		if (n != w || w > 16) {
			errno = EPROTO;
			return -1;
		}
		norm_fixed(t, p, w, (unsigned char *)o);
		return (long)w;
	}
	if (last) {
		memcpy(o, p, n);
		return (long)n;
	}
	for (uint32_t i = 0; i < n; i++) {
		*o++ = p[i];
		if (!p[i])
			*o++ = (char)0xFF;
	}
	*o++ = 0;
	*o++ = 0;
	return o - s;
}

int sl_model_key(const sl_model_ctx *m, const char *p, size_t len, sl_buf *out)
{
	size_t at = 0;

	/* at most a flag, 2 bytes a byte and a terminator per key field */
	if (len > SIZE_MAX / 4 || sl_buf_reserve(out, 2 * len + 3 * m->nkeys + 16) < 0)
		return -1;
	for (size_t k = 0; k < m->nkeys; k++) {
		uint32_t n;
		long w;
		if (len - at < 4)
			goto bad;
		n = sl_u32_unpack(p + at);
		at += 4;
		if (n == SL_NULL_LEN) {
			out->p[out->len++] = 0;
			continue;
		}
		if (n > len - at)
			goto bad;
		out->p[out->len++] = 1;
		w = key_put(out->p + out->len, &m->sch->cols[k].type, p + at, n, k + 1 == m->nkeys);
		if (w < 0)
			return -1;
		out->len += (size_t)w;
		at += n;
	}
	return 1;
bad:
	errno = EPROTO;
	return -1;
}

int sl_model_key_first(const sl_model_ctx *m, sl_field v, sl_buf *out)
{
	long w;

	if (!m->nkeys || v.n == SL_NULL_LEN || v.n > UINT32_MAX / 4) {
		errno = EINVAL;
		return -1;
	}
	if (sl_buf_reserve(out, 2 * (size_t)v.n + 16) < 0)
		return -1;
	out->p[out->len++] = 1;
	w = key_put(out->p + out->len, &m->sch->cols[0].type, v.p, v.n, m->nkeys == 1);
	if (w < 0)
		return -1;
	out->len += (size_t)w;
	return 1;
}

int sl_model_keycmp(const sl_buf *a, const sl_buf *b)
{
	size_t m = a->len < b->len ? a->len : b->len;
	int c;

	/* most keys differ in their first 8 bytes: one compare of two
	 * big-endian words instead of a call to memcmp */
	if (m >= 8) {
		uint64_t x = sl_u64_unpack(a->p), y = sl_u64_unpack(b->p);
		if (x != y)
			return x < y ? -1 : 1;
		c = memcmp(a->p + 8, b->p + 8, m - 8);
	} else {
		c = memcmp(a->p, b->p, m);
	}
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

int sl_model_cmp(const sl_type *t, sl_field a, sl_field b)
{
	size_t w = sl_type_width(t);
	int c;

	if (a.n == SL_NULL_LEN || b.n == SL_NULL_LEN)
		return (b.n == SL_NULL_LEN) - (a.n == SL_NULL_LEN);
	if (w && a.n == w && b.n == w && w <= 16) {
		unsigned char x[16], y[16];
		norm_fixed(t, a.p, w, x);
		norm_fixed(t, b.p, w, y);
		return memcmp(x, y, w);
	}
	c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
	return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* ---- the fold ---- */

/* Split a row into m->in: ncols fields, or ncols + 1 with a valid mask
 * (then *mask points at it). 1, -1 EPROTO. */
static int row_fields(sl_model_ctx *m, const char *p, size_t len, const char **mask)
{
	long nf = sl_fields_parse(p, len, m->in, m->ncols + 1);
	sl_field *mk = &m->in[m->ncols];

	*mask = 0;
	if (nf == (long)m->ncols)
		return 1;
	if (nf == (long)m->ncols + 1 && mk->n == m->ncols) {
		for (size_t i = 0; i < m->ncols; i++)
			if (mk->p[i] != '0' && mk->p[i] != '1')
				goto bad;
		*mask = mk->p;
		return 1;
	}
bad:
	errno = EPROTO;
	return -1;
}

int sl_model_fold_start(sl_model_ctx *m, const char *p, size_t len)
{
	const char *mask;

	if (row_fields(m, p, len, &mask) < 0)
		return -1;
	for (size_t i = 0; i < m->ncols; i++)
		acc_drop(m, i);
	memcpy(m->cur, m->in, m->ncols * sizeof *m->cur);
	m->partial = mask != 0;
	if (mask)
		memcpy(m->mask, mask, m->ncols);
	m->nrows = 1;
	m->orig = p;
	m->origlen = len;
	m->whole = 1;
	return 1;
}

/* A FLOAT (w 4) or DOUBLE (w 8) field's value. */
static double fp_get(const char *p, size_t w)
{
	if (w == 8) {
		uint64_t u = sl_u64_unpack(p);
		double d;
		memcpy(&d, &u, 8);
		return d;
	} else {
		uint32_t u = sl_u32_unpack(p);
		float f;
		memcpy(&f, &u, 4);
		return f;
	}
}

/* Store d as a FLOAT or DOUBLE field's bytes (a float sum made in double
 * and rounded once is the float sum: 53 >= 2 * 24 + 2 bits). */
static void fp_put(unsigned char *o, double d, size_t w)
{
	if (w == 8) {
		uint64_t u;
		memcpy(&u, &d, 8);
		sl_u64_pack((char *)o, u);
	} else {
		float f = (float)d;
		uint32_t u;
		memcpy(&u, &f, 4);
		sl_u32_pack((char *)o, u);
	}
}

/* SUM of two non-NULL values of type t into m->fix[i]. Integers and
 * decimals add in two's complement of their width (big-endian bytes with
 * carry: the sum wraps as the column's type does). */
static int agg_sum(sl_model_ctx *m, size_t i, const sl_type *t, sl_field a, sl_field b)
{
	size_t w = sl_type_width(t);
	unsigned char *o = (unsigned char *)m->fix[i];

	if (!w || w > 16 || a.n != w || b.n != w ||
	    !(sl_type_is_numeric(t) || t->kind == SL_T_BOOLEAN)) {
		errno = w && (a.n != w || b.n != w) ? EPROTO : EINVAL;
		return -1;
	}
	if (is_floating(t)) {
		fp_put(o, fp_get(a.p, w) + fp_get(b.p, w), w);
	} else {
		unsigned carry = 0;
		unsigned char r[16];
		for (size_t k = w; k-- > 0;) {
			unsigned s = (unsigned char)a.p[k] + (unsigned char)b.p[k] + carry;
			r[k] = (unsigned char)s;
			carry = s >> 8;
		}
		memcpy(o, r, w);
	}
	m->cur[i].p = m->fix[i];
	m->cur[i].n = (uint32_t)w;
	return 1;
}

/* BITMAP_UNION / HLL_UNION of two non-NULL values: B is or'ed into the
 * column's decoded union (started from A on the key's second row);
 * m->cur[i] keeps pointing at a non-NULL field until acc_end encodes the
 * union. */
static int agg_union(sl_model_ctx *m, size_t i, int agg, sl_field a, sl_field b)
{
	int bm = agg == SL_AGG_BITMAP_UNION;

	if (!m->acc[i]) {
		if (!(m->acc[i] = bm ? (void *)sl_bitmap_new() : (void *)sl_hll_new()))
			return -1;
		if ((bm ? sl_bitmap_or_enc(m->acc[i], a.p, a.n) : sl_hll_or_enc(m->acc[i], a.p, a.n)) < 0)
			return -1;
	}
	return bm ? sl_bitmap_or_enc(m->acc[i], b.p, b.n) : sl_hll_or_enc(m->acc[i], b.p, b.n);
}

/* Encode the unions in progress into m->var and point m->cur at them. */
static int acc_end(sl_model_ctx *m)
{
	for (size_t i = 0; i < m->ncols; i++) {
		int r;
		if (!m->acc[i])
			continue;
		m->var[i].len = 0;
		r = m->sch->cols[i].agg == SL_AGG_BITMAP_UNION ? sl_bitmap_encode(m->acc[i], &m->var[i])
			: sl_hll_encode(m->acc[i], &m->var[i]);
		acc_drop(m, i);
		if (r < 0)
			return -1;
		if (m->var[i].len >= SL_ABSENT_LEN) {
			errno = ERANGE;
			return -1;
		}
		m->cur[i].p = m->var[i].p;
		m->cur[i].n = (uint32_t)m->var[i].len;
	}
	return 1;
}

/* One value column of an AGGREGATE row: A (m->cur[i]) with B. */
static int agg_col(sl_model_ctx *m, size_t i, sl_field b)
{
	const sl_column *c = &m->sch->cols[i];
	sl_field a = m->cur[i];

	switch (c->agg) {
	case SL_AGG_SUM: case SL_AGG_MAX: case SL_AGG_MIN:
	case SL_AGG_BITMAP_UNION: case SL_AGG_HLL_UNION:
		if (b.n == SL_NULL_LEN)
			return 1;
		if (a.n == SL_NULL_LEN)
			break;
		if (c->agg == SL_AGG_SUM)
			return agg_sum(m, i, &c->type, a, b);
		if (c->agg == SL_AGG_MAX || c->agg == SL_AGG_MIN) {
			int d = sl_model_cmp(&c->type, b, a);
			if (c->agg == SL_AGG_MAX ? d > 0 : d < 0)
				break;
			return 1;
		}
		return agg_union(m, i, c->agg, a, b);
	case SL_AGG_REPLACE_IF_NOT_NULL:
		if (b.n == SL_NULL_LEN)
			return 1;
		break;
	default:                /* REPLACE, and UNIQUE's value columns */
		break;
	}
	m->cur[i] = b;
	return 1;
}

/* Does B (m->in, mask bmask) win over the folded row by the sequence? */
static int seq_wins(const sl_model_ctx *m, const char *bmask)
{
	long s = m->sch->seq_col;

	if (m->kind != SL_MODEL_UNIQUE || s < 0 || (size_t)s >= m->ncols || (bmask && bmask[s] == '0'))
		return 1;
	return sl_model_cmp(&m->sch->cols[s].type, m->in[s], m->cur[s]) >= 0;
}

int sl_model_fold_add(sl_model_ctx *m, const char *p, size_t len)
{
	const char *bmask;

	if (row_fields(m, p, len, &bmask) < 0)
		return -1;
	m->nrows++;
	if (!seq_wins(m, bmask))
		return 1;
	if (m->kind != SL_MODEL_AGGREGATE && !bmask) {
		/* a whole row wins: the folded row is this one, as it is */
		memcpy(m->cur, m->in, m->ncols * sizeof *m->cur);
		m->partial = 0;
		m->orig = p;
		m->origlen = len;
		m->whole = 1;
		return 1;
	}
	m->whole = 0;
	for (size_t i = 0; i < m->ncols; i++) {
		if (bmask && bmask[i] == '0')
			continue;
		if (m->kind == SL_MODEL_AGGREGATE && i >= m->nkeys) {
			if (agg_col(m, i, m->in[i]) < 0)
				return -1;
		} else {
			m->cur[i] = m->in[i];
		}
	}
	if (!bmask)
		m->partial = 0;
	else if (m->partial)
		for (size_t i = 0; i < m->ncols; i++)
			m->mask[i] = (char)(m->mask[i] | bmask[i]);   /* '0' | '1' == '1' */
	return 1;
}

static int deleted(const sl_model_ctx *m)
{
	long d = m->sch->delete_sign;
	const sl_field *f;

	if (d < 0 || (size_t)d >= m->ncols)
		return 0;
	f = &m->cur[d];
	if (f->n == SL_NULL_LEN)
		return 0;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->p[i])
			return 1;
	return 0;
}

static int put_field(sl_buf *out, const char *p, uint32_t n)
{
	char h[4];

	sl_u32_pack(h, n);
	if (sl_buf_put(out, h, 4) < 0)
		return -1;
	return n == SL_NULL_LEN ? 1 : sl_buf_put(out, p, n);
}

int sl_model_fold_end(sl_model_ctx *m, int keep, int mask_out, sl_buf *out, const char **p,
	size_t *len)
{
	if (m->kind == SL_MODEL_AGGREGATE && acc_end(m) < 0)
		return -1;
	if (!keep && deleted(m))
		return 0;
	if (m->whole && !m->partial && !mask_out) {
		*p = m->orig;
		*len = m->origlen;
		return 1;
	}
	if (m->nrows == 1 && m->partial && mask_out) {
		*p = m->orig;
		*len = m->origlen;
		return 1;
	}
	out->len = 0;
	for (size_t i = 0; i < m->ncols; i++)
		if (put_field(out, m->cur[i].p, m->cur[i].n) < 0)
			return -1;
	if (mask_out) {
		if (sl_buf_reserve(out, 4 + m->ncols) < 0)
			return -1;
		if (m->partial)
			put_field(out, m->mask, (uint32_t)m->ncols);
		else {
			put_field(out, "", 0);
			memset(out->p + out->len, '1', m->ncols);
			out->len += m->ncols;
			sl_u32_pack(out->p + out->len - m->ncols - 4, (uint32_t)m->ncols);
		}
	}
	*p = out->p;
	*len = out->len;
	return 1;
}
