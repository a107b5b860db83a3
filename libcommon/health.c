/* SPDX-License-Identifier: Apache-2.0 */
/*
 * health.c -- the data directory's write probe (health.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "health.h"

int sl_health_probe(const char *dir)
{
	char p[PATH_MAX];
	int fd, tries, e;

	if (snprintf(p, sizeof p, "%s/.sl-health-%ld", dir, (long)getpid()) >= (int)sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* a probe left by a process of the same pid that died inside it */
	for (tries = 0; (fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0; tries++)
		if (errno != EEXIST || tries || unlink(p) < 0)
			return -1;
	errno = 0;
	if (write(fd, "ok\n", 3) != 3 || fsync(fd) < 0) {
		e = errno ? errno : EIO;
		close(fd);
		unlink(p);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || unlink(p) < 0) {
		e = errno;
		unlink(p);
		errno = e;
		return -1;
	}
	return 1;
}
