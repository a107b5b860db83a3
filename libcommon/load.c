/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load.c -- one Stream Load: the five stages spawned as a pipeline (spawn.h),
 * sl-commit's answer collected, the transaction log asked when the chain
 * broke, the load recorded (record.h). Shared by sl-load and sl-httpd.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl.h"
#include "load.h"
#include "label.h"
#include "spawn.h"
#include "auth.h"
#include "record.h"
#include "jobstate.h"
#include "loadopt.h"
#include "status.h"
#include "schema.h"
#include "gcommit.h"

#define NSTAGES 5
#define ANSWER_MAX (1u << 20)
/* below this a stage cannot even start (buffers, libjq, thread stacks;
 * a sanitizer's runtime), nor could a failed one be told from a full one */
#define MEM_MIN (64LL << 20)
#define TIMEOUT_DEFAULT 259200

extern char **environ;

static const char *const stage_names[NSTAGES] = { "sl-parse", "sl-map", "sl-filter", "sl-txn", "sl-commit" };

/* The load running in this process, for sl_load_cancel (a signal handler). */
static sl_pipeline *volatile g_pl;
static volatile sig_atomic_t g_active, g_cancelled;
static const char *volatile g_cancel_msg;

void sl_load_cancel(const char *msg)
{
	sl_pipeline *pl = g_pl;
	size_t i;

	if (!g_active || g_cancelled)
		return;
	g_cancel_msg = msg;
	g_cancelled = 1;
	if (pl && pl->pid && pl->done) {
		pl->killed = 1;         /* our kill is not a stage's abnormal death */
		for (i = 0; i < pl->n; i++)
			if (pl->pid[i] > 0 && !pl->done[i])
				kill(pl->pid[i], SIGKILL);
	}
}

void sl_load_out_init(sl_load_out *o)
{
	memset(o, 0, sizeof *o);
	sl_result_init(&o->res);
}

void sl_load_out_free(sl_load_out *o)
{
	sl_result_free(&o->res);
	sl_buf_free(&o->answer);
}

