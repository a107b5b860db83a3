/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlsys.c -- the system variables MySQL clients and drivers read and set
 * on their own, answered as Doris answers them (it reports itself as
 * MySQL 5.7.99): their values (defaults, then the session's SET), the
 * @@name reads and the session functions of a select list without a
 * table (SELECT @@version_comment LIMIT 1, SELECT DATABASE(), USER(),
 * CURRENT_USER(), CONNECTION_ID(), VERSION()), and SET NAMES / SET
 * CHARACTER SET. The values are text; the numeric ones are BIGINT.
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
#include "sql.h"
#include "sqlint.h"

#define SYS_TZ "\x01"   /* default: the system's time zone */
#define SYS_SSL "\x02"  /* default: YES when the front offers TLS (have_ssl) */

typedef struct sysvar { const char *name, *dflt; int num; } sysvar;

/* Sorted by name (SHOW VARIABLES lists them in this order). */
static const sysvar vars[] = {
	{ "auto_increment_increment", "1", 1 },
	{ "autocommit", "1", 1 },
	{ "character_set_client", "utf8mb4", 0 },
	{ "character_set_connection", "utf8mb4", 0 },
	{ "character_set_database", "utf8mb4", 0 },
	{ "character_set_results", "utf8mb4", 0 },
	{ "character_set_server", "utf8mb4", 0 },
	{ "character_set_system", "utf8mb4", 0 },
	{ "collation_connection", "utf8mb4_0900_bin", 0 },
	{ "collation_database", "utf8mb4_0900_bin", 0 },
	{ "collation_server", "utf8mb4_0900_bin", 0 },
	{ "enable_insert_strict", "true", 0 },
	{ "have_query_cache", "YES", 0 },
	{ "have_ssl", SYS_SSL, 0 },
	{ "init_connect", "", 0 },
	{ "insert_max_filter_ratio", "1.0", 0 },
	{ "interactive_timeout", "3600", 1 },
	{ "language", "/palo/share/english/", 0 },
	{ "license", "Apache License, Version 2.0", 0 },
	{ "lower_case_table_names", "0", 1 },
	{ "max_allowed_packet", "16777216", 1 },
	{ "net_buffer_length", "16384", 1 },
	{ "net_read_timeout", "600", 1 },
	{ "net_write_timeout", "600", 1 },
	{ "performance_schema", "0", 1 },
	{ "query_cache_size", "1048576", 1 },
	{ "query_cache_type", "0", 1 },
	{ "query_timeout", "900", 1 },
	{ "sql_auto_is_null", "0", 1 },
	{ "sql_mode", "ONLY_FULL_GROUP_BY", 0 },
	{ "sql_select_limit", "9223372036854775807", 1 },
	{ "system_time_zone", SYS_TZ, 0 },
	{ "time_zone", SYS_TZ, 0 },
	{ "transaction_isolation", "REPEATABLE-READ", 0 },
	{ "transaction_read_only", "0", 1 },
	{ "tx_isolation", "REPEATABLE-READ", 0 },
	{ "tx_read_only", "0", 1 },
	{ "version", "5.7.99", 0 },
	{ "version_comment", "Doris version streamload (Apache Doris Stream Load as Unix binaries)", 0 },
	{ "wait_timeout", "28800", 1 },
};
#define NVARS SL_ARRAY_LEN(vars)

/* The session's SET values, by index into vars; NULL: the default. */
struct sl_sqlsys {
	char *v[SL_ARRAY_LEN(vars)];
	unsigned char null[SL_ARRAY_LEN(vars)];
};

/* The process's time zone: $TZ, else /etc/timezone, else UTC. */
static const char *system_tz(void)
{
	static char tz[64];
	const char *e = getenv("TZ");

	if (tz[0])
		return tz;
	if (e && *e && strlen(e) < sizeof tz) {
		snprintf(tz, sizeof tz, "%s", e[0] == ':' ? e + 1 : e);
	} else {
		FILE *f = fopen("/etc/timezone", "re");
		if (f && fgets(tz, sizeof tz, f))
			tz[strcspn(tz, "\r\n")] = 0;
		if (f)
			fclose(f);
	}
	if (!tz[0])
		snprintf(tz, sizeof tz, "UTC");
	return tz;
}

size_t sl_sqlsys_count(void) { return NVARS; }

long sl_sqlsys_find(const char *name, size_t n)
{
	for (size_t i = 0; i < NVARS; i++)
		if (strlen(vars[i].name) == n && !strncasecmp(vars[i].name, name, n))
			return (long)i;
	return -1;
}

int sl_sqlsys_get(const sl_sql *q, size_t i, sl_sqlsys_var *out)
{
	const struct sl_sqlsys *sv = q->sys;

	if (i >= NVARS)
		return 0;
	out->name = vars[i].name;
	out->dflt = !strcmp(vars[i].dflt, SYS_TZ) ? system_tz() : !strcmp(vars[i].dflt, SYS_SSL) ?
		(q->have_ssl ? "YES" : "DISABLED") : vars[i].dflt;
	out->num = vars[i].num;
	out->null = sv && sv->null[i];
	out->value = sv && sv->v[i] ? sv->v[i] : out->dflt;
	out->changed = sv && (sv->null[i] || sv->v[i]);
	return 1;
}

sl_value sl_sqlsys_value(const sl_sqlsys_var *v)
{
	if (v->null)
		return SL_VALUE_NULL;
	if (v->num) {
		char *end;
		long long x = strtoll(v->value, &end, 10);
		if (!*end && end != v->value)
			return sl_sql_vint(x);
	}
	return sl_sql_vstr(v->value);
}

void sl_sqlsys_free(sl_sql *q)
{
	struct sl_sqlsys *sv = q->sys;

	if (!sv)
		return;
	for (size_t i = 0; i < NVARS; i++)
		free(sv->v[i]);
	free(sv);
	q->sys = 0;
}

int sl_sqlsys_store(stmt *s, size_t i, const char *val)
{
	struct sl_sqlsys *sv = s->q->sys;
	char *copy = 0, *end;

	if (val && vars[i].num) {
		/* numeric: an integer, or ON/OFF for the boolean ones */
		const char *b = !strcasecmp(val, "ON") || !strcasecmp(val, "TRUE") ? "1"
			: !strcasecmp(val, "OFF") || !strcasecmp(val, "FALSE") ? "0" : 0;
		errno = 0;
		(void)strtoll(b ? b : val, &end, 10);
		if (errno || *end || end == (b ? b : val)) {
			s->failed = 1;
			return sl_sql_err(s->q, SL_SQL_ER_WRONG_VALUE_FOR_VAR, "42000",
				"Variable '%s' can't be set to the value of '%s'", vars[i].name, val);
		}
		if (b)
			val = b;
	}
	if (!vars[i].num && !val && strncmp(vars[i].name, "character_set_", 14) && strcmp(vars[i].name, "init_connect")) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_WRONG_VALUE_FOR_VAR, "42000",
			"Variable '%s' can't be set to the value of 'NULL'", vars[i].name);
	}
	if (!sv && !(sv = s->q->sys = calloc(1, sizeof *sv)))
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	if (val && !(copy = strdup(val)))
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	free(sv->v[i]);
	sv->v[i] = copy;
	sv->null[i] = !val;
	return 1;
}

