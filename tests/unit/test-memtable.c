/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-memtable.c -- unit tests of the memtable (libcommon/memtable.c):
 * rows in random order come out sorted by key, each key once, the later
 * row of a key winning (a stable sort); sorted input; the budget; masks
 * kept; delete-signed rows kept; a bad key refused; emit's failure;
 * rows tagged with their partition sorted by (tag, key), folded within a
 * tag only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "frame.h"
#include "types.h"
#include "schema.h"
#include "memtable.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static sl_schema sch;

/* UNIQUE (k INT, v INT, __DORIS_DELETE_SIGN__ TINYINT) as CREATE TABLE
 * makes it */
static int mkschema(void)
{
	static const char ddl[] = "CREATE TABLE t (k INT, v INT) UNIQUE KEY(k) "
		"DISTRIBUTED BY HASH(k) BUCKETS 1";
	char err[256];

	return sl_schema_parse(ddl, sizeof ddl - 1, "d", &sch, err, sizeof err) == 1 &&
		sch.ncols == 3 && sch.delete_sign == 2;
}

static size_t mkrow(char *b, int k, int v, int del, const char *mask)
{
	size_t o = 17;

	sl_u32_pack(b, 4);
	sl_u32_pack(b + 4, (uint32_t)k);
	sl_u32_pack(b + 8, 4);
	sl_u32_pack(b + 12, (uint32_t)v);
	sl_u32_pack(b + 16, 1);
	b[20] = (char)del;
	o = 21;
	if (mask) {
		sl_u32_pack(b + o, 3);
		memcpy(b + o + 4, mask, 3);
		o += 7;
	}
	return o;
}

typedef struct got { int n, fail_at; int k[4096], v[4096], del[4096]; char mask[4096][4]; } got;

static int emit(void *arg, const char *p, size_t len)
{
	got *g = arg;
	sl_field f[4];
	long nf = sl_fields_parse(p, len, f, 4);

	if (g->n == g->fail_at) {
		errno = EIO;
		return -1;
	}
	if (nf < 3 || g->n >= 4096)
		return -1;
	g->k[g->n] = (int)sl_u32_unpack(f[0].p);
	g->v[g->n] = (int)sl_u32_unpack(f[1].p);
	g->del[g->n] = f[2].p[0];
	g->mask[g->n][0] = 0;
	if (nf == 4)
		snprintf(g->mask[g->n], 4, "%.*s", (int)f[3].n, f[3].p);
	g->n++;
	return 1;
}

static void test_sort_fold(void)
{
	sl_memtable *mt = sl_memtable_new(&sch, 1 << 20);
	static got g;
	char row[64];
	int ok = 1;

	/* keys 0..999 (negative ones too), each three times, in a scrambled
	 * order; v = the arrival number */
	for (int i = 0; i < 3000; i++) {
		int k = (i * 7919) % 1000 - 500;
		if (sl_memtable_add(mt, row, mkrow(row, k, i, 0, 0)) != 1)
			ok = 0;
	}
	CHECK(ok && sl_memtable_rows(mt) == 3000 && !sl_memtable_full(mt));
	g.fail_at = -1;
	CHECK(sl_memtable_flush(mt, 0, emit, &g) == 1 && g.n == 1000 && sl_memtable_rows(mt) == 0);
	for (int i = 0; i < g.n; i++) {
		/* the last of the three arrivals of key k wins */
		int last = -1;
		for (int j = 0; j < 3000; j++)
			if ((j * 7919) % 1000 - 500 == g.k[i])
				last = j;
		if (g.k[i] != i - 500 || g.v[i] != last)
			ok = 0;
	}
	CHECK(ok);
	/* sorted input, a delete kept, masks kept and folded */
	g.n = 0;
	CHECK(sl_memtable_add(mt, row, mkrow(row, 1, 10, 0, "111")) == 1);
	CHECK(sl_memtable_add(mt, row, mkrow(row, 2, 20, 1, "111")) == 1);
	CHECK(sl_memtable_add(mt, row, mkrow(row, 2, 21, 0, "101")) == 1);
	CHECK(sl_memtable_flush(mt, 1, emit, &g) == 1 && g.n == 2);
	CHECK(g.k[0] == 1 && g.v[0] == 10 && !strcmp(g.mask[0], "111"));
	CHECK(g.k[1] == 2 && g.v[1] == 20 && g.del[1] == 0 && !strcmp(g.mask[1], "111"));
	g.n = 0;
	CHECK(sl_memtable_add(mt, row, mkrow(row, 5, 50, 1, 0)) == 1);
	CHECK(sl_memtable_flush(mt, 0, emit, &g) == 1 && g.n == 1 && g.del[0] == 1);
	/* emit's failure is the flush's */
	g.n = 0;
	g.fail_at = 0;
	CHECK(sl_memtable_add(mt, row, mkrow(row, 5, 50, 0, 0)) == 1);
	CHECK(sl_memtable_flush(mt, 0, emit, &g) == -1 && errno == EIO);
	/* a key of the wrong width */
	sl_u32_pack(row, 2);
	CHECK(sl_memtable_add(mt, row, 6) == -1 && errno == EPROTO);
	sl_memtable_free(mt);
}

static void test_budget(void)
{
	sl_memtable *mt = sl_memtable_new(&sch, 1);   /* raised to the minimum */
	char row[64];
	int n = 0;

	while (!sl_memtable_full(mt) && n < 100000) {
		if (sl_memtable_add(mt, row, mkrow(row, n, n, 0, 0)) != 1)
			break;
		n++;
	}
	CHECK(sl_memtable_full(mt) && n > 100 && (size_t)n * 21 < SL_MEMTABLE_BUDGET_MIN);
	sl_memtable_free(mt);
}

