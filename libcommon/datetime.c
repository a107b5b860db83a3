/* SPDX-License-Identifier: Apache-2.0 */
/*
 * datetime.c -- dates, times and zones (datetime.h): date/datetime text
 * with an optional zone suffix, and the session time zone (a fixed offset,
 * or a zone file read by tzfile.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#include "sl.h"
#include "io.h"
#include "textscan.h"
#include "datetime.h"
#include "tzfile.h"

/* ------------------------------------------------------------------ */
/* time zones */

/* Either a fixed offset (tz_fixed) or a zone file read into tz_zone; the
 * process environment (TZ) and libc's zone state are never changed. */
static int tz_mode;             /* 0 libc default zone, 1 fixed, 2 tz_zone */
static int64_t tz_fixed_us;
static sl_tzfile tz_zone = SL_TZFILE_ZERO;

/* "+08:00", "-5:30", "+0800", "+8" -> offset in seconds. */
static int parse_offset(const char *s, size_t n, int64_t *secs)
{
	size_t i = 1;
	int h = 0, m = 0, nd = 0;
	if (n < 2 || (s[0] != '+' && s[0] != '-')) return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9' && nd < 2) { h = h * 10 + (s[i] - '0'); i++; nd++; }
	if (!nd) return 0;
	if (i < n && s[i] == ':') i++;
	if (i < n) {
		nd = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && nd < 2) { m = m * 10 + (s[i] - '0'); i++; nd++; }
		if (nd != 2) return 0;
	}
	if (i != n || h > 14 || m > 59) return 0;
	*secs = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
	return 1;
}

#define TZDIR "/usr/share/zoneinfo"

static int is_zone_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* Find name under TZDIR matching each path segment case-insensitively
 * ("asia/shanghai" -> "Asia/Shanghai"); the real path goes to out. */
static int tz_find_icase(const char *name, char *out, size_t cap)
{
	size_t len = strlen(TZDIR);
	const char *seg = name;
	memcpy(out, TZDIR, len + 1);
	while (*seg) {
		const char *end = strchr(seg, '/');
		size_t sl = end ? (size_t)(end - seg) : strlen(seg);
		DIR *d = opendir(out);
		struct dirent *de;
		int found = 0;
		if (!d) return 0;
		while ((de = readdir(d))) {
			size_t i;
			if (strlen(de->d_name) != sl || de->d_name[0] == '.') continue;
			for (i = 0; i < sl; i++)
				if (sl_textscan_lower((unsigned char)de->d_name[i]) != sl_textscan_lower((unsigned char)seg[i])) break;
			if (i == sl) {
				if (len + 1 + sl + 1 > cap) break;
				out[len++] = '/';
				memcpy(out + len, de->d_name, sl + 1);
				len += sl;
				found = 1;
				break;
			}
		}
		closedir(d);
		if (!found) return 0;
		seg += sl;
		if (*seg == '/') seg++;
	}
	return is_zone_file(out);
}

/* Make the zone file at path the session zone. 1 ok, 0 unreadable. */
static int tz_load(const char *path)
{
	sl_tzfile z;

	if (sl_tzfile_load(&z, path) < 0) return 0;
	sl_tzfile_free(&tz_zone);
	tz_zone = z;
	tz_mode = 2;
	return 1;
}

void sl_tz_reset(void)
{
	sl_tzfile_free(&tz_zone);
	tz_mode = 0;
	tz_fixed_us = 0;
}

int sl_tz_set(const char *name)
{
	int64_t off;
	char path[512];
	const char *p;

	if (!name || !*name) return 0;
	if (!strcasecmp(name, "UTC") || !strcasecmp(name, "GMT") || !strcasecmp(name, "Z")
	    || !strcasecmp(name, "Etc/UTC") || !strcasecmp(name, "UCT")) {
		tz_mode = 1; tz_fixed_us = 0; return 1;
	}
	if (parse_offset(name, strlen(name), &off)) {
		tz_mode = 1; tz_fixed_us = off * 1000000; return 1;
	}
	/* "GMT+8", "UTC+08:00": offsets in the Java sense (not POSIX's
	 * inverted Etc/GMT+8). */
	if (strlen(name) > 3 && (!strncasecmp(name, "GMT", 3) || !strncasecmp(name, "UTC", 3))
	    && (name[3] == '+' || name[3] == '-')) {
		if (!parse_offset(name + 3, strlen(name + 3), &off)) return 0;
		tz_mode = 1; tz_fixed_us = off * 1000000; return 1;
	}
	/* Doris maps CST to Asia/Shanghai. */
	if (!strcasecmp(name, "CST")) name = "Asia/Shanghai";
	if (name[0] == '/' || name[0] == '.' || strstr(name, "..") || strlen(name) > 200) return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
		    || *p == '/' || *p == '_' || *p == '-' || *p == '+'))
			return 0;
	snprintf(path, sizeof path, "%s/%s", TZDIR, name);
	if (!is_zone_file(path) && !tz_find_icase(name, path, sizeof path)) return 0;
	return tz_load(path);
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
	return q;
}

