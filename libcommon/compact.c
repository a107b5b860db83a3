/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compact.c -- compaction of a table (compact.h, sl-store(5) Compaction).
 *
 * A compaction of db.table, holding <db>/<table>/compact.lock (one per
 * table at a time):
 *  1. lock-free: a snapshot of the table; the run, whole entries (a
 *     load's files, or an earlier compaction's), contiguous in commit
 *     order: the policy's (sl_compact_pick) or all;
 *  2. under the database lock: remove the files nothing needs (a crash
 *     leaves them), and, when the run holds two files or more, reserve a
 *     new id in a lock slot (fdatasync'd; the slots name the last ids
 *     taken, so no load or compaction takes it again, as for a begin);
 *  3. the run's rows, as the table's reader gives them, into one new file
 *     data/<id>-0.rs (a temporary, fsync'd, renamed, the directory
 *     fsync'd: sl_rowset_create_compact);
 *  4. under the database lock: every entry of the run still there,
 *     VISIBLE, of the same table, not replaced (else the new file goes and
 *     the compaction fails: ESTALE); the new file checked as a commit
 *     checks its files; ONE K record appended and fdatasync'd: from it on
 *     readers see the new file in the run's place (logrec.c's fold); then
 *     the run's files are unlinked.
 * A crash before the record leaves the run visible and the new file
 * garbage; after it, the new file visible and the old files garbage:
 * never both, never neither. Garbage is removed by step 2 of the next
 * compaction and by sl-fsck --repair (sl_compact_gc).
 *
 * A reader that took its snapshot before the record reads the old files;
 * the merging reader opens them all at once, so the unlinks of step 4
 * cannot hurt it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "fsutil.h"
#include "storeerr.h"
#include "txnlog.h"
#include "txnslot.h"
#include "store.h"
#include "schema.h"
#include "model.h"
#include "merge.h"
#include "compact.h"

/* One entry of the table in commit order: a load or a compaction, its
 * files paths[first .. first+nf) of the snapshot. */
typedef struct centry {
	int64_t id;
	size_t first, nf;
	uint64_t size;
} centry;

/* A compaction under way. */
typedef struct cjob {
	sl_store *st;
	const char *db, *table;
	char tdir[PATH_MAX];
	int64_t tid, id;
	sl_compact_step_fn step;
	sl_snapshot snap;
	centry *ent;
	size_t nent, e0;        /* the run: ent[e0 .. nent) */
	sl_schema sch;
} cjob;

static void step(const cjob *j, const char *name)
{
	if (j->step)
		j->step(name);
}

/* ---------------------------------------------------------------- policy */

int sl_compact_pick(const uint64_t *size, const size_t *nf, size_t n, int full, size_t *first)
{
	size_t i, files = 0;
	uint64_t sum;

	if (!n)
		return 0;
	i = n - 1;
	sum = size[i];
	if (full) {
		i = 0;
	} else {
		/* an older entry joins while it is no bigger than twice the
		 * run: each row is rewritten about log(n) times, not n */
		while (i > 0 && size[i - 1] / 2 <= sum)
			sum += size[--i];
		if (i > 0 && n - i < 2)
			i = n - 2;
	}
	*first = i;
	for (; i < n; i++)
		files += nf[i];
	return files >= 2;
}

/* ---------------------------------------------------------------- garbage */

/* "<id>-<n>.rs", or ".<id>-<n>.rs.tmp" (*tmp set): the id; -1 neither. */
static int64_t file_id(const char *nm, int *tmp)
{
	long long id;
	unsigned n;
	int k = 0;

	*tmp = nm[0] == '.';
	if (sscanf(nm + *tmp, "%lld-%u%n", &id, &n, &k) != 2 || id < 0 || !k ||
	    strcmp(nm + *tmp + k, *tmp ? ".rs.tmp" : ".rs"))
		return -1;
	return id;
}

/* Does nothing need the file of txn id (tmp: its temporary) in the data
 * directory of table tid, by the whole fold ls? A load's files are its
 * as long as it lives or is VISIBLE (the temporaries only while it
 * lives); a compaction's while it is VISIBLE. Every file has its txn in
 * the log (a BEGIN before a load's first file; a compaction's is garbage
 * until its K record), and the checkpoint keeps every txn whose files a
 * live table reads. */
