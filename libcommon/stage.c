/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stage.c -- argument parsing and abort paths shared by the stages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "msg.h"
#include "stage.h"

int sl_stage_args(sl_opts *o, int argc, char **argv, const char *usage, const char **operands, int max)
{
	int i, n = 0;

	for (i = 0; i < max; i++)
		operands[i] = 0;
	for (i = 1; i < argc;) {
		int k = sl_opt_common(o, argc, argv, i);
		if (k < 0)
			sl_dieusage(usage);
		if (k > 0) {
			i += k;
			continue;
		}
		if ((argv[i][0] == '-' && argv[i][1]) || n >= max)
			sl_dieusage(usage);
		operands[n++] = argv[i++];
	}
	if (o->help) {
		printf("usage: %s\n", usage);
		exit(fflush(stdout) || ferror(stdout) ? SL_EXIT_TEMP : SL_EXIT_OK);
	}
	return n;
}

int sl_stage_target(const char *s, char db[65], char table[65])
{
	const char *dot = strchr(s, '.');
	size_t dn, tn;

	if (!dot || strchr(dot + 1, '.'))
		return 0;
	dn = (size_t)(dot - s);
	tn = strlen(dot + 1);
	if (!dn || dn > 64 || !tn || tn > 64)
		return 0;
	memcpy(db, s, dn);
	db[dn] = 0;
	memcpy(table, dot + 1, tn + 1);
	return 1;
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
