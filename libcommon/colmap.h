/* SPDX-License-Identifier: Apache-2.0 */
/*
 * colmap.h -- sl-map's logic: the plan that maps a load's source fields
 * onto a table's columns (the `columns` header: plain names by name,
 * `col = expr` derived columns, DEFAULT/NULL for the rest; the checks of
 * the load options that depend on the table), the table model's columns
 * (the hidden __DORIS_DELETE_SIGN__ and __DORIS_SEQUENCE_COL__, the
 * partial update mask, `negative`), and the mapping of one row through
 * it (casts, strict mode, NOT NULL, CHAR/VARCHAR lengths, the preceding
 * filter of http_stream). Planning happens once; per row nothing is
 * allocated: values point into the source fields, expression temporaries
 * live in an arena reset per row.
 */
#ifndef SL_COLMAP_H
#define SL_COLMAP_H

#include <stdint.h>

#include "io.h"
#include "frame.h"
#include "types.h"
#include "expr.h"
#include "schema.h"
#include "loadopt.h"
#include "stage.h"

/* How a column gets its value: a source field, a derived (`columns`)
 * expression, a constant (DEFAULT, NULL, the delete sign of
 * merge_type: DELETE), or a copy of an earlier column's final value (the
 * sequence column fed by the table's function_column.sequence_col). */
enum { SL_COLMAP_SRC, SL_COLMAP_EXPR, SL_COLMAP_CONST, SL_COLMAP_COPY };

/* unique_key_update_mode, in the order of its words (loadopt.c);
 * partial_columns: true without it is UPDATE_FIXED_COLUMNS. */
enum { SL_COLMAP_UPSERT, SL_COLMAP_FIXED, SL_COLMAP_FLEXIBLE };

/* The trailing column of partial update rows: one byte per table column,
 * '1' the row gives the column, '0' the stored value stays (design of the
 * store: man/sl-stream.5). */
#define SL_COLMAP_MASK_NAME "__SL_UPDATE_MASK__"

/* How one table column gets its value. */
typedef struct sl_colmap_col {
	int how;                /* SL_COLMAP_* */
	size_t idx;             /* SRC: source index; EXPR: derived index; COPY: column */
	sl_value cv;            /* CONST */
	const sl_column *c;
	int fast_string;        /* SRC into a string type: no cast */
	int is_string;          /* CHAR, VARCHAR, STRING */
	int limited;            /* CHAR, VARCHAR: length checked */
	sl_value dflt;          /* SRC: value of an absent source field */
	int kept;               /* UPDATE_FIXED_COLUMNS: not given, the stored value stays */
	int always;             /* partial rows: a key or the delete sign, always given */
	int negate;             /* `negative`: a SUM column's value times -1 */
	int pass;               /* SRC: a typed source field of this very type
				 * (sl_colmap_typed), decoded, no text round trip */
	unsigned __int128 lim;  /* pass, DECIMAL: 10^precision, the bound a
				 * decoded value must stay under */
} sl_colmap_col;

typedef struct sl_colmap_derived {
	char *name;
	sl_expr *e;
	long col;               /* table column, -1 if none */
} sl_colmap_derived;

