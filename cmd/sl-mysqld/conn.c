/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conn.c -- one sl-mysqld connection: its packets with timeouts and the
 * packet size limit, the handshake, mysql_native_password authentication
 * against the store's users, and the command loop.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "msg.h"
#include "accesslog.h"
#include "auth.h"
#include "sql.h"
#include "mysqlproto.h"
#include "mysqld.h"

#define FLUSH_AT (64 * 1024)

/* Wait until fd is ready for events or ms pass: 1, or -1 ETIMEDOUT/errno. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 1 : -1;
}

/* Read exactly n bytes; the first byte may wait first_ms, the rest
 * c->cf->read_ms. 1; 0 end of file before any byte; -1 errno (EPROTO: end
 * of file within). */
static int read_full(mysqld_conn *c, void *buf, size_t n, int first_ms)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r;
		if (wait_fd(c->rfd, POLLIN, got || first_ms < 0 ? c->cf->read_ms : first_ms) < 0)
			return -1;
		r = read(c->rfd, p + got, n - got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			if (!got)
				return 0;
			errno = EPROTO;
			return -1;
		}
		got += (size_t)r;
	}
	return 1;
}

int mysqld_read(mysqld_conn *c, int idle)
{
	unsigned char h[4];
	size_t len, total = 0;
	uint8_t seq;
	int r, first = 1;

	c->pay.len = 0;
	for (;;) {
		r = read_full(c, h, 4, first ? (idle ? c->cf->idle_ms : c->cf->read_ms) : -1);
		if (r <= 0) {
			if (r == 0 && !first) {
				errno = EPROTO;
				return -1;
			}
			return r;
		}
		sl_mysqlproto_header(h, 4, &len, &seq);
		if (seq != c->seq) {
			errno = EPROTO;
			return -1;
		}
		c->seq = (uint8_t)(c->seq + 1);
		total += len;
		if (total > c->cf->max_packet) {
			errno = EMSGSIZE;
			return -1;
		}
		if (sl_buf_reserve(&c->pay, len) < 0)
			return -1;
		if (len && (r = read_full(c, c->pay.p + c->pay.len, len, -1)) <= 0) {
			if (r == 0)
				errno = EPROTO;
			return -1;
		}
		c->pay.len += len;
		first = 0;
		if (len < SL_MYSQL_PACKET_MAX)
			return 1;
	}
}

int mysqld_flush(mysqld_conn *c)
{
	size_t off = 0;

	while (off < c->out.len) {
		ssize_t w;
		if (wait_fd(c->wfd, POLLOUT, c->cf->read_ms) < 0)
			return -1;
		w = write(c->wfd, c->out.p + off, c->out.len - off);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0)
			return -1;
		off += (size_t)w;
	}
	c->out.len = 0;
	return 1;
}

int mysqld_send(mysqld_conn *c)
{
	if (sl_mysqlproto_frame(&c->out, c->pay.p, c->pay.len, &c->seq) < 0)
		return -1;
	c->pay.len = 0;
	return c->out.len >= FLUSH_AT ? mysqld_flush(c) : 1;
}

int mysqld_send_err(mysqld_conn *c, unsigned code, const char *state, const char *msg)
{
	c->pay.len = 0;
	if (sl_mysqlproto_err(&c->pay, code, state, msg) < 0 || mysqld_send(c) < 0)
		return -1;
	return mysqld_flush(c);
}

int mysqld_send_ok(mysqld_conn *c, uint64_t affected, uint16_t warnings, const char *info)
{
	c->pay.len = 0;
	if (sl_mysqlproto_ok(&c->pay, affected, 0, c->status, warnings, info) < 0)
		return -1;
	return mysqld_send(c);
}

int mysqld_send_eof(mysqld_conn *c)
{
	int r;

	c->pay.len = 0;
	if (c->caps & SL_MYSQL_CLIENT_DEPRECATE_EOF)
		r = sl_mysqlproto_ok_eof(&c->pay, c->status, 0);
	else
		r = sl_mysqlproto_eof(&c->pay, 0, c->status);
	return r < 0 ? -1 : mysqld_send(c);
}

