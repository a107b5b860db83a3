/* SPDX-License-Identifier: Apache-2.0 */
/*
 * s3.h -- a small S3 client on libcurl: ListObjectsV2 pages and GetObject
 * streamed to an fd, signed with SigV4 (CURLOPT_AWS_SIGV4) or anonymous.
 * What curl 7.88 leaves to the caller is done here: x-amz-content-sha256:
 * UNSIGNED-PAYLOAD sent, the query already canonical (sorted, RFC 3986
 * encoded), the key's path encoded once ('/' kept), the session token as
 * x-amz-security-token. 5xx answers, timeouts and refused connections are
 * tried 3 times with backoff; a GetObject cut short resumes with a Range.
 * Messages are "<S3 Code>: <Message>" or the HTTP/curl failure, never a
 * credential.
 */
#ifndef SL_S3_H
#define SL_S3_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "s3xml.h"

typedef struct sl_s3_conf {
	const char *endpoint;       /* http(s)://host[:port]; a bare host gets http:// */
	const char *bucket;
	const char *region;
	const char *access_key;     /* NULL or "" with secret_key: anonymous requests */
	const char *secret_key;
	const char *session_token;  /* NULL or "": none */
	int path_style;             /* 1 endpoint/bucket/key, 0 bucket.endpoint/key */
} sl_s3_conf;

typedef struct sl_s3 sl_s3;

/* A client (the strings are copied). 1; 0 a bad endpoint (err); -1 errno. */
int sl_s3_open(sl_s3 **out, const sl_s3_conf *c, char *err, size_t cap);
void sl_s3_free(sl_s3 *s);

/* One ListObjectsV2 page of the keys under prefix, after start_after
 * (NULL or "": none) or from token (a previous page's next token: it
 * wins), at most max_keys (0: S3's default, 1000). fn gets each key; a
 * retried page hands the keys again (they ascend: a caller skips what it
 * has seen). 1 with *next (malloc'd: the next page's token, or NULL at
 * the end); 0 the request failed (err); -1 errno (fn's). */
int sl_s3_list(sl_s3 *s, const char *prefix, const char *start_after, const char *token,
	int max_keys, sl_s3xml_key_fn fn, void *arg, char **next, char *err, size_t cap);

/* Object key's bytes to fd (blocking writes; EPIPE returns -1 EPIPE at
 * once). *bytes (may be NULL): bytes written; *last (may be NULL): the
 * last byte written, -1 none. 1; 0 failed (err); -1 errno. */
int sl_s3_get(sl_s3 *s, const char *key, int fd, int64_t *bytes, int *last, char *err, size_t cap);

/* The encodings the requests use, for tests: RFC 3986 with '/' kept
 * (keep_slash, a key's path) or encoded (a query value). 1; -1 ENOMEM. */
int sl_s3_encode(sl_buf *b, const char *s, int keep_slash);

#endif
