/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types.c -- Doris scalar types: type names, the binary field encoding,
 * casts from text with Doris's non-strict semantics, and text formatting.
 *
 * sl_cast_text runs once per field in sl-map, millions of times a second,
 * so integers, decimals and dates are parsed by hand without allocating;
 * strtod is only the fallback for doubles the exact fast path cannot do.
 * The time-zone functions declared in types.h also live here because
 * zone-suffixed datetime text ("2024-01-01 10:00:00+08:00") needs them.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#include "sl.h"
#include "io.h"
#include "types.h"

/* ------------------------------------------------------------------ */
/* type names */

struct tname { const char *name; uint8_t kind; };
static const struct tname tnames[] = {
	{ "boolean", SL_T_BOOLEAN }, { "bool", SL_T_BOOLEAN },
	{ "tinyint", SL_T_TINYINT }, { "smallint", SL_T_SMALLINT },
	{ "int", SL_T_INT }, { "integer", SL_T_INT },
	{ "bigint", SL_T_BIGINT }, { "largeint", SL_T_LARGEINT },
	{ "float", SL_T_FLOAT }, { "double", SL_T_DOUBLE },
	{ "decimal", SL_T_DECIMAL }, { "decimalv3", SL_T_DECIMAL },
	{ "decimalv2", SL_T_DECIMAL },
	{ "date", SL_T_DATE }, { "datev2", SL_T_DATE }, { "datev1", SL_T_DATE },
	{ "datetime", SL_T_DATETIME }, { "datetimev2", SL_T_DATETIME },
	{ "datetimev1", SL_T_DATETIME },
	{ "char", SL_T_CHAR }, { "character", SL_T_CHAR },
	{ "varchar", SL_T_VARCHAR },
	{ "string", SL_T_STRING }, { "text", SL_T_STRING },
};

#define IS_DIGIT(c) ((unsigned)((unsigned char)(c) - '0') <= 9u)

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int lc(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* Parse an unsigned decimal at s[*i..n), skipping spaces around it. */
static int parse_tparam(const char *s, size_t n, size_t *i, long *out)
{
	long v = 0;
	size_t j = *i, d0;
	while (j < n && is_space((unsigned char)s[j])) j++;
	d0 = j;
	while (j < n && s[j] >= '0' && s[j] <= '9') {
		if (v > 100000000) return 0;
		v = v * 10 + (s[j] - '0');
		j++;
	}
	if (j == d0) return 0;
	while (j < n && is_space((unsigned char)s[j])) j++;
	*i = j;
	*out = v;
	return 1;
}

int sl_type_parse(const char *s, size_t n, sl_type *t, const char **err)
{
	const char *dummy;
	size_t i = 0, w0, wn, k;
	long a = -1, b = -1;
	int nparams = 0;
	uint8_t kind = 0;

	if (!err) err = &dummy;
	*err = NULL;
	while (i < n && is_space((unsigned char)s[i])) i++;
	w0 = i;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
	    || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) i++;
	wn = i - w0;
	for (k = 0; k < SL_ARRAY_LEN(tnames); k++) {
		const char *nm = tnames[k].name;
		size_t m = strlen(nm), j;
		if (m != wn) continue;
		for (j = 0; j < m; j++)
			if (lc((unsigned char)s[w0 + j]) != nm[j]) break;
		if (j == m) { kind = tnames[k].kind; break; }
	}
	if (!kind) { *err = "unknown type"; return 0; }
	while (i < n && is_space((unsigned char)s[i])) i++;
	if (i < n && s[i] == '(') {
		i++;
		if (!parse_tparam(s, n, &i, &a)) { *err = "bad type parameter"; return 0; }
		nparams = 1;
		if (i < n && s[i] == ',') {
			i++;
			if (!parse_tparam(s, n, &i, &b)) { *err = "bad type parameter"; return 0; }
			nparams = 2;
		}
		if (i >= n || s[i] != ')') { *err = "bad type parameter"; return 0; }
		i++;
		while (i < n && is_space((unsigned char)s[i])) i++;
	}
	if (i != n) { *err = "unexpected text after type"; return 0; }

	memset(t, 0, sizeof *t);
	t->kind = kind;
	switch (kind) {
	case SL_T_BOOLEAN: case SL_T_TINYINT: case SL_T_SMALLINT: case SL_T_INT:
	case SL_T_BIGINT: case SL_T_LARGEINT:
		/* MySQL display widths (INT(11)) are accepted and ignored. */
		if (nparams > 1) { *err = "integer types take at most one parameter"; return 0; }
		break;
	case SL_T_FLOAT: case SL_T_DOUBLE: case SL_T_DATE: case SL_T_STRING:
		if (nparams) { *err = "type takes no parameters"; return 0; }
		break;
	case SL_T_DECIMAL:
		t->prec = 9; t->scale = 0;
		if (nparams >= 1) {
			if (a < 1 || a > 38) { *err = "decimal precision must be between 1 and 38"; return 0; }
			t->prec = (uint8_t)a;
		}
		if (nparams == 2) {
			if (b < 0 || b > a) { *err = "decimal scale must be between 0 and precision"; return 0; }
			t->scale = (uint8_t)b;
		}
		break;
	case SL_T_DATETIME:
		if (nparams > 1) { *err = "datetime takes one parameter"; return 0; }
		if (nparams == 1) {
			if (a < 0 || a > 6) { *err = "datetime scale must be between 0 and 6"; return 0; }
			t->scale = (uint8_t)a;
		}
		break;
	case SL_T_CHAR:
		if (nparams > 1) { *err = "char takes one parameter"; return 0; }
		t->len = 1;
		if (nparams == 1) {
			if (a < 1 || a > 255) { *err = "char length must be between 1 and 255"; return 0; }
			t->len = (int32_t)a;
		}
		break;
	case SL_T_VARCHAR:
		if (nparams > 1) { *err = "varchar takes one parameter"; return 0; }
		t->len = 65533;
		if (nparams == 1) {
			if (a < 1 || a > 65533) { *err = "varchar length must be between 1 and 65533"; return 0; }
			t->len = (int32_t)a;
		}
		break;
	}
	if (kind == SL_T_STRING) t->len = 2147483643;
	return 1;
}

