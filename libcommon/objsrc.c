/* SPDX-License-Identifier: Apache-2.0 */
/* objsrc.c -- the objects of an S3 bucket or a local directory matching a glob (objsrc.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "globpat.h"
#include "objsrc.h"
#include "s3.h"

const char *const sl_objsrc_secret_props[] = {
	"s3.secret_key", "s3.access_key", "s3.session_token", NULL
};

struct sl_objsrc {
	sl_globpat *g;
	char *pat;              /* the key glob (S3: without the bucket; local: the absolute path) */
	size_t prefix_len;      /* pat's literal prefix */
	char *desc;
	sl_s3 *s3;              /* NULL: a local directory */
	char *root;             /* local: the directory of the literal prefix, '/'-terminated */
	int depth;              /* local: how deep below root a match can be (-1: any) */
	int ifd;                /* local: inotify, or -1 */
};

/* A listing in progress: the batch and the rule that ends it. */
typedef struct lister {
	sl_objsrc *s;
	sl_objbatch *b;
	size_t cap, max_files;
	int64_t max_bytes;
	int full;               /* the batch reached a limit: only `next` is sought */
	int done;               /* next found: the listing can stop */
	char last[SL_S3_KEY_MAX + 1];   /* S3: the last key seen, for a retried page */
	sl_objsrc_skip skip;    /* NULL, or: leave out the keys it is true for */
	void *skip_ctx;
} lister;

static int skipped(const lister *l, const char *key)
{
	return l->skip && l->skip(l->skip_ctx, key);
}

void sl_objbatch_free(sl_objbatch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		free(b->ent[i].key);
	free(b->ent);
	free(b->next);
	b->ent = NULL;
	b->n = 0;
	b->bytes = 0;
	b->next = NULL;
}

/* Offer a matching key, in ascending order. 1 go on; 0 done (next set); -1 errno. */
static int offer(lister *l, const char *key, int64_t size)
{
	sl_objbatch *b = l->b;

	if (l->full) {
		if (!(b->next = strdup(key)))
			return -1;
		l->done = 1;
		return 0;
	}
	if (b->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		sl_objent *e = realloc(b->ent, nc * sizeof *e);
		if (!e)
			return -1;
		b->ent = e;
		l->cap = nc;
	}
	if (!(b->ent[b->n].key = strdup(key)))
		return -1;
	b->ent[b->n++].size = size;
	b->bytes += size;
	/* Doris's rule: stop after the file that reaches either limit */
	if ((l->max_files && b->n >= l->max_files) || (l->max_bytes && b->bytes >= l->max_bytes))
		l->full = 1;
	return 1;
}

/* ---- properties and uris ---- */

static int set_err(char *err, size_t cap, const char *fmt, const char *arg)
{
	snprintf(err, cap, fmt, arg);
	return 0;
}

static const char *prop(const sl_hdrs *p, const char *name, const char *old)
{
	const char *v = sl_hdrs_get(p, name);
	return v ? v : old ? sl_hdrs_get(p, old) : NULL;
}

