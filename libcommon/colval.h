/* SPDX-License-Identifier: Apache-2.0 */
/*
 * colval.h -- the Doris texts of columnar values (the table in colfile.h),
 * shared by the parquet, orc and arrow readers. Each function appends one
 * value's text to b: 1, or -1 (ENOMEM; EINVAL for a value out of its
 * type's range). Zone conversion uses the process's zone (datetime.h
 * sl_tz_set, done by sl_colfile_open from sl_colopts.timezone).
 */
#ifndef SL_COLVAL_H
#define SL_COLVAL_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"

int sl_colval_int(sl_buf *b, int64_t v);
int sl_colval_uint(sl_buf *b, uint64_t v);
/* the shortest text that reads back to the same value; NaN and the
 * infinities as "NaN", "Infinity", "-Infinity" */
int sl_colval_double(sl_buf *b, double v);
int sl_colval_float(sl_buf *b, float v);
/* IEEE half precision (parquet FLOAT16, arrow HALF_FLOAT) as its float */
int sl_colval_half(sl_buf *b, uint16_t v);
/* an unscaled two's complement integer of n bytes (1..32), big-endian
 * (parquet, arrow in little-endian: le != 0), shown with scale digits
 * after the point: -12345, scale 2 -> "-123.45" */
int sl_colval_decimal(sl_buf *b, const uint8_t *p, size_t n, int le, int scale);
int sl_colval_decimal64(sl_buf *b, int64_t unscaled, int scale);
/* days since 1970-01-01 -> YYYY-MM-DD (years 0000..9999, else EINVAL) */
int sl_colval_date(sl_buf *b, int64_t days);
/* an instant or a wall time, as seconds since 1970-01-01 plus nanoseconds
 * (0..999999999), shown with digits (0..9) fractional digits;
 * utc != 0: the instant is shown in the load's zone */
int sl_colval_timestamp(sl_buf *b, int64_t secs, uint32_t nanos, int digits, int utc);
/* nanoseconds since midnight -> HH:MM:SS[.f] with digits digits */
int sl_colval_time(sl_buf *b, int64_t nanos, int digits);
/* 16 bytes -> 8-4-4-4-12 lower-case hex */
int sl_colval_uuid(sl_buf *b, const uint8_t *v);
/* a JSON string literal of p[0..n) (quotes and escapes; invalid UTF-8
 * bytes as \ufffd), for values inside nested JSON texts */
int sl_colval_json_string(sl_buf *b, const char *p, size_t n);

/* DATE's range of the texts: days since 1970-01-01 of 0000-01-01 and
 * 9999-12-31 (sl_colval_date refuses the others). */
#define SL_COLVAL_DAY_MIN (-719528LL)
#define SL_COLVAL_DAY_MAX 2932896LL
/* A typed field of colfile.h (sl_colinfo.typed: INT, BIGINT, TINYINT,
 * SMALLINT, DECIMAL, DATE in the binary encoding of types.h, n bytes of p)
 * as the text the reader gives in text mode: the same digits for the same
 * value. kind is the type's enum sl_tkind, scale the DECIMAL's. 1; -1
 * (EINVAL: not such a field; ENOMEM). */
int sl_colval_typed_text(sl_buf *b, int kind, int scale, const char *p, size_t n);

#endif
