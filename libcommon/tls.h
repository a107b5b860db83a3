/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls.h -- TLS for a server's connections over OpenSSL: the server context
 * (a PEM certificate chain and its key, TLS 1.2 at least) and one
 * connection's handshake, reads and writes on non-blocking fds, the caller
 * waiting (poll) for what each call wants: its own timeouts stay its own.
 * Nothing here prints or exits: failures are -1 with errno, and
 * sl_tls_error says what OpenSSL reported.
 */
#ifndef SL_TLS_H
#define SL_TLS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct ssl_ctx_st sl_tls_ctx;
typedef struct ssl_st sl_tls;

/* A server context from cert (PEM: the certificate, then its chain) and
 * key (PEM, not encrypted). NULL and msg when a file cannot be read, is
 * not PEM, or the key is not the certificate's. */
sl_tls_ctx *sl_tls_server(const char *cert, const char *key, char *msg, size_t cap);
void sl_tls_ctx_free(sl_tls_ctx *ctx);

/* A connection reading rfd and writing wfd (the same socket, or inetd's
 * fds 0 and 1), both made non-blocking. NULL: errno. */
sl_tls *sl_tls_new(sl_tls_ctx *ctx, int rfd, int wfd);
/* Close_notify (once, not waited for) and free. */
void sl_tls_close(sl_tls *t);

/* Each call: done, or -1 with errno EAGAIN and *ev the poll event to wait
 * for (POLLIN or POLLOUT) before calling again with the same arguments;
 * other errno: the connection failed (EPROTO: a TLS error, sl_tls_error).
 * The handshake: 1 done. */
int sl_tls_accept(sl_tls *t, short *ev);
/* Up to n bytes: their count; 0 the peer closed. Bytes already decrypted
 * (SSL_pending) come without a wait: call before polling. */
ssize_t sl_tls_read(sl_tls *t, void *p, size_t n, short *ev);
/* Up to n bytes written: their count (> 0). */
ssize_t sl_tls_write(sl_tls *t, const void *p, size_t n, short *ev);

/* The negotiated cipher and protocol ("TLSv1.3"). */
const char *sl_tls_cipher(const sl_tls *t);
const char *sl_tls_version(const sl_tls *t);
/* OpenSSL's last error of this thread as text into buf (then cleared). */
const char *sl_tls_error(char *buf, size_t cap);

#endif