static const char *const knames[SL_T__COUNT] = {
	"null_type", "boolean", "tinyint", "smallint", "int", "bigint", "largeint",
	"float", "double", "decimal", "date", "datetime", "char", "varchar", "text",
};

static size_t type_format(const sl_type *t, char *buf, size_t cap, int upper)
{
	char tmp[64];
	const char *nm = t->kind < SL_T__COUNT ? knames[t->kind] : "unknown";
	int r;
	size_t i, len;

	if (upper && t->kind == SL_T_STRING) nm = "string";
	switch (t->kind) {
	case SL_T_DECIMAL: r = snprintf(tmp, sizeof tmp, "%s(%u,%u)", nm, t->prec, t->scale); break;
	case SL_T_DATETIME:
		r = t->scale ? snprintf(tmp, sizeof tmp, "%s(%u)", nm, t->scale)
		             : snprintf(tmp, sizeof tmp, "%s", nm);
		break;
	case SL_T_CHAR: case SL_T_VARCHAR:
		r = snprintf(tmp, sizeof tmp, "%s(%ld)", nm, (long)t->len); break;
	default: r = snprintf(tmp, sizeof tmp, "%s", nm); break;
	}
	len = r < 0 ? 0 : (size_t)r;
	if (upper)
		for (i = 0; i < len; i++)
			if (tmp[i] >= 'a' && tmp[i] <= 'z') tmp[i] -= 32;
	if (cap) {
		size_t c = len < cap - 1 ? len : cap - 1;
		memcpy(buf, tmp, c);
		buf[c] = 0;
		return c;
	}
	return 0;
}

size_t sl_type_format(const sl_type *t, char *buf, size_t cap) { return type_format(t, buf, cap, 0); }
size_t sl_type_format_upper(const sl_type *t, char *buf, size_t cap) { return type_format(t, buf, cap, 1); }

int sl_type_is_string(const sl_type *t)
{
	return t->kind == SL_T_CHAR || t->kind == SL_T_VARCHAR || t->kind == SL_T_STRING;
}

int sl_type_is_integer(const sl_type *t)
{
	return t->kind >= SL_T_BOOLEAN && t->kind <= SL_T_LARGEINT;
}

int sl_type_is_numeric(const sl_type *t)
{
	return t->kind >= SL_T_BOOLEAN && t->kind <= SL_T_DECIMAL;
}

size_t sl_type_width(const sl_type *t)
{
	switch (t->kind) {
	case SL_T_BOOLEAN: case SL_T_TINYINT: return 1;
	case SL_T_SMALLINT: return 2;
	case SL_T_INT: case SL_T_FLOAT: case SL_T_DATE: return 4;
	case SL_T_BIGINT: case SL_T_DOUBLE: case SL_T_DATETIME: return 8;
	case SL_T_LARGEINT: case SL_T_DECIMAL: return 16;
	default: return 0;
	}
}

/* ------------------------------------------------------------------ */
/* binary encoding */

