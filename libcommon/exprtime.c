/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprtime.c -- date_format and str_to_date with MySQL's specifiers, week
 * numbers as MySQL's calc_week (sql/sql_time.cc), calendar fields, and the
 * wall clock, for the expression engine's date and time functions.
 */
#include <stdint.h>
#include <string.h>
#include <sys/time.h>

#include "sl.h"
#include "types.h"
#include "exprnode.h"
#include "exprval.h"
#include "exprtime.h"

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};
static const char *const day_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

void sl_exprtime_civil(int64_t us, struct sl_exprtime_civil *c)
{
	unsigned m, d;
	int64_t sod;
	c->days = sl_exprval_floordiv(us, US_PER_DAY);
	sod = us - c->days * US_PER_DAY;
	sl_civil_from_days(c->days, &c->y, &m, &d);
	c->mo = (int)m;
	c->d = (int)d;
	c->us = (int)(sod % US_PER_SEC);
	sod /= US_PER_SEC;
	c->h = (int)(sod / 3600);
	c->mi = (int)(sod / 60 % 60);
	c->s = (int)(sod % 60);
}

/* Any value as local datetime microseconds; 0 if not a date. */
int sl_exprtime_us(const sl_value *v, int64_t *us)
{
	switch (v->kind) {
	case SL_V_DATE: *us = v->u.i * US_PER_DAY; return 1;
	case SL_V_DATETIME: *us = v->u.i; return 1;
	case SL_V_STRING: return sl_parse_datetime(v->u.s.p, v->u.s.n, 6, us);
	case SL_V_INT: case SL_V_LARGE: case SL_V_DECIMAL: {
		sl_type t = { .kind = SL_T_DATETIME, .scale = 6 };
		sl_value o;
		if (!sl_value_cast(v, &t, NULL, &o) || o.kind == SL_V_NULL) return 0;
		*us = o.u.i;
		return 1;
	}
	default: return 0;
	}
}

/* MySQL's calc_week (sql/sql_time.cc). */
#define WEEK_MONDAY_FIRST 1
#define WEEK_YEAR 2
#define WEEK_FIRST_WEEKDAY 4

static int64_t daynr(int y, int m, int d) { return sl_days_from_civil(y, (unsigned)m, (unsigned)d) + 719528; }
static int days_in_year(int y) { return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 : 365; }
static int calc_weekday(int64_t dnr, int sunday_first) { return (int)((dnr + 5 + (sunday_first ? 1 : 0)) % 7); }

static int calc_week(int y, int m, int d, int behaviour, int *year)
{
	int64_t dnr = daynr(y, m, d), first = daynr(y, 1, 1), days;
	int monday_first = behaviour & WEEK_MONDAY_FIRST;
	int week_year = behaviour & WEEK_YEAR;
	int first_weekday = behaviour & WEEK_FIRST_WEEKDAY;
	int weekday = calc_weekday(first, !monday_first);
	*year = y;
	if (m == 1 && d <= 7 - weekday) {
		if (!week_year && ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4)))
			return 0;
		week_year = 1;
		(*year)--;
		first -= (days = days_in_year(*year));
		weekday = (int)((weekday + 53 * 7 - days) % 7);
	}
	if ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4))
		days = dnr - (first + (7 - weekday));
	else
		days = dnr - (first - weekday);
	if (week_year && days >= 52 * 7) {
		weekday = (weekday + days_in_year(*year)) % 7;
		if ((!first_weekday && weekday < 4) || (first_weekday && weekday == 0)) {
			(*year)++;
			return 1;
		}
	}
	return (int)(days / 7 + 1);
}

static char *put_num(char *o, int64_t v, int width)
{
	char tmp[24];
	int n = 0, neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
	while (n < width) tmp[n++] = '0';
	if (neg) *o++ = '-';
	while (n) *o++ = tmp[--n];
	return o;
}

