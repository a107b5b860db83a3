/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csvsplit.c -- plain CSV splitting for sl-parse (csvsplit.h).
 *
 * The hot loop is: memchr/memmem for the line delimiter over a large read
 * buffer, then one pass over the line that finds one-byte separators 16
 * bytes at a time (SSE2 compare + movemask) and notes whether any byte has
 * its high bit set, so pure-ASCII lines skip UTF-8 validation. No function
 * is called per byte, and nothing is allocated per line.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sl.h"
#include "io.h"
#include "input.h"
#include "csvsplit.h"

#include <csv.h>

#define READ_CHUNK (1u << 20)

/* ---- line reader ---- */

int sl_lines_init(sl_lines *l, int fd, const char *delim, size_t dlen, size_t max)
{
	memset(l, 0, sizeof *l);
	if (!dlen) {
		errno = EINVAL;
		return -1;
	}
	l->fd = fd;
	l->delim = delim;
	l->dlen = dlen;
	l->crlf = dlen == 1 && delim[0] == '\n';
	l->max = max ? max : 1;
	l->cap = 2 * READ_CHUNK;
	l->buf = malloc(l->cap + SL_CSV_PAD);
	if (!l->buf) {
		errno = ENOMEM;
		return -1;
	}
	return 1;
}

void sl_lines_free(sl_lines *l)
{
	free(l->buf);
	l->buf = 0;
}

