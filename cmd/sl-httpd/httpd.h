/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd.h -- the two layers of sl-httpd (STYLE.md item 11), shared by its
 * files: main.c (options, binding, systemd/inetd/tcpserver activation,
 * privilege drop, the accept loop) and the core (serve.c and the routes: one
 * HTTP connection on two fds, the routes, a pipeline per load).
 */
#ifndef SL_HTTPD_H
#define SL_HTTPD_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"
#include "metrics.h"

typedef struct hconn hconn;             /* one connection (serve.h) */
typedef struct hreq hreq;               /* one request (httphead.h) */
/* Answer one parsed request: 0 the connection may go on (if keep-alive),
 * -1 close it. */
typedef int httpd_route_fn(hconn *h, hreq *rq);
/* What follows every answered request (its counters and log line). */
typedef void httpd_end_fn(hconn *h, hreq *rq);

typedef struct httpd_conf {
	const char *data_dir;
	sl_store st;                    /* opened by main before serving */
	int verbosity;                  /* -v N: 0 fatal, 1 warnings (default), 2 info */
	int allow_empty_root;           /* --allow-empty-root-password */
	/* Redirect mode (--redirect-to h:p,h:p): every load route answers 307
	 * to the next backend, round-robin across all connection processes. */
	char **redirect; size_t nredirect;
	volatile unsigned *rr_counter;  /* MAP_SHARED|MAP_ANONYMOUS, made by main */
	/* Limits (sl.conf, Doris names, with these defaults). */
	int64_t streaming_load_max_mb;          /* 10240 */
	int64_t stream_load_default_timeout_second; /* 259200 */
	int read_timeout_ms;                    /* per read of a request: 30000 */
	size_t max_request_line, max_header_bytes, max_headers; /* 8192, 65536, 100 */
	int64_t max_conn_per_ip;                /* 0: -c less a quarter */
	int error_log_requires_auth;            /* 0: ErrorURL needs no password (Doris) */
	int64_t body_min_rate;                  /* bytes/s a load's body must keep: 1024 (0 off) */
	int64_t body_min_rate_window_s;         /* over this many seconds of waiting: 60 */
	int64_t warm_processes;                 /* connection processes kept for the
	                                         * next connection: 32 (0: a new one
	                                         * for each, main.c) */
	httpd_route_fn *route;                  /* what answers a request (main sets it) */
	httpd_end_fn *request_end;              /* then runs (main sets it; NULL: nothing) */
	sl_metrics *metrics;                    /* the counters of GET /metrics (route_ops.h);
	                                         * NULL: not available */
} httpd_conf;

/* Serve one connection: HTTP/1.x requests on in, answers on out, until the
 * client closes, a request asks to close, or an error. remote_ip/port name
 * the client (logs, the load record, Doris's "Access denied for user
 * 'u'@'ip'"); NULL when unknown. *warm (unless NULL): 1 when there was
 * a request and every request's route left the process as it found it
 * (serve.h httpd_keep_warm), so that it may serve another connection
 * (main.c). Returns an exit code (sl.h). */
int httpd_serve(httpd_conf *c, int in, int out, const char *remote_ip, const char *remote_port, int *warm);

/* Fill defaults, then apply sl.conf from c->st. Called by main.
 * sl.conf keys read (conf.c): streaming_load_max_mb,
 * stream_load_default_timeout_second (Doris names), and sl-httpd's own
 * http_read_timeout_ms, http_max_request_line, http_max_header_bytes,
 * http_max_headers. Sets verbosity to 1 when it is 0 (main sets its -v
 * after this call). The core's internals are in serve.h. */
void httpd_conf_defaults(httpd_conf *c);

/* The answer of GET /api/health (route_query.c, and main.c while the
 * slots are full). */
#define HTTPD_HEALTH_JSON "{\"status\": \"OK\", \"msg\": \"To Be Added\"}"

/* The time now as HTTP's Date header wants it (RFC 7231 IMF-fixdate:
 * "Sun, 06 Nov 1994 08:49:37 GMT"), into out (at least 30 bytes). */
#define HTTPD_DATE_MAX 32
void httpd_date(char *out, size_t cap);

#endif
