/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlint.h -- private to the SQL engine (sql.c and the sql*.c modules it
 * dispatches to); fronts use sql.h. The statement being run and the
 * helpers every statement family shares: token helpers and errors
 * (sql.c), privilege checks (sqlauth.c), result helpers (sql.c), and the
 * statements of each module.
 *
 * Conventions of every function here that takes a stmt: 1 go on; 0 an
 * SQL error (q->code, q->state, q->err set); -1 a system failure (errno,
 * q->err says what failed).
 */
#ifndef SL_SQLINT_H
#define SL_SQLINT_H

#include <stddef.h>
#include <stdint.h>
#include "lex.h"
#include "expr.h"
#include "schema.h"
#include "store.h"
#include "auth.h"

/* sql.h's session and sink (not included: sql.c includes this header). */
typedef struct sl_sql sl_sql;
typedef struct sl_sql_sink sl_sql_sink;

/* The longest database, table, column or user name a statement holds. */
#define SL_SQL_NAME_MAX 256

/* One statement being parsed and run. */
typedef struct stmt {
	sl_sql *q;
	sl_lex lx;
	const char *src;
	size_t n;
	const sl_sql_sink *sink;
	int failed;             /* 1 SQL error, -1 system error already recorded */
	/* the session user's grants, read once per statement (sqlauth.c) */
	sl_auth_entry *grants; size_t ngrants; int grants_read;
} stmt;

/* ---- errors (sql.c) ---- */

/* The system failures every statement family may meet. */
#define SL_SQL_MSG_OOM   "out of memory"
#define SL_SQL_MSG_WRITE "unable to write the result"

/* Set q's error; returns 0. */
__attribute__((format(printf, 4, 5)))
int sl_sql_err(sl_sql *q, int code, const char *state, const char *fmt, ...);
/* A system failure: keeps errno, says what failed; returns -1. */
int sl_sql_syserr(sl_sql *q, const char *what);
/* "No database selected"; returns 0. */
int sl_sql_no_db(sl_sql *q);
/* Unknown database / table; return 0. */
int sl_sql_err_db(sl_sql *q, const char *db);
int sl_sql_err_table(sl_sql *q, const char *tbl);
/* Does db exist? 1 yes, 0 no (q set), -1 errno. */
int sl_sql_need_db(sl_sql *q, const char *db);
/* Load db.tbl's schema: 1, 0 (q set), -1. */
int sl_sql_load_schema(sl_sql *q, const char *db, const char *tbl, sl_schema *sch);

/* ---- tokens (sql.c) ---- */

/* 1-based position of the current token. */
size_t sl_sql_pos(const stmt *s);
/* A syntax error at the current token (once per statement); returns 0. */
int sl_sql_syntax(stmt *s);
/* Move to the next token: 1, 0 (lexical error, q set). */
int sl_sql_advance(stmt *s);
/* Is the current token keyword k / operator o? */
int sl_sql_kw(stmt *s, const char *k);
int sl_sql_op(stmt *s, const char *o);
/* The current token must be k / o: 1 and move on, else 0 (syntax). */
int sl_sql_expect_kw(stmt *s, const char *k);
int sl_sql_expect_op(stmt *s, const char *o);
/* End of statement: 1, 0 (syntax). */
int sl_sql_expect_end(stmt *s);
/* [IF EXISTS] (if_not 0) or [IF NOT EXISTS] (if_not 1): *flag 1 when given.
 * 1, 0 (syntax). */
int sl_sql_if_exists(stmt *s, int if_not, int *flag);
/* Identifier into buf (NUL-terminated); 0 on syntax error. */
int sl_sql_ident(stmt *s, char *buf, size_t cap);
/* [db.]table into db and tbl (SL_SQL_NAME_MAX each); db defaults to the
 * session's. 1, 0. */
int sl_sql_table_ref(stmt *s, char *db, char *tbl);
/* The same; *qualified 1 when the statement named the database. */
int sl_sql_table_ref_q(stmt *s, char *db, char *tbl, int *qualified);
/* A STRING token into buf; 0 on syntax error or a value that does not fit
 * (what names it in the message). */
