/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-orc.c -- libFuzzer target for the ORC reader (sl_orc_open,
 * colfile.h; libcommon/orc.c, orcrle.c, orczip.c): a file no one trusts.
 * Built by `make fuzz` (mk/fuzz.mk) with clang
 * -fsanitize=fuzzer,address,undefined.
 *
 * The input is the file, put in a memfd and opened with a max_batch of
 * 1 MiB; every row is read until the end or a failure. An open that fails
 * must say why; a row's fields are NULL or bytes inside the row; a
 * failure after rows must say why too. A failed check calls abort(),
 * which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "colfile.h"
#include "sl.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-orc: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-orc", 0);
	CHECK(fd >= 0);
	CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	sl_colsrc src = { fd, size, NULL };
	sl_colopts o = { "UTC", 1 << 20 };
	char err[512] = "";
	sl_colreader *r = sl_orc_open(&src, &o, err, sizeof err);
	if (!r) {
		CHECK(err[0] != 0);
		close(fd);
		return 0;
	}
	sl_field *v = calloc(r->ncols + 1, sizeof *v);
	CHECK(v != NULL);
	for (size_t i = 0; i < r->ncols; i++)
		CHECK(r->cols[i].name && r->cols[i].type);
	int rc;
	size_t rows = 0;
	while ((rc = r->ops->next(r, v)) == 1 && rows++ < 100000)
		for (size_t i = 0; i < r->ncols; i++)
			CHECK(v[i].n == SL_NULL_LEN || v[i].n == 0 || v[i].p != NULL);
	CHECK(rc != -1 || r->err[0] != 0);
	free(v);
	r->ops->free(r);
	close(fd);
	return 0;
}
