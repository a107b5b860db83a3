/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-txn -- the transaction stage: validates `label` and `timeout`, begins
 * the transaction once the first upstream frame shows the load got past
 * its pre-transaction checks, stages typed rows into rowset files, writes
 * the error log, and hands the transaction to sl-commit. It holds the
 * transaction's lock until sl-commit has closed the pipe, then aborts the
 * transaction if nobody committed it: a load lives only as long as its
 * sl-txn.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl.h"
#include "status.h"
#include "label.h"
#include "msg.h"
#include "stage.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "loadopt.h"
#include "profile.h"
#include "store.h"
#include "jobstate.h"
#include "counts.h"
#include "errlog.h"
#include "schema.h"
#include "model.h"
#include "memtable.h"
#include "merge.h"
#include "partroute.h"
#include "gcommit.h"

#define USAGE "sl-txn [--data-dir DIR] [-H 'name:value']... DB.TABLE\n" \
	SL_HELP_H \
	SL_HELP_DATA_DIR \
	SL_HELP_STD \
	"See sl-txn(1).\n"
#define TIMEOUT_DEFAULT 259200
#define TIMEOUT_MAX 259200
#define ROWSET_ROLL (256u << 20)
/* DUPLICATE: files open at once, one per partition. Each holds a block
 * being filled and its compressed copy (about 0.5 MiB): 32 keep a load's
 * memory near 16 MiB, and rows that interleave up to 32 partitions (days
 * of events arriving mixed) still make one file per partition; past that
 * the least recently used is finished, and compaction folds the extra
 * files. */
#define PART_OPEN_MAX 32

/* A partition the load writes rows into (a partitioned table's). */
typedef struct part_slot {
	int64_t id;
	char *newname, *newvalues;      /* a partition the load creates (AUTO), else NULL */
	sl_rowset_writer *rw;           /* DUPLICATE: its open file, NULL none */
	uint64_t bytes, used;           /* the open file's bytes; its last use (LRU) */
} part_slot;

/* The stage's state. */
typedef struct txn_ctx {
	sl_reader rd;
	sl_writer wr;
	sl_store st;
	sl_txn txn;
	int have_txn;
	char db[65], table[65];
	const char *label;
	char uuid[37];
	int64_t timeout_s;
	double ratio;                   /* max_filter_ratio */
	sl_loadopts lo;                 /* the load options sl-txn reads (loadopt.h) */
	sl_stage_err err;               /* a header's error, kept until the upstream's first frame */
	int pre_first;                  /* err comes before an upstream pre-transaction error */
	sl_kv upkv;                     /* upstream counters */
	uint64_t nrows, nfiltered;
	int64_t write_ms;
	sl_errlog el;
	/* the rowset being written and the typed header its rows follow */
	sl_rowset_writer *rw;
	sl_buf hdrcopy;                 /* payload of the current typed H */
	sl_colspec *cols;
	size_t ncols;
	uint64_t rsbytes;
	/* UNIQUE and AGGREGATE tables: rows go through the memtable into
	 * key-sorted segments (NULL for DUPLICATE tables) */
	sl_schema sch;
	sl_memtable *mt;
	int masked;                     /* the rows carry the partial-update mask */
	/* a partitioned table: each row's __SL_PARTITION__ field (stripped)
	 * picks its slot; a sorted model's memtable tags rows with it, a
	 * DUPLICATE table's rows go to its slot's open file */
	int partitioned;
	part_slot *slots;
	size_t nslots, slotcap;
	uint32_t *hash;                 /* slot index + 1 by id, open addressing; 0 free */
	size_t hcap;
	size_t nopen;
	uint64_t tick;
	long cur;                       /* a memtable flush: the slot c->rw belongs to */
	sl_field *fl;
	/* group commit (sl-map's GroupCommit counter): no transaction of
	 * our own; the rows are spooled as one record of the table's
	 * write-ahead log, which sl-commit appends (gcwal.h) */
	const char *gc_mode;
	sl_gcwal_spool sp;
	int have_spool;
	char gclabel[64];
} txn_ctx;

/* The load deadline, for the signal handler: it makes stdin read EOF so
 * that the blocked read returns. */
static int devnull = -1;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	dup2(devnull, 0);
}

/* ---- output helpers (never fatal: the exit paths use them) ---- */

static void put_kv(txn_ctx *c, const char *k, const char *v)
{
	const char *ks[1] = { k }, *vs[1] = { v };
	sl_write_kv(&c->wr, 1, ks, vs);
}

static void write_counters(txn_ctx *c)
{
	sl_kv kv = SL_KV_ZERO;

	sl_counts_kv(&kv, &c->upkv, c->nrows, c->nfiltered, c->write_ms);
	if (c->el.created) {
		sl_kv_set(&kv, "ErrorLogPath", c->el.path.p);
		if (c->el.first_error)
			sl_kv_set(&kv, "FirstErrorMsg", c->el.first_error);
	}
	sl_write_kvmap(&c->wr, &kv);
	sl_kv_free(&kv);
}

/* Flush and close; errors are only warned about here, the load's
 * outcome does not depend on its error log. */
static void errlog_close(txn_ctx *c)
{
	if (sl_errlog_close(&c->el) < 0)
		sl_warnsys("unable to write %s", c->el.path.p);
}

