/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprsketch.h -- BITMAP and HLL in the expression engine: their scalar
 * functions (to_bitmap, bitmap_hash, bitmap_from_string, bitmap_empty,
 * bitmap_count, bitmap_to_string, hll_hash, hll_empty, hll_cardinality; a
 * table like exprfunc.c's), the aggregates over them (bitmap_union,
 * bitmap_union_count, hll_union, hll_raw_agg, hll_union_agg), and Doris's
 * refusals of sketches where they have no meaning (comparisons, casts,
 * arithmetic, min/max/sum/avg).
 */
#ifndef SL_EXPRSKETCH_H
#define SL_EXPRSKETCH_H

#include <stddef.h>
#include "exprnode.h"

/* The sketch functions' table rows (exprfunc.c looks names up in it). */
const struct sl_exprfunc_def *sl_exprsketch_table(size_t *n);
/* Binder checks of a node whose children are bound: comparisons, IN,
 * BETWEEN, LIKE, arithmetic and casts over a sketch, and aggregates (the
 * sketch aggregates get their type here). 1 ok, 0 with the message in err
 * ("Bitmap type dose not support operand: bm = 1", "can not cast from
 * origin type varchar(65533) to target type=bitmap"). */
int sl_exprsketch_check(sl_expr *e, char *err, size_t errcap);
/* The sketch aggregates' accumulators (sl_agg_step / sl_agg_final /
 * sl_agg_free of expr.c hand calls with op >= AG_BITMAP_UNION here). v is
 * the argument's value, not NULL. 1, -1 ENOMEM or EPROTO (a corrupt
 * value). */
int sl_exprsketch_agg_step(const sl_expr *call, sl_agg_state *st, const sl_value *v);
/* The result (bytes owned by st, valid until the next call or free). */
void sl_exprsketch_agg_final(const sl_expr *call, const sl_agg_state *st, sl_value *out);
void sl_exprsketch_agg_free(sl_agg_state *st);

#endif
