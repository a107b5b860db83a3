/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzzstore.c -- the temporary store of the fuzz targets over SQL
 * (fuzzstore.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzstore.h"
#include "sql.h"

static char dir[64];

static void rm_dir(void)
{
	char cmd[96];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", dir);
}

void fuzz_store_open(sl_store *st, const char *name, const char *const *ddl, size_t n)
{
	sl_sql q;

	if (snprintf(dir, sizeof dir, "/tmp/%s-XXXXXX", name) >= (int)sizeof dir || !mkdtemp(dir) ||
	    sl_store_open(st, dir) < 0)
		abort();
	atexit(rm_dir);
	sl_sql_init(&q, st);
	for (size_t i = 0; i < n; i++)
		if (sl_sql_exec(&q, ddl[i], strlen(ddl[i]), NULL) != 1) {
			fprintf(stderr, "%s: %s: %s\n", name, ddl[i], q.err);
			abort();
		}
	sl_sql_free(&q);
}
