/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bodyrate.h -- the minimum body rate of a load (bodyrate.c): a timer
 * signal that watches the connection while a load runs and cancels it
 * (sl_load_cancel, then shutdown of the read side) when the client sends
 * less than body_min_rate bytes a second over body_min_rate_window_s
 * seconds of waiting for it.
 */
#ifndef SL_HTTPD_BODYRATE_H
#define SL_HTTPD_BODYRATE_H

#include <signal.h>
#include <stdint.h>
#include <time.h>
#include "serve.h"

typedef struct httpd_rate {
	timer_t timer;
	struct sigaction old;
	int running;
	volatile sig_atomic_t cut, done;
	int fd;
	hreq *rq;
	int64_t base, need, last, got, waited, min_rate, window_s;
} httpd_rate;

/* 1 watching, 0 not (off, not TCP). */
int httpd_rate_start(httpd_rate *w, hconn *h, hreq *rq);
/* 1 when the watch cut the load. */
int httpd_rate_stop(httpd_rate *w);

#endif
