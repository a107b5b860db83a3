/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve.h -- one HTTP/1.x connection of sl-httpd (serve.c): reading
 * request heads and bodies (Content-Length or chunked) under timeouts, and
 * writing answers. It knows no route: httpd_serve hands every request to
 * the route function of its httpd_conf (routes.h).
 */
#ifndef SL_HTTPD_SERVE_H
#define SL_HTTPD_SERVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "hdr.h"
#include "load.h"
#include "httpd.h"
#include "httphead.h"

/* What the access log line and the metrics say of the request being
 * answered: reset before each request, filled by the routes. */
typedef struct httpd_note {
	const char *route;              /* the route's short name; NULL: "other" */
	char user[128];                 /* who asked ("" unknown) */
	char db[80], table[80], label[160];
	int64_t txn;                    /* -1: none */
	int load;                       /* a load's answer (the fields below) */
	const char *status;             /* its Status (status.h's strings) */
	int64_t loaded, filtered, unselected, load_bytes;
	int64_t start_ms, start_mono;   /* wall and monotonic clock at its head */
} httpd_note;

/* One connection. */
struct hconn {
	httpd_conf *c;
	int in, out;
	const char *ip, *port;          /* never NULL ("" when unknown) */
	char *ibuf;                     /* buffered input */
	size_t icap, ioff, ilen;        /* data is ibuf[ioff .. ioff+ilen) */
	int eof;                        /* the client closed its side */
	int broken;                     /* a read or write failed or timed out */
	int nosplice;                   /* splice(2) does not take h->in */
	httpd_note note;                /* of the request being answered */
	int warm;                       /* the request's route left the process
	                                 * as it found it (httpd_keep_warm) */
};

/* The route of the request being answered left the process as it found
 * it: nothing spawned and left, no signal, no state of its own. Only such
 * requests keep a connection's process for the next connection (main.c,
 * sl.conf http_warm_processes): a route that does not say so ends it. */
void httpd_keep_warm(hconn *h);

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

/* The note of a request (h->note): reset with its clocks started when its
 * head was read; the user who asked (httpauth.c); a load's answer (the
 * load routes). The request's end (httpd_conf's request_end) reads it. */
void httpd_note_start(hconn *h);
void httpd_note_user(hconn *h, const char *user);
void httpd_note_load(hconn *h, const sl_load_req *lr, const sl_load_out *out);
/* The monotonic clock in microseconds. */
int64_t httpd_mono_us(void);

/* Logging: bytes outside printable ASCII become '?'. */
__attribute__((format(printf, 3, 4)))
void httpd_log(hconn *h, int level, const char *fmt, ...);
/* Copy s into out (cap bytes) with every byte outside 0x20..0x7e as '?'. */
void httpd_sanitize(const char *s, char *out, size_t cap);

#endif
