/* SPDX-License-Identifier: Apache-2.0 */
/* parquetval.c -- parquet values and types as Doris texts (parquetval.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "colval.h"
#include "parquetval.h"
#include "types.h"

/* julian day of 1970-01-01 (INT96 timestamps count julian days) */
#define JULIAN_EPOCH 2440588

static int64_t le_int(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * n);
	return (int64_t)v;
}

/* a count of units since the epoch (or midnight) split into seconds and
 * nanoseconds, rounding toward minus infinity */
static void split_units(int64_t v, int unit, int64_t *secs, uint32_t *nanos)
{
	int64_t per = unit == PQU_MILLIS ? 1000 : unit == PQU_MICROS ? 1000000 : 1000000000;
	int64_t s = v / per, r = v % per;
	if (r < 0) {
		s--;
		r += per;
	}
	*secs = s;
	*nanos = (uint32_t)(r * (1000000000 / per));
}

static int digits_of(int unit)
{
	return unit == PQU_MILLIS ? 3 : 6;
}

static int int_text(sl_buf *b, const sl_parquet_node *nd, int64_t v)
{
	int64_t secs;
	uint32_t nanos;
	switch (nd->logical) {
	case PQL_INTEGER:
		if (!nd->is_signed)
			return sl_colval_uint(b, nd->type == PQ_INT32 ? (uint64_t)(uint32_t)v : (uint64_t)v);
		return sl_colval_int(b, v);
	case PQL_DECIMAL:
		return sl_colval_decimal64(b, v, nd->scale);
	case PQL_DATE:
		return sl_colval_date(b, v);
	case PQL_TIME:
		return sl_colval_time(b, nd->unit == PQU_MILLIS ? v * 1000000 : nd->unit == PQU_MICROS
			? v * 1000 : v, digits_of(nd->unit));
	case PQL_TIMESTAMP:
		split_units(v, nd->unit, &secs, &nanos);
		return sl_colval_timestamp(b, secs, nanos, digits_of(nd->unit), nd->utc);
	default:
		return sl_colval_int(b, v);
	}
}

static int bytes_text(sl_buf *b, const sl_parquet_node *nd, sl_parquet_val v)
{
	if (nd->logical == PQL_DECIMAL) {
		if (v.n == 0 || v.n > 32) {
			errno = EINVAL;
			return -1;
		}
		return sl_colval_decimal(b, v.p, v.n, 0, nd->scale);
	}
	if (nd->logical == PQL_UUID && v.n == 16)
		return sl_colval_uuid(b, v.p);
	if (nd->logical == PQL_FLOAT16 && v.n == 2)
		return sl_colval_half(b, (uint16_t)(v.p[0] | v.p[1] << 8));
	return sl_buf_put(b, v.p, v.n) < 0 ? -1 : 1;
}

int sl_parquetval_text(sl_buf *b, const sl_parquet_node *nd, sl_parquet_val v, char *err, size_t errlen)
{
	int rc;
	float f;
	double d;
	errno = 0;
	switch (nd->type) {
	case PQ_BOOLEAN:
		rc = sl_colval_int(b, v.p[0]);
		break;
	case PQ_INT32: case PQ_INT64:
		rc = int_text(b, nd, le_int(v.p, (int)v.n));
		break;
	case PQ_INT96: {
		int64_t nanos = le_int(v.p, 8), days = le_int(v.p + 8, 4) - JULIAN_EPOCH;
		if (nanos < 0 || nanos >= 86400LL * 1000000000) {
			errno = EINVAL;
			rc = -1;
			break;
		}
		rc = sl_colval_timestamp(b, days * 86400 + nanos / 1000000000,
			(uint32_t)(nanos % 1000000000), 6, 1);
		break;
	}
	case PQ_FLOAT:
		memcpy(&f, v.p, 4);
		rc = sl_colval_float(b, f);
		break;
	case PQ_DOUBLE:
		memcpy(&d, v.p, 8);
		rc = sl_colval_double(b, d);
		break;
	default:
		if (nd->logical == PQL_INTERVAL) {
			snprintf(err, errlen, "column %s: the INTERVAL type is not supported yet", nd->name);
			return -1;
		}
		rc = bytes_text(b, nd, v);
	}
	if (rc < 0)
		snprintf(err, errlen, "column %s: %s", nd->name, errno == EINVAL
			? "a value out of its type's range" : strerror(errno ? errno : ENOMEM));
	return rc < 0 ? -1 : 1;
}

int sl_parquetval_typed(const sl_parquet_node *nd)
{
	int wide = nd->type == PQ_INT64;
	if (nd->type != PQ_INT32 && !wide)
		return 0;
	switch (nd->logical) {
	case PQL_NONE:
		return wide ? SL_T_BIGINT : SL_T_INT;
	case PQL_INTEGER:
		return nd->is_signed && nd->bits == (wide ? 64 : 32) ? (wide ? SL_T_BIGINT : SL_T_INT) : 0;
	case PQL_DECIMAL:
		return nd->precision >= 1 && nd->precision <= 38 && nd->scale >= 0 && nd->scale <= nd->precision
			? SL_T_DECIMAL : 0;
	case PQL_DATE:
		return wide ? 0 : SL_T_DATE;
	default:
		return 0;
	}
}

int sl_parquetval_json_kind(const sl_parquet_node *nd)
{
	if (nd->type == PQ_BOOLEAN)
		return 2;
	if (nd->logical == PQL_DECIMAL)
		return 1;
	if (nd->type == PQ_INT32 || nd->type == PQ_INT64)
		return nd->logical == PQL_NONE || nd->logical == PQL_INTEGER;
	return 0;
}

