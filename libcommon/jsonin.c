/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonin.c -- the JSON path of sl-parse (jsonin.h).
 *
 * Every record is validated by libjq's parser (jv_parse_sized); the values
 * are then taken from the record's own text by a small scanner, so numbers,
 * arrays and objects keep their source text exactly (jq 1.6 keeps numbers
 * as doubles) and a duplicate key's first occurrence wins, as in Doris.
 * A top-level array with strip_outer_array is split element by element by
 * a bracket/quote-aware state machine: memory is one element at a time.
 *
 * By line (the NDJSON case, without jq or strip_outer_array), jv's parse
 * of each record, most of the cost, runs on worker threads: the main
 * thread cuts lines into batches (SL_JSON_BATCH bytes, default 1 MiB) and
 * emits each batch, in input order, once the workers have parsed it. A
 * worker keeps one jv_parser for all its records (jv_parser_set_buf per
 * record); any record that is not one object, array or string followed by
 * white space is parsed again by jv_parse_sized, whose result (and error
 * message) is then the answer, exactly as without threads. Threads:
 * SL_JSON_THREADS, default the number of online CPUs (at most 4); 1 or
 * less: no threads. The elements of a stripped outer array (not by line,
 * without jq) go through the same pool, as PR_ELEM records: the splitter
 * hands each element to pool_add, and anything it reports itself (an
 * empty element, trailing content, the end) first drains the pool.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jv.h>
#include <jq.h>

#include "jsonin.h"
#include "sl.h"
#include "io.h"
#include "csvsplit.h"

#define MSG_ARRAY "JSON data is array-object, `strip_outer_array` must be TRUE."
#define MSG_NOTARRAY "JSON data is not an array-object, `strip_outer_array` must be FALSE."
#define MSG_SCALAR "Not an json object or json array"
#define MSG_EMPTY "Empty json line"
#define SRC_MAX (1u << 20)      /* source text kept in an F record */

typedef struct span { const char *p; size_t n; } span;

/* One step of a path: a key or an index. */
typedef struct pstep { char *key; size_t klen; long idx; } pstep;
typedef struct jpath { pstep *s; size_t n; } jpath;

typedef struct jctx {
	const sl_hdrs *h;
	const char *const *src;
	size_t nsrc;
	sl_writer *w;
	int strip, by_line;
	size_t cap;
	jpath root;
	int have_root;
	const char *root_text;
	jpath *paths;           /* matching mode */
	size_t npaths;
	const char *paths_text;
	jq_state *jq;
	sl_buf jqerr;
	uint64_t unselected;
	uint64_t recno;         /* document / line ordinal for F records */
	span *vals;             /* per source column: value text, p NULL = absent */
	size_t *srclen;
	sl_buf tmp, reason;
	int werr;
	struct pool *pool;      /* by line: parallel parse (NULL: serial) */
	uint32_t *keycol;       /* simple mode: member ordinal -> column + 1 seen last */
	size_t nkeycol;
} jctx;

/* ---- small JSON text scanner (input already validated by jv) ---- */

static const char *ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

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

/* End of the value starting at p (p not whitespace). */
static const char *skip_value(const char *p, const char *e)
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

/* Iterate object members: *p after '{' or a previous member. 1 with key
 * (quotes included) and value, 0 at the end. */
static int next_member(const char **p, const char *e, span *key, span *val)
{
	const char *q = ws(*p, e), *k;

	if (q < e && *q == ',')
		q = ws(q + 1, e);
	if (q >= e || *q != '"')
		return 0;
	k = q;
	q = skip_value(q, e);
	key->p = k;
	key->n = (size_t)(q - k);
	q = ws(q, e);
	if (q < e && *q == ':')
		q = ws(q + 1, e);
	val->p = q;
	q = skip_value(q, e);
	val->n = (size_t)(q - val->p);
	*p = q;
	return 1;
}

/* A key's text (quotes included) equals name? Escaped keys are decoded. */
static int key_is(jctx *c, span key, const char *name, size_t nlen)
{
	if (!memchr(key.p, '\\', key.n))
		return key.n == nlen + 2 && !memcmp(key.p + 1, name, nlen);
	{
		jv s = jv_parse_sized(key.p, (int)key.n);
		int r = 0;
		(void)c;
		if (jv_get_kind(s) == JV_KIND_STRING)
			r = (size_t)jv_string_length_bytes(jv_copy(s)) == nlen && !memcmp(jv_string_value(s), name, nlen);
		jv_free(s);
		return r;
	}
}

/* Follow a path from the value v; 1 found (*out), 0 not. */
static int path_get(jctx *c, const jpath *jp, span v, span *out)
{
	size_t i;

	for (i = 0; i < jp->n; i++) {
		const pstep *st = &jp->s[i];
		const char *p = ws(v.p, v.p + v.n), *e = v.p + v.n;
		int found = 0;

		if (st->key) {
			span k, val;
			if (p >= e || *p != '{')
				return 0;
			p++;
			while (next_member(&p, e, &k, &val))
				if (key_is(c, k, st->key, st->klen)) {
					v = val;
					found = 1;
					break;
				}
		} else {
			long n = 0;
			if (p >= e || *p != '[')
				return 0;
			p = ws(p + 1, e);
			while (p < e && *p != ']') {
				const char *q = skip_value(p, e);
				if (n++ == st->idx) {
					v.p = p;
					v.n = (size_t)(q - p);
					found = 1;
					break;
				}
				p = ws(q, e);
				if (p < e && *p == ',')
					p = ws(p + 1, e);
			}
		}
		if (!found)
			return 0;
	}
	*out = v;
	return 1;
}

/* Parse "$", "$.", "$.a.b", "$.a[0]", "$['a']", "$[\"a\"]". 1 ok, 0 bad. */
static int path_parse(const char *s, jpath *jp)
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
		pstep st = { 0, 0, -1 };
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
			pstep *ns = realloc(jp->s, (jp->n + 1) * sizeof *ns);
			if (!ns)
				return 0;
			jp->s = ns;
			jp->s[jp->n++] = st;
		}
	}
	return 1;
}

static void path_free(jpath *jp)
{
	size_t i;
	for (i = 0; i < jp->n; i++)
		free(jp->s[i].key);
	free(jp->s);
	jp->s = 0;
	jp->n = 0;
}

/* ---- output ---- */

static void ferr(jctx *c, const char *reason, const char *src, size_t slen)
{
	if (slen > SRC_MAX)
		slen = SRC_MAX;
	if (sl_write_error(c->w, reason, strlen(reason), src, slen, c->recno) < 0)
		c->werr = 1;
}

