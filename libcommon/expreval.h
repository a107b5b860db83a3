/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expreval.h -- the expression engine's evaluator (sl_expr_eval in expr.h
 * is its entry point for callers; the built-in functions that evaluate
 * their own arguments call it here).
 */
#ifndef SL_EXPREVAL_H
#define SL_EXPREVAL_H

#include "types.h"
#include "exprtypes.h"

/* Evaluate e over row. 1 ok, -1 ENOMEM. */
int sl_expreval_eval(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out);

#endif
