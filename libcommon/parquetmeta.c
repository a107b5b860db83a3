/* SPDX-License-Identifier: Apache-2.0 */
/* parquetmeta.c -- parquet's FileMetaData read with the compact protocol (parquetmeta.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parquetmeta.h"
#include "thrift.h"

/* nesting of the schema tree (a deeper file is refused) */
#define PQ_MAX_NEST 32

static void time_unit(sl_thrift *t, int *unit)
{
	int last = 0, ft, id;
	sl_thrift_enter(t);
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		if (ft == SL_THRIFT_STRUCT && id >= 1 && id <= 3)
			*unit = id;
		sl_thrift_skip(t, ft);
	}
	sl_thrift_leave(t);
}

/* TIME / TIMESTAMP: isAdjustedToUTC, unit */
static void time_type(sl_thrift *t, sl_parquet_node *nd)
{
	int last = 0, ft, id;
	sl_thrift_enter(t);
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		if (id == 1 && (ft == SL_THRIFT_TRUE || ft == SL_THRIFT_FALSE))
			nd->utc = sl_thrift_bool(t, ft);
		else if (id == 2 && ft == SL_THRIFT_STRUCT)
			time_unit(t, &nd->unit);
		else
			sl_thrift_skip(t, ft);
	}
	sl_thrift_leave(t);
}

static void logical_type(sl_thrift *t, sl_parquet_node *nd)
{
	int last = 0, ft, id;
	sl_thrift_enter(t);
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		if (ft != SL_THRIFT_STRUCT) {
			sl_thrift_skip(t, ft);
			continue;
		}
		nd->logical = id;
		if (id == PQL_TIME || id == PQL_TIMESTAMP) {
			time_type(t, nd);
			continue;
		}
		if (id != PQL_DECIMAL && id != PQL_INTEGER) {
			sl_thrift_skip(t, ft);
			continue;
		}
		int l2 = 0, f2, i2;
		sl_thrift_enter(t);
		while ((i2 = sl_thrift_field(t, &l2, &f2)) > 0) {
			if (id == PQL_DECIMAL && i2 == 1 && f2 == SL_THRIFT_I32)
				nd->scale = (int)sl_thrift_int(t);
			else if (id == PQL_DECIMAL && i2 == 2 && f2 == SL_THRIFT_I32)
				nd->precision = (int)sl_thrift_int(t);
			else if (id == PQL_INTEGER && i2 == 1 && f2 == SL_THRIFT_BYTE)
				nd->bits = sl_thrift_byte(t);
			else if (id == PQL_INTEGER && i2 == 2 && f2 != SL_THRIFT_STRUCT)
				nd->is_signed = sl_thrift_bool(t, f2);
			else
				sl_thrift_skip(t, f2);
		}
		sl_thrift_leave(t);
	}
	sl_thrift_leave(t);
}

/* the converted type (the older annotation) onto the logical one */
static void converted(sl_parquet_node *nd, int ct)
{
	static const struct { int logical, unit, bits, is_signed; } map[] = {
		[0] = { PQL_STRING, 0, 0, 0 }, [1] = { PQL_MAP, 0, 0, 0 }, [2] = { PQL_MAP, 0, 0, 0 },
		[3] = { PQL_LIST, 0, 0, 0 }, [4] = { PQL_ENUM, 0, 0, 0 }, [5] = { PQL_DECIMAL, 0, 0, 0 },
		[6] = { PQL_DATE, 0, 0, 0 }, [7] = { PQL_TIME, PQU_MILLIS, 0, 0 },
		[8] = { PQL_TIME, PQU_MICROS, 0, 0 }, [9] = { PQL_TIMESTAMP, PQU_MILLIS, 0, 0 },
		[10] = { PQL_TIMESTAMP, PQU_MICROS, 0, 0 }, [11] = { PQL_INTEGER, 0, 8, 0 },
		[12] = { PQL_INTEGER, 0, 16, 0 }, [13] = { PQL_INTEGER, 0, 32, 0 },
		[14] = { PQL_INTEGER, 0, 64, 0 }, [15] = { PQL_INTEGER, 0, 8, 1 },
		[16] = { PQL_INTEGER, 0, 16, 1 }, [17] = { PQL_INTEGER, 0, 32, 1 },
		[18] = { PQL_INTEGER, 0, 64, 1 }, [19] = { PQL_JSON, 0, 0, 0 },
		[20] = { PQL_BSON, 0, 0, 0 }, [21] = { PQL_INTERVAL, 0, 0, 0 },
	};
	if (nd->logical != PQL_NONE || ct < 0 || ct >= (int)(sizeof map / sizeof map[0]))
		return;
	nd->logical = map[ct].logical;
	nd->unit = map[ct].unit;
	nd->bits = map[ct].bits;
	nd->is_signed = map[ct].is_signed;
	/* the converted timestamps are instants (parquet's compatibility rule) */
	nd->utc = nd->logical == PQL_TIMESTAMP;
}

