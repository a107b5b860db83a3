/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-expr.c -- unit tests for libcommon/lex.c and the expression engine
 * (expr.c and its modules): tokenizer, parser precedence and errors, binder
 * messages, evaluation with Doris NULL and implicit-cast rules, functions
 * and their table, date/time formats, casts and aggregates.
 * Prints "N passed, M failed"; exits 1 on any failure.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "types.h"
#include "cast.h"
#include "datetime.h"
#include "lex.h"
#include "expr.h"
#include "exprfunc.h"
#include "exprtime.h"
#include "bitmap.h"
#include "hll.h"

static int npass, nfail;

#define CHECK(cond, ...) do { \
	if (cond) npass++; \
	else { nfail++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

/* The test table: one row. */
static const char *const names[] = { "k1", "s", "d", "dt", "n", "dec", "f", "Name", "src", "big" };
static const char *const tnames[] = { "INT", "VARCHAR(20)", "DATE", "DATETIME", "INT", "DECIMAL(10,2)",
	"DOUBLE", "VARCHAR(10)", "VARCHAR(10)", "BIGINT" };
static const char *const texts[] = { "5", "hello", "2024-07-20", "2024-07-20 05:48:31", NULL, "12.34",
	"2.5", "Bob", "42", "9223372036854775807" };
#define NCOLS (sizeof names / sizeof names[0])
static sl_type types[NCOLS];
static sl_value row[NCOLS];
static sl_arena arena = SL_ARENA_ZERO;

static void setup(void)
{
	size_t i;
	for (i = 0; i < NCOLS; i++) {
		if (!sl_type_parse(tnames[i], strlen(tnames[i]), &types[i], NULL)) exit(2);
		if (texts[i]) sl_cast_text(&types[i], texts[i], strlen(texts[i]), &row[i]);
		else row[i] = SL_VALUE_NULL;
	}
}

/* Parse, bind and evaluate; returns the text of the result or "ERR: msg". */
static const char *run(const char *src, sl_type *type_out)
{
	static char out[512];
	char err[256];
	sl_expr *e = sl_expr_parse(src, strlen(src), err, sizeof err);
	sl_expr_scope sc = { NCOLS, names, types, 0 };
	sl_eval_ctx ctx = { &arena, INT64_C(1721454511) * 1000000, NULL, 0 };
	sl_value v;
	sl_buf b = SL_BUF_ZERO;
	if (!e) { snprintf(out, sizeof out, "ERR: %s", err); return out; }
	if (!sl_expr_bind(e, &sc, err, sizeof err)) {
		snprintf(out, sizeof out, "ERR: %s", err);
		sl_expr_free(e);
		return out;
	}
	if (type_out) *type_out = sl_expr_type(e);
	if (sl_expr_eval(e, row, &ctx, &v) != 1) {
		snprintf(out, sizeof out, "ERR: eval");
	} else if (v.kind == SL_V_NULL) {
		snprintf(out, sizeof out, "NULL");
	} else {
		sl_value_format(&v, &b);
		snprintf(out, sizeof out, "%.*s", (int)b.len, b.p ? b.p : "");
	}
	sl_buf_free(&b);
	sl_expr_free(e);
	sl_arena_reset(&arena);
	return out;
}

#define E(src, want) do { \
	const char *got_ = run(src, NULL); \
	CHECK(strcmp(got_, want) == 0, "%s: got '%s' want '%s'", src, got_, want); \
} while (0)

#define T(src, want_type) do { \
	sl_type t_; char tb_[64]; \
	const char *got_ = run(src, &t_); \
	sl_type_format_upper(&t_, tb_, sizeof tb_); \
	CHECK(strncmp(got_, "ERR", 3) != 0 && strcmp(tb_, want_type) == 0, "type of %s: %s (%s)", src, tb_, got_); \
} while (0)

#define ERR(src, want_sub) do { \
	const char *got_ = run(src, NULL); \
	CHECK(strncmp(got_, "ERR: ", 5) == 0 && strstr(got_, want_sub), "%s: got '%s' want error with '%s'", src, got_, want_sub); \
} while (0)

static void test_lex(void)
{
	sl_lex lx;
	const char *src = "SELECT `a``b`, 'it''s\\n', 1.5e3, 42, x<=>y -- c\n /* d */ #e\n <> ;";
	int kinds[16], n = 0;
	sl_lex_init(&lx, src, strlen(src));
	while (sl_lex_next(&lx) == 1 && lx.tok.kind != SL_TOK_EOF && n < 16) {
		kinds[n] = lx.tok.kind;
		if (n == 1) CHECK(lx.tok.strn == 3 && !strcmp(lx.tok.str, "a`b"), "qident %s", lx.tok.str);
		if (n == 3) CHECK(lx.tok.strn == 5 && !memcmp(lx.tok.str, "it's\n", 5), "string unescape");
		if (n == 5) CHECK(lx.tok.kind == SL_TOK_NUMBER && lx.tok.n == 5, "number");
		if (n == 7) CHECK(lx.tok.kind == SL_TOK_INT && lx.tok.pos == 33, "int pos %zu", lx.tok.pos);
		if (n == 10) CHECK(sl_lex_op(&lx, "<=>"), "<=>");
		n++;
	}
	CHECK(n == 14 && kinds[0] == SL_TOK_IDENT && kinds[12] == SL_TOK_OP, "token count %d", n);
	sl_lex_free(&lx);

	sl_lex_init(&lx, "a 'unterminated", 15);
	CHECK(sl_lex_next(&lx) == 1 && sl_lex_kw(&lx, "A"), "kw");
	CHECK(sl_lex_next(&lx) == -1 && strstr(lx.err, "unterminated string at position 3"), "unterminated: %s", lx.err);
	sl_lex_free(&lx);

	{
		/* save/restore re-lexes strings */
		sl_lex_mark m;
		sl_lex_init(&lx, "'one' 'two'", 11);
		sl_lex_next(&lx);
		m = sl_lex_save(&lx);
		sl_lex_next(&lx);
		CHECK(!strcmp(lx.tok.str, "two"), "second");
		sl_lex_restore(&lx, m);
		CHECK(lx.tok.kind == SL_TOK_STRING && !strcmp(lx.tok.str, "one"), "restored %s", lx.tok.str);
		sl_lex_next(&lx);
		CHECK(!strcmp(lx.tok.str, "two"), "after restore");
		sl_lex_free(&lx);
	}
}

