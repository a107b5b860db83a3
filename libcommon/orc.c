/* SPDX-License-Identifier: Apache-2.0 */
/* orc.c -- the ORC reader (see orc.h and colfile.h). */
#include "orc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "colval.h"
#include "io.h"
#include "orc_proto.pb-c.h"
#include "orcrle.h"
#include "orczip.h"
#include "sl.h"
#include "tzfile.h"

#define ORC_EPOCH 1420070400      /* 2015-01-01 00:00:00 UTC: timestamps count from it */
#define ORC_MAX_DEPTH 64          /* nesting deeper than this is refused */
#define ORC_DEFAULT_MAX (1ull << 30)
#define ORC_HIVE11_SCALE 6        /* Hive 0.11's DECIMAL without precision: shown
				   * with 6 digits, the extra ones cut, as ORC's
				   * own reader does (forcedScaleOnHive11Decimal) */

typedef Orc__Proto__Type otype;

/* One column of the type tree (ids in ORC's pre-order) and its streams in
 * the current stripe. */
typedef struct orc_col {
	const otype *t;
	int v2, dict;
	int has_present;
	sl_orcrle_bool present;
	sl_orcrle_int data, len, sec;
	sl_orcrle_byte bytes;
	sl_orcrle_bool bools;
	sl_orcrle_bytes raw, dictblob;
	uint64_t *dictoff;        /* dictionary entries' offsets: ndict + 1 */
	size_t ndict;
} orc_col;

/* A stream of the stripe decompressed into dec at off. */
typedef struct orc_stream {
	uint32_t col;
	int kind;
	size_t off, len;
} orc_stream;

typedef struct orc_reader {
	sl_colreader base;
	int fd;
	uint64_t size, max, block;
	int comp;
	Orc__Proto__Footer *footer;
	orc_col *cols;            /* footer->n_types */
	size_t stripe;            /* the next stripe */
	uint64_t left;            /* rows left in the current stripe */
	sl_buf raw, dec, row, tmp;
	orc_stream *streams;
	size_t nstreams;
	size_t *offs;             /* each top-level value's start in row */
	const uint32_t *top;      /* the top-level columns' ids */
	uint32_t root_id;         /* 0: the top when the root is no struct */
	char tzname[128];         /* the stripe's writer zone, "" UTC */
	sl_tzfile tz;             /* it loaded */
	int64_t tzbase;           /* 2015-01-01 00:00:00 there, as a UTC second */
} orc_reader;

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int e = errno ? errno : EINVAL;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = e == ENOMEM ? ENOMEM : EINVAL;
	return -1;
}

static int pread_all(int fd, void *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		p = (char *)p + r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 1;
}

/* bytes [off, off+n) of the file into b (replacing it) */
static int read_range(orc_reader *r, uint64_t off, uint64_t n, sl_buf *b, const char *what)
{
	char *err = r->base.err;
	if (off > r->size || n > r->size - off)
		return fail(err, sizeof r->base.err, "the ORC %s lies outside the file", what);
	if (n > r->max)
		return fail(err, sizeof r->base.err, "the ORC %s of %llu bytes is larger than the limit of %llu bytes",
			what, (unsigned long long)n, (unsigned long long)r->max);
	b->len = 0;
	if (sl_buf_reserve(b, (size_t)n + 1) < 0)
		return fail(err, sizeof r->base.err, "out of memory");
	if (pread_all(r->fd, b->p, (size_t)n, off) < 0)
		return fail(err, sizeof r->base.err, "reading the ORC %s: %s", what, strerror(errno));
	b->len = (size_t)n;
	return 1;
}

