/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.h -- the body of a load as sl-parse reads it: plain, or
 * decompressed on the fly by `compress_type` (gz and deflate with zlib, bz2
 * with libbz2, lz4/lz4frame and lz4_block with liblz4, snappy_block with
 * libsnappy, lzo and lzop, both the lzop file format, with liblzo2).
 * Streaming, bounded memory. LoadBytes is the compressed size
 * (sl_input_raw_bytes).
 */
#ifndef SL_INPUT_H
#define SL_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "io.h"

typedef struct sl_input sl_input;

/* compress_type NULL or "" = plain (case-insensitive names as Doris). NULL
 * on an unknown type (errno EINVAL; *err: "unknown compress type <v>") or
 * ENOMEM. */
sl_input *sl_input_open(int fd, const char *compress_type, const char **err);
/* The same over the bytes p[0..n) instead of an fd (not copied: they must
 * outlive the reader): their end is the end of the input, so a stream cut
 * there fails as a truncated body would. Used to look at the start of a
 * compressed body before it is all received (sl-httpd's http_stream). */
sl_input *sl_input_open_mem(const void *p, size_t n, const char *compress_type, const char **err);
/* The decompressed start of a body of which only the raw bytes p[0..n)
 * have come so far (whole: they are all of it), read through
 * compress_type into out (appended), at most max bytes of it. *end is set
 * when out holds all the data there is to see: the body's end, a failure
 * of a whole body (corrupt data is the reader's to report later), or max
 * bytes (the last read may pass max by less than 64 KiB); else a stream cut at n needs more bytes. 1; -1 with errno
 * (ENOMEM; EINVAL for an unknown compress_type, *err as sl_input_open). */
int sl_input_peek(const void *p, size_t n, int whole, const char *compress_type, size_t max,
	sl_buf *out, int *end, const char **err);
/* Up to n decompressed bytes: > 0, 0 at the end, -1 on failure (a read
 * error, or corrupt/truncated compressed data: sl_input_error gives the
 * library's reason, e.g. "gz: unexpected end of stream"). */
ssize_t sl_input_read(sl_input *in, void *buf, size_t n);
const char *sl_input_error(const sl_input *in);
/* Bytes read from the fd so far (compressed). */
uint64_t sl_input_raw_bytes(const sl_input *in);
/* The body is exactly n raw bytes of the fd (a connection whose
 * Content-Length is n, handed over by sl-httpd): reading stops there, the
 * fd may hold more (the next request), and an end, an error or a receive
 * timeout before n bytes fails the read as a short body. */
void sl_input_set_length(sl_input *in, uint64_t n);
/* 1 if the read failed because the body was shorter than its length:
 * sl_input_error is then Doris's "receive body don't equal with body
 * bytes" (a [NETWORK_ERROR]). */
int sl_input_short(const sl_input *in);
void sl_input_close(sl_input *in);

#endif
