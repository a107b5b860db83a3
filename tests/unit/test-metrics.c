/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-metrics.c -- unit tests of the shared counters (libcommon/metrics.c)
 * and the access log line (libcommon/accesslog.c): counts added from
 * other processes, the per-table overflow series, the histogram, loads in
 * flight of a dead process, a file-backed region reopened and of another
 * layout, label escapes; the log line's keys, quoting and cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "metrics.h"
#include "accesslog.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* The exposition of m as a C string (freed by the caller). */
static char *expo(sl_metrics *m)
{
	sl_buf b = SL_BUF_ZERO;

	if (sl_metrics_format(m, &b) < 0 || sl_buf_cstr(&b) < 0)
		abort();
	return b.p;
}

/* 1 when the exposition has the line "series value". */
static int has(sl_metrics *m, const char *line)
{
	char *s = expo(m), *p = s;
	size_t n = strlen(line);
	int r = 0;

	while (!r && (p = strstr(p, line))) {
		r = (p == s || p[-1] == '\n') && p[n] == '\n';
		p += n;
	}
	free(s);
	return r;
}

static int count_of(sl_metrics *m, const char *needle)
{
	char *s = expo(m), *p = s;
	int n = 0;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	free(s);
	return n;
}

static void test_counts_across_processes(void)
{
	sl_metrics *m = sl_metrics_open_anon();
	sl_metrics_load ok = { "Success", "db", "t", 10, 1, 2, 118, 20000 };
	sl_metrics_load fail = { "Fail", "db", "t", 10, 3, 0, 50, 4000000 };
	sl_metrics_load lae = { "Label Already Exists", NULL, NULL, 0, 0, 0, 0, 1000 };
	int i, st;

	CHECK(m != NULL);
	/* four children add a Success each: the region is shared */
	for (i = 0; i < 4; i++)
		if (fork() == 0) {
			sl_metrics_load_done(m, &ok);
			sl_metrics_request(m, "stream_load", 200);
			_exit(0);
		}
	for (i = 0; i < 4; i++)
		wait(&st);
	sl_metrics_load_done(m, &fail);
	sl_metrics_load_done(m, &lae);
	sl_metrics_auth_failure(m);
	CHECK(has(m, "streamload_loads_total{status=\"Success\"} 4"));
	CHECK(has(m, "streamload_loads_total{status=\"Fail\"} 1"));
	CHECK(has(m, "streamload_loads_total{status=\"Label Already Exists\"} 1"));
	/* a Fail loads no rows whatever its counters say */
	CHECK(has(m, "streamload_rows_loaded_total 40"));
	CHECK(has(m, "streamload_rows_filtered_total 7"));
	CHECK(has(m, "streamload_rows_unselected_total 8"));
	CHECK(has(m, "streamload_received_bytes_total 522"));
	CHECK(has(m, "streamload_requests_total{route=\"stream_load\",code=\"200\"} 4"));
	CHECK(has(m, "streamload_auth_failures_total 1"));
	CHECK(has(m, "streamload_load_duration_seconds_bucket{le=\"0.01\"} 1"));
	CHECK(has(m, "streamload_load_duration_seconds_bucket{le=\"0.05\"} 5"));
	CHECK(has(m, "streamload_load_duration_seconds_bucket{le=\"2.5\"} 5"));
	CHECK(has(m, "streamload_load_duration_seconds_bucket{le=\"5\"} 6"));
	CHECK(has(m, "streamload_load_duration_seconds_bucket{le=\"+Inf\"} 6"));
	CHECK(has(m, "streamload_load_duration_seconds_count 6"));
	CHECK(has(m, "streamload_load_duration_seconds_sum 4.081000"));
	CHECK(has(m, "streamload_table_loads_total{db=\"db\",table=\"t\",status=\"Success\"} 4"));
	CHECK(has(m, "streamload_table_loads_total{db=\"db\",table=\"t\",status=\"Fail\"} 1"));
	CHECK(has(m, "streamload_table_rows_loaded_total{db=\"db\",table=\"t\"} 40"));
	CHECK(has(m, "streamload_table_received_bytes_total{db=\"db\",table=\"t\"} 522"));
	/* one series per table, whichever process named it first */
	CHECK(count_of(m, "streamload_table_rows_loaded_total{db=\"db\",table=\"t\"}") == 1);
	sl_metrics_close(m);
}

static void test_table_overflow(void)
{
	sl_metrics *m = sl_metrics_open_anon();
	char t[32], line[160];
	int i;

	for (i = 0; i < SL_METRICS_TABLES + 6; i++) {
		sl_metrics_load l = { "Success", "db", t, 1, 0, 0, 10, 1 };
		snprintf(t, sizeof t, "t%d", i);
		sl_metrics_load_done(m, &l);
		sl_metrics_load_done(m, &l);
	}
	snprintf(line, sizeof line, "streamload_table_rows_loaded_total{db=\"db\",table=\"t%d\"} 2",
		SL_METRICS_TABLES - 1);
	CHECK(has(m, line));
	snprintf(line, sizeof line, "table=\"t%d\"", SL_METRICS_TABLES);
	CHECK(count_of(m, line) == 0);
	CHECK(has(m, "streamload_table_rows_loaded_total{db=\"(other)\",table=\"(other)\"} 12"));
	CHECK(count_of(m, "streamload_table_rows_loaded_total{") == SL_METRICS_TABLES + 1);
	/* a name longer than a slot goes to (other) too */
	{
		char longname[100];
		sl_metrics_load l = { "Fail", "db", longname, 0, 0, 0, 0, 1 };
		memset(longname, 'x', sizeof longname - 1);
		longname[sizeof longname - 1] = 0;
		sl_metrics_load_done(m, &l);
		CHECK(has(m, "streamload_table_loads_total{db=\"(other)\",table=\"(other)\",status=\"Fail\"} 1"));
	}
	sl_metrics_close(m);
}