__attribute__((format(printf, 4, 5)))
static void ferrf(jctx *c, const char *src, size_t slen, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	ferr(c, buf, src, slen);
}

static void no_match(jctx *c, span rec)
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
	ferr(c, c->reason.p ? c->reason.p : "", rec.p, rec.n);
}

/* Write one value (text of a JSON value) as a source field. */
static void put_value(jctx *c, span v)
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

static void put_row(jctx *c)
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
static void emit_record(jctx *c, span rec, jv_kind kind, int in_array)
{
	span v = rec;
	size_t i, m, found = 0;

	for (i = 0; i < c->nsrc; i++)
		c->vals[i].p = 0;
	if (c->have_root && (!in_array || c->paths)) {
		if (!path_get(c, &c->root, rec, &v)) {
			ferrf(c, rec.p, rec.n, "[NOT_FOUND]Not found target filed, err: NO_SUCH_FIELD: The JSON field referenced does not exist in this object., msg: unable to find field: %s",
			    c->root_text);
			return;
		}
		{
			const char *p = ws(v.p, v.p + v.n);
			kind = *p == '{' ? JV_KIND_OBJECT : *p == '[' ? JV_KIND_ARRAY : JV_KIND_NULL;
		}
	}
	if (c->paths) {
		for (i = 0; i < c->npaths && i < c->nsrc; i++) {
			span out;
			if (path_get(c, &c->paths[i], v, &out)) {
				c->vals[i] = out;
				found++;
			}
		}
	} else {
		const char *p, *e = v.p + v.n;
		span k, val;
		if (kind != JV_KIND_OBJECT) {
			ferr(c, kind == JV_KIND_ARRAY && !in_array ? MSG_ARRAY : MSG_SCALAR, rec.p, rec.n);
			return;
		}
		p = ws(v.p, e) + 1;
		/* keys usually come in the same order record after record: try
		 * the column the member at this ordinal matched last time */
		for (m = 0; next_member(&p, e, &k, &val); m++) {
			if (m < c->nkeycol && c->keycol[m]) {
				i = c->keycol[m] - 1;
				if (!c->vals[i].p && key_is(c, k, c->src[i], c->srclen[i])) {
					c->vals[i] = val;
					found++;
					continue;
				}
			}
			for (i = 0; i < c->nsrc; i++)
				if (!c->vals[i].p && key_is(c, k, c->src[i], c->srclen[i])) {
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

/* Split an in-memory array text into elements. */
static void emit_array(jctx *c, span doc, int from_jq);

static void emit_kind(jctx *c, span rec, jv_kind kind, int elem, int from_jq)
{
	(void)from_jq;
	if (!elem && c->strip) {
		/* a document with strip_outer_array */
		if (kind == JV_KIND_ARRAY)
			emit_array(c, rec, from_jq);
		else
			ferr(c, kind == JV_KIND_OBJECT ? MSG_NOTARRAY : MSG_SCALAR, rec.p, rec.n);
		return;
	}
	if (!elem && kind == JV_KIND_ARRAY) {
		ferr(c, MSG_ARRAY, rec.p, rec.n);
		return;
	}
	if (!elem && kind != JV_KIND_OBJECT) {
		ferr(c, MSG_SCALAR, rec.p, rec.n);
		return;
	}
	emit_record(c, rec, kind, elem);
}

static char **jq_env_hide(void);
static void jq_env_restore(char **saved);

/* Run the jq program on a parsed value; every output is a record. */
static void run_jq(jctx *c, jv val, int elem)
{
	jv out;
	uint64_t n = 0;
	char **env = jq_env_hide();

	jq_start(c->jq, val, 0);
	while (jv_is_valid(out = jq_next(c->jq))) {
		jv s = jv_dump_string(jv_copy(out), 0);
		span rec = { jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)) };
		emit_kind(c, rec, jv_get_kind(out), elem, 1);
		jv_free(s);
		jv_free(out);
		n++;
	}
	jq_env_restore(env);
	if (jq_halted(c->jq)) {
		/* the prelude leaves no way to halt; its message is not shown */
		jv_free(out);
		ferr(c, "jq: error: the program halted", "", 0);
		return;
	}
	if (jv_invalid_has_msg(jv_copy(out))) {
		jv m = jv_invalid_get_msg(out);
		jv d = jv_get_kind(m) == JV_KIND_STRING ? m : jv_dump_string(m, 0);
		ferrf(c, "", 0, "jq: error: %s", jv_string_value(d));
		jv_free(d);
		return;
	}
	jv_free(out);
	if (!n)
		c->unselected++;
}

/* A complete document or element text. */
static void handle_text(jctx *c, span rec, int elem)
{
	jv val;
	jv_kind kind;

	val = jv_parse_sized(rec.p, (int)rec.n);
	if (!jv_is_valid(val)) {
		jv m = jv_invalid_get_msg(val);
		ferrf(c, rec.p, rec.n, "Parse json data failed. code: 3, error info: %s",
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
	emit_kind(c, rec, kind, elem, 0);
}

/* ---- strip_outer_array splitter ---- */

struct pool;
static void pool_drain(jctx *c);
static void pool_add(jctx *c, const char *p, size_t n, size_t full, int type, size_t biglen);
static size_t pool_batch_bytes(const struct pool *pl);
enum { PR_LINE, PR_BIG, PR_ELEM };

enum { SP_BEFORE, SP_IN, SP_AFTER, SP_RAW };

typedef struct splitter {
	int state, in_str, esc, over;
	long depth;
	uint64_t nelem;
	sl_buf el;              /* current element (or the raw non-array doc) */
	size_t ellen;           /* bytes of the element even past the cap */
	int trailing;           /* non-space after ']' reported */
} splitter;

static void sp_element(jctx *c, splitter *s, int last)
{
	span e = { s->el.p, s->el.len };
	const char *p = ws(e.p, e.p + e.n), *q = e.p + e.n;

	while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
		q--;
	e.p = p;
	e.n = (size_t)(q - p);
	if (s->over) {
		c->recno++;
		if (c->pool)
			pool_add(c, e.p, e.n > 1024 ? 1024 : e.n, e.n > 1024 ? 1024 : e.n, PR_BIG, s->ellen);
		else
			ferrf(c, e.p, e.n > 1024 ? 1024 : e.n, "The json record is too large: %zu bytes, more than the limit of %zu bytes (json_record_max_bytes)",
			    s->ellen, c->cap);
	} else if (!e.n) {
		if (!(last && !s->nelem)) {
			if (c->pool)
				pool_drain(c);
			c->recno++;
			ferr(c, "Parse json data failed. code: 3, error info: empty array element", "", 0);
		}
	} else {
		/* full: up to the buffer's NUL, as jv_parse_sized's message
		 * prints the text to there */
		size_t full = (size_t)(s->el.p + s->el.len - e.p);
		c->recno++;
		if (c->pool && full < pool_batch_bytes(c->pool))
			pool_add(c, e.p, e.n, full, PR_ELEM, 0);
		else {
			if (c->pool)
				pool_drain(c);  /* a long element: parse it here, in order */
			handle_text(c, e, 1);
		}
		s->nelem++;
		s->el.len = 0;
		s->ellen = 0;
		s->over = 0;
		return;
	}
	if (s->over || e.n)
		s->nelem++;
	s->el.len = 0;
	s->ellen = 0;
	s->over = 0;
}

static void sp_add(jctx *c, splitter *s, const char *p, size_t n)
{
	s->ellen += n;
	if (!s->over && s->el.len + n > c->cap)
		s->over = 1;
	if (s->over) {
		/* keep the head (its first 1 KiB however the reads cut it,
		 * for the error record), drop the rest */
		if (s->el.len < 1024 && sl_buf_put(&s->el, p, 1024 - s->el.len < n ? 1024 - s->el.len : n) < 0)
			c->werr = 1;
		return;
	}
	if (sl_buf_put(&s->el, p, n) < 0)
		c->werr = 1;
}

static void sp_feed(jctx *c, splitter *s, const char *p, size_t n)
{
	const char *e = p + n, *mark;

	while (p < e && !c->werr) {
		switch (s->state) {
		case SP_BEFORE:
			p = ws(p, e);
			if (p == e)
				return;
			if (*p == '[') {
				s->state = SP_IN;
				s->depth = 1;
				p++;
			} else
				s->state = SP_RAW;
			break;
		case SP_RAW:
			sp_add(c, s, p, (size_t)(e - p));
			return;
		case SP_AFTER:
			p = ws(p, e);
			if (p < e && !s->trailing) {
				if (c->pool)
					pool_drain(c);
				s->trailing = 1;
				c->recno++;
				ferrf(c, p, (size_t)(e - p) > 1024 ? 1024 : (size_t)(e - p),
				    "Parse json data failed. code: 3, error info: trailing content after the top-level array");
			}
			return;
		case SP_IN:
			mark = p;
			for (; p < e; p++) {
				char ch = *p;
				if (s->in_str) {
					if (s->esc)
						s->esc = 0;
					else if (ch == '\\')
						s->esc = 1;
					else if (ch == '"')
						s->in_str = 0;
					continue;
				}
				if (ch == '"')
					s->in_str = 1;
				else if (ch == '{' || ch == '[')
					s->depth++;
				else if (ch == '}' || ch == ']') {
					if (--s->depth == 0) {
						sp_add(c, s, mark, (size_t)(p - mark));
						sp_element(c, s, 1);
						s->state = SP_AFTER;
						p++;
						break;
					}
				} else if (ch == ',' && s->depth == 1) {
					sp_add(c, s, mark, (size_t)(p - mark));
					sp_element(c, s, 0);
					mark = p + 1;
				}
			}
			if (s->state == SP_IN)
				sp_add(c, s, mark, (size_t)(p - mark));
			break;
		}
	}
}

static void sp_finish(jctx *c, splitter *s)
{
	if (c->pool)
		pool_drain(c);  /* the elements before, in order */
	if (s->state == SP_RAW) {
		span d = { s->el.p, s->el.len };
		while (d.n && (d.p[d.n - 1] == ' ' || d.p[d.n - 1] == '\t' || d.p[d.n - 1] == '\n' || d.p[d.n - 1] == '\r'))
			d.n--;
		c->recno++;
		if (s->over)
			ferrf(c, d.p, d.n > 1024 ? 1024 : d.n, "The json record is too large: %zu bytes, more than the limit of %zu bytes (json_record_max_bytes)",
			    s->ellen, c->cap);
		else
			handle_text(c, d, 0);
	} else if (s->state == SP_IN) {
		c->recno++;
		ferr(c, "Parse json data failed. code: 3, error info: unterminated top-level array", s->el.p, s->el.len);
	} else if (s->state == SP_AFTER && !s->nelem && !c->paths) {
		c->recno++;
		ferr(c, MSG_EMPTY, "[]", 2);
	}
	s->state = SP_BEFORE;
	s->el.len = 0;
	s->ellen = 0;
	s->over = 0;
	s->nelem = 0;
	s->depth = 0;
	s->in_str = s->esc = s->trailing = 0;
}

static void emit_array(jctx *c, span doc, int from_jq)
{
	splitter s;
	uint64_t rn = c->recno;
	struct pool *pl = c->pool;

	(void)from_jq;
	c->pool = NULL;         /* an array inside a document: serial */
	memset(&s, 0, sizeof s);
	sp_feed(c, &s, doc.p, doc.n);
	sp_finish(c, &s);
	sl_buf_free(&s.el);
	c->pool = pl;
	c->recno = rn;
}

/* ---- by line: jv's parse on worker threads ---- */

enum { B_FREE, B_QUEUED, B_DONE };

typedef struct prec {
	size_t off, n;          /* the record in data (data[off + full] is NUL) */
	size_t full;            /* the line as read (a stripped \r included) */
	size_t biglen;          /* PR_BIG: the whole line's length */
	uint64_t recno;
	int type;
	int kind;               /* parsed: a jv_kind, or -1 (message at msgoff) */
	size_t msgoff;
} prec;

typedef struct batch {
	sl_buf data, msg;
	prec *r;
	size_t n, cap;
	int state;
} batch;

typedef struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t *th;
	int nth, started, quit;
	batch *b;
	size_t nb;              /* ring of batches */
	uint64_t head;          /* oldest batch not yet emitted */
	uint64_t fill;          /* batch being filled */
	uint64_t take;          /* next batch for a worker */
	size_t batch_bytes;
	int oom;
} pool;

static int is_ws_only(const char *p, const char *e)
{
	return ws(p, e) == e;
}

/* jv's parse of one record: its kind, or -1 with the message put in msg.
 * *pp: the worker's parser (one object, array or string followed by white
 * space); anything else is decided by jv_parse_sized, as the serial path
 * does. s[full] is a NUL (jv_parse_sized's message prints the text). */
static int jv_check(jv_parser **pp, uint64_t *fed, const char *s, size_t n, sl_buf *msg, int *oom)
{
	jv val;
	int kind;

	if (n && n <= INT_MAX && (unsigned char)s[0] != 0xEF) {
		if (*pp && *fed > ((uint64_t)1 << 30)) {
			/* the parser counts columns in an int */
			jv_parser_free(*pp);
			*pp = NULL;
		}
		if (!*pp) {
			*pp = jv_parser_new(0);
			*fed = 0;
		}
		*fed += n;
		jv_parser_set_buf(*pp, s, (int)n, 1);
		val = jv_parser_next(*pp);
		if (jv_is_valid(val)) {
			int rem = jv_parser_remaining(*pp);
			kind = jv_get_kind(val);
			jv_free(val);
			/* only a value that ends at its own last byte: a number or
			 * literal is cut by the byte after it, which the parser has
			 * then consumed too (a NUL reads as the number 0, ended by a
			 * quote that opens a string jv_parse_sized finds unfinished) */
			if ((kind == JV_KIND_OBJECT || kind == JV_KIND_ARRAY || kind == JV_KIND_STRING) &&
			    rem >= 0 && (size_t)rem <= n && is_ws_only(s + n - rem, s + n)) {
				if (rem)
					jv_free(jv_parser_next(*pp));   /* consume the blanks */
				if (jv_parser_remaining(*pp) == 0)
					return kind;
			}
		} else
			jv_free(val);
		/* not the common case: a fresh parser next time, jv_parse_sized now */
		jv_parser_free(*pp);
		*pp = NULL;
	}
	val = jv_parse_sized(s, (int)n);
	if (!jv_is_valid(val)) {
		jv m = jv_invalid_get_msg(val);
		if (sl_buf_puts(msg, jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "invalid JSON") < 0 ||
		    sl_buf_putc(msg, 0) < 0)
			*oom = 1;
		jv_free(m);
		return -1;
	}
	kind = jv_get_kind(val);
	jv_free(val);
	return kind;
}

static void *pool_worker(void *arg)
{
	pool *pl = arg;
	jv_parser *jp = NULL;
	uint64_t fed = 0;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		batch *b;
		size_t i;
		int oom = 0;

		while (!pl->quit && pl->take == pl->fill)
			pthread_cond_wait(&pl->work, &pl->mu);
		if (pl->quit)
			break;
		b = &pl->b[pl->take++ % pl->nb];
		pthread_mutex_unlock(&pl->mu);
		for (i = 0; i < b->n; i++) {
			prec *r = &b->r[i];
			if (r->type != PR_LINE && r->type != PR_ELEM)
				continue;
			r->msgoff = b->msg.len;
			r->kind = jv_check(&jp, &fed, b->data.p + r->off, r->n, &b->msg, &oom);
		}
		pthread_mutex_lock(&pl->mu);
		if (oom)
			pl->oom = 1;
		b->state = B_DONE;
		pthread_cond_broadcast(&pl->done);
	}
	pthread_mutex_unlock(&pl->mu);
	if (jp)
		jv_parser_free(jp);
	return NULL;
}

static size_t env_size(const char *name, size_t dflt, size_t max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (v && *v) {
		n = strtoull(v, &end, 10);
		if (!*end)
			return n > max ? max : (size_t)n;
	}
	return dflt;
}

static void pool_free(pool *pl);

static size_t pool_batch_bytes(const pool *pl)
{
	return pl->batch_bytes;
}

/* NULL: no threads (one CPU, SL_JSON_THREADS <= 1, no memory, or none
 * could be started). */
static pool *pool_new(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nth = env_size("SL_JSON_THREADS", ncpu > 4 ? 4 : ncpu < 1 ? 1 : (size_t)ncpu, 16);
	pool *pl;
	int i;

	if (nth < 2)
		return NULL;
	pl = calloc(1, sizeof *pl);
	if (!pl)
		return NULL;
	pl->nth = (int)nth;
	pl->nb = nth * 2 + 2;
	pl->batch_bytes = env_size("SL_JSON_BATCH", (size_t)1 << 20, (size_t)64 << 20);
	if (!pl->batch_bytes)
		pl->batch_bytes = 1;
	pl->b = calloc(pl->nb, sizeof *pl->b);
	pl->th = calloc(nth, sizeof *pl->th);
	if (!pl->b || !pl->th) {
		free(pl->b);
		free(pl->th);
		free(pl);
		return NULL;
	}
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->work, NULL);
	pthread_cond_init(&pl->done, NULL);
	for (i = 0; i < pl->nth; i++) {
		if (pthread_create(&pl->th[i], NULL, pool_worker, pl) != 0)
			break;
		pl->started++;
	}
	if (!pl->started) {     /* no thread at all: the serial path */
		pool_free(pl);
		return NULL;
	}
	return pl;
}

static void pool_free(pool *pl)
{
	size_t i;
	int t;

	if (!pl)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->quit = 1;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	for (t = 0; t < pl->started; t++)
		pthread_join(pl->th[t], NULL);
	for (i = 0; i < pl->nb; i++) {
		sl_buf_free(&pl->b[i].data);
		sl_buf_free(&pl->b[i].msg);
		free(pl->b[i].r);
	}
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->done);
	free(pl->b);
	free(pl->th);
	free(pl);
}

