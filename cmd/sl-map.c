/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-map -- second stage of a load: maps source rows (variadic text rows
 * from sl-parse) onto the columns of DB.TABLE as typed binary rows.
 * Owns the Doris headers columns, hidden_columns, strict_mode, timezone
 * (time_zone), merge_type, partial_columns, unique_key_update_mode,
 * function_column.sequence_col, negative. Rows carry every column of the
 * table, the model's hidden ones included, and a partial update's rows the
 * trailing __SL_UPDATE_MASK__ column.
 *
 * The mapping itself is colmap.h's; this file reads and writes the row
 * stream: fields point into the input frame, output goes through the
 * buffered frame writer, and rejected rows become F records with
 * Doris's reasons.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "stage.h"
#include "profile.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "loadopt.h"
#include "status.h"
#include "types.h"
#include "schema.h"
#include "store.h"
#include "csvsplit.h"
#include "colmap.h"

#define USAGE "sl-map [--data-dir DIR] [-H 'name:value']... DB.TABLE\n" \
	SL_HELP_H \
	SL_HELP_DATA_DIR \
	SL_HELP_STD \
	"See sl-map(1).\n"

/* The stage's state. */
typedef struct mapper {
	sl_writer w;
	sl_loadopts lo;         /* the load's options (loadopt.h) */
	sl_schema sch;
	sl_partinfo *parts;     /* the live partitions, when a header names some */
	size_t nparts;
	sl_colmap m;
	sl_field *fields;       /* incoming source fields */
	size_t fcap;
	uint64_t rowno;
	/* Separator and delimiter of the source text: from sl-parse's C
	 * frame, else from our own headers. */
	sl_buf sep_raw, sep_disp, delim_disp;
} mapper;

__attribute__((noreturn)) static void die_nomem(void)
{
	errno = ENOMEM;
	sl_diesys(SL_EXIT_TEMP, "unable to map rows");
}

static char *dupn(const char *p, size_t n)
{
	char *s = strndup(p, n);
	if (!s)
		die_nomem();
	return s;
}

static void reject(mapper *c, const sl_buf *reason, const char *src, size_t slen)
{
	if (sl_write_error(&c->w, reason->p, reason->len, src, slen, c->rowno) < 0)
		sl_stage_die_write(&c->w);
}

/* A row that is not a sequence of fields (or a typed field that is not
 * its type's): the stream is broken. */
__attribute__((noreturn)) static void malformed(mapper *c)
{
	if (errno != EPROTO)
		die_nomem();
	sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed row in the input stream");
}

static void count_mismatch(mapper *c, size_t n)
{
	sl_buf *reason = &c->m.reason, *src = &c->m.src;
	size_t i;

	reason->len = 0;
	if (sl_buf_printf(reason, "Column count mismatch: expected %zu, but found %zu (sep:%s delim:%s)",
	    c->m.nsrc, n, c->sep_disp.p ? c->sep_disp.p : "\\t", c->delim_disp.p ? c->delim_disp.p : "\\n") < 0)
		die_nomem();
	src->len = 0;
	for (i = 0; i < n; i++) {
		sl_field t;
		if (i && sl_buf_put(src, c->sep_raw.p, c->sep_raw.len) < 0)
			die_nomem();
		if (sl_colmap_src_text(&c->m, c->fields, i, &t) < 0)
			malformed(c);
		if (t.n >= SL_ABSENT_LEN ? sl_buf_put(src, "\\N", 2) < 0 : sl_buf_put(src, t.p, t.n) < 0)
			die_nomem();
	}
	reject(c, reason, src->p, src->len);
}

static void put_row(mapper *c, const sl_frame *in);

static void map_row(mapper *c, const sl_frame *f)
{
	long nl = sl_fields_parse(f->p, f->len, c->fields, c->fcap);
	size_t n;
	int r;

	c->rowno++;
	if (nl < 0) {
		errno = EPROTO;
		malformed(c);
	}
	n = (size_t)nl;
	if (n > c->fcap) {
		while (c->fcap < n)
			c->fcap *= 2;
		c->fields = realloc(c->fields, c->fcap * sizeof *c->fields);
		if (!c->fields)
			die_nomem();
		sl_fields_parse(f->p, f->len, c->fields, c->fcap);
	}
	if (n != c->m.nsrc) {
		count_mismatch(c, n);
		return;
	}
	r = sl_colmap_row(&c->m, c->fields);
	if (r < 0)
		malformed(c);
	if (r == 0)
		reject(c, &c->m.reason, c->m.src.p ? c->m.src.p : "", c->m.src.len);
	else if (r == 1)
		put_row(c, f);
}

