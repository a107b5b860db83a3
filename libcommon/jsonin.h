/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonin.h -- the JSON formats of sl-parse (format: json), with libjq's jv
 * parser: read_json_by_line, strip_outer_array, json_root, jsonpaths
 * (matching mode), simple mode (keys -> source columns), fuzzy_parse and
 * num_as_string (accepted), line_delimiter, and `jq: <program>` (beyond
 * Doris; sandboxed: the program gets the record and nothing else, no
 * modules, files, inputs, environment or log, see jqsandbox.h). Memory
 * is bounded whatever the document (a top-level array is
 * split element by element); one record over the cap is a filtered row.
 * With neither read_json_by_line nor strip_outer_array, a body that is one
 * JSON value (over any number of lines) is one document, and a body with
 * more values is read by line (decided as it streams in, within the cap).
 * By line (no jq, no strip_outer_array), libjq's parse of the records runs
 * on worker threads (jsonpar.h: env SL_JSON_THREADS, SL_JSON_BATCH); the
 * output is the same, in the same order, as with SL_JSON_THREADS=1.
 */
#ifndef SL_JSONIN_H
#define SL_JSONIN_H

#include <stddef.h>
#include "frame.h"
#include "loadopt.h"
#include "input.h"

/* Run the JSON path of sl-parse on the load options lo (read with
 * SL_LO_PARSE, loadopt.h): read the body from in and write, as the
 * CSV path does, C {StartTimeMs}, H (NOT variadic: the source columns
 * src[0..nsrc) as STRING), R rows (one field per source column: a JSON
 * null is NULL, a missing key or path is SL_ABSENT_LEN, which sl-map turns
 * into the column's DEFAULT), F records with Doris's reasons,
 * C {LoadBytes, ReadDataTimeMs}, E. src: the source column names (the
 * plain names of `columns`, else the table's columns in schema order).
 * Load-failing errors ([INVALID_JSON_PATH], a jq compile error, a body
 * that cannot be read) are written as X, then E. Returns 1 when the body
 * was read (the final C and E written); 0 when the load failed with an X;
 * -1 when memory ran out or the writer failed (w->err). */
/* The record cap: one document (by line: one line; strip_outer_array: one
 * element) longer than this is a filtered row "The json record is too
 * large: ...". Header `json_record_max_bytes`, else env SL_JSON_RECORD_MAX,
 * else this default. */
#define SL_JSON_RECORD_MAX_DEFAULT ((size_t)64 << 20)

/* With `jq`, the number of records the program dropped (0 outputs) is
 * written in the final C frame as "JqUnselectedRows" (sl-filter overwrites
 * an upstream NumberUnselectedRows, so the count travels under its own key
 * until a downstream stage adds it). */
int sl_json_parse(const sl_loadopts *lo, const char *const *src, size_t nsrc, sl_input *in, sl_writer *w);

#endif
