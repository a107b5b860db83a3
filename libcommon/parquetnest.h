/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquetnest.h -- a nested parquet column (LIST, MAP, groups, repeated
 * fields) of one row assembled from its leaves' repetition and definition
 * levels into JSON text (the colfile.h table: MAP as an object, keys as
 * text; a group as an object by field name).
 */
#ifndef SL_PARQUETNEST_H
#define SL_PARQUETNEST_H

#include "parquetdef.h"

/* the scratch (size_t count) sl_parquetnest_row needs for m */
size_t sl_parquetnest_scratch(const sl_parquet_meta *m);
/* Node i's value of the row at its leaves' cursors (cols[leaf].pos,
 * advanced past the row) appended to b: 1 a value, 0 NULL, -1 err. */
int sl_parquetnest_row(sl_buf *b, const sl_parquet_meta *m, sl_parquet_col *cols, int i,
	size_t *scratch, char *err, size_t errlen);

#endif
