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
 * Also: functions nvl, concat_ws, char_length, left, right, to_date/date,
 * datediff, curdate/current_date, localtime; count(DISTINCT x); typed
 * literals DATE '...' / DATETIME '...'; MOD. Implicit casts: string operands of arithmetic become DOUBLE; int/int '/'
 * is DOUBLE; decimals keep exact scale (+,-: max scale; *: sum of scales;
 * /: dividend scale + 4); x/0 and x%0 are NULL. Comparisons: string vs
 * number as DOUBLE, string vs DATE/DATETIME as DATETIME, an unconvertible
 * side makes the comparison NULL. date_format/str_to_date take MySQL
 * specifiers (%Y %y %m %c %d %e %D %H %k %h %I %l %i %s %S %f %p %T %r %j
 * %a %W %b %M %U %u %V %v %X %x %w %%) and the Java forms
 * "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd", "yyyyMMdd". str_to_date returns DATE
 * when its (constant) format has no time specifier.
 *
 * BITMAP and HLL (exprsketch.c): to_bitmap, bitmap_empty,
 * bitmap_from_string, bitmap_hash, bitmap_count, bitmap_to_string,
 * hll_hash, hll_empty, hll_cardinality, hll_to_base64, hll_from_base64,
 * and the aggregates bitmap_union, bitmap_union_count, hll_union,
 * hll_raw_agg, hll_union_agg.
 *
 * Messages: parse errors "syntax error at position N near 'tok'",
 * "syntax error at position N: unexpected end of input", lexer errors
 * ("unterminated string at position N"), "Can not found function 'f' at
 * position N", "Can not found function 'f' which has N arity"; bind errors
 * "Unknown column 'x' in 'table list'", "aggregate function ... is not
 * allowed here".
 *
 * The engine's modules: exprparse.c (parser), exprbind.c (names and
 * types), exprval.c (values, casts, arithmetic), exprtime.c (date/time
 * formats), exprfunc.c (the built-in functions' table), exprsketch.c
 * (BITMAP and HLL), expr.c (tree, evaluator, aggregates); exprnode.h is
 * their shared node.
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
#include "arena.h"
#include "exprtypes.h"
#include "exprval.h"

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
/* Call fn with the name of every column reference in e, in tree order
 * (INSERT ... SELECT names a source's columns by them). Stops at the first
 * call that does not return 1 and returns its value; 1 when all did. */
int sl_expr_each_col(const sl_expr *e, int (*fn)(void *ctx, const char *name, size_t n), void *ctx);

/* Resolve column refs and infer types. 1 ok; 0 with err, e.g.
 * "Unknown column 'x' in 'table list'", or an aggregate where not allowed. */
int sl_expr_bind(sl_expr *e, const sl_expr_scope *sc, char *err, size_t errcap);
/* Result type after bind. Columns are matched case-insensitively
 * (sl_expr_scope, exprnode.h). */
sl_type sl_expr_type(const sl_expr *e);
/* Does e contain aggregate calls? */
int sl_expr_has_aggs(const sl_expr *e);

/* Evaluate over a row of values (indexed as the scope's columns).
 * 1 ok, -1 ENOMEM. Never fails on data: invalid casts give NULL. */
int sl_expr_eval(const sl_expr *e, const sl_value *row, sl_eval_ctx *ctx, sl_value *out);
/* Aggregates (SELECT). After bind, the aggregate calls in e are numbered
 * 0..n-1 across all expressions bound with the same counter. */
typedef struct sl_agg_list { size_t n, cap; sl_expr **calls; } sl_agg_list;
/* Append e's aggregate calls to list (assigning their ids). 1, -1 ENOMEM. */
int sl_expr_collect_aggs(sl_expr *e, sl_agg_list *list);
/* sl_agg_state, the accumulator of one aggregate call over one group, is
 * in exprtypes.h. */
void sl_agg_init(const sl_expr *call, sl_agg_state *st);
/* Feed one row. 1, -1 ENOMEM. */
int sl_agg_step(const sl_expr *call, sl_agg_state *st, const sl_value *row, sl_eval_ctx *ctx);
/* Final value (strings may point into st). */
void sl_agg_final(const sl_expr *call, const sl_agg_state *st, sl_value *out);
void sl_agg_free(sl_agg_state *st);

#endif
