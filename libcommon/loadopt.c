/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loadopt.c -- the table of load headers and their one parser: each value
 * is read by its type once, and an invalid one keeps which of its row's
 * messages it gets, for the stage to report when Doris would.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loadopt.h"
#include "sep.h"
#include "status.h"

#define FE SL_E_ANALYSIS_ERROR SL_TSTATUS
#define MSGS(...) ((const char *const[]){ __VA_ARGS__ })
#define STOI(min_msg) MSGS(SL_STOI_FORMAT_MSG, SL_STOI_RANGE_MSG, min_msg)

/* Formats Doris has that sl-parse does not read yet. */
#define LATER_FORMATS "hive_text|wal"

#define P SL_LO_PARSE
#define M SL_LO_MAP
#define F SL_LO_FILTER
#define T SL_LO_TXN
#define C SL_LO_COMMIT
#define L SL_LO_LOAD

const sl_loadopt_def sl_loadopt_table[SL_LO_COUNT] = {
	[SL_LO_FORMAT] = { "format", SL_LOT_ENUM, "csv", "csv|csv_with_names|csv_with_names_and_types|json|parquet|orc|arrow", 0,
		MSGS(SL_E_UNKNOWN_FORMAT "unknown data format, format=%s",
		    SL_E_NOT_IMPLEMENTED_ERROR "format %s is not supported yet: sl-parse reads csv, csv_with_names, "
		    "csv_with_names_and_types, json, parquet, orc and arrow"), P | M },
	/* an unknown one is an unknown format for CSV (the message names the
	 * format), plain for JSON: sl-parse decides */
	[SL_LO_COMPRESS_TYPE] = { "compress_type", SL_LOT_ENUM, 0,
		"gz|bz2|lz4|lz4frame|lz4_block|lzo|lzop|snappy_block|deflate", 0,
		MSGS(SL_E_UNKNOWN_FORMAT "unknown data format, format=%s"), P },
	[SL_LO_ENCLOSE] = { "enclose", SL_LOT_CHAR, 0, 0, 0,
		MSGS(SL_E_INVALID_ARGUMENT "enclose must be single-char, actually is %s"), P },
	[SL_LO_ESCAPE] = { "escape", SL_LOT_CHAR, 0, 0, 0,
		MSGS(SL_E_INVALID_ARGUMENT "escape must be single-char, actually is %s"), P },
	[SL_LO_SKIP_LINES] = { "skip_lines", SL_LOT_INT32, "0", 0, 0,
		STOI(SL_E_INVALID_ARGUMENT "Invalid 'skip_lines': %lld"), P },
	[SL_LO_COLUMN_SEPARATOR] = { "column_separator", SL_LOT_SEP, "\\t", 0, 0,
		MSGS(FE "%s", FE "%s is empty"), P | M },
	[SL_LO_LINE_DELIMITER] = { "line_delimiter", SL_LOT_SEP, "\\n", 0, 0,
		MSGS(FE "%s", FE "%s is empty"), P | M },
	[SL_LO_TRIM_DOUBLE_QUOTES] = { "trim_double_quotes", SL_LOT_BOOL, "false", 0, 0, 0, P },
	[SL_LO_EMPTY_FIELD_AS_NULL] = { "empty_field_as_null", SL_LOT_BOOL, "false", 0, 0, 0, P },
	[SL_LO_READ_JSON_BY_LINE] = { "read_json_by_line", SL_LOT_BOOL, 0, 0, 0, 0, P },
	[SL_LO_STRIP_OUTER_ARRAY] = { "strip_outer_array", SL_LOT_BOOL, 0, 0, 0, 0, P },
	[SL_LO_JSONPATHS] = { "jsonpaths", SL_LOT_TEXT, 0, 0, 0, 0, P | M },
	[SL_LO_JSON_ROOT] = { "json_root", SL_LOT_TEXT, 0, 0, 0, 0, P },
	[SL_LO_JQ] = { "jq", SL_LOT_TEXT, 0, 0, 0, 0, P },
	[SL_LO_JSON_RECORD_MAX_BYTES] = { "json_record_max_bytes", SL_LOT_TEXT, 0, 0, 0, 0, P },
	/* a hint of Doris's JSON reader (every record has the same keys in
	 * the same order): sl-parse needs none, sl-map refuses it with
	 * UPDATE_FLEXIBLE_COLUMNS as Doris does */
	[SL_LO_FUZZY_PARSE] = { "fuzzy_parse", SL_LOT_BOOL, "false", 0, 0, 0, M },
	[SL_LO_COLUMNS] = { "columns", SL_LOT_COLUMNS, 0, 0, 0, 0, P | M },
	/* without `columns`: hidden columns appended to the source fields */
	[SL_LO_HIDDEN_COLUMNS] = { "hidden_columns", SL_LOT_TEXT, 0, 0, 0, 0, P | M },
	[SL_LO_GROUP_COMMIT] = { "group_commit", SL_LOT_ENUM, 0, "sync_mode|async_mode|off_mode", 0,
		MSGS(SL_E_INVALID_ARGUMENT "group_commit can only be [async_mode, sync_mode, off_mode]"), M },
	[SL_LO_PARTITIONS] = { "partitions", SL_LOT_TEXT, 0, 0, 0, 0, M | F },
	[SL_LO_TEMPORARY_PARTITIONS] = { "temporary_partitions", SL_LOT_TEXT, 0, 0, 0, 0, M | F },
	[SL_LO_UNIQUE_KEY_UPDATE_MODE] = { "unique_key_update_mode", SL_LOT_ENUM, 0,
		"UPSERT|UPDATE_FIXED_COLUMNS|UPDATE_FLEXIBLE_COLUMNS", 0,
		MSGS(SL_E_INVALID_ARGUMENT "Invalid unique_key_partial_mode %s, must be one of 'UPSERT', "
		    "'UPDATE_FIXED_COLUMNS' or 'UPDATE_FLEXIBLE_COLUMNS'"), P | M },
	[SL_LO_PARTIAL_UPDATE_NEW_KEY_BEHAVIOR] = { "partial_update_new_key_behavior", SL_LOT_ENUM, 0, "APPEND|ERROR", 0,
		MSGS(SL_E_INVALID_ARGUMENT "Invalid partial_update_new_key_behavior %s, must be one of {'APPEND', 'ERROR'}"), M | T },
	[SL_LO_LOAD_TO_SINGLE_TABLET] = { "load_to_single_tablet", SL_LOT_BOOL, "false", 0, 0, 0, M },
	[SL_LO_STRICT_MODE] = { "strict_mode", SL_LOT_STRICT, "false", 0, 0,
		MSGS(SL_E_INVALID_ARGUMENT "Invalid strict mode format. Must be bool type"), M },
	[SL_LO_MERGE_TYPE] = { "merge_type", SL_LOT_ENUM, "APPEND", "APPEND|DELETE|MERGE", 0,
		MSGS(SL_E_INVALID_ARGUMENT "Invalid merge type %s"), M },
	[SL_LO_DELETE] = { "delete", SL_LOT_TEXT, 0, 0, 0, 0, M | F | L },
	[SL_LO_PARTIAL_COLUMNS] = { "partial_columns", SL_LOT_BOOL, "false", 0, 0, 0, M },
	[SL_LO_NEGATIVE] = { "negative", SL_LOT_TRUE, "false", 0, 0, 0, M },
	[SL_LO_SEQUENCE_COL] = { "function_column.sequence_col", SL_LOT_TEXT, 0, 0, 0, 0, M },
	[SL_LO_TIMEZONE] = { "timezone", SL_LOT_TEXT, 0, 0, 0, 0, P | M },
	[SL_LO_TIME_ZONE] = { "time_zone", SL_LOT_TEXT, 0, 0, 0, 0, P | M },
	[SL_LO_WHERE] = { "where", SL_LOT_TEXT, 0, 0, 0, 0, M | F | L },
	[SL_LO_LABEL] = { "label", SL_LOT_TEXT, 0, 0, 0, 0, T | C | L },
	[SL_LO_TIMEOUT] = { "timeout", SL_LOT_INT32, 0, 0, 1,
		STOI(FE "Invalid timeout: %lld. Timeout should be higher than Config.min_load_timeout_second: 1"), T | L },
	[SL_LO_MAX_FILTER_RATIO] = { "max_filter_ratio", SL_LOT_RATIO, "0", 0, 0,
		MSGS(FE SL_RATIO_NAN_MSG, FE SL_RATIO_RANGE_MSG), T | C },
	[SL_LO_EXEC_MEM_LIMIT] = { "exec_mem_limit", SL_LOT_INT64, "2147483648", 0, 0,
		MSGS(SL_MEM_LIMIT_MSG, SL_MEM_LIMIT_MSG), T | L },
	[SL_LO_SEND_BATCH_PARALLELISM] = { "send_batch_parallelism", SL_LOT_INT32, 0, 0, INT32_MIN, STOI(0), T },
	[SL_LO_TWO_PHASE_COMMIT] = { "two_phase_commit", SL_LOT_TRUE, "false", 0, 0, 0, M | C | L },
	[SL_LO_COMMENT] = { "comment", SL_LOT_TEXT, 0, 0, 0, 0, C | L },
	[SL_LO_TXN_ID] = { "txn_id", SL_LOT_TEXT, 0, 0, 0, 0, C },
	[SL_LO_TXN_OPERATION] = { "txn_operation", SL_LOT_TEXT, 0, 0, 0, 0, C },
	[SL_LO_ENABLE_PROFILE] = { "enable_profile", SL_LOT_BOOL, "false", 0, 0, 0, SL_LO_STAGES },
	/* internal (sl-httpd drops client headers named x_sl_*) */
	[SL_LO_BODY_BYTES] = { "x_sl_body_bytes", SL_LOT_TEXT, 0, 0, 0, 0, P | M },
	[SL_LO_FIT_FIELDS] = { "x_sl_fit_fields", SL_LOT_TEXT, 0, 0, 0, 0, P },
	[SL_LO_PRECEDING_FILTER] = { SL_PRECEDING_FILTER, SL_LOT_TEXT, 0, 0, 0, 0, M },
	[SL_LO_LABEL_GENERATED] = { SL_LABEL_GENERATED, SL_LOT_TEXT, 0, 0, 0, 0, M | L },
};

