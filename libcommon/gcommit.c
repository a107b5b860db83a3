/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gcommit.c -- group commit of a table (gcommit.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sl.h"
#include "gcommit.h"
#include "txnlog.h"
#include "fsutil.h"
#include "schema.h"
#include "compact.h"

#define ROWSET_ROLL (256u << 20)
#define COMMIT_TIMEOUT_S 3600
#define DAEMON_POLL_MS 20
#define DAEMON_LINGER_MS 1000  /* a committer with nothing pending stays this long */

/* ---- limits ---- */

static int64_t positive(const char *v)
{
	char *end;
	long long n;

	if (!v || !*v)
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno || *end || n <= 0 ? -1 : n;
}

static int64_t limit(sl_store *st, const sl_schema *s, const char *key, int64_t dflt)
{
	int64_t v = -1;

	for (size_t i = 0; s && i < s->nprops && v < 0; i++)
		if (!strcmp(s->prop_k[i], key))
			v = positive(s->prop_v[i]);
	if (v < 0)
		v = positive(sl_store_conf(st, key));
	return v < 0 ? dflt : v;
}

void sl_gcommit_limits(sl_store *st, const char *db, const char *table, int64_t *interval_ms,
	int64_t *data_bytes)
{
	sl_schema s;
	int have = sl_schema_load(st, db, table, &s) > 0;

	*interval_ms = limit(st, have ? &s : NULL, "group_commit_interval_ms", SL_GCOMMIT_INTERVAL_MS_DEFAULT);
	*data_bytes = limit(st, have ? &s : NULL, "group_commit_data_bytes", SL_GCOMMIT_DATA_BYTES_DEFAULT);
	if (have)
		sl_schema_free(&s);
}

/* ---- the committer ---- */

typedef struct gc_ctx {
	sl_store *st;
	const char *db, *table;
	char dir[PATH_MAX];             /* DB/TABLE/gc */
	int64_t table_id;
	sl_txn txn;
	sl_rowset_writer *rw;
	sl_buf hdr;                     /* the header the open rowset follows */
	sl_colspec *cols;
	uint64_t rsbytes;
} gc_ctx;

static int ctx_init(gc_ctx *c, sl_store *st, const char *db, const char *table)
{
	char tdir[PATH_MAX];

	memset(c, 0, sizeof *c);
	c->st = st;
	c->db = db;
	c->table = table;
	if (sl_gcwal_dir(st, db, table, 0, c->dir) < 0 ||
	    sl_fsutil_pathf(tdir, "%s/%s/%s", st->dir, db, table) < 0)
		return -1;
	c->table_id = sl_txnlog_table_id(tdir);
	return c->table_id < 0 ? -1 : 1;
}

static void ctx_free(gc_ctx *c)
{
	if (c->rw)
		sl_rowset_discard(c->rw);
	c->rw = NULL;
	sl_buf_free(&c->hdr);
	free(c->cols);
	c->cols = NULL;
}

static void gen_label(const gc_ctx *c, uint64_t gen, char *out, size_t cap)
{
	snprintf(out, cap, "gc_%" PRId64 "_%" PRIu64, c->table_id, gen);
}

/* The commit of generation gen: 1 VISIBLE (*end, *txn_id, *ms), 0 none. */
static int gen_committed(gc_ctx *c, uint64_t gen, uint64_t *end, int64_t *txn_id, int64_t *ms)
{
	sl_txninfo ti = SL_TXNINFO_ZERO;
	char label[96];
	int r;

	gen_label(c, gen, label, sizeof label);
	r = sl_txn_lookup_label(c->st, c->db, label, &ti);
	if (r > 0 && ti.state == SL_TXN_VISIBLE) {
		unsigned long long e = 0;
		if (sl_buf_cstr(&ti.attach) < 0) {
			sl_txninfo_free(&ti);
			return -1;
		}
		if (!ti.attach.p || sscanf(ti.attach.p, "gcwal gen=%*u end=%llu", &e) != 1) {
			sl_txninfo_free(&ti);
			errno = EPROTO;
			return -1;
		}
		*end = e;
		*txn_id = ti.id;
		if (ms)
			*ms = ti.finish_ms;
	} else if (r >= 0) {
		r = 0;
	}
	sl_txninfo_free(&ti);
	return r;
}

static int finish_rw(gc_ctx *c)
{
	sl_rowset_writer *w = c->rw;

	c->rw = NULL;
	c->rsbytes = 0;
	return w ? sl_rowset_finish(w, NULL) : 1;
}

/* One entry of a record: a header starts a new rowset when it differs
 * from the open one's; rows go to the open rowset. */
static int take_entry(void *arg, char type, const char *p, size_t n)
{
	gc_ctx *c = arg;

	if (type == 'H') {
		sl_frame f = { 0 };
		long nc;
		if (c->hdr.len == n && !memcmp(c->hdr.p, p, n))
			return 1;
		if (finish_rw(c) < 0)
			return -1;
		c->hdr.len = 0;
		if (sl_buf_put(&c->hdr, p, n) < 0)
			return -1;
		f.type = 'H';
		f.p = c->hdr.p;
		f.len = n;
		free(c->cols);
		if ((nc = sl_header_parse(&f, NULL, 0)) < 0 || !(c->cols = calloc((size_t)nc + 1, sizeof *c->cols)) ||
		    sl_header_parse(&f, c->cols, (size_t)nc) != nc) {
			errno = errno == ENOMEM ? ENOMEM : EPROTO;
			return -1;
		}
		c->rw = sl_rowset_create(&c->txn, (size_t)nc, c->cols);
		return c->rw ? 1 : -1;
	}
	if (type != 'R' || !c->rw) {
		errno = EPROTO;
		return -1;
	}
	if (sl_rowset_add(c->rw, p, n) < 0)
		return -1;
	if ((c->rsbytes += n) >= ROWSET_ROLL) {
		/* the next row starts a new file with the same header */
		if (finish_rw(c) < 0)
			return -1;
		c->hdr.len = 0;
	}
	return 1;
}

/* Rotate the log past the committed end of generation w->gen, under
 * gc/append.lock (records appended meanwhile move to the next one). */
static int rotate(gc_ctx *c, uint64_t gen, uint64_t end)
{
	int lk = sl_gcwal_lock(c->dir, "append.lock", LOCK_EX), r;
	sl_gcwal w;

	if (lk < 0)
		return -1;
	r = sl_gcwal_open(c->dir, 1, &w);
	if (r > 0 && w.gen == gen)
		r = sl_gcwal_rotate(c->dir, &w, end);
	if (r > 0)
		sl_gcwal_close(&w);
	sl_fsutil_close_keep_errno(lk);
	return r < 0 ? -1 : 1;
}

/* Remove the spools of loads whose process is gone (never in the log). */
static void sweep_spools(const gc_ctx *c)
{
	DIR *d = opendir(c->dir);
	struct dirent *e;
	char p[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		long pid;
		if (sscanf(e->d_name, "spool-%ld-", &pid) == 1 && pid > 0 && kill((pid_t)pid, 0) < 0 &&
		    errno == ESRCH && sl_fsutil_pathf(p, "%s/%s", c->dir, e->d_name) > 0)
			unlink(p);
	}
	closedir(d);
}

/* Begin, write the records [HDR, w->end) and commit. 1 (*txn_id), -1. */
static int commit_gen(gc_ctx *c, sl_gcwal *w, int64_t *txn_id)
{
	sl_txninfo cur = SL_TXNINFO_ZERO;
	char label[96], att[160];
	int r;

	gen_label(c, w->gen, label, sizeof label);
	r = sl_txn_begin(c->st, c->db, c->table, label, COMMIT_TIMEOUT_S, &c->txn, &cur);
	sl_txninfo_free(&cur);
	if (r <= 0) {
		if (r == 0)
			errno = EBUSY;  /* a live committer of another process */
		return -1;
	}
	r = sl_gcwal_read(w, SL_GCWAL_HDR, w->end, take_entry, c);
	if (r > 0)
		r = finish_rw(c);
	if (r > 0) {
		snprintf(att, sizeof att, "gcwal gen=%" PRIu64 " end=%" PRIu64 " rows=%" PRIu64 " loads=%" PRIu64,
			w->gen, w->end, w->rows, w->nrec);
		r = sl_txn_commit(c->st, c->db, c->txn.id, 0, att, strlen(att), &cur);
		if (r == 0)
			errno = EBUSY;
	}
	if (r <= 0) {
		int e = errno;
		if (c->rw)
			sl_rowset_discard(c->rw);
		c->rw = NULL;
		sl_txn_abort(c->st, c->db, c->txn.id, "group commit failed", NULL);
		errno = e;
	}
	*txn_id = c->txn.id;
	sl_txninfo_free(&cur);
	sl_txn_release(&c->txn);
	return r > 0 ? 1 : -1;
}

/* Holding gc/commit.lock: settle a generation committed but not
 * rotated (a crash in between), then commit what is pending.
 * 1 committed, 0 nothing pending, -1. */
static int commit_locked(gc_ctx *c, int64_t *txn_id)
{
	for (;;) {
		sl_gcwal w;
		uint64_t end = 0;
		int64_t id = 0;
		int r = sl_gcwal_open(c->dir, 0, &w), left;

		if (r <= 0)
			return r;
		if ((left = gen_committed(c, w.gen, &end, &id, NULL)) == 0) {
			if (w.end == SL_GCWAL_HDR) {
				sl_gcwal_close(&w);
				return 0;
			}
			r = commit_gen(c, &w, &id);
			end = w.end;
		}
		sl_gcwal_close(&w);
		if (left < 0 || r < 0 || rotate(c, w.gen, end) < 0)
			return -1;
		*txn_id = id;
		if (!left) {
			sweep_spools(c);
			return 1;
		}
		/* a crash's leftover settled: now the rest */
	}
}

int sl_gcommit_run(sl_store *st, const char *db, const char *table, int64_t *txn_id)
{
	gc_ctx c;
	int lk, r;

	if (ctx_init(&c, st, db, table) < 0)
		return -1;
	if ((lk = sl_gcwal_lock(c.dir, "commit.lock", LOCK_EX)) < 0)
		return errno == ENOENT ? 0 : -1;
	r = commit_locked(&c, txn_id);
	ctx_free(&c);
	sl_fsutil_close_keep_errno(lk);
	return r;
}

/* Where the record at *pos is now: committed (1, *txn_id) or pending in
 * the current generation (0, *pos moved along rotations). -1. */
static int locate(gc_ctx *c, sl_gcwal_pos *pos, int64_t *txn_id)
{
	sl_gcwal w;
	int r = sl_gcwal_open(c->dir, 0, &w);

	if (r <= 0)
		return r < 0 ? -1 : (errno = ENOENT, -1);
	sl_gcwal_close(&w);
	while (pos->gen < w.gen) {
		uint64_t end;
		if ((r = gen_committed(c, pos->gen, &end, txn_id, NULL)) <= 0) {
			if (r == 0)
				errno = ESTALE;         /* a rotation without its commit */
			return -1;
		}
		if (pos->end <= end)
			return 1;
		pos->off = pos->off - end + SL_GCWAL_HDR;
		pos->end = pos->end - end + SL_GCWAL_HDR;
		pos->gen++;
	}
	return 0;
}

int sl_gcommit_sync(sl_store *st, const char *db, const char *table, const sl_gcwal_pos *at,
	int64_t *txn_id)
{
	sl_gcwal_pos pos = *at;
	gc_ctx c;
	int lk, r, mine = 0;

	/* shared first: the loads a commit took, waiting for it to end, all
	 * learn so at once rather than one by one */
	if (ctx_init(&c, st, db, table) < 0 || (lk = sl_gcwal_lock(c.dir, "commit.lock", LOCK_SH)) < 0)
		return -1;
	r = locate(&c, &pos, txn_id);
	if (r == 0) {
		/* pending: alone (the change is not atomic: a commit may come
		 * in between), then commit it with everything else pending */
		if ((lk = sl_fsutil_flock(lk, LOCK_EX)) < 0)
			r = -1;
		else
			r = locate(&c, &pos, txn_id);
		if (r == 0 && (r = commit_locked(&c, txn_id)) >= 0) {
			mine = r > 0;
			r = locate(&c, &pos, txn_id);
		}
		if (r == 0) {
			errno = ESTALE;
			r = -1;
		}
	}
	ctx_free(&c);
	sl_fsutil_close_keep_errno(lk);
	return r < 0 ? -1 : mine ? 2 : 1;
}

/* ---- the detached committer ---- */

/* Holding gc/daemon.lock (fd): commit until, under gc/append.lock, the
 * log holds nothing, then release fd while still holding append.lock,
 * so that an appender that found the daemon lock taken has its record
 * seen. 1, -1. */
static int drain_release(sl_store *st, const char *db, const char *table, const char *dir, int fd)
{
	for (;;) {
		int64_t id;
		sl_gcwal w;
		int lk = sl_gcwal_lock(dir, "append.lock", LOCK_EX), r;

		if (lk < 0)
			return -1;
		r = sl_gcwal_open(dir, 1, &w);
		if (r > 0 && w.end == SL_GCWAL_HDR)
			r = 0;
		if (r > 0)
			sl_gcwal_close(&w);
		else if (r == 0)
			close(fd);
		close(lk);
		if (r <= 0)
			return r < 0 ? -1 : 1;
		if (sl_gcommit_run(st, db, table, &id) < 0)
			return -1;
	}
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The daemon's loop: a commit when the interval passed since the first
 * pending record was seen, or the log holds data_bytes; the end once
 * nothing was pending for DAEMON_LINGER_MS (or the interval, if shorter).
 * It does not end the moment its commit empties the log: under steady
 * loads the next record comes at once, and with no committer holding the
 * lock, the next load to open the table (sl-txn, its crash recovery)
 * would commit it itself, a rowset for a load or two. */
static void daemon_loop(sl_store *st, const char *db, const char *table, const char *dir, int fd)
{
	int64_t interval, bytes, linger, since = sl_mono_ms(), idle = -1;
	char wal[PATH_MAX];

	sl_gcommit_limits(st, db, table, &interval, &bytes);
	linger = interval < DAEMON_LINGER_MS ? interval : DAEMON_LINGER_MS;
	if (sl_fsutil_pathf(wal, "%s/wal", dir) < 0)
		return;
	for (;;) {
		struct stat sb;
		int64_t now = sl_mono_ms(), id;
		uint64_t size = stat(wal, &sb) == 0 ? (uint64_t)sb.st_size : 0;

		if (size <= SL_GCWAL_HDR) {
			if (idle < 0)
				idle = now;
			if (now - idle >= linger) {
				drain_release(st, db, table, dir, fd);
				return;
			}
			sleep_ms(DAEMON_POLL_MS);
			continue;
		}
		if (idle >= 0) {
			idle = -1;
			since = now;    /* the first pending record since the log emptied */
		}
		if (now - since >= interval || (int64_t)(size - SL_GCWAL_HDR) >= bytes) {
			if (sl_gcommit_run(st, db, table, &id) < 0)
				return;
			sl_compact_auto(st, db, table);
			since = sl_mono_ms();
			continue;
		}
		sleep_ms(interval - (now - since) < DAEMON_POLL_MS ? interval - (now - since) : DAEMON_POLL_MS);
	}
}

/* The soft limit of res up to its hard one. */
static void unlimit(int res)
{
	struct rlimit r;

	if (getrlimit(res, &r) == 0 && r.rlim_cur != r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(res, &r);
	}
}

/* The detached committer, holding the daemon lock fd (this process's
 * copy is closed). 1; -1 errno (fd closed too). */
static int spawn_daemon(sl_store *st, const char *db, const char *table, const char *dir, int fd)
{
	pid_t pid;

	if ((pid = fork()) < 0) {
		sl_fsutil_close_keep_errno(fd);
		return -1;
	}
	if (pid == 0) {
		/* detached: its own session, a grandchild nobody waits for */
		int nul;
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		/* the lock to fd 3 first: it may be one of 0-2 (a closed stdin) */
		if (fd != 3 && dup2(fd, 3) < 0)
			_exit(1);
		nul = open("/dev/null", O_RDWR);
		for (int k = 0; nul >= 0 && k < 3; k++)
			dup2(nul, k);
		close_range(4, ~0u, 0);
		signal(SIGPIPE, SIG_IGN);
		/* the limits and alarms of the load it was forked from (its
		 * sl-commit, maybe in a connection's process) are that load's:
		 * the committer outlives it */
		signal(SIGALRM, SIG_DFL);
		signal(SIGXCPU, SIG_DFL);
		alarm(0);
		unlimit(RLIMIT_CPU);
		unlimit(RLIMIT_DATA);
		/* who commits: the lock file names the committer's pid */
		if (ftruncate(3, 0) == 0)
			dprintf(3, "%ld\n", (long)getpid());
		daemon_loop(st, db, table, dir, 3);
		_exit(0);
	}
	while (waitpid(pid, 0, 0) < 0 && errno == EINTR)
		;
	close(fd);
	return 1;
}

int sl_gcommit_schedule(sl_store *st, const char *db, const char *table)
{
	char dir[PATH_MAX];
	int fd;

	if (sl_gcwal_dir(st, db, table, 0, dir) < 0)
		return -1;
	if ((fd = sl_gcwal_lock(dir, "daemon.lock", LOCK_EX | LOCK_NB)) < 0)
		return errno == EWOULDBLOCK ? 1 : -1;
	return spawn_daemon(st, db, table, dir, fd);
}

int sl_gcommit_recover(sl_store *st, const char *db, const char *table)
{
	char dir[PATH_MAX], wal[PATH_MAX];
	struct stat sb;
	int64_t id;
	int fd;

	if (sl_gcwal_dir(st, db, table, 0, dir) < 0 || sl_fsutil_pathf(wal, "%s/wal", dir) < 0)
		return -1;
	if (stat(wal, &sb) < 0 || (uint64_t)sb.st_size <= SL_GCWAL_HDR)
		return 0;
	if ((fd = sl_gcwal_lock(dir, "daemon.lock", LOCK_EX | LOCK_NB)) < 0)
		return errno == EWOULDBLOCK ? 0 : -1;
	/* what the log holds now, committed here (a reader then sees it);
	 * then a committer of its own takes the lock over for whatever
	 * comes next. Draining here until the log stays empty would never
	 * end under steady loads, a commit (and a rowset) for every few
	 * loads, by the load or reader that happened to find no committer. */
	if (sl_gcommit_run(st, db, table, &id) < 0) {
		sl_fsutil_close_keep_errno(fd);
		return -1;
	}
	return spawn_daemon(st, db, table, dir, fd);
}

/* ---- state ---- */

int sl_gcommit_state_of(sl_store *st, const char *db, const char *table, sl_gcommit_state *out)
{
	gc_ctx c;
	sl_gcwal w;
	uint64_t end;
	int r;

	memset(out, 0, sizeof *out);
	if (ctx_init(&c, st, db, table) < 0 || (r = sl_gcwal_open(c.dir, 0, &w)) < 0)
		return -1;
	if (r == 0)
		return 0;
	out->bytes = w.end - SL_GCWAL_HDR;
	out->rows = w.rows;
	out->loads = w.nrec;
	sl_gcwal_close(&w);
	if (w.gen > 1 && gen_committed(&c, w.gen - 1, &end, &out->last_txn, &out->last_ms) < 0)
		return -1;
	sl_gcommit_limits(st, db, table, &out->interval_ms, &out->data_bytes);
	return 1;
}
