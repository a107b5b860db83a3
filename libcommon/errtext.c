/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errtext.c -- bounded texts about rejected rows (errtext.h).
 */
#include "errtext.h"
#include "utf8.h"

/* Append p[0..n) cut to cap bytes, "..." after a cut. 1, -1 ENOMEM. */
static int put_cut(sl_buf *b, const char *p, size_t n, size_t cap)
{
	size_t k = sl_utf8_cut(p, n, cap);

	if (sl_buf_put(b, p, k) < 0)
		return -1;
	return k < n ? sl_buf_puts(b, "...") : 1;
}

int sl_first_error(sl_buf *out, const char *reason, size_t rn, const char *src, size_t sn)
{
	if (put_cut(out, reason, rn, SL_FIRST_ERROR_PART) < 0 || sl_buf_puts(out, ". Src line: ") < 0 ||
	    put_cut(out, src, sn, SL_FIRST_ERROR_PART) < 0)
		return -1;
	return sl_buf_cstr(out);
}
