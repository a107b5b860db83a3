/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-record.c -- unit tests of the stream load record (libcommon/record.c):
 * round trip of every field, cut strings, limit, trimming past twice
 * stream_load_record_max, a torn tail (ignored, stepped over by the next
 * writer), a record with a bad CRC (skipped), no database, concurrent
 * appends from forked processes (none lost), a record's columns (names,
 * values, order) and the job state of a load (result.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "store.h"
#include "record.h"
#include "result.h"
#include "jobstate.h"
#include "status.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-record-XXXXXX";

static void mkrec(sl_load_record *r, const char *db, int i)
{
	memset(r, 0, sizeof *r);
	snprintf(r->label, sizeof r->label, "lbl_%d", i);
	snprintf(r->db, sizeof r->db, "%s", db);
	snprintf(r->table, sizeof r->table, "t");
	snprintf(r->client_ip, sizeof r->client_ip, "127.0.0.1");
	snprintf(r->user, sizeof r->user, "root");
	snprintf(r->status, sizeof r->status, i % 2 ? "Fail" : "Success");
	snprintf(r->message, sizeof r->message, i % 2 ? "[DATA_QUALITY_ERROR]too many filtered rows" : "OK");
	r->total = i * 10;
	r->loaded = i * 10 - 1;
	r->filtered = 1;
	r->unselected = 0;
	r->load_bytes = 1000 + i;
	r->start_ms = 1700000000000ll + i;
	r->finish_ms = 1700000000050ll + i;
}

static size_t count(sl_store *st, const char *db)
{
	sl_load_record *v;
	size_t n;

	if (sl_record_list(st, db, &v, &n, 0) != 1)
		return (size_t)-1;
	free(v);
	return n;
}

static void test_roundtrip(sl_store *st)
{
	sl_load_record r, *v;
	size_t n;

	CHECK(sl_record_list(st, "nodb", &v, &n, 0) == 0 && n == 0);
	CHECK(sl_record_list(st, "_bad", &v, &n, 0) == 0);
	mkrec(&r, "nodb", 1);
	errno = 0;
	CHECK(sl_record_add(st, &r) == -1 && errno == ENOENT);

	CHECK(sl_db_create(st, "db1") == 1);
	CHECK(sl_record_list(st, "db1", &v, &n, 0) == 1 && n == 0);
	free(v);
	for (int i = 1; i <= 3; i++) {
		mkrec(&r, "db1", i);
		if (i == 3) {
			/* fields filled to the brim, no NUL: cut, not overrun */
			memset(r.message, 'm', sizeof r.message);
			memset(r.url, 'u', sizeof r.url);
			snprintf(r.comment, sizeof r.comment, "c\xc3\xa9");
		}
		CHECK(sl_record_add(st, &r) == 1);
	}
	CHECK(sl_record_list(st, "db1", &v, &n, 0) == 1 && n == 3);
	if (n == 3) {
		CHECK(!strcmp(v[0].label, "lbl_1") && !strcmp(v[2].label, "lbl_3"));
		CHECK(!strcmp(v[0].status, "Fail") && !strcmp(v[1].status, "Success"));
		CHECK(!strcmp(v[1].message, "OK") && !strcmp(v[1].db, "db1") && !strcmp(v[1].table, "t"));
		CHECK(!strcmp(v[1].client_ip, "127.0.0.1") && !strcmp(v[1].user, "root") && !v[1].url[0]);
		CHECK(v[1].total == 20 && v[1].loaded == 19 && v[1].filtered == 1 && v[1].unselected == 0);
		CHECK(v[1].load_bytes == 1002 && v[1].start_ms == 1700000000002ll && v[1].finish_ms == 1700000000052ll);
		CHECK(strlen(v[2].message) == sizeof v[2].message - 1 && strlen(v[2].url) == sizeof v[2].url - 1);
		CHECK(!strcmp(v[2].comment, "c\xc3\xa9"));
	}
	free(v);
	CHECK(sl_record_list(st, "db1", &v, &n, 2) == 1 && n == 2);
	if (n == 2)
		CHECK(!strcmp(v[0].label, "lbl_2") && !strcmp(v[1].label, "lbl_3"));
	free(v);
}

static off_t fsize(const char *p)
{
	struct stat sb;

	return stat(p, &sb) < 0 ? -1 : sb.st_size;
}

static void test_torn_and_crc(sl_store *st)
{
	char p[600];
	sl_load_record r, *v;
	size_t n;
	off_t before;
	int fd;

	snprintf(p, sizeof p, "%s/db1/_load_record", dir);
	before = fsize(p);
	/* a torn append: a header that promises more than is there */
	fd = open(p, O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK(write(fd, "\0\0\0\x64\x01\x02\x03\x04" "LLLLLL", 14) == 14);
	close(fd);
	CHECK(count(st, "db1") == 3);
	mkrec(&r, "db1", 4);
	CHECK(sl_record_add(st, &r) == 1);
	CHECK(count(st, "db1") == 4);
	/* the torn bytes stay (writers do not read); readers step over them */
	CHECK(fsize(p) > before + 14);
	CHECK(sl_record_list(st, "db1", &v, &n, 0) == 1 && n == 4);
	if (n == 4)
		CHECK(!strcmp(v[3].label, "lbl_4"));
	free(v);

	/* flip a byte inside the first record's payload: it is skipped */
	fd = open(p, O_RDWR);
	CHECK(fd >= 0 && pwrite(fd, "X", 1, 20) == 1);
	close(fd);
	CHECK(sl_record_list(st, "db1", &v, &n, 0) == 1 && n == 3);
	if (n == 3)
		CHECK(!strcmp(v[0].label, "lbl_2") && !strcmp(v[2].label, "lbl_4"));
	free(v);
}

static void test_trim(void)
{
	char p[600];
	sl_store st;
	sl_load_record r, *v;
	size_t n;
	struct stat sb;

	snprintf(p, sizeof p, "%s/trim", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/trim/sl.conf", dir);
	CHECK(sl_file_write_atomic(p, "stream_load_record_max = 5\n", 27, 0644) == 1);
	snprintf(p, sizeof p, "%s/trim", dir);
	CHECK(sl_store_open(&st, p) == 1);
	CHECK(sl_db_create(&st, "d") == 1);
	for (int i = 1; i <= 10; i++) {
		mkrec(&r, "d", i);
		CHECK(sl_record_add(&st, &r) == 1);
	}
	/* the file holds all ten (no rewrite yet), the list the newest 5 */
	CHECK(count(&st, "d") == 5);
	CHECK(sl_record_list(&st, "d", &v, &n, 3) == 1 && n == 3);
	if (n == 3)
		CHECK(!strcmp(v[0].label, "lbl_8") && !strcmp(v[2].label, "lbl_10"));
	free(v);
	mkrec(&r, "d", 11);
	CHECK(sl_record_add(&st, &r) == 1);
	CHECK(sl_record_list(&st, "d", &v, &n, 0) == 1 && n == 5);
	if (n == 5)
		CHECK(!strcmp(v[0].label, "lbl_7") && !strcmp(v[4].label, "lbl_11"));
	free(v);
	mkrec(&r, "d", 12);
	CHECK(sl_record_add(&st, &r) == 1);
	CHECK(count(&st, "d") == 5);
	snprintf(p, sizeof p, "%s/trim/d/_load_record", dir);
	/* appends never read; the file is rewritten once it passes its bound
	 * (2 * max records of the largest size): it stays below that */
	{
		off_t most = 0;
		int ok = 1;
		for (int i = 13; i <= 400; i++) {
			mkrec(&r, "d", i);
			ok &= sl_record_add(&st, &r) == 1;
			if (stat(p, &sb) == 0 && sb.st_size > most)
				most = sb.st_size;
		}
		CHECK(ok);
		CHECK(most > 0 && most <= 2 * 5 * 1800);
		CHECK(stat(p, &sb) == 0 && sb.st_size < most);  /* it was rewritten */
	}
	CHECK(sl_record_list(&st, "d", &v, &n, 0) == 1 && n == 5);
	if (n == 5)
		CHECK(!strcmp(v[0].label, "lbl_396") && !strcmp(v[4].label, "lbl_400"));
	free(v);
	CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0644);
	/* never listed as a table, and dropped with the database */
	{
		char **names;
		size_t k;
		CHECK(sl_table_list(&st, "d", &names, &k) == 1 && k == 0);
		sl_strv_free(names, k);
	}
	CHECK(sl_db_drop(&st, "d") == 1);
	CHECK(sl_db_create(&st, "d") == 1);
	CHECK(count(&st, "d") == 0);
	sl_store_close(&st);
}

/* nproc processes append per records each: none lost (max is 1000). */
static void test_concurrent(sl_store *st, int nproc, int per)
{
	pid_t pids[64];
	int ok = 1;

	CHECK(sl_db_create(st, "conc") == 1);
	for (int k = 0; k < nproc; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			sl_load_record r;
			for (int i = 0; i < per; i++) {
				mkrec(&r, "conc", k * 1000 + i);
				if (sl_record_add(st, &r) != 1)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < nproc; k++) {
		int wst;
		if (waitpid(pids[k], &wst, 0) < 0 || !WIFEXITED(wst) || WEXITSTATUS(wst))
			ok = 0;
	}
	CHECK(ok);
	CHECK(count(st, "conc") == (size_t)(nproc * per));
}

/* The columns SHOW STREAM LOAD shows: names, values, order. */
static void test_columns(void)
{
	sl_load_record a, b;
	const char *text = 0;
	int64_t num = -1;
	char tmp[32];

	mkrec(&a, "cols", 2);
	mkrec(&b, "cols", 3);
	CHECK(sl_record_col("label") == 0);
	CHECK(sl_record_col("LOADBYTES") == 11);
	CHECK(sl_record_col("Comment") == SL_RECORD_NCOLS - 1);
	CHECK(sl_record_col("nope") == -1);
	CHECK(sl_record_numeric[7] && !sl_record_numeric[6]);
	CHECK(sl_record_field(&a, 0, &text, &num, tmp, sizeof tmp) == 0 && !strcmp(text, "lbl_2"));
	CHECK(sl_record_field(&a, 6, &text, &num, tmp, sizeof tmp) == 0 && !strcmp(text, "N/A"));
	CHECK(sl_record_field(&a, 11, &text, &num, tmp, sizeof tmp) == 1 && num == 1002);
	CHECK(sl_record_field(&a, 12, &text, &num, tmp, sizeof tmp) == 0 && text == tmp && strlen(text) == 23);
	CHECK(sl_record_cmp(&a, &b, 7) < 0 && sl_record_cmp(&b, &a, 7) > 0);   /* 20 < 30 */
	CHECK(sl_record_cmp(&a, &b, 4) > 0);    /* "Success" > "Fail" */
	CHECK(sl_record_cmp(&a, &a, 0) == 0);
}

/* The one mapping of a load's job state (result.h). */
static void test_states(void)
{
	CHECK(!strcmp(sl_jobstate_existing(SL_TXN_PREPARE), SL_JOB_RUNNING));
	CHECK(!strcmp(sl_jobstate_existing(SL_TXN_PRECOMMITTED), SL_JOB_PRECOMMITTED));
	CHECK(!strcmp(sl_jobstate_existing(SL_TXN_VISIBLE), SL_JOB_FINISHED));
	CHECK(!strcmp(sl_jobstate_existing(SL_TXN_ABORTED), SL_JOB_RUNNING));
	CHECK(!strcmp(sl_jobstate_existing(99), SL_JOB_RUNNING));
	CHECK(!strcmp(sl_jobstate_load(SL_TXN_PRECOMMITTED), SL_JOB_LOADING));
	CHECK(!strcmp(sl_jobstate_load(SL_TXN_COMMITTED), SL_JOB_FINISHED));
	CHECK(!strcmp(sl_jobstate_load(SL_TXN_ABORTED), SL_JOB_CANCELLED));
	CHECK(!strcmp(sl_jobstate_load(-1), SL_JOB_LOADING));
	CHECK(!strcmp(sl_jobstate_of_status(SL_STATUS_SUCCESS), SL_JOB_FINISHED));
	CHECK(!strcmp(sl_jobstate_of_status(SL_STATUS_PUBLISH_TIMEOUT), SL_JOB_FINISHED));
	CHECK(!strcmp(sl_jobstate_of_status(SL_STATUS_FAIL), SL_JOB_CANCELLED));
}

int main(void)
{
	sl_store st;
	char cmd[600];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 111;
	}
	CHECK(sl_store_open(&st, dir) == 1);
	test_roundtrip(&st);
	test_torn_and_crc(&st);
	test_trim();
	test_concurrent(&st, 8, 40);
	test_columns();
	test_states();
	sl_store_close(&st);

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (!failed && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
