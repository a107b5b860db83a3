/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c -- a server's counters in a shared region of atomics and their
 * Prometheus exposition (metrics.h).
 *
 * Series keyed by names (tables, routes) take a slot of a fixed table on
 * first use: a slot is claimed by a compare-and-swap of its state (free ->
 * claiming), named, then published (named, release order), so that every
 * process finds the same slot for the same name; when the table is full
 * the rest go to its last slot, "(other)". Should two slots ever carry one
 * name (a claimer stalled past the wait below), the exposition adds them
 * up into one series: a name never appears twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sl.h"
#include "status.h"
#include "metrics.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
	"the counters are shared between processes: their atomics must be lock-free");

#define MAGIC "slmetr01"
#define VERSION 2

/* Status index of a load: the Status values of status.h, unknown ones as Fail. */
static const char *const statuses[] = { SL_STATUS_SUCCESS, SL_STATUS_FAIL, SL_STATUS_LABEL_EXISTS,
	SL_STATUS_PUBLISH_TIMEOUT };
#define NSTATUS SL_ARRAY_LEN(statuses)

/* The duration histogram's upper bounds: in microseconds and as written. */
static const int64_t bucket_us[] = { 10000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
	10000000, 30000000, 60000000, 120000000, 300000000, 600000000, 1800000000, 3600000000 };
static const char *const bucket_le[] = { "0.01", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
	"30", "60", "120", "300", "600", "1800", "3600" };
#define NBUCKET SL_ARRAY_LEN(bucket_us)

enum { SLOT_FREE, SLOT_CLAIMING, SLOT_NAMED };
#define SLOT_WAIT 2000          /* yields before a claiming slot is passed over */

/* A named series: a table (a db, b table; v: loads by status, rows
 * loaded, bytes) or a route (a route, b code; v[0] requests). */
typedef struct mslot {
	_Atomic uint32_t state;
	char a[SL_METRICS_NAME_MAX + 1], b[SL_METRICS_NAME_MAX + 1];
	_Atomic int64_t v[NSTATUS + 2];
} mslot;
#define V_ROWS NSTATUS
#define V_BYTES (NSTATUS + 1)

struct sl_metrics {
	char magic[8];
	uint32_t version, size;
	int64_t created_s;
	_Atomic int64_t loads[NSTATUS];
	_Atomic int64_t loaded, filtered, unselected, bytes, auth_failures;
	_Atomic int64_t dur[NBUCKET + 1], dur_sum_us;
	_Atomic int32_t inflight[SL_METRICS_INFLIGHT];  /* pids inside a load */
	_Atomic int64_t inflight_over;                  /* more than those */
	mslot tables[SL_METRICS_TABLES + 1];
	mslot routes[SL_METRICS_ROUTES + 1];
	/* the MySQL front's own: (routes hold its commands, dur its statements) */
	_Atomic int64_t conns_accepted, conns_refused, stmt_ok, stmt_err;
};

#define ADD(x, n) atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)
#define GET(x) atomic_load_explicit(&(x), memory_order_relaxed)

static void name_other(mslot *s, const char *a, const char *b)
{
	snprintf(s->a, sizeof s->a, "%s", a);
	snprintf(s->b, sizeof s->b, "%s", b);
	atomic_store(&s->state, SLOT_NAMED);
}

/* A fresh region (zeroed by the caller): its header and "(other)" slots. */
static void region_init(sl_metrics *m)
{
	memcpy(m->magic, MAGIC, sizeof m->magic);
	m->version = VERSION;
	m->size = (uint32_t)sizeof *m;
	m->created_s = (int64_t)time(NULL);
	name_other(&m->tables[SL_METRICS_TABLES], "(other)", "(other)");
	name_other(&m->routes[SL_METRICS_ROUTES], "other", "other");
}

static int region_ok(const sl_metrics *m)
{
	return !memcmp(m->magic, MAGIC, sizeof m->magic) && m->version == VERSION && m->size == sizeof *m;
}

