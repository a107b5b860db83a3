/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8.c -- UTF-8 helpers (utf8.h), in their own object: the type casts
 * need them, and the statically linked stages (sl-filter, sl-txn) must not
 * pull in csvsplit.o and with it the body reader and every decompression
 * library (input.c).
 */
#include <stdint.h>
#include <string.h>

#include "utf8.h"

int sl_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	while (p < e) {
		unsigned c;
		while (e - p >= 16) {
			uint64_t a, b;
			memcpy(&a, p, 8);
			memcpy(&b, p + 8, 8);
			if ((a | b) & 0x8080808080808080ull)
				break;
			p += 16;
		}
		while (p < e && *p < 0x80)
			p++;
		if (p == e)
			return 1;
		c = *p;
		if (c < 0xC2 || c > 0xF4)
			return 0;
		if (c < 0xE0) {
			if (e - p < 2 || (p[1] & 0xC0) != 0x80)
				return 0;
			p += 2;
		} else if (c < 0xF0) {
			if (e - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
				return 0;
			if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
				return 0;
			p += 3;
		} else {
			if (e - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
				return 0;
			if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
				return 0;
			p += 4;
		}
	}
	return 1;
}

size_t sl_utf8_chars(const char *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)p[i] & 0xC0) != 0x80;
	return k;
}

size_t sl_utf8_prefix(const char *p, size_t n, size_t k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80 && k-- == 0)
			return i;
	return n;
}

size_t sl_utf8_cut(const char *p, size_t n, size_t cap)
{
	size_t k = cap;

	if (n <= cap)
		return n;
	/* back over at most 3 continuation bytes to the start of a character */
	while (k > 0 && cap - k < 3 && ((unsigned char)p[k] & 0xC0) == 0x80)
		k--;
	return ((unsigned char)p[k] & 0xC0) == 0x80 ? cap : k;
}
