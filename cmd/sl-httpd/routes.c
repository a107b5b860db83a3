/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes.c -- the API of sl-httpd, answered as Doris answers:
 *   PUT|POST /api/{db}/{table}/_stream_load (and _load)   route_load.c
 *   PUT|POST /api/_http_stream  (header sql: INSERT ...)   route_load.c
 *   PUT|POST /api/{db}[/{table}]/_stream_load_2pc          route_2pc.c
 *   GET|HEAD /api/_load_error_log?file=F                    route_query.c
 *   GET|HEAD /api/health                                    route_ops.c
 *   POST     /api/query/{ns}/{db}  {"stmt": "..."}          route_query.c
 *   GET      /api/{db}/_stream_load_record[?limit=N]        route_query.c
 *   GET|HEAD /metrics                                       route_ops.c
 * anything else: 404 "Not Found". Basic auth (httpauth.c) on every route
 * but health, metrics and the error log; every auth decision is logged. Redirect
 * mode answers the load routes with 307 to the next back end.
 */
#include <string.h>

#include "serve.h"
#include "reply.h"
#include "route_load.h"
#include "route_2pc.h"
#include "route_query.h"
#include "route_ops.h"
#include "routes.h"

static int is_method(const hreq *rq, const char *a, const char *b)
{
	return !strcmp(rq->method, a) || (b && !strcmp(rq->method, b));
}

int httpd_route(hconn *h, hreq *rq)
{
	char **s = rq->seg;
	size_t n = rq->nseg;
	int put = is_method(rq, "PUT", "POST"), get = is_method(rq, "GET", "HEAD");
	const char **name = &h->note.route;     /* for the log and the counters */

	if (n == 1 && !strcmp(s[0], "metrics") && get)
		return *name = "metrics", httpd_route_metrics(h, rq);
	if (n < 2 || strcmp(s[0], "api"))
		return httpd_reply_not_found(h, rq);
	if (n == 2 && !strcmp(s[1], "health") && get)
		return *name = "health", httpd_route_health(h, rq);
	if (n == 2 && !strcmp(s[1], "_load_error_log") && get)
		return *name = "load_error_log", httpd_route_error_log(h, rq);
	if (n == 4 && (!strcmp(s[3], "_stream_load") || !strcmp(s[3], "_load")) && put)
		return *name = "stream_load", httpd_route_load(h, rq, s[1], s[2]);
	if (n == 2 && !strcmp(s[1], "_http_stream") && put)
		return *name = "http_stream", httpd_route_http_stream(h, rq);
	if (n == 3 && !strcmp(s[2], "_stream_load_2pc") && put)
		return *name = "stream_load_2pc", httpd_route_2pc(h, rq, s[1], NULL);
	if (n == 4 && !strcmp(s[3], "_stream_load_2pc") && put)
		return *name = "stream_load_2pc", httpd_route_2pc(h, rq, s[1], s[2]);
	if (n == 4 && !strcmp(s[1], "query") && is_method(rq, "POST", NULL))
		return *name = "query", httpd_route_query(h, rq, s[3]);
	if (n == 3 && !strcmp(s[2], "_stream_load_record") && is_method(rq, "GET", NULL))
		return *name = "stream_load_record", httpd_route_record(h, rq, s[1]);
	return httpd_reply_not_found(h, rq);
}
