/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.c -- the row stream: a buffered reader that validates frames and
 * the end-of-stream rules, a buffered writer that batches frames into large
 * writes (or hands them to the terminal printer, print.h), and the C-frame
 * key/value map. See frame.h and man/sl-stream.5.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "sl.h"
#include "io.h"
#include "frame.h"
#include "print.h"

#define RBUF_MIN (1u << 20)
#define WBUF_CAP (1u << 20)


sl_io_tally sl_tally;

/* ---- the buffers of the programs run in this process (sl_frame_track) ---- */

#define TRACK_MAX 16
static int tracking;
static void *tracked[TRACK_MAX];

/* Buffer old (NULL: none) became new (NULL: freed). */
static void track(void *old, void *new)
{
	size_t i;

	if (!tracking)
		return;
	for (i = 0; i < TRACK_MAX; i++)
		if (tracked[i] == old) {
			tracked[i] = new;
			return;
		}
}

void sl_frame_track(int how)
{
	size_t i;

	for (i = 0; i < TRACK_MAX; i++) {
		if (how == 0)
			free(tracked[i]);
		tracked[i] = NULL;
	}
	tracking = how == 1;
}

static int known_type(unsigned char t)
{
	return t == 'H' || t == 'R' || t == 'F' || t == 'C' || t == 'X' || t == 'E';
}

int sl_reader_init(sl_reader *r, int fd)
{
	const char *e = getenv("SL_FRAME_MAX");

	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->max = SL_FRAME_MAX_DEFAULT;
	if (e && *e) {
		unsigned long v = strtoul(e, 0, 10);
		if (v >= 1024 && v <= 0x7fffffffUL)
			r->max = (uint32_t)v;
	}
	r->cap = RBUF_MIN;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		errno = ENOMEM;
		return -1;
	}
	track(NULL, r->buf);
	return 1;
}

void sl_reader_free(sl_reader *r)
{
	track(r->buf, NULL);
	free(r->buf);
	r->buf = 0;
}

/* Make at least n bytes available at buf+start. 1 ok, 0 EOF before n
 * (with fewer bytes available), -1 error. */
static int fill(sl_reader *r, size_t n)
{
	while (r->end - r->start < n) {
		ssize_t got;

		if (r->start + n > r->cap) {
			if (n > r->cap) {
				size_t cap = r->cap;
				char *p;
				while (cap < n)
					cap *= 2;
				p = realloc(r->buf, cap);
				if (!p) {
					errno = ENOMEM;
					return -1;
				}
				track(r->buf, p);
				r->buf = p;
				r->cap = cap;
			}
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->deadline_ms) {
			struct pollfd pfd = { r->fd, POLLIN, 0 };
			int64_t left = r->deadline_ms - sl_mono_ms();
			int pr;
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			pr = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
			if (pr < 0 && errno != EINTR)
				return -1;
			if (pr <= 0)
				continue;
		}
		if (r->flush && r->flush->len && !r->flush->err) {
			struct pollfd pfd = { r->fd, POLLIN, 0 };
			/* a failed flush stays sticky in the writer: the stage
			 * reports it as a write error at its next write */
			if (poll(&pfd, 1, 0) == 0)
				(void)sl_writer_flush(r->flush);
		}
		got = sl_fd_read(r->fd, r->buf + r->end, r->cap - r->end);
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		r->end += (size_t)got;
	}
	return 1;
}

static int rfail(sl_reader *r, int e)
{
	r->last_err = e;
	errno = e;
	return -1;
}

