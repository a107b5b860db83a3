/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawn.h -- the pipeline launcher shared by sl-load and sl-httpd: run N
 * programs as a chain `p0 | p1 | ... | pN-1` from an input fd to an output
 * fd. argv arrays only (execvpe; never a shell). Knows nothing of HTTP.
 *
 * Every pipe is made with O_CLOEXEC (pipe2) and raised to SL_PIPE_SIZE; the
 * parent closes its copy of each pipe end as soon as both neighbours are
 * spawned. Each child restores the default disposition of every signal
 * and an empty signal mask before exec. Exec failures are reported to the
 * parent over a CLOEXEC pipe, so sl_spawn_pipeline only returns 1 once
 * every program has really been exec'd.
 *
 * Built-in programs: a binary that carries a program's code (sl-load and
 * sl-httpd carry the five stages, see builtin.h) registers it in
 * sl_spawn_builtins. A stage whose argv[0] is a bare name found there is
 * forked but not exec'd: the child sets up its fds and signals as for exec,
 * closes every fd above 2 (a stage's interface is fds 0-2, argv and the
 * environment; every fd here is close-on-exec anyway), discards the stdio
 * buffers it inherited, names itself argv[0] (prctl PR_SET_NAME, so ps and
 * pgrep -x see "sl-map"), and exits with the program's main(argc, argv).
 * It is still its own process with its own pipes; only exec and the
 * dynamic loader (most of a small load's cost) are skipped. An argv[0]
 * with a '/' is always exec'd.
 *
 * The caller must not have other children it waits for while a pipeline
 * runs: sl_pipeline_wait reaps with waitpid(-1) (and ignores pids that are
 * not the pipeline's). It must be single-threaded (a built-in child runs
 * ordinary code after fork).
 */
#ifndef SL_SPAWN_H
#define SL_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "io.h"

typedef int (*sl_main_fn)(int argc, char **argv);
typedef struct sl_builtin {
	const char *name;       /* argv[0] that selects it, e.g. "sl-map" */
	sl_main_fn main;
} sl_builtin;

/* NULL, or a table ending with { NULL, NULL }; set once by main(). */
extern const sl_builtin *sl_spawn_builtins;

/* The built-in program called name, or NULL. */
sl_main_fn sl_spawn_builtin(const char *name);

/* For a launcher whose death must take its pipelines with it (sl-jobd's
 * workers: a body fed through a pipe would otherwise end at the
 * launcher's death as if it were complete, and commit): from now on the
 * programs this process spawns get SIGKILL when it dies
 * (PR_SET_PDEATHSIG). Off unless called. */
void sl_spawn_die_with_parent(void);

/* Resource limits every stage runs under, set in the child before exec
 * (or before a built-in program's main), so an exec'd stage gets the same.
 * mem: bytes of data memory (RLIMIT_DATA: heap and private writable
 * mappings, Linux >= 4.7) a stage may add to what it has at fork, which is
 * the launcher's own (so a sanitizer's shadow memory, already mapped by the
 * launcher, is not counted against it). cpu: seconds of CPU time
 * (RLIMIT_CPU: SIGXCPU, then SIGKILL a second later). 0: no limit. */
typedef struct sl_spawn_limits {
	uint64_t mem;
	uint64_t cpu;
} sl_spawn_limits;

typedef struct sl_pipeline {
	size_t n;
	pid_t *pid;             /* 0 once reaped */
	int *status;            /* wait status per stage, valid once reaped */
	int *done;              /* 1 once reaped */
	int *ours;              /* 1: died of our SIGKILL (sl_pipeline_kill) */
	struct rusage *ru;      /* resources used per stage, once reaped */
	int killed;             /* the pipeline was killed (sl_pipeline_kill) */
	size_t failed_stage;    /* on exec failure: which stage */
	size_t cause;           /* 1 + the stage whose abnormal death made
	                         * sl_pipeline_wait kill the others; 0 if none */
	sl_spawn_limits lim;    /* the limits the stages run under */
} sl_pipeline;
#define SL_PIPELINE_ZERO { 0, 0, 0, 0, 0, 0, 0, 0, 0, { 0, 0 } }

/* Start argv[0] | ... | argv[n-1]: stage 0 reads infd, stage n-1 writes
 * outfd, every stage inherits stderr (errfd -1) or gets errfd as fd 2.
 * envp NULL means environ. argv[i][0] without '/' is a built-in program
 * when sl_spawn_builtins has it, else searched in PATH.
 * infd/outfd/errfd are not closed. Returns 1 (every stage exec'd), or -1
 * with errno: fork/pipe failures, or the exec errno of stage
 * pl->failed_stage (ENOENT, EACCES, ...); on -1 every started stage has
 * been killed (SIGKILL) and reaped. */
int sl_spawn_pipeline(sl_pipeline *pl, size_t n, char *const *const argv[],
	int infd, int outfd, int errfd, char *const envp[]);
/* The same, every stage under the limits lim (NULL: none). */
int sl_spawn_pipeline_limited(sl_pipeline *pl, size_t n, char *const *const argv[],
	int infd, int outfd, int errfd, char *const envp[], const sl_spawn_limits *lim);

/* At most this many programs in a sequence. */
#define SL_SPAWN_SEQ_MAX 8

/* The programs argv[0..n-1], every one built in, one after another in
 * one forked process instead of a chain of n (for a small input: one
 * fork, and the pages it copies, instead of n): program 0 reads infd;
 * program i > 0 reads, from its start, what program i-1 wrote to the
 * memory file mem[i-1] (n-1 fds the caller made, e.g. memfd_create);
 * the last one writes outfd. Each program runs as the built-in child of
 * a pipeline does (fds 0-2, its name, the limits lim for the whole
 * process); the last one with fds 0-2 only. Byte i is written to progfd
 * (a pipe) as program i starts. A program that ends the process itself
 * (exit) leaves the ones after it unrun: the caller knows from progfd
 * which one it was, and can run the rest as a pipeline from mem[i].
 * pl holds one process, named by each program in turn; its exit status
 * is the last program's. 1; -1 errno (EINVAL: n out of 1..
 * SL_SPAWN_SEQ_MAX, or a program not built in). */
int sl_spawn_sequence(sl_pipeline *pl, size_t n, char *const *const argv[], const int *mem, int progfd,
	int infd, int outfd, int errfd, char *const envp[], const sl_spawn_limits *lim);

/* How many fds this process has open (/proc/self/fd); -1 unknown. */
int sl_spawn_fds_open(void);
/* The number in field name of /proc/self/status ("VmData" in kB,
 * "Threads"); -1 unknown. */
int64_t sl_spawn_status_field(const char *name);

/* 1 while this process may run a sequence here: until a signal stopped
 * a program of one (its heap may be at an unknown point). */
int sl_spawn_here_ready(void);
/* The same sequence in this process, with no fork: for a process that
 * serves loads itself (sl-httpd's connection process), where a fork and
 * the page faults after it cost more than a small load's work.
 * Each program runs as in sl_spawn_sequence's process: fds 0-2 (2 is
 * errfd unless -1), envp, its name, sl_tally cleared, SIGPIPE default;
 * the whole sequence under lim (RLIMIT_DATA over this process's data
 * memory now, RLIMIT_CPU over its CPU time now). A program that ends
 * itself (sl_exit: every fatal path) ends the sequence there, as it ends
 * a forked one's process; *ended names the program the sequence ended
 * with. A signal stops the program it finds: SIGXCPU (its CPU limit),
 * SIGALRM (the caller's alarm, pending when this is called: the program
 * is stopped, then the caller's SIGALRM handler runs, and the stage
 * reads as killed by us). After a signal the process's heap may be at an
 * unknown point: the caller answers and ends, and every later call here
 * fails with EBUSY (sl_spawn_here_ready). Everything else is put
 * back: fds 0-2, every fd the programs left open closed, the
 * environment, sl_prog, the process name, the limits, SIGALRM, SIGXCPU
 * and SIGPIPE, and what is left of the caller's alarm. The programs may
 * catch SIGALRM and SIGPIPE only (stage.h sl_stage_catch); other
 * dispositions are the caller's. Once *stop (unless NULL) is set (the
 * caller's cancel, from a handler), no further program starts and the
 * sequence reads as killed by us. pl holds one entry: pid 0, the last
 * program's status, the rusage of the whole. A process may run sequence
 * after sequence (each program starts over its own static state at its
 * main); what a program that ended itself had allocated stays allocated,
 * so a caller that runs many bounds its heap (sl-httpd retires its
 * process). 1; -1 errno (EINVAL, EBUSY, ENOMEM). */
int sl_spawn_sequence_here(sl_pipeline *pl, size_t n, char *const *const argv[], const int *mem, size_t *ended,
	int infd, int outfd, int errfd, char *const envp[], const sl_spawn_limits *lim,
	const volatile sig_atomic_t *stop);

/* Send sig to every stage not yet reaped; sets pl->killed for SIGKILL. */
void sl_pipeline_kill(sl_pipeline *pl, int sig);

/* Reap every stage. While waiting, read rfd (if >= 0) to EOF appending at
 * most max bytes to out (the rest is read and dropped), so the caller can
 * collect the last stage's output through a pipe. As soon as one stage
 * dies by a signal other than SIGPIPE, every other stage is killed with
 * SIGKILL. Returns 1 when every stage exited normally with status 0, 0
 * otherwise (inspect pl->status), -1 with errno on a wait/read error
 * (the stages are then killed and reaped). rfd is not closed. */
int sl_pipeline_wait(sl_pipeline *pl, int rfd, sl_buf *out, size_t max);

/* 1 if stage i died by a signal other than SIGPIPE (or was killed). */
int sl_pipeline_abnormal(const sl_pipeline *pl, size_t i);

/* How stage i ended, for a launcher that reports the earliest failure of
 * a chain (the stages after a failed one only see their input break):
 *   SL_STAGE_OK       exited 0, or died of SIGPIPE (a later stage went first)
 *   SL_STAGE_OURS     killed by sl_pipeline_kill (another stage failed)
 *   SL_STAGE_EXIT     exited non-zero (its message went downstream)
 *   SL_STAGE_SIGNAL   died by a signal it was not sent by us
 *   SL_STAGE_CPU      died of its CPU limit (SIGXCPU, or SIGKILL past it)
 *   SL_STAGE_MEM      died by a signal, or exited non-zero other than 1
 *                     (a Fail) and 100 (usage), while at its memory limit:
 *                     its peak resident size reached a quarter of it (an
 *                     allocation that fails is about as large as what is
 *                     in use at most; libjq then aborts). In a build with
 *                     AddressSanitizer, exit 1 too (its out of memory).
 * A stage not yet reaped is SL_STAGE_OK. */
enum { SL_STAGE_OK, SL_STAGE_OURS, SL_STAGE_EXIT, SL_STAGE_SIGNAL, SL_STAGE_CPU, SL_STAGE_MEM };
int sl_pipeline_outcome(const sl_pipeline *pl, size_t i);

/* pl for n processes under lim (NULL: none), none started (for a
 * launcher that accounts for stages it ran otherwise, e.g. in a
 * sequence). 1; -1 errno. */
int sl_pipeline_alloc(sl_pipeline *pl, size_t n, const sl_spawn_limits *lim);

void sl_pipeline_free(sl_pipeline *pl);

#endif