static void i128_pack(char *p, __int128 v)
{
	unsigned __int128 u = (unsigned __int128)v;
	sl_u64_pack(p, (uint64_t)(u >> 64));
	sl_u64_pack(p + 8, (uint64_t)u);
}

static __int128 i128_unpack(const char *p)
{
	unsigned __int128 u = ((unsigned __int128)sl_u64_unpack(p) << 64) | sl_u64_unpack(p + 8);
	return (__int128)u;
}

int sl_value_decode(const sl_type *t, const char *p, uint32_t n, sl_value *v)
{
	size_t w;
	memset(v, 0, sizeof *v);
	v->tkind = t->kind;
	if (n == SL_NULL_LEN) { v->kind = SL_V_NULL; return 1; }
	w = sl_type_width(t);
	if (sl_type_is_string(t) || t->kind == SL_T_NULL) {
		v->kind = SL_V_STRING;
		v->u.s.p = p;
		v->u.s.n = n;
		return 1;
	}
	if (n != w) { errno = EPROTO; return -1; }
	switch (t->kind) {
	case SL_T_BOOLEAN: v->kind = SL_V_INT; v->u.i = p[0] ? 1 : 0; break;
	case SL_T_TINYINT: v->kind = SL_V_INT; v->u.i = (int8_t)p[0]; break;
	case SL_T_SMALLINT: v->kind = SL_V_INT; v->u.i = (int16_t)sl_u16_unpack(p); break;
	case SL_T_INT: v->kind = SL_V_INT; v->u.i = (int32_t)sl_u32_unpack(p); break;
	case SL_T_BIGINT: v->kind = SL_V_INT; v->u.i = (int64_t)sl_u64_unpack(p); break;
	case SL_T_LARGEINT: v->kind = SL_V_LARGE; v->u.l = i128_unpack(p); break;
	case SL_T_FLOAT: {
		uint32_t b = sl_u32_unpack(p);
		float f;
		memcpy(&f, &b, 4);
		v->kind = SL_V_DOUBLE;
		v->u.d = f;
		break;
	}
	case SL_T_DOUBLE: {
		uint64_t b = sl_u64_unpack(p);
		memcpy(&v->u.d, &b, 8);
		v->kind = SL_V_DOUBLE;
		break;
	}
	case SL_T_DECIMAL:
		v->kind = SL_V_DECIMAL; v->u.l = i128_unpack(p);
		v->prec = t->prec; v->scale = t->scale;
		break;
	case SL_T_DATE: v->kind = SL_V_DATE; v->u.i = (int32_t)sl_u32_unpack(p); break;
	case SL_T_DATETIME:
		v->kind = SL_V_DATETIME; v->u.i = (int64_t)sl_u64_unpack(p);
		v->scale = t->scale;
		break;
	default: errno = EPROTO; return -1;
	}
	return 1;
}

/* Integer view of a value of any numeric kind (for tolerant encoding). */
static int64_t v_as_i64(const sl_value *v)
{
	switch (v->kind) {
	case SL_V_LARGE: case SL_V_DECIMAL: return (int64_t)v->u.l;
	case SL_V_DOUBLE: return (int64_t)v->u.d;
	default: return v->u.i;
	}
}

uint32_t sl_value_encode(const sl_type *t, const sl_value *v, char *buf, const char **outp)
{
	if (outp) *outp = buf;
	if (v->kind == SL_V_NULL) return SL_NULL_LEN;
	switch (t->kind) {
	case SL_T_BOOLEAN: buf[0] = v_as_i64(v) ? 1 : 0; return 1;
	case SL_T_TINYINT: buf[0] = (char)v_as_i64(v); return 1;
	case SL_T_SMALLINT: sl_u16_pack(buf, (uint16_t)v_as_i64(v)); return 2;
	case SL_T_INT: case SL_T_DATE: sl_u32_pack(buf, (uint32_t)v_as_i64(v)); return 4;
	case SL_T_BIGINT: case SL_T_DATETIME: sl_u64_pack(buf, (uint64_t)v_as_i64(v)); return 8;
	case SL_T_LARGEINT: case SL_T_DECIMAL: {
		__int128 l = (v->kind == SL_V_LARGE || v->kind == SL_V_DECIMAL) ? v->u.l : (__int128)v_as_i64(v);
		i128_pack(buf, l);
		return 16;
	}
	case SL_T_FLOAT: {
		float f = (float)(v->kind == SL_V_DOUBLE ? v->u.d : (double)v_as_i64(v));
		uint32_t b;
		memcpy(&b, &f, 4);
		sl_u32_pack(buf, b);
		return 4;
	}
	case SL_T_DOUBLE: {
		double d = v->kind == SL_V_DOUBLE ? v->u.d : (double)v_as_i64(v);
		uint64_t b;
		memcpy(&b, &d, 8);
		sl_u64_pack(buf, b);
		return 8;
	}
	default:
		if (v->kind == SL_V_STRING) {
			if (outp) *outp = v->u.s.p;
			else memcpy(buf, v->u.s.p, v->u.s.n);
			return (uint32_t)v->u.s.n;
		}
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* calendar */

int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void sl_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, yy, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int sl_days_in_month(int y, int m)
{
	static const unsigned char dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12) return 0;
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

int sl_date_valid(int y, int m, int d)
{
	if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1) return 0;
	return d <= sl_days_in_month(y, m);
}

/* ------------------------------------------------------------------ */
/* time zones */

/* Either a fixed offset (tz_fixed) or libc's zone database via TZ. */
static int tz_mode;             /* 0 libc default zone, 1 fixed, 2 libc named */
static int64_t tz_fixed_us;

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

static int name_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lc((unsigned char)*a) != lc((unsigned char)*b)) return 0;
	return *a == *b;
}

