/* SPDX-License-Identifier: Apache-2.0 */
/*
 * s3xml.h -- S3's XML answers read as a stream (expat): a ListObjectsV2
 * page (each Contents' Key and Size handed to a callback, IsTruncated,
 * NextContinuationToken) or an <Error> document (Code, Message). Elements
 * are matched by local name (s3rver's namespace differs from AWS's).
 * Memory is bounded whatever the document: a key longer than S3's 1024
 * bytes, a token over 4 KiB or a DOCTYPE makes the document malformed;
 * a Message is cut at 1 KiB.
 */
#ifndef SL_S3XML_H
#define SL_S3XML_H

#include <stddef.h>
#include <stdint.h>

/* S3's limit on a key's length, in bytes. */
#define SL_S3_KEY_MAX 1024

/* Called once per listed object, in document order. 1 go on; -1 stop
 * (errno kept: sl_s3xml_feed returns -1). */
typedef int (*sl_s3xml_key_fn)(void *arg, const char *key, int64_t size);

typedef struct sl_s3xml sl_s3xml;

/* A parser; fn may be NULL (an error document, or keys not wanted). NULL: ENOMEM. */
sl_s3xml *sl_s3xml_new(sl_s3xml_key_fn fn, void *arg);
/* Feed the next n bytes; final on the last call (n may be 0 then). 1 ok;
 * 0 malformed (sl_s3xml_why says why); -1 the callback's errno. */
int sl_s3xml_feed(sl_s3xml *x, const char *p, size_t n, int final);
/* After the last feed: */
int sl_s3xml_truncated(const sl_s3xml *x);          /* IsTruncated was "true" */
const char *sl_s3xml_token(const sl_s3xml *x);      /* NextContinuationToken, or NULL */
const char *sl_s3xml_code(const sl_s3xml *x);       /* <Error><Code>, or NULL */
const char *sl_s3xml_message(const sl_s3xml *x);    /* <Error><Message>, or NULL */
size_t sl_s3xml_keys(const sl_s3xml *x);            /* Contents seen */
const char *sl_s3xml_why(const sl_s3xml *x);        /* why malformed */
void sl_s3xml_free(sl_s3xml *x);

#endif
