/* SPDX-License-Identifier: Apache-2.0 */
/* parquetenc.c -- the RLE / bit-packed hybrid and DELTA_BINARY_PACKED (parquetenc.h). */
#include <endian.h>
#include <string.h>
#include "parquetenc.h"

static int uvarint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return -1;
}

static int zvarint(const uint8_t **p, const uint8_t *end, int64_t *v)
{
	uint64_t u;
	if (uvarint(p, end, &u) < 0)
		return -1;
	*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

/* value i of a bit-packed run of bitw-bit values, LSB first, the run
 * nb bytes long: eight bytes read at once (little-endian) where they lie
 * inside the run and the value fits the word after its shift (bitw <=
 * 56), else bit by bit */
static __attribute__((noinline)) uint64_t unpack_bits(const uint8_t *p, uint64_t bit, int bitw)
{
	uint64_t v = 0;
	for (int k = 0; k < bitw; k++, bit++)
		v |= (uint64_t)((p[bit >> 3] >> (bit & 7)) & 1) << k;
	return v;
}

static inline uint64_t unpack(const uint8_t *p, size_t nb, size_t i, int bitw)
{
	uint64_t bit = (uint64_t)i * (uint64_t)bitw, v;
	if (bitw <= 56 && (bit >> 3) + 8 <= nb) {
		memcpy(&v, p + (bit >> 3), 8);
		v = le64toh(v);
		return (v >> (bit & 7)) & (((uint64_t)1 << bitw) - 1);
	}
	return unpack_bits(p, bit, bitw);
}

int sl_parquetenc_rle(const uint8_t *p, size_t n, int bitw, uint32_t *out, size_t count)
{
	const uint8_t *end = p + n;
	size_t got = 0;
	if (bitw < 0 || bitw > 32)
		return -1;
	/* bit width 0 (a dictionary of one entry) stores no value bits, but
	 * its runs must still cover the count: the loop checks them */
	while (got < count) {
		uint64_t h;
		if (uvarint(&p, end, &h) < 0)
			return -1;
		if (h & 1) {
			uint64_t groups = h >> 1, nb = groups * (uint64_t)bitw;
			if (groups == 0 || (bitw && (groups > (uint64_t)(end - p) || nb > (uint64_t)(end - p))))
				return -1;
			size_t nv = (size_t)groups * 8;
			for (size_t i = 0; i < nv && got < count; i++)
				out[got++] = (uint32_t)unpack(p, (size_t)nb, i, bitw);
			p += nb;
		} else {
			uint64_t run = h >> 1;
			int nbytes = (bitw + 7) / 8;
			uint32_t v = 0;
			if (run == 0 || (size_t)(end - p) < (size_t)nbytes)
				return -1;
			for (int k = 0; k < nbytes; k++)
				v |= (uint32_t)p[k] << (8 * k);
			p += nbytes;
			if (bitw < 32 && v >> bitw)
				return -1;
			for (uint64_t i = 0; i < run && got < count; i++)
				out[got++] = v;
		}
	}
	return 0;
}

int sl_parquetenc_rle_one(const uint8_t *p, size_t n, int bitw, size_t count, uint32_t *v)
{
	const uint8_t *end = p + n;
	uint64_t h;
	int nbytes = (bitw + 7) / 8;
	if (bitw < 0 || bitw > 32 || count == 0 || uvarint(&p, end, &h) < 0 || (h & 1) || (h >> 1) < count
			|| (size_t)(end - p) < (size_t)nbytes)
		return 0;
	*v = 0;
	for (int k = 0; k < nbytes; k++)
		*v |= (uint32_t)p[k] << (8 * k);
	return bitw == 32 || !(*v >> bitw);
}

struct dhead { uint64_t block, mini, total; int64_t first; };

static int delta_head(const uint8_t **p, const uint8_t *end, struct dhead *h)
{
	if (uvarint(p, end, &h->block) < 0 || uvarint(p, end, &h->mini) < 0
			|| uvarint(p, end, &h->total) < 0 || zvarint(p, end, &h->first) < 0)
		return -1;
	if (h->block == 0 || h->block % 128 || h->block > 65536 || h->mini == 0
			|| h->block % h->mini || (h->block / h->mini) % 32)
		return -1;
	return 0;
}

int64_t sl_parquetenc_delta_count(const uint8_t *p, size_t n)
{
	struct dhead h;
	if (delta_head(&p, p + n, &h) < 0 || h.total > ((uint64_t)1 << 40))
		return -1;
	return (int64_t)h.total;
}

int sl_parquetenc_delta(const uint8_t *p, size_t n, int64_t *out, size_t count, size_t *used)
{
	const uint8_t *start = p, *end = p + n;
	struct dhead h;
	if (delta_head(&p, end, &h) < 0 || h.total != count)
		return -1;
	size_t got = 0;
	uint64_t per_mini = h.block / h.mini;
	uint64_t v = (uint64_t)h.first;
	if (count)
		out[got++] = h.first;
	while (got < count) {
		int64_t mind;
		if (zvarint(&p, end, &mind) < 0 || (uint64_t)(end - p) < h.mini)
			return -1;
		const uint8_t *widths = p;
		p += h.mini;
		for (uint64_t m = 0; m < h.mini && got < count; m++) {
			int bw = widths[m];
			uint64_t nb = per_mini * (uint64_t)bw / 8;
			if (bw > 64 || nb > (uint64_t)(end - p))
				return -1;
			for (uint64_t i = 0; i < per_mini && got < count; i++) {
				v += (uint64_t)mind + unpack(p, (size_t)nb, (size_t)i, bw);
				out[got++] = (int64_t)v;
			}
			p += nb;
		}
	}
	*used = (size_t)(p - start);
	return 0;
}
