/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scrape.c -- the --metrics responder of sl-mysqld (scrape.h). It runs in
 * a process forked for the connection, so a slow or hostile scraper never
 * holds the MySQL accept loop: the read has a deadline and a size bound,
 * the write a send timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "scrape.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The request head into buf (NUL-terminated): 1 whole; 0 the peer closed
 * or the deadline passed; -1 larger than the buffer. */
static int read_head(int fd, char *buf, size_t cap)
{
	int64_t end = mono_ms() + MYSQLD_SCRAPE_MS;
	size_t n = 0;

	buf[0] = 0;
	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };
		int64_t left = end - mono_ms();
		ssize_t r;
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return 1;
		if (n == cap - 1)
			return -1;
		if (left <= 0)
			return 0;
		r = poll(&pf, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		n += (size_t)r;
		buf[n] = 0;
	}
}

/* GET or HEAD of /metrics (a query string allowed): 2 HEAD, 1 GET, 0 not. */
static int is_metrics(const char *head)
{
	int headonly = !strncmp(head, "HEAD ", 5);
	const char *p = headonly ? head + 5 : !strncmp(head, "GET ", 4) ? head + 4 : NULL;

	if (!p || strncmp(p, "/metrics", 8))
		return 0;
	p += 8;
	if (*p != ' ' && *p != '?')
		return 0;
	return headonly ? 2 : 1;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		p += r;
		n -= (size_t)r;
	}
}

static void answer(int fd, int code, const char *reason, const char *type, const char *body, size_t n,
	int headonly)
{
	char head[256];
	int k = snprintf(head, sizeof head, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		"Connection: close\r\n\r\n", code, reason, type, n);

	send_all(fd, head, (size_t)k);
	if (!headonly)
		send_all(fd, body, n);
}

void mysqld_scrape_serve(sl_metrics *m, int fd)
{
	static const char nf[] = "404 page not found: this address serves GET /metrics only\n";
	static const char big[] = "request header too large\n";
	char buf[MYSQLD_SCRAPE_MAX + 1];
	struct timeval tv = { MYSQLD_SCRAPE_MS / 1000, 0 };
	sl_buf b = SL_BUF_ZERO;
	int r = read_head(fd, buf, sizeof buf), which;

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (r < 0)
		answer(fd, 431, "Request Header Fields Too Large", "text/plain", big, sizeof big - 1, 0);
	else if (r > 0 && !(which = is_metrics(buf)))
		answer(fd, 404, "Not Found", "text/plain", nf, sizeof nf - 1, 0);
	else if (r > 0 && sl_metrics_format_mysql(m, &b) < 0)
		answer(fd, 500, "Internal Server Error", "text/plain", "out of memory\n", 14, which == 2);
	else if (r > 0)
		answer(fd, 200, "OK", SL_METRICS_CONTENT_TYPE, b.p, b.len, which == 2);
	sl_buf_free(&b);
	shutdown(fd, SHUT_WR);
	close(fd);
}
