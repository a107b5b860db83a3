/* SPDX-License-Identifier: Apache-2.0 */
/*
 * txnslot.h -- the lock slots <db>/txn/slot-<k> that tell whether the
 * process that began a txn is alive and how many rowsets it started, and
 * the cleanup of the files of txns that finished without their process
 * (sl-store.5, Transactions). store.c's begin, commit and abort use them
 * under the database lock (txnlog.h); rowset.c counts each rowset it
 * starts in its txn's slot.
 */
#ifndef SL_TXNSLOT_H
#define SL_TXNSLOT_H

#include <stdint.h>

#include "storetypes.h"
#include "logrec.h"

/* Write "<id> <nrowsets> <flag>\n" into the slot open on fd ('P' a txn
 * alive or unsettled, 'F' its files settled). 1, -1 errno. */
int sl_txnslot_write(int fd, int64_t id, unsigned nrs, char flag);
/* 1 a slot record, 0 not (empty, torn, garbage). errno kept. */
int sl_txnslot_read(int fd, int64_t *id, unsigned *nrs, char *flag);
/* The number of rowsets t's owner started, from its slot; 0 when the
 * slot names another txn (or t has no slot). */
unsigned sl_txnslot_nrowsets(sl_store *st, const char *db, const txrec *t);
/* Under the db lock: take the first free slot. fd (flock'd, O_CLOEXEC),
 * *k its number; -1 errno (EAGAIN: SLOT_MAX live txns). */
int sl_txnslot_take(sl_store *st, const char *db, int *k);
/* Is the owner of a PREPARE txn gone? Its slot is free or names another
 * txn; a version 1 txn: nobody holds txn/<id>.lock. */
int sl_txnslot_owner_dead(sl_store *st, const char *db, const txrec *t);

/* A version 1 txn (no slot). Best effort: unlink the rowset files
 * (finished and temporary, when files) and then the lock file of a
 * finished txn. The lock file goes last: while it exists, sl_txnslot_gc
 * knows the txn may have left files. */
void sl_txnslot_cleanup(sl_store *st, const char *db, const char *table, int64_t id, int files);
/* Best effort: unlink the rowset files, finished and temporary, of the
 * finished txn t (ABORTED). nrs: the rowsets its owner started (from its
 * slot; 0 unknown). Without listing the data directory: the files named
 * by its P record, then <id>-<n>.rs and .<id>-<n>.rs.tmp for n = 0, 1,
 * ... until n >= nrs and neither exists. */
void sl_txnslot_files_clean(sl_store *st, const char *db, const txrec *t, unsigned nrs);
/* Under the database lock: finish the cleanup of txns whose process died
 * before doing it (the slots name the last txn of each; version 1 txns:
 * txn/ lists every one that may have left files), and remove lock files
 * of version 1 begins killed before their BEGIN record. Notes in
 * ls->slot_max the largest txn id a slot names. skip: a txn id to leave. */
void sl_txnslot_gc(sl_store *st, const char *db, logstate *ls, int64_t skip);

#endif