/* Emit the oldest queued batch once parsed, in input order. */
static void pool_emit_oldest(jctx *c)
{
	pool *pl = c->pool;
	batch *b = &pl->b[pl->head % pl->nb];
	uint64_t recno = c->recno;      /* the reading side's count */
	size_t i;

	pthread_mutex_lock(&pl->mu);
	while (b->state != B_DONE)
		pthread_cond_wait(&pl->done, &pl->mu);
	if (pl->oom)
		c->werr = 1;
	pthread_mutex_unlock(&pl->mu);
	for (i = 0; i < b->n && !c->werr; i++) {
		prec *r = &b->r[i];
		span rec = { b->data.p + r->off, r->n };
		c->recno = r->recno;
		if (r->type == PR_BIG)
			ferrf(c, rec.p, rec.n, "The json record is too large: %zu bytes, more than the limit of %zu bytes (json_record_max_bytes)",
			    r->biglen, c->cap);
		else if (r->kind < 0)
			ferrf(c, rec.p, rec.n, "Parse json data failed. code: 3, error info: %s", b->msg.p + r->msgoff);
		else
			emit_kind(c, rec, (jv_kind)r->kind, r->type == PR_ELEM, 0);
	}
	c->recno = recno;
	b->n = 0;
	b->data.len = 0;
	b->msg.len = 0;
	b->state = B_FREE;
	pl->head++;
}

