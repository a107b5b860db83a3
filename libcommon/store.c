/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c -- the crash-safe local table store (store.h, man/sl-store.5):
 * opening a data directory and its sl.conf, transactions (begin, commit,
 * abort, lookups, the effective state of a txn whose owner died or timed
 * out) and what they make visible (snapshots).
 *
 * Three kinds of state, each made durable before anything points at it:
 *
 *  - directories (catalog.c): a database or table is built under a
 *    temporary name (.tmp.*), fsync'd, then renamed into place and its
 *    parent fsync'd, so it appears whole or not at all. DROP renames it to
 *    .trash.* and then removes it; leftovers are swept later.
 *  - the per-database transaction log <db>/txnlog (logrec.c: its records
 *    and their fold; txnlog.c: its lock, readers and writers; ckpt.c: its
 *    checkpoint). One append is the commit point.
 *  - rowset files <db>/<table>/data/<txnid>-<n>.rs (rowset.c), named by
 *    the commit record; the lock slots <db>/txn/ (txnslot.c) tell which
 *    txns' processes are alive.
 *
 * The state of every txn is a fold over the log; nothing else is trusted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "hdr.h"
#include "fsutil.h"
#include "storeerr.h"
#include "txnlog.h"
#include "txnslot.h"
#include "partlog.h"
#include "store.h"

#define SECONDS_MAX      1000000000000ll /* clamp: no ms overflow */

const char *sl_store_strerror(int e)
{
	const char *m = sl_storeerr_for(e);

	return m ? m : strerror(e);
}

/* ---------------------------------------------------------------- sl.conf */

static int parse_nonneg(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static int conf_load(sl_store *st)
{
	char p[PATH_MAX];
	sl_buf b = SL_BUF_ZERO;
	char *line, *next;
	size_t cap = 0;

	if (sl_fsutil_pathf(p, "%s/sl.conf", st->dir) < 0)
		return -1;
	if (sl_file_read(p, &b) < 0) {
		sl_buf_free(&b);
		return errno == ENOENT ? 1 : -1;
	}
	for (line = b.p; line && *line; line = next) {
		char *eq, *k, *v;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		line = trim(line);
		if (!*line || *line == '#' || !(eq = strchr(line, '=')))
			continue;
		*eq = 0;
		k = trim(line);
		v = trim(eq + 1);
		if (st->nconf == cap) {
			size_t nc = cap ? cap * 2 : 8;
			char **nk = realloc(st->conf_k, nc * sizeof *nk), **nv;
			if (!nk)
				goto nomem;
			st->conf_k = nk;
			nv = realloc(st->conf_v, nc * sizeof *nv);
			if (!nv)
				goto nomem;
			st->conf_v = nv;
			cap = nc;
		}
		st->conf_k[st->nconf] = strdup(k);
		st->conf_v[st->nconf] = strdup(v);
		if (!st->conf_k[st->nconf] || !st->conf_v[st->nconf]) {
			free(st->conf_k[st->nconf]);
			free(st->conf_v[st->nconf]);
			goto nomem;
		}
		st->nconf++;
	}
	sl_buf_free(&b);
	return 1;
nomem:
	sl_buf_free(&b);
	errno = ENOMEM;
	return -1;
}

const char *sl_store_conf(const sl_store *st, const char *key)
{
	size_t i;

	/* the last occurrence wins, as in most config files */
	for (i = st->nconf; i-- > 0;)
		if (!strcmp(st->conf_k[i], key))
			return st->conf_v[i];
	return 0;
}

int sl_store_open(sl_store *st, const char *dir)
{
	static const struct { const char *k; size_t off; } keys[] = {
		{ "label_keep_max_second", offsetof(sl_store, label_keep_max_second) },
		{ "load_error_log_limit_bytes", offsetof(sl_store, load_error_log_limit_bytes) },
		{ "stream_load_default_precommit_timeout_second",
		  offsetof(sl_store, precommit_timeout_second) },
		{ "compaction_segment_threshold", offsetof(sl_store, compaction_segment_threshold) },
	};
	size_t i;

	memset(st, 0, sizeof *st);
	if (!dir)
		dir = sl_data_dir(0);
	if (sl_fsutil_mkdir_p(dir) < 0)
		return -1;
	st->dir = realpath(dir, 0);
	if (!st->dir)
		return -1;
	st->label_keep_max_second = 259200;
	st->load_error_log_limit_bytes = 200ll << 20;
	st->precommit_timeout_second = 3600;
	st->compaction_segment_threshold = 16;
	if (conf_load(st) < 0)
		goto fail;
	for (i = 0; i < SL_ARRAY_LEN(keys); i++) {
		const char *v = sl_store_conf(st, keys[i].k);
		int64_t *val = (int64_t *)((char *)st + keys[i].off);
		if (v && parse_nonneg(v, val) < 0)
			goto fail;
		if (*val > SECONDS_MAX)
			*val = SECONDS_MAX;
	}
	sl_fsutil_sweep(st->dir);
	return 1;
fail:
	{
		int e = errno;
		sl_store_close(st);
		errno = e;
	}
	return -1;
}

void sl_store_close(sl_store *st)
{
	size_t i;

	for (i = 0; i < st->nconf; i++) {
		free(st->conf_k[i]);
		free(st->conf_v[i]);
	}
	free(st->conf_k);
	free(st->conf_v);
	free(st->dir);
	memset(st, 0, sizeof *st);
}

/* ---------------------------------------------------------------- txns */

const char *sl_txn_state_name(int state)
{
	switch (state) {
	case SL_TXN_PREPARE: return "PREPARE";
	case SL_TXN_PRECOMMITTED: return "PRECOMMITTED";
	case SL_TXN_COMMITTED: return "COMMITTED";
	case SL_TXN_VISIBLE: return "VISIBLE";
	case SL_TXN_ABORTED: return "ABORTED";
	default: return "UNKNOWN";
	}
}

void sl_txninfo_free(sl_txninfo *ti)
{
	sl_buf_free(&ti->attach);
}

/* NULL, or the reason a live-looking txn is in fact aborted. */
static const char *lazy_abort_reason(sl_store *st, const char *db, const txrec *t, int64_t now)
{
	if (t->state == SL_TXN_PREPARE) {
		if (t->timeout_s > 0 && t->timeout_s < SECONDS_MAX &&
		    now > t->begin_ms + t->timeout_s * 1000)
			return SL_TXN_REASON_TIMEOUT;
		if (sl_txnslot_owner_dead(st, db, t))
			return SL_TXN_REASON_DEAD;
	} else if (t->state == SL_TXN_PRECOMMITTED) {
		if (now > t->precommit_ms + st->precommit_timeout_second * 1000)
			return SL_TXN_REASON_TIMEOUT;
	}
	return 0;
}

static uint64_t rs_total(const txrec *t)
{
	sl_storeenc_cur c = { t->rs, t->rslen, 0 };
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < t->nrs && !c.bad; i++) {
		sl_field nm;
		uint64_t rows, size;
		uint32_t x;
		sl_logrec_rs_next(&c, t->rsver, &nm, &rows, &size, &x, 0);
		sum += rows;
	}
	return sum;
}