static const char *find_delim(const sl_lines *l, const char *p, size_t n)
{
	if (l->dlen == 1)
		return memchr(p, (unsigned char)l->delim[0], n);
	return memmem(p, n, l->delim, l->dlen);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read more input after l->end, compacting or growing the buffer first.
 * 1 got data, 0 EOF, -1 error. */
static int refill(sl_lines *l)
{
	size_t keep = l->end - l->start;
	uint64_t t0;
	ssize_t got;

	if (l->start && l->cap - l->end < READ_CHUNK) {
		memmove(l->buf, l->buf + l->start, keep);
		l->scan -= l->start;
		l->end = keep;
		l->start = 0;
	}
	if (l->cap - l->end < READ_CHUNK / 4) {
		/* a long line: grow, but never past what max needs */
		size_t limit = l->max + l->dlen + READ_CHUNK, cap = l->cap * 2;
		char *p;
		if (cap > limit)
			cap = limit;
		if (cap > l->cap) {
			p = realloc(l->buf, cap + SL_CSV_PAD);
			if (!p) {
				errno = ENOMEM;
				return -1;
			}
			l->buf = p;
			l->cap = cap;
		}
	}
	if (l->before_block) {
		struct pollfd pfd = { l->fd, POLLIN, 0 };
		if (poll(&pfd, 1, 0) == 0)
			l->before_block(l->arg);
	}
	t0 = mono_ns();
	if (l->in) {
		got = sl_input_read(l->in, l->buf + l->end, l->cap - l->end);
		l->nread = sl_input_raw_bytes(l->in);
	} else {
		got = sl_fd_read(l->fd, l->buf + l->end, l->cap - l->end);
	}
	l->read_ns += mono_ns() - t0;
	if (got < 0)
		return -1;
	if (got == 0) {
		l->eof = 1;
		return 0;
	}
	l->end += (size_t)got;
	if (!l->in)
		l->nread += (uint64_t)got;
	return 1;
}

static int emit(sl_lines *l, sl_line *ln, const char *p, size_t n, int toolong, int nodelim)
{
	if (l->crlf && !toolong && n && p[n - 1] == '\r')
		n--;
	ln->p = p;
	ln->n = n;
	ln->toolong = toolong;
	ln->nodelim = nodelim;
	ln->lineno = ++l->lineno;
	return 1;
}

int sl_lines_next(sl_lines *l, sl_line *ln)
{
	for (;;) {
		const char *s = l->buf + l->start, *d;
		size_t have = l->end - l->start;

		if (l->scan < l->start)
			l->scan = l->start;
		d = find_delim(l, l->buf + l->scan, l->end - l->scan);
		if (d) {
			size_t n = (size_t)(d - s);
			l->start = l->scan = (size_t)(d - l->buf) + l->dlen;
			if (l->skipping) {
				l->skipping = 0;
				continue;
			}
			if (n > l->max)
				return emit(l, ln, s, l->max, 1, 0);
			return emit(l, ln, s, n, 0, 0);
		}
		if (l->eof) {
			if (!have) {
				l->skipping = 0;
				return 0;
			}
			l->start = l->scan = l->end;
			if (l->skipping) {
				l->skipping = 0;
				return 0;
			}
			if (have > l->max)
				return emit(l, ln, s, l->max, 1, 1);
			return emit(l, ln, s, have, 0, 1);
		}
		/* bytes that can no longer be the start of a delimiter */
		if (have >= l->dlen && have - (l->dlen - 1) > l->max) {
			if (l->skipping) {
				l->start = l->scan = l->end - (l->dlen - 1);
			} else {
				/* report the first max bytes now; skip the rest later */
				l->skipping = 1;
				l->start = l->scan = l->end - (l->dlen - 1);
				return emit(l, ln, s, l->max, 1, 0);
			}
		} else {
			l->scan = l->end >= l->dlen - 1 + l->start ? l->end - (l->dlen - 1) : l->start;
		}
		if (refill(l) < 0)
			return -1;
	}
}

/* ---- fields ---- */

#define PUT(fp, fn) do { if (k < max) { out[k].p = (fp); out[k].n = (uint32_t)(fn); } k++; } while (0)

size_t sl_csv_split(const char *p, size_t n, const char *sep, size_t slen,
	sl_field *out, size_t max, int *ascii)
{
	const char *e = p + n, *f = p;
	size_t k = 0;

	if (slen == 1) {
		const unsigned char c = (unsigned char)sep[0];
		const char *q = p;
		unsigned hi = 0;
#ifdef __SSE2__
		const __m128i vs = _mm_set1_epi8((char)c);
		while (e - q >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vs));
			hi |= (unsigned)_mm_movemask_epi8(v);
			while (m) {
				const char *at = q + __builtin_ctz(m);
				PUT(f, at - f);
				f = at + 1;
				m &= m - 1;
			}
			q += 16;
		}
#endif
		for (; q < e; q++) {
			hi |= (unsigned char)*q & 0x80;
			if ((unsigned char)*q == c) {
				PUT(f, q - f);
				f = q + 1;
			}
		}
		PUT(f, e - f);
		if (ascii)
			*ascii = !hi;
		return k;
	}
	for (;;) {
		const char *q = memmem(f, (size_t)(e - f), sep, slen);
		if (!q)
			break;
		PUT(f, q - f);
		f = q + slen;
	}
	PUT(f, e - f);
	if (ascii) {
		const char *q = p;
		uint64_t acc = 0;
		while (e - q >= 8) {
			uint64_t w;
			memcpy(&w, q, 8);
			acc |= w;
			q += 8;
		}
		for (; q < e; q++)
			acc |= (unsigned char)*q;
		*ascii = !(acc & 0x8080808080808080ull);
	}
	return k;
}

/* ---- enclosed CSV with libcsv ---- */

/* libcsv's parser states (csv.c) */
#define Q_ROW_NOT_BEGUN 0
#define Q_FIELD_NOT_BEGUN 1
#define Q_FIELD_BEGUN 2
#define Q_FIELD_MIGHT_HAVE_ENDED 3

struct sl_csvq {
	sl_lines *l;
	struct csv_parser p;
	char *sep;              /* the column separator (owned copy) */
	size_t slen;
	unsigned char enc, term;
	int esc, flags;
	unsigned char stop[256];        /* bytes q_line looks at itself */
	size_t max;
	uint64_t skip;
	int first, swallow, eof;
	int unq;                /* the open field began enclosed and went on
	                         * after its closing byte (q_unquote) */
	sl_buf data;            /* field bytes of the current record */
	size_t *off;            /* field i: data[off[2i] .. +off[2i+1]) */
	size_t nf, cap;
	size_t recbytes;
	uint64_t lineno;
	int ready, nomem;
	sl_field *f;
	size_t fcap;
};

