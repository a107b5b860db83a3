/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stmt.c -- sl-mysqld's prepared statements (COM_STMT_PREPARE, EXECUTE,
 * CLOSE, RESET) for drivers that prepare: the statement is kept as text
 * with its '?' placeholders; EXECUTE puts the parameters in as SQL
 * literals and runs it through the engine, rows in the binary protocol.
 * The engine sees the same statement a client would type, so every check
 * (syntax, grants) is the engine's. The result columns are only known at
 * EXECUTE: PREPARE answers with 0 columns and EXECUTE sends them.
 * Parameters sent in pieces (COM_STMT_SEND_LONG_DATA) are kept until the
 * EXECUTE that uses them, bounded by max_allowed_packet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "mysqlproto.h"
#include "mysqld.h"

#define ER_UNKNOWN_STMT_HANDLER 1243
#define ER_PS_MANY_PARAM 1390
#define ER_MAX_PREPARED_STMT 1461
#define ER_NET_PACKET_TOO_LARGE 1153
#define ER_WRONG_ARGUMENTS 1210

/* The statement whose id starts the command's payload (rd is left after
 * it), or NULL: a short packet or an id that is not in use. */
static mysqld_stmt *lookup(mysqld_conn *c, sl_mysqlproto_rd *rd)
{
	uint32_t id;
	size_t i;

	sl_mysqlproto_rd_init(rd, c->pay.p + 1, c->pay.len - 1);
	id = (uint32_t)sl_mysqlproto_get_int(rd, 4);
	for (i = 0; i < c->nstmts && id && !rd->bad; i++)
		if (c->stmts[i].id == id)
			return &c->stmts[i];
	return NULL;
}

/* The parameters sent in pieces are forgotten (after EXECUTE, RESET). */
static void forget_longs(mysqld_stmt *s)
{
	unsigned i;

	for (i = 0; s->longs && i < s->np; i++)
		sl_buf_free(&s->longs[i]);
	free(s->longs);
	s->longs = NULL;
	s->long_bytes = 0;
	s->long_err = 0;
}

static void release(mysqld_stmt *s)
{
	forget_longs(s);
	free(s->sql);
	free(s->pos);
	free(s->types);
	memset(s, 0, sizeof *s);
}

/* A free slot (the table grows to MYSQLD_MAX_STMTS). */
static mysqld_stmt *slot(mysqld_conn *c)
{
	mysqld_stmt *t;
	size_t i;

	for (i = 0; i < c->nstmts; i++)
		if (!c->stmts[i].id)
			return &c->stmts[i];
	if (c->nstmts == MYSQLD_MAX_STMTS)
		return NULL;
	t = realloc(c->stmts, (c->nstmts + 1) * sizeof *t);
	if (!t)
		return NULL;
	c->stmts = t;
	memset(&t[c->nstmts], 0, sizeof *t);
	return &t[c->nstmts++];
}

static int send_param_defs(mysqld_conn *c, unsigned np)
{
	static const sl_type vs = { .kind = SL_T_VARCHAR, .len = 65533 };
	unsigned i;

	for (i = 0; i < np; i++) {
		c->pay.len = 0;
		if (sl_mysqlproto_coldef(&c->pay, "", "", "?", &vs, 0) < 0 || mysqld_send(c) < 0)
			return -1;
	}
	if (np && !(c->caps & SL_MYSQL_CLIENT_DEPRECATE_EOF)) {
		c->pay.len = 0;
		if (sl_mysqlproto_eof(&c->pay, 0, c->status) < 0 || mysqld_send(c) < 0)
			return -1;
	}
	return 1;
}

int mysqld_stmt_prepare(mysqld_conn *c)
{
	const char *sql = c->pay.p + 1;
	size_t n = c->pay.len - 1;
	unsigned np = sl_mysqlproto_placeholders(sql, n, NULL, 0);
	mysqld_stmt *s;

	if (np > MYSQLD_MAX_PARAMS)
		return mysqld_send_err(c, ER_PS_MANY_PARAM, "HY000",
			"Prepared statement contains too many placeholders") < 0 ? -1 : 1;
	if (!(s = slot(c))) {
		if (errno == ENOMEM)
			return -1;
		return mysqld_send_err(c, ER_MAX_PREPARED_STMT, "42000", "Can't create more than "
			"max_prepared_stmt_count statements (current value: 1024)") < 0 ? -1 : 1;
	}
	s->sql = malloc(n + 1);
	s->pos = calloc(np ? np : 1, sizeof *s->pos);
	s->types = calloc(np ? 2 * (size_t)np : 1, 1);
	if (!s->sql || !s->pos || !s->types) {
		release(s);
		return -1;
	}
	memcpy(s->sql, sql, n);
	s->sql[n] = 0;
	s->n = n;
	s->np = np;
	sl_mysqlproto_placeholders(sql, n, s->pos, np);
	s->id = c->next_stmt++;
	if (!c->next_stmt)
		c->next_stmt = 1;
	c->pay.len = 0;
	if (sl_buf_putc(&c->pay, 0) < 0 || sl_mysqlproto_put_int(&c->pay, s->id, 4) < 0 ||
	    sl_mysqlproto_put_int(&c->pay, 0, 2) < 0 || sl_mysqlproto_put_int(&c->pay, np, 2) < 0 ||
	    sl_buf_putc(&c->pay, 0) < 0 || sl_mysqlproto_put_int(&c->pay, 0, 2) < 0 ||
	    mysqld_send(c) < 0)
		return -1;
	return send_param_defs(c, np) < 0 ? -1 : 1;
}

