/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.c -- sl-httpd's limits: defaults, then sl.conf of the data directory
 * (Doris names where Doris has one):
 *   streaming_load_max_mb               10240   body limit of a load (MiB;
 *                                               the seed's "10G by default")
 *   stream_load_default_timeout_second  259200  a load's `timeout` default
 *   http_read_timeout_ms                30000   longest wait for one read
 *   http_max_request_line               8192
 *   http_max_header_bytes               65536
 *   http_max_headers                    100
 *   http_body_min_rate_bytes            1024    a load's body, per second of
 *                                               waiting for the client (0 off)
 *   http_body_min_rate_window_second    60      measured over this long
 *   http_max_connections_per_ip         0       connections of one client
 *                                               IP at once; 0: 3/4 of -c
 *   http_warm_processes                 32      connection processes kept
 *                                               for the next connection
 *                                               (0: a new one for each)
 *   error_log_requires_auth             false   the error log route asks for
 *                                               LOAD or SELECT on its table
 * label_keep_max_second and the rest belong to the store (store.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpd.h"

static int conf_int(const httpd_conf *c, const char *key, int64_t min, int64_t max, int64_t *out)
{
	const char *v;
	char *end;
	long long x;

	if (!c->st.dir || !(v = sl_store_conf(&c->st, key)) || !*v)
		return 0;
	x = strtoll(v, &end, 10);
	if (*end || x < min || x > max)
		return 0;
	*out = x;
	return 1;
}

/* true/false (any case), 1/0: 1 set, 0 absent or not a boolean. */
static int conf_bool(const httpd_conf *c, const char *key, int *out)
{
	const char *v;

	if (!c->st.dir || !(v = sl_store_conf(&c->st, key)) || !*v)
		return 0;
	if (!strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return 0;
	return 1;
}

void httpd_conf_defaults(httpd_conf *c)
{
	int64_t v;

	c->streaming_load_max_mb = 10240;       /* the seed's 10G; Doris 4.0's code has 102400 */
	c->stream_load_default_timeout_second = 259200;
	c->read_timeout_ms = 30000;
	c->max_request_line = 8192;
	c->max_header_bytes = 65536;
	c->max_headers = 100;
	if (!c->verbosity)
		c->verbosity = 1;
	if (conf_int(c, "streaming_load_max_mb", 0, INT64_MAX / (1 << 20), &v))
		c->streaming_load_max_mb = v;
	if (conf_int(c, "stream_load_default_timeout_second", 1, 259200, &v))
		c->stream_load_default_timeout_second = v;
	if (conf_int(c, "http_read_timeout_ms", 1, 3600000, &v))
		c->read_timeout_ms = (int)v;
	if (conf_int(c, "http_max_request_line", 64, 1 << 20, &v))
		c->max_request_line = (size_t)v;
	if (conf_int(c, "http_max_header_bytes", 256, 1 << 24, &v))
		c->max_header_bytes = (size_t)v;
	if (conf_int(c, "http_max_headers", 1, 10000, &v))
		c->max_headers = (size_t)v;
	c->body_min_rate = 1024;
	c->body_min_rate_window_s = 60;
	if (conf_int(c, "http_body_min_rate_bytes", 0, INT64_MAX / 259200, &v))
		c->body_min_rate = v;
	if (conf_int(c, "http_body_min_rate_window_second", 1, 259200, &v))
		c->body_min_rate_window_s = v;
	c->max_conn_per_ip = 0;
	if (conf_int(c, "http_max_connections_per_ip", 0, 100000, &v))
		c->max_conn_per_ip = v;
	c->warm_processes = 32;
	if (conf_int(c, "http_warm_processes", 0, 100000, &v))
		c->warm_processes = v;
	c->error_log_requires_auth = 0;
	conf_bool(c, "error_log_requires_auth", &c->error_log_requires_auth);
}