int sl_parquetval_is_bytes(const sl_parquet_node *nd)
{
	return (nd->type == PQ_BYTE_ARRAY || nd->type == PQ_FIXED) && nd->logical != PQL_DECIMAL
		&& nd->logical != PQL_UUID && nd->logical != PQL_FLOAT16 && nd->logical != PQL_INTERVAL;
}

static const char *int_type(const sl_parquet_node *nd)
{
	if (nd->logical != PQL_INTEGER)
		return nd->type == PQ_INT32 ? "INT" : "BIGINT";
	int bits = nd->bits + !nd->is_signed;   /* an unsigned one needs a wider type */
	return bits <= 8 ? "TINYINT" : bits <= 16 ? "SMALLINT" : bits <= 32 ? "INT"
		: bits <= 64 ? "BIGINT" : "LARGEINT";
}

static int leaf_type(sl_buf *b, const sl_parquet_node *nd)
{
	switch (nd->logical) {
	case PQL_DECIMAL: return sl_buf_printf(b, "DECIMAL(%d,%d)", nd->precision, nd->scale);
	case PQL_DATE: return sl_buf_puts(b, "DATE");
	case PQL_TIME: return sl_buf_printf(b, "TIME(%d)", digits_of(nd->unit));
	case PQL_TIMESTAMP: return sl_buf_printf(b, "DATETIME(%d)", digits_of(nd->unit));
	case PQL_JSON: return sl_buf_puts(b, "JSON");
	case PQL_FLOAT16: return sl_buf_puts(b, "FLOAT");
	default: break;
	}
	switch (nd->type) {
	case PQ_BOOLEAN: return sl_buf_puts(b, "BOOLEAN");
	case PQ_INT32: case PQ_INT64: return sl_buf_puts(b, int_type(nd));
	case PQ_INT96: return sl_buf_puts(b, "DATETIME(6)");
	case PQ_FLOAT: return sl_buf_puts(b, "FLOAT");
	case PQ_DOUBLE: return sl_buf_puts(b, "DOUBLE");
	default: return sl_buf_puts(b, "STRING");
	}
}

int sl_parquetval_repeated(const sl_parquet_meta *m, int i, char *err, size_t errlen)
{
	const sl_parquet_node *nd = &m->nodes[i];
	const sl_parquet_node *r = nd->nchild == 1 ? &m->nodes[nd->child[0]] : NULL;
	if (!r || r->repetition != PQ_REPEATED
			|| (nd->logical == PQL_MAP && (r->nchild < 1 || r->nchild > 2))) {
		snprintf(err, errlen, "column %s: a malformed %s", nd->name,
			nd->logical == PQL_LIST ? "LIST" : "MAP");
		return -1;
	}
	return nd->child[0];
}

int sl_parquetval_list_elem(const sl_parquet_meta *m, int list, int rep)
{
	const sl_parquet_node *r = &m->nodes[rep];
	char tuple[300];
	snprintf(tuple, sizeof tuple, "%s_tuple", m->nodes[list].name);
	if (r->nchild != 1 || !strcmp(r->name, "array") || !strcmp(r->name, tuple))
		return rep;
	return r->child[0];
}

static int inner_type(sl_buf *b, const sl_parquet_meta *m, int i, char *err, size_t errlen);

int sl_parquetval_type(sl_buf *b, const sl_parquet_meta *m, int i, char *err, size_t errlen)
{
	/* a repeated field outside a LIST or MAP: an array of it */
	if (i > 0 && m->nodes[i].repetition == PQ_REPEATED)
		return sl_buf_puts(b, "ARRAY<") < 0 || inner_type(b, m, i, err, errlen) < 0
			|| sl_buf_putc(b, '>') < 0 ? -1 : 1;
	return inner_type(b, m, i, err, errlen);
}

static int inner_type(sl_buf *b, const sl_parquet_meta *m, int i, char *err, size_t errlen)
{
	const sl_parquet_node *nd = &m->nodes[i];
	if (nd->nchild == 0)
		return leaf_type(b, nd) < 0 ? -1 : 1;
	if (nd->logical == PQL_LIST || nd->logical == PQL_MAP) {
		int r = sl_parquetval_repeated(m, i, err, errlen);
		if (r < 0)
			return -1;
		const sl_parquet_node *kv = &m->nodes[r];
		if (nd->logical == PQL_LIST) {
			int e = sl_parquetval_list_elem(m, i, r);
			return sl_buf_puts(b, "ARRAY<") < 0 || (e == r ? inner_type(b, m, r, err, errlen)
				: sl_parquetval_type(b, m, e, err, errlen)) < 0 || sl_buf_putc(b, '>') < 0 ? -1 : 1;
		}
		/* a MAP without values reads as the list of its keys (as
		 * parquet-rs and arrow read it) */
		if (sl_buf_puts(b, kv->nchild == 2 ? "MAP<" : "ARRAY<") < 0
				|| sl_parquetval_type(b, m, kv->child[0], err, errlen) < 0)
			return -1;
		if (kv->nchild == 2 && (sl_buf_putc(b, ',') < 0
				|| sl_parquetval_type(b, m, kv->child[1], err, errlen) < 0))
			return -1;
		return sl_buf_putc(b, '>') < 0 ? -1 : 1;
	}
	if (sl_buf_puts(b, "STRUCT<") < 0)
		return -1;
	for (int k = 0; k < nd->nchild; k++) {
		if ((k && sl_buf_putc(b, ',') < 0) || sl_buf_printf(b, "%s:", m->nodes[nd->child[k]].name) < 0
				|| sl_parquetval_type(b, m, nd->child[k], err, errlen) < 0)
			return -1;
	}
	return sl_buf_putc(b, '>') < 0 ? -1 : 1;
}
