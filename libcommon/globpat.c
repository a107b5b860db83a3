/* SPDX-License-Identifier: Apache-2.0 */
/* globpat.c -- Java-style glob patterns compiled to a Thompson NFA (globpat.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "globpat.h"

enum { OP_CHAR, OP_ANY, OP_ALL, OP_CLASS, OP_SPLIT, OP_JMP, OP_MATCH };

typedef struct gins { int op, x, y; uint32_t cp; } gins;  /* x, y: targets; -1 none */
typedef struct grange { uint32_t lo, hi; } grange;
typedef struct gclass { int neg; size_t first, n; } gclass;

struct sl_globpat {
	gins *prog;
	size_t np, capp;
	gclass *cls;
	size_t ncls, capcls;
	grange *rng;
	size_t nrng, caprng;
	/* the simulation's work lists, sized np: a match allocates nothing */
	int *cur, *nxt, *stack;
	unsigned *mark;
	unsigned gen;
};

/* One UTF-8 code point at *p (advanced); an invalid byte stands for
 * itself above the Unicode range, so it matches only itself. */
static uint32_t utf8_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = p[0];
	int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
	int i;

	if (n <= 0) {
		*pp = p + 1;
		return n == 0 ? c : 0x110000 + c;
	}
	c &= 0x3F >> n;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*pp = p + 1;
			return 0x110000 + p[0];
		}
		c = c << 6 | (p[i] & 0x3F);
	}
	*pp = p + n + 1;
	return c;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t nc;
	void *q;

	if (need <= *cap)
		return 1;
	nc = *cap ? *cap * 2 : 32;
	while (nc < need)
		nc *= 2;
	q = realloc(*p, nc * size);
	if (!q)
		return -1;
	*p = q;
	*cap = nc;
	return 1;
}

static int emit(sl_globpat *g, int op, int x, int y, uint32_t cp)
{
	if (grow((void **)&g->prog, &g->capp, g->np + 1, sizeof *g->prog) < 0)
		return -1;
	g->prog[g->np] = (gins){ op, x, y, cp };
	return (int)g->np++;
}

static int bad(char *err, size_t cap, const char *why, size_t at)
{
	snprintf(err, cap, "%s near index %zu", why, at);
	return 0;
}

/* Doris's extendGlobs: each {m..n} of non-negative integers becomes
 * {m,m+1,...,n} (either order). 1 with *out (malloc'd); 0 too long; -1 errno. */
static int expand_ranges(const char *pat, char **out)
{
	size_t len = strlen(pat), cap = len + 1, n = 0, i;
	char *o = malloc(cap);

	if (!o)
		return -1;
	for (i = 0; i < len;) {
		unsigned long a, b, v;
		char *e1, *e2;
		if (pat[i] == '{' && pat[i + 1] >= '0' && pat[i + 1] <= '9') {
			a = strtoul(pat + i + 1, &e1, 10);
			if (e1[0] == '.' && e1[1] == '.' && e1[2] >= '0' && e1[2] <= '9') {
				b = strtoul(e1 + 2, &e2, 10);
				if (*e2 == '}') {
					unsigned long lo = a < b ? a : b, hi = a < b ? b : a;
					for (v = lo; v <= hi; v++) {
						char num[24];
						int k = snprintf(num, sizeof num, "%c%lu", v == lo ? '{' : ',', v);
						if (n + (size_t)k + 2 > SL_GLOBPAT_MAX)
							goto toolong;
						if (grow((void **)&o, &cap, n + (size_t)k + 2, 1) < 0)
							goto nomem;
						memcpy(o + n, num, (size_t)k);
						n += (size_t)k;
					}
					o[n++] = '}';
					i = (size_t)(e2 - pat) + 1;
					continue;
				}
			}
		}
		if (n + 2 > SL_GLOBPAT_MAX)
			goto toolong;
		if (grow((void **)&o, &cap, n + 2, 1) < 0)
			goto nomem;
		o[n++] = pat[i++];
	}
	o[n] = 0;
	*out = o;
	return 1;
toolong:
	free(o);
	return 0;
nomem:
	free(o);
	return -1;
}

