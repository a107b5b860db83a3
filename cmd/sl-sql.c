/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl-sql -- run SQL statements against the local store, with the mysql
 * client's output conventions: a bordered table when stdout is a terminal,
 * otherwise (or with -B) tab-separated values with a header line (-N drops
 * it); NULL printed as NULL; empty results print nothing. Statements come
 * from -e, a FILE, or stdin, separated by ';'. The first failing statement
 * stops the run: "sl-sql: ERROR 1049 (42000): Unknown database 'x'", exit 1.
 * A load (INSERT) prints the mysql client's account of Doris's answer:
 * "Query OK, 2 rows affected (0.05 sec)" and {'label':'l', 'status':
 * 'VISIBLE', 'txnId':'7'}.
 *
 * Without -u, sl-sql acts as root (whoever may write the data directory).
 * With -u user (password from -pPASSWORD, -p: prompted, or MYSQL_PWD) it
 * authenticates the user and runs every statement as that user: the SQL
 * engine checks the privileges (sql.h), as for every other front.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "msg.h"
#include "io.h"
#include "hdr.h"
#include "types.h"
#include "store.h"
#include "auth.h"
#include "sql.h"

#define USAGE "sl-sql [--data-dir DIR] [-u USER [-pPASSWORD]] [-B] [-N] [-r] [-t] [-D DB] [-e 'STMT; ...' | FILE]\n" \
	SL_HELP_DATA_DIR \
	"  -u USER, --user=USER  authenticate as USER and run every statement as that user\n" \
	"  -pPASSWORD, --password[=PASSWORD]  the password (--password alone: asked for; else $MYSQL_PWD)\n" \
	"  -B, --batch          tab-separated output even on a terminal\n" \
	"  -N, --skip-column-names  no header line\n" \
	"  -r, --raw            do not escape tab-separated values\n" \
	"  -t, --table          a bordered table even when standard output is not a terminal\n" \
	"  -D DB, --database=DB  start as if USE DB had run\n" \
	"  -e STMTS, --execute=STMTS  run these statements (else FILE, else standard input)\n" \
	SL_HELP_STD \
	"See sl-sql(1).\n"

static sl_buf out = SL_BUF_ZERO;
static int batch, skip_names, raw;
static int out_failed;          /* a write to stdout failed (errno kept) */

static int flush_out(void)
{
	if (out.len && sl_allwrite(1, out.p, out.len) < out.len) {
		out_failed = 1;
		return -1;
	}
	out.len = 0;
	return 1;
}

static int maybe_flush(void)
{
	return out.len >= (64u << 10) ? flush_out() : 1;
}

/* mysql --batch escaping: NUL, tab, newline and backslash (none with -r). */
static int put_escaped(const char *p, size_t n)
{
	if (raw)
		return sl_buf_put(&out, p, n);
	for (size_t i = 0; i < n; i++) {
		const char *e = 0;
		switch (p[i]) {
		case '\0': e = "\\0"; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\\': e = "\\\\"; break;
		}
		if (e ? sl_buf_put(&out, e, 2) < 0 : sl_buf_putc(&out, p[i]) < 0)
			return -1;
	}
	return 1;
}

/* Value as text in tmp (NULL -> "NULL"). */
static int value_text(const sl_value *v, sl_buf *tmp)
{
	tmp->len = 0;
	if (v->kind == SL_V_NULL)
		return sl_buf_puts(tmp, "NULL");
	return sl_value_format(v, tmp);
}

/* ---- tab-separated output ---- */

typedef struct tsv { char **names; size_t n; int header_done; sl_buf tmp; } tsv;

static int tsv_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	tsv *t = ctx;

	(void)types;
	t->n = n;
	t->header_done = skip_names;
	t->names = calloc(n + 1, sizeof *t->names);
	if (!t->names)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(t->names[i] = strdup(names[i])))
			return -1;
	return 1;
}