/* ---- SELECT of @@variables and session functions ---- */

static const char *const funcs[] = {
	"DATABASE", "SCHEMA", "USER", "CURRENT_USER", "SESSION_USER", "SYSTEM_USER",
	"CONNECTION_ID", "VERSION",
};

static long func_at(const char *p, size_t n)
{
	for (size_t i = 0; i < SL_ARRAY_LEN(funcs); i++)
		if (strlen(funcs[i]) == n && !strncasecmp(funcs[i], p, n))
			return (long)i;
	return -1;
}

int sl_sqlsys_is_select(const char *src, size_t n)
{
	size_t i = 0, w;

	while (i < n && strchr(" \t\r\n", src[i]))
		i++;
	if (i < n && src[i] == '@')
		return 1;
	for (w = i; w < n && (src[w] == '_' || ((src[w] | 32) >= 'a' && (src[w] | 32) <= 'z')); w++)
		;
	if (func_at(src + i, w - i) < 0)
		return 0;
	while (w < n && strchr(" \t\r\n", src[w]))
		w++;
	/* CURRENT_USER may go without parentheses */
	return (w < n && src[w] == '(') || !strncasecmp(src + i, "CURRENT_USER", w - i);
}

typedef struct sysitem { char name[SL_SQL_NAME_MAX]; sl_value v; char buf[200]; } sysitem;

/* A session function's value into it. */
static void func_value(stmt *s, long f, sysitem *it)
{
	sl_sql *q = s->q;
	const char *u = q->user[0] ? q->user : "root";

	switch (f) {
	case 0: case 1:
		it->v = q->db ? sl_sql_vstr(q->db) : SL_VALUE_NULL;
		return;
	case 6:
		it->v = sl_sql_vint(q->conn_id ? (int64_t)q->conn_id : (int64_t)getpid());
		return;
	case 7:
		snprintf(it->buf, sizeof it->buf, "5.7.99");
		break;
	default:
		snprintf(it->buf, sizeof it->buf, "'%s'@'%%'", u);
		break;
	}
	it->v = sl_sql_vstr(it->buf);
}

