/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonpath.h -- values found in the text of one JSON record that libjq
 * has already validated: a small scanner (white space, a value's end,
 * object members, keys) and Doris's jsonpaths/json_root paths
 * ("$.a.b", "$.a[0]", "$['a']") followed over it. Values are spans of the
 * record's own text, so numbers, arrays and objects keep their source
 * text exactly, and a duplicate key's first occurrence wins, as in Doris.
 */
#ifndef SL_JSONPATH_H
#define SL_JSONPATH_H

#include <stddef.h>

/* Bytes p[0..n) of a record (p NULL: absent). */
typedef struct sl_jspan { const char *p; size_t n; } sl_jspan;

/* One step of a path: a key (key, klen) or an index (key NULL, idx). */
typedef struct sl_jstep { char *key; size_t klen; long idx; } sl_jstep;
typedef struct sl_jsonpath { sl_jstep *s; size_t n; } sl_jsonpath;

/* After the JSON white space at p (at most e). */
static inline const char *sl_jsonpath_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The end of the value that starts at p (p not white space), or e. */
const char *sl_jsonpath_skip_value(const char *p, const char *e);
/* The next object member: *p after '{' or after a previous member. 1
 * with the key (quotes included) and the value, 0 at the end. */
int sl_jsonpath_member(const char **p, const char *e, sl_jspan *key, sl_jspan *val);
/* 1 if the key's text (quotes included) is name[0..nlen); an escaped key
 * is decoded first. */
int sl_jsonpath_key_is(sl_jspan key, const char *name, size_t nlen);

/* Parse "$", "$.", "$.a.b", "$.a[0]", "$['a']", "$[\"a\"]" into jp (free
 * it with sl_jsonpath_free whatever the answer). 1 ok, 0 a bad path (or
 * no memory). */
int sl_jsonpath_parse(const char *s, sl_jsonpath *jp);
void sl_jsonpath_free(sl_jsonpath *jp);
/* Follow jp from the value v: 1 with *out, 0 not found. */
int sl_jsonpath_get(const sl_jsonpath *jp, sl_jspan v, sl_jspan *out);

#endif
