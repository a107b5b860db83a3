/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobrun.c -- one continuous-load job run step by step (jobrun.h).
 *
 * Exactly once: a task is written to the job file with its batch before
 * its load begins; the load's commit record carries the batch's last key
 * and the statistics (the attachment) with the rows. Whatever dies when,
 * the next step first settles that task from the transaction log by its
 * label: committed, the job takes the offset from the attachment;
 * aborted or never begun, the task ends (CANCELED or FAILED) and the
 * offset stays; still PREPARE under a live owner, the step waits. The
 * offset never advances any other way.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobrun.h"
#include "objsrc.h"
#include "insert.h"
#include "load.h"
#include "status.h"

#define ATTEMPTS 4
#define KEEP_DEFAULT 100
/* "mode"="unordered": the loaded-key set's bounds (unordered.max_files,
 * and its bytes, so the job file stays well under its size limit) */
#define UNORDERED_FILES_DEFAULT 10000
#define UNORDERED_BYTES_MAX (8 << 20)

void sl_jobrun_init(sl_jobrun *r, sl_store *st, int64_t job_id)
{
	memset(r, 0, sizeof *r);
	r->st = st;
	r->job_id = job_id;
	r->errfd = -1;
	r->interval_ms = 10000;
}

static void drop_source(sl_jobrun *r)
{
	if (r->src)
		sl_objsrc_free(r->src);
	if (r->ins)
		sl_insert_free(r->ins);
	free(r->sql);
	r->src = 0;
	r->ins = 0;
	r->sql = 0;
}

void sl_jobrun_free(sl_jobrun *r)
{
	drop_source(r);
}

static size_t keep_of(const sl_jobrun *r)
{
	return (size_t)sl_jobstore_conf(r->st, "max_streaming_task_show_count", KEEP_DEFAULT);
}

static int64_t prop_int(const sl_job *j, const char *k, int64_t dflt)
{
	const char *v = sl_hdrs_get(&j->props, k);
	return v ? strtoll(v, 0, 10) : dflt;
}

static int stopped(const sl_jobrun *r)
{
	return r->stop && *r->stop;
}

/* Settle j's current task from the log (the caller holds the lock and
 * saves j). 1 settled or nothing to settle, 0 its transaction still runs,
 * -1. */
static int settle(sl_jobrun *r, sl_job *j, const char *status, const char *why)
{
	char label[64];
	sl_txninfo ti = SL_TXNINFO_ZERO;
	sl_buf a = SL_BUF_ZERO;
	const char *db;
	int k;

	if (!j->has_cur)
		return 1;
	if (!r->ins) {
		/* the target is needed to look the label up: parse the job once */
		int code;
		if (sl_insert_parse(&r->ins, r->st, 0, j->sql, strlen(j->sql), &code, r->msg, sizeof r->msg) <= 0)
			return -1;
	}
	db = sl_insert_db(r->ins);
	sl_jobstore_label(j->id, j->cur.id, label, sizeof label);
	k = sl_txn_lookup_label(r->st, db, label, &ti);
	if (k > 0 && ti.state == SL_TXN_PREPARE) {
		sl_txninfo_free(&ti);
		return 0;
	}
	if (k > 0 && ti.state == SL_TXN_VISIBLE && sl_insert_attach_get(&ti, &a) > 0) {
		k = sl_jobstore_settle_rows(j, a.p, a.len, (int64_t)ti.nrows, sl_jobstore_now_ms(), keep_of(r));
		sl_buf_free(&a);
		sl_txninfo_free(&ti);
		return k < 0 ? -1 : 1;
	}
	sl_txninfo_free(&ti);
	if (k < 0)
		return -1;
	return sl_jobstore_end_task(j, status, why, sl_jobstore_now_ms(), keep_of(r));
}

