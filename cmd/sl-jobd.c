/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-jobd -- runs the continuous-load jobs of a data directory (CREATE JOB
 * ... ON STREAMING through sl-sql). The daemon watches the job files; each
 * runnable job gets a worker process of its own (at most
 * job_streaming_task_exec_thread_num at once) that runs its tasks one
 * after another (jobrun.h): a backlog drains without waiting, an idle job
 * waits on its source's watch fd (a local directory: inotify) or
 * max_interval. A job paused or dropped meanwhile has its worker stopped
 * (its running load cancelled and settled from the transaction log); a
 * paused job is resumed automatically with backoff unless paused by hand.
 * SIGTERM stops every worker, then the daemon. See sl-jobd(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "hdr.h"
#include "stage.h"
#include "store.h"
#include "load.h"
#include "spawn.h"
#include "jobstore.h"
#include "jobrun.h"

#define USAGE "sl-jobd [--data-dir DIR]\n" \
	SL_HELP_DATA_DIR \
	SL_HELP_STD \
	"See sl-jobd(8).\n"

#define TICK_MS 100
#define WORKERS_MAX 4096

static volatile sig_atomic_t stop_flag, yield_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* In a worker: stop, cancelling the load that runs (its stages die, the
 * transaction log then says whether it committed). */
static void on_worker_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
	sl_load_cancel(SL_E_CANCELLED "the job's task was cancelled");
}

static void on_yield(int sig)
{
	(void)sig;
	yield_flag = 1;
}

static void catch(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, 0);
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, 0);
}

/* Idle: until the source's watch fd wakes, max_interval passes, or the
 * worker is asked to stop or yield. */
static void idle_wait(sl_jobrun *r)
{
	int64_t until = sl_jobstore_now_ms() + r->interval_ms;
	int fd = sl_jobrun_watch_fd(r);

	while (!stop_flag && !yield_flag) {
		int64_t left = until - sl_jobstore_now_ms();
		struct pollfd p = { fd, POLLIN, 0 };
		if (left <= 0)
			return;
		if (poll(&p, fd >= 0 ? 1 : 0, (int)(left < 1000 ? left : 1000)) > 0) {
			sl_jobrun_drain(r);
			return;
		}
	}
}

/* A worker: the tasks of job id until it is paused, dropped or stopped. */
static int worker(const char *data_dir, int64_t id, pid_t parent)
{
	sl_store st;
	sl_jobrun r;
	int lock, idle = 0;

	catch(SIGTERM, on_worker_stop);
	catch(SIGINT, on_worker_stop);
	catch(SIGUSR1, on_yield);
	/* the daemon's death stops the worker as a SIGTERM would */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 0;
	/* and the worker's death kills its load's stages: fed through a pipe,
	 * the batch would otherwise end there as if complete, and commit */
	sl_spawn_die_with_parent();
	if (sl_store_open(&st, data_dir) < 0) {
		sl_warnsys("job %" PRId64 ": unable to open the data directory", id);
		return SL_EXIT_TEMP;
	}
	if ((lock = sl_jobstore_run_lock(&st, id)) < 0) {
		/* another worker (of an earlier daemon) still runs it */
		sl_store_close(&st);
		return 0;
	}
	sl_jobrun_init(&r, &st, id);
	r.data_dir = data_dir;
	r.stop = &stop_flag;
	r.errfd = -1;
	while (!stop_flag) {
		int k = sl_jobrun_step(&r);
		if (k == SL_JOBRUN_LOADED) {
			idle = 0;
			continue;
		}
		if (k == SL_JOBRUN_PAUSED)
			sl_warn("job %" PRId64 " paused: %s", id, r.msg);
		if (k == SL_JOBRUN_PAUSED || k == SL_JOBRUN_STOPPED)
			break;
		if (k < 0) {
			sl_warn("job %" PRId64 ": %s%s%s", id, r.msg, r.msg[0] ? ": " : "", strerror(errno));
			sleep_ms(1000);
			continue;
		}
		if (k == SL_JOBRUN_BUSY) {
			sleep_ms(200);
			continue;
		}
		/* idle: give the slot up to a waiting job after one wait */
		if (yield_flag && idle++)
			break;
		idle_wait(&r);
	}
	sl_jobrun_free(&r);
	close(lock);
	sl_store_close(&st);
	return 0;
}

typedef struct slot { pid_t pid; int64_t id; int signalled; } slot;

