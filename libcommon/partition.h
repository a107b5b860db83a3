/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partition.h -- a table's partitions decoded for its schema: the scheme
 * (RANGE or LIST over key columns, AUTO), each partition's bounds from
 * its canonical VALUES text, the routing of an encoded row to its
 * partition, the partition an AUTO table creates for a row, the
 * partitions a WHERE can match, and Doris's display of them.
 *
 * Canonical VALUES text (what the store keeps, sl-store.5 Partitions):
 *   VALUES [("2020-01-01"), ("2020-02-01"))     RANGE
 *   VALUES [("1", "a"), (MAXVALUE))             RANGE, two columns
 *   VALUES [(MINVALUE), ("10"))                 RANGE, from the minimum
 *   VALUES IN (("a"), ("b"))                    LIST, a tuple per value
 * Values are double-quoted SQL strings, NULL written NULL (LIST only).
 */
#ifndef SL_PARTITION_H
#define SL_PARTITION_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "storetypes.h"

struct sl_schema;
struct sl_expr;

enum sl_pkind { SL_PART_NONE = 0, SL_PART_RANGE, SL_PART_LIST };

/* The PARTITION BY clause of a table (sl_schema's `part`). */
typedef struct sl_partscheme {
	int kind;               /* enum sl_pkind; NONE: unpartitioned */
	int autop;              /* AUTO PARTITION */
	char unit[8];           /* AUTO RANGE: "day" "week" "month" "year" */
	size_t ncols;
	long *cols;             /* partition columns: indexes into sch->cols */
} sl_partscheme;

/* A table's partitions decoded for its schema. */
typedef struct sl_partset sl_partset;

/* Decode the store's list (sl_part_list, a snapshot's parts). The schema
 * must outlive the set. NULL with err (a values text that does not parse)
 * or errno. */
sl_partset *sl_partset_new(const struct sl_schema *sch, const sl_partinfo *parts, size_t n,
	char *err, size_t errcap);
void sl_partset_free(sl_partset *ps);
size_t sl_partset_n(const sl_partset *ps);
/* Partition i: id, name, temp, canonical values (the rest zero for one
 * added to the set and not yet stored). */
const sl_partinfo *sl_partset_get(const sl_partset *ps, size_t i);
/* By name (case-insensitive) among the formal (temp 0) or temporary
 * ones: its index, -1 none. */
long sl_partset_find(const sl_partset *ps, const char *name, size_t n, int temp);
/* Resolve one clause "PARTITION [IF NOT EXISTS] p VALUES ..." (CREATE
 * TABLE's or ALTER TABLE ADD's) against the set: LESS THAN -> [lo, hi),
 * values checked against the column types, no overlap with the set's
 * partitions of the same temp, the name free (Doris's messages); then
 * appended to the set (id 0). 1 with *idx; 0 with err; -1 errno. */
int sl_partset_add_clause(sl_partset *ps, const char *clause, size_t n, int temp, size_t *idx,
	char *err, size_t errcap);
/* The partition (among the temporary ones when temp) that holds the
 * encoded row (every schema column, maybe a mask after): its index, -1
 * none, -2 errno (EPROTO: not a row of the table). */
long sl_partset_route(const sl_partset *ps, int temp, const char *row, size_t len);
/* AUTO tables, a row with no partition: append the partition Doris
 * creates for it (name and values; id 0). 1 with *idx; 0 it cannot make
 * one (not AUTO, or a NULL value in a RANGE column): the row has no
 * partition; -1 errno. */
int sl_partset_auto(sl_partset *ps, const char *row, size_t len, size_t *idx);
/* Which partitions a bound WHERE tree (columns by schema index) can
 * match: keep[i] = 1 for each that may (sl_partset_n of them); never
 * drops one that can. where NULL: all. 1, -1 errno. */
int sl_partset_prune(const sl_partset *ps, const struct sl_expr *where, unsigned char *keep);
/* Doris's display of partition i's range or list (SHOW PARTITIONS'
 * Range), appended to out. 1, -1 ENOMEM. */
int sl_partset_range_text(const sl_partset *ps, size_t i, sl_buf *out);
/* The row as Doris prints it after "no partition for this tuple. tuple=",
 * appended to out. 1, -1 errno. */
int sl_part_tuple_text(const struct sl_schema *sch, const char *row, size_t len, sl_buf *out);

#endif
