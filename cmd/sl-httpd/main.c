/* SPDX-License-Identifier: Apache-2.0 */
/* main.c -- sl-httpd options and accept loop (being written). */
#include "sl.h"
#include "msg.h"
#include "httpd.h"

#define USAGE "sl-httpd [--data-dir D] [--listen ADDR:PORT]... [-1] [-c MAXCONN] [-U user] [--inetd]"

int main(int argc, char **argv)
{
	(void)argc;
	sl_msg_init(argv[0]);
	sl_dieusage(USAGE);
}
