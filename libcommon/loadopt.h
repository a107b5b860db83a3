/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loadopt.h -- the load headers, one table: every Doris Stream Load header
 * a stage or launcher reads, with its type, its default, the messages an
 * invalid value gets (Doris's words) and the stages that use it. A stage
 * parses the headers once into an sl_loadopts and reads the values from
 * there; it asks for the verdict on each option it owns at the moment
 * Doris checks it (sl_loadopt_check), so which stage reports which error,
 * and whether before or after the transaction began, is the stage's call.
 * tests/loadopt.bats holds the man pages to this table.
 */
#ifndef SL_LOADOPT_H
#define SL_LOADOPT_H

#include <stddef.h>

#include "hdr.h"
#include "io.h"

/* The users of an option (bit mask). */
#define SL_LO_PARSE  0x01u
#define SL_LO_MAP    0x02u
#define SL_LO_FILTER 0x04u
#define SL_LO_TXN    0x08u
#define SL_LO_COMMIT 0x10u
#define SL_LO_LOAD   0x20u   /* the launchers (load.h: sl-load, sl-httpd) */
#define SL_LO_STAGES 0x1fu   /* every stage */

/* Value types. */
enum {
	SL_LOT_TEXT,     /* any text */
	SL_LOT_BOOL,     /* true (any case) is 1, anything else 0 */
	SL_LOT_TRUE,     /* exactly "true" is 1, anything else 0 (two_phase_commit) */
	SL_LOT_STRICT,   /* true or false (any case), else invalid */
	SL_LOT_INT32,    /* std::stoi, at least the row's min */
	SL_LOT_INT64,    /* std::stoll */
	SL_LOT_RATIO,    /* max_filter_ratio (sl_hdrs_ratio) */
	SL_LOT_SEP,      /* a separator (sl_sep_parse): bytes, not empty */
	SL_LOT_CHAR,     /* exactly one byte */
	SL_LOT_ENUM,     /* one of the row's words, any case */
	SL_LOT_COLUMNS   /* `columns`: items split at top-level commas */
};

/* The option ids, in table order. */
enum {
	SL_LO_FORMAT, SL_LO_COMPRESS_TYPE, SL_LO_ENCLOSE, SL_LO_ESCAPE, SL_LO_SKIP_LINES,
	SL_LO_COLUMN_SEPARATOR, SL_LO_LINE_DELIMITER, SL_LO_TRIM_DOUBLE_QUOTES,
	SL_LO_EMPTY_FIELD_AS_NULL, SL_LO_READ_JSON_BY_LINE, SL_LO_STRIP_OUTER_ARRAY,
	SL_LO_JSONPATHS, SL_LO_JSON_ROOT, SL_LO_JQ, SL_LO_JSON_RECORD_MAX_BYTES, SL_LO_FUZZY_PARSE,
	SL_LO_COLUMNS, SL_LO_HIDDEN_COLUMNS, SL_LO_GROUP_COMMIT, SL_LO_PARTITIONS, SL_LO_TEMPORARY_PARTITIONS,
	SL_LO_UNIQUE_KEY_UPDATE_MODE, SL_LO_PARTIAL_UPDATE_NEW_KEY_BEHAVIOR,
	SL_LO_LOAD_TO_SINGLE_TABLET, SL_LO_STRICT_MODE, SL_LO_MERGE_TYPE, SL_LO_DELETE,
	SL_LO_PARTIAL_COLUMNS, SL_LO_NEGATIVE, SL_LO_SEQUENCE_COL, SL_LO_TIMEZONE, SL_LO_TIME_ZONE,
	SL_LO_WHERE, SL_LO_LABEL, SL_LO_TIMEOUT, SL_LO_MAX_FILTER_RATIO,
	SL_LO_EXEC_MEM_LIMIT, SL_LO_SEND_BATCH_PARALLELISM, SL_LO_TWO_PHASE_COMMIT,
	SL_LO_COMMENT, SL_LO_TXN_ID, SL_LO_TXN_OPERATION, SL_LO_ENABLE_PROFILE,
	SL_LO_BODY_BYTES, SL_LO_FIT_FIELDS, SL_LO_PRECEDING_FILTER, SL_LO_LABEL_GENERATED,
	SL_LO_COUNT
};

typedef struct sl_loadopt_def {
	const char *name;        /* Doris's header name */
	int type;                /* SL_LOT_* */
	const char *dflt;        /* the value when absent, as text; NULL none */
	const char *words;       /* ENUM: the values, "a|b|c" */
	long long min;           /* INT32: the least valid value */
	/* The messages of an invalid value, by kind (sl_loadopt_val.why):
	 * TEXT..CHAR, ENUM: [0] (value); INT*: [0] no number (name, value),
	 * [1] out of range (name, value), [2] under min (the number);
	 * RATIO: [0] not a number, [1] out of range; SEP: [0] (the parser's
	 * reason), [1] empty (name). NULL: none can be invalid. */
	const char *const *msgs;
	unsigned stages;         /* SL_LO_* users */
} sl_loadopt_def;

extern const sl_loadopt_def sl_loadopt_table[SL_LO_COUNT];

/* One item of `columns`: the text between two top-level commas, as
 * given (untrimmed), pointing into the header's value. */
typedef struct sl_loadopt_item { const char *p; size_t n; } sl_loadopt_item;

typedef struct sl_loadopt_val {
	const char *text;   /* the header's value (into the sl_hdrs), NULL absent */
	int state;          /* 0 absent, 1 valid, -1 invalid */
	int why;            /* invalid: which message of the row */
	long long i;        /* BOOL, TRUE, STRICT, INT*, CHAR (the byte), ENUM (word index) */
	double d;           /* RATIO */
	sl_buf bytes;       /* SEP: the separator's bytes (the default's when absent or invalid) */
	const char *err;    /* SEP: the parser's reason when invalid */
} sl_loadopt_val;

typedef struct sl_loadopts {
	sl_loadopt_val v[SL_LO_COUNT];
	sl_loadopt_item *cols;   /* `columns` split (sl_loadopt_split) */
	size_t ncols;
} sl_loadopts;

/* Read the options the stages in mask use from h into o (zeroed first;
 * the others stay absent). Values point into h, which must outlive o.
 * 1 every one valid; 0 one is not: msg holds the first message in table
 * order; -1 ENOMEM. Free o with sl_loadopt_free either way. */
int sl_loadopt_parse(sl_loadopts *o, const sl_hdrs *h, unsigned mask, char *msg, size_t cap);
/* The verdict on option id: 1 valid or absent; 0 invalid, msg filled. */
int sl_loadopt_check(const sl_loadopts *o, int id, char *msg, size_t cap);
/* The value's text, else the default (NULL when neither). */
const char *sl_loadopt_text(const sl_loadopts *o, int id);
void sl_loadopt_free(sl_loadopts *o);
/* Doris's rule for group commit: SL_LO_GC_SYNC or SL_LO_GC_ASYNC when the
 * group_commit header asks for it and it applies (not with partitions,
 * partial updates, 2PC or an empty body), else 0. */
#define SL_LO_GC_SYNC  1
#define SL_LO_GC_ASYNC 2
#define SL_LO_GC_LABEL_MSG "label and group_commit can't be set at the same time"
int sl_loadopt_group_commit(const sl_loadopt_val *v);

/* Split a `columns` value at its top-level commas (outside quotes ' " `
 * -- a backslash escapes in the first two -- and parentheses) into
 * *items (malloc'd, *n of them; an empty value is one empty item).
 * 1 ok, -1 ENOMEM. */
int sl_loadopt_split(const char *cols, sl_loadopt_item **items, size_t *n);

/* The table as text, one "name stage,stage..." line per option, for the
 * man page test. Appends to out; 1 or -1 ENOMEM. */
int sl_loadopt_list(sl_buf *out);

#endif
