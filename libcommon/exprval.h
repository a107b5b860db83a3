/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprval.h -- the expression engine's values: numeric views of a value
 * (double, integer, unscaled decimal), text in the evaluation arena, casts
 * (sl_value_cast, expr.h), comparison with Doris's implicit casts,
 * three-valued truth, and the arithmetic operators. The evaluator
 * (expr.c) and the built-in functions (exprfunc.c) share them.
 */
#ifndef SL_EXPRVAL_H
#define SL_EXPRVAL_H

#include <stdint.h>
#include <string.h>
#include "types.h"
#include "exprtypes.h"

/* Value as double; 0 if not convertible (a string that is not a number). */
int sl_exprval_double(const sl_value *v, double *d);
/* Integer value (truncating decimals and doubles); 0 if not convertible. */
int sl_exprval_i128(const sl_value *v, __int128 *x);
/* Value as an unscaled decimal at its natural scale (ints scale 0). */
int sl_exprval_dec(const sl_value *v, __int128 *x, int *scale);
/* Rescale unscaled x from scale `from` to `to`, rounding half away from
 * zero when dropping digits. 0 on overflow. */
int sl_exprval_rescale(__int128 x, int from, int to, __int128 *out);
/* Floor division, and microseconds rounded to `scale` fractional digits. */
int64_t sl_exprval_floordiv(int64_t a, int64_t b);
int64_t sl_exprval_round_us(int64_t us, int scale);
/* Compare with implicit casts. 1 with *res (<0, 0, >0), or 0 when a side
 * cannot be converted (the comparison is then NULL). */
int sl_exprval_cmp(const sl_value *a, const sl_value *b, int *res);
/* v as text, formatted into ctx's arena when it is not a string. 1, -1
 * ENOMEM. */
int sl_exprval_str(const sl_value *v, sl_eval_ctx *ctx, const char **p, size_t *n);
/* Cast a branch result to e's declared type. 1, -1 ENOMEM. */
int sl_exprval_conform(const sl_expr *e, sl_value *v, sl_eval_ctx *ctx);
/* a op b, and -a, for an E_ARITH / E_NEG node (neither side NULL). 1. */
int sl_exprval_arith(const sl_expr *e, const sl_value *a, const sl_value *b, sl_value *out);
int sl_exprval_neg(const sl_expr *e, const sl_value *a, sl_value *out);

static inline void sl_exprval_set_null(sl_value *out)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_NULL;
}

/* t: 1 true, 0 false, -1 NULL. */
static inline void sl_exprval_set_bool(sl_value *out, int t)
{
	memset(out, 0, sizeof *out);
	out->tkind = SL_T_BOOLEAN;
	if (t < 0) { out->kind = SL_V_NULL; return; }
	out->kind = SL_V_INT;
	out->u.i = t;
}

static inline int sl_exprval_set_str(sl_value *out, const char *p, size_t n)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_STRING;
	out->tkind = SL_T_VARCHAR;
	out->u.s.p = p;
	out->u.s.n = n;
	return 1;
}

static inline int sl_exprval_set_int(sl_value *out, int64_t v, int tkind)
{
	memset(out, 0, sizeof *out);
	out->kind = SL_V_INT;
	out->tkind = (uint8_t)tkind;
	out->u.i = v;
	return 1;
}

/* 3-valued truth: 1 true, 0 false, -1 NULL. */
int sl_exprval_tri(const sl_value *v);

/* Cast a value to type t with Doris non-strict rules (overflow/invalid ->
 * NULL, returns 0 then); 1 if representable, and 1 for a NULL input (NULL
 * out). Strings may be formatted into the arena (a may be NULL when t is
 * not a string type); CHAR/VARCHAR lengths are not enforced here. Numbers
 * to DECIMAL round half away from zero; DOUBLE/DECIMAL to integers
 * truncate; integers like 20240102 cast to DATE/DATETIME. */
int sl_value_cast(const sl_value *in, const sl_type *t, sl_arena *a, sl_value *out);
/* Compare two non-NULL values with Doris implicit-cast rules: <0, 0, >0. */
int sl_value_cmp(const sl_value *a, const sl_value *b);

/* Truth value for WHERE: 1 true, 0 false or NULL. */
int sl_value_truth(const sl_value *v);

#endif
