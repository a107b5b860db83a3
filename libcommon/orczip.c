/* SPDX-License-Identifier: Apache-2.0 */
/* orczip.c -- ORC's compression chunks undone (see orczip.h). */
#include "orczip.h"

#include <errno.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

const char *sl_orczip_name(int kind)
{
	static const char *const names[] = { "NONE", "ZLIB", "SNAPPY", "LZO", "LZ4", "ZSTD" };
	return kind >= 0 && kind < (int)(sizeof names / sizeof names[0]) ? names[kind] : NULL;
}

static int inflate_raw(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *got)
{
	z_stream z = { 0 };
	if (inflateInit2(&z, -15) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = inflate(&z, Z_FINISH);
	*got = cap - z.avail_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 1 : -1;
}

/* one compressed chunk into out[0..cap): its length, or -1 */
static int chunk(int kind, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *got)
{
	switch (kind) {
	case SL_ORCZIP_ZLIB:
		return inflate_raw(in, n, out, cap, got);
	case SL_ORCZIP_SNAPPY: {
		size_t len = cap;
		if (snappy_uncompress((const char *)in, n, (char *)out, &len) != SNAPPY_OK)
			return -1;
		*got = len;
		return 1;
	}
	case SL_ORCZIP_LZO: {
		lzo_uint len = cap;
		static int ready;
		if (!ready && lzo_init() != LZO_E_OK)
			return -1;
		ready = 1;
		if (lzo1x_decompress_safe(in, n, out, &len, NULL) != LZO_E_OK)
			return -1;
		*got = len;
		return 1;
	}
	case SL_ORCZIP_LZ4: {
		int r = LZ4_decompress_safe((const char *)in, (char *)out, (int)n, (int)cap);
		if (r < 0)
			return -1;
		*got = (size_t)r;
		return 1;
	}
	case SL_ORCZIP_ZSTD: {
		size_t r = ZSTD_decompress(out, cap, in, n);
		if (ZSTD_isError(r))
			return -1;
		*got = r;
		return 1;
	}
	}
	return -1;
}

int sl_orczip_unpack(int kind, uint64_t block, const uint8_t *in, size_t n, uint64_t max,
	sl_buf *out, char *err, size_t errlen)
{
	if (kind == SL_ORCZIP_NONE) {
		if (n > max) {
			snprintf(err, errlen, "a stream of %zu bytes is larger than the limit of %llu bytes",
				n, (unsigned long long)max);
			return -1;
		}
		return sl_buf_put(out, in, n) < 0 ? (snprintf(err, errlen, "out of memory"), -1) : 1;
	}
	if (!sl_orczip_name(kind)) {
		snprintf(err, errlen, "the ORC compression kind %d is not supported", kind);
		return -1;
	}
	size_t at = 0, start = out->len;
	while (at < n) {
		if (n - at < 3) {
			snprintf(err, errlen, "a compression chunk header is cut short");
			return -1;
		}
		uint32_t h = in[at] | (uint32_t)in[at + 1] << 8 | (uint32_t)in[at + 2] << 16;
		size_t len = h >> 1;
		at += 3;
		if (len > n - at || (h & 1 ? len : block) > max - (out->len - start)
			|| (h & 1 ? 0 : block) > (1u << 30)) {
			snprintf(err, errlen, "a compression chunk of %zu bytes exceeds its stream or the limit",
				len);
			return -1;
		}
		size_t cap = h & 1 ? len : (size_t)block, got = 0;
		if (sl_buf_reserve(out, cap) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (h & 1) {
			memcpy(out->p + out->len, in + at, len);
			got = len;
		} else if (chunk(kind, in + at, len, (uint8_t *)out->p + out->len, cap, &got) < 0) {
			snprintf(err, errlen, "a %s chunk does not decompress (damaged file)",
				sl_orczip_name(kind));
			errno = EINVAL;
			return -1;
		}
		out->len += got;
		at += len;
	}
	return 1;
}
