/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partroute.h -- a load's rows routed to the partitions of a partitioned
 * table: each row's partition (formal, or temporary with
 * `temporary_partitions`; restricted to the ones a header names; an AUTO
 * table's new partition for a row no partition holds), and the
 * __SL_PARTITION__ field that carries it from sl-filter to sl-txn
 * (sl-stream.5 Partitions): written here, read back here.
 *
 * The field's text:
 *   <id>                     a live partition, its id in decimal
 *   +<k> <name> <values>     the k-th partition (from 0) the load creates,
 *                            the first row of it: its name and canonical
 *                            VALUES text (partition.h)
 *   +<k>                     the same partition, every later row
 */
#ifndef SL_PARTROUTE_H
#define SL_PARTROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "storetypes.h"

struct sl_schema;

/* The trailing column sl-filter appends for a partitioned table. */
#define SL_PARTROUTE_COL "__SL_PARTITION__"
#define SL_PARTROUTE_TYPE "STRING"

typedef struct sl_partroute sl_partroute;

/* Route rows of schema sch (which must outlive the router) over the
 * live partitions parts[0..n) (sl_part_list): plist and tlist are the
 * `partitions` and `temporary_partitions` headers (NULL absent). 1 with
 * *out; 0 with err (a name that is no partition of the table: Doris's
 * message; a values text that does not decode); -1 errno. */
int sl_partroute_new(const struct sl_schema *sch, const sl_partinfo *parts, size_t n,
	const char *plist, const char *tlist, sl_partroute **out, char *err, size_t errcap);
void sl_partroute_free(sl_partroute *r);

/* The partition of an encoded row (every schema column, maybe a mask
 * after): 1 with *field, *flen the __SL_PARTITION__ text (valid until the
 * next call); 0 it has none: reason gets Doris's "no partition for this
 * tuple. tuple=..." (the row is filtered); -1 errno (EPROTO: not a row of
 * the table; EFBIG: more than 65535 new partitions; EEXIST, ENAMETOOLONG:
 * the AUTO partition it needs cannot be made, sl_partroute_error). */
int sl_partroute_row(sl_partroute *r, const char *row, size_t len, const char **field, size_t *flen,
	sl_buf *reason);
/* Why the last sl_partroute_row gave -1 with EEXIST or ENAMETOOLONG: the
 * AUTO partition the row needs cannot be created, in Doris's words. */
const char *sl_partroute_error(const sl_partroute *r);
/* The number of partitions the rows routed so far create. */
size_t sl_partroute_created(const sl_partroute *r);

/* One __SL_PARTITION__ field read back. */
typedef struct sl_partroute_field {
	int created;            /* a partition the load creates: k, maybe name and values */
	int64_t id;             /* !created: the live partition's id */
	unsigned k;
	const char *name, *values;      /* into the field; NULL when not carried */
	size_t namelen, valueslen;
} sl_partroute_field;

/* Parse the field's text p[0..n). 1, 0 malformed. */
int sl_partroute_parse(const char *p, size_t n, sl_partroute_field *f);

#endif
