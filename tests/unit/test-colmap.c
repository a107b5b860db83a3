/* SPDX-License-Identifier: Apache-2.0 */
/* test-colmap.c -- unit tests of the column mapping (sl-map's logic)
 * without the binary: planning from `columns`, casts, strict mode,
 * NOT NULL, lengths, the preceding filter and its count; the table
 * models' columns: hidden columns, merge_type, the sequence, partial
 * update masks, negative, BITMAP/HLL checks. */
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

/* The table the next plan() uses. */
static const char *cur_ddl = ddl;

/* Plan the test table with the headers given; 1 planned without error. */
static int plan(fixture *x, const char *const *hdrs)
{
	char err[256];

	memset(x, 0, sizeof *x);
	if (!sl_schema_parse(cur_ddl, strlen(cur_ddl), 0, &x->sch, err, sizeof err)) {
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

#define FE "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = "
#define H(...) ((const char *const[]){ __VA_ARGS__, 0 })

static const char uniq[] = "CREATE TABLE db.u (k INT NOT NULL, v VARCHAR(4), n INT NOT NULL) "
	"UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1";
static const char useq[] = "CREATE TABLE db.s (k INT NOT NULL, v VARCHAR(4), n INT) UNIQUE KEY(k) "
	"DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES (\"function_column.sequence_type\" = \"bigint\")";
static const char umap[] = "CREATE TABLE db.m (k INT NOT NULL, v VARCHAR(4), n INT) UNIQUE KEY(k) "
	"DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES (\"function_column.sequence_col\" = \"n\")";
static const char agg[] = "CREATE TABLE db.a (k INT NOT NULL, s TINYINT SUM, d DECIMAL(9,2) SUM) "
	"AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1";

/* Plan table t with headers h; the planning error's text after FE's
 * prefix, or "" when none. */
static const char *plan_err(fixture *x, const char *t, const char *const *h)
{
	cur_ddl = t;
	plan(x, h);
	cur_ddl = ddl;
	if (!x->m.err.set)
		return "";
	return strncmp(x->m.err.msg, FE, strlen(FE)) ? x->m.err.msg : x->m.err.msg + strlen(FE);
}

static int is_int(const sl_value *v, long long i)
{
	return v->kind == SL_V_INT && v->u.i == i;
}

static void test_hidden(void)
{
	fixture x;
	const char *names[8];
	sl_field row[5] = { fld("1"), fld("ab"), fld("3"), fld("1"), fld(NULL) };

	/* positional: the visible columns only; the delete sign defaults to 0 */
	CHECK(!*plan_err(&x, uniq, H("strict_mode: false")));
	CHECK(x.sch.ncols == 4 && x.m.nsrc == 3 && !x.m.mask);
	CHECK(x.m.plan[3].how == SL_COLMAP_CONST);
	CHECK(sl_colmap_row(&x.m, row) == 1 && is_int(&x.m.out[3], 0));
	done(&x);
	/* hidden_columns appends them, in its order, blanks and case ignored */
	CHECK(!*plan_err(&x, useq, H("hidden_columns: __doris_sequence_col__ , __DORIS_DELETE_SIGN__,nope",
	    "function_column.sequence_col: n")));
	CHECK(x.m.nsrc == 5 && !strcmp(x.m.srcs[3], "__DORIS_SEQUENCE_COL__") && !strcmp(x.m.srcs[4], "__DORIS_DELETE_SIGN__"));
	row[4] = fld("1");
	CHECK(sl_colmap_row(&x.m, row) == 1 && is_int(&x.m.out[3], 1));
	/* the header's sequence outranks the hidden source field */
	CHECK(is_int(&x.m.out[4], 3));
	done(&x);
	/* columns may name a hidden column */
	CHECK(!*plan_err(&x, uniq, H("columns: k, n, __DORIS_DELETE_SIGN__")));
	CHECK(x.m.plan[3].how == SL_COLMAP_SRC && x.m.plan[3].idx == 2);
	done(&x);
	/* the positional names sl-parse asks for */
	CHECK(!*plan_err(&x, useq, H("unique_key_update_mode: update_flexible_columns", "format: json")));
	CHECK(sl_colmap_positional(&x.sch, &x.lo, names) == 5 && !strcmp(names[3], "__DORIS_DELETE_SIGN__"));
	done(&x);
}

static void test_merge_type(void)
{
	fixture x;
	sl_field row[3] = { fld("1"), fld("ab"), fld("3") };

	CHECK(!*plan_err(&x, uniq, H("merge_type: delete")));
	CHECK(sl_colmap_row(&x.m, row) == 1 && is_int(&x.m.out[3], 1));
	done(&x);
	/* MERGE: sl-filter sets the sign; here it is the default */
	CHECK(!*plan_err(&x, uniq, H("merge_type: MERGE", "delete: k = 1")));
	CHECK(sl_colmap_row(&x.m, row) == 1 && is_int(&x.m.out[3], 0));
	done(&x);
	CHECK(!strcmp(plan_err(&x, ddl, H("merge_type: DELETE")), "load by MERGE or DELETE is only supported in unique tables."));
	done(&x);
	CHECK(!strcmp(plan_err(&x, uniq, H("merge_type: MERGE")), "[INVALID_ARGUMENT]Excepted DELETE ON clause when merge type is MERGE."));
	done(&x);
	CHECK(!strcmp(plan_err(&x, uniq, H("merge_type: DELETE", "delete: k=1")),
	    "[INVALID_ARGUMENT]Not support DELETE ON clause when merge type is not MERGE."));
	done(&x);
	CHECK(!strcmp(plan_err(&x, uniq, H("merge_type: nope")), "[INVALID_ARGUMENT]Invalid merge type nope"));
	done(&x);
}

static void test_sequence(void)
{
	fixture x;
	sl_field row[3] = { fld("1"), fld("ab"), fld("30") };

	CHECK(!strcmp(plan_err(&x, useq, H("strict_mode: false")), "Table s has sequence column, need to specify the sequence column"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, uniq, H("function_column.sequence_col: n")), "There is no sequence column in the table u"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, useq, H("function_column.sequence_col: zz")), "Unknown column 'zz' in 'table list'"));
	done(&x);
	/* a source-only name, cast to the sequence's type */
	CHECK(!*plan_err(&x, useq, H("columns: k, v, t", "function_column.sequence_col: t")));
	CHECK(x.m.plan[4].how == SL_COLMAP_EXPR);
	CHECK(sl_colmap_row(&x.m, row) == 1 && is_int(&x.m.out[4], 30) && x.m.out[2].kind == SL_V_NULL);
	done(&x);
	/* the table's sequence_col feeds it on every load that gives the column */
	CHECK(!*plan_err(&x, umap, H("strict_mode: false")));
	CHECK(x.m.plan[4].how == SL_COLMAP_COPY && x.m.plan[4].idx == 2);
	CHECK(sl_colmap_row(&x.m, row) == 1 && is_int(&x.m.out[4], 30));
	done(&x);
	CHECK(!strcmp(plan_err(&x, umap, H("columns: k, v")), "Table m has sequence column, need to specify the sequence column"));
	done(&x);
}

