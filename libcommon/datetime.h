/* SPDX-License-Identifier: Apache-2.0 */
/*
 * datetime.h -- dates, times and zones: date and datetime text (DATE is
 * days since 1970-01-01, DATETIME microseconds since 1970-01-01 00:00:00,
 * naive), and the session time zone that zone-suffixed text and the time
 * functions convert into. The calendar itself is calendar.h.
 */
#ifndef SL_DATETIME_H
#define SL_DATETIME_H

#include <stdint.h>
#include "calendar.h"

/* The date parsers behind sl_cast_text: leading and trailing spaces are
 * allowed; 1 ok, 0 invalid or out of range; no allocation.
 * Date/datetime text -> days since epoch / microseconds since epoch
 * (naive local time). Accepted: Y-M-D with '-', '/' or '.', 1-2 digit
 * month and day, 2-digit years (<70 -> 20xx), YYYYMMDD, YYMMDD,
 * YYYYMMDDHHMMSS; then ' ' or 'T' and H:M[:S[.fraction]] or HHMMSS; then an
 * optional zone suffix (Z, UTC, GMT, +HH:MM), converted to the session zone
 * (sl_tz_set). A date target ignores the time of day; a datetime target
 * rounds the fraction to `scale` digits (half up). */
int sl_parse_date(const char *s, size_t n, int32_t *days);
int sl_parse_datetime(const char *s, size_t n, int scale, int64_t *us);

/* The session time zone. Process-wide; before any sl_tz_set the libc
 * local zone (TZ or /etc/localtime) is used.
 * sl_tz_set accepts UTC/GMT/Z, offsets "+08:00" "-5:30" "+0800",
 * "GMT+8"/"UTC-05:00" (Java sign, not POSIX's), "CST" (= Asia/Shanghai, as
 * Doris), and IANA names of regular files under /usr/share/zoneinfo,
 * matched case-insensitively ("asia/shanghai"), read once (tzfile.h);
 * the environment's TZ is left alone. 1 ok, 0 unknown. */
int sl_tz_set(const char *name);
/* Back to the libc local zone, as before any sl_tz_set (a stage's start:
 * the stages of one load after another's in one process, spawn.h). */
void sl_tz_reset(void);
int64_t sl_tz_to_local(int64_t utc_us);
int64_t sl_tz_to_utc(int64_t local_us);

#endif
