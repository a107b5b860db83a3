/* SPDX-License-Identifier: Apache-2.0 */
/*
 * txnlog.c -- a database's transaction log as readers and writers use it
 * (txnlog.h).
 *
 * Writers hold flock(<db>/lock), read the whole log, cut a torn tail,
 * append all their records with ONE write and fdatasync. Readers take no
 * lock. Both start from the checkpoint <db>/txnlog.ckpt when it is usable
 * (ckpt.h; they read only the parts of it their operation needs: the live
 * txns and those of one id or label) and replay only the log past it;
 * writers refresh it (ckpt_refresh) once that tail holds CKPT_RECS
 * records or CKPT_BYTES, or when it was found damaged.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "fsutil.h"
#include "name.h"
#include "storeerr.h"
#include "txnlog.h"

#define CKPT_BYTES      (64u << 10)     /* refresh when the tail is this big */
#define CKPT_RECS       256             /* ... or holds this many records */
#define KEEP_MIN_S      3600            /* finished txns are kept at least this */

int64_t sl_txnlog_table_id(const char *tdir)
{
	char p[PATH_MAX], buf[32];
	int fd;
	ssize_t r;

	if (sl_fsutil_pathf(p, "%s/tableid", tdir) < 0)
		return -1;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = sl_fd_read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0) {
		errno = EPROTO;
		return -1;
	}
	buf[r] = 0;
	return strtoll(buf, 0, 10);
}

