/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-ckpt.c -- unit tests of the checkpoint's visible index (ckpt.h,
 * CK_TABLE: what a snapshot of one table reads) and of the CRC-32 that
 * checks the log prefix a checkpoint covers (crcfast.h): a log written
 * record by record, its checkpoint, then folds with and without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sl.h"
#include "io.h"
#include "fsutil.h"
#include "crcfast.h"
#include "storetypes.h"
#include "logrec.h"
#include "ckpt.h"
#include "txnlog.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-ckpt-XXXXXX";
static char logp[600], ckp[600];

/* zlib's crc32 and sl_crcfast_update agree on every length and
 * alignment, in one call or in pieces. */
static void test_crcfast(void)
{
	size_t big = (3u << 20) + 77, i, n, off;
	unsigned char *b = malloc(big + 64);
	uint32_t z, f;
	int t, bad = 0;

	CHECK(b != 0);
	if (!b)
		return;
	srand(7);
	for (i = 0; i < big + 64; i++)
		b[i] = (unsigned char)rand();
	for (t = 0; t < 20000; t++) {
		uint32_t c0 = t % 3 ? (uint32_t)rand() : 0;
		off = (size_t)rand() % 64;
		n = t < 300 ? (size_t)t : (size_t)rand() % 5000;
		bad += crc32(c0, b + off, (uInt)n) != sl_crcfast_update(c0, b + off, n);
	}
	CHECK(bad == 0);
	z = (uint32_t)crc32(0, b, (uInt)big);
	CHECK(sl_crcfast_update(0, b, big) == z);
	f = 0;
	for (off = 0; off < big; off += n) {
		n = (size_t)rand() % 100000;
		if (n > big - off)
			n = big - off;
		f = sl_crcfast_update(f, b + off, n);
	}
	CHECK(f == z);
	CHECK(sl_crcfast_update(0, "", 0) == 0 && sl_crcfast_update(5, b, 0) == 5);
	b[big / 2] ^= 1;
	CHECK(sl_crcfast_update(0, b, big) != z);
	free(b);
}

/* Records appended to the log file. */
static void append(const sl_buf *rec)
{
	int fd = open(logp, O_WRONLY | O_APPEND | O_CREAT, 0644);

	CHECK(fd >= 0 && sl_allwrite(fd, rec->p, rec->len) == rec->len);
	close(fd);
}

static void rec_table(sl_buf *b, int64_t id, const char *name)
{
	size_t mark;

	CHECK(sl_logrec_start(b, &mark, 'T', id, 1) == 1 &&
	      sl_storeenc_put_str(b, name, strlen(name)) == 1);
	sl_logrec_end(b, mark);
}

/* A load of txn id into table tid: its B record, then (how: 'C' commit,
 * 'A' abort, 0 neither: left PREPARE) the one that ends it. */
static void rec_load(sl_buf *b, int64_t id, int64_t tid, int how)
{
	char lab[32], tn[8], rs[32];
	size_t mark;

	snprintf(lab, sizeof lab, "l%lld", (long long)id);
	snprintf(tn, sizeof tn, "t%lld", (long long)tid);
	snprintf(rs, sizeof rs, "%lld-0.rs", (long long)id);
	CHECK(sl_logrec_start(b, &mark, 'B', id, id) == 1 && sl_storeenc_put_u64(b, (uint64_t)tid) == 1 &&
	      sl_storeenc_put_u64(b, 60) == 1 && sl_storeenc_put_str(b, lab, strlen(lab)) == 1 &&
	      sl_storeenc_put_str(b, tn, strlen(tn)) == 1);
	sl_logrec_end(b, mark);
	if (how == 'C')
		CHECK(sl_logrec_start(b, &mark, 'C', id, id + 1) == 1 && sl_storeenc_put_u32(b, 1) == 1 &&
		      sl_storeenc_put_str(b, rs, strlen(rs)) == 1 && sl_storeenc_put_u64(b, 1) == 1 &&
		      sl_storeenc_put_str(b, "", 0) == 1);
	else if (how == 'A')
		CHECK(sl_logrec_start(b, &mark, 'A', id, id + 1) == 1 && sl_storeenc_put_str(b, "x", 1) == 1);
	if (how)
		sl_logrec_end(b, mark);
}

