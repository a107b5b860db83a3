/* SPDX-License-Identifier: Apache-2.0 */
/*
 * counts.c -- the row counts of a load and the decisions they drive
 * (counts.h).
 */
#include "counts.h"

int64_t sl_counts_unselected(const sl_kv *up)
{
	return sl_kv_get_i64(up, "NumberUnselectedRows", 0) +
	    sl_kv_get_i64(up, "JqUnselectedRows", 0) +
	    sl_kv_get_i64(up, "PrecedingUnselectedRows", 0);
}

int sl_counts_kv(sl_kv *kv, const sl_kv *up, uint64_t loaded, uint64_t filtered, int64_t write_ms)
{
	int64_t unsel = sl_counts_unselected(up);
	const char *lb = sl_kv_get(up, "LoadBytes");

	if (sl_kv_set_i64(kv, "NumberTotalRows", (int64_t)(loaded + filtered) + unsel) < 0 ||
	    sl_kv_set_i64(kv, "NumberLoadedRows", (int64_t)loaded) < 0 ||
	    sl_kv_set_i64(kv, "NumberFilteredRows", (int64_t)filtered) < 0 ||
	    sl_kv_set_i64(kv, "NumberUnselectedRows", unsel) < 0 ||
	    sl_kv_set(kv, "LoadBytes", lb ? lb : "0") < 0 ||
	    sl_kv_set_i64(kv, "WriteDataTimeMs", write_ms) < 0)
		return -1;
	return 1;
}

int sl_counts_early_stop(double ratio, uint64_t filtered)
{
	return ratio <= 0 && filtered > SL_COUNTS_EARLY_STOP;
}

int sl_counts_too_many_filtered(int64_t total, int64_t unselected, int64_t filtered, double ratio)
{
	int64_t selected = total - unselected;

	return selected > 0 && (double)filtered / (double)selected > ratio;
}
