/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tzfile.c -- time zones from TZif files and POSIX TZ rules (tzfile.h).
 *
 * A zone is a table of transitions (UTC instant, offset from then on).
 * Past the table's end the footer rule generates the transitions of the
 * years around the asked instant into a small table of the same form, so
 * one lookup serves both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "calendar.h"
#include "tzfile.h"

#define TZIF_MAX (1u << 20)     /* larger than any real zone file */

/* ---- reading the file ---- */

static int read_file(const char *path, sl_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char tmp[8192];
	ssize_t r;

	if (fd < 0)
		return -1;
	while ((r = sl_fd_read(fd, tmp, sizeof tmp)) > 0) {
		if (b->len + (size_t)r > TZIF_MAX || sl_buf_put(b, tmp, (size_t)r) < 0) {
			close(fd);
			errno = b->len + (size_t)r > TZIF_MAX ? EPROTO : ENOMEM;
			return -1;
		}
	}
	close(fd);
	return r < 0 ? -1 : 1;
}

/* The six counts of a TZif header at p (44 bytes). */
struct tzhead { uint32_t isut, isstd, leap, time, type, chars; };

static void head_counts(const char *p, struct tzhead *h)
{
	h->isut = sl_u32_unpack(p + 20);
	h->isstd = sl_u32_unpack(p + 24);
	h->leap = sl_u32_unpack(p + 28);
	h->time = sl_u32_unpack(p + 32);
	h->type = sl_u32_unpack(p + 36);
	h->chars = sl_u32_unpack(p + 40);
}

/* Bytes of the data block after a header, with tsize-byte times. */
static uint64_t block_len(const struct tzhead *h, unsigned tsize)
{
	return (uint64_t)h->time * (tsize + 1) + (uint64_t)h->type * 6 + h->chars +
	    (uint64_t)h->leap * (tsize + 4) + h->isstd + h->isut;
}

/* Fill z from the data block at p (counts h, tsize-byte times). */
static int load_block(sl_tzfile *z, const char *p, const struct tzhead *h, unsigned tsize)
{
	const char *types = p + (size_t)h->time * tsize, *info = types + h->time;
	uint32_t i;

	if (!h->type || h->type > 256)
		return -1;
	z->at = malloc((h->time + 1) * sizeof *z->at);
	z->off = malloc((h->time + 1) * sizeof *z->off);
	if (!z->at || !z->off) {
		errno = ENOMEM;
		return -1;
	}
	/* before the first transition: the first standard-time type (as
	 * glibc), else type 0 */
	z->off0 = (int32_t)sl_u32_unpack(info);
	for (i = 0; i < h->type; i++)
		if (!info[i * 6 + 4]) {
			z->off0 = (int32_t)sl_u32_unpack(info + i * 6);
			break;
		}
	for (i = 0; i < h->time; i++) {
		unsigned char k = (unsigned char)types[i];
		if (k >= h->type)
			return -1;
		z->at[i] = tsize == 8 ? (int64_t)sl_u64_unpack(p + (size_t)i * 8) :
		    (int64_t)(int32_t)sl_u32_unpack(p + (size_t)i * 4);
		if (i && z->at[i] <= z->at[i - 1])
			return -1;
		z->off[i] = (int32_t)sl_u32_unpack(info + k * 6);
	}
	z->n = h->time;
	return 1;
}

static int parse_tzif(sl_tzfile *z, const char *p, size_t n)
{
	struct tzhead h;
	uint64_t len;
	const char *foot, *end;

	if (n < 44 || memcmp(p, "TZif", 4))
		return -1;
	head_counts(p, &h);
	len = block_len(&h, 4);
	if (p[4] == 0) {        /* version 1: 32-bit times, no footer */
		if (44 + len > n)
			return -1;
		return load_block(z, p + 44, &h, 4);
	}
	/* version 2+: skip the 32-bit block, read the 64-bit one */
	if (44 + len + 44 > n || memcmp(p + 44 + len, "TZif", 4))
		return -1;
	p += 44 + len;
	n -= 44 + len;
	head_counts(p, &h);
	len = block_len(&h, 8);
	if (44 + len > n || load_block(z, p + 44, &h, 8) < 0)
		return -1;
	foot = p + 44 + len;
	end = p + n;
	if (foot < end && *foot == '\n') {
		const char *nl = memchr(foot + 1, '\n', (size_t)(end - foot - 1));
		if (nl && nl > foot + 1)
			z->has_rule = sl_tzfile_rule(&z->rule, foot + 1, (size_t)(nl - foot - 1));
	}
	return 1;
}