int sl_objsrc_s3uri(const char *uri, int path_style, char **endpoint, char **bucket, char **key)
{
	const char *sch = strstr(uri, "://"), *auth, *slash;
	size_t sl;

	*endpoint = *bucket = *key = NULL;
	if (!sch)
		return 0;
	sl = (size_t)(sch - uri);
	auth = sch + 3;
	slash = strchr(auth, '/');
	if ((sl == 2 && !strncasecmp(uri, "s3", 2)) || (sl == 3 && (!strncasecmp(uri, "s3a", 3)
								     || !strncasecmp(uri, "s3n", 3)))) {
		/* s3://bucket/key */
		if (slash == auth || !*auth)
			return 0;
		*bucket = strndup(auth, slash ? (size_t)(slash - auth) : strlen(auth));
		*key = strdup(slash ? slash + 1 : "");
	} else if ((sl == 4 && !strncasecmp(uri, "http", 4)) || (sl == 5 && !strncasecmp(uri, "https", 5))) {
		if (!slash || slash == auth)
			return 0;
		if (path_style) {
			/* http(s)://endpoint/bucket/key */
			const char *b = slash + 1, *e = strchr(b, '/');
			if (!*b || e == b)
				return 0;
			*endpoint = strndup(uri, (size_t)(slash - uri));
			*bucket = strndup(b, e ? (size_t)(e - b) : strlen(b));
			*key = strdup(e ? e + 1 : "");
		} else {
			/* http(s)://bucket.endpoint/key */
			const char *dot = memchr(auth, '.', (size_t)(slash - auth));
			if (!dot || dot == auth || dot + 1 == slash)
				return 0;
			if (asprintf(endpoint, "%.*s%.*s", (int)(auth - uri), uri, (int)(slash - dot - 1), dot + 1) < 0)
				*endpoint = NULL;
			*bucket = strndup(auth, (size_t)(dot - auth));
			*key = strdup(slash + 1);
		}
		if (!*endpoint)
			goto nomem;
	} else {
		return 0;
	}
	if (!*bucket || !*key)
		goto nomem;
	return 1;
nomem:
	free(*endpoint);
	free(*bucket);
	free(*key);
	*endpoint = *bucket = *key = NULL;
	return -1;
}

/* The glob, its prefix and the description of s (pat and desc taken). */
static int set_glob(sl_objsrc *s, char *pat, char *desc, char *err, size_t cap)
{
	char gerr[128];
	int rc;

	s->pat = pat;
	s->desc = desc;
	if (!pat || !desc)
		return -1;
	s->prefix_len = sl_globpat_prefix_len(pat);
	rc = sl_globpat_compile(&s->g, pat, gerr, sizeof gerr);
	if (rc == 0)
		snprintf(err, cap, "Invalid glob pattern %s: %s", pat, gerr);
	return rc;
}

/* A region from an AWS endpoint (s3.REGION.amazonaws.com, s3-REGION...), as Doris's S3URI. */
static char *region_of(const char *endpoint)
{
	const char *p = endpoint ? strstr(endpoint, "s3") : NULL, *e;

	if (!p || (p[2] != '.' && p[2] != '-') || !strstr(p, ".amazonaws.com"))
		return NULL;
	p += 3;
	e = strchr(p, '.');
	if (!e || e == p || !strncmp(p, "amazonaws.", 10))
		return NULL;
	return strndup(p, (size_t)(e - p));
}

static int open_s3(sl_objsrc *s, const sl_hdrs *p, char *err, size_t cap)
{
	const char *uri = prop(p, "uri", NULL), *ep = prop(p, "s3.endpoint", NULL);
	const char *region = prop(p, "s3.region", "region");
	char *uep = NULL, *bucket = NULL, *key = NULL, *reg = NULL, *desc = NULL;
	sl_s3_conf c;
	int rc;

	if (!uri)
		return set_err(err, cap, "Properties '%s' is required.", "uri");
	rc = sl_objsrc_s3uri(uri, sl_hdrs_bool(p, "use_path_style"), &uep, &bucket, &key);
	if (rc <= 0) {
		if (rc == 0)
			set_err(err, cap, "parse s3 uri failed, uri = %s", uri);
		return rc;
	}
	rc = 0;
	if (!ep)
		ep = uep;
	if (!ep) {
		set_err(err, cap, "Properties '%s' is required.", "s3.endpoint");
		goto out;
	}
	if (!region)
		region = reg = region_of(ep);
	if (!region) {
		set_err(err, cap, "Properties '%s' is required.", "s3.region");
		goto out;
	}
	c = (sl_s3_conf){ ep, bucket, region, prop(p, "s3.access_key", "access_key"),
			  prop(p, "s3.secret_key", "secret_key"), prop(p, "s3.session_token", "session_token"),
			  sl_hdrs_bool(p, "use_path_style") };
	if ((rc = sl_s3_open(&s->s3, &c, err, cap)) <= 0)
		goto out;
	if (asprintf(&desc, "s3://%s/%s", bucket, key) < 0)
		desc = NULL;
	rc = set_glob(s, key, desc, err, cap);
	key = NULL;
out:
	free(uep);
	free(bucket);
	free(key);
	free(reg);
	return rc;
}

