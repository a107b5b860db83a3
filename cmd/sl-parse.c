/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-parse -- first stage of a load: reads the raw request body on stdin
 * and writes source rows (every field raw text, \N as NULL) as a row
 * stream on stdout. Owns the Doris headers format, compress_type,
 * column_separator, line_delimiter, skip_lines, trim_double_quotes,
 * empty_field_as_null, enclose, escape; `format: json` goes to
 * sl_json_parse (jsonin.h). The body is read through sl_input (input.h),
 * decompressed by compress_type.
 *
 * Frames: C (separators, StartTimeMs), H (variadic), R rows and F error
 * records in input order, C (LoadBytes, ReadDataTimeMs), E.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sl.h"
#include "msg.h"
#include "stage.h"
#include "profile.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "csvsplit.h"
#include "utf8.h"
#include "input.h"
#include "jsonin.h"
#include "schema.h"
#include "store.h"

#define USAGE "sl-parse [--data-dir DIR] [-H 'name:value']... [DB.TABLE] < body"

#define REASON_UTF8 "Invalid file encoding: all CSV files must be UTF-8 encoded"

static sl_writer w;

static size_t frame_max(void)
{
	const char *e = getenv("SL_FRAME_MAX");

	if (e && *e) {
		unsigned long v = strtoul(e, 0, 10);
		if (v >= 1024 && v <= 0x7fffffffUL)
			return v;
	}
	return SL_FRAME_MAX_DEFAULT;
}


static const char *const compressions[] = {
	"gz", "bz2", "lz4", "lz4frame", "lz4_block", "lzo", "lzop", "snappy_block", "deflate",
};
static const char *const later_formats[] = {
	"parquet", "orc", "arrow", "hive_text", "wal",
};

static int in_list(const char *v, const char *const *list, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcasecmp(v, list[i]))
			return 1;
	return 0;
}

