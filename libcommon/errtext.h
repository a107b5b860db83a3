/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errtext.h -- bounded texts about rejected rows. A rejected row may be as
 * long as a frame (SL_FRAME_MAX); what is said about it outside the error
 * log (FirstErrorMsg, a commit record's attachment) has a fixed bound.
 * No libjq here: the statically linked sl-txn uses it.
 */
#ifndef SL_ERRTEXT_H
#define SL_ERRTEXT_H

#include <stddef.h>
#include "io.h"

/* FirstErrorMsg of a rejected row (spec 2.4: reason + ". Src line: " +
 * source text), bounded: reason and source each keep at most
 * SL_FIRST_ERROR_PART bytes (sl_utf8_cut) followed by "..." when cut; the
 * whole row is in the error log. At most 2 * SL_FIRST_ERROR_PART + 18
 * bytes. Appends to out and NUL-terminates it. 1, -1 ENOMEM. */
#define SL_FIRST_ERROR_PART 500
int sl_first_error(sl_buf *out, const char *reason, size_t rn, const char *src, size_t sn);

#endif
