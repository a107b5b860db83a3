/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types.h -- Doris types and values: parsing type names, the typed binary
 * field encoding of the row stream and rowsets, and formatting values as
 * text the way Doris displays them. Casts from text are cast.h; dates,
 * times and zones datetime.h.
 *
 * Binary field encoding (big-endian, fixed width per type):
 *   BOOLEAN, TINYINT 1; SMALLINT 2; INT 4; BIGINT 8; LARGEINT 16 (two's
 *   complement); FLOAT 4, DOUBLE 8 (IEEE-754 bits); DECIMAL 16 (unscaled
 *   __int128, the type's scale); DATE 4 (int32 days since 1970-01-01);
 *   DATETIME 8 (int64 microseconds since 1970-01-01 00:00:00, no zone);
 *   CHAR, VARCHAR, STRING raw bytes. NULL is the field length SL_NULL_LEN.
 *
 * Complex types. A "field" below is a u32 big-endian length
 * followed by that many bytes, or just the length SL_NULL_LEN (NULL):
 *   ARRAY<T>      u32 count, then count fields, each T's encoding;
 *   MAP<K,V>      u32 count, then count (key field, value field) pairs;
 *   STRUCT<f:T..> u32 nfields (the type's), then one field per member;
 *   JSON          the document as compact JSON text: validated, whitespace
 *                 outside strings dropped, numbers and strings verbatim.
 * Nesting is recursive (an ARRAY<ARRAY<INT>> element is an ARRAY<INT>
 * encoding). The same bytes go in the row stream and in rowsets.
 *
 * BITMAP and HLL are variable-length fields like strings (the bytes are the
 * sketch's own encoding, bitmap.h and hll.h; NULL is SL_NULL_LEN). They
 * decode as SL_V_STRING values with tkind BITMAP/HLL and are displayed as
 * NULL (as Doris's MySQL front shows them); bitmap_to_string,
 * bitmap_count, hll_cardinality give text or numbers from them.
 */
#ifndef SL_TYPES_H
#define SL_TYPES_H

#include <stddef.h>
#include <stdint.h>

enum sl_tkind {
	SL_T_NULL = 0,          /* type of a bare NULL literal in expressions */
	SL_T_BOOLEAN, SL_T_TINYINT, SL_T_SMALLINT, SL_T_INT, SL_T_BIGINT,
	SL_T_LARGEINT, SL_T_FLOAT, SL_T_DOUBLE, SL_T_DECIMAL, SL_T_DATE,
	SL_T_DATETIME, SL_T_CHAR, SL_T_VARCHAR, SL_T_STRING,
	SL_T_ARRAY, SL_T_MAP, SL_T_STRUCT, SL_T_JSON,
	SL_T_BITMAP, SL_T_HLL,  /* opaque sketches (bitmap.h, hll.h) */
	SL_T__COUNT
};

struct sl_tnode;

typedef struct sl_type {
	uint8_t kind;           /* enum sl_tkind */
	uint8_t prec;           /* DECIMAL precision (1..38) */
	uint8_t scale;          /* DECIMAL scale; DATETIME fractional digits (0..6) */
	int32_t len;            /* CHAR/VARCHAR declared length in bytes */
	/* ARRAY, MAP, STRUCT: the element types; NULL for every other kind.
	 * Nodes are immutable and interned for the life of the process by
	 * sl_type_parse (one node per distinct type text, never freed), so an
	 * sl_type stays a plain value: copy it freely, never free it. */
	const struct sl_tnode *sub;
} sl_type;

/* Element types of a complex type: ARRAY n=1 (element), MAP n=2 (key,
 * value), STRUCT n = number of members with their names. */
typedef struct sl_tnode {
	uint32_t n;
	char **names;           /* STRUCT member names, else NULL */
	sl_type *child;
} sl_tnode;

int sl_type_is_complex(const sl_type *t);   /* ARRAY, MAP, STRUCT, JSON */
int sl_type_is_sketch(const sl_type *t);    /* BITMAP, HLL */

/* Parse a Doris type name, case-insensitive, with aliases (INTEGER, BIGINT,
 * DECIMALV3, DATEV2, DATETIMEV2, TEXT, BOOL...): "VARCHAR(20)",
 * "DECIMAL(15, 2)", "DATETIME(3)", "CHAR", and the complex types
 * "ARRAY<INT>", "MAP<STRING,INT>", "STRUCT<a:INT, b:VARCHAR(10)>", "JSON"
 * (alias JSONB), "BITMAP", "HLL", nested to any depth (MAP keys must be scalar). Defaults as Doris: CHAR -> 1,
 * VARCHAR -> 65533, DECIMAL -> (9,0), DATETIME -> 0.
 * Returns 1 ok, 0 unknown/invalid (then *err, if not NULL, points at a static
 * reason). */
int sl_type_parse(const char *s, size_t n, sl_type *t, const char **err);
/* Canonical text, as SHOW CREATE TABLE / DESC print it: "int", "varchar(20)",
 * "decimal(15,2)", "datetime(3)" (Doris 2.x lower-case spelling: see DESC),
 * "array<int>", "map<text,int>", "struct<a:int,b:text>", "json", "bitmap",
 * "hll". The upper
 * variant keeps STRUCT member names as written. Complex names can be long:
 * SL_TYPE_FMT_MAX is a size that holds any type parse accepts up to depth 8
 * with short names; longer ones are truncated.
 * Returns the length written (always NUL-terminated, truncated to cap). */
#define SL_TYPE_FMT_MAX 512
size_t sl_type_format(const sl_type *t, char *buf, size_t cap);
/* Upper-case name for the row stream header ("DECIMAL(15,2)"). */
size_t sl_type_format_upper(const sl_type *t, char *buf, size_t cap);
int sl_type_is_string(const sl_type *t);
int sl_type_is_integer(const sl_type *t);   /* BOOLEAN..LARGEINT */
int sl_type_is_numeric(const sl_type *t);   /* integers, FLOAT, DOUBLE, DECIMAL */
/* Width of the fixed binary encoding, 0 for string types. */
size_t sl_type_width(const sl_type *t);

/* A value in memory (expression results, decoded fields). */
enum sl_vkind {
	SL_V_NULL = 0,
	SL_V_INT,               /* u.i: BOOLEAN and all integers up to BIGINT */
	SL_V_LARGE,             /* u.l: LARGEINT */
	SL_V_DOUBLE,            /* u.d: FLOAT, DOUBLE */
	SL_V_DECIMAL,           /* u.l unscaled, scale/prec */
	SL_V_DATE,              /* u.i days since epoch */
	SL_V_DATETIME,          /* u.i microseconds since epoch; scale digits */
	SL_V_STRING             /* u.s (not NUL-terminated; owned elsewhere) */
};

typedef struct sl_value {
	uint8_t kind;           /* enum sl_vkind */
	uint8_t scale, prec;
	uint8_t tkind;          /* the sl_tkind it came from (SL_T_NULL if unknown) */
	/* tkind ARRAY/MAP/STRUCT: kind is SL_V_STRING, u.s holds the binary
	 * encoding and sub the element types (for formatting). JSON values are
	 * SL_V_STRING with the compact JSON text. Sits in padding. */
	const struct sl_tnode *sub;
	union {
		int64_t i;
		__int128 l;
		double d;
		struct { const char *p; size_t n; } s;
	} u;
} sl_value;

#define SL_VALUE_NULL ((sl_value){ .kind = SL_V_NULL })

/* Decode a binary field of type t (n == SL_NULL_LEN: NULL). String values
 * point into p. Returns 1, or -1 EPROTO if n does not match the width. */
int sl_value_decode(const sl_type *t, const char *p, uint32_t n, sl_value *v);
/* Encode v (already of type t, see sl_value_cast) into buf (>= 16 bytes for
 * fixed types). For strings, *outp is set to the string bytes and nothing is
 * copied. Returns the field length, or SL_NULL_LEN for NULL. */
uint32_t sl_value_encode(const sl_type *t, const sl_value *v, char *buf, const char **outp);

/* Format v as text the way Doris prints it (SELECT results, sl-dump, error
 * logs): integers in decimal, DOUBLE with up to 17 significant digits
 * (shortest round-trip, "Infinity"/"NaN"), DECIMAL with exactly `scale`
 * digits, DATE "YYYY-MM-DD", DATETIME "YYYY-MM-DD HH:MM:SS[.ffffff up to
 * scale]", strings verbatim, BITMAP and HLL values as "NULL" (their bytes
 * are not text). NULL is not handled here (callers print NULL or
 * \N). Appends to out; returns 1 or -1 ENOMEM. */
struct sl_buf;
int sl_value_format(const sl_value *v, struct sl_buf *out);

/* Formatting into a caller buffer of at least SL_VALUE_FMT_MAX bytes; the
 * result is NUL-terminated and its length returned. */
#define SL_VALUE_FMT_MAX 64
size_t sl_value_fmt(const sl_value *v, char *buf);   /* not for strings; NULL -> "NULL" */
size_t sl_fmt_i128(__int128 v, char *buf);
size_t sl_fmt_decimal(__int128 v, int scale, char *buf);
size_t sl_fmt_double(double d, int is_float, char *buf);
size_t sl_fmt_date(int64_t days, char *buf);
size_t sl_fmt_datetime(int64_t us, int scale, char *buf);

#endif
