/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-sqlpart.c -- unit tests of the SQL engine's partitions
 * (libcommon/sqlpart.c) over rows written into chosen partitions of a
 * real store: a plain SELECT reads the formal partitions only; PARTITION
 * (...) and TEMPORARY PARTITION (...) read the ones named; the WHERE
 * prunes (proven without a timer: a file of a partition the WHERE
 * excludes is removed and the SELECT still answers, one it includes and
 * the SELECT fails); TRUNCATE TABLE t PARTITION (p) and TRUNCATE TABLE t
 * leave the other partitions' rows; SHOW PARTITIONS counts the rows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "types.h"
#include "store.h"
#include "rowset.h"
#include "sql.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-sqlpart-XXXXXX";
static sl_store st;
static sl_sql q;
static int nlabel;

static sl_colspec specs[2] = {
	{ { "k", 1 }, { "INT", 3 } },
	{ { "v", 1 }, { "INT", 3 } },
};

/* The first value of the last row of a result, and the second column of
 * every row ("name;name;"). */
typedef struct got { int64_t first; int rows; char names[256]; } got;

static int g_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	got *g = ctx;

	(void)n; (void)names; (void)types;
	memset(g, 0, sizeof *g);
	g->first = -1;
	return 1;
}

static int g_row(void *ctx, size_t n, const sl_value *v)
{
	got *g = ctx;
	size_t l = strlen(g->names);

	g->rows++;
	if (n && v[0].kind == SL_V_INT)
		g->first = v[0].u.i;
	else if (n && v[0].kind == SL_V_STRING)
		g->first = strtoll(v[0].u.s.p, 0, 10);
	if (n > 1 && v[1].kind == SL_V_STRING)
		snprintf(g->names + l, sizeof g->names - l, "%.*s;", (int)v[1].u.s.n, v[1].u.s.p);
	return 1;
}

static got g;
static const sl_sql_sink sink = { &g, g_begin, g_row, 0 };

/* Run one statement: sl_sql_exec's answer (errors printed). */
static int run(const char *sql)
{
	int r = sl_sql_exec(&q, sql, strlen(sql), &sink);

	if (r != 1)
		fprintf(stderr, "  [%s]: %d %s\n", sql, q.code, q.err);
	return r;
}

/* count(*) of a SELECT, -1 when it fails. */
static int64_t count(const char *sql)
{
	return run(sql) == 1 ? g.first : -1;
}