static void test_fixed(void)
{
	fixture x;
	sl_field row[2] = { fld("1"), fld("ab") };

	/* n is NOT NULL without a default: kept, so no planning error */
	CHECK(!*plan_err(&x, uniq, H("partial_columns: true", "columns: k, v")));
	CHECK(x.m.mode == SL_COLMAP_FIXED && x.m.mask);
	CHECK(sl_colmap_row(&x.m, row) == 1 && !memcmp(x.m.mask, "1101", 4) && x.m.out[2].kind == SL_V_NULL);
	done(&x);
	/* every visible column: a plain upsert */
	CHECK(!*plan_err(&x, uniq, H("unique_key_update_mode: UPDATE_FIXED_COLUMNS", "columns: k, v, n")));
	CHECK(x.m.mode == SL_COLMAP_UPSERT && !x.m.mask);
	done(&x);
	/* without columns: an upsert too */
	CHECK(!*plan_err(&x, uniq, H("partial_columns: true")) && x.m.mode == SL_COLMAP_UPSERT);
	done(&x);
	/* unique_key_update_mode outranks partial_columns: an upsert needs n */
	CHECK(!strcmp(plan_err(&x, uniq, H("partial_columns: true", "unique_key_update_mode: upsert", "columns: k, v")),
	    "Column has no default value, column=n"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, uniq, H("partial_columns: true", "columns: v, n")),
	    "Partial update should include all key columns, missing: k"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, useq, H("partial_columns: true", "columns: k, __DORIS_SEQUENCE_COL__",
	    "function_column.sequence_col: k")), "Partial update should not include invisible column except delete sign column: __DORIS_SEQUENCE_COL__"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, ddl, H("partial_columns: true", "columns: k")), "Only unique key merge on write support partial update"));
	done(&x);
	/* a sequence_col table: the sequence follows its column */
	CHECK(!*plan_err(&x, umap, H("partial_columns: true", "columns: k, v")));
	CHECK(sl_colmap_row(&x.m, row) == 1 && !memcmp(x.m.mask, "11010", 5));
	done(&x);
}

