/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rowset.c -- rowset files: written, checked, listed for a commit record,
 * scanned (rowset.h).
 *
 * Written under a temporary name (O_EXCL), fsync'd, renamed (never over a
 * file), directory fsync'd. Immutable; readers check each against the
 * commit record naming it (txn, table, number, size, rows, sum).
 *
 * Rowset file:
 *   "SLRS" hlen:u32 header[hlen] hcrc:u32
 *     header = version:u16 flags:u16 codec:u32 txn_id:u64 version_lo:u64
 *              version_hi:u64 table_id:u64 rowset_no:u32 nkeys:u32
 *              block_target:u32 ncols:u32 { name:str type:str }*ncols
 *     version 3: then part:u64 newname:str newvalues:str (the partition
 *              the file belongs to; for one the load creates, its name
 *              and canonical values, else both empty); older: part 0
 *   blocks: "SLRB" raw_len:u32 comp_len:u32 nrows:u32 crc:u32 comp[comp_len]
 *     crc = CRC-32 (zlib's crc32, computed by crcfast.h) of the first 16
 *     bytes, continued over comp; raw = nrows
 *     times (len:u32 + R payload)
 *   footer: "SLRE" rows:u64 nblocks:u64 crc:u32 (crc of the first 20 bytes),
 *     then 4 bytes of nothing
 *   version 2 footer: "SLRE" rows:u64 nblocks:u64 sum:u32 crc:u32 (of the
 *     first 24), where sum = CRC-32 over hcrc and then each block's crc
 *     (4 bytes BE each): the whole file's content in one number
 * flags: bit 0 SORTED (rows sorted by the first nkeys columns): set by
 * compaction outputs of key models; loads write 0.
 * The commit record names each file with its rows, size and sum (version
 * 2) and partition (version 3), and the header names its txn, table id,
 * rowset number and partition: a reader checks all of them (the
 * partition unless the commit re-tagged the entry: the file created a
 * partition another load had created already, same name and values), so a file swapped for another valid one, truncated
 * or extended is refused (EPROTO), never read as this txn's rows.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lz4.h>

#include "sl.h"
#include "crcfast.h"
#include "fsutil.h"
#include "storeenc.h"
#include "storeerr.h"
#include "txnslot.h"
#include "rowset.h"

/* raw bytes per rowset block: a reader holds one block of each file it
 * has open (a merge of n segments about n times 0.4 MiB); LZ4 looks back
 * 64 KiB at most, so bigger blocks would not compress better */
#define RS_BLOCK_TARGET  (256u << 10)
#define RS_BLOCK_MAX     (1u << 30)      /* sanity bound when reading */
#define RS_VERSION       3               /* written; 1 and 2 are still read */
#define RS_CODEC_LZ4     1
#define RS_BLOCK_HDR     20              /* "SLRB" raw comp nrows crc */
#define RS_FOOTER        28              /* "SLRE" rows:u64 blocks:u64 crc (+4) */
#define RS_FOOTER2       28              /* version 2: ... blocks:u64 sum:u32 crc */
#define RS_FLAG_SORTED 0x1

struct sl_rowset_writer {
	int fd;
	char tmp[PATH_MAX], fin[PATH_MAX], dir[PATH_MAX];
	sl_buf raw;
	char *cbuf;
	size_t ccap;
	uint32_t brows;
	uint64_t rows, nblocks;
	uint32_t sum;           /* over hcrc and the block crcs (footer) */
};

/* Continue a rowset sum with one 4-byte CRC. */
static uint32_t rs_sum(uint32_t sum, uint32_t crc)
{
	char x[4];
	sl_u32_pack(x, crc);
	return sl_crcfast_update(sum, x, 4);
}

static int rs_flush_block(sl_rowset_writer *w)
{
	int bound, c;
	uint32_t crc;

	if (!w->brows)
		return 1;
	if (w->raw.len > LZ4_MAX_INPUT_SIZE) {
		errno = EFBIG;
		return -1;
	}
	bound = LZ4_compressBound((int)w->raw.len);
	if ((size_t)bound + RS_BLOCK_HDR > w->ccap) {
		char *nb = realloc(w->cbuf, (size_t)bound + RS_BLOCK_HDR);
		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		w->cbuf = nb;
		w->ccap = (size_t)bound + RS_BLOCK_HDR;
	}
	c = LZ4_compress_default(w->raw.p, w->cbuf + RS_BLOCK_HDR, (int)w->raw.len, bound);
	if (c <= 0) {
		errno = EIO;
		return -1;
	}
	memcpy(w->cbuf, "SLRB", 4);
	sl_u32_pack(w->cbuf + 4, (uint32_t)w->raw.len);
	sl_u32_pack(w->cbuf + 8, (uint32_t)c);
	sl_u32_pack(w->cbuf + 12, w->brows);
	crc = sl_crcfast_update(0, w->cbuf, 16);
	crc = sl_crcfast_update(crc, w->cbuf + RS_BLOCK_HDR, (size_t)c);
	sl_u32_pack(w->cbuf + 16, crc);
	w->sum = rs_sum(w->sum, crc);
	if (sl_allwrite(w->fd, w->cbuf, RS_BLOCK_HDR + (size_t)c) < RS_BLOCK_HDR + (size_t)c)
		return -1;
	w->nblocks++;
	w->brows = 0;
	w->raw.len = 0;
	return 1;
}

/* What the header of a new rowset file says: its txn and number, the
 * range of txns merged into it, its table, flags and keys. */
typedef struct rsident {
	int64_t id, vlo, vhi, table_id;
	unsigned no;
	uint16_t flags;
	uint32_t nkeys;
	int64_t part;
	const char *newname, *newvalues;        /* NULL: none */
} rsident;

/* Start rowset file <dir>/<id>-<no>.rs (under its temporary name) with the
 * header of ri and the column specs. NULL with errno. */
static sl_rowset_writer *rs_create(const char *dir, const rsident *ri, size_t ncols,
	const sl_colspec *cols)
{
	sl_rowset_writer *w = calloc(1, sizeof *w);
	sl_buf h = SL_BUF_ZERO;
	char vf[4];
	size_t i;
	int e;

	if (!w) {
		errno = ENOMEM;
		return 0;
	}
	w->fd = -1;
	if (sl_fsutil_pathf(w->dir, "%s", dir) < 0 ||
	    sl_fsutil_pathf(w->tmp, "%s/.%lld-%u.rs.tmp", w->dir, (long long)ri->id, ri->no) < 0 ||
	    sl_fsutil_pathf(w->fin, "%s/%lld-%u.rs", w->dir, (long long)ri->id, ri->no) < 0)
		goto fail;
	sl_u16_pack(vf, RS_VERSION);
	sl_u16_pack(vf + 2, ri->flags);
	/* header payload, framed below */
	if (sl_buf_put(&h, "SLRS\0\0\0\0", 8) < 0 || sl_buf_put(&h, vf, 4) < 0 ||
	    sl_storeenc_put_u32(&h, RS_CODEC_LZ4) < 0 ||
	    sl_storeenc_put_u64(&h, (uint64_t)ri->id) < 0 ||
	    sl_storeenc_put_u64(&h, (uint64_t)ri->vlo) < 0 ||
	    sl_storeenc_put_u64(&h, (uint64_t)ri->vhi) < 0 ||
	    sl_storeenc_put_u64(&h, (uint64_t)ri->table_id) < 0 ||
	    sl_storeenc_put_u32(&h, ri->no) < 0 || sl_storeenc_put_u32(&h, ri->nkeys) < 0 ||
	    sl_storeenc_put_u32(&h, RS_BLOCK_TARGET) < 0 || sl_storeenc_put_u32(&h, (uint32_t)ncols) < 0)
		goto fail;
	for (i = 0; i < ncols; i++)
		if (sl_storeenc_put_str(&h, cols[i].name.p, cols[i].name.n) < 0 ||
		    sl_storeenc_put_str(&h, cols[i].type.p, cols[i].type.n) < 0)
			goto fail;
	if (sl_storeenc_put_u64(&h, (uint64_t)ri->part) < 0 ||
	    sl_storeenc_put_str(&h, ri->newname ? ri->newname : "",
				ri->newname ? strlen(ri->newname) : 0) < 0 ||
	    sl_storeenc_put_str(&h, ri->newvalues ? ri->newvalues : "",
				ri->newvalues ? strlen(ri->newvalues) : 0) < 0)
		goto fail;
	sl_u32_pack(h.p + 4, (uint32_t)(h.len - 8));
	w->sum = rs_sum(0, sl_crcfast_update(0, h.p + 8, h.len - 8));
	if (sl_storeenc_put_u32(&h, sl_crcfast_update(0, h.p + 8, h.len - 8)) < 0)
		goto fail;
	/* never over an existing file: ids are never reused, so one there
	 * is somebody else's (EEXIST) */
	w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0)
		goto fail;
	if (sl_allwrite(w->fd, h.p, h.len) < h.len || sl_buf_reserve(&w->raw, RS_BLOCK_TARGET + 4096) < 0) {
		e = errno;
		unlink(w->tmp);
		errno = e;
		goto fail;
	}
	sl_buf_free(&h);
	return w;
fail:
	e = errno;
	sl_buf_free(&h);
	if (w->fd >= 0)
		close(w->fd);
	sl_buf_free(&w->raw);
	free(w);
	errno = e;
	return 0;
}

