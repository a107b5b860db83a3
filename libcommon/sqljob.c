/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqljob.c -- continuous-load jobs in SQL, as Doris: CREATE JOB name ON
 * STREAMING [PROPERTIES(...)] [COMMENT '...'] DO INSERT ...; PAUSE /
 * RESUME / DROP JOB WHERE jobname = '...'; ALTER JOB name [PROPERTIES(...)]
 * [INSERT ...] (only PAUSED jobs; target table, source and uri fixed;
 * offset rewinds or skips); and the views job(type=insert) /
 * jobs("type"="insert") and tasks(type='insert') as virtual tables a
 * SELECT reads. The jobs live in jobstore (sl-jobd runs them); a change
 * is one read-change-write under the jobs' lock. PAUSE and DROP leave a
 * task sl-jobd is running to sl-jobd, which cancels it and settles it from
 * the transaction log (its rows and offset commit together or not at all).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl.h"
#include "io.h"
#include "lex.h"
#include "hdr.h"
#include "store.h"
#include "auth.h"
#include "objsrc.h"
#include "jobstore.h"
#include "jobrun.h"
#include "sql.h"
#include "sqlint.h"

#define DETAIL "errCode = 2, detailMessage = "
#define BATCH_BYTES_MIN (100LL << 20)
#define BATCH_BYTES_MAX (10LL << 30)

/* Doris's error for a job statement: 1105 HY000; returns 0. */
__attribute__((format(printf, 2, 3)))
static int job_err(stmt *s, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->failed = 1;
	return sl_sql_err(s->q, SL_SQL_ER_UNKNOWN, "HY000", DETAIL "%s", msg);
}

/* ---------------------------------------------------------------- properties */

/* ( "k" = "v" [, ...] ) at the "(" into h (keys as written). 1, 0, -1. */
static int parse_kv_list(stmt *s, sl_hdrs *h)
{
	char k[256], v[4096];

	if (!sl_sql_expect_op(s, "("))
		return 0;
	while (!sl_sql_op(s, ")")) {
		int kind = s->lx.tok.kind;
		if (kind == SL_TOK_STRING || kind == SL_TOK_QIDENT) {
			if (!sl_sql_str_arg(s, k, sizeof k, "property name"))
				return 0;
		} else if (!sl_sql_ident(s, k, sizeof k))
			return 0;
		if (!sl_sql_expect_op(s, "="))
			return 0;
		kind = s->lx.tok.kind;
		if (kind == SL_TOK_INT || kind == SL_TOK_NUMBER || kind == SL_TOK_IDENT) {
			if ((size_t)s->lx.tok.n >= sizeof v)
				return sl_sql_syntax(s);
			memcpy(v, s->lx.tok.p, s->lx.tok.n);
			v[s->lx.tok.n] = 0;
			if (!sl_sql_advance(s))
				return 0;
		} else if (!sl_sql_str_arg(s, v, sizeof v, "property value"))
			return 0;
		if (sl_hdrs_set(h, k, v) < 0)
			return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		if (sl_sql_op(s, ",") && !sl_sql_advance(s))
			return 0;
	}
	return sl_sql_advance(s);
}

/* The session variables a job's session.* may set: the engine's system
 * variables and the load ones of INSERT. */
static int session_var_ok(const char *name)
{
	static const char *const load_vars[] = { "insert_max_filter_ratio", "enable_insert_strict",
		"insert_timeout", "query_timeout", "timezone", "time_zone", "exec_mem_limit",
		"enable_unique_key_partial_update", "skip_delete_sign", "send_batch_parallelism" };

	for (size_t i = 0; i < SL_ARRAY_LEN(load_vars); i++)
		if (!strcasecmp(name, load_vars[i]))
			return 1;
	return sl_sqlsys_find(name, strlen(name)) >= 0;
}

static int parse_long(const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	return !errno && end != v && !*end;
}

/* The offset property's key: {"fileName":"..."}. 1, 0 (error set). */
static int offset_key(stmt *s, const char *v, char **key)
{
	static const char pre[] = "{\"fileName\":\"";
	size_t n = strlen(v);
	const char *p = v;

	while (*p == ' ')
		p++;
	if (*p != '{')
		return job_err(s, "Failed to initialize offset, %s", v);
	if (strncmp(p, pre, sizeof pre - 1) || n < sizeof pre + 1 || strcmp(v + n - 2, "\"}")
	    || v + n - 2 <= p + sizeof pre - 1)
		return job_err(s, "Invalid format for offset: %s", v);
	p += sizeof pre - 1;
	if (!(*key = strndup(p, (size_t)(v + n - 2 - p))))
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	if (strchr(*key, '"')) {
		free(*key);
		*key = 0;
		return job_err(s, "Invalid format for offset: %s", v);
	}
	return 1;
}

