/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reply.h -- the answers of sl-httpd's routes (reply.c), as Doris gives
 * them: plain-text status answers, a load's JSON (Success or Fail), the
 * 2PC answer, the query API's error object, the redirect of redirect mode,
 * and the HTTP status an answer gets when the client asks for real codes
 * (header http_status_codes: true). Every JSON body is written by libjq's
 * jv (httpd_json_put); serve.h writes the status line and headers.
 */
#ifndef SL_HTTPD_REPLY_H
#define SL_HTTPD_REPLY_H

#include <stdint.h>
#include <jv.h>
#include "io.h"
#include "load.h"
#include "serve.h"

#define HTTPD_CT_JSON "application/json; charset=utf-8"
#define HTTPD_CT_TEXT "text/plain; charset=utf-8"
/* The most of an unread body read (and dropped) to keep a connection. */
#define HTTPD_DRAIN_MAX ((int64_t)16 << 20)

/* Append v (consumed) to b as compact JSON, jv's escapes. 1, -1 ENOMEM. */
int httpd_json_put(sl_buf *b, jv v);
/* Append the object o (consumed) on one line with a space after each ':'
 * and ',': {"Key": value, "Key2": value}. 1, -1 ENOMEM. */
int httpd_json_put_line(sl_buf *b, jv o);

/* Drop the rest of the body (HTTPD_DRAIN_MAX at most); the connection
 * closes after the answer when that fails. */
void httpd_reply_drain(hconn *h, hreq *rq);
/* The same for an answer given before the body was asked for: a client
 * that waits for 100 Continue, or a body that cannot be drained, closes
 * the connection. */
void httpd_reply_drain_early(hconn *h, hreq *rq);

/* The status's reason phrase as a text/plain answer (extra: header lines,
 * or NULL). 0, or -1 when the connection must close. */
int httpd_reply_text(hconn *h, hreq *rq, int status, const char *extra);
/* 404 "Not Found" after draining the body. */
int httpd_reply_not_found(hconn *h, hreq *rq);
/* 307 to the next back end of redirect mode, round-robin. */
int httpd_reply_redirect(hconn *h, hreq *rq);

/* With http_status_codes: true, the answer's own status code. */
int httpd_want_codes(const hreq *rq);
/* The HTTP status of a load's answer from its Status and Message. */
int httpd_status_of_message(const char *status, const char *msg);

/* A load refused before or instead of its pipeline: the Fail JSON of
 * sl_load_fail with msg, under status st (200: from the message), the
 * connection kept only when the rest of the body could be drained. */
int httpd_reply_load_fail(hconn *h, hreq *rq, sl_load_req *lr, const char *msg, sl_load_out *out, int st);
/* A load's answer; afterwards the body is done or the connection closes. */
int httpd_reply_load(hconn *h, hreq *rq, sl_load_out *out);
/* The 2PC answer {"status": ..., "msg": ...} (result.h) under http. */
int httpd_reply_2pc(hconn *h, hreq *rq, const char *status, const char *msg, int http);
/* The query API's failure {"msg":...,"code":1,"data":null,"count":0}. */
int httpd_reply_query_error(hconn *h, hreq *rq, const char *msg, int http);
/* A JSON answer b with outcome for the log, status 200. */
int httpd_reply_json(hconn *h, hreq *rq, const char *outcome, const sl_buf *b);

#endif
