/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stage.h -- what every command-line stage repeats: parsing the common
 * options plus operands, and dying with a Doris message sent downstream.
 * For cmd/ only (these print and exit, like msg.h).
 */
#ifndef SL_STAGE_H
#define SL_STAGE_H

#include "frame.h"
#include "hdr.h"

/* Parse argv: the common options (hdr.h) and at most max operands, stored
 * in operands[0..] (the rest NULL). Any other option, or too many operands,
 * is a usage error (exit 100); -h/--help prints the usage on stdout and
 * exits 0. Returns the number of operands. */
int sl_stage_args(sl_opts *o, int argc, char **argv, const char *usage, const char **operands, int max);

/* Split "db.table" into its two parts (each 1..64 bytes). 1 ok, 0 malformed. */
int sl_stage_target(const char *s, char db[65], char table[65]);

/* "unable to write stdout" with the writer's sticky errno; exit 111. */
__attribute__((noreturn)) void sl_stage_die_write(sl_writer *w);

/* Send an X frame with the message (flags: SL_X_PRETXN) downstream, print
 * "prog: fatal: message", exit with code. */
__attribute__((noreturn, format(printf, 4, 5)))
void sl_stage_abort(sl_writer *w, int code, int flags, const char *fmt, ...);

#endif
