/* SPDX-License-Identifier: Apache-2.0 */
/*
 * print.h -- the row stream as text for a person at a terminal: a header
 * line of column names, then one line per row with the columns separated
 * by " | " (typed fields decoded and formatted as Doris shows them, NULL
 * as NULL, an absent field as "(absent)"), filtered rows as
 * "# filtered (line N): reason src line [text]" and an abort as
 * "# abort: message". Control bytes are shown escaped (\n, \t, \r, \?).
 * The frame writer (frame.h) uses it when its fd is a terminal; the
 * printer only produces bytes, through the put function it is given.
 */
#ifndef SL_PRINT_H
#define SL_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"
#include "types.h"

/* Appends s[0..n) to the output: 1, or -1 with errno. */
typedef int (*sl_print_put_fn)(void *arg, const char *s, size_t n);

typedef struct sl_print {
	sl_print_put_fn put;
	void *arg;
	sl_type *types;         /* the last header's column types (owned) */
	size_t ncols;
	size_t col;             /* fields printed in the current row */
} sl_print;

void sl_print_init(sl_print *pr, sl_print_put_fn put, void *arg);
void sl_print_free(sl_print *pr);

/* Every function below returns 1, or -1 with errno (ENOMEM, or the put
 * function's error). */
/* A header: the names joined by " | " ("(source fields)" when ncols is 0);
 * the types (Doris type texts) decide how the following rows' fields are
 * decoded: a text that is not a type prints the field as text. */
int sl_print_header(sl_print *pr, size_t ncols, const sl_field *names, const sl_field *types);
/* A row: begin, one call per field (n = SL_NULL_LEN: NULL, SL_ABSENT_LEN:
 * absent), end. A field past the header's columns prints as text; one
 * that does not decode as its column's type prints "?". */
void sl_print_row_begin(sl_print *pr);
int sl_print_field(sl_print *pr, const void *p, size_t n);
int sl_print_row_end(sl_print *pr);
int sl_print_error(sl_print *pr, const char *reason, size_t rlen, const char *src, size_t slen, uint64_t line);
int sl_print_abort(sl_print *pr, const char *msg, size_t n);

#endif
