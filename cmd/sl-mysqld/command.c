/* SPDX-License-Identifier: Apache-2.0 */
/*
 * command.c -- sl-mysqld's commands (COM_QUERY with several statements when
 * the client allows it, COM_INIT_DB, COM_PING, COM_QUIT, COM_FIELD_LIST,
 * COM_SET_OPTION, COM_RESET_CONNECTION, the COM_STMT_* of stmt.c) and the
 * result sets the SQL engine's rows become: column definitions of the
 * columns' real types, text or binary rows, EOF or OK.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "sql.h"
#include "mysqlproto.h"
#include "mysqld.h"

#define ER_UNKNOWN_COM 1047
#define ER_EMPTY_QUERY 1065

/* -1 with errno kept, remembering that the client's socket failed. */
static int io_fail(mysqld_conn *c)
{
	c->io_failed = 1;
	return -1;
}

static int rs_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	mysqld_conn *c = ctx;
	const char *schema = c->q.db ? c->q.db : "";
	size_t i;

	if (n > c->coltcap) {
		sl_type *t = realloc(c->coltypes, n * sizeof *t);
		if (!t)
			return -1;
		c->coltypes = t;
		c->coltcap = n;
	}
	memcpy(c->coltypes, types, n * sizeof *types);
	c->ncols = n;
	c->began = 1;
	c->pay.len = 0;
	if (!c->field_list && (sl_mysqlproto_put_lenenc(&c->pay, n) < 0 || mysqld_send(c) < 0))
		return io_fail(c);
	for (i = 0; i < n; i++) {
		c->pay.len = 0;
		if (sl_mysqlproto_coldef(&c->pay, schema, "", names[i], &types[i], c->field_list) < 0 ||
		    mysqld_send(c) < 0)
			return io_fail(c);
	}
	if (c->field_list)
		return 1;
	if (!(c->caps & SL_MYSQL_CLIENT_DEPRECATE_EOF)) {
		c->pay.len = 0;
		if (sl_mysqlproto_eof(&c->pay, 0, c->status) < 0 || mysqld_send(c) < 0)
			return io_fail(c);
	}
	return 1;
}

/* A row is encoded in place in the framed output (no per-row copy or
 * allocation); the output goes to the client when it holds this much. */
#define ROWS_FLUSH_AT (256 * 1024)

static int rs_row(void *ctx, size_t n, const sl_value *vals)
{
	mysqld_conn *c = ctx;
	size_t at;
	int r;

	if (c->field_list)
		return 1;
	if (sl_mysqlproto_open(&c->out, &at) < 0)
		return io_fail(c);
	if (c->binary)
		r = sl_mysqlproto_bin_row(&c->out, n, vals, c->coltypes, &c->tmp);
	else
		r = sl_mysqlproto_text_row(&c->out, n, vals, &c->tmp);
	if (r < 0 || sl_mysqlproto_close(&c->out, at, &c->seq) < 0 ||
	    (c->out.len >= ROWS_FLUSH_AT && mysqld_flush(c) < 0))
		return io_fail(c);
	return 1;
}

static int rs_end(void *ctx)
{
	mysqld_conn *c = ctx;
	uint16_t keep = c->status;
	int r;

	if (c->more)
		c->status |= SL_MYSQL_STATUS_MORE_RESULTS;
	if (c->field_list) {
		c->pay.len = 0;
		r = sl_mysqlproto_eof(&c->pay, 0, c->status) < 0 ? -1 : mysqld_send(c);
	} else
		r = mysqld_send_eof(c);
	c->status = keep;
	return r < 0 ? io_fail(c) : 1;
}

/* The engine's answer to a statement that failed: 0, or -1 when the
 * socket failed. */
static int send_failure(mysqld_conn *c, int r)
{
	if (c->io_failed)
		return -1;
	if (r < 0)
		return mysqld_send_err(c, SL_SQL_ER_UNKNOWN, "HY000", c->q.err) < 0 ? -1 : 0;
	return mysqld_send_err(c, (unsigned)c->q.code, c->q.state, c->q.err) < 0 ? -1 : 0;
}

