/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_ops.c -- the operator's routes of sl-httpd and the end of every
 * request (route_ops.h): /metrics, /api/health, the counters and the
 * access log line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jv.h>

#include "sl.h"
#include "msg.h"
#include "status.h"
#include "accesslog.h"
#include "health.h"
#include "metrics.h"
#include "reply.h"
#include "route_ops.h"

/* ---- the routes ---- */

int httpd_route_metrics(hconn *h, hreq *rq)
{
	sl_buf b = SL_BUF_ZERO;
	int r;

	httpd_reply_drain(h, rq);
	if (!h->c->metrics)
		return httpd_reply_text(h, rq, 503, NULL);
	if (sl_metrics_format(h->c->metrics, &b) < 0) {
		sl_buf_free(&b);
		return httpd_reply_text(h, rq, 500, NULL);
	}
	r = httpd_respond(h, rq, 200, SL_METRICS_CONTENT_TYPE, NULL, b.p, b.len);
	sl_buf_free(&b);
	return r < 0 ? -1 : 0;
}

int httpd_health_body(const char *dir, sl_buf *b)
{
	static const char ok[] = HTTPD_HEALTH_JSON;
	char msg[256];
	jv o;

	if (sl_health_probe(dir) > 0)
		return sl_buf_puts(b, ok) < 0 ? -1 : 200;
	snprintf(msg, sizeof msg, "the data directory is not writable: %s", strerror(errno));
	o = jv_object_set(jv_object(), jv_string("status"), jv_string(SL_STATUS_FAIL));
	o = jv_object_set(o, jv_string("msg"), jv_string(msg));
	return httpd_json_put_line(b, o) < 0 ? -1 : 503;
}

int httpd_route_health(hconn *h, hreq *rq)
{
	sl_buf b = SL_BUF_ZERO;
	int st, r;

	httpd_reply_drain(h, rq);
	st = httpd_health_body(h->c->st.dir, &b);
	if (st < 0) {
		sl_buf_free(&b);
		return httpd_reply_text(h, rq, 500, NULL);
	}
	if (st != 200) {
		httpd_log(h, 1, "health: %.*s", (int)b.len, b.p);
		rq->outcome = SL_STATUS_FAIL;
	}
	r = httpd_respond(h, rq, st, HTTPD_CT_JSON, NULL, b.p, b.len);
	sl_buf_free(&b);
	return r < 0 ? -1 : 0;
}

/* ---- the counters ---- */

void httpd_metrics_open(httpd_conf *c, int file)
{
	char *path = NULL;

	if (file && asprintf(&path, "%s/_metrics/sl-httpd", c->st.dir) < 0)
		path = NULL;
	if (path && (c->metrics = sl_metrics_open_file(path))) {
		free(path);
		return;
	}
	if (path && c->verbosity >= 1)
		sl_warnsys("unable to open the counters %s: /metrics counts this process only", path);
	free(path);
	if (!(c->metrics = sl_metrics_open_anon()) && c->verbosity >= 1)
		sl_warnsys("unable to map the counters: /metrics is not available");
}

/* ---- the end of a request ---- */

static void log_line(hconn *h, hreq *rq, int64_t bytes, int64_t dur_us)
{
	httpd_note *n = &h->note;
	sl_accesslog e;
	char client[96], line[4096];

	sl_accesslog_init(&e);
	snprintf(client, sizeof client, strchr(h->ip, ':') ? "[%s]:%s" : "%s:%s", h->ip[0] ? h->ip : "-",
		h->port[0] ? h->port : "-");
	e.time_ms = n->start_ms;
	e.client = client;
	e.user = n->user;
	e.method = rq->method;
	e.route = n->route ? n->route : "other";
	e.path = rq->path;
	e.db = n->db;
	e.table = n->table;
	e.label = n->label;
	e.txn = n->txn;
	e.status = n->load ? n->status : rq->outcome;
	e.code = rq->status;
	e.bytes_in = bytes;
	e.rows = n->load ? n->loaded : -1;
	e.duration_ms = dur_us / 1000;
	sl_accesslog_format(&e, line, sizeof line);
	sl_info("%s", line);
}

void httpd_request_end(hconn *h, hreq *rq)
{
	httpd_note *n = &h->note;
	sl_metrics *m = h->c->metrics;
	int64_t dur = httpd_mono_us() - n->start_mono;
	int64_t bytes = rq->body_read > n->load_bytes ? rq->body_read : n->load_bytes;

	sl_metrics_request(m, n->route ? n->route : "other", rq->status);
	if (n->load) {
		sl_metrics_load l = { n->status, n->txn >= 0 ? n->db : NULL, n->txn >= 0 ? n->table : NULL,
			n->loaded, n->filtered, n->unselected, bytes, dur };
		sl_metrics_load_done(m, &l);
	}
	if (h->c->verbosity >= 2)
		log_line(h, rq, bytes, dur);
}
