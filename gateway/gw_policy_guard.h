/*
 * gw_policy_guard.h — the policy's fail-closed guard against evasions of the PHI engine, run on
 * every string that remains after the policy (params, kept titles and user agents, foreign
 * origins). The engine reads text as written; these shapes hide a term from it:
 *   - invisible format characters (soft hyphen, zero-width space/joiners, bidi controls, BOM,
 *     tag characters) and control bytes: the string is refused;
 *   - compatibility letters (fullwidth ＨＩＶ, mathematical 𝐇𝐈𝐕, circled, small capitals,
 *     superscripts, regional indicators): refused;
 *   - letters of other scripts: under text_scripts latin any non-Latin letter is refused; under
 *     any, a word that mixes Latin with a look-alike script (Greek, Cyrillic, Armenian,
 *     Cherokee, Coptic, Lisu: НІV) is refused;
 *   - hidden text that is decoded and scanned again, the string refused on a hit: base64 runs of
 *     16+ characters that decode to text, letters spaced out with dots, dashes or spaces
 *     ("h.i.v", "c-a-n-c-e-r", accented or not: "h.í.v"), combining marks and variation selectors
 *     other than accents on a Latin letter, and accented Latin letters read without their accents,
 *     precomposed or decomposed ("cáncer", "ca\u0301ncer", "diabètes": the engine's vocabulary is
 *     written without them; in text the caller redacts, pw_gw_guard_check_text, the caller scans
 *     that view and redacts instead of the guard refusing), and percent-encoded
 * text ("c%C3%A1ncer"), decoded and put through the engine and the whole guard again, as are
 * HTML character references, backslash escapes, %uXXXX and quoted-printable ("h&#105;v",
 * "\u0068iv", "=48=49=56": gw_policy_unescape.h); and a word written wholly in look-alike
 * letters ("НІѴ", allowed by text_scripts any), read as the Latin letters it shows. Words of
 * other languages that share no stem with an English term ("VIH", "embarazo", "Krebs") pass: load
 * them with --vocab.
 */
#ifndef PHIWALL_GW_POLICY_GUARD_H
#define PHIWALL_GW_POLICY_GUARD_H

#include <stddef.h>

#include "gw_policy.h"

/* Scan decoded text; *hit = 1 when it carries PHI. */
typedef pw_status (*pw_gw_guard_scan_fn)(void *ctx, const char *s, size_t n, int *hit);

/* *refusal: NULL when s passes, else why it is refused (static text or arena). Decoded texts
 * are handed to scan; its errors are returned. */
pw_status pw_gw_guard_check(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                            pw_gw_guard_scan_fn scan, void *ctx, const char **refusal);

/* pw_gw_guard_check for text that the caller redacts: accented letters are not a refusal here;
 * the caller scans pw_gw_guard_fold's view with the engine and redacts or drops what it finds,
 * as for plain ASCII ("cita para depresión" -> "cita para [HEALTH]"). Every other refusal
 * stands, and accents inside percent-encoded text still refuse. */
pw_status pw_gw_guard_check_text(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                                 pw_gw_guard_scan_fn scan, void *ctx, const char **refusal);

/* *out: s with accented Latin letters read as their base letters (U+00C0–U+024F,
 * U+1E00–U+1EFF, and a Latin letter followed by combining accents U+0300–U+0331 as NFD writes
 * it: the marks are left out), NUL-terminated, in the arena; NULL when s has none. *map (arena,
 * *out_n + 1 entries, unless map is NULL): the offset in s where (*out)[i] comes from,
 * map[*out_n] = n, so a span ending after a letter ends after its marks. PW_ERR_NOMEM when out
 * of memory. */
pw_status pw_gw_guard_fold(pw_arena *a, const char *s, size_t n, char **out, size_t *out_n,
                           size_t **map);

#endif
