/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlpart.c -- the partition statements of the SQL engine: the initial
 * partitions of CREATE TABLE, SHOW CREATE TABLE's partition list, ALTER
 * TABLE ADD/DROP [TEMPORARY] PARTITION, TRUNCATE TABLE [PARTITION (...)],
 * SHOW [TEMPORARY] PARTITIONS, and the partitions a SELECT reads (its
 * PARTITION clause, else the ones its WHERE can match).
 *
 * A change is planned from the live partition list, then planned again
 * under the database lock (sl_part_change's check) against the list as
 * it is then: two ALTERs that raced see each other, and a plan that no
 * longer holds (a LESS THAN whose lower bound moved) is made again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl.h"
#include "io.h"
#include "types.h"
#include "schema.h"
#include "partition.h"
#include "store.h"
#include "auth.h"
#include "catalog.h"
#include "sql.h"
#include "sqlint.h"

/* Retries of a change whose plan went stale under the lock. */
#define PLAN_TRIES 10
/* The most partitions one TRUNCATE or SELECT PARTITION clause names. */
#define NAMES_MAX 4096

/* ---- the live list ---- */

/* A partitioned table the log has no partition of yet (created with
 * none: AUTO, or an empty list) lists the store's implicit partition
 * (values ""): it is none of the table's partitions. */
static int is_implicit(const sl_schema *sch, const sl_partinfo *p)
{
	return sch->part.kind != SL_PART_NONE && !p->values[0];
}

/* pi[0..n) without the implicit partition of a partitioned table: the
 * new count. */
static size_t drop_implicit(const sl_schema *sch, sl_partinfo *pi, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (is_implicit(sch, &pi[i])) {
			free(pi[i].values);
			continue;
		}
		pi[k++] = pi[i];
	}
	return k;
}

/* The live partitions of db.tbl with their rows and sizes (a snapshot
 * with the temporary partitions' files). 1, 0 no such table (errno), -1. */
static int counted_parts(sl_store *st, const char *db, const char *tbl, sl_partinfo **pi, size_t *n)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	int r = sl_snapshot_open_flags(st, db, tbl, SL_SNAP_TEMP, &snap);

	if (r <= 0)
		return r;
	*pi = snap.parts;
	*n = snap.nparts;
	snap.parts = 0;
	snap.nparts = 0;
	sl_snapshot_free(&snap);
	return 1;
}

/* The live partitions of db.tbl (counted: with their rows and sizes), and
 * decoded for sch when ps is given: 1, 0 (q set), -1. */
static int load_parts(stmt *s, const char *db, const char *tbl, const sl_schema *sch, int counted,
	sl_partinfo **pi, size_t *n, sl_partset **ps)
{
	char err[512] = "";
	int r = counted ? counted_parts(s->q->st, db, tbl, pi, n) : sl_part_list(s->q->st, db, tbl, pi, n);

	if (r == 0)
		return errno == ENOTDIR ? sl_sql_err_db(s->q, db) : sl_sql_err_table(s->q, tbl);
	if (r < 0)
		return sl_sql_syserr(s->q, "unable to read the table's partitions");
	if (sch)
		*n = drop_implicit(sch, *pi, *n);
	if (!ps)
		return 1;
	*ps = sl_partset_new(sch, *pi, *n, err, sizeof err);
	if (*ps)
		return 1;
	sl_partinfo_free(*pi, *n);
	*pi = 0;
	*n = 0;
	if (!err[0])
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "the stored partitions do not parse: %s", err);
}

static long find_live(const sl_partinfo *pi, size_t n, const char *name, int temp)
{
	for (size_t i = 0; i < n; i++)
		if (pi[i].temp == temp && !strcasecmp(pi[i].name, name))
			return (long)i;
	return -1;
}

/* ---- CREATE TABLE, SHOW CREATE TABLE ---- */

