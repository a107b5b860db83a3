/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve.c -- the core of sl-httpd: one HTTP/1.x connection on two fds
 * (STYLE.md items 11 and 14). Requests are read through a bounded buffer:
 * request line, header count and header bytes are capped; every read waits
 * at most read_timeout_ms (poll) and an alarm bounds a whole request head
 * or answer, so a slow client cannot pin the process. Bodies are
 * Content-Length or chunked (RFC 9112), read on demand by the routes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "load.h"
#include "core.h"

volatile sig_atomic_t httpd_alarm_fired, httpd_alarm_phase;
char httpd_timeout_msg[128] = "[TIMEOUT]the load exceeded its timeout";

static void on_alarm(int sig)
{
	(void)sig;
	httpd_alarm_fired = 1;
	if (httpd_alarm_phase == 2)
		sl_load_cancel(httpd_timeout_msg);
}

/* SIGPIPE: caught by a no-op (not SIG_IGN: that would survive exec into the
 * stages); EPIPE is handled where it happens. */
static void on_pipe(int sig)
{
	(void)sig;
}

void httpd_arm(int phase, unsigned seconds)
{
	httpd_alarm_fired = 0;
	httpd_alarm_phase = phase;
	alarm(seconds ? seconds : 1);
}

void httpd_disarm(void)
{
	alarm(0);
	httpd_alarm_phase = 0;
	httpd_alarm_fired = 0;
}

/* The backstop for a request head or an answer: twice the read timeout. */
static unsigned backstop_s(const httpd_conf *c)
{
	int64_t s = ((int64_t)c->read_timeout_ms * 2 + 999) / 1000;
	return s < 1 ? 1 : s > 86400 ? 86400 : (unsigned)s;
}

/* ---- logging ---- */

void httpd_sanitize(const char *s, char *out, size_t cap)
{
	size_t i = 0;

	if (!cap)
		return;
	for (; s && *s && i + 1 < cap; s++)
		out[i++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?';
	out[i] = 0;
}

void httpd_log(hconn *h, int level, const char *fmt, ...)
{
	char b[2048], s[2048];
	va_list ap;

	if (h->c->verbosity < level)
		return;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	httpd_sanitize(b, s, sizeof s);
	if (level <= 1)
		sl_warn("%s%s%s: %s", h->ip[0] ? h->ip : "-", h->port[0] ? ":" : "", h->port, s);
	else
		sl_info("%s%s%s: %s", h->ip[0] ? h->ip : "-", h->port[0] ? ":" : "", h->port, s);
}

void httpd_log_req(hconn *h, hreq *rq)
{
	httpd_log(h, 2, "%s %s HTTP/1.%d %d%s%s", rq->method, rq->target ? rq->target : "-", rq->minor,
		rq->status, rq->outcome ? " " : "", rq->outcome ? rq->outcome : "");
}

/* ---- output ---- */

const char *httpd_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 422: return "Unprocessable Content";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return status < 300 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
}

int httpd_write(hconn *h, const void *p, size_t n)
{
	const char *s = p;

	if (h->broken)
		return -1;
	while (n) {
		ssize_t k = write(h->out, s, n);
		if (k < 0) {
			if (errno == EINTR && !httpd_alarm_fired)
				continue;
			h->broken = 1;
			return -1;
		}
		s += k;
		n -= (size_t)k;
	}
	return 1;
}

int httpd_respond_head(hconn *h, hreq *rq, int status, const char *ctype, const char *extra, size_t len)
{
	sl_buf b = SL_BUF_ZERO;
	int r;

	rq->status = status;
	if (sl_buf_printf(&b, "HTTP/1.1 %d %s\r\n", status, httpd_reason(status)) < 0 ||
	    (ctype && sl_buf_printf(&b, "Content-Type: %s\r\n", ctype) < 0) ||
	    sl_buf_printf(&b, "Content-Length: %zu\r\n", len) < 0 ||
	    sl_buf_printf(&b, "Connection: %s\r\n", rq->keep_alive ? "keep-alive" : "close") < 0 ||
	    (extra && sl_buf_puts(&b, extra) < 0) || sl_buf_puts(&b, "\r\n") < 0) {
		sl_buf_free(&b);
		h->broken = 1;
		return -1;
	}
	r = httpd_write(h, b.p, b.len);
	sl_buf_free(&b);
	return r;
}

