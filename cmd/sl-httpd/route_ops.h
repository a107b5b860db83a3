/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_ops.h -- what an operator of sl-httpd reads (route_ops.c):
 *   GET|HEAD /metrics        the counters, Prometheus text format (metrics.h)
 *   GET|HEAD /api/health     whether the data directory takes writes
 * and the end of every request: its counters and its access log line
 * (accesslog.h), from the connection's note (serve.h) the routes fill.
 */
#ifndef SL_HTTPD_ROUTE_OPS_H
#define SL_HTTPD_ROUTE_OPS_H

#include "serve.h"

int httpd_route_metrics(hconn *h, hreq *rq);
int httpd_route_health(hconn *h, hreq *rq);
/* The health answer's body for the data directory dir into b: 200 and
 * HTTPD_HEALTH_JSON when a probe file could be written there, else 503 and
 * {"status": "Fail", "msg": "the data directory is not writable: ..."}.
 * -1 ENOMEM. (main.c answers a waiting connection's check with it too.) */
int httpd_health_body(const char *dir, sl_buf *b);

/* The counters of c: an anonymous shared region (file 0: made before the
 * accept loop forks, shared by its connection processes), or the file
 * DATA_DIR/_metrics/sl-httpd (file 1: --inetd, one process a connection,
 * all of them adding to the file); a file that cannot be opened falls back
 * to this process's own counters, with a warning. */
void httpd_metrics_open(httpd_conf *c, int file);

/* The request was answered: its counters, then its log line (-v 2). An
 * httpd_end_fn: main sets it as httpd_conf's request_end. */
void httpd_request_end(hconn *h, hreq *rq);

#endif