/* The index of v among the '|'-separated words (any case), else -1. */
static long word_index(const char *words, const char *v)
{
	size_t n = strlen(v);
	long i = 0;

	for (;;) {
		const char *e = strchr(words, '|');
		size_t len = e ? (size_t)(e - words) : strlen(words);
		if (len == n && !strncasecmp(words, v, n))
			return i;
		if (!e)
			return -1;
		words = e + 1;
		i++;
	}
}

static void read_int(sl_loadopt_val *x, const sl_loadopt_def *d, const char *v)
{
	long long lo = d->type == SL_LOT_INT32 ? INT32_MIN : LLONG_MIN;
	long long hi = d->type == SL_LOT_INT32 ? INT32_MAX : LLONG_MAX;
	int k = sl_stoll(v, lo, hi, &x->i);

	if (k <= 0)
		x->why = k == 0 ? 0 : 1;
	else if (d->type == SL_LOT_INT32 && x->i < d->min)
		x->why = 2;
	else
		return;
	x->state = -1;
}

static int read_sep(sl_loadopt_val *x, const sl_loadopt_def *d, const char *v)
{
	int r = sl_sep_parse(v ? v : d->dflt, &x->bytes, &x->err);

	if (r < 0)
		return -1;
	if (r > 0 && x->bytes.len)
		return 1;
	x->state = -1;
	x->why = r == 0 ? 0 : 1;
	/* the stages that do not report it read the default */
	x->bytes.len = 0;
	return sl_sep_parse(d->dflt, &x->bytes, &x->err) < 0 ? -1 : 1;
}

