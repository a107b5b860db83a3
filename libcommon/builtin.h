/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtin.h -- the five load stages carried built in by the launchers
 * (sl-load, sl-httpd): each stage's cmd/NAME.c is compiled a second time
 * with main renamed (the Makefile's *.stage.o), and this table registers
 * them with spawn.h, which then forks them without exec. The stage
 * binaries themselves are unchanged and still run on their own.
 */
#ifndef SL_BUILTIN_H
#define SL_BUILTIN_H

#include "spawn.h"

int sl_parse_main(int argc, char **argv);
int sl_map_main(int argc, char **argv);
int sl_filter_main(int argc, char **argv);
int sl_txn_main(int argc, char **argv);
int sl_commit_main(int argc, char **argv);

/* { "sl-parse", sl_parse_main }, ..., { NULL, NULL } */
extern const sl_builtin sl_builtin_stages[];

#endif
