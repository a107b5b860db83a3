/* SPDX-License-Identifier: Apache-2.0 */
/*
 * base64.c -- standard base64 with padding (base64.h).
 */
#include "base64.h"

static const char digits[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sl_base64_encode(const void *p, size_t n, sl_buf *out)
{
	const unsigned char *s = p;
	size_t i;
	char *o;
	if (sl_buf_reserve(out, (n + 2) / 3 * 4 + 1) < 0) return -1;
	o = out->p + out->len;
	for (i = 0; i < n; i += 3) {
		unsigned long w = (unsigned long)s[i] << 16;
		if (i + 1 < n) w |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n) w |= s[i + 2];
		*o++ = digits[w >> 18 & 63];
		*o++ = digits[w >> 12 & 63];
		*o++ = i + 1 < n ? digits[w >> 6 & 63] : '=';
		*o++ = i + 2 < n ? digits[w & 63] : '=';
	}
	out->len = (size_t)(o - out->p);
	return 1;
}

/* The 6-bit value of a base64 digit, or -1. */
static int digit_value(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

int sl_base64_decode(const char *s, size_t n, sl_buf *out)
{
	size_t q;
	if (n % 4) return 0;
	if (sl_buf_reserve(out, n / 4 * 3 + 1) < 0) return -1;
	for (q = 0; q < n; q += 4) {
		int v[4], k, pad = 0;
		for (k = 0; k < 4; k++) {
			int last = q + 4 == n;
			if (s[q + k] == '=' && last && k >= 2 && (k == 3 || s[q + 3] == '=')) { v[k] = 0; pad++; continue; }
			if (pad || (v[k] = digit_value(s[q + k])) < 0) return 0;
		}
		out->p[out->len++] = (char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2) out->p[out->len++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1) out->p[out->len++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	return 1;
}
