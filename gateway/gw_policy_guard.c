/*
 * gw_policy_guard.c — fail-closed checks for text that hides PHI from the engine (see
 * gw_policy_guard.h): a character classifier over Unicode ranges, a per-word script check, and
 * decoders (base64 runs, spaced-out letters, stripped marks, accents, percent-encoding) whose
 * output is scanned again.
 */
#include "gw_policy_guard.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gw_policy_unescape.h"
#include "phiwall/text.h"

typedef enum char_class {
    CC_NEUTRAL = 0, /* digits, spaces, punctuation, symbols, emoji */
    CC_LATIN,       /* a Latin letter */
    CC_LOOKALIKE,   /* a letter of a script with Latin look-alikes (Greek, Cyrillic, …) */
    CC_OTHER,       /* a letter or sign of any other script */
    CC_MARK,        /* combining mark or variation selector: stripped, then scanned again */
    CC_FORMAT,      /* invisible format or control character: refused */
    CC_COMPAT       /* compatibility letter (fullwidth, mathematical, circled…): refused */
} char_class;

typedef struct range {
    unsigned lo, hi;
    char_class c;
} range;

/* Sorted, non-overlapping; a code point in no range is CC_OTHER (>= U+0370) or CC_NEUTRAL. */
static const range ranges[] = {
    {0x00, 0x08, CC_FORMAT},        {0x0B, 0x0C, CC_FORMAT},        {0x0E, 0x1F, CC_FORMAT},
    {0x7F, 0x9F, CC_FORMAT},        {0xAA, 0xAA, CC_LATIN},         {0xAD, 0xAD, CC_FORMAT},
    {0xBA, 0xBA, CC_LATIN},         {0xC0, 0xD6, CC_LATIN},         {0xD8, 0xF6, CC_LATIN},
    {0xF8, 0x2AF, CC_LATIN},        {0x2B0, 0x2FF, CC_COMPAT},      {0x300, 0x36F, CC_MARK},
    {0x370, 0x3FF, CC_LOOKALIKE},   {0x400, 0x52F, CC_LOOKALIKE},   {0x530, 0x58F, CC_LOOKALIKE},
    {0x61C, 0x61C, CC_FORMAT},      {0x115F, 0x1160, CC_FORMAT},    {0x13A0, 0x13FF, CC_LOOKALIKE},
    {0x180B, 0x180F, CC_FORMAT},    {0x1AB0, 0x1AFF, CC_MARK},      {0x1C80, 0x1C8F, CC_LOOKALIKE},
    {0x1D00, 0x1DBF, CC_COMPAT},    {0x1DC0, 0x1DFF, CC_MARK},      {0x1E00, 0x1EFF, CC_LATIN},
    {0x1F00, 0x1FFF, CC_LOOKALIKE}, {0x2000, 0x200A, CC_NEUTRAL},   {0x200B, 0x200F, CC_FORMAT},
    {0x2010, 0x2029, CC_NEUTRAL},   {0x202A, 0x202E, CC_FORMAT},    {0x202F, 0x205F, CC_NEUTRAL},
    {0x2060, 0x206F, CC_FORMAT},    {0x2070, 0x209F, CC_COMPAT},    {0x20A0, 0x20CF, CC_NEUTRAL},
    {0x20D0, 0x20FF, CC_MARK},      {0x2100, 0x2101, CC_NEUTRAL},   {0x2102, 0x2102, CC_COMPAT},
    {0x2103, 0x2106, CC_NEUTRAL},   {0x2107, 0x2107, CC_COMPAT},    {0x2108, 0x2109, CC_NEUTRAL},
    {0x210A, 0x2113, CC_COMPAT},    {0x2114, 0x2114, CC_NEUTRAL},   {0x2115, 0x2115, CC_COMPAT},
    {0x2116, 0x2118, CC_NEUTRAL},   {0x2119, 0x211D, CC_COMPAT},    {0x211E, 0x2123, CC_NEUTRAL},
    {0x2124, 0x2124, CC_COMPAT},    {0x2125, 0x2127, CC_NEUTRAL},   {0x2128, 0x2128, CC_COMPAT},
    {0x2129, 0x2129, CC_NEUTRAL},   {0x212A, 0x212D, CC_COMPAT},    {0x212E, 0x212E, CC_NEUTRAL},
    {0x212F, 0x2139, CC_COMPAT},    {0x213A, 0x213B, CC_NEUTRAL},   {0x213C, 0x213F, CC_COMPAT},
    {0x2140, 0x2144, CC_NEUTRAL},   {0x2145, 0x2149, CC_COMPAT},    {0x214A, 0x245F, CC_NEUTRAL},
    {0x2460, 0x24FF, CC_COMPAT},    {0x2500, 0x2BFF, CC_NEUTRAL},   {0x2C60, 0x2C7F, CC_LATIN},
    {0x2C80, 0x2CFF, CC_LOOKALIKE}, {0x2DE0, 0x2DFF, CC_LOOKALIKE}, {0x2E00, 0x2E7F, CC_NEUTRAL},
    {0x3000, 0x3000, CC_NEUTRAL},   {0x3164, 0x3164, CC_FORMAT},    {0xA4D0, 0xA4FF, CC_LOOKALIKE},
    {0xA640, 0xA69F, CC_LOOKALIKE}, {0xA720, 0xA7FF, CC_LATIN},     {0xAB30, 0xAB6F, CC_LATIN},
    {0xAB70, 0xABBF, CC_LOOKALIKE}, {0xFB00, 0xFB06, CC_COMPAT},    {0xFE00, 0xFE0F, CC_MARK},
    {0xFE20, 0xFE2F, CC_MARK},      {0xFEFF, 0xFEFF, CC_FORMAT},    {0xFF10, 0xFF19, CC_COMPAT},
    {0xFF21, 0xFF3A, CC_COMPAT},    {0xFF41, 0xFF5A, CC_COMPAT},    {0xFFA0, 0xFFA0, CC_FORMAT},
    {0xFFF9, 0xFFFB, CC_FORMAT},    {0xFFFC, 0xFFFD, CC_NEUTRAL},   {0x1D400, 0x1D7FF, CC_COMPAT},
    {0x1F000, 0x1F12F, CC_NEUTRAL}, {0x1F130, 0x1F189, CC_COMPAT},  {0x1F18A, 0x1F1E5, CC_NEUTRAL},
    {0x1F1E6, 0x1F1FF, CC_COMPAT},  {0x1F200, 0x1FAFF, CC_NEUTRAL}, {0xE0000, 0xE007F, CC_FORMAT},
    {0xE0100, 0xE01EF, CC_MARK},
};