int sl_sql_str_arg(stmt *s, char *buf, size_t cap, const char *what);
/* [LIMIT n [OFFSET m] | LIMIT m, n]: *limit -1 and *offset 0 without
 * one. 1, 0. */
int sl_sql_limit(stmt *s, int64_t *limit, int64_t *offset);

/* ---- results (sql.c) ---- */

/* A VARCHAR value over s (not copied). */
sl_value sl_sql_vstr(const char *s);
/* A BIGINT value. */
sl_value sl_sql_vint(int64_t i);
/* The sink's callbacks; a missing sink or callback accepts. */
int sl_sql_sink_begin(const sl_sql_sink *k, size_t n, const char *const *names, const sl_type *types);
int sl_sql_sink_row(const sl_sql_sink *k, size_t n, const sl_value *v);
int sl_sql_sink_end(const sl_sql_sink *k);
/* Begin a result of VARCHAR columns (at most 8). */
int sl_sql_begin_text(const sl_sql_sink *k, size_t n, const char *const *names);
/* Begin a result of VARCHAR columns, BIGINT where numeric[i] (at most 32). */
int sl_sql_begin_typed(const sl_sql_sink *k, size_t n, const char *const *names, const int *numeric);

/* ---- privileges (sqlauth.c) ---- */

/* Does the user hold all of need (any of them when any) on db.tbl? 1 yes,
 * 0 no, -1 errno (q set). */
int sl_sqlauth_may(stmt *s, const char *db, const char *tbl, int need, int any);
/* Access to db denied; returns 0. */
int sl_sqlauth_deny_db(stmt *s, const char *db);
/* Some privilege in db: 1, 0 denied (q set), -1. */
int sl_sqlauth_need_db(stmt *s, const char *db);
/* need (any of it when any) on db.tbl, else cmd's denial: 1, 0, -1. */
int sl_sqlauth_need_table(stmt *s, const char *cmd, const char *db, const char *tbl, int need, int any);

/* ---- the statements, after their first keywords ---- */

/* sqlgc.c: SHOW GROUP COMMIT (after SHOW GROUP). */
int sl_sqlgc_show(stmt *s);

/* sqlauth.c: CREATE USER, DROP USER, SET PASSWORD, GRANT/REVOKE (grant
 * 1/0), SHOW [ALL] GRANTS (all 1/0). */
int sl_sqlauth_create_user(stmt *s);
int sl_sqlauth_drop_user(stmt *s);
int sl_sqlauth_set_password(stmt *s);
int sl_sqlauth_grant(stmt *s, int grant);
int sl_sqlauth_show_grants(stmt *s, int all);
/* sqlddl.c: databases, tables, USE, SHOW DATABASES/TABLES/CREATE TABLE,
 * DESC. */
int sl_sqlddl_create_db(stmt *s);
int sl_sqlddl_drop_db(stmt *s);
int sl_sqlddl_create_table(stmt *s);
int sl_sqlddl_drop_table(stmt *s);
int sl_sqlddl_use(stmt *s);
int sl_sqlddl_show_databases(stmt *s);
int sl_sqlddl_show_tables(stmt *s);
int sl_sqlddl_show_create(stmt *s);
int sl_sqlddl_desc(stmt *s);
int sl_sqlddl_show_columns(stmt *s);
/* SHOW [FULL] COLUMNS's {FROM | IN} [db.]tbl [{FROM | IN} db] (at COLUMNS
 * or FIELDS): 1, 0. */
int sl_sqlddl_columns_ref(stmt *s, char *db, char *tbl);
/* A column's aggregation as DESC's Extra shows it ("" none). */
const char *sl_sqlddl_agg_name(int agg);
/* sqlpart.c: partitions. The initial partitions of a CREATE TABLE (its
 * clauses resolved in order; n 0 when unpartitioned; free with
 * sl_partinfo_free); SHOW CREATE TABLE's DDL with the live partitions;
 * ALTER TABLE ... ADD/DROP [TEMPORARY] PARTITION (after ALTER); TRUNCATE
 * [TABLE] t [PARTITION (...)] (after TRUNCATE); SHOW [TEMPORARY]
 * PARTITIONS (at PARTITIONS); a list "(p1, p2)" or one name (names
 * malloc'd, free with sl_strv_free). */
