/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_query.c -- the routes of sl-httpd that read (route_query.h):
 *   GET|HEAD /api/_load_error_log?file=F                    an error log
 *   POST     /api/query/{ns}/{db}  {"stmt": "..."}          sql.h in-process
 *   GET      /api/{db}/_stream_load_record[?limit=N]        record.h
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jv.h>

#include "sl.h"
#include "status.h"
#include "store.h"
#include "auth.h"
#include "record.h"
#include "sql.h"
#include "types.h"
#include "httpauth.h"
#include "reply.h"
#include "route_query.h"

#define QUERY_BODY_MAX (1u << 20)

/* ---- error logs ---- */

/* A plain file name in _error_log/: nothing else, ever. */
static int log_name_ok(const char *file)
{
	const char *p;

	for (p = file; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == ':' || *p == '.'))
			return 0;
	return file[0] != '.';
}

/* Send the open file fd of sb.st_size bytes as the answer. */
static int send_file(hconn *h, hreq *rq, int fd, const struct stat *sb)
{
	int r;

	httpd_arm(1, 600);
	r = httpd_respond_head(h, rq, 200, HTTPD_CT_TEXT, NULL, (size_t)sb->st_size);
	if (r > 0 && strcmp(rq->method, "HEAD")) {
		char buf[65536];
		off_t left = sb->st_size;
		while (left > 0 && r > 0) {
			ssize_t k = read(fd, buf, left < (off_t)sizeof buf ? (size_t)left : sizeof buf);
			if (k <= 0) {
				/* the file shrank: the promised length cannot be kept */
				rq->keep_alive = 0;
				r = -1;
				break;
			}
			r = httpd_write(h, buf, (size_t)k);
			left -= k;
		}
	}
	httpd_disarm();
	rq->outcome = NULL;
	return r < 0 ? -1 : 0;
}

int httpd_route_error_log(hconn *h, hreq *rq)
{
	static const char nofile[] = "parameter file not specified in url.";
	char *file = NULL, *path = NULL;
	struct stat sb;
	int fd, r;

	httpd_reply_drain(h, rq);
	r = httpd_query_param(rq->query, "file", &file);
	if (r < 0)
		return httpd_reply_text(h, rq, 400, NULL);
	if (r == 0 || !*file) {
		free(file);
		return httpd_respond(h, rq, 200, HTTPD_CT_TEXT, NULL, nofile, sizeof nofile - 1) < 0 ? -1 : 0;
	}
	if (!log_name_ok(file)) {
		httpd_log(h, 1, "error log outside the error log directory refused: %s", file);
		free(file);
		return httpd_reply_text(h, rq, 401, NULL);
	}
	if (h->c->error_log_requires_auth && (r = httpd_auth_error_log(h, rq, file)) != 200) {
		free(file);
		return httpd_reply_text(h, rq, r, r == 401 ? "WWW-Authenticate: Basic realm=\"Restricted\"\r\n" : NULL);
	}
	if (asprintf(&path, "%s/_error_log/%s", h->c->st.dir, file) < 0)
		path = NULL;
	free(file);
	fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) : -1;
	free(path);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		return httpd_reply_text(h, rq, 404, NULL);
	}
	r = send_file(h, rq, fd, &sb);
	close(fd);
	return r;
}

/* ---- query API ---- */

/* The result set, as the FE's query API writes it:
 * {"type":"result_set","meta":[{"name":..,"type":..},..],"data":[[..],..]}.
 * Numbers are copied as the engine formats them: jv holds a number as a
 * double, which would round a BIGINT past 2^53 and a DECIMAL's scale. */
typedef struct qsink {
	sl_buf *b;
	int began;
	size_t rows;
} qsink;

static int q_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	qsink *q = ctx;
	jv meta = jv_array();
	size_t i;

	q->began = 1;
	for (i = 0; i < n; i++) {
		char t[64], *paren;
		jv col = jv_object();
		sl_type_format_upper(&types[i], t, sizeof t);
		if ((paren = strchr(t, '(')))
			*paren = 0;
		col = jv_object_set(col, jv_string("name"), jv_string(names[i] ? names[i] : ""));
		col = jv_object_set(col, jv_string("type"), jv_string(t));
		meta = jv_array_append(meta, col);
	}
	if (sl_buf_puts(q->b, "{\"type\":\"result_set\",\"meta\":") < 0 || httpd_json_put(q->b, meta) < 0)
		return -1;
	return sl_buf_puts(q->b, ",\"data\":[");
}

