/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonin.c -- the JSON path of sl-parse (jsonin.h).
 *
 * The body is cut into records here: by line, as one document, or
 * element by element of a top-level array with strip_outer_array (a
 * bracket/quote-aware state machine: memory is one element at a time);
 * each record becomes a row or an F record in jsonrow.c.
 *
 * By line (the NDJSON case, without jq or strip_outer_array), jv's parse
 * of each record, most of the cost, runs on worker threads (jsonpar.h),
 * which hand the records back in input order to pool_emit. The elements
 * of a stripped outer array (not by line, without jq) go through the same
 * pool, as SL_JSONPAR_ELEM records: the splitter hands each element to
 * pool_add, and anything it reports itself (an empty element, trailing
 * content, the end) first drains the pool.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>
#include <jq.h>

#include "jsonin.h"
#include "sl.h"
#include "io.h"
#include "csvsplit.h"
#include "status.h"
#include "jsonpath.h"
#include "jsonpar.h"
#include "jsonrow.h"

#define MSG_EMPTY "Empty json line"
/* ---- strip_outer_array splitter ---- */

static void pool_drain(sl_jsonrow *c);
static void pool_add(sl_jsonrow *c, const char *p, size_t n, size_t full, int type, size_t biglen);

enum { SP_BEFORE, SP_IN, SP_AFTER, SP_RAW };

typedef struct splitter {
	int state, in_str, esc, over;
	long depth;
	uint64_t nelem;
	sl_buf el;              /* current element (or the raw non-array doc) */
	size_t ellen;           /* bytes of the element even past the cap */
	int trailing;           /* non-space after ']' reported */
} splitter;

