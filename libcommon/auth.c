/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.c -- users, passwords and grants of a data directory (auth.h).
 *
 * Everything lives in one text file, <data-dir>/_auth/users (mode 0600,
 * directory 0700), so that a DROP USER and its grants go in one atomic
 * replace:
 *   user <name> <crypt(3) hash, or "-" for an empty password> [<verifier>]
 *   grant <name> <db|*> <table|*> <privilege bits, hex>
 * Writers hold flock(_auth/lock) around read-modify-replace
 * (sl_file_write_atomic), so two sl-sql runs never lose each other's
 * update; readers (sl_auth_check from sl-httpd) take no lock: a rename is
 * atomic. The verifier is mysql_native_password's SHA1(SHA1(password)),
 * 40 hex digits, "-" for an empty password (sl-mysqld checks a client's
 * scramble answer against it); lines written before verifiers were kept
 * have none (that user must set the password again to use sl-mysqld).
 * `root` is implicit with an empty password until a "user root"
 * line exists, and always holds every privilege.
 *
 * Timing: a denial costs one crypt(3) whether or not the user exists (a
 * dummy hash with the same method and cost is computed for unknown users
 * and for a wrong guess at an empty password). Only an accepted empty
 * password is fast: that outcome reveals the same thing anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <crypt.h>
/* SHA1's low-level functions, deprecated in OpenSSL 3 for the EVP
 * one-shot, which fetches a provider at run time: linked statically (the
 * Makefile), these pull in only the SHA1 code, and a short-lived process
 * such as sl-sql does not pay for loading the whole of libcrypto. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "sl.h"
#include "io.h"
#include "store.h"
#include "fsutil.h"
#include "auth.h"

#define NAME_CAP   65           /* 64 bytes + NUL, as store names */
#define HASH_CAP   CRYPT_OUTPUT_SIZE
#define NATIVE_LEN SHA_DIGEST_LENGTH   /* 20: SHA1 */

/* native: 1 verifier held in ver; 0 none (a line from before verifiers) */
typedef struct auser {
	char name[NAME_CAP]; char hash[HASH_CAP];
	unsigned char ver[NATIVE_LEN]; int native;
} auser;
typedef struct agrant { char user[NAME_CAP], db[NAME_CAP], tbl[NAME_CAP]; int privs; } agrant;
typedef struct adb {
	auser *u; size_t nu, ucap;
	agrant *g; size_t ng, gcap;
} adb;