/* A bracket expression at *pp (just after '['): its ranges. 1, 0 bad, -1 errno. */
static int compile_class(sl_globpat *g, const unsigned char **pp, const unsigned char *base,
	char *err, size_t cap)
{
	const unsigned char *p = *pp;
	gclass c = { 0, g->nrng, 0 };
	int have_last = 0;
	uint32_t last = 0;

	if (*p == '!') {
		c.neg = 1;
		p++;
	}
	for (;;) {
		uint32_t cp;
		if (!*p)
			return bad(err, cap, "Missing ']'", (size_t)(p - base));
		if (*p == ']' && (p > *pp + c.neg))
			break;
		if (*p == '/')
			return bad(err, cap, "Explicit 'name separator' in class", (size_t)(p - base));
		if (*p == '\\' && p[1])
			p++;
		cp = utf8_next(&p);
		if (cp == '-' && have_last && *p && *p != ']') {
			uint32_t hi;
			if (*p == '\\' && p[1])
				p++;
			if (*p == '/')
				return bad(err, cap, "Explicit 'name separator' in class", (size_t)(p - base));
			hi = utf8_next(&p);
			if (hi < last)
				return bad(err, cap, "Invalid range", (size_t)(p - base));
			g->rng[g->nrng - 1].hi = hi;
			have_last = 0;
			continue;
		}
		if (grow((void **)&g->rng, &g->caprng, g->nrng + 1, sizeof *g->rng) < 0)
			return -1;
		g->rng[g->nrng++] = (grange){ cp, cp };
		last = cp;
		have_last = 1;
	}
	c.n = g->nrng - c.first;
	if (grow((void **)&g->cls, &g->capcls, g->ncls + 1, sizeof *g->cls) < 0)
		return -1;
	g->cls[g->ncls] = c;
	*pp = p + 1;
	return emit(g, OP_CLASS, -1, -1, (uint32_t)g->ncls++) < 0 ? -1 : 1;
}

/* '*' or '**': a loop over one character (any but '/', or any). */
static int compile_star(sl_globpat *g, int all)
{
	int split = emit(g, OP_SPLIT, 0, -1, 0);

	if (split < 0 || emit(g, all ? OP_ALL : OP_ANY, -1, -1, 0) < 0
	    || emit(g, OP_JMP, split, -1, 0) < 0)
		return -1;
	g->prog[split].x = split + 1;
	g->prog[split].y = (int)g->np;
	return 1;
}

/* The alternatives of a group: "{a,b}" is SPLIT(a, SPLIT(b, -)), each
 * alternative ending in a JMP to the group's end. */
typedef struct ggroup { int open, split; int *jmps; size_t nj, capj; } ggroup;

static int group_comma(sl_globpat *g, ggroup *gr)
{
	int j = emit(g, OP_JMP, -1, -1, 0), s;

	if (j < 0 || grow((void **)&gr->jmps, &gr->capj, gr->nj + 1, sizeof *gr->jmps) < 0)
		return -1;
	gr->jmps[gr->nj++] = j;
	if ((s = emit(g, OP_SPLIT, 0, -1, 0)) < 0)
		return -1;
	g->prog[s].x = s + 1;
	g->prog[gr->split].y = s;
	gr->split = s;
	return 1;
}

static int compile_body(sl_globpat *g, const char *pat, char *err, size_t cap)
{
	const unsigned char *base = (const unsigned char *)pat, *p = base;
	ggroup gr = { 0, -1, NULL, 0, 0 };
	int rc = 1;
	size_t i;

	while (*p && rc > 0) {
		switch (*p) {
		case '\\':
			if (!p[1]) {
				rc = bad(err, cap, "No character to escape", (size_t)(p - base));
				break;
			}
			p++;
			rc = emit(g, OP_CHAR, -1, -1, utf8_next(&p)) < 0 ? -1 : 1;
			break;
		case '*':
			rc = compile_star(g, p[1] == '*');
			p += p[1] == '*' ? 2 : 1;
			break;
		case '?':
			p++;
			rc = emit(g, OP_ANY, -1, -1, 0) < 0 ? -1 : 1;
			break;
		case '[':
			p++;
			rc = compile_class(g, &p, base, err, cap);
			break;
		case '{':
			if (gr.open) {
				rc = bad(err, cap, "Cannot nest groups", (size_t)(p - base));
				break;
			}
			p++;
			gr.open = 1;
			gr.nj = 0;
			if ((gr.split = emit(g, OP_SPLIT, 0, -1, 0)) < 0)
				rc = -1;
			else
				g->prog[gr.split].x = gr.split + 1;
			break;
		case ',':
		case '}':
			if (!gr.open) {
				rc = emit(g, OP_CHAR, -1, -1, utf8_next(&p)) < 0 ? -1 : 1;
				break;
			}
			if (*p++ == ',') {
				rc = group_comma(g, &gr);
				break;
			}
			for (i = 0; i < gr.nj; i++)
				g->prog[gr.jmps[i]].x = (int)g->np;
			gr.open = 0;
			break;
		default:
			rc = emit(g, OP_CHAR, -1, -1, utf8_next(&p)) < 0 ? -1 : 1;
		}
	}
	if (rc > 0 && gr.open)
		rc = bad(err, cap, "Missing '}'", (size_t)(p - base));
	free(gr.jmps);
	return rc;
}

