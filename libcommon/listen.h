/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listen.h -- where a server's listening sockets come from and whom it
 * runs as, shared by sl-httpd and sl-mysqld: --listen ADDR:PORT, systemd
 * socket activation (LISTEN_FDS, Accept=no), inetd's socket on fd 0,
 * socket names and peers as text, and the privilege drop (-U user).
 * Nothing here prints or exits: failures are -1 with errno and a message.
 */
#ifndef SL_LISTEN_H
#define SL_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

/* A decimal number s within lo..hi; 1 ok, 0 not one. */
int sl_listen_num(const char *s, long lo, long hi, long *out);
/* "HOST:PORT" or "[V6]:PORT" into host and port; 1 ok, 0 malformed. */
int sl_listen_split(const char *s, char *host, size_t hcap, char *port, size_t pcap);
/* A value safe for logs and for "'user'@'ip'": bytes outside
 * [0-9A-Za-z.:%_-] become '?'. */
void sl_listen_safe_copy(char *dst, size_t cap, const char *src);
int sl_listen_is_loopback(const struct sockaddr_storage *ss);
/* Numeric ip and port of a socket address (IPv4-mapped IPv6 as IPv4); 1
 * ok, 0 not an inet address. */
int sl_listen_addr_text(const struct sockaddr_storage *ss, socklen_t len,
	char *ip, size_t ipcap, char *port, size_t portcap);
/* "ip:port" or "[ip6]:port" of a bound socket, else "fd N". */
void sl_listen_sock_name(int fd, char *out, size_t cap);
/* Is the socket bound to a loopback address / an inet non-loopback one? */
int sl_listen_sock_loopback(int fd);
int sl_listen_sock_public(int fd);
/* 1 if fd is a listening stream socket. */
int sl_listen_is_listening(int fd);
/* Bind and listen on spec (ADDR:PORT, numeric), close-on-exec and
 * non-blocking. The fd, or -1: errno EINVAL for a malformed spec, else the
 * system's; msg says what failed. */
int sl_listen_bind(const char *spec, char *msg, size_t msgcap);
/* systemd socket activation (sd_listen_fds(3), Accept=no): the number of
 * sockets passed (fds 3..3+n-1) when LISTEN_PID is ours, else 0; -1 EINVAL
 * when LISTEN_FDS is not a number within 0..max or a passed fd is not a
 * listening stream socket (msg). LISTEN_* are removed from the
 * environment either way. */
int sl_listen_systemd(int max, char *msg, size_t msgcap);
/* Become user (groups, gid, uid, each checked, and root not regained).
 * 1, or -1 (errno; ENOENT: no such user) with msg. */
int sl_listen_drop(const char *user, char *msg, size_t msgcap);

#endif