/* One value: a number as formatted (t), anything else a JSON string. */
static int q_value(sl_buf *b, const sl_value *v, sl_buf *t)
{
	t->len = 0;
	switch (v->kind) {
	case SL_V_NULL:
		return sl_buf_puts(b, "null");
	case SL_V_INT:
		return sl_buf_printf(b, "%" PRId64, v->u.i);
	case SL_V_LARGE:
	case SL_V_DECIMAL:
		return sl_value_format(v, t) < 0 ? -1 : sl_buf_put(b, t->p, t->len);
	case SL_V_DOUBLE:
		if (sl_value_format(v, t) < 0)
			return -1;
		if (isfinite(v->u.d))
			return sl_buf_put(b, t->p, t->len);
		break;
	default:
		if (sl_value_format(v, t) < 0)
			return -1;
	}
	return httpd_json_put(b, jv_string_sized(t->p ? t->p : "", (int)t->len));
}

static int q_row(void *ctx, size_t n, const sl_value *v)
{
	qsink *q = ctx;
	sl_buf t = SL_BUF_ZERO;
	size_t i;
	int r = 1;

	if ((q->rows++ && sl_buf_putc(q->b, ',') < 0) || sl_buf_putc(q->b, '[') < 0)
		return -1;
	for (i = 0; i < n && r > 0; i++)
		r = i && sl_buf_putc(q->b, ',') < 0 ? -1 : q_value(q->b, &v[i], &t);
	sl_buf_free(&t);
	if (r < 0)
		return -1;
	return sl_buf_putc(q->b, ']');
}

static int q_end(void *ctx)
{
	qsink *q = ctx;
	return sl_buf_puts(q->b, "]}");
}

/* The HTTP status of a failed statement: a privilege denial by the
 * engine is 403, as the route's other denials. */
static int query_status(const sl_sql *q, int r, int other)
{
	return r < 0 ? 500 : SL_SQL_DENIED(q->code) ? 403 : other;
}

/* The statement of the body {"stmt": "..."}, a copy in *stmt (malloc'd).
 * 1, or 0 with the answer given (*ret). */
static int query_stmt(hconn *h, hreq *rq, char **stmt, int *ret)
{
	sl_buf body = SL_BUF_ZERO;
	jv v, s = jv_invalid();

	*stmt = NULL;
	if (rq->has_cl && rq->has_te) {
		rq->keep_alive = 0;
		*ret = httpd_reply_query_error(h, rq, "please do not set both content_length and transfer-encoding", 400);
		return 0;
	}
	if (!httpd_body_slurp(h, rq, &body, QUERY_BODY_MAX)) {
		rq->keep_alive = 0;
		*ret = httpd_reply_query_error(h, rq, rq->body_error ? SL_MSG_SHORT_BODY
			: "the request body is too large", rq->body_error ? 400 : 413);
		sl_buf_free(&body);
		return 0;
	}
	v = body.len ? jv_parse_sized(body.p, (int)body.len) : jv_invalid();
	if (jv_get_kind(v) == JV_KIND_OBJECT &&
	    jv_get_kind(s = jv_object_get(jv_copy(v), jv_string("stmt"))) == JV_KIND_STRING &&
	    *jv_string_value(s) && !(*stmt = strdup(jv_string_value(s))))
		*ret = httpd_reply_query_error(h, rq, "out of memory", 500);
	else if (!*stmt)
		*ret = httpd_reply_query_error(h, rq, "the request body must be a JSON object with a non-empty \"stmt\"", 400);
	jv_free(s);
	jv_free(v);
	sl_buf_free(&body);
	return *stmt != NULL;
}

/* A statement refused by the engine: its message, logged when it was
 * for want of a privilege. */
static int query_fail(hconn *h, hreq *rq, const sl_sql *q, const char *user, int r, int other)
{
	if (SL_SQL_DENIED(q->code))
		httpd_auth_log(h, rq, user, 0, "statement refused: no privilege");
	return httpd_reply_query_error(h, rq, q->err, query_status(q, r, other));
}

/* USE db, then the statement into res. 1 done (*began: a result set), or
 * 0 with the answer given (*ret). */
