/* SPDX-License-Identifier: Apache-2.0 */
/*
 * warm.c -- a connection process kept for the next connection (warm.h):
 * the control socket between the accept loop and a connection process (a
 * SOCK_SEQPACKET pair: one message is one hand-off, its end is the
 * process's or the loop's end), and the process's check that it still
 * looks as it started.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sl.h"
#include "spawn.h"
#include "warm.h"

#define IP_MAX 72               /* the hand-off's text: ip NUL port NUL */
#define PORT_MAX 16

int httpd_warm_pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

void httpd_warm_note(httpd_warm_base *b)
{
	b->fds = sl_spawn_fds_open();
}

int httpd_warm_fit(const httpd_warm_base *b, size_t served, const char **why)
{
	struct mallinfo2 mi = mallinfo2();

	if (served >= HTTPD_WARM_CONN_MAX)
		*why = "it served its share of connections";
	else if (b->fds < 0 || sl_spawn_fds_open() != b->fds - 1)
		*why = "an fd more or less than it began with";
	else if (sl_spawn_status_field("Threads") != 1)
		*why = "a thread left running";
	else if (mi.uordblks + mi.hblkhd > HTTPD_WARM_HEAP_MAX)
		*why = "its heap grew too large";
	else
		return 1;
	return 0;
}

int httpd_warm_pass(int ctl, int cfd, const char *ip, const char *port)
{
	char text[IP_MAX + PORT_MAX], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	int n = snprintf(text, sizeof text, "%.*s%c%.*s", IP_MAX - 1, ip, 0, PORT_MAX - 1, port);

	memset(&mh, 0, sizeof mh);
	memset(cbuf, 0, sizeof cbuf);
	iov.iov_base = text;
	iov.iov_len = (size_t)n + 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof cbuf;
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &cfd, sizeof(int));
	/* the process waits for it: the socket has room, never block */
	return sendmsg(ctl, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
}

int httpd_warm_take(int ctl, char *ip, size_t ipcap, char *port, size_t portcap)
{
	char text[IP_MAX + PORT_MAX + 1], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;
	int fd = -1;

	while (send(ctl, "i", 1, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	for (;;) {
		memset(&mh, 0, sizeof mh);
		iov.iov_base = text;
		iov.iov_len = sizeof text - 1;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		if ((n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC)) >= 0 || errno != EINTR)
			break;
	}
	if (n <= 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (fd < 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (fd >= 0)
			close(fd);
		errno = EPROTO;
		return -1;
	}
	text[n] = 0;
	snprintf(ip, ipcap, "%s", text);
	snprintf(port, portcap, "%s", strlen(text) + 1 < (size_t)n ? text + strlen(text) + 1 : "");
	return fd;
}

int httpd_warm_heard(int ctl)
{
	char b[8];
	ssize_t n = recv(ctl, b, sizeof b, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	return n == 1 && b[0] == 'i';
}
