/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memtable.h -- a load's rows of a UNIQUE or AGGREGATE table held in a
 * bounded buffer, then sorted by key (stable: equal keys stay in arrival
 * order), folded by the model (model.h) and handed out in key order, each
 * key once: the rows of one segment.
 */
#ifndef SL_MEMTABLE_H
#define SL_MEMTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

typedef struct sl_memtable sl_memtable;

/* The default byte budget, and the smallest one taken. */
#define SL_MEMTABLE_BUDGET_DEFAULT (32u << 20)
#define SL_MEMTABLE_BUDGET_MIN     (64u << 10)

/* An empty memtable for rows of sch (kept by pointer: it must outlive
 * the memtable) using at most about budget bytes (copies of the rows,
 * their keys and the sort's index). NULL with errno ENOMEM. */
sl_memtable *sl_memtable_new(const sl_schema *sch, size_t budget);
/* Copy a row in. 1, -1 errno (EPROTO: its key fields are not of the key
 * types; ENOMEM). After it, sl_memtable_full says whether to flush. */
int sl_memtable_add(sl_memtable *mt, const char *p, size_t len);
int sl_memtable_full(const sl_memtable *mt);
uint64_t sl_memtable_rows(const sl_memtable *mt);
/* Sort, fold the rows of each key in arrival order, and pass each
 * resulting row to emit in key order, keeping delete-signed rows and,
 * when masked (the rows carry the mask column), the folded masks. Then
 * empty the memtable. 1, -1 errno (of the fold, or of emit). */
int sl_memtable_flush(sl_memtable *mt, int masked,
	int (*emit)(void *arg, const char *p, size_t len), void *arg);
void sl_memtable_free(sl_memtable *mt);

/* Partitioned tables: rows tagged with their partition (an index of the
 * caller's), sorted by (tag, key), so that one memtable serves every
 * partition and a flush hands out each partition's rows as one run, in
 * increasing tag order; keys fold only within a tag. A memtable takes
 * tagged rows or untagged ones, not both (and tagged ones never through
 * sl_memtable_push). add_part: as sl_memtable_add. flush_part: as
 * sl_memtable_flush, with each row's tag. */
int sl_memtable_add_part(sl_memtable *mt, uint32_t tag, const char *p, size_t len);
int sl_memtable_flush_part(sl_memtable *mt, int masked,
	int (*emit)(void *arg, uint32_t tag, const char *p, size_t len), void *arg);

/* Streaming. A load whose keys arrive strictly increasing (a load by
 * ascending id, the common case) needs no memtable: each row is written
 * as it comes, one behind (a row is held until the next one's key shows
 * it is its key's only row). push takes the next row: 1 taken, with *out
 * (valid until the next call) a row to write now to the streamed segment
 * or NULL; 0 taken, and the order broke here (a key not greater than the
 * one before): the streamed segment ends (the caller finishes it; the
 * held row and this one are in the memtable), and from now on every row
 * goes to the memtable (push keeps returning 1 with *out NULL); -1 errno
 * as sl_memtable_add. pending hands out the row held back, at the end of
 * a streamed segment: 1 with *out, 0 none. */
int sl_memtable_push(sl_memtable *mt, const char *p, size_t len, const char **out, size_t *outlen);
int sl_memtable_pending(sl_memtable *mt, const char **out, size_t *outlen);

#endif
