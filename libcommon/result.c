/* SPDX-License-Identifier: Apache-2.0 */
/*
 * result.c -- Doris's load answers as JSON, built and printed with libjq's
 * jv API. jq keeps object members in insertion order, and its pretty
 * printer with an indent of 4 writes exactly what rapidjson's PrettyWriter
 * writes for flat objects of strings and integers: "{", one member per line
 * indented 4 spaces as `"Key": value`, ",\n" between members, "}".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jv.h>

#include "result.h"
#include "store.h"
#include "errtext.h"
#include "utf8.h"
#include "status.h"

#define JV_FLAGS (JV_PRINT_PRETTY | JV_PRINT_INDENT_FLAGS(4))

void sl_result_init(sl_result *r)
{
	memset(r, 0, sizeof *r);
	r->txn_id = -1;
}

void sl_result_free(sl_result *r)
{
	free(r->label);
	free(r->comment);
	free(r->status);
	free(r->existing_job_status);
	free(r->message);
	free(r->error_url);
	free(r->first_error_msg);
	sl_result_init(r);
}

int sl_result_set(char **field, const char *s)
{
	char *c = NULL;

	if (s && !(c = strdup(s)))
		return -1;
	free(*field);
	*field = c;
	return 1;
}

int sl_result_error_url(const char *path, sl_buf *out)
{
	const char *pre = getenv("SL_ERROR_URL_PREFIX");
	const char *base;
	char *cwd;
	int r;

	if (pre && *pre) {
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		return sl_buf_puts(out, pre) < 0 ? -1 : sl_buf_puts(out, base);
	}
	if (sl_buf_puts(out, "file://") < 0)
		return -1;
	if (path[0] == '/')
		return sl_buf_puts(out, path);
	if (!(cwd = getcwd(NULL, 0)))
		return -1;
	r = sl_buf_printf(out, "%s/%s", cwd, path);
	free(cwd);
	return r;
}

static int kv_str(const sl_kv *kv, const char *k, char **field)
{
	const char *v = sl_kv_get(kv, k);

	return v ? sl_result_set(field, v) : 1;
}

int sl_result_from_kv(sl_result *r, const sl_kv *kv)
{
	const char *p;

	r->txn_id = sl_kv_get_i64(kv, "TxnId", r->txn_id);
	r->total = sl_kv_get_i64(kv, "NumberTotalRows", r->total);
	r->loaded = sl_kv_get_i64(kv, "NumberLoadedRows", r->loaded);
	r->filtered = sl_kv_get_i64(kv, "NumberFilteredRows", r->filtered);
	r->unselected = sl_kv_get_i64(kv, "NumberUnselectedRows", r->unselected);
	r->load_bytes = sl_kv_get_i64(kv, "LoadBytes", r->load_bytes);
	r->begin_txn_time_ms = sl_kv_get_i64(kv, "BeginTxnTimeMs", r->begin_txn_time_ms);
	r->put_time_ms = sl_kv_get_i64(kv, "StreamLoadPutTimeMs", r->put_time_ms);
	r->read_time_ms = sl_kv_get_i64(kv, "ReadDataTimeMs", r->read_time_ms);
	r->write_time_ms = sl_kv_get_i64(kv, "WriteDataTimeMs", r->write_time_ms);
	r->receive_time_ms = sl_kv_get_i64(kv, "ReceiveDataTimeMs", r->read_time_ms);
	if (kv_str(kv, "Label", &r->label) < 0 || kv_str(kv, "Status", &r->status) < 0 ||
	    kv_str(kv, "ExistingJobStatus", &r->existing_job_status) < 0 ||
	    kv_str(kv, "FirstErrorMsg", &r->first_error_msg) < 0)
		return -1;
	if ((p = sl_kv_get(kv, "ErrorLogPath")) && *p) {
		sl_buf u = SL_BUF_ZERO;
		int ok = sl_result_error_url(p, &u) > 0 && sl_buf_cstr(&u) > 0 &&
			sl_result_set(&r->error_url, u.p) > 0;
		sl_buf_free(&u);
		if (!ok)
			return -1;
	}
	return 1;
}

static jv set_s(jv o, const char *k, const char *v)
{
	return jv_object_set(o, jv_string(k), jv_string(v ? v : ""));
}

static jv set_n(jv o, const char *k, int64_t v)
{
	return jv_object_set(o, jv_string(k), jv_number((double)v));
}

static int is_success(const sl_result *r)
{
	return r->status && !strcmp(r->status, SL_STATUS_SUCCESS);
}

static jv result_jv(const sl_result *r)
{
	jv o = jv_object();
	int ok = is_success(r);

	o = set_n(o, "TxnId", r->txn_id);
	o = set_s(o, "Label", r->label);
	o = set_s(o, "Comment", r->comment);
	o = set_s(o, "TwoPhaseCommit", r->two_phase ? "true" : "false");
	o = set_s(o, "Status", r->status ? r->status : SL_STATUS_FAIL);
	if (r->status && !strcmp(r->status, SL_STATUS_LABEL_EXISTS))
		o = set_s(o, "ExistingJobStatus", r->existing_job_status ? r->existing_job_status : SL_JOB_RUNNING);
	o = set_s(o, "Message", r->message ? r->message : ok ? "OK" : "");
	o = set_n(o, "NumberTotalRows", r->total);
	o = set_n(o, "NumberLoadedRows", ok ? r->loaded : 0);
	o = set_n(o, "NumberFilteredRows", r->filtered);
	o = set_n(o, "NumberUnselectedRows", r->unselected);
	o = set_n(o, "LoadBytes", r->load_bytes);
	o = set_n(o, "LoadTimeMs", r->load_time_ms);
	o = set_n(o, "BeginTxnTimeMs", r->begin_txn_time_ms);
	o = set_n(o, "StreamLoadPutTimeMs", r->put_time_ms);
	o = set_n(o, "ReadDataTimeMs", r->read_time_ms);
	o = set_n(o, "WriteDataTimeMs", r->write_time_ms);
	o = set_n(o, "ReceiveDataTimeMs", r->receive_time_ms);
	o = set_n(o, "CommitAndPublishTimeMs", r->commit_time_ms);
	if (r->error_url)
		o = set_s(o, "ErrorURL", r->error_url);
	if (r->first_error_msg && !ok && r->error_url)
		o = set_s(o, "FirstErrorMsg", r->first_error_msg);
	return o;
}

/* Dump (consuming o) and append; 1, -1 ENOMEM. */
static int dump(jv o, int flags, sl_buf *out, int nl)
{
	jv s = jv_dump_string(o, flags);
	int r;

	if (!jv_is_valid(s)) {
		jv_free(s);
		errno = ENOMEM;
		return -1;
	}
	r = sl_buf_put(out, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
	if (r > 0 && nl)
		r = sl_buf_putc(out, '\n');
	return r;
}

int sl_result_json(const sl_result *r, sl_buf *out)
{
	return dump(result_jv(r), JV_FLAGS, out, 1);
}

/* o[k] = v cut to cap bytes; v longer than cap and drop: o[k] left out
 * (a cut URL would lead nowhere). */
static jv set_cut(jv o, const char *k, const char *v, size_t cap, int drop)
{
	size_t n = v ? strlen(v) : 0, c = v ? sl_utf8_cut(v, n, cap) : 0;

	if (c < n && drop)
		return jv_object_delete(o, jv_string(k));
	return jv_object_set(o, jv_string(k), jv_string_sized(v ? v : "", (int)c));
}

static jv attach_jv(const sl_result *r)
{
	jv o = result_jv(r);

	/* keep the unmasked counters and both messages: whoever re-answers
	 * from the attachment decides what to print. A commit record is
	 * bounded (64 KiB): every string is cut to a cap, and at most 6
	 * bytes of JSON per byte of text keep the whole under 48 KiB. */
	o = set_n(o, "NumberLoadedRows", r->loaded);
	o = set_cut(o, "Label", r->label, 256, 0);
	o = set_cut(o, "Comment", r->comment, SL_ATTACH_TEXT_MAX, 0);
	o = set_cut(o, "Status", r->status ? r->status : SL_STATUS_FAIL, 64, 0);
	if (r->status && !strcmp(r->status, SL_STATUS_LABEL_EXISTS))
		o = set_cut(o, "ExistingJobStatus", r->existing_job_status ? r->existing_job_status : SL_JOB_RUNNING, 64, 0);
	o = set_cut(o, "Message", r->message ? r->message : is_success(r) ? "OK" : "", SL_ATTACH_TEXT_MAX, 0);
	if (r->error_url)
		o = set_cut(o, "ErrorURL", r->error_url, SL_ATTACH_URL_MAX, 1);
	if (r->first_error_msg)
		o = set_cut(o, "FirstErrorMsg", r->first_error_msg, SL_ATTACH_TEXT_MAX, 0);
	return o;
}

int sl_result_attach(const sl_result *r, sl_buf *out)
{
	return dump(attach_jv(r), 0, out, 0);
}

/* The key of the launcher's object in an attachment. */
#define ATTACH_EXTRA_KEY "x_sl_attach"

int sl_result_attach_extra(const sl_result *r, const char *extra, sl_buf *out)
{
	size_t n = extra ? strlen(extra) : 0;
	jv x;

	if (!extra)
		return sl_result_attach(r, out);
	if (n > SL_ATTACH_EXTRA_MAX)
		return 0;
	x = jv_parse_sized(extra, (int)n);
	if (jv_get_kind(x) != JV_KIND_OBJECT) {
		jv_free(x);
		return 0;
	}
	return dump(jv_object_set(attach_jv(r), jv_string(ATTACH_EXTRA_KEY), x), 0, out, 0);
}

int sl_result_attach_extra_get(const char *p, size_t n, sl_buf *out)
{
	jv o, x;
	int r = 0;

	if (!p || n > (size_t)INT32_MAX)
		return 0;
	o = jv_parse_sized(p, (int)n);
	if (jv_get_kind(o) != JV_KIND_OBJECT) {
		jv_free(o);
		return 0;
	}
	x = jv_object_get(o, jv_string(ATTACH_EXTRA_KEY));
	if (jv_get_kind(x) == JV_KIND_OBJECT)
		return dump(x, 0, out, 0);
	jv_free(x);
	return r;
}

static int get_s(jv o, const char *k, char **field)
{
	jv v = jv_object_get(jv_copy(o), jv_string(k));
	int r = 1;

	if (jv_get_kind(v) == JV_KIND_STRING)
		r = sl_result_set(field, jv_string_value(v));
	jv_free(v);
	return r;
}

static void get_n(jv o, const char *k, int64_t *field)
{
	jv v = jv_object_get(jv_copy(o), jv_string(k));

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		*field = (int64_t)jv_number_value(v);
	jv_free(v);
}

int sl_result_parse(sl_result *r, const char *p, size_t n)
{
	jv o, v;
	int ok = 1;

	if (n > (size_t)INT32_MAX)
		return 0;
	o = jv_parse_sized(p, (int)n);
	if (jv_get_kind(o) != JV_KIND_OBJECT) {
		jv_free(o);
		return 0;
	}
	get_n(o, "TxnId", &r->txn_id);
	get_n(o, "NumberTotalRows", &r->total);
	get_n(o, "NumberLoadedRows", &r->loaded);
	get_n(o, "NumberFilteredRows", &r->filtered);
	get_n(o, "NumberUnselectedRows", &r->unselected);
	get_n(o, "LoadBytes", &r->load_bytes);
	get_n(o, "LoadTimeMs", &r->load_time_ms);
	get_n(o, "BeginTxnTimeMs", &r->begin_txn_time_ms);
	get_n(o, "StreamLoadPutTimeMs", &r->put_time_ms);
	get_n(o, "ReadDataTimeMs", &r->read_time_ms);
	get_n(o, "WriteDataTimeMs", &r->write_time_ms);
	get_n(o, "ReceiveDataTimeMs", &r->receive_time_ms);
	get_n(o, "CommitAndPublishTimeMs", &r->commit_time_ms);
	v = jv_object_get(jv_copy(o), jv_string("TwoPhaseCommit"));
	if (jv_get_kind(v) == JV_KIND_STRING)
		r->two_phase = !strcmp(jv_string_value(v), "true");
	jv_free(v);
	if (get_s(o, "Label", &r->label) < 0 || get_s(o, "Comment", &r->comment) < 0 ||
	    get_s(o, "Status", &r->status) < 0 ||
	    get_s(o, "ExistingJobStatus", &r->existing_job_status) < 0 ||
	    get_s(o, "Message", &r->message) < 0 || get_s(o, "ErrorURL", &r->error_url) < 0 ||
	    get_s(o, "FirstErrorMsg", &r->first_error_msg) < 0)
		ok = -1;
	jv_free(o);
	return ok;
}

int sl_result_2pc_json(const char *status, const char *msg, sl_buf *out)
{
	jv o = jv_object();

	o = set_s(o, "status", status);
	o = set_s(o, "msg", msg);
	return dump(o, JV_FLAGS, out, 0);
}
