/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlinfo.c -- information_schema and the SHOW statements MySQL clients,
 * drivers and BI tools send on their own, as virtual tables the SELECT
 * engine reads like any table (WHERE, ORDER BY, LIMIT apply):
 * information_schema.SCHEMATA, TABLES, COLUMNS, ENGINES, CHARACTER_SETS,
 * COLLATIONS, SESSION_VARIABLES, GLOBAL_VARIABLES, PROCESSLIST, and the
 * ones with nothing to list here (ROUTINES, VIEWS, STATISTICS, ...),
 * empty with their columns. A listing shows only the databases and tables
 * the user holds some privilege on (as SHOW DATABASES / SHOW TABLES).
 * SHOW VARIABLES, WARNINGS, ERRORS, COLLATION, CHARACTER SET, ENGINES,
 * PROCESSLIST, TABLE STATUS, FULL TABLES and FULL COLUMNS are run as a SELECT over
 * such a table (internal names beginning with '$').
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "lex.h"
#include "types.h"
#include "schema.h"
#include "store.h"
#include "sql.h"
#include "sqlint.h"

#define CHARSET   "utf8mb4"
#define COLLATION "utf8mb4_0900_bin"

typedef int (*vt_fill)(stmt *s, sl_vtab *vt);

typedef struct vdef {
	const char *name;
	const char *cols;       /* "NAME:t,..." t: s VARCHAR, i BIGINT */
	vt_fill fill;
} vdef;

/* ---- building rows ---- */

/* A new row of NULLs: its first value, or NULL (ENOMEM). */
static sl_value *vt_row(sl_vtab *vt)
{
	if (vt->nrows == vt->cap) {
		size_t cap = vt->cap ? vt->cap * 2 : 16;
		sl_value *p = realloc(vt->rows, cap * vt->ncols * sizeof *p);
		if (!p)
			return 0;
		vt->rows = p;
		vt->cap = cap;
	}
	for (size_t i = 0; i < vt->ncols; i++)
		vt->rows[vt->nrows * vt->ncols + i] = SL_VALUE_NULL;
	return &vt->rows[vt->nrows++ * vt->ncols];
}

/* Column i of row r: a copy of str (NULL stays NULL). 1, -1 ENOMEM. */
static int vt_str(sl_vtab *vt, sl_value *r, size_t i, const char *str)
{
	size_t n;
	char *p;

	if (!str)
		return 1;
	n = strlen(str);
	if (!(p = sl_arena_alloc(&vt->strs, n + 1)))
		return -1;
	memcpy(p, str, n + 1);
	r[i] = sl_sql_vstr(p);
	return 1;
}

/* A row of n values given as text ("#123" BIGINT, NULL a NULL). */
static int vt_add(sl_vtab *vt, size_t n, const char *const *v)
{
	sl_value *r = vt_row(vt);

	if (!r)
		return -1;
	for (size_t i = 0; i < n && i < vt->ncols; i++) {
		if (v[i] && v[i][0] == '#')
			r[i] = sl_sql_vint(strtoll(v[i] + 1, 0, 10));
		else if (vt_str(vt, r, i, v[i]) < 0)
			return -1;
	}
	return 1;
}

#define VT_ADD(vt, ...) vt_add((vt), SL_ARRAY_LEN(((const char *const[]){ __VA_ARGS__ })), \
	(const char *const[]){ __VA_ARGS__ })

/* ---- the tables ---- */

static int fill_none(stmt *s, sl_vtab *vt) { (void)s; (void)vt; return 1; }

static int fill_engines(stmt *s, sl_vtab *vt)
{
	(void)s;
	return VT_ADD(vt, "Doris", "YES", "Apache Doris's OLAP storage (streamload's table store)", "YES", "NO", "NO");
}

static int fill_charsets(stmt *s, sl_vtab *vt)
{
	(void)s;
	return VT_ADD(vt, CHARSET, COLLATION, "UTF-8 Unicode", "#4");
}

static int fill_collations(stmt *s, sl_vtab *vt)
{
	(void)s;
	return VT_ADD(vt, COLLATION, CHARSET, "#309", "Yes", "Yes", "#1");
}

static int fill_charset_show(stmt *s, sl_vtab *vt)
{
	(void)s;
	return VT_ADD(vt, CHARSET, "UTF-8 Unicode", COLLATION, "#4");
}

/* Variables: name, value (and for SHOW VARIABLES the default and whether
 * the session changed it). */