/* The Doris type text of column id. */
static int type_text(orc_reader *r, uint32_t id, sl_buf *b, int depth)
{
	const otype *t = r->footer->types[id];
	int rc = 1;
	if (depth > ORC_MAX_DEPTH)
		return fail(r->base.err, sizeof r->base.err, "ORC types nest deeper than %d levels", ORC_MAX_DEPTH);
	switch (t->kind) {
	case ORC__PROTO__TYPE__KIND__BOOLEAN: return sl_buf_puts(b, "BOOLEAN");
	case ORC__PROTO__TYPE__KIND__BYTE: return sl_buf_puts(b, "TINYINT");
	case ORC__PROTO__TYPE__KIND__SHORT: return sl_buf_puts(b, "SMALLINT");
	case ORC__PROTO__TYPE__KIND__INT: return sl_buf_puts(b, "INT");
	case ORC__PROTO__TYPE__KIND__LONG: return sl_buf_puts(b, "BIGINT");
	case ORC__PROTO__TYPE__KIND__FLOAT: return sl_buf_puts(b, "FLOAT");
	case ORC__PROTO__TYPE__KIND__DOUBLE: return sl_buf_puts(b, "DOUBLE");
	case ORC__PROTO__TYPE__KIND__STRING:
	case ORC__PROTO__TYPE__KIND__BINARY: return sl_buf_puts(b, "STRING");
	case ORC__PROTO__TYPE__KIND__TIMESTAMP:
	case ORC__PROTO__TYPE__KIND__TIMESTAMP_INSTANT: return sl_buf_puts(b, "DATETIME(6)");
	case ORC__PROTO__TYPE__KIND__DATE: return sl_buf_puts(b, "DATE");
	case ORC__PROTO__TYPE__KIND__UNION: return sl_buf_puts(b, "JSON");
	case ORC__PROTO__TYPE__KIND__VARCHAR:
		return sl_buf_printf(b, "VARCHAR(%u)", t->has_maximum_length ? t->maximum_length : 65533);
	case ORC__PROTO__TYPE__KIND__CHAR:
		return sl_buf_printf(b, "CHAR(%u)", t->has_maximum_length ? t->maximum_length : 255);
	case ORC__PROTO__TYPE__KIND__DECIMAL:
		if (!t->precision)
			return sl_buf_printf(b, "DECIMAL(38,%d)", ORC_HIVE11_SCALE);
		return sl_buf_printf(b, "DECIMAL(%u,%u)", t->precision, t->scale);
	case ORC__PROTO__TYPE__KIND__LIST:
		if (sl_buf_puts(b, "ARRAY<") < 0 || type_text(r, t->subtypes[0], b, depth + 1) < 0)
			return -1;
		return sl_buf_putc(b, '>');
	case ORC__PROTO__TYPE__KIND__MAP:
		if (sl_buf_puts(b, "MAP<") < 0 || type_text(r, t->subtypes[0], b, depth + 1) < 0
			|| sl_buf_putc(b, ',') < 0 || type_text(r, t->subtypes[1], b, depth + 1) < 0)
			return -1;
		return sl_buf_putc(b, '>');
	case ORC__PROTO__TYPE__KIND__STRUCT:
		if (sl_buf_puts(b, "STRUCT<") < 0)
			return -1;
		for (size_t i = 0; i < t->n_subtypes && rc > 0; i++)
			if ((i && sl_buf_putc(b, ',') < 0) || sl_buf_printf(b, "%s:", t->field_names[i]) < 0
				|| type_text(r, t->subtypes[i], b, depth + 1) < 0)
				rc = -1;
		return rc < 0 ? -1 : sl_buf_putc(b, '>');
	default:
		return fail(r->base.err, sizeof r->base.err, "the ORC type kind %d is not supported", t->kind);
	}
}

/* The type tree's shape: children after their parent, counts as the kind
 * needs, field names for structs, precision within DECIMAL's 38 digits. */
static int check_types(orc_reader *r)
{
	Orc__Proto__Footer *f = r->footer;
	char *err = r->base.err;
	if (f->n_types == 0)
		return fail(err, sizeof r->base.err, "the ORC file has no types");
	for (size_t id = 0; id < f->n_types; id++) {
		const otype *t = f->types[id];
		size_t want = t->kind == ORC__PROTO__TYPE__KIND__LIST ? 1
			: t->kind == ORC__PROTO__TYPE__KIND__MAP ? 2 : 0;
		int nested = want || t->kind == ORC__PROTO__TYPE__KIND__STRUCT
			|| t->kind == ORC__PROTO__TYPE__KIND__UNION;
		if ((want && t->n_subtypes != want) || (!nested && t->n_subtypes)
			|| (t->kind == ORC__PROTO__TYPE__KIND__STRUCT && t->n_field_names != t->n_subtypes)
			|| (t->kind == ORC__PROTO__TYPE__KIND__UNION && (!t->n_subtypes || t->n_subtypes > 256)))
			return fail(err, sizeof r->base.err, "the ORC type %zu has a damaged list of children", id);
		for (size_t i = 0; i < t->n_subtypes; i++)
			if (t->subtypes[i] <= id || t->subtypes[i] >= f->n_types)
				return fail(err, sizeof r->base.err, "the ORC type %zu names a child out of order", id);
		if (t->kind == ORC__PROTO__TYPE__KIND__DECIMAL && (t->precision > 38 || t->scale > 38
			|| (t->precision && t->scale > t->precision)))
			return fail(err, sizeof r->base.err, "the ORC type %zu is a DECIMAL(%u,%u) out of range", id,
				t->precision, t->scale);
		r->cols[id].t = t;
	}
	return 1;
}