#define TZDIR "/usr/share/zoneinfo"

static int is_zone_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

static int name_ieq3(const char *a, const char *b)
{
	return lc((unsigned char)a[0]) == lc((unsigned char)b[0]) && lc((unsigned char)a[1]) == lc((unsigned char)b[1])
	    && lc((unsigned char)a[2]) == lc((unsigned char)b[2]);
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
				if (lc((unsigned char)de->d_name[i]) != lc((unsigned char)seg[i])) break;
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

int sl_tz_set(const char *name)
{
	int64_t off;
	char path[512];
	const char *p;

	if (!name || !*name) return 0;
	if (name_ieq(name, "UTC") || name_ieq(name, "GMT") || name_ieq(name, "Z")
	    || name_ieq(name, "Etc/UTC") || name_ieq(name, "UCT")) {
		tz_mode = 1; tz_fixed_us = 0; return 1;
	}
	if (parse_offset(name, strlen(name), &off)) {
		tz_mode = 1; tz_fixed_us = off * 1000000; return 1;
	}
	/* "GMT+8", "UTC+08:00": offsets in the Java sense (not POSIX's
	 * inverted Etc/GMT+8). */
	if (strlen(name) > 3 && (name_ieq3(name, "GMT") || name_ieq3(name, "UTC"))
	    && (name[3] == '+' || name[3] == '-')) {
		if (!parse_offset(name + 3, strlen(name + 3), &off)) return 0;
		tz_mode = 1; tz_fixed_us = off * 1000000; return 1;
	}
	/* Doris maps CST to Asia/Shanghai. */
	if (name_ieq(name, "CST")) name = "Asia/Shanghai";
	if (name[0] == '/' || name[0] == '.' || strstr(name, "..") || strlen(name) > 200) return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
		    || *p == '/' || *p == '_' || *p == '-' || *p == '+'))
			return 0;
	snprintf(path, sizeof path, "%s/%s", TZDIR, name);
	if (!is_zone_file(path) && !tz_find_icase(name, path, sizeof path)) return 0;
	if (setenv("TZ", path + strlen(TZDIR) + 1, 1) != 0) return 0;
	tzset();
	tz_mode = 2;
	return 1;
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

/* ------------------------------------------------------------------ */
/* casts from text */

static void trim(const char **ps, size_t *pn)
{
	const char *s = *ps;
	size_t n = *pn;
	while (n && is_space((unsigned char)*s)) { s++; n--; }
	while (n && is_space((unsigned char)s[n - 1])) n--;
	*ps = s; *pn = n;
}

/* Integer text: [+-]digits[.digits] (the fraction is truncated, as Doris
 * does: "3.12" -> 3). Range-checked against [lo, hi]. */
static int parse_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
	size_t i = 0;
	int neg = 0, nd = 0;
	uint64_t v = 0, lim;

	trim(&s, &n);
	if (!n) return 0;
	if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i++; }
	lim = neg ? (uint64_t)0 - (uint64_t)lo : (uint64_t)hi;
	for (; i < n; i++) {
		unsigned c = (unsigned char)s[i] - '0';
		if (c > 9) break;
		if (v > (lim - c) / 10) return 0;
		v = v * 10 + c;
		nd++;
	}
	if (i < n) {
		if (s[i] != '.') return 0;
		for (i++; i < n; i++) {
			if (!IS_DIGIT(s[i])) return 0;
			nd++;
		}
	}
	if (!nd) return 0;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