static char *put_str(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

/* Format local datetime us with a MySQL format. out must hold 12 bytes per
 * format byte. Returns the end. */
char *sl_exprtime_format(int64_t us, const char *f, size_t fn, char *o)
{
	struct sl_exprtime_civil c;
	size_t i;
	int wd, yy;
	sl_exprtime_civil(us, &c);
	wd = (int)((c.days % 7 + 7 + 3) % 7);   /* 0 = Monday (1970-01-01 was a Thursday) */
	for (i = 0; i < fn; i++) {
		char ch = f[i];
		if (ch != '%' || i + 1 >= fn) { *o++ = ch; continue; }
		ch = f[++i];
		switch (ch) {
		case 'a': o = put_str(o, day_names[wd], 3); break;
		case 'b': o = put_str(o, month_names[c.mo - 1], 3); break;
		case 'c': o = put_num(o, c.mo, 1); break;
		case 'D': {
			const char *suf = "th";
			o = put_num(o, c.d, 1);
			if (c.d / 10 != 1) {
				if (c.d % 10 == 1) suf = "st";
				else if (c.d % 10 == 2) suf = "nd";
				else if (c.d % 10 == 3) suf = "rd";
			}
			o = put_str(o, suf, 2);
			break;
		}
		case 'd': o = put_num(o, c.d, 2); break;
		case 'e': o = put_num(o, c.d, 1); break;
		case 'f': o = put_num(o, c.us, 6); break;
		case 'H': o = put_num(o, c.h, 2); break;
		case 'h': case 'I': o = put_num(o, (c.h + 11) % 12 + 1, 2); break;
		case 'i': o = put_num(o, c.mi, 2); break;
		case 'j': o = put_num(o, c.days - sl_days_from_civil(c.y, 1, 1) + 1, 3); break;
		case 'k': o = put_num(o, c.h, 1); break;
		case 'l': o = put_num(o, (c.h + 11) % 12 + 1, 1); break;
		case 'M': o = put_str(o, month_names[c.mo - 1], strlen(month_names[c.mo - 1])); break;
		case 'm': o = put_num(o, c.mo, 2); break;
		case 'p': o = put_str(o, c.h < 12 ? "AM" : "PM", 2); break;
		case 'r':
			o = put_num(o, (c.h + 11) % 12 + 1, 2); *o++ = ':';
			o = put_num(o, c.mi, 2); *o++ = ':';
			o = put_num(o, c.s, 2); *o++ = ' ';
			o = put_str(o, c.h < 12 ? "AM" : "PM", 2);
			break;
		case 'S': case 's': o = put_num(o, c.s, 2); break;
		case 'T':
			o = put_num(o, c.h, 2); *o++ = ':';
			o = put_num(o, c.mi, 2); *o++ = ':';
			o = put_num(o, c.s, 2);
			break;
		case 'U': o = put_num(o, calc_week(c.y, c.mo, c.d, WEEK_FIRST_WEEKDAY, &yy), 2); break;
		case 'u': o = put_num(o, calc_week(c.y, c.mo, c.d, WEEK_MONDAY_FIRST, &yy), 2); break;
		case 'V': o = put_num(o, calc_week(c.y, c.mo, c.d, WEEK_YEAR | WEEK_FIRST_WEEKDAY, &yy), 2); break;
		case 'v': o = put_num(o, calc_week(c.y, c.mo, c.d, WEEK_YEAR | WEEK_MONDAY_FIRST, &yy), 2); break;
		case 'X': calc_week(c.y, c.mo, c.d, WEEK_YEAR | WEEK_FIRST_WEEKDAY, &yy); o = put_num(o, yy, 4); break;
		case 'x': calc_week(c.y, c.mo, c.d, WEEK_YEAR | WEEK_MONDAY_FIRST, &yy); o = put_num(o, yy, 4); break;
		case 'W': o = put_str(o, day_names[wd], strlen(day_names[wd])); break;
		case 'w': o = put_num(o, (wd + 1) % 7, 1); break;
		case 'Y': o = put_num(o, c.y, 4); break;
		case 'y': o = put_num(o, c.y % 100, 2); break;
		default: *o++ = ch; break;         /* %% and unknown: the character */
		}
	}
	return o;
}

static int name_prefix(const char *s, size_t n, const char *name, size_t len)
{
	size_t i;
	if (n < len) return 0;
	for (i = 0; i < len; i++) {
		int a = (unsigned char)s[i], b = (unsigned char)name[i];
		if (a >= 'A' && a <= 'Z') a += 32;
		if (b >= 'A' && b <= 'Z') b += 32;
		if (a != b) return 0;
	}
	return 1;
}

static int read_num(const char *s, size_t n, size_t *i, int maxd, int *out)
{
	int v = 0, nd = 0;
	while (*i < n && nd < maxd && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++; nd++;
	}
	*out = v;
	return nd;
}

static int is_sp(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* str_to_date: parse s with MySQL format f. 1 ok with local us. */
int sl_exprtime_parse(const char *s, size_t sn, const char *f, size_t fn, int64_t *us)
{
	size_t i = 0, j;
	int y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0, pm = -1, yday = -1;
	int have_date = 0, h12 = 0;
	for (j = 0; j < fn; j++) {
		char c = f[j];
		if (is_sp(c)) { while (i < sn && is_sp(s[i])) i++; continue; }
		if (c != '%' || j + 1 >= fn) {
			if (i >= sn || s[i] != c) return 0;
			i++;
			continue;
		}
		c = f[++j];
		/* numeric fields skip leading spaces, as MySQL does */
		switch (c) {
		case 'Y': {
			size_t s0 = i;
			int nd = read_num(s, sn, &i, 4, &y);
			if (!nd) return 0;
			if (nd <= 2 && i - s0 == 2) y = y < 70 ? 2000 + y : 1900 + y;
			have_date = 1;
			break;
		}
		case 'y':
			if (read_num(s, sn, &i, 2, &y) != 2) return 0;
			y = y < 70 ? 2000 + y : 1900 + y;
			have_date = 1;
			break;
		case 'm': case 'c': if (!read_num(s, sn, &i, 2, &mo)) return 0; have_date = 1; break;
		case 'd': case 'e': if (!read_num(s, sn, &i, 2, &d)) return 0; have_date = 1; break;
		case 'D':
			if (!read_num(s, sn, &i, 2, &d)) return 0;
			if (i + 2 <= sn) i += 2;
			have_date = 1;
			break;
		case 'H': case 'k': if (!read_num(s, sn, &i, 2, &h)) return 0; break;
		case 'h': case 'I': case 'l': if (!read_num(s, sn, &i, 2, &h)) return 0; h12 = 1; break;
		case 'i': if (!read_num(s, sn, &i, 2, &mi)) return 0; break;
		case 's': case 'S': if (!read_num(s, sn, &i, 2, &sec)) return 0; break;
		case 'f': {
			int nd = 0;
			frac = 0;
			while (i < sn && s[i] >= '0' && s[i] <= '9') {
				if (nd < 6) { frac = frac * 10 + (s[i] - '0'); nd++; }
				i++;
			}
			if (!nd) return 0;
			while (nd < 6) { frac *= 10; nd++; }
			break;
		}
		case 'j': if (!read_num(s, sn, &i, 3, &yday)) return 0; have_date = 1; break;
		case 'p':
			if (name_prefix(s + i, sn - i, "AM", 2)) pm = 0;
			else if (name_prefix(s + i, sn - i, "PM", 2)) pm = 1;
			else return 0;
			i += 2;
			break;
		case 'M': case 'b': {
			int k, found = 0;
			for (k = 0; k < 12 && !found; k++) {
				size_t len = c == 'M' ? strlen(month_names[k]) : 3;
				if (name_prefix(s + i, sn - i, month_names[k], len)) { mo = k + 1; i += len; found = 1; }
			}
			if (!found) return 0;
			have_date = 1;
			break;
		}
		case 'W': case 'a': {
			int k, found = 0;
			for (k = 0; k < 7 && !found; k++) {
				size_t len = c == 'W' ? strlen(day_names[k]) : 3;
				if (name_prefix(s + i, sn - i, day_names[k], len)) { i += len; found = 1; }
			}
			if (!found) return 0;
			break;
		}
		case 'T':
			if (!read_num(s, sn, &i, 2, &h) || i >= sn || s[i++] != ':') return 0;
			if (!read_num(s, sn, &i, 2, &mi) || i >= sn || s[i++] != ':') return 0;
			if (!read_num(s, sn, &i, 2, &sec)) return 0;
			break;
		case 'r':
			if (!read_num(s, sn, &i, 2, &h) || i >= sn || s[i++] != ':') return 0;
			if (!read_num(s, sn, &i, 2, &mi) || i >= sn || s[i++] != ':') return 0;
			if (!read_num(s, sn, &i, 2, &sec)) return 0;
			while (i < sn && is_sp(s[i])) i++;
			if (name_prefix(s + i, sn - i, "AM", 2)) pm = 0;
			else if (name_prefix(s + i, sn - i, "PM", 2)) pm = 1;
			else return 0;
			i += 2;
			h12 = 1;
			break;
		default:
			if (i >= sn || s[i] != c) return 0;
			i++;
			break;
		}
	}
	(void)have_date;
	if (h12 || pm >= 0) {
		if (h < 1 || h > 12) { if (h12) return 0; }
		if (pm == 1 && h < 12) h += 12;
		else if (pm == 0 && h == 12) h = 0;
	}
	if (yday >= 0) {
		int64_t dd;
		if (yday < 1 || yday > days_in_year(y)) return 0;
		dd = sl_days_from_civil(y, 1, 1) + yday - 1;
		*us = dd * US_PER_DAY + ((int64_t)h * 3600 + mi * 60 + sec) * US_PER_SEC + frac;
		return h < 24 && mi < 60 && sec < 60;
	}
	if (!sl_date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59) return 0;
	*us = sl_days_from_civil(y, (unsigned)mo, (unsigned)d) * US_PER_DAY
	    + ((int64_t)h * 3600 + mi * 60 + sec) * US_PER_SEC + frac;
	return 1;
}

int64_t sl_exprtime_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * US_PER_SEC + tv.tv_usec;
}

const char *sl_exprtime_java(const char *f, size_t n, size_t *on)
{
	static const struct { const char *j, *m; } map[] = {
		{ "yyyy-MM-dd HH:mm:ss", "%Y-%m-%d %H:%i:%s" },
		{ "yyyy-MM-dd HH:mm", "%Y-%m-%d %H:%i" },
		{ "yyyy-MM-dd", "%Y-%m-%d" },
		{ "yyyyMMdd", "%Y%m%d" },
		{ "yyyyMMddHHmmss", "%Y%m%d%H%i%s" },
		{ "yyyy-MM", "%Y-%m" },
	};
	size_t i;
	for (i = 0; i < SL_ARRAY_LEN(map); i++)
		if (strlen(map[i].j) == n && !memcmp(map[i].j, f, n)) {
			*on = strlen(map[i].m);
			return map[i].m;
		}
	*on = n;
	return f;
}