static int fill_vars(stmt *s, sl_vtab *vt)
{
	sl_sqlsys_var v;
	char shc[2] = { (char)('0' + (s->q->show_hidden_columns != 0)), 0 };

	for (size_t i = 0; sl_sqlsys_get(s->q, i, &v); i++) {
		sl_value *r = vt_row(vt);
		if (!r || vt_str(vt, r, 0, v.name) < 0 || (!v.null && vt_str(vt, r, 1, v.value) < 0))
			return -1;
		if (vt->ncols > 2 && (vt_str(vt, r, 2, v.dflt) < 0 || vt_str(vt, r, 3, v.changed ? "1" : "0") < 0))
			return -1;
	}
	/* the engine's own session variable */
	return vt->ncols > 2 ? VT_ADD(vt, "show_hidden_columns", shc, "0", shc[0] == '1' ? "1" : "0")
		: VT_ADD(vt, "show_hidden_columns", shc);
}

static int fill_processlist(stmt *s, sl_vtab *vt)
{
	char id[32];

	snprintf(id, sizeof id, "#%lu", s->q->conn_id ? s->q->conn_id : (unsigned long)getpid());
	return VT_ADD(vt, id, s->q->user[0] ? s->q->user : "root", "localhost", s->q->db, "Query", "#0",
		"OK", "SHOW PROCESSLIST");
}

/* The databases the user may see, sorted (information_schema first). */
static int visible_dbs(stmt *s, char ***v, size_t *n)
{
	size_t j = 0;

	if (sl_db_list(s->q->st, v, n) < 0)
		return sl_sql_syserr(s->q, "unable to list databases");
	for (size_t i = 0; i < *n; i++) {
		int r = sl_sqlauth_may(s, (*v)[i], NULL, SL_PRIV_ALL, 1);
		if (r < 0)
			return -1;
		if (r)
			(*v)[j++] = (*v)[i];
		else
			free((*v)[i]);
	}
	*n = j;
	return 1;
}

static int fill_schemata(stmt *s, sl_vtab *vt)
{
	char **v = 0;
	size_t n = 0;
	int r = VT_ADD(vt, "def", "information_schema", CHARSET, COLLATION, NULL);

	if (r > 0)
		r = visible_dbs(s, &v, &n);
	for (size_t i = 0; r > 0 && i < n; i++)
		r = VT_ADD(vt, "def", v[i], CHARSET, COLLATION, NULL);
	sl_strv_free(v, n);
	return r;
}

/* Calls fn for each table the user may see (the schema loaded). */
typedef int (*each_fn)(stmt *s, sl_vtab *vt, const char *db, const sl_schema *sch);

static int each_table(stmt *s, sl_vtab *vt, each_fn fn)
{
	char **dbs = 0;
	size_t ndb = 0;
	int r = visible_dbs(s, &dbs, &ndb);

	for (size_t d = 0; r > 0 && d < ndb; d++) {
		char **t = 0;
		size_t nt = 0;
		if (sl_table_list(s->q->st, dbs[d], &t, &nt) < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;       /* dropped meanwhile */
			r = sl_sql_syserr(s->q, "unable to list tables");
			break;
		}
		for (size_t i = 0; r > 0 && i < nt; i++) {
			sl_schema sch;
			int m = sl_sqlauth_may(s, dbs[d], t[i], SL_PRIV_ALL, 1);
			if (m < 0)
				r = -1;
			if (m <= 0)
				continue;       /* not the user's to see */
			if (sl_schema_load(s->q->st, dbs[d], t[i], &sch) <= 0)
				continue;       /* dropped meanwhile, or unreadable: not listed */
			r = fn(s, vt, dbs[d], &sch);
			sl_schema_free(&sch);
			if (r < 0)
				sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		}
		sl_strv_free(t, nt);
	}
	sl_strv_free(dbs, ndb);
	return r;
}

static int table_row(stmt *s, sl_vtab *vt, const char *db, const sl_schema *sch)
{
	(void)s;
	return VT_ADD(vt, "def", db, sch->name, "BASE TABLE", "Doris", NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, COLLATION, NULL, NULL, sch->comment ? sch->comment : "");
}

static int fill_tables(stmt *s, sl_vtab *vt)
{
	return each_table(s, vt, table_row);
}

