/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.c -- the stream load record (record.h): <data-dir>/<db>/_load_record.
 * The name starts with '_', which no table name may (store.h), so it never
 * clashes with a table, and it goes away with DROP DATABASE.
 *
 * The file is a sequence of records, each
 *   len:u32 BE, crc32:u32 BE (zlib, over the payload), payload
 * payload = 'L', version:u8 (1), start_ms, finish_ms, total, loaded,
 *   filtered, unselected, load_bytes (u64 BE each), then label, db, table,
 *   client_ip, user, status, message, comment, url (len:u16 BE + bytes each).
 * Payloads of another kind or version are skipped, so are records whose CRC
 * fails; a record running past the end (a torn append) ends the file for
 * readers, and the next writer cuts it.
 *
 * Writers hold flock(<db>/lock) (the store's database lock) and append
 * the new record with ONE write(2) without reading the file: the cost of a
 * load does not grow with the records before it. Only when the file's size
 * (fstat) passes REC_BOUND(max) -- twice what max records of the largest
 * possible size take -- is it read and the newest max records rewritten to
 * a new file renamed into place (sl_file_write_atomic), so the rewrite
 * happens at most once per max appends. Readers list the newest max. The
 * append is not fsync'd: the record is informational (the transaction log
 * is the truth) and a load should not pay a second fsync for it. Readers
 * take no lock.
 *
 * Since a writer does not read, it cannot cut a torn append (a crash
 * mid-write): the next record lands behind it. Readers therefore
 * resynchronise: where a record does not check out (its length runs past
 * the end, or its CRC fails), they look for the next good one a byte
 * further on; the next rewrite drops the damage.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "sl.h"
#include "io.h"
#include "store.h"
#include "record.h"

#define REC_KIND        'L'
#define REC_VERSION     1
#define REC_MAX         (64u << 10)     /* sanity bound on one record */
#define REC_DEFAULT_MAX 1000
#define REC_CAP_MAX     1000000
/* the largest record: header, kind, version, 7 u64, 9 strings at most
 * their field's size - 1 plus a u16 length each */
#define REC_LARGEST     (8 + 2 + 7 * 8 + 9 * 2 + 128 + 64 + 64 + 63 + 64 + 31 + 511 + 255 + 511)
#define REC_BOUND(max)  ((off_t)(max) * 2 * REC_LARGEST)

static int rec_path(const sl_store *st, const char *db, const char *leaf, char *p)
{
	int n = snprintf(p, PATH_MAX, "%s/%s/%s", st->dir, db, leaf);

	if (n < 0 || n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 1;
}

/* stream_load_record_max from sl.conf; default 1000 (also for 0 or junk). */
static size_t record_max(const sl_store *st)
{
	const char *v = sl_store_conf(st, "stream_load_record_max");
	char *end;
	long long n;

	if (!v)
		return REC_DEFAULT_MAX;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n <= 0)
		return REC_DEFAULT_MAX;
	return n > REC_CAP_MAX ? REC_CAP_MAX : (size_t)n;
}

/* ---- encoding ---- */

static int put_u64(sl_buf *b, int64_t v)
{
	char x[8];

	sl_u64_pack(x, (uint64_t)v);
	return sl_buf_put(b, x, 8);
}

/* A fixed-size field of the struct: at most cap-1 bytes, NUL or not. */
static int put_str(sl_buf *b, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap - 1);
	char x[2];

	sl_u16_pack(x, (uint16_t)n);
	if (sl_buf_put(b, x, 2) < 0)
		return -1;
	return sl_buf_put(b, s, n);
}

#define PUT_STR(b, r, f) put_str(b, (r)->f, sizeof (r)->f)

