/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hdr.h -- Doris header options, `-H 'name:value'` exactly as in curl.
 * Names are case-insensitive; the first occurrence wins; surrounding
 * whitespace of names and values is stripped; an empty value is absent.
 * Also the option parser every stage shares.
 */
#ifndef SL_HDR_H
#define SL_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Internal headers (sl-httpd drops client headers named x_sl_*):
 * SL_PRECEDING_FILTER, http_stream's WHERE: a predicate over the source
 * columns that sl-map applies before conversion (rows it drops are
 * unselected). */
#define SL_PRECEDING_FILTER "x_sl_preceding_filter"
/* SL_LABEL_GENERATED: set by the launcher when the label is its own, not
 * the client's (group_commit forbids a client's label). */
#define SL_LABEL_GENERATED "x_sl_label_generated"

typedef struct sl_hdrs { size_t n, cap; char **name, **value; } sl_hdrs;
#define SL_HDRS_ZERO { 0, 0, 0, 0 }

/* Add "name:value". 1 ok, 0 malformed (no ':' or empty name), -1 ENOMEM. */
int sl_hdrs_add(sl_hdrs *h, const char *arg);
/* Set name to value: the first header of that name gets the value (the
 * others of the name are removed), else one is added. 1 ok, 0 empty
 * name, -1 ENOMEM. */
int sl_hdrs_set(sl_hdrs *h, const char *name, const char *value);
/* Add name:value after the others, as sl_hdrs_add does (an earlier header
 * of the name still wins). 1, 0 or -1 as sl_hdrs_set. */
int sl_hdrs_append(sl_hdrs *h, const char *name, const char *value);
/* Value or NULL (absent or empty). */
const char *sl_hdrs_get(const sl_hdrs *h, const char *name);
/* Doris boolean: 1 for case-insensitive "true", 0 otherwise/absent. */
int sl_hdrs_bool(const sl_hdrs *h, const char *name);
void sl_hdrs_free(sl_hdrs *h);
/* max_filter_ratio, checked as Doris checks a load's max_filter_ratio
 * (LoadStmt: Java's Double.valueOf, then 0.0 <= ratio <= 1.0): a decimal
 * or hexadecimal number with an optional exponent and d/f suffix,
 * surrounding blanks allowed. 1 with *out (0 when absent); 0 not a number
 * (NaN too: it would never be exceeded), SL_RATIO_NAN_MSG; -1 out of
 * range (the infinities too), SL_RATIO_RANGE_MSG. sl-txn refuses the load
 * with the message; sl-commit only reads the value. */
/* Doris's numbers as C++ reads them: std::stoll/stoi (sl_stoll, with
 * the type's range lo..hi) and std::stoull (a minus wraps): leading white
 * space, a sign, digits, anything after ignored. 1 with *out; 0 no number
 * ("stoi" format errors); -1 out of range. */
int sl_stoll(const char *s, long long lo, long long hi, long long *out);
int sl_stoull(const char *s, unsigned long long *out);
int sl_hdrs_ratio(const sl_hdrs *h, double *out);

/* exec_mem_limit: Doris's default, 2 GB, in bytes. */
#define SL_EXEC_MEM_LIMIT_DEFAULT 2147483648LL

/* Common command line of the stages and tools:
 *   -H 'name:value' | -Hname:value   (repeatable)
 *   --data-dir DIR | --data-dir=DIR  (default $SL_DATA_DIR, else ./sl-data)
 *   -h | --help
 *   --version
 * Callers loop over argv and offer each argument to sl_opt_common first:
 *   for (i = 1; i < argc;) {
 *       int k = sl_opt_common(&o, argc, argv, i);
 *       if (k < 0) sl_dieusage(USAGE);
 *       if (k > 0) { i += k; continue; }
 *       ... the program's own options and operands ...
 *   }
 * Returns the number of arguments consumed (1 or 2), 0 if argv[i] is not a
 * common option, -1 if it is one but malformed (missing value, bad -H). */
typedef struct sl_opts {
	sl_hdrs hdrs;
	const char *data_dir;   /* NULL until given; see sl_data_dir */
	int help;
	int version;            /* --version */
} sl_opts;
#define SL_OPTS_ZERO { SL_HDRS_ZERO, 0, 0, 0 }
int sl_opt_common(sl_opts *o, int argc, char **argv, int i);

/* The common options' lines of a binary's usage text (msg.h), one
 * option a line: the names, then what it does. */
#define SL_HELP_H "  -H name:value        a load header, as the HTTP header of that name (repeatable)\n"
#define SL_HELP_DATA_DIR "  --data-dir DIR       the data directory (default $SL_DATA_DIR, else ./sl-data)\n"
#define SL_HELP_STD "  -h, --help           this text, then exit\n" \
	"  --version            the version, then exit\n"

/* The data directory: explicit_dir if non-NULL, else $SL_DATA_DIR if set
 * and non-empty, else "./sl-data". */
const char *sl_data_dir(const char *explicit_dir);

#endif
