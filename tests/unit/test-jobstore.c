/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-jobstore.c -- unit tests of the job files: encode/decode round trip
 * with escapes and NULLs, truncated and malformed files refused, ids
 * strictly increasing, find by name, remove, the commit attachment, and a
 * task's life (begin, settle from its attachment only, fail, history
 * bounded), and an unordered job's loaded set (the attachment's keys join
 * it once, kept ascending, written and read back, a disordered file
 * refused).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "store.h"
#include "jobstore.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-jobstore-XXXXXX";

static void fill(sl_job *j)
{
	memset(j, 0, sizeof *j);
	j->id = 1758538737484;
	snprintf(j->name, sizeof j->name, "my_job");
	snprintf(j->definer, sizeof j->definer, "root");
	snprintf(j->status, sizeof j->status, SL_JOBST_PENDING);
	j->sql = strdup("INSERT INTO db.t\nSELECT * FROM S3(\"uri\"=\"s3://b/\\t*.csv\")");
	j->offset = strdup("dir/a\tb.csv");
	j->create_ms = 42;
	j->stat = (sl_jobstat){ 1, 2, 3, 4 };
	j->succeed = 5;
	j->manual = 1;
	sl_hdrs_append(&j->props, "s3.max_batch_files", "2");
	sl_hdrs_append(&j->props, "session.timezone", "Asia/Shanghai");
}

static void round_trip(void)
{
	sl_job j, k;
	sl_buf b = SL_BUF_ZERO;
	char *keys[] = { "dir/1.csv", "dir/2.csv" };

	fill(&j);
	CHECK(sl_jobstore_begin_task(&j, 7, keys, 2, 100) == 1);
	CHECK(sl_jobstore_encode(&j, &b) == 1);
	CHECK(sl_jobstore_decode(b.p, b.len, &k) == 1);
	CHECK(k.id == j.id && !strcmp(k.name, "my_job") && !strcmp(k.sql, j.sql));
	CHECK(!strcmp(k.offset, "dir/a\tb.csv") && !k.end_offset && !k.comment && !k.err);
	CHECK(k.stat.fsize == 4 && k.succeed == 5 && k.manual == 1 && k.create_ms == 42);
	CHECK(k.props.n == 2 && !strcmp(sl_hdrs_get(&k.props, "session.timezone"), "Asia/Shanghai"));
	CHECK(k.has_cur && k.cur.id == 7 && k.nbatch == 2 && !strcmp(k.batch[1], "dir/2.csv"));
	CHECK(!strcmp(k.cur.start_key, "dir/1.csv") && !strcmp(k.cur.end_key, "dir/2.csv"));
	sl_job_free(&k);
	/* a file cut short, or with a damaged line, is refused */
	errno = 0;
	CHECK(sl_jobstore_decode(b.p, b.len - 4, &k) == -1 && errno == EPROTO);
	b.p[0] = 'x';
	CHECK(sl_jobstore_decode(b.p, b.len, &k) == -1);
	CHECK(sl_jobstore_decode("sljob 1\nid\t1\nname\tx\nsql\ty\nbogus\t1\nend\n", 39, &k) == -1);
	CHECK(sl_jobstore_decode("sljob 1\nid\t1\nname\tx\nsql\ty\nend\n", 29, &k) == 1);
	sl_job_free(&k);
	sl_buf_free(&b);
	sl_job_free(&j);
}

static void task_life(void)
{
	sl_job j;
	sl_buf a = SL_BUF_ZERO;
	char *keys[] = { "d/1.csv", "d/\"2\".csv" };
	sl_jobstat s = { 20, 425, 2, 256 };
	int64_t jid, tid;
	char *off;
	sl_jobstat p;

	fill(&j);
	CHECK(sl_jobstore_begin_task(&j, 9, keys, 2, 100) == 1);
	CHECK(sl_jobstore_attach_fmt(j.id, 9, keys[1], &s, &a) == 1);
	CHECK(sl_jobstore_attach_parse(a.p, a.len, &jid, &tid, &off, &p) == 1);
	CHECK(jid == j.id && tid == 9 && !strcmp(off, "d/\"2\".csv") && p.rows == 20 && p.fsize == 256);
	free(off);
	CHECK(sl_jobstore_attach_parse("{\"x\":1}", 7, &jid, &tid, &off, &p) == 0);
	/* another task's attachment does not settle this one */
	{
		sl_buf o = SL_BUF_ZERO;
		CHECK(sl_jobstore_attach_fmt(j.id, 8, "zzz", &s, &o) == 1);
		CHECK(sl_jobstore_settle(&j, o.p, o.len, 200, 100) == 0);
		sl_buf_free(&o);
	}
	CHECK(j.has_cur);
	CHECK(sl_jobstore_settle(&j, a.p, a.len, 200, 100) == 1);
	CHECK(!j.has_cur && !strcmp(j.offset, "d/\"2\".csv") && j.succeed == 6);
	CHECK(j.stat.rows == 21 && j.stat.bytes == 427 && j.stat.files == 5 && j.stat.fsize == 260);
	CHECK(j.nhist == 1 && !strcmp(j.hist[0].status, SL_TASKST_SUCCESS) && j.hist[0].stat.rows == 20);
	/* failures and cancels count; the history keeps the newest `keep` */
	for (int i = 0; i < 5; i++) {
		CHECK(sl_jobstore_begin_task(&j, 10 + i, keys, 1, 300) == 1);
		CHECK(sl_jobstore_end_task(&j, i % 2 ? SL_TASKST_CANCELED : SL_TASKST_FAILED, "boom", 400, 3) == 1);
	}
	CHECK(j.failed == 3 && j.canceled == 2 && j.nhist == 3 && j.hist[0].id == 14 && j.hist[2].id == 12);
	CHECK(!strcmp(j.hist[0].err, "boom"));
	sl_buf_free(&a);
	sl_job_free(&j);
}

