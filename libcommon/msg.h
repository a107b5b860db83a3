/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msg.h -- the one message format on stderr, for cmd/ only:
 *   sl-map: fatal: unable to read stdin: Broken pipe
 * Levels: fatal, warning, info, usage. The *sys variants append
 * ": strerror(errno)". Also the answers to --help and --version, on
 * stdout. libcommon itself never prints and never exits.
 */
#ifndef SL_MSG_H
#define SL_MSG_H

#include <stdarg.h>

extern const char *sl_prog;

/* How a program ends itself: exit(code), every fatal path here included;
 * but while sl_exit_hook is set (a program run inside another's process,
 * spawn.h sl_spawn_sequence_here), the hook is called first and does not
 * return. */
__attribute__((noreturn)) void sl_exit(int code);
extern void (*sl_exit_hook)(int code);

/* Set sl_prog from argv[0] (basename). */
void sl_msg_init(const char *argv0);

__attribute__((noreturn, format(printf, 2, 3))) void sl_die(int code, const char *fmt, ...);
__attribute__((noreturn, format(printf, 2, 3))) void sl_diesys(int code, const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void sl_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void sl_warnsys(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void sl_info(const char *fmt, ...);
/* A binary's usage text is its synopsis on the first line, then its
 * options one a line and the man page to read ("See sl-map(1).").
 * sl_dieusage: "prog: usage: SYNOPSIS" (the first line only) on stderr,
 * exit 100. */
__attribute__((noreturn)) void sl_dieusage(const char *usage);
/* --help: "usage: " and the whole usage text on stdout, exit 0 (111 when
 * stdout cannot be written). */
__attribute__((noreturn)) void sl_msg_help(const char *usage);
/* --version: "prog (streamload) VERSION" on stdout (version.h), exit 0
 * (111 when stdout cannot be written). */
__attribute__((noreturn)) void sl_msg_version(void);

/* 1 if errno value e is temporary (I/O, memory, resources): exit 111;
 * 0 if permanent: exit 100. */
int sl_error_temp(int e);
/* sl_error_temp(e) ? 111 : 100 */
int sl_exit_for_errno(int e);

#endif
