/* SPDX-License-Identifier: Apache-2.0 */
/*
 * objsrc.h -- the objects a table-valued source names, for INSERT ... SELECT
 * FROM S3(...) / local(...) and continuous-load jobs: an S3 bucket (s3.h:
 * HTTP(S), SigV4, ListObjectsV2) or a local directory, given by a uri whose
 * key part is a glob (globpat.h: * ? [..] {a,b} **; * and ? never cross '/').
 * Lists the matching keys in byte order (strcmp on UTF-8, S3's order) strictly
 * after an offset, in batches bounded by files and bytes (Doris's rule: stop
 * after the file that reaches either limit; a batch always has >= 1 file when
 * any is new), and streams an object's bytes to an fd. Credentials never
 * appear in a message or a description this module writes.
 */
#ifndef SL_OBJSRC_H
#define SL_OBJSRC_H

#include <stddef.h>
#include <stdint.h>
#include "hdr.h"
#include "io.h"

typedef struct sl_objsrc sl_objsrc;

typedef struct sl_objent {
	char *key;              /* the object's key (S3: without the bucket; local: the path) */
	int64_t size;
} sl_objent;

typedef struct sl_objbatch {
	sl_objent *ent;         /* the batch, keys ascending */
	size_t n;
	int64_t bytes;          /* sum of the sizes */
	char *next;             /* the first matching key after the batch (Doris's
	                         * maxFile, a job's EndOffset); NULL: none; when
	                         * n == 0 also NULL */
} sl_objbatch;

/* A source from the TVF's name ("s3" or "local", any case) and its
 * properties by Doris's names: s3: uri (s3://, s3a://, s3n://, http(s)://
 * path-style with use_path_style=true or virtual-host), s3.endpoint (a bare
 * host gets http://), s3.region, s3.access_key, s3.secret_key,
 * s3.session_token, use_path_style; uri 'file:///dir/glob' is a local
 * directory too. local: file_path (an absolute glob), backend_id ignored.
 * Format properties (format, column_separator, ...) are ignored here.
 * 1; 0 a bad or missing property (err: Doris's message); -1 errno. */
int sl_objsrc_open(sl_objsrc **out, const char *tvf, const sl_hdrs *props, char *err, size_t cap);
void sl_objsrc_free(sl_objsrc *s);

/* The matching keys after `after` (NULL or "": from the first), at most
 * max_files files and max_bytes bytes by the rule above (0: no limit).
 * 1 (out->n may be 0); 0 the source failed (err: for S3 "<S3 Code>: <Message>"
 * or the HTTP/curl failure; retries with backoff on 5xx and timeouts are
 * done inside); -1 errno. Pages (continuation tokens) are followed. */
int sl_objsrc_list(sl_objsrc *s, const char *after, size_t max_files, int64_t max_bytes,
	sl_objbatch *out, char *err, size_t cap);
void sl_objbatch_free(sl_objbatch *b);

/* The same with the keys skip(ctx, key) is true for left out before the
 * limits count them (a "mode"="unordered" job's loaded keys). */
typedef int (*sl_objsrc_skip)(void *ctx, const char *key);
int sl_objsrc_list_skip(sl_objsrc *s, const char *after, sl_objsrc_skip skip, void *ctx, size_t max_files,
	int64_t max_bytes, sl_objbatch *out, char *err, size_t cap);

/* Write object key's bytes to fd (blocking writes; a write failing with
 * EPIPE returns -1 EPIPE at once). *bytes (may be NULL): bytes written;
 * *last (may be NULL): the last of them, -1 none (a reader of fd that
 * splices needs not look at the bytes). 1; 0 the source failed (err as
 * above); -1 errno. */
int sl_objsrc_copy(sl_objsrc *s, const char *key, int fd, int64_t *bytes, int *last, char *err, size_t cap);

/* An fd that becomes readable when new objects may have appeared (local:
 * inotify on the directory of the glob's literal prefix; drain it with
 * sl_objsrc_drain), or -1 when the source must be polled (S3). */
int sl_objsrc_watch_fd(sl_objsrc *s);
void sl_objsrc_drain(sl_objsrc *s);

/* The source for messages and views: "s3://bucket/glob" or "file:///glob". */
const char *sl_objsrc_describe(const sl_objsrc *s);

/* The names of the secret properties (s3.secret_key, s3.access_key,
 * s3.session_token): a NULL-terminated list, for masking in ExecuteSql. */
extern const char *const sl_objsrc_secret_props[];

/* An S3 uri split as Doris's S3URI does: s3:// s3a:// s3n://bucket/key
 * (*endpoint NULL: s3.endpoint names it), http(s)://endpoint/bucket/key
 * with path_style, http(s)://bucket.endpoint/key without (*endpoint is
 * scheme://host[:port]). 1 with the three malloc'd; 0 not such a uri; -1 errno. */
int sl_objsrc_s3uri(const char *uri, int path_style, char **endpoint, char **bucket, char **key);

#endif