static int open_columns(orc_reader *r)
{
	const otype *root = r->footer->types[0];
	int st = root->kind == ORC__PROTO__TYPE__KIND__STRUCT;
	size_t n = st ? root->n_subtypes : 1;
	r->top = st ? root->subtypes : &r->root_id;
	r->base.ncols = n;
	r->base.cols = calloc(n ? n : 1, sizeof *r->base.cols);
	r->offs = calloc(n ? n : 1, sizeof *r->offs);
	if (!r->base.cols || !r->offs)
		return fail(r->base.err, sizeof r->base.err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		sl_buf b = SL_BUF_ZERO;
		if (type_text(r, r->top[i], &b, 0) < 0 || sl_buf_cstr(&b) < 0) {
			sl_buf_free(&b);
			return errno == ENOMEM ? fail(r->base.err, sizeof r->base.err, "out of memory") : -1;
		}
		r->base.cols[i].type = b.p;
		/* a file of one column that is not a struct: Hive's name for it */
		r->base.cols[i].name = strdup(st ? root->field_names[i] : "_col0");
		if (!r->base.cols[i].name)
			return fail(r->base.err, sizeof r->base.err, "out of memory");
	}
	return 1;
}

/* The postscript and the footer. */
static int read_tail(orc_reader *r)
{
	char *err = r->base.err;
	size_t el = sizeof r->base.err;
	uint8_t last;
	if (r->size < 4 || pread_all(r->fd, &last, 1, r->size - 1) < 0)
		return fail(err, el, "not an ORC file (too short)");
	if ((uint64_t)last + 1 > r->size || read_range(r, r->size - 1 - last, last, &r->raw, "postscript") < 0)
		return fail(err, el, "not an ORC file (no postscript)");
	Orc__Proto__PostScript *ps = orc__proto__post_script__unpack(NULL, r->raw.len, (uint8_t *)r->raw.p);
	char head[3] = "";
	/* the first writers (0.11) left the postscript's magic out: the
	 * file's first three bytes are then the proof */
	int magic = ps && (ps->magic ? strcmp(ps->magic, "ORC") == 0
		: pread_all(r->fd, head, 3, 0) > 0 && memcmp(head, "ORC", 3) == 0);
	if (!magic) {
		if (ps)
			orc__proto__post_script__free_unpacked(ps, NULL);
		return fail(err, el, "not an ORC file (no ORC postscript)");
	}
	uint64_t flen = ps->footer_length, mlen = ps->metadata_length;
	r->comp = ps->has_compression ? (int)ps->compression : 0;
	r->block = ps->has_compression_block_size ? ps->compression_block_size : 256 * 1024;
	int vok = ps->n_version == 0 || (ps->n_version >= 2 && ps->version[0] == 0
		&& (ps->version[1] == 11 || ps->version[1] == 12));
	unsigned v0 = ps->n_version ? ps->version[0] : 0, v1 = ps->n_version > 1 ? ps->version[1] : 0;
	orc__proto__post_script__free_unpacked(ps, NULL);
	if (!vok)
		return fail(err, el, "the ORC file version %u.%u is not supported (0.11 and 0.12 are)", v0, v1);
	if (!sl_orczip_name(r->comp))
		return fail(err, el, "the ORC compression kind %d is not supported", r->comp);
	uint64_t tail = (uint64_t)last + 1;
	if (flen > r->size - tail || mlen > r->size - tail - flen)
		return fail(err, el, "the ORC footer lies outside the file");
	if (read_range(r, r->size - tail - flen, flen, &r->raw, "footer") < 0)
		return -1;
	r->dec.len = 0;
	if (sl_orczip_unpack(r->comp, r->block, (uint8_t *)r->raw.p, r->raw.len, r->max, &r->dec, err, el) < 0)
		return -1;
	r->footer = orc__proto__footer__unpack(NULL, r->dec.len, (uint8_t *)r->dec.p);
	if (!r->footer)
		return fail(err, el, "the ORC footer is damaged");
	r->cols = calloc(r->footer->n_types ? r->footer->n_types : 1, sizeof *r->cols);
	if (!r->cols)
		return fail(err, el, "out of memory");
	return check_types(r);
}

static int stream_wanted(int kind)
{
	return kind == ORC__PROTO__STREAM__KIND__PRESENT || kind == ORC__PROTO__STREAM__KIND__DATA
		|| kind == ORC__PROTO__STREAM__KIND__LENGTH || kind == ORC__PROTO__STREAM__KIND__SECONDARY
		|| kind == ORC__PROTO__STREAM__KIND__DICTIONARY_DATA;
}

static int is_string(int kind)
{
	return kind == ORC__PROTO__TYPE__KIND__STRING || kind == ORC__PROTO__TYPE__KIND__VARCHAR
		|| kind == ORC__PROTO__TYPE__KIND__CHAR;
}

