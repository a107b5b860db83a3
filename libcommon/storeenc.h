/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storeenc.h -- the binary encoding of the store's files (man/sl-store.5):
 * big-endian u32 and u64, and str = len:u32 + bytes, appended to a buffer
 * or read with a bounds-checked cursor; the CRC-32 they carry. The log
 * records (logrec.h), the checkpoint (ckpt.h) and the rowset files
 * (rowset.h) are all written in it. Inline: the folds of the log and of
 * the checkpoint call these once a field.
 */
#ifndef SL_STOREENC_H
#define SL_STOREENC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "sl.h"
#include "io.h"
#include "frame.h"

/* A read position in an encoded buffer: p, n bytes left; bad once a read
 * ran past the end (then every read returns 0 or an empty str). */
typedef struct sl_storeenc_cur { const char *p; size_t n; int bad; } sl_storeenc_cur;

static inline uint64_t sl_storeenc_u64(sl_storeenc_cur *c)
{
	uint64_t v;
	if (c->n < 8) {
		c->bad = 1;
		return 0;
	}
	v = sl_u64_unpack(c->p);
	c->p += 8;
	c->n -= 8;
	return v;
}

static inline uint32_t sl_storeenc_u32(sl_storeenc_cur *c)
{
	uint32_t v;
	if (c->n < 4) {
		c->bad = 1;
		return 0;
	}
	v = sl_u32_unpack(c->p);
	c->p += 4;
	c->n -= 4;
	return v;
}

/* A str of at most max bytes (longer: bad). */
static inline sl_field sl_storeenc_str(sl_storeenc_cur *c, size_t max)
{
	sl_field f = { "", 0 };
	uint32_t n = sl_storeenc_u32(c);
	if (c->bad || n > c->n || n > max) {
		c->bad = 1;
		return f;
	}
	f.p = c->p;
	f.n = n;
	c->p += n;
	c->n -= n;
	return f;
}

/* Appenders: 1, -1 ENOMEM. */
static inline int sl_storeenc_put_u32(sl_buf *b, uint32_t v)
{
	char x[4];
	sl_u32_pack(x, v);
	return sl_buf_put(b, x, 4);
}

static inline int sl_storeenc_put_u64(sl_buf *b, uint64_t v)
{
	char x[8];
	sl_u64_pack(x, v);
	return sl_buf_put(b, x, 8);
}

static inline int sl_storeenc_put_str(sl_buf *b, const char *p, size_t n)
{
	if (sl_storeenc_put_u32(b, (uint32_t)n) < 0)
		return -1;
	return sl_buf_put(b, p, n);
}

/* The CRC-32 (zlib) of n bytes. */
static inline uint32_t sl_storeenc_crc(const void *p, size_t n)
{
	return (uint32_t)crc32(0, (const Bytef *)p, (uInt)n);
}

/* Copy a field into dst (cap bytes), cut to fit, NUL-terminated. */
static inline void sl_storeenc_fcopy(char *dst, size_t cap, sl_field f)
{
	size_t n = f.n < cap - 1 ? f.n : cap - 1;
	memcpy(dst, f.p, n);
	dst[n] = 0;
}

#endif
