/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlhelp.c -- HELP topic: Doris's name, description and example for a
 * topic of the table below; for any other topic, an empty list of
 * (name, is_it_category), as Doris answers a topic it does not know.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sl.h"
#include "types.h"
#include "sql.h"
#include "sqlint.h"

/* The topics HELP knows (matched without regard to case). */
static const struct help_topic {
	const char *name, *description, *example;
} topics[] = {
	{ "STREAM LOAD",
	"Stream Load sends a file or a stream to one table over HTTP and answers when the load is\n"
	"visible (or failed): PUT /api/{db}/{table}/_stream_load with Basic authorization of a\n"
	"user holding LOAD_PRIV (also granted as INSERT_PRIV) on the table; the body is the data.\n"
	"Headers: label, format (csv, json, ...), column_separator, line_delimiter, enclose, escape,\n"
	"skip_lines, columns, where, partitions, max_filter_ratio, strict_mode, timezone, timeout,\n"
	"exec_mem_limit, jsonpaths, json_root, strip_outer_array, read_json_by_line, fuzzy_parse,\n"
	"num_as_string, merge_type, delete, function_column.sequence_col, two_phase_commit,\n"
	"compress_type, comment.\n"
	"The answer is a JSON object: TxnId, Label, Comment, TwoPhaseCommit, Status (Success,\n"
	"Publish Timeout, Label Already Exists, Fail), ExistingJobStatus, Message, NumberTotalRows,\n"
	"NumberLoadedRows, NumberFilteredRows, NumberUnselectedRows, LoadBytes, LoadTimeMs,\n"
	"BeginTxnTimeMs, StreamLoadPutTimeMs, ReadDataTimeMs, WriteDataTimeMs,\n"
	"CommitAndPublishTimeMs, ErrorURL.\n"
	"A label is used once: SHOW LOAD WHERE LABEL = \"x\" tells whether it is; SHOW STREAM LOAD\n"
	"lists the recent loads. Without a server: sl-load -H name:value -T file db.table.",
	"curl --location-trusted -u user:passwd -H \"label:123\" -H \"column_separator:,\" "
	"-T testData http://host:port/api/testDb/testTbl/_stream_load" },
};

/* The topic's words (or strings), space-joined into topic; its length,
 * or cap when it does not fit (no topic is that long). 0: a lexical
 * error (q set). */
static size_t topic_words(stmt *s, char *topic, size_t cap)
{
	size_t len = 0;

	while (s->lx.tok.kind != SL_TOK_EOF && !sl_sql_op(s, ";")) {
		const char *p = s->lx.tok.kind == SL_TOK_STRING ? s->lx.tok.str : s->lx.tok.p;
		size_t n = s->lx.tok.kind == SL_TOK_STRING ? s->lx.tok.strn : s->lx.tok.n;
		if (len + n + 2 < cap) {
			len += (size_t)snprintf(topic + len, cap - len, "%s%.*s", len ? " " : "", (int)n, p ? p : "");
		} else
			len = cap;      /* too long for any topic */
		if (!sl_sql_advance(s))
			return 0;
	}
	return len;
}

int sl_sqlhelp_stmt(stmt *s)
{
	static const char *const topic_cols[] = { "name", "description", "example" };
	static const char *const list_cols[] = { "name", "is_it_category" };
	const struct help_topic *t = 0;
	char topic[128] = "";
	size_t len;
	int r;

	if (!sl_sql_advance(s))
		return 0;
	len = topic_words(s, topic, sizeof topic);
	if (s->failed)
		return 0;
	if (!len)
		return sl_sql_syntax(s);
	for (size_t i = 0; len < sizeof topic && i < SL_ARRAY_LEN(topics) && !t; i++)
		if (!strcasecmp(topic, topics[i].name))
			t = &topics[i];
	if (t) {
		sl_value v[3] = { sl_sql_vstr(t->name), sl_sql_vstr(t->description), sl_sql_vstr(t->example) };
		r = sl_sql_begin_text(s->sink, 3, topic_cols) < 0 || sl_sql_sink_row(s->sink, 3, v) < 0 ? -1 : 1;
	} else
		r = sl_sql_begin_text(s->sink, 2, list_cols) < 0 ? -1 : 1;
	if (r > 0 && sl_sql_sink_end(s->sink) < 0)
		r = -1;
	return r < 0 ? sl_sql_syserr(s->q, SL_SQL_MSG_WRITE) : 1;
}