int httpd_respond(hconn *h, hreq *rq, int status, const char *ctype, const char *extra,
	const void *body, size_t len)
{
	int r;

	if (httpd_alarm_phase != 2)
		httpd_arm(1, backstop_s(h->c));
	r = httpd_respond_head(h, rq, status, ctype, extra, len);
	if (r > 0 && len && strcmp(rq->method, "HEAD"))
		r = httpd_write(h, body, len);
	if (httpd_alarm_phase == 1)
		httpd_disarm();
	return r;
}

int httpd_continue(hconn *h, hreq *rq)
{
	static const char m[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (!rq->expect100 || rq->sent100 || rq->minor < 1)
		return 1;
	rq->sent100 = 1;
	return httpd_write(h, m, sizeof m - 1);
}

/* ---- input ---- */

int httpd_fill(hconn *h)
{
	struct pollfd p;
	ssize_t k;
	int r;

	if (h->broken)
		return -1;
	if (h->eof)
		return 0;
	if (h->ioff && (h->ioff + h->ilen == h->icap || !h->ilen)) {
		memmove(h->ibuf, h->ibuf + h->ioff, h->ilen);
		h->ioff = 0;
	}
	if (h->ioff + h->ilen == h->icap) {
		errno = ENOBUFS;
		return -1;
	}
	for (;;) {
		if (httpd_alarm_fired && httpd_alarm_phase != 2) {
			/* the backstop: this request or answer took too long */
			errno = ETIMEDOUT;
			h->broken = 1;
			return -1;
		}
		if (httpd_alarm_fired && httpd_alarm_phase == 2) {
			/* the load's own timeout: the connection stays usable
			 * for the answer */
			errno = ETIMEDOUT;
			return -1;
		}
		p.fd = h->in;
		p.events = POLLIN;
		p.revents = 0;
		r = poll(&p, 1, h->c->read_timeout_ms > 0 ? h->c->read_timeout_ms : -1);
		if (r < 0 && errno == EINTR)
			continue;       /* the alarm: decided above */
		if (r <= 0) {
			errno = r == 0 ? ETIMEDOUT : errno;
			h->broken = 1;
			return -1;
		}
		k = read(h->in, h->ibuf + h->ioff + h->ilen, h->icap - h->ioff - h->ilen);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			continue;
		if (k < 0) {
			h->broken = 1;
			return -1;
		}
		if (k == 0) {
			h->eof = 1;
			return 0;
		}
		h->ilen += (size_t)k;
		return (int)k;
	}
}

/* The next line of the head (without CR LF) as a pointer into the buffer,
 * consumed. 1 line, 0 EOF before any byte, -1 broken / truncated, -2 the
 * line is longer than max. */
static int get_line(hconn *h, size_t max, char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *b = h->ibuf + h->ioff, *nl = memchr(b + scanned, '\n', h->ilen - scanned);
		if (nl) {
			size_t n = (size_t)(nl - b);
			if (n > max)
				return -2;
			*line = b;
			*len = n && b[n - 1] == '\r' ? n - 1 : n;
			b[*len] = 0;
			h->ioff += n + 1;
			h->ilen -= n + 1;
			return 1;
		}
		scanned = h->ilen;
		if (h->ilen > max)
			return -2;
		{
			int r = httpd_fill(h);
			if (r == 0)
				return h->ilen ? -1 : 0;
			if (r < 0)
				return -1;
		}
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
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

/* Canonical path: decoded, "." and empty segments dropped, ".." resolved
 * (never above the root). Fills rq->path and rq->seg. -1 malformed. */
static int canon_path(hreq *rq, const char *raw, size_t n)
{
	char *d = malloc(n + 1), *p, *save = NULL, *tok;
	size_t dn, cap = 8;

	if (!d)
		return -1;
	if (httpd_pct_decode(raw, n, d, &dn, 0) < 0 || d[0] != '/') {
		free(d);
		return -1;
	}
	rq->seg = malloc(cap * sizeof *rq->seg);
	if (!rq->seg) {
		free(d);
		return -1;
	}
	for (p = d; (tok = strtok_r(p, "/", &save)); p = NULL) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (!rq->nseg) {
				free(d);
				return -1;
			}
			free(rq->seg[--rq->nseg]);
			continue;
		}
		if (rq->nseg == cap) {
			char **a = realloc(rq->seg, cap * 2 * sizeof *a);
			if (!a) {
				free(d);
				return -1;
			}
			rq->seg = a;
			cap *= 2;
		}
		if (!(rq->seg[rq->nseg] = strdup(tok))) {
			free(d);
			return -1;
		}
		rq->nseg++;
	}
	free(d);
	{
		sl_buf b = SL_BUF_ZERO;
		size_t i;
		for (i = 0; i < rq->nseg; i++)
			if (sl_buf_putc(&b, '/') < 0 || sl_buf_puts(&b, rq->seg[i]) < 0)
				return -1;
		if (!rq->nseg && sl_buf_putc(&b, '/') < 0)
			return -1;
		if (sl_buf_cstr(&b) < 0)
			return -1;
		rq->path = b.p;
	}
	return 1;
}