/* Abort the transaction (if begun), send counters and X downstream, exit. */
__attribute__((noreturn)) static void fail(txn_ctx *c, int code, int xflags, const char *xmsg)
{
	if (c->rw) {
		sl_rowset_discard(c->rw);
		c->rw = NULL;
	}
	for (size_t i = 0; i < c->nslots; i++)
		if (c->slots[i].rw) {
			sl_rowset_discard(c->slots[i].rw);
			c->slots[i].rw = NULL;
		}
	errlog_close(c);
	if (c->have_spool) {
		sl_gcwal_spool_discard(&c->sp);
		c->have_spool = 0;
	}
	if (c->have_txn) {
		sl_txninfo cur = SL_TXNINFO_ZERO;
		if (sl_txn_abort(&c->st, c->db, c->txn.id, xmsg, &cur) < 0)
			sl_warnsys("unable to abort transaction %" PRId64, c->txn.id);
		sl_txninfo_free(&cur);
		write_counters(c);
		sl_txn_release(&c->txn);
		c->have_txn = 0;
	} else {
		put_kv(c, "TxnId", "-1");
		put_kv(c, "Label", c->label);
		if (c->gc_mode)
			put_kv(c, "GroupCommit", c->gc_mode);
	}
	sl_write_abort(&c->wr, xflags, xmsg);
	sl_writer_flush(&c->wr);
	sl_exit(code);
}

__attribute__((format(printf, 4, 5), noreturn))
static void failf(txn_ctx *c, int code, int xflags, const char *fmt, ...)
{
	char m[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	fail(c, code, xflags, m);
}

/* Writing a file failed with errno: "prog: fatal: verb note_obj: why" on
 * stderr, X "verb obj: strerror" downstream, exit with code. */
__attribute__((noreturn))
static void fail_sys(txn_ctx *c, int code, const char *verb, const char *obj, const char *note_obj)
{
	int e = errno;

	sl_stage_note(e, "%s %s", verb, note_obj);
	failf(c, code, 0, SL_E_INTERNAL_ERROR "%s %s: %s", verb, obj, strerror(e));
}

static void fail_timeout(txn_ctx *c)
{
	failf(c, SL_EXIT_NO, c->have_txn ? 0 : SL_X_PRETXN,
		SL_E_TIMEOUT "load timed out: FragmentMgr cancel worker going to cancel timeout instance, "
		"timeout %" PRId64 "s reached", c->timeout_s);
}

/* A failed read of the upstream: timeout, truncation or a bad stream. */
__attribute__((noreturn)) static void fail_read(txn_ctx *c, int err)
{
	const char *why = sl_reader_errstr(&c->rd, err);

	if (timed_out)
		fail_timeout(c);
	sl_stage_note(0, "%s", why);
	failf(c, sl_stage_read_code(err), c->have_txn ? 0 : SL_X_PRETXN, SL_E_INTERNAL_ERROR "upstream failed: %s", why);
}

static void out(txn_ctx *c, int r)
{
	if (r < 0) {
		int e = c->wr.err ? c->wr.err : errno;
		errno = e;
		sl_stage_note_write(e);
		fail(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "unable to write to sl-commit");
	}
}

/* ---- the error log ---- */

static void errlog_add(txn_ctx *c, const sl_frame *f)
{
	sl_field fl[3];
	int r;

	if (sl_fields_parse(f->p, f->len, fl, 3) != 3 || fl[0].n == SL_NULL_LEN)
		failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed error record in the row stream");
	if (fl[1].n == SL_NULL_LEN)
		fl[1].n = 0;
	if (!c->el.created && sl_errlog_create(&c->el, c->st.dir, c->db, c->table, c->label, c->txn.id) < 0) {
		if (!c->el.path.len)
			failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "unable to name the error log: %s", strerror(errno));
		fail_sys(c, SL_EXIT_TEMP, "unable to create", "the error log", c->el.path.p);
	}
	r = sl_errlog_add(&c->el, &fl[0], &fl[1]);
	if (r == -1)
		failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
	if (r < 0)
		fail_sys(c, SL_EXIT_TEMP, "unable to write", "the error log", c->el.path.p);
}

/* ---- rowsets ---- */

static int emit_row(void *arg, const char *p, size_t len)
{
	return sl_rowset_add(arg, p, len);
}

__attribute__((noreturn)) static void fail_rowset(txn_ctx *c, const char *verb)
{
	fail_sys(c, errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, verb, "a rowset", "a rowset");
}

/* A new file of slot i's partition (the table's one when unpartitioned). */
static sl_rowset_writer *create_rw(txn_ctx *c, long i)
{
	sl_rowset_writer *w;

	if (i < 0)
		w = sl_rowset_create(&c->txn, c->ncols, c->cols);
	else
		w = sl_rowset_create_part(&c->txn, c->ncols, c->cols, c->slots[i].id, c->slots[i].newname,
			c->slots[i].newvalues);
	if (!w && errno == EFBIG)
		failf(c, SL_EXIT_NO, 0, SL_E_INTERNAL_ERROR "a load writes at most 65535 partitions");
	if (!w)
		fail_sys(c, SL_EXIT_TEMP, "unable to create", "a rowset", "a rowset");
	return w;
}

/* Finish the rowset being written, if any. */
static void finish_rw(txn_ctx *c)
{
	if (c->rw) {
		sl_rowset_writer *w = c->rw;
		c->rw = NULL;
		if (sl_rowset_finish(w, NULL) < 0)
			fail_sys(c, SL_EXIT_TEMP, "unable to write", "a rowset", "a rowset");
	}
	c->rsbytes = 0;
}

/* A memtable flush of a partitioned table: each partition's run of
 * rows (tag: its slot) into files of its own. */