static char_class classify(unsigned cp)
{
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
            return CC_LATIN;
        if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
            return CC_FORMAT;
        return cp == 0x7F ? CC_FORMAT : CC_NEUTRAL;
    }
    size_t lo = 0, hi = sizeof ranges / sizeof ranges[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < ranges[mid].lo)
            hi = mid;
        else if (cp > ranges[mid].hi)
            lo = mid + 1;
        else
            return ranges[mid].c;
    }
    return cp >= 0x370 ? CC_OTHER : CC_NEUTRAL;
}

/* One UTF-8 code point (gw_policy_unescape.c). */
static unsigned next_cp(const unsigned char *s, size_t n, size_t i, size_t *len)
{
    return pw_gw_utf8_at(s, n, i, len);
}

static const char *cp_rule(pw_arena *a, const char *what, unsigned cp)
{
    char *r = pw_arena_sprintf(a, "guard: %s U+%04X: refused", what, cp);
    return r ? r : "guard: refused";
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* 1 when s has no byte >= 0x80 (no accent, mark, or letter of another script), eight bytes at a
 * time: most strings are ASCII, and the per-code-point readers below need not see them. */
static int ascii_only(const unsigned char *s, size_t n)
{
    size_t i = 0;
    uint64_t any = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        any |= w;
    }
    for (; i < n; i++)
        any |= s[i];
    return (any & HIGHS) == 0;
}

/* 1 when s is printable ASCII (0x20-0x7E) only: nothing char_refusal refuses or strips. */
static int printable_ascii(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, del;
        memcpy(&w, s + i, 8);
        del = w ^ (ONES * 0x7F);
        if ((w | ((w - ONES * 0x20) & ~w) | ((del - ONES) & ~del)) & HIGHS)
            return 0;
    }
    for (; i < n; i++)
        if (s[i] < 0x20 || s[i] >= 0x7F)
            return 0;
    return 1;
}

