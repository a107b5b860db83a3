/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conn.c -- one sl-mysqld connection: its packets with timeouts and the
 * packet size limit, plain or over TLS (after the client's SSL request), the
 * handshake, mysql_native_password authentication against the store's
 * users, and the command loop.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "msg.h"
#include "accesslog.h"
#include "auth.h"
#include "sql.h"
#include "mysqlproto.h"
#include "tls.h"
#include "mysqld.h"

#define FLUSH_AT (64 * 1024)
/* MySQL's ER_SECURE_TRANSPORT_REQUIRED */
#define ER_SECURE_TRANSPORT 3159

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

/* Read n bytes into p, or write n bytes from p. The first wait may last
 * first_ms (-1: c->cf->read_ms), the later ones c->cf->read_ms. Plain: a
 * poll before each call (the fd blocks). TLS: the call first, as bytes may
 * be decrypted already (SSL_pending) and the socket then says nothing; a
 * poll for what it wants next. 1; 0 end of file before any byte; -1 errno
 * (EPROTO: end of file within). */
static int xfer(mysqld_conn *c, int wr, char *p, size_t n, int first_ms)
{
	short ev = wr ? POLLOUT : POLLIN;
	size_t done = 0;
	int wait = !c->tls, waited = 0;

	while (done < n) {
		ssize_t r;
		if (wait && wait_fd(ev == POLLOUT ? c->wfd : c->rfd, ev,
			done || waited || first_ms < 0 ? c->cf->read_ms : first_ms) < 0)
			return -1;
		waited |= wait;
		if (c->tls)
			r = wr ? sl_tls_write(c->tls, p + done, n - done, &ev)
				: sl_tls_read(c->tls, p + done, n - done, &ev);
		else
			r = wr ? write(c->wfd, p + done, n - done) : read(c->rfd, p + done, n - done);
		if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
			wait = !c->tls || errno == EAGAIN;
			continue;
		}
		if (r < 0)
			return -1;
		if (r == 0) {
			if (!done)
				return 0;
			errno = EPROTO;
			return -1;
		}
		done += (size_t)r;
		wait = !c->tls;
	}
	return 1;
}

static int read_full(mysqld_conn *c, void *buf, size_t n, int first_ms)
{
	return xfer(c, 0, buf, n, first_ms);
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
	if (c->out.len && xfer(c, 1, c->out.p, c->out.len, -1) < 0)
		return -1;
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
	c->errs++;
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
	sl_metrics_auth_failure(c->cf->metrics);
	return mysqld_send_err(c, SL_SQL_ER_ACCESS_DENIED, "28000", msg) < 0 ? -1 : 0;
}

/* The client's SSL request came: the TLS handshake on the connection,
 * then its handshake response over TLS into lg. 1; 0 refused (answered)
 * or closed; -1. */
