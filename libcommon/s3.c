/* SPDX-License-Identifier: Apache-2.0 */
/* s3.c -- ListObjectsV2 and GetObject over libcurl with SigV4 (s3.h). */
#define CURL_DISABLE_TYPECHECK 1     /* its macros would name the functions directly */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "s3.h"

/* libcurl is opened at the first S3 source (dlopen), not linked: with
 * its TLS, HTTP/2, IDN, LDAP, SSH and Kerberos libraries it is some thirty
 * shared objects, which every start of sl-sql (a point lookup), sl-httpd
 * --inetd (a request) and sl-mysqld would load for nothing. The names
 * below stand for the functions found then. */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_reset)(CURL *);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	int ok;
	char why[256];
} cu;
static pthread_once_t cu_once = PTHREAD_ONCE_INIT;

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (*cu.global_init)
#define curl_easy_init (*cu.easy_init)
#define curl_easy_setopt (*cu.easy_setopt)
#define curl_easy_perform (*cu.easy_perform)
#define curl_easy_getinfo (*cu.easy_getinfo)
#define curl_easy_reset (*cu.easy_reset)
#define curl_easy_cleanup (*cu.easy_cleanup)
#define curl_easy_strerror (*cu.easy_strerror)
#define curl_slist_append (*cu.slist_append)
#define curl_slist_free_all (*cu.slist_free_all)

static void cu_load(void)
{
	static const char *const names[] = { "curl_global_init", "curl_easy_init", "curl_easy_setopt",
		"curl_easy_perform", "curl_easy_getinfo", "curl_easy_reset", "curl_easy_cleanup",
		"curl_easy_strerror", "curl_slist_append", "curl_slist_free_all" };
	void **slot[] = { (void **)&cu.global_init, (void **)&cu.easy_init, (void **)&cu.easy_setopt,
		(void **)&cu.easy_perform, (void **)&cu.easy_getinfo, (void **)&cu.easy_reset,
		(void **)&cu.easy_cleanup, (void **)&cu.easy_strerror, (void **)&cu.slist_append,
		(void **)&cu.slist_free_all };
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(cu.why, sizeof cu.why, "S3 is not available: %s", dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!(*slot[i] = dlsym(h, names[i]))) {
			snprintf(cu.why, sizeof cu.why, "S3 is not available: libcurl.so.4 has no %s", names[i]);
			return;
		}
	cu.ok = cu.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	if (!cu.ok)
		snprintf(cu.why, sizeof cu.why, "S3 is not available: curl_global_init failed");
}

#define ATTEMPTS 3
#define BACKOFF_MS 100          /* 100 ms, then 400 ms */
#define CONNECT_TIMEOUT_S 10L
#define LOW_SPEED_TIME_S 30L    /* under 1 byte/s for this long: a timeout */
#define ERRBODY_MAX 65536       /* an error answer's body kept for its <Error> */
#define TOKEN_MAX 4096          /* a session token's length (AWS's are about 1 KiB) */

struct sl_s3 {
	CURL *curl;
	char *scheme_host;          /* "http://host:port" */
	char *bucket, *region, *ak, *sk, *token;
	int path_style;
	char sigv4[128];
};

/* One request's state, seen by curl's callbacks. */
typedef struct s3req {
	sl_s3 *s;
	int fd;                     /* GetObject: the destination; -1 listing */
	sl_s3xml *list;             /* listing: the page's parser */
	sl_buf errbody;             /* a non-2xx answer's body */
	long status;                /* the answer's status, read at its first byte */
	int64_t written;            /* bytes to fd */
	int last;                   /* the last byte to fd, -1 none */
	int64_t resume, skip;       /* written when the attempt began; of a 200's bytes, those to drop */
	int wr_errno;               /* the write or parse failure that stopped curl */
	int xml_bad;
} s3req;

int sl_s3_encode(sl_buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
			|| *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/');
		char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
		if ((plain ? sl_buf_putc(b, (char)*p) : sl_buf_put(b, e, 3)) < 0)
			return -1;
	}
	return 1;
}

static int dup_or_null(char **dst, const char *s)
{
	*dst = NULL;
	if (!s || !*s)
		return 1;
	return (*dst = strdup(s)) ? 1 : -1;
}