int sl_frame_read(sl_reader *r, sl_frame *f)
{
	for (;;) {
		const char *h;
		uint32_t len;
		int k;

		k = fill(r, SL_FRAME_HDR);
		if (k < 0)
			return rfail(r, errno);
		if (k == 0) {
			size_t have = r->end - r->start;
			if (!have && r->seen_end)
				return 0;
			/* a short first read that cannot begin a frame is not a stream */
			if (r->nbytes == 0 && have) {
				h = r->buf + r->start;
				if (!known_type((unsigned char)h[0]) || (have > 2 && h[2]) || (have > 3 && h[3]))
					return rfail(r, EPROTO);
			}
			return rfail(r, EPIPE);
		}
		h = r->buf + r->start;
		f->type = (unsigned char)h[0];
		f->flags = (unsigned char)h[1];
		len = sl_u32_unpack(h + 4);
		if (h[2] || h[3] || !(known_type(f->type) || (f->type >= 'a' && f->type <= 'z')))
			return rfail(r, EPROTO);
		if (r->seen_end)
			return rfail(r, EPROTO);
		if (len > r->max)
			return rfail(r, ERANGE);
		if (r->nbytes == 0 && f->type != 'H' && f->type != 'C' && f->type != 'X' &&
		    !(f->type >= 'a' && f->type <= 'z'))
			return rfail(r, EPROTO);
		if ((f->type == 'R' || f->type == 'F' || f->type == 'E') && !r->seen_header)
			return rfail(r, EPROTO);
		k = fill(r, SL_FRAME_HDR + (size_t)len);
		if (k < 0)
			return rfail(r, errno);
		if (k == 0)
			return rfail(r, EPIPE);
		h = r->buf + r->start;
		f->len = len;
		f->p = h + SL_FRAME_HDR;
		if (f->type == 'H') {
			if (len < 8 || memcmp(f->p, SL_MAGIC, 4))
				return rfail(r, EPROTO);
			if (!r->seen_header && (f->flags & SL_H_CRC)) {
				r->crc_on = 1;
				r->crc = (uint32_t)crc32(0L, Z_NULL, 0);
			}
			r->seen_header = 1;
		} else if (f->type == 'E') {
			uint64_t n;
			if (len != 8 + ((f->flags & SL_E_CRC) ? 4u : 0u))
				return rfail(r, EPROTO);
			n = sl_u64_unpack(f->p);
			if (n != r->nrows)
				return rfail(r, EPROTO);
			if ((f->flags & SL_E_CRC) && r->crc_on && sl_u32_unpack(f->p + 8) != r->crc)
				return rfail(r, EPROTO);
			r->seen_end = 1;
		} else if (f->type == 'R') {
			r->nrows++;
			sl_tally.rows_in++;
		}
		if (r->crc_on && f->type != 'E')
			r->crc = (uint32_t)crc32(r->crc, (const unsigned char *)h, SL_FRAME_HDR + len);
		r->start += SL_FRAME_HDR + (size_t)len;
		r->nbytes += SL_FRAME_HDR + (uint64_t)len;
		sl_tally.bytes_in += SL_FRAME_HDR + (uint64_t)len;
		if (f->type >= 'a' && f->type <= 'z')
			continue;
		return 1;
	}
}

const char *sl_reader_errstr(const sl_reader *r, int err)
{
	static char msg[256];

	switch (err) {
	case EPROTO:
		if (r->nbytes == 0)
			snprintf(msg, sizeof msg, "stdin is not an sl stream");
		else if (r->seen_end)
			snprintf(msg, sizeof msg, "data after the end of stream at byte %" PRIu64, r->nbytes);
		else
			snprintf(msg, sizeof msg, "malformed frame at byte %" PRIu64, r->nbytes);
		break;
	case ERANGE:
		snprintf(msg, sizeof msg, "frame too large (%" PRIu32 " bytes) at byte %" PRIu64 " (limit %" PRIu32 ", see SL_FRAME_MAX)",
		    r->end - r->start >= SL_FRAME_HDR ? sl_u32_unpack(r->buf + r->start + 4) : 0, r->nbytes, r->max);
		break;
	case EPIPE:
		if (r->nbytes == 0 && r->end == r->start)
			snprintf(msg, sizeof msg, "empty input: stdin is not an sl stream");
		else
			snprintf(msg, sizeof msg, "truncated stream at byte %" PRIu64 " (no end frame)", r->nbytes + (r->end - r->start));
		break;
	case ETIMEDOUT:
		snprintf(msg, sizeof msg, "timed out reading stdin");
		break;
	default:
		snprintf(msg, sizeof msg, "unable to read stdin: %s", strerror(err));
	}
	return msg;
}

