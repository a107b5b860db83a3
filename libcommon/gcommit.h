/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gcommit.h -- group commit of a table (man/sl-store.5, Group commit):
 * the committer that makes the records of the table's write-ahead log
 * (gcwal.h) one transaction labelled gc_TABLEID_GEN with the log position
 * in its commit record, a sync load's wait for the commit holding its
 * rows, the detached committer of async loads, the recovery every reader
 * runs, and the pending state SHOW GROUP COMMIT lists. Nothing prints;
 * 1 / 0 / -1 errno as said.
 */
#ifndef SL_GCOMMIT_H
#define SL_GCOMMIT_H

#include <stdint.h>
#include "store.h"
#include "gcwal.h"

#define SL_GCOMMIT_INTERVAL_MS_DEFAULT 10000
#define SL_GCOMMIT_DATA_BYTES_DEFAULT (64ll << 20)

/* The table's group_commit_interval_ms and group_commit_data_bytes: its
 * PROPERTIES, else sl.conf, else the defaults (a value that is not a
 * positive integer counts as absent). */
void sl_gcommit_limits(sl_store *st, const char *db, const char *table, int64_t *interval_ms,
	int64_t *data_bytes);

/* Commit every record of db.table's log as one transaction, holding
 * gc/commit.lock (waited for). 1 committed (*txn_id), 0 nothing pending,
 * -1 errno (EPROTO: a damaged record: nothing committed; ENOENT: no
 * table). */
int sl_gcommit_run(sl_store *st, const char *db, const char *table, int64_t *txn_id);

/* A sync load whose record was appended at pos: wait for the commit of
 * its rows, committing everything pending when no committer took them
 * yet. 2 committed by txn *txn_id, which this call made (its caller
 * then owes the table its compaction check); 1 committed by txn *txn_id
 * of another committer; -1 errno. */
int sl_gcommit_sync(sl_store *st, const char *db, const char *table, const sl_gcwal_pos *pos,
	int64_t *txn_id);

/* After an async load's append: start the table's detached committer
 * (holding gc/daemon.lock) unless one runs. It commits when the
 * interval passed since it started or the log holds data_bytes, and
 * exits when nothing is pending. 1, -1 errno. */
int sl_gcommit_schedule(sl_store *st, const char *db, const char *table);

/* Before a read of db.table: commit records a dead committer left
 * (pending while nobody holds gc/daemon.lock). 1 committed, 0 nothing to
 * do, -1 errno. Cheap when the table has no pending record (one stat). */
int sl_gcommit_recover(sl_store *st, const char *db, const char *table);

typedef struct sl_gcommit_state {
	uint64_t bytes, rows, loads;    /* pending in the log */
	int64_t last_ms;                /* wall clock of the last group commit; 0 none */
	int64_t last_txn;               /* its txn id; 0 none */
	int64_t interval_ms, data_bytes;
} sl_gcommit_state;
/* 1 filled, 0 the table has no log (never took a group commit load),
 * -1 errno. */
int sl_gcommit_state_of(sl_store *st, const char *db, const char *table, sl_gcommit_state *out);

#endif
