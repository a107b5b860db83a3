/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partroute.c -- a load's rows routed to a table's partitions, and the
 * __SL_PARTITION__ field that carries the answer (partroute.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "schema.h"
#include "partition.h"
#include "partroute.h"

#define NO_PARTITION "no partition for this tuple. tuple="
#define MAX_CREATED 65535u

struct sl_partroute {
	const sl_schema *sch;
	sl_partset *ps;
	size_t ninit;           /* the live partitions; those after are created */
	int temp;               /* `temporary_partitions`: rows go to temporary ones */
	int restricted;         /* a header names the partitions rows may go to */
	unsigned char *allowed; /* restricted: per live partition */
	unsigned char *sent;    /* per created partition: its name went out */
	size_t sentcap;
	sl_buf field;
};

/* Mark the partitions of the comma-separated list (trimmed names, any
 * case) allowed. 1; 0 with err naming the first unknown one. */
static int allow_list(sl_partroute *r, const char *list, char *err, size_t errcap)
{
	const char *p = list;

	for (;;) {
		const char *e = strchr(p, ','), *end = e ? e : p + strlen(p);
		long i;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((i = sl_partset_find(r->ps, p, (size_t)(end - p), r->temp)) < 0) {
			snprintf(err, errcap, "partition %.*s is not found in table %s", (int)(end - p), p, r->sch->name);
			return 0;
		}
		r->allowed[i] = 1;
		if (!e)
			return 1;
		p = e + 1;
	}
}

int sl_partroute_new(const sl_schema *sch, const sl_partinfo *parts, size_t n,
	const char *plist, const char *tlist, sl_partroute **out, char *err, size_t errcap)
{
	sl_partroute *r = calloc(1, sizeof *r);
	const char *list = tlist ? tlist : plist;

	*out = NULL;
	if (!r)
		return -1;
	r->sch = sch;
	r->temp = tlist != NULL;
	if (!(r->ps = sl_partset_new(sch, parts, n, err, errcap))) {
		int e = errno;
		free(r);
		errno = e;
		return e == ENOMEM ? -1 : 0;
	}
	r->ninit = sl_partset_n(r->ps);
	if (list) {
		r->restricted = 1;
		if (!(r->allowed = calloc(r->ninit + 1, 1))) {
			sl_partroute_free(r);
			errno = ENOMEM;
			return -1;
		}
		if (!allow_list(r, list, err, errcap)) {
			sl_partroute_free(r);
			return 0;
		}
	}
	*out = r;
	return 1;
}

void sl_partroute_free(sl_partroute *r)
{
	if (!r)
		return;
	sl_partset_free(r->ps);
	free(r->allowed);
	free(r->sent);
	sl_buf_free(&r->field);
	free(r);
}

size_t sl_partroute_created(const sl_partroute *r)
{
	return sl_partset_n(r->ps) - r->ninit;
}

const char *sl_partroute_error(const sl_partroute *r)
{
	return sl_partset_error(r->ps);
}

/* The field of created partition i: "+k", the first time with its name
 * and values. */
static int created_field(sl_partroute *r, size_t i)
{
	size_t k = i - r->ninit;
	const sl_partinfo *pi = sl_partset_get(r->ps, i);
	char num[24];

	if (k >= MAX_CREATED) {
		errno = EFBIG;
		return -1;
	}
	if (k >= r->sentcap) {
		size_t cap = r->sentcap ? r->sentcap * 2 : 16;
		unsigned char *ns;
		while (cap <= k)
			cap *= 2;
		if (!(ns = realloc(r->sent, cap)))
			return -1;
		memset(ns + r->sentcap, 0, cap - r->sentcap);
		r->sent = ns;
		r->sentcap = cap;
	}
	snprintf(num, sizeof num, "+%zu", k);
	if (sl_buf_puts(&r->field, num) < 0)
		return -1;
	if (!r->sent[k]) {
		if (sl_buf_putc(&r->field, ' ') < 0 || sl_buf_puts(&r->field, pi->name) < 0 ||
		    sl_buf_putc(&r->field, ' ') < 0 || sl_buf_puts(&r->field, pi->values) < 0)
			return -1;
		r->sent[k] = 1;
	}
	return 1;
}

int sl_partroute_row(sl_partroute *r, const char *row, size_t len, const char **field, size_t *flen,
	sl_buf *reason)
{
	long i = sl_partset_route(r->ps, r->temp, row, len);
	size_t idx;

	if (i == -2)
		return -1;
	if (i >= 0 && r->restricted && ((size_t)i >= r->ninit || !r->allowed[i]))
		i = -1;
	if (i < 0 && !r->restricted && !r->temp) {
		int a = sl_partset_auto(r->ps, row, len, &idx);
		if (a < 0)
			return -1;
		if (a > 0)
			i = (long)idx;
	}
	if (i < 0) {
		reason->len = 0;
		if (sl_buf_puts(reason, NO_PARTITION) < 0 || sl_part_tuple_text(r->sch, row, len, reason) < 0)
			return -1;
		return 0;
	}
	r->field.len = 0;
	if ((size_t)i >= r->ninit) {
		if (created_field(r, (size_t)i) < 0)
			return -1;
	} else {
		char num[24];
		int n = snprintf(num, sizeof num, "%" PRId64, sl_partset_get(r->ps, (size_t)i)->id);
		if (sl_buf_put(&r->field, num, (size_t)n) < 0)
			return -1;
	}
	*field = r->field.p;
	*flen = r->field.len;
	return 1;
}

/* A decimal number p[0..n) (no sign, 1 to 19 digits) into *v. */
static int decimal(const char *p, size_t n, uint64_t *v)
{
	*v = 0;
	if (!n || n > 19)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return 1;
}

int sl_partroute_parse(const char *p, size_t n, sl_partroute_field *f)
{
	const char *sp, *sp2, *end = p + n;
	uint64_t v;

	memset(f, 0, sizeof *f);
	if (n == SL_NULL_LEN || !n)
		return 0;
	if (*p != '+') {
		if (!decimal(p, n, &v) || v > INT64_MAX)
			return 0;
		f->id = (int64_t)v;
		return 1;
	}
	f->created = 1;
	sp = memchr(p, ' ', n);
	if (!decimal(p + 1, (size_t)((sp ? sp : end) - p - 1), &v) || v >= MAX_CREATED)
		return 0;
	f->k = (unsigned)v;
	if (!sp)
		return 1;
	sp2 = memchr(sp + 1, ' ', (size_t)(end - sp - 1));
	if (!sp2 || sp2 == sp + 1 || sp2 - sp - 1 > 64 || sp2 + 1 == end)
		return 0;
	f->name = sp + 1;
	f->namelen = (size_t)(sp2 - sp - 1);
	f->values = sp2 + 1;
	f->valueslen = (size_t)(end - sp2 - 1);
	return 1;
}
