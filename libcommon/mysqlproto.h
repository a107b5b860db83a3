/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mysqlproto.h -- the MySQL client/server protocol's codec (protocol 41),
 * for sl-mysqld: length-encoded integers and strings, packet framing
 * (4-byte header: 3-byte length, sequence id; payloads of 16 MB - 1 and
 * more split), the v10 handshake and the client's answer, OK/ERR/EOF,
 * column definitions with the MySQL type of an sl_type, text rows and
 * binary-protocol rows (COM_STMT_EXECUTE), and the parameters of
 * COM_STMT_EXECUTE made SQL literals.
 *
 * Encoders append a payload to an sl_buf (1, or -1 ENOMEM). Decoders read
 * untrusted bytes: a reader never reads past its end, a short or malformed
 * field sets rd->bad and the caller answers with an error.
 */
#ifndef SL_MYSQLPROTO_H
#define SL_MYSQLPROTO_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "types.h"

/* Capability flags (CLIENT_*) */
#define SL_MYSQL_CLIENT_LONG_PASSWORD     0x00000001u
#define SL_MYSQL_CLIENT_FOUND_ROWS        0x00000002u
#define SL_MYSQL_CLIENT_LONG_FLAG         0x00000004u
#define SL_MYSQL_CLIENT_CONNECT_WITH_DB   0x00000008u
#define SL_MYSQL_CLIENT_NO_SCHEMA         0x00000010u
#define SL_MYSQL_CLIENT_LOCAL_FILES       0x00000080u
#define SL_MYSQL_CLIENT_IGNORE_SPACE      0x00000100u
#define SL_MYSQL_CLIENT_PROTOCOL_41       0x00000200u
#define SL_MYSQL_CLIENT_INTERACTIVE       0x00000400u
#define SL_MYSQL_CLIENT_SSL               0x00000800u
#define SL_MYSQL_CLIENT_TRANSACTIONS      0x00002000u
#define SL_MYSQL_CLIENT_SECURE_CONNECTION 0x00008000u
#define SL_MYSQL_CLIENT_MULTI_STATEMENTS  0x00010000u
#define SL_MYSQL_CLIENT_MULTI_RESULTS     0x00020000u
#define SL_MYSQL_CLIENT_PS_MULTI_RESULTS  0x00040000u
#define SL_MYSQL_CLIENT_PLUGIN_AUTH       0x00080000u
#define SL_MYSQL_CLIENT_CONNECT_ATTRS     0x00100000u
#define SL_MYSQL_CLIENT_PLUGIN_AUTH_LENENC 0x00200000u
#define SL_MYSQL_CLIENT_DEPRECATE_EOF     0x01000000u

/* Server status flags */
#define SL_MYSQL_STATUS_AUTOCOMMIT        0x0002u
#define SL_MYSQL_STATUS_MORE_RESULTS      0x0008u

/* Commands */
#define SL_MYSQL_COM_QUIT          0x01
#define SL_MYSQL_COM_INIT_DB       0x02
#define SL_MYSQL_COM_QUERY         0x03
#define SL_MYSQL_COM_FIELD_LIST    0x04
#define SL_MYSQL_COM_STATISTICS    0x09
#define SL_MYSQL_COM_PING          0x0e
#define SL_MYSQL_COM_RESET_CONNECTION 0x1f
#define SL_MYSQL_COM_SET_OPTION    0x1b
#define SL_MYSQL_COM_STMT_PREPARE  0x16
#define SL_MYSQL_COM_STMT_EXECUTE  0x17
#define SL_MYSQL_COM_STMT_SEND_LONG_DATA 0x18
#define SL_MYSQL_COM_STMT_CLOSE    0x19
#define SL_MYSQL_COM_STMT_RESET    0x1a

/* Column types */
#define SL_MYSQL_TYPE_DECIMAL   0
#define SL_MYSQL_TYPE_TINY      1
#define SL_MYSQL_TYPE_SHORT     2
#define SL_MYSQL_TYPE_LONG      3
#define SL_MYSQL_TYPE_FLOAT     4
#define SL_MYSQL_TYPE_DOUBLE    5
#define SL_MYSQL_TYPE_NULL      6
#define SL_MYSQL_TYPE_TIMESTAMP 7
#define SL_MYSQL_TYPE_LONGLONG  8
#define SL_MYSQL_TYPE_INT24     9
#define SL_MYSQL_TYPE_DATE      10
#define SL_MYSQL_TYPE_TIME      11
#define SL_MYSQL_TYPE_DATETIME  12
#define SL_MYSQL_TYPE_YEAR      13
#define SL_MYSQL_TYPE_VARCHAR   15
#define SL_MYSQL_TYPE_BIT       16
#define SL_MYSQL_TYPE_JSON      245
#define SL_MYSQL_TYPE_NEWDECIMAL 246
#define SL_MYSQL_TYPE_BLOB      252
#define SL_MYSQL_TYPE_VAR_STRING 253
#define SL_MYSQL_TYPE_STRING    254

/* The largest payload of one packet; longer ones continue in the next. */
#define SL_MYSQL_PACKET_MAX 0xffffffu
/* utf8mb4_general_ci, the collation Doris answers with: */
#define SL_MYSQL_CHARSET_UTF8 33
#define SL_MYSQL_CHARSET_BINARY 63

/* Appending, little endian. */
int sl_mysqlproto_put_int(sl_buf *b, uint64_t v, unsigned width);
int sl_mysqlproto_put_lenenc(sl_buf *b, uint64_t v);
int sl_mysqlproto_put_lenstr(sl_buf *b, const char *p, size_t n);

