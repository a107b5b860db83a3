/* SPDX-License-Identifier: Apache-2.0 */
/*
 * counts.h -- the row counts of a load: what each stage counted, added up
 * into Doris's NumberTotalRows, NumberLoadedRows, NumberFilteredRows and
 * NumberUnselectedRows, and the two decisions they drive: stop early on
 * unqualified data, and refuse a load with too many filtered rows
 * (max_filter_ratio). No I/O.
 */
#ifndef SL_COUNTS_H
#define SL_COUNTS_H

#include <stdint.h>

#include "frame.h"

/* Doris stops reading after this many filtered rows when
 * max_filter_ratio is 0. */
#define SL_COUNTS_EARLY_STOP 51

/* The rows the stages before sl-txn dropped, each under its own key
 * (NumberUnselectedRows: sl-filter's where; JqUnselectedRows: sl-parse's
 * jq program; PrecedingUnselectedRows: sl-map's preceding filter). */
int64_t sl_counts_unselected(const sl_kv *up);

/* Set in kv the counters sl-txn hands to sl-commit, from the upstream
 * counters up and its own: NumberTotalRows, NumberLoadedRows,
 * NumberFilteredRows, NumberUnselectedRows, LoadBytes (up's, else "0"),
 * WriteDataTimeMs. 1, -1 ENOMEM. */
int sl_counts_kv(sl_kv *kv, const sl_kv *up, uint64_t loaded, uint64_t filtered, int64_t write_ms);

/* 1 if the load must stop now: no filtered row is allowed (ratio <= 0)
 * and more than SL_COUNTS_EARLY_STOP have been. */
int sl_counts_early_stop(double ratio, uint64_t filtered);

/* 1 if filtered rows are more than ratio of the selected rows (total -
 * unselected): the load fails with "too many filtered rows". */
int sl_counts_too_many_filtered(int64_t total, int64_t unselected, int64_t filtered, double ratio);

#endif
