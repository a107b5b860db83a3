/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-filter -- third stage of a load: evaluates the Doris `where` header
 * over the typed rows from sl-map. Rows where it is false or NULL are
 * unselected: dropped and counted (NumberUnselectedRows, written as a C
 * frame before E). Every other frame passes through unchanged; without a
 * `where` the stage only copies frames.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "stage.h"
#include "profile.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "types.h"
#include "expr.h"

#define USAGE "sl-filter [--data-dir DIR] [-H 'name:value']..."

static sl_writer w;

__attribute__((noreturn)) static void die_nomem(void)
{
	errno = ENOMEM;
	sl_diesys(SL_EXIT_TEMP, "unable to filter rows");
}

/* The bound `where` and what it needs per row. */
static sl_expr *where;
static size_t ncols;
static sl_type *types;
static sl_value *vals;
static sl_field *fields;

/* Bind `where` over the columns of a typed header. 1 ok; 0 with msg set. */
static int bind_where(const sl_frame *f, char *msg, size_t cap)
{
	long n = sl_header_parse(f, 0, 0), i;
	sl_colspec *cs;
	char **names;
	char err[512];
	sl_expr_scope sc;

	if (n < 0)
		sl_stage_abort(&w, SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]sl-filter: malformed header frame");
	cs = calloc((size_t)n + 1, sizeof *cs);
	names = calloc((size_t)n + 1, sizeof *names);
	free(types);
	free(vals);
	free(fields);
	types = calloc((size_t)n + 1, sizeof *types);
	vals = calloc((size_t)n + 1, sizeof *vals);
	fields = calloc((size_t)n + 1, sizeof *fields);
	if (!cs || !names || !types || !vals || !fields)
		die_nomem();
	sl_header_parse(f, cs, (size_t)n);
	for (i = 0; i < n; i++) {
		names[i] = malloc(cs[i].name.n + 1);
		if (!names[i])
			die_nomem();
		memcpy(names[i], cs[i].name.p, cs[i].name.n);
		names[i][cs[i].name.n] = 0;
		if (!sl_type_parse(cs[i].type.p, cs[i].type.n, &types[i], 0))
			types[i] = (sl_type){ .kind = SL_T_STRING };
	}
	if (f->flags & SL_H_VARIADIC)
		n = 0;
	ncols = (size_t)n;
	sc = (sl_expr_scope){ ncols, (const char *const *)names, types, 0 };
	i = sl_expr_bind(where, &sc, err, sizeof err);
	if (!i)
		snprintf(msg, cap, "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = %s", err);
	/* names stay allocated: the bound expression may refer to them */
	free(cs);
	return (int)i;
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *wh;
	char own_err[1024] = "";
	sl_reader rd;
	sl_frame f;
	sl_arena arena = SL_ARENA_ZERO;
	sl_eval_ctx ctx;
	uint64_t unselected = 0;
	int r;

	sl_msg_init(argv[0]);
	sl_stage_args(&o, argc, argv, USAGE, 0, 0);
	sl_profile_start(&o.hdrs, NULL);
	sl_pipe_grow_std();
	if (sl_writer_init(&w, 1) < 0 || sl_reader_init(&rd, 0) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	rd.flush = &w;    /* never sit on rows while upstream is quiet */

	wh = sl_hdrs_get(&o.hdrs, "where");
	if (wh) {
		char err[512];
		where = sl_expr_parse(wh, strlen(wh), err, sizeof err);
		if (!where)
			snprintf(own_err, sizeof own_err, "[INTERNAL_ERROR]TStatus: ParseException: %s in where '%s'", err, wh);
	}
	ctx = (sl_eval_ctx){ &arena, 0, 0 };
	{
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ctx.now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	}

	while ((r = sl_frame_read(&rd, &f)) > 0) {
		switch (f.type) {
		case 'R':
			if (where) {
				long n = sl_fields_parse(f.p, f.len, fields, ncols);
				size_t k;
				sl_value res;
				if (n < 0 || (size_t)n != ncols)
					sl_stage_abort(&w, SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]sl-filter: a row does not match its header");
				for (k = 0; k < ncols; k++)
					if (sl_value_decode(&types[k], fields[k].p, fields[k].n, &vals[k]) < 0)
						sl_stage_abort(&w, SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]sl-filter: a field does not match its type");
				sl_arena_reset(&arena);
				if (sl_expr_eval(where, vals, &ctx, &res) < 0)
					die_nomem();
				if (!sl_value_truth(&res)) {
					unselected++;
					break;
				}
			}
			if (sl_write_frame(&w, &f) < 0)
				sl_stage_die_write(&w);
			break;
		case 'H':
			if (own_err[0])
				sl_stage_abort(&w, SL_EXIT_NO, 0, "%s", own_err);
			if (where && !bind_where(&f, own_err, sizeof own_err))
				sl_stage_abort(&w, SL_EXIT_NO, 0, "%s", own_err);
			if (sl_write_frame(&w, &f) < 0)
				sl_stage_die_write(&w);
			break;
		case 'X':
			if (sl_write_frame(&w, &f) < 0)
				sl_stage_die_write(&w);
			sl_writer_flush(&w);
			return SL_EXIT_NO;
		case 'E': {
			char num[32];
			const char *key = "NumberUnselectedRows", *val = num;
			/* only our own: the stages before count theirs under their
			 * own keys (JqUnselectedRows, PrecedingUnselectedRows), and
			 * sl-txn adds them up */
			snprintf(num, sizeof num, "%" PRIu64, unselected);
			if (sl_write_kv(&w, 1, &key, &val) < 0 || sl_write_end(&w) < 0)
				sl_stage_die_write(&w);
			if (close(1) < 0)
				sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
			return 0;
		}
		default:        /* C, F */
			if (sl_write_frame(&w, &f) < 0)
				sl_stage_die_write(&w);
		}
	}
	if (own_err[0] && !rd.seen_header)
		sl_stage_abort(&w, SL_EXIT_NO, 0, "%s", own_err);
	{
		int e = errno;
		const char *m;
		/* a few bytes of text are not a truncated stream: no frame starts so */
		if (e == EPIPE && rd.nbytes == 0 && rd.end > rd.start &&
		    rd.buf[rd.start] != 'H' && rd.buf[rd.start] != 'C' && rd.buf[rd.start] != 'X')
			e = EPROTO;
		m = sl_reader_errstr(&rd, e);
		char msg[512];
		snprintf(msg, sizeof msg, "[INTERNAL_ERROR]sl-filter: %s", m);
		sl_write_abort(&w, 0, msg);
		sl_writer_flush(&w);
		sl_die(e == EPROTO || e == ERANGE ? SL_EXIT_USAGE : SL_EXIT_TEMP, "%s", m);
	}
}