int sl_globpat_compile(sl_globpat **out, const char *pat, char *err, size_t cap)
{
	sl_globpat *g;
	char *ex = NULL;
	int rc;

	*out = NULL;
	rc = expand_ranges(pat, &ex);
	if (rc <= 0) {
		if (rc == 0)
			snprintf(err, cap, "glob pattern longer than %d bytes", SL_GLOBPAT_MAX);
		return rc;
	}
	if (!(g = calloc(1, sizeof *g))) {
		free(ex);
		return -1;
	}
	rc = compile_body(g, ex, err, cap);
	free(ex);
	if (rc > 0 && emit(g, OP_MATCH, -1, -1, 0) < 0)
		rc = -1;
	if (rc > 0) {
		g->cur = malloc(g->np * sizeof *g->cur);
		g->nxt = malloc(g->np * sizeof *g->nxt);
		g->stack = malloc((g->np * 2 + 2) * sizeof *g->stack);
		g->mark = calloc(g->np, sizeof *g->mark);
		if (!g->cur || !g->nxt || !g->stack || !g->mark)
			rc = -1;
	}
	if (rc <= 0) {
		int e = errno;
		sl_globpat_free(g);
		errno = e;
		return rc;
	}
	*out = g;
	return 1;
}

void sl_globpat_free(sl_globpat *g)
{
	if (!g)
		return;
	free(g->prog);
	free(g->cls);
	free(g->rng);
	free(g->cur);
	free(g->nxt);
	free(g->stack);
	free(g->mark);
	free(g);
}

/* Add pc and what it reaches without a character to list l (n entries). */
static void addstate(sl_globpat *g, int *l, size_t *n, int pc)
{
	size_t sp = 0;

	g->stack[sp++] = pc;
	while (sp) {
		pc = g->stack[--sp];
		if (pc < 0 || g->mark[pc] == g->gen)
			continue;
		g->mark[pc] = g->gen;
		switch (g->prog[pc].op) {
		case OP_JMP:
			g->stack[sp++] = g->prog[pc].x;
			break;
		case OP_SPLIT:
			g->stack[sp++] = g->prog[pc].y;
			g->stack[sp++] = g->prog[pc].x;
			break;
		default:
			l[(*n)++] = pc;
		}
	}
}

static int class_has(const sl_globpat *g, const gclass *c, uint32_t cp)
{
	size_t i;
	int in = 0;

	if (cp == '/')
		return 0;
	for (i = 0; i < c->n && !in; i++)
		in = g->rng[c->first + i].lo <= cp && cp <= g->rng[c->first + i].hi;
	return in != c->neg;
}

static void next_gen(sl_globpat *g)
{
	if (++g->gen == 0) {
		memset(g->mark, 0, g->np * sizeof *g->mark);
		g->gen = 1;
	}
}

int sl_globpat_match(const sl_globpat *cg, const char *s)
{
	sl_globpat *g = (sl_globpat *)cg;     /* the work lists only */
	const unsigned char *p = (const unsigned char *)s;
	size_t nc = 0, nn, i;
	int *t;

	next_gen(g);
	addstate(g, g->cur, &nc, 0);
	while (*p && nc) {
		uint32_t cp = utf8_next(&p);
		next_gen(g);
		nn = 0;
		for (i = 0; i < nc; i++) {
			const gins *in = &g->prog[g->cur[i]];
			int ok = in->op == OP_ALL || (in->op == OP_ANY && cp != '/')
				|| (in->op == OP_CHAR && in->cp == cp)
				|| (in->op == OP_CLASS && class_has(g, &g->cls[in->cp], cp));
			if (ok)
				addstate(g, g->nxt, &nn, g->cur[i] + 1);
		}
		t = g->cur;
		g->cur = g->nxt;
		g->nxt = t;
		nc = nn;
	}
	if (*p)
		return 0;
	for (i = 0; i < nc; i++)
		if (g->prog[g->cur[i]].op == OP_MATCH)
			return 1;
	return 0;
}

size_t sl_globpat_prefix_len(const char *pat)
{
	return strcspn(pat, "*?[{\\");
}
