/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-spawnhere.c -- unit tests of a sequence run in the caller's own
 * process (libcommon/spawn.c sl_spawn_sequence_here): each case in a
 * process of its own (after a signal stopped one, a process runs no
 * more), with built-in programs that pass their input on, end themselves (sl_die), leak an fd
 * and catch SIGPIPE, spin past the CPU limit, allocate past the memory
 * limit, or wait past the caller's alarm. What the caller had is checked
 * after each: fds 0-2, fds, the environment, sl_prog, dispositions,
 * limits, the rest of its alarm.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "spawn.h"
#include "msg.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* ---- the programs ---- */

/* its name, then what it read */
static int p_copy(int argc, char **argv)
{
	char b[256];
	ssize_t k;

	(void)argc;
	sl_msg_init(argv[0]);
	if (write(1, argv[0], strlen(argv[0])) < 0 || write(1, ":", 1) < 0)
		return 111;
	while ((k = read(0, b, sizeof b)) > 0)
		if (write(1, b, (size_t)k) != k)
			return 111;
	return getenv("SPAWNHERE") && !strcmp(getenv("SPAWNHERE"), "yes") ? 0 : 3;
}

/* some output, then a fatal error: exit 100 */
static int p_die(int argc, char **argv)
{
	(void)argc;
	sl_msg_init(argv[0]);
	if (write(1, "partial", 7) < 0)
		return 111;
	sl_die(SL_EXIT_USAGE, "no good");
}

/* an fd left open, SIGPIPE caught, its exit code 7 */
static void on_pipe(int sig) { (void)sig; }
static int p_leak(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, on_pipe);
	return open("/dev/null", O_RDONLY) >= 0 ? 7 : 111;
}

__attribute__((noreturn)) static int p_spin(int argc, char **argv)
{
	volatile unsigned long x = 0;

	(void)argc;
	(void)argv;
	for (;;)
		x++;
}

/* memory until malloc says no, then out of memory as a stage says it */
__attribute__((noreturn)) static int p_hog(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (;;) {
		char *p = malloc(8 << 20);
		if (!p)
			sl_die(SL_EXIT_TEMP, "out of memory");
		memset(p, 1, 8 << 20);
	}
}

__attribute__((noreturn)) static int p_wait(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (;;)
		pause();
}

static const sl_builtin progs[] = {
	{ "p-copy", p_copy }, { "p-die", p_die }, { "p-leak", p_leak }, { "p-spin", p_spin },
	{ "p-hog", p_hog }, { "p-wait", p_wait }, { NULL, NULL },
};

