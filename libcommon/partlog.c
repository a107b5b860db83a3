/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partlog.c -- the partitions of a table in a fold of the log (partlog.h):
 * the live ones, and what a commit does with the partitions its files
 * name (checked live, created by the load, or re-tagged).
 *
 * A table's partitions are a fold of its Q records (CREATE TABLE's
 * initial ones, ALTER ADD/DROP, TRUNCATE: drop and add again under a new
 * id) and of the C records of loads that created some (AUTO PARTITION).
 * A partition id is (base << 16) | k: base the id of the Q record or load
 * that added it, unique in the txn id space, so ids are never reused and
 * a file's partition that was dropped or replaced stays dead. The values
 * texts are opaque here (partition.c parses them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "storeerr.h"
#include "partlog.h"

static void pinfo_free(sl_partinfo *parts, size_t n)
{
	size_t i;

	for (i = 0; parts && i < n; i++)
		free(parts[i].values);
	free(parts);
}

static int pinfo_cmp(const void *a, const void *b)
{
	int64_t x = ((const sl_partinfo *)a)->id, y = ((const sl_partinfo *)b)->id;
	return x < y ? -1 : x > y;
}

/* Fill one sl_partinfo. 1, -1 ENOMEM. */
static int pinfo_set(sl_partinfo *pi, int64_t id, sl_field name, int temp, sl_field values)
{
	memset(pi, 0, sizeof *pi);
	pi->id = id;
	sl_storeenc_fcopy(pi->name, sizeof pi->name, name);
	pi->temp = temp;
	if (!(pi->values = malloc((size_t)values.n + 1))) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(pi->values, values.p, values.n);
	pi->values[values.n] = 0;
	return 1;
}

int sl_partlog_live(const logstate *ls, int64_t tid, const char *table, sl_partinfo **parts,
	size_t *n)
{
	size_t i, k = 0, cnt = 0;
	sl_partinfo *v;

	*parts = 0;
	*n = 0;
	if (!sl_logrec_pt_any(ls, tid)) {
		if (!(v = calloc(1, sizeof *v))) {
			errno = ENOMEM;
			return -1;
		}
		if (pinfo_set(v, 0, (sl_field){ table, (uint32_t)strlen(table) }, 0,
			      (sl_field){ "", 0 }) < 0) {
			free(v);
			return -1;
		}
		*parts = v;
		*n = 1;
		return 1;
	}
	for (i = 0; i < ls->npt; i++)
		cnt += ls->pt[i].table_id == tid && !ls->pt[i].dropped;
	if (!(v = calloc(cnt ? cnt : 1, sizeof *v))) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < ls->npt; i++) {
		const partrec *p = &ls->pt[i];
		if (p->table_id != tid || p->dropped)
			continue;
		if (pinfo_set(&v[k], p->id, p->name, p->temp, p->values) < 0) {
			pinfo_free(v, k);
			return -1;
		}
		k++;
	}
	if (k > 1)
		qsort(v, k, sizeof *v, pinfo_cmp);
	*parts = v;
	*n = k;
	return 1;
}

