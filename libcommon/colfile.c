/* SPDX-License-Identifier: Apache-2.0 */
/* colfile.c -- the columnar readers' dispatch by format name and the body spooled to a bounded temporary file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include "colfile.h"
#include "datetime.h"
#include "io.h"

/* The parquet and orc readers are modules of their own; a build without
 * one answers that the format is not supported yet. */
#if __has_include("parquet.h")
#define COLFILE_PARQUET sl_parquet_open
#else
#define COLFILE_PARQUET 0
#endif
#if __has_include("orc.h")
#define COLFILE_ORC sl_orc_open
#else
#define COLFILE_ORC 0
#endif

#if __has_include("arrow.h")
#define COLFILE_ARROW sl_arrow_open
#else
#define COLFILE_ARROW 0
#endif

typedef sl_colreader *(*colfile_open_fn)(const sl_colsrc *, const sl_colopts *, char *, size_t);

static const struct colfile_format {
	const char *name;
	int seekable;
	colfile_open_fn open;
} formats[] = {
	{ "parquet", 1, COLFILE_PARQUET },
	{ "orc", 1, COLFILE_ORC },
	{ "arrow", 0, COLFILE_ARROW },
};

static const struct colfile_format *find(const char *format)
{
	size_t i;
	for (i = 0; format && i < sizeof formats / sizeof *formats; i++)
		if (!strcasecmp(format, formats[i].name))
			return &formats[i];
	return 0;
}

int sl_colfile_seekable(const char *format)
{
	const struct colfile_format *f = find(format);
	return f ? f->seekable : -1;
}

sl_colreader *sl_colfile_open(const char *format, const sl_colsrc *src, const sl_colopts *o,
	char *err, size_t errlen)
{
	const struct colfile_format *f = find(format);

	if (!f) {
		snprintf(err, errlen, "%s is not a columnar format", format ? format : "(none)");
		errno = EINVAL;
		return 0;
	}
	if (!f->open) {
		snprintf(err, errlen, "format %s is not supported yet: this build has no %s reader", f->name, f->name);
		errno = ENOTSUP;
		return 0;
	}
	if (o && o->timezone && *o->timezone && !sl_tz_set(o->timezone)) {
		snprintf(err, errlen, "unknown time zone %s", o->timezone);
		errno = EINVAL;
		return 0;
	}
	return f->open(src, o, err, errlen);
}

void sl_colfile_typed(sl_colreader *r)
{
	for (size_t i = 0; i < r->ncols; i++)
		r->cols[i].typed = r->cols[i].typed_kind != 0;
}

int sl_colfile_next(sl_colreader *r, sl_field *vals)
{
	return r->ops->next(r, vals);
}

void sl_colfile_free(sl_colreader *r)
{
	if (r)
		r->ops->free(r);
}

int sl_colfile_tempfile(const char *dir)
{
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if ((size_t)snprintf(path, sizeof path, "%s/.tmp.spool.XXXXXX", dir) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	return fd;
}

/* in copied to the temporary file tfd, at most max bytes. 1; -1 errno. */
static int copy_body(sl_input *in, int tfd, uint64_t max, uint64_t *size, char *err, size_t errlen)
{
	static char buf[1 << 16];
	uint64_t total = 0;
	ssize_t n;

	while ((n = sl_input_read(in, buf, sizeof buf)) > 0) {
		total += (uint64_t)n;
		if (total > max) {
			snprintf(err, errlen, "the body is larger than %llu bytes", (unsigned long long)max);
			errno = EFBIG;
			return -1;
		}
		if (sl_allwrite(tfd, buf, (size_t)n) < (size_t)n) {
			snprintf(err, errlen, "unable to write the spooled body: %s", strerror(errno));
			return -1;
		}
	}
	if (n < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", sl_input_error(in));
		errno = e ? e : EIO;
		return -1;
	}
	*size = total;
	return 1;
}

int sl_colfile_spool(int fd, sl_input *in, const char *dir, uint64_t max, sl_colsrc *src,
	char *err, size_t errlen)
{
	struct stat sb;
	int tfd, e;

	memset(src, 0, sizeof *src);
	src->fd = -1;
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && lseek(fd, 0, SEEK_CUR) == 0 &&
	    (!in || sl_input_raw_bytes(in) == 0)) {
		if ((uint64_t)sb.st_size > max) {
			snprintf(err, errlen, "the body is larger than %llu bytes", (unsigned long long)max);
			errno = EFBIG;
			return -1;
		}
		src->fd = fd;
		src->size = (uint64_t)sb.st_size;
		return 1;
	}
	if (!in) {
		snprintf(err, errlen, "no body to read");
		errno = EINVAL;
		return -1;
	}
	if ((tfd = sl_colfile_tempfile(dir)) < 0) {
		e = errno;
		snprintf(err, errlen, "unable to create a temporary file under %s: %s", dir, strerror(e));
		errno = e;
		return -1;
	}
	if (copy_body(in, tfd, max, &src->size, err, errlen) < 0) {
		e = errno;
		close(tfd);
		errno = e;
		return -1;
	}
	src->fd = tfd;
	return 1;
}
