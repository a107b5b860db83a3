/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-metricsmysql.c -- unit tests of the MySQL front's counters in
 * libcommon/metrics.c: commands and statements added from other processes,
 * the statement histogram, connections accepted / refused / in flight,
 * logins refused, a file-backed region shared by two mappings, and an
 * exposition that holds none of sl-httpd's load series.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "metrics.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* 1 when the MySQL exposition of m has the line "series value". */
static int has(sl_metrics *m, const char *line)
{
	sl_buf b = SL_BUF_ZERO;
	size_t n = strlen(line);
	char *p;
	int r = 0;

	if (sl_metrics_format_mysql(m, &b) < 0 || sl_buf_cstr(&b) < 0)
		abort();
	for (p = b.p; !r && (p = strstr(p, line)); p += n)
		r = (p == b.p || p[-1] == '\n') && p[n] == '\n';
	sl_buf_free(&b);
	return r;
}

static int contains(sl_metrics *m, const char *s)
{
	sl_buf b = SL_BUF_ZERO;
	int r;

	if (sl_metrics_format_mysql(m, &b) < 0 || sl_buf_cstr(&b) < 0)
		abort();
	r = strstr(b.p, s) != NULL;
	sl_buf_free(&b);
	return r;
}

/* Three connection processes, each: accepted, in flight, two good
 * queries (20 ms each), a failed one (2 s), a ping. */
static void test_processes(void)
{
	sl_metrics *m = sl_metrics_open_anon();
	int i, st;

	CHECK(m != NULL);
	if (!m)
		return;
	for (i = 0; i < 3; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			int t = sl_metrics_load_begin(m);
			sl_metrics_conn_accepted(m);
			sl_metrics_command(m, "COM_QUERY", 1, 1, 20000);
			sl_metrics_command(m, "COM_QUERY", 1, 1, 20000);
			sl_metrics_command(m, "COM_QUERY", 0, 1, 2000000);
			sl_metrics_command(m, "COM_PING", 1, 0, 5);
			sl_metrics_load_end(m, t);
			_exit(0);
		}
		CHECK(pid > 0);
	}
	while (wait(&st) > 0)
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	sl_metrics_conn_refused(m);
	sl_metrics_auth_failure(m);
	CHECK(has(m, "streamload_mysql_connections_accepted_total 3"));
	CHECK(has(m, "streamload_mysql_connections_refused_total 1"));
	CHECK(has(m, "streamload_mysql_connections_in_flight 0"));
	CHECK(has(m, "streamload_mysql_login_failures_total 1"));
	CHECK(has(m, "streamload_mysql_commands_total{command=\"COM_QUERY\",result=\"ok\"} 6"));
	CHECK(has(m, "streamload_mysql_commands_total{command=\"COM_QUERY\",result=\"error\"} 3"));
	CHECK(has(m, "streamload_mysql_commands_total{command=\"COM_PING\",result=\"ok\"} 3"));
	CHECK(has(m, "streamload_mysql_statements_total{result=\"ok\"} 6"));
	CHECK(has(m, "streamload_mysql_statements_total{result=\"error\"} 3"));
	/* the pings are no statements: 9 in the histogram */
	CHECK(has(m, "streamload_mysql_statement_duration_seconds_bucket{le=\"0.01\"} 0"));
	CHECK(has(m, "streamload_mysql_statement_duration_seconds_bucket{le=\"0.05\"} 6"));
	CHECK(has(m, "streamload_mysql_statement_duration_seconds_bucket{le=\"1\"} 6"));
	CHECK(has(m, "streamload_mysql_statement_duration_seconds_bucket{le=\"2.5\"} 9"));
	CHECK(has(m, "streamload_mysql_statement_duration_seconds_bucket{le=\"+Inf\"} 9"));
	CHECK(has(m, "streamload_mysql_statement_duration_seconds_count 9"));
	CHECK(has(m, "streamload_mysql_statement_duration_seconds_sum 6.120000"));
	/* sl-httpd's series are not the MySQL front's */
	CHECK(!contains(m, "streamload_loads_total"));
	CHECK(!contains(m, "streamload_requests_total"));
	CHECK(contains(m, "# TYPE streamload_mysql_statement_duration_seconds histogram\n"));
	sl_metrics_close(m);
}

/* A connection in flight, then its process gone without ending it. */
static void test_inflight(void)
{
	sl_metrics *m = sl_metrics_open_anon();
	int t, st;
	pid_t pid;

	CHECK(m != NULL);
	if (!m)
		return;
	t = sl_metrics_load_begin(m);
	CHECK(has(m, "streamload_mysql_connections_in_flight 1"));
	if ((pid = fork()) == 0) {
		sl_metrics_load_begin(m);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK(has(m, "streamload_mysql_connections_in_flight 1"));
	sl_metrics_load_end(m, t);
	CHECK(has(m, "streamload_mysql_connections_in_flight 0"));
	/* a name too long for a slot goes to the overflow series */
	{
		char longname[SL_METRICS_NAME_MAX + 10];
		memset(longname, 'C', sizeof longname - 1);
		longname[sizeof longname - 1] = 0;
		sl_metrics_command(m, longname, 1, 0, 1);
		CHECK(has(m, "streamload_mysql_commands_total{command=\"other\",result=\"other\"} 1"));
	}
	sl_metrics_close(m);
}

/* Two --inetd processes: the same file, the same counters. */
static void test_file(void)
{
	char dir[] = "/tmp/test-metricsmysql-XXXXXX", path[128];
	sl_metrics *a, *b;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/_metrics/sl-mysqld", dir);
	CHECK((a = sl_metrics_open_file(path)) != NULL);
	CHECK((b = sl_metrics_open_file(path)) != NULL);
	if (a && b) {
		sl_metrics_conn_accepted(a);
		sl_metrics_conn_accepted(b);
		sl_metrics_command(b, "COM_STMT_EXECUTE", 0, 1, 1);
		CHECK(has(a, "streamload_mysql_connections_accepted_total 2"));
		CHECK(has(a, "streamload_mysql_commands_total{command=\"COM_STMT_EXECUTE\",result=\"error\"} 1"));
		CHECK(has(a, "streamload_mysql_statements_total{result=\"error\"} 1"));
	}
	sl_metrics_close(a);
	sl_metrics_close(b);
	/* NULL counters (not kept): every call is a no-op */
	sl_metrics_conn_accepted(NULL);
	sl_metrics_conn_refused(NULL);
	sl_metrics_command(NULL, "COM_QUERY", 1, 1, 1);
	unlink(path);
	snprintf(path, sizeof path, "%s/_metrics", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	test_processes();
	test_inflight();
	test_file();
	printf("test-metricsmysql: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