/* the deepest level below root a key can match: '/'s after root, or -1 for ** */
static int glob_depth(const char *pat, size_t root_len)
{
	const char *p = pat + root_len;
	int d = 0;

	if (strstr(p, "**"))
		return -1;
	for (; *p; p++)
		d += *p == '/';
	return d;
}

static int open_local(sl_objsrc *s, const char *path, char *err, size_t cap)
{
	char *desc = NULL, *pat;
	size_t rl;
	int rc;

	if (path[0] != '/')
		return set_err(err, cap, "file_path must be an absolute path: %s", path);
	pat = strdup(path);
	if (asprintf(&desc, "file://%s", path) < 0)
		desc = NULL;
	if ((rc = set_glob(s, pat, desc, err, cap)) <= 0)
		return rc;
	for (rl = s->prefix_len; rl > 0 && path[rl - 1] != '/'; rl--)
		;
	if (!(s->root = strndup(path, rl)))
		return -1;
	s->depth = glob_depth(path, rl);
	s->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->ifd >= 0 && inotify_add_watch(s->ifd, s->root, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
		close(s->ifd);
		s->ifd = -1;
	}
	return 1;
}

int sl_objsrc_open(sl_objsrc **out, const char *tvf, const sl_hdrs *props, char *err, size_t cap)
{
	sl_objsrc *s;
	const char *uri;
	int rc;

	*out = NULL;
	if (strcasecmp(tvf, "s3") && strcasecmp(tvf, "local"))
		return set_err(err, cap, "Unknown table-valued source: %s", tvf);
	if (!(s = calloc(1, sizeof *s)))
		return -1;
	s->ifd = -1;
	uri = prop(props, "uri", NULL);
	if (!strcasecmp(tvf, "local")) {
		const char *fp = prop(props, "file_path", NULL);
		rc = fp ? open_local(s, fp, err, cap) : set_err(err, cap, "Property '%s' is required.", "file_path");
	} else if (uri && !strncasecmp(uri, "file://", 7)) {
		rc = open_local(s, uri + 7, err, cap);
	} else {
		rc = open_s3(s, props, err, cap);
	}
	if (rc <= 0) {
		int e = errno;
		sl_objsrc_free(s);
		errno = e;
		return rc;
	}
	*out = s;
	return 1;
}

void sl_objsrc_free(sl_objsrc *s)
{
	if (!s)
		return;
	sl_s3_free(s->s3);
	sl_globpat_free(s->g);
	if (s->ifd >= 0)
		close(s->ifd);
	free(s->pat);
	free(s->desc);
	free(s->root);
	free(s);
}

const char *sl_objsrc_describe(const sl_objsrc *s)
{
	return s->desc;
}

int sl_objsrc_watch_fd(sl_objsrc *s)
{
	return s->ifd;
}

void sl_objsrc_drain(sl_objsrc *s)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (s->ifd < 0)
		return;
	while (read(s->ifd, buf, sizeof buf) > 0)
		;
}

/* ---- S3 ---- */

static int s3_key(void *arg, const char *key, int64_t size)
{
	lister *l = arg;
	int rc;

	/* a retried page hands its keys again: they ascend, skip those seen */
	if (l->last[0] && strcmp(key, l->last) <= 0)
		return 1;
	snprintf(l->last, sizeof l->last, "%s", key);
	if (!sl_globpat_match(l->s->g, key) || skipped(l, key))
		return 1;
	rc = offer(l, key, size);
	if (rc == 0)
		errno = ECANCELED;      /* enough: stop the page */
	return rc > 0 ? 1 : -1;
}

static int list_s3(lister *l, const char *after, char *err, size_t cap)
{
	sl_objsrc *s = l->s;
	char *prefix = strndup(s->pat, s->prefix_len), *token = NULL, *next = NULL;
	int rc = -1;

	if (!prefix)
		return -1;
	if (after)
		snprintf(l->last, sizeof l->last, "%s", after);
	for (;;) {
		rc = sl_s3_list(s->s3, prefix, after, token, 1000, s3_key, l, &next, err, cap);
		if (rc < 0 && errno == ECANCELED && l->done)
			rc = 1;
		free(token);
		token = next;
		next = NULL;
		if (rc <= 0 || l->done || !token)
			break;
	}
	free(token);
	free(prefix);
	return rc;
}

