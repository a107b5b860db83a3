/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partmap.c -- a table's partitions decoded for its schema (partition.h):
 * each partition's bounds or list values typed and encoded as the row
 * stream encodes them, the set kept in routing order (RANGE partitions by
 * bound, LIST tuples by value) so that a row finds its partition by
 * binary search, the DDL's clauses resolved into canonical VALUES text
 * with Doris's checks, and the partitions an AUTO table creates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sl.h"
#include "io.h"
#include "cast.h"
#include "calendar.h"
#include "frame.h"
#include "model.h"
#include "partint.h"

int sl_pkey_cmp(const sl_partset *ps, const sl_pkey *a, const sl_pkey *b)
{
	for (size_t i = 0; i < ps->nc; i++) {
		int r;
		if (a[i].inf != b[i].inf)
			return a[i].inf < b[i].inf ? -1 : 1;
		if (a[i].inf)
			continue;
		r = sl_model_cmp(&ps->sch->cols[ps->sc->cols[i]].type, a[i].f, b[i].f);
		if (r)
			return r;
	}
	return 0;
}

int sl_pkey_value_text(const sl_type *t, sl_field f, sl_buf *out)
{
	sl_value v;

	if (f.n == SL_NULL_LEN)
		return sl_buf_puts(out, "NULL") < 0 ? -1 : 1;
	if (sl_value_decode(t, f.p, f.n, &v) < 0)
		return -1;
	return sl_value_format(&v, out);
}