int sl_sqlpart_initial(stmt *s, const sl_schema *sch, sl_partinfo **parts, size_t *n);
int sl_sqlpart_render(stmt *s, const char *db, const char *tbl, const sl_schema *sch, char **ddl);
int sl_sqlpart_alter(stmt *s);
int sl_sqlpart_truncate(stmt *s);
int sl_sqlpart_show(stmt *s, int temp);
int sl_sqlpart_names(stmt *s, char ***names, size_t *n);
/* The partitions a SELECT reads: the ones named (temp: temporary ones),
 * else the formal ones whose values the bound WHERE can match. */
typedef struct sl_selpart {
	const char *db, *tbl;
	const char *shown;              /* the table as the statement names it */
	const sl_schema *sch;
	const sl_expr *where;
	char **names; size_t nnames;
	int temp;
} sl_selpart;
/* Their ids, ascending (malloc'd). 1, 0, -1. */
int sl_sqlpart_select(stmt *s, const sl_selpart *sp, int64_t **ids, size_t *nids);
#define SL_SQL_ER_DROP_PARTITION_NON_EXISTENT 1507
/* sqlselect.c: SELECT (at the SELECT keyword). */
int sl_sqlselect_stmt(stmt *s);
/* sqlload.c: SHOW STREAM LOAD (at STREAM), SHOW LOAD (at LOAD). */
int sl_sqlload_show_stream(stmt *s);
int sl_sqlload_show_load(stmt *s);
/* sqlinsert.c: INSERT INTO (at INSERT). */
int sl_sqlinsert_stmt(stmt *s);
/* sqlhelp.c: HELP topic (at HELP). */
int sl_sqlhelp_stmt(stmt *s);
/* sqlvar.c: SET of session variables (after SET). */
int sl_sqlvar_set(stmt *s);
/* sqlsys.c: the system variables (sorted by name) and their values for
 * the session q; a SELECT of @@variables and session functions. */
typedef struct sl_sqlsys_var {
	const char *name, *value, *dflt;        /* value: valid until the next SET */
	int num, null, changed;
} sl_sqlsys_var;
size_t sl_sqlsys_count(void);
/* Index of a variable (case-insensitive), -1 none. */
long sl_sqlsys_find(const char *name, size_t n);
/* Variable i: 1, 0 past the end. */
int sl_sqlsys_get(const sl_sql *q, size_t i, sl_sqlsys_var *out);
/* Its value: BIGINT for numeric ones, NULL, else VARCHAR over v->value. */
sl_value sl_sqlsys_value(const sl_sqlsys_var *v);
/* SET variable i to val (NULL: SQL NULL): 1, 0 (a bad value), -1. */
int sl_sqlsys_store(stmt *s, size_t i, const char *val);
void sl_sqlsys_free(sl_sql *q);
/* Is the select list at src (after SELECT) one sqlsys answers (it starts
 * with @@ or a session function)? 1 / 0. */
int sl_sqlsys_is_select(const char *src, size_t n);
/* That SELECT (at the SELECT keyword). */
int sl_sqlsys_select(stmt *s);

/* sqlinfo.c: information_schema's tables and the SHOW statements
 * clients send on their own, as virtual tables a SELECT reads. */
typedef struct sl_vtab {
	size_t ncols;
	const char **names; sl_type *types;
	sl_value *rows; size_t nrows, cap;      /* nrows * ncols values */
	sl_arena strs;                          /* their strings */
} sl_vtab;
/* Is db information_schema? */
int sl_sqlinfo_is(const char *db);
/* Its table tbl, with the rows the session's user may see: 1; 0 no such
 * table (q set); -1. Free with sl_sqlinfo_free (also after 0, -1). */
int sl_sqlinfo_open(stmt *s, const char *tbl, sl_vtab *vt);
void sl_sqlinfo_free(sl_vtab *vt);
/* A virtual table of other modules: its columns ("NAME:t,..." t: s
 * VARCHAR, i BIGINT) and rows of text values (NULL a NULL). 1, -1 ENOMEM. */
