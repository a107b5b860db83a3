/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lex.c -- the SQL tokenizer behind expressions and sl-sql statements.
 *
 * MySQL/Doris lexical rules: identifiers (letters, digits, '_', '$' and any
 * byte >= 0x80, not starting with a digit unless letters follow),
 * `backquoted` identifiers with `` for a literal backquote, strings in
 * single or double quotes with backslash escapes and doubled quotes,
 * integers, decimals and exponent numbers, comments (-- , #, and C style),
 * and the multi-character operators <=> <= >= <> != || && ==.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

void sl_lex_init(sl_lex *lx, const char *src, size_t len)
{
	memset(lx, 0, sizeof *lx);
	lx->src = src;
	lx->len = len;
}

void sl_lex_free(sl_lex *lx)
{
	free(lx->sbuf);
	lx->sbuf = NULL;
	lx->scap = 0;
}

static int is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int sbuf_put(sl_lex *lx, size_t at, char c)
{
	if (at + 1 >= lx->scap) {
		size_t nc = lx->scap ? lx->scap * 2 : 64;
		char *p = realloc(lx->sbuf, nc);
		if (!p) return -1;
		lx->sbuf = p;
		lx->scap = nc;
	}
	lx->sbuf[at] = c;
	return 0;
}

static int lex_error(sl_lex *lx, size_t pos, const char *what)
{
	snprintf(lx->err, sizeof lx->err, "%s at position %zu", what, pos + 1);
	return -1;
}

/* Skip spaces and comments. -1 on an unterminated comment. */
static int skip_ws(sl_lex *lx)
{
	const char *s = lx->src;
	for (;;) {
		while (lx->pos < lx->len && (s[lx->pos] == ' ' || s[lx->pos] == '\t' || s[lx->pos] == '\n'
		    || s[lx->pos] == '\r' || s[lx->pos] == '\f' || s[lx->pos] == '\v'))
			lx->pos++;
		if (lx->pos >= lx->len) return 0;
		if (s[lx->pos] == '#' || (s[lx->pos] == '-' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '-'
		    && (lx->pos + 2 >= lx->len || s[lx->pos + 2] == ' ' || s[lx->pos + 2] == '\t'
		        || s[lx->pos + 2] == '\n' || s[lx->pos + 2] == '\r'))) {
			while (lx->pos < lx->len && s[lx->pos] != '\n') lx->pos++;
			continue;
		}
		if (s[lx->pos] == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '*') {
			size_t start = lx->pos;
			lx->pos += 2;
			while (lx->pos + 1 < lx->len && !(s[lx->pos] == '*' && s[lx->pos + 1] == '/')) lx->pos++;
			if (lx->pos + 1 >= lx->len) return lex_error(lx, start, "unterminated comment");
			lx->pos += 2;
			continue;
		}
		return 0;
	}
}

static int lex_string(sl_lex *lx)
{
	const char *s = lx->src;
	char q = s[lx->pos];
	size_t start = lx->pos, o = 0;
	lx->pos++;
	for (;;) {
		char c;
		if (lx->pos >= lx->len) return lex_error(lx, start, "unterminated string");
		c = s[lx->pos];
		if (c == q) {
			if (lx->pos + 1 < lx->len && s[lx->pos + 1] == q) {  /* doubled quote */
				if (sbuf_put(lx, o++, q) < 0) goto nomem;
				lx->pos += 2;
				continue;
			}
			lx->pos++;
			break;
		}
		if (c == '\\' && lx->pos + 1 < lx->len) {
			char e = s[lx->pos + 1], r;
			switch (e) {
			case 'n': r = '\n'; break;
			case 't': r = '\t'; break;
			case 'r': r = '\r'; break;
			case '0': r = '\0'; break;
			case 'b': r = '\b'; break;
			case 'Z': r = 26; break;
			case '%': case '_':
				/* kept with the backslash, for LIKE patterns (as MySQL) */
				if (sbuf_put(lx, o++, '\\') < 0) goto nomem;
				r = e;
				break;
			default: r = e; break;
			}
			if (sbuf_put(lx, o++, r) < 0) goto nomem;
			lx->pos += 2;
			continue;
		}
		if (sbuf_put(lx, o++, c) < 0) goto nomem;
		lx->pos++;
	}
	if (sbuf_put(lx, o, 0) < 0) goto nomem;
	lx->tok.kind = SL_TOK_STRING;
	lx->tok.str = lx->sbuf;
	lx->tok.strn = o;
	return 1;
nomem:
	snprintf(lx->err, sizeof lx->err, "out of memory");
	errno = ENOMEM;
	return -1;
}

static int lex_qident(sl_lex *lx)
{
	const char *s = lx->src;
	size_t start = lx->pos, o = 0;
	lx->pos++;
	for (;;) {
		if (lx->pos >= lx->len) return lex_error(lx, start, "unterminated quoted identifier");
		if (s[lx->pos] == '`') {
			if (lx->pos + 1 < lx->len && s[lx->pos + 1] == '`') {
				if (sbuf_put(lx, o++, '`') < 0) goto nomem;
				lx->pos += 2;
				continue;
			}
			lx->pos++;
			break;
		}
		if (sbuf_put(lx, o++, s[lx->pos]) < 0) goto nomem;
		lx->pos++;
	}
	if (sbuf_put(lx, o, 0) < 0) goto nomem;
	lx->tok.kind = SL_TOK_QIDENT;
	lx->tok.str = lx->sbuf;
	lx->tok.strn = o;
	return 1;
nomem:
	snprintf(lx->err, sizeof lx->err, "out of memory");
	errno = ENOMEM;
	return -1;
}

static const char *const ops3[] = { "<=>" };
static const char *const ops2[] = { "<=", ">=", "<>", "!=", "||", "&&", "==", "<<", ">>", ":=" };
static const char ops1[] = "(),;.*+-/%=<>!~&|^[]{}:?@";

int sl_lex_next(sl_lex *lx)
{
	const char *s = lx->src;
	size_t i;
	unsigned char c;

	lx->err[0] = 0;
	if (skip_ws(lx) < 0) return -1;
	lx->tok.pos = lx->pos;
	lx->tok.p = s + lx->pos;
	lx->tok.str = NULL;
	lx->tok.strn = 0;
	if (lx->pos >= lx->len) {
		lx->tok.kind = SL_TOK_EOF;
		lx->tok.n = 0;
		return 1;
	}
	c = (unsigned char)s[lx->pos];
	if (c == '\'' || c == '"') {
		int r = lex_string(lx);
		lx->tok.n = lx->pos - lx->tok.pos;
		return r;
	}
	if (c == '`') {
		int r = lex_qident(lx);
		lx->tok.n = lx->pos - lx->tok.pos;
		return r;
	}
	if (is_digit(c) || (c == '.' && lx->pos + 1 < lx->len && is_digit((unsigned char)s[lx->pos + 1]))) {
		size_t j = lx->pos;
		int kind = SL_TOK_INT;
		while (j < lx->len && is_digit((unsigned char)s[j])) j++;
		/* 1abc is an identifier in MySQL; treat digits followed by letters so */
		if (j < lx->len && is_ident_start((unsigned char)s[j]) && s[j] != 'e' && s[j] != 'E') {
			while (j < lx->len && is_ident_char((unsigned char)s[j])) j++;
			lx->tok.kind = SL_TOK_IDENT;
			lx->tok.n = j - lx->pos;
			lx->pos = j;
			return 1;
		}
		if (j < lx->len && s[j] == '.') {
			kind = SL_TOK_NUMBER;
			j++;
			while (j < lx->len && is_digit((unsigned char)s[j])) j++;
		}
		if (j < lx->len && (s[j] == 'e' || s[j] == 'E')) {
			size_t k = j + 1;
			if (k < lx->len && (s[k] == '+' || s[k] == '-')) k++;
			if (k < lx->len && is_digit((unsigned char)s[k])) {
				while (k < lx->len && is_digit((unsigned char)s[k])) k++;
				j = k;
				kind = SL_TOK_NUMBER;
			} else if (kind == SL_TOK_INT) {
				/* 1e / 1ex: an identifier */
				while (j < lx->len && is_ident_char((unsigned char)s[j])) j++;
				lx->tok.kind = SL_TOK_IDENT;
				lx->tok.n = j - lx->pos;
				lx->pos = j;
				return 1;
			}
		}
		lx->tok.kind = kind;
		lx->tok.n = j - lx->pos;
		lx->pos = j;
		return 1;
	}
	if (is_ident_start(c)) {
		size_t j = lx->pos;
		while (j < lx->len && is_ident_char((unsigned char)s[j])) j++;
		lx->tok.kind = SL_TOK_IDENT;
		lx->tok.n = j - lx->pos;
		lx->pos = j;
		return 1;
	}
	for (i = 0; i < sizeof ops3 / sizeof ops3[0]; i++)
		if (lx->pos + 3 <= lx->len && !memcmp(s + lx->pos, ops3[i], 3)) {
			lx->tok.kind = SL_TOK_OP; lx->tok.n = 3; lx->pos += 3; return 1;
		}
	for (i = 0; i < sizeof ops2 / sizeof ops2[0]; i++)
		if (lx->pos + 2 <= lx->len && !memcmp(s + lx->pos, ops2[i], 2)) {
			lx->tok.kind = SL_TOK_OP; lx->tok.n = 2; lx->pos += 2; return 1;
		}
	if (c && strchr(ops1, c)) {
		lx->tok.kind = SL_TOK_OP; lx->tok.n = 1; lx->pos += 1; return 1;
	}
	if (c >= 0x20 && c < 0x7f)
		snprintf(lx->err, sizeof lx->err, "unexpected character '%c' at position %zu", c, lx->pos + 1);
	else
		snprintf(lx->err, sizeof lx->err, "unexpected byte 0x%02x at position %zu", c, lx->pos + 1);
	return -1;
}

int sl_lex_kw(const sl_lex *lx, const char *kw)
{
	size_t i, n = strlen(kw);
	if (lx->tok.kind != SL_TOK_IDENT || lx->tok.n != n) return 0;
	for (i = 0; i < n; i++) {
		char a = lx->tok.p[i], b = kw[i];
		if (a >= 'A' && a <= 'Z') a += 32;
		if (b >= 'A' && b <= 'Z') b += 32;
		if (a != b) return 0;
	}
	return 1;
}

int sl_lex_op(const sl_lex *lx, const char *op)
{
	size_t n = strlen(op);
	return lx->tok.kind == SL_TOK_OP && lx->tok.n == n && !memcmp(lx->tok.p, op, n);
}

sl_lex_mark sl_lex_save(const sl_lex *lx)
{
	sl_lex_mark m;
	m.pos = lx->pos;
	m.tok = lx->tok;
	return m;
}

void sl_lex_restore(sl_lex *lx, sl_lex_mark m)
{
	/* tok.str points into the shared sbuf, which later tokens may have
	 * overwritten: re-lex the saved token from its start. */
	if (m.tok.kind == SL_TOK_STRING || m.tok.kind == SL_TOK_QIDENT) {
		lx->pos = m.tok.pos;
		if (sl_lex_next(lx) == 1) return;
	}
	lx->pos = m.pos;
	lx->tok = m.tok;
}