/* Lock, load the job; *fd the lock. 1; 0 the job is gone (unlocked); -1. */
static int lock_load(sl_jobrun *r, sl_job *j, int *fd)
{
	int k;

	if ((*fd = sl_jobstore_lock(r->st)) < 0)
		return -1;
	if ((k = sl_jobstore_load(r->st, r->job_id, j)) <= 0) {
		sl_jobstore_unlock(*fd);
		*fd = -1;
	}
	return k;
}

static int save_unlock(sl_jobrun *r, sl_job *j, int fd, int ret)
{
	if (sl_jobstore_save(r->st, j) < 0)
		ret = -1;
	sl_job_free(j);
	sl_jobstore_unlock(fd);
	return ret;
}

/* The statement and source of j, (re)opened when its DO clause changed. */
static int open_source(sl_jobrun *r, const sl_job *j)
{
	int code, k;

	if (r->sql && !strcmp(r->sql, j->sql) && r->src)
		return 1;
	drop_source(r);
	if (!(r->sql = strdup(j->sql)))
		return -1;
	if ((k = sl_insert_parse(&r->ins, r->st, 0, j->sql, strlen(j->sql), &code, r->msg, sizeof r->msg)) <= 0)
		return k;
	if (!sl_insert_tvf(r->ins))
		return snprintf(r->msg, sizeof r->msg, "Only support one source in insert streaming job"), 0;
	return sl_objsrc_open(&r->src, sl_insert_tvf(r->ins), sl_insert_tvf_props(r->ins), r->msg, sizeof r->msg);
}

/* Step 1 under the lock: settle, start a PENDING job. SL_JOBRUN_* or 0
 * (go on: *j filled), -1. */
static int begin_step(sl_jobrun *r, sl_job *j)
{
	int fd, k = lock_load(r, j, &fd), settled;

	if (k <= 0)
		return k < 0 ? -1 : SL_JOBRUN_STOPPED;
	settled = j->has_cur;
	r->interval_ms = prop_int(j, "max_interval", 10) * 1000;
	if (j->has_cur) {
		k = settle(r, j, SL_TASKST_CANCELED,
			strcmp(j->status, SL_JOBST_PAUSED) ? "the task was interrupted" : "the job was paused");
		if (k <= 0) {
			sl_job_free(j);
			sl_jobstore_unlock(fd);
			return k < 0 ? -1 : SL_JOBRUN_BUSY;
		}
	}
	if (!strcmp(j->status, SL_JOBST_PAUSED))
		return save_unlock(r, j, fd, SL_JOBRUN_STOPPED);
	if (!strcmp(j->status, SL_JOBST_PENDING))
		snprintf(j->status, sizeof j->status, "%s", SL_JOBST_RUNNING);
	else if (!settled)
		goto unlock;    /* nothing changed: no write */
	if (sl_jobstore_save(r->st, j) < 0) {
		sl_job_free(j);
		sl_jobstore_unlock(fd);
		return -1;
	}
unlock:
	sl_jobstore_unlock(fd);
	return 0;
}

/* Pause the job with err (a failure; no_resume: never automatically). */
static int pause_job(sl_jobrun *r, const char *err, int no_resume, int end_task)
{
	sl_job j;
	int fd, k = lock_load(r, &j, &fd);

	if (k <= 0)
		return k < 0 ? -1 : SL_JOBRUN_STOPPED;
	if (end_task && (k = settle(r, &j, SL_TASKST_FAILED, err)) <= 0) {
		/* still running or unreadable: the next step settles it */
		sl_job_free(&j);
		sl_jobstore_unlock(fd);
		return k < 0 ? -1 : SL_JOBRUN_BUSY;
	}
	if (!end_task)
		j.failed++;
	snprintf(j.status, sizeof j.status, "%s", SL_JOBST_PAUSED);
	free(j.err);
	j.err = strdup(err);
	j.manual = 0;
	j.no_resume = no_resume;
	j.resume_ms = sl_jobstore_now_ms();
	return save_unlock(r, &j, fd, SL_JOBRUN_PAUSED);
}

/* Persist the task with its batch (the job still RUNNING at that
 * offset). 1; 0 the job changed meanwhile; -1. */