static int tsv_row(void *ctx, size_t n, const sl_value *v)
{
	tsv *t = ctx;

	if (!t->header_done) {
		/* mysql prints nothing at all for an empty result: the header waits for a row. */
		for (size_t i = 0; i < t->n; i++)
			if ((i && sl_buf_putc(&out, '\t') < 0) || put_escaped(t->names[i], strlen(t->names[i])) < 0)
				return -1;
		if (sl_buf_putc(&out, '\n') < 0)
			return -1;
		t->header_done = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (i && sl_buf_putc(&out, '\t') < 0)
			return -1;
		if (value_text(&v[i], &t->tmp) < 0 || put_escaped(t->tmp.p ? t->tmp.p : "", t->tmp.len) < 0)
			return -1;
	}
	if (sl_buf_putc(&out, '\n') < 0)
		return -1;
	return maybe_flush();
}

static int tsv_end(void *ctx)
{
	tsv *t = ctx;

	for (size_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	t->names = 0;
	t->n = 0;
	return flush_out();
}

/* ---- bordered table (terminal) ---- */

typedef struct table {
	size_t n;
	char **names;
	int *right;             /* numeric column: right-aligned */
	char **cells;           /* nrows * n, NULL for SQL NULL */
	size_t *lens;
	size_t nrows, cap;
	sl_buf tmp;
} table;

/* Display width of UTF-8 text: code points, East Asian wide ones as 2. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t k;

		if (c < 0x80) { cp = c; k = 1; }
		else if ((c & 0xe0) == 0xc0) { cp = c & 0x1f; k = 2; }
		else if ((c & 0xf0) == 0xe0) { cp = c & 0x0f; k = 3; }
		else if ((c & 0xf8) == 0xf0) { cp = c & 0x07; k = 4; }
		else { cp = c; k = 1; }
		if (i + k > n)
			k = n - i;
		for (size_t j = 1; j < k; j++)
			cp = cp << 6 | ((unsigned char)s[i + j] & 0x3f);
		i += k;
		if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3)
				|| (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f)
				|| (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6)
				|| (cp >= 0x20000 && cp <= 0x3fffd))
			w += 2;
		else
			w += 1;
	}
	return w;
}

static int table_begin(void *ctx, size_t n, const char *const *names, const sl_type *types)
{
	table *t = ctx;

	t->n = n;
	t->names = calloc(n + 1, sizeof *t->names);
	t->right = calloc(n + 1, sizeof *t->right);
	if (!t->names || !t->right)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!(t->names[i] = strdup(names[i])))
			return -1;
		t->right[i] = sl_type_is_numeric(&types[i]);
	}
	return 1;
}

static int table_row(void *ctx, size_t n, const sl_value *v)
{
	table *t = ctx;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **c = realloc(t->cells, cap * (t->n ? t->n : 1) * sizeof *c);
		if (!c)
			return -1;
		t->cells = c;
		size_t *l = realloc(t->lens, cap * (t->n ? t->n : 1) * sizeof *l);
		if (!l)
			return -1;
		t->lens = l;
		t->cap = cap;
	}
	for (size_t i = 0; i < n && i < t->n; i++) {
		size_t k = t->nrows * t->n + i;
		t->cells[k] = 0;
		t->lens[k] = 0;
		if (v[i].kind == SL_V_NULL)
			continue;
		if (value_text(&v[i], &t->tmp) < 0)
			return -1;
		if (!(t->cells[k] = malloc(t->tmp.len + 1)))
			return -1;
		if (t->tmp.len)
			memcpy(t->cells[k], t->tmp.p, t->tmp.len);
		t->cells[k][t->tmp.len] = 0;
		t->lens[k] = t->tmp.len;
	}
	t->nrows++;
	return 1;
}

static int border(const size_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (sl_buf_putc(&out, '+') < 0)
			return -1;
		for (size_t j = 0; j < w[i] + 2; j++)
			if (sl_buf_putc(&out, '-') < 0)
				return -1;
	}
	return sl_buf_puts(&out, "+\n");
}

static int cell(const char *s, size_t len, size_t w, size_t colw, int right)
{
	if (sl_buf_puts(&out, "| ") < 0)
		return -1;
	for (size_t j = 0; right && j < colw - w; j++)
		if (sl_buf_putc(&out, ' ') < 0)
			return -1;
	if (sl_buf_put(&out, s, len) < 0)
		return -1;
	for (size_t j = 0; !right && j < colw - w; j++)
		if (sl_buf_putc(&out, ' ') < 0)
			return -1;
	return sl_buf_putc(&out, ' ');
}

static int table_end(void *ctx)
{
	table *t = ctx;
	size_t *w = calloc(t->n + 1, sizeof *w);
	int r = 1;

	if (!w)
		return -1;
	if (!t->nrows)
		goto done;      /* mysql: an empty set prints nothing */
	for (size_t i = 0; i < t->n; i++) {
		w[i] = skip_names ? 0 : width(t->names[i], strlen(t->names[i]));
		for (size_t k = 0; k < t->nrows; k++) {
			size_t x = t->n * k + i;
			size_t cw = t->cells[x] ? width(t->cells[x], t->lens[x]) : 4;
			if (cw > w[i])
				w[i] = cw;
		}
	}
	if (border(w, t->n) < 0)
		goto fail;
	if (!skip_names) {
		for (size_t i = 0; i < t->n; i++)
			if (cell(t->names[i], strlen(t->names[i]), width(t->names[i], strlen(t->names[i])), w[i], 0) < 0)
				goto fail;
		if (sl_buf_puts(&out, "|\n") < 0 || border(w, t->n) < 0)
			goto fail;
	}
	for (size_t k = 0; k < t->nrows; k++) {
		for (size_t i = 0; i < t->n; i++) {
			size_t x = t->n * k + i;
			const char *s = t->cells[x] ? t->cells[x] : "NULL";
			size_t len = t->cells[x] ? t->lens[x] : 4;
			if (cell(s, len, width(s, len), w[i], t->right[i]) < 0)
				goto fail;
		}
		if (sl_buf_puts(&out, "|\n") < 0 || maybe_flush() < 0)
			goto fail;
	}
	if (border(w, t->n) < 0)
		goto fail;
	goto done;
fail:
	r = -1;
done:
	for (size_t k = 0; k < t->nrows * t->n; k++)
		free(t->cells[k]);
	for (size_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->right);
	free(t->cells);
	free(t->lens);
	free(w);
	sl_buf_free(&t->tmp);
	memset(t, 0, sizeof *t);
	if (r > 0)
		r = flush_out();
	return r;
}

