/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-compact -- fold a table's rowset files into one, without changing
 * what any reader sees: the run the policy picks, or all of them with
 * --full. One compaction per table at a time: a second one says so and
 * exits 0. The work is in the store (sl_compact_table); this is its
 * command line. See sl-compact(1) and sl-store(5).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "hdr.h"
#include "stage.h"
#include "store.h"
#include "compact.h"

#define USAGE "sl-compact [--data-dir DIR] [--full] [--partition P] DB.TABLE\n" \
	SL_HELP_DATA_DIR \
	"  --full               compact every file of the table, not the run the policy picks\n" \
	"  --partition P        compact only partition P\n" \
	SL_HELP_STD \
	"See sl-compact(1).\n"

/* SL_COMPACT_KILL_AT=<step>: the process kills itself with SIGKILL when
 * it reaches that step (crash tests: sl-compact(1) ENVIRONMENT). */
static void kill_at(const char *name)
{
	const char *at = getenv("SL_COMPACT_KILL_AT");

	if (at && !strcmp(at, name))
		raise(SIGKILL);
}

static int fail(const char *db, const char *table, const char *part, const sl_compact_res *res,
	int e)
{
	if (e == ENOENT && res->nopart)
		sl_die(SL_EXIT_NO, "partition %s is not found in table %s.%s", part, db, table);
	if (e == ENOTDIR)
		sl_die(SL_EXIT_NO, "Unknown database '%s'", db);
	if (e == ENOENT)
		sl_die(SL_EXIT_NO, "Unknown table '%s.%s'", db, table);
	if (e == ESTALE)
		sl_die(SL_EXIT_TEMP, "%s.%s changed during the compaction (dropped, or compacted "
		       "otherwise); nothing was changed", db, table);
	sl_die(e == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, "unable to compact %s.%s: %s", db, table,
	       sl_store_strerror(e));
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *target = 0, *part = 0;
	char db[65], table[65];
	int k, n, flags = 0, r;
	sl_store st;
	sl_compact_res res;

	sl_msg_init(argv[0]);
	/* --full and --partition are ours; the rest are the common options
	 * (--data-dir) */
	for (k = n = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--full"))
			flags |= SL_COMPACT_FULL;
		else if (!strcmp(argv[k], "--partition") && k + 1 < argc && argv[k + 1][0])
			part = argv[++k];
		else if (!strncmp(argv[k], "--partition=", 12) && argv[k][12])
			part = argv[k] + 12;
		else if (!strncmp(argv[k], "--partition", 11))
			sl_dieusage(USAGE);
		else
			argv[n++] = argv[k];
	}
	if (sl_stage_args(&o, n, argv, USAGE, &target, 1) != 1 || !sl_stage_target(target, db, table))
		sl_dieusage(USAGE);
	if (sl_store_open(&st, sl_data_dir(o.data_dir)) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open the data directory %s", sl_data_dir(o.data_dir));
	r = sl_compact_table(&st, db, table, part, flags, kill_at, &res);
	if (r < 0)
		return fail(db, table, part, &res, errno);
	if (r == SL_COMPACT_BUSY)
		printf("%s.%s: a compaction of the table is running; not waiting for it\n", db, table);
	else if (r == 0)
		printf("%s.%s: nothing to compact (%zu file(s))\n", db, table, res.nfiles);
	else if (res.nout == 1)
		printf("%s.%s: %zu file(s), %llu rows, compacted into %lld-0.rs, %llu rows; %zu "
		       "file(s) now\n", db, table, res.nin, (unsigned long long)res.rows_in,
		       (long long)res.id, (unsigned long long)res.rows_out, res.nfiles - res.nin + 1);
	else
		printf("%s.%s: %zu file(s), %llu rows, compacted into %lld-0.rs .. %lld-%zu.rs (one "
		       "per partition), %llu rows; %zu file(s) now\n", db, table, res.nin,
		       (unsigned long long)res.rows_in, (long long)res.id, (long long)res.id,
		       res.nout - 1, (unsigned long long)res.rows_out, res.nfiles - res.nin + res.nout);
	if (res.ngarbage)
		printf("%s.%s: removed %zu leftover file(s)\n", db, table, res.ngarbage);
	if (fflush(stdout) || ferror(stdout))
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	sl_store_close(&st);
	return SL_EXIT_OK;
}
