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
#include <strings.h>
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
	int inrun;              /* in the run */
} centry;

/* A compaction under way. */
typedef struct cjob {
	sl_store *st;
	const char *db, *table;
	char tdir[PATH_MAX];
	int64_t tid, id;
	sl_compact_step_fn step;
	sl_snapshot snap;       /* with the temporary partitions' files */
	centry *ent;
	size_t nent;
	int64_t *pid;           /* the partitions that have files, increasing */
	size_t npid;
	size_t *fpart;          /* per file of snap: its partition, index in pid */
	size_t nout;            /* files written: one per partition of the run */
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

/* Is file name of VISIBLE txn t in a partition of table tid that was
 * dropped (or truncated: a TRUNCATE drops the partition and adds a new
 * one)? Its partition is the one its commit record's entry names. */
static int in_dropped_part(logstate *ls, int64_t tid, const txrec *t, const char *name)
{
	sl_storeenc_cur c = { t->rs, t->rslen, 0 };
	size_t len = strlen(name);

	for (uint32_t i = 0; i < t->nrs && !c.bad; i++) {
		sl_field nm;
		uint64_t rows, size;
		uint32_t sum;
		int64_t part = 0;
		const partrec *p;
		sl_logrec_rs_next(&c, t->rsver, &nm, &rows, &size, &sum, &part);
		if (c.bad || nm.n != len || memcmp(nm.p, name, len))
			continue;
		p = sl_logrec_pt_find(ls, tid, part);
		return p && p->dropped;
	}
	return 0;
}

/* Does nothing need the file name of txn id (tmp: its temporary) in the
 * data directory of table tid, by the whole fold ls? A load's files are
 * its as long as it lives or is VISIBLE (the temporaries only while it
 * lives); a compaction's while it is VISIBLE; neither's once their
 * partition is dropped: a snapshot taken since does not list them, one
 * taken before finds them gone when it opens them and is taken again, as
 * for the files a compaction replaced. Every file has its txn in the log
 * (a BEGIN before a load's first file; a compaction's is garbage until
 * its K record), and the checkpoint keeps every txn whose files a live
 * table reads, and every partition, dropped ones too. */
static int is_garbage(logstate *ls, int64_t tid, int64_t id, int tmp, const char *name)
{
	txrec *t = sl_logrec_find(ls, id);

	if (!t)
		return 1;
	if (t->table_id != tid)
		return 0;       /* not this table's: never touched */
	if (t->state == SL_TXN_PREPARE || t->state == SL_TXN_PRECOMMITTED)
		return 0;
	if (t->state == SL_TXN_ABORTED || t->repl || tmp)
		return 1;
	return in_dropped_part(ls, tid, t, name);
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
		if (!is_garbage(ls, tid, id, tmp, names[i]))
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

/* ---------------------------------------------------------------- the run */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sort v[0..n) and keep each value once; the new count. */
static size_t uniq_i64(int64_t *v, size_t n)
{
	size_t i, k = 0;

	if (n > 1)      /* v may be NULL when n is 0 */
		qsort(v, n, sizeof *v, cmp_i64);
	for (i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* The snapshot's entries (its files grouped by txn, commit order) and
 * the partitions that have files. 1, -1 errno. */
static int list_entries(cjob *j)
{
	size_t i;

	if (j->snap.n && (!(j->ent = calloc(j->snap.n, sizeof *j->ent)) ||
			  !(j->pid = malloc(j->snap.n * sizeof *j->pid)) ||
			  !(j->fpart = malloc(j->snap.n * sizeof *j->fpart)))) {
		errno = ENOMEM;
		return -1;
	}
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
		j->pid[i] = rf->part;
	}
	j->npid = uniq_i64(j->pid, j->snap.n);
	for (i = 0; i < j->snap.n; i++) {
		const int64_t *at = bsearch(&j->snap.refs[i].part, j->pid, j->npid, sizeof *j->pid, cmp_i64);
		j->fpart[i] = (size_t)(at - j->pid);
	}
	return 1;
}

/* Entry e's files in partition q (an index in pid): their number, and
 * their bytes into *size. */
static size_t ent_files(const cjob *j, size_t e, size_t q, uint64_t *size)
{
	const centry *en = &j->ent[e];
	size_t i, n = 0;

	*size = 0;
	for (i = en->first; i < en->first + en->nf; i++)
		if (j->fpart[i] == q) {
			n++;
			*size += j->snap.refs[i].size ? j->snap.refs[i].size : j->snap.refs[i].rows;
		}
	return n;
}

/* Scratch of the choice: per entry (in a partition's list) its bytes and
 * files there and its index in ent. */
typedef struct cpick {
	uint64_t *size;
	size_t *nf, *map;
	unsigned char *touch;   /* per partition: the run has files there */
} cpick;

/* The policy over the table: the partition with the most files; the
 * newest of its entries as sl_compact_pick takes them (by their files in
 * it). 1 marked, 0 no partition has two files. */
static int pick_policy(cjob *j, cpick *c)
{
	size_t q, best = 0, bestn = 0, n = 0, first, i;

	memset(c->nf, 0, (j->npid + 1) * sizeof *c->nf);
	for (i = 0; i < j->snap.n; i++)
		c->nf[j->fpart[i]]++;
	for (q = 0; q < j->npid; q++)
		if (c->nf[q] > bestn) {
			bestn = c->nf[q];
			best = q;
		}
	if (bestn < 2)
		return 0;
	for (i = 0; i < j->nent; i++)
		if ((c->nf[n] = ent_files(j, i, best, &c->size[n])))
			c->map[n++] = i;
	if (!sl_compact_pick(c->size, c->nf, n, 0, &first))
		return 0;
	for (; first < n; first++)
		j->ent[c->map[first]].inrun = 1;
	return 1;
}

/* --partition: the entries whose files are all in partition q, in
 * segments split by the entries with files in q and elsewhere (they
 * cannot join: their other files would be rewritten too); the newest
 * segment's run by the policy, or (full) the segment with the most files,
 * whole. 1 marked, 0 none holds two files. */
static int pick_only_part(cjob *j, size_t q, int full, cpick *c)
{
	size_t e, n = 0, s0 = 0, b0 = 0, bn = 0, bfiles = 0;

	for (e = 0; e <= j->nent; e++) {
		size_t k = e < j->nent ? ent_files(j, e, q, &c->size[n]) : 0, first, files = 0, i;
		if (e < j->nent && !k)
			continue;
		if (e < j->nent && k == j->ent[e].nf) {
			c->nf[n] = k;
			c->map[n++] = e;
			continue;
		}
		/* a barrier or the end: the segment [s0, n) is complete */
		if (n > s0 && sl_compact_pick(c->size + s0, c->nf + s0, n - s0, full, &first)) {
			for (i = s0 + first; i < n; i++)
				files += c->nf[i];
			if (!full || files >= bfiles) {
				b0 = s0 + first;
				bn = n;
				bfiles = files;
			}
		}
		s0 = n;
	}
	for (e = b0; e < bn; e++)
		j->ent[c->map[e]].inrun = 1;
	return bn > b0;
}

/* Does entry e have a file in a partition marked in touch? */
static int ent_touches(const cjob *j, size_t e, const unsigned char *touch)
{
	for (size_t i = j->ent[e].first; i < j->ent[e].first + j->ent[e].nf; i++)
		if (touch[j->fpart[i]])
			return 1;
	return 0;
}

/* Grow the run until it is contiguous in commit order among the entries
 * that have files in the partitions it touches: an entry between two of
 * the run's with a key in one of them would otherwise see its rows folded
 * in the wrong order. */
static void close_run(cjob *j, cpick *c)
{
	int grew;

	do {
		size_t lo = SIZE_MAX, hi = 0, e, i;
		grew = 0;
		memset(c->touch, 0, j->npid + 1);
		for (e = 0; e < j->nent; e++) {
			if (!j->ent[e].inrun)
				continue;
			for (i = j->ent[e].first; i < j->ent[e].first + j->ent[e].nf; i++)
				c->touch[j->fpart[i]] = 1;
			if (lo == SIZE_MAX)
				lo = e;
			hi = e;
		}
		for (e = lo; lo != SIZE_MAX && e <= hi; e++)
			if (!j->ent[e].inrun && ent_touches(j, e, c->touch))
				j->ent[e].inrun = grew = 1;
	} while (grew);
}

/* The id of partition name of the snapshot (case-insensitive, formal or
 * temporary). 1, 0 none. */
static int part_by_name(const sl_snapshot *snap, const char *name, int64_t *id)
{
	for (size_t i = 0; i < snap->nparts; i++)
		if (!strcasecmp(snap->parts[i].name, name)) {
			*id = snap->parts[i].id;
			return 1;
		}
	return 0;
}

/* Mark the run: the policy's over the table, or over partition part
 * (name), or all (full). 1, 0 nothing to do, -1 errno. */
static int mark_run(cjob *j, const char *part, int full, sl_compact_res *res)
{
	cpick c = { 0, 0, 0, 0 };
	int64_t id;
	size_t q = 0, e, nmax = 0;
	int r = -1;

	if (part) {
		const int64_t *at;
		if (!part_by_name(&j->snap, part, &id)) {
			res->nopart = 1;
			errno = ENOENT;
			return -1;
		}
		if (!j->npid || !(at = bsearch(&id, j->pid, j->npid, sizeof *j->pid, cmp_i64)))
			return 0;       /* no file there */
		q = (size_t)(at - j->pid);
	}
	c.size = malloc((j->nent + 1) * sizeof *c.size);
	c.nf = malloc((j->nent + j->npid + 1) * sizeof *c.nf);
	c.map = malloc((j->nent + 1) * sizeof *c.map);
	c.touch = malloc(j->npid + 1);
	if (!c.size || !c.nf || !c.map || !c.touch) {
		errno = ENOMEM;
		goto out;
	}
	if (part)
		r = pick_only_part(j, q, full, &c);
	else if (full)
		for (e = 0, r = 1; e < j->nent; e++)
			j->ent[e].inrun = 1;
	else
		r = pick_policy(j, &c);
	if (r == 1)
		close_run(j, &c);
	/* a run that leaves every partition with as many files is no work */
	memset(c.nf, 0, (j->npid + 1) * sizeof *c.nf);
	for (e = 0; e < j->nent; e++)
		for (q = j->ent[e].first; j->ent[e].inrun && q < j->ent[e].first + j->ent[e].nf; q++)
			if (++c.nf[j->fpart[q]] > nmax)
				nmax = c.nf[j->fpart[q]];
	if (r == 1 && nmax < 2)
		r = 0;
out:
	free(c.size);
	free(c.nf);
	free(c.map);
	free(c.touch);
	return r;
}

/* Step 1: the snapshot (the temporary partitions' files too: a run's
 * entries are replaced whole), its entries, the run. 1, 0 nothing to
 * do, -1 errno. */
static int pick_run(cjob *j, const char *part, int full, sl_compact_res *res)
{
	int r = sl_snapshot_open_flags(j->st, j->db, j->table, SL_SNAP_TEMP, &j->snap);

	if (r <= 0)
		return r < 0 ? -1 : (errno = ESTALE, -1);
	res->nfiles = j->snap.n;
	if (list_entries(j) < 0)
		return -1;
	return mark_run(j, part, full, res);
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

/* The run's files in partition q into idx (ascending), their number;
 * *lo, *hi the range of the entries they come from; *keep when the run
 * does not start at the partition's oldest file (older rows may still
 * need its delete-signed rows and masks). */
static size_t part_files(const cjob *j, size_t q, size_t *idx, int64_t *lo, int64_t *hi, int *keep)
{
	size_t e, i, n = 0;
	int seen = 0;

	*lo = INT64_MAX;
	*hi = 0;
	*keep = 0;
	for (e = 0; e < j->nent; e++) {
		const centry *en = &j->ent[e];
		size_t k = 0;
		for (i = en->first; i < en->first + en->nf; i++)
			if (j->fpart[i] == q) {
				k++;
				if (en->inrun)
					idx[n++] = i;
			}
		if (!k)
			continue;
		if (!seen++ && !en->inrun)
			*keep = 1;
		if (en->inrun && en->id < *lo)
			*lo = en->id;
		if (en->inrun && en->id > *hi)
			*hi = en->id;
	}
	return n;
}

/* The run's rows of partition q, as the model reads them, into the new
 * file <id>-<nout>.rs, in place when this returns 1; 0 the run has no
 * file there; -1 errno (its temporary removed). */
static int write_part(cjob *j, size_t q, size_t *idx, sl_compact_res *res)
{
	size_t n, ncols, i;
	sl_colspec *cols = 0;
	char (*tb)[SL_TYPE_FMT_MAX] = 0;
	sl_rowset_writer *w = 0;
	sl_merge *mg;
	const char *p;
	size_t len;
	uint64_t rows = 0;
	int64_t lo, hi;
	int keep, r = -1;

	if (!(n = part_files(j, q, idx, &lo, &hi, &keep)))
		return 0;
	for (i = 0; i < n; i++)
		res->rows_in += j->snap.refs[idx[i]].rows;
	if (!(mg = sl_merge_open_set(&j->snap, &j->sch, idx, n, keep ? SL_MERGE_KEEP : 0)))
		return -1;
	ncols = sl_merge_ncols(mg);
	if (!(cols = calloc(ncols, sizeof *cols)) || !(tb = calloc(ncols, sizeof *tb))) {
		errno = ENOMEM;
		goto out;
	}
	col_specs(&j->sch, ncols, cols, tb);
	if (!(w = sl_rowset_create_compact(j->st, j->db, j->table, j->id, j->tid, j->pid[q],
					   (unsigned)j->nout, lo, hi,
					   j->sch.model == SL_MODEL_DUPLICATE ? 0 : (unsigned)j->sch.nkeys,
					   ncols, cols)))
		goto out;
	if (!j->nout)
		step(j, "writing");
	while ((r = sl_merge_next(mg, &p, &len)) == 1)
		if (sl_rowset_add(w, p, len) < 0) {
			r = -1;
			break;
		}
	if (r < 0 || sl_rowset_finish(w, &rows) < 0) {
		if (r < 0)
			sl_rowset_discard(w);
		w = 0;
		r = -1;
		goto out;
	}
	w = 0;
	j->nout++;
	res->rows_out += rows;
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

/* Unlink the new files (they will never be recorded). */
static void drop_new(cjob *j)
{
	char p[PATH_MAX];
	int e = errno;

	for (size_t k = 0; k < j->nout; k++)
		if (sl_fsutil_pathf(p, "%s/data/%lld-%zu.rs", j->tdir, (long long)j->id, k) > 0)
			unlink(p);
	errno = e;
}

/* Step 3: one new file per partition of the run, <id>-0.rs, <id>-1.rs,
 * ... in increasing partition id, each written through that partition's
 * files only; all in place when this returns 1; -1 errno (none left). */
static int write_run(cjob *j, sl_compact_res *res)
{
	size_t *idx, q;
	int r = 1;

	if (!(idx = malloc((j->snap.n + 1) * sizeof *idx))) {
		errno = ENOMEM;
		return -1;
	}
	for (q = 0; q < j->npid && r >= 0; q++)
		r = write_part(j, q, idx, res);
	free(idx);
	if (r < 0) {
		drop_new(j);
		return -1;
	}
	step(j, "renamed");
	return 1;
}

/* Is every entry of the run still there as it was picked (VISIBLE, of
 * the table, not replaced)? Its ids into ids. */
static int run_intact(cjob *j, logstate *ls, int64_t *ids)
{
	size_t e, n = 0;

	if (sl_txnlog_table_id(j->tdir) != j->tid)
		return 0;
	for (e = 0; e < j->nent; e++) {
		txrec *t;
		if (!j->ent[e].inrun)
			continue;
		t = sl_logrec_find(ls, j->ent[e].id);
		if (!t || t->state != SL_TXN_VISIBLE || t->repl || t->table_id != j->tid)
			return 0;
		ids[n++] = t->id;
	}
	return 1;
}

/* Step 4, under the database lock: the K record, then the run's files
 * go. 1, -1 errno (the new files removed unless recorded). */
static int record(cjob *j, sl_compact_res *res)
{
	sl_buf rs = SL_BUF_ZERO;
	int64_t *ids;
	size_t e, i, n = 0, recorded = 0;
	logw w;
	int r = -1;

	for (e = 0; e < j->nent; e++)
		n += j->ent[e].inrun != 0;
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
	/* the files as a commit names them: checked, with their rows, size,
	 * sum and partition */
	if (sl_rowset_probe(j->st, j->db, j->table, j->id, (unsigned)j->nout, &rs) < 0)
		goto out;
	if (sl_u32_unpack(rs.p) != j->nout) {
		errno = ESTALE;         /* gone (sl-fsck --repair moved it) */
		goto out;
	}
	if (sl_logrec_put_compact(&w.rec, j->id, sl_now_ms(), j->tid, j->table, ids, n, rs.p,
				  rs.len) < 0 || sl_txnlog_flush(&w) < 0)
		goto out;
	recorded = 1;
	step(j, "recorded");
	for (e = 0; e < j->nent; e++)
		for (i = j->ent[e].first; j->ent[e].inrun && i < j->ent[e].first + j->ent[e].nf; i++) {
			unlink(j->snap.paths[i]);
			if (!res->nin++)
				step(j, "unlinking");
		}
	res->id = j->id;
	res->nout = j->nout;
	r = 1;
out:
	if (!recorded)
		drop_new(j);
	sl_txnlog_close(&w);
	sl_buf_free(&rs);
	free(ids);
	return r;
}

int sl_compact_table(sl_store *st, const char *db, const char *table, const char *part, int flags,
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
	r = pick_run(&j, part, flags & SL_COMPACT_FULL, res);
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
		free(j.pid);
		free(j.fpart);
		sl_schema_free(&j.sch);
		close(lk);
		errno = e;
	}
	return r;
}

/* The most files one partition of db.table has (temporary ones too). 1,
 * 0 no table, -1 errno. */
static int max_part_files(sl_store *st, const char *db, const char *table, size_t *max)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	int64_t *v = 0;
	size_t i, run = 0;
	int r = sl_snapshot_open_flags(st, db, table, SL_SNAP_TEMP, &snap);

	*max = 0;
	if (r <= 0)
		return r;
	if (snap.n && !(v = malloc(snap.n * sizeof *v))) {
		sl_snapshot_free(&snap);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < snap.n; i++)
		v[i] = snap.refs[i].part;
	if (snap.n > 1)
		qsort(v, snap.n, sizeof *v, cmp_i64);
	for (i = 0; i < snap.n; i++) {
		run = i && v[i] == v[i - 1] ? run + 1 : 1;
		if (run > *max)
			*max = run;
	}
	free(v);
	sl_snapshot_free(&snap);
	return 1;
}

int sl_compact_due(sl_store *st, const char *db, const char *table)
{
	size_t n;
	int e = errno, r;

	if (st->compaction_segment_threshold <= 0)
		return 0;
	r = max_part_files(st, db, table, &n) > 0 && n > (uint64_t)st->compaction_segment_threshold;
	errno = e;
	return r;
}

void sl_compact_auto(sl_store *st, const char *db, const char *table)
{
	sl_compact_res res;
	int i, e = errno;

	if (st->compaction_segment_threshold <= 0)
		return;
	/* the recheck after each compaction, once its lock is released,
	 * sees a load that found the lock busy (it committed before); the
	 * policy compacts the partition with the most files first */
	for (i = 0; i < 64; i++) {
		size_t n;
		if (max_part_files(st, db, table, &n) <= 0 ||
		    n <= (uint64_t)st->compaction_segment_threshold ||
		    sl_compact_table(st, db, table, 0, 0, 0, &res) != 1)
			break;
	}
	errno = e;
}
