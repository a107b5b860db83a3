/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accesslog.c -- the per-request log line in key=value form (accesslog.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accesslog.h"

#define VALUE_MAX 512           /* bytes of a value kept; longer ones end in "..." */

void sl_accesslog_init(sl_accesslog *e)
{
	memset(e, 0, sizeof *e);
	e->txn = e->bytes_in = e->rows = -1;
	e->duration_ms = -1;
}

static int plain(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '=' && c != '\\';
}

/* " key=value" (no space before the first) into f (fcap bytes, enough for
 * VALUE_MAX escaped bytes); its length. */
static size_t field(char *f, size_t fcap, int first, const char *key, const char *v)
{
	size_t n = (size_t)snprintf(f, fcap, "%s%s=", first ? "" : " ", key), i, len;
	int quote = 0;

	if (!v || !*v)
		v = "-";
	len = strlen(v);
	for (i = 0; i < len && i < VALUE_MAX; i++)
		quote |= !plain((unsigned char)v[i]);
	if (quote)
		f[n++] = '"';
	for (i = 0; i < len && i < VALUE_MAX; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\\') {
			f[n++] = '\\';
			f[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)snprintf(f + n, fcap - n, "\\x%02x", c);
		} else {
			f[n++] = (char)c;
		}
	}
	if (len > VALUE_MAX) {
		memcpy(f + n, "...", 3);
		n += 3;
	}
	if (quote)
		f[n++] = '"';
	f[n] = 0;
	return n;
}

static void put(char *out, size_t cap, size_t *len, int *full, const char *f, size_t n)
{
	if (*full || *len + n >= cap) {
		*full = 1;
		return;
	}
	memcpy(out + *len, f, n);
	*len += n;
	out[*len] = 0;
}

static void num(char *b, size_t cap, int64_t v)
{
	if (v < 0)
		snprintf(b, cap, "-");
	else
		snprintf(b, cap, "%" PRId64, v);
}

size_t sl_accesslog_format(const sl_accesslog *e, char *out, size_t cap)
{
	char f[VALUE_MAX * 4 + 64], ts[80], txn[24], code[16], bytes[24], rows[24], dur[24];
	time_t s = (time_t)(e->time_ms / 1000);
	struct tm tm;
	const char *keys[] = { "time", "client", "user", "method", "route", "path", "db", "table", "label", "txn",
		"status", "code", "bytes_in", "rows", "duration_ms" };
	const char *vals[] = { ts, e->client, e->user, e->method, e->route, e->path, e->db, e->table, e->label, txn,
		e->status, code, bytes, rows, dur };
	size_t len = 0, i;
	int full = 0;

	if (!cap)
		return 0;
	out[0] = 0;
	if (gmtime_r(&s, &tm))
		snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(e->time_ms % 1000));
	else
		snprintf(ts, sizeof ts, "-");
	num(txn, sizeof txn, e->txn);
	num(code, sizeof code, e->code > 0 ? e->code : -1);
	num(bytes, sizeof bytes, e->bytes_in);
	num(rows, sizeof rows, e->rows);
	num(dur, sizeof dur, e->duration_ms);
	for (i = 0; i < sizeof keys / sizeof *keys; i++)
		put(out, cap, &len, &full, f, field(f, sizeof f, i == 0, keys[i], vals[i]));
	return len;
}
