/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpstream.c -- the `sql` header of PUT /api/_http_stream turned into the
 * stage headers of an ordinary load (httpstream.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sl.h"
#include "io.h"
#include "hdr.h"
#include "loadopt.h"
#include "lex.h"
#include "expr.h"
#include "types.h"
#include "label.h"
#include "csvsplit.h"
#include "input.h"
#include "status.h"
#include "httpstream.h"

#define PARSE_ERR SL_E_INTERNAL_ERROR SL_TSTATUS "Nereids parse failed. "
#define FE_ERR SL_E_ANALYSIS_ERROR SL_TSTATUS

/* ---- parsing ---- */

static int push(char ***v, size_t *n, char *s)
{
	char **nv;

	if (!s)
		return -1;
	nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv) {
		free(s);
		return -1;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static char *lower_dup(const char *p, size_t n)
{
	char *s = strndup(p, n);
	size_t i;

	if (s)
		for (i = 0; i < n; i++)
			if (s[i] >= 'A' && s[i] <= 'Z')
				s[i] = (char)(s[i] - 'A' + 'a');
	return s;
}

/* "syntax error at position N near 'tok'" for the current token */
static int syntax(sl_lex *lx, char *msg, size_t cap)
{
	if (lx->tok.kind == SL_TOK_EOF)
		snprintf(msg, cap, PARSE_ERR "syntax error at position %zu: unexpected end of input", lx->len + 1);
	else
		snprintf(msg, cap, PARSE_ERR "syntax error at position %zu near '%.*s'", lx->tok.pos + 1,
			(int)(lx->tok.n > 64 ? 64 : lx->tok.n), lx->tok.p);
	return 0;
}

static int next(sl_lex *lx, char *msg, size_t cap)
{
	if (sl_lex_next(lx) < 0) {
		snprintf(msg, cap, PARSE_ERR "%s", lx->err);
		return 0;
	}
	return 1;
}

/* An identifier (bare or quoted) into *out. */
static int ident(sl_lex *lx, char **out, char *msg, size_t cap)
{
	if (lx->tok.kind == SL_TOK_IDENT)
		*out = strndup(lx->tok.p, lx->tok.n);
	else if (lx->tok.kind == SL_TOK_QIDENT)
		*out = strndup(lx->tok.str, lx->tok.strn);
	else
		return syntax(lx, msg, cap);
	if (!*out)
		return -1;
	if (!next(lx, msg, cap)) {
		/* a lexical error after it: the caller keeps nothing (fuzz-httpstream) */
		free(*out);
		*out = NULL;
		return 0;
	}
	return 1;
}

/* The text of the expression that starts at byte start and ends before
 * the current token. */
static char *expr_text(sl_lex *lx, size_t start)
{
	size_t end = lx->tok.kind == SL_TOK_EOF ? lx->len : lx->tok.pos;

	while (end > start && (lx->src[end - 1] == ' ' || lx->src[end - 1] == '\t' ||
	       lx->src[end - 1] == '\n' || lx->src[end - 1] == '\r'))
		end--;
	return strndup(lx->src + start, end - start);
}

static int expr(sl_lex *lx, char **text, char **bare, char *msg, size_t cap)
{
	char err[256];
	size_t start = lx->tok.pos, n;
	const char *name;
	sl_expr *e;

	if (lx->tok.kind == SL_TOK_EOF)
		return syntax(lx, msg, cap);
	e = sl_expr_parse_lex(lx, err, sizeof err);
	if (!e) {
		snprintf(msg, cap, PARSE_ERR "%s", err);
		return 0;
	}
	if (bare) {
		*bare = NULL;
		if ((name = sl_expr_colname(e, &n)) && !(*bare = strndup(name, n))) {
			sl_expr_free(e);
			return -1;
		}
	}
	sl_expr_free(e);
	if (!(*text = expr_text(lx, start)))
		return -1;
	return 1;
}

static int prop_value(sl_lex *lx, char **out, char *msg, size_t cap)
{
	if (lx->tok.kind == SL_TOK_STRING || lx->tok.kind == SL_TOK_QIDENT)
		*out = strndup(lx->tok.str, lx->tok.strn);
	else if (lx->tok.kind == SL_TOK_IDENT || lx->tok.kind == SL_TOK_INT || lx->tok.kind == SL_TOK_NUMBER)
		*out = strndup(lx->tok.p, lx->tok.n);
	else
		return syntax(lx, msg, cap);
	if (!*out)
		return -1;
	if (!next(lx, msg, cap)) {
		/* a lexical error after it: the caller keeps nothing (fuzz-httpstream) */
		free(*out);
		*out = NULL;
		return 0;
	}
	return 1;
}

#define STEP(x) do { if ((r = (x)) <= 0) return r; } while (0)
#define KW(k) do { if (!sl_lex_kw(lx, k)) return syntax(lx, msg, cap); STEP(next(lx, msg, cap)); } while (0)
#define OP(o) do { if (!sl_lex_op(lx, o)) return syntax(lx, msg, cap); STEP(next(lx, msg, cap)); } while (0)

/* An alias after a select item or the table function (ended by stop):
 * read and dropped. */
static int alias(sl_lex *lx, const char *stop, char *msg, size_t cap)
{
	char *a = NULL;
	int r;

	if (sl_lex_kw(lx, "as")) {
		STEP(next(lx, msg, cap));
		STEP(ident(lx, &a, msg, cap));
		free(a);
	} else if ((lx->tok.kind == SL_TOK_IDENT && !sl_lex_kw(lx, stop)) || lx->tok.kind == SL_TOK_QIDENT) {
		STEP(ident(lx, &a, msg, cap));
		free(a);
	}
	return 1;
}

/* INSERT INTO [db.]table [WITH LABEL l] [(cols)] */
static int parse_target(sl_lex *lx, hs_stmt *s, char *msg, size_t cap)
{
	char *a = NULL, *b = NULL;
	int r;

	KW("insert");
	KW("into");
	STEP(ident(lx, &a, msg, cap));
	s->table = a;           /* s owns it from here: hs_free frees it on any failure (fuzz-httpstream) */
	if (sl_lex_op(lx, ".")) {
		STEP(next(lx, msg, cap));
		STEP(ident(lx, &b, msg, cap));
		s->db = a;
		s->table = b;
	}
	if (sl_lex_kw(lx, "with")) {
		STEP(next(lx, msg, cap));
		KW("label");
		if (lx->tok.kind == SL_TOK_STRING) {
			if (!(s->label = strndup(lx->tok.str, lx->tok.strn)))
				return -1;
			STEP(next(lx, msg, cap));
		} else {
			STEP(ident(lx, &s->label, msg, cap));
		}
	}
	if (sl_lex_op(lx, "(")) {
		STEP(next(lx, msg, cap));
		for (;;) {
			STEP(ident(lx, &a, msg, cap));
			if (push(&s->cols, &s->ncols, a) < 0)
				return -1;
			if (sl_lex_op(lx, ")"))
				break;
			OP(",");
		}
		STEP(next(lx, msg, cap));
	}
	return 1;
}

/* SELECT item [[AS] alias], ... */
static int parse_select(sl_lex *lx, hs_stmt *s, char *msg, size_t cap)
{
	int r;

	KW("select");
	for (;;) {
		char *text = NULL, *bare = NULL;
		if (sl_lex_op(lx, "*")) {
			if (!(text = strdup("*")))
				return -1;
			if ((r = next(lx, msg, cap)) <= 0) {
				free(text);     /* fuzz-httpstream */
				return r;
			}
		} else {
			STEP(expr(lx, &text, &bare, msg, cap));
		}
		if (push(&s->sel, &s->nsel, text) < 0) {
			free(bare);
			return -1;
		}
		if (!(s->selname = realloc(s->selname, s->nsel * sizeof *s->selname))) {
			free(bare);
			return -1;
		}
		s->selname[s->nsel - 1] = bare;
		STEP(alias(lx, "from", msg, cap));
		if (!sl_lex_op(lx, ","))
			break;
		STEP(next(lx, msg, cap));
	}
	return 1;
}

/* FROM http_stream("k"="v", ...) [[AS] alias] */
static int parse_from(sl_lex *lx, hs_stmt *s, char *msg, size_t cap)
{
	int r;

	KW("from");
	KW("http_stream");
	OP("(");
	while (!sl_lex_op(lx, ")")) {
		char *k = NULL, *v = NULL;
		if (lx->tok.kind == SL_TOK_STRING || lx->tok.kind == SL_TOK_QIDENT)
			k = lower_dup(lx->tok.str, lx->tok.strn);
		else if (lx->tok.kind == SL_TOK_IDENT)
			k = lower_dup(lx->tok.p, lx->tok.n);
		else
			return syntax(lx, msg, cap);
		if (!k || push(&s->pk, &s->np, k) < 0)
			return -1;
		s->np--;        /* until its value is there */
		if ((r = next(lx, msg, cap)) <= 0 || !sl_lex_op(lx, "=")) {
			free(k);
			return r <= 0 ? r : syntax(lx, msg, cap);
		}
		if ((r = next(lx, msg, cap)) <= 0 || (r = prop_value(lx, &v, msg, cap)) <= 0) {
			free(k);
			return r;
		}
		{
			size_t n = s->np;
			if (push(&s->pv, &n, v) < 0) {
				free(k);
				return -1;
			}
			s->np++;
		}
		if (sl_lex_op(lx, ")"))
			break;
		OP(",");
	}
	STEP(next(lx, msg, cap));
	return alias(lx, "where", msg, cap);
}

static int parse(sl_lex *lx, hs_stmt *s, char *msg, size_t cap)
{
	int r;

	STEP(next(lx, msg, cap));
	STEP(parse_target(lx, s, msg, cap));
	STEP(parse_select(lx, s, msg, cap));
	STEP(parse_from(lx, s, msg, cap));
	if (sl_lex_kw(lx, "where")) {
		STEP(next(lx, msg, cap));
		STEP(expr(lx, &s->where, NULL, msg, cap));
	}
	if (sl_lex_op(lx, ";"))
		STEP(next(lx, msg, cap));
	if (lx->tok.kind != SL_TOK_EOF)
		return syntax(lx, msg, cap);
	return 1;
}
#undef STEP
#undef KW
#undef OP

int hs_parse(const char *sql, hs_stmt *s, char *msg, size_t cap)
{
	sl_lex lx;
	const char *f;
	int r;

	memset(s, 0, sizeof *s);
	if (!sql)
		sql = "";
	/* as sl-sql: the parse is linear in the length, so the length bounds it */
	if (strlen(sql) > SL_LEX_STMT_MAX) {
		snprintf(msg, cap, PARSE_ERR "Statement is too long: more than %d bytes", SL_LEX_STMT_MAX);
		return 0;
	}
	sl_lex_init(&lx, sql, strlen(sql));
	r = parse(&lx, s, msg, cap);
	sl_lex_free(&lx);
	if (r <= 0)
		return r;
	if (!s->db) {
		snprintf(msg, cap, FE_ERR "No database selected");
		return 0;
	}
	f = hs_prop(s, "format");
	if (!(s->format = lower_dup(f ? f : "", f ? strlen(f) : 0)))
		return -1;
	if (!strcmp(s->format, "avro")) {
		snprintf(msg, cap, FE_ERR "http_stream does not yet support avro");
		return 0;
	}
	/* the columnar files name their columns, as JSON keys do: the
	 * select's references are the sources (hs_refs) */
	if (strcmp(s->format, "csv") && strcmp(s->format, "csv_with_names") &&
	    strcmp(s->format, "csv_with_names_and_types") && strcmp(s->format, "json") &&
	    strcmp(s->format, "parquet") && strcmp(s->format, "orc") && strcmp(s->format, "arrow")) {
		snprintf(msg, cap, FE_ERR "format:%.200s is not supported.", f ? f : "");
		return 0;
	}
	return 1;
}

static void freev(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void hs_names_free(char **names, size_t n)
{
	freev(names, n);
}

void hs_free(hs_stmt *s)
{
	size_t i;

	free(s->db);
	free(s->table);
	free(s->label);
	freev(s->cols, s->ncols);
	if (s->selname)
		for (i = 0; i < s->nsel; i++)
			free(s->selname[i]);
	free(s->selname);
	freev(s->sel, s->nsel);
	free(s->where);
	freev(s->pk, s->np);
	freev(s->pv, s->np);
	free(s->format);
	memset(s, 0, sizeof *s);
}

const char *hs_prop(const hs_stmt *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->np; i++)
		if (!strcasecmp(s->pk[i], key))
			return s->pv[i];
	return NULL;
}

int hs_is_csv(const hs_stmt *s)
{
	return s->format && !strncmp(s->format, "csv", 3);
}

/* ---- source names ---- */

/* c1..cn */
static int cnames(size_t n, char ***names, size_t *nnames)
{
	size_t i;
	char *x;

	*names = NULL;
	*nnames = 0;
	for (i = 1; i <= n; i++) {
		if (asprintf(&x, "c%zu", i) < 0)
			x = NULL;
		if (push(names, nnames, x) < 0) {
			freev(*names, *nnames);
			*names = NULL;
			*nnames = 0;
			return -1;
		}
	}
	return 1;
}

/* Referenced names of one expression: bind it over the names found so far
 * and add the one bind says is unknown, until it binds. */
static int refs_of(const char *text, char ***names, size_t *n, char *msg, size_t cap)
{
	char err[512];
	sl_expr *e;
	sl_type *types = NULL;
	int guard, ret = 1;

	if (!strcmp(text, "*"))
		return 1;
	if (!(e = sl_expr_parse(text, strlen(text), err, sizeof err))) {
		snprintf(msg, cap, PARSE_ERR "%s", err);
		return 0;
	}
	for (guard = 0; guard < 4096; guard++) {
		sl_expr_scope sc;
		size_t i;
		const char *q, *q2;
		sl_type *nt = realloc(types, (*n + 1) * sizeof *types);

		if (!nt) {
			ret = -1;
			break;
		}
		types = nt;
		for (i = 0; i < *n; i++) {
			memset(&types[i], 0, sizeof types[i]);
			types[i].kind = SL_T_STRING;
		}
		memset(&sc, 0, sizeof sc);
		sc.ncols = *n;
		sc.names = (const char *const *)*names;
		sc.types = types;
		if (sl_expr_bind(e, &sc, err, sizeof err))
			break;
		if (strncmp(err, "Unknown column '", 16) || !(q = err + 16) || !(q2 = strchr(q, '\'')))
			break;  /* another error: sl-map reports it */
		if (push(names, n, strndup(q, (size_t)(q2 - q))) < 0) {
			ret = -1;
			break;
		}
	}
	free(types);
	sl_expr_free(e);
	return ret;
}

int hs_refs(const hs_stmt *s, char ***names, size_t *nnames, char *msg, size_t cap)
{
	char **v = NULL;
	size_t n = 0, i, k = 0;
	int r;

	*names = NULL;
	*nnames = 0;
	for (i = 0; i < s->nsel; i++)
		if ((r = refs_of(s->sel[i], &v, &n, msg, cap)) <= 0) {
			freev(v, n);
			return r;
		}
	/* the WHERE reads the source columns too */
	if (s->where && (r = refs_of(s->where, &v, &n, msg, cap)) <= 0) {
		freev(v, n);
		return r;
	}
	if (!hs_is_csv(s)) {
		*names = v;
		*nnames = n;
		return 1;
	}
	for (i = 0; i < n; i++) {
		const char *p = v[i];
		if ((*p == 'c' || *p == 'C') && p[1] >= '1' && p[1] <= '9' && strspn(p + 1, "0123456789") == strlen(p + 1)) {
			size_t x = strtoul(p + 1, NULL, 10);
			if (x > k && x < 100000)
				k = x;
		}
	}
	freev(v, n);
	return cnames(k ? k : 1, names, nnames);
}

/* hs_refs when the body names nothing: 1 or -1 ENOMEM (a bad
 * expression is sl-map's to report). */
static int refs_only(const hs_stmt *s, char ***names, size_t *nnames)
{
	char msg[256];

	return hs_refs(s, names, nnames, msg, sizeof msg) < 0 ? -1 : 1;
}

/* The load options of the properties csv_format reads (as headers). */
static const int csv_opts[] = { SL_LO_COLUMN_SEPARATOR, SL_LO_LINE_DELIMITER, SL_LO_ENCLOSE,
	SL_LO_ESCAPE, SL_LO_TRIM_DOUBLE_QUOTES };

/* The properties as load headers, read by the load options' parser as
 * sl-parse reads them: 1, -1 ENOMEM. */
static int csv_opts_parse(const hs_stmt *s, sl_hdrs *h, sl_loadopts *lo)
{
	char msg[512];
	size_t i;

	memset(lo, 0, sizeof *lo);
	for (i = 0; i < SL_ARRAY_LEN(csv_opts); i++) {
		const char *name = sl_loadopt_table[csv_opts[i]].name, *v = hs_prop(s, name);
		if (v && sl_hdrs_set(h, name, v) < 0)
			return -1;
	}
	return sl_loadopt_parse(lo, h, SL_LO_PARSE, msg, sizeof msg) < 0 ? -1 : 1;
}

/* The body's csv format from the properties, as sl-parse reads the same
 * headers (sep and delim hold the separators' bytes). 0: a bad separator,
 * which sl-parse reports; -1 ENOMEM. */
static int csv_format(const hs_stmt *s, sl_csvfmt *f, sl_buf *sep, sl_buf *delim, int *trim_dq)
{
	const sl_loadopt_val *v;
	sl_hdrs h = SL_HDRS_ZERO;
	sl_loadopts lo;
	const char *sk;
	int r;

	memset(f, 0, sizeof *f);
	if ((r = csv_opts_parse(s, &h, &lo)) < 0)
		goto out;
	v = lo.v;
	r = v[SL_LO_COLUMN_SEPARATOR].state >= 0 && v[SL_LO_LINE_DELIMITER].state >= 0;
	if (r <= 0)
		goto out;
	if (sl_buf_put(sep, v[SL_LO_COLUMN_SEPARATOR].bytes.p, v[SL_LO_COLUMN_SEPARATOR].bytes.len) < 0 ||
	    sl_buf_put(delim, v[SL_LO_LINE_DELIMITER].bytes.p, v[SL_LO_LINE_DELIMITER].bytes.len) < 0) {
		r = -1;
		goto out;
	}
	f->sep = sep->p;
	f->slen = sep->len;
	f->delim = delim->p;
	f->dlen = delim->len;
	f->enclose = v[SL_LO_ENCLOSE].state > 0 ? (int)v[SL_LO_ENCLOSE].i : -1;
	f->escape = v[SL_LO_ESCAPE].state > 0 ? (int)v[SL_LO_ESCAPE].i : -1;
	*trim_dq = (int)v[SL_LO_TRIM_DOUBLE_QUOTES].i;
	f->flags = *trim_dq ? SL_CSVQ_COLLAPSE : 0;
	/* as given: a value sl-parse refuses fails the load there */
	sk = hs_prop(s, "skip_lines");
	if (!strcmp(s->format, "csv") && sk)     /* csv_with_names* ignore it */
		f->skip = strtoul(sk, NULL, 10);
out:
	sl_loadopt_free(&lo);
	sl_hdrs_free(&h);
	return r;
}

/* The header record's fields (NUL-separated in rec) as names;
 * trim_double_quotes strips one pair of quotes, as sl-parse does. */
static int header_names(const sl_buf *rec, size_t nf, int trim_dq, char ***names, size_t *nnames)
{
	const char *p = rec->p;
	size_t i;

	for (i = 0; i < nf; i++) {
		size_t l = strlen(p);
		const char *q = p;
		if (trim_dq && l >= 2 && q[0] == '"' && q[l - 1] == '"')
			q++, l -= 2;
		if (push(names, nnames, strndup(q, l)) < 0) {
			freev(*names, *nnames);
			*names = NULL;
			*nnames = 0;
			return -1;
		}
		p += strlen(p) + 1;
	}
	return 1;
}

static int peek_plain(const hs_stmt *s, const char *buf, size_t n, int eof, char ***names, size_t *nnames)
{
	sl_buf sep = SL_BUF_ZERO, delim = SL_BUF_ZERO, rec = SL_BUF_ZERO;
	sl_csvfmt f;
	size_t nf;
	int trim_dq, r;

	*names = NULL;
	*nnames = 0;
	if ((r = csv_format(s, &f, &sep, &delim, &trim_dq)) < 0)
		;
	else if (r == 0)
		r = refs_only(s, names, nnames);
	else if ((r = sl_csv_first(buf, n, eof, &f, &rec, &nf)) == 0 && eof)
		r = refs_only(s, names, nnames);        /* no record at all */
	else if (r > 0 && !strcmp(s->format, "csv"))
		r = cnames(nf, names, nnames);
	else if (r > 0)
		r = header_names(&rec, nf, trim_dq, names, nnames);
	sl_buf_free(&sep);
	sl_buf_free(&delim);
	sl_buf_free(&rec);
	return r;
}

/* The decompressed start of a compressed body: at most this much is
 * decompressed to find the first record. */
#define HS_PEEK_DEC_MAX ((size_t)1 << 20)

int hs_peek(const hs_stmt *s, const char *buf, size_t n, int eof, char ***names, size_t *nnames)
{
	const char *ct = hs_prop(s, "compress_type"), *err = NULL;
	sl_buf dec = SL_BUF_ZERO;
	int deof, r;

	if (!ct || !*ct)
		return peek_plain(s, buf, n, eof, names, nnames);
	*names = NULL;
	*nnames = 0;
	/* decompressed again from the start on each call: the start of the
	 * body only grows, and both sides are capped */
	if (sl_input_peek(buf, n, eof, ct, HS_PEEK_DEC_MAX, &dec, &deof, &err) < 0) {
		sl_buf_free(&dec);
		if (errno == ENOMEM)
			return -1;
		/* an unknown compress_type: sl-parse refuses it */
		return refs_only(s, names, nnames);
	}
	r = peek_plain(s, dec.p ? dec.p : "", dec.len, deof, names, nnames);
	sl_buf_free(&dec);
	return r;
}

/* ---- the stage headers ---- */

static const char *const props[] = { "format", "column_separator", "line_delimiter", "skip_lines",
	"compress_type", "enclose", "escape", "trim_double_quotes", "strip_outer_array", "read_json_by_line",
	"jsonpaths", "json_root", "fuzzy_parse", "num_as_string", "empty_field_as_null" };
/* the load options of the request that go to the stages as given */
static const int kept[] = { SL_LO_TWO_PHASE_COMMIT, SL_LO_TIMEOUT, SL_LO_COMMENT };

static int is_src(char *const *src, size_t nsrc, const char *name)
{
	size_t i;

	for (i = 0; i < nsrc; i++)
		if (!strcasecmp(src[i], name))
			return 1;
	return 0;
}

int hs_headers(const hs_stmt *s, const sl_hdrs *req, char *const *src, size_t nsrc,
	char *const *tcols, size_t ntcols, sl_hdrs *out, char *msg, size_t cap)
{
	char *const *tg = s->ncols ? s->cols : tcols;
	size_t ntg = s->ncols ? s->ncols : ntcols, i, j, k, nitems = 0;
	sl_buf cols = SL_BUF_ZERO;
	const char *v;
	int ret = -1;

	for (i = 0; i < SL_ARRAY_LEN(kept); i++) {
		const char *name = sl_loadopt_table[kept[i]].name;
		if ((v = sl_hdrs_get(req, name)) && !sl_hdrs_get(out, name) && sl_hdrs_set(out, name, v) < 0)
			return -1;
	}
	for (i = 0; i < SL_ARRAY_LEN(props); i++)
		if ((v = !strcmp(props[i], "format") ? s->format : hs_prop(s, props[i])) &&
		    sl_hdrs_set(out, props[i], v) < 0)
			return -1;
	if (sl_hdrs_set(out, "strict_mode", "false") < 0 || sl_hdrs_set(out, "max_filter_ratio", "0") < 0)
		return -1;
	if (hs_is_csv(s)) {
		/* a query's semantics, not a load's: short records are padded
		 * with NULL, long ones cut (sl-parse) */
		char nb[32];
		snprintf(nb, sizeof nb, "%zu", nsrc);
		if (sl_hdrs_set(out, HS_FIT_HEADER, nb) < 0)
			return -1;
	}
	for (i = 0; i < nsrc; i++)
		if ((i && sl_buf_putc(&cols, ',') < 0) || sl_buf_puts(&cols, src[i]) < 0)
			goto out;
	for (i = 0; i < s->nsel; i++)
		nitems += strcmp(s->sel[i], "*") ? 1 : nsrc;
	if (nitems != ntg) {
		snprintf(msg, cap, FE_ERR "insert into cols should be corresponding to the query output");
		ret = 0;
		goto out;
	}
	for (i = 0, k = 0; i < s->nsel; i++) {
		size_t m = strcmp(s->sel[i], "*") ? 1 : nsrc;
		for (j = 0; j < m; j++, k++) {
			const char *e = m == 1 && strcmp(s->sel[i], "*") ? s->sel[i] : src[j];
			const char *bare = m == 1 && strcmp(s->sel[i], "*") ? s->selname[i] : src[j];
			/* a source of the target's own name maps by name */
			if (bare && !strcasecmp(bare, tg[k]) && is_src(src, nsrc, bare))
				continue;
			if (is_src(src, nsrc, tg[k])) {
				snprintf(msg, cap, FE_ERR "Duplicate column: %s (a target column of the same name as "
					"a source column must be selected as itself)", tg[k]);
				ret = 0;
				goto out;
			}
			if ((cols.len && sl_buf_putc(&cols, ',') < 0) || sl_buf_printf(&cols, "%s=%s", tg[k], e) < 0)
				goto out;
		}
	}
	if (sl_buf_cstr(&cols) < 0 || sl_hdrs_set(out, "columns", cols.p) < 0)
		goto out;
	if (s->where && sl_hdrs_set(out, SL_PRECEDING_FILTER, s->where) < 0)
		goto out;
	if (s->label) {
		if (sl_hdrs_set(out, "label", s->label) < 0)
			goto out;
	} else {
		char uuid[37], l[64], *d = l + 6;
		if (sl_label_uuid(uuid) < 0)
			goto out;
		memcpy(l, "label_", 6);
		for (i = 0; uuid[i]; i++) {
			if (uuid[i] == '-')
				continue;
			*d++ = uuid[i];
			if (d == l + 6 + 16)
				*d++ = '_';
		}
		*d = 0;
		if (sl_hdrs_set(out, "label", l) < 0)
			goto out;
	}
	ret = 1;
out:
	sl_buf_free(&cols);
	return ret;
}