/* Build the typed R payload (lengths packed inline, fixed-width values
 * encoded in place, strings copied in 16-byte steps where the input frame
 * has room after them) in the writer's buffer, room for the longest it
 * can be reserved and the frame then cut to its length. */
static void put_row(mapper *c, const sl_frame *in)
{
	size_t need = 0, j;
	const char *fend = in->p + in->len;
	char *d, *start;

	need = c->m.mask ? 4 + c->sch.ncols : 0;
	for (j = 0; j < c->sch.ncols; j++) {
		const sl_value *v = &c->m.out[j];
		need += 4;
		if (v->kind == SL_V_NULL)
			continue;
		/* strings, and complex values (encoded bytes held as a string),
		 * are copied whole; fixed-width types take at most 16 bytes */
		if (v->kind == SL_V_STRING)
			need += v->u.s.n + 16;
		else
			need += 16;
	}
	if (!(start = sl_row_reserve(&c->w, need + 64)))
		sl_stage_die_write(&c->w);
	d = start;
	for (j = 0; j < c->sch.ncols; j++) {
		const sl_value *v = &c->m.out[j];
		uint32_t len;

		if (v->kind == SL_V_NULL) {
			sl_u32_pack(d, SL_NULL_LEN);
			d += 4;
			continue;
		}
		if (v->kind == SL_V_STRING && c->m.plan[j].is_string) {
			const char *s = v->u.s.p;
			size_t n = v->u.s.n;
			sl_u32_pack(d, (uint32_t)n);
			d += 4;
			if (s >= in->p && s < fend && n + 16 <= (size_t)(fend - s)) {
				char *e = d + n;
				for (; d < e; d += 16, s += 16)
					memcpy(d, s, 16);
				d = e;
			} else {
				memcpy(d, s, n);
				d += n;
			}
			continue;
		}
		if (c->m.raw && c->m.raw[j].p) {  /* a typed field as it came */
			const char *rp = c->m.raw[j].p;
			len = c->m.raw[j].n;
			sl_u32_pack(d, len);
			if (len == 4)           /* the usual widths, copied inline */
				memcpy(d + 4, rp, 4);
			else if (len == 8)
				memcpy(d + 4, rp, 8);
			else if (len == 16)
				memcpy(d + 4, rp, 16);
			else
				memcpy(d + 4, rp, len);
			d += 4 + len;
			continue;
		}
		{
			const char *op = d + 4;
			len = sl_value_encode(&c->sch.cols[j].type, v, d + 4, &op);
			sl_u32_pack(d, len);
			if (len == SL_NULL_LEN) {
				d += 4;
				continue;
			}
			if (op != d + 4)
				memmove(d + 4, op, len);
			d += 4 + len;
		}
	}
	if (c->m.mask) {
		sl_u32_pack(d, (uint32_t)c->sch.ncols);
		memcpy(d + 4, c->m.mask, c->sch.ncols);
		d += 4 + c->sch.ncols;
	}
	if (sl_row_done(&c->w, start, (size_t)(d - start)) < 0)
		sl_stage_die_write(&c->w);
}

/* ---- stream ---- */

/* The separators as the headers give them (sl-parse's C frame may say
 * otherwise: note_counters). */
static void sep_from_headers(mapper *c)
{
	const sl_buf *sp = &c->lo.v[SL_LO_COLUMN_SEPARATOR].bytes, *dl = &c->lo.v[SL_LO_LINE_DELIMITER].bytes;

	if (sl_buf_put(&c->sep_raw, sp->p, sp->len) < 0 || sl_sep_display(sp->p, sp->len, &c->sep_disp) < 0 ||
	    sl_sep_display(dl->p, dl->len, &c->delim_disp) < 0)
		die_nomem();
}

static int unhex(const char *s, sl_buf *out)
{
	size_t n = strlen(s), i;

	if (!n || n % 2)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	out->len = 0;
	for (i = 0; i < n; i += 2) {
		char b[3] = { s[i], s[i + 1], 0 };
		if (sl_buf_putc(out, (char)strtoul(b, 0, 16)) < 0)
			return 0;
	}
	return 1;
}

/* Remember what sl-parse says about the separators. */
static void note_counters(mapper *c, const sl_frame *f)
{
	sl_kv kv = SL_KV_ZERO;
	const char *v;

	if (sl_kv_merge_frame(&kv, f) < 0)
		return;
	if ((v = sl_kv_get(&kv, "column_separator_hex")) && unhex(v, &c->sep_raw)) {
		c->sep_disp.len = 0;
		sl_sep_display(c->sep_raw.p, c->sep_raw.len, &c->sep_disp);
	}
	if ((v = sl_kv_get(&kv, "line_delimiter"))) {
		c->delim_disp.len = 0;
		sl_buf_puts(&c->delim_disp, v);
		sl_buf_cstr(&c->delim_disp);
	}
	sl_kv_free(&kv);
}

