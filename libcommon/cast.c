/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cast.c -- casts from text with Doris's non-strict semantics (cast.h).
 *
 * sl_cast_text runs once per field in sl-map, millions of times a second,
 * so integers, decimals and dates are parsed by hand without allocating;
 * strtod is only the fallback for doubles the exact fast path cannot do.
 * Complex types (ARRAY, MAP, STRUCT, JSON): a small bracket-aware text
 * parser whose elements go through the scalar casts, written in the
 * length-prefixed encoding documented in types.h.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "textscan.h"
#include "types.h"
#include "cast.h"
#include "datetime.h"
#include "utf8.h"

/* ------------------------------------------------------------------ */
/* casts from text */

/* The rest of integer text after the integer digits at s[i..n): nothing,
 * or '.' and digits (truncated). 1 if the text had at least one digit. */
static inline int int_tail(const char *s, size_t n, size_t i, int nd)
{
	if (i < n) {
		if (s[i] != '.') return 0;
		for (i++; i < n; i++) {
			if (!SL_IS_DIGIT(s[i])) return 0;
			nd++;
		}
	}
	return nd > 0;
}

/* Integer text: [+-]digits[.digits] (the fraction is truncated, as Doris
 * does: "3.12" -> 3). Range-checked against [lo, hi]. */
static int parse_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
	size_t i = 0;
	int neg = 0, nd = 0;
	uint64_t v = 0, lim;

	sl_textscan_trim(&s, &n);
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
	if (!int_tail(s, n, i, nd)) return 0;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

static int parse_large(const char *s, size_t n, __int128 *out)
{
	size_t i = 0;
	int neg = 0, nd = 0;
	unsigned __int128 v = 0, lim;

	sl_textscan_trim(&s, &n);
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
	if (!int_tail(s, n, i, nd)) return 0;
	*out = neg ? (__int128)(0 - v) : (__int128)v;
	return 1;
}

/* An optional exponent at s[*i..n): e or E, a sign, digits (capped so
 * that huge ones cannot overflow). Adds it to *exp. 0 if an e has no
 * digits. */
static inline int parse_exp(const char *s, size_t n, size_t *pi, long *exp)
{
	size_t i = *pi;
	int eneg = 0, end = 0;
	long v = 0;

	if (i >= n || (s[i] != 'e' && s[i] != 'E'))
		return 1;
	i++;
	if (i < n && (s[i] == '-' || s[i] == '+')) { eneg = s[i] == '-'; i++; }
	while (i < n && SL_IS_DIGIT(s[i])) {
		if (v < 100000) v = v * 10 + (s[i] - '0');
		i++; end = 1;
	}
	*pi = i;
	*exp += eneg ? -v : v;
	return end;
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

	sl_textscan_trim(&s, &n);
	if (!n) return 0;
	if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i++; }
	i0 = i;
	while (i < n && s[i] == '0') i++;       /* leading zeros do not count */
	ds = i;
	while (i < n && SL_IS_DIGIT(s[i])) i++;
	de = i;
	if (i < n && s[i] == '.') {
		i++;
		fs = i;
		while (i < n && SL_IS_DIGIT(s[i])) i++;
		fe = i;
	}
	if (de == i0 && fe == fs) return 0;     /* no digit at all */
	if (!parse_exp(s, n, &i, &exp)) return 0;
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
	if ((keep < ndig ? keep : ndig) <= 18) {
		/* the common case: the kept digits fit in 64 bits (same result
		 * as the loop below, which checks the digit count as it goes) */
		long lim = keep < ndig ? keep : ndig, nint = (long)(de - ds), nd;
		uint64_t a = 0, t;
		const char *q;
		for (q = s + ds, k = 0; k < lim && k < nint; k++, q++)
			a = a * 10 + (unsigned)(*q - '0');
		for (q = s + fs; k < lim; k++, q++)
			a = a * 10 + (unsigned)(*q - '0');
		if (keep >= 0 && keep < ndig)
			rdig = keep < nint ? s[ds + (size_t)keep] - '0' : s[fs + (size_t)(keep - nint)] - '0';
		for (nd = 0, t = a; t; t /= 10)
			nd++;
		if (nd > prec) return 0;
		acc = a;
		if (keep > ndig && acc) {
			if (nd + (keep - ndig) > prec) return 0;
			acc *= (unsigned __int128)p10[keep - ndig];
		}
		if (rdig >= 5) acc++;
		if (acc >= (unsigned __int128)p10[prec]) return 0;
		*out = neg ? -(__int128)acc : (__int128)acc;
		return 1;
	}
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

