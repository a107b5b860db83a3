/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_load.c -- the load routes of sl-httpd (route_load.h):
 *   PUT|POST /api/{db}/{table}/_stream_load (and _load)   a load (load.h)
 *   PUT|POST /api/_http_stream  (header sql: INSERT ...)   a load (httpstream.h)
 * Each runs the five-stage pipeline with the request's body fed to it,
 * under the load's `timeout` and the minimum body rate, and answers Doris's
 * stream-load JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "sl.h"
#include "status.h"
#include "store.h"
#include "auth.h"
#include "load.h"
#include "spawn.h"
#include "loadopt.h"
#include "schema.h"
#include "httpstream.h"
#include "colfile.h"
#include "input.h"
#include "hdr.h"
#include "bodyrate.h"
#include "httpauth.h"
#include "reply.h"
#include "route_load.h"

#define MSG_NO_DB SL_E_NOT_FOUND SL_TSTATUS_NOT_FOUND "unknown database, database=%s"
#define MSG_NO_TABLE SL_E_NOT_FOUND SL_TSTATUS_NOT_FOUND "table not found, tableName=%s"

/* The E-217 answer for a body of n bytes over limit. */
static void msg_too_large(char *msg, size_t cap, int64_t n, int64_t limit)
{
	snprintf(msg, cap, SL_E_JSON_TOO_LARGE "body size %" PRId64 " exceed BE's conf `streaming_load_max_mb` %" PRId64
		". increase it if you are sure this load is reasonable", n, limit);
}

/* A load's body: exactly one of Content-Length and chunked, and a
 * Content-Length within limit. 1 ok, 0 with msg the answer. */