static void test_arith(void)
{
	E("1 + 2 * 3", "7");
	E("(1 + 2) * 3", "9");
	E("10 - 4 - 3", "3");
	E("7 / 2", "3.5");
	E("7 DIV 2", "3");
	E("-7 DIV 2", "-3");
	E("7 % 3", "1");
	E("-7 % 3", "-1");
	E("7 MOD 3", "1");
	E("1 / 0", "NULL");
	E("1 % 0", "NULL");
	E("5 DIV 0", "NULL");
	E("-k1", "-5");
	E("- - 3", "3");
	E("k1 * 2 + 1", "11");
	E("1.5 + 1", "2.5");
	E("1.5 * 1.5", "2.25");
	E("10.0 / 3", "3.33333");
	E("dec + 1", "13.34");
	E("dec * 2", "24.68");
	E("f * 2", "5");
	E("src * 2", "84");              /* string operands become DOUBLE */
	E("src + 0.5", "42.5");
	E("s + 1", "NULL");              /* 'hello' is not a number */
	E("n + 1", "NULL");
	E("big + 1", "9223372036854775808");
	E("-9223372036854775808", "-9223372036854775808");
	E("170141183460469231731687303715884105727 + 0", "170141183460469231731687303715884105727");
	E("1e3 + 1", "1001");
	E("0.1 + 0.2", "0.3");
	T("1 + 1", "BIGINT");
	T("k1 + big", "LARGEINT");
	T("7 / 2", "DOUBLE");
	T("dec + 1", "DECIMAL(11,2)");
	T("dec * dec", "DECIMAL(20,4)");
	T("src * 2", "DOUBLE");
	T("1.50", "DECIMAL(3,2)");
	T("-128", "TINYINT");
	T("128", "SMALLINT");
	T("'x'", "VARCHAR(1)");
}

static void test_logic(void)
{
	E("1 < 2", "1");
	E("2 <= 1", "0");
	E("k1 = 5", "1");
	E("k1 <> 5", "0");
	E("k1 != 4", "1");
	E("n = 1", "NULL");
	E("n <=> NULL", "1");
	E("1 <=> NULL", "0");
	E("NULL = NULL", "NULL");
	E("TRUE AND NULL", "NULL");
	E("FALSE AND NULL", "0");
	E("TRUE OR NULL", "1");
	E("FALSE OR NULL", "NULL");
	E("NOT NULL", "NULL");
	E("NOT 1 = 2", "1");
	E("!(1 = 1)", "0");
	E("1 = 1 AND 2 = 2 OR 1 = 0", "1");
	E("1 = 0 OR 2 = 2 AND 1 = 0", "0");        /* AND binds tighter */
	E("NOT 1 = 0 AND 1 = 1", "1");
	E("1 = 1 && 2 > 1", "1");
	E("n IS NULL", "1");
	E("k1 IS NULL", "0");
	E("k1 IS NOT NULL", "1");
	E("k1 IN (1, 5, 7)", "1");
	E("k1 IN (1, 2)", "0");
	E("k1 IN (1, NULL)", "NULL");
	E("k1 NOT IN (1, 2)", "1");
	E("k1 NOT IN (1, NULL)", "NULL");
	E("n IN (1, 2)", "NULL");
	E("s IN ('a', 'hello')", "1");
	E("k1 BETWEEN 1 AND 5", "1");
	E("k1 BETWEEN 6 AND 9", "0");
	E("k1 NOT BETWEEN 6 AND 9", "1");
	E("k1 BETWEEN 1 AND 5 AND 1 = 0", "0");
	E("k1 BETWEEN NULL AND 3", "0");
	E("s LIKE 'he%'", "1");
	E("s LIKE 'h_llo'", "1");
	E("s LIKE '%x%'", "0");
	E("s NOT LIKE '%x%'", "1");
	E("s LIKE '%l%o'", "1");
	E("'a%b' LIKE 'a\\%b'", "1");
	E("'axb' LIKE 'a\\%b'", "0");
	E("'日本語' LIKE '_本_'", "1");
	E("n LIKE 'x'", "NULL");
	E("'abc' < 'abd'", "1");
	E("'abc' < 'ab'", "0");
	E("src = 42", "1");                 /* string vs number: as double */
	E("src > 100", "0");
	E("d = '2024-07-20'", "1");
	E("d < '2024-7-21'", "1");
	E("dt > d", "1");
	E("dt = '2024-07-20 05:48:31'", "1");
	E("d = 'garbage'", "NULL");
	E("dec = 12.34", "1");
	E("dec > 12.3", "1");
	E("dec = 12.340", "1");
	E("f = 2.5", "1");
	E("big > 1.5", "1");
	E("1 = 1.0", "1");
	T("k1 > 1", "BOOLEAN");
}

static void test_cond(void)
{
	E("if(k1 > 3, 'big', 'small')", "big");
	E("if(n > 3, 'big', 'small')", "small");
	E("if(1, 1, 2.5)", "1.0");
	E("ifnull(n, 0)", "0");
	E("ifnull(k1, 0)", "5");
	E("coalesce(n, NULL, 7, 8)", "7");
	E("coalesce(n, NULL)", "NULL");
	E("nullif(k1, 5)", "NULL");
	E("nullif(k1, 4)", "5");
	E("CASE WHEN k1 > 10 THEN 'a' WHEN k1 > 3 THEN 'b' ELSE 'c' END", "b");
	E("CASE WHEN k1 > 10 THEN 'a' END", "NULL");
	E("CASE k1 WHEN 1 THEN 'one' WHEN 5 THEN 'five' ELSE 'other' END", "five");
	E("CASE n WHEN 1 THEN 'one' ELSE 'other' END", "other");
	E("case when s = 'hello' then k1 * 10 else 0 end", "50");
	T("if(k1 > 3, 1, 2.5)", "DECIMAL(4,1)");
	T("ifnull(n, 0)", "INT");
	T("coalesce(n, 's')", "VARCHAR(65533)");
}

