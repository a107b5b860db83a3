/* SPDX-License-Identifier: Apache-2.0 */
/*
 * health.h -- whether a data directory takes writes: the probe behind a
 * daemon's health check (a file created, written, fsync'd and removed).
 */
#ifndef SL_HEALTH_H
#define SL_HEALTH_H

/* Probe dir with the file dir/.sl-health-PID. 1 it took the write; -1
 * errno (EROFS, EACCES, EPERM, ENOSPC, EIO...: what failed first). */
int sl_health_probe(const char *dir);

#endif
