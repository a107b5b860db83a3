/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partauto.c -- the partition an AUTO PARTITION table creates for a row
 * that has none, named and bounded as Doris does
 * (PartitionExprUtil.getAddPartitionClauseFromPartitionValues):
 *   RANGE date_trunc(col, unit): [lo, lo + unit), lo the value truncated to
 *     the day, the Monday, the first of the month or of the year; named
 *     p + YYYYMMDDHHMMSS of lo (p20220101000000); an upper bound past
 *     9999-12-31 is MAXVALUE.
 *   LIST: VALUES IN ((v1, v2, ...)); the name is "p" and, over the text
 *     made of each value followed by its length in UTF-16 units (NULL:
 *     "X"), ASCII letters and digits kept and every other character as
 *     the hex of its code point, with "_" first when the text starts with
 *     '-' ("hello" -> phello5, "-1" -> p_2d12); over 50 characters with a
 *     string column it is refused, as Doris refuses it.
 * And the row as the load's error names it ("no partition for this
 * tuple. tuple=..."): Doris dumps the row's values; here a JSON array of
 * them as text, null for NULL (["1", "2020-01-01", null]).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "calendar.h"
#include "frame.h"
#include "partint.h"

#define NAME_MAX_DORIS 50       /* Doris's limit for auto LIST names over strings */

/* The row's partition columns as keys: k[0..nc), in stack (16 of them)
 * or allocated when there are more. NULL errno EPROTO or ENOMEM. */
static sl_pkey *row_keys(const sl_partset *ps, const char *row, size_t len, sl_pkey *stack)
{
	sl_pkey *k = ps->nc > 16 ? malloc(ps->nc * sizeof *k) : stack;

	if (!k)
		return 0;
	if (sl_pkey_row(ps, row, len, k) < 0) {
		if (k != stack)
			free(k);
		return 0;
	}
	return k;
}

/* date_trunc of a DATE (days) or DATETIME (microseconds) to the unit:
 * [*lo, *hi) in days. */
static void trunc_days(const char *unit, int64_t d, int64_t *lo, int64_t *hi)
{
	int y;
	unsigned m, dd;

	sl_civil_from_days(d, &y, &m, &dd);
	if (!strcmp(unit, "day")) {
		*lo = d;
		*hi = d + 1;
	} else if (!strcmp(unit, "week")) {
		*lo = d - ((d + 3) % 7 + 7) % 7;        /* 1970-01-01 was a Thursday */
		*hi = *lo + 7;
	} else if (!strcmp(unit, "month")) {
		*lo = sl_days_from_civil(y, m, 1);
		*hi = m == 12 ? sl_days_from_civil(y + 1, 1, 1) : sl_days_from_civil(y, m + 1, 1);
	} else {
		*lo = sl_days_from_civil(y, 1, 1);
		*hi = sl_days_from_civil(y + 1, 1, 1);
	}
}

static int put_day(sl_buf *b, int64_t days, int datetime)
{
	int y;
	unsigned m, d;

	sl_civil_from_days(days, &y, &m, &d);
	if (y > 9999)
		return sl_buf_puts(b, "MAXVALUE");
	return sl_buf_printf(b, datetime ? "\"%04d-%02u-%02u 00:00:00\"" : "\"%04d-%02u-%02u\"", y, m, d);
}

