/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storetypes.h -- the data types of the store's public API (store.h): the
 * open store, a live transaction, the txn states and a snapshot of a
 * table. A header of its own so that the modules store.c is built on
 * (catalog.h, txnlog.h, txnslot.h, rowset.h) use them without including
 * store.h. Include store.h, not this.
 */
#ifndef SL_STORETYPES_H
#define SL_STORETYPES_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_store {
	char *dir;              /* absolute path of the data directory */
	int64_t label_keep_max_second;   /* sl.conf, default 259200 (3 days) */
	int64_t load_error_log_limit_bytes; /* sl.conf, default 200 MiB */
	/* sl.conf stream_load_default_precommit_timeout_second, default 3600 */
	int64_t precommit_timeout_second;
	/* sl.conf compaction_segment_threshold, default 16: a load that leaves
	 * a table with more rowset files compacts it (0: never) */
	int64_t compaction_segment_threshold;
	char **conf_k, **conf_v; size_t nconf;   /* sl.conf, in file order */
} sl_store;

/* Transactions. */
enum sl_txn_state { SL_TXN_UNKNOWN = 0, SL_TXN_PREPARE, SL_TXN_PRECOMMITTED,
	SL_TXN_COMMITTED, SL_TXN_VISIBLE, SL_TXN_ABORTED };

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
	int64_t part0;          /* the table's implicit partition when it began
	                         * (an unpartitioned table's one partition) */
} sl_txn;

/* A consistent read view of one table: the rowsets visible at the log's
 * current end (sl_snapshot_open: lock-free; one read of the log). */
/* What the commit record says of one rowset file: the scan refuses a
 * file that is not this one (EPROTO). */
typedef struct sl_rsref {
	int64_t txn_id, table_id;
	uint32_t no;                    /* its number in the txn */
	int ver;                        /* 1: rows only; 2: size and sum too */
	uint64_t rows, size;
	uint32_t sum;
	int64_t part;                   /* the partition it belongs to */
} sl_rsref;
/* One live partition of a table as the log says it is. Every table has
 * partitions: an unpartitioned one has one, named as the table, values
 * "", id 0 until TRUNCATE TABLE replaces it. */
typedef struct sl_partinfo {
	int64_t id;                     /* unique in its table, never reused */
	char name[65];
	int temp;                       /* a temporary partition */
	char *values;                   /* canonical VALUES text (partition.h) */
	int64_t version;                /* last entry with visible rows in it, 0 none */
	int64_t version_ms;
	uint64_t rows, bytes;           /* its visible files (commit records) */
} sl_partinfo;
typedef struct sl_snapshot {
	char **paths; size_t n;         /* rowset files, commit order */
	int64_t version;                /* id of the table's last visible txn, 0 if none */
	uint64_t nrows;                 /* total rows (from the commit records) */
	sl_rsref *refs;                 /* n of them, for paths */
	/* every live partition, formal and temporary, increasing id */
	sl_partinfo *parts; size_t nparts;
} sl_snapshot;
#define SL_SNAPSHOT_ZERO { 0 }

#endif
