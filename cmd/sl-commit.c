/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-commit -- the last stage: reads sl-txn's counters up to E, applies
 * max_filter_ratio, commits (or precommits, for two_phase_commit) or
 * aborts the transaction, and prints Doris's JSON answer.
 * Standalone, it is the 2PC endpoint: commit or abort a precommitted
 * transaction by id or label and print Doris's 2PC answer.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "profile.h"
#include "store.h"
#include "result.h"

#define USAGE "sl-commit [--data-dir DIR] [-H 'name:value']... " \
	"[--txn-operation commit|abort (--txn-id N | --label L) DB]"
#define TSTATUS "TStatus: errCode = 2, detailMessage = "

static void on_sigpipe(int sig) { (void)sig; }

/* "prog: fatal: ..." for failures that still have an answer to send
 * before exiting (sl_die would exit at once). err 0: no strerror. */
__attribute__((format(printf, 2, 3)))
static void fatal_note(int err, const char *fmt, ...)
{
	char b[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, "%s: fatal: %s: %s\n", sl_prog, b, sl_store_strerror(err));
	else
		fprintf(stderr, "%s: fatal: %s\n", sl_prog, b);
}

/* Print everything in b on stdout and close it; 111 on failure. */
static int emit(const sl_buf *b, int code)
{
	if (sl_allwrite(1, b->p, b->len) != b->len) {
		fatal_note(errno, "unable to write stdout");
		return SL_EXIT_TEMP;
	}
	if (close(1) < 0) {
		fatal_note(errno, "unable to close stdout");
		return SL_EXIT_TEMP;
	}
	return code;
}

/* ---- standalone: 2PC commit/abort ---- */

static int answer_2pc(const char *status, const char *msg)
{
	sl_buf b = SL_BUF_ZERO;

	if (sl_result_2pc_json(status, msg, &b) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to build the answer");
	return emit(&b, strcmp(status, "Success") ? SL_EXIT_NO : SL_EXIT_OK);
}

__attribute__((format(printf, 2, 3)))
static int answer_2pcf(const char *status, const char *fmt, ...)
{
	char m[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return answer_2pc(status, m);
}


/* The wrong-state message of DatabaseTransactionMgr for txn ti. */
static int wrong_state(int commit, const sl_txninfo *ti)
{
	int64_t id = ti->id;

	if (commit) {
		switch (ti->state) {
		case SL_TXN_VISIBLE:
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] is already visible, not pre-committed.", id);
		case SL_TXN_COMMITTED:
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] is already committed, not pre-committed.", id);
		case SL_TXN_PREPARE:
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] is prepare, not pre-committed.", id);
		case SL_TXN_ABORTED:
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] is already aborted. abort reason: %s", id, ti->reason);
		}
	} else {
		switch (ti->state) {
		case SL_TXN_ABORTED:
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] is already aborted, abort reason: %s", id, ti->reason);
		case SL_TXN_COMMITTED:
		case SL_TXN_VISIBLE:
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] is already %s, could not abort.",
				id, sl_txn_state_name(ti->state));
		}
	}
	return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] is %s", id, sl_txn_state_name(ti->state));
}