__attribute__((format(printf, 2, 3)))
static void warnf(const sl_load_req *rq, const char *fmt, ...)
{
	char b[1024];
	va_list ap;

	if (!rq->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	rq->warn(rq->warn_ctx, b);
}

/* The launcher's options from rq->hdrs (the stages report invalid ones);
 * -1 ENOMEM. Free lo either way. */
static int opts_of(const sl_load_req *rq, sl_loadopts *lo)
{
	char m[512];

	return sl_loadopt_parse(lo, rq->hdrs, SL_LO_LOAD, m, sizeof m) < 0 ? -1 : 1;
}

/* The "label" header into *l (NULL absent); -1 ENOMEM. */
static int label_of(const sl_load_req *rq, const char **l)
{
	sl_loadopts lo;
	int r = opts_of(rq, &lo);

	*l = lo.v[SL_LO_LABEL].text;
	sl_loadopt_free(&lo);
	return r;
}

const char *sl_load_label(sl_load_req *rq)
{
	const char *l;
	char uuid[37];

	if (label_of(rq, &l) < 0)
		return NULL;
	if (l)
		return l;
	if (sl_label_uuid(uuid) < 0)
		return NULL;
	/* set replaces an empty "label" header that would hide it */
	if (sl_hdrs_set(rq->hdrs, "label", uuid) < 0 || sl_hdrs_set(rq->hdrs, SL_LABEL_GENERATED, "true") < 0)
		return NULL;
	return label_of(rq, &l) < 0 ? NULL : l;
}

/* What the launcher needs of a load's group commit, read once from every
 * stage's options (sl-map's rule sees what sl-map sees): the mode
 * (sl_loadopt_group_commit, 0 when it does not apply), a label of the
 * client's with it, a compressed body, the body's announced size. */
typedef struct gc_plan {
	int mode, label, compressed;
	const char *body_bytes;         /* points into rq->hdrs */
} gc_plan;

/* 1; -1 ENOMEM. A load without a group_commit header (most) is not
 * parsed again; an invalid option leaves mode 0 (a stage reports it). */
static int gc_plan_of(const sl_load_req *rq, gc_plan *g)
{
	sl_loadopts lo;
	char m[512];
	size_t i;
	int r;

	memset(g, 0, sizeof *g);
	for (i = 0; i < rq->hdrs->n && strcasecmp(rq->hdrs->name[i], "group_commit"); i++)
		;
	if (i == rq->hdrs->n)
		return 1;
	if ((r = sl_loadopt_parse(&lo, rq->hdrs, SL_LO_STAGES | SL_LO_LOAD, m, sizeof m)) > 0 &&
	    (g->mode = sl_loadopt_group_commit(lo.v)) != 0) {
		g->label = lo.v[SL_LO_LABEL].text && !lo.v[SL_LO_LABEL_GENERATED].text;
		g->compressed = lo.v[SL_LO_COMPRESS_TYPE].text != NULL;
		g->body_bytes = lo.v[SL_LO_BODY_BYTES].text;
	}
	sl_loadopt_free(&lo);
	return r < 0 ? -1 : 1;
}

char *sl_load_stage_path(const char *bindir, const char *name)
{
	char self[4096], *slash, *p;
	const char *env = getenv("SL_STAGE_DIR");
	ssize_t n;

	if (!bindir && env && *env)
		bindir = env;
	if (bindir) {
		if (asprintf(&p, "%s/%s", bindir, name) < 0)
			return NULL;
		return p;
	}
	if (sl_spawn_builtin(name))
		return strdup(name);
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = 0;
		if ((slash = strrchr(self, '/'))) {
			slash[1] = 0;
			if (asprintf(&p, "%s%s", self, name) < 0)
				return NULL;
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	return strdup(name);
}

/* environ with rq->env added (entries of the same name replaced). */
static char **build_env(char *const *extra)
{
	size_t n = 0, k = 0, i, j, ne = 0;
	char **v;

	while (environ[n])
		n++;
	while (extra && extra[ne])
		ne++;
	if (!(v = calloc(n + ne + 1, sizeof *v)))
		return NULL;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int dup = 0;
		for (j = 0; j < ne && !dup; j++)
			dup = !strncmp(extra[j], environ[i], len) && extra[j][len] == '=';
		if (!dup)
			v[k++] = environ[i];
	}
	for (j = 0; j < ne; j++)
		v[k++] = extra[j];
	v[k] = NULL;
	return v;
}

/* A Fail answer's fields known without the stages: the label, the
 * comment and two_phase_commit from the options, and why. -1 ENOMEM. */
static int fail_fields(sl_result *res, const sl_loadopts *lo, const char *label, const char *why)
{
	sl_result_free(res);
	sl_result_init(res);
	if (sl_result_set(&res->label, label) < 0 ||
	    sl_result_set(&res->comment, lo->v[SL_LO_COMMENT].text) < 0 ||
	    sl_result_set(&res->status, SL_STATUS_FAIL) < 0 || sl_result_set(&res->message, why) < 0)
		return -1;
	res->two_phase = (int)lo->v[SL_LO_TWO_PHASE_COMMIT].i;
	return 1;
}

static int store_of(sl_load_req *rq, sl_store *own, sl_store **st)
{
	if (rq->st) {
		*st = rq->st;
		return 1;
	}
	if (sl_store_open(own, sl_data_dir(rq->data_dir)) < 0) {
		warnf(rq, "unable to open the data directory %s: %s", sl_data_dir(rq->data_dir), strerror(errno));
		*st = NULL;
		return -1;
	}
	*st = own;
	return 1;
}

static int render(sl_load_out *out)
{
	out->answer.len = 0;
	out->ok = out->res.status && !strcmp(out->res.status, SL_STATUS_SUCCESS);
	return sl_result_json(&out->res, &out->answer);
}

/* sl-commit gave no answer: ask the transaction log (fills out->res). */
static int fallback(sl_load_req *rq, const sl_loadopts *lo, sl_store *st, const char *label, int64_t start_ms,
	const char *why, sl_load_out *out, int depth)
{
	sl_txninfo ti = SL_TXNINFO_ZERO;
	sl_result *res = &out->res;
	int r;

	if (fail_fields(res, lo, label, why) < 0)
		return -1;
	res->load_time_ms = sl_now_ms() - start_ms;
	if (!st)
		return 1;
	r = sl_txn_lookup_label(st, rq->db, label, &ti);
	if (r < 0 && errno != ENOTDIR)
		warnf(rq, "unable to read the transaction log of %s: %s", rq->db, strerror(errno));
	if (r <= 0)
		return 1;
	if (ti.begin_ms < start_ms) {
		/* not ours: our sl-txn met a label in use */
		if (ti.state != SL_TXN_ABORTED) {
			char m[512];
			snprintf(m, sizeof m, SL_E_LABEL_ALREADY_EXISTS SL_TSTATUS
				"Label [%s] has already been used, relate to txn [%" PRId64 "], status [%s].",
				label, ti.id, sl_txn_state_name(ti.state));
			if (sl_result_set(&res->status, SL_STATUS_LABEL_EXISTS) < 0 ||
			    sl_result_set(&res->existing_job_status, sl_jobstate_existing(ti.state)) < 0 ||
			    sl_result_set(&res->message, m) < 0) {
				sl_txninfo_free(&ti);
				return -1;
			}
		}
		sl_txninfo_free(&ti);
		return 1;
	}
	res->txn_id = ti.id;
	switch (ti.state) {
	case SL_TXN_PRECOMMITTED:
	case SL_TXN_COMMITTED:
	case SL_TXN_VISIBLE:
		/* the load did commit: answer from the commit record */
		if (sl_result_parse(res, ti.attach.p ? ti.attach.p : "", ti.attach.len) <= 0)
			warnf(rq, "transaction %" PRId64 " committed without a readable answer", ti.id);
		if (sl_result_set(&res->status, SL_STATUS_SUCCESS) < 0 || sl_result_set(&res->message, "OK") < 0) {
			sl_txninfo_free(&ti);
			return -1;
		}
		break;
	case SL_TXN_PREPARE: {
		sl_txninfo cur = SL_TXNINFO_ZERO;
		if (sl_txn_abort(st, rq->db, ti.id, why, &cur) < 0)
			warnf(rq, "unable to abort transaction %" PRId64 ": %s", ti.id, strerror(errno));
		else if ((cur.state == SL_TXN_VISIBLE || cur.state == SL_TXN_PRECOMMITTED) && depth < 2) {
			sl_txninfo_free(&cur);
			sl_txninfo_free(&ti);
			return fallback(rq, lo, st, label, start_ms, why, out, depth + 1);
		}
		sl_txninfo_free(&cur);
		break;
	}
	default:
		break;          /* aborted: why says more than the log's reason */
	}
	sl_txninfo_free(&ti);
	return 1;
}

int sl_load_add_record(sl_load_req *rq, const sl_load_out *out, int64_t start_ms)
{
	sl_store own, *st;
	sl_load_record rec;
	const sl_result *res = &out->res;
	const char *e;
	int r;

	if (rq->no_record)
		return 0;
	if (store_of(rq, &own, &st) < 0)
		return -1;
	e = sl_store_conf(st, "enable_stream_load_record");
	if ((e && !strcasecmp(e, "false")) || sl_db_exists(st, rq->db) != 1) {
		r = 0;
		goto done;
	}
	memset(&rec, 0, sizeof rec);
#define CP(dst, src) snprintf(dst, sizeof dst, "%s", (src) ? (src) : "")
	CP(rec.label, res->label);
	CP(rec.db, rq->db);
	CP(rec.table, rq->table);
	CP(rec.client_ip, rq->client_ip);
	CP(rec.user, rq->user ? rq->user : "root");
	CP(rec.status, res->status ? res->status : SL_STATUS_FAIL);
	CP(rec.message, res->message);
	CP(rec.comment, res->comment);
	CP(rec.url, res->error_url);
#undef CP
	rec.total = res->total;
	rec.loaded = out->ok ? res->loaded : 0;
	rec.filtered = res->filtered;
	rec.unselected = res->unselected;
	rec.load_bytes = res->load_bytes;
	rec.start_ms = start_ms;
	rec.finish_ms = sl_now_ms();
	r = sl_record_add(st, &rec);
	if (r < 0)
		warnf(rq, "unable to record the load %s in %s: %s", rec.label, rq->db, strerror(errno));
done:
	if (st == &own)
		sl_store_close(&own);
	return r;
}

int sl_load_fail(sl_load_req *rq, const char *msg, sl_load_out *out)
{
	int64_t start_ms = sl_now_ms();
	const char *label = rq->no_label ? "" : sl_load_label(rq);
	sl_loadopts lo;
	int r;

	if (!label)
		return -1;
	r = opts_of(rq, &lo) < 0 || fail_fields(&out->res, &lo, label, msg) < 0 ? -1 : 1;
	sl_loadopt_free(&lo);
	if (r < 0 || render(out) < 0)
		return -1;
	sl_load_add_record(rq, out, start_ms);
	return 1;
}

/* A positive integer from sl.conf key, else def (a bad value is warned). */
static int64_t conf_i64(const sl_load_req *rq, const sl_store *st, const char *key, int64_t def)
{
	const char *v = st ? sl_store_conf(st, key) : NULL;
	char *end;
	long long n;

	if (!v)
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n <= 0) {
		warnf(rq, "sl.conf: %s = %s is not a positive integer, using %" PRId64, key, v, def);
		return def;
	}
	return n;
}