int sl_sqlpart_initial(stmt *s, const sl_schema *sch, sl_partinfo **parts, size_t *n)
{
	char err[512] = "";
	sl_partset *ps;
	sl_partinfo *out;
	size_t k;

	*parts = 0;
	*n = 0;
	if (sch->part.kind == SL_PART_NONE)
		return 1;
	if (!(ps = sl_partset_new(sch, NULL, 0, err, sizeof err)))
		return err[0] ? sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", err) : sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	for (size_t i = 0; i < sch->npart_clauses; i++) {
		const char *c = sch->part_clauses[i];
		size_t idx;
		int r = sl_partset_add_clause(ps, c, strlen(c), 0, &idx, err, sizeof err);
		if (r <= 0) {
			sl_partset_free(ps);
			return r < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_OOM) : sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", err);
		}
	}
	k = sl_partset_n(ps);
	if (!(out = calloc(k + 1, sizeof *out))) {
		sl_partset_free(ps);
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	}
	for (size_t i = 0; i < k; i++) {
		const sl_partinfo *p = sl_partset_get(ps, i);
		snprintf(out[i].name, sizeof out[i].name, "%s", p->name);
		if (!(out[i].values = strdup(p->values))) {
			sl_partinfo_free(out, i);
			sl_partset_free(ps);
			return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		}
	}
	sl_partset_free(ps);
	*parts = out;
	*n = k;
	return 1;
}

int sl_sqlpart_render(stmt *s, const char *db, const char *tbl, const sl_schema *sch, char **ddl)
{
	sl_partinfo *pi = 0;
	sl_partset *ps = 0;
	size_t n = 0;
	int r;

	if (sch->part.kind == SL_PART_NONE)
		*ddl = sl_schema_render(sch);
	else {
		if ((r = load_parts(s, db, tbl, sch, 0, &pi, &n, &ps)) <= 0)
			return r;
		*ddl = sl_schema_render_parts(sch, ps);
		sl_partset_free(ps);
		sl_partinfo_free(pi, n);
	}
	return *ddl ? 1 : sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
}

/* ---- changes: ALTER TABLE ADD/DROP PARTITION, TRUNCATE TABLE ---- */

enum { PLAN_ADD = 1, PLAN_DROP, PLAN_TRUNCATE };

/* The ops of one change; names and values owned. */
typedef struct opset { sl_partop *ops; size_t n, cap; } opset;

typedef struct plan {
	stmt *s;
	const sl_schema *sch;
	const char *tbl;
	int kind, temp, ifx;
	const char *clause; size_t nclause;     /* ADD: "PARTITION ..." */
	char name[SL_SQL_NAME_MAX];             /* ADD, DROP */
	char **names; size_t nnames;            /* TRUNCATE's list; 0 the table */
	opset want;                             /* what the first plan asked */
	int stale, sysfail;
	int code; char err[512];                /* a refused plan */
} plan;

static void opset_free(opset *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free((char *)o->ops[i].name);
		free((char *)o->ops[i].values);
	}
	free(o->ops);
	memset(o, 0, sizeof *o);
}

static int opset_add(opset *o, int drop, const char *name, int temp, const char *values)
{
	sl_partop *op;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8;
		sl_partop *p = realloc(o->ops, cap * sizeof *p);
		if (!p)
			return -1;
		o->ops = p;
		o->cap = cap;
	}
	op = &o->ops[o->n];
	memset(op, 0, sizeof *op);
	op->drop = drop;
	op->temp = temp;
	if (!(op->name = strdup(name)) || (values && !(op->values = strdup(values)))) {
		free((char *)op->name);
		return -1;
	}
	o->n++;
	return 1;
}

static int opset_eq(const opset *a, const opset *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const sl_partop *x = &a->ops[i], *y = &b->ops[i];
		if (x->drop != y->drop || x->temp != y->temp || strcasecmp(x->name, y->name) ||
		    !x->values != !y->values || (x->values && strcmp(x->values, y->values)))
			return 0;
	}
	return 1;
}

/* A refused plan: Doris's code and message. 0. */
__attribute__((format(printf, 3, 4)))
static int refuse(plan *P, int code, const char *fmt, ...)
{
	va_list ap;

	P->code = code;
	va_start(ap, fmt);
	vsnprintf(P->err, sizeof P->err, fmt, ap);
	va_end(ap);
	return 0;
}

static int not_partitioned(plan *P)
{
	return refuse(P, SL_SQL_ER_UNKNOWN, "Alter table [%s] failed. Not a partitioned table", P->tbl);
}

