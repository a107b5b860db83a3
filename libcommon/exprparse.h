/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprparse.h -- the expression engine's parser (sl_expr_parse_lex in
 * expr.h is its entry point for callers).
 */
#ifndef SL_EXPRPARSE_H
#define SL_EXPRPARSE_H

#include <stddef.h>
#include "lex.h"
#include "exprtypes.h"

/* Parse one expression from a running lexer; the tree keeps its own copy
 * of its text. NULL with err on error. */
sl_expr *sl_exprparse_run(sl_lex *lx, char *err, size_t errcap);

#endif