static int is_garbage(logstate *ls, int64_t tid, int64_t id, int tmp)
{
	txrec *t = sl_logrec_find(ls, id);

	if (!t)
		return 1;
	if (t->table_id != tid)
		return 0;       /* not this table's: never touched */
	if (t->state == SL_TXN_PREPARE || t->state == SL_TXN_PRECOMMITTED)
		return 0;
	return t->state == SL_TXN_ABORTED || t->repl || tmp;
}

/* The names in <tdir>/data that look like rowset files. 1, -1 errno. */
static int list_files(const char *tdir, char ***v, size_t *n)
{
	char p[PATH_MAX];
	DIR *d;
	struct dirent *de;
	size_t cap = 0;
	int tmp;

	*v = 0;
	*n = 0;
	if (sl_fsutil_pathf(p, "%s/data", tdir) < 0 || !(d = opendir(p)))
		return errno == ENOENT ? 1 : -1;
	while ((de = readdir(d))) {
		if (file_id(de->d_name, &tmp) < 0)
			continue;
		if (*n == cap) {
			char **nv = realloc(*v, (cap = cap ? cap * 2 : 32) * sizeof *nv);
			if (!nv)
				goto nomem;
			*v = nv;
		}
		if (!((*v)[*n] = strdup(de->d_name)))
			goto nomem;
		++*n;
	}
	closedir(d);
	return 1;
nomem:
	closedir(d);
	sl_strv_free(*v, *n);
	*v = 0;
	*n = 0;
	errno = ENOMEM;
	return -1;
}

/* The garbage among names (listed before ls was folded: every file seen
 * has its txn in ls), unlinked when remove; *n counts it. */
static void garbage(logstate *ls, const char *tdir, int64_t tid, char **names, size_t nn, int remove,
	size_t *n)
{
	char p[PATH_MAX];
	size_t i;
	int tmp;

	for (i = 0; i < nn; i++) {
		int64_t id = file_id(names[i], &tmp);
		if (!is_garbage(ls, tid, id, tmp))
			continue;
		if (remove && (sl_fsutil_pathf(p, "%s/data/%s", tdir, names[i]) < 0 ||
			       (unlink(p) < 0 && errno != ENOENT)))
			continue;
		++*n;
	}
}

/* Take the table's compaction lock without waiting (create: the lock
 * file too when missing). fd; -1 with errno (EWOULDBLOCK: held; ENOENT:
 * no such table, or no lock file). */
static int compact_lock(const char *tdir, int create)
{
	char p[PATH_MAX];
	int fd;

	if (sl_fsutil_pathf(p, "%s/compact.lock", tdir) < 0)
		return -1;
	fd = open(p, O_RDWR | (create ? O_CREAT : 0) | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	return sl_fsutil_flock(fd, LOCK_EX | LOCK_NB);
}

/* <dir>/<db>/<table> into tdir and the table's id. 1; -1 errno (ENOENT no
 * table, ENOTDIR no database). */
static int table_dir(sl_store *st, const char *db, const char *table, char *tdir, int64_t *tid)
{
	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return -1;
	}
	if (sl_name_table_valid(table) < 0) {
		errno = ENOENT;
		return -1;
	}
	if (sl_fsutil_pathf(tdir, "%s/%s/%s", st->dir, db, table) < 0)
		return -1;
	*tid = sl_txnlog_table_id(tdir);
	return *tid < 0 ? -1 : 1;
}

