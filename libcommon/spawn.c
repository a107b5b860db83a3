/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawn.c -- run a chain of programs connected by pipes, the way
 * execline's pipeline and s6's cspawn do it: CLOEXEC everywhere, explicit
 * fd plumbing in the child, default signal state before exec, every pid
 * recorded and reaped, everything killed when one stage dies abnormally.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "spawn.h"
#include "profile.h"
#include "frame.h"
#include "msg.h"

extern char **environ;

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

const sl_builtin *sl_spawn_builtins;

sl_main_fn sl_spawn_builtin(const char *name)
{
	const sl_builtin *b;

	for (b = sl_spawn_builtins; b && b->name; b++)
		if (!strcmp(b->name, name))
			return b->main;
	return NULL;
}

void sl_pipeline_free(sl_pipeline *pl)
{
	free(pl->pid);
	free(pl->status);
	free(pl->done);
	free(pl->ours);
	free(pl->ru);
	memset(pl, 0, sizeof *pl);
}

void sl_pipeline_kill(sl_pipeline *pl, int sig)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		if (pl->pid[i] > 0 && !pl->done[i])
			kill(pl->pid[i], sig);
	if (sig == SIGKILL)
		pl->killed = 1;
}

int sl_pipeline_abnormal(const sl_pipeline *pl, size_t i)
{
	if (i >= pl->n || !pl->done[i])
		return 0;
	return WIFSIGNALED(pl->status[i]) && WTERMSIG(pl->status[i]) != SIGPIPE;
}

static size_t remaining(const sl_pipeline *pl)
{
	size_t i, r = 0;

	for (i = 0; i < pl->n; i++)
		r += pl->pid[i] > 0 && !pl->done[i];
	return r;
}

int sl_pipeline_outcome(const sl_pipeline *pl, size_t i)
{
	int st, failed;
	uint64_t cpu;

	if (i >= pl->n || !pl->done[i])
		return SL_STAGE_OK;
	st = pl->status[i];
	if (pl->ours[i])
		return SL_STAGE_OURS;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE)
		return SL_STAGE_OK;
	failed = WIFSIGNALED(st) ? SL_STAGE_SIGNAL : WEXITSTATUS(st) ? SL_STAGE_EXIT : SL_STAGE_OK;
	if (!failed)
		return SL_STAGE_OK;
	cpu = (uint64_t)pl->ru[i].ru_utime.tv_sec + (uint64_t)pl->ru[i].ru_stime.tv_sec;
	if (pl->lim.cpu && WIFSIGNALED(st) && (WTERMSIG(st) == SIGXCPU ||
	    (WTERMSIG(st) == SIGKILL && cpu >= pl->lim.cpu)))
		return SL_STAGE_CPU;
	/* a "no" (a Fail answer, a usage error) is the stage's own verdict;
	 * but AddressSanitizer's out of memory exits 1 too */
	if (!SANITIZED && WIFEXITED(st) && (WEXITSTATUS(st) == SL_EXIT_NO || WEXITSTATUS(st) == SL_EXIT_USAGE))
		return failed;
	if (pl->lim.mem && (uint64_t)pl->ru[i].ru_maxrss >= pl->lim.mem / 4 / 1024)
		return SL_STAGE_MEM;
	return failed;
}

/* Record a reaped pid; kill the rest if it died abnormally. 1 if it was
 * one of ours. */
static int record(sl_pipeline *pl, pid_t pid, int st, const struct rusage *ru)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		if (pl->pid[i] == pid && !pl->done[i]) {
			pl->done[i] = 1;
			pl->status[i] = st;
			pl->ru[i] = *ru;
			/* dead of the SIGKILL we sent, not of its own failure */
			pl->ours[i] = pl->killed && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
			if (sl_pipeline_abnormal(pl, i) && !pl->killed) {
				pl->cause = i + 1;
				sl_pipeline_kill(pl, SIGKILL);
			}
			return 1;
		}
	}
	return 0;
}

/* Reap what has exited (block: wait for one). -1 errno on a wait error. */
static int reap(sl_pipeline *pl, int block)
{
	struct rusage ru;
	int st;
	pid_t p;

	for (;;) {
		p = wait4(-1, &st, block ? 0 : WNOHANG, &ru);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD && !remaining(pl))
				return 1;
			return -1;
		}
		if (p == 0)
			return 1;
		if (record(pl, p, st, &ru) && block)
			return 1;
	}
}