/* Queue the batch being filled (if it holds records). */
static void pool_submit(jctx *c)
{
	pool *pl = c->pool;
	batch *b = &pl->b[pl->fill % pl->nb];

	if (!b->n)
		return;
	pthread_mutex_lock(&pl->mu);
	b->state = B_QUEUED;
	pl->fill++;
	pthread_cond_signal(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	if (pl->fill - pl->head == pl->nb)
		pool_emit_oldest(c);
}

/* Emit everything queued or being filled. */
static void pool_drain(jctx *c)
{
	pool_submit(c);
	while (c->pool->head < c->pool->fill)
		pool_emit_oldest(c);
}

/* Add a record (or, big, the head of a line over the cap) to the batch. */
static void pool_add(jctx *c, const char *p, size_t n, size_t full, int type, size_t biglen)
{
	pool *pl = c->pool;
	batch *b = &pl->b[pl->fill % pl->nb];
	prec *r;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		prec *nr = realloc(b->r, cap * sizeof *nr);
		if (!nr) {
			c->werr = 1;
			return;
		}
		b->r = nr;
		b->cap = cap;
	}
	r = &b->r[b->n];
	r->off = b->data.len;
	r->n = n;
	r->full = full;
	r->type = type;
	r->biglen = biglen;
	r->recno = c->recno;
	r->kind = 0;
	r->msgoff = 0;
	if (sl_buf_put(&b->data, p, full) < 0 || sl_buf_putc(&b->data, 0) < 0) {
		c->werr = 1;
		return;
	}
	b->n++;
	if (b->data.len >= pl->batch_bytes)
		pool_submit(c);
}