static int run_2pc(const char *dir, const char *db, const char *op, const char *idtext, const char *label)
{
	sl_store st;
	sl_txninfo ti = SL_TXNINFO_ZERO, cur = SL_TXNINFO_ZERO;
	unsigned long long uid = 0;
	int commit, r;
	char okmsg[512];

	if (!idtext && !label)
		return answer_2pc("FAILED", "No transaction id or label selected.");
	if (!op)
		return answer_2pc("FAILED", "No transaction operation('commit' or 'abort') selected.");
	if (strcmp(op, "commit") && strcmp(op, "abort"))
		return answer_2pc("INTERNAL_ERROR", "transaction operation should be 'commit' or 'abort'");
	commit = !strcmp(op, "commit");
	if (idtext && sl_stoull(idtext, &uid) != 1)
		return answer_2pcf("INTERNAL_ERROR", "convert txn_id [%s] failed, reason=stoull", idtext);
	snprintf(okmsg, sizeof okmsg, "%s%.200s%s", label ? "label [" : "", label ? label : "", label ? "] " : "");
	if (idtext)
		snprintf(okmsg + strlen(okmsg), sizeof okmsg - strlen(okmsg), "transaction [%" PRId64 "] ", (int64_t)uid);
	snprintf(okmsg + strlen(okmsg), sizeof okmsg - strlen(okmsg), "%s successfully.", op);

	if (sl_store_open(&st, dir) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open the data directory %s", dir);
	if (sl_db_exists(&st, db) != 1)
		return answer_2pcf("ANALYSIS_ERROR", TSTATUS "unknown database, database=%s", db);
	if (idtext) {
		r = sl_txn_lookup_id(&st, db, (int64_t)uid, &ti);
		if (r == 0)
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] not found", (int64_t)uid);
	} else {
		r = sl_txn_lookup_label(&st, db, label, &ti);
		if (r == 0)
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction not found, label=%s", label);
		if (r > 0 && !(ti.state == SL_TXN_PRECOMMITTED || (!commit && ti.state == SL_TXN_PREPARE)))
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "running transaction not found, label=%s", label);
	}
	if (r < 0) {
		if (errno == ENOTDIR)
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "unknown database, database=%s", db);
		sl_die((errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP), "unable to read the transaction log of %s: %s", db,
			sl_store_strerror(errno));
	}
	/* the store commits PREPARE too (that is the pipeline's commit);
	 * 2PC commits only PRECOMMITTED, and states never move back */
	if (commit && ti.state != SL_TXN_PRECOMMITTED)
		return wrong_state(commit, &ti);
	if (commit)
		r = sl_txn_commit(&st, db, ti.id, 0, ti.attach.p, ti.attach.len, &cur);
	else
		r = sl_txn_abort(&st, db, ti.id, "User Abort", &cur);
	if (r == 0)
		return wrong_state(commit, &cur);
	if (r < 0) {
		if (errno == ENOENT)
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "transaction [%" PRId64 "] not found", ti.id);
		if (errno == ENOTDIR)
			return answer_2pcf("ANALYSIS_ERROR", TSTATUS "unknown database, database=%s", db);
		sl_die((errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP), "unable to %s transaction %" PRId64 ": %s", op, ti.id,
			sl_store_strerror(errno));
	}
	sl_txninfo_free(&ti);
	sl_txninfo_free(&cur);
	return answer_2pc("Success", okmsg);
}

/* ---- pipeline stage ---- */