/* ---- local directories ---- */

/* The local listing keeps the smallest matching paths after `after`:
 * at most max_files + 1 of them (a max-heap by strcmp), all without a
 * file limit. */
typedef struct lheap { sl_objent *e; size_t n, cap, keep; } lheap;

static void heap_swap(sl_objent *a, sl_objent *b)
{
	sl_objent t = *a;
	*a = *b;
	*b = t;
}

static void heap_down(lheap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && strcmp(h->e[l].key, h->e[m].key) > 0)
			m = l;
		if (r < h->n && strcmp(h->e[r].key, h->e[m].key) > 0)
			m = r;
		if (m == i)
			return;
		heap_swap(&h->e[i], &h->e[m]);
		i = m;
	}
}

static int heap_add(lheap *h, const char *key, int64_t size)
{
	size_t i;

	if (h->keep && h->n == h->keep) {
		if (strcmp(key, h->e[0].key) >= 0)
			return 1;
		free(h->e[0].key);
		if (!(h->e[0].key = strdup(key)))
			return -1;
		h->e[0].size = size;
		heap_down(h, 0);
		return 1;
	}
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 64;
		sl_objent *e = realloc(h->e, nc * sizeof *e);
		if (!e)
			return -1;
		h->e = e;
		h->cap = nc;
	}
	if (!(h->e[h->n].key = strdup(key)))
		return -1;
	h->e[h->n].size = size;
	for (i = h->n++; i > 0 && strcmp(h->e[(i - 1) / 2].key, h->e[i].key) < 0; i = (i - 1) / 2)
		heap_swap(&h->e[i], &h->e[(i - 1) / 2]);
	return 1;
}

typedef struct walk {
	sl_objsrc *s;
	const lister *l;
	lheap h;
	const char *after;
	sl_buf path;
	char *err;
	size_t cap;
} walk;

/* Could a path below dir (w->path, '/'-terminated) match? Its start must
 * agree with the literal prefix. */
static int may_hold(const walk *w)
{
	size_t n = w->path.len < w->s->prefix_len ? w->path.len : w->s->prefix_len;
	return !memcmp(w->path.p, w->s->pat, n);
}

static int walk_dir(walk *w, int depth)
{
	size_t base = w->path.len;
	DIR *d = opendir(w->path.p);
	struct dirent *de;
	int rc = 1;

	if (!d) {
		/* a directory that is gone or unreadable holds nothing to load,
		 * except the root: that is the source's failure */
		if (depth > 0 || errno == ENOENT)
			return 1;
		snprintf(w->err, w->cap, "%s: %s", w->path.p, strerror(errno));
		return 0;
	}
	if (depth > 0 && w->s->ifd >= 0)
		inotify_add_watch(w->s->ifd, w->path.p, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
	while (rc > 0 && (errno = 0, de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		w->path.len = base;
		if (sl_buf_puts(&w->path, de->d_name) < 0 || sl_buf_cstr(&w->path) < 0) {
			rc = -1;
			break;
		}
		if (!may_hold(w) || lstat(w->path.p, &st) < 0)
			continue;       /* not under the prefix, or gone meanwhile */
		/* symbolic links are not followed: neither files nor directories */
		if (S_ISDIR(st.st_mode) && (w->s->depth < 0 || depth < w->s->depth)) {
			if (sl_buf_putc(&w->path, '/') < 0 || sl_buf_cstr(&w->path) < 0)
				rc = -1;
			else
				rc = walk_dir(w, depth + 1);
		} else if (S_ISREG(st.st_mode) && (!w->after || strcmp(w->path.p, w->after) > 0)
			   && sl_globpat_match(w->s->g, w->path.p) && !skipped(w->l, w->path.p)) {
			rc = heap_add(&w->h, w->path.p, st.st_size);
		}
	}
	if (rc > 0 && errno) {
		snprintf(w->err, w->cap, "%.*s: %s", (int)base, w->path.p, strerror(errno));
		rc = 0;
	}
	w->path.len = base;
	w->path.p[base] = 0;
	closedir(d);
	return rc;
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const sl_objent *)a)->key, ((const sl_objent *)b)->key);
}

