/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c -- the crash-safe local table store (man/sl-store.5).
 *
 * Three kinds of state, each made durable before anything points at it:
 *
 *  - directories: a database or table is built under a temporary name
 *    (.tmp.*), fsync'd, then renamed into place and its parent fsync'd, so
 *    it appears whole or not at all. DROP renames it to .trash.* and then
 *    removes it; leftovers are swept later.
 *  - the per-database transaction log <db>/txnlog: records framed as
 *    len:u32 BE, crc32:u32 BE (zlib, over the payload), payload. Writers
 *    hold flock(<db>/lock), read the whole log, cut a torn tail, append all
 *    their records with ONE write and fdatasync. Readers take no lock and
 *    stop at the first record that is short or fails its CRC. What
 *    follows it is a torn tail (ignored, cut) or corruption (refused with
 *    EPROTO, nothing cut: log_tail_check; sl_store_fsck repairs).
 *    Both start from the checkpoint <db>/txnlog.ckpt when it is usable
 *    (see ckpt_load; they read only the parts of it their operation needs:
 *    the live txns and those of one id or label) and replay only the log
 *    past it; writers refresh it (ckpt_refresh) once that tail holds
 *    CKPT_RECS records or CKPT_BYTES, or when it was found damaged.
 *  - rowset files <db>/<table>/data/<txnid>-<n>.rs: written under a
 *    temporary name (O_EXCL), fsync'd, renamed (never over a file),
 *    directory fsync'd. Immutable; readers check each against the commit
 *    record naming it (txn, table, number, size, rows, sum).
 *
 * The state of every txn is a fold over the log; nothing else is trusted.
 * Record payloads: kind:u8, version:u8 (1), id:u64, time_ms:u64, then
 *   'T' table created      name:str                       (id = table id)
 *   'B' begin              table_id:u64 timeout_s:u64 label:str table:str
 *                          (version 2: then slot:u32, the txn's lock slot;
 *                          a version 1 BEGIN has none: txn/<id>.lock)
 *   'P' precommit, 'C' commit (visible)
 *                          nrs:u32 { name:str rows:u64 }*nrs attach:str
 *                          (version 2: { name:str rows:u64 size:u64
 *                          sum:u32 }: the file's size and footer sum)
 *   'A' abort              reason:str
 *   'F' floor (sl-fsck --repair; id = the largest txn id ever used)
 *                          table_id:u64 (the largest table id)
 * where str = len:u32 BE + bytes. Unknown kinds with a good CRC are skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <lz4.h>
#include <zlib.h>

#include "sl.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "store.h"

#define LOG_REC_MAX      (64u << 20)     /* sanity bound on one log record */
#define ATTACH_MAX       (64u << 10)
#define FIRST_TXN_ID     1000
#define RS_BLOCK_TARGET  (1u << 20)      /* raw bytes per rowset block */
#define RS_BLOCK_MAX     (1u << 30)      /* sanity bound when reading */
#define RS_VERSION       2               /* written; 1 is still read */
#define RS_CODEC_LZ4     1
#define RS_BLOCK_HDR     20              /* "SLRB" raw comp nrows crc */
#define RS_FOOTER        28              /* "SLRE" rows:u64 blocks:u64 crc (+4) */
#define RS_FOOTER2       28              /* version 2: ... blocks:u64 sum:u32 crc */
#define SECONDS_MAX      1000000000000ll /* clamp: no ms overflow */

/* The detail of the last EPROTO (corruption) this thread met, for
 * sl_store_strerror: which file, which offset, what is wrong. */
static __thread char store_err[512];

const char *sl_store_strerror(int e)
{
	return e == EPROTO && store_err[0] ? store_err : strerror(e);
}

/* Record what is corrupt; errno EPROTO. Always -1. */
__attribute__((format(printf, 1, 2)))
static int corrupt(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(store_err, sizeof store_err, fmt, ap);
	va_end(ap);
	errno = EPROTO;
	return -1;
}

/* ---------------------------------------------------------------- paths */

__attribute__((format(printf, 2, 3)))
static int pathf(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 1;
}

static int is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof tmp) {
		errno = n ? ENAMETOOLONG : ENOENT;
		return -1;
	}
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		tmp[i] = 0;
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		if (i < n)
			tmp[i] = '/';
	}
	if (!is_dir(path)) {
		errno = ENOTDIR;
		return -1;
	}
	return 1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Best effort: remove a tree; errors (a concurrent remover) are ignored. */
static void rm_rf(const char *path)
{
	int e = errno;
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	errno = e;
}

/* Remove .trash.* entries, and .tmp.*.<pid> entries whose process is gone. */
static void sweep_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[PATH_MAX];
	int e = errno;

	if (!d) {
		errno = e;
		return;
	}
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		int dead = 0;
		if (!strncmp(nm, ".trash.", 7)) {
			dead = 1;
		} else if (!strncmp(nm, ".tmp.", 5)) {
			const char *dot = strrchr(nm, '.');
			long pid = strtol(dot + 1, 0, 10);
			dead = pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
		}
		if (dead && pathf(p, "%s/%s", dir, nm) > 0)
			rm_rf(p);
	}
	closedir(d);
	errno = e;
}

static int64_t table_id_read(const char *tdir)
{
	char p[PATH_MAX], buf[32];
	int fd;
	ssize_t r;

	if (pathf(p, "%s/tableid", tdir) < 0)
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

/* Write a small file and fsync it (inside a directory still private). */
static int write_synced(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), e;

	if (fd < 0)
		return -1;
	if (sl_allwrite(fd, p, n) < n || fsync(fd) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd) < 0 ? -1 : 1;
}

/* ---------------------------------------------------------------- store */

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

	if (pathf(p, "%s/sl.conf", st->dir) < 0)
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
	};
	size_t i;

	memset(st, 0, sizeof *st);
	if (!dir)
		dir = sl_data_dir(0);
	if (mkdir_p(dir) < 0)
		return -1;
	st->dir = realpath(dir, 0);
	if (!st->dir)
		return -1;
	st->label_keep_max_second = 259200;
	st->load_error_log_limit_bytes = 200ll << 20;
	st->precommit_timeout_second = 3600;
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
	sweep_dir(st->dir);
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

