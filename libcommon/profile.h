/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile.h -- the `enable_profile` header. Doris writes a load's profile
 * to the BE's log; here each stage of a load with `enable_profile: true`
 * writes one line on stderr when it ends (under sl-httpd: the server's
 * log; under sl-load: the terminal):
 *   sl-map: profile: label=L table=db.t rows_in=10 rows_out=9 errors=1
 *     bytes_in=310 bytes_out=402 wall_ms=3 cpu_ms=2 max_rss_kb=2816
 * rows and bytes are what the stage's frame readers and writers moved
 * (frame.h, sl_tally); sl-parse's input is the body, not frames, so its
 * rows_in and bytes_in are 0 (the body's size is LoadBytes in the answer).
 */
#ifndef SL_PROFILE_H
#define SL_PROFILE_H

#include "hdr.h"

/* With enable_profile true (case-insensitive) in h, note the start time
 * and print the line at exit (atexit). table may be NULL. */
void sl_profile_start(const sl_hdrs *h, const char *table);
/* Write the line now, if one waits (a stage that ends without exiting:
 * a sequence of stages in one process, spawn.h). Its CPU time is the
 * process's since sl_profile_start, its max_rss_kb the process's. */
void sl_profile_end(void);

#endif
