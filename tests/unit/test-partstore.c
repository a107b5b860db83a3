/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-partstore.c -- unit tests of the store's partitions (partstore.c,
 * the Q record, P/C version 3, rowset version 3, checkpoint version 6):
 * CREATE with partitions, listing, ALTER ADD/DROP through sl_part_change
 * (its refusals), TRUNCATE (old files invisible), temporary partitions in
 * snapshots, a load creating a partition (AUTO) and the re-tag of a
 * duplicate one, ESTALE on a partition dropped during a load (and on the
 * 2PC commit), a torn and a corrupt Q record, the checkpoint round trip,
 * and data written before partitions (part 0 everywhere) still read.
 * With arguments it serves tests/partitions-store.bats: "make DIR" builds
 * a data directory with partitioned tables, "list DIR TABLE" prints the
 * live partitions of testdb.TABLE.
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
#include "frame.h"
#include "store.h"
#include "txnlog.h"
#include "storeerr.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-partstore-XXXXXX";
static sl_colspec cols[1] = { { { "id", 2 }, { "INT", 3 } } };

/* Begin a txn on testdb.table and write one file of n rows (ids from
 * first) into partition part (creating newname/newvalues when not NULL);
 * part -1: sl_rowset_create (the implicit partition). 1, or what failed. */
static int load(sl_store *st, const char *table, const char *label, int64_t part,
	const char *newname, const char *newvalues, uint32_t first, uint32_t n, sl_txn *t)
{
	sl_rowset_writer *w;
	char row[8];
	uint32_t i;
	int r = sl_txn_begin(st, "testdb", table, label, 600, t, 0);

	if (r != 1)
		return r;
	w = part < 0 ? sl_rowset_create(t, 1, cols) :
		sl_rowset_create_part(t, 1, cols, part, newname, newvalues);
	if (!w)
		return -1;
	for (i = 0; i < n; i++) {
		sl_u32_pack(row, 4);
		sl_u32_pack(row + 4, first + i);
		if (sl_rowset_add(w, row, 8) < 0)
			return -1;
	}
	return sl_rowset_finish(w, 0) == 1 ? 1 : -1;
}

/* Commit t (1 committed) and release it. */
static int commit(sl_txn *t, int pre)
{
	sl_txninfo ti = SL_TXNINFO_ZERO;
	int r = sl_txn_commit(t->st, t->db, t->id, pre, "", 0, &ti);

	sl_txn_release(t);
	sl_txninfo_free(&ti);
	return r;
}

/* Rows visible in table (flags of sl_snapshot_open_flags), by scanning;
 * *sum gets the sum of their ids. Negative: what failed. */
static long rows(sl_store *st, const char *table, int flags, uint64_t *sum)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_scan *sc;
	const char *p;
	size_t len;
	long n = 0;
	int r;

	if (sl_snapshot_open_flags(st, "testdb", table, flags, &snap) != 1)
		return -2;
	if (!(sc = sl_scan_open(&snap)))
		return -3;
	if (sum)
		*sum = 0;
	while ((r = sl_scan_next(sc, &p, &len)) == 1) {
		n++;
		if (sum && len == 8)
			*sum += sl_u32_unpack(p + 4);
	}
	sl_scan_close(sc);
	sl_snapshot_free(&snap);
	return r < 0 ? -1 : n;
}

/* The live partition named name in the list, NULL none. */
static const sl_partinfo *find(const sl_partinfo *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return 0;
}

/* The id of db.table's live partition name, -1 none. */
static int64_t part_id(sl_store *st, const char *table, const char *name)
{
	sl_partinfo *v;
	size_t n;
	const sl_partinfo *p;
	int64_t id = -1;

	if (sl_part_list(st, "testdb", table, &v, &n) != 1)
		return -2;
	if ((p = find(v, n, name)))
		id = p->id;
	sl_partinfo_free(v, n);
	return id;
}

/* The live partitions of table as text: "id name temp values;..." */
static void list_text(sl_store *st, const char *table, sl_buf *out)
{
	sl_partinfo *v;
	size_t n, i;

	out->len = 0;
	if (sl_part_list(st, "testdb", table, &v, &n) != 1) {
		sl_buf_puts(out, "ERR");
		return;
	}
	for (i = 0; i < n; i++)
		sl_buf_printf(out, "%lld %s %d %s;", (long long)v[i].id, v[i].name, v[i].temp, v[i].values);
	sl_partinfo_free(v, n);
}