sl_rowset_writer *sl_rowset_create(sl_txn *t, size_t ncols, const sl_colspec *cols)
{
	if (t->part0 < 0) {
		errno = EINVAL;         /* a partitioned table: name the partition */
		return 0;
	}
	return sl_rowset_create_part(t, ncols, cols, t->part0, 0, 0);
}

sl_rowset_writer *sl_rowset_create_part(sl_txn *t, size_t ncols, const sl_colspec *cols,
	int64_t part, const char *newname, const char *newvalues)
{
	char dir[PATH_MAX];
	rsident ri = { t->id, t->id, t->id, t->table_id, t->nrowsets, 0, 0, part, newname, newvalues };
	sl_rowset_writer *w;

	if (part < 0 || (newname && (!*newname || strlen(newname) > 64 || !newvalues))) {
		errno = EINVAL;
		return 0;
	}
	if (sl_fsutil_pathf(dir, "%s/%s/%s/data", t->st->dir, t->db, t->table) < 0)
		return 0;
	/* the slot counts the rowsets before their files exist: commit and
	 * cleanup look for exactly those */
	if (t->slot >= 0 && t->lockfd >= 0 && sl_txnslot_write(t->lockfd, t->id, ri.no + 1, 'P') < 0)
		return 0;
	if ((w = rs_create(dir, &ri, ncols, cols)))
		t->nrowsets++;
	return w;
}