/* The limits every stage of the load runs under: exec_mem_limit (at most
 * sl.conf exec_mem_limit_max, default the same 2 GB) of data memory, and
 * the load's timeout in CPU seconds on every core (a stage that spins
 * stops even when nothing waits on the clock). */
static void limits_of(const sl_load_req *rq, const sl_loadopts *lo, const sl_store *st, sl_spawn_limits *lim)
{
	const sl_loadopt_val *mv = &lo->v[SL_LO_EXEC_MEM_LIMIT], *tv = &lo->v[SL_LO_TIMEOUT];
	int64_t mem = mv->state > 0 && mv->i > 0 ? mv->i : SL_EXEC_MEM_LIMIT_DEFAULT;
	int64_t max = conf_i64(rq, st, "exec_mem_limit_max", SL_EXEC_MEM_LIMIT_DEFAULT);
	int64_t t = conf_i64(rq, st, "stream_load_default_timeout_second", TIMEOUT_DEFAULT);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (mem > max)
		mem = max;
	if (mem < MEM_MIN)
		mem = MEM_MIN;
	/* the stages refuse a bad one; the limit ignores it */
	if (tv->state > 0 && tv->i <= TIMEOUT_DEFAULT)
		t = tv->i;
	lim->mem = (uint64_t)mem;
	lim->cpu = (uint64_t)t * (uint64_t)(ncpu > 0 ? ncpu : 1) + 1;
}

/* The first stage of the chain that died by itself (a signal, its memory
 * or CPU limit), as the load's Fail message: the stages after it only saw
 * their input break ("empty input", a truncated stream), and one before it
 * that exited non-zero may only have found its output gone (EPIPE) when
 * the load's chance of an answer died with it. 1 why filled; 0 none (a
 * stage that exited with its own message sent it downstream). */
