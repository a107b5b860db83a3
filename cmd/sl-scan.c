/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-scan -- write the visible rows of one table as a row stream: H with the
 * table's user columns (names, upper-case Doris types; not the model's
 * hidden columns), one R per row, then E. Reads a consistent snapshot (the
 * versions visible when it starts) through the merging reader (merge.h):
 * a UNIQUE or AGGREGATE table's rows come out one per key, folded by its
 * model; streams in memory bounded by the number of segments. On a
 * terminal the writer prints readable rows instead of frames.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "stage.h"
#include "io.h"
#include "hdr.h"
#include "frame.h"
#include "types.h"
#include "schema.h"
#include "store.h"
#include "merge.h"
#include "gcommit.h"

#define USAGE "sl-scan [--data-dir DIR] DB.TABLE\n" \
	SL_HELP_DATA_DIR \
	SL_HELP_STD \
	"See sl-scan(1).\n"

static void unknown(const char *db, const char *table, int e)
{
	if (e == ENOTDIR)
		sl_die(SL_EXIT_NO, "Unknown database '%s'", db);
	sl_die(SL_EXIT_NO, "Unknown table '%s.%s'", db, table);
}

/* H: the table's visible column names and upper-case Doris types. */
static void write_header(sl_writer *w, const sl_schema *sch)
{
	sl_field *names = calloc(sch->ncols + 1, sizeof *names);
	sl_field *types = calloc(sch->ncols + 1, sizeof *types);
	char (*tbuf)[SL_TYPE_FMT_MAX] = calloc(sch->ncols + 1, sizeof *tbuf);

	if (!names || !types || !tbuf)
		sl_die(SL_EXIT_TEMP, "out of memory");
	for (size_t i = 0; i < sch->nvisible; i++) {
		names[i].p = sch->cols[i].name;
		names[i].n = (uint32_t)strlen(sch->cols[i].name);
		types[i].n = (uint32_t)sl_type_format_upper(&sch->cols[i].type, tbuf[i], sizeof tbuf[i]);
		types[i].p = tbuf[i];
	}
	if (sl_write_header(w, sch->nvisible, names, types, 0) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	free(names);
	free(types);
	free(tbuf);
}

/* The bytes of a row's first n fields: the visible columns (the hidden
 * ones are last). */
static size_t visible_len(const char *p, size_t len, size_t n)
{
	size_t at = 0;

	for (size_t i = 0; i < n && len - at >= 4; i++) {
		uint32_t fl = sl_u32_unpack(p + at);
		at += 4;
		if (fl != SL_NULL_LEN)
			at += fl <= len - at ? fl : len - at;
	}
	return at;
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *target = 0;
	const char *dot;
	char *db, *table;
	sl_store st;
	sl_schema sch;
	sl_snapshot snap;
	sl_merge *mg;
	sl_writer w;
	const char *p;
	size_t len;
	int r;

	sl_msg_init(argv[0]);
	if (sl_stage_args(&o, argc, argv, USAGE, &target, 1) != 1)
		sl_dieusage(USAGE);
	if (!(dot = sl_stage_dot(target)))
		sl_dieusage(USAGE);
	if (!(db = strndup(target, (size_t)(dot - target))) || !(table = strdup(dot + 1)))
		sl_die(SL_EXIT_TEMP, "out of memory");
	sl_pipe_grow_std();

	if (sl_store_open(&st, sl_data_dir(o.data_dir)) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open the data directory %s", sl_data_dir(o.data_dir));
	if (sl_name_valid(db) != 1)
		unknown(db, table, ENOTDIR);
	if (sl_name_valid(table) != 1)
		unknown(db, table, ENOENT);
	r = sl_schema_load(&st, db, table, &sch);
	if (r == 0)
		unknown(db, table, errno);
	if (r < 0)
		sl_diesys(errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, "unable to read the schema of %s.%s", db, table);
	/* rows a dead group committer left in the table's log first */
	if (sl_gcommit_recover(&st, db, table) < 0)
		sl_warn("unable to commit the group commit log of %s.%s: %s", db, table, sl_store_strerror(errno));
	r = sl_merge_open_table(&st, db, table, &sch, 0, &snap, &mg);
	if (r == 0)
		unknown(db, table, errno);
	if (r < 0)
		sl_die((errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP), "unable to open %s.%s: %s", db, table, sl_store_strerror(errno));

	if (sl_writer_init(&w, 1) < 0)
		sl_die(SL_EXIT_TEMP, "out of memory");
	write_header(&w, &sch);
	while ((r = sl_merge_next(mg, &p, &len)) > 0) {
		sl_frame f;
		f.type = 'R';
		f.flags = 0;
		f.len = (uint32_t)visible_len(p, len, sch.nvisible);
		f.p = p;
		if (sl_write_frame(&w, &f) < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	}
	if (r < 0)
		sl_die(errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, "unable to read %s.%s: row %llu: %s",
			db, table, (unsigned long long)w.nrows + 1, sl_store_strerror(errno));
	if (sl_write_end(&w) < 0 || sl_writer_flush(&w) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	sl_writer_free(&w);
	sl_merge_close(mg);
	sl_snapshot_free(&snap);
	sl_schema_free(&sch);
	sl_store_close(&st);
	free(db);
	free(table);
	if (close(1) < 0 && errno != EINTR)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	return SL_EXIT_OK;
}
