/* SPDX-License-Identifier: Apache-2.0 */
/*
 * name.h -- the names of databases and tables: which strings may name a
 * directory of the store (store.h includes this header).
 */
#ifndef SL_NAME_H
#define SL_NAME_H

/* Names: 1..64 bytes of [A-Za-z0-9_-], not starting with '_' or '-';
 * anything else -1 EINVAL. Names are case-sensitive. */
int sl_name_valid(const char *name);
/* A valid name that is not one of the names reserved inside a
 * database ("txnlog", "lock", "txn"): a table's. 1, -1 EINVAL. */
int sl_name_table_valid(const char *name);

#endif