static int emit_part(void *arg, uint32_t tag, const char *p, size_t len)
{
	txn_ctx *c = arg;

	if (!c->rw || c->cur != (long)tag) {
		finish_rw(c);
		c->rw = create_rw(c, (long)tag);
		c->cur = (long)tag;
	}
	return sl_rowset_add(c->rw, p, len);
}

/* The memtable's rows, sorted and folded, as one segment (c->rw, left
 * for rowset_finish_checked to finish); a partitioned table's as one
 * segment per partition. */
static void flush_memtable(txn_ctx *c)
{
	int r;

	if (!c->mt || !sl_memtable_rows(c->mt))
		return;
	if (c->partitioned) {
		c->cur = -1;
		r = sl_memtable_flush_part(c->mt, c->masked, emit_part, c);
	} else {
		c->rw = create_rw(c, -1);
		r = sl_memtable_flush(c->mt, c->masked, emit_row, c->rw);
	}
	if (r < 0) {
		if (errno == EINVAL)
			failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "an aggregate of %s.%s cannot take "
				"its column's type", c->db, c->table);
		if (errno == EPROTO)
			failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed row in the row stream");
		fail_sys(c, SL_EXIT_TEMP, "unable to write", "a rowset", "a rowset");
	}
}

/* Write one row to the rowset being written, starting one if needed. */
static void write_row(txn_ctx *c, const char *p, size_t len)
{
	if (!c->rw)
		c->rw = create_rw(c, -1);
	if (sl_rowset_add(c->rw, p, len) < 0)
		fail_rowset(c, "unable to write");
	c->rsbytes += len;
}

/* Finish slot i's open file. */
static void close_slot(txn_ctx *c, size_t i)
{
	sl_rowset_writer *w = c->slots[i].rw;

	if (!w)
		return;
	c->slots[i].rw = NULL;
	c->slots[i].bytes = 0;
	c->nopen--;
	if (sl_rowset_finish(w, NULL) < 0)
		fail_sys(c, SL_EXIT_TEMP, "unable to write", "a rowset", "a rowset");
}

/* A DUPLICATE table's row into its partition's open file: at most
 * PART_OPEN_MAX files are open, the least recently used one is finished
 * when another partition needs one. */
static void write_slot(txn_ctx *c, size_t i, const char *p, size_t len)
{
	part_slot *s = &c->slots[i];

	if (!s->rw) {
		if (c->nopen >= PART_OPEN_MAX) {
			size_t lru = i;
			for (size_t k = 0; k < c->nslots; k++)
				if (c->slots[k].rw && (lru == i || c->slots[k].used < c->slots[lru].used))
					lru = k;
			close_slot(c, lru);
		}
		s->rw = create_rw(c, (long)i);
		c->nopen++;
	}
	s->used = ++c->tick;
	if (sl_rowset_add(s->rw, p, len) < 0)
		fail_rowset(c, "unable to write");
	if ((s->bytes += len) >= ROWSET_ROLL)
		close_slot(c, i);
}

/* End the rows written so far: a streamed segment gets the row held
 * back and is finished, then the memtable's rows become their own
 * segment (newer than the streamed ones, as they came later); every
 * partition's open file is finished. */
static void rowset_finish_checked(txn_ctx *c)
{
	const char *p;
	size_t len;

	if (c->mt && sl_memtable_pending(c->mt, &p, &len))
		write_row(c, p, len);
	finish_rw(c);
	flush_memtable(c);
	finish_rw(c);
	for (size_t i = 0; i < c->nslots; i++)
		close_slot(c, i);
}

/* ---- partitions ---- */

static size_t id_hash(int64_t id, size_t cap)
{
	return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 7) & (cap - 1);
}

/* Room for one more slot: the array and the hash (kept at most half full). */
static void grow_slots(txn_ctx *c)
{
	if (c->nslots == c->slotcap) {
		size_t cap = c->slotcap ? c->slotcap * 2 : 16;
		part_slot *ns = realloc(c->slots, cap * sizeof *ns);
		if (!ns)
			failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
		c->slots = ns;
		c->slotcap = cap;
	}
	if (2 * (c->nslots + 1) > c->hcap) {
		size_t cap = c->hcap ? c->hcap * 2 : 64;
		uint32_t *nh = calloc(cap, sizeof *nh);
		if (!nh)
			failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
		for (size_t i = 0; i < c->nslots; i++) {
			size_t h = id_hash(c->slots[i].id, cap);
			while (nh[h])
				h = (h + 1) & (cap - 1);
			nh[h] = (uint32_t)i + 1;
		}
		free(c->hash);
		c->hash = nh;
		c->hcap = cap;
	}
}

__attribute__((noreturn)) static void fail_partition_field(txn_ctx *c, const char *why)
{
	sl_stage_note(0, "malformed %s field in the row stream: %s", SL_PARTROUTE_COL, why);
	failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed %s field in the row stream: %s",
		SL_PARTROUTE_COL, why);
}

/* The slot of a row's partition field: a live partition by its id, one
 * the load creates by sl_part_new_id(txn, k) (its first row names it). */