int sl_rowset_add(sl_rowset_writer *w, const char *payload, size_t len)
{
	char n[4];

	if (len >= SL_NULL_LEN) {
		errno = ERANGE;
		return -1;
	}
	sl_u32_pack(n, (uint32_t)len);
	if (sl_buf_put(&w->raw, n, 4) < 0 || sl_buf_put(&w->raw, payload, len) < 0)
		return -1;
	w->brows++;
	w->rows++;
	if (w->raw.len >= RS_BLOCK_TARGET)
		return rs_flush_block(w);
	return 1;
}

static void rs_free(sl_rowset_writer *w)
{
	if (w->fd >= 0)
		sl_fsutil_close_keep_errno(w->fd);
	sl_buf_free(&w->raw);
	free(w->cbuf);
	free(w);
}

int sl_rowset_finish(sl_rowset_writer *w, uint64_t *nrows)
{
	char f[RS_FOOTER2];
	int fd;

	if (rs_flush_block(w) < 0)
		goto fail;
	memcpy(f, "SLRE", 4);
	sl_u64_pack(f + 4, w->rows);
	sl_u64_pack(f + 12, w->nblocks);
	sl_u32_pack(f + 20, w->sum);
	sl_u32_pack(f + 24, sl_crcfast_update(0, f, 24));
	if (sl_allwrite(w->fd, f, RS_FOOTER2) < RS_FOOTER2 || fdatasync(w->fd) < 0)
		goto fail;
	fd = w->fd;
	w->fd = -1;
	if (close(fd) < 0 || sl_fsutil_rename_noreplace(w->tmp, w->fin) < 0 || sl_fsync_dir(w->dir) < 0)
		goto fail;
	if (nrows)
		*nrows = w->rows;
	rs_free(w);
	return 1;
fail:
	{
		int e = errno;
		unlink(w->tmp);
		rs_free(w);
		errno = e;
	}
	return -1;
}

void sl_rowset_discard(sl_rowset_writer *w)
{
	int e = errno;
	unlink(w->tmp);
	rs_free(w);
	errno = e;
}

/* Where the footer's CRC is (it covers the bytes before it). */
static size_t rs_fcrc(int version)
{
	return version >= 2 ? 24 : 20;
}

