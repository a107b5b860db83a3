/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-partroute.c -- libFuzzer target for the __SL_PARTITION__ field
 * (partroute.h) that sl-txn reads from the row stream, and for the router
 * that writes it. Built by `make fuzz` (mk/fuzz.mk).
 *
 * Input layout: 1 byte of options, then bytes.
 *   b0 & 1: the bytes are a field as sl-txn reads it: whatever
 *   sl_partroute_parse accepts points inside the field, names are at most
 *   64 bytes, new partitions are numbered below 65535, and a created
 *   partition's VALUES text is handed to the partition module as the
 *   commit hands it (accepted or refused with a message, never a crash);
 *   else: the bytes are the value of a row of an AUTO LIST table over a
 *   VARCHAR(64): the router's field for it must read back as the first
 *   new partition with a name and a VALUES text that the partition
 *   module accepts and that holds the row.
 * A failed check calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl.h"
#include "io.h"
#include "schema.h"
#include "partition.h"
#include "partroute.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz-partroute: check failed at line %d: %s\n", __LINE__, #c); \
	abort(); } } while (0)

static const char ddl[] = "create table t (s varchar(64) not null, v int) duplicate key(s) "
	"auto partition by list(s) ()";

/* A created partition's name and VALUES as the commit takes them: a set
 * of one over sch. The set, or NULL (refused with a message). */
static sl_partset *as_commit(const sl_schema *sch, const sl_partroute_field *f)
{
	char name[65], *values, err[256];
	sl_partinfo p = { .id = 1, .name = name };
	sl_partset *ps;

	memcpy(name, f->name, f->namelen);
	name[f->namelen] = 0;
	CHECK((values = malloc(f->valueslen + 1)));
	memcpy(values, f->values, f->valueslen);
	values[f->valueslen] = 0;
	p.values = values;
	err[0] = 0;
	ps = sl_partset_new(sch, &p, 1, err, sizeof err);
	CHECK(ps || err[0]);
	free(values);
	return ps;
}

static void read_field(const sl_schema *sch, const uint8_t *p, size_t n)
{
	sl_partroute_field f;
	const char *s = (const char *)p;

	if (sl_partroute_parse(s, n, &f) != 1)
		return;
	if (!f.created) {
		CHECK(f.id >= 0 && !f.name);
		return;
	}
	CHECK(f.k < 65535);
	if (!f.name)
		return;
	CHECK(f.namelen > 0 && f.namelen <= 64 && f.name > s && f.name + f.namelen < s + n);
	CHECK(f.values > f.name + f.namelen && f.values + f.valueslen == s + n && f.valueslen > 0);
	sl_partset_free(as_commit(sch, &f));
}

static void route_value(const sl_schema *sch, const uint8_t *p, size_t n)
{
	sl_partroute *r;
	sl_partroute_field f;
	sl_partset *ps;
	sl_buf row = SL_BUF_ZERO, reason = SL_BUF_ZERO;
	char err[256], len[4], v[8];
	const char *field;
	size_t flen;
	int ok;

	if (n > 64)
		n = 64;
	sl_u32_pack(len, (uint32_t)n);
	sl_u32_pack(v, 4);
	sl_u32_pack(v + 4, 7);
	CHECK(sl_buf_put(&row, len, 4) == 1 && sl_buf_put(&row, p, n) == 1 && sl_buf_put(&row, v, 8) == 1);
	CHECK(sl_partroute_new(sch, NULL, 0, NULL, NULL, &r, err, sizeof err) == 1);
	ok = sl_partroute_row(r, row.p, row.len, &field, &flen, &reason);
	/* a value no partition can hold is filtered with a reason; one whose
	 * partition cannot be made fails the load with Doris's message */
	CHECK(ok == 1 || (ok == 0 && reason.len > 0) ||
	      (ok < 0 && (errno == EEXIST || errno == ENAMETOOLONG) && *sl_partroute_error(r)));
	if (ok == 1) {
		CHECK(sl_partroute_parse(field, flen, &f) == 1 && f.created && f.k == 0 && f.name);
		ps = as_commit(sch, &f);
		CHECK(ps && sl_partset_n(ps) == 1);
		CHECK(sl_partset_route(ps, 0, row.p, row.len) == 0);
		sl_partset_free(ps);
		/* the same value again: the same partition, not named again */
		CHECK(sl_partroute_row(r, row.p, row.len, &field, &flen, &reason) == 1);
		CHECK(sl_partroute_parse(field, flen, &f) == 1 && f.created && f.k == 0 && !f.name);
		CHECK(sl_partroute_created(r) == 1);
	}
	sl_partroute_free(r);
	sl_buf_free(&row);
	sl_buf_free(&reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sl_schema sch;
	static int ready;
	char err[256];

	if (!ready) {
		CHECK(sl_schema_parse(ddl, strlen(ddl), "d", &sch, err, sizeof err) == 1);
		ready = 1;
	}
	if (size < 1 || size > 4096)
		return 0;
	if (data[0] & 1)
		read_field(&sch, data + 1, size - 1);
	else
		route_value(&sch, data + 1, size - 1);
	return 0;
}
