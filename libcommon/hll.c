/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hll.c -- Doris HLL sketches (hll.h): an explicit sorted set of up to 160
 * hashes, then 16384 registers; Doris's serialization, union and estimate.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "murmur.h"
#include "hll.h"

#define PRECISION 14
#define EXPLICIT_MAX 160
#define SPARSE_MAX 4096
#define RANK_MAX (64 - PRECISION + 1)
#define TAG_EMPTY 0
#define TAG_EXPLICIT 1
#define TAG_SPARSE 2
#define TAG_FULL 3

struct sl_hll {
	size_t nexp;
	uint64_t exp[EXPLICIT_MAX];     /* ascending; used while !reg */
	uint8_t *reg;                   /* SL_HLL_REGISTERS, once past explicit */
};

sl_hll *sl_hll_new(void)
{
	sl_hll *h = calloc(1, sizeof *h);
	if (!h) errno = ENOMEM;
	return h;
}

void sl_hll_free(sl_hll *h)
{
	if (!h) return;
	free(h->reg);
	free(h);
}

uint64_t sl_hll_hash(const void *p, size_t n)
{
	return sl_murmur64a(p, n, SL_MURMUR64A_SEED);
}

/* The low 14 bits pick the register; the rank is the position of the
 * first 1 bit above them (at most 51). */
static void reg_update(uint8_t *reg, uint64_t hash)
{
	size_t idx = (size_t)(hash % SL_HLL_REGISTERS);
	uint64_t w = (hash >> PRECISION) | (UINT64_C(1) << (64 - PRECISION));
	uint8_t rank = (uint8_t)(__builtin_ctzll(w) + 1);
	if (reg[idx] < rank) reg[idx] = rank;
}

static int go_registers(sl_hll *h)
{
	size_t i;
	if (!(h->reg = calloc(SL_HLL_REGISTERS, 1))) { errno = ENOMEM; return -1; }
	for (i = 0; i < h->nexp; i++) reg_update(h->reg, h->exp[i]);
	h->nexp = 0;
	return 1;
}

int sl_hll_add(sl_hll *h, uint64_t hash)
{
	size_t lo = 0, up = h->nexp;
	if (h->reg) { reg_update(h->reg, hash); return 1; }
	while (lo < up) {
		size_t mid = lo + (up - lo) / 2;
		if (h->exp[mid] < hash) lo = mid + 1;
		else up = mid;
	}
	if (lo < h->nexp && h->exp[lo] == hash) return 1;
	if (h->nexp == EXPLICIT_MAX) {
		if (go_registers(h) < 0) return -1;
		reg_update(h->reg, hash);
		return 1;
	}
	memmove(&h->exp[lo + 1], &h->exp[lo], (h->nexp - lo) * sizeof *h->exp);
	h->exp[lo] = hash;
	h->nexp++;
	return 1;
}

static uint16_t rd16(const char *p)
{
	return (uint16_t)((unsigned char)p[0] | (unsigned char)p[1] << 8);
}

