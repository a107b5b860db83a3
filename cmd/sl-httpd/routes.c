/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes.c -- the API of sl-httpd, answered as Doris answers:
 *   PUT|POST /api/{db}/{table}/_stream_load (and _load)   a load (load.h)
 *   PUT|POST /api/_http_stream  (header sql: INSERT ...)   a load (httpstream.h)
 *   PUT|POST /api/{db}[/{table}]/_stream_load_2pc          sl-commit --txn-operation
 *   GET|HEAD /api/_load_error_log?file=F                    an error log
 *   GET|HEAD /api/health
 *   POST     /api/query/{ns}/{db}  {"stmt": "..."}          sql.h in-process
 *   GET      /api/{db}/_stream_load_record[?limit=N]        record.h
 * anything else: 404 "Not Found". Basic auth on every route but health and
 * the error log; every auth decision is logged. Redirect mode answers the
 * load routes with 307 to the next back end.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>
#include <jv.h>

#include "sl.h"
#include "msg.h"
#include "store.h"
#include "auth.h"
#include "record.h"
#include "result.h"
#include "spawn.h"
#include "sql.h"
#include "types.h"
#include "load.h"
#include "schema.h"
#include "core.h"
#include "httpstream.h"

#define DRAIN_MAX ((int64_t)16 << 20)   /* bodies we read to keep a connection */
#define QUERY_BODY_MAX (1u << 20)

static const char CT_JSON[] = "application/json; charset=utf-8";
static const char CT_TEXT[] = "text/plain; charset=utf-8";
static const char MSG_NOAUTH[] = "[NOT_AUTHORIZED]no valid Basic authorization";

/* ---- small helpers ---- */

static int json_str(sl_buf *b, const char *s, size_t n)
{
	size_t i;

	if (sl_buf_putc(b, '"') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int r;
		if (c == '"' || c == '\\')
			r = sl_buf_putc(b, '\\') < 0 ? -1 : sl_buf_putc(b, (char)c);
		else if (c == '\n')
			r = sl_buf_puts(b, "\\n");
		else if (c == '\r')
			r = sl_buf_puts(b, "\\r");
		else if (c == '\t')
			r = sl_buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			r = sl_buf_printf(b, "\\u%04x", c);
		else
			r = sl_buf_putc(b, (char)c);
		if (r < 0)
			return -1;
	}
	return sl_buf_putc(b, '"');
}

static int json_cstr(sl_buf *b, const char *s)
{
	return json_str(b, s ? s : "", s ? strlen(s) : 0);
}

static int is_method(const hreq *rq, const char *a, const char *b)
{
	return !strcmp(rq->method, a) || (b && !strcmp(rq->method, b));
}

static int not_found(hconn *h, hreq *rq)
{
	static const char nf[] = "Not Found";

	if (!httpd_body_drain(h, rq, DRAIN_MAX))
		rq->keep_alive = 0;
	rq->outcome = NULL;
	return httpd_respond(h, rq, 404, CT_TEXT, NULL, nf, sizeof nf - 1) < 0 ? -1 : 0;
}

/* A name usable as db or table (store.h rules). */
static int name_ok(const char *s)
{
	return s && sl_name_valid(s) == 1;
}

/* ---- Basic auth ---- */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* "Basic base64(user:password)": 1 with user and pass filled, 0 missing or
 * malformed. */
static int basic_auth(const hreq *rq, char *user, size_t ucap, char *pass, size_t pcap)
{
	const char *v = sl_hdrs_get(&rq->hdrs, "authorization");
	char dec[1024], *colon;
	size_t n = 0, i, len;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	if (!v || strncasecmp(v, "Basic ", 6))
		return 0;
	v += 6;
	while (*v == ' ')
		v++;
	len = strlen(v);
	if (!len || len % 4 || len / 4 * 3 >= sizeof dec)
		return 0;
	for (i = 0; i < len; i++) {
		int x;
		if (v[i] == '=') {
			if (i < len - 2)
				return 0;
			pad++;
			continue;
		}
		if (pad || (x = b64val((unsigned char)v[i])) < 0)
			return 0;
		acc = acc << 6 | (unsigned)x;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dec[n++] = (char)(acc >> bits & 0xff);
		}
	}
	dec[n] = 0;
	if (memchr(dec, 0, n) || !(colon = strchr(dec, ':')) || colon == dec)
		return 0;
	*colon = 0;
	if (strlen(dec) >= ucap || strlen(colon + 1) >= pcap)
		return 0;
	strcpy(user, dec);
	strcpy(pass, colon + 1);
	return 1;
}

static void auth_log(hconn *h, hreq *rq, const char *user, int ok, const char *reason)
{
	char u[128], t[256];

	if (h->c->verbosity < 1)
		return;
	httpd_sanitize(user ? user : "-", u, sizeof u);
	httpd_sanitize(rq->target, t, sizeof t);
	sl_info("auth %s: user '%s' client %s route %s %s%s%s", ok ? "ok" : "denied", u,
		h->ip[0] ? h->ip : "-", rq->method, t, reason ? ": " : "", reason ? reason : "");
}

/* Authenticate: 1 ok (user filled); 0 refused (msg filled: Doris's
 * words, *status the HTTP status); -1 error (msg filled). priv 0: the
 * password only. */
static int authenticate(hconn *h, hreq *rq, const char *db, const char *table, int priv,
	char *user, size_t ucap, char *msg, size_t cap, int *status)
{
	char pass[512];
	const char *why = NULL;
	int r;

	if (!basic_auth(rq, user, ucap, pass, sizeof pass)) {
		snprintf(msg, cap, "%s", MSG_NOAUTH);
		*status = 401;
		auth_log(h, rq, NULL, 0, "no valid Basic authorization");
		user[0] = 0;
		return 0;
	}
	r = sl_load_auth(&h->c->st, user, pass, h->ip[0] ? h->ip : "127.0.0.1", priv ? db : NULL,
		table, priv, msg, cap, &why);
	memset(pass, 0, sizeof pass);
	if (r < 0) {
		snprintf(msg, cap, "[INTERNAL_ERROR]unable to check the user: %s", strerror(errno));
		*status = 500;
		auth_log(h, rq, user, 0, "unable to read the users");
		return -1;
	}
	if (r == 0) {
		*status = strstr(msg, "privilege") ? 403 : 401;
		auth_log(h, rq, user, 0, why);
		return 0;
	}
	auth_log(h, rq, user, 1, NULL);
	return 1;
}

/* ---- HTTP status of an answer (header http_status_codes: true) ---- */

static int status_of_message(const char *status, const char *msg)
{
	if (status && !strcmp(status, "Success"))
		return 200;
	if (status && !strcmp(status, "Label Already Exists"))
		return 409;
	if (!msg)
		return 500;
	if (!strncmp(msg, "[NOT_AUTHORIZED]", 16))
		return 401;
	if (strstr(msg, "Access denied;"))
		return 403;
	if (strstr(msg, "Access denied for user"))
		return 401;
	if (!strncmp(msg, "[NOT_FOUND]", 11))
		return 404;
	if (!strncmp(msg, "[LABEL_ALREADY_EXISTS]", 22))
		return 409;
	if (!strncmp(msg, "[E-217]", 7))
		return 413;
	if (!strncmp(msg, "[TIMEOUT]", 9))
		return 408;
	if (!strncmp(msg, "[DATA_QUALITY_ERROR]", 20))
		return 422;
	if (!strncmp(msg, "[INTERNAL_ERROR]", 16) || !strncmp(msg, "[CANCELLED]", 11))
		return 500;
	return 400;
}

