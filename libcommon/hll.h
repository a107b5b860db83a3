/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hll.h -- Doris HLL values: HyperLogLog sketches at Doris's precision
 * (2^14 one-byte registers, 64-bit MurmurHash2 of the input as hll_hash
 * computes it), kept as an explicit set of hashes while small; their byte
 * encoding, union and cardinality estimate.
 *
 * Encoding (the bytes of an HLL field in the row stream and in rowsets;
 * Doris's own serialization, so integers are little-endian here):
 *   0x00                       the empty sketch (1 byte)
 *   0x01 k h1 .. hk            explicit: u8 k (1..160) hashes, u64 each,
 *                              ascending (a one-value HLL is 10 bytes)
 *   0x02 c {idx val}*c         sparse registers: u32 c, then c pairs of a
 *                              u16 register index (< 16384) and its u8 value
 *                              (1..51); the other registers are 0
 *   0x03 r0 .. r16383          all 16384 registers, one byte each
 * Writers use explicit up to 160 distinct hashes, then sparse while at most
 * 4096 registers are non-zero, then full. Readers accept any valid form.
 */
#ifndef SL_HLL_H
#define SL_HLL_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"

#define SL_HLL_REGISTERS 16384

typedef struct sl_hll sl_hll;

/* An empty sketch, or NULL (ENOMEM). */
sl_hll *sl_hll_new(void);
void sl_hll_free(sl_hll *h);
/* hll_hash's 64-bit hash of the bytes p[0..n). */
uint64_t sl_hll_hash(const void *p, size_t n);
/* Add one hash. 1, -1 ENOMEM. */
int sl_hll_add(sl_hll *h, uint64_t hash);
/* h |= the sketch encoded in p[0..n). 1, -1 EPROTO (bad encoding), ENOMEM. */
int sl_hll_or_enc(sl_hll *h, const char *p, size_t n);
/* Doris's estimate: the exact count of an explicit set, else the
 * HyperLogLog estimate with linear counting for small ones and Doris's
 * bias correction below 72000. */
int64_t sl_hll_estimate(const sl_hll *h);
/* Append h's encoding to out. 1, -1 ENOMEM. */
int sl_hll_encode(const sl_hll *h, sl_buf *out);

/* On encodings. The union of the sketches encoded in a and b, encoded and
 * appended to out (the model's HLL_UNION). 1, -1 EPROTO, ENOMEM. */
int sl_hll_union(const char *a, size_t an, const char *b, size_t bn, sl_buf *out);
/* Encoding of the empty sketch, and of hll_hash(p[0..n)). 1, -1 ENOMEM. */
int sl_hll_enc_empty(sl_buf *out);
int sl_hll_enc_hash(const void *p, size_t n, sl_buf *out);
/* Estimate (as sl_hll_estimate) of an encoded sketch. 1, -1 EPROTO, ENOMEM. */
int sl_hll_enc_estimate(const char *p, size_t n, int64_t *est);

#endif
