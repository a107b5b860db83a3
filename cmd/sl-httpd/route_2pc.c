/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_2pc.c -- PUT|POST /api/{db}[/{table}]/_stream_load_2pc: commit or
 * abort a precommitted load (route_2pc.h). The route checks who asks, on
 * the transaction's own table, then runs sl-commit --data-dir D -H ... DB,
 * which answers Doris's 2PC JSON; its status decides the HTTP code.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jv.h>

#include "sl.h"
#include "status.h"
#include "store.h"
#include "auth.h"
#include "spawn.h"
#include "load.h"
#include "httpauth.h"
#include "reply.h"
#include "route_load.h"
#include "route_2pc.h"

/* The transaction a 2PC request names, looked up as sl-commit will: by
 * txn_id when given (it wins), else by label. 1 found (ti filled), 0 not
 * (sl-commit then answers why), -1 the log cannot be read. */
static int txn_of_2pc(hconn *h, hreq *rq, const char *db, sl_txninfo *ti)
{
	const char *id = sl_hdrs_get(&rq->hdrs, "txn_id"), *label = sl_hdrs_get(&rq->hdrs, "label");
	unsigned long long uid;

	if (sl_name_valid(db) != 1)
		return 0;
	if (id && *id)
		return sl_stoull(id, &uid) == 1 ? sl_txn_lookup_id(&h->c->st, db, (int64_t)uid, ti) : 0;
	if (label && *label)
		return sl_txn_lookup_label(&h->c->st, db, label, ti);
	return 0;
}

/* Authenticate with LOAD on the transaction's own table, as Doris's FE
 * does (a grant on another table of db is not enough). 1 go on; 0
 * answered (*ret the result). */
static int auth_2pc(hconn *h, hreq *rq, const char *db, const char *table, int *ret)
{
	char user[128], msg[1024], m2[512];
	sl_txninfo ti = SL_TXNINFO_ZERO;
	int r, st, mismatch = 0, redir = h->c->nredirect != 0;

	r = txn_of_2pc(h, rq, db, &ti);
	if (r > 0 && table && strcmp(table, ti.table)) {
		snprintf(m2, sizeof m2, SL_TSTATUS "transaction [%" PRId64 "] is not a load into table %s", ti.id, table);
		mismatch = 1;
	}
	r = httpd_auth(h, rq, db, r > 0 ? ti.table : table, redir ? 0 : SL_PRIV_LOAD, user, sizeof user,
		msg, sizeof msg, &st);
	sl_txninfo_free(&ti);
	if (r > 0 && mismatch && !redir) {
		httpd_auth_log(h, rq, user, 0, "the transaction is of another table than the URL's");
		*ret = httpd_reply_2pc(h, rq, "ANALYSIS_ERROR", m2, 403);
		return 0;
	}
	if (r <= 0) {
		/* {"status": "<CODE>", "msg": "<text>"} as Status::to_json */
		const char *rb = strchr(msg, ']');
		char code[64] = "INTERNAL_ERROR";
		if (msg[0] == '[' && rb && (size_t)(rb - msg - 1) < sizeof code) {
			memcpy(code, msg + 1, (size_t)(rb - msg - 1));
			code[rb - msg - 1] = 0;
		}
		*ret = httpd_reply_2pc(h, rq, code, rb ? rb + 1 : msg, st);
		return 0;
	}
	return 1;
}

/* The argv of sl-commit --data-dir D -H name:value ... DB, in *argv with
 * its strings in *hv (sh.n of them) and *path. 1, -1 ENOMEM. */
static int commit_argv(hconn *h, const char *db, const sl_hdrs *sh, char **path, char ***argv, char ***hv)
{
	size_t i, k = 0;

	if (!(*path = sl_load_stage_path(NULL, "sl-commit")) || !(*argv = calloc(2 * sh->n + 8, sizeof **argv)) ||
	    !(*hv = calloc(sh->n + 1, sizeof **hv)))
		return -1;
	(*argv)[k++] = *path;
	(*argv)[k++] = "--data-dir";
	(*argv)[k++] = (char *)h->c->data_dir;
	for (i = 0; i < sh->n; i++) {
		if (asprintf(&(*hv)[i], "%s:%s", sh->name[i], sh->value[i]) < 0) {
			(*hv)[i] = NULL;
			return -1;
		}
		(*argv)[k++] = "-H";
		(*argv)[k++] = (*hv)[i];
	}
	(*argv)[k++] = (char *)db;
	(*argv)[k] = NULL;
	return 1;
}

