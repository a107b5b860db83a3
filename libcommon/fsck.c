/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsck.c -- checking and repairing a database (fsck.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl.h"
#include "fsutil.h"
#include "storeerr.h"
#include "txnlog.h"
#include "txnslot.h"
#include "store.h"
#include "compact.h"
#include "fsck.h"

__attribute__((format(printf, 2, 3)))
static void say(sl_buf *r, const char *fmt, ...)
{
	va_list ap;
	char b[1024];

	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	(void)sl_buf_printf(r, "%s\n", b);
}

/* "<txnid>-<n>.rs" (or ".<txnid>-<n>.rs.tmp" when tmp): the txn id, else -1. */
static int64_t rs_name_id(const char *nm, int tmp)
{
	char *end;
	long long id;
	unsigned long n;

	if (tmp && *nm++ != '.')
		return -1;
	errno = 0;
	id = strtoll(nm, &end, 10);
	if (errno || end == nm || *end != '-' || id < 0)
		return -1;
	nm = end + 1;
	n = strtoul(nm, &end, 10);
	(void)n;
	if (errno || end == nm || strcmp(end, tmp ? ".rs.tmp" : ".rs"))
		return -1;
	return id;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rowset files of db that the folded log ls still needs ("<table>/<name>",
 * sorted): those of VISIBLE and PRECOMMITTED txns and compactions, except
 * the ones a compaction replaced. */
static int needed_files(const logstate *ls, char ***v, size_t *n)
{
	size_t i, cap = 0;

	*v = 0;
	*n = 0;
	for (i = 0; i < ls->ntx; i++) {
		const txrec *t = &ls->tx[i];
		sl_storeenc_cur c = { t->rs, t->rslen, 0 };
		uint32_t k;
		if ((t->state != SL_TXN_VISIBLE && t->state != SL_TXN_PRECOMMITTED) || t->repl)
			continue;       /* a compaction's run: its new file holds the rows */
		for (k = 0; k < t->nrs; k++) {
			sl_field nm;
			uint64_t rows, size;
			uint32_t sum;
			char *p;
			sl_logrec_rs_next(&c, t->rsver, &nm, &rows, &size, &sum, 0);
			if (c.bad)
				break;
			if (*n == cap) {
				char **nv = realloc(*v, (cap = cap ? cap * 2 : 64) * sizeof *nv);
				if (!nv)
					goto nomem;
				*v = nv;
			}
			if (asprintf(&p, "%.*s/%.*s", (int)t->table.n, t->table.p, (int)nm.n, nm.p) < 0)
				goto nomem;
			(*v)[(*n)++] = p;
		}
	}
	if (*n)
		qsort(*v, *n, sizeof **v, strp_cmp);
	return 1;
nomem:
	sl_strv_free(*v, *n);
	*v = 0;
	*n = 0;
	errno = ENOMEM;
	return -1;
}

/* The ids ever used that the log past its damage and the lock slots
 * name: *idmax and *tmax raised to them. */
static void ids_seen(sl_store *st, const char *db, const logstate *ls, int64_t *idmax,
	int64_t *tmax)
{
	char p[PATH_MAX];
	DIR *d;
	struct dirent *de;
	size_t k;

	for (k = ls->bad_off + 1; k < ls->raw.len; k++) {
		const char *h = ls->raw.p + k;
		int64_t id;
		if (!sl_logrec_plausible(h, ls->raw.len - k))
			continue;
		id = (int64_t)sl_u64_unpack(h + 10);
		if (h[8] == 'T') {
			if (id > *tmax)
				*tmax = id;
		} else if (id > *idmax) {
			*idmax = id;
		}
		k += 8 + sl_u32_unpack(h) - 1;
	}
	if (sl_fsutil_pathf(p, "%s/%s/txn", st->dir, db) < 0 || !(d = opendir(p)))
		return;
	while ((de = readdir(d))) {
		char sp[PATH_MAX], fl;
		int64_t id;
		unsigned nrs;
		int fd;
		if (strncmp(de->d_name, "slot-", 5) || sl_fsutil_pathf(sp, "%s/%s", p, de->d_name) < 0 ||
		    (fd = open(sp, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (sl_txnslot_read(fd, &id, &nrs, &fl) && id > *idmax)
			*idmax = id;
		close(fd);
	}
	closedir(d);
}

/* What moving a table's files to lost+found needs and counts. */
typedef struct lost {
	sl_store *st;
	const char *db;
	logstate *ls;
	char **need;            /* the files the log names, sorted */
	size_t nneed, moved;
	int64_t idmax, tmax;    /* the ids ever used, raised by file names */
} lost;

/* The files in <db>/<table>/data/ that the cut log will not name go to
 * lost+found, never away (a live load's stay with it). 1, -1 errno. */
static int lost_table(lost *L, const char *table)
{
	char tdir[PATH_MAX], p[PATH_MAX], lf[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int64_t tid;

	if (sl_fsutil_pathf(tdir, "%s/%s/%s", L->st->dir, L->db, table) < 0)
		return -1;
	if ((tid = sl_txnlog_table_id(tdir)) > L->tmax)
		L->tmax = tid;
	if (sl_fsutil_pathf(p, "%s/data", tdir) < 0 || !(d = opendir(p)))
		return 1;
	while ((de = readdir(d))) {
		char key[PATH_MAX], *kp = key, from[PATH_MAX], to[PATH_MAX];
		int64_t id = rs_name_id(de->d_name, 0), tmpid = rs_name_id(de->d_name, 1);
		txrec *t;
		if (tmpid > L->idmax)
			L->idmax = tmpid;
		if (id < 0)
			continue;
		if (id > L->idmax)
			L->idmax = id;
		if (sl_fsutil_pathf(key, "%s/%s", table, de->d_name) < 0)
			continue;
		if (L->nneed && bsearch(&kp, L->need, L->nneed, sizeof *L->need, strp_cmp))
			continue;
		/* a live load's file stays with it */
		if ((t = sl_logrec_find(L->ls, id)) && t->state == SL_TXN_PREPARE &&
		    !sl_txnslot_owner_dead(L->st, L->db, t))
			continue;
		if (sl_fsutil_pathf(lf, "%s/%s/lost+found/%s", L->st->dir, L->db, table) < 0 ||
		    sl_fsutil_mkdir_p(lf) < 0 || sl_fsutil_pathf(from, "%s/%s", p, de->d_name) < 0 ||
		    sl_fsutil_pathf(to, "%s/%s", lf, de->d_name) < 0 ||
		    sl_fsutil_rename_noreplace(from, to) < 0) {
			int e = errno;
			closedir(d);
			errno = e;
			return -1;
		}
		L->moved++;
	}
	closedir(d);
	(void)sl_fsync_dir(p);
	return 1;
}

/* The K record at h (a compaction past the damage), its run cut to the
 * entries the cut log ls holds VISIBLE (a run is contiguous: those are
 * its oldest, the last of their table in the cut log), into out. 1 (out
 * empty when none is held), -1 ENOMEM. */
static int compaction_cut(logstate *ls, const char *h, uint32_t len, sl_buf *out)
{
	sl_storeenc_cur c = { h + 8 + 18, len - 18, 0 };
	int64_t id = (int64_t)sl_u64_unpack(h + 10), ms = (int64_t)sl_u64_unpack(h + 18), tid, *ids;
	uint32_t i, nrepl;
	size_t n = 0;
	sl_field tb;
	char table[65];
	int r;

	out->len = 0;
	tid = (int64_t)sl_storeenc_u64(&c);
	tb = sl_storeenc_str(&c, 64);
	nrepl = sl_storeenc_u32(&c);
	if (c.bad || nrepl > c.n / 8)
		return 1;
	if (!(ids = malloc((nrepl ? nrepl : 1) * sizeof *ids))) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < nrepl; i++) {
		int64_t x = (int64_t)sl_storeenc_u64(&c);
		txrec *t = sl_logrec_find(ls, x);
		if (t && t->state == SL_TXN_VISIBLE && !t->repl && t->table_id == tid)
			ids[n++] = x;
	}
	sl_storeenc_fcopy(table, sizeof table, tb);
	r = n ? sl_logrec_put_compact_v(out, h[9], id, ms, tid, table, ids, n, c.p, c.n) : 1;
	free(ids);
	return r;
}

/* The compaction (K) records past the damage whose runs reach back
 * before it, each with its run cut to the entries the cut log holds:
 * applied to ls and their bytes kept in keep, to be appended after the
 * cut. Their old files are gone; their new files hold the rows (of the
 * loads of the run past the damage too, which stay visible through
 * them). 1, -1 errno. */
static int compactions_past(logstate *ls, sl_buf *keep)
{
	sl_buf one = SL_BUF_ZERO;
	size_t k;
	int r = -1;

	/* keep never moves: the fold points into it */
	if (sl_buf_reserve(keep, ls->raw.len) < 0)
		return -1;
	for (k = ls->bad_off + 1; k < ls->raw.len; k++) {
		const char *h = ls->raw.p + k;
		uint32_t len;
		txrec *t;
		char *at;
		if (!sl_logrec_plausible(h, ls->raw.len - k))
			continue;
		len = sl_u32_unpack(h);
		k += 8 + (size_t)len - 1;
		if (h[8] != 'K')
			continue;
		if (compaction_cut(ls, h, len, &one) < 0)
			goto out;
		if (!one.len || one.len > keep->cap - keep->len)
			continue;
		at = keep->p + keep->len;
		memcpy(at, one.p, one.len);
		if (sl_logrec_apply(ls, at + 8, one.len - 8) < 0)
			goto out;
		t = sl_logrec_find(ls, (int64_t)sl_u64_unpack(h + 10));
		if (t && t->compact && t->rs >= at && t->rs < at + one.len)
			keep->len += one.len;
	}
	r = 1;
out:
	sl_buf_free(&one);
	return r;
}

/* Cut the log at the bad record and append an 'F' record: txn ids
 * continue above idmax, table ids above tmax; then the records of keep.
 * 1, -1 errno. */
static int cut(const char *db, logstate *ls, int64_t idmax, int64_t tmax, int64_t now,
	const sl_buf *keep, sl_buf *rep)
{
	sl_buf rec = SL_BUF_ZERO;
	size_t mark;
	int ret = -1;

	if (sl_logrec_start(&rec, &mark, 'F', idmax, now) < 0 ||
	    sl_storeenc_put_u64(&rec, (uint64_t)tmax) < 0)
		goto out;
	sl_logrec_end(&rec, mark);
	if (sl_buf_put(&rec, keep->p, keep->len) < 0 || ftruncate(ls->fd, (off_t)ls->bad_off) < 0 ||
	    pwrite(ls->fd, rec.p, rec.len, (off_t)ls->bad_off) != (ssize_t)rec.len ||
	    fdatasync(ls->fd) < 0)
		goto out;
	say(rep, "%s: cut the log at offset %zu (%zu bytes dropped); txn ids continue above %lld, "
	    "table ids above %lld", db, ls->bad_off, ls->raw.len - ls->bad_off, (long long)idmax,
	    (long long)tmax);
	if (keep->len)
		say(rep, "%s: appended again the compaction records from past the damage whose "
		    "runs reach back before it (%zu bytes)", db, keep->len);
	ret = 1;
out:
	{
		int e = errno;
		sl_buf_free(&rec);
		errno = e;
	}
	return ret;
}

/* Under the db lock, the log ls (read whole, corrupt at ls->bad_off):
 * the repair. Keep a copy of the whole log; move the rowset files the
 * log will no longer name (the commits past the damage, and those of
 * txns whose commit is lost) to <db>/lost+found/<table>/; cut the log at
 * the bad record and append an 'F' record so that no txn or table id
 * below what was ever used is given again; rebuild the checkpoint. */
static int fsck_repair(sl_store *st, const char *db, logstate *ls, sl_buf *rep)
{
	char keep[PATH_MAX], lf[PATH_MAX];
	char **tables = 0;
	size_t ntables = 0, i;
	int64_t now = sl_now_ms();
	lost L = { st, db, ls, 0, 0, 0, ls->max_id, ls->max_table_id };
	sl_buf kbuf = SL_BUF_ZERO;       /* compaction records to append again */
	int ret = -1;

	/* 1. the whole log as it was */
	if (sl_fsutil_pathf(keep, "%s/%s/txnlog.corrupt-%zu-%lld", st->dir, db, ls->bad_off,
			    (long long)(now / 1000)) < 0 ||
	    sl_file_write_atomic(keep, ls->raw.p, ls->raw.len, 0644) < 0)
		goto out;
	say(rep, "%s: kept a copy of the whole log (%zu bytes) as %s", db, ls->raw.len, keep);
	/* 2. the ids ever used: records past the damage, slots, files */
	ids_seen(st, db, ls, &L.idmax, &L.tmax);
	if (compactions_past(ls, &kbuf) < 0 || needed_files(ls, &L.need, &L.nneed) < 0 || sl_table_list(st, db, &tables, &ntables) < 0)
		goto out;
	/* 3. files the cut log will not name go to lost+found, never away */
	for (i = 0; i < ntables; i++)
		if (lost_table(&L, tables[i]) < 0)
			goto out;
	if (L.moved) {
		if (sl_fsutil_pathf(lf, "%s/%s/lost+found", st->dir, db) > 0)
			(void)sl_fsync_dir(lf);
		say(rep, "%s: moved %zu rowset file(s) the cut log does not name to %s/lost+found/", db,
		    L.moved, db);
	}
	/* 4. cut, and raise the id floor above everything seen; 5. a
	 * checkpoint of the log as it is now */
	if (cut(db, ls, L.idmax, L.tmax, now, &kbuf, rep) < 0 || sl_txnlog_ckpt_rebuild(st, db, ls) < 0)
		goto out;
	ret = 1;
out:
	{
		int e = errno;
		sl_strv_free(tables, ntables);
		sl_strv_free(L.need, L.nneed);
		sl_buf_free(&kbuf);
		errno = e;
	}
	return ret;
}

/* Every row of db.table read and checked (header, sizes, sums, CRCs, the
 * partition a file's header names against its entry), in every live
 * partition, temporary ones too. */
static int fsck_table(sl_store *st, const char *db, const char *table, sl_buf *rep)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_scan *sc;
	const char *p;
	size_t len;
	uint64_t n = 0, want;
	int r;

	sl_storeerr_clear();
	r = sl_snapshot_open_flags(st, db, table, SL_SNAP_TEMP, &snap);
	if (r == 0)
		return 0;
	if (r < 0) {
		say(rep, "%s.%s: %s", db, table, sl_store_strerror(errno));
		return errno == EPROTO ? 1 : -1;
	}
	if (!(sc = sl_scan_open(&snap))) {
		sl_snapshot_free(&snap);
		return -1;
	}
	want = snap.nrows;
	while ((r = sl_scan_next(sc, &p, &len)) == 1)
		n++;
	if (r < 0 && errno == ENOENT)
		say(rep, "%s.%s: a rowset file the log names is missing", db, table);
	else if (r < 0)
		say(rep, "%s.%s: %s", db, table, sl_store_strerror(errno));
	else if (n != snap.nrows)
		say(rep, "%s.%s: %llu rows read, the commit records say %llu", db, table,
		    (unsigned long long)n, (unsigned long long)snap.nrows);
	else
		say(rep, "%s.%s: %zu rowset(s), %llu rows: ok", db, table, snap.n, (unsigned long long)n);
	{
		int e = errno;
		sl_scan_close(sc);
		sl_snapshot_free(&snap);
		errno = e;
	}
	if (r < 0)
		return errno == EPROTO || errno == ENOENT ? 1 : -1;
	return n != want;
}

/* The files in db.table's data directory that nothing needs (a crash
 * left them: sl-store(5) Compaction): reported, removed when repair.
 * They are no problem: no reader looks at them. */
static void fsck_garbage(sl_store *st, const char *db, const char *table, int repair, sl_buf *rep)
{
	size_t n = 0;

	if (sl_compact_gc(st, db, table, repair, &n) <= 0 || !n)
		return;
	if (repair)
		say(rep, "%s.%s: removed %zu file(s) that no record needs (left by a crash)", db, table, n);
	else
		say(rep, "%s.%s: %zu file(s) that no record needs (left by a crash): sl-compact or "
		    "sl-fsck --repair removes them", db, table, n);
}

/* The report on a log without corruption ls: its torn tail, whether the
 * checkpoint ck agrees with it. 1, -1 errno. */
static int log_clean(const char *db, logstate *ls, const char *ck, sl_buf *rep)
{
	struct stat sb;
	int r;

	if (ls->valid < ls->raw.len) {
		say(rep, "%s: a torn tail of %zu bytes at offset %zu (a crash mid-append): "
		    "ignored by readers, cut by the next writer", ls->name, ls->raw.len - ls->valid,
		    ls->valid);
	}
	if (stat(ck, &sb) == 0) {
		logstate c;
		sl_logrec_init(&c);
		c.fd = ls->fd;
		c.no_seal = 1;
		r = sl_ckpt_load(&c, ck, &sl_ckpt_key_all);
		c.fd = -1;
		if (r > 0 && !sl_ckpt_visible_ok(&c))
			say(rep, "%s/txnlog.ckpt: its index of visible txns does not agree with its "
			    "entries: ignored by snapshots (the log is read instead; the next "
			    "refresh of the checkpoint rebuilds it)", db);
		sl_logrec_free(&c);
		if (r < 0)
			return -1;
		if (r == 0)
			say(rep, "%s/txnlog.ckpt: does not agree with the log: ignored (the log "
			    "is read instead; the next writer rebuilds it)", db);
	}
	say(rep, "%s: %zu bytes of log, %zu txns, last txn id %lld: ok", ls->name, ls->valid,
	    ls->ntx, (long long)ls->max_id);
	return 1;
}

int sl_fsck_db(sl_store *st, const char *db, int repair, sl_buf *rep)
{
	char p[PATH_MAX], ck[PATH_MAX];
	logstate ls;
	char **tables = 0;
	size_t ntables = 0, i;
	int lk, r, bad = 0;

	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return -1;
	}
	if (sl_fsutil_pathf(p, "%s/%s/txnlog", st->dir, db) < 0 || sl_txnlog_ckpt_path(st, db, ck) < 0)
		return -1;
	/* no writer while we look (readers go on) */
	if ((lk = sl_txnlog_lock(st, db, LOCK_EX)) < 0)
		return -1;
	sl_logrec_init(&ls);
	snprintf(ls.name, sizeof ls.name, "%s/txnlog", db);
	sl_storeerr_clear();
	ls.fd = open(p, (repair ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (ls.fd < 0)
		goto fail;
	r = sl_txnlog_read(&ls, 0, &sl_ckpt_key_all);
	if (r < 0 && errno != EPROTO)
		goto fail;
	if (ls.corrupt) {
		say(rep, "%s", sl_storeerr_msg());
		if (!repair) {
			bad++;
		} else if (fsck_repair(st, db, &ls, rep) < 0) {
			goto fail;
		}
	} else if (log_clean(db, &ls, ck, rep) < 0) {
		goto fail;
	}
	sl_logrec_free(&ls);
	close(lk);
	lk = -1;
	if (bad)
		return bad;     /* no table can be read before the repair */
	/* the tables: each one read in full */
	if (sl_table_list(st, db, &tables, &ntables) < 0)
		return -1;
	for (i = 0; i < ntables; i++) {
		r = fsck_table(st, db, tables[i], rep);
		if (r == 0)
			fsck_garbage(st, db, tables[i], repair, rep);
		if (r < 0) {
			sl_strv_free(tables, ntables);
			return -1;
		}
		bad += r;
	}
	sl_strv_free(tables, ntables);
	return bad;
fail:
	{
		int e = errno;
		sl_logrec_free(&ls);
		if (lk >= 0)
			close(lk);
		errno = e;
	}
	return -1;
}
