/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprnode.h -- the expression tree's node and its allocation, shared by
 * the engine's modules (exprparse.c, exprbind.c, expreval.c, exprval.c,
 * exprtime.c, exprfunc.c, expr.c). Callers outside the engine see only the
 * opaque sl_expr of expr.h.
 */
#ifndef SL_EXPRNODE_H
#define SL_EXPRNODE_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"

#include "exprtypes.h"


#define EXPR_US_PER_DAY INT64_C(86400000000)
#define EXPR_US_PER_SEC INT64_C(1000000)
/* The evaluator recurses as deep as a tree is high (SL_EXPR_DEPTH_MAX):
 * the helpers it calls stay out of its frame, whose size times that depth
 * must fit the stack with room to spare, under ASan too
 * (tests/unit/test-expr.c). */
#define EXPR_NOINLINE __attribute__((noinline))

enum sl_expr_kind {
	E_LIT, E_COL, E_NEG, E_NOT, E_AND, E_OR, E_CMP, E_ARITH, E_ISNULL, E_IN,
	E_BETWEEN, E_LIKE, E_CASE, E_CAST, E_FUNC, E_AGG,
};
enum sl_expr_cmpop { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_NSEQ };
enum sl_expr_aop { A_ADD, A_SUB, A_MUL, A_DIV, A_MOD, A_IDIV };
enum sl_expr_cat { CAT_INT, CAT_DEC, CAT_DBL };
enum sl_expr_aggfn { AG_COUNT, AG_SUM, AG_MIN, AG_MAX, AG_AVG,
	/* over BITMAP / HLL values (exprsketch.c) */
	AG_BITMAP_UNION, AG_BITMAP_UNION_COUNT, AG_HLL_UNION, AG_HLL_UNION_AGG, AG_HLL_RAW_AGG };

/* One built-in function (a row of exprfunc.c's table). The parser finds the
 * row by name and stores it in the node (fdef, and op = variant); the binder
 * calls type; the evaluator calls the node's eval without a name lookup.
 * Strict functions get their first three arguments evaluated, and give NULL
 * when one is NULL (strict == 2: all but NULLIF's); lazy ones (strict == 0)
 * evaluate their arguments themselves. */
typedef int sl_expr_evalfn(const sl_expr *e, const sl_value *row, const sl_value *args,
                           sl_eval_ctx *ctx, sl_value *out);
struct sl_exprfunc_def {
	const char *name;
	int variant;            /* which of the functions sharing eval */
	int minargs, maxargs;
	int strict;
	/* result type of a node whose arguments are bound: 1, or 0 with err */
	int (*type)(sl_expr *e, char *err, size_t errcap);
	sl_expr_evalfn *eval;
};

struct sl_expr {
	int kind, op, neg;
	sl_type type;            /* result type after bind */
	sl_value lit;            /* E_LIT */
	char *sbuf;              /* literal string bytes / column name */
	size_t sbufn;
	long col;                /* E_COL: bound index */
	sl_expr **args;
	size_t nargs;
	int has_operand;         /* CASE x WHEN ... */
	int has_else;
	const char *text;        /* source text as written: points into the root's text_own */
	size_t textn;
	char *text_own;          /* the root's copy of its own text (one per tree: linear) */
	size_t argcap;
	int height;              /* 1 for a leaf; at most SL_EXPR_DEPTH_MAX */
	int agg_id, distinct, star;
	int cat;                 /* E_ARITH / E_NEG computation category */
	int fmt_has_time;        /* str_to_date with a constant format */
	const struct sl_exprfunc_def *fdef;     /* E_FUNC */
};

static inline int expr_is_int_kind(int k) { return k >= SL_T_BOOLEAN && k <= SL_T_LARGEINT; }
static inline int expr_is_str_kind(int k) { return k == SL_T_CHAR || k == SL_T_VARCHAR || k == SL_T_STRING; }
static inline int expr_is_date_kind(int k) { return k == SL_T_DATE || k == SL_T_DATETIME; }

/* ASCII case-insensitive equality of a[0..an) and b[0..bn). */
static inline int expr_ieqn(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;
	if (an != bn) return 0;
	for (i = 0; i < an; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z') x += 32;
		if (y >= 'A' && y <= 'Z') y += 32;
		if (x != y) return 0;
	}
	return 1;
}

/* Bytes of the UTF-8 character that starts with c (1 for a stray byte). */
static inline size_t expr_utf8_len(unsigned char c)
{
	if (c < 0x80) return 1;
	if (c >= 0xF0) return 4;
	if (c >= 0xE0) return 3;
	if (c >= 0xC0) return 2;
	return 1;
}

/* A node of kind (no children, unbound), or NULL on ENOMEM. */
sl_expr *sl_exprnode_new(int kind);
/* Free e and its children (NULL is ignored). */
void sl_exprnode_free(sl_expr *e);

#endif
