/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-objsrc.c -- a driver of the object sources (libcommon/objsrc.c,
 * s3.c, s3xml.c) for tests/objsrc.bats:
 *   test-objsrc uri URI PATH_STYLE             the uri split: endpoint= bucket= key=
 *   test-objsrc list TVF NAME=VALUE... -- AFTER MAX_FILES MAX_BYTES
 *                                              desc=, one "KEY SIZE" line a file, bytes=, next=
 *   test-objsrc drain TVF NAME=VALUE... -- MAX_FILES MAX_BYTES
 *                                              batch after batch from the start: one
 *                                              "batch N FIRST LAST next=" line each, files= at the end
 *   test-objsrc copy TVF NAME=VALUE... -- KEY  the object on stdout, desc= and bytes= on stderr
 *   test-objsrc fetch TVF NAME=VALUE... -- MAX_FILES
 *                                              every object, batch after batch, copied to
 *                                              stdout in order; files= bytes= on stderr (bench/s3.sh)
 *   test-objsrc watch TVF NAME=VALUE... -- MS  "woken" (the watch fd became readable
 *                                              within MS ms), "timeout", or "poll" (none)
 * A source failure prints "error: MESSAGE" and exits 2; errno, 1.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objsrc.h"

static int usage(void)
{
	fprintf(stderr, "usage: test-objsrc uri|list|drain|fetch|copy|watch ...\n");
	return 1;
}

static int cmd_uri(int argc, char **argv)
{
	char *ep, *b, *k;
	int rc;

	if (argc != 4)
		return usage();
	rc = sl_objsrc_s3uri(argv[2], atoi(argv[3]), &ep, &b, &k);
	if (rc < 0)
		return perror("test-objsrc"), 1;
	if (rc == 0) {
		printf("not an s3 uri\n");
		return 2;
	}
	printf("endpoint=%s bucket=%s key=%s\n", ep ? ep : "(none)", b, k);
	free(ep);
	free(b);
	free(k);
	return 0;
}

/* the source from argv[2] and the NAME=VALUE arguments up to "--"; *i: after it */
static int open_src(sl_objsrc **s, int argc, char **argv, int *i)
{
	sl_hdrs h = SL_HDRS_ZERO;
	char err[1024];
	int rc;

	for (*i = 3; *i < argc && strcmp(argv[*i], "--"); (*i)++) {
		char *eq = strchr(argv[*i], '=');
		if (!eq)
			return usage();
		*eq = ':';
		if (sl_hdrs_add(&h, argv[*i]) < 0)
			return perror("test-objsrc"), 1;
		*eq = '=';
	}
	if (*i < argc)
		(*i)++;
	rc = sl_objsrc_open(s, argv[2], &h, err, sizeof err);
	sl_hdrs_free(&h);
	if (rc < 0)
		return perror("test-objsrc: open"), 1;
	if (rc == 0) {
		printf("error: %s\n", err);
		return 2;
	}
	/* copy's and fetch's stdout are the objects' bytes */
	fprintf(strcmp(argv[1], "copy") && strcmp(argv[1], "fetch") ? stdout : stderr, "desc=%s\n",
		sl_objsrc_describe(*s));
	return 0;
}

static int list_once(sl_objsrc *s, const char *after, size_t mf, int64_t mb, sl_objbatch *b)
{
	char err[1024];
	int rc = sl_objsrc_list(s, after, mf, mb, b, err, sizeof err);

	if (rc < 0)
		return perror("test-objsrc: list"), 1;
	if (rc == 0) {
		printf("error: %s\n", err);
		return 2;
	}
	return 0;
}

static int cmd_list(sl_objsrc *s, int argc, char **argv, int i)
{
	sl_objbatch b;
	size_t k;
	int rc;

	if (argc - i != 3)
		return usage();
	if ((rc = list_once(s, argv[i], strtoull(argv[i + 1], NULL, 10), strtoll(argv[i + 2], NULL, 10), &b)))
		return rc;
	for (k = 0; k < b.n; k++)
		printf("%s %lld\n", b.ent[k].key, (long long)b.ent[k].size);
	printf("bytes=%lld\nnext=%s\n", (long long)b.bytes, b.next ? b.next : "(none)");
	sl_objbatch_free(&b);
	return 0;
}