static void read_all(int fd, const char *name, sl_buf *b)
{
	for (;;) {
		ssize_t r;
		if (sl_buf_reserve(b, 65536) < 0)
			sl_die(SL_EXIT_TEMP, "out of memory");
		r = sl_fd_read(fd, b->p + b->len, 65536);
		if (r < 0)
			sl_diesys(SL_EXIT_TEMP, "unable to read %s", name);
		if (r == 0)
			break;
		b->len += (size_t)r;
	}
}

static size_t line_of(const char *src, size_t at)
{
	size_t line = 1;

	for (size_t i = 0; i < at; i++)
		if (src[i] == '\n')
			line++;
	return line;
}

/* The command line. */
typedef struct args {
	sl_opts o;
	const char *exec, *file, *dbname, *user, *password;
	int prompt, force_table;
} args;

/* A bundle of short options at argv[*i] (-BNtr, -pSECRET, -e STMT, -eSTMT,
 * -D DB, -u USER); *i moves past a value taken from the next word. */
static void short_opts(args *a, int argc, char **argv, int *i)
{
	for (const char *c = argv[*i] + 1; *c; c++) {
		if (*c == 'B') batch = 1;
		else if (*c == 'N') skip_names = 1;
		else if (*c == 't') a->force_table = 1;
		else if (*c == 'r') raw = 1;
		else if (*c == 'p') {
			/* as mysql: only attached (-pSECRET); alone, prompted */
			if (c[1])
				a->password = c + 1;
			else
				a->prompt = 1;
			return;
		} else if (*c == 'e' || *c == 'D' || *c == 'u') {
			const char *v = c[1] ? c + 1 : (*i + 1 < argc ? argv[++*i] : 0);
			if (!v)
				sl_dieusage(USAGE);
			if (*c == 'e')
				a->exec = v;
			else if (*c == 'D')
				a->dbname = v;
			else
				a->user = v;
			return;
		} else
			sl_dieusage(USAGE);
	}
}

