/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core.h -- internals of the sl-httpd core, shared by serve.c (one
 * connection: reading requests, bodies, writing answers), routes.c (the
 * API) and conf.c. Not used by main.c (httpd.h is the interface).
 */
#ifndef SL_HTTPD_CORE_H
#define SL_HTTPD_CORE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "hdr.h"
#include "httpd.h"

/* One connection. */
typedef struct hconn {
	httpd_conf *c;
	int in, out;
	const char *ip, *port;          /* never NULL ("" when unknown) */
	char *ibuf;                     /* buffered input */
	size_t icap, ioff, ilen;        /* data is ibuf[ioff .. ioff+ilen) */
	int eof;                        /* the client closed its side */
	int broken;                     /* a read or write failed or timed out */
	int nosplice;                   /* splice(2) does not take h->in */
} hconn;

/* One request. */
typedef struct hreq {
	char method[16];
	char *target;                   /* raw request-target */
	char *path;                     /* percent-decoded, canonical */
	char *query;                    /* raw query (after '?'), or NULL */
	char **seg; size_t nseg;        /* path segments */
	int minor;                      /* HTTP/1.minor */
	sl_hdrs hdrs;                   /* every header, first occurrence wins */
	int keep_alive;                 /* keep the connection after this one */
	/* framing */
	int has_cl, has_te, chunked, te_bad;
	int64_t cl;
	int expect100, sent100;
	/* body reading */
	int body_started, body_done, body_error;
	int body_handed;                /* the connection went to sl-parse as
	                                 * its stdin: until body_done, how much
	                                 * of the body is left is unknown */
	int64_t body_left;              /* Content-Length left, or of this chunk */
	int64_t body_read;
	int chunk_state;                /* 0 size line next, 1 in data, 2 CRLF after data */
	const char *body_errmsg;        /* why body reading failed */
	/* answer */
	int status;                     /* for the log */
	const char *outcome;            /* for the log ("Success", "Fail", ...) */
} hreq;

/* The alarm: a backstop while reading a request or writing an answer
 * (phase 1), the load's `timeout` while a load runs (phase 2). */
extern volatile sig_atomic_t httpd_alarm_fired, httpd_alarm_phase;
void httpd_arm(int phase, unsigned seconds);
void httpd_disarm(void);
/* the message sl_load_cancel gets when phase 2 fires */
extern char httpd_timeout_msg[128];

/* Input. Read more into the buffer: > 0 bytes read, 0 EOF, -1 error or
 * timeout (c->read_timeout_ms per read; h->broken set). */
int httpd_fill(hconn *h);
/* Read body bytes: > 0 bytes, 0 the body ended, -1 a broken body
 * (rq->body_errmsg says why; h->broken when the connection is lost). */
ssize_t httpd_body_read(hconn *h, hreq *rq, char *buf, size_t n);
/* Move up to n bytes of a Content-Length body, once nothing of it is
 * buffered, straight from the connection into the pipe wfd (splice(2): no
 * copy through user space). > 0 bytes moved; 0 the body ended; -1 with
 * errno EINVAL when splice cannot serve (chunked, buffered bytes, an fd
 * splice does not take: copy instead); -2 a broken body (as
 * httpd_body_read); -3 writing wfd failed (errno; EPIPE: the pipeline
 * stopped reading). */
ssize_t httpd_body_splice(hconn *h, hreq *rq, int wfd, size_t n);
/* Read and drop the rest of the body, at most max bytes: 1 drained, 0 more
 * than max or broken (the connection must close). */
int httpd_body_drain(hconn *h, hreq *rq, int64_t max);
/* Read a whole (small) body into b, at most max bytes: 1 ok, 0 too large
 * or broken. */
int httpd_body_slurp(hconn *h, hreq *rq, sl_buf *b, size_t max);
/* Answer `100 Continue` when the client asked and it was not yet sent. */
int httpd_continue(hconn *h, hreq *rq);

/* Output. A full answer: status line, Content-Type (NULL: none),
 * Content-Length, Connection, extra header lines (each ending "\r\n"), body
 * (not sent for HEAD). -1 when the client is gone. */
int httpd_respond(hconn *h, hreq *rq, int status, const char *ctype, const char *extra,
	const void *body, size_t len);
/* Headers only, for a body the caller then writes with httpd_write. */
int httpd_respond_head(hconn *h, hreq *rq, int status, const char *ctype, const char *extra, size_t len);
int httpd_write(hconn *h, const void *p, size_t n);
const char *httpd_reason(int status);

/* Decoding. Percent-decode s[0..n) into out (room for n + 1 bytes),
 * NUL-terminated; plus: '+' is a space. -1 on a malformed %xx or a NUL. */
int httpd_pct_decode(const char *s, size_t n, char *out, size_t *outn, int plus);
/* The value of query parameter key (decoded, malloc'd) in *out: 1 found,
 * 0 absent, -1 malformed. */
int httpd_query_param(const char *query, const char *key, char **out);

/* Logging: bytes outside printable ASCII become '?'. */
void httpd_log_req(hconn *h, hreq *rq);
__attribute__((format(printf, 3, 4)))
void httpd_log(hconn *h, int level, const char *fmt, ...);
/* Copy s into out (cap bytes) with every byte outside 0x20..0x7e as '?'. */
void httpd_sanitize(const char *s, char *out, size_t cap);

/* The minimum body rate (bodyrate.c): a timer signal that watches the
 * connection while a load runs and cancels it (sl_load_cancel, then
 * shutdown of the read side) when the client sends less than
 * body_min_rate bytes a second over body_min_rate_window_s seconds of
 * waiting for it. start: 1 watching, 0 not (off, not TCP). stop: 1 when
 * the watch cut the load. */
#include <time.h>
typedef struct httpd_rate {
	timer_t timer;
	struct sigaction old;
	int running;
	volatile sig_atomic_t cut, done;
	int fd;
	hreq *rq;
	int64_t base, need, last, got, waited, min_rate, window_s;
} httpd_rate;
int httpd_rate_start(httpd_rate *w, hconn *h, hreq *rq);
int httpd_rate_stop(httpd_rate *w);

/* Route one parsed request. 0: the connection may go on (if keep-alive),
 * -1: close it. */
int httpd_route(hconn *h, hreq *rq);

#endif
