/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types.c -- Doris types and values (types.h): type names (scalar, and the
 * interned descriptions of ARRAY, MAP, STRUCT and JSON), the binary field
 * encoding, and formatting values as text the way Doris displays them
 * ("[1, 2]", "{"k":1, "k2":2}"). Casts from text are cast.c; dates,
 * times and zones datetime.c.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <endian.h>

#include "sl.h"
#include "io.h"
#include "textscan.h"
#include "types.h"
#include "calendar.h"

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
	{ "json", SL_T_JSON }, { "jsonb", SL_T_JSON },
	{ "array", SL_T_ARRAY }, { "map", SL_T_MAP }, { "struct", SL_T_STRUCT },
	{ "bitmap", SL_T_BITMAP }, { "hll", SL_T_HLL },
};

/* Parse an unsigned decimal at s[*i..n), skipping spaces around it. */
static int parse_tparam(const char *s, size_t n, size_t *i, long *out)
{
	long v = 0;
	size_t j = *i, d0;
	while (j < n && sl_textscan_space((unsigned char)s[j])) j++;
	d0 = j;
	while (j < n && s[j] >= '0' && s[j] <= '9') {
		if (v > 100000000) return 0;
		v = v * 10 + (s[j] - '0');
		j++;
	}
	if (j == d0) return 0;
	while (j < n && sl_textscan_space((unsigned char)s[j])) j++;
	*i = j;
	*out = v;
	return 1;
}

static int scalar_parse(const char *s, size_t n, sl_type *t, const char **err)
{
	const char *dummy;
	size_t i = 0, w0, wn, k;
	long a = -1, b = -1;
	int nparams = 0;
	uint8_t kind = 0;

	if (!err) err = &dummy;
	*err = NULL;
	while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
	w0 = i;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
	    || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) i++;
	wn = i - w0;
	for (k = 0; k < SL_ARRAY_LEN(tnames); k++) {
		const char *nm = tnames[k].name;
		size_t m = strlen(nm), j;
		if (m != wn) continue;
		for (j = 0; j < m; j++)
			if (sl_textscan_lower((unsigned char)s[w0 + j]) != nm[j]) break;
		if (j == m) { kind = tnames[k].kind; break; }
	}
	if (!kind) { *err = "unknown type"; return 0; }
	if (kind == SL_T_ARRAY || kind == SL_T_MAP || kind == SL_T_STRUCT) { *err = "expected '<'"; return 0; }
	while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
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
		while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
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
	case SL_T_FLOAT: case SL_T_DOUBLE: case SL_T_DATE: case SL_T_STRING: case SL_T_JSON:
	case SL_T_BITMAP: case SL_T_HLL:
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
	"array", "map", "struct", "json", "bitmap", "hll",
};

static size_t type_format(const sl_type *t, char *buf, size_t cap, int upper);

/* ---- complex type names ---- */

typedef struct tout { char *p; size_t cap, len; } tout;

static void tput(tout *o, const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (o->cap && o->len + 1 < o->cap) o->p[o->len] = s[i];
		o->len++;
	}
}

static void tfmt(const sl_type *t, tout *o, int upper)
{
	char tmp[64];
	const char *nm;
	size_t k;

	if (t->kind == SL_T_JSON) { tput(o, upper ? "JSON" : "json", 4); return; }
	if (t->kind != SL_T_ARRAY && t->kind != SL_T_MAP && t->kind != SL_T_STRUCT) {
		tput(o, tmp, type_format(t, tmp, sizeof tmp, upper));
		return;
	}
	nm = t->kind == SL_T_ARRAY ? (upper ? "ARRAY" : "array") : t->kind == SL_T_MAP
	    ? (upper ? "MAP" : "map") : (upper ? "STRUCT" : "struct");
	tput(o, nm, strlen(nm));
	tput(o, "<", 1);
	for (k = 0; t->sub && k < t->sub->n; k++) {
		if (k) tput(o, ",", 1);
		if (t->kind == SL_T_STRUCT && t->sub->names) {
			tput(o, t->sub->names[k], strlen(t->sub->names[k]));
			tput(o, ":", 1);
		}
		tfmt(&t->sub->child[k], o, upper);
	}
	tput(o, ">", 1);
}