static int persist_task(sl_jobrun *r, const char *offset, const sl_objbatch *b, int64_t *task)
{
	sl_job j;
	int fd, k = lock_load(r, &j, &fd);
	char **keys;

	if (k <= 0)
		return k;
	if (strcmp(j.status, SL_JOBST_RUNNING) || j.has_cur || (offset ? !j.offset || strcmp(offset, j.offset) : !!j.offset)) {
		sl_job_free(&j);
		sl_jobstore_unlock(fd);
		return 0;
	}
	if (!(keys = calloc(b->n, sizeof *keys)) || sl_jobstore_new_id(r->st, task) < 0) {
		free(keys);
		sl_job_free(&j);
		sl_jobstore_unlock(fd);
		return -1;
	}
	for (size_t i = 0; i < b->n; i++)
		keys[i] = b->ent[i].key;
	k = sl_jobstore_begin_task(&j, *task, keys, b->n, sl_jobstore_now_ms());
	free(keys);
	free(j.end_offset);
	j.end_offset = strdup(b->next ? b->next : b->ent[b->n - 1].key);
	free(j.runtime_msg);
	j.runtime_msg = 0;
	return save_unlock(r, &j, fd, k < 0 ? -1 : 1);
}

/* The job's session.* properties without the prefix. */
static int session_of(const sl_job *j, sl_hdrs *out)
{
	for (size_t i = 0; i < j->props.n; i++)
		if (!strncmp(j->props.name[i], "session.", 8)
		    && sl_hdrs_set(out, j->props.name[i] + 8, j->props.value[i]) < 0)
			return -1;
	return 1;
}

/* Run the persisted task: up to ATTEMPTS loads with its label. 1
 * committed, 0 failed (r->msg), -1. */
static int run_task(sl_jobrun *r, const sl_job *j, int64_t task, const sl_objbatch *b)
{
	char label[64];
	sl_buf attach = SL_BUF_ZERO;
	sl_hdrs sess = SL_HDRS_ZERO;
	const char **keys = calloc(b->n, sizeof *keys);
	sl_jobstat st = { -1, b->bytes, (int64_t)b->n, b->bytes };
	int ret = 0;

	sl_jobstore_label(j->id, task, label, sizeof label);
	for (size_t i = 0; keys && i < b->n; i++)
		keys[i] = b->ent[i].key;
	if (!keys || session_of(j, &sess) < 0 || sl_jobstore_attach_fmt_keys(j->id, task, b->ent[b->n - 1].key, &st,
	    keys, sl_jobstore_unordered(j) ? b->n : 0, &attach) < 0 || sl_buf_cstr(&attach) < 0)
		ret = -1;
	for (int a = 0; ret == 0 && a < ATTEMPTS && !stopped(r); a++) {
		sl_insert_opts o = { .label = label, .keys = keys, .nkeys = b->n, .attach = attach.p,
			.session = &sess, .user = j->definer, .data_dir = r->data_dir, .bindir = r->bindir,
			.errfd = r->errfd };
		sl_load_out out;
		sl_txninfo ti = SL_TXNINFO_ZERO;
		sl_load_out_init(&out);
		if (sl_insert_run(r->ins, r->st, &o, &out) < 0)
			snprintf(r->msg, sizeof r->msg, "unable to run the load: %s", strerror(errno));
		else if (!out.ok)
			snprintf(r->msg, sizeof r->msg, "%s", out.res.message ? out.res.message : "the load failed");
		/* the log decides, whatever the answer said */
		if (sl_txn_lookup_label(r->st, sl_insert_db(r->ins), label, &ti) > 0 && ti.state == SL_TXN_VISIBLE)
			ret = 1;
		sl_txninfo_free(&ti);
		sl_load_out_free(&out);
	}
	free(keys);
	sl_buf_free(&attach);
	sl_hdrs_free(&sess);
	return ret;
}

