/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stage.h -- the skeleton every command-line stage shares: its argument
 * loop, its DB.TABLE operand, its signal dispositions, the failure path of
 * its frame-reading loop, the "fatal but not yet exiting" note of a stage
 * that still has an answer to send, and the end of its stream. A stage's
 * main keeps only what is its own.
 * For cmd/ only: unlike the rest of libcommon, these print and exit (like
 * msg.h).
 */
#ifndef SL_STAGE_H
#define SL_STAGE_H

#include <stdarg.h>
#include <stdint.h>

#include "frame.h"
#include "hdr.h"

/* An option of one stage beyond the common ones (hdr.h): name takes the
 * next argument, stored in *val. */
typedef struct sl_stage_opt {
	const char *name;       /* "-T", "--txn-id" */
	const char **val;
	int flags;
} sl_stage_opt;
#define SL_STAGE_OPT_NONEMPTY 1 /* an empty value is a usage error */
#define SL_STAGE_OPT_EQ       2 /* also "--name=value" */

/* Parse argv: the common options (hdr.h), the options in opts (ended by a
 * NULL name; opts may be NULL) and at most max operands, stored in
 * operands[0..] (the rest NULL). Any other option, an option without its
 * value, or too many operands is a usage error (exit 100); -h/--help
 * prints the usage text on stdout and exits 0, --version the version
 * (msg.h). Returns the number of operands. */
int sl_stage_args_opts(sl_opts *o, int argc, char **argv, const char *usage, const sl_stage_opt *opts,
	const char **operands, int max);
/* sl_stage_args_opts without options of the stage's own. */
int sl_stage_args(sl_opts *o, int argc, char **argv, const char *usage, const char **operands, int max);

/* The dot that splits "db.table": the first one, with at least a byte on
 * each side; NULL if there is none such. */
const char *sl_stage_dot(const char *s);
/* Split "db.table" into its two parts (each 1..64 bytes, no second dot).
 * 1 ok, 0 malformed. */
int sl_stage_target(const char *s, char db[65], char table[65]);

/* Catch sig with h (or SIG_IGN), with an empty mask and without
 * SA_RESTART, so that a blocked read or poll returns EINTR. */
void sl_stage_catch(int sig, void (*h)(int));
/* SIGPIPE by a no-op handler, not SIG_IGN (an ignored disposition would
 * survive exec): a write to a closed pipe then fails with EPIPE. */
void sl_stage_nopipe(void);

/* "prog: fatal: message" on stderr, and ": " sl_store_strerror(err) after
 * it if err is not 0, for a stage that still has an answer to send before
 * it exits (sl_die would exit at once). */
__attribute__((format(printf, 2, 3)))
void sl_stage_note(int err, const char *fmt, ...);
/* "unable to write stdout" for a write that failed with err, but nothing
 * for EPIPE: the reader is gone and accounts for itself. */
void sl_stage_note_write(int err);

/* The exit code for a failed read of the row stream with errno e: 100 for
 * a malformed or oversize frame (EPROTO, ERANGE), else 111. */
int sl_stage_read_code(int e);
/* The read loop of a pass-through stage failed with errno e (EPIPE: EOF
 * before E): send X "[INTERNAL_ERROR]name: why" downstream, print
 * "prog: fatal: why", exit 100 or 111. A few bytes of text that start no
 * frame are a bad stream (EPROTO), not a truncated one. */
__attribute__((noreturn))
void sl_stage_read_fail(sl_writer *w, const sl_reader *rd, int e, const char *name);

/* "unable to write stdout" with the writer's sticky errno; exit 111. */
__attribute__((noreturn)) void sl_stage_die_write(sl_writer *w);

/* Send an X frame with the message (flags: SL_X_PRETXN) downstream, print
 * "prog: fatal: message", exit with code. */
__attribute__((noreturn, format(printf, 4, 5)))
void sl_stage_abort(sl_writer *w, int code, int flags, const char *fmt, ...);

/* The "fatal but not yet exiting" state: an error a stage found before it
 * may report it, kept until the stream shows whether an earlier stage
 * failed first. The first error wins. SL_STAGE_ERR_ZERO initialises. */
typedef struct sl_stage_err {
	int set;
	int flags;              /* of the X frame: SL_X_PRETXN */
	char msg[1024];
} sl_stage_err;
#define SL_STAGE_ERR_ZERO { 0, 0, "" }

/* Keep the error unless one is kept already. */
__attribute__((format(printf, 3, 4)))
void sl_stage_err_set(sl_stage_err *e, int flags, const char *fmt, ...);
__attribute__((format(printf, 3, 0)))
void sl_stage_err_vset(sl_stage_err *e, int flags, const char *fmt, va_list ap);
/* Report the kept error: X downstream, "prog: fatal: message", exit 1. */
__attribute__((noreturn)) void sl_stage_err_raise(sl_writer *w, const sl_stage_err *e);

/* Copy an upstream X frame through, flush; returns SL_EXIT_NO, the exit
 * code of a stage that passed on a failure. */
int sl_stage_pass_abort(sl_writer *w, const sl_frame *f);

/* The end of a pass-through stage's stream: the counter key = n (if key
 * is not NULL), E, and stdout closed; exits 111 if any of it fails. */
void sl_stage_end(sl_writer *w, const char *key, uint64_t n);

/* Write a stage's whole answer (p, n) on stdout and close it. Returns
 * code, or 111 after "prog: fatal: unable to write stdout: ..." (or
 * "close") if either fails. */
int sl_stage_answer(const void *p, size_t n, int code);

#endif
