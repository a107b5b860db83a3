/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet.h -- the parquet reader (sl_parquet_open, declared with the
 * other columnar readers in colfile.h): the footer, then one row group at
 * a time, rows as the values' Doris texts.
 */
#ifndef SL_PARQUET_H
#define SL_PARQUET_H

#include "colfile.h"

/* the footer's and a row group's bound when the load sets none */
#define SL_PARQUET_DEFAULT_MAX ((uint64_t)1 << 30)

#endif