/* The clause of the AUTO RANGE partition holding value f. 1, 0 NULL. */
static int range_clause(const sl_partset *ps, sl_field f, sl_buf *b)
{
	const sl_type *t = &ps->sch->cols[ps->sc->cols[0]].type;
	int dt = t->kind == SL_T_DATETIME;
	int64_t d, lo, hi;
	sl_value v;
	int y;
	unsigned m, dd;

	if (f.n == SL_NULL_LEN)
		return 0;
	if (sl_value_decode(t, f.p, f.n, &v) < 0)
		return -1;
	d = dt ? (v.u.i >= 0 ? v.u.i / INT64_C(86400000000) : -((-v.u.i + INT64_C(86399999999)) / INT64_C(86400000000)))
		: v.u.i;
	trunc_days(ps->sc->unit, d, &lo, &hi);
	sl_civil_from_days(lo, &y, &m, &dd);
	if (sl_buf_printf(b, "PARTITION p%04d%02u%02u000000 VALUES [(", y, m, dd) < 0 || put_day(b, lo, dt) < 0
			|| sl_buf_puts(b, "), (") < 0 || put_day(b, hi, dt) < 0 || sl_buf_puts(b, "))") < 0)
		return -1;
	return 1;
}

/* Doris's name text of one character (code point cp). */
static int name_char(sl_buf *name, uint32_t cp)
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
		return sl_buf_putc(name, (char)cp);
	if (cp > 0xFFFF)        /* Java walks UTF-16: the low surrogate comes next */
		return sl_buf_printf(name, "%x%x", cp, 0xDC00 + ((cp - 0x10000) & 0x3FF));
	return sl_buf_printf(name, "%x", cp);
}

/* The code point of the UTF-8 sequence at s (n bytes left) and its
 * length; a byte that starts no valid sequence stands for itself. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	uint32_t c = k == 1 ? s[0] : s[0] & (0x7F >> k);

	if (k > n)
		k = 1, c = s[0];
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = s[0];
			return 1;
		}
		c = c << 6 | (s[i] & 0x3F);
	}
	*cp = c;
	return k;
}

/* Append value text s[0..n) and its UTF-16 length to the name. */
static int name_value(sl_buf *name, const char *s, size_t n)
{
	size_t units = 0;
	char len[24];

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_next((const unsigned char *)s + i, n - i, &cp);
		if (name_char(name, cp) < 0)
			return -1;
		units += cp > 0xFFFF ? 2 : 1;
		i += k;
	}
	snprintf(len, sizeof len, "%zu", units);
	return sl_buf_puts(name, len);
}

/* The clause of the AUTO LIST partition holding the row's values: 1; 0
 * no partition can hold them (ps->err says why); -1 errno. */
static int list_clause(sl_partset *ps, const sl_pkey *k, sl_buf *b)
{
	sl_buf name = SL_BUF_ZERO, vals = SL_BUF_ZERO, v = SL_BUF_ZERO;
	int strs = 0, r = -1;

	if (sl_buf_putc(&name, 'p') < 0 || sl_buf_puts(&vals, " VALUES IN ((") < 0)
		goto out;
	for (size_t i = 0; i < ps->nc; i++) {
		const sl_type *t = &ps->sch->cols[ps->sc->cols[i]].type;
		sl_field f = k[i].f;

		strs |= sl_type_is_string(t);
		if ((i && sl_buf_puts(&vals, ", ") < 0))
			goto out;
		if (f.n == SL_NULL_LEN) {
			if (sl_buf_puts(&vals, "NULL") < 0 || sl_buf_putc(&name, 'X') < 0)
				goto out;
			continue;
		}
		v.len = 0;
		if (sl_pkey_value_text(t, f, &v) < 0)
			goto out;
		/* a partition's values are C strings: no partition can hold it */
		if (memchr(v.p, 0, v.len)) {
			snprintf(ps->err, sizeof ps->err, "a partition value may not hold a NUL byte");
			r = 0;
			goto out;
		}
		if (!i && v.len && v.p[0] == '-' && sl_buf_putc(&name, '_') < 0)
			goto out;
		if (name_value(&name, v.p, v.len) < 0 || sl_part_quote(&vals, v.p, v.len) < 0)
			goto out;
	}
	if (strs && name.len > NAME_MAX_DORIS) {
		snprintf(ps->err, sizeof ps->err, "Partition name's length is over limit of 50. abort to create.");
		errno = ENAMETOOLONG;
		goto out;
	}
	if (name.len > 64) {
		snprintf(ps->err, sizeof ps->err, "Partition name %.*s... is over the limit of 64 characters",
			40, name.p);
		errno = ENAMETOOLONG;
		goto out;
	}
	r = sl_buf_puts(b, "PARTITION `") < 0 || sl_buf_put(b, name.p, name.len) < 0 || sl_buf_putc(b, '`') < 0
		|| sl_buf_put(b, vals.p, vals.len) < 0 || sl_buf_puts(b, "))") < 0 ? -1 : 1;
out:
	sl_buf_free(&name);
	sl_buf_free(&vals);
	sl_buf_free(&v);
	return r;
}