int64_t sl_tz_to_local(int64_t utc_us)
{
	struct tm tm;
	time_t t;
	if (tz_mode == 1) return utc_us + tz_fixed_us;
	if (tz_mode == 2)
		return utc_us + (int64_t)sl_tzfile_offset(&tz_zone, floordiv(utc_us, 1000000)) * 1000000;
	t = (time_t)floordiv(utc_us, 1000000);
	if (!localtime_r(&t, &tm)) return utc_us;
	return utc_us + (int64_t)tm.tm_gmtoff * 1000000;
}

int64_t sl_tz_to_utc(int64_t local_us)
{
	struct tm tm, tm2;
	time_t t, guess;
	int64_t secs, frac;
	int y; unsigned mo, d;
	int64_t days, sod;

	if (tz_mode == 1) return local_us - tz_fixed_us;
	secs = floordiv(local_us, 1000000);
	frac = local_us - secs * 1000000;
	if (tz_mode == 2)
		return sl_tzfile_to_utc(&tz_zone, secs) * 1000000 + frac;
	days = floordiv(secs, 86400);
	sod = secs - days * 86400;
	sl_civil_from_days(days, &y, &mo, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900; tm.tm_mon = (int)mo - 1; tm.tm_mday = (int)d;
	tm.tm_hour = (int)(sod / 3600); tm.tm_min = (int)(sod / 60 % 60); tm.tm_sec = (int)(sod % 60);
	tm.tm_isdst = -1;
	guess = mktime(&tm);
	if (guess == (time_t)-1) {
		/* mktime failure: fall back to the offset at the naive instant. */
		t = (time_t)secs;
		if (!localtime_r(&t, &tm2)) return local_us;
		return local_us - (int64_t)tm2.tm_gmtoff * 1000000;
	}
	return (int64_t)guess * 1000000 + frac;
}

/* Date/time text. Accepted:
 *   YYYY-MM-DD (1-2 digit month/day; '-', '/' or '.' as separator;
 *   2-digit years: <70 -> 20xx, else 19xx), YYYYMMDD, YYMMDD,
 *   YYYYMMDDHHMMSS[.f], YYMMDDHHMMSS, then optionally ' '+ or 'T' and
 *   H[H]:M[M][:S[S][.ffffff...]] (or HHMMSS), then an optional zone
 *   suffix: Z, UTC, GMT, +HH[:MM], -HH[:MM].
 * Fills the civil fields, the fraction as microseconds rounded to `scale`
 * digits (carry into the seconds handled by the caller via the epoch).
 * Returns 1 ok, 0 invalid. */
struct dt {
	int y, mo, d, h, mi, sec;
	int64_t us;              /* rounded to scale, may be 1000000 on carry */
	int has_tz;
	int64_t tz_secs;
};

static int digits(const char *s, size_t n, size_t *i, int maxd, int *out)
{
	int v = 0, nd = 0;
	while (*i < n && nd < maxd && SL_IS_DIGIT(s[*i])) {
		v = v * 10 + (s[*i] - '0');
		(*i)++; nd++;
	}
	*out = v;
	return nd;
}

static int fix_year2(int y, int nd) { return nd == 2 ? (y < 70 ? 2000 + y : 1900 + y) : y; }

static int parse_frac(const char *s, size_t n, size_t *i, int scale, int64_t *us)
{
	int64_t v = 0;
	int nd = 0, rd = -1;
	static const int64_t p10[7] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
	while (*i < n && SL_IS_DIGIT(s[*i])) {
		int c = s[*i] - '0';
		if (nd < scale) v = v * 10 + c;
		else if (nd == scale) rd = c;
		nd++;
		(*i)++;
	}
	if (nd < scale) v *= p10[scale - nd];
	if (rd >= 5) v++;
	*us = v * p10[6 - scale];
	return 1;
}

static int parse_dt(const char *s, size_t n, int scale, struct dt *o)
{
	size_t i = 0, run;
	int nd;

	memset(o, 0, sizeof *o);
	sl_textscan_trim(&s, &n);
	if (!n) return 0;
	for (run = 0; run < n && SL_IS_DIGIT(s[run]); run++) ;
	if (run == n || (run >= 5 && s[run] != '-' && s[run] != '/')) {
		/* compact forms */
		if (run == 8 || run == 14) {
			digits(s, n, &i, 4, &o->y);
		} else if (run == 6 || run == 12) {
			digits(s, n, &i, 2, &o->y);
			o->y = fix_year2(o->y, 2);
		} else return 0;
		digits(s, n, &i, 2, &o->mo);
		digits(s, n, &i, 2, &o->d);
		if (run >= 12) {
			digits(s, n, &i, 2, &o->h);
			digits(s, n, &i, 2, &o->mi);
			digits(s, n, &i, 2, &o->sec);
			if (i < n && s[i] == '.') { i++; parse_frac(s, n, &i, scale, &o->us); }
			goto tail;
		}
	} else {
		char sep;
		nd = digits(s, n, &i, 4, &o->y);
		if (!nd || i >= n) return 0;
		o->y = fix_year2(o->y, nd);
		sep = s[i];
		if (sep != '-' && sep != '/' && sep != '.') return 0;
		i++;
		if (!digits(s, n, &i, 2, &o->mo)) return 0;
		if (i >= n || s[i] != sep) return 0;
		i++;
		if (!digits(s, n, &i, 2, &o->d)) return 0;
	}
	/* optional time */
	if (i < n && (s[i] == ' ' || s[i] == 'T' || s[i] == 't')) {
		size_t save = i;
		if (s[i] == 'T' || s[i] == 't') i++;
		else while (i < n && s[i] == ' ') i++;
		if (i < n && SL_IS_DIGIT(s[i])) {
			size_t r2;
			for (r2 = i; r2 < n && SL_IS_DIGIT(s[r2]); r2++) ;
			if (r2 - i == 6) {   /* HHMMSS */
				digits(s, n, &i, 2, &o->h);
				digits(s, n, &i, 2, &o->mi);
				digits(s, n, &i, 2, &o->sec);
			} else {
				if (!digits(s, n, &i, 2, &o->h)) return 0;
				if (i < n && s[i] == ':') {
					i++;
					if (!digits(s, n, &i, 2, &o->mi)) return 0;
					if (i < n && s[i] == ':') {
						i++;
						if (!digits(s, n, &i, 2, &o->sec)) return 0;
					}
				}
			}
			if (i < n && s[i] == '.') { i++; parse_frac(s, n, &i, scale, &o->us); }
		} else {
			i = save;
		}
	}
tail:
	if (i < n) {
		/* zone suffix */
		size_t z = i;
		while (z < n && s[z] == ' ') z++;
		if (z < n) {
			const char *zs = s + z;
			size_t zn = n - z;
			int64_t off;
			if (sl_textscan_ieq(zs, zn, "z") || sl_textscan_ieq(zs, zn, "utc") || sl_textscan_ieq(zs, zn, "gmt")) {
				o->has_tz = 1; o->tz_secs = 0;
			} else if (parse_offset(zs, zn, &off)) {
				o->has_tz = 1; o->tz_secs = off;
			} else if (zn > 3 && (sl_textscan_ieq(zs, 3, "utc") || sl_textscan_ieq(zs, 3, "gmt"))
			    && parse_offset(zs + 3, zn - 3, &off)) {
				o->has_tz = 1; o->tz_secs = off;
			} else return 0;
		} else return 0;   /* trailing spaces were trimmed: unreachable */
	}
	if (!sl_date_valid(o->y, o->mo, o->d)) return 0;
	if (o->h > 23 || o->mi > 59 || o->sec > 59) return 0;
	return 1;
}

/* 0000-01-01 and 9999-12-31 23:59:59.999999 in our encodings */
#define DAYS_MIN (-719528)
#define DAYS_MAX 2932896

/* Datetime text -> microseconds since epoch (naive, session zone). */
int sl_parse_datetime(const char *s, size_t n, int scale, int64_t *us)
{
	struct dt o;
	int64_t days, v;
	if (scale < 0) scale = 0;
	if (scale > 6) scale = 6;
	if (!parse_dt(s, n, scale, &o)) return 0;
	days = sl_days_from_civil(o.y, (unsigned)o.mo, (unsigned)o.d);
	v = days * SL_US_PER_DAY + ((int64_t)o.h * 3600 + o.mi * 60 + o.sec) * 1000000 + o.us;
	if (o.has_tz)
		v = sl_tz_to_local(v - o.tz_secs * 1000000);
	if (v < (int64_t)DAYS_MIN * SL_US_PER_DAY || v >= ((int64_t)DAYS_MAX + 1) * SL_US_PER_DAY) return 0;
	*us = v;
	return 1;
}

int sl_parse_date(const char *s, size_t n, int32_t *days)
{
	struct dt o;
	if (!parse_dt(s, n, 0, &o)) return 0;
	if (o.has_tz) {
		int64_t v = sl_days_from_civil(o.y, (unsigned)o.mo, (unsigned)o.d) * SL_US_PER_DAY
		    + ((int64_t)o.h * 3600 + o.mi * 60 + o.sec) * 1000000;
		v = sl_tz_to_local(v - o.tz_secs * 1000000);
		*days = (int32_t)floordiv(v, SL_US_PER_DAY);
		return *days >= DAYS_MIN && *days <= DAYS_MAX;
	}
	*days = (int32_t)sl_days_from_civil(o.y, (unsigned)o.mo, (unsigned)o.d);
	return 1;
}

