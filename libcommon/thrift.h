/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thrift.h -- a bounded reader of the Thrift compact protocol (the
 * encoding of parquet's footer and page headers). Every read is checked
 * against the end of the buffer and the nesting depth is limited; a
 * malformed input sets t->bad and the reads return zeros from then on.
 */
#ifndef SL_THRIFT_H
#define SL_THRIFT_H

#include <stddef.h>
#include <stdint.h>

/* field types of the compact protocol */
enum {
	SL_THRIFT_STOP = 0, SL_THRIFT_TRUE = 1, SL_THRIFT_FALSE = 2, SL_THRIFT_BYTE = 3,
	SL_THRIFT_I16 = 4, SL_THRIFT_I32 = 5, SL_THRIFT_I64 = 6, SL_THRIFT_DOUBLE = 7,
	SL_THRIFT_BINARY = 8, SL_THRIFT_LIST = 9, SL_THRIFT_SET = 10, SL_THRIFT_MAP = 11,
	SL_THRIFT_STRUCT = 12
};

typedef struct sl_thrift {
	const uint8_t *p, *end;
	int depth;              /* structs open, bounded by SL_THRIFT_MAX_DEPTH */
	int bad;                /* 1 once the input was found malformed */
} sl_thrift;

#define SL_THRIFT_MAX_DEPTH 64

void sl_thrift_init(sl_thrift *t, const void *p, size_t n);
/* The next field of the current struct: its id (> 0 expected), its type
 * in *type; 0 at the struct's end (STOP), -1 malformed. *last is the
 * previous field id of this struct (start it at 0). */
int sl_thrift_field(sl_thrift *t, int *last, int *type);
int64_t sl_thrift_int(sl_thrift *t);              /* i16, i32, i64 (zigzag varint) */
uint64_t sl_thrift_varint(sl_thrift *t);
int sl_thrift_byte(sl_thrift *t);
double sl_thrift_double(sl_thrift *t);
/* a binary/string: *p points into the buffer, *n bytes */
void sl_thrift_binary(sl_thrift *t, const uint8_t **p, uint32_t *n);
/* a list or set header: element type and count (bounded by the bytes
 * left: each element takes at least one byte) */
void sl_thrift_list(sl_thrift *t, int *etype, uint32_t *n);
/* a bool field's value: the field type carries it; a bool list element
 * is one byte */
int sl_thrift_bool(sl_thrift *t, int type);
/* skip a value of the type (structs, lists and maps recursively) */
void sl_thrift_skip(sl_thrift *t, int type);
/* open / close a nested struct (depth accounting) */
void sl_thrift_enter(sl_thrift *t);
void sl_thrift_leave(sl_thrift *t);

#endif
