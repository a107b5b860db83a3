/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.h -- a server's counters, shared by all its processes and
 * written out in Prometheus's text exposition format (version 0.0.4).
 *
 * The counters live in one fixed-size region of C11 atomics mapped
 * MAP_SHARED: anonymous (made before the server forks: its connection
 * processes all add to it) or backed by a file (processes that share no
 * parent, e.g. one per connection under inetd, add to the same file). Every
 * update is a lock-free atomic add, safe from any process at any time; the
 * exposition reads them without stopping the writers.
 *
 * What is counted: loads by Status, rows loaded / filtered / unselected,
 * bytes received, loads in flight (a gauge of processes inside a load,
 * dead ones not counted), the load duration histogram, requests by route
 * and code, authentication failures, and per table (at most
 * SL_METRICS_TABLES tables, the rest added up in one series with
 * db="(other)" table="(other)"): loads by Status, rows loaded, bytes.
 */
#ifndef SL_METRICS_H
#define SL_METRICS_H

#include <stdint.h>
#include "io.h"

#define SL_METRICS_TABLES 64    /* tables with their own series */
#define SL_METRICS_ROUTES 96    /* (route, code) pairs with their own series */
#define SL_METRICS_INFLIGHT 256 /* loads in flight tracked by process */
#define SL_METRICS_NAME_MAX 64  /* longest db, table or route name kept */

typedef struct sl_metrics sl_metrics;

/* A new zeroed anonymous shared region. NULL with errno. */
sl_metrics *sl_metrics_open_anon(void);
/* The region kept in the file path (created with mode 0644, its directory
 * too, when missing; a file of another layout is replaced atomically, its
 * counters starting over). NULL with errno. */
sl_metrics *sl_metrics_open_file(const char *path);
/* Unmap (the counters stay in the other processes and the file). */
void sl_metrics_close(sl_metrics *m);

/* One finished load. */
typedef struct sl_metrics_load {
	const char *status;     /* Doris's Status ("Success", "Fail", ...) */
	const char *db, *table; /* NULL: not counted per table */
	int64_t loaded, filtered, unselected, bytes;
	int64_t duration_us;
} sl_metrics_load;
void sl_metrics_load_done(sl_metrics *m, const sl_metrics_load *l);
/* A load starts in this process: a token for sl_metrics_load_end. */
int sl_metrics_load_begin(sl_metrics *m);
void sl_metrics_load_end(sl_metrics *m, int token);
/* One answered request (route: a short name of the caller's fixed set). */
void sl_metrics_request(sl_metrics *m, const char *route, int code);
void sl_metrics_auth_failure(sl_metrics *m);

/* Append the exposition (text/plain; version=0.0.4) to out. 1, -1 ENOMEM. */
int sl_metrics_format(sl_metrics *m, sl_buf *out);

/* The MySQL front (sl-mysqld) keeps its own region: connections accepted
 * and refused (over the limit), logins refused (sl_metrics_auth_failure),
 * connections in flight (sl_metrics_load_begin/end around a connection),
 * commands by name and result, statements (COM_QUERY, COM_STMT_EXECUTE)
 * ok / error and their duration histogram. */
void sl_metrics_conn_accepted(sl_metrics *m);
void sl_metrics_conn_refused(sl_metrics *m);
/* One command answered: its name ("COM_QUERY"), whether it ended without an
 * ERR, whether it ran a statement, how long it took. */
void sl_metrics_command(sl_metrics *m, const char *command, int ok, int statement, int64_t duration_us);
/* The MySQL front's exposition appended to out. 1, -1 ENOMEM. */
int sl_metrics_format_mysql(sl_metrics *m, sl_buf *out);
#define SL_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
