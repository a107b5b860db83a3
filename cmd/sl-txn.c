/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-txn -- the transaction stage: validates `label` and `timeout`, begins
 * the transaction once the first upstream frame shows the load got past
 * its pre-transaction checks, stages typed rows into rowset files, writes
 * the error log, and hands the transaction to sl-commit. It holds the
 * transaction's lock until sl-commit has closed the pipe, then aborts the
 * transaction if nobody committed it: a load lives only as long as its
 * sl-txn.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl.h"
#include "label.h"
#include "msg.h"
#include "io.h"
#include "frame.h"
#include "hdr.h"
#include "profile.h"
#include "store.h"
#include "errtext.h"

#define USAGE "sl-txn [--data-dir DIR] [-H 'name:value']... DB.TABLE"
#define TIMEOUT_DEFAULT 259200
#define TIMEOUT_MAX 259200
#define ROWSET_ROLL (256u << 20)
#define EARLY_STOP 51
#define ERRLOG_LINES 51                 /* Doris: MAX_ERROR_NUM 50, checked as fetch_add(1) > 50 */
#define ERRLOG_CHUNK 65536
#define TSTATUS "TStatus: errCode = 2, detailMessage = "
#define EARLY_STOP_MSG "[DATA_QUALITY_ERROR]Encountered unqualified data, stop processing. " \
	"Please check if the source data matches the schema, and consider disabling strict mode " \
	"or increasing max_filter_ratio."

static sl_reader rd;
static sl_writer wr;
static sl_store st;
static sl_txn txn;
static int have_txn;
static sl_rowset_writer *rw;
static char db[65], table[65];
static const char *label;
static char uuid[37];
static int64_t timeout_s = TIMEOUT_DEFAULT;
static sl_kv upkv = SL_KV_ZERO;         /* upstream counters */

static uint64_t nrows, nfiltered;
static int64_t write_ms;

/* error log */
static int elfd = -1;
static int have_errlog;                 /* the log file was created */
static sl_buf elpath = SL_BUF_ZERO, elbuf = SL_BUF_ZERO;
static int64_t ellimit;                 /* longest line: load_error_log_limit_bytes */
static int64_t elroom;                  /* bytes the current line may still take */
static uint64_t nlogged;                /* Reason: lines written */
static char *first_error;               /* bounded: sl_first_error */

static int devnull = -1;
static volatile sig_atomic_t timed_out;

static void on_sigpipe(int sig) { (void)sig; }

/* "prog: fatal: ..." for failures that still have an answer to send
 * before exiting (sl_die would exit at once). err 0: no strerror. */
__attribute__((format(printf, 2, 3)))
static void fatal_note(int err, const char *fmt, ...)
{
	char b[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, "%s: fatal: %s: %s\n", sl_prog, b, sl_store_strerror(err));
	else
		fprintf(stderr, "%s: fatal: %s\n", sl_prog, b);
}

/* The load deadline: make stdin read EOF so the blocked read returns. */
static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	dup2(devnull, 0);
}

static void catch_signal(int sig, void (*h)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);      /* no SA_RESTART: interrupt poll/read */
}


/* ---- output helpers (never fatal: the exit paths use them) ---- */

static void put_kv(const char *k, const char *v)
{
	const char *ks[1] = { k }, *vs[1] = { v };
	sl_write_kv(&wr, 1, ks, vs);
}

static void write_counters(void)
{
	sl_kv kv = SL_KV_ZERO;
	/* each stage that drops rows counts them under its own key */
	int64_t unsel = sl_kv_get_i64(&upkv, "NumberUnselectedRows", 0) +
	    sl_kv_get_i64(&upkv, "JqUnselectedRows", 0) +
	    sl_kv_get_i64(&upkv, "PrecedingUnselectedRows", 0);
	const char *lb = sl_kv_get(&upkv, "LoadBytes");

	sl_kv_set_i64(&kv, "NumberTotalRows", (int64_t)(nrows + nfiltered) + unsel);
	sl_kv_set_i64(&kv, "NumberLoadedRows", (int64_t)nrows);
	sl_kv_set_i64(&kv, "NumberFilteredRows", (int64_t)nfiltered);
	sl_kv_set_i64(&kv, "NumberUnselectedRows", unsel);
	sl_kv_set(&kv, "LoadBytes", lb ? lb : "0");
	sl_kv_set_i64(&kv, "WriteDataTimeMs", write_ms);
	if (have_errlog) {
		sl_kv_set(&kv, "ErrorLogPath", elpath.p);
		if (first_error)
			sl_kv_set(&kv, "FirstErrorMsg", first_error);
	}
	sl_write_kvmap(&wr, &kv);
	sl_kv_free(&kv);
}

