/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-twopc.c -- unit tests of the 2PC endpoint's decisions
 * (libcommon/twopc.c): malformed requests, which states a commit or an
 * abort may act on, Doris's wrong-state messages and the success message.
 */
#include <stdio.h>
#include <string.h>

#include "sl.h"
#include "status.h"
#include "store.h"
#include "twopc.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define ANSWER(a, st, m) (!strcmp((a).status, st) && !strcmp((a).msg, m))

static void test_request(void)
{
	sl_twopc_req rq;
	sl_twopc_answer a;

	CHECK(!sl_twopc_request("commit", NULL, NULL, &rq, &a));
	CHECK(ANSWER(a, "FAILED", "No transaction id or label selected."));
	CHECK(!sl_twopc_request(NULL, "1", NULL, &rq, &a));
	CHECK(ANSWER(a, "FAILED", "No transaction operation('commit' or 'abort') selected."));
	CHECK(!sl_twopc_request("Commit", "1", NULL, &rq, &a));
	CHECK(ANSWER(a, "INTERNAL_ERROR", "transaction operation should be 'commit' or 'abort'"));
	CHECK(!sl_twopc_request("abort", "x1", NULL, &rq, &a));
	CHECK(ANSWER(a, "INTERNAL_ERROR", "convert txn_id [x1] failed, reason=stoull"));
	CHECK(sl_twopc_request("abort", "42", NULL, &rq, &a));
	CHECK(!rq.commit && rq.by_id && rq.id == 42 && !rq.label);
	CHECK(sl_twopc_request("commit", NULL, "l1", &rq, &a));
	CHECK(rq.commit && !rq.by_id && !strcmp(rq.label, "l1"));
}

static void test_states(void)
{
	sl_twopc_req c = { 1, 1, 7, NULL }, ab = { 0, 1, 7, NULL };

	CHECK(sl_twopc_running(&c, SL_TXN_PRECOMMITTED));
	CHECK(!sl_twopc_running(&c, SL_TXN_PREPARE));
	CHECK(sl_twopc_running(&ab, SL_TXN_PREPARE));
	CHECK(!sl_twopc_running(&ab, SL_TXN_VISIBLE));
	CHECK(sl_twopc_allowed(&c, SL_TXN_PRECOMMITTED));
	CHECK(!sl_twopc_allowed(&c, SL_TXN_PREPARE));
	CHECK(!sl_twopc_allowed(&c, SL_TXN_VISIBLE));
	CHECK(sl_twopc_allowed(&ab, SL_TXN_VISIBLE));    /* the store refuses it */
}

static void test_messages(void)
{
	sl_twopc_req c = { 1, 1, 7, NULL }, ab = { 0, 1, 7, NULL };
	sl_txninfo ti = SL_TXNINFO_ZERO;
	sl_twopc_answer a;

	ti.id = 7;
	ti.state = SL_TXN_PREPARE;
	sl_twopc_wrong_state(&c, &ti, &a);
	CHECK(ANSWER(a, "ANALYSIS_ERROR", SL_TSTATUS "transaction [7] is prepare, not pre-committed."));
	ti.state = SL_TXN_VISIBLE;
	sl_twopc_wrong_state(&c, &ti, &a);
	CHECK(ANSWER(a, "ANALYSIS_ERROR", SL_TSTATUS "transaction [7] is already visible, not pre-committed."));
	ti.state = SL_TXN_ABORTED;
	strcpy(ti.reason, "User Abort");
	sl_twopc_wrong_state(&c, &ti, &a);
	CHECK(ANSWER(a, "ANALYSIS_ERROR", SL_TSTATUS "transaction [7] is already aborted. abort reason: User Abort"));
	sl_twopc_wrong_state(&ab, &ti, &a);
	CHECK(ANSWER(a, "ANALYSIS_ERROR", SL_TSTATUS "transaction [7] is already aborted, abort reason: User Abort"));
	ti.state = SL_TXN_COMMITTED;
	sl_twopc_wrong_state(&ab, &ti, &a);
	CHECK(!strcmp(a.status, "ANALYSIS_ERROR") && strstr(a.msg, "could not abort."));
	sl_twopc_refuse(&a, "unknown database, database=%s", "d9");
	CHECK(ANSWER(a, "ANALYSIS_ERROR", SL_TSTATUS "unknown database, database=d9"));

	sl_twopc_success(&c, "commit", &a);
	CHECK(ANSWER(a, SL_STATUS_SUCCESS, "transaction [7] commit successfully."));
	c.label = "a1";
	sl_twopc_success(&c, "commit", &a);
	CHECK(ANSWER(a, SL_STATUS_SUCCESS, "label [a1] transaction [7] commit successfully."));
	ab.by_id = 0;
	ab.label = "a2";
	sl_twopc_success(&ab, "abort", &a);
	CHECK(ANSWER(a, SL_STATUS_SUCCESS, "label [a2] abort successfully."));
}

int main(void)
{
	test_request();
	test_states();
	test_messages();
	printf("test-twopc: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
