/* SPDX-License-Identifier: Apache-2.0 */
/*
 * orc.h -- the ORC reader behind colfile.h (sl_orc_open is declared
 * there): the postscript, footer and stripe footers decoded with
 * protobuf-c from ORC's orc_proto.proto, one stripe in memory at a time,
 * each row's top-level columns as Doris texts (nested ones as JSON).
 */
#ifndef SL_ORC_H
#define SL_ORC_H

#include "colfile.h"

#endif
