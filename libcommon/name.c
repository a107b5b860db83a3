/* SPDX-License-Identifier: Apache-2.0 */
/*
 * name.c -- the names of databases and tables (name.h).
 */
#include <errno.h>
#include <string.h>

#include "name.h"

int sl_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			break;
	}
	if (name[i] || i == 0 || i > 64 || name[0] == '_' || name[0] == '-') {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

int sl_name_table_valid(const char *name)
{
	if (sl_name_valid(name) < 0)
		return -1;
	if (!strcmp(name, "txnlog") || !strcmp(name, "lock") || !strcmp(name, "txn")) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}