static int encode(sl_buf *b, const sl_load_record *r)
{
	size_t at = b->len;
	char hdr[8] = { 0 };

	if (sl_buf_put(b, hdr, 8) < 0 || sl_buf_putc(b, REC_KIND) < 0 || sl_buf_putc(b, REC_VERSION) < 0 ||
	    put_u64(b, r->start_ms) < 0 || put_u64(b, r->finish_ms) < 0 || put_u64(b, r->total) < 0 ||
	    put_u64(b, r->loaded) < 0 || put_u64(b, r->filtered) < 0 || put_u64(b, r->unselected) < 0 ||
	    put_u64(b, r->load_bytes) < 0 ||
	    PUT_STR(b, r, label) < 0 || PUT_STR(b, r, db) < 0 || PUT_STR(b, r, table) < 0 ||
	    PUT_STR(b, r, client_ip) < 0 || PUT_STR(b, r, user) < 0 || PUT_STR(b, r, status) < 0 ||
	    PUT_STR(b, r, message) < 0 || PUT_STR(b, r, comment) < 0 || PUT_STR(b, r, url) < 0)
		return -1;
	sl_u32_pack(b->p + at, (uint32_t)(b->len - at - 8));
	sl_u32_pack(b->p + at + 4, (uint32_t)crc32(0, (const Bytef *)b->p + at + 8, (uInt)(b->len - at - 8)));
	return 1;
}

typedef struct cursor { const char *p; size_t n; int bad; } cursor;

static int64_t get_u64(cursor *c)
{
	int64_t v;

	if (c->n < 8) {
		c->bad = 1;
		return 0;
	}
	v = (int64_t)sl_u64_unpack(c->p);
	c->p += 8;
	c->n -= 8;
	return v;
}

static void get_str(cursor *c, char *dst, size_t cap)
{
	size_t n, k;

	dst[0] = 0;
	if (c->n < 2) {
		c->bad = 1;
		return;
	}
	n = sl_u16_unpack(c->p);
	if (c->n - 2 < n) {
		c->bad = 1;
		return;
	}
	k = n < cap - 1 ? n : cap - 1;
	memcpy(dst, c->p + 2, k);
	dst[k] = 0;
	c->p += 2 + n;
	c->n -= 2 + n;
}

#define GET_STR(c, r, f) get_str(c, (r)->f, sizeof (r)->f)

/* 1 decoded, 0 a payload to skip (other kind/version, malformed). */
static int decode(const char *p, size_t n, sl_load_record *r)
{
	cursor c;

	if (n < 2 || p[0] != REC_KIND || p[1] != REC_VERSION)
		return 0;
	c.p = p + 2;
	c.n = n - 2;
	c.bad = 0;
	memset(r, 0, sizeof *r);
	r->start_ms = get_u64(&c);
	r->finish_ms = get_u64(&c);
	r->total = get_u64(&c);
	r->loaded = get_u64(&c);
	r->filtered = get_u64(&c);
	r->unselected = get_u64(&c);
	r->load_bytes = get_u64(&c);
	GET_STR(&c, r, label);
	GET_STR(&c, r, db);
	GET_STR(&c, r, table);
	GET_STR(&c, r, client_ip);
	GET_STR(&c, r, user);
	GET_STR(&c, r, status);
	GET_STR(&c, r, message);
	GET_STR(&c, r, comment);
	GET_STR(&c, r, url);
	return !c.bad;
}

/* Walk the records of buf: calls fn(offset, len) for each whole record
 * with a good CRC. Damage (a length running past the end, a bad CRC: a
 * torn append with records behind it) is stepped over a byte at a time
 * until a good record starts again. */
static void walk(const char *buf, size_t n, void (*fn)(void *, size_t, size_t), void *arg)
{
	size_t off = 0;

	while (n - off >= 8) {
		uint32_t len = sl_u32_unpack(buf + off), crc = sl_u32_unpack(buf + off + 4);
		if (len == 0 || len > REC_MAX || n - off - 8 < len ||
		    (uint32_t)crc32(0, (const Bytef *)buf + off + 8, len) != crc) {
			off++;
			continue;
		}
		if (fn)
			fn(arg, off, len + 8);
		off += 8 + (size_t)len;
	}
}

/* Offsets of the good records, for trimming. */
typedef struct spans { size_t *off, *len; size_t n, cap; int oom; } spans;

