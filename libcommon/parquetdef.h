/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquetdef.h -- the parquet reader's shared structures: the schema tree
 * and row groups of the footer (parquetmeta.c), one column chunk decoded
 * into levels and value slices (parquetpage.c, parquetenc.c), and the
 * value texts (parquetval.c). The reader itself is sl_parquet_open
 * (colfile.h).
 */
#ifndef SL_PARQUETDEF_H
#define SL_PARQUETDEF_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "io.h"

/* physical types */
enum { PQ_BOOLEAN, PQ_INT32, PQ_INT64, PQ_INT96, PQ_FLOAT, PQ_DOUBLE, PQ_BYTE_ARRAY, PQ_FIXED };
/* repetition */
enum { PQ_REQUIRED, PQ_OPTIONAL, PQ_REPEATED };
/* logical types (the LogicalType union's field ids; converted types are
 * mapped onto them) */
enum { PQL_NONE = 0, PQL_STRING = 1, PQL_MAP = 2, PQL_LIST = 3, PQL_ENUM = 4, PQL_DECIMAL = 5,
	PQL_DATE = 6, PQL_TIME = 7, PQL_TIMESTAMP = 8, PQL_INTEGER = 10, PQL_UNKNOWN = 11,
	PQL_JSON = 12, PQL_BSON = 13, PQL_UUID = 14, PQL_FLOAT16 = 15, PQL_INTERVAL = 100 };
/* time units */
enum { PQU_MILLIS = 1, PQU_MICROS = 2, PQU_NANOS = 3 };

typedef struct sl_parquet_node {
	char *name;
	int type;               /* physical type; -1 a group */
	int type_length;
	int repetition;
	int nchild;
	int *child;             /* node indices */
	int parent;             /* -1 the root */
	int logical, utc, unit, bits, is_signed, scale, precision;
	int def, rep;           /* max definition / repetition level at this node */
	int leaf;               /* index among the leaves, -1 a group */
	int lo, hi;             /* the leaves of the subtree: [lo, hi) */
} sl_parquet_node;

typedef struct sl_parquet_chunk {
	int codec;
	int type;
	int64_t num_values;
	int64_t data_off, dict_off, size;
	int64_t start, avail;    /* where its pages start; the bytes that may be read */
} sl_parquet_chunk;

typedef struct sl_parquet_rg {
	int64_t nrows;
	int64_t bytes;
	sl_parquet_chunk *cols;  /* nleaves */
} sl_parquet_rg;

typedef struct sl_parquet_meta {
	sl_parquet_node *nodes;
	int nnodes;
	int *leaves;            /* node index of each leaf column */
	int nleaves;
	sl_parquet_rg *rgs;
	int nrg;
	int64_t num_rows;
} sl_parquet_meta;

/* a value's bytes (plain little-endian for numbers) */
typedef struct sl_parquet_val { const uint8_t *p; uint32_t n; } sl_parquet_val;

/* One column chunk decoded: n level entries; value k of the entries whose
 * def == max def. Bytes live in the arena until the chunk is released.
 * The arrays a chunk does not need stay NULL (a row group of a wide table
 * is tens of megabytes of them, each page of which the kernel zeroes):
 * rep for a leaf that does not repeat (every level 0), vix for a chunk
 * whose every entry holds a value (entry i is value i). */
typedef struct sl_parquet_col {
	uint16_t *def, *rep;
	size_t n, cap;
	sl_parquet_val *v;
	size_t nv, vcap;
	sl_arena mem;
	uint32_t *vix;          /* n: the value index of each entry, or NULL */
	size_t pos;             /* the reader's cursor */
} sl_parquet_col;

/* entry i's repetition level and value index, whichever arrays are NULL */
static inline unsigned sl_parquet_rep_at(const sl_parquet_col *c, size_t i)
{
	return c->rep ? c->rep[i] : 0;
}

static inline size_t sl_parquet_vix_at(const sl_parquet_col *c, size_t i)
{
	return c->vix ? c->vix[i] : i;
}

#endif
