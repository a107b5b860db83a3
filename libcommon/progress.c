/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.c -- a load's progress line (progress.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "progress.h"

/* n bytes with a decimal unit: "512 B", "1.5 kB", "452.0 MB", "1.2 GB". */
static void size_text(int64_t n, char *out, size_t cap)
{
	static const char *const unit[] = { "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = -1;

	while (v >= 1000 && u < 3) {
		v /= 1000;
		u++;
	}
	if (u < 0)
		snprintf(out, cap, "%" PRId64 " B", n);
	else
		snprintf(out, cap, "%.1f %s", v, unit[u]);
}

size_t sl_progress_format(int64_t bytes, int64_t total, int64_t rows, int64_t elapsed_us, unsigned tick,
	char *out, size_t cap)
{
	static const char spin[] = "|/-\\";
	double secs = elapsed_us > 0 ? (double)elapsed_us / 1e6 : 0;
	char b[32], t[32];
	int n;

	if (!cap)
		return 0;
	if (bytes < 0)
		bytes = 0;
	size_text(bytes, b, sizeof b);
	if (total >= 0) {
		size_text(total, t, sizeof t);
		n = snprintf(out, cap, "[%3d%%] %s of %s", (int)(total ? bytes * 100 / total : 100), b, t);
	} else {
		n = snprintf(out, cap, "[ %c ] %s", spin[tick % 4], b);
	}
	if (n >= 0 && (size_t)n < cap && rows >= 0)
		n += snprintf(out + n, cap - (size_t)n, ", %" PRId64 " rows, %.0f rows/s", rows,
			secs > 0 ? (double)rows / secs : 0.0);
	if (n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, ", %.1f MB/s", secs > 0 ? (double)bytes / 1e6 / secs : 0.0);
	if (n >= 0 && (size_t)n < cap && total >= 0) {
		if (bytes > 0 && secs > 0 && bytes <= total) {
			int64_t eta = (int64_t)((double)(total - bytes) * secs / (double)bytes + 0.5);
			n += snprintf(out + n, cap - (size_t)n, ", ETA %" PRId64 ":%02d:%02d", eta / 3600,
				(int)(eta / 60 % 60), (int)(eta % 60));
		} else {
			n += snprintf(out + n, cap - (size_t)n, ", ETA -");
		}
	}
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
