/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-jobrun.c -- unit tests of the automatic resume rule of paused
 * jobs: base * 2^count capped, counted from the pause or the last resume;
 * never after a pause by hand, a failure not to be retried, or while a
 * task is still to be settled.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jobstore.h"
#include "jobrun.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

int main(void)
{
	sl_job j;

	memset(&j, 0, sizeof j);
	snprintf(j.status, sizeof j.status, "%s", SL_JOBST_PAUSED);
	j.resume_ms = 1000;
	/* 10 s, 20 s, 40 s ... at most 300 s (and no overflow) */
	static const struct { int64_t count, wait; } w[] = {
		{ 0, 10000 }, { 1, 20000 }, { 4, 160000 }, { 5, 300000 }, { 62, 300000 } };
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		j.resume_count = w[i].count;
		CHECK(!sl_jobrun_due_resume(&j, 1000 + w[i].wait - 1, 10000, 300000));
		CHECK(sl_jobrun_due_resume(&j, 1000 + w[i].wait, 10000, 300000));
	}
	/* never: by hand, not to be retried, a task to settle, not paused */
	j.manual = 1;
	CHECK(!sl_jobrun_due_resume(&j, 1LL << 50, 10000, 300000));
	j.manual = 0;
	j.no_resume = 1;
	CHECK(!sl_jobrun_due_resume(&j, 1LL << 50, 10000, 300000));
	j.no_resume = 0;
	j.has_cur = 1;
	CHECK(!sl_jobrun_due_resume(&j, 1LL << 50, 10000, 300000));
	j.has_cur = 0;
	snprintf(j.status, sizeof j.status, "%s", SL_JOBST_RUNNING);
	CHECK(!sl_jobrun_due_resume(&j, 1LL << 50, 10000, 300000));
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