static void unordered(void)
{
	sl_job j, k;
	sl_buf a = SL_BUF_ZERO, e = SL_BUF_ZERO;
	char *keys[] = { "d/b.csv", "d/\"a\"\t.csv" };
	const char *ck[] = { "d/b.csv", "d/\"a\"\t.csv" };
	sl_jobstat s = { 2, 10, 2, 10 };

	fill(&j);
	CHECK(!sl_jobstore_unordered(&j));
	sl_hdrs_append(&j.props, "mode", "unordered");
	CHECK(sl_jobstore_unordered(&j));
	CHECK(sl_jobstore_begin_task(&j, 9, keys, 2, 100) == 1);
	CHECK(sl_jobstore_attach_fmt_keys(j.id, 9, keys[1], &s, ck, 2, &a) == 1);
	CHECK(sl_jobstore_settle(&j, a.p, a.len, 200, 100) == 1);
	CHECK(j.nloaded == 2 && !strcmp(j.loaded[0], "d/\"a\"\t.csv") && !strcmp(j.loaded[1], "d/b.csv"));
	CHECK(sl_jobstore_is_loaded(&j, "d/b.csv") && !sl_jobstore_is_loaded(&j, "d/c.csv"));
	/* the same keys again (a rewound task): the set stays a set */
	CHECK(sl_jobstore_begin_task(&j, 9, keys, 2, 100) == 1);
	CHECK(sl_jobstore_settle(&j, a.p, a.len, 200, 100) == 1 && j.nloaded == 2);
	CHECK(sl_jobstore_encode(&j, &e) == 1);
	CHECK(sl_jobstore_decode(e.p, e.len, &k) == 1);
	CHECK(k.nloaded == 2 && !strcmp(k.loaded[0], j.loaded[0]) && !strcmp(k.loaded[1], j.loaded[1]));
	sl_job_free(&k);
	{
		/* loaded lines out of order: a damaged file */
		char *p = strstr(e.p, "loaded\t");
		char bad[4096];
		CHECK(p != 0);
		if (p) {
			snprintf(bad, sizeof bad, "%.*sloaded\tzz\n%s", (int)(p - e.p), e.p, p);
			CHECK(sl_jobstore_decode(bad, strlen(bad), &k) == -1 && errno == EPROTO);
		}
	}
	sl_buf_free(&a);
	sl_buf_free(&e);
	sl_job_free(&j);
}

static void files(void)
{
	sl_store st;
	sl_job j, k;
	int64_t a, b, *ids;
	size_t n;
	int fd;

	CHECK(sl_store_open(&st, dir) == 1);
	CHECK((fd = sl_jobstore_lock(&st)) >= 0);
	CHECK(sl_jobstore_new_id(&st, &a) == 1 && sl_jobstore_new_id(&st, &b) == 1 && b > a);
	sl_jobstore_unlock(fd);
	CHECK(sl_jobstore_list(&st, &ids, &n) == 1 && n == 0);
	free(ids);
	fill(&j);
	CHECK(sl_jobstore_save(&st, &j) == 1);
	j.id = b;
	snprintf(j.name, sizeof j.name, "other");
	CHECK(sl_jobstore_save(&st, &j) == 1);
	CHECK(sl_jobstore_list(&st, &ids, &n) == 1 && n == 2 && ids[0] == 1758538737484 && ids[1] == b);
	free(ids);
	CHECK(sl_jobstore_find(&st, "other", &k) == 1 && k.id == b);
	sl_job_free(&k);
	CHECK(sl_jobstore_find(&st, "none", &k) == 0);
	CHECK(sl_jobstore_load(&st, 1, &k) == 0);
	CHECK(sl_jobstore_remove(&st, b) == 1 && sl_jobstore_remove(&st, b) == 0);
	CHECK(sl_jobstore_find(&st, "other", &k) == 0);
	CHECK(sl_jobstore_find(&st, "my_job", &k) == 1 && k.manual == 1);
	sl_job_free(&k);
	sl_job_free(&j);
	CHECK(sl_jobstore_conf(&st, "max_streaming_job_num", 1024) == 1024);
	sl_store_close(&st);
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(dir))
		return 1;
	round_trip();
	task_life();
	files();
	unordered();
	printf("%d passed, %d failed\n", passed, failed);
	if (failed)
		return 1;
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
