/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-mysqlproto.c -- unit tests of the MySQL protocol's row encoding
 * (mysqlproto.c): text rows of every value kind (NULL, integers at their
 * limits, strings of each length-encoding width, decimals, dates), and
 * packets built in place (sl_mysqlproto_open/close): the header and its
 * sequence id, and a payload of 16 MB or more split as sl_mysqlproto_frame
 * splits it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "types.h"
#include "mysqlproto.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static sl_value vint(int64_t i) { return (sl_value){ .kind = SL_V_INT, .tkind = SL_T_BIGINT, .u.i = i }; }

static sl_value vstr(const char *p, size_t n)
{
	sl_value v = { .kind = SL_V_STRING, .tkind = SL_T_VARCHAR };
	v.u.s.p = p;
	v.u.s.n = n;
	return v;
}

/* The row of one value: its bytes equal want[0..n). */
static int row_is(sl_value v, const char *want, size_t n)
{
	sl_buf b = SL_BUF_ZERO, tmp = SL_BUF_ZERO;
	int ok = sl_mysqlproto_text_row(&b, 1, &v, &tmp) == 1 && b.len == n && !memcmp(b.p, want, n);
	if (!ok)
		fprintf(stderr, "got %zu bytes: %.*s\n", b.len, (int)b.len, b.p ? b.p : "");
	sl_buf_free(&b);
	sl_buf_free(&tmp);
	return ok;
}

static void text_rows(void)
{
	sl_value d = { .kind = SL_V_DECIMAL, .tkind = SL_T_DECIMAL, .scale = 2, .prec = 10, .u.l = -50 };
	sl_value day = { .kind = SL_V_DATE, .tkind = SL_T_DATE, .u.i = 19782 };
	sl_value row[3];
	sl_buf b = SL_BUF_ZERO, tmp = SL_BUF_ZERO, big = SL_BUF_ZERO;
	size_t i;

	CHECK(row_is(SL_VALUE_NULL, "\xfb", 1));
	CHECK(row_is(vint(0), "\x01" "0", 2));
	CHECK(row_is(vint(-7), "\x02-7", 3));
	CHECK(row_is(vint(INT64_MAX), "\x13" "9223372036854775807", 20));
	CHECK(row_is(vint(INT64_MIN), "\x14-9223372036854775808", 21));
	CHECK(row_is(d, "\x05-0.50", 6));
	CHECK(row_is(day, "\x0a" "2024-02-29", 11));
	CHECK(row_is(vstr("", 0), "\x00", 1));
	CHECK(row_is(vstr("it's", 4), "\x04it's", 5));
	/* 250 bytes: one length byte; 251: 0xfc and two; 65536: 0xfd and three */
	for (i = 0; i < 65536; i++)
		sl_buf_putc(&big, 'x');
	sl_mysqlproto_text_row(&b, 1, (sl_value[]){ vstr(big.p, 250) }, &tmp);
	CHECK(b.len == 251 && (unsigned char)b.p[0] == 250);
	b.len = 0;
	sl_mysqlproto_text_row(&b, 1, (sl_value[]){ vstr(big.p, 251) }, &tmp);
	CHECK(b.len == 254 && !memcmp(b.p, "\xfc\xfb\x00", 3));
	b.len = 0;
	sl_mysqlproto_text_row(&b, 1, (sl_value[]){ vstr(big.p, 65536) }, &tmp);
	CHECK(b.len == 65540 && !memcmp(b.p, "\xfd\x00\x00\x01", 4));
	/* several values follow each other */
	row[0] = vint(42);
	row[1] = SL_VALUE_NULL;
	row[2] = vstr("ab", 2);
	b.len = 0;
	CHECK(sl_mysqlproto_text_row(&b, 3, row, &tmp) == 1 && b.len == 7 && !memcmp(b.p, "\x02" "42\xfb\x02" "ab", 7));
	sl_buf_free(&b);
	sl_buf_free(&tmp);
	sl_buf_free(&big);
}

static void in_place(void)
{
	sl_buf out = SL_BUF_ZERO, ref = SL_BUF_ZERO, tmp = SL_BUF_ZERO;
	size_t at, n = 2 * (size_t)SL_MYSQL_PACKET_MAX + 10;
	uint8_t seq = 5, seq2 = 6;
	char *pay;

	/* a small packet after bytes already in the buffer */
	sl_buf_puts(&out, "prev");
	CHECK(sl_mysqlproto_open(&out, &at) == 1 && at == 4);
	sl_mysqlproto_text_row(&out, 1, (sl_value[]){ vint(123) }, &tmp);
	CHECK(sl_mysqlproto_close(&out, at, &seq) == 1 && seq == 6);
	CHECK(out.len == 12 && !memcmp(out.p, "prev\x04\x00\x00\x05\x03" "123", 12));

	/* over 2 x 16 MB: three packets, the same bytes as framing a copy */
	pay = malloc(n);
	CHECK(pay != NULL);
	if (!pay)
		return;
	for (at = 0; at < n; at++)
		pay[at] = (char)(at * 7);
	out.len = 0;
	CHECK(sl_mysqlproto_open(&out, &at) == 1);
	sl_buf_put(&out, pay, n);
	CHECK(sl_mysqlproto_close(&out, at, &seq) == 1 && seq == 9);
	CHECK(sl_mysqlproto_frame(&ref, pay, n, &seq2) == 1 && seq2 == 9);
	CHECK(out.len == n + 12 && ref.len == out.len && !memcmp(out.p, ref.p, out.len));
	CHECK((unsigned char)out.p[3] == 6);
	free(pay);
	sl_buf_free(&out);
	sl_buf_free(&ref);
	sl_buf_free(&tmp);
}

int main(void)
{
	text_rows();
	in_place();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
