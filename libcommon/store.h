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
 * nothing; sl_store_strerror says where; sl_store_fsck repairs the log.
 * Rowset files are written to a temporary name (O_EXCL), fsync'd and
 * renamed (never over a file) before the commit record that names them. Every function returns 1 for success, 0 for a
 * well-formed "no" (documented per function), -1 with errno.
 */
#ifndef SL_STORE_H
#define SL_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "frame.h"

typedef struct sl_store {
	char *dir;              /* absolute path of the data directory */
	int64_t label_keep_max_second;   /* sl.conf, default 259200 (3 days) */
	int64_t load_error_log_limit_bytes; /* sl.conf, default 200 MiB */
	/* sl.conf stream_load_default_precommit_timeout_second, default 3600 */
	int64_t precommit_timeout_second;
	char **conf_k, **conf_v; size_t nconf;   /* sl.conf, in file order */
} sl_store;

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

/* Names: 1..64 bytes of [A-Za-z0-9_-], not starting with '_' or '-';
 * anything else -1 EINVAL. Names are case-sensitive. */
int sl_name_valid(const char *name);

/* Creating is atomic (built under a temporary name, renamed into place).
 * -1 EINVAL: a bad name (and a reserved table name: see above). */
int sl_db_create(sl_store *st, const char *db);             /* 0: exists */
int sl_db_drop(sl_store *st, const char *db);               /* 0: not found */
int sl_db_exists(sl_store *st, const char *db);             /* 1 / 0 */
/* Sorted, malloc'd vector; free with sl_strv_free. */
int sl_db_list(sl_store *st, char ***names, size_t *n);
/* 0: table exists; -1 ENOENT: no database. */
int sl_table_create(sl_store *st, const char *db, const char *table, const char *ddl);
/* 0: no such table (errno ENOENT) or database (errno ENOTDIR). A table
 * created again under the name gets a new id and sees none of the old
 * table's data. */
int sl_table_drop(sl_store *st, const char *db, const char *table);
int sl_table_list(sl_store *st, const char *db, char ***names, size_t *n); /* 0: no db */
/* Append the DDL to out. 0: no such table (errno ENOENT) or database
 * (errno ENOTDIR). */
int sl_table_ddl(sl_store *st, const char *db, const char *table, sl_buf *out);
void sl_strv_free(char **v, size_t n);

/* Transactions. */
enum sl_txn_state { SL_TXN_UNKNOWN = 0, SL_TXN_PREPARE, SL_TXN_PRECOMMITTED,
	SL_TXN_COMMITTED, SL_TXN_VISIBLE, SL_TXN_ABORTED };
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

/* A live transaction held by the process that began it (sl-txn). */
typedef struct sl_txn {
	sl_store *st;
	char db[65], table[65];
	int64_t id;
	char label[129];
	int lockfd;             /* flock'd txn/slot-<slot>; held while alive */
	unsigned nrowsets;
	int64_t table_id;       /* the table's id when the txn began */
	int slot;               /* its lock slot */
	uint64_t log_off;       /* log offset of its BEGIN record */
	uint64_t log_ino;       /* inode of the log it was begun in */
} sl_txn;

/* Transaction ids are strictly increasing per database and never reused:
 * the first is 1000, then 1 + the largest id in the log, of an F record
 * (sl_store_fsck's floor) or named by a lock slot.
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

/* Rowsets of a transaction: typed binary rows in LZ4-compressed, CRC'd
 * blocks. The writer takes R frame payloads as they are. */
typedef struct sl_rowset_writer sl_rowset_writer;
/* Start rowset number t->nrowsets++ of txn t with the given column specs
 * (as in the H frame). NULL with errno on failure. */
sl_rowset_writer *sl_rowset_create(sl_txn *t, size_t ncols, const sl_colspec *cols);
int sl_rowset_add(sl_rowset_writer *w, const char *payload, size_t len);
/* Flush, fsync, rename into place, free w. *nrows may be NULL. */
int sl_rowset_finish(sl_rowset_writer *w, uint64_t *nrows);
/* Unlink the temporary file, free w. */
void sl_rowset_discard(sl_rowset_writer *w);

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
 * in db, ENOTDIR: no such db, EPROTO: a rowset file is corrupt). */
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
 * current end (lock-free; one read of the log). */
/* What the commit record says of one rowset file: the scan refuses a
 * file that is not this one (EPROTO). */
typedef struct sl_rsref {
	int64_t txn_id, table_id;
	uint32_t no;                    /* its number in the txn */
	int ver;                        /* 1: rows only; 2: size and sum too */
	uint64_t rows, size;
	uint32_t sum;
} sl_rsref;
typedef struct sl_snapshot {
	char **paths; size_t n;         /* rowset files, commit order */
	int64_t version;                /* id of the table's last visible txn, 0 if none */
	uint64_t nrows;                 /* total rows (from the commit records) */
	sl_rsref *refs;                 /* n of them, for paths */
} sl_snapshot;
#define SL_SNAPSHOT_ZERO { 0, 0, 0, 0, 0 }
/* 1 ok; 0: no such table (errno ENOENT) or db (ENOTDIR); -1 errno. */
int sl_snapshot_open(sl_store *st, const char *db, const char *table, sl_snapshot *snap);
void sl_snapshot_free(sl_snapshot *snap);

typedef struct sl_scan sl_scan;
/* Iterate the rows of a snapshot: each row is an R frame payload valid until
 * the next call. NULL with errno on failure. */
sl_scan *sl_scan_open(const sl_snapshot *snap);
/* 1 row, 0 end, -1 errno (EPROTO: corrupt or truncated rowset, ENOENT: a
 * rowset vanished (table dropped), EIO). Row payloads are verified by the
 * block CRC and their lengths, not by field structure. */
int sl_scan_next(sl_scan *sc, const char **payload, size_t *len);
void sl_scan_close(sl_scan *sc);

/* Path of the error log file for a load:
 * <dir>/_error_log/error_log_<db>_<label>_<id>. Makes sure _error_log/
 * exists; the file itself is created by the caller. Appends to out.
 * 1, -1 errno. */
int sl_store_errlog_path(sl_store *st, const char *db, const char *label, int64_t id, sl_buf *out);

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
int sl_store_fsck(sl_store *st, const char *db, int repair, sl_buf *rep);

#endif
