/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-mysqlproto.c -- libFuzzer target for the MySQL protocol codec
 * (libcommon/mysqlproto.c) on what a client sends sl-mysqld: the input is
 * split into packets by their headers as the server frames them; the
 * first payload goes to the handshake-response parser, the others to the
 * readers COM_STMT_EXECUTE uses (statement id, flags, parameters of a
 * statement whose text is the input itself). Every accepted field lies
 * within its packet; a re-framed payload parses back to the same bytes.
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "mysqlproto.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-mysqlproto: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static void execute(const uint8_t *p, size_t n, const uint8_t *all, size_t alln)
{
	size_t pos[64], off[64], len[64];
	uint8_t types[128];
	unsigned np = sl_mysqlproto_placeholders((const char *)all, alln, pos, 64), i;
	sl_mysqlproto_rd rd;
	sl_buf text = SL_BUF_ZERO;
	char msg[128];
	int r;

	for (i = 0; i < np && i < 64; i++)
		CHECK(pos[i] < alln && all[pos[i]] == '?');
	if (np > 64)
		np = 64;
	memset(types, SL_MYSQL_TYPE_VAR_STRING, sizeof types);
	sl_mysqlproto_rd_init(&rd, p, n);
	sl_mysqlproto_get_int(&rd, 4);
	sl_mysqlproto_get_int(&rd, 1);
	sl_mysqlproto_get_int(&rd, 4);
	if (!rd.bad) {
		r = sl_mysqlproto_params(&rd, np, types, NULL, &text, off, len, msg, sizeof msg);
		CHECK(rd.off <= rd.n);
		if (r == 1)
			for (i = 0; i < np; i++)
				CHECK(off[i] + len[i] <= text.len);
	}
	sl_buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0, len;
	uint8_t seq;
	int first = 1;

	while (sl_mysqlproto_header(data + at, size - at, &len, &seq)) {
		const uint8_t *p = data + at + 4;
		size_t n = size - at - 4 < len ? size - at - 4 : len;
		sl_buf out = SL_BUF_ZERO;
		uint8_t s2 = seq;
		size_t l2;
		uint8_t q2;

		if (first) {
			sl_mysqlproto_login lg;
			if (sl_mysqlproto_parse_login(p, n, &lg) && !lg.ssl_request) {
				CHECK(strlen(lg.user) < sizeof lg.user);
				CHECK(lg.authn <= sizeof lg.auth);
				CHECK(strlen(lg.db) < sizeof lg.db);
			}
		} else if (n)
			execute(p + 1, n - 1, data, size);
		/* framing round trip */
		CHECK(sl_mysqlproto_frame(&out, p, n, &s2) == 1);
		CHECK(sl_mysqlproto_header(out.p, out.len, &l2, &q2) == 1);
		CHECK(l2 == n && q2 == seq && (!n || !memcmp(out.p + 4, p, n)));
		sl_buf_free(&out);
		first = 0;
		at += 4 + n;
	}
	return 0;
}
