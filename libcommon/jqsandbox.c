/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jqsandbox.c -- a jq program that sees the record and nothing else
 * (jqsandbox.h).
 */
#include <stdio.h>
#include <string.h>

#include <jv.h>
#include <jq.h>

#include "io.h"
#include "status.h"
#include "jqsandbox.h"

/* jq's messages, "; " between them, into the caller's buffer. */
static void jq_err_cb(void *data, jv msg)
{
	sl_buf *b = data;

	if (jv_get_kind(msg) == JV_KIND_STRING) {
		if (b->len)
			sl_buf_puts(b, "; ");
		sl_buf_puts(b, jv_string_value(msg));
	}
	jv_free(msg);
}

/* debug: nothing reaches the server's log. */
static void jq_no_debug(void *data, jv msg)
{
	(void)data;
	jv_free(msg);
}

/* input/inputs: there is nothing beyond the record. */
static jv jq_no_input(jq_state *jq, void *data)
{
	(void)jq;
	(void)data;
	return jv_invalid();
}

/*
 * A jq program gets the record and nothing else. libjq 1.6 reaches out in
 * these ways, each closed here (tests/formats-json.bats, "jq sandbox"):
 * - `$ENV` is a constant built from environ at compile time, `env` reads
 *   environ when it runs, and with HOME set the compiler includes ~/.jq:
 *   environ is empty while the program compiles and runs (sl_jqsandbox_enter);
 * - `import`/`include` read modules and .json files, and their `search`
 *   metadata names any directory, whatever JQ_LIBRARY_PATH says: the
 *   module keywords are refused by a tokenizer that follows jq's lexer
 *   (jq_refused), and the library path is empty besides;
 * - `modulemeta` reads a module file, `get_search_list`, `get_jq_origin`
 *   and `get_prog_origin` show paths, `input`/`inputs` would read past the
 *   record, `input_filename`, `debug` and `stderr` (which writes to the
 *   server's log), `halt`/`halt_error` (a message for the log): these are
 *   shadowed by the definitions of JQ_PRELUDE, compiled before the program
 *   (a program's own definitions shadow the built-ins the same way), with
 *   no input and a silent debug callback as a second line. */
#define JQ_NOT_IN_LOAD(name) "error(\"" name " is not available in a load\")"
static const char JQ_PRELUDE[] =
	"def env: {}; def input: " JQ_NOT_IN_LOAD("input") "; def _input: " JQ_NOT_IN_LOAD("input") "; "
	"def inputs: empty; def input_filename: null; def input_line_number: null; "
	"def debug: .; def debug(m): .; def stderr: .; def stderr(m): .; "
	"def halt: " JQ_NOT_IN_LOAD("halt") "; def halt_error: " JQ_NOT_IN_LOAD("halt_error") "; "
	"def halt_error(c): " JQ_NOT_IN_LOAD("halt_error") "; "
	"def get_search_list: []; def get_prog_origin: null; def get_jq_origin: null; "
	"def modulemeta: " JQ_NOT_IN_LOAD("modulemeta") "; "
	"{} as $ENV | ";

extern char **environ;
static char *jq_no_env[] = { NULL };

char **sl_jqsandbox_enter(void)
{
	char **saved = environ;
	environ = jq_no_env;
	return saved;
}

void sl_jqsandbox_leave(char **saved)
{
	environ = saved;
}