static int parse_large(const char *s, size_t n, __int128 *out)
{
	size_t i = 0;
	int neg = 0, nd = 0;
	unsigned __int128 v = 0, lim;

	trim(&s, &n);
	if (!n) return 0;
	if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i++; }
	lim = ((unsigned __int128)1 << 127) - (neg ? 0 : 1);
	for (; i < n; i++) {
		unsigned c = (unsigned char)s[i] - '0';
		if (c > 9) break;
		if (v > (lim - c) / 10) return 0;
		v = v * 10 + c;
		nd++;
	}
	if (i < n) {
		if (s[i] != '.') return 0;
		for (i++; i < n; i++) {
			if (!IS_DIGIT(s[i])) return 0;
			nd++;
		}
	}
	if (!nd) return 0;
	*out = neg ? (__int128)(0 - v) : (__int128)v;
	return 1;
}

static const __int128 *pow10_tab(void)
{
	static __int128 t[39];
	static int init;
	if (!init) {
		int i;
		t[0] = 1;
		for (i = 1; i < 39; i++) t[i] = t[i - 1] * 10;
		init = 1;
	}
	return t;
}

__int128 sl_pow10_i128(int n)
{
	if (n < 0 || n > 38) return 0;
	return pow10_tab()[n];
}

/* Decimal text -> unscaled value at `scale`, rounding half away from zero;
 * 0 on invalid text or when |value| >= 10^prec. Accepts an exponent. */
int sl_parse_decimal(const char *s, size_t n, int prec, int scale, __int128 *out)
{
	size_t i = 0, i0, ds, de, fs = 0, fe = 0;
	int neg = 0;
	long exp = 0, ndig, point, keep, k;
	unsigned __int128 acc = 0;
	int nsig = 0, rdig = 0;
	const __int128 *p10 = pow10_tab();

	trim(&s, &n);
	if (!n) return 0;
	if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i++; }
	i0 = i;
	while (i < n && s[i] == '0') i++;       /* leading zeros do not count */
	ds = i;
	while (i < n && IS_DIGIT(s[i])) i++;
	de = i;
	if (i < n && s[i] == '.') {
		i++;
		fs = i;
		while (i < n && IS_DIGIT(s[i])) i++;
		fe = i;
	}
	if (de == i0 && fe == fs) return 0;     /* no digit at all */
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0, end = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+')) { eneg = s[i] == '-'; i++; }
		while (i < n && IS_DIGIT(s[i])) {
			if (exp < 100000) exp = exp * 10 + (s[i] - '0');
			i++; end = 1;
		}
		if (!end) return 0;
		if (eneg) exp = -exp;
	}
	if (i != n) return 0;

	{
		size_t z;
		int nz = 0;
		for (z = ds; z < de && !nz; z++) nz = s[z] != '0';
		for (z = fs; z < fe && !nz; z++) nz = s[z] != '0';
		if (!nz) { *out = 0; return 1; }
	}
	ndig = (long)(de - ds) + (long)(fe - fs);
	point = (long)(de - ds) + exp;
	keep = point + scale;        /* digits that form the unscaled value */
	if (keep > 80) return 0;     /* certainly too many */
	for (k = 0; k < ndig; k++) {
		size_t pos = (size_t)k < de - ds ? ds + (size_t)k : fs + (size_t)(k - (long)(de - ds));
		unsigned c = (unsigned char)s[pos] - '0';
		if (k < keep) {
			if (acc || c) nsig++;
			if (nsig > prec) return 0;
			acc = acc * 10 + c;
		} else {
			if (k == keep) rdig = (int)c;
			break;
		}
	}
	if (keep > ndig) {
		long extra = keep - ndig;
		if (acc) {
			if (nsig + extra > prec) return 0;
			acc *= (unsigned __int128)p10[extra];
		}
	}
	if (rdig >= 5) acc++;
	if (acc >= (unsigned __int128)p10[prec]) return 0;
	*out = neg ? -(__int128)acc : (__int128)acc;
	return 1;
}

/* Doubles: the exact fast path (Clinger) when the mantissa fits in 53 bits
 * and the power of ten is exact; strtod otherwise. Accepts inf/nan words
 * the way Doris does; rejects hex floats. Overflow gives +-Infinity. */
