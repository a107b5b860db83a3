/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-compact.c -- unit tests of compaction (libcommon/compact.c) and of
 * the K record it writes (logrec.c's fold, the checkpoint, snapshots,
 * lookups): the run policy; a compaction's snapshot, order and rows; the
 * same state with and without the checkpoint; a compaction's id unseen
 * by lookups, commits and aborts; K records the fold must ignore; the
 * garbage a killed compaction leaves; a partitioned table: --partition
 * runs, the policy's run over partitions, one file per partition,
 * unknown names, automatic compaction per partition, the files of a
 * dropped partition as garbage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "store.h"
#include "logrec.h"
#include "compact.h"
#include "fsutil.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-compact-XXXXXX";
static const sl_colspec cols[1] = { { { "k", 1 }, { "INT", 3 } } };

/* One load of n rows k = first .. first+n-1 into testdb.t: its txn id. */
static int64_t load(sl_store *st, const char *label, uint32_t first, uint32_t n)
{
	sl_txn t;
	sl_rowset_writer *w;
	char row[8];
	uint32_t i;

	if (sl_txn_begin(st, "testdb", "t", label, 600, &t, 0) != 1 || !(w = sl_rowset_create(&t, 1, cols)))
		return -1;
	for (i = 0; i < n; i++) {
		sl_u32_pack(row, 4);
		sl_u32_pack(row + 4, first + i);
		if (sl_rowset_add(w, row, 8) < 0)
			return -1;
	}
	if (sl_rowset_finish(w, 0) < 0 || sl_txn_commit(st, "testdb", t.id, 0, 0, 0, 0) != 1)
		return -1;
	sl_txn_release(&t);
	return t.id;
}

/* The table's rows, in order, as one string of "k," (and the file count). */
static int rows(sl_store *st, sl_buf *out, size_t *nfiles)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_scan *sc;
	const char *p;
	size_t len;
	int r;

	out->len = 0;
	if (sl_snapshot_open(st, "testdb", "t", &snap) != 1 || !(sc = sl_scan_open(&snap)))
		return -1;
	while ((r = sl_scan_next(sc, &p, &len)) == 1)
		sl_buf_printf(out, "%u,", len == 8 ? sl_u32_unpack(p + 4) : 0);
	*nfiles = snap.n;
	sl_scan_close(sc);
	sl_snapshot_free(&snap);
	return r;
}

static void test_pick(void)
{
	uint64_t sz[6] = { 1000, 10, 10, 10, 10, 10 };
	size_t nf[6] = { 1, 1, 1, 1, 1, 1 }, first = 99;

	CHECK(sl_compact_pick(sz, nf, 0, 0, &first) == 0);
	CHECK(sl_compact_pick(sz, nf, 1, 0, &first) == 0 && first == 0);
	/* a load of two files is a run of its own */
	nf[0] = 2;
	CHECK(sl_compact_pick(sz, nf, 1, 0, &first) == 1 && first == 0);
	nf[0] = 1;
	/* the big oldest entry stays out; the small ones go in */
	CHECK(sl_compact_pick(sz, nf, 6, 0, &first) == 1 && first == 1);
	CHECK(sl_compact_pick(sz, nf, 6, SL_COMPACT_FULL, &first) == 1 && first == 0);
	/* an older entry no bigger than twice the run joins it */
	sz[0] = 100;
	CHECK(sl_compact_pick(sz, nf, 6, 0, &first) == 1 && first == 0);
	/* at least the newest two, however big the older one */
	sz[4] = 1u << 30;
	CHECK(sl_compact_pick(sz, nf, 6, 0, &first) == 1 && first == 4);
}