/* A long option at argv[*i] without its value (--batch, --execute=...):
 * 1, or 0 when it is not one of them. */
static int long_opt(args *a, const char *s)
{
	if (!strcmp(s, "--batch")) batch = 1;
	else if (!strcmp(s, "--skip-column-names")) skip_names = 1;
	else if (!strcmp(s, "--table")) a->force_table = 1;
	else if (!strcmp(s, "--raw")) raw = 1;
	else if (!strncmp(s, "--execute=", 10)) a->exec = s + 10;
	else if (!strncmp(s, "--database=", 11)) a->dbname = s + 11;
	else if (!strncmp(s, "--user=", 7)) a->user = s + 7;
	else if (!strncmp(s, "--password=", 11)) a->password = s + 11;
	else if (!strcmp(s, "--password")) a->prompt = 1;
	else
		return 0;
	return 1;
}

/* The argument loop; dies on misuse, exits on -h. */
static void parse_args(args *a, int argc, char **argv)
{
	for (int i = 1; i < argc;) {
		int k = sl_opt_common(&a->o, argc, argv, i);
		const char *s = argv[i];

		if (k < 0)
			sl_dieusage(USAGE);
		if (k > 0) {
			i += k;
			continue;
		}
		if (long_opt(a, s))
			;
		else if ((!strcmp(s, "--execute") || !strcmp(s, "--database")) && i + 1 < argc) {
			if (s[2] == 'e')
				a->exec = argv[i + 1];
			else
				a->dbname = argv[i + 1];
			i += 2;
			continue;
		} else if (!strcmp(s, "--")) {
			if (i + 2 < argc || a->file)
				sl_dieusage(USAGE);
			if (i + 1 < argc)
				a->file = argv[i + 1];
			break;
		} else if (s[0] == '-' && s[1] && s[1] != '-')
			short_opts(a, argc, argv, &i);
		else if ((s[0] == '-' && s[1]) || a->file)
			sl_dieusage(USAGE);
		else
			a->file = s;
		i++;
	}
	if (a->o.help)
		sl_msg_help(USAGE);
	if (a->o.version)
		sl_msg_version();
	if (a->exec && a->file)
		sl_dieusage(USAGE);
}

/* The statements: -e, FILE, or stdin; NUL-terminated. */
static void read_input(const args *a, sl_buf *src)
{
	if (a->exec) {
		if (sl_buf_puts(src, a->exec) < 0)
			sl_die(SL_EXIT_TEMP, "out of memory");
	} else if (a->file && strcmp(a->file, "-")) {
		if (sl_file_read(a->file, src) < 0)
			sl_diesys(errno == ENOENT || errno == EACCES || errno == EISDIR ? SL_EXIT_USAGE : SL_EXIT_TEMP,
				"unable to read %s", a->file);
	} else
		read_all(0, "stdin", src);
	if (sl_buf_cstr(src) < 0)
		sl_die(SL_EXIT_TEMP, "out of memory");
}

/* With -u (or a password): authenticate and run as that user; a refusal
 * exits 1 with MySQL's message. */
static void login(const args *a, sl_store *st, sl_sql *q)
{
	const char *password = a->password;
	int r;

	if (!a->user && !password && !a->prompt)
		return;
	if (!a->user)
		sl_dieusage(USAGE);
	if (a->prompt && !(password = getpass("Enter password: ")))
		sl_diesys(SL_EXIT_TEMP, "unable to read the password");
	if (!password)
		password = getenv("MYSQL_PWD");
	if (!password)
		password = "";
	r = sl_auth_user_valid(a->user) ? sl_auth_check(st, a->user, password) : 0;
	if (r < 0)
		sl_diesys(errno == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, "unable to read the users file");
	if (r == 0 || sl_sql_set_user(q, a->user) < 0) {
		fprintf(stderr, "%s: ERROR %d (28000): Access denied for user '%s@localhost' (using password: %s)\n",
			sl_prog, SL_SQL_ER_ACCESS_DENIED, a->user, *password ? "YES" : "NO");
		exit(SL_EXIT_NO);
	}
}