static void write_header(mapper *c)
{
	const sl_schema *sch = &c->sch;
	sl_field *nm = calloc(sch->ncols + 1, sizeof *nm), *ty = calloc(sch->ncols + 1, sizeof *ty);
	char (*tb)[SL_TYPE_FMT_MAX] = calloc(sch->ncols + 1, sizeof *tb);
	size_t i, n = sch->ncols;

	if (!nm || !ty || !tb)
		die_nomem();
	for (i = 0; i < sch->ncols; i++) {
		nm[i].p = sch->cols[i].name;
		nm[i].n = (uint32_t)strlen(sch->cols[i].name);
		ty[i].n = (uint32_t)sl_type_format_upper(&sch->cols[i].type, tb[i], sizeof tb[i]);
		ty[i].p = tb[i];
	}
	if (c->m.mask) {        /* partial update rows: their mask last */
		nm[n] = (sl_field){ SL_COLMAP_MASK_NAME, (uint32_t)strlen(SL_COLMAP_MASK_NAME) };
		ty[n++] = (sl_field){ "STRING", 6 };
	}
	if (sl_write_header(&c->w, n, nm, ty, 0) < 0)
		sl_stage_die_write(&c->w);
	free(nm);
	free(ty);
	free(tb);
}

/* A non-variadic header of source columns (sl-parse's JSON path): every
 * column is STRING. Fields are then mapped by position, as for CSV. */
static int source_header(const sl_frame *f)
{
	long n = sl_header_parse(f, 0, 0), i;
	sl_colspec *cs;
	int ok = 1;

	if (n < 0)
		return 0;
	cs = malloc(((size_t)n + 1) * sizeof *cs);
	if (!cs)
		die_nomem();
	sl_header_parse(f, cs, (size_t)n);
	for (i = 0; i < n && ok; i++)
		ok = cs[i].type.n == 6 && !memcmp(cs[i].type.p, "STRING", 6);
	free(cs);
	return ok;
}

/* SL_H_TYPED: sl-parse's source rows of a columnar file, some fields
 * typed (frame.h); the plan takes them as they are. */
