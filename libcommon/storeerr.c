/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storeerr.c -- the detail of the last corruption the store met in this
 * thread (storeerr.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "storeerr.h"

static __thread char store_err[512];
static __thread int store_errno;

int sl_storeerr_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(store_err, sizeof store_err, fmt, ap);
	va_end(ap);
	store_errno = errno = EPROTO;
	return -1;
}

int sl_storeerr_seterr(int e, const char *msg)
{
	snprintf(store_err, sizeof store_err, "%s", msg);
	store_errno = errno = e;
	return -1;
}

void sl_storeerr_clear(void)
{
	store_err[0] = 0;
	store_errno = 0;
}

const char *sl_storeerr_msg(void)
{
	return store_err;
}

const char *sl_storeerr_for(int e)
{
	return store_err[0] && e == store_errno ? store_err : 0;
}
