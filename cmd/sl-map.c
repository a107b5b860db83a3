/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-map -- second stage of a load: maps source rows (variadic text rows
 * from sl-parse) onto the columns of DB.TABLE as typed binary rows.
 * Owns the Doris headers columns, strict_mode, timezone (time_zone),
 * merge_type, partial_columns, function_column.sequence_col.
 *
 * Planning happens once: each table column is fed directly by a source
 * field (text cast, no expression machinery), by a `col = expr` derived
 * column, or by its DEFAULT/NULL. Per row nothing is allocated: fields
 * point into the input frame, expression temporaries live in an arena that
 * is reset per row, and output goes through the buffered frame writer.
 * Rejected rows become F records with Doris's reasons.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
#include "cast.h"
#include "datetime.h"
#include "expr.h"
#include "schema.h"
#include "store.h"
#include "csvsplit.h"
#include "utf8.h"

#define USAGE "sl-map [--data-dir DIR] [-H 'name:value']... DB.TABLE"

#define FE_ERR "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = "

enum { FROM_SRC, FROM_EXPR, FROM_CONST };

typedef struct tcol {
	int how;
	size_t idx;             /* FROM_SRC: source index; FROM_EXPR: derived index */
	sl_value cv;            /* FROM_CONST */
	const sl_column *c;
	int fast_string;        /* FROM_SRC into a string type: no cast */
	int is_string;          /* CHAR, VARCHAR, STRING */
	int limited;            /* CHAR, VARCHAR: length checked */
	sl_value dflt;          /* FROM_SRC: value of an absent source field */
} tcol;

typedef struct derived {
	char *name;
	sl_expr *e;
	long col;               /* table column, -1 if none */
} derived;

static sl_writer w;
static sl_schema sch = SL_SCHEMA_ZERO;
static tcol *plan;
static char **srcs;             /* source names */
static size_t nsrc;
static derived *dvs;
static size_t ndv;
static int strict;
static int64_t now_us;
/* http_stream's WHERE (SL_PRECEDING_FILTER): evaluated over the source
 * fields and derived names, before conversion; rows it does not keep are
 * unselected, counted here and sent on as PrecedingUnselectedRows. */
static sl_expr *pre;
static uint64_t pre_unselected;

/* The planning error, decided before reading (sent when the stream starts). */
static char own_err[1024];
static int own_flags;
static int have_err;

/* Separator and delimiter of the source text: from sl-parse's C frame,
 * else from our own headers. */
static sl_buf sep_raw = SL_BUF_ZERO, sep_disp = SL_BUF_ZERO;
static sl_buf delim_disp = SL_BUF_ZERO;

__attribute__((format(printf, 2, 3)))
static void set_err(int flags, const char *fmt, ...)
{
	va_list ap;

	if (have_err)
		return;
	va_start(ap, fmt);
	vsnprintf(own_err, sizeof own_err, fmt, ap);
	va_end(ap);
	own_flags = flags;
	have_err = 1;
}

__attribute__((noreturn)) static void die_nomem(void)
{
	errno = ENOMEM;
	sl_diesys(SL_EXIT_TEMP, "unable to map rows");
}

