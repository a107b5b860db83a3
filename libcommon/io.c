/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io.c -- EINTR-safe fd I/O, full-length loops, growable buffers and
 * atomic file replacement (temp file, fsync, rename, fsync dir).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"

ssize_t sl_fd_read(int fd, void *buf, size_t n)
{
	ssize_t r;
	int e = errno;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r >= 0)
		errno = e;
	return r;
}

ssize_t sl_fd_write(int fd, const void *buf, size_t n)
{
	ssize_t r;
	int e = errno;

	do
		r = write(fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r == 0 && n) {
		errno = EIO;
		return -1;
	}
	if (r > 0)
		errno = e;
	return r;
}

size_t sl_allread(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = sl_fd_read(fd, (char *)buf + done, n - done);
		if (r < 0)
			return done;
		if (r == 0) {
			errno = 0;
			return done;
		}
		done += (size_t)r;
	}
	return done;
}

size_t sl_allwrite(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = sl_fd_write(fd, (const char *)buf + done, n - done);
		if (r < 0)
			return done;
		done += (size_t)r;
	}
	return done;
}

void sl_pipe_grow(int fd)
{
	struct stat st;
	int e = errno;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, (int)SL_PIPE_SIZE);
	errno = e;
}

void sl_pipe_grow_std(void)
{
	sl_pipe_grow(0);
	sl_pipe_grow(1);
}

int sl_buf_reserve(sl_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1) {
		errno = ENOMEM;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->p, cap);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 1;
}

int sl_buf_put(sl_buf *b, const void *p, size_t n)
{
	if (sl_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return 1;
}

int sl_buf_puts(sl_buf *b, const char *s)
{
	return sl_buf_put(b, s, strlen(s));
}

int sl_buf_putc(sl_buf *b, char c)
{
	return sl_buf_put(b, &c, 1);
}

int sl_buf_printf(sl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(0, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (sl_buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 1;
}

int sl_buf_cstr(sl_buf *b)
{
	if (sl_buf_reserve(b, 0) < 0)
		return -1;
	b->p[b->len] = 0;
	return 1;
}

void sl_buf_free(sl_buf *b)
{
	free(b->p);
	b->p = 0;
	b->len = b->cap = 0;
}

int sl_fd_read_buf(int fd, sl_buf *b, size_t max)
{
	char tmp[65536];
	size_t start = b->len;
	ssize_t r;

	while (b->len - start < max) {
		size_t want = max - (b->len - start) < sizeof tmp ? max - (b->len - start) : sizeof tmp;
		if ((r = sl_fd_read(fd, tmp, want)) < 0)
			return -1;
		if (r == 0)
			break;
		if (sl_buf_put(b, tmp, (size_t)r) < 0) {
			errno = ENOMEM;
			return -1;
		}
	}
	return 1;
}

int sl_file_read(const char *path, sl_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	if (sl_fd_read_buf(fd, b, SIZE_MAX) < 0) {
		r = errno;
		close(fd);
		errno = r;
		return -1;
	}
	close(fd);
	return sl_buf_cstr(b);
}

int sl_fsync_dir(const char *path)
{
	struct stat st;
	char dir[PATH_MAX];
	int fd, r;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(dir, sizeof dir, "%s", path);
	} else {
		const char *slash = strrchr(path, '/');
		if (!slash)
			snprintf(dir, sizeof dir, ".");
		else if (slash == path)
			snprintf(dir, sizeof dir, "/");
		else
			snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	if (r < 0 && errno == EINVAL)
		r = 0;
	{
		int e = errno;
		close(fd);
		errno = e;
	}
	return r < 0 ? -1 : 1;
}

int sl_file_write_atomic(const char *path, const void *p, size_t n, int mode)
{
	char tmp[PATH_MAX];
	int fd, e;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (sl_allwrite(fd, p, n) < n || fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return sl_fsync_dir(path);
}