int sl_partset_auto(sl_partset *ps, const char *row, size_t len, size_t *idx)
{
	sl_buf b = SL_BUF_ZERO;
	sl_pkey stack[16], *k;
	int r;

	ps->err[0] = 0;
	if (!ps->sc->autop)
		return 0;
	if (!(k = row_keys(ps, row, len, stack)))
		r = -1;
	else if (ps->sc->kind == SL_PART_RANGE)
		r = range_clause(ps, k[0].f, &b);
	else
		r = list_clause(ps, k, &b);
	if (k && k != stack)
		free(k);
	if (r == 1) {
		size_t n = ps->n;
		r = sl_partset_add_clause(ps, b.p, b.len, 0, idx, ps->err, sizeof ps->err);
		/* refused (its range meets a partition the table has, or its name
		 * is taken by other values): the load cannot place the row */
		if (r == 0 || (r == 1 && ps->n == n)) {
			errno = EEXIST;
			r = -1;
		}
	} else if (r < 0 && !ps->err[0])
		snprintf(ps->err, sizeof ps->err, "%s", strerror(errno));
	sl_buf_free(&b);
	return r;
}

const char *sl_partset_error(const sl_partset *ps)
{
	return ps->err;
}

/* A JSON string of s[0..n). */
static int json_str(sl_buf *out, const char *s, size_t n)
{
	if (sl_buf_putc(out, '"') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int r = c == '"' || c == '\\' ? sl_buf_printf(out, "\\%c", c)
			: c < 0x20 ? sl_buf_printf(out, "\\u%04x", c) : sl_buf_putc(out, (char)c);
		if (r < 0)
			return -1;
	}
	return sl_buf_putc(out, '"');
}

int sl_part_tuple_text(const sl_schema *sch, const char *row, size_t len, sl_buf *out)
{
	sl_buf v = SL_BUF_ZERO;
	size_t off = 0;
	int r = -1;

	if (sl_buf_putc(out, '[') < 0)
		return -1;
	for (size_t i = 0; i < sch->nvisible; i++) {
		uint32_t n;
		sl_field f;

		if (len - off < 4) {
			errno = EPROTO;
			goto out;
		}
		n = sl_u32_unpack(row + off);
		off += 4;
		if (n != SL_NULL_LEN && n > len - off) {
			errno = EPROTO;
			goto out;
		}
		f.p = row + off;
		f.n = n;
		off += n == SL_NULL_LEN ? 0 : n;
		v.len = 0;
		if ((i && sl_buf_puts(out, ", ") < 0))
			goto nomem;
		if (n == SL_NULL_LEN) {
			if (sl_buf_puts(out, "null") < 0)
				goto nomem;
			continue;
		}
		if (sl_pkey_value_text(&sch->cols[i].type, f, &v) < 0) {
			errno = EPROTO;
			goto out;
		}
		if (json_str(out, v.p ? v.p : "", v.len) < 0)
			goto nomem;
	}
	r = sl_buf_putc(out, ']') < 0 ? -1 : 1;
	if (r < 0)
		errno = ENOMEM;
	goto out;
nomem:
	errno = ENOMEM;
out:
	sl_buf_free(&v);
	return r;
}
