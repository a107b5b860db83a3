/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flatbuf.h -- reading FlatBuffers tables (the Arrow IPC metadata) by
 * hand, every offset checked against the buffer: a table, its fields by
 * index (scalars with defaults, strings, vectors, subtables). A field
 * whose offset leads outside the buffer reads as absent and sets the
 * table's bad flag, so a damaged message is refused, never read beyond.
 */
#ifndef SL_FLATBUF_H
#define SL_FLATBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_fb {
	const uint8_t *buf;
	size_t len;
	size_t pos;             /* the table's start */
	size_t vt, vtlen;       /* its vtable and the vtable's size */
	int *bad;               /* set to 1 on any out-of-range offset */
} sl_fb;

/* A vector: n elements starting at pos. */
typedef struct sl_fbvec {
	const uint8_t *buf;
	size_t len, pos;
	uint32_t n;
} sl_fbvec;

/* The root table of buf[0..len): 1, or 0 (*bad set). */
int sl_fb_root(sl_fb *t, const uint8_t *buf, size_t len, int *bad);
/* Field id's scalars (little-endian), dflt when absent. */
int64_t sl_fb_int(const sl_fb *t, unsigned id, unsigned width, int64_t dflt);
uint64_t sl_fb_uint(const sl_fb *t, unsigned id, unsigned width, uint64_t dflt);
/* Field id as a subtable (also a union's value): 1, 0 absent. */
int sl_fb_table(const sl_fb *t, unsigned id, sl_fb *out);
/* Field id as a string: its bytes (not NUL-terminated) and length, NULL absent. */
const char *sl_fb_string(const sl_fb *t, unsigned id, uint32_t *n);
/* Field id as a vector of elements of elem bytes (structs or scalars;
 * 4 for tables and strings): 1, 0 absent (v->n 0). */
int sl_fb_vector(const sl_fb *t, unsigned id, size_t elem, sl_fbvec *v);
/* Element i of a vector of tables. 1, 0 out of range. */
int sl_fb_vec_table(const sl_fb *t, const sl_fbvec *v, uint32_t i, sl_fb *out);
/* A little-endian integer of width bytes at p. */
uint64_t sl_fb_le(const uint8_t *p, unsigned width);

#endif