static int errlog_flush(void)
{
	if (elfd >= 0 && elbuf.len) {
		if (sl_allwrite(elfd, elbuf.p, elbuf.len) != elbuf.len)
			return -1;
		elbuf.len = 0;
	}
	return 1;
}

/* Flush and close; errors are only warned about here, the load's
 * outcome does not depend on its error log. */
static void errlog_close(void)
{
	if (elfd < 0)
		return;
	if (errlog_flush() < 0)
		sl_warnsys("unable to write %s", elpath.p);
	close(elfd);
	elfd = -1;
}

/* Abort the transaction (if begun), send counters and X downstream, exit. */
__attribute__((noreturn)) static void fail(int code, int xflags, const char *xmsg)
{
	if (rw) {
		sl_rowset_discard(rw);
		rw = NULL;
	}
	errlog_close();
	if (have_txn) {
		sl_txninfo cur = SL_TXNINFO_ZERO;
		if (sl_txn_abort(&st, db, txn.id, xmsg, &cur) < 0)
			sl_warnsys("unable to abort transaction %" PRId64, txn.id);
		sl_txninfo_free(&cur);
		write_counters();
		sl_txn_release(&txn);
		have_txn = 0;
	} else {
		put_kv("TxnId", "-1");
		put_kv("Label", label);
	}
	sl_write_abort(&wr, xflags, xmsg);
	sl_writer_flush(&wr);
	exit(code);
}

__attribute__((format(printf, 3, 4), noreturn))
static void failf(int code, int xflags, const char *fmt, ...)
{
	char m[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	fail(code, xflags, m);
}

static void fail_timeout(void)
{
	failf(SL_EXIT_NO, have_txn ? 0 : SL_X_PRETXN,
		"[TIMEOUT]load timed out: FragmentMgr cancel worker going to cancel timeout instance, "
		"timeout %" PRId64 "s reached", timeout_s);
}

/* A failed read of the upstream: timeout, truncation or a bad stream. */
__attribute__((noreturn)) static void fail_read(int err)
{
	int code = err == EPROTO || err == ERANGE ? SL_EXIT_USAGE : SL_EXIT_TEMP;
	const char *why = sl_reader_errstr(&rd, err);

	if (timed_out)
		fail_timeout();
	fatal_note(0, "%s", why);
	failf(code, have_txn ? 0 : SL_X_PRETXN, "[INTERNAL_ERROR]upstream failed: %s", why);
}

__attribute__((noreturn)) static void fail_write(void)
{
	int e = wr.err ? wr.err : errno;

	errno = e;
	fatal_note(e, "unable to write stdout");
	fail(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]unable to write to sl-commit");
}

static void out(int r)
{
	if (r < 0)
		fail_write();
}

/* ---- the error log ---- */

static void errlog_write_failed(void)
{
	fatal_note(errno, "unable to write %s", elpath.p);
	failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]unable to write the error log: %s", strerror(errno));
}

/* Append p[0..n) to the current line, within its room; a long piece
 * goes straight to the file, not through the buffer. */
static void errlog_put(const char *p, size_t n)
{
	if ((int64_t)n > elroom)
		n = (size_t)elroom;
	elroom -= (int64_t)n;
	if (!n)
		return;
	if (n >= ERRLOG_CHUNK) {
		if (errlog_flush() < 0 || sl_allwrite(elfd, p, n) != n)
			errlog_write_failed();
		return;
	}
	if (sl_buf_put(&elbuf, p, n) < 0)
		failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]out of memory");
	if (elbuf.len >= ERRLOG_CHUNK && errlog_flush() < 0)
		errlog_write_failed();
}