static void req_free(hreq *rq)
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

/* Parse Content-Length (all occurrences must agree) and Transfer-Encoding. */
static int framing(hreq *rq)
{
	size_t i;
	const char *te = NULL;

	for (i = 0; i < rq->hdrs.n; i++) {
		const char *v = rq->hdrs.value[i];
		if (!strcasecmp(rq->hdrs.name[i], "content-length")) {
			int64_t x = 0;
			const char *p = v;
			if (!*p)
				return -1;
			for (; *p; p++) {
				if (*p < '0' || *p > '9' || x > (INT64_MAX - 9) / 10)
					return -1;
				x = x * 10 + (*p - '0');
			}
			if (rq->has_cl && x != rq->cl)
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

/* Read one request head. 1 a request; 0 the client closed between
 * requests; -1 the connection is gone; >= 400: answer that status and
 * close. */
static int read_head(hconn *h, hreq *rq)
{
	char *line, *sp1, *sp2, *q;
	size_t len, hbytes = 0;
	int r;

	/* skip empty lines before a request (RFC 9112 2.2) */
	do {
		r = get_line(h, h->c->max_request_line, &line, &len);
		if (r == 0)
			return 0;
		if (r == -1)
			return h->broken && !h->ilen && errno == ETIMEDOUT ? 0 : -1;
		if (r == -2)
			return 414;
	} while (!len);
	sp1 = memchr(line, ' ', len);
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
	if (!(rq->target = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1))))
		return 500;
	{
		const char *t;
		for (t = rq->target; *t; t++)
			if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
				return 400;
	}
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
		const char *t;
		rq->query = q + 1;
		for (t = rq->query; *t; t++)
			if (*t == '%' && (hexval((unsigned char)t[1]) < 0 || hexval((unsigned char)t[2]) < 0 ||
			    (t[1] == '0' && t[2] == '0')))
				return 400;
	}
	if (canon_path(rq, rq->target, q ? (size_t)(q - rq->target) : strlen(rq->target)) < 0)
		return 400;

	for (;;) {
		char *colon, *p;
		r = get_line(h, h->c->max_header_bytes, &line, &len);
		if (r == 0 || r == -1)
			return -1;
		if (r == -2)
			return 431;
		if (!len)
			break;
		hbytes += len + 2;
		if (hbytes > h->c->max_header_bytes || rq->hdrs.n >= h->c->max_headers)
			return 431;
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
		if (sl_hdrs_add(&rq->hdrs, line) < 0)
			return 500;
	}
	if (framing(rq) < 0)
		return 400;
	{
		const char *conn = sl_hdrs_get(&rq->hdrs, "connection");
		rq->keep_alive = rq->minor >= 1 ? !has_token(conn, "close") : has_token(conn, "keep-alive");
	}
	{
		const char *e = sl_hdrs_get(&rq->hdrs, "expect");
		rq->expect100 = e && !strcasecmp(e, "100-continue");
	}
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

/* ---- bodies ---- */

static const char MSG_SHORT[] = "[NETWORK_ERROR]receive body don't equal with body bytes";

static ssize_t body_fail(hconn *h, hreq *rq, const char *msg)
{
	(void)h;
	rq->body_error = 1;
	rq->body_done = 1;
	rq->keep_alive = 0;
	rq->body_errmsg = msg;
	return -1;
}

/* Ensure at least one buffered byte: 1, or -1 (EOF or broken). */
static int need(hconn *h)
{
	while (!h->ilen) {
		int r = httpd_fill(h);
		if (r <= 0)
			return -1;
	}
	return 1;
}

static ssize_t take(hconn *h, char *buf, size_t n)
{
	if (n > h->ilen)
		n = h->ilen;
	memcpy(buf, h->ibuf + h->ioff, n);
	h->ioff += n;
	h->ilen -= n;
	if (!h->ilen)
		h->ioff = 0;
	return (ssize_t)n;
}

ssize_t httpd_body_splice(hconn *h, hreq *rq, int wfd, size_t n)
{
	if (rq->body_error)
		return -2;
	if (rq->body_done)
		return 0;
	if (rq->chunked || !rq->body_started || h->ilen || h->broken || h->nosplice) {
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)rq->body_left < n)
		n = (size_t)rq->body_left;
	for (;;) {
		struct pollfd p = { h->in, POLLIN, 0 };
		ssize_t k;
		int r;

		if (httpd_alarm_fired) {
			errno = ETIMEDOUT;
			if (httpd_alarm_phase != 2)
				h->broken = 1;
			return body_fail(h, rq, MSG_SHORT) - 1;
		}
		r = poll(&p, 1, h->c->read_timeout_ms > 0 ? h->c->read_timeout_ms : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			errno = r == 0 ? ETIMEDOUT : errno;
			h->broken = 1;
			return body_fail(h, rq, MSG_SHORT) - 1;
		}
		k = splice(h->in, NULL, wfd, NULL, n, SPLICE_F_MOVE | SPLICE_F_MORE);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EINVAL) {
			h->nosplice = 1;
			return -1;
		}
		if (k < 0 && errno == EPIPE)
			return -3;
		if (k <= 0) {
			h->eof = k == 0;
			h->broken = k < 0;
			return body_fail(h, rq, MSG_SHORT) - 1;
		}
		rq->body_left -= k;
		rq->body_read += k;
		if (!rq->body_left)
			rq->body_done = 1;
		return k;
	}
}

