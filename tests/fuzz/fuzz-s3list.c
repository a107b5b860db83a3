/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-s3list.c -- libFuzzer target for the ListObjectsV2 page and S3
 * <Error> parser (s3xml.h): its bytes come from whatever answers at the
 * configured endpoint. Built by `make fuzz` (mk/fuzz.mk).
 *
 * Input layout: 1 byte, the size of the pieces fed (1..256; 0: all at
 * once), then the document. Checks: every key handed over is at most
 * SL_S3_KEY_MAX bytes; the same document fed whole and in pieces gives
 * the same verdict, keys, truncation, token and error code.
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3xml.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-s3list: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

typedef struct seen { size_t n; uint32_t hash; } seen;

static int on_key(void *arg, const char *key, int64_t size)
{
	seen *s = arg;
	size_t len = strlen(key), i;

	CHECK(len <= SL_S3_KEY_MAX);
	CHECK(size >= 0);
	for (i = 0; i < len; i++)
		s->hash = s->hash * 31 + (unsigned char)key[i];
	s->n++;
	return 1;
}

typedef struct verdict { int rc, trunc; seen keys; char token[4200], code[4200]; } verdict;

static void run(const char *p, size_t n, size_t piece, verdict *v)
{
	sl_s3xml *x = sl_s3xml_new(on_key, &v->keys);
	size_t off = 0;

	CHECK(x);
	memset(v, 0, sizeof *v);
	v->rc = 1;
	while (v->rc == 1 && off < n) {
		size_t k = piece && piece < n - off ? piece : n - off;
		v->rc = sl_s3xml_feed(x, p + off, k, 0);
		off += k;
	}
	if (v->rc == 1)
		v->rc = sl_s3xml_feed(x, NULL, 0, 1);
	if (v->rc == 1) {
		v->trunc = sl_s3xml_truncated(x);
		snprintf(v->token, sizeof v->token, "%s", sl_s3xml_token(x) ? sl_s3xml_token(x) : "");
		snprintf(v->code, sizeof v->code, "%s", sl_s3xml_code(x) ? sl_s3xml_code(x) : "");
		CHECK(!sl_s3xml_message(x) || strlen(sl_s3xml_message(x)) <= 1024);
	} else {
		CHECK(v->rc == 0 && sl_s3xml_why(x)[0]);
	}
	sl_s3xml_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static verdict whole, parts;

	if (size < 1)
		return 0;
	run((const char *)data + 1, size - 1, 0, &whole);
	run((const char *)data + 1, size - 1, data[0], &parts);
	CHECK(whole.rc == parts.rc);
	if (whole.rc == 1) {
		CHECK(whole.keys.n == parts.keys.n && whole.keys.hash == parts.keys.hash);
		CHECK(whole.trunc == parts.trunc);
		CHECK(!strcmp(whole.token, parts.token) && !strcmp(whole.code, parts.code));
	}
	return 0;
}
