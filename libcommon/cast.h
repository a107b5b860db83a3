/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cast.h -- casts from source text to Doris values with Doris's non-strict
 * semantics (invalid -> NULL): the per-field conversion of sl-map, and the
 * number parsers behind it. Date and datetime text is parsed by
 * datetime.h; the values and their encoding are types.h.
 */
#ifndef SL_CAST_H
#define SL_CAST_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"

/* Cast source text to type t, Doris non-strict semantics: invalid text,
 * overflow, bad dates -> returns 0 (the value is NULL); ok -> 1 with *v set
 * (strings point into s; CHAR/VARCHAR overflow is NOT checked here).
 * Examples: "abc"->INT 0; "300"->TINYINT 0; "3.12"->INT 3; "3.12"->
 * DECIMAL(9,1) 3.1; "2024-4-2"->DATE ok; "2024-07-20T05:48:31"->DATETIME ok;
 * "1e400"->DOUBLE +Infinity; "true"/"false"/"1"/"0"->BOOLEAN. Leading and
 * trailing spaces are allowed around numbers and dates.
 * Complex targets: "[1,2,3]" (ARRAY), "{"k":1, "k2":2}" or {k:1} (MAP),
 * "{"a":1, "b":"x"}" or "{1, "x"}" (STRUCT, by name or by position),
 * any JSON document (JSON); strings may be quoted with " or '; null or an
 * element that fails its scalar cast is a NULL element; malformed nesting
 * makes the whole value NULL. The encoded bytes of a complex result live in
 * a per-thread ring of 1024 buffers owned by cast.c: valid until 1023
 * further complex casts in the same thread (enough for a row of up to 1023
 * complex columns; copy them to keep them longer). BITMAP and HLL have no
 * text form: any text gives NULL (0), as Doris refuses the cast. */
int sl_cast_text(const sl_type *t, const char *s, size_t n, sl_value *v);

/* The text parsers behind sl_cast_text (leading/trailing
 * spaces allowed). All return 1 ok, 0 invalid/out of range; no allocation
 * except sl_parse_double's rare fallback for texts over 127 bytes. */
/* "1", "0", "true", "false" (any case) -> *b. */
int sl_parse_bool(const char *s, size_t n, int *b);
/* [+-]digits[.digits][e[+-]digits] -> unscaled value at `scale` rounded
 * half away from zero; 0 if |value| >= 10^prec. */
int sl_parse_decimal(const char *s, size_t n, int prec, int scale, __int128 *out);
/* Decimal floating text, inf/infinity/nan; overflow -> +-Infinity. */
int sl_parse_double(const char *s, size_t n, double *out);
/* 10^n as __int128 for 0 <= n <= 38 (0 otherwise). */
__int128 sl_pow10_i128(int n);

#endif
