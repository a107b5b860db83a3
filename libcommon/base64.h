/* SPDX-License-Identifier: Apache-2.0 */
/*
 * base64.h -- standard base64 (RFC 4648, '+' '/' and '=' padding), as
 * Doris's hll_to_base64 / hll_from_base64 write and read it.
 */
#ifndef SL_BASE64_H
#define SL_BASE64_H

#include <stddef.h>
#include "io.h"

/* Append the base64 text of p[0..n) to out. 1, -1 ENOMEM. */
int sl_base64_encode(const void *p, size_t n, sl_buf *out);
/* Append the bytes of base64 text s[0..n) to out: 1, 0 not base64 (a
 * length that is not a multiple of 4, a stray character, misplaced
 * padding), -1 ENOMEM. */
int sl_base64_decode(const char *s, size_t n, sl_buf *out);

#endif