static const double exact_p10[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int word_ieq(const char *s, size_t n, const char *w)
{
	size_t i;
	if (strlen(w) != n) return 0;
	for (i = 0; i < n; i++)
		if (lc((unsigned char)s[i]) != w[i]) return 0;
	return 1;
}

int sl_parse_double(const char *s, size_t n, double *out)
{
	size_t i = 0, j;
	int neg = 0, nd = 0, nsig = 0, dot = 0;
	uint64_t m = 0;
	long exp10 = 0, e = 0;

	trim(&s, &n);
	if (!n) return 0;
	if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i++; }
	if (i < n && ((s[i] | 32) == 'i' || (s[i] | 32) == 'n')) {
		if (word_ieq(s + i, n - i, "inf") || word_ieq(s + i, n - i, "infinity")) {
			*out = neg ? -INFINITY : INFINITY; return 1;
		}
		if (word_ieq(s + i, n - i, "nan")) { *out = NAN; return 1; }
		return 0;
	}
	for (j = i; j < n; j++) {
		unsigned c = (unsigned char)s[j] - '0';
		if (c <= 9) {
			nd++;
			if (nsig < 19) {
				if (m || c) nsig++;
				m = m * 10 + c;
				if (dot) exp10--;
			} else if (!dot) {
				exp10++;
				if (c) nsig = 99;       /* lost digits: not exact */
			} else if (c) nsig = 99;
		} else if (s[j] == '.' && !dot) dot = 1;
		else break;
	}
	if (!nd) return 0;
	if (j < n && (s[j] == 'e' || s[j] == 'E')) {
		int eneg = 0, end = 0;
		j++;
		if (j < n && (s[j] == '-' || s[j] == '+')) { eneg = s[j] == '-'; j++; }
		while (j < n && IS_DIGIT(s[j])) {
			if (e < 100000) e = e * 10 + (s[j] - '0');
			j++; end = 1;
		}
		if (!end) return 0;
		if (eneg) e = -e;
	}
	if (j != n) return 0;
	exp10 += e;
	if (nsig <= 19 && m <= ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
		double d = (double)m;
		d = exp10 < 0 ? d / exact_p10[-exp10] : d * exact_p10[exp10];
		*out = neg ? -d : d;
		return 1;
	}
	if (m == 0 && nsig == 0) { *out = neg ? -0.0 : 0.0; return 1; }
	{
		char sbuf[128], *buf = sbuf, *end;
		double d;
		if (n >= sizeof sbuf) {
			buf = malloc(n + 1);
			if (!buf) return 0;
		}
		memcpy(buf, s, n);
		buf[n] = 0;
		d = strtod(buf, &end);
		if (buf != sbuf) free(buf);
		*out = d;       /* ERANGE overflow gives HUGE_VAL = Infinity */
		return 1;
	}
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
	while (*i < n && nd < maxd && IS_DIGIT(s[*i])) {
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
	while (*i < n && IS_DIGIT(s[*i])) {
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
	trim(&s, &n);
	if (!n) return 0;
	for (run = 0; run < n && IS_DIGIT(s[run]); run++) ;
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
		if (i < n && IS_DIGIT(s[i])) {
			size_t r2;
			for (r2 = i; r2 < n && IS_DIGIT(s[r2]); r2++) ;
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
			if (word_ieq(zs, zn, "z") || word_ieq(zs, zn, "utc") || word_ieq(zs, zn, "gmt")) {
				o->has_tz = 1; o->tz_secs = 0;
			} else if (parse_offset(zs, zn, &off)) {
				o->has_tz = 1; o->tz_secs = off;
			} else if (zn > 3 && (word_ieq(zs, 3, "utc") || word_ieq(zs, 3, "gmt"))
			    && parse_offset(zs + 3, zn - 3, &off)) {
				o->has_tz = 1; o->tz_secs = off;
			} else return 0;
		} else return 0;   /* trailing spaces were trimmed: unreachable */
	}
	if (!sl_date_valid(o->y, o->mo, o->d)) return 0;
	if (o->h > 23 || o->mi > 59 || o->sec > 59) return 0;
	return 1;
}

#define US_PER_DAY INT64_C(86400000000)
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
	v = days * US_PER_DAY + ((int64_t)o.h * 3600 + o.mi * 60 + o.sec) * 1000000 + o.us;
	if (o.has_tz)
		v = sl_tz_to_local(v - o.tz_secs * 1000000);
	if (v < (int64_t)DAYS_MIN * US_PER_DAY || v >= ((int64_t)DAYS_MAX + 1) * US_PER_DAY) return 0;
	*us = v;
	return 1;
}

