/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls.c -- TLS for a server's connections over OpenSSL (tls.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls.h"

const char *sl_tls_error(char *buf, size_t cap)
{
	unsigned long e = ERR_peek_last_error();

	if (e)
		ERR_error_string_n(e, buf, cap);
	else
		snprintf(buf, cap, "%s", errno ? strerror(errno) : "no detail from OpenSSL");
	ERR_clear_error();
	return buf;
}

/* A key file must not make OpenSSL ask for a passphrase on the terminal. */
static int no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf, (void)size, (void)rw, (void)u;
	return 0;
}

/* Can the file be opened for reading? Else msg says why. */
static int readable(const char *what, const char *path, char *msg, size_t cap)
{
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(msg, cap, "unable to read the TLS %s %s: %s", what, path, strerror(errno));
		return 0;
	}
	fclose(f);
	return 1;
}

sl_tls_ctx *sl_tls_server(const char *cert, const char *key, char *msg, size_t cap)
{
	char e[256];
	SSL_CTX *ctx;

	if (!readable("certificate", cert, msg, cap) || !readable("key", key, msg, cap))
		return NULL;
	ERR_clear_error();
	if (!(ctx = SSL_CTX_new(TLS_server_method()))) {
		snprintf(msg, cap, "unable to create a TLS context: %s", sl_tls_error(e, sizeof e));
		return NULL;
	}
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	/* one process a connection: a session cache would be lost anyway */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
		| SSL_OP_IGNORE_UNEXPECTED_EOF  /* a client gone without close_notify: end of file */
#endif
		);
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		snprintf(msg, cap, "unable to require TLS 1.2: %s", sl_tls_error(e, sizeof e));
	else if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		snprintf(msg, cap, "unable to load the TLS certificate %s (PEM expected): %s", cert,
			sl_tls_error(e, sizeof e));
	else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
		 SSL_CTX_check_private_key(ctx) != 1) {
		/* loading the key checks it against the certificate already */
		int mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
		snprintf(msg, cap, mismatch ? "the TLS key %s is not the key of the certificate %s: %s"
			: "unable to load the TLS key %s (PEM, not encrypted, expected; certificate %s): %s",
			key, cert, sl_tls_error(e, sizeof e));
	} else
		return ctx;
	SSL_CTX_free(ctx);
	return NULL;
}

void sl_tls_ctx_free(sl_tls_ctx *ctx)
{
	SSL_CTX_free(ctx);
}

static int nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

sl_tls *sl_tls_new(sl_tls_ctx *ctx, int rfd, int wfd)
{
	SSL *s;

	if (nonblocking(rfd) < 0 || (wfd != rfd && nonblocking(wfd) < 0))
		return NULL;
	if (!(s = SSL_new(ctx))) {
		errno = ENOMEM;
		return NULL;
	}
	if (SSL_set_rfd(s, rfd) != 1 || SSL_set_wfd(s, wfd) != 1) {
		SSL_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void sl_tls_close(sl_tls *t)
{
	if (!t)
		return;
	if (SSL_is_init_finished(t))
		(void)SSL_shutdown(t);
	ERR_clear_error();
	SSL_free(t);
}

/* What an SSL call that returned r means: 1 done; 0 the peer closed; -1
 * errno (EAGAIN and *ev: wait and call again). */
static int outcome(sl_tls *t, int r, short *ev)
{
	int e = errno;

	switch (SSL_get_error(t, r)) {
	case SSL_ERROR_NONE:
		return 1;
	case SSL_ERROR_WANT_READ:
		*ev = POLLIN;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		*ev = POLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (!ERR_peek_error()) {
			/* end of file, or the system's error */
			errno = e;
			return e ? -1 : 0;
		}
		/* fall through */
	default:
		errno = EPROTO;
		return -1;
	}
}

int sl_tls_accept(sl_tls *t, short *ev)
{
	int r;

	errno = 0;
	ERR_clear_error();
	r = outcome(t, SSL_accept(t), ev);
	if (r == 0)
		errno = ECONNRESET;
	return r > 0 ? 1 : -1;
}

ssize_t sl_tls_read(sl_tls *t, void *p, size_t n, short *ev)
{
	int r, k;

	errno = 0;
	ERR_clear_error();
	k = SSL_read(t, p, n > INT_MAX ? INT_MAX : (int)n);
	r = outcome(t, k, ev);
	return r > 0 ? (ssize_t)k : r;
}

ssize_t sl_tls_write(sl_tls *t, const void *p, size_t n, short *ev)
{
	int r, k;

	errno = 0;
	ERR_clear_error();
	k = SSL_write(t, p, n > INT_MAX ? INT_MAX : (int)n);
	r = outcome(t, k, ev);
	if (r == 0) {
		errno = EPIPE;
		return -1;
	}
	return r > 0 ? (ssize_t)k : r;
}

const char *sl_tls_cipher(const sl_tls *t)
{
	const char *c = SSL_get_cipher_name(t);

	return c ? c : "";
}

const char *sl_tls_version(const sl_tls *t)
{
	return SSL_get_version(t);
}