static int schema_element(sl_thrift *t, sl_parquet_node *nd)
{
	int last = 0, ft, id, ct = -1, scale = 0, precision = 0;
	memset(nd, 0, sizeof *nd);
	nd->type = -1;
	nd->leaf = -1;
	sl_thrift_enter(t);
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		if (id == 1 && ft == SL_THRIFT_I32)
			nd->type = (int)sl_thrift_int(t);
		else if (id == 2 && ft == SL_THRIFT_I32)
			nd->type_length = (int)sl_thrift_int(t);
		else if (id == 3 && ft == SL_THRIFT_I32)
			nd->repetition = (int)sl_thrift_int(t);
		else if (id == 4 && ft == SL_THRIFT_BINARY) {
			const uint8_t *s;
			uint32_t n;
			sl_thrift_binary(t, &s, &n);
			free(nd->name);
			if (!(nd->name = strndup((const char *)s, n)))
				return -1;
		} else if (id == 5 && ft == SL_THRIFT_I32)
			nd->nchild = (int)sl_thrift_int(t);
		else if (id == 6 && ft == SL_THRIFT_I32)
			ct = (int)sl_thrift_int(t);
		else if (id == 7 && ft == SL_THRIFT_I32)
			scale = (int)sl_thrift_int(t);
		else if (id == 8 && ft == SL_THRIFT_I32)
			precision = (int)sl_thrift_int(t);
		else if (id == 10 && ft == SL_THRIFT_STRUCT)
			logical_type(t, nd);
		else
			sl_thrift_skip(t, ft);
	}
	sl_thrift_leave(t);
	converted(nd, ct);
	if (nd->logical == PQL_DECIMAL && !nd->precision) {
		nd->scale = scale;
		nd->precision = precision;
	}
	if (!nd->name && !(nd->name = strdup("")))
		return -1;
	return 0;
}

static int chunk_meta(sl_thrift *t, sl_parquet_chunk *c)
{
	int last = 0, ft, id;
	sl_thrift_enter(t);
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		if (id == 1 && ft == SL_THRIFT_I32)
			c->type = (int)sl_thrift_int(t);
		else if (id == 4 && ft == SL_THRIFT_I32)
			c->codec = (int)sl_thrift_int(t);
		else if (id == 5 && ft == SL_THRIFT_I64)
			c->num_values = sl_thrift_int(t);
		else if (id == 7 && ft == SL_THRIFT_I64)
			c->size = sl_thrift_int(t);
		else if (id == 9 && ft == SL_THRIFT_I64)
			c->data_off = sl_thrift_int(t);
		else if (id == 11 && ft == SL_THRIFT_I64)
			c->dict_off = sl_thrift_int(t);
		else
			sl_thrift_skip(t, ft);
	}
	sl_thrift_leave(t);
	return 0;
}

static int column_chunk(sl_thrift *t, sl_parquet_chunk *c, int *has_meta)
{
	int last = 0, ft, id;
	sl_thrift_enter(t);
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		if (id == 3 && ft == SL_THRIFT_STRUCT) {
			chunk_meta(t, c);
			*has_meta = 1;
		} else
			sl_thrift_skip(t, ft);
	}
	sl_thrift_leave(t);
	return 0;
}