static void test_flexible(void)
{
	fixture x;
	sl_field row[4] = { fld("1"), { "", SL_ABSENT_LEN }, fld(NULL), { "", SL_ABSENT_LEN } };

	CHECK(!*plan_err(&x, uniq, H("unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS", "format: json")));
	CHECK(x.m.nsrc == 4 && x.m.mask);
	/* v absent: kept; n null: given (and NOT NULL: rejected) */
	CHECK(sl_colmap_row(&x.m, row) == 0 && strstr(x.m.reason.p, "column(n) values is null"));
	row[2] = fld("5");
	CHECK(sl_colmap_row(&x.m, row) == 1 && !memcmp(x.m.mask, "1011", 4) && is_int(&x.m.out[3], 0));
	row[2] = (sl_field){ "", SL_ABSENT_LEN };    /* NOT NULL but absent: kept, NULL */
	CHECK(sl_colmap_row(&x.m, row) == 1 && !memcmp(x.m.mask, "1001", 4));
	row[0] = (sl_field){ "", SL_ABSENT_LEN };
	CHECK(sl_colmap_row(&x.m, row) == 0);
	CHECK(!strcmp(x.m.reason.p, "the key column k is missing in a row of a flexible partial update"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, uniq, H("unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS")),
	    "[INVALID_ARGUMENT]flexible partial update only support json format as input file currently"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, uniq, H("unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS", "format: json", "where: k > 1")),
	    "[INVALID_ARGUMENT]Don't support flexible partial update when 'where' is specified"));
	done(&x);
	/* the sequence need not be given */
	CHECK(!*plan_err(&x, useq, H("unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS", "format: JSON")));
	done(&x);
}

static void test_negative(void)
{
	fixture x;
	sl_field row[3] = { fld("1"), fld("-128"), fld("2.5") };

	CHECK(!*plan_err(&x, agg, H("negative: true")));
	/* -(-128) does not fit a TINYINT: NULL */
	CHECK(sl_colmap_row(&x.m, row) == 1 && x.m.out[1].kind == SL_V_NULL);
	CHECK(x.m.out[2].kind == SL_V_DECIMAL && x.m.out[2].u.l == -250 && is_int(&x.m.out[0], 1));
	row[1] = fld("7");
	CHECK(sl_colmap_row(&x.m, row) == 1 && is_int(&x.m.out[1], -7));
	done(&x);
	CHECK(!*plan_err(&x, agg, H("negative: True")));  /* exactly true, else off */
	CHECK(sl_colmap_row(&x.m, row) == 1 && is_int(&x.m.out[1], 7));
	done(&x);
	CHECK(!strcmp(plan_err(&x, uniq, H("negative: true")), "Column is not SUM AggregateType. column:v"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, agg, H("negative: true", "merge_type: MERGE", "delete: k=1")),
	    "Negative is only used when merge type is APPEND."));
	done(&x);
}

static void test_sketches(void)
{
	fixture x;
	static const char bm[] = "CREATE TABLE db.b (k BIGINT, arr BITMAP BITMAP_UNION) AGGREGATE KEY(k) "
		"DISTRIBUTED BY HASH(k) BUCKETS 1";
	static const char hl[] = "CREATE TABLE db.h (k BIGINT, pv HLL HLL_UNION) AGGREGATE KEY(k) "
		"DISTRIBUTED BY HASH(k) BUCKETS 1";

	/* a source and a derived column of one name: the derived one feeds it */
	CHECK(!*plan_err(&x, bm, H("columns: k, arr, arr = to_bitmap(arr)")));
	CHECK(x.m.plan[1].how == SL_COLMAP_EXPR && x.m.nsrc == 2);
	done(&x);
	CHECK(!*plan_err(&x, hl, H("columns: k, pv = hll_hash(k)")));
	done(&x);
	CHECK(!strcmp(plan_err(&x, bm, H("strict_mode: false")), "bitmap column arr require the function return type is BITMAP"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, bm, H("columns: k, a, arr = concat(a, 'x')")), "bitmap column arr require the function return type is BITMAP"));
	done(&x);
	CHECK(!*plan_err(&x, bm, H("columns: k")));     /* not given: NULL */
	done(&x);
	CHECK(!strcmp(plan_err(&x, hl, H("columns: k, pv")), "HLL column must use hll_hash function, like pv=hll_hash(xxx)"));
	done(&x);
	CHECK(!strcmp(plan_err(&x, hl, H("columns: k, x, pv = upper(x)")),
	    "HLL column must use hll_hash function, like pv=hll_hash(xxx) or pv=hll_empty()"));
	done(&x);
}

int main(void)
{
	test_positions();
	test_columns();
	test_preceding();
	test_hidden();
	test_merge_type();
	test_sequence();
	test_fixed();
	test_flexible();
	test_negative();
	test_sketches();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
