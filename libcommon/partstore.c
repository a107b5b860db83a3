/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partstore.c -- the partitions of the store's tables: listing and
 * changing them (partstore.h; man/sl-store.5 Partitions).
 *
 * Listing a table's partitions (lock-free, from the checkpoint and the
 * log's tail) and changing them: one Q record, under the database lock,
 * with ids from the txn id space (partlog.c folds them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sl.h"
#include "fsutil.h"
#include "storeerr.h"
#include "txnlog.h"
#include "txnslot.h"
#include "name.h"
#include "catalog.h"
#include "partlog.h"
#include "partstore.h"

int64_t sl_part_new_id(int64_t base_id, unsigned k)
{
	return SL_LOGREC_PART_ID(base_id, k);
}

void sl_partinfo_free(sl_partinfo *parts, size_t n)
{
	size_t i;

	for (i = 0; parts && i < n; i++)
		free(parts[i].values);
	free(parts);
}

/* The table's id (its tableid, held against the log's T record). 1; 0
 * no such table (ENOENT) or db (ENOTDIR); -1 errno. */
static int table_id(sl_store *st, const logstate *ls, const char *db, const char *table,
	int64_t *tid)
{
	char tdir[PATH_MAX];
	int64_t logged;

	if (!sl_table_named(st, db, table))
		return 0;
	if (sl_fsutil_pathf(tdir, "%s/%s/%s", st->dir, db, table) < 0)
		return -1;
	if ((*tid = sl_txnlog_table_id(tdir)) < 0)
		return errno == ENOENT ? 0 : -1;
	logged = ls ? sl_logrec_tb_last(ls, table) : 0;
	if (logged && logged != *tid)
		return sl_storeerr_set("%s/%s/tableid: table id %lld, but the log created %s.%s as %lld",
				       db, table, (long long)*tid, db, table, (long long)logged);
	return 1;
}

int sl_part_list(sl_store *st, const char *db, const char *table, sl_partinfo **parts, size_t *n)
{
	logstate ls;
	int64_t tid;
	int r;

	*parts = 0;
	*n = 0;
	if ((r = table_id(st, 0, db, table, &tid)) <= 0)
		return r;
	r = sl_txnlog_load(st, db, &ls, &sl_ckpt_key_none);
	if (r <= 0)
		return r;
	r = table_id(st, &ls, db, table, &tid);
	if (r > 0)
		r = sl_partlog_live(&ls, tid, table, parts, n);
	sl_logrec_free(&ls);
	return r;
}

/* The working list of sl_part_change: the live partitions, then those the
 * ops add (id, name, temp, values borrowed from the ops). */
typedef struct pwork {
	int unpart;             /* the table is not partitioned: values ""
	                         * (-1: its implicit partition dropped by an
	                         * op: either kind may be added) */
	sl_partinfo *live;
	size_t nlive;
	unsigned char *gone;    /* live[i] dropped by an op */
	const sl_partop **added;
	int64_t *addid;
	size_t nadd;
	int64_t *drops;
	size_t ndrop;
} pwork;

/* The partition of w named name with temp: 1 + index in live, -1 - index
 * in added, 0 none. Names are unique whatever temp is (any: match it). */
static long pw_find(const pwork *w, const char *name, int temp, int any)
{
	size_t i, n = strlen(name);

	for (i = 0; i < w->nlive; i++)
		if (!w->gone[i] && (any || w->live[i].temp == temp) &&
		    strlen(w->live[i].name) == n && !strcasecmp(w->live[i].name, name))
			return (long)i + 1;
	for (i = 0; i < w->nadd; i++)
		if (w->added[i] && (any || w->added[i]->temp == temp) &&
		    !strcasecmp(w->added[i]->name, name))
			return -(long)i - 1;
	return 0;
}

/* Apply ops to w; new ids from qid. 1, 0 refused (err, errno), -1. */
static int pw_apply(pwork *w, int64_t qid, const sl_partop *ops, size_t nops, char *err,
	size_t errcap)
{
	size_t i;
	unsigned k = 0;

	for (i = 0; i < nops; i++) {
		const sl_partop *op = &ops[i];
		long at;
		if (!op->name || !op->name[0] || strlen(op->name) > 64) {
			errno = EINVAL;
			return -1;
		}
		at = pw_find(w, op->name, op->temp, !op->drop);
		if (op->drop) {
			if (!at) {
				snprintf(err, errcap, "partition %s does not exist", op->name);
				errno = ENOENT;
				return 0;
			}
			if (at > 0) {
				if (w->unpart == 1)
					w->unpart = -1;
				w->gone[at - 1] = 1;
				w->drops[w->ndrop++] = w->live[at - 1].id;
			} else {
				w->added[-at - 1] = 0;
			}
			continue;
		}
		if (at) {
			snprintf(err, errcap, "Duplicate partition name %s", op->name);
			errno = EEXIST;
			return 0;
		}
		if (w->unpart >= 0 && w->unpart != !(op->values && op->values[0])) {
			if (w->unpart)
				snprintf(err, errcap, "table is not partitioned, partition %s can not be "
					 "added", op->name);
			else
				snprintf(err, errcap, "partition %s has no VALUES", op->name);
			errno = EINVAL;
			return 0;
		}
		if (k > SL_PARTLOG_MAX) {
			errno = EFBIG;
			return -1;
		}
		w->added[w->nadd] = op;
		w->addid[w->nadd++] = sl_part_new_id(qid, k++);
	}
	return 1;
}

/* The Q record of w into b. 1, -1 ENOMEM. */
static int pw_record(const pwork *w, sl_buf *b, int64_t qid, int64_t tid, const char *table)
{
	sl_buf add = SL_BUF_ZERO;
	uint32_t n = 0;
	size_t i;
	int r = -1;

	for (i = 0; i < w->nadd; i++) {
		if (!w->added[i])
			continue;
		if (sl_logrec_put_part(&add, w->addid[i], w->added[i]->temp, w->added[i]->name,
					 w->added[i]->values ? w->added[i]->values : "") < 0)
			goto out;
		n++;
	}
	r = sl_logrec_put_q(b, qid, sl_now_ms(), tid, table, w->drops, w->ndrop, add.p, add.len, n);
out:
	sl_buf_free(&add);
	return r;
}

int sl_part_change(sl_store *st, const char *db, const char *table, const sl_partop *ops,
	size_t nops, sl_part_check_fn check, void *ctx, char *err, size_t errcap)
{
	logw w;
	pwork pw;
	int64_t tid, qid;
	int r;

	if (errcap)
		err[0] = 0;
	if (table_id(st, 0, db, table, &tid) <= 0)
		return -1;      /* errno ENOENT (no table), ENOTDIR (no db) */
	if (nops > SL_PARTLOG_MAX) {
		errno = EFBIG;
		return -1;
	}
	memset(&pw, 0, sizeof pw);
	if (sl_txnlog_open(st, db, &w, &sl_ckpt_key_none) < 0)
		return -1;
	r = -1;
	if (table_id(st, &w.ls, db, table, &tid) <= 0) {
		if (errno != EPROTO)
			errno = ENOENT;
		goto out;
	}
	if (sl_partlog_live(&w.ls, tid, table, &pw.live, &pw.nlive) < 0)
		goto out;
	pw.unpart = pw.nlive == 1 && !pw.live[0].values[0];
	if (check && !check(ctx, pw.live, pw.nlive, err, errcap)) {
		r = 0;
		goto out;
	}
	if (!(pw.gone = calloc(pw.nlive + 1, 1)) || !(pw.added = calloc(nops + 1, sizeof *pw.added)) ||
	    !(pw.addid = calloc(nops + 1, sizeof *pw.addid)) ||
	    !(pw.drops = calloc(nops + 1, sizeof *pw.drops))) {
		errno = ENOMEM;
		goto out;
	}
	/* the id: above the log's and every slot's (sl_txn_begin's rule) */
	sl_txnslot_gc(st, db, &w.ls, 0);
	qid = (w.ls.max_id > w.ls.slot_max ? w.ls.max_id : w.ls.slot_max) + 1;
	if ((r = pw_apply(&pw, qid, ops, nops, err, errcap)) <= 0)
		goto out;
	r = -1;
	if (pw_record(&pw, &w.rec, qid, tid, table) < 0 || sl_txnlog_flush(&w) < 0)
		goto out;
	r = 1;
out:
	sl_partinfo_free(pw.live, pw.nlive);
	free(pw.gone);
	free(pw.added);
	free(pw.addid);
	free(pw.drops);
	sl_txnlog_close(&w);
	return r;
}