static int plan_add(plan *P, const sl_partinfo *live, size_t n, opset *o)
{
	char err[512] = "";
	sl_partset *ps;
	size_t idx;
	int r;

	if (P->sch->part.kind == SL_PART_NONE)
		return not_partitioned(P);
	if (P->ifx && find_live(live, n, P->name, P->temp) >= 0)
		return 1;
	if (!(ps = sl_partset_new(P->sch, live, n, err, sizeof err)))
		return err[0] ? refuse(P, SL_SQL_ER_UNKNOWN, "the stored partitions do not parse: %s", err) : -1;
	r = sl_partset_add_clause(ps, P->clause, P->nclause, P->temp, &idx, err, sizeof err);
	if (r > 0) {
		const sl_partinfo *p = sl_partset_get(ps, idx);
		r = opset_add(o, 0, p->name, P->temp, p->values);
	} else if (r == 0)
		refuse(P, SL_SQL_ER_UNKNOWN, "%s", err);
	sl_partset_free(ps);
	return r;
}

static int plan_drop(plan *P, const sl_partinfo *live, size_t n, opset *o)
{
	long i = find_live(live, n, P->name, P->temp);

	if (i < 0)
		return P->ifx ? 1 : refuse(P, SL_SQL_ER_DROP_PARTITION_NON_EXISTENT, "Error in list of partitions to %s", P->name);
	if (P->sch->part.kind == SL_PART_NONE)
		return not_partitioned(P);
	return opset_add(o, 1, live[i].name, P->temp, NULL);
}

/* Drop and add again (same name, temp and values: a new id, no files). */
static int renew(opset *o, const sl_partinfo *p)
{
	if (opset_add(o, 1, p->name, p->temp, NULL) < 0)
		return -1;
	return p->temp ? 1 : opset_add(o, 0, p->name, 0, p->values);
}

static int plan_truncate(plan *P, const sl_partinfo *live, size_t n, opset *o)
{
	if (!P->nnames) {
		/* the whole table: every formal partition emptied, the temporary
		 * ones dropped (as Doris does) */
		for (size_t i = 0; i < n; i++)
			if (renew(o, &live[i]) < 0)
				return -1;
		return 1;
	}
	for (size_t k = 0; k < P->nnames; k++) {
		long i = find_live(live, n, P->names[k], 0);
		int seen = 0;
		if (i < 0)
			return refuse(P, SL_SQL_ER_UNKNOWN, "Partition %s does not exist", P->names[k]);
		for (size_t j = 0; j < k; j++)
			seen |= !strcasecmp(P->names[j], P->names[k]);
		if (!seen && renew(o, &live[i]) < 0)
			return -1;
	}
	return 1;
}

/* The ops for the live list: 1 (o filled; maybe empty: nothing to do),
 * 0 refused (P->code, P->err), -1 errno. */
static int plan_build(plan *P, const sl_partinfo *raw, size_t nraw, opset *o)
{
	sl_partinfo *live = calloc(nraw + 1, sizeof *live);
	size_t n = 0;
	int r = 1;

	P->code = 0;
	memset(o, 0, sizeof *o);
	if (!live)
		return -1;
	/* the implicit partition of a partitioned table goes with its first
	 * partition (the store takes no partition beside it) */
	for (size_t i = 0; r > 0 && i < nraw; i++)
		if (!is_implicit(P->sch, &raw[i]))
			live[n++] = raw[i];
		else if (P->kind == PLAN_ADD)
			r = opset_add(o, 1, raw[i].name, 0, NULL);
	if (r > 0)
		r = P->kind == PLAN_ADD ? plan_add(P, live, n, o) : P->kind == PLAN_DROP ? plan_drop(P, live, n, o)
			: plan_truncate(P, live, n, o);
	/* nothing added: nothing to do */
	if (r > 0 && P->kind == PLAN_ADD && o->n == 1 && o->ops[0].drop)
		opset_free(o);
	free(live);
	if (r <= 0)
		opset_free(o);
	return r < 0 ? -1 : r;
}

/* sl_part_change's check, under the database lock: the plan made again
 * must be the one asked for. */
static int plan_check(void *ctx, const sl_partinfo *live, size_t n, char *err, size_t errcap)
{
	plan *P = ctx;
	opset o;
	int r = plan_build(P, live, n, &o);

	if (r < 0) {
		P->sysfail = 1;
		snprintf(err, errcap, "%s", strerror(errno));
		return 0;
	}
	if (r == 0) {
		snprintf(err, errcap, "%s", P->err);
		return 0;
	}
	r = opset_eq(&o, &P->want);
	opset_free(&o);
	if (!r) {
		P->stale = 1;
		snprintf(err, errcap, "the table's partitions changed");
	}
	return r;
}

