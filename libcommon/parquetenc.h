/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquetenc.h -- parquet's integer encodings, bounded: the RLE /
 * bit-packed hybrid (levels, dictionary indices, booleans) and
 * DELTA_BINARY_PACKED (integers and the lengths of the delta byte array
 * encodings). Each reads at most n bytes and returns -1 for data that
 * ends early or lies.
 */
#ifndef SL_PARQUETENC_H
#define SL_PARQUETENC_H

#include <stddef.h>
#include <stdint.h>

/* count values of bitw bits (0..32) into out. 0; -1 malformed. */
int sl_parquetenc_rle(const uint8_t *p, size_t n, int bitw, uint32_t *out, size_t count);
/* When the first run of the hybrid at p repeats one value over count
 * entries or more (the levels of a page without nulls): 1 and *v, what
 * sl_parquetenc_rle would give every entry. 0 another shape (decode it
 * with sl_parquetenc_rle, which also refuses what is malformed). */
int sl_parquetenc_rle_one(const uint8_t *p, size_t n, int bitw, size_t count, uint32_t *v);
/* The header's value count of a DELTA_BINARY_PACKED run at p. -1 malformed. */
int64_t sl_parquetenc_delta_count(const uint8_t *p, size_t n);
/* Decode the run at p: count values (its header's) into out, *used its
 * bytes. 0; -1 malformed. */
int sl_parquetenc_delta(const uint8_t *p, size_t n, int64_t *out, size_t count, size_t *used);

#endif