static int run(mysqld_conn *c, const char *sql, size_t n)
{
	sl_sql_sink sink = { c, rs_begin, rs_row, rs_end };

	c->began = c->io_failed = 0;
	c->q.affected = 0;
	c->q.info[0] = 0;
	c->q.warnings = 0;
	return sl_sql_exec(&c->q, sql, n, &sink);
}

/* 1 answered and the statement succeeded; 0 answered with ERR; -1. */
static int statement(mysqld_conn *c, const char *sql, size_t n)
{
	int r = run(c, sql, n);
	uint16_t keep = c->status;

	if (r <= 0)
		return send_failure(c, r);
	if (c->began)
		return 1;
	if (c->more)
		c->status |= SL_MYSQL_STATUS_MORE_RESULTS;
	r = mysqld_send_ok(c, c->q.affected, (uint16_t)(c->q.warnings > 0xffff ? 0xffff :
		c->q.warnings), c->q.info);
	c->status = keep;
	return r < 0 ? -1 : 1;
}

int mysqld_statement(mysqld_conn *c, const char *sql, size_t n)
{
	return statement(c, sql, n) < 0 ? -1 : 1;
}

int mysqld_use(mysqld_conn *c, const char *db, size_t n)
{
	size_t i;
	int r;

	c->tmp.len = 0;
	if (sl_buf_puts(&c->tmp, "USE `") < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((db[i] == '`' && sl_buf_putc(&c->tmp, '`') < 0) || sl_buf_putc(&c->tmp, db[i]) < 0)
			return -1;
	if (sl_buf_putc(&c->tmp, '`') < 0 || sl_buf_cstr(&c->tmp) < 0)
		return -1;
	{
		/* the statement is copied: the sink's scratch is c->tmp */
		char *stmt = strdup(c->tmp.p);
		if (!stmt)
			return -1;
		r = run(c, stmt, strlen(stmt));
		free(stmt);
	}
	return r > 0 ? 1 : send_failure(c, r);
}

/* COM_QUERY: the statements of the query, one result each; the first
 * failure ends the query (as MySQL). */
static int query(mysqld_conn *c)
{
	char *src;
	size_t n = c->pay.len - 1, off = 0, start, len, noff, s2, l2;
	int r, next, rc = 1;

	if (!(src = malloc(n + 1)))
		return -1;
	memcpy(src, c->pay.p + 1, n);
	src[n] = 0;
	r = sl_sql_next(&c->q, src, n, &off, &start, &len);
	if (r == 0)
		rc = mysqld_send_err(c, ER_EMPTY_QUERY, "42000", "Query was empty");
	while (r != 0) {
		if (r < 0) {
			rc = send_failure(c, 0);
			break;
		}
		noff = off;
		next = sl_sql_next(&c->q, src, n, &noff, &s2, &l2);
		if (next && !(c->caps & SL_MYSQL_CLIENT_MULTI_STATEMENTS)) {
			rc = mysqld_send_err(c, SL_SQL_ER_PARSE, "42000", "You have an error in your "
				"SQL syntax: several statements in one query need the client's "
				"CLIENT_MULTI_STATEMENTS option");
			break;
		}
		c->more = next != 0;
		rc = statement(c, src + start, len);
		c->more = 0;
		if (rc <= 0)
			break;
		r = sl_sql_next(&c->q, src, n, &off, &start, &len);
	}
	free(src);
	return rc < 0 ? -1 : 1;
}

/* COM_FIELD_LIST: the columns of a table (the wildcard is not used). */
static int field_list(mysqld_conn *c)
{
	const char *t = c->pay.p + 1, *z = memchr(t, 0, c->pay.len - 1);
	size_t n = z ? (size_t)(z - t) : c->pay.len - 1, i;
	char *sql;
	sl_buf b = SL_BUF_ZERO;
	int r = -1;

	if (sl_buf_puts(&b, "SELECT * FROM `") < 0)
		goto out;
	for (i = 0; i < n; i++)
		if ((t[i] == '`' && sl_buf_putc(&b, '`') < 0) || sl_buf_putc(&b, t[i]) < 0)
			goto out;
	if (sl_buf_puts(&b, "` LIMIT 0") < 0 || sl_buf_cstr(&b) < 0)
		goto out;
	sql = b.p;
	c->field_list = 1;
	r = run(c, sql, b.len);
	c->field_list = 0;
	if (r <= 0)
		r = send_failure(c, r);
	else if (!c->began)
		r = mysqld_send_eof(c);
out:
	sl_buf_free(&b);
	return r < 0 ? -1 : 1;
}

/* COM_SET_OPTION: multi-statements on (0) or off (1); answered with EOF. */
static int set_option(mysqld_conn *c)
{
	sl_mysqlproto_rd rd;
	uint64_t opt;

	sl_mysqlproto_rd_init(&rd, c->pay.p + 1, c->pay.len - 1);
	opt = sl_mysqlproto_get_int(&rd, 2);
	if (rd.bad || opt > 1)
		return mysqld_send_err(c, ER_UNKNOWN_COM, "08S01", "Unknown command") < 0 ? -1 : 1;
	if (opt == 0)
		c->caps |= SL_MYSQL_CLIENT_MULTI_STATEMENTS;
	else
		c->caps &= ~SL_MYSQL_CLIENT_MULTI_STATEMENTS;
	c->pay.len = 0;
	return sl_mysqlproto_eof(&c->pay, 0, c->status) < 0 ? -1 : mysqld_send(c);
}

const char *mysqld_command_name(unsigned char com)
{
	switch (com) {
	case SL_MYSQL_COM_QUIT: return "COM_QUIT";
	case SL_MYSQL_COM_QUERY: return "COM_QUERY";
	case SL_MYSQL_COM_INIT_DB: return "COM_INIT_DB";
	case SL_MYSQL_COM_PING: return "COM_PING";
	case SL_MYSQL_COM_RESET_CONNECTION: return "COM_RESET_CONNECTION";
	case SL_MYSQL_COM_FIELD_LIST: return "COM_FIELD_LIST";
	case SL_MYSQL_COM_SET_OPTION: return "COM_SET_OPTION";
	case SL_MYSQL_COM_STMT_PREPARE: return "COM_STMT_PREPARE";
	case SL_MYSQL_COM_STMT_EXECUTE: return "COM_STMT_EXECUTE";
	case SL_MYSQL_COM_STMT_CLOSE: return "COM_STMT_CLOSE";
	case SL_MYSQL_COM_STMT_RESET: return "COM_STMT_RESET";
	case SL_MYSQL_COM_STMT_SEND_LONG_DATA: return "COM_STMT_SEND_LONG_DATA";
	default: return "other";
	}
}

int mysqld_command(mysqld_conn *c)
{
	int r;

	c->binary = 0;
	switch ((unsigned char)c->pay.p[0]) {
	case SL_MYSQL_COM_QUIT:
		return 0;
	case SL_MYSQL_COM_QUERY:
		return query(c);
	case SL_MYSQL_COM_INIT_DB:
		r = mysqld_use(c, c->pay.p + 1, c->pay.len - 1);
		if (r > 0)
			r = mysqld_send_ok(c, 0, 0, NULL);
		return r < 0 ? -1 : 1;
	case SL_MYSQL_COM_PING:
	case SL_MYSQL_COM_RESET_CONNECTION:
		return mysqld_send_ok(c, 0, 0, NULL);
	case SL_MYSQL_COM_FIELD_LIST:
		return field_list(c);
	case SL_MYSQL_COM_SET_OPTION:
		return set_option(c);
	case SL_MYSQL_COM_STMT_PREPARE:
		return mysqld_stmt_prepare(c);
	case SL_MYSQL_COM_STMT_EXECUTE:
		return mysqld_stmt_execute(c);
	case SL_MYSQL_COM_STMT_CLOSE:
		return mysqld_stmt_close(c);
	case SL_MYSQL_COM_STMT_RESET:
		return mysqld_stmt_reset(c);
	case SL_MYSQL_COM_STMT_SEND_LONG_DATA:
		/* no answer is sent to this command; EXECUTE then reports it */
		return mysqld_stmt_long_data(c);
	default:
		return mysqld_send_err(c, ER_UNKNOWN_COM, "08S01", "Unknown command") < 0 ? -1 : 1;
	}
}
