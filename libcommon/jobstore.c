/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobstore.c -- continuous-load jobs in the data directory (jobstore.h).
 *
 * A job file is text, one record a line: a tag, then tab-separated fields
 * in which '\\', tab and newline are escaped ("\\\\", "\\t", "\\n") and
 * "\\N" is a NULL. It begins with "sljob 1" and ends with "end": a file
 * without its end line is refused (EPROTO), though the rename that
 * publishes a file only ever shows a whole one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jobstore.h"
#include "fsutil.h"

#define JOB_FILE_MAX (16 << 20)
#define FIELDS_MAX 16

int64_t sl_jobstore_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void task_free(sl_jobtask *t)
{
	free(t->err);
	free(t->start_key);
	free(t->end_key);
	memset(t, 0, sizeof *t);
}

static void batch_free(sl_job *j)
{
	for (size_t i = 0; i < j->nbatch; i++)
		free(j->batch[i]);
	free(j->batch);
	j->batch = 0;
	j->nbatch = 0;
}

void sl_job_free(sl_job *j)
{
	free(j->sql);
	free(j->comment);
	sl_hdrs_free(&j->props);
	free(j->offset);
	free(j->end_offset);
	free(j->err);
	free(j->runtime_msg);
	task_free(&j->cur);
	batch_free(j);
	for (size_t i = 0; i < j->nhist; i++)
		task_free(&j->hist[i]);
	free(j->hist);
	for (size_t i = 0; i < j->nloaded; i++)
		free(j->loaded[i]);
	free(j->loaded);
	memset(j, 0, sizeof *j);
}

int sl_jobstore_unordered(const sl_job *j)
{
	const char *m = sl_hdrs_get(&j->props, "mode");
	return m && !strcmp(m, "unordered");
}

