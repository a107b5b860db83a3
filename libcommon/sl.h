/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sl.h -- things every streamload binary and module shares: the exit-code
 * table, the NULL marker of the row stream, and small helpers.
 *
 * Exit codes are the same for every binary (see EXIT STATUS in each man page):
 *   0   ok
 *   1   a well-formed negative answer (a load that failed, label in use, ...)
 *   100 usage error or permanently bad input (bad magic, bad frame, bad SQL)
 *   101 internal bug
 *   111 temporary or system failure (I/O, ENOMEM, fork, truncated input)
 *   126 exec failure (found but not executable), 127 program not found
 *   128+n passing on a child's death by signal n
 */
#ifndef SL_H
#define SL_H

#include <stddef.h>
#include <stdint.h>

#define SL_EXIT_OK     0
#define SL_EXIT_NO     1
#define SL_EXIT_USAGE  100
#define SL_EXIT_BUG    101
#define SL_EXIT_TEMP   111
#define SL_EXIT_NOEXEC 126
#define SL_EXIT_NOENT  127

/* Length value of a NULL field in the row stream and in rowsets. */
#define SL_NULL_LEN 0xFFFFFFFFu
/* Length value of an absent source field (a JSON key that is not there):
 * sl-map gives the column its DEFAULT, else NULL. Source rows only. */
#define SL_ABSENT_LEN 0xFFFFFFFEu

/* Pipe size every stage asks for (F_SETPIPE_SZ); /proc/sys/fs/pipe-max-size. */
#define SL_PIPE_SIZE (1u << 20)

#define SL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Big-endian pack/unpack; never write a struct. */
static inline void sl_u16_pack(char *p, uint16_t v) { p[0] = (char)(v >> 8); p[1] = (char)v; }
static inline void sl_u32_pack(char *p, uint32_t v)
{ p[0] = (char)(v >> 24); p[1] = (char)(v >> 16); p[2] = (char)(v >> 8); p[3] = (char)v; }
static inline void sl_u64_pack(char *p, uint64_t v)
{ sl_u32_pack(p, (uint32_t)(v >> 32)); sl_u32_pack(p + 4, (uint32_t)v); }
static inline uint16_t sl_u16_unpack(const char *p)
{ const unsigned char *u = (const unsigned char *)p; return (uint16_t)(u[0] << 8 | u[1]); }
static inline uint32_t sl_u32_unpack(const char *p)
{ const unsigned char *u = (const unsigned char *)p;
  return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3]; }
static inline uint64_t sl_u64_unpack(const char *p)
{ return (uint64_t)sl_u32_unpack(p) << 32 | sl_u32_unpack(p + 4); }

/* Milliseconds of CLOCK_REALTIME / CLOCK_MONOTONIC. */
int64_t sl_now_ms(void);
int64_t sl_mono_ms(void);

#endif