/* libcsv ends a row only at the byte q_line feeds for a line delimiter
 * outside an enclosed field (with this set), never at a data byte. */
static int q_term_armed;
static int q_no_space(unsigned char c) { (void)c; return 0; }
static int q_term(unsigned char c) { (void)c; return q_term_armed; }

static void q_field(void *s, size_t n, void *arg)
{
	sl_csvq *q = arg;

	if (q->nf == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		size_t *o = realloc(q->off, 2 * cap * sizeof *o);
		if (!o) {
			q->nomem = 1;
			return;
		}
		q->off = o;
		q->cap = cap;
	}
	/* Doris strips a field's first and last bytes when both are the
	 * enclose byte, also when text followed the closing one ('a\'b') */
	if (q->unq) {
		q->unq = 0;
		if (n >= 2 && ((unsigned char *)s)[n - 1] == q->enc) {
			s = (char *)s + 1;
			n -= 2;
		}
	}
	q->off[2 * q->nf] = q->data.len;
	q->off[2 * q->nf + 1] = n;
	q->nf++;
	if (n && sl_buf_put(&q->data, s, n) < 0)
		q->nomem = 1;
}

static void q_row(int c, void *arg)
{
	sl_csvq *q = arg;
	(void)c;
	q->ready = 1;
}

/* libcsv's separator is the separator's first byte (all of it when it is
 * one byte); for a longer one q_line decides which of those bytes start
 * a separator. */
static int q_setup(sl_csvq *q)
{
	if (csv_init(&q->p, 0) != 0)
		return -1;
	csv_set_delim(&q->p, (unsigned char)q->sep[0]);
	csv_set_quote(&q->p, q->enc);
	csv_set_space_func(&q->p, q_no_space);
	csv_set_term_func(&q->p, q_term);
	return 0;
}

sl_csvq *sl_csvq_new(sl_lines *l, const char *sep, size_t slen, unsigned char enclose,
	int escape, int flags, size_t max, uint64_t skip)
{
	static const unsigned char terms[] = { '\n', '\r', 0 };
	sl_csvq *q;
	size_t i;

	if (!slen) {
		errno = EINVAL;
		return 0;
	}
	q_term_armed = 0;       /* a parser before this one stopped in q_line (spawn.h) */
	q = calloc(1, sizeof *q);
	if (!q || !(q->sep = malloc(slen))) {
		free(q);
		errno = ENOMEM;
		return 0;
	}
	memcpy(q->sep, sep, slen);
	q->slen = slen;
	q->l = l;
	q->enc = enclose;
	q->esc = escape;
	q->flags = flags;
	q->max = max;
	q->skip = skip;
	q->first = 1;
	/* the byte fed for a line delimiter: neither libcsv's separator nor
	 * its quote, which it would see first */
	for (i = 0; i < sizeof terms; i++)
		if (terms[i] != (unsigned char)sep[0] && terms[i] != enclose)
			break;
	q->term = terms[i];
	q->stop[enclose] = 1;
	if (escape >= 0)
		q->stop[escape] = 1;
	if (slen > 1)
		q->stop[(unsigned char)sep[0]] = 1;
	if (q_setup(q) < 0) {
		free(q->sep);
		free(q);
		errno = ENOMEM;
		return 0;
	}
	return q;
}

void sl_csvq_free(sl_csvq *q)
{
	if (!q)
		return;
	csv_free(&q->p);
	sl_buf_free(&q->data);
	free(q->off);
	free(q->f);
	free(q->sep);
	free(q);
}

static void q_feed(sl_csvq *q, const void *p, size_t n)
{
	if (n && csv_parse(&q->p, p, n, q_field, q_row, q) != n)
		q->nomem = 1;
}

