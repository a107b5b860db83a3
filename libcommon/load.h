/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load.h -- run one Stream Load the way sl-load and sl-httpd both do it:
 *   sl-parse DB.TABLE | sl-map DB.TABLE | sl-filter | sl-txn DB.TABLE | sl-commit
 * (sl-filter only when the load has a `where`: without one it would only
 * copy; each stage built in or exec'd, see sl_load_stage_path)
 * with every header of the load given to every stage as -H (a label is
 * generated when the load has none), the body on sl-parse's stdin (an fd,
 * or a pipe the caller feeds), and sl-commit's answer collected. When the
 * chain breaks before sl-commit could answer (a stage died, the load was
 * cancelled), the transaction log says what happened: committed (the answer
 * comes from the commit record's attachment) or not (the txn is aborted,
 * Fail). Every load is then added to the stream load record (record.h).
 *
 * Every stage runs under the load's limits (spawn.h): data memory from the
 * exec_mem_limit header (hdr.h; at most sl.conf exec_mem_limit_max, default
 * 2 GB; at least 64 MiB) and CPU time from its timeout (else sl.conf
 * stream_load_default_timeout_second) on every core. A Fail names the
 * earliest stage that failed by itself, not what the stages after it made
 * of their broken input: "[MEM_LIMIT_EXCEEDED]memory limit exceeded: <stage>
 * reached the load's limit of N bytes (exec_mem_limit)", "[TIMEOUT]<stage>
 * used more CPU time ...", "[INTERNAL_ERROR]the load pipeline failed:
 * <stage> killed by signal N" (also warned).
 *
 * Also the answers a load gets without running the pipeline (refused by
 * auth, bad framing, too large) and Doris's auth messages, so that both
 * front ends word them alike. Nothing here prints or exits; warnings go to
 * the request's warn callback.
 */
#ifndef SL_LOAD_H
#define SL_LOAD_H

#include <stdint.h>
#include "io.h"
#include "hdr.h"
#include "store.h"
#include "result.h"

typedef struct sl_load_req {
	const char *data_dir;   /* given to every stage as --data-dir; NULL: none
	                         * (stages use $SL_DATA_DIR or ./sl-data) */
	sl_store *st;           /* the store (fallback answer, record); NULL:
	                         * opened from sl_data_dir(data_dir) when needed */
	const char *bindir;     /* directory of the stage programs to exec;
	                         * NULL: sl_load_stage_path's choice */
	const char *db, *table;
	sl_hdrs *hdrs;          /* the load's headers; "label" is added when absent */
	int infd;               /* sl-parse's stdin; -1: a pipe fed by feed() */
	/* With infd -1: write the body to wfd (a blocking pipe; EPIPE when the
	 * pipeline stopped reading, which is not an error: return NULL). Return
	 * NULL when done (wfd is then closed: the body ends), or the Fail
	 * message of an aborted body ("[NETWORK_ERROR]..."): the pipeline is then
	 * killed and nothing of the load becomes visible. The string must live
	 * until sl_load_run returns. */
	const char *(*feed)(void *ctx, int wfd);
	void *feed_ctx;
	int errfd;              /* the stages' stderr; -1: inherited */
	char *const *env;       /* NULL or a NULL-terminated list of NAME=value
	                         * added to (or replacing in) the stages' environment */
	const char *user;       /* for the record ("root" when NULL) */
	const char *client_ip;  /* for the record ("" when NULL) */
	void (*warn)(void *ctx, const char *msg);  /* NULL: warnings dropped */
	void *warn_ctx;
	int no_record;          /* 1: do not add the load to the record */
	int here;               /* 1: a small group commit load may run its
	                         * stages in this process (spawn.h
	                         * sl_spawn_sequence_here): sl-httpd's
	                         * connection process, which serves loads */
	int no_label;           /* 1: sl_load_fail answers Label "" (http_stream's
	                         * planning failures: the load never had one) */
} sl_load_req;

typedef struct sl_load_out {
	sl_result res;          /* the answer, parsed */
	sl_buf answer;          /* the stream-load JSON, with its trailing newline */
	int ok;                 /* Status is "Success" */
	int cancelled;          /* the load was cancelled (sl_load_cancel or feed) */
	int here;               /* its stages ran in this process (rq->here);
	                         * until sl_spawn_here_ready() says 0 (a
	                         * signal stopped one), it may run more */
	size_t failed_stage;    /* on -1 with an exec error: which stage */
	char failed_path[512];  /* and its path */
} sl_load_out;

/* How stage name runs, as the argv[0] to give spawn.h: bindir/name, else
 * $SL_STAGE_DIR/name when that is set and not empty (exec'd: a replaced or
 * wrapped stage); else the bare name when this binary carries the stage
 * built in (forked without exec, builtin.h); else name next to our own
 * executable when it is there; else the bare name (PATH). NULL: ENOMEM. */
char *sl_load_stage_path(const char *bindir, const char *name);

void sl_load_out_init(sl_load_out *o);
void sl_load_out_free(sl_load_out *o);

/* The load's label: the "label" header, else a generated UUID, which is
 * then added to rq->hdrs. NULL with errno on failure. */
const char *sl_load_label(sl_load_req *rq);

/* Run the load; fills out (answer, ok) and records it. 1 an answer was
 * made (Success or Fail: see out->ok); -1 errno: nothing ran or could be
 * answered (ENOENT/EACCES/ENOEXEC: stage out->failed_stage could not be
 * exec'd, see out->failed_path; ENOMEM; ...).
 * The caller must have no other children it waits for (spawn.h). */
int sl_load_run(sl_load_req *rq, sl_load_out *out);

/* Async-signal-safe: cancel the load that sl_load_run is running in this
 * process: every stage is killed (SIGKILL) and the answer is Fail with
 * message msg (a string that outlives the load; e.g. "[TIMEOUT]..."). No-op
 * when no load runs. */
void sl_load_cancel(const char *msg);

/* The Fail answer of a load refused before its pipeline ran (TxnId -1,
 * the load's label, comment, TwoPhaseCommit): fills out. Recorded unless
 * rq->no_record. 1, -1 errno. */
int sl_load_fail(sl_load_req *rq, const char *msg, sl_load_out *out);

/* Add out's answer to the record of rq->db (skipped when sl.conf sets
 * enable_stream_load_record = false or the database does not exist).
 * start_ms: wall clock of the load's start. 1, 0 skipped, -1 errno. */
int sl_load_add_record(sl_load_req *rq, const sl_load_out *out, int64_t start_ms);

/* Doris's authentication and privilege check of a load (begin-txn at the
 * FE): password of user, then priv (auth.h SL_PRIV_*) on db.table (table
 * NULL: on db). 1 allowed; 0 refused, msg filled with the Doris message:
 *   [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for
 *     user '<user>@<client_ip>' (using password: YES|NO)
 *   [ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied; you
 *     need (at least one of) the (LOAD) privilege(s) for this operation
 * and *reason a short reason for the log ("bad password or unknown user",
 * "no LOAD privilege on db.table"); -1 errno. */
int sl_load_auth(sl_store *st, const char *user, const char *password, const char *client_ip,
	const char *db, const char *table, int priv, char *msg, size_t cap, const char **reason);

#endif
