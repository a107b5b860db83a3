/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpstream.h -- PUT /api/_http_stream (spec section 12): the `sql`
 * header, parsed once with the SQL lexer and expression parser,
 *   INSERT INTO db.tbl [WITH LABEL l] [(col, ...)]
 *   SELECT expr [[AS] alias], ... FROM http_stream("k" = "v", ...) [[AS] t]
 *   [WHERE cond] [;]
 * turned into the stage headers of an ordinary five-stage load (load.h):
 * the http_stream properties become the format headers, `columns` is the
 * source names (c1..cN for csv, N = the fields of the first data record,
 * decompressed first when compress_type is set; records with fewer fields
 * get NULLs, extra fields are dropped (HS_FIT_HEADER);
 * the header line's names for csv_with_names*; for json the names the
 * SELECT references) followed by `target = expr` for each select item in
 * order onto the target columns, the WHERE becomes `where` (evaluated, as
 * stream load's `where`, over the target columns), WITH LABEL the label.
 * Used by route_load.c.
 */
#ifndef SL_HTTPSTREAM_H
#define SL_HTTPSTREAM_H

#include <stddef.h>
#include "hdr.h"

typedef struct hs_stmt {
	char *db, *table;
	char *label;                    /* WITH LABEL, or NULL */
	char **cols; size_t ncols;      /* the INSERT column list (0: none) */
	char **sel; size_t nsel;        /* SELECT expressions, as written */
	char **selname;                 /* the bare column name of sel[i], or NULL */
	char *where;                    /* WHERE condition as written, or NULL */
	char **pk, **pv; size_t np;     /* http_stream properties (keys lowercased) */
	char *format;                   /* lowercased "format" property */
} hs_stmt;

#define HS_STMT_ZERO { 0 }

/* Parse sql. 1 ok; 0 refused, msg holds the Doris message (a syntax
 * error: "[INTERNAL_ERROR]TStatus: errCode = 2, detailMessage = Nereids
 * parse failed. ..."; format problems: "... format:<v> is not supported."
 * or "... http_stream does not yet support parquet, avro and orc"); -1
 * ENOMEM. */
int hs_parse(const char *sql, hs_stmt *s, char *msg, size_t cap);
void hs_free(hs_stmt *s);
/* Property value (key case-insensitive) or NULL. */
const char *hs_prop(const hs_stmt *s, const char *key);
/* 1 when the format is csv-like (csv, csv_with_names*). */
int hs_is_csv(const hs_stmt *s);

/* Source names for a csv-like format from the start of the body, buf[0..n)
 * (eof: it is the whole body; with compress_type, the raw body, decompressed
 * here from its start, at most 1 MiB of output): the header line's fields for
 * csv_with_names*, else c1..cN with N the number of fields of the first
 * non-empty line after skip_lines (enclose-aware). 1 done (*names
 * malloc'd, free with hs_names_free); 0 more bytes are needed; -1 ENOMEM.
 * An empty body gives c1..cK, K the largest cK the SELECT references
 * (at least 1). */
int hs_peek(const hs_stmt *s, const char *buf, size_t n, int eof, char ***names, size_t *nnames);
/* Source names the SELECT references (json; and csv when the body cannot
 * be peeked, e.g. an unknown compress_type: then c1..cK as above). 1, -1 ENOMEM, 0 with
 * msg (an expression that does not parse). */
int hs_refs(const hs_stmt *s, char ***names, size_t *nnames, char *msg, size_t cap);
void hs_names_free(char **names, size_t n);

/* The stage header that makes sl-parse fit every csv record to the
 * source columns, as Doris's http_stream reads CSV (a table function, not
 * a load): missing fields are NULL, extra ones dropped. */
#define HS_FIT_HEADER "x_sl_fit_fields"

/* Append the stage headers to out: the kept request headers
 * (two_phase_commit, timeout, comment) of req, the properties, strict_mode
 * false, max_filter_ratio 0, for csv formats HS_FIT_HEADER (nsrc), `columns` (src, then target = expr onto the
 * targets: the INSERT list, else tcols, the table's columns in order),
 * `where`, and `label` (WITH LABEL, else a generated label_<hex>_<hex>).
 * 1; 0 with msg (select count differs from the target count); -1 ENOMEM. */
int hs_headers(const hs_stmt *s, const sl_hdrs *req, char *const *src, size_t nsrc,
	char *const *tcols, size_t ntcols, sl_hdrs *out, char *msg, size_t cap);

#endif