/* The combining marks that NFD writes after a Latin letter for the accented letters fold_of
 * reads (U+0300-U+0331: acute, grave, circumflex, tilde, macron, breve, dots, diaeresis, hook,
 * ring, double acute, caron, horn, dot and ring below, cedilla, ogonek…), generated with Python's
 * unicodedata: "depresio\u0301n" is "depresión" written decomposed. */
static int accent_mark(unsigned cp)
{
    return cp >= 0x300 && cp < 0x340 && ((0x361f808029fdfULL >> (cp - 0x300)) & 1);
}

/* Whether a code point is an accent on the Latin letter before it: *on_latin carries, from one
 * code point to the next, that the last one was a Latin letter or such an accent. */
static int attached_accent(unsigned cp, char_class cc, int *on_latin)
{
    int accent = *on_latin && accent_mark(cp);
    *on_latin = cc == CC_LATIN || accent;
    return accent;
}

/* The first refusal from the characters themselves; *marks = 1 when marks were seen other than
 * accents on Latin letters (those are read as the accented letter: fold_accents). */
static const char *char_refusal(pw_arena *a, const unsigned char *s, size_t n,
                                pw_gw_script_mode mode, int *marks)
{
    int word_latin = 0, word_lookalike = 0, on_latin = 0;
    *marks = 0;
    if (printable_ascii(s, n))
        return NULL;
    for (size_t i = 0, len; i < n; i += len) {
        unsigned cp = next_cp(s, n, i, &len);
        if (cp == PW_GW_BAD_CP)
            return "guard: malformed UTF-8: refused";
        char_class cc = classify(cp);
        if (cc == CC_FORMAT)
            return cp_rule(a, "invisible format character", cp);
        if (cc == CC_COMPAT)
            return cp_rule(a, "compatibility letter", cp);
        if (cc == CC_MARK) {
            *marks |= !attached_accent(cp, cc, &on_latin);
            continue;
        }
        on_latin = cc == CC_LATIN;
        if (mode == PW_GW_SCRIPTS_LATIN && (cc == CC_LOOKALIKE || cc == CC_OTHER))
            return cp_rule(a, "text_scripts latin: non-Latin letter", cp);
        if (cc == CC_NEUTRAL && !(cp >= '0' && cp <= '9')) {
            word_latin = word_lookalike = 0;
            continue;
        }
        word_latin |= cc == CC_LATIN;
        word_lookalike |= cc == CC_LOOKALIKE;
        if (word_latin && word_lookalike)
            return cp_rule(a, "Latin mixed with a look-alike script in one word", cp);
    }
    return NULL;
}

/* ---- decoded views, scanned again ----------------------------------------------------- */

static int is_b64(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '-' || c == '_';
}

/* Text that a reader would see: valid UTF-8, no control bytes but whitespace. */
static int printable(const unsigned char *p, size_t n)
{
    for (size_t i = 0, len; i < n; i += len) {
        unsigned cp = next_cp(p, n, i, &len);
        if (cp == PW_GW_BAD_CP || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            (cp >= 0x7F && cp <= 0x9F))
            return 0;
    }
    return n > 0;
}

/* 8 characters are 6 bytes: "Y2FuY2Vy" is "cancer". Letters and digits run together decode to
 * text (printable UTF-8) about once in 400 eight-character runs, and then must also hit the
 * engine, so ordinary words are not refused by their shape. */
#define B64_MIN_RUN   8
#define B64_MAX_DEPTH 3 /* base64 of base64 of base64 */

static pw_status guard_check(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                             pw_gw_guard_scan_fn scan, void *ctx, int depth, int accents,
                             const char **refusal);

/* Each base64 run of 8+ characters that decodes to text is scanned; decoded printable ASCII also
 * passes the whole guard again, 3 layers deep at most: base64 of base64
 * ("WW5KbFlYTjBJR05oYm1ObGNnPT0=" is "breast cancer" twice encoded), of percent-encoded text or
 * of spaced-out letters was read one layer deep and sent. Decoded bytes beyond ASCII are only
 * scanned: random bytes that happen to be UTF-8 must not be refused for their script. */