/* Inside an enclosed field (not after its closing byte). */
static int q_inside(const sl_csvq *q)
{
	return q->p.quoted && q->p.pstate == Q_FIELD_BEGUN;
}

/* A whole separator at x. */
static int q_at_sep(const sl_csvq *q, const char *x, const char *e)
{
	return (size_t)(e - x) >= q->slen && !memcmp(x, q->sep, q->slen);
}

/* One byte as data: the first byte of a multi-byte separator that does
 * not start one is hidden from libcsv's separator test. */
static void q_lit(sl_csvq *q, const char *x)
{
	if (q->slen > 1 && *x == q->sep[0] && !q_inside(q)) {
		csv_set_delim(&q->p, (unsigned char)(q->sep[0] ^ 1));
		q_feed(q, x, 1);
		csv_set_delim(&q->p, (unsigned char)q->sep[0]);
		return;
	}
	q_feed(q, x, 1);
}

/* libcsv keeps a quoted field open after its closing quote when another
 * byte follows ("g"hi); Doris ends the enclosed part there and keeps the
 * rest, quotes included, as one unenclosed field. Switch libcsv's state
 * to an unquoted field whose text so far is the opening quote plus what
 * it has (which ends with the closing quote). */
static void q_unquote(sl_csvq *q)
{
	struct csv_parser *p = &q->p;

	if (p->entry_pos + 1 > p->entry_size) {
		unsigned char *b = realloc(p->entry_buf, p->entry_pos + 64);
		if (!b) {
			q->nomem = 1;
			return;
		}
		p->entry_buf = b;
		p->entry_size = p->entry_pos + 64;
	}
	memmove(p->entry_buf + 1, p->entry_buf, p->entry_pos);
	p->entry_buf[0] = q->enc;
	p->entry_pos++;
	p->quoted = 0;
	p->pstate = Q_FIELD_BEGUN;
	q->unq = 1;
}

/* Feed one physical line (without its delimiter), then the delimiter
 * unless the line had none (the body's last line): libcsv does the
 * quoting; the escape byte, doubled enclose bytes kept as two, separators
 * longer than a byte, line delimiters, and Doris's text after the closing
 * quote are handled here, between calls, from libcsv's own state. */
static void q_line(sl_csvq *q, const char *p, size_t n, int nodelim)
{
	const char *e = p + n, *x;

	while (p < e) {
		unsigned char c;
		for (x = p; x < e && !q->stop[(unsigned char)*x]; x++)
			;
		q_feed(q, p, (size_t)(x - p));
		if (x == e) {
			p = e;
			break;
		}
		c = (unsigned char)*x;
		/* an escape that is also the enclose byte (escape:" with
		 * enclose:") opens and closes enclosed fields as the enclose
		 * does, "" inside one being one byte (RFC 4180); in an
		 * unenclosed field it escapes the next byte */
		if (c == q->enc && (q->esc != q->enc || q_inside(q) ||
		    q->p.pstate == Q_ROW_NOT_BEGUN || q->p.pstate == Q_FIELD_NOT_BEGUN)) {
			int was_in = q_inside(q);
			if (x + 1 < e && (unsigned char)x[1] == q->enc &&
			    (was_in || (q->esc >= 0 && q->p.pstate == Q_FIELD_BEGUN))) {
				/* doubled: libcsv makes one byte of it inside an
				 * enclosed field; Doris keeps both there unless it
				 * unescapes (escape set, which also collapses one
				 * outside) or SL_CSVQ_COLLAPSE asks for RFC 4180 */
				q_feed(q, x, was_in ? 2 : 1);
				if (was_in && q->esc < 0 && !(q->flags & SL_CSVQ_COLLAPSE))
					q_feed(q, x, 2);
				p = x + 2;
				continue;
			}
			q_feed(q, x, 1);
			p = x + 1;
			if (was_in && q->p.pstate == Q_FIELD_MIGHT_HAVE_ENDED && p < e &&
			    !q_at_sep(q, p, e))
				q_unquote(q);
			continue;
		}
		if (q->esc >= 0 && c == (unsigned char)q->esc) {
			if (x + 1 == e) {          /* at the end of a line: literal */
				q_feed(q, x, 1);
				p = e;
				break;
			}
			c = (unsigned char)x[1];
			if (q_inside(q)) {
				q_feed(q, x + 1, 1);
				if (c == q->enc)   /* a doubled enclose is one, for libcsv */
					q_feed(q, x + 1, 1);
				p = x + 2;
			} else if (q_at_sep(q, x + 1, e)) {
				q_feed(q, x, 1);   /* kept; the separator still splits */
				p = x + 1;
			} else if (c == 'N' || (c == q->enc && q->p.pstate != Q_FIELD_BEGUN)) {
				q_feed(q, x, 2);
				p = x + 2;
			} else {
				q_lit(q, x + 1);
				p = x + 2;
			}
			continue;
		}
		/* the first byte of a multi-byte separator */
		if (!q_inside(q) && q_at_sep(q, x, e)) {
			q_feed(q, x, 1);
			p = x + q->slen;
		} else {
			q_lit(q, x);
			p = x + 1;
		}
	}
	if (nodelim)
		return;
	if (q_inside(q)) {
		q_feed(q, q->l->delim, q->l->dlen);
	} else {
		q_term_armed = 1;
		q_feed(q, &q->term, 1);
		q_term_armed = 0;
	}
}

