/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprbind.h -- the expression engine's binder: resolves column names
 * against a scope and gives every node its Doris result type (implicit
 * casts, decimal precision and scale, the common type of branches). The
 * built-in functions' type rules (exprfunc.c) use its type constructors.
 */
#ifndef SL_EXPRBIND_H
#define SL_EXPRBIND_H

#include <stddef.h>
#include "types.h"
#include "exprtypes.h"

/* Bind e in scope sc (sl_expr_bind). 1 ok; 0 with err. */
int sl_exprbind_run(sl_expr *e, const sl_expr_scope *sc, char *err, size_t errcap);
/* A type of kind (strings at their widest), and DECIMAL(prec, scale)
 * clamped to 38 digits. */
sl_type sl_exprbind_type(int kind);
sl_type sl_exprbind_dec(int prec, int scale);
/* The common type of two branches (IF, CASE, COALESCE, IN lists). */
sl_type sl_exprbind_common(sl_type a, sl_type b);

#endif