int sl_parse_double(const char *s, size_t n, double *out)
{
	size_t i = 0, j;
	int neg = 0, nd = 0, nsig = 0, dot = 0;
	uint64_t m = 0;
	long exp10 = 0, e = 0;

	sl_textscan_trim(&s, &n);
	if (!n) return 0;
	if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i++; }
	if (i < n && ((s[i] | 32) == 'i' || (s[i] | 32) == 'n')) {
		if (sl_textscan_ieq(s + i, n - i, "inf") || sl_textscan_ieq(s + i, n - i, "infinity")) {
			*out = neg ? -INFINITY : INFINITY; return 1;
		}
		if (sl_textscan_ieq(s + i, n - i, "nan")) { *out = NAN; return 1; }
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
	if (!parse_exp(s, n, &j, &e)) return 0;
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

int sl_parse_bool(const char *s, size_t n, int *b)
{
	sl_textscan_trim(&s, &n);
	if (n == 1 && (s[0] == '0' || s[0] == '1')) { *b = s[0] == '1'; return 1; }
	if (sl_textscan_ieq(s, n, "true")) { *b = 1; return 1; }
	if (sl_textscan_ieq(s, n, "false")) { *b = 0; return 1; }
	{
		/* other integer spellings of 0 and 1 ("+1", "00", "1.0") */
		int64_t v;
		if (parse_int(s, n, INT64_MIN, INT64_MAX, &v) && (v == 0 || v == 1)) { *b = (int)v; return 1; }
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* complex values */

/* Per-thread ring of output buffers for complex casts (see types.h). */
#define RING_N 1024
static _Thread_local sl_buf ring[RING_N];
static _Thread_local unsigned ring_i;

static int cast_text_scalar(const sl_type *t, const char *s, size_t n, sl_value *v);

/* Scan s[i..n) outside quotes (" or ', with backslash escapes), counting
 * [] and {} nesting from 0. With stop 0: stop at the bracket that brings
 * the nesting back to 0. Else: stop at a top-level `stop` byte (or ','
 * when stop is ':'). Returns where it stopped, n if nowhere; *open is set
 * when a quote or bracket is left open there. */
static size_t scan_to(const char *s, size_t n, size_t i, char stop, int *open)
{
	int depth = 0;
	char q = 0;

	for (; i < n; i++) {
		char c = s[i];
		if (q) {
			if (c == '\\') i++;
			else if (c == q) q = 0;
			continue;
		}
		if (c == '"' || c == '\'') q = c;
		else if (c == '[' || c == '{') depth++;
		else if (c == ']' || c == '}') {
			if (--depth == 0 && !stop) break;
		} else if (stop && !depth && (c == stop || (stop == ':' && c == ',')))
			break;
	}
	*open = q || depth;
	return i < n ? i : n;
}

/* Matching close of the bracket at s[i] ('[' or '{'), honouring quotes and
 * nesting; n if none. */
static size_t match_close(const char *s, size_t n, size_t i)
{
	int open;
	return scan_to(s, n, i, 0, &open);
}

/* Next top-level item of s[*pi..n) ending at `stop` (',' or ':'), trimmed.
 * Returns 0 when a quote or bracket is left open. */
static int next_item(const char *s, size_t n, size_t *pi, char stop, const char **ip, size_t *in)
{
	int open;
	size_t e = scan_to(s, n, *pi, stop, &open);

	if (open) return 0;
	*ip = s + *pi;
	*in = e - *pi;
	sl_textscan_trim(ip, in);
	*pi = e;
	return 1;
}

static int put_len(sl_buf *o, uint32_t n)
{
	char b[4];
	sl_u32_pack(b, n);
	return sl_buf_put(o, b, 4);
}

static int hex4(const char *s, size_t n, size_t i, unsigned *out)
{
	unsigned v = 0;
	size_t k;
	if (i + 4 > n) return 0;
	for (k = i; k < i + 4; k++) {
		char c = s[k];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if ((c | 32) >= 'a' && (c | 32) <= 'f') v |= (unsigned)((c | 32) - 'a' + 10);
		else return 0;
	}
	*out = v;
	return 1;
}

static int put_utf8(sl_buf *o, unsigned cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) { b[0] = (char)cp; n = 1; }
	else if (cp < 0x800) { b[0] = (char)(0xC0 | cp >> 6); b[1] = (char)(0x80 | (cp & 63)); n = 2; }
	else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12); b[1] = (char)(0x80 | (cp >> 6 & 63)); b[2] = (char)(0x80 | (cp & 63)); n = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18); b[1] = (char)(0x80 | (cp >> 12 & 63));
		b[2] = (char)(0x80 | (cp >> 6 & 63)); b[3] = (char)(0x80 | (cp & 63)); n = 4;
	}
	return sl_buf_put(o, b, n);
}

