/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msg.c -- "prog: level: message" on stderr, and the errno classification
 * that maps failures onto the exit-code table of sl.h; the --help and
 * --version answers. Used by cmd/ only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sl.h"
#include "msg.h"
#include "version.h"

const char *sl_prog = "sl";
void (*sl_exit_hook)(int code);

void sl_exit(int code)
{
	if (sl_exit_hook)
		sl_exit_hook(code);
	exit(code);
}

void sl_msg_init(const char *argv0)
{
	const char *s;

	if (!argv0 || !*argv0)
		return;
	s = strrchr(argv0, '/');
	sl_prog = s ? s + 1 : argv0;
}

static void vmsg(const char *level, int err, const char *fmt, va_list ap)
{
	char buf[4096];
	int n;

	n = snprintf(buf, sizeof buf, "%s: %s: ", sl_prog, level);
	if (n < 0 || (size_t)n >= sizeof buf)
		n = 0;
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	if (err)
		fprintf(stderr, "%s: %s\n", buf, strerror(err));
	else
		fprintf(stderr, "%s\n", buf);
}

void sl_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("fatal", 0, fmt, ap);
	va_end(ap);
	sl_exit(code);
}

void sl_diesys(int code, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg("fatal", e, fmt, ap);
	va_end(ap);
	sl_exit(code);
}

void sl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning", 0, fmt, ap);
	va_end(ap);
}

void sl_warnsys(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning", e, fmt, ap);
	va_end(ap);
}

void sl_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("info", 0, fmt, ap);
	va_end(ap);
}

void sl_dieusage(const char *usage)
{
	fprintf(stderr, "%s: usage: %.*s\n", sl_prog, (int)strcspn(usage, "\n"), usage);
	sl_exit(SL_EXIT_USAGE);
}

/* The end of --help and --version: stdout flushed, 0 or 111. */
static __attribute__((noreturn)) void exit_stdout(void)
{
	sl_exit(fflush(stdout) || ferror(stdout) ? SL_EXIT_TEMP : SL_EXIT_OK);
}

void sl_msg_help(const char *usage)
{
	size_t n = strlen(usage);

	printf("usage: %s%s", usage, n && usage[n - 1] == '\n' ? "" : "\n");
	exit_stdout();
}

void sl_msg_version(void)
{
	char line[256];

	sl_version_line(line, sizeof line, sl_prog);
	printf("%s\n", line);
	exit_stdout();
}

int sl_error_temp(int e)
{
	switch (e) {
	case EPROTO: case ERANGE: case EINVAL: case ENOENT: case ENOTDIR:
	case EISDIR: case EEXIST: case ENAMETOOLONG: case EACCES: case EPERM:
	case ELOOP: case EBADMSG: case EILSEQ:
		return 0;
	default:
		return 1;
	}
}

int sl_exit_for_errno(int e)
{
	return sl_error_temp(e) ? SL_EXIT_TEMP : SL_EXIT_USAGE;
}

int64_t sl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