/* K records the fold ignores (only the ids move), and one it applies. */
static void test_fold(void)
{
	logstate ls;
	sl_buf rec = SL_BUF_ZERO, rs = SL_BUF_ZERO;
	txrec a, b, c;
	int64_t ids[2] = { 1000, 1001 }, bad[2] = { 1000, 1003 };

	sl_logrec_init(&ls);
	memset(&a, 0, sizeof a);
	a.id = 1000;
	a.table_id = 7;
	a.state = SL_TXN_VISIBLE;
	a.commit_seq = 1;
	b = a;
	b.id = 1001;
	b.commit_seq = 2;
	c = b;
	c.id = 1004;
	c.commit_seq = 3;
	CHECK(sl_logrec_tx_push(&ls, &a) == 1 && sl_logrec_tx_push(&ls, &b) == 1 &&
	      sl_logrec_tx_push(&ls, &c) == 1);
	ls.max_id = 1004;
	sl_storeenc_put_u32(&rs, 1);
	sl_storeenc_put_str(&rs, "990-0.rs", 8);
	sl_storeenc_put_u64(&rs, 5);
	sl_storeenc_put_u64(&rs, 100);
	sl_storeenc_put_u32(&rs, 42);
	sl_storeenc_put_u64(&rs, 0);      /* its partition (K version 2) */
	/* an entry it names is not there: nothing replaced */
	CHECK(sl_logrec_put_compact(&rec, 1005, 1, 7, "t", bad, 2, rs.p, rs.len) == 1);
	CHECK(sl_logrec_apply(&ls, rec.p + 8, rec.len - 8) == 1);
	CHECK(!sl_logrec_find(&ls, 1005) && ls.max_id == 1005 && !ls.tx[0].repl);
	/* below the first id: malformed */
	rec.len = 0;
	CHECK(sl_logrec_put_compact(&rec, 990, 1, 7, "t", ids, 2, rs.p, rs.len) == 1);
	CHECK(sl_logrec_apply(&ls, rec.p + 8, rec.len - 8) == 0);
	/* another table's */
	rec.len = 0;
	CHECK(sl_logrec_put_compact(&rec, 1006, 1, 8, "t", ids, 2, rs.p, rs.len) == 1);
	CHECK(sl_logrec_apply(&ls, rec.p + 8, rec.len - 8) == 1 && !sl_logrec_find(&ls, 1006));
	/* cut short: malformed */
	CHECK(sl_logrec_apply(&ls, rec.p + 8, rec.len - 12) == 0);
	/* a good one, with an id below a later load's: in its place by id */
	rec.len = 0;
	CHECK(sl_logrec_put_compact(&rec, 1002, 3, 7, "t", ids, 2, rs.p, rs.len) == 1);
	CHECK(sl_logrec_apply(&ls, rec.p + 8, rec.len - 8) == 1);
	CHECK(ls.ntx == 4 && ls.tx[2].id == 1002 && ls.tx[2].compact && ls.tx[2].commit_seq == 1 &&
	      ls.tx[2].state == SL_TXN_VISIBLE && ls.tx[2].nrs == 1 && ls.tx[3].id == 1004);
	CHECK(sl_logrec_find(&ls, 1000)->repl == 1002 && sl_logrec_find(&ls, 1001)->repl == 1002);
	CHECK(!sl_logrec_find_load(&ls, 1002) && sl_logrec_find_load(&ls, 1000));
	/* the same run again: replaced already, ignored */
	rec.len = 0;
	CHECK(sl_logrec_put_compact(&rec, 1010, 4, 7, "t", ids, 2, rs.p, rs.len) == 1);
	CHECK(sl_logrec_apply(&ls, rec.p + 8, rec.len - 8) == 1 && !sl_logrec_find(&ls, 1010));
	CHECK(sl_logrec_plausible(rec.p, rec.len));
	sl_buf_free(&rec);
	sl_buf_free(&rs);
	sl_logrec_free(&ls);
}

