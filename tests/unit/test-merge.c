/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-merge.c -- unit tests of the merging reader (libcommon/merge.c)
 * over a real store: DUPLICATE rowsets concatenated; UNIQUE segments
 * merged by key with the newest row winning and deletes hiding keys
 * (kept with SL_MERGE_KEEP); masks folded onto stored rows, and the mask
 * column kept under KEEP; AGGREGATE sums over three segments; a run of
 * the snapshot (first, n) and a set of its files (idx); the files of
 * chosen partitions; a segment out of key order refused (EPROTO); a
 * vanished file (ENOENT); unknown tables.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "frame.h"
#include "types.h"
#include "store.h"
#include "schema.h"
#include "model.h"
#include "merge.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-merge-XXXXXX";
static sl_store st;
static int nlabel;

static sl_colspec specs[4] = {
	{ { "k", 1 }, { "INT", 3 } },
	{ { "v", 1 }, { "INT", 3 } },
	{ { "__DORIS_DELETE_SIGN__", 21 }, { "TINYINT", 7 } },
	{ { SL_MODEL_MASK_COL, 18 }, { "STRING", 6 } },
};

static sl_column cols[3];
static sl_schema sch;

static void mkschema(int model)
{
	memset(cols, 0, sizeof cols);
	cols[0].name = "k";
	cols[1].name = "v";
	cols[2].name = "__DORIS_DELETE_SIGN__";
	sl_type_parse("INT", 3, &cols[0].type, 0);
	sl_type_parse("INT", 3, &cols[1].type, 0);
	sl_type_parse("TINYINT", 7, &cols[2].type, 0);
	cols[0].is_key = 1;
	cols[1].agg = model == SL_MODEL_AGGREGATE ? SL_AGG_SUM : SL_AGG_REPLACE;
	cols[2].agg = SL_AGG_REPLACE;
	memset(&sch, 0, sizeof sch);
	sch.cols = cols;
	sch.ncols = model == SL_MODEL_UNIQUE ? 3 : 2;
	sch.nvisible = 2;
	sch.nkeys = 1;
	sch.model = model;
	sch.delete_sign = model == SL_MODEL_UNIQUE ? 2 : -1;
	sch.seq_col = sch.seq_map = -1;
}

/* A row: k, v (v < -1000: NULL), the delete sign when del >= 0, the
 * mask when not NULL. */
static size_t mkrow(char *b, int k, int v, int del, const char *mask)
{
	size_t o = 0;

	sl_u32_pack(b, 4);
	sl_u32_pack(b + 4, (uint32_t)k);
	o = 8;
	if (v < -1000) {
		sl_u32_pack(b + o, SL_NULL_LEN);
		o += 4;
	} else {
		sl_u32_pack(b + o, 4);
		sl_u32_pack(b + o + 4, (uint32_t)v);
		o += 8;
	}
	if (del >= 0) {
		sl_u32_pack(b + o, 1);
		b[o + 4] = (char)del;
		o += 5;
	}
	if (mask) {
		sl_u32_pack(b + o, (uint32_t)strlen(mask));
		memcpy(b + o + 4, mask, strlen(mask));
		o += 4 + strlen(mask);
	}
	return o;
}

/* One committed load of table tb: one rowset of n rows (k[i], v[i],
 * del[i]), with the mask column when masks is not NULL. */
static int load(const char *tb, size_t ncols, size_t n, const int *k, const int *v,
	const int *del, const char *const *masks)
{
	sl_txn t;
	sl_txninfo ex = SL_TXNINFO_ZERO, ti = SL_TXNINFO_ZERO;
	sl_rowset_writer *w;
	char label[32], row[128];
	int ok = 0;

	snprintf(label, sizeof label, "l%d", nlabel++);
	if (sl_txn_begin(&st, "d", tb, label, 600, &t, &ex) != 1)
		return 0;
	if (!(w = sl_rowset_create(&t, ncols + (masks ? 1 : 0), specs)))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (sl_rowset_add(w, row, mkrow(row, k[i], v[i], del ? del[i] : -1,
			masks ? masks[i] : 0)) < 0)
			goto out;
	if (sl_rowset_finish(w, 0) < 0)
		goto out;
	ok = sl_txn_commit(&st, "d", t.id, 0, 0, 0, &ti) == 1;
out:
	sl_txn_release(&t);
	sl_txninfo_free(&ex);
	sl_txninfo_free(&ti);
	return ok;
}