/* After the task: settle it under the lock. */
static int finish_task(sl_jobrun *r, int committed)
{
	sl_job j;
	int fd, k = lock_load(r, &j, &fd);

	if (k <= 0)
		return k < 0 ? -1 : SL_JOBRUN_STOPPED;
	k = settle(r, &j, SL_TASKST_CANCELED, "the task was cancelled");
	if (k < 0) {
		sl_job_free(&j);
		sl_jobstore_unlock(fd);
		return -1;
	}
	return save_unlock(r, &j, fd, committed && k > 0 ? SL_JOBRUN_LOADED : k == 0 ? SL_JOBRUN_BUSY : SL_JOBRUN_STOPPED);
}

static int no_data(sl_jobrun *r)
{
	sl_job j;
	int fd, k = lock_load(r, &j, &fd);
	char msg[128];

	if (k <= 0)
		return k < 0 ? -1 : SL_JOBRUN_STOPPED;
	snprintf(msg, sizeof msg, "No data available for consumption at the moment, will retry after %" PRId64,
		sl_jobstore_now_ms() + r->interval_ms);
	free(j.runtime_msg);
	j.runtime_msg = strdup(msg);
	return save_unlock(r, &j, fd, SL_JOBRUN_IDLE);
}

static int skip_loaded(void *ctx, const char *key)
{
	return sl_jobstore_is_loaded(ctx, key);
}

/* The next batch of j: after the offset, or (unordered) every key not
 * loaded yet. sl_objsrc_list's answer. */
static int list_batch(sl_jobrun *r, sl_job *j, sl_objbatch *b)
{
	size_t files = (size_t)prop_int(j, "s3.max_batch_files", 256);
	int64_t bytes = prop_int(j, "s3.max_batch_bytes", 10LL << 30);

	if (!sl_jobstore_unordered(j))
		return sl_objsrc_list(r->src, j->offset, files, bytes, b, r->msg, sizeof r->msg);
	return sl_objsrc_list_skip(r->src, NULL, skip_loaded, j, files, bytes, b, r->msg, sizeof r->msg);
}

/* Keep b's first n keys; the first one dropped becomes next. 1, -1. */
static int trim_batch(sl_objbatch *b, size_t n)
{
	char *next;

	if (n >= b->n)
		return 1;
	if (!(next = strdup(b->ent[n].key)))
		return -1;
	free(b->next);
	b->next = next;
	while (b->n > n) {
		b->n--;
		b->bytes -= b->ent[b->n].size;
		free(b->ent[b->n].key);
	}
	return 1;
}

/* The length of key as a JSON string (sl_jobstore_json_str's). */
static size_t json_len(const char *key)
{
	size_t n = 2;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		n += *p == '"' || *p == '\\' ? 2 : *p < 0x20 ? 6 : 1;
	return n;
}

/* An unordered job's batch b cut to what its loaded-key set still holds
 * (unordered.max_files, UNORDERED_BYTES_MAX) and to what the commit
 * record's attachment carries (each key once in "keys", the last once
 * more as the offset). 1; 0 the set is full (r->msg); -1. */
static int unordered_fit(sl_jobrun *r, const sl_job *j, sl_objbatch *b)
{
	int64_t max = prop_int(j, "unordered.max_files", UNORDERED_FILES_DEFAULT), used = 0, room;
	size_t n = 0, at = 256;   /* the attachment's fixed part, with room to spare */

	for (size_t i = 0; i < j->nloaded; i++)
		used += (int64_t)strlen(j->loaded[i]) + 1;
	room = max - (int64_t)j->nloaded;
	for (; n < b->n && (int64_t)n < room; n++) {
		size_t kl = strlen(b->ent[n].key), jl = json_len(b->ent[n].key) + 1;
		if (used + (int64_t)kl + 1 > UNORDERED_BYTES_MAX || at + 2 * jl > SL_INSERT_ATTACH_MAX)
			break;
		used += (int64_t)kl + 1;
		at += jl;
	}
	if (!n) {
		snprintf(r->msg, sizeof r->msg, "the set of files loaded by this \"mode\"=\"unordered\" job is full "
			"(%zu files, unordered.max_files=%" PRId64 "): ALTER JOB with a larger unordered.max_files "
			"(at most %d) and RESUME, or drop the job", j->nloaded, max, SL_JOBRUN_UNORDERED_MAX);
		return 0;
	}
	return trim_batch(b, n);
}

