/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog.c -- the databases and tables of a data directory (catalog.h).
 *
 * A database or table is built under a temporary name (.tmp.*), fsync'd,
 * then renamed into place and its parent fsync'd, so it appears whole or
 * not at all. DROP renames it to .trash.* and then removes it; leftovers
 * are swept later (sl_fsutil_sweep).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl.h"
#include "fsutil.h"
#include "name.h"
#include "txnlog.h"
#include "txnslot.h"
#include "catalog.h"

void sl_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n && v; i++)
		free(v[i]);
	free(v);
}

static int strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the subdirectories of dir that are valid names and hold
 * the file `marker`. */
static int list_dirs(const char *dir, const char *marker, int tables, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = 0;
	size_t cnt = 0, cap = 0;
	char p[PATH_MAX];
	struct stat sb;

	*names = 0;
	*n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int e = errno;
		if ((tables ? sl_name_table_valid(de->d_name) : sl_name_valid(de->d_name)) < 0) {
			errno = e;
			continue;
		}
		if (sl_fsutil_pathf(p, "%s/%s/%s", dir, de->d_name, marker) < 0 || stat(p, &sb) < 0) {
			errno = e;
			continue;
		}
		if (cnt == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *nv);
			if (!nv)
				goto nomem;
			v = nv;
		}
		if (!(v[cnt] = strdup(de->d_name)))
			goto nomem;
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof *v, strv_cmp);
	*names = v;
	*n = cnt;
	return 1;
nomem:
	closedir(d);
	sl_strv_free(v, cnt);
	errno = ENOMEM;
	return -1;
}

int sl_db_exists(sl_store *st, const char *db)
{
	char p[PATH_MAX];
	int e = errno;

	if (sl_name_valid(db) < 0 || sl_fsutil_pathf(p, "%s/%s/txnlog", st->dir, db) < 0) {
		errno = e;
		return 0;
	}
	return access(p, F_OK) == 0;
}

int sl_db_list(sl_store *st, char ***names, size_t *n)
{
	return list_dirs(st->dir, "txnlog", 0, names, n);
}

int sl_db_create(sl_store *st, const char *db)
{
	char path[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX];

	if (sl_name_valid(db) < 0 || sl_fsutil_pathf(path, "%s/%s", st->dir, db) < 0 ||
	    sl_fsutil_pathf(tmp, "%s/.tmp.db.%s.%ld", st->dir, db, (long)getpid()) < 0)
		return -1;
	if (sl_db_exists(st, db))
		return 0;
	sl_fsutil_rm_rf(tmp);
	if (mkdir(tmp, 0755) < 0)
		return -1;
	if (sl_fsutil_pathf(p, "%s/txn", tmp) < 0 || mkdir(p, 0755) < 0 ||
	    sl_fsutil_pathf(p, "%s/txnlog", tmp) < 0 || sl_fsutil_write_synced(p, "", 0) < 0 ||
	    sl_fsutil_pathf(p, "%s/lock", tmp) < 0 || sl_fsutil_write_synced(p, "", 0) < 0 ||
	    sl_fsync_dir(tmp) < 0)
		goto fail;
	if (rename(tmp, path) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			sl_fsutil_rm_rf(tmp);
			return 0;
		}
		goto fail;
	}
	if (sl_fsync_dir(st->dir) < 0)
		return -1;
	return 1;
fail:
	sl_fsutil_rm_rf(tmp);
	return -1;
}

/* Under the database's lock, so that no log append is half done when it
 * goes: rename path (a database or table) to trash, fsync parent, remove
 * trash. 1; 0 it is gone (errno ENOENT), or its database is (errno
 * gone_db); -1 errno. */
static int drop_to_trash(sl_store *st, const char *db, const char *path, const char *trash,
	const char *parent, int gone_db)
{
	int lk = sl_txnlog_lock(st, db, LOCK_EX);

	if (lk < 0)
		return errno == ENOENT ? (errno = gone_db, 0) : -1;
	if (rename(path, trash) < 0) {
		int e = errno;
		close(lk);
		errno = e;
		return e == ENOENT ? 0 : -1;
	}
	close(lk);
	if (sl_fsync_dir(parent) < 0)
		return -1;
	sl_fsutil_rm_rf(trash);
	return 1;
}

int sl_db_drop(sl_store *st, const char *db)
{
	char path[PATH_MAX], trash[PATH_MAX];

	if (!sl_db_exists(st, db)) {
		errno = ENOENT;
		return 0;
	}
	if (sl_fsutil_pathf(path, "%s/%s", st->dir, db) < 0 ||
	    sl_fsutil_pathf(trash, "%s/.trash.db.%s.%ld.%lld", st->dir, db, (long)getpid(),
		  (long long)sl_mono_ms()) < 0)
		return -1;
	return drop_to_trash(st, db, path, trash, st->dir, ENOENT);
}

/* ---------------------------------------------------------------- tables */

int sl_table_create(sl_store *st, const char *db, const char *table, const char *ddl)
{
	return sl_table_create_parts(st, db, table, ddl, 0, 0);
}

/* Queue the T record of table tid and, for initial partitions, a Q record
 * adding them (ids from a new id in the txn id space). 1, -1 errno. */
