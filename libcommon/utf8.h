/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8.h -- UTF-8 byte-string helpers: validation with an ASCII fast path,
 * counting characters, and cutting at a character boundary. No
 * allocation, no other module: the type casts, the CSV reader and the
 * statically linked stages (sl-filter, sl-txn) all use it.
 */
#ifndef SL_UTF8_H
#define SL_UTF8_H

#include <stddef.h>

/* 1 if p[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), else 0. */
int sl_utf8_valid(const char *p, size_t n);

/* Number of UTF-8 characters in p[0..n) (continuation bytes not counted),
 * and the byte length of the first k characters. */
size_t sl_utf8_chars(const char *p, size_t n);
size_t sl_utf8_prefix(const char *p, size_t n, size_t k);

/* The length of the first at most cap bytes of p[0..n), not splitting a
 * UTF-8 character (a sequence that is not UTF-8 is cut at cap). */
size_t sl_utf8_cut(const char *p, size_t n, size_t cap);

#endif