static void reap_all_killed(sl_pipeline *pl)
{
	int e = errno;

	sl_pipeline_kill(pl, SIGKILL);
	while (remaining(pl) && reap(pl, 1) > 0)
		;
	errno = e;
}

int sl_pipeline_wait(sl_pipeline *pl, int rfd, sl_buf *out, size_t max)
{
	int open = rfd >= 0;
	char buf[65536];
	size_t i;

	while (open || remaining(pl)) {
		if (open) {
			struct pollfd p = { rfd, POLLIN, 0 };
			int r = poll(&p, 1, remaining(pl) ? 50 : -1);

			if (r < 0 && errno != EINTR)
				goto fail;
			if (r > 0) {
				ssize_t k = read(rfd, buf, sizeof buf);

				if (k == 0)
					open = 0;
				else if (k < 0 && errno != EINTR && errno != EAGAIN)
					goto fail;
				else if (k > 0 && out && out->len < max) {
					size_t take = (size_t)k < max - out->len ? (size_t)k : max - out->len;
					if (sl_buf_put(out, buf, take) < 0)
						goto fail;
				}
			}
			if (remaining(pl) && reap(pl, 0) < 0)
				goto fail;
		} else if (reap(pl, 1) < 0) {
			goto fail;
		}
	}
	for (i = 0; i < pl->n; i++)
		if (!WIFEXITED(pl->status[i]) || WEXITSTATUS(pl->status[i]))
			return 0;
	return 1;
fail:
	reap_all_killed(pl);
	return -1;
}

/* What exec does to the fds, for a program whose whole interface is fds
 * 0-2: close everything above 2 (one close_range(2); else every fd above
 * 2 that /proc/self/fd lists, or the first 4096). Every fd this code base
 * opens is close-on-exec, so an exec'd stage would keep no more. */
/* fn(fd, arg) for every fd open in this process (/proc/self/fd, which is
 * positioned by fd number: fn may close the fd it is given). 1; -1 when
 * /proc cannot be read. */
