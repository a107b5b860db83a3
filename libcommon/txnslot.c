/* SPDX-License-Identifier: Apache-2.0 */
/*
 * txnslot.c -- the lock slots of live txns and the cleanup of finished
 * ones (txnslot.h).
 *
 * Lock slots <db>/txn/slot-<k>: a begin (under the db lock) takes the first
 * slot it can flock, writes "<id> <nrowsets> P\n" into it (fixed width,
 * SLOT_LEN bytes) and keeps it locked while the txn's process lives; each
 * rowset it starts rewrites the count first. Slots are never unlinked, so
 * a load creates and deletes no inode for its lock. The owner of txn id in
 * slot k is alive iff slot k is locked and names id. sl_txnslot_gc marks a free
 * slot whose txn's files are settled 'F'. Nothing in a slot needs to
 * survive a crash: after one, no slot is locked.
 *
 * Version 1 txns (no slot) hold txn/<id>.lock instead, for as long as
 * they may leave files behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "ckpt.h"
#include "txnslot.h"

#define SLOT_LEN        34              /* "<id:20> <nrowsets:10> <P|F>\n" */

static int txn_lock_path(sl_store *st, const char *db, int64_t id, char *p)
{
	return sl_fsutil_pathf(p, "%s/%s/txn/%lld.lock", st->dir, db, (long long)id);
}

static int slot_path(sl_store *st, const char *db, int k, char *p)
{
	return sl_fsutil_pathf(p, "%s/%s/txn/slot-%d", st->dir, db, k);
}

int sl_txnslot_write(int fd, int64_t id, unsigned nrs, char flag)
{
	char b[SLOT_LEN + 1];

	snprintf(b, sizeof b, "%020lld %010u %c\n", (long long)id, nrs, flag);
	if (pwrite(fd, b, SLOT_LEN, 0) != SLOT_LEN) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 1;
}

int sl_txnslot_read(int fd, int64_t *id, unsigned *nrs, char *flag)
{
	char b[SLOT_LEN];
	uint64_t v = 0, k = 0;
	int i, e = errno;

	if (pread(fd, b, SLOT_LEN, 0) != SLOT_LEN || b[20] != ' ' || b[31] != ' ' ||
	    (b[32] != 'P' && b[32] != 'F') || b[33] != '\n') {
		errno = e;
		return 0;
	}
	for (i = 0; i < 31; i++) {
		if (i == 20)
			continue;
		if (b[i] < '0' || b[i] > '9')
			return 0;
		if (i < 20)
			v = v * 10 + (uint64_t)(b[i] - '0');
		else
			k = k * 10 + (uint64_t)(b[i] - '0');
	}
	if (v > INT64_MAX || k > UINT32_MAX)
		return 0;
	*id = (int64_t)v;
	*nrs = (unsigned)k;
	*flag = b[32];
	return 1;
}

unsigned sl_txnslot_nrowsets(sl_store *st, const char *db, const txrec *t)
{
	char p[PATH_MAX], fl;
	int64_t id;
	unsigned n = 0;
	int fd, e = errno;

	if (t->slot < 0 || slot_path(st, db, t->slot, p) < 0 ||
	    (fd = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
		errno = e;
		return 0;
	}
	if (!sl_txnslot_read(fd, &id, &n, &fl) || id != t->id)
		n = 0;
	close(fd);
	errno = e;
	return n;
}

int sl_txnslot_take(sl_store *st, const char *db, int *k)
{
	char p[PATH_MAX];
	int i, fd;

	for (i = 0; i < SLOT_MAX; i++) {
		if (slot_path(st, db, i, p) < 0)
			return -1;
		fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 && errno == ENOENT) {
			char td[PATH_MAX];
			if (sl_fsutil_pathf(td, "%s/%s/txn", st->dir, db) > 0 && mkdir(td, 0755) == 0)
				fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		}
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			*k = i;
			return fd;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			sl_fsutil_close_keep_errno(fd);
			return -1;
		}
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

int sl_txnslot_owner_dead(sl_store *st, const char *db, const txrec *t)
{
	char p[PATH_MAX];
	int fd, dead, e = errno;

	if ((t->slot < 0 ? txn_lock_path(st, db, t->id, p) : slot_path(st, db, t->slot, p)) < 0)
		return 0;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		dead = errno == ENOENT;
		errno = e;
		return dead;
	}
	dead = flock(fd, LOCK_EX | LOCK_NB) == 0;
	if (!dead && t->slot >= 0) {
		int64_t id;
		unsigned n;
		char fl;
		dead = !sl_txnslot_read(fd, &id, &n, &fl) || id != t->id;
	}
	close(fd);
	errno = e;
	return dead;
}