static int is_int_text(const char *s, size_t n)
{
	size_t i = n && (*s == '-' || *s == '+');

	if (i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int sl_pkey_cast(const sl_column *c, const char *s, size_t n, char *buf, sl_field *f, char *err,
	size_t errcap)
{
	const sl_type *t = &c->type;
	char tb[SL_TYPE_FMT_MAX];
	sl_value v;
	const char *sp = 0;
	int ok;

	sl_type_format_upper(t, tb, sizeof tb);
	ok = (t->kind < SL_T_TINYINT || t->kind > SL_T_LARGEINT || is_int_text(s, n))
		&& sl_cast_text(t, s, n, &v) == 1;
	if (ok && sl_type_is_string(t) && t->kind != SL_T_STRING && n > (size_t)t->len)
		return snprintf(err, errcap, "Partition value %.*s is longer than column %s's %s",
			(int)(n > 64 ? 64 : n), s, c->name, tb), 0;
	if (!ok) {
		if (t->kind >= SL_T_TINYINT && t->kind <= SL_T_LARGEINT && is_int_text(s, n))
			snprintf(err, errcap, "Number out of range[%.*s]. type: %s", (int)(n > 64 ? 64 : n), s, tb);
		else if (t->kind >= SL_T_TINYINT && t->kind <= SL_T_LARGEINT)
			snprintf(err, errcap, "Invalid number format: %.*s", (int)(n > 64 ? 64 : n), s);
		else if (t->kind == SL_T_DATE || t->kind == SL_T_DATETIME)
			snprintf(err, errcap, "date literal [%.*s] is invalid", (int)(n > 64 ? 64 : n), s);
		else
			snprintf(err, errcap, "Invalid %s partition value: %.*s", tb, (int)(n > 64 ? 64 : n), s);
		return 0;
	}
	f->n = sl_value_encode(t, &v, buf, &sp);
	f->p = sp ? sp : buf;
	return 1;
}

/* ---- building one partition from a parsed clause ---- */

static void part_free(sl_ppart *p)
{
	free(p->info.values);
	free(p->k);
	free(p->blob);
	memset(p, 0, sizeof *p);
}

/* Type the values of tuple t of c into keys k[0..nc): short tuples padded
 * with the minimum (after MAXVALUE: the maximum). The bytes go to blob
 * (offsets kept in f.p until the blob is final). */
static int type_tuple(sl_partset *ps, const sl_pclause *c, size_t t, sl_pkey *k, sl_buf *blob,
	char *err, size_t errcap)
{
	size_t from = c->off[t], cnt = c->off[t + 1] - from;
	int pad = PK_MIN;

	if (cnt > ps->nc)
		return snprintf(err, errcap, "Partition values number is more than partition column number: %zu > %zu",
			cnt, ps->nc), 0;
	if (c->kind == SL_PART_LIST && cnt != ps->nc)
		return snprintf(err, errcap, "partition key desc list size[%zu] is not equal to partition column size[%zu]",
			cnt, ps->nc), 0;
	for (size_t i = 0; i < ps->nc; i++) {
		const sl_pval *v = i < cnt ? &c->v[from + i] : 0;
		const sl_column *col = &ps->sch->cols[ps->sc->cols[i]];
		char buf[16];
		sl_field f;

		memset(&k[i], 0, sizeof k[i]);
		if (!v || v->kind == SL_PV_MIN || v->kind == SL_PV_MAX) {
			if (c->kind == SL_PART_LIST)
				return snprintf(err, errcap, "MAXVALUE and MINVALUE are not allowed in a LIST partition"), 0;
			k[i].inf = v ? (v->kind == SL_PV_MAX ? PK_MAX : PK_MIN) : pad;
			if (k[i].inf == PK_MAX)
				pad = PK_MAX;
			continue;
		}
		if (v->kind == SL_PV_NULL) {
			if (!col->nullable)
				return snprintf(err, errcap, "Can not use NULL in the partition values of NOT NULL column %s",
					col->name), 0;
			k[i].f.n = SL_NULL_LEN;
			continue;
		}
		if (!sl_pkey_cast(col, v->s, v->n, buf, &f, err, errcap))
			return 0;
		k[i].f.p = (const char *)(uintptr_t)blob->len;
		k[i].f.n = f.n;
		if (sl_buf_put(blob, f.p, f.n) < 0)
			return -1;
	}
	return 1;
}

/* Keys k[0..nk) point into the final blob. */
static void fix_keys(sl_pkey *k, size_t nk, const char *blob)
{
	for (size_t i = 0; i < nk; i++)
		if (!k[i].inf && k[i].f.n != SL_NULL_LEN)
			k[i].f.p = blob ? blob + (uintptr_t)k[i].f.p : "";     /* no blob: empty strings only */
}

/* The canonical VALUES text of p (partition.h). */
static int canon(const sl_partset *ps, sl_ppart *p)
{
	int list = ps->sc->kind == SL_PART_LIST;
	size_t nt = list ? p->ntup : 2;
	sl_buf b = SL_BUF_ZERO;

	if (sl_buf_puts(&b, list ? "VALUES IN (" : "VALUES [") < 0)
		goto nomem;
	for (size_t t = 0; t < nt; t++) {
		if (sl_buf_puts(&b, t ? ", (" : "(") < 0)
			goto nomem;
		for (size_t i = 0; i < ps->nc; i++) {
			const sl_pkey *k = &p->k[t * ps->nc + i];
			sl_buf v = SL_BUF_ZERO;
			int r = 1;

			if (i && sl_buf_puts(&b, ", ") < 0)
				goto nomem;
			if (k->inf || k->f.n == SL_NULL_LEN)
				r = sl_buf_puts(&b, k->inf == PK_MIN ? "MINVALUE" : k->inf == PK_MAX ? "MAXVALUE" : "NULL");
			else
				r = sl_pkey_value_text(&ps->sch->cols[ps->sc->cols[i]].type, k->f, &v) < 0 ? -1
					: sl_part_quote(&b, v.p ? v.p : "", v.len);
			sl_buf_free(&v);
			if (r < 0)
				goto nomem;
		}
		if (sl_buf_putc(&b, ')') < 0)
			goto nomem;
	}
	if (sl_buf_putc(&b, ')') < 0 || sl_buf_cstr(&b) < 0)
		goto nomem;
	free(p->info.values);
	p->info.values = b.p;
	return 1;
nomem:
	sl_buf_free(&b);
	errno = ENOMEM;
	return -1;
}

/* Type clause c into *p: 1, 0 with err, -1 ENOMEM. A LESS THAN range gets
 * its upper bound only (lower: the minimum, resolved by the caller). */
static int build(sl_partset *ps, const sl_pclause *c, sl_ppart *p, char *err, size_t errcap)
{
	sl_buf blob = SL_BUF_ZERO;
	size_t nt = c->kind == SL_PART_LIST ? c->ntup : 2;
	int r = 1;

	memset(p, 0, sizeof *p);
	if (c->kind != ps->sc->kind) {
		snprintf(err, errcap, c->kind == SL_PART_LIST
			? "Range partition expected 'VALUES [LESS THAN or [(\"xxx\" ,...), (\"xxx\", ...))]'"
			: "List partition expected 'VALUES [IN or ((\"xxx\", \"xxx\"), ...)]'");
		return 0;
	}
	if (!(p->k = calloc(nt * ps->nc, sizeof *p->k)))
		return -1;
	p->ntup = c->kind == SL_PART_LIST ? c->ntup : 0;
	if (c->less_than) {
		for (size_t i = 0; i < ps->nc; i++)
			p->k[i].inf = PK_MIN;
		r = type_tuple(ps, c, 0, p->k + ps->nc, &blob, err, errcap);
	} else
		for (size_t t = 0; t < c->ntup && r == 1; t++)
			r = type_tuple(ps, c, t, p->k + t * ps->nc, &blob, err, errcap);
	if (r == 1 && blob.len && !(p->blob = malloc(blob.len)))
		r = -1;
	if (r == 1) {
		if (blob.len)
			memcpy(p->blob, blob.p, blob.len);
		fix_keys(p->k, nt * ps->nc, p->blob);
	}
	sl_buf_free(&blob);
	if (r == 1 && c->kind == SL_PART_RANGE && !c->less_than && sl_pkey_cmp(ps, p->k, p->k + ps->nc) >= 0) {
		snprintf(err, errcap, "The lower values must smaller than upper values");
		r = 0;
	}
	if (r != 1)
		part_free(p);
	return r;
}

/* ---- the set and its routing order ---- */

static int grow(void **v, size_t *cap, size_t need, size_t sz)
{
	size_t c = *cap ? *cap : 8;
	void *p;

	if (need <= *cap)
		return 1;
	while (c < need)
		c *= 2;
	if (!(p = realloc(*v, c * sz)))
		return -1;
	*v = p;
	*cap = c;
	return 1;
}

static int lcmp(const sl_partset *ps, const sl_pentry *a, const sl_pkey *k)
{
	return sl_pkey_cmp(ps, ps->p[a->part].k + a->tup * ps->nc, k);
}

/* First LIST entry of temp >= k. */
static size_t lfind(const sl_partset *ps, int temp, const sl_pkey *k)
{
	size_t lo = 0, hi = ps->nl[temp];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lcmp(ps, &ps->lord[temp][mid], k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Number of RANGE partitions of temp whose lower bound is <= k. */
static size_t rfind(const sl_partset *ps, int temp, const sl_pkey *k)
{
	size_t lo = 0, hi = ps->nr[temp];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sl_pkey_cmp(ps, ps->p[ps->rord[temp][mid]].k, k) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Put partition i (the last) into the routing order. */
static int index_part(sl_partset *ps, size_t i)
{
	sl_ppart *p = &ps->p[i];
	int t = !!p->info.temp;

	if (ps->sc->kind == SL_PART_RANGE) {
		size_t at = rfind(ps, t, p->k);
		size_t *o = realloc(ps->rord[t], (ps->nr[t] + 1) * sizeof *o);
		if (!o)
			return -1;
		memmove(o + at + 1, o + at, (ps->nr[t] - at) * sizeof *o);
		o[at] = i;
		ps->rord[t] = o;
		ps->nr[t]++;
		return 1;
	}
	if (ps->sc->kind != SL_PART_LIST)
		return 1;
	{
		sl_pentry *o = realloc(ps->lord[t], (ps->nl[t] + p->ntup) * sizeof *o);
		if (!o)
			return -1;
		ps->lord[t] = o;
	}
	for (size_t u = 0; u < p->ntup; u++) {
		size_t at = lfind(ps, t, p->k + u * ps->nc);
		sl_pentry *o = ps->lord[t];
		memmove(o + at + 1, o + at, (ps->nl[t] - at) * sizeof *o);
		o[at].part = i;
		o[at].tup = u;
		ps->nl[t]++;
	}
	return 1;
}

/* Append a built partition (takes p's memory) with its name and temp. */
static int append(sl_partset *ps, sl_ppart *p, const sl_partinfo *info, const char *name, int temp)
{
	sl_ppart *q;

	if (grow((void **)&ps->p, &ps->cap, ps->n + 1, sizeof *ps->p) < 0)
		return -1;
	q = &ps->p[ps->n];
	*q = *p;
	memset(p, 0, sizeof *p);
	if (info) {
		char *v = q->info.values;
		q->info = *info;
		q->info.values = v;
	} else {
		memset(q->info.name, 0, sizeof q->info.name);
		q->info.temp = temp;
	}
	snprintf(q->info.name, sizeof q->info.name, "%s", name);
	ps->n++;
	if (index_part(ps, ps->n - 1) < 0) {
		part_free(&ps->p[--ps->n]);
		return -1;
	}
	return 1;
}

sl_partset *sl_partset_new(const sl_schema *sch, const sl_partinfo *parts, size_t n, char *err,
	size_t errcap)
{
	sl_partset *ps = calloc(1, sizeof *ps);

	if (errcap)
		err[0] = 0;
	if (!ps)
		return 0;
	ps->sch = sch;
	ps->sc = &sch->part;
	ps->nc = sch->part.ncols;
	for (size_t i = 0; i < ps->nc; i++)
		if ((size_t)ps->sc->cols[i] + 1 > ps->need)
			ps->need = (size_t)ps->sc->cols[i] + 1;
	for (size_t i = 0; i < n; i++) {
		sl_pclause c;
		sl_ppart p;
		int r = 0;

		memset(&p, 0, sizeof p);
		if (!ps->sc->kind || !*parts[i].values) {
			if (ps->sc->kind || *parts[i].values) {
				snprintf(err, errcap, "partition %s: values '%s' do not fit the table's PARTITION BY",
					parts[i].name, parts[i].values);
				goto bad;
			}
			r = (p.info.values = strdup("")) ? 1 : -1;
		} else {
			r = sl_pclause_parse(parts[i].values, strlen(parts[i].values), &c, err, errcap);
			if (r == 1) {
				r = c.name || c.less_than ? 0 : build(ps, &c, &p, err, errcap);
				if (c.name || c.less_than)
					snprintf(err, errcap, "not a canonical VALUES text");
				sl_pclause_free(&c);
			}
			if (r == 1)
				r = canon(ps, &p);
		}
		if (r == 1)
			r = append(ps, &p, &parts[i], parts[i].name, parts[i].temp);
		if (r < 0)
			goto nomem;
		if (!r) {
			char why[200];
			snprintf(why, sizeof why, "%s", err);
			snprintf(err, errcap, "partition %s: %s", parts[i].name, why);
			goto bad;
		}
	}
	return ps;
nomem:
	if (errcap)
		snprintf(err, errcap, "out of memory");
	sl_partset_free(ps);
	errno = ENOMEM;
	return 0;
bad:
	sl_partset_free(ps);
	errno = EINVAL;
	return 0;
}

void sl_partset_free(sl_partset *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++)
		part_free(&ps->p[i]);
	free(ps->p);
	for (int t = 0; t < 2; t++) {
		free(ps->rord[t]);
		free(ps->lord[t]);
	}
	free(ps);
}

size_t sl_partset_n(const sl_partset *ps) { return ps->n; }

const sl_partinfo *sl_partset_get(const sl_partset *ps, size_t i)
{
	return i < ps->n ? &ps->p[i].info : 0;
}

long sl_partset_find(const sl_partset *ps, const char *name, size_t n, int temp)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!ps->p[i].info.temp == !temp && strlen(ps->p[i].info.name) == n
				&& !strncasecmp(ps->p[i].info.name, name, n))
			return (long)i;
	return -1;
}

/* ---- adding a clause ---- */

/* The LESS THAN range's lower bound: the greatest upper bound of the
 * partitions of temp that does not pass the new upper bound. */
static void less_than_lower(const sl_partset *ps, int temp, sl_ppart *p)
{
	const sl_pkey *best = 0;

	for (size_t j = 0; j < ps->nr[temp]; j++) {
		const sl_pkey *hi = ps->p[ps->rord[temp][j]].k + ps->nc;
		if (sl_pkey_cmp(ps, hi, p->k + ps->nc) <= 0 && (!best || sl_pkey_cmp(ps, hi, best) > 0))
			best = hi;
	}
	if (best)
		memcpy(p->k, best, ps->nc * sizeof *p->k);
}

static int range_overlap(const sl_partset *ps, int temp, const sl_ppart *p, char *err, size_t errcap)
{
	const size_t nc = ps->nc;

	if (sl_pkey_cmp(ps, p->k, p->k + nc) >= 0)
		return snprintf(err, errcap, "The lower values must smaller than upper values"), 0;
	for (size_t j = 0; j < ps->nr[temp]; j++) {
		const sl_ppart *q = &ps->p[ps->rord[temp][j]];
		sl_buf a = SL_BUF_ZERO, b = SL_BUF_ZERO;
		int r;

		if (sl_pkey_cmp(ps, p->k, q->k + nc) >= 0 || sl_pkey_cmp(ps, q->k, p->k + nc) >= 0)
			continue;
		r = sl_partrange_text(ps, p, &a) < 0 || sl_partrange_text(ps, q, &b) < 0 || sl_buf_cstr(&a) < 0
			|| sl_buf_cstr(&b) < 0 ? -1 : 0;
		if (!r)
			snprintf(err, errcap, "Range %s is intersected with range: %s", a.p, b.p);
		sl_buf_free(&a);
		sl_buf_free(&b);
		return r;
	}
	return 1;
}

/* Doris's toSql of LIST tuples: ("a", "1") each, joined by ", ". */
static int tuples_sql(const sl_partset *ps, const sl_ppart *p, size_t from, size_t to, sl_buf *out)
{
	for (size_t t = from; t < to; t++) {
		if (sl_buf_puts(out, t > from ? ", (" : "(") < 0)
			return -1;
		for (size_t i = 0; i < ps->nc; i++) {
			const sl_pkey *k = &p->k[t * ps->nc + i];
			sl_buf v = SL_BUF_ZERO;
			int r = sl_pkey_value_text(&ps->sch->cols[ps->sc->cols[i]].type, k->f, &v) < 0
				|| (i && sl_buf_puts(out, ", ") < 0) ? -1
				: k->f.n == SL_NULL_LEN ? sl_buf_puts(out, "NULL") : sl_part_quote(out, v.p ? v.p : "", v.len);
			sl_buf_free(&v);
			if (r < 0)
				return -1;
		}
		if (sl_buf_putc(out, ')') < 0)
			return -1;
	}
	return 1;
}

static int list_conflict(const sl_partset *ps, int temp, const sl_ppart *p, char *err, size_t errcap)
{
	for (size_t u = 0; u < p->ntup; u++) {
		const sl_pkey *k = p->k + u * ps->nc;
		size_t at = lfind(ps, temp, k);
		const sl_ppart *q = 0;
		sl_buf a = SL_BUF_ZERO, b = SL_BUF_ZERO, c = SL_BUF_ZERO;
		int r;

		if (at < ps->nl[temp] && !lcmp(ps, &ps->lord[temp][at], k))
			q = &ps->p[ps->lord[temp][at].part];
		for (size_t w = 0; !q && w < u; w++)
			if (!sl_pkey_cmp(ps, p->k + w * ps->nc, k))
				q = p;
		if (!q)
			continue;
		r = tuples_sql(ps, p, u, u + 1, &a) < 0 || tuples_sql(ps, p, 0, p->ntup, &b) < 0
			|| tuples_sql(ps, q, 0, q->ntup, &c) < 0 || sl_buf_cstr(&a) < 0 || sl_buf_cstr(&b) < 0
			|| sl_buf_cstr(&c) < 0 ? -1 : 0;
		if (!r)
			snprintf(err, errcap, "The partition key[%s] in partition item[%s] is conflict with current partitionKeys[%s]",
				a.p, b.p, c.p);
		sl_buf_free(&a);
		sl_buf_free(&b);
		sl_buf_free(&c);
		return r;
	}
	return 1;
}

int sl_partset_add_clause(sl_partset *ps, const char *clause, size_t n, int temp, size_t *idx,
	char *err, size_t errcap)
{
	sl_pclause c;
	sl_ppart p;
	long have;
	int r, t = !!temp;

	if (errcap)
		err[0] = 0;
	if (!ps->sc->kind)
		return snprintf(err, errcap, "Table is not partitioned: it takes no PARTITION clause"), 0;
	r = sl_pclause_parse(clause, n, &c, err, errcap);
	if (r <= 0)
		return r;
	if (!c.name) {
		sl_pclause_free(&c);
		return snprintf(err, errcap, "syntax error at position 1: expected PARTITION"), 0;
	}
	if ((have = sl_partset_find(ps, c.name, strlen(c.name), 0)) < 0)
		have = sl_partset_find(ps, c.name, strlen(c.name), 1);
	if (have >= 0) {
		r = c.if_not_exists;
		if (r)
			*idx = (size_t)have;
		else
			snprintf(err, errcap, "Duplicate partition name %s", c.name);
		sl_pclause_free(&c);
		return r;
	}
	r = build(ps, &c, &p, err, errcap);
	if (r == 1 && c.less_than)
		less_than_lower(ps, t, &p);
	if (r == 1)
		r = ps->sc->kind == SL_PART_RANGE ? range_overlap(ps, t, &p, err, errcap)
			: list_conflict(ps, t, &p, err, errcap);
	if (r == 1)
		r = canon(ps, &p);
	if (r == 1)
		r = append(ps, &p, 0, c.name, t);
	part_free(&p);
	sl_pclause_free(&c);
	if (r == 1)
		*idx = ps->n - 1;
	if (r < 0)
		errno = ENOMEM;
	return r;
}

/* ---- routing ---- */

int sl_pkey_row(const sl_partset *ps, const char *row, size_t len, sl_pkey *k)
{
	size_t off = 0;

	/* one walk over the row's fields up to the last partition column: no
	 * array of fields, so routing needs no memory of its own */
	for (size_t j = 0; j < ps->need; j++) {
		uint32_t n;
		if (len - off < 4)
			goto bad;
		n = sl_u32_unpack(row + off);
		off += 4;
		if (n == SL_ABSENT_LEN || (n != SL_NULL_LEN && n > len - off))
			goto bad;
		for (size_t i = 0; i < ps->nc; i++) {
			size_t w;
			if ((size_t)ps->sc->cols[i] != j)
				continue;
			w = sl_type_width(&ps->sch->cols[j].type);
			if (w && n != SL_NULL_LEN && n != w)
				goto bad;
			k[i].inf = PK_VAL;
			k[i].f.p = row + off;
			k[i].f.n = n;
		}
		off += n == SL_NULL_LEN ? 0 : n;
	}
	return 1;
bad:
	errno = EPROTO;
	return -1;
}

static long route_keys(const sl_partset *ps, int t, const sl_pkey *k)
{
	if (ps->sc->kind == SL_PART_RANGE) {
		size_t at = rfind(ps, t, k);
		if (at && sl_pkey_cmp(ps, k, ps->p[ps->rord[t][at - 1]].k + ps->nc) < 0)
			return (long)ps->rord[t][at - 1];
		return -1;
	}
	{
		size_t at = lfind(ps, t, k);
		if (at < ps->nl[t] && !lcmp(ps, &ps->lord[t][at], k))
			return (long)ps->lord[t][at].part;
	}
	return -1;
}

long sl_partset_route(const sl_partset *ps, int temp, const char *row, size_t len)
{
	sl_pkey stack[16], *k = stack;
	long r;

	if (!ps->sc->kind) {
		for (size_t i = 0; i < ps->n; i++)
			if (!ps->p[i].info.temp == !temp)
				return (long)i;
		return -1;
	}
	if (ps->nc > 16 && !(k = malloc(ps->nc * sizeof *k)))
		return -2;
	r = sl_pkey_row(ps, row, len, k) < 0 ? -2 : route_keys(ps, !!temp, k);
	if (k != stack)
		free(k);
	return r;
}
