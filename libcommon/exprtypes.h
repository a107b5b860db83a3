/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprtypes.h -- the types of the expression engine's API (expr.h): the
 * opaque tree, the bounds every tree keeps, the binder's scope and the
 * evaluator's context. Declared here, below expr.h, so that the engine's
 * own modules use them without including expr.h.
 */
#ifndef SL_EXPRTYPES_H
#define SL_EXPRTYPES_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"
#include "arena.h"

typedef struct sl_expr sl_expr;

/* Bounds. Parsing and every walk over a tree (bind, eval,
 * free) are linear and never recurse deeper than these allow:
 *   SL_EXPR_TEXT_MAX     bytes of one string given to sl_expr_parse (the
 *                        where header, one columns expression): "expression
 *                        is too long: N bytes, the limit is 65536"
 *   SL_EXPR_DEPTH_MAX    height of a tree, as Doris's expr_depth_limit
 *                        (1+1+...+1 is a tree as high as it has terms):
 *                        "Exceeded the maximum depth of an expression tree (3000)."
 *   SL_EXPR_CHILDREN_MAX children of one node (IN lists, function arguments,
 *                        CASE arms), as Doris's expr_children_limit:
 *                        "Exceeded the maximum number of child expressions (10000)."
 *   SL_EXPR_NEST_MAX     nesting of parentheses, calls, NOT and unary signs
 *                        (the parser's own recursion): "expression too deeply
 *                        nested at position N" */
#define SL_EXPR_TEXT_MAX     65536
#define SL_EXPR_DEPTH_MAX    3000
#define SL_EXPR_CHILDREN_MAX 10000
#define SL_EXPR_NEST_MAX     200

/* Name resolution. Columns are matched case-insensitively. */
typedef struct sl_expr_scope {
	size_t ncols;
	const char *const *names;
	const sl_type *types;
	int allow_aggs;         /* SELECT: aggregate calls allowed */
} sl_expr_scope;
/* Evaluation context. */
typedef struct sl_eval_ctx {
	sl_arena *arena;
	int64_t now_us;         /* statement time: microseconds since epoch, UTC */
	const sl_value *aggs;   /* aggregate results, indexed by aggregate id */
	int fold_case;          /* =, <>, IN between two strings ignore ASCII case
	                         * (the job views' values, as a _ci collation) */
} sl_eval_ctx;
/* Accumulator of one aggregate call over one group. */
typedef struct sl_agg_state { int64_t count; int has; sl_value v; __int128 sum_l; double sum_d; int kind; char *sbuf; size_t scap;
	void *distinct;         /* set of seen values for count(DISTINCT x) */
	void *sketch;           /* bitmap_union, hll_union...: exprsketch.c's state */
} sl_agg_state;

#endif
