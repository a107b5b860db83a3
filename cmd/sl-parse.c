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
 * records in input order, C (LoadBytes, ReadDataTimeMs), E. A columnar
 * file (parquet, orc, arrow) has an H of its source columns instead: all
 * STRING alone, and with a table the typed columns (colfile.h) as their
 * types and binary values, flag SL_H_TYPED (frame.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
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
#include "loadopt.h"
#include "status.h"
#include "csvsplit.h"
#include "utf8.h"
#include "input.h"
#include "jsonin.h"
#include "schema.h"
#include "colmap.h"
#include "store.h"
#include "colfile.h"
#include "colval.h"
#include "types.h"

#define USAGE "sl-parse [--data-dir DIR] [-H 'name:value']... [DB.TABLE] < body\n" \
	SL_HELP_H \
	SL_HELP_DATA_DIR \
	SL_HELP_STD \
	"See sl-parse(1).\n"

#define REASON_UTF8 "Invalid file encoding: all CSV files must be UTF-8 encoded"

/* The stage's state: its output, the load's options and the CSV reading. */
typedef struct parse {
	sl_writer w;
	sl_opts o;
	sl_loadopts lo;
	const char *target;
	sl_input *in;
	/* x_sl_fit_fields (sl-httpd's http_stream): rows get exactly this
	 * many fields, missing ones NULL, extra ones dropped; 0: as split. */
	size_t fit;
	long skip;              /* lines to skip; -1 until decided */
	int json;
	int columnar;           /* parquet, orc, arrow (colfile.h) */
	int trim_quotes, empty_null, enclose, escape;
	const sl_buf *sep, *delim;
	size_t max;             /* SL_FRAME_MAX */
	sl_lines lines;
} parse;

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

/* An option's verdict: an invalid value ends the stage with its message. */
static void check_opt(parse *c, int id, int flags)
{
	char msg[1024];

	if (!sl_loadopt_check(&c->lo, id, msg, sizeof msg))
		sl_stage_abort(&c->w, SL_EXIT_NO, flags, "%s", msg);
}

/* A separator's display form (the C frame's). */
static void sep_display(const sl_buf *b, sl_buf *disp)
{
	if (sl_sep_display(b->p, b->len, disp) < 0 || sl_buf_cstr(disp) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
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
	parse *c = arg;

	if (sl_writer_flush(&c->w) < 0)
		sl_stage_die_write(&c->w);
}

/* A row's payload at d: nf fields of fl, then NULL up to nout. Field
 * bytes are copied in 16-byte steps: both the source (the line buffer)
 * and d have 16 bytes of slack after the data. */
static void row_fill(char *d, size_t nf, size_t nout, const sl_field *fl)
{
	size_t j;

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
}

/* One R frame, built in the writer's buffer (reserved with the slack,
 * then cut to its length). */
static int put_row(parse *c, size_t nf, const sl_field *fl)
{
	size_t need, j, nout = c->fit ? c->fit : nf;
	char *d;

	if (nf > nout)
		nf = nout;
	need = 4 * nout;
	for (j = 0; j < nf; j++)
		if (fl[j].n != SL_NULL_LEN)
			need += fl[j].n;
	if (!(d = sl_row_reserve(&c->w, need + 16)))
		return -1;
	row_fill(d, nf, nout, fl);
	return sl_row_done(&c->w, d, need);
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

/* The plain names of `columns` (`x = expr` items skipped, backquotes
 * stripped); 0 when it names none. */
static size_t column_names(const sl_loadopts *lo, char ***out)
{
	char **names = calloc(lo->ncols + 1, sizeof *names);
	size_t i, n = 0;

	if (!names)
		sl_diesys(SL_EXIT_TEMP, "unable to read columns");
	for (i = 0; i < lo->ncols; i++) {
		const char *a = lo->cols[i].p, *b = a + lo->cols[i].n, *t;
		int eq = 0;
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
		if (eq || b == a)
			continue;
		if (!(names[n++] = strndup(a, (size_t)(b - a))))
			sl_diesys(SL_EXIT_TEMP, "unable to read columns");
	}
	if (!n)
		free(names);
	else
		*out = names;
	return n;
}

/* The source columns of the table named on the command line, as sl-map
 * maps a load without `columns` (colmap.h: the visible columns and the
 * hidden ones the load names); 0 with errno (ENOTDIR: no such database)
 * when it has none. */
static size_t table_names(parse *c, char db[65], char table[65], char ***out, int *found)
{
	sl_store st;
	sl_schema sch = SL_SCHEMA_ZERO;
	char **names = 0;
	const char **cols;
	size_t i, n = 0;

	if (!sl_stage_target(c->target, db, table))
		sl_dieusage(USAGE);
	if (sl_store_open(&st, sl_data_dir(c->o.data_dir)) < 0)
		sl_stage_abort(&c->w, SL_EXIT_TEMP, 0, SL_DATA_DIR_MSG,
		    sl_data_dir(c->o.data_dir), strerror(errno));
	*found = sl_schema_load(&st, db, table, &sch);
	if (*found > 0 && sch.ncols) {
		names = calloc(sch.ncols, sizeof *names);
		cols = calloc(sch.ncols, sizeof *cols);
		if (!names || !cols)
			sl_diesys(SL_EXIT_TEMP, "unable to read the schema");
		n = sl_colmap_positional(&sch, &c->lo, cols);
		for (i = 0; i < n; i++)
			if (!(names[i] = strdup(cols[i])))
				sl_diesys(SL_EXIT_TEMP, "unable to read the schema");
		free(cols);
	}
	sl_schema_free(&sch);
	sl_store_close(&st);
	*out = names;
	return n;
}

/* The source column names of the formats that match by name (JSON, the
 * columnar files): the plain names of `columns`, else the table's
 * columns; 0 when the load names neither. */
static size_t named_sources(parse *c, char ***out)
{
	size_t n = column_names(&c->lo, out);
	char db[65], table[65];
	int r;

	if (n)
		return n;
	if (c->target) {
		int e;
		if ((n = table_names(c, db, table, out, &r)))
			return n;
		e = errno;
		/* an unknown table: sl-map answers NOT_FOUND */
		if (r == 0 && e == ENOTDIR)
			sl_stage_abort(&c->w, SL_EXIT_NO, SL_X_PRETXN,
			    SL_UNKNOWN_DB_MSG, db);
		if (r == 0)
			sl_stage_abort(&c->w, SL_EXIT_NO, SL_X_PRETXN,
			    SL_NO_TABLE_MSG, table);
	}
	return 0;
}

static size_t json_sources(parse *c, char ***out)
{
	size_t n = named_sources(c, out);

	if (!n)
		sl_stage_abort(&c->w, SL_EXIT_NO, 0,
		    SL_E_ANALYSIS_ERROR SL_TSTATUS "JSON needs the `columns` header or the table");
	return n;
}

/* The body's byte count as sent: x_sl_body_bytes, else stdin's size when
 * it is a regular file; -1 unknown. */
static long long body_size(const parse *c)
{
	const char *v = c->lo.v[SL_LO_BODY_BYTES].text;
	long long size = -1;
	struct stat sb;
	char *end;

	if (v) {
		errno = 0;
		size = strtoll(v, &end, 10);
		if (errno || end == v || *end || size < 0)
			size = -1;
	} else if (fstat(0, &sb) == 0 && S_ISREG(sb.st_mode)) {
		off_t at = lseek(0, 0, SEEK_CUR);
		size = (long long)sb.st_size - (at > 0 ? (long long)at : 0);
	}
	return size;
}

/* A size in MiB from sl.conf (key), else dflt: in bytes. */
static long long conf_mb(parse *c, const char *key, long long dflt)
{
	long long mb = dflt;
	const char *conf;
	sl_store st;
	char *end;

	if (sl_store_open(&st, sl_data_dir(c->o.data_dir)) < 0)
		sl_stage_abort(&c->w, SL_EXIT_TEMP, 0, SL_DATA_DIR_MSG,
		    sl_data_dir(c->o.data_dir), strerror(errno));
	conf = sl_store_conf(&st, key);
	if (conf) {
		errno = 0;
		mb = strtoll(conf, &end, 10);
		if (errno || end == conf || *end || mb < 0 || mb > INT64_MAX / (1 << 20))
			mb = dflt;
	}
	sl_store_close(&st);
	return mb * 1024 * 1024;
}

/* Doris's streaming_load_json_max_mb (sl.conf, default 100): a JSON body
 * that is not read by line and is larger fails before a transaction
 * begins. The size is the body's byte count as sent (compressed if it
 * is). A body of unknown size (a pipe, chunked HTTP) is not checked,
 * as Doris does not check a chunked body. With neither read_json_by_line
 * nor strip_outer_array (the default) it is not checked either, as in
 * Doris 4.0: one document there is held within the record cap
 * (json_record_max_bytes, jsonin.h), and more are read by line. */
static void json_body_limit(parse *c)
{
	const sl_loadopt_val *bl = &c->lo.v[SL_LO_READ_JSON_BY_LINE];
	long long size, max;

	if (bl->text ? bl->i : !c->lo.v[SL_LO_STRIP_OUTER_ARRAY].text)
		return;
	if ((size = body_size(c)) <= 0)
		return;
	max = conf_mb(c, "streaming_load_json_max_mb", 100);
	if (size > max)
		sl_stage_abort(&c->w, SL_EXIT_NO, SL_X_PRETXN,
		    SL_E_JSON_TOO_LARGE "json body size %lld exceed BE's conf `streaming_load_json_max_mb` %lld. "
		    "increase it if you are sure this load is reasonable", size, max);
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
static void body_length(const parse *c)
{
	const char *v = c->lo.v[SL_LO_BODY_BYTES].text;
	struct stat sb;
	char *end;
	unsigned long long n;

	if (!v || fstat(0, &sb) < 0 || !S_ISSOCK(sb.st_mode))
		return;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno)
		return;
	sl_input_set_length(c->in, (uint64_t)n);
}

/* The body could not be read or decompressed: X, then exit. */
__attribute__((noreturn))
static void body_failed(parse *c, int e)
{
	char msg[512];

	if (e == EBADMSG || sl_input_short(c->in)) {
		if (sl_input_short(c->in))
			snprintf(msg, sizeof msg, SL_E_NETWORK_ERROR "%s", sl_input_error(c->in));
		else
			snprintf(msg, sizeof msg, SL_E_INTERNAL_ERROR "unable to read the body: %s", sl_input_error(c->in));
		sl_write_abort(&c->w, 0, msg);
		sl_writer_flush(&c->w);
		sl_die(SL_EXIT_NO, "%s", msg);
	}
	snprintf(msg, sizeof msg, SL_E_INTERNAL_ERROR "unable to read the body: %s", strerror(e));
	sl_write_abort(&c->w, 0, msg);
	sl_writer_flush(&c->w);
	errno = e;
	sl_diesys(SL_EXIT_TEMP, "unable to read stdin");
}

/* The headers checked before a transaction could begin (SL_X_PRETXN):
 * format and compress_type; then the body is opened. */
static void open_body(parse *c)
{
	const char *ct = c->lo.v[SL_LO_COMPRESS_TYPE].text, *err = 0;
	long fmt = c->lo.v[SL_LO_FORMAT].i;

	check_opt(c, SL_LO_FORMAT, SL_X_PRETXN);
	if (!c->lo.v[SL_LO_FORMAT].text)
		fmt = 0;
	c->skip = fmt == 1 ? 1 : fmt == 2 ? 2 : -1;
	c->json = fmt == 3;
	c->columnar = fmt >= 4;
	/* Doris: CSV with an unknown compress_type is an unknown format;
	 * JSON treats it as plain */
	if (!c->json)
		check_opt(c, SL_LO_COMPRESS_TYPE, SL_X_PRETXN);
	else if (c->lo.v[SL_LO_COMPRESS_TYPE].state < 0)
		ct = 0;
	if (c->json)
		json_body_limit(c);
	c->in = sl_input_open(0, ct, &err);
	if (!c->in)
		sl_stage_abort(&c->w, errno == ENOMEM ? SL_EXIT_TEMP : SL_EXIT_NO, SL_X_PRETXN,
		    SL_E_INTERNAL_ERROR "%s", err ? err : "unable to open the body");
	body_length(c);
}

/* JSON: sl_json_parse (jsonin.h) does the rest. */
static int run_json(parse *c)
{
	char **src = 0;
	size_t nsrc = json_sources(c, &src), i;
	int r = sl_json_parse(&c->lo, (const char *const *)src, nsrc, c->in, &c->w);

	r = r > 0 ? SL_EXIT_OK : r == 0 ? SL_EXIT_NO : SL_EXIT_TEMP;
	if (sl_writer_flush(&c->w) < 0 && r == 0)
		sl_stage_die_write(&c->w);
	for (i = 0; i < nsrc; i++)
		free(src[i]);
	free(src);
	return r;
}

/* CSV's headers, checked after the transaction began (a plain X). */
static void csv_options(parse *c)
{
	const sl_loadopt_val *v = c->lo.v;

	check_opt(c, SL_LO_ENCLOSE, 0);
	check_opt(c, SL_LO_ESCAPE, 0);
	c->enclose = (int)v[SL_LO_ENCLOSE].i;
	c->escape = (int)v[SL_LO_ESCAPE].i;
	check_opt(c, SL_LO_SKIP_LINES, 0);
	if (v[SL_LO_SKIP_LINES].text && c->skip < 0)   /* csv_with_names* ignore skip_lines */
		c->skip = (long)v[SL_LO_SKIP_LINES].i;
	if (c->skip < 0)
		c->skip = 0;
	check_opt(c, SL_LO_COLUMN_SEPARATOR, 0);
	check_opt(c, SL_LO_LINE_DELIMITER, 0);
	c->sep = &v[SL_LO_COLUMN_SEPARATOR].bytes;
	c->delim = &v[SL_LO_LINE_DELIMITER].bytes;
	c->trim_quotes = (int)v[SL_LO_TRIM_DOUBLE_QUOTES].i;
	if (v[SL_LO_FIT_FIELDS].text)
		c->fit = strtoul(v[SL_LO_FIT_FIELDS].text, 0, 10) < 100000 ? strtoul(v[SL_LO_FIT_FIELDS].text, 0, 10) : 0;
	c->empty_null = (int)v[SL_LO_EMPTY_FIELD_AS_NULL].i;
}

/* C (separators, StartTimeMs) and the variadic H. */
static void write_start(parse *c, int64_t start_ms)
{
	sl_buf sepd = SL_BUF_ZERO, delimd = SL_BUF_ZERO;
	char ms[32], *sh = malloc(2 * c->sep->len + 1), *dh = malloc(2 * c->delim->len + 1);
	const char *keys[] = { "column_separator", "line_delimiter", "StartTimeMs",
		"column_separator_hex", "line_delimiter_hex" };
	const char *vals[5];

	if (!sh || !dh)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	sep_display(c->sep, &sepd);
	sep_display(c->delim, &delimd);
	hexstr(c->sep, sh);
	hexstr(c->delim, dh);
	snprintf(ms, sizeof ms, "%" PRId64, start_ms);
	vals[0] = sepd.p; vals[1] = delimd.p; vals[2] = ms; vals[3] = sh; vals[4] = dh;
	if (sl_write_kv(&c->w, 5, keys, vals) < 0 ||
	    sl_write_header(&c->w, 0, 0, 0, SL_H_VARIADIC) < 0 || sl_writer_flush(&c->w) < 0)
		sl_stage_die_write(&c->w);
	free(sh);
	free(dh);
	sl_buf_free(&sepd);
	sl_buf_free(&delimd);
}

/* An F record for a line that cannot become a row. */
static void reject_line(parse *c, int utf8, const char *p, size_t n, uint64_t lineno)
{
	char reason[160];
	int rl;

	if (utf8)
		rl = snprintf(reason, sizeof reason, "%s", REASON_UTF8);
	else
		rl = snprintf(reason, sizeof reason, "The line is too long: more than %zu bytes (SL_FRAME_MAX)", c->max);
	if (sl_write_error(&c->w, reason, (size_t)rl, p, n, lineno) < 0)
		sl_stage_die_write(&c->w);
}

/* CSV with enclose: records may span lines (csvsplit's sl_csvq). */
static int run_quoted(parse *c)
{
	sl_qrec rec;
	sl_buf raw = SL_BUF_ZERO;
	sl_csvq *q = sl_csvq_new(&c->lines, c->sep->p, c->sep->len, (unsigned char)c->enclose, c->escape,
	    c->trim_quotes ? SL_CSVQ_COLLAPSE : 0, c->max, (uint64_t)c->skip);
	int r;

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
		if (rec.toolong || bad || tot + 4 * rec.nf > c->max) {
			for (j = 0; j < rec.nf && raw.len < 1024; j++)
				if ((j && sl_buf_put(&raw, c->sep->p, c->sep->len) < 0) ||
				    sl_buf_put(&raw, rec.f[j].p, rec.f[j].n) < 0)
					sl_diesys(SL_EXIT_TEMP, "unable to report line %" PRIu64, rec.lineno);
			reject_line(c, bad && !rec.toolong, raw.p ? raw.p : "", raw.len < 1024 ? raw.len : 1024, rec.lineno);
			continue;
		}
		for (j = 0; j < rec.nf; j++)
			field_finish(&rec.f[j], c->trim_quotes, c->empty_null);
		if (put_row(c, rec.nf, rec.f) < 0)
			sl_stage_die_write(&c->w);
	}
	sl_buf_free(&raw);
	sl_csvq_free(q);
	return r;
}

/* Plain CSV: one line, one row. */
static int run_plain(parse *c)
{
	size_t fmax = 256;
	sl_field *fields = malloc(fmax * sizeof *fields);
	sl_line ln;
	int r, first = 1;

	if (!fields)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	while ((r = sl_lines_next(&c->lines, &ln)) > 0) {
		const char *p = ln.p;
		size_t n = ln.n, nf, j;
		int ascii;

		if (first) {
			first = 0;
			if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
				p += 3;
				n -= 3;
			}
		}
		if (c->skip > 0) {
			c->skip--;
			continue;
		}
		if (!n)
			continue;
		if (ln.toolong)
			goto toolong;
		nf = sl_csv_split(p, n, c->sep->p, c->sep->len, fields, fmax, &ascii);
		if (nf > fmax) {
			sl_field *nfl;
			while (fmax < nf)
				fmax *= 2;
			nfl = realloc(fields, fmax * sizeof *fields);
			if (!nfl)
				sl_diesys(SL_EXIT_TEMP, "unable to split line %" PRIu64, ln.lineno);
			fields = nfl;
			sl_csv_split(p, n, c->sep->p, c->sep->len, fields, fmax, &ascii);
		}
		if (!ascii && !sl_utf8_valid(p, n)) {
			reject_line(c, 1, p, n, ln.lineno);
			continue;
		}
		if (n + 4 * nf > c->max)
			goto toolong;
		for (j = 0; j < nf; j++) {
			sl_field *f = &fields[j];
			if (c->escape >= 0 && !(f->n == 2 && f->p[0] == '\\' && f->p[1] == 'N'))
				unescape(f, (char)c->escape);
			field_finish(f, c->trim_quotes, c->empty_null);
		}
		if (put_row(c, nf, fields) < 0)
			sl_stage_die_write(&c->w);
		continue;
toolong:
		{
			size_t cap = c->max / 2 < 1024 ? c->max / 2 : 1024;
			reject_line(c, 0, p, n < cap ? n : cap, ln.lineno);
		}
	}
	free(fields);
	return r;
}

/* CSV: options, C and H, the rows, then C (LoadBytes, ReadDataTimeMs), E. */
static void run_csv(parse *c, int64_t start_ms)
{
	char lb[32], rt[32];
	const char *keys[] = { "LoadBytes", "ReadDataTimeMs" };
	const char *vals[] = { lb, rt };
	int r;

	csv_options(c);
	write_start(c, start_ms);
	c->max = frame_max();
	if (sl_lines_init(&c->lines, 0, c->delim->p, c->delim->len, c->max) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	c->lines.before_block = flush_out;
	c->lines.arg = c;
	c->lines.in = c->in;
	r = c->enclose >= 0 ? run_quoted(c) : run_plain(c);
	if (r < 0)
		body_failed(c, errno);
	snprintf(lb, sizeof lb, "%" PRIu64, c->lines.nread);
	snprintf(rt, sizeof rt, "%" PRIu64, c->lines.read_ns / 1000000u);
	if (sl_write_kv(&c->w, 2, keys, vals) < 0 || sl_write_end(&c->w) < 0)
		sl_stage_die_write(&c->w);
	if (close(1) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	sl_lines_free(&c->lines);
}

/* A columnar file's failure: X with the reader's reason, then exit; the
 * load fails whole, nothing of it visible. */
__attribute__((noreturn))
static void columnar_failed(parse *c, const char *format, const char *why)
{
	if (errno == ENOTSUP)
		sl_stage_abort(&c->w, SL_EXIT_NO, 0, SL_E_NOT_IMPLEMENTED_ERROR "%s", why);
	sl_stage_abort(&c->w, errno == ENOMEM ? SL_EXIT_TEMP : SL_EXIT_NO, 0,
	    SL_E_INTERNAL_ERROR "failed to read the %s file: %s", format, why);
}

/* The body as the format needs it: the stream for arrow, a seekable file
 * (the body itself, else spooled under the data directory within
 * streaming_load_max_mb) for parquet and orc. */
static sl_colreader *columnar_open(parse *c, const char *format, sl_colsrc *src)
{
	const char *tz = c->lo.v[SL_LO_TIMEZONE].text;
	const char *ct = c->lo.v[SL_LO_COMPRESS_TYPE].text;
	sl_colopts o = { 0, (uint64_t)1 << 30 };
	sl_colreader *r;
	char err[512];
	sl_store st;

	if (!tz)
		tz = c->lo.v[SL_LO_TIME_ZONE].text;
	if (!tz && sl_store_open(&st, sl_data_dir(c->o.data_dir)) >= 0) {
		static char conf_tz[128];
		const char *v = sl_store_conf(&st, "time_zone");
		if (v)
			tz = strncpy(conf_tz, v, sizeof conf_tz - 1);
		sl_store_close(&st);
	}
	o.timezone = tz ? tz : "+08:00";
	memset(src, 0, sizeof *src);
	src->fd = -1;
	src->in = c->in;
	if (sl_colfile_seekable(format) == 1) {
		uint64_t max = (uint64_t)conf_mb(c, "streaming_load_max_mb", 10240);
		if (sl_colfile_spool(ct && *ct ? -1 : 0, c->in, sl_data_dir(c->o.data_dir), max, src,
		    err, sizeof err) < 0) {
			if (errno == EFBIG)
				sl_stage_abort(&c->w, SL_EXIT_NO, 0, SL_E_JSON_TOO_LARGE "body size exceed BE's conf "
				    "`streaming_load_max_mb` %llu. increase it if you are sure this load is reasonable",
				    (unsigned long long)max);
			columnar_failed(c, format, err);
		}
		src->in = 0;
	}
	if (!(r = sl_colfile_open(format, src, &o, err, sizeof err)))
		columnar_failed(c, format, err);
	/* typed fields for sl-map (a target table); alone, every value as
	 * text under STRING columns, the file's types in the C frame.
	 * SL_COLUMNAR_TEXT=1 keeps the text with a table too: the same load
	 * through sl-map's casts, to hold the typed path against */
	const char *text = getenv("SL_COLUMNAR_TEXT");
	if (c->target && !(text && !strcmp(text, "1")))
		sl_colfile_typed(r);
	return r;
}

/* The C frame's type texts of the file's columns (sl-parse alone): a
 * JSON array, as the H frame carries the values as text (STRING). */
static void columnar_start(parse *c, const sl_colreader *r, int64_t start_ms)
{
	sl_buf types = SL_BUF_ZERO;
	const char *keys[] = { "StartTimeMs", "ColumnTypes" };
	const char *vals[2];
	char ms[32];
	size_t i;

	snprintf(ms, sizeof ms, "%" PRId64, start_ms);
	vals[0] = ms;
	for (i = 0; i < r->ncols; i++)
		if (sl_buf_putc(&types, i ? ',' : '[') < 0 ||
		    sl_colval_json_string(&types, r->cols[i].type, strlen(r->cols[i].type)) < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to start");
	if (sl_buf_puts(&types, r->ncols ? "]" : "[]") < 0 || sl_buf_cstr(&types) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	vals[1] = types.p;
	if (sl_write_kv(&c->w, c->target ? 1 : 2, keys, vals) < 0)
		sl_stage_die_write(&c->w);
	sl_buf_free(&types);
}

/* H: the source columns as STRING (sl-map casts the texts), a typed
 * column (sl_colinfo.typed) as its type with SL_H_TYPED, and which file
 * column each one reads (-1: not in the file, absent). */
static long *columnar_header(parse *c, const sl_colreader *r, char **src, size_t nsrc, int own)
{
	int flags = 0;
	sl_field *nm = calloc(nsrc + 1, sizeof *nm), *ty = calloc(nsrc + 1, sizeof *ty);
	long *pick = calloc(nsrc + 1, sizeof *pick);
	size_t i, j;

	if (!nm || !ty || !pick)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	for (i = 0; i < nsrc; i++) {
		/* alone, the file's columns in order (names may repeat) */
		pick[i] = own ? (long)i : -1;
		for (j = 0; j < r->ncols && pick[i] < 0; j++)
			if (!strcasecmp(src[i], r->cols[j].name))
				pick[i] = (long)j;
		nm[i].p = src[i];
		nm[i].n = (uint32_t)strlen(src[i]);
		ty[i].p = "STRING";
		ty[i].n = 6;
		if (pick[i] >= 0 && r->cols[pick[i]].typed) {
			ty[i].p = r->cols[pick[i]].type;
			ty[i].n = (uint32_t)strlen(ty[i].p);
			flags = SL_H_TYPED;
		}
	}
	if (sl_write_header(&c->w, nsrc, nm, ty, flags) < 0 || sl_writer_flush(&c->w) < 0)
		sl_stage_die_write(&c->w);
	free(nm);
	free(ty);
	return pick;
}

/* A row larger than a frame may hold: an F record with its start, the
 * values as text (a typed field's as its text would have been). */
static int columnar_too_long(parse *c, const sl_colreader *r, const long *pick, const sl_field *row, size_t n,
	uint64_t rowno)
{
	sl_buf raw = SL_BUF_ZERO;
	sl_type t;
	size_t j;

	for (j = 0; j < n && raw.len < 1024; j++) {
		const sl_colinfo *ci = pick[j] >= 0 ? &r->cols[pick[j]] : 0;
		if (j && sl_buf_putc(&raw, '\t') < 0)
			return -1;
		if (row[j].n >= SL_ABSENT_LEN)
			continue;
		if (ci && ci->typed && sl_type_parse(ci->type, strlen(ci->type), &t, 0) == 1) {
			if (sl_colval_typed_text(&raw, t.kind, t.scale, row[j].p, row[j].n) < 0)
				return -1;
		} else if (sl_buf_put(&raw, row[j].p, row[j].n) < 0)
			return -1;
	}
	reject_line(c, 0, raw.p ? raw.p : "", raw.len < 1024 ? raw.len : 1024, rowno);
	sl_buf_free(&raw);
	return 1;
}

/* n bytes from s to d without a call for the short ones (most columnar
 * fields are a few bytes: a libc call per field cost more than the copy),
 * never reading past s + n. */
static inline void copy_field(char *d, const char *s, size_t n)
{
	if (n > 16)
		memcpy(d, s, n);
	else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
}

/* Source column i of a row: the file's column pick[i] (vals), or absent. */
static inline sl_field columnar_pick(const sl_field *vals, const long *pick, size_t i)
{
	return pick[i] >= 0 ? vals[pick[i]] : (sl_field){ "", SL_ABSENT_LEN };
}

/* The n source fields of a row as an R frame's payload at d. */
static void columnar_fill(char *d, const sl_field *vals, const long *pick, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sl_field f = columnar_pick(vals, pick, i);
		sl_u32_pack(d, f.n);
		d += 4;
		if (f.n < SL_ABSENT_LEN) {
			copy_field(d, f.p, f.n);
			d += f.n;
		}
	}
}

/* One R frame of a row's n source fields (need: its payload bytes), built
 * in the writer's buffer. */
static int columnar_put(parse *c, const sl_field *vals, const long *pick, size_t n, size_t need)
{
	char *d = sl_row_reserve(&c->w, need);

	if (!d)
		return -1;
	columnar_fill(d, vals, pick, n);
	return sl_row_done(&c->w, d, need);
}

/* The rows: each source column's value, in the sources' order. */
static void columnar_rows(parse *c, sl_colreader *r, const long *pick, size_t nsrc, const char *format)
{
	sl_field *vals = calloc(r->ncols + 1, sizeof *vals), *row = calloc(nsrc + 1, sizeof *row);
	uint64_t rowno = 0;
	size_t i, need;
	int k;

	if (!vals || !row)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	while ((k = sl_colfile_next(r, vals)) > 0) {
		rowno++;
		need = 4 * nsrc;
		for (i = 0; i < nsrc; i++)
			if (pick[i] >= 0 && vals[pick[i]].n < SL_ABSENT_LEN)
				need += vals[pick[i]].n;
		if (need > c->max) {
			for (i = 0; i < nsrc; i++)
				row[i] = columnar_pick(vals, pick, i);
			if (columnar_too_long(c, r, pick, row, nsrc, rowno) < 0)
				sl_diesys(SL_EXIT_TEMP, "unable to report row %" PRIu64, rowno);
			continue;
		}
		if (columnar_put(c, vals, pick, nsrc, need) < 0)
			sl_stage_die_write(&c->w);
	}
	if (k < 0)
		columnar_failed(c, format, r->err);
	free(vals);
	free(row);
}

/* parquet, orc, arrow: C, H, the rows, C (LoadBytes, ReadDataTimeMs), E. */
static void run_columnar(parse *c, int64_t start_ms)
{
	const char *format = c->lo.v[SL_LO_FORMAT].text;
	char lb[32], rt[32], **src = 0, **own = 0;
	const char *keys[] = { "LoadBytes", "ReadDataTimeMs" };
	const char *vals[] = { lb, rt };
	size_t nsrc = named_sources(c, &own), i;
	int64_t t0 = sl_now_ms();
	uint64_t bytes;
	sl_colreader *r;
	sl_colsrc cs;
	long *pick;

	/* the readers free and take again buffers of megabytes for every
	 * column chunk: glibc would map and unmap each one, and the kernel
	 * zero its pages every time (a parquet load spent half its time
	 * there); keep them in the heap. Memory stays bounded by what the
	 * largest row group needs. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);

	c->max = frame_max();
	r = columnar_open(c, format, &cs);
	columnar_start(c, r, start_ms);
	src = own;
	if (!nsrc) {    /* alone: the file's own columns */
		nsrc = r->ncols;
		if (!(src = calloc(nsrc + 1, sizeof *src)))
			sl_diesys(SL_EXIT_TEMP, "unable to start");
		for (i = 0; i < nsrc; i++)
			src[i] = r->cols[i].name;
	}
	pick = columnar_header(c, r, src, nsrc, src != own);
	columnar_rows(c, r, pick, nsrc, format);
	bytes = sl_input_raw_bytes(c->in);
	snprintf(lb, sizeof lb, "%" PRIu64, bytes ? bytes : cs.size);
	snprintf(rt, sizeof rt, "%" PRId64, sl_now_ms() - t0);
	if (sl_write_kv(&c->w, 2, keys, vals) < 0 || sl_write_end(&c->w) < 0)
		sl_stage_die_write(&c->w);
	if (close(1) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	sl_colfile_free(r);
	if (cs.fd > 0)          /* the spooled copy: closing removes it */
		close(cs.fd);
	for (i = 0; own && i < nsrc; i++)
		free(own[i]);
	free(own);
	if (src != own)
		free(src);
	free(pick);
}

int main(int argc, char **argv)
{
	static parse c;
	int64_t start_ms = sl_now_ms();
	char msg[1024];
	int r = 0;

	c = (parse){ .o = SL_OPTS_ZERO };  /* each run from the start (spawn.h: sequences in one process) */
	sl_msg_init(argv[0]);
	/* DB.TABLE is optional: formats that match by name (JSON) need the
	 * table's columns when no `columns` header names them */
	sl_stage_args(&c.o, argc, argv, USAGE, &c.target, 1);
	sl_profile_start(&c.o.hdrs, c.target);
	sl_pipe_grow_std();
	if (sl_writer_init(&c.w, 1) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	if (sl_loadopt_parse(&c.lo, &c.o.hdrs, SL_LO_PARSE, msg, sizeof msg) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to read the headers");
	open_body(&c);
	if (c.json)
		r = run_json(&c);
	else if (c.columnar)
		run_columnar(&c, start_ms);
	else
		run_csv(&c, start_ms);
	sl_input_close(c.in);
	sl_writer_free(&c.w);
	sl_loadopt_free(&c.lo);
	sl_hdrs_free(&c.o.hdrs);
	return r;
}
