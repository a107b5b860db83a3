/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-load -- Stream Load without a server: runs
 *   sl-parse | sl-map DB.TABLE | sl-filter | sl-txn DB.TABLE | sl-commit
 * with every header given to every stage, FILE on sl-parse's stdin, and
 * prints sl-commit's answer (load.h does the work, as for sl-httpd). If the
 * chain breaks before sl-commit could answer, the transaction log says what
 * happened to the load: committed (answer from the commit record's
 * attachment) or not (aborted, Fail). -u user:pass is checked against the
 * data directory's users and grants (LOAD on DB.TABLE); without -u the load
 * runs as the local administrator, root.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "sl.h"
#include "status.h"
#include "stage.h"
#include "msg.h"
#include "io.h"
#include "hdr.h"
#include "store.h"
#include "auth.h"
#include "load.h"

#define USAGE "sl-load [--data-dir DIR] [-u user:pass] [-H 'name:value']... -T FILE|- DB.TABLE\n" \
	SL_HELP_H \
	"  -T FILE|-            the data to load (- for standard input)\n" \
	"  -u user:pass         load as this user, its password and LOAD_PRIV checked (as curl -u)\n" \
	SL_HELP_DATA_DIR \
	SL_HELP_STD \
	"See sl-load(1).\n"

static volatile sig_atomic_t got_signal;

/* SIGINT/SIGTERM/SIGHUP: take the whole pipeline down; load.c then
 * answers from the transaction log. */
static void on_signal(int sig)
{
	got_signal = sig;
	sl_load_cancel(sig == SIGINT ? SL_E_INTERNAL_ERROR "the load was cancelled by signal 2" :
		sig == SIGTERM ? SL_E_INTERNAL_ERROR "the load was cancelled by signal 15" :
		SL_E_INTERNAL_ERROR "the load was cancelled by signal 1");
}

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	sl_warn("%s", msg);
}

/* -u user:password, split at the first ':' (as Basic auth): 1 if the user
 * holds LOAD on the table; 0 if not, with the refusal in out. */
static int check_user(sl_load_req *rq, const char *user, sl_load_out *out)
{
	sl_store st;
	char msg[512], *uname, *pass;
	const char *why;
	int r;

	if (!(uname = strdup(user)))
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	if ((pass = strchr(uname, ':')))
		*pass++ = 0;
	if (sl_store_open(&st, sl_data_dir(rq->data_dir)) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open the data directory %s", sl_data_dir(rq->data_dir));
	r = sl_load_auth(&st, uname, pass ? pass : "", "127.0.0.1", rq->db, rq->table, SL_PRIV_LOAD,
		msg, sizeof msg, &why);
	if (r < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to check the user %s", uname);
	rq->user = uname;
	if (r == 0) {
		rq->st = &st;
		rq->no_record = 1;
		if (sl_load_fail(rq, msg, out) < 0)
			sl_diesys(SL_EXIT_TEMP, "out of memory");
		rq->st = NULL;
		return 0;
	}
	sl_store_close(&st);
	return 1;
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *target, *file = NULL, *user = NULL;
	char db[65], table[65];
	const sl_stage_opt opts[] = {
		{ "-T", &file, SL_STAGE_OPT_NONEMPTY },
		{ "-u", &user, SL_STAGE_OPT_NONEMPTY },
		{ NULL, NULL, 0 },
	};
	sl_load_req rq;
	sl_load_out out;
	int code;

	sl_msg_init(argv[0]);
	sl_spawn_builtins = sl_builtin_stages;
	sl_stage_args_opts(&o, argc, argv, USAGE, opts, &target, 1);
	if (!target || !file || !sl_stage_target(target, db, table))
		sl_dieusage(USAGE);
	if (o.hdrs.n > 100)
		sl_die(SL_EXIT_USAGE, "too many headers (at most 100)");

	memset(&rq, 0, sizeof rq);
	rq.data_dir = o.data_dir;
	rq.db = db;
	rq.table = table;
	rq.hdrs = &o.hdrs;
	rq.errfd = -1;
	rq.user = "root";
	rq.client_ip = "127.0.0.1";
	rq.warn = warn_cb;
	sl_load_out_init(&out);
	if (!sl_load_label(&rq))
		sl_diesys(SL_EXIT_TEMP, "unable to generate a label");

	if (user && !check_user(&rq, user, &out))
		return sl_stage_answer(out.answer.p, out.answer.len, SL_EXIT_NO);

	if (!strcmp(file, "-"))
		rq.infd = 0;
	else if ((rq.infd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		sl_diesys(sl_exit_for_errno(errno), "unable to open %s", file);

	sl_stage_catch(SIGINT, on_signal);
	sl_stage_catch(SIGTERM, on_signal);
	sl_stage_catch(SIGHUP, on_signal);
	sl_stage_catch(SIGPIPE, SIG_IGN);       /* EPIPE on stdout is handled */

	if (sl_load_run(&rq, &out) < 0) {
		int e = errno;
		if (e == ENOENT || e == EACCES || e == ENOEXEC)
			sl_diesys(e == ENOENT ? SL_EXIT_NOENT : SL_EXIT_NOEXEC, "unable to run %s", out.failed_path);
		sl_diesys(SL_EXIT_TEMP, "unable to run the load");
	}
	if (rq.infd != 0)
		close(rq.infd);
	code = sl_stage_answer(out.answer.p, out.answer.len, out.ok ? SL_EXIT_OK : SL_EXIT_NO);
	if (got_signal && code == SL_EXIT_NO)
		code = 128 + got_signal;
	return code;
}
