/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquetval.h -- a parquet leaf value as its Doris text (the table in
 * colfile.h), by physical and logical type, and a column's Doris type
 * text (nested columns as ARRAY<...>, MAP<...>, STRUCT<...>).
 */
#ifndef SL_PARQUETVAL_H
#define SL_PARQUETVAL_H

#include "parquetdef.h"

/* append v's text to b. 1; -1 with err (a value out of its type's range,
 * an unsupported type, ENOMEM). */
int sl_parquetval_text(sl_buf *b, const sl_parquet_node *nd, sl_parquet_val v, char *err, size_t errlen);
/* 1 when the leaf's text is a JSON number as it is (integers, decimals,
 * finite floats), 2 a boolean, 0 a string to quote */
int sl_parquetval_json_kind(const sl_parquet_node *nd);
/* 1 when a value's text is its bytes as they are (strings, binary) */
int sl_parquetval_is_bytes(const sl_parquet_node *nd);
/* a flat leaf's typed field kind (colfile.h sl_colinfo.typed): the
 * sl_tkind of INT32/INT64 integers that fit their type (INT, BIGINT),
 * DECIMAL in INT32/INT64 of precision <= 38, DATE; 0 the leaf stays text */
int sl_parquetval_typed(const sl_parquet_node *nd);
/* the Doris type text of node i of m appended to b: 1; -1 ENOMEM or a
 * malformed LIST/MAP (err) */
int sl_parquetval_type(sl_buf *b, const sl_parquet_meta *m, int i, char *err, size_t errlen);

/* the repeated child of a LIST or MAP group i (its key_value for a MAP):
 * its node index; -1 malformed (err) */
int sl_parquetval_repeated(const sl_parquet_meta *m, int i, char *err, size_t errlen);
/* the element of LIST i whose repeated child is rep (parquet's
 * backward-compatibility rules): rep itself, or rep's one child */
int sl_parquetval_list_elem(const sl_parquet_meta *m, int list, int rep);

#endif
