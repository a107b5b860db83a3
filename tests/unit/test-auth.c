/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-auth.c -- unit tests of users and grants (libcommon/auth.c): the
 * implicit root, password checks, the privileges sl-httpd asks about
 * (sl_auth_has_priv on db.table and on a database), the answers of the
 * administration calls, a damaged users file (nobody gets in), and that a
 * denial for an unknown user costs as much as one for a wrong password.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "store.h"
#include "auth.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/test-auth-XXXXXX";

/* Median time of 5 checks, in microseconds. */
static long timed(sl_store *st, const char *u, const char *p)
{
	long t[5];

	for (int i = 0; i < 5; i++) {
		struct timespec s, e;
		clock_gettime(CLOCK_MONOTONIC, &s);
		sl_auth_check(st, u, p);
		clock_gettime(CLOCK_MONOTONIC, &e);
		t[i] = (e.tv_sec - s.tv_sec) * 1000000 + (e.tv_nsec - s.tv_nsec) / 1000;
	}
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (t[j] < t[i]) { long x = t[i]; t[i] = t[j]; t[j] = x; }
	return t[2];
}

int main(void)
{
	sl_store st;
	char msg[256], cmd[600], p[600];
	long known, unknown;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 111;
	}
	CHECK(sl_store_open(&st, dir) == 1);

	/* root: implicit, empty password, every privilege */
	CHECK(sl_auth_root_empty(&st) == 1);
	CHECK(sl_auth_check(&st, "root", "") == 1);
	CHECK(sl_auth_check(&st, "root", "x") == 0);
	CHECK(sl_auth_has_priv(&st, "root", "db", "t", SL_PRIV_LOAD) == 1);
	CHECK(sl_auth_check(&st, "nobody", "") == 0);
	CHECK(sl_auth_check(&st, "", "") == 0);
	CHECK(sl_auth_check(&st, "a:b", "") == 0);

	/* users */
	CHECK(sl_auth_create_user(&st, "jack", "pw1", 0, msg, sizeof msg) == 1);
	CHECK(sl_auth_create_user(&st, "jack", "pw2", 0, msg, sizeof msg) == 0);
	CHECK(!strcmp(msg, "Operation CREATE USER failed for 'jack'@'%'"));
	CHECK(sl_auth_create_user(&st, "jack", "pw2", 1, msg, sizeof msg) == 1);
	CHECK(sl_auth_check(&st, "jack", "pw1") == 1);      /* IF NOT EXISTS kept it */
	CHECK(sl_auth_check(&st, "jack", "pw2") == 0);
	CHECK(sl_auth_check(&st, "jack", "") == 0);
	CHECK(sl_auth_check(&st, "Jack", "pw1") == 0);      /* names are case-sensitive */
	CHECK(sl_auth_create_user(&st, "root", "", 0, msg, sizeof msg) == 0);
	CHECK(!strcmp(msg, "Operation CREATE USER failed for 'root'@'%'"));
	errno = 0;
	CHECK(sl_auth_create_user(&st, "1x", "", 0, msg, sizeof msg) == -1 && errno == EINVAL);
	CHECK(sl_auth_create_user(&st, "nopw", 0, 0, msg, sizeof msg) == 1);
	CHECK(sl_auth_check(&st, "nopw", "") == 1 && sl_auth_check(&st, "nopw", "x") == 0);

	/* privileges */
	CHECK(sl_auth_has_priv(&st, "jack", "db", "t", SL_PRIV_LOAD) == 0);
	CHECK(sl_auth_grant(&st, "jack", "db", "t", SL_PRIV_LOAD, msg, sizeof msg) == 1);
	CHECK(sl_auth_has_priv(&st, "jack", "db", "t", SL_PRIV_LOAD) == 1);
	CHECK(sl_auth_has_priv(&st, "jack", "db", "t", SL_PRIV_SELECT) == 0);
	CHECK(sl_auth_has_priv(&st, "jack", "db", "u", SL_PRIV_LOAD) == 0);
	CHECK(sl_auth_has_priv(&st, "jack", "db", 0, SL_PRIV_LOAD) == 1);  /* a table of db */
	CHECK(sl_auth_has_priv(&st, "jack", "db2", 0, SL_PRIV_LOAD) == 0);
	CHECK(sl_auth_grant(&st, "jack", "db2", "*", SL_PRIV_SELECT, msg, sizeof msg) == 1);
	CHECK(sl_auth_has_priv(&st, "jack", "db2", "any", SL_PRIV_SELECT) == 1);
	CHECK(sl_auth_has_priv(&st, "jack", "db2", "any", SL_PRIV_LOAD) == 0);
	CHECK(sl_auth_grant(&st, "nopw", "*", "*", SL_PRIV_ALL, msg, sizeof msg) == 1);
	CHECK(sl_auth_has_priv(&st, "nopw", "x", "y", SL_PRIV_LOAD | SL_PRIV_SELECT) == 1);
	CHECK(sl_auth_grant(&st, "ghost", "db", "t", SL_PRIV_LOAD, msg, sizeof msg) == 0);
	CHECK(!strcmp(msg, "user 'ghost'@'%' does not exist"));
	CHECK(sl_auth_has_priv(&st, "ghost", "db", "t", SL_PRIV_LOAD) == 0);
	errno = 0;
	CHECK(sl_auth_grant(&st, "jack", "*", "t", SL_PRIV_LOAD, msg, sizeof msg) == -1 && errno == EINVAL);
	CHECK(sl_auth_revoke(&st, "jack", "db", "t", SL_PRIV_SELECT, msg, sizeof msg) == 0);
	CHECK(!strcmp(msg, "There is no such grant defined for user 'jack' on host '%'"));
	CHECK(sl_auth_revoke(&st, "jack", "db", "t", SL_PRIV_LOAD, msg, sizeof msg) == 1);
	CHECK(sl_auth_has_priv(&st, "jack", "db", "t", SL_PRIV_LOAD) == 0);

	/* sl_auth_privs_of over one user's list (what the SQL engine asks):
	 * levels add up; table NULL counts a grant on any table of db; "*"
	 * counts only the database level; ALL holds CREATE and DROP */
	{
		sl_auth_entry *e = 0;
		size_t n = 0;
		CHECK(sl_auth_grant(&st, "jack", "db", "t", SL_PRIV_SELECT, msg, sizeof msg) == 1);
		CHECK(sl_auth_grant(&st, "jack", "db3", "*", SL_PRIV_ALL, msg, sizeof msg) == 1);
		CHECK(sl_auth_list(&st, "jack", &e, &n) == 1);
		CHECK(sl_auth_privs_of(e, n, "db", "t") == SL_PRIV_SELECT);
		CHECK(sl_auth_privs_of(e, n, "db", "u") == 0);
		CHECK(sl_auth_privs_of(e, n, "db", 0) == SL_PRIV_SELECT);
		CHECK(sl_auth_privs_of(e, n, "db", "*") == 0);
		CHECK(sl_auth_privs_of(e, n, "db2", "x") == SL_PRIV_SELECT);
		CHECK(sl_auth_privs_of(e, n, "db3", "x") & SL_PRIV_CREATE);
		CHECK(sl_auth_privs_of(e, n, "db3", "*") & SL_PRIV_DROP);
		CHECK(sl_auth_privs_of(e, n, "other", 0) == 0);
		free(e);
		CHECK(sl_auth_revoke(&st, "jack", "db3", "*", SL_PRIV_SELECT, msg, sizeof msg) == 1);
		CHECK(sl_auth_has_priv(&st, "jack", "db3", "x", SL_PRIV_DROP | SL_PRIV_LOAD) == 1);
		CHECK(sl_auth_has_priv(&st, "jack", "db3", "x", SL_PRIV_SELECT) == 0);
		CHECK(sl_auth_revoke(&st, "jack", "db3", "*", SL_PRIV_ALL, msg, sizeof msg) == 1);
		CHECK(sl_auth_revoke(&st, "jack", "db", "t", SL_PRIV_SELECT, msg, sizeof msg) == 1);
	}

	/* SET PASSWORD, DROP USER */
	CHECK(sl_auth_set_password(&st, "jack", "new", msg, sizeof msg) == 1);
	CHECK(sl_auth_check(&st, "jack", "new") == 1 && sl_auth_check(&st, "jack", "pw1") == 0);
	CHECK(sl_auth_set_password(&st, "ghost", "x", msg, sizeof msg) == 0);
	CHECK(sl_auth_drop_user(&st, "jack", 0, msg, sizeof msg) == 1);
	CHECK(sl_auth_check(&st, "jack", "new") == 0);
	CHECK(sl_auth_has_priv(&st, "jack", "db2", "any", SL_PRIV_SELECT) == 0);
	CHECK(sl_auth_create_user(&st, "jack", "", 0, msg, sizeof msg) == 1);
	CHECK(sl_auth_has_priv(&st, "jack", "db2", "any", SL_PRIV_SELECT) == 0);  /* grants went with it */
	CHECK(sl_auth_drop_user(&st, "jack", 0, msg, sizeof msg) == 1);
	CHECK(sl_auth_drop_user(&st, "jack", 0, msg, sizeof msg) == 0);
	CHECK(!strcmp(msg, "Operation DROP USER failed for 'jack'@'%'"));
	CHECK(sl_auth_drop_user(&st, "jack", 1, msg, sizeof msg) == 1);
	CHECK(sl_auth_drop_user(&st, "root", 1, msg, sizeof msg) == 0);
	CHECK(sl_auth_set_password(&st, "root", "rootpw", msg, sizeof msg) == 1);
	CHECK(sl_auth_root_empty(&st) == 0);
	CHECK(sl_auth_check(&st, "root", "") == 0 && sl_auth_check(&st, "root", "rootpw") == 1);

	/* timing: an unknown user costs one crypt(3), as a wrong password */
	CHECK(sl_auth_create_user(&st, "tim", "right", 0, msg, sizeof msg) == 1);
	known = timed(&st, "tim", "wrong");
	unknown = timed(&st, "nosuchuser", "wrong");
	CHECK(unknown * 2 > known && known * 2 > unknown);
	if (!(unknown * 2 > known && known * 2 > unknown))
		fprintf(stderr, "known %ld us, unknown %ld us\n", known, unknown);

	/* a damaged users file: nobody gets in, errors are reported */
	snprintf(p, sizeof p, "%s/_auth/users", dir);
	CHECK(sl_file_write_atomic(p, "user root\n", 10, 0600) == 1);
	errno = 0;
	CHECK(sl_auth_check(&st, "root", "rootpw") == -1 && errno == EPROTO);
	CHECK(sl_auth_has_priv(&st, "tim", "d", "t", SL_PRIV_LOAD) == -1);
	CHECK(sl_auth_root_empty(&st) == -1);
	CHECK(sl_auth_create_user(&st, "x", "", 0, msg, sizeof msg) == -1);
	sl_store_close(&st);

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (!failed && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