/* Unquote "x" / 'x' (backslash escapes, JSON's \uXXXX as UTF-8) into tmp;
 * 1 unquoted, 0 not quoted or a bad \u escape (text untouched), -1 ENOMEM. */
static int unquote(const char **ps, size_t *pn, sl_buf *tmp)
{
	const char *s = *ps;
	size_t n = *pn, i;
	if (n < 2 || (s[0] != '"' && s[0] != '\'') || s[n - 1] != s[0]) return 0;
	if (!memchr(s + 1, '\\', n - 2)) { *ps = s + 1; *pn = n - 2; return 1; }
	tmp->len = 0;
	for (i = 1; i + 1 < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 2 < n) {
			c = s[++i];
			if (c == 'u') {
				/* \uXXXX (JSON), surrogate pairs joined, as UTF-8 */
				unsigned cp = 0, lo = 0;
				if (!hex4(s, n - 1, i + 1, &cp)) return 0;
				i += 4;
				if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u'
				    && hex4(s, n - 1, i + 3, &lo) && lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					i += 6;
				}
				if (put_utf8(tmp, cp) < 0) return -1;
				continue;
			}
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b' : c == 'f' ? '\f' : c;
		}
		if (sl_buf_putc(tmp, c) < 0) return -1;
	}
	*ps = tmp->p ? tmp->p : "";
	*pn = tmp->len;
	return 1;
}

static int enc_value(const sl_type *t, const char *s, size_t n, sl_buf *o, int depth);

/* One element: its length-prefixed encoding (NULL when it is null or does
 * not cast). */
static int enc_field(const sl_type *t, const char *s, size_t n, sl_buf *o, int depth)
{
	size_t at = o->len;
	int r;
	if (sl_textscan_ieq(s, n, "null") || !n) return put_len(o, SL_NULL_LEN);
	if (put_len(o, 0) < 0) return -1;
	r = enc_value(t, s, n, o, depth);
	if (r < 0) return -1;
	if (r == 0) {
		o->len = at;
		return put_len(o, SL_NULL_LEN);
	}
	sl_u32_pack(o->p + at, (uint32_t)(o->len - at - 4));
	return 1;
}

/* JSON text validated and re-emitted compact (whitespace outside strings
 * dropped, numbers and strings kept verbatim) -- the form Doris prints a
 * JSON column in. Hand-written rather than libjq's jv so that the static
 * stages (sl-map) need no libjq, and numbers keep their full text. */
static int js_value(const char *s, size_t n, size_t *i, sl_buf *o, int depth);

static void js_ws(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r')) (*i)++;
}

static int js_string(const char *s, size_t n, size_t *i, sl_buf *o)
{
	size_t b = *i;
	(*i)++;
	while (*i < n && s[*i] != '"') {
		unsigned char c = (unsigned char)s[*i];
		if (c < 0x20) return 0;
		if (c == '\\') {
			(*i)++;
			if (*i >= n || !strchr("\"\\/bfnrtu", s[*i])) return 0;
			if (s[*i] == 'u') {
				int k;
				for (k = 1; k <= 4; k++)
					if (*i + (size_t)k >= n || !strchr("0123456789abcdefABCDEF", s[*i + k]) || !s[*i + k]) return 0;
				*i += 4;
			}
		}
		(*i)++;
	}
	if (*i >= n) return 0;
	(*i)++;
	return sl_buf_put(o, s + b, *i - b) < 0 ? -1 : 1;
}

