/* SPDX-License-Identifier: Apache-2.0 */
/* parquetnest.c -- nested parquet values assembled from levels into JSON (parquetnest.h). */
#include <stdio.h>
#include <string.h>
#include "colval.h"
#include "parquetnest.h"
#include "parquetval.h"

/* how the instances of a repeated node are shown */
enum { AS_SELF, AS_CHILD, AS_MAP };

typedef struct nest {
	const sl_parquet_meta *m;
	sl_parquet_col *cols;
	size_t *scratch;        /* per depth: [start, end) of every leaf */
	sl_buf *out;
	char *err;
	size_t errlen;
} nest;

static int emit_field(nest *c, int i, const size_t *rng, int depth);

static int bad(nest *c, int i)
{
	snprintf(c->err, c->errlen, "column %s: its repetition and definition levels disagree",
		c->m->nodes[i].name);
	return -1;
}

static int leaf_json(nest *c, const sl_parquet_node *nd, size_t entry)
{
	sl_parquet_col *col = &c->cols[nd->leaf];
	size_t j = sl_parquet_vix_at(col, entry);
	if (j >= col->nv)
		return bad(c, (int)(nd - c->m->nodes));
	sl_parquet_val v = col->v[j];
	int kind = sl_parquetval_json_kind(nd);
	if (kind == 2)
		return sl_buf_puts(c->out, v.p[0] ? "true" : "false");
	size_t at = c->out->len;
	if (sl_parquetval_is_bytes(nd))
		return sl_colval_json_string(c->out, (const char *)v.p, v.n);
	if (sl_parquetval_text(c->out, nd, v, c->err, c->errlen) < 0)
		return -1;
	const char *t = c->out->p + at;
	size_t n = c->out->len - at;
	int number = kind == 1 || ((nd->type == PQ_FLOAT || nd->type == PQ_DOUBLE
		|| nd->logical == PQL_FLOAT16) && n && (t[0] == '-' ? n > 1 && t[1] >= '0' && t[1] <= '9'
		: t[0] >= '0' && t[0] <= '9'));
	if (number)
		return 1;
	/* quote the text just written */
	char tmp[128];
	if (n >= sizeof tmp)
		return bad(c, (int)(nd - c->m->nodes));
	memcpy(tmp, t, n);
	c->out->len = at;
	return sl_colval_json_string(c->out, tmp, n);
}

static int emit_instances(nest *c, int r, int elem, int how, const size_t *rng, int depth);

static int emit_one(nest *c, int i, const size_t *rng, int depth)
{
	const sl_parquet_node *nd = &c->m->nodes[i];
	size_t s = rng[2 * nd->lo];
	if (s >= rng[2 * nd->lo + 1])
		return bad(c, i);
	int d = c->cols[nd->lo].def[s];
	if (d < nd->def) {
		if (nd->repetition == PQ_OPTIONAL && d == nd->def - 1)
			return sl_buf_puts(c->out, "null");
		return bad(c, i);
	}
	if (nd->nchild == 0)
		return leaf_json(c, nd, s);
	if (nd->logical == PQL_LIST || nd->logical == PQL_MAP) {
		int r = sl_parquetval_repeated(c->m, i, c->err, c->errlen);
		if (r < 0)
			return -1;
		if (nd->logical == PQL_MAP && c->m->nodes[r].nchild == 1)
			return emit_instances(c, r, c->m->nodes[r].child[0], AS_CHILD, rng, depth);
		if (nd->logical == PQL_MAP)
			return emit_instances(c, r, r, AS_MAP, rng, depth);
		int e = sl_parquetval_list_elem(c->m, i, r);
		return emit_instances(c, r, e, e == r ? AS_SELF : AS_CHILD, rng, depth);
	}
	if (sl_buf_putc(c->out, '{') < 0)
		return -1;
	for (int k = 0; k < nd->nchild; k++) {
		const sl_parquet_node *ch = &c->m->nodes[nd->child[k]];
		if ((k && sl_buf_putc(c->out, ',') < 0)
				|| sl_colval_json_string(c->out, ch->name, strlen(ch->name)) < 0
				|| sl_buf_putc(c->out, ':') < 0 || emit_field(c, nd->child[k], rng, depth) < 0)
			return -1;
	}
	return sl_buf_putc(c->out, '}');
}

