/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bitmap.h -- Doris BITMAP values: sets of unsigned 64-bit integers kept as
 * one 32-bit CRoaring bitmap per distinct high 32 bits (as Roaring64Map
 * does), their byte encoding, union, count and text.
 *
 * Encoding (the bytes of a BITMAP field in the row stream and in rowsets;
 * integers big-endian):
 *   0x00                      the empty bitmap (1 byte)
 *   0x01 v1 .. vk             1 <= k <= 32 values, u64 each, strictly
 *                             ascending (a one-value bitmap is 9 bytes)
 *   0x02 nb {hi len bytes}*nb a Roaring64 map: u32 nb buckets, each a u32
 *                             high half, a u32 length and that many bytes of
 *                             CRoaring's portable serialization of the low
 *                             halves (non-empty); buckets strictly
 *                             ascending by high half
 * Writers choose the form by cardinality (0, 1..32, more), so equal sets
 * encode to the same bytes unless CRoaring's container choice differs;
 * readers accept any valid form.
 */
#ifndef SL_BITMAP_H
#define SL_BITMAP_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"

typedef struct sl_bitmap sl_bitmap;

/* An empty bitmap, or NULL (ENOMEM). */
sl_bitmap *sl_bitmap_new(void);
void sl_bitmap_free(sl_bitmap *b);
/* Add one value. 1, -1 ENOMEM. */
int sl_bitmap_add(sl_bitmap *b, uint64_t v);
/* b |= the bitmap encoded in p[0..n). 1, -1 EPROTO (bad encoding), ENOMEM. */
int sl_bitmap_or_enc(sl_bitmap *b, const char *p, size_t n);
uint64_t sl_bitmap_count(const sl_bitmap *b);
/* Append b's encoding to out. 1, -1 ENOMEM. */
int sl_bitmap_encode(sl_bitmap *b, sl_buf *out);
/* Append the values as Doris's bitmap_to_string prints them: ascending,
 * comma-separated, "" when empty. 1, -1 ENOMEM. */
int sl_bitmap_text(const sl_bitmap *b, sl_buf *out);
/* Add the values of Doris's bitmap_from_string text ("1,2, 3"; spaces
 * around numbers allowed, "" is the empty set). 1, 0 invalid (a negative,
 * non-numeric or out-of-range item), -1 ENOMEM. */
int sl_bitmap_parse(sl_bitmap *b, const char *s, size_t n);
/* One unsigned 64-bit decimal, spaces around it and a leading '+'
 * allowed (Doris's string_to_unsigned_int). 1, 0 invalid or out of range. */
int sl_bitmap_parse_u64(const char *s, size_t n, uint64_t *v);

/* On encodings. The union of the bitmaps encoded in a and b, encoded and
 * appended to out (the model's BITMAP_UNION). 1, -1 EPROTO, ENOMEM. */
int sl_bitmap_union(const char *a, size_t an, const char *b, size_t bn, sl_buf *out);
/* Encoding of the empty bitmap and of a one-value bitmap. 1, -1 ENOMEM. */
int sl_bitmap_enc_empty(sl_buf *out);
int sl_bitmap_enc_single(uint64_t v, sl_buf *out);
/* Cardinality of an encoded bitmap. 1, -1 EPROTO, ENOMEM. */
int sl_bitmap_enc_count(const char *p, size_t n, uint64_t *count);
/* Text (as sl_bitmap_text) of an encoded bitmap. 1, -1 EPROTO, ENOMEM. */
int sl_bitmap_enc_text(const char *p, size_t n, sl_buf *out);

#endif