static int want_codes(const hreq *rq)
{
	return sl_hdrs_bool(&rq->hdrs, "http_status_codes");
}

/* ---- redirect mode ---- */

static int redirect(hconn *h, hreq *rq)
{
	static unsigned local_rr;
	httpd_conf *c = h->c;
	unsigned i = c->rr_counter ? __atomic_fetch_add(c->rr_counter, 1, __ATOMIC_SEQ_CST)
		: local_rr++;
	char *loc = NULL;

	if (!httpd_body_drain(h, rq, DRAIN_MAX))
		rq->keep_alive = 0;
	if (asprintf(&loc, "Location: http://%s%s\r\n", c->redirect[i % c->nredirect], rq->target) < 0) {
		rq->keep_alive = 0;
		return httpd_respond(h, rq, 500, CT_TEXT, NULL, "Internal Server Error", 21) < 0 ? -1 : -1;
	}
	rq->outcome = "redirect";
	httpd_log(h, 2, "redirect %s to %s", rq->target, c->redirect[i % c->nredirect]);
	i = httpd_respond(h, rq, 307, NULL, loc, "", 0) < 0;
	free(loc);
	return i ? -1 : 0;
}

/* ---- the load ---- */

/* The E-217 answer for a body of n bytes over limit. */
static void msg_too_large(char *msg, size_t cap, int64_t n, int64_t limit)
{
	snprintf(msg, cap, "[E-217]body size %" PRId64 " exceed BE's conf `streaming_load_max_mb` %" PRId64
		". increase it if you are sure this load is reasonable", n, limit);
}

/* A load's body: exactly one of Content-Length and chunked, and a
 * Content-Length within limit. 1 ok, 0 with msg the answer. */
static int body_framing_ok(const hreq *rq, int64_t limit, char *msg, size_t cap)
{
	if (rq->has_cl && rq->has_te) {
		snprintf(msg, cap, "[INVALID_ARGUMENT]please do not set both content_length and transfer-encoding");
		return 0;
	}
	if (!rq->has_cl && !rq->chunked) {
		snprintf(msg, cap, "[INVALID_ARGUMENT]content_length is empty and transfer-encoding!=chunked, "
			"please set content_length or transfer-encoding=chunked");
		return 0;
	}
	if (rq->has_cl && rq->cl > limit) {
		msg_too_large(msg, cap, rq->cl, limit);
		return 0;
	}
	return 1;
}

typedef struct feedctx {
	hconn *h;
	hreq *rq;
	int64_t limit;          /* bytes */
	int pipe_closed;        /* the pipeline stopped reading */
	char msg[256];
} feedctx;

static const char *too_large(feedctx *f)
{
	msg_too_large(f->msg, sizeof f->msg, f->rq->body_read, f->limit);
	f->rq->keep_alive = 0;
	return f->msg;
}

/* A Content-Length body none of which is buffered yet goes to sl-parse
 * without passing through us: its stdin is the connection itself, it reads
 * exactly x_sl_body_bytes (sl_input_set_length) and fails the load as a
 * short body on an end, a reset or a read timeout (SO_RCVTIMEO, our per-read
 * timeout) before them. Saves a hop of every body byte (a splice and a
 * wake-up of this process per chunk). hand->fd >= 0 when handed over. */
typedef struct handoff {
	int fd, flags;
} handoff;

static int body_handoff(hconn *h, hreq *rq, handoff *hd)
{
	struct stat sb;
	struct timeval tv;
	int ms = h->c->read_timeout_ms;

	hd->fd = -1;
	if (!rq->has_cl || rq->has_te || rq->chunked || rq->cl <= 0 || rq->body_started || rq->body_done ||
	    h->ilen || h->eof || h->broken || fstat(h->in, &sb) < 0 || !S_ISSOCK(sb.st_mode) ||
	    (hd->flags = fcntl(h->in, F_GETFL)) < 0)
		return 0;
	tv.tv_sec = ms > 0 ? ms / 1000 : 0;
	tv.tv_usec = ms > 0 ? (ms % 1000) * 1000 : 0;
	if ((hd->flags & O_NONBLOCK) && fcntl(h->in, F_SETFL, hd->flags & ~O_NONBLOCK) < 0)
		return 0;
	if (setsockopt(h->in, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
		fcntl(h->in, F_SETFL, hd->flags);
		return 0;
	}
	rq->body_started = rq->body_handed = 1;
	hd->fd = h->in;
	return 1;
}

/* The connection is ours again. After a Success sl-parse has read the
 * whole body; otherwise how much of it was read is unknown: the answer
 * closes the connection, after a linger (httpd_body_drain refuses). */
static void body_handback(hreq *rq, const handoff *hd, int ok)
{
	struct timeval tv = { 0, 0 };

	setsockopt(hd->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (hd->flags & O_NONBLOCK)
		fcntl(hd->fd, F_SETFL, hd->flags);
	if (ok) {
		rq->body_done = 1;
		rq->body_read = rq->cl;
		rq->body_left = 0;
	} else {
		rq->keep_alive = 0;
	}
}

/* Move the body into the pipeline, with back-pressure (blocking writes):
 * by splice(2) from the connection when it can (a Content-Length body once
 * its buffered part is written), else copied through a buffer. */
static const char *feed(void *ctx, int wfd)
{
	feedctx *f = ctx;
	char buf[65536];
	ssize_t k;

	for (;;) {
		k = httpd_body_splice(f->h, f->rq, wfd, SL_PIPE_SIZE);
		if (k > 0) {
			if (f->rq->body_read > f->limit)
				return too_large(f);
			continue;
		}
		if (k == 0)
			return NULL;
		if (k == -3) {
			f->pipe_closed = 1;     /* EPIPE: the pipeline answers */
			return NULL;
		}
		if (k == -2) {
			k = -1;
			break;
		}
		k = httpd_body_read(f->h, f->rq, buf, sizeof buf);
		if (k <= 0)
			break;
		const char *p = buf;
		size_t n = (size_t)k;
		if (f->rq->body_read > f->limit)
			return too_large(f);
		while (n) {
			ssize_t w = write(wfd, p, n);
			if (w < 0) {
				if (errno == EINTR && !httpd_alarm_fired)
					continue;
				if (errno == EINTR)
					return httpd_timeout_msg;
				f->pipe_closed = 1;     /* EPIPE: the pipeline answers */
				return NULL;
			}
			p += w;
			n -= (size_t)w;
		}
	}
	if (k < 0) {
		if (httpd_alarm_fired && httpd_alarm_phase == 2)
			return httpd_timeout_msg;
		if (f->h->broken && errno == ETIMEDOUT) {
			snprintf(f->msg, sizeof f->msg, "[NETWORK_ERROR]receive body timed out: no data for %d ms",
				f->h->c->read_timeout_ms);
			return f->msg;
		}
		return f->rq->body_errmsg ? f->rq->body_errmsg : "[NETWORK_ERROR]receive body don't equal with body bytes";
	}
	return NULL;
}

static void warn_cb(void *ctx, const char *msg)
{
	hconn *h = ctx;
	httpd_log(h, 1, "%s", msg);
}

/* The headers the stages get: the request's, but not the connection's
 * own nor the credentials. */
static int stage_headers(const hreq *rq, sl_hdrs *out)
{
	static const char *const skip[] = { "authorization", "proxy-authorization", "host", "content-length",
		"transfer-encoding", "expect", "connection", "keep-alive", "te", "trailer", "upgrade",
		"proxy-connection", "user-agent", "accept", "accept-encoding", "cookie", "http_status_codes" };
	size_t i, j;

	for (i = 0; i < rq->hdrs.n; i++) {
		for (j = 0; j < SL_ARRAY_LEN(skip); j++)
			if (!strcasecmp(rq->hdrs.name[i], skip[j]))
				break;
		/* x_sl_*: the stages' internal headers, set by us only */
		if (j < SL_ARRAY_LEN(skip) || !*rq->hdrs.value[i] || !strncasecmp(rq->hdrs.name[i], "x_sl_", 5))
			continue;
		if (sl_hdrs_append(out, rq->hdrs.name[i], rq->hdrs.value[i]) < 0)
			return -1;
	}
	return 1;
}

/* The body's size (Content-Length), for sl-parse's check of
 * streaming_load_json_max_mb: the stage header x_sl_body_bytes. 1, or 0
 * with msg filled. */
static int pass_body_size(const hreq *rq, sl_hdrs *lh, char *msg, size_t cap)
{
	char n[32];

	if (!rq->has_cl || rq->has_te)
		return 1;
	snprintf(n, sizeof n, "%" PRId64, rq->cl);
	if (sl_hdrs_set(lh, "x_sl_body_bytes", n) < 0) {
		snprintf(msg, cap, "[INTERNAL_ERROR]out of memory");
		return 0;
	}
	return 1;
}

/* host[:port] the client used (Host header when sane), else our address. */
static void our_host(hconn *h, const hreq *rq, char *out, size_t cap)
{
	const char *host = sl_hdrs_get(&rq->hdrs, "host"), *p;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (host && strlen(host) < cap) {
		for (p = host; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      strchr(".-:[]_", *p)))
				break;
		if (!*p) {
			strcpy(out, host);
			return;
		}
	}
	if (getsockname(h->out, (struct sockaddr *)&ss, &len) == 0) {
		char ip[INET6_ADDRSTRLEN];
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
			snprintf(out, cap, "%s:%u", ip, ntohs(a->sin_port));
			return;
		}
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
			snprintf(out, cap, "[%s]:%u", ip, ntohs(a->sin6_port));
			return;
		}
	}
	snprintf(out, cap, "127.0.0.1:8030");
}

