/*
 * gw_policy_unescape.h — the guard's extra readings of a string (gw_policy_guard.c): escapes a
 * reader or a platform decodes (look-alike letters read as the Latin ones they are drawn like are
 * the engine's view: pw_detect_fold_lookalikes). Each is a view for the PHI engine to scan again;
 * nothing here is sent.
 */
#ifndef PHIWALL_GW_POLICY_UNESCAPE_H
#define PHIWALL_GW_POLICY_UNESCAPE_H

#include <stddef.h>

#include "phiwall/arena.h"

/*
 * s with its escapes decoded, NUL-terminated in the arena; NULL when it has none (*out_n = 0),
 * or when out of memory (*out_n = SIZE_MAX). Decoded, in one pass:
 *   - HTML character references: decimal "&#72;" and hex "&#x48;" (the ';' optional, as
 *     browsers read them), and named ones: &amp; &lt; &gt; &quot; &apos; &nbsp; and the accented
 *     Latin letters (&eacute; &Agrave; &ccedil; &ntilde; &szlig; …, read as their base letter);
 *   - backslash escapes: \uXXXX (a surrogate pair as one code point), \u{X…}, \xXX;
 *   - %uXXXX (the non-standard escape() form; %XX is the guard's percent view);
 *   - quoted-printable =XX (and its soft line break "=\r\n").
 * A code point outside Unicode, a lone surrogate or U+0000 is left as written.
 */
char *pw_gw_unescape(pw_arena *a, const char *s, size_t n, size_t *out_n);

/* One UTF-8 code point at s[i] (i < n), its length in *len (1 when malformed); PW_GW_BAD_CP
 * when malformed, overlong, a surrogate or beyond U+10FFFF. */
#define PW_GW_BAD_CP 0xFFFFFFFFu
unsigned pw_gw_utf8_at(const unsigned char *s, size_t n, size_t i, size_t *len);

#endif