long sl_fields_parse(const char *p, size_t len, sl_field *out, size_t max)
{
	size_t off = 0;
	long n = 0;

	while (off < len) {
		uint32_t fl;
		if (len - off < 4) {
			errno = EPROTO;
			return -1;
		}
		fl = sl_u32_unpack(p + off);
		off += 4;
		if (fl != SL_NULL_LEN && fl != SL_ABSENT_LEN) {
			if (fl > len - off) {
				errno = EPROTO;
				return -1;
			}
		}
		if ((size_t)n < max) {
			out[n].p = p + off;
			out[n].n = fl;
		}
		if (fl != SL_NULL_LEN && fl != SL_ABSENT_LEN)
			off += fl;
		n++;
	}
	return n;
}

long sl_header_parse(const sl_frame *f, sl_colspec *out, size_t max)
{
	uint32_t ncols, i;
	size_t off = 8;

	if (f->type != 'H' || f->len < 8 || memcmp(f->p, SL_MAGIC, 4)) {
		errno = EPROTO;
		return -1;
	}
	ncols = sl_u32_unpack(f->p + 4);
	for (i = 0; i < ncols; i++) {
		sl_field fl[2];
		int j;
		for (j = 0; j < 2; j++) {
			uint32_t n;
			if (f->len - off < 4) {
				errno = EPROTO;
				return -1;
			}
			n = sl_u32_unpack(f->p + off);
			off += 4;
			if (n == SL_NULL_LEN || n > f->len - off) {
				errno = EPROTO;
				return -1;
			}
			fl[j].p = f->p + off;
			fl[j].n = n;
			off += n;
		}
		if (i < max) {
			out[i].name = fl[0];
			out[i].type = fl[1];
		}
	}
	if (off != f->len) {
		errno = EPROTO;
		return -1;
	}
	return (long)ncols;
}

/* ---- writer ---- */

static int tty_text(sl_writer *w, const char *s, size_t n);

static int tty_put(void *arg, const char *s, size_t n)
{
	return tty_text(arg, s, n);
}

int sl_writer_init(sl_writer *w, int fd)
{
	const char *e = getenv("SL_FRAME_CRC");

	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->cap = WBUF_CAP;
	w->buf = malloc(w->cap);
	if (!w->buf) {
		errno = ENOMEM;
		return -1;
	}
	track(NULL, w->buf);
	if (isatty(fd)) {
		w->tty = malloc(sizeof *w->tty);
		if (!w->tty) {
			track(w->buf, NULL);
			free(w->buf);
			w->buf = 0;
			errno = ENOMEM;
			return -1;
		}
		sl_print_init(w->tty, tty_put, w);
	}
	w->crc_on = e && !strcmp(e, "1");
	w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	w->row_start = SIZE_MAX;
	return 1;
}

void sl_writer_free(sl_writer *w)
{
	track(w->buf, NULL);
	free(w->buf);
	w->buf = 0;
	free(w->trow);
	w->trow = 0;
	if (w->tty) {
		sl_print_free(w->tty);
		free(w->tty);
		w->tty = 0;
	}
}

static int wfail(sl_writer *w, int e)
{
	if (!w->err)
		w->err = e;
	errno = w->err;
	return -1;
}

int sl_writer_flush(sl_writer *w)
{
	size_t n;

	if (w->err)
		return wfail(w, w->err);
	if (!w->len)
		return 1;
	if (w->crc_on && !w->tty)
		w->crc = (uint32_t)crc32(w->crc, (const unsigned char *)w->buf, (uInt)w->len);
	n = sl_allwrite(w->fd, w->buf, w->len);
	sl_tally.bytes_out += n;
	if (n < w->len)
		return wfail(w, errno ? errno : EIO);
	w->len = 0;
	return 1;
}

