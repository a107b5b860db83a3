/* SPDX-License-Identifier: Apache-2.0 */
/* orcrle.c -- ORC's run-length and bit-level encodings (see orcrle.h). */
#include "orcrle.h"

#include <errno.h>
#include <string.h>

static int fail(void)
{
	errno = EINVAL;
	return -1;
}

static int get(sl_orcrle_bytes *s, uint8_t *c)
{
	if (s->pos >= s->n)
		return fail();
	*c = s->p[s->pos++];
	return 1;
}

int sl_orcrle_varint(sl_orcrle_bytes *s, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned sh = 0; sh < 64; sh += 7) {
		uint8_t c;
		if (get(s, &c) < 0)
			return -1;
		r |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80)) {
			*v = r;
			return 1;
		}
	}
	return fail();
}

int sl_orcrle_varint128(sl_orcrle_bytes *s, unsigned __int128 *v)
{
	unsigned __int128 r = 0;
	for (unsigned sh = 0; sh < 128; sh += 7) {
		uint8_t c;
		if (get(s, &c) < 0)
			return -1;
		r |= (unsigned __int128)(c & 0x7f) << sh;
		if (!(c & 0x80)) {
			*v = r;
			return 1;
		}
	}
	return fail();
}

static int64_t unzig(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

void sl_orcrle_byte_init(sl_orcrle_byte *d, const uint8_t *p, size_t n)
{
	d->s.p = p;
	d->s.n = n;
	d->s.pos = 0;
	d->n = d->i = 0;
}

int sl_orcrle_byte_next(sl_orcrle_byte *d, uint8_t *v)
{
	if (d->i == d->n) {
		uint8_t c;
		if (get(&d->s, &c) < 0)
			return -1;
		if (c < 128) {
			uint8_t x;
			if (get(&d->s, &x) < 0)
				return -1;
			d->n = (size_t)c + 3;
			memset(d->buf, x, d->n);
		} else {
			d->n = 256 - (size_t)c;
			if (d->s.n - d->s.pos < d->n)
				return fail();
			memcpy(d->buf, d->s.p + d->s.pos, d->n);
			d->s.pos += d->n;
		}
		d->i = 0;
	}
	*v = d->buf[d->i++];
	return 1;
}

void sl_orcrle_bool_init(sl_orcrle_bool *d, const uint8_t *p, size_t n)
{
	sl_orcrle_byte_init(&d->b, p, n);
	d->left = 0;
}

int sl_orcrle_bool_next(sl_orcrle_bool *d, int *v)
{
	if (d->left == 0) {
		if (sl_orcrle_byte_next(&d->b, &d->cur) < 0)
			return -1;
		d->left = 8;
	}
	d->left--;
	*v = (d->cur >> d->left) & 1;
	return 1;
}

void sl_orcrle_int_init(sl_orcrle_int *d, const uint8_t *p, size_t n, int v2, int sign)
{
	d->s.p = p;
	d->s.n = n;
	d->s.pos = 0;
	d->v2 = v2;
	d->sign = sign;
	d->n = d->i = 0;
}

static int readv(sl_orcrle_int *d, int64_t *v)
{
	uint64_t u;
	if (sl_orcrle_varint(&d->s, &u) < 0)
		return -1;
	*v = d->sign ? unzig(u) : (int64_t)u;
	return 1;
}

static int v1_run(sl_orcrle_int *d)
{
	uint8_t c;
	if (get(&d->s, &c) < 0)
		return -1;
	if (c < 128) {
		uint8_t delta;
		int64_t base;
		if (get(&d->s, &delta) < 0 || readv(d, &base) < 0)
			return -1;
		d->n = (size_t)c + 3;
		for (size_t k = 0; k < d->n; k++)
			d->buf[k] = (int64_t)((uint64_t)base + (uint64_t)k * (uint64_t)(int64_t)(int8_t)delta);
		return 1;
	}
	d->n = 256 - (size_t)c;
	for (size_t k = 0; k < d->n; k++)
		if (readv(d, &d->buf[k]) < 0)
			return -1;
	return 1;
}

/* the bit width of a 5-bit width code */
static unsigned width_of(unsigned code)
{
	static const unsigned big[] = { 26, 28, 30, 32, 40, 48, 56, 64 };
	return code < 24 ? code + 1 : big[code - 24];
}

/* the widths the patch list is packed with */
static unsigned closest_fixed(unsigned n)
{
	static const unsigned w[] = { 26, 28, 30, 32, 40, 48, 56, 64 };
	if (n == 0)
		return 1;
	if (n <= 24)
		return n;
	for (size_t k = 0; k < sizeof w / sizeof w[0]; k++)
		if (n <= w[k])
			return w[k];
	return 64;
}

/* n values of w bits, most significant first, from a byte boundary */
static int unpack(sl_orcrle_bytes *s, unsigned w, size_t n, uint64_t *out)
{
	uint64_t bits = (uint64_t)w * n;
	if (bits / 8 + (bits % 8 != 0) > s->n - s->pos)
		return fail();
	const uint8_t *p = s->p + s->pos;
	uint64_t at = 0;
	for (size_t k = 0; k < n; k++) {
		uint64_t v = 0;
		for (unsigned left = w; left > 0;) {
			unsigned have = 8 - (unsigned)(at % 8);
			unsigned take = have < left ? have : left;
			unsigned c = p[at / 8];
			c = (c >> (have - take)) & ((1u << take) - 1);
			v = (take == 64 ? 0 : v << take) | c;
			left -= take;
			at += take;
		}
		out[k] = v;
	}
	s->pos += (size_t)(bits / 8 + (bits % 8 != 0));
	return 1;
}

static int be_bytes(sl_orcrle_bytes *s, unsigned nb, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned k = 0; k < nb; k++) {
		uint8_t c;
		if (get(s, &c) < 0)
			return -1;
		r = r << 8 | c;
	}
	*v = r;
	return 1;
}