static size_t tfmt_buf(const sl_type *t, char *buf, size_t cap, int upper)
{
	tout o = { buf, cap, 0 };
	tfmt(t, &o, upper);
	if (cap) {
		size_t e = o.len < cap - 1 ? o.len : cap - 1;
		buf[e] = 0;
		return e;
	}
	return 0;
}

/* Interned nodes: one per distinct upper-case type text, never freed. */
struct tintern { struct tintern *next; char *key; sl_tnode node; };
static struct tintern *interned;
static pthread_mutex_t intern_mu = PTHREAD_MUTEX_INITIALIZER;

static const sl_tnode *intern(uint8_t kind, uint32_t n, char **names, sl_type *child)
{
	sl_type tmp;
	sl_tnode nd = { n, names, child };
	char key[4096];
	struct tintern *e;
	uint32_t k;

	memset(&tmp, 0, sizeof tmp);
	tmp.kind = kind;
	tmp.sub = &nd;
	tfmt_buf(&tmp, key, sizeof key, 1);
	pthread_mutex_lock(&intern_mu);
	for (e = interned; e; e = e->next)
		if (!strcmp(e->key, key)) break;
	if (!e && (e = calloc(1, sizeof *e))) {
		e->key = strdup(key);
		e->node.n = n;
		e->node.child = calloc(n ? n : 1, sizeof *child);
		if (names) e->node.names = calloc(n ? n : 1, sizeof *names);
		if (!e->key || !e->node.child || (names && !e->node.names)) {
			free(e->key); free(e->node.child); free(e->node.names); free(e);
			e = NULL;
		} else {
			memcpy(e->node.child, child, n * sizeof *child);
			for (k = 0; names && k < n; k++)
				if (!(e->node.names[k] = strdup(names[k]))) e->node.names[k] = (char *)"?";
			e->next = interned;
			interned = e;
		}
	}
	pthread_mutex_unlock(&intern_mu);
	return e ? &e->node : NULL;
}

static int tparse(const char *s, size_t n, size_t *pi, sl_type *t, const char **err, int depth);

/* One type at s[*pi..n): a scalar ends at a top-level ',' or '>' (or n). */
static int tparse(const char *s, size_t n, size_t *pi, sl_type *t, const char **err, int depth)
{
	size_t i = *pi, w0, e, k;
	int par = 0;
	uint8_t kind = 0;

	if (depth > 16) { *err = "type nested too deeply"; return 0; }
	while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
	w0 = i;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) i++;
	if (sl_textscan_ieq(s + w0, i - w0, "array")) kind = SL_T_ARRAY;
	else if (sl_textscan_ieq(s + w0, i - w0, "map")) kind = SL_T_MAP;
	else if (sl_textscan_ieq(s + w0, i - w0, "struct")) kind = SL_T_STRUCT;
	if (!kind) {
		for (e = w0; e < n; e++) {
			if (s[e] == '(') par++;
			else if (s[e] == ')') par--;
			else if (!par && (s[e] == ',' || s[e] == '>')) break;
		}
		if (!scalar_parse(s + w0, e - w0, t, err)) return 0;
		*pi = e;
		return 1;
	}
	while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
	if (i >= n || s[i] != '<') { *err = "expected '<' after a complex type name"; return 0; }
	i++;
	{
		sl_type ch[256];
		char *names[256];
		uint32_t nc = 0;
		int ok = 1;
		const sl_tnode *nd;
		memset(names, 0, sizeof names);
		for (;;) {
			if (nc == 256) { *err = "too many members"; ok = 0; break; }
			if (kind == SL_T_STRUCT) {
				size_t n0, n1;
				while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
				if (i < n && s[i] == '`') {
					n0 = ++i;
					while (i < n && s[i] != '`') i++;
					n1 = i;
					if (i < n) i++;
				} else {
					n0 = i;
					while (i < n && (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
					    || (s[i] >= '0' && s[i] <= '9'))) i++;
					n1 = i;
				}
				if (n1 == n0) { *err = "expected a struct member name"; ok = 0; break; }
				for (k = 0; k < nc; k++)
					if (strlen(names[k]) == n1 - n0 && !strncasecmp(names[k], s + n0, n1 - n0)) break;
				if (k < nc) { *err = "duplicate struct member name"; ok = 0; break; }
				names[nc] = strndup(s + n0, n1 - n0);
				if (!names[nc]) { *err = "out of memory"; ok = 0; break; }
				while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
				if (i < n && s[i] == ':') i++;
			}
			if (!tparse(s, n, &i, &ch[nc], err, depth + 1)) { ok = 0; break; }
			nc++;
			while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
			if (i < n && s[i] == ',') { i++; continue; }
			if (i < n && s[i] == '>') { i++; break; }
			*err = "expected ',' or '>' in a complex type"; ok = 0; break;
		}
		if (ok && kind == SL_T_ARRAY && nc != 1) { *err = "ARRAY takes one element type"; ok = 0; }
		if (ok && kind == SL_T_MAP && nc != 2) { *err = "MAP takes a key and a value type"; ok = 0; }
		if (ok && kind == SL_T_MAP && sl_type_is_complex(&ch[0])) { *err = "MAP keys must be of a scalar type"; ok = 0; }
		nd = ok ? intern(kind, nc, kind == SL_T_STRUCT ? names : NULL, ch) : NULL;
		for (k = 0; k < 256 && names[k]; k++) free(names[k]);
		if (!ok) return 0;
		if (!nd) { *err = "out of memory"; return 0; }
		memset(t, 0, sizeof *t);
		t->kind = kind;
		t->sub = nd;
	}
	*pi = i;
	return 1;
}

