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
#include "datetime.h"
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
	c->days = sl_exprval_floordiv(us, EXPR_US_PER_DAY);
	sod = us - c->days * EXPR_US_PER_DAY;
	sl_civil_from_days(c->days, &c->y, &m, &d);
	c->mo = (int)m;
	c->d = (int)d;
	c->us = (int)(sod % EXPR_US_PER_SEC);
	sod /= EXPR_US_PER_SEC;
	c->h = (int)(sod / 3600);
	c->mi = (int)(sod / 60 % 60);
	c->s = (int)(sod % 60);
}

/* Any value as local datetime microseconds; 0 if not a date. */
int sl_exprtime_us(const sl_value *v, int64_t *us)
{
	switch (v->kind) {
	case SL_V_DATE: *us = v->u.i * EXPR_US_PER_DAY; return 1;
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
/* The fields str_to_date has read so far. */
struct parsed { int y, mo, d, h, mi, sec, frac, pm, yday, h12; };

/* AM or PM at s[*i]: pm 0 or 1. */
static int read_ampm(const char *s, size_t sn, size_t *i, int *pm)
{
	if (name_prefix(s + *i, sn - *i, "AM", 2)) *pm = 0;
	else if (name_prefix(s + *i, sn - *i, "PM", 2)) *pm = 1;
	else return 0;
	*i += 2;
	return 1;
}

/* One of n names (whole, or its first 3 letters when abbr) at s[*i]: its
 * index, or -1. */
static int read_name(const char *s, size_t sn, size_t *i, const char *const *names, int n, int abbr)
{
	int k;
	for (k = 0; k < n; k++) {
		size_t len = abbr ? 3 : strlen(names[k]);
		if (name_prefix(s + *i, sn - *i, names[k], len)) { *i += len; return k; }
	}
	return -1;
}

/* Up to 6 digits of a fraction of a second, as microseconds. */
static int read_frac(const char *s, size_t sn, size_t *i, int *frac)
{
	int nd = 0;
	*frac = 0;
	while (*i < sn && s[*i] >= '0' && s[*i] <= '9') {
		if (nd < 6) { *frac = *frac * 10 + (s[*i] - '0'); nd++; }
		(*i)++;
	}
	if (!nd) return 0;
	while (nd < 6) { *frac *= 10; nd++; }
	return 1;
}

/* hh:mm:ss */
static int read_hms(const char *s, size_t sn, size_t *i, struct parsed *t)
{
	if (!read_num(s, sn, i, 2, &t->h) || *i >= sn || s[(*i)++] != ':') return 0;
	if (!read_num(s, sn, i, 2, &t->mi) || *i >= sn || s[(*i)++] != ':') return 0;
	return read_num(s, sn, i, 2, &t->sec) != 0;
}

/* The specifier %c at s[*i]. 1 read, 0 no match. */
static int read_spec(struct parsed *t, char c, const char *s, size_t sn, size_t *i)
{
	size_t s0 = *i;
	int nd, k;
	switch (c) {
	case 'Y':
		if (!(nd = read_num(s, sn, i, 4, &t->y))) return 0;
		if (nd <= 2 && *i - s0 == 2) t->y = t->y < 70 ? 2000 + t->y : 1900 + t->y;
		return 1;
	case 'y':
		if (read_num(s, sn, i, 2, &t->y) != 2) return 0;
		t->y = t->y < 70 ? 2000 + t->y : 1900 + t->y;
		return 1;
	case 'm': case 'c': return read_num(s, sn, i, 2, &t->mo) != 0;
	case 'd': case 'e': return read_num(s, sn, i, 2, &t->d) != 0;
	case 'D':
		if (!read_num(s, sn, i, 2, &t->d)) return 0;
		if (*i + 2 <= sn) *i += 2;
		return 1;
	case 'H': case 'k': return read_num(s, sn, i, 2, &t->h) != 0;
	case 'h': case 'I': case 'l': t->h12 = 1; return read_num(s, sn, i, 2, &t->h) != 0;
	case 'i': return read_num(s, sn, i, 2, &t->mi) != 0;
	case 's': case 'S': return read_num(s, sn, i, 2, &t->sec) != 0;
	case 'f': return read_frac(s, sn, i, &t->frac);
	case 'j': return read_num(s, sn, i, 3, &t->yday) != 0;
	case 'p': return read_ampm(s, sn, i, &t->pm);
	case 'M': case 'b':
		if ((k = read_name(s, sn, i, month_names, 12, c == 'b')) < 0) return 0;
		t->mo = k + 1;
		return 1;
	case 'W': case 'a': return read_name(s, sn, i, day_names, 7, c == 'a') >= 0;
	case 'T': return read_hms(s, sn, i, t);
	case 'r':
		if (!read_hms(s, sn, i, t)) return 0;
		while (*i < sn && is_sp(s[*i])) (*i)++;
		t->h12 = 1;
		return read_ampm(s, sn, i, &t->pm);
	default:
		if (*i >= sn || s[*i] != c) return 0;
		(*i)++;
		return 1;
	}
}

/* The datetime of the fields read: 1 with *us, 0 invalid. */
static int assemble(struct parsed *t, int64_t *us)
{
	int64_t day;
	if (t->h12 || t->pm >= 0) {
		if ((t->h < 1 || t->h > 12) && t->h12) return 0;
		if (t->pm == 1 && t->h < 12) t->h += 12;
		else if (t->pm == 0 && t->h == 12) t->h = 0;
	}
	if (t->yday >= 0) {
		if (t->yday < 1 || t->yday > days_in_year(t->y)) return 0;
		day = sl_days_from_civil(t->y, 1, 1) + t->yday - 1;
	} else {
		if (!sl_date_valid(t->y, t->mo, t->d) || t->h > 23 || t->mi > 59 || t->sec > 59) return 0;
		day = sl_days_from_civil(t->y, (unsigned)t->mo, (unsigned)t->d);
	}
	*us = day * EXPR_US_PER_DAY + ((int64_t)t->h * 3600 + t->mi * 60 + t->sec) * EXPR_US_PER_SEC + t->frac;
	return t->h < 24 && t->mi < 60 && t->sec < 60;
}

int sl_exprtime_parse(const char *s, size_t sn, const char *f, size_t fn, int64_t *us)
{
	struct parsed t = { 1970, 1, 1, 0, 0, 0, 0, -1, -1, 0 };
	size_t i = 0, j;
	for (j = 0; j < fn; j++) {
		char c = f[j];
		if (is_sp(c)) { while (i < sn && is_sp(s[i])) i++; continue; }
		if (c != '%' || j + 1 >= fn) {
			if (i >= sn || s[i] != c) return 0;
			i++;
			continue;
		}
		if (!read_spec(&t, f[++j], s, sn, &i)) return 0;
	}
	return assemble(&t, us);
}

int64_t sl_exprtime_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * EXPR_US_PER_SEC + tv.tv_usec;
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