typedef struct sl_colmap {
	const sl_schema *sch;
	sl_colmap_col *plan;    /* one per table column */
	char **srcs;            /* source names (owned, or the schema's) */
	size_t nsrc;
	int own_srcs;
	sl_colmap_derived *dvs;
	size_t ndv;
	int strict;
	int mode;               /* SL_COLMAP_UPSERT, _FIXED, _FLEXIBLE (after the plan) */
	long seq_dv;            /* the derived expression of the sequence column, -1 none */
	/* Partial update rows (mode FIXED or FLEXIBLE): the mask of the row
	 * (ncols bytes, see SL_COLMAP_MASK_NAME); NULL for full rows. */
	char *mask;
	int64_t now_us;
	/* http_stream's WHERE (SL_PRECEDING_FILTER): evaluated over the
	 * sources and derived names before conversion. */
	sl_expr *pre;
	uint64_t pre_unselected;
	/* The planning error (the first one), for when the stream starts. */
	sl_stage_err err;
	/* The load joins its table's group commit (SL_COLMAP_GC_SYNC or
	 * _ASYNC; 0: it commits alone): sl-map tells sl-txn in a C frame
	 * (GroupCommit: sync_mode | async_mode) before its header. */
	int group_commit;
	/* The table's live partitions (sl_part_list), which `partitions` and
	 * `temporary_partitions` must name; set by the caller before the plan
	 * when either header is given (NULL: an unpartitioned table's own). */
	const sl_partinfo *parts;
	size_t nparts;
	/* Per row: the values (one per table column), the expression scope,
	 * and a rejected row's reason and source text. */
	sl_value *out, *scope;
	sl_arena arena;
	sl_buf reason, src;
	/* Typed source fields (sl_colmap_typed): each source's type, kind
	 * SL_T_NULL for text; NULL when every field is text. srctext holds a
	 * typed field's text this row, where the text is needed. */
	sl_type *srct;
	sl_buf *srctext;
	size_t nsrct;           /* entries of both: the header's count or nsrc */
	/* Per row, one per table column: the source field whose bytes are
	 * the column's value as they stand (a typed field of the column's
	 * type, unchanged), for the writer to copy; p NULL otherwise. NULL
	 * when no field is typed. */
	sl_field *raw;
} sl_colmap;
#define SL_COLMAP_GC_SYNC 1
#define SL_COLMAP_GC_ASYNC 2
#define SL_COLMAP_ZERO { .arena = SL_ARENA_ZERO }

/* Keep a planning error (the first one wins). */
__attribute__((format(printf, 3, 4)))
void sl_colmap_set_err(sl_colmap *m, int flags, const char *fmt, ...);

/* The update mode the options ask for (SL_COLMAP_UPSERT, _FIXED,
 * _FLEXIBLE); an invalid unique_key_update_mode reads as UPSERT. */
int sl_colmap_mode(const sl_loadopts *lo);

/* The source fields of a load without `columns`: the table's visible
 * columns, then the hidden ones hidden_columns names (in its order,
 * blanks ignored, any case; other names skipped), or with
 * UPDATE_FLEXIBLE_COLUMNS __DORIS_DELETE_SIGN__ and, for a table with a
 * sequence_type, __DORIS_SEQUENCE_COL__. names[] (room for sch->ncols)
 * gets the schema's names; returns their number. sl-parse names a JSON
 * load's keys with it. */
size_t sl_colmap_positional(const sl_schema *sch, const sl_loadopts *lo, const char **names);

/* Plan the load of sch (which must outlive m) with options lo (parsed
 * for SL_LO_MAP) in zone default_tz when the load names none (sets the
 * process's zone, types.h). 1 planned, or a planning error kept in m->err;
 * -1 ENOMEM. */
int sl_colmap_plan(sl_colmap *m, const sl_schema *sch, const sl_loadopts *lo, const char *default_tz);

/* Map a row of m->nsrc source fields (the caller checks the count).
 * 1 mapped: m->out holds the values (and m->mask the row's mask, if
 * partial); 0 rejected: m->reason says why and
 * m->src holds the source as the error log shows it; 2 dropped by the
 * preceding filter (counted in m->pre_unselected); -1 ENOMEM. */
int sl_colmap_row(sl_colmap *m, const sl_field *f);

/* The source fields come typed (sl-parse's SL_H_TYPED rows of a columnar
 * file): types[i] is source i's type, STRING (or any string type) for a
 * text field, else the field holds that type's binary encoding (one of
 * colfile.h's typed kinds: INT, BIGINT, TINYINT, SMALLINT, DECIMAL,
 * DATE). A column fed by a source of its very type takes the decoded
 * value; every other use of the field (a cast to another type, the
 * `columns` expressions, the preceding filter, a rejected row's source
 * text) takes the field's text as the columnar reader writes it
 * (sl_colval_typed_text), so that the rows, the strict_mode filtering and
 * the reasons are those of the text fields. After the plan, once. 1; 0 a
 * type is not one of those (or called twice); -1 ENOMEM. */
int sl_colmap_typed(sl_colmap *m, const sl_type *types, size_t n);
/* Source i of the row f as text (a typed field's text, else the field
 * itself). 1; -1 (ENOMEM; EPROTO a typed field of the wrong length). */
int sl_colmap_src_text(sl_colmap *m, const sl_field *f, size_t i, sl_field *out);

void sl_colmap_free(sl_colmap *m);

#endif
