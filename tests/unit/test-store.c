/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-store.c -- unit tests of the table store (libcommon/store.c and
 * the modules under store.h):
 * databases and tables, begin/rowsets/commit/snapshot/scan, labels, 2PC
 * states, dead owners and timeouts, torn log tails, corrupt rowsets, the
 * log checkpoint (same state without it; corrupt, stale or foreign ones
 * ignored; damage in each part of it caught and rebuilt; another layout
 * version ignored; label expiry), concurrent begins from forked processes, lock
 * slots (reuse, liveness, version 1 BEGIN records with txn/<id>.lock) and
 * commit naming exactly the txn's rowsets; and the store's own modules
 * (fsutil, name, storeenc, logrec) on their own.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "frame.h"
#include "store.h"
#include "fsck.h"
#include "fsutil.h"
#include "logrec.h"
#include <zlib.h>

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-store-XXXXXX";
static sl_colspec cols[3] = {
	{ { "id", 2 }, { "INT", 3 } },
	{ { "name", 4 }, { "VARCHAR(32)", 11 } },
	{ { "age", 3 }, { "INT", 3 } },
};

/* R payload of row i: id (4 bytes BE), name "n<i>" or NULL every 7th, age. */
static size_t mkrow(char *buf, uint32_t i)
{
	char name[32];
	size_t off = 0, n = (size_t)snprintf(name, sizeof name, "n%u", i);

	sl_u32_pack(buf, 4);
	sl_u32_pack(buf + 4, i);
	off = 8;
	if (i % 7 == 0) {
		sl_u32_pack(buf + off, SL_NULL_LEN);
		off += 4;
	} else {
		sl_u32_pack(buf + off, (uint32_t)n);
		memcpy(buf + off + 4, name, n);
		off += 4 + n;
	}
	sl_u32_pack(buf + off, 4);
	sl_u32_pack(buf + off + 4, i % 100);
	return off + 8;
}

/* Begin on testdb.t and write one rowset of nrows rows starting at first. */
static int load(sl_store *st, const char *label, uint32_t first, uint32_t nrows, sl_txn *t,
	sl_txninfo *ex)
{
	sl_rowset_writer *w;
	uint64_t got = 0;
	uint32_t i;
	char row[128];
	int r = sl_txn_begin(st, "testdb", "t", label, 600, t, ex);

	if (r != 1)
		return r;
	if (!(w = sl_rowset_create(t, 3, cols)))
		return -1;
	for (i = 0; i < nrows; i++)
		if (sl_rowset_add(w, row, mkrow(row, first + i)) < 0)
			return -1;
	if (sl_rowset_finish(w, &got) < 0 || got != nrows)
		return -1;
	return 1;
}

/* Count the visible rows by scanning; -1 on a scan error (errno kept). */
static long count_rows(sl_store *st, const char *table, uint64_t *sum)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_scan *sc;
	const char *p;
	size_t len;
	long n = 0;
	int r;

	if (sl_snapshot_open(st, "testdb", table, &snap) != 1)
		return -2;
	if (!(sc = sl_scan_open(&snap)))
		return -3;
	if (sum)
		*sum = 0;
	while ((r = sl_scan_next(sc, &p, &len)) == 1) {
		sl_field f[3];
		if (sl_fields_parse(p, len, f, 3) != 3)
			return -4;
		if (sum && f[0].n == 4)
			*sum += sl_u32_unpack(f[0].p);
		n++;
	}
	{
		int e = errno;
		sl_scan_close(sc);
		sl_snapshot_free(&snap);
		errno = e;
	}
	return r < 0 ? -1 : n;
}

static void append_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	if (fd >= 0) {
		if (write(fd, p, n) < 0)
			perror("write");
		close(fd);
	}
}

static off_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) < 0 ? -1 : sb.st_size;
}

static size_t count_glob(const char *pat)
{
	glob_t g;
	size_t n;
	if (glob(pat, 0, 0, &g) != 0)
		return 0;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

static void test_names_and_ddl(sl_store *st)
{
	char **v;
	size_t n;
	sl_buf b = SL_BUF_ZERO;

	CHECK(sl_name_valid("testdb") == 1);
	CHECK(sl_name_valid("a-b_9") == 1);
	CHECK(sl_name_valid("_x") == -1 && errno == EINVAL);
	CHECK(sl_name_valid("-x") == -1);
	CHECK(sl_name_valid("") == -1);
	CHECK(sl_name_valid("a.b") == -1);
	CHECK(sl_name_valid("a/b") == -1);
	CHECK(sl_name_valid("0123456789012345678901234567890123456789012345678901234567890123") == 1);
	CHECK(sl_name_valid("01234567890123456789012345678901234567890123456789012345678901234") == -1);

	CHECK(sl_db_exists(st, "testdb") == 0);
	CHECK(sl_db_create(st, "testdb") == 1);
	CHECK(sl_db_create(st, "testdb") == 0);
	CHECK(sl_db_create(st, "bad.name") == -1 && errno == EINVAL);
	CHECK(sl_db_exists(st, "testdb") == 1);
	CHECK(sl_db_create(st, "other") == 1);
	CHECK(sl_db_list(st, &v, &n) == 1 && n == 2 && !strcmp(v[0], "other") && !strcmp(v[1], "testdb"));
	sl_strv_free(v, n);

	CHECK(sl_table_create(st, "testdb", "t", "CREATE TABLE t (id INT)") == 1);
	CHECK(sl_table_create(st, "testdb", "t", "CREATE TABLE t (id INT)") == 0);
	CHECK(sl_table_create(st, "nodb", "t", "x") == -1 && errno == ENOENT);
	CHECK(sl_table_create(st, "testdb", "txnlog", "x") == -1 && errno == EINVAL);
	CHECK(sl_table_create(st, "testdb", "u", "CREATE TABLE u (id INT)") == 1);
	CHECK(sl_table_list(st, "testdb", &v, &n) == 1 && n == 2 && !strcmp(v[0], "t") && !strcmp(v[1], "u"));
	sl_strv_free(v, n);
	CHECK(sl_table_list(st, "nodb", &v, &n) == 0 && n == 0);
	CHECK(sl_table_ddl(st, "testdb", "t", &b) == 1 && !strcmp(b.p, "CREATE TABLE t (id INT)"));
	CHECK(sl_table_ddl(st, "testdb", "zz", &b) == 0 && errno == ENOENT);
	CHECK(sl_table_ddl(st, "nodb", "t", &b) == 0 && errno == ENOTDIR);
	CHECK(sl_table_drop(st, "testdb", "u") == 1);
	CHECK(sl_table_drop(st, "testdb", "u") == 0);
	CHECK(sl_table_list(st, "testdb", &v, &n) == 1 && n == 1);
	sl_strv_free(v, n);
	CHECK(sl_db_drop(st, "other") == 1);
	CHECK(sl_db_drop(st, "other") == 0);
	CHECK(sl_db_exists(st, "other") == 0);
	sl_buf_free(&b);
}

static void test_load_and_scan(sl_store *st)
{
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	uint64_t sum;
	char p[512];

	/* 300k rows: several 1 MiB blocks */
	CHECK(load(st, "l1", 0, 300000, &t, &ex) == 1);
	CHECK(t.id == 1000);
	CHECK(t.lockfd >= 0 && (fcntl(t.lockfd, F_GETFD) & FD_CLOEXEC));
	CHECK(count_rows(st, "t", 0) == 0);           /* PREPARE: invisible */
	CHECK(sl_txn_lookup_label(st, "testdb", "l1", &ti) == 1 && ti.state == SL_TXN_PREPARE);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, "off=1", 5, &ti) == 1);
	CHECK(ti.state == SL_TXN_VISIBLE && ti.nrows == 300000 && ti.nrowsets == 1);
	CHECK(ti.attach.len == 5 && !memcmp(ti.attach.p, "off=1", 5));
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", &sum) == 300000 && sum == 300000ull * 299999 / 2);
	CHECK(sl_snapshot_open(st, "testdb", "t", &snap) == 1 && snap.n == 1 &&
	      snap.version == 1000 && snap.nrows == 300000);
	sl_snapshot_free(&snap);
	CHECK(sl_snapshot_open(st, "testdb", "nope", &snap) == 0 && errno == ENOENT);
	CHECK(sl_snapshot_open(st, "nodb", "t", &snap) == 0 && errno == ENOTDIR);
	/* the rowset is compressed: far smaller than the ~5 MB of raw rows */
	snprintf(p, sizeof p, "%s/testdb/t/data/1000-0.rs", dir);
	CHECK(file_size(p) > 0 && file_size(p) < 4000000);
	CHECK(access(p, F_OK) == 0);
	snprintf(p, sizeof p, "%s/testdb/txn/1000.lock", dir);
	CHECK(access(p, F_OK) < 0);                   /* never made: slots */
	snprintf(p, sizeof p, "%s/testdb/txn/slot-0", dir);
	CHECK(access(p, F_OK) == 0);                  /* kept for reuse */

	/* the label is taken now */
	CHECK(sl_txn_begin(st, "testdb", "t", "l1", 600, &t, &ex) == 0);
	CHECK(ex.id == 1000 && ex.state == SL_TXN_VISIBLE && !strcmp(ex.label, "l1") &&
	      !strcmp(ex.table, "t"));
	CHECK(sl_txn_lookup_id(st, "testdb", 1000, &ti) == 1 && ti.state == SL_TXN_VISIBLE);
	CHECK(sl_txn_lookup_id(st, "testdb", 999, &ti) == 0);
	CHECK(sl_txn_lookup_id(st, "nodb", 1000, &ti) == -1 && errno == ENOTDIR);
	CHECK(sl_txn_lookup_label(st, "testdb", "zz", &ti) == 0);
	CHECK(sl_txn_begin(st, "testdb", "nope", "l9", 600, &t, &ex) == -1 && errno == ENOENT);
	CHECK(sl_txn_begin(st, "nodb", "t", "l9", 600, &t, &ex) == -1 && errno == ENOENT);

	/* abort frees the label and removes the files; ids keep growing */
	CHECK(load(st, "l2", 0, 10, &t, &ex) == 1 && t.id == 1001);
	CHECK(sl_txn_abort(st, "testdb", t.id, "User Abort", &ti) == 1);
	CHECK(ti.state == SL_TXN_ABORTED && !strcmp(ti.reason, "User Abort"));
	snprintf(p, sizeof p, "%s/testdb/t/data/1001-0.rs", dir);
	CHECK(access(p, F_OK) < 0);
	CHECK(sl_txn_abort(st, "testdb", t.id, "again", &ti) == 0 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, "User Abort"));
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 0 && ti.state == SL_TXN_ABORTED);
	sl_txn_release(&t);
	CHECK(load(st, "l2", 5, 10, &t, &ex) == 1 && t.id == 1002);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", 0) == 300010);
	/* two rowsets in one txn, and an empty one */
	{
		sl_rowset_writer *w;
		char row[128];
		uint64_t n;
		CHECK(load(st, "l3", 0, 3, &t, &ex) == 1);
		CHECK((w = sl_rowset_create(&t, 3, cols)) != 0);
		CHECK(sl_rowset_add(w, row, mkrow(row, 7)) == 1);
		CHECK(sl_rowset_finish(w, &n) == 1 && n == 1);
		CHECK((w = sl_rowset_create(&t, 3, cols)) != 0);
		CHECK(sl_rowset_finish(w, &n) == 1 && n == 0);
		CHECK((w = sl_rowset_create(&t, 3, cols)) != 0);
		CHECK(sl_rowset_add(w, row, mkrow(row, 8)) == 1);
		sl_rowset_discard(w);
		CHECK(t.nrowsets == 4);
		CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1 && ti.nrowsets == 3 &&
		      ti.nrows == 4);
		sl_txn_release(&t);
		CHECK(count_rows(st, "t", 0) == 300014);
	}
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