/* The session.* keys that name no session variable, as Doris lists them
 * ("[a, b]") into b; b->len 0 when every one is known. */
static int bad_session_vars(const sl_hdrs *h, sl_buf *b)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strncmp(h->name[i], "session.", 8) && !session_var_ok(h->name[i] + 8)
		    && (sl_buf_puts(b, b->len ? ", " : "[") < 0 || sl_buf_puts(b, h->name[i] + 8) < 0))
			return -1;
	return b->len && (sl_buf_putc(b, ']') < 0 || sl_buf_cstr(b) < 0) ? -1 : 1;
}

/* Beyond Doris: an unordered job has no offset to move. */
#define MSG_OFFSET_UNORDERED "offset cannot be used with \"mode\"=\"unordered\" (it lists every file and " \
	"remembers the loaded ones)"

/* Doris's StreamingJobProperties checks, and "mode" (beyond Doris:
 * ordered, the default, or unordered) with its unordered.max_files. 1, 0
 * (error set). */
static int check_props(stmt *s, const sl_hdrs *h)
{
	const char *mode = sl_hdrs_get(h, "mode");
	sl_buf b = SL_BUF_ZERO;
	int r;

	for (size_t i = 0; i < h->n; i++) {
		const char *k = h->name[i], *v = h->value[i];
		long long x;
		if (!strcmp(k, "max_interval")) {
			if (!parse_long(v, &x) || x < 1)
				return job_err(s, "max_interval must be at least 1 second, but was %s", v);
		} else if (!strcmp(k, "s3.max_batch_files")) {
			if (!parse_long(v, &x) || x < 1)
				return job_err(s, "s3.max_batch_files must be at least 1, but was %s", v);
		} else if (!strcmp(k, "s3.max_batch_bytes")) {
			if (!parse_long(v, &x) || x < BATCH_BYTES_MIN || x > BATCH_BYTES_MAX)
				return job_err(s, "s3.max_batch_bytes must be between 100 MB and 10 GB, but was %s", v);
		} else if (!strcmp(k, "offset")) {
			char *key = 0;
			if (!offset_key(s, v, &key))
				return 0;
			free(key);
		} else if (!strcmp(k, "mode")) {
			if (strcmp(v, "ordered") && strcmp(v, "unordered"))
				return job_err(s, "mode must be ordered or unordered, but was %s", v);
		} else if (!strcmp(k, "unordered.max_files")) {
			if (!parse_long(v, &x) || x < 1 || x > SL_JOBRUN_UNORDERED_MAX)
				return job_err(s, "unordered.max_files must be between 1 and %d, but was %s",
					SL_JOBRUN_UNORDERED_MAX, v);
		} else if (strncmp(k, "session.", 8) && strcmp(k, "compute_group") && strncmp(k, "__", 2))
			return job_err(s, "Invalid properties: [%s]. Supported keys are [max_interval, "
				"s3.max_batch_files, s3.max_batch_bytes, offset, compute_group] or any key "
				"starting with 'session.'.", k);
	}
	if (mode && !strcmp(mode, "unordered") && sl_hdrs_get(h, "offset"))
		return job_err(s, "%s", MSG_OFFSET_UNORDERED);
	if ((r = bad_session_vars(h, &b)) < 0)
		r = sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	else if (b.len)
		r = job_err(s, "Invalid session variable, %s", b.p);
	sl_buf_free(&b);
	return r;
}

/* ---------------------------------------------------------------- the DO clause */

/* What a job's INSERT names: the target, the source and its properties. */
typedef struct doinfo {
	char db[SL_SQL_NAME_MAX], tbl[SL_SQL_NAME_MAX];
	int qualified;          /* the statement named the database */
	size_t tblpos;          /* where the table's name begins */
	char tvf[16];
	sl_hdrs props;
} doinfo;

/* INSERT INTO [db.]t [(cols)] SELECT ... FROM S3(...) | local(...) [...]:
 * the target and the one table-valued source. 1, 0 (error set), -1. */