static sl_metrics *map_fd(int fd)
{
	void *p = mmap(NULL, sizeof(sl_metrics), PROT_READ | PROT_WRITE, fd < 0 ? MAP_SHARED | MAP_ANONYMOUS :
		MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

sl_metrics *sl_metrics_open_anon(void)
{
	sl_metrics *m = map_fd(-1);

	if (m)
		region_init(m);
	return m;
}

/* A new file of the current layout at tmp, renamed to path. */
static sl_metrics *replace_file(const char *path)
{
	char tmp[PATH_MAX];
	sl_metrics *m = NULL;
	int fd;

	if (snprintf(tmp, sizeof tmp, "%s.new%ld", path, (long)getpid()) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)sizeof *m) == 0 && (m = map_fd(fd)))
		region_init(m);
	if (m && rename(tmp, path) < 0) {
		int e = errno;
		munmap(m, sizeof *m);
		m = NULL;
		errno = e;
	}
	if (!m)
		unlink(tmp);
	close(fd);
	return m;
}

/* The directory of path, created when missing. */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (!n)
		return 0;
	if (n >= sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = 0;
	return mkdir(dir, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

sl_metrics *sl_metrics_open_file(const char *path)
{
	sl_metrics *m = NULL;
	int tries;

	if (make_parent(path) < 0)
		return NULL;
	/* under flock(2); retried when another process replaced the file
	 * between our open and our lock */
	for (tries = 0; tries < 8; tries++) {
		struct stat fs, ps;
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644), e;
		if (fd < 0)
			return NULL;
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, &fs) < 0) {
			e = errno;
			close(fd);
			errno = e;
			return NULL;
		}
		if (stat(path, &ps) < 0 || ps.st_ino != fs.st_ino || ps.st_dev != fs.st_dev) {
			close(fd);
			continue;
		}
		if (fs.st_size == 0) {
			if (ftruncate(fd, (off_t)sizeof *m) == 0 && (m = map_fd(fd)))
				region_init(m);
		} else if (fs.st_size == (off_t)sizeof *m && (m = map_fd(fd)) && !region_ok(m)) {
			munmap(m, sizeof *m);
			m = replace_file(path);
		} else if (!m) {
			m = replace_file(path);
		}
		e = errno;
		/* unlocked by hand: the mapping holds the open file, and the
		 * lock with it, past close */
		flock(fd, LOCK_UN);
		close(fd);
		errno = e;
		return m;
	}
	errno = EAGAIN;
	return NULL;
}

void sl_metrics_close(sl_metrics *m)
{
	if (m)
		munmap(m, sizeof *m);
}

/* Slot s is named (a, b). Bounded by the slot's size: a file-backed
 * region is only as sound as the file. */
static int same(const mslot *s, const char *a, const char *b)
{
	return !strncmp(s->a, a, sizeof s->a) && !strncmp(s->b, b, sizeof s->b);
}

/* The slot named (a, b) in s[0..n], claimed when new; s[n] when full or a
 * name is too long. */
static mslot *slot_get(mslot *s, size_t n, const char *a, const char *b)
{
	size_t i;

	if (strlen(a) > SL_METRICS_NAME_MAX || strlen(b) > SL_METRICS_NAME_MAX)
		return &s[n];
	for (i = 0; i < n; i++) {
		uint32_t st = atomic_load_explicit(&s[i].state, memory_order_acquire);
		int spins;
		if (st == SLOT_FREE) {
			uint32_t want = SLOT_FREE;
			if (atomic_compare_exchange_strong(&s[i].state, &want, SLOT_CLAIMING)) {
				strcpy(s[i].a, a);
				strcpy(s[i].b, b);
				atomic_store_explicit(&s[i].state, SLOT_NAMED, memory_order_release);
				return &s[i];
			}
			st = want;
		}
		for (spins = 0; st == SLOT_CLAIMING && spins < SLOT_WAIT; spins++) {
			sched_yield();
			st = atomic_load_explicit(&s[i].state, memory_order_acquire);
		}
		if (st == SLOT_NAMED && same(&s[i], a, b))
			return &s[i];
	}
	return &s[n];
}

static size_t status_index(const char *status)
{
	size_t i;

	for (i = 0; status && i < NSTATUS; i++)
		if (!strcmp(status, statuses[i]))
			return i;
	return 1;       /* Fail */
}

