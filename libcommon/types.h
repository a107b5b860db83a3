/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types.h -- Doris scalar types and values: parsing type names, the typed
 * binary field encoding of the row stream and rowsets, casts from text with
 * Doris's non-strict semantics (invalid -> NULL), and formatting as text the
 * way Doris displays values.
 *
 * Binary field encoding (big-endian, fixed width per type):
 *   BOOLEAN, TINYINT 1; SMALLINT 2; INT 4; BIGINT 8; LARGEINT 16 (two's
 *   complement); FLOAT 4, DOUBLE 8 (IEEE-754 bits); DECIMAL 16 (unscaled
 *   __int128, the type's scale); DATE 4 (int32 days since 1970-01-01);
 *   DATETIME 8 (int64 microseconds since 1970-01-01 00:00:00, no zone);
 *   CHAR, VARCHAR, STRING raw bytes. NULL is the field length SL_NULL_LEN.
 *
 * Complex types (engineer P). A "field" below is a u32 big-endian length
 * followed by that many bytes, or just the length SL_NULL_LEN (NULL):
 *   ARRAY<T>      u32 count, then count fields, each T's encoding;
 *   MAP<K,V>      u32 count, then count (key field, value field) pairs;
 *   STRUCT<f:T..> u32 nfields (the type's), then one field per member;
 *   JSON          the document as compact JSON text: validated, whitespace
 *                 outside strings dropped, numbers and strings verbatim.
 * Nesting is recursive (an ARRAY<ARRAY<INT>> element is an ARRAY<INT>
 * encoding). The same bytes go in the row stream and in rowsets.
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

/* Parse a Doris type name, case-insensitive, with aliases (INTEGER, BIGINT,
 * DECIMALV3, DATEV2, DATETIMEV2, TEXT, BOOL...): "VARCHAR(20)",
 * "DECIMAL(15, 2)", "DATETIME(3)", "CHAR", and the complex types
 * "ARRAY<INT>", "MAP<STRING,INT>", "STRUCT<a:INT, b:VARCHAR(10)>", "JSON"
 * (alias JSONB), nested to any depth (MAP keys must be scalar). Defaults as Doris: CHAR -> 1,
 * VARCHAR -> 65533, DECIMAL -> (9,0), DATETIME -> 0.
 * Returns 1 ok, 0 unknown/invalid (then *err, if not NULL, points at a static
 * reason). */
int sl_type_parse(const char *s, size_t n, sl_type *t, const char **err);
/* Canonical text, as SHOW CREATE TABLE / DESC print it: "int", "varchar(20)",
 * "decimal(15,2)", "datetime(3)" (Doris 2.x lower-case spelling: see DESC),
 * "array<int>", "map<text,int>", "struct<a:int,b:text>", "json". The upper
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

/* Cast source text to type t, Doris non-strict semantics: invalid text,
 * overflow, bad dates -> returns 0 (the value is NULL); ok -> 1 with *v set
 * (strings point into s; CHAR/VARCHAR overflow is NOT checked here).
 * Examples: "abc"->INT 0; "300"->TINYINT 0; "3.12"->INT 3; "3.12"->
 * DECIMAL(9,1) 3.1; "2024-4-2"->DATE ok; "2024-07-20T05:48:31"->DATETIME ok;
 * "1e400"->DOUBLE +Infinity; "true"/"false"/"1"/"0"->BOOLEAN. Leading and
 * trailing spaces are allowed around numbers and dates.
 * Complex targets: "[1,2,3]" (ARRAY), "{"k":1, "k2":2}" or {k:1} (MAP),
 * "{"a":1, "b":"x"}" or "{1, "x"}" (STRUCT, by name or by position),
 * any JSON document (JSON); strings may be quoted with " or '; null or an
 * element that fails its scalar cast is a NULL element; malformed nesting
 * makes the whole value NULL. The encoded bytes of a complex result live in
 * a per-thread ring of 1024 buffers owned by types.c: valid until 1023
 * further complex casts in the same thread (enough for a row of up to 1023
 * complex columns; copy them to keep them longer). */
int sl_cast_text(const sl_type *t, const char *s, size_t n, sl_value *v);

/* Format v as text the way Doris prints it (SELECT results, sl-dump, error
 * logs): integers in decimal, DOUBLE with up to 17 significant digits
 * (shortest round-trip, "Infinity"/"NaN"), DECIMAL with exactly `scale`
 * digits, DATE "YYYY-MM-DD", DATETIME "YYYY-MM-DD HH:MM:SS[.ffffff up to
 * scale]", strings verbatim. NULL is not handled here (callers print NULL or
 * \N). Appends to out; returns 1 or -1 ENOMEM. */
struct sl_buf;
int sl_value_format(const sl_value *v, struct sl_buf *out);

/* Calendar helpers (proleptic Gregorian, as Doris). */
int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d);
void sl_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
/* 1 if a valid date between 0000-01-01 and 9999-12-31. */
int sl_date_valid(int y, int m, int d);

/* ---- additions (engineer A) ---------------------------------------- */

/* Days in month m (1..12) of year y; 0 for a bad month. */
int sl_days_in_month(int y, int m);
/* 10^n as __int128 for 0 <= n <= 38 (0 otherwise). */
__int128 sl_pow10_i128(int n);

/* The individual text parsers behind sl_cast_text (leading/trailing
 * spaces allowed). All return 1 ok, 0 invalid/out of range; no allocation
 * except sl_parse_double's rare fallback for texts over 127 bytes. */
/* "1", "0", "true", "false" (any case) -> *b. */
int sl_parse_bool(const char *s, size_t n, int *b);
/* [+-]digits[.digits][e[+-]digits] -> unscaled value at `scale` rounded
 * half away from zero; 0 if |value| >= 10^prec. */
int sl_parse_decimal(const char *s, size_t n, int prec, int scale, __int128 *out);
/* Decimal floating text, inf/infinity/nan; overflow -> +-Infinity. */
int sl_parse_double(const char *s, size_t n, double *out);
/* Date/datetime text -> days since epoch / microseconds since epoch
 * (naive local time). Accepted: Y-M-D with '-', '/' or '.', 1-2 digit
 * month and day, 2-digit years (<70 -> 20xx), YYYYMMDD, YYMMDD,
 * YYYYMMDDHHMMSS; then ' ' or 'T' and H:M[:S[.fraction]] or HHMMSS; then an
 * optional zone suffix (Z, UTC, GMT, +HH:MM), converted to the session zone
 * (sl_tz_set). A date target ignores the time of day; a datetime target
 * rounds the fraction to `scale` digits (half up). */
int sl_parse_date(const char *s, size_t n, int32_t *days);
int sl_parse_datetime(const char *s, size_t n, int scale, int64_t *us);

/* Formatting into a caller buffer of at least SL_VALUE_FMT_MAX bytes; the
 * result is NUL-terminated and its length returned. */
#define SL_VALUE_FMT_MAX 64
size_t sl_value_fmt(const sl_value *v, char *buf);   /* not for strings; NULL -> "NULL" */
size_t sl_fmt_i128(__int128 v, char *buf);
size_t sl_fmt_decimal(__int128 v, int scale, char *buf);
size_t sl_fmt_double(double d, int is_float, char *buf);
size_t sl_fmt_date(int64_t days, char *buf);
size_t sl_fmt_datetime(int64_t us, int scale, char *buf);

/* Time zone (implemented in types.c; also listed in expr.h). Process-wide;
 * before any sl_tz_set the libc local zone (TZ or /etc/localtime) is used.
 * sl_tz_set accepts UTC/GMT/Z, offsets "+08:00" "-5:30" "+0800",
 * "GMT+8"/"UTC-05:00" (Java sign, not POSIX's), "CST" (= Asia/Shanghai, as
 * Doris), and IANA names of regular files under /usr/share/zoneinfo,
 * matched case-insensitively ("asia/shanghai"); a name sets TZ in the
 * environment. 1 ok, 0 unknown. */
int sl_tz_set(const char *name);
int64_t sl_tz_to_local(int64_t utc_us);
int64_t sl_tz_to_utc(int64_t local_us);

#endif
