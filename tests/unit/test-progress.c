/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-progress.c -- unit tests of a load's progress line
 * (libcommon/progress.c): known and unknown sizes, rows or none, units,
 * the ETA, a buffer too small.
 */
#include <stdio.h>
#include <string.h>

#include "progress.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

int main(void)
{
	char b[256];
	size_t n;

	n = sl_progress_format(250000000, 1000000000, 2500000, 5000000, 0, b, sizeof b);
	CHECK(n == strlen(b));
	CHECK(!strcmp(b, "[ 25%] 250.0 MB of 1.0 GB, 2500000 rows, 500000 rows/s, 50.0 MB/s, ETA 0:00:15"));
	/* unknown size: the spinner turns, no percentage nor ETA */
	sl_progress_format(512, -1, 3, 1000000, 1, b, sizeof b);
	CHECK(!strcmp(b, "[ / ] 512 B, 3 rows, 3 rows/s, 0.0 MB/s"));
	sl_progress_format(1500, -1, -1, 1000000, 2, b, sizeof b);
	CHECK(!strcmp(b, "[ - ] 1.5 kB, 0.0 MB/s"));
	/* nothing read yet: no ETA to give; an hour and more */
	sl_progress_format(0, 100, -1, 0, 0, b, sizeof b);
	CHECK(!strcmp(b, "[  0%] 0 B of 100 B, 0.0 MB/s, ETA -"));
	sl_progress_format(1000000, 10000000, -1, 500000000, 0, b, sizeof b);
	CHECK(!strcmp(b, "[ 10%] 1.0 MB of 10.0 MB, 0.0 MB/s, ETA 1:15:00"));
	sl_progress_format(0, 0, 0, 1000, 0, b, sizeof b);
	CHECK(!strncmp(b, "[100%] 0 B of 0 B", 17));
	/* a small buffer: cut, terminated */
	n = sl_progress_format(250000000, 1000000000, 2500000, 5000000, 0, b, 10);
	CHECK(n == 9 && strlen(b) == 9);
	printf("test-progress: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
