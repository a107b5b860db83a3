/* SPDX-License-Identifier: Apache-2.0 */
/* s3xml.c -- ListObjectsV2 pages and S3 error documents parsed as a stream (s3xml.h). */
#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3xml.h"

#define TOKEN_MAX 4096
#define MESSAGE_MAX 1024
#define TEXT_MAX TOKEN_MAX

/* the elements whose text is kept: their parent and their own local name */
enum { T_NONE, T_KEY, T_SIZE, T_TRUNC, T_TOKEN, T_CODE, T_MESSAGE };

struct sl_s3xml {
	XML_Parser p;
	sl_s3xml_key_fn fn;
	void *arg;
	int depth, in_contents, in_error, text, have_key, trunc, cb_errno, overlong;
	size_t tlen, keys;
	int64_t size;
	char key[SL_S3_KEY_MAX + 1];
	char text_buf[TEXT_MAX + 1];
	char *token, *code, *message;
	char why[160];
};

/* "ns|local" -> "local" */
static const char *local_name(const char *n)
{
	const char *bar = strrchr(n, '|');
	return bar ? bar + 1 : n;
}

static void fail(sl_s3xml *x, const char *why)
{
	if (!x->why[0])
		snprintf(x->why, sizeof x->why, "%s", why);
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const char *name, const char **attr)
{
	sl_s3xml *x = ud;
	const char *l = local_name(name);

	(void)attr;
	x->depth++;
	x->text = T_NONE;
	x->tlen = 0;
	x->overlong = 0;
	if (x->depth == 1) {
		x->in_error = !strcmp(l, "Error");
		return;
	}
	if (x->depth == 2 && !x->in_error) {
		if (!strcmp(l, "Contents")) {
			x->in_contents = 1;
			x->have_key = 0;
			x->size = 0;
		} else if (!strcmp(l, "IsTruncated"))
			x->text = T_TRUNC;
		else if (!strcmp(l, "NextContinuationToken"))
			x->text = T_TOKEN;
	} else if (x->depth == 2) {
		if (!strcmp(l, "Code"))
			x->text = T_CODE;
		else if (!strcmp(l, "Message"))
			x->text = T_MESSAGE;
	} else if (x->depth == 3 && x->in_contents) {
		if (!strcmp(l, "Key"))
			x->text = T_KEY;
		else if (!strcmp(l, "Size"))
			x->text = T_SIZE;
	}
}

static void XMLCALL on_text(void *ud, const char *s, int len)
{
	sl_s3xml *x = ud;
	size_t lim = x->text == T_KEY ? SL_S3_KEY_MAX : x->text == T_MESSAGE ? MESSAGE_MAX
		: x->text == T_SIZE ? 32 : TEXT_MAX;
	size_t n = (size_t)len;

	if (x->text == T_NONE)
		return;
	if (x->tlen + n > lim) {
		if (x->text != T_MESSAGE) {
			x->overlong = 1;
			fail(x, x->text == T_KEY ? "a Key longer than 1024 bytes"
			     : "an element's text is too long");
			return;
		}
		n = lim - x->tlen;
	}
	memcpy(x->text_buf + x->tlen, s, n);
	x->tlen += n;
}

static int set_str(char **dst, const char *s)
{
	char *d = strdup(s);
	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 1;
}

static int parse_size(const char *s, int64_t *out)
{
	char *e;
	long long v;

	errno = 0;
	v = strtoll(s, &e, 10);
	if (e == s || *e || errno || v < 0)
		return 0;
	*out = v;
	return 1;
}

/* the text of a kept element, complete */
static void end_text(sl_s3xml *x)
{
	int rc = 1;

	x->text_buf[x->tlen] = 0;
	switch (x->text) {
	case T_KEY:
		memcpy(x->key, x->text_buf, x->tlen + 1);
		x->have_key = 1;
		break;
	case T_SIZE:
		if (!parse_size(x->text_buf, &x->size))
			fail(x, "a Size that is not a number");
		break;
	case T_TRUNC:
		x->trunc = !strcmp(x->text_buf, "true");
		break;
	case T_TOKEN:
		rc = set_str(&x->token, x->text_buf);
		break;
	case T_CODE:
		rc = set_str(&x->code, x->text_buf);
		break;
	case T_MESSAGE:
		rc = set_str(&x->message, x->text_buf);
		break;
	}
	if (rc < 0) {
		x->cb_errno = ENOMEM;
		XML_StopParser(x->p, XML_FALSE);
	}
}

static void XMLCALL on_end(void *ud, const char *name)
{
	sl_s3xml *x = ud;

	(void)name;
	if (x->text != T_NONE && !x->overlong)
		end_text(x);
	x->text = T_NONE;
	if (x->depth == 2 && x->in_contents) {
		x->in_contents = 0;
		if (!x->have_key) {
			fail(x, "a Contents without a Key");
		} else {
			x->keys++;
			if (x->fn && x->fn(x->arg, x->key, x->size) < 0) {
				x->cb_errno = errno ? errno : EIO;
				XML_StopParser(x->p, XML_FALSE);
			}
		}
	}
	x->depth--;
}

/* No DOCTYPE: S3 sends none, and refusing it keeps entity expansion out. */
static void XMLCALL on_doctype(void *ud, const char *name, const char *sys, const char *pub, int internal)
{
	(void)name; (void)sys; (void)pub; (void)internal;
	fail(ud, "a DOCTYPE");
}

sl_s3xml *sl_s3xml_new(sl_s3xml_key_fn fn, void *arg)
{
	sl_s3xml *x = calloc(1, sizeof *x);

	if (!x)
		return NULL;
	x->p = XML_ParserCreateNS(NULL, '|');
	if (!x->p) {
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	x->fn = fn;
	x->arg = arg;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	return x;
}

int sl_s3xml_feed(sl_s3xml *x, const char *p, size_t n, int final)
{
	if (x->cb_errno) {
		errno = x->cb_errno;
		return -1;
	}
	if (x->why[0])
		return 0;
	do {
		int chunk = n > (1u << 30) ? 1 << 30 : (int)n;
		enum XML_Status st = XML_Parse(x->p, chunk ? p : "", chunk, final && (size_t)chunk == n);
		if (x->cb_errno) {
			errno = x->cb_errno;
			return -1;
		}
		if (st != XML_STATUS_OK) {
			if (!x->why[0])
				snprintf(x->why, sizeof x->why, "%s at line %lu",
					 XML_ErrorString(XML_GetErrorCode(x->p)),
					 (unsigned long)XML_GetCurrentLineNumber(x->p));
			return 0;
		}
		if (chunk) {
			p += chunk;
			n -= (size_t)chunk;
		}
	} while (n);
	return 1;
}

int sl_s3xml_truncated(const sl_s3xml *x) { return x->trunc; }
const char *sl_s3xml_token(const sl_s3xml *x) { return x->token; }
const char *sl_s3xml_code(const sl_s3xml *x) { return x->code; }
const char *sl_s3xml_message(const sl_s3xml *x) { return x->message; }
size_t sl_s3xml_keys(const sl_s3xml *x) { return x->keys; }
const char *sl_s3xml_why(const sl_s3xml *x) { return x->why; }

void sl_s3xml_free(sl_s3xml *x)
{
	if (!x)
		return;
	XML_ParserFree(x->p);
	free(x->token);
	free(x->code);
	free(x->message);
	free(x);
}