int sl_tzfile_load(sl_tzfile *z, const char *path)
{
	sl_buf b = SL_BUF_ZERO;
	int r;

	memset(z, 0, sizeof *z);
	if (read_file(path, &b) < 0) {
		sl_buf_free(&b);
		return -1;
	}
	errno = EPROTO;
	r = parse_tzif(z, b.p, b.len);
	sl_buf_free(&b);
	if (r < 0) {
		sl_tzfile_free(z);
		return -1;
	}
	return 1;
}

void sl_tzfile_free(sl_tzfile *z)
{
	free(z->at);
	free(z->off);
	memset(z, 0, sizeof *z);
}

/* ---- POSIX TZ rules ---- */

/* A zone name: letters, or <...> with signs and digits too. */
static int rule_name(const char *s, size_t n, size_t *i)
{
	size_t b = *i;

	if (*i < n && s[*i] == '<') {
		while (*i < n && s[*i] != '>')
			(*i)++;
		if (*i >= n)
			return 0;
		(*i)++;
		return *i - b >= 5;     /* "<" + 3 characters + ">" */
	}
	while (*i < n && ((s[*i] >= 'A' && s[*i] <= 'Z') || (s[*i] >= 'a' && s[*i] <= 'z')))
		(*i)++;
	return *i - b >= 3;
}

/* [+-]hh[:mm[:ss]] -> seconds (hours up to 167, RFC 8536 extension). */
static int rule_time(const char *s, size_t n, size_t *i, int32_t *out)
{
	int neg = 0, part = 0;
	int32_t v[3] = { 0, 0, 0 };

	if (*i < n && (s[*i] == '+' || s[*i] == '-'))
		neg = s[(*i)++] == '-';
	for (;;) {
		int nd = 0;
		while (*i < n && s[*i] >= '0' && s[*i] <= '9' && nd < 3) {
			v[part] = v[part] * 10 + (s[(*i)++] - '0');
			nd++;
		}
		if (!nd)
			return 0;
		if (part == 2 || *i >= n || s[*i] != ':')
			break;
		(*i)++;
		part++;
	}
	if (v[0] > 167 || v[1] > 59 || v[2] > 59)
		return 0;
	*out = (v[0] * 3600 + v[1] * 60 + v[2]) * (neg ? -1 : 1);
	return 1;
}

static int rule_num(const char *s, size_t n, size_t *i, int lo, int hi, int *out)
{
	int v = 0, nd = 0;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && nd < 4) {
		v = v * 10 + (s[(*i)++] - '0');
		nd++;
	}
	*out = v;
	return nd && v >= lo && v <= hi;
}

/* ",Jn", ",n" or ",Mm.w.d", then an optional "/time" (default 02:00). */
static int rule_date(const char *s, size_t n, size_t *i, sl_tzrule_date *d)
{
	if (*i >= n || s[(*i)++] != ',')
		return 0;
	if (*i < n && s[*i] == 'M') {
		(*i)++;
		d->kind = 'M';
		if (!rule_num(s, n, i, 1, 12, &d->month) || *i >= n || s[(*i)++] != '.' ||
		    !rule_num(s, n, i, 1, 5, &d->week) || *i >= n || s[(*i)++] != '.' ||
		    !rule_num(s, n, i, 0, 6, &d->day))
			return 0;
	} else if (*i < n && s[*i] == 'J') {
		(*i)++;
		d->kind = 'J';
		if (!rule_num(s, n, i, 1, 365, &d->day))
			return 0;
	} else {
		d->kind = 'D';
		if (!rule_num(s, n, i, 0, 365, &d->day))
			return 0;
	}
	d->secs = 7200;
	if (*i < n && s[*i] == '/') {
		(*i)++;
		return rule_time(s, n, i, &d->secs);
	}
	return 1;
}

int sl_tzfile_rule(sl_tzrule *r, const char *s, size_t n)
{
	size_t i = 0;
	int32_t t;

	memset(r, 0, sizeof *r);
	if (!rule_name(s, n, &i) || !rule_time(s, n, &i, &t))
		return 0;
	r->std_off = -t;        /* POSIX offsets are west of UTC */
	if (i == n)
		return 1;
	if (!rule_name(s, n, &i))
		return 0;
	r->dst_off = r->std_off + 3600;
	if (i < n && s[i] != ',') {
		if (!rule_time(s, n, &i, &t))
			return 0;
		r->dst_off = -t;
	}
	if (!rule_date(s, n, &i, &r->start) || !rule_date(s, n, &i, &r->end) || i != n)
		return 0;
	r->has_dst = 1;
	return 1;
}

