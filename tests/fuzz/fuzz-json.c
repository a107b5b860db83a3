/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-json.c -- libFuzzer target for the JSON path of sl-parse
 * (jsonin.h, sl_json_parse) over the body reader (input.h). Built by
 * `make fuzz` (mk/fuzz.mk) with clang -fsanitize=fuzzer,address,undefined.
 *
 * Input layout: 4 bytes of options, then the body.
 *   b0: bit 0 strip_outer_array, bit 1 read_json_by_line: true, bit 2
 *       read_json_by_line: false (neither, and no bit 0: the default, one
 *       document or one per line, decided as the body streams in), bit 3
 *       fuzzy_parse, bit 4 num_as_string,
 *       bits 5-7 jsonpaths (0 = none, else one of a fixed list)
 *   b1: bits 0-1 json_root (0 = none), bits 2-4 jq program (0 = none,
 *       else one of a fixed list, one of which does not compile), bits 5-6
 *       line_delimiter (0 = default)
 *   b2: compress_type: < 12 plain, else gz, deflate, bz2, lz4frame,
 *       lz4_block, lzo, lzop (so corrupt compressed bodies are fuzzed too)
 *   b3: number of source columns, 1 + b3 % 6, from a fixed list of names;
 *       bit 7: parse the body a second time with worker threads
 *       (SL_JSON_THREADS=2, SL_JSON_BATCH 1 + 64 * (b3 >> 3 & 15)): the
 *       row stream must be the serial one, frame for frame (C frames,
 *       which carry times, aside); both the by-line records and the
 *       elements of a stripped outer array (b0 bit 0 without by line)
 *       go through the worker pool
 * The body goes through a memfd and sl_input_open; the output row stream
 * goes to a second memfd and is read back with sl_reader: it must be a
 * well-formed stream (H with exactly the source columns, every R with that
 * many fields, up to an E or an X: readers stop at X).
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frame.h"
#include "hdr.h"
#include "input.h"
#include "jsonin.h"
#include "sl.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-json: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static const char *const names[] = { "id", "name", "age", "a", "b", "k" };
static const char *const jsonpaths[] = {
	NULL, "[\"$.id\",\"$.name\",\"$.age\"]", "[\"$.a.b\",\"$.k[0]\"]", "[\"$\"]",
	"[\"$.id\"", "[\"id\",\"$..x\"]", "[]", "[\"$.a[*]\",\"$['k']\"]",
};
static const char *const roots[] = { NULL, "$.data", "$.a.b", "$.k[1]" };
static const char *const jqs[] = {
	NULL, ".", "select(.age > 30) | {user_id: .id, name, age}", ".[]?",
	"empty", "(.a, .b)", "{id: (", ".x | error(\"boom\")",
};
static const char *const delims[] = { NULL, "\\n", "\\x01", "||" };
static const char *const compress[] = { "gz", "deflate", "bz2", "lz4frame", "lz4_block", "lzo", "lzop" };

static int infd = -1, outfd = -1, outfd2 = -1;

static void check_output(size_t nsrc)
{
	sl_reader r;
	sl_frame f;
	sl_field fields[8];
	sl_colspec cols[8];
	int rc = 0, seen_x = 0, seen_h = 0;

	CHECK(lseek(outfd, 0, SEEK_SET) == 0);
	CHECK(sl_reader_init(&r, outfd) == 1);
	while (!seen_x && (rc = sl_frame_read(&r, &f)) == 1) {
		switch (f.type) {
		case 'H': {
			long n = sl_header_parse(&f, cols, SL_ARRAY_LEN(cols));
			CHECK(!seen_h);
			CHECK(!(f.flags & SL_H_VARIADIC));
			CHECK(n == (long)nsrc);
			seen_h = 1;
			break;
		}
		case 'R':
			CHECK(seen_h);
			CHECK(sl_fields_parse(f.p, f.len, fields, SL_ARRAY_LEN(fields)) == (long)nsrc);
			break;
		case 'F':
			CHECK(sl_fields_parse(f.p, f.len, fields, SL_ARRAY_LEN(fields)) == 3);
			break;
		case 'C':
			CHECK(sl_fields_parse(f.p, f.len, fields, SL_ARRAY_LEN(fields)) >= 0);
			break;
		case 'X':
			/* readers stop at X (they forward it and exit): what
			 * follows it does not matter */
			seen_x = 1;
			break;
		case 'E':
			break;
		default:
			CHECK(!"unexpected frame type");
		}
	}
	if (rc < 0)
		fprintf(stderr, "fuzz-json: bad output stream: %s\n", sl_reader_errstr(&r, errno));
	CHECK(rc >= 0);
	sl_reader_free(&r);
}