/* SHOW TABLE STATUS: the same with the database first (filtered on). */
static int status_row(stmt *s, sl_vtab *vt, const char *db, const sl_schema *sch)
{
	(void)s;
	return VT_ADD(vt, db, sch->name, "Doris", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, COLLATION, NULL, NULL, sch->comment ? sch->comment : "");
}

static int fill_status(stmt *s, sl_vtab *vt)
{
	return each_table(s, vt, status_row);
}

/* NUMERIC_PRECISION, NUMERIC_SCALE and DATETIME_PRECISION of a column
 * ("" : NULL), as MySQL and Doris fill them: the digits of the integer and
 * floating kinds, a DECIMAL's own, a DATETIME's fractional digits (drivers
 * make their column sizes of them). */
static void num_prec(const sl_type *t, char prec[32], char scale[32], char dtp[32])
{
	static const int digits[SL_T__COUNT] = {
		[SL_T_BOOLEAN] = 1, [SL_T_TINYINT] = 3, [SL_T_SMALLINT] = 5, [SL_T_INT] = 10,
		[SL_T_BIGINT] = 19, [SL_T_LARGEINT] = 39, [SL_T_FLOAT] = 12, [SL_T_DOUBLE] = 22,
	};

	prec[0] = scale[0] = dtp[0] = 0;
	if (t->kind == SL_T_DECIMAL) {
		snprintf(prec, 32, "#%d", t->prec);
		snprintf(scale, 32, "#%d", t->scale);
	} else if (t->kind < SL_T__COUNT && digits[t->kind]) {
		snprintf(prec, 32, "#%d", digits[t->kind]);
		if (t->kind != SL_T_FLOAT && t->kind != SL_T_DOUBLE)
			snprintf(scale, 32, "#0");
	} else if (t->kind == SL_T_DATETIME)
		snprintf(dtp, 32, "#%d", t->scale);
}

static int column_row(stmt *s, sl_vtab *vt, const char *db, const sl_schema *sch)
{
	for (size_t i = 0; i < sch->ncols; i++) {
		const sl_column *c = &sch->cols[i];
		char full[SL_TYPE_FMT_MAX], base[SL_TYPE_FMT_MAX], pos[32], len[32] = "", np[32], ns[32], dp[32];
		int text = c->type.kind == SL_T_VARCHAR || c->type.kind == SL_T_CHAR || c->type.kind == SL_T_STRING;
		if (c->hidden && !s->q->show_hidden_columns)
			continue;
		sl_type_format(&c->type, full, sizeof full);
		snprintf(base, sizeof base, "%.*s", (int)strcspn(full, "(<"), full);
		snprintf(pos, sizeof pos, "#%zu", i + 1);
		num_prec(&c->type, np, ns, dp);
		if (text && c->type.len > 0)
			snprintf(len, sizeof len, "#%d", (int)c->type.len);
		if (VT_ADD(vt, "def", db, sch->name, c->name, pos,
				c->default_kind == SL_DEFAULT_VALUE ? c->default_value
				: c->default_kind == SL_DEFAULT_CURRENT_TIMESTAMP ? "CURRENT_TIMESTAMP" : NULL,
				c->nullable ? "YES" : "NO", base, len[0] ? len : NULL, len[0] ? len : NULL,
				np[0] ? np : NULL, ns[0] ? ns : NULL, dp[0] ? dp : NULL, text ? CHARSET : NULL, text ? COLLATION : NULL, full,
				c->is_key ? "UNI" : "", sl_sqlddl_agg_name(c->agg), "select,insert,update,references",
				c->comment ? c->comment : "") < 0)
			return -1;
	}
	return 1;
}

static int fill_columns(stmt *s, sl_vtab *vt)
{
	return each_table(s, vt, column_row);
}