int sl_txnlog_lock(sl_store *st, const char *db, int mode)
{
	char p[PATH_MAX];
	int fd;

	if (sl_name_valid(db) < 0) {
		errno = ENOENT;
		return -1;
	}
	if (sl_fsutil_pathf(p, "%s/%s/lock", st->dir, db) < 0)
		return -1;
	/* a reader may not be allowed to write: a shared lock needs no more */
	fd = open(p, (mode == LOCK_SH ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return sl_fsutil_flock(fd, mode);
}

int sl_txnlog_ckpt_path(sl_store *st, const char *db, char *p)
{
	return sl_fsutil_pathf(p, "%s/%s/txnlog.ckpt", st->dir, db);
}

int sl_txnlog_read(logstate *ls, const char *ckpath, const ckkey *key)
{
	if (ckpath && sl_ckpt_load(ls, ckpath, key) < 0)
		return -1;
	return sl_logrec_fold(ls);
}

int sl_txnlog_load(sl_store *st, const char *db, logstate *ls, const ckkey *key)
{
	char p[PATH_MAX], ck[PATH_MAX];
	int r, tries, lk = -1;

	sl_logrec_init(ls);
	if (sl_name_valid(db) < 0) {
		errno = ENOTDIR;
		return 0;
	}
	if (sl_fsutil_pathf(p, "%s/%s/txnlog", st->dir, db) < 0 || sl_txnlog_ckpt_path(st, db, ck) < 0)
		return -1;
	sl_storeerr_clear();
	for (tries = 0;; tries++) {
		ls->fd = open(p, O_RDONLY | O_CLOEXEC);
		if (ls->fd < 0) {
			if (errno == ENOENT) {
				errno = ENOTDIR;
				return 0;
			}
			return -1;
		}
		snprintf(ls->name, sizeof ls->name, "%s/txnlog", db);
		r = sl_txnlog_read(ls, ck, key);
		if (r < 0)
			sl_logrec_free(ls);
		/* corruption seen without the lock may be a writer cutting a
		 * torn tail under our feet: look again, with no writer */
		if (r >= 0 || errno != EPROTO || tries || lk >= 0)
			break;
		if ((lk = sl_txnlog_lock(st, db, LOCK_SH)) < 0) {
			if (errno == ENOENT)
				errno = ENOTDIR;
			return errno == ENOTDIR ? 0 : -1;
		}
	}
	sl_fsutil_close_keep_errno(lk);
	return r;
}

int sl_txnlog_open(sl_store *st, const char *db, logw *w, const ckkey *key)
{
	char p[PATH_MAX], ck[PATH_MAX];

	memset(w, 0, sizeof *w);
	sl_logrec_init(&w->ls);
	w->st = st;
	w->lockfd = sl_txnlog_lock(st, db, LOCK_EX);
	if (w->lockfd < 0)
		return -1;
	snprintf(w->db, sizeof w->db, "%s", db);
	if (sl_fsutil_pathf(p, "%s/%s/txnlog", st->dir, db) < 0 || sl_txnlog_ckpt_path(st, db, ck) < 0)
		goto fail;
	sl_storeerr_clear();
	snprintf(w->ls.name, sizeof w->ls.name, "%s/txnlog", db);
	w->ls.fd = open(p, O_RDWR | O_APPEND | O_CLOEXEC);
	/* corruption (EPROTO): refused, nothing cut, until sl-fsck --repair */
	if (w->ls.fd < 0 || sl_txnlog_read(&w->ls, ck, key) < 0)
		goto fail;
	if (w->ls.valid < w->ls.base + w->ls.raw.len) {
		/* a torn tail (a crash mid-append, or garbage): keep a copy for
		 * the curious, then cut it, or later records would be
		 * unreachable behind it */
		char keep[PATH_MAX];
		size_t good = w->ls.valid - w->ls.base;
		if (sl_fsutil_pathf(keep, "%s/%s/txnlog.torn-%zu", st->dir, db, w->ls.valid) > 0)
			(void)sl_file_write_atomic(keep, w->ls.raw.p + good,
						   w->ls.raw.len - good, 0644);
		if (ftruncate(w->ls.fd, (off_t)w->ls.valid) < 0 || fdatasync(w->ls.fd) < 0)
			goto fail;
		w->ls.raw.len = good;
		sl_fsutil_seal(w->ls.fd);
	}
	return 1;
fail:
	{
		int e = errno;
		close(w->lockfd);
		sl_logrec_free(&w->ls);
		errno = e;
	}
	return -1;
}

int sl_txnlog_flush(logw *w)
{
	if (!w->rec.len)
		return 1;
	if (sl_allwrite(w->ls.fd, w->rec.p, w->rec.len) < w->rec.len || fdatasync(w->ls.fd) < 0) {
		int e = errno;
		if (ftruncate(w->ls.fd, (off_t)w->ls.valid) == 0)
			(void)fdatasync(w->ls.fd);
		errno = e ? e : EIO;
		return -1;
	}
	w->ls.valid += w->rec.len;
	w->ls.ntail++;
	w->rec.len = 0;
	sl_fsutil_seal(w->ls.fd);
	return 1;
}

int sl_txnlog_forgotten(const sl_store *st, const txrec *t, int64_t now)
{
	int64_t keep = st->label_keep_max_second > KEEP_MIN_S ? st->label_keep_max_second : KEEP_MIN_S;

	return (t->state == SL_TXN_VISIBLE || t->state == SL_TXN_ABORTED) &&
	       now - t->finish_ms >= keep * 1000;
}

/* Does the table t committed to still exist (same id)? Under the db lock,
 * where no table is created or dropped. cache: names and ids seen. */
typedef struct tblcache { char name[65]; int64_t id; } tblcache;

static int table_current(sl_store *st, const char *db, const txrec *t, tblcache *tc, size_t *ntc)
{
	char tdir[PATH_MAX], nm[65];
	size_t i;
	int64_t id;

	sl_storeenc_fcopy(nm, sizeof nm, t->table);
	for (i = 0; i < *ntc; i++)
		if (!strcmp(tc[i].name, nm))
			return tc[i].id == t->table_id;
	if (sl_fsutil_pathf(tdir, "%s/%s/%s", st->dir, db, nm) < 0)
		return 1;       /* keep it: cannot tell */
	id = sl_txnlog_table_id(tdir);
	if (id < 0 && errno != ENOENT)
		return 1;
	if (*ntc < 16) {
		memcpy(tc[*ntc].name, nm, sizeof nm);
		tc[(*ntc)++].id = id;
	}
	return id == t->table_id;
}

/* Keep a finished txn in a new checkpoint? Not when forgotten, unless
 * its rowsets are part of a live table (not replaced by a compaction). */
typedef struct keepctx {
	sl_store *st;
	const char *db;
	tblcache tc[16];
	size_t ntc;
	int64_t now;
} keepctx;

static int ckpt_keep(void *ctx, const txrec *t)
{
	keepctx *k = ctx;

	return !(sl_txnlog_forgotten(k->st, t, k->now) &&
		 !(t->state == SL_TXN_VISIBLE && t->nrs && !t->repl &&
		   table_current(k->st, k->db, t, k->tc, &k->ntc)));
}

/* Under the db lock: write a new checkpoint of the log w->ls.fd (re-read
 * from the current checkpoint and the tail, so that it holds exactly what
 * is on disk). Best effort: a failure leaves the old one, which stays
 * valid, or none. */
static void ckpt_refresh(logw *w)
{
	char ck[PATH_MAX];
	logstate ls;
	struct stat sb;
	keepctx kc;
	int e = errno;

	kc.st = w->st;
	kc.db = w->db;
	kc.ntc = 0;
	kc.now = sl_now_ms();
	sl_logrec_init(&ls);
	/* a damaged checkpoint is not folded again: rebuilt from the log */
	memcpy(ls.name, w->ls.name, sizeof ls.name);
	if (sl_txnlog_ckpt_path(w->st, w->db, ck) >= 0 &&
	    (ls.fd = fcntl(w->ls.fd, F_DUPFD_CLOEXEC, 0)) >= 0 &&
	    sl_txnlog_read(&ls, w->ls.ck_bad ? 0 : ck, &sl_ckpt_key_all) >= 0 &&
	    ls.valid != ls.base && fstat(ls.fd, &sb) >= 0)
		(void)sl_ckpt_save(&ls, (uint64_t)sb.st_ino, ck, ckpt_keep, &kc);
	sl_logrec_free(&ls);
	errno = e;
}

void sl_txnlog_close(logw *w)
{
	int e = errno;
	/* still under the lock: refresh the checkpoint when the tail grew,
	 * or when the one there was found damaged (rebuilt from the log) */
	if (w->ls.fd >= 0 && (w->ls.valid - w->ls.base >= CKPT_BYTES || w->ls.ntail >= CKPT_RECS ||
			      (w->ls.ck_bad && w->ls.valid > 0)))
		ckpt_refresh(w);
	sl_logrec_free(&w->ls);
	if (w->lockfd >= 0)
		close(w->lockfd);
	sl_buf_free(&w->rec);
	w->lockfd = -1;
	errno = e;
}

int sl_txnlog_ckpt_rebuild(sl_store *st, const char *db, const logstate *ls)
{
	char p[PATH_MAX];
	logw w;

	if (sl_txnlog_ckpt_path(st, db, p) < 0 || (unlink(p) < 0 && errno != ENOENT))
		return -1;
	memset(&w, 0, sizeof w);
	sl_logrec_init(&w.ls);
	w.st = st;
	w.lockfd = -1;
	snprintf(w.db, sizeof w.db, "%s", db);
	memcpy(w.ls.name, ls->name, sizeof w.ls.name);
	if ((w.ls.fd = fcntl(ls->fd, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    sl_txnlog_read(&w.ls, 0, &sl_ckpt_key_none) < 0) {
		sl_txnlog_close(&w);
		return -1;
	}
	w.ls.ck_bad = 1;
	sl_txnlog_close(&w);
	return 1;
}
