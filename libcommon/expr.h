/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr.h -- the one Doris expression engine, serving `columns` (sl-map),
 * `where` (sl-filter) and SELECT (sl-sql).
 *
 * Supported: literals (numbers, 'strings', "strings", NULL, TRUE/FALSE),
 * column refs (bare or `quoted`, case-insensitive), + - * / % DIV, unary -,
 * comparisons (= != <> < <= > >= <=>), AND/OR/NOT (&& || !), IS [NOT] NULL,
 * [NOT] IN (...), [NOT] BETWEEN, [NOT] LIKE, CASE (simple and searched),
 * CAST(x AS type), and functions: if, ifnull, coalesce, nullif, year, month,
 * day, hour, minute, second, now, current_timestamp, date_format,
 * str_to_date, from_unixtime, unix_timestamp, concat, substr/substring,
 * upper/ucase, lower/lcase, length, trim/ltrim/rtrim, replace, abs, round,
 * floor, ceil/ceiling. Aggregates count/sum/min/max/avg are parsed as
 * aggregate nodes (only valid where the binder allows them: SELECT).
 * NULL propagation and implicit casts follow Doris.
 *
 * Additions (engineer A): functions nvl, concat_ws, char_length,
 * left, right, to_date/date, datediff, curdate/current_date, localtime;
 * count(DISTINCT x); typed literals DATE '...' / DATETIME '...'; MOD.
 * Implicit casts: string operands of arithmetic become DOUBLE; int/int '/'
 * is DOUBLE; decimals keep exact scale (+,-: max scale; *: sum of scales;
 * /: dividend scale + 4); x/0 and x%0 are NULL. Comparisons: string vs
 * number as DOUBLE, string vs DATE/DATETIME as DATETIME, an unconvertible
 * side makes the comparison NULL. date_format/str_to_date take MySQL
 * specifiers (%Y %y %m %c %d %e %D %H %k %h %I %l %i %s %S %f %p %T %r %j
 * %a %W %b %M %U %u %V %v %X %x %w %%) and the Java forms
 * "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd", "yyyyMMdd". str_to_date returns DATE
 * when its (constant) format has no time specifier.
 *
 * Messages: parse errors "syntax error at position N near 'tok'",
 * "syntax error at position N: unexpected end of input", lexer errors
 * ("unterminated string at position N"), "Can not found function 'f' at
 * position N", "Can not found function 'f' which has N arity"; bind errors
 * "Unknown column 'x' in 'table list'", "aggregate function ... is not
 * allowed here".
 *
 * Ownership: sl_expr_parse* return a tree the caller frees with
 * sl_expr_free. Values returned by sl_expr_eval may point into the arena
 * (strings); they live until sl_arena_reset.
 */
#ifndef SL_EXPR_H
#define SL_EXPR_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"
#include "lex.h"

/* Bump allocator for per-row temporaries. */
typedef struct sl_arena { struct sl_arena_blk *head; size_t used_total; } sl_arena;
#define SL_ARENA_ZERO { 0, 0 }
void *sl_arena_alloc(sl_arena *a, size_t n);     /* NULL on ENOMEM */
void sl_arena_reset(sl_arena *a);                /* keeps the first block */
void sl_arena_free(sl_arena *a);

typedef struct sl_expr sl_expr;

/* Bounds (issue 8.3). Parsing and every walk over a tree (bind, eval,
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

/* Parse a whole string as one expression. NULL on error, message in err
 * ("syntax error at position 5 near 'x'"). At most SL_EXPR_TEXT_MAX bytes. */
sl_expr *sl_expr_parse(const char *s, size_t n, char *err, size_t errcap);
/* Parse one expression from a running lexer (the current token is its
 * first); stops before a token that cannot continue it (',', ')', AS, FROM,
 * WHERE, GROUP, ORDER, LIMIT, ASC, DESC, ...). NULL on error. */
sl_expr *sl_expr_parse_lex(sl_lex *lx, char *err, size_t errcap);
void sl_expr_free(sl_expr *e);
/* The source text of e (for result column names), as written. A tree keeps
 * one copy of its root's text; sub-expressions point into it. */
const char *sl_expr_text(const sl_expr *e, size_t *n);
/* If e is a bare column reference, its name (else NULL). */
const char *sl_expr_colname(const sl_expr *e, size_t *n);

/* Name resolution. Columns are matched case-insensitively. */
typedef struct sl_expr_scope {
	size_t ncols;
	const char *const *names;
	const sl_type *types;
	int allow_aggs;         /* SELECT: aggregate calls allowed */
} sl_expr_scope;
/* Resolve column refs and infer types. 1 ok; 0 with err, e.g.
 * "Unknown column 'x' in 'table list'", or an aggregate where not allowed. */
int sl_expr_bind(sl_expr *e, const sl_expr_scope *sc, char *err, size_t errcap);
/* Result type after bind. */
sl_type sl_expr_type(const sl_expr *e);
/* Does e contain aggregate calls? */
int sl_expr_has_aggs(const sl_expr *e);

/* Evaluation context. */
typedef struct sl_eval_ctx {
	sl_arena *arena;
	int64_t now_us;         /* statement time: microseconds since epoch, UTC */
	const sl_value *aggs;   /* aggregate results, indexed by aggregate id */
} sl_eval_ctx;
/* Evaluate over a row of values (indexed as the scope's columns).
 * 1 ok, -1 ENOMEM. Never fails on data: invalid casts give NULL. */
int sl_expr_eval(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out);
/* Truth value for WHERE: 1 true, 0 false or NULL. */
int sl_value_truth(const sl_value *v);

/* Aggregates (SELECT). After bind, the aggregate calls in e are numbered
 * 0..n-1 across all expressions bound with the same counter. */
typedef struct sl_agg_list { size_t n, cap; sl_expr **calls; } sl_agg_list;
/* Append e's aggregate calls to list (assigning their ids). 1, -1 ENOMEM. */
int sl_expr_collect_aggs(sl_expr *e, sl_agg_list *list);
/* Accumulator of one aggregate call over one group. */
typedef struct sl_agg_state { int64_t count; int has; sl_value v; __int128 sum_l; double sum_d; int kind; char *sbuf; size_t scap;
	void *distinct;         /* (addition) set of seen values for count(DISTINCT x) */
} sl_agg_state;
void sl_agg_init(const sl_expr *call, sl_agg_state *st);
/* Feed one row. 1, -1 ENOMEM. */
int sl_agg_step(const sl_expr *call, sl_agg_state *st, const sl_value *row, sl_eval_ctx *ctx);
/* Final value (strings may point into st). */
void sl_agg_final(const sl_expr *call, const sl_agg_state *st, sl_value *out);
void sl_agg_free(sl_agg_state *st);

/* Cast a value to type t with Doris non-strict rules (overflow/invalid ->
 * NULL, returns 0 then); 1 if representable, and 1 for a NULL input (NULL
 * out). Strings may be formatted into the arena (a may be NULL when t is
 * not a string type); CHAR/VARCHAR lengths are not enforced here. Numbers
 * to DECIMAL round half away from zero; DOUBLE/DECIMAL to integers
 * truncate; integers like 20240102 cast to DATE/DATETIME. */
int sl_value_cast(const sl_value *in, const sl_type *t, sl_arena *a, sl_value *out);
/* Compare two non-NULL values with Doris implicit-cast rules: <0, 0, >0. */
int sl_value_cmp(const sl_value *a, const sl_value *b);


#endif
