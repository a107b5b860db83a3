/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c -- the outer layer of sl-httpd (STYLE.md item 11): options, where
 * the listening sockets come from, the privilege drop, and the accept loop.
 * The core (httpd_serve in serve.c) serves one connection on two fds and
 * hands each request to the routes (routes.c); this file only decides which
 * connection, as whom, and which routes.
 *
 *   --inetd             one connection on fds 0/1: inetd "nowait", systemd
 *                       Accept=yes, ucspi tcpserver / s6-tcpserver.
 *   default             an accept loop over the sockets of --listen (bound
 *                       here), of LISTEN_FDS/LISTEN_PID (systemd Accept=no,
 *                       fds from 3) or a listening socket on fd 0 (inetd
 *                       "wait"); 127.0.0.1:8030 when there is none.
 *
 * The order is the one of s6-tcpserver and tcpserver: bind, drop privileges
 * (-U: setgroups, setgid, setuid, each checked), open the data directory as
 * the dropped user, refuse a non-loopback socket while root's password is
 * empty, print the ports (-1), then fork one process per connection, at most
 * -c at a time, reaping them through a self-pipe woken by SIGCHLD. A
 * process whose connection left it as it began offers itself for the next
 * one (warm.h): the loop hands it the next connection instead of forking.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builtin.h"
#include "sl.h"
#include "msg.h"
#include "hdr.h"
#include "store.h"
#include "auth.h"
#include "listen.h"
#include "httpd.h"
#include "routes.h"
#include "route_ops.h"
#include "warm.h"

#define USAGE "sl-httpd [--data-dir D] [--listen ADDR:PORT]... [-1] [-c MAXCONN] [-U user] [--inetd] [--redirect-to host:port[,host:port...]] [--allow-empty-root-password] [-v N]\n" \
	SL_HELP_DATA_DIR \
	"  --listen ADDR:PORT   listen there (repeatable; default 127.0.0.1:8030)\n" \
	"  -1                   once ready, print each listening port on standard output\n" \
	"  -c MAXCONN           serve at most MAXCONN connections at a time (default 200)\n" \
	"  -U user              after binding, become this user\n" \
	"  --inetd              serve one connection on descriptors 0 and 1, then exit\n" \
	"  --redirect-to host:port[,...]  redirect mode: answer loads 307 to these back ends in turn\n" \
	"  --allow-empty-root-password  listen beyond loopback even while root's password is empty\n" \
	"  -v N                 verbosity: 0 fatal errors, 1 warnings and authorizations, 2 per connection and request\n" \
	SL_HELP_STD \
	"See sl-httpd(8).\n"

#define DEFAULT_LISTEN  "127.0.0.1:8030"
#define DEFAULT_MAXCONN 200
#define MAX_MAXCONN     100000
#define MAX_LISTEN      64
#define MAX_REDIRECT    64
/* SIGTERM/SIGINT: stop accepting, wait GRACE_MS for the connections to end,
 * then SIGTERM their process groups, then SIGKILL after KILL_MS. A second
 * signal skips the wait. */
#define GRACE_MS        30000
#define KILL_MS         5000

typedef struct listener {
	int fd;
	int loopback;           /* 1: loopback or AF_UNIX */
	char name[80];          /* as given to --listen, else the bound address */
} listener;

enum { KID_BUSY, KID_IDLE, KID_GONE };

typedef struct child {
	pid_t pid;
	int ctl;                /* its control socket (warm.h), -1 none */
	int state;              /* KID_BUSY with a connection, KID_IDLE waiting
	                         * for one, KID_GONE ending */
	char client[80];        /* ip:port, for the logs */
	char ip[INET6_ADDRSTRLEN + 8];  /* for the per-client cap */
} child;

/* A connection accepted while every slot (-c) or its client's share
 * (http_max_connections_per_ip) is taken: it waits here, not in the
 * kernel's backlog, so that a health check among them is answered at once
 * (peeked, answered by this loop) and the others start, oldest first, as
 * slots free up. */
typedef struct parked {
	int fd;
	int decided;            /* its head is in and is not a health check */
	int64_t since;
	char ip[INET6_ADDRSTRLEN + 8], port[16];
} parked;

static listener lis[MAX_LISTEN];
static size_t nlis;
static child *kids;
static size_t nkids, kcap, nbusy, nidle, maxconn = DEFAULT_MAXCONN;
static parked *parks;
static size_t nparks, per_ip;
static int verbosity = 1;
static int selfpipe[2] = { -1, -1 };
static volatile sig_atomic_t stop_count;

/* ---- signals: a self-pipe wakes poll(2); handlers only write a byte ---- */

static void wake(void)
{
	int e = errno;
	char b = 0;
	ssize_t r = write(selfpipe[1], &b, 1);

	(void)r;                /* full pipe: a wake-up is pending anyway */
	errno = e;
}

static void on_chld(int sig) { (void)sig; wake(); }
static void on_stop(int sig) { (void)sig; stop_count = stop_count + 1; wake(); }
/* A caught SIGPIPE, not SIG_IGN: exec resets it to the default for the
 * stages (STYLE.md item 9); EPIPE is handled where it happens. */