static void test_cast(void)
{
	E("CAST('3.12' AS INT)", "3");
	E("CAST('abc' AS INT)", "NULL");
	E("CAST('300' AS TINYINT)", "NULL");
	E("CAST('3.12' AS DECIMAL(9,1))", "3.1");
	E("CAST(3.15 AS DECIMAL(9,1))", "3.2");
	E("CAST(2.5 AS INT)", "2");
	E("CAST(-2.9 AS INT)", "-2");
	E("CAST(1e400 AS DOUBLE)", "Infinity");
	E("CAST('1e400' AS DOUBLE)", "Infinity");
	E("CAST('2024-4-2' AS DATE)", "2024-04-02");
	E("CAST('2024-07-20T05:48:31' AS DATETIME)", "2024-07-20 05:48:31");
	E("CAST(dt AS DATE)", "2024-07-20");
	E("CAST(d AS DATETIME)", "2024-07-20 00:00:00");
	E("CAST(k1 AS VARCHAR(10))", "5");
	E("CAST(dec AS STRING)", "12.34");
	E("CAST(12345678901 AS DECIMAL(10,0))", "NULL");
	E("CAST(20240102 AS DATE)", "2024-01-02");
	E("CAST(d AS INT)", "20240720");
	E("CAST(1 AS BOOLEAN)", "1");
	E("CAST(s AS CHAR)", "hello");
	E("CAST(k1 AS SIGNED)", "5");
	E("CAST(2.5 AS DOUBLE)", "2.5");
	E("CAST(dec AS DECIMAL(5,1))", "12.3");
	E("CAST(dec AS DECIMAL(3,2))", "NULL");
	E("CAST(NULL AS INT)", "NULL");
	E("CAST(3.7 AS FLOAT)", "3.7");
	E("DATE '2024-01-05'", "2024-01-05");
	T("CAST(k1 AS DECIMAL(12, 3))", "DECIMAL(12,3)");
	T("CAST(s AS DATETIME(3))", "DATETIME(3)");
	ERR("CAST(k1 AS FOO)", "unknown type");
	{
		/* sl_value_cast directly */
		sl_type t;
		sl_value in, out;
		sl_type_parse("TINYINT", 7, &t, NULL);
		memset(&in, 0, sizeof in);
		in.kind = SL_V_INT;
		in.u.i = 300;
		CHECK(sl_value_cast(&in, &t, &arena, &out) == 0 && out.kind == SL_V_NULL, "int overflow cast");
		in.u.i = -100;
		CHECK(sl_value_cast(&in, &t, &arena, &out) == 1 && out.kind == SL_V_INT && out.u.i == -100, "int cast");
		in = SL_VALUE_NULL;
		CHECK(sl_value_cast(&in, &t, &arena, &out) == 1 && out.kind == SL_V_NULL, "null cast");
	}
}

static void test_functions(void)
{
	E("year(dt)", "2024");
	E("month(d)", "7");
	E("day(dt)", "20");
	E("hour(dt)", "5");
	E("minute(dt)", "48");
	E("second(dt)", "31");
	E("year('2023-02-03')", "2023");
	E("year('junk')", "NULL");
	E("year(n)", "NULL");
	E("date_format(dt, '%Y-%m-%d %H:%i:%s')", "2024-07-20 05:48:31");
	E("date_format(dt, '%Y%m%d')", "20240720");
	E("date_format(dt, '%y/%c/%e %k:%i %p')", "24/7/20 5:48 AM");
	E("date_format(dt, '%W %M %D %j')", "Saturday July 20th 202");
	E("date_format(dt, '%a %b %T %r')", "Sat Jul 05:48:31 05:48:31 AM");
	E("date_format(dt, '%U %u %V %v %X %x %w %%')", "28 29 28 29 2024 2024 6 %");
	E("date_format('2021-01-01', '%U %u %V %v %X %x')", "00 00 52 53 2020 2020");
	E("date_format(d, '%H:%i:%s.%f')", "00:00:00.000000");
	E("date_format(n, '%Y')", "NULL");
	E("str_to_date('2024-07-20', '%Y-%m-%d')", "2024-07-20");
	E("str_to_date('20/07/2024 13:05:09', '%d/%m/%Y %H:%i:%s')", "2024-07-20 13:05:09");
	E("str_to_date('Jul 4 2023 1:02 PM', '%b %e %Y %l:%i %p')", "2023-07-04 13:02:00");
	E("str_to_date('2024-02-30', '%Y-%m-%d')", "NULL");
	E("str_to_date('x2024', '%Y')", "NULL");
	E("str_to_date('2024-07-20 01:02:03.5', '%Y-%m-%d %H:%i:%s.%f')", "2024-07-20 01:02:03.500000");
	E("str_to_date('2024-07-20', 'yyyy-MM-dd')", "2024-07-20");
	T("str_to_date(s, '%Y-%m-%d')", "DATE");
	T("str_to_date(s, '%Y-%m-%d %H')", "DATETIME");
	E("from_unixtime(0)", "1970-01-01 00:00:00");
	E("from_unixtime(1721454511)", "2024-07-20 05:48:31");
	E("from_unixtime(1721454511, '%Y-%m-%d')", "2024-07-20");
	E("from_unixtime(1721454511, 'yyyy-MM-dd HH:mm:ss')", "2024-07-20 05:48:31");
	E("from_unixtime(-1)", "NULL");
	E("unix_timestamp('2024-07-20 05:48:31')", "1721454511");
	E("unix_timestamp(dt)", "1721454511");
	E("unix_timestamp()", "1721454511");
	E("unix_timestamp('1960-01-01')", "0");
	E("unix_timestamp('2024-07-20', '%Y-%m-%d')", "1721433600");
	E("now()", "2024-07-20 05:48:31");
	E("current_timestamp()", "2024-07-20 05:48:31");
	E("current_timestamp", "2024-07-20 05:48:31");
	E("curdate()", "2024-07-20");
	E("concat('a', s, k1)", "ahello5");
	E("concat('a', n)", "NULL");
	E("concat(dec, '|', d)", "12.34|2024-07-20");
	E("concat_ws('-', 'a', n, 'b')", "a-b");
	E("substr('hello', 2)", "ello");
	E("substr('hello', 2, 3)", "ell");
	E("substring('hello', -3)", "llo");
	E("substr('hello', -3, 2)", "ll");
	E("substr('hello', 0)", "");
	E("substr('hello', 9)", "");
	E("substr('hello', 2, 0)", "");
	E("substr('日本語', 2, 1)", "本");
	E("upper(s)", "HELLO");
	E("ucase('aBc')", "ABC");
	E("lower(Name)", "bob");
	E("length(s)", "5");
	E("length('日本')", "6");
	E("char_length('日本')", "2");
	E("length('')", "0");
	E("trim('  a b  ')", "a b");
	E("ltrim('  a ')", "a ");
	E("rtrim('  a ')", "  a");
	E("trim('xxaxx', 'x')", "a");
	E("replace('a-b-c', '-', '+')", "a+b+c");
	E("replace(s, 'l', '')", "heo");
	E("replace(s, '', 'z')", "hello");
	E("abs(-5)", "5");
	E("abs(-2.50)", "2.50");
	E("abs(f * -1)", "2.5");
	E("abs(n)", "NULL");
	E("round(2.5)", "3");
	E("round(-2.5)", "-3");
	E("round(3.14159, 2)", "3.14");
	E("round(dec, 1)", "12.3");
	E("round(f)", "3");
	E("round(1234, -2)", "1200");
	E("round(1250, -2)", "1300");
	E("round(1.005e0, 2)", "1");
	E("floor(2.7)", "2");
	E("floor(-2.5)", "-3");
	E("ceil(2.1)", "3");
	E("ceiling(-2.1)", "-2");
	E("floor(f)", "2");
	E("ceil(k1)", "5");
	E("left('hello', 2)", "he");
	E("right('hello', 2)", "lo");
	E("to_date(dt)", "2024-07-20");
	E("datediff('2024-07-25', d)", "5");
	T("round(dec, 1)", "DECIMAL(10,1)");
	T("floor(dec)", "DECIMAL(9,0)");
	T("year(d)", "INT");
	T("date_format(d, '%Y')", "VARCHAR(65533)");
	T("now(3)", "DATETIME(3)");
	ERR("nosuch(1)", "Can not found function 'nosuch'");
	ERR("substr('a')", "Can not found function 'substr' which has 1 arity");
	ERR("now(9)", "precision");
}