static pw_status base64_runs(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                             pw_gw_guard_scan_fn scan, void *ctx, int depth, const char **refusal)
{
    for (size_t i = 0; i < n && !*refusal;) {
        if (!is_b64((unsigned char)s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && is_b64((unsigned char)s[j]))
            j++;
        size_t end = j;
        while (end < n && end - j < 2 && s[end] == '=')
            end++;
        if (j - i >= B64_MIN_RUN) {
            size_t dn = 0;
            unsigned char *d = pw_base64_decode(a, s + i, end - i, &dn);
            int hit = 0;
            if (d && printable(d, dn)) {
                pw_status st = scan(ctx, (const char *)d, dn, &hit);
                if (st != PW_OK)
                    return st;
                const char *inner = NULL;
                if (!hit && depth < B64_MAX_DEPTH && printable_ascii(d, dn) &&
                    (st = guard_check(a, (const char *)d, dn, mode, scan, ctx, depth + 1, 1,
                                      &inner)) != PW_OK)
                    return st;
                if (inner)
                    *refusal = pw_arena_sprintf(a, "guard: base64 text, decoded: %s", inner);
            }
            if (hit)
                *refusal = "guard: base64 text carries PHI: refused";
        }
        i = end > j ? end : j;
    }
    return PW_OK;
}

static int alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The bytes of the spacer at s[i] (0 when none): ASCII punctuation that spaces letters out, and
 * the dots drawn between them (U+00B7 middle dot, U+2022 bullet, U+2027 hyphenation point,
 * U+30FB katakana middle dot), which a reader skips as easily: "c·a·n·c·e·r". */
static pw_status rescan(const char *view, size_t n, pw_gw_guard_scan_fn scan, void *ctx,
                        const char *rule, const char **refusal);

static size_t spacer(const char *s, size_t n, size_t i)
{
    static const char *const wide[] = {"\xC2\xB7", "\xE2\x80\xA2", "\xE2\x80\xA7", "\xE3\x83\xBB"};
    unsigned char c = (unsigned char)s[i];
    if (c == '.' || c == '-' || c == '_' || c == ' ' || c == '*' || c == '/' || c == '|' ||
        c == '+' || c == '~' || c == ',' || c == ';' || c == ':')
        return 1;
    for (size_t k = 0; c >= 0x80 && k < sizeof wide / sizeof wide[0]; k++) {
        size_t len = strlen(wide[k]);
        if (i + len <= n && memcmp(s + i, wide[k], len) == 0)
            return len;
    }
    return 0;
}

/* A run of 3+ single letters at s[i] each followed by 1–3 spacers; its end, or i. *narrow: the
 * fewest spacers between two of its letters (the letters' own spacing; a wider gap is a word
 * break: "S.c.h.e.d.u.l.e. .a. .c.a.n.c.e.r"). */
static size_t spaced_run(const char *s, size_t n, size_t i, size_t *letters, size_t *narrow)
{
    size_t k = i, count = 0, last_end = i;
    *narrow = SIZE_MAX;
    while (k < n && alnum((unsigned char)s[k]) && (k + 1 == n || !alnum((unsigned char)s[k + 1]))) {
        count++;
        last_end = k + 1;
        size_t g = k + 1, gaps = 0, len;
        while (g < n && gaps < 3 && (len = spacer(s, n, g)) > 0) {
            g += len;
            gaps++;
        }
        if (g == k + 1 || g == n || !alnum((unsigned char)s[g]))
            break;
        if (gaps < *narrow)
            *narrow = gaps;
        k = g;
    }
    *letters = count;
    return count >= 3 ? last_end : i;
}

/* The string with spaced-out letters joined ("h.i.v test" -> "hiv test"); NULL when none. With
 * words, a gap in a run wider than its letters' own spacing becomes a space: joined whole,
 * "S.c.h.e.d.u.l.e. .a. .c.a.n.c.e.r" is "Scheduleacancer", a word no reader (and no engine)
 * finds "cancer" in; with words it is "Schedule a cancer". *wider: 1 when a run had such a gap
 * (the view with words differs from the one without). */
static char *join_spaced_view(pw_arena *a, const char *s, size_t n, int words, size_t *out_n,
                              int *wider)
{
    char *out = NULL;
    size_t w = 0;
    if (wider)
        *wider = 0;
    for (size_t i = 0; i < n;) {
        size_t letters = 0, narrow = 0,
               end = (i == 0 || !alnum((unsigned char)s[i - 1]))
                         ? spaced_run(s, n, i, &letters, &narrow)
                         : i;
        if (end > i && !out) {
            out = pw_arena_alloc(a, n + 1);
            if (!out)
                return NULL;
            memcpy(out, s, i);
            w = i;
        }
        if (end > i) {
            size_t gaps = 0;
            for (size_t k = i, len; k < end; k += len ? len : 1) {
                len = alnum((unsigned char)s[k]) ? 0 : spacer(s, n, k);
                if (!len) {
                    if (gaps > narrow) {
                        if (wider)
                            *wider = 1;
                        if (words)
                            out[w++] = ' ';
                    }
                    gaps = 0;
                    out[w++] = s[k];
                    continue;
                }
                gaps++;
            }
            i = end;
            continue;
        }
        if (out)
            out[w++] = s[i];
        i++;
    }
    if (out)
        out[w] = '\0';
    *out_n = w;
    return out;
}

/* The spaced-out views of s scanned: letters joined, and — when a run has wider gaps — joined
 * into words at those gaps. */
static pw_status spaced_views(pw_arena *a, const char *s, size_t n, pw_gw_guard_scan_fn scan,
                              void *ctx, const char **refusal)
{
    static const char rule[] = "guard: spaced-out letters carry PHI: refused";
    size_t vn = 0;
    int wider = 0;
    char *v = join_spaced_view(a, s, n, 0, &vn, &wider);
    pw_status st = rescan(v, vn, scan, ctx, rule, refusal);
    if (st != PW_OK || *refusal || !v || !wider)
        return st;
    v = join_spaced_view(a, s, n, 1, &vn, NULL);
    return rescan(v, vn, scan, ctx, rule, refusal);
}

/* The string without combining marks and variation selectors. */
static char *strip_marks(pw_arena *a, const unsigned char *s, size_t n, size_t *out_n)
{
    char *out = pw_arena_alloc(a, n + 1);
    size_t w = 0;
    for (size_t i = 0, len; out && i < n; i += len) {
        unsigned cp = next_cp(s, n, i, &len);
        if (classify(cp) != CC_MARK) {
            memcpy(out + w, s + i, len);
            w += len;
        }
    }
    if (out)
        out[w] = '\0';
    *out_n = w;
    return out;
}

/* The base letter of an accented Latin letter (NFD's first code point when it is ASCII, and
 * Ø Đ Ł Ħ ı Ŧ ð ſ Ŋ ĸ by hand; '.': none), U+00C0–U+024F and U+1E00–U+1EFF, generated with
 * Python's unicodedata. */
static const char fold_c0[] = "AAAAAA.CEEEEIIIIDNOOOOO.OUUUUY..aaaaaa.ceeeeiiiidnooooo.ouuuuy.y"
                              "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi..JjKkkLlLlLl."
                              ".LlNnNnNn.NnOoOoOo..RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs"
                              "................................Oo.............Uu..............."
                              ".............AaIiOoUuUuUuUuUu.AaAa....GgKkOoOo..j...Gg..NnAa...."
                              "AaAaEeEeIiIiOoOoRrRrUuUuSsTt..Hh......AaEeOoOoOoOoYy............"
                              "................";
static const char fold_1e00[] = "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMm"
                                "MmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVv"
                                "WwWwWwWwWwXxXxYyZzZzZzhtwy......AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEe"
                                "EeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy......";

static char fold_of(unsigned cp)
{
    char f = '.';
    if (cp >= 0xC0 && cp < 0xC0 + sizeof fold_c0 - 1)
        f = fold_c0[cp - 0xC0];
    else if (cp >= 0x1E00 && cp < 0x1E00 + sizeof fold_1e00 - 1)
        f = fold_1e00[cp - 0x1E00];
    return f == '.' ? 0 : f;
}

/* The string with accented Latin letters read without their accents ("cáncer" -> "cancer": the
 * engine's vocabulary is written without them), precomposed or decomposed (a Latin letter and
 * its accent marks, "ca\u0301ncer": the marks are left out); NULL when it has none. With map,
 * map[i] is the offset in s of the code point that gave out[i] (map[*out_n] = n), so that a span
 * found in the view is a span of s, the marks of its last letter included. */
static char *fold_accents(pw_arena *a, const unsigned char *s, size_t n, size_t *out_n,
                          size_t **map)
{
    char *out = NULL;
    size_t w = 0, *m = NULL;
    int on_latin = 0;
    *out_n = 0;
    if (ascii_only(s, n))
        return NULL;
    for (size_t i = 0, len; i < n; i += len) {
        unsigned cp = next_cp(s, n, i, &len);
        char_class cc = cp == PW_GW_BAD_CP ? CC_OTHER : classify(cp);
        int drop = attached_accent(cp, cc, &on_latin);
        char f = fold_of(cp);
        if ((f || drop) && !out) {
            if (!(out = pw_arena_alloc(a, n + 1)) ||
                (map && !(m = pw_arena_alloc(a, (n + 1) * sizeof *m)))) {
                *out_n = SIZE_MAX; /* out of memory, not "no accents" */
                return NULL;
            }
            memcpy(out, s, i);
            for (size_t k = 0; m && k < i; k++)
                m[k] = k;
            w = i;
        }
        if (!out || drop)
            continue;
        size_t put = f ? 1 : len;
        for (size_t k = 0; m && k < put; k++)
            m[w + k] = f ? i : i + k;
        if (f)
            out[w] = f;
        else
            memcpy(out + w, s + i, len);
        w += put;
    }
    if (!out)
        return NULL;
    out[w] = '\0';
    if (m)
        m[w] = n;
    *out_n = w;
    if (map)
        *map = m;
    return out;
}

pw_status pw_gw_guard_fold(pw_arena *a, const char *s, size_t n, char **out, size_t *out_n,
                           size_t **map)
{
    *out = fold_accents(a, (const unsigned char *)s, n, out_n, map);
    return *out || *out_n != SIZE_MAX ? PW_OK : PW_ERR_NOMEM;
}

static pw_status rescan(const char *view, size_t n, pw_gw_guard_scan_fn scan, void *ctx,
                        const char *rule, const char **refusal)
{
    int hit = 0;
    pw_status st = view ? scan(ctx, view, n, &hit) : PW_OK;
    if (st == PW_OK && hit)
        *refusal = rule;
    return st;
}

/* The string with its %XX escapes decoded (a query string or path copied into a param:
 * "c%C3%A1ncer" is "cáncer"); NULL when it has none. */
static char *percent_decode(pw_arena *a, const char *s, size_t n, size_t *out_n)
{
    char *out = NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        int hi = s[i] == '%' && i + 2 < n ? pw_hex_value((unsigned char)s[i + 1]) : -1;
        int lo = hi >= 0 ? pw_hex_value((unsigned char)s[i + 2]) : -1;
        if (lo >= 0 && !out) {
            if (!(out = pw_arena_alloc(a, n + 1)))
                return NULL;
            memcpy(out, s, i);
            w = i;
        }
        if (lo >= 0) {
            out[w++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (out) {
            out[w++] = s[i];
        }
    }
    if (out)
        out[w] = '\0';
    *out_n = w;
    return out;
}

#define PERCENT_MAX_DEPTH 3 /* "%2563" is "%63" is "c" */

/* Percent-encoded text is what a reader (or the platform) decodes: the decoded string passes the
 * engine and the whole guard again (its accents, scripts, spacing, base64), so that
 * "c%C3%A1ncer" is read as "cáncer" is. */
static pw_status percent_view(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                              pw_gw_guard_scan_fn scan, void *ctx, int depth, const char **refusal)
{
    size_t vn = 0;
    char *v = percent_decode(a, s, n, &vn);
    if (!v)
        return PW_OK;
    if (depth >= PERCENT_MAX_DEPTH) {
        *refusal = "guard: percent-encoded more than 3 times: refused";
        return PW_OK;
    }
    const char *inner = NULL;
    pw_status st = rescan(v, vn, scan, ctx,
                          "guard: percent-encoded text, decoded, carries PHI: refused", refusal);
    if (st != PW_OK || *refusal)
        return st;
    st = guard_check(a, v, vn, mode, scan, ctx, depth + 1, 1, &inner);
    if (st == PW_OK && inner)
        *refusal = pw_arena_sprintf(a, "guard: percent-encoded text, decoded: %s", inner);
    return st;
}

/* Escapes a reader or a platform decodes (HTML references, \\u, %u, quoted-printable:
 * pw_gw_unescape): the decoded text is scanned, and when it is text (printable UTF-8) it passes
 * the whole guard again, as percent-encoded text does. Decoded bytes that are not text ("x=FF"
 * is no escape anyone meant) are only scanned, so that they refuse nothing by their shape. */
static pw_status escape_view(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                             pw_gw_guard_scan_fn scan, void *ctx, int depth, const char **refusal)
{
    size_t vn = 0;
    char *v = pw_gw_unescape(a, s, n, &vn);
    if (!v)
        return vn == SIZE_MAX ? PW_ERR_NOMEM : PW_OK;
    if (depth >= PERCENT_MAX_DEPTH) {
        *refusal = "guard: escaped more than 3 times: refused";
        return PW_OK;
    }
    pw_status st = rescan(v, vn, scan, ctx,
                          "guard: escaped text (HTML references, \\u, %u, =XX), decoded, carries "
                          "PHI: refused",
                          refusal);
    if (st != PW_OK || *refusal || !printable((const unsigned char *)v, vn))
        return st;
    const char *inner = NULL;
    st = guard_check(a, v, vn, mode, scan, ctx, depth + 1, 1, &inner);
    if (st == PW_OK && inner)
        *refusal = pw_arena_sprintf(a, "guard: escaped text, decoded: %s", inner);
    return st;
}

/* A word written only in letters drawn like Latin ones ("НІѴ positive") is no mix of scripts
 * for char_refusal and no word of the engine's: read as the Latin letters it shows, it is
 * scanned again (pw_detect_fold_lookalikes, the engine's look-alike table). */
static pw_status lookalike_view(pw_arena *a, const char *s, size_t n, pw_gw_guard_scan_fn scan,
                                void *ctx, const char **refusal)
{
    size_t vn = 0;
    if (ascii_only((const unsigned char *)s, n))
        return PW_OK;
    char *v = pw_detect_fold_lookalikes(a, s, n, &vn);
    if (!v)
        return vn == SIZE_MAX ? PW_ERR_NOMEM : PW_OK;
    return rescan(v, vn, scan, ctx,
                  "guard: look-alike letters (Cyrillic, Greek…), read as Latin, carry PHI: refused",
                  refusal);
}

pw_status pw_gw_guard_check(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                            pw_gw_guard_scan_fn scan, void *ctx, const char **refusal)
{
    return guard_check(a, s, n, mode, scan, ctx, 0, 1, refusal);
}

pw_status pw_gw_guard_check_text(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                                 pw_gw_guard_scan_fn scan, void *ctx, const char **refusal)
{
    return guard_check(a, s, n, mode, scan, ctx, 0, 0, refusal);
}

/* accents: 1 when a hit in the accent-folded view refuses the string; 0 when the caller scans
 * that view itself (pw_gw_guard_fold) and redacts what it finds. Decoded (percent-encoded) text
 * is always refused on such a hit: what was encoded cannot be redacted in place. */
static pw_status guard_check(pw_arena *a, const char *s, size_t n, pw_gw_script_mode mode,
                             pw_gw_guard_scan_fn scan, void *ctx, int depth, int accents,
                             const char **refusal)
{
    int marks = 0;
    *refusal = char_refusal(a, (const unsigned char *)s, n, mode, &marks);
    if (*refusal)
        return PW_OK;
    size_t vn = 0;
    pw_status st = PW_OK;
    if (marks) {
        char *v = strip_marks(a, (const unsigned char *)s, n, &vn);
        st = rescan(v, vn, scan, ctx, "guard: text under combining marks carries PHI: refused",
                    refusal);
    }
    if (st == PW_OK && !*refusal && accents) {
        char *v = fold_accents(a, (const unsigned char *)s, n, &vn, NULL);
        st = rescan(v, vn, scan, ctx,
                    "guard: accented letters, read without their accents, carry PHI: refused",
                    refusal);
    }
    if (st == PW_OK && !*refusal)
        st = spaced_views(a, s, n, scan, ctx, refusal);
    if (st == PW_OK && !*refusal) { /* "h.í.v": an accented letter breaks the run above */
        size_t fn = 0;
        char *f = fold_accents(a, (const unsigned char *)s, n, &fn, NULL);
        if (f)
            st = spaced_views(a, f, fn, scan, ctx, refusal);
    }
    if (st == PW_OK && !*refusal)
        st = base64_runs(a, s, n, mode, scan, ctx, depth, refusal);
    if (st == PW_OK && !*refusal)
        st = percent_view(a, s, n, mode, scan, ctx, depth, refusal);
    if (st == PW_OK && !*refusal)
        st = escape_view(a, s, n, mode, scan, ctx, depth, refusal);
    if (st == PW_OK && !*refusal)
        st = lookalike_view(a, s, n, scan, ctx, refusal);
    return st;
}
