/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mysqlproto.c -- the MySQL client/server protocol's codec (see
 * mysqlproto.h): integers, strings, framing, handshake, OK/ERR/EOF,
 * column definitions, text and binary rows, statement parameters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "types.h"
#include "mysqlproto.h"

int sl_mysqlproto_put_int(sl_buf *b, uint64_t v, unsigned width)
{
	unsigned char x[8];
	unsigned i;

	for (i = 0; i < width && i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return sl_buf_put(b, x, i);
}

/* A length-encoded integer written at p (room for 9 bytes): its size. */
static size_t lenenc_at(unsigned char *p, uint64_t v)
{
	size_t w, i;

	if (v < 251) {
		p[0] = (unsigned char)v;
		return 1;
	}
	p[0] = v < 0x10000 ? 0xfc : v < 0x1000000 ? 0xfd : 0xfe;
	w = v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 8;
	for (i = 0; i < w; i++)
		p[1 + i] = (unsigned char)(v >> (8 * i));
	return 1 + w;
}

int sl_mysqlproto_put_lenenc(sl_buf *b, uint64_t v)
{
	if (sl_buf_reserve(b, 9) < 0)
		return -1;
	b->len += lenenc_at((unsigned char *)b->p + b->len, v);
	return 1;
}

int sl_mysqlproto_put_lenstr(sl_buf *b, const char *p, size_t n)
{
	if (sl_buf_reserve(b, 9 + n) < 0)
		return -1;
	b->len += lenenc_at((unsigned char *)b->p + b->len, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 1;
}

void sl_mysqlproto_rd_init(sl_mysqlproto_rd *r, const void *p, size_t n)
{
	r->p = p;
	r->n = n;
	r->off = 0;
	r->bad = 0;
}

uint64_t sl_mysqlproto_get_int(sl_mysqlproto_rd *r, unsigned width)
{
	uint64_t v = 0;
	unsigned i;

	if (r->bad || width > 8 || r->n - r->off < width) {
		r->bad = 1;
		return 0;
	}
	for (i = 0; i < width; i++)
		v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += width;
	return v;
}

uint64_t sl_mysqlproto_get_lenenc(sl_mysqlproto_rd *r, int *is_null)
{
	unsigned c = (unsigned)sl_mysqlproto_get_int(r, 1);

	if (is_null)
		*is_null = 0;
	if (r->bad)
		return 0;
	if (c < 251)
		return c;
	if (c == 0xfb) {
		if (is_null)
			*is_null = 1;
		else
			r->bad = 1;
		return 0;
	}
	if (c == 0xfc)
		return sl_mysqlproto_get_int(r, 2);
	if (c == 0xfd)
		return sl_mysqlproto_get_int(r, 3);
	if (c == 0xfe)
		return sl_mysqlproto_get_int(r, 8);
	r->bad = 1;
	return 0;
}

const char *sl_mysqlproto_get_bytes(sl_mysqlproto_rd *r, size_t n)
{
	const char *p;

	if (r->bad || r->n - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	p = (const char *)r->p + r->off;
	r->off += n;
	return p;
}

const char *sl_mysqlproto_get_strnul(sl_mysqlproto_rd *r, size_t *n)
{
	const unsigned char *z;

	if (r->bad || r->off >= r->n) {
		r->bad = 1;
		return NULL;
	}
	z = memchr(r->p + r->off, 0, r->n - r->off);
	if (!z) {
		r->bad = 1;
		return NULL;
	}
	*n = (size_t)(z - (r->p + r->off));
	return sl_mysqlproto_get_bytes(r, *n + 1);
}

const char *sl_mysqlproto_get_lenstr(sl_mysqlproto_rd *r, size_t *n)
{
	uint64_t len = sl_mysqlproto_get_lenenc(r, NULL);

	if (r->bad || len > r->n - r->off) {
		r->bad = 1;
		return NULL;
	}
	*n = (size_t)len;
	return sl_mysqlproto_get_bytes(r, *n);
}

int sl_mysqlproto_frame(sl_buf *out, const void *payload, size_t n, uint8_t *seq)
{
	const char *p = payload;

	for (;;) {
		size_t k = n < SL_MYSQL_PACKET_MAX ? n : SL_MYSQL_PACKET_MAX;
		if (sl_mysqlproto_put_int(out, k, 3) < 0 || sl_buf_putc(out, (char)*seq) < 0 ||
		    (k && sl_buf_put(out, p, k) < 0))
			return -1;
		*seq = (uint8_t)(*seq + 1);
		p += k;
		n -= k;
		if (k < SL_MYSQL_PACKET_MAX)
			return 1;
	}
}

int sl_mysqlproto_open(sl_buf *out, size_t *at)
{
	if (sl_buf_reserve(out, 4) < 0)
		return -1;
	*at = out->len;
	out->len += 4;
	return 1;
}

int sl_mysqlproto_close(sl_buf *out, size_t at, uint8_t *seq)
{
	size_t n = out->len - at - 4;
	unsigned char *h = (unsigned char *)out->p + at;
	char *copy;
	int r;

	if (n < SL_MYSQL_PACKET_MAX) {
		h[0] = (unsigned char)n;
		h[1] = (unsigned char)(n >> 8);
		h[2] = (unsigned char)(n >> 16);
		h[3] = *seq;
		*seq = (uint8_t)(*seq + 1);
		return 1;
	}
	/* 16 MB and more: split into packets (a row this large is rare) */
	if (!(copy = malloc(n)))
		return -1;
	memcpy(copy, out->p + at + 4, n);
	out->len = at;
	r = sl_mysqlproto_frame(out, copy, n, seq);
	free(copy);
	return r;
}

int sl_mysqlproto_header(const void *p, size_t n, size_t *len, uint8_t *seq)
{
	const unsigned char *h = p;

	if (n < 4)
		return 0;
	*len = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16;
	*seq = h[3];
	return 1;
}

int sl_mysqlproto_handshake(sl_buf *b, const char *version, uint32_t conn_id,
	const unsigned char scramble[20], uint32_t caps, uint16_t status)
{
	static const char zeros[10];

	if (sl_buf_putc(b, 10) < 0 || sl_buf_put(b, version, strlen(version) + 1) < 0 ||
	    sl_mysqlproto_put_int(b, conn_id, 4) < 0 || sl_buf_put(b, scramble, 8) < 0 ||
	    sl_buf_putc(b, 0) < 0 || sl_mysqlproto_put_int(b, caps & 0xffff, 2) < 0 ||
	    sl_buf_putc(b, SL_MYSQL_CHARSET_UTF8) < 0 || sl_mysqlproto_put_int(b, status, 2) < 0 ||
	    sl_mysqlproto_put_int(b, caps >> 16, 2) < 0 || sl_buf_putc(b, 21) < 0 ||
	    sl_buf_put(b, zeros, 10) < 0 || sl_buf_put(b, scramble + 8, 12) < 0 ||
	    sl_buf_putc(b, 0) < 0)
		return -1;
	return sl_buf_put(b, "mysql_native_password", sizeof "mysql_native_password");
}

/* Copy a field of n bytes into a NUL-terminated buffer of cap bytes;
 * 0 when it does not fit or holds a NUL. */
static int field_copy(char *dst, size_t cap, const char *p, size_t n)
{
	if (!p || n >= cap || memchr(p, 0, n))
		return 0;
	memcpy(dst, p, n);
	dst[n] = 0;
	return 1;
}

int sl_mysqlproto_parse_login(const void *p, size_t n, sl_mysqlproto_login *lg)
{
	sl_mysqlproto_rd r;
	const char *s;
	size_t k;

	memset(lg, 0, sizeof *lg);
	sl_mysqlproto_rd_init(&r, p, n);
	lg->caps = (uint32_t)sl_mysqlproto_get_int(&r, 4);
	lg->max_packet = (uint32_t)sl_mysqlproto_get_int(&r, 4);
	lg->charset = (unsigned)sl_mysqlproto_get_int(&r, 1);
	if (!sl_mysqlproto_get_bytes(&r, 23) || !(lg->caps & SL_MYSQL_CLIENT_PROTOCOL_41))
		return 0;
	if (r.off == r.n && (lg->caps & SL_MYSQL_CLIENT_SSL)) {
		lg->ssl_request = 1;
		return 1;
	}
	s = sl_mysqlproto_get_strnul(&r, &k);
	if (!field_copy(lg->user, sizeof lg->user, s, k))
		return 0;
	if (lg->caps & SL_MYSQL_CLIENT_PLUGIN_AUTH_LENENC)
		s = sl_mysqlproto_get_lenstr(&r, &k);
	else if (lg->caps & SL_MYSQL_CLIENT_SECURE_CONNECTION) {
		k = (size_t)sl_mysqlproto_get_int(&r, 1);
		s = sl_mysqlproto_get_bytes(&r, k);
	} else
		s = sl_mysqlproto_get_strnul(&r, &k);
	if (!s || k > sizeof lg->auth)
		return 0;
	memcpy(lg->auth, s, k);
	lg->authn = k;
	if ((lg->caps & SL_MYSQL_CLIENT_CONNECT_WITH_DB) && r.off < r.n) {
		s = sl_mysqlproto_get_strnul(&r, &k);
		if (!field_copy(lg->db, sizeof lg->db, s, k))
			return 0;
	}
	if ((lg->caps & SL_MYSQL_CLIENT_PLUGIN_AUTH) && r.off < r.n) {
		s = sl_mysqlproto_get_strnul(&r, &k);
		if (!field_copy(lg->plugin, sizeof lg->plugin, s, k))
			return 0;
	}
	/* connection attributes, when sent, are not used */
	return !r.bad;
}

int sl_mysqlproto_auth_switch(sl_buf *b, const char *plugin, const unsigned char scramble[20])
{
	if (sl_buf_putc(b, (char)0xfe) < 0 || sl_buf_put(b, plugin, strlen(plugin) + 1) < 0 ||
	    sl_buf_put(b, scramble, 20) < 0)
		return -1;
	return sl_buf_putc(b, 0);
}

int sl_mysqlproto_ok(sl_buf *b, uint64_t affected, uint64_t last_id, uint16_t status,
	uint16_t warnings, const char *info)
{
	if (sl_buf_putc(b, 0) < 0 || sl_mysqlproto_put_lenenc(b, affected) < 0 ||
	    sl_mysqlproto_put_lenenc(b, last_id) < 0 || sl_mysqlproto_put_int(b, status, 2) < 0 ||
	    sl_mysqlproto_put_int(b, warnings, 2) < 0)
		return -1;
	/* the info as a length-encoded string, as Doris's OK packet writes it
	 * (MariaDB's client reads it so, without session tracking too) */
	if (!info || !*info)
		return 1;
	return sl_mysqlproto_put_lenenc(b, strlen(info)) < 0 ? -1 : sl_buf_puts(b, info);
}

int sl_mysqlproto_ok_eof(sl_buf *b, uint16_t status, uint16_t warnings)
{
	if (sl_buf_putc(b, (char)0xfe) < 0 || sl_mysqlproto_put_lenenc(b, 0) < 0 ||
	    sl_mysqlproto_put_lenenc(b, 0) < 0 || sl_mysqlproto_put_int(b, status, 2) < 0)
		return -1;
	return sl_mysqlproto_put_int(b, warnings, 2);
}

int sl_mysqlproto_err(sl_buf *b, unsigned code, const char *state, const char *msg)
{
	char st[6] = "HY000";

	if (state && strlen(state) == 5)
		memcpy(st, state, 5);
	if (sl_buf_putc(b, (char)0xff) < 0 || sl_mysqlproto_put_int(b, code, 2) < 0 ||
	    sl_buf_putc(b, '#') < 0 || sl_buf_put(b, st, 5) < 0)
		return -1;
	return sl_buf_puts(b, msg ? msg : "");
}

int sl_mysqlproto_eof(sl_buf *b, uint16_t warnings, uint16_t status)
{
	if (sl_buf_putc(b, (char)0xfe) < 0 || sl_mysqlproto_put_int(b, warnings, 2) < 0)
		return -1;
	return sl_mysqlproto_put_int(b, status, 2);
}

/* Doris's mapping (PrimitiveType -> MysqlColType): strings are VARCHAR
 * (CHAR: STRING) in utf8, numbers carry BINARY and NUM flags. */
void sl_mysqlproto_col_of(const sl_type *t, sl_mysqlproto_col *c)
{
	static const struct { uint8_t type; uint32_t len; } m[SL_T__COUNT] = {
		[SL_T_NULL] = { SL_MYSQL_TYPE_NULL, 0 },
		[SL_T_BOOLEAN] = { SL_MYSQL_TYPE_TINY, 1 },
		[SL_T_TINYINT] = { SL_MYSQL_TYPE_TINY, 4 },
		[SL_T_SMALLINT] = { SL_MYSQL_TYPE_SHORT, 6 },
		[SL_T_INT] = { SL_MYSQL_TYPE_LONG, 11 },
		[SL_T_BIGINT] = { SL_MYSQL_TYPE_LONGLONG, 20 },
		[SL_T_LARGEINT] = { SL_MYSQL_TYPE_STRING, 40 },
		[SL_T_FLOAT] = { SL_MYSQL_TYPE_FLOAT, 12 },
		[SL_T_DOUBLE] = { SL_MYSQL_TYPE_DOUBLE, 22 },
		[SL_T_DECIMAL] = { SL_MYSQL_TYPE_NEWDECIMAL, 0 },
		[SL_T_DATE] = { SL_MYSQL_TYPE_DATE, 10 },
		[SL_T_DATETIME] = { SL_MYSQL_TYPE_DATETIME, 19 },
		[SL_T_CHAR] = { SL_MYSQL_TYPE_STRING, 0 },
		[SL_T_VARCHAR] = { SL_MYSQL_TYPE_VAR_STRING, 0 },
		[SL_T_STRING] = { SL_MYSQL_TYPE_VAR_STRING, 0 },
		[SL_T_ARRAY] = { SL_MYSQL_TYPE_VAR_STRING, 0 },
		[SL_T_MAP] = { SL_MYSQL_TYPE_VAR_STRING, 0 },
		[SL_T_STRUCT] = { SL_MYSQL_TYPE_VAR_STRING, 0 },
		[SL_T_JSON] = { SL_MYSQL_TYPE_JSON, 0 },
		[SL_T_BITMAP] = { SL_MYSQL_TYPE_BLOB, 0 },
		[SL_T_HLL] = { SL_MYSQL_TYPE_BLOB, 0 },
	};
	unsigned k = t->kind < SL_T__COUNT ? t->kind : SL_T_STRING;

	memset(c, 0, sizeof *c);
	c->type = m[k].type;
	c->length = m[k].len;
	c->charset = SL_MYSQL_CHARSET_UTF8;
	if (sl_type_is_numeric(t) && k != SL_T_LARGEINT) {
		c->charset = SL_MYSQL_CHARSET_BINARY;
		c->flags = 0x80 | 0x8000;       /* BINARY_FLAG | NUM_FLAG */
	}
	if (k == SL_T_DATE || k == SL_T_DATETIME) {
		c->charset = SL_MYSQL_CHARSET_BINARY;
		c->flags = 0x80;
	}
	if (k == SL_T_DECIMAL) {
		c->decimals = t->scale;
		c->length = (uint32_t)t->prec + 2;
	} else if (k == SL_T_DATETIME) {
		c->decimals = t->scale;
		c->length += t->scale ? (uint32_t)t->scale + 1 : 0;
	} else if (k == SL_T_FLOAT || k == SL_T_DOUBLE)
		c->decimals = 31;
	else if (k == SL_T_CHAR || k == SL_T_VARCHAR)
		c->length = t->len > 0 ? (uint32_t)t->len : 65533;
	else if (c->type == SL_MYSQL_TYPE_VAR_STRING || c->type == SL_MYSQL_TYPE_BLOB ||
		 c->type == SL_MYSQL_TYPE_JSON)
		c->length = 65533;
}

int sl_mysqlproto_coldef(sl_buf *b, const char *schema, const char *table,
	const char *name, const sl_type *t, int field_list)
{
	sl_mysqlproto_col c;

	sl_mysqlproto_col_of(t, &c);
	if (sl_mysqlproto_put_lenstr(b, "def", 3) < 0 ||
	    sl_mysqlproto_put_lenstr(b, schema, strlen(schema)) < 0 ||
	    sl_mysqlproto_put_lenstr(b, table, strlen(table)) < 0 ||
	    sl_mysqlproto_put_lenstr(b, table, strlen(table)) < 0 ||
	    sl_mysqlproto_put_lenstr(b, name, strlen(name)) < 0 ||
	    sl_mysqlproto_put_lenstr(b, name, strlen(name)) < 0 ||
	    sl_buf_putc(b, 0x0c) < 0 || sl_mysqlproto_put_int(b, c.charset, 2) < 0 ||
	    sl_mysqlproto_put_int(b, c.length, 4) < 0 || sl_buf_putc(b, (char)c.type) < 0 ||
	    sl_mysqlproto_put_int(b, c.flags, 2) < 0 || sl_buf_putc(b, (char)c.decimals) < 0 ||
	    sl_mysqlproto_put_int(b, 0, 2) < 0)
		return -1;
	return field_list ? sl_mysqlproto_put_lenenc(b, 0) : 1;
}

/* An integer's decimal digits at p (room for 20): their count. The text
 * rows' hot path: no printf, no strlen. */
static size_t digits_at(char *p, int64_t x)
{
	char t[20];
	uint64_t u = x < 0 ? -(uint64_t)x : (uint64_t)x;
	size_t n = 0, k = 0;

	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (x < 0)
		p[k++] = '-';
	while (n)
		p[k++] = t[--n];
	return k;
}

/* A value of a composite or sketch type: formatted through tmp. */
static int composite(const sl_value *v)
{
	return v->kind == SL_V_STRING && (v->tkind == SL_T_ARRAY || v->tkind == SL_T_MAP ||
		v->tkind == SL_T_STRUCT || v->tkind == SL_T_BITMAP || v->tkind == SL_T_HLL);
}

int sl_mysqlproto_text_row(sl_buf *b, size_t n, const sl_value *vals, sl_buf *tmp)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const sl_value *v = &vals[i];
		char *p;
		if (v->kind == SL_V_STRING && !composite(v)) {
			if (sl_mysqlproto_put_lenstr(b, v->u.s.p, v->u.s.n) < 0)
				return -1;
			continue;
		}
		if (composite(v)) {
			tmp->len = 0;
			if (sl_value_format(v, tmp) < 0 || sl_mysqlproto_put_lenstr(b, tmp->p, tmp->len) < 0)
				return -1;
			continue;
		}
		/* NULL, numbers, dates: one length byte (their text is short) */
		if (sl_buf_reserve(b, 1 + SL_VALUE_FMT_MAX) < 0)
			return -1;
		p = b->p + b->len;
		if (v->kind == SL_V_NULL)
			p[0] = (char)0xfb;
		else
			p[0] = (char)(v->kind == SL_V_INT ? digits_at(p + 1, v->u.i) : sl_value_fmt(v, p + 1));
		b->len += v->kind == SL_V_NULL ? 1 : 1 + (unsigned char)p[0];
	}
	return 1;
}

/* One value in the binary protocol's encoding of its column type. */
static int bin_value(sl_buf *b, const sl_value *v, const sl_type *t, sl_buf *tmp)
{
	sl_mysqlproto_col c;

	sl_mysqlproto_col_of(t, &c);
	switch (c.type) {
	case SL_MYSQL_TYPE_TINY: return sl_mysqlproto_put_int(b, (uint64_t)v->u.i, 1);
	case SL_MYSQL_TYPE_SHORT: return sl_mysqlproto_put_int(b, (uint64_t)v->u.i, 2);
	case SL_MYSQL_TYPE_LONG: return sl_mysqlproto_put_int(b, (uint64_t)v->u.i, 4);
	case SL_MYSQL_TYPE_LONGLONG: return sl_mysqlproto_put_int(b, (uint64_t)v->u.i, 8);
	case SL_MYSQL_TYPE_FLOAT: {
		float f = v->kind == SL_V_DOUBLE ? (float)v->u.d : (float)v->u.i;
		return sl_buf_put(b, &f, 4);
	}
	case SL_MYSQL_TYPE_DOUBLE: {
		double d = v->kind == SL_V_DOUBLE ? v->u.d : (double)v->u.i;
		return sl_buf_put(b, &d, 8);
	}
	case SL_MYSQL_TYPE_DATE:
	case SL_MYSQL_TYPE_DATETIME: {
		/* from the text form "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" */
		unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, us = 0;
		char txt[SL_VALUE_FMT_MAX], frac[8] = "";
		int got;
		sl_value_fmt(v, txt);
		got = sscanf(txt, "%u-%u-%u %u:%u:%u.%6[0-9]", &y, &mo, &d, &h, &mi, &s, frac);
		if (got < 3)
			y = mo = d = 0;
		if (*frac) {
			size_t k = strlen(frac);
			sscanf(frac, "%u", &us);
			while (k++ < 6)
				us *= 10;
		}
		if (sl_buf_putc(b, (char)(us ? 11 : 7)) < 0 || sl_mysqlproto_put_int(b, y, 2) < 0 ||
		    sl_buf_putc(b, (char)mo) < 0 || sl_buf_putc(b, (char)d) < 0 ||
		    sl_buf_putc(b, (char)h) < 0 || sl_buf_putc(b, (char)mi) < 0 ||
		    sl_buf_putc(b, (char)s) < 0)
			return -1;
		return us ? sl_mysqlproto_put_int(b, us, 4) : 1;
	}
	default:
		return sl_mysqlproto_text_row(b, 1, v, tmp);
	}
}

int sl_mysqlproto_bin_row(sl_buf *b, size_t n, const sl_value *vals,
	const sl_type *types, sl_buf *tmp)
{
	size_t i, bm = (n + 7 + 2) / 8, at;

	if (sl_buf_putc(b, 0) < 0 || sl_buf_reserve(b, bm) < 0)
		return -1;
	at = b->len;
	memset(b->p + at, 0, bm);
	b->len += bm;
	for (i = 0; i < n; i++) {
		if (vals[i].kind == SL_V_NULL) {
			b->p[at + (i + 2) / 8] |= (char)(1 << ((i + 2) % 8));
			continue;
		}
		if (bin_value(b, &vals[i], &types[i], tmp) < 0)
			return -1;
	}
	return 1;
}

/* A parameter's bytes as a quoted SQL string literal. */
static int quote_lit(sl_buf *text, const char *p, size_t n)
{
	size_t i;

	if (sl_buf_putc(text, '\'') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((p[i] == '\'' || p[i] == '\\') && sl_buf_putc(text, '\\') < 0)
			return -1;
		if (sl_buf_putc(text, p[i]) < 0)
			return -1;
	}
	return sl_buf_putc(text, '\'');
}

/* A binary DATE/DATETIME parameter as a quoted literal. */
static int date_lit(sl_mysqlproto_rd *r, sl_buf *text)
{
	unsigned k = (unsigned)sl_mysqlproto_get_int(r, 1);
	unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
	unsigned long us = 0;

	if (k != 0 && k != 4 && k != 7 && k != 11) {
		r->bad = 1;
		return 0;
	}
	if (k >= 4) {
		y = (unsigned)sl_mysqlproto_get_int(r, 2);
		mo = (unsigned)sl_mysqlproto_get_int(r, 1);
		d = (unsigned)sl_mysqlproto_get_int(r, 1);
	}
	if (k >= 7) {
		h = (unsigned)sl_mysqlproto_get_int(r, 1);
		mi = (unsigned)sl_mysqlproto_get_int(r, 1);
		s = (unsigned)sl_mysqlproto_get_int(r, 1);
	}
	if (k == 11)
		us = (unsigned long)sl_mysqlproto_get_int(r, 4);
	if (r->bad)
		return 0;
	return sl_buf_printf(text, "'%04u-%02u-%02u %02u:%02u:%02u.%06lu'", y, mo, d, h, mi, s,
		us % 1000000) < 0 ? -1 : 1;
}

/* One non-NULL parameter of type (t, flags) as a literal. 1, 0 bad/unsupported, -1. */
static int param_lit(sl_mysqlproto_rd *r, uint8_t t, uint8_t flags, sl_buf *text)
{
	int uns = flags & 0x80;
	size_t n;
	const char *p;

	switch (t) {
	case SL_MYSQL_TYPE_TINY: {
		uint64_t v = sl_mysqlproto_get_int(r, 1);
		return r->bad ? 0 : sl_buf_printf(text, "%lld", uns ? (long long)v : (long long)(int8_t)v);
	}
	case SL_MYSQL_TYPE_SHORT:
	case SL_MYSQL_TYPE_YEAR: {
		uint64_t v = sl_mysqlproto_get_int(r, 2);
		return r->bad ? 0 : sl_buf_printf(text, "%lld", uns ? (long long)v : (long long)(int16_t)v);
	}
	case SL_MYSQL_TYPE_LONG:
	case SL_MYSQL_TYPE_INT24: {
		uint64_t v = sl_mysqlproto_get_int(r, 4);
		return r->bad ? 0 : sl_buf_printf(text, "%lld", uns ? (long long)v : (long long)(int32_t)v);
	}
	case SL_MYSQL_TYPE_LONGLONG: {
		uint64_t v = sl_mysqlproto_get_int(r, 8);
		if (r->bad)
			return 0;
		return uns ? sl_buf_printf(text, "%llu", (unsigned long long)v)
			   : sl_buf_printf(text, "%lld", (long long)v);
	}
	case SL_MYSQL_TYPE_FLOAT:
	case SL_MYSQL_TYPE_DOUBLE: {
		char num[SL_VALUE_FMT_MAX];
		double d;
		p = sl_mysqlproto_get_bytes(r, t == SL_MYSQL_TYPE_FLOAT ? 4 : 8);
		if (!p)
			return 0;
		if (t == SL_MYSQL_TYPE_FLOAT) {
			float f;
			memcpy(&f, p, 4);
			d = f;
		} else
			memcpy(&d, p, 8);
		sl_fmt_double(d, t == SL_MYSQL_TYPE_FLOAT, num);
		return sl_buf_puts(text, num);
	}
	case SL_MYSQL_TYPE_DATE:
	case SL_MYSQL_TYPE_DATETIME:
	case SL_MYSQL_TYPE_TIMESTAMP:
		return date_lit(r, text);
	case SL_MYSQL_TYPE_DECIMAL:
	case SL_MYSQL_TYPE_NEWDECIMAL:
	case SL_MYSQL_TYPE_VARCHAR:
	case SL_MYSQL_TYPE_VAR_STRING:
	case SL_MYSQL_TYPE_STRING:
	case SL_MYSQL_TYPE_BLOB:
	case SL_MYSQL_TYPE_JSON:
		p = sl_mysqlproto_get_lenstr(r, &n);
		return p ? quote_lit(text, p, n) : 0;
	default:
		return 0;
	}
}

int sl_mysqlproto_params(sl_mysqlproto_rd *r, unsigned np, uint8_t *types, const sl_buf *longs,
	sl_buf *text, size_t *lit_off, size_t *lit_len, char *msg, size_t msgcap)
{
	const char *nulls;
	unsigned i;

	*msg = 0;
	if (!np)
		return 1;
	nulls = sl_mysqlproto_get_bytes(r, (np + 7) / 8);
	if (!nulls)
		return 0;
	if (sl_mysqlproto_get_int(r, 1)) {
		const char *t = sl_mysqlproto_get_bytes(r, 2 * (size_t)np);
		if (!t)
			return 0;
		memcpy(types, t, 2 * (size_t)np);
	}
	for (i = 0; i < np; i++) {
		int rc;
		lit_off[i] = text->len;
		if (longs && longs[i].p)
			rc = quote_lit(text, longs[i].p, longs[i].len);
		else if (nulls[i / 8] & (1 << (i % 8)))
			rc = sl_buf_puts(text, "NULL");
		else
			rc = param_lit(r, types[2 * i], types[2 * i + 1], text);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (!r->bad)
				snprintf(msg, msgcap, "parameter %u: MySQL type %u is not supported yet",
					i + 1, types[2 * i]);
			return 0;
		}
		lit_len[i] = text->len - lit_off[i];
	}
	return 1;
}

unsigned sl_mysqlproto_placeholders(const char *sql, size_t n, size_t *pos, unsigned max)
{
	unsigned count = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = sql[i];
		if (c == '\'' || c == '"' || c == '`') {
			for (i++; i < n && sql[i] != c; i++)
				if (sql[i] == '\\' && c != '`')
					i++;
		} else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				i++;
		} else if (c == '#') {
			while (i < n && sql[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
			for (i += 2; i + 1 < n && !(sql[i] == '*' && sql[i + 1] == '/'); i++)
				;
			i++;
		} else if (c == '?') {
			if (count < max)
				pos[count] = i;
			count++;
		}
	}
	return count;
}