int sl_sqlinfo_vt_init(sl_vtab *vt, const char *cols);
int sl_sqlinfo_vt_add(sl_vtab *vt, size_t n, const char *const *v);
/* Is the SHOW (at the word after SHOW) one sqlinfo answers? And run it. */
int sl_sqlinfo_is_show(stmt *s);
int sl_sqlinfo_show(stmt *s);
/* SHOW COLUMNS of db.tbl with LIKE or WHERE (at it), in DESC's columns. */
int sl_sqlinfo_columns(stmt *s, const char *db, const char *tbl);

/* ---- a SELECT: parsed and resolved by sqlselect.c, run by sqlrun.c ---- */

typedef struct sl_sel_item { sl_expr *e; char *name; int star; } sl_sel_item;
/* GROUP BY / ORDER BY entry before resolution: an expression, or a 1-based
 * select-list position. ref: the select item it stands for, or -1. */
typedef struct sl_sel_oitem { sl_expr *e; long pos; int desc; long ref; size_t at; } sl_sel_oitem;
typedef struct sl_sel_group { char *key; size_t klen; uint64_t h; sl_value *row; sl_agg_state *st; } sl_sel_group;
typedef struct sl_sel_orow { sl_value *v; size_t seq; } sl_sel_orow;

typedef struct sel {
	stmt *s;
	sl_sel_item *items; size_t nitems;
	int distinct;
	int has_table;
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];
	char shown[SL_SQL_NAME_MAX * 2 + 1];    /* [db.]tbl as written */
	char **pnames; size_t npnames;          /* FROM t [TEMPORARY] PARTITION (...) */
	int ptemp;
	sl_schema sch;
	const char **cnames; sl_type *ctypes; size_t ncols;
	/* HAVING and ORDER BY see the columns, then the select items by alias. */
	const char **xnames; sl_type *xtypes; sl_value *xrow;
	sl_expr *where, *having;
	sl_sel_oitem *group; size_t ngroup;
	sl_sel_oitem *order; size_t norder;
	int64_t limit, offset;
	sl_agg_list aggs;
	int grouped;
	sl_arena arena;
	sl_eval_ctx ctx;
	/* groups */
	sl_sel_group *groups; size_t ngroups, capgroups;
	size_t *htab; size_t hcap;
	sl_buf key;
	/* output */
	sl_value *outv;
	sl_sel_orow *rows; size_t nrows, caprows;
	size_t seqno;           /* rows produced so far (sort tie-break) */
	int64_t emitted, skipped;
	int done;
	/* source */
	sl_snapshot snap; int snap_open;
	struct sl_merge *scan;   /* merge.h */
	sl_field *fields;
	sl_value *row;
	int empty_done;
	/* information_schema: the rows, and the next one */
	int virt; sl_vtab vt; size_t vnext;
	int jobview;            /* FROM job(...) / jobs(...) / tasks(...): sqljob.c */
} sel;

/* sqlrun.c: run a resolved SELECT into the statement's sink: 1, 0, -1.
 * What it allocates in S is freed with the rest of S by sqlselect.c. */
int sl_sqlrun_select(sel *S);

/* sqljob.c: continuous-load jobs. CREATE JOB (after CREATE, at the name
 * after JOB), PAUSE (resume 0) / RESUME (1) and DROP (at JOB), ALTER (at
 * JOB); the views: is name one (job, jobs, tasks), their arguments (at
 * "("), their rows into vt (free with sl_sqlinfo_free); a DO clause with
 * the source's secrets shown empty (1, -1 ENOMEM). */
int sl_sqljob_create(stmt *s);
int sl_sqljob_pause(stmt *s, int resume);
int sl_sqljob_drop(stmt *s);
int sl_sqljob_alter(stmt *s);
int sl_sqljob_is_view(const char *name);
int sl_sqljob_view_args(stmt *s, const char *name);
int sl_sqljob_open(stmt *s, const char *name, sl_vtab *vt);
int sl_sqljob_mask(const char *sql, size_t n, sl_buf *out);

#endif
