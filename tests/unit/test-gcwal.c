/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-gcwal.c -- unit tests of the group-commit write-ahead log
 * (libcommon/gcwal.c): spooled records appended and read back, a torn
 * tail cut by the next appender, a damaged record refused, rotation
 * keeping what follows the committed end, the end hint (stale, of
 * another generation, beyond the file, a torn tail after it) giving the
 * end a whole walk gives, spool files recycled.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gcwal.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[256];

static ssize_t hint_get(unsigned char *b, size_t cap);
static int hint_put(const unsigned char *b, ssize_t n);

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
	/* with no end hint to trust (as after a crash of the machine) the
	 * walk checks every record and ends before the damaged one */
	{
		unsigned char b[256];
		ssize_t n = hint_get(b, sizeof b);
		CHECK(n > 0 && hint_put(b, 0) == 0);
		CHECK(sl_gcwal_open(dir, 0, &w) == 1 && w.nrec == 0 && w.rows == 0 && w.end == SL_GCWAL_HDR);
		sl_gcwal_close(&w);
		CHECK(hint_put(b, n) == 0);
	}
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

/* The end hint: gc/append.lock's content, saved and put back. */
static ssize_t hint_get(unsigned char *b, size_t cap)
{
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(p, sizeof p, "%s/append.lock", dir);
	if ((fd = open(p, O_RDONLY)) < 0)
		return -1;
	n = pread(fd, b, cap, 0);
	close(fd);
	return n;
}

static int hint_put(const unsigned char *b, ssize_t n)
{
	char p[PATH_MAX];
	int fd, r;

	snprintf(p, sizeof p, "%s/append.lock", dir);
	if (n < 0 || (fd = open(p, O_WRONLY | O_TRUNC)) < 0)
		return -1;
	r = write(fd, b, (size_t)n) == n ? 0 : -1;
	close(fd);
	return r;
}

/* The log opened with the hint in place and with none (a whole walk):
 * 1 when both open and agree on end, nrec and rows (*w: the walk's). */
static int same_end(sl_gcwal *w)
{
	unsigned char b[256];
	ssize_t n = hint_get(b, sizeof b);
	sl_gcwal h;
	int ok;

	if (n < 0 || sl_gcwal_open(dir, 0, &h) != 1)
		return 0;
	sl_gcwal_close(&h);
	ok = hint_put(b, 0) == 0 && sl_gcwal_open(dir, 0, w) == 1;
	if (ok)
		sl_gcwal_close(w);
	if (hint_put(b, n) < 0 || !ok)
		return 0;
	if (h.end != w->end || h.nrec != w->nrec || h.rows != w->rows || h.last != w->last) {
		fprintf(stderr, "hint: end %llu nrec %llu rows %llu last %llu; walk: end %llu nrec %llu rows %llu last %llu\n",
			(unsigned long long)h.end, (unsigned long long)h.nrec, (unsigned long long)h.rows,
			(unsigned long long)h.last, (unsigned long long)w->end, (unsigned long long)w->nrec,
			(unsigned long long)w->rows, (unsigned long long)w->last);
		return 0;
	}
	return 1;
}

static int wal_pwrite(const void *b, size_t n, off_t off)
{
	char p[PATH_MAX];
	int fd, r;

	snprintf(p, sizeof p, "%s/wal", dir);
	if ((fd = open(p, O_WRONLY)) < 0)
		return -1;
	r = pwrite(fd, b, n, off) == (ssize_t)n ? 0 : -1;
	close(fd);
	return r;
}

/* The log cut to its header and given records a (2 rows), b (3) and
 * c (4), the hint then saved in h; then cut again and given d (9 rows,
 * as long as a and b) and c again. 1, -1. */
static int abc_then_dc(unsigned char *h, size_t cap, ssize_t *n)
{
	char p[PATH_MAX];
	sl_gcwal_pos x;

	snprintf(p, sizeof p, "%s/wal", dir);
	if (truncate(p, SL_GCWAL_HDR) < 0 || spool("a", 2, &x) < 0 || spool("b", 3, &x) < 0 ||
	    spool("c", 4, &x) < 0 || (*n = hint_get(h, cap)) <= 0)
		return -1;
	if (truncate(p, SL_GCWAL_HDR) < 0 || spool("d", 9, &x) < 0 || x.end != SL_GCWAL_HDR + 104 ||
	    spool("c", 4, &x) < 0)
		return -1;
	return 1;
}

