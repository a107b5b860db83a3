/* SPDX-License-Identifier: Apache-2.0 */
/*
 * globpat.h -- glob patterns over object keys and paths, as Java's
 * PathMatcher("glob:...") reads them (Doris matches listed keys so):
 *   *      any characters but '/'          **   any characters, '/' too
 *   ?      one character but '/'           \c   the character c itself
 *   [abc] [a-z] [!x]  one character of (not of) the set, never '/'
 *   {a,b,c}  one of the alternatives (no nesting, as Java)
 * plus Doris's extendGlobs: {1..3} (integers) is {1,2,3}. Characters are
 * UTF-8 code points. Matching is a Thompson-NFA simulation: time
 * O(pattern x subject) whatever the pattern, never exponential.
 */
#ifndef SL_GLOBPAT_H
#define SL_GLOBPAT_H

#include <stddef.h>

typedef struct sl_globpat sl_globpat;

/* The longest pattern accepted, after {m..n} expansion. */
#define SL_GLOBPAT_MAX 8192

/* Compile pat. 1; 0 a bad pattern (err: why); -1 errno (ENOMEM). */
int sl_globpat_compile(sl_globpat **out, const char *pat, char *err, size_t cap);
/* 1 when the whole of s matches, else 0. */
int sl_globpat_match(const sl_globpat *g, const char *s);
void sl_globpat_free(sl_globpat *g);

/* The length of pat's literal prefix: the bytes before the first of
 * * ? [ { \ (Doris's S3Util.getLongestPrefix), the prefix a listing asks for. */
size_t sl_globpat_prefix_len(const char *pat);

#endif