static void test_tz(void)
{
	sl_tz_set("Asia/Shanghai");
	E("now()", "2024-07-20 13:48:31");
	E("from_unixtime(0)", "1970-01-01 08:00:00");
	E("unix_timestamp('1970-01-01 08:00:00')", "0");
	E("CAST('2024-07-20 05:48:31Z' AS DATETIME)", "2024-07-20 13:48:31");
	sl_tz_set("+00:00");
	E("now()", "2024-07-20 05:48:31");
	sl_tz_set("UTC");
}

static void test_errors(void)
{
	ERR("nosuchcol + 1", "Unknown column 'nosuchcol' in 'table list'");
	ERR("K1 + x", "Unknown column 'x' in 'table list'");
	E("K1 + 1", "6");                         /* case-insensitive */
	E("`name`", "Bob");
	E("t.k1", "5");
	ERR("1 +", "syntax error at position 4: unexpected end of input");
	ERR("1 + * 2", "syntax error at position 5 near '*'");
	ERR("(1 + 2", "syntax error");
	ERR("k1 k1", "syntax error at position 4 near 'k1'");
	ERR("", "empty expression");
	ERR("'abc", "unterminated string");
	ERR("k1 IS 5", "syntax error");
	ERR("CASE END", "syntax error");
	ERR("sum(k1)", "not allowed");
	ERR("from", "syntax error");
	{
		/* deep nesting is an error, not a crash */
		char buf[2100];
		int i;
		for (i = 0; i < 1000; i++) buf[i] = '(';
		buf[i++] = '1';
		for (; i < 2001; i++) buf[i] = ')';
		buf[i] = 0;
		ERR(buf, "too deeply nested");
	}
	{
		/* parse_lex stops before tokens that cannot continue */
		const char *src = "k1 + 1 AS x, s FROM t";
		sl_lex lx;
		char err[128];
		sl_expr *e;
		size_t n;
		sl_lex_init(&lx, src, strlen(src));
		sl_lex_next(&lx);
		e = sl_expr_parse_lex(&lx, err, sizeof err);
		CHECK(e && sl_lex_kw(&lx, "AS"), "stops at AS");
		CHECK(e && !strcmp(sl_expr_text(e, &n), "k1 + 1") && n == 6, "text '%s'", e ? sl_expr_text(e, NULL) : "");
		sl_expr_free(e);
		sl_lex_next(&lx);
		sl_lex_next(&lx);
		sl_lex_next(&lx);
		e = sl_expr_parse_lex(&lx, err, sizeof err);
		CHECK(e && sl_lex_kw(&lx, "from") && sl_expr_colname(e, &n) && n == 1, "column s");
		sl_expr_free(e);
		sl_lex_free(&lx);
	}
}

/* e evaluated over the final values of its aggregates (ctx->aggs) gives
 * the text want ("NULL" for NULL). */
static void check_final(const sl_expr *e, sl_eval_ctx *ctx, const char *want)
{
	sl_value v;
	sl_buf b = SL_BUF_ZERO;
	sl_expr_eval(e, NULL, ctx, &v);
	if (v.kind == SL_V_NULL) sl_buf_puts(&b, "NULL");
	else sl_value_format(&v, &b);
	sl_buf_cstr(&b);
	CHECK(!strcmp(b.p, want), "agg %s: got %s want %s", sl_expr_text(e, NULL), b.p, want);
	sl_buf_free(&b);
}

