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
#include "msg.h"
#include "io.h"
#include "hdr.h"
#include "store.h"
#include "auth.h"
#include "load.h"

#define USAGE "sl-load [--data-dir DIR] [-u user:pass] [-H 'name:value']... -T FILE|- DB.TABLE"

static volatile sig_atomic_t got_signal;

/* SIGINT/SIGTERM/SIGHUP: take the whole pipeline down; load.c then
 * answers from the transaction log. */
static void on_signal(int sig)
{
	got_signal = sig;
	sl_load_cancel(sig == SIGINT ? "[INTERNAL_ERROR]the load was cancelled by signal 2" :
		sig == SIGTERM ? "[INTERNAL_ERROR]the load was cancelled by signal 15" :
		"[INTERNAL_ERROR]the load was cancelled by signal 1");
}

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	sl_warn("%s", msg);
}

static int print_answer(const sl_buf *b, int code)
{
	if (sl_allwrite(1, b->p, b->len) != b->len) {
		fprintf(stderr, "%s: fatal: unable to write stdout: %s\n", sl_prog, strerror(errno));
		return SL_EXIT_TEMP;
	}
	if (close(1) < 0) {
		fprintf(stderr, "%s: fatal: unable to close stdout: %s\n", sl_prog, strerror(errno));
		return SL_EXIT_TEMP;
	}
	return code;
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *target = NULL, *file = NULL, *user = NULL, *dot;
	char db[65], table[65], *pass = NULL, *uname = NULL;
	sl_load_req rq;
	sl_load_out out;
	sl_store st;
	struct sigaction sa;
	int i, r, code;

	sl_msg_init(argv[0]);
	sl_spawn_builtins = sl_builtin_stages;
	for (i = 1; i < argc;) {
		const char *a = argv[i];
		int c = sl_opt_common(&o, argc, argv, i);
		if (c < 0)
			sl_dieusage(USAGE);
		if (c > 0) {
			i += c;
			continue;
		}
		if (!strcmp(a, "-T") || !strcmp(a, "-u")) {
			if (i + 1 >= argc || !*argv[i + 1])
				sl_dieusage(USAGE);
			if (a[1] == 'T')
				file = argv[i + 1];
			else
				user = argv[i + 1];
			i += 2;
			continue;
		}
		if (a[0] == '-' && a[1])
			sl_dieusage(USAGE);
		if (target)
			sl_dieusage(USAGE);
		target = argv[i++];
	}
	if (o.help) {
		printf("usage: %s\n", USAGE);
		return fflush(stdout) || ferror(stdout) ? SL_EXIT_TEMP : 0;
	}
	if (!target || !file)
		sl_dieusage(USAGE);
	dot = strchr(target, '.');
	if (!dot || dot == target || !dot[1] || strchr(dot + 1, '.') ||
	    (size_t)(dot - target) >= sizeof db || strlen(dot + 1) >= sizeof table)
		sl_dieusage(USAGE);
	memcpy(db, target, (size_t)(dot - target));
	db[dot - target] = 0;
	strcpy(table, dot + 1);
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

	if (user) {
		/* user:password, split at the first ':' (as Basic auth) */
		char msg[512];
		const char *why;
		if (!(uname = strdup(user)))
			sl_diesys(SL_EXIT_TEMP, "out of memory");
		if ((pass = strchr(uname, ':')))
			*pass++ = 0;
		if (sl_store_open(&st, sl_data_dir(o.data_dir)) < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to open the data directory %s", sl_data_dir(o.data_dir));
		r = sl_load_auth(&st, uname, pass ? pass : "", "127.0.0.1", db, table, SL_PRIV_LOAD,
			msg, sizeof msg, &why);
		if (r < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to check the user %s", uname);
		rq.user = uname;
		if (r == 0) {
			rq.st = &st;
			rq.no_record = 1;
			if (sl_load_fail(&rq, msg, &out) < 0)
				sl_diesys(SL_EXIT_TEMP, "out of memory");
			return print_answer(&out.answer, SL_EXIT_NO);
		}
		sl_store_close(&st);
	}

	if (!strcmp(file, "-"))
		rq.infd = 0;
	else if ((rq.infd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		sl_diesys(sl_exit_for_errno(errno), "unable to open %s", file);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;        /* EPIPE on stdout is handled */
	sigaction(SIGPIPE, &sa, NULL);

	if (sl_load_run(&rq, &out) < 0) {
		int e = errno;
		if (e == ENOENT || e == EACCES || e == ENOEXEC)
			sl_diesys(e == ENOENT ? SL_EXIT_NOENT : SL_EXIT_NOEXEC, "unable to run %s", out.failed_path);
		sl_diesys(SL_EXIT_TEMP, "unable to run the load");
	}
	if (rq.infd != 0)
		close(rq.infd);
	code = print_answer(&out.answer, out.ok ? SL_EXIT_OK : SL_EXIT_NO);
	if (got_signal && code == SL_EXIT_NO)
		code = 128 + got_signal;
	return code;
}
