/*
 * ident_name.c — person names, only where context says a name is there: the whole value of a
 * name key ("fn", "ln", "first_name", "patientName"), capitalised words after "patient name:",
 * "name:", "my name is" (subtype "patient"), and after "Dr." / "Doctor" or before ", MD"
 * (subtype "provider"). Names without such context are not guessed.
 */
#include <string.h>

#include "detect/internal.h"
#include "phiwall/text.h"

/* Words that are never a name, grouped by first letter (lower case). */
static const char *const not_names_a[] = {"a",           "an",           "and", "at",
                                          "appointment", "appointments", NULL};
static const char *const not_names_b[] = {"book", NULL};
static const char *const not_names_c[] = {"clinic", "center", NULL};
static const char *const not_names_f[] = {"for", "find", NULL};
static const char *const not_names_h[] = {"here", NULL};
static const char *const not_names_i[] = {"in", "is", NULL};
static const char *const not_names_n[] = {"now", NULL};
static const char *const not_names_o[] = {"our", "or", "of", "office", "online", NULL};
static const char *const not_names_p[] = {"profile", "page", NULL};
static const char *const not_names_s[] = {"schedule", "search", NULL};
static const char *const not_names_t[] = {"the", "to", "team", "today", NULL};
static const char *const not_names_v[] = {"visit", NULL};
static const char *const not_names_w[] = {"with", NULL};
static const char *const not_names_y[] = {"your", NULL};

static const char *const *const not_names_by_initial[26] = {
    ['a' - 'a'] = not_names_a, ['b' - 'a'] = not_names_b, ['c' - 'a'] = not_names_c,
    ['f' - 'a'] = not_names_f, ['h' - 'a'] = not_names_h, ['i' - 'a'] = not_names_i,
    ['n' - 'a'] = not_names_n, ['o' - 'a'] = not_names_o, ['p' - 'a'] = not_names_p,
    ['s' - 'a'] = not_names_s, ['t' - 'a'] = not_names_t, ['v' - 'a'] = not_names_v,
    ['w' - 'a'] = not_names_w, ['y' - 'a'] = not_names_y};

static int stop_word(const char *s, size_t len)
{
    if (len > 11)
        return 0;
    unsigned x = (unsigned)pw_tolower((unsigned char)s[0]) - 'a';
    if (x >= 26 || !not_names_by_initial[x])
        return 0;
    for (const char *const *w = not_names_by_initial[x]; *w; w++)
        if (word_eq(s, len, *w))
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
        else if (c != ' ' && c != '\'' && c != '-' && c != '.' && c != ',' &&
                 c != '\0') /* what strchr(" '-.,", c) accepted, its terminator too */
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
    unsigned char in_sentence; /* the name must read as part of a sentence (see sentence_name) */
} trigger;

#define T(word, sub)                   \
    {                                  \
        word, sub, sizeof(word) - 1, 0 \
    }
#define TS(word, sub)                  \
    {                                  \
        word, sub, sizeof(word) - 1, 1 \
    }

/* Grouped by first letter (the order within a group decides: the first that matches wins). */
static const trigger triggers_d[] = {
    T("dr. ", "provider"), T("dr ", "provider"), T("doctor ", "provider"), {NULL, NULL, 0, 0}};
static const trigger triggers_p[] = {T("patient name: ", "patient"),
                                     T("patient name ", "patient"),
                                     T("patient: ", "patient"),
                                     TS("patient ", "patient"),
                                     {NULL, NULL, 0, 0}};
static const trigger triggers_n[] = {T("name: ", "patient"), {NULL, NULL, 0, 0}};
static const trigger triggers_m[] = {
    T("my name is ", "patient"), T("mr. ", "patient"),  T("mrs. ", "patient"),
    T("ms. ", "patient"),        T("mr ", "patient"),   T("mrs ", "patient"),
    T("ms ", "patient"),         T("miss ", "patient"), {NULL, NULL, 0, 0}};
static const trigger triggers_f[] = {T("full name: ", "patient"), {NULL, NULL, 0, 0}};

/* The triggers by first letter (lower case, 'a' at 0), NULL where none starts with it. */
static const trigger *const triggers_by_initial[26] = {['d' - 'a'] = triggers_d,
                                                       ['p' - 'a'] = triggers_p,
                                                       ['n' - 'a'] = triggers_n,
                                                       ['m' - 'a'] = triggers_m,
                                                       ['f' - 'a'] = triggers_f};

