/* SPDX-License-Identifier: Apache-2.0 */
/*
 * print.c -- the row stream as readable text for a terminal (print.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "print.h"

void sl_print_init(sl_print *pr, sl_print_put_fn put, void *arg)
{
	memset(pr, 0, sizeof *pr);
	pr->put = put;
	pr->arg = arg;
}

void sl_print_free(sl_print *pr)
{
	free(pr->types);
	pr->types = 0;
	pr->ncols = 0;
}

static int text(sl_print *pr, const char *s, size_t n)
{
	return pr->put(pr->arg, s, n);
}

/* s[0..n) with line breaks, tabs and other control bytes escaped. */
static int printable(sl_print *pr, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[2];
		if (c == '\n' || c == '\t' || c == '\r' || c < 0x20 || c == 0x7f) {
			esc[0] = '\\';
			esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '?';
			if (text(pr, esc, 2) < 0)
				return -1;
		} else if (text(pr, s + i, 1) < 0)
			return -1;
	}
	return 1;
}

int sl_print_header(sl_print *pr, size_t ncols, const sl_field *names, const sl_field *types)
{
	sl_type *t;
	size_t i;

	sl_print_free(pr);
	t = calloc(ncols ? ncols : 1, sizeof *t);
	if (!t) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < ncols; i++) {
		if (!sl_type_parse(types[i].p, types[i].n, &t[i], 0))
			t[i].kind = SL_T_STRING;
		if (i && text(pr, " | ", 3) < 0)
			goto fail;
		if (printable(pr, names[i].p, names[i].n) < 0)
			goto fail;
	}
	pr->types = t;
	pr->ncols = ncols;
	if (!ncols && text(pr, "(source fields)", 15) < 0)
		return -1;
	return text(pr, "\n", 1);
fail:
	free(t);
	return -1;
}

void sl_print_row_begin(sl_print *pr)
{
	pr->col = 0;
}

int sl_print_field(sl_print *pr, const void *p, size_t n)
{
	size_t col = pr->col++;
	sl_value v;
	sl_buf b = SL_BUF_ZERO;
	int r;

	if (col && text(pr, " | ", 3) < 0)
		return -1;
	if (n == SL_NULL_LEN)
		return text(pr, "NULL", 4);
	if (n == SL_ABSENT_LEN)
		return text(pr, "(absent)", 8);
	if (col >= pr->ncols)
		return printable(pr, p, n);
	if (sl_value_decode(&pr->types[col], p, (uint32_t)n, &v) < 0 || v.kind == SL_V_NULL)
		return text(pr, "?", 1);
	if (sl_value_format(&v, &b) < 0) {
		errno = ENOMEM;
		return -1;
	}
	r = printable(pr, b.p ? b.p : "", b.len);
	sl_buf_free(&b);
	return r;
}

int sl_print_row_end(sl_print *pr)
{
	return text(pr, "\n", 1);
}

int sl_print_error(sl_print *pr, const char *reason, size_t rlen, const char *src, size_t slen, uint64_t line)
{
	char num[32];
	int k = snprintf(num, sizeof num, "%" PRIu64, line);

	if (text(pr, "# filtered (line ", 17) < 0 || text(pr, num, (size_t)k) < 0 ||
	    text(pr, "): ", 3) < 0 || printable(pr, reason, rlen) < 0 ||
	    text(pr, " src line [", 11) < 0 || printable(pr, src, slen) < 0)
		return -1;
	return text(pr, "]\n", 2);
}

int sl_print_abort(sl_print *pr, const char *msg, size_t n)
{
	if (text(pr, "# abort: ", 9) < 0 || printable(pr, msg, n) < 0)
		return -1;
	return text(pr, "\n", 1);
}
