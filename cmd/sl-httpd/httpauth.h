/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpauth.h -- HTTP Basic authentication of sl-httpd's routes
 * (httpauth.c): the user and password of the Authorization header checked
 * against the store's users and their privileges, each decision logged.
 */
#ifndef SL_HTTPD_HTTPAUTH_H
#define SL_HTTPD_HTTPAUTH_H

#include <stddef.h>
#include "serve.h"

/* Authenticate: 1 ok (user filled); 0 refused (msg filled: Doris's
 * words, *status the HTTP status); -1 error (msg filled). priv 0: the
 * password only, else that privilege (auth.h) on db.table. */
int httpd_auth(hconn *h, hreq *rq, const char *db, const char *table, int priv,
	char *user, size_t ucap, char *msg, size_t cap, int *status);
/* Log an auth decision (verbosity >= 1): user (NULL "-"), the client, the
 * route, why when refused. */
void httpd_auth_log(hconn *h, hreq *rq, const char *user, int ok, const char *reason);
/* The error log file's reader when error_log_requires_auth: the user needs
 * LOAD or SELECT on the table the log is of, which its name says
 * (error_log_<db>.<table>.<label>_...); a name that says no table is
 * root's only. 200 allowed, else the HTTP status to answer. */
int httpd_auth_error_log(hconn *h, hreq *rq, const char *file);

#endif