/* A compaction (id) of table tid replacing ids[0..n). */
static void rec_compact(sl_buf *b, int64_t id, int64_t tid, const int64_t *ids, size_t n)
{
	sl_buf rs = SL_BUF_ZERO;

	CHECK(sl_storeenc_put_u32(&rs, 1) == 1 && sl_storeenc_put_str(&rs, "k-0.rs", 6) == 1 &&
	      sl_storeenc_put_u64(&rs, (uint64_t)n) == 1 && sl_storeenc_put_u64(&rs, 10) == 1 &&
	      sl_storeenc_put_u32(&rs, 0) == 1 && sl_storeenc_put_u64(&rs, 0) == 1);
	CHECK(sl_logrec_put_compact(b, id, id, tid, tid == 1 ? "t1" : "t2", ids, n, rs.p, rs.len) == 1);
	sl_buf_free(&rs);
}

/* Fold the log (from the checkpoint when ck, taking what key asks). */
static int fold(logstate *ls, int ck, const ckkey *key)
{
	sl_logrec_init(ls);
	snprintf(ls->name, sizeof ls->name, "testdb/txnlog");
	ls->fd = open(logp, O_RDONLY | O_CLOEXEC);
	return ls->fd >= 0 ? sl_txnlog_read(ls, ck ? ckp : 0, key) : -1;
}

/* The VISIBLE, not replaced txns of table tid, as "id,id,...". */
static void visible(logstate *ls, int64_t tid, char *out, size_t cap)
{
	size_t i, k = 0;

	out[0] = 0;
	for (i = 0; i < ls->ntx; i++)
		if (ls->tx[i].state == SL_TXN_VISIBLE && !ls->tx[i].repl && ls->tx[i].table_id == tid &&
		    k + 24 < cap)
			k += (size_t)snprintf(out + k, cap - k, "%lld,", (long long)ls->tx[i].id);
}

static int keep_all(void *ctx, const txrec *t)
{
	(void)ctx;
	(void)t;
	return 1;
}

/* Both tables' visible txns, folded from the checkpoint with CK_TABLE
 * and from the log alone, agree; used: which tables' folds used the
 * checkpoint (bit 1: t1, bit 2: t2). */
static void check_tables(int used)
{
	logstate a, b;
	char va[4096], vb[4096];
	int64_t tid;

	for (tid = 1; tid <= 2; tid++) {
		ckkey key = { CK_TABLE, tid, 0, 0 };
		int ck_used = (used >> (tid - 1)) & 1;
		CHECK(fold(&a, 1, &key) == 1 && fold(&b, 0, &sl_ckpt_key_all) == 1);
		CHECK((a.base > 0) == ck_used && a.ck_bad == !ck_used && b.base == 0);
		visible(&a, tid, va, sizeof va);
		visible(&b, tid, vb, sizeof vb);
		CHECK(va[0] && !strcmp(va, vb));
		if (strcmp(va, vb))
			fprintf(stderr, "table %lld: with the checkpoint %s, without %s\n", (long long)tid, va, vb);
		sl_logrec_free(&a);
		sl_logrec_free(&b);
	}
}

static void write_ckpt(void)
{
	logstate ls;
	struct stat sb;

	CHECK(fold(&ls, 0, &sl_ckpt_key_all) == 1 && fstat(ls.fd, &sb) == 0);
	CHECK(sl_ckpt_save(&ls, (uint64_t)sb.st_ino, ckp, keep_all, 0) == 1);
	sl_logrec_free(&ls);
}

/* The offset of the visible index's first offset in the checkpoint f
 * (tables section at tbl_off: T records, partitions, then the index). */
