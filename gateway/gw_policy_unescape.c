/*
 * gw_policy_unescape.c — the guard's extra readings of a string (gw_policy_unescape.h): escapes
 * decoded (HTML character references, backslash escapes, %uXXXX, quoted-printable) and words in
 * look-alike letters read as Latin. Views only, for the PHI engine: what was written stays.
 */
#include "gw_policy_unescape.h"

#include <stdint.h>
#include <string.h>

#include "phiwall/text.h"

unsigned pw_gw_utf8_at(const unsigned char *s, size_t n, size_t i, size_t *len)
{
    unsigned c = s[i];
    size_t k = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    *len = 1;
    if (!k || i + k > n)
        return PW_GW_BAD_CP;
    unsigned cp = k == 1 ? c : k == 2 ? c & 0x1F : k == 3 ? c & 0x0F : c & 0x07;
    for (size_t j = 1; j < k; j++) {
        if ((s[i + j] & 0xC0) != 0x80)
            return PW_GW_BAD_CP;
        cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    static const unsigned min_of[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_of[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return PW_GW_BAD_CP;
    *len = k;
    return cp;
}

/* cp as UTF-8 at w; the bytes written. */
static size_t put_utf8(char *w, unsigned cp)
{
    if (cp < 0x80) {
        w[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        w[0] = (char)(0xC0 | cp >> 6);
        w[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        w[0] = (char)(0xE0 | cp >> 12);
        w[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        w[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    w[0] = (char)(0xF0 | cp >> 18);
    w[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    w[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    w[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A code point an escape may stand for: in Unicode, not a surrogate, not U+0000. */
static int scalar_ok(unsigned long cp)
{
    return cp && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* Up to max digits of base 10 or 16 at s[i..n); their value, *k the count (0: none). */
static unsigned long digits(const char *s, size_t n, size_t i, int hex, size_t max, size_t *k)
{
    unsigned long v = 0;
    *k = 0;
    for (; i + *k < n && *k < max; (*k)++) {
        int d = hex ? pw_hex_value((unsigned char)s[i + *k])
                    : (s[i + *k] >= '0' && s[i + *k] <= '9' ? s[i + *k] - '0' : -1);
        if (d < 0)
            break;
        v = v * (hex ? 16 : 10) + (unsigned long)d;
    }
    return v;
}

/* One decoded escape: what it stands for (bytes in out, *out_n of them) and its length. */
typedef struct unesc {
    size_t len; /* bytes of s it covers; 0: no escape here */
    char out[4];
    size_t out_n;
} unesc;

static unesc cp_escape(size_t len, unsigned long cp)
{
    unesc u = {0};
    if (!scalar_ok(cp))
        return u;
    u.len = len;
    u.out_n = put_utf8(u.out, (unsigned)cp);
    return u;
}

static unesc byte_escape(size_t len, unsigned long b)
{
    unesc u = {.len = len, .out_n = 1};
    u.out[0] = (char)b;
    return u;
}

/* HTML named references: the markup ones, and accented Latin letters read as their base letter
 * (the guard reads accents off anyway). */
static unesc named_ref(const char *s, size_t n, size_t i)
{
    static const struct {
        const char *name, *text;
    } plain[] = {{"amp", "&"},  {"lt", "<"},   {"gt", ">"},     {"quot", "\""},
                 {"apos", "'"}, {"nbsp", " "}, {"szlig", "ss"}, {"shy", ""}};
    static const char *const accents[] = {"acute", "grave", "circ",  "uml",
                                          "tilde", "ring",  "cedil", "slash"};
    unesc u = {0};
    size_t k = 0;
    while (i + 1 + k < n && k < 8 && ((s[i + 1 + k] | 0x20) >= 'a' && (s[i + 1 + k] | 0x20) <= 'z'))
        k++;
    if (!k || i + 1 + k >= n || s[i + 1 + k] != ';')
        return u;
    const char *name = s + i + 1;
    for (size_t p = 0; p < sizeof plain / sizeof plain[0]; p++)
        if (strlen(plain[p].name) == k && memcmp(name, plain[p].name, k) == 0) {
            u.len = k + 2;
            u.out_n = strlen(plain[p].text);
            memcpy(u.out, plain[p].text, u.out_n);
            return u;
        }
    for (size_t p = 0; p < sizeof accents / sizeof accents[0]; p++)
        if (strlen(accents[p]) == k - 1 && memcmp(name + 1, accents[p], k - 1) == 0) {
            u.len = k + 2;
            u.out_n = 1;
            u.out[0] = name[0];
            return u;
        }
    return u;
}

/* &#72; &#x48; (the ';' optional) or a named reference at s[i] == '&'. */
static unesc html_ref(const char *s, size_t n, size_t i)
{
    if (i + 2 >= n || s[i + 1] != '#')
        return named_ref(s, n, i);
    int hex = (s[i + 2] | 0x20) == 'x';
    size_t at = i + 2 + (size_t)hex, k = 0;
    unsigned long cp = digits(s, n, at, hex, 8, &k);
    if (!k)
        return (unesc){0};
    size_t end = at + k;
    return cp_escape(end - i + (end < n && s[end] == ';'), cp);
}

/* \uXXXX (a high surrogate joined with a following \uDC00-\uDFFF), \u{X…} or \xXX at s[i]. */
static unesc backslash(const char *s, size_t n, size_t i)
{
    size_t k = 0;
    if (i + 1 >= n)
        return (unesc){0};
    if (s[i + 1] == 'x') {
        unsigned long b = digits(s, n, i + 2, 1, 2, &k);
        return k == 2 && b ? byte_escape(4, b) : (unesc){0};
    }
    if (s[i + 1] != 'u')
        return (unesc){0};
    if (i + 2 < n && s[i + 2] == '{') {
        unsigned long cp = digits(s, n, i + 3, 1, 6, &k);
        size_t end = i + 3 + k;
        return k && end < n && s[end] == '}' ? cp_escape(end + 1 - i, cp) : (unesc){0};
    }
    unsigned long cp = digits(s, n, i + 2, 1, 4, &k);
    if (k != 4)
        return (unesc){0};
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u') {
        size_t k2 = 0;
        unsigned long lo = digits(s, n, i + 8, 1, 4, &k2);
        if (k2 == 4 && lo >= 0xDC00 && lo <= 0xDFFF)
            return cp_escape(12, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
    }
    return cp_escape(6, cp);
}

/* %uXXXX at s[i] == '%'. */
static unesc percent_u(const char *s, size_t n, size_t i)
{
    size_t k = 0;
    if (i + 1 >= n || (s[i + 1] | 0x20) != 'u')
        return (unesc){0};
    unsigned long cp = digits(s, n, i + 2, 1, 4, &k);
    return k == 4 ? cp_escape(6, cp) : (unesc){0};
}

/* Quoted-printable =XX, or a soft line break (=\r\n, =\n), at s[i] == '='. */
static unesc quoted_printable(const char *s, size_t n, size_t i)
{
    if (i + 1 < n && s[i + 1] == '\n')
        return (unesc){.len = 2};
    if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n')
        return (unesc){.len = 3};
    size_t k = 0;
    unsigned long b = digits(s, n, i + 1, 1, 2, &k);
    return k == 2 && b ? byte_escape(3, b) : (unesc){0};
}

static unesc escape_at(const char *s, size_t n, size_t i)
{
    switch (s[i]) {
    case '&': return html_ref(s, n, i);
    case '\\': return backslash(s, n, i);
    case '%': return percent_u(s, n, i);
    case '=': return quoted_printable(s, n, i);
    default: return (unesc){0};
    }
}

char *pw_gw_unescape(pw_arena *a, const char *s, size_t n, size_t *out_n)
{
    char *out = NULL;
    size_t w = 0;
    *out_n = 0;
    for (size_t i = 0; i < n;) {
        unesc u = escape_at(s, n, i);
        if (u.len && !out) {
            if (!(out = pw_arena_alloc(a, n + 1))) {
                *out_n = SIZE_MAX;
                return NULL;
            }
            memcpy(out, s, i);
            w = i;
        }
        if (u.len) { /* never longer than what it decodes: out has room */
            memcpy(out + w, u.out, u.out_n);
            w += u.out_n;
            i += u.len;
            continue;
        }
        if (out)
            out[w++] = s[i];
        i++;
    }
    if (!out)
        return NULL;
    out[w] = '\0';
    *out_n = w;
    return out;
}

/* ---- look-alike letters --------------------------------------------------------------- */

/* Letters of Greek, Cyrillic, Armenian and Cherokee drawn like a Latin letter, capitals and
 * small (sorted by code point): more than detect's folding table (fold.c), which leaves out
 * Izhitsa Ѵ, Cyrillic small letters drawn like small capitals (к м н т в), Armenian and
 * Cherokee, since it folds words in text it also reports; here a word is only scanned again. */
static const struct {
    uint16_t cp;
    char latin;
} lookalikes[] = {
    {0x037F, 'J'}, {0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'},
    {0x0399, 'I'}, {0x039A, 'K'}, {0x039C, 'M'}, {0x039D, 'N'}, {0x039F, 'O'}, {0x03A1, 'P'},
    {0x03A4, 'T'}, {0x03A5, 'Y'}, {0x03A7, 'X'}, {0x03B1, 'a'}, {0x03B5, 'e'}, {0x03B9, 'i'},
    {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C4, 't'}, {0x03C5, 'u'},
    {0x03C7, 'x'}, {0x03F2, 'c'}, {0x03F3, 'j'}, {0x03F9, 'C'}, {0x0401, 'E'}, {0x0405, 'S'},
    {0x0406, 'I'}, {0x0407, 'I'}, {0x0408, 'J'}, {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'},
    {0x041A, 'K'}, {0x041C, 'M'}, {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'},
    {0x0422, 'T'}, {0x0423, 'Y'}, {0x0425, 'X'}, {0x0430, 'a'}, {0x0432, 'b'}, {0x0433, 'r'},
    {0x0435, 'e'}, {0x043A, 'k'}, {0x043C, 'm'}, {0x043D, 'h'}, {0x043E, 'o'}, {0x043F, 'n'},
    {0x0440, 'p'}, {0x0441, 'c'}, {0x0442, 't'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0448, 'w'},
    {0x044C, 'b'}, {0x0451, 'e'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0457, 'i'}, {0x0458, 'j'},
    {0x0474, 'V'}, {0x0475, 'v'}, {0x04AE, 'Y'}, {0x04AF, 'y'}, {0x04BB, 'h'}, {0x04C0, 'I'},
    {0x04CF, 'l'}, {0x0501, 'd'}, {0x051A, 'Q'}, {0x051B, 'q'}, {0x051C, 'W'}, {0x051D, 'w'},
    {0x0555, 'O'}, {0x0566, 'q'}, {0x0570, 'h'}, {0x0578, 'n'}, {0x057D, 'u'}, {0x0581, 'g'},
    {0x0585, 'o'}, {0x13A0, 'D'}, {0x13A2, 'T'}, {0x13A5, 'i'}, {0x13AA, 'A'}, {0x13AB, 'J'},
    {0x13AC, 'E'}, {0x13B3, 'W'}, {0x13B7, 'M'}, {0x13BB, 'H'}, {0x13C0, 'G'}, {0x13C3, 'Z'},
    {0x13D2, 'R'}, {0x13D9, 'V'}, {0x13DA, 'S'}, {0x13DE, 'L'}, {0x13DF, 'C'}, {0x13E2, 'P'},
    {0x13E6, 'K'}, {0x13F4, 'B'}};

static char lookalike_of(unsigned cp)
{
    size_t lo = 0, hi = sizeof lookalikes / sizeof lookalikes[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (lookalikes[mid].cp == cp)
            return lookalikes[mid].latin;
        if (lookalikes[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* A code point that ends a word: ASCII other than letters and digits, Latin-1 punctuation and
 * spaces, general punctuation and spaces (U+2000-U+206F), the ideographic space. */
static int word_break(unsigned cp)
{
    if (cp < 0x80)
        return !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') && !(cp >= '0' && cp <= '9');
    return cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000 || cp == PW_GW_BAD_CP;
}

/* The end of the word at s[i]; *fold = 1 when it holds a look-alike letter and no other
 * non-ASCII code point. */
static size_t word_end(const unsigned char *s, size_t n, size_t i, int *fold)
{
    int conf = 0, other = 0;
    size_t len = 1;
    for (; i < n; i += len) {
        unsigned cp = pw_gw_utf8_at(s, n, i, &len);
        if (word_break(cp))
            break;
        if (cp >= 0x80 && lookalike_of(cp))
            conf = 1;
        else if (cp >= 0x80)
            other = 1;
    }
    *fold = conf && !other;
    return i;
}

char *pw_gw_fold_lookalikes(pw_arena *a, const char *s, size_t n, size_t *out_n)
{
    const unsigned char *u = (const unsigned char *)s;
    char *out = NULL;
    size_t w = 0, len = 1;
    *out_n = 0;
    for (size_t i = 0; i < n;) {
        unsigned cp = pw_gw_utf8_at(u, n, i, &len);
        int fold = 0;
        size_t end = word_break(cp) ? i : word_end(u, n, i, &fold);
        if (fold && !out) {
            if (!(out = pw_arena_alloc(a, n + 1))) {
                *out_n = SIZE_MAX;
                return NULL;
            }
            memcpy(out, s, i);
            w = i;
        }
        if (end == i) { /* a word break: copied */
            if (out)
                memcpy(out + w, s + i, len), w += len;
            i += len;
            continue;
        }
        for (size_t k = i; k < end; k += len) {
            unsigned c = pw_gw_utf8_at(u, n, k, &len);
            if (fold && c >= 0x80)
                out[w++] = lookalike_of(c); /* one byte for 2-3: out has room */
            else if (out)
                memcpy(out + w, s + k, len), w += len;
        }
        i = end;
    }
    if (!out)
        return NULL;
    out[w] = '\0';
    *out_n = w;
    return out;
}