static int query_run(hconn *h, hreq *rq, sl_sql *q, const char *user, const char *db, const char *stmt,
	sl_buf *res, int *began, int *ret)
{
	qsink qs = { res, 0, 0 };
	sl_sql_sink sink;
	sl_buf u = SL_BUF_ZERO;
	size_t off = 0, start, len;
	int r;

	sink.ctx = &qs;
	sink.begin = q_begin;
	sink.row = q_row;
	sink.end = q_end;
	if (sl_buf_printf(&u, "USE `%s`", db) < 0) {
		*ret = httpd_reply_query_error(h, rq, "out of memory", 500);
		return 0;
	}
	r = sl_sql_exec(q, u.p, u.len, &sink);
	sl_buf_free(&u);
	if (r <= 0) {
		*ret = query_fail(h, rq, q, user, r, 404);
		return 0;
	}
	r = sl_sql_next(q, stmt, strlen(stmt), &off, &start, &len);
	if (r == 0) {
		*ret = httpd_reply_query_error(h, rq, "the statement is empty", 400);
		return 0;
	}
	res->len = 0;
	qs.began = 0;
	r = r < 0 ? 0 : sl_sql_exec(q, stmt + start, len, &sink);
	if (r <= 0) {
		*ret = query_fail(h, rq, q, user, r, 400);
		return 0;
	}
	*began = qs.began;
	return 1;
}

/* The data of a statement that returns no rows; a load's (INSERT) status
 * has its affected rows and Doris's info {'label':..., 'status':...}. */
static jv exec_status(const sl_sql *q)
{
	jv st = jv_object();

	if (q->info[0])
		st = jv_object_set(jv_object_set(st, jv_string("affectedRows"), jv_number((double)q->affected)),
			jv_string("info"), jv_string(q->info));
	return jv_object_set(jv_object_set(jv_object(), jv_string("type"), jv_string("exec_status")),
		jv_string("status"), st);
}

/* The route only authenticates: the engine checks every statement's
 * privileges for the user (sql.h), whatever the URL's database. */
int httpd_route_query(hconn *h, hreq *rq, const char *db)
{
	sl_buf res = SL_BUF_ZERO, b = SL_BUF_ZERO;
	char user[128], msg[1024], *stmt = NULL;
	sl_sql q;
	int r, st, ret, began = 0;

	r = httpd_auth(h, rq, db, NULL, 0, user, sizeof user, msg, sizeof msg, &st);
	if (r <= 0) {
		httpd_reply_drain_early(h, rq);
		return httpd_reply_query_error(h, rq, msg, st);
	}
	if (!query_stmt(h, rq, &stmt, &ret))
		return ret;
	sl_sql_init(&q, &h->c->st);
	if (sl_sql_set_user(&q, user) < 0)
		ret = httpd_reply_query_error(h, rq, "Access denied; you need (at least one of) the (SELECT) "
			"privilege(s) for this operation", 403);
	else if (query_run(h, rq, &q, user, db, stmt, &res, &began, &ret)) {
		if (sl_buf_puts(&b, "{\"msg\":\"success\",\"code\":0,\"data\":") < 0 ||
		    (began ? sl_buf_put(&b, res.p, res.len) : httpd_json_put(&b, exec_status(&q))) < 0 ||
		    sl_buf_puts(&b, ",\"count\":0}") < 0)
			ret = httpd_reply_query_error(h, rq, "out of memory", 500);
		else
			ret = httpd_reply_json(h, rq, SL_STATUS_SUCCESS, &b);
	}
	sl_sql_free(&q);
	free(stmt);
	sl_buf_free(&res);
	sl_buf_free(&b);
	return ret;
}

/* ---- the stream load record ---- */

/* "YYYY-MM-DD HH:MM:SS.mmm" in local time; "" for 0. */
static jv fmt_time(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[64], r[80];

	if (!ms || !localtime_r(&t, &tm))
		return jv_string("");
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(r, sizeof r, "%s.%03d", s, (int)(ms % 1000));
	return jv_string(r);
}

static jv str(const char *s)
{
	return jv_string(s ? s : "");
}