/* Read one option; -1 ENOMEM. */
static int read_one(sl_loadopts *o, const sl_hdrs *h, int id)
{
	const char *v = sl_hdrs_get(h, sl_loadopt_table[id].name);
	const sl_loadopt_def *d = &sl_loadopt_table[id];
	sl_loadopt_val *x = &o->v[id];

	x->text = v;
	x->state = v ? 1 : 0;
	switch (d->type) {
	case SL_LOT_BOOL:
		x->i = v && !strcasecmp(v, "true");
		break;
	case SL_LOT_TRUE:
		x->i = v && !strcmp(v, "true");
		break;
	case SL_LOT_STRICT:
		x->i = v && !strcasecmp(v, "true");
		if (v && !x->i && strcasecmp(v, "false"))
			x->state = -1;
		break;
	case SL_LOT_INT32:
	case SL_LOT_INT64:
		if (v)
			read_int(x, d, v);
		break;
	case SL_LOT_RATIO: {
		int k = sl_hdrs_ratio(h, &x->d);
		if (k <= 0) {
			x->state = -1;
			x->why = k == 0 ? 0 : 1;
		}
		break;
	}
	case SL_LOT_SEP:
		return read_sep(x, d, v);
	case SL_LOT_CHAR:
		if (v && strlen(v) != 1)
			x->state = -1;
		x->i = v ? (unsigned char)v[0] : -1;
		break;
	case SL_LOT_ENUM:
		x->i = v ? word_index(d->words, v) : -1;
		if (v && x->i < 0) {
			x->state = -1;
			x->why = id == SL_LO_FORMAT && word_index(LATER_FORMATS, v) >= 0;
		}
		break;
	case SL_LOT_COLUMNS:
		if (v && sl_loadopt_split(v, &o->cols, &o->ncols) < 0)
			return -1;
		break;
	default:
		break;
	}
	return 1;
}

int sl_loadopt_parse(sl_loadopts *o, const sl_hdrs *h, unsigned mask, char *msg, size_t cap)
{
	int id, ret = 1;

	memset(o, 0, sizeof *o);
	for (id = 0; id < SL_LO_COUNT; id++) {
		if (!(sl_loadopt_table[id].stages & mask))
			continue;
		if (read_one(o, h, id) < 0) {
			errno = ENOMEM;
			return -1;
		}
		if (ret == 1 && !sl_loadopt_check(o, id, msg, cap))
			ret = 0;
	}
	return ret;
}

