/* SPDX-License-Identifier: Apache-2.0 */
/*
 * maxrss.c -- run a program and record its peak RSS (bench/load.sh; the
 * script compiles it). The child inherits stdin/stdout/stderr, so it can
 * wrap one stage of a pipeline:
 *
 *   maxrss OUT prog args...    appends "prog <peak-KiB> <wall-ms>\n" to OUT
 *
 * Exits with the child's status (128+n if it died of signal n).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	struct timespec t0, t1;
	int st, fd;
	pid_t pid;
	char line[512];
	const char *base;

	if (argc < 3) {
		fputs("maxrss: usage: maxrss OUT prog args...\n", stderr);
		return 100;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 111;
	}
	if (!pid) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "maxrss: unable to exec %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	base = strrchr(argv[2], '/');
	base = base ? base + 1 : argv[2];
	snprintf(line, sizeof line, "%s %ld %ld\n", base, ru.ru_maxrss,
	    (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd >= 0) {
		(void)!write(fd, line, strlen(line));
		close(fd);
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