int sl_s3_open(sl_s3 **out, const sl_s3_conf *c, char *err, size_t cap)
{
	sl_s3 *s;
	const char *ep = c->endpoint ? c->endpoint : "";
	int has_scheme = !strncmp(ep, "http://", 7) || !strncmp(ep, "https://", 8);
	size_t n;

	*out = NULL;
	if (!*ep || (strstr(ep, "://") && !has_scheme)) {
		snprintf(err, cap, "Invalid s3.endpoint: %s", ep);
		return 0;
	}
	if (c->session_token && strlen(c->session_token) > TOKEN_MAX) {
		snprintf(err, cap, "s3.session_token is longer than %d bytes", TOKEN_MAX);
		return 0;
	}
	pthread_once(&cu_once, cu_load);
	if (!cu.ok) {
		snprintf(err, cap, "%s", cu.why);
		return 0;
	}
	if (!(s = calloc(1, sizeof *s)))
		return -1;
	n = strlen(ep) + 8;
	s->scheme_host = malloc(n);
	if (s->scheme_host) {
		snprintf(s->scheme_host, n, "%s%s", has_scheme ? "" : "http://", ep);
		/* the endpoint's host only: a path or trailing '/' is not S3's */
		char *path = strchr(strstr(s->scheme_host, "://") + 3, '/');
		if (path)
			*path = 0;
	}
	s->path_style = c->path_style;
	if (!s->scheme_host || dup_or_null(&s->bucket, c->bucket) < 0
	    || dup_or_null(&s->region, c->region) < 0 || dup_or_null(&s->ak, c->access_key) < 0
	    || dup_or_null(&s->sk, c->secret_key) < 0 || dup_or_null(&s->token, c->session_token) < 0
	    || !(s->curl = curl_easy_init())) {
		sl_s3_free(s);
		errno = ENOMEM;
		return -1;
	}
	snprintf(s->sigv4, sizeof s->sigv4, "aws:amz:%.64s:s3", s->region ? s->region : "us-east-1");
	*out = s;
	return 1;
}

void sl_s3_free(sl_s3 *s)
{
	if (!s)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->scheme_host);
	free(s->bucket);
	free(s->region);
	if (s->sk)
		memset(s->sk, 0, strlen(s->sk));
	free(s->ak);
	free(s->sk);
	free(s->token);
	free(s);
}

/* The request's URL up to the path: path style http://host/bucket,
 * virtual host http://bucket.host. */
static int url_base(sl_s3 *s, sl_buf *u)
{
	const char *host = strstr(s->scheme_host, "://") + 3;

	if (s->path_style)
		return sl_buf_printf(u, "%s/%s", s->scheme_host, s->bucket);
	return sl_buf_printf(u, "%.*s%s.%s", (int)(host - s->scheme_host), s->scheme_host, s->bucket, host);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	s3req *r = ud;
	size_t n = size * nmemb, off = 0;

	if (!r->status) {
		curl_easy_getinfo(r->s->curl, CURLINFO_RESPONSE_CODE, &r->status);
		/* a resumed GetObject answered 206 from the Range, or 200 from the start */
		r->skip = r->status == 200 ? r->resume : 0;
	}
	if (r->status < 200 || r->status > 299) {
		size_t keep = r->errbody.len + n > ERRBODY_MAX ? ERRBODY_MAX - r->errbody.len : n;
		if (keep && sl_buf_put(&r->errbody, p, keep) < 0) {
			r->wr_errno = ENOMEM;
			return 0;
		}
		return n;
	}
	if (r->list) {
		int rc = sl_s3xml_feed(r->list, p, n, 0);
		if (rc <= 0) {
			r->wr_errno = rc < 0 ? errno : 0;
			r->xml_bad = rc == 0;
			return 0;
		}
		return n;
	}
	if (r->skip > 0) {
		off = (size_t)r->skip < n ? (size_t)r->skip : n;
		r->skip -= (int64_t)off;
	}
	if (off < n && sl_allwrite(r->fd, p + off, n - off) != n - off) {
		r->wr_errno = errno ? errno : EIO;
		return 0;
	}
	r->written += (int64_t)(n - off);
	if (off < n)
		r->last = (unsigned char)p[n - 1];
	return n;
}

/* The message of a failed answer: its <Error>, else its status. */
static void answer_error(s3req *r, char *err, size_t cap)
{
	sl_s3xml *x = sl_s3xml_new(NULL, NULL);

	if (x && r->errbody.len && sl_s3xml_feed(x, r->errbody.p, r->errbody.len, 1) == 1
	    && sl_s3xml_code(x))
		snprintf(err, cap, "%s: %s", sl_s3xml_code(x),
			 sl_s3xml_message(x) ? sl_s3xml_message(x) : "");
	else
		snprintf(err, cap, "HTTP %ld from %s", r->status, r->s->scheme_host);
	sl_s3xml_free(x);
}

static int retryable(CURLcode cc, long status)
{
	if (cc == CURLE_OK)
		return status >= 500 && status <= 599;
	return cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_RECV_ERROR
		|| cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING || cc == CURLE_PARTIAL_FILE;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One attempt at url. CURLE_* with r->status. */
static CURLcode perform(sl_s3 *s, const char *url, s3req *r, const char *range, char *cerr)
{
	struct curl_slist *h = NULL, *t;
	char tok[TOKEN_MAX + 32];
	CURLcode cc = CURLE_OUT_OF_MEMORY;
	CURL *c = s->curl;

	curl_easy_reset(c);
	if (!(h = curl_slist_append(NULL, "x-amz-content-sha256: UNSIGNED-PAYLOAD")))
		return cc;
	if (s->token) {
		snprintf(tok, sizeof tok, "x-amz-security-token: %s", s->token);
		if (!(t = curl_slist_append(h, tok)))
			goto out;
		h = t;
	}
	if (range) {
		if (!(t = curl_slist_append(h, range)))
			goto out;
		h = t;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME_S);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* larger reads: fewer callbacks and writes on a GetObject's body */
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	if (s->ak && s->sk) {
		curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
		curl_easy_setopt(c, CURLOPT_USERNAME, s->ak);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->sk);
	}
	cerr[0] = 0;
	r->status = 0;
	cc = curl_easy_perform(c);
	if (!r->status)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	/* the credentials out of the handle until the next request */
	curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
out:
	curl_slist_free_all(h);
	return cc;
}