int sl_loadopt_check(const sl_loadopts *o, int id, char *msg, size_t cap)
{
	const sl_loadopt_def *d = &sl_loadopt_table[id];
	const sl_loadopt_val *x = &o->v[id];
	const char *fmt;

	if (x->state >= 0)
		return 1;
	fmt = d->msgs[x->why];
	switch (d->type) {
	case SL_LOT_INT32:
	case SL_LOT_INT64:
		if (x->why == 2)
			snprintf(msg, cap, fmt, x->i);
		else
			snprintf(msg, cap, fmt, d->name, x->text);
		break;
	case SL_LOT_SEP:
		snprintf(msg, cap, fmt, x->why ? d->name : x->err);
		break;
	case SL_LOT_ENUM:
		if (id == SL_LO_PARTIAL_UPDATE_NEW_KEY_BEHAVIOR) {
			/* Doris upper-cases the policy before naming it */
			char up[256];
			size_t i;
			for (i = 0; x->text[i] && i + 1 < sizeof up; i++)
				up[i] = (char)toupper((unsigned char)x->text[i]);
			up[i] = 0;
			snprintf(msg, cap, fmt, up);
			break;
		}
		/* FALLTHROUGH */
	default:
		/* compress_type's message names the format */
		snprintf(msg, cap, fmt, id != SL_LO_COMPRESS_TYPE ? x->text
		    : o->v[SL_LO_FORMAT].text ? o->v[SL_LO_FORMAT].text : "");
	}
	return 0;
}

const char *sl_loadopt_text(const sl_loadopts *o, int id)
{
	return o->v[id].text ? o->v[id].text : sl_loadopt_table[id].dflt;
}

void sl_loadopt_free(sl_loadopts *o)
{
	int id;

	for (id = 0; id < SL_LO_COUNT; id++)
		sl_buf_free(&o->v[id].bytes);
	free(o->cols);
	o->cols = 0;
	o->ncols = 0;
}

int sl_loadopt_split(const char *cols, sl_loadopt_item **items, size_t *n)
{
	const char *p = cols, *start = cols;
	sl_loadopt_item *a = 0;
	size_t na = 0, cap = 0;
	int depth = 0;
	char q = 0;

	for (;; p++) {
		if (*p && q) {
			if (*p == '\\' && q != '`' && p[1])
				p++;
			else if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`') {
			q = *p;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if (*p && (*p != ',' || depth > 0))
			continue;
		if (na == cap) {
			sl_loadopt_item *b;
			cap = cap ? 2 * cap : 16;
			if (!(b = realloc(a, cap * sizeof *b))) {
				free(a);
				errno = ENOMEM;
				return -1;
			}
			a = b;
		}
		a[na].p = start;
		a[na++].n = (size_t)(p - start);
		if (!*p)
			break;
		start = p + 1;
	}
	*items = a;
	*n = na;
	return 1;
}

int sl_loadopt_list(sl_buf *out)
{
	static const char *const stage[] = { "sl-parse", "sl-map", "sl-filter", "sl-txn", "sl-commit", "launcher" };
	int id;
	size_t s;

	for (id = 0; id < SL_LO_COUNT; id++) {
		const char *sep = " ";
		if (sl_buf_puts(out, sl_loadopt_table[id].name) < 0)
			return -1;
		for (s = 0; s < sizeof stage / sizeof *stage; s++) {
			if (!(sl_loadopt_table[id].stages & (1u << s)))
				continue;
			if (sl_buf_puts(out, sep) < 0 || sl_buf_puts(out, stage[s]) < 0)
				return -1;
			sep = ",";
		}
		if (sl_buf_putc(out, '\n') < 0)
			return -1;
	}
	return 1;
}

int sl_loadopt_group_commit(const sl_loadopt_val *v)
{
	const char *gc = v[SL_LO_GROUP_COMMIT].text, *body = v[SL_LO_BODY_BYTES].text;

	if (!gc || !strcasecmp(gc, "off_mode") || v[SL_LO_PARTITIONS].text || v[SL_LO_TEMPORARY_PARTITIONS].text ||
	    v[SL_LO_UNIQUE_KEY_UPDATE_MODE].text || v[SL_LO_PARTIAL_COLUMNS].i || v[SL_LO_TWO_PHASE_COMMIT].i ||
	    (body && !strcmp(body, "0")))
		return 0;
	return strcasecmp(gc, "async_mode") ? SL_LO_GC_SYNC : SL_LO_GC_ASYNC;
}
