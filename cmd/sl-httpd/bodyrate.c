/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bodyrate.c -- the minimum body rate of a load (sl.conf
 * http_body_min_rate_bytes over http_body_min_rate_window_second). The
 * per-read timeout alone lets a client that sends one byte every few
 * seconds hold a connection for the whole load timeout (3 days).
 *
 * A thread watches the connection while the load runs, whoever reads it
 * (this process, or sl-parse when the body was handed over): once a
 * second it reads the socket's byte count (TCP_INFO) and its receive
 * queue. Only the seconds in which the queue was empty count, those in
 * which the load was waiting for the client: a slow pipeline (back
 * pressure) never makes a client "slow". When the counted seconds reach
 * the window with fewer than rate * window bytes in them, the load is
 * cancelled with a NETWORK_ERROR and the connection's read side shut, so
 * a read blocked on the client returns at once. The watch ends when the
 * whole body has arrived (Content-Length) or was read (chunked).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <linux/tcp.h>

#include "load.h"
#include "core.h"

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

static void *watch(void *arg)
{
	httpd_rate *w = arg;
	int64_t last = w->base, got = 0, waited = 0;
	int64_t need = w->min_rate * w->window_s;

	for (;;) {
		struct pollfd p = { w->stop[0], POLLIN, 0 };
		int64_t now;
		int inq = 0;

		if (poll(&p, 1, 1000) != 0)
			break;          /* stopped (or poll failed: stop watching) */
		if (__atomic_load_n(&w->rq->body_done, __ATOMIC_ACQUIRE) || (now = received(w->fd)) < 0)
			break;
		if (w->need >= 0 && now - w->base >= w->need)
			break;          /* the whole body is in: the client is done */
		if (ioctl(w->fd, SIOCINQ, &inq) < 0)
			break;
		if (inq == 0) {
			/* we wait for the client: this second counts */
			waited++;
			got += now - last;
		}
		last = now;
		if (waited < w->window_s)
			continue;
		if (got < need) {
			snprintf(slow_msg, sizeof slow_msg, "[NETWORK_ERROR]receive body too slow: %" PRId64
				" bytes in %" PRId64 " s, less than http_body_min_rate_bytes %" PRId64 " per second",
				got, waited, w->min_rate);
			__atomic_store_n(&w->cut, 1, __ATOMIC_RELEASE);
			/* the stages die before the body can look whole */
			sl_load_cancel(slow_msg);
			shutdown(w->fd, SHUT_RD);
			break;
		}
		waited = got = 0;
	}
	return NULL;
}

int httpd_rate_start(httpd_rate *w, hconn *h, hreq *rq)
{
	sigset_t all, old;
	int r;

	memset(w, 0, sizeof w[0]);
	w->stop[0] = w->stop[1] = -1;
	if (h->c->body_min_rate <= 0 || (w->base = received(h->in)) < 0)
		return 0;       /* off, or not TCP (inetd on a pipe): nothing to watch */
	w->fd = h->in;
	w->rq = rq;
	w->min_rate = h->c->body_min_rate;
	w->window_s = h->c->body_min_rate_window_s;
	/* Content-Length: the bytes still to arrive (the buffered ones are in) */
	w->need = rq->has_cl && !rq->has_te ? rq->body_left - (int64_t)h->ilen : -1;
	if (pipe2(w->stop, O_CLOEXEC) < 0)
		return 0;
	/* every signal stays with the main thread (the alarms, SIGPIPE) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->th, NULL, watch, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		close(w->stop[0]);
		close(w->stop[1]);
		w->stop[0] = w->stop[1] = -1;
		httpd_log(h, 1, "unable to watch the body rate: %s", strerror(r));
		return 0;
	}
	w->running = 1;
	return 1;
}

int httpd_rate_stop(httpd_rate *w)
{
	char b = 0;

	if (w->running) {
		if (write(w->stop[1], &b, 1) < 0)
			(void)0;        /* a full pipe wakes it all the same */
		pthread_join(w->th, NULL);
		w->running = 0;
	}
	if (w->stop[0] >= 0) {
		close(w->stop[0]);
		close(w->stop[1]);
		w->stop[0] = w->stop[1] = -1;
	}
	return __atomic_load_n(&w->cut, __ATOMIC_ACQUIRE);
}
