/* SPDX-License-Identifier: Apache-2.0 */
/* arrowval.c -- the Doris type texts and value texts of Arrow arrays (colfile.h's table). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arrowval.h"
#include "colval.h"
#include "flatbuf.h"
#include "types.h"
#include "sl.h"
#include <endian.h>

#define MAX_DEPTH 64

static int scalar_type(sl_buf *b, const sl_afield *f)
{
	static const char *const sints[] = { "TINYINT", "SMALLINT", "INT", "BIGINT" };
	static const char *const uints[] = { "SMALLINT", "INT", "BIGINT", "LARGEINT" };
	static const int digits[] = { 0, 3, 6, 6 };
	int lg = f->bits == 8 ? 0 : f->bits == 16 ? 1 : f->bits == 32 ? 2 : 3;

	switch (f->type) {
	case SL_AT_BOOL: return sl_buf_puts(b, "BOOLEAN");
	case SL_AT_INT: return sl_buf_puts(b, f->sign ? sints[lg] : uints[lg]);
	case SL_AT_FLOAT: return sl_buf_puts(b, f->bits == 2 ? "DOUBLE" : "FLOAT");
	case SL_AT_DECIMAL: return sl_buf_printf(b, "DECIMAL(%d,%d)", f->prec, f->scale);
	case SL_AT_DATE: return sl_buf_puts(b, "DATE");
	case SL_AT_TIME: return sl_buf_puts(b, "TIME");
	case SL_AT_TIMESTAMP: return sl_buf_printf(b, "DATETIME(%d)", digits[f->unit & 3]);
	case SL_AT_DURATION: return sl_buf_puts(b, "BIGINT");
	default: return sl_buf_puts(b, "STRING");
	}
}

int sl_arrowval_type(sl_buf *b, const sl_afield *f)
{
	size_t i;

	switch (f->type) {
	case SL_AT_LIST: case SL_AT_LARGELIST: case SL_AT_FIXEDLIST:
		if (sl_buf_puts(b, "ARRAY<") < 0 || (f->nkids && sl_arrowval_type(b, &f->kids[0]) < 0))
			return -1;
		return sl_buf_putc(b, '>');
	case SL_AT_MAP: {
		const sl_afield *e = f->nkids ? &f->kids[0] : 0;
		if (!e || e->nkids != 2)
			return sl_buf_puts(b, "MAP<STRING,STRING>");
		if (sl_buf_puts(b, "MAP<") < 0 || sl_arrowval_type(b, &e->kids[0]) < 0 ||
		    sl_buf_putc(b, ',') < 0 || sl_arrowval_type(b, &e->kids[1]) < 0)
			return -1;
		return sl_buf_putc(b, '>');
	}
	case SL_AT_STRUCT:
		if (sl_buf_puts(b, "STRUCT<") < 0)
			return -1;
		for (i = 0; i < f->nkids; i++)
			if ((i && sl_buf_putc(b, ',') < 0) || sl_buf_printf(b, "%s:", f->kids[i].name) < 0 ||
			    sl_arrowval_type(b, &f->kids[i]) < 0)
				return -1;
		return sl_buf_putc(b, '>');
	case SL_AT_UNION:
		return sl_buf_puts(b, "JSON");
	default:
		return scalar_type(b, f);
	}
}

static int bad(char *err, size_t errlen, const char *what, int64_t i)
{
	snprintf(err, errlen, "%s at value %lld", what, (long long)i);
	errno = EINVAL;
	return -1;
}

static int is_null(const sl_aarr *a, int64_t i)
{
	if (a->f->type == SL_AT_NULL)
		return 1;
	return a->valid && !((a->valid[i >> 3] >> (i & 7)) & 1);
}

/* The [start, end) of item i of an offsets buffer (4 or 8 bytes each),
 * checked against limit. */