/* What a rowset's header says about it. */
typedef struct rshdr {
	int version;
	int64_t txn_id, table_id;
	uint32_t rowset_no;
	uint32_t hcrc;
	uint32_t ncols;
	char lastcol[64];       /* the last column's name (cut), "" if none */
	int64_t part;           /* version 3; 0 before */
	char newname[65];       /* the partition it creates, "" none */
	char *newvalues;        /* ... its values (malloc'd), NULL none */
} rshdr;

/* The column count and the last column's name, from the header's
 * nkeys:u32 block_target:u32 ncols:u32 { name type }*ncols. */
static void rs_header_cols(sl_storeenc_cur *c, rshdr *out)
{
	sl_field nm = { "", 0 };

	sl_storeenc_u32(c);
	sl_storeenc_u32(c);
	out->ncols = sl_storeenc_u32(c);
	for (uint32_t i = 0; i < out->ncols && !c->bad; i++) {
		nm = sl_storeenc_str(c, c->n);
		sl_storeenc_str(c, c->n);
	}
	sl_storeenc_fcopy(out->lastcol, sizeof out->lastcol, c->bad ? (sl_field){ "", 0 } : nm);
}

/* Version 3's part:u64 newname:str newvalues:str after the columns. 1,
 * 0 bad, -1 ENOMEM. */
static int rs_header_part(sl_storeenc_cur *c, rshdr *out)
{
	sl_field nn, nv;

	out->part = (int64_t)sl_storeenc_u64(c);
	nn = sl_storeenc_str(c, 64);
	nv = sl_storeenc_str(c, c->n);
	if (c->bad || out->part < 0)
		return 0;
	sl_storeenc_fcopy(out->newname, sizeof out->newname, nn);
	if (!nn.n)
		return 1;
	if (!(out->newvalues = malloc((size_t)nv.n + 1))) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(out->newvalues, nv.p, nv.n);
	out->newvalues[nv.n] = 0;
	return 1;
}

/* Read and check a rowset's header. On success the fd is positioned at
 * the first block. 1, -1 errno (EPROTO: not a rowset, or truncated). */
static int rs_read_header(int fd, rshdr *out)
{
	char h[8];
	sl_buf b = SL_BUF_ZERO;
	uint32_t hlen;
	sl_storeenc_cur c;

	errno = 0;
	if (sl_allread(fd, h, 8) < 8)
		goto short_read;
	hlen = sl_u32_unpack(h + 4);
	if (memcmp(h, "SLRS", 4) || hlen < 56 || hlen > (16u << 20))
		goto bad;
	if (sl_buf_reserve(&b, hlen + 4) < 0)
		return -1;
	if (sl_allread(fd, b.p, hlen + 4) < hlen + 4)
		goto short_read;
	if (sl_crcfast_update(0, b.p, hlen) != sl_u32_unpack(b.p + hlen) ||
	    sl_u16_unpack(b.p) < 1 || sl_u16_unpack(b.p) > RS_VERSION ||
	    sl_u32_unpack(b.p + 4) != RS_CODEC_LZ4)
		goto bad;
	c.p = b.p + 8;
	c.n = hlen - 8;
	c.bad = 0;
	if (out) {
		out->version = sl_u16_unpack(b.p);
		out->txn_id = (int64_t)sl_storeenc_u64(&c);
		sl_storeenc_u64(&c);
		sl_storeenc_u64(&c);
		out->table_id = (int64_t)sl_storeenc_u64(&c);
		out->rowset_no = sl_storeenc_u32(&c);
		out->hcrc = sl_u32_unpack(b.p + hlen);
		rs_header_cols(&c, out);
		out->part = 0;
		out->newname[0] = 0;
		out->newvalues = 0;
		if (out->version >= 3) {
			int r = rs_header_part(&c, out);
			if (r < 0) {
				sl_buf_free(&b);
				return -1;
			}
			if (!r)
				goto bad;
		}
	}
	sl_buf_free(&b);
	return 1;
short_read:
	if (errno) {
		int e = errno;
		sl_buf_free(&b);
		errno = e;
		return -1;
	}
	/* FALLTHROUGH */
bad:
	sl_buf_free(&b);
	errno = EPROTO;
	return -1;
}

/* What a commit record says of one rowset file (version 2: size, sum;
 * version 3: part), and what its header says it creates (newname,
 * newvalues malloc'd, NULL none). */
typedef struct rsinfo {
	uint64_t rows, size;
	uint32_t sum;
	int64_t part;
	char newname[65];
	char *newvalues;
} rsinfo;

/* The row count, size, sum and partition of a finished rowset of txn
 * want_txn, number want_no, from its header and footer. 1, -1 errno. */
