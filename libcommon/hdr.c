/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hdr.c -- Doris header options given as -H 'name:value', and the option
 * parsing every binary shares (-H, --data-dir, -h/--help, --version).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hdr.h"

static char *dupn(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		return 0;
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r' || (*p)[*n - 1] == '\n'))
		(*n)--;
}

static int add(sl_hdrs *h, const char *np, size_t nn, const char *vp, size_t vn)
{
	char *name, *value;

	trim(&np, &nn);
	trim(&vp, &vn);
	if (!nn)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		char **a = realloc(h->name, cap * sizeof *a);
		if (!a)
			return -1;
		h->name = a;
		a = realloc(h->value, cap * sizeof *a);
		if (!a)
			return -1;
		h->value = a;
		h->cap = cap;
	}
	name = dupn(np, nn);
	value = dupn(vp, vn);
	if (!name || !value) {
		free(name);
		free(value);
		errno = ENOMEM;
		return -1;
	}
	h->name[h->n] = name;
	h->value[h->n] = value;
	h->n++;
	return 1;
}

int sl_hdrs_add(sl_hdrs *h, const char *arg)
{
	const char *colon = strchr(arg, ':');

	if (!colon)
		return 0;
	return add(h, arg, (size_t)(colon - arg), colon + 1, strlen(colon + 1));
}

int sl_hdrs_append(sl_hdrs *h, const char *name, const char *value)
{
	return add(h, name, strlen(name), value, strlen(value));
}

int sl_hdrs_set(sl_hdrs *h, const char *name, const char *value)
{
	const char *np = name, *vp = value;
	size_t nn = strlen(name), vn = strlen(value), i, k;
	char *nv;

	trim(&np, &nn);
	trim(&vp, &vn);
	for (i = 0; i < h->n; i++)
		if (strlen(h->name[i]) == nn && !strncasecmp(h->name[i], np, nn))
			break;
	if (i == h->n)
		return add(h, np, nn, vp, vn);
	if (!(nv = dupn(vp, vn))) {
		errno = ENOMEM;
		return -1;
	}
	free(h->value[i]);
	h->value[i] = nv;
	/* the later ones of the name go: one name, one value */
	for (k = ++i; i < h->n; i++) {
		if (strlen(h->name[i]) == nn && !strncasecmp(h->name[i], np, nn)) {
			free(h->name[i]);
			free(h->value[i]);
			continue;
		}
		h->name[k] = h->name[i];
		h->value[k++] = h->value[i];
	}
	h->n = k;
	return 1;
}

const char *sl_hdrs_get(const sl_hdrs *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (!strcasecmp(h->name[i], name))
			return *h->value[i] ? h->value[i] : 0;
	return 0;
}

int sl_hdrs_bool(const sl_hdrs *h, const char *name)
{
	const char *v = sl_hdrs_get(h, name);

	return v && !strcasecmp(v, "true");
}

int sl_hdrs_ratio(const sl_hdrs *h, double *out)
{
	const char *v = sl_hdrs_get(h, "max_filter_ratio"), *p;
	char *end;
	double d;

	*out = 0;
	if (!v)
		return 1;
	while (*v == ' ' || *v == '\t')
		v++;
	p = v + (*v == '+' || *v == '-');
	/* Java spells its infinity Infinity and knows no inf or nan; strtod
	 * reads those words, Double.valueOf does not */
	if (!strncmp(p, "Infinity", 8) && !p[8 + strspn(p + 8, " \t")])
		return -1;
	if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9')))
		return 0;
	errno = 0;
	d = strtod(v, &end);
	if (end == v)
		return 0;
	if (*end == 'd' || *end == 'D' || *end == 'f' || *end == 'F')
		end++;
	end += strspn(end, " \t");
	if (*end || d != d)
		return 0;
	if (!(d >= 0 && d <= 1))
		return -1;
	*out = d;
	return 1;
}

void sl_hdrs_free(sl_hdrs *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->name[i]);
		free(h->value[i]);
	}
	free(h->name);
	free(h->value);
	h->name = h->value = 0;
	h->n = h->cap = 0;
}

int sl_opt_common(sl_opts *o, int argc, char **argv, int i)
{
	const char *a = argv[i];

	if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
		o->help = 1;
		return 1;
	}
	if (!strcmp(a, "--version")) {
		o->version = 1;
		return 1;
	}
	if (!strcmp(a, "-H")) {
		if (i + 1 >= argc)
			return -1;
		return sl_hdrs_add(&o->hdrs, argv[i + 1]) == 1 ? 2 : -1;
	}
	if (!strncmp(a, "-H", 2))
		return sl_hdrs_add(&o->hdrs, a + 2) == 1 ? 1 : -1;
	if (!strcmp(a, "--data-dir")) {
		if (i + 1 >= argc || !*argv[i + 1])
			return -1;
		o->data_dir = argv[i + 1];
		return 2;
	}
	if (!strncmp(a, "--data-dir=", 11)) {
		if (!a[11])
			return -1;
		o->data_dir = a + 11;
		return 1;
	}
	return 0;
}

const char *sl_data_dir(const char *explicit_dir)
{
	const char *e;

	if (explicit_dir)
		return explicit_dir;
	e = getenv("SL_DATA_DIR");
	if (e && *e)
		return e;
	return "./sl-data";
}

/* The leading number of s as C++'s std::sto* read it: white space, a
 * sign, digits; the rest is ignored. 1 with *out, 0 no digits. */
static int sto_start(const char **s)
{
	while (**s == ' ' || (**s >= '\t' && **s <= '\r'))
		(*s)++;
	return (**s >= '0' && **s <= '9') || ((**s == '-' || **s == '+') && (*s)[1] >= '0' && (*s)[1] <= '9');
}

int sl_stoll(const char *s, long long lo, long long hi, long long *out)
{
	long long v;

	if (!sto_start(&s))
		return 0;
	errno = 0;
	v = strtoll(s, NULL, 10);
	if (errno == ERANGE || v < lo || v > hi)
		return -1;
	*out = v;
	return 1;
}

int sl_stoull(const char *s, unsigned long long *out)
{
	unsigned long long v;

	if (!sto_start(&s))
		return 0;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno == ERANGE)
		return -1;
	*out = v;
	return 1;
}

