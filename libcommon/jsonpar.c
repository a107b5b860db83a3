/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonpar.c -- libjq's parse of JSON records on worker threads
 * (jsonpar.h).
 *
 * The reading thread cuts records into batches (SL_JSON_BATCH bytes,
 * default 1 MiB) in a ring; workers parse whole batches; the reading
 * thread emits each batch, in input order, once it is parsed. A worker
 * keeps one jv_parser for all its records (jv_parser_set_buf per record);
 * any record that is not one object, array or string followed by white
 * space is parsed again by jv_parse_sized, whose result (and error
 * message) is then the answer, exactly as without threads.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "io.h"
#include "jsonpath.h"
#include "jsonpar.h"

enum { B_FREE, B_QUEUED, B_DONE };

typedef struct prec {
	size_t off, n;          /* the record in data (data[off + full] is NUL) */
	size_t full;            /* the line as read (a stripped \r included) */
	size_t biglen;          /* SL_JSONPAR_BIG: the whole line's length */
	uint64_t recno;
	int type;
	int kind;               /* parsed: a jv_kind, or -1 (message at msgoff) */
	size_t msgoff;
} prec;

typedef struct batch {
	sl_buf data, msg;
	prec *r;
	size_t n, cap;
	int state;
} batch;

struct sl_jsonpar {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t *th;
	int nth, started, quit;
	batch *b;
	size_t nb;              /* ring of batches */
	uint64_t head;          /* oldest batch not yet emitted */
	uint64_t fill;          /* batch being filled */
	uint64_t take;          /* next batch for a worker */
	size_t batch_bytes;
	int oom;
	sl_jsonpar_fn emit;     /* records in input order, parsed */
	void *arg;
};
typedef struct sl_jsonpar pool;

static int is_ws_only(const char *p, const char *e)
{
	return sl_jsonpath_ws(p, e) == e;
}

/* jv's parse of one record: its kind, or -1 with the message put in msg.
 * *pp: the worker's parser (one object, array or string followed by white
 * space); anything else is decided by jv_parse_sized, as the serial path
 * does. s[full] is a NUL (jv_parse_sized's message prints the text). */
static int jv_check(jv_parser **pp, uint64_t *fed, const char *s, size_t n, sl_buf *msg, int *oom)
{
	jv val;
	int kind;

	if (n && n <= INT_MAX && (unsigned char)s[0] != 0xEF) {
		if (*pp && *fed > ((uint64_t)1 << 30)) {
			/* the parser counts columns in an int */
			jv_parser_free(*pp);
			*pp = NULL;
		}
		if (!*pp) {
			*pp = jv_parser_new(0);
			*fed = 0;
		}
		*fed += n;
		jv_parser_set_buf(*pp, s, (int)n, 1);
		val = jv_parser_next(*pp);
		if (jv_is_valid(val)) {
			int rem = jv_parser_remaining(*pp);
			kind = jv_get_kind(val);
			jv_free(val);
			/* only a value that ends at its own last byte: a number or
			 * literal is cut by the byte after it, which the parser has
			 * then consumed too (a NUL reads as the number 0, ended by a
			 * quote that opens a string jv_parse_sized finds unfinished) */
			if ((kind == JV_KIND_OBJECT || kind == JV_KIND_ARRAY || kind == JV_KIND_STRING) &&
			    rem >= 0 && (size_t)rem <= n && is_ws_only(s + n - rem, s + n)) {
				if (rem)
					jv_free(jv_parser_next(*pp));   /* consume the blanks */
				if (jv_parser_remaining(*pp) == 0)
					return kind;
			}
		} else
			jv_free(val);
		/* not the common case: a fresh parser next time, jv_parse_sized now */
		jv_parser_free(*pp);
		*pp = NULL;
	}
	val = jv_parse_sized(s, (int)n);
	if (!jv_is_valid(val)) {
		jv m = jv_invalid_get_msg(val);
		if (sl_buf_puts(msg, jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "invalid JSON") < 0 ||
		    sl_buf_putc(msg, 0) < 0)
			*oom = 1;
		jv_free(m);
		return -1;
	}
	kind = jv_get_kind(val);
	jv_free(val);
	return kind;
}

static void *pool_worker(void *arg)
{
	pool *pl = arg;
	jv_parser *jp = NULL;
	uint64_t fed = 0;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		batch *b;
		size_t i;
		int oom = 0;

		while (!pl->quit && pl->take == pl->fill)
			pthread_cond_wait(&pl->work, &pl->mu);
		if (pl->quit)
			break;
		b = &pl->b[pl->take++ % pl->nb];
		pthread_mutex_unlock(&pl->mu);
		for (i = 0; i < b->n; i++) {
			prec *r = &b->r[i];
			if (r->type != SL_JSONPAR_LINE && r->type != SL_JSONPAR_ELEM)
				continue;
			r->msgoff = b->msg.len;
			r->kind = jv_check(&jp, &fed, b->data.p + r->off, r->n, &b->msg, &oom);
		}
		pthread_mutex_lock(&pl->mu);
		if (oom)
			pl->oom = 1;
		b->state = B_DONE;
		pthread_cond_broadcast(&pl->done);
	}
	pthread_mutex_unlock(&pl->mu);
	if (jp)
		jv_parser_free(jp);
	return NULL;
}