static void test_aggs(void)
{
	static const char *const an[] = { "g", "v", "x", "d" };
	sl_type at[4];
	const char *sql = "count(*) + 0, count(v), count(DISTINCT x), sum(v), min(x), max(x), avg(v), sum(d), avg(d), max(v) - min(v)";
	const char *want[] = { "5", "4", "3", "10", "a", "c", "2.5", "6.00", "1.5000", "3" };
	const char *rows[5][4] = {
		{ "1", "1", "b", "1.00" }, { "1", "2", "a", "2.00" }, { "2", NULL, "c", NULL },
		{ "2", "3", "a", "3.00" }, { "3", "4", NULL, "0" },
	};
	sl_expr *es[10];
	sl_agg_list list = { 0, 0, NULL };
	sl_agg_state *st;
	sl_value *vals;
	sl_expr_scope sc = { 4, an, at, 1 };
	sl_eval_ctx ctx = { &arena, 0, NULL, 0 };
	sl_lex lx;
	char err[256];
	size_t i, k, ne = 0;

	sl_type_parse("INT", 3, &at[0], NULL);
	sl_type_parse("INT", 3, &at[1], NULL);
	sl_type_parse("VARCHAR(5)", 10, &at[2], NULL);
	sl_type_parse("DECIMAL(10,2)", 13, &at[3], NULL);
	sl_lex_init(&lx, sql, strlen(sql));
	sl_lex_next(&lx);
	for (;;) {
		es[ne] = sl_expr_parse_lex(&lx, err, sizeof err);
		if (!es[ne]) { CHECK(0, "agg parse: %s", err); return; }
		CHECK(sl_expr_bind(es[ne], &sc, err, sizeof err), "agg bind: %s", err);
		CHECK(sl_expr_has_aggs(es[ne]), "has aggs");
		sl_expr_collect_aggs(es[ne], &list);
		ne++;
		if (!sl_lex_op(&lx, ",")) break;
		sl_lex_next(&lx);
	}
	CHECK(ne == 10 && list.n == 11, "agg count %zu %zu", ne, list.n);
	st = calloc(list.n, sizeof *st);
	vals = calloc(list.n, sizeof *vals);
	for (k = 0; k < list.n; k++) sl_agg_init(list.calls[k], &st[k]);
	for (i = 0; i < 5; i++) {
		sl_value r[4];
		size_t c;
		for (c = 0; c < 4; c++) {
			if (rows[i][c]) sl_cast_text(&at[c], rows[i][c], strlen(rows[i][c]), &r[c]);
			else r[c] = SL_VALUE_NULL;
		}
		for (k = 0; k < list.n; k++) sl_agg_step(list.calls[k], &st[k], r, &ctx);
		sl_arena_reset(&arena);   /* min/max keep their own copies */
	}
	for (k = 0; k < list.n; k++) sl_agg_final(list.calls[k], &st[k], &vals[k]);
	ctx.aggs = vals;
	for (i = 0; i < ne; i++) check_final(es[i], &ctx, want[i]);
	{
		/* empty input: count 0, sum NULL */
		sl_agg_state s2;
		sl_value v;
		sl_agg_init(list.calls[3], &s2);
		sl_agg_final(list.calls[3], &s2, &v);
		CHECK(v.kind == SL_V_NULL, "sum of nothing is NULL");
		sl_agg_free(&s2);
	}
	for (k = 0; k < list.n; k++) sl_agg_free(&st[k]);
	for (i = 0; i < ne; i++) sl_expr_free(es[i]);
	free(st);
	free(vals);
	free(list.calls);
	sl_lex_free(&lx);
}

/* s + n copies of rep, in a malloc'd string. */
static char *chain(const char *head, const char *rep, size_t n, const char *tail)
{
	size_t hl = strlen(head), rl = strlen(rep), tl = strlen(tail), i;
	char *b = malloc(hl + rl * n + tl + 1), *o = b;
	if (!b) exit(2);
	memcpy(o, head, hl); o += hl;
	for (i = 0; i < n; i++) { memcpy(o, rep, rl); o += rl; }
	memcpy(o, tail, tl); o += tl;
	*o = 0;
	return b;
}

/* Each operator chained to exactly SL_EXPR_DEPTH_MAX levels parses, binds,
 * evaluates and frees (every walk recurses that deep); one more level is
 * Doris's depth error, not a crash. */
static void *bounds_chains(void *arg)
{
	static const struct { const char *head, *rep, *want; } ch[] = {
		{ "1", "+1", "3000" }, { "k1", "-1", "-2994" }, { "1", "*1", "1" }, { "1", "=1", "1" },
		{ "1", " is null", "0" }, { "1", " in (1, 2)", "1" }, { "1", " between 0 and 2", "1" },
		{ "'a'", " like 'a'", "0" }, { "1", " and 1", "1" }, { "0", " or 1", "1" },
		{ "1", " <=> 1", "1" }, { "s", " not like 'x'", "1" },
	};
	size_t i;
	char want[128];
	(void)arg;
	snprintf(want, sizeof want, "Exceeded the maximum depth of an expression tree (%d).", SL_EXPR_DEPTH_MAX);
	for (i = 0; i < SL_ARRAY_LEN(ch); i++) {
		char *ok = chain(ch[i].head, ch[i].rep, SL_EXPR_DEPTH_MAX - 1, "");
		char *over = chain(ch[i].head, ch[i].rep, SL_EXPR_DEPTH_MAX, "");
		E(ok, ch[i].want);
		ERR(over, want);
		free(ok);
		free(over);
	}
	{
		/* 30000 terms: refused at the bound, in linear memory */
		char *big = chain("1", "+1", 29999, "");
		ERR(big, want);
		free(big);
	}
	return NULL;
}

