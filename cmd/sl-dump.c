/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-dump -- print any row stream as text.
 *
 * stdout carries the data only: by default TSV (a header line of column
 * names for each H frame, then one line per R; NULL is \N; backslash, tab,
 * newline and carriage return inside values are escaped as \\ \t \n \r),
 * or with --json one JSON object per row (column name -> typed value) built
 * with libjq's jv. Rows under a variadic header (raw sl-parse output) have
 * no names: TSV prints no header line, JSON prints an array of strings.
 * Counters (C) and error records (F) go to stderr as lines starting with
 * '#'. An abort frame (X) ends the dump: its message on stderr, exit 1.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "sl.h"
#include "msg.h"
#include "io.h"
#include "hdr.h"
#include "frame.h"
#include "types.h"

#define USAGE "sl-dump [--json] < STREAM\n" \
	"  -j, --json           JSON lines instead of TSV\n" \
	SL_HELP_STD \
	"See sl-dump(1).\n"

static sl_buf out = SL_BUF_ZERO;

static void flush_out(void)
{
	if (out.len && sl_allwrite(1, out.p, out.len) < out.len)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	out.len = 0;
}

static void put(const void *p, size_t n)
{
	if (sl_buf_put(&out, p, n) < 0)
		sl_die(SL_EXIT_TEMP, "out of memory");
	if (out.len >= (64u << 10))
		flush_out();
}

static void put_escaped2(sl_buf *b, const char *p, size_t n, int bs)
{
	for (size_t i = 0; i < n; i++) {
		const char *e = 0;
		int r;
		switch (p[i]) {
		case '\\': e = bs ? "\\\\" : 0; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		}
		r = e ? sl_buf_put(b, e, 2) : sl_buf_putc(b, p[i]);
		if (r < 0)
			sl_die(SL_EXIT_TEMP, "out of memory");
	}
}

static void put_escaped(sl_buf *b, const char *p, size_t n) { put_escaped2(b, p, n, 1); }
static void put_meta(sl_buf *b, const char *p, size_t n) { put_escaped2(b, p, n, 0); }

typedef struct cols {
	size_t n;
	int variadic;
	char **names;
	sl_type *types;
} cols;

static void cols_free(cols *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	free(c->types);
	memset(c, 0, sizeof *c);
}

static void header(const sl_frame *f, cols *c, int json, uint64_t fno)
{
	long n = sl_header_parse(f, 0, 0);
	sl_colspec *cs;

	cols_free(c);
	if (n < 0)
		sl_die(SL_EXIT_USAGE, "malformed header frame (frame %llu)", (unsigned long long)fno);
	c->variadic = (f->flags & SL_H_VARIADIC) != 0;
	cs = calloc((size_t)n + 1, sizeof *cs);
	c->names = calloc((size_t)n + 1, sizeof *c->names);
	c->types = calloc((size_t)n + 1, sizeof *c->types);
	if (!cs || !c->names || !c->types)
		sl_die(SL_EXIT_TEMP, "out of memory");
	sl_header_parse(f, cs, (size_t)n);
	c->n = (size_t)n;
	for (size_t i = 0; i < c->n; i++) {
		const char *why = 0;
		if (!(c->names[i] = strndup(cs[i].name.p, cs[i].name.n)))
			sl_die(SL_EXIT_TEMP, "out of memory");
		if (sl_type_parse(cs[i].type.p, cs[i].type.n, &c->types[i], &why) != 1)
			sl_die(SL_EXIT_USAGE, "unknown type '%.*s' of column %s in the header%s%s",
				(int)cs[i].type.n, cs[i].type.p, c->names[i], why ? ": " : "", why ? why : "");
	}
	free(cs);
	if (json || c->variadic || !c->n)
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (i)
			put("\t", 1);
		put_escaped(&out, c->names[i], strlen(c->names[i]));
	}
	put("\n", 1);
}

/* Significant digits of a formatted number. */
static size_t digits(const char *s, size_t n)
{
	size_t d = 0;
	int lead = 1;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == 'e' || s[i] == 'E')
			break;
		if (s[i] < '0' || s[i] > '9')
			continue;
		if (lead && s[i] == '0')
			continue;
		lead = 0;
		d++;
	}
	return d;
}