static int info_fill(sl_txninfo *ti, logstate *ls, txrec *t)
{
	sl_buf att;

	if (!ti)
		return 1;
	if (sl_logrec_att_load(ls, t) < 0)
		return -1;
	att = ti->attach;
	memset(ti, 0, sizeof *ti);
	ti->id = t->id;
	sl_storeenc_fcopy(ti->label, sizeof ti->label, t->label);
	sl_storeenc_fcopy(ti->table, sizeof ti->table, t->table);
	ti->state = t->state;
	ti->begin_ms = t->begin_ms;
	ti->finish_ms = t->state == SL_TXN_PRECOMMITTED ? t->precommit_ms : t->finish_ms;
	ti->timeout_s = t->timeout_s;
	sl_storeenc_fcopy(ti->reason, sizeof ti->reason, t->reason);
	ti->nrowsets = t->nrs;
	ti->nrows = rs_total(t);
	att.len = 0;
	ti->attach = att;
	if (sl_buf_put(&ti->attach, t->attach.p, t->attach.n) < 0)
		return -1;
	return 1;
}

/* Queue an ABORT record for t and update the in-memory state; the reason
 * must outlive w (a literal, or a field of the log). */
static int abort_rec(logw *w, txrec *t, const char *reason, size_t rlen, int64_t now)
{
	size_t mark;

	if (rlen > 255)
		rlen = 255;
	if (sl_logrec_start(&w->rec, &mark, 'A', t->id, now) < 0 ||
	    sl_storeenc_put_str(&w->rec, reason, rlen) < 0)
		return -1;
	sl_logrec_end(&w->rec, mark);
	t->state = SL_TXN_ABORTED;
	t->finish_ms = now;
	t->reason.p = reason;
	t->reason.n = (uint32_t)rlen;
	return 1;
}

/* The table's id is the one the log gave its last CREATE: an edited
 * tableid would show another table's rows, or none (a log without the
 * CREATE lost it in a torn tail: nothing to hold it against). 1, -1
 * EPROTO. */
