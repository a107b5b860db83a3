/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.h -- users, passwords and grants of a data directory, as Doris:
 * user `root` with an empty password exists by default and has every
 * privilege. Kept under <data-dir>/_auth/ (directory 0700, files 0600,
 * replaced atomically): passwords only as crypt(3) hashes (yescrypt, else
 * sha512-crypt), never in clear.
 *
 * Privileges: SL_PRIV_LOAD (Doris LOAD_PRIV), SL_PRIV_SELECT (SELECT_PRIV),
 * SL_PRIV_ALL. Grants are on db.tbl, db.* or *.*.
 */
#ifndef SL_AUTH_H
#define SL_AUTH_H

#include "store.h"

#define SL_PRIV_SELECT 0x1
#define SL_PRIV_LOAD   0x2
#define SL_PRIV_ALL    0xff

/* Check a password. Takes the same time whether or not the user exists
 * (a dummy hash is checked for unknown users). 1 ok, 0 denied, -1 errno. */
int sl_auth_check(sl_store *st, const char *user, const char *password);
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

#endif
