/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtin.c -- the table of the stages built into the launchers
 * (builtin.h). Linked only into the binaries that also link the stages'
 * *.stage.o objects.
 */
#include <stddef.h>

#include "builtin.h"

const sl_builtin sl_builtin_stages[] = {
	{ "sl-parse", sl_parse_main },
	{ "sl-map", sl_map_main },
	{ "sl-filter", sl_filter_main },
	{ "sl-txn", sl_txn_main },
	{ "sl-commit", sl_commit_main },
	{ NULL, NULL },
};
