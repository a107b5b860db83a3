/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsutil.h -- the file helpers of the store: bounded path building,
 * directories made with their parents or removed whole, leftovers of
 * dead processes swept, small files written and fsync'd, renames that
 * never replace a file, exact preads. The modules under store.h build
 * every durable step on these (man/sl-store.5: each piece of state is
 * made durable before anything points at it). 1 / -1 errno unless said.
 */
#ifndef SL_FSUTIL_H
#define SL_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

/* snprintf into out (PATH_MAX bytes); -1 ENAMETOOLONG when it does not fit. */
__attribute__((format(printf, 2, 3))) int sl_fsutil_pathf(char *out, const char *fmt, ...);
/* mkdir -p path (0755); ENOTDIR when path is there but not a directory. */
int sl_fsutil_mkdir_p(const char *path);
/* Best effort: remove a tree; errors (a concurrent remover) are ignored. */
void sl_fsutil_rm_rf(const char *path);
/* Remove dir's .trash.* entries, and .tmp.*.<pid> entries whose process
 * is gone. Best effort; errno kept. */
void sl_fsutil_sweep(const char *dir);
/* Write a small file and fsync it (inside a directory still private). */
int sl_fsutil_write_synced(const char *path, const void *p, size_t n);
/* close(fd) when fd >= 0, keeping errno. */
void sl_fsutil_close_keep_errno(int fd);
/* flock(fd, mode), retrying EINTR. fd; on failure fd is closed, -1 errno. */
int sl_fsutil_flock(int fd, int mode);
/* rename, but never over an existing file (EEXIST). */
int sl_fsutil_rename_noreplace(const char *from, const char *to);
/* pread exactly n bytes at off. 1; 0 short (EOF); -1 errno. */
int sl_fsutil_pread_all(int fd, void *p, size_t n, uint64_t off);

/* The seal of an append-only file: its writer, after an append is durable,
 * sets the file's mtime to now with a nanosecond part derived from the
 * file's inode and size. Any other write (a flipped byte, an append by
 * another program, a cut) sets the mtime to the kernel's clock, which
 * matches the seal of the new size only by a one-in-a-billion chance; a
 * file system that keeps no nanoseconds never shows a seal. So a reader
 * that finds the seal knows the file is as the last sealing writer left
 * it, and may skip re-verifying a prefix that writer verified. Best
 * effort: sl_fsutil_seal's failure only costs the next reader a full
 * check. sl_fsutil_sealed: 1 sealed, 0 not (or fstat failed). */
void sl_fsutil_seal(int fd);
int sl_fsutil_sealed(int fd);

#endif
