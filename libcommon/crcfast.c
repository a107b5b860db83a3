/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crcfast.c -- CRC-32 through ISA-L (crcfast.h). ISA-L picks its code
 * for the CPU at run time (PCLMULQDQ, else a table); tests/unit/test-ckpt.c
 * holds it to zlib's results at every length and alignment.
 */
#include <isa-l/crc.h>

#include "crcfast.h"

uint32_t sl_crcfast_update(uint32_t crc, const void *p, size_t n)
{
	return n ? crc32_gzip_refl(crc, (const unsigned char *)p, (uint64_t)n) : crc;
}