/* A separator header: bytes into out, display form into disp. */
static void separator(const sl_hdrs *h, const char *name, const char *dflt, sl_buf *out, sl_buf *disp)
{
	const char *v = sl_hdrs_get(h, name), *err = 0;
	int r = sl_sep_parse(v ? v : dflt, out, &err);

	if (r < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to parse %s", name);
	if (r == 0)
		sl_stage_abort(&w, SL_EXIT_NO, 0, "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = %s", err);
	if (!out->len)
		sl_stage_abort(&w, SL_EXIT_NO, 0, "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = %s is empty", name);
	if (sl_sep_display(out->p, out->len, disp) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to format %s", name);
}

static void hexstr(const sl_buf *b, char *out)
{
	static const char dig[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < b->len; i++) {
		out[2 * i] = dig[(unsigned char)b->p[i] >> 4];
		out[2 * i + 1] = dig[(unsigned char)b->p[i] & 15];
	}
	out[2 * b->len] = 0;
}

/* Before waiting for input: push out what we have. */
static void flush_out(void *arg)
{
	(void)arg;
	if (sl_writer_flush(&w) < 0)
		sl_stage_die_write(&w);
}

/* The R payload is built here, not field by field through the writer:
 * lengths are packed inline and field bytes copied in 16-byte steps (the
 * line buffer and rowbuf both have slack after the data), then the frame
 * goes to the writer in one copy. */
static char *rowbuf;
static size_t rowcap;
/* x_sl_fit_fields (sl-httpd's http_stream): rows get exactly this many
 * fields, missing ones NULL, extra ones dropped; 0: as split. */
static size_t fit;

static int put_row(size_t nf, const sl_field *fl)
{
	size_t need, j, nout = fit ? fit : nf;
	sl_frame f;
	char *d;

	if (nf > nout)
		nf = nout;
	need = 4 * nout;
	for (j = 0; j < nf; j++)
		if (fl[j].n != SL_NULL_LEN)
			need += fl[j].n;
	if (need + 32 > rowcap) {
		char *nb;
		rowcap = (need + 32) * 2;
		nb = realloc(rowbuf, rowcap);
		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		rowbuf = nb;
	}
	d = rowbuf;
	for (j = 0; j < nf; j++) {
		uint32_t n = fl[j].n;
		sl_u32_pack(d, n);
		d += 4;
		if (n != SL_NULL_LEN) {
			const char *s = fl[j].p;
			char *e = d + n;
			for (; d < e; d += 16, s += 16)
				memcpy(d, s, 16);
			d = e;
		}
	}
	for (; j < nout; j++, d += 4)
		sl_u32_pack(d, SL_NULL_LEN);
	f.type = 'R';
	f.flags = 0;
	f.len = (uint32_t)need;
	f.p = rowbuf;
	return sl_write_frame(&w, &f);
}

/* Unescape a field in place: the escape byte is removed and the next byte
 * kept (a trailing escape stays). */
static void unescape(sl_field *f, char esc)
{
	char *p = (char *)(uintptr_t)f->p, *d;
	size_t i, n = f->n;

	if (!memchr(p, esc, n))
		return;
	for (i = 0, d = p; i < n; i++) {
		if (p[i] == esc && i + 1 < n)
			i++;
		*d++ = p[i];
	}
	f->n = (uint32_t)(d - p);
}

/* The source column names of the JSON path: the plain names of `columns`
 * (split at top-level commas outside parentheses and quotes; `x = expr`
 * items skipped), else the table's columns. */
static size_t json_sources(const sl_opts *o, const char *target, char ***out)
{
	const char *v = sl_hdrs_get(&o->hdrs, "columns");
	char **names = 0;
	size_t n = 0, cap = 0;

	if (v && *v) {
		const char *p = v, *s = v;
		int depth = 0;
		char q = 0;
		for (;; p++) {
			if (q) {
				if (*p == q)
					q = 0;
				else if (!*p)
					break;
				continue;
			}
			if (*p == '\'' || *p == '"')
				q = *p;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			else if ((*p == ',' && depth <= 0) || !*p) {
				const char *a = s, *b = p;
				int eq = 0;
				const char *t;
				while (a < b && (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r'))
					a++;
				while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n' || b[-1] == '\r'))
					b--;
				for (t = a; t < b; t++)
					if (*t == '=' || *t == '(')
						eq = 1;
				if (b - a >= 2 && *a == '`' && b[-1] == '`') {
					a++;
					b--;
				}
				if (!eq && b > a) {
					if (n == cap) {
						cap = cap ? 2 * cap : 16;
						names = realloc(names, cap * sizeof *names);
						if (!names)
							sl_diesys(SL_EXIT_TEMP, "unable to read columns");
					}
					names[n] = strndup(a, (size_t)(b - a));
					if (!names[n++])
						sl_diesys(SL_EXIT_TEMP, "unable to read columns");
				}
				if (!*p)
					break;
				s = p + 1;
			}
		}
		if (n) {
			*out = names;
			return n;
		}
	}
	if (target) {
		char db[65], table[65];
		sl_store st;
		sl_schema sch = SL_SCHEMA_ZERO;
		size_t i;
		int r;
		if (!sl_stage_target(target, db, table))
			sl_dieusage(USAGE);
		if (sl_store_open(&st, sl_data_dir(o->data_dir)) < 0)
			sl_stage_abort(&w, SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]unable to open the data directory %s: %s",
			    sl_data_dir(o->data_dir), strerror(errno));
		r = sl_schema_load(&st, db, table, &sch);
		if (r > 0 && sch.ncols) {
			names = calloc(sch.ncols, sizeof *names);
			if (!names)
				sl_diesys(SL_EXIT_TEMP, "unable to read the schema");
			for (i = 0; i < sch.ncols; i++)
				if (!(names[i] = strdup(sch.cols[i].name)))
					sl_diesys(SL_EXIT_TEMP, "unable to read the schema");
			n = sch.ncols;
		}
		sl_schema_free(&sch);
		sl_store_close(&st);
		if (n) {
			*out = names;
			return n;
		}
		/* an unknown table: sl-map answers [NOT_FOUND] */
		if (r == 0 && errno == ENOTDIR)
			sl_stage_abort(&w, SL_EXIT_NO, SL_X_PRETXN,
			    "[NOT_FOUND]TStatus: errCode = 7, detailMessage = unknown database, database=%s", db);
		if (r == 0)
			sl_stage_abort(&w, SL_EXIT_NO, SL_X_PRETXN,
			    "[NOT_FOUND]TStatus: errCode = 7, detailMessage = table not found, tableName=%s", table);
	}
	sl_stage_abort(&w, SL_EXIT_NO, 0,
	    "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = JSON needs the `columns` header or the table");
}


/* Doris's streaming_load_json_max_mb (sl.conf, default 100): a JSON body
 * that is not read by line and is larger fails before a transaction
 * begins. The size is the body's byte count as sent (compressed if it
 * is): the internal header x_sl_body_bytes when a front end passes its
 * Content-Length, else stdin's size when it is a regular file (sl-load
 * -T FILE). A body of unknown size (a pipe, chunked HTTP) is not checked,
 * as Doris does not check a chunked body. With neither read_json_by_line
 * nor strip_outer_array (the default) it is not checked either, as in
 * Doris 4.0: one document there is held within the record cap
 * (json_record_max_bytes, jsonin.h), and more are read by line. */
static void json_body_limit(const sl_opts *o)
{
	const char *v = sl_hdrs_get(&o->hdrs, "x_sl_body_bytes"), *bl, *conf;
	long long size = -1, mb = 100;
	struct stat sb;
	sl_store st;
	char *end;

	bl = sl_hdrs_get(&o->hdrs, "read_json_by_line");
	if (bl ? sl_hdrs_bool(&o->hdrs, "read_json_by_line") : !sl_hdrs_get(&o->hdrs, "strip_outer_array"))
		return;
	if (v) {
		errno = 0;
		size = strtoll(v, &end, 10);
		if (errno || end == v || *end || size < 0)
			size = -1;
	} else if (fstat(0, &sb) == 0 && S_ISREG(sb.st_mode)) {
		off_t at = lseek(0, 0, SEEK_CUR);
		size = (long long)sb.st_size - (at > 0 ? (long long)at : 0);
	}
	if (size <= 0)
		return;
	if (sl_store_open(&st, sl_data_dir(o->data_dir)) < 0)
		sl_stage_abort(&w, SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]unable to open the data directory %s: %s",
		    sl_data_dir(o->data_dir), strerror(errno));
	conf = sl_store_conf(&st, "streaming_load_json_max_mb");
	if (conf) {
		errno = 0;
		mb = strtoll(conf, &end, 10);
		if (errno || end == conf || *end || mb < 0 || mb > INT64_MAX / (1 << 20))
			mb = 100;
	}
	sl_store_close(&st);
	if (size > mb * 1024 * 1024)
		sl_stage_abort(&w, SL_EXIT_NO, SL_X_PRETXN,
		    "[E-217]json body size %lld exceed BE's conf `streaming_load_json_max_mb` %lld. increase it if you are sure this load is reasonable",
		    size, mb * 1024 * 1024);
}

/* A field's last step: trim_double_quotes strips one pair of quotes (the
 * field then stays text); else \N is NULL, and with empty_field_as_null so
 * is an empty field. */
static inline void field_finish(sl_field *f, int trim_quotes, int empty_null)
{
	if (trim_quotes && f->n >= 2 && f->p[0] == '"' && f->p[f->n - 1] == '"') {
		f->p++;
		f->n -= 2;
	} else if ((f->n == 2 && f->p[0] == '\\' && f->p[1] == 'N') || (f->n == 0 && empty_null)) {
		f->n = SL_NULL_LEN;
	}
}

/* Standard input is the client's connection itself (sl-httpd hands it
 * over for a Content-Length body): read exactly x_sl_body_bytes of it. */
static void body_length(const sl_opts *o, sl_input *in)
{
	const char *v = sl_hdrs_get(&o->hdrs, "x_sl_body_bytes");
	struct stat sb;
	char *end;
	unsigned long long n;

	if (!v || fstat(0, &sb) < 0 || !S_ISSOCK(sb.st_mode))
		return;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno)
		return;
	sl_input_set_length(in, (uint64_t)n);
}

/* The body could not be read or decompressed: X, then exit. */
__attribute__((noreturn))
static void body_failed(sl_input *in)
{
	const char *why = sl_input_error(in);
	char msg[512];

	if (sl_input_short(in))
		snprintf(msg, sizeof msg, "[NETWORK_ERROR]%s", why);
	else
		snprintf(msg, sizeof msg, "[INTERNAL_ERROR]unable to read the body: %s", why);
	sl_write_abort(&w, 0, msg);
	sl_writer_flush(&w);
	sl_die(SL_EXIT_NO, "%s", msg);
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	sl_buf sep = SL_BUF_ZERO, delim = SL_BUF_ZERO, sepd = SL_BUF_ZERO, delimd = SL_BUF_ZERO;
	const char *fmt, *v, *target = 0;
	long skip = 0;
	int trim_quotes, empty_null, first = 1, r, json = 0, enclose = -1, escape = -1;
	sl_input *in;
	sl_csvq *q = 0;
	size_t max, fmax = 256;
	sl_field *fields;
	sl_lines lines;
	sl_line ln;
	int64_t start_ms = sl_now_ms();

	sl_msg_init(argv[0]);
	/* DB.TABLE is optional: formats that match by name (JSON) need the
	 * table's columns when no `columns` header names them */
	sl_stage_args(&o, argc, argv, USAGE, &target, 1);
	sl_profile_start(&o.hdrs, target);
	sl_pipe_grow_std();
	if (sl_writer_init(&w, 1) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");

	/* Checked before a transaction could begin: SL_X_PRETXN. */
	fmt = sl_hdrs_get(&o.hdrs, "format");
	if (!fmt || !*fmt || !strcasecmp(fmt, "csv"))
		skip = -1;
	else if (!strcasecmp(fmt, "csv_with_names"))
		skip = 1;
	else if (!strcasecmp(fmt, "csv_with_names_and_types"))
		skip = 2;
	else if (!strcasecmp(fmt, "json"))
		json = 1;
	else if (in_list(fmt, later_formats, SL_ARRAY_LEN(later_formats)))
		sl_stage_abort(&w, SL_EXIT_NO, SL_X_PRETXN,
		    "[NOT_IMPLEMENTED_ERROR]format %s is not supported yet: sl-parse reads csv, csv_with_names, csv_with_names_and_types and json", fmt);
	else
		sl_stage_abort(&w, SL_EXIT_NO, SL_X_PRETXN, "[E-1101]unknown data format, format=%s", fmt);
	v = sl_hdrs_get(&o.hdrs, "compress_type");
	if (v && *v) {
		if (!in_list(v, compressions, SL_ARRAY_LEN(compressions))) {
			/* Doris: CSV with an unknown value is an unknown format;
			 * JSON treats it as plain */
			if (!json)
				sl_stage_abort(&w, SL_EXIT_NO, SL_X_PRETXN, "[E-1101]unknown data format, format=%s", fmt ? fmt : "");
			v = 0;
		}
	}
	if (json)
		json_body_limit(&o);
	{
		const char *err = 0;
		in = sl_input_open(0, v, &err);
		if (!in)
			sl_stage_abort(&w, errno == ENOMEM ? SL_EXIT_TEMP : SL_EXIT_NO, SL_X_PRETXN,
			    "[INTERNAL_ERROR]%s", err ? err : "unable to open the body");
		body_length(&o, in);
	}
	if (json) {
		char **src = 0;
		size_t nsrc = json_sources(&o, target, &src), i;
		r = sl_json_parse(&o.hdrs, (const char *const *)src, nsrc, in, &w);
		r = r > 0 ? SL_EXIT_OK : r == 0 ? SL_EXIT_NO : SL_EXIT_TEMP;
		if (sl_writer_flush(&w) < 0 && r == 0)
			sl_stage_die_write(&w);
		for (i = 0; i < nsrc; i++)
			free(src[i]);
		free(src);
		sl_input_close(in);
		sl_writer_free(&w);
		sl_hdrs_free(&o.hdrs);
		return r;
	}

	/* Header parsing after the transaction began: plain X. */
	v = sl_hdrs_get(&o.hdrs, "enclose");
	if (v) {
		if (strlen(v) != 1)
			sl_stage_abort(&w, SL_EXIT_NO, 0, "[INVALID_ARGUMENT]enclose must be single-char, actually is %s", v);
		enclose = (unsigned char)v[0];
	}
	v = sl_hdrs_get(&o.hdrs, "escape");
	if (v) {
		if (strlen(v) != 1)
			sl_stage_abort(&w, SL_EXIT_NO, 0, "[INVALID_ARGUMENT]escape must be single-char, actually is %s", v);
		escape = (unsigned char)v[0];
	}
	v = sl_hdrs_get(&o.hdrs, "skip_lines");
	if (v) {
		long long n = 0;
		int k = sl_stoll(v, INT32_MIN, INT32_MAX, &n);
		if (k == 0)
			sl_stage_abort(&w, SL_EXIT_NO, 0, "[INVALID_ARGUMENT]Invalid format of 'skip_lines': '%s', stoi", v);
		if (k < 0)
			sl_stage_abort(&w, SL_EXIT_NO, 0, "[INVALID_ARGUMENT]'skip_lines' value out of range: '%s', stoi", v);
		if (n < 0)
			sl_stage_abort(&w, SL_EXIT_NO, 0, "[INVALID_ARGUMENT]Invalid 'skip_lines': %lld", n);
		if (skip < 0)   /* csv_with_names* ignore skip_lines */
			skip = n;
	}
	if (skip < 0)
		skip = 0;
	separator(&o.hdrs, "column_separator", "\\t", &sep, &sepd);
	separator(&o.hdrs, "line_delimiter", "\\n", &delim, &delimd);
	trim_quotes = sl_hdrs_bool(&o.hdrs, "trim_double_quotes");
	v = sl_hdrs_get(&o.hdrs, "x_sl_fit_fields");
	if (v)
		fit = strtoul(v, 0, 10) < 100000 ? strtoul(v, 0, 10) : 0;
	empty_null = sl_hdrs_bool(&o.hdrs, "empty_field_as_null");

	{
		char ms[32], *sh = malloc(2 * sep.len + 1), *dh = malloc(2 * delim.len + 1);
		const char *keys[] = { "column_separator", "line_delimiter", "StartTimeMs",
			"column_separator_hex", "line_delimiter_hex" };
		const char *vals[5];
		if (!sh || !dh)
			sl_diesys(SL_EXIT_TEMP, "unable to start");
		hexstr(&sep, sh);
		hexstr(&delim, dh);
		snprintf(ms, sizeof ms, "%" PRId64, start_ms);
		vals[0] = sepd.p; vals[1] = delimd.p; vals[2] = ms; vals[3] = sh; vals[4] = dh;
		if (sl_write_kv(&w, 5, keys, vals) < 0 ||
		    sl_write_header(&w, 0, 0, 0, SL_H_VARIADIC) < 0 || sl_writer_flush(&w) < 0)
			sl_stage_die_write(&w);
		free(sh);
		free(dh);
	}

	max = frame_max();
	fields = malloc(fmax * sizeof *fields);
	if (!fields || sl_lines_init(&lines, 0, delim.p, delim.len, max) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	lines.before_block = flush_out;
	lines.in = in;

	if (enclose >= 0) {
		sl_qrec rec;
		sl_buf raw = SL_BUF_ZERO;

		q = sl_csvq_new(&lines, sep.p, sep.len, (unsigned char)enclose, escape,
		    trim_quotes ? SL_CSVQ_COLLAPSE : 0, max, (uint64_t)skip);
		if (!q)
			sl_diesys(SL_EXIT_TEMP, "unable to start");
		while ((r = sl_csvq_next(q, &rec)) > 0) {
			size_t j, tot = 0;
			int bad = 0;

			raw.len = 0;
			for (j = 0; j < rec.nf; j++) {
				tot += rec.f[j].n;
				if (!bad && !sl_utf8_valid(rec.f[j].p, rec.f[j].n))
					bad = 1;
			}
			if (rec.toolong || bad || tot + 4 * rec.nf > max) {
				char reason[160];
				int rl;
				for (j = 0; j < rec.nf && raw.len < 1024; j++)
					if ((j && sl_buf_put(&raw, sep.p, sep.len) < 0) ||
					    sl_buf_put(&raw, rec.f[j].p, rec.f[j].n) < 0)
						sl_diesys(SL_EXIT_TEMP, "unable to report line %" PRIu64, rec.lineno);
				if (bad && !rec.toolong)
					rl = snprintf(reason, sizeof reason, "%s", REASON_UTF8);
				else
					rl = snprintf(reason, sizeof reason,
					    "The line is too long: more than %zu bytes (SL_FRAME_MAX)", max);
				if (sl_write_error(&w, reason, (size_t)rl, raw.p ? raw.p : "",
				    raw.len < 1024 ? raw.len : 1024, rec.lineno) < 0)
					sl_stage_die_write(&w);
				continue;
			}
			for (j = 0; j < rec.nf; j++)
				field_finish(&rec.f[j], trim_quotes, empty_null);
			if (put_row(rec.nf, rec.f) < 0)
				sl_stage_die_write(&w);
		}
		sl_buf_free(&raw);
	} else while ((r = sl_lines_next(&lines, &ln)) > 0) {
		const char *p = ln.p;
		size_t n = ln.n, nf, j, payload;
		int ascii;

		if (first) {
			first = 0;
			if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
				p += 3;
				n -= 3;
			}
		}
		if (skip > 0) {
			skip--;
			continue;
		}
		if (!n)
			continue;
		if (ln.toolong)
			goto toolong;
		nf = sl_csv_split(p, n, sep.p, sep.len, fields, fmax, &ascii);
		if (nf > fmax) {
			sl_field *nfl;
			while (fmax < nf)
				fmax *= 2;
			nfl = realloc(fields, fmax * sizeof *fields);
			if (!nfl)
				sl_diesys(SL_EXIT_TEMP, "unable to split line %" PRIu64, ln.lineno);
			fields = nfl;
			sl_csv_split(p, n, sep.p, sep.len, fields, fmax, &ascii);
		}
		if (!ascii && !sl_utf8_valid(p, n)) {
			if (sl_write_error(&w, REASON_UTF8, sizeof REASON_UTF8 - 1, p, n, ln.lineno) < 0)
				sl_stage_die_write(&w);
			continue;
		}
		payload = n + 4 * nf;
		if (payload > max)
			goto toolong;
		for (j = 0; j < nf; j++) {
			sl_field *f = &fields[j];
			if (escape >= 0 && !(f->n == 2 && f->p[0] == '\\' && f->p[1] == 'N'))
				unescape(f, (char)escape);
			field_finish(f, trim_quotes, empty_null);
		}
		if (put_row(nf, fields) < 0)
			sl_stage_die_write(&w);
		continue;
toolong:
		{
			char reason[160];
			size_t cap = max / 2 < 1024 ? max / 2 : 1024;
			int rl = snprintf(reason, sizeof reason,
			    "The line is too long: more than %zu bytes (SL_FRAME_MAX)", max);
			if (sl_write_error(&w, reason, (size_t)rl, p, n < cap ? n : cap, ln.lineno) < 0)
				sl_stage_die_write(&w);
		}
	}
	if (r < 0 && (errno == EBADMSG || sl_input_short(in)))
		body_failed(in);
	if (r < 0) {
		char msg[256];
		snprintf(msg, sizeof msg, "[INTERNAL_ERROR]unable to read the body: %s", strerror(errno));
		sl_write_abort(&w, 0, msg);
		sl_writer_flush(&w);
		sl_diesys(SL_EXIT_TEMP, "unable to read stdin");
	}
	{
		char lb[32], rt[32];
		const char *keys[] = { "LoadBytes", "ReadDataTimeMs" };
		const char *vals[] = { lb, rt };
		snprintf(lb, sizeof lb, "%" PRIu64, lines.nread);
		snprintf(rt, sizeof rt, "%" PRIu64, lines.read_ns / 1000000u);
		if (sl_write_kv(&w, 2, keys, vals) < 0 || sl_write_end(&w) < 0)
			sl_stage_die_write(&w);
	}
	if (close(1) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	sl_csvq_free(q);
	sl_lines_free(&lines);
	sl_input_close(in);
	sl_writer_free(&w);
	free(fields);
	sl_buf_free(&sep);
	sl_buf_free(&delim);
	sl_buf_free(&sepd);
	sl_buf_free(&delimd);
	sl_hdrs_free(&o.hdrs);
	return 0;
}
