/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonpath.c -- the scanner and the paths over a validated JSON record
 * (jsonpath.h). The text has passed libjq's parser, so the scanner only
 * tracks strings and nesting.
 */
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "jsonpath.h"

/* Bytes that end a scalar (number or literal) in the scanner. */
static const unsigned char scalar_end[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, [','] = 1, [']'] = 1, ['}'] = 1, [':'] = 1, [0] = 1,
};

/* End of the string whose opening quote is before p: after its closing
 * quote (a quote preceded by an even run of backslashes), or e. */
static const char *skip_string(const char *p, const char *e)
{
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(e - p)), *b;
		if (!q)
			return e;
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if (!((q - b) & 1))
			return q + 1;
		p = q + 1;
	}
}

const char *sl_jsonpath_skip_value(const char *p, const char *e)
{
	int depth = 0;

	if (p >= e)
		return e;
	if (*p == '"')
		return skip_string(p + 1, e);
	if (*p != '{' && *p != '[') {
		while (p < e && !scalar_end[(unsigned char)*p])
			p++;
		return p;
	}
	for (; p < e; p++) {
		if (*p == '"') {
			p = skip_string(p + 1, e) - 1;
		} else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1;
		}
	}
	return e;
}

int sl_jsonpath_member(const char **p, const char *e, sl_jspan *key, sl_jspan *val)
{
	const char *q = sl_jsonpath_ws(*p, e), *k;

	if (q < e && *q == ',')
		q = sl_jsonpath_ws(q + 1, e);
	if (q >= e || *q != '"')
		return 0;
	k = q;
	q = sl_jsonpath_skip_value(q, e);
	key->p = k;
	key->n = (size_t)(q - k);
	q = sl_jsonpath_ws(q, e);
	if (q < e && *q == ':')
		q = sl_jsonpath_ws(q + 1, e);
	val->p = q;
	q = sl_jsonpath_skip_value(q, e);
	val->n = (size_t)(q - val->p);
	*p = q;
	return 1;
}

int sl_jsonpath_key_is(sl_jspan key, const char *name, size_t nlen)
{
	if (!memchr(key.p, '\\', key.n))
		return key.n == nlen + 2 && !memcmp(key.p + 1, name, nlen);
	{
		jv s = jv_parse_sized(key.p, (int)key.n);
		int r = 0;
		if (jv_get_kind(s) == JV_KIND_STRING)
			r = (size_t)jv_string_length_bytes(jv_copy(s)) == nlen && !memcmp(jv_string_value(s), name, nlen);
		jv_free(s);
		return r;
	}
}

int sl_jsonpath_get(const sl_jsonpath *jp, sl_jspan v, sl_jspan *out)
{
	size_t i;

	for (i = 0; i < jp->n; i++) {
		const sl_jstep *st = &jp->s[i];
		const char *p = sl_jsonpath_ws(v.p, v.p + v.n), *e = v.p + v.n;
		int found = 0;

		if (st->key) {
			sl_jspan k, val;
			if (p >= e || *p != '{')
				return 0;
			p++;
			while (sl_jsonpath_member(&p, e, &k, &val))
				if (sl_jsonpath_key_is(k, st->key, st->klen)) {
					v = val;
					found = 1;
					break;
				}
		} else {
			long n = 0;
			if (p >= e || *p != '[')
				return 0;
			p = sl_jsonpath_ws(p + 1, e);
			while (p < e && *p != ']') {
				const char *q = sl_jsonpath_skip_value(p, e);
				if (n++ == st->idx) {
					v.p = p;
					v.n = (size_t)(q - p);
					found = 1;
					break;
				}
				p = sl_jsonpath_ws(q, e);
				if (p < e && *p == ',')
					p = sl_jsonpath_ws(p + 1, e);
			}
		}
		if (!found)
			return 0;
	}
	*out = v;
	return 1;
}

int sl_jsonpath_parse(const char *s, sl_jsonpath *jp)
{
	const char *p = s;

	jp->s = 0;
	jp->n = 0;
	while (*p == ' ')
		p++;
	if (*p++ != '$')
		return 0;
	if (*p == '.' && !p[1])
		return 1;
	while (*p) {
		sl_jstep st = { 0, 0, -1 };
		if (*p == '.') {
			const char *b = ++p;
			while (*p && *p != '.' && *p != '[')
				p++;
			if (p == b)
				return 0;
			st.klen = (size_t)(p - b);
			st.key = strndup(b, st.klen);
		} else if (*p == '[') {
			p++;
			if (*p == '\'' || *p == '"') {
				char q = *p++;
				const char *b = p;
				while (*p && *p != q)
					p++;
				if (!*p || p[1] != ']')
					return 0;
				st.klen = (size_t)(p - b);
				st.key = strndup(b, st.klen);
				p += 2;
			} else if (*p >= '0' && *p <= '9') {
				char *end;
				st.idx = strtol(p, &end, 10);
				if (*end != ']')
					return 0;
				p = end + 1;
			} else if (*p == '*') {
				return 0;
			} else
				return 0;
		} else
			return 0;
		if (st.key == 0 && st.idx < 0)
			return 0;
		{
			sl_jstep *ns = realloc(jp->s, (jp->n + 1) * sizeof *ns);
			if (!ns)
				return 0;
			jp->s = ns;
			jp->s[jp->n++] = st;
		}
	}
	return 1;
}

void sl_jsonpath_free(sl_jsonpath *jp)
{
	size_t i;
	for (i = 0; i < jp->n; i++)
		free(jp->s[i].key);
	free(jp->s);
	jp->s = 0;
	jp->n = 0;
}