static jv record_jv(const sl_load_record *x)
{
	jv o = jv_object();

	o = jv_object_set(o, jv_string("Label"), str(x->label));
	o = jv_object_set(o, jv_string("Db"), str(x->db));
	o = jv_object_set(o, jv_string("Table"), str(x->table));
	o = jv_object_set(o, jv_string("ClientIp"), str(x->client_ip));
	o = jv_object_set(o, jv_string("Status"), str(x->status));
	o = jv_object_set(o, jv_string("Message"), str(x->message));
	o = jv_object_set(o, jv_string("Url"), str(x->url[0] ? x->url : "N/A"));
	o = jv_object_set(o, jv_string("TotalRows"), jv_number((double)x->total));
	o = jv_object_set(o, jv_string("LoadedRows"), jv_number((double)x->loaded));
	o = jv_object_set(o, jv_string("FilteredRows"), jv_number((double)x->filtered));
	o = jv_object_set(o, jv_string("UnselectedRows"), jv_number((double)x->unselected));
	o = jv_object_set(o, jv_string("LoadBytes"), jv_number((double)x->load_bytes));
	o = jv_object_set(o, jv_string("StartTime"), fmt_time(x->start_ms));
	o = jv_object_set(o, jv_string("FinishTime"), fmt_time(x->finish_ms));
	o = jv_object_set(o, jv_string("User"), str(x->user));
	o = jv_object_set(o, jv_string("Comment"), str(x->comment));
	return o;
}

/* The loads of db the user may see: all for root; else those of the
 * tables the user holds LOAD or SELECT on (a grant on one table of db lets
 * the user in, and shows that table's loads, no others). 1, -1 errno. */
static int visible_records(hconn *h, const char *user, const char *db, sl_load_record *recs, size_t *n)
{
	sl_auth_entry *e = NULL;
	size_t ne = 0, i, k = 0;

	if (!strcmp(user, "root"))
		return 1;
	if (sl_auth_list(&h->c->st, user, &e, &ne) < 0)
		return -1;
	for (i = 0; i < *n; i++)
		if (sl_auth_privs_of(e, ne, db, recs[i].table) & (SL_PRIV_LOAD | SL_PRIV_SELECT))
			recs[k++] = recs[i];
	*n = k;
	free(e);
	return 1;
}

/* [\n{...},\n{...}\n]\n, one record a line. */
static int records_json(const sl_load_record *recs, size_t n, sl_buf *b)
{
	size_t i;
	int r = sl_buf_puts(b, "[");

	for (i = 0; i < n && r > 0; i++)
		if ((r = sl_buf_puts(b, i ? ",\n" : "\n")) > 0)
			r = httpd_json_put_line(b, record_jv(&recs[i]));
	return r < 0 ? -1 : sl_buf_puts(b, n ? "\n]\n" : "]\n");
}

int httpd_route_record(hconn *h, hreq *rq, const char *db)
{
	char user[128], msg[1024], *lim = NULL;
	sl_load_record *recs = NULL;
	size_t n = 0, limit = 0;
	sl_buf b = SL_BUF_ZERO;
	int r, st, ret;

	httpd_reply_drain(h, rq);
	r = httpd_auth(h, rq, db, NULL, 0, user, sizeof user, msg, sizeof msg, &st);
	if (r <= 0)
		return httpd_reply_query_error(h, rq, msg, st);
	if (strcmp(user, "root") && sl_auth_has_priv(&h->c->st, user, db, NULL, SL_PRIV_LOAD) != 1 &&
	    sl_auth_has_priv(&h->c->st, user, db, NULL, SL_PRIV_SELECT) != 1) {
		httpd_auth_log(h, rq, user, 0, "no LOAD or SELECT privilege");
		return httpd_reply_query_error(h, rq, "Access denied; you need (at least one of) the (LOAD, SELECT) "
			"privilege(s) for this operation", 403);
	}
	if (httpd_query_param(rq->query, "limit", &lim) > 0)
		limit = (size_t)strtoul(lim, NULL, 10);
	free(lim);
	r = sl_name_valid(db) == 1 ? sl_record_list(&h->c->st, db, &recs, &n, limit) : 0;
	if (r < 0)
		return httpd_reply_query_error(h, rq, strerror(errno), 500);
	if (r == 0) {
		snprintf(msg, sizeof msg, "unknown database, database=%s", db);
		return httpd_reply_query_error(h, rq, msg, 404);
	}
	if (visible_records(h, user, db, recs, &n) < 0) {
		free(recs);
		return httpd_reply_query_error(h, rq, strerror(errno), 500);
	}
	r = records_json(recs, n, &b);
	free(recs);
	ret = r < 0 ? httpd_reply_query_error(h, rq, "out of memory", 500) : httpd_reply_json(h, rq, SL_STATUS_SUCCESS, &b);
	sl_buf_free(&b);
	return ret;
}
