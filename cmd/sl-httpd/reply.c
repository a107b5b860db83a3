/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reply.c -- the answers of sl-httpd's routes (reply.h): what a client of
 * Doris's stream load, 2PC and query API reads, byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "result.h"
#include "reply.h"

/* Starts with Doris's "[CODE]". */
#define HAS_CODE(msg, code) (!strncmp((msg), code, sizeof code - 1))

int httpd_json_put(sl_buf *b, jv v)
{
	jv s = jv_dump_string(v, 0);
	int r;

	if (!jv_is_valid(s)) {
		jv_free(s);
		return -1;
	}
	r = sl_buf_put(b, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
	return r;
}

int httpd_json_put_line(sl_buf *b, jv o)
{
	int first = 1, r = sl_buf_putc(b, '{');

	jv_object_foreach(o, k, v) {
		if (r > 0 && !first)
			r = sl_buf_puts(b, ", ");
		first = 0;
		if (r > 0)
			r = httpd_json_put(b, k);
		else
			jv_free(k);
		if (r > 0)
			r = sl_buf_puts(b, ": ");
		if (r > 0)
			r = httpd_json_put(b, v);
		else
			jv_free(v);
	}
	jv_free(o);
	return r > 0 ? sl_buf_putc(b, '}') : -1;
}

void httpd_reply_drain(hconn *h, hreq *rq)
{
	if (!httpd_body_drain(h, rq, HTTPD_DRAIN_MAX))
		rq->keep_alive = 0;
}

void httpd_reply_drain_early(hconn *h, hreq *rq)
{
	if (!rq->body_done && (rq->expect100 || !httpd_body_drain(h, rq, HTTPD_DRAIN_MAX)))
		rq->keep_alive = 0;
}

int httpd_reply_text(hconn *h, hreq *rq, int status, const char *extra)
{
	const char *r = httpd_reason(status);

	return httpd_respond(h, rq, status, HTTPD_CT_TEXT, extra, r, strlen(r)) < 0 ? -1 : 0;
}

int httpd_reply_not_found(hconn *h, hreq *rq)
{
	httpd_reply_drain(h, rq);
	rq->outcome = NULL;
	return httpd_reply_text(h, rq, 404, NULL);
}

int httpd_reply_redirect(hconn *h, hreq *rq)
{
	static unsigned local_rr;
	httpd_conf *c = h->c;
	unsigned i = c->rr_counter ? __atomic_fetch_add(c->rr_counter, 1, __ATOMIC_SEQ_CST)
		: local_rr++;
	char *loc = NULL;
	int r;

	httpd_reply_drain(h, rq);
	if (asprintf(&loc, "Location: http://%s%s\r\n", c->redirect[i % c->nredirect], rq->target) < 0) {
		rq->keep_alive = 0;
		httpd_reply_text(h, rq, 500, NULL);
		return -1;
	}
	rq->outcome = "redirect";
	httpd_log(h, 2, "redirect %s to %s", rq->target, c->redirect[i % c->nredirect]);
	r = httpd_respond(h, rq, 307, NULL, loc, "", 0) < 0;
	free(loc);
	return r ? -1 : 0;
}

int httpd_want_codes(const hreq *rq)
{
	return sl_hdrs_bool(&rq->hdrs, "http_status_codes");
}

int httpd_status_of_message(const char *status, const char *msg)
{
	if (status && !strcmp(status, SL_STATUS_SUCCESS))
		return 200;
	if (status && !strcmp(status, SL_STATUS_LABEL_EXISTS))
		return 409;
	if (!msg)
		return 500;
	if (HAS_CODE(msg, SL_E_NOT_AUTHORIZED))
		return 401;
	if (strstr(msg, "Access denied;"))
		return 403;
	if (strstr(msg, "Access denied for user"))
		return 401;
	if (HAS_CODE(msg, SL_E_NOT_FOUND))
		return 404;
	if (HAS_CODE(msg, SL_E_LABEL_ALREADY_EXISTS))
		return 409;
	if (HAS_CODE(msg, SL_E_JSON_TOO_LARGE))
		return 413;
	if (HAS_CODE(msg, SL_E_TIMEOUT))
		return 408;
	if (HAS_CODE(msg, SL_E_DATA_QUALITY_ERROR))
		return 422;
	if (HAS_CODE(msg, SL_E_INTERNAL_ERROR) || HAS_CODE(msg, SL_E_CANCELLED))
		return 500;
	return 400;
}

int httpd_reply_load_fail(hconn *h, hreq *rq, sl_load_req *lr, const char *msg, sl_load_out *out, int st)
{
	if (sl_load_fail(lr, msg, out) < 0) {
		rq->keep_alive = 0;
		httpd_reply_text(h, rq, 500, NULL);
		return -1;
	}
	httpd_note_load(h, lr, out);
	if (httpd_want_codes(rq) && st == 200)
		st = httpd_status_of_message(out->res.status, out->res.message);
	if (!httpd_want_codes(rq))
		st = 200;
	if (rq->has_cl && rq->has_te)
		rq->keep_alive = 0;
	httpd_reply_drain_early(h, rq);
	rq->outcome = SL_STATUS_FAIL;
	return httpd_respond(h, rq, st, HTTPD_CT_JSON, NULL, out->answer.p, out->answer.len) < 0 ? -1 : 0;
}

int httpd_reply_load(hconn *h, hreq *rq, sl_load_out *out)
{
	const char *s = out->res.status;
	int st = httpd_want_codes(rq) ? httpd_status_of_message(s, out->res.message) : 200;

	if (!rq->body_done)
		httpd_reply_drain(h, rq);
	if (rq->body_error || h->broken)
		rq->keep_alive = 0;
	rq->outcome = !s || !strcmp(s, SL_STATUS_FAIL) ? SL_STATUS_FAIL :
		!strcmp(s, SL_STATUS_SUCCESS) ? SL_STATUS_SUCCESS : SL_STATUS_LABEL_EXISTS;
	if (h->broken)
		return -1;
	return httpd_respond(h, rq, st, HTTPD_CT_JSON, NULL, out->answer.p, out->answer.len) < 0 ? -1 : 0;
}

int httpd_reply_2pc(hconn *h, hreq *rq, const char *status, const char *msg, int http)
{
	sl_buf b = SL_BUF_ZERO;
	int r;

	httpd_reply_drain_early(h, rq);
	if (sl_result_2pc_json(status, msg, &b) < 0) {
		rq->keep_alive = 0;
		httpd_reply_text(h, rq, 500, NULL);
		return -1;
	}
	rq->outcome = strcmp(status, SL_STATUS_SUCCESS) ? SL_STATUS_FAIL : SL_STATUS_SUCCESS;
	r = httpd_respond(h, rq, httpd_want_codes(rq) ? http : 200, HTTPD_CT_JSON, NULL, b.p, b.len);
	sl_buf_free(&b);
	return r < 0 ? -1 : 0;
}

int httpd_reply_query_error(hconn *h, hreq *rq, const char *msg, int http)
{
	sl_buf b = SL_BUF_ZERO;
	jv o = jv_object();
	int r;

	o = jv_object_set(o, jv_string("msg"), jv_string(msg ? msg : ""));
	o = jv_object_set(o, jv_string("code"), jv_number(1));
	o = jv_object_set(o, jv_string("data"), jv_null());
	o = jv_object_set(o, jv_string("count"), jv_number(0));
	if (httpd_json_put(&b, o) < 0) {
		sl_buf_free(&b);
		return -1;
	}
	rq->outcome = SL_STATUS_FAIL;
	r = httpd_respond(h, rq, httpd_want_codes(rq) ? http : 200, HTTPD_CT_JSON, NULL, b.p, b.len);
	sl_buf_free(&b);
	return r < 0 ? -1 : 0;
}

int httpd_reply_json(hconn *h, hreq *rq, const char *outcome, const sl_buf *b)
{
	rq->outcome = outcome;
	return httpd_respond(h, rq, 200, HTTPD_CT_JSON, NULL, b->p, b->len) < 0 ? -1 : 0;
}