int sl_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			break;
	}
	if (name[i] || i == 0 || i > 64 || name[0] == '_' || name[0] == '-') {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

static int table_name_valid(const char *name)
{
	if (sl_name_valid(name) < 0)
		return -1;
	if (!strcmp(name, "txnlog") || !strcmp(name, "lock") || !strcmp(name, "txn")) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

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
		if ((tables ? table_name_valid(de->d_name) : sl_name_valid(de->d_name)) < 0) {
			errno = e;
			continue;
		}
		if (pathf(p, "%s/%s/%s", dir, de->d_name, marker) < 0 || stat(p, &sb) < 0) {
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

	if (sl_name_valid(db) < 0 || pathf(p, "%s/%s/txnlog", st->dir, db) < 0) {
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

	if (sl_name_valid(db) < 0 || pathf(path, "%s/%s", st->dir, db) < 0 ||
	    pathf(tmp, "%s/.tmp.db.%s.%ld", st->dir, db, (long)getpid()) < 0)
		return -1;
	if (sl_db_exists(st, db))
		return 0;
	rm_rf(tmp);
	if (mkdir(tmp, 0755) < 0)
		return -1;
	if (pathf(p, "%s/txn", tmp) < 0 || mkdir(p, 0755) < 0 ||
	    pathf(p, "%s/txnlog", tmp) < 0 || write_synced(p, "", 0) < 0 ||
	    pathf(p, "%s/lock", tmp) < 0 || write_synced(p, "", 0) < 0 ||
	    sl_fsync_dir(tmp) < 0)
		goto fail;
	if (rename(tmp, path) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			rm_rf(tmp);
			return 0;
		}
		goto fail;
	}
	if (sl_fsync_dir(st->dir) < 0)
		return -1;
	return 1;
fail:
	rm_rf(tmp);
	return -1;
}

/* Take the database's lock (LOCK_EX: a writer, LOCK_SH: a reader that
 * wants no writer). fd, or -1 (ENOENT: no such database). */
static int db_lock_mode(sl_store *st, const char *db, int mode)
{
	char p[PATH_MAX];
	int fd;

	if (sl_name_valid(db) < 0) {
		errno = ENOENT;
		return -1;
	}
	if (pathf(p, "%s/%s/lock", st->dir, db) < 0)
		return -1;
	/* a reader may not be allowed to write: a shared lock needs no more */
	fd = open(p, (mode == LOCK_SH ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (flock(fd, mode) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
	}
	return fd;
}

static int db_lock(sl_store *st, const char *db)
{
	return db_lock_mode(st, db, LOCK_EX);
}

static void close_keep_errno(int fd)
{
	int e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
}

int sl_db_drop(sl_store *st, const char *db)
{
	char path[PATH_MAX], trash[PATH_MAX];
	int lk;

	if (!sl_db_exists(st, db)) {
		errno = ENOENT;
		return 0;
	}
	if (pathf(path, "%s/%s", st->dir, db) < 0 ||
	    pathf(trash, "%s/.trash.db.%s.%ld.%lld", st->dir, db, (long)getpid(),
		  (long long)sl_mono_ms()) < 0)
		return -1;
	/* hold the lock so that no log append is half done when it goes */
	lk = db_lock(st, db);
	if (lk < 0) {
		if (errno == ENOENT) {
			return 0;
		}
		return -1;
	}
	if (rename(path, trash) < 0) {
		int e = errno;
		close(lk);
		errno = e;
		return e == ENOENT ? 0 : -1;
	}
	close(lk);
	if (sl_fsync_dir(st->dir) < 0)
		return -1;
	rm_rf(trash);
	return 1;
}

/* ---------------------------------------------------------------- the log */

#define CKPT_MAGIC      "SLCK"
#define CKPT_VERSION    4               /* others are ignored (rebuilt) */
#define SLOT_MAX        4096            /* lock slots per database */
#define SLOT_LEN        34              /* "<id:20> <nrowsets:10> <P|F>\n" */
#define CKPT_BYTES      (64u << 10)     /* refresh when the tail is this big */
#define CKPT_RECS       256             /* ... or holds this many records */
#define KEEP_MIN_S      3600            /* finished txns are kept at least this */

typedef struct txrec {
	int64_t id, table_id, begin_ms, finish_ms, precommit_ms, timeout_s;
	int state;
	sl_field label, table, reason;
	sl_field attach;        /* p NULL: not read yet, n bytes at att_off */
	int64_t att_off;        /* log offset of the attachment, -1 unknown */
	uint32_t att_crc;       /* its CRC-32 (from a checkpoint) */
	char *att_heap;         /* the attachment, read lazily */
	const char *rs;         /* encoded rowset list of the P/C record */
	size_t rslen;
	uint32_t nrs;
	int rsver;              /* 1: { name rows }, 2: { name rows size sum } */
	uint64_t commit_seq;    /* order of the C records */
	int32_t slot;           /* lock slot, -1: txn/<id>.lock (version 1) */
} txrec;

typedef struct logstate {
	int fd;                 /* the log (owned), -1 none */
	char name[PATH_MAX];    /* its path, for messages */
	const char *map;        /* the checkpoint file (mmap'd), when one was used */
	size_t maplen;
	uint32_t ck_nent, ck_nbkt;      /* its id index and label buckets */
	size_t ck_ids, ck_bkts, ck_ents, ck_tbl; /* ... and where they start */
	int partial;            /* tx holds only what the key asked for (ckpt_load) */
	int ck_bad;             /* a checkpoint was there but unusable */
	sl_buf raw;             /* the log from base on */
	size_t base;            /* log offset of raw.p[0]: the checkpoint's, or 0 */
	size_t valid;           /* log offset: end of the last good record */
	size_t last_off;        /* the last good record (when valid > 0) */
	uint32_t last_len, last_crc;
	size_t ntail;           /* records applied past base */
	txrec *tx;              /* increasing id */
	size_t ntx, cap;
	int64_t max_id, max_table_id;
	uint64_t seq;
	struct tblrec { int64_t id; sl_field name; } *tb;  /* the T records */
	size_t ntb, tbcap;
	uint32_t pcrc;          /* CRC-32 of the log [0, valid) */
	int corrupt;            /* log_read found corruption (not a torn tail) */
	int64_t slot_max;       /* the largest txn id a lock slot names (txn_gc) */
	size_t bad_off;         /* ... the offset of the first bad record */
} logstate;

static void log_init(logstate *ls)
{
	memset(ls, 0, sizeof *ls);
	ls->fd = -1;
	ls->max_id = FIRST_TXN_ID - 1;
}

static void log_free(logstate *ls)
{
	size_t i;

	if (ls->fd >= 0)
		close_keep_errno(ls->fd);
	for (i = 0; i < ls->ntx; i++)
		free(ls->tx[i].att_heap);
	if (ls->map)
		munmap((void *)ls->map, ls->maplen);
	sl_buf_free(&ls->raw);
	free(ls->tx);
	free(ls->tb);
	log_init(ls);
}

typedef struct cursor { const char *p; size_t n; int bad; } cursor;

static uint64_t cur_u64(cursor *c)
{
	uint64_t v;
	if (c->n < 8) {
		c->bad = 1;
		return 0;
	}
	v = sl_u64_unpack(c->p);
	c->p += 8;
	c->n -= 8;
	return v;
}

static uint32_t cur_u32(cursor *c)
{
	uint32_t v;
	if (c->n < 4) {
		c->bad = 1;
		return 0;
	}
	v = sl_u32_unpack(c->p);
	c->p += 4;
	c->n -= 4;
	return v;
}

static sl_field cur_str(cursor *c, size_t max)
{
	sl_field f = { "", 0 };
	uint32_t n = cur_u32(c);
	if (c->bad || n > c->n || n > max) {
		c->bad = 1;
		return f;
	}
	f.p = c->p;
	f.n = n;
	c->p += n;
	c->n -= n;
	return f;
}

static txrec *log_find(logstate *ls, int64_t id)
{
	size_t lo = 0, hi = ls->ntx;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ls->tx[mid].id == id)
			return &ls->tx[mid];
		if (ls->tx[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Remember a T record (name points into the log or the checkpoint). 1,
 * -1 ENOMEM. */
static int tb_push(logstate *ls, int64_t id, sl_field name)
{
	if (ls->ntb == ls->tbcap) {
		size_t nc = ls->tbcap ? ls->tbcap * 2 : 16;
		struct tblrec *nt = realloc(ls->tb, nc * sizeof *nt);
		if (!nt) {
			errno = ENOMEM;
			return -1;
		}
		ls->tb = nt;
		ls->tbcap = nc;
	}
	ls->tb[ls->ntb].id = id;
	ls->tb[ls->ntb++].name = name;
	return 1;
}

/* The id the log gave the table name by its last CREATE, 0 none. */
static int64_t tb_last(const logstate *ls, const char *name)
{
	size_t i, n = strlen(name);
	int64_t id = 0;

	for (i = 0; i < ls->ntb; i++)
		if (ls->tb[i].name.n == n && !memcmp(ls->tb[i].name.p, name, n) && ls->tb[i].id > id)
			id = ls->tb[i].id;
	return id;
}

/* One entry of an encoded rowset list (a P/C record's, version ver) at c:
 * its name, rows and (version 2) the file's size and checksum. */
static void rs_next(cursor *c, int ver, sl_field *name, uint64_t *rows, uint64_t *size, uint32_t *sum)
{
	*name = cur_str(c, 4096);
	*rows = cur_u64(c);
	*size = ver == 2 ? cur_u64(c) : 0;
	*sum = ver == 2 ? cur_u32(c) : 0;
}

/* Apply one record (p points into ls->raw). 1 applied or ignored, 0
 * malformed, -1 ENOMEM. */
static int log_apply(logstate *ls, const char *p, size_t n)
{
	cursor c = { p, n, 0 };
	unsigned char kind, ver;
	int64_t id, ms;
	txrec *t;

	if (n < 2)
		return 0;
	kind = (unsigned char)p[0];
	ver = (unsigned char)p[1];
	c.p += 2;
	c.n -= 2;
	if (ver != 1 && !(ver == 2 && (kind == 'B' || kind == 'P' || kind == 'C')))
		return 1;       /* a later version's record: not ours to judge */
	id = (int64_t)cur_u64(&c);
	ms = (int64_t)cur_u64(&c);
	if (c.bad)
		return 0;
	switch (kind) {
	case 'T': {
		sl_field nm = cur_str(&c, 64);
		if (c.bad)
			return 0;
		if (id > ls->max_table_id)
			ls->max_table_id = id;
		return tb_push(ls, id, nm);
	}
	case 'F': {
		/* a floor left by sl-fsck --repair: ids below it were used */
		int64_t tf = (int64_t)cur_u64(&c);
		if (c.bad)
			return 0;
		if (id > ls->max_id)
			ls->max_id = id;
		if (tf > ls->max_table_id)
			ls->max_table_id = tf;
		return 1;
	}
	case 'B': {
		txrec r;
		memset(&r, 0, sizeof r);
		r.id = id;
		r.begin_ms = ms;
		r.table_id = (int64_t)cur_u64(&c);
		r.timeout_s = (int64_t)cur_u64(&c);
		r.label = cur_str(&c, 128);
		r.table = cur_str(&c, 64);
		r.slot = ver == 2 ? (int32_t)cur_u32(&c) : -1;
		r.reason.p = r.attach.p = "";
		r.att_off = -1;
		r.state = SL_TXN_PREPARE;
		if (c.bad || (ver == 2 && (r.slot < 0 || r.slot >= SLOT_MAX)))
			return 0;
		if (id <= ls->max_id)
			return 1;       /* ids only grow; never written */
		if (ls->ntx == ls->cap) {
			size_t nc = ls->cap ? ls->cap * 2 : 64;
			txrec *nt = realloc(ls->tx, nc * sizeof *nt);
			if (!nt) {
				errno = ENOMEM;
				return -1;
			}
			ls->tx = nt;
			ls->cap = nc;
		}
		ls->tx[ls->ntx++] = r;
		ls->max_id = id;
		return 1;
	}
	case 'P':
	case 'C': {
		uint32_t i, nrs = cur_u32(&c);
		const char *rs = c.p;
		size_t rslen;
		sl_field att;
		for (i = 0; i < nrs && !c.bad; i++) {
			cur_str(&c, 4096);
			cur_u64(&c);
			if (ver == 2) {
				cur_u64(&c);
				cur_u32(&c);
			}
		}
		rslen = (size_t)(c.p - rs);
		att = cur_str(&c, ATTACH_MAX);
		if (c.bad)
			return 0;
		t = log_find(ls, id);
		if (!t || (t->state != SL_TXN_PREPARE &&
			   !(kind == 'C' && t->state == SL_TXN_PRECOMMITTED)))
			return 1;
		t->rs = rs;
		t->rslen = rslen;
		t->nrs = nrs;
		t->rsver = ver;
		t->attach = att;
		t->att_off = (int64_t)(ls->base + (size_t)(att.p - ls->raw.p));
		if (kind == 'P') {
			t->state = SL_TXN_PRECOMMITTED;
			t->precommit_ms = ms;
		} else {
			t->state = SL_TXN_VISIBLE;
			t->finish_ms = ms;
			t->commit_seq = ++ls->seq;
		}
		return 1;
	}
	case 'A': {
		sl_field reason = cur_str(&c, 255);
		if (c.bad)
			return 0;
		t = log_find(ls, id);
		if (!t || (t->state != SL_TXN_PREPARE && t->state != SL_TXN_PRECOMMITTED))
			return 1;
		t->state = SL_TXN_ABORTED;
		t->finish_ms = ms;
		t->reason = reason;
		return 1;
	}
	default:
		return 1;
	}
}

/* pread exactly n bytes at off. 1; 0 short (EOF); -1 errno. */
static int pread_all(int fd, void *p, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)p + done, n - done, (off_t)(off + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return 0;
		done += (size_t)r;
	}
	return 1;
}

/*
 * The checkpoint <db>/txnlog.ckpt: a cache of the fold of the log up to an
 * offset, so that readers and writers replay only the log's tail. The log
 * stays the single source of truth: a checkpoint that fails a CRC, was
 * made for another file (inode), or whose last covered record is not in
 * the log as it was (offset, length, CRC) is ignored.
 *
 * It is laid out so that an operation reads only what it needs, whatever
 * the database's history: a fixed header, the offsets of the live (PREPARE,
 * PRECOMMITTED) txns, an index by id (sorted) and one by label (hash), then
 * the txn entries, each with its own CRC. A reader maps the file and
 * checks the header, the live list and the index slots and entries it
 * visits; a lookup by id or label touches O(log n) slots. Only a snapshot
 * and the writer of a new checkpoint read every entry.
 *   header (CKPT_HDR bytes):
 *     "SLCK" version:u32 (4) log_ino:u64 log_off:u64 last_off:u64
 *     last_len:u32 last_crc:u32 max_id:u64 max_table_id:u64 seq:u64
 *     nent:u32 nlive:u32 nbkt:u32 file_len:u64 log_crc:u32 tbl_off:u64
 *     hcrc:u32 (of the 96 before)
 *   log_crc is the CRC-32 of the log's first log_off bytes: the checkpoint
 *   is used only when the log still holds exactly what it folded (a bit
 *   flipped in that part makes every reader fold the log itself, and meet
 *   the corruption as a reader without a checkpoint would).
 *   live: nlive times off:u32, then crc:u32 (of those offsets)
 *   ids: nent times id:u64 off:u32 crc:u32 (of the slot's first 12
 *     bytes), increasing id
 *   buckets: nbkt (a power of two, >= 2 nent) times off:u32 hash:u32
 *     crc:u32 (of the slot number:u32 and the slot's first 8 bytes); off 0
 *     is an empty slot; the entry of a label with hash h (FNV-1a) is in
 *     the first slot from h mod nbkt on that was empty when it was added
 *     (linear probing, in id order)
 *   entries: len:u32 crc:u32 payload[len]; payload = id:u64 table_id:u64
 *     begin_ms:u64 finish_ms:u64 precommit_ms:u64 timeout_s:u64
 *     commit_seq:u64 state:u32 label:str table:str reason:str nrs:u32
 *     rowsets:str att_off:u64 att_len:u32 att_crc:u32 slot:u32 (-1: none)
 *     rsver:u32 (the encoding of rowsets: that of the P/C record)
 *   tables (at tbl_off, to the end): ntab:u32 { id:u64 name:str }*ntab
 *     crc:u32 (of what precedes it in the section): the T records
 * Offsets are from the start of the file. The attachment stays in the log
 * (att_off); it is read when asked for.
 */
#define CKPT_HDR        100
#define CKPT_LIVE       CKPT_HDR        /* the live list starts here */

enum { CK_ALL, CK_NONE, CK_ID, CK_LABEL };
/* What a reader needs from the checkpoint beyond the header and the live
 * txns: every entry (CK_ALL), none, the txn id, or the txns of a label. */
typedef struct ckkey { int kind; int64_t id; const char *label; size_t nlab; } ckkey;
static const ckkey KEY_ALL = { CK_ALL, 0, 0, 0 };
static const ckkey KEY_NONE = { CK_NONE, 0, 0, 0 };

static uint32_t label_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;       /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t crc_of(const void *p, size_t n)
{
	return (uint32_t)crc32(0, (const Bytef *)p, (uInt)n);
}

/* Parse the entry at off of the mapped checkpoint into t. 1, 0 bad. */
static int ck_entry(const logstate *ls, uint64_t off, txrec *t)
{
	cursor c;
	uint32_t n;
	sl_field rs;

	if (off < ls->ck_ents || off >= ls->ck_tbl || ls->ck_tbl - off < 8)
		return 0;
	n = sl_u32_unpack(ls->map + off);
	if (n > ls->ck_tbl - off - 8 || crc_of(ls->map + off + 8, n) != sl_u32_unpack(ls->map + off + 4))
		return 0;
	c.p = ls->map + off + 8;
	c.n = n;
	c.bad = 0;
	memset(t, 0, sizeof *t);
	t->id = (int64_t)cur_u64(&c);
	t->table_id = (int64_t)cur_u64(&c);
	t->begin_ms = (int64_t)cur_u64(&c);
	t->finish_ms = (int64_t)cur_u64(&c);
	t->precommit_ms = (int64_t)cur_u64(&c);
	t->timeout_s = (int64_t)cur_u64(&c);
	t->commit_seq = cur_u64(&c);
	t->state = (int)cur_u32(&c);
	t->label = cur_str(&c, 128);
	t->table = cur_str(&c, 64);
	t->reason = cur_str(&c, 255);
	t->nrs = cur_u32(&c);
	rs = cur_str(&c, LOG_REC_MAX);
	t->rs = rs.p;
	t->rslen = rs.n;
	t->att_off = (int64_t)cur_u64(&c);
	t->attach.n = cur_u32(&c);
	t->att_crc = cur_u32(&c);
	t->slot = (int32_t)cur_u32(&c);
	t->rsver = (int)cur_u32(&c);
	t->attach.p = t->attach.n ? 0 : "";
	if (c.bad || c.n || (t->rsver != 1 && t->rsver != 2) || t->slot < -1 || t->slot >= SLOT_MAX || t->state < SL_TXN_PREPARE ||
	    t->state > SL_TXN_ABORTED || t->id < FIRST_TXN_ID || t->id > ls->max_id ||
	    t->attach.n > ATTACH_MAX || t->att_off < 0 || (uint64_t)t->att_off > ls->base)
		return 0;
	return 1;
}

/* Slot i of the id index. 1, 0 bad. */
static int ck_idslot(const logstate *ls, uint32_t i, int64_t *id, uint32_t *off)
{
	const char *s = ls->map + ls->ck_ids + (size_t)i * 16;

	if (crc_of(s, 12) != sl_u32_unpack(s + 12))
		return 0;
	*id = (int64_t)sl_u64_unpack(s);
	*off = sl_u32_unpack(s + 8);
	return 1;
}

/* Slot i of the label buckets. 1, 0 bad. */
static int ck_bktslot(const logstate *ls, uint32_t i, uint32_t *off, uint32_t *hash)
{
	const char *s = ls->map + ls->ck_bkts + (size_t)i * 12;
	char k[4];
	uint32_t crc;

	sl_u32_pack(k, i);
	crc = (uint32_t)crc32(crc32(0, (const Bytef *)k, 4), (const Bytef *)s, 8);
	if (crc != sl_u32_unpack(s + 8))
		return 0;
	*off = sl_u32_unpack(s);
	*hash = sl_u32_unpack(s + 4);
	return 1;
}

/* Find txn id in the id index of the mapped checkpoint. 1 found (t
 * filled), 0 not there, -1 the checkpoint is damaged. */
static int ck_find_id(const logstate *ls, int64_t id, txrec *t)
{
	uint32_t lo = 0, hi = ls->ck_nent, off;
	int64_t x;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (!ck_idslot(ls, mid, &x, &off))
			return -1;
		if (x == id)
			return ck_entry(ls, off, t) && t->id == id ? 1 : -1;
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int txrec_cmp(const void *a, const void *b)
{
	int64_t x = ((const txrec *)a)->id, y = ((const txrec *)b)->id;
	return x < y ? -1 : x > y;
}

/* Add t to ls->tx (unsorted; the caller sorts). 1, -1 ENOMEM. */
static int tx_push(logstate *ls, const txrec *t)
{
	if (ls->ntx == ls->cap) {
		size_t nc = ls->cap ? ls->cap * 2 : 64;
		txrec *nt = realloc(ls->tx, nc * sizeof *nt);
		if (!nt) {
			errno = ENOMEM;
			return -1;
		}
		ls->tx = nt;
		ls->cap = nc;
	}
	ls->tx[ls->ntx++] = *t;
	return 1;
}

/* The CRC-32 of the first n bytes of the log fd into *crc, read in
 * bounded pieces. 1; 0 the log is shorter; -1 errno. */
static int log_prefix_crc(int fd, uint64_t n, uint32_t *crc)
{
	size_t cap = 1u << 20;
	char *b = malloc(cap);
	uint64_t at = 0;
	uLong c = crc32(0, 0, 0);
	int r = 1;

	if (!b) {
		errno = ENOMEM;
		return -1;
	}
	while (at < n) {
		size_t k = n - at < cap ? (size_t)(n - at) : cap;
		r = pread_all(fd, b, k, at);
		if (r <= 0)
			break;
		c = crc32(c, (const Bytef *)b, (uInt)k);
		at += k;
	}
	free(b);
	*crc = (uint32_t)c;
	return r;
}

/* Load the checkpoint for the log ls->fd: its header, its live txns and
 * what key asks for. 1 loaded (ls->base set), 0 none or unusable (ls left
 * empty; ls->ck_bad set when there was one), -1 errno (ENOMEM). */
static int ckpt_load(logstate *ls, const char *path, const ckkey *key)
{
	struct stat sb, lsb;
	const char *h;
	uint64_t ino, x, aoff, flen, need, toff;
	uint32_t alen, acrc, nlive, i, lcrc, ntab;
	char *rec = 0;
	int e = errno, r, fd;
	txrec t;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = e;
		return 0;
	}
	if (fstat(fd, &sb) < 0 || sb.st_size < CKPT_HDR + 4 || (uint64_t)sb.st_size > UINT32_MAX) {
		close(fd);
		goto unusable;
	}
	ls->map = mmap(0, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (ls->map == MAP_FAILED) {
		ls->map = 0;
		goto unusable;
	}
	ls->maplen = (size_t)sb.st_size;
	h = ls->map;
	if (memcmp(h, CKPT_MAGIC, 4) || sl_u32_unpack(h + 4) != CKPT_VERSION ||
	    crc_of(h, CKPT_HDR - 4) != sl_u32_unpack(h + CKPT_HDR - 4))
		goto unusable;
	ino = sl_u64_unpack(h + 8);
	x = sl_u64_unpack(h + 16);
	aoff = sl_u64_unpack(h + 24);
	alen = sl_u32_unpack(h + 32);
	acrc = sl_u32_unpack(h + 36);
	ls->max_id = (int64_t)sl_u64_unpack(h + 40);
	ls->max_table_id = (int64_t)sl_u64_unpack(h + 48);
	ls->seq = sl_u64_unpack(h + 56);
	ls->ck_nent = sl_u32_unpack(h + 64);
	nlive = sl_u32_unpack(h + 68);
	ls->ck_nbkt = sl_u32_unpack(h + 72);
	flen = sl_u64_unpack(h + 76);
	lcrc = sl_u32_unpack(h + 84);
	toff = sl_u64_unpack(h + 88);
	need = (uint64_t)CKPT_HDR + 4ull * nlive + 4 + 16ull * ls->ck_nent + 12ull * ls->ck_nbkt;
	if (flen != ls->maplen || need > flen || nlive > ls->ck_nent || toff < need ||
	    toff > flen - 8 ||
	    ls->ck_nbkt < 2ull * ls->ck_nent || ls->ck_nbkt < 16 || (ls->ck_nbkt & (ls->ck_nbkt - 1)) ||
	    fstat(ls->fd, &lsb) < 0 || (uint64_t)lsb.st_ino != ino ||
	    alen > LOG_REC_MAX || x > (uint64_t)SIZE_MAX / 2 || aoff + 8 + alen != x)
		goto unusable;
	ls->ck_ids = CKPT_LIVE + 4 * (size_t)nlive + 4;
	ls->ck_bkts = ls->ck_ids + 16 * (size_t)ls->ck_nent;
	ls->ck_ents = ls->ck_bkts + 12 * (size_t)ls->ck_nbkt;
	ls->ck_tbl = (size_t)toff;
	ls->base = (size_t)x;
	/* the last record it covers must be there, whole and unchanged */
	if (!(rec = malloc((size_t)alen + 8)))
		goto nomem;
	r = pread_all(ls->fd, rec, (size_t)alen + 8, aoff);
	if (r < 0 && errno == ENOMEM)
		goto nomem;
	if (r <= 0 || sl_u32_unpack(rec) != alen || sl_u32_unpack(rec + 4) != acrc ||
	    crc_of(rec + 8, alen) != acrc)
		goto unusable;
	free(rec);
	rec = 0;
	/* the log must still hold exactly what was folded */
	r = log_prefix_crc(ls->fd, x, &ls->pcrc);
	if (r < 0 && errno == ENOMEM)
		goto nomem;
	if (r <= 0 || ls->pcrc != lcrc)
		goto unusable;
	/* the tables (T records): always, they are few */
	{
		cursor c = { ls->map + toff, flen - toff - 4, 0 };
		if (crc_of(c.p, c.n) != sl_u32_unpack(ls->map + flen - 4))
			goto unusable;
		ntab = cur_u32(&c);
		for (i = 0; i < ntab && !c.bad; i++) {
			int64_t id = (int64_t)cur_u64(&c);
			sl_field nm = cur_str(&c, 64);
			if (!c.bad && tb_push(ls, id, nm) < 0)
				goto nomem;
		}
		if (c.bad || c.n)
			goto unusable;
	}
	/* the live txns: always */
	if (crc_of(h + CKPT_LIVE, 4 * (size_t)nlive) != sl_u32_unpack(h + CKPT_LIVE + 4 * (size_t)nlive))
		goto unusable;
	for (i = 0; i < nlive; i++) {
		if (!ck_entry(ls, sl_u32_unpack(h + CKPT_LIVE + 4 * (size_t)i), &t) ||
		    (t.state != SL_TXN_PREPARE && t.state != SL_TXN_PRECOMMITTED))
			goto unusable;
		if (tx_push(ls, &t) < 0)
			goto nomem;
	}
	ls->partial = key->kind != CK_ALL;
	if (key->kind == CK_ALL) {
		int64_t prev = 0;
		ls->ntx = 0;    /* every entry, in id order (the live ones again) */
		for (i = 0; i < ls->ck_nent; i++) {
			int64_t id;
			uint32_t off;
			if (!ck_idslot(ls, i, &id, &off) || !ck_entry(ls, off, &t) || t.id != id ||
			    (i && id <= prev))
				goto unusable;
			prev = id;
			if (tx_push(ls, &t) < 0)
				goto nomem;
		}
	} else if (key->kind == CK_ID) {
		r = ck_find_id(ls, key->id, &t);
		if (r < 0)
			goto unusable;
		if (r && t.state != SL_TXN_PREPARE && t.state != SL_TXN_PRECOMMITTED &&
		    tx_push(ls, &t) < 0)
			goto nomem;
	} else if (key->kind == CK_LABEL) {
		uint32_t hh = label_hash(key->label, key->nlab), k, n, off, sh;
		for (n = 0, k = hh & (ls->ck_nbkt - 1); n < ls->ck_nbkt; n++, k = (k + 1) & (ls->ck_nbkt - 1)) {
			if (!ck_bktslot(ls, k, &off, &sh))
				goto unusable;
			if (!off)
				break;
			if (sh != hh)
				continue;
			if (!ck_entry(ls, off, &t) || label_hash(t.label.p, t.label.n) != hh)
				goto unusable;
			if (t.label.n != key->nlab || memcmp(t.label.p, key->label, key->nlab) ||
			    t.state == SL_TXN_PREPARE || t.state == SL_TXN_PRECOMMITTED)
				continue;       /* another label; or live: loaded above */
			if (tx_push(ls, &t) < 0)
				goto nomem;
		}
		if (n == ls->ck_nbkt)
			goto unusable;
	}
	if (ls->ntx > 1)
		qsort(ls->tx, ls->ntx, sizeof *ls->tx, txrec_cmp);
	for (i = 1; i < ls->ntx; i++)
		if (ls->tx[i].id == ls->tx[i - 1].id)
			goto unusable;
	ls->valid = ls->base;
	ls->last_off = (size_t)aoff;
	ls->last_len = alen;
	ls->last_crc = acrc;
	errno = e;
	return 1;
nomem:
	free(rec);
	errno = ENOMEM;
	return -1;
unusable:
	free(rec);
	free(ls->tx);
	free(ls->tb);
	ls->tx = 0;
	ls->tb = 0;
	if (ls->map)
		munmap((void *)ls->map, ls->maplen);
	{
		int lfd = ls->fd;
		char nm[PATH_MAX];
		memcpy(nm, ls->name, sizeof nm);
		log_init(ls);
		memcpy(ls->name, nm, sizeof nm);
		ls->fd = lfd;
		ls->ck_bad = 1;
	}
	errno = e;
	return 0;
}

/* The txn id for a writer's cleanup: from memory, else (when only part
 * of the checkpoint was loaded) from the checkpoint into *tmp. NULL: not
 * known (*damaged set when the checkpoint could not tell). */
static txrec *log_get(logstate *ls, int64_t id, txrec *tmp, int *damaged)
{
	txrec *t = log_find(ls, id);
	int r;

	*damaged = 0;
	if (t || !ls->partial || !ls->map || id > ls->max_id)
		return t;
	r = ck_find_id(ls, id, tmp);
	if (r < 0) {
		ls->ck_bad = *damaged = 1;
		return 0;
	}
	return r ? tmp : 0;
}

/* A record at h (n bytes from h to the end) that a writer could have
 * written: a sane length, a known kind and version, a good CRC. */
static int rec_plausible(const char *h, size_t n)
{
	uint32_t len;

	if (n < 8 + 18)
		return 0;
	len = sl_u32_unpack(h);
	if (len < 18 || len > LOG_REC_MAX || len > n - 8 || !memchr("TBPCAF", h[8], 6) ||
	    (h[9] != 1 && h[9] != 2))
		return 0;
	return (uint32_t)crc32(0, (const Bytef *)h + 8, len) == sl_u32_unpack(h + 4);
}

/* The log from raw offset off on is not a good record. A torn tail (a
 * crash mid-append: a short header, a record running past the end, the
 * last record failing its CRC, zeros) is what readers ignore and writers
 * cut; anything else, a bad record followed by more bytes or by a valid
 * record, is corruption: ls->corrupt set, store_err says where. */
static void log_tail_check(logstate *ls, size_t off)
{
	const char *h = ls->raw.p + off, *why = 0;
	size_t n = ls->raw.len - off, k, at = ls->base + off;
	uint32_t len = n >= 8 ? sl_u32_unpack(h) : 0;

	for (k = 1; k < n; k++)
		if (rec_plausible(h + k, n - k)) {
			ls->corrupt = 1;
			ls->bad_off = at;
			corrupt("%s: corrupt record at offset %zu (a valid record follows at "
				"offset %zu); refused until sl-fsck --repair", ls->name, at, at + k);
			return;
		}
	/* shorter than the smallest record: no record that was ever whole */
	if (n < 8 + 18)
		return;
	if (len == 0) {
		for (k = 0; k < n && !h[k]; k++)
			;
		if (k < n)
			why = "an empty record, then bytes that are not zeros";
	} else if (len <= LOG_REC_MAX && len < n - 8) {
		why = "its CRC does not match and bytes follow it";
	}
	if (why) {
		ls->corrupt = 1;
		ls->bad_off = at;
		corrupt("%s: corrupt record at offset %zu (%s; %zu bytes to the end); refused "
			"until sl-fsck --repair", ls->name, at, why, n);
	}
}

/* Fold the log ls->fd: from the checkpoint at ckpath when it is usable
 * (what key asks for of it), else from the start; then the records up to
 * the current end. 1, -1 errno. */
static int log_read(logstate *ls, const char *ckpath, const ckkey *key)
{
	struct stat sb;
	size_t off;

	if (ckpath && ckpt_load(ls, ckpath, key) < 0)
		return -1;
	if (fstat(ls->fd, &sb) < 0)
		return -1;
	/* read to the end: a writer may have appended since the checkpoint */
	for (;;) {
		size_t at = ls->base + ls->raw.len, want = 65536;
		ssize_t r;
		if ((size_t)sb.st_size > at && (size_t)sb.st_size - at > want)
			want = (size_t)sb.st_size - at;
		if (sl_buf_reserve(&ls->raw, want) < 0)
			return -1;
		r = pread(ls->fd, ls->raw.p + ls->raw.len, ls->raw.cap - ls->raw.len, (off_t)at);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		ls->raw.len += (size_t)r;
	}
	/* a writer may be appending right now: anything past a short record
	 * is simply not there yet */
	for (off = 0; ls->raw.len - off >= 8;) {
		const char *h = ls->raw.p + off;
		uint32_t len = sl_u32_unpack(h), crc = sl_u32_unpack(h + 4);
		int r;
		if (len == 0 || len > LOG_REC_MAX || len > ls->raw.len - off - 8)
			break;
		if ((uint32_t)crc32(0, (const Bytef *)h + 8, len) != crc)
			break;
		r = log_apply(ls, h + 8, len);
		if (r < 0)
			return -1;
		if (r == 0) {
			/* whole, with a good CRC, and not a record: never torn */
			ls->corrupt = 1;
			ls->bad_off = ls->base + off;
			corrupt("%s: corrupt record at offset %zu (it does not parse); refused "
				"until sl-fsck --repair", ls->name, ls->bad_off);
			break;
		}
		ls->last_off = ls->base + off;
		ls->last_len = len;
		ls->last_crc = crc;
		ls->ntail++;
		off += 8 + (size_t)len;
	}
	ls->valid = ls->base + off;
	ls->pcrc = (uint32_t)crc32(ls->pcrc, (const Bytef *)ls->raw.p, (uInt)off);
	if (!ls->corrupt && off < ls->raw.len)
		log_tail_check(ls, off);
	if (ls->corrupt)
		return -1;      /* errno EPROTO, store_err set */
	return 1;
}

/* The attachment of t, read from the log when it came from a checkpoint.
 * 1, -1 errno (EPROTO: it is not what the checkpoint says). */
static int att_load(logstate *ls, txrec *t)
{
	int r;

	if (t->attach.p)
		return 1;
	if (!(t->att_heap = malloc(t->attach.n))) {
		errno = ENOMEM;
		return -1;
	}
	r = pread_all(ls->fd, t->att_heap, t->attach.n, (uint64_t)t->att_off);
	if (r <= 0 || (uint32_t)crc32(0, (const Bytef *)t->att_heap, t->attach.n) != t->att_crc) {
		free(t->att_heap);
		t->att_heap = 0;
		if (r != -1)
			errno = EPROTO;
		return -1;
	}
	t->attach.p = t->att_heap;
	return 1;
}

static int ckpt_path(sl_store *st, const char *db, char *p)
{
	return pathf(p, "%s/%s/txnlog.ckpt", st->dir, db);
}

/* Lock-free: open and fold the log of db (of the checkpoint, what key
 * asks for). 0 no such db (errno ENOTDIR); -1 EPROTO: the log is corrupt
 * (sl_store_strerror says where). */
static int log_load(sl_store *st, const char *db, logstate *ls, const ckkey *key)
{
	char p[PATH_MAX], ck[PATH_MAX];
	int r, tries, lk = -1;

	log_init(ls);
	if (sl_name_valid(db) < 0) {
		errno = ENOTDIR;
		return 0;
	}
	if (pathf(p, "%s/%s/txnlog", st->dir, db) < 0 || ckpt_path(st, db, ck) < 0)
		return -1;
	store_err[0] = 0;
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
		r = log_read(ls, ck, key);
		if (r < 0)
			log_free(ls);
		/* corruption seen without the lock may be a writer cutting a
		 * torn tail under our feet: look again, with no writer */
		if (r >= 0 || errno != EPROTO || tries || lk >= 0)
			break;
		if ((lk = db_lock_mode(st, db, LOCK_SH)) < 0) {
			if (errno == ENOENT)
				errno = ENOTDIR;
			return errno == ENOTDIR ? 0 : -1;
		}
	}
	close_keep_errno(lk);
	return r;
}

/* A writer's session on db: lock held, log open for append (w->ls.fd) and
 * folded, torn tail cut. */
typedef struct logw {
	sl_store *st;
	char db[65];
	int lockfd;
	logstate ls;
	sl_buf rec;             /* records to append in one write */
} logw;

/* 1, -1 errno (ENOENT: no such database). key: what the writer needs of
 * the checkpoint (log_load). */
static int logw_open(sl_store *st, const char *db, logw *w, const ckkey *key)
{
	char p[PATH_MAX], ck[PATH_MAX];

	memset(w, 0, sizeof *w);
	log_init(&w->ls);
	w->st = st;
	w->lockfd = db_lock(st, db);
	if (w->lockfd < 0)
		return -1;
	snprintf(w->db, sizeof w->db, "%s", db);
	if (pathf(p, "%s/%s/txnlog", st->dir, db) < 0 || ckpt_path(st, db, ck) < 0)
		goto fail;
	store_err[0] = 0;
	snprintf(w->ls.name, sizeof w->ls.name, "%s/txnlog", db);
	w->ls.fd = open(p, O_RDWR | O_APPEND | O_CLOEXEC);
	/* corruption (EPROTO): refused, nothing cut, until sl-fsck --repair */
	if (w->ls.fd < 0 || log_read(&w->ls, ck, key) < 0)
		goto fail;
	if (w->ls.valid < w->ls.base + w->ls.raw.len) {
		/* a torn tail (a crash mid-append, or garbage): keep a copy for
		 * the curious, then cut it, or later records would be
		 * unreachable behind it */
		char keep[PATH_MAX];
		size_t good = w->ls.valid - w->ls.base;
		if (pathf(keep, "%s/%s/txnlog.torn-%zu", st->dir, db, w->ls.valid) > 0)
			(void)sl_file_write_atomic(keep, w->ls.raw.p + good,
						   w->ls.raw.len - good, 0644);
		if (ftruncate(w->ls.fd, (off_t)w->ls.valid) < 0 || fdatasync(w->ls.fd) < 0)
			goto fail;
		w->ls.raw.len = good;
	}
	return 1;
fail:
	{
		int e = errno;
		close(w->lockfd);
		log_free(&w->ls);
		errno = e;
	}
	return -1;
}

static void ckpt_refresh(logw *w);

static void logw_close(logw *w)
{
	int e = errno;
	/* still under the lock: refresh the checkpoint when the tail grew,
	 * or when the one there was found damaged (rebuilt from the log) */
	if (w->ls.fd >= 0 && (w->ls.valid - w->ls.base >= CKPT_BYTES || w->ls.ntail >= CKPT_RECS ||
			      (w->ls.ck_bad && w->ls.valid > 0)))
		ckpt_refresh(w);
	log_free(&w->ls);
	if (w->lockfd >= 0)
		close(w->lockfd);
	sl_buf_free(&w->rec);
	w->lockfd = -1;
	errno = e;
}

/* Append the collected records in one write, then fdatasync. On failure
 * the log is cut back, so a failed commit is never half there. */
static int logw_flush(logw *w)
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
	return 1;
}

static int put_u32(sl_buf *b, uint32_t v)
{
	char x[4];
	sl_u32_pack(x, v);
	return sl_buf_put(b, x, 4);
}

static int put_u64(sl_buf *b, uint64_t v)
{
	char x[8];
	sl_u64_pack(x, v);
	return sl_buf_put(b, x, 8);
}

static int put_str(sl_buf *b, const char *p, size_t n)
{
	if (put_u32(b, (uint32_t)n) < 0)
		return -1;
	return sl_buf_put(b, p, n);
}

/* Start a record; *mark remembers where its frame begins. */
static int rec_start(sl_buf *b, size_t *mark, char kind, int64_t id, int64_t ms)
{
	char h[10] = { 0 };

	*mark = b->len;
	h[8] = kind;
	h[9] = 1;
	if (sl_buf_put(b, h, 10) < 0 || put_u64(b, (uint64_t)id) < 0 ||
	    put_u64(b, (uint64_t)ms) < 0)
		return -1;
	return 1;
}

static void rec_end(sl_buf *b, size_t mark)
{
	size_t len = b->len - mark - 8;
	sl_u32_pack(b->p + mark, (uint32_t)len);
	sl_u32_pack(b->p + mark + 4,
		    (uint32_t)crc32(0, (const Bytef *)b->p + mark + 8, (uInt)len));
}

static void fcopy(char *dst, size_t cap, sl_field f);

/* Finished (VISIBLE or ABORTED) more than max(label_keep_max_second,
 * KEEP_MIN_S) ago: lookups do not report it and checkpoints drop it
 * (unless its rowsets are part of a live table). */
static int forgotten(const sl_store *st, const txrec *t, int64_t now)
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

	fcopy(nm, sizeof nm, t->table);
	for (i = 0; i < *ntc; i++)
		if (!strcmp(tc[i].name, nm))
			return tc[i].id == t->table_id;
	if (pathf(tdir, "%s/%s/%s", st->dir, db, nm) < 0)
		return 1;       /* keep it: cannot tell */
	id = table_id_read(tdir);
	if (id < 0 && errno != ENOENT)
		return 1;
	if (*ntc < 16) {
		memcpy(tc[*ntc].name, nm, sizeof nm);
		tc[(*ntc)++].id = id;
	}
	return id == t->table_id;
}

/* Under the db lock: write a new checkpoint of the log w->ls.fd (re-read
 * from the current checkpoint and the tail, so that it holds exactly what
 * is on disk). Best effort: a failure leaves the old one, which stays
 * valid, or none. */
static void ckpt_refresh(logw *w)
{
	char ck[PATH_MAX], x[4];
	logstate ls;
	sl_buf ents = SL_BUF_ZERO, b = SL_BUF_ZERO;
	struct stat sb;
	tblcache tc[16];
	size_t ntc = 0, i, nent = 0, nlive = 0, head, tbl;
	uint32_t *eoff = 0, *live = 0, nbkt = 16, *bkt = 0, *bhash = 0;
	int64_t *eid = 0, now = sl_now_ms();
	int e = errno;

	log_init(&ls);
	/* a damaged checkpoint is not folded again: rebuilt from the log */
	memcpy(ls.name, w->ls.name, sizeof ls.name);
	if (ckpt_path(w->st, w->db, ck) < 0 ||
	    (ls.fd = fcntl(w->ls.fd, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    log_read(&ls, w->ls.ck_bad ? 0 : ck, &KEY_ALL) < 0 ||
	    ls.valid == ls.base || fstat(ls.fd, &sb) < 0)
		goto out;
	if (ls.ntx && (!(eoff = malloc(ls.ntx * sizeof *eoff)) || !(eid = malloc(ls.ntx * sizeof *eid)) ||
		       !(live = malloc(ls.ntx * sizeof *live))))
		goto out;
	for (i = 0; i < ls.ntx; i++) {
		txrec *t = &ls.tx[i];
		uint32_t acrc;
		size_t at = ents.len;
		int isl = t->state == SL_TXN_PREPARE || t->state == SL_TXN_PRECOMMITTED;
		if (!isl && forgotten(w->st, t, now) &&
		    !(t->state == SL_TXN_VISIBLE && t->nrs &&
		      table_current(w->st, w->db, t, tc, &ntc)))
			continue;
		acrc = t->attach.p ? crc_of(t->attach.p, t->attach.n) : t->att_crc;
		if (put_u64(&ents, 0) < 0 ||
		    put_u64(&ents, (uint64_t)t->id) < 0 || put_u64(&ents, (uint64_t)t->table_id) < 0 ||
		    put_u64(&ents, (uint64_t)t->begin_ms) < 0 || put_u64(&ents, (uint64_t)t->finish_ms) < 0 ||
		    put_u64(&ents, (uint64_t)t->precommit_ms) < 0 ||
		    put_u64(&ents, (uint64_t)t->timeout_s) < 0 || put_u64(&ents, t->commit_seq) < 0 ||
		    put_u32(&ents, (uint32_t)t->state) < 0 ||
		    put_str(&ents, t->label.p, t->label.n) < 0 ||
		    put_str(&ents, t->table.p, t->table.n) < 0 ||
		    put_str(&ents, t->reason.p, t->reason.n) < 0 ||
		    put_u32(&ents, t->nrs) < 0 || put_str(&ents, t->rs ? t->rs : "", t->rslen) < 0 ||
		    put_u64(&ents, (uint64_t)(t->att_off < 0 ? 0 : t->att_off)) < 0 ||
		    put_u32(&ents, t->attach.n) < 0 || put_u32(&ents, acrc) < 0 ||
		    put_u32(&ents, (uint32_t)t->slot) < 0 ||
		    put_u32(&ents, (uint32_t)(t->rsver ? t->rsver : 1)) < 0)
			goto out;
		sl_u32_pack(ents.p + at, (uint32_t)(ents.len - at - 8));
		sl_u32_pack(ents.p + at + 4, crc_of(ents.p + at + 8, ents.len - at - 8));
		if (isl)
			live[nlive++] = (uint32_t)nent;
		eid[nent] = t->id;
		eoff[nent++] = (uint32_t)at;    /* relative for now; checked below */
		if (ents.len > UINT32_MAX)
			goto out;
	}
	while (nbkt < 2 * nent) {
		if (nbkt > UINT32_MAX / 4)
			goto out;
		nbkt *= 2;
	}
	head = CKPT_LIVE + 4 * nlive + 4 + 16 * nent + 12 * (size_t)nbkt;
	if (head + ents.len > UINT32_MAX)
		goto out;
	for (i = 0; i < nent; i++)
		eoff[i] += (uint32_t)head;
	if (!(bkt = calloc(nbkt, sizeof *bkt)) || !(bhash = calloc(nbkt, sizeof *bhash)))
		goto out;
	for (i = 0; i < nent; i++) {
		txrec *t = log_find(&ls, eid[i]);
		uint32_t hh = label_hash(t->label.p, t->label.n), k = hh & (nbkt - 1);
		while (bkt[k])
			k = (k + 1) & (nbkt - 1);
		bkt[k] = eoff[i];
		bhash[k] = hh;
	}
	/* the tables section, appended to ents */
	tbl = ents.len;
	if (put_u32(&ents, (uint32_t)ls.ntb) < 0)
		goto out;
	for (i = 0; i < ls.ntb; i++)
		if (put_u64(&ents, (uint64_t)ls.tb[i].id) < 0 ||
		    put_str(&ents, ls.tb[i].name.p, ls.tb[i].name.n) < 0)
			goto out;
	if (put_u32(&ents, crc_of(ents.p + tbl, ents.len - tbl)) < 0 || head + ents.len > UINT32_MAX)
		goto out;
	if (sl_buf_reserve(&b, head + ents.len + 4) < 0 ||
	    sl_buf_put(&b, CKPT_MAGIC, 4) < 0 || put_u32(&b, CKPT_VERSION) < 0 ||
	    put_u64(&b, (uint64_t)sb.st_ino) < 0 || put_u64(&b, ls.valid) < 0 ||
	    put_u64(&b, ls.last_off) < 0 || put_u32(&b, ls.last_len) < 0 ||
	    put_u32(&b, ls.last_crc) < 0 || put_u64(&b, (uint64_t)ls.max_id) < 0 ||
	    put_u64(&b, (uint64_t)ls.max_table_id) < 0 || put_u64(&b, ls.seq) < 0 ||
	    put_u32(&b, (uint32_t)nent) < 0 || put_u32(&b, (uint32_t)nlive) < 0 ||
	    put_u32(&b, nbkt) < 0 || put_u64(&b, head + ents.len) < 0 ||
	    put_u32(&b, ls.pcrc) < 0 || put_u64(&b, head + tbl) < 0 ||
	    put_u32(&b, crc_of(b.p, b.len)) < 0)
		goto out;
	for (i = 0; i < nlive; i++)
		if (put_u32(&b, eoff[live[i]]) < 0)
			goto out;
	if (put_u32(&b, crc_of(b.p + CKPT_LIVE, 4 * nlive)) < 0)
		goto out;
	for (i = 0; i < nent; i++) {
		size_t at = b.len;
		if (put_u64(&b, (uint64_t)eid[i]) < 0 || put_u32(&b, eoff[i]) < 0 ||
		    put_u32(&b, crc_of(b.p + at, 12)) < 0)
			goto out;
	}
	for (i = 0; i < nbkt; i++) {
		size_t at = b.len;
		sl_u32_pack(x, (uint32_t)i);
		if (put_u32(&b, bkt[i]) < 0 || put_u32(&b, bhash[i]) < 0 ||
		    put_u32(&b, (uint32_t)crc32(crc32(0, (const Bytef *)x, 4),
						(const Bytef *)b.p + at, 8)) < 0)
			goto out;
	}
	if (b.len != head || sl_buf_put(&b, ents.p, ents.len) < 0)
		goto out;
	(void)sl_file_write_atomic(ck, b.p, b.len, 0644);
out:
	free(eoff);
	free(eid);
	free(live);
	free(bkt);
	free(bhash);
	sl_buf_free(&ents);
	sl_buf_free(&b);
	log_free(&ls);
	errno = e;
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

static int txn_lock_path(sl_store *st, const char *db, int64_t id, char *p)
{
	return pathf(p, "%s/%s/txn/%lld.lock", st->dir, db, (long long)id);
}

/*
 * Lock slots <db>/txn/slot-<k>: a begin (under the db lock) takes the first
 * slot it can flock, writes "<id> <nrowsets> P\n" into it (fixed width,
 * SLOT_LEN bytes) and keeps it locked while the txn's process lives; each
 * rowset it starts rewrites the count first. Slots are never unlinked, so
 * a load creates and deletes no inode for its lock. The owner of txn id in
 * slot k is alive iff slot k is locked and names id. txn_gc marks a free
 * slot whose txn's files are settled 'F'. Nothing in a slot needs to
 * survive a crash: after one, no slot is locked.
 */
static int slot_path(sl_store *st, const char *db, int k, char *p)
{
	return pathf(p, "%s/%s/txn/slot-%d", st->dir, db, k);
}

static int slot_write(int fd, int64_t id, unsigned nrs, char flag)
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

/* 1 a slot record, 0 not (empty, torn, garbage). */
static int slot_read(int fd, int64_t *id, unsigned *nrs, char *flag)
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

/* The number of rowsets t's owner started, from its slot; 0 when the
 * slot names another txn (or t has no slot). */
static unsigned slot_nrowsets(sl_store *st, const char *db, const txrec *t)
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
	if (!slot_read(fd, &id, &n, &fl) || id != t->id)
		n = 0;
	close(fd);
	errno = e;
	return n;
}

/* Under the db lock: take the first free slot. fd (flock'd, O_CLOEXEC),
 * *k its number; -1 errno (EAGAIN: SLOT_MAX live txns). */
static int slot_take(sl_store *st, const char *db, int *k)
{
	char p[PATH_MAX];
	int i, fd;

	for (i = 0; i < SLOT_MAX; i++) {
		if (slot_path(st, db, i, p) < 0)
			return -1;
		fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 && errno == ENOENT) {
			char td[PATH_MAX];
			if (pathf(td, "%s/%s/txn", st->dir, db) > 0 && mkdir(td, 0755) == 0)
				fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		}
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			*k = i;
			return fd;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close_keep_errno(fd);
			return -1;
		}
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/* Is the owner of a PREPARE txn gone? Its slot is free or names another
 * txn; a version 1 txn: nobody holds txn/<id>.lock. */
static int owner_dead(sl_store *st, const char *db, const txrec *t)
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
		dead = !slot_read(fd, &id, &n, &fl) || id != t->id;
	}
	close(fd);
	errno = e;
	return dead;
}

/* NULL, or the reason a live-looking txn is in fact aborted. */
static const char *lazy_abort_reason(sl_store *st, const char *db, const txrec *t, int64_t now)
{
	if (t->state == SL_TXN_PREPARE) {
		if (t->timeout_s > 0 && t->timeout_s < SECONDS_MAX &&
		    now > t->begin_ms + t->timeout_s * 1000)
			return SL_TXN_REASON_TIMEOUT;
		if (owner_dead(st, db, t))
			return SL_TXN_REASON_DEAD;
	} else if (t->state == SL_TXN_PRECOMMITTED) {
		if (now > t->precommit_ms + st->precommit_timeout_second * 1000)
			return SL_TXN_REASON_TIMEOUT;
	}
	return 0;
}

static void fcopy(char *dst, size_t cap, sl_field f)
{
	size_t n = f.n < cap - 1 ? f.n : cap - 1;
	memcpy(dst, f.p, n);
	dst[n] = 0;
}

static uint64_t rs_total(const txrec *t)
{
	cursor c = { t->rs, t->rslen, 0 };
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < t->nrs && !c.bad; i++) {
		sl_field nm;
		uint64_t rows, size;
		uint32_t x;
		rs_next(&c, t->rsver, &nm, &rows, &size, &x);
		sum += rows;
	}
	return sum;
}

static int info_fill(sl_txninfo *ti, logstate *ls, txrec *t)
{
	sl_buf att;

	if (!ti)
		return 1;
	if (att_load(ls, t) < 0)
		return -1;
	att = ti->attach;
	memset(ti, 0, sizeof *ti);
	ti->id = t->id;
	fcopy(ti->label, sizeof ti->label, t->label);
	fcopy(ti->table, sizeof ti->table, t->table);
	ti->state = t->state;
	ti->begin_ms = t->begin_ms;
	ti->finish_ms = t->state == SL_TXN_PRECOMMITTED ? t->precommit_ms : t->finish_ms;
	ti->timeout_s = t->timeout_s;
	fcopy(ti->reason, sizeof ti->reason, t->reason);
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
	if (rec_start(&w->rec, &mark, 'A', t->id, now) < 0 ||
	    put_str(&w->rec, reason, rlen) < 0)
		return -1;
	rec_end(&w->rec, mark);
	t->state = SL_TXN_ABORTED;
	t->finish_ms = now;
	t->reason.p = reason;
	t->reason.n = (uint32_t)rlen;
	return 1;
}

/* A version 1 txn (no slot). Best effort: unlink the rowset files
 * (finished and temporary, when files) and then the lock file of a
 * finished txn. The lock file goes last: while it exists, txn_gc knows
 * the txn may have left files. */
static void txn_cleanup(sl_store *st, const char *db, const char *table, int64_t id, int files)
{
	char p[PATH_MAX], pre[64], tpre[64];
	DIR *d;
	struct dirent *de;
	int e = errno;
	size_t np, ntp;

	if (files && pathf(p, "%s/%s/%s/data", st->dir, db, table) > 0 && (d = opendir(p))) {
		np = (size_t)snprintf(pre, sizeof pre, "%lld-", (long long)id);
		ntp = (size_t)snprintf(tpre, sizeof tpre, ".%lld-", (long long)id);
		while ((de = readdir(d))) {
			char f[PATH_MAX];
			if ((strncmp(de->d_name, pre, np) && strncmp(de->d_name, tpre, ntp)) ||
			    pathf(f, "%s/%s", p, de->d_name) < 0)
				continue;
			unlink(f);
		}
		closedir(d);
	}
	if (txn_lock_path(st, db, id, p) > 0)
		unlink(p);
	errno = e;
}

/* Best effort: unlink the rowset files, finished and temporary, of the
 * finished txn t (ABORTED). nrs: the rowsets its owner started (from its
 * slot; 0 unknown). Without listing the data directory: the files named
 * by its P record, then <id>-<n>.rs and .<id>-<n>.rs.tmp for n = 0, 1,
 * ... until n >= nrs and neither exists. */
static void files_clean(sl_store *st, const char *db, const txrec *t, unsigned nrs)
{
	char dir[PATH_MAX], f[PATH_MAX], tb[65];
	cursor c = { t->rs, t->rslen, 0 };
	uint32_t i;
	unsigned k;
	int e = errno;

	fcopy(tb, sizeof tb, t->table);
	if (t->slot < 0) {
		txn_cleanup(st, db, tb, t->id, 1);
		return;
	}
	if (pathf(dir, "%s/%s/%s/data", st->dir, db, tb) < 0)
		goto out;
	for (i = 0; t->rs && i < t->nrs; i++) {
		sl_field nm;
		uint64_t rows, size;
		uint32_t sum;
		rs_next(&c, t->rsver, &nm, &rows, &size, &sum);
		if (c.bad)
			break;
		if (!nm.n || memchr(nm.p, '/', nm.n) || nm.p[0] == '.')
			continue;
		if (pathf(f, "%s/%.*s", dir, (int)nm.n, nm.p) > 0)
			unlink(f);
	}
	for (k = 0; k < UINT32_MAX; k++) {
		int gone = 0;
		if (pathf(f, "%s/%lld-%u.rs", dir, (long long)t->id, k) < 0)
			break;
		gone += unlink(f) < 0 && errno == ENOENT;
		if (pathf(f, "%s/.%lld-%u.rs.tmp", dir, (long long)t->id, k) < 0)
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
	named = slot_read(fd, &id, &nrs, &fl);
	if (named && id > ls->slot_max)
		ls->slot_max = id;      /* the next id goes above it */
	if (named && fl != 'F') {
		t = log_get(ls, id, &tmp, &damaged);
		if (damaged) {
			close(fd);
			return;         /* cannot tell: the next begin will */
		}
		if (t && t->state == SL_TXN_ABORTED)
			files_clean(st, db, t, nrs);
		if (isfree && !(t && t->state == SL_TXN_PREPARE))
			(void)slot_write(fd, id, nrs, 'F');
	}
	close(fd);
}

/* Under the database lock: finish the cleanup of txns whose process died
 * before doing it (the slots name the last txn of each; version 1 txns:
 * txn/ lists every one that may have left files), and remove lock files
 * of version 1 begins killed before their BEGIN record. */
static void txn_gc(sl_store *st, const char *db, logstate *ls, int64_t skip)
{
	char p[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int e = errno;

	if (pathf(p, "%s/%s/txn", st->dir, db) < 0 || !(d = opendir(p))) {
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
			if (pathf(sp, "%s/%s", p, de->d_name) > 0)
				slot_gc(st, db, ls, sp);
			continue;
		}
		if (end == de->d_name || strcmp(end, ".lock") || id == skip)
			continue;
		t = log_get(ls, id, &tmp, &damaged);
		if (damaged)
			continue;
		if (t && t->state == SL_TXN_PREPARE)
			continue;
		if (t && t->state == SL_TXN_ABORTED) {
			fcopy(tb, sizeof tb, t->table);
			txn_cleanup(st, db, tb, id, 1);
		} else {
			txn_cleanup(st, db, "", id, 0);
		}
	}
	closedir(d);
	errno = e;
}

int sl_txn_begin(sl_store *st, const char *db, const char *table, const char *label,
	int64_t timeout_s, sl_txn *t, sl_txninfo *existing)
{
	char tdir[PATH_MAX];
	logw w;
	struct stat sb;
	int64_t now, tid, id;
	size_t i, nlab = strlen(label), mark, *swept = 0, nswept = 0;
	txrec *holder = 0;
	int lfd = -1, ret = -1, slot = -1;
	uint64_t off;
	ckkey key = KEY_NONE;

	if (sl_name_valid(db) < 0 || table_name_valid(table) < 0) {
		errno = ENOENT;
		return -1;
	}
	if (nlab == 0 || nlab > 128) {
		errno = EINVAL;
		return -1;
	}
	if (pathf(tdir, "%s/%s/%s", st->dir, db, table) < 0)
		return -1;
	key.kind = CK_LABEL;
	key.label = label;
	key.nlab = nlab;
	if (logw_open(st, db, &w, &key) < 0)
		return -1;
	tid = table_id_read(tdir);
	if (tid < 0) {
		errno = ENOENT;
		goto out;
	}
	if (tb_last(&w.ls, table) && tb_last(&w.ls, table) != tid) {
		corrupt("%s/%s/tableid: table id %lld, but the log created %s.%s as %lld", db,
			table, (long long)tid, db, table, (long long)tb_last(&w.ls, table));
		goto out;
	}
	now = sl_now_ms();
	/* sweep: record the aborts the log does not know about yet */
	for (i = 0; i < w.ls.ntx; i++) {
		txrec *x = &w.ls.tx[i];
		const char *why;
		if (x->state != SL_TXN_PREPARE && x->state != SL_TXN_PRECOMMITTED)
			continue;
		if (!(why = lazy_abort_reason(st, db, x, now)))
			continue;
		if (!(nswept & (nswept - 1))) {
			size_t *nv = realloc(swept, (nswept ? nswept * 2 : 1) * sizeof *nv);
			if (!nv) {
				errno = ENOMEM;
				goto out;
			}
			swept = nv;
		}
		swept[nswept++] = i;
		if (abort_rec(&w, x, why, strlen(why), now) < 0)
			goto out;
	}
	for (i = w.ls.ntx; i-- > 0;) {
		txrec *x = &w.ls.tx[i];
		if (x->label.n != nlab || memcmp(x->label.p, label, nlab))
			continue;
		if (x->state == SL_TXN_ABORTED)
			continue;
		if (x->state == SL_TXN_VISIBLE &&
		    now - x->finish_ms >= st->label_keep_max_second * 1000)
			continue;
		holder = x;
		break;
	}
	if (holder && info_fill(existing, &w.ls, holder) < 0)
		goto out;
	/* the aborts are durable before their files go */
	if (logw_flush(&w) < 0)
		goto out;
	for (i = 0; i < nswept; i++) {
		txrec *x = &w.ls.tx[swept[i]];
		files_clean(st, db, x, slot_nrowsets(st, db, x));
	}
	txn_gc(st, db, &w.ls, 0);
	if (holder) {
		ret = 0;
		goto out;
	}
	/* never an id used before, even if the log lost its BEGIN (a torn
	 * tail cut, a repair): the slots name the last ids taken */
	id = (w.ls.max_id > w.ls.slot_max ? w.ls.max_id : w.ls.slot_max) + 1;
	if ((lfd = slot_take(st, db, &slot)) < 0 || slot_write(lfd, id, 0, 'P') < 0)
		goto out;
	if (rec_start(&w.rec, &mark, 'B', id, now) < 0 ||
	    put_u64(&w.rec, (uint64_t)tid) < 0 ||
	    put_u64(&w.rec, (uint64_t)(timeout_s > 0 ? timeout_s : 0)) < 0 ||
	    put_str(&w.rec, label, nlab) < 0 ||
	    put_str(&w.rec, table, strlen(table)) < 0 ||
	    put_u32(&w.rec, (uint32_t)slot) < 0)
		goto out;
	w.rec.p[mark + 9] = 2;          /* BEGIN version 2: with its slot */
	rec_end(&w.rec, mark);
	off = w.ls.valid;
	if (fstat(w.ls.fd, &sb) < 0 || logw_flush(&w) < 0)
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
	lfd = -1;
	ret = 1;
out:
	/* a slot taken for a BEGIN that did not make it: its id names no txn */
	close_keep_errno(lfd);
	free(swept);
	logw_close(&w);
	return ret;
}

void sl_txn_release(sl_txn *t)
{
	if (t->lockfd >= 0)
		close_keep_errno(t->lockfd);
	t->lockfd = -1;
}

/* ---------------------------------------------------------------- rowsets */

/*
 * Rowset file:
 *   "SLRS" hlen:u32 header[hlen] hcrc:u32
 *     header = version:u16 flags:u16 codec:u32 txn_id:u64 version_lo:u64
 *              version_hi:u64 table_id:u64 rowset_no:u32 nkeys:u32
 *              block_target:u32 ncols:u32 { name:str type:str }*ncols
 *   blocks: "SLRB" raw_len:u32 comp_len:u32 nrows:u32 crc:u32 comp[comp_len]
 *     crc = crc32 of the first 16 bytes, continued over comp; raw = nrows
 *     times (len:u32 + R payload)
 *   footer: "SLRE" rows:u64 nblocks:u64 crc:u32 (crc of the first 20 bytes),
 *     then 4 bytes of nothing
 *   version 2 footer: "SLRE" rows:u64 nblocks:u64 sum:u32 crc:u32 (of the
 *     first 24), where sum = CRC-32 over hcrc and then each block's crc
 *     (4 bytes BE each): the whole file's content in one number
 * flags: bit 0 SORTED (rows sorted by the first nkeys columns); 0 for now.
 * The commit record names each file with its rows, size and sum (version
 * 2), and the header names its txn, table id and rowset number: a reader
 * checks all of them, so a file swapped for another valid one, truncated
 * or extended is refused (EPROTO), never read as this txn's rows.
 */
#define RS_FLAG_SORTED 0x1

struct sl_rowset_writer {
	int fd;
	char tmp[PATH_MAX], fin[PATH_MAX], dir[PATH_MAX];
	sl_buf raw;
	char *cbuf;
	size_t ccap;
	uint32_t brows;
	uint64_t rows, nblocks;
	uint32_t sum;           /* over hcrc and the block crcs (footer) */
};

/* Continue a rowset sum with one 4-byte CRC. */
static uint32_t rs_sum(uint32_t sum, uint32_t crc)
{
	char x[4];
	sl_u32_pack(x, crc);
	return (uint32_t)crc32(sum, (const Bytef *)x, 4);
}

static int rs_flush_block(sl_rowset_writer *w)
{
	int bound, c;
	uint32_t crc;

	if (!w->brows)
		return 1;
	if (w->raw.len > LZ4_MAX_INPUT_SIZE) {
		errno = EFBIG;
		return -1;
	}
	bound = LZ4_compressBound((int)w->raw.len);
	if ((size_t)bound + RS_BLOCK_HDR > w->ccap) {
		char *nb = realloc(w->cbuf, (size_t)bound + RS_BLOCK_HDR);
		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		w->cbuf = nb;
		w->ccap = (size_t)bound + RS_BLOCK_HDR;
	}
	c = LZ4_compress_default(w->raw.p, w->cbuf + RS_BLOCK_HDR, (int)w->raw.len, bound);
	if (c <= 0) {
		errno = EIO;
		return -1;
	}
	memcpy(w->cbuf, "SLRB", 4);
	sl_u32_pack(w->cbuf + 4, (uint32_t)w->raw.len);
	sl_u32_pack(w->cbuf + 8, (uint32_t)c);
	sl_u32_pack(w->cbuf + 12, w->brows);
	crc = (uint32_t)crc32(0, (const Bytef *)w->cbuf, 16);
	crc = (uint32_t)crc32(crc, (const Bytef *)w->cbuf + RS_BLOCK_HDR, (uInt)c);
	sl_u32_pack(w->cbuf + 16, crc);
	w->sum = rs_sum(w->sum, crc);
	if (sl_allwrite(w->fd, w->cbuf, RS_BLOCK_HDR + (size_t)c) < RS_BLOCK_HDR + (size_t)c)
		return -1;
	w->nblocks++;
	w->brows = 0;
	w->raw.len = 0;
	return 1;
}

sl_rowset_writer *sl_rowset_create(sl_txn *t, size_t ncols, const sl_colspec *cols)
{
	sl_rowset_writer *w = calloc(1, sizeof *w);
	sl_buf h = SL_BUF_ZERO;
	unsigned n = t->nrowsets;
	size_t i;
	int e;

	if (!w) {
		errno = ENOMEM;
		return 0;
	}
	w->fd = -1;
	if (pathf(w->dir, "%s/%s/%s/data", t->st->dir, t->db, t->table) < 0 ||
	    pathf(w->tmp, "%s/.%lld-%u.rs.tmp", w->dir, (long long)t->id, n) < 0 ||
	    pathf(w->fin, "%s/%lld-%u.rs", w->dir, (long long)t->id, n) < 0)
		goto fail;
	/* header payload, framed below */
	/* the slot counts the rowsets before their files exist: commit and
	 * cleanup look for exactly those */
	if (t->slot >= 0 && t->lockfd >= 0 && slot_write(t->lockfd, t->id, n + 1, 'P') < 0)
		goto fail;
	if (sl_buf_put(&h, "SLRS\0\0\0\0", 8) < 0 ||
	    sl_buf_put(&h, "\0\2\0\0", 4) < 0 ||         /* version 2, flags 0 */
	    put_u32(&h, RS_CODEC_LZ4) < 0 ||
	    put_u64(&h, (uint64_t)t->id) < 0 ||
	    put_u64(&h, (uint64_t)t->id) < 0 ||
	    put_u64(&h, (uint64_t)t->id) < 0 ||
	    put_u64(&h, (uint64_t)t->table_id) < 0 ||
	    put_u32(&h, n) < 0 || put_u32(&h, 0) < 0 ||
	    put_u32(&h, RS_BLOCK_TARGET) < 0 || put_u32(&h, (uint32_t)ncols) < 0)
		goto fail;
	for (i = 0; i < ncols; i++)
		if (put_str(&h, cols[i].name.p, cols[i].name.n) < 0 ||
		    put_str(&h, cols[i].type.p, cols[i].type.n) < 0)
			goto fail;
	sl_u32_pack(h.p + 4, (uint32_t)(h.len - 8));
	w->sum = rs_sum(0, (uint32_t)crc32(0, (const Bytef *)h.p + 8, (uInt)(h.len - 8)));
	if (put_u32(&h, (uint32_t)crc32(0, (const Bytef *)h.p + 8, (uInt)(h.len - 8))) < 0)
		goto fail;
	/* never over an existing file: ids are never reused, so one there
	 * is somebody else's (EEXIST) */
	w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0)
		goto fail;
	if (sl_allwrite(w->fd, h.p, h.len) < h.len) {
		e = errno;
		unlink(w->tmp);
		errno = e;
		goto fail;
	}
	if (sl_buf_reserve(&w->raw, RS_BLOCK_TARGET + 4096) < 0) {
		e = errno;
		unlink(w->tmp);
		errno = e;
		goto fail;
	}
	sl_buf_free(&h);
	t->nrowsets++;
	return w;
fail:
	e = errno;
	sl_buf_free(&h);
	if (w->fd >= 0)
		close(w->fd);
	sl_buf_free(&w->raw);
	free(w);
	errno = e;
	return 0;
}

int sl_rowset_add(sl_rowset_writer *w, const char *payload, size_t len)
{
	char n[4];

	if (len >= SL_NULL_LEN) {
		errno = ERANGE;
		return -1;
	}
	sl_u32_pack(n, (uint32_t)len);
	if (sl_buf_put(&w->raw, n, 4) < 0 || sl_buf_put(&w->raw, payload, len) < 0)
		return -1;
	w->brows++;
	w->rows++;
	if (w->raw.len >= RS_BLOCK_TARGET)
		return rs_flush_block(w);
	return 1;
}

/* rename, but never over an existing file (EEXIST). */
static int rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 1;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* a file system without RENAME_NOREPLACE: link fails on EEXIST too */
	if (link(from, to) < 0)
		return -1;
	return unlink(from) < 0 ? -1 : 1;
}

static void rs_free(sl_rowset_writer *w)
{
	if (w->fd >= 0)
		close_keep_errno(w->fd);
	sl_buf_free(&w->raw);
	free(w->cbuf);
	free(w);
}

int sl_rowset_finish(sl_rowset_writer *w, uint64_t *nrows)
{
	char f[RS_FOOTER2];
	int fd;

	if (rs_flush_block(w) < 0)
		goto fail;
	memcpy(f, "SLRE", 4);
	sl_u64_pack(f + 4, w->rows);
	sl_u64_pack(f + 12, w->nblocks);
	sl_u32_pack(f + 20, w->sum);
	sl_u32_pack(f + 24, (uint32_t)crc32(0, (const Bytef *)f, 24));
	if (sl_allwrite(w->fd, f, RS_FOOTER2) < RS_FOOTER2 || fdatasync(w->fd) < 0)
		goto fail;
	fd = w->fd;
	w->fd = -1;
	if (close(fd) < 0 || rename_noreplace(w->tmp, w->fin) < 0 || sl_fsync_dir(w->dir) < 0)
		goto fail;
	if (nrows)
		*nrows = w->rows;
	rs_free(w);
	return 1;
fail:
	{
		int e = errno;
		unlink(w->tmp);
		rs_free(w);
		errno = e;
	}
	return -1;
}

void sl_rowset_discard(sl_rowset_writer *w)
{
	int e = errno;
	unlink(w->tmp);
	rs_free(w);
	errno = e;
}

/* Where the footer's CRC is (it covers the bytes before it). */
static size_t rs_fcrc(int version)
{
	return version >= 2 ? 24 : 20;
}

/* What a rowset's header says about it. */
typedef struct rshdr {
	int version;
	int64_t txn_id, table_id;
	uint32_t rowset_no;
	uint32_t hcrc;
} rshdr;

/* Read and check a rowset's header. On success the fd is positioned at
 * the first block. 1, -1 errno (EPROTO: not a rowset, or truncated). */
static int rs_read_header(int fd, rshdr *out)
{
	char h[8];
	sl_buf b = SL_BUF_ZERO;
	uint32_t hlen;
	cursor c;

	errno = 0;
	if (sl_allread(fd, h, 8) < 8)
		goto short_read;
	hlen = sl_u32_unpack(h + 4);
	if (memcmp(h, "SLRS", 4) || hlen < 56 || hlen > (16u << 20))
		goto bad;
	if (sl_buf_reserve(&b, hlen + 4) < 0)
		return -1;
	if (sl_allread(fd, b.p, hlen + 4) < hlen + 4)
		goto short_read;
	if ((uint32_t)crc32(0, (const Bytef *)b.p, hlen) != sl_u32_unpack(b.p + hlen) ||
	    (sl_u16_unpack(b.p) != 1 && sl_u16_unpack(b.p) != RS_VERSION) ||
	    sl_u32_unpack(b.p + 4) != RS_CODEC_LZ4)
		goto bad;
	c.p = b.p + 8;
	c.n = hlen - 8;
	c.bad = 0;
	if (out) {
		out->version = sl_u16_unpack(b.p);
		out->txn_id = (int64_t)cur_u64(&c);
		cur_u64(&c);
		cur_u64(&c);
		out->table_id = (int64_t)cur_u64(&c);
		out->rowset_no = cur_u32(&c);
		out->hcrc = sl_u32_unpack(b.p + hlen);
	}
	sl_buf_free(&b);
	return 1;
short_read:
	if (errno) {
		int e = errno;
		sl_buf_free(&b);
		errno = e;
		return -1;
	}
	/* FALLTHROUGH */
bad:
	sl_buf_free(&b);
	errno = EPROTO;
	return -1;
}

/* What a commit record says of one rowset file (version 2: size, sum). */
typedef struct rsinfo { uint64_t rows, size; uint32_t sum; } rsinfo;

/* The row count, size and sum of a finished rowset of txn want_txn,
 * number want_no, from its header and footer. 1, -1 errno. */
static int rs_stat(const char *path, int64_t want_txn, uint32_t want_no, rsinfo *ri)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char f[RS_FOOTER2];
	struct stat sb;
	rshdr h;
	size_t fl;

	if (fd < 0)
		return -1;
	if (rs_read_header(fd, &h) < 0) {
		if (errno == EPROTO)
			corrupt("%s: not a rowset, or a damaged header", path);
		goto fail;
	}
	fl = h.version >= 2 ? RS_FOOTER2 : RS_FOOTER;
	if (h.txn_id != want_txn || h.rowset_no != want_no || fstat(fd, &sb) < 0 ||
	    (size_t)sb.st_size < fl || pread(fd, f, fl, sb.st_size - (off_t)fl) != (ssize_t)fl ||
	    memcmp(f, "SLRE", 4) || (uint32_t)crc32(0, (const Bytef *)f, (uInt)rs_fcrc(h.version)) !=
	    sl_u32_unpack(f + rs_fcrc(h.version))) {
		corrupt("%s: not rowset %u of txn %lld, or truncated", path, want_no,
			(long long)want_txn);
		goto fail;
	}
	ri->rows = sl_u64_unpack(f + 4);
	ri->size = (uint64_t)sb.st_size;
	ri->sum = h.version >= 2 ? sl_u32_unpack(f + 20) : 0;
	close(fd);
	return 1;
fail:
	close_keep_errno(fd);
	return -1;
}