/* Answer a load refused before or instead of its pipeline: the Fail JSON
 * of sl_load_fail, with the status code http_status_codes asks for, and the
 * connection kept only when the rest of the body could be drained.
 * Returns 0, or -1 when the connection must close. */
static int fail_answer(hconn *h, hreq *rq, sl_load_req *lr, const char *msg, sl_load_out *out, int st)
{
	if (sl_load_fail(lr, msg, out) < 0) {
		rq->keep_alive = 0;
		(void)httpd_respond(h, rq, 500, CT_TEXT, NULL, "Internal Server Error", 21);
		return -1;
	}
	if (want_codes(rq) && st == 200)
		st = status_of_message(out->res.status, out->res.message);
	if (!want_codes(rq))
		st = 200;
	if (rq->has_cl && rq->has_te)
		rq->keep_alive = 0;
	if (!rq->body_done && (rq->expect100 || !httpd_body_drain(h, rq, DRAIN_MAX)))
		rq->keep_alive = 0;
	rq->outcome = "Fail";
	return httpd_respond(h, rq, st, CT_JSON, NULL, out->answer.p, out->answer.len) < 0 ? -1 : 0;
}

/* Send a load's answer; afterwards the body must be done or the
 * connection closed. */
static int load_answer(hconn *h, hreq *rq, sl_load_out *out)
{
	int st = want_codes(rq) ? status_of_message(out->res.status, out->res.message) : 200;

	if (!rq->body_done && !httpd_body_drain(h, rq, DRAIN_MAX))
		rq->keep_alive = 0;
	if (rq->body_error || h->broken)
		rq->keep_alive = 0;
	rq->outcome = !out->res.status || !strcmp(out->res.status, "Fail") ? "Fail" :
		!strcmp(out->res.status, "Success") ? "Success" : "Label Already Exists";
	if (h->broken)
		return -1;
	return httpd_respond(h, rq, st, CT_JSON, NULL, out->answer.p, out->answer.len) < 0 ? -1 : 0;
}

static int parse_timeout(const char *v, int64_t *out)
{
	char *end;
	long long x;

	if (!v)
		return 0;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end || end == v || x < 1 || x > 259200)
		return 0;
	*out = x;
	return 1;
}

/* Run a load under its `timeout` (its body handed to sl-parse when
 * may_handoff and body_handoff allow) and answer it: 1, *ret the answer's
 * result; 0 it could not run: msg says why, for fail_answer. */
static int run_load(hconn *h, hreq *rq, sl_load_req *lr, sl_load_out *out, int64_t secs,
	int may_handoff, char *msg, size_t cap, int *ret)
{
	handoff hd = { -1, 0 };
	httpd_rate rw;
	int r;

	snprintf(httpd_timeout_msg, sizeof httpd_timeout_msg,
		"[TIMEOUT]the load exceeded its timeout of %" PRId64 " seconds and was cancelled", secs);
	if (may_handoff && body_handoff(h, rq, &hd)) {
		lr->infd = hd.fd;
		lr->feed = NULL;
		httpd_log(h, 2, "the body (%" PRId64 " bytes) goes to sl-parse directly", rq->cl);
	}
	httpd_rate_start(&rw, h, rq);
	httpd_arm(2, (unsigned)secs);
	r = sl_load_run(lr, out);
	httpd_disarm();
	if (httpd_rate_stop(&rw)) {
		httpd_log(h, 1, "body too slow: the load was cancelled");
		rq->keep_alive = 0;
	}
	if (hd.fd >= 0)
		body_handback(rq, &hd, r > 0 && out->ok);
	if (r < 0) {
		int e = errno;
		if (out->failed_path[0])
			httpd_log(h, 1, "unable to run %s: %s", out->failed_path, strerror(e));
		else
			httpd_log(h, 1, "unable to run the load: %s", strerror(e));
		snprintf(msg, cap, "[INTERNAL_ERROR]unable to run the load: %s", strerror(e));
		return 0;
	}
	if (out->cancelled)
		rq->keep_alive = 0;
	*ret = load_answer(h, rq, out);
	return 1;
}

