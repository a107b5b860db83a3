/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-errlog.c -- unit tests of a load's error log (libcommon/errlog.c):
 * the file's name, Doris's line format, the line limit with "error log is
 * too long", at most SL_ERRLOG_LINES lines, FirstErrorMsg from the first
 * row only, and a long piece written past the buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "errlog.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-errlog-XXXXXX";

static sl_field fld(const char *s)
{
	return (sl_field){ s, (uint32_t)strlen(s) };
}

static char *slurp(const char *path)
{
	sl_buf b = SL_BUF_ZERO;

	if (sl_file_read(path, &b) < 0 || sl_buf_cstr(&b) < 0)
		return NULL;
	return b.p;
}

static void test_lines(void)
{
	sl_errlog el = SL_ERRLOG_ZERO;
	sl_field r = fld("bad row"), s1 = fld("x,1"), s2 = fld("x,2");
	char pre[256], *t;
	const char *hex;
	int i;

	el.limit = 1 << 20;
	CHECK(sl_errlog_create(&el, dir, "d1", "t", "lbl", 1000) == 1);
	CHECK(el.created && el.fd >= 0);
	snprintf(pre, sizeof pre, "%s/_error_log/error_log_d1.t.lbl_1000_", dir);
	CHECK(!strncmp(el.path.p, pre, strlen(pre)));
	hex = el.path.p + strlen(pre);
	CHECK(strlen(hex) == 32 && strspn(hex, "0123456789abcdef") == 32);
	CHECK(sl_errlog_add(&el, &r, &s1) == 1);
	CHECK(sl_errlog_add(&el, &r, &s2) == 1);
	CHECK(el.first_error && strstr(el.first_error, "x,1") && !strstr(el.first_error, "x,2"));
	CHECK(sl_errlog_close(&el) == 1 && el.fd == -1);
	t = slurp(el.path.p);
	CHECK(t && !strcmp(t, "Reason: bad row. src line [x,1]; \nReason: bad row. src line [x,2]; \n"));
	free(t);

	/* at most SL_ERRLOG_LINES lines */
	sl_errlog el2 = SL_ERRLOG_ZERO;
	el2.limit = 1 << 20;
	CHECK(sl_errlog_create(&el2, dir, "d1", "t", "lbl", 1001) == 1);
	for (i = 0; i < SL_ERRLOG_LINES + 10; i++)
		CHECK(sl_errlog_add(&el2, &r, &s1) == 1);
	CHECK(el2.nlogged == SL_ERRLOG_LINES);
	CHECK(sl_errlog_close(&el2) == 1);
	t = slurp(el2.path.p);
	for (i = 0; t && t[i]; i++)
		;
	CHECK(t && (size_t)i == SL_ERRLOG_LINES * strlen("Reason: bad row. src line [x,1]; \n"));
	free(t);
}

static void test_limit(void)
{
	sl_errlog el = SL_ERRLOG_ZERO;
	sl_field r = fld("bad row"), s = fld("0123456789");
	char *t, *big;
	size_t n = 200000;

	el.limit = 20;
	CHECK(sl_errlog_create(&el, dir, "d1", "t", "lim", 1) == 1);
	CHECK(sl_errlog_add(&el, &r, &s) == 1);
	CHECK(sl_errlog_close(&el) == 1);
	t = slurp(el.path.p);
	CHECK(t && !strcmp(t, "Reason: bad row. srcerror log is too long\n"));
	free(t);

	/* a piece longer than the buffer goes straight to the file */
	sl_errlog el2 = SL_ERRLOG_ZERO;
	big = malloc(n + 1);
	memset(big, 'a', n);
	big[n] = 0;
	s = fld(big);
	el2.limit = 1 << 20;
	CHECK(sl_errlog_create(&el2, dir, "d1", "t", "big", 2) == 1);
	CHECK(sl_errlog_add(&el2, &r, &s) == 1);
	CHECK(sl_errlog_close(&el2) == 1);
	t = slurp(el2.path.p);
	CHECK(t && strlen(t) == 8 + 7 + 12 + n + 3 + 1 && !strncmp(t + 27, big, n));
	free(t);
	free(big);
}

static void test_create_fails(void)
{
	sl_errlog el = SL_ERRLOG_ZERO;

	CHECK(sl_errlog_create(&el, "/nonexistent/dir", "d1", "t", "x", 1) == -1);
	CHECK(!el.created && el.path.len > 0);
	CHECK(sl_errlog_close(&el) == 1);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_lines();
	test_limit();
	test_create_fails();
	{
		char cmd[256];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (!failed && system(cmd) != 0)
			fprintf(stderr, "warning: unable to remove %s\n", dir);
	}
	printf("test-errlog: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
