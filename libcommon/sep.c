/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sep.c -- separator values (sep.h).
 */
#include <string.h>

#include "io.h"
#include "hex.h"
#include "sep.h"

int sl_sep_parse(const char *v, sl_buf *out, const char **err)
{
	size_t n = strlen(v), i;

	if (n >= 2 && v[0] == '\\' && (v[1] == 'x' || v[1] == 'X')) {
		sl_buf hex = SL_BUF_ZERO;
		int r = 1;

		for (i = 0; i < n; i++) {
			if (v[i] == '\\' && i + 1 < n && (v[i + 1] == 'x' || v[i + 1] == 'X')) {
				i++;
				continue;
			}
			if (sl_buf_putc(&hex, v[i]) < 0) {
				sl_buf_free(&hex);
				return -1;
			}
		}
		if (!hex.len) {
			*err = "Hex str is empty";
			r = 0;
		} else {
			for (i = 0; i < hex.len; i++)
				if (sl_hex_digit((unsigned char)hex.p[i]) < 0)
					break;
			if (i < hex.len) {
				*err = "Hex str format error";
				r = 0;
			} else if (hex.len % 2) {
				*err = "Hex str length error";
				r = 0;
			}
		}
		for (i = 0; r == 1 && i < hex.len; i += 2)
			if (sl_buf_putc(out, (char)(sl_hex_digit((unsigned char)hex.p[i]) << 4 |
			    sl_hex_digit((unsigned char)hex.p[i + 1]))) < 0)
				r = -1;
		sl_buf_free(&hex);
		return r;
	}
	for (i = 0; i < n; i++) {
		char c = v[i];
		if (c == '\\' && i + 1 < n) {
			char e = v[i + 1], r = 0;
			switch (e) {
			case 't': r = '\t'; break;
			case 'n': r = '\n'; break;
			case 'r': r = '\r'; break;
			case '\\': r = '\\'; break;
			case '\'': r = '\''; break;
			case '"': r = '"'; break;
			}
			if (r) {
				if (sl_buf_putc(out, r) < 0)
					return -1;
				i++;
				continue;
			}
		}
		if (sl_buf_putc(out, c) < 0)
			return -1;
	}
	return 1;
}

int sl_sep_display(const char *p, size_t n, sl_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *e = p[i] == '\t' ? "\\t" : p[i] == '\n' ? "\\n" : p[i] == '\r' ? "\\r" : 0;
		if (e ? sl_buf_put(out, e, 2) < 0 : sl_buf_putc(out, p[i]) < 0)
			return -1;
	}
	if (sl_buf_cstr(out) < 0)
		return -1;
	return 1;
}
