/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logrec.h -- the records of a database's transaction log <db>/txnlog
 * (man/sl-store.5) and their fold into the state of every txn: the record
 * frame and its CRC, the record kinds, what each does to a txn, and where
 * a torn tail ends and corruption begins. The fold starts from what the
 * checkpoint (ckpt.h) gave, or from nothing; txnlog.h opens the log,
 * locks it and appends. The txn states are store.h's (storetypes.h).
 */
#ifndef SL_LOGREC_H
#define SL_LOGREC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "frame.h"
#include "storeenc.h"

#define LOG_REC_MAX      (64u << 20)     /* sanity bound on one log record */
#define ATTACH_MAX       (64u << 10)     /* the attachment of a P/C record */
#define FIRST_TXN_ID     1000
#define SLOT_MAX         4096            /* lock slots per database (txnslot.h) */

/* One txn as the log (or the checkpoint) says it is. */
typedef struct txrec {
	int64_t id, table_id, begin_ms, finish_ms, precommit_ms, timeout_s;
	int state;
	sl_field label, table, reason;
	sl_field attach;        /* p NULL: not read yet, n bytes at att_off */
	int64_t att_off;        /* log offset of the attachment, -1 unknown */
	uint32_t att_crc;       /* its CRC-32 (from a checkpoint) */
	char *att_heap;         /* the attachment, read lazily */
	const char *rs;         /* encoded rowset list of the P/C record */
	size_t rslen;
	uint32_t nrs;
	int rsver;              /* 1: { name rows }, 2: { name rows size sum },
	                         * 3: { name rows size sum part } */
	uint64_t commit_seq;    /* order of the C records */
	int32_t slot;           /* lock slot, -1: txn/<id>.lock (version 1) */
	int64_t repl;           /* the compaction that replaced its rowsets, 0 none */
	int compact;            /* a compaction's entry (a K record), not a load */
	const char *np;         /* the partitions its P/C record creates: */
	size_t nplen;           /* nnp times { part_id temp name values } */
	uint32_t nnp;
} txrec;

/* One partition of a table as the log says it is (Q records; the C
 * records of loads that create some). name and values point into the
 * log, the checkpoint or a T record's name (the implicit partition). */
typedef struct partrec {
	int64_t id, table_id;
	int64_t dropped;        /* the Q record that dropped it, 0 live */
	int temp;
	sl_field name, values;
} partrec;

/* The fold of one log: the txns, the tables, where the log ends. */
typedef struct logstate {
	int fd;                 /* the log (owned), -1 none */
	char name[PATH_MAX];    /* its path, for messages */
	const char *map;        /* the checkpoint file (mmap'd), when one was used */
	size_t maplen;
	uint32_t ck_nent, ck_nbkt;      /* its id index and label buckets */
	size_t ck_ids, ck_bkts, ck_ents, ck_tbl; /* ... and where they start */
	size_t ck_vis;          /* ... its index of visible entries by table */
	uint32_t ck_nvis;       /* ... and how many tables that index lists */
	int partial;            /* tx holds only what the key asked for (sl_ckpt_load) */
	int ck_bad;             /* a checkpoint was there but unusable */
	sl_buf raw;             /* the log from base on */
	size_t base;            /* log offset of raw.p[0]: the checkpoint's, or 0 */
	size_t valid;           /* log offset: end of the last good record */
	size_t last_off;        /* the last good record (when valid > 0) */
	uint32_t last_len, last_crc;
	size_t ntail;           /* records applied past base */
	txrec *tx;              /* increasing id */
	size_t ntx, cap;
	int64_t max_id, max_table_id;
	uint64_t seq;
	struct tblrec { int64_t id; sl_field name; } *tb;  /* the T records */
	size_t ntb, tbcap;
	partrec *pt;            /* every table's partitions, in log order */
	size_t npt, ptcap;
	uint32_t pcrc;          /* CRC-32 of the log [0, valid) */
	int corrupt;            /* the fold found corruption (not a torn tail) */
	int no_seal;            /* verify the checkpoint's log prefix even when the
	                         * log is sealed (fsutil.h): sl-fsck */
	int64_t slot_max;       /* the largest txn id a lock slot names (sl_txnslot_gc) */
	size_t bad_off;         /* ... the offset of the first bad record */
} logstate;

/* An empty fold (fd -1); sl_logrec_free releases one (and closes fd). */
void sl_logrec_init(logstate *ls);
void sl_logrec_free(logstate *ls);
/* The txn id in ls (binary search), NULL if not there. */
txrec *sl_logrec_find(logstate *ls, int64_t id);
/* The same for a load's txn: NULL for a compaction's entry too (its id
 * names no load: lookups, commits and aborts do not see it). */
txrec *sl_logrec_find_load(logstate *ls, int64_t id);
/* Add t to ls->tx (unsorted; the caller sorts). 1, -1 ENOMEM. */
int sl_logrec_tx_push(logstate *ls, const txrec *t);
/* Room for n txns in ls->tx (a checkpoint knows how many it holds). 1,
 * -1 ENOMEM. */