/* Plan, then apply under the lock; again while the plan goes stale. */
static int plan_run(plan *P, const char *db)
{
	sl_sql *q = P->s->q;
	char err[512];

	for (int t = 0; t < PLAN_TRIES; t++) {
		sl_partinfo *pi = 0;
		size_t n = 0;
		int r = load_parts(P->s, db, P->tbl, NULL, 0, &pi, &n, NULL);

		if (r <= 0)
			return r;
		r = plan_build(P, pi, n, &P->want);
		sl_partinfo_free(pi, n);
		if (r < 0)
			return sl_sql_syserr(q, SL_SQL_MSG_OOM);
		if (r == 0)
			return sl_sql_err(q, P->code, "HY000", "%s", P->err);
		if (!P->want.n)
			return 1;
		P->stale = P->sysfail = 0;
		err[0] = 0;
		r = sl_part_change(q->st, db, P->tbl, P->want.ops, P->want.n, plan_check, P, err, sizeof err);
		opset_free(&P->want);
		if (r > 0)
			return 1;
		if (r < 0 && (errno == ENOENT || errno == ENOTDIR))
			return errno == ENOTDIR ? sl_sql_err_db(q, db) : sl_sql_err_table(q, P->tbl);
		if (r < 0)
			return sl_sql_syserr(q, errno == EFBIG ? "too many partitions in one change" : "unable to change the partitions");
		if (P->sysfail)
			return sl_sql_syserr(q, "unable to check the partitions");
		if (P->stale)
			continue;
		if (P->code)
			return sl_sql_err(q, P->code, "HY000", "%s", P->err);
		/* the store refused what the check let through */
		return sl_sql_err(q, SL_SQL_ER_UNKNOWN, "HY000", "%s", err[0] ? err : "the partition change was refused");
	}
	return sl_sql_err(q, SL_SQL_ER_UNKNOWN, "HY000", "the partitions of table %s kept changing; try again", P->tbl);
}

/* The rest of the statement from the current token, skipped: where its
 * last token ends. 1, 0 (lexical error). */
static int rest_of_stmt(stmt *s, size_t *end)
{
	*end = s->lx.tok.pos;
	while (s->lx.tok.kind != SL_TOK_EOF && !sl_sql_op(s, ";")) {
		*end = s->lx.tok.pos + s->lx.tok.n;
		if (!sl_sql_advance(s))
			return 0;
	}
	return sl_sql_expect_end(s);
}

/* {ADD | DROP} [TEMPORARY] PARTITION [IF [NOT] EXISTS] p (at ADD or
 * DROP): *start where PARTITION is. 1, 0. */
static int parse_head(stmt *s, plan *P, int kind, size_t *start)
{
	P->kind = kind;
	if (!sl_sql_advance(s))
		return 0;
	if (sl_sql_kw(s, "TEMPORARY")) {
		P->temp = 1;
		if (!sl_sql_advance(s))
			return 0;
	}
	if (!sl_sql_kw(s, "PARTITION"))
		return sl_sql_syntax(s);
	*start = s->lx.tok.pos;
	return sl_sql_advance(s) && sl_sql_if_exists(s, kind == PLAN_ADD, &P->ifx) &&
		sl_sql_ident(s, P->name, sizeof P->name);
}

/* ADD [TEMPORARY] PARTITION [IF NOT EXISTS] p VALUES ...: the clause is
 * the text from PARTITION on, for sl_partset_add_clause. */
static int parse_add(stmt *s, plan *P)
{
	size_t start, end;

	if (!parse_head(s, P, PLAN_ADD, &start))
		return 0;
	if (!sl_sql_kw(s, "VALUES"))
		return sl_sql_syntax(s);
	if (!rest_of_stmt(s, &end))
		return 0;
	P->clause = s->src + start;
	P->nclause = end - start;
	return 1;
}

/* DROP [TEMPORARY] PARTITION [IF EXISTS] p [FORCE] */
static int parse_drop(stmt *s, plan *P)
{
	size_t start;

	if (!parse_head(s, P, PLAN_DROP, &start))
		return 0;
	if (sl_sql_kw(s, "FORCE") && !sl_sql_advance(s))
		return 0;
	return sl_sql_expect_end(s);
}