static int parse_do(stmt *outer, const char *sql, size_t n, doinfo *d)
{
	stmt s;
	int r = 0, nsrc = 0;

	memset(d, 0, sizeof *d);
	memset(&s, 0, sizeof s);
	s.q = outer->q;
	s.src = sql;
	s.n = n;
	sl_lex_init(&s.lx, sql, n);
	if (!sl_sql_advance(&s) || !sl_sql_expect_kw(&s, "INSERT") || !sl_sql_expect_kw(&s, "INTO"))
		goto out;
	d->tblpos = s.lx.tok.pos;
	if (!sl_sql_table_ref_q(&s, d->db, d->tbl, &d->qualified))
		goto out;
	while (s.lx.tok.kind != SL_TOK_EOF) {
		if (sl_sql_kw(&s, "FROM")) {
			if (!sl_sql_advance(&s))
				goto out;
			if ((sl_sql_kw(&s, "S3") || sl_sql_kw(&s, "local")) && s.lx.tok.n < sizeof d->tvf) {
				memcpy(d->tvf, s.lx.tok.p, s.lx.tok.n);
				d->tvf[s.lx.tok.n] = 0;
				if (!sl_sql_advance(&s) || !sl_sql_op(&s, "("))
					goto out;
				if ((r = parse_kv_list(&s, &d->props)) <= 0)
					goto out;
				nsrc++;
				continue;
			}
			nsrc += 2;      /* a table: not a streaming source */
		}
		if (!sl_sql_advance(&s))
			goto out;
	}
	if (nsrc != 1) {
		r = job_err(outer, "Only support one source in insert streaming job");
		goto out;
	}
	if (!strcasecmp(d->tvf, "s3") ? !sl_hdrs_get(&d->props, "uri") : !sl_hdrs_get(&d->props, "file_path")) {
		r = job_err(outer, "%s is required", !strcasecmp(d->tvf, "s3") ? "uri" : "file_path");
		goto out;
	}
	r = 1;
out:
	if (r == 0 && !outer->q->code) {
		/* a syntax error inside the DO clause */
		outer->failed = 1;
		sl_sql_err(outer->q, s.q->code ? s.q->code : SL_SQL_ER_PARSE, "42000", "%s",
			s.q->err[0] ? s.q->err : "syntax error in the job's INSERT");
	}
	sl_lex_free(&s.lx);
	return r;
}

static void doinfo_free(doinfo *d)
{
	sl_hdrs_free(&d->props);
}

/* The uri of a source: S3's uri, local's file_path. */
static const char *src_uri(const doinfo *d)
{
	const char *u = sl_hdrs_get(&d->props, "uri");
	return u ? u : sl_hdrs_get(&d->props, "file_path");
}

/* The rest of the statement from the current token, trailing ';' and
 * blanks cut: *p, *n. */
static void rest_of(stmt *s, const char **p, size_t *n)
{
	size_t at = s->lx.tok.pos, end = s->n;

	while (end > at && (s->src[end - 1] == ';' || s->src[end - 1] == ' ' || s->src[end - 1] == '\n'
	    || s->src[end - 1] == '\t' || s->src[end - 1] == '\r'))
		end--;
	*p = s->src + at;
	*n = end - at;
}

/* The user may load into the job's target: 1, 0 (denied), -1. */
static int may_load(stmt *s, const doinfo *d)
{
	return sl_sqlauth_need_table(s, "LOAD", d->db, d->tbl, SL_PRIV_LOAD, 0);
}

/* ---------------------------------------------------------------- CREATE */

static int count_jobs(stmt *s, size_t *n)
{
	int64_t *ids;

	if (sl_jobstore_list(s->q->st, &ids, n) < 0)
		return sl_sql_syserr(s->q, "unable to list the jobs");
	free(ids);
	return 1;
}

/* The job's statement, its target qualified with the session's database
 * when it was not (sl-jobd runs it without a session). 1, -1. */
static int keep_sql(stmt *s, sl_job *j, const char *sql, size_t n, const doinfo *d)
{
	sl_buf b = SL_BUF_ZERO;

	if (d->qualified) {
		if (!(j->sql = strndup(sql, n)))
			return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		return 1;
	}
	if (sl_buf_put(&b, sql, d->tblpos) < 0 || sl_buf_printf(&b, "`%s`.", d->db) < 0
	    || sl_buf_put(&b, sql + d->tblpos, n - d->tblpos) < 0 || sl_buf_cstr(&b) < 0) {
		sl_buf_free(&b);
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	}
	j->sql = b.p;
	return 1;
}

