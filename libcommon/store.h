/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h -- the crash-safe local table store (man/sl-store.5).
 *
 * Layout under the data directory (default ./sl-data, $SL_DATA_DIR,
 * --data-dir):
 *   sl.conf                      optional config, Doris names (key = value)
 *   _error_log/                  load error logs (ErrorURL)
 *   <db>/                        a database
 *   <db>/txnlog                  the transaction log: the single source of truth
 *   <db>/txnlog.ckpt             a checkpoint of it (a cache; see sl-store.5)
 *   <db>/lock                    flock'd around every log append
 *   <db>/<table>/schema.sql      the table's DDL (canonical)
 *   <db>/<table>/data/<txnid>-<n>.rs  immutable rowset files
 *   <db>/txn/slot-<k>            lock slots, reused, never deleted: the live
 *                                sl-txn of a PREPARE txn holds (flock) one and
 *                                wrote its txn id into it (sl-store.5)
 *   <db>/txn/<id>.lock           the same, written by earlier versions (read only)
 *   <db>/<table>/tableid         the table's id (a new one per CREATE)
 * Table names "txnlog", "lock" and "txn" are reserved (EINVAL).
 *
 * Log records are checksummed and fsync'd; one append is the commit point; a
 * torn tail is ignored by readers and cut by the next writer. Corruption (a
 * bad record with more bytes or a valid record after it, a rowset that is
 * not the one its commit record names, an edited tableid) fails every
 * function that meets it with EPROTO, cutting, writing and deleting
 * nothing; sl_store_strerror says where; sl_fsck_db (fsck.h) repairs the
 * log. Rowset files are written to a temporary name (O_EXCL), fsync'd and
 * renamed (never over a file) before the commit record that names them.
 * Every function returns 1 for success, 0 for a well-formed "no"
 * (documented per function), -1 with errno.
 *
 * This header is the store's whole public API: it includes the names
 * (name.h), databases and tables (catalog.h), rowset files (rowset.h)
 * and partitions (partstore.h);
 * the types are in storetypes.h. The modules under it (txnlog.h, ckpt.h,
 * logrec.h, txnslot.h, fsutil.h) are the store's own.
 */
#ifndef SL_STORE_H
#define SL_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "frame.h"
#include "storetypes.h"
#include "name.h"
#include "catalog.h"
#include "rowset.h"
#include "partstore.h"

/* Open (creating if needed, with parents) the data directory; reads
 * sl.conf (lines "key = value", '#' comments). dir NULL: sl_data_dir(NULL).
 * 1, -1 errno (EINVAL: a known sl.conf key with a value that is not a
 * non-negative integer). */
int sl_store_open(sl_store *st, const char *dir);
void sl_store_close(sl_store *st);
/* For errno e, the detail of the corruption (EPROTO) this thread last met:
 * the file, the offset, what is wrong; else strerror(e). */
const char *sl_store_strerror(int e);
/* A value from sl.conf, or NULL. */
const char *sl_store_conf(const sl_store *st, const char *key);

/* Transactions (the states: storetypes.h). */
/* "PREPARE", "PRECOMMITTED", "COMMITTED", "VISIBLE", "ABORTED", "UNKNOWN" */
const char *sl_txn_state_name(int state);

typedef struct sl_txninfo {
	int64_t id;
	char label[129];
	char table[65];
	int state;
	int64_t begin_ms, finish_ms;  /* wall clock */
	int64_t timeout_s;
	char reason[256];             /* abort reason */
	sl_buf attach;                /* attachment of the commit/precommit record */
	uint64_t nrows;               /* rows of its committed rowsets */
	unsigned nrowsets;
} sl_txninfo;
/* Initialise with SL_TXNINFO_ZERO: the functions that fill one reuse its
 * attach buffer; release it with sl_txninfo_free. */
#define SL_TXNINFO_ZERO { 0 }
void sl_txninfo_free(sl_txninfo *ti);

/* Transaction ids are strictly increasing per database and never reused:
 * the first is 1000, then 1 + the largest id in the log, of an F record
 * (sl_fsck_db's floor, fsck.h) or named by a lock slot.
 * A PREPARE txn is effectively ABORTED once its owner died (nobody holds
 * its lock slot, or the slot names another txn; for txns begun by earlier
 * versions: nobody holds txn/<id>.lock) or its timeout passed; a PRECOMMITTED one once
 * precommit_timeout_second passed. Lock-free lookups report such txns as
 * ABORTED (with the reason below); begin, commit and abort record it.
 * Abort reasons written by the store: */
#define SL_TXN_REASON_TIMEOUT "timeout by txn manager"
#define SL_TXN_REASON_DEAD    "load process exited before commit"
#define SL_TXN_REASON_DROPPED "table was dropped"