static const vdef defs[] = {
	{ "SCHEMATA", "CATALOG_NAME:s,SCHEMA_NAME:s,DEFAULT_CHARACTER_SET_NAME:s,DEFAULT_COLLATION_NAME:s,SQL_PATH:s",
		fill_schemata },
	{ "TABLES", "TABLE_CATALOG:s,TABLE_SCHEMA:s,TABLE_NAME:s,TABLE_TYPE:s,ENGINE:s,VERSION:i,ROW_FORMAT:s,"
		"TABLE_ROWS:i,AVG_ROW_LENGTH:i,DATA_LENGTH:i,MAX_DATA_LENGTH:i,INDEX_LENGTH:i,DATA_FREE:i,"
		"AUTO_INCREMENT:i,CREATE_TIME:s,UPDATE_TIME:s,CHECK_TIME:s,TABLE_COLLATION:s,CHECKSUM:i,"
		"CREATE_OPTIONS:s,TABLE_COMMENT:s", fill_tables },
	{ "COLUMNS", "TABLE_CATALOG:s,TABLE_SCHEMA:s,TABLE_NAME:s,COLUMN_NAME:s,ORDINAL_POSITION:i,"
		"COLUMN_DEFAULT:s,IS_NULLABLE:s,DATA_TYPE:s,CHARACTER_MAXIMUM_LENGTH:i,CHARACTER_OCTET_LENGTH:i,"
		"NUMERIC_PRECISION:i,NUMERIC_SCALE:i,DATETIME_PRECISION:i,CHARACTER_SET_NAME:s,COLLATION_NAME:s,"
		"COLUMN_TYPE:s,COLUMN_KEY:s,EXTRA:s,PRIVILEGES:s,COLUMN_COMMENT:s", fill_columns },
	{ "ENGINES", "ENGINE:s,SUPPORT:s,COMMENT:s,TRANSACTIONS:s,XA:s,SAVEPOINTS:s", fill_engines },
	{ "CHARACTER_SETS", "CHARACTER_SET_NAME:s,DEFAULT_COLLATE_NAME:s,DESCRIPTION:s,MAXLEN:i", fill_charsets },
	{ "COLLATIONS", "COLLATION_NAME:s,CHARACTER_SET_NAME:s,ID:i,IS_DEFAULT:s,IS_COMPILED:s,SORTLEN:i",
		fill_collations },
	{ "SESSION_VARIABLES", "VARIABLE_NAME:s,VARIABLE_VALUE:s", fill_vars },
	{ "GLOBAL_VARIABLES", "VARIABLE_NAME:s,VARIABLE_VALUE:s", fill_vars },
	{ "PROCESSLIST", "ID:i,USER:s,HOST:s,DB:s,COMMAND:s,TIME:i,STATE:s,INFO:s", fill_processlist },
	{ "ROUTINES", "SPECIFIC_NAME:s,ROUTINE_CATALOG:s,ROUTINE_SCHEMA:s,ROUTINE_NAME:s,ROUTINE_TYPE:s,"
		"DATA_TYPE:s,ROUTINE_BODY:s,ROUTINE_DEFINITION:s,EXTERNAL_LANGUAGE:s,IS_DETERMINISTIC:s,"
		"SQL_DATA_ACCESS:s,SECURITY_TYPE:s,CREATED:s,LAST_ALTERED:s,SQL_MODE:s,ROUTINE_COMMENT:s,DEFINER:s",
		fill_none },
	{ "PARAMETERS", "SPECIFIC_CATALOG:s,SPECIFIC_SCHEMA:s,SPECIFIC_NAME:s,ORDINAL_POSITION:i,PARAMETER_MODE:s,"
		"PARAMETER_NAME:s,DATA_TYPE:s,DTD_IDENTIFIER:s,ROUTINE_TYPE:s", fill_none },
	{ "VIEWS", "TABLE_CATALOG:s,TABLE_SCHEMA:s,TABLE_NAME:s,VIEW_DEFINITION:s,CHECK_OPTION:s,IS_UPDATABLE:s,"
		"DEFINER:s,SECURITY_TYPE:s,CHARACTER_SET_CLIENT:s,COLLATION_CONNECTION:s", fill_none },
	{ "STATISTICS", "TABLE_CATALOG:s,TABLE_SCHEMA:s,TABLE_NAME:s,NON_UNIQUE:i,INDEX_SCHEMA:s,INDEX_NAME:s,"
		"SEQ_IN_INDEX:i,COLUMN_NAME:s,COLLATION:s,CARDINALITY:i,SUB_PART:i,PACKED:s,NULLABLE:s,INDEX_TYPE:s,"
		"COMMENT:s,INDEX_COMMENT:s", fill_none },
	{ "KEY_COLUMN_USAGE", "CONSTRAINT_CATALOG:s,CONSTRAINT_SCHEMA:s,CONSTRAINT_NAME:s,TABLE_CATALOG:s,"
		"TABLE_SCHEMA:s,TABLE_NAME:s,COLUMN_NAME:s,ORDINAL_POSITION:i,POSITION_IN_UNIQUE_CONSTRAINT:i,"
		"REFERENCED_TABLE_SCHEMA:s,REFERENCED_TABLE_NAME:s,REFERENCED_COLUMN_NAME:s", fill_none },
	{ "TABLE_CONSTRAINTS", "CONSTRAINT_CATALOG:s,CONSTRAINT_SCHEMA:s,CONSTRAINT_NAME:s,TABLE_SCHEMA:s,"
		"TABLE_NAME:s,CONSTRAINT_TYPE:s", fill_none },
	{ "REFERENTIAL_CONSTRAINTS", "CONSTRAINT_CATALOG:s,CONSTRAINT_SCHEMA:s,CONSTRAINT_NAME:s,"
		"UNIQUE_CONSTRAINT_CATALOG:s,UNIQUE_CONSTRAINT_SCHEMA:s,UNIQUE_CONSTRAINT_NAME:s,MATCH_OPTION:s,"
		"UPDATE_RULE:s,DELETE_RULE:s,TABLE_NAME:s,REFERENCED_TABLE_NAME:s", fill_none },
	{ "TRIGGERS", "TRIGGER_CATALOG:s,TRIGGER_SCHEMA:s,TRIGGER_NAME:s,EVENT_MANIPULATION:s,"
		"EVENT_OBJECT_SCHEMA:s,EVENT_OBJECT_TABLE:s,ACTION_STATEMENT:s,ACTION_TIMING:s", fill_none },
	{ "EVENTS", "EVENT_CATALOG:s,EVENT_SCHEMA:s,EVENT_NAME:s,DEFINER:s,EVENT_TYPE:s,STATUS:s", fill_none },
	{ "USER_PRIVILEGES", "GRANTEE:s,TABLE_CATALOG:s,PRIVILEGE_TYPE:s,IS_GRANTABLE:s", fill_none },
	{ "SCHEMA_PRIVILEGES", "GRANTEE:s,TABLE_CATALOG:s,TABLE_SCHEMA:s,PRIVILEGE_TYPE:s,IS_GRANTABLE:s",
		fill_none },
	{ "TABLE_PRIVILEGES", "GRANTEE:s,TABLE_CATALOG:s,TABLE_SCHEMA:s,TABLE_NAME:s,PRIVILEGE_TYPE:s,"
		"IS_GRANTABLE:s", fill_none },
	{ "COLUMN_PRIVILEGES", "GRANTEE:s,TABLE_CATALOG:s,TABLE_SCHEMA:s,TABLE_NAME:s,COLUMN_NAME:s,"
		"PRIVILEGE_TYPE:s,IS_GRANTABLE:s", fill_none },
	{ "PARTITIONS", "TABLE_CATALOG:s,TABLE_SCHEMA:s,TABLE_NAME:s,PARTITION_NAME:s,PARTITION_METHOD:s,"
		"PARTITION_DESCRIPTION:s,TABLE_ROWS:i", fill_none },
	{ "FILES", "FILE_ID:i,FILE_NAME:s,FILE_TYPE:s,TABLESPACE_NAME:s,TABLE_SCHEMA:s,TABLE_NAME:s,ENGINE:s",
		fill_none },
	/* the SHOW statements' tables */
	{ "$variables", "Variable_name:s,Value:s,Default_Value:s,Changed:s", fill_vars },
	{ "$warnings", "Level:s,Code:i,Message:s", fill_none },
	{ "$collation", "Collation:s,Charset:s,Id:i,Default:s,Compiled:s,Sortlen:i", fill_collations },
	{ "$charset", "Charset:s,Description:s,Default collation:s,Maxlen:i", fill_charset_show },
	{ "$engines", "Engine:s,Support:s,Comment:s,Transactions:s,XA:s,Savepoints:s", fill_engines },
	{ "$processlist", "Id:i,User:s,Host:s,db:s,Command:s,Time:i,State:s,Info:s", fill_processlist },
	{ "$table_status", "Db:s,Name:s,Engine:s,Version:i,Row_format:s,Rows:i,Avg_row_length:i,Data_length:i,"
		"Max_data_length:i,Index_length:i,Data_free:i,Auto_increment:i,Create_time:s,Update_time:s,"
		"Check_time:s,Collation:s,Checksum:i,Create_options:s,Comment:s", fill_status },
};