/* The initial partitions of testdb.p: p1, p2 and the temporary tp. */
static void init3(sl_partinfo *init)
{
	memset(init, 0, 3 * sizeof *init);
	snprintf(init[0].name, sizeof init[0].name, "p1");
	init[0].values = "VALUES [(\"1\"), (\"10\"))";
	snprintf(init[1].name, sizeof init[1].name, "p2");
	init[1].values = "VALUES [(\"10\"), (\"20\"))";
	snprintf(init[2].name, sizeof init[2].name, "tp");
	init[2].temp = 1;
	init[2].values = "VALUES [(\"20\"), (\"30\"))";
}

static int refuse(void *ctx, const sl_partinfo *live, size_t n, char *err, size_t errcap)
{
	*(size_t *)ctx = n;
	(void)live;
	snprintf(err, errcap, "refused by the check");
	return 0;
}

static void test_create_list_change(sl_store *st)
{
	sl_partinfo init[3];
	sl_partinfo *v;
	size_t n, seen = 0;
	sl_partop op[2];
	char err[256];
	int64_t p1;

	init3(init);
	CHECK(sl_table_create_parts(st, "testdb", "p", "CREATE TABLE p (id INT)", init, 3) == 1);
	CHECK(sl_table_create_parts(st, "testdb", "p", "CREATE TABLE p (id INT)", init, 3) == 0);
	CHECK(sl_table_create(st, "testdb", "u", "CREATE TABLE u (id INT)") == 1);
	/* an unpartitioned table: its one implicit partition */
	CHECK(sl_part_list(st, "testdb", "u", &v, &n) == 1 && n == 1 && v[0].id == 0 &&
	      !strcmp(v[0].name, "u") && !strcmp(v[0].values, "") && !v[0].temp);
	sl_partinfo_free(v, n);
	CHECK(sl_part_list(st, "testdb", "nope", &v, &n) == 0 && errno == ENOENT && !n);
	CHECK(sl_part_list(st, "nodb", "u", &v, &n) == 0 && errno == ENOTDIR);
	CHECK(sl_part_list(st, "testdb", "p", &v, &n) == 1 && n == 3);
	if (n == 3) {
		int64_t base = v[0].id >> 16;
		CHECK(base >= 1000 && v[0].id == sl_part_new_id(base, 0) &&
		      v[1].id == sl_part_new_id(base, 1) && v[2].id == sl_part_new_id(base, 2));
		CHECK(!strcmp(v[0].name, "p1") && !strcmp(v[1].name, "p2") && !strcmp(v[2].name, "tp"));
		CHECK(!v[0].temp && !v[1].temp && v[2].temp);
		CHECK(!strcmp(v[1].values, "VALUES [(\"10\"), (\"20\"))"));
	}
	sl_partinfo_free(v, n);
	CHECK(sl_part_new_id(1000, 3) == (1000ll << 16 | 3));
	/* refusals: an unknown name dropped, a live name added, the check */
	op[0] = (sl_partop){ 1, "p9", 0, 0 };
	CHECK(sl_part_change(st, "testdb", "p", op, 1, 0, 0, err, sizeof err) == 0 && errno == ENOENT &&
	      strstr(err, "p9") && strstr(err, "does not exist"));
	op[0] = (sl_partop){ 1, "tp", 0, 0 };   /* a temporary one is not a formal one */
	CHECK(sl_part_change(st, "testdb", "p", op, 1, 0, 0, err, sizeof err) == 0 && errno == ENOENT);
	op[0] = (sl_partop){ 0, "P2", 0, "VALUES [(\"50\"), (\"60\"))" };
	CHECK(sl_part_change(st, "testdb", "p", op, 1, 0, 0, err, sizeof err) == 0 && errno == EEXIST &&
	      strstr(err, "P2"));
	op[0] = (sl_partop){ 0, "p3", 0, "VALUES [(\"30\"), (\"40\"))" };
	CHECK(sl_part_change(st, "testdb", "p", op, 1, refuse, &seen, err, sizeof err) == 0 &&
	      seen == 3 && !strcmp(err, "refused by the check"));
	CHECK(part_id(st, "p", "p3") == -1);
	CHECK(sl_part_change(st, "testdb", "nope", op, 1, 0, 0, err, sizeof err) == -1 && errno == ENOENT);
	/* an unpartitioned table takes no partition with values, and a
	 * partitioned one none without */
	CHECK(sl_part_change(st, "testdb", "u", op, 1, 0, 0, err, sizeof err) == 0 && errno == EINVAL &&
	      strstr(err, "not partitioned"));
	op[1] = (sl_partop){ 0, "p4", 0, "" };
	CHECK(sl_part_change(st, "testdb", "p", op + 1, 1, 0, 0, err, sizeof err) == 0 &&
	      errno == EINVAL && strstr(err, "p4"));
	/* add, drop: one Q record each */
	p1 = part_id(st, "p", "p1");
	CHECK(sl_part_change(st, "testdb", "p", op, 1, 0, 0, err, sizeof err) == 1);
	CHECK(part_id(st, "p", "p3") > p1 && part_id(st, "p", "p1") == p1);
	op[0] = (sl_partop){ 1, "p3", 0, 0 };
	CHECK(sl_part_change(st, "testdb", "p", op, 1, 0, 0, err, sizeof err) == 1);
	CHECK(part_id(st, "p", "p3") == -1);
	/* a dropped name can come back: a new id */
	op[0] = (sl_partop){ 0, "p3", 0, "VALUES [(\"30\"), (\"40\"))" };
	CHECK(sl_part_change(st, "testdb", "p", op, 1, 0, 0, err, sizeof err) == 1);
	CHECK(part_id(st, "p", "p3") > p1);
}

