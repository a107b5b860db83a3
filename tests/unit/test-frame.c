/* SPDX-License-Identifier: Apache-2.0 */
/* test-frame.c -- unit tests of the row stream reader and writer, and of
 * the terminal printer (print.h) the writer uses on a terminal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl.h"
#include "frame.h"
#include "io.h"
#include "print.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static char path[] = "/tmp/test-frame-XXXXXX";

/* Write a small stream to the temp file; returns its size. */
static long write_stream(int crc, int rows, int with_end)
{
	sl_writer w;
	int fd = open(path, O_WRONLY | O_TRUNC);
	sl_field names[2] = { { "a", 1 }, { "b", 1 } }, types[2] = { { "INT", 3 }, { "STRING", 6 } };
	const char *k[] = { "LoadBytes" }, *v[] = { "118" };
	int i;

	setenv("SL_FRAME_CRC", crc ? "1" : "0", 1);
	sl_writer_init(&w, fd);
	sl_write_kv(&w, 1, k, v);
	sl_write_header(&w, 2, names, types, 0);
	for (i = 0; i < rows; i++) {
		char n[4];
		sl_u32_pack(n, (uint32_t)i);
		sl_row_begin(&w);
		sl_row_field(&w, n, 4);
		if (i % 3 == 0)
			sl_row_field(&w, 0, SL_NULL_LEN);
		else if (i % 3 == 1)
			sl_row_field(&w, "", 0);
		else
			sl_row_field(&w, "hello", 5);
		sl_row_end(&w);
	}
	sl_write_error(&w, "bad", 3, "src,line", 8, 7);
	if (with_end)
		sl_write_end(&w);
	else
		sl_writer_flush(&w);
	sl_writer_free(&w);
	close(fd);
	return lseek(open(path, O_RDONLY), 0, SEEK_END);
}

/* Read the stream back: returns rows read, sets *err to errno of a failure
 * (0 for a clean end). */
static long read_stream(int *err, int *nulls, int *empties)
{
	sl_reader r;
	sl_frame f;
	int fd = open(path, O_RDONLY), k;
	long rows = 0;

	*err = 0;
	*nulls = *empties = 0;
	sl_reader_init(&r, fd);
	while ((k = sl_frame_read(&r, &f)) > 0) {
		if (f.type == 'R') {
			sl_field fl[4];
			long n = sl_fields_parse(f.p, f.len, fl, 4);
			if (n != 2)
				*err = EBADMSG;
			if (fl[1].n == SL_NULL_LEN)
				(*nulls)++;
			else if (fl[1].n == 0)
				(*empties)++;
			rows++;
		}
	}
	if (k < 0)
		*err = errno;
	sl_reader_free(&r);
	close(fd);
	return rows;
}

static int put_buf(void *arg, const char *s, size_t n)
{
	return sl_buf_put(arg, s, n);
}

/* The text a terminal shows: typed fields decoded, NULL and absent
 * spelled out, control bytes escaped, fields past the header as text. */
static void test_print(void)
{
	sl_buf b = SL_BUF_ZERO;
	sl_print pr;
	sl_field names[3] = { { "id", 2 }, { "d", 1 }, { "s", 1 } };
	sl_field types[3] = { { "INT", 3 }, { "DATE", 4 }, { "VARCHAR(5)", 10 } };
	char id[4], day[4];
	const char *want = "id | d | s\n"
	    "7 | 2024-07-20 | a\\tb\\n | extra\n"
	    "NULL | ? | (absent)\n"
	    "# filtered (line 12): bad row src line [x,y]\n"
	    "# abort: [CANCELLED]gone\n";

	sl_print_init(&pr, put_buf, &b);
	sl_u32_pack(id, 7);
	sl_u32_pack(day, 19924);        /* 2024-07-20 */
	CHECK(sl_print_header(&pr, 3, names, types) == 1);
	sl_print_row_begin(&pr);
	CHECK(sl_print_field(&pr, id, 4) == 1 && sl_print_field(&pr, day, 4) == 1);
	CHECK(sl_print_field(&pr, "a\tb\n", 4) == 1 && sl_print_field(&pr, "extra", 5) == 1);
	CHECK(sl_print_row_end(&pr) == 1);
	sl_print_row_begin(&pr);
	CHECK(sl_print_field(&pr, 0, SL_NULL_LEN) == 1);
	CHECK(sl_print_field(&pr, "xx", 2) == 1);       /* two bytes are no DATE */
	CHECK(sl_print_field(&pr, 0, SL_ABSENT_LEN) == 1 && sl_print_row_end(&pr) == 1);
	CHECK(sl_print_error(&pr, "bad row", 7, "x,y", 3, 12) == 1);
	CHECK(sl_print_abort(&pr, "[CANCELLED]gone", 15) == 1);
	CHECK(b.len == strlen(want) && !memcmp(b.p, want, b.len));
	if (b.len != strlen(want) || memcmp(b.p, want, b.len))
		fprintf(stderr, "%.*s", (int)b.len, b.p);
	sl_print_free(&pr);
	sl_buf_free(&b);
}

int main(void)
{
	int fd = mkstemp(path), err, nulls, empties;
	long size, rows;

	close(fd);
	test_print();
	/* round trip, NULL distinct from '' */
	write_stream(0, 3000, 1);
	rows = read_stream(&err, &nulls, &empties);
	CHECK(rows == 3000 && err == 0);
	CHECK(nulls == 1000 && empties == 1000);
	/* with CRC */
	size = write_stream(1, 10, 1);
	rows = read_stream(&err, &nulls, &empties);
	CHECK(rows == 10 && err == 0);
	/* a flipped byte inside a row is caught by the CRC */
	{
		int f2 = open(path, O_RDWR);
		char c;
		pread(f2, &c, 1, size - 40);
		c ^= 0x20;
		pwrite(f2, &c, 1, size - 40);
		close(f2);
		read_stream(&err, &nulls, &empties);
		CHECK(err == EPROTO);
	}
	/* no end frame: truncation */
	write_stream(0, 10, 0);
	rows = read_stream(&err, &nulls, &empties);
	CHECK(err == EPIPE);
	/* every strict prefix of a stream is truncation, never a clean end */
	size = write_stream(0, 5, 1);
	{
		long cut;
		int bad = 0;
		for (cut = 0; cut < size; cut++) {
			truncate(path, cut);
			read_stream(&err, &nulls, &empties);
			if (err != EPIPE && err != EPROTO)
				bad++;
			write_stream(0, 5, 1);
		}
		CHECK(bad == 0);
	}
	/* bad magic */
	{
		int f2 = open(path, O_WRONLY | O_TRUNC);
		write(f2, "id,name,age\n1,Emily,25\n", 23);
		close(f2);
		read_stream(&err, &nulls, &empties);
		CHECK(err == EPROTO);
	}
	/* oversize frame */
	{
		char h[8] = { 'H', 0, 0, 0 };
		int f2 = open(path, O_WRONLY | O_TRUNC);
		sl_u32_pack(h + 4, 0x7ffffff0u);
		write(f2, h, 8);
		close(f2);
		read_stream(&err, &nulls, &empties);
		CHECK(err == ERANGE);
	}
	/* kv merge: later wins */
	{
		sl_kv kv = SL_KV_ZERO;
		sl_kv_set(&kv, "a", "1");
		sl_kv_set(&kv, "a", "2");
		sl_kv_set_i64(&kv, "n", -5);
		CHECK(kv.n == 2 && !strcmp(sl_kv_get(&kv, "a"), "2") && sl_kv_get_i64(&kv, "n", 0) == -5);
		sl_kv_free(&kv);
	}
	unlink(path);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
