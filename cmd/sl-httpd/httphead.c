/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httphead.c -- the request head and chunk framing of HTTP/1.x (RFC 9112),
 * parsed from lines in memory (httphead.h). The request line, header count
 * and header bytes are capped by the limits; whatever cannot be framed
 * without guessing (two Content-Lengths that differ, a coding we do not
 * apply) is refused here, before any route sees the request.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io.h"
#include "httphead.h"

static int hexval(int c)
{
	if (!isxdigit(c))
		return -1;
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

int httpd_line_scan(const char *buf, size_t n, size_t max, size_t *scanned, size_t *linelen)
{
	const char *nl = memchr(buf + *scanned, '\n', n - *scanned);

	if (nl) {
		if ((size_t)(nl - buf) > max)
			return -2;
		*linelen = (size_t)(nl - buf);
		return 1;
	}
	*scanned = n;
	return n > max ? -2 : 0;
}

int httpd_mem_line(void *ctx, size_t max, char **line, size_t *len)
{
	httpd_mem *m = ctx;
	char *b = m->p + m->off;
	size_t scanned = 0, n, left = m->len - m->off;
	int r = httpd_line_scan(b, left, max, &scanned, &n);

	if (r < 0)
		return r;
	if (r == 0)
		return left ? -1 : 0;
	*len = n && b[n - 1] == '\r' ? n - 1 : n;
	b[*len] = 0;
	*line = b;
	m->off += n + 1;
	return 1;
}

int httpd_pct_decode(const char *s, size_t n, char *out, size_t *outn, int plus)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int a, b;
			if (i + 2 >= n)
				return -1;
			a = hexval((unsigned char)s[i + 1]);
			b = hexval((unsigned char)s[i + 2]);
			if (a < 0 || b < 0)
				return -1;
			c = (char)(a << 4 | b);
			if (!c)
				return -1;
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		else if (!c)
			return -1;
		out[k++] = c;
	}
	out[k] = 0;
	if (outn)
		*outn = k;
	return 1;
}

int httpd_query_param(const char *query, const char *key, char **out)
{
	size_t kl = strlen(key);
	const char *p = query;

	*out = NULL;
	while (p && *p) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p), *eq;
		eq = memchr(p, '=', (size_t)(end - p));
		if ((size_t)((eq ? eq : end) - p) == kl && !memcmp(p, key, kl)) {
			const char *v = eq ? eq + 1 : end;
			size_t vn = (size_t)(end - v);
			char *d = malloc(vn + 1);
			if (!d)
				return -1;
			if (httpd_pct_decode(v, vn, d, NULL, 1) < 0) {
				free(d);
				return -1;
			}
			*out = d;
			return 1;
		}
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}

/* rq->path from its segments: "/a/b", "/" for none. -1 ENOMEM. */
static int join_path(hreq *rq)
{
	sl_buf b = SL_BUF_ZERO;
	size_t i;

	for (i = 0; i < rq->nseg; i++)
		if (sl_buf_putc(&b, '/') < 0 || sl_buf_puts(&b, rq->seg[i]) < 0)
			goto fail;
	if (!rq->nseg && sl_buf_putc(&b, '/') < 0)
		goto fail;
	if (sl_buf_cstr(&b) < 0)
		goto fail;
	rq->path = b.p;
	return 1;
fail:
	sl_buf_free(&b);
	return -1;
}

/* Canonical path: decoded, "." and empty segments dropped, ".." resolved
 * (never above the root). Fills rq->path and rq->seg. -1 malformed. */
static int canon_path(hreq *rq, const char *raw, size_t n)
{
	char *d = malloc(n + 1), *p, *save = NULL, *tok;
	size_t dn, cap = 8;

	if (!d)
		return -1;
	if (httpd_pct_decode(raw, n, d, &dn, 0) < 0 || d[0] != '/')
		goto fail;
	if (!(rq->seg = malloc(cap * sizeof *rq->seg)))
		goto fail;
	for (p = d; (tok = strtok_r(p, "/", &save)); p = NULL) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (!rq->nseg)
				goto fail;
			free(rq->seg[--rq->nseg]);
			continue;
		}
		if (rq->nseg == cap) {
			char **a = realloc(rq->seg, cap * 2 * sizeof *a);
			if (!a)
				goto fail;
			rq->seg = a;
			cap *= 2;
		}
		if (!(rq->seg[rq->nseg] = strdup(tok)))
			goto fail;
		rq->nseg++;
	}
	free(d);
	return join_path(rq);
