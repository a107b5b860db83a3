/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonpar.h -- libjq's parse of JSON records on worker threads, handed
 * back in input order: the cost of a JSON load by line (one jv parse per
 * record) spread over the CPUs, the output the same as a serial parse.
 * Threads: env SL_JSON_THREADS, default the online CPUs, at most 4 (1 or
 * less: none); SL_JSON_BATCH bytes per hand-off, default 1 MiB.
 */
#ifndef SL_JSONPAR_H
#define SL_JSONPAR_H

#include <stddef.h>
#include <stdint.h>

/* What a record is: a line, the head of a record over the size cap (not
 * parsed), an element of a stripped outer array. */
enum { SL_JSONPAR_LINE, SL_JSONPAR_BIG, SL_JSONPAR_ELEM };

/* A record handed back: its text p[0..n), type, the number it was added
 * with; parsed, kind is its jv_kind, or -1 with msg jv's message; BIG:
 * biglen, the record's whole length. */
typedef struct sl_jsonpar_rec {
	const char *p;
	size_t n;
	int type, kind;
	const char *msg;
	uint64_t recno;
	size_t biglen;
} sl_jsonpar_rec;

/* Called on the adding thread, in input order; 0 goes on, -1 stops (the
 * rest of the batch is dropped and the call that emitted fails). */
typedef int (*sl_jsonpar_fn)(void *arg, const sl_jsonpar_rec *r);

typedef struct sl_jsonpar sl_jsonpar;

/* NULL: no threads (one CPU, SL_JSON_THREADS <= 1, no memory, or none
 * could be started): parse serially. */
sl_jsonpar *sl_jsonpar_new(sl_jsonpar_fn emit, void *arg);
/* Records longer than this are better parsed by the caller, in order,
 * after sl_jsonpar_drain. */
size_t sl_jsonpar_batch_bytes(const sl_jsonpar *pl);
/* Add a record: p[0..n) its text, full bytes of p copied (a NUL after
 * them: jv's messages print the text up to there). May emit older
 * records. 1, or -1 (no memory, or the emitter or workers failed). */
int sl_jsonpar_add(sl_jsonpar *pl, const char *p, size_t n, size_t full, int type, size_t biglen,
	uint64_t recno);
/* Emit every record added so far. 1 or -1 as sl_jsonpar_add. */
int sl_jsonpar_drain(sl_jsonpar *pl);
void sl_jsonpar_free(sl_jsonpar *pl);

#endif
