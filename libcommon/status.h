/* SPDX-License-Identifier: Apache-2.0 */
/*
 * status.h -- the catalogue of Doris's error codes and the messages more
 * than one place gives. A Doris error message is "[CODE]text"; write it
 * as SL_E_CODE "text" (string concatenation), never as a literal code.
 * A message two files give, or that a client matches on, is defined here
 * once. Codes are Doris's Status codes (be/src/common/status.h).
 */
#ifndef SL_STATUS_H
#define SL_STATUS_H

#define SL_E_INTERNAL_ERROR        "[INTERNAL_ERROR]"
#define SL_E_INVALID_ARGUMENT      "[INVALID_ARGUMENT]"
#define SL_E_NOT_FOUND             "[NOT_FOUND]"
#define SL_E_ANALYSIS_ERROR        "[ANALYSIS_ERROR]"
#define SL_E_NETWORK_ERROR         "[NETWORK_ERROR]"
#define SL_E_TIMEOUT               "[TIMEOUT]"
#define SL_E_LABEL_ALREADY_EXISTS  "[LABEL_ALREADY_EXISTS]"
#define SL_E_DATA_QUALITY_ERROR    "[DATA_QUALITY_ERROR]"
#define SL_E_NOT_IMPLEMENTED_ERROR "[NOT_IMPLEMENTED_ERROR]"
#define SL_E_NOT_AUTHORIZED        "[NOT_AUTHORIZED]"
#define SL_E_INVALID_JSON_PATH     "[INVALID_JSON_PATH]"
#define SL_E_CANCELLED             "[CANCELLED]"
#define SL_E_MEM_LIMIT_EXCEEDED    "[MEM_LIMIT_EXCEEDED]"

/* The FE's Thrift status text, before a 2PC or transaction message. */
#define SL_TSTATUS "TStatus: errCode = 2, detailMessage = "
/* ... and when the database or table is not there */
#define SL_TSTATUS_NOT_FOUND "TStatus: errCode = 7, detailMessage = "

/* The load's Status field (Doris's stream load answer). */
#define SL_STATUS_SUCCESS         "Success"
#define SL_STATUS_FAIL            "Fail"
#define SL_STATUS_PUBLISH_TIMEOUT "Publish Timeout"
#define SL_STATUS_LABEL_EXISTS    "Label Already Exists"

/* max_filter_ratio (hdr.h, sl_hdrs_ratio) */
#define SL_RATIO_NAN_MSG "max_filter_ratio is not a number."
#define SL_RATIO_RANGE_MSG "max_filter_ratio must between 0.0 and 1.0."

/* SQL engine, load records and answers: a load's job state, Doris's
 * names (result.h maps transaction states and Status to them). */
#define SL_JOB_RUNNING      "RUNNING"
#define SL_JOB_PRECOMMITTED "PRECOMMITTED"
#define SL_JOB_LOADING      "LOADING"
#define SL_JOB_FINISHED     "FINISHED"
#define SL_JOB_CANCELLED    "CANCELLED"
/* load options (loadopt.h): codes and messages of header values */
#define SL_E_UNKNOWN_FORMAT "[E-1101]"  /* Doris's code for an unknown format */
#define SL_E_JSON_TOO_LARGE "[E-217]"
/* std::stoi's and std::stoll's failures, as Doris words them (name, value) */
#define SL_STOI_FORMAT_MSG SL_E_INVALID_ARGUMENT "Invalid format of '%s': '%s', stoi"
#define SL_STOI_RANGE_MSG SL_E_INVALID_ARGUMENT "'%s' value out of range: '%s', stoi"
#define SL_MEM_LIMIT_MSG SL_E_INVALID_ARGUMENT "Invalid mem limit format, stoll"
/* the load's table is not there (database, table) */
#define SL_UNKNOWN_DB_MSG SL_E_NOT_FOUND SL_TSTATUS_NOT_FOUND "unknown database, database=%s"
#define SL_NO_TABLE_MSG SL_E_NOT_FOUND SL_TSTATUS_NOT_FOUND "table not found, tableName=%s"
/* a stage cannot open the data directory (its path, the reason) */
#define SL_DATA_DIR_MSG SL_E_INTERNAL_ERROR "unable to open the data directory %s: %s"
/* sl-httpd */
#define SL_MSG_SHORT_BODY      "receive body don't equal with body bytes"
/* The load stages (sl-filter, sl-txn, sl-commit, sl-load). */
#define SL_STATUS_FAILED "FAILED"        /* the 2PC answer's status for a missing argument */
#define SL_TSTATUS_PARSE "TStatus: ParseException: "   /* the FE's parser refused a where or columns */
#define SL_EARLY_STOP_MSG SL_E_DATA_QUALITY_ERROR "Encountered unqualified data, stop processing. " \
	"Please check if the source data matches the schema, and consider disabling strict mode " \
	"or increasing max_filter_ratio."
#define SL_TOO_MANY_FILTERED_MSG SL_E_DATA_QUALITY_ERROR "too many filtered rows"
/* The FE's refusal of a BITMAP/HLL (or complex) column outside its functions:
 * in min/max/sum/avg, GROUP BY, ORDER BY. */
#define SL_ONLY_METRIC_TYPE_MSG "Doris hll, bitmap, array, map, struct, jsonb, variant column must use " \
	"with specific function, and don't support filter, group by or order by. please run 'help hll' " \
	"or 'help bitmap' or 'help array' or 'help map' or 'help struct' or 'help jsonb' or 'help " \
	"variant' in your mysql client."

#endif
