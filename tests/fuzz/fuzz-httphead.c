/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-httphead.c -- libFuzzer target for sl-httpd's request head and
 * chunked-body parser (cmd/sl-httpd/httphead.c): the input is what a
 * client sends on a connection. Its lines go to httpd_head_parse as
 * serve.c hands them over (CR LF or LF, capped lengths); an accepted head
 * goes on to its query parameters and, when chunked, the body through
 * httpd_chunk_line, the framing serve.c reads a body with. Built by `make
 * fuzz` (mk/fuzz.mk); httphead.c is compiled into this target (it needs
 * nothing of sl-httpd but its own header).
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/sl-httpd/httphead.c"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-httphead: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

/* The chunked body as serve.c's httpd_body_read frames it: 1 it ended,
 * 0 malformed or cut short. Every data byte lies within the input. */
static int chunked_body(httpd_mem *c, hreq *rq)
{
	char *line;
	size_t len;
	int r;

	for (;;) {
		if (rq->chunk_state == HTTPD_CHUNK_DATA) {
			size_t left = c->len - c->off, k;
			CHECK(rq->body_left > 0);
			if (!left)
				return 0;
			k = (uint64_t)rq->body_left < left ? (size_t)rq->body_left : left;
			c->off += k;
			rq->body_left -= (int64_t)k;
			rq->body_read += (int64_t)k;
			if (!rq->body_left)
				rq->chunk_state = HTTPD_CHUNK_CRLF;
			continue;
		}
		r = httpd_mem_line(c, HTTPD_CHUNK_LINE_MAX, &line, &len);
		if (r != 1)
			return 0;
		r = httpd_chunk_line(rq, line, len);
		CHECK(r >= -1 && r <= 2);
		if (r < 0)
			return 0;
		if (r == 1)
			CHECK(rq->chunk_state == HTTPD_CHUNK_DATA && rq->body_left > 0 && rq->body_left < ((int64_t)1 << 60));
		if (r == 2)
			return 1;
	}
}

static void check_request(const hreq *rq)
{
	size_t i;

	CHECK(rq->method[0] && strlen(rq->method) < sizeof rq->method);
	CHECK(rq->minor == 0 || rq->minor == 1);
	CHECK(rq->target && rq->target[0] == '/');
	CHECK(rq->path && rq->path[0] == '/');
	for (i = 0; i < rq->nseg; i++) {
		CHECK(rq->seg[i][0] && !strchr(rq->seg[i], '/'));
		CHECK(strcmp(rq->seg[i], ".") && strcmp(rq->seg[i], ".."));
	}
	CHECK(!rq->has_te || rq->chunked);
	CHECK(!rq->has_cl || rq->cl >= 0);
	CHECK(rq->body_left >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* small limits, so that short inputs reach every refusal */
	static const httpd_head_limits lim = { 256, 1024, 16 };
	httpd_mem c = { malloc(size + 1), 0, size };
	hreq rq;
	int r;

	if (!c.p)
		return 0;
	memcpy(c.p, data, size);
	memset(&rq, 0, sizeof rq);
	r = httpd_head_parse(&lim, &rq, httpd_mem_line, &c);
	CHECK(r == 1 || r == 0 || r == -1 || (r >= 400 && r <= 505));
	if (r == 1) {
		char *v = NULL;
		check_request(&rq);
		if (httpd_query_param(rq.query, "file", &v) > 0)
			CHECK(v != NULL);
		free(v);
		if (rq.chunked)
			chunked_body(&c, &rq);
		CHECK(c.off <= c.len);
	}
	httpd_req_free(&rq);
	free(c.p);
	return 0;
}
