/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hex.h -- hexadecimal digits, as the separators of a load (\x01) and
 * HTTP's percent escapes and chunk sizes spell bytes and numbers.
 */
#ifndef SL_HEX_H
#define SL_HEX_H

/* The value of the hex digit c (0-9, a-f, A-F), or -1. */
int sl_hex_digit(int c);

#endif