static void test_inflight(void)
{
	sl_metrics *m = sl_metrics_open_anon();
	int tok, st;
	pid_t pid;

	CHECK(has(m, "streamload_loads_in_flight 0"));
	tok = sl_metrics_load_begin(m);
	CHECK(tok >= 0);
	CHECK(has(m, "streamload_loads_in_flight 1"));
	/* a process that dies inside a load is not in flight */
	if ((pid = fork()) == 0) {
		sl_metrics_load_begin(m);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK(has(m, "streamload_loads_in_flight 1"));
	sl_metrics_load_end(m, tok);
	CHECK(has(m, "streamload_loads_in_flight 0"));
	sl_metrics_close(m);
}

static void test_labels_escaped(void)
{
	sl_metrics *m = sl_metrics_open_anon();

	sl_metrics_request(m, "a\"b\\c\nd", 404);
	CHECK(has(m, "streamload_requests_total{route=\"a\\\"b\\\\c\\nd\",code=\"404\"} 1"));
	sl_metrics_close(m);
}

static void test_file(void)
{
	char dir[] = "/tmp/test-metrics-XXXXXX", path[128];
	sl_metrics *a, *b;
	sl_metrics_load l = { "Success", "db", "t", 5, 0, 0, 10, 1 };
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/_metrics/sl-httpd", dir);
	CHECK((a = sl_metrics_open_file(path)) != NULL);
	CHECK((b = sl_metrics_open_file(path)) != NULL);
	sl_metrics_load_done(a, &l);
	sl_metrics_load_done(b, &l);
	sl_metrics_close(a);
	sl_metrics_close(b);
	CHECK((a = sl_metrics_open_file(path)) != NULL);
	CHECK(has(a, "streamload_rows_loaded_total 10"));
	sl_metrics_close(a);
	/* another layout: replaced, its counters start over */
	CHECK((f = fopen(path, "w")) != NULL);
	fputs("not the counters", f);
	fclose(f);
	CHECK((a = sl_metrics_open_file(path)) != NULL);
	CHECK(has(a, "streamload_rows_loaded_total 0"));
	sl_metrics_close(a);
	unlink(path);
	snprintf(path, sizeof path, "%s/_metrics", dir);
	rmdir(path);
	rmdir(dir);
	/* a directory that cannot exist */
	CHECK(sl_metrics_open_file("/proc/self/nonexistent/x/y") == NULL);
}

static void test_accesslog(void)
{
	sl_accesslog e;
	char line[512], small[60];
	size_t n;

	sl_accesslog_init(&e);
	e.time_ms = 1796634790123;      /* 2026-12-07T09:13:10.123Z */
	e.client = "127.0.0.1:5555";
	e.user = "root";
	e.method = "PUT";
	e.route = "stream_load";
	e.path = "/api/db/t/_stream_load";
	e.db = "db";
	e.table = "t";
	e.label = "l1";
	e.txn = 1000;
	e.status = "Label Already Exists";
	e.code = 200;
	e.bytes_in = 118;
	e.rows = 10;
	e.duration_ms = 35;
	n = sl_accesslog_format(&e, line, sizeof line);
	CHECK(n == strlen(line));
	CHECK(!strcmp(line, "time=2026-12-07T09:13:10.123Z client=127.0.0.1:5555 user=root method=PUT "
		"route=stream_load path=/api/db/t/_stream_load db=db table=t label=l1 txn=1000 "
		"status=\"Label Already Exists\" code=200 bytes_in=118 rows=10 duration_ms=35"));
	/* unknowns are "-"; quotes, backslashes, '=' and control bytes quoted and escaped */
	sl_accesslog_init(&e);
	e.time_ms = 0;
	e.user = "a\"b\\c=d\n\x01";
	sl_accesslog_format(&e, line, sizeof line);
	CHECK(!strcmp(line, "time=1970-01-01T00:00:00.000Z client=- user=\"a\\\"b\\\\c=d\\x0a\\x01\" method=- "
		"route=- path=- db=- table=- label=- txn=- status=- code=- bytes_in=- rows=- duration_ms=-"));
	/* cut at a field's end, never inside one */
	n = sl_accesslog_format(&e, small, sizeof small);
	CHECK(n < sizeof small && !strcmp(small, "time=1970-01-01T00:00:00.000Z client=-"));
}

int main(void)
{
	test_counts_across_processes();
	test_table_overflow();
	test_inflight();
	test_labels_escaped();
	test_file();
	test_accesslog();
	printf("test-metrics: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