static int row_group(sl_thrift *t, sl_parquet_meta *m, sl_parquet_rg *rg, char *err, size_t errlen)
{
	int last = 0, ft, id;
	sl_thrift_enter(t);
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		if (id == 1 && ft == SL_THRIFT_LIST) {
			int et;
			uint32_t n;
			sl_thrift_list(t, &et, &n);
			if (t->bad)
				break;
			if (et != SL_THRIFT_STRUCT || (int)n != m->nleaves || rg->cols) {
				snprintf(err, errlen, "a row group has %u column chunks, the schema %d columns",
					n, m->nleaves);
				return -1;
			}
			if (n && !(rg->cols = calloc(n, sizeof *rg->cols)))
				return -1;
			for (uint32_t i = 0; i < n && !t->bad; i++) {
				int has = 0;
				column_chunk(t, &rg->cols[i], &has);
				if (!has && !t->bad) {
					snprintf(err, errlen, "a column chunk without its metadata (in another file) is not supported");
					return -1;
				}
			}
		} else if (id == 2 && ft == SL_THRIFT_I64)
			rg->bytes = sl_thrift_int(t);
		else if (id == 3 && ft == SL_THRIFT_I64)
			rg->nrows = sl_thrift_int(t);
		else
			sl_thrift_skip(t, ft);
	}
	sl_thrift_leave(t);
	if (!t->bad && !rg->cols && m->nleaves) {
		snprintf(err, errlen, "a row group without columns");
		return -1;
	}
	return 0;
}

/* parent, children, levels and leaves from the depth-first list */
static int build_tree(sl_parquet_meta *m, char *err, size_t errlen)
{
	int stack[PQ_MAX_NEST + 1], left[PQ_MAX_NEST + 1], top = 0, nleaves = 0;
	if (m->nnodes < 1 || m->nodes[0].nchild < 0) {
		snprintf(err, errlen, "the schema is empty");
		return -1;
	}
	for (int i = 0; i < m->nnodes; i++) {
		sl_parquet_node *nd = &m->nodes[i];
		if (nd->nchild < 0 || nd->nchild > m->nnodes || (nd->nchild == 0 && nd->type < 0 && i > 0)
				|| nd->type > PQ_FIXED || nd->repetition < 0 || nd->repetition > 2) {
			snprintf(err, errlen, "the schema's element %d (%s) is malformed", i, nd->name);
			return -1;
		}
	}
	stack[0] = 0;
	left[0] = m->nodes[0].nchild;
	m->nodes[0].parent = -1;
	if (left[0] && !(m->nodes[0].child = calloc((size_t)left[0], sizeof(int))))
		return -1;
	for (int i = 1; i < m->nnodes; i++) {
		while (top >= 0 && left[top] == 0)
			top--;
		if (top < 0) {
			snprintf(err, errlen, "the schema has elements outside its tree");
			return -1;
		}
		int p = stack[top];
		sl_parquet_node *nd = &m->nodes[i], *pn = &m->nodes[p];
		pn->child[pn->nchild - left[top]--] = i;
		nd->parent = p;
		nd->def = pn->def + (nd->repetition != PQ_REQUIRED);
		nd->rep = pn->rep + (nd->repetition == PQ_REPEATED);
		if (nd->nchild > 0) {
			if (top + 1 > PQ_MAX_NEST) {
				snprintf(err, errlen, "the schema nests deeper than %d", PQ_MAX_NEST);
				return -1;
			}
			if (!(nd->child = calloc((size_t)nd->nchild, sizeof(int))))
				return -1;
			stack[++top] = i;
			left[top] = nd->nchild;
		} else {
			nd->leaf = nleaves++;
			if (nd->type < 0) {
				snprintf(err, errlen, "the schema's leaf %s has no type", nd->name);
				return -1;
			}
		}
	}
	while (top >= 0 && left[top] == 0)
		top--;
	if (top >= 0) {
		snprintf(err, errlen, "the schema lists fewer elements than its groups have children");
		return -1;
	}
	m->nleaves = nleaves;
	if (nleaves && !(m->leaves = calloc((size_t)nleaves, sizeof(int))))
		return -1;
	for (int i = m->nnodes - 1; i >= 0; i--) {
		sl_parquet_node *nd = &m->nodes[i];
		if (nd->leaf >= 0) {
			m->leaves[nd->leaf] = i;
			nd->lo = nd->leaf;
			nd->hi = nd->leaf + 1;
		} else if (nd->nchild > 0) {
			nd->lo = m->nodes[nd->child[0]].lo;
			nd->hi = m->nodes[nd->child[nd->nchild - 1]].hi;
		}
	}
	return 0;
}