/* Read the table through the merge into "k=v,k=v" (v NULL: "k=N",
 * deleted-and-kept rows "k=v!", a mask appended "/mask"). */
static int readall(const char *tb, int flags, char *out, size_t cap)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_merge *mg;
	const char *p;
	size_t len, o = 0;
	int r = sl_merge_open_table(&st, "d", tb, &sch, flags, &snap, &mg);

	out[0] = 0;
	if (r != 1)
		return r;
	while ((r = sl_merge_next(mg, &p, &len)) == 1) {
		sl_field f[5];
		long nf = sl_fields_parse(p, len, f, 5);
		if (nf != (long)sl_merge_ncols(mg)) {
			r = -2;
			break;
		}
		o += (size_t)snprintf(out + o, cap - o, "%s%d=", o ? "," : "", (int)sl_u32_unpack(f[0].p));
		if (f[1].n == SL_NULL_LEN)
			o += (size_t)snprintf(out + o, cap - o, "N");
		else
			o += (size_t)snprintf(out + o, cap - o, "%d", (int)sl_u32_unpack(f[1].p));
		if (sch.delete_sign >= 0 && f[2].n == 1 && f[2].p[0])
			o += (size_t)snprintf(out + o, cap - o, "!");
		if ((size_t)nf == sch.ncols + 1)
			o += (size_t)snprintf(out + o, cap - o, "/%.*s", (int)f[nf - 1].n, f[nf - 1].p);
	}
	sl_merge_close(mg);
	sl_snapshot_free(&snap);
	return r;
}

static void test_duplicate(void)
{
	int k1[] = { 3, 1 }, v1[] = { 30, 10 }, k2[] = { 2, 1 }, v2[] = { 20, 11 };
	char out[512];

	mkschema(SL_MODEL_DUPLICATE);
	CHECK(sl_table_create(&st, "d", "dup", "CREATE TABLE dup (k INT, v INT)") == 1);
	CHECK(readall("dup", 0, out, sizeof out) == 0 && !strcmp(out, ""));
	CHECK(load("dup", 2, 2, k1, v1, 0, 0) && load("dup", 2, 2, k2, v2, 0, 0));
	CHECK(readall("dup", 0, out, sizeof out) == 0 && !strcmp(out, "3=30,1=10,2=20,1=11"));
}

