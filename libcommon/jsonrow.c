/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonrow.c -- one JSON record to a row or an F record (jsonrow.h).
 *
 * Every record is validated by libjq's parser (jv_parse_sized); the values
 * are then taken from the record's own text (jsonpath.h), so numbers,
 * arrays and objects keep their source text exactly (jq 1.6 keeps numbers
 * as doubles) and a duplicate key's first occurrence wins, as in Doris.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>
#include <jq.h>

#include "sl.h"
#include "io.h"
#include "status.h"
#include "jqsandbox.h"
#include "jsonrow.h"

#define MSG_ARRAY "JSON data is array-object, `strip_outer_array` must be TRUE."
#define MSG_NOTARRAY "JSON data is not an array-object, `strip_outer_array` must be FALSE."
#define MSG_SCALAR "Not an json object or json array"
#define SRC_MAX (1u << 20)      /* source text kept in an F record */

void sl_jsonrow_error(sl_jsonrow *c, const char *reason, const char *src, size_t slen)
{
	if (slen > SRC_MAX)
		slen = SRC_MAX;
	if (sl_write_error(c->w, reason, strlen(reason), src, slen, c->recno) < 0)
		c->werr = 1;
}

void sl_jsonrow_errorf(sl_jsonrow *c, const char *src, size_t slen, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sl_jsonrow_error(c, buf, src, slen);
}

static void no_match(sl_jsonrow *c, sl_jspan rec)
{
	size_t i;

	c->reason.len = 0;
	sl_buf_puts(&c->reason, "There is no column matching jsonpaths in the json file, columns:[");
	for (i = 0; i < c->nsrc; i++) {
		sl_buf_puts(&c->reason, c->src[i]);
		sl_buf_puts(&c->reason, ", ");
	}
	sl_buf_puts(&c->reason, "], please check columns and jsonpaths:");
	sl_buf_puts(&c->reason, c->paths_text ? c->paths_text : "");
	sl_buf_cstr(&c->reason);
	sl_jsonrow_error(c, c->reason.p ? c->reason.p : "", rec.p, rec.n);
}

