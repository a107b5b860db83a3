/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog.h -- the databases and tables of a data directory: creating,
 * dropping, listing them and reading a table's DDL. A database is a
 * directory with its transaction log; a table a directory with its DDL,
 * its id (recorded in the log by a T record: txnlog.h) and its data/.
 * Part of the store's public API: include store.h.
 */
#ifndef SL_CATALOG_H
#define SL_CATALOG_H

#include <stddef.h>

#include "io.h"
#include "storetypes.h"

/* Creating is atomic (built under a temporary name, renamed into place).
 * -1 EINVAL: a bad name (and a reserved table name: name.h). */
int sl_db_create(sl_store *st, const char *db);             /* 0: exists */
int sl_db_drop(sl_store *st, const char *db);               /* 0: not found */
int sl_db_exists(sl_store *st, const char *db);             /* 1 / 0 */
/* Sorted, malloc'd vector; free with sl_strv_free. */
int sl_db_list(sl_store *st, char ***names, size_t *n);
/* 0: table exists; -1 ENOENT: no database. */
int sl_table_create(sl_store *st, const char *db, const char *table, const char *ddl);
/* CREATE TABLE with its initial partitions (n 0: unpartitioned): the T
 * record and a Q record adding them in one durable append, before the
 * table appears. As sl_table_create (catalog.h) otherwise. */
int sl_table_create_parts(sl_store *st, const char *db, const char *table, const char *ddl,
	const sl_partinfo *parts, size_t n);
/* 0: no such table (errno ENOENT) or database (errno ENOTDIR). A table
 * created again under the name gets a new id and sees none of the old
 * table's data. */
int sl_table_drop(sl_store *st, const char *db, const char *table);
/* Can db.table name a table: db exists (else errno ENOTDIR) and table is
 * a table's name (else errno ENOENT)? 1 / 0. */
int sl_table_named(sl_store *st, const char *db, const char *table);
int sl_table_list(sl_store *st, const char *db, char ***names, size_t *n); /* 0: no db */
/* Append the DDL to out. 0: no such table (errno ENOENT) or database
 * (errno ENOTDIR). */
int sl_table_ddl(sl_store *st, const char *db, const char *table, sl_buf *out);
void sl_strv_free(char **v, size_t n);

#endif