static int q_emit(sl_csvq *q, sl_qrec *r, int toolong)
{
	size_t i;

	if (q->nomem) {
		errno = ENOMEM;
		return -1;
	}
	if (q->nf > q->fcap) {
		sl_field *f = realloc(q->f, q->nf * sizeof *f);
		if (!f) {
			errno = ENOMEM;
			return -1;
		}
		q->f = f;
		q->fcap = q->nf;
	}
	if (sl_buf_reserve(&q->data, SL_CSV_PAD) < 0)
		return -1;
	for (i = 0; i < q->nf; i++) {
		q->f[i].p = q->data.p + q->off[2 * i];
		q->f[i].n = (uint32_t)q->off[2 * i + 1];
	}
	r->nf = q->nf;
	r->f = q->f;
	r->toolong = toolong;
	r->lineno = q->lineno;
	return 1;
}

static void q_reset(sl_csvq *q)
{
	q->nf = 0;
	q->data.len = 0;
	q->recbytes = 0;
	q->ready = 0;
}

int sl_csvq_next(sl_csvq *q, sl_qrec *r)
{
	sl_line ln;
	int k;

	q_reset(q);
	for (;;) {
		if (q->eof)
			return 0;
		k = sl_lines_next(q->l, &ln);
		if (k < 0)
			return -1;
		if (k == 0) {
			q->eof = 1;
			if (q->swallow)
				return 0;
			/* an enclosed field still open swallows the rest of the
			 * body: it keeps its opening enclose byte (Doris strips
			 * first and last only when both are enclose bytes) */
			if (q->p.quoted && q->p.pstate == Q_FIELD_BEGUN)
				q_unquote(q);
			csv_fini(&q->p, q_field, q_row, q);
			if (q->ready || q->nf)
				return q_emit(q, r, 0);
			return 0;
		}
		if (q->first) {
			q->first = 0;
			if (ln.n >= 3 && !memcmp(ln.p, "\xEF\xBB\xBF", 3)) {
				ln.p += 3;
				ln.n -= 3;
			}
		}
		if (q->skip) {
			q->skip--;
			continue;
		}
		if (q->swallow)
			continue;
		if (q->p.pstate == Q_ROW_NOT_BEGUN && !q->nf)
			q->lineno = ln.lineno;
		q->recbytes += ln.n + 1;
		if (ln.toolong || q->recbytes > q->max) {
			/* keep what fits for the error record, then recover */
			int inquote = !ln.toolong && q->p.quoted;
			q->unq = 0;
			if (!q->nf && !q->data.len)
				q_field((void *)(uintptr_t)ln.p, ln.n < 1024 ? ln.n : 1024, q);
			csv_free(&q->p);
			if (q_setup(q) < 0) {
				errno = ENOMEM;
				return -1;
			}
			if (inquote)
				q->swallow = 1;
			return q_emit(q, r, 1);
		}
		q_line(q, ln.p, ln.n, ln.nodelim);
		if (q->nomem) {
			errno = ENOMEM;
			return -1;
		}
		if (q->ready)
			return q_emit(q, r, 0);
	}
}

