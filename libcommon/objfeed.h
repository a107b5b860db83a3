/* SPDX-License-Identifier: Apache-2.0 */
/*
 * objfeed.h -- the objects of a table-valued source (objsrc.h) as one
 * load's body: streamed one after another into the pipe load.h's feed
 * writes, a line delimiter between two when the first does not end with
 * one, the header lines (skip_lines, csv_with_names[_and_types]) of every
 * object after the first dropped, compressed objects passed on byte for
 * byte (compress_type given, else by the first key's suffix, as Doris
 * infers it). Also the field count of the first line (a CSV's c1..cN).
 */
#ifndef SL_OBJFEED_H
#define SL_OBJFEED_H

#include <stddef.h>
#include "hdr.h"
#include "objsrc.h"

typedef struct sl_objfeed {
	sl_objsrc *src;
	sl_objsrc *src2;                         /* copies the next object meanwhile; may be NULL */
	const char *const *keys; size_t nkeys;  /* the objects, in order */
	sl_objbatch all;                         /* the listed ones when not given */
	int own_keys;                            /* keys is ours (the listed ones) */
	size_t skip;                             /* lines dropped from objects after the first */
	char delims[16];                         /* the line delimiter */
	const char *sep;                         /* the column separator */
	const char *compress;                    /* compress_type: given or inferred; NULL: none */
	int compressed;                          /* not plain */
	char msg[1024];                          /* the Fail message ("[CODE]...") */
} sl_objfeed;

/* The source tvf ("s3", "local") with its properties; the objects keys
 * (a job's batch) or, keys NULL, every match of the uri. props must live
 * as long as f. 1; 0 refused or the source failed (f->msg); -1 errno.
 * Close with sl_objfeed_close (also after 0 and -1). */
int sl_objfeed_open(sl_objfeed *f, const char *tvf, const sl_hdrs *props, const char *const *keys,
	size_t nkeys);
/* The number of fields (by the column separator) of the first line of the
 * first object: 1 (*n; 1 when there is no object); 0 f->msg; -1 errno. */
int sl_objfeed_fields(sl_objfeed *f, size_t *n);
/* load.h's feed (ctx: the sl_objfeed): NULL when done or the load stopped
 * reading, else the Fail message. */
const char *sl_objfeed_feed(void *ctx, int wfd);
void sl_objfeed_close(sl_objfeed *f);

#endif