static void plan_free(plan *P)
{
	sl_strv_free(P->names, P->nnames);
	opset_free(&P->want);
}

/* Privilege, schema, then the change. */
static int change(stmt *s, plan *P, const char *cmd, int need, const char *db)
{
	sl_schema sch;
	int r;

	if ((r = sl_sqlauth_need_table(s, cmd, db, P->tbl, need, 0)) <= 0 ||
	    (r = sl_sql_load_schema(s->q, db, P->tbl, &sch)) <= 0)
		return r;
	P->sch = &sch;
	r = plan_run(P, db);
	sl_schema_free(&sch);
	return r;
}

/* A plan of kind over [db.]tbl (the statement's table, read here). 1, 0. */
static int plan_start(stmt *s, plan *P, int kind, char *db, char *tbl)
{
	memset(P, 0, sizeof *P);
	P->s = s;
	P->tbl = tbl;
	P->kind = kind;
	return sl_sql_table_ref(s, db, tbl);
}

int sl_sqlpart_alter(stmt *s)
{
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];
	plan P;
	int r;

	if (!sl_sql_expect_kw(s, "TABLE") || !plan_start(s, &P, 0, db, tbl))
		return 0;
	if (sl_sql_kw(s, "ADD"))
		r = parse_add(s, &P);
	else if (sl_sql_kw(s, "DROP"))
		r = parse_drop(s, &P);
	else {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000",
			"ALTER TABLE other than ADD or DROP [TEMPORARY] PARTITION is not supported yet (at position %zu)", sl_sql_pos(s));
	}
	if (r > 0)
		r = change(s, &P, "ALTER", SL_PRIV_ALTER, db);
	plan_free(&P);
	return r;
}

/* ( name [, name ...] ) or a single name, into a list. 1, 0, -1. */
static int name_list(stmt *s, char ***v, size_t *n)
{
	int paren = sl_sql_op(s, "(");
	char name[SL_SQL_NAME_MAX];

	if (paren && !sl_sql_advance(s))
		return 0;
	for (;;) {
		char **p;
		if (!sl_sql_ident(s, name, sizeof name))
			return 0;
		if (*n >= NAMES_MAX) {
			s->failed = 1;
			return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "more than %d partitions named", NAMES_MAX);
		}
		if (!(p = realloc(*v, (*n + 2) * sizeof *p)))
			return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		*v = p;
		if (!(p[*n] = strdup(name)))
			return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		++*n;
		if (!paren || !sl_sql_op(s, ","))
			break;
		if (!sl_sql_advance(s))
			return 0;
	}
	return paren ? sl_sql_expect_op(s, ")") : 1;
}

int sl_sqlpart_truncate(stmt *s)
{
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];
	plan P;
	int r = 1;

	if (sl_sql_kw(s, "TABLE") && !sl_sql_advance(s))
		return 0;
	if (!plan_start(s, &P, PLAN_TRUNCATE, db, tbl))
		return 0;
	if (sl_sql_kw(s, "PARTITION") || sl_sql_kw(s, "PARTITIONS"))
		r = sl_sql_advance(s) ? name_list(s, &P.names, &P.nnames) : 0;
	if (r > 0)
		r = sl_sql_expect_end(s);
	if (r > 0)
		r = change(s, &P, "LOAD", SL_PRIV_LOAD, db);
	plan_free(&P);
	return r;
}

int sl_sqlpart_names(stmt *s, char ***names, size_t *n)
{
	*names = 0;
	*n = 0;
	return name_list(s, names, n);
}

/* ---- SHOW [TEMPORARY] PARTITIONS ---- */

static const char *const show_cols[] = {
	"PartitionId", "PartitionName", "VisibleVersion", "VisibleVersionTime", "State",
	"PartitionKey", "Range", "DistributionKey", "Buckets", "ReplicationNum", "StorageMedium",
	"CooldownTime", "RemoteStoragePolicy", "LastConsistencyCheckTime", "DataSize", "IsInMemory",
	"ReplicaAllocation", "IsMutable", "SyncWithBaseTables", "UnsyncTables", "CommittedVersion",
	"RowCount"
};
#define SHOW_NCOLS (sizeof show_cols / sizeof show_cols[0])

