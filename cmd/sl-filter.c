/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-filter -- third stage of a load: evaluates the Doris `where` header
 * over the typed rows from sl-map. Rows where it is false or NULL are
 * unselected: dropped and counted (NumberUnselectedRows, written as a C
 * frame before E). Then the `delete` header of merge_type: MERGE, over the
 * same final values: a row where it is true gets __DORIS_DELETE_SIGN__ 1,
 * every other row 0. Every other frame passes through unchanged; without
 * `where` and `delete` the stage only copies frames. Given DB.TABLE, a
 * partitioned table's rows are routed to their partitions (partroute.h):
 * each row kept gets the trailing __SL_PARTITION__ field, a row no
 * partition takes is filtered (an F record, Doris's reason).
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
#include "schema.h"
#include "store.h"
#include "partroute.h"

#define USAGE "sl-filter [--data-dir DIR] [-H 'name:value']... [DB.TABLE]\n" \
	SL_HELP_H \
	SL_HELP_DATA_DIR \
	SL_HELP_STD \
	"See sl-filter(1).\n"
#define DELETE_SIGN "__DORIS_DELETE_SIGN__"

/* The stage's state: its output and the bound `where` with what it
 * needs per row. */
typedef struct filter_ctx {
	sl_writer w;
	sl_expr *where;
	sl_expr *del;            /* `delete` (merge_type: MERGE) */
	long sign;               /* the __DORIS_DELETE_SIGN__ column, -1 none */
	sl_buf row;              /* a row whose delete sign is rewritten */
	size_t ncols;
	sl_type *types;
	sl_value *vals;
	sl_field *fields;
	sl_arena arena;
	sl_eval_ctx ev;
	uint64_t unselected;
	sl_stage_err err;        /* kept until the header frame */
	/* a partitioned table: the schema, the router and the rows' new
	 * trailing field (NULL router: no routing) */
	sl_schema sch;
	sl_partroute *route;
	sl_buf hdr, reason;
} filter_ctx;

__attribute__((noreturn)) static void die_nomem(void)
{
	errno = ENOMEM;
	sl_diesys(SL_EXIT_TEMP, "unable to filter rows");
}

/* Bind e (the text of header `name`) over the header's columns: 1 ok,
 * 0 with c->err set. */
static int bind_one(filter_ctx *c, sl_expr *e, char **names)
{
	char err[512];
	sl_expr_scope sc = { c->ncols, (const char *const *)names, c->types, 0 };

	if (sl_expr_bind(e, &sc, err, sizeof err))
		return 1;
	sl_stage_err_set(&c->err, 0, SL_E_ANALYSIS_ERROR SL_TSTATUS "%s", err);
	return 0;
}

/* Bind `where` and `delete` over the columns of a typed header, and find
 * the delete sign. 1 ok; 0 with c->err set. */
static int bind_exprs(filter_ctx *c, const sl_frame *f)
{
	long n = sl_header_parse(f, 0, 0), i;
	sl_colspec *cs;
	char **names;

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
	c->sign = -1;
	for (i = 0; i < n; i++) {
		names[i] = malloc(cs[i].name.n + 1);
		if (!names[i])
			die_nomem();
		memcpy(names[i], cs[i].name.p, cs[i].name.n);
		names[i][cs[i].name.n] = 0;
		if (!sl_type_parse(cs[i].type.p, cs[i].type.n, &c->types[i], 0))
			c->types[i] = (sl_type){ .kind = SL_T_STRING };
		if (!strcmp(names[i], DELETE_SIGN))
			c->sign = i;
	}
	if (f->flags & SL_H_VARIADIC)
		n = 0;
	c->ncols = (size_t)n;
	free(cs);
	/* names stay allocated: the bound expressions may refer to them */
	if (c->where && !bind_one(c, c->where, names))
		return 0;
	if (c->del && !bind_one(c, c->del, names))
		return 0;
	if (c->del && (c->sign < 0 || (size_t)c->sign >= c->ncols || sl_type_width(&c->types[c->sign]) != 1)) {
		sl_stage_err_set(&c->err, 0, SL_E_INTERNAL_ERROR "sl-filter: delete needs rows with the %s column "
		    "(a UNIQUE table's, with merge_type: MERGE)", DELETE_SIGN);
		return 0;
	}
	return 1;
}

/* Parse header text as an expression; a parse error is kept for the
 * header frame (the stream's first error wins). */
static sl_expr *parse_expr(filter_ctx *c, const char *text, const char *name)
{
	char err[512];
	sl_expr *e;

	if (!text)
		return 0;
	if (!(e = sl_expr_parse(text, strlen(text), err, sizeof err)))
		sl_stage_err_set(&c->err, 0, SL_E_INTERNAL_ERROR SL_TSTATUS_PARSE "%s in %s '%s'", err, name, text);
	return e;
}

/* Parse the `where` and `delete` headers, if any. */
static void filter_init(filter_ctx *c, const sl_hdrs *h)
{
	sl_loadopts lo;
	char m[64];    /* no option of sl-filter's can be invalid */
	struct timespec ts;

	if (sl_loadopt_parse(&lo, h, SL_LO_FILTER, m, sizeof m) < 0)
		die_nomem();
	c->where = parse_expr(c, lo.v[SL_LO_WHERE].text, "where");
	c->del = parse_expr(c, lo.v[SL_LO_DELETE].text, "delete");
	sl_loadopt_free(&lo);
	c->ev = (sl_eval_ctx){ .arena = &c->arena };
	clock_gettime(CLOCK_REALTIME, &ts);
	c->ev.now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The row's fields and values, for `where` and `delete`. */
static void decode_row(filter_ctx *c, const sl_frame *f)
{
	long n = sl_fields_parse(f->p, f->len, c->fields, c->ncols);
	size_t k;

	if (n < 0 || (size_t)n != c->ncols)
		sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-filter: a row does not match its header");
	for (k = 0; k < c->ncols; k++)
		if (sl_value_decode(&c->types[k], c->fields[k].p, c->fields[k].n, &c->vals[k]) < 0)
			sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-filter: a field does not match its type");
	sl_arena_reset(&c->arena);
}

/* Is e true over the decoded row? */
static int holds(filter_ctx *c, const sl_expr *e)
{
	sl_value res;

	if (sl_expr_eval(e, c->vals, &c->ev, &res) < 0)
		die_nomem();
	return sl_value_truth(&res);
}

/* A selected row out: as it came, or with the delete sign `delete` gives
 * it (1 where true, else 0, as Doris's if(delete, 1, 0)), and with its
 * partition field pf[0..pn) when the table is partitioned. */
static void put_row(filter_ctx *c, const sl_frame *f, const char *pf, size_t pn)
{
	sl_frame out = *f;
	sl_value v = { .kind = SL_V_INT, .tkind = SL_T_TINYINT };
	char enc[16], len[4];
	const char *op = enc;
	size_t at;

	if (c->del || pf) {
		c->row.len = 0;
		if (sl_buf_put(&c->row, f->p, f->len) < 0)
			die_nomem();
		out.p = c->row.p;
	}
	if (c->del) {
		v.u.i = holds(c, c->del);
		at = (size_t)(c->fields[c->sign].p - f->p);
		if (sl_value_encode(&c->types[c->sign], &v, enc, &op) != 1)
			die_nomem();
		c->row.p[at] = *op;
	}
	if (pf) {
		sl_u32_pack(len, (uint32_t)pn);
		if (sl_buf_put(&c->row, len, 4) < 0 || sl_buf_put(&c->row, pf, pn) < 0)
			die_nomem();
		out.p = c->row.p;
		out.len = (uint32_t)c->row.len;
	}
	if (sl_write_frame(&c->w, &out) < 0)
		sl_stage_die_write(&c->w);
}

/* A kept row of a partitioned table: out with its partition, or
 * filtered when it has none (both strict modes: Doris's sink). */
static void route_row(filter_ctx *c, const sl_frame *f)
{
	const char *pf;
	size_t pn;
	int r = sl_partroute_row(c->route, f->p, f->len, &pf, &pn, &c->reason);

	if (r < 0 && errno == EFBIG)
		sl_stage_abort(&c->w, SL_EXIT_NO, 0, SL_E_INTERNAL_ERROR "sl-filter: a load creates at most 65535 partitions");
	if (r < 0 && errno == EPROTO)
		sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-filter: a row is not a row of %s", c->sch.name);
	if (r < 0 && (errno == EEXIST || errno == ENAMETOOLONG))
		sl_stage_abort(&c->w, SL_EXIT_NO, 0, SL_E_ANALYSIS_ERROR SL_TSTATUS "%s", sl_partroute_error(c->route));
	if (r < 0)
		die_nomem();
	if (r == 0) {
		/* a sink error: the error log shows no source text */
		if (sl_write_error(&c->w, c->reason.p, c->reason.len, "", 0, 0) < 0)
			sl_stage_die_write(&c->w);
		return;
	}
	put_row(c, f, pf, pn);
}

/* The header out: a partitioned table's gets the __SL_PARTITION__
 * column last. */
static void put_header(filter_ctx *c, const sl_frame *f)
{
	sl_frame out = *f;
	char n[4];

	if (c->route) {
		if ((f->flags & (SL_H_VARIADIC | SL_H_TYPED)) || f->len < 8)
			sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-filter: a partitioned table's rows "
			    "must be typed: run sl-map before sl-filter");
		c->hdr.len = 0;
		sl_u32_pack(n, (uint32_t)sizeof SL_PARTROUTE_COL - 1);
		if (sl_buf_put(&c->hdr, f->p, f->len) < 0 || sl_buf_put(&c->hdr, n, 4) < 0 ||
		    sl_buf_puts(&c->hdr, SL_PARTROUTE_COL) < 0)
			die_nomem();
		sl_u32_pack(n, (uint32_t)sizeof SL_PARTROUTE_TYPE - 1);
		if (sl_buf_put(&c->hdr, n, 4) < 0 || sl_buf_puts(&c->hdr, SL_PARTROUTE_TYPE) < 0)
			die_nomem();
		sl_u32_pack(c->hdr.p + 4, sl_u32_unpack(f->p + 4) + 1);
		out.p = c->hdr.p;
		out.len = (uint32_t)c->hdr.len;
	}
	if (sl_write_frame(&c->w, &out) < 0)
		sl_stage_die_write(&c->w);
}

/* DB.TABLE given: a partitioned table's schema, its live partitions and
 * the router; an unpartitioned one needs none. Errors are kept for the
 * header frame (an upstream error comes first). */
static void open_table(filter_ctx *c, const sl_opts *o, const char *target, const sl_hdrs *h)
{
	char db[65], table[65], err[512];
	sl_partinfo *parts = 0;
	size_t n = 0, live;
	sl_loadopts lo;
	sl_store st;
	int r;

	if (!sl_stage_target(target, db, table))
		sl_dieusage(USAGE);
	if (sl_store_open(&st, sl_data_dir(o->data_dir)) < 0)
		sl_stage_abort(&c->w, SL_EXIT_TEMP, 0, SL_DATA_DIR_MSG, sl_data_dir(o->data_dir), strerror(errno));
	errno = 0;
	r = sl_schema_load(&st, db, table, &c->sch);
	if (r <= 0 && (r == 0 || errno == EINVAL || errno == ENOENT || errno == ENOTDIR)) {
		sl_store_close(&st);
		return;         /* sl-map says which of db and table is missing */
	}
	if (r < 0 || (c->sch.part.kind != SL_PART_NONE && sl_part_list(&st, db, table, &parts, &n) < 0))
		sl_stage_abort(&c->w, errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR
		    "unable to read the partitions of %s.%s: %s", db, table, sl_store_strerror(errno));
	sl_store_close(&st);
	if (c->sch.part.kind == SL_PART_NONE)
		return;
	/* a partitioned table the log has no partition of yet (an AUTO table
	 * created with none) lists the implicit one: it takes no rows */
	live = n == 1 && !*parts[0].values ? 0 : n;
	if (sl_loadopt_parse(&lo, h, SL_LO_FILTER, err, sizeof err) < 0)
		die_nomem();
	r = sl_partroute_new(&c->sch, parts, live, lo.v[SL_LO_PARTITIONS].text, lo.v[SL_LO_TEMPORARY_PARTITIONS].text,
	    &c->route, err, sizeof err);
	sl_loadopt_free(&lo);
	sl_partinfo_free(parts, n);
	if (r < 0)
		die_nomem();
	if (r == 0)
		sl_stage_err_set(&c->err, 0, SL_E_ANALYSIS_ERROR SL_TSTATUS "%s", err);
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
	const char *target = 0;

	sl_stage_args(&o, argc, argv, USAGE, &target, 1);
	sl_profile_start(&o.hdrs, NULL);
	sl_pipe_grow_std();
	if (sl_writer_init(&c.w, 1) < 0 || sl_reader_init(&rd, 0) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	rd.flush = &c.w;    /* never sit on rows while upstream is quiet */
	filter_init(&c, &o.hdrs);
	if (target)
		open_table(&c, &o, target, &o.hdrs);

	while ((r = sl_frame_read(&rd, &f)) > 0) {
		switch (f.type) {
		case 'R':
			if (c.where || c.del)
				decode_row(&c, &f);
			if (c.where && !holds(&c, c.where)) {
				c.unselected++;
				break;
			}
			if (c.route)
				route_row(&c, &f);
			else
				put_row(&c, &f, 0, 0);
			break;
		case 'H':
			if (c.err.set || ((c.where || c.del) && !bind_exprs(&c, &f)))
				sl_stage_err_raise(&c.w, &c.err);
			put_header(&c, &f);
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
