/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-httphead.c -- unit tests of sl-httpd's request head and chunk
 * framing parser (cmd/sl-httpd/httphead.c, compiled in here): request
 * lines, canonical paths, percent-decoding, query parameters, framing
 * headers, the limits, and chunk-size lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/sl-httpd/httphead.c"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static const httpd_head_limits lim = { 64, 256, 4 };

/* Parse the head of text (n bytes) into rq: httpd_head_parse's result. */
static int parse(const char *text, size_t n, hreq *rq)
{
	httpd_mem s = { malloc(n + 1), 0, n };
	int r;

	memcpy(s.p, text, n);
	memset(rq, 0, sizeof *rq);
	r = httpd_head_parse(&lim, rq, httpd_mem_line, &s);
	free(s.p);
	return r;
}

#define PARSE(lit, rq) parse(lit, sizeof lit - 1, rq)

static void test_request_line(void)
{
	hreq rq;

	CHECK(PARSE("GET /api/health HTTP/1.1\r\n\r\n", &rq) == 1);
	CHECK(!strcmp(rq.method, "GET") && rq.minor == 1 && rq.keep_alive && rq.body_done);
	CHECK(!strcmp(rq.path, "/api/health") && rq.nseg == 2 && !strcmp(rq.seg[1], "health"));
	httpd_req_free(&rq);
	CHECK(PARSE("\r\n\nPOST http://h:1/a?x=1 HTTP/1.0\n\n", &rq) == 1);
	CHECK(rq.minor == 0 && !rq.keep_alive && !strcmp(rq.target, "/a?x=1") && !strcmp(rq.query, "x=1"));
	httpd_req_free(&rq);
	CHECK(PARSE("GET / HTTP/2.0\r\n\r\n", &rq) == 505);
	httpd_req_free(&rq);
	CHECK(PARSE("GET  / HTTP/1.1\r\n\r\n", &rq) == 400);
	httpd_req_free(&rq);
	CHECK(PARSE("\0GET / HTTP/1.1\r\n\r\n", &rq) == 400);
	httpd_req_free(&rq);
	CHECK(PARSE("GET /a\0/b HTTP/1.1\r\n\r\n", &rq) == 400);
	httpd_req_free(&rq);
	CHECK(PARSE("GET /0123456789012345678901234567890123456789012345678901234567890123 HTTP/1.1\r\n\r\n", &rq) == 414);
	httpd_req_free(&rq);
	CHECK(PARSE("", &rq) == 0);
	httpd_req_free(&rq);
	CHECK(PARSE("GET / HTTP/1.1\r\nHost: x\r\n", &rq) == -1);
	httpd_req_free(&rq);
}

static void test_paths(void)
{
	hreq rq;
	char out[16];
	size_t n;
	char *v;

	CHECK(PARSE("GET /a/./b/../%63//d HTTP/1.1\r\n\r\n", &rq) == 1);
	CHECK(!strcmp(rq.path, "/a/c/d") && rq.nseg == 3);
	httpd_req_free(&rq);
	CHECK(PARSE("GET /%2e%2e/x HTTP/1.1\r\n\r\n", &rq) == 400);
	httpd_req_free(&rq);
	CHECK(PARSE("GET /a?x=%zz HTTP/1.1\r\n\r\n", &rq) == 400);
	httpd_req_free(&rq);
	CHECK(httpd_pct_decode("a%41+b", 6, out, &n, 1) == 1 && !strcmp(out, "aA b") && n == 4);
	CHECK(httpd_pct_decode("a%00", 4, out, &n, 0) < 0);
	CHECK(httpd_pct_decode("a%4", 3, out, &n, 0) < 0);
	CHECK(httpd_query_param("a=1&file=x%2Fy&b", "file", &v) == 1 && !strcmp(v, "x/y"));
	free(v);
	CHECK(httpd_query_param("a=1&b", "b", &v) == 1 && !strcmp(v, ""));
	free(v);
	CHECK(httpd_query_param("a=1", "file", &v) == 0 && !v);
	CHECK(httpd_query_param("file=%g0", "file", &v) == -1);
}

static void test_headers(void)
{
	hreq rq;

	CHECK(PARSE("PUT / HTTP/1.1\r\ncontent-length: 5\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", &rq) == 1);
	CHECK(rq.has_cl && rq.cl == 5 && rq.body_left == 5 && !rq.body_done && !rq.keep_alive);
	httpd_req_free(&rq);
	CHECK(PARSE("PUT / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", &rq) == 400);
	httpd_req_free(&rq);
	CHECK(PARSE("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n", &rq) == 1);
	CHECK(rq.chunked && rq.expect100 && !rq.body_done);
	httpd_req_free(&rq);
	CHECK(PARSE("PUT / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &rq) == 501);
	httpd_req_free(&rq);
	CHECK(PARSE("PUT / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", &rq) == 1);
	CHECK(!rq.keep_alive);
	httpd_req_free(&rq);
	CHECK(PARSE("GET / HTTP/1.1\r\n folded\r\n\r\n", &rq) == 400);
	httpd_req_free(&rq);
	CHECK(PARSE("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", &rq) == 400);
	httpd_req_free(&rq);
	CHECK(PARSE("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\ne: 5\r\n\r\n", &rq) == 431);
	httpd_req_free(&rq);
}

static void test_chunks(void)
{
	hreq rq;

	memset(&rq, 0, sizeof rq);
	CHECK(httpd_chunk_line(&rq, "1a;ext=1", 8) == 1 && rq.body_left == 26 && rq.chunk_state == HTTPD_CHUNK_DATA);
	rq.chunk_state = HTTPD_CHUNK_CRLF;
	CHECK(httpd_chunk_line(&rq, "x", 1) == -1);
	CHECK(httpd_chunk_line(&rq, "", 0) == 0 && rq.chunk_state == HTTPD_CHUNK_SIZE);
	CHECK(httpd_chunk_line(&rq, "zz", 2) == -1);
	CHECK(httpd_chunk_line(&rq, "", 0) == -1);
	CHECK(httpd_chunk_line(&rq, "1000000000000000", 16) == -1);
	CHECK(httpd_chunk_line(&rq, "fffffffffffffff", 15) == 1 && rq.body_left == 0xfffffffffffffffLL);
	rq.chunk_state = HTTPD_CHUNK_SIZE;
	CHECK(httpd_chunk_line(&rq, "0", 1) == 0 && rq.chunk_state == HTTPD_CHUNK_TRAILER);
	CHECK(httpd_chunk_line(&rq, "X-T: 1", 6) == 0);
	CHECK(httpd_chunk_line(&rq, "", 0) == 2);
}

int main(void)
{
	test_request_line();
	test_paths();
	test_headers();
	test_chunks();
	printf("test-httphead: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
