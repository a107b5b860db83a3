/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listen.c -- listening sockets and the privilege drop of the servers
 * (see listen.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listen.h"

int sl_listen_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

void sl_listen_safe_copy(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < cap; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[i] = isalnum(ch) || strchr(".:%_-", ch) ? (char)ch : '?';
	}
	dst[i] = 0;
}

/* "HOST:PORT" or "[V6]:PORT" into host and port; 1 ok, 0 malformed. */
int sl_listen_split(const char *s, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *colon, *h = s;
	size_t hn;

	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':')
			return 0;
		h = s + 1;
		hn = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return 0;       /* an IPv6 address needs brackets */
		hn = (size_t)(colon - s);
	}
	if (!hn || hn >= hcap || !colon[1] || strlen(colon + 1) >= pcap)
		return 0;
	memcpy(host, h, hn);
	host[hn] = 0;
	strcpy(port, colon + 1);
	return 1;
}

int sl_listen_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return ss->ss_family == AF_UNIX;
}

/* Numeric ip and port of a socket address (IPv4-mapped IPv6 shown as
 * IPv4); 1 ok, 0 not an inet address. */
int sl_listen_addr_text(const struct sockaddr_storage *ss, socklen_t len,
	char *ip, size_t ipcap, char *port, size_t portcap)
{
	struct sockaddr_in s4;

	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)ss)->sin6_addr)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		memset(&s4, 0, sizeof s4);
		s4.sin_family = AF_INET;
		s4.sin_port = s6->sin6_port;
		memcpy(&s4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
		ss = (const struct sockaddr_storage *)(void *)&s4;
		len = sizeof s4;
	}
	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return 0;
	return getnameinfo((const struct sockaddr *)ss, len, ip, (socklen_t)ipcap, port,
		(socklen_t)portcap, NI_NUMERICHOST | NI_NUMERICSERV) == 0;
}

/* "ip:port" or "[ip6]:port" of a bound socket, "fd N" otherwise. */
void sl_listen_sock_name(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char ip[INET6_ADDRSTRLEN + 8], port[8];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    sl_listen_addr_text(&ss, len, ip, sizeof ip, port, sizeof port))
		snprintf(out, cap, strchr(ip, ':') ? "[%s]:%s" : "%s:%s", ip, port);
	else if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_UNIX)
		snprintf(out, cap, "unix socket on fd %d", fd);
	else
		snprintf(out, cap, "fd %d", fd);
}

int sl_listen_sock_loopback(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return sl_listen_is_loopback(&ss);
}

/* 1 if fd is an inet socket bound to a non-loopback address. */
int sl_listen_sock_public(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) && !sl_listen_is_loopback(&ss);
}

/* ---- where the listening sockets come from ---- */

int sl_listen_is_listening(int fd)
{
	struct stat sb;
	int v = 0, type = 0;
	socklen_t len = sizeof v, tlen = sizeof type;

	if (fstat(fd, &sb) < 0 || !S_ISSOCK(sb.st_mode))
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 || type != SOCK_STREAM)
		return 0;
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

/* -1 with errno e (kept) and the message. */
static int fail(int e, char *msg, size_t msgcap, const char *what, const char *arg)
{
	snprintf(msg, msgcap, "%s%s", what, arg);
	errno = e;
	return -1;
}

int sl_listen_bind(const char *spec, char *msg, size_t msgcap)
{
	struct addrinfo hints, *ai;
	char host[INET6_ADDRSTRLEN + 8], port[16];
	long pv;
	int fd, one = 1, e;

	if (!sl_listen_split(spec, host, sizeof host, port, sizeof port) ||
	    !sl_listen_num(port, 0, 65535, &pv))
		return fail(EINVAL, msg, msgcap, "--listen wants ADDR:PORT or [ADDR6]:PORT: ", spec);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return fail(EINVAL, msg, msgcap, "--listen wants a numeric address: ", spec);
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		e = errno;
		freeaddrinfo(ai);
		return fail(e, msg, msgcap, "unable to create a socket for ", spec);
	}
	/* [::]:P and 0.0.0.0:P can then both be given. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    (ai->ai_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)) {
		e = errno;
		snprintf(msg, msgcap, "unable to set the socket options of %s", spec);
	} else if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		e = errno;
		snprintf(msg, msgcap, "unable to bind to %s", spec);
	} else if (listen(fd, SOMAXCONN) < 0) {
		e = errno;
		snprintf(msg, msgcap, "unable to listen on %s", spec);
	} else {
		freeaddrinfo(ai);
		return fd;
	}
	freeaddrinfo(ai);
	close(fd);
	errno = e;
	return -1;
}

int sl_listen_systemd(int max, char *msg, size_t msgcap)
{
	const char *spid = getenv("LISTEN_PID"), *sfds = getenv("LISTEN_FDS");
	long pid, n = 0, i;
	int ok = spid && sfds && sl_listen_num(spid, 1, LONG_MAX, &pid) && pid == (long)getpid();

	if (ok && !sl_listen_num(sfds, 0, max, &n)) {
		snprintf(msg, msgcap, "LISTEN_FDS is not a number of sockets (0..%d)", max);
		ok = -1;
	}
	for (i = 0; ok > 0 && i < n; i++)
		if (!sl_listen_is_listening(3 + (int)i)) {
			snprintf(msg, msgcap, "fd %d of LISTEN_FDS is not a listening stream socket", 3 + (int)i);
			ok = -1;
		}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (ok < 0) {
		errno = EINVAL;
		return -1;
	}
	return ok ? (int)n : 0;
}

int sl_listen_drop(const char *user, char *msg, size_t msgcap)
{
	struct passwd *pw;
	gid_t *groups = NULL;
	int ng = 32, prev;
	uid_t uid;
	gid_t gid;

	errno = 0;
	if (!(pw = getpwnam(user))) {
		if (errno && errno != ENOENT && errno != ESRCH)
			return fail(errno, msg, msgcap, "unable to look up user ", user);
		return fail(ENOENT, msg, msgcap, "unknown user: ", user);
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	for (;;) {
		gid_t *g = realloc(groups, (size_t)ng * sizeof *g);
		if (!g) {
			free(groups);
			return fail(ENOMEM, msg, msgcap, "out of memory for the groups of ", user);
		}
		groups = g;
		prev = ng;
		if (getgrouplist(user, gid, groups, &ng) >= 0)
			break;
		if (ng <= prev)
			ng = prev * 2;
	}
	if (setgroups((size_t)ng, groups) < 0) {
		free(groups);
		return fail(errno, msg, msgcap, "unable to set the groups of user ", user);
	}
	free(groups);
	if (setgid(gid) < 0)
		return fail(errno, msg, msgcap, "unable to set the gid of user ", user);
	if (setuid(uid) < 0)
		return fail(errno, msg, msgcap, "unable to set the uid of user ", user);
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
		return fail(EPERM, msg, msgcap, "privileges not fully taken of user ", user);
	if (uid != 0 && setuid(0) == 0)
		return fail(EPERM, msg, msgcap, "could become root again after dropping to user ", user);
	return 1;
}
