/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sep.h -- Doris's separator values (Separator.java rules): the bytes of a
 * column_separator or line_delimiter header, and their display form. Apart
 * from the CSV reader so that a stage that only reads the load options
 * (loadopt.h) does not link the decompressing input.
 */
#ifndef SL_SEP_H
#define SL_SEP_H

#include <stddef.h>
#include "io.h"

/* Convert a column_separator/line_delimiter header value to bytes, as
 * Doris does: a value starting with \x or \X is hex (every "\x" removed,
 * the rest decoded); otherwise the escapes \t \n \r \\ \' \" are unescaped
 * and any other backslash sequence is kept literally. Appends the bytes to
 * out. Returns 1; 0 for a bad hex value with *err set to Doris's text
 * ("Hex str is empty", "Hex str format error", "Hex str length error");
 * -1 ENOMEM. */
int sl_sep_parse(const char *v, sl_buf *out, const char **err);
/* The display form Doris prints in "Column count mismatch" reasons and
 * that sl-parse reports in its C frame: TAB as \t, LF as \n, CR as \r (two
 * characters each), other bytes verbatim. Appends to out; 1 or -1 ENOMEM. */
int sl_sep_display(const char *p, size_t n, sl_buf *out);

#endif
