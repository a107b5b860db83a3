/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-parquet.c -- libFuzzer target for the parquet reader (parquet.h and
 * the modules under it: the Thrift compact protocol, the footer, pages,
 * codecs, encodings, nested levels). Built by `make fuzz` (mk/fuzz.mk)
 * with clang -fsanitize=fuzzer,address,undefined.
 *
 * Input: a whole file. It goes to a memfd, is opened as parquet with a
 * small row-group bound (1 MiB, so that lying sizes are refused rather
 * than allocated) and read to its end or its first error. Every value
 * handed out must be NULL or lie within the bytes the reader owns: each
 * byte is read (ASan reports a bad pointer), and a row's field count is
 * the reader's column count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "parquet.h"
#include "sl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-parquet", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	sl_colsrc src = { fd, size, NULL };
	sl_colopts o = { "UTC", 1 << 20 };
	char err[512];
	sl_colreader *r = sl_parquet_open(&src, &o, err, sizeof err);
	if (!r) {
		if (!err[0])
			abort();   /* a refusal always says why */
		close(fd);
		return 0;
	}
	sl_field *vals = calloc(r->ncols + 1, sizeof *vals);
	volatile uint8_t sink = 0;
	int rc;
	for (int rows = 0; vals && rows < 100000 && (rc = r->ops->next(r, vals)) == 1; rows++)
		for (size_t k = 0; k < r->ncols; k++)
			if (vals[k].n != SL_NULL_LEN)
				for (uint32_t i = 0; i < vals[k].n; i++)
					sink ^= (uint8_t)vals[k].p[i];
	(void)sink;
	free(vals);
	r->ops->free(r);
	close(fd);
	return 0;
}