int sl_type_parse(const char *s, size_t n, sl_type *t, const char **err)
{
	const char *dummy;
	size_t i = 0;
	if (!err) err = &dummy;
	*err = NULL;
	if (!tparse(s, n, &i, t, err, 0)) { if (!*err) *err = "unknown type"; return 0; }
	while (i < n && sl_textscan_space((unsigned char)s[i])) i++;
	if (i != n) { *err = "unexpected text after type"; return 0; }
	return 1;
}

int sl_type_is_complex(const sl_type *t)
{
	return t->kind == SL_T_ARRAY || t->kind == SL_T_MAP || t->kind == SL_T_STRUCT || t->kind == SL_T_JSON;
}

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

size_t sl_type_format(const sl_type *t, char *buf, size_t cap) { return tfmt_buf(t, buf, cap, 0); }
size_t sl_type_format_upper(const sl_type *t, char *buf, size_t cap) { return tfmt_buf(t, buf, cap, 1); }

int sl_type_is_sketch(const sl_type *t)
{
	return t->kind == SL_T_BITMAP || t->kind == SL_T_HLL;
}

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

/* Big-endian stores and loads of the fixed-width fields as one swapped
 * word each (the byte-wise forms of sl.h cost a load's hot path more
 * than the rest of the field). */
static inline void be32_put(char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static inline void be64_put(char *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static inline uint32_t be32_get(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return be32toh(v);
}

static inline uint64_t be64_get(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return be64toh(v);
}

static void i128_pack(char *p, __int128 v)
{
	unsigned __int128 u = (unsigned __int128)v;
	be64_put(p, (uint64_t)(u >> 64));
	be64_put(p + 8, (uint64_t)u);
}

static __int128 i128_unpack(const char *p)
{
	unsigned __int128 u = ((unsigned __int128)be64_get(p) << 64) | be64_get(p + 8);
	return (__int128)u;
}

int sl_value_decode(const sl_type *t, const char *p, uint32_t n, sl_value *v)
{
	size_t w;
	memset(v, 0, sizeof *v);
	v->tkind = t->kind;
	if (n == SL_NULL_LEN) { v->kind = SL_V_NULL; return 1; }
	w = sl_type_width(t);
	if (sl_type_is_string(t) || t->kind == SL_T_NULL || sl_type_is_complex(t) || sl_type_is_sketch(t)) {
		v->sub = t->sub;
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
	case SL_T_INT: v->kind = SL_V_INT; v->u.i = (int32_t)be32_get(p); break;
	case SL_T_BIGINT: v->kind = SL_V_INT; v->u.i = (int64_t)be64_get(p); break;
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
	case SL_T_DATE: v->kind = SL_V_DATE; v->u.i = (int32_t)be32_get(p); break;
	case SL_T_DATETIME:
		v->kind = SL_V_DATETIME; v->u.i = (int64_t)be64_get(p);
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
	case SL_T_INT: case SL_T_DATE: be32_put(buf, (uint32_t)v_as_i64(v)); return 4;
	case SL_T_BIGINT: case SL_T_DATETIME: be64_put(buf, (uint64_t)v_as_i64(v)); return 8;
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

/* ---- formatting complex values ---- */

static int fmt_nested(const sl_type *t, const char *p, size_t n, sl_buf *out, int depth);

static int fmt_field(const sl_type *t, const char *p, size_t n, uint32_t len, sl_buf *out, int depth)
{
	sl_value v;
	char buf[SL_VALUE_FMT_MAX];
	(void)n;
	if (len == SL_NULL_LEN) return sl_buf_puts(out, "null");
	if (t->kind == SL_T_ARRAY || t->kind == SL_T_MAP || t->kind == SL_T_STRUCT)
		return fmt_nested(t, p, len, out, depth + 1);
	if (t->kind == SL_T_JSON) return sl_buf_put(out, p, len);
	if (sl_value_decode(t, p, len, &v) < 0) return sl_buf_puts(out, "?");
	if (v.kind == SL_V_STRING || v.kind == SL_V_DATE || v.kind == SL_V_DATETIME) {
		if (sl_buf_putc(out, '"') < 0) return -1;
		if (v.kind == SL_V_STRING) { if (sl_buf_put(out, v.u.s.p, v.u.s.n) < 0) return -1; }
		else if (sl_buf_put(out, buf, sl_value_fmt(&v, buf)) < 0) return -1;
		return sl_buf_putc(out, '"');
	}
	return sl_buf_put(out, buf, sl_value_fmt(&v, buf));
}

/* Read a field at p[*i..n): 1 ok (*fp, *fl set), 0 truncated. */
static int get_field(const char *p, size_t n, size_t *i, const char **fp, uint32_t *fl)
{
	uint32_t l;
	if (n - *i < 4) return 0;
	l = sl_u32_unpack(p + *i);
	*i += 4;
	*fp = p + *i;
	*fl = l;
	if (l == SL_NULL_LEN) return 1;
	if (l > n - *i) return 0;
	*i += l;
	return 1;
}

static int fmt_nested(const sl_type *t, const char *p, size_t n, sl_buf *out, int depth)
{
	size_t i = 4;
	uint32_t cnt, k;
	const sl_tnode *sub = t->sub;
	int map = t->kind == SL_T_MAP, st = t->kind == SL_T_STRUCT;

	if (!sub || n < 4 || depth > 64) return sl_buf_puts(out, "?");
	cnt = sl_u32_unpack(p);
	if (sl_buf_putc(out, t->kind == SL_T_ARRAY ? '[' : '{') < 0) return -1;
	for (k = 0; k < cnt; k++) {
		const char *fp;
		uint32_t fl;
		if (k && sl_buf_puts(out, ", ") < 0) return -1;
		if (st) {
			if (k >= sub->n) break;
			if (sl_buf_printf(out, "\"%s\":", sub->names ? sub->names[k] : "") < 0) return -1;
		}
		if (!get_field(p, n, &i, &fp, &fl)) break;
		if (fmt_field(&sub->child[st ? k : 0], fp, n, fl, out, depth) < 0) return -1;
		if (map) {
			if (sl_buf_putc(out, ':') < 0) return -1;
			if (!get_field(p, n, &i, &fp, &fl)) break;
			if (fmt_field(&sub->child[1], fp, n, fl, out, depth) < 0) return -1;
		}
	}
	return sl_buf_putc(out, t->kind == SL_T_ARRAY ? ']' : '}');
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
	int64_t days = us / SL_US_PER_DAY - (us % SL_US_PER_DAY < 0);
	int64_t rem = us - days * SL_US_PER_DAY;
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
	if (v->kind == SL_V_STRING && v->sub
	    && (v->tkind == SL_T_ARRAY || v->tkind == SL_T_MAP || v->tkind == SL_T_STRUCT)) {
		sl_type t;
		memset(&t, 0, sizeof t);
		t.kind = v->tkind;
		t.sub = v->sub;
		return fmt_nested(&t, v->u.s.p, v->u.s.n, out, 0) < 0 ? -1 : 1;
	}
	if (v->kind == SL_V_STRING && (v->tkind == SL_T_BITMAP || v->tkind == SL_T_HLL))
		return sl_buf_puts(out, "NULL") < 0 ? -1 : 1;
	if (v->kind == SL_V_STRING) return sl_buf_put(out, v->u.s.p, v->u.s.n);
	n = sl_value_fmt(v, buf);
	return sl_buf_put(out, buf, n);
}