/* The output mode: a bordered table on a terminal (or -t), else TSV. */
static sl_sql_sink output_sink(const args *a, tsv *tv, table *tb)
{
	sl_sql_sink sink;

	memset(tv, 0, sizeof *tv);
	memset(tb, 0, sizeof *tb);
	if (a->force_table || (!batch && isatty(1))) {
		sink.ctx = tb;
		sink.begin = table_begin;
		sink.row = table_row;
		sink.end = table_end;
	} else {
		sink.ctx = tv;
		sink.begin = tsv_begin;
		sink.row = tsv_row;
		sink.end = tsv_end;
	}
	return sink;
}

/* -D DB: USE it first; a failure exits 1. */
static void use_db(sl_sql *q, const char *dbname, const sl_sql_sink *sink)
{
	sl_buf u = SL_BUF_ZERO;
	int r;

	if (sl_buf_printf(&u, "USE `%s`", dbname) < 0)
		sl_die(SL_EXIT_TEMP, "out of memory");
	r = sl_sql_exec(q, u.p, u.len, sink);
	sl_buf_free(&u);
	if (r == 0) {
		fprintf(stderr, "%s: ERROR %d (%s): %s\n", sl_prog, q->code, q->state, q->err);
		exit(SL_EXIT_NO);
	}
}

/* Run the statements of src in turn; the first SQL error stops them
 * (exit status 1), a system failure dies. */
static int run(sl_sql *q, const sl_buf *src, int use_lines, const sl_sql_sink *sink)
{
	size_t off = 0, start = 0, len = 0;
	int r;

	while ((r = sl_sql_next(q, src->p, src->len, &off, &start, &len)) != 0) {
		int64_t t0 = sl_mono_ms();
		/* sl_sql_next's -1 is a lexical error (an SQL error); sl_sql_exec's is a system one. */
		r = r < 0 ? 0 : sl_sql_exec(q, src->p + start, len, sink);
		/* a load (INSERT): the mysql client's account of Doris's answer */
		if (r > 0 && q->info[0] && (sl_buf_printf(&out, "Query OK, %llu %s affected (%.2f sec)\n%s\n",
			(unsigned long long)q->affected, q->affected == 1 ? "row" : "rows",
			(double)(sl_mono_ms() - t0) / 1000.0, q->info) < 0 || maybe_flush() < 0))
			r = -1;
		if (r == 0) {
			if (flush_out() < 0)
				sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
			if (use_lines)
				fprintf(stderr, "%s: ERROR %d (%s) at line %zu: %s\n", sl_prog, q->code, q->state,
					line_of(src->p, start), q->err);
			else
				fprintf(stderr, "%s: ERROR %d (%s): %s\n", sl_prog, q->code, q->state, q->err);
			return SL_EXIT_NO;
		}
		if (r < 0) {
			int e = errno;
			if (out_failed) {
				errno = e;
				sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
			}
			flush_out();
			errno = e;
			sl_diesys(e == EPROTO ? SL_EXIT_USAGE : SL_EXIT_TEMP, "%s", q->err);
		}
	}
	return SL_EXIT_OK;
}

int main(int argc, char **argv)
{
	args a;
	sl_buf src = SL_BUF_ZERO;
	sl_store st;
	sl_sql q;
	tsv tv;
	table tb;
	sl_sql_sink sink;
	int status;

	sl_msg_init(argv[0]);
	memset(&a, 0, sizeof a);
	a.o = (sl_opts)SL_OPTS_ZERO;
	parse_args(&a, argc, argv);
	read_input(&a, &src);
	if (sl_store_open(&st, sl_data_dir(a.o.data_dir)) < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to open the data directory %s", sl_data_dir(a.o.data_dir));
	sl_sql_init(&q, &st);
	login(&a, &st, &q);
	sink = output_sink(&a, &tv, &tb);
	if (a.dbname)
		use_db(&q, a.dbname, &sink);
	status = run(&q, &src, !a.exec, &sink);
	if (flush_out() < 0)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	if (close(1) < 0 && errno != EINTR)
		sl_diesys(SL_EXIT_TEMP, "unable to write stdout");
	sl_sql_free(&q);
	sl_store_close(&st);
	sl_buf_free(&src);
	sl_buf_free(&out);
	sl_buf_free(&tv.tmp);
	return status;
}
