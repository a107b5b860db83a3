/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-load -- Stream Load without a server: runs
 *   sl-parse | sl-map DB.TABLE | sl-filter | sl-txn DB.TABLE | sl-commit
 * with every header given to every stage, FILE on sl-parse's stdin, and
 * prints sl-commit's answer. If the chain breaks before sl-commit could
 * answer, the transaction log says what happened to the load: committed
 * (answer from the commit record's attachment) or not (aborted, Fail).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "label.h"
#include "msg.h"
#include "io.h"
#include "hdr.h"
#include "store.h"
#include "result.h"
#include "spawn.h"

#define USAGE "sl-load [--data-dir DIR] [-u user:pass] [-H 'name:value']... -T FILE|- DB.TABLE"
#define NSTAGES 5
#define ANSWER_MAX (1u << 20)

static const char *const stage_names[NSTAGES] = { "sl-parse", "sl-map", "sl-filter", "sl-txn", "sl-commit" };
static sl_pipeline pl;
static volatile sig_atomic_t got_signal;

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
		fprintf(stderr, "%s: fatal: %s: %s\n", sl_prog, b, strerror(err));
	else
		fprintf(stderr, "%s: fatal: %s\n", sl_prog, b);
}

/* SIGINT/SIGTERM/SIGHUP: take the whole pipeline down (kill is
 * async-signal-safe); the main loop then reaps and answers. */
static void on_signal(int sig)
{
	size_t i;

	got_signal = sig;
	for (i = 0; i < pl.n; i++)
		if (pl.pid && pl.pid[i] > 0 && !pl.done[i])
			kill(pl.pid[i], SIGKILL);
}