static int rs_stat(const char *path, int64_t want_txn, uint32_t want_no, rsinfo *ri)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char f[RS_FOOTER2];
	struct stat sb;
	rshdr h;
	size_t fl;

	h.newvalues = 0;
	if (fd < 0)
		return -1;
	if (rs_read_header(fd, &h) < 0) {
		if (errno == EPROTO)
			sl_storeerr_set("%s: not a rowset, or a damaged header", path);
		goto fail;
	}
	fl = h.version >= 2 ? RS_FOOTER2 : RS_FOOTER;
	if (h.txn_id != want_txn || h.rowset_no != want_no || fstat(fd, &sb) < 0 ||
	    (size_t)sb.st_size < fl || pread(fd, f, fl, sb.st_size - (off_t)fl) != (ssize_t)fl ||
	    memcmp(f, "SLRE", 4) || sl_crcfast_update(0, f, rs_fcrc(h.version)) !=
	    sl_u32_unpack(f + rs_fcrc(h.version))) {
		sl_storeerr_set("%s: not rowset %u of txn %lld, or truncated", path, want_no,
			(long long)want_txn);
		goto fail;
	}
	ri->rows = sl_u64_unpack(f + 4);
	ri->size = (uint64_t)sb.st_size;
	ri->sum = h.version >= 2 ? sl_u32_unpack(f + 20) : 0;
	ri->part = h.part;
	memcpy(ri->newname, h.newname, sizeof ri->newname);
	ri->newvalues = h.newvalues;
	close(fd);
	return 1;
fail:
	free(h.newvalues);
	sl_fsutil_close_keep_errno(fd);
	return -1;
}

/* Append one entry of a version 3 rowset list; the partition the file
 * creates (if any, once) to np (*nnp counts them). Frees ri->newvalues.
 * 1, -1 ENOMEM. */
static int rs_put(sl_buf *b, const char *name, rsinfo *ri, sl_buf *np, uint32_t *nnp)
{
	int r = 1;

	if (sl_storeenc_put_str(b, name, strlen(name)) < 0 || sl_storeenc_put_u64(b, ri->rows) < 0 ||
	    sl_storeenc_put_u64(b, ri->size) < 0 || sl_storeenc_put_u32(b, ri->sum) < 0 ||
	    sl_storeenc_put_u64(b, (uint64_t)ri->part) < 0)
		r = -1;
	if (r > 0 && np && ri->newname[0]) {
		sl_storeenc_cur c = { np->p, np->len, 0 };
		uint32_t i;
		int seen = 0;
		for (i = 0; i < *nnp && !seen; i++) {
			seen = (int64_t)sl_storeenc_u64(&c) == ri->part;
			c.p++;
			c.n--;
			sl_storeenc_str(&c, c.n);
			sl_storeenc_str(&c, c.n);
		}
		if (!seen) {
			r = sl_logrec_put_part(np, ri->part, 0, ri->newname, ri->newvalues);
			(*nnp)++;
		}
	}
	free(ri->newvalues);
	ri->newvalues = 0;
	return r;
}

typedef struct rsent { unsigned n; char name[64]; rsinfo ri; } rsent;

static int rsent_cmp(const void *a, const void *b)
{
	unsigned x = ((const rsent *)a)->n, y = ((const rsent *)b)->n;
	return x < y ? -1 : x > y;
}

int sl_rowset_probe(sl_store *st, const char *db, const char *table, int64_t id, unsigned nrs,
	sl_buf *b)
{
	return sl_rowset_probe_parts(st, db, table, id, nrs, b, 0, 0);
}

int sl_rowset_probe_parts(sl_store *st, const char *db, const char *table, int64_t id,
	unsigned nrs, sl_buf *b, sl_buf *np, uint32_t *nnp)
{
	char dir[PATH_MAX], p[PATH_MAX], nm[64];
	unsigned k;
	size_t at = b->len;
	uint32_t n = 0;
	rsinfo ri;

	if (sl_fsutil_pathf(dir, "%s/%s/%s/data", st->dir, db, table) < 0 || sl_storeenc_put_u32(b, 0) < 0)
		return -1;
	for (k = 0; k < UINT32_MAX; k++) {
		snprintf(nm, sizeof nm, "%lld-%u.rs", (long long)id, k);
		if (sl_fsutil_pathf(p, "%s/%s", dir, nm) < 0)
			return -1;
		if (rs_stat(p, id, k, &ri) < 0) {
			if (errno != ENOENT)
				return -1;
			if (k >= nrs)
				break;
			continue;
		}
		if (rs_put(b, nm, &ri, np, nnp) < 0)
			return -1;
		n++;
	}
	sl_u32_pack(b->p + at, n);
	return 1;
}

