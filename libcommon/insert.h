/* SPDX-License-Identifier: Apache-2.0 */
/*
 * insert.h -- INSERT INTO as a load. The statement's target, column list and
 * query (VALUES rows, or SELECT exprs FROM S3(...) | local(...) | db.table
 * [WHERE ...]) become a stream load's headers (columns, where, format and
 * its options from the source's properties, the session's
 * insert_max_filter_ratio and enable_insert_strict as max_filter_ratio and
 * strict_mode) and run through the stages (load.h) with the rows as the
 * body: the source's objects (objsrc.h) streamed one after another, a
 * table's rows read at one snapshot, or the VALUES rows; one transaction with
 * a label (WITH LABEL l, else generated as Doris does).
 */
#ifndef SL_INSERT_H
#define SL_INSERT_H

#include <stddef.h>
#include "hdr.h"
#include "io.h"
#include "store.h"
#include "load.h"

typedef struct sl_insert sl_insert;

enum { SL_INSERT_VALUES, SL_INSERT_S3, SL_INSERT_LOCAL, SL_INSERT_TABLE };

/* Parse and check an INSERT statement (sql: the whole statement, from
 * INSERT). default_db: the session's database or NULL. 1; 0 a syntax or
 * analysis error: *code (MySQL error number, e.g. 1064, 1105), err the
 * Doris message; -1 errno. */
int sl_insert_parse(sl_insert **out, sl_store *st, const char *default_db, const char *sql,
	size_t n, int *code, char *err, size_t cap);
void sl_insert_free(sl_insert *ins);

const char *sl_insert_db(const sl_insert *ins);
const char *sl_insert_table(const sl_insert *ins);
int sl_insert_source(const sl_insert *ins);            /* SL_INSERT_* */
/* SL_INSERT_TABLE: the source table's database and name; else NULL. */
const char *sl_insert_src_db(const sl_insert *ins);
const char *sl_insert_src_table(const sl_insert *ins);
/* SL_INSERT_TABLE: the SELECT that reads the source table (its select
 * list, the table, its WHERE), appended to out: 1; 0 another source;
 * -1 ENOMEM. */
int sl_insert_select_sql(const sl_insert *ins, sl_buf *out);
/* The statement's WITH LABEL, or NULL. */
const char *sl_insert_label(const sl_insert *ins);
/* The TVF's name ("s3", "local") and properties as written (uri, format,
 * s3.*, ...); NULL for VALUES and a table. */
const char *sl_insert_tvf(const sl_insert *ins);
const sl_hdrs *sl_insert_tvf_props(const sl_insert *ins);
/* The statement text with the values of objsrc.h's secret properties
 * replaced by "*XXX" (Doris's mask), for views and logs. 1, -1 ENOMEM. */
int sl_insert_masked(const sl_insert *ins, sl_buf *out);

typedef struct sl_insert_opts {
	const char *label;          /* NULL: the statement's WITH LABEL, else generated */
	const char *const *keys;    /* S3/local: load exactly these objects (a job's */
	size_t nkeys;               /* batch) instead of all the uri matches; NULL: all */
	const char *attach;         /* NULL, or a JSON object stored in the commit
	                             * record's attachment (a job's offset and
	                             * statistics: the same atomic record as the
	                             * rows); read back with sl_insert_attach_get */
	const sl_hdrs *session;     /* session variables by Doris's names
	                             * (insert_max_filter_ratio, enable_insert_strict,
	                             * time_zone, ...); NULL: defaults */
	const char *user;           /* for auth and the record; NULL: root */
	const char *data_dir;       /* given to the stages; NULL: theirs */
	const char *bindir;         /* where the stage programs are; NULL: load.h's choice */
	int errfd;                  /* the stages' stderr; -1 inherited */
} sl_insert_opts;

/* Run it as one load. 1 answered: out->ok and out->res (label, txn id,
 * counts, message) say how; -1 errno (nothing ran). */
int sl_insert_run(sl_insert *ins, sl_store *st, const sl_insert_opts *o, sl_load_out *out);

/* The longest attach (bytes of JSON); longer: sl_insert_run fails E2BIG. */
#define SL_INSERT_ATTACH_MAX SL_ATTACH_EXTRA_MAX

/* The attach JSON of a committed insert's transaction, copied to out.
 * 1 found, 0 the txn carries none, -1 errno. */
int sl_insert_attach_get(const sl_txninfo *ti, sl_buf *out);

#endif
