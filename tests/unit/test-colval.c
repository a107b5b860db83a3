/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-colval.c -- unit tests of the Doris texts of columnar values
 * (libcommon/colval.c): integers, shortest floating point, half floats,
 * decimals of every width in both byte orders, dates, timestamps in UTC
 * and in a zone, times, UUIDs, JSON string literals, the values
 * refused as out of range, and the texts of typed fields (the same as the
 * readers' texts of the same values).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "colval.h"
#include "datetime.h"
#include "types.h"

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static sl_buf b = SL_BUF_ZERO;

/* the text of the last call, reset for the next */
static const char *text(int rc)
{
	static char s[256];
	if (rc != 1) return "<error>";
	snprintf(s, sizeof s, "%.*s", (int)b.len, b.p);
	b.len = 0;
	return s;
}

#define IS(call, want) do { const char *t_ = text(call); \
	if (!strcmp(t_, want)) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s gave '%s', want '%s'\n", __FILE__, __LINE__, #call, t_, want); } } while (0)

static void test_numbers(void)
{
	IS(sl_colval_int(&b, 0), "0");
	IS(sl_colval_int(&b, INT64_MIN), "-9223372036854775808");
	IS(sl_colval_uint(&b, UINT64_MAX), "18446744073709551615");
	IS(sl_colval_double(&b, 0.1), "0.1");
	IS(sl_colval_double(&b, 1.0 / 3), "0.3333333333333333");
	IS(sl_colval_double(&b, -2.5), "-2.5");
	IS(sl_colval_double(&b, 1e300), "1e+300");
	IS(sl_colval_double(&b, 100), "100");
	IS(sl_colval_double(&b, 150), "150");
	IS(sl_colval_double(&b, 1e16), "10000000000000000");
	IS(sl_colval_double(&b, 1e17), "1e+17");
	IS(sl_colval_double(&b, 0.00001), "1e-05");
	IS(sl_colval_double(&b, NAN), "NaN");
	IS(sl_colval_double(&b, -INFINITY), "-Infinity");
	IS(sl_colval_float(&b, 0.1f), "0.1");
	IS(sl_colval_float(&b, 3.4028235e38f), "3.4028235e+38");
	IS(sl_colval_float(&b, 1500.0f), "1500");
	IS(sl_colval_float(&b, INFINITY), "Infinity");
	IS(sl_colval_half(&b, 0x3c00), "1");
	IS(sl_colval_half(&b, 0xc000), "-2");
	IS(sl_colval_half(&b, 0x7bff), "65504");
	IS(sl_colval_half(&b, 0x0001), "5.9604645e-08");
	IS(sl_colval_half(&b, 0x7c00), "Infinity");
	IS(sl_colval_half(&b, 0x7e00), "NaN");
}

static void test_decimals(void)
{
	static const uint8_t be_m12345[] = { 0xff, 0xff, 0xcf, 0xc7 };
	static const uint8_t le_m12345[] = { 0xc7, 0xcf, 0xff, 0xff };
	static const uint8_t one[] = { 0x01 };
	uint8_t big[32];

	IS(sl_colval_decimal(&b, be_m12345, 4, 0, 2), "-123.45");
	IS(sl_colval_decimal(&b, le_m12345, 4, 1, 2), "-123.45");
	IS(sl_colval_decimal(&b, be_m12345, 4, 0, 0), "-12345");
	IS(sl_colval_decimal(&b, be_m12345, 4, 0, 7), "-0.0012345");
	IS(sl_colval_decimal(&b, one, 1, 0, 3), "0.001");
	IS(sl_colval_decimal64(&b, 0, 2), "0.00");
	IS(sl_colval_decimal64(&b, INT64_MIN, 0), "-9223372036854775808");
	IS(sl_colval_decimal64(&b, 123456789, 4), "12345.6789");
	/* 2^255 - 1, the largest 32-byte value */
	memset(big, 0xff, sizeof big);
	big[0] = 0x7f;
	IS(sl_colval_decimal(&b, big, 32, 0, 0),
	   "57896044618658097711785492504343953926634992332820282019728792003956564819967");
	/* -2^127 in 16 bytes */
	memset(big, 0, 16);
	big[0] = 0x80;
	IS(sl_colval_decimal(&b, big, 16, 0, 38), "-1.70141183460469231731687303715884105728");
	CHECK(sl_colval_decimal(&b, big, 33, 0, 0) == -1 && errno == EINVAL);
	CHECK(sl_colval_decimal(&b, big, 0, 0, 0) == -1 && errno == EINVAL);
	CHECK(b.len == 0);
}

static void test_times(void)
{
	IS(sl_colval_date(&b, 0), "1970-01-01");
	IS(sl_colval_date(&b, -1), "1969-12-31");
	IS(sl_colval_date(&b, 19723), "2024-01-01");
	IS(sl_colval_date(&b, 2932896), "9999-12-31");
	IS(sl_colval_date(&b, -719528), "0000-01-01");
	CHECK(sl_colval_date(&b, 2932897) == -1 && errno == EINVAL);
	CHECK(sl_colval_date(&b, -719529) == -1 && errno == EINVAL);

	CHECK(sl_tz_set("UTC") == 1);
	IS(sl_colval_timestamp(&b, 0, 0, 0, 0), "1970-01-01 00:00:00");
	IS(sl_colval_timestamp(&b, -1, 500000000, 3, 0), "1969-12-31 23:59:59.500");
	IS(sl_colval_timestamp(&b, 1704067200, 123456789, 6, 1), "2024-01-01 00:00:00.123456");
	IS(sl_colval_timestamp(&b, 1704067200, 123456789, 9, 0), "2024-01-01 00:00:00.123456789");
	CHECK(sl_tz_set("+08:00") == 1);
	IS(sl_colval_timestamp(&b, 1704067200, 0, 0, 1), "2024-01-01 08:00:00");
	IS(sl_colval_timestamp(&b, 1704067200, 0, 0, 0), "2024-01-01 00:00:00");
	CHECK(sl_tz_set("Asia/Shanghai") == 1);
	IS(sl_colval_timestamp(&b, 1704038400, 0, 0, 1), "2024-01-01 00:00:00");
	CHECK(sl_colval_timestamp(&b, 253402300800LL, 0, 0, 0) == -1 && errno == EINVAL);
	CHECK(sl_colval_timestamp(&b, 0, 1000000000u, 0, 0) == -1 && errno == EINVAL);
	CHECK(sl_colval_timestamp(&b, INT64_MIN, 0, 0, 0) == -1 && errno == EINVAL);

	IS(sl_colval_time(&b, 0, 0), "00:00:00");
	IS(sl_colval_time(&b, 86399999999999LL, 6), "23:59:59.999999");
	IS(sl_colval_time(&b, 3723000000000LL + 4000000, 3), "01:02:03.004");
	IS(sl_colval_time(&b, 86400000000000LL, 0), "24:00:00");
	IS(sl_colval_time(&b, 838LL * 3600000000000LL, 0), "838:00:00");
	CHECK(sl_colval_time(&b, 839LL * 3600000000000LL, 0) == -1 && errno == EINVAL);
	CHECK(sl_colval_time(&b, -1, 0) == -1 && errno == EINVAL);
	CHECK(b.len == 0);
}

static void test_texts(void)
{
	static const uint8_t u[16] = { 0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
		0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00 };
	IS(sl_colval_uuid(&b, u), "123e4567-e89b-12d3-a456-426614174000");
	IS(sl_colval_json_string(&b, "", 0), "\"\"");
	IS(sl_colval_json_string(&b, "a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	IS(sl_colval_json_string(&b, "x\n\t\r\001", 5), "\"x\\n\\t\\r\\u0001\"");
	IS(sl_colval_json_string(&b, "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80", 14),
	   "\"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\"");
	/* a lone continuation byte, a truncated sequence, an overlong form, a surrogate */
	IS(sl_colval_json_string(&b, "\x80|\xe4\xb8|\xc0\xaf|\xed\xa0\x80", 11),
	   "\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\"");
	IS(sl_colval_json_string(&b, "a\0b", 3), "\"a\\u0000b\"");
}

/* typed fields (colfile.h sl_colinfo.typed) give the readers' texts */
static void test_typed(void)
{
	static const uint8_t dec[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xcf, 0xc7 };     /* -12345 */
	static const uint8_t le[8] = { 0xc7, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	sl_buf r = SL_BUF_ZERO;

	IS(sl_colval_typed_text(&b, SL_T_INT, 0, "\x80\x00\x00\x00", 4), "-2147483648");
	IS(sl_colval_typed_text(&b, SL_T_BIGINT, 0, "\x7f\xff\xff\xff\xff\xff\xff\xff", 8), "9223372036854775807");
	IS(sl_colval_typed_text(&b, SL_T_TINYINT, 0, "\xff", 1), "-1");
	IS(sl_colval_typed_text(&b, SL_T_SMALLINT, 0, "\x01\x00", 2), "256");
	IS(sl_colval_typed_text(&b, SL_T_DATE, 0, "\x00\x00\x2a\xcd", 4), "2000-01-01");
	IS(sl_colval_typed_text(&b, SL_T_DATE, 0, "\xff\xf5\x05\x58", 4), "0000-01-01");
	IS(sl_colval_typed_text(&b, SL_T_DECIMAL, 2, (const char *)dec, 16), "-123.45");
	/* the same value as a reader writes it from a little-endian INT64 */
	CHECK(sl_colval_decimal(&r, le, 8, 1, 2) == 1 && r.len == 7 && !memcmp(r.p, "-123.45", 7));
	sl_buf_free(&r);
	/* not a typed field: a wrong width, a date out of range, a kind
	 * the readers never write typed */
	errno = 0;
	CHECK(sl_colval_typed_text(&b, SL_T_INT, 0, "\x00\x00\x01", 3) == -1 && errno == EINVAL);
	CHECK(sl_colval_typed_text(&b, SL_T_DECIMAL, 2, "\x00\x00\x00\x01", 4) == -1);
	CHECK(sl_colval_typed_text(&b, SL_T_DATE, 0, "\x7f\x00\x00\x00", 4) == -1);
	CHECK(sl_colval_typed_text(&b, SL_T_DOUBLE, 0, "\x00\x00\x00\x00\x00\x00\x00\x00", 8) == -1);
	CHECK(sl_colval_typed_text(&b, SL_T_BOOLEAN, 0, "\x01", 1) == -1);
	b.len = 0;
}

int main(void)
{
	test_numbers();
	test_typed();
	test_decimals();
	test_times();
	test_texts();
	sl_buf_free(&b);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