int sl_sqlinfo_is(const char *db)
{
	return !strcasecmp(db, "information_schema");
}

/* The column list of d into vt. */
static int vt_columns(sl_vtab *vt, const vdef *d)
{
	const char *p = d->cols;

	vt->ncols = 1;
	for (const char *c = p; *c; c++)
		vt->ncols += *c == ',';
	vt->names = calloc(vt->ncols, sizeof *vt->names);
	vt->types = calloc(vt->ncols, sizeof *vt->types);
	if (!vt->names || !vt->types)
		return -1;
	for (size_t i = 0; i < vt->ncols; i++) {
		size_t n = strcspn(p, ":");
		char *name = sl_arena_alloc(&vt->strs, n + 1);
		if (!name)
			return -1;
		memcpy(name, p, n);
		name[n] = 0;
		vt->names[i] = name;
		vt->types[i].kind = p[n + 1] == 'i' ? SL_T_BIGINT : SL_T_VARCHAR;
		vt->types[i].len = p[n + 1] == 'i' ? 0 : 65533;
		p += n + 2;
		p += *p == ',';
	}
	return 1;
}

int sl_sqlinfo_open(stmt *s, const char *tbl, sl_vtab *vt)
{
	const vdef *d = 0;

	memset(vt, 0, sizeof *vt);
	for (size_t i = 0; i < SL_ARRAY_LEN(defs); i++)
		if (!strcasecmp(defs[i].name, tbl))
			d = &defs[i];
	if (!d) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_BAD_TABLE, "42S02", "Unknown table 'information_schema.%s'", tbl);
	}
	if (vt_columns(vt, d) < 0)
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	switch (d->fill(s, vt)) {
	case 1:
		return 1;
	case 0:
		return 0;
	default:
		return s->q->err[0] ? -1 : sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	}
}

