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
 *
 * On a terminal (stderr a TTY, or --progress) a progress line is redrawn
 * on stderr at most 10 times a second by a thread of its own (progress.h):
 * for a regular file the bytes sl-parse has read are the offset of the
 * open file it shares with us, and csv rows are the lines up to there
 * (counted through a second descriptor, from the page cache); a pipe's
 * bytes and lines are counted as they pass through us.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
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
#include "progress.h"

#define USAGE "sl-load [--data-dir DIR] [-u user:pass] [-H 'name:value']... [--progress|--no-progress] -T FILE|- DB.TABLE\n" \
	SL_HELP_H \
	"  -T FILE|-            the data to load (- for standard input)\n" \
	"  -u user:pass         load as this user, its password and LOAD_PRIV checked (as curl -u)\n" \
	"  --progress           show the load's progress on standard error even when it is not a terminal\n" \
	"  --no-progress        never show it (by default it is shown when standard error is a terminal)\n" \
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

/* ---- progress ---- */

typedef struct ticker {
	int fd;                 /* the body sl-parse reads (a regular file), or -1 */
	int src;                /* else the body feed_counted passes on */
	int linefd;             /* the same file opened again to count lines, or -1 */
	int64_t total;          /* its size, -1 unknown */
	int64_t counted;        /* lines counted up to this offset */
	_Atomic int64_t bytes, rows;    /* what passed (a pipe through feed), or was read */
	int rows_known;
	_Atomic int stop;
	int64_t start_us;
	pthread_t th;
} ticker;

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t count_lines(const char *p, size_t n)
{
	const char *e = p + n;
	int64_t k = 0;

	while ((p = memchr(p, '\n', (size_t)(e - p)))) {
		k++;
		p++;
	}
	return k;
}

/* A regular file: how far sl-parse read, and the lines up to there. */
static void ticker_poll(ticker *t)
{
	char buf[65536];
	off_t at;

	if (t->fd < 0 || (at = lseek(t->fd, 0, SEEK_CUR)) < 0)
		return;
	atomic_store(&t->bytes, at);
	while (t->linefd >= 0 && t->counted < at) {
		size_t want = at - t->counted < (off_t)sizeof buf ? (size_t)(at - t->counted) : sizeof buf;
		ssize_t k = pread(t->linefd, buf, want, t->counted);
		if (k <= 0)
			break;
		atomic_fetch_add(&t->rows, count_lines(buf, (size_t)k));
		t->counted += k;
	}
}

/* Redraw the line: carriage return, the text, clear to the end of line.
 * Only write(2) and the stack: the stages are forked meanwhile. */
static void ticker_draw(ticker *t, unsigned tick, const char *end)
{
	char line[256];
	size_t n;

	line[0] = '\r';
	n = 1 + sl_progress_format(atomic_load(&t->bytes), t->total, t->rows_known ? atomic_load(&t->rows) : -1,
		mono_us() - t->start_us, tick, line + 1, sizeof line - 8);
	n += (size_t)snprintf(line + n, sizeof line - n, "\033[K%s", end);
	if (write(2, line, n) < 0)
		return;
}

static void *ticker_run(void *arg)
{
	ticker *t = arg;
	struct timespec tenth = { 0, 100000000 };
	unsigned tick = 0;

	while (!atomic_load(&t->stop)) {
		nanosleep(&tenth, NULL);
		ticker_poll(t);
		ticker_draw(t, tick++, "");
	}
	return NULL;
}

/* A pipe's body through us, counted. */
static const char *feed_counted(void *ctx, int wfd)
{
	static char msg[160];
	ticker *t = ctx;
	char buf[65536];

	for (;;) {
		ssize_t k = read(t->src, buf, sizeof buf);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(msg, sizeof msg, SL_E_INTERNAL_ERROR "unable to read the body: %s", strerror(errno));
			return msg;
		}
		if (k == 0)
			return NULL;
		atomic_fetch_add(&t->bytes, k);
		atomic_fetch_add(&t->rows, count_lines(buf, (size_t)k));
		if (sl_allwrite(wfd, buf, (size_t)k) != (size_t)k)
			return NULL;    /* EPIPE: the pipeline answers */
	}
}

/* Rows are lines for an uncompressed csv body. */
static int rows_are_lines(const sl_hdrs *h)
{
	const char *f = sl_hdrs_get(h, "format"), *z = sl_hdrs_get(h, "compress_type");

	return (!f || !*f || !strncasecmp(f, "csv", 3)) && (!z || !*z);
}

static void ticker_start(ticker *t, sl_load_req *rq, const char *file)
{
	struct stat sb;

	memset(t, 0, sizeof *t);
	t->fd = t->linefd = -1;
	t->total = -1;
	t->start_us = mono_us();
	t->rows_known = rows_are_lines(rq->hdrs);
	if (fstat(rq->infd, &sb) == 0 && S_ISREG(sb.st_mode) && lseek(rq->infd, 0, SEEK_CUR) == 0) {
		t->fd = rq->infd;
		t->total = sb.st_size;
		if (t->rows_known && (t->linefd = open(strcmp(file, "-") ? file : "/dev/stdin",
			O_RDONLY | O_CLOEXEC)) < 0)
			t->rows_known = 0;
	} else {
		t->src = rq->infd;
		rq->feed = feed_counted;
		rq->feed_ctx = t;
		rq->infd = -1;
	}
	if (pthread_create(&t->th, NULL, ticker_run, t) != 0)
		t->stop = 1;
}

static void ticker_end(ticker *t)
{
	if (!atomic_load(&t->stop)) {
		atomic_store(&t->stop, 1);
		pthread_join(t->th, NULL);
		ticker_poll(t);
		ticker_draw(t, 0, "\n");
	}
	if (t->linefd >= 0)
		close(t->linefd);
}

/* --progress / --no-progress, taken out of argv: 1 draw, 0 not. */
static int progress_wanted(int *argc, char **argv)
{
	int i, j, want = isatty(2);

	for (i = j = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--progress"))
			want = 1;
		else if (!strcmp(argv[i], "--no-progress"))
			want = 0;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
	return want;
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
	ticker tk;
	int code, progress;

	sl_msg_init(argv[0]);
	sl_spawn_builtins = sl_builtin_stages;
	progress = progress_wanted(&argc, argv);
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

	if (progress)
		ticker_start(&tk, &rq, file);
	code = sl_load_run(&rq, &out);
	if (progress)
		ticker_end(&tk);
	if (code < 0) {
		int e = errno;
		if (e == ENOENT || e == EACCES || e == ENOEXEC)
			sl_diesys(e == ENOENT ? SL_EXIT_NOENT : SL_EXIT_NOEXEC, "unable to run %s", out.failed_path);
		sl_diesys(SL_EXIT_TEMP, "unable to run the load");
	}
	if (rq.infd > 0)
		close(rq.infd);
	else if (progress && tk.fd < 0 && tk.src > 0)
		close(tk.src);
	code = sl_stage_answer(out.answer.p, out.answer.len, out.ok ? SL_EXIT_OK : SL_EXIT_NO);
	if (got_signal && code == SL_EXIT_NO)
		code = 128 + got_signal;
	return code;
}
