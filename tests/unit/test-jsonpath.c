/* SPDX-License-Identifier: Apache-2.0 */
/* test-jsonpath.c -- unit tests of the scanner and the jsonpaths over a
 * validated JSON record (jsonpath.h): values keep their source text, the
 * first of duplicate keys wins, escaped keys match, bad paths fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpath.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

/* The text at path in doc, "(none)" when it is not there, "(bad)" for a
 * path that does not parse. */
static const char *at(const char *doc, const char *path, char *out, size_t cap)
{
	sl_jsonpath jp;
	sl_jspan v = { doc, strlen(doc) }, r;

	if (!sl_jsonpath_parse(path, &jp))
		snprintf(out, cap, "(bad)");
	else if (!sl_jsonpath_get(&jp, v, &r))
		snprintf(out, cap, "(none)");
	else
		snprintf(out, cap, "%.*s", (int)r.n, r.p);
	sl_jsonpath_free(&jp);
	return out;
}

static void test_paths(void)
{
	static const char doc[] = " {\"a\": {\"b\": [10, 2.50, {\"c\": \"x,}\\\"y\"}]}, \"k\\u0065y\": true, \"a\": 1 } ";
	char b[128];

	CHECK(!strcmp(at(doc, "$.a.b[0]", b, sizeof b), "10"));
	CHECK(!strcmp(at(doc, "$.a.b[1]", b, sizeof b), "2.50"));        /* the source text */
	CHECK(!strcmp(at(doc, "$.a.b[2].c", b, sizeof b), "\"x,}\\\"y\""));
	CHECK(!strcmp(at(doc, "$['a'][\"b\"][3]", b, sizeof b), "(none)"));
	CHECK(!strcmp(at(doc, "$.key", b, sizeof b), "true"));           /* an escaped key */
	CHECK(!strcmp(at(doc, "$.a.x", b, sizeof b), "(none)"));
	CHECK(!strcmp(at(doc, "$.a.b.c", b, sizeof b), "(none)"));       /* not an object */
	CHECK(!strcmp(at(doc, "$", b, sizeof b), doc));
	CHECK(!strcmp(at(doc, "$.", b, sizeof b), doc));
	CHECK(!strcmp(at(doc, "a.b", b, sizeof b), "(bad)"));
	CHECK(!strcmp(at(doc, "$.a[*]", b, sizeof b), "(bad)"));
	CHECK(!strcmp(at(doc, "$.a..b", b, sizeof b), "(bad)"));
	CHECK(!strcmp(at(doc, "$['a", b, sizeof b), "(bad)"));
	CHECK(!strcmp(at(doc, "$[1x]", b, sizeof b), "(bad)"));
}

static void test_members(void)
{
	static const char doc[] = "{\"a\" : [1, {\"z\": 2}], \"b\":null,\"a\":3}";
	const char *p = doc + 1, *e = doc + sizeof doc - 1;
	sl_jspan k, v;
	int n = 0;

	while (sl_jsonpath_member(&p, e, &k, &v)) {
		n++;
		if (n == 1)
			CHECK(k.n == 3 && !memcmp(k.p, "\"a\"", 3) && v.n == 13 && !memcmp(v.p, "[1, {\"z\": 2}]", 13));
		if (n == 2)
			CHECK(sl_jsonpath_key_is(k, "b", 1) && v.n == 4);
	}
	CHECK(n == 3);
	{
		const char s[] = "\"a\\\\\" x";
		CHECK(sl_jsonpath_skip_value(s, s + sizeof s - 1) == s + 5);
	}
	{
		const char s[] = " \t\r\nx";
		CHECK(sl_jsonpath_ws(s, s + sizeof s - 1) == s + 4);
		CHECK(sl_jsonpath_ws(s, s + 2) == s + 2);
	}
	{
		static const char k2[] = "\"\\u00e9t\\u00e9\"";
		sl_jspan key = { k2, sizeof k2 - 1 };
		CHECK(sl_jsonpath_key_is(key, "\xc3\xa9t\xc3\xa9", 5));
		CHECK(!sl_jsonpath_key_is(key, "ete", 3));
	}
}

int main(void)
{
	test_paths();
	test_members();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