static void sp_element(sl_jsonrow *c, splitter *s, int last)
{
	sl_jspan e = { s->el.p, s->el.len };
	const char *p = sl_jsonpath_ws(e.p, e.p + e.n), *q = e.p + e.n;

	while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
		q--;
	e.p = p;
	e.n = (size_t)(q - p);
	if (s->over) {
		c->recno++;
		if (c->pool)
			pool_add(c, e.p, e.n > 1024 ? 1024 : e.n, e.n > 1024 ? 1024 : e.n, SL_JSONPAR_BIG, s->ellen);
		else
			sl_jsonrow_errorf(c, e.p, e.n > 1024 ? 1024 : e.n, "The json record is too large: %zu bytes, more than the limit of %zu bytes (json_record_max_bytes)",
			    s->ellen, c->cap);
	} else if (!e.n) {
		if (!(last && !s->nelem)) {
			if (c->pool)
				pool_drain(c);
			c->recno++;
			sl_jsonrow_error(c, "Parse json data failed. code: 3, error info: empty array element", "", 0);
		}
	} else {
		/* full: up to the buffer's NUL, as jv_parse_sized's message
		 * prints the text to there */
		size_t full = (size_t)(s->el.p + s->el.len - e.p);
		c->recno++;
		if (c->pool && full < sl_jsonpar_batch_bytes(c->pool))
			pool_add(c, e.p, e.n, full, SL_JSONPAR_ELEM, 0);
		else {
			if (c->pool)
				pool_drain(c);  /* a long element: parse it here, in order */
			sl_jsonrow_text(c, e, 1);
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

static void sp_add(sl_jsonrow *c, splitter *s, const char *p, size_t n)
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

static void sp_feed(sl_jsonrow *c, splitter *s, const char *p, size_t n)
{
	const char *e = p + n, *mark;

	while (p < e && !c->werr) {
		switch (s->state) {
		case SP_BEFORE:
			p = sl_jsonpath_ws(p, e);
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
			p = sl_jsonpath_ws(p, e);
			if (p < e && !s->trailing) {
				if (c->pool)
					pool_drain(c);
				s->trailing = 1;
				c->recno++;
				sl_jsonrow_errorf(c, p, (size_t)(e - p) > 1024 ? 1024 : (size_t)(e - p),
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

static void sp_finish(sl_jsonrow *c, splitter *s)
{
	if (c->pool)
		pool_drain(c);  /* the elements before, in order */
	if (s->state == SP_RAW) {
		sl_jspan d = { s->el.p, s->el.len };
		while (d.n && (d.p[d.n - 1] == ' ' || d.p[d.n - 1] == '\t' || d.p[d.n - 1] == '\n' || d.p[d.n - 1] == '\r'))
			d.n--;
		c->recno++;
		if (s->over)
			sl_jsonrow_errorf(c, d.p, d.n > 1024 ? 1024 : d.n, "The json record is too large: %zu bytes, more than the limit of %zu bytes (json_record_max_bytes)",
			    s->ellen, c->cap);
		else
			sl_jsonrow_text(c, d, 0);
	} else if (s->state == SP_IN) {
		c->recno++;
		sl_jsonrow_error(c, "Parse json data failed. code: 3, error info: unterminated top-level array", s->el.p, s->el.len);
	} else if (s->state == SP_AFTER && !s->nelem && !c->paths) {
		c->recno++;
		sl_jsonrow_error(c, MSG_EMPTY, "[]", 2);
	}
	s->state = SP_BEFORE;
	s->el.len = 0;
	s->ellen = 0;
	s->over = 0;
	s->nelem = 0;
	s->depth = 0;
	s->in_str = s->esc = s->trailing = 0;
}

/* A document that is an array, with strip_outer_array: its elements. */
static void emit_array(sl_jsonrow *c, sl_jspan doc)
{
	splitter s;
	uint64_t rn = c->recno;
	sl_jsonpar *pl = c->pool;

	c->pool = NULL;         /* an array inside a document: serial */
	memset(&s, 0, sizeof s);
	sp_feed(c, &s, doc.p, doc.n);
	sp_finish(c, &s);
	sl_buf_free(&s.el);
	c->pool = pl;
	c->recno = rn;
}

/* ---- by line: the records parsed on worker threads (jsonpar.h) ---- */

/* A parsed record, in input order, as the serial path handles it. */
static int pool_emit(void *arg, const sl_jsonpar_rec *r)
{
	sl_jsonrow *c = arg;
	sl_jspan rec = { r->p, r->n };

	if (c->werr)
		return -1;
	c->recno = r->recno;
	if (r->type == SL_JSONPAR_BIG)
		sl_jsonrow_errorf(c, rec.p, rec.n, "The json record is too large: %zu bytes, more than the limit of %zu bytes (json_record_max_bytes)",
		    r->biglen, c->cap);
	else if (r->kind < 0)
		sl_jsonrow_errorf(c, rec.p, rec.n, "Parse json data failed. code: 3, error info: %s", r->msg);
	else
		sl_jsonrow_kind(c, rec, (jv_kind)r->kind, r->type == SL_JSONPAR_ELEM);
	return c->werr ? -1 : 0;
}

/* Emit everything queued (the reading side's count kept). */
static void pool_drain(sl_jsonrow *c)
{
	uint64_t recno = c->recno;

	if (sl_jsonpar_drain(c->pool) < 0)
		c->werr = 1;
	c->recno = recno;
}

/* Add a record (or, big, the head of a line over the cap). */
static void pool_add(sl_jsonrow *c, const char *p, size_t n, size_t full, int type, size_t biglen)
{
	uint64_t recno = c->recno;

	if (sl_jsonpar_add(c->pool, p, n, full, type, biglen, recno) < 0)
		c->werr = 1;
	c->recno = recno;
}

/* A whole line by line (r: the record, full bytes as read, NUL after). */
static void line_record(sl_jsonrow *c, sl_jspan r, size_t full)
{
	c->recno++;
	if (c->pool && r.n < sl_jsonpar_batch_bytes(c->pool)) {
		pool_add(c, r.p, r.n, full, SL_JSONPAR_LINE, 0);
		return;
	}
	if (c->pool)
		pool_drain(c);  /* a long record: the order holds, parse it here */
	if (c->strip)
		emit_array(c, r);
	else
		sl_jsonrow_text(c, r, 0);
}

/* A line over the record cap; head: its first bytes. */
static void line_too_big(sl_jsonrow *c, const char *head, size_t hn, size_t len)
{
	c->recno++;
	if (c->pool) {
		pool_add(c, head, hn, hn, SL_JSONPAR_BIG, len);
		return;
	}
	sl_jsonrow_errorf(c, head, hn, "The json record is too large: %zu bytes, more than the limit of %zu bytes (json_record_max_bytes)", len, c->cap);
}

/* ---- setup ---- */

static size_t record_cap(const sl_loadopts *lo)
{
	const char *v = lo->v[SL_LO_JSON_RECORD_MAX_BYTES].text;
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


/* A load-failing error: X, E. */
static int fail_x(sl_jsonrow *c, const char *msg)
{
	sl_write_abort(c->w, 0, msg);
	sl_write_end(c->w);
	return 0;
}

/* ---- by line ---- */

typedef struct lines {
	sl_buf delim, line;     /* line: the line so far (up to the cap) */
	int default_delim;      /* \n: a \r before it goes too */
	int over;               /* the line is over the cap */
	size_t len;             /* the line's length so far, even past the cap */
} lines;

/* A complete line (or the last one, without its delimiter). */
static void lines_one(sl_jsonrow *c, lines *L)
{
	if (L->over) {
		line_too_big(c, L->line.p, L->line.len > 1024 ? 1024 : L->line.len, L->len);
	} else {
		sl_jspan r = { L->line.p, L->line.len };
		if (L->default_delim && r.n && r.p[r.n - 1] == '\r')
			r.n--;
		if (sl_jsonpath_ws(r.p, r.p + r.n) < r.p + r.n)
			line_record(c, r, L->line.len);
	}
	L->line.len = 0;
	L->len = 0;
	L->over = 0;
}

/* Cut n bytes of the body into lines; each whole line is a record. */
static void lines_feed(sl_jsonrow *c, lines *L, const char *p, size_t n)
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
				sl_jspan r = { lp, (size_t)(dd - lp) };
				if (sl_jsonpath_ws(r.p, r.p + r.n) < r.p + r.n)
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
static void lines_end(sl_jsonrow *c, lines *L)
{
	if (L->over || L->line.len)
		lines_one(c, L);
	if (c->pool && !c->werr)
		pool_drain(c);
}

/* ---- the default: one document, or one per line ----
 *
 * Without read_json_by_line and strip_outer_array, a body that is one JSON
 * value (over any number of lines) is that document, as
 * read_json_by_line false reads it; a body with more after its first
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
static int det_feed(sl_jsonrow *c, detect *d, const lines *L, const char *p, size_t n)
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

/* The state of the body as it streams in: the line cutter, the default's
 * first-value detector, the outer-array splitter. */
typedef struct jbody {
	lines L;
	detect det;
	splitter sp;
	int detecting;          /* the default: one document or by line */
} jbody;

static int ctx_init(sl_jsonrow *c, jbody *b, const sl_loadopts *lo, const char *const *src, size_t nsrc, sl_writer *w)
{
	const sl_loadopt_val *bl = &lo->v[SL_LO_READ_JSON_BY_LINE], *so = &lo->v[SL_LO_STRIP_OUTER_ARRAY];
	size_t i;

	memset(c, 0, sizeof *c);
	memset(b, 0, sizeof *b);
	c->lo = lo;
	c->src = src;
	c->nsrc = nsrc;
	c->w = w;
	c->cap = record_cap(lo);
	c->array = emit_array;
	c->strip = (int)so->i;
	c->by_line = (int)bl->i;
	b->detecting = !bl->text && !so->text;
	c->vals = calloc(nsrc + 1, sizeof *c->vals);
	c->srclen = calloc(nsrc + 1, sizeof *c->srclen);
	if (!c->vals || !c->srclen) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < nsrc; i++)
		c->srclen[i] = strlen(src[i]);
	return 1;
}

static int write_start_ms(sl_jsonrow *c)
{
	char ms[32];
	const char *k = "StartTimeMs", *v = ms;

	snprintf(ms, sizeof ms, "%" PRId64, sl_now_ms());
	return sl_write_kv(c->w, 1, &k, &v);
}

/* H: the source columns, as STRING. */
static int write_header(sl_jsonrow *c)
{
	sl_field *nm = calloc(c->nsrc + 1, sizeof *nm), *ty = calloc(c->nsrc + 1, sizeof *ty);
	size_t i;

	if (!nm || !ty) {
		free(nm);
		free(ty);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < c->nsrc; i++) {
		nm[i].p = c->src[i];
		nm[i].n = (uint32_t)c->srclen[i];
		ty[i].p = "STRING";
		ty[i].n = 6;
	}
	sl_write_header(c->w, c->nsrc, nm, ty, 0);
	free(nm);
	free(ty);
	return 1;
}

/* line_delimiter (a bad value: the default \n, as loadopt.h reads it;
 * sl-parse reports it). */
static void delim_init(const sl_loadopts *lo, lines *L)
{
	const sl_buf *d = &lo->v[SL_LO_LINE_DELIMITER].bytes;

	sl_buf_put(&L->delim, d->p, d->len);
	L->default_delim = L->delim.len == 1 && L->delim.p[0] == '\n';
}

/* n more bytes of the body. */
static void body_feed(sl_jsonrow *c, jbody *b, const char *buf, size_t n)
{
	if (b->detecting) {
		int r = det_feed(c, &b->det, &b->L, buf, n);
		if (r == DET_OPEN)
			return;
		b->detecting = 0;
		if (r == DET_LINES) {
			c->by_line = 1;
			lines_feed(c, &b->L, b->det.held.p, b->det.held.len);
		} else {
			b->sp.state = SP_RAW;
			sp_add(c, &b->sp, b->det.held.p, b->det.held.len);
		}
		sl_buf_free(&b->det.held);
	} else if (c->by_line)
		lines_feed(c, &b->L, buf, n);
	else if (c->strip)
		sp_feed(c, &b->sp, buf, n);
	else {
		/* the whole body is one document (bounded by the cap) */
		b->sp.state = SP_RAW;
		sp_add(c, &b->sp, buf, n);
	}
}

/* The end of the body: what is held becomes records. */
static void body_end(sl_jsonrow *c, jbody *b)
{
	splitter *sp = &b->sp;

	if (b->detecting) {
		/* the body ended with at most one value: that document */
		sp->state = SP_RAW;
		sp_add(c, sp, b->det.held.p, b->det.held.len);
	}
	if (c->by_line)
		lines_end(c, &b->L);
	else if (sp->state == SP_RAW && !sp->over &&
	    sl_jsonpath_ws(sp->el.p, sp->el.p + sp->el.len) == sp->el.p + sp->el.len)
		;       /* an empty body: no rows */
	else
		sp_finish(c, sp);
}

/* Read and split the body: 1, 0 it could not be read (X written). */
static int body_read(sl_jsonrow *c, jbody *b, sl_input *in)
{
	char buf[1 << 16], err[2048];
	ssize_t n;

	while (!c->werr && (n = sl_input_read(in, buf, sizeof buf)) != 0) {
		if (n > 0) {
			body_feed(c, b, buf, (size_t)n);
			continue;
		}
		if (c->pool)
			pool_drain(c);          /* the records before it, as without threads */
		if (sl_input_short(in))
			snprintf(err, sizeof err, SL_E_NETWORK_ERROR "%s", sl_input_error(in));
		else
			snprintf(err, sizeof err, SL_E_INTERNAL_ERROR "read body failed: %s",
			    sl_input_error(in) ? sl_input_error(in) : "read error");
		return fail_x(c, err);
	}
	if (!c->werr)
		body_end(c, b);
	return 1;
}

/* The final C {LoadBytes, ReadDataTimeMs[, JqUnselectedRows]} and E. */
static int write_end(sl_jsonrow *c, sl_input *in, int64_t t0)
{
	char lb[32], rt[32], un[32];
	const char *k[3] = { "LoadBytes", "ReadDataTimeMs", "JqUnselectedRows" };
	const char *v[3] = { lb, rt, un };

	snprintf(lb, sizeof lb, "%" PRIu64, sl_input_raw_bytes(in));
	snprintf(rt, sizeof rt, "%" PRId64, sl_mono_ms() - t0);
	snprintf(un, sizeof un, "%" PRIu64, c->unselected);
	if (sl_write_kv(c->w, c->jq ? 3 : 2, k, v) < 0 || sl_write_end(c->w) < 0)
		return -1;
	return 1;
}

static void ctx_free(sl_jsonrow *c, jbody *b)
{
	sl_jsonpar_free(c->pool);
	c->pool = NULL;
	sl_jsonrow_free(c);
	sl_buf_free(&b->sp.el);
	sl_buf_free(&b->L.delim);
	sl_buf_free(&b->L.line);
	sl_buf_free(&b->det.held);
}

int sl_json_parse(const sl_loadopts *lo, const char *const *src, size_t nsrc, sl_input *in, sl_writer *w)
{
	sl_jsonrow c;
	jbody b;
	char err[2048];
	int64_t t0 = sl_mono_ms();
	int rc;

	if (ctx_init(&c, &b, lo, src, nsrc, w) < 0) {
		ctx_free(&c, &b);
		return -1;
	}
	write_start_ms(&c);
	if (!sl_jsonrow_setup(&c, err, sizeof err)) {
		rc = fail_x(&c, err);
		goto out;
	}
	if ((rc = write_header(&c)) < 0)
		goto out;
	if (!c.jq && (c.by_line || b.detecting ? !c.strip : c.strip))
		c.pool = sl_jsonpar_new(pool_emit, &c);  /* by line, or the elements of a stripped array */
	if (c.by_line || b.detecting)
		delim_init(lo, &b.L);
	if ((rc = body_read(&c, &b, in)) > 0 && (c.werr || write_end(&c, in, t0) < 0))
		rc = -1;
out:
	ctx_free(&c, &b);
	if (rc > 0 && w->err)
		rc = -1;
	return rc;
}
