/* SPDX-License-Identifier: Apache-2.0 */
/* test-loadopt.c -- unit tests of the load options table and parser.
 * With --table, prints the table ("name stage,stage") for loadopt.bats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"
#include "loadopt.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* Parse the -H style arguments for mask; the first message in msg. */
static int parse(sl_hdrs *h, sl_loadopts *o, unsigned mask, char *msg, size_t cap, const char *const *args)
{
	sl_hdrs_free(h);
	for (; *args; args++)
		sl_hdrs_add(h, *args);
	msg[0] = 0;
	return sl_loadopt_parse(o, h, mask, msg, cap);
}

static void test_types(void)
{
	sl_hdrs h = SL_HDRS_ZERO;
	sl_loadopts o;
	char msg[512];

	CHECK(parse(&h, &o, SL_LO_PARSE, msg, sizeof msg, (const char *const[]){ "format:JSON", "skip_lines: 3x",
	    "column_separator:\\x01", "trim_double_quotes:TRUE", "enclose:'", 0 }) == 1);
	CHECK(o.v[SL_LO_FORMAT].i == 3);
	CHECK(o.v[SL_LO_SKIP_LINES].i == 3);
	CHECK(o.v[SL_LO_COLUMN_SEPARATOR].bytes.len == 1 && o.v[SL_LO_COLUMN_SEPARATOR].bytes.p[0] == 1);
	CHECK(o.v[SL_LO_LINE_DELIMITER].bytes.len == 1 && o.v[SL_LO_LINE_DELIMITER].bytes.p[0] == '\n');
	CHECK(o.v[SL_LO_TRIM_DOUBLE_QUOTES].i == 1);
	CHECK(o.v[SL_LO_ENCLOSE].i == '\'');
	CHECK(o.v[SL_LO_ESCAPE].state == 0 && o.v[SL_LO_ESCAPE].i == -1);
	CHECK(o.v[SL_LO_STRICT_MODE].state == 0);       /* not sl-parse's */
	sl_loadopt_free(&o);

	CHECK(parse(&h, &o, SL_LO_PARSE, msg, sizeof msg, (const char *const[]){ "format:hive_text", 0 }) == 0);
	CHECK(!strcmp(msg, "[NOT_IMPLEMENTED_ERROR]format hive_text is not supported yet: sl-parse reads csv, "
	    "csv_with_names, csv_with_names_and_types, json, parquet, orc and arrow"));
	sl_loadopt_free(&o);
	CHECK(parse(&h, &o, SL_LO_PARSE, msg, sizeof msg, (const char *const[]){ "compress_type:zip", 0 }) == 0);
	CHECK(!strcmp(msg, "[E-1101]unknown data format, format="));
	sl_loadopt_free(&o);
	CHECK(parse(&h, &o, SL_LO_PARSE, msg, sizeof msg, (const char *const[]){ "skip_lines:-2", 0 }) == 0);
	CHECK(!strcmp(msg, "[INVALID_ARGUMENT]Invalid 'skip_lines': -2"));
	sl_loadopt_free(&o);
	CHECK(parse(&h, &o, SL_LO_PARSE, msg, sizeof msg, (const char *const[]){ "skip_lines:x", 0 }) == 0);
	CHECK(!strcmp(msg, "[INVALID_ARGUMENT]Invalid format of 'skip_lines': 'x', stoi"));
	sl_loadopt_free(&o);
	CHECK(parse(&h, &o, SL_LO_PARSE, msg, sizeof msg, (const char *const[]){ "escape:ab", 0 }) == 0);
	CHECK(!strcmp(msg, "[INVALID_ARGUMENT]escape must be single-char, actually is ab"));
	sl_loadopt_free(&o);
	/* an invalid separator keeps the default for the stages that do not report it */
	CHECK(parse(&h, &o, SL_LO_MAP, msg, sizeof msg, (const char *const[]){ "column_separator:\\x", 0 }) == 0);
	CHECK(o.v[SL_LO_COLUMN_SEPARATOR].bytes.len == 1 && o.v[SL_LO_COLUMN_SEPARATOR].bytes.p[0] == '\t');
	sl_loadopt_free(&o);

	CHECK(parse(&h, &o, SL_LO_MAP, msg, sizeof msg, (const char *const[]){ "strict_mode:yes", "merge_type:upsert", 0 }) == 0);
	CHECK(!strcmp(msg, "[INVALID_ARGUMENT]Invalid strict mode format. Must be bool type"));
	CHECK(sl_loadopt_check(&o, SL_LO_MERGE_TYPE, msg, sizeof msg) == 0);
	CHECK(!strcmp(msg, "[INVALID_ARGUMENT]Invalid merge type upsert"));
	CHECK(sl_loadopt_check(&o, SL_LO_GROUP_COMMIT, msg, sizeof msg) == 1);
	sl_loadopt_free(&o);

	CHECK(parse(&h, &o, SL_LO_TXN, msg, sizeof msg, (const char *const[]){ "max_filter_ratio:2", 0 }) == 0);
	CHECK(!strcmp(msg, "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = max_filter_ratio must between 0.0 and 1.0."));
	sl_loadopt_free(&o);
	CHECK(parse(&h, &o, SL_LO_COMMIT, msg, sizeof msg, (const char *const[]){ "max_filter_ratio: 0.5d",
	    "two_phase_commit:TRUE", 0 }) == 1);
	CHECK(o.v[SL_LO_MAX_FILTER_RATIO].d == 0.5);
	CHECK(o.v[SL_LO_TWO_PHASE_COMMIT].i == 0);      /* exactly "true" */
	sl_loadopt_free(&o);
	CHECK(parse(&h, &o, SL_LO_TXN, msg, sizeof msg, (const char *const[]){ "exec_mem_limit:lots", 0 }) == 0);
	CHECK(!strcmp(msg, "[INVALID_ARGUMENT]Invalid mem limit format, stoll"));
	sl_loadopt_free(&o);
	CHECK(parse(&h, &o, SL_LO_TXN, msg, sizeof msg, (const char *const[]){ "timeout:0", 0 }) == 0);
	CHECK(!strcmp(msg, "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Invalid timeout: 0. "
	    "Timeout should be higher than Config.min_load_timeout_second: 1"));
	sl_loadopt_free(&o);
	sl_hdrs_free(&h);
}