/* @@[scope.]name at the first '@' into it. */
static int var_item(stmt *s, sysitem *it)
{
	sl_sqlsys_var v;
	long i;

	if (!sl_sql_advance(s) || !sl_sql_expect_op(s, "@"))
		return 0;
	if (sl_sql_kw(s, "SESSION") || sl_sql_kw(s, "GLOBAL") || sl_sql_kw(s, "LOCAL")) {
		if (!sl_sql_advance(s) || !sl_sql_expect_op(s, "."))
			return 0;
	}
	if (s->lx.tok.kind != SL_TOK_IDENT)
		return sl_sql_syntax(s);
	i = sl_sqlsys_find(s->lx.tok.p, s->lx.tok.n);
	if (i < 0 && s->lx.tok.n == 19 && !strncasecmp(s->lx.tok.p, "show_hidden_columns", 19)) {
		it->v = sl_sql_vint(s->q->show_hidden_columns);
		return sl_sql_advance(s);
	}
	if (i < 0) {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN_SYSTEM_VARIABLE, "HY000", "Unknown system variable '%.*s'",
			(int)(s->lx.tok.n > 64 ? 64 : s->lx.tok.n), s->lx.tok.p);
	}
	sl_sqlsys_get(s->q, (size_t)i, &v);
	it->v = sl_sqlsys_value(&v);
	if (it->v.kind == SL_V_STRING) {
		/* the value may be the session's, freed by a later SET: copy it */
		snprintf(it->buf, sizeof it->buf, "%s", v.value);
		it->v = sl_sql_vstr(it->buf);
	}
	return sl_sql_advance(s);
}

/* One item and its [AS] alias. */
static int sys_item(stmt *s, sysitem *it)
{
	size_t from = s->lx.tok.pos, to;
	long f;

	if (sl_sql_op(s, "@")) {
		if (!var_item(s, it))
			return 0;
	} else if (s->lx.tok.kind == SL_TOK_IDENT && (f = func_at(s->lx.tok.p, s->lx.tok.n)) >= 0) {
		if (!sl_sql_advance(s))
			return 0;
		if ((f != 3 || sl_sql_op(s, "(")) && (!sl_sql_expect_op(s, "(") || !sl_sql_expect_op(s, ")")))
			return 0;
		func_value(s, f, it);
	} else {
		s->failed = 1;
		return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000",
			"a select list of @@variables and session functions mixed with other expressions is not supported yet (at position %zu)",
			sl_sql_pos(s));
	}
	to = s->lx.tok.kind == SL_TOK_EOF ? s->n : s->lx.tok.pos;
	while (to > from && strchr(" \t\r\n", s->src[to - 1]))
		to--;
	snprintf(it->name, sizeof it->name, "%.*s", (int)(to - from), s->src + from);
	if (sl_sql_kw(s, "AS") && !sl_sql_advance(s))
		return 0;
	if (s->lx.tok.kind == SL_TOK_QIDENT || s->lx.tok.kind == SL_TOK_STRING ||
	    (s->lx.tok.kind == SL_TOK_IDENT && !sl_sql_kw(s, "LIMIT") && !sl_sql_kw(s, "FROM"))) {
		if (s->lx.tok.kind == SL_TOK_STRING)
			return sl_sql_str_arg(s, it->name, sizeof it->name, "an alias");
		return sl_sql_ident(s, it->name, sizeof it->name);
	}
	return 1;
}

#define SYS_ITEMS_MAX 32

int sl_sqlsys_select(stmt *s)
{
	sysitem *it = calloc(SYS_ITEMS_MAX, sizeof *it);
	const char *names[SYS_ITEMS_MAX];
	sl_type types[SYS_ITEMS_MAX];
	sl_value v[SYS_ITEMS_MAX];
	int64_t limit, offset;
	size_t n = 0;
	int r = 0;

	if (!it)
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	if (!sl_sql_advance(s))
		goto out;
	for (;;) {
		if (n == SYS_ITEMS_MAX) {
			s->failed = 1;
			sl_sql_err(s->q, SL_SQL_ER_TOO_MANY_FIELDS, "HY000", "Too many columns: more than %d", SYS_ITEMS_MAX);
			goto out;
		}
		if (!sys_item(s, &it[n]))
			goto out;
		n++;
		if (!sl_sql_op(s, ","))
			break;
		if (!sl_sql_advance(s))
			goto out;
	}
	if (sl_sql_kw(s, "FROM") && (!sl_sql_advance(s) || !sl_sql_expect_kw(s, "DUAL")))
		goto out;
	if (!sl_sql_limit(s, &limit, &offset) || !sl_sql_expect_end(s))
		goto out;
	memset(types, 0, sizeof types);
	for (size_t i = 0; i < n; i++) {
		names[i] = it[i].name;
		v[i] = it[i].v;
		types[i].kind = v[i].kind == SL_V_INT ? SL_T_BIGINT : SL_T_VARCHAR;
		types[i].len = v[i].kind == SL_V_INT ? 0 : 65533;
	}
	r = 1;
	if (sl_sql_sink_begin(s->sink, n, names, types) < 0 ||
	    ((limit < 0 || limit > 0) && offset == 0 && sl_sql_sink_row(s->sink, n, v) < 0) ||
	    sl_sql_sink_end(s->sink) < 0)
		r = sl_sql_syserr(s->q, SL_SQL_MSG_WRITE);
out:
	free(it);
	return r;
}