/* A stream's bytes handed to the decoder its column and kind read it with. */
static void attach(orc_col *c, int kind, const uint8_t *p, size_t n)
{
	int tk = c->t->kind;
	int sign = !(tk == ORC__PROTO__TYPE__KIND__LIST || tk == ORC__PROTO__TYPE__KIND__MAP
		|| is_string(tk) || tk == ORC__PROTO__TYPE__KIND__BINARY);
	switch (kind) {
	case ORC__PROTO__STREAM__KIND__PRESENT:
		c->has_present = 1;
		sl_orcrle_bool_init(&c->present, p, n);
		break;
	case ORC__PROTO__STREAM__KIND__LENGTH:
		sl_orcrle_int_init(&c->len, p, n, c->v2, 0);
		break;
	case ORC__PROTO__STREAM__KIND__SECONDARY:
		sl_orcrle_int_init(&c->sec, p, n, c->v2, tk == ORC__PROTO__TYPE__KIND__DECIMAL);
		break;
	case ORC__PROTO__STREAM__KIND__DICTIONARY_DATA:
		c->dictblob = (sl_orcrle_bytes){ p, n, 0 };
		break;
	default:
		if (tk == ORC__PROTO__TYPE__KIND__BOOLEAN)
			sl_orcrle_bool_init(&c->bools, p, n);
		else if (tk == ORC__PROTO__TYPE__KIND__BYTE || tk == ORC__PROTO__TYPE__KIND__UNION)
			sl_orcrle_byte_init(&c->bytes, p, n);
		else if (tk == ORC__PROTO__TYPE__KIND__FLOAT || tk == ORC__PROTO__TYPE__KIND__DOUBLE
			|| tk == ORC__PROTO__TYPE__KIND__BINARY || tk == ORC__PROTO__TYPE__KIND__DECIMAL
			|| (is_string(tk) && !c->dict))
			c->raw = (sl_orcrle_bytes){ p, n, 0 };
		else
			sl_orcrle_int_init(&c->data, p, n, c->v2, sign && !c->dict);
	}
}

/* A dictionary column's entry offsets from its LENGTH stream. */
static int load_dict(orc_reader *r, uint32_t id, uint32_t size)
{
	orc_col *c = &r->cols[id];
	if ((uint64_t)size * 8 > r->max)
		return fail(r->base.err, sizeof r->base.err, "ORC column %u: a dictionary of %u entries is too large",
			id, size);
	free(c->dictoff);
	c->dictoff = malloc(((size_t)size + 1) * sizeof *c->dictoff);
	if (!c->dictoff)
		return fail(r->base.err, sizeof r->base.err, "out of memory");
	c->ndict = size;
	c->dictoff[0] = 0;
	for (uint32_t i = 0; i < size; i++) {
		int64_t l;
		if (sl_orcrle_int_next(&c->len, &l) < 0 || l < 0
			|| (uint64_t)l > c->dictblob.n - c->dictoff[i])
			return fail(r->base.err, sizeof r->base.err,
				"ORC column %u: the dictionary's lengths are damaged or missing", id);
		c->dictoff[i + 1] = c->dictoff[i] + (uint64_t)l;
	}
	return 1;
}

/* The streams of the stripe footer sf decompressed and handed to their
 * columns; dictionaries loaded. */
static int attach_streams(orc_reader *r, const Orc__Proto__StripeFooter *sf, uint64_t base, uint64_t region)
{
	size_t nt = r->footer->n_types;
	char *err = r->base.err;
	size_t el = sizeof r->base.err;
	uint64_t at = 0;
	if (sf->n_columns < nt)
		return fail(err, el, "the ORC stripe footer has %zu column encodings for %zu columns",
			sf->n_columns, nt);
	free(r->streams);
	r->streams = calloc(sf->n_streams ? sf->n_streams : 1, sizeof *r->streams);
	if (!r->streams)
		return fail(err, el, "out of memory");
	r->nstreams = 0;
	r->dec.len = 0;
	for (size_t i = 0; i < sf->n_streams; i++) {
		const Orc__Proto__Stream *s = sf->streams[i];
		if (s->length > region - at)
			return fail(err, el, "an ORC stream lies outside its stripe");
		if (stream_wanted(s->kind) && s->column < nt) {
			orc_stream *o = &r->streams[r->nstreams++];
			o->col = s->column;
			o->kind = s->kind;
			o->off = r->dec.len;
			if (sl_orczip_unpack(r->comp, r->block, (uint8_t *)r->raw.p + base + at, (size_t)s->length,
				r->max - r->dec.len, &r->dec, err, el) < 0)
				return -1;
			o->len = r->dec.len - o->off;
		}
		at += s->length;
	}
	for (size_t id = 0; id < nt; id++) {
		orc_col *c = &r->cols[id];
		const Orc__Proto__ColumnEncoding *e = sf->columns[id];
		const otype *t = c->t;
		free(c->dictoff);
		memset(&c->present, 0, sizeof *c - offsetof(orc_col, present));
		c->t = t;
		c->has_present = 0;
		c->raw.p = c->dictblob.p = (const uint8_t *)"";
		c->v2 = e->kind == ORC__PROTO__COLUMN_ENCODING__KIND__DIRECT_V2
			|| e->kind == ORC__PROTO__COLUMN_ENCODING__KIND__DICTIONARY_V2;
		c->dict = e->kind == ORC__PROTO__COLUMN_ENCODING__KIND__DICTIONARY
			|| e->kind == ORC__PROTO__COLUMN_ENCODING__KIND__DICTIONARY_V2;
		if (c->dict && !is_string(t->kind))
			return fail(err, el, "ORC column %zu: a dictionary encoding on a column that is not a string", id);
	}
	for (size_t i = 0; i < r->nstreams; i++) {
		orc_stream *o = &r->streams[i];
		/* an empty stream's bytes: "" (no arithmetic on a NULL buffer) */
		const uint8_t *p = o->len ? (const uint8_t *)r->dec.p + o->off : (const uint8_t *)"";
		attach(&r->cols[o->col], o->kind, p, o->len);
	}
	for (size_t id = 0; id < nt; id++)
		if (r->cols[id].dict && load_dict(r, (uint32_t)id, sf->columns[id]->dictionary_size) < 0)
			return -1;
	return 1;
}