/* A whole line by line (r: the record, full bytes as read, NUL after). */
static void line_record(jctx *c, span r, size_t full)
{
	c->recno++;
	if (c->pool && r.n < c->pool->batch_bytes) {
		pool_add(c, r.p, r.n, full, PR_LINE, 0);
		return;
	}
	if (c->pool)
		pool_drain(c);  /* a long record: the order holds, parse it here */
	if (c->strip)
		emit_array(c, r, 0);
	else
		handle_text(c, r, 0);
}

/* A line over the record cap; head: its first bytes. */
static void line_too_big(jctx *c, const char *head, size_t hn, size_t len)
{
	c->recno++;
	if (c->pool) {
		pool_add(c, head, hn, hn, PR_BIG, len);
		return;
	}
	ferrf(c, head, hn, "The json record is too large: %zu bytes, more than the limit of %zu bytes (json_record_max_bytes)", len, c->cap);
}

/* ---- setup ---- */

static size_t record_cap(const sl_hdrs *h)
{
	const char *v = sl_hdrs_get(h, "json_record_max_bytes");
	char *end;
	unsigned long long n;

	if (!v)
		v = getenv("SL_JSON_RECORD_MAX");
	if (v && *v) {
		n = strtoull(v, &end, 10);
		if (!*end && n > 0)
			return (size_t)n;
	}
	return SL_JSON_RECORD_MAX_DEFAULT;
}

static void jq_err_cb(void *data, jv msg)
{
	jctx *c = data;

	if (jv_get_kind(msg) == JV_KIND_STRING) {
		if (c->jqerr.len)
			sl_buf_puts(&c->jqerr, "; ");
		sl_buf_puts(&c->jqerr, jv_string_value(msg));
	}
	jv_free(msg);
}

/* debug: nothing reaches the server's log. */
static void jq_no_debug(void *data, jv msg)
{
	(void)data;
	jv_free(msg);
}

/* input/inputs: there is nothing beyond the record. */
static jv jq_no_input(jq_state *jq, void *data)
{
	(void)jq;
	(void)data;
	return jv_invalid();
}

/* ---- the jq sandbox ----
 *
 * A jq program gets the record and nothing else. libjq 1.6 reaches out in
 * these ways, each closed here (tests/formats-json.bats, "jq sandbox"):
 * - `$ENV` is a constant built from environ at compile time, `env` reads
 *   environ when it runs, and with HOME set the compiler includes ~/.jq:
 *   environ is empty while the program compiles and runs (jq_env_hide);
 * - `import`/`include` read modules and .json files, and their `search`
 *   metadata names any directory, whatever JQ_LIBRARY_PATH says: the
 *   module keywords are refused by a tokenizer that follows jq's lexer
 *   (jq_refused), and the library path is empty besides;
 * - `modulemeta` reads a module file, `get_search_list`, `get_jq_origin`
 *   and `get_prog_origin` show paths, `input`/`inputs` would read past the
 *   record, `input_filename`, `debug` and `stderr` (which writes to the
 *   server's log), `halt`/`halt_error` (a message for the log): these are
 *   shadowed by the definitions of JQ_PRELUDE, compiled before the program
 *   (a program's own definitions shadow the built-ins the same way), with
 *   no input and a silent debug callback as a second line. */
#define JQ_NOT_IN_LOAD(name) "error(\"" name " is not available in a load\")"
static const char JQ_PRELUDE[] =
	"def env: {}; def input: " JQ_NOT_IN_LOAD("input") "; def _input: " JQ_NOT_IN_LOAD("input") "; "
	"def inputs: empty; def input_filename: null; def input_line_number: null; "
	"def debug: .; def debug(m): .; def stderr: .; def stderr(m): .; "
	"def halt: " JQ_NOT_IN_LOAD("halt") "; def halt_error: " JQ_NOT_IN_LOAD("halt_error") "; "
	"def halt_error(c): " JQ_NOT_IN_LOAD("halt_error") "; "
	"def get_search_list: []; def get_prog_origin: null; def get_jq_origin: null; "
	"def modulemeta: " JQ_NOT_IN_LOAD("modulemeta") "; "
	"{} as $ENV | ";

extern char **environ;
static char *jq_no_env[] = { NULL };

static char **jq_env_hide(void)
{
	char **saved = environ;
	environ = jq_no_env;
	return saved;
}

static void jq_env_restore(char **saved)
{
	environ = saved;
}