/* The text fields of a SHOW PARTITIONS row that are the table's. */
typedef struct show_ctx {
	const sl_schema *sch;
	sl_buf keys, dist;
	char buckets[24];
} show_ctx;

static int join_names(sl_buf *b, const sl_schema *sch, const long *idx, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *nm = idx ? sch->cols[idx[i]].name : names[i];
		if ((i && sl_buf_puts(b, ", ") < 0) || sl_buf_puts(b, nm) < 0)
			return -1;
	}
	return sl_buf_cstr(b);
}

/* Doris's DataSize: the value scaled to its unit, three decimals. */
static void data_size(uint64_t bytes, char *out, size_t cap)
{
	static const char *const units[] = { "", "KB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		u++;
	}
	snprintf(out, cap, "%.3f %s", v, units[u]);
}

static int show_row(stmt *s, show_ctx *C, const sl_partset *ps, size_t i, const sl_partinfo *p)
{
	char id[24], ver[24], rows[24], tm[32], size[40];
	sl_buf range = { 0 };
	sl_value v[SHOW_NCOLS];
	int r;

	if (ps && sl_partset_range_text(ps, i, &range) < 0)
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	if (sl_buf_cstr(&range) < 0) {
		sl_buf_free(&range);
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	}
	snprintf(id, sizeof id, "%lld", (long long)p->id);
	snprintf(ver, sizeof ver, "%lld", (long long)p->version);
	snprintf(rows, sizeof rows, "%llu", (unsigned long long)p->rows);
	data_size(p->bytes, size, sizeof size);
	for (size_t k = 0; k < SHOW_NCOLS; k++)
		v[k] = SL_VALUE_NULL;
	v[0] = sl_sql_vstr(id);
	v[1] = sl_sql_vstr(p->name);
	v[2] = sl_sql_vstr(ver);
	if (p->version_ms > 0) {
		time_t t = (time_t)(p->version_ms / 1000);
		struct tm tmv;
		strftime(tm, sizeof tm, "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tmv));
		v[3] = sl_sql_vstr(tm);
	}
	v[4] = sl_sql_vstr("NORMAL");
	v[5] = sl_sql_vstr(C->keys.p);
	v[6] = sl_sql_vstr(range.p);
	v[7] = sl_sql_vstr(C->dist.p);
	v[8] = sl_sql_vstr(C->buckets);
	v[9] = sl_sql_vstr("1");
	v[10] = sl_sql_vstr("HDD");
	v[11] = sl_sql_vstr("9999-12-31 23:59:59");
	v[12] = sl_sql_vstr("");
	v[14] = sl_sql_vstr(size);
	v[15] = sl_sql_vstr("false");
	v[16] = sl_sql_vstr("tag.location.default: 1");
	v[17] = sl_sql_vstr("true");
	v[18] = sl_sql_vstr("true");
	v[20] = sl_sql_vstr(ver);
	v[21] = sl_sql_vstr(rows);
	r = sl_sql_sink_row(s->sink, SHOW_NCOLS, v) < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : 1;
	sl_buf_free(&range);
	return r;
}

static int show_ctx_init(show_ctx *C, const sl_schema *sch)
{
	memset(C, 0, sizeof *C);
	C->sch = sch;
	if (join_names(&C->keys, sch, sch->part.cols, NULL, sch->part.ncols) < 0)
		return -1;
	if (sch->dist_random ? sl_buf_puts(&C->dist, "RANDOM") < 0 || sl_buf_cstr(&C->dist) < 0
	    : join_names(&C->dist, sch, NULL, sch->dist_cols, sch->ndist_cols) < 0)
		return -1;
	/* BUCKETS AUTO: the store has one bucket */
	snprintf(C->buckets, sizeof C->buckets, "%d", sch->buckets > 0 ? sch->buckets : 1);
	return 1;
}

static int order_cmp(const void *a, const void *b, void *ps)
{
	return sl_partset_cmp(ps, *(const size_t *)a, *(const size_t *)b);
}

/* Doris's order: RANGE partitions by range, the others by id (the list's
 * order). */
static int show_rows(stmt *s, show_ctx *C, const sl_partset *ps, const sl_partinfo *pi, size_t n, int temp)
{
	size_t *ord, k = 0;
	int r = 1;

	if (!ps) {
		for (size_t i = 0; r > 0 && i < n; i++)
			if (pi[i].temp == temp)
				r = show_row(s, C, NULL, i, &pi[i]);
		return r;
	}
	if (!(ord = calloc(sl_partset_n(ps) + 1, sizeof *ord)))
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	for (size_t i = 0; i < sl_partset_n(ps); i++)
		if (sl_partset_get(ps, i)->temp == temp)
			ord[k++] = i;
	qsort_r(ord, k, sizeof *ord, order_cmp, (void *)ps);
	for (size_t i = 0; r > 0 && i < k; i++)
		r = show_row(s, C, ps, ord[i], sl_partset_get(ps, ord[i]));
	free(ord);
	return r;
}

int sl_sqlpart_show(stmt *s, int temp)
{
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];
	sl_partinfo *pi = 0;
	sl_partset *ps = 0;
	sl_schema sch;
	show_ctx C;
	size_t n = 0;
	int r;

	if (!sl_sql_advance(s))
		return 0;
	if (!sl_sql_kw(s, "FROM") && !sl_sql_kw(s, "IN"))
		return sl_sql_syntax(s);
	if (!sl_sql_advance(s) || !sl_sql_table_ref(s, db, tbl) || !sl_sql_expect_end(s))
		return 0;
	if ((r = sl_sqlauth_need_table(s, "SHOW PARTITIONS", db, tbl, SL_PRIV_ALL, 1)) <= 0 ||
	    (r = sl_sql_load_schema(s->q, db, tbl, &sch)) <= 0)
		return r;
	r = load_parts(s, db, tbl, &sch, 1, &pi, &n, sch.part.kind == SL_PART_NONE ? NULL : &ps);
	if (r > 0 && show_ctx_init(&C, &sch) < 0)
		r = sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	else if (r > 0) {
		if (sl_sql_begin_typed(s->sink, SHOW_NCOLS, show_cols, NULL) < 0)
			r = sl_sql_syserr(s->q, SL_SQL_MSG_WRITE);
		if (r > 0)
			r = show_rows(s, &C, ps, pi, n, temp);
		if (r > 0 && sl_sql_sink_end(s->sink) < 0)
			r = sl_sql_syserr(s->q, SL_SQL_MSG_WRITE);
		sl_buf_free(&C.keys);
		sl_buf_free(&C.dist);
	}
	sl_partset_free(ps);
	sl_partinfo_free(pi, n);
	sl_schema_free(&sch);
	return r;
}