static int jq_ident_start(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int jq_ident_char(int ch)
{
	return jq_ident_start(ch) || (ch >= '0' && ch <= '9');
}

/* After an identifier at p: jq's IDENT takes `::name` parts too. */
static const char *jq_ident_end(const char *p)
{
	for (;;) {
		while (jq_ident_char((unsigned char)*p))
			p++;
		if (p[0] == ':' && p[1] == ':' && jq_ident_start((unsigned char)p[2]))
			p += 2;
		else
			return p;
	}
}

#define JQ_NEST_MAX 256

/* The first word of prog that reaches outside the record (`import`,
 * `include`, `module`, `modulemeta`) as jq's lexer reads it: not inside a
 * string or comment, not a field (.import), variable ($import) or format
 * (@import), a keyword not an object key ({import: 1}). NULL: none; *empty
 * set when prog has no token at all. In doubt, a word is refused. */
static const char *jq_refused(const char *prog, int *empty)
{
	/* frames: 0 code (depth in par[]), 1 string; an interpolation \( is
	 * a code frame inside a string frame */
	unsigned char kind[JQ_NEST_MAX];
	long par[JQ_NEST_MAX];
	int top = 0;
	const char *p = prog;

	*empty = 1;
	kind[0] = 0;
	par[0] = 0;
	while (*p) {
		unsigned char ch = (unsigned char)*p;
		if (kind[top] == 1) {
			if (ch == '\\' && p[1] == '(') {
				if (++top == JQ_NEST_MAX)
					return "(a program nested too deeply)";
				kind[top] = 0;
				par[top] = 0;
				p += 2;
			} else if (ch == '\\' && p[1]) {
				p += 2;
			} else {
				if (ch == '"')
					top--;
				p++;
			}
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			p++;
			continue;
		}
		if (ch == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		*empty = 0;
		if (ch == '"') {
			if (++top == JQ_NEST_MAX)
				return "(a program nested too deeply)";
			kind[top] = 1;
			p++;
		} else if (ch == '(') {
			par[top]++;
			p++;
		} else if (ch == ')') {
			if (par[top] == 0 && top > 0)
				top--;         /* the end of an interpolation */
			else if (par[top] > 0)
				par[top]--;
			p++;
		} else if (ch == '.' && p[1] == '.') {
			p += 2;
		} else if ((ch == '.' || ch == '$' || ch == '@') && jq_ident_start((unsigned char)p[1])) {
			p = jq_ident_end(p + 1);        /* field, variable, format */
		} else if (ch >= '0' && ch <= '9') {
			/* jq's number: digits, a dot and digits, an exponent */
			while ((*p >= '0' && *p <= '9') || *p == '.')
				p++;
			if ((*p == 'e' || *p == 'E') && ((p[1] >= '0' && p[1] <= '9') ||
			    ((p[1] == '+' || p[1] == '-') && p[2] >= '0' && p[2] <= '9')))
				for (p += 2; *p >= '0' && *p <= '9'; p++)
					;
		} else if (jq_ident_start(ch)) {
			const char *b = p, *q;
			size_t n;
			p = jq_ident_end(p);
			n = (size_t)(p - b);
			for (q = p; *q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'; q++)
				;
			if (n == 10 && !memcmp(b, "modulemeta", n))
				return "modulemeta";
			if (q[0] == ':' && q[1] != ':')
				continue;       /* a keyword as an object key */
			if (n == 6 && !memcmp(b, "import", n))
				return "import";
			if (n == 7 && !memcmp(b, "include", n))
				return "include";
			if (n == 6 && !memcmp(b, "module", n))
				return "module";
		} else
			p++;
	}
	return NULL;
}

jq_state *sl_jqsandbox_compile(const char *v, sl_buf *msgs, char *err, size_t errsz)
{
	const char *bad;
	char **env;
	sl_buf prog = SL_BUF_ZERO;
	jq_state *jq;
	int empty, ok;
	size_t k;

	bad = jq_refused(v, &empty);
	if (bad) {
		snprintf(err, errsz, SL_E_INVALID_ARGUMENT "jq: %s is not available in a load: a jq program gets the record and nothing else (no modules, files, inputs or environment)",
		    bad);
		return NULL;
	}
	jq = jq_init();
	if (!jq || sl_buf_puts(&prog, JQ_PRELUDE) < 0 || sl_buf_puts(&prog, empty ? "." : v) < 0 ||
	    sl_buf_cstr(&prog) < 0) {
		sl_buf_free(&prog);
		if (jq)
			jq_teardown(&jq);
		snprintf(err, errsz, SL_E_INTERNAL_ERROR "jq: unable to start");
		return NULL;
	}
	jq_set_attr(jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
	jq_set_error_cb(jq, jq_err_cb, msgs);
	jq_set_debug_cb(jq, jq_no_debug, NULL);
	jq_set_input_cb(jq, jq_no_input, NULL);
	env = sl_jqsandbox_enter();
	ok = jq_compile(jq, prog.p);
	if (!ok) {
		/* jq's message for the program as written, not with the prelude:
		 * compiled alone, in the same sandbox, only for its message */
		jq_state *alone = jq_init();
		msgs->len = 0;
		if (alone) {
			jq_set_attr(alone, jv_string("JQ_LIBRARY_PATH"), jv_array());
			jq_set_error_cb(alone, jq_err_cb, msgs);
			if (jq_compile(alone, v))
				msgs->len = 0;
			jq_teardown(&alone);
		}
	}
	sl_jqsandbox_leave(env);
	sl_buf_free(&prog);
	if (!ok) {
		sl_buf_cstr(msgs);
		for (k = 0; k < msgs->len; k++)
			if (msgs->p[k] == '\n')
				msgs->p[k] = ' ';
		snprintf(err, errsz, SL_E_INVALID_ARGUMENT "jq compile error: %s", msgs->len ? msgs->p : v);
		jq_teardown(&jq);
		return NULL;
	}
	return jq;
}