static size_t vis_first(const sl_buf *f, int64_t *tid, uint32_t *n)
{
	sl_storeenc_cur c = { f->p + sl_u64_unpack(f->p + 88), 0, 0 };
	uint32_t i, k;

	c.n = f->len - 4 - (size_t)(c.p - f->p);
	k = sl_storeenc_u32(&c);
	for (i = 0; i < k; i++) {
		sl_storeenc_u64(&c);
		sl_storeenc_str(&c, 64);
	}
	CHECK(sl_storeenc_u32(&c) == 0);        /* no partitions */
	CHECK(sl_storeenc_u32(&c) == 2);        /* two tables with visible txns */
	*tid = (int64_t)sl_storeenc_u64(&c);
	*n = sl_storeenc_u32(&c);
	CHECK(!c.bad);
	return (size_t)(c.p - f->p);
}

/* The entry offset of txn id in the checkpoint f (its id index). */
static uint32_t entry_of(const sl_buf *f, int64_t id)
{
	uint32_t nent = sl_u32_unpack(f->p + 64), nlive = sl_u32_unpack(f->p + 68), i;
	size_t ids = 100 + 4 * (size_t)nlive + 4;

	for (i = 0; i < nent; i++)
		if ((int64_t)sl_u64_unpack(f->p + ids + 16 * (size_t)i) == id)
			return sl_u32_unpack(f->p + ids + 16 * (size_t)i + 8);
	return 0;
}

/* The checkpoint loaded whole, and sl-fsck's check of its visible
 * index. */
static int vis_ok(void)
{
	logstate ls;
	int r;

	sl_logrec_init(&ls);
	ls.fd = open(logp, O_RDONLY | O_CLOEXEC);
	r = ls.fd >= 0 && sl_ckpt_load(&ls, ckp, &sl_ckpt_key_all) == 1 && sl_ckpt_visible_ok(&ls);
	sl_logrec_free(&ls);
	return r;
}

/* Sign the tables section of checkpoint g again (its last 4 bytes). */
static void resign(sl_buf *g)
{
	size_t tbl = (size_t)sl_u64_unpack(g->p + 88);

	sl_u32_pack(g->p + g->len - 4, (uint32_t)crc32(0, (const Bytef *)g->p + tbl, (uInt)(g->len - 4 - tbl)));
}

/* A snapshot's fold decodes the live txns and its table's visible ones
 * only; what it sees equals the whole fold's, before and after a tail
 * with a load and a compaction; an index that names a txn it must not, or
 * a checkpoint of version 6, is not used. */
