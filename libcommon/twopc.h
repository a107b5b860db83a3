/* SPDX-License-Identifier: Apache-2.0 */
/*
 * twopc.h -- the decisions of the 2PC endpoint, which commits or aborts a
 * precommitted transaction by id or label: whether the request is well
 * formed, whether the transaction's state allows the operation, and
 * Doris's answer (status and message) for each refusal and for success.
 * No I/O: sl-commit looks the transaction up and applies the operation.
 */
#ifndef SL_TWOPC_H
#define SL_TWOPC_H

#include <stdint.h>

#include "store.h"

/* An answer: status is Doris's code name ("ANALYSIS_ERROR", ...) or
 * "Success"; msg its message. */
typedef struct sl_twopc_answer {
	const char *status;
	char msg[1024];
} sl_twopc_answer;

/* A well-formed request. */
typedef struct sl_twopc_req {
	int commit;             /* 1 commit, 0 abort */
	int by_id;              /* else by label */
	int64_t id;
	const char *label;
} sl_twopc_req;

/* Check a request: op "commit" or "abort", and a transaction id (the
 * text of an unsigned number) or a label (either may be NULL, not both).
 * 1 ok, rq filled; 0 refused, a filled. */
int sl_twopc_request(const char *op, const char *idtext, const char *label, sl_twopc_req *rq,
	sl_twopc_answer *a);

/* 1 if a transaction found by label is one the request may act on: a
 * commit needs PRECOMMITTED, an abort PRECOMMITTED or PREPARE. */
int sl_twopc_running(const sl_twopc_req *rq, int state);

/* 1 if the request may act on a transaction in this state before trying:
 * the store commits PREPARE too (that is the pipeline's commit), 2PC
 * commits only PRECOMMITTED; an abort is left to the store. */
int sl_twopc_allowed(const sl_twopc_req *rq, int state);

/* a: ANALYSIS_ERROR, SL_TSTATUS and the formatted message. */
__attribute__((format(printf, 2, 3)))
void sl_twopc_refuse(sl_twopc_answer *a, const char *fmt, ...);

/* a: the refusal for transaction ti in the wrong state for the request
 * (DatabaseTransactionMgr's messages). */
void sl_twopc_wrong_state(const sl_twopc_req *rq, const sl_txninfo *ti, sl_twopc_answer *a);

/* a: "Success" and "[label [L] ][transaction [N] ]commit successfully.". */
void sl_twopc_success(const sl_twopc_req *rq, const char *op, sl_twopc_answer *a);

#endif