/* The stage binary: next to our own executable, else found in PATH. */
static char *stage_path(const char *name)
{
	char self[4096], *slash, *p;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n > 0) {
		self[n] = 0;
		if ((slash = strrchr(self, '/'))) {
			slash[1] = 0;
			if (asprintf(&p, "%s%s", self, name) < 0)
				sl_diesys(SL_EXIT_TEMP, "out of memory");
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	if (!(p = strdup(name)))
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	return p;
}

static int print_answer(const sl_buf *b, int code)
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

static int print_result(sl_result *res)
{
	sl_buf b = SL_BUF_ZERO;
	int ok = res->status && !strcmp(res->status, "Success");

	if (sl_result_json(res, &b) < 0)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	return print_answer(&b, ok ? SL_EXIT_OK : SL_EXIT_NO);
}

/* sl-commit gave no answer: ask the transaction log. */
static int fallback(const char *dir, const char *db, const char *label, const char *comment,
	int two_phase, int64_t start_ms, const char *why)
{
	sl_store st;
	sl_txninfo ti = SL_TXNINFO_ZERO;
	sl_result res;
	int r;

	sl_result_init(&res);
	if (sl_result_set(&res.label, label) < 0 || sl_result_set(&res.comment, comment) < 0 ||
	    sl_result_set(&res.status, "Fail") < 0 || sl_result_set(&res.message, why) < 0)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	res.two_phase = two_phase;
	res.load_time_ms = sl_now_ms() - start_ms;
	if (sl_store_open(&st, dir) < 0) {
		sl_warnsys("unable to open the data directory %s", dir);
		return print_result(&res);
	}
	r = sl_txn_lookup_label(&st, db, label, &ti);
	if (r < 0 && errno != ENOTDIR)
		sl_warnsys("unable to read the transaction log of %s", db);
	if (r <= 0)
		return print_result(&res);
	if (ti.begin_ms < start_ms) {
		/* not ours: our sl-txn met a label in use */
		if (ti.state != SL_TXN_ABORTED) {
			char m[512];
			snprintf(m, sizeof m, "[LABEL_ALREADY_EXISTS]TStatus: errCode = 2, detailMessage = "
				"Label [%s] has already been used, relate to txn [%" PRId64 "], status [%s].",
				label, ti.id, sl_txn_state_name(ti.state));
			if (sl_result_set(&res.status, "Label Already Exists") < 0 ||
			    sl_result_set(&res.existing_job_status, sl_result_job_status(ti.state)) < 0 ||
			    sl_result_set(&res.message, m) < 0)
				sl_diesys(SL_EXIT_TEMP, "out of memory");
		}
		return print_result(&res);
	}
	res.txn_id = ti.id;
	switch (ti.state) {
	case SL_TXN_PRECOMMITTED:
	case SL_TXN_COMMITTED:
	case SL_TXN_VISIBLE:
		/* the load did commit: answer from the commit record */
		if (sl_result_parse(&res, ti.attach.p ? ti.attach.p : "", ti.attach.len) <= 0)
			sl_warn("transaction %" PRId64 " committed without a readable answer", ti.id);
		if (sl_result_set(&res.status, "Success") < 0 || sl_result_set(&res.message, "OK") < 0)
			sl_diesys(SL_EXIT_TEMP, "out of memory");
		break;
	case SL_TXN_PREPARE: {
		sl_txninfo cur = SL_TXNINFO_ZERO;
		if (sl_txn_abort(&st, db, ti.id, why, &cur) < 0)
			sl_warnsys("unable to abort transaction %" PRId64, ti.id);
		else if (cur.state == SL_TXN_VISIBLE || cur.state == SL_TXN_PRECOMMITTED) {
			sl_txninfo_free(&cur);
			sl_txninfo_free(&ti);
			return fallback(dir, db, label, comment, two_phase, start_ms, why);
		}
		sl_txninfo_free(&cur);
		break;
	}
	default:
		break;          /* aborted: why says more than the log's reason */
	}
	sl_txninfo_free(&ti);
	return print_result(&res);
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *target = NULL, *file = NULL, *user = NULL, *label;
	char uuid[37], db[65], *argvs_mem[NSTAGES][256];
	char *const *argvs[NSTAGES];
	char *paths[NSTAGES];
	sl_buf out = SL_BUF_ZERO;
	sl_result res;
	struct sigaction sa;
	int infd, pfd[2], i, r, code;
	int64_t start_ms = sl_now_ms();
	size_t s, k, h;
	const char *dot;
	char why[512];

	sl_msg_init(argv[0]);
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
	if (!dot || dot == target || !dot[1] || strchr(dot + 1, '.') || (size_t)(dot - target) >= sizeof db)
		sl_dieusage(USAGE);
	memcpy(db, target, (size_t)(dot - target));
	db[dot - target] = 0;
	/* -u is recorded only: users and grants arrive with sl-httpd's issue */
	(void)user;

	if (!(label = sl_hdrs_get(&o.hdrs, "label"))) {
		if (sl_label_uuid(uuid) < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to generate a label");
		if (sl_hdrs_set(&o.hdrs, "label", uuid) < 0)
			sl_diesys(SL_EXIT_TEMP, "out of memory");
		label = uuid;
	}
	if (o.hdrs.n > 100)
		sl_die(SL_EXIT_USAGE, "too many headers (at most 100)");

	/* argv of every stage: path [--data-dir D] -H name:value ... [DB.TABLE] */
	for (s = 0; s < NSTAGES; s++) {
		char **v = argvs_mem[s];
		k = 0;
		paths[s] = stage_path(stage_names[s]);
		v[k++] = paths[s];
		if (o.data_dir) {
			v[k++] = "--data-dir";
			v[k++] = (char *)o.data_dir;
		}
		for (h = 0; h < o.hdrs.n; h++) {
			char *hv;
			if (asprintf(&hv, "%s:%s", o.hdrs.name[h], o.hdrs.value[h]) < 0)
				sl_diesys(SL_EXIT_TEMP, "out of memory");
			v[k++] = "-H";
			v[k++] = hv;
		}
		if (s == 1 || s == 3)
			v[k++] = (char *)target;
		v[k] = NULL;
		argvs[s] = v;
	}

	if (!strcmp(file, "-"))
		infd = 0;
	else if ((infd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		sl_diesys(sl_exit_for_errno(errno), "unable to open %s", file);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to create a pipe");

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;        /* EPIPE on stdout is handled */
	sigaction(SIGPIPE, &sa, NULL);

	if (sl_spawn_pipeline(&pl, NSTAGES, argvs, infd, pfd[1], -1, NULL) < 0) {
		int e = errno;
		errno = e;
		sl_diesys(e == ENOENT ? SL_EXIT_NOENT : e == EACCES || e == ENOEXEC ? SL_EXIT_NOEXEC : SL_EXIT_TEMP,
			"unable to run %s", paths[pl.failed_stage < NSTAGES ? pl.failed_stage : 0]);
	}
	close(pfd[1]);
	if (infd != 0)
		close(infd);
	r = sl_pipeline_wait(&pl, pfd[0], &out, ANSWER_MAX);
	close(pfd[0]);
	if (r < 0)
		sl_warnsys("unable to wait for the pipeline");

	if (pl.cause)
		sl_warn("%s killed by signal %d", stage_names[pl.cause - 1], WTERMSIG(pl.status[pl.cause - 1]));
	/* sl-commit answered: pass it on verbatim */
	sl_result_init(&res);
	if (!got_signal && out.len && out.p[out.len - 1] == '\n' &&
	    sl_result_parse(&res, out.p, out.len) > 0 && res.status) {
		code = strcmp(res.status, "Success") ? SL_EXIT_NO : SL_EXIT_OK;
		sl_result_free(&res);
		return print_answer(&out, code);
	}
	sl_result_free(&res);

	if (got_signal) {
		snprintf(why, sizeof why, "[INTERNAL_ERROR]the load was cancelled by signal %d", (int)got_signal);
	} else if (pl.cause) {
		s = pl.cause - 1;
		snprintf(why, sizeof why, "[INTERNAL_ERROR]the load pipeline failed: %s killed by signal %d",
			stage_names[s], WTERMSIG(pl.status[s]));
	} else if (pl.done[NSTAGES - 1] && WIFSIGNALED(pl.status[NSTAGES - 1])) {
		sl_warn("sl-commit killed by signal %d", WTERMSIG(pl.status[NSTAGES - 1]));
		snprintf(why, sizeof why, "[INTERNAL_ERROR]the load pipeline failed: sl-commit killed by signal %d",
			WTERMSIG(pl.status[NSTAGES - 1]));
	} else {
		sl_warn("sl-commit gave no answer");
		snprintf(why, sizeof why, "[INTERNAL_ERROR]the load pipeline failed: sl-commit exited %d without an answer",
			pl.done[NSTAGES - 1] && WIFEXITED(pl.status[NSTAGES - 1]) ? WEXITSTATUS(pl.status[NSTAGES - 1]) : -1);
	}
	code = fallback(sl_data_dir(o.data_dir), db, label, sl_hdrs_get(&o.hdrs, "comment"),
		sl_hdrs_get(&o.hdrs, "two_phase_commit") && !strcmp(sl_hdrs_get(&o.hdrs, "two_phase_commit"), "true"),
		start_ms, why);
	if (got_signal && code == SL_EXIT_NO)
		code = 128 + got_signal;
	return code;
}