static int v2_short_repeat(sl_orcrle_int *d, uint8_t h)
{
	uint64_t u;
	if (be_bytes(&d->s, ((h >> 3) & 7) + 1, &u) < 0)
		return -1;
	d->n = (size_t)(h & 7) + 3;
	int64_t v = d->sign ? unzig(u) : (int64_t)u;
	for (size_t k = 0; k < d->n; k++)
		d->buf[k] = v;
	return 1;
}

static int v2_len(sl_orcrle_int *d, uint8_t h)
{
	uint8_t c;
	if (get(&d->s, &c) < 0)
		return -1;
	d->n = ((size_t)(h & 1) << 8 | c) + 1;
	return 1;
}

static int v2_direct(sl_orcrle_int *d, uint8_t h)
{
	uint64_t *u = (uint64_t *)d->buf;
	if (v2_len(d, h) < 0 || unpack(&d->s, width_of((h >> 1) & 31), d->n, u) < 0)
		return -1;
	if (d->sign)
		for (size_t k = 0; k < d->n; k++)
			d->buf[k] = unzig(u[k]);
	return 1;
}

/* the patch at index *gap: skips the 255-gap fillers; 0 when none is left */
static int next_patch(const uint64_t *pl, size_t pll, size_t *pi, unsigned pw, uint64_t *gap,
	uint64_t *patch)
{
	uint64_t mask = pw >= 64 ? ~0ull : (1ull << pw) - 1;
	while (*pi < pll) {
		uint64_t g = pw >= 64 ? 0 : pl[*pi] >> pw, pv = pl[*pi] & mask;
		(*pi)++;
		*gap += g;
		if (g == 255 && pv == 0)
			continue;
		*patch = pv;
		return 1;
	}
	return 0;
}

static int v2_patched(sl_orcrle_int *d, uint8_t h)
{
	uint8_t b3, b4;
	unsigned w = width_of((h >> 1) & 31);
	if (v2_len(d, h) < 0 || get(&d->s, &b3) < 0 || get(&d->s, &b4) < 0)
		return -1;
	unsigned bw = ((b3 >> 5) & 7) + 1, pw = width_of(b3 & 31);
	unsigned pgw = ((b4 >> 5) & 7) + 1, pll = b4 & 31;
	uint64_t ub, pl[32];
	if (pgw + pw > 64 || be_bytes(&d->s, bw, &ub) < 0)
		return fail();
	uint64_t top = 1ull << (bw * 8 - 1);
	int64_t base = (ub & top) ? -(int64_t)(ub & ~top) : (int64_t)ub;
	uint64_t *u = (uint64_t *)d->buf;
	if (unpack(&d->s, w, d->n, u) < 0 || unpack(&d->s, closest_fixed(pgw + pw), pll, pl) < 0)
		return -1;
	size_t pi = 0;
	uint64_t gap = 0, patch = 0;
	int have = next_patch(pl, pll, &pi, pw, &gap, &patch);
	for (size_t k = 0; k < d->n; k++) {
		uint64_t v = u[k];
		if (have && gap == k) {
			v |= w >= 64 ? 0 : patch << w;
			have = next_patch(pl, pll, &pi, pw, &gap, &patch);
		}
		d->buf[k] = (int64_t)((uint64_t)base + v);
	}
	return 1;
}

static int v2_delta(sl_orcrle_int *d, uint8_t h)
{
	unsigned code = (h >> 1) & 31, w = code ? width_of(code) : 0;
	int64_t base;
	uint64_t ud;
	if (v2_len(d, h) < 0 || readv(d, &base) < 0 || sl_orcrle_varint(&d->s, &ud) < 0)
		return -1;
	int64_t delta = unzig(ud);
	d->buf[0] = base;
	if (d->n == 1)
		return 1;
	d->buf[1] = (int64_t)((uint64_t)base + (uint64_t)delta);
	if (w == 0) {
		for (size_t k = 2; k < d->n; k++)
			d->buf[k] = (int64_t)((uint64_t)d->buf[k - 1] + (uint64_t)delta);
		return 1;
	}
	uint64_t *u = (uint64_t *)d->buf + 2;
	if (unpack(&d->s, w, d->n - 2, u) < 0)
		return -1;
	for (size_t k = 2; k < d->n; k++) {
		uint64_t dv = u[k - 2];
		d->buf[k] = (int64_t)(delta < 0 ? (uint64_t)d->buf[k - 1] - dv : (uint64_t)d->buf[k - 1] + dv);
	}
	return 1;
}

int sl_orcrle_int_next(sl_orcrle_int *d, int64_t *v)
{
	if (d->i == d->n) {
		int rc;
		d->i = d->n = 0;
		if (!d->v2) {
			rc = v1_run(d);
		} else {
			uint8_t h;
			if (get(&d->s, &h) < 0)
				return -1;
			switch (h >> 6) {
			case 0: rc = v2_short_repeat(d, h); break;
			case 1: rc = v2_direct(d, h); break;
			case 2: rc = v2_patched(d, h); break;
			default: rc = v2_delta(d, h); break;
			}
		}
		if (rc < 0 || d->n == 0) {
			d->n = 0;
			return fail();
		}
	}
	*v = d->buf[d->i++];
	return 1;
}