static void typed_header(mapper *c, const sl_frame *f)
{
	long n = sl_header_parse(f, 0, 0), i;
	sl_colspec *cs;
	sl_type *ty;
	int r = 0;

	if (n < 0)
		sl_stage_abort(&c->w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-map: a malformed header in the input stream");
	cs = calloc((size_t)n + 1, sizeof *cs);
	ty = calloc((size_t)n + 1, sizeof *ty);
	if (!cs || !ty)
		die_nomem();
	sl_header_parse(f, cs, (size_t)n);
	for (i = 0; i < n; i++)
		if (sl_type_parse(cs[i].type.p, cs[i].type.n, &ty[i], 0) != 1)
			break;
	if (i == n && (r = sl_colmap_typed(&c->m, ty, (size_t)n)) < 0)
		die_nomem();
	free(cs);
	free(ty);
	if (r == 0)
		sl_stage_abort(&c->w, SL_EXIT_USAGE, 0,
		    SL_E_INTERNAL_ERROR "sl-map: a typed source header of a type sl-parse does not write");
}

/* The table's schema and the load's plan; a planning error is kept for
 * when the stream starts. */
static void open_table(mapper *c, const sl_opts *o, const char *db, const char *table)
{
	const char *tz = "+08:00";      /* the zone when the load names none: sl.conf `time_zone`, else this */
	sl_store st;
	int r;

	if (sl_store_open(&st, sl_data_dir(o->data_dir)) < 0)
		sl_stage_abort(&c->w, SL_EXIT_TEMP, 0, SL_DATA_DIR_MSG,
		    sl_data_dir(o->data_dir), strerror(errno));
	if (sl_store_conf(&st, "time_zone"))
		tz = sl_store_conf(&st, "time_zone");
	errno = 0;
	r = sl_schema_load(&st, db, table, &c->sch);
	if (r == 0 || (r < 0 && errno == EINVAL)) {
		if (errno == ENOTDIR || (errno == EINVAL && !sl_db_exists(&st, db)))
			sl_colmap_set_err(&c->m, SL_X_PRETXN,
			    SL_UNKNOWN_DB_MSG, db);
		else
			sl_colmap_set_err(&c->m, SL_X_PRETXN,
			    SL_NO_TABLE_MSG, table);
	} else if (r < 0) {
		sl_stage_abort(&c->w, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "unable to read the schema of %s.%s: %s",
		    db, table, strerror(errno));
	} else {
		/* `partitions` and `temporary_partitions` name live partitions */
		if ((c->lo.v[SL_LO_PARTITIONS].text || c->lo.v[SL_LO_TEMPORARY_PARTITIONS].text) &&
		    sl_part_list(&st, db, table, &c->parts, &c->nparts) < 0)
			sl_stage_abort(&c->w, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "unable to read the partitions of %s.%s: %s",
			    db, table, sl_store_strerror(errno));
		c->m.parts = c->parts;
		/* a partitioned table with no partition yet lists the implicit one */
		c->m.nparts = c->nparts;
		if (c->sch.part.kind != SL_PART_NONE && c->nparts == 1 && !*c->parts[0].values)
			c->m.nparts = 0;
		if (sl_colmap_plan(&c->m, &c->sch, &c->lo, tz) < 0)
			die_nomem();
	}
}

/* The input's header: the planning error now, else ours goes out. */
static void start_rows(mapper *c, const sl_frame *f)
{
	if (c->m.err.set)
		sl_stage_err_raise(&c->w, &c->m.err);
	if (c->m.group_commit) {
		const char *k[] = { "GroupCommit" };
		const char *v[] = { c->m.group_commit == SL_COLMAP_GC_ASYNC ? "async_mode" : "sync_mode" };
		if (sl_write_kv(&c->w, 1, k, v) < 0)
			sl_stage_die_write(&c->w);
	}
	if (f->flags & SL_H_TYPED)
		typed_header(c, f);
	else if (!(f->flags & SL_H_VARIADIC) && !source_header(f))
		sl_stage_abort(&c->w, SL_EXIT_USAGE, 0,
		    SL_E_INTERNAL_ERROR "sl-map: the input rows are already typed (expected source rows from sl-parse)");
	write_header(c);
}

int main(int argc, char **argv)
{
	static mapper c;
	sl_opts o = SL_OPTS_ZERO;
	const char *target = 0, *dot;
	char *db, *table, msg[1024];
	sl_reader rd;
	sl_frame f;
	int r, started = 0;

	c = (mapper){ .sch = SL_SCHEMA_ZERO, .m = SL_COLMAP_ZERO };     /* each run from the start */
	sl_msg_init(argv[0]);
	if (sl_stage_args(&o, argc, argv, USAGE, &target, 1) != 1)
		sl_dieusage(USAGE);
	if (!target || !(dot = sl_stage_dot(target)))
		sl_dieusage(USAGE);
	db = dupn(target, (size_t)(dot - target));
	table = dupn(dot + 1, strlen(dot + 1));
	sl_profile_start(&o.hdrs, target);
	sl_pipe_grow_std();
	if (sl_writer_init(&c.w, 1) < 0 || sl_reader_init(&rd, 0) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to start");
	rd.flush = &c.w;    /* never sit on rows while upstream is quiet */
	if (sl_loadopt_parse(&c.lo, &o.hdrs, SL_LO_MAP, msg, sizeof msg) < 0)
		die_nomem();
	open_table(&c, &o, db, table);
	sep_from_headers(&c);
	c.fcap = c.m.nsrc + 8;
	if (!(c.fields = malloc(c.fcap * sizeof *c.fields)))
		die_nomem();

	while ((r = sl_frame_read(&rd, &f)) > 0) {
		switch (f.type) {
		case 'R':
			map_row(&c, &f);
			break;
		case 'C':
			note_counters(&c, &f);
			/* FALLTHROUGH */
		case 'F':
			if (sl_write_frame(&c.w, &f) < 0)
				sl_stage_die_write(&c.w);
			break;
		case 'H':
			if (started)
				sl_stage_abort(&c.w, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-map: a second header in the input stream");
			start_rows(&c, &f);
			started = 1;
			break;
		case 'X':
			/* our own pre-transaction error outranks a later upstream one */
			if (c.m.err.set && (c.m.err.flags & SL_X_PRETXN) && !(f.flags & SL_X_PRETXN))
				sl_stage_err_raise(&c.w, &c.m.err);
			return sl_stage_pass_abort(&c.w, &f);
		case 'E':
			sl_stage_end(&c.w, c.m.pre ? "PrecedingUnselectedRows" : NULL, c.m.pre_unselected);
			return 0;
		}
	}
	if (c.m.err.set && !started)
		sl_stage_err_raise(&c.w, &c.m.err);
	sl_stage_read_fail(&c.w, &rd, errno, "sl-map");
}