static int first_failure(const sl_load_req *rq, const sl_pipeline *pl, const char *const *names, char *why, size_t cap)
{
	size_t s;

	for (s = 0; s < pl->n; s++) {
		int oc = sl_pipeline_outcome(pl, s), st = pl->status[s];
		int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;

		switch (oc) {
		case SL_STAGE_OK:
		case SL_STAGE_OURS:
		case SL_STAGE_EXIT:
			continue;
		case SL_STAGE_MEM:
			if (sig)
				warnf(rq, "%s killed by signal %d at its memory limit of %" PRIu64 " bytes", names[s], sig, pl->lim.mem);
			else
				warnf(rq, "%s exited %d at its memory limit of %" PRIu64 " bytes", names[s], WEXITSTATUS(st), pl->lim.mem);
			snprintf(why, cap, SL_E_MEM_LIMIT_EXCEEDED "memory limit exceeded: %s reached the load's limit of "
				"%" PRIu64 " bytes (exec_mem_limit)", names[s], pl->lim.mem);
			return 1;
		case SL_STAGE_CPU:
			warnf(rq, "%s killed by signal %d at its CPU time limit of %" PRIu64 " seconds", names[s], sig, pl->lim.cpu);
			snprintf(why, cap, SL_E_TIMEOUT "%s used more CPU time than the load's timeout allows (%" PRIu64 " seconds) "
				"and was killed", names[s], pl->lim.cpu);
			return 1;
		default:
			warnf(rq, "%s killed by signal %d", names[s], sig);
			snprintf(why, cap, SL_E_INTERNAL_ERROR "the load pipeline failed: %s killed by signal %d", names[s], sig);
			return 1;
		}
	}
	return 0;
}

/* One run's stages and what they need: argv of each, the pipes. */
typedef struct run {
	char *argvs_mem[NSTAGES][2 * 128 + 8];
	char *const *argvs[NSTAGES];
	char *paths[NSTAGES];
	const char *names[NSTAGES];
	char **hv, **env, **gcenv, *target;
	size_t nh, ns;
	int bodyp[2], ansp[2];
} run;

/* argv of every stage: path [--data-dir D] -H name:value ... [DB.TABLE];
 * -1 with errno. */
static int run_argv(sl_load_req *rq, const sl_loadopts *lo, int partitioned, int gc_sync, run *rn)
{
	static char preanswer[] = "SL_GC_PREANSWER=1";
	size_t s, k, h;

	if (asprintf(&rn->target, "%s.%s", rq->db, rq->table) < 0) {
		rn->target = NULL;
		return -1;
	}
	/* -H name:value for every non-empty header */
	if (!(rn->hv = calloc(rq->hdrs->n + 1, sizeof *rn->hv)))
		return -1;
	for (h = 0; h < rq->hdrs->n; h++) {
		if (!*rq->hdrs->value[h] || rq->hdrs->name[h][0] == '-')
			continue;
		if (rn->nh >= 128) {
			errno = E2BIG;
			return -1;
		}
		if (asprintf(&rn->hv[rn->nh], "%s:%s", rq->hdrs->name[h], rq->hdrs->value[h]) < 0) {
			rn->hv[rn->nh] = NULL;
			return -1;
		}
		rn->nh++;
	}
	/* sl-filter evaluates `where` and `delete` and routes a partitioned
	 * table's rows: without them it would only copy */
	for (s = 0; s < NSTAGES; s++)
		if (s != 2 || lo->v[SL_LO_WHERE].text || lo->v[SL_LO_DELETE].text || partitioned)
			rn->names[rn->ns++] = stage_names[s];
	for (s = 0; s < rn->ns; s++) {
		char **v = rn->argvs_mem[s];
		k = 0;
		if (!(rn->paths[s] = sl_load_stage_path(rq->bindir, rn->names[s])))
			return -1;
		v[k++] = rn->paths[s];
		if (rq->data_dir) {
			v[k++] = "--data-dir";
			v[k++] = (char *)rq->data_dir;
		}
		for (h = 0; h < rn->nh; h++) {
			v[k++] = "-H";
			v[k++] = rn->hv[h];
		}
		if (strcmp(rn->names[s], "sl-commit"))   /* the others name the table */
			v[k++] = rn->target;
		v[k] = NULL;
		rn->argvs[s] = v;
	}
	/* a sync group commit's sl-commit tells where its record is
	 * (gc_preanswer) */
	if (gc_sync) {
		size_t n = 0;
		while (rq->env && rq->env[n])
			n++;
		if (!(rn->gcenv = calloc(n + 2, sizeof *rn->gcenv)))
			return -1;
		for (size_t i = 0; i < n; i++)
			rn->gcenv[i] = rq->env[i];
		rn->gcenv[n] = preanswer;
		if (!(rn->env = build_env(rn->gcenv)))
			return -1;
	} else if (rq->env && !(rn->env = build_env(rq->env))) {
		return -1;
	}
	return 1;
}

/* Is db.table partitioned (its schema has PARTITION BY)? A table that
 * cannot be read is not: sl-map says why. */