static int create_recs(sl_store *st, logw *w, int64_t tid, int64_t now, const char *table,
	const sl_partinfo *parts, size_t n)
{
	sl_buf add = SL_BUF_ZERO;
	size_t mark, i;
	int64_t qid;
	int r = -1;

	if (sl_logrec_start(&w->rec, &mark, 'T', tid, now) < 0 ||
	    sl_storeenc_put_str(&w->rec, table, strlen(table)) < 0)
		return -1;
	sl_logrec_end(&w->rec, mark);
	if (!n)
		return 1;
	if (n > 65535) {
		errno = EFBIG;
		return -1;
	}
	sl_txnslot_gc(st, w->db, &w->ls, 0);
	qid = (w->ls.max_id > w->ls.slot_max ? w->ls.max_id : w->ls.slot_max) + 1;
	for (i = 0; i < n; i++) {
		if (!parts[i].name[0]) {
			errno = EINVAL;
			goto out;
		}
		if (sl_logrec_put_part(&add, SL_LOGREC_PART_ID(qid, i), parts[i].temp, parts[i].name,
				       parts[i].values ? parts[i].values : "") < 0)
			goto out;
	}
	r = sl_logrec_put_q(&w->rec, qid, now, tid, table, 0, 0, add.p, add.len, (uint32_t)n);
out:
	sl_buf_free(&add);
	return r;
}

int sl_table_create_parts(sl_store *st, const char *db, const char *table, const char *ddl,
	const sl_partinfo *parts, size_t n)
{
	char dbdir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX], idtxt[32];
	logw w;
	int64_t tid, now;
	int ret = -1;

	if (sl_name_table_valid(table) < 0)
		return -1;
	if (!sl_db_exists(st, db)) {
		errno = ENOENT;
		return -1;
	}
	if (sl_fsutil_pathf(dbdir, "%s/%s", st->dir, db) < 0 || sl_fsutil_pathf(path, "%s/%s", dbdir, table) < 0 ||
	    sl_fsutil_pathf(tmp, "%s/.tmp.tbl.%s.%ld", dbdir, table, (long)getpid()) < 0)
		return -1;
	if (sl_txnlog_open(st, db, &w, &sl_ckpt_key_none) < 0)
		return -1;
	sl_fsutil_sweep(dbdir);
	if (access(path, F_OK) == 0) {
		ret = 0;
		goto out;
	}
	/* the new id is recorded before the table appears, so that no later
	 * CREATE of the same name can reuse it and see this one's data */
	tid = w.ls.max_table_id + 1;
	now = sl_now_ms();
	sl_fsutil_rm_rf(tmp);
	if (mkdir(tmp, 0755) < 0)
		goto out;
	snprintf(idtxt, sizeof idtxt, "%lld\n", (long long)tid);
	if (sl_fsutil_pathf(p, "%s/data", tmp) < 0 || mkdir(p, 0755) < 0 ||
	    sl_fsutil_pathf(p, "%s/schema.sql", tmp) < 0 || sl_fsutil_write_synced(p, ddl, strlen(ddl)) < 0 ||
	    sl_fsutil_pathf(p, "%s/tableid", tmp) < 0 || sl_fsutil_write_synced(p, idtxt, strlen(idtxt)) < 0 ||
	    sl_fsync_dir(tmp) < 0)
		goto out_tmp;
	if (create_recs(st, &w, tid, now, table, parts, n) < 0 || sl_txnlog_flush(&w) < 0)
		goto out_tmp;
	if (rename(tmp, path) < 0)
		goto out_tmp;
	if (sl_fsync_dir(dbdir) < 0)
		goto out;
	ret = 1;
	goto out;
out_tmp:
	sl_fsutil_rm_rf(tmp);
out:
	sl_txnlog_close(&w);
	return ret;
}

int sl_table_named(sl_store *st, const char *db, const char *table)
{
	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return 0;
	}
	if (sl_name_table_valid(table) < 0) {
		errno = ENOENT;
		return 0;
	}
	return 1;
}

int sl_table_drop(sl_store *st, const char *db, const char *table)
{
	char dbdir[PATH_MAX], path[PATH_MAX], trash[PATH_MAX];

	if (!sl_table_named(st, db, table))
		return 0;
	if (sl_fsutil_pathf(dbdir, "%s/%s", st->dir, db) < 0 || sl_fsutil_pathf(path, "%s/%s", dbdir, table) < 0 ||
	    sl_fsutil_pathf(trash, "%s/.trash.tbl.%s.%ld.%lld", dbdir, table, (long)getpid(),
		  (long long)sl_mono_ms()) < 0)
		return -1;
	return drop_to_trash(st, db, path, trash, dbdir, ENOTDIR);
}

int sl_table_list(sl_store *st, const char *db, char ***names, size_t *n)
{
	char p[PATH_MAX];

	*names = 0;
	*n = 0;
	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return 0;
	}
	if (sl_fsutil_pathf(p, "%s/%s", st->dir, db) < 0)
		return -1;
	return list_dirs(p, "schema.sql", 1, names, n);
}

int sl_table_ddl(sl_store *st, const char *db, const char *table, sl_buf *out)
{
	char p[PATH_MAX];

	if (!sl_table_named(st, db, table))
		return 0;
	if (sl_fsutil_pathf(p, "%s/%s/%s/schema.sql", st->dir, db, table) < 0)
		return -1;
	if (sl_file_read(p, out) < 0)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