/* "Reason: " reason ". src line [" src "]; " and a newline; a line
 * longer than load_error_log_limit_bytes keeps that many bytes and ends
 * in "error log is too long" (spec 2.4). */
static void errlog_line(const sl_field *reason, const sl_field *src)
{
	uint64_t len = 8 + (uint64_t)reason->n + 12 + (uint64_t)src->n + 3;

	elroom = ellimit;
	errlog_put("Reason: ", 8);
	errlog_put(reason->p, reason->n);
	errlog_put(". src line [", 12);
	errlog_put(src->p, src->n);
	errlog_put("]; ", 3);
	elroom = INT64_MAX;
	if (len > (uint64_t)ellimit)
		errlog_put("error log is too long", 21);
	errlog_put("\n", 1);
}

/* <dir>/_error_log/error_log_<db>.<table>.<label>_<txn id>_<32 hex>: the
 * ErrorURL needs no password (as Doris's), so the name carries 128 random
 * bits (getrandom(2); Doris's instance ids are random too) that nobody can
 * guess; db and table ('.' is in neither, nor in a label) let the route
 * check a grant when error_log_requires_auth is set. 1, -1 errno. */
static int errlog_path(sl_buf *out)
{
	unsigned char r[16];
	size_t got = 0, i;

	while (got < sizeof r) {
		ssize_t k = getrandom(r + got, sizeof r - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	if (sl_buf_printf(out, "%s/_error_log/error_log_%s.%s.%s_%" PRId64 "_", st.dir, db, table, label, txn.id) < 0)
		return -1;
	for (i = 0; i < sizeof r; i++)
		if (sl_buf_printf(out, "%02x", r[i]) < 0)
			return -1;
	return 1;
}

static void errlog_add(const sl_frame *f)
{
	sl_field fl[3];

	if (sl_fields_parse(f->p, f->len, fl, 3) != 3 || fl[0].n == SL_NULL_LEN)
		failf(SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]malformed error record in the row stream");
	if (fl[1].n == SL_NULL_LEN)
		fl[1].n = 0;
	if (!have_errlog) {
		if (errlog_path(&elpath) < 0 || sl_buf_cstr(&elpath) < 0)
			failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]unable to name the error log: %s", strerror(errno));
		elfd = open(elpath.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (elfd < 0 && errno == ENOENT) {
			char *slash = strrchr(elpath.p, '/');
			if (slash) {
				*slash = 0;
				mkdir(elpath.p, 0755);
				*slash = '/';
			}
			elfd = open(elpath.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		}
		if (elfd < 0) {
			fatal_note(errno, "unable to create %s", elpath.p);
			failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]unable to create the error log: %s", strerror(errno));
		}
		have_errlog = 1;
	}
	if (!first_error) {
		sl_buf b = SL_BUF_ZERO;
		if (sl_first_error(&b, fl[0].p, fl[0].n, fl[1].p, fl[1].n) < 0)
			failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]out of memory");
		first_error = b.p;
	}
	if (nlogged >= ERRLOG_LINES)
		return;
	nlogged++;
	errlog_line(&fl[0], &fl[1]);
}

/* ---- rowsets ---- */

static sl_buf hdrcopy = SL_BUF_ZERO;    /* payload of the current typed H */
static sl_colspec *cols;
static size_t ncols;
static uint64_t rsbytes;

static void rowset_finish_checked(void)
{
	if (rw) {
		sl_rowset_writer *w = rw;
		rw = NULL;
		if (sl_rowset_finish(w, NULL) < 0) {
			fatal_note(errno, "unable to write a rowset");
			failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]unable to write a rowset: %s", strerror(errno));
		}
	}
	rsbytes = 0;
}

static void take_header(const sl_frame *f)
{
	sl_frame c;
	long n;

	if (f->flags & SL_H_VARIADIC)
		failf(SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]sl-txn needs typed rows: run sl-map before sl-txn");
	if (hdrcopy.len == f->len && !memcmp(hdrcopy.p, f->p, f->len))
		return;
	rowset_finish_checked();
	hdrcopy.len = 0;
	if (sl_buf_put(&hdrcopy, f->p, f->len) < 0)
		failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]out of memory");
	c = *f;
	c.p = hdrcopy.p;
	n = sl_header_parse(&c, NULL, 0);
	if (n < 0)
		failf(SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]malformed header frame in the row stream");
	free(cols);
	cols = calloc((size_t)n + 1, sizeof *cols);
	if (!cols || sl_header_parse(&c, cols, (size_t)n) != n)
		failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]out of memory");
	ncols = (size_t)n;
}