static int js_value(const char *s, size_t n, size_t *i, sl_buf *o, int depth)
{
	int r;
	js_ws(s, n, i);
	if (*i >= n || depth > 256) return 0;
	switch (s[*i]) {
	case '"': return js_string(s, n, i, o);
	case '[': case '{': {
		char close = s[*i] == '[' ? ']' : '}';
		int first = 1;
		if (sl_buf_putc(o, s[*i]) < 0) return -1;
		(*i)++;
		js_ws(s, n, i);
		if (*i < n && s[*i] == close) { (*i)++; return sl_buf_putc(o, close) < 0 ? -1 : 1; }
		for (;;) {
			if (!first && sl_buf_putc(o, ',') < 0) return -1;
			first = 0;
			if (close == '}') {
				js_ws(s, n, i);
				if (*i >= n || s[*i] != '"') return 0;
				if ((r = js_string(s, n, i, o)) <= 0) return r;
				js_ws(s, n, i);
				if (*i >= n || s[*i] != ':') return 0;
				(*i)++;
				if (sl_buf_putc(o, ':') < 0) return -1;
			}
			if ((r = js_value(s, n, i, o, depth + 1)) <= 0) return r;
			js_ws(s, n, i);
			if (*i < n && s[*i] == ',') { (*i)++; continue; }
			if (*i < n && s[*i] == close) { (*i)++; return sl_buf_putc(o, close) < 0 ? -1 : 1; }
			return 0;
		}
	}
	case 't': case 'f': case 'n': {
		static const char *const w[] = { "true", "false", "null" };
		int k;
		for (k = 0; k < 3; k++) {
			size_t l = strlen(w[k]);
			if (n - *i >= l && !memcmp(s + *i, w[k], l)) {
				*i += l;
				return sl_buf_put(o, w[k], l) < 0 ? -1 : 1;
			}
		}
		return 0;
	}
	default: {
		size_t b = *i;
		int nd = 0;
		if (s[*i] == '-') (*i)++;
		while (*i < n && SL_IS_DIGIT(s[*i])) { (*i)++; nd++; }
		if (!nd || (nd > 1 && s[b + (s[b] == '-')] == '0')) return 0;
		if (*i < n && s[*i] == '.') {
			(*i)++; nd = 0;
			while (*i < n && SL_IS_DIGIT(s[*i])) { (*i)++; nd++; }
			if (!nd) return 0;
		}
		if (*i < n && (s[*i] == 'e' || s[*i] == 'E')) {
			(*i)++; nd = 0;
			if (*i < n && (s[*i] == '+' || s[*i] == '-')) (*i)++;
			while (*i < n && SL_IS_DIGIT(s[*i])) { (*i)++; nd++; }
			if (!nd) return 0;
		}
		return sl_buf_put(o, s + b, *i - b) < 0 ? -1 : 1;
	}
	}
}

static int enc_json(const char *s, size_t n, sl_buf *o)
{
	size_t i = 0, at = o->len;
	int r = js_value(s, n, &i, o, 0);
	if (r > 0) {
		js_ws(s, n, &i);
		if (i != n) r = 0;
	}
	if (r <= 0) o->len = at;
	return r;
}