static void test_hint(void)
{
	unsigned char old[256], cur[256];
	ssize_t nold, ncur;
	sl_gcwal_pos e, f, g, x;
	sl_gcwal w, v;
	char p[PATH_MAX];
	unsigned char gen[8] = { 0 };

	snprintf(p, sizeof p, "%s/wal", dir);
	CHECK(spool("e", 2, &e) == 1);
	CHECK((nold = hint_get(old, sizeof old)) > 0);
	CHECK(spool("f", 3, &f) == 1 && spool("g", 4, &g) == 1);
	CHECK(same_end(&w) && w.end == g.end && w.nrec == 3 && w.rows == 9 && w.last == g.off);

	/* the hint is what an open uses: an early record's header damaged
	 * stops a whole walk there, not an open from the hint */
	CHECK(wal_pwrite("X", 1, (off_t)e.off) == 0);
	CHECK(sl_gcwal_open(dir, 0, &v) == 1 && v.end == g.end && v.nrec == 3);
	sl_gcwal_close(&v);
	CHECK(wal_pwrite("S", 1, (off_t)e.off) == 0);

	/* a stale hint (an older end: an appender killed before its hint) */
	CHECK(hint_put(old, nold) == 0);
	CHECK(same_end(&w) && w.end == g.end && w.nrec == 3 && w.rows == 9);
	CHECK(spool("h", 1, &x) == 1 && x.off == g.end && wal_size() == (off_t)x.end);
	CHECK(same_end(&w) && w.end == x.end && w.nrec == 4);

	/* a torn tail after the hint: a partial header, then a complete
	 * header whose payload is short, then a whole record with a bad CRC */
	CHECK(wal_pwrite("SLGR\0\0", 6, (off_t)x.end) == 0);
	CHECK(same_end(&w) && w.end == x.end && w.nrec == 4);
	CHECK(spool("i", 2, &f) == 1 && f.off == x.end && wal_size() == (off_t)f.end);
	CHECK((ncur = hint_get(cur, sizeof cur)) > 0);
	CHECK(spool("j", 2, &g) == 1);
	CHECK(hint_put(cur, ncur) == 0);
	CHECK(truncate(p, (off_t)g.end - 3) == 0);
	CHECK(same_end(&w) && w.end == f.end && w.nrec == 5);
	CHECK(spool("j", 2, &g) == 1 && g.off == f.end && wal_size() == (off_t)g.end);
	CHECK((ncur = hint_get(cur, sizeof cur)) > 0);
	CHECK(spool("k", 2, &x) == 1);
	CHECK(hint_put(cur, ncur) == 0);
	CHECK(wal_pwrite("?", 1, (off_t)x.end - 1) == 0);
	CHECK(same_end(&w) && w.end == g.end && w.nrec == 6);
	CHECK(spool("k", 2, &x) == 1 && x.off == g.end && wal_size() == (off_t)x.end);

	/* a hint beyond the file's size (its end cut off) */
	CHECK((ncur = hint_get(cur, sizeof cur)) > 0);
	CHECK(truncate(p, (off_t)g.end) == 0);
	CHECK(same_end(&w) && w.end == g.end && w.nrec == 6);
	CHECK(spool("k", 2, &x) == 1 && x.off == g.end);

	/* hints of another file and of another generation, over logs where
	 * only that tells them apart: the hint's last record is there,
	 * complete, where the hint says, but what precedes it is one record
	 * of 9 rows where the hint counted two of 2 and 3 */
	CHECK(abc_then_dc(old, sizeof old, &nold) == 1);
	{
		char q[PATH_MAX + 8];
		FILE *in, *out;
		int ch;
		snprintf(q, sizeof q, "%s.new", p);
		in = fopen(p, "rb");
		out = fopen(q, "wb");
		CHECK(in && out);
		while (in && out && (ch = getc(in)) != EOF)
			putc(ch, out);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		CHECK(rename(q, p) == 0);
	}
	CHECK(hint_put(old, nold) == 0);
	CHECK(same_end(&w) && w.nrec == 2 && w.rows == 13);
	CHECK(abc_then_dc(old, sizeof old, &nold) == 1);
	CHECK(sl_gcwal_open(dir, 0, &v) == 1);
	sl_gcwal_close(&v);
	for (int i = 7; i >= 0; i--)
		gen[i] = (unsigned char)((v.gen + 1) >> (8 * (7 - i)));
	CHECK(wal_pwrite(gen, 8, 8) == 0);
	CHECK(hint_put(old, nold) == 0);
	CHECK(same_end(&w) && w.gen == v.gen + 1 && w.nrec == 2 && w.rows == 13);
	CHECK(spool("p", 1, &f) == 1 && f.off == w.end && f.gen == v.gen + 1);
	CHECK(same_end(&w) && w.nrec == 3);

	/* a hint of the previous log (a rotation since) */
	CHECK((ncur = hint_get(cur, sizeof cur)) > 0);
	CHECK(sl_gcwal_open(dir, 1, &v) == 1);
	CHECK(sl_gcwal_rotate(dir, &v, SL_GCWAL_HDR + 104) == 1);
	sl_gcwal_close(&v);
	CHECK(spool("q", 1, &g) == 1);
	CHECK(hint_put(cur, ncur) == 0);
	CHECK(same_end(&w) && w.gen == f.gen + 1 && w.nrec == 3 && w.end == g.end);
	CHECK(spool("r", 1, &x) == 1 && x.off == g.end);
}

