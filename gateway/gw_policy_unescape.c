/*
 * gw_policy_unescape.c — the guard's extra readings of a string (gw_policy_unescape.h): escapes
 * decoded (HTML character references, backslash escapes, %uXXXX, quoted-printable). Views only,
 * for the PHI engine: what was written stays.
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
