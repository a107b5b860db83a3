/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compact.h -- compaction of a table (sl-compact(1), sl-store(5)
 * Compaction): a run of its rowset files folded into one new file per
 * partition through the table's reader, swapped in for the run by one K
 * log record; the choice of the run; automatic compaction after a load;
 * and the removal of the files a crash leaves behind.
 */
#ifndef SL_COMPACT_H
#define SL_COMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "storetypes.h"

/* What a compaction did. */
typedef struct sl_compact_res {
	int64_t id;             /* its id: the new files are data/<id>-<n>.rs */
	size_t nin;             /* files replaced */
	size_t nout;            /* files written: one per partition of the run */
	size_t nfiles;          /* the table's files before */
	uint64_t rows_in, rows_out;
	size_t ngarbage;        /* leftover files removed first */
	int nopart;             /* -1 ENOENT: the partition named is unknown */
} sl_compact_res;

/* Called with the name of each step as it is reached: "reserved" (id
 * taken), "writing" (the new file's temporary exists), "renamed" (the new
 * file is in place, not yet recorded), "recorded" (the K record is
 * durable), "unlinking" (the first old file is gone). For tests that end
 * the process there; NULL: none. */
typedef void (*sl_compact_step_fn)(const char *step);

#define SL_COMPACT_FULL 1       /* every file of the table, not the policy's run */
#define SL_COMPACT_BUSY 2       /* sl_compact_table: another compaction runs */

/* Compact db.table: one at a time per table (an flock on
 * <db>/<table>/compact.lock, not waited for). Removes leftover files
 * first, picks the run, writes its rows as the model reads them into one
 * new file per partition of the run (<id>-0.rs, <id>-1.rs, ... in
 * increasing partition id, each through that partition's files only;
 * delete-signed rows and masks kept when the run does not start at the
 * partition's oldest file), records them and unlinks the run's files.
 * The run is made of whole entries (a load's or an earlier compaction's
 * files, temporary partitions' included), contiguous in commit order
 * among the entries that have files in the partitions it touches (an
 * entry spanning partitions is compacted whole):
 *  - part NULL: the policy (sl_compact_pick) over the entries of the
 *    partition with the most files, grown until contiguous as said;
 *    SL_COMPACT_FULL: every entry;
 *  - part a partition's name (case-insensitive): only entries whose files
 *    are all in it, those with files elsewhere too splitting them; the
 *    newest such segment's policy run, or (FULL) the segment with the
 *    most files.
 * 1 compacted; 0 nothing to compact (no partition has two files in the
 * run);
 * SL_COMPACT_BUSY; -1 errno (ENOENT no such table, or res->nopart set: no
 * such partition; ENOTDIR no such database, EPROTO corrupt:
 * sl_store_strerror says where, ESTALE the table was dropped or changed
 * meanwhile). */
int sl_compact_table(sl_store *st, const char *db, const char *table, const char *part,
	int flags, sl_compact_step_fn step, sl_compact_res *res);

/* The run to compact among a table's n entries (loads or earlier
 * compactions, oldest first; size[i] bytes in nf[i] files): the newest
 * entries, taking an older one while it is no bigger than twice the run
 * so far, at least the newest two; full: all. 1 with *first (the run is
 * [*first, n)), 0 when the run holds fewer than two files. */
int sl_compact_pick(const uint64_t *size, const size_t *nf, size_t n, int full, size_t *first);

/* The files in db.table's data directory that nothing needs: outputs of
 * compactions that died before their record, files a compaction replaced,
 * files of aborted or forgotten loads, files of dropped (or truncated)
 * partitions. remove: unlink them (under the
 * database lock). *n gets their number. 1; 0 a compaction runs (nothing
 * done, *n 0); -1 errno (ENOENT no such table). */
int sl_compact_gc(sl_store *st, const char *db, const char *table, int remove, size_t *n);

/* After a load: while a partition of db.table has more rowset files than
 * st->compaction_segment_threshold (0: never), compact the table (the
 * policy takes that partition first). Best effort:
 * stops at the first compaction that does nothing, is busy or fails. */
void sl_compact_auto(sl_store *st, const char *db, const char *table);
/* 1 when sl_compact_auto would compact: a partition of db.table has more
 * rowset files than st->compaction_segment_threshold (0: never); else 0
 * (an error too). */
int sl_compact_due(sl_store *st, const char *db, const char *table);

#endif