static void test_2pc(sl_store *st)
{
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	long before = count_rows(st, "t", 0);
	int64_t id;

	CHECK(load(st, "p1", 0, 100, &t, &ex) == 1);
	id = t.id;
	CHECK(sl_txn_commit(st, "testdb", id, SL_TXN_COMMIT_2PC, 0, 0, &ti) == 0 &&
	      ti.state == SL_TXN_PREPARE);
	CHECK(sl_txn_commit(st, "testdb", id, 1, "a1", 2, &ti) == 1 && ti.state == SL_TXN_PRECOMMITTED);
	sl_txn_release(&t);   /* the owner may go: a precommitted txn stays */
	CHECK(count_rows(st, "t", 0) == before);
	CHECK(sl_txn_lookup_label(st, "testdb", "p1", &ti) == 1 && ti.state == SL_TXN_PRECOMMITTED);
	CHECK(sl_txn_begin(st, "testdb", "t", "p1", 600, &t, &ex) == 0 &&
	      ex.state == SL_TXN_PRECOMMITTED && ex.id == id);
	CHECK(sl_txn_commit(st, "testdb", id, 1, 0, 0, &ti) == 0 && ti.state == SL_TXN_PRECOMMITTED);
	CHECK(sl_txn_commit(st, "testdb", id, SL_TXN_COMMIT_2PC, 0, 0, &ti) == 1 &&
	      ti.state == SL_TXN_VISIBLE && ti.nrows == 100);
	CHECK(ti.attach.len == 2 && !memcmp(ti.attach.p, "a1", 2));   /* kept */
	CHECK(count_rows(st, "t", 0) == before + 100);
	CHECK(sl_txn_commit(st, "testdb", id, SL_TXN_COMMIT_2PC, 0, 0, &ti) == 0 &&
	      ti.state == SL_TXN_VISIBLE);
	CHECK(sl_txn_abort(st, "testdb", id, "User Abort", &ti) == 0 && ti.state == SL_TXN_VISIBLE);
	CHECK(sl_txn_commit(st, "testdb", 99999, 0, 0, 0, &ti) == -1 && errno == ENOENT);
	CHECK(sl_txn_abort(st, "testdb", 99999, "x", &ti) == -1 && errno == ENOENT);
	CHECK(sl_txn_commit(st, "nodb", id, 0, 0, 0, &ti) == -1 && errno == ENOTDIR);
	CHECK(sl_txn_abort(st, "nodb", id, "x", &ti) == -1 && errno == ENOTDIR);

	/* precommit then abort: invisible, label free again */
	CHECK(load(st, "p2", 0, 50, &t, &ex) == 1);
	id = t.id;
	CHECK(sl_txn_commit(st, "testdb", id, 1, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	CHECK(sl_txn_abort(st, "testdb", id, "User Abort", &ti) == 1 && ti.state == SL_TXN_ABORTED);
	CHECK(sl_txn_commit(st, "testdb", id, SL_TXN_COMMIT_2PC, 0, 0, &ti) == 0 &&
	      ti.state == SL_TXN_ABORTED && !strcmp(ti.reason, "User Abort"));
	CHECK(count_rows(st, "t", 0) == before + 100);
	CHECK(sl_txn_lookup_label(st, "testdb", "p2", &ti) == 1 && ti.state == SL_TXN_ABORTED);
	CHECK(load(st, "p2", 0, 1, &t, &ex) == 1);
	CHECK(sl_txn_lookup_label(st, "testdb", "p2", &ti) == 1 && ti.state == SL_TXN_PREPARE &&
	      ti.id == t.id);
	CHECK(sl_txn_abort(st, "testdb", t.id, "User Abort", 0) == 1);
	sl_txn_release(&t);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

static void test_dead_and_timeout(sl_store *st)
{
	sl_txn t, t2;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	long before = count_rows(st, "t", 0);
	int64_t id;
	char p[512];

	/* the owner dies (closes its lock) before committing */
	CHECK(load(st, "d1", 0, 10, &t, &ex) == 1);
	id = t.id;
	CHECK(sl_txn_lookup_id(st, "testdb", id, &ti) == 1 && ti.state == SL_TXN_PREPARE);
	sl_txn_release(&t);
	CHECK(sl_txn_lookup_id(st, "testdb", id, &ti) == 1 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, SL_TXN_REASON_DEAD));
	CHECK(sl_txn_commit(st, "testdb", id, 0, 0, 0, &ti) == 0 && ti.state == SL_TXN_ABORTED);
	snprintf(p, sizeof p, "%s/testdb/t/data/%lld-0.rs", dir, (long long)id);
	CHECK(access(p, F_OK) < 0);
	CHECK(load(st, "d1", 0, 10, &t, &ex) == 1);   /* label reusable */
	/* a begin sweeps a dead owner's txn under another label */
	CHECK(load(st, "d2", 0, 10, &t2, &ex) == 1);
	id = t2.id;
	sl_txn_release(&t2);
	CHECK(sl_txn_abort(st, "testdb", t.id, "User Abort", 0) == 1);
	sl_txn_release(&t);
	CHECK(load(st, "d3", 0, 1, &t, &ex) == 1);
	CHECK(sl_txn_abort(st, "testdb", t.id, "User Abort", 0) == 1);
	sl_txn_release(&t);
	CHECK(sl_txn_abort(st, "testdb", id, "late", &ti) == 0 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, SL_TXN_REASON_DEAD));   /* recorded by the sweep */

	/* a timeout of 1 s */
	CHECK(sl_txn_begin(st, "testdb", "t", "to1", 1, &t, &ex) == 1);
	usleep(1100000);
	CHECK(sl_txn_lookup_label(st, "testdb", "to1", &ti) == 1 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, SL_TXN_REASON_TIMEOUT));
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 0 && ti.state == SL_TXN_ABORTED);
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", 0) == before);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