static int jq_ident_start(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int jq_ident_char(int ch)
{
	return jq_ident_start(ch) || (ch >= '0' && ch <= '9');
}

/* After an identifier at p: jq's IDENT takes `::name` parts too. */
static const char *jq_ident_end(const char *p)
{
	for (;;) {
		while (jq_ident_char((unsigned char)*p))
			p++;
		if (p[0] == ':' && p[1] == ':' && jq_ident_start((unsigned char)p[2]))
			p += 2;
		else
			return p;
	}
}

#define JQ_NEST_MAX 256

/* The first word of prog that reaches outside the record (`import`,
 * `include`, `module`, `modulemeta`) as jq's lexer reads it: not inside a
 * string or comment, not a field (.import), variable ($import) or format
 * (@import), a keyword not an object key ({import: 1}). NULL: none; *empty
 * set when prog has no token at all. In doubt, a word is refused. */
static const char *jq_refused(const char *prog, int *empty)
{
	/* frames: 0 code (depth in par[]), 1 string; an interpolation \( is
	 * a code frame inside a string frame */
	unsigned char kind[JQ_NEST_MAX];
	long par[JQ_NEST_MAX];
	int top = 0;
	const char *p = prog;

	*empty = 1;
	kind[0] = 0;
	par[0] = 0;
	while (*p) {
		unsigned char ch = (unsigned char)*p;
		if (kind[top] == 1) {
			if (ch == '\\' && p[1] == '(') {
				if (++top == JQ_NEST_MAX)
					return "(a program nested too deeply)";
				kind[top] = 0;
				par[top] = 0;
				p += 2;
			} else if (ch == '\\' && p[1]) {
				p += 2;
			} else {
				if (ch == '"')
					top--;
				p++;
			}
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			p++;
			continue;
		}
		if (ch == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		*empty = 0;
		if (ch == '"') {
			if (++top == JQ_NEST_MAX)
				return "(a program nested too deeply)";
			kind[top] = 1;
			p++;
		} else if (ch == '(') {
			par[top]++;
			p++;
		} else if (ch == ')') {
			if (par[top] == 0 && top > 0)
				top--;         /* the end of an interpolation */
			else if (par[top] > 0)
				par[top]--;
			p++;
		} else if (ch == '.' && p[1] == '.') {
			p += 2;
		} else if ((ch == '.' || ch == '$' || ch == '@') && jq_ident_start((unsigned char)p[1])) {
			p = jq_ident_end(p + 1);        /* field, variable, format */
		} else if (ch >= '0' && ch <= '9') {
			/* jq's number: digits, a dot and digits, an exponent */
			while ((*p >= '0' && *p <= '9') || *p == '.')
				p++;
			if ((*p == 'e' || *p == 'E') && ((p[1] >= '0' && p[1] <= '9') ||
			    ((p[1] == '+' || p[1] == '-') && p[2] >= '0' && p[2] <= '9')))
				for (p += 2; *p >= '0' && *p <= '9'; p++)
					;
		} else if (jq_ident_start(ch)) {
			const char *b = p, *q;
			size_t n;
			p = jq_ident_end(p);
			n = (size_t)(p - b);
			for (q = p; *q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'; q++)
				;
			if (n == 10 && !memcmp(b, "modulemeta", n))
				return "modulemeta";
			if (q[0] == ':' && q[1] != ':')
				continue;       /* a keyword as an object key */
			if (n == 6 && !memcmp(b, "import", n))
				return "import";
			if (n == 7 && !memcmp(b, "include", n))
				return "include";
			if (n == 6 && !memcmp(b, "module", n))
				return "module";
		} else
			p++;
	}
	return NULL;
}

/* Compile the program v in the sandbox into c->jq; 0 with err set. */
static int jq_sandbox_compile(jctx *c, const char *v, char *err, size_t errsz)
{
	const char *bad;
	char **env;
	sl_buf prog = SL_BUF_ZERO;
	int empty, ok;
	size_t k;

	bad = jq_refused(v, &empty);
	if (bad) {
		snprintf(err, errsz, "[INVALID_ARGUMENT]jq: %s is not available in a load: a jq program gets the record and nothing else (no modules, files, inputs or environment)",
		    bad);
		return 0;
	}
	c->jq = jq_init();
	if (!c->jq || sl_buf_puts(&prog, JQ_PRELUDE) < 0 || sl_buf_puts(&prog, empty ? "." : v) < 0 ||
	    sl_buf_cstr(&prog) < 0) {
		sl_buf_free(&prog);
		snprintf(err, errsz, "[INTERNAL_ERROR]jq: unable to start");
		return 0;
	}
	jq_set_attr(c->jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
	jq_set_error_cb(c->jq, jq_err_cb, c);
	jq_set_debug_cb(c->jq, jq_no_debug, NULL);
	jq_set_input_cb(c->jq, jq_no_input, NULL);
	env = jq_env_hide();
	ok = jq_compile(c->jq, prog.p);
	if (!ok) {
		/* jq's message for the program as written, not with the prelude:
		 * compiled alone, in the same sandbox, only for its message */
		jq_state *alone = jq_init();
		c->jqerr.len = 0;
		if (alone) {
			jq_set_attr(alone, jv_string("JQ_LIBRARY_PATH"), jv_array());
			jq_set_error_cb(alone, jq_err_cb, c);
			if (jq_compile(alone, v))
				c->jqerr.len = 0;
			jq_teardown(&alone);
		}
	}
	jq_env_restore(env);
	sl_buf_free(&prog);
	if (!ok) {
		sl_buf_cstr(&c->jqerr);
		for (k = 0; k < c->jqerr.len; k++)
			if (c->jqerr.p[k] == '\n')
				c->jqerr.p[k] = ' ';
		snprintf(err, errsz, "[INVALID_ARGUMENT]jq compile error: %s", c->jqerr.len ? c->jqerr.p : v);
		return 0;
	}
	return 1;
}

/* Load-failing setup error: X, E. */
static int fail_x(jctx *c, const char *msg)
{
	sl_write_abort(c->w, 0, msg);
	sl_write_end(c->w);
	return SL_EXIT_NO;
}

static int setup(jctx *c, char *err, size_t errsz)
{
	const char *v;
	size_t i;

	v = sl_hdrs_get(c->h, "jsonpaths");
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
				ok = jv_get_kind(s) == JV_KIND_STRING && path_parse(jv_string_value(s), &c->paths[i]);
				jv_free(s);
			}
		}
		jv_free(a);
		if (!ok) {
			snprintf(err, errsz, "[INVALID_JSON_PATH]Invalid json path: %s", v);
			return 0;
		}
	}
	v = sl_hdrs_get(c->h, "json_root");
	if (v) {
		c->root_text = v;
		if (!path_parse(v, &c->root)) {
			snprintf(err, errsz, "[INVALID_JSON_PATH]Invalid json path: %s", v);
			return 0;
		}
		c->have_root = c->root.n > 0;
	}
	v = sl_hdrs_get(c->h, "jq");
	if (v && !jq_sandbox_compile(c, v, err, errsz))
		return 0;
	return 1;
}

/* ---- by line ---- */

typedef struct lines {
	sl_buf delim, line;     /* line: the line so far (up to the cap) */
	int default_delim;      /* \n: a \r before it goes too */
	int over;               /* the line is over the cap */
	size_t len;             /* the line's length so far, even past the cap */
} lines;

/* A complete line (or the last one, without its delimiter). */
static void lines_one(jctx *c, lines *L)
{
	if (L->over) {
		line_too_big(c, L->line.p, L->line.len > 1024 ? 1024 : L->line.len, L->len);
	} else {
		span r = { L->line.p, L->line.len };
		if (L->default_delim && r.n && r.p[r.n - 1] == '\r')
			r.n--;
		if (ws(r.p, r.p + r.n) < r.p + r.n)
			line_record(c, r, L->line.len);
	}
	L->line.len = 0;
	L->len = 0;
	L->over = 0;
}

/* Cut n bytes of the body into lines; each whole line is a record. */
static void lines_feed(jctx *c, lines *L, const char *p, size_t n)
{
	const char *e = p + n;

	while (p < e && !c->werr) {
		const char *d;
		size_t take;
		if (L->delim.len == 1) {
			d = memchr(p, L->delim.p[0], (size_t)(e - p));
		} else if (!L->over && L->line.len) {
			/* rare: a multi-byte delimiter may straddle reads:
			 * append and rescan from the tail of the line */
			size_t keep = L->line.len, start;
			const char *lp, *le, *from, *dd;
			if (sl_buf_put(&L->line, p, (size_t)(e - p)) < 0) {
				c->werr = 1;
				return;
			}
			lp = L->line.p;
			le = L->line.p + L->line.len;
			start = keep >= L->delim.len ? keep - L->delim.len + 1 : 0;
			from = lp + start;
			while ((dd = memmem(from, (size_t)(le - from), L->delim.p, L->delim.len))) {
				span r = { lp, (size_t)(dd - lp) };
				if (ws(r.p, r.p + r.n) < r.p + r.n)
					line_record(c, r, r.n);
				lp = dd + L->delim.len;
				from = lp;
			}
			memmove(L->line.p, lp, (size_t)(le - lp));
			L->line.len = (size_t)(le - lp);
			L->len = L->line.len;
			return;
		} else
			d = memmem(p, (size_t)(e - p), L->delim.p, L->delim.len);
		take = d ? (size_t)(d - p) : (size_t)(e - p);
		L->len += take;
		if (!L->over && L->line.len + take > c->cap)
			L->over = 1;
		if (L->over) {
			/* keep the head, for the error record: its first 1 KiB
			 * however the reads cut it */
			size_t h = L->line.len < 1024 ? 1024 - L->line.len : 0;
			if (h && sl_buf_put(&L->line, p, h < take ? h : take) < 0) {
				c->werr = 1;
				return;
			}
		} else if (sl_buf_put(&L->line, p, take) < 0) {
			c->werr = 1;
			return;
		}
		if (!d)
			return;
		p = d + L->delim.len;
		lines_one(c, L);
	}
}

/* The end of the body: the last line, then what the threads hold. */
static void lines_end(jctx *c, lines *L)
{
	if (L->over || L->line.len)
		lines_one(c, L);
	if (c->pool && !c->werr)
		pool_drain(c);
}

/* ---- the default: one document, or one per line ----
 *
 * Without read_json_by_line and strip_outer_array, a body that is one JSON
 * value (over any number of lines) is that document, as the seed's default
 * (read_json_by_line false) reads it; a body with more after its first
 * value is read by line, as Doris 4.0's default does. The first value is
 * found by a quote- and bracket-aware scan that holds the body until the
 * answer, so memory stays within the record cap: a first value still open
 * after cap bytes decides by itself, by line if its first line is longer
 * than the cap (that line is then the record too large, the rest read by
 * line), else the one document (too large). The answer depends on the
 * bytes only, never on how reads cut them. */
enum { D_BEFORE, D_NEST, D_STR, D_SCALAR, D_AFTER };
enum { DET_OPEN, DET_LINES, DET_DOC };

typedef struct detect {
	int state, in_str, esc, bom;
	long depth;
	sl_buf held;            /* the body so far (at most cap + one read) */
} detect;

/* Scan n more bytes; DET_LINES once a second value starts, DET_DOC when a
 * first value over the cap has a line delimiter in it, else DET_OPEN. */
static int det_feed(jctx *c, detect *d, const lines *L, const char *p, size_t n)
{
	size_t i, before = d->held.len, room;

	if (sl_buf_put(&d->held, p, n) < 0) {
		c->werr = 1;
		return DET_OPEN;
	}
	room = before >= c->cap ? 0 : c->cap - before;
	for (i = 0; i < n && i < room; i++) {
		unsigned char ch = (unsigned char)p[i];
		int blank = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
		switch (d->state) {
		case D_BEFORE:
			if (blank)
				break;
			/* a UTF-8 BOM before the value is jv's to skip */
			if (before + i == (size_t)d->bom && d->bom < 3 && ch == (unsigned char)"\xEF\xBB\xBF"[d->bom]) {
				d->bom++;
				break;
			}
			if (ch == '{' || ch == '[') {
				d->state = D_NEST;
				d->depth = 1;
			} else if (ch == '"')
				d->state = D_STR;
			else
				d->state = D_SCALAR;
			break;
		case D_STR:
			if (d->esc)
				d->esc = 0;
			else if (ch == '\\')
				d->esc = 1;
			else if (ch == '"')
				d->state = D_AFTER;
			break;
		case D_NEST:
			if (d->in_str) {
				if (d->esc)
					d->esc = 0;
				else if (ch == '\\')
					d->esc = 1;
				else if (ch == '"')
					d->in_str = 0;
			} else if (ch == '"')
				d->in_str = 1;
			else if (ch == '{' || ch == '[')
				d->depth++;
			else if ((ch == '}' || ch == ']') && --d->depth == 0)
				d->state = D_AFTER;
			break;
		case D_SCALAR:
			/* a number or literal ends where jv's would */
			if (blank)
				d->state = D_AFTER;
			else if (ch == '{' || ch == '[' || ch == '"' || ch == '}' || ch == ']' || ch == ',' || ch == ':')
				return DET_LINES;
			break;
		case D_AFTER:
			if (!blank)
				return DET_LINES;
			break;
		}
	}
	if (before + n <= c->cap)
		return DET_OPEN;
	/* more than cap bytes and no second value in the first cap */
	if (memmem(d->held.p, c->cap, L->delim.p, L->delim.len))
		return DET_DOC;
	return DET_LINES;
}

int sl_json_parse(const sl_hdrs *hdrs, const char *const *src, size_t nsrc, sl_input *in, sl_writer *w)
{
	jctx c;
	char err[2048];
	char buf[1 << 16];
	int64_t t0 = sl_mono_ms();
	size_t i;
	int rc = SL_EXIT_OK, detecting = 0;
	lines L;
	detect det;
	splitter sp;
	ssize_t n;

	memset(&c, 0, sizeof c);
	memset(&sp, 0, sizeof sp);
	memset(&L, 0, sizeof L);
	memset(&det, 0, sizeof det);
	c.h = hdrs;
	c.src = src;
	c.nsrc = nsrc;
	c.w = w;
	c.cap = record_cap(hdrs);
	{
		const char *bl = sl_hdrs_get(hdrs, "read_json_by_line");
		const char *so = sl_hdrs_get(hdrs, "strip_outer_array");
		c.strip = sl_hdrs_bool(hdrs, "strip_outer_array");
		c.by_line = bl && sl_hdrs_bool(hdrs, "read_json_by_line");
		detecting = !bl && !so;         /* the default: one document or by line */
	}
	c.vals = calloc(nsrc + 1, sizeof *c.vals);
	c.srclen = calloc(nsrc + 1, sizeof *c.srclen);
	if (!c.vals || !c.srclen)
		return SL_EXIT_TEMP;
	for (i = 0; i < nsrc; i++)
		c.srclen[i] = strlen(src[i]);

	{
		char ms[32];
		const char *k = "StartTimeMs", *v = ms;
		snprintf(ms, sizeof ms, "%" PRId64, sl_now_ms());
		sl_write_kv(w, 1, &k, &v);
	}
	if (!setup(&c, err, sizeof err)) {
		rc = fail_x(&c, err);
		goto out;
	}
	{
		sl_field *nm = calloc(nsrc + 1, sizeof *nm), *ty = calloc(nsrc + 1, sizeof *ty);
		if (!nm || !ty)
			return SL_EXIT_TEMP;
		for (i = 0; i < nsrc; i++) {
			nm[i].p = src[i];
			nm[i].n = (uint32_t)c.srclen[i];
			ty[i].p = "STRING";
			ty[i].n = 6;
		}
		sl_write_header(w, nsrc, nm, ty, 0);
		free(nm);
		free(ty);
	}
	if (!c.jq && (c.by_line || detecting ? !c.strip : c.strip))
		c.pool = pool_new();    /* by line, or the elements of a stripped array */
	if (!c.paths) {
		/* the key order cache needs distinct column names */
		size_t j;
		c.nkeycol = nsrc * 2 + 8;
		for (i = 0; i < nsrc && c.nkeycol; i++)
			for (j = 0; j < i; j++)
				if (c.srclen[i] == c.srclen[j] && !memcmp(src[i], src[j], c.srclen[i])) {
					c.nkeycol = 0;
					break;
				}
		if (c.nkeycol && !(c.keycol = calloc(c.nkeycol, sizeof *c.keycol)))
			c.nkeycol = 0;
	}
	if (c.by_line || detecting) {
		const char *v = sl_hdrs_get(hdrs, "line_delimiter"), *e2;
		if (v && (sl_sep_parse(v, &L.delim, &e2) != 1 || !L.delim.len)) {
			L.delim.len = 0;
			sl_buf_putc(&L.delim, '\n');
		} else if (!v)
			sl_buf_putc(&L.delim, '\n');
		L.default_delim = L.delim.len == 1 && L.delim.p[0] == '\n';
	}

	while (!c.werr && (n = sl_input_read(in, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (c.pool)
				pool_drain(&c);         /* the records before it, as without threads */
			if (sl_input_short(in))
				snprintf(err, sizeof err, "[NETWORK_ERROR]%s", sl_input_error(in));
			else
				snprintf(err, sizeof err, "[INTERNAL_ERROR]read body failed: %s", sl_input_error(in) ? sl_input_error(in) : "read error");
			rc = fail_x(&c, err);
			goto out;
		}
		if (detecting) {
			int r = det_feed(&c, &det, &L, buf, (size_t)n);
			if (r == DET_OPEN)
				continue;
			detecting = 0;
			if (r == DET_LINES) {
				c.by_line = 1;
				lines_feed(&c, &L, det.held.p, det.held.len);
			} else {
				sp.state = SP_RAW;
				sp_add(&c, &sp, det.held.p, det.held.len);
			}
			sl_buf_free(&det.held);
			continue;
		}
		if (c.by_line)
			lines_feed(&c, &L, buf, (size_t)n);
		else if (c.strip)
			sp_feed(&c, &sp, buf, (size_t)n);
		else {
			/* the whole body is one document (bounded by the cap) */
			sp.state = SP_RAW;
			sp_add(&c, &sp, buf, (size_t)n);
		}
	}
	if (c.werr)
		goto werr;
	if (detecting) {
		/* the body ended with at most one value: that document */
		sp.state = SP_RAW;
		sp_add(&c, &sp, det.held.p, det.held.len);
	}
	if (c.by_line) {
		lines_end(&c, &L);
	} else if (sp.state == SP_RAW && !sp.over && ws(sp.el.p, sp.el.p + sp.el.len) == sp.el.p + sp.el.len) {
		/* empty body: no rows */
	} else
		sp_finish(&c, &sp);
	if (c.werr)
		goto werr;
	{
		char lb[32], rt[32], un[32];
		const char *k[3] = { "LoadBytes", "ReadDataTimeMs", "JqUnselectedRows" };
		const char *v[3] = { lb, rt, un };
		snprintf(lb, sizeof lb, "%" PRIu64, sl_input_raw_bytes(in));
		snprintf(rt, sizeof rt, "%" PRId64, sl_mono_ms() - t0);
		snprintf(un, sizeof un, "%" PRIu64, c.unselected);
		if (sl_write_kv(w, c.jq ? 3 : 2, k, v) < 0 || sl_write_end(w) < 0)
			goto werr;
	}
	goto out;
werr:
	rc = SL_EXIT_TEMP;
out:
	pool_free(c.pool);
	free(c.keycol);
	if (c.jq)
		jq_teardown(&c.jq);
	for (i = 0; i < c.npaths; i++)
		path_free(&c.paths[i]);
	free(c.paths);
	path_free(&c.root);
	free(c.vals);
	free(c.srclen);
	sl_buf_free(&c.tmp);
	sl_buf_free(&c.reason);
	sl_buf_free(&c.jqerr);
	sl_buf_free(&sp.el);
	sl_buf_free(&L.delim);
	sl_buf_free(&L.line);
	sl_buf_free(&det.held);
	if (rc == SL_EXIT_OK && w->err)
		rc = SL_EXIT_TEMP;
	return rc;
}