static void test_table(sl_store *st)
{
	sl_buf before = SL_BUF_ZERO, after = SL_BUF_ZERO;
	sl_txninfo ti = SL_TXNINFO_ZERO;
	sl_compact_res res;
	char ck[600], p[700];
	size_t nf = 0, n;
	int64_t id1;
	int i;

	CHECK(sl_db_create(st, "testdb") == 1);
	CHECK(sl_table_create(st, "testdb", "t", "CREATE TABLE t (k INT) DUPLICATE KEY(k) "
			      "DISTRIBUTED BY HASH(k) BUCKETS 1") == 1);
	CHECK((id1 = load(st, "a", 0, 3)) == 1000);
	for (i = 1; i < 6; i++) {
		char lb[16];
		snprintf(lb, sizeof lb, "l%d", i);
		CHECK(load(st, lb, (uint32_t)i * 10, 2) > 0);
	}
	CHECK(rows(st, &before, &nf) == 0 && nf == 6);
	CHECK(sl_compact_table(st, "testdb", "t", 0, SL_COMPACT_FULL, 0, &res) == 1);
	CHECK(res.id == 1006 && res.nin == 6 && res.nfiles == 6 && res.rows_in == 13 && res.rows_out == 13);
	CHECK(rows(st, &after, &nf) == 0 && nf == 1);
	CHECK(before.len == after.len && !memcmp(before.p, after.p, before.len));
	/* the old files are gone; the new one is <id>-0.rs */
	snprintf(p, sizeof p, "%s/testdb/t/data/1000-0.rs", dir);
	CHECK(access(p, F_OK) < 0 && errno == ENOENT);
	snprintf(p, sizeof p, "%s/testdb/t/data/1006-0.rs", dir);
	CHECK(access(p, F_OK) == 0);
	/* a load is still a load; a compaction is no txn */
	CHECK(sl_txn_lookup_id(st, "testdb", id1, &ti) == 1 && ti.state == SL_TXN_VISIBLE && ti.nrows == 3);
	CHECK(sl_txn_lookup_id(st, "testdb", 1006, &ti) == 0);
	CHECK(sl_txn_commit(st, "testdb", 1006, 0, 0, 0, 0) == -1 && errno == ENOENT);
	CHECK(sl_txn_abort(st, "testdb", 1006, "x", 0) == -1 && errno == ENOENT);
	/* loads after it are newer; the next id is above the compaction's */
	CHECK(load(st, "b", 100, 1) == 1007);
	sl_buf_printf(&before, "100,");
	/* many records: a checkpoint is written; the state is the same
	 * without it */
	for (i = 0; i < 140; i++) {
		char lb[16];
		snprintf(lb, sizeof lb, "m%d", i);
		CHECK(load(st, lb, 1000 + (uint32_t)i, 1) > 0);
		sl_buf_printf(&before, "%d,", 1000 + i);
		if (i % 20 == 19)
			CHECK(sl_compact_table(st, "testdb", "t", 0, 0, 0, &res) == 1);
	}
	snprintf(ck, sizeof ck, "%s/testdb/txnlog.ckpt", dir);
	CHECK(access(ck, F_OK) == 0);
	CHECK(rows(st, &after, &n) == 0 && before.len == after.len && !memcmp(before.p, after.p, before.len));
	CHECK(unlink(ck) == 0);
	CHECK(rows(st, &after, &nf) == 0 && nf == n && before.len == after.len &&
	      !memcmp(before.p, after.p, before.len));
	/* a compaction killed before its record leaves garbage; the next one
	 * removes it */
	snprintf(p, sizeof p, "%s/testdb/t/data/99999-0.rs", dir);
	CHECK(sl_file_write_atomic(p, "x", 1, 0644) == 1);
	CHECK(sl_compact_gc(st, "testdb", "t", 0, &n) == 1 && n == 1 && access(p, F_OK) == 0);
	CHECK(sl_compact_table(st, "testdb", "t", 0, SL_COMPACT_FULL, 0, &res) >= 0 && res.ngarbage == 1);
	CHECK(access(p, F_OK) < 0);
	CHECK(rows(st, &after, &nf) == 0 && nf == 1 && before.len == after.len &&
	      !memcmp(before.p, after.p, before.len));
	CHECK(sl_compact_table(st, "testdb", "t", 0, SL_COMPACT_FULL, 0, &res) == 0 && res.nfiles == 1);
	CHECK(sl_compact_table(st, "testdb", "nosuch", 0, 0, 0, &res) == -1 && errno == ENOENT);
	CHECK(sl_compact_table(st, "nodb", "t", 0, 0, 0, &res) == -1 && errno == ENOTDIR);
	sl_txninfo_free(&ti);
	sl_buf_free(&before);
	sl_buf_free(&after);
}

/* One load into testdb.pt: for each i < n, one file of partition
 * part[i] with the row k[i]. Its txn id, -1 failed. */
static int64_t loadp(sl_store *st, const char *label, const int64_t *part, const uint32_t *k, size_t n)
{
	sl_txn t;
	char row[8];
	size_t i;

	if (sl_txn_begin(st, "testdb", "pt", label, 600, &t, 0) != 1)
		return -1;
	for (i = 0; i < n; i++) {
		sl_rowset_writer *w = sl_rowset_create_part(&t, 1, cols, part[i], 0, 0);
		sl_u32_pack(row, 4);
		sl_u32_pack(row + 4, k[i]);
		if (!w || sl_rowset_add(w, row, 8) < 0 || sl_rowset_finish(w, 0) < 0)
			return -1;
	}
	if (sl_txn_commit(st, "testdb", t.id, 0, 0, 0, 0) != 1)
		return -1;
	sl_txn_release(&t);
	return t.id;
}

