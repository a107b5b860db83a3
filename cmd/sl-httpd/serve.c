/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve.c -- the core of sl-httpd: one HTTP/1.x connection on two fds
 * (STYLE.md items 11 and 14). Requests are read through a bounded buffer
 * and parsed line by line (httphead.c: request line, header count and
 * header bytes are capped); every read waits at most read_timeout_ms
 * (poll) and an alarm bounds a whole request head or answer, so a slow
 * client cannot pin the process. Each request goes to the route function
 * of the conf; bodies are Content-Length or chunked (RFC 9112), read on
 * demand by the routes.
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
#include <time.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "load.h"
#include "status.h"
#include "result.h"
#include "serve.h"

volatile sig_atomic_t httpd_alarm_fired, httpd_alarm_phase;
char httpd_timeout_msg[128] = SL_E_TIMEOUT "the load exceeded its timeout";

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

/* ---- the request's note ---- */

int64_t httpd_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void httpd_note_start(hconn *h)
{
	memset(&h->note, 0, sizeof h->note);
	h->note.txn = -1;
	h->note.start_ms = sl_now_ms();
	h->note.start_mono = httpd_mono_us();
}

void httpd_note_user(hconn *h, const char *user)
{
	snprintf(h->note.user, sizeof h->note.user, "%s", user ? user : "");
}

/* One of status.h's strings for a load's Status (NULL: Fail). */
static const char *status_const(const char *s)
{
	static const char *const known[] = { SL_STATUS_SUCCESS, SL_STATUS_LABEL_EXISTS, SL_STATUS_PUBLISH_TIMEOUT };
	size_t i;

	for (i = 0; s && i < SL_ARRAY_LEN(known); i++)
		if (!strcmp(s, known[i]))
			return known[i];
	return SL_STATUS_FAIL;
}

void httpd_note_load(hconn *h, const sl_load_req *lr, const sl_load_out *out)
{
	httpd_note *n = &h->note;
	const sl_result *res = &out->res;

	n->load = 1;
	snprintf(n->db, sizeof n->db, "%s", lr->db ? lr->db : "");
	snprintf(n->table, sizeof n->table, "%s", lr->table ? lr->table : "");
	snprintf(n->label, sizeof n->label, "%s", res->label ? res->label : "");
	n->txn = res->txn_id;
	n->status = status_const(res->status);
	n->loaded = !strcmp(n->status, SL_STATUS_SUCCESS) ? res->loaded : 0;
	n->filtered = res->filtered;
	n->unselected = res->unselected;
	n->load_bytes = res->load_bytes;
}

/* ---- output ---- */

void httpd_date(char *out, size_t cap)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;

	/* by hand: strftime's %a and %b follow the locale, HTTP's do not */
	if (!gmtime_r(&now, &tm))
		memset(&tm, 0, sizeof tm);
	snprintf(out, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
		months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

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

/* The answer's head into b, then (unless NULL) its first n bytes of
 * body: written as one, a small answer leaves in one segment. */
static int respond_head_and(hconn *h, hreq *rq, int status, const char *ctype, const char *extra, size_t len,
	const void *body, size_t n)
{
	sl_buf b = SL_BUF_ZERO;
	char date[HTTPD_DATE_MAX];
	int r;

	rq->status = status;
	httpd_date(date, sizeof date);
	if (sl_buf_printf(&b, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, httpd_reason(status), date) < 0 ||
	    (ctype && sl_buf_printf(&b, "Content-Type: %s\r\n", ctype) < 0) ||
	    sl_buf_printf(&b, "Content-Length: %zu\r\n", len) < 0 ||
	    sl_buf_printf(&b, "Connection: %s\r\n", rq->keep_alive ? "keep-alive" : "close") < 0 ||
	    (extra && sl_buf_puts(&b, extra) < 0) || sl_buf_puts(&b, "\r\n") < 0 ||
	    (body && n && sl_buf_put(&b, body, n) < 0)) {
		sl_buf_free(&b);
		h->broken = 1;
		return -1;
	}
	r = httpd_write(h, b.p, b.len);
	sl_buf_free(&b);
	return r;
}

int httpd_respond_head(hconn *h, hreq *rq, int status, const char *ctype, const char *extra, size_t len)
{
	return respond_head_and(h, rq, status, ctype, extra, len, NULL, 0);
}

/* A body up to this size goes out with the head, in one write. */
#define WITH_HEAD_MAX 65536

int httpd_respond(hconn *h, hreq *rq, int status, const char *ctype, const char *extra,
	const void *body, size_t len)
{
	int r, head = !strcmp(rq->method, "HEAD");

	if (httpd_alarm_phase != 2)
		httpd_arm(1, backstop_s(h->c));
	if (!head && len && len <= WITH_HEAD_MAX) {
		r = respond_head_and(h, rq, status, ctype, extra, len, body, len);
	} else {
		r = httpd_respond_head(h, rq, status, ctype, extra, len);
		if (r > 0 && len && !head)
			r = httpd_write(h, body, len);
	}
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
	size_t scanned = 0, n;

	for (;;) {
		char *b = h->ibuf + h->ioff;
		int r = httpd_line_scan(b, h->ilen, max, &scanned, &n);
		if (r == 1) {
			*line = b;
			*len = n && b[n - 1] == '\r' ? n - 1 : n;
			b[*len] = 0;
			h->ioff += n + 1;
			h->ilen -= n + 1;
			return 1;
		}
		if (r < 0)
			return r;
		r = httpd_fill(h);
		if (r == 0)
			return h->ilen ? -1 : 0;
		if (r < 0)
			return -1;
	}
}

/* get_line as an httpd_line_fn. */
static int next_line(void *ctx, size_t max, char **line, size_t *len)
{
	return get_line(ctx, max, line, len);
}

/* Read one request head. 1 a request; 0 the client closed between
 * requests; -1 the connection is gone; >= 400: answer that status and
 * close. */
static int read_head(hconn *h, hreq *rq)
{
	httpd_head_limits lim = { h->c->max_request_line, h->c->max_header_bytes, h->c->max_headers };
	int r = httpd_head_parse(&lim, rq, next_line, h);

	/* a client that went quiet between requests: not an error */
	if (r == -1 && !rq->method[0] && h->broken && !h->ilen && errno == ETIMEDOUT)
		return 0;
	return r;
}

/* ---- bodies ---- */

static const char MSG_SHORT[] = SL_E_NETWORK_ERROR SL_MSG_SHORT_BODY;
static const char MSG_MALFORMED[] = SL_E_NETWORK_ERROR "malformed chunked body";

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

/* Up to n bytes of the current run of body data (rq->body_left). */
static ssize_t take_data(hconn *h, hreq *rq, char *buf, size_t n)
{
	ssize_t k;

	if (need(h) < 0)
		return body_fail(h, rq, MSG_SHORT);
	k = take(h, buf, n < (uint64_t)rq->body_left ? n : (size_t)rq->body_left);
	rq->body_left -= k;
	rq->body_read += k;
	return k;
}

ssize_t httpd_body_read(hconn *h, hreq *rq, char *buf, size_t n)
{
	ssize_t k;
	char *line;
	size_t len;
	int r;

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
		k = take_data(h, rq, buf, n);
		if (k > 0 && !rq->body_left)
			rq->body_done = 1;
		return k;
	}
	for (;;) {
		if (rq->chunk_state == HTTPD_CHUNK_DATA) {
			k = take_data(h, rq, buf, n);
			if (k > 0 && !rq->body_left)
				rq->chunk_state = HTTPD_CHUNK_CRLF;
			return k;
		}
		r = get_line(h, HTTPD_CHUNK_LINE_MAX, &line, &len);
		if (r != 1)
			return body_fail(h, rq, r == -2 ? MSG_MALFORMED : MSG_SHORT);
		r = httpd_chunk_line(rq, line, len);
		if (r < 0)
			return body_fail(h, rq, MSG_MALFORMED);
		if (r == 2) {
			rq->body_done = 1;
			return 0;
		}
	}
}