static void test_bounds(void)
{
	pthread_attr_t at;
	pthread_t th;
	char *s, *t;
	char want[128];
	size_t i;

	/* ASan frames are several times larger: 4 MiB (half the usual main
	 * stack) must hold the deepest trees with room to spare */
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 4u << 20);
	CHECK(pthread_create(&th, &at, bounds_chains, NULL) == 0, "thread");
	pthread_join(th, NULL);
	pthread_attr_destroy(&at);

	/* IN lists and CASE arms: up to SL_EXPR_CHILDREN_MAX children */
	snprintf(want, sizeof want, "Exceeded the maximum number of child expressions (%d).", SL_EXPR_CHILDREN_MAX);
	s = chain("k1 in (0", ",5", SL_EXPR_CHILDREN_MAX - 2, ")");
	E(s, "1");
	free(s);
	s = chain("k1 in (0", ",5", SL_EXPR_CHILDREN_MAX - 1, ")");
	ERR(s, want);
	free(s);
	s = chain("coalesce(null", ",k1", 254, ")");
	E(s, "5");
	free(s);

	/* nesting: the parser's own recursion */
	s = chain("", "abs(", 99, "3");
	t = chain(s, ")", 99, "");
	E(t, "3");
	free(s);
	free(t);
	s = chain("", "not ", SL_EXPR_NEST_MAX + 1, "1");
	ERR(s, "too deeply nested");
	free(s);

	/* length */
	s = chain("", " ", SL_EXPR_TEXT_MAX, "1");
	ERR(s, "expression is too long: 65537 bytes, the limit is 65536");
	s[SL_EXPR_TEXT_MAX] = 0;
	s[SL_EXPR_TEXT_MAX - 1] = '1';
	E(s, "1");
	free(s);

	{
		/* a wide scope is hashed after many lookups: same answers as the
		 * scan (case-insensitive, the first of equal names wins) */
		static const char *wide[48];
		static char nb[48][8];
		sl_type wt[48];
		sl_value wr[48];
		sl_expr_scope sc = { 48, wide, wt, 0 };
		sl_eval_ctx ctx = { &arena, 0, NULL, 0 };
		char err[128];
		sl_value v;
		sl_expr *e;
		for (i = 0; i < 48; i++) {
			snprintf(nb[i], sizeof nb[i], "c%zu", i % 40);     /* c0..c39, then c0..c7 again */
			wide[i] = nb[i];
			wt[i] = types[0];
			wr[i].kind = SL_V_INT;
			wr[i].tkind = SL_T_INT;
			wr[i].u.i = (int64_t)i;
		}
		s = chain("C5", " + c39 * 0 + C1", 40, "");   /* 81 lookups; c5 and c1 are there twice */
		e = sl_expr_parse(s, strlen(s), err, sizeof err);
		CHECK(e && sl_expr_bind(e, &sc, err, sizeof err) && sl_expr_eval(e, wr, &ctx, &v) == 1
			&& v.kind == SL_V_LARGE && v.u.l == 5 + 40 * 1, "wide scope: %s kind %d value %lld", err, v.kind, (long long)v.u.i);
		sl_expr_free(e);
		free(s);
		s = chain("c1", " + c1", 80, " + nope");
		e = sl_expr_parse(s, strlen(s), err, sizeof err);
		CHECK(e && !sl_expr_bind(e, &sc, err, sizeof err) && strstr(err, "Unknown column 'nope'"), "wide miss: %s", err);
		sl_expr_free(e);
		free(s);
		sl_arena_reset(&arena);
	}

	/* sub-expressions keep their own text (one copy per tree) */
	ERR("k1 + sum(k1 * 2) - 1", "aggregate function sum(k1 * 2) is not allowed here");
}

static void test_arena(void)
{
	sl_arena a = SL_ARENA_ZERO;
	char *p = sl_arena_alloc(&a, 10), *q;
	CHECK(p != NULL, "alloc");
	memset(p, 'x', 10);
	q = sl_arena_alloc(&a, 1 << 20);
	CHECK(q != NULL && q != p, "big alloc");
	memset(q, 'y', 1 << 20);
	sl_arena_reset(&a);
	CHECK(a.head != NULL && a.used_total == (1u << 20), "reset keeps the biggest block: %zu", a.used_total);
	CHECK(sl_arena_alloc(&a, 100) != NULL, "alloc after reset");
	sl_arena_free(&a);
	CHECK(a.head == NULL, "free");
}

/* The function table: names case-insensitive, aliases share a row's
 * evaluation, unknown names are not found. */
static void test_functab(void)
{
	static const char *const names[] = {
		"if", "ifnull", "nvl", "coalesce", "nullif", "year", "month", "day", "dayofmonth",
		"hour", "minute", "second", "now", "current_timestamp", "localtime", "localtimestamp",
		"curdate", "current_date", "date_format", "str_to_date", "from_unixtime",
		"unix_timestamp", "concat", "concat_ws", "substr", "substring", "mid", "upper", "ucase",
		"lower", "lcase", "length", "char_length", "character_length", "trim", "ltrim", "rtrim",
		"replace", "abs", "round", "floor", "ceil", "ceiling", "to_date", "date", "datediff",
		"left", "right",
	};
	const struct sl_exprfunc_def *d, *u;
	size_t i;
	for (i = 0; i < SL_ARRAY_LEN(names); i++) {
		d = sl_exprfunc_find(names[i], strlen(names[i]));
		CHECK(d && !strcmp(d->name, names[i]) && d->eval && d->type && d->minargs <= d->maxargs,
		      "function %s in the table", names[i]);
	}
	d = sl_exprfunc_find("UCase", 5);
	u = sl_exprfunc_find("upper", 5);
	CHECK(d && u && d->eval == u->eval && d->variant == u->variant, "ucase is upper");
	CHECK(!sl_exprfunc_find("uppe", 4) && !sl_exprfunc_find("upperx", 6) && !sl_exprfunc_find("", 0),
	      "unknown names are not found");
	CHECK(sl_exprfunc_find("concat", 6)->strict == 0 && sl_exprfunc_find("nullif", 6)->strict == 2
	      && sl_exprfunc_find("year", 4)->strict == 1, "lazy, strict and nullif rows");
}

