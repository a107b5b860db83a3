/* SPDX-License-Identifier: Apache-2.0 */
/* parquetzip.c -- parquet's page codecs (parquetzip.h). */
#include <stdio.h>
#include <string.h>
#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include "parquetzip.h"

enum { PZ_NONE, PZ_SNAPPY, PZ_GZIP, PZ_LZO, PZ_BROTLI, PZ_LZ4, PZ_ZSTD, PZ_LZ4_RAW };

const char *sl_parquetzip_name(int codec)
{
	static const char *const names[] = { "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI",
		"LZ4", "ZSTD", "LZ4_RAW" };
	return codec >= 0 && codec < (int)(sizeof names / sizeof names[0]) ? names[codec] : "unknown";
}

/* gzip (or zlib) members one after another until out is full */
static int gunzip(const uint8_t *in, size_t n, uint8_t *out, size_t outn)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)outn;
	int rc = Z_OK;
	while (z.avail_out > 0) {
		rc = inflate(&z, Z_FINISH);
		if (rc == Z_STREAM_END && z.avail_in > 0 && z.avail_out > 0) {
			if (inflateReset(&z) != Z_OK)
				break;
			continue;
		}
		break;
	}
	int ok = (rc == Z_STREAM_END || rc == Z_OK || rc == Z_BUF_ERROR) && z.avail_out == 0;
	inflateEnd(&z);
	return ok ? 0 : -1;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* LZ4 as hadoop frames it (lengths big-endian before each block); some
 * writers put one raw block instead, tried when the framing does not fit */
static int lz4_hadoop(const uint8_t *in, size_t n, uint8_t *out, size_t outn)
{
	size_t ip = 0, op = 0;
	while (ip + 8 <= n && op < outn) {
		uint32_t ulen = be32(in + ip), clen = be32(in + ip + 4);
		ip += 8;
		if (clen > n - ip || ulen > outn - op)
			goto raw;
		int got = LZ4_decompress_safe((const char *)in + ip, (char *)out + op, (int)clen, (int)ulen);
		if (got < 0 || (uint32_t)got != ulen)
			goto raw;
		ip += clen;
		op += ulen;
	}
	if (ip == n && op == outn)
		return 0;
raw:
	return LZ4_decompress_safe((const char *)in, (char *)out, (int)n, (int)outn) == (int)outn ? 0 : -1;
}

int sl_parquetzip_inflate(int codec, const uint8_t *in, size_t n, uint8_t *out, size_t outn,
	char *err, size_t errlen)
{
	int rc = -1;
	size_t got = outn;
	if (n > INT32_MAX || outn > INT32_MAX) {
		snprintf(err, errlen, "a page larger than 2 GiB");
		return -1;
	}
	switch (codec) {
	case PZ_NONE:
		if (n == outn) {
			memcpy(out, in, n);
			rc = 0;
		}
		break;
	case PZ_SNAPPY:
		rc = snappy_uncompress((const char *)in, n, (char *)out, &got) == SNAPPY_OK && got == outn ? 0 : -1;
		break;
	case PZ_GZIP:
		rc = gunzip(in, n, out, outn);
		break;
	case PZ_BROTLI:
		rc = BrotliDecoderDecompress(n, in, &got, out) == BROTLI_DECODER_RESULT_SUCCESS
			&& got == outn ? 0 : -1;
		break;
	case PZ_LZ4:
		rc = lz4_hadoop(in, n, out, outn);
		break;
	case PZ_ZSTD: {
		size_t r = ZSTD_decompress(out, outn, in, n);
		rc = !ZSTD_isError(r) && r == outn ? 0 : -1;
		break;
	}
	case PZ_LZ4_RAW:
		rc = LZ4_decompress_safe((const char *)in, (char *)out, (int)n, (int)outn) == (int)outn ? 0 : -1;
		break;
	default:
		snprintf(err, errlen, "the %s codec is not supported yet", sl_parquetzip_name(codec));
		return -1;
	}
	if (rc < 0)
		snprintf(err, errlen, "a %s page does not decompress to its %zu bytes",
			sl_parquetzip_name(codec), outn);
	return rc;
}