static char *dupn(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		die_nomem();
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static int64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- planning ---- */

static int is_ident(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\n' || (*p)[*n - 1] == '\r'))
		(*n)--;
}

/* One item of `columns`: "name" or "name = expr". 1 ok, 0 syntax error. */
static int parse_item(const char *p, size_t n, char **name, const char **expr, size_t *en)
{
	size_t i = 0, s;

	trim(&p, &n);
	if (!n)
		return 0;
	if (p[0] == '`') {
		const char *q = memchr(p + 1, '`', n - 1);
		if (!q || q == p + 1)
			return 0;
		*name = dupn(p + 1, (size_t)(q - p - 1));
		i = (size_t)(q - p) + 1;
	} else {
		while (i < n && is_ident(p[i]))
			i++;
		if (!i)
			return 0;
		*name = dupn(p, i);
	}
	s = i;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	if (i == n) {
		*expr = 0;
		return 1;
	}
	if (p[i] != '=' || (i + 1 < n && p[i + 1] == '=')) {
		free(*name);
		*name = 0;
		(void)s;
		return 0;
	}
	*expr = p + i + 1;
	*en = n - i - 1;
	trim(expr, en);
	if (!*en) {
		free(*name);
		*name = 0;
		return 0;
	}
	return 1;
}

/* Split `columns` at top-level commas (outside quotes and parentheses). */
/* Parse and bind the preceding filter over names[0..n) (sources, then the
 * derived names); a planning error as for `where`. */
static void plan_preceding(const char *text, const char *const *names, const sl_type *types, size_t n)
{
	char err[512];
	sl_expr_scope sc = { n, names, types, 0 };

	if (!text)
		return;
	pre = sl_expr_parse(text, strlen(text), err, sizeof err);
	if (!pre)
		set_err(0, "[INTERNAL_ERROR]TStatus: ParseException: %s in where '%s'", err, text);
	else if (!sl_expr_bind(pre, &sc, err, sizeof err))
		set_err(0, FE_ERR "%s", err);
}

static void plan_columns(const char *cols, const char *pre_text)
{
	const char *p = cols, *start = cols;
	int depth = 0;
	char q = 0;
	char **names = 0;
	size_t nnames = 0, i, j;
	long *feed = calloc(sch.ncols, sizeof *feed);   /* source idx + 1 */
	long *dfeed = calloc(sch.ncols, sizeof *dfeed); /* derived idx + 1 */

	if (!feed || !dfeed)
		die_nomem();
	for (;; p++) {
		if (*p && q) {
			if (*p == '\\' && q != '`' && p[1])
				p++;
			else if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`') {
			q = *p;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if (*p && (*p != ',' || depth > 0))
			continue;
		{
			char *name = 0;
			const char *ex = 0;
			size_t en = 0;
			if (!parse_item(start, (size_t)(p - start), &name, &ex, &en)) {
				set_err(0, "[INTERNAL_ERROR]TStatus: ParseException: syntax error in columns at position %zu near '%.*s'",
				    (size_t)(start - cols) + 1, (int)(p - start > 40 ? 40 : p - start), start);
				goto out;
			}
			names = realloc(names, (nnames + 1) * sizeof *names);
			if (!names)
				die_nomem();
			names[nnames++] = name;
			if (!ex) {
				srcs = realloc(srcs, (nsrc + 1) * sizeof *srcs);
				if (!srcs)
					die_nomem();
				srcs[nsrc++] = name;
			} else {
				char err[512];
				sl_expr *e = sl_expr_parse(ex, en, err, sizeof err);
				if (!e) {
					set_err(0, "[INTERNAL_ERROR]TStatus: ParseException: %s in column expression '%.*s'", err, (int)en, ex);
					goto out;
				}
				dvs = realloc(dvs, (ndv + 1) * sizeof *dvs);
				if (!dvs)
					die_nomem();
				dvs[ndv].name = name;
				dvs[ndv].e = e;
				dvs[ndv].col = -1;
				ndv++;
			}
		}
		if (!*p)
			break;
		start = p + 1;
	}
	for (i = 0; i < nnames; i++)
		for (j = 0; j < i; j++)
			if (!strcasecmp(names[i], names[j])) {
				set_err(0, FE_ERR "Duplicate column: %s", names[i]);
				goto out;
			}
	for (i = 0; i < nsrc; i++) {
		long c = sl_schema_col(&sch, srcs[i], strlen(srcs[i]));
		if (c >= 0)
			feed[c] = (long)i + 1;
	}
	/* bind each expression over the sources and the earlier derived names */
	{
		size_t tot = nsrc + ndv;
		const char **sn = malloc((tot + 1) * sizeof *sn);
		sl_type *st = malloc((tot + 1) * sizeof *st);
		if (!sn || !st)
			die_nomem();
		for (i = 0; i < nsrc; i++) {
			sn[i] = srcs[i];
			st[i] = (sl_type){ .kind = SL_T_STRING };
		}
		for (i = 0; i < ndv; i++) {
			char err[512];
			sl_expr_scope sc = { nsrc + i, sn, st, 0 };
			if (!sl_expr_bind(dvs[i].e, &sc, err, sizeof err)) {
				set_err(0, FE_ERR "%s", err);
				free(sn);
				free(st);
				goto out;
			}
			sn[nsrc + i] = dvs[i].name;
			st[nsrc + i] = sl_expr_type(dvs[i].e);
			dvs[i].col = sl_schema_col(&sch, dvs[i].name, strlen(dvs[i].name));
			if (dvs[i].col >= 0)
				dfeed[dvs[i].col] = (long)i + 1;
		}
		plan_preceding(pre_text, sn, st, tot);
		free(sn);
		free(st);
	}
	for (i = 0; i < sch.ncols; i++) {
		if (feed[i]) {
			plan[i].how = FROM_SRC;
			plan[i].idx = (size_t)feed[i] - 1;
		} else if (dfeed[i]) {
			plan[i].how = FROM_EXPR;
			plan[i].idx = (size_t)dfeed[i] - 1;
		} else
			plan[i].how = FROM_CONST;
	}
out:
	free(names);    /* the strings are owned by srcs/dvs (or leaked on error) */
	free(feed);
	free(dfeed);
}

/* The DEFAULT of column i into *out (NULL when it has none); 0 when the
 * column has no default and is NOT NULL. */
static int column_default(size_t i, sl_value *out)
{
	const sl_column *c = &sch.cols[i];

	*out = SL_VALUE_NULL;
	switch (c->default_kind) {
	case SL_DEFAULT_VALUE:
		if (!c->default_value || !sl_cast_text(&c->type, c->default_value, strlen(c->default_value), out))
			*out = SL_VALUE_NULL;
		return 1;
	case SL_DEFAULT_CURRENT_TIMESTAMP: {
		sl_value dt = { .kind = SL_V_DATETIME, .scale = c->type.scale, .tkind = SL_T_DATETIME };
		int64_t us = sl_tz_to_local(now_us), unit = 1;
		int k;
		for (k = c->type.kind == SL_T_DATETIME ? c->type.scale : 0; k < 6; k++)
			unit *= 10;
		us -= ((us % unit) + unit) % unit;
		dt.u.i = us;
		if (c->type.kind == SL_T_DATETIME)
			*out = dt;
		else if (!sl_value_cast(&dt, &c->type, 0, out))
			*out = SL_VALUE_NULL;
		return 1;
	}
	default:
		return c->nullable;
	}
}

/* DEFAULT of an unmentioned column (or the planning error). */
static void plan_default(size_t i)
{
	if (!column_default(i, &plan[i].cv))
		set_err(0, FE_ERR "Column has no default value, column=%s", sch.cols[i].name);
}

/* The zone when the load names none: sl.conf `time_zone`, else +08:00. */
static const char *default_tz = "+08:00";

/* Are the comma-separated partition names of list (trimmed, case-
 * insensitive) all named `only`, the one partition there is (NULL: none)?
 * An unpartitioned table has one partition, named as the table, and no
 * temporary ones (Doris). 1 all found; 0 with *bad the first unknown name. */
static int partitions_known(const char *list, const char *only, char *bad, size_t cap)
{
	const char *p = list;

	for (;;) {
		const char *e = strchr(p, ','), *end = e ? e : p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (!only || (size_t)(end - p) != strlen(only) || strncasecmp(p, only, (size_t)(end - p))) {
			snprintf(bad, cap, "%.*s", (int)(end - p), p);
			return 0;
		}
		if (!e)
			return 1;
		p = e + 1;
	}
}

/* Headers that only tune or route a load in Doris: each is read and
 * checked as Doris does, and what this store cannot do yet is refused
 * rather than ignored. BE checks (INVALID_ARGUMENT) come before the FE's. */
static void plan_routing(const sl_hdrs *h)
{
	const char *parts = sl_hdrs_get(h, "partitions"), *tparts = sl_hdrs_get(h, "temporary_partitions");
	const char *mode = sl_hdrs_get(h, "unique_key_update_mode");
	const char *nkb = sl_hdrs_get(h, "partial_update_new_key_behavior");
	const char *gc = sl_hdrs_get(h, "group_commit");
	char bad[256];

	if (gc && strcasecmp(gc, "sync_mode") && strcasecmp(gc, "async_mode") && strcasecmp(gc, "off_mode"))
		set_err(0, "[INVALID_ARGUMENT]group_commit can only be [async_mode, sync_mode, off_mode]");
	if (parts && tparts)
		set_err(0, "[INVALID_ARGUMENT]Can not specify both partitions and temporary partitions");
	if (mode && strcasecmp(mode, "UPSERT") && strcasecmp(mode, "UPDATE_FIXED_COLUMNS") &&
	    strcasecmp(mode, "UPDATE_FLEXIBLE_COLUMNS"))
		set_err(0, "[INVALID_ARGUMENT]Invalid unique_key_partial_mode %s, must be one of 'UPSERT', "
		    "'UPDATE_FIXED_COLUMNS' or 'UPDATE_FLEXIBLE_COLUMNS'", mode);
	if (nkb && strcasecmp(nkb, "APPEND") && strcasecmp(nkb, "ERROR"))
		set_err(0, "[INVALID_ARGUMENT]Invalid partial_update_new_key_behavior %s, must be one of {'APPEND', 'ERROR'}", nkb);
	/* group commit is off for an empty body, partial updates, partitions
	 * and 2PC (Doris); otherwise it forbids a label of the client's */
	if (gc && strcasecmp(gc, "off_mode") && !parts && !tparts && !mode && !sl_hdrs_bool(h, "partial_columns") &&
	    !(sl_hdrs_get(h, "two_phase_commit") && !strcmp(sl_hdrs_get(h, "two_phase_commit"), "true")) &&
	    !(sl_hdrs_get(h, "x_sl_body_bytes") && !strcmp(sl_hdrs_get(h, "x_sl_body_bytes"), "0"))) {
		if (!sl_hdrs_get(h, SL_LABEL_GENERATED))
			set_err(0, "[INVALID_ARGUMENT]label and group_commit can't be set at the same time");
		else
			set_err(0, "[NOT_IMPLEMENTED_ERROR]group_commit %s is not supported yet: "
			    "send the load without group_commit (or group_commit: off_mode)", gc);
	}
	if (parts && !partitions_known(parts, sch.name, bad, sizeof bad))
		set_err(0, FE_ERR "partition %s is not found in table %s", bad, sch.name);
	if (tparts && !partitions_known(tparts, NULL, bad, sizeof bad))
		set_err(0, FE_ERR "partition %s is not found in table %s", bad, sch.name);
	if (mode && strcasecmp(mode, "UPSERT") && sch.model != SL_MODEL_UNIQUE)
		set_err(0, FE_ERR "Only unique key merge on write support partial update");
	if (sl_hdrs_bool(h, "load_to_single_tablet") && !sch.dist_random)
		set_err(0, FE_ERR "if load_to_single_tablet set to true, the olap table must be with random distribution");
}

static void plan_load(const sl_hdrs *h)
{
	const char *v, *cols;
	size_t i;

	plan = calloc(sch.ncols ? sch.ncols : 1, sizeof *plan);
	if (!plan)
		die_nomem();
	for (i = 0; i < sch.ncols; i++)
		plan[i].c = &sch.cols[i];

	plan_routing(h);
	v = sl_hdrs_get(h, "strict_mode");
	if (v && strcasecmp(v, "true") && strcasecmp(v, "false"))
		set_err(0, "[INVALID_ARGUMENT]Invalid strict mode format. Must be bool type");
	strict = v && !strcasecmp(v, "true");

	v = sl_hdrs_get(h, "merge_type");
	if (v) {
		if (strcasecmp(v, "APPEND") && strcasecmp(v, "DELETE") && strcasecmp(v, "MERGE"))
			set_err(0, "[INVALID_ARGUMENT]Invalid merge type %s", v);
		else if (!strcasecmp(v, "MERGE") && !sl_hdrs_get(h, "delete"))
			set_err(0, "[INVALID_ARGUMENT]Excepted DELETE ON clause when merge type is MERGE.");
		else if (strcasecmp(v, "MERGE") && sl_hdrs_get(h, "delete"))
			set_err(0, "[INVALID_ARGUMENT]Not support DELETE ON clause when merge type is not MERGE.");
		else if (strcasecmp(v, "APPEND") && sch.model != SL_MODEL_UNIQUE)
			set_err(0, FE_ERR "load by MERGE or DELETE is only supported in unique tables.");
	} else if (sl_hdrs_get(h, "delete"))
		set_err(0, "[INVALID_ARGUMENT]Not support DELETE ON clause when merge type is not MERGE.");
	if (sl_hdrs_bool(h, "partial_columns") && sch.model != SL_MODEL_UNIQUE)
		set_err(0, FE_ERR "Only unique key merge on write support partial update");
	if (sl_hdrs_get(h, "function_column.sequence_col") && sch.model != SL_MODEL_UNIQUE)
		set_err(0, FE_ERR "There is no sequence column in the table %s", sch.name);

	v = sl_hdrs_get(h, "timezone");
	if (!v)
		v = sl_hdrs_get(h, "time_zone");
	if (!v)         /* the seed's default, unless sl.conf names another */
		v = default_tz;
	if (v && !sl_tz_set(v))
		set_err(0, FE_ERR "Unknown or incorrect time zone: '%s'", v);
	now_us = wall_us();

	cols = sl_hdrs_get(h, "columns");
	v = sl_hdrs_get(h, SL_PRECEDING_FILTER);
	if (cols) {
		plan_columns(cols, v);
	} else {
		srcs = malloc((sch.ncols + 1) * sizeof *srcs);
		if (!srcs)
			die_nomem();
		for (i = 0; i < sch.ncols; i++) {
			srcs[i] = sch.cols[i].name;
			plan[i].how = FROM_SRC;
			plan[i].idx = i;
		}
		nsrc = sch.ncols;
		if (v) {
			sl_type *st = malloc((nsrc + 1) * sizeof *st);
			if (!st)
				die_nomem();
			for (i = 0; i < nsrc; i++)
				st[i] = (sl_type){ .kind = SL_T_STRING };
			plan_preceding(v, (const char *const *)srcs, st, nsrc);
			free(st);
		}
	}
	if (have_err)
		return;
	for (i = 0; i < sch.ncols; i++) {
		const sl_type *t = &sch.cols[i].type;
		if (plan[i].how == FROM_CONST)
			plan_default(i);
		else if (plan[i].how == FROM_SRC)
			column_default(i, &plan[i].dflt);   /* a NOT NULL column without one: NULL, rejected per row */
		plan[i].is_string = sl_type_is_string(t);
		plan[i].limited = t->kind == SL_T_CHAR || t->kind == SL_T_VARCHAR;
		plan[i].fast_string = plan[i].how == FROM_SRC && plan[i].is_string;
	}
}

/* ---- rows ---- */

static sl_field *fields;        /* incoming source fields */
static size_t fcap;
static sl_value *out;           /* one per table column */
static sl_value *scope;         /* sources + derived values */
static sl_arena arena = SL_ARENA_ZERO;
static sl_buf reason = SL_BUF_ZERO, srcbuf = SL_BUF_ZERO;
static uint64_t rowno;

static void reject(const char *src, size_t slen)
{
	if (sl_write_error(&w, reason.p, reason.len, src, slen, rowno) < 0)
		sl_stage_die_write(&w);
}

/* Source fields joined by single spaces, NULL as NULL (Block::dump_one_line). */
static void src_spaces(size_t n)
{
	size_t i;

	srcbuf.len = 0;
	for (i = 0; i < n; i++) {
		if (i && sl_buf_putc(&srcbuf, ' ') < 0)
			die_nomem();
		if (fields[i].n >= SL_ABSENT_LEN ? sl_buf_put(&srcbuf, "NULL", 4) < 0
		    : sl_buf_put(&srcbuf, fields[i].p, fields[i].n) < 0)
			die_nomem();
	}
}

static void count_mismatch(size_t n)
{
	size_t i;

	reason.len = 0;
	if (sl_buf_printf(&reason, "Column count mismatch: expected %zu, but found %zu (sep:%s delim:%s)",
	    nsrc, n, sep_disp.p ? sep_disp.p : "\\t", delim_disp.p ? delim_disp.p : "\\n") < 0)
		die_nomem();
	srcbuf.len = 0;
	for (i = 0; i < n; i++) {
		if (i && sl_buf_put(&srcbuf, sep_raw.p, sep_raw.len) < 0)
			die_nomem();
		if (fields[i].n >= SL_ABSENT_LEN ? sl_buf_put(&srcbuf, "\\N", 2) < 0
		    : sl_buf_put(&srcbuf, fields[i].p, fields[i].n) < 0)
			die_nomem();
	}
	reject(srcbuf.p, srcbuf.len);
}

static void put_row(const sl_frame *in);

static void map_row(const sl_frame *f)
{
	long nl = sl_fields_parse(f->p, f->len, fields, fcap);
	size_t n, i;

	rowno++;
	if (nl < 0)
		sl_stage_abort(&w, SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]malformed row in the input stream");
	n = (size_t)nl;
	if (n > fcap) {
		while (fcap < n)
			fcap *= 2;
		fields = realloc(fields, fcap * sizeof *fields);
		if (!fields)
			die_nomem();
		sl_fields_parse(f->p, f->len, fields, fcap);
	}
	if (n != nsrc) {
		count_mismatch(n);
		return;
	}
	if (ndv || pre) {
		sl_eval_ctx ctx = { &arena, now_us, 0 };
		sl_arena_reset(&arena);
		for (i = 0; i < nsrc; i++) {
			if (fields[i].n >= SL_ABSENT_LEN)    /* NULL or absent */
				scope[i] = SL_VALUE_NULL;
			else {
				scope[i] = (sl_value){ .kind = SL_V_STRING, .tkind = SL_T_STRING };
				scope[i].u.s.p = fields[i].p;
				scope[i].u.s.n = fields[i].n;
			}
		}
		for (i = 0; i < ndv; i++)
			if (sl_expr_eval(dvs[i].e, scope, &ctx, &scope[nsrc + i]) < 0)
				die_nomem();
		if (pre) {
			sl_value keep;
			if (sl_expr_eval(pre, scope, &ctx, &keep) < 0)
				die_nomem();
			if (!sl_value_truth(&keep)) {
				pre_unselected++;
				return;
			}
		}
	}
	/* conversion: casts, strict mode, NOT NULL; first failing column wins */
	for (i = 0; i < sch.ncols; i++) {
		const tcol *t = &plan[i];
		sl_value *v = &out[i];
		int failed = 0;

		switch (t->how) {
		case FROM_SRC: {
			const sl_field *fl = &fields[t->idx];
			if (fl->n == SL_NULL_LEN) {
				*v = SL_VALUE_NULL;
			} else if (fl->n == SL_ABSENT_LEN) {
				*v = t->dflt;   /* a JSON key that is not there */
			} else if (t->fast_string) {
				v->kind = SL_V_STRING;
				v->tkind = t->c->type.kind;
				v->u.s.p = fl->p;
				v->u.s.n = fl->n;
			} else if (!sl_cast_text(&t->c->type, fl->p, fl->n, v)) {
				*v = SL_VALUE_NULL;
				failed = 1;
			}
			break;
		}
		case FROM_EXPR:
			if (!sl_value_cast(&scope[nsrc + t->idx], &t->c->type, &arena, v))
				*v = SL_VALUE_NULL;
			break;
		default:
			*v = t->cv;
		}
		if (v->kind != SL_V_NULL)
			continue;
		reason.len = 0;
		if (failed && strict) {
			const sl_field *fl = &fields[t->idx];
			if (sl_buf_printf(&reason, "column(%s) value is incorrect while strict mode is true, src value is %.*s",
			    t->c->name, (int)fl->n, fl->p) < 0)
				die_nomem();
		} else if (!t->c->nullable) {
			if (sl_buf_printf(&reason, "column(%s) values is null while columns is not nullable", t->c->name) < 0)
				die_nomem();
		} else
			continue;
		src_spaces(n);
		reject(srcbuf.p, srcbuf.len);
		return;
	}
	/* sink: CHAR/VARCHAR length (bytes); non-strict truncates by characters */
	for (i = 0; i < sch.ncols; i++) {
		const sl_type *t = &sch.cols[i].type;
		sl_value *v = &out[i];
		size_t len;

		if (v->kind != SL_V_STRING || !plan[i].limited)
			continue;
		len = (size_t)t->len;
		if (v->u.s.n <= len)
			continue;
		if (!strict) {
			/* cut to len characters; still too long in bytes -> rejected */
			v->u.s.n = sl_utf8_prefix(v->u.s.p, v->u.s.n, len);
			if (v->u.s.n <= len)
				continue;
		}
		reason.len = 0;
		if (sl_buf_printf(&reason, "column_name[%s], the length of input is too long than schema. "
		    "first 32 bytes of input str: [%.*s] schema length: %zu; actual length: %zu; ",
		    sch.cols[i].name, (int)(v->u.s.n < 32 ? v->u.s.n : 32), v->u.s.p, len, v->u.s.n) < 0)
			die_nomem();
		reject("", 0);
		return;
	}
	put_row(f);
}

/* Build the typed R payload here (lengths packed inline, fixed-width values
 * encoded in place, strings copied in 16-byte steps where the input frame
 * has room after them) and hand the writer one frame. */
static char *rowbuf;
static size_t rowcap;

static void put_row(const sl_frame *in)
{
	size_t need = 0, j;
	const char *fend = in->p + in->len;
	sl_frame f;
	char *d;

	for (j = 0; j < sch.ncols; j++) {
		const sl_value *v = &out[j];
		need += 4;
		if (v->kind == SL_V_NULL)
			continue;
		/* strings, and complex values (encoded bytes held as a string),
		 * are copied whole; fixed-width types take at most 16 bytes */
		if (v->kind == SL_V_STRING)
			need += v->u.s.n + 16;
		else
			need += 16;
	}
	if (need + 64 > rowcap) {
		rowcap = (need + 64) * 2;
		rowbuf = realloc(rowbuf, rowcap);
		if (!rowbuf)
			die_nomem();
	}
	d = rowbuf;
	for (j = 0; j < sch.ncols; j++) {
		const sl_value *v = &out[j];
		uint32_t len;

		if (v->kind == SL_V_NULL) {
			sl_u32_pack(d, SL_NULL_LEN);
			d += 4;
			continue;
		}
		if (v->kind == SL_V_STRING && plan[j].is_string) {
			const char *s = v->u.s.p;
			size_t n = v->u.s.n;
			sl_u32_pack(d, (uint32_t)n);
			d += 4;
			if (s >= in->p && n + 16 <= (size_t)(fend - s)) {
				char *e = d + n;
				for (; d < e; d += 16, s += 16)
					memcpy(d, s, 16);
				d = e;
			} else {
				memcpy(d, s, n);
				d += n;
			}
			continue;
		}
		{
			const char *op = d + 4;
			len = sl_value_encode(&sch.cols[j].type, v, d + 4, &op);
			sl_u32_pack(d, len);
			if (len == SL_NULL_LEN) {
				d += 4;
				continue;
			}
			if (op != d + 4)
				memmove(d + 4, op, len);
			d += 4 + len;
		}
	}
	f.type = 'R';
	f.flags = 0;
	f.len = (uint32_t)(d - rowbuf);
	f.p = rowbuf;
	if (sl_write_frame(&w, &f) < 0)
		sl_stage_die_write(&w);
}

/* ---- stream ---- */

static void sep_from_headers(const sl_hdrs *h)
{
	const char *v = sl_hdrs_get(h, "column_separator"), *err;
	sl_buf d = SL_BUF_ZERO;

	if (sl_sep_parse(v ? v : "\\t", &sep_raw, &err) != 1 || !sep_raw.len) {
		sep_raw.len = 0;
		sl_buf_putc(&sep_raw, '\t');
	}
	sl_sep_display(sep_raw.p, sep_raw.len, &sep_disp);
	v = sl_hdrs_get(h, "line_delimiter");
	if (sl_sep_parse(v ? v : "\\n", &d, &err) != 1 || !d.len) {
		d.len = 0;
		sl_buf_putc(&d, '\n');
	}
	sl_sep_display(d.p, d.len, &delim_disp);
	sl_buf_free(&d);
}

static int unhex(const char *s, sl_buf *out)
{
	size_t n = strlen(s), i;

	if (!n || n % 2)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	out->len = 0;
	for (i = 0; i < n; i += 2) {
		char b[3] = { s[i], s[i + 1], 0 };
		if (sl_buf_putc(out, (char)strtoul(b, 0, 16)) < 0)
			return 0;
	}
	return 1;
}

/* Remember what sl-parse says about the separators. */
static void note_counters(const sl_frame *f)
{
	sl_kv kv = SL_KV_ZERO;
	const char *v;

	if (sl_kv_merge_frame(&kv, f) < 0)
		return;
	if ((v = sl_kv_get(&kv, "column_separator_hex")) && unhex(v, &sep_raw)) {
		sep_disp.len = 0;
		sl_sep_display(sep_raw.p, sep_raw.len, &sep_disp);
	}
	if ((v = sl_kv_get(&kv, "line_delimiter"))) {
		delim_disp.len = 0;
		sl_buf_puts(&delim_disp, v);
		sl_buf_cstr(&delim_disp);
	}
	sl_kv_free(&kv);
}

static void write_header(void)
{
	sl_field *nm = calloc(sch.ncols + 1, sizeof *nm), *ty = calloc(sch.ncols + 1, sizeof *ty);
	char (*tb)[SL_TYPE_FMT_MAX] = calloc(sch.ncols + 1, sizeof *tb);
	size_t i;

	if (!nm || !ty || !tb)
		die_nomem();
	for (i = 0; i < sch.ncols; i++) {
		nm[i].p = sch.cols[i].name;
		nm[i].n = (uint32_t)strlen(sch.cols[i].name);
		ty[i].n = (uint32_t)sl_type_format_upper(&sch.cols[i].type, tb[i], sizeof tb[i]);
		ty[i].p = tb[i];
	}
	if (sl_write_header(&w, sch.ncols, nm, ty, 0) < 0)
		sl_stage_die_write(&w);
	free(nm);
	free(ty);
	free(tb);
}

/* A non-variadic header of source columns (sl-parse's JSON path): every
 * column is STRING. Fields are then mapped by position, as for CSV. */
static int source_header(const sl_frame *f)
{
	long n = sl_header_parse(f, 0, 0), i;
	sl_colspec *cs;
	int ok = 1;

	if (n < 0)
		return 0;
	cs = malloc(((size_t)n + 1) * sizeof *cs);
	if (!cs)
		die_nomem();
	sl_header_parse(f, cs, (size_t)n);
	for (i = 0; i < n && ok; i++)
		ok = cs[i].type.n == 6 && !memcmp(cs[i].type.p, "STRING", 6);
	free(cs);
	return ok;
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *target = 0, *dot;
	char *db, *table;
	sl_store st;
	sl_reader rd;
	sl_frame f;
	int r, started = 0;

	sl_msg_init(argv[0]);
	if (sl_stage_args(&o, argc, argv, USAGE, &target, 1) != 1)
		sl_dieusage(USAGE);
	if (!target || !(dot = strchr(target, '.')) || dot == target || !dot[1])
		sl_dieusage(USAGE);
	db = dupn(target, (size_t)(dot - target));
	table = dupn(dot + 1, strlen(dot + 1));
	sl_profile_start(&o.hdrs, target);
	sl_pipe_grow_std();
	if (sl_writer_init(&w, 1) < 0 || sl_reader_init(&rd, 0) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	rd.flush = &w;    /* never sit on rows while upstream is quiet */

	if (sl_store_open(&st, sl_data_dir(o.data_dir)) < 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "[INTERNAL_ERROR]unable to open the data directory %s: %s",
		    sl_data_dir(o.data_dir), strerror(errno));
		sl_stage_abort(&w, SL_EXIT_TEMP, 0, "%s", msg);
	}
	if (sl_store_conf(&st, "time_zone"))
		default_tz = sl_store_conf(&st, "time_zone");
	errno = 0;
	r = sl_schema_load(&st, db, table, &sch);
	if (r == 0 || (r < 0 && errno == EINVAL)) {
		if (errno == ENOTDIR || (errno == EINVAL && !sl_db_exists(&st, db)))
			set_err(SL_X_PRETXN, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=%s", db);
		else
			set_err(SL_X_PRETXN, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=%s", table);
	} else if (r < 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "[INTERNAL_ERROR]unable to read the schema of %s.%s: %s", db, table, strerror(errno));
		sl_stage_abort(&w, SL_EXIT_TEMP, 0, "%s", msg);
	} else
		plan_load(&o.hdrs);
	sep_from_headers(&o.hdrs);

	fcap = nsrc + 8;
	fields = malloc(fcap * sizeof *fields);
	out = malloc((sch.ncols + 1) * sizeof *out);
	scope = malloc((nsrc + ndv + 1) * sizeof *scope);
	if (!fields || !out || !scope)
		die_nomem();

	while ((r = sl_frame_read(&rd, &f)) > 0) {
		switch (f.type) {
		case 'R':
			map_row(&f);
			break;
		case 'C':
			note_counters(&f);
			/* FALLTHROUGH */
		case 'F':
			if (sl_write_frame(&w, &f) < 0)
				sl_stage_die_write(&w);
			break;
		case 'H':
			if (started)
				sl_stage_abort(&w, SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]sl-map: a second header in the input stream");
			if (have_err)
				sl_stage_abort(&w, SL_EXIT_NO, own_flags, "%s", own_err);
			if (!(f.flags & SL_H_VARIADIC) && !source_header(&f))
				sl_stage_abort(&w, SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]sl-map: the input rows are already typed (expected source rows from sl-parse)");
			write_header();
			started = 1;
			break;
		case 'X':
			/* our own pre-transaction error outranks a later upstream one */
			if (have_err && (own_flags & SL_X_PRETXN) && !(f.flags & SL_X_PRETXN))
				sl_stage_abort(&w, SL_EXIT_NO, own_flags, "%s", own_err);
			if (sl_write_frame(&w, &f) < 0)
				sl_stage_die_write(&w);
			sl_writer_flush(&w);
			return SL_EXIT_NO;
		case 'E':
			if (pre) {
				char num[32];
				const char *key = "PrecedingUnselectedRows", *val = num;
				snprintf(num, sizeof num, "%" PRIu64, pre_unselected);
				if (sl_write_kv(&w, 1, &key, &val) < 0)
					sl_stage_die_write(&w);
			}
			if (sl_write_end(&w) < 0)
				sl_stage_die_write(&w);
			if (close(1) < 0)
				sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
			return 0;
		}
	}
	if (have_err && !started)
		sl_stage_abort(&w, SL_EXIT_NO, own_flags, "%s", own_err);
	{
		int e = errno;
		const char *m;
		/* a few bytes of text are not a truncated stream: no frame starts so */
		if (e == EPIPE && rd.nbytes == 0 && rd.end > rd.start &&
		    rd.buf[rd.start] != 'H' && rd.buf[rd.start] != 'C' && rd.buf[rd.start] != 'X')
			e = EPROTO;
		m = sl_reader_errstr(&rd, e);
		char msg[512];
		snprintf(msg, sizeof msg, "[INTERNAL_ERROR]sl-map: %s", m);
		sl_write_abort(&w, 0, msg);
		sl_writer_flush(&w);
		sl_die(e == EPROTO || e == ERANGE ? SL_EXIT_USAGE : SL_EXIT_TEMP, "%s", m);
	}
}