static void test_loads_truncate_temp(sl_store *st)
{
	sl_txn t;
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_partop op[2];
	char err[256];
	uint64_t sum;
	int64_t p1 = part_id(st, "p", "p1"), p2 = part_id(st, "p", "p2"), tp = part_id(st, "p", "tp");
	size_t i;

	/* a partitioned table has no implicit partition to write to */
	CHECK(sl_txn_begin(st, "testdb", "p", "np", 600, &t, 0) == 1 && t.part0 == -1);
	CHECK(!sl_rowset_create(&t, 1, cols) && errno == EINVAL);
	CHECK(sl_txn_abort(st, "testdb", t.id, "x", 0) == 1);
	sl_txn_release(&t);
	CHECK(load(st, "p", "l1", p1, 0, 0, 1, 5, &t) == 1 && commit(&t, 0) == 1);
	CHECK(load(st, "p", "l2", p2, 0, 0, 10, 3, &t) == 1 && commit(&t, 0) == 1);
	CHECK(load(st, "p", "l3", tp, 0, 0, 20, 2, &t) == 1 && commit(&t, 0) == 1);
	CHECK(rows(st, "p", 0, &sum) == 8 && sum == 1 + 2 + 3 + 4 + 5 + 10 + 11 + 12);
	CHECK(rows(st, "p", SL_SNAP_TEMP, &sum) == 10);
	CHECK(sl_snapshot_open(st, "testdb", "p", &snap) == 1 && snap.n == 2 && snap.nparts == 4);
	for (i = 0; i < snap.nparts; i++) {
		const sl_partinfo *p = &snap.parts[i];
		if (p->id == p1)
			CHECK(p->rows == 5 && p->bytes > 0 && p->version > 0 && p->version_ms > 0);
		else if (p->id == p2)
			CHECK(p->rows == 3);
		else if (p->id == tp)
			CHECK(p->rows == 2 && p->temp);
		else
			CHECK(p->rows == 0 && p->version == 0);
		if (i)
			CHECK(snap.parts[i].id > snap.parts[i - 1].id);
	}
	CHECK(snap.n == 2 && snap.refs[0].part == p1 && snap.refs[1].part == p2);
	/* an entry naming another partition than the file's header: refused */
	if (snap.n == 2) {
		sl_scan *sc;
		const char *row;
		size_t len;
		snap.refs[0].part = p2;
		sl_storeerr_clear();
		CHECK((sc = sl_scan_open(&snap)) && sl_scan_next(sc, &row, &len) == -1 && errno == EPROTO &&
		      strstr(sl_store_strerror(EPROTO), "the file is of partition"));
		sl_scan_close(sc);
		CHECK(!sl_scan_open_one(&snap, 0) && errno == EPROTO);
	}
	sl_snapshot_free(&snap);
	CHECK(!snap.parts && !snap.nparts);
	/* TRUNCATE p1: dropped and added again, its files invisible */
	op[0] = (sl_partop){ 1, "p1", 0, 0 };
	op[1] = (sl_partop){ 0, "p1", 0, "VALUES [(\"1\"), (\"10\"))" };
	CHECK(sl_part_change(st, "testdb", "p", op, 2, 0, 0, err, sizeof err) == 1);
	CHECK(part_id(st, "p", "p1") > p1);
	CHECK(rows(st, "p", 0, &sum) == 3 && sum == 33);
	CHECK(load(st, "p", "l4", part_id(st, "p", "p1"), 0, 0, 7, 1, &t) == 1 && commit(&t, 0) == 1);
	CHECK(rows(st, "p", 0, &sum) == 4 && sum == 40);
	/* an unpartitioned table: TRUNCATE TABLE replaces its implicit one */
	CHECK(load(st, "u", "u1", -1, 0, 0, 1, 4, &t) == 1 && t.part0 == 0 && commit(&t, 0) == 1);
	CHECK(rows(st, "u", 0, 0) == 4);
	op[0] = (sl_partop){ 1, "u", 0, 0 };
	op[1] = (sl_partop){ 0, "u", 0, "" };
	CHECK(sl_part_change(st, "testdb", "u", op, 2, 0, 0, err, sizeof err) == 1);
	CHECK(rows(st, "u", 0, 0) == 0 && part_id(st, "u", "u") > 0);
	CHECK(load(st, "u", "u2", -1, 0, 0, 1, 2, &t) == 1 && t.part0 == part_id(st, "u", "u") &&
	      commit(&t, 0) == 1);
	CHECK(rows(st, "u", 0, 0) == 2);
}

