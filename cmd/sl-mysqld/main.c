/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-mysqld -- the MySQL protocol front (Doris's query port, 9030) over
 * the data directory's SQL engine: options, the listening sockets (listen.h,
 * as sl-httpd: --listen, systemd LISTEN_FDS, inetd), the privilege drop,
 * and the accept loop: one process per connection (conn.c), at most -c of
 * them; a connection over the limit gets MySQL's "Too many connections".
 * The TLS certificate and key (--tls-cert, --tls-key) are loaded once, before
 * the privilege drop; the connections inherit the context. With --metrics
 * the loop also accepts on that address and forks each scrape off
 * (scrape.c, at most MYSQLD_SCRAPERS at once, apart from -c); the counters
 * live in a shared region mapped before the first fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "hdr.h"
#include "io.h"
#include "listen.h"
#include "mysqlproto.h"
#include "tls.h"
#include "mysqld.h"
#include "scrape.h"

#define USAGE "sl-mysqld [--data-dir D] [--listen ADDR:PORT]... [-1] [--inetd] [-c MAXCONN] [-U user] [--max-allowed-packet BYTES] [--idle-timeout S] [--read-timeout S] [-v N]" \
	" [--metrics ADDR:PORT] [--tls-cert FILE --tls-key FILE [--require-secure-transport]]\n" \
	SL_HELP_DATA_DIR \
	"  --listen ADDR:PORT   listen there (repeatable; default 127.0.0.1:9030)\n" \
	"  -1                   once listening, print the first socket's address on standard output\n" \
	"                       (and the --metrics address on a second line)\n" \
	"  --inetd              serve one connection on descriptors 0 and 1\n" \
	"  -c MAXCONN           at most MAXCONN connections at once (default 1024)\n" \
	"  -U user              become this user once listening\n" \
	"  --max-allowed-packet BYTES  the largest command a client may send (default 64 MiB)\n" \
	"  --idle-timeout S     how long a client may stay silent between commands (default 28800)\n" \
	"  --read-timeout S     how long a packet may take to arrive once begun (default 30)\n" \
	"  -v N                 0 fatal errors only, 1 refused logins too, 2 every connection's end\n" \
	"  --metrics ADDR:PORT  serve GET /metrics (Prometheus text format) there (default: off)\n" \
	"  --tls-cert FILE      the server's certificate chain (PEM): TLS for the clients that ask\n" \
	"  --tls-key FILE       the certificate's private key (PEM)\n" \
	"  --require-secure-transport  refuse the clients that do not ask for TLS\n" \
	SL_HELP_STD \
	"See sl-mysqld(8).\n"
#define DEFAULT_LISTEN "127.0.0.1:9030"
#define MAX_LISTEN 64

typedef struct args {
	sl_opts o;
	const char *listen[MAX_LISTEN];
	size_t nlisten;
	int inetd, ready;      /* --inetd; -1: print the address once listening */
	long maxconn;
	const char *user;
	const char *tls_cert, *tls_key;
	const char *metrics;   /* --metrics ADDR:PORT */
	mysqld_conf cf;
} args;

static int lis[MAX_LISTEN];
static size_t nlis;
static size_t nkids;
static int mlis = -1;                   /* the --metrics socket */
static pid_t scrapers[MYSQLD_SCRAPERS]; /* their processes (0: free) */
static int selfpipe[2] = { -1, -1 };
static volatile sig_atomic_t stopping;

static void wake(void)
{
	int e = errno;
	ssize_t r = write(selfpipe[1], "x", 1);
	(void)r;
	errno = e;
}

static void on_chld(int sig) { (void)sig; wake(); }
static void on_stop(int sig) { (void)sig; stopping = 1; wake(); }

static void catch(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to set a signal handler");
}

/* A number option within lo..hi, or usage. */
static long num_arg(const char *name, const char *v, long lo, long hi)
{
	long n;

	if (!sl_listen_num(v, lo, hi, &n))
		sl_die(SL_EXIT_USAGE, "%s wants a number within %ld..%ld: %s", name, lo, hi, v ? v : "");
	return n;
}

