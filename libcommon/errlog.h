/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errlog.h -- a load's error log, the file its ErrorURL serves: one
 * "Reason: <reason>. src line [<row>]; " line for each of the first
 * SL_ERRLOG_LINES filtered rows, each cut at load_error_log_limit_bytes,
 * plus FirstErrorMsg, the answer's summary of the first one. The file is
 * created at the first filtered row; writes are buffered. No printing.
 */
#ifndef SL_ERRLOG_H
#define SL_ERRLOG_H

#include <stdint.h>

#include "io.h"
#include "frame.h"

#define SL_ERRLOG_LINES 51      /* Doris: MAX_ERROR_NUM 50, checked as fetch_add(1) > 50 */

typedef struct sl_errlog {
	int fd;                 /* -1: not open */
	int created;            /* the file was created: its path goes in the answer */
	sl_buf path, buf;
	int64_t limit;          /* longest line: load_error_log_limit_bytes */
	int64_t room;           /* bytes the current line may still take */
	uint64_t nlogged;       /* Reason: lines written */
	char *first_error;      /* bounded: sl_first_error */
} sl_errlog;
#define SL_ERRLOG_ZERO { -1, 0, SL_BUF_ZERO, SL_BUF_ZERO, 0, 0, 0, NULL }

/* Name and create the log: <dir>/_error_log/error_log_<db>.<table>.<label>_
 * <txn id>_<32 hex>. The ErrorURL needs no password (as Doris's), so the
 * name carries 128 random bits (getrandom(2)) that nobody can guess; db and
 * table let the route check a grant when error_log_requires_auth is set.
 * 1 ok; -1 with errno, el->path.len 0 if the name could not be made, else
 * the file could not be created. */
int sl_errlog_create(sl_errlog *el, const char *dir, const char *db, const char *table,
	const char *label, int64_t txn_id);

/* Log one filtered row (its reason and source row): FirstErrorMsg from the
 * first, a line for each of the first SL_ERRLOG_LINES. The log must be
 * created. 1 ok; -1 out of memory; -2 the file could not be written
 * (errno). */
int sl_errlog_add(sl_errlog *el, const sl_field *reason, const sl_field *src);

/* Write out the buffer and close the file (the rest stays for the
 * answer). 1 ok (or not open), -1 errno: a write failed (closed anyway). */
int sl_errlog_close(sl_errlog *el);

#endif