static inline int span(const sl_aarr *a, int64_t i, unsigned w, uint64_t limit, uint64_t *s, uint64_t *e)
{
	int64_t x, y;
	if (w == 4) {   /* the usual offsets, loaded here: a call per value cost more */
		uint32_t o[2];
		memcpy(o, a->b1 + (size_t)i * 4, 8);
		x = (int32_t)le32toh(o[0]);
		y = (int32_t)le32toh(o[1]);
	} else {
		x = (int64_t)sl_fb_le(a->b1 + (size_t)i * w, w);
		y = (int64_t)sl_fb_le(a->b1 + (size_t)(i + 1) * w, w);
	}
	if (x < 0 || y < x || (uint64_t)y > limit)
		return -1;
	*s = (uint64_t)x;
	*e = (uint64_t)y;
	return 1;
}

static int bytes(sl_buf *b, const sl_aarr *a, int64_t i, int json, char *err, size_t errlen)
{
	int t = a->f->type;
	unsigned w = t == SL_AT_LARGEBIN || t == SL_AT_LARGEUTF8 ? 8 : 4;
	const char *p;
	uint64_t s, e;

	if (t == SL_AT_FIXEDBIN) {
		p = (const char *)a->b1 + (size_t)i * (size_t)a->f->width;
		s = 0;
		e = (uint64_t)a->f->width;
	} else {
		if (span(a, i, w, a->n2, &s, &e) < 0)
			return bad(err, errlen, "an offset outside the data", i);
		p = (const char *)a->b2;
	}
	return json ? sl_colval_json_string(b, p + s, (size_t)(e - s)) : sl_buf_put(b, p + s, (size_t)(e - s));
}

/* The text appended since at made a JSON string (dates, times, map keys,
 * NaN inside nested values). */
static int quoted(sl_buf *b, int json, size_t at)
{
	sl_buf tmp = SL_BUF_ZERO;
	int r;
	if (!json)
		return 1;
	if (sl_buf_put(&tmp, b->p + at, b->len - at) < 0)
		return -1;
	b->len = at;
	r = sl_colval_json_string(b, tmp.p ? tmp.p : "", tmp.len);
	sl_buf_free(&tmp);
	return r;
}

