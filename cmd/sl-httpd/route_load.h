/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_load.h -- the load routes of sl-httpd (route_load.c): stream load
 * and http_stream, each a five-stage pipeline fed with the request's body.
 */
#ifndef SL_HTTPD_ROUTE_LOAD_H
#define SL_HTTPD_ROUTE_LOAD_H

#include "hdr.h"
#include "serve.h"

/* PUT|POST /api/{db}/{table}/_stream_load (and _load). */
int httpd_route_load(hconn *h, hreq *rq, const char *db, const char *table);
/* PUT|POST /api/_http_stream (header sql: INSERT ... SELECT ... FROM
 * http_stream(...)). */
int httpd_route_http_stream(hconn *h, hreq *rq);
/* The request's headers the stages get (out): not the connection's own
 * nor the credentials nor the stages' internal x_sl_* ones. 1, -1 ENOMEM. */
int httpd_stage_headers(const hreq *rq, sl_hdrs *out);

#endif