/* Doris's user names: a letter, then letters, digits, '.', '-', '_'. */
static int user_valid(const char *u)
{
	size_t n = strlen(u);

	if (n < 1 || n > 64 || !((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
		return 0;
	return strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int obj_valid(const char *s)
{
	int e = errno, ok = !strcmp(s, "*") || sl_name_valid(s) == 1;

	errno = e;
	return ok;
}

static int path_of(const sl_store *st, const char *leaf, char *p)
{
	int n = snprintf(p, PATH_MAX, "%s/_auth%s%s", st->dir, leaf ? "/" : "", leaf ? leaf : "");

	if (n < 0 || n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 1;
}

static void adb_free(adb *a)
{
	free(a->u);
	free(a->g);
	memset(a, 0, sizeof *a);
}

static auser *find_user(adb *a, const char *name)
{
	for (size_t i = 0; i < a->nu; i++)
		if (!strcmp(a->u[i].name, name))
			return &a->u[i];
	return 0;
}

static agrant *find_grant(adb *a, const char *user, const char *db, const char *tbl)
{
	for (size_t i = 0; i < a->ng; i++)
		if (!strcmp(a->g[i].user, user) && !strcmp(a->g[i].db, db) && !strcmp(a->g[i].tbl, tbl))
			return &a->g[i];
	return 0;
}

static auser *add_user(adb *a)
{
	if (a->nu == a->ucap) {
		size_t cap = a->ucap ? a->ucap * 2 : 8;
		auser *v = realloc(a->u, cap * sizeof *v);
		if (!v)
			return 0;
		a->u = v;
		a->ucap = cap;
	}
	memset(&a->u[a->nu], 0, sizeof *a->u);
	return &a->u[a->nu++];
}

static agrant *add_grant(adb *a)
{
	if (a->ng == a->gcap) {
		size_t cap = a->gcap ? a->gcap * 2 : 8;
		agrant *v = realloc(a->g, cap * sizeof *v);
		if (!v)
			return 0;
		a->g = v;
		a->gcap = cap;
	}
	memset(&a->g[a->ng], 0, sizeof *a->g);
	return &a->g[a->ng++];
}

static int copy_word(char *dst, size_t cap, const char *w)
{
	size_t n = strlen(w);

	if (n >= cap)
		return -1;
	memcpy(dst, w, n + 1);
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The verifier word of a user line: 40 lowercase hex digits, or "-" for
 * an empty password (then the crypt hash must be empty too). */
static int ver_parse(auser *u, const char *w)
{
	if (!strcmp(w, "-")) {
		u->native = !u->hash[0];
		return u->native ? 1 : -1;
	}
	if (strlen(w) != 2 * NATIVE_LEN || !u->hash[0])
		return -1;
	for (size_t i = 0; i < NATIVE_LEN; i++) {
		int hi = hexval(w[2 * i]), lo = hexval(w[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		u->ver[i] = (unsigned char)(hi << 4 | lo);
	}
	u->native = 1;
	return 1;
}

/* Parse the users file; a missing file is an empty set. -1 EPROTO on a
 * malformed line (fail closed: no check succeeds on a damaged file). */
static int adb_load(const sl_store *st, adb *a)
{
	char p[PATH_MAX];
	sl_buf b = SL_BUF_ZERO;
	char *line, *save = 0;

	memset(a, 0, sizeof *a);
	if (path_of(st, "users", p) < 0)
		return -1;
	if (sl_file_read(p, &b) < 0) {
		if (errno == ENOENT)
			return 1;
		return -1;
	}
	if (sl_buf_cstr(&b) < 0)
		goto fail;
	for (line = strtok_r(b.p, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
		char *w[6], *s2 = 0;
		size_t nw = 0;

		if (line[0] == '#')
			continue;
		for (char *t = strtok_r(line, " ", &s2); t && nw < SL_ARRAY_LEN(w); t = strtok_r(0, " ", &s2))
			w[nw++] = t;
		if ((nw == 3 || nw == 4) && !strcmp(w[0], "user") && user_valid(w[1])) {
			auser *u = add_user(a);
			if (!u)
				goto fail;
			if (copy_word(u->name, sizeof u->name, w[1]) < 0 ||
			    copy_word(u->hash, sizeof u->hash, strcmp(w[2], "-") ? w[2] : "") < 0 ||
			    (nw == 4 && ver_parse(u, w[3]) < 0))
				goto bad;
		} else if (nw == 5 && !strcmp(w[0], "grant") && user_valid(w[1]) && obj_valid(w[2]) &&
			   obj_valid(w[3])) {
			agrant *g = add_grant(a);
			char *end;
			if (!g)
				goto fail;
			g->privs = (int)strtol(w[4], &end, 16);
			if (*end || copy_word(g->user, sizeof g->user, w[1]) < 0 ||
			    copy_word(g->db, sizeof g->db, w[2]) < 0 || copy_word(g->tbl, sizeof g->tbl, w[3]) < 0)
				goto bad;
		} else
			goto bad;
	}
	explicit_bzero(b.p, b.len);
	sl_buf_free(&b);
	return 1;
bad:
	errno = EPROTO;
fail:
	{
		int e = errno;
		if (b.p)
			explicit_bzero(b.p, b.len);
		sl_buf_free(&b);
		adb_free(a);
		errno = e;
	}
	return -1;
}

static int adb_save(const sl_store *st, const adb *a)
{
	char p[PATH_MAX];
	sl_buf b = SL_BUF_ZERO;
	int r = 1;

	if (path_of(st, "users", p) < 0)
		return -1;
	if (sl_buf_puts(&b, "# streamload users and grants: edit with sl-sql (CREATE USER, GRANT, ...)\n") < 0)
		r = -1;
	for (size_t i = 0; r > 0 && i < a->nu; i++) {
		const auser *u = &a->u[i];
		char ver[2 * NATIVE_LEN + 2] = "-";
		if (u->native && u->hash[0])
			for (size_t j = 0; j < NATIVE_LEN; j++)
				snprintf(ver + 2 * j, 3, "%02x", u->ver[j]);
		if (sl_buf_printf(&b, "user %s %s%s%s\n", u->name, u->hash[0] ? u->hash : "-",
				u->native ? " " : "", u->native ? ver : "") < 0)
			r = -1;
	}
	for (size_t i = 0; r > 0 && i < a->ng; i++)
		if (a->g[i].privs && sl_buf_printf(&b, "grant %s %s %s %x\n", a->g[i].user, a->g[i].db,
				a->g[i].tbl, (unsigned)a->g[i].privs) < 0)
			r = -1;
	if (r > 0)
		r = sl_file_write_atomic(p, b.p, b.len, 0600);
	sl_buf_free(&b);
	return r;
}

/* Make _auth/ (0700) and take its lock. fd, or -1. */
static int auth_lock(const sl_store *st)
{
	char p[PATH_MAX];
	int fd;

	if (path_of(st, 0, p) < 0)
		return -1;
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return -1;
	if (path_of(st, "lock", p) < 0)
		return -1;
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	return sl_fsutil_flock(fd, LOCK_EX);
}

static void unlock_keep_errno(int fd)
{
	int e = errno;

	close(fd);
	errno = e;
}

/* ---- hashing ---- */

/* A new setting (method and salt): yescrypt, else sha512-crypt. */
static int gensalt(char *out, size_t cap)
{
	if (crypt_gensalt_rn("$y$", 0, 0, 0, out, (int)cap))
		return 1;
	if (crypt_gensalt_rn("$6$", 0, 0, 0, out, (int)cap))
		return 1;
	return -1;
}

/* crypt(3) of pw with setting into out. 1, -1 errno. */
static int hash_with(const char *pw, const char *setting, char *out, size_t cap)
{
	struct crypt_data *cd = calloc(1, sizeof *cd);
	const char *h;
	int r = -1;

	if (!cd)
		return -1;
	h = crypt_rn(pw, setting, cd, sizeof *cd);
	if (h && h[0] != '*' && strlen(h) < cap) {
		memcpy(out, h, strlen(h) + 1);
		r = 1;
	} else if (h)
		errno = EINVAL;
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return r;
}

static int hash_new(const char *pw, char *out, size_t cap)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];

	if (gensalt(setting, sizeof setting) < 0)
		return -1;
	return hash_with(pw, setting, out, cap);
}

static void sha1(const void *in, size_t n, unsigned char out[NATIVE_LEN])
{
	SHA_CTX c;

	SHA1_Init(&c);
	SHA1_Update(&c, in, n);
	SHA1_Final(out, &c);
	explicit_bzero(&c, sizeof c);
}

/* SHA1(SHA1(pw)), mysql_native_password's stored verifier. */
static void native_verifier(const char *pw, unsigned char ver[NATIVE_LEN])
{
	unsigned char h1[NATIVE_LEN];

	sha1(pw, strlen(pw), h1);
	sha1(h1, NATIVE_LEN, ver);
	explicit_bzero(h1, sizeof h1);
}

/* A user's crypt hash and verifier for pw ("" : empty password). */
static int set_secret(auser *u, const char *pw)
{
	u->hash[0] = 0;
	memset(u->ver, 0, sizeof u->ver);
	u->native = 1;
	if (!pw[0])
		return 1;
	native_verifier(pw, u->ver);
	return hash_new(pw, u->hash, sizeof u->hash);
}

/* Equal strings, in time that depends only on the lengths. */
static int ct_equal(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), n = na > nb ? na : nb;
	volatile unsigned char d = (unsigned char)(na != nb);

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)((i < na ? a[i] : 0) ^ (i < nb ? b[i] : 0));
	return d == 0;
}

/* Burn the time of one real check. */
static void dummy_check(const char *pw)
{
	static char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char out[HASH_CAP];
	int e = errno;

	if (!setting[0] && gensalt(setting, sizeof setting) < 0)
		setting[0] = 0;
	if (setting[0])
		hash_with(strlen(pw) < CRYPT_MAX_PASSPHRASE_SIZE ? pw : "", setting, out, sizeof out);
	errno = e;
}

/* ---- checks ---- */

int sl_auth_check(sl_store *st, const char *user, const char *password)
{
	adb a;
	auser *u = 0;
	const char *hash = 0;
	char out[HASH_CAP];
	int ok = 0;

	if (adb_load(st, &a) < 0)
		return -1;
	if (user_valid(user) && strlen(password) < CRYPT_MAX_PASSPHRASE_SIZE) {
		u = find_user(&a, user);
		if (u)
			hash = u->hash;
		else if (!strcmp(user, "root"))
			hash = "";      /* implicit root */
	}
	if (!hash) {
		dummy_check(password);
	} else if (!hash[0]) {
		if (password[0])
			dummy_check(password);
		else
			ok = 1;
	} else if (hash_with(password, hash, out, sizeof out) > 0) {
		ok = ct_equal(out, hash);
	}
	explicit_bzero(out, sizeof out);
	adb_free(&a);
	return ok;
}

/* The client's answer: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))).
 * XOR-ing it with SHA1(scramble + verifier) gives back SHA1(pw), whose
 * SHA1 must be the verifier. Same work whatever the outcome. */
static int native_match(const unsigned char *scramble, size_t slen, const unsigned char ver[NATIVE_LEN],
	const unsigned char *resp)
{
	unsigned char in[255 + NATIVE_LEN], mix[NATIVE_LEN], h1[NATIVE_LEN], h2[NATIVE_LEN];
	int ok;

	if (slen)
		memcpy(in, scramble, slen);
	memcpy(in + slen, ver, NATIVE_LEN);
	sha1(in, slen + NATIVE_LEN, mix);
	for (size_t i = 0; i < NATIVE_LEN; i++)
		h1[i] = resp[i] ^ mix[i];
	sha1(h1, NATIVE_LEN, h2);
	ok = CRYPTO_memcmp(h2, ver, NATIVE_LEN) == 0;
	explicit_bzero(h1, sizeof h1);
	explicit_bzero(mix, sizeof mix);
	return ok;
}

int sl_auth_check_native(sl_store *st, const char *user, const unsigned char *scramble,
	size_t slen, const unsigned char *resp, size_t rlen)
{
	static const unsigned char dummy_ver[NATIVE_LEN] = { 0x5a };
	static const unsigned char zero[NATIVE_LEN];
	adb a;
	auser *u = 0, root = { "root", "", { 0 }, 1 };
	int r = 0, empty;

	if (slen > 255 || (rlen && rlen != NATIVE_LEN) || (slen && !scramble) || (rlen && !resp)) {
		errno = EINVAL;
		return -1;
	}
	if (adb_load(st, &a) < 0)
		return -1;
	if (user_valid(user) && !(u = find_user(&a, user)) && !strcmp(user, "root"))
		u = &root;      /* implicit root: empty password */
	empty = u && !u->hash[0];
	/* one match computed on every path, against the dummy when there is
	 * no verifier to check */
	r = native_match(scramble, slen, u && u->native && !empty ? u->ver : dummy_ver,
		rlen ? resp : zero);
	if (!u)
		r = 0;
	else if (empty)
		r = rlen == 0;
	else if (!u->native)
		r = 2;
	else if (!rlen)
		r = 0;
	adb_free(&a);
	return r;
}

int sl_auth_root_empty(sl_store *st)
{
	adb a;
	auser *u;
	int r;

	if (adb_load(st, &a) < 0)
		return -1;
	u = find_user(&a, "root");
	r = !u || !u->hash[0];
	adb_free(&a);
	return r;
}

/* Does a grant on gdb.gtbl cover db.table (see sl_auth_privs_of)? */
static int covers(const char *gdb, const char *gtbl, const char *db, const char *table)
{
	return !strcmp(gdb, "*") ||
		(db && !strcmp(gdb, db) && (!strcmp(gtbl, "*") || !table || !strcmp(gtbl, table)));
}

int sl_auth_privs_of(const sl_auth_entry *e, size_t n, const char *db, const char *table)
{
	int held = 0;

	for (size_t i = 0; i < n; i++)
		if (e[i].db[0] && covers(e[i].db, e[i].table, db, table))
			held |= e[i].privs;
	return held & SL_PRIV_ALL;
}

int sl_auth_has_priv(sl_store *st, const char *user, const char *db, const char *table, int priv)
{
	adb a;
	int held = 0, need = priv & SL_PRIV_ALL;

	if (!strcmp(user, "root"))
		return 1;
	if (adb_load(st, &a) < 0)
		return -1;
	if (!find_user(&a, user)) {
		adb_free(&a);
		return 0;
	}
	for (size_t i = 0; i < a.ng; i++) {
		const agrant *g = &a.g[i];
		if (!strcmp(g->user, user) && covers(g->db, g->tbl, db, table))
			held |= g->privs;
	}
	adb_free(&a);
	return (held & need) == need && need;
}

/* ---- administration ---- */

static int failed_for(char *msg, size_t cap, const char *op, const char *user)
{
	snprintf(msg, cap, SL_AUTH_MSG_OP_FAILED "%s failed for '%s'@'%%'", op, user);
	return 0;
}

static int no_user(char *msg, size_t cap, const char *user)
{
	snprintf(msg, cap, "user '%s'@'%%' does not exist", user);
	return 0;
}

/* Run fn on the loaded set under the lock; save when fn returns 1 and
 * asks to (*dirty). */
typedef int (*auth_edit)(adb *a, void *arg, int *dirty, char *msg, size_t cap);

static int edit(sl_store *st, auth_edit fn, void *arg, char *msg, size_t cap)
{
	adb a;
	int lk, r, dirty = 0;

	if (msg && cap)
		msg[0] = 0;
	if ((lk = auth_lock(st)) < 0)
		return -1;
	if (adb_load(st, &a) < 0) {
		unlock_keep_errno(lk);
		return -1;
	}
	r = fn(&a, arg, &dirty, msg, cap);
	if (r > 0 && dirty && adb_save(st, &a) < 0)
		r = -1;
	for (size_t i = 0; i < a.nu; i++)
		explicit_bzero(a.u[i].hash, sizeof a.u[i].hash);
	adb_free(&a);
	unlock_keep_errno(lk);
	return r;
}

typedef struct uarg {
	const char *user, *password, *db, *tbl;
	int flag, privs;
} uarg;

/* The user exists (root is implicit)? */
static int exists(adb *a, const char *user)
{
	return find_user(a, user) || !strcmp(user, "root");
}

static int do_create(adb *a, void *arg, int *dirty, char *msg, size_t cap)
{
	uarg *x = arg;
	auser *u;

	if (exists(a, x->user))
		return x->flag ? 1 : failed_for(msg, cap, "CREATE USER", x->user);
	if (!(u = add_user(a)))
		return -1;
	snprintf(u->name, sizeof u->name, "%s", x->user);
	if (set_secret(u, x->password) < 0)
		return -1;
	*dirty = 1;
	return 1;
}

static int do_drop(adb *a, void *arg, int *dirty, char *msg, size_t cap)
{
	uarg *x = arg;
	auser *u = find_user(a, x->user);
	size_t j = 0;

	if (!strcmp(x->user, "root"))
		return failed_for(msg, cap, "DROP USER", x->user);
	if (!u)
		return x->flag ? 1 : failed_for(msg, cap, "DROP USER", x->user);
	*u = a->u[--a->nu];
	for (size_t i = 0; i < a->ng; i++)
		if (strcmp(a->g[i].user, x->user))
			a->g[j++] = a->g[i];
	a->ng = j;
	*dirty = 1;
	return 1;
}

static int do_password(adb *a, void *arg, int *dirty, char *msg, size_t cap)
{
	uarg *x = arg;
	auser *u = find_user(a, x->user);

	if (!u && strcmp(x->user, "root"))
		return no_user(msg, cap, x->user);
	if (!u) {
		if (!(u = add_user(a)))
			return -1;
		snprintf(u->name, sizeof u->name, "root");
	}
	if (set_secret(u, x->password) < 0)
		return -1;
	*dirty = 1;
	return 1;
}

static int do_grant(adb *a, void *arg, int *dirty, char *msg, size_t cap)
{
	uarg *x = arg;
	agrant *g;

	if (!exists(a, x->user))
		return no_user(msg, cap, x->user);
	if (!(g = find_grant(a, x->user, x->db, x->tbl))) {
		if (!(g = add_grant(a)))
			return -1;
		snprintf(g->user, sizeof g->user, "%s", x->user);
		snprintf(g->db, sizeof g->db, "%s", x->db);
		snprintf(g->tbl, sizeof g->tbl, "%s", x->tbl);
	}
	g->privs |= x->privs & SL_PRIV_ALL;
	*dirty = 1;
	return 1;
}

static int do_revoke(adb *a, void *arg, int *dirty, char *msg, size_t cap)
{
	uarg *x = arg;
	agrant *g;

	if (!exists(a, x->user))
		return no_user(msg, cap, x->user);
	g = find_grant(a, x->user, x->db, x->tbl);
	if (!g || !(g->privs & x->privs)) {
		snprintf(msg, cap, SL_AUTH_MSG_NO_GRANT " defined for user '%s' on host '%%'", x->user);
		return 0;
	}
	g->privs &= ~x->privs;
	if (!g->privs)
		*g = a->g[--a->ng];
	*dirty = 1;
	return 1;
}

static int check_args(const char *user, const char *password)
{
	if (!user_valid(user) || (password && strlen(password) >= CRYPT_MAX_PASSPHRASE_SIZE)) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

int sl_auth_create_user(sl_store *st, const char *user, const char *password, int if_not_exists, char *msg, size_t msgcap)
{
	uarg x = { user, password ? password : "", 0, 0, if_not_exists, 0 };

	if (check_args(user, x.password) < 0)
		return -1;
	return edit(st, do_create, &x, msg, msgcap);
}

int sl_auth_drop_user(sl_store *st, const char *user, int if_exists, char *msg, size_t msgcap)
{
	uarg x = { user, "", 0, 0, if_exists, 0 };

	if (!user_valid(user)) {
		/* no such user can exist */
		if (msg && msgcap)
			msg[0] = 0;
		return if_exists ? 1 : failed_for(msg, msgcap, "DROP USER", user);
	}
	return edit(st, do_drop, &x, msg, msgcap);
}

int sl_auth_set_password(sl_store *st, const char *user, const char *password, char *msg, size_t msgcap)
{
	uarg x = { user, password ? password : "", 0, 0, 0, 0 };

	if (check_args(user, x.password) < 0)
		return -1;
	return edit(st, do_password, &x, msg, msgcap);
}

static int grant_args(const char *user, const char *db, const char *table, int privs)
{
	if (check_args(user, 0) < 0 || !obj_valid(db) || !obj_valid(table) ||
	    (!strcmp(db, "*") && strcmp(table, "*")) || !(privs & SL_PRIV_ALL)) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

int sl_auth_grant(sl_store *st, const char *user, const char *db, const char *table, int privs, char *msg, size_t msgcap)
{
	uarg x = { user, 0, db, table, 0, privs };

	if (grant_args(user, db, table, privs) < 0)
		return -1;
	return edit(st, do_grant, &x, msg, msgcap);
}

int sl_auth_revoke(sl_store *st, const char *user, const char *db, const char *table, int privs, char *msg, size_t msgcap)
{
	uarg x = { user, 0, db, table, 0, privs };

	if (grant_args(user, db, table, privs) < 0)
		return -1;
	return edit(st, do_revoke, &x, msg, msgcap);
}

/* ---- listing (SHOW GRANTS) ---- */

int sl_auth_list(sl_store *st, const char *user, sl_auth_entry **out, size_t *n)
{
	adb a;
	sl_auth_entry *v = 0;
	size_t cnt = 0, cap = 0;
	*out = 0;
	*n = 0;
	if (adb_load(st, &a) < 0)
		return -1;
	if (user && !exists(&a, user)) {
		adb_free(&a);
		return 0;
	}
	/* users first (root first of all), then each grant as its own entry */
	for (size_t pass = 0; pass < 2; pass++) {
		size_t lim = pass ? a.ng : a.nu + 1;
		for (size_t i = 0; i < lim; i++) {
			sl_auth_entry e;
			memset(&e, 0, sizeof e);
			if (!pass && i == 0) {
				auser *r = find_user(&a, "root");
				snprintf(e.user, sizeof e.user, "root");
				e.has_password = r && r->hash[0];
			} else if (!pass) {
				auser *u = &a.u[i - 1];
				if (!strcmp(u->name, "root"))
					continue;
				snprintf(e.user, sizeof e.user, "%s", u->name);
				e.has_password = u->hash[0] != 0;
			} else {
				const agrant *g = &a.g[i];
				snprintf(e.user, sizeof e.user, "%s", g->user);
				snprintf(e.db, sizeof e.db, "%s", g->db);
				snprintf(e.table, sizeof e.table, "%s", g->tbl);
				e.privs = g->privs;
			}
			if (user && strcmp(e.user, user))
				continue;
			if (cnt == cap) {
				sl_auth_entry *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *nv);
				if (!nv) {
					free(v);
					adb_free(&a);
					errno = ENOMEM;
					return -1;
				}
				v = nv;
			}
			v[cnt++] = e;
		}
	}
	adb_free(&a);
	*out = v;
	*n = cnt;
	return 1;
}

int sl_auth_user_valid(const char *user)
{
	return user_valid(user);
}
