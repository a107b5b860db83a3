/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.h -- the row stream (man/sl-stream.5).
 *
 *   frame = type:u8 flags:u8 reserved:u16(=0) length:u32 BE payload[length]
 *
 * Types (ASCII letters; lower case = ignorable metadata, skipped by readers;
 * unknown upper case = fatal):
 *   H  header: magic "SL\0\1", u32 ncols, then per column two fields
 *      (name, Doris type text e.g. "DECIMAL(15,2)"). Flag SL_H_VARIADIC:
 *      ncols is 0 and rows may have any number of fields (raw source rows
 *      straight from sl-parse, all text). Flag SL_H_TYPED: source rows
 *      of sl-parse from a columnar file (parquet, orc, arrow) whose
 *      columns of type STRING hold text and every other column its typed
 *      binary encoding (below), for sl-map to take without a text round
 *      trip; NULL and absent as for text. A stage that changes the shape
 *      writes a new H. Must be the first frame apart from C/c frames.
 *   R  row: fields. field = u32 BE length + bytes; length 0xFFFFFFFF = NULL,
 *      0xFFFFFFFE = absent (source rows only: a JSON key that is not there).
 *      Field bytes are the typed binary encoding of the column's type
 *      (types.h, sl_value_encode); VARCHAR/CHAR/STRING are raw bytes.
 *   F  filtered row (error record): three fields: reason, source text,
 *      line number (8 bytes BE). Travels to sl-txn, which writes the error log.
 *   C  counters/metadata: pairs of fields (key, value text). Later keys with
 *      the same name override earlier ones. Keys are Doris names where one
 *      exists ("LoadBytes", "NumberUnselectedRows", "TxnId", "Label", ...).
 *   X  abort: fields (message, txn-phase). message is Doris-formatted
 *      ("[NOT_FOUND]TStatus: ..."); flag SL_X_PRETXN: the failure happened
 *      before a transaction could begin (answer carries TxnId -1).
 *   E  end: u64 BE count of R frames in the stream. Flag SL_E_CRC: a u32 BE
 *      crc32 (zlib) of every byte from the H frame up to this frame follows.
 *      Writers set it when SL_FRAME_CRC=1 is in the environment, and then
 *      mark the H frame with SL_H_CRC so readers know to compute it.
 *
 * EOF right after E is clean; EOF anywhere else is truncation (EPIPE).
 */
#ifndef SL_FRAME_H
#define SL_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"

#define SL_FRAME_HDR 8
#define SL_FRAME_MAX_DEFAULT (16u << 20)   /* SL_FRAME_MAX env raises it */
#define SL_MAGIC "SL\0\1"

#define SL_H_VARIADIC 0x01
#define SL_H_CRC      0x02   /* an E frame with SL_E_CRC follows; crc covers H.. */
#define SL_H_TYPED    0x04   /* source rows of sl-parse with typed fields (above) */
#define SL_X_PRETXN   0x01
#define SL_E_CRC      0x01


typedef struct sl_frame {
	unsigned char type, flags;
	uint32_t len;
	const char *p;          /* payload; valid until the next read */
} sl_frame;

/* Buffered frame reader over an fd. */
/* What this process's readers and writers moved (enable_profile,
 * profile.h): R frames and bytes read, R frames and F records written,
 * bytes written to the output. */
typedef struct sl_io_tally {
	uint64_t rows_in, bytes_in, rows_out, errors_out, bytes_out;
} sl_io_tally;
extern sl_io_tally sl_tally;

typedef struct sl_reader {
	int fd;
	char *buf;
	size_t cap, start, end;
	uint32_t max;           /* frame size limit */
	uint64_t nrows;         /* R frames seen */
	uint64_t nbytes;        /* bytes consumed */
	int seen_end;           /* E frame read and verified */
	int seen_header;
	int crc_on;
	uint32_t crc;
	int64_t deadline_ms;    /* CLOCK_MONOTONIC ms; 0 = none (ETIMEDOUT) */
	int last_err;
	struct sl_writer *flush; /* flushed before a read that would block */
} sl_reader;

/* 1 ok, -1 ENOMEM. Reads SL_FRAME_MAX from the environment. Set
 * r->deadline_ms to make reads fail with ETIMEDOUT after that instant.
 * Set r->flush to the stage's writer so that buffered output is flushed
 * before the reader blocks on its input (streaming never stalls). */
int sl_reader_init(sl_reader *r, int fd);
void sl_reader_free(sl_reader *r);
/* Read the next frame. Skips lower-case frames. Checks: first frame must be
 * H or C (else EPROTO, "not an sl stream" -- see sl_reader_errstr); unknown
 * upper-case type EPROTO; length > max ERANGE; E row count or CRC mismatch
 * EPROTO; any frame after E EPROTO. Returns 1 with *f filled, 0 on clean EOF
 * (only after E), -1 with errno: EPROTO bad stream, ERANGE oversize frame,
 * EPIPE truncated, ETIMEDOUT past the deadline, or the read error. A
 * first frame that is not a frame (bad type/reserved bytes/magic) sets errno
 * EPROTO with r->nbytes == 0. The first frame must be H, C or X; R, F and E
 * need an H before them. */
