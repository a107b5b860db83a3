/* SPDX-License-Identifier: Apache-2.0 */
/*
 * twopc.c -- the 2PC endpoint's decisions and answers (twopc.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "status.h"
#include "hdr.h"
#include "twopc.h"

#define ANALYSIS "ANALYSIS_ERROR"
#define INTERNAL "INTERNAL_ERROR"

int sl_twopc_request(const char *op, const char *idtext, const char *label, sl_twopc_req *rq,
	sl_twopc_answer *a)
{
	unsigned long long uid = 0;

	memset(rq, 0, sizeof *rq);
	if (!idtext && !label) {
		a->status = SL_STATUS_FAILED;
		snprintf(a->msg, sizeof a->msg, "No transaction id or label selected.");
		return 0;
	}
	if (!op) {
		a->status = SL_STATUS_FAILED;
		snprintf(a->msg, sizeof a->msg, "No transaction operation('commit' or 'abort') selected.");
		return 0;
	}
	if (strcmp(op, "commit") && strcmp(op, "abort")) {
		a->status = INTERNAL;
		snprintf(a->msg, sizeof a->msg, "transaction operation should be 'commit' or 'abort'");
		return 0;
	}
	if (idtext && sl_stoull(idtext, &uid) != 1) {
		a->status = INTERNAL;
		snprintf(a->msg, sizeof a->msg, "convert txn_id [%s] failed, reason=stoull", idtext);
		return 0;
	}
	rq->commit = !strcmp(op, "commit");
	rq->by_id = idtext != NULL;
	rq->id = (int64_t)uid;
	rq->label = label;
	return 1;
}

int sl_twopc_running(const sl_twopc_req *rq, int state)
{
	return state == SL_TXN_PRECOMMITTED || (!rq->commit && state == SL_TXN_PREPARE);
}

int sl_twopc_allowed(const sl_twopc_req *rq, int state)
{
	return !rq->commit || state == SL_TXN_PRECOMMITTED;
}

void sl_twopc_refuse(sl_twopc_answer *a, const char *fmt, ...)
{
	va_list ap;
	size_t n = sizeof SL_TSTATUS - 1;

	a->status = ANALYSIS;
	memcpy(a->msg, SL_TSTATUS, n);
	va_start(ap, fmt);
	vsnprintf(a->msg + n, sizeof a->msg - n, fmt, ap);
	va_end(ap);
}

void sl_twopc_wrong_state(const sl_twopc_req *rq, const sl_txninfo *ti, sl_twopc_answer *a)
{
	int64_t id = ti->id;

	if (rq->commit) {
		switch (ti->state) {
		case SL_TXN_VISIBLE:
			sl_twopc_refuse(a, "transaction [%" PRId64 "] is already visible, not pre-committed.", id);
			return;
		case SL_TXN_COMMITTED:
			sl_twopc_refuse(a, "transaction [%" PRId64 "] is already committed, not pre-committed.", id);
			return;
		case SL_TXN_PREPARE:
			sl_twopc_refuse(a, "transaction [%" PRId64 "] is prepare, not pre-committed.", id);
			return;
		case SL_TXN_ABORTED:
			sl_twopc_refuse(a, "transaction [%" PRId64 "] is already aborted. abort reason: %s", id, ti->reason);
			return;
		}
	} else {
		switch (ti->state) {
		case SL_TXN_ABORTED:
			sl_twopc_refuse(a, "transaction [%" PRId64 "] is already aborted, abort reason: %s", id, ti->reason);
			return;
		case SL_TXN_COMMITTED:
		case SL_TXN_VISIBLE:
			sl_twopc_refuse(a, "transaction [%" PRId64 "] is already %s, could not abort.",
				id, sl_txn_state_name(ti->state));
			return;
		}
	}
	sl_twopc_refuse(a, "transaction [%" PRId64 "] is %s", id, sl_txn_state_name(ti->state));
}

void sl_twopc_success(const sl_twopc_req *rq, const char *op, sl_twopc_answer *a)
{
	char *m = a->msg;
	size_t cap = 512;       /* the label is cut to 200 bytes, the rest fits */

	a->status = SL_STATUS_SUCCESS;
	snprintf(m, cap, "%s%.200s%s", rq->label ? "label [" : "", rq->label ? rq->label : "", rq->label ? "] " : "");
	if (rq->by_id)
		snprintf(m + strlen(m), cap - strlen(m), "transaction [%" PRId64 "] ", rq->id);
	snprintf(m + strlen(m), cap - strlen(m), "%s successfully.", op);
}