static int64_t nonneg(int64_t v)
{
	return v > 0 ? v : 0;
}

/* One duration (us >= 0) into the histogram. */
static void observe(sl_metrics *m, int64_t us)
{
	size_t b;

	for (b = 0; b < NBUCKET && us > bucket_us[b]; b++)
		;
	ADD(m->dur[b], 1);
	ADD(m->dur_sum_us, us);
}

void sl_metrics_load_done(sl_metrics *m, const sl_metrics_load *l)
{
	size_t si = status_index(l->status);
	int64_t loaded = si == 0 ? nonneg(l->loaded) : 0, us = nonneg(l->duration_us);

	if (!m)
		return;
	ADD(m->loads[si], 1);
	ADD(m->loaded, loaded);
	ADD(m->filtered, nonneg(l->filtered));
	ADD(m->unselected, nonneg(l->unselected));
	ADD(m->bytes, nonneg(l->bytes));
	observe(m, us);
	if (l->db && l->table) {
		mslot *s = slot_get(m->tables, SL_METRICS_TABLES, l->db, l->table);
		ADD(s->v[si], 1);
		ADD(s->v[V_ROWS], loaded);
		ADD(s->v[V_BYTES], nonneg(l->bytes));
	}
}

int sl_metrics_load_begin(sl_metrics *m)
{
	int32_t pid = (int32_t)getpid();
	int i;

	if (!m)
		return -1;
	for (i = 0; i < SL_METRICS_INFLIGHT; i++) {
		int32_t want = 0;
		if (GET(m->inflight[i]) == 0 && atomic_compare_exchange_strong(&m->inflight[i], &want, pid))
			return i;
	}
	ADD(m->inflight_over, 1);
	return -1;
}

void sl_metrics_load_end(sl_metrics *m, int token)
{
	if (!m)
		return;
	if (token >= 0 && token < SL_METRICS_INFLIGHT)
		atomic_store(&m->inflight[token], 0);
	else
		ADD(m->inflight_over, -1);
}

void sl_metrics_request(sl_metrics *m, const char *route, int code)
{
	char c[16];

	if (!m)
		return;
	snprintf(c, sizeof c, "%d", code);
	ADD(slot_get(m->routes, SL_METRICS_ROUTES, route ? route : "other", c)->v[0], 1);
}

void sl_metrics_auth_failure(sl_metrics *m)
{
	if (m)
		ADD(m->auth_failures, 1);
}

/* ---- the exposition ---- */

/* Loads in flight: the pids still alive (a process killed inside a load
 * frees its entry here), plus those past the table. */
static int64_t inflight(sl_metrics *m)
{
	int64_t n = nonneg(GET(m->inflight_over));
	int i;

	for (i = 0; i < SL_METRICS_INFLIGHT; i++) {
		int32_t pid = GET(m->inflight[i]);
		if (!pid)
			continue;
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
			n++;
		else
			atomic_compare_exchange_strong(&m->inflight[i], &pid, 0);
	}
	return n;
}

/* A label value of at most SL_METRICS_NAME_MAX bytes, escaped as the
 * format wants (\\, \", \n). */
static int put_label(sl_buf *b, const char *name, const char *v, int comma)
{
	int r = sl_buf_printf(b, "%s%s=\"", comma ? "," : "", name);
	const char *end = v + strnlen(v, SL_METRICS_NAME_MAX);

	for (; r > 0 && v < end; v++)
		r = *v == '\\' ? sl_buf_puts(b, "\\\\") : *v == '"' ? sl_buf_puts(b, "\\\"") :
			*v == '\n' ? sl_buf_puts(b, "\\n") : sl_buf_putc(b, *v);
	return r > 0 ? sl_buf_putc(b, '"') : -1;
}