static int partitioned_table(sl_store *st, const sl_load_req *rq)
{
	sl_schema sch = SL_SCHEMA_ZERO;
	int r;

	if (!st || sl_schema_load(st, rq->db, rq->table, &sch) <= 0)
		return 0;
	r = sch.part.kind != SL_PART_NONE;
	sl_schema_free(&sch);
	return r;
}

static void run_free(run *rn)
{
	size_t s, h;

	for (s = 0; s < 2; s++) {
		if (rn->bodyp[s] >= 0)
			close(rn->bodyp[s]);
		if (rn->ansp[s] >= 0)
			close(rn->ansp[s]);
	}
	for (s = 0; s < rn->ns; s++)
		free(rn->paths[s]);
	if (rn->hv)
		for (h = 0; h < rn->nh; h++)
			free(rn->hv[h]);
	free(rn->hv);
	free(rn->env);
	free(rn->gcenv);
	free(rn->target);
}

/* Why the load failed when sl-commit did not answer (or answered Fail
 * because a stage before it died). */
static void no_answer(const sl_load_req *rq, const sl_pipeline *pl, int failed, char *why, size_t cap)
{
	size_t last = pl->n - 1;

	if (g_cancelled) {
		snprintf(why, cap, "%s", g_cancel_msg ? g_cancel_msg : SL_E_CANCELLED "the load was cancelled");
	} else if (failed) {
		/* why says it */
	} else if (pl->done[last] && WIFSIGNALED(pl->status[last])) {
		warnf(rq, "sl-commit killed by signal %d", WTERMSIG(pl->status[last]));
		snprintf(why, cap, SL_E_INTERNAL_ERROR "the load pipeline failed: sl-commit killed by signal %d",
			WTERMSIG(pl->status[last]));
	} else {
		warnf(rq, "sl-commit gave no answer");
		snprintf(why, cap, SL_E_INTERNAL_ERROR "the load pipeline failed: sl-commit exited %d without an answer",
			pl->done[last] && WIFEXITED(pl->status[last]) ? WEXITSTATUS(pl->status[last]) : -1);
	}
}

/* The body through feed() when there is no fd; then sl-commit's answer. */
static int run_wait(sl_load_req *rq, run *rn, sl_pipeline *pl, sl_load_out *out)
{
	int r;

	g_pl = pl;
	close(rn->ansp[1]);
	rn->ansp[1] = -1;
	if (rn->bodyp[0] >= 0) {
		close(rn->bodyp[0]);
		rn->bodyp[0] = -1;
	}
	if (g_cancelled)
		sl_pipeline_kill(pl, SIGKILL);
	if (rq->infd < 0) {
		const char *m = rq->feed ? rq->feed(rq->feed_ctx, rn->bodyp[1]) : NULL;
		/* an aborted body: kill the stages before sl-parse can see the
		 * body's end, which would look like a whole (shorter) body */
		if (m)
			sl_load_cancel(m);
		close(rn->bodyp[1]);
		rn->bodyp[1] = -1;
	}
	r = sl_pipeline_wait(pl, rn->ansp[0], &out->answer, ANSWER_MAX);
	g_pl = NULL;
	close(rn->ansp[0]);
	rn->ansp[0] = -1;
	if (r < 0)
		warnf(rq, "unable to wait for the pipeline: %s", strerror(errno));
	out->cancelled = g_cancelled;
	return r;
}


/* A small group commit load runs its stages in one process (spawn.h
 * sl_spawn_sequence): one fork instead of five, which is most of such a
 * load's cost. Its body's size is known before it is read (Content-Length,
 * a regular file) and at most this, not compressed: the memory files
 * between its stages stay small. */
#define SEQ_BODY_MAX (1u << 20)

/* Whether the load's stages run as one sequence: group commit applies,
 * the body is small and known, every stage is built in, and the
 * environment does not set SL_STAGE_SEQUENCE=0 (SL_STAGE_SEQUENCE=fork:
 * a sequence, but never in the launcher's own process). */
static int use_sequence(const gc_plan *g, const run *rn, int infd)
{
	const char *env = getenv("SL_STAGE_SEQUENCE"), *v = g->body_bytes;
	unsigned long long n = SEQ_BODY_MAX + 1ull;
	struct stat sb;
	char *end;

	if ((env && !strcmp(env, "0")) || !g->mode || g->compressed || rn->ns > SL_SPAWN_SEQ_MAX)
		return 0;
	for (size_t s = 0; s < rn->ns; s++)
		if (strchr(rn->paths[s], '/') || !sl_spawn_builtin(rn->paths[s]))
			return 0;
	if (v) {
		errno = 0;
		n = strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || errno)
			n = SEQ_BODY_MAX + 1ull;
	} else if (infd >= 0 && fstat(infd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		n = (unsigned long long)sb.st_size;
	}
	return n <= SEQ_BODY_MAX;
}

/* Process i of pl as stage at of view. */
static void view_set(sl_pipeline *view, size_t at, const sl_pipeline *pl, size_t i)
{
	view->pid[at] = pl->pid[i];
	view->done[at] = pl->done[i];
	view->status[at] = pl->status[i];
	view->ours[at] = pl->ours[i];
	view->ru[at] = pl->ru[i];
	view->killed |= pl->killed;
}

