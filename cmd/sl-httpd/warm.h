/* SPDX-License-Identifier: Apache-2.0 */
/*
 * warm.h -- a connection process kept for the next connection (sl.conf
 * http_warm_processes). A process whose connection ended with every
 * request answered by a route that left it as it found it (serve.h
 * httpd_keep_warm: a small group commit load whose stages ran in it) and
 * that still looks as it started (its fds, one thread, its heap, its
 * count of connections) tells the accept loop so over its control socket
 * and waits there; the accept loop hands it its next connection (the fd
 * itself, SCM_RIGHTS) instead of forking a new process. The fork, the
 * exit and the page faults of a new process are most of what a small
 * load costs.
 */
#ifndef SL_HTTPD_WARM_H
#define SL_HTTPD_WARM_H

#include <stddef.h>

/* A process serves at most this many connections, and keeps going only
 * while its heap holds at most this many bytes (what a stage that ended
 * itself had allocated stays allocated: spawn.h). */
#define HTTPD_WARM_CONN_MAX 10000
#define HTTPD_WARM_HEAP_MAX ((size_t)64 << 20)

/* The control socket's two ends, close-on-exec: [0] the accept loop's,
 * [1] the connection process's. 0; -1 errno. */
int httpd_warm_pair(int sv[2]);

/* What the process looked like as it began serving its first connection
 * (its fd count, the connection's among them): as it begins every one. */
typedef struct httpd_warm_base {
	int fds;
} httpd_warm_base;
void httpd_warm_note(httpd_warm_base *b);
/* 1 when the process, its connection's fd closed, may serve the next
 * one: served < HTTPD_WARM_CONN_MAX, its fds as at b less the
 * connection's, one thread, its heap within HTTPD_WARM_HEAP_MAX; else 0,
 * why says why. */
int httpd_warm_fit(const httpd_warm_base *b, size_t served, const char **why);

/* The accept loop: connection fd cfd (kept open here) and its client to
 * the process at ctl. 0; -1 errno (the process is gone). */
int httpd_warm_pass(int ctl, int cfd, const char *ip, const char *port);
/* The connection process: say it is free, then wait for its next
 * connection: its fd (close-on-exec), ip and port filled ("" unknown);
 * -1 when the accept loop closed ctl (or an error): the process ends. */
int httpd_warm_take(int ctl, char *ip, size_t ipcap, char *port, size_t portcap);
/* The accept loop: what came on ctl from a busy process: 1 it is free,
 * 0 it is gone (it ends), -1 nothing yet. */
int httpd_warm_heard(int ctl);

#endif