/* Where key is or belongs in j's loaded set; *found. */
static size_t loaded_pos(const sl_job *j, const char *key, int *found)
{
	size_t lo = 0, hi = j->nloaded;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(j->loaded[mid], key);
		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int sl_jobstore_is_loaded(const sl_job *j, const char *key)
{
	int found;
	loaded_pos(j, key, &found);
	return found;
}

/* Add key to j's loaded set (kept ascending). 1, -1 ENOMEM. */
static int loaded_add(sl_job *j, const char *key)
{
	int found;
	size_t at = loaded_pos(j, key, &found);
	char **p, *k;

	if (found)
		return 1;
	if (!(k = strdup(key)) || !(p = realloc(j->loaded, (j->nloaded + 1) * sizeof *p))) {
		free(k);
		return -1;
	}
	j->loaded = p;
	memmove(p + at + 1, p + at, (j->nloaded - at) * sizeof *p);
	p[at] = k;
	j->nloaded++;
	return 1;
}

/* ---------------------------------------------------------------- paths */

static int jobs_path(sl_store *st, char *out, const char *name)
{
	return sl_fsutil_pathf(out, "%s/_jobs%s%s", st->dir, name ? "/" : "", name ? name : "");
}

int sl_jobstore_lock(sl_store *st)
{
	char p[4096];
	int fd;

	if (jobs_path(st, p, 0) < 0 || sl_fsutil_mkdir_p(p) < 0 || jobs_path(st, p, "lock") < 0)
		return -1;
	if ((fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return -1;
	return sl_fsutil_flock(fd, LOCK_EX);
}

void sl_jobstore_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int sl_jobstore_new_id(sl_store *st, int64_t *id)
{
	char p[4096], txt[32];
	sl_buf b = SL_BUF_ZERO;
	int64_t last = 0, now = sl_jobstore_now_ms();
	int n;

	if (jobs_path(st, p, "lastid") < 0)
		return -1;
	if (sl_file_read(p, &b) < 0 && errno != ENOENT)
		return -1;
	if (b.len && sl_buf_cstr(&b) > 0)
		last = strtoll(b.p, 0, 10);
	sl_buf_free(&b);
	*id = now > last ? now : last + 1;
	n = snprintf(txt, sizeof txt, "%" PRId64 "\n", *id);
	return sl_file_write_atomic(p, txt, (size_t)n, 0600);
}

int sl_jobstore_list(sl_store *st, int64_t **ids, size_t *n)
{
	char p[4096];
	DIR *d;
	struct dirent *e;
	size_t cap = 0;

	*ids = 0;
	*n = 0;
	if (jobs_path(st, p, 0) < 0)
		return -1;
	if (!(d = opendir(p)))
		return errno == ENOENT ? 1 : -1;
	while ((e = readdir(d))) {
		char *end;
		long long id = strtoll(e->d_name, &end, 10);
		if (end == e->d_name || strcmp(end, ".job") || id <= 0)
			continue;
		if (*n == cap) {
			int64_t *q = realloc(*ids, (cap = cap ? cap * 2 : 16) * sizeof *q);
			if (!q) {
				closedir(d);
				return -1;
			}
			*ids = q;
		}
		(*ids)[(*n)++] = id;
	}
	closedir(d);
	/* ascending: creation order */
	for (size_t i = 1; i < *n; i++)
		for (size_t k = i; k > 0 && (*ids)[k - 1] > (*ids)[k]; k--) {
			int64_t t = (*ids)[k];
			(*ids)[k] = (*ids)[k - 1];
			(*ids)[k - 1] = t;
		}
	return 1;
}

/* ---------------------------------------------------------------- encoding */

static int put_field(sl_buf *b, const char *s)
{
	if (sl_buf_putc(b, '\t') < 0)
		return -1;
	if (!s)
		return sl_buf_puts(b, "\\N");
	for (; *s; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : 0;
		if (esc ? sl_buf_puts(b, esc) < 0 : sl_buf_putc(b, *s) < 0)
			return -1;
	}
	return 1;
}

static int put_int(sl_buf *b, int64_t v)
{
	return sl_buf_printf(b, "\t%" PRId64, v);
}

static int put_task(sl_buf *b, const char *tag, const sl_jobtask *t)
{
	if (sl_buf_puts(b, tag) < 0 || put_int(b, t->id) < 0 || put_field(b, t->status) < 0
	    || put_int(b, t->create_ms) < 0 || put_int(b, t->start_ms) < 0 || put_int(b, t->finish_ms) < 0
	    || put_field(b, t->err) < 0 || put_field(b, t->start_key) < 0 || put_field(b, t->end_key) < 0
	    || put_int(b, t->stat.rows) < 0 || put_int(b, t->stat.bytes) < 0 || put_int(b, t->stat.files) < 0
	    || put_int(b, t->stat.fsize) < 0)
		return -1;
	return sl_buf_putc(b, '\n');
}

static int put_line(sl_buf *b, const char *tag, const char *v)
{
	if (sl_buf_puts(b, tag) < 0 || put_field(b, v) < 0)
		return -1;
	return sl_buf_putc(b, '\n');
}

int sl_jobstore_encode(const sl_job *j, sl_buf *b)
{
	if (sl_buf_printf(b, "sljob 1\nid\t%" PRId64 "\n", j->id) < 0 || put_line(b, "name", j->name) < 0
	    || put_line(b, "definer", j->definer) < 0 || put_line(b, "status", j->status) < 0
	    || put_line(b, "sql", j->sql) < 0 || put_line(b, "comment", j->comment) < 0
	    || put_line(b, "offset", j->offset) < 0 || put_line(b, "endoffset", j->end_offset) < 0
	    || put_line(b, "err", j->err) < 0 || put_line(b, "rtmsg", j->runtime_msg) < 0)
		return -1;
	if (sl_buf_printf(b, "nums\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64
	    "\t%" PRId64 "\t%" PRId64 "\t%d\t%d\t%" PRId64 "\t%" PRId64 "\n", j->create_ms, j->stat.rows,
	    j->stat.bytes, j->stat.files, j->stat.fsize, j->succeed, j->failed, j->canceled, j->manual,
	    j->no_resume, j->resume_count, j->resume_ms) < 0)
		return -1;
	for (size_t i = 0; i < j->props.n; i++)
		if (sl_buf_puts(b, "prop") < 0 || put_field(b, j->props.name[i]) < 0
		    || put_field(b, j->props.value[i]) < 0 || sl_buf_putc(b, '\n') < 0)
			return -1;
	if (j->has_cur && put_task(b, "cur", &j->cur) < 0)
		return -1;
	for (size_t i = 0; j->has_cur && i < j->nbatch; i++)
		if (put_line(b, "batch", j->batch[i]) < 0)
			return -1;
	for (size_t i = 0; i < j->nhist; i++)
		if (put_task(b, "task", &j->hist[i]) < 0)
			return -1;
	for (size_t i = 0; i < j->nloaded; i++)
		if (put_line(b, "loaded", j->loaded[i]) < 0)
			return -1;
	return sl_buf_puts(b, "end\n");
}

/* ---------------------------------------------------------------- decoding */

/* Split line (modified in place) into its tag and unescaped fields; a
 * NULL field is NULL. The number of fields, -1 EPROTO. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = strchr(line, '\t');

	if (!p)
		return 0;
	*p++ = 0;
	for (;;) {
		char *w = p, *start = p;
		if (n == max)
			return -1;
		for (; *p && *p != '\t'; p++) {
			if (*p != '\\') {
				*w++ = *p;
				continue;
			}
			p++;
			if (*p == 'N' && p - 1 == start && (p[1] == '\t' || !p[1])) {
				start = 0;
				continue;
			}
			if (*p != '\\' && *p != 't' && *p != 'n')
				return -1;
			*w++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : '\\';
		}
		int last = !*p;
		*w = 0;
		f[n++] = start;
		if (last)
			return n;
		p++;
	}
}

static int dup_field(char **dst, const char *s)
{
	free(*dst);
	*dst = 0;
	return !s || (*dst = strdup(s)) ? 1 : -1;
}

static int copy_name(char *dst, size_t cap, const char *s)
{
	if (!s || strlen(s) >= cap)
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 1;
}

static int get_task(char **f, int n, sl_jobtask *t)
{
	if (n != 12 || !f[1] || copy_name(t->status, sizeof t->status, f[1]) < 0)
		return -1;
	t->id = strtoll(f[0], 0, 10);
	t->create_ms = strtoll(f[2], 0, 10);
	t->start_ms = strtoll(f[3], 0, 10);
	t->finish_ms = strtoll(f[4], 0, 10);
	if (dup_field(&t->err, f[5]) < 0 || dup_field(&t->start_key, f[6]) < 0 || dup_field(&t->end_key, f[7]) < 0)
		return -1;
	t->stat.rows = strtoll(f[8], 0, 10);
	t->stat.bytes = strtoll(f[9], 0, 10);
	t->stat.files = strtoll(f[10], 0, 10);
	t->stat.fsize = strtoll(f[11], 0, 10);
	return 1;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 1;
	size_t c = *cap ? *cap * 2 : 8;
	void *q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 1;
}

static int get_nums(char **f, int n, sl_job *j)
{
	int64_t v[12];

	if (n != 12)
		return -1;
	for (int i = 0; i < 12; i++)
		if (!f[i])
			return -1;
		else
			v[i] = strtoll(f[i], 0, 10);
	j->create_ms = v[0];
	j->stat = (sl_jobstat){ v[1], v[2], v[3], v[4] };
	j->succeed = v[5];
	j->failed = v[6];
	j->canceled = v[7];
	j->manual = (int)v[8];
	j->no_resume = (int)v[9];
	j->resume_count = v[10];
	j->resume_ms = v[11];
	return 1;
}

/* One line of a job file into j. 1, 0 the end line, -1. */
static int get_line(char *line, sl_job *j, size_t *bcap, size_t *hcap, size_t *lcap)
{
	char *f[FIELDS_MAX];
	int n = split(line, f, FIELDS_MAX);

	if (n < 0)
		return -1;
	if (!strcmp(line, "end"))
		return n ? -1 : 0;
	if (!strcmp(line, "id") && n == 1 && f[0])
		return (j->id = strtoll(f[0], 0, 10)) > 0 ? 1 : -1;
	if (!strcmp(line, "name") && n == 1)
		return copy_name(j->name, sizeof j->name, f[0]);
	if (!strcmp(line, "definer") && n == 1)
		return copy_name(j->definer, sizeof j->definer, f[0]);
	if (!strcmp(line, "status") && n == 1)
		return copy_name(j->status, sizeof j->status, f[0]);
	if (!strcmp(line, "sql") && n == 1)
		return dup_field(&j->sql, f[0]);
	if (!strcmp(line, "comment") && n == 1)
		return dup_field(&j->comment, f[0]);
	if (!strcmp(line, "offset") && n == 1)
		return dup_field(&j->offset, f[0]);
	if (!strcmp(line, "endoffset") && n == 1)
		return dup_field(&j->end_offset, f[0]);
	if (!strcmp(line, "err") && n == 1)
		return dup_field(&j->err, f[0]);
	if (!strcmp(line, "rtmsg") && n == 1)
		return dup_field(&j->runtime_msg, f[0]);
	if (!strcmp(line, "nums"))
		return get_nums(f, n, j);
	if (!strcmp(line, "prop") && n == 2 && f[0] && f[1])
		return sl_hdrs_append(&j->props, f[0], f[1]) > 0 ? 1 : -1;
	if (!strcmp(line, "cur")) {
		j->has_cur = 1;
		return get_task(f, n, &j->cur);
	}
	if (!strcmp(line, "batch") && n == 1 && f[0]) {
		if (grow((void **)&j->batch, bcap, j->nbatch, sizeof *j->batch) < 0
		    || !(j->batch[j->nbatch] = strdup(f[0])))
			return -1;
		j->nbatch++;
		return 1;
	}
	if (!strcmp(line, "loaded") && n == 1 && f[0]) {
		/* written ascending: anything else is a damaged file */
		if ((j->nloaded && strcmp(j->loaded[j->nloaded - 1], f[0]) >= 0)
		    || grow((void **)&j->loaded, lcap, j->nloaded, sizeof *j->loaded) < 0
		    || !(j->loaded[j->nloaded] = strdup(f[0])))
			return -1;
		j->nloaded++;
		return 1;
	}
	if (!strcmp(line, "task")) {
		if (grow((void **)&j->hist, hcap, j->nhist, sizeof *j->hist) < 0)
			return -1;
		memset(&j->hist[j->nhist], 0, sizeof *j->hist);
		j->nhist++;
		return get_task(f, n, &j->hist[j->nhist - 1]);
	}
	return -1;
}

int sl_jobstore_decode(const char *p, size_t n, sl_job *j)
{
	char *text = malloc(n + 1), *line, *save = 0;
	size_t bcap = 0, hcap = 0, lcap = 0;
	int r = -1, first = 1;

	memset(j, 0, sizeof *j);
	if (!text)
		return -1;
	memcpy(text, p, n);
	text[n] = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
		if (first) {
			if (strcmp(line, "sljob 1"))
				break;
			first = 0;
			continue;
		}
		if ((r = get_line(line, j, &bcap, &hcap, &lcap)) <= 0)
			break;
		r = -1;
	}
	free(text);
	if (r != 0 || !j->id || !j->name[0] || !j->sql) {
		sl_job_free(j);
		errno = EPROTO;
		return -1;
	}
	return 1;
}

/* ---------------------------------------------------------------- files */

int sl_jobstore_load(sl_store *st, int64_t id, sl_job *j)
{
	char p[4096], name[40];
	sl_buf b = SL_BUF_ZERO;
	int r;

	memset(j, 0, sizeof *j);
	snprintf(name, sizeof name, "%" PRId64 ".job", id);
	if (jobs_path(st, p, name) < 0)
		return -1;
	if (sl_file_read(p, &b) < 0) {
		sl_buf_free(&b);
		return errno == ENOENT ? 0 : -1;
	}
	if (b.len > JOB_FILE_MAX) {
		sl_buf_free(&b);
		errno = EPROTO;
		return -1;
	}
	r = sl_jobstore_decode(b.p, b.len, j);
	sl_buf_free(&b);
	return r;
}

int sl_jobstore_find(sl_store *st, const char *name, sl_job *j)
{
	int64_t *ids;
	size_t n;
	int r = 0;

	memset(j, 0, sizeof *j);
	if (sl_jobstore_list(st, &ids, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && r == 0; i++) {
		r = sl_jobstore_load(st, ids[i], j);
		if (r > 0 && strcmp(j->name, name)) {
			sl_job_free(j);
			r = 0;
		}
	}
	free(ids);
	return r;
}

int sl_jobstore_save(sl_store *st, const sl_job *j)
{
	char p[4096], name[40];
	sl_buf b = SL_BUF_ZERO;
	int r;

	snprintf(name, sizeof name, "%" PRId64 ".job", j->id);
	if (jobs_path(st, p, name) < 0)
		return -1;
	if (sl_jobstore_encode(j, &b) < 0) {
		sl_buf_free(&b);
		return -1;
	}
	r = sl_file_write_atomic(p, b.p, b.len, 0600);
	sl_buf_free(&b);
	return r;
}

int sl_jobstore_run_lock(sl_store *st, int64_t id)
{
	char p[4096], name[40];
	int fd;

	snprintf(name, sizeof name, "%" PRId64 ".run", id);
	if (jobs_path(st, p, name) < 0 || (fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		sl_fsutil_close_keep_errno(fd);
		return -1;
	}
	return fd;
}

int sl_jobstore_remove(sl_store *st, int64_t id)
{
	char p[4096], name[40];

	snprintf(name, sizeof name, "%" PRId64 ".run", id);
	if (jobs_path(st, p, name) > 0)
		unlink(p);      /* best effort: a stale run lock only costs a file */

	snprintf(name, sizeof name, "%" PRId64 ".job", id);
	if (jobs_path(st, p, name) < 0)
		return -1;
	if (unlink(p) < 0)
		return errno == ENOENT ? 0 : -1;
	if (jobs_path(st, p, 0) < 0)
		return -1;
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 1;
}

/* ---------------------------------------------------------------- tasks */

void sl_jobstore_label(int64_t job, int64_t task, char *out, size_t cap)
{
	snprintf(out, cap, "%" PRId64 "_%" PRId64, job, task);
}

int sl_jobstore_json_str(sl_buf *b, const char *s)
{
	if (sl_buf_putc(b, '"') < 0)
		return -1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int r = c == '"' || c == '\\' ? sl_buf_printf(b, "\\%c", c)
			: c < 0x20 ? sl_buf_printf(b, "\\u%04x", c) : sl_buf_putc(b, (char)c);
		if (r < 0)
			return -1;
	}
	return sl_buf_putc(b, '"');
}

int sl_jobstore_attach_fmt(int64_t job, int64_t task, const char *offset, const sl_jobstat *st, sl_buf *b)
{
	return sl_jobstore_attach_fmt_keys(job, task, offset, st, 0, 0, b);
}

int sl_jobstore_attach_fmt_keys(int64_t job, int64_t task, const char *offset, const sl_jobstat *st,
	const char *const *keys, size_t nkeys, sl_buf *b)
{
	if (sl_buf_printf(b, "{\"jobId\":%" PRId64 ",\"taskId\":%" PRId64 ",\"offset\":", job, task) < 0
	    || sl_jobstore_json_str(b, offset) < 0)
		return -1;
	if (sl_buf_printf(b, ",\"scannedRows\":%" PRId64 ",\"loadBytes\":%" PRId64 ",\"fileNumber\":%"
	    PRId64 ",\"fileSize\":%" PRId64, st->rows, st->bytes, st->files, st->fsize) < 0)
		return -1;
	for (size_t i = 0; i < nkeys; i++)
		if (sl_buf_puts(b, i ? "," : ",\"keys\":[") < 0 || sl_jobstore_json_str(b, keys[i]) < 0)
			return -1;
	return sl_buf_puts(b, nkeys ? "]}" : "}");
}

/* The JSON string at *pp (after its opening quote) into b; *pp after the
 * closing quote. 1, 0 malformed, -1 ENOMEM. */
static int json_str(const char **pp, const char *end, sl_buf *b)
{
	const char *p = *pp;

	while (p < end && *p != '"') {
		char c = *p++;
		if (c == '\\') {
			if (p >= end)
				return 0;
			c = *p++;
			if (c == 'u') {
				unsigned v;
				if (end - p < 4 || sscanf(p, "%4x", &v) != 1 || v >= 0x80)
					return 0;
				c = (char)v;
				p += 4;
			} else if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c != '"' && c != '\\' && c != '/')
				return 0;
		}
		if (sl_buf_putc(b, c) < 0)
			return -1;
	}
	if (p >= end)
		return 0;
	*pp = p + 1;
	return sl_buf_cstr(b) < 0 ? -1 : 1;
}

/* The integer value of "key": after the key in p..end. */
static int json_int(const char *p, const char *end, const char *key, int64_t *out)
{
	char pat[40];
	size_t kl = (size_t)snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *h = memmem(p, (size_t)(end - p), pat, kl);
	char *e;

	if (!h)
		return 0;
	*out = strtoll(h + kl, &e, 10);
	return e != h + kl;
}

int sl_jobstore_attach_parse(const char *p, size_t n, int64_t *job, int64_t *task, char **offset, sl_jobstat *st)
{
	const char *end = p + n, *o;
	static const char okey[] = "\"offset\":\"";
	sl_buf b = SL_BUF_ZERO;
	int r;

	*offset = 0;
	if (!n || p[0] != '{' || !json_int(p, end, "jobId", job) || !json_int(p, end, "taskId", task)
	    || !json_int(p, end, "scannedRows", &st->rows) || !json_int(p, end, "loadBytes", &st->bytes)
	    || !json_int(p, end, "fileNumber", &st->files) || !json_int(p, end, "fileSize", &st->fsize))
		return 0;
	if (!(o = memmem(p, n, okey, sizeof okey - 1)))
		return 0;
	o += sizeof okey - 1;
	if ((r = json_str(&o, end, &b)) <= 0) {
		sl_buf_free(&b);
		return r;
	}
	*offset = b.p;
	return 1;
}

/* The attachment's "keys":[...] (when there) into j's loaded set. 1, -1
 * ENOMEM; a malformed list ends where it breaks (the attachment was
 * written by attach_fmt_keys). */
static int attach_keys(const char *p, size_t n, sl_job *j)
{
	static const char kkey[] = "\"keys\":[";
	const char *end = p + n, *k = memmem(p, n, kkey, sizeof kkey - 1);
	sl_buf b = SL_BUF_ZERO;
	int r = 1;

	if (!k)
		return 1;
	for (k += sizeof kkey - 1; r > 0 && k < end && *k == '"';) {
		k++;
		b.len = 0;
		if ((r = json_str(&k, end, &b)) > 0)
			r = loaded_add(j, b.p);
		if (r > 0 && k < end && *k == ',')
			k++;
	}
	sl_buf_free(&b);
	return r < 0 ? -1 : 1;
}

/* Move j's current task into the history (newest first, at most keep). */
static int push_hist(sl_job *j, size_t keep)
{
	sl_jobtask *h;

	if (!keep)
		keep = 1;
	while (j->nhist >= keep)
		task_free(&j->hist[--j->nhist]);
	if (!(h = realloc(j->hist, (j->nhist + 1) * sizeof *h)))
		return -1;
	j->hist = h;
	memmove(h + 1, h, j->nhist * sizeof *h);
	h[0] = j->cur;
	j->nhist++;
	memset(&j->cur, 0, sizeof j->cur);
	j->has_cur = 0;
	batch_free(j);
	return 1;
}

int sl_jobstore_settle(sl_job *j, const char *attach, size_t alen, int64_t now_ms, size_t keep)
{
	return sl_jobstore_settle_rows(j, attach, alen, -1, now_ms, keep);
}

int sl_jobstore_settle_rows(sl_job *j, const char *attach, size_t alen, int64_t rows, int64_t now_ms,
	size_t keep)
{
	int64_t jid, tid;
	char *off;
	sl_jobstat s;
	int r = sl_jobstore_attach_parse(attach, alen, &jid, &tid, &off, &s);

	if (r <= 0)
		return r;
	if (!j->has_cur || jid != j->id || tid != j->cur.id) {
		free(off);
		return 0;
	}
	if (attach_keys(attach, alen, j) < 0) {
		free(off);
		return -1;
	}
	if (rows >= 0)
		s.rows = rows;
	free(j->offset);
	j->offset = off;
	if (!j->end_offset || strcmp(j->end_offset, off) < 0)
		if (dup_field(&j->end_offset, off) < 0)
			return -1;
	j->stat.rows += s.rows;
	j->stat.bytes += s.bytes;
	j->stat.files += s.files;
	j->stat.fsize += s.fsize;
	j->cur.stat = s;
	j->cur.finish_ms = now_ms;
	snprintf(j->cur.status, sizeof j->cur.status, "%s", SL_TASKST_SUCCESS);
	j->succeed++;
	j->resume_count = 0;
	free(j->err);
	j->err = 0;
	return push_hist(j, keep);
}

int sl_jobstore_end_task(sl_job *j, const char *status, const char *err, int64_t now_ms, size_t keep)
{
	if (!j->has_cur)
		return 1;
	snprintf(j->cur.status, sizeof j->cur.status, "%s", status);
	j->cur.finish_ms = now_ms;
	if (dup_field(&j->cur.err, err) < 0)
		return -1;
	if (!strcmp(status, SL_TASKST_FAILED))
		j->failed++;
	else
		j->canceled++;
	return push_hist(j, keep);
}

int sl_jobstore_begin_task(sl_job *j, int64_t id, char *const *keys, size_t n, int64_t now_ms)
{
	task_free(&j->cur);
	batch_free(j);
	j->cur.id = id;
	snprintf(j->cur.status, sizeof j->cur.status, "%s", SL_TASKST_RUNNING);
	j->cur.create_ms = j->cur.start_ms = now_ms;
	j->has_cur = 1;
	if (n && !(j->batch = calloc(n, sizeof *j->batch)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!(j->batch[i] = strdup(keys[i])))
			return -1;
		j->nbatch++;
	}
	if (n && (dup_field(&j->cur.start_key, keys[0]) < 0 || dup_field(&j->cur.end_key, keys[n - 1]) < 0))
		return -1;
	return 1;
}

int64_t sl_jobstore_conf(const sl_store *st, const char *key, int64_t dflt)
{
	const char *v = sl_store_conf(st, key);
	char *end;
	long long x;

	if (!v)
		return dflt;
	errno = 0;
	x = strtoll(v, &end, 10);
	return errno || end == v || *end || x < 0 ? dflt : x;
}