static void test_stale(sl_store *st)
{
	sl_txn t;
	sl_txninfo ti = SL_TXNINFO_ZERO;
	sl_partop op[2];
	char err[256];
	char rs[600];
	struct stat sb;

	/* a partition dropped while the load wrote to it */
	CHECK(load(st, "p", "s1", part_id(st, "p", "p2"), 0, 0, 100, 3, &t) == 1);
	op[0] = (sl_partop){ 1, "p2", 0, 0 };
	CHECK(sl_part_change(st, "testdb", "p", op, 1, 0, 0, err, sizeof err) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, "", 0, &ti) == -1 && errno == ESTALE);
	CHECK(!strcmp(sl_store_strerror(ESTALE), "partition p2 was dropped or replaced during the load"));
	CHECK(ti.state == SL_TXN_ABORTED && !strcmp(ti.reason, "partition p2 was dropped or replaced "
						     "during the load"));
	CHECK(sl_txn_lookup_id(st, "testdb", t.id, &ti) == 1 && ti.state == SL_TXN_ABORTED);
	snprintf(rs, sizeof rs, "%s/testdb/p/data/%lld-0.rs", dir, (long long)t.id);
	CHECK(stat(rs, &sb) < 0 && errno == ENOENT);    /* its files went */
	sl_txn_release(&t);
	/* an unpartitioned table truncated during a load */
	CHECK(load(st, "u", "s2", -1, 0, 0, 1, 1, &t) == 1);
	op[0] = (sl_partop){ 1, "u", 0, 0 };
	op[1] = (sl_partop){ 0, "u", 0, "" };
	CHECK(sl_part_change(st, "testdb", "u", op, 2, 0, 0, err, sizeof err) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, 0, "", 0, &ti) == -1 && errno == ESTALE &&
	      strstr(sl_store_strerror(ESTALE), "partition u was dropped"));
	sl_txn_release(&t);
	/* precommitted, then the partition goes: the 2PC commit fails */
	CHECK(load(st, "p", "s3", part_id(st, "p", "p1"), 0, 0, 1, 1, &t) == 1 && commit(&t, 1) == 1);
	op[0] = (sl_partop){ 1, "p1", 0, 0 };
	op[1] = (sl_partop){ 0, "p1", 0, "VALUES [(\"1\"), (\"10\"))" };
	CHECK(sl_part_change(st, "testdb", "p", op, 2, 0, 0, err, sizeof err) == 1);
	CHECK(sl_txn_commit(st, "testdb", t.id, SL_TXN_COMMIT_2PC, "", 0, &ti) == -1 && errno == ESTALE);
	CHECK(sl_txn_lookup_id(st, "testdb", t.id, &ti) == 1 && ti.state == SL_TXN_ABORTED);
	CHECK(rows(st, "p", 0, 0) == 0);
	sl_txninfo_free(&ti);
}

