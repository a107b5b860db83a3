/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partint.h -- the inside of sl_partset (partition.h), shared by
 * partmap.c (the set, its bounds, routing, AUTO) and partprune.c (which
 * partitions a WHERE can match, Doris's display of bounds). Not for
 * callers: they see partition.h.
 */
#ifndef SL_PARTINT_H
#define SL_PARTINT_H

#include <stddef.h>
#include "field.h"
#include "io.h"
#include "partition.h"
#include "schema.h"

/* One bound or list value of a partition column: a value (f; f.n ==
 * SL_NULL_LEN for NULL) or the column's minimum / maximum. MIN sorts
 * before NULL, which sorts before every value (NULL rows belong to the
 * partition that starts at the minimum, as in Doris). */
enum { PK_MIN = -1, PK_VAL = 0, PK_MAX = 1 };
typedef struct sl_pkey { int inf; sl_field f; } sl_pkey;

typedef struct sl_ppart {
	sl_partinfo info;       /* values owned */
	sl_pkey *k;             /* RANGE: lower k[0..nc), upper k[nc..2nc);
	                         * LIST: ntup tuples of nc */
	size_t ntup;
	char *blob;             /* the bytes the keys point into */
} sl_ppart;

/* A LIST tuple in the routing order: partition part's tuple tup. */
typedef struct sl_pentry { size_t part, tup; } sl_pentry;

struct sl_partset {
	const sl_schema *sch;
	const sl_partscheme *sc;
	size_t nc;                      /* partition columns */
	sl_ppart *p; size_t n, cap;
	/* routing, per temp (0 formal, 1 temporary): RANGE partitions in
	 * bound order; LIST tuples in value order */
	size_t *rord[2]; size_t nr[2];
	sl_pentry *lord[2]; size_t nl[2];
	size_t need;                    /* fields a row must have */
	char err[256];                  /* why sl_partset_auto failed */
};

/* The partition columns of an encoded row as keys k[0..nc) (pointing
 * into the row). 1, -1 EPROTO (not a row of the table). */
int sl_pkey_row(const sl_partset *ps, const char *row, size_t len, sl_pkey *k);
/* Compare two tuples of nc keys of ps's partition columns. */
int sl_pkey_cmp(const sl_partset *ps, const sl_pkey *a, const sl_pkey *b);
/* Doris's PartitionKey text of a tuple: "types: [INT]; keys: [1]; ". */
int sl_pkey_text(const sl_partset *ps, const sl_pkey *k, sl_buf *out);
/* Doris's Range text of a RANGE partition:
 * "[types: [INT]; keys: [1]; ..types: [INT]; keys: [10]; )". */
int sl_partrange_text(const sl_partset *ps, const sl_ppart *p, sl_buf *out);
/* Decode and format one value as Doris displays it (NULL: "NULL"). */
int sl_pkey_value_text(const sl_type *t, sl_field f, sl_buf *out);
/* Cast a literal's text to column c's type, Doris's refusals in err.
 * 1 with the encoded bytes in *f (fixed types in buf[16], strings point
 * into s), 0 refused. */
int sl_pkey_cast(const sl_column *c, const char *s, size_t n, char *buf, sl_field *f, char *err,
	size_t errcap);

#endif