/* Write one value (text of a JSON value) as a source field. */
static void put_value(sl_jsonrow *c, sl_jspan v)
{
	const char *p = v.p;
	int r;

	if (!p) {
		r = sl_row_field(c->w, "", SL_ABSENT_LEN);
	} else if (*p == 'n') {
		r = sl_row_field(c->w, "", SL_NULL_LEN);
	} else if (*p == 't') {
		r = sl_row_field(c->w, "1", 1);
	} else if (*p == 'f') {
		r = sl_row_field(c->w, "0", 1);
	} else if (*p == '"') {
		if (!memchr(p, '\\', v.n)) {
			r = sl_row_field(c->w, p + 1, v.n - 2);
		} else {
			jv s = jv_parse_sized(p, (int)v.n);
			if (jv_get_kind(s) == JV_KIND_STRING)
				r = sl_row_field(c->w, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
			else
				r = sl_row_field(c->w, p + 1, v.n - 2);
			jv_free(s);
		}
	} else
		r = sl_row_field(c->w, p, v.n);
	if (r < 0)
		c->werr = 1;
}

static void put_row(sl_jsonrow *c)
{
	size_t i;

	if (sl_row_begin(c->w) < 0) {
		c->werr = 1;
		return;
	}
	for (i = 0; i < c->nsrc; i++)
		put_value(c, c->vals[i]);
	if (sl_row_end(c->w) < 0)
		c->werr = 1;
}

/* A row candidate (object, or anything in matching mode). in_array: an
 * element of a stripped array (json_root only in matching mode). */
static void emit_record(sl_jsonrow *c, sl_jspan rec, jv_kind kind, int in_array)
{
	sl_jspan v = rec;
	size_t i, m, found = 0;

	for (i = 0; i < c->nsrc; i++)
		c->vals[i].p = 0;
	if (c->have_root && (!in_array || c->paths)) {
		if (!sl_jsonpath_get(&c->root, rec, &v)) {
			sl_jsonrow_errorf(c, rec.p, rec.n, SL_E_NOT_FOUND "Not found target filed, err: NO_SUCH_FIELD: The JSON field referenced does not exist in this object., msg: unable to find field: %s",
			    c->root_text);
			return;
		}
		{
			const char *p = sl_jsonpath_ws(v.p, v.p + v.n);
			kind = *p == '{' ? JV_KIND_OBJECT : *p == '[' ? JV_KIND_ARRAY : JV_KIND_NULL;
		}
	}
	if (c->paths) {
		for (i = 0; i < c->npaths && i < c->nsrc; i++) {
			sl_jspan out;
			if (sl_jsonpath_get(&c->paths[i], v, &out)) {
				c->vals[i] = out;
				found++;
			}
		}
	} else {
		const char *p, *e = v.p + v.n;
		sl_jspan k, val;
		if (kind != JV_KIND_OBJECT) {
			sl_jsonrow_error(c, kind == JV_KIND_ARRAY && !in_array ? MSG_ARRAY : MSG_SCALAR, rec.p, rec.n);
			return;
		}
		p = sl_jsonpath_ws(v.p, e) + 1;
		/* keys usually come in the same order record after record: try
		 * the column the member at this ordinal matched last time */
		for (m = 0; sl_jsonpath_member(&p, e, &k, &val); m++) {
			if (m < c->nkeycol && c->keycol[m]) {
				i = c->keycol[m] - 1;
				if (!c->vals[i].p && sl_jsonpath_key_is(k, c->src[i], c->srclen[i])) {
					c->vals[i] = val;
					found++;
					continue;
				}
			}
			for (i = 0; i < c->nsrc; i++)
				if (!c->vals[i].p && sl_jsonpath_key_is(k, c->src[i], c->srclen[i])) {
					c->vals[i] = val;
					found++;
					if (m < c->nkeycol)
						c->keycol[m] = (uint32_t)i + 1;
					break;
				}
		}
	}
	if (!found) {
		no_match(c, rec);
		return;
	}
	put_row(c);
}

void sl_jsonrow_kind(sl_jsonrow *c, sl_jspan rec, jv_kind kind, int elem)
{
	if (!elem && c->strip) {
		/* a document with strip_outer_array */
		if (kind == JV_KIND_ARRAY)
			c->array(c, rec);
		else
			sl_jsonrow_error(c, kind == JV_KIND_OBJECT ? MSG_NOTARRAY : MSG_SCALAR, rec.p, rec.n);
		return;
	}
	if (!elem && kind == JV_KIND_ARRAY) {
		sl_jsonrow_error(c, MSG_ARRAY, rec.p, rec.n);
		return;
	}
	if (!elem && kind != JV_KIND_OBJECT) {
		sl_jsonrow_error(c, MSG_SCALAR, rec.p, rec.n);
		return;
	}
	emit_record(c, rec, kind, elem);
}

/* Run the jq program on a parsed value; every output is a record. */
static void run_jq(sl_jsonrow *c, jv val, int elem)
{
	jv out;
	uint64_t n = 0;
	char **env = sl_jqsandbox_enter();

	jq_start(c->jq, val, 0);
	while (jv_is_valid(out = jq_next(c->jq))) {
		jv s = jv_dump_string(jv_copy(out), 0);
		sl_jspan rec = { jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)) };
		sl_jsonrow_kind(c, rec, jv_get_kind(out), elem);
		jv_free(s);
		jv_free(out);
		n++;
	}
	sl_jqsandbox_leave(env);
	if (jq_halted(c->jq)) {
		/* the prelude leaves no way to halt; its message is not shown */
		jv_free(out);
		sl_jsonrow_error(c, "jq: error: the program halted", "", 0);
		return;
	}
	if (jv_invalid_has_msg(jv_copy(out))) {
		jv m = jv_invalid_get_msg(out);
		jv d = jv_get_kind(m) == JV_KIND_STRING ? m : jv_dump_string(m, 0);
		sl_jsonrow_errorf(c, "", 0, "jq: error: %s", jv_string_value(d));
		jv_free(d);
		return;
	}
	jv_free(out);
	if (!n)
		c->unselected++;
}