int sl_jobrun_step(sl_jobrun *r)
{
	sl_job j;
	sl_objbatch b;
	int64_t task;
	int k;

	if ((k = begin_step(r, &j)) != 0)
		return k;
	if ((k = open_source(r, &j)) <= 0) {
		sl_job_free(&j);
		if (k < 0)
			snprintf(r->msg, sizeof r->msg, "unable to open the source: %s", strerror(errno));
		return pause_job(r, r->msg, 0, 0);
	}
	memset(&b, 0, sizeof b);
	for (int a = 0; (k = list_batch(r, &j, &b)) == 0 && a < ATTEMPTS - 1; a++)
		;
	if (k > 0 && b.n && sl_jobstore_unordered(&j) && (k = unordered_fit(r, &j, &b)) <= 0) {
		sl_objbatch_free(&b);
		sl_job_free(&j);
		return k < 0 ? -1 : pause_job(r, r->msg, 1, 0);
	}
	if (k <= 0) {
		/* Doris's GET_REMOTE_DATA_ERROR text before the source's failure */
		char why[sizeof r->msg];
		snprintf(why, sizeof why, "%s", k < 0 ? strerror(errno) : r->msg);
		snprintf(r->msg, sizeof r->msg, "Failed to fetch meta, %.*s", (int)sizeof r->msg - 32, why);
		sl_job_free(&j);
		return pause_job(r, r->msg, 0, 0);
	}
	if (!b.n) {
		sl_objbatch_free(&b);
		sl_job_free(&j);
		return no_data(r);
	}
	if ((k = persist_task(r, j.offset, &b, &task)) <= 0) {
		sl_objbatch_free(&b);
		sl_job_free(&j);
		return k < 0 ? -1 : SL_JOBRUN_STOPPED;
	}
	k = run_task(r, &j, task, &b);
	sl_objbatch_free(&b);
	sl_job_free(&j);
	if (k < 0)
		return -1;
	if (k == 0 && !stopped(r))
		return pause_job(r, r->msg, strstr(r->msg, SL_E_DATA_QUALITY_ERROR) != 0, 1);
	return finish_task(r, k);
}

int sl_jobrun_watch_fd(sl_jobrun *r)
{
	return r->src ? sl_objsrc_watch_fd(r->src) : -1;
}

void sl_jobrun_drain(sl_jobrun *r)
{
	if (r->src)
		sl_objsrc_drain(r->src);
}

int sl_jobrun_due_resume(const sl_job *j, int64_t now_ms, int64_t base_ms, int64_t cap_ms)
{
	int64_t wait = base_ms;

	if (strcmp(j->status, SL_JOBST_PAUSED) || j->manual || j->no_resume || j->has_cur)
		return 0;
	for (int64_t i = 0; i < j->resume_count && wait < cap_ms; i++)
		wait *= 2;
	if (wait > cap_ms)
		wait = cap_ms;
	return now_ms - j->resume_ms >= wait;
}

int sl_jobrun_auto_resume(sl_store *st, int64_t id, int64_t base_ms, int64_t cap_ms)
{
	sl_job j;
	int fd = sl_jobstore_lock(st), k;

	if (fd < 0)
		return -1;
	if ((k = sl_jobstore_load(st, id, &j)) > 0) {
		int64_t now = sl_jobstore_now_ms();
		k = sl_jobrun_due_resume(&j, now, base_ms, cap_ms);
		if (k) {
			snprintf(j.status, sizeof j.status, "%s", SL_JOBST_PENDING);
			j.resume_count++;
			j.resume_ms = now;
			k = sl_jobstore_save(st, &j) < 0 ? -1 : 1;
		}
		sl_job_free(&j);
	}
	sl_jobstore_unlock(fd);
	return k;
}
