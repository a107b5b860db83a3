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
#include "status.h"
#include "msg.h"
#include "stage.h"
#include "profile.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "loadopt.h"
#include "types.h"
#include "expr.h"

#define USAGE "sl-filter [--data-dir DIR] [-H 'name:value']..."

/* The stage's state: its output and the bound `where` with what it
 * needs per row. */
typedef struct filter_ctx {
	sl_writer w;
	sl_expr *where;
	size_t ncols;
	sl_type *types;
	sl_value *vals;
	sl_field *fields;
	sl_arena arena;
	sl_eval_ctx ev;
	uint64_t unselected;
	sl_stage_err err;        /* kept until the header frame */
} filter_ctx;

__attribute__((noreturn)) static void die_nomem(void)
{
	errno = ENOMEM;
	sl_diesys(SL_EXIT_TEMP, "unable to filter rows");
}

/* Bind `where` over the columns of a typed header. 1 ok; 0 with
 * c->err set. */
static int bind_where(filter_ctx *c, const sl_frame *f)
{
	long n = sl_header_parse(f, 0, 0), i;
	sl_colspec *cs;
	char **names;
	char err[512];
	sl_expr_scope sc;

	if (n < 0)
		sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-filter: malformed header frame");
	cs = calloc((size_t)n + 1, sizeof *cs);
	names = calloc((size_t)n + 1, sizeof *names);
	free(c->types);
	free(c->vals);
	free(c->fields);
	c->types = calloc((size_t)n + 1, sizeof *c->types);
	c->vals = calloc((size_t)n + 1, sizeof *c->vals);
	c->fields = calloc((size_t)n + 1, sizeof *c->fields);
	if (!cs || !names || !c->types || !c->vals || !c->fields)
		die_nomem();
	sl_header_parse(f, cs, (size_t)n);
	for (i = 0; i < n; i++) {
		names[i] = malloc(cs[i].name.n + 1);
		if (!names[i])
			die_nomem();
		memcpy(names[i], cs[i].name.p, cs[i].name.n);
		names[i][cs[i].name.n] = 0;
		if (!sl_type_parse(cs[i].type.p, cs[i].type.n, &c->types[i], 0))
			c->types[i] = (sl_type){ .kind = SL_T_STRING };
	}
	if (f->flags & SL_H_VARIADIC)
		n = 0;
	c->ncols = (size_t)n;
	sc = (sl_expr_scope){ c->ncols, (const char *const *)names, c->types, 0 };
	i = sl_expr_bind(c->where, &sc, err, sizeof err);
	if (!i)
		sl_stage_err_set(&c->err, 0, SL_E_ANALYSIS_ERROR SL_TSTATUS "%s", err);
	/* names stay allocated: the bound expression may refer to them */
	free(cs);
	return (int)i;
}

/* Parse the `where` header, if any; a parse error is kept for the
 * header frame (the stream's first error wins). */
static void filter_init(filter_ctx *c, const sl_hdrs *h)
{
	sl_loadopts lo;
	const char *wh;
	char m[64];    /* no option of sl-filter's can be invalid */
	struct timespec ts;

	if (sl_loadopt_parse(&lo, h, SL_LO_FILTER, m, sizeof m) < 0)
		die_nomem();
	wh = lo.v[SL_LO_WHERE].text;
	sl_loadopt_free(&lo);
	if (wh) {
		char err[512];
		c->where = sl_expr_parse(wh, strlen(wh), err, sizeof err);
		if (!c->where)
			sl_stage_err_set(&c->err, 0, SL_E_INTERNAL_ERROR SL_TSTATUS_PARSE "%s in where '%s'", err, wh);
	}
	c->ev = (sl_eval_ctx){ &c->arena, 0, 0 };
	clock_gettime(CLOCK_REALTIME, &ts);
	c->ev.now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* 1 if the row passes `where` (or there is none), 0 if it is unselected. */
static int row_selected(filter_ctx *c, const sl_frame *f)
{
	long n;
	size_t k;
	sl_value res;

	if (!c->where)
		return 1;
	n = sl_fields_parse(f->p, f->len, c->fields, c->ncols);
	if (n < 0 || (size_t)n != c->ncols)
		sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-filter: a row does not match its header");
	for (k = 0; k < c->ncols; k++)
		if (sl_value_decode(&c->types[k], c->fields[k].p, c->fields[k].n, &c->vals[k]) < 0)
			sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-filter: a field does not match its type");
	sl_arena_reset(&c->arena);
	if (sl_expr_eval(c->where, c->vals, &c->ev, &res) < 0)
		die_nomem();
	return sl_value_truth(&res);
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	filter_ctx c;
	sl_reader rd;
	sl_frame f;
	int r;

	sl_msg_init(argv[0]);
	memset(&c, 0, sizeof c);
	sl_stage_args(&o, argc, argv, USAGE, 0, 0);
	sl_profile_start(&o.hdrs, NULL);
	sl_pipe_grow_std();
	if (sl_writer_init(&c.w, 1) < 0 || sl_reader_init(&rd, 0) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	rd.flush = &c.w;    /* never sit on rows while upstream is quiet */
	filter_init(&c, &o.hdrs);

	while ((r = sl_frame_read(&rd, &f)) > 0) {
		switch (f.type) {
		case 'R':
			if (!row_selected(&c, &f)) {
				c.unselected++;
				break;
			}
			if (sl_write_frame(&c.w, &f) < 0)
				sl_stage_die_write(&c.w);
			break;
		case 'H':
			if (c.err.set || (c.where && !bind_where(&c, &f)))
				sl_stage_err_raise(&c.w, &c.err);
			if (sl_write_frame(&c.w, &f) < 0)
				sl_stage_die_write(&c.w);
			break;
		case 'X':
			return sl_stage_pass_abort(&c.w, &f);
		case 'E':
			/* only our own: the stages before count theirs under their
			 * own keys (JqUnselectedRows, PrecedingUnselectedRows), and
			 * sl-txn adds them up */
			sl_stage_end(&c.w, "NumberUnselectedRows", c.unselected);
			return 0;
		default:        /* C, F */
			if (sl_write_frame(&c.w, &f) < 0)
				sl_stage_die_write(&c.w);
		}
	}
	if (c.err.set && !rd.seen_header)
		sl_stage_err_raise(&c.w, &c.err);
	sl_stage_read_fail(&c.w, &rd, errno, "sl-filter");
}
