/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-frame.c -- libFuzzer target for the row-stream reader
 * (sl_frame_read, frame.h): the bytes every stage reads from the stage
 * before it. Built by `make fuzz` (mk/fuzz.mk) with clang
 * -fsanitize=fuzzer,address,undefined.
 *
 * Input layout: 1 byte of options, then the stream.
 *   b0 bit 0: SL_FRAME_MAX=1024 (oversize frames: ERANGE), else the default
 *   b0 bit 1: also print every frame as the terminal printer does
 *       (print.h: header types parsed, typed fields decoded and formatted)
 * The stream goes to a memfd read with sl_frame_read until it ends or
 * fails. Every frame returned is checked (known type, length within the
 * limit, R/F/E only after an H) and taken apart as the stages do:
 * R fields (sl_fields_parse must tile the payload), H columns
 * (sl_header_parse), C counters (sl_kv_merge_frame), F records. Each is
 * copied to a writer (sl_write_frame); a stream that reads to a clean end
 * must read back from the copy with the same frames and row count. A
 * failure must leave a message (sl_reader_errstr) and an errno the
 * contract names.
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sl.h"
#include "io.h"
#include "frame.h"
#include "print.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-frame: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static int in_fd = -1, out_fd = -1;

static int rewind_to(int fd, const void *p, size_t n)
{
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	if (n && sl_allwrite(fd, p, n) < n)
		return -1;
	return lseek(fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

/* The printer's output is thrown away, but every byte is touched. */
static int put_sink(void *arg, const char *s, size_t n)
{
	size_t *sum = arg;
	size_t i;

	for (i = 0; i < n; i++)
		*sum += (unsigned char)s[i];
	return 1;
}

/* R fields must tile the payload exactly. */
static void check_row(const sl_frame *f, sl_print *pr)
{
	long n = sl_fields_parse(f->p, f->len, NULL, 0), i;
	sl_field *fl;
	const char *at = f->p;

	if (n < 0)
		return;         /* the reader does not look inside rows */
	fl = malloc(((size_t)n + 1) * sizeof *fl);
	CHECK(fl);
	CHECK(sl_fields_parse(f->p, f->len, fl, (size_t)n) == n);
	for (i = 0; i < n; i++) {
		CHECK(at + 4 <= f->p + f->len);
		at += 4;
		if (fl[i].n != SL_NULL_LEN && fl[i].n != SL_ABSENT_LEN) {
			CHECK(fl[i].p == at);
			at += fl[i].n;
		}
		CHECK(at <= f->p + f->len);
	}
	CHECK(at == f->p + f->len);
	if (pr) {
		sl_print_row_begin(pr);
		for (i = 0; i < n; i++)
			CHECK(sl_print_field(pr, fl[i].p, fl[i].n) == 1);
		CHECK(sl_print_row_end(pr) == 1);
	}
	free(fl);
}

static void check_header(const sl_frame *f, sl_print *pr)
{
	long n = sl_header_parse(f, NULL, 0), i;
	sl_colspec *cs;
	sl_field *nm, *ty;

	if (n < 0)
		return;
	cs = malloc(((size_t)n + 1) * sizeof *cs);
	nm = malloc(((size_t)n + 1) * sizeof *nm);
	ty = malloc(((size_t)n + 1) * sizeof *ty);
	CHECK(cs && nm && ty);
	CHECK(sl_header_parse(f, cs, (size_t)n) == n);
	for (i = 0; i < n; i++) {
		CHECK(cs[i].name.p >= f->p && cs[i].name.p + cs[i].name.n <= f->p + f->len);
		nm[i] = cs[i].name;
		ty[i] = cs[i].type;
	}
	if (pr)
		CHECK(sl_print_header(pr, (size_t)n, nm, ty) == 1);
	free(cs);
	free(nm);
	free(ty);
}

static void check_frame(const sl_reader *r, const sl_frame *f, sl_print *pr)
{
	sl_field fl[3];
	sl_kv kv = SL_KV_ZERO;

	CHECK(strchr("HRFCXE", f->type));
	CHECK(f->len <= r->max);
	if (f->type != 'H' && f->type != 'C' && f->type != 'X')
		CHECK(r->seen_header);
	switch (f->type) {
	case 'R':
		check_row(f, pr);
		break;
	case 'H':
		CHECK(f->len >= 8 && !memcmp(f->p, SL_MAGIC, 4));
		check_header(f, pr);
		break;
	case 'C':
		if (sl_kv_merge_frame(&kv, f) == 1) {
			size_t i;
			for (i = 0; i < kv.n; i++)
				CHECK(sl_kv_get(&kv, kv.k[i]) != NULL);
		}
		sl_kv_free(&kv);
		break;
	case 'F':
		if (sl_fields_parse(f->p, f->len, fl, 3) == 3 && fl[2].n == 8 && pr)
			CHECK(sl_print_error(pr, fl[0].p, fl[0].n, fl[1].p, fl[1].n, sl_u64_unpack(fl[2].p)) == 1);
		break;
	case 'E':
		CHECK(r->seen_end && sl_u64_unpack(f->p) == r->nrows);
		break;
	}
}

/* Read the stream on fd to its end. Returns 0 clean, else the errno;
 * *rows the R frames, *frames all frames returned. Copies each to w. */
static int read_all(int fd, sl_writer *w, sl_print *pr, uint64_t *rows, uint64_t *frames)
{
	sl_reader r;
	sl_frame f;
	int k, e;

	CHECK(sl_reader_init(&r, fd) == 1);
	*frames = 0;
	while ((k = sl_frame_read(&r, &f)) == 1) {
		check_frame(&r, &f, pr);
		(*frames)++;
		if (w)
			CHECK(sl_write_frame(w, &f) == 1);
	}
	e = k < 0 ? errno : 0;
	if (k < 0) {
		CHECK(e == EPROTO || e == ERANGE || e == EPIPE);
		CHECK(e == r.last_err);
		CHECK(sl_reader_errstr(&r, e) && *sl_reader_errstr(&r, e));
	} else
		CHECK(r.seen_end);
	*rows = r.nrows;
	sl_reader_free(&r);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_writer w;
	sl_print pr;
	size_t sum = 0;
	uint64_t rows, frames, rows2, frames2;
	int e;

	if (size < 1)
		return 0;
	if (in_fd < 0) {
		in_fd = memfd_create("fuzz-frame-in", 0);
		out_fd = memfd_create("fuzz-frame-out", 0);
		CHECK(in_fd >= 0 && out_fd >= 0);
		unsetenv("SL_FRAME_CRC");
	}
	if (data[0] & 1)
		setenv("SL_FRAME_MAX", "1024", 1);
	else
		unsetenv("SL_FRAME_MAX");
	CHECK(rewind_to(in_fd, data + 1, size - 1) == 0);
	CHECK(rewind_to(out_fd, NULL, 0) == 0);
	sl_print_init(&pr, put_sink, &sum);
	CHECK(sl_writer_init(&w, out_fd) == 1);
	e = read_all(in_fd, &w, (data[0] & 2) ? &pr : NULL, &rows, &frames);
	CHECK(sl_writer_flush(&w) == 1);
	sl_writer_free(&w);
	sl_print_free(&pr);
	if (e == 0) {
		/* the copy is a stream too, with the same frames */
		CHECK(lseek(out_fd, 0, SEEK_SET) == 0);
		CHECK(read_all(out_fd, NULL, NULL, &rows2, &frames2) == 0);
		CHECK(rows2 == rows && frames2 == frames);
	}
	return 0;
}