/* A complete document or element text. */
void sl_jsonrow_text(sl_jsonrow *c, sl_jspan rec, int elem)
{
	jv val;
	jv_kind kind;

	val = jv_parse_sized(rec.p, (int)rec.n);
	if (!jv_is_valid(val)) {
		jv m = jv_invalid_get_msg(val);
		sl_jsonrow_errorf(c, rec.p, rec.n, "Parse json data failed. code: 3, error info: %s",
		    jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "invalid JSON");
		jv_free(m);
		return;
	}
	if (c->jq && (elem || !c->strip)) {
		run_jq(c, val, elem);
		return;
	}
	kind = jv_get_kind(val);
	jv_free(val);
	sl_jsonrow_kind(c, rec, kind, elem);
}

/* ---- setup ---- */

/* Simple mode: the key order cache, which needs distinct column names. */
static void keycol_init(sl_jsonrow *c)
{
	size_t i, j;

	if (c->paths)
		return;
	c->nkeycol = c->nsrc * 2 + 8;
	for (i = 0; i < c->nsrc && c->nkeycol; i++)
		for (j = 0; j < i; j++)
			if (c->srclen[i] == c->srclen[j] && !memcmp(c->src[i], c->src[j], c->srclen[i])) {
				c->nkeycol = 0;
				break;
			}
	if (c->nkeycol && !(c->keycol = calloc(c->nkeycol, sizeof *c->keycol)))
		c->nkeycol = 0;
}

int sl_jsonrow_setup(sl_jsonrow *c, char *err, size_t errsz)
{
	const char *v;
	size_t i;

	v = c->lo->v[SL_LO_JSONPATHS].text;
	if (v) {
		jv a = jv_parse(v);
		int ok = jv_get_kind(a) == JV_KIND_ARRAY;
		c->paths_text = v;
		if (ok) {
			int n = jv_array_length(jv_copy(a));
			c->paths = calloc((size_t)n + 1, sizeof *c->paths);
			c->npaths = (size_t)n;
			for (i = 0; ok && i < (size_t)n; i++) {
				jv s = jv_array_get(jv_copy(a), (int)i);
				ok = jv_get_kind(s) == JV_KIND_STRING && sl_jsonpath_parse(jv_string_value(s), &c->paths[i]);
				jv_free(s);
			}
		}
		jv_free(a);
		if (!ok) {
			snprintf(err, errsz, SL_E_INVALID_JSON_PATH "Invalid json path: %s", v);
			return 0;
		}
	}
	v = c->lo->v[SL_LO_JSON_ROOT].text;
	if (v) {
		c->root_text = v;
		if (!sl_jsonpath_parse(v, &c->root)) {
			snprintf(err, errsz, SL_E_INVALID_JSON_PATH "Invalid json path: %s", v);
			return 0;
		}
		c->have_root = c->root.n > 0;
	}
	v = c->lo->v[SL_LO_JQ].text;
	if (v && !(c->jq = sl_jqsandbox_compile(v, &c->jqerr, err, errsz)))
		return 0;
	keycol_init(c);
	return 1;
}

void sl_jsonrow_free(sl_jsonrow *c)
{
	size_t i;

	free(c->keycol);
	if (c->jq)
		jq_teardown(&c->jq);
	for (i = 0; i < c->npaths; i++)
		sl_jsonpath_free(&c->paths[i]);
	free(c->paths);
	sl_jsonpath_free(&c->root);
	free(c->vals);
	free(c->srclen);
	sl_buf_free(&c->reason);
	sl_buf_free(&c->jqerr);
}