static int each_fd(void (*fn)(int fd, void *arg), void *arg)
{
	char buf[4096];
	ssize_t n, off;
	int d, fd;

	if ((d = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	while ((n = getdents64(d, buf, sizeof buf)) > 0)
		for (off = 0; off < n; off += ((struct dirent64 *)(buf + off))->d_reclen) {
			const char *name = ((struct dirent64 *)(buf + off))->d_name;
			if (name[0] >= '0' && name[0] <= '9' && (fd = atoi(name)) != d)
				fn(fd, arg);
		}
	close(d);
	return 1;
}

static void fd_count(int fd, void *arg)
{
	(void)fd;
	++*(int *)arg;
}

int sl_spawn_fds_open(void)
{
	int n = 0;

	return each_fd(fd_count, &n) > 0 ? n : -1;
}

static void close_if_above_2(int fd, void *arg)
{
	(void)arg;
	if (fd > 2)
		close(fd);
}

static void close_above_2(void)
{
	if (close_range(3, ~0U, 0) == 0 || each_fd(close_if_above_2, NULL) > 0)
		return;
	for (int fd = 3; fd < 4096; fd++)
		close(fd);
}

/* sl_spawn_die_with_parent: the process whose death kills its children */
static pid_t die_with = 0;

void sl_spawn_die_with_parent(void)
{
	die_with = getpid();
}

/* A built-in program in the child, once its fds and signals are set: the
 * state exec would give it, then its main. Never returns. */
static void run_builtin(sl_main_fn fn, char *const argv[], char *const envp[])
{
	int argc = 0;

	while (argv[argc])
		argc++;
	close_above_2();
	environ = (char **)envp;
	/* named as exec would name it: the file name, not the path (the
	 * kernel keeps 15 bytes, "/usr/local/bin/" of a path) */
	prctl(PR_SET_NAME, strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0], 0, 0, 0);
	/* the parent flushed before fork; whatever is left is not ours */
	__fpurge(stdin);
	__fpurge(stdout);
	__fpurge(stderr);
	clearerr(stdin);
	clearerr(stdout);
	exit(fn(argc, (char **)argv));
}

/* Every signal to its default disposition, none blocked, as exec leaves
 * them. Async-signal-safe. */
static void default_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The programs of a sequence (sl_spawn_sequence), for its process. */
typedef struct seq_run {
	size_t n;
	char *const *const *argv;
	const int *mem;
	int progfd;
} seq_run;

/* Close every fd above 2 but the n fds of keep (sorted, each > 2). */
static void close_but(const int *keep, size_t n)
{
	unsigned from = 3;

	for (size_t i = 0; i < n; i++) {
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* A program of a sequence about to start: named, its profile counting
 * its own frames, no stdio buffer of the one before. */
static void program_start(const char *name)
{
	prctl(PR_SET_NAME, name, 0, 0, 0);
	memset(&sl_tally, 0, sizeof sl_tally);
	__fpurge(stdin);
	__fpurge(stdout);
	clearerr(stdin);
	clearerr(stdout);
}

/* A sequence in its process, fds 0 and 1 the input and the output: the
 * state exec would give (as run_builtin), then program i reading
 * mem[i-1] from its start (program 0: fd 0) and writing mem[i] (the last
 * one: the output), byte i written to progfd before it starts. Exits
 * with the last program's code; a program that exits ends the sequence
 * there (the caller learns where from progfd). The last program runs
 * with fds 0-2 only: it may fork a process that outlives it (sl-commit's
 * group committer). Never returns. */
static void run_sequence(const seq_run *sq, char *const envp[])
{
	int keep[SL_SPAWN_SEQ_MAX + 1], out, code = 0;
	size_t i, nk = 0;

	if ((out = fcntl(1, F_DUPFD_CLOEXEC, 3)) < 0)
		_exit(SL_EXIT_TEMP);
	keep[nk++] = out;
	keep[nk++] = sq->progfd;
	for (i = 0; i + 1 < sq->n; i++)
		keep[nk++] = sq->mem[i];
	qsort(keep, nk, sizeof *keep, cmp_int);
	close_but(keep, nk);
	environ = (char **)envp;
	__fpurge(stderr);
	for (i = 0; i < sq->n; i++) {
		char **argv = (char **)sq->argv[i], b = (char)i;
		sl_main_fn fn = sl_spawn_builtin(argv[0]);
		int argc = 0, last = i + 1 == sq->n;

		while (argv[argc])
			argc++;
		if ((i && (lseek(sq->mem[i - 1], 0, SEEK_SET) < 0 || dup2(sq->mem[i - 1], 0) < 0)) ||
		    dup2(last ? out : sq->mem[i], 1) < 0 || write(sq->progfd, &b, 1) != 1)
			_exit(SL_EXIT_TEMP);
		if (last)
			close_range(3, ~0U, 0);
		/* what the program before set up is not this one's: its
		 * alarm (sl-txn's timeout) and its signal handlers */
		if (i) {
			alarm(0);
			default_signals();
		}
		program_start(argv[0]);
		code = fn(argc, argv);
		sl_profile_end();
		fflush(NULL);
	}
	/* the programs' output and profile lines are written; the exit
	 * handlers left are the libraries' destructors (page faults over
	 * their code, ~1% of a small group-commit load's CPU) */
	_exit(code);
}

/* In the child, between fork and exec: only async-signal-safe calls (the
 * caller is single-threaded, so a built-in program fn may run normal code).
 * ep: where an exec failure is reported (-1 for a built-in). sq: run a
 * sequence instead (fn unused). */
static void child(char *const argv[], int in, int out, int err, char *const envp[], int ep, sl_main_fn fn,
	const struct rlimit *mem, const struct rlimit *cpu, const seq_run *sq)
{
	int e, fin, fout, ferr = -1;

	default_signals();
	/* set before the check: a parent dying in between is seen by getppid */
	if (die_with && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != die_with))
		goto fail;
	if ((mem && setrlimit(RLIMIT_DATA, mem) < 0) || (cpu && setrlimit(RLIMIT_CPU, cpu) < 0))
		goto fail;
	/* copy above 2 first so that dup2 onto 0/1/2 cannot clobber a source */
	if ((fin = fcntl(in, F_DUPFD_CLOEXEC, 3)) < 0 || (fout = fcntl(out, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    (err >= 0 && (ferr = fcntl(err, F_DUPFD_CLOEXEC, 3)) < 0) ||
	    dup2(fin, 0) < 0 || dup2(fout, 1) < 0 || (ferr >= 0 && dup2(ferr, 2) < 0))
		goto fail;
	if (sq)
		run_sequence(sq, envp);
	if (fn)
		run_builtin(fn, argv, envp);
	execvpe(argv[0], argv, envp);
fail:
	e = errno;
	if (ep >= 0) {
		char b[4];
		sl_u32_pack(b, (uint32_t)e);
		if (write(ep, b, 4) < 0)
			_exit(SL_EXIT_NOEXEC);
	}
	_exit(e == ENOENT ? SL_EXIT_NOENT : SL_EXIT_NOEXEC);
}

int64_t sl_spawn_status_field(const char *name)
{
	char buf[4096], key[64], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || snprintf(key, sizeof key, "\n%s:", name) >= (int)sizeof key) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (!(p = strstr(buf, key)))
		return -1;
	return strtoll(p + strlen(key), NULL, 10);
}

/* The data memory (VmData) of this process, in bytes; 0 if unknown. */
static uint64_t data_size(void)
{
	int64_t kb = sl_spawn_status_field("VmData");

	return kb > 0 ? (uint64_t)kb * 1024 : 0;
}

/* The rlimit of resource res that grants want more than the child has,
 * within the current hard limit. */
static struct rlimit limit_of(int res, uint64_t base, uint64_t want)
{
	struct rlimit cur, r;
	rlim_t v = base + want < base ? RLIM_INFINITY : (rlim_t)(base + want);

	if (getrlimit(res, &cur) < 0)
		cur.rlim_max = RLIM_INFINITY;
	if (cur.rlim_max != RLIM_INFINITY && v > cur.rlim_max)
		v = cur.rlim_max;
	r.rlim_cur = v;
	/* CPU: SIGXCPU first, SIGKILL a second later; memory: the stage
	 * cannot raise its own limit */
	r.rlim_max = res == RLIMIT_CPU && v != RLIM_INFINITY && (cur.rlim_max == RLIM_INFINITY || v < cur.rlim_max)
		? v + 1 : v;
	return r;
}

/* pl for n processes under lim (NULL: none), and the rlimits they get. */
int sl_pipeline_alloc(sl_pipeline *pl, size_t n, const sl_spawn_limits *lim)
{
	memset(pl, 0, sizeof *pl);
	if (!n) {
		errno = EINVAL;
		return -1;
	}
	pl->pid = calloc(n, sizeof *pl->pid);
	pl->status = calloc(n, sizeof *pl->status);
	pl->done = calloc(n, sizeof *pl->done);
	pl->ours = calloc(n, sizeof *pl->ours);
	pl->ru = calloc(n, sizeof *pl->ru);
	if (!pl->pid || !pl->status || !pl->done || !pl->ours || !pl->ru) {
		sl_pipeline_free(pl);
		errno = ENOMEM;
		return -1;
	}
	pl->n = n;
	if (lim)
		pl->lim = *lim;
	return 1;
}

static int pl_init(sl_pipeline *pl, size_t n, const sl_spawn_limits *lim, struct rlimit *mem, struct rlimit *cpu)
{
	if (sl_pipeline_alloc(pl, n, lim) < 0)
		return -1;
	if (pl->lim.mem)
		*mem = limit_of(RLIMIT_DATA, data_size(), pl->lim.mem);
	if (pl->lim.cpu)
		*cpu = limit_of(RLIMIT_CPU, 0, pl->lim.cpu);
	return 1;
}

int sl_spawn_sequence(sl_pipeline *pl, size_t n, char *const *const argv[], const int *mem, int progfd,
	int infd, int outfd, int errfd, char *const envp[], const sl_spawn_limits *lim)
{
	seq_run sq = { n, argv, mem, progfd };
	struct rlimit rmem, rcpu;
	size_t i;
	pid_t pid;

	for (i = 0; i < n; i++)
		if (strchr(argv[i][0], '/') || !sl_spawn_builtin(argv[i][0]))
			break;
	if (n < 1 || n > SL_SPAWN_SEQ_MAX || i < n) {
		memset(pl, 0, sizeof *pl);
		errno = EINVAL;
		return -1;
	}
	if (pl_init(pl, 1, lim, &rmem, &rcpu) < 0)
		return -1;
	if (!envp)
		envp = environ;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		int e = errno;
		sl_pipeline_free(pl);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child(argv[0], infd, outfd, errfd, envp, -1, NULL, pl->lim.mem ? &rmem : NULL,
			pl->lim.cpu ? &rcpu : NULL, &sq);
	pl->pid[0] = pid;
	return 1;
}

int sl_spawn_pipeline(sl_pipeline *pl, size_t n, char *const *const argv[],
	int infd, int outfd, int errfd, char *const envp[])
{
	return sl_spawn_pipeline_limited(pl, n, argv, infd, outfd, errfd, envp, NULL);
}

int sl_spawn_pipeline_limited(sl_pipeline *pl, size_t n, char *const *const argv[],
	int infd, int outfd, int errfd, char *const envp[], const sl_spawn_limits *lim)
{
	int prev = infd, p[2] = { -1, -1 }, ep[2];
	struct rlimit mem, cpu;
	size_t i;

	if (pl_init(pl, n, lim, &mem, &cpu) < 0)
		return -1;
	if (!envp)
		envp = environ;
	fflush(NULL);   /* a built-in child must not inherit pending output */
	for (i = 0; i < n; i++) {
		int out = outfd;
		sl_main_fn fn;
		char b[4];
		ssize_t k;
		pid_t pid;

		if (i + 1 < n) {
			if (pipe2(p, O_CLOEXEC) < 0)
				goto fail;
			sl_pipe_grow(p[0]);
			out = p[1];
		}
		/* a built-in cannot fail to exec: no need to wait for it */
		fn = strchr(argv[i][0], '/') ? NULL : sl_spawn_builtin(argv[i][0]);
		if (!fn && pipe2(ep, O_CLOEXEC) < 0)
			goto fail;
		pid = fork();
		if (pid < 0) {
			int e = errno;
			if (!fn) {
				close(ep[0]);
				close(ep[1]);
			}
			errno = e;
			goto fail;
		}
		if (pid == 0)
			child(argv[i], prev, out, errfd, envp, fn ? -1 : ep[1], fn,
				pl->lim.mem ? &mem : NULL, pl->lim.cpu ? &cpu : NULL, NULL);
		pl->pid[i] = pid;
		k = 0;
		if (!fn) {
			close(ep[1]);
			do
				k = read(ep[0], b, 4);
			while (k < 0 && errno == EINTR);
			close(ep[0]);
		}
		if (k == 4) {
			pl->failed_stage = i;
			errno = (int)sl_u32_unpack(b);
			goto fail;
		}
		if (prev != infd)
			close(prev);
		prev = -1;
		if (i + 1 < n) {
			close(p[1]);
			prev = p[0];
			p[0] = p[1] = -1;
		}
	}
	return 1;
fail:
	{
		int e = errno;
		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);
		if (prev >= 0 && prev != infd)
			close(prev);
		reap_all_killed(pl);
		errno = e;
	}
	return -1;
}

/* ---- a sequence in this process ---- */

/* The programs of sl_spawn_sequence_here end here: an exit (sl_exit) or
 * a signal of the runner's (its CPU limit, the caller's alarm) jumps back
 * to the runner, which stops that program where it was. */
static sigjmp_buf *volatile here_jb;
#define SL_SPAWN_HERE_FDS 4096  /* fds the runner tracks (and closes) */
static int here_broken;          /* a signal stopped a program: no more here */

#define HERE_SIG 0x1000         /* siglongjmp value: a signal, not an exit */

static pid_t here_pid;           /* the runner's: a process a program forks
                                 * (a committer, a compaction) exits and
                                 * dies as its own */

static void here_exit(int code)
{
	if (here_jb && getpid() == here_pid)
		siglongjmp(*here_jb, 1 + (code & 0xff));
}

static void here_signal(int sig)
{
	if (getpid() == here_pid) {
		/* between programs (the runner's own code) there is nothing
		 * to stop: the next one's deadline check sees the alarm's */
		if (here_jb)
			siglongjmp(*here_jb, HERE_SIG | sig);
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The signals the runner owns while a program runs: the programs may
 * catch SIGALRM (sl-txn's timeout) and SIGPIPE (stage.h sl_stage_catch),
 * and no other, so these are the dispositions put back between them. */
static const int here_sigs[] = { SIGALRM, SIGXCPU, SIGPIPE };

/* Program fn in this process, to its end: its wait status (its exit code;
 * or the signal that stopped it: SIGXCPU, or SIGALRM for the caller's
 * alarm). *how: 0 it returned from its main, 1 it ended itself (sl_exit),
 * 2 a signal's jump left it at an unknown point. */
static int here_one(sl_main_fn fn, int argc, char **argv, int *how)
{
	sigjmp_buf jb;
	int v, code;

	here_jb = &jb;
	if ((v = sigsetjmp(jb, 1)) == 0) {
		sl_exit_hook = here_exit;
		code = fn(argc, argv);
		sl_exit_hook = NULL;
		here_jb = NULL;
		*how = 0;
		return (code & 0xff) << 8;
	}
	sl_exit_hook = NULL;
	here_jb = NULL;
	if (v & HERE_SIG) {
		*how = 2;
		return v & 0x7f;
	}
	*how = 1;
	return ((v - 1) & 0xff) << 8;
}

/* The fds open before the programs ran: a bit each, the first
 * SL_SPAWN_HERE_FDS. */
static void fd_note(int fd, void *arg)
{
	uint64_t *bits = arg;

	if (fd < SL_SPAWN_HERE_FDS)
		bits[fd / 64] |= 1ull << (fd % 64);
}

/* After them: close one that was not open before. */
static void fd_close_new(int fd, void *arg)
{
	const uint64_t *before = arg;

	if (fd > 2 && fd < SL_SPAWN_HERE_FDS && !(before[fd / 64] >> (fd % 64) & 1))
		close(fd);
}

/* This process's CPU time, in whole seconds rounded up. */
static uint64_t cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec + 1;
}

/* The programs' share of the process's rusage, as sl_pipeline_outcome
 * reads a stage's: CPU time, and the peak RSS (the process's). */
static void ru_sub(struct rusage *d, const struct rusage *a, const struct rusage *b)
{
	timersub(&a->ru_utime, &b->ru_utime, &d->ru_utime);
	timersub(&a->ru_stime, &b->ru_stime, &d->ru_stime);
	d->ru_maxrss = a->ru_maxrss;
}

/* The runner's signals for the next program, and the caller's alarm
 * (deadline, 0 none) for what is left of it: 0 when nothing is. */
static int here_arm(int64_t deadline)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = here_signal;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGXCPU, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	if (deadline) {
		int64_t left = deadline - sl_mono_ms();
		if (left <= 0)
			return 0;
		alarm((unsigned)((left + 999) / 1000));
	}
	return 1;
}

/* Soft limit want->rlim_cur on res, the hard one kept (the runner puts
 * the soft one back after): 1 set, old what it was; 0 not. */
static int here_limit(int res, struct rlimit *want, struct rlimit *old)
{
	if (getrlimit(res, old) < 0)
		return 0;
	want->rlim_max = old->rlim_max;
	return setrlimit(res, want) == 0;
}

int sl_spawn_here_ready(void)
{
	return !here_broken;
}

int sl_spawn_sequence_here(sl_pipeline *pl, size_t n, char *const *const argv[], const int *mem, size_t *ended,
	int infd, int outfd, int errfd, char *const envp[], const sl_spawn_limits *lim,
	const volatile sig_atomic_t *stop)
{
	struct sigaction old[SL_ARRAY_LEN(here_sigs)];
	struct rlimit rmem, rcpu, omem, ocpu;
	struct rusage ru0, ru1;
	uint64_t fds[SL_SPAWN_HERE_FDS / 64];
	int save[3] = { -1, -1, -1 }, status = 0, how = 0, setmem = 0, setcpu = 0;
	char name[17] = "";
	const char *prog = sl_prog;
	char **env = environ;
	int64_t deadline = 0;
	unsigned rem;
	size_t i, s;

	for (i = 0; i < n; i++)
		if (strchr(argv[i][0], '/') || !sl_spawn_builtin(argv[i][0]))
			break;
	if (n < 1 || n > SL_SPAWN_SEQ_MAX || i < n || here_broken) {
		memset(pl, 0, sizeof *pl);
		errno = here_broken ? EBUSY : EINVAL;
		return -1;
	}
	if (pl_init(pl, 1, lim, &rmem, &rcpu) < 0)
		return -1;
	here_pid = getpid();
	if (!envp)
		envp = environ;
	fflush(NULL);
	getrusage(RUSAGE_SELF, &ru0);
	memset(fds, 0, sizeof fds);
	each_fd(fd_note, fds);
	prctl(PR_GET_NAME, name, 0, 0, 0);
	/* the caller's alarm (its watchdog) is the runner's while the
	 * programs run: it stops the program it finds, then the caller's
	 * handler learns of it */
	if ((rem = alarm(0)) > 0)
		deadline = sl_mono_ms() + (int64_t)rem * 1000;
	for (s = 0; s < SL_ARRAY_LEN(here_sigs); s++)
		sigaction(here_sigs[s], NULL, &old[s]);
	if ((save[0] = fcntl(0, F_DUPFD_CLOEXEC, 3)) < 0 || (save[1] = fcntl(1, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    (errfd >= 0 && (save[2] = fcntl(2, F_DUPFD_CLOEXEC, 3)) < 0))
		goto undo;
	/* the limits over what this process has now, as a forked one's */
	setmem = pl->lim.mem && here_limit(RLIMIT_DATA, &rmem, &omem);
	if (pl->lim.cpu) {
		rcpu = limit_of(RLIMIT_CPU, cpu_seconds(), pl->lim.cpu);
		setcpu = here_limit(RLIMIT_CPU, &rcpu, &ocpu);
	}
	environ = (char **)envp;
	if (errfd >= 0 && dup2(errfd, 2) < 0)
		goto undo;
	for (i = 0; i < n; i++) {
		char **av = (char **)argv[i];
		sl_main_fn fn = sl_spawn_builtin(av[0]);
		int argc = 0, last = i + 1 == n;

		while (av[argc])
			argc++;
		/* the caller cancelled the load (as it would kill a process) */
		if (stop && *stop) {
			status = SIGKILL;
			how = 3;
			break;
		}
		if ((i && (lseek(mem[i - 1], 0, SEEK_SET) < 0 || dup2(mem[i - 1], 0) < 0)) ||
		    (!i && dup2(infd, 0) < 0) || dup2(last ? outfd : mem[i], 1) < 0) {
			status = SL_EXIT_TEMP << 8;
			break;
		}
		if (!here_arm(deadline)) {
			status = SIGALRM;
			how = 2;
			break;
		}
		program_start(av[0]);
		sl_frame_track(1);
		status = here_one(fn, argc, av, &how);
		alarm(0);
		if (how == 2)
			here_broken = 1;        /* stopped anywhere: in malloc, say */
		sl_frame_track(how == 2 ? -1 : 0);      /* the buffers it did not free */
		sl_profile_end();
		fflush(NULL);
		/* a program that ended itself ends the sequence, as it ends a
		 * forked one's process */
		if (how)
			break;
	}
	*ended = i < n ? i : n - 1;
	pl->status[0] = status;
	pl->done[0] = 1;
undo:
	{
		int e = errno;
		alarm(0);
		if (setcpu)
			setrlimit(RLIMIT_CPU, &ocpu);
		if (setmem)
			setrlimit(RLIMIT_DATA, &omem);
		for (s = 0; s < SL_ARRAY_LEN(here_sigs); s++)
			sigaction(here_sigs[s], &old[s], NULL);
		for (int k = 0; k < 3; k++)
			if (save[k] >= 0) {
				dup2(save[k], k);
				close(save[k]);
			}
		environ = env;
		sl_prog = prog;
		prctl(PR_SET_NAME, name, 0, 0, 0);
		each_fd(fd_close_new, fds);
		__fpurge(stdin);
		clearerr(stdin);
		getrusage(RUSAGE_SELF, &ru1);
		ru_sub(&pl->ru[0], &ru1, &ru0);
		if (deadline) {
			int64_t left = deadline - sl_mono_ms();
			if (status == SIGALRM && how == 2) {
				/* the caller's watchdog fired: its handler, as if
				 * the alarm had come to it */
				if (old[0].sa_handler != SIG_DFL && old[0].sa_handler != SIG_IGN &&
				    !(old[0].sa_flags & SA_SIGINFO))
					old[0].sa_handler(SIGALRM);
				how = 3;
			} else {
				alarm(left > 0 ? (unsigned)((left + 999) / 1000) : 1);
			}
		}
		if (how == 3) {
			pl->killed = 1;
			pl->ours[0] = 1;
			pl->status[0] = SIGKILL;
		}
		if (!pl->done[0]) {
			sl_pipeline_free(pl);
			errno = e;
			return -1;
		}
	}
	return 1;
}