/* Bit (c - 'a') for the second letters of the triggers starting with each letter ("dr", "do";
 * "pa"; "na"; "my", "mr", "ms", "mi"; "fu"). */
#define LB(c) (1u << ((c) - 'a'))
static const uint32_t trigger_second[26] = {['d' - 'a'] = LB('r') | LB('o'),
                                            ['p' - 'a'] = LB('a'),
                                            ['n' - 'a'] = LB('a'),
                                            ['m' - 'a'] = LB('y') | LB('r') | LB('s') | LB('i'),
                                            ['f' - 'a'] = LB('u')};
#undef LB

/* A trigger may start at s[i] (lower-case first letter lc; i + 1 < n). */
static int trigger_may_start(int lc, int c2)
{
    unsigned x = (unsigned)(c2 | 32) - 'a';
    return x < 26 && (trigger_second[lc - 'a'] >> x & 1);
}

/* s[0..l) equals the lower-case trigger word w, ignoring ASCII case. */
static int trigger_eq(const char *s, const char *w, size_t l)
{
    for (size_t k = 0; k < l; k++)
        if (pw_tolower((unsigned char)s[k]) != w[k])
            return 0;
    return 1;
}

static int word_start(const char *s, size_t i)
{
    return i == 0 || !pw_isalpha((unsigned char)s[i - 1]);
}

typedef struct credential {
    const char *text;
    unsigned char len;
} credential;

/* c is the first letter of a credential (", MD", ", DO", ", NP", ", PA-C", ", RN", ", FNP"). */
static int credential_initial(char c)
{
    return c == 'M' || c == 'D' || c == 'N' || c == 'P' || c == 'R' || c == 'F';
}

/* a[0..l) equals b[0..l) (a few bytes: no memcmp call). */
static int bytes_eq(const char *a, const char *b, size_t l)
{
    for (size_t k = 0; k < l; k++)
        if (a[k] != b[k])
            return 0;
    return 1;
}

/* "Jane Smith, MD": credentials after a name make it a provider. */
static int credential_after(const char *s, size_t n, size_t e)
{
    static const credential creds[] = {{", MD", 4},  {", M.D.", 6}, {", DO", 4},
                                       {", NP", 4},  {", PA-C", 6}, {", RN", 4},
                                       {", DDS", 5}, {", DPM", 5},  {", FNP", 5}};
    if (e + 3 > n || s[e] != ',' || s[e + 1] != ' ' || !credential_initial(s[e + 2]))
        return 0;
    for (size_t k = 0; k < sizeof creds / sizeof creds[0]; k++) {
        size_t l = creds[k].len;
        if (e + l <= n && s[e + 2] == creds[k].text[2] &&
            bytes_eq(s + e + 3, creds[k].text + 3, l - 3) &&
            (e + l == n || !pw_isalpha((unsigned char)s[e + l])))
            return 1;
    }
    return 0;
}

/* The last comma of s where credential_after matches: a name before credentials ends there,
 * so it starts before it. 0 when there is none (a name cannot end at offset 0). */
static size_t last_credential(const char *s, size_t n)
{
    size_t last = 0;
    const char *p = memchr(s, ',', n);
    while (p) {
        size_t k = (size_t)(p - s);
        if (credential_after(s, n, k))
            last = k;
        p = k + 1 < n ? memchr(p + 1, ',', n - k - 1) : NULL;
    }
    return last;
}

/* Where the trigger words may start: before the last upper-case letter that starts a word (a
 * trigger ends with a space and at least 3 bytes before the name it announces), from the mask of
 * a segment of at most 64 bytes; n without one. */
static size_t names_end(const pw_seg *g)
{
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (!m || m->words != 1)
        return g->n;
    uint64_t u = pw_mask(m, PW_MK_UPPER, 0) & ~(pw_mask(m, PW_MK_ALPHA, 0) << 1);
    if (!u)
        return 0;
    size_t last = 63 - (size_t)__builtin_clzll(u);
    return last >= 3 ? last - 2 : 0;
}

/* Capitalised words that follow a bare "Patient" in page titles and menus ("Patient Portal",
 * "Patient Financial Services") and are never a first name. */
