/* SPDX-License-Identifier: Apache-2.0 */
/* colval.c -- the Doris texts of columnar values, shared by the parquet, orc and arrow readers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colval.h"
#include "calendar.h"
#include "datetime.h"
#include "types.h"

/* days of 0000-01-01 and 9999-12-31 since 1970-01-01 */
#define COLVAL_DAY_MIN SL_COLVAL_DAY_MIN
#define COLVAL_DAY_MAX SL_COLVAL_DAY_MAX

static int einval(void)
{
	errno = EINVAL;
	return -1;
}

/* v's decimal digits, least significant first, into d[0..20); the count */
static size_t u64_digits(uint64_t v, char *d)
{
	size_t n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return n;
}

/* the character pre (none when 0), then v in decimal zero-padded to width
 * digits at least (printf's "%0*llu"); the buffer stays NUL-terminated.
 * The texts of every value go through here: no printf per value. */
static int put_padded(sl_buf *b, char pre, uint64_t v, int width)
{
	char d[20];
	size_t nd = u64_digits(v, d), i;
	if (sl_buf_reserve(b, nd + (size_t)width + 1) < 0) return -1;
	if (pre) b->p[b->len++] = pre;
	for (i = nd; i < (size_t)width; i++) b->p[b->len++] = '0';
	while (nd) b->p[b->len++] = d[--nd];
	b->p[b->len] = 0;
	return 1;
}

int sl_colval_int(sl_buf *b, int64_t v)
{
	return put_padded(b, v < 0 ? '-' : 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 1);
}

int sl_colval_uint(sl_buf *b, uint64_t v)
{
	return put_padded(b, 0, v, 1);
}

/* NaN and the infinities in the words Doris prints and casts back. */
static int special(sl_buf *b, double v)
{
	if (isnan(v)) return sl_buf_puts(b, "NaN");
	return sl_buf_puts(b, v < 0 ? "-Infinity" : "Infinity");
}

/* The text of p significant digits; an exponent of 0..16 is written out
 * in full ("150", not "1.5e+02"). */
static int digits_text(char *s, size_t cap, int p, double v)
{
	int n = snprintf(s, cap, "%.*g", p, v);
	const char *e = strchr(s, 'e');
	if (e) {
		int x = atoi(e + 1);
		if (x >= 0 && x < 17)
			n = snprintf(s, cap, "%.*g", p > x + 1 ? p : x + 1, v);
	}
	return n;
}

int sl_colval_double(sl_buf *b, double v)
{
	char s[48];
	int p, n = 0;
	if (!isfinite(v)) return special(b, v);
	/* the fewest significant digits that read back to the same double */
	for (p = 1; p <= 17; p++) {
		n = digits_text(s, sizeof s, p, v);
		if (strtod(s, NULL) == v) break;
	}
	return sl_buf_put(b, s, (size_t)n);
}

int sl_colval_float(sl_buf *b, float v)
{
	char s[48];
	int p, n = 0;
	if (!isfinite(v)) return special(b, v);
	for (p = 1; p <= 9; p++) {
		n = digits_text(s, sizeof s, p, (double)v);
		if (strtof(s, NULL) == v) break;
	}
	return sl_buf_put(b, s, (size_t)n);
}

int sl_colval_half(sl_buf *b, uint16_t h)
{
	unsigned e = (h >> 10) & 0x1f, m = h & 0x3ff;
	float f;
	if (e == 0x1f)
		f = m ? NAN : INFINITY;
	else if (e == 0)
		f = ldexpf((float)m, -24);
	else
		f = ldexpf((float)(m | 0x400), (int)e - 25);
	if (h & 0x8000) f = -f;
	return sl_colval_float(b, f);
}

/* Decimal digits of an unsigned little-endian magnitude mag[0..n) (destroyed),
 * least significant first, into d; returns the count. */