/* Append one entry of a version 2 rowset list. */
static int rs_put(sl_buf *b, const char *name, const rsinfo *ri)
{
	if (put_str(b, name, strlen(name)) < 0 || put_u64(b, ri->rows) < 0 ||
	    put_u64(b, ri->size) < 0 || put_u32(b, ri->sum) < 0)
		return -1;
	return 1;
}

typedef struct rsent { unsigned n; char name[64]; rsinfo ri; } rsent;

static int rsent_cmp(const void *a, const void *b)
{
	unsigned x = ((const rsent *)a)->n, y = ((const rsent *)b)->n;
	return x < y ? -1 : x > y;
}

/* Append the encoded list of txn t's finished rowsets (nrs + entries) to
 * b without listing the data directory: <id>-<n>.rs for n below the
 * count in its slot (one may be missing: a discarded rowset), and on
 * while they exist. Under the db lock, t alive (its slot names it). 1, -1
 * errno. */
static int rs_probe(sl_store *st, const char *db, const txrec *t, const char *table, sl_buf *b)
{
	char dir[PATH_MAX], p[PATH_MAX], nm[64];
	unsigned k, nrs = slot_nrowsets(st, db, t);
	size_t at = b->len;
	uint32_t n = 0;
	rsinfo ri;

	if (pathf(dir, "%s/%s/%s/data", st->dir, db, table) < 0 || put_u32(b, 0) < 0)
		return -1;
	for (k = 0; k < UINT32_MAX; k++) {
		snprintf(nm, sizeof nm, "%lld-%u.rs", (long long)t->id, k);
		if (pathf(p, "%s/%s", dir, nm) < 0)
			return -1;
		if (rs_stat(p, t->id, k, &ri) < 0) {
			if (errno != ENOENT)
				return -1;
			if (k >= nrs)
				break;
			continue;
		}
		if (rs_put(b, nm, &ri) < 0)
			return -1;
		n++;
	}
	sl_u32_pack(b->p + at, n);
	return 1;
}

