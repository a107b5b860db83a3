/* SPDX-License-Identifier: Apache-2.0 */
/*
 * blockpack -- test helper (not a unit test): compress stdin to stdout in
 * the raw formats no common CLI writes: `deflate` (a zlib stream),
 * `lz4_block` and `snappy_block` (Hadoop block framing: per block a
 * big-endian uncompressed length, then chunks of big-endian compressed
 * length + data; here 64 KiB blocks in 16 KiB chunks, so blocks have
 * several chunks). Usage: blockpack deflate|lz4_block|snappy_block < in > out
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <lz4.h>
#include <snappy-c.h>

#define BLOCK 65536
#define CHUNK 16384

static void be32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static void put32(unsigned long v)
{
	unsigned char b[4];
	be32(b, v);
	fwrite(b, 1, 4, stdout);
}

int main(int argc, char **argv)
{
	static unsigned char in[BLOCK], out[2 * BLOCK + 1024];
	size_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: blockpack deflate|lz4_block|snappy_block < in > out\n");
		return 100;
	}
	if (!strcmp(argv[1], "deflate")) {
		z_stream z;
		int flush;
		memset(&z, 0, sizeof z);
		if (deflateInit(&z, 6) != Z_OK)
			return 1;
		do {
			n = fread(in, 1, sizeof in, stdin);
			flush = n < sizeof in ? Z_FINISH : Z_NO_FLUSH;
			z.next_in = in;
			z.avail_in = (uInt)n;
			do {
				z.next_out = out;
				z.avail_out = sizeof out;
				deflate(&z, flush);
				fwrite(out, 1, sizeof out - z.avail_out, stdout);
			} while (z.avail_out == 0);
		} while (flush != Z_FINISH);
		deflateEnd(&z);
		return 0;
	}
	if (strcmp(argv[1], "lz4_block") && strcmp(argv[1], "snappy_block"))
		return 100;
	while ((n = fread(in, 1, sizeof in, stdin)) > 0) {
		size_t off;
		put32(n);
		for (off = 0; off < n; off += CHUNK) {
			size_t k = n - off < CHUNK ? n - off : CHUNK;
			unsigned long c;
			if (argv[1][2] == '4') {
				c = (unsigned long)LZ4_compress_default((const char *)in + off, (char *)out, (int)k, (int)sizeof out);
			} else {
				size_t cl = sizeof out;
				if (snappy_compress((const char *)in + off, k, (char *)out, &cl) != SNAPPY_OK)
					return 1;
				c = cl;
			}
			put32(c);
			fwrite(out, 1, c, stdout);
		}
	}
	return 0;
}
