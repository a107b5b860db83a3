/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rowset.h -- rowset files <db>/<table>/data/<txnid>-<n>.rs: a txn's rows,
 * written once and never changed, read back through a snapshot
 * (store.h), each checked against the commit record that names it. Part
 * of the store's public API: include store.h. store.c's commit lists a
 * txn's finished files with sl_rowset_probe / sl_rowset_collect.
 */
#ifndef SL_ROWSET_H
#define SL_ROWSET_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "frame.h"
#include "storetypes.h"

/* Rowsets of a transaction: typed binary rows in LZ4-compressed, CRC'd
 * blocks. The writer takes R frame payloads as they are. */
typedef struct sl_rowset_writer sl_rowset_writer;
/* Start rowset number t->nrowsets++ of txn t with the given column specs
 * (as in the H frame). NULL with errno on failure. */
sl_rowset_writer *sl_rowset_create(sl_txn *t, size_t ncols, const sl_colspec *cols);
/* The same for partition part (t->part0 for sl_rowset_create); for a
 * partition the load creates (AUTO), its name and canonical values,
 * which the commit adds (else both NULL). */
sl_rowset_writer *sl_rowset_create_part(sl_txn *t, size_t ncols, const sl_colspec *cols,
	int64_t part, const char *newname, const char *newvalues);
int sl_rowset_add(sl_rowset_writer *w, const char *payload, size_t len);
/* Flush, fsync, rename into place, free w. *nrows may be NULL. */
int sl_rowset_finish(sl_rowset_writer *w, uint64_t *nrows);
/* Unlink the temporary file, free w. */
void sl_rowset_discard(sl_rowset_writer *w);

typedef struct sl_scan sl_scan;
/* Iterate the rows of a snapshot: each row is an R frame payload valid until
 * the next call. NULL with errno on failure. */
sl_scan *sl_scan_open(const sl_snapshot *snap);
/* 1 row, 0 end, -1 errno (EPROTO: corrupt or truncated rowset, ENOENT: a
 * rowset vanished (table dropped), EIO). Row payloads are verified by the
 * block CRC and their lengths, not by field structure. */
int sl_scan_next(sl_scan *sc, const char **payload, size_t *len);
void sl_scan_close(sl_scan *sc);
/* A scan of the snapshot's file i alone, opened and its header checked
 * now (a merge opens every file of a snapshot before it reads any). NULL
 * with errno (ENOENT: the file vanished, EPROTO: not the file the commit
 * record names). */
sl_scan *sl_scan_open_one(const sl_snapshot *snap, size_t i);
/* The column count of the file being read (its header), and in
 * *lastcol (when not NULL) the last column's name, cut to 63 bytes. */
size_t sl_scan_ncols(const sl_scan *sc, const char **lastcol);

/* The finished rowset files of live txn t as a snapshot (no commit
 * record checks them: refs NULL), for reading a load's own segments
 * before it commits; free with sl_snapshot_free. 1, -1 errno. */
int sl_rowset_txn_snapshot(const sl_txn *t, sl_snapshot *snap);

/* For a commit record: append the encoded list of txn id's finished
 * rowsets (nrs:u32 + version 3 entries: with each file's partition) to b, each file checked (its
 * header names txn id and its number; EPROTO otherwise). probe does not
 * list the data directory: <id>-<n>.rs for n below nrs (the count in the
 * txn's lock slot; one may be missing: a discarded rowset), and on while
 * they exist; under the db lock, the txn alive. collect lists it: for
 * version 1 txns. 1, -1 errno. */
int sl_rowset_probe(sl_store *st, const char *db, const char *table, int64_t id, unsigned nrs,
	sl_buf *b);
int sl_rowset_collect(sl_store *st, const char *db, const char *table, int64_t id, sl_buf *b);
/* sl_rowset_probe, and the partitions the files' headers create appended
 * to np, each once ({ part_id:u64 temp:u8 name:str values:str }, temp 0),
 * counted in *nnp. */
int sl_rowset_probe_parts(sl_store *st, const char *db, const char *table, int64_t id,
	unsigned nrs, sl_buf *b, sl_buf *np, uint32_t *nnp);

/* Start the file <id>-<no>.rs of a compaction (compact.h) of db.table,
 * partition part: the txns vlo..vhi merged into it; nkeys > 0: sorted by
 * its first nkeys columns (flag SORTED). Written and finished as any rowset; its id is
 * reserved by the caller (never a load's). NULL with errno. */
sl_rowset_writer *sl_rowset_create_compact(sl_store *st, const char *db, const char *table,
	int64_t id, int64_t table_id, int64_t part, unsigned no, int64_t vlo, int64_t vhi,
	unsigned nkeys, size_t ncols, const sl_colspec *cols);

#endif