/* Old parquet-mr writers left the dictionary page's header out of a
 * chunk's size (PARQUET-816): a chunk's pages may run this far past it,
 * never past the file's data. */
#define PQ_CHUNK_SLACK 100

static int check_chunks(sl_parquet_meta *m, uint64_t fsize, char *err, size_t errlen)
{
	for (int g = 0; g < m->nrg; g++) {
		if (m->rgs[g].nrows < 0) {
			snprintf(err, errlen, "row group %d has a negative row count", g);
			return -1;
		}
		for (int c = 0; c < m->nleaves; c++) {
			sl_parquet_chunk *k = &m->rgs[g].cols[c];
			if (k->num_values == 0)
				continue;   /* nothing to read, wherever it says */
			int64_t start = k->dict_off > 0 && k->dict_off < k->data_off ? k->dict_off : k->data_off;
			if (start < 4 || k->size < 0 || (uint64_t)start > fsize
					|| (uint64_t)k->size > fsize - (uint64_t)start || k->num_values < 0) {
				snprintf(err, errlen, "column chunk %d of row group %d lies outside the file", c, g);
				return -1;
			}
			k->start = start;
			k->avail = k->size;
			if ((uint64_t)(k->size + PQ_CHUNK_SLACK) <= fsize - (uint64_t)start)
				k->avail = k->size + PQ_CHUNK_SLACK;
		}
	}
	return 0;
}

static int file_meta(sl_thrift *t, sl_parquet_meta *m, char *err, size_t errlen)
{
	int last = 0, ft, id;
	while ((id = sl_thrift_field(t, &last, &ft)) > 0) {
		int et;
		uint32_t n;
		if (id == 2 && ft == SL_THRIFT_LIST && !m->nodes) {
			sl_thrift_list(t, &et, &n);
			if (t->bad || et != SL_THRIFT_STRUCT || n == 0)
				break;
			if (!(m->nodes = calloc(n, sizeof *m->nodes)))
				return -1;
			m->nnodes = (int)n;
			for (uint32_t i = 0; i < n && !t->bad; i++)
				if (schema_element(t, &m->nodes[i]) < 0)
					return -1;
			if (!t->bad && build_tree(m, err, errlen) < 0)
				return -1;
		} else if (id == 3 && ft == SL_THRIFT_I64)
			m->num_rows = sl_thrift_int(t);
		else if (id == 4 && ft == SL_THRIFT_LIST && m->nodes && !m->rgs) {
			sl_thrift_list(t, &et, &n);
			if (t->bad || et != SL_THRIFT_STRUCT)
				break;
			if (n && !(m->rgs = calloc(n, sizeof *m->rgs)))
				return -1;
			m->nrg = (int)n;
			for (uint32_t i = 0; i < n && !t->bad; i++)
				if (row_group(t, m, &m->rgs[i], err, errlen) < 0)
					return -1;
		} else
			sl_thrift_skip(t, ft);
	}
	return 0;
}

int sl_parquetmeta_parse(const uint8_t *p, size_t n, uint64_t fsize, sl_parquet_meta *m,
	char *err, size_t errlen)
{
	sl_thrift t;
	memset(m, 0, sizeof *m);
	sl_thrift_init(&t, p, n);
	*err = 0;
	errno = 0;
	if (file_meta(&t, m, err, errlen) < 0) {
		if (!*err)
			snprintf(err, errlen, "%s", strerror(errno ? errno : ENOMEM));
		return -1;
	}
	if (t.bad || !m->nodes) {
		snprintf(err, errlen, "the footer (FileMetaData) is malformed");
		return -1;
	}
	return check_chunks(m, fsize, err, errlen);
}

void sl_parquetmeta_free(sl_parquet_meta *m)
{
	for (int i = 0; i < m->nnodes; i++) {
		free(m->nodes[i].name);
		free(m->nodes[i].child);
	}
	for (int i = 0; i < m->nrg; i++)
		free(m->rgs[i].cols);
	free(m->nodes);
	free(m->leaves);
	free(m->rgs);
	memset(m, 0, sizeof *m);
}