long sl_partlog_index(const sl_partinfo *parts, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (parts[mid].id == id)
			return (long)mid;
		if (parts[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int sl_partlog_rs_v3(const char *rs, size_t rslen, uint32_t nrs, int ver, sl_buf *out)
{
	sl_storeenc_cur c = { rs, rslen, 0 };
	uint32_t i;

	for (i = 0; i < nrs; i++) {
		sl_field nm;
		uint64_t rows, size;
		uint32_t sum;
		int64_t part;
		sl_logrec_rs_next(&c, ver, &nm, &rows, &size, &sum, &part);
		if (c.bad) {
			errno = EPROTO;
			return -1;
		}
		if (sl_storeenc_put_str(out, nm.p, nm.n) < 0 || sl_storeenc_put_u64(out, rows) < 0 ||
		    sl_storeenc_put_u64(out, size) < 0 || sl_storeenc_put_u32(out, sum) < 0 ||
		    sl_storeenc_put_u64(out, (uint64_t)part) < 0)
			return -1;
	}
	return 1;
}

/* The live partition of parts named name (case-insensitive, as Doris's
 * partition names), -1 none. */
static long live_named(const sl_partinfo *parts, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(parts[i].name) == len && !strncasecmp(parts[i].name, name, len))
			return (long)i;
	return -1;
}

/* A new partition of the commit: its id and where it went. */
typedef struct newpart { int64_t id, to; } newpart;

/* The created partitions np: each either kept (into out) or mapped to
 * the live one with its name and values (np[i].to). 1, 0 refused, -1. */
static int commit_new(const sl_partinfo *live, size_t nlive, int64_t id, const char *np,
	size_t nplen, uint32_t nnp, newpart *map, sl_buf *out, uint32_t *nout, char *err,
	size_t errcap)
{
	sl_storeenc_cur c = { np, nplen, 0 };
	uint32_t i;

	for (i = 0; i < nnp; i++) {
		const char *at = c.p;
		long k;
		partrec p;
		p.id = (int64_t)sl_storeenc_u64(&c);
		if (c.n < 1)
			c.bad = 1;
		else {
			c.p++;
			c.n--;
		}
		p.name = sl_storeenc_str(&c, 64);
		p.values = sl_storeenc_str(&c, LOG_REC_MAX);
		if (c.bad)
			return sl_storeerr_set("txn %lld: a created partition does not parse",
					       (long long)id);
		if ((p.id >> 16) != id)
			return sl_storeerr_set("txn %lld: its files create partition id %lld, not one of "
					       "its own", (long long)id, (long long)p.id);
		map[i].id = map[i].to = p.id;
		if ((k = live_named(live, nlive, p.name.p, p.name.n)) < 0) {
			if (sl_buf_put(out, at, (size_t)(c.p - at)) < 0)
				return -1;
			(*nout)++;
			continue;
		}
		if (live[k].temp || strlen(live[k].values) != p.values.n ||
		    memcmp(live[k].values, p.values.p, p.values.n)) {
			snprintf(err, errcap, "partition %.*s was created with other values during the "
				 "load", (int)p.name.n, p.name.p);
			errno = EEXIST;
			return 0;
		}
		map[i].to = live[k].id;       /* two loads created it: the first one's */
	}
	return 1;
}

int sl_partlog_commit(const logstate *ls, int64_t id, int64_t tid, const char *table, char *rs,
	size_t rslen, uint32_t nrs, const char *np, size_t nplen, uint32_t nnp, sl_buf *out,
	uint32_t *nout, char *err, size_t errcap)
{
	sl_storeenc_cur c = { rs, rslen, 0 };
	sl_partinfo *live = 0;
	size_t nlive = 0;
	newpart *map = 0;
	uint32_t i, k;
	int r = -1;

	*nout = 0;
	if (sl_partlog_live(ls, tid, table, &live, &nlive) < 0)
		return -1;
	if (nnp && !(map = calloc(nnp, sizeof *map))) {
		errno = ENOMEM;
		goto out;
	}
	r = commit_new(live, nlive, id, np, nplen, nnp, map, out, nout, err, errcap);
	if (r <= 0)
		goto out;
	for (i = 0; i < nrs; i++) {
		sl_field nm;
		uint64_t rows, size;
		uint32_t sum;
		int64_t part;
		int ok;
		sl_logrec_rs_next(&c, 3, &nm, &rows, &size, &sum, &part);
		if (c.bad) {
			r = sl_storeerr_set("txn %lld: its rowset list does not parse", (long long)id);
			goto out;
		}
		ok = sl_partlog_index(live, nlive, part) >= 0;
		for (k = 0; k < nnp && !ok; k++)
			if (map[k].id == part) {
				sl_u64_pack(rs + (c.p - rs) - 8, (uint64_t)map[k].to);
				ok = 1;
			}
		if (!ok) {
			const partrec *p = sl_logrec_pt_find((logstate *)ls, tid, part);
			if (p)
				snprintf(err, errcap, "partition %.*s was dropped or replaced during the load",
					 (int)p->name.n, p->name.p);
			else
				snprintf(err, errcap, "partition %lld was dropped or replaced during the load",
					 (long long)part);
			errno = ESTALE;
			r = 0;
			goto out;
		}
	}
	r = 1;
out:
	free(map);
	pinfo_free(live, nlive);
	return r;
}