static size_t mag_digits(uint8_t *mag, size_t n, char *d)
{
	size_t nd = 0;
	for (;;) {
		unsigned rem = 0;
		int nonzero = 0;
		size_t i = n;
		while (i-- > 0) {
			unsigned cur = (rem << 8) | mag[i];
			mag[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			if (mag[i]) nonzero = 1;
		}
		d[nd++] = (char)('0' + rem);
		if (!nonzero) return nd;
	}
}

/* mag_digits with machine division when the magnitude fits 128 bits (the
 * decimals of every common width): the same digits, without a division
 * per byte per digit */
static size_t u128_digits(unsigned __int128 v, char *d)
{
	size_t nd = 0;
	while (v >> 64) {
		d[nd++] = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	}
	return nd + u64_digits((uint64_t)v, d + nd);
}

static size_t magnitude_digits(uint8_t *mag, size_t n, char *d)
{
	unsigned __int128 v = 0;
	size_t top = n;
	while (top > 0 && !mag[top - 1]) top--;
	if (top > 16) return mag_digits(mag, n, d);
	while (top > 0) v = v << 8 | mag[--top];
	return u128_digits(v, d);
}

/* digits d[0..nd) least significant first, shown with scale after the point */
static int put_scaled(sl_buf *b, int neg, const char *d, size_t nd, int scale)
{
	size_t sc = (size_t)scale, i;
	if (sl_buf_reserve(b, nd + sc + 3) < 0) return -1;
	if (neg) b->p[b->len++] = '-';
	if (nd <= sc) {
		b->p[b->len++] = '0';
	} else {
		for (i = nd; i > sc; i--) b->p[b->len++] = d[i - 1];
	}
	if (sc) {
		b->p[b->len++] = '.';
		for (i = sc; i > 0; i--) b->p[b->len++] = i - 1 < nd ? d[i - 1] : '0';
	}
	return 1;
}

int sl_colval_decimal(sl_buf *b, const uint8_t *p, size_t n, int le, int scale)
{
	uint8_t mag[32];
	char d[80];
	size_t i;
	int neg;
	if (n < 1 || n > 32 || scale < 0 || scale > 76) return einval();
	if (n <= 16) {   /* two's complement in 128 bits: no byte-wise negation */
		unsigned __int128 u = 0;
		for (i = 0; i < n; i++) u = u << 8 | p[le ? n - 1 - i : i];
		neg = (int)(u >> (8 * n - 1)) & 1;
		if (neg) u = n == 16 ? 0 - u : ((unsigned __int128)1 << (8 * n)) - u;
		return put_scaled(b, neg, d, u128_digits(u, d), scale);
	}
	for (i = 0; i < n; i++) mag[i] = le ? p[i] : p[n - 1 - i];
	neg = (mag[n - 1] & 0x80) != 0;
	if (neg) {
		unsigned carry = 1;
		for (i = 0; i < n; i++) {
			unsigned v = (uint8_t)~mag[i] + carry;
			mag[i] = (uint8_t)v;
			carry = v >> 8;
		}
	}
	return put_scaled(b, neg, d, magnitude_digits(mag, n, d), scale);
}

int sl_colval_decimal64(sl_buf *b, int64_t unscaled, int scale)
{
	uint8_t le[8];
	uint64_t u = (uint64_t)unscaled;
	int i;
	for (i = 0; i < 8; i++) le[i] = (uint8_t)(u >> (8 * i));
	return sl_colval_decimal(b, le, 8, 1, scale);
}

static int put_date(sl_buf *b, int64_t days)
{
	int y;
	unsigned m, d;
	sl_civil_from_days(days, &y, &m, &d);   /* y is 0..9999: the callers' range */
	return put_padded(b, 0, (uint64_t)y, 4) < 0 || put_padded(b, '-', m, 2) < 0 ||
		put_padded(b, '-', d, 2) < 0 ? -1 : 1;
}

int sl_colval_date(sl_buf *b, int64_t days)
{
	if (days < COLVAL_DAY_MIN || days > COLVAL_DAY_MAX) return einval();
	return put_date(b, days);
}

/* pre (none when 0), then secs (0 or more) as HH:MM:SS; HH may pass 99 */
static int put_clock(sl_buf *b, char pre, int64_t secs)
{
	return put_padded(b, pre, (uint64_t)(secs / 3600), 2) < 0 ||
		put_padded(b, ':', (uint64_t)(secs / 60 % 60), 2) < 0 ||
		put_padded(b, ':', (uint64_t)(secs % 60), 2) < 0 ? -1 : 1;
}

static int put_fraction(sl_buf *b, uint32_t nanos, int digits)
{
	uint32_t v = nanos;
	int i;
	if (digits <= 0) return 1;
	for (i = digits; i < 9; i++) v /= 10;
	return put_padded(b, '.', v, digits);
}

int sl_colval_timestamp(sl_buf *b, int64_t secs, uint32_t nanos, int digits, int utc)
{
	int64_t days, sod;
	/* beyond 0000..9999 with a day's margin for any zone offset */
	if (nanos > 999999999u || digits < 0 || digits > 9 ||
	    secs < (COLVAL_DAY_MIN - 1) * 86400 || secs > (COLVAL_DAY_MAX + 2) * 86400)
		return einval();
	if (utc) secs = sl_tz_to_local(secs * 1000000) / 1000000;
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) { sod += 86400; days--; }
	if (days < COLVAL_DAY_MIN || days > COLVAL_DAY_MAX) return einval();
	if (put_date(b, days) < 0) return -1;
	if (put_clock(b, ' ', sod) < 0)
		return -1;
	return put_fraction(b, nanos, digits);
}

