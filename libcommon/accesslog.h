/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accesslog.h -- the one line a daemon logs per request, in key=value
 * form (logfmt): the same keys, order and quoting for every front, so that
 * grep, awk or a log shipper read all of them alike:
 *   time=2026-12-07T09:04:09.123Z client=127.0.0.1:51234 user=root
 *   method=PUT route=stream_load path=/api/db/t/_stream_load db=db table=t
 *   label=l1 txn=12 status=Success code=200 bytes_in=118 rows=10
 *   duration_ms=35
 * A value that is unknown is "-"; a value with a space, a quote, '=', a
 * backslash or a byte outside printable ASCII is quoted, with \" \\ and
 * \xHH escapes. The entry holds no credentials by construction: it has no
 * field for a header, a password or a statement's text.
 */
#ifndef SL_ACCESSLOG_H
#define SL_ACCESSLOG_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_accesslog {
	int64_t time_ms;                /* wall clock of the request's start */
	const char *client;             /* ip:port ([ip6]:port) */
	const char *user;
	const char *method;             /* "PUT", "GET", or the front's command */
	const char *route;              /* the route's short name */
	const char *path;               /* the request path, without its query */
	const char *db, *table, *label;
	int64_t txn;                    /* -1: none */
	const char *status;             /* the load's Status, or the outcome */
	int code;                       /* HTTP status (0: none) */
	int64_t bytes_in, rows;         /* -1: unknown */
	int64_t duration_ms;
} sl_accesslog;

/* An entry with every field unknown (NULL, -1, code 0). */
void sl_accesslog_init(sl_accesslog *e);
/* The line, without a newline, into out (cap bytes; cut to fit, a cut
 * never splits an escape). Returns the length written. */
size_t sl_accesslog_format(const sl_accesslog *e, char *out, size_t cap);

#endif
