/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_query.h -- the routes of sl-httpd that read and load nothing
 * (route_query.c): the error logs, the query API and the stream load
 * record (health: route_ops.h).
 */
#ifndef SL_HTTPD_ROUTE_QUERY_H
#define SL_HTTPD_ROUTE_QUERY_H

#include "serve.h"

/* GET|HEAD /api/_load_error_log?file=F: a file of the store's _error_log/. */
int httpd_route_error_log(hconn *h, hreq *rq);
/* POST /api/query/{ns}/{db} {"stmt": "..."}: one statement, in-process
 * (sql.h), answered as the FE's query API. */
int httpd_route_query(hconn *h, hreq *rq, const char *db);
/* GET /api/{db}/_stream_load_record[?limit=N] (record.h). */
int httpd_route_record(hconn *h, hreq *rq, const char *db);

#endif