static void on_pipe(int sig) { (void)sig; }

static void catch(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = sig == SIGCHLD ? SA_NOCLDSTOP | SA_RESTART : SA_RESTART;
	if (sigaction(sig, &sa, NULL) < 0)
		sl_diesys(SL_EXIT_BUG, "unable to install a handler for signal %d", sig);
}

static void uncatch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* ---- small helpers ---- */

/* fds 0, 1 and 2 open, so that no socket or file ever lands on them. */
static void fd_std_ensure(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);
			if (n < 0)
				sl_diesys(SL_EXIT_TEMP, "unable to open /dev/null");
			if (n != fd) {
				if (dup2(n, fd) < 0)
					sl_diesys(SL_EXIT_TEMP, "unable to dup2");
				close(n);
			}
		}
}

static void fd_to_devnull(int fd)
{
	int n = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (n < 0 || dup2(n, fd) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open /dev/null");
	close(n);
}

/* Non-negative decimal within [lo, hi]; 1 ok, 0 not. */
/* ---- where the listening sockets come from ---- */

static void add_listener(int fd, const char *name)
{
	int fl;

	if (nlis == MAX_LISTEN)
		sl_die(SL_EXIT_USAGE, "too many listening sockets (at most %d)", MAX_LISTEN);
	/* Non-blocking: another process (Accept=no shared sockets) may take the
	 * connection between poll and accept. Accepted sockets do not inherit
	 * O_NONBLOCK on Linux. */
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to set the flags of %s", name);
	lis[nlis].fd = fd;
	lis[nlis].loopback = sl_listen_sock_loopback(fd);
	snprintf(lis[nlis].name, sizeof lis[nlis].name, "%s", name);
	nlis++;
}

static void bind_listen(const char *spec)
{
	char msg[256];
	int fd = sl_listen_bind(spec, msg, sizeof msg);

	if (fd < 0 && errno == EINVAL)
		sl_die(SL_EXIT_USAGE, "%s", msg);
	if (fd < 0)
		sl_diesys(sl_exit_for_errno(errno), "%s", msg);
	add_listener(fd, spec);
}

/* systemd socket activation, Accept=no (sd_listen_fds(3)): the sockets are
 * fds 3 .. 3+LISTEN_FDS-1 when LISTEN_PID is us. The variables are always
 * removed, so that no stage or connection process sees them. */
static void adopt_listen_fds(void)
{
	const char *spid = getenv("LISTEN_PID"), *sfds = getenv("LISTEN_FDS");
	long pid, n, i;
	int ok = spid && sfds && sl_listen_num(spid, 1, LONG_MAX, &pid) && pid == (long)getpid();

	if (ok && !sl_listen_num(sfds, 0, MAX_LISTEN, &n))
		sl_die(SL_EXIT_USAGE, "LISTEN_FDS is not a number of sockets (0..%d)", MAX_LISTEN);
	if (spid && !ok && verbosity >= 2)
		sl_info("LISTEN_PID is not our pid: ignoring LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!ok)
		return;
	for (i = 0; i < n; i++) {
		int fd = 3 + (int)i;
		char name[80];
		if (!sl_listen_is_listening(fd))
			sl_die(SL_EXIT_USAGE, "fd %d of LISTEN_FDS is not a listening stream socket", fd);
		sl_listen_sock_name(fd, name, sizeof name);
		add_listener(fd, name);
	}
}

/* --inetd under systemd Accept=yes also gets the connection as fd 3 with
 * LISTEN_FDS=1: keep it from the stages (FD_CLOEXEC) and drop LISTEN_*. */
static void inherited_cloexec(void)
{
	const char *spid = getenv("LISTEN_PID"), *sfds = getenv("LISTEN_FDS");
	long pid, n, i;

	if (spid && sfds && sl_listen_num(spid, 1, LONG_MAX, &pid) && pid == (long)getpid() &&
	    sl_listen_num(sfds, 0, MAX_LISTEN, &n))
		for (i = 0; i < n; i++)
			fcntl(3 + (int)i, F_SETFD, FD_CLOEXEC);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/* inetd "wait" style: a listening socket on fd 0 (and often 1 and 2). It
 * moves above 2 and /dev/null takes its place. */
static void adopt_fd0(void)
{
	char name[80];
	int fd, i;

	if (!sl_listen_is_listening(0))
		return;
	if ((fd = fcntl(0, F_DUPFD_CLOEXEC, 3)) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to move the socket of fd 0");
	for (i = 0; i <= 2; i++)
		if (sl_listen_is_listening(i))
			fd_to_devnull(i);
	sl_listen_sock_name(fd, name, sizeof name);
	add_listener(fd, name);
}

/* ---- privileges ---- */

/* Become user: supplementary groups, gid, uid, each checked; any failure
 * is fatal, so the process never runs half-dropped. */
static void drop_to(const char *user)
{
	char msg[256];

	if (sl_listen_drop(user, msg, sizeof msg) < 0) {
		if (errno == ENOENT)
			sl_die(SL_EXIT_USAGE, "%s", msg);
		sl_diesys(errno == EPERM ? SL_EXIT_BUG : sl_exit_for_errno(errno), "%s", msg);
	}
}

/* ---- the configuration every connection process inherits ---- */

static void parse_redirect(httpd_conf *c, const char *list)
{
	const char *p = list;

	if (!*list)
		sl_die(SL_EXIT_USAGE, "--redirect-to wants host:port[,host:port...]");
	if (!(c->redirect = calloc(MAX_REDIRECT, sizeof *c->redirect)))
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	c->nredirect = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		char one[300], host[256], port[16];
		long pv;
		size_t i;
		if (n == 0)
			sl_die(SL_EXIT_USAGE, "--redirect-to wants host:port[,host:port...]");
		if (c->nredirect == MAX_REDIRECT)
			sl_die(SL_EXIT_USAGE, "--redirect-to: at most %d back ends", MAX_REDIRECT);
		if (n >= sizeof one)
			sl_die(SL_EXIT_USAGE, "--redirect-to: not host:port: %.40s...", p);
		memcpy(one, p, n);
		one[n] = 0;
		if (!sl_listen_split(one, host, sizeof host, port, sizeof port) || !sl_listen_num(port, 1, 65535, &pv))
			sl_die(SL_EXIT_USAGE, "--redirect-to: not host:port: %s", one);
		for (i = 0; host[i]; i++)
			if (!isalnum((unsigned char)host[i]) && !strchr(".-_:%", host[i]))
				sl_die(SL_EXIT_USAGE, "--redirect-to: not host:port: %s", one);
		if (!(c->redirect[c->nredirect++] = strdup(one)))
			sl_diesys(SL_EXIT_TEMP, "out of memory");
		p += n;
		if (*p == ',' && !*++p)
			sl_die(SL_EXIT_USAGE, "--redirect-to wants host:port[,host:port...]");
	}
	/* Shared by every connection process: round-robin across the server,
	 * not per connection. */
	c->rr_counter = mmap(NULL, sizeof *c->rr_counter, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->rr_counter == MAP_FAILED)
		sl_diesys(SL_EXIT_TEMP, "unable to map the round-robin counter");
	*c->rr_counter = 0;
}

static void open_conf(httpd_conf *c, const char *dir)
{
	sl_store st;
	char **redirect = c->redirect;
	size_t nredirect = c->nredirect;
	volatile unsigned *rr = c->rr_counter;

	if (sl_store_open(&st, dir) < 0)
		sl_diesys(sl_exit_for_errno(errno), "unable to open the data directory %s", dir);
	memset(c, 0, sizeof *c);
	c->st = st;
	c->data_dir = c->st.dir;
	httpd_conf_defaults(c);
	/* ours, whatever the defaults did */
	c->st = st;
	c->data_dir = c->st.dir;
	c->verbosity = verbosity;
	c->redirect = redirect;
	c->nredirect = nredirect;
	c->rr_counter = rr;
	c->route = httpd_route;
	c->request_end = httpd_request_end;
}

/* Refuse a socket others can reach while root has no password, as Doris
 * would happily accept "root:" from anywhere. */
static void check_root_password(httpd_conf *c, const char *where)
{
	int empty;

	empty = sl_auth_root_empty(&c->st);
	if (empty == 0)
		return;
	if (empty < 0 && !c->allow_empty_root)
		sl_diesys(sl_exit_for_errno(errno), "refusing to serve on %s (not loopback):"
			" unable to read the users of %s", where, c->st.dir);
	if (!c->allow_empty_root)
		sl_die(SL_EXIT_USAGE, "refusing to serve on %s (not loopback) while root has an empty password:"
			" set one (sl-sql -e \"SET PASSWORD FOR 'root' = PASSWORD('...')\")"
			" or pass --allow-empty-root-password", where);
	if (verbosity >= 1)
		sl_warn("serving on %s (not loopback) while root has an empty password", where);
}

/* ---- one connection on fds 0/1: inetd, Accept=yes, tcpserver ---- */

static int serve_inetd(httpd_conf *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char ip[INET6_ADDRSTRLEN + 8] = "", port[16] = "";
	const char *eip, *eport;
	int one = 1, r;

	if (getpeername(0, (struct sockaddr *)&ss, &len) == 0 &&
	    sl_listen_addr_text(&ss, len, ip, sizeof ip, port, sizeof port)) {
		setsockopt(0, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	} else if ((eip = getenv("REMOTE_ADDR")) && *eip) {
		/* systemd Accept=yes */
		eport = getenv("REMOTE_PORT");
		sl_listen_safe_copy(ip, sizeof ip, eip);
		sl_listen_safe_copy(port, sizeof port, eport ? eport : "");
	} else if ((eip = getenv("TCPREMOTEIP")) && *eip) {
		/* ucspi-tcp tcpserver, s6-tcpserver */
		eport = getenv("TCPREMOTEPORT");
		sl_listen_safe_copy(ip, sizeof ip, eip);
		sl_listen_safe_copy(port, sizeof port, eport ? eport : "");
	}
	if (verbosity >= 2)
		sl_info("serving %s%s%s on fds 0/1", *ip ? ip : "an unknown client", *port ? ":" : "", port);
	r = httpd_serve(c, 0, 1, *ip ? ip : NULL, *port ? port : NULL, NULL);
	if (verbosity >= 2)
		sl_info("end %s%s%s exit %d", *ip ? ip : "unknown client", *port ? ":" : "", port, r);
	return r;
}

/* ---- the accept loop ---- */

static void log_end(const child *k, int status, int stopping)
{
	if (WIFSIGNALED(status)) {
		if (verbosity >= 2 || (verbosity >= 1 && !stopping))
			(verbosity >= 2 ? sl_info : sl_warn)("end pid %d client %s signal %d",
				(int)k->pid, k->client, WTERMSIG(status));
	} else if (verbosity >= 2)
		sl_info("end pid %d client %s exit %d", (int)k->pid, k->client, WEXITSTATUS(status));
}

/* Kid i's control socket closed: it ends (an idle one at once, a busy
 * one after its connection). */
static void kid_gone(size_t i)
{
	child *k = &kids[i];

	if (k->ctl >= 0)
		close(k->ctl);
	k->ctl = -1;
	if (k->state == KID_BUSY)
		nbusy--;
	else if (k->state == KID_IDLE)
		nidle--;
	k->state = KID_GONE;
}

/* Kid i serves the connection of ip:port. */
static void kid_busy(size_t i, const char *ip, const char *port)
{
	child *k = &kids[i];

	if (k->state == KID_IDLE)
		nidle--;
	if (k->state != KID_BUSY)
		nbusy++;
	k->state = KID_BUSY;
	snprintf(k->ip, sizeof k->ip, "%s", ip);
	snprintf(k->client, sizeof k->client, strchr(ip, ':') ? "[%s]:%s" : "%s:%s", *ip ? ip : "?",
		*port ? port : "?");
}

/* Busy kid i said it is free: it waits for the next connection, unless
 * enough do already or the server stops (then it ends). */
static void kid_idle(const httpd_conf *c, size_t i, int stopping)
{
	child *k = &kids[i];

	if (stopping || nidle >= (size_t)c->warm_processes) {
		kid_gone(i);    /* its end is logged as it is reaped */
		return;
	}
	if (verbosity >= 2)
		sl_info("end pid %d client %s: the process waits for the next connection", (int)k->pid, k->client);
	nbusy--;
	nidle++;
	k->state = KID_IDLE;
	k->ip[0] = 0;
	snprintf(k->client, sizeof k->client, "(none)");
}

static void reap(int stopping)
{
	pid_t pid;
	int status;
	size_t i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < nkids; i++)
			if (kids[i].pid == pid) {
				log_end(&kids[i], status, stopping);
				kid_gone(i);
				kids[i] = kids[--nkids];
				break;
			}
}

static void kill_kids(int sig)
{
	size_t i;

	for (i = 0; i < nkids; i++)
		kill(-kids[i].pid, sig);        /* the process group: the stages too */
}

static void close_listeners(void)
{
	size_t i;

	for (i = 0; i < nlis; i++)
		close(lis[i].fd);
	nlis = 0;
}

/* The connection process: default signals, none of the server's fds, its
 * own process group (so that a shutdown takes its stages with it), serve;
 * then, while its connections leave it as it began (warm.h), the next
 * connection the accept loop hands it over ctl (-1: none); else exit with
 * the core's code. */
static __attribute__((noreturn)) void run_child(httpd_conf *c, int cfd, const char *ip, const char *port, int ctl)
{
	char ipb[INET6_ADDRSTRLEN + 8], portb[16];
	httpd_warm_base base;
	const char *why = "";
	sigset_t none;
	size_t served;
	int one = 1, r, warm;

	setpgid(0, 0);
	uncatch(SIGCHLD);
	uncatch(SIGTERM);
	uncatch(SIGINT);
	uncatch(SIGHUP);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_listeners();
	while (nparks)
		close(parks[--nparks].fd);      /* the others' connections */
	close(selfpipe[0]);
	close(selfpipe[1]);
	while (nkids)
		if (kids[--nkids].ctl >= 0)
			close(kids[nkids].ctl);    /* the other processes' */
	httpd_warm_note(&base);        /* as every connection will begin */
	for (served = 1;; served++) {
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		r = httpd_serve(c, cfd, cfd, ip, port, &warm);
		close(cfd);
		if (ctl < 0 || r != SL_EXIT_OK || !warm)
			_exit(r);
		if (!httpd_warm_fit(&base, served, &why)) {
			if (verbosity >= 2)
				sl_info("pid %d ends after its connection: %s", (int)getpid(), why);
			_exit(r);
		}
		if ((cfd = httpd_warm_take(ctl, ipb, sizeof ipb, portb, sizeof portb)) < 0)
			_exit(r);
		ip = *ipb ? ipb : NULL;
		port = *portb ? portb : NULL;
	}
}

static size_t ip_count(const char *ip)
{
	size_t i, n = 0;

	for (i = 0; i < nkids; i++)
		n += kids[i].state == KID_BUSY && !strcmp(kids[i].ip, ip);
	return n;
}

static size_t ip_parked(const char *ip)
{
	size_t i, n = 0;

	for (i = 0; i < nparks; i++)
		n += !strcmp(parks[i].ip, ip);
	return n;
}

/* Best effort, never blocking: a short answer, then close. */
static void send_close(int fd, const char *m, size_t n)
{
	ssize_t r = send(fd, m, n, MSG_DONTWAIT | MSG_NOSIGNAL);

	(void)r;
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* A short answer, with a Date (RFC 7231), closing the connection. */
static void answer_close(int fd, int status, const char *reason, const char *ctype, const char *body, size_t n)
{
	char date[HTTPD_DATE_MAX], m[1024];
	int k;

	httpd_date(date, sizeof date);
	k = snprintf(m, sizeof m, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		"Connection: close\r\n\r\n%.*s", status, reason, date, ctype, n, body ? (int)n : 0, body ? body : "");
	send_close(fd, m, k > 0 && (size_t)k < sizeof m ? (size_t)k : 0);
}

static void refuse(int fd)
{
	answer_close(fd, 503, "Service Unavailable", "text/plain; charset=utf-8", "Service Unavailable", 19);
}

static void start_child(httpd_conf *c, int cfd, const char *ip, const char *port);

static void unpark(size_t i)
{
	memmove(&parks[i], &parks[i + 1], (nparks - i - 1) * sizeof *parks);
	nparks--;
}

/* A waiting connection has something to read: a whole head of
 * GET|HEAD /api/health is answered here (it must not wait for a load to
 * end); any other request waits for its slot, untouched. */
static void peek_parked(const httpd_conf *c, size_t i)
{
	parked *pk = &parks[i];
	char b[2048];
	ssize_t k = recv(pk->fd, b, sizeof b - 1, MSG_PEEK | MSG_DONTWAIT);
	sl_buf body = SL_BUF_ZERO;
	char *end;
	int st;

	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (k <= 0) {
		close(pk->fd);  /* gone before its turn */
		unpark(i);
		return;
	}
	b[k] = 0;
	end = strstr(b, "\r\n\r\n");
	if (!end) {
		if ((size_t)k == sizeof b - 1)
			pk->decided = 1;
		return;
	}
	if (strncmp(b, "GET /api/health HTTP/1.", 23) && strncmp(b, "HEAD /api/health HTTP/1.", 24)) {
		pk->decided = 1;
		return;
	}
	/* consume the head (so that close sends no reset), answer, close */
	if (recv(pk->fd, b, (size_t)(end + 4 - b), MSG_DONTWAIT) < 0)
		(void)0;
	st = httpd_health_body(c->st.dir, &body);
	if (verbosity >= 2)
		sl_info("client %s:%s: health answered while waiting for a slot", pk->ip, pk->port);
	if (st < 0)
		answer_close(pk->fd, 500, "Internal Server Error", "text/plain; charset=utf-8", NULL, 0);
	else
		answer_close(pk->fd, st, st == 200 ? "OK" : "Service Unavailable", "application/json; charset=utf-8",
			b[0] == 'H' ? NULL : body.p, body.len);
	sl_buf_free(&body);
	unpark(i);
}

/* Start the waiting connections whose turn has come, oldest first; drop
 * those whose head did not come within the backstop. */
static void run_parked(httpd_conf *c)
{
	int64_t now = sl_mono_ms(), max_wait = (int64_t)c->read_timeout_ms * 2;
	size_t i = 0;

	while (i < nparks) {
		parked *pk = &parks[i];
		if (nbusy < maxconn && ip_count(pk->ip) < per_ip) {
			parked one = *pk;
			unpark(i);
			start_child(c, one.fd, one.ip, one.port);
			continue;
		}
		if (!pk->decided && now - pk->since > max_wait) {
			close(pk->fd);
			unpark(i);
			continue;
		}
		i++;
	}
}

static void accept_one(httpd_conf *c, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char ip[INET6_ADDRSTRLEN + 8] = "", port[16] = "";
	int cfd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);

	if (cfd < 0) {
		switch (errno) {
		case EAGAIN: case EINTR: case ECONNABORTED: case EPROTO: case EPERM:
		case ENETDOWN: case ENOPROTOOPT: case EHOSTDOWN: case ENONET:
		case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
			return;         /* that connection is gone; keep serving */
		default:
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: back off a little */
			if (verbosity >= 1)
				sl_warnsys("unable to accept a connection");
			poll(NULL, 0, 100);
			return;
		}
	}
	if (!sl_listen_addr_text(&ss, len, ip, sizeof ip, port, sizeof port))
		ip[0] = port[0] = 0;
	if (nbusy < maxconn && ip_count(ip) < per_ip) {
		start_child(c, cfd, ip, port);
		return;
	}
	if (nparks < maxconn && ip_parked(ip) < per_ip) {
		parked *pk = &parks[nparks++];
		int fl = fcntl(cfd, F_GETFL);
		if (fl >= 0)
			fcntl(cfd, F_SETFL, fl | O_NONBLOCK);
		pk->fd = cfd;
		pk->decided = 0;
		pk->since = sl_mono_ms();
		snprintf(pk->ip, sizeof pk->ip, "%s", ip);
		snprintf(pk->port, sizeof pk->port, "%s", port);
		if (verbosity >= 2)
			sl_info("client %s:%s waits for a slot (%zu waiting)", *ip ? ip : "?", port, nparks);
		return;
	}
	/* its client has its share running and waiting, or all wait: refuse */
	if (verbosity >= 1)
		sl_warn("client %s:%s refused: %s", *ip ? ip : "?", port,
			nparks < maxconn ? "too many connections from this client" : "too many connections waiting");
	refuse(cfd);
}

/* The connection to a waiting process: 1; 0 none takes it. */
static int start_warm(int cfd, const char *ip, const char *port)
{
	size_t i;

	for (i = nkids; nidle && i-- > 0;) {
		if (kids[i].state != KID_IDLE)
			continue;
		if (httpd_warm_pass(kids[i].ctl, cfd, ip, port) < 0) {
			kid_gone(i);    /* it ended meanwhile */
			continue;
		}
		kid_busy(i, ip, port);
		close(cfd);
		if (verbosity >= 2)
			sl_info("accept pid %d client %s (%zu of %zu, a waiting process)", (int)kids[i].pid,
				kids[i].client, nbusy, maxconn);
		return 1;
	}
	return 0;
}

static void start_child(httpd_conf *c, int cfd, const char *ip, const char *port)
{
	pid_t pid;
	int fl = fcntl(cfd, F_GETFL), sv[2] = { -1, -1 };

	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(cfd, F_SETFL, fl & ~O_NONBLOCK);
	if (start_warm(cfd, ip, port))
		return;
	if (nkids == kcap) {
		child *k = realloc(kids, (kcap * 2) * sizeof *kids);
		if (!k) {
			if (verbosity >= 1)
				sl_warn("client %s:%s refused: out of memory", ip, port);
			refuse(cfd);
			return;
		}
		kids = k;
		kcap *= 2;
	}
	if (c->warm_processes > 0 && httpd_warm_pair(sv) < 0)
		sv[0] = sv[1] = -1;     /* this one ends with its connection */
	pid = fork();
	if (pid < 0) {
		if (verbosity >= 1)
			sl_warnsys("unable to fork for client %s:%s", ip, port);
		close(cfd);
		if (sv[0] >= 0) {
			close(sv[0]);
			close(sv[1]);
		}
		poll(NULL, 0, 100);
		return;
	}
	if (pid == 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		run_child(c, cfd, *ip ? ip : NULL, *port ? port : NULL, sv[1]);
	}
	/* also here: a shutdown may signal the group before the child ran */
	setpgid(pid, pid);
	close(cfd);
	if (sv[1] >= 0)
		close(sv[1]);
	kids[nkids].pid = pid;
	kids[nkids].ctl = sv[0];
	kids[nkids].state = KID_GONE;   /* kid_busy counts it */
	kid_busy(nkids, ip, port);
	nkids++;
	if (verbosity >= 2)
		sl_info("accept pid %d client %s (%zu of %zu)", (int)pid, kids[nkids - 1].client, nbusy, maxconn);
}

static int accept_loop(httpd_conf *c)
{
	/* the listeners, the parked connections, the busy kids' control
	 * sockets (at most kcap: pfd grows with kids) */
	size_t pcap = MAX_LISTEN + 1 + maxconn + kcap;
	struct pollfd *pfd = calloc(pcap, sizeof *pfd);
	size_t *pix = calloc(maxconn, sizeof *pix);     /* pfd index -> parked index */
	size_t *kix = calloc(kcap, sizeof *kix);        /* pfd index -> kid index */
	int phase = 0;          /* 0 serving, 1 draining, 2 SIGTERM sent, 3 SIGKILL sent */
	int64_t deadline = -1, now, wait;
	int full_said = 0;
	size_t i, n, nl, np, nk;

	if (!pfd || !pix || !kix)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	for (;;) {
		reap(phase > 0);
		now = sl_mono_ms();
		if (stop_count && phase == 0) {
			close_listeners();
			while (nparks)
				close(parks[--nparks].fd);
			for (i = 0; i < nkids; i++)
				if (kids[i].state == KID_IDLE)
					kid_gone(i);    /* the waiting ones end now */
			phase = 1;
			deadline = now + GRACE_MS;
			if (verbosity >= 2)
				sl_info("stopping: %zu connection(s) to finish", nbusy);
		}
		if (MAX_LISTEN + 1 + maxconn + kcap > pcap) {
			struct pollfd *p2;
			size_t *k2;
			pcap = MAX_LISTEN + 1 + maxconn + kcap;
			if (!(p2 = realloc(pfd, pcap * sizeof *pfd)) || !(k2 = realloc(kix, kcap * sizeof *kix)))
				sl_diesys(SL_EXIT_TEMP, "out of memory");
			pfd = p2;
			kix = k2;
		}
		if (phase > 0 && !nkids)
			return SL_EXIT_OK;
		if (phase == 1 && (stop_count > 1 || now >= deadline)) {
			if (verbosity >= 1)
				sl_warn("stopping: terminating %zu connection(s)", nbusy);
			kill_kids(SIGTERM);
			phase = 2;
			deadline = now + KILL_MS;
		} else if (phase == 2 && now >= deadline) {
			kill_kids(SIGKILL);
			phase = 3;
			deadline = -1;
		}
		if (phase == 0)
			run_parked(c);
		n = 0;
		pfd[n].fd = selfpipe[0];
		pfd[n++].events = POLLIN;
		if (phase == 0 && nparks < maxconn) {
			for (i = 0; i < nlis; i++) {
				pfd[n].fd = lis[i].fd;
				pfd[n++].events = POLLIN;
			}
			full_said = 0;
		} else if (phase == 0 && !full_said) {
			if (verbosity >= 2)
				sl_info("%zu connections and %zu waiting: not accepting until one ends", nbusy, nparks);
			full_said = 1;
		}
		nl = n;
		for (i = np = 0; i < nparks; i++)
			if (!parks[i].decided) {
				pix[np++] = i;
				pfd[n].fd = parks[i].fd;
				pfd[n++].events = POLLIN;
			}
		np = n;
		for (i = nk = 0; i < nkids; i++)
			if (kids[i].state == KID_BUSY && kids[i].ctl >= 0) {
				kix[nk++] = i;
				pfd[n].fd = kids[i].ctl;
				pfd[n++].events = POLLIN;
			}
		/* waiting heads are dropped after the backstop: wake now and then */
		wait = deadline < 0 ? -1 : deadline - now > 0 ? deadline - now : 0;
		if (np > nl && (wait < 0 || wait > 1000))
			wait = 1000;
		if (poll(pfd, n, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			sl_diesys(SL_EXIT_TEMP, "unable to poll");
		}
		if (pfd[0].revents) {
			char buf[64];
			while (read(selfpipe[0], buf, sizeof buf) > 0)
				;
		}
		/* the parked ones first, from the last: peek_parked may remove one */
		for (i = np; i-- > nl;)
			if (pfd[i].revents)
				peek_parked(c, pix[i - nl]);
		/* then the processes done with their connections */
		for (i = np; i < n; i++)
			if (pfd[i].revents) {
				size_t k = kix[i - np];
				int r = httpd_warm_heard(kids[k].ctl);
				if (r > 0)
					kid_idle(c, k, phase > 0);
				else if (r == 0)
					kid_gone(k);
			}
		for (i = 1; i < nl && !stop_count; i++)
			if (pfd[i].revents && nparks < maxconn)
				accept_one(c, pfd[i].fd);
	}
}

/* -1: the bound ports on stdout, one per line, then stdout closed (the
 * reader sees EOF: the server is ready). */
static void say_ready(void)
{
	size_t i;

	for (i = 0; i < nlis; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		char ip[INET6_ADDRSTRLEN + 8], port[16];
		if (getsockname(lis[i].fd, (struct sockaddr *)&ss, &len) == 0 &&
		    sl_listen_addr_text(&ss, len, ip, sizeof ip, port, sizeof port))
			printf("%s\n", port);
		else
			printf("%s\n", lis[i].name);
	}
	if (fflush(stdout) || ferror(stdout))
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	fd_to_devnull(1);
}

/* The command line. */
typedef struct args {
	sl_opts o;
	const char *listen_spec[MAX_LISTEN], *user, *redirect;
	size_t nlisten;
	int inetd, ready, allow_empty, c_given;
} args;

/* -c N, -U user, -v N (attached or separate value). */
static void short_opt(args *g, char opt, const char *val)
{
	long v;

	if (!val)
		sl_dieusage(USAGE);
	if (opt == 'c') {
		if (!sl_listen_num(val, 1, MAX_MAXCONN, &v))
			sl_dieusage(USAGE);
		maxconn = (size_t)v;
		g->c_given = 1;
	} else if (opt == 'v') {
		if (!sl_listen_num(val, 0, 9, &v))
			sl_dieusage(USAGE);
		verbosity = (int)v;
	} else {
		if (!*val)
			sl_dieusage(USAGE);
		g->user = val;
	}
}

static void parse_args(args *g, int argc, char **argv)
{
	size_t i;

	for (i = 1; i < (size_t)argc;) {
		const char *a = argv[i], *val = NULL;
		int k = sl_opt_common(&g->o, argc, argv, (int)i);
		if (k < 0)
			sl_dieusage(USAGE);
		if (k > 0) {
			i += (size_t)k;
			continue;
		}
		i++;
		if (!strcmp(a, "--listen") || !strncmp(a, "--listen=", 9)) {
			val = a[8] ? a + 9 : (i < (size_t)argc ? argv[i++] : NULL);
			if (!val || g->nlisten == MAX_LISTEN)
				sl_dieusage(USAGE);
			g->listen_spec[g->nlisten++] = val;
		} else if (!strcmp(a, "--redirect-to") || !strncmp(a, "--redirect-to=", 14)) {
			val = a[13] ? a + 14 : (i < (size_t)argc ? argv[i++] : NULL);
			if (!val || g->redirect)
				sl_dieusage(USAGE);
			g->redirect = val;
		} else if (!strcmp(a, "--inetd")) {
			g->inetd = 1;
		} else if (!strcmp(a, "--allow-empty-root-password")) {
			g->allow_empty = 1;
		} else if (!strcmp(a, "-1")) {
			g->ready = 1;
		} else if (a[0] == '-' && (a[1] == 'c' || a[1] == 'U' || a[1] == 'v')) {
			short_opt(g, a[1], a[2] ? a + 2 : (i < (size_t)argc ? argv[i++] : NULL));
		} else
			sl_dieusage(USAGE);     /* sl-httpd takes no operands */
	}
}

/* One connection on fds 0/1. */
static int run_inetd(httpd_conf *conf, const args *g)
{
	int r;

	inherited_cloexec();
	if (sl_listen_is_listening(0))
		sl_die(SL_EXIT_USAGE, "fd 0 is a listening socket: drop --inetd to run the accept loop on it (inetd wait)");
	if (g->user)
		drop_to(g->user);
	open_conf(conf, sl_data_dir(g->o.data_dir));
	conf->allow_empty_root = g->allow_empty;
	httpd_metrics_open(conf, 1);
	/* Accept=yes on a public address is listening there all the same */
	if (sl_listen_sock_public(0)) {
		char name[80];
		sl_listen_sock_name(0, name, sizeof name);
		check_root_password(conf, name);
	}
	r = serve_inetd(conf);
	sl_store_close(&conf->st);
	return r;
}

/* The accept loop over the listening sockets. */
static int run_server(httpd_conf *conf, const args *g)
{
	size_t n0, i;

	/* Bind first (a privileged port needs root), then drop privileges. */
	for (i = 0; i < g->nlisten; i++)
		bind_listen(g->listen_spec[i]);
	n0 = nlis;
	adopt_listen_fds();
	if (nlis == n0)
		adopt_fd0();
	if (!nlis)
		bind_listen(DEFAULT_LISTEN);
	if (g->user)
		drop_to(g->user);
	else if (geteuid() == 0 && verbosity >= 1)
		sl_warn("running as root: use -U user to drop privileges");

	open_conf(conf, sl_data_dir(g->o.data_dir));
	conf->allow_empty_root = g->allow_empty;
	httpd_metrics_open(conf, 0);    /* before the first fork: shared by all */
	for (i = 0; i < nlis; i++)
		if (!lis[i].loopback)
			check_root_password(conf, lis[i].name);

	/* the busy ones, the waiting ones, and a few that end (it grows) */
	kcap = maxconn + (size_t)conf->warm_processes + 16;
	if (!(kids = calloc(kcap, sizeof *kids)) || !(parks = calloc(maxconn, sizeof *parks)))
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	/* a client may hold three quarters of the slots, the rest stays for
	 * the others (sl.conf http_max_connections_per_ip) */
	per_ip = conf->max_conn_per_ip > 0 ? (size_t)conf->max_conn_per_ip : maxconn - maxconn / 4;
	if (pipe2(selfpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to create a pipe");
	catch(SIGCHLD, on_chld);
	catch(SIGTERM, on_stop);
	catch(SIGINT, on_stop);
	if (g->ready)
		say_ready();
	if (verbosity >= 2)
		for (i = 0; i < nlis; i++) {
			char name[80];
			sl_listen_sock_name(lis[i].fd, name, sizeof name);
			sl_info("listening on %s", name);
		}
	return accept_loop(conf);
}

int main(int argc, char **argv)
{
	args g;
	httpd_conf conf;

	sl_msg_init(argv[0]);
	sl_spawn_builtins = sl_builtin_stages;
	fd_std_ensure();
	memset(&conf, 0, sizeof conf);
	memset(&g, 0, sizeof g);
	g.o = (sl_opts)SL_OPTS_ZERO;
	parse_args(&g, argc, argv);
	if (g.o.help)
		sl_msg_help(USAGE);
	if (g.o.version)
		sl_msg_version();
	if (g.o.hdrs.n || (g.inetd && (g.nlisten || g.ready || g.c_given)))
		sl_dieusage(USAGE);
	catch(SIGPIPE, on_pipe);
	if (g.redirect)
		parse_redirect(&conf, g.redirect);
	conf.allow_empty_root = g.allow_empty;
	return g.inetd ? run_inetd(&conf, &g) : run_server(&conf, &g);
}
