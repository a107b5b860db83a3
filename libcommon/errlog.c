/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errlog.c -- a load's error log (errlog.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errtext.h"
#include "errlog.h"

#define CHUNK 65536

static int errlog_path(sl_buf *out, const char *dir, const char *db, const char *table,
	const char *label, int64_t txn_id)
{
	unsigned char r[16];
	size_t got = 0, i;

	while (got < sizeof r) {
		ssize_t k = getrandom(r + got, sizeof r - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	if (sl_buf_printf(out, "%s/_error_log/error_log_%s.%s.%s_%" PRId64 "_", dir, db, table, label, txn_id) < 0)
		return -1;
	for (i = 0; i < sizeof r; i++)
		if (sl_buf_printf(out, "%02x", r[i]) < 0)
			return -1;
	return sl_buf_cstr(out);
}

int sl_errlog_create(sl_errlog *el, const char *dir, const char *db, const char *table,
	const char *label, int64_t txn_id)
{
	if (errlog_path(&el->path, dir, db, table, label, txn_id) < 0) {
		el->path.len = 0;
		return -1;
	}
	el->fd = open(el->path.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (el->fd < 0 && errno == ENOENT) {
		char *slash = strrchr(el->path.p, '/');
		if (slash) {
			*slash = 0;
			mkdir(el->path.p, 0755);
			*slash = '/';
		}
		el->fd = open(el->path.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (el->fd < 0)
		return -1;
	el->created = 1;
	return 1;
}

static int flush(sl_errlog *el)
{
	if (el->fd >= 0 && el->buf.len) {
		if (sl_allwrite(el->fd, el->buf.p, el->buf.len) != el->buf.len)
			return -1;
		el->buf.len = 0;
	}
	return 1;
}

/* Append p[0..n) to the current line, within its room; a long piece goes
 * straight to the file, not through the buffer. 1, -1 ENOMEM, -2 write. */
static int put(sl_errlog *el, const char *p, size_t n)
{
	if ((int64_t)n > el->room)
		n = (size_t)el->room;
	el->room -= (int64_t)n;
	if (!n)
		return 1;
	if (n >= CHUNK)
		return flush(el) < 0 || sl_allwrite(el->fd, p, n) != n ? -2 : 1;
	if (sl_buf_put(&el->buf, p, n) < 0)
		return -1;
	if (el->buf.len >= CHUNK && flush(el) < 0)
		return -2;
	return 1;
}

/* "Reason: " reason ". src line [" src "]; " and a newline; a line longer
 * than the limit keeps that many bytes and ends in "error log is too
 * long" (spec 2.4). */
static int line(sl_errlog *el, const sl_field *reason, const sl_field *src)
{
	uint64_t len = 8 + (uint64_t)reason->n + 12 + (uint64_t)src->n + 3;
	int r;

	el->room = el->limit;
	if ((r = put(el, "Reason: ", 8)) < 0 || (r = put(el, reason->p, reason->n)) < 0 ||
	    (r = put(el, ". src line [", 12)) < 0 || (r = put(el, src->p, src->n)) < 0 ||
	    (r = put(el, "]; ", 3)) < 0)
		return r;
	el->room = INT64_MAX;
	if (len > (uint64_t)el->limit && (r = put(el, "error log is too long", 21)) < 0)
		return r;
	return put(el, "\n", 1);
}

int sl_errlog_add(sl_errlog *el, const sl_field *reason, const sl_field *src)
{
	if (!el->first_error) {
		sl_buf b = SL_BUF_ZERO;
		if (sl_first_error(&b, reason->p, reason->n, src->p, src->n) < 0)
			return -1;
		el->first_error = b.p;
	}
	if (el->nlogged >= SL_ERRLOG_LINES)
		return 1;
	el->nlogged++;
	return line(el, reason, src);
}

int sl_errlog_close(sl_errlog *el)
{
	int r, e;

	if (el->fd < 0)
		return 1;
	r = flush(el);
	e = errno;
	close(el->fd);
	el->fd = -1;
	errno = e;
	return r;
}
