/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bodyrate.c -- the minimum body rate of a load (sl.conf
 * http_body_min_rate_bytes over http_body_min_rate_window_second). The
 * per-read timeout alone lets a client that sends one byte every few
 * seconds hold a connection for the whole load timeout (3 days).
 *
 * A timer signal watches the connection while the load runs, whoever
 * reads it (this process, or sl-parse when the body was handed over): once
 * a second it reads the socket's byte count (TCP_INFO) and its receive
 * queue. Only the seconds in which the queue was empty count, those in
 * which the load was waiting for the client: a slow pipeline (back
 * pressure) never makes a client "slow". When the counted seconds reach
 * the window with fewer than rate * window bytes in them, the load is
 * cancelled with a NETWORK_ERROR and the connection's read side shut, so
 * a read blocked on the client returns at once. The watch ends when the
 * whole body has arrived (Content-Length) or was read (chunked).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <linux/tcp.h>

#include "load.h"
#include "status.h"
#include "bodyrate.h"

static char slow_msg[256];

/* Bytes the connection has received so far; -1 not a TCP socket. */
static int64_t received(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received)
		return -1;
	return (int64_t)ti.tcpi_bytes_received;
}

static httpd_rate *volatile g_w;

/* Decimal of v at p (v >= 0), async-signal-safe; returns the end. */
static char *put_num(char *p, int64_t v)
{
	char t[24];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof t);
	while (n)
		*p++ = t[--n];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* Once a second, in the signal handler: only system calls and
 * sl_load_cancel (async-signal-safe). */
static void tick(int sig)
{
	httpd_rate *w = g_w;
	int64_t now;
	int inq = 0, e = errno;
	char *m;

	(void)sig;
	if (!w || w->done)
		goto out;
	if (__atomic_load_n(&w->rq->body_done, __ATOMIC_ACQUIRE) || (now = received(w->fd)) < 0 ||
	    (w->need >= 0 && now - w->base >= w->need) || ioctl(w->fd, SIOCINQ, &inq) < 0) {
		w->done = 1;    /* the whole body is in (or cannot be watched) */
		goto out;
	}
	if (inq == 0) {
		/* we wait for the client: this second counts */
		w->waited++;
		w->got += now - w->last;
	}
	w->last = now;
	if (w->waited < w->window_s)
		goto out;
	if (w->got < w->min_rate * w->window_s) {
		m = put_str(slow_msg, SL_E_NETWORK_ERROR "receive body too slow: ");
		m = put_num(m, w->got);
		m = put_str(m, " bytes in ");
		m = put_num(m, w->waited);
		m = put_str(m, " s, less than http_body_min_rate_bytes ");
		m = put_num(m, w->min_rate);
		m = put_str(m, " per second");
		*m = 0;
		w->cut = w->done = 1;
		/* the stages die before the body can look whole */
		sl_load_cancel(slow_msg);
		shutdown(w->fd, SHUT_RD);
		goto out;
	}
	w->waited = w->got = 0;
out:
	errno = e;
}

int httpd_rate_start(httpd_rate *w, hconn *h, hreq *rq)
{
	struct sigaction sa;
	struct sigevent ev;
	struct itimerspec it;

	memset(w, 0, sizeof w[0]);
	if (h->c->body_min_rate <= 0 || (w->base = received(h->in)) < 0)
		return 0;       /* off, or not TCP (inetd on a pipe): nothing to watch */
	w->fd = h->in;
	w->rq = rq;
	w->last = w->base;
	w->min_rate = h->c->body_min_rate;
	w->window_s = h->c->body_min_rate_window_s;
	/* Content-Length: the bytes still to arrive (the buffered ones are in) */
	w->need = rq->has_cl && !rq->has_te ? rq->body_left - (int64_t)h->ilen : -1;
	/* a timer signal, not a thread: the stages are forked without exec,
	 * and a fork beside a running thread may copy a lock it holds */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tick;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN + 2;
	g_w = w;
	if (sigaction(SIGRTMIN + 2, &sa, &w->old) < 0)
		goto fail;
	if (timer_create(CLOCK_MONOTONIC, &ev, &w->timer) < 0) {
		sigaction(SIGRTMIN + 2, &w->old, NULL);
		goto fail;
	}
	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = it.it_interval.tv_sec = 1;
	timer_settime(w->timer, 0, &it, NULL);
	w->running = 1;
	return 1;
fail:
	g_w = NULL;
	httpd_log(h, 1, "unable to watch the body rate: %s", strerror(errno));
	return 0;
}

int httpd_rate_stop(httpd_rate *w)
{
	if (w->running) {
		timer_delete(w->timer);
		sigaction(SIGRTMIN + 2, &w->old, NULL);
		g_w = NULL;
		w->running = 0;
	}
	return w->cut;
}