/* 20 random bytes in 1..127: the scramble is also sent NUL-terminated. */
static int make_scramble(unsigned char s[20])
{
	size_t i;

	if (getrandom(s, 20, 0) != 20)
		return -1;
	for (i = 0; i < 20; i++) {
		s[i] &= 0x7f;
		if (!s[i])
			s[i] = 1;
	}
	return 1;
}

/* The password check; when the client named another plugin, ask it to
 * switch to mysql_native_password first. 1 ok; 0 refused (answered); -1. */
static int authenticate(mysqld_conn *c, sl_mysqlproto_login *lg, unsigned char scramble[20])
{
	char msg[512];
	int r;

	if (lg->plugin[0] && strcmp(lg->plugin, "mysql_native_password")) {
		c->pay.len = 0;
		if (make_scramble(scramble) < 0 ||
		    sl_mysqlproto_auth_switch(&c->pay, "mysql_native_password", scramble) < 0 ||
		    mysqld_send(c) < 0 || mysqld_flush(c) < 0 || mysqld_read(c, 0) <= 0)
			return -1;
		if (c->pay.len > sizeof lg->auth)
			return mysqld_send_err(c, SL_SQL_ER_ACCESS_DENIED, "28000",
				"Bad handshake") < 0 ? -1 : 0;
		memcpy(lg->auth, c->pay.p, c->pay.len);
		lg->authn = c->pay.len;
	}
	r = sl_auth_user_valid(lg->user) ?
		sl_auth_check_native(&c->st, lg->user, scramble, 20, lg->auth, lg->authn) : 0;
	if (r == 1)
		return 1;
	if (r < 0) {
		snprintf(msg, sizeof msg, "unable to check the password of '%s': %s", lg->user,
			strerror(errno));
		return mysqld_send_err(c, SL_SQL_ER_UNKNOWN, "HY000", msg) < 0 ? -1 : 0;
	}
	if (r == 2)
		snprintf(msg, sizeof msg, "Access denied for user '%s'@'%s': the password of this "
			"user was set before sl-mysqld kept MySQL verifiers; set it again "
			"(SET PASSWORD FOR '%s' = PASSWORD('...')) to log in here",
			lg->user, c->ip, lg->user);
	else
		snprintf(msg, sizeof msg, "Access denied for user '%s'@'%s' (using password: %s)",
			lg->user, c->ip, lg->authn ? "YES" : "NO");
	if (c->cf->verbosity >= 1)
		sl_warn("%s", msg);
	return mysqld_send_err(c, SL_SQL_ER_ACCESS_DENIED, "28000", msg) < 0 ? -1 : 0;
}