static void test_auto(sl_store *st)
{
	sl_txn a, b, c, d;
	sl_txninfo ti = SL_TXNINFO_ZERO;
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	const char *vals = "VALUES [(\"2022-01-01\"), (\"2022-01-02\"))";
	uint64_t sum;
	int64_t pa;

	CHECK(sl_table_create_parts(st, "testdb", "au", "CREATE TABLE au (id INT)", 0, 0) == 1);
	{
		sl_partinfo one;
		memset(&one, 0, sizeof one);
		snprintf(one.name, sizeof one.name, "p20200101000000");
		one.values = "VALUES [(\"2020-01-01\"), (\"2020-01-02\"))";
		CHECK(sl_table_create_parts(st, "testdb", "a", "CREATE TABLE a (id INT)", &one, 1) == 1);
	}
	/* two loads create the same partition; a third with other values */
	CHECK(sl_txn_begin(st, "testdb", "a", "a1", 600, &a, 0) == 1);
	CHECK(sl_txn_begin(st, "testdb", "a", "a2", 600, &b, 0) == 1);
	CHECK(sl_txn_begin(st, "testdb", "a", "a3", 600, &c, 0) == 1);
	CHECK(sl_txn_begin(st, "testdb", "a", "a4", 600, &d, 0) == 1);
	{
		sl_txn *v[4] = { &a, &b, &c, &d };
		for (int k = 0; k < 4; k++) {
			sl_rowset_writer *w = sl_rowset_create_part(v[k], 1, cols,
				sl_part_new_id(v[k]->id, 0), "p20220101000000",
				k == 2 ? "VALUES [(\"2022-01-01\"), (\"2022-01-03\"))" : vals);
			char row[8];
			sl_u32_pack(row, 4);
			sl_u32_pack(row + 4, (uint32_t)k + 1);
			CHECK(w && sl_rowset_add(w, row, 8) == 1 && sl_rowset_finish(w, 0) == 1);
		}
	}
	CHECK(!sl_rowset_create_part(&a, 1, cols, 5, "", vals) && errno == EINVAL);
	/* not visible before the commit */
	CHECK(part_id(st, "a", "p20220101000000") == -1);
	CHECK(commit(&a, 0) == 1);
	pa = part_id(st, "a", "p20220101000000");
	CHECK(pa == sl_part_new_id(a.id, 0));
	/* the second is re-tagged with the first one's id */
	CHECK(commit(&b, 0) == 1);
	CHECK(part_id(st, "a", "p20220101000000") == pa);
	CHECK(sl_snapshot_open(st, "testdb", "a", &snap) == 1 && snap.n == 2 &&
	      snap.refs[0].part == pa && snap.refs[1].part == pa && snap.nparts == 2);
	sl_snapshot_free(&snap);
	CHECK(rows(st, "a", 0, &sum) == 2 && sum == 3);
	/* other values under the same name: refused, aborted */
	CHECK(sl_txn_commit(st, "testdb", c.id, 0, "", 0, &ti) == -1 && errno == EEXIST &&
	      strstr(sl_store_strerror(EEXIST), "p20220101000000") && ti.state == SL_TXN_ABORTED);
	sl_txn_release(&c);
	/* precommitted: its partition appears at the 2PC commit */
	CHECK(sl_part_change(st, "testdb", "a",
			     &(sl_partop){ 1, "p20220101000000", 0, 0 }, 1, 0, 0, ti.reason, 10) == 1);
	CHECK(commit(&d, 1) == 1 && part_id(st, "a", "p20220101000000") == -1);
	CHECK(sl_txn_commit(st, "testdb", d.id, SL_TXN_COMMIT_2PC, "", 0, &ti) == 1);
	CHECK(part_id(st, "a", "p20220101000000") == sl_part_new_id(d.id, 0));
	CHECK(rows(st, "a", 0, &sum) == 1 && sum == 4);
	/* a load creating a partition named as a live temporary one: refused */
	CHECK(sl_part_change(st, "testdb", "a", &(sl_partop){ 0, "ptmp", 1, vals }, 1, 0, 0, ti.reason,
			     10) == 1);
	CHECK(sl_txn_begin(st, "testdb", "a", "a6", 600, &a, 0) == 1);
	{
		sl_rowset_writer *w = sl_rowset_create_part(&a, 1, cols, sl_part_new_id(a.id, 0),
							    "PTMP", vals);
		CHECK(w && sl_rowset_finish(w, 0) == 1);
	}
	CHECK(sl_txn_commit(st, "testdb", a.id, 0, "", 0, &ti) == -1 && errno == EEXIST &&
	      ti.state == SL_TXN_ABORTED);
	sl_txn_release(&a);
	/* a file claiming a partition another txn would create is refused */
	CHECK(sl_txn_begin(st, "testdb", "a", "a5", 600, &a, 0) == 1);
	{
		sl_rowset_writer *w = sl_rowset_create_part(&a, 1, cols, sl_part_new_id(a.id + 1, 0),
							    "px", vals);
		CHECK(w && sl_rowset_finish(w, 0) == 1);
	}
	CHECK(sl_txn_commit(st, "testdb", a.id, 0, "", 0, &ti) == -1 && errno == EPROTO);
	CHECK(sl_txn_abort(st, "testdb", a.id, "x", 0) == 1);
	sl_txn_release(&a);
	sl_txninfo_free(&ti);
}