static int table_id_check(const logstate *ls, const char *db, const char *table, int64_t tid)
{
	int64_t logged = sl_logrec_tb_last(ls, table);

	if (logged && logged != tid)
		return sl_storeerr_set("%s/%s/tableid: table id %lld, but the log created %s.%s as %lld",
				       db, table, (long long)tid, db, table, (long long)logged);
	return 1;
}

/* Under the db lock: queue an ABORT record for each live txn of w whose
 * owner died or whose timeout passed; *swept gets their indexes in
 * w->ls.tx (their files go once the aborts are durable). 1, -1 errno. */
static int sweep_aborts(logw *w, int64_t now, size_t **swept, size_t *nswept)
{
	size_t i;

	for (i = 0; i < w->ls.ntx; i++) {
		txrec *x = &w->ls.tx[i];
		const char *why;
		if (x->state != SL_TXN_PREPARE && x->state != SL_TXN_PRECOMMITTED)
			continue;
		if (!(why = lazy_abort_reason(w->st, w->db, x, now)))
			continue;
		if (!(*nswept & (*nswept - 1))) {
			size_t *nv = realloc(*swept, (*nswept ? *nswept * 2 : 1) * sizeof *nv);
			if (!nv) {
				errno = ENOMEM;
				return -1;
			}
			*swept = nv;
		}
		(*swept)[(*nswept)++] = i;
		if (abort_rec(w, x, why, strlen(why), now) < 0)
			return -1;
	}
	return 1;
}

/* The txn that holds label: the last one with it that is not ABORTED,
 * nor VISIBLE for label_keep_max_second or longer. NULL: the label is
 * free. */
static txrec *label_holder(sl_store *st, logstate *ls, const char *label, size_t nlab, int64_t now)
{
	size_t i;

	for (i = ls->ntx; i-- > 0;) {
		txrec *x = &ls->tx[i];
		if (x->label.n != nlab || memcmp(x->label.p, label, nlab))
			continue;
		if (x->state == SL_TXN_ABORTED)
			continue;
		if (x->state == SL_TXN_VISIBLE &&
		    now - x->finish_ms >= st->label_keep_max_second * 1000)
			continue;
		return x;
	}
	return 0;
}

/* The implicit partition of table tid (its one partition with values
 * ""), -1 when it is partitioned; -2 errno. */
static int64_t implicit_part(const logstate *ls, int64_t tid, const char *table)
{
	sl_partinfo *parts;
	size_t n;
	int64_t id = -1;

	if (sl_partlog_live(ls, tid, table, &parts, &n) < 0)
		return -2;
	if (n == 1 && !parts[0].values[0])
		id = parts[0].id;
	sl_partinfo_free(parts, n);
	return id;
}

/* Queue the BEGIN record (version 2: with its lock slot) of txn id. */
static int begin_rec(sl_buf *rec, int64_t id, int64_t now, int64_t tid, int64_t timeout_s,
	const char *label, const char *table, int slot)
{
	size_t mark;

	if (sl_logrec_start(rec, &mark, 'B', id, now) < 0 ||
	    sl_storeenc_put_u64(rec, (uint64_t)tid) < 0 ||
	    sl_storeenc_put_u64(rec, (uint64_t)(timeout_s > 0 ? timeout_s : 0)) < 0 ||
	    sl_storeenc_put_str(rec, label, strlen(label)) < 0 ||
	    sl_storeenc_put_str(rec, table, strlen(table)) < 0 ||
	    sl_storeenc_put_u32(rec, (uint32_t)slot) < 0)
		return -1;
	rec->p[mark + 9] = 2;
	sl_logrec_end(rec, mark);
	return 1;
}

