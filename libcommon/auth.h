/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.h -- users, passwords and grants of a data directory, as Doris:
 * user `root` with an empty password exists by default and has every
 * privilege. Kept under <data-dir>/_auth/ (directory 0700, files 0600,
 * replaced atomically): passwords only as crypt(3) hashes (yescrypt, else
 * sha512-crypt), never in clear.
 *
 * Privileges: SL_PRIV_LOAD (Doris LOAD_PRIV, also granted as INSERT_PRIV),
 * SL_PRIV_SELECT (SELECT_PRIV), SL_PRIV_ALL. Grants are on db.tbl, db.* or
 * *.*. ALTER, CREATE, DROP and SHOW_VIEW are held through ALL only (their
 * bits are part of SL_PRIV_ALL; REVOKE of one privilege of ALL leaves the
 * others, as Doris). GRANT/ADMIN (users, grants) belong to root alone.
 */
#ifndef SL_AUTH_H
#define SL_AUTH_H

#include "store.h"

#define SL_PRIV_SELECT 0x1
#define SL_PRIV_LOAD   0x2
#define SL_PRIV_ALTER  0x4
#define SL_PRIV_CREATE 0x8
#define SL_PRIV_DROP   0x10
#define SL_PRIV_SHOW_VIEW 0x20
#define SL_PRIV_ALL    0xff

/* Check a password. Takes the same time whether or not the user exists
 * (a dummy hash is checked for unknown users). 1 ok, 0 denied, -1 errno. */
int sl_auth_check(sl_store *st, const char *user, const char *password);
/* mysql_native_password (sl-mysqld): beside each crypt hash the store
 * keeps the verifier SHA1(SHA1(password)) that MySQL and Doris keep (never
 * the password), written by CREATE USER and SET PASSWORD. Check a client's
 * 20-byte answer to a 20-byte scramble (an empty answer: an empty
 * password). 1 ok; 0 denied; 2 the user exists but has no verifier (set
 * before verifiers were kept: the password must be set again); -1 errno.
 * Takes the same time whether or not the user exists. */
int sl_auth_check_native(sl_store *st, const char *user, const unsigned char *scramble,
	size_t slen, const unsigned char *resp, size_t rlen);
/* Does user hold priv on db.table (table NULL: on the database)? root: yes.
 * 1 yes, 0 no, -1 errno. */
int sl_auth_has_priv(sl_store *st, const char *user, const char *db, const char *table, int priv);
/* 1 if root's password is empty. */
int sl_auth_root_empty(sl_store *st);

/* Administration (sl-sql: CREATE USER, DROP USER, SET PASSWORD, GRANT,
 * REVOKE). 1 done; 0 a well-formed no (user exists / does not exist:
 * msg filled with Doris's wording); -1 errno. */
int sl_auth_create_user(sl_store *st, const char *user, const char *password, int if_not_exists, char *msg, size_t msgcap);
int sl_auth_drop_user(sl_store *st, const char *user, int if_exists, char *msg, size_t msgcap);
int sl_auth_set_password(sl_store *st, const char *user, const char *password, char *msg, size_t msgcap);
/* db/table "*" for wildcards. */
int sl_auth_grant(sl_store *st, const char *user, const char *db, const char *table, int privs, char *msg, size_t msgcap);
int sl_auth_revoke(sl_store *st, const char *user, const char *db, const char *table, int privs, char *msg, size_t msgcap);

/* Contracts of the functions above:
 * - names: users are 1..64 bytes, a letter then [A-Za-z0-9._-] (Doris);
 *   administration with another name is -1 EINVAL (DROP USER: a "no").
 *   Hosts are not kept: every user is 'name'@'%'.
 * - 0 answers word Doris/MySQL: "Operation CREATE USER failed for
 *   'u'@'%'" (and DROP USER; MySQL 1396), "user 'u'@'%' does not exist"
 *   (SET PASSWORD, GRANT, REVOKE), "There is no such grant defined for
 *   user 'u' on host '%'" (REVOKE of what is not held; MySQL 1141).
 *   DROP USER root is refused; SET PASSWORD FOR root makes root explicit.
 * - sl_auth_has_priv: the grants on *.*, db.* and db.table add up; with
 *   table NULL a grant on any table of db counts too. priv must be held
 *   whole (SL_PRIV_ALL only by GRANT ALL).
 * - sl_auth_root_empty: -1 errno when the users file cannot be read (a
 *   caller that treats non-zero as "empty" fails safe).
 * - sl_auth_check: 1 ok, 0 denied, -1 errno (EPROTO: the users file is
 *   damaged: nobody gets in). An accepted empty password skips crypt(3);
 *   every denial costs one crypt(3) (yescrypt ~20 ms). */
/* How those 0 answers begin, for a caller that tells them apart. */
#define SL_AUTH_MSG_OP_FAILED "Operation "
#define SL_AUTH_MSG_NO_GRANT  "There is no such grant"
/* Is user a valid user name (see above)? 1 / 0. */
int sl_auth_user_valid(const char *user);

/* One row of SHOW GRANTS: a user (db[0] == 0: has_password set) or one of
 * its grants (db, table: "*" for wildcards; privs). */
typedef struct sl_auth_entry {
	char user[65], db[65], table[65];
	int privs, has_password;
} sl_auth_entry;
/* The users (root first, always present) then the grants; only user's
 * when user is not NULL. *out malloc'd (free it). 1; 0 no such user;
 * -1 errno. */
int sl_auth_list(sl_store *st, const char *user, sl_auth_entry **out, size_t *n);
/* The privilege bits that the grants among e[0..n) (one user's, from
 * sl_auth_list) give on db.table, adding up *.*, db.* and db.table.
 * table NULL: a grant on any table of db counts too (Doris's "some
 * privilege in the database"); table "*": only *.* and db.*. */
int sl_auth_privs_of(const sl_auth_entry *e, size_t n, const char *db, const char *table);

#endif
