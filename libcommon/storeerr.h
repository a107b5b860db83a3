/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storeerr.h -- the detail of the last corruption (EPROTO) the store met
 * in this thread: which file, which offset, what is wrong. The modules of
 * the store record it where they find the damage; store.h's
 * sl_store_strerror gives it to the commands.
 */
#ifndef SL_STOREERR_H
#define SL_STOREERR_H

/* Record what is corrupt (printf-style); errno EPROTO. Always -1. */
__attribute__((format(printf, 1, 2))) int sl_storeerr_set(const char *fmt, ...);
/* Record why an operation failed with errno e (ESTALE: a partition
 * dropped during a load, ...); errno set to e. Always -1. */
int sl_storeerr_seterr(int e, const char *msg);
/* The detail recorded for errno e, NULL none. */
const char *sl_storeerr_for(int e);
/* Forget the detail (before an operation that may record one). */
void sl_storeerr_clear(void);
/* The detail recorded since the last clear, "" if none. */
const char *sl_storeerr_msg(void);

#endif