int sl_txn_begin(sl_store *st, const char *db, const char *table, const char *label,
	int64_t timeout_s, sl_txn *t, sl_txninfo *existing)
{
	char tdir[PATH_MAX];
	logw w;
	struct stat sb;
	int64_t now, tid, id;
	size_t i, nlab = strlen(label), *swept = 0, nswept = 0;
	txrec *holder = 0;
	int lfd = -1, ret = -1, slot = -1;
	uint64_t off;
	ckkey key = sl_ckpt_key_none;
	int64_t part0 = -1;

	if (sl_name_valid(db) < 0 || sl_name_table_valid(table) < 0) {
		errno = ENOENT;
		return -1;
	}
	if (nlab == 0 || nlab > 128) {
		errno = EINVAL;
		return -1;
	}
	if (sl_fsutil_pathf(tdir, "%s/%s/%s", st->dir, db, table) < 0)
		return -1;
	key.kind = CK_LABEL;
	key.label = label;
	key.nlab = nlab;
	if (sl_txnlog_open(st, db, &w, &key) < 0)
		return -1;
	tid = sl_txnlog_table_id(tdir);
	if (tid < 0) {
		errno = ENOENT;
		goto out;
	}
	if (table_id_check(&w.ls, db, table, tid) < 0 || (part0 = implicit_part(&w.ls, tid, table)) < -1)
		goto out;
	now = sl_now_ms();
	/* sweep: record the aborts the log does not know about yet */
	if (sweep_aborts(&w, now, &swept, &nswept) < 0)
		goto out;
	holder = label_holder(st, &w.ls, label, nlab, now);
	if (holder && info_fill(existing, &w.ls, holder) < 0)
		goto out;
	/* the aborts are durable before their files go */
	if (sl_txnlog_flush(&w) < 0)
		goto out;
	for (i = 0; i < nswept; i++) {
		txrec *x = &w.ls.tx[swept[i]];
		sl_txnslot_files_clean(st, db, x, sl_txnslot_nrowsets(st, db, x));
	}
	sl_txnslot_gc(st, db, &w.ls, 0);
	if (holder) {
		ret = 0;
		goto out;
	}
	/* never an id used before, even if the log lost its BEGIN (a torn
	 * tail cut, a repair): the slots name the last ids taken */
	id = (w.ls.max_id > w.ls.slot_max ? w.ls.max_id : w.ls.slot_max) + 1;
	if ((lfd = sl_txnslot_take(st, db, &slot)) < 0 || sl_txnslot_write(lfd, id, 0, 'P') < 0)
		goto out;
	if (begin_rec(&w.rec, id, now, tid, timeout_s, label, table, slot) < 0)
		goto out;
	off = w.ls.valid;
	if (fstat(w.ls.fd, &sb) < 0 || sl_txnlog_flush(&w) < 0)
		goto out;
	memset(t, 0, sizeof *t);
	t->st = st;
	snprintf(t->db, sizeof t->db, "%s", db);
	snprintf(t->table, sizeof t->table, "%s", table);
	snprintf(t->label, sizeof t->label, "%s", label);
	t->id = id;
	t->lockfd = lfd;
	t->table_id = tid;
	t->slot = slot;
	t->log_off = off;
	t->log_ino = (uint64_t)sb.st_ino;
	t->part0 = part0;
	lfd = -1;
	ret = 1;
out:
	/* a slot taken for a BEGIN that did not make it: its id names no txn */
	sl_fsutil_close_keep_errno(lfd);
	free(swept);
	sl_txnlog_close(&w);
	return ret;
}

void sl_txn_release(sl_txn *t)
{
	if (t->lockfd >= 0)
		sl_fsutil_close_keep_errno(t->lockfd);
	t->lockfd = -1;
}

/* ---------------------------------------------------------------- commit */

/* Was the table of the PREPARE txn t dropped (or dropped and created
 * again) since it began? 1, 0, -1 errno. */
static int table_dropped(sl_store *st, const char *db, const txrec *t)
{
	char tdir[PATH_MAX];
	int64_t cur_tid;

	if (sl_fsutil_pathf(tdir, "%s/%s/%.*s", st->dir, db, (int)t->table.n, t->table.p) < 0)
		return -1;
	cur_tid = sl_txnlog_table_id(tdir);
	if (cur_tid < 0 && errno != ENOENT)
		return -1;
	return cur_tid != t->table_id;
}

/* What a commit records, and why it may not. */
typedef struct commitrec {
	sl_buf rs;              /* nrs:u32 + version 3 entries (tagged in place) */
	sl_buf np;              /* the partitions the files create */
	uint32_t nnp;
	sl_buf keep;            /* ... those the record adds (nkeep) */
	uint32_t nkeep;
	char why[256];          /* refused: the reason (the txn's abort reason) */
} commitrec;

static void commitrec_free(commitrec *cr)
{
	sl_buf_free(&cr->rs);
	sl_buf_free(&cr->np);
	sl_buf_free(&cr->keep);
}

/* Check cr's entries and created partitions against the table's live
 * partitions (sl_partlog_commit). 1, 0 refused (cr->why), -1 errno. */
static int commit_check(logw *w, txrec *t, const char *table, commitrec *cr)
{
	return sl_partlog_commit(&w->ls, t->id, t->table_id, table, cr->rs.p + 4, cr->rs.len - 4,
				   sl_u32_unpack(cr->rs.p), cr->np.p, cr->np.len, cr->nnp, &cr->keep,
				   &cr->nkeep, cr->why, sizeof cr->why);
}