static size_t slot_of(txn_ctx *c, const sl_partroute_field *pf)
{
	int64_t id = pf->created ? sl_part_new_id(c->txn.id, pf->k) : pf->id;
	size_t h;
	part_slot *s;

	if (c->hcap)
		for (h = id_hash(id, c->hcap); c->hash[h]; h = (h + 1) & (c->hcap - 1))
			if (c->slots[c->hash[h] - 1].id == id) {
				if (pf->name)
					fail_partition_field(c, "a new partition named twice");
				return c->hash[h] - 1;
			}
	if (pf->created && !pf->name)
		fail_partition_field(c, "a new partition used before it is named");
	grow_slots(c);
	s = &c->slots[c->nslots];
	memset(s, 0, sizeof *s);
	s->id = id;
	if (pf->created && (!(s->newname = strndup(pf->name, pf->namelen)) ||
	    !(s->newvalues = strndup(pf->values, pf->valueslen))))
		failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
	for (h = id_hash(id, c->hcap); c->hash[h]; h = (h + 1) & (c->hcap - 1))
		;
	c->hash[h] = (uint32_t)++c->nslots;
	return c->nslots - 1;
}

/* A partitioned table's row: its slot, and its length without the
 * trailing partition field. */
static size_t split_row(txn_ctx *c, const sl_frame *f, size_t *len)
{
	sl_partroute_field pf;
	const sl_field *last = &c->fl[c->ncols];

	if (sl_fields_parse(f->p, f->len, c->fl, c->ncols + 1) != (long)c->ncols + 1 || last->n == SL_NULL_LEN)
		failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed row in the row stream");
	if (!sl_partroute_parse(last->p, last->n, &pf))
		fail_partition_field(c, "not a partition");
	*len = (size_t)(last->p - 4 - f->p);
	return slot_of(c, &pf);
}

/* A partitioned table's header ends with the partition column, which the
 * files do not keep. */
static void strip_partition_column(txn_ctx *c)
{
	const sl_field *last = c->ncols ? &c->cols[c->ncols - 1].name : 0;

	if (!last || last->n != sizeof SL_PARTROUTE_COL - 1 || memcmp(last->p, SL_PARTROUTE_COL, last->n)) {
		sl_stage_note(0, "the rows of partitioned table %s.%s carry no %s column: run sl-filter %s.%s "
			"before sl-txn", c->db, c->table, SL_PARTROUTE_COL, c->db, c->table);
		failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "the rows of partitioned table %s carry no %s column: "
			"run sl-filter DB.TABLE before sl-txn", c->table, SL_PARTROUTE_COL);
	}
	c->ncols--;
	free(c->fl);
	if (!(c->fl = calloc(c->ncols + 2, sizeof *c->fl)))
		failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
}

/* sl-parse's source rows, all text or typed as the file's own columns
 * (frame.h): sl-map turns them into the table's rows. */
#define SOURCE_ROWS (SL_H_VARIADIC | SL_H_TYPED)

/* A UNIQUE or AGGREGATE table's rows must be the table's columns (the
 * model reads them by position), with the mask column last or not. */
static void check_model_header(txn_ctx *c)
{
	size_t n = c->sch.ncols;
	const sl_field *last = c->ncols ? &c->cols[c->ncols - 1].name : 0;

	c->masked = c->ncols == n + 1 && last->n == sizeof SL_MODEL_MASK_COL - 1 &&
		!memcmp(last->p, SL_MODEL_MASK_COL, last->n);
	if (c->ncols != n && !c->masked)
		failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "the row stream has %zu columns, "
			"table %s has %zu: run sl-map before sl-txn", c->ncols, c->table, n);
}

static void take_header(txn_ctx *c, const sl_frame *f)
{
	sl_frame h;
	long n;

	if (f->flags & SOURCE_ROWS)
		failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-txn needs typed rows: run sl-map before sl-txn");
	if (c->hdrcopy.len == f->len && !memcmp(c->hdrcopy.p, f->p, f->len))
		return;
	rowset_finish_checked(c);
	c->hdrcopy.len = 0;
	if (sl_buf_put(&c->hdrcopy, f->p, f->len) < 0)
		failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
	h = *f;
	h.p = c->hdrcopy.p;
	n = sl_header_parse(&h, NULL, 0);
	if (n < 0)
		failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed header frame in the row stream");
	free(c->cols);
	c->cols = calloc((size_t)n + 1, sizeof *c->cols);
	if (!c->cols || sl_header_parse(&h, c->cols, (size_t)n) != n)
		failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
	c->ncols = (size_t)n;
	if (c->partitioned)
		strip_partition_column(c);
	if (c->mt)
		check_model_header(c);
}

/* A partitioned table's row: tagged in the memtable, or into its
 * partition's file. */
static void add_part_row(txn_ctx *c, const sl_frame *f)
{
	size_t len, i = split_row(c, f, &len);

	c->nrows++;
	if (!c->mt) {
		write_slot(c, i, f->p, len);
		return;
	}
	if (sl_memtable_add_part(c->mt, (uint32_t)i, f->p, len) < 0) {
		if (errno == EPROTO)
			failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed row in the row stream");
		failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
	}
	if (sl_memtable_full(c->mt))
		rowset_finish_checked(c);
}

static void add_row(txn_ctx *c, const sl_frame *f)
{
	if (!c->cols)
		failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "row before header in the row stream");
	if (c->partitioned) {
		add_part_row(c, f);
		return;
	}
	if (c->mt) {
		/* rows in increasing key order stream into a segment; from
		 * the first one out of order on, the memtable sorts them */
		const char *p;
		size_t len;
		int r = sl_memtable_push(c->mt, f->p, f->len, &p, &len);
		if (r < 0) {
			if (errno == EPROTO)
				failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed row in the row stream");
			failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
		}
		c->nrows++;
		if (r == 0)
			finish_rw(c);
		else if (p)
			write_row(c, p, len);
		if (sl_memtable_full(c->mt) || c->rsbytes >= ROWSET_ROLL)
			rowset_finish_checked(c);
		return;
	}
	write_row(c, f->p, f->len);
	c->nrows++;
	if (c->rsbytes >= ROWSET_ROLL)
		rowset_finish_checked(c);
}