static int create_save(stmt *s, sl_job *j)
{
	sl_job other;
	size_t n;
	int fd, r;
	const char *off = sl_hdrs_get(&j->props, "offset");

	if (off && !offset_key(s, off, &j->offset))
		return 0;
	if ((fd = sl_jobstore_lock(s->q->st)) < 0)
		return sl_sql_syserr(s->q, "unable to lock the jobs");
	r = sl_jobstore_find(s->q->st, j->name, &other);
	if (r > 0) {
		sl_job_free(&other);
		r = job_err(s, "job name exist, jobName:%s", j->name);
	} else if (r < 0)
		r = sl_sql_syserr(s->q, "unable to read the jobs");
	else if ((r = count_jobs(s, &n)) > 0
	    && (int64_t)n >= sl_jobstore_conf(s->q->st, "max_streaming_job_num", 1024))
		r = job_err(s, "The number of streaming jobs exceeds the limit of max_streaming_job_num: %zu", n);
	else if (r > 0 && (sl_jobstore_new_id(s->q->st, &j->id) < 0 || sl_jobstore_save(s->q->st, j) < 0))
		r = sl_sql_syserr(s->q, "unable to save the job");
	sl_jobstore_unlock(fd);
	return r;
}

int sl_sqljob_create(stmt *s)
{
	sl_job j;
	doinfo d;
	const char *sql;
	size_t n;
	int r;

	memset(&j, 0, sizeof j);
	memset(&d, 0, sizeof d);
	if (!sl_sql_ident(s, j.name, sizeof j.name) || !sl_sql_expect_kw(s, "ON") || !sl_sql_expect_kw(s, "STREAMING"))
		return 0;
	if (sl_sql_kw(s, "PROPERTIES") && (!sl_sql_advance(s) || (r = parse_kv_list(s, &j.props)) <= 0))
		goto out0;
	if (sl_sql_kw(s, "COMMENT")) {
		char c[1024];
		if (!sl_sql_advance(s) || !sl_sql_str_arg(s, c, sizeof c, "comment"))
			goto out0;
		if (!(j.comment = strdup(c))) {
			r = sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
			goto out;
		}
	}
	if (!sl_sql_expect_kw(s, "DO"))
		goto out0;
	rest_of(s, &sql, &n);
	if ((r = check_props(s, &j.props)) <= 0 || (r = parse_do(s, sql, n, &d)) <= 0 || (r = may_load(s, &d)) <= 0)
		goto out;
	if ((r = sl_sql_need_db(s->q, d.db)) <= 0)
		goto out;
	{
		sl_schema sch;
		if ((r = sl_sql_load_schema(s->q, d.db, d.tbl, &sch)) <= 0)
			goto out;
		sl_schema_free(&sch);
	}
	if ((r = keep_sql(s, &j, sql, n, &d)) <= 0)
		goto out;
	snprintf(j.definer, sizeof j.definer, "%s", s->q->user[0] ? s->q->user : "root");
	snprintf(j.status, sizeof j.status, "%s", SL_JOBST_PENDING);
	j.create_ms = sl_jobstore_now_ms();
	r = create_save(s, &j);
	goto out;
out0:
	r = 0;
out:
	doinfo_free(&d);
	sl_job_free(&j);
	return r;
}

/* ---------------------------------------------------------------- PAUSE RESUME DROP */

/* JOB WHERE jobname = 'x' (at JOB) into name. 1, 0. */
static int where_jobname(stmt *s, char *name, size_t cap)
{
	char col[64];

	if (!sl_sql_expect_kw(s, "JOB") || !sl_sql_expect_kw(s, "WHERE") || !sl_sql_ident(s, col, sizeof col))
		return 0;
	if (strcasecmp(col, "jobname"))
		return job_err(s, "Current not support %s", col);
	if (!sl_sql_expect_op(s, "=") || !sl_sql_str_arg(s, name, cap, "job name"))
		return 0;
	return sl_sql_expect_end(s);
}

/* Under the jobs' lock, job name loaded into j: 1, 0 (none: error set), -1. */
static int lock_job(stmt *s, const char *name, sl_job *j, int *fd)
{
	int r;
	doinfo d;

	if ((*fd = sl_jobstore_lock(s->q->st)) < 0)
		return sl_sql_syserr(s->q, "unable to lock the jobs");
	r = sl_jobstore_find(s->q->st, name, j);
	if (r == 0)
		r = job_err(s, "job not exist, jobName:%s", name);
	else if (r < 0)
		r = sl_sql_syserr(s->q, "unable to read the jobs");
	else if ((r = parse_do(s, j->sql, strlen(j->sql), &d)) > 0) {
		r = may_load(s, &d);
		doinfo_free(&d);
	}
	if (r <= 0) {
		sl_job_free(j);
		sl_jobstore_unlock(*fd);
		*fd = -1;
	}
	return r;
}