/* str_to_date's reader and date_format's writer, directly. */
static void test_exprtime(void)
{
	static const struct { const char *s, *f, *want; } ok[] = {
		{ "2024-07-20 05:48:31", "%Y-%m-%d %H:%i:%s", "2024-07-20 05:48:31.000000" },
		{ "20/Jul/24 11:05:09 PM", "%d/%b/%y %r", "2024-07-20 23:05:09.000000" },
		{ "2024 202", "%Y %j", "2024-07-20 00:00:00.000000" },
		{ "Saturday, July 20th 2024 12:00:00.5 AM", "%W, %M %D %Y %h:%i:%s.%f %p", "2024-07-20 00:00:00.500000" },
	};
	static const struct { const char *s, *f; } bad[] = {
		{ "2024-02-30", "%Y-%m-%d" }, { "13:00:00 PM", "%h:%i:%s %p" }, { "2024", "%Y %j" },
		{ "x2024", "%Y" }, { "2024 400", "%Y %j" },
	};
	char buf[256], *end;
	int64_t us;
	size_t i;
	for (i = 0; i < SL_ARRAY_LEN(ok); i++) {
		int r = sl_exprtime_parse(ok[i].s, strlen(ok[i].s), ok[i].f, strlen(ok[i].f), &us);
		const char *f = "%Y-%m-%d %H:%i:%s.%f";
		CHECK(r == 1, "parse '%s' with '%s'", ok[i].s, ok[i].f);
		if (r != 1) continue;
		end = sl_exprtime_format(us, f, strlen(f), buf);
		*end = 0;
		CHECK(!strcmp(buf, ok[i].want), "'%s' -> %s, want %s", ok[i].s, buf, ok[i].want);
	}
	for (i = 0; i < SL_ARRAY_LEN(bad); i++)
		CHECK(!sl_exprtime_parse(bad[i].s, strlen(bad[i].s), bad[i].f, strlen(bad[i].f), &us),
		      "'%s' with '%s' is no date", bad[i].s, bad[i].f);
	end = sl_exprtime_format(0, "%a %W %U %u %V %v %X %x %w %j %% %q", 35, buf);
	*end = 0;
	CHECK(!strcmp(buf, "Thu Thursday 00 01 52 01 1969 1970 4 001 % q"), "week fields of 1970-01-01: %s", buf);
}

/* BITMAP and HLL functions over the test row, their types and refusals. */
static void test_sketch_functions(void)
{
	E("bitmap_to_string(to_bitmap(k1))", "5");
	E("bitmap_to_string(to_bitmap(src))", "42");
	E("bitmap_to_string(to_bitmap(big))", "9223372036854775807");
	E("bitmap_to_string(to_bitmap('18446744073709551615'))", "18446744073709551615");
	E("bitmap_to_string(to_bitmap(' +7 '))", "7");
	/* NULL, negative, non-numeric and out-of-range input: the empty bitmap */
	E("bitmap_to_string(to_bitmap(s))", "");
	E("bitmap_count(to_bitmap(n))", "0");
	E("bitmap_to_string(to_bitmap(-k1))", "");
	E("bitmap_to_string(to_bitmap('18446744073709551616'))", "");
	E("bitmap_to_string(to_bitmap(f))", "");
	E("bitmap_to_string(bitmap_hash(s))", "1321743225");
	E("bitmap_to_string(bitmap_hash('world'))", "2453398188");
	E("bitmap_count(bitmap_hash(n))", "0");
	E("bitmap_count(bitmap_hash(dt))", "1");
	E("bitmap_to_string(bitmap_from_string('10, 2,2,3'))", "2,3,10");
	E("bitmap_to_string(bitmap_from_string(''))", "");
	E("bitmap_to_string(bitmap_from_string('1,-2'))", "NULL");
	E("bitmap_from_string(n)", "NULL");
	E("bitmap_to_string(NULL)", "NULL");
	E("bitmap_count(NULL)", "0");
	E("bitmap_count(bitmap_empty())", "0");
	E("bitmap_to_string(if(k1 > 1, to_bitmap(1), bitmap_empty()))", "1");
	E("to_bitmap(k1)", "NULL");          /* displayed as NULL, as Doris's MySQL front does */
	E("hll_cardinality(hll_hash(s))", "1");
	E("hll_cardinality(hll_hash(n))", "0");
	E("hll_cardinality(hll_empty())", "0");
	E("hll_cardinality(NULL)", "0");
	E("hll_hash(s) IS NULL", "0");
	E("hll_to_base64(hll_hash('abc'))", "AQEC5XSzrpDsdw==");
	E("hll_to_base64(hll_empty())", "AA==");
	E("hll_to_base64(NULL)", "NULL");
	E("hll_cardinality(hll_from_base64(hll_to_base64(hll_hash(s))))", "1");
	E("hll_from_base64('AQEC')", "NULL");          /* base64, but no sketch */
	E("hll_from_base64('not base64')", "NULL");
	E("hll_from_base64(n)", "NULL");
	T("hll_from_base64('AA==')", "HLL");
	ERR("hll_to_base64(to_bitmap(1))", "hll_to_base64(BITMAP)");
	T("to_bitmap(1)", "BITMAP");
	T("bitmap_hash(s)", "BITMAP");
	T("hll_hash(k1)", "HLL");
	T("bitmap_count(to_bitmap(1))", "BIGINT");
	T("hll_cardinality(hll_empty())", "BIGINT");
	T("bitmap_to_string(bitmap_empty())", "VARCHAR(65533)");
	ERR("to_bitmap(1) < to_bitmap(2)", "Bitmap type dose not support operand: to_bitmap(1) < to_bitmap(2)");
	ERR("hll_hash(s) = 'a'", "Hll type dose not support operand: hll_hash(s) = 'a'");
	ERR("to_bitmap(1) IN (1, 2)", "Bitmap type dose not support operand");
	ERR("hll_hash(s) BETWEEN 1 AND 2", "Hll type dose not support operand");
	ERR("to_bitmap(1) LIKE 'a'", "Bitmap type dose not support operand");
	ERR("to_bitmap(1) + 1", "Bitmap type dose not support operand");
	ERR("CAST(s AS BITMAP)", "can not cast from origin type varchar(20) to target type=bitmap");
	ERR("CAST(to_bitmap(1) AS STRING)", "can not cast from origin type bitmap to target type=text");
	ERR("CAST(hll_empty() AS BITMAP)", "can not cast from origin type hll to target type=bitmap");
	ERR("bitmap_count(s)", "Can not find the compatibility function signature: bitmap_count(VARCHAR(20))");
	ERR("bitmap_to_string(hll_empty())", "bitmap_to_string(HLL)");
	ERR("hll_cardinality(to_bitmap(1))", "hll_cardinality(BITMAP)");
	ERR("to_bitmap(to_bitmap(1))", "to_bitmap(BITMAP)");
	ERR("bitmap_empty(1)", "which has 1 arity");
	E("CAST(NULL AS BITMAP) IS NULL", "1");
}

