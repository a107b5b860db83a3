/* SPDX-License-Identifier: Apache-2.0 */
/*
 * orczip.h -- ORC's compression chunks (a 3-byte header: length and an
 * "original" bit, then the bytes) undone for the codecs none, zlib
 * (raw deflate), snappy, lzo, lz4 (blocks) and zstd (frames).
 */
#ifndef SL_ORCZIP_H
#define SL_ORCZIP_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"

/* ORC's CompressionKind numbers */
enum { SL_ORCZIP_NONE, SL_ORCZIP_ZLIB, SL_ORCZIP_SNAPPY, SL_ORCZIP_LZO, SL_ORCZIP_LZ4,
	SL_ORCZIP_ZSTD, SL_ORCZIP_BROTLI };

/* The codec's name, or NULL when this reader does not know it. */
const char *sl_orczip_name(int kind);
/* in[0..n) of a stream compressed with kind in chunks of at most block
 * bytes, appended to out decompressed (none: copied). More than max bytes
 * out, a damaged chunk or an unknown codec: -1 with err. 1 done. */
int sl_orczip_unpack(int kind, uint64_t block, const uint8_t *in, size_t n, uint64_t max,
	sl_buf *out, char *err, size_t errlen);

#endif
