/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_2pc.h -- the two-phase-commit route of sl-httpd (route_2pc.c).
 */
#ifndef SL_HTTPD_ROUTE_2PC_H
#define SL_HTTPD_ROUTE_2PC_H

#include "serve.h"

/* PUT|POST /api/{db}[/{table}]/_stream_load_2pc (txn_operation: commit or
 * abort, by txn_id or label): sl-commit's answer. */
int httpd_route_2pc(hconn *h, hreq *rq, const char *db, const char *table);

#endif
