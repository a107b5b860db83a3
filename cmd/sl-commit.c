/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-commit -- the last stage: reads sl-txn's counters up to E, applies
 * max_filter_ratio, commits (or precommits, for two_phase_commit) or
 * aborts the transaction, and prints Doris's JSON answer.
 * Standalone, it is the 2PC endpoint: commit or abort a precommitted
 * transaction by id or label and print Doris's 2PC answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "status.h"
#include "msg.h"
#include "stage.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "loadopt.h"
#include "profile.h"
#include "store.h"
#include "result.h"
#include "counts.h"
#include "twopc.h"
#include "compact.h"
#include "gcommit.h"

#define USAGE "sl-commit [--data-dir DIR] [-H 'name:value']... [--txn-operation commit|abort (--txn-id N | --label L) DB]\n" \
	SL_HELP_H \
	"  --txn-operation OP   commit or abort a prepared (2PC) transaction of DB\n" \
	"  --txn-id N           the transaction, by id\n" \
	"  --label L            the transaction, by label (when no id is given)\n" \
	SL_HELP_DATA_DIR \
	SL_HELP_STD \
	"See sl-commit(1).\n"

/* ---- standalone: 2PC commit/abort ---- */

static int answer_2pc(const sl_twopc_answer *a)
{
	sl_buf b = SL_BUF_ZERO;

	if (sl_result_2pc_json(a->status, a->msg, &b) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to build the answer");
	return sl_stage_answer(b.p, b.len, strcmp(a->status, SL_STATUS_SUCCESS) ? SL_EXIT_NO : SL_EXIT_OK);
}

/* Find the transaction the request names. 1 found; 0 refused (a filled). */
static int find_2pc(sl_store *st, const char *db, const sl_twopc_req *rq, sl_txninfo *ti, sl_twopc_answer *a)
{
	int r;

	if (rq->by_id) {
		r = sl_txn_lookup_id(st, db, rq->id, ti);
		if (r == 0)
			sl_twopc_refuse(a, "transaction [%" PRId64 "] not found", rq->id);
	} else {
		r = sl_txn_lookup_label(st, db, rq->label, ti);
		if (r == 0)
			sl_twopc_refuse(a, "transaction not found, label=%s", rq->label);
		if (r > 0 && !sl_twopc_running(rq, ti->state)) {
			sl_twopc_refuse(a, "running transaction not found, label=%s", rq->label);
			return 0;
		}
	}
	if (r < 0) {
		if (errno != ENOTDIR)
			sl_die((errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP), "unable to read the transaction log of %s: %s", db,
				sl_store_strerror(errno));
		sl_twopc_refuse(a, "unknown database, database=%s", db);
		return 0;
	}
	return r;
}

/* Commit or abort the transaction a 2PC request names; a: the answer. */
static void apply_2pc(sl_store *st, const char *db, const char *op, const sl_twopc_req *rq, sl_twopc_answer *a)
{
	sl_txninfo ti = SL_TXNINFO_ZERO, cur = SL_TXNINFO_ZERO;
	int r;

	if (!find_2pc(st, db, rq, &ti, a))
		return;
	if (!sl_twopc_allowed(rq, ti.state)) {
		sl_twopc_wrong_state(rq, &ti, a);
		return;
	}
	if (rq->commit)
		r = sl_txn_commit(st, db, ti.id, 0, ti.attach.p, ti.attach.len, &cur);
	else
		r = sl_txn_abort(st, db, ti.id, "User Abort", &cur);
	if (r == 0)
		sl_twopc_wrong_state(rq, &cur, a);
	else if (r < 0 && errno == ENOENT)
		sl_twopc_refuse(a, "transaction [%" PRId64 "] not found", ti.id);
	else if (r < 0 && errno == ENOTDIR)
		sl_twopc_refuse(a, "unknown database, database=%s", db);
	else if (r < 0 && errno == ESTALE)
		sl_twopc_refuse(a, "%s", sl_store_strerror(ESTALE));
	else if (r < 0)
		sl_die((errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP), "unable to %s transaction %" PRId64 ": %s", op, ti.id,
			sl_store_strerror(errno));
	else
		sl_twopc_success(rq, op, a);
	sl_txninfo_free(&ti);
	sl_txninfo_free(&cur);
}

static int run_2pc(const char *dir, const char *db, const char *op, const char *idtext, const char *label)
{
	sl_store st;
	sl_twopc_req rq;
	sl_twopc_answer a;

	if (!sl_twopc_request(op, idtext, label, &rq, &a))
		return answer_2pc(&a);
	if (sl_store_open(&st, dir) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open the data directory %s", dir);
	if (sl_db_exists(&st, db) != 1)
		sl_twopc_refuse(&a, "unknown database, database=%s", db);
	else
		apply_2pc(&st, db, op, &rq, &a);
	return answer_2pc(&a);
}

/* ---- pipeline stage ---- */

/* The stage's state: what upstream said, and the answer being built. */
typedef struct commit_ctx {
	sl_kv kv;               /* merged counters */
	char *xmsg;             /* an upstream failure (X, or a failed read) */
	int xcode;              /* and the exit code it gives */
	sl_result res;
	sl_store st;
	const char *db;
	double ratio;           /* max_filter_ratio */
	int precommit;          /* two_phase_commit: precommit only */
	const char *data_dir;   /* --data-dir, NULL: sl_data_dir's default */
} commit_ctx;

static int answer(commit_ctx *c, int code)
{
	sl_buf b = SL_BUF_ZERO;

	if (sl_result_json(&c->res, &b) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to build the answer");
	return sl_stage_answer(b.p, b.len, code);
}

static void set_or_die(char **field, const char *s)
{
	if (sl_result_set(field, s) < 0)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
}

/* Fail with message m (the transaction is already settled). */
static int answer_fail(commit_ctx *c, const char *m, int code)
{
	set_or_die(&c->res.status, SL_STATUS_FAIL);
	set_or_die(&c->res.message, m);
	return answer(c, code);
}

/* Read sl-txn's stream up to E, or to its failure (c->xmsg). */
static void read_upstream(commit_ctx *c)
{
	sl_reader rd;
	sl_frame f;
	int r;

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
			sl_stage_note(0, "%s", why);
			snprintf(m, sizeof m, SL_E_INTERNAL_ERROR "upstream failed: %s", why);
			c->xmsg = strdup(m);
			c->xcode = sl_stage_read_code(e);
			break;
		}
		if (f.type == 'C') {
			if (sl_kv_merge_frame(&c->kv, &f) < 0)
				sl_diesys(SL_EXIT_USAGE, "malformed counters frame");
		} else if (f.type == 'X') {
			sl_field fl[1];
			if (sl_fields_parse(f.p, f.len, fl, 1) < 1 || fl[0].n == SL_NULL_LEN)
				c->xmsg = strdup(SL_E_INTERNAL_ERROR "upstream failed");
			else
				c->xmsg = strndup(fl[0].p, fl[0].n);
			c->xcode = SL_EXIT_NO;
			if (!c->xmsg)
				sl_diesys(SL_EXIT_TEMP, "out of memory");
			return;
		} else if (f.type == 'E') {
			return;
		}
	}
	if (!c->xmsg)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
}

/* The answer's fields from the counters and the headers. */
static void take_result(commit_ctx *c, const sl_hdrs *h, int64_t start_ms)
{
	sl_loadopts lo;
	char m[256];
	int64_t s;

	if (sl_result_from_kv(&c->res, &c->kv) < 0 || sl_loadopt_parse(&lo, h, SL_LO_COMMIT, m, sizeof m) < 0)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	if (!c->res.label)
		set_or_die(&c->res.label, lo.v[SL_LO_LABEL].text);
	set_or_die(&c->res.comment, lo.v[SL_LO_COMMENT].text);
	c->precommit = c->res.two_phase = (int)lo.v[SL_LO_TWO_PHASE_COMMIT].i;
	c->ratio = lo.v[SL_LO_MAX_FILTER_RATIO].d;    /* sl-txn refused a bad one */
	sl_loadopt_free(&lo);
	s = sl_kv_get_i64(&c->kv, "StartTimeMs", start_ms);
	c->res.load_time_ms = sl_now_ms() - (s > 0 && s <= start_ms ? s : start_ms);
	c->db = sl_kv_get(&c->kv, "Db");
	if (c->res.txn_id > 0 && !c->db) {
		/* a transaction without its database: cannot settle it */
		sl_warn("row stream names transaction %" PRId64 " but no database", c->res.txn_id);
	}
}

static void abort_txn(commit_ctx *c, const char *why)
{
	sl_txninfo cur = SL_TXNINFO_ZERO;

	if (sl_txn_abort(&c->st, c->db, c->res.txn_id, why, &cur) < 0)
		sl_warnsys("unable to abort transaction %" PRId64, c->res.txn_id);
	sl_txninfo_free(&cur);
}

/* After a committed load, its answer written: when the table has more
 * rowset files than sl.conf's compaction_segment_threshold (counted
 * here), compact it in a detached grandchild (its own session, standard
 * fds on /dev/null), so that the load's answer is never delayed and never
 * fails for it. */
static void auto_compact(commit_ctx *c)
{
	const char *table = sl_kv_get(&c->kv, "Table");
	pid_t pid;
	int fd;

	/* most commits leave nothing to compact: no process for those */
	if (!table || !sl_compact_due(&c->st, c->db, table) || (pid = fork()) < 0)
		return;
	if (pid > 0) {
		while (waitpid(pid, 0, 0) < 0 && errno == EINTR)
			;
		return;
	}
	if (setsid() < 0 || fork() != 0)
		_exit(0);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	close_range(3, ~0u, 0);
	sl_compact_auto(&c->st, c->db, table);
	_exit(0);
}

/* Is the reader of our answer (the launcher) gone? A launcher that
 * feeds the body through a pipe (an INSERT) and dies cuts the body short
 * at a row boundary the stages cannot tell from its end. */
static int launcher_gone(void)
{
	struct pollfd p = { 1, 0, 0 };

	return getenv(SL_COMMIT_WATCH_ENV) && poll(&p, 1, 0) > 0 && (p.revents & POLLERR);
}

/* Commit (or precommit) the transaction with the answer attached. */
static int commit(commit_ctx *c)
{
	sl_buf att = SL_BUF_ZERO;
	sl_txninfo cur = SL_TXNINFO_ZERO;
	char m[512];
	int64_t t0;
	int r;

	set_or_die(&c->res.status, SL_STATUS_SUCCESS);
	set_or_die(&c->res.message, "OK");
	if (launcher_gone())
		sl_die(SL_EXIT_TEMP, "the load's launcher is gone (its body may be cut short): not committing");
	t0 = sl_mono_ms();
	/* the launcher's own record (an INSERT's job offset), from the
	 * environment: never from a header a client could send */
	r = sl_result_attach_extra(&c->res, getenv(SL_COMMIT_ATTACH_ENV), &att);
	if (r < 0)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	if (r == 0)
		sl_die(SL_EXIT_USAGE, "%s is not a JSON object of at most %d bytes", SL_COMMIT_ATTACH_ENV,
			SL_ATTACH_EXTRA_MAX);
	r = sl_txn_commit(&c->st, c->db, c->res.txn_id, c->precommit, att.p, att.len, &cur);
	if (!c->precommit)
		c->res.commit_time_ms = sl_mono_ms() - t0;
	c->res.load_time_ms += sl_mono_ms() - t0;
	close(0);       /* hands the transaction back: sl-txn may now exit */
	sl_buf_free(&att);
	if (r > 0) {
		r = answer(c, SL_EXIT_OK);
		if (!c->precommit)
			auto_compact(c);
		return r;
	}
	if (r == 0) {
		if (cur.state == SL_TXN_ABORTED)
			snprintf(m, sizeof m, SL_E_ANALYSIS_ERROR SL_TSTATUS "transaction [%" PRId64
				"] is already aborted. abort reason: %.300s", c->res.txn_id, cur.reason);
		else
			snprintf(m, sizeof m, SL_E_ANALYSIS_ERROR SL_TSTATUS "transaction [%" PRId64
				"] is %s, could not commit.", c->res.txn_id, sl_txn_state_name(cur.state));
		return answer_fail(c, m, SL_EXIT_NO);
	}
	r = errno;
	if (r == ESTALE) {
		/* a partition of the load was dropped or replaced meanwhile: the
		 * load fails, nothing of it is visible */
		snprintf(m, sizeof m, SL_E_ANALYSIS_ERROR SL_TSTATUS "%s", sl_store_strerror(r));
		abort_txn(c, m);
		return answer_fail(c, m, SL_EXIT_NO);
	}
	sl_stage_note(r, "unable to commit transaction %" PRId64, c->res.txn_id);
	snprintf(m, sizeof m, SL_E_INTERNAL_ERROR "unable to commit transaction %" PRId64 ": %s",
		c->res.txn_id, sl_store_strerror(r));
	/* EPROTO: the store is corrupt (sl-store(5)): exit 100 */
	return answer_fail(c, m, r == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP);
}

/* ---- group commit ---- */

/* Remove the load's spool once it is in the log or will never be: only
 * a spool-* file of the table's gc directory (the name comes from the
 * row stream). */
static void drop_spool(const char *dir, const char *spool)
{
	size_t n = strlen(dir);

	if (!strncmp(spool, dir, n) && spool[n] == '/' && !strncmp(spool + n + 1, "spool-", 6) &&
	    !strchr(spool + n + 1, '/'))
		sl_gcwal_spool_drop(dir, spool);
}

/* async_mode past its append: Success first, then the table's committer
 * started (a failure to start it is only warned: the record is durable
 * and the next reader of the table commits it). */
static int group_async_answer(commit_ctx *c, const char *table, int64_t t0)
{
	int r;

	c->res.load_time_ms += sl_mono_ms() - t0;
	set_or_die(&c->res.status, SL_STATUS_SUCCESS);
	set_or_die(&c->res.message, "OK");
	r = answer(c, SL_EXIT_OK);
	if (sl_gcommit_schedule(&c->st, c->db, table) < 0)
		sl_warnsys("unable to start the group committer of %s.%s (the next program that opens "
			"the table commits the load)", c->db, table);
	return r;
}

/* A sync_mode load whose record is in the log, before it waits for the
 * commit: with SL_GC_PREANSWER in the environment (the launcher's,
 * load.c), the record's position and the answer it will give on stdout,
 *   #gcwal gen=G off=O end=E rows=R len=N\n  then N bytes of answer
 * so that the launcher, should this process die before the final
 * answer, waits for the commit holding the record and answers Success,
 * as the rows will be visible. A failure to write is left to the final
 * answer's write. */
static void pre_answer(commit_ctx *c, const sl_gcwal_pos *pos)
{
	sl_buf b = SL_BUF_ZERO;
	char h[160];
	int n;

	if (!getenv("SL_GC_PREANSWER"))
		return;
	set_or_die(&c->res.status, SL_STATUS_SUCCESS);
	set_or_die(&c->res.message, "OK");
	if (sl_result_json(&c->res, &b) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to build the answer");
	n = snprintf(h, sizeof h, "#gcwal gen=%" PRIu64 " off=%" PRIu64 " end=%" PRIu64 " rows=%" PRIu64 " len=%zu\n",
		pos->gen, pos->off, pos->end, pos->rows, b.len);
	if (sl_allwrite(1, h, (size_t)n) == (size_t)n)
		sl_allwrite(1, b.p, b.len);
	sl_buf_free(&b);
}

/* A load of a table's group (sl-txn's GroupCommit counter): past its
 * max_filter_ratio, its spooled record is appended to the table's log;
 * sync_mode answers once the commit holding it is visible, async_mode
 * once the record is fsync'd (a committer commits it within the
 * interval). A failed load never reaches the log: it fails alone.
 * async_mode answers right after the append and starts the committer
 * after: a record in the log is acknowledged, whatever happens to this
 * process next (a record no committer took is committed by the next
 * program that opens the table, sl_gcommit_recover). */
static int group_commit(commit_ctx *c, const char *mode)
{
	const char *spool = sl_kv_get(&c->kv, "GroupCommitSpool"), *table = sl_kv_get(&c->kv, "Table");
	char dir[PATH_MAX], m[512];
	sl_gcwal_pos pos;
	int64_t t0 = sl_mono_ms(), id = -1;
	int async = !strcmp(mode, "async_mode"), r, mine;

	c->res.group_commit = 1;
	c->res.txn_id = -1;
	if (c->xmsg) {
		close(0);
		return answer_fail(c, c->xmsg, c->xcode);
	}
	if (!spool || !table || !c->db) {
		close(0);
		sl_stage_note(0, "a group commit load's row stream names no spool, database or table");
		return answer_fail(c, SL_E_INTERNAL_ERROR "the row stream names no group commit spool", SL_EXIT_USAGE);
	}
	if (sl_store_open(&c->st, sl_data_dir(c->data_dir)) < 0 || sl_gcwal_dir(&c->st, c->db, table, 1, dir) < 0) {
		r = errno;
		close(0);
		sl_stage_note(r, "unable to open the group commit log of %s.%s", c->db, table);
		snprintf(m, sizeof m, SL_E_INTERNAL_ERROR "unable to append to the group commit log: %s", strerror(r));
		return answer_fail(c, m, SL_EXIT_TEMP);
	}
	if (sl_counts_too_many_filtered(c->res.total, c->res.unselected, c->res.filtered, c->ratio)) {
		close(0);
		drop_spool(dir, spool);
		return answer_fail(c, SL_TOO_MANY_FILTERED_MSG, SL_EXIT_NO);
	}
	if (sl_gcwal_append(dir, spool, &pos) < 0) {
		r = errno;
		close(0);
		drop_spool(dir, spool);
		sl_stage_note(r, "unable to append to the group commit log of %s.%s", c->db, table);
		snprintf(m, sizeof m, SL_E_INTERNAL_ERROR "unable to append to the group commit log: %s", strerror(r));
		return answer_fail(c, m, SL_EXIT_TEMP);
	}
	close(0);       /* appended: sl-txn may remove the spool */
	drop_spool(dir, spool);
	if (async)
		return group_async_answer(c, table, t0);
	pre_answer(c, &pos);
	if ((mine = sl_gcommit_sync(&c->st, c->db, table, &pos, &id)) < 0) {
		r = errno;
		sl_stage_note(r, "unable to commit the group of %s.%s", c->db, table);
		snprintf(m, sizeof m, SL_E_INTERNAL_ERROR "unable to commit the group: %s", sl_store_strerror(r));
		return answer_fail(c, m, r == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP);
	}
	c->res.txn_id = id;
	c->res.load_time_ms += sl_mono_ms() - t0;
	set_or_die(&c->res.status, SL_STATUS_SUCCESS);
	set_or_die(&c->res.message, "OK");
	r = answer(c, SL_EXIT_OK);
	/* the load whose process made the commit checks the table's file
	 * count (the others' loads are in the same rowset) */
	if (mine == 2)
		auto_compact(c);
	return r;
}

static int run_stage(sl_opts *o)
{
	commit_ctx c;
	int64_t start_ms = sl_now_ms();

	memset(&c, 0, sizeof c);
	sl_result_init(&c.res);
	read_upstream(&c);
	take_result(&c, &o->hdrs, start_ms);
	c.data_dir = o->data_dir;
	if (sl_kv_get(&c.kv, "GroupCommit"))
		return group_commit(&c, sl_kv_get(&c.kv, "GroupCommit"));
	if ((c.res.txn_id > 0 && c.db) && sl_store_open(&c.st, sl_data_dir(o->data_dir)) < 0) {
		sl_stage_note(errno, "unable to open the data directory %s", sl_data_dir(o->data_dir));
		close(0);
		set_or_die(&c.res.message, SL_E_INTERNAL_ERROR "unable to open the data directory");
		return answer(&c, SL_EXIT_TEMP);
	}
	if (c.xmsg) {
		if (!c.res.status || strcmp(c.res.status, SL_STATUS_LABEL_EXISTS))
			set_or_die(&c.res.status, SL_STATUS_FAIL);
		set_or_die(&c.res.message, c.xmsg);
		if (c.res.txn_id > 0 && c.db)
			abort_txn(&c, c.xmsg);
		close(0);
		return answer(&c, c.xcode);
	}
	/* E: decide */
	if (c.res.txn_id <= 0 || !c.db) {
		close(0);
		set_or_die(&c.res.status, SL_STATUS_FAIL);
		set_or_die(&c.res.message, SL_E_INTERNAL_ERROR "no transaction in the row stream: run sl-txn before sl-commit");
		sl_stage_note(0, "no transaction in the row stream");
		return answer(&c, SL_EXIT_USAGE);
	}
	if (sl_counts_too_many_filtered(c.res.total, c.res.unselected, c.res.filtered, c.ratio)) {
		abort_txn(&c, SL_TOO_MANY_FILTERED_MSG);
		close(0);
		return answer_fail(&c, SL_TOO_MANY_FILTERED_MSG, SL_EXIT_NO);
	}
	return commit(&c);
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *db, *op = NULL, *id = NULL, *label = NULL;
	const sl_stage_opt opts[] = {
		{ "--txn-operation", &op, SL_STAGE_OPT_EQ },
		{ "--txn-id", &id, SL_STAGE_OPT_EQ },
		{ "--label", &label, SL_STAGE_OPT_EQ },
		{ NULL, NULL, 0 },
	};

	sl_msg_init(argv[0]);
	sl_stage_args_opts(&o, argc, argv, USAGE, opts, &db, 1);
	if (!db)        /* a load's last stage, not the 2PC tool */
		sl_profile_start(&o.hdrs, NULL);
	sl_stage_nopipe();

	if (db) {
		/* the 2PC endpoint: options, else the Doris headers */
		sl_loadopts lo;
		char m[256];
		if (sl_loadopt_parse(&lo, &o.hdrs, SL_LO_COMMIT, m, sizeof m) < 0)
			sl_diesys(SL_EXIT_TEMP, "out of memory");
		if (!op)
			op = lo.v[SL_LO_TXN_OPERATION].text;
		if (!id)
			id = lo.v[SL_LO_TXN_ID].text;
		if (!label)
			label = lo.v[SL_LO_LABEL].text;
		sl_loadopt_free(&lo);
		return run_2pc(sl_data_dir(o.data_dir), db, op && *op ? op : NULL, id && *id ? id : NULL,
			label && *label ? label : NULL);
	}
	if (op || id || label)
		sl_dieusage(USAGE);
	return run_stage(&o);
}
