/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csvsplit.h -- the plain-CSV fast path of sl-parse (separator values:
 * sep.h): a buffered line reader over an fd with a
 * bounded line length, a field splitter (SSE2 for one-byte separators,
 * memmem for longer ones); UTF-8 validation is utf8.h.
 * Quoted input (enclose/escape): sl_csvq, with libcsv.
 */
#ifndef SL_CSVSPLIT_H
#define SL_CSVSPLIT_H

#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "field.h"
#include "input.h"
#include "sep.h"

/* Buffered line reader. Lines are split at delim (any length >= 1); when
 * crlf is set (the delimiter is "\n") one '\r' before it is stripped too.
 * The text after the last delimiter is a line. Memory stays bounded by
 * max: a line longer than max is returned truncated to its first max bytes
 * with toolong set, and the rest of it is skipped without being buffered. */
typedef struct sl_lines {
	int fd;
	char *buf;
	size_t cap, start, end, scan;
	size_t max;
	const char *delim;      /* not owned; must outlive the reader */
	size_t dlen;
	int crlf;
	int eof;
	int skipping;           /* inside the tail of a too-long line */
	uint64_t nread;         /* bytes read from fd (LoadBytes) */
	uint64_t lineno;        /* physical lines returned so far */
	uint64_t read_ns;       /* time spent in read(2) */
	/* Called (if set) before a read(2) that would block, so the caller can
	 * flush its output first and never stall a streaming pipeline. */
	void (*before_block)(void *arg);
	void *arg;
	/* When set (before the first sl_lines_next), bytes come from in
	 * (decompressed) instead of fd, and nread counts in's compressed
	 * bytes. A -1 from sl_lines_next then has sl_input_read's errno:
	 * EBADMSG for corrupt or truncated compressed data (the reason is
	 * sl_input_error(in)), else the read error's. */
	sl_input *in;
} sl_lines;

/* Lines returned by sl_lines_next are followed by at least SL_CSV_PAD
 * readable bytes (of unspecified value), so callers may copy fields in
 * 16-byte steps without checking for the end of the buffer. */
#define SL_CSV_PAD 64

typedef struct sl_line {
	const char *p;          /* valid until the next sl_lines_next */
	size_t n;
	int toolong;
	int nodelim;            /* 1: the body's last line, ended by EOF and
	                         * not by a delimiter */
	uint64_t lineno;        /* 1-based physical line number */
} sl_line;

/* 1 ok, -1 ENOMEM (or EINVAL for an empty delimiter). */
int sl_lines_init(sl_lines *l, int fd, const char *delim, size_t dlen, size_t max);
void sl_lines_free(sl_lines *l);
/* Next line: 1 with *ln filled, 0 at EOF, -1 with errno (read error). */
int sl_lines_next(sl_lines *l, sl_line *ln);

/* Split p[0..n) at every non-overlapping occurrence of sep, left to right
 * (`a||||b` split by `||` gives a, '', b). Stores at most max fields in
 * out and returns the number of fields (>= 1; may exceed max, then split
 * again with a larger array). If ascii is not NULL it is set to 1 when
 * every byte is < 0x80 (so the caller can skip UTF-8 validation). */
size_t sl_csv_split(const char *p, size_t n, const char *sep, size_t slen,
	sl_field *out, size_t max, int *ascii);

/* How sl-parse reads a CSV body: its separators (not owned), enclose and
 * escape bytes (-1: none; escape is used only with enclose), SL_CSVQ_*
 * flags and the physical lines skipped first. */
typedef struct sl_csvfmt {
	const char *sep, *delim;
	size_t slen, dlen;
	int enclose, escape, flags;
	uint64_t skip;
} sl_csvfmt;

/* The first record of the body that starts with p[0..n) (end: the body
 * ends there), split as sl-parse splits it: a UTF-8 BOM, fmt->skip lines
 * and empty lines go first; then sl_lines and sl_csv_split, or sl_csvq
 * with an enclose byte. 1 with its fields appended to out, each followed
 * by a NUL byte, and *nf their number; 0 when p[0..n) holds no whole
 * record (more bytes are needed, unless end); -1 ENOMEM. */
int sl_csv_first(const char *p, size_t n, int end, const sl_csvfmt *fmt, sl_buf *out, size_t *nf);

/* Enclosed CSV (the `enclose`/`escape` headers, spec section 6): records
 * read with libcsv over the physical lines of an sl_lines reader, so a
 * field that starts with the enclose byte may hold separators and line
 * delimiters. Separator and line delimiter of any length: libcsv is told
 * the separator's first byte, and q_line tells it which of those bytes
 * start a whole separator outside an enclosed field; the line delimiter is
 * the sl_lines reader's (inside an enclosed field it is data). Inside an
 * enclosed field a doubled enclose byte does not end it and stays two
 * bytes, as Doris keeps it, unless escape is set (Doris unescapes: one
 * byte, also in unenclosed fields) or flags has SL_CSVQ_COLLAPSE (RFC
 * 4180: one byte; sl-parse sets it for trim_double_quotes); the escape
 * byte (if any) makes the next byte literal; outside, escape removes
 * itself (except before the separator, `N`, or an enclose byte at the
 * start of a field, where it is kept). An escape equal to the enclose
 * byte still opens and closes enclosed fields, "" inside one being one
 * byte (`"x""y"` is x"y). Text after a closing enclose byte belongs to
 * the same field, which is then stripped of its first and last bytes
 * only if both are the enclose byte ('a\'b' is a\'b without escape,
 * "g"hi stays "g"hi). A record over max bytes is
 * returned with toolong set; if it was an unterminated enclosed field,
 * the rest of the body is skipped. An enclosed field still open at the
 * end of the body (within max) swallows the rest of it: the field is its
 * opening enclose byte and everything after it, up to the last byte of
 * the body (its line delimiters included, no delimiter added after a last
 * line that has none), doubled enclose bytes and escapes inside it
 * treated as above. */
typedef struct sl_csvq sl_csvq;
typedef struct sl_qrec {
	size_t nf;
	sl_field *f;            /* fields, followed by SL_CSV_PAD bytes */
	int toolong;
	uint64_t lineno;        /* physical line where the record began */
} sl_qrec;
#define SL_CSVQ_COLLAPSE 1     /* a doubled enclose byte is one (RFC 4180) */
/* sep[0..slen), slen >= 1 (copied); skip: physical lines to skip first
 * (a UTF-8 BOM on the first line is dropped). escape < 0: none. flags:
 * SL_CSVQ_*. NULL on ENOMEM (EINVAL for an empty separator). */
sl_csvq *sl_csvq_new(sl_lines *l, const char *sep, size_t slen, unsigned char enclose,
	int escape, int flags, size_t max, uint64_t skip);
/* 1 record, 0 end, -1 error (errno; from the line reader). */
int sl_csvq_next(sl_csvq *q, sl_qrec *r);
void sl_csvq_free(sl_csvq *q);

#endif
