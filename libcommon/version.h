/* SPDX-License-Identifier: Apache-2.0 */
/*
 * version.h -- streamload's version, fixed at build time from the
 * Makefile's VERSION (and `git describe` in a git checkout): the one
 * place every binary's --version reads it from.
 */
#ifndef SL_VERSION_H
#define SL_VERSION_H

#include <stddef.h>

/* The version: "0.9.0"; built in a git checkout, the commit appended
 * ("0.9.0+ga90e374", "-dirty" when the tree had changes), or the tag's
 * own description when the commit is tagged vX.Y.Z ("0.9.0-3-g1a2b3c4"). */
const char *sl_version_string(void);

/* The --version line of program prog, "prog (streamload) VERSION", into
 * buf (always NUL-terminated when n > 0). Returns the length of the
 * whole line, as snprintf: n or more means it was cut. */
int sl_version_line(char *buf, size_t n, const char *prog);

#endif