/* Begin a transaction on db.table with label (caller validates its
 * syntax; empty or > 128 bytes is EINVAL) and timeout (seconds; <= 0:
 * none). Under the database lock: expires labels older than
 * label_keep_max_second, treats PREPARE txns whose owner died (lock free) or
 * whose timeout passed as ABORTED (and records that), PRECOMMITTED ones past
 * stream_load_default_precommit_timeout_second (3600) likewise, then checks
 * the label and appends a BEGIN record; finally removes the files that
 * finished txns whose process died left behind.
 * 1 begun (t filled, t->lockfd held, O_CLOEXEC); 0 label in use (*existing,
 * when not NULL, filled with the txn that holds it; the caller words
 * Doris's message); -1 errno (ENOENT no database/table). */
int sl_txn_begin(sl_store *st, const char *db, const char *table, const char *label,
	int64_t timeout_s, sl_txn *t, sl_txninfo *existing);
/* Close the lock fd; does not change the txn's state. */
void sl_txn_release(sl_txn *t);
/* sl_txn_lookup_id for the caller's own txn t, cheaper: reads only the
 * log from t's BEGIN record on (falls back to sl_txn_lookup_id when the
 * log is not the one t began in). Same results. */
int sl_txn_lookup_own(sl_txn *t, sl_txninfo *out);

/* Commit txn id of db: PREPARE -> VISIBLE, or PREPARE -> PRECOMMITTED when
 * precommit, or PRECOMMITTED -> VISIBLE (2PC commit). The record carries
 * the txn's finished rowsets (every <id>-<n>.rs in the table's data dir
 * with n below the number of rowsets its owner created, found without
 * listing the directory)
 * and the attachment (small, <= 64 KiB, else EMSGSIZE; on the 2PC commit an
 * empty one keeps the precommit's).
 * precommit may also be SL_TXN_COMMIT_2PC: only PRECOMMITTED -> VISIBLE,
 * a PREPARE txn is a wrong state (Doris's "is prepare, not pre-committed").
 * 1 done (*cur, when not NULL, filled with the new state); 0 wrong state
 * (*cur filled: the caller words the message; this includes a txn found
 * effectively ABORTED, which is recorded); -1 errno (ENOENT: no such txn
 * in db, ENOTDIR: no such db, EPROTO: a rowset file is corrupt; ESTALE: a
 * file's partition was dropped or replaced during the load, EEXIST: a
 * partition the load creates exists with other values: then the txn is
 * aborted with sl_store_strerror(errno) as its reason, *cur filled).
 * Each file's partition (sl-store.5 Partitions) is checked under the lock;
 * the partitions the load creates are added by the C record. */
#define SL_TXN_COMMIT_2PC 2
int sl_txn_commit(sl_store *st, const char *db, int64_t id, int precommit,
	const char *attach, size_t alen, sl_txninfo *cur);
/* Abort: PREPARE or PRECOMMITTED -> ABORTED with reason (cut to 255
 * bytes), then unlink the txn's rowset files. 1 done (*cur filled when not
 * NULL); 0 wrong state (*cur filled); -1 errno (ENOENT, ENOTDIR). */
int sl_txn_abort(sl_store *st, const char *db, int64_t id, const char *reason, sl_txninfo *cur);
/* Look up by id, or by label: the txn currently holding the label if any,
 * else the most recent one with it. 1 found, 0 not found, -1 errno
 * (ENOTDIR: no such db). Lock-free (reads the checkpoint and the log's
 * tail); reports the effective state (see above). out->attach is
 * replaced. A txn that finished (VISIBLE or ABORTED) more than
 * max(label_keep_max_second, 3600) seconds ago is forgotten: not found
 * (its rowsets stay visible). */
int sl_txn_lookup_id(sl_store *st, const char *db, int64_t id, sl_txninfo *out);
int sl_txn_lookup_label(sl_store *st, const char *db, const char *label, sl_txninfo *out);

/* A consistent read view of one table: the rowsets visible at the log's
 * current end (lock-free; one read of the log); read it with sl_scan_open
 * (rowset.h).
 * 1 ok; 0: no such table (errno ENOENT) or db (ENOTDIR); -1 errno. */
int sl_snapshot_open(sl_store *st, const char *db, const char *table, sl_snapshot *snap);
void sl_snapshot_free(sl_snapshot *snap);
/* sl_snapshot_open lists the files of live formal partitions only; with
 * SL_SNAP_TEMP those of temporary partitions too. */
#define SL_SNAP_TEMP 1
int sl_snapshot_open_flags(sl_store *st, const char *db, const char *table, int flags,
	sl_snapshot *snap);

/* Path of the error log file for a load:
 * <dir>/_error_log/error_log_<db>_<label>_<id>. Makes sure _error_log/
 * exists; the file itself is created by the caller. Appends to out.
 * 1, -1 errno. */
int sl_store_errlog_path(sl_store *st, const char *db, const char *label, int64_t id, sl_buf *out);

#endif