/* Run sl-commit for db with the request's headers; its answer in out.
 * 1 ran; 0 could not run it (logged); -1 ENOMEM. */
static int run_commit(hconn *h, hreq *rq, const char *db, sl_buf *out)
{
	char *path = NULL, **argv = NULL, **hv = NULL;
	char *const *argvs[1];
	sl_hdrs sh = SL_HDRS_ZERO;
	sl_pipeline pl = SL_PIPELINE_ZERO;
	int p[2] = { -1, -1 }, nullfd = -1, ret = -1, e;
	size_t i;

	if (httpd_stage_headers(rq, &sh) < 0 || commit_argv(h, db, &sh, &path, &argv, &hv) < 0)
		goto done;
	argvs[0] = argv;
	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 || pipe2(p, O_CLOEXEC) < 0)
		goto done;
	if (sl_spawn_pipeline(&pl, 1, argvs, nullfd, p[1], -1, NULL) < 0) {
		httpd_log(h, 1, "unable to run %s: %s", path, strerror(errno));
		ret = 0;
		goto done;
	}
	close(p[1]);
	p[1] = -1;
	sl_pipeline_wait(&pl, p[0], out, 1 << 16);
	ret = 1;
done:
	e = errno;
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	if (nullfd >= 0)
		close(nullfd);
	sl_pipeline_free(&pl);
	if (hv)
		for (i = 0; i < sh.n; i++)
			free(hv[i]);
	free(hv);
	free(argv);
	free(path);
	sl_hdrs_free(&sh);
	errno = e;
	return ret;
}

/* sl-commit's answer, as it wrote it; its status decides the HTTP code
 * (http_status_codes). */
static int answer_commit(hconn *h, hreq *rq, const sl_buf *out)
{
	jv v = jv_parse_sized(out->p, (int)out->len), s = jv_invalid(), m = jv_invalid();
	const char *ss = "", *ms = "";
	int http = 500;

	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		s = jv_object_get(jv_copy(v), jv_string("status"));
		m = jv_object_get(jv_copy(v), jv_string("msg"));
		if (jv_get_kind(s) == JV_KIND_STRING)
			ss = jv_string_value(s);
		if (jv_get_kind(m) == JV_KIND_STRING)
			ms = jv_string_value(m);
		http = !strcmp(ss, SL_STATUS_SUCCESS) ? 200 : strstr(ms, "not found") || strstr(ms, "unknown database") ? 404 : 400;
	}
	rq->outcome = !strcmp(ss, SL_STATUS_SUCCESS) ? SL_STATUS_SUCCESS : SL_STATUS_FAIL;
	jv_free(s);
	jv_free(m);
	jv_free(v);
	return httpd_respond(h, rq, httpd_want_codes(rq) ? http : 200, HTTPD_CT_JSON, NULL, out->p, out->len) < 0 ? -1 : 0;
}

int httpd_route_2pc(hconn *h, hreq *rq, const char *db, const char *table)
{
	sl_buf out = SL_BUF_ZERO;
	int r, ret;

	if (!auth_2pc(h, rq, db, table, &ret))
		return ret;
	if (h->c->nredirect)
		return httpd_reply_redirect(h, rq);
	httpd_reply_drain_early(h, rq);
	r = run_commit(h, rq, db, &out);
	if (r < 0)
		ret = httpd_reply_2pc(h, rq, "INTERNAL_ERROR", strerror(errno), 500);
	else if (r == 0)
		ret = httpd_reply_2pc(h, rq, "INTERNAL_ERROR", "unable to run sl-commit", 500);
	else if (!out.len || out.p[0] != '{')
		ret = httpd_reply_2pc(h, rq, "INTERNAL_ERROR", "sl-commit gave no answer", 500);
	else
		ret = answer_commit(h, rq, &out);
	sl_buf_free(&out);
	return ret;
}