/* Evaluate the aggregate expressions sql (comma-separated) over rows of
 * values; the results' texts are compared with want. */
static void agg_check(const sl_expr_scope *sc, const char *sql, const sl_value *rows, size_t nrows,
                      const char *const *want, size_t nwant)
{
	sl_expr *es[8];
	sl_agg_list list = { 0, 0, NULL };
	sl_agg_state st[8];
	sl_value vals[8];
	sl_eval_ctx ctx = { &arena, 0, NULL, 0 };
	sl_lex lx;
	char err[256];
	size_t i, k, ne = 0;

	sl_lex_init(&lx, sql, strlen(sql));
	sl_lex_next(&lx);
	for (;;) {
		if (!(es[ne] = sl_expr_parse_lex(&lx, err, sizeof err))) { CHECK(0, "parse: %s", err); break; }
		CHECK(sl_expr_bind(es[ne], sc, err, sizeof err), "bind: %s", err);
		sl_expr_collect_aggs(es[ne], &list);
		ne++;
		if (!sl_lex_op(&lx, ",") || ne == 8) break;
		sl_lex_next(&lx);
	}
	CHECK(ne == nwant && list.n <= 8, "%zu expressions", ne);
	for (k = 0; k < list.n && k < 8; k++) sl_agg_init(list.calls[k], &st[k]);
	for (i = 0; i < nrows; i++)
		for (k = 0; k < list.n && k < 8; k++)
			CHECK(sl_agg_step(list.calls[k], &st[k], rows + i * sc->ncols, &ctx) == 1, "step");
	for (k = 0; k < list.n && k < 8; k++) sl_agg_final(list.calls[k], &st[k], &vals[k]);
	ctx.aggs = vals;
	for (i = 0; i < ne && i < nwant; i++) check_final(es[i], &ctx, want[i]);
	for (k = 0; k < list.n && k < 8; k++) sl_agg_free(&st[k]);
	for (i = 0; i < ne; i++) sl_expr_free(es[i]);
	free(list.calls);
	sl_lex_free(&lx);
	sl_arena_reset(&arena);
}

/* bitmap_union, bitmap_union_count, hll_union, hll_raw_agg, hll_union_agg
 * over BITMAP / HLL columns, NULLs skipped; over no rows; refusals. */
static void test_sketch_aggs(void)
{
	static const char *const an[] = { "g", "b", "h" };
	static const char *const want[] = { "4", "1,2,3,4294967296", "3", "3", "4", "3", "NULL" };
	static const char *const want0[] = { "0", "", "0", "0" };
	const char *sql = "bitmap_union_count(b), bitmap_to_string(bitmap_union(b)), hll_union_agg(h), "
		"hll_cardinality(hll_union(h)), bitmap_count(bitmap_union(b)), hll_cardinality(hll_raw_agg(h)), "
		"bitmap_union(b)";
	sl_type at[3];
	sl_buf enc[6] = { SL_BUF_ZERO, SL_BUF_ZERO, SL_BUF_ZERO, SL_BUF_ZERO, SL_BUF_ZERO, SL_BUF_ZERO };
	sl_value rows[5 * 3];
	sl_expr_scope sc = { 3, an, at, 1 };
	sl_bitmap *bm = sl_bitmap_new();
	size_t i;
	char err[256];
	sl_expr *e;

	sl_type_parse("INT", 3, &at[0], NULL);
	sl_type_parse("BITMAP", 6, &at[1], NULL);
	sl_type_parse("HLL", 3, &at[2], NULL);
	sl_bitmap_enc_single(1, &enc[0]);
	sl_bitmap_add(bm, 2);
	sl_bitmap_add(bm, 4294967296ULL);
	sl_bitmap_encode(bm, &enc[1]);
	sl_bitmap_enc_single(3, &enc[2]);
	sl_hll_enc_hash("x", 1, &enc[3]);
	sl_hll_enc_hash("y", 1, &enc[4]);
	memset(rows, 0, sizeof rows);
	for (i = 0; i < 5; i++) {
		sl_value_decode(&at[0], "\0\0\0\1", 4, &rows[i * 3]);
		sl_value_decode(&at[1], enc[i < 3 ? i : 2].p, (uint32_t)enc[i < 3 ? i : 2].len, &rows[i * 3 + 1]);
		if (i == 4) rows[i * 3 + 1] = SL_VALUE_NULL;
		sl_value_decode(&at[2], enc[3 + i % 2].p, (uint32_t)enc[3 + i % 2].len, &rows[i * 3 + 2]);
	}
	sl_hll_enc_hash("z", 1, &enc[5]);
	sl_value_decode(&at[2], enc[5].p, (uint32_t)enc[5].len, &rows[3 * 3 + 2]);
	rows[2 * 3 + 2] = SL_VALUE_NULL;
	agg_check(&sc, sql, rows, 5, want, SL_ARRAY_LEN(want));
	agg_check(&sc, "bitmap_union_count(b), bitmap_to_string(bitmap_union(b)), hll_union_agg(h), "
	          "hll_cardinality(hll_union(h))", rows, 0, want0, SL_ARRAY_LEN(want0));
	for (i = 0; i < 4; i++) {
		static const char *const bad[] = { "max(b)", "sum(h)", "bitmap_union(h)", "hll_union_agg(b)" };
		static const char *const msg[] = { "must use with specific function", "must use with specific function",
			"bitmap_union(HLL)", "hll_union_agg(BITMAP)" };
		e = sl_expr_parse(bad[i], strlen(bad[i]), err, sizeof err);
		CHECK(e && !sl_expr_bind(e, &sc, err, sizeof err) && strstr(err, msg[i]), "%s: %s", bad[i], err);
		sl_expr_free(e);
	}
	sl_bitmap_free(bm);
	for (i = 0; i < 6; i++) sl_buf_free(&enc[i]);
}

int main(void)
{
	sl_tz_set("UTC");
	setup();
	test_lex();
	test_arith();
	test_logic();
	test_cond();
	test_cast();
	test_functions();
	test_tz();
	test_errors();
	test_aggs();
	test_arena();
	test_functab();
	test_exprtime();
	test_bounds();
	test_sketch_functions();
	test_sketch_aggs();
	sl_arena_free(&arena);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