static void test_split(void)
{
	static const char cols[] = "a, `b,c` ,d=concat('x,\\'y', \"(,\"),e=f(1, 2)";
	sl_loadopt_item *it;
	size_t n;

	CHECK(sl_loadopt_split(cols, &it, &n) == 1);
	CHECK(n == 4);
	if (n == 4) {
		CHECK(it[0].n == 1 && !memcmp(it[0].p, "a", 1));
		CHECK(it[1].n == 7 && !memcmp(it[1].p, " `b,c` ", 7));
		CHECK(!memcmp(it[2].p, "d=concat('x,\\'y', \"(,\")", it[2].n));
		CHECK(it[3].p == cols + strlen(cols) - 9 && it[3].n == 9);
	}
	free(it);
	CHECK(sl_loadopt_split("", &it, &n) == 1 && n == 1 && it[0].n == 0);
	free(it);
}

static void test_set(void)
{
	sl_hdrs h = SL_HDRS_ZERO;

	sl_hdrs_add(&h, "label:");
	sl_hdrs_add(&h, "Label:x");
	sl_hdrs_add(&h, "where:a > 1");
	CHECK(!sl_hdrs_get(&h, "label"));
	CHECK(sl_hdrs_set(&h, "label", "y") == 1);
	CHECK(h.n == 2 && !strcmp(sl_hdrs_get(&h, "label"), "y"));
	CHECK(sl_hdrs_append(&h, "LABEL", "z") == 1);
	CHECK(h.n == 3 && !strcmp(sl_hdrs_get(&h, "label"), "y"));
	CHECK(sl_hdrs_set(&h, " comment ", " c ") == 1 && !strcmp(sl_hdrs_get(&h, "comment"), "c"));
	sl_hdrs_free(&h);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--table")) {
		sl_buf b = SL_BUF_ZERO;
		if (sl_loadopt_list(&b) < 0 || fwrite(b.p, 1, b.len, stdout) != b.len)
			return 111;
		sl_buf_free(&b);
		return 0;
	}
	test_types();
	test_split();
	test_set();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
