/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partstore.h -- the partitions of the store's tables (man/sl-store.5
 * Partitions): listing and changing them. Part of the store's public
 * API: include store.h. CREATE TABLE with its initial partitions is
 * catalog.h's sl_table_create_parts.
 */
#ifndef SL_PARTSTORE_H
#define SL_PARTSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "storetypes.h"

/* The live partitions of db.table (increasing id), a cheaper read than a
 * snapshot: nothing per file (version, version_ms, rows and bytes are 0;
 * a snapshot's parts have them). 1, 0 no such table (errno ENOENT) or db
 * (ENOTDIR), -1 errno. Free with sl_partinfo_free. */
int sl_part_list(sl_store *st, const char *db, const char *table, sl_partinfo **parts,
	size_t *n);
void sl_partinfo_free(sl_partinfo *parts, size_t n);
/* The id of the k-th partition (k from 0) added by the Q record or
 * created by the load (txn) with id base: (base << 16) | k. */
int64_t sl_part_new_id(int64_t base_id, unsigned k);
/* One change of sl_part_change: drop the partition name (temp: a
 * temporary one), or add one with name, temp and canonical values. */
typedef struct sl_partop { int drop; const char *name; int temp; const char *values; } sl_partop;
/* Called under the database lock with the live partitions before the
 * ops apply: 1 go on, 0 refuse (err filled). */
typedef int (*sl_part_check_fn)(void *ctx, const sl_partinfo *live, size_t n, char *err,
	size_t errcap);
/* Apply ops, in order, as one Q log record (TRUNCATE: drop p, add p with
 * the same name, temp and values: a new id). Names compare without case;
 * an added name must be free among formal and temporary partitions. An
 * unpartitioned table (its one partition has values "") takes back only
 * a partition without values, a partitioned one only partitions with.
 * check may be NULL. 1 done; 0 refused with err (check said no; errno
 * ENOENT: a dropped name is not there, EEXIST: an added name is, EINVAL:
 * values where none belong or none where they do); -1 errno (ENOENT no
 * table, ENOTDIR no db, EFBIG more than 65535 ops). */
int sl_part_change(sl_store *st, const char *db, const char *table, const sl_partop *ops,
	size_t nops, sl_part_check_fn check, void *ctx, char *err, size_t errcap);

#endif
