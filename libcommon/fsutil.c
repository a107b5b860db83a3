/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsutil.c -- the file helpers of the store (fsutil.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "fsutil.h"

int sl_fsutil_pathf(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 1;
}

static int is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int sl_fsutil_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof tmp) {
		errno = n ? ENAMETOOLONG : ENOENT;
		return -1;
	}
	/* the common case, one stat: a mkdir of each component takes its
	 * parent's lock even when it exists */
	if (is_dir(path))
		return 1;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		tmp[i] = 0;
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		if (i < n)
			tmp[i] = '/';
	}
	if (!is_dir(path)) {
		errno = ENOTDIR;
		return -1;
	}
	return 1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void sl_fsutil_rm_rf(const char *path)
{
	int e = errno;
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	errno = e;
}

void sl_fsutil_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[PATH_MAX];
	int e = errno;

	if (!d) {
		errno = e;
		return;
	}
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		int dead = 0;
		if (!strncmp(nm, ".trash.", 7)) {
			dead = 1;
		} else if (!strncmp(nm, ".tmp.", 5)) {
			const char *dot = strrchr(nm, '.');
			long pid = strtol(dot + 1, 0, 10);
			dead = pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
		}
		if (dead && sl_fsutil_pathf(p, "%s/%s", dir, nm) > 0)
			sl_fsutil_rm_rf(p);
	}
	closedir(d);
	errno = e;
}

int sl_fsutil_write_synced(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), e;

	if (fd < 0)
		return -1;
	if (sl_allwrite(fd, p, n) < n || fsync(fd) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd) < 0 ? -1 : 1;
}

void sl_fsutil_close_keep_errno(int fd)
{
	int e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
}

int sl_fsutil_flock(int fd, int mode)
{
	while (flock(fd, mode) < 0) {
		if (errno != EINTR) {
			sl_fsutil_close_keep_errno(fd);
			return -1;
		}
	}
	return fd;
}

int sl_fsutil_rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 1;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* a file system without RENAME_NOREPLACE: link fails on EEXIST too */
	if (link(from, to) < 0)
		return -1;
	return unlink(from) < 0 ? -1 : 1;
}

/* The seal's nanoseconds for a file of inode ino and size n: odd, so that
 * a clock that keeps whole microseconds or coarser never makes one. */
static long seal_ns(uint64_t ino, uint64_t n)
{
	uint64_t h = ino * 0x9e3779b97f4a7c15ull ^ (n + 0x632be59bd9b4e019ull);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return (long)(h % 500000000u) * 2 + 1;
}

void sl_fsutil_seal(int fd)
{
	struct stat sb;
	struct timespec ts[2];

	if (fstat(fd, &sb) < 0)
		return;
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = time(0);
	ts[1].tv_nsec = seal_ns((uint64_t)sb.st_ino, (uint64_t)sb.st_size);
	(void)futimens(fd, ts);
}

int sl_fsutil_sealed(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) == 0 &&
	       sb.st_mtim.tv_nsec == seal_ns((uint64_t)sb.st_ino, (uint64_t)sb.st_size);
}

int sl_fsutil_pread_all(int fd, void *p, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)p + done, n - done, (off_t)(off + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return 0;
		done += (size_t)r;
	}
	return 1;
}