/* a MAP entry: the key's text as a JSON string, then the value */
static int map_entry(nest *c, const sl_parquet_node *kv, const size_t *rng, int depth)
{
	const sl_parquet_node *key = &c->m->nodes[kv->child[0]];
	size_t at = c->out->len;
	if (emit_field(c, kv->child[0], rng, depth) < 0)
		return -1;
	if (key->nchild || !sl_parquetval_is_bytes(key)) {
		/* quote a key that was written as a JSON number or literal */
		const char *t = c->out->p + at;
		size_t n = c->out->len - at;
		char tmp[128];
		if (n && t[0] != '"') {
			if (n >= sizeof tmp)
				return bad(c, kv->child[0]);
			memcpy(tmp, t, n);
			c->out->len = at;
			if (sl_colval_json_string(c->out, tmp, n) < 0)
				return -1;
		}
	}
	if (sl_buf_putc(c->out, ':') < 0)
		return -1;
	return emit_field(c, kv->child[1], rng, depth);
}

/* the instances of repeated node r within rng: a JSON array (of r itself
 * or of its child elem) or object (a MAP's entries) */
static int emit_instances(nest *c, int r, int elem, int how, const size_t *rng, int depth)
{
	const sl_parquet_meta *m = c->m;
	const sl_parquet_node *rn = &m->nodes[r];
	size_t *nr = c->scratch + (size_t)(depth + 1) * 2 * (size_t)m->nleaves;
	const char *open = how == AS_MAP ? "{" : "[", *close = how == AS_MAP ? "}" : "]";
	size_t s0 = rng[2 * rn->lo];
	if (depth + 1 > 2 * 32 || s0 >= rng[2 * rn->lo + 1])
		return bad(c, r);
	if (sl_buf_puts(c->out, open) < 0)
		return -1;
	if (c->cols[rn->lo].def[s0] < rn->def)
		return sl_buf_puts(c->out, close);   /* no instance: empty */
	for (int j = rn->lo; j < rn->hi; j++)
		nr[2 * j + 1] = rng[2 * j];
	for (int k = 0; nr[2 * rn->lo + 1] < rng[2 * rn->lo + 1]; k++) {
		for (int j = rn->lo; j < rn->hi; j++) {
			const sl_parquet_col *col = &c->cols[j];
			size_t s = nr[2 * j + 1], e = s + 1, lim = rng[2 * j + 1];
			if (s >= lim)
				return bad(c, r);
			while (e < lim && col->rep[e] > rn->rep)
				e++;
			nr[2 * j] = s;
			nr[2 * j + 1] = e;
		}
		if (k && sl_buf_putc(c->out, ',') < 0)
			return -1;
		int rc = how == AS_SELF ? emit_one(c, r, nr, depth + 1) : how == AS_CHILD
			? emit_field(c, elem, nr, depth + 1) : map_entry(c, rn, nr, depth + 1);
		if (rc < 0)
			return -1;
	}
	for (int j = rn->lo; j < rn->hi; j++)
		if (nr[2 * j + 1] != rng[2 * j + 1])
			return bad(c, r);
	return sl_buf_puts(c->out, close);
}

static int emit_field(nest *c, int i, const size_t *rng, int depth)
{
	if (c->m->nodes[i].repetition == PQ_REPEATED)
		return emit_instances(c, i, i, AS_SELF, rng, depth);
	return emit_one(c, i, rng, depth);
}

size_t sl_parquetnest_scratch(const sl_parquet_meta *m)
{
	return (size_t)(2 * 32 + 2) * 2 * (size_t)(m->nleaves ? m->nleaves : 1);
}

int sl_parquetnest_row(sl_buf *b, const sl_parquet_meta *m, sl_parquet_col *cols, int i,
	size_t *scratch, char *err, size_t errlen)
{
	nest c = { m, cols, scratch, b, err, errlen };
	const sl_parquet_node *nd = &m->nodes[i];
	for (int j = nd->lo; j < nd->hi; j++) {
		size_t s = cols[j].pos, e = s + 1;
		if (s >= cols[j].n || sl_parquet_rep_at(&cols[j], s) != 0)
			return bad(&c, i);
		while (e < cols[j].n && sl_parquet_rep_at(&cols[j], e) != 0)
			e++;
		scratch[2 * j] = s;
		scratch[2 * j + 1] = e;
		cols[j].pos = e;
	}
	if (nd->repetition == PQ_OPTIONAL && cols[nd->lo].def[scratch[2 * nd->lo]] < nd->def)
		return 0;
	return emit_field(&c, i, scratch, 0) < 0 ? -1 : 1;
}
