/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-counts.c -- unit tests of the load's row counts (libcommon/counts.c):
 * the stages' unselected rows added up, the counters sl-txn hands on, the
 * early stop on unqualified data and the max_filter_ratio decision.
 */
#include <stdio.h>
#include <string.h>

#include "sl.h"
#include "frame.h"
#include "counts.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void test_unselected(void)
{
	sl_kv up = SL_KV_ZERO;

	CHECK(sl_counts_unselected(&up) == 0);
	sl_kv_set(&up, "NumberUnselectedRows", "2");
	CHECK(sl_counts_unselected(&up) == 2);
	/* a jq program's drops count even without a where */
	sl_kv_set(&up, "JqUnselectedRows", "3");
	sl_kv_set(&up, "PrecedingUnselectedRows", "4");
	sl_kv_set(&up, "NumberFilteredRows", "100");
	CHECK(sl_counts_unselected(&up) == 9);
	sl_kv_free(&up);
}

static void test_kv(void)
{
	sl_kv up = SL_KV_ZERO, kv = SL_KV_ZERO;

	sl_kv_set(&up, "JqUnselectedRows", "1");
	sl_kv_set(&up, "NumberUnselectedRows", "2");
	CHECK(sl_counts_kv(&kv, &up, 10, 5, 7) == 1);
	CHECK(sl_kv_get_i64(&kv, "NumberTotalRows", -1) == 18);
	CHECK(sl_kv_get_i64(&kv, "NumberLoadedRows", -1) == 10);
	CHECK(sl_kv_get_i64(&kv, "NumberFilteredRows", -1) == 5);
	CHECK(sl_kv_get_i64(&kv, "NumberUnselectedRows", -1) == 3);
	CHECK(!strcmp(sl_kv_get(&kv, "LoadBytes"), "0"));
	CHECK(sl_kv_get_i64(&kv, "WriteDataTimeMs", -1) == 7);
	sl_kv_free(&kv);
	sl_kv_set(&up, "LoadBytes", "12345");
	CHECK(sl_counts_kv(&kv, &up, 0, 0, 0) == 1);
	CHECK(!strcmp(sl_kv_get(&kv, "LoadBytes"), "12345"));
	CHECK(sl_kv_get_i64(&kv, "NumberTotalRows", -1) == 3);
	sl_kv_free(&kv);
	sl_kv_free(&up);
}

static void test_early_stop(void)
{
	CHECK(!sl_counts_early_stop(0, 0));
	CHECK(!sl_counts_early_stop(0, SL_COUNTS_EARLY_STOP));
	CHECK(sl_counts_early_stop(0, SL_COUNTS_EARLY_STOP + 1));
	/* with any filtered row allowed, the ratio decides at the end */
	CHECK(!sl_counts_early_stop(0.1, 1000));
}

static void test_ratio(void)
{
	CHECK(!sl_counts_too_many_filtered(10, 0, 0, 0));
	CHECK(sl_counts_too_many_filtered(10, 0, 1, 0));
	CHECK(!sl_counts_too_many_filtered(10, 0, 5, 0.5));     /* equal is allowed */
	CHECK(sl_counts_too_many_filtered(10, 0, 6, 0.5));
	/* the ratio is of the selected rows */
	CHECK(!sl_counts_too_many_filtered(10, 8, 1, 0.5));
	CHECK(sl_counts_too_many_filtered(10, 8, 2, 0.5));
	/* nothing selected: nothing to refuse */
	CHECK(!sl_counts_too_many_filtered(5, 5, 0, 0));
	CHECK(!sl_counts_too_many_filtered(0, 0, 0, 0));
	CHECK(!sl_counts_too_many_filtered(10, 0, 10, 1.0));
}

int main(void)
{
	test_unselected();
	test_kv();
	test_early_stop();
	test_ratio();
	printf("test-counts: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
