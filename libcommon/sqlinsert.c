/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlinsert.c -- INSERT INTO in the SQL engine: the statement parsed and
 * run as one load (insert.h) with the session's user, database and
 * variables; the answer as Doris gives it: rows affected and the info
 * {'label':'l', 'status':'VISIBLE', 'txnId':'7'}, or Doris's INSERT error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "io.h"
#include "sql.h"
#include "sqlint.h"
#include "insert.h"
#include "status.h"
#include "store.h"
#include "storetypes.h"

#define ER_WRONG_VALUE_COUNT_ON_ROW 1136
/* Doris's DdlException text before its message */
#define DETAIL "errCode = 2, detailMessage = "

static const char *state_of(int code)
{
	switch (code) {
	case SL_SQL_ER_NO_DB: return "3D000";
	case SL_SQL_ER_BAD_TABLE: return "42S02";
	case SL_SQL_ER_BAD_FIELD: return "42S22";
	case ER_WRONG_VALUE_COUNT_ON_ROW: return "21S01";
	case SL_SQL_ER_PARSE: case SL_SQL_ER_BAD_DB: return "42000";
	default: return "HY000";
	}
}

/* The session variables an INSERT reads, by Doris's names. */
static int session_vars(stmt *s, sl_hdrs *h)
{
	static const char *const names[] = { "insert_max_filter_ratio", "enable_insert_strict", "time_zone" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		long k = sl_sqlsys_find(names[i], strlen(names[i]));
		sl_sqlsys_var v;
		if (k >= 0 && sl_sqlsys_get(s->q, (size_t)k, &v) > 0 && !v.null && v.value &&
		    sl_hdrs_set(h, names[i], v.value) < 0)
			return -1;
	}
	return 1;
}

/* A failed load as Doris's INSERT says it. */
static int load_error(stmt *s, const sl_hdrs *sess, const sl_load_out *out)
{
	const sl_result *r = &out->res;
	const char *strict = sl_hdrs_get(sess, "enable_insert_strict"), *m = r->message ? r->message : "";
	int on = !strict || !strcasecmp(strict, "true") || !strcmp(strict, "1") || !strcasecmp(strict, "on");
	const char *ratio;
	char more[1200];

	if (r->status && !strcmp(r->status, SL_STATUS_LABEL_EXISTS))
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", DETAIL "Label [%s] has already been used.",
			r->label ? r->label : "");
	if (r->filtered > 0 && !strncmp(m, SL_E_DATA_QUALITY_ERROR, strlen(SL_E_DATA_QUALITY_ERROR))) {
		snprintf(more, sizeof more, "%s%.512s%s%.600s", r->first_error_msg ? ". first_error_msg: " : "",
			r->first_error_msg ? r->first_error_msg : "", r->error_url ? ". url: " : "",
			r->error_url ? r->error_url : "");
		if (on)
			return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", DETAIL "Insert has filtered data in strict mode%s", more);
		ratio = sl_hdrs_get(sess, "insert_max_filter_ratio");
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", DETAIL "Insert has too many filtered data %" PRId64
			"/%" PRId64 " insert_max_filter_ratio is %f%s", r->filtered, r->total - r->unselected,
			ratio ? strtod(ratio, NULL) : 1.0, more);
	}
	return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "%s", m);
}

/* The source table's SELECT resolved before the load (LIMIT 0): its
 * errors are the engine's own (an unknown table or column). */
static int check_select(stmt *s, sl_insert *ins)
{
	sl_buf b = SL_BUF_ZERO;
	sl_sql q2;
	int r;

	if (sl_insert_select_sql(ins, &b) < 0 || sl_buf_puts(&b, " LIMIT 0") < 0) {
		sl_buf_free(&b);
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	}
	sl_sql_init(&q2, s->q->st);
	if (s->q->user[0])
		sl_sql_set_user(&q2, s->q->user);
	r = sl_sql_exec(&q2, b.p, b.len, NULL);
	if (r == 0)
		sl_sql_err(s->q, q2.code, q2.state, "%s", q2.err);
	else if (r < 0)
		sl_sql_syserr(s->q, "unable to check the INSERT's SELECT");
	sl_sql_free(&q2);
	sl_buf_free(&b);
	return r;
}

static int run(stmt *s, sl_insert *ins)
{
	sl_sql *q = s->q;
	sl_hdrs sess = SL_HDRS_ZERO;
	sl_insert_opts o;
	sl_load_out out;
	int r;

	if ((r = sl_sqlauth_need_table(s, "LOAD", sl_insert_db(ins), sl_insert_table(ins), SL_PRIV_LOAD, 0)) <= 0)
		return r;
	if (sl_insert_source(ins) == SL_INSERT_TABLE && (r = sl_sqlauth_need_table(s, "SELECT",
		sl_insert_src_db(ins), sl_insert_src_table(ins), SL_PRIV_SELECT, 0)) <= 0)
		return r;
	if (sl_insert_source(ins) == SL_INSERT_TABLE && (r = check_select(s, ins)) <= 0)
		return r;
	if (session_vars(s, &sess) < 0) {
		sl_hdrs_free(&sess);
		return sl_sql_syserr(q, SL_SQL_MSG_OOM);
	}
	memset(&o, 0, sizeof o);
	o.session = &sess;
	o.user = q->user[0] ? q->user : NULL;
	o.data_dir = q->st->dir;
	o.errfd = -1;
	sl_load_out_init(&out);
	r = sl_insert_run(ins, q->st, &o, &out);
	if (r < 0)
		r = sl_sql_syserr(q, "unable to run the INSERT");
	else if (!out.ok)
		r = load_error(s, &sess, &out);
	else {
		q->affected = (uint64_t)out.res.loaded;
		snprintf(q->info, sizeof q->info, "{'label':'%.128s', 'status':'VISIBLE', 'txnId':'%" PRId64 "'}",
			out.res.label ? out.res.label : "", out.res.txn_id);
		r = 1;
	}
	sl_load_out_free(&out);
	sl_hdrs_free(&sess);
	return r;
}

int sl_sqlinsert_stmt(stmt *s)
{
	sl_insert *ins = NULL;
	char err[1024];
	int code, r = sl_insert_parse(&ins, s->q->st, s->q->db, s->src, s->n, &code, err, sizeof err);

	if (r < 0)
		return sl_sql_syserr(s->q, "unable to parse the INSERT");
	if (r == 0) {
		s->failed = 1;
		return sl_sql_err(s->q, code, state_of(code), "%s", err);
	}
	r = run(s, ins);
	sl_insert_free(ins);
	return r;
}