static void test_expiry_and_precommit_timeout(void)
{
	sl_store st;
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	char p[512];
	const char *conf = "# test\nlabel_keep_max_second = 0\n"
		"stream_load_default_precommit_timeout_second=0\nfoo = bar baz\n";

	snprintf(p, sizeof p, "%s/sl.conf", dir);
	CHECK(sl_file_write_atomic(p, conf, strlen(conf), 0644) == 1);
	CHECK(sl_store_open(&st, dir) == 1);
	CHECK(st.label_keep_max_second == 0 && st.precommit_timeout_second == 0);
	CHECK(st.load_error_log_limit_bytes == 200ll << 20);
	CHECK(sl_store_conf(&st, "foo") && !strcmp(sl_store_conf(&st, "foo"), "bar baz"));
	CHECK(sl_store_conf(&st, "nope") == 0);
	/* l1 is VISIBLE but expired at once: reusable */
	CHECK(load(&st, "l1", 0, 1, &t, &ex) == 1);
	CHECK(sl_txn_commit(&st, "testdb", t.id, 1, 0, 0, &ti) == 1);
	usleep(2000);
	/* precommitted past 0 s: aborted lazily */
	CHECK(sl_txn_commit(&st, "testdb", t.id, SL_TXN_COMMIT_2PC, 0, 0, &ti) == 0 &&
	      ti.state == SL_TXN_ABORTED && !strcmp(ti.reason, SL_TXN_REASON_TIMEOUT));
	sl_txn_release(&t);
	sl_store_close(&st);
	unlink(p);
	conf = "label_keep_max_second = soon\n";
	CHECK(sl_file_write_atomic(p, conf, strlen(conf), 0644) == 1);
	CHECK(sl_store_open(&st, dir) == -1 && errno == EINVAL);
	unlink(p);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

static void test_torn_tail(sl_store *st)
{
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	char p[512], pat[600];
	long before = count_rows(st, "t", 0);
	off_t size;
	sl_buf log = SL_BUF_ZERO;

	snprintf(p, sizeof p, "%s/testdb/txnlog", dir);
	size = file_size(p);
	/* garbage, then a record header promising more than there is */
	append_file(p, "\x00\x00\x00\x10garbage", 11);
	CHECK(count_rows(st, "t", 0) == before);
	CHECK(sl_txn_lookup_label(st, "testdb", "l1", &ti) == 1 && ti.state == SL_TXN_VISIBLE);
	CHECK(load(st, "torn1", 0, 10, &t, &ex) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", 0) == before + 10);
	snprintf(pat, sizeof pat, "%s/testdb/txnlog.torn-%lld", dir, (long long)size);
	CHECK(file_size(pat) == 11);
	/* the garbage is gone from the log: records follow the old end */
	CHECK(sl_file_read(p, &log) == 1 && log.len > (size_t)size &&
	      memcmp(log.p + size, "\x00\x00\x00\x10garbage", 11));

	/* a torn copy of the last record: cut and ignored */
	{
		off_t s2 = file_size(p);
		CHECK(load(st, "torn2", 0, 10, &t, &ex) == 1);
		CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1);
		sl_txn_release(&t);
		log.len = 0;
		CHECK(sl_file_read(p, &log) == 1);
		/* drop the final (commit) record's last 3 bytes */
		CHECK(truncate(p, (off_t)log.len - 3) == 0);
		CHECK(count_rows(st, "t", 0) == before + 10);
		CHECK(sl_txn_lookup_label(st, "testdb", "torn2", &ti) == 1);
		CHECK(ti.state == SL_TXN_ABORTED);   /* its owner is gone */
		(void)s2;
	}
	/* a bit flip in the last record: CRC catches it */
	CHECK(load(st, "torn3", 0, 10, &t, &ex) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", 0) == before + 20);
	{
		int fd = open(p, O_RDWR);
		off_t end = file_size(p);
		char c;
		CHECK(pread(fd, &c, 1, end - 1) == 1);
		c ^= 1;
		CHECK(pwrite(fd, &c, 1, end - 1) == 1);
		close(fd);
	}
	CHECK(count_rows(st, "t", 0) == before + 10);
	CHECK(load(st, "torn4", 0, 10, &t, &ex) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", 0) == before + 20);
	snprintf(pat, sizeof pat, "%s/testdb/txnlog.torn-*", dir);
	CHECK(count_glob(pat) == 3);
	sl_buf_free(&log);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

/* What readers see of testdb: the snapshot of t, then every txn up to
 * last by id and by label (state, times, rowsets, attachment). */
static void state_text(sl_store *st, int64_t last, sl_buf *out)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_txninfo ti = SL_TXNINFO_ZERO, tl = SL_TXNINFO_ZERO;
	int64_t id;
	size_t i;

	out->len = 0;
	if (sl_snapshot_open(st, "testdb", "t", &snap) == 1) {
		sl_buf_printf(out, "v=%lld rows=%llu n=%zu\n", (long long)snap.version,
			      (unsigned long long)snap.nrows, snap.n);
		for (i = 0; i < snap.n; i++)
			sl_buf_printf(out, "%s\n", snap.paths[i]);
	}
	sl_snapshot_free(&snap);
	for (id = 1000; id <= last; id++) {
		int r = sl_txn_lookup_id(st, "testdb", id, &ti);
		if (r != 1) {
			sl_buf_printf(out, "%lld r=%d\n", (long long)id, r);
			continue;
		}
		r = sl_txn_lookup_label(st, "testdb", ti.label, &tl);
		sl_buf_printf(out, "%lld %s %s %s %lld %lld %lld %u %llu [%.*s] %s | %d %lld %s\n",
			      (long long)id, ti.label, ti.table, sl_txn_state_name(ti.state),
			      (long long)ti.begin_ms, (long long)ti.finish_ms, (long long)ti.timeout_s,
			      ti.nrowsets, (unsigned long long)ti.nrows, (int)ti.attach.len,
			      ti.attach.p ? ti.attach.p : "", ti.reason, r, (long long)tl.id,
			      sl_txn_state_name(tl.state));
	}
	sl_txninfo_free(&ti);
	sl_txninfo_free(&tl);
}

/* The state seen with the checkpoint is the one seen without it. */
static void check_same_without_ckpt(sl_store *st, int64_t last)
{
	char ck[600];
	sl_buf with = SL_BUF_ZERO, without = SL_BUF_ZERO, keep = SL_BUF_ZERO;

	snprintf(ck, sizeof ck, "%s/testdb/txnlog.ckpt", dir);
	CHECK(sl_file_read(ck, &keep) == 1);
	state_text(st, last, &with);
	unlink(ck);
	state_text(st, last, &without);
	CHECK(with.len > 0 && with.len == without.len && !memcmp(with.p, without.p, with.len));
	CHECK(sl_file_write_atomic(ck, keep.p, keep.len, 0644) == 1);
	sl_buf_free(&with);
	sl_buf_free(&without);
	sl_buf_free(&keep);
}

/* Load n one-row txns ck<from>..ck<from+n-1> with attachments "att-<i>",
 * padded with dots to 30000 bytes when big (so that a few pass the
 * checkpoint's 64 KiB threshold); the last id. */
static int64_t ck_loads(sl_store *st, int from, int n, int big)
{
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	char lab[32];
	static char att[30001];
	int64_t last = 0;
	int i, ok = 1;

	for (i = from; i < from + n; i++) {
		size_t k;
		snprintf(lab, sizeof lab, "ck%d", i);
		k = (size_t)snprintf(att, sizeof att, "att-%d", i);
		if (big) {
			memset(att + k, '.', sizeof att - 1 - k);
			att[sizeof att - 1] = 0;
		}
		if (load(st, lab, (uint32_t)i, 1, &t, &ex) != 1) {
			ok = 0;
			continue;
		}
		/* every 10th is left precommitted, every 15th aborted */
		if (i % 15 == 0)
			ok &= sl_txn_abort(st, "testdb", t.id, "ck abort", &ti) == 1;
		else
			ok &= sl_txn_commit(st, "testdb", t.id, i % 10 == 0, att, strlen(att), &ti) == 1;
		last = t.id;
		sl_txn_release(&t);
	}
	CHECK(ok);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
	return last;
}

static void test_checkpoint(sl_store *st)
{
	char ck[600], lg[600];
	sl_buf keep = SL_BUF_ZERO, a = SL_BUF_ZERO, b = SL_BUF_ZERO, logb = SL_BUF_ZERO;
	sl_txninfo ti = SL_TXNINFO_ZERO;
	int64_t last;
	off_t cks;

	snprintf(ck, sizeof ck, "%s/testdb/txnlog.ckpt", dir);
	snprintf(lg, sizeof lg, "%s/testdb/txnlog", dir);
	unlink(ck);
	/* 140 loads append 280 records: past CKPT_RECS (256), so a writer
	 * writes a checkpoint */
	last = ck_loads(st, 0, 140, 0);
	CHECK(access(ck, F_OK) == 0);
	cks = file_size(ck);
	CHECK(cks > 0 && cks < file_size(lg));
	check_same_without_ckpt(st, last);
	/* a precommitted txn from the checkpoint commits (2PC) with its
	 * attachment, read back from the log */
	CHECK(sl_txn_lookup_label(st, "testdb", "ck10", &ti) == 1 && ti.state == SL_TXN_PRECOMMITTED);
	CHECK(sl_txn_commit(st, "testdb", ti.id, SL_TXN_COMMIT_2PC, 0, 0, &ti) == 1 &&
	      ti.state == SL_TXN_VISIBLE && ti.attach.len == 6 && !memcmp(ti.attach.p, "att-10", 6));
	CHECK(sl_txn_lookup_label(st, "testdb", "ck15", &ti) == 1 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, "ck abort"));
	/* a label held by a txn in the checkpoint is still in use */
	{
		sl_txn t;
		sl_txninfo ex = SL_TXNINFO_ZERO;
		CHECK(sl_txn_begin(st, "testdb", "t", "ck3", 600, &t, &ex) == 0 &&
		      ex.state == SL_TXN_VISIBLE && ex.attach.len == 5 && !memcmp(ex.attach.p, "att-3", 5));
		sl_txninfo_free(&ex);
	}
	check_same_without_ckpt(st, last);

	/* a corrupt checkpoint (a flipped byte) is ignored */
	CHECK(sl_file_read(ck, &keep) == 1);
	state_text(st, last, &a);
	keep.p[keep.len / 2] ^= 0x40;
	CHECK(sl_file_write_atomic(ck, keep.p, keep.len, 0644) == 1);
	state_text(st, last, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	/* so is one cut short, or of another file */
	CHECK(truncate(ck, (off_t)keep.len / 2) == 0);
	state_text(st, last, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	keep.p[keep.len / 2] ^= 0x40;

	/* a stale checkpoint: the log was cut below its offset (records it
	 * covers are gone): it must not resurrect them */
	CHECK(sl_file_read(lg, &logb) == 1);
	unlink(ck);
	last = ck_loads(st, 200, 5, 1);         /* a fresh checkpoint */
	CHECK(access(ck, F_OK) == 0);
	keep.len = 0;
	CHECK(sl_file_read(ck, &keep) == 1);
	{
		/* put back the log as it was before those loads: the txns of
		 * ck200.. are unknown again, and their files garbage */
		int fd = open(lg, O_WRONLY | O_TRUNC);
		CHECK(fd >= 0 && write(fd, logb.p, logb.len) == (ssize_t)logb.len);
		close(fd);
		unlink(ck);
		state_text(st, last, &a);
		CHECK(sl_file_write_atomic(ck, keep.p, keep.len, 0644) == 1);
		state_text(st, last, &b);
		CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
		CHECK(sl_txn_lookup_label(st, "testdb", "ck200", &ti) == 0);
	}
	/* a log replaced by another file (same content, new inode) */
	last = ck_loads(st, 400, 5, 1);
	CHECK(access(ck, F_OK) == 0);
	state_text(st, last, &a);
	logb.len = 0;
	CHECK(sl_file_read(lg, &logb) == 1);
	CHECK(sl_file_write_atomic(lg, logb.p, logb.len, 0644) == 1);
	state_text(st, last, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));

	/* a torn log tail after the checkpoint: ignored by readers, cut by
	 * the next writer, and the checkpoint still used */
	last = ck_loads(st, 600, 5, 1);
	state_text(st, last, &a);
	append_file(lg, "\x00\x00\x00\x30torn", 8);
	state_text(st, last, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	last = ck_loads(st, 800, 3, 0);
	check_same_without_ckpt(st, last);
	CHECK(sl_txn_lookup_label(st, "testdb", "ck801", &ti) == 1 && ti.state == SL_TXN_VISIBLE);

	sl_buf_free(&keep);
	sl_buf_free(&a);
	sl_buf_free(&b);
	sl_buf_free(&logb);
	sl_txninfo_free(&ti);
}

/* Checkpoint layout 3 (sl-store.5): damage in any part of it (header, live
 * list, id index, label buckets, entries) is caught by the reader that
 * touches it, which replays the log instead; a writer that finds it damaged
 * rebuilds it from the log; a checkpoint of another layout version is
 * ignored and replaced. */
static void test_checkpoint_parts(sl_store *st)
{
	char ck[600];
	sl_buf good = SL_BUF_ZERO, bad = SL_BUF_ZERO, now = SL_BUF_ZERO, a = SL_BUF_ZERO, b = SL_BUF_ZERO;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	sl_txn held;
	uint32_t nent, nlive, nbkt, k;
	size_t ids, bkts, ents, tbl, at[8];
	int i, rebuilt[8] = { 1, 1, 1, 0, 0, 0, 0, 1 };

	snprintf(ck, sizeof ck, "%s/testdb/txnlog.ckpt", dir);
	/* a PREPARE txn whose owner lives, in the checkpoint's live list */
	CHECK(load(st, "cp-held", 1, 1, &held, &ex) == 1);
	unlink(ck);
	/* a writer with a long log and no checkpoint writes one */
	CHECK(sl_txn_abort(st, "testdb", 1, "x", &ti) == -1 && errno == ENOENT);
	CHECK(sl_file_read(ck, &good) == 1 && good.len > 100);
	CHECK(!memcmp(good.p, "SLCK", 4) && sl_u32_unpack(good.p + 4) == 7);
	nent = sl_u32_unpack(good.p + 64);
	nlive = sl_u32_unpack(good.p + 68);
	nbkt = sl_u32_unpack(good.p + 72);
	CHECK(nent > 100 && nlive >= 2 && nbkt >= 2 * nent && sl_u64_unpack(good.p + 76) == good.len);
	ids = 100 + 4 * (size_t)nlive + 4;
	bkts = ids + 16 * (size_t)nent;
	ents = bkts + 12 * (size_t)nbkt;
	tbl = (size_t)sl_u64_unpack(good.p + 88);
	CHECK(ents < tbl && tbl + 8 < good.len);
	CHECK(sl_txn_lookup_label(st, "testdb", "cp-held", &ti) == 1 && ti.state == SL_TXN_PREPARE &&
	      ti.id == held.id);
	state_text(st, held.id, &a);
	at[0] = 20;                             /* header */
	at[1] = 100;                            /* live list */
	at[2] = ids + 16 * (size_t)(nent / 2) + 3; /* the first id slot a search visits */
	at[3] = bkts;                           /* a used bucket slot */
	for (k = 0; k < nbkt; k++)
		if (sl_u32_unpack(good.p + bkts + 12 * (size_t)k)) {
			at[3] = bkts + 12 * (size_t)k + 2;
			break;
		}
	at[4] = ents + (tbl - ents) / 2;        /* an entry */
	at[5] = tbl - 1;                        /* the last entry's end */
	at[6] = bkts + 12 * (size_t)(nbkt - 1) + 9; /* a bucket's CRC */
	at[7] = tbl + 2;                        /* the tables (always read) */
	for (i = 0; i < 8; i++) {
		bad.len = 0;
		CHECK(sl_buf_put(&bad, good.p, good.len) == 1);
		bad.p[at[i]] ^= 0x21;
		CHECK(sl_file_write_atomic(ck, bad.p, bad.len, 0644) == 1);
		state_text(st, held.id, &b);
		CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
		if (a.len != b.len || memcmp(a.p, b.p, a.len))
			fprintf(stderr, "checkpoint damaged at %zu (part %d) changed the state\n", at[i], i);
		/* a writer that meets the damage rebuilds it from the log */
		CHECK(sl_txn_abort(st, "testdb", 1, "x", &ti) == -1 && errno == ENOENT);
		now.len = 0;
		CHECK(sl_file_read(ck, &now) == 1);
		if (rebuilt[i])
			CHECK(now.len == good.len && !memcmp(now.p, good.p, good.len));
		state_text(st, held.id, &b);
		CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
		CHECK(sl_file_write_atomic(ck, good.p, good.len, 0644) == 1);
	}
	/* readers take what they need from the checkpoint, and only that: an
	 * entry altered and signed again shows through a lookup of its own,
	 * while a damaged entry that a lookup does not visit goes unnoticed */
	CHECK(sl_txn_lookup_label(st, "testdb", "ck15", &ti) == 1 && !strcmp(ti.reason, "ck abort"));
	{
		int64_t want = ti.id, x;
		uint32_t lo = 0, hi = nent, off = 0, len;
		size_t r;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			x = (int64_t)sl_u64_unpack(good.p + ids + 16 * (size_t)mid);
			if (x == want) {
				off = sl_u32_unpack(good.p + ids + 16 * (size_t)mid + 8);
				break;
			}
			if (x < want)
				lo = mid + 1;
			else
				hi = mid;
		}
		CHECK(off >= ents && off < tbl);
		bad.len = 0;
		CHECK(sl_buf_put(&bad, good.p, good.len) == 1);
		len = sl_u32_unpack(bad.p + off);
		r = off + 8 + 60;                       /* label:str */
		r += 4 + sl_u32_unpack(bad.p + r);      /* table:str */
		r += 4 + sl_u32_unpack(bad.p + r);      /* reason:str */
		CHECK(sl_u32_unpack(bad.p + r) == 8 && !memcmp(bad.p + r + 4, "ck abort", 8));
		bad.p[r + 4] = 'C';
		sl_u32_pack(bad.p + off + 4, (uint32_t)crc32(0, (const Bytef *)bad.p + off + 8, len));
		/* and damage the entry of the first id */
		off = sl_u32_unpack(good.p + ids + 8);
		bad.p[off + 12] ^= 0x10;
		CHECK(sl_file_write_atomic(ck, bad.p, bad.len, 0644) == 1);
		CHECK(sl_txn_lookup_label(st, "testdb", "ck15", &ti) == 1 && !strcmp(ti.reason, "Ck abort"));
		CHECK(sl_txn_lookup_id(st, "testdb", want, &ti) == 1 && !strcmp(ti.reason, "Ck abort"));
		/* the damaged one is caught when visited: the log is read instead */
		x = (int64_t)sl_u64_unpack(good.p + ids);
		CHECK(sl_txn_lookup_id(st, "testdb", x, &ti) == 1 && ti.id == x);
		CHECK(sl_txn_lookup_id(st, "testdb", want, &ti) == 1 && !strcmp(ti.reason, "Ck abort"));
		CHECK(sl_file_write_atomic(ck, good.p, good.len, 0644) == 1);
		CHECK(sl_txn_lookup_id(st, "testdb", want, &ti) == 1 && !strcmp(ti.reason, "ck abort"));
	}
	/* a checkpoint of another layout (an earlier version's) is ignored,
	 * then replaced by the next writer */
	bad.len = 0;
	CHECK(sl_buf_put(&bad, good.p, good.len) == 1);
	sl_u32_pack(bad.p + 4, 3);
	sl_u32_pack(bad.p + 96, (uint32_t)crc32(0, (const Bytef *)bad.p, 96));
	CHECK(sl_file_write_atomic(ck, bad.p, bad.len, 0644) == 1);
	state_text(st, held.id, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	CHECK(sl_txn_abort(st, "testdb", 1, "x", &ti) == -1 && errno == ENOENT);
	now.len = 0;
	CHECK(sl_file_read(ck, &now) == 1 && now.len > 8 && sl_u32_unpack(now.p + 4) == 7);
	/* one byte short */
	CHECK(truncate(ck, (off_t)good.len - 1) == 0);
	state_text(st, held.id, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	CHECK(sl_file_write_atomic(ck, good.p, good.len, 0644) == 1);
	/* the held txn commits through the checkpoint's live list */
	CHECK(sl_txn_commit(st, "testdb", held.id, 0, "held", 4, &ti) == 1 && ti.state == SL_TXN_VISIBLE);
	sl_txn_release(&held);
	check_same_without_ckpt(st, held.id);
	sl_buf_free(&good);
	sl_buf_free(&bad);
	sl_buf_free(&now);
	sl_buf_free(&a);
	sl_buf_free(&b);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

/* Label expiry with checkpoints: label_keep_max_second 0 frees labels of
 * VISIBLE txns at once, checkpoint or not; the txns stay visible. */
static void test_checkpoint_expiry(void)
{
	sl_store st;
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	char p[512];
	long before;
	int64_t last;

	snprintf(p, sizeof p, "%s/sl.conf", dir);
	CHECK(sl_file_write_atomic(p, "label_keep_max_second = 0\n", 26, 0644) == 1);
	CHECK(sl_store_open(&st, dir) == 1);
	before = count_rows(&st, "t", 0);
	last = ck_loads(&st, 1000, 5, 1);
	/* ck1001 is VISIBLE and its label free again */
	CHECK(load(&st, "ck1001", 0, 2, &t, &ex) == 1);
	CHECK(sl_txn_commit(&st, "testdb", t.id, 0, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	last = t.id;
	CHECK(sl_txn_lookup_label(&st, "testdb", "ck1001", &ti) == 1 && ti.id == last);
	/* 5 loads: 4 committed, 1 precommitted; + 2 rows */
	CHECK(count_rows(&st, "t", 0) == before + 4 + 2);
	check_same_without_ckpt(&st, last);
	sl_store_close(&st);
	unlink(p);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

static void test_corrupt_rowset(sl_store *st)
{
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	char p[512];
	long before = count_rows(st, "t", 0);
	int fd;
	char c;

	CHECK(load(st, "c1", 0, 1000, &t, &ex) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", 0) == before + 1000);
	snprintf(p, sizeof p, "%s/testdb/t/data/%lld-0.rs", dir, (long long)t.id);
	fd = open(p, O_RDWR);
	CHECK(pread(fd, &c, 1, 200) == 1);
	c ^= 0x40;
	CHECK(pwrite(fd, &c, 1, 200) == 1);
	CHECK(count_rows(st, "t", 0) == -1 && errno == EPROTO);
	c ^= 0x40;
	CHECK(pwrite(fd, &c, 1, 200) == 1);
	CHECK(count_rows(st, "t", 0) == before + 1000);
	/* truncated rowset (no footer) */
	{
		off_t sz = file_size(p);
		CHECK(ftruncate(fd, sz - 1) == 0);
		CHECK(count_rows(st, "t", 0) == -1 && errno == EPROTO);
		CHECK(ftruncate(fd, sz - 28) == 0);
		CHECK(count_rows(st, "t", 0) == -1 && errno == EPROTO);
	}
	close(fd);
	/* a commit naming a broken rowset is refused */
	CHECK(load(st, "c2", 0, 10, &t, &ex) == 1);
	snprintf(p, sizeof p, "%s/testdb/t/data/%lld-0.rs", dir, (long long)t.id);
	CHECK(truncate(p, 30) == 0);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == -1 && errno == EPROTO);
	CHECK(sl_txn_lookup_id(st, "testdb", t.id, &ti) == 1 && ti.state == SL_TXN_PREPARE);
	CHECK(sl_txn_abort(st, "testdb", t.id, "bad", 0) == 1);
	sl_txn_release(&t);
	/* drop the damaged table and recreate it: nothing old is visible */
	CHECK(sl_table_drop(st, "testdb", "t") == 1);
	{
		sl_snapshot snap = SL_SNAPSHOT_ZERO;
		CHECK(sl_snapshot_open(st, "testdb", "t", &snap) == 0 && errno == ENOENT);
	}
	CHECK(sl_table_create(st, "testdb", "t", "CREATE TABLE t (id INT)") == 1);
	CHECK(count_rows(st, "t", 0) == 0);
	CHECK(load(st, "c3", 0, 10, &t, &ex) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", 0) == 10);
	/* a txn begun before a drop+create cannot commit into the new table */
	CHECK(load(st, "c4", 0, 10, &t, &ex) == 1);
	CHECK(sl_table_drop(st, "testdb", "t") == 1);
	CHECK(sl_table_create(st, "testdb", "t", "CREATE TABLE t (id INT)") == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 0 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, SL_TXN_REASON_DROPPED));
	sl_txn_release(&t);
	CHECK(count_rows(st, "t", 0) == 0);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

/* n children begin/write/commit at once; with same_label only one wins. */
static void test_concurrent(sl_store *st, int n, int same_label)
{
	long before = count_rows(st, "t", 0);
	int i, ok = 0, taken = 0, other = 0;
	pid_t *pids = calloc((size_t)n, sizeof *pids);

	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			sl_store cst;
			sl_txn t;
			sl_txninfo ex = SL_TXNINFO_ZERO, ti = SL_TXNINFO_ZERO;
			char label[64];
			int r;
			if (sl_store_open(&cst, dir) != 1)
				_exit(3);
			snprintf(label, sizeof label, same_label ? "same%d" : "conc%d",
				 same_label ? same_label : i);
			r = load(&cst, label, (uint32_t)i * 100, 100, &t, &ex);
			if (r == 0)
				_exit(ex.state == SL_TXN_PREPARE || ex.state == SL_TXN_VISIBLE ? 1 : 4);
			if (r < 0)
				_exit(5);
			if (sl_txn_commit(&cst, "testdb", t.id, 0, 0, 0, &ti) != 1)
				_exit(6);
			_exit(0);
		}
		pids[i] = pid;
	}
	for (i = 0; i < n; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
			taken++;
		else
			other++;
	}
	free(pids);
	CHECK(other == 0);
	if (same_label) {
		CHECK(ok == 1 && taken == n - 1);
		CHECK(count_rows(st, "t", 0) == before + 100);
	} else {
		CHECK(ok == n);
		CHECK(count_rows(st, "t", 0) == before + 100l * n);
	}
}

/* Children load and commit while the parent SIGKILLs some at random
 * moments: every load is all-or-nothing, and every child that reported
 * success is visible. */
static void test_kill(sl_store *st, int n)
{
	long before = count_rows(st, "t", 0), after, want = 0;
	int i, bad = 0, okvis = 1;
	pid_t *pids = calloc((size_t)n, sizeof *pids);
	int *status = calloc((size_t)n, sizeof *status);
	sl_txninfo ti = SL_TXNINFO_ZERO;

	srand((unsigned)getpid());
	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			sl_store cst;
			sl_txn t;
			sl_txninfo ex = SL_TXNINFO_ZERO, ci = SL_TXNINFO_ZERO;
			char label[32];
			snprintf(label, sizeof label, "kill%d", i);
			if (sl_store_open(&cst, dir) != 1 ||
			    load(&cst, label, 0, 20000, &t, &ex) != 1 ||
			    sl_txn_commit(&cst, "testdb", t.id, 0, 0, 0, &ci) != 1)
				_exit(2);
			_exit(0);
		}
		pids[i] = pid;
	}
	for (i = 0; i < n; i++)
		if (rand() % 2) {
			usleep((useconds_t)(rand() % 20000));
			kill(pids[i], SIGKILL);
		}
	for (i = 0; i < n; i++)
		waitpid(pids[i], &status[i], 0);
	after = count_rows(st, "t", 0);
	for (i = 0; i < n; i++) {
		char label[32];
		snprintf(label, sizeof label, "kill%d", i);
		if (sl_txn_lookup_label(st, "testdb", label, &ti) == 1 && ti.state == SL_TXN_VISIBLE)
			want += 20000;
		else if (WIFEXITED(status[i]) && WEXITSTATUS(status[i]) == 0)
			okvis = 0;      /* reported committed, yet not visible */
		if (WIFEXITED(status[i]) && WEXITSTATUS(status[i]) != 0)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(okvis);
	CHECK(after == before + want);
	/* a begin sweeps what the killed children left */
	{
		sl_txn t;
		sl_txninfo ex = SL_TXNINFO_ZERO;
		char pat[600];
		CHECK(load(st, "afterkill", 0, 1, &t, &ex) == 1);
		CHECK(sl_txn_abort(st, "testdb", t.id, "User Abort", 0) == 1);
		sl_txn_release(&t);
		snprintf(pat, sizeof pat, "%s/testdb/t/data/.*.tmp", dir);
		CHECK(count_glob(pat) == 0);
		snprintf(pat, sizeof pat, "%s/testdb/txn/*.lock", dir);
		CHECK(count_glob(pat) == 0);
		sl_txninfo_free(&ex);
	}
	sl_txninfo_free(&ti);
	free(pids);
	free(status);
}

/* Slot k of testdb: 1 and *id, *nrs when it holds a record. */
static int slot_get(int k, int64_t *id, unsigned *nrs, char *flag)
{
	char p[512], b[64];
	int fd;
	ssize_t r;

	snprintf(p, sizeof p, "%s/testdb/txn/slot-%d", dir, k);
	if ((fd = open(p, O_RDONLY)) < 0)
		return 0;
	r = read(fd, b, sizeof b - 1);
	close(fd);
	if (r != 34)
		return 0;
	b[r] = 0;
	*id = strtoll(b, 0, 10);
	*nrs = (unsigned)strtoul(b + 21, 0, 10);
	*flag = b[32];
	return 1;
}

static void test_slots(sl_store *st)
{
	sl_txn t1, t2, t3;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	int64_t id, sid;
	unsigned nrs;
	char p[512], fl;
	int fd, i;

	/* a live owner's slot is not taken */
	CHECK(load(st, "s1", 0, 10, &t1, &ex) == 1);
	CHECK(t1.slot == 0);
	CHECK(slot_get(0, &sid, &nrs, &fl) && sid == t1.id && nrs == 1 && fl == 'P');
	CHECK(load(st, "s2", 0, 10, &t2, &ex) == 1);
	CHECK(t2.slot == 1);
	CHECK(sl_txn_lookup_id(st, "testdb", t1.id, &ti) == 1 && ti.state == SL_TXN_PREPARE);
	CHECK(sl_txn_lookup_own(&t1, &ti) == 1 && ti.state == SL_TXN_PREPARE && ti.id == t1.id);
	/* the owner dies: its txn is dead at once, lock-free */
	id = t1.id;
	sl_txn_release(&t1);
	CHECK(sl_txn_lookup_id(st, "testdb", id, &ti) == 1 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, SL_TXN_REASON_DEAD));
	/* locked by someone but naming another txn: dead; naming it: alive */
	snprintf(p, sizeof p, "%s/testdb/txn/slot-0", dir);
	fd = open(p, O_RDWR);
	CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
	{
		char b[40];
		snprintf(b, sizeof b, "%020lld %010u P\n", (long long)id + 777, 0u);
		CHECK(pwrite(fd, b, 34, 0) == 34);
		CHECK(sl_txn_lookup_id(st, "testdb", id, &ti) == 1 && ti.state == SL_TXN_ABORTED);
		snprintf(b, sizeof b, "%020lld %010u P\n", (long long)id, 1u);
		CHECK(pwrite(fd, b, 34, 0) == 34);
		CHECK(sl_txn_lookup_id(st, "testdb", id, &ti) == 1 && ti.state == SL_TXN_PREPARE);
	}
	close(fd);
	/* the dead owner's slot is reused; its txn is recorded aborted and
	 * its files removed */
	CHECK(load(st, "s3", 0, 10, &t3, &ex) == 1);
	CHECK(t3.slot == 0);
	CHECK(slot_get(0, &sid, &nrs, &fl) && sid == t3.id && fl == 'P');
	CHECK(sl_txn_lookup_id(st, "testdb", id, &ti) == 1 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, SL_TXN_REASON_DEAD));
	snprintf(p, sizeof p, "%s/testdb/t/data/%lld-0.rs", dir, (long long)id);
	CHECK(access(p, F_OK) < 0);
	CHECK(sl_txn_commit(st, "testdb", t2.id, 0, 0, 0, &ti) == 1 && ti.nrowsets == 1);
	CHECK(sl_txn_commit(st, "testdb", t3.id, 0, 0, 0, &ti) == 1 && ti.nrowsets == 1);
	CHECK(sl_txn_lookup_own(&t3, &ti) == 1 && ti.state == SL_TXN_VISIBLE);
	sl_txn_release(&t2);
	sl_txn_release(&t3);
	/* sequential loads keep using slot 0: no new files in txn/ */
	for (i = 0; i < 20; i++) {
		char label[32];
		snprintf(label, sizeof label, "seq%d", i);
		CHECK(load(st, label, 0, 1, &t1, &ex) == 1 && t1.slot == 0);
		CHECK(sl_txn_commit(st, "testdb", t1.id, 0, 0, 0, &ti) == 1);
		sl_txn_release(&t1);
	}
	snprintf(p, sizeof p, "%s/testdb/txn/*", dir);
	CHECK(count_glob(p) == 2);
	/* the next begin marks the settled slots */
	CHECK(load(st, "s4", 0, 1, &t1, &ex) == 1);
	CHECK(slot_get(1, &sid, &nrs, &fl) && sid == t2.id && fl == 'F');
	CHECK(sl_txn_abort(st, "testdb", t1.id, "User Abort", 0) == 1);
	sl_txn_release(&t1);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

/* Commit names exactly the txn's rowsets: not another txn's, not a
 * discarded one, not an unfinished one; abort removes them all. */
static void test_commit_rowsets(sl_store *st)
{
	sl_txn a, b;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	sl_rowset_writer *w;
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	long before = count_rows(st, "t", 0);
	char row[128], p[512];
	uint32_t i;
	int k;

	CHECK(load(st, "ra", 0, 10, &a, &ex) == 1);            /* a: rowset 0 */
	CHECK(load(st, "rb", 0, 7, &b, &ex) == 1);             /* b: rowset 0 */
	CHECK((w = sl_rowset_create(&a, 3, cols)) != 0);       /* a: 1, discarded */
	CHECK(sl_rowset_add(w, row, mkrow(row, 1)) == 1);
	sl_rowset_discard(w);
	CHECK((w = sl_rowset_create(&a, 3, cols)) != 0);       /* a: 2 */
	for (i = 0; i < 5; i++)
		CHECK(sl_rowset_add(w, row, mkrow(row, i)) == 1);
	CHECK(sl_rowset_finish(w, 0) == 1);
	CHECK((w = sl_rowset_create(&a, 3, cols)) != 0);       /* a: 3, unfinished */
	CHECK(sl_rowset_add(w, row, mkrow(row, 1)) == 1);
	CHECK(sl_txn_commit(st, "testdb", a.id, 0, 0, 0, &ti) == 1);
	CHECK(ti.nrowsets == 2 && ti.nrows == 15);
	sl_rowset_discard(w);
	CHECK(sl_snapshot_open(st, "testdb", "t", &snap) == 1);
	CHECK(snap.n >= 2);
	if (snap.n >= 2) {
		char w0[512], w2[512];
		snprintf(w0, sizeof w0, "/%lld-0.rs", (long long)a.id);
		snprintf(w2, sizeof w2, "/%lld-2.rs", (long long)a.id);
		CHECK(strstr(snap.paths[snap.n - 2], w0) && strstr(snap.paths[snap.n - 1], w2));
	}
	sl_snapshot_free(&snap);
	CHECK(count_rows(st, "t", 0) == before + 15);
	sl_txn_release(&a);
	/* b: three rowsets and an unfinished one; abort removes every file */
	for (k = 0; k < 3; k++) {
		CHECK((w = sl_rowset_create(&b, 3, cols)) != 0);
		CHECK(sl_rowset_add(w, row, mkrow(row, 1)) == 1);
		CHECK(sl_rowset_finish(w, 0) == 1);
	}
	CHECK((w = sl_rowset_create(&b, 3, cols)) != 0);
	CHECK(sl_rowset_add(w, row, mkrow(row, 1)) == 1);
	CHECK(sl_txn_abort(st, "testdb", b.id, "User Abort", 0) == 1);
	snprintf(p, sizeof p, "%s/testdb/t/data/*%lld-*", dir, (long long)b.id);
	CHECK(count_glob(p) == 0);
	snprintf(p, sizeof p, "%s/testdb/t/data/.%lld-*", dir, (long long)b.id);
	CHECK(count_glob(p) == 0);
	sl_rowset_discard(w);
	sl_txn_release(&b);
	CHECK(count_rows(st, "t", 0) == before + 15);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

/* Append a version 1 BEGIN record (no slot) to testdb's log. */
static void append_begin_v1(int64_t id, int64_t table_id, const char *label)
{
	char b[256], p[512];
	size_t n = 8, ln = strlen(label);

	b[n++] = 'B';
	b[n++] = 1;
	sl_u64_pack(b + n, (uint64_t)id); n += 8;
	sl_u64_pack(b + n, (uint64_t)sl_now_ms()); n += 8;
	sl_u64_pack(b + n, (uint64_t)table_id); n += 8;
	sl_u64_pack(b + n, 600); n += 8;
	sl_u32_pack(b + n, (uint32_t)ln); n += 4;
	memcpy(b + n, label, ln); n += ln;
	sl_u32_pack(b + n, 1); n += 4;
	b[n++] = 't';
	sl_u32_pack(b, (uint32_t)(n - 8));
	sl_u32_pack(b + 4, (uint32_t)crc32(0, (const Bytef *)b + 8, (uInt)(n - 8)));
	snprintf(p, sizeof p, "%s/testdb/txnlog", dir);
	append_file(p, b, n);
}

/* Logs written before lock slots: a BEGIN without a slot is alive while
 * txn/<id>.lock is held, its commit finds its rowsets by listing. */
static void test_v1_begin(sl_store *st)
{
	sl_txn t, old;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	sl_rowset_writer *w;
	char p[512], row[128];
	long before;
	int fd;

	CHECK(load(st, "v1pre", 0, 1, &t, &ex) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, 0, 0, &ti) == 1);
	sl_txn_release(&t);
	before = count_rows(st, "t", 0);
	memset(&old, 0, sizeof old);
	old.st = st;
	snprintf(old.db, sizeof old.db, "testdb");
	snprintf(old.table, sizeof old.table, "t");
	snprintf(old.label, sizeof old.label, "v1");
	old.id = t.id + 1;
	old.table_id = t.table_id;
	old.slot = -1;
	old.lockfd = -1;
	snprintf(p, sizeof p, "%s/testdb/txn/%lld.lock", dir, (long long)old.id);
	fd = open(p, O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0 && flock(fd, LOCK_EX) == 0);
	append_begin_v1(old.id, old.table_id, "v1");
	CHECK(sl_txn_lookup_label(st, "testdb", "v1", &ti) == 1 && ti.id == old.id &&
	      ti.state == SL_TXN_PREPARE);
	CHECK(sl_txn_lookup_own(&old, &ti) == 1 && ti.state == SL_TXN_PREPARE);
	CHECK((w = sl_rowset_create(&old, 3, cols)) != 0);
	CHECK(sl_rowset_add(w, row, mkrow(row, 3)) == 1);
	CHECK(sl_rowset_finish(w, 0) == 1);
	/* a begin meanwhile does not touch it */
	CHECK(load(st, "v1b", 0, 1, &t, &ex) == 1 && t.id == old.id + 1);
	CHECK(sl_txn_abort(st, "testdb", t.id, "User Abort", 0) == 1);
	sl_txn_release(&t);
	CHECK(access(p, F_OK) == 0);
	CHECK(sl_txn_commit(st, "testdb", old.id, 0, 0, 0, &ti) == 1 && ti.nrowsets == 1 &&
	      ti.nrows == 1);
	CHECK(count_rows(st, "t", 0) == before + 1);
	CHECK(access(p, F_OK) < 0);                     /* removed once finished */
	close(fd);
	/* a dead version 1 owner */
	old.id += 2;
	snprintf(old.label, sizeof old.label, "v1d");
	append_begin_v1(old.id, old.table_id, "v1d");
	CHECK(sl_txn_lookup_id(st, "testdb", old.id, &ti) == 1 && ti.state == SL_TXN_ABORTED &&
	      !strcmp(ti.reason, SL_TXN_REASON_DEAD));
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

/* Forked writers hold their txns at the same time: each has its own slot. */
static void test_slot_concurrency(sl_store *st, int n)
{
	int up[2], hold[2], i, ok = 0, distinct = 1;
	pid_t *pids = calloc((size_t)n, sizeof *pids);
	int *slots = calloc((size_t)n, sizeof *slots);
	long before = count_rows(st, "t", 0);
	char p[512];

	CHECK(pipe(up) == 0 && pipe(hold) == 0);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			sl_store cst;
			sl_txn t;
			sl_txninfo ex = SL_TXNINFO_ZERO, ti = SL_TXNINFO_ZERO;
			char label[32], c;
			int s;
			close(up[0]);
			close(hold[1]);
			if (sl_store_open(&cst, dir) != 1)
				_exit(3);
			snprintf(label, sizeof label, "sc%d", i);
			if (load(&cst, label, 0, 10, &t, &ex) != 1)
				_exit(4);
			s = t.slot;
			if (write(up[1], &s, sizeof s) != sizeof s)
				_exit(5);
			if (read(hold[0], &c, 1) != 0)  /* until the parent lets go */
				_exit(6);
			if (sl_txn_commit(&cst, "testdb", t.id, 0, 0, 0, &ti) != 1 || ti.nrowsets != 1)
				_exit(7);
			_exit(0);
		}
		pids[i] = pid;
	}
	close(up[1]);
	close(hold[0]);
	for (i = 0; i < n; i++)
		if (read(up[0], &slots[i], sizeof slots[i]) != sizeof slots[i])
			slots[i] = -1 - i;
	for (i = 0; i < n; i++) {
		int j;
		for (j = 0; j < i; j++)
			if (slots[i] == slots[j])
				distinct = 0;
		if (slots[i] < 0 || slots[i] >= n)
			distinct = 0;
	}
	CHECK(distinct);
	close(hold[1]);
	close(up[0]);
	for (i = 0; i < n; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	CHECK(ok == n);
	CHECK(count_rows(st, "t", 0) == before + 10l * n);
	snprintf(p, sizeof p, "%s/testdb/txn/slot-*", dir);
	CHECK(count_glob(p) <= (size_t)n);
	free(pids);
	free(slots);
}

static void test_errlog(sl_store *st)
{
	sl_buf b = SL_BUF_ZERO;
	char want[512];

	snprintf(want, sizeof want, "%s/_error_log/error_log_testdb_lab_1234", dir);
	CHECK(sl_store_errlog_path(st, "testdb", "lab", 1234, &b) == 1 && !strcmp(b.p, want));
	snprintf(want, sizeof want, "%s/_error_log", dir);
	CHECK(access(want, W_OK) == 0);
	sl_buf_free(&b);
	CHECK(!strcmp(sl_txn_state_name(SL_TXN_PRECOMMITTED), "PRECOMMITTED"));
	CHECK(!strcmp(sl_txn_state_name(SL_TXN_VISIBLE), "VISIBLE"));
	CHECK(!strcmp(sl_txn_state_name(42), "UNKNOWN"));
}


/* ---- corruption of the log and of rowsets */

static char cdir[600];
static sl_buf crs[6];           /* the rowset files of txns 1000..1005 */

static int write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, p, n) == (ssize_t)n;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int same_file(const char *path, const sl_buf *want)
{
	sl_buf b = SL_BUF_ZERO;
	int same = sl_file_read(path, &b) == 1 && b.len == want->len && !memcmp(b.p, want->p, b.len);
	sl_buf_free(&b);
	return same;
}

/* The files of the six committed loads are there, unchanged. */
static int rowsets_intact(void)
{
	char p[700];
	int i, ok = 1;

	for (i = 0; i < 6; i++) {
		snprintf(p, sizeof p, "%s/testdb/t/data/%d-0.rs", cdir, 1000 + i);
		ok &= same_file(p, &crs[i]);
	}
	return ok;
}

/* Put the six rowset files back (a torn-tail case may abort txn 1005,
 * whose commit it cut, and remove its file: that is what torn means). */
static void rowsets_restore(void)
{
	char p[700];
	int i;

	for (i = 0; i < 6; i++) {
		snprintf(p, sizeof p, "%s/testdb/t/data/%d-0.rs", cdir, 1000 + i);
		if (!same_file(p, &crs[i]))
			CHECK(write_file(p, crs[i].p, crs[i].len));
	}
}

enum { PLANT_FLIP, PLANT_APPEND, PLANT_TRUNC, PLANT_JUNK_THEN_REC };
typedef struct fault {
	const char *name;
	int how;
	int rec;                /* record index; -1: the last */
	size_t pos;             /* byte in the record (0-3 len, 4-7 crc, 8+ body) */
	unsigned char mask;     /* 0: the lowest set bit of the length's low byte */
	const char *bytes;      /* PLANT_APPEND, PLANT_JUNK_THEN_REC */
	size_t nbytes;          /* ... or PLANT_TRUNC: bytes cut */
	int bad_rec;            /* corrupt at that record (-1 last, -2 the old end); -3 torn */
	long rows;              /* torn: rows then visible */
} fault;

static void test_log_corruption(void)
{
	static const fault F[] = {
		{ "first record, length", PLANT_FLIP, 0, 3, 0x01, 0, 0, 0, 0 },
		{ "first record, CRC", PLANT_FLIP, 0, 5, 0x08, 0, 0, 0, 0 },
		{ "first record, body", PLANT_FLIP, 0, 12, 0x04, 0, 0, 0, 0 },
		{ "middle record, length past the end", PLANT_FLIP, 6, 0, 0x40, 0, 0, 6, 0 },
		{ "middle record, length", PLANT_FLIP, 6, 3, 0x10, 0, 0, 6, 0 },
		{ "middle record, CRC", PLANT_FLIP, 6, 6, 0x01, 0, 0, 6, 0 },
		{ "middle record, body", PLANT_FLIP, 6, 28, 0x02, 0, 0, 6, 0 },
		{ "second to last record, body", PLANT_FLIP, 11, 10, 0x20, 0, 0, 11, 0 },
		{ "last record, length past the end", PLANT_FLIP, -1, 2, 0x01, 0, 0, -3, 50 },
		{ "last record, length shorter", PLANT_FLIP, -1, 3, 0, 0, 0, -1, 0 },
		{ "last record, CRC", PLANT_FLIP, -1, 4, 0x80, 0, 0, -3, 50 },
		{ "last record, body", PLANT_FLIP, -1, 20, 0x01, 0, 0, -3, 50 },
		{ "last record, cut short", PLANT_TRUNC, 0, 0, 0, 0, 5, -3, 50 },
		{ "tail: 3 bytes of garbage", PLANT_APPEND, 0, 0, 0, "\xde\xad\x01", 3, -3, 60 },
		{ "tail: a header promising more", PLANT_APPEND, 0, 0, 0,
		  "\x00\x00\x01\x00\x12\x34\x56\x78garbage..", 18, -3, 60 },
		{ "tail: short garbage whose length fits", PLANT_APPEND, 0, 0, 0,
		  "\x00\x00\x00\x02" "abcdefghij", 14, -3, 60 },
		{ "tail: zeros", PLANT_APPEND, 0, 0, 0,
		  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 32, -3, 60 },
		{ "tail: garbage, then a valid record", PLANT_JUNK_THEN_REC, 0, 0, 0, "junk!", 5, -2, 0 },
	};
	char logp[700], ckp[700], pat[700], p[700], want[64];
	sl_store cs;
	sl_buf good = SL_BUF_ZERO, dmg = SL_BUF_ZERO;
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO, ex = SL_TXNINFO_ZERO;
	size_t off[64], nrec = 0, at = 0, i;
	int64_t maxid = 1005;
	char lab[32];

	snprintf(cdir, sizeof cdir, "%s/corrupt", dir);
	snprintf(logp, sizeof logp, "%s/testdb/txnlog", cdir);
	snprintf(ckp, sizeof ckp, "%s/testdb/txnlog.ckpt", cdir);
	snprintf(pat, sizeof pat, "%s/testdb/txnlog.torn-*", cdir);
	CHECK(sl_store_open(&cs, cdir) == 1);
	CHECK(sl_db_create(&cs, "testdb") == 1);
	CHECK(sl_table_create(&cs, "testdb", "t", "CREATE TABLE t (id INT)") == 1);
	for (i = 0; i < 6; i++) {
		snprintf(lab, sizeof lab, "c%zu", i);
		CHECK(load(&cs, lab, (uint32_t)(10 * i), 10, &t, &ex) == 1 && t.id == 1000 + (int64_t)i);
		CHECK(sl_txn_commit(&cs, "testdb", t.id, 0, 0, 0, &ti) == 1);
		sl_txn_release(&t);
		snprintf(p, sizeof p, "%s/testdb/t/data/%lld-0.rs", cdir, (long long)t.id);
		CHECK(sl_file_read(p, &crs[i]) == 1);
	}
	CHECK(count_rows(&cs, "t", 0) == 60);
	CHECK(sl_file_read(logp, &good) == 1);
	while (at + 8 <= good.len && nrec < 64) {
		off[nrec++] = at;
		at += 8 + sl_u32_unpack(good.p + at);
	}
	CHECK(at == good.len && nrec == 13);     /* T, then B and C six times */
	CHECK(access(ckp, F_OK) < 0);

	for (i = 0; i < SL_ARRAY_LEN(F); i++) {
		const fault *f = &F[i];
		size_t r = f->rec < 0 ? nrec - 1 : (size_t)f->rec, bad = 0;
		size_t ntorn = count_glob(pat);
		int fails = failed;
		dmg.len = 0;
		CHECK(sl_buf_put(&dmg, good.p, good.len) == 1);
		if (f->how == PLANT_FLIP) {
			unsigned char m = f->mask;
			if (!m) {
				unsigned char lo = (unsigned char)dmg.p[off[r] + 3];
				m = lo & (unsigned char)-lo;    /* the length gets shorter */
			}
			dmg.p[off[r] + f->pos] ^= (char)m;
		} else if (f->how == PLANT_APPEND) {
			CHECK(sl_buf_put(&dmg, f->bytes, f->nbytes) == 1);
		} else if (f->how == PLANT_TRUNC) {
			dmg.len -= f->nbytes;
		} else {
			CHECK(sl_buf_put(&dmg, f->bytes, f->nbytes) == 1);
			CHECK(sl_buf_put(&dmg, good.p + off[nrec - 1], good.len - off[nrec - 1]) == 1);
		}
		rowsets_restore();
		unlink(ckp);
		CHECK(write_file(logp, dmg.p, dmg.len));
		if (f->bad_rec > -3) {
			bad = f->bad_rec == -2 ? good.len : f->bad_rec == -1 ? off[nrec - 1] : off[f->bad_rec];
			snprintf(want, sizeof want, "at offset %zu ", bad);
			/* every reader and writer refuses, saying where */
			CHECK(count_rows(&cs, "t", 0) == -2 && errno == EPROTO);
			CHECK(strstr(sl_store_strerror(EPROTO), want) != 0);
			CHECK(strstr(sl_store_strerror(EPROTO), "testdb/txnlog: corrupt record") != 0);
			CHECK(sl_txn_lookup_id(&cs, "testdb", 1000, &ti) == -1 && errno == EPROTO);
			CHECK(sl_txn_lookup_label(&cs, "testdb", "c5", &ti) == -1 && errno == EPROTO);
			CHECK(sl_txn_begin(&cs, "testdb", "t", "after", 600, &t, &ex) == -1 &&
			      errno == EPROTO);
			CHECK(strstr(sl_store_strerror(EPROTO), want) != 0);
			CHECK(sl_txn_commit(&cs, "testdb", 1005, 0, 0, 0, &ti) == -1 && errno == EPROTO);
			CHECK(sl_txn_abort(&cs, "testdb", 1005, "x", &ti) == -1 && errno == EPROTO);
			CHECK(sl_table_create(&cs, "testdb", "u", "CREATE TABLE u (id INT)") == -1 &&
			      errno == EPROTO);
			/* nothing cut, kept aside, written or deleted */
			CHECK(same_file(logp, &dmg));
			CHECK(count_glob(pat) == ntorn);
			CHECK(access(ckp, F_OK) < 0);
			CHECK(rowsets_intact());
		} else {
			/* a torn tail: ignored by readers, cut by the next writer */
			CHECK(count_rows(&cs, "t", 0) == f->rows);
			CHECK(load(&cs, "after", 0, 10, &t, &ex) == 1 && t.id > maxid);
			maxid = t.id;
			CHECK(sl_txn_commit(&cs, "testdb", t.id, 0, 0, 0, &ti) == 1);
			sl_txn_release(&t);
			CHECK(count_rows(&cs, "t", 0) == f->rows + 10);
			/* the torn bytes are kept aside: txnlog.torn-<where the cut was> */
			snprintf(p, sizeof p, "%s/testdb/txnlog.torn-%zu", cdir,
				 f->rows == 50 ? off[nrec - 1] : good.len);
			CHECK(access(p, F_OK) == 0);
		}
		if (failed != fails)
			fprintf(stderr, "log fault \"%s\" (%s) not handled as expected\n", f->name,
				sl_store_strerror(EPROTO));
	}

	/* with a checkpoint the same damage reads the same: refused */
	rowsets_restore();
	CHECK(write_file(logp, good.p, good.len));
	CHECK(write_file(ckp, "junk", 4));      /* a writer rebuilds it */
	CHECK(sl_txn_abort(&cs, "testdb", 1, "x", &ti) == -1 && errno == ENOENT);
	dmg.len = 0;
	CHECK(sl_file_read(ckp, &dmg) == 1 && dmg.len > 100 && !memcmp(dmg.p, "SLCK", 4));
	CHECK(count_rows(&cs, "t", 0) == 60);
	dmg.len = 0;
	CHECK(sl_buf_put(&dmg, good.p, good.len) == 1);
	dmg.p[off[6] + 28] ^= 2;
	CHECK(write_file(logp, dmg.p, dmg.len));
	snprintf(want, sizeof want, "at offset %zu ", off[6]);
	CHECK(count_rows(&cs, "t", 0) == -2 && errno == EPROTO &&
	      strstr(sl_store_strerror(EPROTO), want));
	CHECK(sl_txn_lookup_id(&cs, "testdb", 1005, &ti) == -1 && errno == EPROTO);
	CHECK(sl_txn_lookup_label(&cs, "testdb", "c5", &ti) == -1 && errno == EPROTO);
	CHECK(sl_txn_begin(&cs, "testdb", "t", "after", 600, &t, &ex) == -1 && errno == EPROTO);
	CHECK(same_file(logp, &dmg) && rowsets_intact());

	/* sl-fsck: reports; with repair keeps a copy, cuts, floors the ids */
	{
		sl_buf rep = SL_BUF_ZERO, copy = SL_BUF_ZERO;
		glob_t g;
		CHECK(sl_fsck_db(&cs, "testdb", 0, &rep) == 1 && strstr(rep.p, want));
		CHECK(same_file(logp, &dmg) && rowsets_intact());
		rep.len = 0;
		CHECK(sl_fsck_db(&cs, "testdb", 1, &rep) == 0);
		snprintf(pat, sizeof pat, "%s/testdb/txnlog.corrupt-%zu-*", cdir, off[6]);
		CHECK(glob(pat, 0, 0, &g) == 0 && g.gl_pathc == 1);
		if (g.gl_pathc == 1)
			CHECK(same_file(g.gl_pathv[0], &dmg));
		globfree(&g);
		/* records 0..5: T and loads 1000, 1001; B 1002 was the bad one */
		CHECK(count_rows(&cs, "t", 0) == 20);
		snprintf(pat, sizeof pat, "%s/testdb/lost+found/t/*.rs", cdir);
		CHECK(count_glob(pat) >= 4);
		snprintf(p, sizeof p, "%s/testdb/lost+found/t/1005-0.rs", cdir);
		CHECK(same_file(p, &crs[5]));
		CHECK(sl_file_read(logp, &copy) == 1 && copy.len > off[6] &&
		      !memcmp(copy.p, good.p, off[6]));
		CHECK(access(ckp, F_OK) == 0);
		rep.len = 0;
		CHECK(sl_fsck_db(&cs, "testdb", 0, &rep) == 0);
		/* service is back; no id is given twice */
		CHECK(load(&cs, "after-repair", 0, 10, &t, &ex) == 1 && t.id > maxid);
		CHECK(sl_txn_commit(&cs, "testdb", t.id, 0, 0, 0, &ti) == 1);
		sl_txn_release(&t);
		CHECK(count_rows(&cs, "t", 0) == 30);
		/* a rowset file is never written over: one in the way is an error */
		CHECK(sl_txn_begin(&cs, "testdb", "t", "in-the-way", 600, &t, &ex) == 1);
		snprintf(p, sizeof p, "%s/testdb/t/data/%lld-0.rs", cdir, (long long)t.id);
		CHECK(write_file(p, "mine", 4));
		{
			sl_rowset_writer *w = sl_rowset_create(&t, 3, cols);
			char row[128];
			CHECK(w != 0);
			if (w) {
				CHECK(sl_rowset_add(w, row, mkrow(row, 1)) == 1);
				CHECK(sl_rowset_finish(w, 0) == -1 && errno == EEXIST);
			}
		}
		rep.len = 0;
		CHECK(sl_file_read(p, &rep) == 1 && rep.len == 4 && !memcmp(rep.p, "mine", 4));
		CHECK(sl_txn_abort(&cs, "testdb", t.id, "x", &ti) == 1);
		sl_txn_release(&t);
		sl_buf_free(&rep);
		sl_buf_free(&copy);
	}
	sl_store_close(&cs);
	sl_buf_free(&good);
	sl_buf_free(&dmg);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&ex);
}

/* A rowset swapped for another valid one, extended, or a table's id
 * edited: refused, never read as that table's rows. */
static void test_rowset_identity(void)
{
	char p0[700], p1[700], idp[700];
	sl_store cs;
	sl_buf keep = SL_BUF_ZERO, other = SL_BUF_ZERO, id = SL_BUF_ZERO;
	sl_txn t;
	sl_txninfo ex = SL_TXNINFO_ZERO;

	CHECK(sl_store_open(&cs, cdir) == 1);
	snprintf(p0, sizeof p0, "%s/testdb/t/data/1000-0.rs", cdir);
	snprintf(p1, sizeof p1, "%s/testdb/t/data/1001-0.rs", cdir);
	snprintf(idp, sizeof idp, "%s/testdb/t/tableid", cdir);
	CHECK(count_rows(&cs, "t", 0) == 30);
	CHECK(sl_file_read(p0, &keep) == 1 && sl_file_read(p1, &other) == 1);
	/* 1001-0.rs copied over 1000-0.rs */
	CHECK(write_file(p0, other.p, other.len));
	CHECK(count_rows(&cs, "t", 0) == -1 && errno == EPROTO &&
	      strstr(sl_store_strerror(EPROTO), "1000-0.rs: the file is rowset 0 of txn 1001"));
	/* a byte more */
	CHECK(write_file(p0, keep.p, keep.len));
	append_file(p0, "x", 1);
	CHECK(count_rows(&cs, "t", 0) == -1 && errno == EPROTO);
	/* a footer whose sum was rewritten (and signed again) */
	{
		sl_buf x = SL_BUF_ZERO;
		CHECK(sl_buf_put(&x, keep.p, keep.len) == 1);
		x.p[x.len - 6] ^= 1;
		sl_u32_pack(x.p + x.len - 4, (uint32_t)crc32(0, (const Bytef *)x.p + x.len - 28, 24));
		CHECK(write_file(p0, x.p, x.len));
		CHECK(count_rows(&cs, "t", 0) == -1 && errno == EPROTO &&
		      strstr(sl_store_strerror(EPROTO), "not what the commit record says"));
		sl_buf_free(&x);
	}
	/* back as it was */
	CHECK(write_file(p0, keep.p, keep.len));
	CHECK(count_rows(&cs, "t", 0) == 30);
	/* an edited tableid */
	CHECK(sl_file_read(idp, &id) == 1);
	CHECK(write_file(idp, "7\n", 2));
	CHECK(count_rows(&cs, "t", 0) == -2 && errno == EPROTO &&
	      strstr(sl_store_strerror(EPROTO), "tableid: table id 7"));
	CHECK(sl_txn_begin(&cs, "testdb", "t", "edited", 600, &t, &ex) == -1 && errno == EPROTO);
	CHECK(write_file(idp, id.p, id.len));
	CHECK(count_rows(&cs, "t", 0) == 30);
	/* rowsets and commit records of version 1 (earlier versions) read
	 * as before, still checked against their txn */
	{
		sl_buf f = SL_BUF_ZERO;
		char rp[700], lp[700], rec[256], nm[64];
		uint32_t hlen;
		size_t n = 8;
		CHECK(load(&cs, "v1rs", 0, 7, &t, &ex) == 1);
		snprintf(nm, sizeof nm, "%lld-0.rs", (long long)t.id);
		snprintf(rp, sizeof rp, "%s/testdb/t/data/%s", cdir, nm);
		CHECK(sl_file_read(rp, &f) == 1 && f.len > 100);
		hlen = sl_u32_unpack(f.p + 4);
		CHECK(sl_u16_unpack(f.p + 8) == 3);
		f.p[9] = 1;
		sl_u32_pack(f.p + 8 + hlen, (uint32_t)crc32(0, (const Bytef *)f.p + 8, hlen));
		sl_u32_pack(f.p + f.len - 8, (uint32_t)crc32(0, (const Bytef *)f.p + f.len - 28, 20));
		memset(f.p + f.len - 4, 0, 4);
		CHECK(write_file(rp, f.p, f.len));
		rec[n++] = 'C';
		rec[n++] = 1;
		sl_u64_pack(rec + n, (uint64_t)t.id); n += 8;
		sl_u64_pack(rec + n, (uint64_t)sl_now_ms()); n += 8;
		sl_u32_pack(rec + n, 1); n += 4;
		sl_u32_pack(rec + n, (uint32_t)strlen(nm)); n += 4;
		memcpy(rec + n, nm, strlen(nm)); n += strlen(nm);
		sl_u64_pack(rec + n, 7); n += 8;
		sl_u32_pack(rec + n, 0); n += 4;
		sl_u32_pack(rec, (uint32_t)(n - 8));
		sl_u32_pack(rec + 4, (uint32_t)crc32(0, (const Bytef *)rec + 8, (uInt)(n - 8)));
		snprintf(lp, sizeof lp, "%s/testdb/txnlog", cdir);
		append_file(lp, rec, n);
		sl_txn_release(&t);
		CHECK(count_rows(&cs, "t", 0) == 37);
		CHECK(write_file(rp, other.p, other.len));      /* 1001-0.rs over it */
		CHECK(count_rows(&cs, "t", 0) == -1 && errno == EPROTO);
		CHECK(write_file(rp, f.p, f.len));
		CHECK(count_rows(&cs, "t", 0) == 37);
		sl_buf_free(&f);
	}
	sl_store_close(&cs);
	sl_buf_free(&keep);
	sl_buf_free(&other);
	sl_buf_free(&id);
	sl_txninfo_free(&ex);
}

/* ---- the store's own modules: file helpers, names, encoding, records */
static void test_modules(void)
{
	char p[PATH_MAX], q[PATH_MAX], big[PATH_MAX + 8], b[8];
	sl_buf rec = SL_BUF_ZERO;
	sl_storeenc_cur c;
	size_t mark;
	int fd;

	/* fsutil */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	errno = 0;
	CHECK(sl_fsutil_pathf(p, "%s", big) == -1 && errno == ENAMETOOLONG);
	CHECK(sl_fsutil_pathf(p, "%s/m/a/b", dir) == 1 && sl_fsutil_mkdir_p(p) == 1);
	CHECK(sl_fsutil_pathf(p, "%s/m/f", dir) == 1 && sl_fsutil_write_synced(p, "abc", 3) == 1);
	CHECK(sl_fsutil_pathf(q, "%s/m/f/sub", dir) == 1 && sl_fsutil_mkdir_p(q) == -1 &&
	      errno == ENOTDIR);
	CHECK(sl_fsutil_pathf(q, "%s/m/g", dir) == 1 && sl_fsutil_write_synced(q, "z", 1) == 1);
	CHECK(sl_fsutil_rename_noreplace(p, q) == -1 && errno == EEXIST && access(p, F_OK) == 0);
	fd = open(p, O_RDONLY);
	CHECK(fd >= 0 && sl_fsutil_pread_all(fd, b, 3, 0) == 1 && !memcmp(b, "abc", 3));
	CHECK(fd >= 0 && sl_fsutil_pread_all(fd, b, 3, 1) == 0);
	if (fd >= 0)
		close(fd);
	CHECK(sl_fsutil_pathf(q, "%s/m/h", dir) == 1 && sl_fsutil_rename_noreplace(p, q) == 1 &&
	      access(p, F_OK) < 0 && access(q, F_OK) == 0);
	CHECK(sl_fsutil_pathf(p, "%s/m/.trash.x", dir) == 1 && sl_fsutil_mkdir_p(p) == 1);
	CHECK(sl_fsutil_pathf(p, "%s/m", dir) == 1);
	sl_fsutil_sweep(p);
	CHECK(sl_fsutil_pathf(q, "%s/m/.trash.x", dir) == 1 && access(q, F_OK) < 0);
	sl_fsutil_rm_rf(p);
	CHECK(access(p, F_OK) < 0);

	/* names */
	CHECK(sl_name_valid("a-b_9") == 1 && sl_name_valid("_a") == -1 && sl_name_valid("") == -1);
	CHECK(sl_name_valid("txn") == 1 && sl_name_table_valid("txn") == -1 && errno == EINVAL);
	CHECK(sl_name_table_valid("txnlogs") == 1);

	/* encoding: a cursor never reads past its end */
	CHECK(sl_storeenc_put_u32(&rec, 5) == 1 && sl_storeenc_put_str(&rec, "ab", 2) == 1);
	c = (sl_storeenc_cur){ rec.p, rec.len, 0 };
	CHECK(sl_storeenc_u32(&c) == 5 && sl_storeenc_str(&c, 1).n == 0 && c.bad);
	c = (sl_storeenc_cur){ rec.p, rec.len, 0 };
	CHECK(sl_storeenc_u32(&c) == 5 && sl_storeenc_str(&c, 2).n == 2 && !c.bad && c.n == 0);
	CHECK(sl_storeenc_u64(&c) == 0 && c.bad);

	/* a log record: framed, its CRC checked */
	rec.len = 0;
	CHECK(sl_logrec_start(&rec, &mark, 'A', 1000, 1) == 1 &&
	      sl_storeenc_put_str(&rec, "why", 3) == 1);
	sl_logrec_end(&rec, mark);
	CHECK(sl_logrec_plausible(rec.p, rec.len) == 1);
	rec.p[rec.len - 1] ^= 1;
	CHECK(sl_logrec_plausible(rec.p, rec.len) == 0);
	sl_buf_free(&rec);
}

int main(void)
{
	sl_store st;
	char cmd[600];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 111;
	}
	{
		/* the store makes its directory, parents included */
		char sub[512];
		snprintf(sub, sizeof sub, "%s/a/b", dir);
		CHECK(sl_store_open(&st, sub) == 1);
		sl_store_close(&st);
	}
	CHECK(sl_store_open(&st, dir) == 1);
	CHECK(st.label_keep_max_second == 259200 && st.precommit_timeout_second == 3600);
	test_modules();
	test_names_and_ddl(&st);
	test_load_and_scan(&st);
	test_2pc(&st);
	test_dead_and_timeout(&st);
	test_slots(&st);
	test_commit_rowsets(&st);
	test_v1_begin(&st);
	test_slot_concurrency(&st, 16);
	test_expiry_and_precommit_timeout();
	test_torn_tail(&st);
	test_corrupt_rowset(&st);
	test_checkpoint(&st);
	test_checkpoint_parts(&st);
	test_checkpoint_expiry();
	{
		/* forked writers refresh the checkpoint concurrently */
		sl_txninfo ti = SL_TXNINFO_ZERO;
		test_concurrent(&st, 200, 0);
		test_concurrent(&st, 12, 1);
		test_kill(&st, 40);
		CHECK(sl_txn_lookup_label(&st, "testdb", "ck1001", &ti) == 1);
		check_same_without_ckpt(&st, ti.id + 300);
		sl_txninfo_free(&ti);
	}
	test_errlog(&st);
	test_log_corruption();
	test_rowset_identity();
	sl_store_close(&st);
	for (size_t i = 0; i < SL_ARRAY_LEN(crs); i++)
		sl_buf_free(&crs[i]);

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (!failed && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