/* Append the encoded list of txn id's finished rowsets (nrs + entries) to
 * b, listing the data directory: for version 1 txns. 1, -1 errno. */
static int rs_collect(sl_store *st, const char *db, const char *table, int64_t id, sl_buf *b)
{
	char dir[PATH_MAX], pre[32];
	DIR *d;
	struct dirent *de;
	rsent *v = 0;
	size_t n = 0, cap = 0, np, i;
	int ret = -1;

	if (pathf(dir, "%s/%s/%s/data", st->dir, db, table) < 0)
		return -1;
	np = (size_t)snprintf(pre, sizeof pre, "%lld-", (long long)id);
	if (!(d = opendir(dir)))
		return -1;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		char *end;
		unsigned long k;
		if (strncmp(nm, pre, np))
			continue;
		errno = 0;
		k = strtoul(nm + np, &end, 10);
		if (errno || end == nm + np || strcmp(end, ".rs") || k > UINT32_MAX ||
		    strlen(nm) >= sizeof v->name)
			continue;
		if (n == cap) {
			rsent *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *nv);
			if (!nv) {
				errno = ENOMEM;
				goto out;
			}
			v = nv;
		}
		v[n].n = (unsigned)k;
		memcpy(v[n].name, nm, strlen(nm) + 1);   /* length checked above */
		n++;
	}
	if (n)
		qsort(v, n, sizeof *v, rsent_cmp);
	if (put_u32(b, (uint32_t)n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		char p[PATH_MAX];
		if (pathf(p, "%s/%s", dir, v[i].name) < 0 || rs_stat(p, id, v[i].n, &v[i].ri) < 0 ||
		    rs_put(b, v[i].name, &v[i].ri) < 0)
			goto out;
	}
	ret = 1;
out:
	{
		int e = errno;
		closedir(d);
		free(v);
		errno = e;
	}
	return ret;
}