/* The state readers see: every table's partitions and rows. */
static void state_text(sl_store *st, sl_buf *out)
{
	static const char *tb[] = { "p", "u", "a", "au" };
	sl_buf one = SL_BUF_ZERO;

	out->len = 0;
	for (size_t i = 0; i < SL_ARRAY_LEN(tb); i++) {
		uint64_t sum = 0;
		list_text(st, tb[i], &one);
		sl_buf_printf(out, "%s: %.*s rows %ld sum %llu\n", tb[i], (int)one.len, one.p,
			      rows(st, tb[i], SL_SNAP_TEMP, &sum), (unsigned long long)sum);
	}
	sl_buf_free(&one);
}

static void test_checkpoint_and_torn(sl_store *st)
{
	char ck[600], lp[600];
	sl_buf a = SL_BUF_ZERO, b = SL_BUF_ZERO, f = SL_BUF_ZERO, rec = SL_BUF_ZERO;
	logstate ls;
	size_t mark;
	struct stat sb;
	int fd;

	snprintf(ck, sizeof ck, "%s/testdb/txnlog.ckpt", dir);
	snprintf(lp, sizeof lp, "%s/testdb/txnlog", dir);
	state_text(st, &a);
	CHECK(strstr(a.p, "p: ") && strstr(a.p, "p20220101000000"));
	/* a checkpoint written now holds the partitions: same answers */
	unlink(ck);
	CHECK(sl_txnlog_load(st, "testdb", &ls, &sl_ckpt_key_none) == 1);
	CHECK(sl_txnlog_ckpt_rebuild(st, "testdb", &ls) == 1);
	sl_logrec_free(&ls);
	CHECK(sl_file_read(ck, &f) == 1 && f.len > 100 && sl_u32_unpack(f.p + 4) == 7);
	state_text(st, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	CHECK(sl_txnlog_load(st, "testdb", &ls, &sl_ckpt_key_none) == 1 && ls.base > 0 && ls.npt > 5);
	sl_logrec_free(&ls);
	/* a torn Q record at the end: ignored by readers, cut by the next
	 * writer, never half applied */
	{
		sl_buf add = SL_BUF_ZERO;
		char tp[700];
		int64_t tid;
		snprintf(tp, sizeof tp, "%s/testdb/p", dir);
		tid = sl_txnlog_table_id(tp);
		CHECK(tid > 0 && sl_logrec_put_part(&add, 5, 0, "ptorn", "VALUES IN ((\"x\"))") == 1);
		CHECK(sl_logrec_put_q(&rec, 999999, 1, tid, "p", 0, 0, add.p, add.len, 1) == 1);
		sl_buf_free(&add);
	}
	CHECK(stat(lp, &sb) == 0);
	fd = open(lp, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, rec.p, rec.len - 3) == (ssize_t)rec.len - 3);
	close(fd);
	state_text(st, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len) && !strstr(b.p, "ptorn"));
	CHECK(sl_part_change(st, "testdb", "p", &(sl_partop){ 0, "p7", 0, "VALUES [(\"70\"), (\"80\"))" },
			     1, 0, 0, (char[64]){ 0 }, 64) == 1);
	CHECK(part_id(st, "p", "p7") > 0 && part_id(st, "p", "ptorn") == -1);
	/* the whole record appended: applied */
	fd = open(lp, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, rec.p, rec.len) == (ssize_t)rec.len);
	close(fd);
	CHECK(part_id(st, "p", "ptorn") == 5);
	/* a Q record with a good CRC that does not parse: corruption */
	rec.len = 0;
	CHECK(sl_logrec_start(&rec, &mark, 'Q', 1000000, 1) == 1 && sl_storeenc_put_u64(&rec, 1) == 1);
	sl_logrec_end(&rec, mark);
	fd = open(lp, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, rec.p, rec.len) == (ssize_t)rec.len);
	close(fd);
	{
		sl_partinfo *v;
		size_t n;
		CHECK(sl_part_list(st, "testdb", "p", &v, &n) == -1 && errno == EPROTO);
	}
	sl_buf_free(&a);
	sl_buf_free(&b);
	sl_buf_free(&f);
	sl_buf_free(&rec);
}

