/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-httpstream.c -- libFuzzer target for the `sql` header of PUT
 * /api/_http_stream (cmd/sl-httpd/httpstream.c): the input is the header
 * value (up to its first NUL). hs_parse must accept it or refuse it with
 * a message; an accepted statement goes on as routes.c takes it: its
 * source names (hs_refs; hs_peek over a fixed CSV body) and the stage
 * headers (hs_headers over a fixed target table). Built by `make fuzz`
 * (mk/fuzz.mk), linked with httpstream.c.
 *
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdr.h"
#include "httpstream.h"
#include "sl.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-httpstream: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const tcols[] = { "user_id", "name", "age", "cost" };
	static const char body[] = "1,Emily,Paris,25,F,555,10\n2,Benjamin,Rome,35,M,556,20\n";
	char *sql = malloc(size + 1);
	char msg[1024];
	hs_stmt s;
	char **names = NULL;
	size_t nnames = 0;
	int r;

	if (!sql)
		return 0;
	memcpy(sql, data, size);
	sql[size] = 0;
	msg[0] = 0;
	r = hs_parse(sql, &s, msg, sizeof msg);
	CHECK(r != 0 || msg[0]);
	if (r > 0) {
		sl_hdrs req, out;
		memset(&req, 0, sizeof req);
		memset(&out, 0, sizeof out);
		if (hs_is_csv(&s))
			r = hs_peek(&s, body, sizeof body - 1, 1, &names, &nnames);
		else
			r = hs_refs(&s, &names, &nnames, msg, sizeof msg);
		if (r > 0) {
			msg[0] = 0;
			r = hs_headers(&s, &req, names, nnames, tcols, SL_ARRAY_LEN(tcols), &out, msg, sizeof msg);
			CHECK(r != 0 || msg[0]);
			sl_hdrs_free(&out);
		}
		hs_names_free(names, nnames);
	}
	hs_free(&s);
	free(sql);
	return 0;
}
