/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jqsandbox.h -- the `jq: <program>` header of a JSON load, compiled and
 * run in a sandbox: the program gets the record and nothing else (no
 * modules, files, inputs, environment, log or halt; see jqsandbox.c).
 */
#ifndef SL_JQSANDBOX_H
#define SL_JQSANDBOX_H

#include <stddef.h>
#include <jq.h>

#include "io.h"

/* Compile prog in the sandbox. jq's messages go to msgs ("; " between
 * them), which must outlive the state. NULL with err set: the program
 * reaches outside the record (SL_E_INVALID_ARGUMENT "jq: import is not
 * available in a load: ..."), does not compile (SL_E_INVALID_ARGUMENT
 * "jq compile error: ..."), or jq could not start (SL_E_INTERNAL_ERROR).
 * Free the state with jq_teardown. */
jq_state *sl_jqsandbox_compile(const char *prog, sl_buf *msgs, char *err, size_t errsz);
/* Around jq_start/jq_next: environ is empty in between (jq's `env`
 * reads it when it runs). enter returns what leave restores. */
char **sl_jqsandbox_enter(void);
void sl_jqsandbox_leave(char **saved);

#endif
