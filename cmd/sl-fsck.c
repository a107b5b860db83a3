/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-fsck -- check a data directory, and repair a corrupt transaction log
 * when asked (--repair). Per database: the log (a corrupt record, a torn
 * tail), whether the checkpoint agrees with it, and every row of every
 * table read and checked against its commit record. The work is in the
 * store (sl_fsck_db); this is its command line. See sl-fsck(8) and
 * sl-store(5).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "io.h"
#include "hdr.h"
#include "store.h"
#include "fsck.h"

#define USAGE "sl-fsck [--data-dir DIR] [--repair] [DB ...]\n" \
	SL_HELP_DATA_DIR \
	"  --repair             repair a corrupt transaction log\n" \
	SL_HELP_STD \
	"See sl-fsck(8).\n"

int main(int argc, char **argv)
{
	const char *dir = 0;
	char **dbs = 0;
	size_t ndbs = 0, i;
	int repair = 0, bad = 0, k, listed = 0;
	sl_store st;
	sl_buf rep = SL_BUF_ZERO;

	sl_msg_init(argv[0]);
	for (k = 1; k < argc; k++) {
		const char *a = argv[k];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			sl_msg_help(USAGE);
		} else if (!strcmp(a, "--version")) {
			sl_msg_version();
		} else if (!strcmp(a, "--repair")) {
			repair = 1;
		} else if (!strcmp(a, "--data-dir")) {
			if (++k == argc)
				sl_dieusage(USAGE);
			dir = argv[k];
		} else if (!strncmp(a, "--data-dir=", 11)) {
			dir = a + 11;
		} else if (!strcmp(a, "--")) {
			k++;
			break;
		} else if (a[0] == '-') {
			sl_dieusage(USAGE);
		} else {
			break;
		}
	}
	if (sl_store_open(&st, dir) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open the data directory %s", sl_data_dir(dir));
	if (k < argc) {
		dbs = argv + k;
		ndbs = (size_t)(argc - k);
	} else {
		if (sl_db_list(&st, &dbs, &ndbs) < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to list the databases of %s", st.dir);
		listed = 1;
	}
	for (i = 0; i < ndbs; i++) {
		int r;
		rep.len = 0;
		r = sl_fsck_db(&st, dbs[i], repair, &rep);
		if (rep.len)
			fwrite(rep.p, 1, rep.len, stdout);
		if (r < 0 && errno == ENOTDIR)
			sl_die(SL_EXIT_NO, "Unknown database '%s'", dbs[i]);
		if (r < 0)
			sl_die(errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, "unable to check %s: %s",
			       dbs[i], sl_store_strerror(errno));
		bad += r;
	}
	if (fflush(stdout) || ferror(stdout))
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	if (listed)
		sl_strv_free(dbs, ndbs);
	sl_buf_free(&rep);
	sl_store_close(&st);
	if (bad) {
		fprintf(stderr, "%s: fatal: %d problem(s) found%s\n", sl_prog, bad,
			repair ? " that --repair cannot mend" : "; sl-fsck --repair mends a corrupt log");
		return SL_EXIT_USAGE;
	}
	return SL_EXIT_OK;
}
