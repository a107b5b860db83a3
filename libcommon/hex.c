/* SPDX-License-Identifier: Apache-2.0 */
/* hex.c -- hexadecimal digits (hex.h). */
#include "hex.h"

int sl_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