static int body_framing_ok(const hreq *rq, int64_t limit, char *msg, size_t cap)
{
	if (rq->has_cl && rq->has_te) {
		snprintf(msg, cap, SL_E_INVALID_ARGUMENT "please do not set both content_length and transfer-encoding");
		return 0;
	}
	if (!rq->has_cl && !rq->chunked) {
		snprintf(msg, cap, SL_E_INVALID_ARGUMENT "content_length is empty and transfer-encoding!=chunked, "
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

/* Write p[0..n) into the pipeline (blocking: back-pressure). 1 written;
 * 0 the pipeline stopped reading (EPIPE: f->pipe_closed, the pipeline
 * answers); -1 the load's timeout fired. */
static int pipe_put(feedctx *f, int wfd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(wfd, p, n);
		if (w < 0) {
			if (errno == EINTR && !httpd_alarm_fired)
				continue;
			if (errno == EINTR)
				return -1;
			f->pipe_closed = 1;
			return 0;
		}
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

/* Move the body into the pipeline, with back-pressure (blocking writes):
 * by splice(2) from the connection when it can (a Content-Length body once
 * its buffered part is written), else copied through a buffer. */
static const char *feed(void *ctx, int wfd)
{
	feedctx *f = ctx;
	char buf[65536];
	ssize_t k;
	int r;

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
		if (f->rq->body_read > f->limit)
			return too_large(f);
		if ((r = pipe_put(f, wfd, buf, (size_t)k)) <= 0)
			return r < 0 ? httpd_timeout_msg : NULL;
	}
	if (k < 0) {
		if (httpd_alarm_fired && httpd_alarm_phase == 2)
			return httpd_timeout_msg;
		if (f->h->broken && errno == ETIMEDOUT) {
			snprintf(f->msg, sizeof f->msg, SL_E_NETWORK_ERROR "receive body timed out: no data for %d ms",
				f->h->c->read_timeout_ms);
			return f->msg;
		}
		return f->rq->body_errmsg ? f->rq->body_errmsg : SL_E_NETWORK_ERROR SL_MSG_SHORT_BODY;
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
int httpd_stage_headers(const hreq *rq, sl_hdrs *out)
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
		snprintf(msg, cap, SL_E_INTERNAL_ERROR "out of memory");
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

#define TIMEOUT_MAX 259200   /* Config.max_stream_load_timeout_second */

/* Only spaces, a sign and digits: the whole value is the number. */
static int whole_number(const char *v)
{
	v += strspn(v, " \t\n\v\f\r");
	v += *v == '+' || *v == '-';
	return v[strspn(v, "0123456789")] == 0;
}

/* The load's `timeout` (loadopt.h) for the watchdog: a valid one within
 * the maximum, else dflt (sl-txn reports a bad one). A value with bytes
 * after its number, which stoi reads, keeps dflt too. */
static int64_t load_timeout(const hreq *rq, int64_t dflt)
{
	sl_loadopts lo;
	char msg[512];
	const sl_loadopt_val *t = &lo.v[SL_LO_TIMEOUT];
	int64_t secs = dflt;

	if (sl_loadopt_parse(&lo, &rq->hdrs, SL_LO_LOAD, msg, sizeof msg) >= 0 &&
	    t->state > 0 && t->i <= TIMEOUT_MAX && whole_number(t->text))
		secs = t->i;
	sl_loadopt_free(&lo);
	return secs;
}

/* Run a load under its `timeout` (its body handed to sl-parse when
 * may_handoff and body_handoff allow) and answer it: 1, *ret the answer's
 * result; 0 it could not run: msg says why, for fail_answer. */
static int run_load(hconn *h, hreq *rq, sl_load_req *lr, sl_load_out *out, int64_t secs,
	int may_handoff, char *msg, size_t cap, int *ret)
{
	handoff hd = { -1, 0 };
	httpd_rate rw;
	int r, flight;

	snprintf(httpd_timeout_msg, sizeof httpd_timeout_msg,
		SL_E_TIMEOUT "the load exceeded its timeout of %" PRId64 " seconds and was cancelled", secs);
	if (may_handoff && body_handoff(h, rq, &hd)) {
		lr->infd = hd.fd;
		lr->feed = NULL;
		httpd_log(h, 2, "the body (%" PRId64 " bytes) goes to sl-parse directly", rq->cl);
	}
	httpd_rate_start(&rw, h, rq);
	flight = sl_metrics_load_begin(h->c->metrics);
	httpd_arm(2, (unsigned)secs);
	r = sl_load_run(lr, out);
	httpd_disarm();
	sl_metrics_load_end(h->c->metrics, flight);
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
		snprintf(msg, cap, SL_E_INTERNAL_ERROR "unable to run the load: %s", strerror(e));
		return 0;
	}
	/* the stages ran in this process: it serves on, unless a signal
	 * stopped one of them (then it ends with this request) */
	if (out->here && sl_spawn_here_ready() && !out->cancelled) {
		httpd_log(h, 2, "the stages ran in this process");
		httpd_keep_warm(h);
	} else if (out->here) {
		httpd_log(h, 2, "the stages ran in this process and were stopped: the connection closes after the answer");
		rq->keep_alive = 0;
	}
	if (out->cancelled)
		rq->keep_alive = 0;
	httpd_note_load(h, lr, out);
	*ret = httpd_reply_load(h, rq, out);
	return 1;
}

/* The request of a load over this connection: db.table, the stage
 * headers lh, the client, warnings to the log. */
static void load_req_init(hconn *h, sl_load_req *lr, sl_hdrs *lh, const char *db, const char *table)
{
	memset(lr, 0, sizeof *lr);
	lr->data_dir = h->c->data_dir;
	lr->st = &h->c->st;
	lr->db = db;
	lr->table = table;
	lr->hdrs = lh;
	lr->infd = -1;
	lr->errfd = -1;
	lr->client_ip = h->ip;
	lr->warn = warn_cb;
	lr->warn_ctx = h;
}

/* Names the store accepts: 1, or 0 with msg Doris's NOT_FOUND. */
static int names_ok(const char *db, const char *table, char *msg, size_t cap)
{
	if (sl_name_valid(db) != 1) {
		snprintf(msg, cap, MSG_NO_DB, db);
		return 0;
	}
	if (sl_name_valid(table) != 1) {
		snprintf(msg, cap, MSG_NO_TABLE, table);
		return 0;
	}
	return 1;
}

/* The body limit (streaming_load_max_mb) and the load's timeout: 1, or 0
 * with msg when the body's framing or size refuses the load. */
static int load_limits(hconn *h, hreq *rq, sl_hdrs *lh, int64_t *limit, int64_t *secs, char *msg, size_t cap)
{
	*limit = h->c->streaming_load_max_mb * 1024 * 1024;
	if (!body_framing_ok(rq, *limit, msg, cap) || !pass_body_size(rq, lh, msg, cap))
		return 0;
	*secs = load_timeout(rq, h->c->stream_load_default_timeout_second);
	return 1;
}

/* The stages' environment: SL_ERROR_URL_PREFIX, the URL of this server's
 * error log route, in env[0] (malloc'd). 1, 0 ENOMEM. */
static int error_url_env(hconn *h, hreq *rq, char **env)
{
	char host[300];

	our_host(h, rq, host, sizeof host);
	if (asprintf(&env[0], "SL_ERROR_URL_PREFIX=http://%s/api/_load_error_log?file=", host) < 0) {
		env[0] = NULL;
		return 0;
	}
	return 1;
}

static void feed_init(feedctx *f, hconn *h, hreq *rq, int64_t limit)
{
	memset(f, 0, sizeof *f);
	f->h = h;
	f->rq = rq;
	f->limit = limit;
}

int httpd_route_load(hconn *h, hreq *rq, const char *db, const char *table)
{
	httpd_conf *c = h->c;
	sl_hdrs lh = SL_HDRS_ZERO;
	sl_load_req lr;
	sl_load_out out;
	feedctx fc;
	char user[128], msg[1024], *envv[2] = { NULL, NULL };
	int64_t limit, secs;
	int r, st = 200, ret;

	sl_load_out_init(&out);
	load_req_init(h, &lr, &lh, db, table);
	if (httpd_stage_headers(rq, &lh) < 0 || !sl_load_label(&lr)) {
		rq->keep_alive = 0;
		httpd_reply_text(h, rq, 500, NULL);
		sl_hdrs_free(&lh);
		return -1;
	}

	r = httpd_auth(h, rq, db, table, c->nredirect ? 0 : SL_PRIV_LOAD, user, sizeof user, msg, sizeof msg, &st);
	lr.user = user;
	if (r <= 0) {
		lr.no_record = 1;
		goto fail;
	}
	if (c->nredirect) {
		sl_hdrs_free(&lh);
		sl_load_out_free(&out);
		return httpd_reply_redirect(h, rq);
	}
	if (!names_ok(db, table, msg, sizeof msg) || !load_limits(h, rq, &lh, &limit, &secs, msg, sizeof msg))
		goto fail;
	if (!error_url_env(h, rq, envv)) {
		snprintf(msg, sizeof msg, SL_E_INTERNAL_ERROR "out of memory");
		goto fail;
	}
	lr.env = envv;
	lr.here = 1;    /* a connection's process: a small group commit load may run in it */
	feed_init(&fc, h, rq, limit);
	lr.feed = feed;
	lr.feed_ctx = &fc;
	if (httpd_continue(h, rq) < 0)
		rq->keep_alive = 0;
	if (run_load(h, rq, &lr, &out, secs, 1, msg, sizeof msg, &ret))
		goto done;
fail:
	ret = httpd_reply_load_fail(h, rq, &lr, msg, &out, st);
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
	int spool;              /* the whole body in a temporary file, -1 none */
} hsfeed;

static const char *hs_feed(void *ctx, int wfd)
{
	hsfeed *f = ctx;
	int r = pipe_put(&f->fc, wfd, f->pre.p, f->pre.len);

	if (r <= 0)
		return r < 0 ? httpd_timeout_msg : NULL;
	if (f->fc.rq->body_done)
		return NULL;
	return feed(&f->fc, wfd);
}

/* The next piece of the body into buf[0..n), within limit: > 0 its length;
 * 0 the end (rq->body_done is set); -1 a broken or too large body, msg
 * says why. */
static ssize_t hs_body_next(hconn *h, hreq *rq, char *buf, size_t n, int64_t limit, char *msg, size_t cap)
{
	ssize_t k = httpd_body_read(h, rq, buf, n);

	if (k == 0) {
		rq->body_done = 1;
		return 0;
	}
	if (k < 0) {
		snprintf(msg, cap, "%s", rq->body_errmsg ? rq->body_errmsg :
			SL_E_NETWORK_ERROR SL_MSG_SHORT_BODY);
		return -1;
	}
	if (rq->body_read > limit) {
		msg_too_large(msg, cap, rq->body_read, limit);
		rq->keep_alive = 0;
		return -1;
	}
	return k;
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
		if ((k = hs_body_next(h, rq, buf, sizeof buf, limit, msg, cap)) < 0)
			return 0;
		if (k > 0 && sl_buf_put(pre, buf, (size_t)k) < 0)
			return -1;
	}
}

/* 1 when the SELECT has a `*` */
static int hs_has_star(const hs_stmt *hs)
{
	size_t i;

	for (i = 0; i < hs->nsel; i++)
		if (!strcmp(hs->sel[i], "*"))
			return 1;
	return 0;
}

/* The rest of the body copied to tfd, at most limit bytes in all. 1; 0
 * with msg (a broken or too large body, a write error). */
static int hs_spool_body(hconn *h, hreq *rq, int tfd, int64_t limit, char *msg, size_t cap)
{
	char buf[65536];
	ssize_t k;

	while (!rq->body_done) {
		if ((k = hs_body_next(h, rq, buf, sizeof buf, limit, msg, cap)) < 0)
			return 0;
		if (k > 0 && sl_allwrite(tfd, buf, (size_t)k) < (size_t)k) {
			snprintf(msg, cap, SL_E_INTERNAL_ERROR "unable to write the spooled body: %s", strerror(errno));
			return 0;
		}
	}
	return 1;
}

/* The top-level column names of the columnar file in tfd as its reader
 * gives them (through compress_type when set: parquet and orc, whose
 * footer comes last, are then decompressed to a second temporary file
 * under dir, at most max bytes). tfd is left at its start. 1; 0 with msg
 * (sl-parse's answer to a file it cannot read); -1 ENOMEM. */
static int hs_file_names(const hs_stmt *hs, int tfd, const char *dir, uint64_t max,
	char ***names, size_t *nnames, char *msg, size_t cap)
{
	const char *ct = hs_prop(hs, "compress_type"), *ierr = NULL;
	int seekable = sl_colfile_seekable(hs->format), ret = 0, e = 0;
	sl_colopts o = { "+08:00", (uint64_t)1 << 30 };
	sl_colsrc src = { -1, 0, NULL };
	sl_colreader *r = NULL;
	sl_input *in = NULL;
	struct stat sb;
	char err[512];
	size_t i;

	*names = NULL;
	*nnames = 0;
	if (ct && !*ct)
		ct = NULL;
	if (fstat(tfd, &sb) < 0 || lseek(tfd, 0, SEEK_SET) < 0) {
		snprintf(err, sizeof err, "unable to read the spooled body: %s", strerror(errno));
		goto out;
	}
	if ((ct || !seekable) && !(in = sl_input_open(tfd, ct, &ierr))) {
		if (errno == ENOMEM)
			return -1;
		snprintf(err, sizeof err, "%s", ierr ? ierr : strerror(errno));
		goto out;
	}
	if (seekable && in) {
		if (sl_colfile_spool(-1, in, dir, max, &src, err, sizeof err) < 0)
			goto out;
	} else if (seekable) {
		src.fd = tfd;
		src.size = (uint64_t)sb.st_size;
	} else {
		src.in = in;
	}
	if (!(r = sl_colfile_open(hs->format, &src, &o, err, sizeof err))) {
		e = errno;
		goto out;
	}
	if (!(*names = calloc(r->ncols + 1, sizeof **names)))
		ret = -1;
	for (i = 0; ret == 0 && i < r->ncols; i++, ++*nnames)
		if (!((*names)[i] = strdup(r->cols[i].name)))
			ret = -1;
	if (ret == 0)
		ret = 1;
out:
	if (ret == 0 && e == ENOTSUP)
		snprintf(msg, cap, SL_E_NOT_IMPLEMENTED_ERROR "%s", err);
	else if (ret == 0)
		snprintf(msg, cap, SL_E_INTERNAL_ERROR "failed to read the %s file: %s", hs->format, err);
	if (ret < 0) {
		hs_names_free(*names, *nnames);
		*names = NULL;
		*nnames = 0;
	}
	sl_colfile_free(r);
	if (src.fd >= 0 && src.fd != tfd)
		close(src.fd);
	sl_input_close(in);
	if (lseek(tfd, 0, SEEK_SET) < 0 && ret > 0) {
		snprintf(msg, cap, SL_E_INTERNAL_ERROR "unable to read the spooled body: %s", strerror(errno));
		ret = 0;
	}
	return ret;
}

/* SELECT * over a columnar body: the body spooled whole to a temporary
 * file under the data directory (within the load's limit), which then is
 * sl-parse's stdin (*spool), and the file's own column names. 1; 0 with
 * msg; -1 ENOMEM. */
static int hs_star_names(hconn *h, hreq *rq, const hs_stmt *hs, int64_t limit, int *spool,
	char ***names, size_t *nnames, char *msg, size_t cap)
{
	const char *dir = sl_data_dir(h->c->data_dir);
	int r;

	*names = NULL;
	*nnames = 0;
	if ((*spool = sl_colfile_tempfile(dir)) < 0) {
		snprintf(msg, cap, SL_E_INTERNAL_ERROR "unable to create a temporary file under %s: %s", dir,
			strerror(errno));
		return 0;
	}
	r = hs_spool_body(h, rq, *spool, limit, msg, cap);
	if (r > 0)
		r = hs_file_names(hs, *spool, dir, (uint64_t)limit, names, nnames, msg, cap);
	return r;
}

/* The target table of an http_stream load: its schema in sch (freed by
 * the caller on 1) and its column names in *tcols. 1; 0 with msg (no such
 * table); -1 ENOMEM. */
static int hs_table(hconn *h, const hs_stmt *hs, sl_schema *sch, char ***tcols, char *msg, size_t cap)
{
	size_t i;
	int r;

	if (!names_ok(hs->db, hs->table, msg, cap))
		return 0;
	r = sl_schema_load(&h->c->st, hs->db, hs->table, sch);
	if (r < 0) {
		snprintf(msg, cap, SL_E_INTERNAL_ERROR "unable to read the table: %s", strerror(errno));
		return 0;
	}
	if (r == 0) {
		if (errno == ENOTDIR)
			snprintf(msg, cap, MSG_NO_DB, hs->db);
		else
			snprintf(msg, cap, MSG_NO_TABLE, hs->table);
		return 0;
	}
	if (!(*tcols = calloc(sch->ncols + 1, sizeof **tcols))) {
		sl_schema_free(sch);
		return -1;
	}
	for (i = 0; i < sch->ncols; i++)
		(*tcols)[i] = sch->cols[i].name;
	return 1;
}

/* The stage headers of an http_stream load into lh, from the source
 * names: a csv body's first record (read ahead into hf->pre, then replayed
 * into the pipeline; decompressed by hs_peek when compress_type is set),
 * a parquet, orc or arrow body's own columns when the SELECT has a `*`
 * (the body spooled whole into hf->spool, sl-parse's stdin then), else
 * what the SELECT references. 1; 0 with msg; -1 ENOMEM. */
static int hs_plan(hconn *h, hreq *rq, const hs_stmt *hs, hsfeed *hf, int64_t limit,
	char *const *tcols, size_t ntcols, sl_hdrs *lh, char *msg, size_t cap)
{
	char **src = NULL;
	size_t nsrc = 0;
	int r;

	if (httpd_continue(h, rq) < 0)
		rq->keep_alive = 0;
	if (hs_is_csv(hs))
		r = hs_peek_body(h, rq, hs, &hf->pre, limit, &src, &nsrc, msg, cap);
	else if (sl_colfile_seekable(hs->format) >= 0 && hs_has_star(hs))
		r = hs_star_names(h, rq, hs, limit, &hf->spool, &src, &nsrc, msg, cap);
	else
		r = hs_refs(hs, &src, &nsrc, msg, cap);
	if (r > 0)
		r = hs_headers(hs, &rq->hdrs, src, nsrc, tcols, ntcols, lh, msg, cap);
	hs_names_free(src, nsrc);
	return r;
}

/* What an early Fail answer shows (hs_headers copies them again). 1, -1
 * ENOMEM. */
static int hs_early_headers(const hreq *rq, sl_hdrs *lh)
{
	static const int keep[] = { SL_LO_COMMENT, SL_LO_TWO_PHASE_COMMIT };
	size_t i;

	for (i = 0; i < SL_ARRAY_LEN(keep); i++) {
		const char *name = sl_loadopt_table[keep[i]].name, *v = sl_hdrs_get(&rq->hdrs, name);
		if (v && sl_hdrs_set(lh, name, v) < 0)
			return -1;
	}
	return 1;
}

int httpd_route_http_stream(hconn *h, hreq *rq)
{
	httpd_conf *c = h->c;
	sl_hdrs lh = SL_HDRS_ZERO;
	sl_load_req lr;
	sl_load_out out;
	hsfeed hf;
	hs_stmt hs;
	sl_schema sch;
	char user[128], msg[1024], pmsg[1024], *envv[2] = { NULL, NULL };
	char **tcols = NULL;
	int64_t limit, secs;
	int r, st = 200, ret, parsed;

	memset(&hf, 0, sizeof hf);
	hf.spool = -1;
	memset(&sch, 0, sizeof sch);
	memset(&hs, 0, sizeof hs);
	sl_load_out_init(&out);
	load_req_init(h, &lr, &lh, NULL, NULL);
	lr.no_label = 1;        /* until the pipeline runs: planning failures say Label "" */
	if (hs_early_headers(rq, &lh) < 0 || (parsed = hs_parse(sl_hdrs_get(&rq->hdrs, "sql"), &hs, pmsg, sizeof pmsg)) < 0)
		goto oom;
	lr.db = parsed ? hs.db : "";
	lr.table = parsed ? hs.table : "";
	r = httpd_auth(h, rq, parsed ? hs.db : NULL, parsed ? hs.table : NULL,
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
		return httpd_reply_redirect(h, rq);
	}
	if (!parsed) {
		lr.no_record = 1;
		snprintf(msg, sizeof msg, "%s", pmsg);
		goto fail;
	}
	r = hs_table(h, &hs, &sch, &tcols, msg, sizeof msg);
	if (r > 0 && !load_limits(h, rq, &lh, &limit, &secs, msg, sizeof msg))
		r = 0;
	if (r > 0)
		r = hs_plan(h, rq, &hs, &hf, limit, tcols, sch.ncols, &lh, msg, sizeof msg);
	if (r < 0)
		goto oom;
	if (r == 0)
		goto fail;
	lr.no_label = 0;
	if (!error_url_env(h, rq, envv))
		goto oom;
	lr.env = envv;
	feed_init(&hf.fc, h, rq, limit);
	lr.feed = hs_feed;
	lr.feed_ctx = &hf;
	if (hf.spool >= 0) {
		/* SELECT * over a columnar body: read whole already */
		lr.infd = hf.spool;
		lr.feed = NULL;
	}
	/* no handoff: hs_feed replays what the peek read */
	if (run_load(h, rq, &lr, &out, secs, 0, msg, sizeof msg, &ret))
		goto done;
	goto fail;
oom:
	snprintf(msg, sizeof msg, SL_E_INTERNAL_ERROR "out of memory");
fail:
	ret = httpd_reply_load_fail(h, rq, &lr, msg, &out, st);
done:
	free(envv[0]);
	if (tcols)
		sl_schema_free(&sch);
	free(tcols);
	hs_free(&hs);
	if (hf.spool >= 0)
		close(hf.spool);
	sl_buf_free(&hf.pre);
	sl_hdrs_free(&lh);
	sl_load_out_free(&out);
	return ret;
}
