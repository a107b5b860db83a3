/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile.c -- one profile line per stage at exit (profile.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sl.h"
#include "msg.h"
#include "frame.h"
#include "profile.h"
#include "loadopt.h"

static int64_t start_ms, start_cpu_ms;
static char label[160], table[160];
static int armed, registered;

/* This process's CPU time in ms; *rss (may be NULL) its peak RSS. */
static int64_t cpu_now(long *rss)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	if (rss)
		*rss = ru.ru_maxrss;
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* The line, once for each sl_profile_start. */
static void print_profile(void)
{
	long rss = 0;
	int64_t cpu_ms;

	if (!armed)
		return;
	armed = 0;
	cpu_ms = cpu_now(&rss) - start_cpu_ms;
	fprintf(stderr, "%s: profile: label=%s table=%s rows_in=%" PRIu64 " rows_out=%" PRIu64 " errors=%" PRIu64
	    " bytes_in=%" PRIu64 " bytes_out=%" PRIu64 " wall_ms=%" PRId64 " cpu_ms=%" PRId64 " max_rss_kb=%ld\n",
	    sl_prog, label[0] ? label : "-", table[0] ? table : "-", sl_tally.rows_in, sl_tally.rows_out,
	    sl_tally.errors_out, sl_tally.bytes_in, sl_tally.bytes_out, sl_now_ms() - start_ms, cpu_ms, rss);
	fflush(stderr);
}

void sl_profile_start(const sl_hdrs *h, const char *tbl)
{
	sl_loadopts lo;
	const char *l;
	char m[256];
	int on;

	/* both options are in sl-txn's rows, none of which allocates */
	if (sl_loadopt_parse(&lo, h, SL_LO_TXN, m, sizeof m) < 0)
		return;
	on = (int)lo.v[SL_LO_ENABLE_PROFILE].i;
	l = lo.v[SL_LO_LABEL].text;
	sl_loadopt_free(&lo);
	if (!on)
		return;
	start_ms = sl_now_ms();
	/* the log is line-oriented: no control bytes from a header */
	snprintf(label, sizeof label, "%s", l ? l : "");
	snprintf(table, sizeof table, "%s", tbl ? tbl : "");
	for (char *p = label; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == ' ')
			*p = '?';
	for (char *p = table; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == ' ')
			*p = '?';
	start_cpu_ms = cpu_now(NULL);
	armed = 1;
	if (!registered) {
		registered = 1;
		atexit(print_profile);
	}
}

void sl_profile_end(void)
{
	print_profile();
}