/* ---------------------------------------------------------------- commit */

int sl_txn_commit(sl_store *st, const char *db, int64_t id, int precommit,
	const char *attach, size_t alen, sl_txninfo *cur)
{
	logw w;
	txrec *t = 0;
	int64_t now;
	const char *why;
	size_t mark;
	int ret = -1, clean = 0, v1 = 0;
	int two = precommit == SL_TXN_COMMIT_2PC, pre = precommit && !two;
	char table[65] = "";
	ckkey key = { CK_ID, id, 0, 0 };

	if (alen > ATTACH_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (logw_open(st, db, &w, &key) < 0) {
		if (errno == ENOENT)
			errno = ENOTDIR;
		return -1;
	}
	if (!(t = log_find(&w.ls, id))) {
		errno = ENOENT;
		goto out;
	}
	fcopy(table, sizeof table, t->table);
	now = sl_now_ms();
	if ((why = lazy_abort_reason(st, db, t, now))) {
		if (abort_rec(&w, t, why, strlen(why), now) < 0 || logw_flush(&w) < 0)
			goto out;
		clean = 1;
	}
	if (t->state == SL_TXN_PREPARE && !two) {
		char tdir[PATH_MAX];
		int64_t cur_tid;
		if (pathf(tdir, "%s/%s/%.*s", st->dir, db, (int)t->table.n, t->table.p) < 0)
			goto out;
		cur_tid = table_id_read(tdir);
		if (cur_tid < 0 && errno != ENOENT)
			goto out;
		if (cur_tid != t->table_id) {
			if (abort_rec(&w, t, SL_TXN_REASON_DROPPED,
				      strlen(SL_TXN_REASON_DROPPED), now) < 0 || logw_flush(&w) < 0)
				goto out;
			clean = 1;
		} else {
			size_t lstart, lend;
			if (rec_start(&w.rec, &mark, pre ? 'P' : 'C', id, now) < 0)
				goto out;
			w.rec.p[mark + 9] = 2;  /* version 2: rowsets with size and sum */
			lstart = w.rec.len;
			if ((t->slot >= 0 ? rs_probe(st, db, t, table, &w.rec)
			     : rs_collect(st, db, table, id, &w.rec)) < 0)
				goto out;
			lend = w.rec.len;
			if (put_str(&w.rec, attach ? attach : "", attach ? alen : 0) < 0)
				goto out;
			rec_end(&w.rec, mark);
			if (logw_flush(&w) < 0)
				goto out;
			/* w.rec keeps its bytes until logw_close: point t at them */
			t->nrs = sl_u32_unpack(w.rec.p + lstart);
			t->rsver = 2;
			t->rs = w.rec.p + lstart + 4;
			t->rslen = lend - lstart - 4;
			if (pre) {
				t->state = SL_TXN_PRECOMMITTED;
				t->precommit_ms = now;
			} else {
				t->state = SL_TXN_VISIBLE;
				t->finish_ms = now;
			}
			t->attach.p = attach ? attach : "";
			t->attach.n = attach ? (uint32_t)alen : 0;
			ret = 1;
			goto done;
		}
	}
	if (t->state == SL_TXN_PRECOMMITTED && !pre) {
		sl_field att;
		if (!alen && att_load(&w.ls, t) < 0)
			goto out;
		att = alen ? (sl_field){ attach, (uint32_t)alen } : t->attach;
		if (rec_start(&w.rec, &mark, 'C', id, now) < 0)
			goto out;
		w.rec.p[mark + 9] = (char)t->rsver;     /* the precommit's list, as is */
		if (put_u32(&w.rec, t->nrs) < 0 ||
		    sl_buf_put(&w.rec, t->rs, t->rslen) < 0 ||
		    put_str(&w.rec, att.p, att.n) < 0)
			goto out;
		rec_end(&w.rec, mark);
		if (logw_flush(&w) < 0)
			goto out;
		t->state = SL_TXN_VISIBLE;
		t->finish_ms = now;
		t->attach = att;
		ret = 1;
		goto done;
	}
	/* wrong state (possibly just recorded as aborted) */
	ret = 0;
done:
	/* once committed, say so even if *cur cannot be filled (ENOMEM) */
	if (info_fill(cur, &w.ls, t) < 0 && ret == 0)
		ret = -1;
out:
	/* an abort recorded here: its files go (still under the lock, while
	 * its slot names it; txn_gc redoes this if we die first) */
	if (t && clean)
		files_clean(st, db, t, slot_nrowsets(st, db, t));
	v1 = t && t->slot < 0;
	logw_close(&w);
	if (ret == 1 && v1)
		txn_cleanup(st, db, table, id, 0);
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
	if (logw_open(st, db, &w, &key) < 0) {
		if (errno == ENOENT)
			errno = ENOTDIR;
		return -1;
	}
	if (!(t = log_find(&w.ls, id))) {
		errno = ENOENT;
		goto out;
	}
	fcopy(table, sizeof table, t->table);
	if (t->state == SL_TXN_PREPARE || t->state == SL_TXN_PRECOMMITTED) {
		if (abort_rec(&w, t, reason, strlen(reason), sl_now_ms()) < 0 ||
		    logw_flush(&w) < 0)
			goto out;
		ret = 1;
	} else {
		ret = 0;
	}
	if (info_fill(cur, &w.ls, t) < 0 && ret == 0)
		ret = -1;
out:
	if (t && ret == 1)
		files_clean(st, db, t, slot_nrowsets(st, db, t));
	logw_close(&w);
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
	int r = log_load(st, db, &ls, &key);

	if (r <= 0)
		return r < 0 ? -1 : (errno = ENOTDIR, -1);
	r = 0;
	if ((t = log_find(&ls, id)) && !forgotten(st, t, sl_now_ms())) {
		effective(st, db, t);
		r = info_fill(out, &ls, t) < 0 ? -1 : 1;
	}
	log_free(&ls);
	return r;
}

int sl_txn_lookup_own(sl_txn *t, sl_txninfo *out)
{
	char p[PATH_MAX];
	struct stat sb;
	logstate ls;
	txrec *x;
	int r;

	log_init(&ls);
	if (!t->log_ino || pathf(p, "%s/%s/txnlog", t->st->dir, t->db) < 0)
		goto full;
	ls.fd = open(p, O_RDONLY | O_CLOEXEC);
	if (ls.fd < 0 || fstat(ls.fd, &sb) < 0 || (uint64_t)sb.st_ino != t->log_ino)
		goto full;
	snprintf(ls.name, sizeof ls.name, "%s/txnlog", t->db);
	/* records about t all follow its BEGIN: fold the log from there */
	ls.base = ls.valid = (size_t)t->log_off;
	if (log_read(&ls, 0, &KEY_NONE) < 0) {
		log_free(&ls);
		return -1;
	}
	x = ls.ntx ? &ls.tx[0] : 0;
	if (!x || x->id != t->id || x->slot != t->slot || x->label.n != strlen(t->label) ||
	    memcmp(x->label.p, t->label, x->label.n))
		goto full;
	effective(t->st, t->db, x);
	r = info_fill(out, &ls, x) < 0 ? -1 : 1;
	log_free(&ls);
	return r;
full:
	log_free(&ls);
	return sl_txn_lookup_id(t->st, t->db, t->id, out);
}

int sl_txn_lookup_label(sl_store *st, const char *db, const char *label, sl_txninfo *out)
{
	logstate ls;
	txrec *newest = 0, *holder = 0;
	size_t i, n = strlen(label);
	int64_t now = sl_now_ms();
	ckkey key = { CK_LABEL, 0, label, n };
	int r = log_load(st, db, &ls, &key);

	if (r <= 0)
		return r < 0 ? -1 : (errno = ENOTDIR, -1);
	for (i = ls.ntx; i-- > 0;) {
		txrec *t = &ls.tx[i];
		if (t->label.n != n || memcmp(t->label.p, label, n) || forgotten(st, t, now))
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
	log_free(&ls);
	return r;
}

/* ---------------------------------------------------------------- tables */

int sl_table_create(sl_store *st, const char *db, const char *table, const char *ddl)
{
	char dbdir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX], idtxt[32];
	logw w;
	int64_t tid, now;
	size_t mark;
	int ret = -1;

	if (table_name_valid(table) < 0)
		return -1;
	if (!sl_db_exists(st, db)) {
		errno = ENOENT;
		return -1;
	}
	if (pathf(dbdir, "%s/%s", st->dir, db) < 0 || pathf(path, "%s/%s", dbdir, table) < 0 ||
	    pathf(tmp, "%s/.tmp.tbl.%s.%ld", dbdir, table, (long)getpid()) < 0)
		return -1;
	if (logw_open(st, db, &w, &KEY_NONE) < 0)
		return -1;
	sweep_dir(dbdir);
	if (access(path, F_OK) == 0) {
		ret = 0;
		goto out;
	}
	/* the new id is recorded before the table appears, so that no later
	 * CREATE of the same name can reuse it and see this one's data */
	tid = w.ls.max_table_id + 1;
	now = sl_now_ms();
	rm_rf(tmp);
	if (mkdir(tmp, 0755) < 0)
		goto out;
	snprintf(idtxt, sizeof idtxt, "%lld\n", (long long)tid);
	if (pathf(p, "%s/data", tmp) < 0 || mkdir(p, 0755) < 0 ||
	    pathf(p, "%s/schema.sql", tmp) < 0 || write_synced(p, ddl, strlen(ddl)) < 0 ||
	    pathf(p, "%s/tableid", tmp) < 0 || write_synced(p, idtxt, strlen(idtxt)) < 0 ||
	    sl_fsync_dir(tmp) < 0)
		goto out_tmp;
	if (rec_start(&w.rec, &mark, 'T', tid, now) < 0 ||
	    put_str(&w.rec, table, strlen(table)) < 0)
		goto out_tmp;
	rec_end(&w.rec, mark);
	if (logw_flush(&w) < 0)
		goto out_tmp;
	if (rename(tmp, path) < 0)
		goto out_tmp;
	if (sl_fsync_dir(dbdir) < 0)
		goto out;
	ret = 1;
	goto out;
out_tmp:
	rm_rf(tmp);
out:
	logw_close(&w);
	return ret;
}

int sl_table_drop(sl_store *st, const char *db, const char *table)
{
	char dbdir[PATH_MAX], path[PATH_MAX], trash[PATH_MAX];
	int lk;

	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return 0;
	}
	if (table_name_valid(table) < 0) {
		errno = ENOENT;
		return 0;
	}
	if (pathf(dbdir, "%s/%s", st->dir, db) < 0 || pathf(path, "%s/%s", dbdir, table) < 0 ||
	    pathf(trash, "%s/.trash.tbl.%s.%ld.%lld", dbdir, table, (long)getpid(),
		  (long long)sl_mono_ms()) < 0)
		return -1;
	if ((lk = db_lock(st, db)) < 0)
		return errno == ENOENT ? (errno = ENOTDIR, 0) : -1;
	if (rename(path, trash) < 0) {
		int e = errno;
		close(lk);
		errno = e;
		return e == ENOENT ? 0 : -1;
	}
	close(lk);
	if (sl_fsync_dir(dbdir) < 0)
		return -1;
	rm_rf(trash);
	return 1;
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
	if (pathf(p, "%s/%s", st->dir, db) < 0)
		return -1;
	return list_dirs(p, "schema.sql", 1, names, n);
}