int sl_logrec_tx_reserve(logstate *ls, size_t n);
/* Sort ls->tx by id: 1; 0 when an id is there twice. */
int sl_logrec_tx_sort(logstate *ls);
/* Remember a T record (name points into the log or the checkpoint). 1,
 * -1 ENOMEM. */
int sl_logrec_tb_push(logstate *ls, int64_t id, sl_field name);
/* The id the log gave the table name by its last CREATE, 0 none. */
int64_t sl_logrec_tb_last(const logstate *ls, const char *name);
/* One entry of an encoded rowset list (a P/C record's, version ver) at c:
 * its name, rows, (version 2) the file's size and checksum and (version
 * 3) its partition; part may be NULL; 0 for older versions. */
void sl_logrec_rs_next(sl_storeenc_cur *c, int ver, sl_field *name, uint64_t *rows,
	uint64_t *size, uint32_t *sum, int64_t *part);

/* Partitions. Remember one (pointing where p's fields point). 1, -1 ENOMEM. */
int sl_logrec_pt_push(logstate *ls, const partrec *p);
/* Table table_id's partition id, dropped or not; NULL none. */
partrec *sl_logrec_pt_find(logstate *ls, int64_t table_id, int64_t id);
/* Has any Q or partition-creating C record named table table_id? (Else
 * it has its implicit partition only.) */
int sl_logrec_pt_any(const logstate *ls, int64_t table_id);
/* Read nadd partitions { part_id:u64 temp:u8 name:str values:str } at c
 * and add them to table table_id (each once: an id it has is skipped). 1,
 * 0 malformed, -1 ENOMEM. */
int sl_logrec_pt_add(logstate *ls, int64_t table_id, sl_storeenc_cur *c, uint32_t nadd);
/* Skip nadd such partitions at c (c->bad when they do not parse). */
void sl_logrec_pt_skip(sl_storeenc_cur *c, uint32_t nadd);

/* A K record (compaction) of the table table_id: the run of entries
 * ids[0..nids) (oldest first, whole, contiguous in commit order) replaced
 * by the rowset list rs (nrs:u32 then version 3 entries, as
 * sl_rowset_probe writes them) under the new id: a K record version 2.
 * Queued into b. 1, -1 ENOMEM. put_compact_v writes version kver (1:
 * version 2 entries, without their partition). */
int sl_logrec_put_compact(sl_buf *b, int64_t id, int64_t ms, int64_t table_id, const char *table,
	const int64_t *ids, size_t nids, const char *rs, size_t rslen);
int sl_logrec_put_compact_v(sl_buf *b, int kver, int64_t id, int64_t ms, int64_t table_id,
	const char *table, const int64_t *ids, size_t nids, const char *rs, size_t rslen);

/* Queue a Q record (id qid) of table tid: drop drops[0..ndrop), then add
 * the encoded list add (nadd times { part_id:u64 temp:u8 name:str
 * values:str }, as sl_logrec_put_part appends them). 1, -1 ENOMEM. */
int sl_logrec_put_q(sl_buf *b, int64_t qid, int64_t ms, int64_t tid, const char *table,
	const int64_t *drops, size_t ndrop, const char *add, size_t addlen, uint32_t nadd);
int sl_logrec_put_part(sl_buf *b, int64_t id, int temp, const char *name, const char *values);
/* The id of the k-th partition a Q record or load with id base adds
 * (store.h's sl_part_new_id). */
#define SL_LOGREC_PART_ID(base, k) ((int64_t)(((uint64_t)(base) << 16) | ((k) & 0xffffu)))

/* Apply one record's payload p (n bytes, which must outlive ls: the
 * fold points into them) to ls. 1 applied or ignored, 0 malformed, -1
 * ENOMEM. */
int sl_logrec_apply(logstate *ls, const char *p, size_t n);

/* Read the log ls->fd from ls->base + ls->raw.len to its current end and
 * apply every whole record. 1; -1 errno (EPROTO: corruption, ls->corrupt
 * and ls->bad_off set, sl_storeerr_msg says where). A torn tail is not an
 * error: ls->valid stops before it. */
int sl_logrec_fold(logstate *ls);
/* A record at h (n bytes from h to the end) that a writer could have
 * written: a sane length, a known kind and version, a good CRC. */
int sl_logrec_plausible(const char *h, size_t n);
/* The attachment of t, read from the log when it came from a checkpoint.
 * 1, -1 errno (EPROTO: it is not what the checkpoint says). */
int sl_logrec_att_load(logstate *ls, txrec *t);

/* Encoding a record into b: start (kind, version 1, id, time), append
 * the kind's fields (storeenc.h), end (frame length and CRC). *mark
 * remembers where its frame begins; b->p[*mark + 9] is its version. */
int sl_logrec_start(sl_buf *b, size_t *mark, char kind, int64_t id, int64_t ms);
void sl_logrec_end(sl_buf *b, size_t mark);

#endif
