/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logrec.c -- the records of the transaction log and their fold
 * (logrec.h).
 *
 * The log <db>/txnlog: records framed as len:u32 BE, crc32:u32 BE (zlib,
 * over the payload), payload. Readers stop at the first record that is
 * short or fails its CRC; what follows it is a torn tail (ignored, cut by
 * the next writer) or corruption (refused with EPROTO, nothing cut:
 * log_tail_check; sl-fsck --repair repairs).
 * The state of every txn is a fold over the log; nothing else is trusted.
 * Record payloads: kind:u8, version:u8 (1), id:u64, time_ms:u64, then
 *   'T' table created      name:str                       (id = table id)
 *   'B' begin              table_id:u64 timeout_s:u64 label:str table:str
 *                          (version 2: then slot:u32, the txn's lock slot;
 *                          a version 1 BEGIN has none: txn/<id>.lock)
 *   'P' precommit, 'C' commit (visible)
 *                          nrs:u32 { name:str rows:u64 }*nrs attach:str
 *                          (version 2: { name:str rows:u64 size:u64
 *                          sum:u32 }: the file's size and footer sum;
 *                          version 3: { name:str rows:u64 size:u64 sum:u32
 *                          part:u64 }, and after attach nadd:u32 { part_id:u64
 *                          temp:u8 name:str values:str }*nadd: the
 *                          partitions the load creates, added by its C)
 *   'A' abort              reason:str
 *   'F' floor (sl-fsck --repair; id = the largest txn id ever used)
 *                          table_id:u64 (the largest table id)
 *   'K' compaction (id = its own, new)
 *                          table_id:u64 table:str nrepl:u32 { txn_id:u64 }*nrepl
 *                          nrs:u32 { name:str rows:u64 size:u64 sum:u32 }*nrs
 *                          the entries txn_id (loads or earlier compactions,
 *                          whole, a contiguous run in commit order) are
 *                          replaced by the new rowsets, which take the run's
 *                          place in the order (the oldest entry's);
 *                          version 2: entries { ... sum:u32 part:u64 }
 *   'Q' partitions changed (id = its own, new)
 *                          table_id:u64 table:str ndrop:u32 { part_id:u64 }*ndrop
 *                          nadd:u32 { part_id:u64 temp:u8 name:str values:str }*nadd
 *                          (a table no Q record named has one implicit
 *                          partition: id 0, named as the table, values "")
 * where str = len:u32 BE + bytes. Unknown kinds with a good CRC are skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crcfast.h"
#include "fsutil.h"
#include "storeerr.h"
#include "storetypes.h"
#include "logrec.h"

void sl_logrec_init(logstate *ls)
{
	memset(ls, 0, sizeof *ls);
	ls->fd = -1;
	ls->max_id = FIRST_TXN_ID - 1;
}

void sl_logrec_free(logstate *ls)
{
	size_t i;

	if (ls->fd >= 0)
		sl_fsutil_close_keep_errno(ls->fd);
	for (i = 0; i < ls->ntx; i++)
		free(ls->tx[i].att_heap);
	if (ls->map)
		munmap((void *)ls->map, ls->maplen);
	sl_buf_free(&ls->raw);
	free(ls->tx);
	free(ls->tb);
	free(ls->pt);
	sl_logrec_init(ls);
}

txrec *sl_logrec_find(logstate *ls, int64_t id)
{
	size_t lo = 0, hi = ls->ntx;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ls->tx[mid].id == id)
			return &ls->tx[mid];
		if (ls->tx[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

txrec *sl_logrec_find_load(logstate *ls, int64_t id)
{
	txrec *t = sl_logrec_find(ls, id);

	return t && !t->compact ? t : 0;
}

int sl_logrec_tb_push(logstate *ls, int64_t id, sl_field name)
{
	if (ls->ntb == ls->tbcap) {
		size_t nc = ls->tbcap ? ls->tbcap * 2 : 16;
		struct tblrec *nt = realloc(ls->tb, nc * sizeof *nt);
		if (!nt) {
			errno = ENOMEM;
			return -1;
		}
		ls->tb = nt;
		ls->tbcap = nc;
	}
	ls->tb[ls->ntb].id = id;
	ls->tb[ls->ntb++].name = name;
	return 1;
}

int64_t sl_logrec_tb_last(const logstate *ls, const char *name)
{
	size_t i, n = strlen(name);
	int64_t id = 0;

	for (i = 0; i < ls->ntb; i++)
		if (ls->tb[i].name.n == n && !memcmp(ls->tb[i].name.p, name, n) && ls->tb[i].id > id)
			id = ls->tb[i].id;
	return id;
}

void sl_logrec_rs_next(sl_storeenc_cur *c, int ver, sl_field *name, uint64_t *rows, uint64_t *size,
	uint32_t *sum, int64_t *part)
{
	int64_t pt;

	*name = sl_storeenc_str(c, 4096);
	*rows = sl_storeenc_u64(c);
	*size = ver >= 2 ? sl_storeenc_u64(c) : 0;
	*sum = ver >= 2 ? sl_storeenc_u32(c) : 0;
	pt = ver >= 3 ? (int64_t)sl_storeenc_u64(c) : 0;
	if (part)
		*part = pt;
}

/* Skip n entries of version ver at c. */
static void rs_skip(sl_storeenc_cur *c, int ver, uint32_t n)
{
	sl_field nm;
	uint64_t rows, size;
	uint32_t i, sum;

	for (i = 0; i < n && !c->bad; i++)
		sl_logrec_rs_next(c, ver, &nm, &rows, &size, &sum, 0);
}

int sl_logrec_pt_push(logstate *ls, const partrec *p)
{
	if (ls->npt == ls->ptcap) {
		size_t nc = ls->ptcap ? ls->ptcap * 2 : 16;
		partrec *np = realloc(ls->pt, nc * sizeof *np);
		if (!np) {
			errno = ENOMEM;
			return -1;
		}
		ls->pt = np;
		ls->ptcap = nc;
	}
	ls->pt[ls->npt++] = *p;
	return 1;
}

partrec *sl_logrec_pt_find(logstate *ls, int64_t table_id, int64_t id)
{
	size_t i;

	for (i = 0; i < ls->npt; i++)
		if (ls->pt[i].table_id == table_id && ls->pt[i].id == id)
			return &ls->pt[i];
	return 0;
}

int sl_logrec_pt_any(const logstate *ls, int64_t table_id)
{
	size_t i;

	for (i = 0; i < ls->npt; i++)
		if (ls->pt[i].table_id == table_id)
			return 1;
	return 0;
}

/* One { part_id temp name values } at c into p. */
static void pt_next(sl_storeenc_cur *c, partrec *p)
{
	char t;

	memset(p, 0, sizeof *p);
	p->id = (int64_t)sl_storeenc_u64(c);
	if (c->n < 1) {
		c->bad = 1;
		return;
	}
	t = c->p[0];
	c->p++;
	c->n--;
	p->temp = t != 0;
	p->name = sl_storeenc_str(c, 64);
	p->values = sl_storeenc_str(c, LOG_REC_MAX);
	if (t != 0 && t != 1)
		c->bad = 1;
}

void sl_logrec_pt_skip(sl_storeenc_cur *c, uint32_t nadd)
{
	partrec p;
	uint32_t i;

	for (i = 0; i < nadd && !c->bad; i++)
		pt_next(c, &p);
}

int sl_logrec_pt_add(logstate *ls, int64_t table_id, sl_storeenc_cur *c, uint32_t nadd)
{
	partrec p;
	uint32_t i;

	for (i = 0; i < nadd; i++) {
		pt_next(c, &p);
		if (c->bad || !p.name.n || p.id < 0)
			return 0;
		p.table_id = table_id;
		if (!sl_logrec_pt_find(ls, table_id, p.id) && sl_logrec_pt_push(ls, &p) < 0)
			return -1;
	}
	return 1;
}

/* The name the log gave table id by its T record ("" none). */
static sl_field tb_name(const logstate *ls, int64_t id)
{
	size_t i;

	for (i = 0; i < ls->ntb; i++)
		if (ls->tb[i].id == id)
			return ls->tb[i].name;
	return (sl_field){ "", 0 };
}

/* A 'Q' record (fields at c) with id id: the table's partitions dropped
 * and added. A table named for the first time by a record that drops had
 * its implicit partition: it is remembered first (so that it is dropped;
 * CREATE TABLE's record only adds: the table never had one). 1, 0
 * malformed, -1 ENOMEM. */
static int apply_parts(logstate *ls, sl_storeenc_cur *c, int64_t id)
{
	int64_t tid = (int64_t)sl_storeenc_u64(c);
	sl_field table = sl_storeenc_str(c, 64);
	uint32_t i, ndrop = sl_storeenc_u32(c), nadd;
	const char *drops = c->p;
	partrec p;

	if (c->bad || ndrop > c->n / 8 || id < FIRST_TXN_ID)
		return 0;
	c->p += 8 * (size_t)ndrop;
	c->n -= 8 * (size_t)ndrop;
	if (id > ls->max_id)
		ls->max_id = id;
	if (ndrop && !sl_logrec_pt_any(ls, tid)) {
		memset(&p, 0, sizeof p);
		p.table_id = tid;
		p.name = tb_name(ls, tid);
		if (!p.name.n)
			p.name = table;
		p.values = (sl_field){ "", 0 };
		if (sl_logrec_pt_push(ls, &p) < 0)
			return -1;
	}
	for (i = 0; i < ndrop; i++) {
		partrec *x = sl_logrec_pt_find(ls, tid, (int64_t)sl_u64_unpack(drops + 8 * (size_t)i));
		if (x && !x->dropped)
			x->dropped = id;
	}
	nadd = sl_storeenc_u32(c);
	if (c->bad)
		return 0;
	return sl_logrec_pt_add(ls, tid, c, nadd);
}

/* A 'B' record (fields at c) of txn id: a new PREPARE txn. 1, 0
 * malformed, -1 ENOMEM. */
static int apply_begin(logstate *ls, sl_storeenc_cur *c, int ver, int64_t id, int64_t ms)
{
	txrec r;

	memset(&r, 0, sizeof r);
	r.id = id;
	r.begin_ms = ms;
	r.table_id = (int64_t)sl_storeenc_u64(c);
	r.timeout_s = (int64_t)sl_storeenc_u64(c);
	r.label = sl_storeenc_str(c, 128);
	r.table = sl_storeenc_str(c, 64);
	r.slot = ver == 2 ? (int32_t)sl_storeenc_u32(c) : -1;
	r.reason.p = r.attach.p = "";
	r.att_off = -1;
	r.state = SL_TXN_PREPARE;
	if (c->bad || (ver == 2 && (r.slot < 0 || r.slot >= SLOT_MAX)))
		return 0;
	if (id <= ls->max_id)
		return 1;       /* ids only grow; never written */
	if (sl_logrec_tx_push(ls, &r) < 0)
		return -1;
	ls->max_id = id;
	return 1;
}

/* A 'P' or 'C' record (kind; fields at c) of txn id: its rowsets and
 * attachment, PRECOMMITTED or VISIBLE. 1, 0 malformed. */
static int apply_commit(logstate *ls, sl_storeenc_cur *c, int kind, int ver, int64_t id, int64_t ms)
{
	uint32_t nrs = sl_storeenc_u32(c), nnp = 0;
	const char *rs = c->p, *np = 0;
	size_t rslen, nplen = 0;
	sl_field att;
	txrec *t;

	rs_skip(c, ver, nrs);
	rslen = (size_t)(c->p - rs);
	att = sl_storeenc_str(c, ATTACH_MAX);
	if (ver >= 3) {
		nnp = sl_storeenc_u32(c);
		np = c->p;
		sl_logrec_pt_skip(c, nnp);
		nplen = (size_t)(c->p - np);
	}
	if (c->bad)
		return 0;
	t = sl_logrec_find(ls, id);
	if (!t || (t->state != SL_TXN_PREPARE &&
		   !(kind == 'C' && t->state == SL_TXN_PRECOMMITTED)))
		return 1;
	t->rs = rs;
	t->rslen = rslen;
	t->nrs = nrs;
	t->rsver = ver;
	t->attach = att;
	t->att_off = (int64_t)(ls->base + (size_t)(att.p - ls->raw.p));
	t->np = np;
	t->nplen = nplen;
	t->nnp = nnp;
	if (kind == 'C' && nnp) {
		sl_storeenc_cur pc = { np, nplen, 0 };
		int r = sl_logrec_pt_add(ls, t->table_id, &pc, nnp);
		if (r <= 0)
			return r;
	}
	if (kind == 'P') {
		t->state = SL_TXN_PRECOMMITTED;
		t->precommit_ms = ms;
	} else {
		t->state = SL_TXN_VISIBLE;
		t->finish_ms = ms;
		t->commit_seq = ++ls->seq;
	}
	return 1;
}

/* Put t into ls->tx at its place by id (a compaction's id was taken
 * before loads that committed ahead of its record). 1, -1 ENOMEM. */
static int tx_insert(logstate *ls, const txrec *t)
{
	size_t lo = 0, hi = ls->ntx;

	if (sl_logrec_tx_push(ls, t) < 0)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ls->tx[mid].id < t->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&ls->tx[lo + 1], &ls->tx[lo], (ls->ntx - 1 - lo) * sizeof *ls->tx);
	ls->tx[lo] = *t;
	return 1;
}

/* A 'K' record (fields at c) of compaction id: when every entry it
 * replaces is there, VISIBLE, of its table and not replaced already, they
 * are marked replaced and the compaction's entry takes the place of the
 * oldest in the commit order; else it changes nothing but the ids (a
 * fold that holds only part of the state, or a record no writer makes).
 * 1, 0 malformed, -1 ENOMEM. */
static int apply_compact(logstate *ls, sl_storeenc_cur *c, int kver, int64_t id, int64_t ms)
{
	txrec r, *x;
	uint32_t i, nrepl;
	const char *ids;
	uint64_t seq = UINT64_MAX;

	memset(&r, 0, sizeof r);
	r.table_id = (int64_t)sl_storeenc_u64(c);
	r.table = sl_storeenc_str(c, 64);
	nrepl = sl_storeenc_u32(c);
	ids = c->p;
	for (i = 0; i < nrepl && !c->bad; i++)
		sl_storeenc_u64(c);
	r.nrs = sl_storeenc_u32(c);
	r.rs = c->p;
	rs_skip(c, kver + 1, r.nrs);
	if (c->bad || !nrepl || id < FIRST_TXN_ID)
		return 0;
	r.rslen = (size_t)(c->p - r.rs);
	if (id > ls->max_id)
		ls->max_id = id;
	if (sl_logrec_find(ls, id))
		return 1;
	for (i = 0; i < nrepl; i++) {
		x = sl_logrec_find(ls, (int64_t)sl_u64_unpack(ids + 8 * (size_t)i));
		if (!x || x->state != SL_TXN_VISIBLE || x->table_id != r.table_id || x->repl)
			return 1;
		if (x->commit_seq < seq)
			seq = x->commit_seq;
	}
	for (i = 0; i < nrepl; i++)
		sl_logrec_find(ls, (int64_t)sl_u64_unpack(ids + 8 * (size_t)i))->repl = id;
	r.id = id;
	r.begin_ms = r.finish_ms = ms;
	r.state = SL_TXN_VISIBLE;
	r.label.p = r.reason.p = r.attach.p = "";
	r.att_off = -1;
	r.rsver = kver + 1;
	r.commit_seq = seq;
	r.slot = -1;
	r.compact = 1;
	return tx_insert(ls, &r);
}

int sl_logrec_put_compact(sl_buf *b, int64_t id, int64_t ms, int64_t table_id, const char *table,
	const int64_t *ids, size_t nids, const char *rs, size_t rslen)
{
	return sl_logrec_put_compact_v(b, 2, id, ms, table_id, table, ids, nids, rs, rslen);
}

int sl_logrec_put_compact_v(sl_buf *b, int kver, int64_t id, int64_t ms, int64_t table_id,
	const char *table, const int64_t *ids, size_t nids, const char *rs, size_t rslen)
{
	size_t mark, i;

	if (sl_logrec_start(b, &mark, 'K', id, ms) < 0 ||
	    sl_storeenc_put_u64(b, (uint64_t)table_id) < 0 ||
	    sl_storeenc_put_str(b, table, strlen(table)) < 0 ||
	    sl_storeenc_put_u32(b, (uint32_t)nids) < 0)
		return -1;
	for (i = 0; i < nids; i++)
		if (sl_storeenc_put_u64(b, (uint64_t)ids[i]) < 0)
			return -1;
	if (sl_buf_put(b, rs, rslen) < 0)
		return -1;
	b->p[mark + 9] = (char)kver;
	sl_logrec_end(b, mark);
	return 1;
}

int sl_logrec_put_part(sl_buf *b, int64_t id, int temp, const char *name, const char *values)
{
	char t = temp ? 1 : 0;

	if (sl_storeenc_put_u64(b, (uint64_t)id) < 0 || sl_buf_put(b, &t, 1) < 0 ||
	    sl_storeenc_put_str(b, name, strlen(name)) < 0 ||
	    sl_storeenc_put_str(b, values, strlen(values)) < 0)
		return -1;
	return 1;
}

int sl_logrec_put_q(sl_buf *b, int64_t qid, int64_t ms, int64_t tid, const char *table,
	const int64_t *drops, size_t ndrop, const char *add, size_t addlen, uint32_t nadd)
{
	size_t mark, i;

	if (sl_logrec_start(b, &mark, 'Q', qid, ms) < 0 ||
	    sl_storeenc_put_u64(b, (uint64_t)tid) < 0 ||
	    sl_storeenc_put_str(b, table, strlen(table)) < 0 ||
	    sl_storeenc_put_u32(b, (uint32_t)ndrop) < 0)
		return -1;
	for (i = 0; i < ndrop; i++)
		if (sl_storeenc_put_u64(b, (uint64_t)drops[i]) < 0)
			return -1;
	if (sl_storeenc_put_u32(b, nadd) < 0 || sl_buf_put(b, add, addlen) < 0)
		return -1;
	sl_logrec_end(b, mark);
	return 1;
}

int sl_logrec_apply(logstate *ls, const char *p, size_t n)
{
	sl_storeenc_cur c = { p, n, 0 };
	unsigned char kind, ver;
	int64_t id, ms;
	txrec *t;

	if (n < 2)
		return 0;
	kind = (unsigned char)p[0];
	ver = (unsigned char)p[1];
	c.p += 2;
	c.n -= 2;
	if (ver != 1 && !(ver == 2 && (kind == 'B' || kind == 'P' || kind == 'C' || kind == 'K')) &&
	    !(ver == 3 && (kind == 'P' || kind == 'C')))
		return 1;       /* a later version's record: not ours to judge */
	id = (int64_t)sl_storeenc_u64(&c);
	ms = (int64_t)sl_storeenc_u64(&c);
	if (c.bad)
		return 0;
	switch (kind) {
	case 'T': {
		sl_field nm = sl_storeenc_str(&c, 64);
		if (c.bad)
			return 0;
		if (id > ls->max_table_id)
			ls->max_table_id = id;
		return sl_logrec_tb_push(ls, id, nm);
	}
	case 'F': {
		/* a floor left by sl-fsck --repair: ids below it were used */
		int64_t tf = (int64_t)sl_storeenc_u64(&c);
		if (c.bad)
			return 0;
		if (id > ls->max_id)
			ls->max_id = id;
		if (tf > ls->max_table_id)
			ls->max_table_id = tf;
		return 1;
	}
	case 'B':
		return apply_begin(ls, &c, ver, id, ms);
	case 'P':
	case 'C':
		return apply_commit(ls, &c, kind, ver, id, ms);
	case 'K':
		return apply_compact(ls, &c, ver, id, ms);
	case 'Q':
		return apply_parts(ls, &c, id);
	case 'A': {
		sl_field reason = sl_storeenc_str(&c, 255);
		if (c.bad)
			return 0;
		t = sl_logrec_find(ls, id);
		if (!t || (t->state != SL_TXN_PREPARE && t->state != SL_TXN_PRECOMMITTED))
			return 1;
		t->state = SL_TXN_ABORTED;
		t->finish_ms = ms;
		t->reason = reason;
		return 1;
	}
	default:
		return 1;
	}
}

static int txrec_cmp(const void *a, const void *b)
{
	int64_t x = ((const txrec *)a)->id, y = ((const txrec *)b)->id;
	return x < y ? -1 : x > y;
}

int sl_logrec_tx_reserve(logstate *ls, size_t n)
{
	txrec *nt;

	if (n <= ls->cap)
		return 1;
	if (!(nt = realloc(ls->tx, n * sizeof *nt))) {
		errno = ENOMEM;
		return -1;
	}
	ls->tx = nt;
	ls->cap = n;
	return 1;
}

int sl_logrec_tx_push(logstate *ls, const txrec *t)
{
	if (ls->ntx == ls->cap) {
		size_t nc = ls->cap ? ls->cap * 2 : 64;
		txrec *nt = realloc(ls->tx, nc * sizeof *nt);
		if (!nt) {
			errno = ENOMEM;
			return -1;
		}
		ls->tx = nt;
		ls->cap = nc;
	}
	ls->tx[ls->ntx++] = *t;
	return 1;
}

int sl_logrec_tx_sort(logstate *ls)
{
	size_t i;

	/* a checkpoint gives its entries in id order: sorting them again
	 * would move every (large) record for nothing */
	for (i = 1; i < ls->ntx && ls->tx[i - 1].id < ls->tx[i].id; i++)
		;
	if (i < ls->ntx)
		qsort(ls->tx, ls->ntx, sizeof *ls->tx, txrec_cmp);
	for (i = 1; i < ls->ntx; i++)
		if (ls->tx[i].id == ls->tx[i - 1].id)
			return 0;
	return 1;
}

int sl_logrec_plausible(const char *h, size_t n)
{
	uint32_t len;

	if (n < 8 + 18)
		return 0;
	len = sl_u32_unpack(h);
	if (len < 18 || len > LOG_REC_MAX || len > n - 8 || !memchr("TBPCAFKQ", h[8], 8) ||
	    (h[9] != 1 && h[9] != 2 && h[9] != 3))
		return 0;
	return (uint32_t)crc32(0, (const Bytef *)h + 8, len) == sl_u32_unpack(h + 4);
}

/* The log from raw offset off on is not a good record. A torn tail (a
 * crash mid-append: a short header, a record running past the end, the
 * last record failing its CRC, zeros) is what readers ignore and writers
 * cut; anything else, a bad record followed by more bytes or by a valid
 * record, is corruption: ls->corrupt set, sl_storeerr_msg says where. */
static void log_tail_check(logstate *ls, size_t off)
{
	const char *h = ls->raw.p + off, *why = 0;
	size_t n = ls->raw.len - off, k, at = ls->base + off;
	uint32_t len = n >= 8 ? sl_u32_unpack(h) : 0;

	for (k = 1; k < n; k++)
		if (sl_logrec_plausible(h + k, n - k)) {
			ls->corrupt = 1;
			ls->bad_off = at;
			sl_storeerr_set("%s: corrupt record at offset %zu (a valid record follows at "
				"offset %zu); refused until sl-fsck --repair", ls->name, at, at + k);
			return;
		}
	/* shorter than the smallest record: no record that was ever whole */
	if (n < 8 + 18)
		return;
	if (len == 0) {
		for (k = 0; k < n && !h[k]; k++)
			;
		if (k < n)
			why = "an empty record, then bytes that are not zeros";
	} else if (len <= LOG_REC_MAX && len < n - 8) {
		why = "its CRC does not match and bytes follow it";
	}
	if (why) {
		ls->corrupt = 1;
		ls->bad_off = at;
		sl_storeerr_set("%s: corrupt record at offset %zu (%s; %zu bytes to the end); refused "
			"until sl-fsck --repair", ls->name, at, why, n);
	}
}

int sl_logrec_fold(logstate *ls)
{
	struct stat sb;
	size_t off;

	if (fstat(ls->fd, &sb) < 0)
		return -1;
	/* read to the end: a writer may have appended since the checkpoint */
	for (;;) {
		size_t at = ls->base + ls->raw.len, want = 65536;
		ssize_t r;
		if ((size_t)sb.st_size > at && (size_t)sb.st_size - at > want)
			want = (size_t)sb.st_size - at;
		if (sl_buf_reserve(&ls->raw, want) < 0)
			return -1;
		r = pread(ls->fd, ls->raw.p + ls->raw.len, ls->raw.cap - ls->raw.len, (off_t)at);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		ls->raw.len += (size_t)r;
	}
	/* a writer may be appending right now: anything past a short record
	 * is simply not there yet */
	for (off = 0; ls->raw.len - off >= 8;) {
		const char *h = ls->raw.p + off;
		uint32_t len = sl_u32_unpack(h), crc = sl_u32_unpack(h + 4);
		int r;
		if (len == 0 || len > LOG_REC_MAX || len > ls->raw.len - off - 8)
			break;
		if ((uint32_t)crc32(0, (const Bytef *)h + 8, len) != crc)
			break;
		r = sl_logrec_apply(ls, h + 8, len);
		if (r < 0)
			return -1;
		if (r == 0) {
			/* whole, with a good CRC, and not a record: never torn */
			ls->corrupt = 1;
			ls->bad_off = ls->base + off;
			sl_storeerr_set("%s: corrupt record at offset %zu (it does not parse); refused "
				"until sl-fsck --repair", ls->name, ls->bad_off);
			break;
		}
		ls->last_off = ls->base + off;
		ls->last_len = len;
		ls->last_crc = crc;
		ls->ntail++;
		off += 8 + (size_t)len;
	}
	ls->valid = ls->base + off;
	ls->pcrc = sl_crcfast_update(ls->pcrc, ls->raw.p, off);
	if (!ls->corrupt && off < ls->raw.len)
		log_tail_check(ls, off);
	if (ls->corrupt)
		return -1;      /* errno EPROTO, sl_storeerr_msg set */
	return 1;
}

int sl_logrec_att_load(logstate *ls, txrec *t)
{
	int r;

	if (t->attach.p)
		return 1;
	if (!(t->att_heap = malloc(t->attach.n))) {
		errno = ENOMEM;
		return -1;
	}
	r = sl_fsutil_pread_all(ls->fd, t->att_heap, t->attach.n, (uint64_t)t->att_off);
	if (r <= 0 || (uint32_t)crc32(0, (const Bytef *)t->att_heap, t->attach.n) != t->att_crc) {
		free(t->att_heap);
		t->att_heap = 0;
		if (r != -1)
			errno = EPROTO;
		return -1;
	}
	t->attach.p = t->att_heap;
	return 1;
}

int sl_logrec_start(sl_buf *b, size_t *mark, char kind, int64_t id, int64_t ms)
{
	char h[10] = { 0 };

	*mark = b->len;
	h[8] = kind;
	h[9] = 1;
	if (sl_buf_put(b, h, 10) < 0 || sl_storeenc_put_u64(b, (uint64_t)id) < 0 ||
	    sl_storeenc_put_u64(b, (uint64_t)ms) < 0)
		return -1;
	return 1;
}

void sl_logrec_end(sl_buf *b, size_t mark)
{
	size_t len = b->len - mark - 8;
	sl_u32_pack(b->p + mark, (uint32_t)len);
	sl_u32_pack(b->p + mark + 4,
		    (uint32_t)crc32(0, (const Bytef *)b->p + mark + 8, (uInt)len));
}