static int start_tls(mysqld_conn *c, sl_mysqlproto_login *lg)
{
	char e[256];
	short ev = POLLIN;
	int r;

	if (!c->cf->tls)
		return mysqld_send_err(c, 1043, "08S01", "Bad handshake: this server does not "
			"offer TLS (start it with --tls-cert and --tls-key)") < 0 ? -1 : 0;
	if (!(c->tls = sl_tls_new(c->cf->tls, c->rfd, c->wfd)))
		return -1;
	while ((r = sl_tls_accept(c->tls, &ev)) < 0 && (errno == EAGAIN || errno == EINTR))
		if (errno == EAGAIN && wait_fd(ev == POLLOUT ? c->wfd : c->rfd, ev, c->cf->read_ms) < 0)
			return -1;
	if (r < 0) {
		if (c->cf->verbosity >= 1)
			sl_warn("connection %u from %s: TLS handshake failed: %s", c->id, c->ip,
				errno == EPROTO ? sl_tls_error(e, sizeof e) : strerror(errno));
		/* nothing more can be said to the client: not over TLS */
		sl_tls_close(c->tls);
		c->tls = NULL;
		errno = ECONNABORTED;
		return -1;
	}
	if (c->cf->verbosity >= 2)
		sl_info("connection %u from %s: %s, %s", c->id, c->ip, sl_tls_version(c->tls),
			sl_tls_cipher(c->tls));
	if ((r = mysqld_read(c, 0)) <= 0)
		return r < 0 ? -1 : 0;
	if (!sl_mysqlproto_parse_login(c->pay.p, c->pay.len, lg) || lg->ssl_request)
		return mysqld_send_err(c, 1043, "08S01", "Bad handshake") < 0 ? -1 : 0;
	return 1;
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
		SL_MYSQL_CLIENT_DEPRECATE_EOF | (c->cf->tls ? SL_MYSQL_CLIENT_SSL : 0);
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
	/* the SSL request is packet 1; the response comes over TLS as 2 */
	if (lg.ssl_request && (r = start_tls(c, &lg)) <= 0)
		return r;
	if (!c->tls && c->cf->require_secure)
		return mysqld_send_err(c, ER_SECURE_TRANSPORT, "HY000", "Connections using "
			"insecure transport are prohibited while --require_secure_transport=ON.")
			< 0 ? -1 : 0;
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

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One command, counted: its name, ERR or not, and for a statement
 * (COM_QUERY, COM_STMT_EXECUTE) its duration to the end of the answer. */
static int counted_command(mysqld_conn *c)
{
	unsigned char com = (unsigned char)c->pay.p[0];
	unsigned errs = c->errs;
	int64_t t0 = mono_us();
	int r = mysqld_command(c);

	if (r > 0 && mysqld_flush(c) < 0)
		r = -1;
	if (r >= 0 && com != SL_MYSQL_COM_QUIT)
		sl_metrics_command(c->cf->metrics, mysqld_command_name(com), c->errs == errs,
			com == SL_MYSQL_COM_QUERY || com == SL_MYSQL_COM_STMT_EXECUTE, mono_us() - t0);
	return r;
}

/* A connection the server ends on the client's error (a packet over
 * max_allowed_packet, a malformed one, a failed TLS handshake), its
 * answer sent: the writing side is shut, and what the client still sends
 * is read and dropped for a moment (LINGER_MS, LINGER_BYTES at most)
 * before the close. A socket closed with bytes unread answers them with a
 * reset, which can destroy the answer before the client has read it. */
#define LINGER_MS 1000
#define LINGER_BYTES (1u << 20)

static void linger_close(int rfd, int wfd)
{
	int64_t end = sl_mono_ms() + LINGER_MS, left;
	size_t got = 0;
	char b[4096];

	if (shutdown(wfd, SHUT_WR) < 0)
		return;         /* not a socket (inetd on pipes): nothing to reset */
	while (got < LINGER_BYTES && (left = end - sl_mono_ms()) > 0) {
		struct pollfd p = { .fd = rfd, .events = POLLIN };
		ssize_t k;
		if (poll(&p, 1, (int)left) <= 0)
			return;
		k = read(rfd, b, sizeof b);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return;
		got += (size_t)k;
	}
}

int mysqld_serve(const mysqld_conf *cf, int rfd, int wfd, const char *ip, uint32_t id)
{
	mysqld_conn c;
	int r, status = SL_EXIT_OK, linger = 0;
	int flight = sl_metrics_load_begin(cf->metrics);

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
		sl_metrics_load_end(cf->metrics, flight);
		return SL_EXIT_TEMP;
	}
	sl_sql_init(&c.q, &c.st);
	c.q.have_ssl = cf->tls != NULL;
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
		r = counted_command(&c);
	}
	if (r < 0) {
		int e = errno;
		/* the client may be sending still: not after a timeout */
		linger = e == EMSGSIZE || e == EPROTO || e == ECONNABORTED;
		log_end(&c, errno == ETIMEDOUT ? "timed out" : errno == EMSGSIZE ?
			"packet larger than max_allowed_packet" : errno == EPROTO ?
			"malformed packet" : errno == ECONNABORTED ? "no TLS session" : strerror(errno));
		if (e == EMSGSIZE) {
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
	sl_tls_close(c.tls);
	sl_metrics_load_end(cf->metrics, flight);
	if (linger)
		linger_close(rfd, wfd);
	return status;
}
