/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlload.c -- the statements over the loads of a database: SHOW STREAM
 * LOAD lists the load record (record.h), filtered, sorted and paged in
 * memory (it is bounded by stream_load_record_max); SHOW LOAD answers in
 * Doris's job columns, from the record and, for one label, from the
 * transaction log (which knows every label in use). A user sees only the
 * loads of tables they hold some privilege on. The job state names come
 * from result.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl.h"
#include "types.h"
#include "store.h"
#include "auth.h"
#include "record.h"
#include "result.h"
#include "jobstate.h"
#include "status.h"
#include "sql.h"
#include "sqlint.h"

/* Column col of a record as a value (text in tmp when it must be formatted). */
static sl_value rec_value(const sl_load_record *r, size_t col, char *tmp, size_t cap)
{
	const char *text = "";
	int64_t num = 0;

	if (sl_record_field(r, col, &text, &num, tmp, cap))
		return sl_sql_vint(num);
	return sl_sql_vstr(text);
}

/* SQL LIKE: % any run, _ one byte; case-sensitive as labels are. Greedy
 * with one backtrack point (the last %): O(len(s) * len(p)), never
 * exponential whatever the pattern. */
static int like(const char *s, const char *p)
{
	const char *star = 0, *resume = 0;

	while (*s) {
		if (*p == '%') {
			star = p++;
			resume = s;
		} else if (*p && (*p == '_' || *p == *s)) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else
			return 0;
	}
	while (*p == '%')
		p++;
	return !*p;
}

#define SLOAD_WHERE "Where clause should looks like: LABEL = \"your_load_label\", or LABEL LIKE \"matcher\", " \
	" or STATUS = \"SUCCESS|FAIL\", or compound predicate with operator AND"
#define LOAD_WHERE "Where clause should looks like: LABEL = \"your_load_label\", or LABEL LIKE \"matcher\", " \
	" or STATE = \"PENDING|ETL|LOADING|FINISHED|CANCELLED|\", or compound predicate with operator AND"

/* [FROM db] [WHERE LABEL = 'x' | LABEL LIKE 'p' | STATUS = 's' [AND ...]]
 * of SHOW STREAM LOAD; SHOW LOAD says STATE instead of STATUS. */
typedef struct lwhere {
	char db[SL_SQL_NAME_MAX], label[256], pat[256], status[32];
	int by_label, by_pat;
} lwhere;

static int load_where(stmt *s, lwhere *w, int show_load)
{
	static const char *const states[] = { "SUCCESS", "FAIL", "PENDING", "ETL", SL_JOB_LOADING, SL_JOB_FINISHED,
		SL_JOB_CANCELLED };
	size_t k;

	memset(w, 0, sizeof *w);
	if (sl_sql_kw(s, "FROM") || sl_sql_kw(s, "IN")) {
		if (!sl_sql_advance(s) || !sl_sql_ident(s, w->db, sizeof w->db))
			return 0;
	} else if (s->q->db)
		snprintf(w->db, sizeof w->db, "%s", s->q->db);
	if (!sl_sql_kw(s, "WHERE"))
		return 1;
	if (!sl_sql_advance(s))
		return 0;
	for (;;) {
		if (sl_sql_kw(s, "LABEL")) {
			if (!sl_sql_advance(s))
				return 0;
			if (sl_sql_op(s, "=")) {
				if (!sl_sql_advance(s) || !sl_sql_str_arg(s, w->label, sizeof w->label, "the label"))
					return 0;
				w->by_label = 1;
			} else if (sl_sql_kw(s, "LIKE")) {
				if (!sl_sql_advance(s) || !sl_sql_str_arg(s, w->pat, sizeof w->pat, "the pattern"))
					return 0;
				w->by_pat = 1;
			} else
				goto bad;
		} else if (sl_sql_kw(s, show_load ? "STATE" : "STATUS")) {
			if (!sl_sql_advance(s) || !sl_sql_op(s, "=") || !sl_sql_advance(s))
				return 0;
			if (!sl_sql_str_arg(s, w->status, sizeof w->status, "the status"))
				return 0;
			for (k = show_load ? 2 : 0; k < (show_load ? SL_ARRAY_LEN(states) : 2); k++)
				if (!strcasecmp(w->status, states[k]))
					break;
			if (k == (show_load ? SL_ARRAY_LEN(states) : 2))
				goto bad;
		} else
			goto bad;
		if (!sl_sql_kw(s, "AND"))
			return 1;
		if (!sl_sql_advance(s))
			return 0;
	}
bad:
	if (!s->failed) {
		s->failed = 1;
		sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", show_load ? LOAD_WHERE : SLOAD_WHERE);
	}
	return 0;
}