/* ---- the first record of a body's start ---- */

static int first_fields(const sl_field *f, size_t k, sl_buf *out, size_t *nf)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (sl_buf_put(out, f[i].p, f[i].n) < 0 || sl_buf_putc(out, 0) < 0)
			return -1;
	*nf = k;
	return 1;
}

/* One line split at the separator (a copy of the fields, so the array
 * may grow past what the stack holds). */
static int first_split(const char *p, size_t n, const sl_csvfmt *fmt, sl_buf *out, size_t *nf)
{
	sl_field small[64], *f = small;
	size_t k = sl_csv_split(p, n, fmt->sep, fmt->slen, small, SL_ARRAY_LEN(small), 0);
	int r;

	if (k > SL_ARRAY_LEN(small)) {
		if (!(f = malloc(k * sizeof *f))) {
			errno = ENOMEM;
			return -1;
		}
		sl_csv_split(p, n, fmt->sep, fmt->slen, f, k, 0);
	}
	r = first_fields(f, k, out, nf);
	if (f != small)
		free(f);
	return r;
}

static int first_plain(sl_lines *l, int end, const sl_csvfmt *fmt, sl_buf *out, size_t *nf)
{
	uint64_t skip = fmt->skip;
	int first = 1, r;
	sl_line ln;

	while ((r = sl_lines_next(l, &ln)) > 0) {
		const char *p = ln.p;
		size_t n = ln.n;

		if (ln.nodelim && !end)
			return 0;       /* the line may go on */
		if (first) {
			first = 0;
			if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
				p += 3;
				n -= 3;
			}
		}
		if (skip) {
			skip--;
			continue;
		}
		if (n)
			return first_split(p, n, fmt, out, nf);
	}
	return r;
}

static int first_enclosed(sl_lines *l, size_t max, int end, const sl_csvfmt *fmt, sl_buf *out, size_t *nf)
{
	sl_csvq *q = sl_csvq_new(l, fmt->sep, fmt->slen, (unsigned char)fmt->enclose, fmt->escape,
	    fmt->flags, max, fmt->skip);
	sl_qrec rec;
	int r;

	if (!q)
		return -1;
	r = sl_csvq_next(q, &rec);
	/* a record that reached the end of the bytes may go on */
	if (r > 0 && l->eof && !end)
		r = 0;
	if (r > 0)
		r = first_fields(rec.f, rec.nf, out, nf);
	sl_csvq_free(q);
	return r;
}

int sl_csv_first(const char *p, size_t n, int end, const sl_csvfmt *fmt, sl_buf *out, size_t *nf)
{
	sl_lines l;
	const char *err;
	int r;

	*nf = 0;
	/* no line or record is longer than the bytes: none is cut */
	if (sl_lines_init(&l, -1, fmt->delim, fmt->dlen, n + 2) < 0)
		return -1;
	if (!(l.in = sl_input_open_mem(p, n, NULL, &err))) {
		sl_lines_free(&l);
		return -1;
	}
	if (fmt->enclose >= 0)
		r = first_enclosed(&l, n + 2, end, fmt, out, nf);
	else
		r = first_plain(&l, end, fmt, out, nf);
	sl_input_close(l.in);
	sl_lines_free(&l);
	return r;
}