/* PAUSE (resume 0) or RESUME (1) JOB WHERE jobname = '...' (at JOB). */
int sl_sqljob_pause(stmt *s, int resume)
{
	char name[129];
	sl_job j;
	int fd, r;

	if (!where_jobname(s, name, sizeof name) || (r = lock_job(s, name, &j, &fd)) <= 0)
		return 0;
	if ((!resume && !strcmp(j.status, SL_JOBST_PAUSED)) || (resume && !strcmp(j.status, SL_JOBST_PENDING)))
		r = job_err(s, "Alter job status error, jobName is %s, errorMsg is Can't change job status to the same "
			"status", name);
	else if (resume && strcmp(j.status, SL_JOBST_PAUSED))
		r = job_err(s, "Alter job status error, jobName is %s, errorMsg is Can't change job status to the same "
			"status, job already running", name);
	else {
		snprintf(j.status, sizeof j.status, "%s", resume ? SL_JOBST_PENDING : SL_JOBST_PAUSED);
		j.manual = !resume;
		if (resume) {
			j.resume_count = 0;
			j.no_resume = 0;
			free(j.err);
			j.err = 0;
		}
		r = sl_jobstore_save(s->q->st, &j) < 0 ? sl_sql_syserr(s->q, "unable to save the job") : 1;
	}
	sl_job_free(&j);
	sl_jobstore_unlock(fd);
	return r;
}

/* DROP JOB WHERE jobname = '...' (at JOB). */
int sl_sqljob_drop(stmt *s)
{
	char name[129];
	sl_job j;
	int fd, r;

	if (!where_jobname(s, name, sizeof name) || (r = lock_job(s, name, &j, &fd)) <= 0)
		return 0;
	r = sl_jobstore_remove(s->q->st, j.id) < 0 ? sl_sql_syserr(s->q, "unable to drop the job") : 1;
	sl_job_free(&j);
	sl_jobstore_unlock(fd);
	return r;
}

/* ---------------------------------------------------------------- ALTER */

/* The checks of a new DO clause against the job's. 1, 0. */
static int alter_sql_ok(stmt *s, const sl_job *j, const char *sql, size_t n)
{
	doinfo a, b;
	int r;

	if ((r = parse_do(s, j->sql, strlen(j->sql), &a)) <= 0)
		return r;
	if ((r = parse_do(s, sql, n, &b)) > 0) {
		const char *ua = src_uri(&a), *ub = src_uri(&b);
		if (strcmp(a.db, b.db) || strcmp(a.tbl, b.tbl))
			r = job_err(s, "The target table cannot be modified in ALTER JOB");
		else if (strcasecmp(a.tvf, b.tvf))
			r = job_err(s, "The source type cannot be modified in ALTER JOB");
		else if (!ua || !ub || strcmp(ua, ub))
			r = job_err(s, "The uri property cannot be modified in ALTER JOB");
	}
	doinfo_free(&a);
	doinfo_free(&b);
	return r;
}

static int alter_apply(stmt *s, sl_job *j, const sl_hdrs *props, const char *sql, size_t n)
{
	const char *off = sl_hdrs_get(props, "offset"), *nm = sl_hdrs_get(props, "mode");
	const char *om = sl_hdrs_get(&j->props, "mode");

	if (strcmp(j->status, SL_JOBST_PAUSED))
		return job_err(s, "Only PAUSED job can be altered");
	if (off && j->has_cur)
		return job_err(s, "the job's last task is still being settled by sl-jobd; try again");
	if (sql && alter_sql_ok(s, j, sql, n) <= 0)
		return 0;
	if (nm && strcmp(nm, om ? om : "ordered"))
		return job_err(s, "The mode property cannot be modified in ALTER JOB");
	if (off && sl_jobstore_unordered(j))
		return job_err(s, "%s", MSG_OFFSET_UNORDERED);
	for (size_t i = 0; i < props->n; i++)
		if (sl_hdrs_set(&j->props, props->name[i], props->value[i]) < 0)
			return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	if (off) {
		free(j->offset);
		j->offset = 0;
		if (!offset_key(s, off, &j->offset))
			return 0;
		free(j->end_offset);
		j->end_offset = 0;
	}
	if (sql) {
		doinfo d;
		int k;
		free(j->sql);
		j->sql = 0;
		if ((k = parse_do(s, sql, n, &d)) > 0)
			k = keep_sql(s, j, sql, n, &d);
		doinfo_free(&d);
		if (k <= 0)
			return k;
	}
	return sl_jobstore_save(s->q->st, j) < 0 ? sl_sql_syserr(s->q, "unable to save the job") : 1;
}

