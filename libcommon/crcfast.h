/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crcfast.h -- the CRC-32 of zlib's crc32() (the gzip polynomial) by
 * Intel's ISA-L (crc32_gzip_refl: folded with carry-less multiplication
 * where the CPU has it): same results, about six times zlib's speed on
 * long inputs. Every read of the store checks the log prefix its
 * checkpoint covers (ckpt.c), megabytes long after many loads.
 */
#ifndef SL_CRCFAST_H
#define SL_CRCFAST_H

#include <stddef.h>
#include <stdint.h>

/* crc32(crc, p, n) as zlib computes it (crc 0 to start). */
uint32_t sl_crcfast_update(uint32_t crc, const void *p, size_t n);

#endif