/* Data written before partitions: a version 2 rowset named by a version 2
 * C record reads as partition 0 (the implicit one). */
static void test_old_data(void)
{
	char odir[600], rp[700], lp[700], rec[256], nm[64];
	sl_store os;
	sl_txn t;
	sl_buf f = SL_BUF_ZERO;
	uint32_t hlen;
	size_t n = 8;

	snprintf(odir, sizeof odir, "%s/old", dir);
	CHECK(sl_store_open(&os, odir) == 1 && sl_db_create(&os, "testdb") == 1 &&
	      sl_table_create(&os, "testdb", "o", "CREATE TABLE o (id INT)") == 1);
	CHECK(load(&os, "o", "o1", -1, 0, 0, 1, 6, &t) == 1);
	snprintf(nm, sizeof nm, "%lld-0.rs", (long long)t.id);
	snprintf(rp, sizeof rp, "%s/testdb/o/data/%s", odir, nm);
	/* the header as version 2 wrote it: no part, newname, newvalues */
	CHECK(sl_file_read(rp, &f) == 1 && f.len > 100 && sl_u16_unpack(f.p + 8) == 3);
	hlen = sl_u32_unpack(f.p + 4);
	{
		size_t cut = 8 + 4 + 4;         /* part:u64, two empty str */
		sl_buf g = SL_BUF_ZERO;
		uint32_t nh = hlen - (uint32_t)cut;
		sl_buf_put(&g, f.p, 8 + nh);
		sl_u32_pack(g.p + 4, nh);
		g.p[9] = 2;
		sl_storeenc_put_u32(&g, (uint32_t)crc32(0, (const Bytef *)g.p + 8, nh));
		/* the footer's sum covers the header's crc: recompute it */
		{
			size_t tail = f.len - (8 + hlen + 4);
			const char *rest = f.p + 8 + hlen + 4;
			uint32_t sum;
			char x[4];
			sl_buf_put(&g, rest, tail);
			sl_u32_pack(x, (uint32_t)crc32(0, (const Bytef *)g.p + 8, nh));
			sum = (uint32_t)crc32(0, (const Bytef *)x, 4);
			/* blocks: "SLRB" raw comp nrows crc comp */
			for (const char *p = rest; memcmp(p, "SLRE", 4); ) {
				uint32_t cl = sl_u32_unpack(p + 8);
				sl_u32_pack(x, sl_u32_unpack(p + 16));
				sum = (uint32_t)crc32(sum, (const Bytef *)x, 4);
				p += 20 + cl;
			}
			sl_u32_pack(g.p + g.len - 8, sum);
			sl_u32_pack(g.p + g.len - 4, (uint32_t)crc32(0, (const Bytef *)g.p + g.len - 28, 24));
			sl_u32_pack(rec, sum);
		}
		CHECK(unlink(rp) == 0);
		{
			int fd = open(rp, O_WRONLY | O_CREAT | O_EXCL, 0644);
			CHECK(fd >= 0 && write(fd, g.p, g.len) == (ssize_t)g.len);
			close(fd);
		}
		/* the C record version 2 that names it */
		{
			uint32_t sum = sl_u32_unpack(rec);
			rec[n++] = 'C';
			rec[n++] = 2;
			sl_u64_pack(rec + n, (uint64_t)t.id); n += 8;
			sl_u64_pack(rec + n, (uint64_t)sl_now_ms()); n += 8;
			sl_u32_pack(rec + n, 1); n += 4;
			sl_u32_pack(rec + n, (uint32_t)strlen(nm)); n += 4;
			memcpy(rec + n, nm, strlen(nm)); n += strlen(nm);
			sl_u64_pack(rec + n, 6); n += 8;
			sl_u64_pack(rec + n, (uint64_t)g.len); n += 8;
			sl_u32_pack(rec + n, sum); n += 4;
			sl_u32_pack(rec + n, 0); n += 4;
			sl_u32_pack(rec, (uint32_t)(n - 8));
			sl_u32_pack(rec + 4, (uint32_t)crc32(0, (const Bytef *)rec + 8, (uInt)(n - 8)));
		}
		snprintf(lp, sizeof lp, "%s/testdb/txnlog", odir);
		{
			int fd = open(lp, O_WRONLY | O_APPEND);
			CHECK(fd >= 0 && write(fd, rec, n) == (ssize_t)n);
			close(fd);
		}
		sl_buf_free(&g);
	}
	sl_txn_release(&t);
	{
		sl_snapshot snap = SL_SNAPSHOT_ZERO;
		CHECK(sl_snapshot_open(&os, "testdb", "o", &snap) == 1 && snap.n == 1 &&
		      snap.refs[0].part == 0 && snap.refs[0].ver == 2 && snap.nparts == 1 &&
		      snap.parts[0].rows == 6);
		sl_snapshot_free(&snap);
	}
	{
		uint64_t sum;
		CHECK(rows(&os, "o", 0, &sum) == 6 && sum == 21);
	}
	sl_buf_free(&f);
	sl_store_close(&os);
}

