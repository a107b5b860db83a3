/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes.h -- the API of sl-httpd (routes.c): which route answers a
 * request. main.c hands httpd_route to the connection layer (serve.h) as
 * httpd_conf's route.
 */
#ifndef SL_HTTPD_ROUTES_H
#define SL_HTTPD_ROUTES_H

#include "httpd.h"

/* Route one parsed request (an httpd_route_fn). */
int httpd_route(hconn *h, hreq *rq);

#endif
