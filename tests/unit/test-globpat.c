/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-globpat.c -- unit tests of the glob matcher (libcommon/globpat.c): Java
 * PathMatcher semantics (* and ? stop at '/', ** does not), classes,
 * groups, {m..n} ranges, escapes, bad patterns, the literal prefix, and a
 * pathological pattern that a backtracking matcher takes exponential time on.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "globpat.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* 1 match, 0 no match, -2 the pattern did not compile */
static int m(const char *pat, const char *s)
{
	sl_globpat *g;
	char err[128];
	int r;

	if (sl_globpat_compile(&g, pat, err, sizeof err) != 1)
		return -2;
	r = sl_globpat_match(g, s);
	sl_globpat_free(g);
	return r;
}

static int badpat(const char *pat, const char *why)
{
	sl_globpat *g = NULL;
	char err[128] = "";
	int r = sl_globpat_compile(&g, pat, err, sizeof err);

	sl_globpat_free(g);
	return r == 0 && strstr(err, why) != NULL;
}

static void test_basic(void)
{
	CHECK(m("dir/*.csv", "dir/a.csv") == 1);
	CHECK(m("dir/*.csv", "dir/.csv") == 1);
	CHECK(m("dir/*.csv", "dir/sub/a.csv") == 0);
	CHECK(m("dir/*.csv", "dir/a.csv.tmp") == 0);
	CHECK(m("dir/*.csv", "xdir/a.csv") == 0);
	CHECK(m("dir/**.csv", "dir/sub/x/a.csv") == 1);
	CHECK(m("dir/**/*.csv", "dir/sub/a.csv") == 1);
	CHECK(m("dir/**/*.csv", "dir/a.csv") == 0);
	CHECK(m("dir/**", "dir/") == 1);
	CHECK(m("f?.csv", "f1.csv") == 1);
	CHECK(m("f?.csv", "f12.csv") == 0);
	CHECK(m("a?b", "a/b") == 0);
	CHECK(m("exact", "exact") == 1);
	CHECK(m("exact", "exac") == 0);
	CHECK(m("", "") == 1);
	CHECK(m("*", "") == 1);
	CHECK(m("*", "a/b") == 0);
	/* ? is one character, a UTF-8 sequence */
	CHECK(m("f?.csv", "f\xc3\xa9.csv") == 1);
	CHECK(m("f\xc3\xa9*", "f\xc3\xa9x") == 1);
}

static void test_class(void)
{
	CHECK(m("f[0-9].csv", "f7.csv") == 1);
	CHECK(m("f[0-9].csv", "fa.csv") == 0);
	CHECK(m("f[!0-9].csv", "fa.csv") == 1);
	CHECK(m("f[!0-9].csv", "f1.csv") == 0);
	CHECK(m("f[!0-9].csv", "f/.csv") == 0);
	CHECK(m("f[abc]", "fb") == 1);
	CHECK(m("f[abc]", "fd") == 0);
	CHECK(m("f[a-]", "f-") == 1);
	CHECK(m("f[]]", "f]") == 1);
	CHECK(m("f[\\]x]", "f]") == 1);
	CHECK(m("f[\xc3\xa0-\xc3\xbf]", "f\xc3\xa9") == 1);
	CHECK(badpat("f[a-", "Missing ']'"));
	CHECK(badpat("f[a/b]", "name separator"));
	CHECK(badpat("f[z-a]", "Invalid range"));
}

static void test_group(void)
{
	CHECK(m("dir/{a,b}.csv", "dir/a.csv") == 1);
	CHECK(m("dir/{a,b}.csv", "dir/b.csv") == 1);
	CHECK(m("dir/{a,b}.csv", "dir/c.csv") == 0);
	CHECK(m("dir/{a,b}.csv", "dir/ab.csv") == 0);
	CHECK(m("dir/{a*,b}.csv", "dir/axyz.csv") == 1);
	CHECK(m("dir/{a,}x", "dir/x") == 1);
	CHECK(m("{x,y}{1,2}", "y2") == 1);
	CHECK(m("{x,y}{1,2}", "y3") == 0);
	CHECK(m("a,b}", "a,b}") == 1);
	CHECK(badpat("{a,{b,c}}", "Cannot nest groups"));
	CHECK(badpat("{a,b", "Missing '}'"));
}

static void test_ranges(void)
{
	CHECK(m("f{1..3}.csv", "f1.csv") == 1);
	CHECK(m("f{1..3}.csv", "f2.csv") == 1);
	CHECK(m("f{1..3}.csv", "f3.csv") == 1);
	CHECK(m("f{1..3}.csv", "f4.csv") == 0);
	CHECK(m("f{3..1}.csv", "f2.csv") == 1);
	CHECK(m("f{1..12}", "f12") == 1);
	CHECK(m("f{1..12}", "f13") == 0);
	CHECK(m("f{1..x}", "f{1..x}") == -2 || m("f{1..x}", "f1..x") == 1);
	CHECK(badpat("f{0..1000000}", "longer than"));
}

static void test_escape(void)
{
	CHECK(m("a\\*b", "a*b") == 1);
	CHECK(m("a\\*b", "axb") == 0);
	CHECK(m("a\\{b", "a{b") == 1);
	CHECK(badpat("ab\\", "No character to escape"));
}

static void test_prefix(void)
{
	CHECK(sl_globpat_prefix_len("dir/sub/*.csv") == 8);
	CHECK(sl_globpat_prefix_len("dir/f{1,2}") == 5);
	CHECK(sl_globpat_prefix_len("dir/f[0-9]") == 5);
	CHECK(sl_globpat_prefix_len("dir/f?") == 5);
	CHECK(sl_globpat_prefix_len("dir/a\\*") == 5);
	CHECK(sl_globpat_prefix_len("dir/plain.csv") == 13);
}

/* a*a*a*...a*b against aaaa...a: exponential for a backtracking matcher */
static void test_pathological(void)
{
	char pat[256], s[4096];
	size_t i, n = 0;
	clock_t t0 = clock();
	double secs;

	for (i = 0; i < 40; i++) {
		pat[n++] = 'a';
		pat[n++] = '*';
		pat[n++] = '*';
	}
	strcpy(pat + n, "b");
	memset(s, 'a', sizeof s - 1);
	s[sizeof s - 1] = 0;
	CHECK(m(pat, s) == 0);
	s[sizeof s - 2] = 'b';
	CHECK(m(pat, s) == 1);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(secs < 2.0);
}

int main(void)
{
	test_basic();
	test_class();
	test_group();
	test_ranges();
	test_escape();
	test_prefix();
	test_pathological();
	printf("test-globpat: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