/* Value text of type t appended to o. 1 ok, 0 invalid, -1 ENOMEM. */
static int enc_value(const sl_type *t, const char *s, size_t n, sl_buf *o, int depth)
{
	size_t i, e, cnt_at;
	uint32_t cnt = 0;
	char open, close;

	if (depth > 64) return 0;
	sl_textscan_trim(&s, &n);
	if (t->kind == SL_T_JSON) return enc_json(s, n, o);
	if (!sl_type_is_complex(t)) {
		sl_value v;
		char buf[16];
		const char *op = buf;
		uint32_t len;
		sl_buf tmp = SL_BUF_ZERO;
		int q = unquote(&s, &n, &tmp), r;
		if (q < 0) { sl_buf_free(&tmp); return -1; }
		if (!q && sl_type_is_string(t) && n && (s[0] == '"' || s[0] == '\'')) { sl_buf_free(&tmp); return 0; }
		if (!cast_text_scalar(t, s, n, &v)) { sl_buf_free(&tmp); return 0; }
		if (sl_type_is_string(t) && (t->kind == SL_T_CHAR || t->kind == SL_T_VARCHAR)
		    && v.u.s.n > (size_t)t->len)
			v.u.s.n = sl_utf8_prefix(v.u.s.p, v.u.s.n, (size_t)t->len);
		len = sl_value_encode(t, &v, buf, &op);
		r = len == SL_NULL_LEN ? 0 : sl_buf_put(o, op, len) < 0 ? -1 : 1;
		sl_buf_free(&tmp);
		return r;
	}
	if (!t->sub) return 0;
	open = t->kind == SL_T_ARRAY ? '[' : '{';
	close = t->kind == SL_T_ARRAY ? ']' : '}';
	if (n < 2 || s[0] != open || s[n - 1] != close || match_close(s, n, 0) != n - 1) return 0;
	cnt_at = o->len;
	if (put_len(o, 0) < 0) return -1;
	i = 1;
	e = n - 1;
	{
		size_t k0 = i;
		/* empty */
		while (k0 < e && sl_textscan_space((unsigned char)s[k0])) k0++;
		if (k0 == e) {
			if (t->kind != SL_T_STRUCT) return 1;
			return 0;
		}
	}
	if (t->kind == SL_T_STRUCT) {
		/* named ({"a":1, "b":2}) or positional ({1, 2}) members */
		uint32_t nf = t->sub->n, k;
		size_t fields_at = o->len;
		const char *vp[256];
		size_t vn[256];
		int named = -1;
		if (nf > 256) return 0;
		for (k = 0; k < nf; k++) vp[k] = NULL;
		k = 0;
		while (i <= e) {
			const char *ip, *kp;
			size_t in, kn;
			if (!next_item(s, e, &i, ':', &ip, &in)) return 0;
			if (i < e && s[i] == ':') {
				sl_buf tmp = SL_BUF_ZERO;
				uint32_t f;
				if (named == 0) return 0;
				named = 1;
				kp = ip; kn = in;
				i++;
				if (!next_item(s, e, &i, ',', &ip, &in)) return 0;
				if (unquote(&kp, &kn, &tmp) < 0) { sl_buf_free(&tmp); return -1; }
				for (f = 0; f < nf; f++)
					if (strlen(t->sub->names[f]) == kn && !strncasecmp(t->sub->names[f], kp, kn)) break;
				sl_buf_free(&tmp);
				if (f == nf) return 0;
				vp[f] = ip; vn[f] = in;
			} else {
				if (named == 1 || k >= nf) return 0;
				named = 0;
				vp[k] = ip; vn[k] = in;
				k++;
			}
			if (i >= e) break;
			i++;   /* the ',' */
		}
		o->len = fields_at;
		sl_u32_pack(o->p + cnt_at, nf);
		for (k = 0; k < nf; k++) {
			int r = vp[k] ? enc_field(&t->sub->child[k], vp[k], vn[k], o, depth + 1) : put_len(o, SL_NULL_LEN);
			if (r < 0) return -1;
		}
		return 1;
	}
	while (i <= e) {
		const char *ip;
		size_t in;
		int r;
		if (t->kind == SL_T_MAP) {
			if (!next_item(s, e, &i, ':', &ip, &in) || i >= e || s[i] != ':') return 0;
			i++;
			if ((r = enc_field(&t->sub->child[0], ip, in, o, depth + 1)) < 0) return -1;
			if (!next_item(s, e, &i, ',', &ip, &in)) return 0;
			if ((r = enc_field(&t->sub->child[1], ip, in, o, depth + 1)) < 0) return -1;
		} else {
			if (!next_item(s, e, &i, ',', &ip, &in)) return 0;
			if ((r = enc_field(&t->sub->child[0], ip, in, o, depth + 1)) < 0) return -1;
		}
		cnt++;
		if (i >= e) break;
		i++;
	}
	sl_u32_pack(o->p + cnt_at, cnt);
	return 1;
}

static int cast_complex(const sl_type *t, const char *s, size_t n, sl_value *v)
{
	sl_buf *o = &ring[ring_i++ % RING_N];
	int r;
	o->len = 0;
	r = enc_value(t, s, n, o, 0);
	if (r <= 0) { v->kind = SL_V_NULL; return 0; }
	v->kind = SL_V_STRING;
	v->sub = t->sub;
	v->u.s.p = o->p ? o->p : "";
	v->u.s.n = o->len;
	return 1;
}

static const int64_t int_lo[] = { 0, 0, INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN };
static const int64_t int_hi[] = { 0, 1, INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX };

int sl_cast_text(const sl_type *t, const char *s, size_t n, sl_value *v)
{
	return cast_text_scalar(t, s, n, v);
}

static int cast_text_scalar(const sl_type *t, const char *s, size_t n, sl_value *v)
{
	v->tkind = t->kind;
	v->sub = NULL;
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
	case SL_T_ARRAY: case SL_T_MAP: case SL_T_STRUCT: case SL_T_JSON:
		return cast_complex(t, s, n, v);
	case SL_T_BITMAP: case SL_T_HLL:
		/* no text form: a load fills them through to_bitmap, hll_hash... */
		break;
	default:
		break;
	}
null:
	v->kind = SL_V_NULL;
	return 0;
}