static void add_row(const sl_frame *f)
{
	if (!cols)
		failf(SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]row before header in the row stream");
	if (!rw && !(rw = sl_rowset_create(&txn, ncols, cols))) {
		fatal_note(errno, "unable to create a rowset");
		failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]unable to create a rowset: %s", strerror(errno));
	}
	if (sl_rowset_add(rw, f->p, f->len) < 0) {
		fatal_note(errno, "unable to write a rowset");
		failf(errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, 0,
			"[INTERNAL_ERROR]unable to write a rowset: %s", strerror(errno));
	}
	nrows++;
	rsbytes += f->len;
	if (rsbytes >= ROWSET_ROLL)
		rowset_finish_checked();
}

/* ---- the lock handoff ---- */

/* Wait until the reader of stdout (sl-commit) is gone, then settle the
 * transaction. Returns the exit code. */
static int handoff(void)
{
	struct stat sb;
	sl_txninfo ti = SL_TXNINFO_ZERO;
	int code = SL_EXIT_OK;

	if (fstat(1, &sb) == 0 && S_ISFIFO(sb.st_mode)) {
		for (;;) {
			struct pollfd p = { 1, 0, 0 };
			int r = poll(&p, 1, -1);
			if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
				break;
			if (r < 0 && errno != EINTR)
				break;
			if (timed_out)
				break;
		}
	}
	if (sl_txn_lookup_own(&txn, &ti) > 0) {
		if (ti.state == SL_TXN_PREPARE) {
			sl_txninfo cur = SL_TXNINFO_ZERO;
			const char *why = timed_out ? "[TIMEOUT]load timed out before it was committed"
				: "[INTERNAL_ERROR]the load ended without a commit";
			if (sl_txn_abort(&st, db, txn.id, why, &cur) < 0)
				sl_warnsys("unable to abort transaction %" PRId64, txn.id);
			sl_txninfo_free(&cur);
			code = SL_EXIT_NO;
		} else if (ti.state == SL_TXN_ABORTED) {
			code = SL_EXIT_NO;
		}
	} else {
		code = SL_EXIT_NO;
	}
	sl_txninfo_free(&ti);
	sl_txn_release(&txn);
	have_txn = 0;
	return code;
}

/* ---- main ---- */

static void split_target(const char *arg)
{
	const char *dot = strchr(arg, '.');

	if (!dot || dot == arg || !dot[1] || (size_t)(dot - arg) >= sizeof db ||
	    strlen(dot + 1) >= sizeof table || strchr(dot + 1, '.'))
		sl_dieusage(USAGE);
	memcpy(db, arg, (size_t)(dot - arg));
	db[dot - arg] = 0;
	strcpy(table, dot + 1);
}