/* Partition part's rows of testdb.pt as "k,k,", its file count into
 * *nf; the snapshot's files of other partitions counted in *others. */
static int part_rows(sl_store *st, int64_t part, sl_buf *out, size_t *nf)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_scan *sc;
	const char *p;
	size_t len, i;
	int r = 0;

	out->len = 0;
	*nf = 0;
	if (sl_snapshot_open_flags(st, "testdb", "pt", SL_SNAP_TEMP, &snap) != 1)
		return -1;
	for (i = 0; i < snap.n && r >= 0; i++) {
		if (snap.refs[i].part != part)
			continue;
		++*nf;
		if (!(sc = sl_scan_open_one(&snap, i))) {
			r = -1;
			break;
		}
		while ((r = sl_scan_next(sc, &p, &len)) == 1)
			sl_buf_printf(out, "%u,", len == 8 ? sl_u32_unpack(p + 4) : 0);
		sl_scan_close(sc);
	}
	sl_snapshot_free(&snap);
	return r;
}

/* A partitioned table: --partition runs (only entries all in it, split
 * by the ones spanning others), the policy's run grown over the
 * partitions it touches, one new file per partition, unknown names,
 * automatic compaction per partition, files of a dropped partition as
 * garbage. */
static void test_parts(sl_store *st)
{
	sl_partinfo pi[3], *live = 0;
	sl_partop drop = { 1, "pc", 0, 0 };
	sl_compact_res res;
	sl_buf a = SL_BUF_ZERO, b = SL_BUF_ZERO, c = SL_BUF_ZERO, x = SL_BUF_ZERO;
	int64_t pa, pb, pcid, p2[2];
	uint32_t k2[2];
	size_t n = 0, nf, i;
	char err[256], lb[16];

	memset(pi, 0, sizeof pi);
	strcpy(pi[0].name, "pa");
	pi[0].values = "VALUES IN ((\"1\"))";
	strcpy(pi[1].name, "pb");
	pi[1].values = "VALUES IN ((\"2\"))";
	strcpy(pi[2].name, "pc");
	pi[2].values = "VALUES IN ((\"3\"))";
	CHECK(sl_table_create_parts(st, "testdb", "pt", "CREATE TABLE pt (k INT) DUPLICATE KEY(k) "
				    "DISTRIBUTED BY HASH(k) BUCKETS 1", pi, 3) == 1);
	CHECK(sl_part_list(st, "testdb", "pt", &live, &n) == 1 && n == 3);
	if (n != 3)
		return;
	pa = live[0].id;
	pb = live[1].id;
	pcid = live[2].id;
	sl_partinfo_free(live, n);
	/* L1 a; L2 b; L3 a+b; L4 a; L5 a; L6 c */
	p2[0] = pa, k2[0] = 1;
	CHECK(loadp(st, "p1", p2, k2, 1) > 0);
	p2[0] = pb, k2[0] = 10;
	CHECK(loadp(st, "p2", p2, k2, 1) > 0);
	p2[0] = pa, k2[0] = 3, p2[1] = pb, k2[1] = 11;
	CHECK(loadp(st, "p3", p2, k2, 2) > 0);
	p2[0] = pa, k2[0] = 4;
	CHECK(loadp(st, "p4", p2, k2, 1) > 0);
	k2[0] = 5;
	CHECK(loadp(st, "p5", p2, k2, 1) > 0);
	p2[0] = pcid, k2[0] = 20;
	CHECK(loadp(st, "p6", p2, k2, 1) > 0);
	CHECK(part_rows(st, pa, &a, &nf) == 0 && nf == 4 && !strcmp(a.p, "1,3,4,5,"));
	/* --partition pa: the newest segment of entries only in it (L4, L5) */
	CHECK(sl_compact_table(st, "testdb", "pt", "PA", 0, 0, &res) == 1 && res.nin == 2 &&
	      res.nout == 1 && res.nfiles == 7);
	CHECK(part_rows(st, pa, &x, &nf) == 0 && nf == 3 && !strcmp(x.p, a.p));
	/* then nothing: L1 alone, L3 spans pb */
	CHECK(sl_compact_table(st, "testdb", "pt", "pa", SL_COMPACT_FULL, 0, &res) == 0);
	CHECK(sl_compact_table(st, "testdb", "pt", "pc", 0, 0, &res) == 0);
	CHECK(sl_compact_table(st, "testdb", "pt", "nosuch", 0, 0, &res) == -1 && errno == ENOENT &&
	      res.nopart);
	CHECK(sl_compact_table(st, "testdb", "nosuch", "pa", 0, 0, &res) == -1 && errno == ENOENT &&
	      !res.nopart);
	/* the policy: pa has the most files; L3 brings pb in; pc untouched */
	CHECK(part_rows(st, pb, &b, &nf) == 0 && nf == 2 && !strcmp(b.p, "10,11,"));
	CHECK(part_rows(st, pcid, &c, &nf) == 0 && nf == 1 && !strcmp(c.p, "20,"));
	CHECK(sl_compact_table(st, "testdb", "pt", 0, 0, 0, &res) == 1 && res.nout == 2);
	CHECK(part_rows(st, pa, &x, &nf) == 0 && !strcmp(x.p, a.p));
	CHECK(part_rows(st, pb, &x, &nf) == 0 && !strcmp(x.p, b.p));
	CHECK(part_rows(st, pcid, &x, &nf) == 0 && nf == 1 && !strcmp(x.p, c.p));
	/* full (pa has two files again): one file per partition */
	p2[0] = pa, k2[0] = 6;
	CHECK(loadp(st, "p7", p2, k2, 1) > 0);
	sl_buf_printf(&a, "6,");
	CHECK(sl_compact_table(st, "testdb", "pt", 0, SL_COMPACT_FULL, 0, &res) == 1 && res.nout == 3);
	/* one file per partition: nothing more to do */
	CHECK(sl_compact_table(st, "testdb", "pt", 0, SL_COMPACT_FULL, 0, &res) == 0 && res.nfiles == 3);
	CHECK(part_rows(st, pa, &x, &nf) == 0 && nf == 1 && !strcmp(x.p, a.p));
	CHECK(part_rows(st, pb, &x, &nf) == 0 && nf == 1 && !strcmp(x.p, b.p));
	CHECK(part_rows(st, pcid, &x, &nf) == 0 && nf == 1 && !strcmp(x.p, c.p));
	/* pc dropped: its file is garbage; pa's and pb's stay */
	CHECK(sl_part_change(st, "testdb", "pt", &drop, 1, 0, 0, err, sizeof err) == 1);
	CHECK(sl_compact_gc(st, "testdb", "pt", 0, &n) == 1 && n == 1);
	CHECK(sl_compact_gc(st, "testdb", "pt", 1, &n) == 1 && n == 1);
	CHECK(sl_compact_gc(st, "testdb", "pt", 0, &n) == 1 && n == 0);
	CHECK(part_rows(st, pa, &x, &nf) == 0 && nf == 1 && !strcmp(x.p, a.p));
	CHECK(part_rows(st, pb, &x, &nf) == 0 && nf == 1 && !strcmp(x.p, b.p));
	/* automatic: files counted per partition (pa 4 > 3, the table 6) */
	st->compaction_segment_threshold = 3;
	for (i = 0; i < 4; i++) {
		snprintf(lb, sizeof lb, "q%zu", i);
		p2[0] = i < 3 ? pa : pb;
		k2[0] = 100 + (uint32_t)i;
		CHECK(loadp(st, lb, p2, k2, 1) > 0);
	}
	sl_compact_auto(st, "testdb", "pt");
	CHECK(part_rows(st, pa, &x, &nf) == 0 && nf <= 3 && !strcmp(x.p, "1,3,4,5,6,100,101,102,"));
	st->compaction_segment_threshold = 0;
	sl_buf_free(&a);
	sl_buf_free(&b);
	sl_buf_free(&c);
	sl_buf_free(&x);
}

/* The tests' data directory goes once every test passed. */
static int report(void)
{
	if (!failed)
		sl_fsutil_rm_rf(dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

int main(void)
{
	sl_store st;

	if (!mkdtemp(dir))
		return perror("mkdtemp"), 111;
	test_pick();
	test_fold();
	CHECK(sl_store_open(&st, dir) == 1 && st.compaction_segment_threshold == 16);
	st.compaction_segment_threshold = 0;
	test_table(&st);
	test_parts(&st);
	sl_store_close(&st);
	return report();
}
