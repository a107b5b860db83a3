/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-arrow.c -- libFuzzer target for the Arrow IPC stream reader
 * (arrow.c, flatbuf.c, arrowval.c) through colfile.h. Built by `make fuzz`
 * (mk/fuzz.mk) with clang -fsanitize=fuzzer,address,undefined.
 *
 * The input is the stream itself, read through a memfd and sl_input_open
 * (plain). Every row must have the schema's column count of fields, each
 * either NULL or bytes; the reader ends with 0 or -1 and a reason.
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "colfile.h"
#include "input.h"
#include "io.h"
#include "sl.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-arrow: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_colopts o = { "UTC", (uint64_t)1 << 24 };
	int fd = memfd_create("fuzz-arrow", 0);
	sl_colsrc src = { -1, 0, 0 };
	const char *ierr = 0;
	sl_colreader *r;
	sl_field *vals;
	char err[512];
	int k;

	CHECK(fd >= 0);
	CHECK(sl_allwrite(fd, data, size) == size);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	src.in = sl_input_open(fd, 0, &ierr);
	CHECK(src.in);
	r = sl_colfile_open("arrow", &src, &o, err, sizeof err);
	if (!r) {
		CHECK(err[0]);
	} else {
		vals = calloc(r->ncols + 1, sizeof *vals);
		CHECK(vals);
		while ((k = sl_colfile_next(r, vals)) > 0) {
			size_t i;
			for (i = 0; i < r->ncols; i++)
				CHECK(vals[i].n == SL_NULL_LEN || (vals[i].p && vals[i].n < SL_ABSENT_LEN));
		}
		CHECK(k == 0 || r->err[0]);
		free(vals);
		sl_colfile_free(r);
	}
	sl_input_close(src.in);
	close(fd);
	return 0;
}