static void test_unique(void)
{
	int k1[] = { 1, 2, 3, 5 }, v1[] = { 10, 20, 30, 50 }, d1[] = { 0, 0, 0, 0 };
	int k2[] = { 2, 3, 4 }, v2[] = { 21, 31, 41 }, d2[] = { 0, 1, 0 };
	int k3[] = { -1, 2, 5 }, v3[] = { -10, -2000, 51 }, d3[] = { 0, 0, 0 };
	const char *m3[] = { "111", "101", "111" };
	int k4[] = { 1, 2 }, v4[] = { 1, 2 }, d4[] = { 1, 0 };
	char out[512];
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_merge *mg;

	mkschema(SL_MODEL_UNIQUE);
	CHECK(sl_table_create(&st, "d", "u", "CREATE TABLE u (k INT, v INT) UNIQUE KEY(k)") == 1);
	CHECK(load("u", 3, 4, k1, v1, d1, 0) && load("u", 3, 3, k2, v2, d2, 0));
	CHECK(readall("u", 0, out, sizeof out) == 0 && !strcmp(out, "1=10,2=21,4=41,5=50"));
	CHECK(readall("u", SL_MERGE_KEEP, out, sizeof out) == 0 &&
	      !strcmp(out, "1=10,2=21,3=31!,4=41,5=50"));
	/* a partial load: key 2 keeps its stored v (mask '0'); -1 is new */
	CHECK(load("u", 3, 3, k3, v3, d3, m3));
	CHECK(readall("u", 0, out, sizeof out) == 0 && !strcmp(out, "-1=-10,1=10,2=21,4=41,5=51"));
	CHECK(readall("u", SL_MERGE_KEEP, out, sizeof out) == 0 &&
	      !strcmp(out, "-1=-10/111,1=10/111,2=21/111,3=31!/111,4=41/111,5=51/111"));
	/* only the partial segment: its rows keep their masks under KEEP */
	CHECK(sl_snapshot_open(&st, "d", "u", &snap) == 1 && snap.n == 3);
	CHECK((mg = sl_merge_open(&snap, &sch, 2, 1, SL_MERGE_KEEP)) != 0);
	if (mg) {
		const char *p;
		size_t len;
		sl_field f[5];
		CHECK(sl_merge_ncols(mg) == 4);
		CHECK(sl_merge_next(mg, &p, &len) == 1 && sl_merge_next(mg, &p, &len) == 1 &&
		      sl_fields_parse(p, len, f, 5) == 4 && f[1].n == SL_NULL_LEN && f[3].n == 3 &&
		      !memcmp(f[3].p, "101", 3));
		sl_merge_close(mg);
	}
	/* a run of the first two: no mask column */
	CHECK((mg = sl_merge_open(&snap, &sch, 0, 2, SL_MERGE_KEEP)) != 0 && sl_merge_ncols(mg) == 3);
	sl_merge_close(mg);
	CHECK(sl_merge_open(&snap, &sch, 2, 2, 0) == 0 && errno == EINVAL);
	sl_snapshot_free(&snap);
	CHECK(load("u", 3, 2, k4, v4, d4, 0));
	CHECK(readall("u", 0, out, sizeof out) == 0 && !strcmp(out, "-1=-10,2=2,4=41,5=51"));
}

/* Read a merge into "k=v,..." (the AGGREGATE/DUPLICATE schema's two
 * columns), closing it. */
static int drain(sl_merge *mg, char *out, size_t cap)
{
	const char *p;
	size_t len, o = 0;
	int r;

	out[0] = 0;
	while ((r = sl_merge_next(mg, &p, &len)) == 1) {
		sl_field f[3];
		if (sl_fields_parse(p, len, f, 3) != 2)
			return -2;
		o += (size_t)snprintf(out + o, cap - o, "%s%d=%d", o ? "," : "",
			(int)sl_u32_unpack(f[0].p), (int)sl_u32_unpack(f[1].p));
	}
	sl_merge_close(mg);
	return r;
}

/* sl_merge_open_set over files 0 and 2 of three; its refusals; the
 * partition filter of sl_merge_open_table_parts (an unpartitioned table
 * has its files in one partition, its implicit one). */