/* ---- SHOW STREAM LOAD ---- */

typedef struct sload_key { size_t col; int desc; } sload_key;
typedef struct sload_sort { const sload_key *keys; size_t nkeys; const sl_load_record *recs; } sload_sort;

static int sload_cmp(const void *a, const void *b, void *arg)
{
	const sload_sort *S = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;

	for (size_t k = 0; k < S->nkeys; k++) {
		int c = sl_record_cmp(&S->recs[ia], &S->recs[ib], S->keys[k].col);
		if (c)
			return S->keys[k].desc ? -c : c;
	}
	return ia < ib ? -1 : ia > ib;  /* stable: record order */
}

/* [ORDER BY col [ASC|DESC], ...]: the first SL_RECORD_NCOLS keys count. */
static int sload_order(stmt *s, sload_key *keys, size_t *nkeys)
{
	*nkeys = 0;
	if (!sl_sql_kw(s, "ORDER"))
		return 1;
	if (!sl_sql_advance(s) || !sl_sql_expect_kw(s, "BY"))
		return 0;
	for (;;) {
		char col[SL_SQL_NAME_MAX];
		int c;
		if (!sl_sql_ident(s, col, sizeof col))
			return 0;
		if ((c = sl_record_col(col)) < 0) {
			s->failed = 1;
			return sl_sql_err(s->q, SL_SQL_ER_BAD_FIELD, "42S22", "Unknown column '%s' in 'order clause'", col);
		}
		if (*nkeys < SL_RECORD_NCOLS) {
			keys[*nkeys].col = (size_t)c;
			keys[*nkeys].desc = 0;
		}
		if (sl_sql_kw(s, "DESC") || sl_sql_kw(s, "ASC")) {
			if (*nkeys < SL_RECORD_NCOLS)
				keys[*nkeys].desc = sl_sql_kw(s, "DESC");
			if (!sl_sql_advance(s))
				return 0;
		}
		if (*nkeys < SL_RECORD_NCOLS)
			(*nkeys)++;
		if (!sl_sql_op(s, ","))
			return 1;
		if (!sl_sql_advance(s))
			return 0;
	}
}

/* The indexes of the records of w.db that w selects and the user may see,
 * into idx (n of them): their count, or -1 (q set). */
static long sload_select(stmt *s, const lwhere *w, const sl_load_record *recs, size_t n, size_t *idx)
{
	size_t nsel = 0;
	int r;

	for (size_t i = 0; i < n; i++) {
		if ((w->by_label && strcmp(recs[i].label, w->label)) || (w->by_pat && !like(recs[i].label, w->pat)) ||
		    (w->status[0] && strcasecmp(recs[i].status, w->status)))
			continue;
		/* only the loads of tables the user holds some privilege on */
		if ((r = sl_sqlauth_may(s, w->db, recs[i].table, SL_PRIV_ALL, 1)) < 0)
			return -1;
		if (r)
			idx[nsel++] = i;
	}
	return (long)nsel;
}

/* The selected records, from offset, at most limit (-1: all). 1, -1. */
static int sload_rows(stmt *s, const sl_load_record *recs, const size_t *idx, size_t nsel, int64_t limit, int64_t offset)
{
	int r = sl_sql_begin_typed(s->sink, SL_RECORD_NCOLS, sl_record_cols, sl_record_numeric) < 0 ? -1 : 1;

	for (size_t i = (size_t)offset; r > 0 && i < nsel && (limit < 0 || i < (size_t)(offset + limit)); i++) {
		sl_value v[SL_RECORD_NCOLS];
		char t1[32], t2[32];
		for (size_t c = 0; c < SL_RECORD_NCOLS; c++)
			v[c] = rec_value(&recs[idx[i]], c, c == 12 ? t1 : t2, sizeof t1);
		if (sl_sql_sink_row(s->sink, SL_RECORD_NCOLS, v) < 0)
			r = -1;
	}
	if (r > 0 && sl_sql_sink_end(s->sink) < 0)
		r = -1;
	return r;
}