static size_t env_size(const char *name, size_t dflt, size_t max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (v && *v) {
		n = strtoull(v, &end, 10);
		if (!*end)
			return n > max ? max : (size_t)n;
	}
	return dflt;
}

size_t sl_jsonpar_batch_bytes(const sl_jsonpar *pl)
{
	return pl->batch_bytes;
}

sl_jsonpar *sl_jsonpar_new(sl_jsonpar_fn emit, void *arg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nth = env_size("SL_JSON_THREADS", ncpu > 4 ? 4 : ncpu < 1 ? 1 : (size_t)ncpu, 16);
	pool *pl;
	int i;

	if (nth < 2)
		return NULL;
	pl = calloc(1, sizeof *pl);
	if (!pl)
		return NULL;
	pl->nth = (int)nth;
	pl->emit = emit;
	pl->arg = arg;
	pl->nb = nth * 2 + 2;
	pl->batch_bytes = env_size("SL_JSON_BATCH", (size_t)1 << 20, (size_t)64 << 20);
	if (!pl->batch_bytes)
		pl->batch_bytes = 1;
	pl->b = calloc(pl->nb, sizeof *pl->b);
	pl->th = calloc(nth, sizeof *pl->th);
	if (!pl->b || !pl->th) {
		free(pl->b);
		free(pl->th);
		free(pl);
		return NULL;
	}
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->work, NULL);
	pthread_cond_init(&pl->done, NULL);
	for (i = 0; i < pl->nth; i++) {
		if (pthread_create(&pl->th[i], NULL, pool_worker, pl) != 0)
			break;
		pl->started++;
	}
	if (!pl->started) {     /* no thread at all: the serial path */
		sl_jsonpar_free(pl);
		return NULL;
	}
	return pl;
}

void sl_jsonpar_free(sl_jsonpar *pl)
{
	size_t i;
	int t;

	if (!pl)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->quit = 1;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	for (t = 0; t < pl->started; t++)
		pthread_join(pl->th[t], NULL);
	for (i = 0; i < pl->nb; i++) {
		sl_buf_free(&pl->b[i].data);
		sl_buf_free(&pl->b[i].msg);
		free(pl->b[i].r);
	}
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->done);
	free(pl->b);
	free(pl->th);
	free(pl);
}

/* Emit the oldest queued batch once parsed, in input order: 1, or -1
 * when the workers ran out of memory or the emitter stopped. */
static int emit_oldest(pool *pl)
{
	batch *b = &pl->b[pl->head % pl->nb];
	int stop;
	size_t i;

	pthread_mutex_lock(&pl->mu);
	while (b->state != B_DONE)
		pthread_cond_wait(&pl->done, &pl->mu);
	stop = pl->oom;
	pthread_mutex_unlock(&pl->mu);
	for (i = 0; i < b->n && !stop; i++) {
		const prec *r = &b->r[i];
		sl_jsonpar_rec o;
		o.p = b->data.p + r->off;
		o.n = r->n;
		o.type = r->type;
		o.kind = r->type == SL_JSONPAR_BIG ? 0 : r->kind;
		o.msg = r->kind < 0 ? b->msg.p + r->msgoff : NULL;
		o.recno = r->recno;
		o.biglen = r->biglen;
		stop = pl->emit(pl->arg, &o) < 0;
	}
	b->n = 0;
	b->data.len = 0;
	b->msg.len = 0;
	b->state = B_FREE;
	pl->head++;
	return stop ? -1 : 1;
}

/* Queue the batch being filled (if it holds records). */
static int submit(pool *pl)
{
	batch *b = &pl->b[pl->fill % pl->nb];

	if (!b->n)
		return 1;
	pthread_mutex_lock(&pl->mu);
	b->state = B_QUEUED;
	pl->fill++;
	pthread_cond_signal(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	if (pl->fill - pl->head == pl->nb)
		return emit_oldest(pl);
	return 1;
}

int sl_jsonpar_drain(sl_jsonpar *pl)
{
	int r = submit(pl);

	while (pl->head < pl->fill)
		if (emit_oldest(pl) < 0)
			r = -1;
	return r;
}

int sl_jsonpar_add(sl_jsonpar *pl, const char *p, size_t n, size_t full, int type, size_t biglen,
	uint64_t recno)
{
	batch *b = &pl->b[pl->fill % pl->nb];
	prec *r;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		prec *nr = realloc(b->r, cap * sizeof *nr);
		if (!nr)
			return -1;
		b->r = nr;
		b->cap = cap;
	}
	r = &b->r[b->n];
	r->off = b->data.len;
	r->n = n;
	r->full = full;
	r->type = type;
	r->biglen = biglen;
	r->recno = recno;
	r->kind = 0;
	r->msgoff = 0;
	if (sl_buf_put(&b->data, p, full) < 0 || sl_buf_putc(&b->data, 0) < 0)
		return -1;
	b->n++;
	if (b->data.len >= pl->batch_bytes)
		return submit(pl);
	return 1;
}
