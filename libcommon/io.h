/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io.h -- all fd I/O: EINTR-safe read/write, full-length loops, and
 * growable byte buffers.
 */
#ifndef SL_IO_H
#define SL_IO_H

#include <stddef.h>
#include <sys/types.h>

/* read(2)/write(2) retrying EINTR; errno preserved on success.
 * sl_fd_write treats a 0 return as an error (EIO). */
ssize_t sl_fd_read(int fd, void *buf, size_t n);
ssize_t sl_fd_write(int fd, const void *buf, size_t n);

/* Loop until n bytes or EOF/error. Returns bytes done; < n means EOF
 * (allread, errno 0) or error (errno set). */
size_t sl_allread(int fd, void *buf, size_t n);
size_t sl_allwrite(int fd, const void *buf, size_t n);

/* Raise a pipe's capacity to SL_PIPE_SIZE; silently a no-op on non-pipes. */
void sl_pipe_grow(int fd);
/* sl_pipe_grow on fds 0 and 1. */
void sl_pipe_grow_std(void);

/* Growable buffer. SL_BUF_ZERO initialises; sl_buf_free releases.
 * Append functions return 1, or -1 with errno ENOMEM. */
typedef struct sl_buf { char *p; size_t len, cap; } sl_buf;
#define SL_BUF_ZERO { 0, 0, 0 }
int sl_buf_reserve(sl_buf *b, size_t extra);
int sl_buf_put(sl_buf *b, const void *p, size_t n);
int sl_buf_puts(sl_buf *b, const char *s);
int sl_buf_putc(sl_buf *b, char c);
__attribute__((format(printf, 2, 3))) int sl_buf_printf(sl_buf *b, const char *fmt, ...);
/* Ensure p[len] == '\0' (not counted in len). */
int sl_buf_cstr(sl_buf *b);
void sl_buf_free(sl_buf *b);

/* Read fd to its end into b (appending), at most max bytes (stops
 * there). 1 ok, -1 errno. */
int sl_fd_read_buf(int fd, sl_buf *b, size_t max);
/* Read a whole file into b (appending). 1 ok, -1 errno. */
int sl_file_read(const char *path, sl_buf *b);
/* Write data to path atomically: temp file in the same dir, fsync,
 * rename, fsync dir. mode for the new file. 1 ok, -1 errno. */
int sl_file_write_atomic(const char *path, const void *p, size_t n, int mode);
/* fsync the directory that holds path (or path itself if a dir). */
int sl_fsync_dir(const char *dir);

#endif