int mysqld_login(mysqld_conn *c)
{
	const uint32_t caps = SL_MYSQL_CLIENT_LONG_PASSWORD | SL_MYSQL_CLIENT_FOUND_ROWS |
		SL_MYSQL_CLIENT_LONG_FLAG | SL_MYSQL_CLIENT_CONNECT_WITH_DB |
		SL_MYSQL_CLIENT_NO_SCHEMA | SL_MYSQL_CLIENT_IGNORE_SPACE |
		SL_MYSQL_CLIENT_PROTOCOL_41 | SL_MYSQL_CLIENT_INTERACTIVE |
		SL_MYSQL_CLIENT_TRANSACTIONS | SL_MYSQL_CLIENT_SECURE_CONNECTION |
		SL_MYSQL_CLIENT_MULTI_STATEMENTS | SL_MYSQL_CLIENT_MULTI_RESULTS |
		SL_MYSQL_CLIENT_PS_MULTI_RESULTS | SL_MYSQL_CLIENT_PLUGIN_AUTH |
		SL_MYSQL_CLIENT_CONNECT_ATTRS | SL_MYSQL_CLIENT_PLUGIN_AUTH_LENENC |
		SL_MYSQL_CLIENT_DEPRECATE_EOF;
	unsigned char scramble[20];
	sl_mysqlproto_login lg;
	int r;

	c->seq = 0;
	c->pay.len = 0;
	if (make_scramble(scramble) < 0 ||
	    sl_mysqlproto_handshake(&c->pay, MYSQLD_VERSION, c->id, scramble, caps, c->status) < 0 ||
	    mysqld_send(c) < 0 || mysqld_flush(c) < 0)
		return -1;
	if ((r = mysqld_read(c, 0)) <= 0)
		return r < 0 ? -1 : 0;
	if (!sl_mysqlproto_parse_login(c->pay.p, c->pay.len, &lg))
		return mysqld_send_err(c, 1043, "08S01", "Bad handshake") < 0 ? -1 : 0;
	if (lg.ssl_request)
		return mysqld_send_err(c, 1043, "08S01",
			"TLS is not supported yet by sl-mysqld") < 0 ? -1 : 0;
	c->caps = lg.caps & caps;
	if ((r = authenticate(c, &lg, scramble)) <= 0)
		return r;
	if (sl_sql_set_user(&c->q, lg.user) < 0)
		return -1;
	if (lg.db[0]) {
		if ((r = mysqld_use(c, lg.db, strlen(lg.db))) <= 0)
			return r;
		c->q.info[0] = 0;
	}
	if (mysqld_send_ok(c, 0, 0, NULL) < 0)
		return -1;
	return mysqld_flush(c);
}

/* Why a connection ended: its access log line (accesslog.h), as sl-httpd's. */
static void log_end(mysqld_conn *c, const char *what)
{
	sl_accesslog e;
	char line[1024];

	if (c->cf->verbosity < 2)
		return;
	sl_accesslog_init(&e);
	e.time_ms = c->start_ms;
	e.client = c->ip;
	e.user = c->q.user;
	e.method = "connection";
	e.route = "mysql";
	e.status = what;
	e.duration_ms = sl_now_ms() - c->start_ms;
	sl_accesslog_format(&e, line, sizeof line);
	sl_info("%s", line);
}

int mysqld_serve(const mysqld_conf *cf, int rfd, int wfd, const char *ip, uint32_t id)
{
	mysqld_conn c;
	int r, status = SL_EXIT_OK;

	memset(&c, 0, sizeof c);
	c.cf = cf;
	c.rfd = rfd;
	c.wfd = wfd;
	c.id = id;
	c.status = SL_MYSQL_STATUS_AUTOCOMMIT;
	c.next_stmt = 1;
	c.start_ms = sl_now_ms();
	snprintf(c.ip, sizeof c.ip, "%s", ip);
	if (sl_store_open(&c.st, cf->data_dir) < 0) {
		sl_warnsys("unable to open the data directory %s", cf->data_dir);
		return SL_EXIT_TEMP;
	}
	sl_sql_init(&c.q, &c.st);
	r = mysqld_login(&c);
	while (r > 0) {
		c.seq = 0;
		r = mysqld_read(&c, 1);
		if (r <= 0)
			break;
		if (!c.pay.len) {
			errno = EPROTO;
			r = -1;
			break;
		}
		r = mysqld_command(&c);
		if (r > 0 && mysqld_flush(&c) < 0)
			r = -1;
	}
	if (r < 0) {
		log_end(&c, errno == ETIMEDOUT ? "timed out" : errno == EMSGSIZE ?
			"packet larger than max_allowed_packet" : errno == EPROTO ?
			"malformed packet" : strerror(errno));
		if (errno == EMSGSIZE) {
			c.out.len = 0;
			mysqld_send_err(&c, 1153, "08S01",
				"Got a packet bigger than 'max_allowed_packet' bytes");
		}
		status = SL_EXIT_TEMP;
	} else
		log_end(&c, "closed");
	mysqld_stmt_free_all(&c);
	sl_sql_free(&c.q);
	sl_store_close(&c.st);
	sl_buf_free(&c.pay);
	sl_buf_free(&c.out);
	sl_buf_free(&c.tmp);
	free(c.coltypes);
	return status;
}
