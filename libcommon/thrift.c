/* SPDX-License-Identifier: Apache-2.0 */
/* thrift.c -- the Thrift compact protocol, read within bounds (thrift.h). */
#include <string.h>
#include "thrift.h"

void sl_thrift_init(sl_thrift *t, const void *p, size_t n)
{
	t->p = p;
	t->end = t->p + n;
	t->depth = 0;
	t->bad = 0;
}

uint64_t sl_thrift_varint(sl_thrift *t)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (t->bad || t->p >= t->end) {
			t->bad = 1;
			return 0;
		}
		uint8_t c = *t->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	t->bad = 1;
	return 0;
}

int64_t sl_thrift_int(sl_thrift *t)
{
	uint64_t u = sl_thrift_varint(t);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

int sl_thrift_byte(sl_thrift *t)
{
	if (t->bad || t->p >= t->end) {
		t->bad = 1;
		return 0;
	}
	return (int8_t)*t->p++;
}

double sl_thrift_double(sl_thrift *t)
{
	double d = 0;
	if (t->bad || t->end - t->p < 8) {
		t->bad = 1;
		return 0;
	}
	memcpy(&d, t->p, 8);
	t->p += 8;
	return d;
}

void sl_thrift_binary(sl_thrift *t, const uint8_t **p, uint32_t *n)
{
	uint64_t len = sl_thrift_varint(t);
	*p = t->p;
	*n = 0;
	if (t->bad || len > (uint64_t)(t->end - t->p)) {
		t->bad = 1;
		return;
	}
	*n = (uint32_t)len;
	t->p += len;
}

void sl_thrift_list(sl_thrift *t, int *etype, uint32_t *n)
{
	int h = sl_thrift_byte(t) & 0xff;
	uint64_t cnt = (uint64_t)h >> 4;
	*etype = h & 0x0f;
	if (cnt == 15)
		cnt = sl_thrift_varint(t);
	*n = 0;
	if (t->bad || cnt > (uint64_t)(t->end - t->p)) {
		t->bad = 1;
		return;
	}
	*n = (uint32_t)cnt;
}

int sl_thrift_bool(sl_thrift *t, int type)
{
	if (type == SL_THRIFT_TRUE)
		return 1;
	if (type == SL_THRIFT_FALSE)
		return 0;
	return sl_thrift_byte(t) == 1;   /* a list element */
}

void sl_thrift_enter(sl_thrift *t)
{
	if (++t->depth > SL_THRIFT_MAX_DEPTH)
		t->bad = 1;
}

void sl_thrift_leave(sl_thrift *t)
{
	t->depth--;
}

int sl_thrift_field(sl_thrift *t, int *last, int *type)
{
	int h = sl_thrift_byte(t) & 0xff;
	if (t->bad)
		return -1;
	*type = h & 0x0f;
	if (*type == SL_THRIFT_STOP)
		return 0;
	int delta = h >> 4;
	int id = delta ? *last + delta : (int)sl_thrift_int(t);
	if (t->bad || id <= 0 || id > 32767) {
		t->bad = 1;
		return -1;
	}
	*last = id;
	return id;
}

static void skip_n(sl_thrift *t, uint64_t n)
{
	if (n > (uint64_t)(t->end - t->p))
		t->bad = 1;
	else
		t->p += n;
}

void sl_thrift_skip(sl_thrift *t, int type)
{
	if (t->bad)
		return;
	switch (type) {
	case SL_THRIFT_TRUE: case SL_THRIFT_FALSE:
		return;
	case SL_THRIFT_BYTE:
		skip_n(t, 1);
		return;
	case SL_THRIFT_I16: case SL_THRIFT_I32: case SL_THRIFT_I64:
		sl_thrift_varint(t);
		return;
	case SL_THRIFT_DOUBLE:
		skip_n(t, 8);
		return;
	case SL_THRIFT_BINARY:
		skip_n(t, sl_thrift_varint(t));
		return;
	case SL_THRIFT_LIST: case SL_THRIFT_SET: {
		int et;
		uint32_t n;
		sl_thrift_list(t, &et, &n);
		sl_thrift_enter(t);
		for (uint32_t i = 0; i < n && !t->bad; i++)
			sl_thrift_skip(t, et == SL_THRIFT_TRUE || et == SL_THRIFT_FALSE ? SL_THRIFT_BYTE : et);
		sl_thrift_leave(t);
		return;
	}
	case SL_THRIFT_MAP: {
		uint64_t n = sl_thrift_varint(t);
		if (n == 0)
			return;
		int kv = sl_thrift_byte(t) & 0xff;
		if (n > (uint64_t)(t->end - t->p)) {
			t->bad = 1;
			return;
		}
		sl_thrift_enter(t);
		for (uint64_t i = 0; i < n && !t->bad; i++) {
			int k = kv >> 4, v = kv & 15;
			sl_thrift_skip(t, k == SL_THRIFT_TRUE || k == SL_THRIFT_FALSE ? SL_THRIFT_BYTE : k);
			sl_thrift_skip(t, v == SL_THRIFT_TRUE || v == SL_THRIFT_FALSE ? SL_THRIFT_BYTE : v);
		}
		sl_thrift_leave(t);
		return;
	}
	case SL_THRIFT_STRUCT: {
		int last = 0, ft;
		sl_thrift_enter(t);
		while (!t->bad && sl_thrift_field(t, &last, &ft) > 0)
			sl_thrift_skip(t, ft);
		sl_thrift_leave(t);
		return;
	}
	default:
		t->bad = 1;
	}
}