static int wreserve(sl_writer *w, size_t n)
{
	if (w->err)
		return wfail(w, w->err);
	if (w->len + n <= w->cap)
		return 1;
	if (w->row_start == SIZE_MAX && w->len && sl_writer_flush(w) < 0)
		return -1;
	if (w->len + n > w->cap) {
		size_t cap = w->cap;
		char *p;
		while (cap < w->len + n)
			cap *= 2;
		p = realloc(w->buf, cap);
		if (!p)
			return wfail(w, ENOMEM);
		track(w->buf, p);
		w->buf = p;
		w->cap = cap;
	}
	return 1;
}

static void put_hdr(char *p, unsigned char type, unsigned char flags, uint32_t len)
{
	p[0] = (char)type;
	p[1] = (char)flags;
	p[2] = p[3] = 0;
	sl_u32_pack(p + 4, len);
}

static int put_field(sl_writer *w, const void *p, size_t n)
{
	int none = n == SL_NULL_LEN || n == SL_ABSENT_LEN;

	if (!none && n >= SL_ABSENT_LEN)
		return wfail(w, ERANGE);
	if (wreserve(w, 4 + (none ? 0 : n)) < 0)
		return -1;
	sl_u32_pack(w->buf + w->len, (uint32_t)n);
	w->len += 4;
	if (!none && n) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
	}
	return 1;
}

/* Text mode (the fd is a terminal): the printer's output goes to the
 * buffer instead of frames. */
static int tty_text(sl_writer *w, const char *s, size_t n)
{
	if (wreserve(w, n) < 0)
		return -1;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	return 1;
}

/* A printer's -1: the sticky error of a failed write, or its own errno. */
static int tty_fail(sl_writer *w)
{
	return wfail(w, errno);
}

int sl_write_header(sl_writer *w, size_t ncols, const sl_field *names, const sl_field *types, int flags)
{
	size_t i, len = 8;

	if (w->tty)
		return sl_print_header(w->tty, ncols, names, types) < 0 ? tty_fail(w) : 1;
	for (i = 0; i < ncols; i++)
		len += 8 + names[i].n + types[i].n;
	if (len >= SL_NULL_LEN)
		return wfail(w, ERANGE);
	if (w->crc_on)
		flags |= SL_H_CRC;
	/* the CRC covers the H frame and what follows */
	if (w->crc_on && sl_writer_flush(w) < 0)
		return -1;
	w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	if (wreserve(w, SL_FRAME_HDR + len) < 0)
		return -1;
	put_hdr(w->buf + w->len, 'H', (unsigned char)flags, (uint32_t)len);
	w->len += SL_FRAME_HDR;
	memcpy(w->buf + w->len, SL_MAGIC, 4);
	sl_u32_pack(w->buf + w->len + 4, (uint32_t)ncols);
	w->len += 8;
	for (i = 0; i < ncols; i++) {
		put_field(w, names[i].p, names[i].n);
		put_field(w, types[i].p, types[i].n);
	}
	return w->err ? -1 : 1;
}

int sl_row_begin(sl_writer *w)
{
	if (w->err)
		return wfail(w, w->err);
	if (w->tty) {
		w->row_start = 0;       /* in a row: the buffer grows, no flush */
		w->nrows++;
		sl_print_row_begin(w->tty);
		return 1;
	}
	if (w->len > w->cap - (w->cap >> 3) && sl_writer_flush(w) < 0)
		return -1;
	if (wreserve(w, SL_FRAME_HDR) < 0)
		return -1;
	w->row_start = w->len;
	w->len += SL_FRAME_HDR;
	return 1;
}

int sl_row_field(sl_writer *w, const void *p, size_t n)
{
	if (w->tty)
		return sl_print_field(w->tty, p, n) < 0 ? tty_fail(w) : 1;
	return put_field(w, p, n);
}

int sl_row_end(sl_writer *w)
{
	size_t len;

	if (w->err)
		return wfail(w, w->err);
	if (w->tty) {
		w->row_start = SIZE_MAX;
		return sl_print_row_end(w->tty) < 0 ? tty_fail(w) : 1;
	}
	len = w->len - w->row_start - SL_FRAME_HDR;
	if (len > SL_NULL_LEN - 1)
		return wfail(w, ERANGE);
	put_hdr(w->buf + w->row_start, 'R', 0, (uint32_t)len);
	w->row_start = SIZE_MAX;
	w->nrows++;
	sl_tally.rows_out++;
	return 1;
}

