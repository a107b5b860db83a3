/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gcwal.h -- a table's group-commit write-ahead log DB/TABLE/gc/wal
 * (man/sl-store.5, Group commit): a load's rows spooled as one record,
 * the record appended and fdatasync'd under gc/append.lock with a torn
 * tail cut first, the records read back with their CRCs checked, and the
 * log rotated to its next generation keeping what follows a committed
 * end. 1 / -1 errno unless said; nothing prints.
 */
#ifndef SL_GCWAL_H
#define SL_GCWAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "storetypes.h"

#define SL_GCWAL_HDR 16u        /* magic, version, gen */
#define SL_GCWAL_RECHDR 24u     /* magic, crc, len, rows */

/* DB/TABLE/gc under st into out (PATH_MAX), made when mk. */
int sl_gcwal_dir(const sl_store *st, const char *db, const char *table, int mk, char *out);
/* Open (creating) gcdir/name and flock it with op (LOCK_EX, LOCK_SH,
 * | LOCK_NB). fd (O_CLOEXEC); -1 errno (EWOULDBLOCK: held). */
int sl_gcwal_lock(const char *gcdir, const char *name, int op);

/* A load's rows being spooled to gcdir/spool-PID-N: one record. */
typedef struct sl_gcwal_spool {
	int fd;
	char path[PATH_MAX];
	sl_buf buf;                     /* entries not yet written */
	uint32_t crc;                   /* of the payload so far */
	uint64_t len, rows;
	int reused;                     /* a free spool file taken */
} sl_gcwal_spool;
int sl_gcwal_spool_open(const char *gcdir, sl_gcwal_spool *sp);
/* One entry: type 'H' (a typed header frame's payload) or 'R' (a row's). */
int sl_gcwal_spool_add(sl_gcwal_spool *sp, char type, const char *p, size_t n);
/* Write what is buffered and the record's header; close the fd (the
 * file stays, for sl_gcwal_append). */
int sl_gcwal_spool_finish(sl_gcwal_spool *sp);
/* Unlink the spool and free it (also after finish). */
void sl_gcwal_spool_discard(sl_gcwal_spool *sp);
/* A finished spool of gcdir no longer needed (appended, or its load
 * failed): kept as a free spool file that the next sl_gcwal_spool_open
 * takes (no file created), or unlinked when enough are free. */
void sl_gcwal_spool_drop(const char *gcdir, const char *path);

/* Where an appended record landed. */
typedef struct sl_gcwal_pos {
	uint64_t gen, off, end;
	uint64_t rows;
} sl_gcwal_pos;
/* Append the finished spool at path to gcdir's log (created at
 * generation 1 when missing) under gc/append.lock: the log's end found,
 * a torn tail cut, the record copied; then fdatasync'd once the lock is
 * released (concurrent appenders share the file system's sync). */
int sl_gcwal_append(const char *gcdir, const char *path, sl_gcwal_pos *pos);

/* An open log and what its records hold. */
typedef struct sl_gcwal {
	int fd;
	uint64_t gen;
	uint64_t end;                   /* end of the last complete record */
	uint64_t last;                  /* where that record starts; 0 none */
	uint64_t size;                  /* the file's size */
	uint64_t ino;                   /* the file's inode */
	uint64_t nrec, rows;            /* records and rows up to end */
} sl_gcwal;
/* Open gcdir/wal and find its end: from the end hint the last appender
 * left in gc/append.lock when it can be trusted (O(1) in the log's
 * length), else from the log's header (record headers walked); the last
 * record's CRC checked. cut: truncate a torn tail and keep the hint (the
 * caller holds gc/append.lock; the fd is then read-write). 1; 0 no log;
 * -1 errno (EPROTO: not a log). */
int sl_gcwal_open(const char *gcdir, int cut, sl_gcwal *w);
void sl_gcwal_close(sl_gcwal *w);
/* Call fn for every entry of the records in [from, to), each record's
 * CRC checked at its end (EPROTO: a bad one; fn has seen its entries).
 * fn returns 1 to go on, -1 (errno) to stop. */
int sl_gcwal_read(sl_gcwal *w, uint64_t from, uint64_t to,
	int (*fn)(void *ctx, char type, const char *p, size_t n), void *ctx);
/* Under gc/append.lock: replace the log by generation w->gen + 1 holding
 * its complete records after end (written to wal.tmp, fsync'd, renamed,
 * the directory fsync'd). w is reopened on the new log. */
int sl_gcwal_rotate(const char *gcdir, sl_gcwal *w, uint64_t end);

#endif