int sl_table_ddl(sl_store *st, const char *db, const char *table, sl_buf *out)
{
	char p[PATH_MAX];

	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return 0;
	}
	if (table_name_valid(table) < 0) {
		errno = ENOENT;
		return 0;
	}
	if (pathf(p, "%s/%s/%s/schema.sql", st->dir, db, table) < 0)
		return -1;
	if (sl_file_read(p, out) < 0)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

/* ---------------------------------------------------------------- reading */

static int seq_cmp(const void *a, const void *b)
{
	uint64_t x = (*(txrec *const *)a)->commit_seq, y = (*(txrec *const *)b)->commit_seq;
	return x < y ? -1 : x > y;
}

int sl_snapshot_open(sl_store *st, const char *db, const char *table, sl_snapshot *snap)
{
	char tdir[PATH_MAX];
	logstate ls;
	txrec **vis = 0;
	size_t nvis = 0, npaths = 0, i, tn = strlen(table);
	int64_t tid;
	int r;

	memset(snap, 0, sizeof *snap);
	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return 0;
	}
	if (table_name_valid(table) < 0 || pathf(tdir, "%s/%s/%s", st->dir, db, table) < 0) {
		errno = ENOENT;
		return 0;
	}
	if ((tid = table_id_read(tdir)) < 0) {
		if (errno != ENOENT)
			return -1;
		return 0;
	}
	r = log_load(st, db, &ls, &KEY_ALL);
	if (r <= 0)
		return r;
	/* the table's id is the one the log gave its last CREATE: an edited
	 * tableid would show another table's rows, or none (a log without
	 * the CREATE lost it in a torn tail: nothing to hold it against) */
	if (tb_last(&ls, table) && tb_last(&ls, table) != tid) {
		corrupt("%s/%s/tableid: table id %lld, but the log created %s.%s as %lld", db,
			table, (long long)tid, db, table, (long long)tb_last(&ls, table));
		log_free(&ls);
		return -1;
	}
	for (i = 0; i < ls.ntx; i++) {
		txrec *t = &ls.tx[i];
		if (t->state == SL_TXN_VISIBLE && t->table_id == tid && t->table.n == tn &&
		    !memcmp(t->table.p, table, tn))
			nvis++;
	}
	if (nvis && !(vis = malloc(nvis * sizeof *vis)))
		goto nomem;
	nvis = 0;
	for (i = 0; i < ls.ntx; i++) {
		txrec *t = &ls.tx[i];
		if (t->state == SL_TXN_VISIBLE && t->table_id == tid && t->table.n == tn &&
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
		cursor c = { vis[i]->rs, vis[i]->rslen, 0 };
		uint32_t k;
		for (k = 0; k < vis[i]->nrs; k++) {
			sl_field nm;
			sl_rsref *rf = &snap->refs[snap->n];
			char *p, tail[8];
			unsigned long long x, no;
			rs_next(&c, vis[i]->rsver, &nm, &rf->rows, &rf->size, &rf->sum);
			if (c.bad)
				break;
			if (!nm.n || memchr(nm.p, '/', nm.n) || nm.p[0] == '.')
				continue;       /* never written: stay inside data/ */
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
	log_free(&ls);
	return 1;
nomem:
	free(vis);
	log_free(&ls);
	sl_snapshot_free(snap);
	errno = ENOMEM;
	return -1;
}

void sl_snapshot_free(sl_snapshot *snap)
{
	sl_strv_free(snap->paths, snap->n);
	free(snap->refs);
	memset(snap, 0, sizeof *snap);
}

struct sl_scan {
	const sl_snapshot *snap;
	size_t fi;              /* next file */
	int fd;
	sl_buf comp, raw;
	size_t pos;             /* in raw */
	uint32_t left;          /* rows left in the block */
	uint64_t rows, blocks;  /* seen in the current file */
	int ver;                /* the current file's format version */
	uint32_t sum;           /* ... its sum so far (version 2) */
};

/* The file of the snapshot's entry i, just opened on sc->fd: is it the
 * one the commit record names (txn, table, number, size)? */
static int scan_check_open(sl_scan *sc, size_t i)
{
	const sl_rsref *rf = sc->snap->refs ? &sc->snap->refs[i] : 0;
	const char *path = sc->snap->paths[i];
	struct stat sb;
	rshdr h;

	if (rs_read_header(sc->fd, &h) < 0) {
		if (errno == EPROTO)
			corrupt("%s: not a rowset, or a damaged header", path);
		return -1;
	}
	sc->ver = h.version;
	sc->sum = rs_sum(0, h.hcrc);
	if (!rf)
		return 1;
	if (h.txn_id != rf->txn_id || h.table_id != rf->table_id || h.rowset_no != rf->no)
		return corrupt("%s: the file is rowset %u of txn %lld of table id %lld, the "
			       "commit record names rowset %u of txn %lld of table id %lld",
			       path, h.rowset_no, (long long)h.txn_id, (long long)h.table_id,
			       rf->no, (long long)rf->txn_id, (long long)rf->table_id);
	if (rf->ver < 2)
		return 1;
	if (fstat(sc->fd, &sb) < 0)
		return -1;
	if ((uint64_t)sb.st_size != rf->size)
		return corrupt("%s: %lld bytes, the commit record says %llu", path,
			       (long long)sb.st_size, (unsigned long long)rf->size);
	return 1;
}

sl_scan *sl_scan_open(const sl_snapshot *snap)
{
	sl_scan *sc = calloc(1, sizeof *sc);

	if (!sc) {
		errno = ENOMEM;
		return 0;
	}
	sc->snap = snap;
	sc->fd = -1;
	return sc;
}

void sl_scan_close(sl_scan *sc)
{
	if (!sc)
		return;
	if (sc->fd >= 0)
		close_keep_errno(sc->fd);
	sl_buf_free(&sc->comp);
	sl_buf_free(&sc->raw);
	free(sc);
}

/* Read exactly n bytes; a short read is a truncated rowset (EPROTO). */
static int scan_read(sl_scan *sc, void *p, size_t n)
{
	errno = 0;
	if (sl_allread(sc->fd, p, n) < n) {
		if (!errno)
			errno = EPROTO;
		return -1;
	}
	return 1;
}

static int scan_block(sl_scan *sc)
{
	char h[RS_FOOTER2];
	uint32_t raw_len, comp_len, crc;
	int d;

	if (scan_read(sc, h, RS_BLOCK_HDR) < 0)
		return -1;
	if (!memcmp(h, "SLRE", 4)) {
		const sl_rsref *rf = sc->snap->refs ? &sc->snap->refs[sc->fi - 1] : 0;
		size_t fl = sc->ver >= 2 ? RS_FOOTER2 : RS_FOOTER;
		char x;
		if (scan_read(sc, h + RS_BLOCK_HDR, fl - RS_BLOCK_HDR) < 0)
			return -1;
		if ((uint32_t)crc32(0, (const Bytef *)h, (uInt)rs_fcrc(sc->ver)) !=
		    sl_u32_unpack(h + rs_fcrc(sc->ver)) ||
		    sl_u64_unpack(h + 4) != sc->rows || sl_u64_unpack(h + 12) != sc->blocks ||
		    sl_allread(sc->fd, &x, 1) != 0) {
			errno = EPROTO;
			return -1;
		}
		/* the whole file is the one committed: same rows, same sum */
		if (rf && (sc->rows != rf->rows ||
			   (sc->ver >= 2 && sl_u32_unpack(h + 20) != sc->sum) ||
			   (rf->ver >= 2 && (sc->ver < 2 || sc->sum != rf->sum))))
			return corrupt("%s: its content is not what the commit record says "
				       "(rows or checksum)", sc->snap->paths[sc->fi - 1]);
		close(sc->fd);
		sc->fd = -1;
		return 0;
	}
	raw_len = sl_u32_unpack(h + 4);
	comp_len = sl_u32_unpack(h + 8);
	if (memcmp(h, "SLRB", 4) || raw_len > RS_BLOCK_MAX || comp_len > RS_BLOCK_MAX ||
	    comp_len > (uint32_t)LZ4_compressBound((int)raw_len) || raw_len == 0 ||
	    sl_u32_unpack(h + 12) == 0) {
		errno = EPROTO;
		return -1;
	}
	sc->comp.len = sc->raw.len = 0;
	if (sl_buf_reserve(&sc->comp, comp_len) < 0 || sl_buf_reserve(&sc->raw, raw_len) < 0)
		return -1;
	if (scan_read(sc, sc->comp.p, comp_len) < 0)
		return -1;
	crc = (uint32_t)crc32(0, (const Bytef *)h, 16);
	crc = (uint32_t)crc32(crc, (const Bytef *)sc->comp.p, comp_len);
	if (crc != sl_u32_unpack(h + 16)) {
		errno = EPROTO;
		return -1;
	}
	sc->sum = rs_sum(sc->sum, crc);
	d = LZ4_decompress_safe(sc->comp.p, sc->raw.p, (int)comp_len, (int)raw_len);
	if (d < 0 || (uint32_t)d != raw_len) {
		errno = EPROTO;
		return -1;
	}
	sc->raw.len = raw_len;
	sc->pos = 0;
	sc->left = sl_u32_unpack(h + 12);
	sc->rows += sc->left;
	sc->blocks++;
	return 1;
}

int sl_scan_next(sl_scan *sc, const char **payload, size_t *len)
{
	for (;;) {
		if (sc->left) {
			uint32_t n;
			if (sc->raw.len - sc->pos < 4)
				break;
			n = sl_u32_unpack(sc->raw.p + sc->pos);
			if (n > sc->raw.len - sc->pos - 4)
				break;
			*payload = sc->raw.p + sc->pos + 4;
			*len = n;
			sc->pos += 4 + (size_t)n;
			sc->left--;
			if (!sc->left && sc->pos != sc->raw.len)
				break;
			return 1;
		}
		if (sc->fd < 0) {
			if (sc->fi >= sc->snap->n)
				return 0;
			sc->fd = open(sc->snap->paths[sc->fi++], O_RDONLY | O_CLOEXEC);
			if (sc->fd < 0)
				return -1;
			sc->rows = sc->blocks = 0;
			if (scan_check_open(sc, sc->fi - 1) < 0)
				return -1;
			(void)posix_fadvise(sc->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		}
		if (scan_block(sc) < 0) {
			if (errno == EPROTO && !store_err[0])
				corrupt("%s: a corrupt or truncated block", sc->snap->paths[sc->fi - 1]);
			return -1;
		}
	}
	return corrupt("%s: a corrupt block (rows do not fit)", sc->snap->paths[sc->fi - 1]);
}

int sl_store_errlog_path(sl_store *st, const char *db, const char *label, int64_t id, sl_buf *out)
{
	char p[PATH_MAX];

	if (pathf(p, "%s/_error_log", st->dir) < 0)
		return -1;
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -1;
	return sl_buf_printf(out, "%s/error_log_%s_%s_%lld", p, db, label, (long long)id);
}

/* ---------------------------------------------------------------- fsck */

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
 * sorted): those of VISIBLE and PRECOMMITTED txns. */
static int needed_files(const logstate *ls, char ***v, size_t *n)
{
	size_t i, cap = 0;

	*v = 0;
	*n = 0;
	for (i = 0; i < ls->ntx; i++) {
		const txrec *t = &ls->tx[i];
		cursor c = { t->rs, t->rslen, 0 };
		uint32_t k;
		if (t->state != SL_TXN_VISIBLE && t->state != SL_TXN_PRECOMMITTED)
			continue;
		for (k = 0; k < t->nrs; k++) {
			sl_field nm;
			uint64_t rows, size;
			uint32_t sum;
			char *p;
			rs_next(&c, t->rsver, &nm, &rows, &size, &sum);
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

/* Under the db lock, the log ls (read whole, corrupt at ls->bad_off):
 * the repair. Keep a copy of the whole log; move the rowset files the
 * log will no longer name (the commits past the damage, and those of
 * txns whose commit is lost) to <db>/lost+found/<table>/; cut the log at
 * the bad record and append an 'F' record so that no txn or table id
 * below what was ever used is given again; rebuild the checkpoint. */
static int fsck_repair(sl_store *st, const char *db, logstate *ls, int lk, sl_buf *rep)
{
	char p[PATH_MAX], keep[PATH_MAX], lf[PATH_MAX];
	char **tables = 0, **need = 0;
	size_t ntables = 0, nneed = 0, i, k, moved = 0, mark;
	int64_t idmax = ls->max_id, tmax = ls->max_table_id, now = sl_now_ms();
	sl_buf rec = SL_BUF_ZERO;
	logw w;
	DIR *d;
	struct dirent *de;
	int ret = -1;

	/* 1. the whole log as it was */
	if (pathf(keep, "%s/%s/txnlog.corrupt-%zu-%lld", st->dir, db, ls->bad_off,
		  (long long)(now / 1000)) < 0 ||
	    sl_file_write_atomic(keep, ls->raw.p, ls->raw.len, 0644) < 0)
		goto out;
	say(rep, "%s: kept a copy of the whole log (%zu bytes) as %s", db, ls->raw.len, keep);
	/* 2. the ids ever used: records past the damage, slots, files */
	for (k = ls->bad_off + 1; k < ls->raw.len; k++) {
		const char *h = ls->raw.p + k;
		int64_t id;
		if (!rec_plausible(h, ls->raw.len - k))
			continue;
		id = (int64_t)sl_u64_unpack(h + 10);
		if (h[8] == 'T') {
			if (id > tmax)
				tmax = id;
		} else if (id > idmax) {
			idmax = id;
		}
		k += 8 + sl_u32_unpack(h) - 1;
	}
	if (pathf(p, "%s/%s/txn", st->dir, db) > 0 && (d = opendir(p))) {
		while ((de = readdir(d))) {
			char sp[PATH_MAX], fl;
			int64_t id;
			unsigned nrs;
			int fd;
			if (strncmp(de->d_name, "slot-", 5) || pathf(sp, "%s/%s", p, de->d_name) < 0 ||
			    (fd = open(sp, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			if (slot_read(fd, &id, &nrs, &fl) && id > idmax)
				idmax = id;
			close(fd);
		}
		closedir(d);
	}
	if (needed_files(ls, &need, &nneed) < 0 || sl_table_list(st, db, &tables, &ntables) < 0)
		goto out;
	/* 3. files the cut log will not name go to lost+found, never away */
	for (i = 0; i < ntables; i++) {
		char tdir[PATH_MAX];
		int64_t tid;
		if (pathf(tdir, "%s/%s/%s", st->dir, db, tables[i]) < 0)
			goto out;
		if ((tid = table_id_read(tdir)) > tmax)
			tmax = tid;
		if (pathf(p, "%s/data", tdir) < 0 || !(d = opendir(p)))
			continue;
		while ((de = readdir(d))) {
			char key[PATH_MAX], *kp = key, from[PATH_MAX], to[PATH_MAX];
			int64_t id = rs_name_id(de->d_name, 0), tmpid = rs_name_id(de->d_name, 1);
			txrec *t;
			if (tmpid > idmax)
				idmax = tmpid;
			if (id < 0)
				continue;
			if (id > idmax)
				idmax = id;
			if (pathf(key, "%s/%s", tables[i], de->d_name) < 0)
				continue;
			if (nneed && bsearch(&kp, need, nneed, sizeof *need, strp_cmp))
				continue;
			/* a live load's file stays with it */
			if ((t = log_find(ls, id)) && t->state == SL_TXN_PREPARE && !owner_dead(st, db, t))
				continue;
			if (pathf(lf, "%s/%s/lost+found/%s", st->dir, db, tables[i]) < 0 ||
			    mkdir_p(lf) < 0 || pathf(from, "%s/%s", p, de->d_name) < 0 ||
			    pathf(to, "%s/%s", lf, de->d_name) < 0 || rename_noreplace(from, to) < 0) {
				int e = errno;
				closedir(d);
				errno = e;
				goto out;
			}
			moved++;
		}
		closedir(d);
		(void)sl_fsync_dir(p);
	}
	if (moved) {
		if (pathf(lf, "%s/%s/lost+found", st->dir, db) > 0)
			(void)sl_fsync_dir(lf);
		say(rep, "%s: moved %zu rowset file(s) the cut log does not name to %s/lost+found/", db,
		    moved, db);
	}
	/* 4. cut, and raise the id floor above everything seen */
	if (rec_start(&rec, &mark, 'F', idmax, now) < 0 || put_u64(&rec, (uint64_t)tmax) < 0)
		goto out;
	rec_end(&rec, mark);
	if (ftruncate(ls->fd, (off_t)ls->bad_off) < 0 ||
	    pwrite(ls->fd, rec.p, rec.len, (off_t)ls->bad_off) != (ssize_t)rec.len ||
	    fdatasync(ls->fd) < 0)
		goto out;
	say(rep, "%s: cut the log at offset %zu (%zu bytes dropped); txn ids continue above %lld, "
	    "table ids above %lld", db, ls->bad_off, ls->raw.len - ls->bad_off, (long long)idmax,
	    (long long)tmax);
	/* 5. a checkpoint of the log as it is now */
	if (ckpt_path(st, db, p) < 0 || (unlink(p) < 0 && errno != ENOENT))
		goto out;
	memset(&w, 0, sizeof w);
	log_init(&w.ls);
	w.st = st;
	w.lockfd = -1;
	snprintf(w.db, sizeof w.db, "%s", db);
	memcpy(w.ls.name, ls->name, sizeof w.ls.name);
	if ((w.ls.fd = fcntl(ls->fd, F_DUPFD_CLOEXEC, 0)) < 0 || log_read(&w.ls, 0, &KEY_NONE) < 0) {
		logw_close(&w);
		goto out;
	}
	w.ls.ck_bad = 1;
	logw_close(&w);
	(void)lk;
	ret = 1;
out:
	{
		int e = errno;
		sl_buf_free(&rec);
		sl_strv_free(tables, ntables);
		sl_strv_free(need, nneed);
		errno = e;
	}
	return ret;
}

/* Every row of db.table read and checked (header, sizes, sums, CRCs). */
static int fsck_table(sl_store *st, const char *db, const char *table, sl_buf *rep)
{
	sl_snapshot snap = SL_SNAPSHOT_ZERO;
	sl_scan *sc;
	const char *p;
	size_t len;
	uint64_t n = 0, want;
	int r;

	store_err[0] = 0;
	r = sl_snapshot_open(st, db, table, &snap);
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
	if (r < 0)
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
		return errno == EPROTO ? 1 : -1;
	return n != want;
}

int sl_store_fsck(sl_store *st, const char *db, int repair, sl_buf *rep)
{
	char p[PATH_MAX], ck[PATH_MAX];
	logstate ls;
	char **tables = 0;
	size_t ntables = 0, i;
	int lk, r, bad = 0;
	struct stat sb;

	if (!sl_db_exists(st, db)) {
		errno = ENOTDIR;
		return -1;
	}
	if (pathf(p, "%s/%s/txnlog", st->dir, db) < 0 || ckpt_path(st, db, ck) < 0)
		return -1;
	/* no writer while we look (readers go on) */
	if ((lk = db_lock(st, db)) < 0)
		return -1;
	log_init(&ls);
	snprintf(ls.name, sizeof ls.name, "%s/txnlog", db);
	store_err[0] = 0;
	ls.fd = open(p, (repair ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (ls.fd < 0)
		goto fail;
	r = log_read(&ls, 0, &KEY_ALL);
	if (r < 0 && errno != EPROTO)
		goto fail;
	if (ls.corrupt) {
		say(rep, "%s", store_err);
		if (!repair) {
			bad++;
		} else if (fsck_repair(st, db, &ls, lk, rep) < 0) {
			goto fail;
		}
	} else {
		if (ls.valid < ls.raw.len) {
			say(rep, "%s: a torn tail of %zu bytes at offset %zu (a crash mid-append): "
			    "ignored by readers, cut by the next writer", ls.name, ls.raw.len - ls.valid,
			    ls.valid);
		}
		if (stat(ck, &sb) == 0) {
			logstate c;
			log_init(&c);
			c.fd = ls.fd;
			r = ckpt_load(&c, ck, &KEY_NONE);
			c.fd = -1;
			log_free(&c);
			if (r < 0)
				goto fail;
			if (r == 0)
				say(rep, "%s/txnlog.ckpt: does not agree with the log: ignored (the log "
				    "is read instead; the next writer rebuilds it)", db);
		}
		say(rep, "%s: %zu bytes of log, %zu txns, last txn id %lld: ok", ls.name, ls.valid,
		    ls.ntx, (long long)ls.max_id);
	}
	log_free(&ls);
	close(lk);
	lk = -1;
	if (bad)
		return bad;     /* no table can be read before the repair */
	/* the tables: each one read in full */
	if (sl_table_list(st, db, &tables, &ntables) < 0)
		return -1;
	for (i = 0; i < ntables; i++) {
		r = fsck_table(st, db, tables[i], rep);
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
		log_free(&ls);
		if (lk >= 0)
			close(lk);
		errno = e;
	}
	return -1;
}
