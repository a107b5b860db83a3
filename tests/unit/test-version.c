/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-version.c -- unit tests of the build's version (libcommon/version.c):
 * its shape and the --version line, cut or whole.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "version.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

int main(void)
{
	const char *v = sl_version_string();
	char buf[128], small[8], want[160];
	int n;

	/* a release number first: digits and dots, then perhaps the commit */
	CHECK(v && isdigit((unsigned char)v[0]));
	CHECK(strchr(v, '.') != NULL);
	CHECK(strspn(v, "0123456789.") >= 3);
	CHECK(!strpbrk(v, " \t\n\""));

	n = sl_version_line(buf, sizeof buf, "sl-load");
	snprintf(want, sizeof want, "sl-load (streamload) %s", v);
	CHECK(!strcmp(buf, want));
	CHECK(n == (int)strlen(want));

	/* cut, still terminated, and the whole length told */
	n = sl_version_line(small, sizeof small, "sl-load");
	CHECK(!strcmp(small, "sl-load"));
	CHECK(n == (int)strlen(want));

	/* no program name: the package's */
	sl_version_line(buf, sizeof buf, "");
	CHECK(!strncmp(buf, "streamload (streamload) ", 24));
	sl_version_line(buf, sizeof buf, NULL);
	CHECK(!strncmp(buf, "streamload (streamload) ", 24));

	printf("test-version: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
