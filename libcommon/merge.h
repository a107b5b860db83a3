/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge.h -- the one way to read a table: the rows of a snapshot with the
 * table's model applied. UNIQUE and AGGREGATE tables' rowset files are
 * segments (sorted by key, each key once); their rows are merged with a
 * heap and equal keys folded in age order (model.h). DUPLICATE tables'
 * rowsets are read one after the other.
 */
#ifndef SL_MERGE_H
#define SL_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "schema.h"

typedef struct sl_merge sl_merge;

/* Compaction of a run that does not start at the table's oldest segment:
 * keep delete-signed rows and masks. */
#define SL_MERGE_KEEP 1
/* sl_merge_open_table_parts: read temporary partitions' files too (the
 * snapshot is taken with SL_SNAP_TEMP). */
#define SL_MERGE_TEMP 2

/* Rows of snap->paths[first .. first+n) with the model of sch applied:
 * k-way merge of sorted segments (a heap), or concatenation for DUPLICATE
 * tables. Opens every file at once (so a compaction that removes files
 * later cannot hurt it); raises RLIMIT_NOFILE's soft limit to the hard one
 * when the files need it. snap and sch must outlive the merge.
 * NULL with errno (ENOENT: a file vanished: retake the snapshot and retry;
 * EPROTO: a file is not the one its commit record names). */
sl_merge *sl_merge_open(const sl_snapshot *snap, const sl_schema *sch,
	size_t first, size_t n, int flags);
/* The same for the files snap->paths[idx[0 .. n)] (idx ascending: commit
 * order; EINVAL otherwise), e.g. one partition's files of a run. Keys
 * never cross partitions (partition columns are key columns), so a merge
 * over several partitions' files is still right. */
sl_merge *sl_merge_open_set(const sl_snapshot *snap, const sl_schema *sch,
	const size_t *idx, size_t n, int flags);
/* Snapshot + open with up to 10 retries on ENOENT; fills *snap (free it
 * with sl_snapshot_free after closing the merge). 1, 0 no such table/db
 * (errno ENOENT/ENOTDIR), -1 errno. */
int sl_merge_open_table(sl_store *st, const char *db, const char *table,
	const sl_schema *sch, int flags, sl_snapshot *snap, sl_merge **out);
/* sl_merge_open_table reading only the files of the partitions
 * parts[0..nparts) (ids; parts NULL: every partition the snapshot lists:
 * the formal ones, and with SL_MERGE_TEMP the temporary ones too). A
 * temporary partition's files are read only under SL_MERGE_TEMP. Same
 * results and retries as sl_merge_open_table. */
int sl_merge_open_table_parts(sl_store *st, const char *db, const char *table,
	const sl_schema *sch, int flags, const int64_t *parts, size_t nparts,
	sl_snapshot *snap, sl_merge **out);
/* Number of columns in the rows it yields: sch->ncols, or ncols+1 when
 * KEEP and a segment in the run has the mask column (then every row has a
 * mask: '1'*ncols for full rows). */
size_t sl_merge_ncols(const sl_merge *mg);
/* 1 row (payload valid until the next call), 0 end, -1 errno (EPROTO
 * corrupt: sl_store_strerror says where). */
int sl_merge_next(sl_merge *mg, const char **payload, size_t *len);
void sl_merge_close(sl_merge *mg);
/* Read only the keys whose first column lies between lo and hi (encoded
 * values of that column; NULL: no bound; *_incl: the bound itself is in):
 * rows of the sorted segments below lo are passed over without a fold, and
 * each segment is left at its first key above hi. Call it before the first
 * sl_merge_next. A reader that still evaluates its filter on every row gets
 * the same result, reading less. 1 set, 0 not applicable (DUPLICATE: the
 * rowsets are not sorted; or no bound), -1 errno. */
int sl_merge_range(sl_merge *mg, const sl_field *lo, int lo_incl, const sl_field *hi, int hi_incl);
/* The first row of load whose key has no row in table (two merges of one
 * table's model, read to that point). 1 found (*payload, *len: the load's
 * row, valid until load's next call), 0 every key is in the table, -1
 * errno. */
int sl_merge_first_new_key(sl_merge *load, sl_merge *table, const char **payload, size_t *len);

#endif
