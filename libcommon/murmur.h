/* SPDX-License-Identifier: Apache-2.0 */
/*
 * murmur.h -- the two MurmurHash variants Doris hashes sketch input with:
 * MurmurHash3 x86 32-bit (bitmap_hash, seed 104729) and MurmurHash2 64A
 * (hll_hash, seed 0xadc83b19), byte-order neutral (input read
 * little-endian on every host).
 */
#ifndef SL_MURMUR_H
#define SL_MURMUR_H

#include <stddef.h>
#include <stdint.h>

#define SL_MURMUR3_32_SEED UINT32_C(104729)
#define SL_MURMUR64A_SEED UINT64_C(0xadc83b19)

uint32_t sl_murmur3_32(const void *p, size_t n, uint32_t seed);
uint64_t sl_murmur64a(const void *p, size_t n, uint64_t seed);

#endif
