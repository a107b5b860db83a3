/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ckpt.h -- the checkpoint <db>/txnlog.ckpt of a transaction log: a cache
 * of the fold of the log (logrec.h) up to an offset, so that readers and
 * writers replay only the log's tail, and laid out so that an operation
 * reads only the parts it needs. The log stays the single source of
 * truth: a checkpoint that does not match it is ignored. txnlog.h decides
 * when one is read and when a new one is written.
 */
#ifndef SL_CKPT_H
#define SL_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "logrec.h"

enum { CK_ALL, CK_NONE, CK_ID, CK_LABEL, CK_TABLE };
/* What a reader needs from the checkpoint beyond the header and the live
 * txns: every entry (CK_ALL), none, the txn id, the txns of a label, or
 * the VISIBLE entries not replaced by a compaction of the table with id
 * id (CK_TABLE: what a snapshot of that table reads). */
typedef struct ckkey { int kind; int64_t id; const char *label; size_t nlab; } ckkey;
extern const ckkey sl_ckpt_key_all, sl_ckpt_key_none;

/* Load the checkpoint at path for the log ls->fd (ls empty): its header,
 * its live txns and what key asks for. 1 loaded (ls->base set: fold the
 * log from there), 0 none or unusable (ls left empty; ls->ck_bad set when
 * there was one), -1 errno (ENOMEM). */
int sl_ckpt_load(logstate *ls, const char *path, const ckkey *key);
/* The txn id for a writer's cleanup: from memory, else (when only part
 * of the checkpoint was loaded) from the checkpoint into *tmp. NULL: not
 * known (*damaged set when the checkpoint could not tell). */
txrec *sl_ckpt_get(logstate *ls, int64_t id, txrec *tmp, int *damaged);

/* For sl-fsck: ls loaded whole from a checkpoint (sl_ckpt_load with
 * sl_ckpt_key_all, nothing folded after it): does its visible index list
 * exactly its VISIBLE entries that no compaction replaced, each once,
 * under its table? 1 yes, 0 no. */
int sl_ckpt_visible_ok(logstate *ls);

/* Whether a finished txn t goes into a new checkpoint (live ones always
 * do). */
typedef int (*sl_ckpt_keep_fn)(void *ctx, const txrec *t);
/* Write a checkpoint of ls (a whole fold: sl_ckpt_key_all) of the log
 * with inode ino to path, atomically. 1, -1 errno (nothing written). */
int sl_ckpt_save(logstate *ls, uint64_t ino, const char *path, sl_ckpt_keep_fn keep, void *ctx);

#endif