int sl_sqlinfo_vt_init(sl_vtab *vt, const char *cols)
{
	vdef d = { "", cols, fill_none };

	memset(vt, 0, sizeof *vt);
	return vt_columns(vt, &d);
}

int sl_sqlinfo_vt_add(sl_vtab *vt, size_t n, const char *const *v)
{
	sl_value *r = vt_row(vt);

	if (!r)
		return -1;
	for (size_t i = 0; i < n && i < vt->ncols; i++)
		if (vt_str(vt, r, i, v[i]) < 0)
			return -1;
	return 1;
}

void sl_sqlinfo_free(sl_vtab *vt)
{
	free(vt->names);
	free(vt->types);
	free(vt->rows);
	sl_arena_free(&vt->strs);
	memset(vt, 0, sizeof *vt);
}

/* ---- SHOW statements as a SELECT ---- */

/* Append s quoted as an SQL string. */
static int put_quoted(sl_buf *b, const char *s)
{
	if (sl_buf_putc(b, '\'') < 0)
		return -1;
	for (; *s; s++)
		if ((*s == '\'' || *s == '\\') && sl_buf_putc(b, *s) < 0)
			return -1;              /* doubled: '' and \\ */
		else if (sl_buf_putc(b, *s) < 0)
			return -1;
	return sl_buf_putc(b, '\'');
}

/* Run the SELECT in b as this statement. */
static int run_select(stmt *s, sl_buf *b)
{
	stmt s2;
	int r = 0;

	memset(&s2, 0, sizeof s2);
	s2.q = s->q;
	s2.src = b->p;
	s2.n = b->len;
	s2.sink = s->sink;
	sl_lex_init(&s2.lx, b->p, b->len);
	if (sl_sql_advance(&s2))
		r = sl_sqlselect_stmt(&s2);
	free(s2.grants);
	sl_lex_free(&s2.lx);
	return r;
}

/* [LIKE 'pattern' | WHERE expr] after a SHOW, on column col: appended to
 * b (which ends with a WHERE condition when have_where). A SELECT that
 * renames its columns (aliased) takes the WHERE as a HAVING: it names the
 * SHOW's columns. */
static int show_filter(stmt *s, sl_buf *b, const char *col, int have_where, int aliased)
{
	const sl_tok *t = &s->lx.tok;
	int r = 1;

	if (sl_sql_kw(s, "LIKE")) {
		if (!sl_sql_advance(s))
			return 0;
		if (t->kind != SL_TOK_STRING)
			return sl_sql_syntax(s);
		if (sl_buf_printf(b, " %s `%s` LIKE %.*s", have_where ? "AND" : "WHERE", col, (int)t->n, t->p) < 0)
			r = -1;
		if (r > 0 && !sl_sql_advance(s))
			return 0;
	} else if (sl_sql_kw(s, "WHERE")) {
		size_t at = t->pos + t->n;
		if (sl_buf_printf(b, " %s (%.*s)", aliased ? "HAVING" : have_where ? "AND" : "WHERE",
				(int)(s->n - at), s->src + at) < 0)
			r = -1;
		return r < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_OOM) : 1;
	}
	if (r < 0)
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	return sl_sql_expect_end(s);
}