/* The stripe's writer zone loaded (from /usr/share/zoneinfo) when it
 * changes; none or UTC: timestamps are counted from 2015 in UTC. */
static int writer_zone(orc_reader *r, const char *name)
{
	if (!name || !strcmp(name, "UTC") || !strcmp(name, "GMT") || !strcmp(name, "Etc/UTC"))
		name = "";
	if (!strcmp(name, r->tzname))
		return 1;
	sl_tzfile_free(&r->tz);
	memset(&r->tz, 0, sizeof r->tz);
	r->tzname[0] = 0;
	if (!*name)
		return 1;
	char path[256];
	if (strlen(name) >= sizeof r->tzname || strstr(name, "..") || name[0] == '/'
		|| strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") != strlen(name))
		return fail(r->base.err, sizeof r->base.err, "the ORC writer's time zone is not a zone name");
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
	if (sl_tzfile_load(&r->tz, path) < 0)
		return fail(r->base.err, sizeof r->base.err, "the ORC writer's time zone %s is unknown here: %s",
			name, strerror(errno));
	snprintf(r->tzname, sizeof r->tzname, "%s", name);
	r->tzbase = sl_tzfile_to_utc(&r->tz, ORC_EPOCH);
	return 1;
}

/* The next stripe with rows: 1; 0 none is left; -1 err. */
static int next_stripe(orc_reader *r)
{
	char *err = r->base.err;
	size_t el = sizeof r->base.err;
	while (r->stripe < r->footer->n_stripes) {
		const Orc__Proto__StripeInformation *si = r->footer->stripes[r->stripe++];
		uint64_t region = si->index_length + si->data_length;
		if (si->index_length > r->size || si->data_length > r->size || si->footer_length > r->size)
			return fail(err, el, "the ORC stripe %zu lies outside the file", r->stripe - 1);
		if (read_range(r, si->offset, region + si->footer_length, &r->raw, "stripe") < 0)
			return -1;
		sl_buf fb = SL_BUF_ZERO;
		if (sl_orczip_unpack(r->comp, r->block, (uint8_t *)r->raw.p + region, (size_t)si->footer_length,
			r->max, &fb, err, el) < 0) {
			sl_buf_free(&fb);
			return -1;
		}
		Orc__Proto__StripeFooter *sf = orc__proto__stripe_footer__unpack(NULL, fb.len, (uint8_t *)fb.p);
		sl_buf_free(&fb);
		if (!sf)
			return fail(err, el, "the ORC stripe footer %zu is damaged", r->stripe - 1);
		int rc = writer_zone(r, sf->writer_timezone);
		if (rc > 0)
			rc = attach_streams(r, sf, 0, region);
		orc__proto__stripe_footer__free_unpacked(sf, NULL);
		if (rc < 0)
			return -1;
		r->base.nread = si->offset + region + si->footer_length;
		r->left = si->number_of_rows;
		if (r->left)
			return 1;
	}
	return 0;
}

static int bad(orc_reader *r, const orc_col *c, const char *what)
{
	return fail(r->base.err, sizeof r->base.err,
		"ORC column %td: the %s stream is missing, ends early or is damaged", c - r->cols, what);
}

/* a string, char, varchar or binary value's bytes */
static int blob(orc_reader *r, orc_col *c, const char **p, size_t *n)
{
	int64_t v;
	if (c->dict) {
		if (sl_orcrle_int_next(&c->data, &v) < 0 || v < 0 || (uint64_t)v >= c->ndict)
			return bad(r, c, "DATA (dictionary index)");
		*p = (const char *)c->dictblob.p + c->dictoff[v];
		*n = (size_t)(c->dictoff[v + 1] - c->dictoff[v]);
		return 1;
	}
	if (sl_orcrle_int_next(&c->len, &v) < 0 || v < 0 || (uint64_t)v > c->raw.n - c->raw.pos)
		return bad(r, c, "LENGTH or DATA");
	*p = (const char *)c->raw.p + c->raw.pos;
	*n = (size_t)v;
	c->raw.pos += (size_t)v;
	return 1;
}

static int put_le(orc_reader *r, orc_col *c, size_t n, uint64_t *u)
{
	if (c->raw.n - c->raw.pos < n)
		return bad(r, c, "DATA");
	*u = 0;
	for (size_t i = 0; i < n; i++)
		*u |= (uint64_t)c->raw.p[c->raw.pos + i] << (8 * i);
	c->raw.pos += n;
	return 1;
}

static int real(orc_reader *r, orc_col *c, sl_buf *b, int nested)
{
	uint64_t u = 0;
	int dbl = c->t->kind == ORC__PROTO__TYPE__KIND__DOUBLE;
	if (put_le(r, c, dbl ? 8 : 4, &u) < 0)
		return -1;
	size_t at = b->len;
	int rc;
	if (dbl) {
		double d;
		memcpy(&d, &u, 8);
		rc = sl_colval_double(b, d);
	} else {
		float f;
		uint32_t w = (uint32_t)u;
		memcpy(&f, &w, 4);
		rc = sl_colval_float(b, f);
	}
	if (rc < 0)
		return rc;
	const char *t = b->p + at;
	size_t tl = b->len - at;
	int special = ((tl == 3 && !memcmp(t, "NaN", 3)) || (tl >= 8 && (t[0] == 'I' || t[1] == 'I')));
	if (!nested || !special)
		return rc;
	/* NaN and the infinities are no JSON numbers: quoted inside a JSON text */
	if (sl_buf_putc(b, '"') < 0 || sl_buf_reserve(b, 1) < 0)
		return -1;
	memmove(b->p + at + 1, b->p + at, b->len - at - 1);
	b->p[at] = '"';
	return sl_buf_putc(b, '"');
}

static int decimal(orc_reader *r, orc_col *c, sl_buf *b)
{
	unsigned __int128 u;
	int64_t vs;
	if (sl_orcrle_varint128(&c->raw, &u) < 0)
		return bad(r, c, "DATA");
	if (sl_orcrle_int_next(&c->sec, &vs) < 0 || vs < -38 || vs > 38)
		return bad(r, c, "SECONDARY (scale)");
	__int128 v = (__int128)(u >> 1) ^ -(__int128)(u & 1);
	int hive11 = !c->t->precision;
	int scale = hive11 ? ORC_HIVE11_SCALE : (int)c->t->scale;
	for (; vs < scale; vs++)
		v *= 10;
	for (; vs > scale; vs--) {
		__int128 q = v / 10, m = v % 10;
		v = hive11 ? q : q + (m >= 5) - (m <= -5);
	}
	uint8_t le[16];
	for (int i = 0; i < 16; i++)
		le[i] = (uint8_t)((unsigned __int128)v >> (8 * i));
	return sl_colval_decimal(b, le, 16, 1, scale);
}

static int timestamp(orc_reader *r, orc_col *c, sl_buf *b)
{
	int64_t s, nv;
	if (sl_orcrle_int_next(&c->data, &s) < 0)
		return bad(r, c, "DATA (seconds)");
	if (sl_orcrle_int_next(&c->sec, &nv) < 0)
		return bad(r, c, "SECONDARY (nanoseconds)");
	uint64_t n = (uint64_t)nv >> 3;
	for (unsigned z = (unsigned)nv & 7; z > 0; z--)
		n *= 10;
	if (nv & 7)
		n *= 10;
	if (n > 999999999 || s > INT64_MAX / 2 || s < INT64_MIN / 2)
		return bad(r, c, "SECONDARY (nanoseconds)");
	int instant = c->t->kind == ORC__PROTO__TYPE__KIND__TIMESTAMP_INSTANT;
	/* a TIMESTAMP counts from 2015-01-01 in the writer's zone, its wall
	 * clock is the instant's there; an INSTANT counts from it in UTC */
	s += instant || !r->tzname[0] ? ORC_EPOCH : r->tzbase;
	/* the writers store seconds rounded toward zero, nanoseconds apart */
	if (s < 0 && n > 999999)
		s -= 1;
	if (!instant && r->tzname[0])
		s += sl_tzfile_offset(&r->tz, s);
	int digits = 9;
	for (uint64_t x = n; digits > 0 && x % 10 == 0; x /= 10)
		digits--;
	if (n == 0)
		digits = 0;
	return sl_colval_timestamp(b, s, (uint32_t)n, digits, instant);
}

static int read_val(orc_reader *r, uint32_t id, sl_buf *b, int nested, int depth);
static int value(orc_reader *r, uint32_t id, sl_buf *b, int nested, int depth);

/* a value shown as a JSON string inside a nested value: its text made in
 * tmp first (tmp is free again when this returns); present: its PRESENT
 * bit is still to be read */
static int quoted(orc_reader *r, uint32_t id, sl_buf *b, int depth, int present)
{
	size_t at = r->tmp.len;
	int rc = present ? read_val(r, id, &r->tmp, 0, depth) : value(r, id, &r->tmp, 0, depth);
	if (rc > 0 && sl_colval_json_string(b, r->tmp.p + at, r->tmp.len - at) < 0)
		rc = -1;
	r->tmp.len = at;
	return rc;
}

static int child(orc_reader *r, uint32_t id, sl_buf *b, int depth)
{
	int rc = read_val(r, id, b, 1, depth + 1);
	return rc == 0 ? sl_buf_puts(b, "null") : rc;
}

static int list_len(orc_reader *r, orc_col *c, int64_t *n)
{
	if (sl_orcrle_int_next(&c->len, n) < 0 || *n < 0 || *n > INT32_MAX)
		return bad(r, c, "LENGTH");
	return 1;
}

static int nested_val(orc_reader *r, orc_col *c, sl_buf *b, int depth)
{
	const otype *t = c->t;
	int64_t n;
	uint8_t tag;
	switch (t->kind) {
	case ORC__PROTO__TYPE__KIND__LIST:
		if (list_len(r, c, &n) < 0 || sl_buf_putc(b, '[') < 0)
			return -1;
		for (int64_t i = 0; i < n; i++)
			if ((i && sl_buf_putc(b, ',') < 0) || child(r, t->subtypes[0], b, depth) < 0)
				return -1;
		return sl_buf_putc(b, ']');
	case ORC__PROTO__TYPE__KIND__MAP:
		if (list_len(r, c, &n) < 0 || sl_buf_putc(b, '{') < 0)
			return -1;
		for (int64_t i = 0; i < n; i++) {
			if (i && sl_buf_putc(b, ',') < 0)
				return -1;
			int rc = quoted(r, t->subtypes[0], b, depth + 1, 1);
			if (rc < 0 || (rc == 0 && sl_buf_puts(b, "\"null\"") < 0) || sl_buf_putc(b, ':') < 0
				|| child(r, t->subtypes[1], b, depth) < 0)
				return -1;
		}
		return sl_buf_putc(b, '}');
	case ORC__PROTO__TYPE__KIND__STRUCT:
		if (sl_buf_putc(b, '{') < 0)
			return -1;
		for (size_t i = 0; i < t->n_subtypes; i++)
			if ((i && sl_buf_putc(b, ',') < 0)
				|| sl_colval_json_string(b, t->field_names[i], strlen(t->field_names[i])) < 0
				|| sl_buf_putc(b, ':') < 0 || child(r, t->subtypes[i], b, depth) < 0)
				return -1;
		return sl_buf_putc(b, '}');
	default: /* UNION */
		if (sl_orcrle_byte_next(&c->bytes, &tag) < 0 || tag >= t->n_subtypes)
			return bad(r, c, "DATA (union tag)");
		if (sl_buf_printf(b, "{\"tag\":%u,\"value\":", tag) < 0 || child(r, t->subtypes[tag], b, depth) < 0)
			return -1;
		return sl_buf_putc(b, '}');
	}
}

/* Column id's next value appended to b: 1; 0 null (nothing appended); -1
 * err. nested: inside a JSON text (strings quoted, booleans true/false). */
static int read_val(orc_reader *r, uint32_t id, sl_buf *b, int nested, int depth)
{
	orc_col *c = &r->cols[id];
	int bit;
	if (depth > ORC_MAX_DEPTH || b->len > r->max)
		return fail(r->base.err, sizeof r->base.err, "an ORC value is larger than the limit of %llu bytes",
			(unsigned long long)r->max);
	if (c->has_present) {
		if (sl_orcrle_bool_next(&c->present, &bit) < 0)
			return bad(r, c, "PRESENT");
		if (!bit)
			return 0;
	}
	return value(r, id, b, nested, depth);
}

/* a present value of column id (read_val) */
static int value(orc_reader *r, uint32_t id, sl_buf *b, int nested, int depth)
{
	orc_col *c = &r->cols[id];
	int bit, rc;
	int64_t v;
	uint8_t by;
	const char *p = NULL;
	size_t n = 0;
	switch (c->t->kind) {
	case ORC__PROTO__TYPE__KIND__BOOLEAN:
		if (sl_orcrle_bool_next(&c->bools, &bit) < 0)
			return bad(r, c, "DATA");
		rc = sl_buf_puts(b, nested ? (bit ? "true" : "false") : (bit ? "1" : "0"));
		break;
	case ORC__PROTO__TYPE__KIND__BYTE:
		if (sl_orcrle_byte_next(&c->bytes, &by) < 0)
			return bad(r, c, "DATA");
		rc = sl_colval_int(b, (int8_t)by);
		break;
	case ORC__PROTO__TYPE__KIND__SHORT:
	case ORC__PROTO__TYPE__KIND__INT:
	case ORC__PROTO__TYPE__KIND__LONG:
		if (sl_orcrle_int_next(&c->data, &v) < 0)
			return bad(r, c, "DATA");
		rc = sl_colval_int(b, v);
		break;
	case ORC__PROTO__TYPE__KIND__FLOAT:
	case ORC__PROTO__TYPE__KIND__DOUBLE:
		rc = real(r, c, b, nested);
		break;
	case ORC__PROTO__TYPE__KIND__DECIMAL:
		rc = decimal(r, c, b);
		break;
	case ORC__PROTO__TYPE__KIND__STRING:
	case ORC__PROTO__TYPE__KIND__VARCHAR:
	case ORC__PROTO__TYPE__KIND__CHAR:
	case ORC__PROTO__TYPE__KIND__BINARY:
		if (blob(r, c, &p, &n) < 0)
			return -1;
		rc = nested ? sl_colval_json_string(b, p, n) : sl_buf_put(b, p, n);
		break;
	case ORC__PROTO__TYPE__KIND__DATE:
	case ORC__PROTO__TYPE__KIND__TIMESTAMP:
	case ORC__PROTO__TYPE__KIND__TIMESTAMP_INSTANT:
		if (nested)
			return quoted(r, id, b, depth, 0);
		if (c->t->kind != ORC__PROTO__TYPE__KIND__DATE) {
			rc = timestamp(r, c, b);
		} else if (sl_orcrle_int_next(&c->data, &v) < 0) {
			return bad(r, c, "DATA");
		} else {
			rc = sl_colval_date(b, v);
		}
		break;
	default:
		rc = nested_val(r, c, b, depth);
		break;
	}
	if (rc < 0 && errno == EINVAL && !r->base.err[0])
		return fail(r->base.err, sizeof r->base.err, "ORC column %u: a value out of its type's range", id);
	if (rc < 0 && !r->base.err[0])
		return fail(r->base.err, sizeof r->base.err, "out of memory");
	return rc < 0 ? -1 : 1;
}

static int orc_next(sl_colreader *base, sl_field *vals)
{
	orc_reader *r = (orc_reader *)base;
	if (r->left == 0) {
		int rc = next_stripe(r);
		if (rc <= 0)
			return rc;
	}
	r->row.len = 0;
	r->tmp.len = 0;
	/* the root struct's own PRESENT stream, when written, is all ones */
	if (r->top != &r->root_id && r->cols[0].has_present) {
		int bit;
		if (sl_orcrle_bool_next(&r->cols[0].present, &bit) < 0)
			return bad(r, &r->cols[0], "PRESENT");
	}
	for (size_t i = 0; i < base->ncols; i++) {
		size_t at = r->row.len;
		int rc = read_val(r, r->top[i], &r->row, 0, 0);
		if (rc < 0)
			return -1;
		r->offs[i] = rc ? at : SIZE_MAX;
		vals[i].n = rc ? (uint32_t)(r->row.len - at) : SL_NULL_LEN;
	}
	for (size_t i = 0; i < base->ncols; i++)
		vals[i].p = r->offs[i] == SIZE_MAX ? NULL : r->row.p + r->offs[i];
	r->left--;
	return 1;
}

static void orc_free(sl_colreader *base)
{
	orc_reader *r = (orc_reader *)base;
	if (!r)
		return;
	for (size_t i = 0; i < base->ncols; i++) {
		free(base->cols[i].name);
		free(base->cols[i].type);
	}
	free(base->cols);
	if (r->cols)
		for (size_t id = 0; id < r->footer->n_types; id++)
			free(r->cols[id].dictoff);
	free(r->cols);
	if (r->footer)
		orc__proto__footer__free_unpacked(r->footer, NULL);
	sl_buf_free(&r->raw);
	sl_buf_free(&r->dec);
	sl_buf_free(&r->row);
	sl_buf_free(&r->tmp);
	sl_tzfile_free(&r->tz);
	free(r->streams);
	free(r->offs);
	free(r);
}

static const struct sl_colreader_ops orc_ops = { orc_next, orc_free };

sl_colreader *sl_orc_open(const sl_colsrc *src, const sl_colopts *o, char *err, size_t errlen)
{
	if (src->fd < 0) {
		snprintf(err, errlen, "an ORC file must be read from a seekable file");
		errno = EINVAL;
		return NULL;
	}
	orc_reader *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->base.ops = &orc_ops;
	r->fd = src->fd;
	r->size = src->size;
	r->max = o && o->max_batch ? o->max_batch : ORC_DEFAULT_MAX;
	if (read_tail(r) < 0 || open_columns(r) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", r->base.err);
		orc_free(&r->base);
		errno = e;
		return NULL;
	}
	return &r->base;
}
