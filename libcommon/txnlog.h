/* SPDX-License-Identifier: Apache-2.0 */
/*
 * txnlog.h -- a database's transaction log <db>/txnlog as the store uses
 * it: its lock <db>/lock, a lock-free read (from the checkpoint, then the
 * log's tail), and a writer's session (lock held, torn tail cut, records
 * appended in one write and fdatasync'd, the checkpoint refreshed on the
 * way out). The records and their fold are logrec.h's, the checkpoint
 * ckpt.h's; store.c's transactions and catalog.c's tables are written
 * through a session.
 */
#ifndef SL_TXNLOG_H
#define SL_TXNLOG_H

#include <stdint.h>

#include "io.h"
#include "storetypes.h"
#include "logrec.h"
#include "ckpt.h"

/* Take the database's lock (LOCK_EX: a writer, LOCK_SH: a reader that
 * wants no writer). fd, or -1 (ENOENT: no such database). */
int sl_txnlog_lock(sl_store *st, const char *db, int mode);
/* <dir>/<db>/txnlog.ckpt into p (PATH_MAX). 1, -1 ENAMETOOLONG. */
int sl_txnlog_ckpt_path(sl_store *st, const char *db, char *p);
/* Fold the log ls->fd: from the checkpoint at ckpath when it is usable
 * (what key asks for of it; ckpath NULL: none), else from ls->base; then
 * the records up to the current end. 1, -1 errno (EPROTO: corrupt). */
int sl_txnlog_read(logstate *ls, const char *ckpath, const ckkey *key);
/* Lock-free: open and fold the log of db (of the checkpoint, what key
 * asks for). 1; 0 no such db (errno ENOTDIR); -1 errno (EPROTO: the log
 * is corrupt, sl_store_strerror says where). */
int sl_txnlog_load(sl_store *st, const char *db, logstate *ls, const ckkey *key);

/* A writer's session on db: lock held, log open for append (w->ls.fd) and
 * folded, torn tail cut. */
typedef struct logw {
	sl_store *st;
	char db[65];
	int lockfd;
	logstate ls;
	sl_buf rec;             /* records to append in one write */
} logw;
/* 1, -1 errno (ENOENT: no such database; EPROTO: corrupt, nothing cut).
 * key: what the writer needs of the checkpoint. */
int sl_txnlog_open(sl_store *st, const char *db, logw *w, const ckkey *key);
/* Append the records collected in w->rec in one write, then fdatasync.
 * On failure the log is cut back, so a failed commit is never half there.
 * 1, -1 errno. */
int sl_txnlog_flush(logw *w);
/* Refresh the checkpoint when the tail grew (or the one there was
 * damaged), unlock, free. errno kept. */
void sl_txnlog_close(logw *w);

/* Under the db lock, after a repair cut the log ls->fd: remove the
 * checkpoint and write a new one from the log alone. 1, -1 errno. */
int sl_txnlog_ckpt_rebuild(sl_store *st, const char *db, const logstate *ls);

/* Finished (VISIBLE or ABORTED) more than max(label_keep_max_second,
 * one hour) ago: lookups do not report it and checkpoints drop it
 * (unless its rowsets are part of a live table). */
int sl_txnlog_forgotten(const sl_store *st, const txrec *t, int64_t now);
/* The id in <tdir>/tableid: a table's, new at each CREATE; the log's T
 * records name it too. -1 errno (ENOENT: no table; EPROTO: empty). */
int64_t sl_txnlog_table_id(const char *tdir);

#endif
