/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gcwal.c -- a table's group-commit write-ahead log (gcwal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gcwal.h"
#include "fsutil.h"
#include "crcfast.h"

#define WAL_MAGIC 0x534c4757u   /* "SLGW" */
#define REC_MAGIC 0x534c4752u   /* "SLGR" */
#define WAL_VERSION 1u
#define SPOOL_FLUSH (256u << 10)
#define COPY_CHUNK (1u << 20)

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

int sl_gcwal_dir(const sl_store *st, const char *db, const char *table, int mk, char *out)
{
	if (sl_fsutil_pathf(out, "%s/%s/%s/gc", st->dir, db, table) < 0)
		return -1;
	return mk ? sl_fsutil_mkdir_p(out) : 1;
}

int sl_gcwal_lock(const char *gcdir, const char *name, int op)
{
	char p[PATH_MAX];
	int fd;

	if (sl_fsutil_pathf(p, "%s/%s", gcdir, name) < 0)
		return -1;
	if ((fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return -1;
	return sl_fsutil_flock(fd, op);
}

/* ---- spooling a load's record ---- */

/* Spool files are recycled: a dropped one is renamed to gcdir/free-K
 * (K below SPOOL_FREE), and a new spool takes one by renaming it to its
 * own name (a rename claims it for one taker only), instead of an
 * unlink and a create per load: on ext4 without a journal, creating a
 * file scans past every inode deleted in the last seconds (its
 * recently_deleted check), a cost that grows with the load rate. A free
 * file is never named by the log; at most SPOOL_FREE of them stay. */
#define SPOOL_FREE 32u
#define SPOOL_PROBES 4u

static int free_name(const char *gcdir, unsigned k, char *out)
{
	return sl_fsutil_pathf(out, "%s/free-%u", gcdir, k % SPOOL_FREE);
}

/* Rename a free spool file to path: 1 done, 0 none free. */
static int spool_take(const char *gcdir, const char *path)
{
	char p[PATH_MAX];
	unsigned k = (unsigned)getpid();

	for (unsigned i = 0; i < SPOOL_PROBES; i++)
		if (free_name(gcdir, k + i, p) > 0 && renameat2(AT_FDCWD, p, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
			return 1;
	return 0;
}

void sl_gcwal_spool_drop(const char *gcdir, const char *path)
{
	char p[PATH_MAX];
	unsigned k = (unsigned)getpid();
	int e = errno;

	for (unsigned i = 0; i < SPOOL_PROBES; i++) {
		if (free_name(gcdir, k + i, p) < 0)
			break;
		if (renameat2(AT_FDCWD, path, AT_FDCWD, p, RENAME_NOREPLACE) == 0) {
			errno = e;
			return;
		}
		if (errno != EEXIST)
			break;
	}
	unlink(path);
	errno = e;
}

int sl_gcwal_spool_open(const char *gcdir, sl_gcwal_spool *sp)
{
	static atomic_uint seq;
	unsigned char hdr[SL_GCWAL_RECHDR] = { 0 };

	memset(sp, 0, sizeof *sp);
	sp->fd = -1;
	if (sl_fsutil_pathf(sp->path, "%s/spool-%ld-%u", gcdir, (long)getpid(), atomic_fetch_add(&seq, 1)) < 0)
		return -1;
	/* a taken file is written over and cut at finish: a truncation
	 * to 0 makes ext4 write its old blocks out (auto_da_alloc) */
	sp->reused = spool_take(gcdir, sp->path);
	sp->fd = open(sp->path, O_RDWR | O_CREAT | (sp->reused ? 0 : O_TRUNC) | O_CLOEXEC, 0644);
	if (sp->fd < 0)
		return -1;
	/* the record's header is written last, at finish */
	return sl_buf_put(&sp->buf, hdr, sizeof hdr);
}

static int spool_flush(sl_gcwal_spool *sp)
{
	if (sp->buf.len && sl_fd_write(sp->fd, sp->buf.p, sp->buf.len) < 0)
		return -1;
	sp->buf.len = 0;
	return 1;
}

int sl_gcwal_spool_add(sl_gcwal_spool *sp, char type, const char *p, size_t n)
{
	unsigned char e[5];
	size_t at = sp->buf.len;

	if (n > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	e[0] = (unsigned char)type;
	put32(e + 1, (uint32_t)n);
	if (sl_buf_put(&sp->buf, e, sizeof e) < 0 || sl_buf_put(&sp->buf, p, n) < 0)
		return -1;
	sp->crc = sl_crcfast_update(sp->crc, sp->buf.p + at, sp->buf.len - at);
	sp->len += sizeof e + n;
	if (type == 'R')
		sp->rows++;
	return sp->buf.len >= SPOOL_FLUSH ? spool_flush(sp) : 1;
}

/* The CRC of a record: its len and rows, then the payload's CRC folded
 * in by continuing over the payload (crc of payload is computed apart,
 * so the header part is hashed over the payload's running value). */
static uint32_t rec_crc(uint64_t len, uint64_t rows, uint32_t payload_crc)
{
	unsigned char b[20];

	put64(b, len);
	put64(b + 8, rows);
	put32(b + 16, payload_crc);
	return sl_crcfast_update(0, b, sizeof b);
}

int sl_gcwal_spool_finish(sl_gcwal_spool *sp)
{
	unsigned char h[SL_GCWAL_RECHDR];
	int r;

	put32(h, REC_MAGIC);
	put32(h + 4, rec_crc(sp->len, sp->rows, sp->crc));
	put64(h + 8, sp->len);
	put64(h + 16, sp->rows);
	r = spool_flush(sp) < 0 || pwrite(sp->fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
	    (sp->reused && ftruncate(sp->fd, (off_t)(SL_GCWAL_RECHDR + sp->len)) < 0) ? -1 : 1;
	sl_fsutil_close_keep_errno(sp->fd);
	sp->fd = -1;
	return r;
}

void sl_gcwal_spool_discard(sl_gcwal_spool *sp)
{
	int e = errno;

	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	if (sp->path[0])
		unlink(sp->path);
	sp->path[0] = 0;
	sl_buf_free(&sp->buf);
	errno = e;
}

/* ---- the log ---- */

static int write_header(int fd, uint64_t gen)
{
	unsigned char h[SL_GCWAL_HDR];

	put32(h, WAL_MAGIC);
	put32(h + 4, WAL_VERSION);
	put64(h + 8, gen);
	return pwrite(fd, h, sizeof h, 0) == (ssize_t)sizeof h ? 1 : -1;
}

/* A record's header at off: 1 read (len, rows, crc); 0 none or torn. */
static int rec_header(int fd, uint64_t off, uint64_t size, uint64_t *len, uint64_t *rows, uint32_t *crc)
{
	unsigned char h[SL_GCWAL_RECHDR];

	if (size - off < SL_GCWAL_RECHDR || sl_fsutil_pread_all(fd, h, sizeof h, off) <= 0 ||
	    get32(h) != REC_MAGIC)
		return 0;
	*crc = get32(h + 4);
	*len = get64(h + 8);
	*rows = get64(h + 16);
	return *len <= size - off - SL_GCWAL_RECHDR;
}

/* The CRC of the payload of len bytes at off. 1, -1 errno. */
static int payload_crc(int fd, uint64_t off, uint64_t len, uint32_t *crc)
{
	size_t cap = len < COPY_CHUNK ? (size_t)len : COPY_CHUNK;
	char *b = malloc(cap ? cap : 1);

	if (!b)
		return -1;
	*crc = 0;
	while (len) {
		size_t n = len < cap ? (size_t)len : cap;
		if (sl_fsutil_pread_all(fd, b, n, off) <= 0) {
			free(b);
			errno = errno ? errno : EIO;
			return -1;
		}
		*crc = sl_crcfast_update(*crc, b, n);
		off += n;
		len -= n;
	}
	free(b);
	return 1;
}

/* Whether the record at off is complete: its header read and its CRC
 * checked against its payload. 1 yes (*len, *rows), 0 no, -1 errno. */
static int rec_complete(int fd, uint64_t off, uint64_t size, uint64_t *len, uint64_t *rows)
{
	uint32_t crc, c;

	if (rec_header(fd, off, size, len, rows, &crc) <= 0)
		return 0;
	if (payload_crc(fd, off + SL_GCWAL_RECHDR, *len, &c) < 0)
		return -1;
	return rec_crc(*len, *rows, c) == crc;
}

/* Walk the records from w->end on (w->nrec, rows and last counting the
 * records before it, all complete): w->end, nrec, rows and last after
 * the last complete record. From a trusted end hint only the walk's last
 * record can be torn (see the end hint below), so only its CRC is
 * checked; a whole walk (all: no hint trusted, as after a crash of the
 * machine, when bytes not yet fdatasync'd may be lost in any order)
 * checks every record's and ends before the first that fails: every
 * record after it was never acknowledged, since an appender's fdatasync
 * makes every byte before its record durable too. */
static int walk_from(sl_gcwal *w, int all)
{
	uint64_t off = w->end, len = 0, rows = 0, lastoff = 0, prev = w->last;

	while (rec_header(w->fd, off, w->size, &len, &rows, &(uint32_t){ 0 }) > 0) {
		if (all && lastoff) {
			int r = rec_complete(w->fd, lastoff, w->size, &(uint64_t){ 0 }, &(uint64_t){ 0 });
			if (r < 0)
				return -1;
			if (r == 0)
				break;  /* lastoff's record fails: the check below cuts there */
		}
		if (lastoff)
			prev = lastoff;
		lastoff = off;
		w->nrec++;
		w->rows += rows;
		off += SL_GCWAL_RECHDR + len;
	}
	if (lastoff) {
		int r = rec_complete(w->fd, lastoff, w->size, &len, &rows);
		if (r < 0)
			return -1;
		if (r == 0) {
			off = lastoff;
			w->nrec--;
			w->rows -= rows;
		}
		w->last = r ? lastoff : prev;
	}
	w->end = off;
	return 1;
}

/* ---- the end hint ----
 *
 * Finding the log's end by walking it costs a read per record, and the
 * log holds every load since the last group commit (thousands in an
 * interval): an append would cost O(records). So the appender, under
 * gc/append.lock, leaves where the log ends in the content of
 * gc/append.lock once its record's bytes are in the file (before its
 * fdatasync):
 *
 *   magic:u32 "SLGE"  crc:u32  boot_id[36]  ino:u64  gen:u64
 *   end:u64  last:u64  nrec:u64  rows:u64
 *
 * (crc: CRC-32 of what follows it; boot_id: the kernel's
 * /proc/sys/kernel/random/boot_id; ino: the log file's inode; last: the
 * offset of the record that ends at end). The next opener trusts it only
 * when its CRC checks, it was written since this boot, its ino and gen
 * are the log's, end is within the file's size, and the record at last
 * is complete (header, CRC) and ends at end; it then walks on from end
 * (nothing there, or what a crashed appender left). Otherwise it walks
 * the whole log, and a holder of the lock rewrites the hint.
 *
 * Why a trusted hint gives the end a walk from the header gives:
 * - Since this boot, the page cache holds every byte written, synced or
 *   not: a process killed at any instant leaves the file exactly as its
 *   last completed write left it. Under the lock, an appender (1) finds
 *   the end, (2) cuts a torn tail there, (3) copies its record, (4)
 *   writes the hint; the committer's rotation (under the same lock)
 *   makes a new file with the next gen and another inode. So every
 *   record before a hint's end is complete and the file is never cut
 *   below it: a kill before (4) leaves the previous hint, a prefix of
 *   the log (stale), after which the walk from end finds the crashed
 *   appender's record, complete or torn, exactly as a whole walk would;
 *   a kill in (4) leaves a hint whose CRC fails (a whole walk). A hint
 *   of another generation (a rotation since), another file, or beyond
 *   the file's size is never trusted.
 * - A reader without the lock reads the hint before the file's size: an
 *   append after the hint only grows the log past end, and bytes below
 *   a hint's end never change in that file.
 * - After a crash of the machine (another boot_id), the bytes of records
 *   not yet fdatasync'd may be lost in any order while the hint
 *   survived: the hint is ignored and the log walked whole, every
 *   record's CRC checked (walk_from). Every acknowledged record was
 *   fdatasync'd, with everything before it, so the walk reaches it, and
 *   a record that fails (its header durable, its payload not) was never
 *   acknowledged, nor any after it: the log ends before it.
 * - The hint is advisory: failing to write it fails nothing; the next
 *   opener walks.
 */
#define HINT_MAGIC 0x534c4745u  /* "SLGE" */
#define HINT_BOOT 36u
#define HINT_SIZE (8u + HINT_BOOT + 6u * 8u)

/* This boot's id (read once); NULL when unknown (no hint then). */
static const char *boot_id(void)
{
	static char id[HINT_BOOT];
	static int state;       /* 0 unread, 1 read, -1 unknown */
	int fd;

	if (state == 0) {
		state = -1;
		fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (sl_fsutil_pread_all(fd, id, sizeof id, 0) > 0)
				state = 1;
			close(fd);
		}
	}
	return state > 0 ? id : NULL;
}

typedef struct hint {
	uint64_t ino, gen, end, last, nrec, rows;
} hint;

/* The hint in fd: 1 read and valid for this boot, 0 none. */
static int hint_read(int fd, hint *h)
{
	unsigned char b[HINT_SIZE];
	const unsigned char *q = b + 8 + HINT_BOOT;
	const char *id = boot_id();

	if (fd < 0 || !id || sl_fsutil_pread_all(fd, b, sizeof b, 0) <= 0 || get32(b) != HINT_MAGIC ||
	    get32(b + 4) != sl_crcfast_update(0, b + 8, sizeof b - 8) || memcmp(b + 8, id, HINT_BOOT))
		return 0;
	h->ino = get64(q);
	h->gen = get64(q + 8);
	h->end = get64(q + 16);
	h->last = get64(q + 24);
	h->nrec = get64(q + 32);
	h->rows = get64(q + 40);
	return 1;
}

/* Leave w's end in fd (held gc/append.lock). Failures are ignored. */
static void hint_write(int fd, const sl_gcwal *w)
{
	unsigned char b[HINT_SIZE], *q = b + 8 + HINT_BOOT;
	const char *id = boot_id();

	if (fd < 0 || !id)
		return;
	put32(b, HINT_MAGIC);
	memcpy(b + 8, id, HINT_BOOT);
	put64(q, w->ino);
	put64(q + 8, w->gen);
	put64(q + 16, w->end);
	put64(q + 24, w->last);
	put64(q + 32, w->nrec);
	put64(q + 40, w->rows);
	put32(b + 4, sl_crcfast_update(0, b + 8, sizeof b - 8));
	if (pwrite(fd, b, sizeof b, 0) < 0)
		(void)0;        /* advisory: the next opener walks */
}

/* Start w's walk at the hint when it can be trusted (above). 1 yes, 0
 * no (w untouched), -1 errno. */
static int hint_use(sl_gcwal *w, const hint *h)
{
	uint64_t len, rows;
	int r;

	if (h->ino != w->ino || h->gen != w->gen || h->end > w->size || h->end < SL_GCWAL_HDR)
		return 0;
	if (h->nrec == 0) {
		if (h->end != SL_GCWAL_HDR || h->rows)
			return 0;
	} else {
		if (h->last < SL_GCWAL_HDR || h->last > h->end - SL_GCWAL_RECHDR)
			return 0;
		if ((r = rec_complete(w->fd, h->last, w->size, &len, &rows)) <= 0)
			return r;
		if (h->last + SL_GCWAL_RECHDR + len != h->end || rows > h->rows)
			return 0;
	}
	w->end = h->end;
	w->last = h->last;
	w->nrec = h->nrec;
	w->rows = h->rows;
	return 1;
}

/* Open gcdir/wal (read-write when cut) and find its end, using the hint
 * in hfd (gc/append.lock; -1 none), which a cut (the lock held) also
 * rewrites when it was not used. */
static int open_log(const char *gcdir, int cut, int hfd, sl_gcwal *w)
{
	char p[PATH_MAX];
	unsigned char h[SL_GCWAL_HDR];
	struct stat sb;
	hint ht = { 0 };
	int r = 0, had;

	memset(w, 0, sizeof *w);
	w->fd = -1;
	if (sl_fsutil_pathf(p, "%s/wal", gcdir) < 0)
		return -1;
	if ((w->fd = open(p, (cut ? O_RDWR : O_RDONLY) | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	/* the hint before the size: an append in between only adds bytes */
	had = hint_read(hfd, &ht);
	if (fstat(w->fd, &sb) < 0)
		goto fail;
	w->size = (uint64_t)sb.st_size;
	w->ino = (uint64_t)sb.st_ino;
	if (sl_fsutil_pread_all(w->fd, h, sizeof h, 0) <= 0 || get32(h) != WAL_MAGIC || get32(h + 4) != WAL_VERSION) {
		errno = EPROTO;
		goto fail;
	}
	w->gen = get64(h + 8);
	if (had && (r = hint_use(w, &ht)) < 0)
		goto fail;
	if (r == 0) {
		w->end = SL_GCWAL_HDR;
		w->last = 0;
		w->nrec = w->rows = 0;
	}
	if (walk_from(w, r == 0) < 0)
		goto fail;
	if (cut && w->end < w->size) {
		if (ftruncate(w->fd, (off_t)w->end) < 0 || fdatasync(w->fd) < 0)
			goto fail;
		w->size = w->end;
	}
	if (cut && (r == 0 || w->end != ht.end))
		hint_write(hfd, w);
	return 1;
fail:
	sl_fsutil_close_keep_errno(w->fd);
	w->fd = -1;
	return -1;
}

int sl_gcwal_open(const char *gcdir, int cut, sl_gcwal *w)
{
	char p[PATH_MAX];
	int hfd, r;

	if (sl_fsutil_pathf(p, "%s/append.lock", gcdir) < 0)
		return -1;
	hfd = open(p, (cut ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	r = open_log(gcdir, cut, hfd, w);
	sl_fsutil_close_keep_errno(hfd);
	return r;
}

void sl_gcwal_close(sl_gcwal *w)
{
	sl_fsutil_close_keep_errno(w->fd);
	w->fd = -1;
}

/* Copy n bytes of src at *in to dst at *out (both advanced):
 * copy_file_range, else read and write. 1, -1 errno. */
static int copy_bytes(int src, loff_t *in, int dst, loff_t *out, uint64_t n)
{
	char b[1 << 16];

	while (n) {
		ssize_t k = copy_file_range(src, in, dst, out, n, 0);
		if (k < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) {
			size_t m = n < sizeof b ? (size_t)n : sizeof b;
			if (sl_fsutil_pread_all(src, b, m, (uint64_t)*in) <= 0 ||
			    pwrite(dst, b, m, *out) != (ssize_t)m)
				return -1;
			k = (ssize_t)m;
			*in += k;
			*out += k;
		} else if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		n -= (uint64_t)k;
	}
	return 1;
}

/* Write a new log of generation gen to gcdir/wal.tmp holding src's
 * bytes [from, to), fsync it and rename it over gcdir/wal. */
static int new_log(const char *gcdir, uint64_t gen, int src, uint64_t from, uint64_t to)
{
	char tmp[PATH_MAX], p[PATH_MAX];
	int fd;

	if (sl_fsutil_pathf(tmp, "%s/wal.tmp", gcdir) < 0 || sl_fsutil_pathf(p, "%s/wal", gcdir) < 0)
		return -1;
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (write_header(fd, gen) < 0)
		goto fail;
	if (to > from) {
		loff_t in = (loff_t)from, outo = SL_GCWAL_HDR;
		if (copy_bytes(src, &in, fd, &outo, to - from) < 0)
			goto fail;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, p) < 0 || sl_fsync_dir(gcdir) < 0)
		return -1;
	return 1;
fail:
	sl_fsutil_close_keep_errno(fd);
	unlink(tmp);
	return -1;
}

int sl_gcwal_append(const char *gcdir, const char *path, sl_gcwal_pos *pos)
{
	int lk = sl_gcwal_lock(gcdir, "append.lock", LOCK_EX), src = -1, r;
	unsigned char h[SL_GCWAL_RECHDR];
	sl_gcwal w = { .fd = -1 };
	struct stat sb;
	loff_t in = 0, out;

	if (lk < 0)
		return -1;
	if ((r = open_log(gcdir, 1, lk, &w)) == 0) {
		if (new_log(gcdir, 1, -1, 0, 0) < 0 || open_log(gcdir, 1, lk, &w) <= 0)
			goto fail;
	} else if (r < 0) {
		goto fail;
	}
	if ((src = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(src, &sb) < 0 ||
	    sl_fsutil_pread_all(src, h, sizeof h, 0) <= 0)
		goto fail;
	if (get32(h) != REC_MAGIC || get64(h + 8) + SL_GCWAL_RECHDR != (uint64_t)sb.st_size) {
		errno = EPROTO;         /* not a finished spool */
		goto fail;
	}
	pos->gen = w.gen;
	pos->off = w.end;
	pos->rows = get64(h + 16);
	out = (loff_t)w.end;
	if (copy_bytes(src, &in, w.fd, &out, (uint64_t)sb.st_size) < 0)
		goto undo;
	pos->end = (uint64_t)out;
	close(src);
	src = -1;
	/* the record is in the file: the next appender starts at its end */
	w.last = pos->off;
	w.end = pos->end;
	w.nrec++;
	w.rows += pos->rows;
	hint_write(lk, &w);
	/* the record is complete: the next appender may follow it while we
	 * sync. Concurrent appenders' fdatasyncs share the file system's
	 * journal commit (a group fsync); each returns once every byte
	 * written before it, its own record included, is durable. */
	close(lk);
	lk = -1;
	if (fdatasync(w.fd) < 0)
		goto fail;
	sl_gcwal_close(&w);
	return 1;
undo:
	{
		int e = errno;
		if (ftruncate(w.fd, (off_t)pos->off) < 0)
			(void)0;        /* the next appender cuts it as a torn tail */
		errno = e;
	}
fail:
	sl_fsutil_close_keep_errno(src);
	sl_gcwal_close(&w);
	sl_fsutil_close_keep_errno(lk);
	return -1;
}

int sl_gcwal_rotate(const char *gcdir, sl_gcwal *w, uint64_t end)
{
	uint64_t gen = w->gen + 1, tail = w->end;
	int fd = w->fd;

	if (end < SL_GCWAL_HDR || end > tail) {
		errno = EINVAL;
		return -1;
	}
	if (new_log(gcdir, gen, fd, end, tail) < 0)
		return -1;
	sl_gcwal_close(w);
	return sl_gcwal_open(gcdir, 0, w) > 0 ? 1 : -1;
}

/* ---- reading records ---- */

/* A buffered reader of [off, to) of fd, with the running CRC. */
typedef struct rdr {
	int fd;
	uint64_t off, to;
	char *b;
	size_t pos, len;
	uint32_t crc;
} rdr;

/* n bytes into dst (growing it); 1, 0 past to, -1 errno. */
static int rd_get(rdr *r, sl_buf *dst, size_t n)
{
	dst->len = 0;
	if (sl_buf_reserve(dst, n + 1) < 0)
		return -1;
	while (dst->len < n) {
		size_t k;
		if (r->pos == r->len) {
			size_t want = COPY_CHUNK;
			if (r->to - r->off < want)
				want = (size_t)(r->to - r->off);
			if (!want)
				return 0;
			if (sl_fsutil_pread_all(r->fd, r->b, want, r->off) <= 0) {
				errno = errno ? errno : EIO;
				return -1;
			}
			r->off += want;
			r->pos = 0;
			r->len = want;
		}
		k = r->len - r->pos;
		if (k > n - dst->len)
			k = n - dst->len;
		memcpy(dst->p + dst->len, r->b + r->pos, k);
		dst->len += k;
		r->pos += k;
	}
	return 1;
}

/* One record's entries to fn; its CRC checked. */
static int read_record(rdr *r, sl_buf *e, int (*fn)(void *, char, const char *, size_t), void *ctx)
{
	uint64_t len, rows, done = 0;
	uint32_t crc, c = 0;
	const unsigned char *h;

	if (rd_get(r, e, SL_GCWAL_RECHDR) <= 0)
		goto bad;
	h = (const unsigned char *)e->p;
	if (get32(h) != REC_MAGIC)
		goto bad;
	crc = get32(h + 4);
	len = get64(h + 8);
	rows = get64(h + 16);
	while (done < len) {
		uint32_t n;
		char type;
		if (len - done < 5 || rd_get(r, e, 5) <= 0)
			goto bad;
		c = sl_crcfast_update(c, e->p, 5);
		type = e->p[0];
		n = get32((const unsigned char *)e->p + 1);
		if (len - done - 5 < n || rd_get(r, e, n) <= 0)
			goto bad;
		c = sl_crcfast_update(c, e->p, n);
		done += 5 + (uint64_t)n;
		if (fn(ctx, type, e->p, n) < 0)
			return -1;
	}
	if (rec_crc(len, rows, c) != crc)
		goto bad;
	return 1;
bad:
	if (errno != ENOMEM)
		errno = EPROTO;
	return -1;
}

int sl_gcwal_read(sl_gcwal *w, uint64_t from, uint64_t to,
	int (*fn)(void *ctx, char type, const char *p, size_t n), void *ctx)
{
	rdr r = { .fd = w->fd, .off = from, .to = to };
	sl_buf e = SL_BUF_ZERO;
	int rc = 1;

	if (!(r.b = malloc(COPY_CHUNK)))
		return -1;
	while (r.off < r.to || r.pos < r.len) {
		errno = 0;
		if (read_record(&r, &e, fn, ctx) < 0) {
			rc = -1;
			break;
		}
	}
	free(r.b);
	sl_buf_free(&e);
	return rc;
}
