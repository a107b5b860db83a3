/* SPDX-License-Identifier: Apache-2.0 */
/* insert.c -- INSERT INTO as a load (insert.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "insert.h"

struct sl_insert {
	char db[65], table[65];
	int source;
	char *tvf;
	sl_hdrs props;
	char *sql;
	size_t n;
};

int sl_insert_parse(sl_insert **out, sl_store *st, const char *default_db, const char *sql,
	size_t n, int *code, char *err, size_t cap)
{
	(void)st; (void)default_db; (void)sql; (void)n; (void)code; (void)err; (void)cap;
	*out = NULL;
	errno = ENOSYS;
	return -1;
}

void sl_insert_free(sl_insert *ins)
{
	if (!ins)
		return;
	free(ins->tvf);
	free(ins->sql);
	sl_hdrs_free(&ins->props);
	free(ins);
}

const char *sl_insert_db(const sl_insert *ins) { return ins->db; }
const char *sl_insert_table(const sl_insert *ins) { return ins->table; }
int sl_insert_source(const sl_insert *ins) { return ins->source; }
const char *sl_insert_tvf(const sl_insert *ins) { return ins->tvf; }
const sl_hdrs *sl_insert_tvf_props(const sl_insert *ins)
{
	return ins->tvf ? &ins->props : NULL;
}

int sl_insert_masked(const sl_insert *ins, sl_buf *out)
{
	(void)ins; (void)out;
	errno = ENOSYS;
	return -1;
}

int sl_insert_run(sl_insert *ins, sl_store *st, const sl_insert_opts *o, sl_load_out *out)
{
	(void)ins; (void)st; (void)o; (void)out;
	errno = ENOSYS;
	return -1;
}

int sl_insert_attach_get(const sl_txninfo *ti, sl_buf *out)
{
	(void)ti; (void)out;
	errno = ENOSYS;
	return -1;
}