int sl_rowset_collect(sl_store *st, const char *db, const char *table, int64_t id, sl_buf *b)
{
	char dir[PATH_MAX], pre[32];
	DIR *d;
	struct dirent *de;
	rsent *v = 0;
	size_t n = 0, cap = 0, np, i;
	int ret = -1;

	if (sl_fsutil_pathf(dir, "%s/%s/%s/data", st->dir, db, table) < 0)
		return -1;
	np = (size_t)snprintf(pre, sizeof pre, "%lld-", (long long)id);
	if (!(d = opendir(dir)))
		return -1;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		char *end;
		unsigned long k;
		if (strncmp(nm, pre, np))
			continue;
		errno = 0;
		k = strtoul(nm + np, &end, 10);
		if (errno || end == nm + np || strcmp(end, ".rs") || k > UINT32_MAX ||
		    strlen(nm) >= sizeof v->name)
			continue;
		if (n == cap) {
			rsent *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *nv);
			if (!nv) {
				errno = ENOMEM;
				goto out;
			}
			v = nv;
		}
		v[n].n = (unsigned)k;
		memcpy(v[n].name, nm, strlen(nm) + 1);   /* length checked above */
		n++;
	}
	if (n)
		qsort(v, n, sizeof *v, rsent_cmp);
	if (sl_storeenc_put_u32(b, (uint32_t)n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		char p[PATH_MAX];
		if (sl_fsutil_pathf(p, "%s/%s", dir, v[i].name) < 0 || rs_stat(p, id, v[i].n, &v[i].ri) < 0 ||
		    rs_put(b, v[i].name, &v[i].ri, 0, 0) < 0)
			goto out;
	}
	ret = 1;
out:
	{
		int e = errno;
		closedir(d);
		free(v);
		errno = e;
	}
	return ret;
}

/* ---------------------------------------------------------------- scans */

int sl_rowset_txn_snapshot(const sl_txn *t, sl_snapshot *snap)
{
	char p[PATH_MAX];

	memset(snap, 0, sizeof *snap);
	if (!(snap->paths = calloc(t->nrowsets + 1, sizeof *snap->paths)))
		goto nomem;
	for (unsigned k = 0; k < t->nrowsets; k++) {
		if (sl_fsutil_pathf(p, "%s/%s/%s/data/%lld-%u.rs", t->st->dir, t->db, t->table,
			    (long long)t->id, k) < 0)
			goto fail;
		if (!(snap->paths[snap->n] = strdup(p)))
			goto nomem;
		snap->n++;
	}
	return 1;
nomem:
	errno = ENOMEM;
fail:
	{
		int e = errno;
		for (size_t i = 0; i < snap->n; i++)
			free(snap->paths[i]);
		free(snap->paths);
		memset(snap, 0, sizeof *snap);
		errno = e;
	}
	return -1;
}

struct sl_scan {
	const sl_snapshot *snap;
	size_t fi;              /* next file */
	int fd;
	sl_buf comp, raw;
	size_t pos;             /* in raw */
	uint32_t left;          /* rows left in the block */
	uint64_t rows, blocks;  /* seen in the current file */
	int ver;                /* the current file's format version */
	uint32_t sum;           /* ... its sum so far (version 2) */
	size_t end;             /* files fi..end are read */
	uint32_t ncols;         /* the current file's header: columns */
	char lastcol[64];       /* ... and the last one's name */
};

/* The partition of the file (header h) against its entry rf: the same,
 * or the entry was re-tagged by the commit (the file created a partition
 * another load had created first: same name and values, the live one
 * in the snapshot). 1, -1 EPROTO. */
static int part_check(const sl_snapshot *snap, const sl_rsref *rf, const rshdr *h,
	const char *path)
{
	size_t i;

	if (h->part == rf->part)
		return 1;
	for (i = 0; h->newname[0] && h->newvalues && i < snap->nparts; i++)
		if (snap->parts[i].id == rf->part && !strcasecmp(snap->parts[i].name, h->newname) &&
		    !strcmp(snap->parts[i].values, h->newvalues))
			return 1;
	return sl_storeerr_set("%s: the file is of partition %lld, the commit record names "
			       "partition %lld", path, (long long)h->part, (long long)rf->part);
}

