/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httphead.h -- the HTTP/1.x request head and the chunked framing, parsed
 * from bytes already in memory (RFC 9112): no socket, no timer, so a fuzzer
 * or a unit test calls it as serve.c does. serve.c reads the connection and
 * hands each line to these functions.
 */
#ifndef SL_HTTPHEAD_H
#define SL_HTTPHEAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "hdr.h"

/* One request. */
typedef struct hreq hreq;
struct hreq {
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
	int chunk_state;                /* HTTPD_CHUNK_* */
	const char *body_errmsg;        /* why body reading failed */
	/* answer */
	int status;                     /* for the log */
	const char *outcome;            /* for the log ("Success", "Fail", ...) */
};

/* The limits of a head (httpd_conf's, sl.conf). */
typedef struct httpd_head_limits {
	size_t max_request_line, max_header_bytes, max_headers;
} httpd_head_limits;

/* Find the end of the next line in buf[0..n): the bytes before *scanned
 * were looked at already (0 the first time; updated). 1 a line: *linelen
 * bytes up to and without its '\n'; 0 no '\n' yet; -2 the line is longer
 * than max. */
int httpd_line_scan(const char *buf, size_t n, size_t max, size_t *scanned, size_t *linelen);

/* A source of head lines: 1 a line (without CR LF, NUL-terminated, the
 * parser may write into it), 0 the end before any byte, -1 broken or
 * truncated, -2 the line is longer than max. */
typedef int httpd_line_fn(void *ctx, size_t max, char **line, size_t *len);

/* Lines from bytes in memory that will not grow (a request in a buffer):
 * their end is the end of the input. ctx is an httpd_mem; p[off..len) is
 * what is left, and the parser writes into it. */
typedef struct httpd_mem {
	char *p;
	size_t off, len;
} httpd_mem;
int httpd_mem_line(void *ctx, size_t max, char **line, size_t *len);

/* Read one request head from lines into rq (zeroed by the caller). 1 a
 * request; 0 the source ended before a request; -1 it broke within one;
 * >= 400: the status to answer before closing. */
int httpd_head_parse(const httpd_head_limits *lim, hreq *rq, httpd_line_fn *getline, void *ctx);

void httpd_req_free(hreq *rq);

/* Chunked bodies: rq->chunk_state says what comes next. */
enum { HTTPD_CHUNK_SIZE, HTTPD_CHUNK_DATA, HTTPD_CHUNK_CRLF, HTTPD_CHUNK_TRAILER };
#define HTTPD_CHUNK_LINE_MAX 4096
/* One line of chunk framing (size line, the CRLF after data, a trailer).
 * 0 read the next line; 1 chunk data follows (rq->body_left bytes);
 * 2 the body ended; -1 malformed. */
int httpd_chunk_line(hreq *rq, const char *line, size_t len);

/* Percent-decode s[0..n) into out (room for n + 1 bytes),
 * NUL-terminated; plus: '+' is a space. -1 on a malformed %xx or a NUL. */
int httpd_pct_decode(const char *s, size_t n, char *out, size_t *outn, int plus);
/* The value of query parameter key (decoded, malloc'd) in *out: 1 found,
 * 0 absent, -1 malformed. */
int httpd_query_param(const char *query, const char *key, char **out);

#endif
