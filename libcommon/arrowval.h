/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrowval.h -- the Doris type texts and value texts of Arrow arrays
 * (colfile.h's table), and the schema's fields and a batch's arrays
 * they are read from, for the Arrow IPC stream reader (arrow.c).
 */
#ifndef SL_ARROWVAL_H
#define SL_ARROWVAL_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "field.h"

/* Arrow's Type union, in its own numbering (Schema.fbs). */
enum { SL_AT_NULL = 1, SL_AT_INT, SL_AT_FLOAT, SL_AT_BINARY, SL_AT_UTF8, SL_AT_BOOL, SL_AT_DECIMAL,
	SL_AT_DATE, SL_AT_TIME, SL_AT_TIMESTAMP, SL_AT_INTERVAL, SL_AT_LIST, SL_AT_STRUCT, SL_AT_UNION,
	SL_AT_FIXEDBIN, SL_AT_FIXEDLIST, SL_AT_MAP, SL_AT_DURATION, SL_AT_LARGEBIN, SL_AT_LARGEUTF8,
	SL_AT_LARGELIST };

/* A field of the schema. */
typedef struct sl_afield {
	char *name;
	int type;
	int bits, sign;         /* INT; DECIMAL, TIME bit width; FLOAT precision (0 half, 1, 2) */
	int unit;               /* DATE, TIME, TIMESTAMP, DURATION, INTERVAL */
	int prec, scale;        /* DECIMAL */
	int zoned;              /* TIMESTAMP with a zone: a UTC instant */
	int32_t width;          /* FIXEDBIN bytes, FIXEDLIST items */
	int dense;              /* UNION */
	int32_t *ids;           /* UNION type ids, nkids of them */
	int dict;               /* dictionary-encoded: the values come from dict_id */
	int64_t dict_id;
	int ibits, isign;       /* the index type */
	struct sl_afield *kids;
	size_t nkids;
} sl_afield;

/* One array of a batch (IPC arrays have no offset). */
typedef struct sl_aarr {
	const sl_afield *f;
	int64_t len;
	const uint8_t *valid;           /* NULL: no nulls */
	const uint8_t *b1, *b2;         /* data; or offsets / union type ids, then data / offsets */
	size_t n1, n2;
	struct sl_aarr *kids;
	const struct sl_aarr *dict;     /* an index array: the dictionary's values */
} sl_aarr;

/* The Doris type text of f (appended). 1; -1 ENOMEM. */
int sl_arrowval_type(sl_buf *b, const sl_afield *f);
/* Value i of a: its text appended to b (json: as a JSON value inside a
 * nested one). 1; 0 NULL (nothing appended); -1 with err filled (an offset
 * outside its buffer, a value out of its type's range, ENOMEM). */
int sl_arrowval_text(sl_buf *b, const sl_aarr *a, int64_t i, int json, int depth, char *err, size_t errlen);

/* A top-level field's typed field kind (colfile.h sl_colinfo.typed): the
 * sl_tkind of signed integers (TINYINT..BIGINT), 128-bit decimals of
 * precision <= 38, dates; 0 the field stays text (dictionary-encoded ones
 * too). */
int sl_arrowval_typed(const sl_afield *f);
/* Row i of n top-level arrays as a row's fields, each copied only where
 * it must be: kinds[k] (the field's sl_arrowval_typed, or 0) != 0, the
 * typed field written to bufs[k]; a plain string or binary, its bytes
 * where they lie in the batch; anything else its text (sl_arrowval_text)
 * in bufs[k]; NULL n == SL_NULL_LEN. Each bufs[k] is emptied first;
 * out[k] valid until bufs[k] or the batch changes. One call a row, so
 * that the per-value work inlines into one loop. 1; -1 with err (an
 * offset outside its buffer, a value out of its type's range, ENOMEM). */
int sl_arrowval_row(sl_buf *bufs, const sl_aarr *cols, const int *kinds, size_t n, int64_t i, sl_field *out,
	char *err, size_t errlen);

#endif
