/* SPDX-License-Identifier: Apache-2.0 */
/* objsrc.c -- the objects of an S3 bucket or a local directory matching a glob (objsrc.h). */
#include <errno.h>
#include <stdlib.h>

#include "objsrc.h"

const char *const sl_objsrc_secret_props[] = {
	"s3.secret_key", "s3.access_key", "s3.session_token", NULL
};

int sl_objsrc_open(sl_objsrc **out, const char *tvf, const sl_hdrs *props, char *err, size_t cap)
{
	(void)tvf; (void)props; (void)err; (void)cap;
	*out = NULL;
	errno = ENOSYS;
	return -1;
}

void sl_objsrc_free(sl_objsrc *s) { (void)s; }

int sl_objsrc_list(sl_objsrc *s, const char *after, size_t max_files, int64_t max_bytes,
	sl_objbatch *out, char *err, size_t cap)
{
	(void)s; (void)after; (void)max_files; (void)max_bytes; (void)err; (void)cap;
	out->ent = NULL; out->n = 0; out->bytes = 0; out->next = NULL;
	errno = ENOSYS;
	return -1;
}

void sl_objbatch_free(sl_objbatch *b) { (void)b; }

int sl_objsrc_copy(sl_objsrc *s, const char *key, int fd, int64_t *bytes, char *err, size_t cap)
{
	(void)s; (void)key; (void)fd; (void)err; (void)cap;
	if (bytes) *bytes = 0;
	errno = ENOSYS;
	return -1;
}

int sl_objsrc_watch_fd(sl_objsrc *s) { (void)s; return -1; }
void sl_objsrc_drain(sl_objsrc *s) { (void)s; }
const char *sl_objsrc_describe(const sl_objsrc *s) { (void)s; return ""; }
