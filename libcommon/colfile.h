/* SPDX-License-Identifier: Apache-2.0 */
/*
 * colfile.h -- columnar files (parquet, orc, the arrow IPC stream) behind
 * one reader interface, for sl-parse. Each format is its own module
 * (parquet.c, orc.c, arrow.c, and the modules they need); this one holds
 * what they share: the source (a seekable file, or the body spooled to a
 * bounded temporary file when the format's footer comes last), the
 * dispatch by format name, and the value texts.
 *
 * A reader yields the file's top-level columns as rows of fields whose
 * bytes are the value's Doris text, so that sl-map casts them as it casts
 * CSV and JSON fields:
 *   integers, booleans (0/1)      decimal digits
 *   floating point                the shortest text that reads back equal
 *   DECIMAL(p,s)                  exact, s digits after the point
 *   DATE                          YYYY-MM-DD
 *   TIMESTAMP/DATETIME            YYYY-MM-DD HH:MM:SS[.ffffff]; a UTC
 *                                 instant (parquet isAdjustedToUTC, orc
 *                                 TIMESTAMP_INSTANT, arrow with a zone) in
 *                                 sl_colopts.timezone, a local one as is
 *   TIME                          HH:MM:SS[.ffffff]
 *   strings, enums, JSON          the bytes
 *   binary, fixed, UUID           the bytes (UUID: 8-4-4-4-12 hex)
 *   LIST / MAP / STRUCT / UNION   JSON text (MAP as a JSON object, keys as
 *                                 text; STRUCT as an object by field name)
 *   null                          n == SL_NULL_LEN
 * and a column's Doris type text ("INT", "BIGINT", "DECIMAL(10,2)",
 * "DATETIME(6)", "VARCHAR(65533)", "ARRAY<INT>", "MAP<STRING,INT>",
 * "STRUCT<a:INT,b:STRING>", ...) for sl-parse alone to print.
 *
 * Every length, offset and count read from a file is checked against the
 * file before it is used; a file that lies gets -1 with a reason, never
 * a read outside it or an allocation sized by an unchecked field.
 * Memory: one row group / stripe / record batch at a time.
 */
#ifndef SL_COLFILE_H
#define SL_COLFILE_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"
#include "input.h"

/* The load's options a reader needs. */
typedef struct sl_colopts {
	const char *timezone;   /* the load's zone ("+08:00", "Asia/Shanghai") */
	uint64_t max_batch;     /* bytes: a row group / stripe / batch larger
				 * than this is refused (a lying or hostile file) */
} sl_colopts;

/* Where the bytes are: a seekable file (fd, size) for parquet and orc, the
 * body stream (in) for arrow. */
typedef struct sl_colsrc {
	int fd;                 /* -1 when streaming */
	uint64_t size;
	sl_input *in;           /* NULL when seekable */
} sl_colsrc;

/* A top-level column of the file. */
typedef struct sl_colinfo {
	char *name;
	char *type;             /* Doris type text */
	/* Typed fields (after sl_colfile_typed): the column's values
	 * come in the typed binary encoding of `type` (types.h) instead of
	 * their text, for INT, BIGINT (parquet INT32/INT64, arrow signed
	 * integers also TINYINT and SMALLINT), DECIMAL(p,s) with p <= 38 held
	 * in 64 or 128 bits, and DATE: the types whose binary value gives
	 * back exactly the text above (sl_colval_typed_text). A DECIMAL's
	 * unscaled value may exceed its precision (the file says so): the
	 * reader of the field checks. Every other column stays text.
	 * typed_kind: the reader's, the sl_tkind it would write (0 text). */
	int typed, typed_kind;
} sl_colinfo;

typedef struct sl_colreader sl_colreader;

struct sl_colreader_ops {
	/* The next row: vals[0..ncols) (valid until the next call). 1 a
	 * row; 0 the end; -1 r->err says why (a damaged or unsupported file,
	 * a read error). */
	int (*next)(sl_colreader *r, sl_field *vals);
	void (*free)(sl_colreader *r);
};

/* The common head of every format's reader. */
struct sl_colreader {
	const struct sl_colreader_ops *ops;
	size_t ncols;
	sl_colinfo *cols;       /* ncols; owned by the reader */
	uint64_t nread;         /* bytes of the file consumed so far */
	char err[512];
};

/* Open a format's reader. NULL with err filled: not a file of that format,
 * damaged, unsupported (the reason names what), or errno (ENOMEM). */
sl_colreader *sl_parquet_open(const sl_colsrc *src, const sl_colopts *o, char *err, size_t errlen);
sl_colreader *sl_orc_open(const sl_colsrc *src, const sl_colopts *o, char *err, size_t errlen);
sl_colreader *sl_arrow_open(const sl_colsrc *src, const sl_colopts *o, char *err, size_t errlen);

/* "parquet" / "orc" / "arrow": 1 if the format needs a seekable file
 * (footer last), 0 if it streams, -1 not a columnar format. */
int sl_colfile_seekable(const char *format);
/* Open by format name over src. */
sl_colreader *sl_colfile_open(const char *format, const sl_colsrc *src, const sl_colopts *o,
	char *err, size_t errlen);
/* The body on in made seekable: fd itself when it is a regular file read
 * from its start with no compression; else in copied to an unlinked
 * temporary file under dir (at most max bytes: more is -1 with EFBIG).
 * src filled. 1; -1 errno (err says what). */
int sl_colfile_spool(int fd, sl_input *in, const char *dir, uint64_t max, sl_colsrc *src,
	char *err, size_t errlen);
/* An unnamed temporary file under dir, opened read-write: O_TMPFILE, else
 * a unique name unlinked at once, so that nothing is left behind in any
 * outcome. The fd; -1 errno. */
int sl_colfile_tempfile(const char *dir);
/* Before the first row: every column that allows it gives typed fields
 * (sl_colinfo.typed); without it, every value is text. */
void sl_colfile_typed(sl_colreader *r);
int sl_colfile_next(sl_colreader *r, sl_field *vals);
void sl_colfile_free(sl_colreader *r);

#endif