/* url's request with the retry rule; with fn (a listing) each attempt
 * gets a new parser. 1, 0 (err) or -1 errno. */
static int request(sl_s3 *s, const char *url, s3req *r, sl_s3xml_key_fn fn, void *arg,
	char *err, size_t cap)
{
	char cerr[CURL_ERROR_SIZE], range[64];
	int attempt;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		CURLcode cc;
		if (attempt)
			sleep_ms(BACKOFF_MS << (2 * (attempt - 1)));
		r->errbody.len = 0;
		r->wr_errno = 0;
		r->xml_bad = 0;
		if (fn) {
			sl_s3xml_free(r->list);
			if (!(r->list = sl_s3xml_new(fn, arg)))
				return -1;
		}
		r->resume = r->written;
		snprintf(range, sizeof range, "Range: bytes=%lld-", (long long)r->written);
		cc = perform(s, url, r, r->written ? range : NULL, cerr);
		if (cc == CURLE_OK && r->status >= 200 && r->status <= 299) {
			if (r->list && sl_s3xml_feed(r->list, NULL, 0, 1) <= 0)
				goto badxml;
			return 1;
		}
		if (r->wr_errno) {
			errno = r->wr_errno;
			return -1;
		}
		if (r->xml_bad)
			goto badxml;
		if (cc == CURLE_OK)
			answer_error(r, err, cap);
		else
			snprintf(err, cap, "%s%s%s", curl_easy_strerror(cc), cerr[0] ? ": " : "", cerr);
		if (!retryable(cc, r->status))
			return 0;
	}
	return 0;
badxml:
	snprintf(err, cap, "malformed ListObjectsV2 answer from %s: %s", s->scheme_host,
		 sl_s3xml_why(r->list));
	return 0;
}

int sl_s3_list(sl_s3 *s, const char *prefix, const char *start_after, const char *token,
	int max_keys, sl_s3xml_key_fn fn, void *arg, char **next, char *err, size_t cap)
{
	sl_buf u = SL_BUF_ZERO;
	s3req r = { s, -1, NULL, SL_BUF_ZERO, 0, 0, -1, 0, 0, 0, 0 };
	int rc = -1;

	*next = NULL;
	/* the query canonical already: names sorted, values RFC 3986 encoded */
	if (url_base(s, &u) < 0 || sl_buf_puts(&u, s->path_style ? "?" : "/?") < 0)
		goto out;
	if (token && *token && (sl_buf_puts(&u, "continuation-token=") < 0 || sl_s3_encode(&u, token, 0) < 0
				|| sl_buf_putc(&u, '&') < 0))
		goto out;
	if (sl_buf_puts(&u, "list-type=2") < 0 || (max_keys > 0 && sl_buf_printf(&u, "&max-keys=%d", max_keys) < 0))
		goto out;
	if (prefix && *prefix && (sl_buf_puts(&u, "&prefix=") < 0 || sl_s3_encode(&u, prefix, 0) < 0))
		goto out;
	if (start_after && *start_after && (sl_buf_puts(&u, "&start-after=") < 0
					    || sl_s3_encode(&u, start_after, 0) < 0))
		goto out;
	if (sl_buf_cstr(&u) < 0)
		goto out;
	rc = request(s, u.p, &r, fn, arg, err, cap);
	if (rc > 0 && sl_s3xml_truncated(r.list)) {
		if (!sl_s3xml_token(r.list)) {
			snprintf(err, cap, "ListObjectsV2 answer from %s: IsTruncated without a NextContinuationToken",
				 s->scheme_host);
			rc = 0;
		} else if (!(*next = strdup(sl_s3xml_token(r.list)))) {
			rc = -1;
		}
	}
out:
	sl_s3xml_free(r.list);
	sl_buf_free(&r.errbody);
	sl_buf_free(&u);
	return rc;
}

int sl_s3_get(sl_s3 *s, const char *key, int fd, int64_t *bytes, int *last, char *err, size_t cap)
{
	sl_buf u = SL_BUF_ZERO;
	s3req r = { s, fd, NULL, SL_BUF_ZERO, 0, 0, -1, 0, 0, 0, 0 };
	int rc = -1;

	if (url_base(s, &u) >= 0 && sl_buf_putc(&u, '/') >= 0 && sl_s3_encode(&u, key, 1) >= 0
	    && sl_buf_cstr(&u) >= 0)
		rc = request(s, u.p, &r, NULL, NULL, err, cap);
	if (bytes)
		*bytes = r.written;
	if (last)
		*last = r.last;
	sl_buf_free(&r.errbody);
	sl_buf_free(&u);
	return rc;
}