/* Reading a payload. */
typedef struct sl_mysqlproto_rd {
	const unsigned char *p;
	size_t n, off;
	int bad;                /* a read went past the end or was malformed */
} sl_mysqlproto_rd;
void sl_mysqlproto_rd_init(sl_mysqlproto_rd *r, const void *p, size_t n);
uint64_t sl_mysqlproto_get_int(sl_mysqlproto_rd *r, unsigned width);
uint64_t sl_mysqlproto_get_lenenc(sl_mysqlproto_rd *r, int *is_null);
/* The next n bytes (NULL and bad when fewer are left). */
const char *sl_mysqlproto_get_bytes(sl_mysqlproto_rd *r, size_t n);
/* A NUL-terminated string (*n its length without the NUL). */
const char *sl_mysqlproto_get_strnul(sl_mysqlproto_rd *r, size_t *n);
/* A length-encoded string. */
const char *sl_mysqlproto_get_lenstr(sl_mysqlproto_rd *r, size_t *n);

/* Framing: a payload's packets, written to out with sequence ids from
 * *seq (advanced). A payload of SL_MYSQL_PACKET_MAX or more is split, and
 * one of exactly a multiple of it ends with an empty packet. */
int sl_mysqlproto_frame(sl_buf *out, const void *payload, size_t n, uint8_t *seq);
/* A packet built in place at the end of out (no copy of its payload):
 * open reserves the header (*at its offset), the payload is appended, close
 * writes the header with the next sequence id from *seq, or splits a
 * payload of SL_MYSQL_PACKET_MAX or more as sl_mysqlproto_frame does. */
int sl_mysqlproto_open(sl_buf *out, size_t *at);
int sl_mysqlproto_close(sl_buf *out, size_t at, uint8_t *seq);
/* Parse the header of a packet: 1 and *len, *seq; 0 fewer than 4 bytes. */
int sl_mysqlproto_header(const void *p, size_t n, size_t *len, uint8_t *seq);

/* The server's greeting (protocol 10): version text, connection id, the
 * 20-byte scramble (bytes 1..127, no NUL), capabilities, status. */
int sl_mysqlproto_handshake(sl_buf *b, const char *version, uint32_t conn_id,
	const unsigned char scramble[20], uint32_t caps, uint16_t status);

/* The client's handshake response (protocol 41) or SSL request. */
typedef struct sl_mysqlproto_login {
	uint32_t caps, max_packet;
	unsigned charset;
	int ssl_request;        /* only the 32-byte SSL request came */
	char user[65];
	unsigned char auth[255];
	size_t authn;
	char db[65];            /* "" : none */
	char plugin[65];        /* "" : none named */
} sl_mysqlproto_login;
/* 1 parsed; 0 malformed or too long a field (user, db over 64 bytes, an
 * auth answer over 255, or a client without protocol 41). */
int sl_mysqlproto_parse_login(const void *p, size_t n, sl_mysqlproto_login *lg);
/* Auth switch request: plugin name and a new scramble. */
int sl_mysqlproto_auth_switch(sl_buf *b, const char *plugin, const unsigned char scramble[20]);

/* info ("" or NULL: none) follows as a length-encoded string. */
int sl_mysqlproto_ok(sl_buf *b, uint64_t affected, uint64_t last_id, uint16_t status,
	uint16_t warnings, const char *info);
/* An OK packet that ends a result set instead of EOF (CLIENT_DEPRECATE_EOF). */
int sl_mysqlproto_ok_eof(sl_buf *b, uint16_t status, uint16_t warnings);
int sl_mysqlproto_err(sl_buf *b, unsigned code, const char *state, const char *msg);
int sl_mysqlproto_eof(sl_buf *b, uint16_t warnings, uint16_t status);

/* MySQL column type, display length, flags and decimals of an sl_type,
 * as Doris answers them. */
typedef struct sl_mysqlproto_col {
	uint8_t type;
	uint16_t charset, flags;
	uint32_t length;
	uint8_t decimals;
} sl_mysqlproto_col;
void sl_mysqlproto_col_of(const sl_type *t, sl_mysqlproto_col *c);
/* A column definition (protocol 41); with field_list, the COM_FIELD_LIST
 * form (an empty default value after it). */
int sl_mysqlproto_coldef(sl_buf *b, const char *schema, const char *table,
	const char *name, const sl_type *t, int field_list);

/* A text row: each value as text (NULL: 0xfb). */
int sl_mysqlproto_text_row(sl_buf *b, size_t n, const sl_value *vals, sl_buf *tmp);
/* A binary-protocol row (COM_STMT_EXECUTE) of the columns' types. */
int sl_mysqlproto_bin_row(sl_buf *b, size_t n, const sl_value *vals,
	const sl_type *types, sl_buf *tmp);

/* COM_STMT_EXECUTE's parameters (after statement id, flags and iteration
 * count) as SQL literals, one per '?', into lits[i] (offsets into text;
 * types: the types sent with new_params_bound, kept in types[2*np] across
 * executions by the caller). longs: NULL, or np buffers where one whose p
 * is set holds a parameter sent in pieces (COM_STMT_SEND_LONG_DATA): it is
 * not in the packet, its bytes become a string literal. 1; 0 malformed
 * (rd->bad) or a type that is not supported (msg says which). */
int sl_mysqlproto_params(sl_mysqlproto_rd *r, unsigned np, uint8_t *types, const sl_buf *longs,
	sl_buf *text, size_t *lit_off, size_t *lit_len, char *msg, size_t msgcap);

/* The '?' placeholders of a statement outside quotes and comments: their
 * count, and the offsets of the first max in pos. */
unsigned sl_mysqlproto_placeholders(const char *sql, size_t n, size_t *pos, unsigned max);

#endif