static uint32_t rd32(const char *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(char *p, uint16_t v)
{
	p[0] = (char)(v & 0xff);
	p[1] = (char)(v >> 8);
}

static void wr64(char *p, uint64_t v)
{
	int i;
	for (i = 0; i < 8; i++) p[i] = (char)(v >> (8 * i));
}

static int bad(void)
{
	errno = EPROTO;
	return -1;
}

int sl_hll_or_enc(sl_hll *h, const char *p, size_t n)
{
	size_t i, k;
	if (n < 1) return bad();
	switch ((unsigned char)p[0]) {
	case TAG_EMPTY:
		return n == 1 ? 1 : bad();
	case TAG_EXPLICIT:
		if (n < 2 || n != 2 + 8 * (size_t)(unsigned char)p[1]) return bad();
		k = (unsigned char)p[1];
		for (i = 0; i < k; i++)
			if (sl_hll_add(h, rd64(p + 2 + 8 * i)) < 0) return -1;
		return 1;
	case TAG_SPARSE:
		if (n < 5) return bad();
		k = rd32(p + 1);
		if (k > SL_HLL_REGISTERS || n != 5 + 3 * k) return bad();
		for (i = 0; i < k; i++) {
			uint16_t idx = rd16(p + 5 + 3 * i);
			if (idx >= SL_HLL_REGISTERS || (unsigned char)p[7 + 3 * i] > RANK_MAX) return bad();
		}
		if (!h->reg && go_registers(h) < 0) return -1;
		for (i = 0; i < k; i++) {
			uint16_t idx = rd16(p + 5 + 3 * i);
			uint8_t v = (uint8_t)p[7 + 3 * i];
			if (h->reg[idx] < v) h->reg[idx] = v;
		}
		return 1;
	case TAG_FULL:
		if (n != 1 + SL_HLL_REGISTERS) return bad();
		for (i = 0; i < SL_HLL_REGISTERS; i++)
			if ((unsigned char)p[1 + i] > RANK_MAX) return bad();
		if (!h->reg && go_registers(h) < 0) return -1;
		for (i = 0; i < SL_HLL_REGISTERS; i++)
			if (h->reg[i] < (uint8_t)p[1 + i]) h->reg[i] = (uint8_t)p[1 + i];
		return 1;
	default:
		return bad();
	}
}

/* Doris's arithmetic, float where Doris uses float, so that the same
 * registers give the same number. */
int64_t sl_hll_estimate(const sl_hll *h)
{
	const int m = SL_HLL_REGISTERS;
	float alpha = 0.7213F / (1 + 1.079F / m), sum = 0;
	double est;
	int zeros = 0, i;

	if (!h->reg) return (int64_t)h->nexp;
	for (i = 0; i < m; i++) {
		sum += powf(2.0F, -(float)h->reg[i]);
		if (!h->reg[i]) zeros++;
	}
	est = alpha * m * m * (1.0F / sum);
	if (est <= m * 2.5 && zeros) {
		est = m * log((float)m / zeros);
	} else if (est < 72000) {
		double bias = 5.9119e-18 * (est * est * est * est) - 1.4253e-12 * (est * est * est)
		            + 1.2940e-7 * (est * est) - 5.2921e-3 * est + 83.3216;
		est -= est * (bias / 100);
	}
	return (int64_t)(est + 0.5);
}

int sl_hll_encode(const sl_hll *h, sl_buf *out)
{
	size_t i, nz = 0;
	char *p;
	if (!h->reg) {
		if (!h->nexp) return sl_hll_enc_empty(out);
		if (sl_buf_reserve(out, 2 + 8 * h->nexp) < 0) return -1;
		p = out->p + out->len;
		p[0] = TAG_EXPLICIT;
		p[1] = (char)h->nexp;
		for (i = 0; i < h->nexp; i++) wr64(p + 2 + 8 * i, h->exp[i]);
		out->len += 2 + 8 * h->nexp;
		return 1;
	}
	for (i = 0; i < SL_HLL_REGISTERS; i++) nz += h->reg[i] != 0;
	if (nz > SPARSE_MAX) {
		if (sl_buf_reserve(out, 1 + SL_HLL_REGISTERS) < 0) return -1;
		out->p[out->len] = TAG_FULL;
		memcpy(out->p + out->len + 1, h->reg, SL_HLL_REGISTERS);
		out->len += 1 + SL_HLL_REGISTERS;
		return 1;
	}
	if (sl_buf_reserve(out, 5 + 3 * nz) < 0) return -1;
	p = out->p + out->len;
	p[0] = TAG_SPARSE;
	wr16(p + 1, (uint16_t)nz);
	wr16(p + 3, 0);
	p += 5;
	for (i = 0; i < SL_HLL_REGISTERS; i++) {
		if (!h->reg[i]) continue;
		wr16(p, (uint16_t)i);
		p[2] = (char)h->reg[i];
		p += 3;
	}
	out->len += 5 + 3 * nz;
	return 1;
}

int sl_hll_union(const char *a, size_t an, const char *b, size_t bn, sl_buf *out)
{
	sl_hll *h = sl_hll_new();
	int r = h ? sl_hll_or_enc(h, a, an) : -1;
	if (r > 0) r = sl_hll_or_enc(h, b, bn);
	if (r > 0) r = sl_hll_encode(h, out);
	sl_hll_free(h);
	return r;
}

int sl_hll_enc_empty(sl_buf *out)
{
	return sl_buf_putc(out, TAG_EMPTY) < 0 ? -1 : 1;
}

int sl_hll_enc_hash(const void *p, size_t n, sl_buf *out)
{
	char e[10];
	e[0] = TAG_EXPLICIT;
	e[1] = 1;
	wr64(e + 2, sl_hll_hash(p, n));
	return sl_buf_put(out, e, sizeof e) < 0 ? -1 : 1;
}

int sl_hll_enc_estimate(const char *p, size_t n, int64_t *est)
{
	sl_hll *h = sl_hll_new();
	int r = h ? sl_hll_or_enc(h, p, n) : -1;
	*est = 0;
	if (r > 0) *est = sl_hll_estimate(h);
	sl_hll_free(h);
	return r;
}
