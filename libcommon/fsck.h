/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsck.h -- checking and repairing a database of the store (sl-fsck(8),
 * sl-store.5 REPAIR): its log, its checkpoint and every row of every
 * table. Built on store.h (snapshots and scans) and on the log's own
 * modules (txnlog.h, logrec.h, ckpt.h) for the repair.
 */
#ifndef SL_FSCK_H
#define SL_FSCK_H

#include "io.h"
#include "storetypes.h"

/* Check database db (sl-fsck): the log (corruption, torn tail), whether
 * the checkpoint agrees with it, and every row of every table (headers,
 * sizes, sums, block CRCs). One line per finding is appended to rep.
 * With repair, a corrupt log is repaired (sl-store.5, REPAIR): a copy of
 * the whole log is kept as <db>/txnlog.corrupt-<offset>-<time>, the
 * rowset files the cut log no longer names are moved to
 * <db>/lost+found/<table>/, the log is cut at the bad record, ids are
 * floored above every id ever used, and the checkpoint is rebuilt.
 * The number of problems left (0: clean), -1 errno (ENOTDIR: no such
 * database). */
int sl_fsck_db(sl_store *st, const char *db, int repair, sl_buf *rep);

#endif
