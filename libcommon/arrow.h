/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrow.h -- the Arrow IPC stream reader (format: arrow): the schema
 * message, then dictionary and record batches, bodies plain or
 * compressed (LZ4_FRAME, ZSTD), read as they stream in, one batch in
 * memory at a time. Its open function, sl_arrow_open, is colfile.h's;
 * the value texts are arrowval.h's.
 */
#ifndef SL_ARROW_H
#define SL_ARROW_H

#include "colfile.h"

#endif
