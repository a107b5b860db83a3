/* SPDX-License-Identifier: Apache-2.0 */
/* parquetzip.h -- parquet's page codecs: snappy, gzip, brotli, zstd, lz4 (raw and hadoop's framing). */
#ifndef SL_PARQUETZIP_H
#define SL_PARQUETZIP_H

#include <stddef.h>
#include <stdint.h>

/* the codec's name for messages */
const char *sl_parquetzip_name(int codec);
/* in[0..n) decompressed into out, exactly outn bytes expected. 0; -1 with
 * err (a damaged page, an unsupported codec). */
int sl_parquetzip_inflate(int codec, const uint8_t *in, size_t n, uint8_t *out, size_t outn,
	char *err, size_t errlen);

#endif