int main(int argc, char **argv)
{
	sl_opts o = SL_OPTS_ZERO;
	const char *target = NULL, *v, *pre_err = NULL;
	char own_err[1024] = "";
	double ratio = 0;
	sl_frame f;
	sl_txninfo existing = SL_TXNINFO_ZERO;
	int64_t t0, t1;
	int i, r, pre_first = 0;

	sl_msg_init(argv[0]);
	for (i = 1; i < argc;) {
		int k = sl_opt_common(&o, argc, argv, i);
		if (k < 0)
			sl_dieusage(USAGE);
		if (k > 0) {
			i += k;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			sl_dieusage(USAGE);
		if (target)
			sl_dieusage(USAGE);
		target = argv[i++];
	}
	if (o.help) {
		printf("usage: %s\n", USAGE);
		return fflush(stdout) || ferror(stdout) ? SL_EXIT_TEMP : 0;
	}
	if (!target)
		sl_dieusage(USAGE);
	sl_profile_start(&o.hdrs, target);
	split_target(target);

	catch_signal(SIGPIPE, on_sigpipe);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open /dev/null");
	if (sl_reader_init(&rd, 0) < 0 || sl_writer_init(&wr, 1) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to allocate buffers");
	sl_pipe_grow_std();

	label = sl_hdrs_get(&o.hdrs, "label");
	if (!label) {
		if (sl_label_uuid(uuid) < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to generate a label");
		label = uuid;
	}
	/* Doris's order: timeout is parsed (step 6) before the transaction
	 * begins; its range and the label are checked by begin (step 8),
	 * after the database and table. */
	if ((v = sl_hdrs_get(&o.hdrs, "timeout"))) {
		long long t;
		int s = sl_stoll(v, INT32_MIN, INT32_MAX, &t);
		if (s == 0) {
			snprintf(own_err, sizeof own_err, "[INVALID_ARGUMENT]Invalid format of 'timeout': '%s', stoi", v);
			pre_first = 1;
		} else if (s < 0) {
			snprintf(own_err, sizeof own_err, "[INVALID_ARGUMENT]'timeout' value out of range: '%s', stoi", v);
			pre_first = 1;
		} else if (t < 1) {
			snprintf(own_err, sizeof own_err, "[ANALYSIS_ERROR]" TSTATUS "Invalid timeout: %lld. "
				"Timeout should be higher than Config.min_load_timeout_second: 1", t);
		} else if (t > TIMEOUT_MAX) {
			snprintf(own_err, sizeof own_err, "[ANALYSIS_ERROR]" TSTATUS "Invalid timeout: %lld. "
				"Timeout should be lower than Config.max_stream_load_timeout_second: %d", t, TIMEOUT_MAX);
		} else {
			timeout_s = t;
		}
	}
	if (!*own_err && !sl_label_valid(label))
		snprintf(own_err, sizeof own_err, "[ANALYSIS_ERROR]" TSTATUS
			"Label format error. regex: ^[\\-_A-Za-z0-9:]{1,128}$, label: %.300s", label);
	{
		int rr = sl_hdrs_ratio(&o.hdrs, &ratio);
		if (!*own_err && rr <= 0)
			snprintf(own_err, sizeof own_err, "[ANALYSIS_ERROR]" TSTATUS "%s",
			    rr == 0 ? SL_RATIO_NAN_MSG : SL_RATIO_RANGE_MSG);
	}
	if (*own_err)
		pre_err = own_err;

	catch_signal(SIGALRM, on_alarm);
	alarm((unsigned)timeout_s);

	/* Wait for the first frame that is not counters. */
	for (;;) {
		r = sl_frame_read(&rd, &f);
		if (r < 0)
			fail_read(errno);
		if (r == 0)
			fail_read(EPIPE);
		if (f.type != 'C')
			break;
		if (sl_kv_merge_frame(&upkv, &f) < 0)
			failf(SL_EXIT_USAGE, SL_X_PRETXN, "[INTERNAL_ERROR]malformed counters frame");
	}
	if (f.type == 'X' && (f.flags & SL_X_PRETXN)) {
		sl_field fl[1];
		/* ours wins only over what comes later in Doris's order */
		if (!(pre_err && pre_first && sl_fields_parse(f.p, f.len, fl, 1) >= 1 &&
		      !(fl[0].n >= 7 && !memcmp(fl[0].p, "[E-1101", 7)))) {
			out(sl_write_kvmap(&wr, &upkv));
			put_kv("TxnId", "-1");
			put_kv("Label", label);
			out(sl_write_frame(&wr, &f));
			out(sl_writer_flush(&wr));
			return SL_EXIT_NO;
		}
	}
	if (pre_err) {
		out(sl_write_kvmap(&wr, &upkv));
		fail(SL_EXIT_NO, SL_X_PRETXN, pre_err);
	}

	if (sl_store_open(&st, sl_data_dir(o.data_dir)) < 0) {
		fatal_note(errno, "unable to open the data directory %s", sl_data_dir(o.data_dir));
		failf(SL_EXIT_TEMP, SL_X_PRETXN, "[INTERNAL_ERROR]unable to open the data directory: %s", strerror(errno));
	}
	ellimit = st.load_error_log_limit_bytes > 0 ? st.load_error_log_limit_bytes : (200 << 20);
	out(sl_write_kvmap(&wr, &upkv));
	t0 = sl_mono_ms();
	r = sl_txn_begin(&st, db, table, label, timeout_s, &txn, &existing);
	t1 = sl_mono_ms();
	if (r == 0) {
		char id[32];
		snprintf(id, sizeof id, "%" PRId64, existing.id);
		put_kv("Status", "Label Already Exists");
		put_kv("ExistingJobStatus", existing.state == SL_TXN_PRECOMMITTED ? "PRECOMMITTED" :
			existing.state == SL_TXN_COMMITTED || existing.state == SL_TXN_VISIBLE ? "FINISHED" : "RUNNING");
		failf(SL_EXIT_NO, SL_X_PRETXN, "[LABEL_ALREADY_EXISTS]" TSTATUS
			"Label [%s] has already been used, relate to txn [%s], status [%s].",
			label, id, sl_txn_state_name(existing.state));
	}
	if (r < 0) {
		if (errno == ENOENT && sl_db_exists(&st, db) != 1)
			failf(SL_EXIT_NO, SL_X_PRETXN, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = "
				"unknown database, database=%s", db);
		if (errno == ENOENT)
			failf(SL_EXIT_NO, SL_X_PRETXN, "[NOT_FOUND]TStatus: errCode = 7, detailMessage = "
				"table not found, tableName=%s", table);
		fatal_note(errno, "unable to begin a transaction on %s.%s", db, table);
		/* EPROTO: the store is corrupt (sl-store(5)): exit 100 */
		failf((errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP), SL_X_PRETXN, "[INTERNAL_ERROR]unable to begin a transaction: %s",
			sl_store_strerror(errno));
	}
	have_txn = 1;
	{
		char id[32], bt[32];
		const char *ks[] = { "TxnId", "Label", "Db", "Table", "BeginTxnTimeMs" };
		const char *vs[] = { id, label, db, table, bt };
		snprintf(id, sizeof id, "%" PRId64, txn.id);
		snprintf(bt, sizeof bt, "%" PRId64, t1 - t0);
		out(sl_write_kv(&wr, 5, ks, vs));
		/* an empty header: sl-txn's stream carries no rows, only counters */
		out(sl_write_header(&wr, 0, NULL, NULL, 0));
		out(sl_writer_flush(&wr));
	}
	/* Doris parses these after begin (step 9): the txn is rolled back;
	 * an upstream stage's error (enclose, strict_mode) came first */
	if (f.type != 'X' && !sl_hdrs_check_exec(&o.hdrs, own_err, sizeof own_err))
		fail(SL_EXIT_NO, 0, own_err);

	t0 = sl_mono_ms();
	for (;;) {
		switch (f.type) {
		case 'C':
			if (sl_kv_merge_frame(&upkv, &f) < 0)
				failf(SL_EXIT_USAGE, 0, "[INTERNAL_ERROR]malformed counters frame");
			out(sl_write_frame(&wr, &f));
			break;
		case 'H':
			take_header(&f);
			break;
		case 'R':
			add_row(&f);
			break;
		case 'F':
			nfiltered++;
			errlog_add(&f);
			if (ratio <= 0 && nfiltered > EARLY_STOP)
				fail(SL_EXIT_NO, 0, EARLY_STOP_MSG);
			break;
		case 'X': {
			sl_field fl[1];
			if (sl_fields_parse(f.p, f.len, fl, 1) < 1 || fl[0].n == SL_NULL_LEN)
				fail(SL_EXIT_NO, 0, "[INTERNAL_ERROR]upstream failed");
			char *m = strndup(fl[0].p, fl[0].n);
			if (!m)
				failf(SL_EXIT_TEMP, 0, "[INTERNAL_ERROR]out of memory");
			fail(SL_EXIT_NO, 0, m);
		}
		case 'E':
			rowset_finish_checked();
			write_ms += sl_mono_ms() - t0;
			errlog_close();
			write_counters();
			out(sl_write_end(&wr));
			out(sl_writer_flush(&wr));
			return handoff();
		default:
			break;
		}
		if (timed_out)
			fail_timeout();
		r = sl_frame_read(&rd, &f);
		if (r <= 0)
			fail_read(r < 0 ? errno : EPIPE);
	}
}
