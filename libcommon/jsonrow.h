/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonrow.h -- one JSON record of a load turned into a row or an F
 * record: the values of the source columns found by key (simple mode) or
 * by jsonpaths (matching mode), under json_root, after the `jq` program
 * if there is one; Doris's reasons for a record that gives no row. The
 * context is shared with the body reader (jsonin.c), which cuts the body
 * into records and counts them.
 */
#ifndef SL_JSONROW_H
#define SL_JSONROW_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>
#include <jq.h>

#include "io.h"
#include "frame.h"
#include "loadopt.h"
#include "jsonpath.h"

struct sl_jsonpar;

typedef struct sl_jsonrow {
	const sl_loadopts *lo;  /* the load headers, parsed (loadopt.h) */
	const char *const *src;
	size_t nsrc;
	sl_writer *w;
	int strip, by_line;
	size_t cap;             /* the record cap (json_record_max_bytes) */
	sl_jsonpath root;
	int have_root;
	const char *root_text;
	sl_jsonpath *paths;     /* matching mode */
	size_t npaths;
	const char *paths_text;
	jq_state *jq;
	sl_buf jqerr;
	uint64_t unselected;    /* records the jq program dropped */
	uint64_t recno;         /* document / line ordinal for F records */
	sl_jspan *vals;         /* per source column: value text, p NULL = absent */
	size_t *srclen;
	sl_buf reason;
	int werr;               /* the writer failed or memory ran out */
	struct sl_jsonpar *pool;        /* by line: parallel parse (NULL: serial) */
	uint32_t *keycol;       /* simple mode: member ordinal -> column + 1 seen last */
	size_t nkeycol;
	/* a document that is an array with strip_outer_array: its elements
	 * (the body reader's splitter) */
	void (*array)(struct sl_jsonrow *c, sl_jspan doc);
} sl_jsonrow;

/* jsonpaths, json_root and jq from c->lo, and the key order cache: 1, or 0
 * with err set (a load-failing error). */
int sl_jsonrow_setup(sl_jsonrow *c, char *err, size_t errsz);
/* A complete document (elem 0) or element of a stripped array (elem 1):
 * parsed, run through jq, written as a row or an F record. */
void sl_jsonrow_text(sl_jsonrow *c, sl_jspan rec, int elem);
/* The same for a record already parsed, of the given kind. */
void sl_jsonrow_kind(sl_jsonrow *c, sl_jspan rec, jv_kind kind, int elem);
/* An F record with reason for the record src[0..slen) (at most 1 MiB
 * kept), numbered c->recno. */
void sl_jsonrow_error(sl_jsonrow *c, const char *reason, const char *src, size_t slen);
__attribute__((format(printf, 4, 5)))
void sl_jsonrow_errorf(sl_jsonrow *c, const char *src, size_t slen, const char *fmt, ...);
/* Free what setup and the records allocated (not c itself). */
void sl_jsonrow_free(sl_jsonrow *c);

#endif