/* "make DIR": testdb.p with p1, p2 and the temporary tp, loads into each,
 * p1 truncated (its first file no longer read) and loaded again; testdb.a
 * with a partition two loads created (the second re-tagged). */
static int make_dir(const char *d)
{
	sl_store st;
	sl_partinfo init[3];
	sl_partop op[2];
	sl_txn t, u;
	char err[256];
	int ok = 1;

	init3(init);
	op[0] = (sl_partop){ 1, "p1", 0, 0 };
	op[1] = (sl_partop){ 0, "p1", 0, init[0].values };
	ok = sl_store_open(&st, d) == 1 && sl_db_create(&st, "testdb") >= 0 &&
	     sl_table_create_parts(&st, "testdb", "p", "CREATE TABLE p (id INT)", init, 3) == 1 &&
	     load(&st, "p", "m1", part_id(&st, "p", "p1"), 0, 0, 1, 5, &t) == 1 && commit(&t, 0) == 1 &&
	     load(&st, "p", "m2", part_id(&st, "p", "p2"), 0, 0, 10, 3, &t) == 1 && commit(&t, 0) == 1 &&
	     load(&st, "p", "m3", part_id(&st, "p", "tp"), 0, 0, 20, 2, &t) == 1 && commit(&t, 0) == 1 &&
	     sl_part_change(&st, "testdb", "p", op, 2, 0, 0, err, sizeof err) == 1 &&
	     load(&st, "p", "m4", part_id(&st, "p", "p1"), 0, 0, 2, 1, &t) == 1 && commit(&t, 0) == 1 &&
	     sl_table_create_parts(&st, "testdb", "a", "CREATE TABLE a (id INT)", init, 1) == 1 &&
	     sl_txn_begin(&st, "testdb", "a", "a1", 600, &t, 0) == 1 &&
	     sl_txn_begin(&st, "testdb", "a", "a2", 600, &u, 0) == 1;
	if (ok) {
		sl_txn *v[2] = { &t, &u };
		for (int k = 0; k < 2 && ok; k++) {
			sl_rowset_writer *w = sl_rowset_create_part(v[k], 1, cols,
				sl_part_new_id(v[k]->id, 0), "p20220101000000",
				"VALUES [(\"2022-01-01\"), (\"2022-01-02\"))");
			char row[8];
			sl_u32_pack(row, 4);
			sl_u32_pack(row + 4, (uint32_t)k + 1);
			ok = w && sl_rowset_add(w, row, 8) == 1 && sl_rowset_finish(w, 0) == 1;
		}
		ok = ok && commit(&t, 0) == 1 && commit(&u, 0) == 1;
	}
	sl_store_close(&st);
	if (!ok)
		fprintf(stderr, "test-partstore: make %s: %s\n", d, strerror(errno));
	return ok ? 0 : 1;
}

/* "list DIR TABLE": one line per live partition of testdb.TABLE. */
static int list_dir(const char *d, const char *table)
{
	sl_store st;
	sl_buf b = SL_BUF_ZERO;
	int r;

	if (sl_store_open(&st, d) != 1)
		return 1;
	list_text(&st, table, &b);
	r = !memcmp(b.p, "ERR", 3);
	for (size_t i = 0; i < b.len; i++)
		putchar(b.p[i] == ';' ? '\n' : b.p[i]);
	sl_buf_free(&b);
	sl_store_close(&st);
	return r;
}

int main(int argc, char **argv)
{
	sl_store st;
	char cmd[600];

	if (argc == 3 && !strcmp(argv[1], "make"))
		return make_dir(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "list"))
		return list_dir(argv[2], argv[3]);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 111;
	}
	CHECK(sl_store_open(&st, dir) == 1 && sl_db_create(&st, "testdb") == 1);
	test_create_list_change(&st);
	test_loads_truncate_temp(&st);
	test_stale(&st);
	test_auto(&st);
	test_old_data();
	test_checkpoint_and_torn(&st);
	sl_store_close(&st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (!failed && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