int sl_compact_gc(sl_store *st, const char *db, const char *table, int remove, size_t *n)
{
	char tdir[PATH_MAX], **names = 0;
	size_t nn = 0;
	int64_t tid;
	int lk, r = -1;
	logw w;
	logstate ls;

	*n = 0;
	if (table_dir(st, db, table, tdir, &tid) < 0)
		return -1;
	/* looking only creates nothing: no lock file, no compaction ever */
	if ((lk = compact_lock(tdir, remove)) < 0 && !(errno == ENOENT && !remove))
		return errno == EWOULDBLOCK ? 0 : -1;
	/* listed first, then the log: a file seen has its txn in the fold */
	if (list_files(tdir, &names, &nn) < 0)
		goto out;
	if (remove) {
		if (sl_txnlog_open(st, db, &w, &sl_ckpt_key_all) < 0)
			goto out;
		if (sl_txnlog_table_id(tdir) == tid)
			garbage(&w.ls, tdir, tid, names, nn, 1, n);
		sl_txnlog_close(&w);
	} else {
		/* looking only: no lock, nothing cut */
		if (sl_txnlog_load(st, db, &ls, &sl_ckpt_key_all) <= 0)
			goto out;
		garbage(&ls, tdir, tid, names, nn, 0, n);
		sl_logrec_free(&ls);
	}
	r = 1;
out:
	sl_strv_free(names, nn);
	sl_fsutil_close_keep_errno(lk);
	return r;
}

/* ---------------------------------------------------------------- steps */

/* Step 2, under the database lock: the garbage, then (take_id) a new id
 * reserved in a lock slot. 1, -1 errno. */
static int reserve(cjob *j, int take_id, sl_compact_res *res)
{
	char **names = 0, p[PATH_MAX];
	size_t nn = 0;
	logw w;
	int fd = -1, slot, r = -1;

	if (list_files(j->tdir, &names, &nn) < 0)
		return -1;
	if (sl_txnlog_open(j->st, j->db, &w, &sl_ckpt_key_all) < 0) {
		sl_strv_free(names, nn);
		return -1;
	}
	if (sl_txnlog_table_id(j->tdir) != j->tid) {
		errno = ESTALE;
		goto out;
	}
	garbage(&w.ls, j->tdir, j->tid, names, nn, 1, &res->ngarbage);
	if (!take_id) {
		r = 1;
		goto out;
	}
	/* the next id: above the log's and every slot's (sl_txn_begin's rule) */
	sl_txnslot_gc(j->st, j->db, &w.ls, 0);
	j->id = (w.ls.max_id > w.ls.slot_max ? w.ls.max_id : w.ls.slot_max) + 1;
	if ((fd = sl_txnslot_take(j->st, j->db, &slot)) < 0 || sl_txnslot_write(fd, j->id, 1, 'P') < 0 ||
	    fdatasync(fd) < 0 || sl_fsutil_pathf(p, "%s/%s/txn", j->st->dir, j->db) < 0 ||
	    sl_fsync_dir(p) < 0)
		goto out;
	r = 1;
out:
	sl_fsutil_close_keep_errno(fd);
	sl_strv_free(names, nn);
	sl_txnlog_close(&w);
	return r;
}

/* Step 1: the snapshot, its entries, the run. 1, 0 nothing to do, -1
 * errno. */
static int pick_run(cjob *j, int full, sl_compact_res *res)
{
	uint64_t *size = 0;
	size_t *nf = 0, i;
	int r;

	r = sl_snapshot_open(j->st, j->db, j->table, &j->snap);
	if (r <= 0)
		return r < 0 ? -1 : (errno = ESTALE, -1);
	res->nfiles = j->snap.n;
	if (j->snap.n && !(j->ent = calloc(j->snap.n, sizeof *j->ent)))
		goto nomem;
	for (i = 0; i < j->snap.n; i++) {
		const sl_rsref *rf = &j->snap.refs[i];
		centry *e = &j->ent[j->nent ? j->nent - 1 : 0];
		if (rf->table_id != j->tid) {
			errno = ESTALE;
			return -1;
		}
		if (!j->nent || e->id != rf->txn_id) {
			e = &j->ent[j->nent++];
			e->id = rf->txn_id;
			e->first = i;
		}
		e->nf++;
		e->size += rf->size ? rf->size : rf->rows;
	}
	if (j->nent && (!(size = malloc(j->nent * sizeof *size)) || !(nf = malloc(j->nent * sizeof *nf))))
		goto nomem;
	for (i = 0; i < j->nent; i++) {
		size[i] = j->ent[i].size;
		nf[i] = j->ent[i].nf;
	}
	r = sl_compact_pick(size, nf, j->nent, full, &j->e0);
	free(size);
	free(nf);
	return r;
nomem:
	free(size);
	free(nf);
	errno = ENOMEM;
	return -1;
}