/* Read the rest of the body under the backstop, into b (NULL: dropped),
 * at most max bytes: 1 it ended, 0 more than max or broken. */
static int body_read_all(hconn *h, hreq *rq, sl_buf *b, int64_t max)
{
	char buf[16384];
	ssize_t k;

	httpd_arm(1, backstop_s(h->c) + (unsigned)(max >> 20));
	while ((k = httpd_body_read(h, rq, buf, sizeof buf)) > 0) {
		if (b ? b->len + (size_t)k > (size_t)max || sl_buf_put(b, buf, (size_t)k) < 0 : rq->body_read > max) {
			rq->keep_alive = 0;
			httpd_disarm();
			return 0;
		}
	}
	httpd_disarm();
	return k == 0;
}

int httpd_body_drain(hconn *h, hreq *rq, int64_t max)
{
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
	return body_read_all(h, rq, NULL, max);
}

int httpd_body_slurp(hconn *h, hreq *rq, sl_buf *b, size_t max)
{
	if (!rq->chunked && rq->has_cl && (uint64_t)rq->cl > max)
		return 0;
	return body_read_all(h, rq, b, (int64_t)max);
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

void httpd_keep_warm(hconn *h)
{
	h->warm = 1;
}

int httpd_serve(httpd_conf *c, int in, int out, const char *remote_ip, const char *remote_port, int *warm)
{
	hconn h;
	struct sigaction sa;
	int code = SL_EXIT_OK, all_warm = 1, any_warm = 0;
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
	if (warm)
		*warm = 0;
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
		httpd_note_start(&h);
		if (r == 0 || r == -1) {
			if (r == -1 && (rq.method[0] || h.ilen))
				httpd_log(&h, 2, "connection lost while reading a request");
			httpd_req_free(&rq);
			break;
		}
		if (r >= 400) {
			all_warm = 0;
			h.broken = 0;
			answer_status(&h, &rq, r);
			httpd_log(&h, 1, "bad request (%d %s): %s", r, httpd_reason(r),
				rq.target ? rq.target : "(request line)");
			if (c->request_end)
				c->request_end(&h, &rq);
			linger(&h);
			httpd_req_free(&rq);
			break;
		}
		h.warm = 0;
		r = c->route(&h, &rq);
		all_warm &= h.warm;
		any_warm |= h.warm;
		if (c->request_end)
			c->request_end(&h, &rq);
		if (r < 0 || !rq.keep_alive || h.broken) {
			if (!h.broken && !rq.body_done)
				linger(&h);
			httpd_req_free(&rq);
			break;
		}
		httpd_req_free(&rq);
	}
	free(h.ibuf);
	if (warm)
		*warm = all_warm && any_warm;
	return code;
}