/* SHOW STREAM LOAD [FROM db] [WHERE ...] [ORDER BY col [ASC|DESC], ...] [LIMIT ...] */
int sl_sqlload_show_stream(stmt *s)
{
	lwhere w;
	sload_key keys[SL_RECORD_NCOLS];
	size_t nkeys = 0, n = 0, *idx = 0;
	long nsel;
	sl_load_record *recs = 0;
	int64_t limit = -1, offset = 0;
	int r;

	if (!sl_sql_advance(s) || !sl_sql_expect_kw(s, "LOAD") || !load_where(s, &w, 0) ||
	    !sload_order(s, keys, &nkeys) || !sl_sql_limit(s, &limit, &offset) || !sl_sql_expect_end(s))
		return 0;
	if (!w.db[0])
		return sl_sql_no_db(s->q);
	if ((r = sl_sqlauth_need_db(s, w.db)) <= 0 || (r = sl_sql_need_db(s->q, w.db)) <= 0)
		return r;
	r = sl_record_list(s->q->st, w.db, &recs, &n, 0);
	if (r < 0)
		return sl_sql_syserr(s->q, "unable to read the stream load record");
	if (r == 0)
		return sl_sql_err_db(s->q, w.db);
	if (n && !(idx = malloc(n * sizeof *idx))) {
		free(recs);
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	}
	nsel = sload_select(s, &w, recs, n, idx);
	if (nsel < 0) {
		free(idx);
		free(recs);
		return -1;
	}
	if (nkeys && nsel > 1) {
		sload_sort S = { keys, nkeys, recs };
		qsort_r(idx, (size_t)nsel, sizeof *idx, sload_cmp, &S);
	}
	r = sload_rows(s, recs, idx, (size_t)nsel, limit, offset);
	free(idx);
	free(recs);
	return r < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : r;
}

/* ---- SHOW LOAD: is a label already used, and how did its load end? ---- */

static const char *const load_cols[] = { "JobId", "Label", "State", "Progress", "Type", "EtlInfo", "TaskInfo",
	"ErrorMsg", "CreateTime", "EtlStartTime", "EtlFinishTime", "LoadStartTime", "LoadFinishTime", "URL",
	"JobDetails", "TransactionId", "ErrorTablets", "User", "Comment" };
static const int load_numeric[] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };

static void fmt_ms(char *buf, size_t cap, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms || !localtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
		buf[0] = 0;
}

/* One SHOW LOAD row: from the transaction log (ti) and/or the load's
 * record (rec); the log wins for the id and the state. */
static int load_row(stmt *s, const sl_txninfo *ti, const sl_load_record *rec)
{
	sl_value v[SL_ARRAY_LEN(load_cols)];
	char etl[160], task[96], err[600], t0[32], t1[32], det[128];
	const char *state = ti ? sl_jobstate_load(ti->state) : sl_jobstate_of_status(rec->status);
	int fin = !strcmp(state, SL_JOB_FINISHED);

	for (size_t i = 0; i < SL_ARRAY_LEN(v); i++)
		v[i] = SL_VALUE_NULL;
	if (ti)
		v[0] = v[15] = sl_sql_vint(ti->id);
	v[1] = sl_sql_vstr(ti ? ti->label : rec->label);
	v[2] = sl_sql_vstr(state);
	v[3] = sl_sql_vstr(fin ? "100.00% (1/1)" : "0.00% (0/1)");
	v[4] = sl_sql_vstr("STREAM_LOAD");
	if (rec) {
		snprintf(etl, sizeof etl, "unselected.rows=%lld; dpp.abnorm.ALL=%lld; dpp.norm.ALL=%lld",
			(long long)rec->unselected, (long long)rec->filtered, (long long)rec->loaded);
		v[5] = sl_sql_vstr(etl);
		snprintf(det, sizeof det, "{\"ScannedRows\":%lld,\"TaskNumber\":1,\"LoadBytes\":%lld}",
			(long long)rec->total, (long long)rec->load_bytes);
		v[14] = sl_sql_vstr(det);
		if (rec->url[0])
			v[13] = sl_sql_vstr(rec->url);
		v[17] = sl_sql_vstr(rec->user);
	} else if (fin) {
		snprintf(etl, sizeof etl, "dpp.norm.ALL=%llu", (unsigned long long)ti->nrows);
		v[5] = sl_sql_vstr(etl);
	}
	if (ti) {
		snprintf(task, sizeof task, "cluster:N/A; timeout(s):%lld", (long long)ti->timeout_s);
		v[6] = sl_sql_vstr(task);
	}
	if (!strcmp(state, SL_JOB_CANCELLED)) {
		snprintf(err, sizeof err, "type:LOAD_RUN_FAIL; msg:%s",
			ti && ti->reason[0] ? ti->reason : rec ? rec->message : "");
		v[7] = sl_sql_vstr(err);
	}
	fmt_ms(t0, sizeof t0, ti ? ti->begin_ms : rec->start_ms);
	fmt_ms(t1, sizeof t1, ti ? ti->finish_ms : rec->finish_ms);
	for (size_t i = 8; i <= 11; i++)
		v[i] = sl_sql_vstr(t0);
	if (strcmp(state, SL_JOB_LOADING))
		v[12] = sl_sql_vstr(t1);
	v[16] = sl_sql_vstr("{}");
	v[18] = sl_sql_vstr(rec ? rec->comment : "");
	return sl_sql_sink_row(s->sink, SL_ARRAY_LEN(v), v) < 0 ? -1 : 1;
}

