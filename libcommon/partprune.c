/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partprune.c -- which partitions a bound WHERE tree can match (every one
 * it cannot rule out is kept: pruning never changes a result), and
 * Doris's display of partition bounds (SHOW PARTITIONS' Range, the
 * overlap messages).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "exprnode.h"
#include "partint.h"

/* ---- Doris's display ---- */

/* The key Doris shows for a column's minimum (MIN padding, LESS THAN's
 * first lower bound). */
static const char *min_text(const sl_type *t)
{
	switch (t->kind) {
	case SL_T_TINYINT: return "-128";
	case SL_T_SMALLINT: return "-32768";
	case SL_T_INT: return "-2147483648";
	case SL_T_BIGINT: return "-9223372036854775808";
	case SL_T_LARGEINT: return "-170141183460469231731687303715884105728";
	case SL_T_DATE: return "0000-01-01";
	case SL_T_DATETIME: return "0000-01-01 00:00:00";
	default: return "";
	}
}

int sl_pkey_text(const sl_partset *ps, const sl_pkey *k, sl_buf *out)
{
	if (sl_buf_puts(out, "types: [") < 0)
		return -1;
	for (size_t i = 0; i < ps->nc; i++) {
		char tb[SL_TYPE_FMT_MAX], *paren;
		sl_type_format_upper(&ps->sch->cols[ps->sc->cols[i]].type, tb, sizeof tb);
		if ((paren = strchr(tb, '(')))
			*paren = 0;
		if (sl_buf_printf(out, "%s%s", i ? ", " : "", tb) < 0)
			return -1;
	}
	if (sl_buf_puts(out, "]; keys: [") < 0)
		return -1;
	for (size_t i = 0; i < ps->nc; i++) {
		const sl_type *t = &ps->sch->cols[ps->sc->cols[i]].type;
		if (i && sl_buf_puts(out, ", ") < 0)
			return -1;
		if (k[i].inf ? sl_buf_puts(out, k[i].inf == PK_MAX ? "MAXVALUE" : min_text(t)) < 0
				: sl_pkey_value_text(t, k[i].f, out) < 0)
			return -1;
	}
	return sl_buf_puts(out, "]; ") < 0 ? -1 : 1;
}

int sl_partrange_text(const sl_partset *ps, const sl_ppart *p, sl_buf *out)
{
	if (sl_buf_putc(out, '[') < 0 || sl_pkey_text(ps, p->k, out) < 0 || sl_buf_puts(out, "..") < 0
			|| sl_pkey_text(ps, p->k + ps->nc, out) < 0 || sl_buf_putc(out, ')') < 0)
		return -1;
	return 1;
}

int sl_partset_range_text(const sl_partset *ps, size_t i, sl_buf *out)
{
	const sl_ppart *p = &ps->p[i];

	if (ps->sc->kind == SL_PART_RANGE)
		return sl_partrange_text(ps, p, out) < 0 ? (errno = ENOMEM, -1) : 1;
	if (ps->sc->kind != SL_PART_LIST)
		return 1;
	if (sl_buf_putc(out, '[') < 0)
		goto nomem;
	for (size_t t = 0; t < p->ntup; t++)
		if ((t && sl_buf_puts(out, ", ") < 0) || sl_pkey_text(ps, p->k + t * ps->nc, out) < 0)
			goto nomem;
	if (sl_buf_putc(out, ']') < 0)
		goto nomem;
	return 1;
nomem:
	errno = ENOMEM;
	return -1;
}
