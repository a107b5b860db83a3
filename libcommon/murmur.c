/* SPDX-License-Identifier: Apache-2.0 */
/*
 * murmur.c -- MurmurHash3 x86 32-bit and MurmurHash2 64A (murmur.h), the
 * public-domain algorithms of Austin Appleby, as Doris computes them
 * (lengths taken as 32-bit, blocks read little-endian).
 */
#include "murmur.h"

static uint32_t rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

uint32_t sl_murmur3_32(const void *key, size_t n, uint32_t seed)
{
	const unsigned char *p = key;
	const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
	uint32_t h = seed, k;
	size_t i, nblocks = n / 4;

	for (i = 0; i < nblocks; i++) {
		k = le32(p + 4 * i) * c1;
		k = rotl32(k, 15) * c2;
		h ^= k;
		h = rotl32(h, 13) * 5 + 0xe6546b64;
	}
	p += 4 * nblocks;
	k = 0;
	switch (n & 3) {
	case 3: k ^= (uint32_t)p[2] << 16; /* fall through */
	case 2: k ^= (uint32_t)p[1] << 8;  /* fall through */
	case 1:
		k ^= p[0];
		k = rotl32(k * c1, 15) * c2;
		h ^= k;
	}
	h ^= (uint32_t)n;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

uint64_t sl_murmur64a(const void *key, size_t n, uint64_t seed)
{
	const uint64_t m = UINT64_C(0xc6a4a7935bd1e995);
	const int r = 47;
	const unsigned char *p = key;
	uint64_t h = seed ^ ((uint64_t)(uint32_t)n * m), k;
	size_t i, nblocks = n / 8;

	for (i = 0; i < nblocks; i++) {
		k = le64(p + 8 * i) * m;
		k ^= k >> r;
		k *= m;
		h ^= k;
		h *= m;
	}
	p += 8 * nblocks;
	switch (n & 7) {
	case 7: h ^= (uint64_t)p[6] << 48; /* fall through */
	case 6: h ^= (uint64_t)p[5] << 40; /* fall through */
	case 5: h ^= (uint64_t)p[4] << 32; /* fall through */
	case 4: h ^= (uint64_t)p[3] << 24; /* fall through */
	case 3: h ^= (uint64_t)p[2] << 16; /* fall through */
	case 2: h ^= (uint64_t)p[1] << 8;  /* fall through */
	case 1:
		h ^= p[0];
		h *= m;
	}
	h ^= h >> r;
	h *= m;
	h ^= h >> r;
	return h;
}