static int list_local(lister *l, const char *after, char *err, size_t cap)
{
	walk w = { l->s, l, { NULL, 0, 0, l->max_files ? l->max_files + 1 : 0 }, after, SL_BUF_ZERO, err, cap };
	size_t i;
	int rc;

	rc = sl_buf_puts(&w.path, l->s->root) < 0 || sl_buf_cstr(&w.path) < 0 ? -1 : walk_dir(&w, 0);
	if (rc > 0 && w.h.n)
		qsort(w.h.e, w.h.n, sizeof *w.h.e, cmp_ent);
	for (i = 0; rc > 0 && i < w.h.n && !l->done; i++)
		rc = offer(l, w.h.e[i].key, w.h.e[i].size) < 0 ? -1 : 1;
	for (i = 0; i < w.h.n; i++)
		free(w.h.e[i].key);
	free(w.h.e);
	sl_buf_free(&w.path);
	return rc;
}

int sl_objsrc_list(sl_objsrc *s, const char *after, size_t max_files, int64_t max_bytes,
	sl_objbatch *out, char *err, size_t cap)
{
	return sl_objsrc_list_skip(s, after, NULL, NULL, max_files, max_bytes, out, err, cap);
}

int sl_objsrc_list_skip(sl_objsrc *s, const char *after, sl_objsrc_skip skip, void *ctx, size_t max_files,
	int64_t max_bytes, sl_objbatch *out, char *err, size_t cap)
{
	lister l = { s, out, 0, max_files, max_bytes, 0, 0, "", skip, ctx };
	int rc;

	memset(out, 0, sizeof *out);
	if (after && !*after)
		after = NULL;
	rc = s->s3 ? list_s3(&l, after, err, cap) : list_local(&l, after, err, cap);
	if (rc <= 0) {
		int e = errno;
		sl_objbatch_free(out);
		errno = e;
	}
	return rc;
}

/* ---- copying ---- */

static int copy_local(const char *path, int fd, int64_t *bytes, int *last, char *err, size_t cap)
{
	int in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), use_rw = 0, rc = 1, e;
	char buf[65536], b1;

	if (in < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return 0;
	}
	for (;;) {
		ssize_t n = use_rw ? sl_fd_read(in, buf, sizeof buf) : sendfile(fd, in, NULL, 1 << 20);
		if (n < 0 && !use_rw && (errno == EINVAL || errno == ENOSYS)) {
			use_rw = 1;     /* an fd sendfile cannot write to */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* the file's read failing (EIO) is the source's; the rest is fd's */
			rc = use_rw || errno == EIO ? 0 : -1;
			if (!rc)
				snprintf(err, cap, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (use_rw && sl_allwrite(fd, buf, (size_t)n) != (size_t)n) {
			rc = -1;
			break;
		}
		*bytes += n;
	}
	e = errno;
	/* the last byte copied (sendfile's too): once, from the page cache */
	if (*bytes > 0 && pread(in, &b1, 1, *bytes - 1) == 1)
		*last = (unsigned char)b1;
	close(in);
	errno = e;
	return rc;
}

int sl_objsrc_copy(sl_objsrc *s, const char *key, int fd, int64_t *bytes, int *last, char *err, size_t cap)
{
	int64_t n = 0;
	int rc, lb = -1;

	if (bytes)
		*bytes = 0;
	if (last)
		*last = -1;
	/* only the source's objects: a key the glob does not take is refused */
	if (!sl_globpat_match(s->g, key)) {
		snprintf(err, cap, "%s is not an object of %s", key, s->desc);
		return 0;
	}
	rc = s->s3 ? sl_s3_get(s->s3, key, fd, &n, &lb, err, cap) : copy_local(key, fd, &n, &lb, err, cap);
	if (bytes)
		*bytes = n;
	if (last)
		*last = lb;
	return rc;
}