char *sl_row_reserve(sl_writer *w, size_t len)
{
	char *p;

	if (len > SL_NULL_LEN - 1) {
		wfail(w, ERANGE);
		return NULL;
	}
	if (w->tty) {
		if (len > w->trowcap) {
			if (!(p = realloc(w->trow, len * 2))) {
				wfail(w, ENOMEM);
				return NULL;
			}
			w->trow = p;
			w->trowcap = len * 2;
		}
		return w->trow;
	}
	if (w->len > w->cap - (w->cap >> 3) && sl_writer_flush(w) < 0)
		return NULL;
	if (wreserve(w, SL_FRAME_HDR + len) < 0)
		return NULL;
	put_hdr(w->buf + w->len, 'R', 0, (uint32_t)len);
	p = w->buf + w->len + SL_FRAME_HDR;
	w->len += SL_FRAME_HDR + len;
	w->nrows++;
	sl_tally.rows_out++;
	return p;
}

int sl_row_done(sl_writer *w, char *p, size_t len)
{
	if (w->tty) {
		sl_frame f = { 'R', 0, (uint32_t)len, p };
		return sl_write_frame(w, &f);
	}
	put_hdr(p - SL_FRAME_HDR, 'R', 0, (uint32_t)len);
	w->len = (size_t)(p - w->buf) + len;
	return 1;
}

int sl_write_row(sl_writer *w, size_t n, const sl_field *fields)
{
	size_t i;

	if (sl_row_begin(w) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (sl_row_field(w, fields[i].p, fields[i].n) < 0)
			return -1;
	return sl_row_end(w);
}

static int simple_frame(sl_writer *w, unsigned char type, unsigned char flags, size_t n, const sl_field *f)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += 4 + (f[i].n == SL_NULL_LEN ? 0 : f[i].n);
	if (len >= SL_NULL_LEN)
		return wfail(w, ERANGE);
	if (wreserve(w, SL_FRAME_HDR + len) < 0)
		return -1;
	put_hdr(w->buf + w->len, type, flags, (uint32_t)len);
	w->len += SL_FRAME_HDR;
	for (i = 0; i < n; i++)
		if (put_field(w, f[i].p, f[i].n) < 0)
			return -1;
	return 1;
}

int sl_write_error(sl_writer *w, const char *reason, size_t rlen, const char *src, size_t slen, uint64_t line)
{
	char lb[8];
	sl_field f[3];

	if (w->tty)
		return sl_print_error(w->tty, reason, rlen, src, slen, line) < 0 ? tty_fail(w) : 1;
	sl_u64_pack(lb, line);
	f[0].p = reason; f[0].n = (uint32_t)rlen;
	f[1].p = src;    f[1].n = (uint32_t)slen;
	f[2].p = lb;     f[2].n = 8;
	if (rlen >= SL_NULL_LEN || slen >= SL_NULL_LEN)
		return wfail(w, ERANGE);
	sl_tally.errors_out++;
	return simple_frame(w, 'F', 0, 3, f);
}

int sl_write_kv(sl_writer *w, size_t n, const char *const *keys, const char *const *values)
{
	sl_field *f;
	size_t i;
	int r;

	if (w->tty)     /* counters are for the stages downstream, not for a reader */
		return 1;
	f = malloc((2 * n + 1) * sizeof *f);
	if (!f)
		return wfail(w, ENOMEM);
	for (i = 0; i < n; i++) {
		f[2 * i].p = keys[i];
		f[2 * i].n = (uint32_t)strlen(keys[i]);
		f[2 * i + 1].p = values[i];
		f[2 * i + 1].n = (uint32_t)strlen(values[i]);
	}
	r = simple_frame(w, 'C', 0, 2 * n, f);
	free(f);
	return r;
}