/* The file of the snapshot's entry i, just opened on sc->fd: is it the
 * one the commit record names (txn, table, number, size)? */
static int scan_check_open(sl_scan *sc, size_t i)
{
	const sl_rsref *rf = sc->snap->refs ? &sc->snap->refs[i] : 0;
	const char *path = sc->snap->paths[i];
	struct stat sb;
	rshdr h;
	int r;

	if (rs_read_header(sc->fd, &h) < 0) {
		if (errno == EPROTO)
			sl_storeerr_set("%s: not a rowset, or a damaged header", path);
		return -1;
	}
	r = rf && rf->ver >= 3 ? part_check(sc->snap, rf, &h, path) : 1;
	free(h.newvalues);
	if (r < 0)
		return -1;
	sc->ver = h.version;
	sc->sum = rs_sum(0, h.hcrc);
	sc->ncols = h.ncols;
	memcpy(sc->lastcol, h.lastcol, sizeof sc->lastcol);
	if (!rf)
		return 1;
	if (h.txn_id != rf->txn_id || h.table_id != rf->table_id || h.rowset_no != rf->no)
		return sl_storeerr_set("%s: the file is rowset %u of txn %lld of table id %lld, the "
			       "commit record names rowset %u of txn %lld of table id %lld",
			       path, h.rowset_no, (long long)h.txn_id, (long long)h.table_id,
			       rf->no, (long long)rf->txn_id, (long long)rf->table_id);
	if (rf->ver < 2)
		return 1;
	if (fstat(sc->fd, &sb) < 0)
		return -1;
	if ((uint64_t)sb.st_size != rf->size)
		return sl_storeerr_set("%s: %lld bytes, the commit record says %llu", path,
			       (long long)sb.st_size, (unsigned long long)rf->size);
	return 1;
}

sl_scan *sl_scan_open(const sl_snapshot *snap)
{
	sl_scan *sc = calloc(1, sizeof *sc);

	if (!sc) {
		errno = ENOMEM;
		return 0;
	}
	sc->snap = snap;
	sc->fd = -1;
	sc->end = snap->n;
	return sc;
}

/* Open the snapshot's file i and check its header (the first step of
 * sl_scan_next on a new file). 1, -1 errno. */
