/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlgc.c -- SHOW GROUP COMMIT [FROM db]: each table of the database
 * that has a group-commit log, with what it holds pending (bytes, rows,
 * loads), its last group commit (time, txn id) and its limits
 * (man/sl-sql.1, man/sl-store.5 Group commit).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sl.h"
#include "sql.h"
#include "sqlint.h"
#include "store.h"
#include "gcommit.h"
#include "auth.h"

static const char *const gc_cols[] = { "TableName", "PendingBytes", "PendingRows", "PendingLoads",
	"LastGroupCommitTime", "LastGroupCommitTxnId", "GroupCommitIntervalMs", "GroupCommitDataBytes" };
static const int gc_numeric[] = { 0, 1, 1, 1, 0, 1, 1, 1 };

/* One table's row, when it has a log and the user may see it. */
static int gc_row(stmt *s, const char *db, const char *tbl)
{
	sl_value v[SL_ARRAY_LEN(gc_cols)];
	sl_gcommit_state g;
	char when[32];
	int r = sl_sqlauth_may(s, db, tbl, SL_PRIV_ALL, 1);

	if (r <= 0)
		return r;
	if ((r = sl_gcommit_state_of(s->q->st, db, tbl, &g)) < 0)
		return sl_sql_syserr(s->q, "unable to read a group commit log");
	if (r == 0)
		return 1;
	if (g.last_ms) {
		time_t t = (time_t)(g.last_ms / 1000);
		struct tm tm;
		if (!localtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm))
			when[0] = 0;
	}
	v[0] = sl_sql_vstr(tbl);
	v[1] = sl_sql_vint((int64_t)g.bytes);
	v[2] = sl_sql_vint((int64_t)g.rows);
	v[3] = sl_sql_vint((int64_t)g.loads);
	v[4] = g.last_ms ? sl_sql_vstr(when) : SL_VALUE_NULL;
	v[5] = g.last_txn ? sl_sql_vint(g.last_txn) : SL_VALUE_NULL;
	v[6] = sl_sql_vint(g.interval_ms);
	v[7] = sl_sql_vint(g.data_bytes);
	return sl_sql_sink_row(s->sink, SL_ARRAY_LEN(v), v) < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : 1;
}

int sl_sqlgc_show(stmt *s)
{
	char db[SL_SQL_NAME_MAX];
	char **v = 0;
	size_t n = 0;
	int r;

	if (!sl_sql_advance(s) || !sl_sql_expect_kw(s, "COMMIT"))
		return 0;
	if (sl_sql_kw(s, "FROM") || sl_sql_kw(s, "IN")) {
		if (!sl_sql_advance(s) || !sl_sql_ident(s, db, sizeof db))
			return 0;
	} else if (s->q->db) {
		snprintf(db, sizeof db, "%s", s->q->db);
	} else {
		return sl_sql_expect_end(s) ? sl_sql_no_db(s->q) : 0;
	}
	if (!sl_sql_expect_end(s))
		return 0;
	if ((r = sl_sqlauth_need_db(s, db)) <= 0 || (r = sl_sql_need_db(s->q, db)) <= 0)
		return r;
	if ((r = sl_table_list(s->q->st, db, &v, &n)) < 0)
		return sl_sql_syserr(s->q, "unable to list tables");
	if (r == 0)
		return sl_sql_err_db(s->q, db);
	r = sl_sql_begin_typed(s->sink, SL_ARRAY_LEN(gc_cols), gc_cols, gc_numeric) < 0 ?
		sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : 1;
	for (size_t i = 0; r > 0 && i < n; i++)
		r = gc_row(s, db, v[i]);
	if (r > 0 && sl_sql_sink_end(s->sink) < 0)
		r = sl_sql_syserr(s->q, SL_SQL_MSG_WRITE);
	sl_strv_free(v, n);
	return r;
}
