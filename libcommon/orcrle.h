/* SPDX-License-Identifier: Apache-2.0 */
/*
 * orcrle.h -- the run-length and bit-level encodings of ORC streams: byte
 * RLE, booleans, integer RLE v1 and v2 (short repeat, direct, patched base,
 * delta), varints and zigzag, over one decompressed stream in memory. Every
 * count and width is checked against the stream: a short or lying stream is
 * -1, never a read past its end.
 */
#ifndef SL_ORCRLE_H
#define SL_ORCRLE_H

#include <stddef.h>
#include <stdint.h>

/* A decompressed stream: p[0..n), read from pos. */
typedef struct sl_orcrle_bytes {
	const uint8_t *p;
	size_t n, pos;
} sl_orcrle_bytes;

/* Byte RLE (BYTE columns, union tags, under booleans). */
typedef struct sl_orcrle_byte {
	sl_orcrle_bytes s;
	uint8_t buf[130];
	size_t n, i;
} sl_orcrle_byte;

/* Booleans: byte RLE, eight values a byte, most significant bit first. */
typedef struct sl_orcrle_bool {
	sl_orcrle_byte b;
	uint8_t cur;
	int left;               /* bits of cur not yet read */
} sl_orcrle_bool;

/* Integer RLE v1 (v2 == 0) or v2, signed (zigzag) or not. */
typedef struct sl_orcrle_int {
	sl_orcrle_bytes s;
	int v2, sign;
	int64_t buf[512];
	size_t n, i;
} sl_orcrle_int;

void sl_orcrle_byte_init(sl_orcrle_byte *d, const uint8_t *p, size_t n);
void sl_orcrle_bool_init(sl_orcrle_bool *d, const uint8_t *p, size_t n);
void sl_orcrle_int_init(sl_orcrle_int *d, const uint8_t *p, size_t n, int v2, int sign);
/* The next value: 1; -1 the stream ends or lies (EINVAL). */
int sl_orcrle_byte_next(sl_orcrle_byte *d, uint8_t *v);
int sl_orcrle_bool_next(sl_orcrle_bool *d, int *v);
int sl_orcrle_int_next(sl_orcrle_int *d, int64_t *v);
/* A base-128 varint of up to 64 bits (sl_orcrle_varint) or 128 bits
 * (decimals); zigzag is applied by the caller. 1 or -1. */
int sl_orcrle_varint(sl_orcrle_bytes *s, uint64_t *v);
int sl_orcrle_varint128(sl_orcrle_bytes *s, unsigned __int128 *v);

#endif
