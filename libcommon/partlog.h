/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partlog.h -- the partitions of a table in a fold of the log (logrec.h;
 * man/sl-store.5 Partitions): the live ones, and what a commit does with
 * the partitions its files name (checked live, created by the load, or
 * re-tagged). The store's own; the public functions are partstore.h's.
 */
#ifndef SL_PARTLOG_H
#define SL_PARTLOG_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "storetypes.h"
#include "logrec.h"

#define SL_PARTLOG_MAX 65535  /* partitions one Q record or load adds */

/* The live partitions of table tid (named table) in ls, increasing id:
 * a table no Q record named has its implicit one (id 0, named as the
 * table, values ""). values are copied. 1, -1 ENOMEM. */
int sl_partlog_live(const logstate *ls, int64_t tid, const char *table, sl_partinfo **parts,
	size_t *n);
/* The index in parts[0..n) (increasing id) of partition id, -1 none. */
long sl_partlog_index(const sl_partinfo *parts, size_t n, int64_t id);

/* Re-encode nrs rowset entries of version ver at rs as version 3 (part
 * 0 for older ones) into out. 1, -1 ENOMEM (EPROTO: they do not parse). */
int sl_partlog_rs_v3(const char *rs, size_t rslen, uint32_t nrs, int ver, sl_buf *out);

/* Under the database lock, for the commit of txn id to table tid: the
 * version 3 entries rs[0..rslen) (nrs of them; changed in place) and the
 * partitions its files create np (nnp of them, as the Q record's adds).
 * A created partition whose name is live with the same values is the
 * live one (its entries re-tagged), with other values a failure; the
 * others go into out (*nout). Every entry's part must then be live or
 * created. 1; 0 refused (err says why; errno ESTALE: a partition was
 * dropped or replaced, EEXIST: created with other values); -1 errno. */
int sl_partlog_commit(const logstate *ls, int64_t id, int64_t tid, const char *table, char *rs,
	size_t rslen, uint32_t nrs, const char *np, size_t nplen, uint32_t nnp, sl_buf *out,
	uint32_t *nout, char *err, size_t errcap);

#endif
