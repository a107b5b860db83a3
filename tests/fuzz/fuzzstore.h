/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzzstore.h -- the temporary store of the fuzz targets over SQL
 * (fuzz-sql, fuzz-insert): made once under /tmp by the target's
 * LLVMFuzzerInitialize, its statements run, removed at exit.
 */
#ifndef FUZZSTORE_H
#define FUZZSTORE_H

#include <stddef.h>
#include "store.h"

/* Open a new store in /tmp/<name>-XXXXXX and run the n statements of ddl
 * in it (each must succeed); abort() on any failure. */
void fuzz_store_open(sl_store *st, const char *name, const char *const *ddl, size_t n);

#endif