int sl_frame_read(sl_reader *r, sl_frame *f);
/* A human message for the last -1 of sl_frame_read, e.g.
 * "stdin is not an sl stream", "truncated stream at byte 1234",
 * "frame too large (20000000 bytes) at byte 8". Static storage. */
const char *sl_reader_errstr(const sl_reader *r, int err);

/* Split a payload into fields. Returns the number of fields, or -1 EPROTO
 * if the payload is not a whole sequence of fields. At most max are stored
 * in out (the count returned may exceed max; extra are not stored). */
long sl_fields_parse(const char *p, size_t len, sl_field *out, size_t max);
/* Header frame: parse into names/types (pointers into the payload, NOT
 * NUL-terminated; lengths given). Returns ncols or -1 EPROTO. */
typedef struct sl_colspec { sl_field name, type; } sl_colspec;
long sl_header_parse(const sl_frame *f, sl_colspec *out, size_t max);

/* Buffered frame writer. Frames are buffered (1 MiB) and written in
 * large writes; nothing is written per row. On a terminal (isatty) the
 * writer prints readable text instead of frames (print.h: a header line,
 * then one line per row, F/X frames as "# filtered ..." / "# abort: ..."). */
typedef struct sl_writer {
	int fd;
	char *buf;
	size_t len, cap;
	uint64_t nrows;
	uint32_t crc;
	int crc_on;
	struct sl_print *tty;   /* text mode (a terminal): the printer, else NULL */
	int err;                /* sticky errno of a failed write, 0 if none */
	size_t row_start;       /* incremental row building */
	char *trow;             /* text mode: where sl_row_reserve's row is built */
	size_t trowcap;
} sl_writer;

/* 1 ok, -1 ENOMEM. Text mode is chosen when isatty(fd). */
int sl_writer_init(sl_writer *w, int fd);
void sl_writer_free(sl_writer *w);

/* how 1: the buffers (1 MiB each) of the readers and writers made from
 * now on are noted; 0: those not freed since are freed now; -1: they are
 * forgotten (the heap may be mid-change: a signal stopped a program). A
 * program run in this process (spawn.h sl_spawn_sequence_here) that
 * returned or ended itself without freeing its own leaves none behind.
 * Up to 16 noted at a time; more are left as they are. */
void sl_frame_track(int how);
/* All write functions return 1, or -1 with errno (the sticky w->err). */
int sl_write_header(sl_writer *w, size_t ncols, const sl_field *names, const sl_field *types, int flags);
int sl_write_row(sl_writer *w, size_t n, const sl_field *fields);
/* Incremental row: begin, then one call per field, then end. */
int sl_row_begin(sl_writer *w);
int sl_row_field(sl_writer *w, const void *p, size_t n);   /* n = SL_NULL_LEN: NULL */
int sl_row_end(sl_writer *w);
/* An R frame of at most len payload bytes built in place: the address
 * where the caller builds the payload, in the writer's buffer (in text
 * mode a buffer of the writer's own), then ends it with sl_row_done
 * before any other call on w. NULL with errno (the write error). Saves
 * the copy of a row built elsewhere (sl-parse's and sl-map's rows). */
char *sl_row_reserve(sl_writer *w, size_t len);
/* The row sl_row_reserve returned p for is complete, its first len bytes
 * (at most what was reserved: a row whose length is known only at its
 * end): the frame cut to them, or in text mode the row printed. 1; -1
 * errno (the sticky w->err). */
int sl_row_done(sl_writer *w, char *p, size_t len);
int sl_write_error(sl_writer *w, const char *reason, size_t rlen, const char *src, size_t slen, uint64_t line);
/* Counters: n key/value pairs (NUL-terminated strings). */
int sl_write_kv(sl_writer *w, size_t n, const char *const *keys, const char *const *values);
int sl_write_abort(sl_writer *w, int flags, const char *msg);
/* Write E, flush. */
int sl_write_end(sl_writer *w);
/* Copy an already-read frame through unchanged (R frames count). */
int sl_write_frame(sl_writer *w, const sl_frame *f);
int sl_writer_flush(sl_writer *w);

/* Key/value helper over C frames: a small ordered map (later wins). */
typedef struct sl_kv { size_t n, cap; char **k, **v; } sl_kv;
#define SL_KV_ZERO { 0, 0, 0, 0 }
int sl_kv_set(sl_kv *kv, const char *k, const char *v);          /* 1, -1 ENOMEM */
int sl_kv_setn(sl_kv *kv, const char *k, const char *v, size_t vn);
int sl_kv_set_i64(sl_kv *kv, const char *k, int64_t v);
const char *sl_kv_get(const sl_kv *kv, const char *k);              /* NULL if absent */
int64_t sl_kv_get_i64(const sl_kv *kv, const char *k, int64_t dflt);
/* Merge a C frame into kv. 1, -1 EPROTO/ENOMEM. */
int sl_kv_merge_frame(sl_kv *kv, const sl_frame *f);
int sl_write_kvmap(sl_writer *w, const sl_kv *kv);
void sl_kv_free(sl_kv *kv);

#endif