ssize_t httpd_body_read(hconn *h, hreq *rq, char *buf, size_t n)
{
	if (rq->body_error)
		return -1;
	if (rq->body_done)
		return 0;
	if (!rq->body_started) {
		rq->body_started = 1;
		if (httpd_continue(h, rq) < 0)
			return body_fail(h, rq, MSG_SHORT);
	}
	if (!rq->chunked) {
		ssize_t k;
		if (need(h) < 0)
			return body_fail(h, rq, MSG_SHORT);
		k = take(h, buf, n < (uint64_t)rq->body_left ? n : (size_t)rq->body_left);
		rq->body_left -= k;
		rq->body_read += k;
		if (!rq->body_left)
			rq->body_done = 1;
		return k;
	}
	for (;;) {
		if (rq->chunk_state == 1) {
			ssize_t k;
			if (need(h) < 0)
				return body_fail(h, rq, MSG_SHORT);
			k = take(h, buf, n < (uint64_t)rq->body_left ? n : (size_t)rq->body_left);
			rq->body_left -= k;
			rq->body_read += k;
			if (!rq->body_left)
				rq->chunk_state = 2;
			return k;
		} else {
			char *line;
			size_t len;
			int r = get_line(h, 4096, &line, &len);
			if (r != 1)
				return body_fail(h, rq, r == -2 ? "[NETWORK_ERROR]malformed chunked body" : MSG_SHORT);
			if (rq->chunk_state == 2) {
				if (len)
					return body_fail(h, rq, "[NETWORK_ERROR]malformed chunked body");
				rq->chunk_state = 0;
				continue;
			}
			if (rq->chunk_state == 3) {
				/* trailers, up to the empty line */
				if (!len) {
					rq->body_done = 1;
					return 0;
				}
				continue;
			}
			{
				int64_t sz = 0;
				size_t i, digits = 0;
				for (i = 0; i < len && hexval((unsigned char)line[i]) >= 0; i++, digits++) {
					if (digits >= 15)
						return body_fail(h, rq, "[NETWORK_ERROR]malformed chunked body");
					sz = sz * 16 + hexval((unsigned char)line[i]);
				}
				if (!digits || (i < len && line[i] != ';' && line[i] != ' ' && line[i] != '\t'))
					return body_fail(h, rq, "[NETWORK_ERROR]malformed chunked body");
				if (!sz) {
					rq->chunk_state = 3;
					continue;
				}
				rq->body_left = sz;
				rq->chunk_state = 1;
			}
		}
	}
}

