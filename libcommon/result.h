/* SPDX-License-Identifier: Apache-2.0 */
/*
 * result.h -- the answer of a load: Doris's stream-load JSON and the 2PC
 * answer, rendered through libjq's jv API so every program that answers
 * (sl-commit, sl-load, sl-httpd) prints the same bytes: rapidjson
 * PrettyWriter layout, 4-space indent, `"Key": value`, fixed member order.
 *
 * Ownership: an sl_result owns its strings (malloc'd, freed by
 * sl_result_free); setters copy their argument.
 */
#ifndef SL_RESULT_H
#define SL_RESULT_H

#include <stdint.h>
#include "io.h"
#include "frame.h"

typedef struct sl_result {
	int64_t txn_id;                 /* -1: no transaction was begun */
	char *label, *comment;          /* NULL prints as "" */
	int two_phase;                  /* TwoPhaseCommit "true" / "false" */
	char *status;                   /* "Success", "Fail", "Label Already Exists" */
	char *existing_job_status;      /* only with Label Already Exists */
	char *message;                  /* "OK" or "[CODE]msg" */
	int64_t total, loaded, filtered, unselected, load_bytes;
	int64_t load_time_ms, begin_txn_time_ms, put_time_ms, read_time_ms,
		write_time_ms, receive_time_ms, commit_time_ms;
	char *error_url;                /* NULL: omitted */
	char *first_error_msg;          /* NULL: omitted (printed only on failure) */
} sl_result;

/* Zero, TxnId -1, Status "Fail" unset (NULL prints as "Fail"). */
void sl_result_init(sl_result *r);
void sl_result_free(sl_result *r);
/* Replace *field with a copy of s (NULL clears). 1, -1 ENOMEM. */
int sl_result_set(char **field, const char *s);

/* Fill from the merged C-frame counters of a load (the keys the stages
 * write: TxnId, Label, Status, ExistingJobStatus, NumberTotalRows,
 * NumberLoadedRows, NumberFilteredRows, NumberUnselectedRows, LoadBytes,
 * BeginTxnTimeMs, StreamLoadPutTimeMs, ReadDataTimeMs, WriteDataTimeMs,
 * ReceiveDataTimeMs, FirstErrorMsg, ErrorLogPath -> ErrorURL via
 * sl_result_error_url). Keys absent keep their current value.
 * 1, -1 ENOMEM. */
int sl_result_from_kv(sl_result *r, const sl_kv *kv);

/* ErrorURL for an error log file: $SL_ERROR_URL_PREFIX + the file's base
 * name when that variable is set, else "file://" + the absolute path.
 * Appends to out. 1, -1 errno. */
int sl_result_error_url(const char *path, sl_buf *out);

/* The stream-load answer, pretty-printed, with the trailing newline.
 * NumberLoadedRows prints 0 unless Status is "Success"; FirstErrorMsg
 * prints only when Status is not "Success". Appends to out. 1, -1 ENOMEM. */
int sl_result_json(const sl_result *r, sl_buf *out);
/* The same fields as one compact JSON object (for a commit record's
 * attachment, which the store bounds at 64 KiB), bounded whatever r
 * holds: Comment, Message and FirstErrorMsg are cut to
 * SL_ATTACH_TEXT_MAX bytes, Label and Status to their own small caps, and
 * an ErrorURL longer than SL_ATTACH_URL_MAX is left out; the result stays
 * under 48 KiB. Appends to out. 1, -1 ENOMEM. */
#define SL_ATTACH_TEXT_MAX 1024
#define SL_ATTACH_URL_MAX 4096
int sl_result_attach(const sl_result *r, sl_buf *out);
/* The same with extra, a JSON object given to sl-commit by its launcher
 * in the environment variable SL_COMMIT_ATTACH_ENV (never by a header a
 * client could send), stored under a key of its own that no answer shows
 * (sl_result_parse and sl_result_json ignore it). extra NULL: as
 * sl_result_attach. 1; 0 extra is not a JSON object or is longer than
 * SL_ATTACH_EXTRA_MAX; -1 ENOMEM. */
#define SL_COMMIT_ATTACH_ENV "SL_COMMIT_ATTACH"
/* Set (to anything) by a launcher that feeds the body through a pipe:
 * sl-commit does not commit once the reader of its answer is gone. */
#define SL_COMMIT_WATCH_ENV "SL_COMMIT_WATCH_LAUNCHER"
#define SL_ATTACH_EXTRA_MAX 16384
int sl_result_attach_extra(const sl_result *r, const char *extra, sl_buf *out);
/* The extra object of an attachment p[0..n), compact JSON appended to out.
 * 1 found, 0 none (or p is not a JSON object), -1 ENOMEM. */
int sl_result_attach_extra_get(const char *p, size_t n, sl_buf *out);
/* Parse JSON written by sl_result_attach or sl_result_json into r (fields
 * present replace r's). 1 ok, 0 not a JSON object, -1 ENOMEM. */
int sl_result_parse(sl_result *r, const char *p, size_t n);

/* The 2PC answer {"status": ..., "msg": ...}, pretty, no trailing newline.
 * Appends to out. 1, -1 ENOMEM. */
int sl_result_2pc_json(const char *status, const char *msg, sl_buf *out);

#endif
