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
 * partitions of the same temp, the name free among formal and temporary
 * partitions (Doris's messages); then appended to the set (id 0). 1 with
 * *idx; IF NOT EXISTS and the name taken: 1 with *idx the existing one
 * and nothing appended (compare sl_partset_n); 0 with err; -1 errno. */
int sl_partset_add_clause(sl_partset *ps, const char *clause, size_t n, int temp, size_t *idx,
	char *err, size_t errcap);
/* The partition (among the temporary ones when temp) that holds the
 * encoded row (every schema column, maybe a mask after): its index, -1
 * none, -2 errno (EPROTO: the fields up to the last partition column are
 * not fields of the table). A binary search over the set's routing
 * order; no allocation (up to 16 partition columns), no state changed. */
long sl_partset_route(const sl_partset *ps, int temp, const char *row, size_t len);
/* AUTO tables, a row with no partition: append the partition Doris
 * creates for it (name and values; id 0; partauto.c has the rules). 1
 * with *idx; 0 it cannot make one (not AUTO, a NULL value in a RANGE
 * column, a NUL byte in a LIST value): the row has no partition; -1 errno, sl_partset_error says why
 * (the load fails, as Doris's does). Not for a row that routes. */
int sl_partset_auto(sl_partset *ps, const char *row, size_t len, size_t *idx);
/* Why the last sl_partset_auto gave -1, as Doris words it (errno EEXIST:
 * the partition meets one the table has, or its name is taken;
 * ENAMETOOLONG: "Partition name's length is over limit of 50. abort to
 * create."; EPROTO: not a row of the table). */
const char *sl_partset_error(const sl_partset *ps);
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

/* The text layer (partition.c: no schema needed; the typed set is
 * partmap.c, partauto.c and partprune.c behind partint.h). */

struct sl_lex;

/* One value of a VALUES text. */
enum sl_pvkind { SL_PV_VALUE = 0, SL_PV_NULL, SL_PV_MIN, SL_PV_MAX };
typedef struct sl_pval {
	int kind;               /* enum sl_pvkind */
	char *s; size_t n;      /* SL_PV_VALUE: the text (NUL-terminated) */
} sl_pval;

/* A partition clause or a canonical VALUES text, parsed: tuples of
 * values as text, not yet typed. */
typedef struct sl_pclause {
	char *name;             /* PARTITION name (NULL for a bare VALUES text) */
	int if_not_exists;
	int kind;               /* SL_PART_RANGE or SL_PART_LIST */
	int less_than;          /* RANGE written VALUES LESS THAN: one tuple, the upper bound */
	size_t ntup;            /* RANGE: 1 (LESS THAN) or 2 ([lo, hi)); LIST: one per value */
	size_t *off;            /* tuple t is v[off[t] .. off[t + 1]) (ntup + 1 offsets) */
	sl_pval *v; size_t nv;
} sl_pclause;

/* Parse "PARTITION [IF NOT EXISTS] p VALUES ..." or, when the text starts
 * with VALUES, a bare VALUES text (the store's). 1, 0 with err (syntax),
 * -1 ENOMEM. Free with sl_pclause_free. */
int sl_pclause_parse(const char *s, size_t n, sl_pclause *c, char *err, size_t errcap);
void sl_pclause_free(sl_pclause *c);
/* Append s[0..n) as a canonical double-quoted value ("a\"b"). 1, -1 ENOMEM. */
int sl_part_quote(sl_buf *out, const char *s, size_t n);

/* The PARTITION BY clause as written, before its columns are resolved. */
typedef struct sl_partby {
	int kind, autop;
	char unit[8];
	char **names; size_t nnames;    /* partition columns, as written */
	char **clauses; size_t nclauses;/* "PARTITION p VALUES ..." each, as written */
} sl_partby;

/* Parse "[AUTO] PARTITION BY RANGE|LIST (cols | date_trunc(col, 'unit'))
 * (clauses)" from lx's current token through the list's ')' (lx is left
 * on the token after it). Each clause's syntax is checked; AUTO RANGE's
 * function and unit with Doris's messages. 1, 0 with err. Free with
 * sl_partby_free. */
int sl_partby_parse(struct sl_lex *lx, sl_partby *pb, char *err, size_t errcap);
void sl_partby_free(sl_partby *pb);
/* Free a scheme's column list (sl_schema_free). */
void sl_partscheme_free(sl_partscheme *sc);
/* Doris's display order of partitions i and j (SHOW PARTITIONS): RANGE
 * partitions by their lower bound, the others (and equal bounds) by id.
 * <0, 0, >0. */
int sl_partset_cmp(const sl_partset *ps, size_t i, size_t j);

#endif