static void parse_args(args *a, int argc, char **argv)
{
	int i;

	a->maxconn = 1024;
	a->cf.max_packet = 64L << 20;   /* MySQL 8's default max_allowed_packet */
	a->cf.idle_ms = 28800 * 1000;   /* wait_timeout */
	a->cf.read_ms = 30 * 1000;      /* net_read_timeout */
	a->cf.verbosity = 1;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int k = sl_opt_common(&a->o, argc, argv, i);
		if (k < 0)
			sl_dieusage(USAGE);
		if (k > 0) {
			i += k - 1;
			continue;
		}
		if (!strcmp(o, "--inetd") || !strcmp(o, "-1")) {
			*(o[1] == '1' ? &a->ready : &a->inetd) = 1;
			continue;
		}
		if (!strcmp(o, "--require-secure-transport")) {
			a->cf.require_secure = 1;
			continue;
		}
		if (!v)
			sl_dieusage(USAGE);
		i++;
		if (!strcmp(o, "--listen")) {
			if (a->nlisten == MAX_LISTEN)
				sl_die(SL_EXIT_USAGE, "too many --listen (at most %d)", MAX_LISTEN);
			a->listen[a->nlisten++] = v;
		} else if (!strcmp(o, "-c"))
			a->maxconn = num_arg(o, v, 1, 100000);
		else if (!strcmp(o, "-U"))
			a->user = v;
		else if (!strcmp(o, "--max-allowed-packet"))
			a->cf.max_packet = (size_t)num_arg(o, v, 1024, 1L << 30);
		else if (!strcmp(o, "--idle-timeout"))
			a->cf.idle_ms = (int)num_arg(o, v, 1, 31536000 / 1000) * 1000;
		else if (!strcmp(o, "--read-timeout"))
			a->cf.read_ms = (int)num_arg(o, v, 1, 86400) * 1000;
		else if (!strcmp(o, "-v"))
			a->cf.verbosity = (int)num_arg(o, v, 0, 2);
		else if (!strcmp(o, "--metrics"))
			a->metrics = v;
		else if (!strcmp(o, "--tls-cert"))
			a->tls_cert = v;
		else if (!strcmp(o, "--tls-key"))
			a->tls_key = v;
		else
			sl_dieusage(USAGE);
	}
	if (a->o.help)
		sl_msg_help(USAGE);
	if (a->o.version)
		sl_msg_version();
	a->cf.data_dir = sl_data_dir(a->o.data_dir);
	if (!a->tls_cert != !a->tls_key)
		sl_die(SL_EXIT_USAGE, "--tls-cert and --tls-key go together");
	if (a->cf.require_secure && !a->tls_cert)
		sl_die(SL_EXIT_USAGE, "--require-secure-transport needs --tls-cert and --tls-key");
	if (a->metrics && a->inetd)
		sl_die(SL_EXIT_USAGE, "--metrics is not supported with --inetd: its counters are kept in "
			"DATA_DIR/_metrics/sl-mysqld; serve them from a daemon sl-mysqld");
}

/* The certificate and key, read before the privilege drop (a key is
 * usually readable by root only). */
static void load_tls(args *a)
{
	char msg[1024];

	if (a->tls_cert && !(a->cf.tls = sl_tls_server(a->tls_cert, a->tls_key, msg, sizeof msg)))
		sl_die(SL_EXIT_USAGE, "%s", msg);
}

static void add_listener(int fd)
{
	int fl;

	if (nlis == MAX_LISTEN)
		sl_die(SL_EXIT_USAGE, "too many listening sockets (at most %d)", MAX_LISTEN);
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to set the flags of fd %d", fd);
	lis[nlis++] = fd;
}

/* A socket bound to spec, or death. */
static int bind_or_die(const char *spec)
{
	char msg[256];
	int fd = sl_listen_bind(spec, msg, sizeof msg);

	if (fd >= 0)
		return fd;
	if (errno == EINVAL)    /* malformed: a usage error, no errno text */
		sl_die(SL_EXIT_USAGE, "%s", msg);
	sl_diesys(sl_exit_for_errno(errno), "%s", msg);
}