static int64_t fixed_int(const sl_aarr *a, int64_t i, unsigned w)
{
	uint64_t v = sl_fb_le(a->b1 + (size_t)i * w, w);
	if (w < 8 && (v >> (8 * w - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * w);
	return (int64_t)v;
}

static int temporal(sl_buf *b, const sl_aarr *a, int64_t i, int json)
{
	static const int64_t per_sec[] = { 1, 1000, 1000000, 1000000000 };
	static const int digits[] = { 0, 3, 6, 9 };
	const sl_afield *f = a->f;
	size_t at = b->len;
	int64_t v, q, r;
	int rc;

	if (f->type == SL_AT_DATE) {
		if (f->unit == 0)
			rc = sl_colval_date(b, fixed_int(a, i, 4));
		else {
			v = fixed_int(a, i, 8);
			q = v / 86400000 - (v % 86400000 < 0);
			rc = sl_colval_date(b, q);
		}
	} else if (f->type == SL_AT_TIME) {
		int64_t mult = 1000000000 / per_sec[f->unit & 3];
		v = fixed_int(a, i, (unsigned)f->bits / 8);
		rc = v > INT64_MAX / mult || v < 0 ? (errno = EINVAL, -1)
		    : sl_colval_time(b, v * mult, digits[f->unit & 3]);
	} else {
		v = fixed_int(a, i, 8);
		q = v / per_sec[f->unit & 3];
		r = v % per_sec[f->unit & 3];
		if (r < 0) {
			r += per_sec[f->unit & 3];
			q--;
		}
		rc = sl_colval_timestamp(b, q, (uint32_t)(r * (1000000000 / per_sec[f->unit & 3])),
		    digits[f->unit & 3], f->zoned);
	}
	return rc < 0 ? -1 : quoted(b, json, at);
}

static int interval(sl_buf *b, const sl_aarr *a, int64_t i)
{
	const uint8_t *p;
	if (a->f->unit == 0)
		return sl_buf_printf(b, "{\"months\":%d}", (int32_t)sl_fb_le(a->b1 + (size_t)i * 4, 4));
	if (a->f->unit == 1) {
		p = a->b1 + (size_t)i * 8;
		return sl_buf_printf(b, "{\"days\":%d,\"milliseconds\":%d}", (int32_t)sl_fb_le(p, 4),
		    (int32_t)sl_fb_le(p + 4, 4));
	}
	p = a->b1 + (size_t)i * 16;
	return sl_buf_printf(b, "{\"months\":%d,\"days\":%d,\"nanoseconds\":%lld}", (int32_t)sl_fb_le(p, 4),
	    (int32_t)sl_fb_le(p + 4, 4), (long long)sl_fb_le(p + 8, 8));
}

static int scalar(sl_buf *b, const sl_aarr *a, int64_t i, int json, char *err, size_t errlen)
{
	const sl_afield *f = a->f;
	size_t at = b->len;
	unsigned w;
	int rc;

	switch (f->type) {
	case SL_AT_BOOL: {
		int v = (a->b1[i >> 3] >> (i & 7)) & 1;
		return sl_buf_puts(b, json ? (v ? "true" : "false") : (v ? "1" : "0"));
	}
	case SL_AT_INT:
		w = (unsigned)f->bits / 8;
		return f->sign ? sl_colval_int(b, fixed_int(a, i, w)) : sl_colval_uint(b, sl_fb_le(a->b1 + (size_t)i * w, w));
	case SL_AT_DURATION:
		return sl_colval_int(b, fixed_int(a, i, 8));
	case SL_AT_FLOAT:
		if (f->bits == 0)
			rc = sl_colval_half(b, (uint16_t)sl_fb_le(a->b1 + (size_t)i * 2, 2));
		else if (f->bits == 1) {
			float v;
			memcpy(&v, a->b1 + (size_t)i * 4, 4);
			rc = sl_colval_float(b, v);
		} else {
			double v;
			memcpy(&v, a->b1 + (size_t)i * 8, 8);
			rc = sl_colval_double(b, v);
		}
		if (rc > 0 && json && (b->p[b->len - 1] == 'N' || b->p[b->len - 1] == 'y'))
			return quoted(b, 1, at);
		return rc;
	case SL_AT_DECIMAL:
		w = (unsigned)f->bits / 8;
		rc = sl_colval_decimal(b, a->b1 + (size_t)i * w, w, 1, f->scale);
		return rc < 0 ? bad(err, errlen, "a decimal out of range", i) : rc;
	case SL_AT_DATE: case SL_AT_TIME: case SL_AT_TIMESTAMP:
		rc = temporal(b, a, i, json);
		return rc < 0 ? bad(err, errlen, "a date or time out of range", i) : rc;
	case SL_AT_INTERVAL:
		return interval(b, a, i);
	default:
		return bytes(b, a, i, json, err, errlen);
	}
}

static int value_or_null(sl_buf *b, const sl_aarr *a, int64_t i, int depth, char *err, size_t errlen)
{
	int r = sl_arrowval_text(b, a, i, 1, depth, err, errlen);
	return r == 0 ? sl_buf_puts(b, "null") : r;
}

static int list(sl_buf *b, const sl_aarr *a, int64_t i, int depth, char *err, size_t errlen)
{
	const sl_afield *f = a->f;
	uint64_t s, e, k;

	if (f->type == SL_AT_FIXEDLIST) {
		s = (uint64_t)i * (uint64_t)f->width;
		e = s + (uint64_t)f->width;
	} else if (span(a, i, f->type == SL_AT_LARGELIST ? 8 : 4, (uint64_t)a->kids[0].len, &s, &e) < 0)
		return bad(err, errlen, "a list offset outside its values", i);
	if (sl_buf_putc(b, f->type == SL_AT_MAP ? '{' : '[') < 0)
		return -1;
	for (k = s; k < e; k++) {
		if (k > s && sl_buf_putc(b, ',') < 0)
			return -1;
		if (f->type == SL_AT_MAP) {
			const sl_aarr *ent = &a->kids[0];
			size_t at = b->len;
			int r = sl_arrowval_text(b, &ent->kids[0], (int64_t)k, 0, depth, err, errlen);
			if (r < 0 || (r == 0 && sl_buf_puts(b, "null") < 0))
				return -1;
			if (quoted(b, 1, at) < 0 || sl_buf_putc(b, ':') < 0 ||
			    value_or_null(b, &ent->kids[1], (int64_t)k, depth, err, errlen) < 0)
				return -1;
		} else if (value_or_null(b, &a->kids[0], (int64_t)k, depth, err, errlen) < 0)
			return -1;
	}
	return sl_buf_putc(b, f->type == SL_AT_MAP ? '}' : ']');
}

static int record(sl_buf *b, const sl_aarr *a, int64_t i, int depth, char *err, size_t errlen)
{
	size_t k;

	if (sl_buf_putc(b, '{') < 0)
		return -1;
	for (k = 0; k < a->f->nkids; k++)
		if ((k && sl_buf_putc(b, ',') < 0) ||
		    sl_colval_json_string(b, a->f->kids[k].name, strlen(a->f->kids[k].name)) < 0 ||
		    sl_buf_putc(b, ':') < 0 || value_or_null(b, &a->kids[k], i, depth, err, errlen) < 0)
			return -1;
	return sl_buf_putc(b, '}');
}

/* A union's value is its chosen child's. */
static int choice(sl_buf *b, const sl_aarr *a, int64_t i, int json, int depth, char *err, size_t errlen)
{
	int8_t id = (int8_t)a->b1[i];
	size_t k;
	int64_t at = i;

	for (k = 0; k < a->f->nkids; k++)
		if (a->f->ids[k] == id)
			break;
	if (k == a->f->nkids)
		return bad(err, errlen, "an unknown union type id", i);
	if (a->f->dense) {
		at = (int32_t)sl_fb_le(a->b2 + (size_t)i * 4, 4);
		if (at < 0 || at >= a->kids[k].len)
			return bad(err, errlen, "a union offset outside its child", i);
	}
	return sl_arrowval_text(b, &a->kids[k], at, json, depth, err, errlen);
}

int sl_arrowval_text(sl_buf *b, const sl_aarr *a, int64_t i, int json, int depth, char *err, size_t errlen)
{
	if (depth > MAX_DEPTH)
		return bad(err, errlen, "values nested too deep", i);
	if (is_null(a, i))
		return 0;
	if (a->dict) {
		int64_t k = a->f->isign ? fixed_int(a, i, (unsigned)a->f->ibits / 8)
		    : (int64_t)sl_fb_le(a->b1 + (size_t)i * (unsigned)(a->f->ibits / 8), (unsigned)a->f->ibits / 8);
		if (k < 0 || k >= a->dict->len)
			return bad(err, errlen, "a dictionary index outside the dictionary", i);
		return sl_arrowval_text(b, a->dict, k, json, depth + 1, err, errlen);
	}
	switch (a->f->type) {
	case SL_AT_LIST: case SL_AT_LARGELIST: case SL_AT_FIXEDLIST: case SL_AT_MAP:
		return list(b, a, i, depth + 1, err, errlen);
	case SL_AT_STRUCT:
		return record(b, a, i, depth + 1, err, errlen);
	case SL_AT_UNION:
		return choice(b, a, i, json, depth + 1, err, errlen);
	default:
		return scalar(b, a, i, json, err, errlen);
	}
}

int sl_arrowval_typed(const sl_afield *f)
{
	static const int sints[] = { SL_T_TINYINT, SL_T_SMALLINT, SL_T_INT, SL_T_BIGINT };
	if (f->dict)
		return 0;
	switch (f->type) {
	case SL_AT_INT:
		if (!f->sign || (f->bits != 8 && f->bits != 16 && f->bits != 32 && f->bits != 64))
			return 0;
		return sints[f->bits == 8 ? 0 : f->bits == 16 ? 1 : f->bits == 32 ? 2 : 3];
	case SL_AT_DECIMAL:
		return f->bits == 128 && f->prec >= 1 && f->prec <= 38 && f->scale >= 0 && f->scale <= f->prec
			? SL_T_DECIMAL : 0;
	case SL_AT_DATE:
		return SL_T_DATE;
	default:
		return 0;
	}
}

/* value i of a typed array (sl_arrowval_typed kind) as its field in d
 * (16 bytes of room): its length; -1 a date out of range */
static int typed(const sl_aarr *a, int64_t i, int kind, char *d)
{
	const uint8_t *p;
	uint64_t lo, hi;
	int64_t v;

	switch (kind) {
	case SL_T_DECIMAL:
		p = a->b1 + (size_t)i * 16;
		memcpy(&lo, p, 8);
		memcpy(&hi, p + 8, 8);
		hi = htobe64(le64toh(hi));
		lo = htobe64(le64toh(lo));
		memcpy(d, &hi, 8);
		memcpy(d + 8, &lo, 8);
		return 16;
	case SL_T_DATE:
		if (a->f->unit == 0)
			v = fixed_int(a, i, 4);
		else {
			v = fixed_int(a, i, 8);
			v = v / 86400000 - (v % 86400000 < 0);
		}
		if (v < SL_COLVAL_DAY_MIN || v > SL_COLVAL_DAY_MAX)
			return -1;
		sl_u32_pack(d, (uint32_t)v);
		return 4;
	default:
		break;
	}
	p = a->b1 + (size_t)i * (size_t)(a->f->bits / 8);
	switch (a->f->bits) {
	case 8:
		d[0] = (char)p[0];
		return 1;
	case 16:
		d[0] = (char)p[1];
		d[1] = (char)p[0];
		return 2;
	case 32:
		memcpy(&lo, p, 4);
		sl_u32_pack(d, (uint32_t)lo);
		return 4;
	default:
		memcpy(&lo, p, 8);
		lo = htobe64(le64toh(lo));
		memcpy(d, &lo, 8);
		return 8;
	}
}

/* Value i of a as a row's field (sl_arrowval_row): 1; 0 NULL; -1. */
static inline int field(sl_buf *b, const sl_aarr *a, int64_t i, int kind, sl_field *out, char *err, size_t errlen)
{
	int t = a->f->type, k;
	uint64_t s, e;

	b->len = 0;
	if (is_null(a, i))
		return 0;
	if (kind) {
		if (b->cap < 16 && sl_buf_reserve(b, 16) < 0)
			return -1;
		if ((k = typed(a, i, kind, b->p)) < 0)
			return bad(err, errlen, "a date or time out of range", i);
		*out = (sl_field){ b->p, (uint32_t)k };
		return 1;
	}
	if (!a->dict && (t == SL_AT_UTF8 || t == SL_AT_BINARY || t == SL_AT_LARGEUTF8 || t == SL_AT_LARGEBIN)) {
		if (span(a, i, t == SL_AT_LARGEBIN || t == SL_AT_LARGEUTF8 ? 8 : 4, a->n2, &s, &e) < 0)
			return bad(err, errlen, "an offset outside the data", i);
		*out = (sl_field){ (const char *)a->b2 + s, (uint32_t)(e - s) };
		return 1;
	}
	if ((k = sl_arrowval_text(b, a, i, 0, 0, err, errlen)) <= 0)
		return k;
	*out = (sl_field){ b->p ? b->p : "", (uint32_t)b->len };
	return 1;
}

int sl_arrowval_row(sl_buf *bufs, const sl_aarr *cols, const int *kinds, size_t n, int64_t i, sl_field *out,
	char *err, size_t errlen)
{
	for (size_t k = 0; k < n; k++) {
		int r = field(&bufs[k], &cols[k], i, kinds[k], &out[k], err, errlen);
		if (r < 0)
			return -1;
		if (r == 0)
			out[k] = (sl_field){ "", SL_NULL_LEN };
	}
	return 1;
}