/* The id of partition name of d.t (temp or not), -1 none. */
static int64_t part_id(const char *t, const char *name, int temp)
{
	sl_partinfo *pi;
	size_t n;
	int64_t id = -1;

	if (sl_part_list(&st, "d", t, &pi, &n) != 1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (pi[i].temp == temp && !strcasecmp(pi[i].name, name))
			id = pi[i].id;
	sl_partinfo_free(pi, n);
	return id;
}

/* One committed load into partition `name` of d.t: rows (k[i], k[i] * 10). */
static int load(const char *t, const char *name, int temp, size_t n, const int *k)
{
	sl_txn tx;
	sl_txninfo ex = SL_TXNINFO_ZERO, ti = SL_TXNINFO_ZERO;
	sl_rowset_writer *w;
	char label[32], row[32];
	int64_t part = part_id(t, name, temp);
	int ok = 0;

	snprintf(label, sizeof label, "l%d", nlabel++);
	if (part < 0 || sl_txn_begin(&st, "d", t, label, 600, &tx, &ex) != 1)
		return 0;
	if (!(w = sl_rowset_create_part(&tx, 2, specs, part, NULL, NULL)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		sl_u32_pack(row, 4);
		sl_u32_pack(row + 4, (uint32_t)k[i]);
		sl_u32_pack(row + 8, 4);
		sl_u32_pack(row + 12, (uint32_t)(k[i] * 10));
		if (sl_rowset_add(w, row, 16) < 0)
			goto out;
	}
	if (sl_rowset_finish(w, 0) < 0)
		goto out;
	ok = sl_txn_commit(&st, "d", tx.id, 0, 0, 0, &ti) == 1;
out:
	sl_txn_release(&tx);
	sl_txninfo_free(&ex);
	sl_txninfo_free(&ti);
	return ok;
}

/* Remove the files of partition `name` of d.t: how many. */
static int remove_files(const char *t, const char *name)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	int64_t part = part_id(t, name, 0);
	int n = 0;

	if (sl_snapshot_open(&st, "d", t, &snap) != 1)
		return -1;
	for (size_t i = 0; i < snap.n; i++)
		if (snap.refs[i].part == part && unlink(snap.paths[i]) == 0)
			n++;
	sl_snapshot_free(&snap);
	return n;
}

static void setup_range(void)
{
	static const int k1[] = { 1, 2 }, k2[] = { 11, 12, 13 }, k3[] = { 21 }, kt[] = { 5 };

	CHECK(run("CREATE TABLE d.r (k INT NOT NULL, v INT) DUPLICATE KEY(k) PARTITION BY RANGE(k) ("
		"PARTITION p1 VALUES LESS THAN (\"10\"), PARTITION p2 VALUES LESS THAN (\"20\"), "
		"PARTITION p3 VALUES LESS THAN (\"30\")) DISTRIBUTED BY HASH(k) BUCKETS 1") == 1);
	CHECK(run("ALTER TABLE d.r ADD TEMPORARY PARTITION tp VALUES [(\"0\"), (\"30\"))") == 1);
	CHECK(load("r", "p1", 0, 2, k1));
	CHECK(load("r", "p2", 0, 3, k2));
	CHECK(load("r", "p3", 0, 1, k3));
	CHECK(load("r", "tp", 1, 1, kt));
}

/* What each partition reads, by name and by the WHERE. */
static void test_reads(void)
{
	CHECK(count("SELECT count(*) FROM d.r") == 6);
	CHECK(count("SELECT count(*) FROM d.r PARTITION (p1, p3)") == 3);
	CHECK(count("SELECT count(*) FROM d.r PARTITION p2") == 3);
	CHECK(count("SELECT count(*) FROM d.r TEMPORARY PARTITION (tp)") == 1);
	CHECK(count("SELECT sum(v) FROM d.r TEMPORARY PARTITION (tp)") == 50);
	CHECK(count("SELECT count(*) FROM d.r WHERE k < 10") == 2);
	CHECK(count("SELECT count(*) FROM d.r WHERE k >= 12 AND k <= 21") == 3);
	CHECK(count("SELECT count(*) FROM d.r PARTITION (p2) WHERE k < 10") == 0);
	CHECK(run("SHOW PARTITIONS FROM d.r") == 1 && g.rows == 3 && !strcmp(g.names, "p1;p2;p3;"));
	CHECK(run("SHOW TEMPORARY PARTITIONS FROM d.r") == 1 && g.rows == 1 && !strcmp(g.names, "tp;"));
}

/* Pruning: p3's file gone, a WHERE that cannot match p3 still answers. */
static void test_prune(void)
{
	CHECK(remove_files("r", "p3") == 1);
	CHECK(count("SELECT count(*) FROM d.r WHERE k < 20") == 5);
	CHECK(count("SELECT count(*) FROM d.r WHERE k = 12") == 1);
	CHECK(count("SELECT count(*) FROM d.r PARTITION (p1, p2)") == 5);
	/* a WHERE that may match p3 reads it, and fails */
	CHECK(count("SELECT count(*) FROM d.r WHERE k = 21") == -1);
	CHECK(count("SELECT count(*) FROM d.r WHERE v = 210") == -1);
	CHECK(count("SELECT count(*) FROM d.r") == -1);
}

/* TRUNCATE one partition, then the table: the others keep their rows. */
static void test_truncate(void)
{
	int64_t p1 = part_id("r", "p1", 0), p2 = part_id("r", "p2", 0);

	CHECK(run("TRUNCATE TABLE d.r PARTITION (p3)") == 1);
	CHECK(count("SELECT count(*) FROM d.r") == 5);
	CHECK(run("TRUNCATE TABLE d.r PARTITION (p1)") == 1);
	CHECK(count("SELECT count(*) FROM d.r") == 3);
	CHECK(count("SELECT count(*) FROM d.r PARTITION (p2)") == 3);
	CHECK(part_id("r", "p1", 0) != p1 && part_id("r", "p2", 0) == p2);
	CHECK(count("SELECT count(*) FROM d.r TEMPORARY PARTITION (tp)") == 1);
	CHECK(run("TRUNCATE TABLE d.r") == 1);
	CHECK(count("SELECT count(*) FROM d.r") == 0);
	CHECK(part_id("r", "tp", 1) == -1);
	CHECK(part_id("r", "p2", 0) != p2);
}

/* LIST: the WHERE's values pick the partitions. */
static void test_list(void)
{
	static const int ka[] = { 1, 2 }, kb[] = { 3 };

	CHECK(run("CREATE TABLE d.l (k INT NOT NULL, v INT) DUPLICATE KEY(k) PARTITION BY LIST(k) ("
		"PARTITION pa VALUES IN (\"1\", \"2\"), PARTITION pb VALUES IN (\"3\")) "
		"DISTRIBUTED BY HASH(k) BUCKETS 1") == 1);
	CHECK(load("l", "pa", 0, 2, ka));
	CHECK(load("l", "pb", 0, 1, kb));
	CHECK(remove_files("l", "pb") == 1);
	CHECK(count("SELECT count(*) FROM d.l WHERE k IN (1, 2)") == 2);
	CHECK(count("SELECT count(*) FROM d.l WHERE k = 3") == -1);
	CHECK(run("ALTER TABLE d.l DROP PARTITION pb") == 1);
	CHECK(count("SELECT count(*) FROM d.l") == 2);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir) || sl_store_open(&st, dir) < 0 || sl_db_create(&st, "d") != 1) {
		perror("setup");
		return 1;
	}
	sl_sql_init(&q, &st);
	setup_range();
	test_reads();
	test_prune();
	test_truncate();
	test_list();
	sl_sql_free(&q);
	sl_store_close(&st);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "unable to remove %s\n", dir);
	printf("test-sqlpart: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