/* The statement's text with the literals in place of its '?'. */
static int substitute(const mysqld_stmt *s, const sl_buf *lits, const size_t *off,
	const size_t *len, sl_buf *out)
{
	size_t at = 0;
	unsigned i;

	out->len = 0;
	for (i = 0; i < s->np; i++) {
		if (sl_buf_put(out, s->sql + at, s->pos[i] - at) < 0 ||
		    sl_buf_put(out, lits->p + off[i], len[i]) < 0)
			return -1;
		at = s->pos[i] + 1;
	}
	return sl_buf_put(out, s->sql + at, s->n - at);
}

int mysqld_stmt_execute(mysqld_conn *c)
{
	sl_mysqlproto_rd rd;
	mysqld_stmt *s;
	sl_buf lits = SL_BUF_ZERO, sql = SL_BUF_ZERO;
	size_t *off = NULL, *len = NULL;
	char msg[128];
	int r = -1;

	s = lookup(c, &rd);
	sl_mysqlproto_get_int(&rd, 1);          /* cursor flags: no cursor is opened */
	sl_mysqlproto_get_int(&rd, 4);          /* iteration count: always 1 */
	if (rd.bad)
		return mysqld_send_err(c, 1835, "HY000", "Malformed communication packet.") < 0 ? -1 : 1;
	if (!s)
		return mysqld_send_err(c, ER_UNKNOWN_STMT_HANDLER, "HY000",
			"Unknown prepared statement handler given to mysqld_stmt_execute") < 0 ? -1 : 1;
	if (s->long_err) {
		r = s->long_err == ER_NET_PACKET_TOO_LARGE
			? mysqld_send_err(c, ER_NET_PACKET_TOO_LARGE, "08S01",
				"Got a packet bigger than 'max_allowed_packet' bytes")
			: mysqld_send_err(c, ER_WRONG_ARGUMENTS, "HY000",
				"Incorrect arguments to mysqld_stmt_send_long_data");
		forget_longs(s);
		return r < 0 ? -1 : 1;
	}
	off = calloc(s->np ? s->np : 1, sizeof *off);
	len = calloc(s->np ? s->np : 1, sizeof *len);
	if (!off || !len)
		goto out;
	r = sl_mysqlproto_params(&rd, s->np, s->types, s->longs, &lits, off, len, msg, sizeof msg);
	if (r < 0)
		goto out;
	if (r == 0) {
		r = mysqld_send_err(c, r == 0 && *msg ? SL_SQL_ER_UNKNOWN : 1835, "HY000",
			*msg ? msg : "Malformed communication packet.");
		goto out;
	}
	if (substitute(s, &lits, off, len, &sql) < 0) {
		r = -1;
		goto out;
	}
	c->binary = 1;
	r = mysqld_statement(c, sql.p, sql.len);
	c->binary = 0;
out:
	if (s)
		forget_longs(s);
	free(off);
	free(len);
	sl_buf_free(&lits);
	sl_buf_free(&sql);
	return r < 0 ? -1 : 1;
}

/* COM_STMT_CLOSE: no answer. */
int mysqld_stmt_close(mysqld_conn *c)
{
	sl_mysqlproto_rd rd;
	mysqld_stmt *s = lookup(c, &rd);

	if (s)
		release(s);
	return 1;
}

int mysqld_stmt_reset(mysqld_conn *c)
{
	sl_mysqlproto_rd rd;
	mysqld_stmt *s = lookup(c, &rd);

	if (!s)
		return mysqld_send_err(c, ER_UNKNOWN_STMT_HANDLER, "HY000",
			"Unknown prepared statement handler given to mysqld_stmt_reset") < 0 ? -1 : 1;
	forget_longs(s);
	return mysqld_send_ok(c, 0, 0, NULL);
}

/* COM_STMT_SEND_LONG_DATA: a piece of a parameter, appended to what came
 * before for it (statement id, parameter number, the bytes). No answer: a
 * piece too many (over max_allowed_packet in all) or for a parameter the
 * statement does not have is the next EXECUTE's error, as in MySQL. */
int mysqld_stmt_long_data(mysqld_conn *c)
{
	sl_mysqlproto_rd rd;
	mysqld_stmt *s = lookup(c, &rd);
	unsigned i;
	size_t n;

	if (!s)
		return 1;
	i = (unsigned)sl_mysqlproto_get_int(&rd, 2);
	if (rd.bad || i >= s->np) {
		s->long_err = s->long_err ? s->long_err : ER_WRONG_ARGUMENTS;
		return 1;
	}
	n = rd.n - rd.off;
	if (s->long_err || s->long_bytes + n > c->cf->max_packet) {
		s->long_err = s->long_err ? s->long_err : ER_NET_PACKET_TOO_LARGE;
		return 1;
	}
	if (!s->longs && !(s->longs = calloc(s->np, sizeof *s->longs)))
		return -1;
	/* reserve: p is set even for an empty piece (the parameter was sent) */
	if (sl_buf_reserve(&s->longs[i], n + 1) < 0 || sl_buf_put(&s->longs[i], rd.p + rd.off, n) < 0)
		return -1;
	s->long_bytes += n;
	return 1;
}

void mysqld_stmt_free_all(mysqld_conn *c)
{
	size_t i;

	for (i = 0; i < c->nstmts; i++)
		release(&c->stmts[i]);
	free(c->stmts);
	c->stmts = NULL;
	c->nstmts = 0;
}
