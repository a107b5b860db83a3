/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lex.h -- the SQL tokenizer shared by expressions (columns, where) and
 * sl-sql statements. Positions are byte offsets into the source, reported
 * 1-based in messages ("... at position 17").
 */
#ifndef SL_LEX_H
#define SL_LEX_H

#include <stddef.h>

/* The longest statement accepted (sl-sql scripts, the query route, the
 * http_stream `sql` header): one statement is parsed into memory linear in
 * its length, so its length bounds that memory. */
#define SL_LEX_STMT_MAX (1024 * 1024)

enum sl_tokkind {
	SL_TOK_EOF = 0,
	SL_TOK_IDENT,           /* bare identifier or keyword (case kept) */
	SL_TOK_QIDENT,          /* `quoted identifier` (text unquoted in str) */
	SL_TOK_STRING,          /* 'x' or "x" (unescaped text in str/strn) */
	SL_TOK_INT,             /* 123 */
	SL_TOK_NUMBER,          /* 1.5, 1e3, .5 */
	SL_TOK_OP               /* punctuation/operators: ( ) , ; . * + - / % = != <> < <= > >= <=> || && ! ~ & | ^ */
};

typedef struct sl_tok {
	int kind;
	const char *p; size_t n;        /* the raw token text */
	size_t pos;                     /* byte offset of the token */
	char *str; size_t strn;         /* unescaped value of STRING/QIDENT (owned by the lexer,
	                                 * NUL-terminated, valid until the next sl_lex_next) */
} sl_tok;

typedef struct sl_lex {
	const char *src; size_t len, pos;
	sl_tok tok;                     /* current token */
	char err[256];                  /* message of the last error */
	char *sbuf; size_t scap;        /* storage for tok.str */
} sl_lex;

void sl_lex_init(sl_lex *lx, const char *src, size_t len);
void sl_lex_free(sl_lex *lx);
/* Advance to the next token. 1 ok (tok may be EOF), -1 lexical error
 * (unterminated string, bad character; lx->err set). */
int sl_lex_next(sl_lex *lx);
/* Current token is the identifier kw (case-insensitive)? */
int sl_lex_kw(const sl_lex *lx, const char *kw);
/* Current token is the operator op? */
int sl_lex_op(const sl_lex *lx, const char *op);
/* Save/restore for backtracking (restoring a STRING/QIDENT token re-lexes it,
 * so its str is valid again). Errors are "... at position N" (1-based). */
typedef struct sl_lex_mark { size_t pos; sl_tok tok; } sl_lex_mark;
sl_lex_mark sl_lex_save(const sl_lex *lx);
void sl_lex_restore(sl_lex *lx, sl_lex_mark m);

#endif