int sl_colval_time(sl_buf *b, int64_t nanos, int digits)
{
	int64_t s;
	/* Doris's TIME reaches 838:59:59; arrow's end of day is 24:00:00 */
	if (nanos < 0 || nanos >= 839LL * 3600 * 1000000000 || digits < 0 || digits > 9) return einval();
	s = nanos / 1000000000;
	if (put_clock(b, 0, s) < 0)
		return -1;
	return put_fraction(b, (uint32_t)(nanos % 1000000000), digits);
}

int sl_colval_uuid(sl_buf *b, const uint8_t *v)
{
	static const char hx[] = "0123456789abcdef";
	int i;
	if (sl_buf_reserve(b, 36) < 0) return -1;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) b->p[b->len++] = '-';
		b->p[b->len++] = hx[v[i] >> 4];
		b->p[b->len++] = hx[v[i] & 15];
	}
	return 1;
}

/* Length of the valid UTF-8 sequence at p[0..n), 0 if invalid. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	size_t len, i;
	uint32_t c;
	if (p[0] < 0x80) return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) { len = 2; c = p[0] & 0x1f; }
	else if (p[0] >= 0xe0 && p[0] <= 0xef) { len = 3; c = p[0] & 0x0f; }
	else if (p[0] >= 0xf0 && p[0] <= 0xf4) { len = 4; c = p[0] & 0x07; }
	else return 0;
	if (n < len) return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

int sl_colval_json_string(sl_buf *b, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;
	if (sl_buf_putc(b, '"') < 0) return -1;
	while (i < n) {
		size_t run = i, l;
		while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i && sl_buf_put(b, p + i, run - i) < 0) return -1;
		i = run;
		if (i >= n) break;
		if (p[i] == '"' || p[i] == '\\') {
			char e[2] = { '\\', (char)p[i] };
			if (sl_buf_put(b, e, 2) < 0) return -1;
			i++;
		} else if (p[i] < 0x20) {
			const char *e = p[i] == '\n' ? "\\n" : p[i] == '\t' ? "\\t" : p[i] == '\r' ? "\\r" : NULL;
			if ((e ? sl_buf_puts(b, e) : sl_buf_printf(b, "\\u%04x", p[i])) < 0) return -1;
			i++;
		} else if ((l = utf8_len(p + i, n - i)) != 0) {
			if (sl_buf_put(b, p + i, l) < 0) return -1;
			i += l;
		} else {
			if (sl_buf_puts(b, "\\ufffd") < 0) return -1;
			i++;
		}
	}
	return sl_buf_putc(b, '"');
}

int sl_colval_typed_text(sl_buf *b, int kind, int scale, const char *p, size_t n)
{
	const uint8_t *u = (const uint8_t *)p;
	uint64_t v = 0;
	size_t i;
	if (kind == SL_T_DECIMAL)
		return n == 16 ? sl_colval_decimal(b, u, 16, 0, scale) : einval();
	if (n != sl_type_width(&(sl_type){ .kind = (uint8_t)kind }) || n == 0 || n > 8 ||
	    (kind != SL_T_DATE && (kind < SL_T_TINYINT || kind > SL_T_BIGINT)))
		return einval();
	for (i = 0; i < n; i++)
		v = v << 8 | u[i];
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * n);
	return kind == SL_T_DATE ? sl_colval_date(b, (int64_t)v) : sl_colval_int(b, (int64_t)v);
}