static int title_word_after_patient(const char *s, size_t len)
{
    static const char *const words[] = {
        "access",       "accounts",    "advocacy",       "advocate",     "affairs",    "assistance",
        "billing",      "care",        "center",         "centre",       "education",  "experience",
        "families",     "family",      "financial",      "forms",        "guide",      "handbook",
        "home",         "information", "intake",         "login",        "navigation", "navigator",
        "portal",       "privacy",     "records",        "registration", "relations",  "resources",
        "rights",       "safety",      "satisfaction",   "services",     "stories",    "support",
        "testimonials", "transport",   "transportation", "visitor",      "visitors",   "and",
        "or",           "of",          "name",           "information",  NULL};
    for (const char *const *w = words; *w; w++)
        if (word_eq(s, len, *w))
            return 1;
    return 0;
}

/* After a bare "patient ", the words s[b..e) are a name only as part of a sentence ("Patient
 * John Smith called about…", "spoke with patient Mary Jones."): a first and a last name, no
 * title word among them, and the text goes on in lower case or punctuation. A title or a menu
 * ("Patient Portal Login", "Patient Financial Services") is all capitalised words and ends
 * there. */
static int sentence_name(const char *s, size_t n, size_t b, size_t e)
{
    size_t words = 0;
    for (size_t i = b; i < e;) {
        size_t j = i;
        while (j < e && s[j] != ' ')
            j++;
        if (title_word_after_patient(s + i, j - i))
            return 0;
        words++;
        i = j + 1;
    }
    if (words < 2 || e >= n)
        return 0;
    if (s[e] == ',' || s[e] == ';' || s[e] == ':' || s[e] == '(' || s[e] == '.')
        return 1;
    return s[e] == ' ' && e + 1 < n &&
           (pw_islower((unsigned char)s[e + 1]) || pw_isdigit((unsigned char)s[e + 1]));
}

/* A name announced by a trigger word starting at the word start s[i], or a provider's name
 * before credentials ending at or before cred_end. Returns the last byte it consumed (i, or the
 * name's last byte). */
static size_t name_at(pw_scan *sc, const pw_seg *g, size_t i, size_t cred_end)
{
    const char *s = g->s;
    size_t n = g->n;
    int c = (unsigned char)s[i];
    int lc = c | 32;
    const trigger *t = i + 1 < n && trigger_may_start(lc, (unsigned char)s[i + 1])
                           ? triggers_by_initial[lc - 'a']
                           : NULL;
    for (; t && t->word; t++) {
        size_t l = t->len;
        if (i + l > n || (s[i + 1] | 32) != t->word[1] || !trigger_eq(s + i, t->word, l))
            continue;
        size_t e = name_words(s, n, i + l);
        if (e && t->in_sentence && !sentence_name(s, n, i + l, e))
            e = 0;
        if (e) {
            pw_scan_add(sc, g, i + l, e, PW_PHI_NAME, t->subtype, NULL, 0.85f, PW_REASON_CONTEXT,
                        t->word);
            i = e - 1;
        }
        break;
    }
    if (i < cred_end && pw_isupper(c)) { /* the name ends at a credential's comma */
        size_t e = name_words(s, n, i);
        if (e && e > i && memchr(s + i, ' ', e - i) && credential_after(s, n, e)) {
            pw_scan_add(sc, g, i, e, PW_PHI_NAME, "provider", NULL, 0.85f, PW_REASON_CONTEXT,
                        "credentials after name");
            i = e - 1;
        }
    }
    return i;
}

/* name_text's walk on a segment of at most 64 bytes with masks: the word starts below stop from
 * the letter mask. */
static void name_text_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m, size_t stop,
                           size_t cred_end)
{
    uint64_t a = pw_mask(m, PW_MK_ALPHA, 0);
    uint64_t cand = a & ~(a << 1) & (stop < 64 ? ((uint64_t)1 << stop) - 1 : ~(uint64_t)0);
    while (cand) {
        size_t next = name_at(sc, g, (size_t)__builtin_ctzll(cand), cred_end) + 1;
        cand &= next < 64 ? ~(uint64_t)0 << next : 0;
    }
}

static void name_text(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum && (g->sum->cls & (PW_SUM_UPPER | PW_SUM_SPACE)) != (PW_SUM_UPPER | PW_SUM_SPACE))
        return; /* every name word starts upper-case (name_word); every trigger ends with a
                   space, and so does the ", " before credentials */
    size_t cred_end = last_credential(s, n), stop = names_end(g);
    if (stop < cred_end)
        stop = cred_end;
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        name_text_word(sc, g, m, stop, cred_end);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_ALPHA); i < stop; i = pw_cand_from(&ci, i + 1)) {
        int c = (unsigned char)s[i];
        if (pw_isalpha(c) && word_start(s, i))
            i = name_at(sc, g, i, cred_end);
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
