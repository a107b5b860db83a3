/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textscan.h -- the byte tests every hand-written text parser of the
 * value modules shares (type names, casts, dates and zones): ASCII digits,
 * blanks, case folding, trimming. Inline and locale-free: casts call them
 * for every field.
 */
#ifndef SL_TEXTSCAN_H
#define SL_TEXTSCAN_H

#include <stddef.h>
#include <string.h>

#define SL_IS_DIGIT(c) ((unsigned)((unsigned char)(c) - '0') <= 9u)

static inline int sl_textscan_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* ASCII lower case; other bytes unchanged. */
static inline int sl_textscan_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Drop blanks at both ends of *ps[0..*pn). */
static inline void sl_textscan_trim(const char **ps, size_t *pn)
{
	const char *s = *ps;
	size_t n = *pn;
	while (n && sl_textscan_space((unsigned char)*s)) { s++; n--; }
	while (n && sl_textscan_space((unsigned char)s[n - 1])) n--;
	*ps = s; *pn = n;
}

/* 1 if s[0..n) is w, ignoring the case of s (w is lower case). */
static inline int sl_textscan_ieq(const char *s, size_t n, const char *w)
{
	size_t i;
	if (strlen(w) != n) return 0;
	for (i = 0; i < n; i++)
		if (sl_textscan_lower((unsigned char)s[i]) != w[i]) return 0;
	return 1;
}

#endif
