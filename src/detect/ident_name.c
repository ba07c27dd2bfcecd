/*
 * ident_name.c — person names, only where context says a name is there: the whole value of a
 * name key ("fn", "ln", "first_name", "patientName"), capitalised words after "patient name:",
 * "name:", "my name is" (subtype "patient"), and after "Dr." / "Doctor" or before ", MD"
 * (subtype "provider"). Names without such context are not guessed.
 */
#include <string.h>

#include "detect/internal.h"
#include "phiwall/text.h"

static const char *const not_names[] = {
    "the",    "our",    "your",     "a",      "an",      "and",         "or",           "for",
    "to",     "of",     "in",       "at",     "with",    "appointment", "appointments", "office",
    "clinic", "center", "team",     "today",  "now",     "here",        "online",       "visit",
    "find",   "book",   "schedule", "search", "profile", "page",        "is",           NULL};

static int stop_word(const char *s, size_t len)
{
    if (len > 11)
        return 0;
    int c0 = pw_tolower((unsigned char)s[0]);
    for (const char *const *w = not_names; *w; w++)
        if ((*w)[0] == c0 && word_eq(s, len, *w))
            return 1;
    return 0;
}

/* One capitalised name word ("Smith", "O'Neil", "Smith-Jones") or an initial ("J."). */
static size_t name_word(const char *s, size_t n, size_t i)
{
    if (i >= n || !pw_isupper((unsigned char)s[i]))
        return 0;
    size_t p = i + 1;
    if (p < n && s[p] == '.')
        return p + 1;
    while (p < n && (pw_islower((unsigned char)s[p]) || s[p] == '\'' || s[p] == '-' ||
                     (pw_isupper((unsigned char)s[p]) && p > i + 1 && s[p - 1] == '\'')))
        p++;
    if (p - i < 2 || (p < n && pw_isalnum((unsigned char)s[p])) || stop_word(s + i, p - i))
        return 0;
    return p;
}

/* Up to three name words starting at s[i]; end or 0. */
static size_t name_words(const char *s, size_t n, size_t i)
{
    size_t e = name_word(s, n, i), end = 0;
    for (int k = 0; e && k < 3; k++) {
        end = e;
        if (e >= n || s[e] != ' ')
            break;
        e = name_word(s, n, e + 1);
    }
    return end;
}

static int name_like(const char *s, size_t n)
{
    int letters = 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (pw_isalpha(c) || c >= 0x80)
            letters++;
        else if (!strchr(" '-.,", c))
            return 0;
    }
    return letters >= 1;
}

static void name_key(pw_scan *sc, const pw_seg *g)
{
    size_t i = 0, j = g->n;
    while (i < j && g->s[i] == ' ')
        i++;
    while (j > i && g->s[j - 1] == ' ')
        j--;
    if (!name_like(g->s + i, j - i))
        return;
    if (j - i <= 2 && pw_islower((unsigned char)g->s[i])) /* "ln=en": a language code */
        return;
    pw_scan_add(sc, g, i, j, PW_PHI_NAME, g->ctx == PW_CTX_PROVIDER ? "provider" : "patient", NULL,
                0.9f, PW_REASON_CONTEXT, "name key");
}

typedef struct trigger {
    const char *word; /* case-insensitive, followed by the name */
    const char *subtype;
    unsigned char len;
} trigger;

#define T(word, sub)                \
    {                               \
        word, sub, sizeof(word) - 1 \
    }

/* Grouped by first letter (the order within a group decides: the first that matches wins). */
static const trigger triggers_d[] = {
    T("dr. ", "provider"), T("dr ", "provider"), T("doctor ", "provider"), {NULL, NULL, 0}};
static const trigger triggers_p[] = {T("patient name: ", "patient"),
                                     T("patient name ", "patient"),
                                     T("patient: ", "patient"),
                                     {NULL, NULL, 0}};
