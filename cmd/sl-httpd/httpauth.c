/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpauth.c -- who is asking (httpauth.h): HTTP Basic credentials
 * checked against the store's users and grants (sl_load_auth), every
 * decision logged.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "status.h"
#include "auth.h"
#include "load.h"
#include "httpauth.h"

static const char MSG_NOAUTH[] = SL_E_NOT_AUTHORIZED "no valid Basic authorization";

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* "Basic base64(user:password)": 1 with user and pass filled, 0 missing or
 * malformed. */
static int basic_auth(const hreq *rq, char *user, size_t ucap, char *pass, size_t pcap)
{
	const char *v = sl_hdrs_get(&rq->hdrs, "authorization");
	char dec[1024], *colon;
	size_t n = 0, i, len;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	if (!v || strncasecmp(v, "Basic ", 6))
		return 0;
	v += 6;
	while (*v == ' ')
		v++;
	len = strlen(v);
	if (!len || len % 4 || len / 4 * 3 >= sizeof dec)
		return 0;
	for (i = 0; i < len; i++) {
		int x;
		if (v[i] == '=') {
			if (i < len - 2)
				return 0;
			pad++;
			continue;
		}
		if (pad || (x = b64val((unsigned char)v[i])) < 0)
			return 0;
		acc = acc << 6 | (unsigned)x;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dec[n++] = (char)(acc >> bits & 0xff);
		}
	}
	dec[n] = 0;
	if (memchr(dec, 0, n) || !(colon = strchr(dec, ':')) || colon == dec)
		return 0;
	*colon = 0;
	if (strlen(dec) >= ucap || strlen(colon + 1) >= pcap)
		return 0;
	strcpy(user, dec);
	strcpy(pass, colon + 1);
	return 1;
}

void httpd_auth_log(hconn *h, hreq *rq, const char *user, int ok, const char *reason)
{
	char u[128], t[256];

	httpd_note_user(h, user);
	if (h->c->verbosity < 1)
		return;
	httpd_sanitize(user ? user : "-", u, sizeof u);
	httpd_sanitize(rq->target, t, sizeof t);
	sl_info("auth %s: user '%s' client %s route %s %s%s%s", ok ? "ok" : "denied", u,
		h->ip[0] ? h->ip : "-", rq->method, t, reason ? ": " : "", reason ? reason : "");
}

int httpd_auth(hconn *h, hreq *rq, const char *db, const char *table, int priv,
	char *user, size_t ucap, char *msg, size_t cap, int *status)
{
	char pass[512];
	const char *why = NULL;
	int r;

	if (!basic_auth(rq, user, ucap, pass, sizeof pass)) {
		snprintf(msg, cap, "%s", MSG_NOAUTH);
		*status = 401;
		sl_metrics_auth_failure(h->c->metrics);
		httpd_auth_log(h, rq, NULL, 0, "no valid Basic authorization");
		user[0] = 0;
		return 0;
	}
	r = sl_load_auth(&h->c->st, user, pass, h->ip[0] ? h->ip : "127.0.0.1", priv ? db : NULL,
		table, priv, msg, cap, &why);
	memset(pass, 0, sizeof pass);
	if (r < 0) {
		snprintf(msg, cap, SL_E_INTERNAL_ERROR "unable to check the user: %s", strerror(errno));
		*status = 500;
		httpd_auth_log(h, rq, user, 0, "unable to read the users");
		return -1;
	}
	if (r == 0) {
		*status = strstr(msg, "privilege") ? 403 : 401;
		if (*status == 401)
			sl_metrics_auth_failure(h->c->metrics);
		httpd_auth_log(h, rq, user, 0, why);
		return 0;
	}
	httpd_auth_log(h, rq, user, 1, NULL);
	return 1;
}

int httpd_auth_error_log(hconn *h, hreq *rq, const char *file)
{
	char user[128], msg[1024], db[65], table[65];
	const char *p = file, *d1, *d2;
	int st = 401, r;

	r = httpd_auth(h, rq, NULL, NULL, 0, user, sizeof user, msg, sizeof msg, &st);
	if (r <= 0)
		return r < 0 ? 500 : 401;
	if (!strcmp(user, "root"))
		return 200;
	if (strncmp(file, "error_log_", 10) || !(d1 = strchr(p = file + 10, '.')) || !(d2 = strchr(d1 + 1, '.')) ||
	    (size_t)(d1 - p) >= sizeof db || (size_t)(d2 - d1 - 1) >= sizeof table) {
		httpd_auth_log(h, rq, user, 0, "the error log names no table");
		return 403;
	}
	memcpy(db, p, (size_t)(d1 - p));
	db[d1 - p] = 0;
	memcpy(table, d1 + 1, (size_t)(d2 - d1 - 1));
	table[d2 - d1 - 1] = 0;
	if (sl_name_valid(db) != 1 || sl_name_valid(table) != 1) {
		httpd_auth_log(h, rq, user, 0, "the error log names no table");
		return 403;
	}
	if (sl_auth_has_priv(&h->c->st, user, db, table, SL_PRIV_LOAD) == 1 ||
	    sl_auth_has_priv(&h->c->st, user, db, table, SL_PRIV_SELECT) == 1)
		return 200;
	httpd_auth_log(h, rq, user, 0, "no LOAD or SELECT privilege on the table of the error log");
	return 403;
}