int sl_write_abort(sl_writer *w, int flags, const char *msg)
{
	sl_field f[1];

	if (w->tty) {
		if (sl_print_abort(w->tty, msg, strlen(msg)) < 0)
			return tty_fail(w);
		return sl_writer_flush(w);
	}
	f[0].p = msg;
	f[0].n = (uint32_t)strlen(msg);
	if (simple_frame(w, 'X', (unsigned char)flags, 1, f) < 0)
		return -1;
	return sl_writer_flush(w);
}

int sl_write_end(sl_writer *w)
{
	if (w->tty)
		return sl_writer_flush(w);
	if (wreserve(w, SL_FRAME_HDR + 12) < 0)
		return -1;
	if (w->crc_on) {
		uint32_t crc = (uint32_t)crc32(w->crc, (const unsigned char *)w->buf, (uInt)w->len);
		put_hdr(w->buf + w->len, 'E', SL_E_CRC, 12);
		sl_u64_pack(w->buf + w->len + SL_FRAME_HDR, w->nrows);
		sl_u32_pack(w->buf + w->len + SL_FRAME_HDR + 8, crc);
		w->len += SL_FRAME_HDR + 12;
		w->crc_on = 0;  /* the E frame itself is not covered */
		return sl_writer_flush(w);
	}
	put_hdr(w->buf + w->len, 'E', 0, 8);
	sl_u64_pack(w->buf + w->len + SL_FRAME_HDR, w->nrows);
	w->len += SL_FRAME_HDR + 8;
	return sl_writer_flush(w);
}

int sl_write_frame(sl_writer *w, const sl_frame *f)
{
	if (w->tty) {
		sl_field fl[3];
		long n;
		switch (f->type) {
		case 'R':
			n = sl_fields_parse(f->p, f->len, 0, 0);
			if (n < 0)
				return wfail(w, EPROTO);
			{
				sl_field *a = malloc(((size_t)n + 1) * sizeof *a);
				int r;
				if (!a)
					return wfail(w, ENOMEM);
				sl_fields_parse(f->p, f->len, a, (size_t)n);
				r = sl_write_row(w, (size_t)n, a);
				free(a);
				return r;
			}
		case 'F':
			if (sl_fields_parse(f->p, f->len, fl, 3) != 3 || fl[2].n != 8)
				return wfail(w, EPROTO);
			return sl_write_error(w, fl[0].p, fl[0].n, fl[1].p, fl[1].n, sl_u64_unpack(fl[2].p));
		case 'H': {
			long nc = sl_header_parse(f, 0, 0);
			sl_colspec *cs;
			sl_field *nm, *ty;
			long i;
			int r;
			if (nc < 0)
				return wfail(w, EPROTO);
			cs = malloc(((size_t)nc + 1) * sizeof *cs);
			nm = malloc(((size_t)nc + 1) * sizeof *nm);
			ty = malloc(((size_t)nc + 1) * sizeof *ty);
			if (!cs || !nm || !ty) {
				free(cs); free(nm); free(ty);
				return wfail(w, ENOMEM);
			}
			sl_header_parse(f, cs, (size_t)nc);
			for (i = 0; i < nc; i++) {
				nm[i] = cs[i].name;
				ty[i] = cs[i].type;
			}
			r = sl_write_header(w, (size_t)nc, nm, ty, f->flags);
			free(cs); free(nm); free(ty);
			return r;
		}
		case 'C': {
			sl_kv kv = SL_KV_ZERO;
			int r;
			if (sl_kv_merge_frame(&kv, f) < 0)
				return wfail(w, errno);
			r = sl_write_kvmap(w, &kv);
			sl_kv_free(&kv);
			return r;
		}
		case 'X':
			if (sl_fields_parse(f->p, f->len, fl, 1) < 1)
				return wfail(w, EPROTO);
			return sl_print_abort(w->tty, fl[0].p, fl[0].n) < 0 ? tty_fail(w) : 1;
		case 'E':
			return sl_writer_flush(w);
		default:
			return 1;
		}
	}
	if (f->type == 'R' && w->len > w->cap - (w->cap >> 3) && sl_writer_flush(w) < 0)
		return -1;
	if (f->type == 'E')
		return sl_write_end(w);
	if (f->type == 'H' && w->crc_on) {
		/* re-emit so the CRC flag and the CRC start are ours */
		if (sl_writer_flush(w) < 0)
			return -1;
		w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	}
	if (wreserve(w, SL_FRAME_HDR + f->len) < 0)
		return -1;
	put_hdr(w->buf + w->len, f->type,
	    (unsigned char)(f->type == 'H' ? ((f->flags & ~SL_H_CRC) | (w->crc_on ? SL_H_CRC : 0)) : f->flags), f->len);
	memcpy(w->buf + w->len + SL_FRAME_HDR, f->p, f->len);
	w->len += SL_FRAME_HDR + f->len;
	if (f->type == 'R') {
		w->nrows++;
		sl_tally.rows_out++;
	} else if (f->type == 'F')
		sl_tally.errors_out++;
	if (f->type == 'X')
		return sl_writer_flush(w);
	return 1;
}

