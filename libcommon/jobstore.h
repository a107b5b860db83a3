/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobstore.h -- continuous-load jobs in the data directory (man/sl-store.5,
 * Jobs): each job's definition, status, properties, offset, counters,
 * failure and its running and recent tasks, one file a job written whole
 * (temporary file, fsync, rename, fsync of the directory), changed under
 * one flock so sl-sql and sl-jobd never lose each other's writes. The
 * offset a task commits travels in its load's commit record (the
 * attachment below, label <jobId>_<taskId>): the job file only caches it,
 * and a task persisted before it runs is settled from the transaction log.
 *
 * Layout: <data>/_jobs/lock (flock'd around every read-change-write),
 * <data>/_jobs/lastid (the last id handed out), <data>/_jobs/<id>.job
 * (mode 0600: the DO clause holds the source's credentials).
 * 1 / 0 / -1 errno as each function says.
 */
#ifndef SL_JOBSTORE_H
#define SL_JOBSTORE_H

#include <stddef.h>
#include <stdint.h>
#include "hdr.h"
#include "io.h"
#include "store.h"

/* Job statuses (Doris's names) and task statuses. */
#define SL_JOBST_PENDING  "PENDING"
#define SL_JOBST_RUNNING  "RUNNING"
#define SL_JOBST_PAUSED   "PAUSED"
#define SL_TASKST_PENDING  "PENDING"
#define SL_TASKST_RUNNING  "RUNNING"
#define SL_TASKST_SUCCESS  "SUCCESS"
#define SL_TASKST_FAILED   "FAILED"
#define SL_TASKST_CANCELED "CANCELED"

/* LoadStatistic: scannedRows, loadBytes, fileNumber, fileSize. */
typedef struct sl_jobstat { int64_t rows, bytes, files, fsize; } sl_jobstat;

typedef struct sl_jobtask {
	int64_t id;
	char status[12];
	int64_t create_ms, start_ms, finish_ms;      /* 0: not yet */
	char *err;                                   /* NULL: none */
	char *start_key, *end_key;                   /* RunningOffset */
	sl_jobstat stat;
} sl_jobtask;

typedef struct sl_job {
	int64_t id;
	char name[129];
	char definer[65];
	char status[12];
	char *sql;              /* the DO clause as given (INSERT ...) */
	char *comment;          /* NULL: none */
	sl_hdrs props;          /* PROPERTIES, in the order given */
	int64_t create_ms;
	char *offset;           /* CurrentOffset's key; NULL none */
	char *end_offset;       /* EndOffset's key; NULL none */
	sl_jobstat stat;        /* cumulative, from committed attachments */
	int64_t succeed, failed, canceled;
	char *err;              /* ErrorMsg; NULL none */
	int manual;             /* paused by hand: never resumed automatically */
	int no_resume;          /* a failure auto-resume must not retry */
	char *runtime_msg;      /* JobRuntimeMsg; NULL none */
	int64_t resume_count, resume_ms;     /* auto-resumes since the last success */
	/* the task being run: persisted with its batch before it runs */
	int has_cur;
	sl_jobtask cur;
	char **batch; size_t nbatch;
	/* finished tasks, newest first */
	sl_jobtask *hist; size_t nhist;
	/* "mode"="unordered": every key loaded so far, ascending, unique (the
	 * keys of the committed attachments; bounded by unordered.max_files) */
	char **loaded; size_t nloaded;
} sl_job;

/* Is j's "mode" "unordered" (loaded keys remembered, listing from the
 * first key)? */
int sl_jobstore_unordered(const sl_job *j);
/* Is key in j's loaded set? */
int sl_jobstore_is_loaded(const sl_job *j, const char *key);

void sl_job_free(sl_job *j);

/* Take the jobs' lock (creating _jobs/): the fd, -1 errno. */
int sl_jobstore_lock(sl_store *st);
void sl_jobstore_unlock(int fd);
/* A new id (under the lock): the wall clock in ms, strictly above every
 * id handed out before. 1, -1. */
int sl_jobstore_new_id(sl_store *st, int64_t *id);
/* The ids of every job, ascending (malloc'd). 1, -1. */
int sl_jobstore_list(sl_store *st, int64_t **ids, size_t *n);
/* Load job id into j (zeroed first). 1; 0 no such job; -1 (EPROTO: a
 * malformed job file). */
int sl_jobstore_load(sl_store *st, int64_t id, sl_job *j);
/* The job named name (case-sensitive, as Doris): 1, 0 none, -1. */
int sl_jobstore_find(sl_store *st, const char *name, sl_job *j);
/* Write j whole (atomically replacing its file). 1, -1. */
int sl_jobstore_save(sl_store *st, const sl_job *j);
/* The run lock of job id (_jobs/<id>.run, flock'd without waiting): the
 * one process running its tasks holds it. The fd; -1 EWOULDBLOCK when
 * another holds it, or errno. */
int sl_jobstore_run_lock(sl_store *st, int64_t id);
/* Remove job id's file (and its run lock's). 1, 0 none, -1. */
int sl_jobstore_remove(sl_store *st, int64_t id);

/* The text of a job file and back (the format of sl-store.5). */
int sl_jobstore_encode(const sl_job *j, sl_buf *out);
int sl_jobstore_decode(const char *p, size_t n, sl_job *j);

/* The label of a job's task: "<jobId>_<taskId>". */
void sl_jobstore_label(int64_t job, int64_t task, char *out, size_t cap);

/* The attachment a task's commit record carries: the batch's last key
 * (the new offset) and the statistics, as JSON
 * {"jobId":..,"taskId":..,"offset":"..","scannedRows":..,...}. */
int sl_jobstore_attach_fmt(int64_t job, int64_t task, const char *offset, const sl_jobstat *st,
	sl_buf *out);
/* The same with the batch's keys as "keys":[...] (an unordered job's: the
 * settle adds them to its loaded set). */
int sl_jobstore_attach_fmt_keys(int64_t job, int64_t task, const char *offset, const sl_jobstat *st,
	const char *const *keys, size_t nkeys, sl_buf *out);
/* Parse one: *offset malloc'd. 1; 0 not a job attachment; -1 ENOMEM. */
int sl_jobstore_attach_parse(const char *p, size_t n, int64_t *job, int64_t *task, char **offset,
	sl_jobstat *st);

/* Settle j's current task from its commit attachment (a committed
 * transaction with the task's label): the offset becomes the attachment's,
 * the statistics add up, the task is SUCCESS in the history (kept to
 * keep entries), the counters and failure are reset. 1, 0 the attachment
 * is not this task's, -1 ENOMEM. */
int sl_jobstore_settle(sl_job *j, const char *attach, size_t alen, int64_t now_ms, size_t keep);
/* The same with the rows the transaction committed as scannedRows when
 * rows >= 0 (the attachment is written before the rows are counted). */
int sl_jobstore_settle_rows(sl_job *j, const char *attach, size_t alen, int64_t rows, int64_t now_ms,
	size_t keep);
/* End j's current task with status (FAILED or CANCELED) and err, into the
 * history. -1 ENOMEM, 1. */
int sl_jobstore_end_task(sl_job *j, const char *status, const char *err, int64_t now_ms, size_t keep);
/* Start a new current task: id, the batch (copied), RunningOffset. 1, -1. */
int sl_jobstore_begin_task(sl_job *j, int64_t id, char *const *keys, size_t n, int64_t now_ms);

/* An sl.conf integer: the value when set and valid, else dflt. */
int64_t sl_jobstore_conf(const sl_store *st, const char *key, int64_t dflt);

/* s as a JSON string (quoted, escaped) appended to b. 1, -1. */
int sl_jobstore_json_str(sl_buf *b, const char *s);

/* The wall clock in ms. */
int64_t sl_jobstore_now_ms(void);

#endif
