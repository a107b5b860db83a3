/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tzfile.h -- a time zone read from its compiled TZif file (RFC 8536,
 * /usr/share/zoneinfo): the UTC offset in force at an instant, and the
 * instant of a local wall-clock time, without touching the process's TZ
 * or libc's zone state. Instants after the file's last transition follow
 * its footer rule (a POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0").
 * Leap-second records ("right/" zones) are ignored: times are POSIX.
 */
#ifndef SL_TZFILE_H
#define SL_TZFILE_H

#include <stddef.h>
#include <stdint.h>

/* The footer rule: standard offset, and when daylight saving time is in
 * force its offset and the two yearly changes. Offsets are seconds east
 * of UTC. */
typedef struct sl_tzrule_date {
	char kind;              /* 'J' day 1..365 no Feb 29, 'D' day 0..365, 'M' */
	int day, week, month;   /* 'M': month 1..12, week 1..5 (5 = last), day 0..6 (Sunday 0) */
	int32_t secs;           /* local time of day of the change (may be < 0 or > 24h) */
} sl_tzrule_date;

typedef struct sl_tzrule {
	int32_t std_off, dst_off;
	int has_dst;
	sl_tzrule_date start, end;
} sl_tzrule;

typedef struct sl_tzfile {
	int64_t *at;            /* transition instants, UTC seconds, ascending */
	int32_t *off;           /* offset in force from at[i] */
	size_t n;
	int32_t off0;           /* offset before at[0] (or always, if n == 0) */
	int has_rule;           /* rule applies from at[n - 1] on */
	sl_tzrule rule;
} sl_tzfile;

#define SL_TZFILE_ZERO { 0, 0, 0, 0, 0, { 0, 0, 0, { 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0 } } }

/* Read the TZif file at path into z (replacing nothing: z must be zero or
 * freed). 1 ok; -1 with errno: the open/read error, EPROTO if the file is
 * not TZif, ENOMEM. */
int sl_tzfile_load(sl_tzfile *z, const char *path);
/* Parse a POSIX TZ rule string ("CST-8", "EST5EDT,M3.2.0,M11.1.0",
 * "<+0330>-3:30"). 1 ok, 0 invalid. */
int sl_tzfile_rule(sl_tzrule *r, const char *s, size_t n);
void sl_tzfile_free(sl_tzfile *z);

/* Offset (seconds east of UTC) in force at UTC second t. */
int32_t sl_tzfile_offset(const sl_tzfile *z, int64_t t);
/* The UTC second of local wall-clock second l. A local time that does not
 * exist (a gap when clocks go forward) or exists twice (clocks go back)
 * is converted with the offset in force before the change, as Doris
 * (cctz) does: 02:30 in a 02:00 -> 03:00 gap is 03:30 after it, and the
 * first of two 01:30s is taken. */
int64_t sl_tzfile_to_utc(const sl_tzfile *z, int64_t l);

#endif
