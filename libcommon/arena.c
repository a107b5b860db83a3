/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.c -- the bump allocator for per-row temporaries: blocks of 64 KiB
 * (or larger for a large request) chained, all freed at once; a reset
 * keeps the largest block so that a steady stream allocates nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "arena.h"

struct sl_arena_blk { struct sl_arena_blk *next; size_t cap, used; max_align_t data[]; };

void *sl_arena_alloc(sl_arena *a, size_t n)
{
	struct sl_arena_blk *b;
	if (!a) { errno = EINVAL; return NULL; }
	b = a->head;
	n = (n + 15) & ~(size_t)15;
	if (!n) n = 16;
	if (!b || b->cap - b->used < n) {
		size_t cap = 64 * 1024;
		while (cap < n) cap *= 2;
		b = malloc(sizeof *b + cap);
		if (!b) { errno = ENOMEM; return NULL; }
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		a->used_total += cap;
	}
	{
		void *p = (char *)b->data + b->used;
		b->used += n;
		return p;
	}
}

void sl_arena_reset(sl_arena *a)
{
	struct sl_arena_blk *b, *keep = NULL, *next;
	for (b = a->head; b; b = b->next)
		if (!keep || b->cap > keep->cap) keep = b;
	for (b = a->head; b; b = next) {
		next = b->next;
		if (b != keep) free(b);
	}
	a->head = keep;
	a->used_total = 0;
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
		a->used_total = keep->cap;
	}
}

void sl_arena_free(sl_arena *a)
{
	struct sl_arena_blk *b, *next;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used_total = 0;
}