/* ---- partial_update_new_key_behavior: ERROR ---- */

/* The key columns of row p as Doris prints them in its message: the
 * values joined by ", ". */
static void key_text(const sl_schema *sch, const char *p, size_t len, sl_buf *out)
{
	sl_field *f = calloc(sch->nkeys + 1, sizeof *f);

	if (!f || sl_fields_parse(p, len, f, sch->nkeys) < (long)sch->nkeys) {
		free(f);
		return;
	}
	for (size_t k = 0; k < sch->nkeys; k++) {
		sl_value v;
		if (k)
			sl_buf_puts(out, ", ");
		if (f[k].n == SL_NULL_LEN || sl_value_decode(&sch->cols[k].type, f[k].p, f[k].n, &v) < 0)
			sl_buf_puts(out, "NULL");
		else
			sl_value_format(&v, out);
	}
	free(f);
}

/* A partial load whose partial_update_new_key_behavior is ERROR: every
 * key of its segments must have a row in the table (a sorted merge-join
 * of the load's segments and the table's merged rows), else the load
 * fails with Doris's message naming the first new key. */
static void check_new_keys(txn_ctx *c)
{
	const sl_loadopt_val *b = &c->lo.v[SL_LO_PARTIAL_UPDATE_NEW_KEY_BEHAVIOR];
	sl_snapshot own = SL_SNAPSHOT_ZERO, snap = SL_SNAPSHOT_ZERO;
	sl_merge *load = 0, *table = 0;
	sl_buf kt = SL_BUF_ZERO;
	const char *p;
	size_t len;
	int r;

	if (!c->mt || !c->masked || b->state != 1 || b->i != 1 || !c->txn.nrowsets)
		return;
	if (sl_rowset_txn_snapshot(&c->txn, &own) < 0 ||
	    !(load = sl_merge_open(&own, &c->sch, 0, own.n, 0)))
		fail_sys(c, SL_EXIT_TEMP, "unable to read", "the load's rows", "the load's rows");
	r = sl_merge_open_table(&c->st, c->db, c->table, &c->sch, 0, &snap, &table);
	if (r == 0)
		failf(c, SL_EXIT_NO, 0, SL_E_NOT_FOUND SL_TSTATUS_NOT_FOUND "table not found, tableName=%s", c->table);
	if (r < 0 || (r = sl_merge_first_new_key(load, table, &p, &len)) < 0) {
		sl_stage_note(errno, "unable to read %s.%s: %s", c->db, c->table, sl_store_strerror(errno));
		failf(c, errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR
			"unable to read %s.%s: %s", c->db, c->table, sl_store_strerror(errno));
	}
	if (r > 0) {
		key_text(&c->sch, p, len, &kt);
		sl_buf_putc(&kt, 0);
		failf(c, SL_EXIT_NO, 0, SL_E_INTERNAL_ERROR "tablet error: [E-7003]Can't append new rows "
			"in partial update when partial_update_new_key_behavior is ERROR. Row with key=[%s] "
			"is not in table.", kt.p ? kt.p : "");
	}
	sl_merge_close(load);
	sl_merge_close(table);
	sl_snapshot_free(&own);
	sl_snapshot_free(&snap);
}

/* ---- the lock handoff ---- */

/* Wait until the reader of stdout (sl-commit) is gone, then settle the
 * transaction. Returns the exit code. */
static void wait_reader(void)
{
	struct stat sb;

	if (fstat(1, &sb) == 0 && S_ISFIFO(sb.st_mode)) {
		for (;;) {
			struct pollfd p = { 1, 0, 0 };
			int r = poll(&p, 1, -1);
			if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
				break;
			if (r < 0 && errno != EINTR)
				break;
			if (timed_out)
				break;
		}
	}
}

static int handoff(txn_ctx *c)
{
	sl_txninfo ti = SL_TXNINFO_ZERO;
	int code = SL_EXIT_OK;

	wait_reader();
	if (sl_txn_lookup_own(&c->txn, &ti) > 0) {
		if (ti.state == SL_TXN_PREPARE) {
			sl_txninfo cur = SL_TXNINFO_ZERO;
			const char *why = timed_out ? SL_E_TIMEOUT "load timed out before it was committed"
				: SL_E_INTERNAL_ERROR "the load ended without a commit";
			if (sl_txn_abort(&c->st, c->db, c->txn.id, why, &cur) < 0)
				sl_warnsys("unable to abort transaction %" PRId64, c->txn.id);
			sl_txninfo_free(&cur);
			code = SL_EXIT_NO;
		} else if (ti.state == SL_TXN_ABORTED) {
			code = SL_EXIT_NO;
		}
	} else {
		code = SL_EXIT_NO;
	}
	sl_txninfo_free(&ti);
	sl_txn_release(&c->txn);
	c->have_txn = 0;
	return code;
}

/* ---- before the transaction ---- */

/* `timeout`: Doris parses it (step 6) before the transaction begins; a
 * format error comes before an upstream pre-transaction error, a range
 * error (checked by begin, step 8) after it. The table holds the parse
 * and the lower bound; the upper one is sl-txn's own limit. */