/* ---- SELECT ---- */

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int sl_sqlpart_select(stmt *s, const sl_selpart *sp, int64_t **ids, size_t *nids)
{
	sl_partinfo *pi = 0;
	sl_partset *ps = 0;
	unsigned char *keep = 0;
	size_t n = 0, k = 0;
	int r, all = !sp->nnames;

	*ids = 0;
	*nids = 0;
	r = load_parts(s, sp->db, sp->tbl, sp->sch, 0, &pi, &n, all ? &ps : NULL);
	if (r <= 0)
		return r;
	if (!(*ids = calloc(n + 1, sizeof **ids)) || (all && !(keep = calloc(n + 1, 1)))) {
		r = sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		goto out;
	}
	if (all) {
		/* the formal partitions the WHERE can match */
		if (sl_partset_prune(ps, sp->where, keep) < 0) {
			r = sl_sql_syserr(s->q, "unable to prune the partitions");
			goto out;
		}
		for (size_t i = 0; i < sl_partset_n(ps); i++)
			if (keep[i] && !sl_partset_get(ps, i)->temp)
				(*ids)[k++] = sl_partset_get(ps, i)->id;
	}
	for (size_t j = 0; j < sp->nnames; j++) {
		long i = find_live(pi, n, sp->names[j], sp->temp);
		int seen = 0;
		if (i < 0) {
			r = sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "Partition: %s is not exists on table %s",
				sp->names[j], sp->shown);
			goto out;
		}
		for (size_t m = 0; m < k; m++)
			seen |= (*ids)[m] == pi[i].id;
		if (!seen)
			(*ids)[k++] = pi[i].id;
	}
	if (k > 1)
		qsort(*ids, k, sizeof **ids, id_cmp);
	*nids = k;
out:
	if (r <= 0) {
		free(*ids);
		*ids = 0;
	}
	free(keep);
	sl_partset_free(ps);
	sl_partinfo_free(pi, n);
	return r;
}
