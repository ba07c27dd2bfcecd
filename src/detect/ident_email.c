/*
 * ident_email.c — e-mail addresses: found at each '@' by extending over the local part and a
 * dotted domain whose last label is 2+ letters; normalised to lower case (the form Meta hashes).
 */
#include <string.h>

#include "detect/internal.h"
#include "phiwall/text.h"

static int local_char(int c)
{
    return pw_isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
}

static int domain_char(int c)
{
    return pw_isalnum(c) || c == '.' || c == '-';
}

/* "icon@2x.png" is an image, not an address (s[0..n): letters; no extension is over 4). */
static int file_extension(const char *s, size_t n)
{
    static const char *const ext[] = {"png", "jpg", "jpeg", "gif", "svg", "webp",
                                      "js",  "css", "avif", "ico", NULL};
    if (n < 2 || n > 4)
        return 0;
    for (const char *const *e = ext; *e; e++)
        if (word_eq(s, n, *e))
            return 1;
    return 0;
}

/* The address s[0..n) lower-cased, in the arena (its bytes are local-part and domain bytes: no
 * NUL, so this is the copy pw_lower_ascii_dup would make, without its search for one). */
static char *lower_copy(pw_arena *a, const char *s, size_t n)
{
    char *o = pw_arena_alloc(a, n + 1);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++)
        o[i] = (char)pw_tolower((unsigned char)s[i]);
    o[n] = '\0';
    return o;
}

/* Domain after '@' at s[at]: end offset, or 0 when it is not a domain. */
static size_t domain_end(const char *s, size_t n, size_t at)
{
    size_t p = at + 1, dot = 0;
    while (p < n && domain_char((unsigned char)s[p]))
        p++;
    while (p > at + 1 && (s[p - 1] == '.' || s[p - 1] == '-')) /* "a@b.com." ends a sentence */
        p--;
    for (size_t k = at + 1; k < p; k++)
        if (s[k] == '.')
            dot = k;
    if (!dot || dot == at + 1 || p - dot - 1 < 2)
        return 0;
    /* no top-level domain holds a '-': "a@b.com-uber" (a word glued on by a hyphen, or by an
     * accent the folded layer took off: "-über") ends at "com" */
    const char *hy = memchr(s + dot + 1, '-', p - dot - 1);
    if (hy && (size_t)(hy - s) - dot - 1 >= 2)
        p = (size_t)(hy - s);
    for (size_t k = dot + 1; k < p; k++)
        if (!pw_isalpha((unsigned char)s[k]))
            return 0;
    return file_extension(s + dot + 1, p - dot - 1) ? 0 : p;
}

void pw_ident_email(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    const char *at = memchr(s, '@', n);
    while (at) {
        size_t a = (size_t)(at - s), b = a;
        while (b > 0 && local_char((unsigned char)s[b - 1]))
            b--;
        while (b < a && !pw_isalnum((unsigned char)s[b]))
            b++;
        size_t e = b < a ? domain_end(s, n, a) : 0;
        if (e) {
            char *norm = lower_copy(sc->a, s + b, e - b);
            pw_scan_add(sc, g, b, e, PW_PHI_EMAIL, "email", norm, 0.98f, PW_REASON_PATTERN,
                        "email address");
        }
        size_t next = e ? e : a + 1;
        at = next < n ? memchr(s + next, '@', n - next) : NULL;
    }
}