static void span_add(void *arg, size_t off, size_t len)
{
	spans *s = arg;

	if (s->oom)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		size_t *o = realloc(s->off, cap * sizeof *o), *l;
		if (!o) {
			s->oom = 1;
			return;
		}
		s->off = o;
		if (!(l = realloc(s->len, cap * sizeof *l))) {
			s->oom = 1;
			return;
		}
		s->len = l;
		s->cap = cap;
	}
	s->off[s->n] = off;
	s->len[s->n++] = len;
}

/* Read the whole of fd into b. 1, -1 errno. */
static int read_fd(int fd, sl_buf *b)
{
	for (;;) {
		ssize_t k;
		if (sl_buf_reserve(b, 65536) < 0)
			return -1;
		k = sl_fd_read(fd, b->p + b->len, b->cap - b->len);
		if (k < 0)
			return -1;
		if (k == 0)
			return 1;
		b->len += (size_t)k;
	}
}

int sl_record_add(sl_store *st, const sl_load_record *r)
{
	char lockp[PATH_MAX], path[PATH_MAX];
	sl_buf file = SL_BUF_ZERO, rec = SL_BUF_ZERO, out = SL_BUF_ZERO;
	spans sp = { 0, 0, 0, 0, 0 };
	size_t max = record_max(st);
	struct stat sb;
	int lk = -1, fd = -1, ret = -1, e;

	if (sl_name_valid(r->db) < 0) {
		errno = ENOENT;
		return -1;
	}
	if (rec_path(st, r->db, "lock", lockp) < 0 || rec_path(st, r->db, "_load_record", path) < 0)
		return -1;
	if (encode(&rec, r) < 0)
		goto out;
	/* the lock file exists as long as the database does: ENOENT = no db */
	if ((lk = open(lockp, O_RDWR | O_CLOEXEC)) < 0)
		goto out;
	while (flock(lk, LOCK_EX) < 0)
		if (errno != EINTR)
			goto out;
	/* opened under the lock: a rewrite renames a new file into place */
	if ((fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0 || fstat(fd, &sb) < 0)
		goto out;
	if (sb.st_size + (off_t)rec.len > REC_BOUND(max)) {
		/* keep the newest max - 1 and the new one */
		size_t i;
		if (read_fd(fd, &file) < 0)
			goto out;
		walk(file.p, file.len, span_add, &sp);
		if (sp.oom) {
			errno = ENOMEM;
			goto out;
		}
		for (i = sp.n > max - 1 ? sp.n - (max - 1) : 0; i < sp.n; i++)
			if (sl_buf_put(&out, file.p + sp.off[i], sp.len[i]) < 0)
				goto out;
		if (sl_buf_put(&out, rec.p, rec.len) < 0 || sl_file_write_atomic(path, out.p, out.len, 0644) < 0)
			goto out;
	} else if (sl_allwrite(fd, rec.p, rec.len) < rec.len) {
		/* never leave half a record behind a good file */
		e = errno;
		if (ftruncate(fd, sb.st_size) < 0) { /* readers step over it */ }
		errno = e;
		goto out;
	}
	ret = 1;
out:
	e = errno;
	if (fd >= 0)
		close(fd);
	if (lk >= 0)
		close(lk);
	sl_buf_free(&file);
	sl_buf_free(&rec);
	sl_buf_free(&out);
	free(sp.off);
	free(sp.len);
	errno = e;
	return ret;
}

int sl_record_list(sl_store *st, const char *db, sl_load_record **out, size_t *n, size_t limit)
{
	char path[PATH_MAX];
	sl_buf file = SL_BUF_ZERO;
	spans sp = { 0, 0, 0, 0, 0 };
	sl_load_record *v = 0;
	size_t cnt = 0, first = 0;
	int e, r;

	*out = 0;
	*n = 0;
	e = errno;
	if (sl_name_valid(db) < 0) {
		errno = e;
		return 0;
	}
	if ((r = sl_db_exists(st, db)) <= 0)
		return r;
	if (rec_path(st, db, "_load_record", path) < 0)
		return -1;
	if (sl_file_read(path, &file) < 0) {
		if (errno == ENOENT) {
			errno = e;
			return 1;
		}
		return -1;
	}
	walk(file.p, file.len, span_add, &sp);
	if (sp.oom) {
		errno = ENOMEM;
		goto fail;
	}
	if (sp.n && !(v = malloc(sp.n * sizeof *v)))
		goto fail;
	for (size_t i = 0; i < sp.n; i++)
		if (decode(file.p + sp.off[i] + 8, sp.len[i] - 8, &v[cnt]))
			cnt++;
	/* the file may hold more than max (see the top): list the newest max */
	if (!limit || limit > record_max(st))
		limit = record_max(st);
	if (cnt > limit) {
		first = cnt - limit;
		memmove(v, v + first, limit * sizeof *v);
		cnt = limit;
	}
	sl_buf_free(&file);
	free(sp.off);
	free(sp.len);
	*out = v;
	*n = cnt;
	return 1;
fail:
	e = errno;
	free(v);
	sl_buf_free(&file);
	free(sp.off);
	free(sp.len);
	errno = e;
	return -1;
}

/* ---- a record's columns ---- */

const char *const sl_record_cols[SL_RECORD_NCOLS] = { "Label", "Db", "Table", "ClientIp", "Status", "Message",
	"Url", "TotalRows", "LoadedRows", "FilteredRows", "UnselectedRows", "LoadBytes", "StartTime", "FinishTime",
	"User", "Comment" };
const int sl_record_numeric[SL_RECORD_NCOLS] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0 };