/* [FROM | IN db] */
static int from_db(stmt *s, char *db)
{
	if (sl_sql_kw(s, "FROM") || sl_sql_kw(s, "IN"))
		return sl_sql_advance(s) && sl_sql_ident(s, db, SL_SQL_NAME_MAX);
	if (!s->q->db) {
		s->failed = 1;
		return sl_sql_no_db(s->q);
	}
	snprintf(db, SL_SQL_NAME_MAX, "%s", s->q->db);
	return 1;
}

/* SHOW TABLE STATUS (at STATUS; tables 0) or SHOW FULL TABLES (at
 * TABLES; tables 1), [FROM db] [LIKE | WHERE]: the tables of db. */
static int db_tables(stmt *s, sl_buf *b, int tables)
{
	char db[SL_SQL_NAME_MAX];
	int r;

	if (!sl_sql_advance(s) || !from_db(s, db))
		return 0;
	if ((r = sl_sqlauth_need_db(s, db)) <= 0 || (r = sl_sql_need_db(s->q, db)) <= 0)
		return r;
	if (tables)
		r = sl_buf_printf(b, "SELECT TABLE_NAME AS `Tables_in_%s`, TABLE_TYPE AS Table_type "
			"FROM information_schema.TABLES WHERE TABLE_SCHEMA = ", db);
	else
		r = sl_buf_puts(b, "SELECT Name, Engine, Version, Row_format, Rows, Avg_row_length, Data_length, "
			"Max_data_length, Index_length, Data_free, Auto_increment, Create_time, Update_time, "
			"Check_time, Collation, Checksum, Create_options, Comment FROM information_schema.`$table_status` "
			"WHERE Db = ");
	if (r < 0 || put_quoted(b, db) < 0)
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	return show_filter(s, b, tables ? "TABLE_NAME" : "Name", 1, tables);
}

/* SHOW [FULL] COLUMNS of db.tbl [LIKE | WHERE] (after the table): into
 * b, the SELECT over information_schema.COLUMNS in SHOW FULL COLUMNS's
 * columns, or (full 0) in DESC's. */
static int columns_select(stmt *s, sl_buf *b, const char *db, const char *tbl, int full)
{
	sl_schema sch;
	int r;

	if ((r = sl_sqlauth_need_table(s, "SHOW COLUMNS", db, tbl, SL_PRIV_ALL, 1)) <= 0 ||
	    (r = sl_sql_load_schema(s->q, db, tbl, &sch)) <= 0)
		return r;
	sl_schema_free(&sch);
	if (full)
		r = sl_buf_puts(b, "SELECT COLUMN_NAME AS Field, COLUMN_TYPE AS Type, COLLATION_NAME AS Collation, "
			"IS_NULLABLE AS `Null`, COLUMN_KEY AS `Key`, COLUMN_DEFAULT AS `Default`, EXTRA AS Extra, "
			"PRIVILEGES AS `Privileges`, COLUMN_COMMENT AS `Comment`");
	else
		r = sl_buf_puts(b, "SELECT COLUMN_NAME AS Field, upper(COLUMN_TYPE) AS Type, "
			"CASE IS_NULLABLE WHEN 'YES' THEN 'Yes' ELSE 'No' END AS `Null`, "
			"CASE COLUMN_KEY WHEN 'UNI' THEN 'true' ELSE 'false' END AS `Key`, "
			"COLUMN_DEFAULT AS `Default`, EXTRA AS Extra");
	if (r < 0 || sl_buf_puts(b, " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ") < 0 ||
	    put_quoted(b, db) < 0 || sl_buf_puts(b, " AND TABLE_NAME = ") < 0 || put_quoted(b, tbl) < 0)
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	return show_filter(s, b, "COLUMN_NAME", 1, 1);
}

/* SHOW FULL COLUMNS {FROM | IN} [db.]tbl [{FROM | IN} db] [LIKE | WHERE]
 * (at COLUMNS or FIELDS) */
