/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.c -- the body of a load, plain or decompressed on the fly
 * (input.h). Memory is bounded: one 1 MiB input buffer, plus for the block
 * formats (lz4_block, snappy_block, lzo/lzop) one decompressed block, whose
 * size is capped at SL_INPUT_BLOCK_MAX, and its compressed chunk.
 *
 * Block framing: lz4_block and snappy_block are Hadoop's
 * BlockCompressorStream (as Doris reads them): per block a 4-byte
 * big-endian uncompressed length, then chunks of (4-byte big-endian
 * compressed length, data) until that many bytes came out. lzo and lzop
 * are both the lzop(1) file format (Doris maps both names to its lzop
 * reader), header and per-block checksums checked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <zlib.h>
#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>

#include "sl.h"
#include "io.h"
#include "input.h"

#define IN_CHUNK (1u << 20)
#define SL_INPUT_BLOCK_MAX (64u << 20)

enum { K_PLAIN, K_GZ, K_DEFLATE, K_BZ2, K_LZ4F, K_LZ4B, K_SNAPPYB, K_LZOP };

struct sl_input {
	int fd, kind;
	const unsigned char *mem;       /* sl_input_open_mem: the source, */
	size_t mlen, mpos;              /* read instead of fd */
	uint64_t raw;
	int exact;                      /* sl_input_set_length: */
	uint64_t left;                  /* raw bytes still due */
	int short_body;                 /* the fd ended before them */
	char err[256];
	int failed;
	int eno;              /* errno of the failure: EBADMSG for bad data */
	/* compressed input */
	unsigned char *ib;
	size_t ipos, ilen, icap;
	int ieof;
	/* decompressed block (block formats) */
	unsigned char *ob;
	size_t opos, olen, ocap;
	int done;             /* stream finished cleanly */
	int started;          /* a stream/member began (needs its end) */
	z_stream z;
	bz_stream bz;
	LZ4F_dctx *lz;
	size_t lzhint;
	/* lzop */
	uint32_t lzop_flags;
	int lzop_hdr;
};

static ssize_t fail(sl_input *in, const char *fmt, ...)
{
	va_list ap;

	if (!in->failed) {
		va_start(ap, fmt);
		vsnprintf(in->err, sizeof in->err, fmt, ap);
		va_end(ap);
		in->failed = 1;
		in->eno = EBADMSG;
	}
	errno = in->eno;
	return -1;
}

/* A read(2) error: the reason is strerror, errno is kept. */
static ssize_t read_failed(sl_input *in)
{
	int e = errno;

	if (!in->failed) {
		snprintf(in->err, sizeof in->err, "%s", strerror(e));
		in->failed = 1;
		in->eno = e;
	}
	errno = in->eno;
	return -1;
}

