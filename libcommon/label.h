/* SPDX-License-Identifier: Apache-2.0 */
/*
 * label.h -- load labels: Doris's syntax rule and generated UUID labels.
 */
#ifndef SL_LABEL_H
#define SL_LABEL_H

/* 1 if l matches ^[-_A-Za-z0-9:]{1,128}$, else 0. */
int sl_label_valid(const char *l);
/* A random (version 4) UUID in text form, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx",
 * as Doris generates for loads without a label. 1 ok, -1 errno (no
 * randomness available). */
int sl_label_uuid(char out[37]);

#endif