/* Days since the epoch of the day rule d names in year y. */
static int64_t rule_day(const sl_tzrule_date *d, int y)
{
	int64_t jan1 = sl_days_from_civil(y, 1, 1), first, day, wd;
	int leap = sl_days_in_month(y, 2) == 29;

	if (d->kind == 'J')
		return jan1 + d->day - 1 + (leap && d->day >= 60);
	if (d->kind == 'D')
		return jan1 + d->day;
	first = sl_days_from_civil(y, (unsigned)d->month, 1);
	wd = ((first + 4) % 7 + 7) % 7;        /* 1970-01-01 was a Thursday */
	day = first + (d->day - wd + 7) % 7 + (int64_t)(d->week - 1) * 7;
	if (day >= first + sl_days_in_month(y, d->month))
		day -= 7;       /* week 5: the last such day */
	return day;
}

/* The rule's transitions in years y-1..y+1, ascending, into at/off;
 * *off0 the offset before the first. Returns how many (0 or 6). */
static size_t rule_table(const sl_tzrule *r, int y, int64_t *at, int32_t *off, int32_t *off0)
{
	size_t k = 0, a, b;
	int yy;

	*off0 = r->std_off;
	if (!r->has_dst)
		return 0;
	for (yy = y - 1; yy <= y + 1; yy++) {
		/* the start is given in standard time, the end in daylight time */
		at[k] = rule_day(&r->start, yy) * 86400 + r->start.secs - r->std_off;
		off[k++] = r->dst_off;
		at[k] = rule_day(&r->end, yy) * 86400 + r->end.secs - r->dst_off;
		off[k++] = r->std_off;
	}
	for (a = 1; a < k; a++)          /* insertion sort of six */
		for (b = a; b > 0 && at[b] < at[b - 1]; b--) {
			int64_t t = at[b]; int32_t o = off[b];
			at[b] = at[b - 1]; off[b] = off[b - 1];
			at[b - 1] = t; off[b - 1] = o;
		}
	*off0 = off[0] == r->dst_off ? r->std_off : r->dst_off;
	return k;
}

/* ---- lookups ---- */

static int year_of(int64_t t)
{
	int y;
	unsigned m, d;
	int64_t days = t / 86400 - (t % 86400 < 0);

	sl_civil_from_days(days, &y, &m, &d);
	return y;
}

/* Number of transitions at or before t: at[0..k) <= t < at[k..n). */
static size_t table_count(const int64_t *at, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Offset at UTC second t in the table (at, off, n, off0). */
static int32_t table_offset(const int64_t *at, const int32_t *off, size_t n, int32_t off0, int64_t t)
{
	size_t k = table_count(at, n, t);

	return k ? off[k - 1] : off0;
}

/* UTC second of local second l in the table: the last transition whose
 * earlier local reading (before or after it) is <= l decides; inside its
 * gap or overlap the offset before it is used. Offsets are under 26
 * hours, so only transitions up to l + 26 h are candidates. */
static int64_t table_to_utc(const int64_t *at, const int32_t *off, size_t n, int32_t off0, int64_t l)
{
	size_t i = table_count(at, n, l + 26 * 3600);

	for (; i > 0; i--) {
		int32_t pre = i > 1 ? off[i - 2] : off0, post = off[i - 1];
		int64_t t = at[i - 1];
		if (t + (pre < post ? pre : post) <= l)
			return l < t + (pre > post ? pre : post) ? l - pre : l - post;
	}
	return l - off0;
}

int32_t sl_tzfile_offset(const sl_tzfile *z, int64_t t)
{
	int64_t at[6];
	int32_t off[6], off0;
	size_t k;

	if (!z->has_rule || (z->n && t < z->at[z->n - 1]))
		return table_offset(z->at, z->off, z->n, z->off0, t);
	k = rule_table(&z->rule, year_of(t), at, off, &off0);
	return table_offset(at, off, k, off0, t);
}

int64_t sl_tzfile_to_utc(const sl_tzfile *z, int64_t l)
{
	int64_t at[6];
	int32_t off[6], off0;
	size_t k;

	/* a day of margin: offsets are under 26 hours */
	if (!z->has_rule || (z->n && l < z->at[z->n - 1] + 86400))
		return table_to_utc(z->at, z->off, z->n, z->off0, l);
	k = rule_table(&z->rule, year_of(l), at, off, &off0);
	return table_to_utc(at, off, k, off0, l);
}