sl_input *sl_input_open(int fd, const char *ct, const char **err)
{
	static const struct { const char *name; int kind; } kinds[] = {
		{ "gz", K_GZ }, { "deflate", K_DEFLATE }, { "bz2", K_BZ2 },
		{ "lz4", K_LZ4F }, { "lz4frame", K_LZ4F }, { "lz4_block", K_LZ4B },
		{ "snappy_block", K_SNAPPYB }, { "lzo", K_LZOP }, { "lzop", K_LZOP },
	};
	static char ebuf[160];
	sl_input *in;
	size_t i;
	int kind = -1;

	if (!ct || !*ct)
		kind = K_PLAIN;
	for (i = 0; kind < 0 && i < SL_ARRAY_LEN(kinds); i++)
		if (!strcasecmp(ct, kinds[i].name))
			kind = kinds[i].kind;
	if (kind < 0) {
		snprintf(ebuf, sizeof ebuf, "unknown compress type %.100s", ct);
		if (err)
			*err = ebuf;
		errno = EINVAL;
		return 0;
	}
	in = calloc(1, sizeof *in);
	if (!in)
		goto nomem;
	in->fd = fd;
	in->kind = kind;
	if (kind != K_PLAIN) {
		in->icap = IN_CHUNK;
		in->ib = malloc(in->icap);
		if (!in->ib)
			goto nomem;
	}
	switch (kind) {
	case K_GZ:
	case K_DEFLATE:
		if (inflateInit2(&in->z, kind == K_GZ ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK)
			goto nomem;
		break;
	case K_BZ2:
		if (BZ2_bzDecompressInit(&in->bz, 0, 0) != BZ_OK)
			goto nomem;
		break;
	case K_LZ4F:
		if (LZ4F_isError(LZ4F_createDecompressionContext(&in->lz, LZ4F_VERSION)))
			goto nomem;
		break;
	case K_LZOP:
		if (lzo_init() != LZO_E_OK) {
			if (err)
				*err = "lzo_init failed";
			free(in->ib);
			free(in);
			errno = EINVAL;
			return 0;
		}
		break;
	}
	return in;
nomem:
	if (in) {
		free(in->ib);
		free(in);
	}
	if (err)
		*err = "out of memory";
	errno = ENOMEM;
	return 0;
}

sl_input *sl_input_open_mem(const void *p, size_t n, const char *ct, const char **err)
{
	sl_input *in = sl_input_open(-1, ct, err);

	if (in) {
		in->mem = p ? p : (const void *)"";
		in->mlen = n;
	}
	return in;
}

/* Read in steps of this much: the decompressors' natural output size. */
#define PEEK_STEP ((size_t)65536)

int sl_input_peek(const void *p, size_t n, int whole, const char *ct, size_t max,
	sl_buf *out, int *end, const char **err)
{
	sl_input *in = sl_input_open_mem(p, n, ct, err);
	size_t start = out->len;
	ssize_t k;

	*end = 0;
	if (!in)
		return -1;
	for (;;) {
		if (out->len - start >= max) {
			*end = 1;
			break;
		}
		if (sl_buf_reserve(out, PEEK_STEP) < 0) {
			sl_input_close(in);
			errno = ENOMEM;
			return -1;
		}
		k = sl_input_read(in, out->p + out->len, PEEK_STEP);
		if (k > 0) {
			out->len += (size_t)k;
			continue;
		}
		if (k < 0 && errno == ENOMEM) {
			sl_input_close(in);
			return -1;
		}
		/* the end of what came so far: the end of the data only when
		 * the whole body is here; else a stream cut short needs more */
		*end = whole;
		break;
	}
	sl_input_close(in);
	return 1;
}

void sl_input_close(sl_input *in)
{
	if (!in)
		return;
	switch (in->kind) {
	case K_GZ:
	case K_DEFLATE:
		inflateEnd(&in->z);
		break;
	case K_BZ2:
		BZ2_bzDecompressEnd(&in->bz);
		break;
	case K_LZ4F:
		LZ4F_freeDecompressionContext(in->lz);
		break;
	}
	free(in->ib);
	free(in->ob);
	free(in);
}

const char *sl_input_error(const sl_input *in)
{
	return in->failed ? in->err : "";
}

uint64_t sl_input_raw_bytes(const sl_input *in)
{
	return in->raw;
}

void sl_input_set_length(sl_input *in, uint64_t n)
{
	in->exact = 1;
	in->left = n;
}

int sl_input_short(const sl_input *in)
{
	return in->short_body;
}

#define MSG_SHORT_BODY "receive body don't equal with body bytes"

/* Raw bytes from the source: fd, or the memory of sl_input_open_mem. */
static ssize_t src_read(sl_input *in, void *buf, size_t n)
{
	if (in->exact) {
		ssize_t got;
		if (!in->left)
			return 0;
		if (n > in->left)
			n = (size_t)in->left;
		got = sl_fd_read(in->fd, buf, n);
		if (got <= 0) {
			/* EOF, a reset, a receive timeout: the body is short */
			if (!in->failed) {
				snprintf(in->err, sizeof in->err, "%s", MSG_SHORT_BODY);
				in->failed = in->short_body = 1;
				in->eno = got < 0 ? errno : ECONNRESET;
			}
			errno = in->eno;
			return -1;
		}
		in->left -= (uint64_t)got;
		return got;
	}
	if (in->fd >= 0 || !in->mem)
		return sl_fd_read(in->fd, buf, n);
	if (n > in->mlen - in->mpos)
		n = in->mlen - in->mpos;
	memcpy(buf, in->mem + in->mpos, n);
	in->mpos += n;
	return (ssize_t)n;
}

/* More compressed bytes after ilen (compacting first). 1, 0 EOF, -1. */
static int fill(sl_input *in)
{
	ssize_t got;

	if (in->ieof)
		return 0;
	if (in->ipos) {
		memmove(in->ib, in->ib + in->ipos, in->ilen - in->ipos);
		in->ilen -= in->ipos;
		in->ipos = 0;
	}
	if (in->ilen == in->icap) {
		size_t cap = in->icap * 2;
		unsigned char *p = realloc(in->ib, cap);
		if (!p)
			return (int)(errno = ENOMEM, read_failed(in));
		in->ib = p;
		in->icap = cap;
	}
	got = src_read(in, in->ib + in->ilen, in->icap - in->ilen);
	if (got < 0)
		return (int)read_failed(in);
	if (got == 0) {
		in->ieof = 1;
		return 0;
	}
	in->ilen += (size_t)got;
	in->raw += (uint64_t)got;
	return 1;
}

/* At least n contiguous bytes at ib+ipos: 1, 0 if the input ended first
 * (with fewer bytes left), -1 on error. */
static int need(sl_input *in, size_t n)
{
	while (in->ilen - in->ipos < n) {
		int r = fill(in);
		if (r <= 0)
			return r;
	}
	return 1;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int ob_reserve(sl_input *in, size_t n)
{
	if (n > in->ocap) {
		unsigned char *p = realloc(in->ob, n);
		if (!p)
			return (int)(errno = ENOMEM, read_failed(in));
		in->ob = p;
		in->ocap = n;
	}
	return 1;
}

/* ---- streaming codecs ---- */

static ssize_t read_zlib(sl_input *in, void *buf, size_t n)
{
	const char *name = in->kind == K_GZ ? "gz" : "deflate";

	for (;;) {
		int rc;
		size_t before;

		if (in->ipos == in->ilen) {
			int r = fill(in);
			if (r < 0)
				return -1;
			if (r == 0) {
				if (in->started)
					return fail(in, "%s: unexpected end of stream", name);
				return 0;
			}
		}
		if (in->done) {
			/* a gz body may hold several members */
			if (in->kind != K_GZ)
				return fail(in, "%s: trailing data after the end of the stream", name);
			if (inflateReset(&in->z) != Z_OK)
				return fail(in, "%s: inflateReset failed", name);
			in->done = 0;
		}
		in->started = 1;
		in->z.next_in = in->ib + in->ipos;
		in->z.avail_in = (uInt)(in->ilen - in->ipos);
		in->z.next_out = buf;
		in->z.avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
		before = in->z.avail_out;
		rc = inflate(&in->z, Z_NO_FLUSH);
		in->ipos = in->ilen - in->z.avail_in;
		if (rc == Z_STREAM_END) {
			in->done = 1;
			in->started = 0;
		} else if (rc == Z_NEED_DICT) {
			return fail(in, "%s: a preset dictionary is needed", name);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			return fail(in, "%s: %s", name, in->z.msg ? in->z.msg : zError(rc));
		}
		if (before - in->z.avail_out)
			return (ssize_t)(before - in->z.avail_out);
	}
}

static const char *bz_reason(int rc)
{
	switch (rc) {
	case BZ_DATA_ERROR: return "data integrity error (BZ_DATA_ERROR)";
	case BZ_DATA_ERROR_MAGIC: return "not bzip2 data (BZ_DATA_ERROR_MAGIC)";
	case BZ_MEM_ERROR: return "out of memory (BZ_MEM_ERROR)";
	case BZ_PARAM_ERROR: return "BZ_PARAM_ERROR";
	default: return "decompression error";
	}
}

static ssize_t read_bz2(sl_input *in, void *buf, size_t n)
{
	for (;;) {
		int rc;
		size_t before;

		if (in->ipos == in->ilen) {
			int r = fill(in);
			if (r < 0)
				return -1;
			if (r == 0) {
				if (in->started)
					return fail(in, "bz2: unexpected end of stream");
				return 0;
			}
		}
		if (in->done) {
			BZ2_bzDecompressEnd(&in->bz);
			memset(&in->bz, 0, sizeof in->bz);
			if (BZ2_bzDecompressInit(&in->bz, 0, 0) != BZ_OK)
				return fail(in, "bz2: out of memory");
			in->done = 0;
		}
		in->started = 1;
		in->bz.next_in = (char *)(in->ib + in->ipos);
		in->bz.avail_in = (unsigned)(in->ilen - in->ipos);
		in->bz.next_out = buf;
		in->bz.avail_out = (unsigned)(n > (1u << 30) ? (1u << 30) : n);
		before = in->bz.avail_out;
		rc = BZ2_bzDecompress(&in->bz);
		in->ipos = in->ilen - in->bz.avail_in;
		if (rc == BZ_STREAM_END) {
			in->done = 1;
			in->started = 0;
		} else if (rc != BZ_OK) {
			return fail(in, "bz2: %s", bz_reason(rc));
		}
		if (before - in->bz.avail_out)
			return (ssize_t)(before - in->bz.avail_out);
	}
}

static ssize_t read_lz4f(sl_input *in, void *buf, size_t n)
{
	for (;;) {
		size_t src, dst = n, rc;

		if (in->ipos == in->ilen) {
			int r = fill(in);
			if (r < 0)
				return -1;
			if (r == 0) {
				if (in->started)
					return fail(in, "lz4: unexpected end of stream");
				return 0;
			}
		}
		in->started = 1;
		src = in->ilen - in->ipos;
		rc = LZ4F_decompress(in->lz, buf, &dst, in->ib + in->ipos, &src, 0);
		in->ipos += src;
		if (LZ4F_isError(rc))
			return fail(in, "lz4: %s", LZ4F_getErrorName(rc));
		if (rc == 0)
			in->started = 0;   /* frame complete */
		if (dst)
			return (ssize_t)dst;
	}
}

/* ---- block formats ---- */

/* The largest compressed chunk that can decompress to at most n bytes:
 * a longer one is corrupt, and is refused before it is buffered. */
static size_t chunk_bound(const sl_input *in, size_t n)
{
	if (in->kind == K_LZ4B)
		return (size_t)LZ4_compressBound((int)n);
	return snappy_max_compressed_length(n);
}

/* Hadoop block: decompress the next block into ob. 1, 0 at a clean end, -1. */
static int next_hadoop_block(sl_input *in)
{
	const char *name = in->kind == K_LZ4B ? "lz4_block" : "snappy_block";
	uint32_t rawlen;
	size_t got = 0;
	int r = need(in, 4);

	if (r < 0)
		return -1;
	if (r == 0) {
		if (in->ilen != in->ipos)
			return (int)fail(in, "%s: unexpected end of stream", name);
		return 0;
	}
	rawlen = be32(in->ib + in->ipos);
	in->ipos += 4;
	if (rawlen > SL_INPUT_BLOCK_MAX)
		return (int)fail(in, "%s: block of %u bytes is larger than %u", name, rawlen, SL_INPUT_BLOCK_MAX);
	if (ob_reserve(in, rawlen ? rawlen : 1) < 0)
		return -1;
	while (got < rawlen) {
		uint32_t clen;
		r = need(in, 4);
		if (r <= 0)
			return r < 0 ? -1 : (int)fail(in, "%s: unexpected end of stream", name);
		clen = be32(in->ib + in->ipos);
		in->ipos += 4;
		if (!clen)
			return (int)fail(in, "%s: empty chunk", name);
		if (clen > chunk_bound(in, rawlen - got))
			return (int)fail(in, "%s: corrupt chunk length %u for %zu bytes left in the block",
			    name, clen, rawlen - got);
		r = need(in, clen);
		if (r <= 0)
			return r < 0 ? -1 : (int)fail(in, "%s: unexpected end of stream", name);
		if (in->kind == K_LZ4B) {
			int d = LZ4_decompress_safe((const char *)in->ib + in->ipos, (char *)in->ob + got,
			    (int)clen, (int)(rawlen - got));
			if (d < 0)
				return (int)fail(in, "lz4_block: corrupt data (LZ4_decompress_safe returned %d)", d);
			got += (size_t)d;
		} else {
			const char *c = (const char *)in->ib + in->ipos;
			size_t dl;
			snappy_status e = snappy_uncompressed_length(c, clen, &dl);
			if (e == SNAPPY_OK && dl > rawlen - got)
				return (int)fail(in, "snappy_block: a chunk that decompresses to %zu bytes overflows its block", dl);
			if (e == SNAPPY_OK)
				e = snappy_uncompress(c, clen, (char *)in->ob + got, &dl);
			if (e != SNAPPY_OK)
				return (int)fail(in, "snappy_block: corrupt data (snappy_uncompress status %d)", (int)e);
			got += dl;
		}
		in->ipos += clen;
	}
	in->opos = 0;
	in->olen = got;
	return 1;
}

/* lzop flags */
#define F_ADLER32_D     0x00000001u
#define F_ADLER32_C     0x00000002u
#define F_H_EXTRA_FIELD 0x00000040u
#define F_CRC32_D       0x00000100u
#define F_CRC32_C       0x00000200u
#define F_H_FILTER      0x00000800u
#define F_H_CRC32       0x00001000u

static const unsigned char lzop_magic[9] = { 0x89, 'L', 'Z', 'O', 0, '\r', '\n', 0x1a, '\n' };

/* Take n header bytes (they stay at ib+ipos .. ipos+n until the caller
 * moves on): 1 or -1 (a short header is corrupt). */
static int take(sl_input *in, size_t n, const unsigned char **p)
{
	int r = need(in, n);

	if (r < 0)
		return -1;
	if (r == 0)
		return (int)fail(in, "lzop: unexpected end of stream in the header");
	*p = in->ib + in->ipos;
	in->ipos += n;
	return 1;
}

static int lzop_header(sl_input *in)
{
	const unsigned char *p;
	unsigned version, method;
	uint32_t flags;

	if (take(in, 9, &p) < 0)
		return -1;
	if (memcmp(p, lzop_magic, 9))
		return (int)fail(in, "lzop: bad magic, not an lzop file");
	if (take(in, 4, &p) < 0)
		return -1;
	version = (unsigned)p[0] << 8 | p[1];
	if (version >= 0x0940 && take(in, 2, &p) < 0)    /* version needed */
		return -1;
	if (take(in, 1, &p) < 0)
		return -1;
	method = p[0];
	if (method < 1 || method > 3)
		return (int)fail(in, "lzop: unsupported method %u", method);
	if (version >= 0x0940 && take(in, 1, &p) < 0)    /* level */
		return -1;
	if (take(in, 4, &p) < 0)
		return -1;
	flags = be32(p);
	if (flags & F_H_FILTER && take(in, 4, &p) < 0)
		return -1;
	if (take(in, 8, &p) < 0)                          /* mode, mtime low */
		return -1;
	if (version >= 0x0940 && take(in, 4, &p) < 0)    /* mtime high */
		return -1;
	if (take(in, 1, &p) < 0)
		return -1;
	if (take(in, p[0], &p) < 0)                       /* name */
		return -1;
	if (take(in, 4, &p) < 0)                          /* header checksum */
		return -1;
	if (flags & F_H_EXTRA_FIELD) {
		uint32_t len;
		if (take(in, 4, &p) < 0)
			return -1;
		len = be32(p);
		if (len > (1u << 20))
			return (int)fail(in, "lzop: corrupt extra field");
		if (take(in, len, &p) < 0 || take(in, 4, &p) < 0)
			return -1;
	}
	in->lzop_flags = flags;
	in->lzop_hdr = 1;
	return 1;
}

static int next_lzop_block(sl_input *in)
{
	const unsigned char *p;
	uint32_t dlen, clen, dsum = 0, f;
	int r;

	if (!in->lzop_hdr) {
		r = need(in, 1);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;    /* an empty body */
		if (lzop_header(in) < 0)
			return -1;
	}
	f = in->lzop_flags;
	if (take(in, 4, &p) < 0)
		return -1;
	dlen = be32(p);
	if (dlen == 0) {
		/* end of this file; another may be concatenated */
		in->lzop_hdr = 0;
		r = need(in, 1);
		if (r <= 0)
			return r;
		return next_lzop_block(in);
	}
	if (dlen > SL_INPUT_BLOCK_MAX)
		return (int)fail(in, "lzop: block of %u bytes is larger than %u", dlen, SL_INPUT_BLOCK_MAX);
	if (take(in, 4, &p) < 0)
		return -1;
	clen = be32(p);
	if (clen > dlen)
		return (int)fail(in, "lzop: corrupt block lengths");
	if (f & (F_ADLER32_D | F_CRC32_D)) {
		if (take(in, 4, &p) < 0)
			return -1;
		dsum = be32(p);
	}
	if (f & F_ADLER32_D && f & F_CRC32_D && take(in, 4, &p) < 0)
		return -1;
	if (clen < dlen && f & (F_ADLER32_C | F_CRC32_C)) {
		if (take(in, 4, &p) < 0)
			return -1;
		if (f & F_ADLER32_C && f & F_CRC32_C && take(in, 4, &p) < 0)
			return -1;
	}
	r = need(in, clen);
	if (r < 0)
		return -1;
	if (r == 0)
		return (int)fail(in, "lzop: unexpected end of stream");
	if (ob_reserve(in, dlen) < 0)
		return -1;
	if (clen == dlen) {
		memcpy(in->ob, in->ib + in->ipos, dlen);
	} else {
		lzo_uint dl = dlen;
		int e = lzo1x_decompress_safe(in->ib + in->ipos, clen, in->ob, &dl, 0);
		if (e != LZO_E_OK || dl != dlen)
			return (int)fail(in, "lzop: corrupt data (lzo1x_decompress_safe error %d)", e);
	}
	in->ipos += clen;
	if (f & F_ADLER32_D) {
		if (lzo_adler32(1, in->ob, dlen) != dsum)
			return (int)fail(in, "lzop: checksum error (adler32)");
	} else if (f & F_CRC32_D) {
		if (lzo_crc32(0, in->ob, dlen) != dsum)
			return (int)fail(in, "lzop: checksum error (crc32)");
	}
	in->opos = 0;
	in->olen = dlen;
	return 1;
}

static ssize_t read_block(sl_input *in, void *buf, size_t n)
{
	size_t k;

	while (in->opos == in->olen) {
		int r = in->kind == K_LZOP ? next_lzop_block(in) : next_hadoop_block(in);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
	}
	k = in->olen - in->opos;
	if (k > n)
		k = n;
	memcpy(buf, in->ob + in->opos, k);
	in->opos += k;
	return (ssize_t)k;
}

ssize_t sl_input_read(sl_input *in, void *buf, size_t n)
{
	ssize_t got;

	if (in->failed) {
		errno = in->eno;
		return -1;
	}
	if (!n)
		return 0;
	switch (in->kind) {
	case K_PLAIN:
		got = src_read(in, buf, n);
		if (got < 0)
			return read_failed(in);
		in->raw += (uint64_t)got;
		return got;
	case K_GZ:
	case K_DEFLATE:
		return read_zlib(in, buf, n);
	case K_BZ2:
		return read_bz2(in, buf, n);
	case K_LZ4F:
		return read_lz4f(in, buf, n);
	default:
		return read_block(in, buf, n);
	}
}