static jv json_value(const sl_value *v, sl_buf *tmp)
{
	if (v->kind == SL_V_NULL)
		return jv_null();
	if (v->kind == SL_V_INT && v->tkind == SL_T_BOOLEAN)
		return v->u.i ? jv_true() : jv_false();
	tmp->len = 0;
	if (sl_value_format(v, tmp) < 0 || sl_buf_cstr(tmp) < 0)
		sl_die(SL_EXIT_TEMP, "out of memory");
	switch (v->kind) {
	case SL_V_DOUBLE:
		if (isfinite(v->u.d))
			return jv_number(strtod(tmp->p, 0));
		break;
	case SL_V_INT: case SL_V_LARGE: case SL_V_DECIMAL:
		/* Exact in a double (jv numbers): otherwise keep the digits as a string. */
		if (digits(tmp->p, tmp->len) <= 15)
			return jv_number(strtod(tmp->p, 0));
		break;
	}
	return jv_string_sized(tmp->p, (int)tmp->len);
}

static void row(const sl_frame *f, const cols *c, int json, sl_field **fields, size_t *cap, uint64_t rowno)
{
	long n = sl_fields_parse(f->p, f->len, *fields, *cap);
	static sl_buf tmp = SL_BUF_ZERO;

	if (n >= 0 && (size_t)n > *cap) {
		sl_field *p = realloc(*fields, ((size_t)n + 16) * sizeof *p);
		if (!p)
			sl_die(SL_EXIT_TEMP, "out of memory");
		*fields = p;
		*cap = (size_t)n + 16;
		n = sl_fields_parse(f->p, f->len, *fields, *cap);
	}
	if (n < 0 || (!c->variadic && (size_t)n != c->n))
		sl_die(SL_EXIT_USAGE, "malformed row %llu: %ld fields for %zu columns",
			(unsigned long long)rowno, n, c->n);
	if (json) {
		jv o = c->variadic ? jv_array() : jv_object();
		for (long i = 0; i < n; i++) {
			const sl_field *fl = &(*fields)[i];
			jv val;
			if (c->variadic) {
				/* an absent source field (SL_ABSENT_LEN) prints as null too */
				val = fl->n == SL_NULL_LEN || fl->n == SL_ABSENT_LEN ? jv_null() : jv_string_sized(fl->p, (int)fl->n);
				o = jv_array_append(o, val);
				continue;
			}
			sl_value v;
			if (fl->n == SL_ABSENT_LEN) {
				o = jv_object_set(o, jv_string(c->names[i]), jv_null());
				continue;
			}
			if (sl_value_decode(&c->types[i], fl->p, fl->n, &v) < 0)
				sl_die(SL_EXIT_USAGE, "malformed row %llu: bad value for column %s",
					(unsigned long long)rowno, c->names[i]);
			val = json_value(&v, &tmp);
			o = jv_object_set(o, jv_string(c->names[i]), val);
		}
		jv s = jv_dump_string(o, 0);
		put(jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
		jv_free(s);
		put("\n", 1);
		return;
	}
	for (long i = 0; i < n; i++) {
		const sl_field *fl = &(*fields)[i];
		if (i)
			put("\t", 1);
		if (fl->n == SL_NULL_LEN || fl->n == SL_ABSENT_LEN) {
			put("\\N", 2);
			continue;
		}
		if (c->variadic) {
			put_escaped(&out, fl->p, fl->n);
			continue;
		}
		sl_value v;
		if (sl_value_decode(&c->types[i], fl->p, fl->n, &v) < 0)
			sl_die(SL_EXIT_USAGE, "malformed row %llu: bad value for column %s",
				(unsigned long long)rowno, c->names[i]);
		tmp.len = 0;
		if (sl_value_format(&v, &tmp) < 0)
			sl_die(SL_EXIT_TEMP, "out of memory");
		put_escaped(&out, tmp.p ? tmp.p : "", tmp.len);
	}
	put("\n", 1);
	if (out.len >= (64u << 10))
		flush_out();
}

/* Metadata lines on stderr, after flushing the rows before them. */
static void meta(const sl_frame *f, uint64_t fno)
{
	sl_field fl[64];
	long n = sl_fields_parse(f->p, f->len, fl, SL_ARRAY_LEN(fl));
	sl_buf b = SL_BUF_ZERO;

	if (n < 0)
		sl_die(SL_EXIT_USAGE, "malformed %c frame (frame %llu)", f->type, (unsigned long long)fno);
	if ((size_t)n > SL_ARRAY_LEN(fl))
		n = SL_ARRAY_LEN(fl);
	flush_out();
	if (f->type == 'C') {
		sl_buf_puts(&b, "# counters:");
		for (long i = 0; i + 1 < n; i += 2) {
			sl_buf_putc(&b, ' ');
			put_meta(&b, fl[i].p, fl[i].n == SL_NULL_LEN ? 0 : fl[i].n);
			sl_buf_putc(&b, '=');
			put_meta(&b, fl[i + 1].p, fl[i + 1].n == SL_NULL_LEN ? 0 : fl[i + 1].n);
		}
	} else {
		uint64_t line = 0;
		if (n != 3 || fl[2].n != 8)
			sl_die(SL_EXIT_USAGE, "malformed error record (frame %llu)", (unsigned long long)fno);
		line = sl_u64_unpack(fl[2].p);
		sl_buf_printf(&b, "# filtered: line %llu: ", (unsigned long long)line);
		put_meta(&b, fl[0].p, fl[0].n == SL_NULL_LEN ? 0 : fl[0].n);
		sl_buf_puts(&b, ": src [");
		put_meta(&b, fl[1].p, fl[1].n == SL_NULL_LEN ? 0 : fl[1].n);
		sl_buf_puts(&b, "]");
	}
	if (sl_buf_putc(&b, '\n') < 0)
		sl_die(SL_EXIT_TEMP, "out of memory");
	sl_allwrite(2, b.p, b.len);
	sl_buf_free(&b);
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	int json = 0, r;
	sl_reader rd;
	sl_frame f;
	cols c;
	sl_field *fields = 0;
	size_t cap = 0;
	uint64_t fno = 0, rows = 0;

	sl_msg_init(argv[0]);
	for (int i = 1; i < argc;) {
		int k = sl_opt_common(&o, argc, argv, i);
		if (k < 0)
			sl_dieusage(USAGE);
		if (k > 0) {
			i += k;
			continue;
		}
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			json = 1;
		else
			sl_dieusage(USAGE);
		i++;
	}
	if (o.help)
		sl_msg_help(USAGE);
	if (o.version)
		sl_msg_version();
	sl_pipe_grow_std();
	memset(&c, 0, sizeof c);
	if (sl_reader_init(&rd, 0) < 0)
		sl_die(SL_EXIT_TEMP, "out of memory");
	while ((r = sl_frame_read(&rd, &f)) > 0) {
		fno++;
		switch (f.type) {
		case 'H':
			header(&f, &c, json, fno);
			break;
		case 'R':
			rows++;
			row(&f, &c, json, &fields, &cap, rows);
			break;
		case 'C': case 'F':
			meta(&f, fno);
			break;
		case 'X': {
			sl_field fl[2];
			long n = sl_fields_parse(f.p, f.len, fl, 2);
			flush_out();
			if (n < 1 || fl[0].n == SL_NULL_LEN)
				sl_die(SL_EXIT_NO, "stream aborted upstream");
			sl_die(SL_EXIT_NO, "stream aborted upstream: %.*s", (int)fl[0].n, fl[0].p);
		}
		default:
			break;
		}
		/* Stop at the end frame rather than wait for EOF: sl-txn holds its
		 * stdout open until its reader is done (see sl-txn(1)). */
		if (f.type == 'E')
			break;
	}
	if (r < 0) {
		int e = errno;
		flush_out();
		/* A few bytes of text are not a truncated stream: no frame starts that way. */
		if (e == EPIPE && rd.nbytes == 0 && rd.end > rd.start
				&& rd.buf[rd.start] != 'H' && rd.buf[rd.start] != 'C')
			sl_die(SL_EXIT_USAGE, "stdin is not an sl stream");
		sl_die(e == EPROTO || e == ERANGE ? SL_EXIT_USAGE : SL_EXIT_TEMP, "%s", sl_reader_errstr(&rd, e));
	}
	flush_out();
	if (close(1) < 0 && errno != EINTR)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	sl_reader_free(&rd);
	cols_free(&c);
	free(fields);
	sl_buf_free(&out);
	return SL_EXIT_OK;
}