static int scan_open_file(sl_scan *sc, size_t i)
{
	sc->fi = i + 1;
	sc->fd = open(sc->snap->paths[i], O_RDONLY | O_CLOEXEC);
	if (sc->fd < 0)
		return -1;
	sc->rows = sc->blocks = 0;
	if (scan_check_open(sc, i) < 0)
		return -1;
	(void)posix_fadvise(sc->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 1;
}

sl_scan *sl_scan_open_one(const sl_snapshot *snap, size_t i)
{
	sl_scan *sc;

	if (i >= snap->n) {
		errno = EINVAL;
		return 0;
	}
	if (!(sc = sl_scan_open(snap)))
		return 0;
	sc->end = i + 1;
	if (scan_open_file(sc, i) < 0) {
		sl_scan_close(sc);
		return 0;
	}
	return sc;
}

size_t sl_scan_ncols(const sl_scan *sc, const char **lastcol)
{
	if (lastcol)
		*lastcol = sc->lastcol;
	return sc->ncols;
}

void sl_scan_close(sl_scan *sc)
{
	if (!sc)
		return;
	if (sc->fd >= 0)
		sl_fsutil_close_keep_errno(sc->fd);
	sl_buf_free(&sc->comp);
	sl_buf_free(&sc->raw);
	free(sc);
}

/* Read exactly n bytes; a short read is a truncated rowset (EPROTO). */
static int scan_read(sl_scan *sc, void *p, size_t n)
{
	errno = 0;
	if (sl_allread(sc->fd, p, n) < n) {
		if (!errno)
			errno = EPROTO;
		return -1;
	}
	return 1;
}

static int scan_block(sl_scan *sc)
{
	char h[RS_FOOTER2];
	uint32_t raw_len, comp_len, crc;
	int d;

	if (scan_read(sc, h, RS_BLOCK_HDR) < 0)
		return -1;
	if (!memcmp(h, "SLRE", 4)) {
		const sl_rsref *rf = sc->snap->refs ? &sc->snap->refs[sc->fi - 1] : 0;
		size_t fl = sc->ver >= 2 ? RS_FOOTER2 : RS_FOOTER;
		char x;
		if (scan_read(sc, h + RS_BLOCK_HDR, fl - RS_BLOCK_HDR) < 0)
			return -1;
		if (sl_crcfast_update(0, h, rs_fcrc(sc->ver)) !=
		    sl_u32_unpack(h + rs_fcrc(sc->ver)) ||
		    sl_u64_unpack(h + 4) != sc->rows || sl_u64_unpack(h + 12) != sc->blocks ||
		    sl_allread(sc->fd, &x, 1) != 0) {
			errno = EPROTO;
			return -1;
		}
		/* the whole file is the one committed: same rows, same sum */
		if (rf && (sc->rows != rf->rows ||
			   (sc->ver >= 2 && sl_u32_unpack(h + 20) != sc->sum) ||
			   (rf->ver >= 2 && (sc->ver < 2 || sc->sum != rf->sum))))
			return sl_storeerr_set("%s: its content is not what the commit record says "
				       "(rows or checksum)", sc->snap->paths[sc->fi - 1]);
		close(sc->fd);
		sc->fd = -1;
		return 0;
	}
	raw_len = sl_u32_unpack(h + 4);
	comp_len = sl_u32_unpack(h + 8);
	if (memcmp(h, "SLRB", 4) || raw_len > RS_BLOCK_MAX || comp_len > RS_BLOCK_MAX ||
	    comp_len > (uint32_t)LZ4_compressBound((int)raw_len) || raw_len == 0 ||
	    sl_u32_unpack(h + 12) == 0) {
		errno = EPROTO;
		return -1;
	}
	sc->comp.len = sc->raw.len = 0;
	if (sl_buf_reserve(&sc->comp, comp_len) < 0 || sl_buf_reserve(&sc->raw, raw_len) < 0)
		return -1;
	if (scan_read(sc, sc->comp.p, comp_len) < 0)
		return -1;
	crc = sl_crcfast_update(0, h, 16);
	crc = sl_crcfast_update(crc, sc->comp.p, comp_len);
	if (crc != sl_u32_unpack(h + 16)) {
		errno = EPROTO;
		return -1;
	}
	sc->sum = rs_sum(sc->sum, crc);
	d = LZ4_decompress_safe(sc->comp.p, sc->raw.p, (int)comp_len, (int)raw_len);
	if (d < 0 || (uint32_t)d != raw_len) {
		errno = EPROTO;
		return -1;
	}
	sc->raw.len = raw_len;
	sc->pos = 0;
	sc->left = sl_u32_unpack(h + 12);
	sc->rows += sc->left;
	sc->blocks++;
	return 1;
}

int sl_scan_next(sl_scan *sc, const char **payload, size_t *len)
{
	for (;;) {
		if (sc->left) {
			uint32_t n;
			if (sc->raw.len - sc->pos < 4)
				break;
			n = sl_u32_unpack(sc->raw.p + sc->pos);
			if (n > sc->raw.len - sc->pos - 4)
				break;
			*payload = sc->raw.p + sc->pos + 4;
			*len = n;
			sc->pos += 4 + (size_t)n;
			sc->left--;
			if (!sc->left && sc->pos != sc->raw.len)
				break;
			return 1;
		}
		if (sc->fd < 0) {
			if (sc->fi >= sc->end)
				return 0;
			if (scan_open_file(sc, sc->fi) < 0)
				return -1;
		}
		if (scan_block(sc) < 0) {
			if (errno == EPROTO && !*sl_storeerr_msg())
				sl_storeerr_set("%s: a corrupt or truncated block", sc->snap->paths[sc->fi - 1]);
			return -1;
		}
	}
	return sl_storeerr_set("%s: a corrupt block (rows do not fit)", sc->snap->paths[sc->fi - 1]);
}

sl_rowset_writer *sl_rowset_create_compact(sl_store *st, const char *db, const char *table,
	int64_t id, int64_t table_id, int64_t part, unsigned no, int64_t vlo, int64_t vhi,
	unsigned nkeys, size_t ncols, const sl_colspec *cols)
{
	char dir[PATH_MAX];
	rsident ri = { id, vlo, vhi, table_id, no, nkeys ? RS_FLAG_SORTED : 0, nkeys, part, 0, 0 };

	if (part < 0) {
		errno = EINVAL;
		return 0;
	}
	if (sl_fsutil_pathf(dir, "%s/%s/%s/data", st->dir, db, table) < 0)
		return 0;
	return rs_create(dir, &ri, ncols, cols);
}