static void test_visible_index(void)
{
	sl_buf b = SL_BUF_ZERO, f = SL_BUF_ZERO, g = SL_BUF_ZERO;
	int64_t i, repl1[3] = { 1000, 1002, 1004 }, repl2[2] = { 1006, 1010 }, tid;
	ckkey key1 = { CK_TABLE, 1, 0, 0 };
	logstate ls;
	size_t at;
	uint32_t n, ab;

	rec_table(&b, 1, "t1");
	rec_table(&b, 2, "t2");
	/* 40 loads alternating between t1 (even ids) and t2 (odd); 1008,
	 * 1018, 1028, 1038 aborted; the last left PREPARE (live) */
	for (i = 0; i < 40; i++)
		rec_load(&b, 1000 + i, 1 + i % 2, i == 39 ? 0 : i % 10 == 8 ? 'A' : 'C');
	rec_compact(&b, 1100, 1, repl1, 3);
	append(&b);
	write_ckpt();
	CHECK(sl_file_read(ckp, &f) == 1 && f.len > 100 && sl_u32_unpack(f.p + 4) == 7);
	CHECK(fold(&ls, 1, &key1) == 1 && ls.base > 0 && !ls.ck_bad && ls.partial);
	{
		/* t1: 16 visible, 3 of them replaced, plus the compaction's
		 * entry; and the live txn 1039 */
		size_t k, nv = 0, nlive = 0;
		for (k = 0; k < ls.ntx; k++) {
			nv += ls.tx[k].state == SL_TXN_VISIBLE && ls.tx[k].table_id == 1 && !ls.tx[k].repl;
			nlive += ls.tx[k].state == SL_TXN_PREPARE;
		}
		CHECK(nv == 14 && nlive == 1 && ls.ntx == 15);
	}
	sl_logrec_free(&ls);
	check_tables(3);
	/* a tail: a load into t1, a compaction of two of its loads, the live
	 * txn committed */
	b.len = 0;
	rec_load(&b, 1200, 1, 'C');
	rec_compact(&b, 1201, 1, repl2, 2);
	{
		size_t mark;
		CHECK(sl_logrec_start(&b, &mark, 'C', 1039, 2000) == 1 && sl_storeenc_put_u32(&b, 0) == 1 &&
		      sl_storeenc_put_str(&b, "", 0) == 1);
		sl_logrec_end(&b, mark);
	}
	append(&b);
	check_tables(3);
	CHECK(fold(&ls, 1, &key1) == 1 && ls.base > 0 && sl_logrec_find(&ls, 1006)->repl == 1201 &&
	      sl_logrec_find(&ls, 1201) && sl_logrec_find(&ls, 1200) && !sl_logrec_find(&ls, 1001));
	sl_logrec_free(&ls);
	write_ckpt();
	f.len = 0;
	CHECK(sl_file_read(ckp, &f) == 1 && f.len > 100);
	check_tables(3);
	CHECK(vis_ok());
	/* the index names, for t1's first entry, an aborted txn of t1, a
	 * replaced one, one of t2, each with an id below t1's first (and
	 * signed again: only what they are can fail): the snapshot of t1
	 * does not use the checkpoint; that of t2 (which does not visit t1's
	 * list) and a fold that does not visit the index still do */
	at = vis_first(&f, &tid, &n);
	CHECK(tid == 1 && n > 3);
	CHECK(sl_buf_put(&g, f.p, f.len) == 1);
	for (i = 0; i < 3; i++) {
		ab = entry_of(&f, i == 0 ? 1008 : i == 1 ? 1000 : 1001);
		CHECK(ab > 0);
		memcpy(g.p, f.p, f.len);
		sl_u32_pack(g.p + at, ab);
		resign(&g);
		CHECK(sl_file_write_atomic(ckp, g.p, g.len, 0644) == 1);
		check_tables(2);
		CHECK(fold(&ls, 1, &sl_ckpt_key_none) == 1 && ls.base > 0);
		sl_logrec_free(&ls);
		CHECK(!vis_ok());
	}
	/* an entry named twice (the index's second offset = its first) */
	memcpy(g.p, f.p, f.len);
	memcpy(g.p + at + 4, g.p + at, 4);
	resign(&g);
	CHECK(sl_file_write_atomic(ckp, g.p, g.len, 0644) == 1);
	check_tables(2);
	CHECK(!vis_ok());
	/* an index that leaves out t1's last entry, signed again: only
	 * sl-fsck's check, which reads every entry, can tell */
	g.len = 0;
	CHECK(sl_buf_put(&g, f.p, at + 4 * (size_t)(n - 1)) == 1 &&
	      sl_buf_put(&g, f.p + at + 4 * (size_t)n, f.len - at - 4 * (size_t)n) == 1);
	sl_u32_pack(g.p + at - 4, n - 1);
	sl_u64_pack(g.p + 76, g.len);
	sl_u32_pack(g.p + 96, (uint32_t)crc32(0, (const Bytef *)g.p, 96));
	resign(&g);
	CHECK(sl_file_write_atomic(ckp, g.p, g.len, 0644) == 1);
	CHECK(fold(&ls, 1, &sl_ckpt_key_none) == 1 && ls.base > 0);
	sl_logrec_free(&ls);
	CHECK(!vis_ok());
	g.len = 0;
	CHECK(sl_buf_put(&g, f.p, f.len) == 1);
	/* an index count past the section, not signed again: the section's
	 * CRC fails, no fold uses it */
	memcpy(g.p, f.p, f.len);
	sl_u32_pack(g.p + at - 4, 1u << 30);
	CHECK(sl_file_write_atomic(ckp, g.p, g.len, 0644) == 1);
	check_tables(0);
	CHECK(fold(&ls, 1, &sl_ckpt_key_none) == 1 && ls.base == 0 && ls.ck_bad);
	sl_logrec_free(&ls);
	/* version 6 (the layout before the index) is not read */
	memcpy(g.p, f.p, f.len);
	sl_u32_pack(g.p + 4, 6);
	sl_u32_pack(g.p + 96, (uint32_t)crc32(0, (const Bytef *)g.p, 96));
	CHECK(sl_file_write_atomic(ckp, g.p, g.len, 0644) == 1);
	check_tables(0);
	CHECK(sl_file_write_atomic(ckp, f.p, f.len, 0644) == 1);
	check_tables(3);
	sl_buf_free(&b);
	sl_buf_free(&f);
	sl_buf_free(&g);
}