/* systemd's sockets, else --listen (default 127.0.0.1:9030). */
static void open_listeners(const args *a)
{
	char msg[256];
	int n = sl_listen_systemd(MAX_LISTEN, msg, sizeof msg), i;
	size_t j;

	if (n < 0)
		sl_die(SL_EXIT_USAGE, "%s", msg);
	for (i = 0; i < n; i++)
		add_listener(3 + i);
	if (n && !a->nlisten)
		return;
	for (j = 0; j < (a->nlisten ? a->nlisten : 1); j++)
		add_listener(bind_or_die(a->nlisten ? a->listen[j] : DEFAULT_LISTEN));
}

/* --metrics: its socket and the counters, anonymous and shared by every
 * connection process forked later. */
static void open_metrics(args *a)
{
	if (!a->metrics)
		return;
	mlis = bind_or_die(a->metrics);
	if (!(a->cf.metrics = sl_metrics_open_anon()))
		sl_diesys(SL_EXIT_TEMP, "unable to map the counters of --metrics");
}

/* --inetd: the counters in DATA_DIR/_metrics/sl-mysqld, shared by every
 * such process; without them the connection is served all the same. */
static void open_metrics_file(args *a)
{
	char path[4096];

	if (snprintf(path, sizeof path, "%s/_metrics/sl-mysqld", a->cf.data_dir) >= (int)sizeof path)
		return;
	if (!(a->cf.metrics = sl_metrics_open_file(path)) && a->cf.verbosity >= 1)
		sl_warnsys("unable to open the counters %s", path);
}

/* The peer's ip for "'user'@'ip'" ("localhost" when not an inet socket). */
static void peer_ip(int fd, char *ip, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char raw[64], port[16];

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    sl_listen_addr_text(&ss, len, raw, sizeof raw, port, sizeof port))
		sl_listen_safe_copy(ip, cap, raw);
	else
		snprintf(ip, cap, "localhost");
}

/* The scraper slot of pid (0: a free one), or -1. */
static int scraper(pid_t pid)
{
	int i;

	for (i = 0; i < MYSQLD_SCRAPERS; i++)
		if (scrapers[i] == pid)
			return i;
	return -1;
}

static void reap(void)
{
	pid_t pid;
	int k;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		if ((k = scraper(pid)) >= 0)
			scrapers[k] = 0;
		else if (nkids)
			nkids--;
}

