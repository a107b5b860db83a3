/* SPDX-License-Identifier: Apache-2.0 */
/* test-colmap.c -- unit tests of the column mapping (sl-map's logic)
 * without the binary: planning from `columns`, casts, strict mode,
 * NOT NULL, lengths, the preceding filter and its count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"
#include "loadopt.h"
#include "sl.h"
#include "colmap.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static const char ddl[] = "CREATE TABLE db.t (k INT NOT NULL, v VARCHAR(4), d INT DEFAULT \"7\") "
	"DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1";

typedef struct fixture {
	sl_schema sch;
	sl_hdrs h;
	sl_loadopts lo;
	sl_colmap m;
} fixture;

/* Plan the test table with the headers given; 1 planned without error. */
static int plan(fixture *x, const char *const *hdrs)
{
	char err[256];

	memset(x, 0, sizeof *x);
	if (!sl_schema_parse(ddl, strlen(ddl), 0, &x->sch, err, sizeof err)) {
		fprintf(stderr, "schema: %s\n", err);
		return -1;
	}
	for (; *hdrs; hdrs++)
		sl_hdrs_add(&x->h, *hdrs);
	sl_loadopt_parse(&x->lo, &x->h, SL_LO_MAP, err, sizeof err);
	if (sl_colmap_plan(&x->m, &x->sch, &x->lo, "+08:00") < 0)
		return -1;
	return !x->m.err.set;
}

static void done(fixture *x)
{
	sl_colmap_free(&x->m);
	sl_loadopt_free(&x->lo);
	sl_hdrs_free(&x->h);
	sl_schema_free(&x->sch);
}

static sl_field fld(const char *s)
{
	sl_field f = { s, s ? (uint32_t)strlen(s) : SL_NULL_LEN };
	return f;
}

static void test_positions(void)
{
	fixture x;
	sl_field row[3] = { fld("1"), fld("abcdef"), fld(NULL) };

	CHECK(plan(&x, (const char *const[]){ 0 }) == 1);
	CHECK(x.m.nsrc == 3);
	/* non-strict: the string is cut to its length */
	CHECK(sl_colmap_row(&x.m, row) == 1);
	CHECK(x.m.out[0].kind == SL_V_INT || x.m.out[0].kind != SL_V_NULL);
	CHECK(x.m.out[1].kind == SL_V_STRING && x.m.out[1].u.s.n == 4);
	CHECK(x.m.out[2].kind == SL_V_NULL);
	row[0] = fld("x");
	CHECK(sl_colmap_row(&x.m, row) == 0);
	CHECK(x.m.reason.len && strstr(x.m.reason.p, "column(k) values is null while columns is not nullable"));
	CHECK(x.m.src.len == 13 && !memcmp(x.m.src.p, "x abcdef NULL", 13));
	done(&x);
}

static void test_columns(void)
{
	fixture x;
	sl_field row[2] = { fld("5"), fld("ab") };

	CHECK(plan(&x, (const char *const[]){ "columns: a, b, k = a + 1, v = concat(b, 'z')",
	    "strict_mode: true", 0 }) == 1);
	CHECK(x.m.nsrc == 2 && x.m.ndv == 2);
	CHECK(x.m.plan[0].how == SL_COLMAP_EXPR && x.m.plan[1].how == SL_COLMAP_EXPR);
	CHECK(x.m.plan[2].how == SL_COLMAP_CONST);
	CHECK(sl_colmap_row(&x.m, row) == 1);
	CHECK(x.m.out[1].kind == SL_V_STRING && x.m.out[1].u.s.n == 3 && !memcmp(x.m.out[1].u.s.p, "abz", 3));
	CHECK(x.m.out[2].kind != SL_V_NULL);    /* DEFAULT 7 */
	row[1] = fld("abcd");                  /* strict: too long is rejected */
	CHECK(sl_colmap_row(&x.m, row) == 0);
	CHECK(strstr(x.m.reason.p, "column_name[v], the length of input is too long than schema."));
	done(&x);

	CHECK(plan(&x, (const char *const[]){ "columns: k, v, k", 0 }) == 0);
	CHECK(!strcmp(x.m.err.msg, "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Duplicate column: k"));
	done(&x);
	CHECK(plan(&x, (const char *const[]){ "columns: k, v = ", 0 }) == 0);
	CHECK(!strncmp(x.m.err.msg, "[INTERNAL_ERROR]TStatus: ParseException: syntax error in columns at position 3", 77));
	done(&x);
	CHECK(plan(&x, (const char *const[]){ "columns: k, v", "merge_type: MERGE", "strict_mode: maybe", 0 }) == 0);
	CHECK(!strcmp(x.m.err.msg, "[INVALID_ARGUMENT]Invalid strict mode format. Must be bool type"));
	done(&x);
}

static void test_preceding(void)
{
	fixture x;
	sl_field row[3] = { fld("1"), fld("a"), fld("2") };

	CHECK(plan(&x, (const char *const[]){ "x_sl_preceding_filter: k > 1", 0 }) == 1);
	CHECK(sl_colmap_row(&x.m, row) == 2);
	row[0] = fld("3");
	CHECK(sl_colmap_row(&x.m, row) == 1);
	CHECK(x.m.pre_unselected == 1);
	done(&x);
}

int main(void)
{
	test_positions();
	test_columns();
	test_preceding();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