int sl_parse_date(const char *s, size_t n, int32_t *days)
{
	struct dt o;
	if (!parse_dt(s, n, 0, &o)) return 0;
	if (o.has_tz) {
		int64_t v = sl_days_from_civil(o.y, (unsigned)o.mo, (unsigned)o.d) * US_PER_DAY
		    + ((int64_t)o.h * 3600 + o.mi * 60 + o.sec) * 1000000;
		v = sl_tz_to_local(v - o.tz_secs * 1000000);
		*days = (int32_t)floordiv(v, US_PER_DAY);
		return *days >= DAYS_MIN && *days <= DAYS_MAX;
	}
	*days = (int32_t)sl_days_from_civil(o.y, (unsigned)o.mo, (unsigned)o.d);
	return 1;
}

int sl_parse_bool(const char *s, size_t n, int *b)
{
	trim(&s, &n);
	if (n == 1 && (s[0] == '0' || s[0] == '1')) { *b = s[0] == '1'; return 1; }
	if (word_ieq(s, n, "true")) { *b = 1; return 1; }
	if (word_ieq(s, n, "false")) { *b = 0; return 1; }
	{
		/* other integer spellings of 0 and 1 ("+1", "00", "1.0") */
		int64_t v;
		if (parse_int(s, n, INT64_MIN, INT64_MAX, &v) && (v == 0 || v == 1)) { *b = (int)v; return 1; }
	}
	return 0;
}

static const int64_t int_lo[] = { 0, 0, INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN };
static const int64_t int_hi[] = { 0, 1, INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX };

int sl_cast_text(const sl_type *t, const char *s, size_t n, sl_value *v)
{
	v->tkind = t->kind;
	v->scale = 0;
	v->prec = 0;
	switch (t->kind) {
	case SL_T_BOOLEAN: {
		int b;
		if (!sl_parse_bool(s, n, &b)) goto null;
		v->kind = SL_V_INT; v->u.i = b;
		return 1;
	}
	case SL_T_TINYINT: case SL_T_SMALLINT: case SL_T_INT: case SL_T_BIGINT:
		if (!parse_int(s, n, int_lo[t->kind], int_hi[t->kind], &v->u.i)) goto null;
		v->kind = SL_V_INT;
		return 1;
	case SL_T_LARGEINT:
		if (!parse_large(s, n, &v->u.l)) goto null;
		v->kind = SL_V_LARGE;
		return 1;
	case SL_T_FLOAT: case SL_T_DOUBLE: {
		double d;
		if (!sl_parse_double(s, n, &d)) goto null;
		if (t->kind == SL_T_FLOAT) d = (float)d;
		v->kind = SL_V_DOUBLE; v->u.d = d;
		return 1;
	}
	case SL_T_DECIMAL:
		if (!sl_parse_decimal(s, n, t->prec, t->scale, &v->u.l)) goto null;
		v->kind = SL_V_DECIMAL; v->prec = t->prec; v->scale = t->scale;
		return 1;
	case SL_T_DATE: {
		int32_t d;
		if (!sl_parse_date(s, n, &d)) goto null;
		v->kind = SL_V_DATE; v->u.i = d;
		return 1;
	}
	case SL_T_DATETIME:
		if (!sl_parse_datetime(s, n, t->scale, &v->u.i)) goto null;
		v->kind = SL_V_DATETIME; v->scale = t->scale;
		return 1;
	case SL_T_CHAR: case SL_T_VARCHAR: case SL_T_STRING:
		v->kind = SL_V_STRING; v->u.s.p = s; v->u.s.n = n;
		return 1;
	default:
		break;
	}
null:
	v->kind = SL_V_NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* formatting */

/* Write |v| in decimal at the end of buf (returns the start). */
static char *u128_str(unsigned __int128 u, char *end)
{
	char *p = end;
	*--p = 0;
	if (!u) { *--p = '0'; return p; }
	while (u >= 10000000000000000000ULL) {
		uint64_t lo = (uint64_t)(u % 10000000000000000000ULL);
		int k;
		u /= 10000000000000000000ULL;
		for (k = 0; k < 19; k++) { *--p = (char)('0' + lo % 10); lo /= 10; }
	}
	{
		uint64_t x = (uint64_t)u;
		while (x) { *--p = (char)('0' + x % 10); x /= 10; }
	}
	return p;
}

size_t sl_fmt_i128(__int128 v, char *buf)
{
	char tmp[48], *p;
	size_t n = 0, l;
	unsigned __int128 u = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
	p = u128_str(u, tmp + sizeof tmp);
	if (v < 0) buf[n++] = '-';
	l = strlen(p);
	memcpy(buf + n, p, l + 1);
	return n + l;
}

size_t sl_fmt_decimal(__int128 v, int scale, char *buf)
{
	char tmp[48], *p;
	size_t n = 0, l;
	unsigned __int128 u = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
	p = u128_str(u, tmp + sizeof tmp);
	l = strlen(p);
	if (v < 0) buf[n++] = '-';
	if (scale <= 0) { memcpy(buf + n, p, l + 1); return n + l; }
	if (l <= (size_t)scale) {
		size_t z;
		buf[n++] = '0';
		buf[n++] = '.';
		for (z = l; z < (size_t)scale; z++) buf[n++] = '0';
		memcpy(buf + n, p, l + 1);
		return n + l;
	}
	memcpy(buf + n, p, l - (size_t)scale);
	n += l - (size_t)scale;
	buf[n++] = '.';
	memcpy(buf + n, p + l - scale, (size_t)scale + 1);
	return n + (size_t)scale;
}

size_t sl_fmt_double(double d, int is_float, char *buf)
{
	int prec;
	if (isnan(d)) { memcpy(buf, "NaN", 4); return 3; }
	if (isinf(d)) {
		if (d < 0) { memcpy(buf, "-Infinity", 10); return 9; }
		memcpy(buf, "Infinity", 9); return 8;
	}
	if (is_float) {
		float f = (float)d;
		d = f;
		for (prec = 6; prec < 9; prec++) {
			snprintf(buf, 32, "%.*g", prec, d);
			if (strtof(buf, NULL) == f) break;
		}
	} else {
		for (prec = 15; prec < 17; prec++) {
			snprintf(buf, 32, "%.*g", prec, d);
			if (strtod(buf, NULL) == d) break;
		}
	}
	{
		/* %g switches to exponent form once the exponent reaches the
		 * precision; keep integers below 1e16 in plain digits (1000000, not
		 * 1e+06), as Doris prints them. */
		int r = snprintf(buf, 32, "%.*g", prec, d);
		char *e = strchr(buf, 'e');
		if (e && e[1] == '+') {
			int x = atoi(e + 2);
			if (x < 16) r = snprintf(buf, 32, "%.*g", x + 1, d);
		}
		return (size_t)r;
	}
}

static void put2(char *p, unsigned v) { p[0] = (char)('0' + v / 10 % 10); p[1] = (char)('0' + v % 10); }

size_t sl_fmt_date(int64_t days, char *buf)
{
	int y; unsigned m, d;
	sl_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) return (size_t)snprintf(buf, 32, "%d-%02u-%02u", y, m, d);
	put2(buf, (unsigned)y / 100);
	put2(buf + 2, (unsigned)y % 100);
	buf[4] = '-';
	put2(buf + 5, m);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 0;
	return 10;
}