/* Flip byte at of the log in place; keep_mtime: then put its mtime back as
 * it was (a change that hides itself from the seal). */
static void flip_log(size_t at, int keep_mtime)
{
	struct stat sb;
	struct timespec ts[2];
	unsigned char c;
	int fd = open(logp, O_RDWR | O_CLOEXEC);

	CHECK(fd >= 0 && fstat(fd, &sb) == 0 && pread(fd, &c, 1, (off_t)at) == 1);
	c ^= 4;
	CHECK(pwrite(fd, &c, 1, (off_t)at) == 1);
	if (keep_mtime) {
		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1] = sb.st_mtim;
		CHECK(futimens(fd, ts) == 0);
	}
	close(fd);
}

/* A writer's step: append load id (the append breaks the seal), seal. */
static void append_sealed(sl_buf *b, int64_t id)
{
	int fd;

	b->len = 0;
	rec_load(b, id, 1, 'C');
	append(b);
	fd = open(logp, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0 && !sl_fsutil_sealed(fd));
	sl_fsutil_seal(fd);
	CHECK(sl_fsutil_sealed(fd));
	close(fd);
}

/* The seal (fsutil.h): a sealed log lets a fold trust the checkpoint's
 * prefix CRC without reading the prefix; any write breaks it, so a flipped
 * byte in the prefix is still found by every fold (the checkpoint is
 * refused and the whole log read); a change that restores the mtime too is
 * found by sl-fsck's fold (no_seal), which always reads the prefix. */
static void test_seal(void)
{
	sl_buf b = SL_BUF_ZERO;
	logstate ls;
	int fd, r;

	CHECK(unlink(logp) == 0 || errno == ENOENT);
	unlink(ckp);
	rec_table(&b, 1, "t1");
	for (int64_t i = 0; i < 20; i++)
		rec_load(&b, 3000 + i, 1, 'C');
	append(&b);
	write_ckpt();
	append_sealed(&b, 3100);
	CHECK(fold(&ls, 1, &sl_ckpt_key_all) == 1 && ls.base > 0 && !ls.ck_bad);
	sl_logrec_free(&ls);
	/* the next writer's append breaks it; its seal makes it again */
	append_sealed(&b, 3101);
	/* a flipped byte in the prefix the checkpoint covers: seal broken,
	 * the checkpoint refused, the whole log read: corrupt */
	flip_log(100, 0);
	errno = 0;
	r = fold(&ls, 1, &sl_ckpt_key_all);
	CHECK(r < 0 && errno == EPROTO);
	sl_logrec_free(&ls);
	flip_log(100, 0);
	fd = open(logp, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	sl_fsutil_seal(fd);
	close(fd);
	/* the same flip with the mtime put back: the seal holds and readers
	 * trust the checkpoint; the fold that refuses the seal finds it */
	flip_log(100, 1);
	fd = open(logp, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && sl_fsutil_sealed(fd));
	close(fd);
	CHECK(fold(&ls, 1, &sl_ckpt_key_all) == 1 && ls.base > 0);
	sl_logrec_free(&ls);
	sl_logrec_init(&ls);
	snprintf(ls.name, sizeof ls.name, "testdb/txnlog");
	ls.no_seal = 1;
	ls.fd = open(logp, O_RDONLY | O_CLOEXEC);
	errno = 0;
	r = sl_txnlog_read(&ls, ckp, &sl_ckpt_key_all);
	CHECK(r < 0 && errno == EPROTO);
	sl_logrec_free(&ls);
	sl_buf_free(&b);
}

int main(void)
{
	char cmd[700];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 111;
	}
	snprintf(logp, sizeof logp, "%s/txnlog", dir);
	snprintf(ckp, sizeof ckp, "%s/txnlog.ckpt", dir);
	test_crcfast();
	test_visible_index();
	test_seal();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
