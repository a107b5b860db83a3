/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobstate.c -- a load's job state by Doris's names (jobstate.h).
 */
#include <string.h>

#include "jobstate.h"
#include "status.h"
#include "storetypes.h"

/* Doris's names of a load in each transaction state: the
 * ExistingJobStatus of a stream load answer, the State of SHOW LOAD. */
static const struct job_names { const char *existing, *state; } job_names[] = {
	[SL_TXN_UNKNOWN]      = { SL_JOB_RUNNING, SL_JOB_LOADING },
	[SL_TXN_PREPARE]      = { SL_JOB_RUNNING, SL_JOB_LOADING },
	/* waiting for its 2PC commit */
	[SL_TXN_PRECOMMITTED] = { SL_JOB_PRECOMMITTED, SL_JOB_LOADING },
	[SL_TXN_COMMITTED]    = { SL_JOB_FINISHED, SL_JOB_FINISHED },
	[SL_TXN_VISIBLE]      = { SL_JOB_FINISHED, SL_JOB_FINISHED },
	[SL_TXN_ABORTED]      = { SL_JOB_RUNNING, SL_JOB_CANCELLED },
};

static const struct job_names *job_of(int st)
{
	return &job_names[st >= 0 && (size_t)st < sizeof job_names / sizeof *job_names ? st : SL_TXN_UNKNOWN];
}

const char *sl_jobstate_existing(int st)
{
	return job_of(st)->existing;
}

const char *sl_jobstate_load(int st)
{
	return job_of(st)->state;
}

const char *sl_jobstate_of_status(const char *status)
{
	return !strcmp(status, SL_STATUS_SUCCESS) || !strcmp(status, SL_STATUS_PUBLISH_TIMEOUT)
		? SL_JOB_FINISHED : SL_JOB_CANCELLED;
}
