/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ckpt.c -- the checkpoint of a transaction log (ckpt.h).
 *
 * The checkpoint <db>/txnlog.ckpt: a cache of the fold of the log up to an
 * offset, so that readers and writers replay only the log's tail. The log
 * stays the single source of truth: a checkpoint that fails a CRC, was
 * made for another file (inode), or whose last covered record is not in
 * the log as it was (offset, length, CRC) is ignored.
 *
 * It is laid out so that an operation reads only what it needs, whatever
 * the database's history: a fixed header, the offsets of the live (PREPARE,
 * PRECOMMITTED) txns, an index by id (sorted) and one by label (hash), then
 * the txn entries, each with its own CRC. A reader maps the file and
 * checks the header, the live list and the index slots and entries it
 * visits; a lookup by id or label touches O(log n) slots. Only a snapshot
 * and the writer of a new checkpoint read every entry.
 *   header (CKPT_HDR bytes):
 *     "SLCK" version:u32 (7) log_ino:u64 log_off:u64 last_off:u64
 *     last_len:u32 last_crc:u32 max_id:u64 max_table_id:u64 seq:u64
 *     nent:u32 nlive:u32 nbkt:u32 file_len:u64 log_crc:u32 tbl_off:u64
 *     hcrc:u32 (of the 96 before)
 *   log_crc is the CRC-32 of the log's first log_off bytes: the checkpoint
 *   is used only when the log still holds exactly what it folded (a bit
 *   flipped in that part makes every reader fold the log itself, and meet
 *   the corruption as a reader without a checkpoint would).
 *   live: nlive times off:u32, then crc:u32 (of those offsets)
 *   ids: nent times id:u64 off:u32 crc:u32 (of the slot's first 12
 *     bytes), increasing id
 *   buckets: nbkt (a power of two, >= 2 nent) times off:u32 hash:u32
 *     crc:u32 (of the slot number:u32 and the slot's first 8 bytes); off 0
 *     is an empty slot; the entry of a label with hash h (FNV-1a) is in
 *     the first slot from h mod nbkt on that was empty when it was added
 *     (linear probing, in id order)
 *   entries: len:u32 crc:u32 payload[len]; payload = id:u64 table_id:u64
 *     begin_ms:u64 finish_ms:u64 precommit_ms:u64 timeout_s:u64
 *     commit_seq:u64 state:u32 label:str table:str reason:str nrs:u32
 *     rowsets:str att_off:u64 att_len:u32 att_crc:u32 slot:u32 (-1: none)
 *     rsver:u32 (the encoding of rowsets: that of the P/C record)
 *     repl:u64 (the compaction that replaced its rowsets, 0 none)
 *     compact:u32 (1: the entry of a compaction, a K record)
 *     nnp:u32 newparts:str (the partitions its P/C record creates, as
 *     there: { part_id:u64 temp:u8 name:str values:str }*nnp)
 *   tables (at tbl_off, to the end): ntab:u32 { id:u64 name:str }*ntab
 *     npart:u32 { id:u64 table_id:u64 dropped:u64 temp:u32 name:str
 *     values:str }*npart nvis:u32 { table_id:u64 n:u32 off:u32*n }*nvis
 *     crc:u32 (of what precedes it in the section): the T records, every
 *     table's partitions, and per table (increasing table_id) the offsets
 *     of its VISIBLE entries not replaced by a compaction, in id order:
 *     all a snapshot of one table reads, so that it decodes only that
 *     table's live entries however many loads the labels remember
 *     (version 7; a checkpoint of another version is ignored and rebuilt)
 * Offsets are from the start of the file. The attachment stays in the log
 * (att_off); it is read when asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crcfast.h"
#include "fsutil.h"
#include "storetypes.h"
#include "logrec.h"
#include "ckpt.h"

#define CKPT_MAGIC      "SLCK"
#define CKPT_VERSION    7               /* others are ignored (rebuilt) */
#define CKPT_HDR        100
#define CKPT_LIVE       CKPT_HDR        /* the live list starts here */

const ckkey sl_ckpt_key_all = { CK_ALL, 0, 0, 0 };
const ckkey sl_ckpt_key_none = { CK_NONE, 0, 0, 0 };

static uint32_t label_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;       /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

/* Parse the entry at off of the mapped checkpoint into t. 1, 0 bad. */
static int ck_entry(const logstate *ls, uint64_t off, txrec *t)
{
	sl_storeenc_cur c;
	uint32_t n;
	sl_field rs;

	if (off < ls->ck_ents || off >= ls->ck_tbl || ls->ck_tbl - off < 8)
		return 0;
	n = sl_u32_unpack(ls->map + off);
	if (n > ls->ck_tbl - off - 8 || sl_storeenc_crc(ls->map + off + 8, n) != sl_u32_unpack(ls->map + off + 4))
		return 0;
	c.p = ls->map + off + 8;
	c.n = n;
	c.bad = 0;
	memset(t, 0, sizeof *t);
	t->id = (int64_t)sl_storeenc_u64(&c);
	t->table_id = (int64_t)sl_storeenc_u64(&c);
	t->begin_ms = (int64_t)sl_storeenc_u64(&c);
	t->finish_ms = (int64_t)sl_storeenc_u64(&c);
	t->precommit_ms = (int64_t)sl_storeenc_u64(&c);
	t->timeout_s = (int64_t)sl_storeenc_u64(&c);
	t->commit_seq = sl_storeenc_u64(&c);
	t->state = (int)sl_storeenc_u32(&c);
	t->label = sl_storeenc_str(&c, 128);
	t->table = sl_storeenc_str(&c, 64);
	t->reason = sl_storeenc_str(&c, 255);
	t->nrs = sl_storeenc_u32(&c);
	rs = sl_storeenc_str(&c, LOG_REC_MAX);
	t->rs = rs.p;
	t->rslen = rs.n;
	t->att_off = (int64_t)sl_storeenc_u64(&c);
	t->attach.n = sl_storeenc_u32(&c);
	t->att_crc = sl_storeenc_u32(&c);
	t->slot = (int32_t)sl_storeenc_u32(&c);
	t->rsver = (int)sl_storeenc_u32(&c);
	t->repl = (int64_t)sl_storeenc_u64(&c);
	t->compact = (int)sl_storeenc_u32(&c);
	t->nnp = sl_storeenc_u32(&c);
	rs = sl_storeenc_str(&c, LOG_REC_MAX);
	t->np = rs.p;
	t->nplen = rs.n;
	t->attach.p = t->attach.n ? 0 : "";
	if (c.bad || c.n || t->rsver < 1 || t->rsver > 3 || (t->compact != 0 && t->compact != 1) || t->repl < 0 || t->slot < -1 || t->slot >= SLOT_MAX || t->state < SL_TXN_PREPARE ||
	    t->state > SL_TXN_ABORTED || t->id < FIRST_TXN_ID || t->id > ls->max_id ||
	    t->attach.n > ATTACH_MAX || t->att_off < 0 || (uint64_t)t->att_off > ls->base)
		return 0;
	return 1;
}

/* Slot i of the id index. 1, 0 bad. */
static int ck_idslot(const logstate *ls, uint32_t i, int64_t *id, uint32_t *off)
{
	const char *s = ls->map + ls->ck_ids + (size_t)i * 16;

	if (sl_storeenc_crc(s, 12) != sl_u32_unpack(s + 12))
		return 0;
	*id = (int64_t)sl_u64_unpack(s);
	*off = sl_u32_unpack(s + 8);
	return 1;
}

/* Slot i of the label buckets. 1, 0 bad. */
static int ck_bktslot(const logstate *ls, uint32_t i, uint32_t *off, uint32_t *hash)
{
	const char *s = ls->map + ls->ck_bkts + (size_t)i * 12;
	char k[4];
	uint32_t crc;

	sl_u32_pack(k, i);
	crc = (uint32_t)crc32(crc32(0, (const Bytef *)k, 4), (const Bytef *)s, 8);
	if (crc != sl_u32_unpack(s + 8))
		return 0;
	*off = sl_u32_unpack(s);
	*hash = sl_u32_unpack(s + 4);
	return 1;
}

/* Find txn id in the id index of the mapped checkpoint. 1 found (t
 * filled), 0 not there, -1 the checkpoint is damaged. */
static int ck_find_id(const logstate *ls, int64_t id, txrec *t)
{
	uint32_t lo = 0, hi = ls->ck_nent, off;
	int64_t x;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (!ck_idslot(ls, mid, &x, &off))
			return -1;
		if (x == id)
			return ck_entry(ls, off, t) && t->id == id ? 1 : -1;
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The CRC-32 of the first n bytes of the log fd into *crc, read in
 * pieces small enough to stay in the CPU's cache between the copy and the
 * CRC (every read pays this over megabytes of log: no mmap, which a log
 * cut under the reader would turn into SIGBUS). 1; 0 the log is shorter;
 * -1 errno. */
static int log_prefix_crc(int fd, uint64_t n, uint32_t *crc)
{
	size_t cap = 128u << 10;
	char *b = malloc(cap);
	uint64_t at = 0;
	uint32_t c = 0;
	int r = 1;

	if (!b) {
		errno = ENOMEM;
		return -1;
	}
	while (at < n) {
		size_t k = n - at < cap ? (size_t)(n - at) : cap;
		r = sl_fsutil_pread_all(fd, b, k, at);
		if (r <= 0)
			break;
		c = sl_crcfast_update(c, b, k);
		at += k;
	}
	free(b);
	*crc = c;
	return r;
}


/* What the header says of the log it folded. */
typedef struct ckhdr {
	uint64_t base;          /* log_off: the log offset it folded to */
	uint64_t aoff;          /* last_off, last_len, last_crc: the last record */
	uint32_t alen, acrc;
	uint32_t nlive;
	uint32_t lcrc;          /* log_crc: CRC-32 of the log [0, base) */
	uint64_t flen, toff;    /* file_len, tbl_off */
} ckhdr;

/* Map the checkpoint open on fd (closed here) into ls. 1, 0 unusable. */
static int ck_map(logstate *ls, int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0 || sb.st_size < CKPT_HDR + 4 || (uint64_t)sb.st_size > UINT32_MAX) {
		close(fd);
		return 0;
	}
	ls->map = mmap(0, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (ls->map == MAP_FAILED) {
		ls->map = 0;
		return 0;
	}
	ls->maplen = (size_t)sb.st_size;
	return 1;
}

/* Check the header and that the sections fit; set ls's counters and
 * where the sections start. 1, 0 unusable. */
static int ck_header(logstate *ls, ckhdr *ch)
{
	const char *h = ls->map;
	struct stat lsb;
	uint64_t ino, need;

	if (memcmp(h, CKPT_MAGIC, 4) || sl_u32_unpack(h + 4) != CKPT_VERSION ||
	    sl_storeenc_crc(h, CKPT_HDR - 4) != sl_u32_unpack(h + CKPT_HDR - 4))
		return 0;
	ino = sl_u64_unpack(h + 8);
	ch->base = sl_u64_unpack(h + 16);
	ch->aoff = sl_u64_unpack(h + 24);
	ch->alen = sl_u32_unpack(h + 32);
	ch->acrc = sl_u32_unpack(h + 36);
	ls->max_id = (int64_t)sl_u64_unpack(h + 40);
	ls->max_table_id = (int64_t)sl_u64_unpack(h + 48);
	ls->seq = sl_u64_unpack(h + 56);
	ls->ck_nent = sl_u32_unpack(h + 64);
	ch->nlive = sl_u32_unpack(h + 68);
	ls->ck_nbkt = sl_u32_unpack(h + 72);
	ch->flen = sl_u64_unpack(h + 76);
	ch->lcrc = sl_u32_unpack(h + 84);
	ch->toff = sl_u64_unpack(h + 88);
	need = (uint64_t)CKPT_HDR + 4ull * ch->nlive + 4 + 16ull * ls->ck_nent + 12ull * ls->ck_nbkt;
	if (ch->flen != ls->maplen || need > ch->flen || ch->nlive > ls->ck_nent || ch->toff < need ||
	    ch->toff > ch->flen - 8 ||
	    ls->ck_nbkt < 2ull * ls->ck_nent || ls->ck_nbkt < 16 || (ls->ck_nbkt & (ls->ck_nbkt - 1)) ||
	    fstat(ls->fd, &lsb) < 0 || (uint64_t)lsb.st_ino != ino ||
	    ch->alen > LOG_REC_MAX || ch->base > (uint64_t)SIZE_MAX / 2 ||
	    ch->aoff + 8 + ch->alen != ch->base)
		return 0;
	ls->ck_ids = CKPT_LIVE + 4 * (size_t)ch->nlive + 4;
	ls->ck_bkts = ls->ck_ids + 16 * (size_t)ls->ck_nent;
	ls->ck_ents = ls->ck_bkts + 12 * (size_t)ls->ck_nbkt;
	ls->ck_tbl = (size_t)ch->toff;
	ls->base = (size_t)ch->base;
	return 1;
}

/* Is the log still the one folded? The last record it covers must be
 * there, whole and unchanged, and the log before it hold exactly what
 * was folded. 1, 0 no (unusable), -1 ENOMEM. */
static int ck_covers(logstate *ls, const ckhdr *ch)
{
	char *rec = malloc((size_t)ch->alen + 8);
	int r;

	if (!rec)
		return -1;
	r = sl_fsutil_pread_all(ls->fd, rec, (size_t)ch->alen + 8, ch->aoff);
	if (r < 0 && errno == ENOMEM) {
		free(rec);
		return -1;
	}
	r = r > 0 && sl_u32_unpack(rec) == ch->alen && sl_u32_unpack(rec + 4) == ch->acrc &&
	    sl_storeenc_crc(rec + 8, ch->alen) == ch->acrc;
	free(rec);
	if (!r)
		return 0;
	/* sealed: the log is as its last writer left it, and that writer had
	 * verified this prefix (here or by reading it whole): reads cost the
	 * tail, not the history */
	if (!ls->no_seal && sl_fsutil_sealed(ls->fd)) {
		ls->pcrc = ch->lcrc;
		return 1;
	}
	r = log_prefix_crc(ls->fd, ch->base, &ls->pcrc);
	if (r < 0 && errno == ENOMEM)
		return -1;
	return r > 0 && ls->pcrc == ch->lcrc;
}

/* The tables (T records): always, they are few. 1, 0 bad, -1 ENOMEM. */
static int ck_tables(logstate *ls, const ckhdr *ch)
{
	sl_storeenc_cur c = { ls->map + ch->toff, ch->flen - ch->toff - 4, 0 };
	uint32_t i, ntab;

	if (sl_storeenc_crc(c.p, c.n) != sl_u32_unpack(ls->map + ch->flen - 4))
		return 0;
	ntab = sl_storeenc_u32(&c);
	for (i = 0; i < ntab && !c.bad; i++) {
		int64_t id = (int64_t)sl_storeenc_u64(&c);
		sl_field nm = sl_storeenc_str(&c, 64);
		if (!c.bad && sl_logrec_tb_push(ls, id, nm) < 0)
			return -1;
	}
	ntab = sl_storeenc_u32(&c);
	for (i = 0; i < ntab && !c.bad; i++) {
		partrec p;
		p.id = (int64_t)sl_storeenc_u64(&c);
		p.table_id = (int64_t)sl_storeenc_u64(&c);
		p.dropped = (int64_t)sl_storeenc_u64(&c);
		p.temp = (int)sl_storeenc_u32(&c);
		p.name = sl_storeenc_str(&c, 64);
		p.values = sl_storeenc_str(&c, LOG_REC_MAX);
		if (!c.bad && sl_logrec_pt_push(ls, &p) < 0)
			return -1;
	}
	/* the visible index: only its shape here; CK_TABLE reads one table's */
	ls->ck_nvis = sl_storeenc_u32(&c);
	ls->ck_vis = (size_t)(c.p - ls->map);
	for (i = 0; i < ls->ck_nvis && !c.bad; i++) {
		uint32_t n;
		(void)sl_storeenc_u64(&c);
		n = sl_storeenc_u32(&c);
		if (n > c.n / 4)
			return 0;
		c.p += 4 * (size_t)n;
		c.n -= 4 * (size_t)n;
	}
	return !c.bad && !c.n;
}

static int is_live(const txrec *t)
{
	return t->state == SL_TXN_PREPARE || t->state == SL_TXN_PRECOMMITTED;
}

/* The live txns: always. 1, 0 bad, -1 ENOMEM. */
static int ck_live(logstate *ls, const ckhdr *ch)
{
	const char *h = ls->map;
	uint32_t i;
	txrec t;

	if (sl_storeenc_crc(h + CKPT_LIVE, 4 * (size_t)ch->nlive) !=
	    sl_u32_unpack(h + CKPT_LIVE + 4 * (size_t)ch->nlive))
		return 0;
	for (i = 0; i < ch->nlive; i++) {
		if (!ck_entry(ls, sl_u32_unpack(h + CKPT_LIVE + 4 * (size_t)i), &t) || !is_live(&t))
			return 0;
		if (sl_logrec_tx_push(ls, &t) < 0)
			return -1;
	}
	return 1;
}

/* Every entry, in id order (the live ones again). 1, 0 bad, -1 ENOMEM. */
static int ck_all(logstate *ls)
{
	int64_t prev = 0;
	uint32_t i;
	txrec t;

	ls->ntx = 0;
	if (sl_logrec_tx_reserve(ls, ls->ck_nent + 16) < 0)
		return -1;
	for (i = 0; i < ls->ck_nent; i++) {
		int64_t id;
		uint32_t off;
		if (!ck_idslot(ls, i, &id, &off) || !ck_entry(ls, off, &t) || t.id != id ||
		    (i && id <= prev))
			return 0;
		prev = id;
		if (sl_logrec_tx_push(ls, &t) < 0)
			return -1;
	}
	return 1;
}

/* The finished txns of a label (the live ones are loaded already). 1, 0
 * bad, -1 ENOMEM. */
static int ck_label(logstate *ls, const char *label, size_t nlab)
{
	uint32_t hh = label_hash(label, nlab), k, n, off, sh;
	txrec t;

	for (n = 0, k = hh & (ls->ck_nbkt - 1); n < ls->ck_nbkt; n++, k = (k + 1) & (ls->ck_nbkt - 1)) {
		if (!ck_bktslot(ls, k, &off, &sh))
			return 0;
		if (!off)
			break;
		if (sh != hh)
			continue;
		if (!ck_entry(ls, off, &t) || label_hash(t.label.p, t.label.n) != hh)
			return 0;
		if (t.label.n != nlab || memcmp(t.label.p, label, nlab) || is_live(&t))
			continue;       /* another label; or live: loaded above */
		if (sl_logrec_tx_push(ls, &t) < 0)
			return -1;
	}
	return n < ls->ck_nbkt;
}

/* The VISIBLE entries of table tid that no compaction replaced, from
 * the visible index (its shape was checked by ck_tables). 1, 0 bad, -1
 * ENOMEM. */
static int ck_table(logstate *ls, int64_t tid)
{
	sl_storeenc_cur c = { ls->map + ls->ck_vis, ls->maplen - 4 - ls->ck_vis, 0 };
	int64_t prev = 0;
	uint32_t i, k, n;
	txrec t;

	for (i = 0; i < ls->ck_nvis; i++) {
		int64_t id = (int64_t)sl_storeenc_u64(&c);
		n = sl_storeenc_u32(&c);
		if (c.bad || n > c.n / 4)
			return 0;
		if (id != tid) {
			c.p += 4 * (size_t)n;
			c.n -= 4 * (size_t)n;
			continue;
		}
		if (sl_logrec_tx_reserve(ls, ls->ntx + n) < 0)
			return -1;
		for (k = 0; k < n; k++) {
			if (!ck_entry(ls, sl_storeenc_u32(&c), &t) || t.state != SL_TXN_VISIBLE || t.repl ||
			    t.table_id != tid || t.id <= prev)
				return 0;
			prev = t.id;
			if (sl_logrec_tx_push(ls, &t) < 0)
				return -1;
		}
		break;
	}
	return 1;
}

/* What key asks for beyond the live txns. 1, 0 bad, -1 ENOMEM. */
static int ck_keyed(logstate *ls, const ckkey *key)
{
	txrec t;
	int r;

	ls->partial = key->kind != CK_ALL;
	switch (key->kind) {
	case CK_ALL:
		return ck_all(ls);
	case CK_ID:
		r = ck_find_id(ls, key->id, &t);
		if (r < 0)
			return 0;
		if (r && !is_live(&t) && sl_logrec_tx_push(ls, &t) < 0)
			return -1;
		return 1;
	case CK_LABEL:
		return ck_label(ls, key->label, key->nlab);
	case CK_TABLE:
		return ck_table(ls, key->id);
	default:
		return 1;
	}
}

/* Forget all a checkpoint found unusable gave; keep the log open. */
static void ck_unusable(logstate *ls)
{
	int lfd = ls->fd;
	char nm[PATH_MAX];

	free(ls->tx);
	free(ls->tb);
	free(ls->pt);
	ls->tx = 0;
	ls->tb = 0;
	ls->pt = 0;
	if (ls->map)
		munmap((void *)ls->map, ls->maplen);
	memcpy(nm, ls->name, sizeof nm);
	sl_logrec_init(ls);
	memcpy(ls->name, nm, sizeof nm);
	ls->fd = lfd;
	ls->ck_bad = 1;
}

int sl_ckpt_load(logstate *ls, const char *path, const ckkey *key)
{
	ckhdr ch;
	int e = errno, r, fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = e;
		return 0;
	}
	r = ck_map(ls, fd);
	if (r > 0)
		r = ck_header(ls, &ch);
	if (r > 0)
		r = ck_covers(ls, &ch);
	if (r > 0)
		r = ck_tables(ls, &ch);
	if (r > 0)
		r = ck_live(ls, &ch);
	if (r > 0)
		r = ck_keyed(ls, key);
	if (r > 0)
		r = sl_logrec_tx_sort(ls);
	if (r < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (r == 0) {
		ck_unusable(ls);
		errno = e;
		return 0;
	}
	ls->valid = ls->base;
	ls->last_off = (size_t)ch.aoff;
	ls->last_len = ch.alen;
	ls->last_crc = ch.acrc;
	errno = e;
	return 1;
}

txrec *sl_ckpt_get(logstate *ls, int64_t id, txrec *tmp, int *damaged)
{
	txrec *t = sl_logrec_find(ls, id);
	int r;

	*damaged = 0;
	if (t || !ls->partial || !ls->map || id > ls->max_id)
		return t;
	r = ck_find_id(ls, id, tmp);
	if (r < 0) {
		ls->ck_bad = *damaged = 1;
		return 0;
	}
	return r ? tmp : 0;
}

int sl_ckpt_visible_ok(logstate *ls)
{
	sl_storeenc_cur c;
	size_t i, want = 0, got = 0;
	int64_t ptid = 0, prev;
	uint32_t g, k, n;
	txrec t, *x;

	if (!ls->map || ls->partial)
		return 0;
	c.p = ls->map + ls->ck_vis;
	c.n = ls->maplen - 4 - ls->ck_vis;
	c.bad = 0;
	for (i = 0; i < ls->ntx; i++)
		want += ls->tx[i].state == SL_TXN_VISIBLE && !ls->tx[i].repl;
	for (g = 0; g < ls->ck_nvis; g++) {
		int64_t tid = (int64_t)sl_storeenc_u64(&c);
		n = sl_storeenc_u32(&c);
		if (c.bad || n > c.n / 4 || !n || (g && tid <= ptid))
			return 0;
		for (ptid = tid, prev = 0, k = 0; k < n; k++, got++, prev = t.id)
			if (!ck_entry(ls, sl_storeenc_u32(&c), &t) || t.id <= prev ||
			    !(x = sl_logrec_find(ls, t.id)) || x->state != SL_TXN_VISIBLE || x->repl ||
			    x->table_id != tid)
				return 0;
	}
	return got == want;
}

/* The index of a checkpoint being written: per entry kept, its id and
 * offset; the live ones; the label buckets. */
typedef struct ckindex {
	uint32_t *eoff, *live, *bkt, *bhash;
	int64_t *eid;
	size_t nent, nlive;
	uint32_t nbkt;
	size_t head;            /* the bytes before the entries */
} ckindex;

/* Append t's entry: len:u32 crc:u32 payload. 1, -1 ENOMEM. */
static int put_entry(sl_buf *ents, const txrec *t)
{
	size_t at = ents->len;
	uint32_t acrc = t->attach.p ? sl_storeenc_crc(t->attach.p, t->attach.n) : t->att_crc;

	if (sl_storeenc_put_u64(ents, 0) < 0 ||
	    sl_storeenc_put_u64(ents, (uint64_t)t->id) < 0 ||
	    sl_storeenc_put_u64(ents, (uint64_t)t->table_id) < 0 ||
	    sl_storeenc_put_u64(ents, (uint64_t)t->begin_ms) < 0 ||
	    sl_storeenc_put_u64(ents, (uint64_t)t->finish_ms) < 0 ||
	    sl_storeenc_put_u64(ents, (uint64_t)t->precommit_ms) < 0 ||
	    sl_storeenc_put_u64(ents, (uint64_t)t->timeout_s) < 0 ||
	    sl_storeenc_put_u64(ents, t->commit_seq) < 0 ||
	    sl_storeenc_put_u32(ents, (uint32_t)t->state) < 0 ||
	    sl_storeenc_put_str(ents, t->label.p, t->label.n) < 0 ||
	    sl_storeenc_put_str(ents, t->table.p, t->table.n) < 0 ||
	    sl_storeenc_put_str(ents, t->reason.p, t->reason.n) < 0 ||
	    sl_storeenc_put_u32(ents, t->nrs) < 0 ||
	    sl_storeenc_put_str(ents, t->rs ? t->rs : "", t->rslen) < 0 ||
	    sl_storeenc_put_u64(ents, (uint64_t)(t->att_off < 0 ? 0 : t->att_off)) < 0 ||
	    sl_storeenc_put_u32(ents, t->attach.n) < 0 || sl_storeenc_put_u32(ents, acrc) < 0 ||
	    sl_storeenc_put_u32(ents, (uint32_t)t->slot) < 0 ||
	    sl_storeenc_put_u32(ents, (uint32_t)(t->rsver ? t->rsver : 1)) < 0 ||
	    sl_storeenc_put_u64(ents, (uint64_t)t->repl) < 0 ||
	    sl_storeenc_put_u32(ents, (uint32_t)t->compact) < 0 ||
	    sl_storeenc_put_u32(ents, t->nnp) < 0 ||
	    sl_storeenc_put_str(ents, t->np ? t->np : "", t->nplen) < 0)
		return -1;
	sl_u32_pack(ents->p + at, (uint32_t)(ents->len - at - 8));
	sl_u32_pack(ents->p + at + 4, sl_storeenc_crc(ents->p + at + 8, ents->len - at - 8));
	return 1;
}

/* The entries of the txns kept (every live one, the others that keep
 * says to keep) into ents, their ids and offsets into ix. 1, -1. */
static int put_entries(sl_buf *ents, ckindex *ix, const logstate *ls, sl_ckpt_keep_fn keep,
	void *ctx)
{
	size_t i;

	if (ls->ntx && (!(ix->eoff = malloc(ls->ntx * sizeof *ix->eoff)) ||
			!(ix->eid = malloc(ls->ntx * sizeof *ix->eid)) ||
			!(ix->live = malloc(ls->ntx * sizeof *ix->live))))
		return -1;
	for (i = 0; i < ls->ntx; i++) {
		const txrec *t = &ls->tx[i];
		size_t at = ents->len;
		if (!is_live(t) && !keep(ctx, t))
			continue;
		if (put_entry(ents, t) < 0)
			return -1;
		if (is_live(t))
			ix->live[ix->nlive++] = (uint32_t)ix->nent;
		ix->eid[ix->nent] = t->id;
		ix->eoff[ix->nent++] = (uint32_t)at;    /* relative for now; checked below */
		if (ents->len > UINT32_MAX)
			return -1;
	}
	return 1;
}

/* Size the label buckets, make the entry offsets absolute and fill the
 * buckets (linear probing, in id order). 1, -1. */
static int put_buckets(ckindex *ix, logstate *ls, size_t entslen)
{
	size_t i;

	ix->nbkt = 16;
	while (ix->nbkt < 2 * ix->nent) {
		if (ix->nbkt > UINT32_MAX / 4)
			return -1;
		ix->nbkt *= 2;
	}
	ix->head = CKPT_LIVE + 4 * ix->nlive + 4 + 16 * ix->nent + 12 * (size_t)ix->nbkt;
	if (ix->head + entslen > UINT32_MAX)
		return -1;
	for (i = 0; i < ix->nent; i++)
		ix->eoff[i] += (uint32_t)ix->head;
	if (!(ix->bkt = calloc(ix->nbkt, sizeof *ix->bkt)) ||
	    !(ix->bhash = calloc(ix->nbkt, sizeof *ix->bhash)))
		return -1;
	for (i = 0; i < ix->nent; i++) {
		txrec *t = sl_logrec_find(ls, ix->eid[i]);
		uint32_t hh = label_hash(t->label.p, t->label.n), k = hh & (ix->nbkt - 1);
		while (ix->bkt[k])
			k = (k + 1) & (ix->nbkt - 1);
		ix->bkt[k] = ix->eoff[i];
		ix->bhash[k] = hh;
	}
	return 1;
}

/* A VISIBLE entry not replaced: its table and its place in the index. */
typedef struct visent { int64_t tid; uint32_t k; } visent;

static int visent_cmp(const void *a, const void *b)
{
	const visent *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* The visible index, appended to ents: per table (increasing id) the
 * offsets of its VISIBLE entries that no compaction replaced, in id
 * order. 1, -1. */
static int put_visible(sl_buf *ents, const ckindex *ix, logstate *ls)
{
	visent *v = ix->nent ? malloc(ix->nent * sizeof *v) : 0;
	size_t i, j, nv = 0;
	uint32_t ngrp = 0;
	int r = -1;

	if (ix->nent && !v)
		return -1;
	for (i = 0; i < ix->nent; i++) {
		const txrec *t = sl_logrec_find(ls, ix->eid[i]);
		if (t->state == SL_TXN_VISIBLE && !t->repl) {
			v[nv].tid = t->table_id;
			v[nv++].k = (uint32_t)i;
		}
	}
	if (nv)
		qsort(v, nv, sizeof *v, visent_cmp);
	for (i = 0; i < nv; i++)
		ngrp += !i || v[i].tid != v[i - 1].tid;
	if (sl_storeenc_put_u32(ents, ngrp) < 0)
		goto out;
	for (i = 0; i < nv; i = j) {
		for (j = i; j < nv && v[j].tid == v[i].tid; j++)
			;
		if (sl_storeenc_put_u64(ents, (uint64_t)v[i].tid) < 0 ||
		    sl_storeenc_put_u32(ents, (uint32_t)(j - i)) < 0)
			goto out;
		for (; i < j; i++)
			if (sl_storeenc_put_u32(ents, ix->eoff[v[i].k]) < 0)
				goto out;
	}
	r = 1;
out:
	free(v);
	return r;
}

/* The tables section, appended to ents. 1, -1. */
static int put_tables(sl_buf *ents, const ckindex *ix, logstate *ls)
{
	size_t i, tbl = ents->len;

	if (sl_storeenc_put_u32(ents, (uint32_t)ls->ntb) < 0)
		return -1;
	for (i = 0; i < ls->ntb; i++)
		if (sl_storeenc_put_u64(ents, (uint64_t)ls->tb[i].id) < 0 ||
		    sl_storeenc_put_str(ents, ls->tb[i].name.p, ls->tb[i].name.n) < 0)
			return -1;
	if (sl_storeenc_put_u32(ents, (uint32_t)ls->npt) < 0)
		return -1;
	for (i = 0; i < ls->npt; i++) {
		const partrec *p = &ls->pt[i];
		if (sl_storeenc_put_u64(ents, (uint64_t)p->id) < 0 ||
		    sl_storeenc_put_u64(ents, (uint64_t)p->table_id) < 0 ||
		    sl_storeenc_put_u64(ents, (uint64_t)p->dropped) < 0 ||
		    sl_storeenc_put_u32(ents, (uint32_t)p->temp) < 0 ||
		    sl_storeenc_put_str(ents, p->name.p, p->name.n) < 0 ||
		    sl_storeenc_put_str(ents, p->values.p, p->values.n) < 0)
			return -1;
	}
	if (put_visible(ents, ix, ls) < 0)
		return -1;
	return sl_storeenc_put_u32(ents, sl_storeenc_crc(ents->p + tbl, ents->len - tbl));
}

/* The header, the live list, the id index and the buckets into b. 1, -1. */
static int put_head(sl_buf *b, const ckindex *ix, const logstate *ls, uint64_t ino,
	size_t entslen, size_t tbl)
{
	size_t i;
	char x[4];

	if (sl_buf_reserve(b, ix->head + entslen + 4) < 0 ||
	    sl_buf_put(b, CKPT_MAGIC, 4) < 0 || sl_storeenc_put_u32(b, CKPT_VERSION) < 0 ||
	    sl_storeenc_put_u64(b, ino) < 0 || sl_storeenc_put_u64(b, ls->valid) < 0 ||
	    sl_storeenc_put_u64(b, ls->last_off) < 0 || sl_storeenc_put_u32(b, ls->last_len) < 0 ||
	    sl_storeenc_put_u32(b, ls->last_crc) < 0 || sl_storeenc_put_u64(b, (uint64_t)ls->max_id) < 0 ||
	    sl_storeenc_put_u64(b, (uint64_t)ls->max_table_id) < 0 || sl_storeenc_put_u64(b, ls->seq) < 0 ||
	    sl_storeenc_put_u32(b, (uint32_t)ix->nent) < 0 || sl_storeenc_put_u32(b, (uint32_t)ix->nlive) < 0 ||
	    sl_storeenc_put_u32(b, ix->nbkt) < 0 || sl_storeenc_put_u64(b, ix->head + entslen) < 0 ||
	    sl_storeenc_put_u32(b, ls->pcrc) < 0 || sl_storeenc_put_u64(b, ix->head + tbl) < 0 ||
	    sl_storeenc_put_u32(b, sl_storeenc_crc(b->p, b->len)) < 0)
		return -1;
	for (i = 0; i < ix->nlive; i++)
		if (sl_storeenc_put_u32(b, ix->eoff[ix->live[i]]) < 0)
			return -1;
	if (sl_storeenc_put_u32(b, sl_storeenc_crc(b->p + CKPT_LIVE, 4 * ix->nlive)) < 0)
		return -1;
	for (i = 0; i < ix->nent; i++) {
		size_t at = b->len;
		if (sl_storeenc_put_u64(b, (uint64_t)ix->eid[i]) < 0 ||
		    sl_storeenc_put_u32(b, ix->eoff[i]) < 0 ||
		    sl_storeenc_put_u32(b, sl_storeenc_crc(b->p + at, 12)) < 0)
			return -1;
	}
	for (i = 0; i < ix->nbkt; i++) {
		size_t at = b->len;
		sl_u32_pack(x, (uint32_t)i);
		if (sl_storeenc_put_u32(b, ix->bkt[i]) < 0 || sl_storeenc_put_u32(b, ix->bhash[i]) < 0 ||
		    sl_storeenc_put_u32(b, (uint32_t)crc32(crc32(0, (const Bytef *)x, 4),
						       (const Bytef *)b->p + at, 8)) < 0)
			return -1;
	}
	return b->len == ix->head ? 1 : -1;
}

int sl_ckpt_save(logstate *ls, uint64_t ino, const char *path, sl_ckpt_keep_fn keep, void *ctx)
{
	sl_buf ents = SL_BUF_ZERO, b = SL_BUF_ZERO;
	ckindex ix;
	size_t tbl;
	int r = -1;

	memset(&ix, 0, sizeof ix);
	if (put_entries(&ents, &ix, ls, keep, ctx) < 0 || put_buckets(&ix, ls, ents.len) < 0)
		goto out;
	tbl = ents.len;
	if (put_tables(&ents, &ix, ls) < 0 || ix.head + ents.len > UINT32_MAX ||
	    put_head(&b, &ix, ls, ino, ents.len, tbl) < 0 || sl_buf_put(&b, ents.p, ents.len) < 0)
		goto out;
	r = sl_file_write_atomic(path, b.p, b.len, 0644);
out:
	free(ix.eoff);
	free(ix.eid);
	free(ix.live);
	free(ix.bkt);
	free(ix.bhash);
	sl_buf_free(&ents);
	sl_buf_free(&b);
	return r;
}
