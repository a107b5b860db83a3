/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model.h -- a table's model on encoded rows: the order-preserving
 * normalized key that sorts and merges segments with memcmp, and the fold
 * of rows with equal keys (UNIQUE: the newer row wins, or the one with the
 * larger sequence; the delete sign; partial-update masks; the AGGREGATE
 * functions).
 *
 * Rows are R frame payloads with every schema column (hidden ones
 * included), optionally followed by the partial-update mask: one STRING
 * field of exactly ncols bytes, '1' where the row gives the column, '0'
 * where the stored value is kept.
 *
 * Normalized key, per key column: 0x00 for NULL; else 0x01 then the value:
 * integers, decimals, dates big-endian with the sign bit flipped; floats
 * by value (the sign-flip-or-invert of their bits, -0 as 0); strings their
 * bytes, with 0x00 written 0x00 0xFF and a 0x00 0x00 terminator except in
 * the last key column. memcmp (shorter first on a tie) then orders keys as
 * the segments are sorted: NULL first, then by value.
 */
#ifndef SL_MODEL_H
#define SL_MODEL_H

#include <stddef.h>

#include "io.h"
#include "field.h"
#include "schema.h"

/* The partial-update mask column's name (H frames, segment headers). */
#define SL_MODEL_MASK_COL "__SL_UPDATE_MASK__"

typedef struct sl_model_ctx {
	const sl_schema *sch;
	size_t ncols, nkeys;
	int kind;               /* enum sl_model */
	/* the fold in progress */
	sl_field *cur;          /* ncols values of the folded row */
	sl_field *in;           /* a row being added: ncols + 1 */
	char *mask;             /* ncols bytes when partial */
	int partial, nrows;
	const char *orig;       /* a row whose fields m->cur are, all of them */
	size_t origlen;
	int whole;              /* m->cur is exactly orig's fields */
	char (*fix)[16];        /* computed fixed-width values, per column */
	sl_buf *var;            /* computed BITMAP/HLL values, per column */
	/* BITMAP_UNION / HLL_UNION of a key with many rows: the union so
	 * far, decoded (sl_bitmap / sl_hll), per column; encoded once at the
	 * fold's end, so folding n values costs O(n), not O(n^2) */
	void **acc;
	sl_buf tmp;
} sl_model_ctx;

/* The model of sch (kept by pointer: it must outlive m). 1, -1 ENOMEM. */
int sl_model_init(sl_model_ctx *m, const sl_schema *sch);
void sl_model_free(sl_model_ctx *m);

/* Append the normalized key of the row p[0..len) to out. 1, -1 errno
 * (EPROTO: a key field that is not a field of its type; ENOMEM). */
int sl_model_key(const sl_model_ctx *m, const char *p, size_t len, sl_buf *out);
/* Append the normalized key's first part for value v of the first key
 * column (as sl_model_key writes it at the start of a row's key): keys
 * whose first column is v start with these bytes, and with one key column
 * they are the whole key. 1, -1 errno. */
int sl_model_key_first(const sl_model_ctx *m, sl_field v, sl_buf *out);
/* Compare two normalized keys: memcmp order, the shorter first on a tie.
 * <0, 0, >0. */
int sl_model_keycmp(const sl_buf *a, const sl_buf *b);
/* Compare two encoded values of type t: NULL first, then as the
 * normalized key orders them. <0, 0, >0. */
int sl_model_cmp(const sl_type *t, sl_field a, sl_field b);

/* The fold of rows with one key: start with the oldest, add newer ones
 * in age order, end. Row bytes must stay valid until the end.
 * 1, -1 errno (EPROTO: not a row of the table; EINVAL: an aggregate the
 * column's type cannot take; ENOMEM). */
int sl_model_fold_start(sl_model_ctx *m, const char *p, size_t len);
int sl_model_fold_add(sl_model_ctx *m, const char *p, size_t len);
/* The folded row in *p, *len: the only row added when it comes out
 * unchanged, else built in out (cleared first). With mask_out the row
 * has the mask column (its own, or all '1' when it is full); without, a
 * row still partial comes out as the full row its values make. Without
 * keep a row whose delete sign is set is hidden (0).
 * 1 a row, 0 hidden, -1 ENOMEM. */
int sl_model_fold_end(sl_model_ctx *m, int keep, int mask_out, sl_buf *out, const char **p,
	size_t *len);

#endif
