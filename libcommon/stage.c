/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stage.c -- the stage skeleton (stage.h): argument loop, DB.TABLE
 * operand, signal dispositions, and the failure and end paths of a
 * stage's read loop.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "io.h"
#include "status.h"
#include "store.h"
#include "stage.h"
#include "datetime.h"

/* The stage's own option at argv[i]: the number of arguments it takes
 * (1 or 2), 0 if it is none of them; usage error if its value is missing. */
static int own_opt(const sl_stage_opt *opts, int argc, char **argv, int i, const char *usage)
{
	const char *a = argv[i];
	const sl_stage_opt *p;

	for (p = opts; p && p->name; p++)
		if (!strcmp(a, p->name)) {
			if (i + 1 >= argc || ((p->flags & SL_STAGE_OPT_NONEMPTY) && !*argv[i + 1]))
				sl_dieusage(usage);
			*p->val = argv[i + 1];
			return 2;
		}
	for (p = opts; p && p->name; p++) {
		size_t n = strlen(p->name);
		if ((p->flags & SL_STAGE_OPT_EQ) && !strncmp(a, p->name, n) && a[n] == '=') {
			*p->val = a + n + 1;
			return 1;
		}
	}
	return 0;
}

int sl_stage_args_opts(sl_opts *o, int argc, char **argv, const char *usage, const sl_stage_opt *opts,
	const char **operands, int max)
{
	int i, n = 0;

	sl_tz_reset();          /* no session zone of a load run before (spawn.h) */
	for (i = 0; i < max; i++)
		operands[i] = 0;
	for (i = 1; i < argc;) {
		int k = sl_opt_common(o, argc, argv, i);
		if (k < 0)
			sl_dieusage(usage);
		if (k == 0)
			k = own_opt(opts, argc, argv, i, usage);
		if (k > 0) {
			i += k;
			continue;
		}
		if ((argv[i][0] == '-' && argv[i][1]) || n >= max)
			sl_dieusage(usage);
		operands[n++] = argv[i++];
	}
	if (o->help)
		sl_msg_help(usage);
	if (o->version)
		sl_msg_version();
	return n;
}

int sl_stage_args(sl_opts *o, int argc, char **argv, const char *usage, const char **operands, int max)
{
	return sl_stage_args_opts(o, argc, argv, usage, NULL, operands, max);
}

const char *sl_stage_dot(const char *s)
{
	const char *dot = strchr(s, '.');

	return dot && dot != s && dot[1] ? dot : NULL;
}

int sl_stage_target(const char *s, char db[65], char table[65])
{
	const char *dot = sl_stage_dot(s);
	size_t dn, tn;

	if (!dot || strchr(dot + 1, '.'))
		return 0;
	dn = (size_t)(dot - s);
	tn = strlen(dot + 1);
	if (dn > 64 || tn > 64)
		return 0;
	memcpy(db, s, dn);
	db[dn] = 0;
	memcpy(table, dot + 1, tn + 1);
	return 1;
}

void sl_stage_catch(int sig, void (*h)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void on_sigpipe(int sig)
{
	(void)sig;
}

void sl_stage_nopipe(void)
{
	sl_stage_catch(SIGPIPE, on_sigpipe);
}

void sl_stage_note(int err, const char *fmt, ...)
{
	char b[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, "%s: fatal: %s: %s\n", sl_prog, b, sl_store_strerror(err));
	else
		fprintf(stderr, "%s: fatal: %s\n", sl_prog, b);
}

void sl_stage_note_write(int err)
{
	/* EPIPE: the next stage (or sl-load) is gone and says why itself, as
	 * SIGPIPE's silent death would; a line here would race with sl-load's
	 * own account of that death */
	if (err != EPIPE)
		sl_stage_note(err, "unable to write stdout");
}

int sl_stage_read_code(int e)
{
	return e == EPROTO || e == ERANGE ? SL_EXIT_USAGE : SL_EXIT_TEMP;
}

void sl_stage_read_fail(sl_writer *w, const sl_reader *rd, int e, const char *name)
{
	char msg[512];
	const char *why;

	if (e == EPIPE && rd->nbytes == 0 && rd->end > rd->start &&
	    rd->buf[rd->start] != 'H' && rd->buf[rd->start] != 'C' && rd->buf[rd->start] != 'X')
		e = EPROTO;
	why = sl_reader_errstr(rd, e);
	snprintf(msg, sizeof msg, SL_E_INTERNAL_ERROR "%s: %s", name, why);
	sl_write_abort(w, 0, msg);
	sl_writer_flush(w);
	sl_die(sl_stage_read_code(e), "%s", why);
}

void sl_stage_die_write(sl_writer *w)
{
	errno = w->err ? w->err : errno;
	sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
}

void sl_stage_abort(sl_writer *w, int code, int flags, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sl_write_abort(w, flags, msg);
	sl_writer_flush(w);
	sl_die(code, "%s", msg);
}

void sl_stage_err_vset(sl_stage_err *e, int flags, const char *fmt, va_list ap)
{
	if (e->set)
		return;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	e->flags = flags;
	e->set = 1;
}

void sl_stage_err_set(sl_stage_err *e, int flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_stage_err_vset(e, flags, fmt, ap);
	va_end(ap);
}

void sl_stage_err_raise(sl_writer *w, const sl_stage_err *e)
{
	sl_stage_abort(w, SL_EXIT_NO, e->flags, "%s", e->msg);
}

int sl_stage_pass_abort(sl_writer *w, const sl_frame *f)
{
	if (sl_write_frame(w, f) < 0)
		sl_stage_die_write(w);
	sl_writer_flush(w);
	return SL_EXIT_NO;
}

void sl_stage_end(sl_writer *w, const char *key, uint64_t n)
{
	char num[32];
	const char *val = num;

	if (key) {
		snprintf(num, sizeof num, "%" PRIu64, n);
		if (sl_write_kv(w, 1, &key, &val) < 0)
			sl_stage_die_write(w);
	}
	if (sl_write_end(w) < 0)
		sl_stage_die_write(w);
	if (close(1) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
}

int sl_stage_answer(const void *p, size_t n, int code)
{
	if (sl_allwrite(1, p, n) != n) {
		sl_stage_note_write(errno);
		return SL_EXIT_TEMP;
	}
	if (close(1) < 0) {
		sl_stage_note(errno, "unable to close stdout");
		return SL_EXIT_TEMP;
	}
	return code;
}