static slot *find_slot(slot *w, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].pid > 0 && w[i].id == id)
			return &w[i];
	return 0;
}

static size_t count_live(const slot *w, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += w[i].pid > 0;
	return k;
}

static void reap(slot *w, size_t n)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (size_t i = 0; i < n; i++)
			if (w[i].pid == pid)
				w[i].pid = 0;
}

static void start_worker(slot *w, size_t n, const char *data_dir, int64_t id)
{
	pid_t parent = getpid(), pid;

	for (size_t i = 0; i < n; i++) {
		if (w[i].pid > 0)
			continue;
		if ((pid = fork()) < 0) {
			sl_warnsys("unable to start the worker of job %" PRId64, id);
			return;
		}
		if (pid == 0)
			_exit(worker(data_dir, id, parent));
		w[i] = (slot){ pid, id, 0 };
		return;
	}
}

static void signal_slot(slot *s, int sig)
{
	if (s && s->pid > 0 && !s->signalled) {
		kill(s->pid, sig);
		s->signalled = sig == SIGTERM;
	}
}

/* One pass over the jobs: start, stop, resume. */
static void tick(sl_store *st, const char *data_dir, slot *w, size_t nw, size_t limit)
{
	int64_t *ids, base = sl_jobstore_conf(st, "streaming_job_auto_resume_base_ms", 10000);
	int64_t cap = sl_jobstore_conf(st, "streaming_job_auto_resume_max_ms", 300000);
	size_t n, waiting = 0;

	if (sl_jobstore_list(st, &ids, &n) < 0) {
		sl_warnsys("unable to list the jobs");
		return;
	}
	for (size_t i = 0; i < nw; i++) {
		int found = 0;
		for (size_t k = 0; k < n && !found; k++)
			found = w[i].pid > 0 && ids[k] == w[i].id;
		if (w[i].pid > 0 && !found)
			signal_slot(&w[i], SIGTERM);    /* dropped */
	}
	for (size_t k = 0; k < n && !stop_flag; k++) {
		sl_job j;
		slot *s = find_slot(w, nw, ids[k]);
		if (sl_jobstore_load(st, ids[k], &j) <= 0)
			continue;
		if (!strcmp(j.status, SL_JOBST_PAUSED)) {
			if (s)
				signal_slot(s, SIGTERM);
			else if (sl_jobrun_due_resume(&j, sl_jobstore_now_ms(), base, cap)
			    && sl_jobrun_auto_resume(st, ids[k], base, cap) > 0)
				sl_info("job %" PRId64 " resumed automatically", ids[k]);
		} else if (!s && count_live(w, nw) < limit)
			start_worker(w, nw, data_dir, ids[k]);
		else if (!s)
			waiting++;
		sl_job_free(&j);
	}
	free(ids);
	for (size_t i = 0; waiting && i < nw; i++)
		if (w[i].pid > 0)
			kill(w[i].pid, SIGUSR1);
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *operand = 0, *data_dir;
	sl_store st;
	slot *w;
	size_t limit, nw;

	sl_msg_init(argv[0]);
	sl_stage_args(&o, argc, argv, USAGE, &operand, 0);
	data_dir = sl_data_dir(o.data_dir);
	if (sl_store_open(&st, data_dir) < 0)
		sl_die(SL_EXIT_TEMP, "unable to open the data directory %s: %s", data_dir, sl_store_strerror(errno));
	limit = (size_t)sl_jobstore_conf(&st, "job_streaming_task_exec_thread_num", 10);
	if (limit < 1)
		limit = 1;
	nw = limit < WORKERS_MAX ? limit : WORKERS_MAX;
	if (!(w = calloc(nw, sizeof *w)))
		sl_die(SL_EXIT_TEMP, "out of memory");
	catch(SIGTERM, on_stop);
	catch(SIGINT, on_stop);
	signal(SIGPIPE, SIG_IGN);
	while (!stop_flag) {
		reap(w, nw);
		tick(&st, data_dir, w, nw, nw);
		sleep_ms(TICK_MS);
	}
	for (size_t i = 0; i < nw; i++)
		signal_slot(&w[i], SIGTERM);
	while (count_live(w, nw)) {
		pid_t pid = wait(0);
		if (pid < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < nw; i++)
			if (w[i].pid == pid)
				w[i].pid = 0;
	}
	free(w);
	sl_hdrs_free(&o.hdrs);
	sl_store_close(&st);
	return SL_EXIT_OK;
}
