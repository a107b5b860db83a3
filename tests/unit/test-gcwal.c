/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-gcwal.c -- unit tests of the group-commit write-ahead log
 * (libcommon/gcwal.c): spooled records appended and read back, a torn
 * tail cut by the next appender, a damaged record refused, rotation
 * keeping what follows the committed end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gcwal.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[256];

/* Spool a record: a header entry, then rows "<tag>-<i>". */
static int spool(const char *tag, int nrows, sl_gcwal_pos *pos)
{
	sl_gcwal_spool sp;
	char row[64];
	int r;

	if (sl_gcwal_spool_open(dir, &sp) < 0)
		return -1;
	r = sl_gcwal_spool_add(&sp, 'H', "hdr", 3);
	for (int i = 0; r > 0 && i < nrows; i++) {
		int n = snprintf(row, sizeof row, "%s-%d", tag, i);
		r = sl_gcwal_spool_add(&sp, 'R', row, (size_t)n);
	}
	if (r > 0)
		r = sl_gcwal_spool_finish(&sp);
	if (r > 0)
		r = sl_gcwal_append(dir, sp.path, pos);
	sl_gcwal_spool_discard(&sp);
	return r;
}

typedef struct seen { int h, r; char last[64]; } seen;

static int take(void *ctx, char type, const char *p, size_t n)
{
	seen *s = ctx;

	if (type == 'H')
		s->h++;
	else if (type == 'R') {
		s->r++;
		snprintf(s->last, sizeof s->last, "%.*s", (int)n, p);
	}
	return 1;
}

static off_t wal_size(void)
{
	char p[PATH_MAX];
	struct stat sb;

	snprintf(p, sizeof p, "%s/wal", dir);
	return stat(p, &sb) == 0 ? sb.st_size : -1;
}

static void test_append_read(void)
{
	sl_gcwal_pos a, b;
	sl_gcwal w;
	seen s = { 0 };

	CHECK(sl_gcwal_open(dir, 0, &w) == 0);
	CHECK(spool("a", 3, &a) == 1);
	CHECK(spool("b", 100000, &b) == 1);
	CHECK(a.gen == 1 && a.off == SL_GCWAL_HDR && a.rows == 3 && b.off == a.end && b.rows == 100000);
	CHECK(sl_gcwal_open(dir, 0, &w) == 1);
	CHECK(w.gen == 1 && w.nrec == 2 && w.rows == 100003 && w.end == b.end && w.size == b.end);
	CHECK(sl_gcwal_read(&w, SL_GCWAL_HDR, w.end, take, &s) == 1);
	CHECK(s.h == 2 && s.r == 100003 && !strcmp(s.last, "b-99999"));
	sl_gcwal_close(&w);
}

/* A crash in the middle of an append: the next appender cuts it. */
static void test_torn_tail(void)
{
	char p[PATH_MAX];
	off_t before = wal_size();
	sl_gcwal_pos c;
	sl_gcwal w;
	int fd;

	snprintf(p, sizeof p, "%s/wal", dir);
	fd = open(p, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "SLGR\0\0\0\0\0\0\0\0\0\0\0\x40", 16) == 16);
	close(fd);
	CHECK(sl_gcwal_open(dir, 0, &w) == 1 && w.end == (uint64_t)before && w.nrec == 2);
	sl_gcwal_close(&w);
	CHECK(spool("c", 2, &c) == 1 && c.off == (uint64_t)before);
	CHECK(wal_size() == (off_t)c.end);
	/* a complete record whose bytes are wrong, last: torn too */
	fd = open(p, O_RDWR);
	CHECK(fd >= 0 && pwrite(fd, "X", 1, (off_t)c.end - 2) == 1);
	close(fd);
	CHECK(sl_gcwal_open(dir, 0, &w) == 1 && w.end == c.off && w.nrec == 2);
	sl_gcwal_close(&w);
	CHECK(spool("c", 2, &c) == 1 && c.off == (uint64_t)before);
}

/* A damaged record before others: reading it fails (EPROTO). */
static void test_damaged(void)
{
	char p[PATH_MAX];
	sl_gcwal w;
	seen s = { 0 };
	int fd;

	snprintf(p, sizeof p, "%s/wal", dir);
	fd = open(p, O_RDWR);
	CHECK(fd >= 0 && pwrite(fd, "Z", 1, SL_GCWAL_HDR + SL_GCWAL_RECHDR + 7) == 1);
	close(fd);
	CHECK(sl_gcwal_open(dir, 0, &w) == 1 && w.nrec == 3);
	errno = 0;
	CHECK(sl_gcwal_read(&w, SL_GCWAL_HDR, w.end, take, &s) == -1 && errno == EPROTO);
	sl_gcwal_close(&w);
	fd = open(p, O_RDWR);
	CHECK(fd >= 0 && pwrite(fd, "h", 1, SL_GCWAL_HDR + SL_GCWAL_RECHDR + 7) == 1);
	close(fd);
}

static void test_rotate(void)
{
	sl_gcwal w;
	seen s = { 0 };
	uint64_t second;

	CHECK(sl_gcwal_open(dir, 1, &w) == 1 && w.nrec == 3);
	second = SL_GCWAL_HDR + SL_GCWAL_RECHDR + 5 + 3;
	for (int i = 0; i < 3; i++)
		second += 5 + 3;        /* "a-0".."a-2" */
	CHECK(sl_gcwal_rotate(dir, &w, second) == 1);
	CHECK(w.gen == 2 && w.nrec == 2 && w.rows == 100002);
	CHECK(sl_gcwal_read(&w, SL_GCWAL_HDR, w.end, take, &s) == 1 && s.r == 100002 && !strcmp(s.last, "c-1"));
	CHECK(sl_gcwal_rotate(dir, &w, w.end) == 1 && w.gen == 3 && w.nrec == 0 && w.end == SL_GCWAL_HDR);
	errno = 0;
	CHECK(sl_gcwal_rotate(dir, &w, 3) == -1 && errno == EINVAL);
	sl_gcwal_close(&w);
}

static void test_not_a_log(void)
{
	char p[PATH_MAX];
	sl_gcwal w;
	sl_gcwal_pos pos;

	snprintf(p, sizeof p, "%s/wal", dir);
	CHECK(truncate(p, 0) == 0);
	errno = 0;
	CHECK(sl_gcwal_open(dir, 0, &w) == -1 && errno == EPROTO);
	errno = 0;
	CHECK(spool("d", 1, &pos) == -1 && errno == EPROTO);
	CHECK(sl_gcwal_lock(dir, "x.lock", LOCK_EX) >= 0);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/test-gcwal.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	test_append_read();
	test_torn_tail();
	test_damaged();
	test_rotate();
	test_not_a_log();
	{
		char cmd[PATH_MAX + 16];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
