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
 * Complex types (ARRAY, MAP, STRUCT, JSON): interned type descriptions,
 * a small bracket-aware text parser whose elements go through the scalar
 * casts, the length-prefixed encoding documented in types.h, and Doris's
 * display form ("[1, 2]", "{"k":1, "k2":2}").
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <pthread.h>

#include "sl.h"
#include "io.h"
#include "types.h"
#include "utf8.h"

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
};

#define IS_DIGIT(c) ((unsigned)((unsigned char)(c) - '0') <= 9u)

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int lc(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static int word_ieq0(const char *s, size_t n, const char *w)
{
	size_t i;
	if (strlen(w) != n) return 0;
	for (i = 0; i < n; i++)
		if (lc((unsigned char)s[i]) != w[i]) return 0;
	return 1;
}

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

static int scalar_parse(const char *s, size_t n, sl_type *t, const char **err)
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
	if (kind == SL_T_ARRAY || kind == SL_T_MAP || kind == SL_T_STRUCT) { *err = "expected '<'"; return 0; }
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
	case SL_T_FLOAT: case SL_T_DOUBLE: case SL_T_DATE: case SL_T_STRING: case SL_T_JSON:
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
	"array", "map", "struct", "json",
};

static size_t type_format(const sl_type *t, char *buf, size_t cap, int upper);

/* ---- complex type names (engineer P) ---- */

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
	while (i < n && is_space((unsigned char)s[i])) i++;
	w0 = i;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) i++;
	if (word_ieq0(s + w0, i - w0, "array")) kind = SL_T_ARRAY;
	else if (word_ieq0(s + w0, i - w0, "map")) kind = SL_T_MAP;
	else if (word_ieq0(s + w0, i - w0, "struct")) kind = SL_T_STRUCT;
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
	while (i < n && is_space((unsigned char)s[i])) i++;
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
				while (i < n && is_space((unsigned char)s[i])) i++;
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
				while (i < n && is_space((unsigned char)s[i])) i++;
				if (i < n && s[i] == ':') i++;
			}
			if (!tparse(s, n, &i, &ch[nc], err, depth + 1)) { ok = 0; break; }
			nc++;
			while (i < n && is_space((unsigned char)s[i])) i++;
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
	while (i < n && is_space((unsigned char)s[i])) i++;
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
	if (sl_type_is_string(t) || t->kind == SL_T_NULL || sl_type_is_complex(t)) {
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

/* ------------------------------------------------------------------ */
/* complex values (engineer P) */

/* Per-thread ring of output buffers for complex casts (see types.h). */
#define RING_N 1024
static _Thread_local sl_buf ring[RING_N];
static _Thread_local unsigned ring_i;

static int cast_text_scalar(const sl_type *t, const char *s, size_t n, sl_value *v);

/* Matching close of the bracket at s[i] ('[' or '{'), honouring quotes and
 * nesting; n if none. */
static size_t match_close(const char *s, size_t n, size_t i)
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
			if (--depth == 0) return i;
		}
	}
	return n;
}

/* Next top-level item of s[*pi..n) ending at `stop` (',' or ':'), trimmed.
 * Returns 0 when a quote or bracket is left open. */
static int next_item(const char *s, size_t n, size_t *pi, char stop, const char **ip, size_t *in)
{
	size_t i = *pi, b;
	int depth = 0;
	char q = 0;
	for (b = i; i < n; i++) {
		char c = s[i];
		if (q) {
			if (c == '\\') i++;
			else if (c == q) q = 0;
			continue;
		}
		if (c == '"' || c == '\'') q = c;
		else if (c == '[' || c == '{') depth++;
		else if (c == ']' || c == '}') depth--;
		else if (!depth && (c == stop || (stop == ':' && c == ','))) break;
	}
	if (q || depth) return 0;
	*ip = s + b;
	*in = i - b;
	trim(ip, in);
	*pi = i;
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
	if (word_ieq(s, n, "null") || !n) return put_len(o, SL_NULL_LEN);
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
		while (*i < n && IS_DIGIT(s[*i])) { (*i)++; nd++; }
		if (!nd || (nd > 1 && s[b + (s[b] == '-')] == '0')) return 0;
		if (*i < n && s[*i] == '.') {
			(*i)++; nd = 0;
			while (*i < n && IS_DIGIT(s[*i])) { (*i)++; nd++; }
			if (!nd) return 0;
		}
		if (*i < n && (s[*i] == 'e' || s[*i] == 'E')) {
			(*i)++; nd = 0;
			if (*i < n && (s[*i] == '+' || s[*i] == '-')) (*i)++;
			while (*i < n && IS_DIGIT(s[*i])) { (*i)++; nd++; }
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
	trim(&s, &n);
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
		while (k0 < e && is_space((unsigned char)s[k0])) k0++;
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
	if (v->kind == SL_V_STRING && v->sub
	    && (v->tkind == SL_T_ARRAY || v->tkind == SL_T_MAP || v->tkind == SL_T_STRUCT)) {
		sl_type t;
		memset(&t, 0, sizeof t);
		t.kind = v->tkind;
		t.sub = v->sub;
		return fmt_nested(&t, v->u.s.p, v->u.s.n, out, 0) < 0 ? -1 : 1;
	}
	if (v->kind == SL_V_STRING) return sl_buf_put(out, v->u.s.p, v->u.s.n);
	n = sl_value_fmt(v, buf);
	return sl_buf_put(out, buf, n);
}