int sl_record_col(const char *name)
{
	for (size_t c = 0; c < SL_RECORD_NCOLS; c++)
		if (!strcasecmp(name, sl_record_cols[c]))
			return (int)c;
	return -1;
}

/* "YYYY-MM-DD HH:MM:SS.mmm" in local time into tmp, "" if it cannot be. */
static const char *rec_time(int64_t ms, char *tmp, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	size_t k;

	if (!localtime_r(&t, &tm) || !(k = strftime(tmp, cap, "%Y-%m-%d %H:%M:%S", &tm)))
		return "";
	snprintf(tmp + k, cap - k, ".%03d", (int)(ms % 1000));
	return tmp;
}

int sl_record_field(const sl_load_record *r, size_t col, const char **text, int64_t *num, char *tmp, size_t cap)
{
	const int64_t counts[] = { r->total, r->loaded, r->filtered, r->unselected, r->load_bytes };

	switch (col) {
	case 0: *text = r->label; return 0;
	case 1: *text = r->db; return 0;
	case 2: *text = r->table; return 0;
	case 3: *text = r->client_ip; return 0;
	case 4: *text = r->status; return 0;
	case 5: *text = r->message; return 0;
	case 6: *text = r->url[0] ? r->url : "N/A"; return 0;
	case 7: case 8: case 9: case 10: case 11:
		*num = counts[col - 7];
		return 1;
	case 12: *text = rec_time(r->start_ms, tmp, cap); return 0;
	case 13: *text = rec_time(r->finish_ms, tmp, cap); return 0;
	case 14: *text = r->user; return 0;
	default: *text = r->comment; return 0;
	}
}

int sl_record_cmp(const sl_load_record *a, const sl_load_record *b, size_t col)
{
	char ta[32], tb[32];
	const char *sa = 0, *sb = 0;
	int64_t na = 0, nb = 0;
	size_t la, lb;
	int c;

	if (sl_record_field(a, col, &sa, &na, ta, sizeof ta)) {
		sl_record_field(b, col, &sb, &nb, tb, sizeof tb);
		return na < nb ? -1 : na > nb;
	}
	sl_record_field(b, col, &sb, &nb, tb, sizeof tb);
	la = strlen(sa);
	lb = strlen(sb);
	c = memcmp(sa, sb, la < lb ? la : lb);
	return c ? c : la < lb ? -1 : la > lb;
}