/* The column specs of the new file: the schema's columns (as sl-map
 * names them), and the update mask when the rows carry it. */
static int col_specs(const sl_schema *sch, size_t ncols, sl_colspec *cols, char (*tb)[SL_TYPE_FMT_MAX])
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (i == sch->ncols) {
			cols[i].name = (sl_field){ SL_MODEL_MASK_COL, (uint32_t)strlen(SL_MODEL_MASK_COL) };
			cols[i].type = (sl_field){ "STRING", 6 };
			continue;
		}
		cols[i].name = (sl_field){ sch->cols[i].name, (uint32_t)strlen(sch->cols[i].name) };
		cols[i].type.n = (uint32_t)sl_type_format_upper(&sch->cols[i].type, tb[i], sizeof tb[i]);
		cols[i].type.p = tb[i];
	}
	return 1;
}

/* The run's txn ids: the range merged into the new file. */
static void run_range(const cjob *j, int64_t *lo, int64_t *hi)
{
	size_t i;

	*lo = INT64_MAX;
	*hi = 0;
	for (i = j->e0; i < j->nent; i++) {
		if (j->ent[i].id < *lo)
			*lo = j->ent[i].id;
		if (j->ent[i].id > *hi)
			*hi = j->ent[i].id;
	}
}

/* Step 3: the run's rows, as the model reads them (the delete-signed
 * rows and update masks kept unless the run starts at the oldest file:
 * older rows may still need them), into the new file <id>-0.rs, in place
 * when this returns 1; -1 errno (nothing left behind but garbage). */
static int write_run(cjob *j, sl_compact_res *res)
{
	size_t first = j->ent[j->e0].first, ncols, i;
	sl_colspec *cols = 0;
	char (*tb)[SL_TYPE_FMT_MAX] = 0;
	sl_rowset_writer *w = 0;
	sl_merge *mg;
	const char *p;
	size_t len;
	int64_t lo, hi;
	int r = -1;

	for (i = first; i < j->snap.n; i++)
		res->rows_in += j->snap.refs[i].rows;
	if (!(mg = sl_merge_open(&j->snap, &j->sch, first, j->snap.n - first, first ? SL_MERGE_KEEP : 0)))
		return -1;
	ncols = sl_merge_ncols(mg);
	if (!(cols = calloc(ncols, sizeof *cols)) || !(tb = calloc(ncols, sizeof *tb))) {
		errno = ENOMEM;
		goto out;
	}
	col_specs(&j->sch, ncols, cols, tb);
	run_range(j, &lo, &hi);
	if (!(w = sl_rowset_create_compact(j->st, j->db, j->table, j->id, j->tid, 0, 0, lo, hi,
					   j->sch.model == SL_MODEL_DUPLICATE ? 0 : (unsigned)j->sch.nkeys,
					   ncols, cols)))
		goto out;
	step(j, "writing");
	while ((r = sl_merge_next(mg, &p, &len)) == 1)
		if (sl_rowset_add(w, p, len) < 0) {
			r = -1;
			break;
		}
	if (r < 0 || sl_rowset_finish(w, &res->rows_out) < 0) {
		if (r < 0)
			sl_rowset_discard(w);
		w = 0;
		r = -1;
		goto out;
	}
	w = 0;
	step(j, "renamed");
	r = 1;
out:
	{
		int e = errno;
		if (w)
			sl_rowset_discard(w);
		sl_merge_close(mg);
		free(cols);
		free(tb);
		errno = e;
	}
	return r;
}

/* Is every entry of the run still there as it was picked (VISIBLE, of
 * the table, not replaced)? Its ids into ids. */
static int run_intact(cjob *j, logstate *ls, int64_t *ids)
{
	size_t i;

	if (sl_txnlog_table_id(j->tdir) != j->tid)
		return 0;
	for (i = j->e0; i < j->nent; i++) {
		txrec *t = sl_logrec_find(ls, j->ent[i].id);
		if (!t || t->state != SL_TXN_VISIBLE || t->repl || t->table_id != j->tid)
			return 0;
		ids[i - j->e0] = t->id;
	}
	return 1;
}

