/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mysqld.h -- the parts of sl-mysqld, shared by its files: main.c
 * (options, listening, the accept loop), conn.c (a connection's packets,
 * the handshake and authentication), command.c (the commands: queries and
 * their result sets), stmt.c (prepared statements).
 */
#ifndef SL_MYSQLD_H
#define SL_MYSQLD_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "store.h"
#include "sql.h"
#include "types.h"
#include "tls.h"
#include "metrics.h"

/* What MySQL clients see: Doris says it is MySQL 5.7 compatible. */
#define MYSQLD_VERSION "5.7.99"
#define MYSQLD_MAX_STMTS 1024
#define MYSQLD_MAX_PARAMS 65535

typedef struct mysqld_conf {
	const char *data_dir;
	size_t max_packet;      /* --max-allowed-packet (bytes) */
	int idle_ms;            /* --idle-timeout: between commands */
	int read_ms;            /* --read-timeout: within a packet, and writes */
	int verbosity;
	sl_tls_ctx *tls;        /* --tls-cert/--tls-key loaded; NULL: no TLS */
	int require_secure;     /* --require-secure-transport */
	sl_metrics *metrics;    /* the counters (NULL: not kept) */
} mysqld_conf;

typedef struct mysqld_stmt {
	uint32_t id;            /* 0: free slot */
	char *sql;
	size_t n;
	unsigned np;            /* '?' placeholders */
	size_t *pos;            /* their offsets */
	uint8_t *types;         /* 2 bytes per parameter, from the last bind */
	sl_buf *longs;          /* COM_STMT_SEND_LONG_DATA's pieces: np buffers,
	                         * p set for a parameter sent so (NULL: none) */
	size_t long_bytes;      /* their total, bounded by max_allowed_packet */
	unsigned long_err;      /* the error the next EXECUTE answers (0: none) */
} mysqld_stmt;

typedef struct mysqld_conn {
	const mysqld_conf *cf;
	int rfd, wfd;
	uint8_t seq;
	uint32_t id, caps;
	uint16_t status;
	char ip[64];
	sl_buf pay, out, tmp;   /* a payload being built; framed output; scratch */
	sl_store st;
	sl_sql q;
	/* the result set being sent: binary rows (COM_STMT_EXECUTE), more
	 * results follow, column definitions for COM_FIELD_LIST; whether it
	 * began and whether the client's socket failed */
	int binary, more, field_list, began, io_failed;
	sl_type *coltypes;
	size_t ncols, coltcap;
	mysqld_stmt *stmts;
	size_t nstmts;
	uint32_t next_stmt;
	sl_tls *tls;            /* after the client's SSL request: every read
	                         * and write goes through it */
	int64_t start_ms;       /* wall clock at accept, for the access log */
	unsigned errs;          /* ERR packets sent: a command's result */
} mysqld_conn;

/* conn.c */
/* Read one whole packet (continuations joined) into c->pay. 1; 0 the peer
 * closed before a packet; -1 errno (ETIMEDOUT, EMSGSIZE, EPROTO). */
int mysqld_read(mysqld_conn *c, int idle);
/* Frame c->pay as the next packet into c->out (flushed when large). */
int mysqld_send(mysqld_conn *c);
int mysqld_flush(mysqld_conn *c);
int mysqld_send_err(mysqld_conn *c, unsigned code, const char *state, const char *msg);
int mysqld_send_ok(mysqld_conn *c, uint64_t affected, uint16_t warnings, const char *info);
/* The end of a result set: EOF, or OK with CLIENT_DEPRECATE_EOF. */
int mysqld_send_eof(mysqld_conn *c);
/* Handshake and authentication. 1 logged in; 0 refused (answered); -1. */
int mysqld_login(mysqld_conn *c);
/* Serve a connection on rfd/wfd until it ends. Returns the exit status. */
int mysqld_serve(const mysqld_conf *cf, int rfd, int wfd, const char *ip, uint32_t id);

/* command.c */
/* One command in c->pay. 1 go on; 0 the client quit; -1 close. */
int mysqld_command(mysqld_conn *c);
/* The name of command byte com for the counters ("COM_QUERY"; "other"). */
const char *mysqld_command_name(unsigned char com);
/* Run one statement; rows through the result-set sink (binary rows when
 * c->binary). 1 answered (OK, result set or ERR); -1 I/O. */
int mysqld_statement(mysqld_conn *c, const char *sql, size_t n);

/* USE `db` (the database of the handshake, COM_INIT_DB): 1 done; 0
 * refused (ERR sent); -1. */
int mysqld_use(mysqld_conn *c, const char *db, size_t n);

/* stmt.c */
int mysqld_stmt_prepare(mysqld_conn *c);
int mysqld_stmt_execute(mysqld_conn *c);
int mysqld_stmt_close(mysqld_conn *c);
int mysqld_stmt_reset(mysqld_conn *c);
int mysqld_stmt_long_data(mysqld_conn *c);
void mysqld_stmt_free_all(mysqld_conn *c);

#endif
