/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.h -- the stream load record: recent loads of each database (label,
 * status, counts, times, user, client address), always kept, bounded (the
 * newest stream_load_record_max per database, default 1000; sl.conf).
 * Read by GET /api/{db}/_stream_load_record and SHOW STREAM LOAD.
 */
#ifndef SL_RECORD_H
#define SL_RECORD_H

#include <stdint.h>
#include "store.h"

typedef struct sl_load_record {
	char label[129], db[65], table[65];
	char client_ip[64], user[65];
	char status[32];                /* Success, Fail, Label Already Exists */
	char message[512];
	char comment[256];
	char url[512];                  /* ErrorURL or "" */
	int64_t total, loaded, filtered, unselected, load_bytes;
	int64_t start_ms, finish_ms;    /* wall clock */
} sl_load_record;

/* Append a record (one append under the db lock, without reading the
 * file; once the file passes a size bound it is rewritten to the newest
 * stream_load_record_max, so that rewrite is amortised O(1) per record).
 * r->db names the database; strings longer than their field are cut.
 * Not fsync'd (informational). 1, -1 errno (ENOENT: no such database).
 * Kept in <data-dir>/<db>/_load_record (file format: record.c). */
int sl_record_add(sl_store *st, const sl_load_record *r);
/* The records of db, oldest first: the newest limit ones, and never more
 * than stream_load_record_max (limit 0: that many). *out malloc'd (free it). 1, 0 no such db, -1 errno. */
int sl_record_list(sl_store *st, const char *db, sl_load_record **out, size_t *n, size_t limit);

/* The columns of a record as SHOW STREAM LOAD and GET
 * /api/{db}/_stream_load_record show them: Doris's names, in order;
 * numeric[i] is 1 for a count (TotalRows ... LoadBytes). */
#define SL_RECORD_NCOLS 16
extern const char *const sl_record_cols[SL_RECORD_NCOLS];
extern const int sl_record_numeric[SL_RECORD_NCOLS];
/* The column named name (any case): its index, or -1. */
int sl_record_col(const char *name);
/* Column col of r: 1, a count in *num; 0, text in *text (a field of r, a
 * constant, or tmp for StartTime and FinishTime: "YYYY-MM-DD HH:MM:SS.mmm"
 * in local time, "" if it cannot be formatted; cap 32 is enough). */
int sl_record_field(const sl_load_record *r, size_t col, const char **text, int64_t *num, char *tmp, size_t cap);
/* a before b by column col (counts as numbers, text bytewise): -1, 0, 1. */
int sl_record_cmp(const sl_load_record *a, const sl_load_record *b, size_t col);

#endif
