/* SPDX-License-Identifier: Apache-2.0 */
/*
 * colmap.c -- the column mapping of a load (sl-map's logic): planning from
 * the `columns` header and the table's schema, and one row through the
 * plan with Doris's reasons for a rejected row.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl.h"
#include "colmap.h"
#include "status.h"
#include "csvsplit.h"
#include "cast.h"
#include "datetime.h"
#include "utf8.h"
#include "colval.h"

#define FE_ERR SL_E_ANALYSIS_ERROR SL_TSTATUS

void sl_colmap_set_err(sl_colmap *m, int flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_stage_err_vset(&m->err, flags, fmt, ap);
	va_end(ap);
}

/* An invalid option's message, as the planning error. */
static void note_opt(sl_colmap *m, const sl_loadopts *lo, int id)
{
	char msg[1024];

	if (!sl_loadopt_check(lo, id, msg, sizeof msg))
		sl_colmap_set_err(m, 0, "%s", msg);
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

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void trim(const char **p, size_t *n)
{
	while (*n && is_blank(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && is_blank((*p)[*n - 1]))
		(*n)--;
}

/* One item of `columns`: "name" or "name = expr". 1 ok, 0 syntax error,
 * -1 ENOMEM. */
static int parse_item(const char *p, size_t n, char **name, const char **expr, size_t *en)
{
	size_t i = 0;

	trim(&p, &n);
	if (!n)
		return 0;
	if (p[0] == '`') {
		const char *q = memchr(p + 1, '`', n - 1);
		if (!q || q == p + 1)
			return 0;
		*name = strndup(p + 1, (size_t)(q - p - 1));
		i = (size_t)(q - p) + 1;
	} else {
		while (i < n && is_ident(p[i]))
			i++;
		if (!i)
			return 0;
		*name = strndup(p, i);
	}
	if (!*name)
		return -1;
	while (i < n && is_blank(p[i]))
		i++;
	if (i == n) {
		*expr = 0;
		return 1;
	}
	*expr = p + i + 1;
	*en = n - i - 1;
	trim(expr, en);
	if (p[i] != '=' || (i + 1 < n && p[i + 1] == '=') || !*en) {
		free(*name);
		*name = 0;
		return 0;
	}
	return 1;
}

/* Parse and bind the preceding filter over names[0..n) (sources, then the
 * derived names); a planning error as for `where`. */
static void plan_preceding(sl_colmap *m, const char *text, const char *const *names, const sl_type *types, size_t n)
{
	char err[512];
	sl_expr_scope sc = { n, names, types, 0 };

	if (!text)
		return;
	m->pre = sl_expr_parse(text, strlen(text), err, sizeof err);
	if (!m->pre)
		sl_colmap_set_err(m, 0, SL_E_INTERNAL_ERROR "TStatus: ParseException: %s in where '%s'", err, text);
	else if (!sl_expr_bind(m->pre, &sc, err, sizeof err))
		sl_colmap_set_err(m, 0, FE_ERR "%s", err);
}

/* The items of `columns` into sources and derived columns; the names in
 * names[], derived[i] set for a derived one. 1, 0 a planning error, -1
 * ENOMEM. */
static int plan_items(sl_colmap *m, const sl_loadopts *lo, char **names, char *derived)
{
	const char *cols = lo->v[SL_LO_COLUMNS].text;
	size_t i;

	for (i = 0; i < lo->ncols; i++) {
		const char *start = lo->cols[i].p, *ex = 0;
		size_t len = lo->cols[i].n, en = 0;
		char *name = 0, err[512];
		sl_expr *e;
		int r = parse_item(start, len, &name, &ex, &en);

		if (r < 0)
			return -1;
		if (!r) {
			sl_colmap_set_err(m, 0, SL_E_INTERNAL_ERROR "TStatus: ParseException: syntax error in columns at position %zu near '%.*s'",
			    (size_t)(start - cols) + 1, (int)(len > 40 ? 40 : len), start);
			return 0;
		}
		names[i] = name;
		if (!ex) {
			m->srcs[m->nsrc++] = name;
			continue;
		}
		if (!(e = sl_expr_parse(ex, en, err, sizeof err))) {
			sl_colmap_set_err(m, 0, SL_E_INTERNAL_ERROR "TStatus: ParseException: %s in column expression '%.*s'", err, (int)en, ex);
			return 0;
		}
		derived[i] = 1;
		m->dvs[m->ndv].name = name;
		m->dvs[m->ndv].e = e;
		m->dvs[m->ndv++].col = -1;
	}
	return 1;
}

/* Bind each expression over the sources and the earlier derived names,
 * then the preceding filter over them all. 1, 0 a planning error, -1. */
static int plan_bind(sl_colmap *m, const char *pre_text, long *dfeed)
{
	size_t tot = m->nsrc + m->ndv, i;
	const char **sn = malloc((tot + 1) * sizeof *sn);
	sl_type *st = malloc((tot + 1) * sizeof *st);
	int ret = 1;

	if (!sn || !st) {
		free(sn);
		free(st);
		return -1;
	}
	for (i = 0; i < m->nsrc; i++) {
		sn[i] = m->srcs[i];
		st[i] = (sl_type){ .kind = SL_T_STRING };
	}
	for (i = 0; i < m->ndv && ret; i++) {
		sl_colmap_derived *d = &m->dvs[i];
		char err[512];
		sl_expr_scope sc = { m->nsrc + i, sn, st, 0 };
		if (!sl_expr_bind(d->e, &sc, err, sizeof err)) {
			sl_colmap_set_err(m, 0, FE_ERR "%s", err);
			ret = 0;
			break;
		}
		sn[m->nsrc + i] = d->name;
		st[m->nsrc + i] = sl_expr_type(d->e);
		/* the sequence's own expression feeds its column later */
		d->col = (long)i == m->seq_dv ? -1 : sl_schema_col(m->sch, d->name, strlen(d->name));
		if (d->col >= 0 && dfeed)
			dfeed[d->col] = (long)i + 1;
	}
	if (ret)
		plan_preceding(m, pre_text, sn, st, tot);
	free(sn);
	free(st);
	return ret;
}

static int plan_seq_expr(sl_colmap *m, const sl_loadopts *lo);

static int plan_columns(sl_colmap *m, const sl_loadopts *lo, const char *pre_text)
{
	const sl_schema *sch = m->sch;
	size_t n = lo->ncols, i, j;
	char **names = calloc(n + 1, sizeof *names);
	char *derived = calloc(n + 1, 1);
	long *feed = calloc(sch->ncols + 1, sizeof *feed);   /* source idx + 1 */
	long *dfeed = calloc(sch->ncols + 1, sizeof *dfeed); /* derived idx + 1 */
	int r = -1;

	m->own_srcs = 1;
	m->srcs = calloc(n + 1, sizeof *m->srcs);
	m->dvs = calloc(n + 1, sizeof *m->dvs);
	if (!names || !derived || !feed || !dfeed || !m->srcs || !m->dvs || (r = plan_items(m, lo, names, derived)) <= 0)
		goto out;
	/* a source field and a derived column may share a name (`arr,
	 * arr=to_bitmap(arr)`: the derived one feeds the column) */
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (derived[i] == derived[j] && !strcasecmp(names[i], names[j])) {
				sl_colmap_set_err(m, 0, FE_ERR "Duplicate column: %s", names[i]);
				r = 0;
				goto out;
			}
	for (i = 0; i < m->nsrc; i++) {
		long c = sl_schema_col(sch, m->srcs[i], strlen(m->srcs[i]));
		if (c >= 0)
			feed[c] = (long)i + 1;
	}
	if ((r = plan_seq_expr(m, lo)) <= 0 || (r = plan_bind(m, pre_text, dfeed)) <= 0)
		goto out;
	for (i = 0; i < sch->ncols; i++) {
		sl_colmap_col *t = &m->plan[i];
		if (dfeed[i]) {
			t->how = SL_COLMAP_EXPR;
			t->idx = (size_t)dfeed[i] - 1;
		} else if (feed[i]) {
			t->how = SL_COLMAP_SRC;
			t->idx = (size_t)feed[i] - 1;
		} else
			t->how = SL_COLMAP_CONST;
	}
out:
	free(names);    /* the strings are owned by srcs and dvs */
	free(derived);
	free(feed);
	free(dfeed);
	return r;
}

int sl_colmap_mode(const sl_loadopts *lo)
{
	const sl_loadopt_val *u = &lo->v[SL_LO_UNIQUE_KEY_UPDATE_MODE];

	if (u->text)    /* it outranks partial_columns (Doris) */
		return u->state > 0 ? (int)u->i : SL_COLMAP_UPSERT;
	return lo->v[SL_LO_PARTIAL_COLUMNS].i ? SL_COLMAP_FIXED : SL_COLMAP_UPSERT;
}

size_t sl_colmap_positional(const sl_schema *sch, const sl_loadopts *lo, const char **names)
{
	const char *hc = lo->v[SL_LO_HIDDEN_COLUMNS].text, *p;
	size_t n = 0, i;

	for (i = 0; i < sch->nvisible; i++)
		names[n++] = sch->cols[i].name;
	if (sl_colmap_mode(lo) == SL_COLMAP_FLEXIBLE) {
		if (sch->delete_sign >= 0)
			names[n++] = sch->cols[sch->delete_sign].name;
		if (sch->seq_col >= 0 && sch->seq_map < 0)
			names[n++] = sch->cols[sch->seq_col].name;
		return n;
	}
	/* hidden_columns in its own order, each hidden column once */
	p = hc;
	while (p && *p) {
		char item[128];
		size_t k = 0, j;
		for (; *p && *p != ','; p++)
			if (!is_blank(*p) && k + 1 < sizeof item)
				item[k++] = *p;
		item[k] = 0;
		if (*p)
			p++;
		for (i = sch->nvisible; i < sch->ncols; i++) {
			if (strcasecmp(item, sch->cols[i].name))
				continue;
			for (j = sch->nvisible; j < n && names[j] != sch->cols[i].name; j++)
				;
			if (j == n)
				names[n++] = sch->cols[i].name;
		}
	}
	return n;
}

/* Every source field of its position (no `columns`) into the column of
 * the same name; the others get their DEFAULT. */
static int plan_positions(sl_colmap *m, const sl_loadopts *lo)
{
	const sl_schema *sch = m->sch;
	size_t i;

	m->srcs = malloc((sch->ncols + 1) * sizeof *m->srcs);
	m->dvs = calloc(1, sizeof *m->dvs);     /* room for the sequence's */
	if (!m->srcs || !m->dvs)
		return -1;
	m->nsrc = sl_colmap_positional(sch, lo, (const char **)m->srcs);
	for (i = 0; i < sch->ncols; i++)
		m->plan[i].how = SL_COLMAP_CONST;
	for (i = 0; i < m->nsrc; i++) {
		long c = sl_schema_col(sch, m->srcs[i], strlen(m->srcs[i]));
		m->plan[c].how = SL_COLMAP_SRC;
		m->plan[c].idx = i;
	}
	return 1;
}

/* The DEFAULT of column c into *out (NULL when it has none); 0 when the
 * column has no default and is NOT NULL. */
static int column_default(const sl_colmap *m, const sl_column *c, sl_value *out)
{
	*out = SL_VALUE_NULL;
	switch (c->default_kind) {
	case SL_DEFAULT_VALUE:
		if (!c->default_value || !sl_cast_text(&c->type, c->default_value, strlen(c->default_value), out))
			*out = SL_VALUE_NULL;
		return 1;
	case SL_DEFAULT_CURRENT_TIMESTAMP: {
		sl_value dt = { .kind = SL_V_DATETIME, .scale = c->type.scale, .tkind = SL_T_DATETIME };
		int64_t us = sl_tz_to_local(m->now_us), unit = 1;
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

/* Is the name p[0..n) one of the live partitions (temp: a temporary
 * one)? Without a list (NULL parts), the table is unpartitioned: its one
 * formal partition is named as the table, and it has no temporary ones. */
static int partition_named(const sl_colmap *m, const char *p, size_t n, int temp)
{
	const sl_schema *sch = m->sch;

	if (!m->parts)
		return !temp && n == strlen(sch->name) && !strncasecmp(p, sch->name, n);
	for (size_t i = 0; i < m->nparts; i++)
		if (!m->parts[i].temp == !temp && strlen(m->parts[i].name) == n && !strncasecmp(m->parts[i].name, p, n))
			return 1;
	return 0;
}

/* Are the comma-separated partition names of list (trimmed, case-
 * insensitive) all live partitions of the table (temp: temporary ones)?
 * 1 all found; 0 with *bad the first unknown name. */
static int partitions_known(const sl_colmap *m, const char *list, int temp, char *bad, size_t cap)
{
	const char *p = list;

	for (;;) {
		const char *e = strchr(p, ','), *end = e ? e : p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (!partition_named(m, p, (size_t)(end - p), temp)) {
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
static void plan_routing(sl_colmap *m, const sl_loadopts *lo)
{
	const sl_loadopt_val *v = lo->v;
	const sl_schema *sch = m->sch;
	const char *parts = v[SL_LO_PARTITIONS].text, *tparts = v[SL_LO_TEMPORARY_PARTITIONS].text;
	char bad[256];
	int gcm;

	note_opt(m, lo, SL_LO_GROUP_COMMIT);
	if (parts && tparts)
		sl_colmap_set_err(m, 0, SL_E_INVALID_ARGUMENT "Can not specify both partitions and temporary partitions");
	note_opt(m, lo, SL_LO_UNIQUE_KEY_UPDATE_MODE);
	note_opt(m, lo, SL_LO_PARTIAL_UPDATE_NEW_KEY_BEHAVIOR);
	/* group commit forbids a label of the client's where it applies */
	if ((gcm = sl_loadopt_group_commit(v)) != 0) {
		if (!v[SL_LO_LABEL_GENERATED].text)
			sl_colmap_set_err(m, 0, SL_E_INVALID_ARGUMENT SL_LO_GC_LABEL_MSG);
		else
			m->group_commit = gcm == SL_LO_GC_SYNC ? SL_COLMAP_GC_SYNC : SL_COLMAP_GC_ASYNC;
	}
	if (parts && !partitions_known(m, parts, 0, bad, sizeof bad))
		sl_colmap_set_err(m, 0, FE_ERR "partition %s is not found in table %s", bad, sch->name);
	if (tparts && !partitions_known(m, tparts, 1, bad, sizeof bad))
		sl_colmap_set_err(m, 0, FE_ERR "partition %s is not found in table %s", bad, sch->name);
	if (v[SL_LO_LOAD_TO_SINGLE_TABLET].i && !sch->dist_random)
		sl_colmap_set_err(m, 0, FE_ERR "if load_to_single_tablet set to true, the olap table must be with random distribution");
}

/* ---- the table's model ---- */

/* The options UPDATE_FLEXIBLE_COLUMNS cannot honour (Doris's BE refuses
 * them before planning, in this order). */
static void plan_flexible_opts(sl_colmap *m, const sl_loadopts *lo)
{
	static const int no[] = { SL_LO_COLUMNS, SL_LO_JSONPATHS, SL_LO_HIDDEN_COLUMNS, SL_LO_SEQUENCE_COL,
		SL_LO_MERGE_TYPE, SL_LO_WHERE };
	size_t i;

	if (strcasecmp(sl_loadopt_text(lo, SL_LO_FORMAT), "json"))
		sl_colmap_set_err(m, 0, SL_E_INVALID_ARGUMENT "flexible partial update only support json format as input file currently");
	if (lo->v[SL_LO_FUZZY_PARSE].i)
		sl_colmap_set_err(m, 0, SL_E_INVALID_ARGUMENT "Don't support flexible partial update when 'fuzzy_parse' is enabled");
	for (i = 0; i < SL_ARRAY_LEN(no); i++)
		if (lo->v[no[i]].text && *lo->v[no[i]].text)
			sl_colmap_set_err(m, 0, SL_E_INVALID_ARGUMENT "Don't support flexible partial update when '%s' is specified",
			    sl_loadopt_table[no[i]].name);
}

/* merge_type, delete, negative, the sequence column and the update mode:
 * the BE's checks of the headers, then the FE's against the table. */
static void plan_model(sl_colmap *m, const sl_loadopts *lo)
{
	const sl_loadopt_val *mt = &lo->v[SL_LO_MERGE_TYPE];
	const char *del = lo->v[SL_LO_DELETE].text, *seq = lo->v[SL_LO_SEQUENCE_COL].text;
	const sl_schema *sch = m->sch;
	int append = mt->state <= 0 || mt->i == 0;     /* APPEND is the first word */

	if (mt->state < 0)
		note_opt(m, lo, SL_LO_MERGE_TYPE);
	else if (!append && mt->i == 2 && !del)
		sl_colmap_set_err(m, 0, SL_E_INVALID_ARGUMENT "Excepted DELETE ON clause when merge type is MERGE.");
	else if (del && !(mt->state > 0 && mt->i == 2))
		sl_colmap_set_err(m, 0, SL_E_INVALID_ARGUMENT "Not support DELETE ON clause when merge type is not MERGE.");
	if (m->mode == SL_COLMAP_FLEXIBLE)
		plan_flexible_opts(m, lo);
	if (lo->v[SL_LO_NEGATIVE].i && !append)
		sl_colmap_set_err(m, 0, FE_ERR "Negative is only used when merge type is APPEND.");
	if (!append && sch->model != SL_MODEL_UNIQUE)
		sl_colmap_set_err(m, 0, FE_ERR "load by MERGE or DELETE is only supported in unique tables.");
	if (m->mode != SL_COLMAP_FLEXIBLE && sch->seq_col >= 0 && !seq && sch->seq_map < 0)
		sl_colmap_set_err(m, 0, FE_ERR "Table %s has sequence column, need to specify the sequence column", sch->name);
	if (sch->seq_col < 0 && seq)
		sl_colmap_set_err(m, 0, FE_ERR "There is no sequence column in the table %s", sch->name);
	if (m->mode != SL_COLMAP_UPSERT && !(sch->model == SL_MODEL_UNIQUE && sch->mow))
		sl_colmap_set_err(m, 0, FE_ERR "Only unique key merge on write support partial update");
}

/* function_column.sequence_col: the value of the source or derived name
 * it gives, as a derived expression (Doris adds
 * `__DORIS_SEQUENCE_COL__ = name` to the column list). 1, 0 a planning
 * error, -1 ENOMEM. */
static int plan_seq_expr(sl_colmap *m, const sl_loadopts *lo)
{
	const char *seq = lo->v[SL_LO_SEQUENCE_COL].text;
	const long sc = m->sch->seq_col;
	char text[256], err[256];
	sl_colmap_derived *d = &m->dvs[m->ndv];

	if (!seq || sc < 0 || m->err.set)
		return 1;
	if (strchr(seq, '`') || strlen(seq) > 200) {
		sl_colmap_set_err(m, 0, FE_ERR "Unknown column '%s' in 'table list'", seq);
		return 0;
	}
	snprintf(text, sizeof text, "`%s`", seq);
	if (!(d->e = sl_expr_parse(text, strlen(text), err, sizeof err))) {
		sl_colmap_set_err(m, 0, FE_ERR "Unknown column '%s' in 'table list'", seq);
		return 0;
	}
	if (!(d->name = strdup(m->sch->cols[sc].name))) {
		sl_expr_free(d->e);
		d->e = 0;
		return -1;
	}
	d->col = -1;
	m->seq_dv = (long)m->ndv++;
	return 1;
}

/* UPDATE_FIXED_COLUMNS: the columns `columns` gives are updated, every
 * key must be among them and no hidden column but the delete sign; all
 * visible ones given is a plain UPSERT (Doris). */
static void plan_fixed(sl_colmap *m, const sl_loadopts *lo)
{
	const sl_schema *sch = m->sch;
	int missing = 0;
	size_t i;

	if (!lo->v[SL_LO_COLUMNS].text) {
		m->mode = SL_COLMAP_UPSERT;
		return;
	}
	for (i = 0; i < sch->ncols; i++) {
		const sl_column *c = &sch->cols[i];
		int given = m->plan[i].how != SL_COLMAP_CONST;
		if (given && c->hidden && (long)i != sch->delete_sign) {
			sl_colmap_set_err(m, 0, FE_ERR "Partial update should not include invisible column except delete sign column: %s", c->name);
			return;
		}
		if (!given && c->is_key) {
			sl_colmap_set_err(m, 0, FE_ERR "Partial update should include all key columns, missing: %s", c->name);
			return;
		}
		missing |= !given && !c->hidden;
		m->plan[i].kept = !given && (long)i != sch->delete_sign;
	}
	if (!missing) {
		m->mode = SL_COLMAP_UPSERT;
		for (i = 0; i < sch->ncols; i++)
			m->plan[i].kept = 0;
	}
}

/* merge_type: DELETE: every row deletes its key. */
static void plan_delete_sign(sl_colmap *m, const sl_loadopts *lo)
{
	const sl_loadopt_val *mt = &lo->v[SL_LO_MERGE_TYPE];
	sl_colmap_col *t;

	if (m->sch->delete_sign < 0 || mt->state <= 0 || mt->i != 1)
		return;
	t = &m->plan[m->sch->delete_sign];
	t->how = SL_COLMAP_CONST;
	if (!sl_cast_text(&t->c->type, "1", 1, &t->cv))
		t->cv = SL_VALUE_NULL;
}

/* The sequence column's feed: its header's expression, else the table's
 * sequence_col (a copy of that column's final value: Doris maps the
 * sequence to it whenever the load gives it, or it defaults to
 * CURRENT_TIMESTAMP). */
static void plan_sequence(sl_colmap *m)
{
	const sl_schema *sch = m->sch;
	sl_colmap_col *t;

	if (sch->seq_col < 0)
		return;
	t = &m->plan[sch->seq_col];
	if (m->seq_dv >= 0) {
		t->how = SL_COLMAP_EXPR;
		t->idx = (size_t)m->seq_dv;
		t->kept = 0;
	} else if (sch->seq_map >= 0) {
		const sl_colmap_col *src = &m->plan[sch->seq_map];
		if (src->how != SL_COLMAP_CONST || src->c->default_kind == SL_DEFAULT_CURRENT_TIMESTAMP) {
			t->how = SL_COLMAP_COPY;
			t->idx = (size_t)sch->seq_map;
			t->kept = src->kept;
		} else if (m->mode != SL_COLMAP_FIXED)
			sl_colmap_set_err(m, 0, FE_ERR "Table %s has sequence column, need to specify the sequence column", sch->name);
	}
}

/* negative: true multiplies the SUM columns by -1; every value column
 * the load writes must be SUM (Doris). */
static void plan_negative(sl_colmap *m, const sl_loadopts *lo)
{
	size_t i;

	if (!lo->v[SL_LO_NEGATIVE].i)
		return;
	for (i = 0; i < m->sch->ncols; i++) {
		sl_colmap_col *t = &m->plan[i];
		if (t->kept || t->c->is_key)
			continue;
		if (t->c->agg != SL_AGG_SUM) {
			sl_colmap_set_err(m, 0, FE_ERR "Column is not SUM AggregateType. column:%s", t->c->name);
			return;
		}
		t->negate = t->how == SL_COLMAP_SRC || t->how == SL_COLMAP_EXPR;
	}
}

/* Does the text of e look like a function call, name(...)? */
static int is_call(const sl_expr *e)
{
	size_t n, i = 0;
	const char *p = sl_expr_text(e, &n);

	while (i < n && is_ident(p[i]))
		i++;
	while (i < n && is_blank(p[i]))
		i++;
	return i && i < n && p[i] == '(' && p[n - 1] == ')';
}

/* HLL and BITMAP columns take only a value of their own type: an HLL or
 * bitmap function in `columns` (Doris's planning errors otherwise). */
static void plan_sketch(sl_colmap *m, const sl_colmap_col *t)
{
	int kind = t->c->type.kind;
	const sl_expr *e = t->how == SL_COLMAP_EXPR ? m->dvs[t->idx].e : 0;
	const char *name = t->c->name;

	if ((kind != SL_T_HLL && kind != SL_T_BITMAP) || t->how == SL_COLMAP_CONST || (e && sl_expr_type(e).kind == kind))
		return;
	if (kind == SL_T_BITMAP)
		sl_colmap_set_err(m, 0, FE_ERR "bitmap column %s require the function return type is BITMAP", name);
	else if (e && is_call(e))
		sl_colmap_set_err(m, 0, FE_ERR "HLL column must use hll_hash function, like %s=hll_hash(xxx) or %s=hll_empty()", name, name);
	else
		sl_colmap_set_err(m, 0, FE_ERR "HLL column must use hll_hash function, like %s=hll_hash(xxx)", name);
}

int sl_colmap_plan(sl_colmap *m, const sl_schema *sch, const sl_loadopts *lo, const char *default_tz)
{
	const char *v;
	size_t i;
	int r;

	m->sch = sch;
	m->seq_dv = -1;
	m->mode = sl_colmap_mode(lo);
	if (!(m->plan = calloc(sch->ncols ? sch->ncols : 1, sizeof *m->plan)))
		return -1;
	for (i = 0; i < sch->ncols; i++)
		m->plan[i].c = &sch->cols[i];

	plan_routing(m, lo);
	note_opt(m, lo, SL_LO_STRICT_MODE);
	m->strict = (int)lo->v[SL_LO_STRICT_MODE].i;
	plan_model(m, lo);
	v = lo->v[SL_LO_TIMEZONE].text;
	if (!v)
		v = lo->v[SL_LO_TIME_ZONE].text;
	if (!v)         /* the seed's default, unless sl.conf names another */
		v = default_tz;
	if (v && !sl_tz_set(v))
		sl_colmap_set_err(m, 0, FE_ERR "Unknown or incorrect time zone: '%s'", v);
	m->now_us = wall_us();

	v = lo->v[SL_LO_PRECEDING_FILTER].text;
	if (lo->v[SL_LO_COLUMNS].text)
		r = plan_columns(m, lo, v);
	else if ((r = plan_positions(m, lo)) > 0 && (r = plan_seq_expr(m, lo)) > 0)
		r = plan_bind(m, v, NULL);
	if (r < 0)
		return -1;
	if (m->err.set)
		return 1;
	if (m->mode == SL_COLMAP_FIXED)
		plan_fixed(m, lo);
	plan_sequence(m);
	plan_negative(m, lo);
	for (i = 0; i < sch->ncols; i++)
		plan_sketch(m, &m->plan[i]);
	for (i = 0; i < sch->ncols; i++) {
		sl_colmap_col *t = &m->plan[i];
		const sl_type *ty = &sch->cols[i].type;
		if (t->how == SL_COLMAP_CONST && !column_default(m, &sch->cols[i], &t->cv) && !t->kept)
			sl_colmap_set_err(m, 0, FE_ERR "Column has no default value, column=%s", sch->cols[i].name);
		else if (t->how == SL_COLMAP_SRC)
			column_default(m, &sch->cols[i], &t->dflt);   /* a NOT NULL column without one: NULL, rejected per row */
		t->is_string = sl_type_is_string(ty);
		t->limited = ty->kind == SL_T_CHAR || ty->kind == SL_T_VARCHAR;
		t->fast_string = t->how == SL_COLMAP_SRC && t->is_string;
		t->always = sch->cols[i].is_key || (long)i == sch->delete_sign;
	}
	plan_delete_sign(m, lo);
	if (m->mode != SL_COLMAP_UPSERT && !(m->mask = malloc(sch->ncols + 1)))
		return -1;
	m->out = malloc((sch->ncols + 1) * sizeof *m->out);
	m->scope = malloc((m->nsrc + m->ndv + 1) * sizeof *m->scope);
	return m->out && m->scope ? 1 : -1;
}

/* ---- rows ---- */

/* Source fields joined by single spaces, NULL as NULL (Block::dump_one_line). */
static int src_spaces(sl_colmap *m, const sl_field *f)
{
	size_t i;

	sl_field t;

	m->src.len = 0;
	for (i = 0; i < m->nsrc; i++) {
		if (i && sl_buf_putc(&m->src, ' ') < 0)
			return -1;
		if (sl_colmap_src_text(m, f, i, &t) < 0)
			return -1;
		if (t.n >= SL_ABSENT_LEN ? sl_buf_put(&m->src, "NULL", 4) < 0 : sl_buf_put(&m->src, t.p, t.n) < 0)
			return -1;
	}
	return 0;
}

/* The derived values and the preceding filter. 1 go on, 2 unselected, -1. */
static int eval_row(sl_colmap *m, const sl_field *f)
{
	sl_eval_ctx ctx = { .arena = &m->arena, .now_us = m->now_us };
	size_t i, nsrc = m->nsrc;
	sl_value keep;

	sl_field t;

	sl_arena_reset(&m->arena);
	for (i = 0; i < nsrc; i++) {
		if (sl_colmap_src_text(m, f, i, &t) < 0)
			return -1;
		if (t.n >= SL_ABSENT_LEN)    /* NULL or absent */
			m->scope[i] = SL_VALUE_NULL;
		else {
			m->scope[i] = (sl_value){ .kind = SL_V_STRING, .tkind = SL_T_STRING };
			m->scope[i].u.s.p = t.p;
			m->scope[i].u.s.n = t.n;
		}
	}
	for (i = 0; i < m->ndv; i++)
		if (sl_expr_eval(m->dvs[i].e, m->scope, &ctx, &m->scope[nsrc + i]) < 0)
			return -1;
	if (!m->pre)
		return 1;
	if (sl_expr_eval(m->pre, m->scope, &ctx, &keep) < 0)
		return -1;
	if (sl_value_truth(&keep))
		return 1;
	m->pre_unselected++;
	return 2;
}

/* v times -1 (`negative`), in its column's type; NULL when the product
 * does not fit it (Doris casts the product back to the column). */
static void negate(sl_colmap *m, const sl_colmap_col *t, sl_value *v)
{
	sl_value n = *v;

	switch (v->kind) {
	case SL_V_INT:
		if (v->u.i == INT64_MIN) {
			n.kind = SL_V_LARGE;
			n.u.l = -(__int128)v->u.i;
		} else
			n.u.i = -v->u.i;
		break;
	case SL_V_LARGE:
	case SL_V_DECIMAL:
		n.u.l = (__int128)((unsigned __int128)0 - (unsigned __int128)v->u.l);
		break;
	case SL_V_DOUBLE:
		n.u.d = -v->u.d;
		break;
	default:
		return;
	}
	if (!sl_value_cast(&n, &t->c->type, &m->arena, v))
		*v = SL_VALUE_NULL;
}

/* A row of UPDATE_FLEXIBLE_COLUMNS without one of the keys: rejected. */
static int absent_key(sl_colmap *m, const sl_field *f, const sl_colmap_col *t)
{
	m->reason.len = 0;
	if (sl_buf_printf(&m->reason, "the key column %s is missing in a row of a flexible partial update", t->c->name) < 0)
		return -1;
	return src_spaces(m, f) < 0 ? -1 : 0;
}

/* A typed field of column t's very type decoded into v: 1; 0 when its
 * text must decide instead (a DECIMAL beyond its precision, which the
 * cast of the text refuses). */
static int typed_value(const sl_colmap_col *t, const sl_field *fl, sl_value *v)
{
	unsigned __int128 u;

	if (sl_value_decode(&t->c->type, fl->p, fl->n, v) < 0)
		return 0;
	if (t->c->type.kind != SL_T_DECIMAL)
		return 1;
	u = v->u.l < 0 ? 0 - (unsigned __int128)v->u.l : (unsigned __int128)v->u.l;
	return u < t->lim;
}

/* Conversion: casts, strict mode, NOT NULL, negative, the partial
 * update mask; the first failing column wins. A column the row does not
 * give (mask '0') may stay NULL. 1 converted, 0 rejected, -1 ENOMEM. */
static int convert(sl_colmap *m, const sl_field *f)
{
	const sl_type *srct = m->srct;
	size_t i;

	for (i = 0; i < m->sch->ncols; i++) {
		const sl_colmap_col *t = &m->plan[i];
		sl_value *v = &m->out[i];
		int failed = 0, kept = t->kept;

		if (srct)
			m->raw[i].p = NULL;
		switch (t->how) {
		case SL_COLMAP_SRC: {
			const sl_field *fl = &f[t->idx];
			sl_field tf;
			if (srct && fl->n < SL_ABSENT_LEN && srct[t->idx].kind != SL_T_NULL) {
				if (t->pass && typed_value(t, fl, v)) {
					if (!t->negate)
						m->raw[i] = *fl;
					break;
				}
				if (sl_colmap_src_text(m, f, t->idx, &tf) < 0)
					return -1;
				fl = &tf;
			}
			if (fl->n == SL_NULL_LEN) {
				*v = SL_VALUE_NULL;
			} else if (fl->n == SL_ABSENT_LEN) {
				*v = t->dflt;   /* a JSON key that is not there */
				if (m->mode == SL_COLMAP_FLEXIBLE) {
					if (t->c->is_key)
						return absent_key(m, f, t);
					kept = !t->always;
				}
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
		case SL_COLMAP_EXPR:
			if (!sl_value_cast(&m->scope[m->nsrc + t->idx], &t->c->type, &m->arena, v))
				*v = SL_VALUE_NULL;
			break;
		case SL_COLMAP_COPY:
			*v = m->out[t->idx];
			kept = m->mask && m->mask[t->idx] == '0';
			break;
		default:
			*v = t->cv;
		}
		if (t->negate && v->kind != SL_V_NULL)
			negate(m, t, v);
		if (m->mask)
			m->mask[i] = kept ? '0' : '1';
		if (v->kind != SL_V_NULL || kept)
			continue;
		m->reason.len = 0;
		if (failed && m->strict) {
			sl_field tf, *fl = &tf;
			if (sl_colmap_src_text(m, f, t->idx, &tf) < 0)
				return -1;
			if (sl_buf_printf(&m->reason, "column(%s) value is incorrect while strict mode is true, src value is %.*s",
			    t->c->name, (int)fl->n, fl->p) < 0)
				return -1;
		} else if (!t->c->nullable) {
			if (sl_buf_printf(&m->reason, "column(%s) values is null while columns is not nullable", t->c->name) < 0)
				return -1;
		} else
			continue;
		return src_spaces(m, f) < 0 ? -1 : 0;
	}
	return 1;
}

/* The sink: CHAR/VARCHAR length (bytes); non-strict truncates by
 * characters. 1 fits, 0 rejected, -1 ENOMEM. */
static int fit_lengths(sl_colmap *m)
{
	size_t i;

	for (i = 0; i < m->sch->ncols; i++) {
		const sl_type *t = &m->sch->cols[i].type;
		sl_value *v = &m->out[i];
		size_t len;

		if (v->kind != SL_V_STRING || !m->plan[i].limited)
			continue;
		len = (size_t)t->len;
		if (v->u.s.n <= len)
			continue;
		if (!m->strict) {
			/* cut to len characters; still too long in bytes -> rejected */
			v->u.s.n = sl_utf8_prefix(v->u.s.p, v->u.s.n, len);
			if (v->u.s.n <= len)
				continue;
		}
		m->reason.len = 0;
		m->src.len = 0;
		if (sl_buf_printf(&m->reason, "column_name[%s], the length of input is too long than schema. "
		    "first 32 bytes of input str: [%.*s] schema length: %zu; actual length: %zu; ",
		    m->sch->cols[i].name, (int)(v->u.s.n < 32 ? v->u.s.n : 32), v->u.s.p, len, v->u.s.n) < 0)
			return -1;
		return 0;
	}
	return 1;
}

int sl_colmap_row(sl_colmap *m, const sl_field *f)
{
	int r;

	if ((m->ndv || m->pre) && (r = eval_row(m, f)) != 1)
		return r;
	if ((r = convert(m, f)) != 1)
		return r;
	return fit_lengths(m);
}

/* a typed field's type: one of the kinds colfile.h's readers write */
static int typed_kind(const sl_type *t)
{
	switch (t->kind) {
	case SL_T_TINYINT: case SL_T_SMALLINT: case SL_T_INT: case SL_T_BIGINT: case SL_T_DECIMAL: case SL_T_DATE:
		return 1;
	default:
		return 0;
	}
}

static int same_type(const sl_type *a, const sl_type *b)
{
	return a->kind == b->kind && (a->kind != SL_T_DECIMAL || (a->prec == b->prec && a->scale == b->scale));
}

int sl_colmap_typed(sl_colmap *m, const sl_type *types, size_t n)
{
	size_t i, all = n > m->nsrc ? n : m->nsrc;

	for (i = 0; i < n; i++)
		if (!sl_type_is_string(&types[i]) && !typed_kind(&types[i]))
			return 0;
	if (m->srct)
		return 0;
	/* a row of another count is rejected whole, its fields shown as text */
	if (!(m->srct = calloc(all + 1, sizeof *m->srct)) || !(m->srctext = calloc(all + 1, sizeof *m->srctext)) ||
	    !(m->raw = calloc((m->sch ? m->sch->ncols : 0) + 1, sizeof *m->raw)))
		return -1;
	m->nsrct = all;
	for (i = 0; i < n; i++)
		if (typed_kind(&types[i]))
			m->srct[i] = types[i];
	for (i = 0; m->sch && i < m->sch->ncols; i++) {
		sl_colmap_col *t = &m->plan[i];
		int k;
		t->pass = t->how == SL_COLMAP_SRC && t->idx < n && m->srct[t->idx].kind != SL_T_NULL &&
			same_type(&m->srct[t->idx], &t->c->type);
		for (t->lim = 1, k = 0; t->pass && k < t->c->type.prec; k++)
			t->lim *= 10;
	}
	return 1;
}

int sl_colmap_src_text(sl_colmap *m, const sl_field *f, size_t i, sl_field *out)
{
	sl_buf *b;

	*out = f[i];
	if (!m->srct || i >= m->nsrct || f[i].n >= SL_ABSENT_LEN || m->srct[i].kind == SL_T_NULL)
		return 1;
	b = &m->srctext[i];
	b->len = 0;
	errno = 0;
	if (sl_colval_typed_text(b, m->srct[i].kind, m->srct[i].scale, f[i].p, f[i].n) < 0) {
		if (errno == EINVAL)
			errno = EPROTO;
		return -1;
	}
	out->p = b->p;
	out->n = (uint32_t)b->len;
	return 1;
}

void sl_colmap_free(sl_colmap *m)
{
	size_t i;

	if (m->own_srcs)
		for (i = 0; i < m->nsrc; i++)
			free(m->srcs[i]);
	for (i = 0; i < m->ndv; i++) {
		free(m->dvs[i].name);
		sl_expr_free(m->dvs[i].e);
	}
	sl_expr_free(m->pre);
	free(m->srcs);
	free(m->dvs);
	free(m->plan);
	free(m->mask);
	free(m->out);
	free(m->scope);
	sl_arena_free(&m->arena);
	sl_buf_free(&m->reason);
	sl_buf_free(&m->src);
	for (i = 0; m->srctext && i < m->nsrct; i++)
		sl_buf_free(&m->srctext[i]);
	free(m->srctext);
	free(m->srct);
	free(m->raw);
	memset(m, 0, sizeof *m);
}
