/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.h -- a bump allocator for per-row temporaries (the expression
 * evaluator's strings): allocations live until sl_arena_reset.
 */
#ifndef SL_ARENA_H
#define SL_ARENA_H

#include <stddef.h>

typedef struct sl_arena { struct sl_arena_blk *head; size_t used_total; } sl_arena;
#define SL_ARENA_ZERO { 0, 0 }
void *sl_arena_alloc(sl_arena *a, size_t n);     /* NULL on ENOMEM */
void sl_arena_reset(sl_arena *a);                /* keeps the first block */
void sl_arena_free(sl_arena *a);

#endif