/* A dropped spool is kept as a free file and taken by the next spool
 * (the same inode), written over and cut to its own length. */
static void test_spool_recycle(void)
{
	sl_gcwal_spool sp, sq;
	struct stat a, b;
	sl_gcwal_pos pos;
	sl_gcwal w;
	seen s = { 0 };
	char big[200];
	uint64_t before;

	memset(big, 'x', sizeof big);
	CHECK(sl_gcwal_open(dir, 1, &w) == 1);
	before = w.end;
	sl_gcwal_close(&w);
	CHECK(sl_gcwal_spool_open(dir, &sp) == 1 && !sp.reused);
	CHECK(sl_gcwal_spool_add(&sp, 'H', "hdr", 3) == 1 && sl_gcwal_spool_add(&sp, 'R', big, sizeof big) == 1);
	CHECK(sl_gcwal_spool_finish(&sp) == 1 && stat(sp.path, &a) == 0);
	sl_gcwal_spool_drop(dir, sp.path);
	CHECK(access(sp.path, F_OK) < 0);
	sp.path[0] = 0;
	sl_gcwal_spool_discard(&sp);
	/* the next spool takes it: shorter, so cut */
	CHECK(sl_gcwal_spool_open(dir, &sq) == 1 && sq.reused);
	CHECK(sl_gcwal_spool_add(&sq, 'H', "hdr", 3) == 1 && sl_gcwal_spool_add(&sq, 'R', "s-0", 3) == 1);
	CHECK(sl_gcwal_spool_finish(&sq) == 1 && stat(sq.path, &b) == 0);
	CHECK(a.st_ino == b.st_ino && b.st_size == SL_GCWAL_RECHDR + 8 + 8);
	CHECK(sl_gcwal_append(dir, sq.path, &pos) == 1 && pos.off == before && pos.rows == 1);
	sl_gcwal_spool_discard(&sq);
	CHECK(sl_gcwal_open(dir, 0, &w) == 1 && w.end == pos.end);
	CHECK(sl_gcwal_read(&w, pos.off, pos.end, take, &s) == 1 && s.h == 1 && s.r == 1 && !strcmp(s.last, "s-0"));
	sl_gcwal_close(&w);
	/* none free: a new file */
	CHECK(sl_gcwal_spool_open(dir, &sp) == 1 && !sp.reused);
	sl_gcwal_spool_discard(&sp);
}

/* Appenders killed (SIGKILL) at random instants, whatever step they
 * were at: the hint's end is always the whole walk's, and the next
 * append lands there. */
static void test_killed_appenders(void)
{
	int bad = 0;

	srand(7);
	for (int round = 0; round < 60; round++) {
		sl_gcwal_pos x;
		sl_gcwal w;
		pid_t pid = fork();

		if (pid == 0) {
			for (int i = 0;; i++)
				if (spool("z", 1 + i % 7, &x) < 0)
					_exit(1);
		}
		if (pid < 0)
			break;
		usleep((useconds_t)(500 + rand() % 4000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (!same_end(&w) || spool("y", 1, &x) != 1 || x.off != w.end)
			bad++;
	}
	CHECK(bad == 0);
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
	test_hint();
	test_spool_recycle();
	test_killed_appenders();
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
