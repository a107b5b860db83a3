/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keyrange.h -- what a bound WHERE tree says of one column: the literal of
 * a comparison as an exact value of the column (the comparison Doris makes
 * after casting it to the column's type), and the range [lo, hi] of values
 * outside which every row makes the WHERE false or NULL. Partition pruning
 * and reads that skip rows by key (merge.h sl_merge_range) use it; the
 * WHERE is still evaluated on every row read, so a range never changes a
 * result, only how much is read.
 */
#ifndef SL_KEYRANGE_H
#define SL_KEYRANGE_H

#include "io.h"
#include "field.h"
#include "schema.h"
#include "exprnode.h"

/* The literal as an exact value of column c, encoded in *f (bytes in buf,
 * 16 bytes, or txt, or the literal's own text). 1; 0 not exactly a value
 * of the column (then nothing may be ruled out by it). */
int sl_keyrange_lit(const sl_column *c, const sl_value *lit, sl_buf *txt, char *buf, sl_field *f);

typedef struct sl_keyrange {
	int has_lo, has_hi;     /* a bound is there */
	int lo_incl, hi_incl;   /* ... and includes its value */
	sl_buf lo, hi;          /* the bounds' encoded values (sl_value_encode) */
} sl_keyrange;
#define SL_KEYRANGE_ZERO { 0, 0, 0, 0, SL_BUF_ZERO, SL_BUF_ZERO }

/* The range of column col that the conjuncts of where (comparisons with a
 * literal, BETWEEN, IN lists of literals, under AND) allow, into kr (zeroed
 * first). 1 a bound was found, 0 none, -1 ENOMEM. */
int sl_keyrange_of(const sl_schema *sch, long col, const sl_expr *where, sl_keyrange *kr);
void sl_keyrange_free(sl_keyrange *kr);

#endif