/* ---- the caller ---- */

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static int nfds(void)
{
	int n = 0;

	for (int fd = 0; fd < 256; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static void text_of(int fd, char *out, size_t cap)
{
	ssize_t k;

	lseek(fd, 0, SEEK_SET);
	k = read(fd, out, cap - 1);
	out[k > 0 ? k : 0] = 0;
}

/* A sequence of the names in progs (NULL-ended), input "in", limits
 * lim: its pl, ended, its output and the middle program's, in a process
 * of its own; the checks of what the caller keeps. */
static void run(const char *const *names, size_t n, const sl_spawn_limits *lim, unsigned alarm_s,
	sl_pipeline *pl, size_t *ended, char *out, char *mid, size_t cap)
{
	char *argv[4][2];
	char *const *av[4];
	char *envp[] = { "SPAWNHERE=yes", NULL };
	int mem[3], in = memfd_create("in", 0), o = memfd_create("out", 0), before;
	struct sigaction sa, now;
	struct rlimit r0, r1, c0, c1;
	const char *prog = sl_prog;
	char *home = getenv("HOME");

	for (size_t i = 0; i < n; i++) {
		argv[i][0] = (char *)names[i];
		argv[i][1] = NULL;
		av[i] = argv[i];
	}
	for (size_t i = 0; i + 1 < n; i++)
		mem[i] = memfd_create("mem", 0);
	if (write(in, "in", 2) != 2 || lseek(in, 0, SEEK_SET) < 0)
		abort();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	getrlimit(RLIMIT_DATA, &r0);
	getrlimit(RLIMIT_CPU, &c0);
	before = nfds();
	if (alarm_s)
		alarm(alarm_s);
	CHECK(sl_spawn_sequence_here(pl, n, av, mem, ended, in, o, -1, envp, lim, NULL) == 1);
	CHECK(nfds() == before);
	CHECK(sl_prog == prog);
	CHECK(getenv("SPAWNHERE") == NULL && getenv("HOME") == home);
	sigaction(SIGALRM, NULL, &now);
	CHECK(now.sa_handler == on_alarm);
	sigaction(SIGPIPE, NULL, &now);
	CHECK(now.sa_handler == SIG_IGN);
	sigaction(SIGXCPU, NULL, &now);
	CHECK(now.sa_handler == SIG_DFL);
	getrlimit(RLIMIT_DATA, &r1);
	getrlimit(RLIMIT_CPU, &c1);
	CHECK(r1.rlim_cur == r0.rlim_cur && r1.rlim_max == r0.rlim_max);
	CHECK(c1.rlim_cur == c0.rlim_cur && c1.rlim_max == c0.rlim_max);
	text_of(o, out, cap);
	mid[0] = 0;
	if (n > 1)
		text_of(mem[0], mid, cap);
}

/* Case k in a child; 0 if every check held. */
static int one_case(int k)
{
	static const char *copy3[] = { "p-copy", "p-copy", "p-copy" };
	static const char *die3[] = { "p-copy", "p-die", "p-copy" };
	static const char *leak2[] = { "p-leak", "p-copy" };
	static const char *spin1[] = { "p-copy", "p-spin" };
	static const char *hog1[] = { "p-hog", "p-copy" };
	static const char *wait1[] = { "p-copy", "p-wait" };
	sl_pipeline pl = SL_PIPELINE_ZERO, again = SL_PIPELINE_ZERO;
	sl_spawn_limits lim = { 0, 0 };
	char out[256], mid[256];
	size_t ended = 99;

	switch (k) {
	case 0:         /* three programs, each one's output the next one's input */
		run(copy3, 3, NULL, 0, &pl, &ended, out, mid, sizeof out);
		CHECK(ended == 2);
		CHECK(WIFEXITED(pl.status[0]) && WEXITSTATUS(pl.status[0]) == 0);
		CHECK(!strcmp(out, "p-copy:p-copy:p-copy:in"));
		CHECK(pl.pid[0] == 0 && !pl.killed);
		/* a process runs sequence after sequence: the same again */
		CHECK(sl_spawn_here_ready());
		out[0] = 0;
		run(copy3, 3, NULL, 0, &again, &ended, out, mid, sizeof out);
		CHECK(ended == 2);
		CHECK(WIFEXITED(again.status[0]) && WEXITSTATUS(again.status[0]) == 0);
		CHECK(!strcmp(out, "p-copy:p-copy:p-copy:in"));
		sl_pipeline_free(&again);
		break;
	case 1:         /* sl_die ends the sequence there, its output kept */
		run(die3, 3, NULL, 0, &pl, &ended, out, mid, sizeof out);
		CHECK(ended == 1);
		CHECK(WIFEXITED(pl.status[0]) && WEXITSTATUS(pl.status[0]) == SL_EXIT_USAGE);
		CHECK(!strcmp(mid, "p-copy:in"));
		CHECK(!strcmp(out, ""));
		break;
	case 2:         /* a leaked fd closed, SIGPIPE the caller's again; a
			 * program that returns non-zero does not end it */
		run(leak2, 2, NULL, 0, &pl, &ended, out, mid, sizeof out);
		CHECK(ended == 1);
		CHECK(!strcmp(out, "p-copy:"));
		CHECK(WIFEXITED(pl.status[0]) && WEXITSTATUS(pl.status[0]) == 0);
		break;
	case 3:         /* past the CPU limit: stopped by SIGXCPU */
		lim.cpu = 1;
		run(spin1, 2, &lim, 0, &pl, &ended, out, mid, sizeof out);
		CHECK(ended == 1);
		CHECK(WIFSIGNALED(pl.status[0]) && WTERMSIG(pl.status[0]) == SIGXCPU);
		CHECK(!pl.killed);
		break;
	case 4:         /* past the memory limit: malloc fails, the program says so */
#if defined(__SANITIZE_ADDRESS__)
		break;          /* ASan's allocator dies at the limit, it does not fail */
#endif
		lim.mem = 64 << 20;
		run(hog1, 2, &lim, 0, &pl, &ended, out, mid, sizeof out);
		CHECK(ended == 0);
		CHECK(WIFEXITED(pl.status[0]) && WEXITSTATUS(pl.status[0]) == SL_EXIT_TEMP);
		/* and the caller may allocate again */
		{
			char *p = malloc(256 << 20);
			CHECK(p != NULL);
			free(p);
		}
		break;
	case 5:         /* the caller's alarm stops the program it finds, then
			 * reaches the caller's handler: killed by us */
		run(wait1, 2, NULL, 1, &pl, &ended, out, mid, sizeof out);
		CHECK(ended == 1);
		CHECK(alarms == 1);
		CHECK(pl.killed && pl.ours[0] && WIFSIGNALED(pl.status[0]) && WTERMSIG(pl.status[0]) == SIGKILL);
		CHECK(!strcmp(mid, "p-copy:in"));
		/* a program stopped anywhere (in malloc, say): no more here */
		CHECK(!sl_spawn_here_ready());
		CHECK(sl_spawn_sequence_here(&again, 3, (char *const *const[]){ (char *[]){ "p-copy", NULL },
			(char *[]){ "p-copy", NULL }, (char *[]){ "p-copy", NULL } }, (int[]){ 0, 0 }, &ended, 0, 1,
			-1, NULL, NULL, NULL) == -1 && errno == EBUSY);
		break;
	case 6:         /* the rest of the caller's alarm comes back to it */
		run(copy3, 3, NULL, 2, &pl, &ended, out, mid, sizeof out);
		CHECK(ended == 2 && alarms == 0);
		{
			unsigned left = alarm(0);
			CHECK(left >= 1 && left <= 2);
		}
		break;
	}
	sl_pipeline_free(&pl);
	return failed ? 1 : 0;
}

int main(void)
{
	sl_spawn_builtins = progs;
	for (int k = 0; k <= 6; k++) {
		pid_t pid;
		int st;

		fflush(NULL);
		if ((pid = fork()) == 0)
			_exit(one_case(k));
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		if (failed)
			fprintf(stderr, "case %d failed\n", k);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
