/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.h -- a load's progress as one line for a terminal: bytes read
 * of the total (with the percentage and ETA) when the size is known, a
 * spinner when not, rows, rows/s and MB/s. Formatting only: the caller
 * draws it (sl-load, at most 10 times a second).
 */
#ifndef SL_PROGRESS_H
#define SL_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* The line for bytes (and rows, -1: not counted) after elapsed_us, of a
 * body of total bytes (-1: unknown); tick turns the spinner. Plain text,
 * no control bytes; into out (cap bytes). Returns its length. */
size_t sl_progress_format(int64_t bytes, int64_t total, int64_t rows, int64_t elapsed_us, unsigned tick,
	char *out, size_t cap);

#endif