static int route_load(hconn *h, hreq *rq, const char *db, const char *table)
{
	httpd_conf *c = h->c;
	sl_hdrs lh = SL_HDRS_ZERO;
	sl_load_req lr;
	sl_load_out out;
	feedctx fc;
	char user[128], msg[1024], host[300], *envv[2] = { NULL, NULL };
	int64_t limit, secs;
	int r, st = 200, ret;

	memset(&lr, 0, sizeof lr);
	sl_load_out_init(&out);
	lr.data_dir = c->data_dir;
	lr.st = &c->st;
	lr.db = db;
	lr.table = table;
	lr.hdrs = &lh;
	lr.infd = -1;
	lr.errfd = -1;
	lr.client_ip = h->ip;
	lr.warn = warn_cb;
	lr.warn_ctx = h;
	if (stage_headers(rq, &lh) < 0 || !sl_load_label(&lr)) {
		rq->keep_alive = 0;
		httpd_respond(h, rq, 500, CT_TEXT, NULL, "Internal Server Error", 21);
		sl_hdrs_free(&lh);
		return -1;
	}

	r = authenticate(h, rq, db, table, c->nredirect ? 0 : SL_PRIV_LOAD, user, sizeof user, msg, sizeof msg, &st);
	lr.user = user;
	if (r <= 0) {
		lr.no_record = 1;
		goto fail;
	}
	if (c->nredirect) {
		sl_hdrs_free(&lh);
		sl_load_out_free(&out);
		return redirect(h, rq);
	}
	if (!name_ok(db)) {
		snprintf(msg, sizeof msg, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=%s", db);
		goto fail;
	}
	if (!name_ok(table)) {
		snprintf(msg, sizeof msg, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=%s", table);
		goto fail;
	}
	limit = c->streaming_load_max_mb * 1024 * 1024;
	if (!body_framing_ok(rq, limit, msg, sizeof msg))
		goto fail;
	if (!pass_body_size(rq, &lh, msg, sizeof msg))
		goto fail;
	if (!parse_timeout(sl_hdrs_get(&rq->hdrs, "timeout"), &secs))
		secs = c->stream_load_default_timeout_second;

	our_host(h, rq, host, sizeof host);
	if (asprintf(&envv[0], "SL_ERROR_URL_PREFIX=http://%s/api/_load_error_log?file=", host) < 0) {
		envv[0] = NULL;
		snprintf(msg, sizeof msg, "[INTERNAL_ERROR]out of memory");
		goto fail;
	}
	lr.env = envv;
	memset(&fc, 0, sizeof fc);
	fc.h = h;
	fc.rq = rq;
	fc.limit = limit;
	lr.feed = feed;
	lr.feed_ctx = &fc;
	if (httpd_continue(h, rq) < 0)
		rq->keep_alive = 0;
	if (run_load(h, rq, &lr, &out, secs, 1, msg, sizeof msg, &ret))
		goto done;
fail:
	ret = fail_answer(h, rq, &lr, msg, &out, st);
done:
	free(envv[0]);
	sl_hdrs_free(&lh);
	sl_load_out_free(&out);
	return ret;
}

/* ---- http_stream ---- */

#define HS_PEEK_MAX ((size_t)1 << 20)   /* raw bytes read to name the csv columns */

typedef struct hsfeed {
	feedctx fc;
	sl_buf pre;             /* body bytes read ahead (the first records) */
} hsfeed;

static const char *hs_feed(void *ctx, int wfd)
{
	hsfeed *f = ctx;
	size_t off = 0;

	while (off < f->pre.len) {
		ssize_t w = write(wfd, f->pre.p + off, f->pre.len - off);
		if (w < 0) {
			if (errno == EINTR && !httpd_alarm_fired)
				continue;
			if (errno == EINTR)
				return httpd_timeout_msg;
			f->fc.pipe_closed = 1;
			return NULL;
		}
		off += (size_t)w;
	}
	if (f->fc.rq->body_done)
		return NULL;
	return feed(&f->fc, wfd);
}

/* Read the start of the body into pre until the csv source names are
 * known (hs_peek). 1 ok (names set), 0 a broken body (msg), -1 ENOMEM. */
static int hs_peek_body(hconn *h, hreq *rq, const hs_stmt *hs, sl_buf *pre, int64_t limit,
	char ***names, size_t *nnames, char *msg, size_t cap)
{
	char buf[65536];
	ssize_t k;
	int r;

	for (;;) {
		r = hs_peek(hs, pre->p ? pre->p : "", pre->len, rq->body_done || pre->len >= HS_PEEK_MAX, names, nnames);
		if (r != 0)
			return r;
		k = httpd_body_read(h, rq, buf, sizeof buf);
		if (k == 0) {
			rq->body_done = 1;
			continue;
		}
		if (k < 0) {
			snprintf(msg, cap, "%s", rq->body_errmsg ? rq->body_errmsg :
				"[NETWORK_ERROR]receive body don't equal with body bytes");
			return 0;
		}
		if (rq->body_read > limit) {
			msg_too_large(msg, cap, rq->body_read, limit);
			rq->keep_alive = 0;
			return 0;
		}
		if (sl_buf_put(pre, buf, (size_t)k) < 0)
			return -1;
	}
}

static int route_http_stream(hconn *h, hreq *rq)
{
	httpd_conf *c = h->c;
	sl_hdrs lh = SL_HDRS_ZERO;
	sl_load_req lr;
	sl_load_out out;
	hsfeed hf;
	hs_stmt hs;
	sl_schema sch;
	char user[128], msg[1024], pmsg[1024], host[300], *envv[2] = { NULL, NULL };
	char **src = NULL, **tcols = NULL;
	size_t nsrc = 0, i;
	int64_t limit, secs;
	int r, st = 200, ret, parsed, have_sch = 0;

	memset(&lr, 0, sizeof lr);
	memset(&hf, 0, sizeof hf);
	memset(&sch, 0, sizeof sch);
	sl_load_out_init(&out);
	lr.data_dir = c->data_dir;
	lr.st = &c->st;
	lr.hdrs = &lh;
	lr.infd = -1;
	lr.errfd = -1;
	lr.client_ip = h->ip;
	lr.warn = warn_cb;
	lr.warn_ctx = h;
	lr.no_label = 1;        /* until the pipeline runs: planning failures say Label "" */
	memset(&hs, 0, sizeof hs);
	parsed = -1;
	/* what an early Fail answer shows (hs_headers copies them again) */
	if (sl_hdrs_get(&rq->hdrs, "comment") && sl_hdrs_set(&lh, "comment", sl_hdrs_get(&rq->hdrs, "comment")) < 0)
		goto oom;
	if (sl_hdrs_get(&rq->hdrs, "two_phase_commit") &&
	    sl_hdrs_set(&lh, "two_phase_commit", sl_hdrs_get(&rq->hdrs, "two_phase_commit")) < 0)
		goto oom;
	parsed = hs_parse(sl_hdrs_get(&rq->hdrs, "sql"), &hs, pmsg, sizeof pmsg);
	if (parsed < 0)
		goto oom;
	lr.db = parsed ? hs.db : "";
	lr.table = parsed ? hs.table : "";
	r = authenticate(h, rq, parsed ? hs.db : NULL, parsed ? hs.table : NULL,
		c->nredirect || !parsed ? 0 : SL_PRIV_LOAD, user, sizeof user, msg, sizeof msg, &st);
	lr.user = user;
	if (r <= 0) {
		lr.no_record = 1;
		goto fail;
	}
	if (c->nredirect) {
		hs_free(&hs);
		sl_hdrs_free(&lh);
		sl_load_out_free(&out);
		return redirect(h, rq);
	}
	if (!parsed) {
		lr.no_record = 1;
		snprintf(msg, sizeof msg, "%s", pmsg);
		goto fail;
	}
	if (!name_ok(hs.db)) {
		snprintf(msg, sizeof msg, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=%s", hs.db);
		goto fail;
	}
	if (!name_ok(hs.table)) {
		snprintf(msg, sizeof msg, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=%s", hs.table);
		goto fail;
	}
	r = sl_schema_load(&c->st, hs.db, hs.table, &sch);
	if (r < 0) {
		snprintf(msg, sizeof msg, "[INTERNAL_ERROR]unable to read the table: %s", strerror(errno));
		goto fail;
	}
	if (r == 0) {
		if (errno == ENOTDIR)
			snprintf(msg, sizeof msg, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=%s", hs.db);
		else
			snprintf(msg, sizeof msg, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=%s", hs.table);
		goto fail;
	}
	have_sch = 1;
	if (!(tcols = calloc(sch.ncols + 1, sizeof *tcols)))
		goto oom;
	for (i = 0; i < sch.ncols; i++)
		tcols[i] = sch.cols[i].name;
	limit = c->streaming_load_max_mb * 1024 * 1024;
	if (!body_framing_ok(rq, limit, msg, sizeof msg))
		goto fail;
	if (!pass_body_size(rq, &lh, msg, sizeof msg))
		goto fail;
	if (!parse_timeout(sl_hdrs_get(&rq->hdrs, "timeout"), &secs))
		secs = c->stream_load_default_timeout_second;
	if (httpd_continue(h, rq) < 0)
		rq->keep_alive = 0;
	/* the source names: a csv body's first record (read ahead, then
	 * replayed into the pipeline; decompressed by hs_peek when
	 * compress_type is set), else what the SELECT references */
	if (hs_is_csv(&hs))
		r = hs_peek_body(h, rq, &hs, &hf.pre, limit, &src, &nsrc, msg, sizeof msg);
	else
		r = hs_refs(&hs, &src, &nsrc, msg, sizeof msg);
	if (r < 0)
		goto oom;
	if (r == 0)
		goto fail;
	r = hs_headers(&hs, &rq->hdrs, src, nsrc, tcols, sch.ncols, &lh, msg, sizeof msg);
	if (r < 0)
		goto oom;
	if (r == 0)
		goto fail;
	lr.no_label = 0;

	our_host(h, rq, host, sizeof host);
	if (asprintf(&envv[0], "SL_ERROR_URL_PREFIX=http://%s/api/_load_error_log?file=", host) < 0) {
		envv[0] = NULL;
		goto oom;
	}
	lr.env = envv;
	hf.fc.h = h;
	hf.fc.rq = rq;
	hf.fc.limit = limit;
	lr.feed = hs_feed;
	lr.feed_ctx = &hf;
	/* no handoff: hs_feed replays what the peek read */
	if (run_load(h, rq, &lr, &out, secs, 0, msg, sizeof msg, &ret))
		goto done;
	goto fail;
oom:
	snprintf(msg, sizeof msg, "[INTERNAL_ERROR]out of memory");
fail:
	ret = fail_answer(h, rq, &lr, msg, &out, st);
done:
	free(envv[0]);
	free(tcols);
	hs_names_free(src, nsrc);
	if (have_sch)
		sl_schema_free(&sch);
	hs_free(&hs);
	sl_buf_free(&hf.pre);
	sl_hdrs_free(&lh);
	sl_load_out_free(&out);
	return ret;
}

/* ---- 2PC ---- */

static int answer_2pc(hconn *h, hreq *rq, const char *status, const char *msg, int http)
{
	sl_buf b = SL_BUF_ZERO;
	int r;

	if (!rq->body_done && (rq->expect100 || !httpd_body_drain(h, rq, DRAIN_MAX)))
		rq->keep_alive = 0;
	if (sl_result_2pc_json(status, msg, &b) < 0) {
		rq->keep_alive = 0;
		httpd_respond(h, rq, 500, CT_TEXT, NULL, "Internal Server Error", 21);
		return -1;
	}
	rq->outcome = strcmp(status, "Success") ? "Fail" : "Success";
	r = httpd_respond(h, rq, want_codes(rq) ? http : 200, CT_JSON, NULL, b.p, b.len);
	sl_buf_free(&b);
	return r < 0 ? -1 : 0;
}

#define TSTATUS "TStatus: errCode = 2, detailMessage = "


/* The transaction a 2PC request names, looked up as sl-commit will: by
 * txn_id when given (it wins), else by label. 1 found (ti filled), 0 not
 * (sl-commit then answers why), -1 the log cannot be read. */
static int txn_of_2pc(hconn *h, hreq *rq, const char *db, sl_txninfo *ti)
{
	const char *id = sl_hdrs_get(&rq->hdrs, "txn_id"), *label = sl_hdrs_get(&rq->hdrs, "label");
	unsigned long long uid;

	if (!name_ok(db))
		return 0;
	if (id && *id)
		return sl_stoull(id, &uid) == 1 ? sl_txn_lookup_id(&h->c->st, db, (int64_t)uid, ti) : 0;
	if (label && *label)
		return sl_txn_lookup_label(&h->c->st, db, label, ti);
	return 0;
}

static int route_2pc(hconn *h, hreq *rq, const char *db, const char *table)
{
	httpd_conf *c = h->c;
	char user[128], msg[1024], m2[512], *path = NULL, **argv = NULL, **hv = NULL;
	char *const *argvs[1];
	sl_txninfo ti = SL_TXNINFO_ZERO;
	int mismatch = 0;
	sl_hdrs sh = SL_HDRS_ZERO;
	sl_pipeline pl = SL_PIPELINE_ZERO;
	sl_buf out = SL_BUF_ZERO;
	int r, st, p[2] = { -1, -1 }, nullfd = -1, ret;
	size_t i, k = 0;

	/* LOAD_PRIV is checked on the transaction's own table, as Doris's FE
	 * does (a grant on another table of db is not enough) */
	r = txn_of_2pc(h, rq, db, &ti);
	if (r > 0 && table && strcmp(table, ti.table)) {
		snprintf(m2, sizeof m2, TSTATUS "transaction [%" PRId64 "] is not a load into table %s", ti.id, table);
		mismatch = 1;
	}
	r = authenticate(h, rq, db, r > 0 ? ti.table : table, c->nredirect ? 0 : SL_PRIV_LOAD, user, sizeof user,
		msg, sizeof msg, &st);
	sl_txninfo_free(&ti);
	if (r > 0 && mismatch && !c->nredirect) {
		auth_log(h, rq, user, 0, "the transaction is of another table than the URL's");
		return answer_2pc(h, rq, "ANALYSIS_ERROR", m2, 403);
	}
	if (r <= 0) {
		/* {"status": "<CODE>", "msg": "<text>"} as Status::to_json */
		const char *rb = strchr(msg, ']');
		char code[64] = "INTERNAL_ERROR";
		if (msg[0] == '[' && rb && (size_t)(rb - msg - 1) < sizeof code) {
			memcpy(code, msg + 1, (size_t)(rb - msg - 1));
			code[rb - msg - 1] = 0;
		}
		return answer_2pc(h, rq, code, rb ? rb + 1 : msg, st);
	}
	if (c->nredirect)
		return redirect(h, rq);
	if (!rq->body_done && (rq->expect100 || !httpd_body_drain(h, rq, DRAIN_MAX)))
		rq->keep_alive = 0;

	/* sl-commit --data-dir D -H ... DB: the 2PC endpoint */
	if (stage_headers(rq, &sh) < 0 || !(path = sl_load_stage_path(NULL, "sl-commit")) ||
	    !(argv = calloc(2 * sh.n + 8, sizeof *argv)) || !(hv = calloc(sh.n + 1, sizeof *hv)))
		goto oom;
	argv[k++] = path;
	argv[k++] = "--data-dir";
	argv[k++] = (char *)c->data_dir;
	for (i = 0; i < sh.n; i++) {
		if (asprintf(&hv[i], "%s:%s", sh.name[i], sh.value[i]) < 0) {
			hv[i] = NULL;
			goto oom;
		}
		argv[k++] = "-H";
		argv[k++] = hv[i];
	}
	argv[k++] = (char *)db;
	argv[k] = NULL;
	argvs[0] = argv;
	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 || pipe2(p, O_CLOEXEC) < 0)
		goto oom;
	if (sl_spawn_pipeline(&pl, 1, argvs, nullfd, p[1], -1, NULL) < 0) {
		httpd_log(h, 1, "unable to run %s: %s", path, strerror(errno));
		ret = answer_2pc(h, rq, "INTERNAL_ERROR", "unable to run sl-commit", 500);
		goto done;
	}
	close(p[1]);
	p[1] = -1;
	sl_pipeline_wait(&pl, p[0], &out, 1 << 16);
	if (!out.len || out.p[0] != '{') {
		ret = answer_2pc(h, rq, "INTERNAL_ERROR", "sl-commit gave no answer", 500);
		goto done;
	}
	{
		/* the status decides the HTTP code (http_status_codes) */
		jv v = jv_parse_sized(out.p, (int)out.len), s = jv_invalid(), m = jv_invalid();
		const char *ss = "", *ms = "";
		int http = 500;
		if (jv_get_kind(v) == JV_KIND_OBJECT) {
			s = jv_object_get(jv_copy(v), jv_string("status"));
			m = jv_object_get(jv_copy(v), jv_string("msg"));
			if (jv_get_kind(s) == JV_KIND_STRING)
				ss = jv_string_value(s);
			if (jv_get_kind(m) == JV_KIND_STRING)
				ms = jv_string_value(m);
			http = !strcmp(ss, "Success") ? 200 : strstr(ms, "not found") || strstr(ms, "unknown database") ? 404 : 400;
		}
		rq->outcome = !strcmp(ss, "Success") ? "Success" : "Fail";
		jv_free(s);
		jv_free(m);
		jv_free(v);
		ret = httpd_respond(h, rq, want_codes(rq) ? http : 200, CT_JSON, NULL, out.p, out.len) < 0 ? -1 : 0;
	}
	goto done;
oom:
	ret = answer_2pc(h, rq, "INTERNAL_ERROR", strerror(errno), 500);
done:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	if (nullfd >= 0)
		close(nullfd);
	sl_pipeline_free(&pl);
	if (hv)
		for (i = 0; i < sh.n; i++)
			free(hv[i]);
	free(hv);
	free(argv);
	free(path);
	sl_hdrs_free(&sh);
	sl_buf_free(&out);
	return ret;
}

/* ---- error logs ---- */

/* error_log_requires_auth: the user (Basic auth) needs LOAD or SELECT on
 * the table the log is of, which its name says (sl-txn writes
 * error_log_<db>.<table>.<label>_<id>_<random>); a name that says no table
 * is root's only. 200 allowed, else the HTTP status to answer. */
static int error_log_auth(hconn *h, hreq *rq, const char *file)
{
	char user[128], msg[1024], db[65], table[65];
	const char *p = file, *d1, *d2;
	int st = 401, r;

	r = authenticate(h, rq, NULL, NULL, 0, user, sizeof user, msg, sizeof msg, &st);
	if (r <= 0)
		return r < 0 ? 500 : 401;
	if (!strcmp(user, "root"))
		return 200;
	if (strncmp(file, "error_log_", 10) || !(d1 = strchr(p = file + 10, '.')) || !(d2 = strchr(d1 + 1, '.')) ||
	    (size_t)(d1 - p) >= sizeof db || (size_t)(d2 - d1 - 1) >= sizeof table) {
		auth_log(h, rq, user, 0, "the error log names no table");
		return 403;
	}
	memcpy(db, p, (size_t)(d1 - p));
	db[d1 - p] = 0;
	memcpy(table, d1 + 1, (size_t)(d2 - d1 - 1));
	table[d2 - d1 - 1] = 0;
	if (!name_ok(db) || !name_ok(table)) {
		auth_log(h, rq, user, 0, "the error log names no table");
		return 403;
	}
	if (sl_auth_has_priv(&h->c->st, user, db, table, SL_PRIV_LOAD) == 1 ||
	    sl_auth_has_priv(&h->c->st, user, db, table, SL_PRIV_SELECT) == 1)
		return 200;
	auth_log(h, rq, user, 0, "no LOAD or SELECT privilege on the table of the error log");
	return 403;
}

static int route_error_log(hconn *h, hreq *rq)
{
	static const char nofile[] = "parameter file not specified in url.";
	char *file = NULL, *path = NULL;
	const char *p;
	struct stat sb;
	int fd, r;

	if (!httpd_body_drain(h, rq, DRAIN_MAX))
		rq->keep_alive = 0;
	r = httpd_query_param(rq->query, "file", &file);
	if (r < 0)
		return httpd_respond(h, rq, 400, CT_TEXT, NULL, "Bad Request", 11) < 0 ? -1 : 0;
	if (r == 0 || !*file) {
		free(file);
		return httpd_respond(h, rq, 200, CT_TEXT, NULL, nofile, sizeof nofile - 1) < 0 ? -1 : 0;
	}
	/* a plain file name in _error_log/: nothing else, ever */
	for (p = file; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == ':' || *p == '.'))
			break;
	if (*p || file[0] == '.') {
		httpd_log(h, 1, "error log outside the error log directory refused: %s", file);
		free(file);
		return httpd_respond(h, rq, 401, CT_TEXT, NULL, "Unauthorized", 12) < 0 ? -1 : 0;
	}
	if (h->c->error_log_requires_auth && (r = error_log_auth(h, rq, file)) != 200) {
		free(file);
		return httpd_respond(h, rq, r, CT_TEXT, r == 401 ? "WWW-Authenticate: Basic realm=\"Restricted\"\r\n" : NULL,
			httpd_reason(r), strlen(httpd_reason(r))) < 0 ? -1 : 0;
	}
	if (asprintf(&path, "%s/_error_log/%s", h->c->st.dir, file) < 0)
		path = NULL;
	free(file);
	fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) : -1;
	free(path);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		return httpd_respond(h, rq, 404, CT_TEXT, NULL, "Not Found", 9) < 0 ? -1 : 0;
	}
	httpd_arm(1, 600);
	r = httpd_respond_head(h, rq, 200, CT_TEXT, NULL, (size_t)sb.st_size);
	if (r > 0 && strcmp(rq->method, "HEAD")) {
		char buf[65536];
		off_t left = sb.st_size;
		while (left > 0 && r > 0) {
			ssize_t k = read(fd, buf, left < (off_t)sizeof buf ? (size_t)left : sizeof buf);
			if (k <= 0) {
				/* the file shrank: the promised length cannot be kept */
				rq->keep_alive = 0;
				r = -1;
				break;
			}
			r = httpd_write(h, buf, (size_t)k);
			left -= k;
		}
	}
	httpd_disarm();
	close(fd);
	rq->outcome = NULL;
	return r < 0 ? -1 : 0;
}

/* ---- health ---- */

static int route_health(hconn *h, hreq *rq)
{
	static const char ok[] = HTTPD_HEALTH_JSON;

	if (!httpd_body_drain(h, rq, DRAIN_MAX))
		rq->keep_alive = 0;
	return httpd_respond(h, rq, 200, CT_JSON, NULL, ok, sizeof ok - 1) < 0 ? -1 : 0;
}

/* ---- query API ---- */

typedef struct qsink {
	sl_buf *b;
	int began;
	size_t rows;
} qsink;

static int q_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	qsink *q = ctx;
	size_t i;

	q->began = 1;
	if (sl_buf_puts(q->b, "{\"type\":\"result_set\",\"meta\":[") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char t[64], *paren;
		sl_type_format_upper(&types[i], t, sizeof t);
		if ((paren = strchr(t, '(')))
			*paren = 0;
		if ((i && sl_buf_putc(q->b, ',') < 0) || sl_buf_puts(q->b, "{\"name\":") < 0 ||
		    json_cstr(q->b, names[i]) < 0 || sl_buf_puts(q->b, ",\"type\":") < 0 ||
		    json_cstr(q->b, t) < 0 || sl_buf_putc(q->b, '}') < 0)
			return -1;
	}
	return sl_buf_puts(q->b, "],\"data\":[");
}

static int q_row(void *ctx, size_t n, const sl_value *v)
{
	qsink *q = ctx;
	sl_buf t = SL_BUF_ZERO;
	size_t i;
	int r = 1;

	if ((q->rows++ && sl_buf_putc(q->b, ',') < 0) || sl_buf_putc(q->b, '[') < 0)
		return -1;
	for (i = 0; i < n && r > 0; i++) {
		if (i && sl_buf_putc(q->b, ',') < 0)
			return -1;
		t.len = 0;
		switch (v[i].kind) {
		case SL_V_NULL:
			r = sl_buf_puts(q->b, "null");
			break;
		case SL_V_INT:
			r = sl_buf_printf(q->b, "%" PRId64, v[i].u.i);
			break;
		case SL_V_LARGE:
		case SL_V_DECIMAL:
			r = sl_value_format(&v[i], &t) < 0 ? -1 : sl_buf_put(q->b, t.p, t.len);
			break;
		case SL_V_DOUBLE:
			if (sl_value_format(&v[i], &t) < 0)
				r = -1;
			else if (isfinite(v[i].u.d))
				r = sl_buf_put(q->b, t.p, t.len);
			else
				r = json_str(q->b, t.p, t.len);
			break;
		default:
			r = sl_value_format(&v[i], &t) < 0 ? -1 : json_str(q->b, t.p, t.len);
		}
	}
	sl_buf_free(&t);
	if (r < 0)
		return -1;
	return sl_buf_putc(q->b, ']');
}

static int q_end(void *ctx)
{
	qsink *q = ctx;
	return sl_buf_puts(q->b, "]}");
}

static int query_error(hconn *h, hreq *rq, const char *msg, int http)
{
	sl_buf b = SL_BUF_ZERO;
	int r;

	if (sl_buf_puts(&b, "{\"msg\":") < 0 || json_cstr(&b, msg) < 0 ||
	    sl_buf_puts(&b, ",\"code\":1,\"data\":null,\"count\":0}") < 0) {
		sl_buf_free(&b);
		return -1;
	}
	rq->outcome = "Fail";
	r = httpd_respond(h, rq, want_codes(rq) ? http : 200, CT_JSON, NULL, b.p, b.len);
	sl_buf_free(&b);
	return r < 0 ? -1 : 0;
}

/* The HTTP status of a failed statement: a privilege denial by the
 * engine is 403, as the route's other denials. */
static int query_status(const sl_sql *q, int r, int other)
{
	return r < 0 ? 500 : SL_SQL_DENIED(q->code) ? 403 : other;
}

/* The route only authenticates: the engine checks every statement's
 * privileges for the user (sql.h), whatever the URL's database. */
static int route_query(hconn *h, hreq *rq, const char *db)
{
	sl_buf body = SL_BUF_ZERO, res = SL_BUF_ZERO;
	char user[128], msg[1024];
	jv v = jv_invalid(), s = jv_invalid();
	sl_sql q;
	qsink qs;
	sl_sql_sink sink;
	int r, st, ret, qinit = 0;
	size_t off = 0, start, len;
	const char *stmt;

	r = authenticate(h, rq, db, NULL, 0, user, sizeof user, msg, sizeof msg, &st);
	if (r <= 0) {
		if (!rq->body_done && (rq->expect100 || !httpd_body_drain(h, rq, DRAIN_MAX)))
			rq->keep_alive = 0;
		return query_error(h, rq, msg, st);
	}
	if (rq->has_cl && rq->has_te) {
		rq->keep_alive = 0;
		return query_error(h, rq, "please do not set both content_length and transfer-encoding", 400);
	}
	if (!httpd_body_slurp(h, rq, &body, QUERY_BODY_MAX)) {
		rq->keep_alive = 0;
		ret = query_error(h, rq, rq->body_error ? "receive body don't equal with body bytes"
			: "the request body is too large", rq->body_error ? 400 : 413);
		goto done;
	}
	v = body.len ? jv_parse_sized(body.p, (int)body.len) : jv_invalid();
	if (jv_get_kind(v) != JV_KIND_OBJECT ||
	    jv_get_kind(s = jv_object_get(jv_copy(v), jv_string("stmt"))) != JV_KIND_STRING ||
	    !*(stmt = jv_string_value(s))) {
		ret = query_error(h, rq, "the request body must be a JSON object with a non-empty \"stmt\"", 400);
		goto done;
	}
	sl_sql_init(&q, &h->c->st);
	qinit = 1;
	if (sl_sql_set_user(&q, user) < 0) {
		ret = query_error(h, rq, "Access denied; you need (at least one of) the (SELECT) "
			"privilege(s) for this operation", 403);
		goto done;
	}
	memset(&qs, 0, sizeof qs);
	qs.b = &res;
	sink.ctx = &qs;
	sink.begin = q_begin;
	sink.row = q_row;
	sink.end = q_end;
	{
		sl_buf u = SL_BUF_ZERO;
		if (sl_buf_printf(&u, "USE `%s`", db) < 0) {
			ret = query_error(h, rq, "out of memory", 500);
			goto done;
		}
		r = sl_sql_exec(&q, u.p, u.len, &sink);
		sl_buf_free(&u);
		if (r <= 0) {
			if (SL_SQL_DENIED(q.code))
				auth_log(h, rq, user, 0, "statement refused: no privilege");
			ret = query_error(h, rq, q.err, query_status(&q, r, 404));
			goto done;
		}
	}
	r = sl_sql_next(&q, stmt, strlen(stmt), &off, &start, &len);
	if (r == 0) {
		ret = query_error(h, rq, "the statement is empty", 400);
		goto done;
	}
	res.len = 0;
	qs.began = 0;
	r = r < 0 ? 0 : sl_sql_exec(&q, stmt + start, len, &sink);
	if (r <= 0) {
		if (SL_SQL_DENIED(q.code))
			auth_log(h, rq, user, 0, "statement refused: no privilege");
		ret = query_error(h, rq, q.err, query_status(&q, r, 400));
		goto done;
	}
	{
		sl_buf b = SL_BUF_ZERO;
		if (sl_buf_puts(&b, "{\"msg\":\"success\",\"code\":0,\"data\":") < 0 ||
		    (qs.began ? sl_buf_put(&b, res.p, res.len) : sl_buf_puts(&b, "{\"type\":\"exec_status\",\"status\":{}}")) < 0 ||
		    sl_buf_puts(&b, ",\"count\":0}") < 0) {
			sl_buf_free(&b);
			ret = query_error(h, rq, "out of memory", 500);
			goto done;
		}
		rq->outcome = "Success";
		ret = httpd_respond(h, rq, 200, CT_JSON, NULL, b.p, b.len) < 0 ? -1 : 0;
		sl_buf_free(&b);
	}
done:
	if (qinit)
		sl_sql_free(&q);
	jv_free(s);
	jv_free(v);
	sl_buf_free(&body);
	sl_buf_free(&res);
	return ret;
}

/* ---- the stream load record ---- */

static int fmt_time(sl_buf *b, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[64];

	if (!ms || !localtime_r(&t, &tm))
		return json_cstr(b, "");
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
	return sl_buf_printf(b, "\"%s.%03d\"", s, (int)(ms % 1000));
}

static int route_record(hconn *h, hreq *rq, const char *db)
{
	char user[128], msg[1024], *lim = NULL;
	sl_load_record *recs = NULL;
	size_t n = 0, i, limit = 0;
	sl_buf b = SL_BUF_ZERO;
	int r, st, ret;

	if (!httpd_body_drain(h, rq, DRAIN_MAX))
		rq->keep_alive = 0;
	r = authenticate(h, rq, db, NULL, 0, user, sizeof user, msg, sizeof msg, &st);
	if (r <= 0)
		return query_error(h, rq, msg, st);
	if (strcmp(user, "root") && sl_auth_has_priv(&h->c->st, user, db, NULL, SL_PRIV_LOAD) != 1 &&
	    sl_auth_has_priv(&h->c->st, user, db, NULL, SL_PRIV_SELECT) != 1) {
		auth_log(h, rq, user, 0, "no LOAD or SELECT privilege");
		return query_error(h, rq, "Access denied; you need (at least one of) the (LOAD, SELECT) "
			"privilege(s) for this operation", 403);
	}
	if (httpd_query_param(rq->query, "limit", &lim) > 0)
		limit = (size_t)strtoul(lim, NULL, 10);
	free(lim);
	r = name_ok(db) ? sl_record_list(&h->c->st, db, &recs, &n, limit) : 0;
	if (r < 0)
		return query_error(h, rq, strerror(errno), 500);
	if (r == 0) {
		snprintf(msg, sizeof msg, "unknown database, database=%s", db);
		return query_error(h, rq, msg, 404);
	}
	/* a grant on one table of db lets the user in, and shows the loads
	 * of the tables the user holds LOAD or SELECT on, no others */
	if (strcmp(user, "root")) {
		sl_auth_entry *e = NULL;
		size_t ne = 0, k = 0;
		if (sl_auth_list(&h->c->st, user, &e, &ne) < 0) {
			free(recs);
			return query_error(h, rq, strerror(errno), 500);
		}
		for (i = 0; i < n; i++)
			if (sl_auth_privs_of(e, ne, db, recs[i].table) & (SL_PRIV_LOAD | SL_PRIV_SELECT))
				recs[k++] = recs[i];
		n = k;
		free(e);
	}
	ret = sl_buf_puts(&b, "[");
	for (i = 0; i < n && ret > 0; i++) {
		sl_load_record *x = &recs[i];
		ret = sl_buf_puts(&b, i ? ",\n{" : "\n{") > 0 &&
			sl_buf_puts(&b, "\"Label\": ") > 0 && json_cstr(&b, x->label) > 0 &&
			sl_buf_puts(&b, ", \"Db\": ") > 0 && json_cstr(&b, x->db) > 0 &&
			sl_buf_puts(&b, ", \"Table\": ") > 0 && json_cstr(&b, x->table) > 0 &&
			sl_buf_puts(&b, ", \"ClientIp\": ") > 0 && json_cstr(&b, x->client_ip) > 0 &&
			sl_buf_puts(&b, ", \"Status\": ") > 0 && json_cstr(&b, x->status) > 0 &&
			sl_buf_puts(&b, ", \"Message\": ") > 0 && json_cstr(&b, x->message) > 0 &&
			sl_buf_puts(&b, ", \"Url\": ") > 0 && json_cstr(&b, x->url[0] ? x->url : "N/A") > 0 &&
			sl_buf_printf(&b, ", \"TotalRows\": %" PRId64 ", \"LoadedRows\": %" PRId64
				", \"FilteredRows\": %" PRId64 ", \"UnselectedRows\": %" PRId64 ", \"LoadBytes\": %" PRId64,
				x->total, x->loaded, x->filtered, x->unselected, x->load_bytes) > 0 &&
			sl_buf_puts(&b, ", \"StartTime\": ") > 0 && fmt_time(&b, x->start_ms) > 0 &&
			sl_buf_puts(&b, ", \"FinishTime\": ") > 0 && fmt_time(&b, x->finish_ms) > 0 &&
			sl_buf_puts(&b, ", \"User\": ") > 0 && json_cstr(&b, x->user) > 0 &&
			sl_buf_puts(&b, ", \"Comment\": ") > 0 && json_cstr(&b, x->comment) > 0 &&
			sl_buf_putc(&b, '}') > 0 ? 1 : -1;
	}
	free(recs);
	if (ret < 0 || sl_buf_puts(&b, n ? "\n]\n" : "]\n") < 0) {
		sl_buf_free(&b);
		return query_error(h, rq, "out of memory", 500);
	}
	rq->outcome = "Success";
	ret = httpd_respond(h, rq, 200, CT_JSON, NULL, b.p, b.len) < 0 ? -1 : 0;
	sl_buf_free(&b);
	return ret;
}

/* ---- dispatch ---- */

int httpd_route(hconn *h, hreq *rq)
{
	char **s = rq->seg;
	size_t n = rq->nseg;
	int put = is_method(rq, "PUT", "POST"), get = is_method(rq, "GET", "HEAD");

	if (n < 2 || strcmp(s[0], "api"))
		return not_found(h, rq);
	if (n == 2 && !strcmp(s[1], "health") && get)
		return route_health(h, rq);
	if (n == 2 && !strcmp(s[1], "_load_error_log") && get)
		return route_error_log(h, rq);
	if (n == 4 && (!strcmp(s[3], "_stream_load") || !strcmp(s[3], "_load")) && put)
		return route_load(h, rq, s[1], s[2]);
	if (n == 2 && !strcmp(s[1], "_http_stream") && put)
		return route_http_stream(h, rq);
	if (n == 3 && !strcmp(s[2], "_stream_load_2pc") && put)
		return route_2pc(h, rq, s[1], NULL);
	if (n == 4 && !strcmp(s[3], "_stream_load_2pc") && put)
		return route_2pc(h, rq, s[1], s[2]);
	if (n == 4 && !strcmp(s[1], "query") && is_method(rq, "POST", NULL))
		return route_query(h, rq, s[3]);
	if (n == 3 && !strcmp(s[2], "_stream_load_record") && is_method(rq, "GET", NULL))
		return route_record(h, rq, s[1]);
	return not_found(h, rq);
}