/* Streaming: increasing keys come back one behind, unchanged; the first
 * key not greater than the one before ends the stream, and that row and
 * the one held go to the memtable, as does every row after them. */
static void test_stream(void)
{
	sl_memtable *mt = sl_memtable_new(&sch, 1 << 20);
	static got g;
	char row[64];
	const char *p;
	size_t len;
	int ok = 1;

	g.n = 0;
	g.fail_at = -1;
	for (int k = -3; k < 3; k++) {
		int r = sl_memtable_push(mt, row, mkrow(row, k, k * 10, k == 0, 0), &p, &len);
		if (r != 1 || (k == -3) != !p || (p && emit(&g, p, len) < 0))
			ok = 0;
	}
	CHECK(ok && g.n == 5 && g.k[0] == -3 && g.k[4] == 1 && g.del[3] == 1 && sl_memtable_rows(mt) == 0);
	/* the held row comes out at the end of a streamed segment */
	CHECK(sl_memtable_pending(mt, &p, &len) == 1 && emit(&g, p, len) == 1 && g.k[5] == 2);
	CHECK(sl_memtable_pending(mt, &p, &len) == 0);
	/* a new segment streams from nothing; an equal key breaks the order */
	g.n = 0;
	CHECK(sl_memtable_push(mt, row, mkrow(row, 7, 1, 0, 0), &p, &len) == 1 && !p);
	CHECK(sl_memtable_push(mt, row, mkrow(row, 8, 2, 0, 0), &p, &len) == 1 && p && emit(&g, p, len) == 1);
	CHECK(sl_memtable_push(mt, row, mkrow(row, 8, 3, 0, 0), &p, &len) == 0 && !p);
	CHECK(sl_memtable_rows(mt) == 2 && sl_memtable_pending(mt, &p, &len) == 0);
	/* from now on the memtable takes every row, even increasing ones */
	CHECK(sl_memtable_push(mt, row, mkrow(row, 9, 4, 0, 0), &p, &len) == 1 && !p);
	CHECK(sl_memtable_push(mt, row, mkrow(row, 1, 5, 0, 0), &p, &len) == 1 && !p);
	CHECK(sl_memtable_rows(mt) == 4);
	CHECK(sl_memtable_flush(mt, 0, emit, &g) == 1 && g.n == 4);
	CHECK(g.k[0] == 7 && g.k[1] == 1 && g.v[1] == 5 && g.k[2] == 8 && g.v[2] == 3 && g.k[3] == 9);
	/* a bad key is refused while streaming too */
	sl_u32_pack(row, 2);
	CHECK(sl_memtable_pending(mt, &p, &len) == 0);
	sl_memtable_free(mt);
	mt = sl_memtable_new(&sch, 1 << 20);
	CHECK(sl_memtable_push(mt, row, 6, &p, &len) == -1 && errno == EPROTO);
	sl_memtable_free(mt);
}

/* A flush_part callback: the rows with their tags. */
typedef struct tgot { int n; uint32_t tag[64]; int k[64], v[64]; } tgot;

static int emit_tag(void *arg, uint32_t tag, const char *p, size_t len)
{
	tgot *g = arg;

	(void)len;
	if (g->n >= 64)
		return -1;
	g->tag[g->n] = tag;
	g->k[g->n] = (int)sl_u32_unpack(p + 4);
	g->v[g->n] = (int)sl_u32_unpack(p + 12);
	g->n++;
	return 1;
}

static void test_tagged(void)
{
	sl_memtable *mt = sl_memtable_new(&sch, 1 << 20);
	static tgot g;
	char row[64];
	/* (tag, k, v) in arrival order */
	static const int in[][3] = { { 2, 5, 1 }, { 0, 9, 2 }, { 2, 1, 3 }, { 1, 5, 4 }, { 0, 9, 5 },
		{ 70000, 3, 6 }, { 2, 5, 7 } };

	CHECK(mt != NULL);
	for (size_t i = 0; i < SL_ARRAY_LEN(in); i++)
		CHECK(sl_memtable_add_part(mt, (uint32_t)in[i][0], row, mkrow(row, in[i][1], in[i][2], 0, 0)) == 1);
	CHECK(sl_memtable_rows(mt) == SL_ARRAY_LEN(in));
	CHECK(sl_memtable_flush_part(mt, 0, emit_tag, &g) == 1);
	/* tag 0: k 9 folded (later wins); tag 1: k 5 alone (not folded with
	 * tag 2's k 5); tag 2: k 1, then k 5 folded; tag 70000 last */
	CHECK(g.n == 5);
	CHECK(g.tag[0] == 0 && g.k[0] == 9 && g.v[0] == 5);
	CHECK(g.tag[1] == 1 && g.k[1] == 5 && g.v[1] == 4);
	CHECK(g.tag[2] == 2 && g.k[2] == 1 && g.v[2] == 3);
	CHECK(g.tag[3] == 2 && g.k[3] == 5 && g.v[3] == 7);
	CHECK(g.tag[4] == 70000 && g.k[4] == 3 && g.v[4] == 6);
	CHECK(sl_memtable_rows(mt) == 0);
	/* a bad key is refused, tagged too */
	sl_u32_pack(row, 2);
	CHECK(sl_memtable_add_part(mt, 1, row, 6) == -1 && errno == EPROTO && sl_memtable_rows(mt) == 0);
	sl_memtable_free(mt);
}

int main(void)
{
	CHECK(mkschema());
	test_stream();
	test_sort_fold();
	test_budget();
	test_tagged();
	sl_schema_free(&sch);
	printf("test-memtable: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
