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

int sl_gcwal_spool_open(const char *gcdir, sl_gcwal_spool *sp)
{
	static atomic_uint seq;
	unsigned char hdr[SL_GCWAL_RECHDR] = { 0 };

	memset(sp, 0, sizeof *sp);
	sp->fd = -1;
	if (sl_fsutil_pathf(sp->path, "%s/spool-%ld-%u", gcdir, (long)getpid(), atomic_fetch_add(&seq, 1)) < 0)
		return -1;
	sp->fd = open(sp->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
	r = spool_flush(sp) < 0 || pwrite(sp->fd, h, sizeof h, 0) != (ssize_t)sizeof h ? -1 : 1;
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
	char *b = malloc(COPY_CHUNK);

	if (!b)
		return -1;
	*crc = 0;
	while (len) {
		size_t n = len < COPY_CHUNK ? (size_t)len : COPY_CHUNK;
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

/* Walk the records from the header on: w->end, nrec, rows. */
static int find_end(sl_gcwal *w)
{
	uint64_t off = SL_GCWAL_HDR, len = 0, rows = 0, lastoff = 0, lastlen = 0, lastrows = 0;
	uint32_t crc = 0, lastcrc = 0, c;

	w->nrec = w->rows = 0;
	while (rec_header(w->fd, off, w->size, &len, &rows, &crc) > 0) {
		lastoff = off;
		lastlen = len;
		lastrows = rows;
		lastcrc = crc;
		w->nrec++;
		w->rows += rows;
		off += SL_GCWAL_RECHDR + len;
	}
	if (w->nrec) {
		/* only the last record can be torn: every earlier one was
		 * complete and fdatasync'd when the next was appended */
		if (payload_crc(w->fd, lastoff + SL_GCWAL_RECHDR, lastlen, &c) < 0)
			return -1;
		if (rec_crc(lastlen, lastrows, c) != lastcrc) {
			off = lastoff;
			w->nrec--;
			w->rows -= lastrows;
		}
	}
	w->end = off;
	return 1;
}

int sl_gcwal_open(const char *gcdir, int cut, sl_gcwal *w)
{
	char p[PATH_MAX];
	unsigned char h[SL_GCWAL_HDR];
	struct stat sb;

	memset(w, 0, sizeof *w);
	w->fd = -1;
	if (sl_fsutil_pathf(p, "%s/wal", gcdir) < 0)
		return -1;
	if ((w->fd = open(p, (cut ? O_RDWR : O_RDONLY) | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(w->fd, &sb) < 0)
		goto fail;
	w->size = (uint64_t)sb.st_size;
	if (sl_fsutil_pread_all(w->fd, h, sizeof h, 0) <= 0 || get32(h) != WAL_MAGIC || get32(h + 4) != WAL_VERSION) {
		errno = EPROTO;
		goto fail;
	}
	w->gen = get64(h + 8);
	if (find_end(w) < 0)
		goto fail;
	if (cut && w->end < w->size) {
		if (ftruncate(w->fd, (off_t)w->end) < 0 || fdatasync(w->fd) < 0)
			goto fail;
		w->size = w->end;
	}
	return 1;
fail:
	sl_fsutil_close_keep_errno(w->fd);
	w->fd = -1;
	return -1;
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
	if ((r = sl_gcwal_open(gcdir, 1, &w)) == 0) {
		if (new_log(gcdir, 1, -1, 0, 0) < 0 || sl_gcwal_open(gcdir, 1, &w) <= 0)
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