size_t sl_fmt_datetime(int64_t us, int scale, char *buf)
{
	int64_t days = floordiv(us, US_PER_DAY);
	int64_t rem = us - days * US_PER_DAY;
	int64_t sod = rem / 1000000, frac = rem % 1000000;
	size_t n = sl_fmt_date(days, buf);
	buf[n++] = ' ';
	put2(buf + n, (unsigned)(sod / 3600)); n += 2;
	buf[n++] = ':';
	put2(buf + n, (unsigned)(sod / 60 % 60)); n += 2;
	buf[n++] = ':';
	put2(buf + n, (unsigned)(sod % 60)); n += 2;
	if (scale > 0) {
		int k;
		char f[6];
		if (scale > 6) scale = 6;
		for (k = 5; k >= 0; k--) { f[k] = (char)('0' + frac % 10); frac /= 10; }
		buf[n++] = '.';
		memcpy(buf + n, f, (size_t)scale);
		n += (size_t)scale;
	}
	buf[n] = 0;
	return n;
}

size_t sl_value_fmt(const sl_value *v, char *buf)
{
	switch (v->kind) {
	case SL_V_NULL: memcpy(buf, "NULL", 5); return 4;
	case SL_V_INT: return sl_fmt_i128(v->u.i, buf);
	case SL_V_LARGE: return sl_fmt_i128(v->u.l, buf);
	case SL_V_DOUBLE: return sl_fmt_double(v->u.d, v->tkind == SL_T_FLOAT, buf);
	case SL_V_DECIMAL: return sl_fmt_decimal(v->u.l, v->scale, buf);
	case SL_V_DATE: return sl_fmt_date(v->u.i, buf);
	case SL_V_DATETIME: return sl_fmt_datetime(v->u.i, v->scale, buf);
	default: buf[0] = 0; return 0;
	}
}

int sl_value_format(const sl_value *v, struct sl_buf *out)
{
	char buf[SL_VALUE_FMT_MAX];
	size_t n;
	if (v->kind == SL_V_STRING) return sl_buf_put(out, v->u.s.p, v->u.s.n);
	n = sl_value_fmt(v, buf);
	return sl_buf_put(out, buf, n);
}