fail:
	free(d);
	return -1;
}

void httpd_req_free(hreq *rq)
{
	size_t i;

	free(rq->target);
	free(rq->path);
	for (i = 0; i < rq->nseg; i++)
		free(rq->seg[i]);
	free(rq->seg);
	sl_hdrs_free(&rq->hdrs);
	memset(rq, 0, sizeof *rq);
}

/* Does a comma-separated header value list token tok? */
static int has_token(const char *v, const char *tok)
{
	size_t tl = strlen(tok);

	while (v && *v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (!strncasecmp(v, tok, tl) && (v[tl] == 0 || v[tl] == ',' || v[tl] == ' ' || v[tl] == '\t' || v[tl] == ';'))
			return 1;
		v = strchr(v, ',');
	}
	return 0;
}

/* A Content-Length value: digits only, no overflow. -1 malformed. */
static int content_length(const char *p, int64_t *out)
{
	int64_t x = 0;

	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || x > (INT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (*p - '0');
	}
	*out = x;
	return 1;
}

/* Parse Content-Length (all occurrences must agree) and Transfer-Encoding. */
static int framing(hreq *rq)
{
	size_t i;
	const char *te = NULL;

	for (i = 0; i < rq->hdrs.n; i++) {
		const char *v = rq->hdrs.value[i];
		if (!strcasecmp(rq->hdrs.name[i], "content-length")) {
			int64_t x;
			if (content_length(v, &x) < 0 || (rq->has_cl && x != rq->cl))
				return -1;
			rq->has_cl = 1;
			rq->cl = x;
		} else if (!strcasecmp(rq->hdrs.name[i], "transfer-encoding") && *v) {
			if (te)
				return -1;
			te = v;
		}
	}
	if (te) {
		/* chunked must be the last coding; anything else cannot be framed */
		size_t n = strlen(te);
		rq->has_te = 1;
		rq->chunked = n >= 7 && !strcasecmp(te + n - 7, "chunked") && (n == 7 || te[n - 8] == ',' || te[n - 8] == ' ');
		rq->te_bad = !rq->chunked || strcasecmp(te, "chunked");
	}
	return 1;
}

/* The request-target: origin-form or absolute-form, printable ASCII, a
 * well-formed query, a path that stays under the root. 1 or 400/500. */
static int parse_target(hreq *rq, const char *t, size_t n)
{
	const char *p;
	char *q;

	if (!(rq->target = strndup(t, n)))
		return 500;
	for (p = rq->target; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 400;
	if (rq->target[0] != '/') {
		/* absolute-form: http://host/path */
		char *s = strstr(rq->target, "://");
		if (!s || !(s = strchr(s + 3, '/')))
			return 400;
		memmove(rq->target, s, strlen(s) + 1);
	}
	q = strchr(rq->target, '?');
	if (q) {
		/* malformed %xx in the query is refused here, used or not */
		rq->query = q + 1;
		for (p = rq->query; *p; p++)
			if (*p == '%' && (hexval((unsigned char)p[1]) < 0 || hexval((unsigned char)p[2]) < 0 ||
			    (p[1] == '0' && p[2] == '0')))
				return 400;
	}
	if (canon_path(rq, rq->target, q ? (size_t)(q - rq->target) : strlen(rq->target)) < 0)
		return 400;
	return 1;
}

/* "METHOD target HTTP/1.x": 1, or the status to answer. A NUL anywhere
 * is refused (it would cut the line short), so is a control byte in the
 * method (the target's bytes are checked by parse_target). */
static int request_line(hreq *rq, const char *line, size_t len)
{
	const char *sp1 = memchr(line, ' ', len), *sp2, *p;

	if (memchr(line, 0, len))
		return 400;
	for (p = line; sp1 && p < sp1; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 400;
	sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line)) : NULL;
	if (!sp1 || !sp2 || sp1 == line || sp2 == sp1 + 1 || (size_t)(sp1 - line) >= sizeof rq->method ||
	    strchr(sp2 + 1, ' '))
		return 400;
	memcpy(rq->method, line, (size_t)(sp1 - line));
	rq->method[sp1 - line] = 0;
	if (!strcmp(sp2 + 1, "HTTP/1.1"))
		rq->minor = 1;
	else if (!strcmp(sp2 + 1, "HTTP/1.0"))
		rq->minor = 0;
	else if (!strncmp(sp2 + 1, "HTTP/", 5) && sp2[6] >= '2' && sp2[6] <= '9')
		return 505;
	else
		return 400;
	return parse_target(rq, sp1 + 1, (size_t)(sp2 - sp1 - 1));
}