/* Append the P (pre) or C record (version 3) of t: cr's rowsets, the
 * attachment, the partitions it adds; t then says what the record says.
 * 1, -1 errno. */
static int commit_write(logw *w, txrec *t, int pre, const commitrec *cr, sl_field att, int64_t now)
{
	size_t mark, lstart, pstart;

	if (sl_logrec_start(&w->rec, &mark, pre ? 'P' : 'C', t->id, now) < 0)
		return -1;
	w->rec.p[mark + 9] = 3;
	lstart = w->rec.len;
	if (sl_buf_put(&w->rec, cr->rs.p, cr->rs.len) < 0 ||
	    sl_storeenc_put_str(&w->rec, att.p, att.n) < 0 ||
	    sl_storeenc_put_u32(&w->rec, cr->nkeep) < 0)
		return -1;
	pstart = w->rec.len;
	if (sl_buf_put(&w->rec, cr->keep.p, cr->keep.len) < 0)
		return -1;
	sl_logrec_end(&w->rec, mark);
	if (sl_txnlog_flush(w) < 0)
		return -1;
	/* w->rec keeps its bytes until sl_txnlog_close: point t at them */
	t->nrs = sl_u32_unpack(w->rec.p + lstart);
	t->rsver = 3;
	t->rs = w->rec.p + lstart + 4;
	t->rslen = cr->rs.len - 4;
	t->np = w->rec.p + pstart;
	t->nplen = cr->keep.len;
	t->nnp = cr->nkeep;
	if (pre) {
		t->state = SL_TXN_PRECOMMITTED;
		t->precommit_ms = now;
	} else {
		t->state = SL_TXN_VISIBLE;
		t->finish_ms = now;
	}
	t->attach = att;
	return 1;
}

/* The P (pre) or C record of the PREPARE txn t: its finished rowsets
 * (with their partitions) and the attachment. 1, 0 refused (cr->why),
 * -1 errno. */
static int commit_prepared(logw *w, txrec *t, const char *table, int pre, const char *attach,
	size_t alen, int64_t now, commitrec *cr)
{
	sl_store *st = w->st;
	sl_field att = { attach ? attach : "", attach ? (uint32_t)alen : 0 };
	int r;

	if ((t->slot >= 0 ? sl_rowset_probe_parts(st, w->db, table, t->id,
						  sl_txnslot_nrowsets(st, w->db, t), &cr->rs,
						  &cr->np, &cr->nnp)
	     : sl_rowset_collect(st, w->db, table, t->id, &cr->rs)) < 0)
		return -1;
	if ((r = commit_check(w, t, table, cr)) <= 0)
		return r;
	return commit_write(w, t, pre, cr, att, now);
}

/* The C record of the PRECOMMITTED txn t (2PC commit): the precommit's
 * rowsets and created partitions, checked again (a partition may have
 * gone, or been created by another load, since), the attachment given or
 * else the precommit's. 1, 0 refused (cr->why), -1 errno. */
static int commit_precommitted(logw *w, txrec *t, const char *table, const char *attach,
	size_t alen, int64_t now, commitrec *cr)
{
	sl_field att;
	int r;

	if (!alen && sl_logrec_att_load(&w->ls, t) < 0)
		return -1;
	att = alen ? (sl_field){ attach, (uint32_t)alen } : t->attach;
	if (sl_storeenc_put_u32(&cr->rs, t->nrs) < 0 ||
	    sl_partlog_rs_v3(t->rs, t->rslen, t->nrs, t->rsver, &cr->rs) < 0 ||
	    sl_buf_put(&cr->np, t->np ? t->np : "", t->nplen) < 0)
		return -1;
	cr->nnp = t->nnp;
	if ((r = commit_check(w, t, table, cr)) <= 0)
		return r;
	return commit_write(w, t, 0, cr, att, now);
}