void sl_txnslot_cleanup(sl_store *st, const char *db, const char *table, int64_t id, int files)
{
	char p[PATH_MAX], pre[64], tpre[64];
	DIR *d;
	struct dirent *de;
	int e = errno;
	size_t np, ntp;

	if (files && sl_fsutil_pathf(p, "%s/%s/%s/data", st->dir, db, table) > 0 && (d = opendir(p))) {
		np = (size_t)snprintf(pre, sizeof pre, "%lld-", (long long)id);
		ntp = (size_t)snprintf(tpre, sizeof tpre, ".%lld-", (long long)id);
		while ((de = readdir(d))) {
			char f[PATH_MAX];
			if ((strncmp(de->d_name, pre, np) && strncmp(de->d_name, tpre, ntp)) ||
			    sl_fsutil_pathf(f, "%s/%s", p, de->d_name) < 0)
				continue;
			unlink(f);
		}
		closedir(d);
	}
	if (txn_lock_path(st, db, id, p) > 0)
		unlink(p);
	errno = e;
}

void sl_txnslot_files_clean(sl_store *st, const char *db, const txrec *t, unsigned nrs)
{
	char dir[PATH_MAX], f[PATH_MAX], tb[65];
	sl_storeenc_cur c = { t->rs, t->rslen, 0 };
	uint32_t i;
	unsigned k;
	int e = errno;

	sl_storeenc_fcopy(tb, sizeof tb, t->table);
	if (t->slot < 0) {
		sl_txnslot_cleanup(st, db, tb, t->id, 1);
		return;
	}
	if (sl_fsutil_pathf(dir, "%s/%s/%s/data", st->dir, db, tb) < 0)
		goto out;
	for (i = 0; t->rs && i < t->nrs; i++) {
		sl_field nm;
		uint64_t rows, size;
		uint32_t sum;
		sl_logrec_rs_next(&c, t->rsver, &nm, &rows, &size, &sum, 0);
		if (c.bad)
			break;
		if (!nm.n || memchr(nm.p, '/', nm.n) || nm.p[0] == '.')
			continue;
		if (sl_fsutil_pathf(f, "%s/%.*s", dir, (int)nm.n, nm.p) > 0)
			unlink(f);
	}
	for (k = 0; k < UINT32_MAX; k++) {
		int gone = 0;
		if (sl_fsutil_pathf(f, "%s/%lld-%u.rs", dir, (long long)t->id, k) < 0)
			break;
		gone += unlink(f) < 0 && errno == ENOENT;
		if (sl_fsutil_pathf(f, "%s/.%lld-%u.rs.tmp", dir, (long long)t->id, k) < 0)
			break;
		gone += unlink(f) < 0 && errno == ENOENT;
		if (gone == 2 && k >= nrs)
			break;
	}
out:
	errno = e;
}

/* Under the db lock: the cleanup of one slot. The files of its txn when
 * that was aborted (its process may have died before removing them);
 * a free slot whose txn is settled is marked 'F' so that this is done
 * once. */
static void slot_gc(sl_store *st, const char *db, logstate *ls, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), isfree, named;
	int64_t id;
	unsigned nrs;
	char fl;
	txrec *t, tmp;
	int damaged;

	if (fd < 0)
		return;
	isfree = flock(fd, LOCK_EX | LOCK_NB) == 0;
	named = sl_txnslot_read(fd, &id, &nrs, &fl);
	if (named && id > ls->slot_max)
		ls->slot_max = id;      /* the next id goes above it */
	if (named && fl != 'F') {
		t = sl_ckpt_get(ls, id, &tmp, &damaged);
		if (damaged) {
			close(fd);
			return;         /* cannot tell: the next begin will */
		}
		if (t && t->state == SL_TXN_ABORTED)
			sl_txnslot_files_clean(st, db, t, nrs);
		if (isfree && !(t && t->state == SL_TXN_PREPARE))
			(void)sl_txnslot_write(fd, id, nrs, 'F');
	}
	close(fd);
}

void sl_txnslot_gc(sl_store *st, const char *db, logstate *ls, int64_t skip)
{
	char p[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int e = errno;

	if (sl_fsutil_pathf(p, "%s/%s/txn", st->dir, db) < 0 || !(d = opendir(p))) {
		errno = e;
		return;
	}
	while ((de = readdir(d))) {
		char *end, tb[65];
		long long id = strtoll(de->d_name, &end, 10);
		txrec *t, tmp;
		int damaged;
		if (!strncmp(de->d_name, "slot-", 5)) {
			char sp[PATH_MAX];
			if (sl_fsutil_pathf(sp, "%s/%s", p, de->d_name) > 0)
				slot_gc(st, db, ls, sp);
			continue;
		}
		if (end == de->d_name || strcmp(end, ".lock") || id == skip)
			continue;
		t = sl_ckpt_get(ls, id, &tmp, &damaged);
		if (damaged)
			continue;
		if (t && t->state == SL_TXN_PREPARE)
			continue;
		if (t && t->state == SL_TXN_ABORTED) {
			sl_storeenc_fcopy(tb, sizeof tb, t->table);
			sl_txnslot_cleanup(st, db, tb, id, 1);
		} else {
			sl_txnslot_cleanup(st, db, "", id, 0);
		}
	}
	closedir(d);
	errno = e;
}