/* Batch after batch from the start (MAX_FILES, MAX_BYTES); with copy,
 * each object's bytes to stdout, else one line a batch. */
static int drain(sl_objsrc *s, size_t mf, int64_t mb, int copy)
{
	char *after = NULL, err[1024];
	size_t files = 0, nb = 0, k;
	int64_t bytes = 0, n;
	int rc = 0;

	for (;;) {
		sl_objbatch b;
		if ((rc = list_once(s, after, mf, mb, &b)))
			break;
		if (!b.n) {
			sl_objbatch_free(&b);
			break;
		}
		if (!copy)
			printf("batch %zu %s %s next=%s\n", ++nb, b.ent[0].key, b.ent[b.n - 1].key,
			       b.next ? b.next : "(none)");
		for (k = 0; copy && k < b.n && !rc; k++) {
			int r = sl_objsrc_copy(s, b.ent[k].key, 1, &n, NULL, err, sizeof err);
			bytes += n;
			rc = r > 0 ? 0 : r == 0 ? (fprintf(stderr, "error: %s\n", err), 2) : (perror("copy"), 1);
		}
		files += b.n;
		free(after);
		after = strdup(b.ent[b.n - 1].key);
		sl_objbatch_free(&b);
		if (rc || !after)
			break;
	}
	free(after);
	if (copy)
		fprintf(stderr, "files=%zu bytes=%lld\n", files, (long long)bytes);
	else
		printf("files=%zu\n", files);
	return rc;
}

static int cmd_drain(sl_objsrc *s, int argc, char **argv, int i)
{
	if (argc - i != 2)
		return usage();
	return drain(s, strtoull(argv[i], NULL, 10), strtoll(argv[i + 1], NULL, 10), 0);
}

static int cmd_fetch(sl_objsrc *s, int argc, char **argv, int i)
{
	if (argc - i != 1)
		return usage();
	fflush(stdout);
	return drain(s, strtoull(argv[i], NULL, 10), 0, 1);
}

static int cmd_copy(sl_objsrc *s, int argc, char **argv, int i)
{
	char err[1024];
	int64_t n = 0;
	int rc, last;

	if (argc - i != 1)
		return usage();
	fflush(stdout);
	rc = sl_objsrc_copy(s, argv[i], 1, &n, &last, err, sizeof err);
	fprintf(stderr, "bytes=%lld last=%d\n", (long long)n, last);
	if (rc < 0)
		return perror("test-objsrc: copy"), 1;
	if (rc == 0) {
		printf("error: %s\n", err);
		return 2;
	}
	return 0;
}

static int cmd_watch(sl_objsrc *s, int argc, char **argv, int i)
{
	struct pollfd p = { sl_objsrc_watch_fd(s), POLLIN, 0 };
	int n;

	if (argc - i != 1)
		return usage();
	if (p.fd < 0) {
		printf("poll\n");
		return 0;
	}
	printf("ready\n");
	fflush(stdout);
	n = poll(&p, 1, atoi(argv[i]));
	printf("%s\n", n > 0 ? "woken" : "timeout");
	sl_objsrc_drain(s);
	p.revents = 0;
	n = poll(&p, 1, 0);
	printf("%s\n", n > 0 ? "not drained" : "drained");
	return 0;
}

int main(int argc, char **argv)
{
	sl_objsrc *s = NULL;
	int i, rc;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "uri"))
		return cmd_uri(argc, argv);
	if ((rc = open_src(&s, argc, argv, &i)))
		return rc;
	if (!strcmp(argv[1], "list"))
		rc = cmd_list(s, argc, argv, i);
	else if (!strcmp(argv[1], "drain"))
		rc = cmd_drain(s, argc, argv, i);
	else if (!strcmp(argv[1], "fetch"))
		rc = cmd_fetch(s, argc, argv, i);
	else if (!strcmp(argv[1], "copy"))
		rc = cmd_copy(s, argc, argv, i);
	else if (!strcmp(argv[1], "watch"))
		rc = cmd_watch(s, argc, argv, i);
	else
		rc = usage();
	sl_objsrc_free(s);
	return rc;
}
