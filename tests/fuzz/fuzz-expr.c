/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-expr.c -- libFuzzer target for the expression engine (expr.h,
 * lex.h), as the `where` and `columns` headers reach it: the input is the
 * expression text. It is parsed (sl_expr_parse, at most SL_EXPR_TEXT_MAX
 * bytes), bound over a fixed table of every kind of column (once without
 * aggregates, as sl-filter, and once with, as a select list), evaluated
 * over a fixed row and freed. The same text is parsed again from a running
 * lexer (sl_expr_parse_lex, as sl-sql), which must agree with the first
 * parse about success. Built by `make fuzz` (mk/fuzz.mk).
 *
 * A failed check calls abort(), which libFuzzer reports as a crash; so do
 * a stack overflow (a walk deeper than the bounds allow) and any
 * sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "io.h"
#include "lex.h"
#include "sl.h"
#include "types.h"
#include "cast.h"
#include "datetime.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-expr: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static const char *const names[] = { "k1", "s", "d", "dt", "n", "dec", "f", "big", "b", "l" };
static const char *const tnames[] = { "INT", "VARCHAR(20)", "DATE", "DATETIME", "INT", "DECIMAL(10,2)",
	"DOUBLE", "BIGINT", "BOOLEAN", "LARGEINT" };
static const char *const texts[] = { "5", "hello", "2024-07-20", "2024-07-20 05:48:31", NULL, "12.34",
	"2.5", "9223372036854775807", "1", "-170141183460469231731687303715884105728" };
#define NCOLS (sizeof names / sizeof names[0])
static sl_type types[NCOLS];
static sl_value row[NCOLS];
static sl_arena arena = SL_ARENA_ZERO;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;
	(void)argc;
	(void)argv;
	for (i = 0; i < NCOLS; i++) {
		if (!sl_type_parse(tnames[i], strlen(tnames[i]), &types[i], NULL))
			abort();
		if (texts[i])
			sl_cast_text(&types[i], texts[i], strlen(texts[i]), &row[i]);
		else
			row[i] = SL_VALUE_NULL;
	}
	sl_tz_set("+08:00");
	return 0;
}

static void eval_all(sl_expr *e, int aggs)
{
	sl_expr_scope sc = { NCOLS, names, types, aggs };
	sl_eval_ctx ctx = { &arena, INT64_C(1721454511) * 1000000, NULL, 0 };
	sl_agg_list list = { 0, 0, NULL };
	char err[256];
	sl_value v;
	sl_buf b = SL_BUF_ZERO;
	size_t i;

	if (!sl_expr_bind(e, &sc, err, sizeof err))
		return;
	CHECK(sl_expr_eval(e, row, &ctx, &v) == 1);
	if (v.kind != SL_V_NULL)
		sl_value_format(&v, &b);
	if (aggs && sl_expr_collect_aggs(e, &list) > 0) {
		/* one group of two rows */
		for (i = 0; i < list.n; i++) {
			sl_agg_state st;
			sl_value out;
			sl_agg_init(list.calls[i], &st);
			CHECK(sl_agg_step(list.calls[i], &st, row, &ctx) == 1);
			CHECK(sl_agg_step(list.calls[i], &st, row, &ctx) == 1);
			sl_agg_final(list.calls[i], &st, &out);
			sl_agg_free(&st);
		}
	}
	free(list.calls);
	sl_buf_free(&b);
	sl_arena_reset(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	sl_expr *e, *e2 = NULL;
	sl_lex lx;
	size_t n;

	e = sl_expr_parse((const char *)data, size, err, sizeof err);
	if (e) {
		CHECK(size <= SL_EXPR_TEXT_MAX);
		CHECK(sl_expr_text(e, &n) != NULL && n <= size);
		eval_all(e, 0);
		sl_expr_free(e);
		e = sl_expr_parse((const char *)data, size, err, sizeof err);
		CHECK(e);
		eval_all(e, 1);
	} else {
		CHECK(err[0]);
	}
	/* from a running lexer, as sl-sql and http_stream parse */
	sl_lex_init(&lx, (const char *)data, size);
	if (sl_lex_next(&lx) > 0 && lx.tok.kind != SL_TOK_EOF) {
		e2 = sl_expr_parse_lex(&lx, err, sizeof err);
		if (e && size <= SL_EXPR_TEXT_MAX)
			CHECK(e2 && lx.tok.kind == SL_TOK_EOF);
	}
	sl_lex_free(&lx);
	sl_expr_free(e2);
	sl_expr_free(e);
	return 0;
}
