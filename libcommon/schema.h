/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.h -- a table's schema as parsed from its Doris CREATE TABLE.
 * The store keeps the DDL text (sl_schema_render's canonical form);
 * sl_schema_load reads and parses it.
 */
#ifndef SL_SCHEMA_H
#define SL_SCHEMA_H

#include <stddef.h>
#include "types.h"
#include "partition.h"

enum sl_model { SL_MODEL_DUPLICATE = 0, SL_MODEL_UNIQUE, SL_MODEL_AGGREGATE };
enum sl_default { SL_DEFAULT_NONE = 0, SL_DEFAULT_NULL, SL_DEFAULT_VALUE, SL_DEFAULT_CURRENT_TIMESTAMP };
enum sl_agg { SL_AGG_NONE = 0, SL_AGG_SUM, SL_AGG_MAX, SL_AGG_MIN, SL_AGG_REPLACE,
	SL_AGG_REPLACE_IF_NOT_NULL, SL_AGG_BITMAP_UNION, SL_AGG_HLL_UNION };

typedef struct sl_column {
	char *name;
	sl_type type;
	int nullable;           /* NULL (default) vs NOT NULL */
	int is_key;             /* listed in the KEY clause */
	int agg;                /* enum sl_agg: the fold of a value column
	                         * (AGGREGATE: as declared; UNIQUE: REPLACE) */
	int default_kind;       /* enum sl_default */
	char *default_value;    /* text of DEFAULT "x" (SL_DEFAULT_VALUE) */
	char *comment;          /* NULL if none */
	/* The model's hidden columns, always last in cols[] and in every row
	 * (sl-map emits them, segments store them): __DORIS_DELETE_SIGN__
	 * (UNIQUE tables: TINYINT NOT NULL DEFAULT "0", REPLACE) and
	 * __DORIS_SEQUENCE_COL__ (UNIQUE tables with a sequence: the
	 * sequence's type, NULL, REPLACE). Not in SELECT * or DESC unless the
	 * session has show_hidden_columns=true; not rendered in the DDL. */
	int hidden;
} sl_column;

typedef struct sl_schema {
	char *db, *name;
	sl_column *cols;
	size_t ncols;
	int model;              /* enum sl_model */
	char **keys; size_t nkeys;           /* KEY(...) columns */
	int dist_random;                     /* DISTRIBUTED BY RANDOM */
	char **dist_cols; size_t ndist_cols; /* DISTRIBUTED BY HASH(...) */
	int buckets;                         /* BUCKETS n; 0 = AUTO/absent */
	char **prop_k, **prop_v; size_t nprops; /* PROPERTIES (...) */
	char *comment;                       /* table COMMENT */
	int if_not_exists;                   /* CREATE TABLE IF NOT EXISTS (added by C) */
	/* The model (filled by sl_schema_parse; key columns are a prefix of
	 * cols[] in KEY order, as Doris requires). */
	size_t nvisible;        /* cols[0..nvisible) are the user's columns */
	long delete_sign;       /* index of __DORIS_DELETE_SIGN__, -1 none */
	long seq_col;           /* index of __DORIS_SEQUENCE_COL__, -1 none */
	long seq_map;           /* function_column.sequence_col property: the
	                         * user column that feeds the sequence, -1 none */
	int mow;                /* enable_unique_key_merge_on_write (UNIQUE: default true) */
	/* PARTITION BY (partition.h): the scheme, and the CREATE's partition
	 * clauses as written ("PARTITION p VALUES ..."), in order; the store
	 * keeps the partitions themselves (sl_part_list) */
	sl_partscheme part;
	char **part_clauses; size_t npart_clauses;
} sl_schema;

#define SL_SCHEMA_ZERO { 0 }

/* Parse a Doris CREATE TABLE statement (the whole statement text, with or
 * without trailing ';'). db.table or just table (then db_default is used;
 * if db_default is NULL too, s->db stays NULL and the caller decides).
 * Without a KEY clause the table is DUPLICATE KEY over Doris's default short
 * key (at most 3 leading columns, 36 bytes, stopping after the first
 * VARCHAR); without DISTRIBUTED BY it is RANDOM BUCKETS AUTO.
 * Columns with an aggregate and no KEY clause make an AGGREGATE KEY table
 * over the leading columns without one, as Doris does.
 * UNIQUE tables get __DORIS_DELETE_SIGN__ and, with the property
 * function_column.sequence_type or .sequence_col, __DORIS_SEQUENCE_COL__
 * appended (hidden); their value columns get agg REPLACE (the DDL does not
 * say it). Doris's rules and messages: key columns an ordered prefix,
 * aggregates on every AGGREGATE value column and nowhere else, compatible
 * with the type; UNIQUE not DISTRIBUTED BY RANDOM; the sequence properties
 * only on UNIQUE, one of them, an integer or date type; sequence_col an
 * existing value column. User column names may not start with __DORIS_.
 * BITMAP and HLL are value columns only (in AGGREGATE tables with
 * BITMAP_UNION / HLL_UNION), without DEFAULT (BITMAP: DEFAULT NULL only).
 * AUTO_INCREMENT and the types VARIANT, QUANTILE_STATE, ... are rejected. PARTITION BY
 * [AUTO] RANGE|LIST fills part (its columns existing key columns of a type
 * the kind takes, Doris's messages) and part_clauses (each as written, its
 * syntax checked; the values are typed when the store's partitions are
 * made from them, sl_partset_add_clause). ARRAY, MAP, STRUCT and JSON columns
 * are accepted as non-key, non-distribution columns. Returns 1, or 0 with err set
 * ("... at position N"). */
int sl_schema_parse(const char *ddl, size_t n, const char *db_default, sl_schema *s, char *err, size_t errcap);
/* Canonical DDL, as SHOW CREATE TABLE prints it: the model, the user's
 * columns (never the hidden ones; aggregates only for AGGREGATE tables) and
 * the properties as given, so that parse(render(s)) gives s again.
 * malloc'd; NULL on ENOMEM. */
char *sl_schema_render(const sl_schema *s);
/* The same with the partitions of ps in the PARTITION BY clause (SHOW
 * CREATE TABLE); sl_schema_render writes an empty list, which is what
 * schema.sql keeps. */
char *sl_schema_render_parts(const sl_schema *s, const sl_partset *ps);
/* Column index by name, case-insensitive; -1 if none. */
long sl_schema_col(const sl_schema *s, const char *name, size_t n);
void sl_schema_free(sl_schema *s);

struct sl_store;
/* Read db.table's DDL from the store and parse it. 1 ok, 0 no such table
 * (errno ENOENT; errno ENOTDIR if the database itself is missing), -1 errno. */
int sl_schema_load(struct sl_store *st, const char *db, const char *table, sl_schema *s);

#endif
