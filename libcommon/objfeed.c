/* SPDX-License-Identifier: Apache-2.0 */
/*
 * objfeed.c -- the objects of a table-valued source as one load's body
 * (objfeed.h). Each object is copied by objsrc.h into a pipe by a thread
 * while the feed relays the pipe to the load: the feed sees the bytes (the
 * end of an object, the header lines to drop) although objsrc.h writes to
 * an fd. The thread runs only while the feed does, after the stages were
 * forked.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "objfeed.h"
#include "io.h"
#include "status.h"

/* One object copied by a thread into a pipe that the feed relays: the
 * feed reads the header lines of the objects after the first to drop
 * them, and moves the rest with splice (the kernel's pages, no copy);
 * the object's last byte (whether a line delimiter must follow it) comes
 * from objsrc.h. */
typedef struct copyjob {
	sl_objsrc *src;
	const char *key;
	int fd;
	int r, e, last;
	char err[512];
} copyjob;

static void *copy_thread(void *arg)
{
	copyjob *j = arg;

	j->r = sl_objsrc_copy(j->src, j->key, j->fd, NULL, &j->last, j->err, sizeof j->err);
	j->e = errno;
	close(j->fd);
	return NULL;
}

static int copy_start(copyjob *j, pthread_t *th, sl_objsrc *src, const char *key, int *rfd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	/* room for a whole object of the usual size: the next one downloads
	 * while the load reads this one */
	sl_pipe_grow(p[1]);
	memset(j, 0, sizeof *j);
	j->src = src;
	j->key = key;
	j->fd = p[1];
	if ((errno = pthread_create(th, NULL, copy_thread, j)) != 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	*rfd = p[0];
	return 1;
}

/* The line delimiter's last byte: where a line ends. */
static char delim(const sl_objfeed *c)
{
	return c->delims[strlen(c->delims) - 1];
}

/* Stop reading (the thread's writes fail EPIPE), join. */
static void copy_end(pthread_t th, int rfd)
{
	close(rfd);
	pthread_join(th, NULL);
}

int sl_objfeed_fields(sl_objfeed *c, size_t *n)
{
	const char *sep = c->sep;
	char buf[65536];
	size_t len = 0;
	copyjob j;
	pthread_t th;
	int rfd;

	if (!sep)
		sep = "\t";
	*n = 1;
	if (c->nkeys == 0)
		return 1;
	if (copy_start(&j, &th, c->src, c->keys[0], &rfd) < 0)
		return -1;
	for (;;) {
		ssize_t k = sl_fd_read(rfd, buf + len, sizeof buf - 1 - len);
		if (k <= 0)
			break;
		len += (size_t)k;
		if (memchr(buf, delim(c), len) || len == sizeof buf - 1)
			break;
	}
	copy_end(th, rfd);
	buf[len] = 0;
	{
		char *e = memchr(buf, delim(c), len);
		if (e)
			*e = 0;
	}
	for (char *p = buf; (p = strstr(p, sep)) != NULL; p += strlen(sep))
		(*n)++;
	if (j.r == 0) {
		snprintf(c->msg, sizeof c->msg, SL_E_INTERNAL_ERROR "%s", j.err);
		return 0;
	}
	return 1;
}

/* Relay an object's pipe to the load, dropping its first `skip` lines;
 * *moved: whether any byte went on. Read while lines are dropped, then
 * splice (read and write where wfd takes no splice). 1, 0 the load
 * stopped reading (EPIPE), -1. */
static int relay(sl_objfeed *c, int wfd, int rfd, size_t skip, int *moved)
{
	char buf[65536];
	int spl = 1;

	for (;;) {
		ssize_t k;
		char *p = buf;
		if (!skip && spl) {
			k = splice(rfd, NULL, wfd, NULL, 1 << 20, SPLICE_F_MOVE);
			if (k > 0) {
				*moved = 1;
				continue;
			}
			if (k == 0)
				return 1;
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				return 0;
			if (errno != EINVAL)
				return -1;
			spl = 0;        /* wfd opened O_APPEND, or no splice here */
		}
		if ((k = sl_fd_read(rfd, buf, sizeof buf)) < 0)
			return -1;
		if (k == 0)
			return 1;
		while (skip && p < buf + k) {
			char *e = memchr(p, delim(c), (size_t)(buf + k - p));
			p = e ? e + 1 : buf + k;
			skip -= e != NULL;
		}
		if (p == buf + k)
			continue;
		*moved = 1;
		if (sl_allwrite(wfd, p, (size_t)(buf + k - p)) < (size_t)(buf + k - p))
			return errno == EPIPE ? 0 : -1;
	}
}

/* The object after the one being relayed is already being copied, by its
 * own source (a second connection): its request and first bytes overlap
 * the load's reading of this one. */
const char *sl_objfeed_feed(void *ctx, int wfd)
{
	sl_objfeed *c = ctx;
	copyjob j[2];
	pthread_t th[2];
	int rfd[2], on[2] = { 0, 0 };
	const char *why = NULL;

	for (size_t i = 0; i < c->nkeys && !why; i++) {
		int moved = 0, last, r, cur = (int)(i & 1);
		sl_objsrc *src[2] = { c->src, c->src2 ? c->src2 : c->src };
		for (size_t k = i; k <= i + 1 && k < c->nkeys; k++) {
			int s = (int)(k & 1);
			if (on[s] || (k > i && !c->src2))
				continue;
			if (copy_start(&j[s], &th[s], src[s], c->keys[k], &rfd[s]) < 0) {
				snprintf(c->msg, sizeof c->msg, SL_E_INTERNAL_ERROR "unable to read %s: %s",
					c->keys[k], strerror(errno));
				why = c->msg;
				break;
			}
			on[s] = 1;
		}
		if (why)
			break;
		r = relay(c, wfd, rfd[cur], i ? c->skip : 0, &moved);
		copy_end(th[cur], rfd[cur]);
		on[cur] = 0;
		last = moved ? j[cur].last : -1;
		if (r == 0)
			break;
		if (r < 0 || j[cur].r <= 0) {
			snprintf(c->msg, sizeof c->msg, SL_E_INTERNAL_ERROR "unable to read %s: %s", c->keys[i],
				r < 0 ? strerror(errno) : j[cur].r == 0 ? j[cur].err : strerror(j[cur].e));
			why = c->msg;
			break;
		}
		if (!c->compressed && last >= 0 && last != (unsigned char)delim(c) && i + 1 < c->nkeys &&
		    sl_allwrite(wfd, c->delims, strlen(c->delims)) < strlen(c->delims))
			break;
	}
	for (int s = 0; s < 2; s++)
		if (on[s])
			copy_end(th[s], rfd[s]);
	return why;
}

/* compress_type: as given, else Doris's inference from the file name's
 * suffix. Compressed objects are passed on byte for byte; only gzip's
 * members may follow one another in one body. 1, 0 (msg). */
static int tvf_compress(sl_objfeed *c, const sl_hdrs *props)
{
	static const char *const sfx[][2] = {
		{ ".gz", "gz" }, { ".bz2", "bz2" }, { ".lz4", "lz4frame" }, { ".deflate", "deflate" },
		{ ".lzo", "lzop" },
	};
	const char *z = sl_hdrs_get(props, "compress_type"), *k = c->nkeys ? c->keys[0] : "";
	size_t kn = strlen(k);

	for (size_t i = 0; !z && i < sizeof sfx / sizeof sfx[0]; i++)
		if (kn > strlen(sfx[i][0]) && !strcasecmp(k + kn - strlen(sfx[i][0]), sfx[i][0]))
			z = sfx[i][1];
	c->compress = z;
	c->compressed = z && strcasecmp(z, "plain") && strcasecmp(z, "unknown");
	if (c->compressed && c->nkeys > 1 && strcasecmp(z, "gz")) {
		snprintf(c->msg, sizeof c->msg, SL_E_NOT_IMPLEMENTED_ERROR "more than one %s object in one INSERT "
			"is not supported yet", z);
		return 0;
	}
	if (c->compressed)
		c->skip = 0;
	return 1;
}

int sl_objfeed_open(sl_objfeed *c, const char *tvf, const sl_hdrs *props, const char *const *keys,
	size_t nkeys)
{
	const char *fmt = sl_hdrs_get(props, "format"), *ld = sl_hdrs_get(props, "line_delimiter");
	const char *skip = sl_hdrs_get(props, "skip_lines");
	char err[512];
	int r;

	memset(c, 0, sizeof *c);
	c->sep = sl_hdrs_get(props, "column_separator");
	if (!c->sep)
		c->sep = "\t";
	snprintf(c->delims, sizeof c->delims, "%s", ld && *ld ? ld : "\n");
	if ((r = sl_objsrc_open(&c->src, tvf, props, err, sizeof err)) == 0)
		snprintf(c->msg, sizeof c->msg, SL_E_ANALYSIS_ERROR "%s", err);
	if (r <= 0)
		return r;
	c->skip = skip ? strtoul(skip, NULL, 10) : 0;
	if (fmt && !strcasecmp(fmt, "csv_with_names"))
		c->skip += 1;
	else if (fmt && !strcasecmp(fmt, "csv_with_names_and_types"))
		c->skip += 2;
	if (keys) {
		c->keys = keys;
		c->nkeys = nkeys;
		/* a second source for the next object's copy; without it the
		 * objects are copied one after another */
		if (nkeys > 1 && sl_objsrc_open(&c->src2, tvf, props, err, sizeof err) <= 0)
			c->src2 = NULL;
		return tvf_compress(c, props);
	}
	if ((r = sl_objsrc_list(c->src, NULL, 0, 0, &c->all, err, sizeof err)) == 0)
		snprintf(c->msg, sizeof c->msg, SL_E_INTERNAL_ERROR "%s", err);
	if (r <= 0)
		return r;
	if (!(c->keys = calloc(c->all.n + 1, sizeof *c->keys)))
		return -1;
	c->own_keys = 1;
	for (size_t i = 0; i < c->all.n; i++)
		((const char **)c->keys)[i] = c->all.ent[i].key;
	c->nkeys = c->all.n;
	if (c->nkeys > 1 && sl_objsrc_open(&c->src2, tvf, props, err, sizeof err) <= 0)
		c->src2 = NULL;
	return tvf_compress(c, props);
}

void sl_objfeed_close(sl_objfeed *c)
{
	if (c->own_keys)
		free((void *)c->keys);
	sl_objbatch_free(&c->all);
	if (c->src)
		sl_objsrc_free(c->src);
	if (c->src2)
		sl_objsrc_free(c->src2);
	memset(c, 0, sizeof *c);
}