static void test_sets(void)
{
	int k1[] = { 1, 2 }, v1[] = { 10, 20 }, k2[] = { 2, 3 }, v2[] = { 5, 7 },
	    k3[] = { 1, 3 }, v3[] = { 100, 100 };
	size_t idx[] = { 0, 2 }, bad[] = { 2, 0 }, far[] = { 3 };
	char out[512];
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_merge *mg = 0;
	int64_t part, none = 99999;

	mkschema(SL_MODEL_AGGREGATE);
	CHECK(sl_table_create(&st, "d", "s", "CREATE TABLE s (k INT, v INT SUM) AGGREGATE KEY(k)") == 1);
	CHECK(load("s", 2, 2, k1, v1, 0, 0) && load("s", 2, 2, k2, v2, 0, 0) &&
	      load("s", 2, 2, k3, v3, 0, 0));
	CHECK(sl_snapshot_open(&st, "d", "s", &snap) == 1 && snap.n == 3);
	CHECK((mg = sl_merge_open_set(&snap, &sch, idx, 2, 0)) != 0);
	CHECK(mg && drain(mg, out, sizeof out) == 0 && !strcmp(out, "1=110,2=20,3=100"));
	CHECK(sl_merge_open_set(&snap, &sch, bad, 2, 0) == 0 && errno == EINVAL);
	CHECK(sl_merge_open_set(&snap, &sch, far, 1, 0) == 0 && errno == EINVAL);
	CHECK((mg = sl_merge_open_set(&snap, &sch, idx, 0, 0)) != 0);
	CHECK(mg && drain(mg, out, sizeof out) == 0 && !strcmp(out, ""));
	part = snap.refs[0].part;
	sl_snapshot_free(&snap);
	CHECK(sl_merge_open_table_parts(&st, "d", "s", &sch, 0, &part, 1, &snap, &mg) == 1);
	CHECK(drain(mg, out, sizeof out) == 0 && !strcmp(out, "1=110,2=25,3=107"));
	sl_snapshot_free(&snap);
	CHECK(sl_merge_open_table_parts(&st, "d", "s", &sch, SL_MERGE_TEMP, 0, 0, &snap, &mg) == 1);
	CHECK(drain(mg, out, sizeof out) == 0 && !strcmp(out, "1=110,2=25,3=107"));
	sl_snapshot_free(&snap);
	CHECK(sl_merge_open_table_parts(&st, "d", "s", &sch, 0, &none, 1, &snap, &mg) == 1);
	CHECK(drain(mg, out, sizeof out) == 0 && !strcmp(out, ""));
	sl_snapshot_free(&snap);
	CHECK(sl_merge_open_table_parts(&st, "d", "nope", &sch, 0, &none, 1, &snap, &mg) == 0 &&
	      errno == ENOENT);
}

static void test_aggregate(void)
{
	int k1[] = { 1, 2 }, v1[] = { 10, 20 }, k2[] = { 2, 3 }, v2[] = { 5, -2000 },
	    k3[] = { 1, 2, 3 }, v3[] = { -1, 1, 7 };
	char out[512];

	mkschema(SL_MODEL_AGGREGATE);
	CHECK(sl_table_create(&st, "d", "a", "CREATE TABLE a (k INT, v INT SUM) AGGREGATE KEY(k)") == 1);
	CHECK(load("a", 2, 2, k1, v1, 0, 0) && load("a", 2, 2, k2, v2, 0, 0) &&
	      load("a", 2, 3, k3, v3, 0, 0));
	CHECK(readall("a", 0, out, sizeof out) == 0 && !strcmp(out, "1=9,2=26,3=7"));
}

static void test_errors(void)
{
	int k1[] = { 2, 1 }, v1[] = { 1, 1 };
	char out[512];
	sl_snapshot snap = SL_SNAPSHOT_ZERO;

	mkschema(SL_MODEL_AGGREGATE);
	CHECK(sl_table_create(&st, "d", "bad", "CREATE TABLE bad (k INT, v INT SUM) AGGREGATE KEY(k)") == 1);
	CHECK(load("bad", 2, 2, k1, v1, 0, 0));
	CHECK(readall("bad", 0, out, sizeof out) == -1 && errno == EPROTO &&
	      strstr(sl_store_strerror(EPROTO), "key order"));
	/* a file gone between the snapshot and the open */
	CHECK(sl_snapshot_open(&st, "d", "bad", &snap) == 1 && snap.n == 1);
	CHECK(unlink(snap.paths[0]) == 0);
	CHECK(sl_merge_open(&snap, &sch, 0, 1, 0) == 0 && errno == ENOENT);
	sl_snapshot_free(&snap);
	CHECK(readall("bad", 0, out, sizeof out) == -1 && errno == ENOENT);
	CHECK(readall("nope", 0, out, sizeof out) == 0 && errno == ENOENT);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir) || sl_store_open(&st, dir) < 0 || sl_db_create(&st, "d") != 1) {
		perror("setup");
		return 1;
	}
	test_duplicate();
	test_unique();
	test_aggregate();
	test_sets();
	test_errors();
	sl_store_close(&st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "unable to remove %s\n", dir);
	printf("test-merge: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