static void check_timeout(txn_ctx *c, const sl_loadopts *lo)
{
	const sl_loadopt_val *t = &lo->v[SL_LO_TIMEOUT];
	char m[sizeof c->err.msg];

	if (!sl_loadopt_check(lo, SL_LO_TIMEOUT, m, sizeof m)) {
		sl_stage_err_set(&c->err, 0, "%s", m);
		if (t->why != 2)
			c->pre_first = 1;
	} else if (t->text && t->i > TIMEOUT_MAX) {
		sl_stage_err_set(&c->err, 0, SL_E_ANALYSIS_ERROR SL_TSTATUS "Invalid timeout: %lld. "
			"Timeout should be lower than Config.max_stream_load_timeout_second: %d", t->i, TIMEOUT_MAX);
	} else if (t->text) {
		c->timeout_s = t->i;
	}
}

/* label, timeout and max_filter_ratio, in Doris's order: the first error
 * is kept in c->err. */
static void check_headers(txn_ctx *c, const sl_hdrs *h)
{
	sl_loadopts *lo = &c->lo;
	char m[sizeof c->err.msg];

	if (sl_loadopt_parse(lo, h, SL_LO_TXN, m, sizeof m) < 0)
		sl_diesys(SL_EXIT_TEMP, "out of memory");
	c->label = lo->v[SL_LO_LABEL].text;
	if (!c->label) {
		if (sl_label_uuid(c->uuid) < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to generate a label");
		c->label = c->uuid;
	}
	check_timeout(c, lo);
	if (!sl_label_valid(c->label))
		sl_stage_err_set(&c->err, 0, SL_E_ANALYSIS_ERROR SL_TSTATUS
			"Label format error. regex: ^[\\-_A-Za-z0-9:]{1,128}$, label: %.300s", c->label);
	c->ratio = lo->v[SL_LO_MAX_FILTER_RATIO].d;
	if (!sl_loadopt_check(lo, SL_LO_MAX_FILTER_RATIO, m, sizeof m))
		sl_stage_err_set(&c->err, 0, "%s", m);
}

/* Read up to the first frame that is not counters, into f. */
static void first_frame(txn_ctx *c, sl_frame *f)
{
	for (;;) {
		int r = sl_frame_read(&c->rd, f);
		if (r < 0)
			fail_read(c, errno);
		if (r == 0)
			fail_read(c, EPIPE);
		if (f->type != 'C')
			return;
		if (sl_kv_merge_frame(&c->upkv, f) < 0)
			failf(c, SL_EXIT_USAGE, SL_X_PRETXN, SL_E_INTERNAL_ERROR "malformed counters frame");
	}
}

/* An upstream pre-transaction X comes first, unless our own error comes
 * before it in Doris's order. 1 if it was passed on. */
static int pass_pretxn(txn_ctx *c, const sl_frame *f)
{
	sl_field fl[1];

	if (f->type != 'X' || !(f->flags & SL_X_PRETXN))
		return 0;
	if (c->err.set && c->pre_first && sl_fields_parse(f->p, f->len, fl, 1) >= 1 &&
	    !(fl[0].n >= sizeof SL_E_UNKNOWN_FORMAT - 2 &&
	      !memcmp(fl[0].p, SL_E_UNKNOWN_FORMAT, sizeof SL_E_UNKNOWN_FORMAT - 2)))
		return 0;
	out(c, sl_write_kvmap(&c->wr, &c->upkv));
	put_kv(c, "TxnId", "-1");
	put_kv(c, "Label", c->label);
	out(c, sl_write_frame(&c->wr, f));
	out(c, sl_writer_flush(&c->wr));
	return 1;
}

/* The label is taken: Doris's answer names the job that holds it. */
__attribute__((noreturn)) static void fail_label_exists(txn_ctx *c, const sl_txninfo *existing)
{
	char id[32];

	snprintf(id, sizeof id, "%" PRId64, existing->id);
	put_kv(c, "Status", SL_STATUS_LABEL_EXISTS);
	put_kv(c, "ExistingJobStatus", sl_jobstate_existing(existing->state));
	failf(c, SL_EXIT_NO, SL_X_PRETXN, SL_E_LABEL_ALREADY_EXISTS SL_TSTATUS
		"Label [%s] has already been used, relate to txn [%s], status [%s].",
		c->label, id, sl_txn_state_name(existing->state));
}

/* Open the store; the upstream counters go on. */
static void open_store(txn_ctx *c, const char *data_dir)
{
	if (sl_store_open(&c->st, sl_data_dir(data_dir)) < 0) {
		sl_stage_note(errno, "unable to open the data directory %s", sl_data_dir(data_dir));
		failf(c, SL_EXIT_TEMP, SL_X_PRETXN, SL_E_INTERNAL_ERROR "unable to open the data directory: %s", strerror(errno));
	}
	c->el.limit = c->st.load_error_log_limit_bytes > 0 ? c->st.load_error_log_limit_bytes : (200 << 20);
	/* rows a dead group committer left in the table's log first */
	if (sl_gcommit_recover(&c->st, c->db, c->table) < 0)
		sl_warn("unable to commit the group commit log of %s.%s: %s", c->db, c->table,
			sl_store_strerror(errno));
	out(c, sl_write_kvmap(&c->wr, &c->upkv));
}

/* Open the store and begin the transaction; tell sl-commit which. */
static void begin(txn_ctx *c, const char *data_dir)
{
	sl_txninfo existing = SL_TXNINFO_ZERO;
	char id[32], bt[32];
	const char *ks[] = { "TxnId", "Label", "Db", "Table", "BeginTxnTimeMs" };
	const char *vs[] = { id, c->label, c->db, c->table, bt };
	int64_t t0, t1;
	int r;

	open_store(c, data_dir);
	t0 = sl_mono_ms();
	r = sl_txn_begin(&c->st, c->db, c->table, c->label, c->timeout_s, &c->txn, &existing);
	t1 = sl_mono_ms();
	if (r == 0)
		fail_label_exists(c, &existing);
	if (r < 0) {
		if (errno == ENOENT && sl_db_exists(&c->st, c->db) != 1)
			failf(c, SL_EXIT_NO, SL_X_PRETXN, SL_E_NOT_FOUND SL_TSTATUS_NOT_FOUND
				"unknown database, database=%s", c->db);
		if (errno == ENOENT)
			failf(c, SL_EXIT_NO, SL_X_PRETXN, SL_E_NOT_FOUND SL_TSTATUS_NOT_FOUND
				"table not found, tableName=%s", c->table);
		sl_stage_note(errno, "unable to begin a transaction on %s.%s", c->db, c->table);
		/* EPROTO: the store is corrupt (sl-store(5)): exit 100 */
		failf(c, (errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP), SL_X_PRETXN,
			SL_E_INTERNAL_ERROR "unable to begin a transaction: %s", sl_store_strerror(errno));
	}
	c->have_txn = 1;
	snprintf(id, sizeof id, "%" PRId64, c->txn.id);
	snprintf(bt, sizeof bt, "%" PRId64, t1 - t0);
	out(c, sl_write_kv(&c->wr, 5, ks, vs));
	/* an empty header: sl-txn's stream carries no rows, only counters */
	out(c, sl_write_header(&c->wr, 0, NULL, NULL, 0));
	out(c, sl_writer_flush(&c->wr));
}

/* The table's model: UNIQUE and AGGREGATE tables get a memtable of
 * sl.conf write_buffer_size bytes (SL_MEMTABLE_BUDGET_DEFAULT). */
static void open_model(txn_ctx *c)
{
	const char *v = sl_store_conf(&c->st, "write_buffer_size");
	unsigned long long budget = SL_MEMTABLE_BUDGET_DEFAULT;
	int r = sl_schema_load(&c->st, c->db, c->table, &c->sch);

	if (r == 0)
		failf(c, SL_EXIT_NO, 0, SL_E_NOT_FOUND SL_TSTATUS_NOT_FOUND "table not found, tableName=%s", c->table);
	if (r < 0)
		fail_sys(c, errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, "unable to read", "the table's schema",
			c->table);
	c->partitioned = c->sch.part.kind != SL_PART_NONE;
	if (c->sch.model == SL_MODEL_DUPLICATE)
		return;
	if (v) {
		char *end;
		errno = 0;
		budget = strtoull(v, &end, 10);
		if (errno || end == v || *end || *v == '-')
			failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl.conf: write_buffer_size = %s: "
				"not a number of bytes", v);
	}
	if (!(c->mt = sl_memtable_new(&c->sch, (size_t)budget)))
		failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
}

