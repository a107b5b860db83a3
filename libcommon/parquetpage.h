/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquetpage.h -- one column chunk of a row group read from the file and
 * decoded page by page (dictionary, data pages v1 and v2, every value
 * encoding) into its levels and value slices (sl_parquet_col).
 */
#ifndef SL_PARQUETPAGE_H
#define SL_PARQUETPAGE_H

#include "parquetdef.h"

/* Decode chunk k of the leaf nd from fd into col (emptied first); max
 * bounds every allocation sized by the file. 0; -1 with err. */
int sl_parquetpage_chunk(int fd, const sl_parquet_chunk *k, const sl_parquet_node *nd,
	uint64_t max, sl_parquet_col *col, char *err, size_t errlen);
void sl_parquetpage_free(sl_parquet_col *col);

#endif