static int full_columns(stmt *s, sl_buf *b)
{
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];

	if (!sl_sqlddl_columns_ref(s, db, tbl))
		return 0;
	return columns_select(s, b, db, tbl, 1);
}

int sl_sqlinfo_columns(stmt *s, const char *db, const char *tbl)
{
	sl_buf b = SL_BUF_ZERO;
	int r = columns_select(s, &b, db, tbl, 0);

	if (r > 0)
		r = run_select(s, &b);
	sl_buf_free(&b);
	return r;
}

/* The SHOW whose rows are a whole internal table, filtered on col. */
static int show_table(stmt *s, sl_buf *b, const char *vt, const char *col)
{
	if (sl_buf_printf(b, "SELECT * FROM information_schema.`%s`", vt) < 0)
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	if (!col)
		return sl_sql_expect_end(s);
	return show_filter(s, b, col, 0, 0);
}

/* SHOW's compat statements (after SHOW, and after SHOW FULL: full 1). */
static int show_compat(stmt *s, int full, sl_buf *b)
{
	if (sl_sql_kw(s, "GLOBAL") || sl_sql_kw(s, "SESSION") || sl_sql_kw(s, "LOCAL")) {
		if (!sl_sql_advance(s))
			return 0;
		if (!sl_sql_kw(s, "VARIABLES"))
			return sl_sql_syntax(s);
	}
	if (full && (sl_sql_kw(s, "COLUMNS") || sl_sql_kw(s, "FIELDS")))
		return full_columns(s, b);
	if (sl_sql_kw(s, "PROCESSLIST"))
		return sl_sql_advance(s) && show_table(s, b, "$processlist", 0);
	if (full && sl_sql_kw(s, "TABLES"))
		return db_tables(s, b, 1);
	if (full) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", "SHOW FULL is not supported yet (at position %zu)",
			sl_sql_pos(s));
	}
	if (sl_sql_kw(s, "VARIABLES"))
		return sl_sql_advance(s) && show_table(s, b, "$variables", "Variable_name");
	if (sl_sql_kw(s, "WARNINGS") || sl_sql_kw(s, "ERRORS")) {
		int64_t limit, offset;
		/* LIMIT accepted: there is nothing to list */
		return sl_sql_advance(s) && sl_sql_limit(s, &limit, &offset) && show_table(s, b, "$warnings", 0);
	}
	if (sl_sql_kw(s, "COLLATION"))
		return sl_sql_advance(s) && show_table(s, b, "$collation", "Collation");
	if (sl_sql_kw(s, "CHARACTER") || sl_sql_kw(s, "CHARSET")) {
		if (sl_sql_kw(s, "CHARACTER") && (!sl_sql_advance(s) || !sl_sql_kw(s, "SET")))
			return sl_sql_syntax(s);
		return sl_sql_advance(s) && show_table(s, b, "$charset", "Charset");
	}
	if (sl_sql_kw(s, "ENGINES"))
		return sl_sql_advance(s) && show_table(s, b, "$engines", "Engine");
	if (sl_sql_kw(s, "STORAGE"))
		return sl_sql_advance(s) && sl_sql_kw(s, "ENGINES") && sl_sql_advance(s) &&
			show_table(s, b, "$engines", "Engine");
	if (sl_sql_kw(s, "TABLE"))
		return sl_sql_advance(s) && sl_sql_kw(s, "STATUS") ? db_tables(s, b, 0) : sl_sql_syntax(s);
	return sl_sql_syntax(s);
}

int sl_sqlinfo_is_show(stmt *s)
{
	static const char *const kw[] = { "FULL", "GLOBAL", "SESSION", "LOCAL", "VARIABLES", "WARNINGS", "ERRORS",
		"COLLATION", "CHARACTER", "CHARSET", "ENGINES", "STORAGE", "PROCESSLIST", "TABLE" };

	for (size_t i = 0; i < SL_ARRAY_LEN(kw); i++)
		if (sl_sql_kw(s, kw[i]))
			return 1;
	return 0;
}

int sl_sqlinfo_show(stmt *s)
{
	sl_buf b = SL_BUF_ZERO;
	int full = sl_sql_kw(s, "FULL"), r;

	if (full && !sl_sql_advance(s))
		return 0;
	r = show_compat(s, full, &b);
	if (r > 0 && b.len)
		r = run_select(s, &b);
	sl_buf_free(&b);
	return r;
}
