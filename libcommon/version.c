/* SPDX-License-Identifier: Apache-2.0 */
/*
 * version.c -- streamload's version (version.h). SL_VERSION comes from
 * the header the Makefile writes ($(BUILD)/gen/slversion.h), rewritten
 * only when the version changes, so only this object is rebuilt then.
 */
#include <stdio.h>

#include "slversion.h"
#include "version.h"

const char *sl_version_string(void)
{
	return SL_VERSION;
}

int sl_version_line(char *buf, size_t n, const char *prog)
{
	return snprintf(buf, n, "%s (streamload) %s", prog && *prog ? prog : "streamload", SL_VERSION);
}