/* ---- group commit ---- */

static void open_model(txn_ctx *c);

/* Instead of a transaction: Doris's label group_commit_<16 hex>_<16 hex>
 * (the client's is refused by sl-map), the table checked, the spool
 * opened in DB/TABLE/gc; tell sl-commit. */
static void group_begin(txn_ctx *c, const char *data_dir)
{
	const char *ks[] = { "TxnId", "Label", "Db", "Table", "GroupCommit" };
	const char *vs[] = { "-1", c->gclabel, c->db, c->table, c->gc_mode };
	char u[37], h[33], dir[PATH_MAX];
	size_t n = 0;

	if (sl_label_uuid(u) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to generate a label");
	for (size_t i = 0; u[i] && n < 32; i++)
		if (u[i] != '-')
			h[n++] = u[i];
	h[n] = 0;
	snprintf(c->gclabel, sizeof c->gclabel, "group_commit_%.16s_%.16s", h, h + 16);
	c->label = c->gclabel;
	open_store(c, data_dir);
	open_model(c);
	if (c->sch.model != SL_MODEL_DUPLICATE || c->partitioned)
		failf(c, SL_EXIT_NO, SL_X_PRETXN, SL_E_NOT_IMPLEMENTED_ERROR "group_commit is not supported yet "
			"for %s tables: send the load without group_commit (or group_commit: off_mode)",
			c->partitioned ? "partitioned" : c->sch.model == SL_MODEL_UNIQUE ? "UNIQUE KEY" : "AGGREGATE KEY");
	if (sl_gcwal_dir(&c->st, c->db, c->table, 1, dir) < 0 || sl_gcwal_spool_open(dir, &c->sp) < 0)
		fail_sys(c, SL_EXIT_TEMP, "unable to create", "the load's spool", c->sp.path[0] ? c->sp.path : dir);
	c->have_spool = 1;
	out(c, sl_write_kv(&c->wr, 5, ks, vs));
	out(c, sl_write_header(&c->wr, 0, NULL, NULL, 0));
	out(c, sl_writer_flush(&c->wr));
}

/* A header or a row into the spool. */
static void group_add(txn_ctx *c, const sl_frame *f)
{
	if (f->type == 'H' && (f->flags & SOURCE_ROWS))
		failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "sl-txn needs typed rows: run sl-map before sl-txn");
	if (f->type == 'R')
		c->nrows++;
	if (sl_gcwal_spool_add(&c->sp, f->type, f->p, f->len) < 0)
		fail_sys(c, SL_EXIT_TEMP, "unable to write", "the load's spool", c->sp.path);
}