/* The stages after stage k, which ended the sequence's process: a
 * pipeline reading k's output (mem), its answer into out. */
static int run_rest(sl_load_req *rq, run *rn, size_t k, int mem, sl_pipeline *view, sl_load_out *out)
{
	sl_pipeline rest = SL_PIPELINE_ZERO;
	int ap[2], e;

	if (lseek(mem, 0, SEEK_SET) < 0 || pipe2(ap, O_CLOEXEC) < 0)
		return -1;
	if (sl_spawn_pipeline_limited(&rest, rn->ns - k - 1, rn->argvs + k + 1, mem, ap[1], rq->errfd, rn->env,
		&view->lim) < 0) {
		e = errno;
		close(ap[0]);
		close(ap[1]);
		errno = e;
		return -1;
	}
	close(ap[1]);
	g_pl = &rest;
	if (g_cancelled)
		sl_pipeline_kill(&rest, SIGKILL);
	out->answer.len = 0;
	if (sl_pipeline_wait(&rest, ap[0], &out->answer, ANSWER_MAX) < 0)
		warnf(rq, "unable to wait for the pipeline: %s", strerror(errno));
	g_pl = NULL;
	close(ap[0]);
	for (size_t i = 0; i < rest.n; i++)
		view_set(view, k + 1 + i, &rest, i);
	out->cancelled = g_cancelled;
	sl_pipeline_free(&rest);
	return 1;
}

/* Every stage of view as killed by us before it ran (the body's feed
 * failed: the load is cancelled). */
static void view_cancelled(sl_pipeline *view)
{
	for (size_t i = 0; i < view->n; i++) {
		view->done[i] = 1;
		view->ours[i] = 1;
		view->status[i] = SIGKILL;
	}
	view->killed = 1;
}

/* The stages as one sequence in this process (spawn.h
 * sl_spawn_sequence_here), for a launcher that asks for it (rq->here): a
 * body that comes through feed() is read whole into a memory file first
 * (under the feed's own checks: its size, rate and timeout), then the
 * stages run from it; the answer goes to another. 1 ran (out->here set);
 * 0 it cannot here (a signal stopped a sequence of this process before):
 * the caller forks; -1 errno. */
static int run_here(sl_load_req *rq, run *rn, int infd, const int *mem, const sl_spawn_limits *lim,
	sl_pipeline *view, sl_load_out *out)
{
	sl_pipeline sq = SL_PIPELINE_ZERO;
	int ans, body = -1, r = -1, e;
	size_t i, k = 0;

	if (!sl_spawn_here_ready())
		return 0;
	if ((ans = memfd_create("sl-answer", MFD_CLOEXEC)) < 0)
		return -1;
	if (rq->infd < 0) {
		const char *m;
		if ((body = memfd_create("sl-body", MFD_CLOEXEC)) < 0)
			goto done;
		m = rq->feed ? rq->feed(rq->feed_ctx, body) : NULL;
		if (m || g_cancelled) {
			if (m)
				sl_load_cancel(m);
			view_cancelled(view);
			out->cancelled = 1;
			r = 1;
			goto done;
		}
		if (lseek(body, 0, SEEK_SET) < 0)
			goto done;
		infd = body;
	}
	if (sl_spawn_sequence_here(&sq, rn->ns, rn->argvs, mem, &k, infd, ans, rq->errfd, rn->env, lim,
		&g_cancelled) < 0) {
		r = errno == EBUSY ? 0 : -1;
		goto done;
	}
	out->here = 1;
	if (lseek(ans, 0, SEEK_SET) < 0 || sl_fd_read_buf(ans, &out->answer, ANSWER_MAX) < 0)
		warnf(rq, "unable to read the load's answer: %s", strerror(errno));
	for (i = 0; i < k; i++)
		view->done[i] = 1;      /* exited 0, as far as anyone can tell */
	view_set(view, k, &sq, 0);
	out->cancelled = g_cancelled;
	r = 1;
	if (k + 1 < rn->ns && WIFEXITED(sq.status[0]) && !g_cancelled)
		r = run_rest(rq, rn, k, mem[k], view, out);
done:
	e = errno;
	close(ans);
	if (body >= 0)
		close(body);
	sl_pipeline_free(&sq);
	errno = e;
	return r;
}

/* The stages as one sequence (use_sequence), each one's output in a
 * memory file; when a stage exited the process before the last one ran,
 * the rest run as a pipeline from its output (a Fail on its way to
 * sl-commit, usually). view: one entry per stage as if they had run as a
 * pipeline (the process's status for the stage it ended in), for
 * first_failure and no_answer. 1; -1 errno. */