/* The frames of two outputs, C frames aside, are the same. */
static void check_same(int a, int b)
{
	sl_reader ra, rb;
	sl_frame fa, fb;
	int ea, eb;

	CHECK(lseek(a, 0, SEEK_SET) == 0 && lseek(b, 0, SEEK_SET) == 0);
	CHECK(sl_reader_init(&ra, a) == 1 && sl_reader_init(&rb, b) == 1);
	for (;;) {
		while ((ea = sl_frame_read(&ra, &fa)) == 1 && fa.type == 'C')
			;
		while ((eb = sl_frame_read(&rb, &fb)) == 1 && fb.type == 'C')
			;
		CHECK(ea == eb);
		if (ea != 1)
			break;
		CHECK(fa.type == fb.type && fa.flags == fb.flags && fa.len == fb.len);
		CHECK(!memcmp(fa.p, fb.p, fa.len));
		if (fa.type == 'X')
			break;
	}
	sl_reader_free(&ra);
	sl_reader_free(&rb);
}

/* sl_json_parse of the body in infd into fd. */
static void run(const sl_hdrs *h, const char *ct, size_t nsrc, int fd)
{
	sl_input *in;
	sl_writer w;
	const char *err = NULL;
	int rc;

	CHECK(lseek(infd, 0, SEEK_SET) == 0 && ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	in = sl_input_open(infd, ct, &err);
	CHECK(in);
	CHECK(sl_writer_init(&w, fd) == 1);
	rc = sl_json_parse(h, names, nsrc, in, &w);
	CHECK(rc >= -1 && rc <= 1);
	sl_writer_flush(&w);
	CHECK(!w.err);
	sl_writer_free(&w);
	sl_input_close(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_hdrs h = SL_HDRS_ZERO;
	const char *ct = NULL;
	size_t nsrc;

	if (size < 4)
		return 0;
	if (data[0] & 1)
		CHECK(sl_hdrs_set(&h, "strip_outer_array", "true") == 1);
	if (data[0] & 2)
		CHECK(sl_hdrs_set(&h, "read_json_by_line", "true") == 1);
	else if (data[0] & 4)
		CHECK(sl_hdrs_set(&h, "read_json_by_line", "false") == 1);
	if (data[0] & 8)
		CHECK(sl_hdrs_set(&h, "fuzzy_parse", "true") == 1);
	if (data[0] & 16)
		CHECK(sl_hdrs_set(&h, "num_as_string", "true") == 1);
	if (jsonpaths[data[0] >> 5])
		CHECK(sl_hdrs_set(&h, "jsonpaths", jsonpaths[data[0] >> 5]) == 1);
	if (roots[data[1] & 3])
		CHECK(sl_hdrs_set(&h, "json_root", roots[data[1] & 3]) == 1);
	if (jqs[data[1] >> 2 & 7])
		CHECK(sl_hdrs_set(&h, "jq", jqs[data[1] >> 2 & 7]) == 1);
	if (delims[data[1] >> 5 & 3])
		CHECK(sl_hdrs_set(&h, "line_delimiter", delims[data[1] >> 5 & 3]) == 1);
	CHECK(sl_hdrs_set(&h, "format", "json") == 1);
	if (data[2] >= 12)
		ct = compress[data[2] % SL_ARRAY_LEN(compress)];
	if (ct)
		CHECK(sl_hdrs_set(&h, "compress_type", ct) == 1);
	nsrc = 1 + data[3] % SL_ARRAY_LEN(names);

	if (infd < 0) {
		infd = memfd_create("fuzz-json-in", 0);
		outfd = memfd_create("fuzz-json-out", 0);
		outfd2 = memfd_create("fuzz-json-out2", 0);
		CHECK(infd >= 0 && outfd >= 0 && outfd2 >= 0);
	}
	CHECK(ftruncate(infd, 0) == 0);
	CHECK(pwrite(infd, data + 4, size - 4, 0) == (ssize_t)(size - 4));

	CHECK(setenv("SL_JSON_THREADS", "1", 1) == 0);
	run(&h, ct, nsrc, outfd);
	if (data[3] & 0x80) {
		char b[16];
		snprintf(b, sizeof b, "%d", 1 + 64 * (data[3] >> 3 & 15));
		CHECK(setenv("SL_JSON_THREADS", "2", 1) == 0 && setenv("SL_JSON_BATCH", b, 1) == 0);
		run(&h, ct, nsrc, outfd2);
		check_same(outfd, outfd2);
	}
	sl_hdrs_free(&h);
	check_output(nsrc);
	return 0;
}
