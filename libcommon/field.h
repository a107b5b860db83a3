/* SPDX-License-Identifier: Apache-2.0 */
/*
 * field.h -- a field: a byte slice that may be NULL or absent. The row
 * stream (frame.h), the CSV and JSON readers and the stages pass fields
 * around; this header holds only the type so that a reader need not
 * depend on the wire module.
 */
#ifndef SL_FIELD_H
#define SL_FIELD_H

#include <stdint.h>

/* n == SL_NULL_LEN (sl.h): NULL; n == SL_ABSENT_LEN: absent (source rows
 * only). Otherwise p[0..n) are the bytes; not owned. */
typedef struct sl_field { const char *p; uint32_t n; } sl_field;

#endif
