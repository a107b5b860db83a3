/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprtime.h -- the expression engine's date and time functions' core:
 * MySQL's date_format and str_to_date specifiers (and the Java forms
 * "yyyy-MM-dd HH:mm:ss", ...), calendar fields of a datetime, any value
 * as a local datetime, and the wall clock. Datetimes here are local naive
 * microseconds since 1970-01-01 00:00:00.
 */
#ifndef SL_EXPRTIME_H
#define SL_EXPRTIME_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"

/* Calendar fields of a datetime; days since the epoch. */
struct sl_exprtime_civil { int y, mo, d, h, mi, s, us; int64_t days; };
void sl_exprtime_civil(int64_t us, struct sl_exprtime_civil *c);
/* Any value as local datetime microseconds; 0 if not a date. */
int sl_exprtime_us(const sl_value *v, int64_t *us);
/* Format us with a MySQL format into o, which holds 12 bytes per format
 * byte. Returns the end. */
char *sl_exprtime_format(int64_t us, const char *f, size_t fn, char *o);
/* Parse s with the MySQL format f. 1 ok with *us, 0 no match. */
int sl_exprtime_parse(const char *s, size_t sn, const char *f, size_t fn, int64_t *us);
/* The MySQL format of a Java form (yyyy-MM-dd ...), or f itself. */
const char *sl_exprtime_java(const char *f, size_t n, size_t *on);
/* Wall clock, UTC microseconds. */
int64_t sl_exprtime_now(void);

#endif