/* SHOW LOAD [FROM db] [WHERE LABEL = 'x' | LABEL LIKE 'p' | STATE = 's' [AND ...]] [LIMIT ...]
 * Doris's SHOW LOAD columns, one row per load of the record (refused
 * duplicates are no job); LABEL = 'x' asks the transaction log, which
 * knows every label in use even with enable_stream_load_record = false. */
int sl_sqlload_show_load(stmt *s)
{
	lwhere w;
	sl_load_record *recs = 0;
	sl_txninfo ti = SL_TXNINFO_ZERO;
	size_t n = 0, shown = 0;
	int64_t limit, offset, seen = 0;
	int r, found = 0;

	if (!sl_sql_advance(s) || !load_where(s, &w, 1) || !sl_sql_limit(s, &limit, &offset) || !sl_sql_expect_end(s))
		return 0;
	if (!w.db[0])
		return sl_sql_no_db(s->q);
	if ((r = sl_sqlauth_need_db(s, w.db)) <= 0 || (r = sl_sql_need_db(s->q, w.db)) <= 0)
		return r;
	if (w.by_label) {
		found = sl_txn_lookup_label(s->q->st, w.db, w.label, &ti);
		if (found < 0) {
			sl_txninfo_free(&ti);
			return sl_sql_syserr(s->q, errno == EPROTO ? "the transaction log is corrupt" : "unable to read the transaction log");
		}
		if (found && ((r = sl_sqlauth_may(s, w.db, ti.table, SL_PRIV_ALL, 1)) <= 0 ||
			      (w.status[0] && strcasecmp(sl_jobstate_load(ti.state), w.status)))) {
			if (r < 0) {
				sl_txninfo_free(&ti);
				return -1;
			}
			found = -2;     /* the label's load, but not one to show */
		}
	}
	if (sl_record_list(s->q->st, w.db, &recs, &n, 0) < 0) {
		sl_txninfo_free(&ti);
		return sl_sql_syserr(s->q, "unable to read the stream load record");
	}
	r = sl_sql_begin_typed(s->sink, SL_ARRAY_LEN(load_cols), load_cols, load_numeric) < 0 ? -1 : 1;
	if (r > 0 && found == 1) {
		/* the log's txn, with its newest record for the counts */
		const sl_load_record *rec = 0;
		for (size_t i = n; i-- > 0 && !rec;)
			if (!strcmp(recs[i].label, w.label) && strcmp(recs[i].status, SL_STATUS_LABEL_EXISTS))
				rec = &recs[i];
		if (offset == 0 && limit != 0)
			r = load_row(s, &ti, rec);
	}
	for (size_t i = 0; r > 0 && !found && i < n && (limit < 0 || shown < (size_t)limit); i++) {
		const sl_load_record *rec = &recs[i];
		if (!strcmp(rec->status, SL_STATUS_LABEL_EXISTS) ||
		    (w.by_label && strcmp(rec->label, w.label)) || (w.by_pat && !like(rec->label, w.pat)) ||
		    (w.status[0] && strcasecmp(w.status, sl_jobstate_of_status(rec->status))))
			continue;
		int vis = sl_sqlauth_may(s, w.db, rec->table, SL_PRIV_ALL, 1);
		if (vis < 0) {
			r = -1;
			break;
		}
		if (!vis)
			continue;
		if (seen++ < offset)
			continue;
		r = load_row(s, 0, rec);
		shown++;
	}
	if (r > 0 && sl_sql_sink_end(s->sink) < 0)
		r = -1;
	free(recs);
	sl_txninfo_free(&ti);
	return r < 0 && !s->q->err[0] ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : r;
}