static int answer(sl_result *res, int code)
{
	sl_buf b = SL_BUF_ZERO;

	if (sl_result_json(res, &b) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to build the answer");
	return emit(&b, code);
}

static void set_or_die(char **field, const char *s)
{
	if (sl_result_set(field, s) < 0)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
}

static int run_stage(sl_opts *o)
{
	sl_reader rd;
	sl_frame f;
	sl_kv kv = SL_KV_ZERO;
	sl_result res;
	sl_store st;
	const char *v, *db;
	char *xmsg = NULL;
	double ratio = 0;
	int precommit, r, got_end = 0, code = SL_EXIT_NO;
	int64_t start_ms = sl_now_ms(), t0;

	sl_result_init(&res);
	if (sl_reader_init(&rd, 0) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to allocate buffers");
	sl_pipe_grow_std();
	for (;;) {
		r = sl_frame_read(&rd, &f);
		if (r == 0) {
			errno = EPIPE;
			r = -1;
		}
		if (r < 0) {
			int e = errno;
			const char *why = sl_reader_errstr(&rd, e);
			char m[512];
			if (rd.nbytes == 0 && e == EPROTO)
				sl_die(SL_EXIT_USAGE, "%s", why);
			fatal_note(0, "%s", why);
			snprintf(m, sizeof m, "[INTERNAL_ERROR]upstream failed: %s", why);
			xmsg = strdup(m);
			code = e == EPROTO || e == ERANGE ? SL_EXIT_USAGE : SL_EXIT_TEMP;
			break;
		}
		if (f.type == 'C') {
			if (sl_kv_merge_frame(&kv, &f) < 0)
				sl_diesys(SL_EXIT_USAGE, "malformed counters frame");
		} else if (f.type == 'X') {
			sl_field fl[1];
			if (sl_fields_parse(f.p, f.len, fl, 1) < 1 || fl[0].n == SL_NULL_LEN)
				xmsg = strdup("[INTERNAL_ERROR]upstream failed");
			else
				xmsg = strndup(fl[0].p, fl[0].n);
			break;
		} else if (f.type == 'E') {
			got_end = 1;
			break;
		}
	}
	if (!got_end && !xmsg)
		sl_diesys(SL_EXIT_TEMP, "out of memory");

	if (sl_result_from_kv(&res, &kv) < 0)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	if (!res.label)
		set_or_die(&res.label, sl_hdrs_get(&o->hdrs, "label"));
	set_or_die(&res.comment, sl_hdrs_get(&o->hdrs, "comment"));
	v = sl_hdrs_get(&o->hdrs, "two_phase_commit");
	precommit = res.two_phase = v && !strcmp(v, "true");
	sl_hdrs_ratio(&o->hdrs, &ratio);        /* sl-txn refused a bad one */
	{
		int64_t s = sl_kv_get_i64(&kv, "StartTimeMs", start_ms);
		res.load_time_ms = sl_now_ms() - (s > 0 && s <= start_ms ? s : start_ms);
	}
	db = sl_kv_get(&kv, "Db");
	if (res.txn_id > 0 && !db) {
		/* a transaction without its database: cannot settle it */
		sl_warn("row stream names transaction %" PRId64 " but no database", res.txn_id);
	}
	if ((res.txn_id > 0 && db) && sl_store_open(&st, sl_data_dir(o->data_dir)) < 0) {
		fatal_note(errno, "unable to open the data directory %s", sl_data_dir(o->data_dir));
		close(0);
		set_or_die(&res.message, "[INTERNAL_ERROR]unable to open the data directory");
		return answer(&res, SL_EXIT_TEMP);
	}

	if (xmsg) {
		if (!res.status || strcmp(res.status, "Label Already Exists"))
			set_or_die(&res.status, "Fail");
		set_or_die(&res.message, xmsg);
		if (res.txn_id > 0 && db) {
			sl_txninfo cur = SL_TXNINFO_ZERO;
			if (sl_txn_abort(&st, db, res.txn_id, xmsg, &cur) < 0)
				sl_warnsys("unable to abort transaction %" PRId64, res.txn_id);
			sl_txninfo_free(&cur);
		}
		close(0);
		return answer(&res, code);
	}

	/* E: decide */
	if (res.txn_id <= 0 || !db) {
		close(0);
		set_or_die(&res.status, "Fail");
		set_or_die(&res.message, "[INTERNAL_ERROR]no transaction in the row stream: run sl-txn before sl-commit");
		fatal_note(0, "no transaction in the row stream");
		return answer(&res, SL_EXIT_USAGE);
	}
	{
		int64_t selected = res.total - res.unselected;
		if (selected > 0 && (double)res.filtered / (double)selected > ratio) {
			sl_txninfo cur = SL_TXNINFO_ZERO;
			const char *m = "[DATA_QUALITY_ERROR]too many filtered rows";
			if (sl_txn_abort(&st, db, res.txn_id, m, &cur) < 0)
				sl_warnsys("unable to abort transaction %" PRId64, res.txn_id);
			sl_txninfo_free(&cur);
			close(0);
			set_or_die(&res.status, "Fail");
			set_or_die(&res.message, m);
			return answer(&res, SL_EXIT_NO);
		}
	}
	set_or_die(&res.status, "Success");
	set_or_die(&res.message, "OK");
	{
		sl_buf att = SL_BUF_ZERO;
		sl_txninfo cur = SL_TXNINFO_ZERO;

		t0 = sl_mono_ms();
		if (sl_result_attach(&res, &att) < 0)
			sl_diesys(SL_EXIT_TEMP, "out of memory");
		r = sl_txn_commit(&st, db, res.txn_id, precommit, att.p, att.len, &cur);
		if (!precommit)
			res.commit_time_ms = sl_mono_ms() - t0;
		res.load_time_ms += sl_mono_ms() - t0;
		close(0);       /* hands the transaction back: sl-txn may now exit */
		sl_buf_free(&att);
		if (r > 0)
			return answer(&res, SL_EXIT_OK);
		set_or_die(&res.status, "Fail");
		if (r == 0) {
			char m[512];
			if (cur.state == SL_TXN_ABORTED)
				snprintf(m, sizeof m, "[ANALYSIS_ERROR]" TSTATUS "transaction [%" PRId64
					"] is already aborted. abort reason: %.300s", res.txn_id, cur.reason);
			else
				snprintf(m, sizeof m, "[ANALYSIS_ERROR]" TSTATUS "transaction [%" PRId64
					"] is %s, could not commit.", res.txn_id, sl_txn_state_name(cur.state));
			set_or_die(&res.message, m);
			return answer(&res, SL_EXIT_NO);
		}
		fatal_note(errno, "unable to commit transaction %" PRId64, res.txn_id);
		{
			char m[512];
			snprintf(m, sizeof m, "[INTERNAL_ERROR]unable to commit transaction %" PRId64 ": %s",
				res.txn_id, sl_store_strerror(errno));
			set_or_die(&res.message, m);
		}
		/* EPROTO: the store is corrupt (sl-store(5)): exit 100 */
		return answer(&res, (errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP));
	}
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *db = NULL, *op = NULL, *id = NULL, *label = NULL;
	struct sigaction sa;
	int i;

	sl_msg_init(argv[0]);
	for (i = 1; i < argc;) {
		const char *a = argv[i];
		int k = sl_opt_common(&o, argc, argv, i);
		if (k < 0)
			sl_dieusage(USAGE);
		if (k > 0) {
			i += k;
			continue;
		}
		if (!strcmp(a, "--txn-operation") || !strcmp(a, "--txn-id") || !strcmp(a, "--label")) {
			if (i + 1 >= argc)
				sl_dieusage(USAGE);
			if (a[6] == 'o')
				op = argv[i + 1];
			else if (a[6] == 'i')
				id = argv[i + 1];
			else
				label = argv[i + 1];
			i += 2;
			continue;
		}
		if (!strncmp(a, "--txn-operation=", 16)) { op = a + 16; i++; continue; }
		if (!strncmp(a, "--txn-id=", 9)) { id = a + 9; i++; continue; }
		if (!strncmp(a, "--label=", 8)) { label = a + 8; i++; continue; }
		if (a[0] == '-' && a[1])
			sl_dieusage(USAGE);
		if (db)
			sl_dieusage(USAGE);
		db = argv[i++];
	}
	if (o.help) {
		printf("usage: %s\n", USAGE);
		return fflush(stdout) || ferror(stdout) ? SL_EXIT_TEMP : 0;
	}
	if (!db)        /* a load's last stage, not the 2PC tool */
		sl_profile_start(&o.hdrs, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigpipe;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);

	if (db) {
		/* the 2PC endpoint: options, else the Doris headers */
		if (!op)
			op = sl_hdrs_get(&o.hdrs, "txn_operation");
		if (!id)
			id = sl_hdrs_get(&o.hdrs, "txn_id");
		if (!label)
			label = sl_hdrs_get(&o.hdrs, "label");
		if (op && !*op)
			op = NULL;
		if (id && !*id)
			id = NULL;
		if (label && !*label)
			label = NULL;
		return run_2pc(sl_data_dir(o.data_dir), db, op, id, label);
	}
	if (op || id || label)
		sl_dieusage(USAGE);
	return run_stage(&o);
}
