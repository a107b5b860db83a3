/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exprnode.c -- allocating and freeing the expression tree's nodes.
 */
#include <stdlib.h>

#include "exprnode.h"

sl_expr *sl_exprnode_new(int kind)
{
	sl_expr *e = calloc(1, sizeof *e);
	if (e) {
		e->kind = kind;
		e->col = -1;
		e->agg_id = -1;
		e->height = 1;
	}
	return e;
}

void sl_exprnode_free(sl_expr *e)
{
	size_t i;
	if (!e) return;
	for (i = 0; i < e->nargs; i++) sl_exprnode_free(e->args[i]);
	free(e->args);
	free(e->sbuf);
	free(e->text_own);
	free(e);
}