static int put_head(sl_buf *b, const char *name, const char *type, const char *help)
{
	return sl_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int put_one(sl_buf *b, const char *name, const char *type, const char *help, int64_t v)
{
	return put_head(b, name, type, help) > 0 && sl_buf_printf(b, "%s %" PRId64 "\n", name, v) > 0 ? 1 : -1;
}

/* The value k of slot i of s[0..n] and of every later slot of the same
 * name; -1 when slot i repeats an earlier one (already counted). */
static int64_t slot_sum(mslot *s, size_t n, size_t i, size_t k)
{
	int64_t v;
	size_t j;

	for (j = 0; j < i; j++)
		if (GET(s[j].state) == SLOT_NAMED && same(&s[j], s[i].a, s[i].b))
			return -1;
	v = GET(s[i].v[k]);
	for (j = i + 1; j <= n; j++)
		if (GET(s[j].state) == SLOT_NAMED && same(&s[j], s[i].a, s[i].b))
			v += GET(s[j].v[k]);
	return v;
}

/* One series of slot i: name{la="a",lb="b"[,status="..."]} value. */
static int put_slot(sl_buf *b, const char *name, mslot *s, size_t n, size_t i, size_t k,
	const char *la, const char *lb, const char *status)
{
	int64_t v;

	if (GET(s[i].state) != SLOT_NAMED || (v = slot_sum(s, n, i, k)) < 0)
		return 1;
	if (sl_buf_printf(b, "%s{", name) < 0 || put_label(b, la, s[i].a, 0) < 0 || put_label(b, lb, s[i].b, 1) < 0 ||
	    (status && put_label(b, "status", status, 1) < 0))
		return -1;
	return sl_buf_printf(b, "} %" PRId64 "\n", v) > 0 ? 1 : -1;
}

static int put_tables(sl_metrics *m, sl_buf *b)
{
	size_t i, k;
	int r = put_head(b, "streamload_table_loads_total", "counter",
		"Loads that began a transaction, by table and Status.");

	for (i = 0; r > 0 && i <= SL_METRICS_TABLES; i++)
		for (k = 0; r > 0 && k < NSTATUS; k++)
			r = put_slot(b, "streamload_table_loads_total", m->tables, SL_METRICS_TABLES, i, k,
				"db", "table", statuses[k]);
	if (r > 0)
		r = put_head(b, "streamload_table_rows_loaded_total", "counter", "Rows loaded, by table.");
	for (i = 0; r > 0 && i <= SL_METRICS_TABLES; i++)
		r = put_slot(b, "streamload_table_rows_loaded_total", m->tables, SL_METRICS_TABLES, i, V_ROWS,
			"db", "table", NULL);
	if (r > 0)
		r = put_head(b, "streamload_table_received_bytes_total", "counter", "Body bytes of loads, by table.");
	for (i = 0; r > 0 && i <= SL_METRICS_TABLES; i++)
		r = put_slot(b, "streamload_table_received_bytes_total", m->tables, SL_METRICS_TABLES, i, V_BYTES,
			"db", "table", NULL);
	return r;
}

static int put_histogram(sl_metrics *m, sl_buf *b, const char *name, const char *help)
{
	int64_t cum = 0, us = nonneg(GET(m->dur_sum_us));
	size_t i;
	int r = put_head(b, name, "histogram", help);

	for (i = 0; r > 0 && i <= NBUCKET; i++) {
		cum += GET(m->dur[i]);
		r = sl_buf_printf(b, "%s_bucket{le=\"%s\"} %" PRId64 "\n", name, i < NBUCKET ? bucket_le[i] : "+Inf", cum);
	}
	if (r > 0)
		r = sl_buf_printf(b, "%s_sum %" PRId64 ".%06" PRId64 "\n%s_count %" PRId64 "\n", name, us / 1000000,
			us % 1000000, name, cum);
	return r > 0 ? 1 : -1;
}

int sl_metrics_format(sl_metrics *m, sl_buf *b)
{
	size_t i;
	int r = put_head(b, "streamload_loads_total", "counter", "Loads answered, by their Status.");

	for (i = 0; r > 0 && i < NSTATUS; i++)
		r = sl_buf_printf(b, "streamload_loads_total{status=\"%s\"} %" PRId64 "\n", statuses[i], GET(m->loads[i]));
	if (r > 0)
		r = put_one(b, "streamload_rows_loaded_total", "counter", "Rows loaded by successful loads.",
			GET(m->loaded));
	if (r > 0)
		r = put_one(b, "streamload_rows_filtered_total", "counter", "Rows filtered out as bad data.",
			GET(m->filtered));
	if (r > 0)
		r = put_one(b, "streamload_rows_unselected_total", "counter", "Rows left out by a where condition.",
			GET(m->unselected));
	if (r > 0)
		r = put_one(b, "streamload_received_bytes_total", "counter", "Body bytes of loads.", GET(m->bytes));
	if (r > 0)
		r = put_one(b, "streamload_loads_in_flight", "gauge", "Loads running now.", inflight(m));
	if (r > 0)
		r = put_histogram(m, b, "streamload_load_duration_seconds",
			"How long loads took, from the request to the answer.");
	if (r > 0)
		r = put_head(b, "streamload_requests_total", "counter", "Requests answered, by route and status code.");
	for (i = 0; r > 0 && i <= SL_METRICS_ROUTES; i++)
		r = put_slot(b, "streamload_requests_total", m->routes, SL_METRICS_ROUTES, i, 0, "route", "code", NULL);
	if (r > 0)
		r = put_one(b, "streamload_auth_failures_total", "counter", "Requests refused for their credentials.",
			GET(m->auth_failures));
	if (r > 0)
		r = put_tables(m, b);
	if (r > 0)
		r = put_one(b, "streamload_metrics_start_time_seconds", "gauge",
			"When these counters started (Unix time).", m->created_s);
	return r > 0 ? 1 : -1;
}

/* ---- the MySQL front ---- */

void sl_metrics_conn_accepted(sl_metrics *m)
{
	if (m)
		ADD(m->conns_accepted, 1);
}

void sl_metrics_conn_refused(sl_metrics *m)
{
	if (m)
		ADD(m->conns_refused, 1);
}

void sl_metrics_command(sl_metrics *m, const char *command, int ok, int statement, int64_t duration_us)
{
	if (!m)
		return;
	ADD(slot_get(m->routes, SL_METRICS_ROUTES, command ? command : "other", ok ? "ok" : "error")->v[0], 1);
	if (!statement)
		return;
	ADD(*(ok ? &m->stmt_ok : &m->stmt_err), 1);
	observe(m, nonneg(duration_us));
}

int sl_metrics_format_mysql(sl_metrics *m, sl_buf *b)
{
	size_t i;
	int r = put_one(b, "streamload_mysql_connections_accepted_total", "counter",
		"Connections accepted and served.", GET(m->conns_accepted));

	if (r > 0)
		r = put_one(b, "streamload_mysql_connections_refused_total", "counter",
			"Connections refused: over the connection limit.", GET(m->conns_refused));
	if (r > 0)
		r = put_one(b, "streamload_mysql_connections_in_flight", "gauge", "Connections open now.",
			inflight(m));
	if (r > 0)
		r = put_one(b, "streamload_mysql_login_failures_total", "counter",
			"Logins refused for their credentials.", GET(m->auth_failures));
	if (r > 0)
		r = put_head(b, "streamload_mysql_commands_total", "counter",
			"Commands answered, by command and result.");
	for (i = 0; r > 0 && i <= SL_METRICS_ROUTES; i++)
		r = put_slot(b, "streamload_mysql_commands_total", m->routes, SL_METRICS_ROUTES, i, 0, "command",
			"result", NULL);
	if (r > 0)
		r = put_head(b, "streamload_mysql_statements_total", "counter",
			"Statements run (COM_QUERY, COM_STMT_EXECUTE), by result.");
	if (r > 0)
		r = sl_buf_printf(b, "streamload_mysql_statements_total{result=\"ok\"} %" PRId64 "\n"
			"streamload_mysql_statements_total{result=\"error\"} %" PRId64 "\n", GET(m->stmt_ok),
			GET(m->stmt_err));
	if (r > 0)
		r = put_histogram(m, b, "streamload_mysql_statement_duration_seconds",
			"How long statements took, from the command to the end of its answer.");
	if (r > 0)
		r = put_one(b, "streamload_metrics_start_time_seconds", "gauge",
			"When these counters started (Unix time).", m->created_s);
	return r > 0 ? 1 : -1;
}