/* ---- key/value map ---- */

static char *kdup(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		return 0;
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

int sl_kv_setn(sl_kv *kv, const char *k, const char *v, size_t vn)
{
	size_t i;
	char *nv = kdup(v, vn);

	if (!nv) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->k[i], k)) {
			free(kv->v[i]);
			kv->v[i] = nv;
			return 1;
		}
	if (kv->n == kv->cap) {
		size_t cap = kv->cap ? kv->cap * 2 : 16;
		char **a = realloc(kv->k, cap * sizeof *a);
		if (!a)
			goto nomem;
		kv->k = a;
		a = realloc(kv->v, cap * sizeof *a);
		if (!a)
			goto nomem;
		kv->v = a;
		kv->cap = cap;
	}
	kv->k[kv->n] = kdup(k, strlen(k));
	if (!kv->k[kv->n])
		goto nomem;
	kv->v[kv->n++] = nv;
	return 1;
nomem:
	free(nv);
	errno = ENOMEM;
	return -1;
}

int sl_kv_set(sl_kv *kv, const char *k, const char *v)
{
	return sl_kv_setn(kv, k, v, strlen(v));
}

int sl_kv_set_i64(sl_kv *kv, const char *k, int64_t v)
{
	char b[32];
	snprintf(b, sizeof b, "%" PRId64, v);
	return sl_kv_set(kv, k, b);
}

const char *sl_kv_get(const sl_kv *kv, const char *k)
{
	size_t i;
	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->k[i], k))
			return kv->v[i];
	return 0;
}

int64_t sl_kv_get_i64(const sl_kv *kv, const char *k, int64_t dflt)
{
	const char *v = sl_kv_get(kv, k);
	char *end;
	long long x;

	if (!v || !*v)
		return dflt;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end)
		return dflt;
	return x;
}

int sl_kv_merge_frame(sl_kv *kv, const sl_frame *f)
{
	sl_field fl[128];
	long n, i;
	char key[256];

	n = sl_fields_parse(f->p, f->len, fl, SL_ARRAY_LEN(fl));
	if (n < 0 || (n & 1) || n > (long)SL_ARRAY_LEN(fl)) {
		errno = EPROTO;
		return -1;
	}
	for (i = 0; i < n; i += 2) {
		if (fl[i].n == SL_NULL_LEN || fl[i].n >= sizeof key || fl[i + 1].n == SL_NULL_LEN) {
			errno = EPROTO;
			return -1;
		}
		memcpy(key, fl[i].p, fl[i].n);
		key[fl[i].n] = 0;
		if (sl_kv_setn(kv, key, fl[i + 1].p, fl[i + 1].n) < 0)
			return -1;
	}
	return 1;
}

int sl_write_kvmap(sl_writer *w, const sl_kv *kv)
{
	if (!kv->n)
		return 1;
	return sl_write_kv(w, kv->n, (const char *const *)kv->k, (const char *const *)kv->v);
}

void sl_kv_free(sl_kv *kv)
{
	size_t i;
	for (i = 0; i < kv->n; i++) {
		free(kv->k[i]);
		free(kv->v[i]);
	}
	free(kv->k);
	free(kv->v);
	memset(kv, 0, sizeof *kv);
}
