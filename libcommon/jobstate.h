/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobstate.h -- a load's job state by Doris's names (status.h SL_JOB_*),
 * the one mapping of them, for every place that shows one (a stream load
 * answer, SHOW LOAD, the stages). No I/O, no libjq: the statically linked
 * stages use it too.
 *   sl_jobstate_existing  the ExistingJobStatus of a stream load answer for
 *                         a store txn state (enum sl_txn_state): RUNNING
 *                         (PREPARE, ABORTED, UNKNOWN), PRECOMMITTED,
 *                         FINISHED (COMMITTED, VISIBLE)
 *   sl_jobstate_load      the State of SHOW LOAD: LOADING (PREPARE,
 *                         PRECOMMITTED, UNKNOWN), FINISHED, CANCELLED (ABORTED)
 *   sl_jobstate_of_status the SHOW LOAD State of a load that answered with
 *                         Status status: FINISHED for Success and Publish
 *                         Timeout, else CANCELLED
 */
#ifndef SL_JOBSTATE_H
#define SL_JOBSTATE_H

const char *sl_jobstate_existing(int txn_state);
const char *sl_jobstate_load(int txn_state);
const char *sl_jobstate_of_status(const char *status);

#endif