static int run_seq(sl_load_req *rq, run *rn, int infd, const sl_spawn_limits *lim, sl_pipeline *view,
	sl_load_out *out)
{
	sl_pipeline sq = SL_PIPELINE_ZERO;
	const char *env = getenv("SL_STAGE_SEQUENCE");
	int mem[SL_SPAWN_SEQ_MAX], pp[2] = { -1, -1 }, r = -1, e;
	unsigned char b[64];
	size_t i, k = 0, nm = rn->ns - 1;
	ssize_t n;

	for (i = 0; i < nm; i++)
		mem[i] = -1;
	if (sl_pipeline_alloc(view, rn->ns, lim) < 0)
		return -1;
	for (i = 0; i < nm; i++)
		if ((mem[i] = memfd_create("sl-stage", MFD_CLOEXEC)) < 0)
			goto done;
	if (rq->here && !(env && !strcmp(env, "fork")) && (r = run_here(rq, rn, infd, mem, lim, view, out)) != 0)
		goto done;
	r = -1;
	if (pipe2(pp, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    sl_spawn_sequence(&sq, rn->ns, rn->argvs, mem, pp[1], infd, rn->ansp[1], rq->errfd, rn->env, lim) < 0)
		goto done;
	close(pp[1]);
	pp[1] = -1;
	run_wait(rq, rn, &sq, out);
	while ((n = read(pp[0], b, sizeof b)) > 0)
		k = b[n - 1] < rn->ns ? b[n - 1] : k;
	for (i = 0; i < k; i++)
		view->done[i] = 1;      /* exited 0, as far as anyone can tell */
	view_set(view, k, &sq, 0);
	r = 1;
	if (k + 1 < rn->ns && sq.done[0] && WIFEXITED(sq.status[0]) && !g_cancelled)
		r = run_rest(rq, rn, k, mem[k], view, out);
done:
	e = errno;
	for (i = 0; i < nm; i++)
		if (mem[i] >= 0)
			close(mem[i]);
	if (pp[0] >= 0)
		close(pp[0]);
	if (pp[1] >= 0)
		close(pp[1]);
	sl_pipeline_free(&sq);
	errno = e;
	return r;
}

/* A sync group commit load's record in the log, as its sl-commit told
 * before waiting for the commit (cmd/sl-commit.c pre_answer). */
typedef struct gc_pre {
	int have;
	sl_gcwal_pos pos;
	sl_buf json;                    /* the answer it would give */
} gc_pre;

/* Take the "#gcwal ..." line and the answer after it off the front of
 * out->answer into pre (out->answer keeps what follows: the final
 * answer, if sl-commit lived to write it). 1 taken, 0 none, -1 ENOMEM. */
static int gc_pre_take(sl_load_out *out, gc_pre *pre)
{
	unsigned long long gen, off, end, rows;
	size_t len, hl;
	char *nl;
	int k = 0;

	if (out->answer.len < 8 || memcmp(out->answer.p, "#gcwal ", 7) ||
	    !(nl = memchr(out->answer.p, '\n', out->answer.len)))
		return 0;
	hl = (size_t)(nl - out->answer.p) + 1;
	*nl = 0;
	if (sscanf(out->answer.p, "#gcwal gen=%llu off=%llu end=%llu rows=%llu len=%zu%n", &gen, &off, &end,
		&rows, &len, &k) != 5 || (size_t)k != hl - 1 || len > out->answer.len - hl) {
		*nl = '\n';
		return 0;
	}
	pre->json.len = 0;
	if (sl_buf_put(&pre->json, out->answer.p + hl, len) < 0)
		return -1;
	pre->pos = (sl_gcwal_pos){ .gen = gen, .off = off, .end = end, .rows = rows };
	pre->have = 1;
	memmove(out->answer.p, out->answer.p + hl + len, out->answer.len - hl - len);
	out->answer.len -= hl + len;
	return 1;
}

/* sl-commit died after its record went into the log: the rows will be
 * committed whatever happens, so wait for the commit holding them (or
 * make it) and answer Success as sl-commit would have. 1 answered, 0 not
 * (the commit failed: the usual Fail), -1 ENOMEM. */
static int gc_pre_answer(sl_load_req *rq, sl_store *st, gc_pre *pre, int64_t start_ms, sl_load_out *out)
{
	int64_t id = -1;

	if (sl_gcommit_sync(st, rq->db, rq->table, &pre->pos, &id) < 0) {
		warnf(rq, "unable to wait for the group commit of a load whose sl-commit died: %s",
			sl_store_strerror(errno));
		return 0;
	}
	warnf(rq, "sl-commit died after its record went into the group commit log: committed by transaction %"
		PRId64, id);
	if (sl_result_parse(&out->res, pre->json.p ? pre->json.p : "", pre->json.len) <= 0 || !out->res.status)
		return errno == ENOMEM ? -1 : 0;
	out->res.txn_id = id;
	out->res.load_time_ms = sl_now_ms() - start_ms;
	out->ok = 1;
	return render(out) < 0 ? -1 : 1;
}

int sl_load_run(sl_load_req *rq, sl_load_out *out)
{
	run rn = { .bodyp = { -1, -1 }, .ansp = { -1, -1 } };
	sl_pipeline pl = SL_PIPELINE_ZERO;
	sl_loadopts lo;
	sl_spawn_limits lim;
	sl_store own, *st = NULL;
	gc_plan gc;
	const char *label;
	int64_t start_ms = sl_now_ms();
	int infd, ret = -1, e, have_st = 0, failed, r;
	gc_pre pre = { 0 };
	char why[512];

	g_cancelled = 0;
	g_cancel_msg = NULL;
	g_pl = NULL;
	out->cancelled = 0;
	/* a label of the client's with group commit is refused before
	 * anything runs, as Doris's FE does before it begins a transaction */
	if (gc_plan_of(rq, &gc) < 0)
		return -1;
	if (gc.label) {
		snprintf(why, sizeof why, SL_E_INVALID_ARGUMENT SL_LO_GC_LABEL_MSG);
		return sl_load_fail(rq, why, out);
	}
	if (!(label = sl_load_label(rq)))
		return -1;
	if (opts_of(rq, &lo) < 0)
		goto fail;
	/* sl.conf: before the stages start, for their limits */
	have_st = store_of(rq, &own, &st) > 0;
	if (run_argv(rq, &lo, partitioned_table(have_st ? st : NULL, rq), gc.mode == SL_LO_GC_SYNC, &rn) < 0)
		goto fail;
	infd = rq->infd;
	if (infd < 0) {
		if (pipe2(rn.bodyp, O_CLOEXEC) < 0)
			goto fail;
		sl_pipe_grow(rn.bodyp[1]);
		infd = rn.bodyp[0];
	}
	if (pipe2(rn.ansp, O_CLOEXEC) < 0)
		goto fail;

	limits_of(rq, &lo, have_st ? st : NULL, &lim);
	g_active = 1;
	if (use_sequence(&gc, &rn, infd)) {
		if (run_seq(rq, &rn, infd, &lim, &pl, out) < 0)
			goto fail;
	} else if (sl_spawn_pipeline_limited(&pl, rn.ns, rn.argvs, infd, rn.ansp[1], rq->errfd, rn.env, &lim) < 0) {
		e = errno;
		out->failed_stage = pl.failed_stage < rn.ns ? pl.failed_stage : 0;
		snprintf(out->failed_path, sizeof out->failed_path, "%s", rn.paths[out->failed_stage]);
		errno = e;
		goto fail;
	} else {
		run_wait(rq, &rn, &pl, out);
	}

	if (gc_pre_take(out, &pre) < 0)
		goto fail;
	failed = !g_cancelled && first_failure(rq, &pl, rn.names, why, sizeof why);
	/* sl-commit answered: pass it on verbatim, but a Fail says why the
	 * first stage that failed did */
	if (!g_cancelled && out->answer.len && out->answer.p[out->answer.len - 1] == '\n' &&
	    sl_result_parse(&out->res, out->answer.p, out->answer.len) > 0 && out->res.status) {
		out->ok = !strcmp(out->res.status, SL_STATUS_SUCCESS);
		ret = 1;
		if (failed && !strcmp(out->res.status, SL_STATUS_FAIL) &&
		    (sl_result_set(&out->res.message, why) < 0 || render(out) < 0))
			ret = -1;
		goto record;
	}
	out->answer.len = 0;
	if (pre.have && have_st && (r = gc_pre_answer(rq, st, &pre, start_ms, out)) != 0) {
		if (r < 0)
			goto fail;
		ret = 1;
		goto record;
	}
	no_answer(rq, &pl, failed, why, sizeof why);
	if (fallback(rq, &lo, have_st ? st : NULL, label, start_ms, why, out, 0) < 0 || render(out) < 0)
		goto fail;
	ret = 1;
record:
	g_active = 0;
	if (!have_st)
		sl_load_add_record(rq, out, start_ms);
	else {
		sl_store *keep = rq->st;
		rq->st = st;
		sl_load_add_record(rq, out, start_ms);
		rq->st = keep;
	}
fail:
	e = errno;
	g_active = 0;
	g_pl = NULL;
	if (have_st && st == &own)
		sl_store_close(&own);
	sl_pipeline_free(&pl);
	run_free(&rn);
	sl_buf_free(&pre.json);
	sl_loadopt_free(&lo);
	errno = e;
	return ret;
}

int sl_load_auth(sl_store *st, const char *user, const char *password, const char *client_ip,
	const char *db, const char *table, int priv, char *msg, size_t cap, const char **reason)
{
	int r;
	const char *pn = priv & SL_PRIV_LOAD ? "LOAD" : priv & SL_PRIV_SELECT ? "SELECT" : "ADMIN";

	if (!user)
		user = "";
	if (!password)
		password = "";
	r = sl_auth_check(st, user, password);
	if (r < 0)
		return -1;
	if (r == 0) {
		snprintf(msg, cap, SL_E_ANALYSIS_ERROR SL_TSTATUS "Access denied for user "
			"'%s@%s' (using password: %s)", user, client_ip && *client_ip ? client_ip : "localhost",
			*password ? "YES" : "NO");
		if (reason)
			*reason = "bad password or unknown user";
		return 0;
	}
	if (!db)
		return 1;
	r = sl_auth_has_priv(st, user, db, table, priv);
	if (r < 0)
		return -1;
	if (r == 0) {
		snprintf(msg, cap, SL_E_ANALYSIS_ERROR SL_TSTATUS "Access denied; you need "
			"(at least one of) the (%s) privilege(s) for this operation", pn);
		if (reason)
			*reason = priv & SL_PRIV_LOAD ? "no LOAD privilege" : "no SELECT privilege";
		return 0;
	}
	return 1;
}