/* E: the spool finished and named to sl-commit, which appends it to the
 * log or not (the load failed) and removes it. Through a pipe, sl-txn
 * also removes it once sl-commit is gone (it may have died first); into
 * a file (the stages run one after another, spawn.h sl_spawn_sequence),
 * sl-commit has not run yet: the spool stays for it (a spool whose
 * process is gone is swept by the committer). */
static int group_end(txn_ctx *c)
{
	struct stat sb;

	if (sl_gcwal_spool_finish(&c->sp) < 0)
		fail_sys(c, SL_EXIT_TEMP, "unable to write", "the load's spool", c->sp.path);
	errlog_close(c);
	write_counters(c);
	put_kv(c, "GroupCommitSpool", c->sp.path);
	out(c, sl_write_end(&c->wr));
	out(c, sl_writer_flush(&c->wr));
	if (fstat(1, &sb) == 0 && !S_ISFIFO(sb.st_mode))
		c->sp.path[0] = 0;      /* sl-commit's to remove */
	wait_reader();
	sl_gcwal_spool_discard(&c->sp);
	c->have_spool = 0;
	return SL_EXIT_OK;
}

/* ---- the rows ---- */

/* Stage the stream from frame f to E, then hand the transaction over.
 * Returns the exit code. */
static int stream(txn_ctx *c, sl_frame *f)
{
	int64_t t0 = sl_mono_ms();
	int r;

	for (;;) {
		switch (f->type) {
		case 'C':
			if (sl_kv_merge_frame(&c->upkv, f) < 0)
				failf(c, SL_EXIT_USAGE, 0, SL_E_INTERNAL_ERROR "malformed counters frame");
			out(c, sl_write_frame(&c->wr, f));
			break;
		case 'H':
		case 'R':
			if (c->gc_mode)
				group_add(c, f);
			else if (f->type == 'H')
				take_header(c, f);
			else
				add_row(c, f);
			break;
		case 'F':
			c->nfiltered++;
			errlog_add(c, f);
			if (sl_counts_early_stop(c->ratio, c->nfiltered))
				fail(c, SL_EXIT_NO, 0, SL_EARLY_STOP_MSG);
			break;
		case 'X': {
			sl_field fl[1];
			char *m;
			if (sl_fields_parse(f->p, f->len, fl, 1) < 1 || fl[0].n == SL_NULL_LEN)
				fail(c, SL_EXIT_NO, 0, SL_E_INTERNAL_ERROR "upstream failed");
			if (!(m = strndup(fl[0].p, fl[0].n)))
				failf(c, SL_EXIT_TEMP, 0, SL_E_INTERNAL_ERROR "out of memory");
			fail(c, SL_EXIT_NO, 0, m);
		}
		case 'E':
			if (c->gc_mode) {
				c->write_ms += sl_mono_ms() - t0;
				return group_end(c);
			}
			rowset_finish_checked(c);
			check_new_keys(c);
			c->write_ms += sl_mono_ms() - t0;
			errlog_close(c);
			write_counters(c);
			out(c, sl_write_end(&c->wr));
			out(c, sl_writer_flush(&c->wr));
			return handoff(c);
		default:
			break;
		}
		if (timed_out)
			fail_timeout(c);
		r = sl_frame_read(&c->rd, f);
		if (r <= 0)
			fail_read(c, r < 0 ? errno : EPIPE);
	}
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *target;
	txn_ctx c;
	sl_frame f;

	sl_msg_init(argv[0]);
	memset(&c, 0, sizeof c);
	timed_out = 0;          /* each run from the start (spawn.h) */
	if (sl_stage_args(&o, argc, argv, USAGE, &target, 1) != 1)
		sl_dieusage(USAGE);
	sl_profile_start(&o.hdrs, target);
	if (!sl_stage_target(target, c.db, c.table))
		sl_dieusage(USAGE);
	c.timeout_s = TIMEOUT_DEFAULT;
	c.el = (sl_errlog)SL_ERRLOG_ZERO;

	sl_stage_nopipe();
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open /dev/null");
	if (sl_reader_init(&c.rd, 0) < 0 || sl_writer_init(&c.wr, 1) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to allocate buffers");
	sl_pipe_grow_std();
	check_headers(&c, &o.hdrs);

	sl_stage_catch(SIGALRM, on_alarm);
	alarm((unsigned)c.timeout_s);

	first_frame(&c, &f);
	if (pass_pretxn(&c, &f))
		return SL_EXIT_NO;
	if (c.err.set) {
		out(&c, sl_write_kvmap(&c.wr, &c.upkv));
		fail(&c, SL_EXIT_NO, SL_X_PRETXN, c.err.msg);
	}
	c.gc_mode = sl_kv_get(&c.upkv, "GroupCommit");
	if (c.gc_mode)
		group_begin(&c, o.data_dir);
	else
		begin(&c, o.data_dir);
	/* Doris parses these after begin (step 9): the txn is rolled back;
	 * an upstream stage's error (enclose, strict_mode) came first */
	if (f.type != 'X' && (!sl_loadopt_check(&c.lo, SL_LO_EXEC_MEM_LIMIT, c.err.msg, sizeof c.err.msg) ||
	    !sl_loadopt_check(&c.lo, SL_LO_SEND_BATCH_PARALLELISM, c.err.msg, sizeof c.err.msg)))
		fail(&c, SL_EXIT_NO, 0, c.err.msg);
	if (!c.gc_mode)
		open_model(&c);
	return stream(&c, &f);
}