int httpd_body_drain(hconn *h, hreq *rq, int64_t max)
{
	char buf[16384];
	ssize_t k;

	if (rq->body_done)
		return !rq->body_error;
	if (rq->body_handed)
		return 0;       /* cannot tell what is left: close (after a linger) */
	if (rq->expect100 && !rq->sent100) {
		/* the client waits for us: it will not send the body; close */
		rq->keep_alive = 0;
		return 0;
	}
	if (!rq->chunked && rq->body_left > max) {
		rq->keep_alive = 0;
		return 0;
	}
	httpd_arm(1, backstop_s(h->c) + (unsigned)(max >> 20));
	while ((k = httpd_body_read(h, rq, buf, sizeof buf)) > 0) {
		if (rq->body_read > max) {
			rq->keep_alive = 0;
			httpd_disarm();
			return 0;
		}
	}
	httpd_disarm();
	return k == 0;
}

int httpd_body_slurp(hconn *h, hreq *rq, sl_buf *b, size_t max)
{
	char buf[16384];
	ssize_t k;

	if (!rq->chunked && rq->has_cl && (uint64_t)rq->cl > max)
		return 0;
	httpd_arm(1, backstop_s(h->c) + (unsigned)(max >> 20));
	while ((k = httpd_body_read(h, rq, buf, sizeof buf)) > 0) {
		if (b->len + (size_t)k > max || sl_buf_put(b, buf, (size_t)k) < 0) {
			rq->keep_alive = 0;
			httpd_disarm();
			return 0;
		}
	}
	httpd_disarm();
	return k == 0;
}

/* After an answer sent with "Connection: close" while the client may still
 * be sending: stop writing, read and drop for a moment, so that the answer
 * is not lost to a reset. */
static void linger(hconn *h)
{
	char buf[16384];
	int i;

	shutdown(h->out, SHUT_WR);
	for (i = 0; i < 64 && !h->eof && !h->broken; i++) {
		struct pollfd p = { h->in, POLLIN, 0 };
		if (poll(&p, 1, 200) <= 0)
			break;
		if (read(h->in, buf, sizeof buf) <= 0)
			break;
	}
}

static void answer_status(hconn *h, hreq *rq, int status)
{
	const char *r = httpd_reason(status);
	char body[128];

	rq->keep_alive = 0;
	if (!rq->method[0])
		strcpy(rq->method, "-");
	snprintf(body, sizeof body, "%s", r);
	httpd_respond(h, rq, status, "text/plain; charset=utf-8", NULL, body, strlen(body));
}

int httpd_serve(httpd_conf *c, int in, int out, const char *remote_ip, const char *remote_port)
{
	hconn h;
	struct sigaction sa;
	int code = SL_EXIT_OK;
	size_t cap;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;       /* no SA_RESTART: a blocked read returns */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_pipe;
	sigaction(SIGPIPE, &sa, NULL);

	memset(&h, 0, sizeof h);
	h.c = c;
	h.in = in;
	h.out = out;
	h.ip = remote_ip ? remote_ip : "";
	h.port = remote_port ? remote_port : "";
	cap = c->max_request_line > c->max_header_bytes ? c->max_request_line : c->max_header_bytes;
	h.icap = cap + 4096 < 65536 ? 65536 : cap + 4096;
	if (!(h.ibuf = malloc(h.icap))) {
		sl_warnsys("unable to serve %s", h.ip);
		return SL_EXIT_TEMP;
	}
	for (;;) {
		hreq rq;
		int r;

		memset(&rq, 0, sizeof rq);
		httpd_arm(1, backstop_s(c));
		r = read_head(&h, &rq);
		httpd_disarm();
		if (r == 0 || r == -1) {
			if (r == -1 && (rq.method[0] || h.ilen))
				httpd_log(&h, 2, "connection lost while reading a request");
			req_free(&rq);
			break;
		}
		if (r >= 400) {
			h.broken = 0;
			answer_status(&h, &rq, r);
			httpd_log(&h, 1, "bad request (%d %s): %s", r, httpd_reason(r),
				rq.target ? rq.target : "(request line)");
			linger(&h);
			req_free(&rq);
			break;
		}
		r = httpd_route(&h, &rq);
		httpd_log_req(&h, &rq);
		if (r < 0 || !rq.keep_alive || h.broken) {
			if (!h.broken && !rq.body_done)
				linger(&h);
			req_free(&rq);
			break;
		}
		req_free(&rq);
	}
	free(h.ibuf);
	return code;
}