static const trigger triggers_n[] = {T("name: ", "patient"), {NULL, NULL, 0}};
static const trigger triggers_m[] = {
    T("my name is ", "patient"), T("mr. ", "patient"),  T("mrs. ", "patient"),
    T("ms. ", "patient"),        T("mr ", "patient"),   T("mrs ", "patient"),
    T("ms ", "patient"),         T("miss ", "patient"), {NULL, NULL, 0}};
static const trigger triggers_f[] = {T("full name: ", "patient"), {NULL, NULL, 0}};

/* The triggers starting with lower-case letter lc, or NULL. */
static const trigger *triggers_for(int lc)
{
    switch (lc) {
    case 'd': return triggers_d;
    case 'p': return triggers_p;
    case 'n': return triggers_n;
    case 'm': return triggers_m;
    case 'f': return triggers_f;
    default: return NULL;
    }
}

static int word_start(const char *s, size_t i)
{
    return i == 0 || !pw_isalpha((unsigned char)s[i - 1]);
}

/* "Jane Smith, MD": credentials after a name make it a provider. */
static int credential_after(const char *s, size_t n, size_t e)
{
    static const char *const creds[] = {", MD", ", M.D.", ", DO",  ", NP",  ", PA-C",
                                        ", RN", ", DDS",  ", DPM", ", FNP", NULL};
    if (e + 3 > n || s[e] != ',')
        return 0;
    for (const char *const *c = creds; *c; c++) {
        size_t l = strlen(*c);
        if (e + l <= n && memcmp(s + e, *c, l) == 0 &&
            (e + l == n || !pw_isalpha((unsigned char)s[e + l])))
            return 1;
    }
    return 0;
}

/* ", M", ", D", ", N", ", P", ", R" or ", F" somewhere in s: where credential_after can match
 * (", MD", ", DO", ", NP", ", PA-C", ", RN", ", FNP" …). */
static int credential_somewhere(const char *s, size_t n)
{
    const char *p = memchr(s, ',', n);
    while (p) {
        size_t k = (size_t)(p - s);
        if (k + 2 < n && s[k + 1] == ' ' && strchr("MDNPRF", s[k + 2]) && s[k + 2] != '\0')
            return 1;
        p = k + 1 < n ? memchr(p + 1, ',', n - k - 1) : NULL;
    }
    return 0;
}

static void name_text(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum && (g->sum->cls & (PW_SUM_UPPER | PW_SUM_SPACE)) != (PW_SUM_UPPER | PW_SUM_SPACE))
        return; /* every name word starts upper-case (name_word); every trigger ends with a
                   space, and so does the ", " before credentials (credential_somewhere) */
    int has_comma = credential_somewhere(s, n);
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_ALPHA); i < n; i = pw_cand_from(&ci, i + 1)) {
        int c = (unsigned char)s[i];
        if (!pw_isalpha(c) || !word_start(s, i))
            continue;
        int lc = c | 32;
        for (const trigger *t = triggers_for(lc); t && t->word; t++) {
            size_t l = t->len;
            if (lc != t->word[0] || i + l > n || (s[i + 1] | 32) != t->word[1] ||
                !pw_strncaseeq(s + i, t->word, l))
                continue;
            size_t e = name_words(s, n, i + l);
            if (e) {
                pw_scan_add(sc, g, i + l, e, PW_PHI_NAME, t->subtype, NULL, 0.85f,
                            PW_REASON_CONTEXT, t->word);
                i = e - 1;
            }
            break;
        }
        if (has_comma && pw_isupper(c)) {
            size_t e = name_words(s, n, i);
            if (e && e > i && memchr(s + i, ' ', e - i) && credential_after(s, n, e)) {
                pw_scan_add(sc, g, i, e, PW_PHI_NAME, "provider", NULL, 0.85f, PW_REASON_CONTEXT,
                            "credentials after name");
                i = e - 1;
            }
        }
    }
}

void pw_ident_name(pw_scan *sc, const pw_seg *g)
{
    pw_ctx c = g->ctx;
    if (c == PW_CTX_FIRST_NAME || c == PW_CTX_LAST_NAME || c == PW_CTX_NAME ||
        c == PW_CTX_PROVIDER) {
        name_key(sc, g);
        return;
    }
    name_text(sc, g);
}