/* ALTER JOB name [PROPERTIES(...)] [INSERT ...] (at JOB). */
int sl_sqljob_alter(stmt *s)
{
	char name[129];
	sl_hdrs props = SL_HDRS_ZERO;
	const char *sql = 0;
	size_t n = 0;
	sl_job j;
	int fd, r = 0;

	if (!sl_sql_expect_kw(s, "JOB") || !sl_sql_ident(s, name, sizeof name))
		return 0;
	if (sl_sql_kw(s, "PROPERTIES") && (!sl_sql_advance(s) || parse_kv_list(s, &props) <= 0))
		goto out;
	if (sl_sql_kw(s, "DO") && !sl_sql_advance(s))
		goto out;
	if (sl_sql_kw(s, "INSERT"))
		rest_of(s, &sql, &n);
	else if (!sl_sql_expect_end(s))
		goto out;
	if (!props.n && !sql) {
		r = job_err(s, "No properties or sql changed in ALTER JOB");
		goto out;
	}
	if (!strncmp(name, "inner_", 6)) {
		r = job_err(s, "Can't alter inner job");
		goto out;
	}
	if ((r = check_props(s, &props)) <= 0 || (r = lock_job(s, name, &j, &fd)) <= 0)
		goto out;
	r = alter_apply(s, &j, &props, sql, n);
	sl_job_free(&j);
	sl_jobstore_unlock(fd);
out:
	sl_hdrs_free(&props);
	return r;
}

/* ---------------------------------------------------------------- the views */

int sl_sqljob_is_view(const char *name)
{
	return !strcasecmp(name, "job") || !strcasecmp(name, "jobs") || !strcasecmp(name, "tasks");
}

/* The view's arguments at "(": type=insert | "type"="insert" |
 * type='insert' | "insert". 1, 0. */
int sl_sqljob_view_args(stmt *s, const char *name)
{
	sl_hdrs h = SL_HDRS_ZERO;
	const char *type;
	int r;

	if (!sl_sql_expect_op(s, "("))
		return 0;
	if (s->lx.tok.kind == SL_TOK_STRING) {
		/* jobs("insert") */
		sl_lex_mark m = sl_lex_save(&s->lx);
		char v[64];
		if (!sl_sql_str_arg(s, v, sizeof v, "type"))
			return 0;
		if (sl_sql_op(s, ")")) {
			if (strcasecmp(v, "insert"))
				return job_err(s, "Invalid job type: %s", v);
			return sl_sql_advance(s);
		}
		sl_lex_restore(&s->lx, m);
	}
	r = 1;
	while (r > 0 && !sl_sql_op(s, ")")) {
		char k[64], v[256];
		int kind = s->lx.tok.kind;
		if (kind == SL_TOK_STRING ? !sl_sql_str_arg(s, k, sizeof k, "name") : !sl_sql_ident(s, k, sizeof k))
			return 0;
		if (!sl_sql_expect_op(s, "="))
			return 0;
		kind = s->lx.tok.kind;
		if (kind == SL_TOK_STRING ? !sl_sql_str_arg(s, v, sizeof v, "value") : !sl_sql_ident(s, v, sizeof v))
			return 0;
		if (sl_hdrs_set(&h, k, v) < 0)
			r = sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		if (r > 0 && sl_sql_op(s, ",") && !sl_sql_advance(s))
			r = 0;
	}
	if (r > 0 && !sl_sql_advance(s))
		r = 0;
	type = sl_hdrs_get(&h, "type");
	if (r > 0 && (!type || strcasecmp(type, "insert")))
		r = job_err(s, "Invalid job type: %s (%s supports type=insert)", type ? type : "", name);
	sl_hdrs_free(&h);
	return r;
}