/* "Name: value": 1, or the status to answer. */
static int header_line(hreq *rq, const char *line, size_t len)
{
	const char *colon, *p;

	if (line[0] == ' ' || line[0] == '\t')
		return 400;     /* obsolete line folding */
	colon = memchr(line, ':', len);
	if (!colon || colon == line)
		return 400;
	for (p = line; p < colon; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 400;     /* no space before the colon */
	for (p = colon + 1; p < line + len; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 400;
	return sl_hdrs_add(&rq->hdrs, line) < 0 ? 500 : 1;
}

/* After the empty line: framing, persistence, Expect. 1 or a status. */
static int head_end(hreq *rq)
{
	const char *conn = sl_hdrs_get(&rq->hdrs, "connection"), *e = sl_hdrs_get(&rq->hdrs, "expect");

	if (framing(rq) < 0)
		return 400;
	rq->keep_alive = rq->minor >= 1 ? !has_token(conn, "close") : has_token(conn, "keep-alive");
	rq->expect100 = e && !strcasecmp(e, "100-continue");
	if (rq->has_te && rq->te_bad) {
		/* "gzip, chunked", "chunked, chunked", "identity": a coding we do
		 * not apply, so the body cannot be read as sent (RFC 9112 6.1):
		 * refused before any route, hence before any transaction */
		return 501;
	}
	if (rq->has_cl && rq->has_te)
		rq->keep_alive = 0;     /* never guess (request smuggling) */
	if (!rq->has_te && rq->has_cl)
		rq->body_left = rq->cl;
	rq->body_done = !rq->has_te && (!rq->has_cl || !rq->cl);
	return 1;
}

int httpd_head_parse(const httpd_head_limits *lim, hreq *rq, httpd_line_fn *getline, void *ctx)
{
	char *line;
	size_t len, hbytes = 0;
	int r;

	/* skip empty lines before a request (RFC 9112 2.2) */
	do {
		r = getline(ctx, lim->max_request_line, &line, &len);
		if (r == 0 || r == -1)
			return r;
		if (r == -2)
			return 414;
	} while (!len);
	if ((r = request_line(rq, line, len)) != 1)
		return r;
	for (;;) {
		r = getline(ctx, lim->max_header_bytes, &line, &len);
		if (r == 0 || r == -1)
			return -1;
		if (r == -2)
			return 431;
		if (!len)
			break;
		hbytes += len + 2;
		if (hbytes > lim->max_header_bytes || rq->hdrs.n >= lim->max_headers)
			return 431;
		if ((r = header_line(rq, line, len)) != 1)
			return r;
	}
	return head_end(rq);
}

/* A chunk-size line: hex digits (at most 15), then nothing, or an
 * extension after ';', ' ' or '\t'. -1 malformed. */
static int chunk_size(const char *line, size_t len, int64_t *out)
{
	int64_t sz = 0;
	size_t i;

	for (i = 0; i < len && hexval((unsigned char)line[i]) >= 0; i++) {
		if (i >= 15)
			return -1;
		sz = sz * 16 + hexval((unsigned char)line[i]);
	}
	if (!i || (i < len && line[i] != ';' && line[i] != ' ' && line[i] != '\t'))
		return -1;
	*out = sz;
	return 1;
}

int httpd_chunk_line(hreq *rq, const char *line, size_t len)
{
	int64_t sz;

	switch (rq->chunk_state) {
	case HTTPD_CHUNK_CRLF:
		if (len)
			return -1;
		rq->chunk_state = HTTPD_CHUNK_SIZE;
		return 0;
	case HTTPD_CHUNK_TRAILER:
		/* trailers, up to the empty line */
		return len ? 0 : 2;
	case HTTPD_CHUNK_SIZE:
		if (chunk_size(line, len, &sz) < 0)
			return -1;
		if (!sz) {
			rq->chunk_state = HTTPD_CHUNK_TRAILER;
			return 0;
		}
		rq->body_left = sz;
		rq->chunk_state = HTTPD_CHUNK_DATA;
		return 1;
	}
	return -1;
}
