/* SPDX-License-Identifier: Apache-2.0 */
/*
 * calendar.h -- the proleptic Gregorian calendar, as Doris counts it:
 * civil dates to and from days since 1970-01-01. Pure arithmetic; the
 * date text, the zones and the formatting build on it.
 */
#ifndef SL_CALENDAR_H
#define SL_CALENDAR_H

#include <stdint.h>

#define SL_US_PER_DAY INT64_C(86400000000)

/* Calendar helpers (proleptic Gregorian, as Doris). */
int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d);
void sl_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
/* 1 if a valid date between 0000-01-01 and 9999-12-31. */
int sl_date_valid(int y, int m, int d);
/* Days in month m (1..12) of year y; 0 for a bad month. */
int sl_days_in_month(int y, int m);

#endif
