/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-auth-native.c -- unit tests of mysql_native_password checks
 * (sl_auth_check_native): the verifier SHA1(SHA1(password)) kept in the
 * users file (MySQL's known PASSWORD('password') value), a client answer
 * computed here as a MySQL client computes it, wrong answers, empty
 * passwords, unknown users, and users written before verifiers were kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "sl.h"
#include "io.h"
#include "store.h"
#include "auth.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-auth-native-XXXXXX";

/* The client side: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))). */
static void client_answer(const char *pw, const unsigned char *scr, size_t slen, unsigned char out[20])
{
	unsigned char h1[20], h2[20], buf[300], mix[20];

	SHA1((const unsigned char *)pw, strlen(pw), h1);
	SHA1(h1, 20, h2);
	memcpy(buf, scr, slen);
	memcpy(buf + slen, h2, 20);
	SHA1(buf, slen + 20, mix);
	for (int i = 0; i < 20; i++)
		out[i] = h1[i] ^ mix[i];
}

static int check(sl_store *st, const char *u, const char *pw, const unsigned char *scr)
{
	unsigned char a[20];

	if (!pw)
		return sl_auth_check_native(st, u, scr, 20, 0, 0);
	client_answer(pw, scr, 20, a);
	return sl_auth_check_native(st, u, scr, 20, a, 20);
}

static int file_has(const char *path, const char *s)
{
	sl_buf b = SL_BUF_ZERO;
	int r;

	if (sl_file_read(path, &b) < 0 || sl_buf_cstr(&b) < 0)
		return -1;
	r = strstr(b.p, s) != 0;
	sl_buf_free(&b);
	return r;
}

int main(void)
{
	sl_store st;
	char msg[256], cmd[600], p[600];
	unsigned char scr[20], scr2[20], a[20];

	for (int i = 0; i < 20; i++) {
		scr[i] = (unsigned char)(i * 7 + 33);
		scr2[i] = (unsigned char)(i * 11 + 40);
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 111;
	}
	CHECK(sl_store_open(&st, dir) == 1);
	snprintf(p, sizeof p, "%s/_auth/users", dir);

	/* implicit root, empty password: the empty answer only */
	CHECK(check(&st, "root", 0, scr) == 1);
	CHECK(check(&st, "root", "", scr) == 0);
	CHECK(check(&st, "root", "x", scr) == 0);

	/* a user with a password: the verifier is MySQL's PASSWORD() value,
	 * the password itself is nowhere in the file */
	CHECK(sl_auth_create_user(&st, "jack", "password", 0, msg, sizeof msg) == 1);
	CHECK(file_has(p, " 2470c0c06dee42fd1618bb99005adca2ec9d1e19\n") == 1);
	CHECK(file_has(p, "password") == 0);
	CHECK(check(&st, "jack", "password", scr) == 1);
	CHECK(check(&st, "jack", "password", scr2) == 1);
	CHECK(check(&st, "jack", "Password", scr) == 0);
	CHECK(check(&st, "jack", 0, scr) == 0);               /* empty answer */
	client_answer("password", scr, 20, a);
	CHECK(sl_auth_check_native(&st, "jack", scr2, 20, a, 20) == 0);  /* replayed */
	a[19] ^= 1;
	CHECK(sl_auth_check_native(&st, "jack", scr, 20, a, 20) == 0);
	errno = 0;
	CHECK(sl_auth_check_native(&st, "jack", scr, 20, a, 19) == -1 && errno == EINVAL);
	CHECK(check(&st, "Jack", "password", scr) == 0);
	/* unknown and invalid names: denied */
	CHECK(check(&st, "ghost", "password", scr) == 0);
	CHECK(check(&st, "ghost", 0, scr) == 0);
	CHECK(check(&st, "a:b", 0, scr) == 0);
	/* the crypt check still works beside it */
	CHECK(sl_auth_check(&st, "jack", "password") == 1);

	/* SET PASSWORD writes a new verifier; an empty password accepts the
	 * empty answer */
	CHECK(sl_auth_set_password(&st, "jack", "new", msg, sizeof msg) == 1);
	CHECK(check(&st, "jack", "new", scr) == 1 && check(&st, "jack", "password", scr) == 0);
	CHECK(file_has(p, "2470c0c06dee42fd1618bb99005adca2ec9d1e19") == 0);
	CHECK(sl_auth_set_password(&st, "jack", "", msg, sizeof msg) == 1);
	CHECK(check(&st, "jack", 0, scr) == 1 && check(&st, "jack", "new", scr) == 0);
	CHECK(sl_auth_create_user(&st, "nopw", 0, 0, msg, sizeof msg) == 1);
	CHECK(check(&st, "nopw", 0, scr) == 1);
	CHECK(sl_auth_set_password(&st, "root", "rootpw", msg, sizeof msg) == 1);
	CHECK(check(&st, "root", 0, scr) == 0 && check(&st, "root", "rootpw", scr) == 1);

	/* a users file from before verifiers: it loads, crypt checks work,
	 * the native check answers 2 for a user with a password */
	{
		sl_buf b = SL_BUF_ZERO, o = SL_BUF_ZERO;
		char *save = 0;
		CHECK(sl_auth_create_user(&st, "old", "oldpw", 0, msg, sizeof msg) == 1);
		CHECK(sl_file_read(p, &b) == 1 && sl_buf_cstr(&b) == 1);
		for (char *l = strtok_r(b.p, "\n", &save); l; l = strtok_r(0, "\n", &save)) {
			char *sp = strrchr(l, ' ');
			if (!strncmp(l, "user ", 5) && sp)
				*sp = 0;        /* drop the verifier word */
			CHECK(sl_buf_printf(&o, "%s\n", l) == 1);
		}
		CHECK(sl_file_write_atomic(p, o.p, o.len, 0600) == 1);
		sl_buf_free(&b);
		sl_buf_free(&o);
	}
	CHECK(sl_auth_check(&st, "old", "oldpw") == 1);
	CHECK(check(&st, "old", "oldpw", scr) == 2);
	CHECK(check(&st, "nopw", 0, scr) == 1);                 /* "-": still empty */
	CHECK(check(&st, "ghost", "x", scr) == 0);
	CHECK(sl_auth_set_password(&st, "old", "oldpw", msg, sizeof msg) == 1);
	CHECK(check(&st, "old", "oldpw", scr) == 1);

	/* a damaged verifier: nobody gets in */
	CHECK(sl_file_write_atomic(p, "user root $y$x zz\n", 18, 0600) == 1);
	errno = 0;
	CHECK(check(&st, "root", "x", scr) == -1 && errno == EPROTO);
	CHECK(sl_file_write_atomic(p, "user root - 2470c0c06dee42fd1618bb99005adca2ec9d1e19\n", 53, 0600) == 1);
	CHECK(check(&st, "root", 0, scr) == -1);
	sl_store_close(&st);
	printf("%d passed, %d failed\n", passed, failed);
	if (failed)
		return 1;       /* the directory stays, to look at */
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