/* In a child: the parent's sockets closed, the default signals back. */
static void child_reset(void)
{
	size_t i;

	for (i = 0; i < nlis; i++)
		close(lis[i]);
	if (mlis >= 0)
		close(mlis);
	close(selfpipe[0]);
	close(selfpipe[1]);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

/* One scrape on the --metrics socket, forked off; dropped when
 * MYSQLD_SCRAPERS are running already. */
static void start_scrape(sl_metrics *m)
{
	int cfd = accept4(mlis, NULL, NULL, SOCK_CLOEXEC), k = scraper(0);
	pid_t pid;

	if (cfd < 0)
		return;
	if (k < 0 || (pid = fork()) < 0) {
		close(cfd);
		return;
	}
	if (pid > 0) {
		scrapers[k] = pid;
		close(cfd);
		return;
	}
	child_reset();
	mysqld_scrape_serve(m, cfd);
	_exit(0);
}

/* Over the connection limit: MySQL's answer, then close. */
static void refuse(const mysqld_conf *cf, int fd)
{
	sl_buf pay = SL_BUF_ZERO, out = SL_BUF_ZERO;
	uint8_t seq = 0;

	sl_metrics_conn_refused(cf->metrics);
	if (sl_mysqlproto_err(&pay, 1040, "08004", "Too many connections") > 0 &&
	    sl_mysqlproto_frame(&out, pay.p, pay.len, &seq) > 0) {
		ssize_t r = send(fd, out.p, out.len, MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)r;
	}
	sl_buf_free(&pay);
	sl_buf_free(&out);
	close(fd);
}

static void start_child(const mysqld_conf *cf, int cfd, uint32_t id)
{
	char ip[64];
	pid_t pid = fork();

	if (pid < 0) {
		sl_warnsys("unable to fork for a connection");
		refuse(cf, cfd);
		return;
	}
	if (pid > 0) {
		nkids++;
		sl_metrics_conn_accepted(cf->metrics);
		close(cfd);
		return;
	}
	child_reset();
	peer_ip(cfd, ip, sizeof ip);
	_exit(mysqld_serve(cf, cfd, cfd, ip, id));
}

static int accept_loop(const args *a)
{
	struct pollfd pf[MAX_LISTEN + 2];
	uint32_t id = 0;
	size_t i;

	if (pipe2(selfpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to create a pipe");
	catch(SIGCHLD, on_chld);
	catch(SIGTERM, on_stop);
	catch(SIGINT, on_stop);
	signal(SIGPIPE, SIG_IGN);
	while (!stopping) {
		char drain[64];
		pf[0].fd = selfpipe[0];
		pf[0].events = POLLIN;
		for (i = 0; i < nlis; i++) {
			pf[i + 1].fd = lis[i];
			pf[i + 1].events = POLLIN;
		}
		pf[nlis + 1].fd = mlis;         /* -1: ignored by poll */
		pf[nlis + 1].events = POLLIN;
		pf[nlis + 1].revents = 0;
		if (poll(pf, nlis + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			sl_diesys(SL_EXIT_TEMP, "poll");
		}
		while (read(selfpipe[0], drain, sizeof drain) > 0)
			;
		reap();
		if ((pf[nlis + 1].revents & POLLIN) && !stopping)
			start_scrape(a->cf.metrics);
		for (i = 0; i < nlis && !stopping; i++) {
			int cfd;
			if (!(pf[i + 1].revents & POLLIN))
				continue;
			cfd = accept4(lis[i], NULL, NULL, SOCK_CLOEXEC);
			if (cfd < 0)
				continue;
			if (!++id)
				id = 1;
			if (nkids >= (size_t)a->maxconn)
				refuse(&a->cf, cfd);
			else
				start_child(&a->cf, cfd, id);
		}
	}
	for (i = 0; i < nlis; i++)
		close(lis[i]);
	if (mlis >= 0)
		close(mlis);
	return SL_EXIT_OK;
}

int main(int argc, char **argv)
{
	args a;
	char msg[256], ip[64];
	int status;

	sl_msg_init(argv[0]);
	memset(&a, 0, sizeof a);
	a.o = (sl_opts)SL_OPTS_ZERO;
	parse_args(&a, argc, argv);
	load_tls(&a);
	if (a.inetd) {
		/* one connection on fds 0 and 1 (inetd, systemd Accept=yes) */
		/* systemd Accept=yes also passes the connection as fd 3 with
		 * LISTEN_FDS=1: not a listening socket; only the variables go */
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		if (a.user && sl_listen_drop(a.user, msg, sizeof msg) < 0)
			sl_diesys(errno == ENOENT ? SL_EXIT_USAGE : sl_exit_for_errno(errno), "%s", msg);
		signal(SIGPIPE, SIG_IGN);
		open_metrics_file(&a);
		sl_metrics_conn_accepted(a.cf.metrics);
		peer_ip(0, ip, sizeof ip);
		status = mysqld_serve(&a.cf, 0, 1, ip, 1);
		sl_tls_ctx_free(a.cf.tls);
		return status;
	}
	open_listeners(&a);
	open_metrics(&a);
	if (a.user && sl_listen_drop(a.user, msg, sizeof msg) < 0)
		sl_diesys(errno == ENOENT ? SL_EXIT_USAGE : sl_exit_for_errno(errno), "%s", msg);
	if (a.ready) {
		/* the first socket's address on stdout, then stdout closed: the
		 * caller knows the server is ready and which port it took */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		sl_listen_sock_name(lis[0], msg, sizeof msg);
		if (printf("%s\n", msg) < 0 || (mlis >= 0 && (sl_listen_sock_name(mlis, msg, sizeof msg),
		    printf("%s\n", msg) < 0)) || fflush(stdout) == EOF || null < 0 || dup2(null, 1) < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to write the address to stdout");
		close(null);
	}
	if (a.cf.verbosity >= 2)
		sl_info("serving %s over %s", a.nlisten ? a.listen[0] : DEFAULT_LISTEN, a.cf.data_dir);
	status = accept_loop(&a);
	sl_tls_ctx_free(a.cf.tls);
	return status;
}
