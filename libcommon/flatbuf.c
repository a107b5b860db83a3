/* SPDX-License-Identifier: Apache-2.0 */
/* flatbuf.c -- FlatBuffers tables read by hand with every offset checked. */
#include <endian.h>
#include <string.h>

#include "flatbuf.h"

uint64_t sl_fb_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	uint32_t v32;
	uint16_t v16;
	unsigned i;
	/* the widths of offsets and values in one load each (read per value) */
	switch (width) {
	case 2: memcpy(&v16, p, 2); return le16toh(v16);
	case 4: memcpy(&v32, p, 4); return le32toh(v32);
	case 8: memcpy(&v, p, 8); return le64toh(v);
	default: break;
	}
	for (i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int fail(int *bad)
{
	*bad = 1;
	return 0;
}

/* The table at pos: its vtable found and checked. */
static int table_at(sl_fb *t, const uint8_t *buf, size_t len, size_t pos, int *bad)
{
	int64_t vt;
	size_t vtlen;

	memset(t, 0, sizeof *t);
	t->bad = bad;
	if (pos > len || len - pos < 4)
		return fail(bad);
	vt = (int64_t)pos - (int32_t)(uint32_t)sl_fb_le(buf + pos, 4);
	if (vt < 0 || (uint64_t)vt > len - 4 || vt % 2)
		return fail(bad);
	vtlen = (size_t)sl_fb_le(buf + vt, 2);
	if (vtlen < 4 || vtlen % 2 || vtlen > len - (size_t)vt)
		return fail(bad);
	if (sl_fb_le(buf + vt + 2, 2) > len - pos)
		return fail(bad);
	t->buf = buf;
	t->len = len;
	t->pos = pos;
	t->vt = (size_t)vt;
	t->vtlen = vtlen;
	return 1;
}

int sl_fb_root(sl_fb *t, const uint8_t *buf, size_t len, int *bad)
{
	if (len < 4)
		return fail(bad);
	return table_at(t, buf, len, (size_t)sl_fb_le(buf, 4), bad);
}

/* The position of field id of width bytes, 0 when absent. */
static size_t field(const sl_fb *t, unsigned id, unsigned width)
{
	size_t o, tsize;

	if (!t->buf || 4 + 2 * (size_t)id + 2 > t->vtlen)
		return 0;
	o = (size_t)sl_fb_le(t->buf + t->vt + 4 + 2 * id, 2);
	tsize = (size_t)sl_fb_le(t->buf + t->vt + 2, 2);
	if (!o)
		return 0;
	if (o + width > tsize) {
		*t->bad = 1;
		return 0;
	}
	return t->pos + o;
}

int64_t sl_fb_int(const sl_fb *t, unsigned id, unsigned width, int64_t dflt)
{
	size_t p = field(t, id, width);
	uint64_t v;
	if (!p)
		return dflt;
	v = sl_fb_le(t->buf + p, width);
	if (width < 8 && (v >> (8 * width - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * width);
	return (int64_t)v;
}

uint64_t sl_fb_uint(const sl_fb *t, unsigned id, unsigned width, uint64_t dflt)
{
	size_t p = field(t, id, width);
	return p ? sl_fb_le(t->buf + p, width) : dflt;
}

/* The target of the offset field id, 0 when absent or out of range. */
static size_t target(const sl_fb *t, unsigned id)
{
	size_t p = field(t, id, 4);
	uint64_t to;
	if (!p)
		return 0;
	to = (uint64_t)p + sl_fb_le(t->buf + p, 4);
	if (to > t->len - 4) {
		*t->bad = 1;
		return 0;
	}
	return (size_t)to;
}

int sl_fb_table(const sl_fb *t, unsigned id, sl_fb *out)
{
	size_t p = target(t, id);
	memset(out, 0, sizeof *out);
	out->bad = t->bad;
	return p ? table_at(out, t->buf, t->len, p, t->bad) : 0;
}

const char *sl_fb_string(const sl_fb *t, unsigned id, uint32_t *n)
{
	size_t p = target(t, id);
	uint32_t len;
	if (!p)
		return 0;
	len = (uint32_t)sl_fb_le(t->buf + p, 4);
	if (len > t->len - p - 4) {
		*t->bad = 1;
		return 0;
	}
	*n = len;
	return (const char *)t->buf + p + 4;
}

int sl_fb_vector(const sl_fb *t, unsigned id, size_t elem, sl_fbvec *v)
{
	size_t p = target(t, id);
	uint32_t n;
	memset(v, 0, sizeof *v);
	if (!p)
		return 0;
	n = (uint32_t)sl_fb_le(t->buf + p, 4);
	if (elem && n > (t->len - p - 4) / elem) {
		*t->bad = 1;
		return 0;
	}
	v->buf = t->buf;
	v->len = t->len;
	v->pos = p + 4;
	v->n = n;
	return 1;
}

int sl_fb_vec_table(const sl_fb *t, const sl_fbvec *v, uint32_t i, sl_fb *out)
{
	size_t p;
	uint64_t to;
	memset(out, 0, sizeof *out);
	out->bad = t->bad;
	if (i >= v->n)
		return 0;
	p = v->pos + 4 * (size_t)i;
	to = (uint64_t)p + sl_fb_le(v->buf + p, 4);
	if (to > v->len - 4) {
		*t->bad = 1;
		return 0;
	}
	return table_at(out, v->buf, v->len, (size_t)to, t->bad);
}
