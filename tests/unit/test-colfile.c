/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-colfile.c -- unit tests of the columnar readers' shared part
 * (libcommon/colfile.c): a regular file read in place, a pipe spooled to
 * an unnamed temporary file with the same bytes, the bound (EFBIG, no file
 * left behind), the format names, and a reader missing from the build.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "colfile.h"
#include "input.h"
#include "io.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-colfile-XXXXXX";

/* The entries of dir besides . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

/* A pipe holding n bytes of 'x' .. and its read end as an input. */
static sl_input *pipe_of(size_t n, int *rfd)
{
	int p[2];
	const char *err = 0;
	char *buf = malloc(n + 1);
	CHECK(buf && pipe(p) == 0);
	memset(buf, 'x', n);
	if (fork() == 0) {
		close(p[0]);
		sl_allwrite(p[1], buf, n);
		_exit(0);
	}
	close(p[1]);
	free(buf);
	*rfd = p[0];
	return sl_input_open(p[0], 0, &err);
}

static void test_spool(void)
{
	char path[64], err[256], got[8];
	sl_colsrc src;
	sl_input *in;
	int fd, rfd;

	snprintf(path, sizeof path, "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(fd >= 0 && sl_allwrite(fd, "PAR1data", 8) == 8 && lseek(fd, 0, SEEK_SET) == 0);
	/* a regular file at its start: itself */
	CHECK(sl_colfile_spool(fd, 0, dir, 100, &src, err, sizeof err) == 1);
	CHECK(src.fd == fd && src.size == 8 && !src.in);
	CHECK(sl_colfile_spool(fd, 0, dir, 7, &src, err, sizeof err) == -1 && errno == EFBIG);
	/* not at its start: copied */
	CHECK(lseek(fd, 4, SEEK_SET) == 4);
	in = sl_input_open(fd, 0, (const char **)&(const char *){ 0 });
	CHECK(sl_colfile_spool(fd, in, dir, 100, &src, err, sizeof err) == 1);
	CHECK(src.fd >= 0 && src.fd != fd && src.size == 4);
	CHECK(pread(src.fd, got, 4, 0) == 4 && !memcmp(got, "data", 4));
	close(src.fd);
	sl_input_close(in);
	close(fd);
	unlink(path);

	/* a pipe: spooled, unnamed */
	in = pipe_of(300000, &rfd);
	CHECK(sl_colfile_spool(rfd, in, dir, 300000, &src, err, sizeof err) == 1);
	CHECK(src.size == 300000 && entries() == 0);
	CHECK(pread(src.fd, got, 1, 299999) == 1 && got[0] == 'x');
	close(src.fd);
	sl_input_close(in);
	close(rfd);
	/* over the bound: EFBIG, nothing left */
	in = pipe_of(300001, &rfd);
	CHECK(sl_colfile_spool(-1, in, dir, 300000, &src, err, sizeof err) == -1 && errno == EFBIG);
	CHECK(strstr(err, "larger than 300000 bytes") != 0 && entries() == 0);
	sl_input_close(in);
	close(rfd);
	/* no directory */
	in = pipe_of(10, &rfd);
	CHECK(sl_colfile_spool(-1, in, "/nonexistent/dir", 100, &src, err, sizeof err) == -1);
	CHECK(strstr(err, "unable to create a temporary file under /nonexistent/dir") != 0);
	sl_input_close(in);
	close(rfd);
}

static void test_formats(void)
{
	char err[256];
	sl_colsrc src = { -1, 0, 0 };

	CHECK(sl_colfile_seekable("parquet") == 1 && sl_colfile_seekable("ORC") == 1);
	CHECK(sl_colfile_seekable("arrow") == 0 && sl_colfile_seekable("csv") == -1);
	CHECK(!sl_colfile_open("csv", &src, 0, err, sizeof err) && errno == EINVAL);
	CHECK(!strcmp(err, "csv is not a columnar format"));
}

int main(void)
{
	CHECK(mkdtemp(dir) != 0);
	test_spool();
	test_formats();
	rmdir(dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
