/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprfunc.h -- the expression engine's built-in functions, one table
 * (name, arity, type rule, evaluation) instead of a switch: the parser
 * finds a row by name once, and evaluation calls the row's function
 * through the node (struct sl_exprfunc_def in exprnode.h).
 */
#ifndef SL_EXPRFUNC_H
#define SL_EXPRFUNC_H

#include <stddef.h>
#include "exprnode.h"

/* The function named name[0..n) (case-insensitive), or NULL. */
const struct sl_exprfunc_def *sl_exprfunc_find(const char *name, size_t n);

#endif
