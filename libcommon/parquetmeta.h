/* SPDX-License-Identifier: Apache-2.0 */
/* parquetmeta.h -- parquet's footer (FileMetaData) decoded into the schema tree and row groups. */
#ifndef SL_PARQUETMETA_H
#define SL_PARQUETMETA_H

#include "parquetdef.h"

/* p[0..n) the footer's Thrift bytes; fsize the file's size (offsets are
 * checked against it). 0; -1 with err (malformed, unsupported, ENOMEM). */
int sl_parquetmeta_parse(const uint8_t *p, size_t n, uint64_t fsize, sl_parquet_meta *m,
	char *err, size_t errlen);
void sl_parquetmeta_free(sl_parquet_meta *m);

#endif
