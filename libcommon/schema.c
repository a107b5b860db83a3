/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.c -- Doris CREATE TABLE: a recursive-descent parser over the shared
 * SQL lexer (lex.h) into struct sl_schema, the canonical SHOW CREATE TABLE
 * rendering the store keeps as schema.sql, and loading a table's schema
 * from the store.
 *
 * Grammar accepted (the subset of Doris 2.x the store holds today):
 *   CREATE TABLE [IF NOT EXISTS] [db.]name (
 *     col type [agg] [NULL | NOT NULL] [DEFAULT lit|NULL|CURRENT_TIMESTAMP]
 *         [COMMENT 'c'], ...
 *   ) [ENGINE = OLAP]
 *   [DUPLICATE | UNIQUE | AGGREGATE KEY (cols)] [COMMENT 'c']
 *   [PARTITION BY ...] [DISTRIBUTED BY HASH (cols) | RANDOM [BUCKETS n|AUTO]]
 *   [PROPERTIES ("k" = "v", ...)] [;]
 * The table clauses may come in any order, each once. PARTITION BY
 * (partition.c parses it) keeps its scheme and its clauses as written. The model's rules are checked with Doris's
 * messages (key columns an ordered prefix, aggregates only on AGGREGATE
 * value columns, the sequence properties only on UNIQUE tables), and a
 * UNIQUE table gets its hidden columns appended (schema.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sl.h"
#include "io.h"
#include "lex.h"
#include "types.h"
#include "cast.h"
#include "schema.h"
#include "store.h"

typedef struct parser {
	sl_lex lx;
	char *err;
	size_t errcap;
	int failed;
	sl_partby pb;           /* PARTITION BY as written, resolved by check_part */
} parser;

__attribute__((format(printf, 2, 3)))
static int fail(parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return 0;
	ps->failed = 1;
	if (ps->errcap) {
		va_start(ap, fmt);
		vsnprintf(ps->err, ps->errcap, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static size_t tokpos(const parser *ps) { return ps->lx.tok.pos + 1; }

/* "syntax error at position N near 'tok'" (or "... at end of input"). */
static int syntax(parser *ps, const char *what)
{
	const sl_tok *t = &ps->lx.tok;

	if (t->kind == SL_TOK_EOF)
		return fail(ps, "syntax error at end of input: %s", what);
	return fail(ps, "syntax error at position %zu near '%.*s': %s", tokpos(ps),
		(int)(t->n > 40 ? 40 : t->n), t->p, what);
}

static int next(parser *ps)
{
	if (sl_lex_next(&ps->lx) < 0)
		return fail(ps, "%s", ps->lx.err);
	return 1;
}

static int is_kw(parser *ps, const char *kw) { return sl_lex_kw(&ps->lx, kw); }
static int is_op(parser *ps, const char *op) { return sl_lex_op(&ps->lx, op); }

static int expect_kw(parser *ps, const char *kw)
{
	char what[64];

	if (is_kw(ps, kw))
		return next(ps);
	snprintf(what, sizeof what, "expected %s", kw);
	return syntax(ps, what);
}

static int expect_op(parser *ps, const char *op)
{
	char what[64];

	if (is_op(ps, op))
		return next(ps);
	snprintf(what, sizeof what, "expected '%s'", op);
	return syntax(ps, what);
}

/* Copy the current identifier (bare or `quoted`) into a new string. */
static char *ident(parser *ps, const char *what)
{
	const sl_tok *t = &ps->lx.tok;
	char *s;

	if (t->kind == SL_TOK_IDENT)
		s = strndup(t->p, t->n);
	else if (t->kind == SL_TOK_QIDENT)
		s = strndup(t->str ? t->str : "", t->strn);
	else {
		syntax(ps, what);
		return 0;
	}
	if (!s) {
		fail(ps, "out of memory");
		return 0;
	}
	if (!*s) {
		free(s);
		fail(ps, "empty identifier at position %zu", tokpos(ps));
		return 0;
	}
	if (!next(ps)) {
		free(s);
		return 0;
	}
	return s;
}

/* Copy the current string literal. */
static char *string_lit(parser *ps, const char *what)
{
	const sl_tok *t = &ps->lx.tok;
	char *s;

	if (t->kind != SL_TOK_STRING) {
		syntax(ps, what);
		return 0;
	}
	s = malloc(t->strn + 1);
	if (!s) {
		fail(ps, "out of memory");
		return 0;
	}
	if (t->strn)
		memcpy(s, t->str, t->strn);
	s[t->strn] = 0;
	if (!next(ps)) {
		free(s);
		return 0;
	}
	return s;
}

static int strv_push(char ***v, size_t *n, char *s)
{
	char **p = realloc(*v, (*n + 1) * sizeof *p);

	if (!p) {
		free(s);
		return -1;
	}
	p[(*n)++] = s;
	*v = p;
	return 1;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ( ident, ... ) */
static int ident_list(parser *ps, char ***v, size_t *n, const char *what)
{
	if (!expect_op(ps, "("))
		return 0;
	for (;;) {
		char *s = ident(ps, what);
		if (!s)
			return 0;
		if (strv_push(v, n, s) < 0)
			return fail(ps, "out of memory");
		if (is_op(ps, ","))  {
			if (!next(ps))
				return 0;
			continue;
		}
		return expect_op(ps, ")");
	}
}

/* Skip a balanced ( ... ) group starting at the current '('. */
static int skip_parens(parser *ps)
{
	int depth = 0;

	do {
		if (ps->lx.tok.kind == SL_TOK_EOF)
			return syntax(ps, "unbalanced parentheses");
		if (is_op(ps, "("))
			depth++;
		else if (is_op(ps, ")"))
			depth--;
		if (!next(ps))
			return 0;
	} while (depth > 0);
	return 1;
}

static const char *const agg_names[] = {
	"", "SUM", "MAX", "MIN", "REPLACE", "REPLACE_IF_NOT_NULL", "BITMAP_UNION", "HLL_UNION"
};

static int agg_kind(parser *ps)
{
	for (size_t i = 1; i < SL_ARRAY_LEN(agg_names); i++)
		if (is_kw(ps, agg_names[i]))
			return (int)i;
	return 0;
}

static const char *const complex_types[] = {
	"VARIANT",
	"QUANTILE_STATE", "AGG_STATE", "IPV4", "IPV6"
};

/* The column type: a name, optionally followed by ( ... ). */
static int column_type(parser *ps, sl_type *t)
{
	const sl_tok *tk = &ps->lx.tok;
	size_t start = tk->pos, end, pos = tokpos(ps);
	const char *why = 0;
	char name[64];

	if (tk->kind != SL_TOK_IDENT)
		return syntax(ps, "expected a column type");
	snprintf(name, sizeof name, "%.*s", (int)(tk->n < 63 ? tk->n : 63), tk->p);
	end = tk->pos + tk->n;
	if (!strcasecmp(name, "ARRAY") || !strcasecmp(name, "MAP") || !strcasecmp(name, "STRUCT")) {
		/* ARRAY<...>: the raw text up to the matching '>' (the lexer has
		 * no ':' token), then resume lexing after it. */
		const char *src = ps->lx.src;
		size_t i = end, n = ps->lx.len;
		int depth = 0;
		while (i < n && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r'))
			i++;
		if (i >= n || src[i] != '<')
			return syntax(ps, "expected '<' after ARRAY, MAP or STRUCT");
		for (; i < n; i++) {
			if (src[i] == '`') {
				while (++i < n && src[i] != '`')
					;
			} else if (src[i] == '<')
				depth++;
			else if (src[i] == '>' && --depth == 0)
				break;
		}
		if (i >= n)
			return fail(ps, "unterminated type '%.*s' at position %zu", (int)(n - start), src + start, pos);
		end = i + 1;
		if (sl_type_parse(src + start, end - start, t, &why) != 1)
			return fail(ps, "invalid type '%.*s' at position %zu%s%s", (int)(end - start), src + start,
				pos, why ? ": " : "", why ? why : "");
		ps->lx.pos = end;
		return next(ps);
	}
	for (size_t i = 0; i < SL_ARRAY_LEN(complex_types); i++)
		if (!strcasecmp(name, complex_types[i]))
			return fail(ps, "type %s is not supported yet (at position %zu)", name, pos);
	if (!next(ps))
		return 0;
	if (is_op(ps, "<"))
		return fail(ps, "type %s is not supported yet (at position %zu)", name, pos);
	if (is_op(ps, "(")) {
		while (!is_op(ps, ")")) {
			if (ps->lx.tok.kind == SL_TOK_EOF)
				return syntax(ps, "expected ')'");
			if (!next(ps))
				return 0;
		}
		end = ps->lx.tok.pos + 1;
		if (!next(ps))
			return 0;
	}
	if (sl_type_parse(ps->lx.src + start, end - start, t, &why) == 1)
		return 1;
	/* Integer display widths (INT(11), BIGINT(30)) are accepted and ignored, as Doris does. */
	if (end - start > strlen(name) && sl_type_parse(name, strlen(name), t, 0) == 1 && sl_type_is_integer(t))
		return 1;
	return fail(ps, "invalid type '%.*s' at position %zu%s%s", (int)(end - start), ps->lx.src + start,
		pos, why ? ": " : "", why ? why : "");
}

static int column_def(parser *ps, sl_schema *s)
{
	sl_column c;
	size_t pos = tokpos(ps);
	int seen_null = 0, seen_default = 0, seen_comment = 0;

	memset(&c, 0, sizeof c);
	c.nullable = 1;
	c.name = ident(ps, "expected a column name");
	if (!c.name)
		return 0;
	if (sl_schema_col(s, c.name, strlen(c.name)) >= 0) {
		fail(ps, "Duplicate column name '%s' (at position %zu)", c.name, pos);
		free(c.name);
		return 0;
	}
	{
		sl_column *p = realloc(s->cols, (s->ncols + 1) * sizeof *p);
		if (!p) {
			free(c.name);
			return fail(ps, "out of memory");
		}
		s->cols = p;
		s->cols[s->ncols++] = c;
	}
	sl_column *col = &s->cols[s->ncols - 1];
	if (!column_type(ps, &col->type))
		return 0;
	for (;;) {
		size_t p = tokpos(ps);
		int a;

		if (is_kw(ps, "KEY")) {
			if (!next(ps))
				return 0;
		} else if ((a = agg_kind(ps))) {
			if (col->agg)
				return syntax(ps, "aggregate type given twice");
			col->agg = a;
			if (!next(ps))
				return 0;
		} else if (is_kw(ps, "NOT")) {
			if (seen_null++)
				return syntax(ps, "NULL given twice");
			if (!next(ps) || !expect_kw(ps, "NULL"))
				return 0;
			col->nullable = 0;
		} else if (is_kw(ps, "NULL")) {
			if (seen_null++)
				return syntax(ps, "NULL given twice");
			if (!next(ps))
				return 0;
		} else if (is_kw(ps, "AUTO_INCREMENT")) {
			return fail(ps, "AUTO_INCREMENT is not supported yet (at position %zu)", p);
		} else if (is_kw(ps, "DEFAULT")) {
			if (seen_default++)
				return syntax(ps, "DEFAULT given twice");
			if (!next(ps))
				return 0;
			if (is_kw(ps, "NULL")) {
				col->default_kind = SL_DEFAULT_NULL;
				if (!next(ps))
					return 0;
			} else if (is_kw(ps, "CURRENT_TIMESTAMP") || is_kw(ps, "NOW")) {
				if (col->type.kind != SL_T_DATETIME)
					return fail(ps, "Types other than DATETIME and DATETIMEV2 cannot use current_timestamp as the default value (column '%s' at position %zu)", col->name, p);
				col->default_kind = SL_DEFAULT_CURRENT_TIMESTAMP;
				if (!next(ps))
					return 0;
				if (is_op(ps, "(") && !skip_parens(ps))
					return 0;
			} else if (ps->lx.tok.kind == SL_TOK_STRING) {
				col->default_value = string_lit(ps, "expected a default value");
				if (!col->default_value)
					return 0;
				col->default_kind = SL_DEFAULT_VALUE;
			} else {
				/* [-]number */
				int neg = 0;
				if (is_op(ps, "-")) {
					neg = 1;
					if (!next(ps))
						return 0;
				}
				if (ps->lx.tok.kind != SL_TOK_INT && ps->lx.tok.kind != SL_TOK_NUMBER)
					return syntax(ps, "expected a default value");
				if (asprintf(&col->default_value, "%s%.*s", neg ? "-" : "",
						(int)ps->lx.tok.n, ps->lx.tok.p) < 0) {
					col->default_value = 0;
					return fail(ps, "out of memory");
				}
				col->default_kind = SL_DEFAULT_VALUE;
				if (!next(ps))
					return 0;
			}
			if (col->type.kind == SL_T_HLL)
				return fail(ps, "Hll type column can not set default value");
			if (col->type.kind == SL_T_BITMAP && col->default_kind != SL_DEFAULT_NULL)
				return fail(ps, "Bitmap type column can not set default value");
			if (col->default_kind == SL_DEFAULT_VALUE && sl_type_is_complex(&col->type))
				return fail(ps, "Invalid default value for '%s': only NULL is supported for complex types (at position %zu)",
					col->name, p);
			if (col->default_kind == SL_DEFAULT_VALUE) {
				sl_value v;
				if (!sl_cast_text(&col->type, col->default_value, strlen(col->default_value), &v))
					return fail(ps, "Invalid default value for '%s': %s (at position %zu)", col->name, col->default_value, p);
				if ((col->type.kind == SL_T_VARCHAR || col->type.kind == SL_T_CHAR)
						&& strlen(col->default_value) > (size_t)col->type.len)
					return fail(ps, "Invalid default value for '%s': %s (at position %zu)", col->name, col->default_value, p);
			}
		} else if (is_kw(ps, "ON")) {
			/* ON UPDATE CURRENT_TIMESTAMP: accepted only on UNIQUE tables in Doris. */
			return fail(ps, "ON UPDATE is not supported yet (at position %zu)", p);
		} else if (is_kw(ps, "COMMENT")) {
			if (seen_comment++)
				return syntax(ps, "COMMENT given twice");
			if (!next(ps))
				return 0;
			col->comment = string_lit(ps, "expected a comment string");
			if (!col->comment)
				return 0;
		} else
			break;
	}
	if (!col->nullable && col->default_kind == SL_DEFAULT_NULL)
		return fail(ps, "Can not set null default value to non nullable column: %s", col->name);
	return 1;
}

static int index_size(const sl_type *t)
{
	switch (t->kind) {
	case SL_T_BOOLEAN: case SL_T_TINYINT: return 1;
	case SL_T_SMALLINT: return 2;
	case SL_T_INT: case SL_T_FLOAT: case SL_T_DATE: return 4;
	case SL_T_BIGINT: case SL_T_DOUBLE: case SL_T_DATETIME: return 8;
	case SL_T_LARGEINT: return 16;
	case SL_T_DECIMAL: return t->prec <= 9 ? 4 : t->prec <= 18 ? 8 : 16;
	case SL_T_CHAR: return t->len;
	case SL_T_VARCHAR: return 20;
	default: return 16;
	}
}

/* Doris's default DUPLICATE KEY when no KEY clause is given
 * (CreateTableInfo: shortkey_max_column_count 3, shortkey_maxsize_bytes 36). */
static int default_keys(parser *ps, sl_schema *s)
{
	int len = 0, has_agg = 0;

	for (size_t i = 0; i < s->ncols; i++)
		has_agg |= s->cols[i].agg != 0;
	/* Columns with an aggregate and no KEY clause: AGGREGATE KEY over the
	 * columns before the first aggregated one. */
	for (size_t i = 0; has_agg && i < s->ncols && !s->cols[i].agg; i++) {
		char *k = strdup(s->cols[i].name);
		if (!k || strv_push(&s->keys, &s->nkeys, k) < 0)
			return fail(ps, "out of memory");
	}
	if (has_agg)
		s->model = SL_MODEL_AGGREGATE;
	for (size_t i = 0; !has_agg && i < s->ncols; i++) {
		const sl_type *t = &s->cols[i].type;
		int add = 1, stop = 0;

		len += index_size(t);
		if (s->nkeys >= 3 || len > 36) {
			add = !s->nkeys && sl_type_is_string(t);
			stop = 1;
		} else if (t->kind == SL_T_FLOAT || t->kind == SL_T_DOUBLE || t->kind == SL_T_STRING
				|| sl_type_is_complex(t)) {
			add = 0;
			stop = 1;
		} else if (t->kind == SL_T_VARCHAR)
			stop = 1;
		if (add) {
			char *k = strdup(s->cols[i].name);
			if (!k || strv_push(&s->keys, &s->nkeys, k) < 0)
				return fail(ps, "out of memory");
		}
		if (stop)
			break;
	}
	if (!s->nkeys)
		return fail(ps, "The olap table first column could not be float, double, string or array, struct, map, please use decimal or varchar instead.");
	return 1;
}

/* Doris's KeysType names, as its messages print them. */
static const char *const keys_type[] = { "DUP_KEYS", "UNIQUE_KEYS", "AGG_KEYS" };

/* AggregateType.checkCompatibility: SUM on numbers, MIN/MAX also on dates and
 * strings, REPLACE[_IF_NOT_NULL] on anything but BITMAP/HLL, the unions only
 * on their own type. */
static int agg_compatible(int agg, const sl_type *t)
{
	int num = t->kind >= SL_T_TINYINT && t->kind <= SL_T_DECIMAL;

	switch (agg) {
	case SL_AGG_SUM:
		return num;
	case SL_AGG_MAX: case SL_AGG_MIN:
		return num || t->kind == SL_T_DATE || t->kind == SL_T_DATETIME || sl_type_is_string(t);
	case SL_AGG_BITMAP_UNION:
		return t->kind == SL_T_BITMAP;
	case SL_AGG_HLL_UNION:
		return t->kind == SL_T_HLL;
	default:
		return !sl_type_is_sketch(t);
	}
}

static int check_keys(parser *ps, sl_schema *s)
{
	for (size_t i = 0; i < s->nkeys; i++) {
		long c = sl_schema_col(s, s->keys[i], strlen(s->keys[i]));
		if (c < 0)
			return fail(ps, "Key column[%s] doesn't exist.", s->keys[i]);
		if ((size_t)c != i)
			return fail(ps, "Key columns should be a ordered prefix of the schema. KeyColumns[%zu] (starts from zero) is %s, but corresponding column is %s in the previous columns declaration.",
				i, s->keys[i], s->cols[i].name);
		if (s->cols[c].agg)
			return fail(ps, "Key column[%s] should not specify aggregate type.", s->cols[c].name);
		const sl_type *t = &s->cols[c].type;
		if (sl_type_is_sketch(t))
			return fail(ps, "Key column can not set complex type:%s", s->cols[c].name);
		if (t->kind == SL_T_FLOAT || t->kind == SL_T_DOUBLE)
			return fail(ps, "Float or double can not used as a key, use decimal instead.");
		if (t->kind == SL_T_STRING)
			return fail(ps, "String Type should not be used in key column[%s].", s->cols[c].name);
		if (t->kind == SL_T_JSON)
			return fail(ps, "JSONB type should not be used in key column[%s].", s->cols[c].name);
		if (sl_type_is_complex(t))
			return fail(ps, "%s can only be used in the non-key column of the duplicate table at present.",
				t->kind == SL_T_ARRAY ? "Array" : t->kind == SL_T_MAP ? "Map" : "Struct");
		s->cols[c].is_key = 1;
	}
	return 1;
}

/* Value columns: an aggregate on every AGGREGATE value column and on no
 * other, compatible with the column's type (Doris's messages). */
static int check_values(parser *ps, sl_schema *s)
{
	for (size_t i = s->nkeys; i < s->ncols; i++) {
		sl_column *c = &s->cols[i];

		if (s->model == SL_MODEL_AGGREGATE && !c->agg)
			return fail(ps, "%s table should specify aggregate type for non-key column[%s]",
				keys_type[s->model], c->name);
		if (s->model != SL_MODEL_AGGREGATE && c->agg)
			return fail(ps, "%s table should not specify aggregate type for non-key column[%s]",
				keys_type[s->model], c->name);
	}
	for (size_t i = s->nkeys; i < s->ncols; i++) {
		sl_column *c = &s->cols[i];
		char tb[SL_TYPE_FMT_MAX];

		if (c->agg && !agg_compatible(c->agg, &c->type)) {
			sl_type_format_upper(&c->type, tb, sizeof tb);
			return fail(ps, "Aggregate type %s is not compatible with primitive type %s", agg_names[c->agg], tb);
		}
		if (c->agg == SL_AGG_REPLACE_IF_NOT_NULL && !c->nullable)
			return fail(ps, "REPLACE_IF_NOT_NULL column must be nullable, maybe should use REPLACE, column:%s", c->name);
	}
	return 1;
}

static int check_dist(parser *ps, sl_schema *s)
{
	if (s->dist_random && s->model == SL_MODEL_UNIQUE)
		return fail(ps, "Should not be distributed by random when keys type is unique");
	for (size_t i = 0; s->dist_random && s->model == SL_MODEL_AGGREGATE && i < s->ncols; i++)
		if (s->cols[i].agg == SL_AGG_REPLACE || s->cols[i].agg == SL_AGG_REPLACE_IF_NOT_NULL)
			return fail(ps, "Should not be distributed by random when keys type is aggand column is in replace, [%s] is invalid",
				s->cols[i].name);
	for (size_t i = 0; i < s->ndist_cols; i++) {
		long c = sl_schema_col(s, s->dist_cols[i], strlen(s->dist_cols[i]));
		if (c < 0)
			return fail(ps, "Distribution column(%s) doesn't exist.", s->dist_cols[i]);
		if (!s->cols[c].is_key && (s->model == SL_MODEL_AGGREGATE || (s->model == SL_MODEL_UNIQUE && !s->mow)))
			return fail(ps, "Distribution column[%s] is not key column", s->cols[c].name);
		if (s->cols[c].type.kind == SL_T_FLOAT || s->cols[c].type.kind == SL_T_DOUBLE)
			return fail(ps, "Floating point type column can not be distribution column");
		if (sl_type_is_complex(&s->cols[c].type))
			return fail(ps, "%s Type should not be used in distribution column[%s].",
				s->cols[c].type.kind == SL_T_ARRAY ? "Array" : s->cols[c].type.kind == SL_T_MAP ? "Map"
				: s->cols[c].type.kind == SL_T_STRUCT ? "Struct" : "JSONB", s->cols[c].name);
		/* Store the schema's spelling of the name. */
		char *n = strdup(s->cols[c].name);
		if (!n)
			return fail(ps, "out of memory");
		free(s->dist_cols[i]);
		s->dist_cols[i] = n;
	}
	return 1;
}

static const char *prop(const sl_schema *s, const char *k)
{
	for (size_t i = 0; i < s->nprops; i++)
		if (!strcmp(s->prop_k[i], k))
			return s->prop_v[i];
	return 0;
}

/* A sequence column's type: PrimitiveType.isFixedPointType or isDateType. */
static int seq_type_ok(const sl_type *t)
{
	return (t->kind >= SL_T_TINYINT && t->kind <= SL_T_LARGEINT) || t->kind == SL_T_DATE
		|| t->kind == SL_T_DATETIME;
}

/* The model's properties, in the order Doris checks them:
 * enable_unique_key_merge_on_write, then function_column.sequence_col, then
 * function_column.sequence_type. Fills mow, seq_map and *seq (the sequence
 * column's type; kind SL_T_NULL when the table has none). */
static int check_props(parser *ps, sl_schema *s, sl_type *seq)
{
	const char *mow = prop(s, "enable_unique_key_merge_on_write");
	const char *col = prop(s, "function_column.sequence_col");
	const char *typ = prop(s, "function_column.sequence_type");

	memset(seq, 0, sizeof *seq);
	s->mow = s->model == SL_MODEL_UNIQUE;
	if (mow && s->model != SL_MODEL_UNIQUE)
		return fail(ps, "enable_unique_key_merge_on_write property only support unique key table");
	if (mow && strcmp(mow, "true") && strcmp(mow, "false"))
		return fail(ps, "enable_unique_key_merge_on_write must be `true` or `false`");
	if (mow)
		s->mow = !strcmp(mow, "true");
	if ((col || typ) && s->model != SL_MODEL_UNIQUE)
		return fail(ps, "sequence column only support UNIQUE_KEYS");
	if (col) {
		long c = sl_schema_col(s, col, strlen(col));
		if (c < 0)
			return fail(ps, "The specified sequence column[%s] not exists", col);
		if (!seq_type_ok(&s->cols[c].type))
			return fail(ps, "Sequence type only support integer types and date types");
		if (s->cols[c].is_key)
			return fail(ps, "The specified sequence column[%s] is a key column: it must be a value column", col);
		s->seq_map = c;
		*seq = s->cols[c].type;
	}
	if (typ) {
		sl_type t;
		if (sl_type_parse(typ, strlen(typ), &t, 0) != 1 || !seq_type_ok(&t))
			return fail(ps, "sequence type only support integer types and date types");
		if (col)
			return fail(ps, "The sequence_col and sequence_type cannot be set at the same time");
		*seq = t;
	}
	return 1;
}

/* Append one of the model's hidden columns (REPLACE, after the user's). */
static long add_hidden(parser *ps, sl_schema *s, const char *name, const sl_type *t, int nullable, const char *dflt)
{
	sl_column *p = realloc(s->cols, (s->ncols + 1) * sizeof *p);
	sl_column *c;

	if (!p)
		return fail(ps, "out of memory") - 1;
	s->cols = p;
	c = &s->cols[s->ncols];
	memset(c, 0, sizeof *c);
	c->name = strdup(name);
	c->default_value = dflt ? strdup(dflt) : 0;
	if (!c->name || (dflt && !c->default_value)) {
		free(c->name);
		free(c->default_value);
		return fail(ps, "out of memory") - 1;
	}
	c->type = *t;
	c->nullable = nullable;
	c->agg = SL_AGG_REPLACE;
	c->default_kind = dflt ? SL_DEFAULT_VALUE : SL_DEFAULT_NONE;
	c->hidden = 1;
	return (long)s->ncols++;
}

/* PARTITION BY: its columns are key columns of a type the kind takes
 * (Doris's messages); the scheme and the clauses move into s. */
static int check_part(parser *ps, sl_schema *s)
{
	sl_partby *pb = &ps->pb;
	char tb[SL_TYPE_FMT_MAX];

	if (!pb->kind)
		return 1;
	if (!(s->part.cols = calloc(pb->nnames, sizeof *s->part.cols)))
		return fail(ps, "out of memory");
	for (size_t i = 0; i < pb->nnames; i++) {
		long c = sl_schema_col(s, pb->names[i], strlen(pb->names[i]));
		const sl_type *t = c >= 0 ? &s->cols[c].type : 0;

		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(pb->names[j], pb->names[i]))
				return fail(ps, "Duplicated partition column %s", pb->names[i]);
		if (c < 0 || s->cols[c].hidden)
			return fail(ps, "Partition column[%s] does not exist in column list.", pb->names[i]);
		sl_type_format_upper(t, tb, sizeof tb);
		if (t->kind == SL_T_FLOAT || t->kind == SL_T_DOUBLE || t->kind == SL_T_DECIMAL
				|| sl_type_is_complex(t) || sl_type_is_sketch(t))
			return fail(ps, "Invalid partition column '%s': invalid data type %s", s->cols[c].name, tb);
		if (!s->cols[c].is_key)
			return fail(ps, "The partition column could not be aggregated column and unique table's partition column must be key column");
		if (pb->kind == SL_PART_RANGE && !pb->autop && (t->kind < SL_T_TINYINT || t->kind > SL_T_LARGEINT)
				&& t->kind != SL_T_DATE && t->kind != SL_T_DATETIME)
			return fail(ps, "Column[%s] type[%s] cannot be a range partition key.", s->cols[c].name, tb);
		if (pb->kind == SL_PART_RANGE && pb->autop && t->kind != SL_T_DATE && t->kind != SL_T_DATETIME)
			return fail(ps, "partition expr date_trunc is illegal! Column[%s] type[%s] is not a DATE or DATETIME",
				s->cols[c].name, tb);
		s->part.cols[i] = c;
	}
	s->part.kind = pb->kind;
	s->part.autop = pb->autop;
	s->part.ncols = pb->nnames;
	memcpy(s->part.unit, pb->unit, sizeof s->part.unit);
	s->part_clauses = pb->clauses;
	s->npart_clauses = pb->nclauses;
	pb->clauses = 0;
	pb->nclauses = 0;
	return 1;
}

static int check_table(parser *ps, sl_schema *s)
{
	sl_type seq;

	s->nvisible = s->ncols;
	s->delete_sign = s->seq_col = s->seq_map = -1;
	for (size_t i = 0; i < s->ncols; i++)
		if (!strncasecmp(s->cols[i].name, "__DORIS_", 8))
			return fail(ps, "Incorrect column name '%s'. Column names starting with '__DORIS_' are reserved for hidden columns",
				s->cols[i].name);
	if (!check_keys(ps, s) || !check_values(ps, s) || !check_props(ps, s, &seq) || !check_dist(ps, s)
			|| !check_part(ps, s))
		return 0;
	for (size_t i = 0; i < s->nkeys; i++) {
		char *n = strdup(s->cols[i].name);
		if (!n)
			return fail(ps, "out of memory");
		free(s->keys[i]);
		s->keys[i] = n;
	}
	if (s->model != SL_MODEL_UNIQUE)
		return 1;
	/* UNIQUE value columns fold by REPLACE (DESC's Extra); the DDL does not say it. */
	for (size_t i = s->nkeys; i < s->ncols; i++)
		s->cols[i].agg = SL_AGG_REPLACE;
	sl_type tiny = { .kind = SL_T_TINYINT };
	if ((s->delete_sign = add_hidden(ps, s, "__DORIS_DELETE_SIGN__", &tiny, 0, "0")) < 0)
		return 0;
	if (seq.kind != SL_T_NULL && (s->seq_col = add_hidden(ps, s, "__DORIS_SEQUENCE_COL__", &seq, 1, 0)) < 0)
		return 0;
	return 1;
}

static int table_clauses(parser *ps, sl_schema *s)
{
	int seen_engine = 0, seen_key = 0, seen_comment = 0, seen_part = 0, seen_dist = 0, seen_props = 0;

	for (;;) {
		size_t pos = tokpos(ps);

		if (ps->lx.tok.kind == SL_TOK_EOF)
			return 1;
		if (is_op(ps, ";")) {
			if (!next(ps))
				return 0;
			if (ps->lx.tok.kind != SL_TOK_EOF)
				return syntax(ps, "expected end of statement");
			return 1;
		}
		if (is_kw(ps, "ENGINE")) {
			if (seen_engine++)
				return syntax(ps, "ENGINE given twice");
			if (!next(ps) || !expect_op(ps, "="))
				return 0;
			if (!is_kw(ps, "OLAP"))
				return fail(ps, "Unknown engine '%.*s' at position %zu: only OLAP is supported",
					(int)ps->lx.tok.n, ps->lx.tok.p, tokpos(ps));
			if (!next(ps))
				return 0;
		} else if (is_kw(ps, "DUPLICATE") || is_kw(ps, "UNIQUE") || is_kw(ps, "AGGREGATE")) {
			if (seen_key++)
				return syntax(ps, "KEY clause given twice");
			s->model = is_kw(ps, "DUPLICATE") ? SL_MODEL_DUPLICATE
				: is_kw(ps, "UNIQUE") ? SL_MODEL_UNIQUE : SL_MODEL_AGGREGATE;
			if (!next(ps) || !expect_kw(ps, "KEY"))
				return 0;
			if (!ident_list(ps, &s->keys, &s->nkeys, "expected a key column name"))
				return 0;
		} else if (is_kw(ps, "COMMENT")) {
			if (seen_comment++)
				return syntax(ps, "COMMENT given twice");
			if (!next(ps))
				return 0;
			s->comment = string_lit(ps, "expected a comment string");
			if (!s->comment)
				return 0;
		} else if (is_kw(ps, "PARTITION") || is_kw(ps, "AUTO")) {
			if (seen_part++)
				return syntax(ps, "PARTITION BY given twice");
			if (!sl_partby_parse(&ps->lx, &ps->pb, ps->err, ps->errcap))
				return ps->failed = 1, 0;
		} else if (is_kw(ps, "DISTRIBUTED")) {
			if (seen_dist++)
				return syntax(ps, "DISTRIBUTED BY given twice");
			if (!next(ps) || !expect_kw(ps, "BY"))
				return 0;
			if (is_kw(ps, "RANDOM")) {
				s->dist_random = 1;
				if (!next(ps))
					return 0;
			} else if (is_kw(ps, "HASH")) {
				if (!next(ps))
					return 0;
				if (!ident_list(ps, &s->dist_cols, &s->ndist_cols, "expected a distribution column name"))
					return 0;
			} else
				return syntax(ps, "expected HASH or RANDOM");
			s->buckets = 0;
			if (is_kw(ps, "BUCKETS")) {
				if (!next(ps))
					return 0;
				if (is_kw(ps, "AUTO")) {
					if (!next(ps))
						return 0;
				} else if (ps->lx.tok.kind == SL_TOK_INT) {
					long v = strtol(ps->lx.tok.p, 0, 10);
					if (v <= 0 || v > 1000000 || ps->lx.tok.n > 8)
						return fail(ps, "Number of hash distribution should be greater than zero (at position %zu)", tokpos(ps));
					s->buckets = (int)v;
					if (!next(ps))
						return 0;
				} else
					return syntax(ps, "expected a bucket number or AUTO");
			}
		} else if (is_kw(ps, "ROLLUP")) {
			return fail(ps, "ROLLUP is not supported yet (at position %zu)", pos);
		} else if (is_kw(ps, "PROPERTIES")) {
			if (seen_props++)
				return syntax(ps, "PROPERTIES given twice");
			if (!next(ps) || !expect_op(ps, "("))
				return 0;
			for (;;) {
				char *k, *v;
				k = string_lit(ps, "expected a property name string");
				if (!k)
					return 0;
				if (!expect_op(ps, "=")) {
					free(k);
					return 0;
				}
				v = string_lit(ps, "expected a property value string");
				if (!v) {
					free(k);
					return 0;
				}
				if (strv_push(&s->prop_k, &s->nprops, k) < 0) {
					free(v);
					return fail(ps, "out of memory");
				}
				s->nprops--;
				if (strv_push(&s->prop_v, &s->nprops, v) < 0) {
					s->nprops++;    /* k is owned by prop_k now */
					return fail(ps, "out of memory");
				}
				if (is_op(ps, ",")) {
					if (!next(ps))
						return 0;
					continue;
				}
				if (!expect_op(ps, ")"))
					return 0;
				break;
			}
		} else
			return syntax(ps, "unexpected table clause");
	}
}

int sl_schema_parse(const char *ddl, size_t n, const char *db_default, sl_schema *s, char *err, size_t errcap)
{
	parser ps;
	char *a = 0, *b = 0;
	int ok = 0;

	memset(s, 0, sizeof *s);
	memset(&ps, 0, sizeof ps);
	ps.err = err;
	ps.errcap = errcap;
	if (errcap)
		err[0] = 0;
	sl_lex_init(&ps.lx, ddl, n);
	if (!next(&ps))
		goto out;
	if (!expect_kw(&ps, "CREATE"))
		goto out;
	if (is_kw(&ps, "EXTERNAL") || is_kw(&ps, "TEMPORARY")) {
		fail(&ps, "CREATE %.*s TABLE is not supported (at position %zu)",
			(int)ps.lx.tok.n, ps.lx.tok.p, tokpos(&ps));
		goto out;
	}
	if (!expect_kw(&ps, "TABLE"))
		goto out;
	if (is_kw(&ps, "IF")) {
		if (!next(&ps) || !expect_kw(&ps, "NOT") || !expect_kw(&ps, "EXISTS"))
			goto out;
		s->if_not_exists = 1;
	}
	if (!(a = ident(&ps, "expected a table name")))
		goto out;
	if (is_op(&ps, ".")) {
		if (!next(&ps) || !(b = ident(&ps, "expected a table name")))
			goto out;
		s->db = a;
		s->name = b;
		a = 0;
	} else {
		s->name = a;
		a = 0;
		if (db_default && !(s->db = strdup(db_default))) {
			fail(&ps, "out of memory");
			goto out;
		}
	}
	if (is_kw(&ps, "LIKE") || is_kw(&ps, "AS")) {
		fail(&ps, "CREATE TABLE ... %.*s is not supported (at position %zu)",
			(int)ps.lx.tok.n, ps.lx.tok.p, tokpos(&ps));
		goto out;
	}
	if (!expect_op(&ps, "("))
		goto out;
	for (;;) {
		if (is_kw(&ps, "INDEX")) {
			fail(&ps, "INDEX is not supported yet (at position %zu)", tokpos(&ps));
			goto out;
		}
		if (!column_def(&ps, s))
			goto out;
		if (is_op(&ps, ",")) {
			if (!next(&ps))
				goto out;
			continue;
		}
		if (!expect_op(&ps, ")"))
			goto out;
		break;
	}
	if (!table_clauses(&ps, s))
		goto out;
	if (!s->nkeys && !default_keys(&ps, s))
		goto out;
	if (!s->dist_random && !s->ndist_cols)
		s->dist_random = 1;     /* Doris 2.1: DISTRIBUTED BY RANDOM BUCKETS AUTO */
	if (!check_table(&ps, s))
		goto out;
	ok = 1;
out:
	free(a);
	sl_lex_free(&ps.lx);
	sl_partby_free(&ps.pb);
	if (!ok) {
		if (!ps.failed && errcap)
			snprintf(err, errcap, "syntax error");
		sl_schema_free(s);
	}
	return ok;
}

/* Doris quotes: backslash-escape the quote character and backslashes. */
static int put_quoted(sl_buf *b, const char *s, char q)
{
	if (sl_buf_putc(b, q) < 0)
		return -1;
	for (; *s; s++) {
		if ((*s == q || *s == '\\') && sl_buf_putc(b, '\\') < 0)
			return -1;
		if (sl_buf_putc(b, *s) < 0)
			return -1;
	}
	return sl_buf_putc(b, q);
}

static int put_ident(sl_buf *b, const char *s)
{
	if (sl_buf_putc(b, '`') < 0)
		return -1;
	for (; *s; s++) {
		if (*s == '`' && sl_buf_putc(b, '`') < 0)
			return -1;
		if (sl_buf_putc(b, *s) < 0)
			return -1;
	}
	return sl_buf_putc(b, '`');
}

static int put_idents(sl_buf *b, char **v, size_t n)
{
	if (sl_buf_putc(b, '(') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i && sl_buf_puts(b, ", ") < 0)
			return -1;
		if (put_ident(b, v[i]) < 0)
			return -1;
	}
	return sl_buf_putc(b, ')');
}

static int part_order(const void *a, const void *b, void *ps)
{
	return sl_partset_cmp(ps, *(const size_t *)a, *(const size_t *)b);
}

/* PARTITION BY with the formal partitions of ps, or "()" without ps. */
static int render_part(const sl_schema *s, const sl_partset *ps, sl_buf *b)
{
	const sl_partscheme *sc = &s->part;
	size_t k = 0;

	if (!sc->kind)
		return 1;
	/* Doris's spacing: "PARTITION BY RANGE(`d`)", "AUTO PARTITION BY LIST (`s`)" */
	if (sl_buf_printf(b, "\n%sPARTITION BY %s%s(", sc->autop ? "AUTO " : "",
			sc->kind == SL_PART_RANGE ? "RANGE" : "LIST", sc->autop ? " " : "") < 0)
		return -1;
	if (sc->autop && sc->kind == SL_PART_RANGE && (sl_buf_puts(b, "date_trunc(") < 0
			|| put_ident(b, s->cols[sc->cols[0]].name) < 0 || sl_buf_printf(b, ", '%s')", sc->unit) < 0))
		return -1;
	for (size_t i = 0; !(sc->autop && sc->kind == SL_PART_RANGE) && i < sc->ncols; i++)
		if ((i && sl_buf_puts(b, ", ") < 0) || put_ident(b, s->cols[sc->cols[i]].name) < 0)
			return -1;
	if (sl_buf_puts(b, ")\n(") < 0)
		return -1;
	/* in Doris's order: RANGE partitions by bound, LIST ones by id */
	size_t n = ps ? sl_partset_n(ps) : 0, *ord = n ? malloc(n * sizeof *ord) : 0;
	if (n && !ord)
		return -1;
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	if (n)
		qsort_r(ord, n, sizeof *ord, part_order, (void *)ps);
	for (size_t i = 0; i < n; i++) {
		const sl_partinfo *p = sl_partset_get(ps, ord[i]);
		if (p->temp)
			continue;
		if (sl_buf_puts(b, k++ ? ",\nPARTITION " : "PARTITION ") < 0 || put_ident(b, p->name) < 0
				|| sl_buf_printf(b, " %s", p->values) < 0) {
			free(ord);
			return -1;
		}
	}
	free(ord);
	return sl_buf_putc(b, ')');
}

static int render(const sl_schema *s, const sl_partset *ps, sl_buf *b)
{
	static const char *const model[] = { "DUPLICATE", "UNIQUE", "AGGREGATE" };
	char tb[SL_TYPE_FMT_MAX];

	if (sl_buf_puts(b, "CREATE TABLE ") < 0 || put_ident(b, s->name) < 0 || sl_buf_puts(b, " (\n") < 0)
		return -1;
	for (size_t i = 0; i < s->ncols; i++) {
		const sl_column *c = &s->cols[i];
		if (c->hidden)
			continue;
		sl_type_format(&c->type, tb, sizeof tb);
		if (sl_buf_puts(b, "  ") < 0 || put_ident(b, c->name) < 0 || sl_buf_printf(b, " %s", tb) < 0)
			return -1;
		if (s->model == SL_MODEL_AGGREGATE && c->agg && sl_buf_printf(b, " %s", agg_names[c->agg]) < 0)
			return -1;
		if (sl_buf_puts(b, c->nullable ? " NULL" : " NOT NULL") < 0)
			return -1;
		if (c->default_kind == SL_DEFAULT_CURRENT_TIMESTAMP && sl_buf_puts(b, " DEFAULT CURRENT_TIMESTAMP") < 0)
			return -1;
		if (c->default_kind == SL_DEFAULT_VALUE && (sl_buf_puts(b, " DEFAULT ") < 0
				|| put_quoted(b, c->default_value, '"') < 0))
			return -1;
		if (c->comment && *c->comment && (sl_buf_puts(b, " COMMENT ") < 0 || put_quoted(b, c->comment, '"') < 0))
			return -1;
		if (sl_buf_puts(b, i + 1 < s->nvisible ? ",\n" : "\n") < 0)
			return -1;
	}
	if (sl_buf_printf(b, ") ENGINE=OLAP\n%s KEY", model[s->model]) < 0 || put_idents(b, s->keys, s->nkeys) < 0)
		return -1;
	if (sl_buf_puts(b, "\nCOMMENT ") < 0 || put_quoted(b, s->comment ? s->comment : "OLAP", '\'') < 0)
		return -1;
	if (render_part(s, ps, b) < 0 || sl_buf_puts(b, "\nDISTRIBUTED BY ") < 0)
		return -1;
	if (s->dist_random) {
		if (sl_buf_puts(b, "RANDOM") < 0)
			return -1;
	} else if (sl_buf_puts(b, "HASH") < 0 || put_idents(b, s->dist_cols, s->ndist_cols) < 0)
		return -1;
	if (s->buckets ? sl_buf_printf(b, " BUCKETS %d", s->buckets) < 0 : sl_buf_puts(b, " BUCKETS AUTO") < 0)
		return -1;
	if (s->nprops) {
		if (sl_buf_puts(b, "\nPROPERTIES (\n") < 0)
			return -1;
		for (size_t i = 0; i < s->nprops; i++) {
			if (put_quoted(b, s->prop_k[i], '"') < 0 || sl_buf_puts(b, " = ") < 0
					|| put_quoted(b, s->prop_v[i], '"') < 0
					|| sl_buf_puts(b, i + 1 < s->nprops ? ",\n" : "\n") < 0)
				return -1;
		}
		if (sl_buf_puts(b, ")") < 0)
			return -1;
	}
	return sl_buf_puts(b, ";");
}

char *sl_schema_render(const sl_schema *s)
{
	return sl_schema_render_parts(s, 0);
}

char *sl_schema_render_parts(const sl_schema *s, const sl_partset *ps)
{
	sl_buf b = SL_BUF_ZERO;

	if (render(s, ps, &b) < 0 || sl_buf_cstr(&b) < 0) {
		sl_buf_free(&b);
		errno = ENOMEM;
		return 0;
	}
	return b.p;
}

long sl_schema_col(const sl_schema *s, const char *name, size_t n)
{
	for (size_t i = 0; i < s->ncols; i++)
		if (strlen(s->cols[i].name) == n && !strncasecmp(s->cols[i].name, name, n))
			return (long)i;
	return -1;
}

void sl_schema_free(sl_schema *s)
{
	free(s->db);
	free(s->name);
	for (size_t i = 0; i < s->ncols; i++) {
		free(s->cols[i].name);
		free(s->cols[i].default_value);
		free(s->cols[i].comment);
	}
	free(s->cols);
	strv_free(s->keys, s->nkeys);
	strv_free(s->dist_cols, s->ndist_cols);
	strv_free(s->prop_k, s->nprops);
	strv_free(s->prop_v, s->nprops);
	free(s->comment);
	sl_partscheme_free(&s->part);
	strv_free(s->part_clauses, s->npart_clauses);
	memset(s, 0, sizeof *s);
}

int sl_schema_load(struct sl_store *st, const char *db, const char *table, sl_schema *s)
{
	sl_buf b = SL_BUF_ZERO;
	char err[256];
	int r;

	memset(s, 0, sizeof *s);
	r = sl_table_ddl(st, db, table, &b);
	if (r <= 0) {
		int e = errno;
		sl_buf_free(&b);
		errno = e;
		return r;
	}
	if (!sl_schema_parse(b.p, b.len, db, s, err, sizeof err)) {
		sl_buf_free(&b);
		errno = EPROTO;
		return -1;
	}
	sl_buf_free(&b);
	/* The stored DDL names the table without its database: trust the caller's names. */
	free(s->db);
	free(s->name);
	s->db = strdup(db);
	s->name = strdup(table);
	if (!s->db || !s->name) {
		sl_schema_free(s);
		errno = ENOMEM;
		return -1;
	}
	return 1;
}
