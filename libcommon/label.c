/* SPDX-License-Identifier: Apache-2.0 */
/*
 * label.c -- label syntax and generated UUID labels (getrandom, falling back
 * to /dev/urandom).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "io.h"
#include "label.h"

int sl_label_valid(const char *l)
{
	size_t n = strlen(l);

	if (n < 1 || n > 128)
		return 0;
	return strspn(l, "-_:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == n;
}

int sl_label_uuid(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t k = getrandom(b + got, sizeof b - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got < sizeof b) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC), e;
		if (fd < 0)
			return -1;
		if (sl_allread(fd, b, sizeof b) != sizeof b) {
			e = errno ? errno : EIO;
			close(fd);
			errno = e;
			return -1;
		}
		close(fd);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		b[10], b[11], b[12], b[13], b[14], b[15]);
	return 1;
}