/* Unlink the new file (it will never be recorded). */
static void drop_new(cjob *j)
{
	char p[PATH_MAX];
	int e = errno;

	if (sl_fsutil_pathf(p, "%s/data/%lld-0.rs", j->tdir, (long long)j->id) > 0)
		unlink(p);
	errno = e;
}

/* Step 4, under the database lock: the K record, then the run's files
 * go. 1, -1 errno (the new file removed unless recorded). */
static int record(cjob *j, sl_compact_res *res)
{
	sl_buf rs = SL_BUF_ZERO;
	int64_t *ids;
	size_t i, n = j->nent - j->e0, recorded = 0;
	logw w;
	int r = -1;

	if (!(ids = malloc(n * sizeof *ids))) {
		errno = ENOMEM;
		drop_new(j);
		return -1;
	}
	if (sl_txnlog_open(j->st, j->db, &w, &sl_ckpt_key_all) < 0) {
		free(ids);
		drop_new(j);
		return -1;
	}
	if (!run_intact(j, &w.ls, ids)) {
		errno = ESTALE;
		goto out;
	}
	/* the file as a commit names it: checked, with its rows, size, sum */
	if (sl_rowset_probe(j->st, j->db, j->table, j->id, 1, &rs) < 0)
		goto out;
	if (sl_u32_unpack(rs.p) != 1) {
		errno = ESTALE;         /* gone (sl-fsck --repair moved it) */
		goto out;
	}
	if (sl_logrec_put_compact(&w.rec, j->id, sl_now_ms(), j->tid, j->table, ids, n, rs.p,
				  rs.len) < 0 || sl_txnlog_flush(&w) < 0)
		goto out;
	recorded = 1;
	step(j, "recorded");
	for (i = j->ent[j->e0].first; i < j->snap.n; i++) {
		unlink(j->snap.paths[i]);
		if (i == j->ent[j->e0].first)
			step(j, "unlinking");
	}
	res->id = j->id;
	res->nin = j->snap.n - j->ent[j->e0].first;
	r = 1;
out:
	if (!recorded)
		drop_new(j);
	sl_txnlog_close(&w);
	sl_buf_free(&rs);
	free(ids);
	return r;
}

int sl_compact_table(sl_store *st, const char *db, const char *table, int flags,
	sl_compact_step_fn stepfn, sl_compact_res *res)
{
	cjob j;
	int lk, r = -1;

	memset(res, 0, sizeof *res);
	memset(&j, 0, sizeof j);
	j.st = st;
	j.db = db;
	j.table = table;
	j.step = stepfn;
	sl_storeerr_clear();
	if (table_dir(st, db, table, j.tdir, &j.tid) < 0)
		return -1;
	if ((lk = compact_lock(j.tdir, 1)) < 0)
		return errno == EWOULDBLOCK ? SL_COMPACT_BUSY : -1;
	if (sl_schema_load(st, db, table, &j.sch) <= 0) {
		if (errno == ENOENT)
			errno = ESTALE;
		goto out;
	}
	/* the run first: an id is taken only for a compaction that runs */
	r = pick_run(&j, flags & SL_COMPACT_FULL, res);
	if (r < 0 || reserve(&j, r, res) < 0) {
		r = -1;
		goto out;
	}
	if (r == 0)
		goto out;
	r = -1;
	step(&j, "reserved");
	if (write_run(&j, res) < 0 || record(&j, res) < 0)
		goto out;
	r = 1;
out:
	{
		int e = errno;
		sl_snapshot_free(&j.snap);
		free(j.ent);
		sl_schema_free(&j.sch);
		close(lk);
		errno = e;
	}
	return r;
}

void sl_compact_auto(sl_store *st, const char *db, const char *table)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_compact_res res;
	int i, e = errno;

	if (st->compaction_segment_threshold <= 0)
		return;
	/* the recheck after each compaction, once its lock is released,
	 * sees a load that found the lock busy (it committed before) */
	for (i = 0; i < 64; i++) {
		size_t n;
		if (sl_snapshot_open(st, db, table, &snap) <= 0)
			break;
		n = snap.n;
		sl_snapshot_free(&snap);
		if (n <= (uint64_t)st->compaction_segment_threshold ||
		    sl_compact_table(st, db, table, 0, 0, &res) != 1)
			break;
	}
	errno = e;
}