int sl_txn_commit(sl_store *st, const char *db, int64_t id, int precommit,
	const char *attach, size_t alen, sl_txninfo *cur)
{
	logw w;
	txrec *t = 0;
	int64_t now;
	const char *why;
	int ret = -1, clean = 0, v1 = 0, r, e;
	int two = precommit == SL_TXN_COMMIT_2PC, pre = precommit && !two;
	char table[65] = "";
	ckkey key = { CK_ID, id, 0, 0 };
	commitrec cr;

	memset(&cr, 0, sizeof cr);
	if (alen > ATTACH_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (sl_txnlog_open(st, db, &w, &key) < 0) {
		if (errno == ENOENT)
			errno = ENOTDIR;
		return -1;
	}
	if (!(t = sl_logrec_find_load(&w.ls, id))) {
		errno = ENOENT;
		goto out;
	}
	sl_storeenc_fcopy(table, sizeof table, t->table);
	now = sl_now_ms();
	if ((why = lazy_abort_reason(st, db, t, now))) {
		if (abort_rec(&w, t, why, strlen(why), now) < 0 || sl_txnlog_flush(&w) < 0)
			goto out;
		clean = 1;
	}
	if (t->state == SL_TXN_PREPARE && !two) {
		int dropped = table_dropped(st, db, t);
		if (dropped < 0)
			goto out;
		if (!dropped) {
			if ((r = commit_prepared(&w, t, table, pre, attach, alen, now, &cr)) < 0)
				goto out;
			if (!r)
				goto refused;
			ret = 1;
			goto done;
		}
		if (abort_rec(&w, t, SL_TXN_REASON_DROPPED, strlen(SL_TXN_REASON_DROPPED), now) < 0 ||
		    sl_txnlog_flush(&w) < 0)
			goto out;
		clean = 1;
	}
	if (t->state == SL_TXN_PRECOMMITTED && !pre) {
		if ((r = commit_precommitted(&w, t, table, attach, alen, now, &cr)) < 0)
			goto out;
		if (!r)
			goto refused;
		ret = 1;
		goto done;
	}
	/* wrong state (possibly just recorded as aborted) */
	ret = 0;
	goto done;
refused:
	/* a partition its files name went (or clashes): the txn is aborted
	 * with the reason, which the caller gets as errno's message */
	e = errno;
	if (abort_rec(&w, t, cr.why, strlen(cr.why), now) < 0 || sl_txnlog_flush(&w) < 0)
		goto out;
	clean = 1;
	(void)info_fill(cur, &w.ls, t);
	sl_storeerr_seterr(e, cr.why);
	goto out;
done:
	/* once committed, say so even if *cur cannot be filled (ENOMEM) */
	if (info_fill(cur, &w.ls, t) < 0 && ret == 0)
		ret = -1;
out:
	/* an abort recorded here: its files go (still under the lock, while
	 * its slot names it; sl_txnslot_gc redoes this if we die first) */
	if (t && clean)
		sl_txnslot_files_clean(st, db, t, sl_txnslot_nrowsets(st, db, t));
	v1 = t && t->slot < 0;
	e = errno;
	sl_txnlog_close(&w);
	commitrec_free(&cr);
	errno = e;
	if (ret == 1 && v1)
		sl_txnslot_cleanup(st, db, table, id, 0);
	return ret;
}

int sl_txn_abort(sl_store *st, const char *db, int64_t id, const char *reason, sl_txninfo *cur)
{
	logw w;
	txrec *t = 0;
	int ret = -1;
	char table[65] = "";
	ckkey key = { CK_ID, id, 0, 0 };

	if (!reason)
		reason = "";
	if (sl_txnlog_open(st, db, &w, &key) < 0) {
		if (errno == ENOENT)
			errno = ENOTDIR;
		return -1;
	}
	if (!(t = sl_logrec_find_load(&w.ls, id))) {
		errno = ENOENT;
		goto out;
	}
	sl_storeenc_fcopy(table, sizeof table, t->table);
	if (t->state == SL_TXN_PREPARE || t->state == SL_TXN_PRECOMMITTED) {
		if (abort_rec(&w, t, reason, strlen(reason), sl_now_ms()) < 0 ||
		    sl_txnlog_flush(&w) < 0)
			goto out;
		ret = 1;
	} else {
		ret = 0;
	}
	if (info_fill(cur, &w.ls, t) < 0 && ret == 0)
		ret = -1;
out:
	if (t && ret == 1)
		sl_txnslot_files_clean(st, db, t, sl_txnslot_nrowsets(st, db, t));
	sl_txnlog_close(&w);
	return ret;
}

/* The effective state of t for a lock-free reader. */
static void effective(sl_store *st, const char *db, txrec *t)
{
	const char *why = lazy_abort_reason(st, db, t, sl_now_ms());

	if (why) {
		t->state = SL_TXN_ABORTED;
		t->reason.p = why;
		t->reason.n = (uint32_t)strlen(why);
	}
}

int sl_txn_lookup_id(sl_store *st, const char *db, int64_t id, sl_txninfo *out)
{
	logstate ls;
	txrec *t;
	ckkey key = { CK_ID, id, 0, 0 };
	int r = sl_txnlog_load(st, db, &ls, &key);

	if (r <= 0)
		return r < 0 ? -1 : (errno = ENOTDIR, -1);
	r = 0;
	if ((t = sl_logrec_find_load(&ls, id)) && !sl_txnlog_forgotten(st, t, sl_now_ms())) {
		effective(st, db, t);
		r = info_fill(out, &ls, t) < 0 ? -1 : 1;
	}
	sl_logrec_free(&ls);
	return r;
}

int sl_txn_lookup_own(sl_txn *t, sl_txninfo *out)
{
	char p[PATH_MAX];
	struct stat sb;
	logstate ls;
	txrec *x;
	int r;

	sl_logrec_init(&ls);
	if (!t->log_ino || sl_fsutil_pathf(p, "%s/%s/txnlog", t->st->dir, t->db) < 0)
		goto full;
	ls.fd = open(p, O_RDONLY | O_CLOEXEC);
	if (ls.fd < 0 || fstat(ls.fd, &sb) < 0 || (uint64_t)sb.st_ino != t->log_ino)
		goto full;
	snprintf(ls.name, sizeof ls.name, "%s/txnlog", t->db);
	/* records about t all follow its BEGIN: fold the log from there */
	ls.base = ls.valid = (size_t)t->log_off;
	if (sl_txnlog_read(&ls, 0, &sl_ckpt_key_none) < 0) {
		sl_logrec_free(&ls);
		return -1;
	}
	x = ls.ntx ? &ls.tx[0] : 0;
	if (!x || x->id != t->id || x->slot != t->slot || x->label.n != strlen(t->label) ||
	    memcmp(x->label.p, t->label, x->label.n))
		goto full;
	effective(t->st, t->db, x);
	r = info_fill(out, &ls, x) < 0 ? -1 : 1;
	sl_logrec_free(&ls);
	return r;
full:
	sl_logrec_free(&ls);
	return sl_txn_lookup_id(t->st, t->db, t->id, out);
}

int sl_txn_lookup_label(sl_store *st, const char *db, const char *label, sl_txninfo *out)
{
	logstate ls;
	txrec *newest = 0, *holder = 0;
	size_t i, n = strlen(label);
	int64_t now = sl_now_ms();
	ckkey key = { CK_LABEL, 0, label, n };
	int r = sl_txnlog_load(st, db, &ls, &key);

	if (r <= 0)
		return r < 0 ? -1 : (errno = ENOTDIR, -1);
	for (i = ls.ntx; i-- > 0;) {
		txrec *t = &ls.tx[i];
		if (t->label.n != n || memcmp(t->label.p, label, n) || sl_txnlog_forgotten(st, t, now))
			continue;
		effective(st, db, t);
		if (!newest)
			newest = t;
		if (t->state == SL_TXN_ABORTED || (t->state == SL_TXN_VISIBLE &&
		    now - t->finish_ms >= st->label_keep_max_second * 1000))
			continue;
		holder = t;
		break;
	}
	r = 0;
	if (holder || newest)
		r = info_fill(out, &ls, holder ? holder : newest) < 0 ? -1 : 1;
	sl_logrec_free(&ls);
	return r;
}

/* ---------------------------------------------------------------- reading */

static int seq_cmp(const void *a, const void *b)
{
	uint64_t x = (*(txrec *const *)a)->commit_seq, y = (*(txrec *const *)b)->commit_seq;
	return x < y ? -1 : x > y;
}

int sl_snapshot_open(sl_store *st, const char *db, const char *table, sl_snapshot *snap)
{
	return sl_snapshot_open_flags(st, db, table, 0, snap);
}

/* Count entry rows/size (of txn t) into its live partition's figures:
 * the index of the partition, -1 when it is not live. */
static long part_count(sl_snapshot *snap, const txrec *t, int64_t part, uint64_t rows,
	uint64_t size)
{
	long k = sl_partlog_index(snap->parts, snap->nparts, part);
	sl_partinfo *p;

	if (k < 0)
		return -1;
	p = &snap->parts[k];
	p->rows += rows;
	p->bytes += size;
	if (rows) {
		p->version = t->id;
		p->version_ms = t->finish_ms;
	}
	return k;
}

int sl_snapshot_open_flags(sl_store *st, const char *db, const char *table, int flags,
	sl_snapshot *snap)
{
	char tdir[PATH_MAX];
	logstate ls;
	ckkey key = { CK_TABLE, 0, 0, 0 };
	txrec **vis = 0;
	size_t nvis = 0, npaths = 0, i, tn = strlen(table);
	int64_t tid;
	int r;

	memset(snap, 0, sizeof *snap);
	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return 0;
	}
	if (sl_name_table_valid(table) < 0 || sl_fsutil_pathf(tdir, "%s/%s/%s", st->dir, db, table) < 0) {
		errno = ENOENT;
		return 0;
	}
	if ((tid = sl_txnlog_table_id(tdir)) < 0) {
		if (errno != ENOENT)
			return -1;
		return 0;
	}
	key.id = tid;
	/* of the checkpoint, only this table's live entries */
	r = sl_txnlog_load(st, db, &ls, &key);
	if (r <= 0)
		return r;
	if (table_id_check(&ls, db, table, tid) < 0 ||
	    sl_partlog_live(&ls, tid, table, &snap->parts, &snap->nparts) < 0) {
		sl_logrec_free(&ls);
		sl_snapshot_free(snap);
		return -1;
	}
	for (i = 0; i < ls.ntx; i++) {
		txrec *t = &ls.tx[i];
		if (t->state == SL_TXN_VISIBLE && !t->repl && t->table_id == tid && t->table.n == tn &&
		    !memcmp(t->table.p, table, tn))
			nvis++;
	}
	if (nvis && !(vis = malloc(nvis * sizeof *vis)))
		goto nomem;
	nvis = 0;
	for (i = 0; i < ls.ntx; i++) {
		txrec *t = &ls.tx[i];
		if (t->state == SL_TXN_VISIBLE && !t->repl && t->table_id == tid && t->table.n == tn &&
		    !memcmp(t->table.p, table, tn)) {
			vis[nvis++] = t;
			npaths += t->nrs;
		}
	}
	if (nvis)
		qsort(vis, nvis, sizeof *vis, seq_cmp);
	if (npaths && (!(snap->paths = calloc(npaths, sizeof *snap->paths)) ||
		       !(snap->refs = calloc(npaths, sizeof *snap->refs))))
		goto nomem;
	for (i = 0; i < nvis; i++) {
		sl_storeenc_cur c = { vis[i]->rs, vis[i]->rslen, 0 };
		uint32_t k;
		for (k = 0; k < vis[i]->nrs; k++) {
			sl_field nm;
			sl_rsref *rf = &snap->refs[snap->n];
			char *p, tail[8];
			unsigned long long x, no;
			long pk;
			sl_logrec_rs_next(&c, vis[i]->rsver, &nm, &rf->rows, &rf->size, &rf->sum,
					  &rf->part);
			if (c.bad)
				break;
			if (!nm.n || memchr(nm.p, '/', nm.n) || nm.p[0] == '.')
				continue;       /* never written: stay inside data/ */
			pk = part_count(snap, vis[i], rf->part, rf->rows, rf->size);
			if (pk < 0 || (snap->parts[pk].temp && !(flags & SL_SNAP_TEMP)))
				continue;       /* dropped or replaced; or temporary */
			if (asprintf(&p, "%s/data/%.*s", tdir, (int)nm.n, nm.p) < 0)
				goto nomem;
			/* the name says which rowset of which txn the file must be */
			rf->no = UINT32_MAX;
			if (sscanf(p + strlen(tdir) + 6, "%llu-%llu%7s", &x, &no, tail) == 3 &&
			    x == (unsigned long long)vis[i]->id && no < UINT32_MAX && !strcmp(tail, ".rs"))
				rf->no = (uint32_t)no;
			rf->txn_id = vis[i]->id;
			rf->table_id = tid;
			rf->ver = vis[i]->rsver;
			snap->paths[snap->n++] = p;
			snap->nrows += rf->rows;
		}
		snap->version = vis[i]->id;
	}
	free(vis);
	sl_logrec_free(&ls);
	return 1;
nomem:
	free(vis);
	sl_logrec_free(&ls);
	sl_snapshot_free(snap);
	errno = ENOMEM;
	return -1;
}

void sl_snapshot_free(sl_snapshot *snap)
{
	sl_strv_free(snap->paths, snap->n);
	free(snap->refs);
	sl_partinfo_free(snap->parts, snap->nparts);
	memset(snap, 0, sizeof *snap);
}

int sl_store_errlog_path(sl_store *st, const char *db, const char *label, int64_t id, sl_buf *out)
{
	char p[PATH_MAX];

	if (sl_fsutil_pathf(p, "%s/_error_log", st->dir) < 0)
		return -1;
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -1;
	return sl_buf_printf(out, "%s/error_log_%s_%s_%lld", p, db, label, (long long)id);
}

