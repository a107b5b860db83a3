/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobrun.h -- one continuous-load job run step by step, as sl-jobd's
 * worker for that job does: settle the task a crash left (the transaction
 * log says whether its rows and offset committed), list the source after
 * the offset, persist the next task with its batch, run it as an INSERT
 * with label <jobId>_<taskId> whose commit record carries the new offset
 * and statistics (exactly once), retry it (4 attempts in all), then pause
 * the job with the failure. And the auto-resume rule of paused jobs.
 * Nothing here prints or exits.
 */
#ifndef SL_JOBRUN_H
#define SL_JOBRUN_H

#include <signal.h>
#include <stdint.h>
#include "store.h"
#include "jobstore.h"

typedef struct sl_objsrc sl_objsrc;
typedef struct sl_insert sl_insert;

typedef struct sl_jobrun {
	sl_store *st;
	const char *data_dir;   /* given to the stages; NULL theirs */
	const char *bindir;     /* the stage programs; NULL load.h's choice */
	int errfd;              /* the stages' stderr; -1 inherited */
	int64_t job_id;
	volatile sig_atomic_t *stop;    /* set: finish (cancel) the task and stop */
	/* the job's source and statement, kept between steps */
	char *sql;
	sl_insert *ins;
	sl_objsrc *src;
	int64_t interval_ms;    /* max_interval */
	char msg[1024];         /* the last failure, for the log */
} sl_jobrun;

/* The largest unordered.max_files ("mode"="unordered": how many loaded
 * keys a job remembers; the default 10000). */
#define SL_JOBRUN_UNORDERED_MAX 100000

/* What a step did. */
enum {
	SL_JOBRUN_LOADED = 1,   /* a batch committed: run the next at once */
	SL_JOBRUN_IDLE,         /* nothing new: wait (watch fd or max_interval) */
	SL_JOBRUN_BUSY,         /* an earlier task's transaction still runs: wait */
	SL_JOBRUN_PAUSED,       /* the task failed 4 times: the job is PAUSED */
	SL_JOBRUN_STOPPED,      /* the job is gone, paused or was stopped */
};

void sl_jobrun_init(sl_jobrun *r, sl_store *st, int64_t job_id);
void sl_jobrun_free(sl_jobrun *r);
/* One step: SL_JOBRUN_*; -1 errno (r->msg says what failed). */
int sl_jobrun_step(sl_jobrun *r);
/* The source's watch fd (readable when new objects may be there), -1
 * when it must be polled; drain it after it woke. */
int sl_jobrun_watch_fd(sl_jobrun *r);
void sl_jobrun_drain(sl_jobrun *r);

/* Should PAUSED job j resume now? Not when paused by hand or by a
 * failure that must not be retried; else once min(base * 2^count, cap)
 * ms passed since the pause or the last resume. */
int sl_jobrun_due_resume(const sl_job *j, int64_t now_ms, int64_t base_ms, int64_t cap_ms);
/* Resume job id automatically (under the lock, if still due). 1 resumed,
 * 0 not, -1. */
int sl_jobrun_auto_resume(sl_store *st, int64_t id, int64_t base_ms, int64_t cap_ms);

#endif