static void fmt_time(int64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

static int stat_json(sl_buf *b, const sl_jobstat *st)
{
	b->len = 0;
	return sl_buf_printf(b, "{\"scannedRows\":%" PRId64 ",\"loadBytes\":%" PRId64 ",\"fileNumber\":%" PRId64
		",\"fileSize\":%" PRId64 "}", st->rows, st->bytes, st->files, st->fsize) < 0 ? -1 : sl_buf_cstr(b);
}

/* {"fileName":"key"} into b (NULL key: NULL); loaded >= 0 (an unordered
 * job's CurrentOffset): ,"loadedFiles":N after the name. */
static const char *offset_json(sl_buf *b, const char *key, int64_t loaded)
{
	b->len = 0;
	if (!key)
		return 0;
	if (sl_buf_puts(b, "{\"fileName\":") < 0 || sl_jobstore_json_str(b, key) < 0
	    || (loaded >= 0 && sl_buf_printf(b, ",\"loadedFiles\":%" PRId64, loaded) < 0)
	    || sl_buf_putc(b, '}') < 0 || sl_buf_cstr(b) < 0)
		return 0;
	return b->p;
}

static const char *props_json(sl_buf *b, const sl_hdrs *h)
{
	b->len = 0;
	if (!h->n)
		return 0;
	if (sl_buf_putc(b, '{') < 0)
		return 0;
	for (size_t i = 0; i < h->n; i++)
		if ((i && sl_buf_putc(b, ',') < 0) || sl_jobstore_json_str(b, h->name[i]) < 0 || sl_buf_putc(b, ':') < 0
		    || sl_jobstore_json_str(b, h->value[i]) < 0)
			return 0;
	return sl_buf_putc(b, '}') < 0 || sl_buf_cstr(b) < 0 ? 0 : b->p;
}

int sl_sqljob_mask(const char *sql, size_t n, sl_buf *out)
{
	sl_lex lx;
	size_t from = 0;
	int secret = 0, r = 1;

	sl_lex_init(&lx, sql, n);
	while (sl_lex_next(&lx) > 0 && lx.tok.kind != SL_TOK_EOF) {
		if (lx.tok.kind == SL_TOK_STRING && secret == 2) {
			/* the value: shown empty, as Doris shows a masked key */
			char q[2] = { lx.tok.p[0], lx.tok.p[0] };
			if (sl_buf_put(out, sql + from, lx.tok.pos - from) < 0 || sl_buf_put(out, q, 2) < 0)
				r = -1;
			from = lx.tok.pos + lx.tok.n;
			secret = 0;
			continue;
		}
		if (secret == 1 && lx.tok.kind == SL_TOK_OP && lx.tok.n == 1 && lx.tok.p[0] == '=') {
			secret = 2;
			continue;
		}
		secret = 0;
		if (lx.tok.kind == SL_TOK_STRING || lx.tok.kind == SL_TOK_IDENT || lx.tok.kind == SL_TOK_QIDENT) {
			const char *w = lx.tok.kind == SL_TOK_IDENT ? 0 : lx.tok.str;
			for (size_t i = 0; sl_objsrc_secret_props[i]; i++)
				if (w ? !strcasecmp(w, sl_objsrc_secret_props[i])
				      : lx.tok.n == strlen(sl_objsrc_secret_props[i])
				        && !strncasecmp(lx.tok.p, sl_objsrc_secret_props[i], lx.tok.n))
					secret = 1;
		}
	}
	if (r > 0 && sl_buf_put(out, sql + from, n - from) < 0)
		r = -1;
	sl_lex_free(&lx);
	return r < 0 || sl_buf_cstr(out) < 0 ? -1 : 1;
}

typedef struct viewbuf { sl_buf a, b, c, d, e; } viewbuf;

static int job_row(stmt *s, sl_vtab *vt, const sl_job *j, viewbuf *w)
{
	char id[24], ct[32], sc[24], fc[24], cc[24];

	w->a.len = 0;
	if (sl_sqljob_mask(j->sql, strlen(j->sql), &w->a) < 0 || stat_json(&w->b, &j->stat) < 0)
		return -1;
	snprintf(id, sizeof id, "%" PRId64, j->id);
	snprintf(sc, sizeof sc, "%" PRId64, j->succeed);
	snprintf(fc, sizeof fc, "%" PRId64, j->failed);
	snprintf(cc, sizeof cc, "%" PRId64, j->canceled);
	fmt_time(j->create_ms, ct, sizeof ct);
	const char *v[] = { id, j->name, j->definer, "STREAMING", 0,
		j->status,
		w->a.p, ct, sc, fc, cc, j->comment, props_json(&w->c, &j->props),
		offset_json(&w->d, j->offset, sl_jobstore_unordered(j) ? (int64_t)j->nloaded : -1),
		offset_json(&w->e, j->end_offset ? j->end_offset : j->offset, -1),
		w->b.p, j->err, j->runtime_msg };
	(void)s;
	return sl_sqlinfo_vt_add(vt, SL_ARRAY_LEN(v), v);
}

static int task_row(sl_vtab *vt, const sl_job *j, const sl_jobtask *t, viewbuf *w)
{
	char tid[24], jid[24], label[64], c[32], st[32], fi[32];

	snprintf(tid, sizeof tid, "%" PRId64, t->id);
	snprintf(jid, sizeof jid, "%" PRId64, j->id);
	sl_jobstore_label(j->id, t->id, label, sizeof label);
	fmt_time(t->create_ms, c, sizeof c);
	fmt_time(t->start_ms, st, sizeof st);
	fmt_time(t->finish_ms, fi, sizeof fi);
	if (stat_json(&w->b, &t->stat) < 0)
		return -1;
	w->a.len = 0;
	if (t->start_key && (sl_buf_puts(&w->a, "{\"startFileName\":") < 0 || sl_jobstore_json_str(&w->a, t->start_key) < 0
	    || sl_buf_puts(&w->a, ",\"endFileName\":") < 0 || sl_jobstore_json_str(&w->a, t->end_key ? t->end_key : "") < 0
	    || sl_buf_putc(&w->a, '}') < 0 || sl_buf_cstr(&w->a) < 0))
		return -1;
	const char *v[] = { tid, jid, j->name, label, t->status, t->err, c, t->start_ms ? st : 0,
		t->finish_ms ? fi : 0, 0, w->b.p, j->definer, 0, t->start_key ? w->a.p : 0 };
	return sl_sqlinfo_vt_add(vt, SL_ARRAY_LEN(v), v);
}

/* The rows of one job: the job (tasks 0) or its tasks, newest first. */
static int view_rows(stmt *s, sl_vtab *vt, const sl_job *j, int tasks, viewbuf *w)
{
	size_t keep = (size_t)sl_jobstore_conf(s->q->st, "max_streaming_task_show_count", 100), k = 0;
	doinfo d;
	int r;

	if ((r = parse_do(s, j->sql, strlen(j->sql), &d)) <= 0) {
		/* a job whose DO no longer parses is still shown */
		s->failed = 0;
		s->q->code = 0;
		s->q->err[0] = 0;
	} else {
		r = sl_sqlauth_may(s, d.db, d.tbl, SL_PRIV_LOAD | SL_PRIV_SELECT, 1);
		doinfo_free(&d);
		if (r <= 0)
			return r;
	}
	if (!tasks)
		return job_row(s, vt, j, w);
	if (j->has_cur && k++ < keep && task_row(vt, j, &j->cur, w) < 0)
		return -1;
	for (size_t i = 0; i < j->nhist && k < keep; i++, k++)
		if (task_row(vt, j, &j->hist[i], w) < 0)
			return -1;
	return 1;
}

static const char JOB_COLS[] = "Id:s,Name:s,Definer:s,ExecuteType:s,RecurringStrategy:s,Status:s,"
	"ExecuteSql:s,CreateTime:s,SucceedTaskCount:s,FailedTaskCount:s,CanceledTaskCount:s,Comment:s,"
	"Properties:s,CurrentOffset:s,EndOffset:s,LoadStatistic:s,ErrorMsg:s,JobRuntimeMsg:s";
static const char TASK_COLS[] = "TaskId:s,JobId:s,JobName:s,Label:s,Status:s,ErrorMsg:s,CreateTime:s,"
	"StartTime:s,FinishTime:s,TrackingUrl:s,LoadStatistic:s,User:s,FirstErrorMsg:s,RunningOffset:s";

int sl_sqljob_open(stmt *s, const char *name, sl_vtab *vt)
{
	int tasks = !strcasecmp(name, "tasks"), r = 1;
	int64_t *ids = 0;
	size_t n = 0;
	viewbuf w;

	memset(vt, 0, sizeof *vt);
	memset(&w, 0, sizeof w);
	if (sl_sqlinfo_vt_init(vt, tasks ? TASK_COLS : JOB_COLS) < 0)
		return sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
	if (sl_jobstore_list(s->q->st, &ids, &n) < 0)
		return sl_sql_syserr(s->q, "unable to list the jobs");
	for (size_t i = 0; i < n && r > 0; i++) {
		sl_job j;
		int k = sl_jobstore_load(s->q->st, ids[i], &j);
		if (k < 0)
			r = sl_sql_syserr(s->q, "unable to read a job");
		if (k <= 0)
			continue;
		if ((r = view_rows(s, vt, &j, tasks, &w)) < 0 && !s->q->err[0])
			r = sl_sql_syserr(s->q, SL_SQL_MSG_OOM);
		if (r == 0 && !s->q->code)
			r = 1;          /* a job the user may not see */
		sl_job_free(&j);
	}
	free(ids);
	sl_buf_free(&w.a);
	sl_buf_free(&w.b);
	sl_buf_free(&w.c);
	sl_buf_free(&w.d);
	sl_buf_free(&w.e);
	return r;
}
