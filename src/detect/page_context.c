/*
 * page_context.c — general hospital pages: careers, news, giving, volunteering, parking. A
 * specialty or service named on such a page ("/careers/oncology/nurse", "Oncology Nurse -
 * Careers", "Hospital News: New MRI Suite Opens") is the hospital's work, not a visitor's health,
 * so health context and care intent found there do not count; identifiers always do. The page
 * words are data: data/vocab/page/general_pages.tsv, compiled into page_words.h by
 * page_context.cmake.
 *
 *   URL:  a host whose first label is a page word (careers.example.org), a job board's domain, or
 *         a path slug that is one (/careers/, /press-releases/): the slugs after it, the query
 *         and the fragment are quiet (pw_scan_url sets pw_seg.page_quiet on them). The slugs
 *         before it keep their hits (/conditions/breast-cancer/news), and a nested URL in a
 *         parameter is judged by its own host and path.
 *   Text: in a title (up to 160 bytes and 4 components, split at | : – — · • » and " - "),
 *         a component that starts with a page phrase (followed by the component's end or "at",
 *         "in", "with", "for": "Careers in Cardiology"; up to 10 words) or ends with one (up
 *         to 6 words); at the end an "alone" phrase counts only when its component names no
 *         health term ("Hospital News", not "Diabetes News"). Not judged this way: path slugs
 *         (the URL rule's), what a visitor typed (form values, search queries) and text with a
 *         sentence break (". ", but "St. Mary's" is none): a message, not a title.
 */
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

#include "detect/internal.h"
#include "detect/seg_memo_impl.h"

enum {
    PW_PAGE_HOST = 1,   /* first label of the host */
    PW_PAGE_DOMAIN = 2, /* the host is this domain or under it */
    PW_PAGE_PATH = 4,   /* a whole path slug */
    PW_PAGE_TITLE = 8,  /* the first or last words of a title component */
    PW_PAGE_ALONE = 16  /* title: only in a component without a health term */
};

typedef struct pw_page_word {
    const char *phrase; /* lower-case words separated by one space, or a domain */
    unsigned char len;
    unsigned char flags;
    unsigned char first_len; /* length of the phrase's first word */
    unsigned char last_at;   /* offset of its last word */
} pw_page_word;

/* A title phrase of a language not written in Latin letters (general_pages_script.tsv). */
typedef struct pw_page_script_word {
    const char *phrase;  /* UTF-8, Cyrillic in lower case */
    unsigned char len;   /* bytes */
    unsigned char flags; /* 0 (any) or PW_PAGE_ALONE */
} pw_page_script_word;

#include "page_words.h" /* generated: pw_page_host[], _domain[], _path[], _title[], masks, _script[] */

#define COUNT(t) (sizeof t / sizeof t[0])

/* 1 if a listed word of len bytes may start with letter c: bit len of lens[c] (the generated
 * prefilters keep the table walk off most slugs, hosts and title words). */
static int may_be_listed(const uint32_t lens[26], unsigned char c, size_t len)
{
    unsigned k = (unsigned)pw_tolower(c) - 'a';
    return k < 26 && len < 32 && (lens[k] >> len & 1);
}

/* 1 if a listed word may start with letter c (of any length). */
static int may_start_listed(const uint32_t lens[26], unsigned char c)
{
    unsigned k = (unsigned)pw_tolower(c) - 'a';
    return k < 26 && lens[k] != 0;
}

/* The words of phrase p (one space between) at the start of s[i..e) (words: ASCII letter/digit
 * runs, anything else separates). Returns the offset after the last word, 0 when they differ. */
static size_t words_match(const char *s, size_t i, size_t e, const char *p, size_t plen)
{
    size_t k = 0;
    while (k < plen) {
        while (i < e && !pw_isalnum((unsigned char)s[i]))
            i++;
        while (k < plen && p[k] != ' ') {
            if (i >= e || pw_tolower((unsigned char)s[i]) != p[k])
                return 0;
            i++, k++;
        }
        if (i < e && pw_isalnum((unsigned char)s[i])) /* the text's word is longer */
            return 0;
        k++; /* the space between the phrase's words */
    }
    return i;
}

/* 1 if s[i..e) holds no letter or digit. */
static int no_word(const char *s, size_t i, size_t e)
{
    for (; i < e; i++)
        if (pw_isalnum((unsigned char)s[i]))
            return 0;
    return 1;
}

/* 1 if s[b..e) is exactly the words of p. */
static int words_equal(const char *s, size_t b, size_t e, const pw_page_word *w)
{
    size_t end = words_match(s, b, e, w->phrase, w->len);
    return end && no_word(s, end, e);
}

/* ---- URL ---------------------------------------------------------------------------------- */

/* 1 if the host s[b..e) is a general page's: its first label is a host word, or it is (under)
 * a listed domain. */
static int host_general(const char *s, size_t b, size_t e)
{
    size_t label_end = pw_find_char(s, b, e, '.');
    if (may_be_listed(pw_page_host_lens, (unsigned char)s[b], label_end - b))
        for (size_t k = 0; k < COUNT(pw_page_host); k++)
            if (label_end - b == pw_page_host[k].len &&
                words_equal(s, b, label_end, &pw_page_host[k]))
                return 1;
    for (size_t k = 0; k < COUNT(pw_page_domain); k++) {
        const pw_page_word *w = &pw_page_domain[k];
        if (e - b < w->len || s[e - 1] != w->phrase[w->len - 1])
            continue;
        size_t at = e - w->len;
        if ((at == b || s[at - 1] == '.') && word_eq(s + at, w->len, w->phrase))
            return 1;
    }
    return 0;
}

/* The host of a URL whose authority ends at auth: [*b, *e); 0 when there is none. */
static int url_host(const char *s, size_t auth, size_t *b, size_t *e)
{
    size_t colon = auth >= 3 ? pw_find_char(s, 0, auth, ':') : auth;
    if (colon + 3 > auth || s[colon + 1] != '/' || s[colon + 2] != '/')
        return 0;
    size_t i = colon + 3;
    size_t at = pw_find_char(s, i, auth, '@'); /* user:password@host */
    if (at < auth)
        i = at + 1;
    *b = i;
    *e = pw_find_char(s, i, auth, ':'); /* a port */
    return *e > i;
}

static int script_eq(const unsigned char *s, const unsigned char *p, size_t len);

/* The hex digit c's value, or -1. */
static int hex_val(unsigned char c)
{
    if (pw_isdigit(c))
        return c - '0';
    c |= 32;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 1 if the path slug s[b..e), written in Chinese, Korean, Russian or Arabic letters raw or
 * percent-encoded ("/ru/%D0%B2%D0%B0%D0%BA%D0%B0%D0%BD%D1%81%D0%B8%D0%B8/", "/zh/招聘/"), is a
 * page phrase of general_pages_script.tsv, its words joined by '-', '_' or '+'
 * ("/ar/مواقف-السيارات/"): the careers, parking or news section of a translated site, as
 * "/careers/" is of the English one. engine-recall3 */
static int script_slug_general(const char *s, size_t b, size_t e)
{
    unsigned char t[96];
    size_t n = 0;
    for (size_t i = b; i < e; i++) {
        unsigned char c = (unsigned char)s[i];
        int h, l;
        if (c == '%' && i + 2 < e && (h = hex_val((unsigned char)s[i + 1])) >= 0 &&
            (l = hex_val((unsigned char)s[i + 2])) >= 0) {
            c = (unsigned char)(h << 4 | l);
            i += 2;
        } else if (c == '-' || c == '_' || c == '+') {
            c = ' ';
        }
        if (n == sizeof t || c == '/' || c == '.')
            return 0;
        t[n++] = c;
    }
    if (n < 3 || t[0] < 0xC0)
        return 0;
    for (size_t k = 0; k < COUNT(pw_page_script); k++)
        if (pw_page_script[k].len == n &&
            script_eq(t, (const unsigned char *)pw_page_script[k].phrase, n))
            return 1;
    return 0;
}

/* 1 if the path slug s[b..e) is a page word ("careers", "press-releases", "news.html"). */
static int slug_general(const char *s, size_t b, size_t e)
{
    if (e > b && (s[b] == '%' || (unsigned char)s[b] >= 0xC0))
        return script_slug_general(s, b, e);
    if (e <= b || !may_start_listed(pw_page_path_lens, (unsigned char)s[b]))
        return 0; /* most slugs: no '.' looked for */
    e = pw_find_char(s, b, e, '.');
    if (e <= b || !may_be_listed(pw_page_path_lens, (unsigned char)s[b], e - b))
        return 0; /* a listed slug is spelled with one separator between its words */
    unsigned c = (unsigned)pw_tolower((unsigned char)s[b]) - 'a'; /* a letter (may_be_listed) */
    for (size_t k = pw_page_path_from[c]; k < pw_page_path_from[c + 1]; k++)
        if (pw_page_path[k].len == e - b && words_equal(s, b, e, &pw_page_path[k]))
            return 1;
    return 0;
}

/* 1 if the URL whose authority ends at auth names a general page's host. */
static int authority_general(const char *s, size_t auth)
{
    size_t hb, he;
    return url_host(s, auth, &hb, &he) && host_general(s, hb, he);
}

/* authority_general, remembered by the authority's bytes s[0..auth) in scr (engine-url7): the
 * hosts of a site's tracker requests are few ("https://www.facebook.com",
 * "https://www.google-analytics.com"), and a hash and a compare cost less than finding the host
 * and matching it against the host words and job-board domains. */
static int authority_general_memo(pw_detect_scratch *scr, const char *s, size_t auth)
{
    if (!scr || auth < 8 || auth > PW_HOST_MEMO_LEN)
        return authority_general(s, auth);
    /* engine-url8: hashed and compared inline; 2-way set associative (a new host enters in
     * front, the other of its set goes), so that two of a site's few hosts that share a set do
     * not take it from each other request after request */
    uint64_t h = mix_bytes(0x9e3779b97f4a7c15ull ^ auth, s, auth);
    pw_host_memo *e = &scr->host_memo[memo_slot(h, PW_HOST_MEMO_SLOTS / 2) * 2];
    for (size_t w = 0; w < 2; w++)
        if (e[w].hash == h && e[w].n == auth && same_bytes(e[w].bytes, s, auth))
            return e[w].general;
    int general = authority_general(s, auth);
    e[1] = e[0];
    e[0].hash = h;
    e[0].n = (uint32_t)auth;
    e[0].general = (unsigned char)general;
    memcpy(e[0].bytes, s, auth);
    return general;
}

/* 1 if the URL is a general page's: *at = 0 when its host is one, i + 1 when path slug i is. */
static int general_at(pw_detect_scratch *scr, const char *s, size_t auth, const pw_url_part *parts,
                      size_t np, size_t *at)
{
    *at = 0;
    if (authority_general_memo(scr, s, auth))
        return 1;
    for (size_t i = 0; i < np; i++) {
        if (parts[i].kind == PW_UPART_PATH &&
            slug_general(s, parts[i].val_start, parts[i].val_end)) {
            *at = i + 1;
            return 1;
        }
    }
    return 0;
}

/* engine-url9: the answer of general_at for parts [0, path_end) is decided by the URL's bytes
 * s[0..e), e the end of its last path slug (part path_end - 1): its authority (which ends
 * before e), every part before e and their places come from them alone (the splitter reads
 * left to right; the fragment's form is decided by its first byte, before its slugs), so it is
 * remembered by those bytes, 2-way set associative: a tracker's few endpoints
 * ("https://www.google-analytics.com/g/collect") and a site's pages come back request after
 * request, and a hash and a compare cost less than the host memo and a look at every slug. */
static size_t quiet_from_memo(pw_detect_scratch *scr, const char *s, size_t auth,
                              const pw_url_part *parts, size_t np, size_t path_end,
                              pw_quiet_ref *ref)
{
    size_t e = parts[path_end - 1].val_end, at;
    uint64_t h = mix_bytes(0x517cc1b727220a95ull ^ e ^ (uint64_t)path_end << 32, s, e);
    pw_quiet_memo *m = &scr->quiet_memo[memo_slot(h, PW_QUIET_MEMO_SLOTS / 2) * 2];
    ref->hash = h;
    ref->e = e;
    for (size_t w = 0; w < 2; w++)
        if (m[w].hash == h && m[w].n == e && same_bytes(m[w].bytes, s, e)) {
            ref->phrases_tag = m[w].phrases_quiet;
            return m[w].at == PW_QUIET_NONE ? np : m[w].at;
        }
    int general = general_at(scr, s, auth, parts, path_end, &at);
    m[1] = m[0];
    m[0].hash = h;
    m[0].n = (uint32_t)e;
    m[0].at = general ? (uint32_t)at : PW_QUIET_NONE;
    m[0].phrases_quiet = 0;
    memcpy(m[0].bytes, s, e);
    return general ? at : np;
}

size_t pw_page_quiet_from_ref(pw_detect_scratch *scr, const char *s, size_t auth,
                              const pw_url_part *parts, size_t np, size_t path_end,
                              pw_quiet_ref *ref)
{
    size_t at;
    ref->e = 0;
    ref->phrases_tag = 0;
    if (scr && path_end > 0 && parts[path_end - 1].val_end >= 8 &&
        parts[path_end - 1].val_end <= PW_QUIET_MEMO_LEN)
        return quiet_from_memo(scr, s, auth, parts, np, path_end, ref);
    return general_at(scr, s, auth, parts, path_end, &at) ? at : np;
}

size_t pw_page_quiet_from(pw_detect_scratch *scr, const char *s, size_t auth,
                          const pw_url_part *parts, size_t np, size_t path_end)
{
    pw_quiet_ref ref;
    return pw_page_quiet_from_ref(scr, s, auth, parts, np, path_end, &ref);
}

void pw_page_phrases_quiet(pw_detect_scratch *scr, const char *s, const pw_quiet_ref *ref,
                           uint32_t tag)
{
    if (!scr || !ref->e)
        return;
    pw_quiet_memo *m = &scr->quiet_memo[memo_slot(ref->hash, PW_QUIET_MEMO_SLOTS / 2) * 2];
    for (size_t w = 0; w < 2; w++)
        if (m[w].hash == ref->hash && m[w].n == ref->e && same_bytes(m[w].bytes, s, ref->e)) {
            m[w].phrases_quiet = tag;
            return;
        }
}

int pw_detect_general_page(const char *url, size_t n, size_t *slug)
{
    pw_url_part parts[PW_URL_MAX_PARTS];
    size_t auth = 0, np = url ? pw_url_parts(url, n, parts, PW_URL_MAX_PARTS, &auth) : 0;
    if (!url || auth == 0)
        return 0; /* a relative URL names no host and no page */
    size_t at;
    if (!general_at(NULL, url, auth, parts, np, &at))
        return 0;
    size_t k = 0; /* path slugs up to the page word */
    for (size_t i = 0; i < at; i++)
        k += parts[i].kind == PW_UPART_PATH;
    if (slug)
        *slug = k;
    return 1;
}

/* ---- text --------------------------------------------------------------------------------- */

/* Length of the component separator at s[i] (0: none): | : » · • – — " - " ： ｜. */
static size_t separator_at(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c == '|' || c == ':' || c == '\n')
        return 1;
    if (c == '-')
        return i > 0 && s[i - 1] == ' ' && i + 1 < n && s[i + 1] == ' ';
    if (c == 0xC2 && i + 1 < n)
        return (unsigned char)s[i + 1] == 0xBB || (unsigned char)s[i + 1] == 0xB7 ? 2 : 0;
    if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80) {
        unsigned char d = (unsigned char)s[i + 2];
        return d == 0x93 || d == 0x94 || d == 0xA2 ? 3 : 0;
    }
    if (c == 0xEF && i + 2 < n) /* full-width ： U+FF1A and ｜ U+FF5C (Chinese titles) */
        return ((unsigned char)s[i + 1] == 0xBC && (unsigned char)s[i + 2] == 0x9A) ||
                       ((unsigned char)s[i + 1] == 0xBD && (unsigned char)s[i + 2] == 0x9C)
                   ? 3
                   : 0;
    return 0;
}

/* 1 if the words of s[i..e) are none or start with a linking word ("Careers in Cardiology");
 * "for" links only a phrase that may name a specialty itself ("Parking for the Cancer Center",
 * but "News for Patients With Diabetes" is a patient's page). */
static int ends_or_links(const char *s, size_t i, size_t e, int any)
{
    static const char *const links[] = {"at", "in", "with", "for"};
    if (no_word(s, i, e))
        return 1;
    for (size_t k = 0; k < sizeof links / sizeof links[0] - !any; k++)
        if (words_match(s, i, e, links[k], strlen(links[k])))
            return 1;
    return 0;
}

/* Start of the last `words` words of s[b..e) (b when it holds fewer). */
static size_t last_words_start(const char *s, size_t b, size_t e, size_t words)
{
    size_t i = e;
    while (words > 0 && i > b) {
        while (i > b && !pw_isalnum((unsigned char)s[i - 1]))
            i--;
        while (i > b && pw_isalnum((unsigned char)s[i - 1]))
            i--;
        words--;
    }
    return i;
}

static size_t phrase_words(const pw_page_word *w)
{
    size_t k = 1;
    for (size_t i = 0; i < w->len; i++)
        k += w->phrase[i] == ' ';
    return k;
}

/* 1 if a health or care-intent hit of this segment (hits [mark, n), search queries aside)
 * overlaps seg bytes [b, e). */
static int names_health(const pw_scan *sc, const pw_seg *g, size_t mark, size_t b, size_t e)
{
    size_t ob, oe;
    pw_seg_span(g, b, e, &ob, &oe);
    for (size_t k = mark; k < sc->s->n_hits; k++) {
        const pw_hit *h = &sc->s->hits[k];
        if (h->category != PW_PHI_HEALTH && h->category != PW_PHI_CARE_INTENT)
            continue;
        if (h->category == PW_PHI_CARE_INTENT && strcmp(h->subtype, "search") == 0)
            continue;
        if (h->start < oe && ob < h->end)
            return 1;
    }
    return 0;
}

/* A component that marks a page is short: at its end a page phrase closes at most 6 words
 * ("Behavioral Health Technician Jobs"; "I need an insulin refill where is parking" is a
 * sentence), at its start it opens at most 10 ("Parking for the Heart and Vascular Institute"). */
#define END_MARKER_MAX_WORDS   6
#define START_MARKER_MAX_WORDS 10

/* 1 if s[b..e) holds more than max words. */
static int more_words_than(const char *s, size_t b, size_t e, size_t max)
{
    return !no_word(s, b, last_words_start(s, b, e, max));
}

/* 1 if phrase w ends in "to" ("give to", "donate to"): it links to what follows itself. */
static int ends_in_to(const pw_page_word *w)
{
    return w->len > 3 && memcmp(w->phrase + w->len - 3, " to", 3) == 0;
}

/* 1 if component s[b..e) starts with page phrase w, followed by its end or a link. */
static int starts_with_marker(const char *s, size_t b, size_t e, const pw_page_word *w)
{
    size_t end = words_match(s, b, e, w->phrase, w->len);
    return end && (ends_in_to(w) || ends_or_links(s, end, e, !(w->flags & PW_PAGE_ALONE)));
}

/* The first and the last word of s[b..e) (letter/digit runs); 0 when it holds none. */
static int edge_words(const char *s, size_t b, size_t e, size_t *fb, size_t *fe, size_t *lb,
                      size_t *le)
{
    size_t i = b, j = e;
    while (i < e && !pw_isalnum((unsigned char)s[i]))
        i++;
    if (i == e)
        return 0;
    while (j > i && !pw_isalnum((unsigned char)s[j - 1]))
        j--;
    *fb = i, *le = j;
    while (i < j && pw_isalnum((unsigned char)s[i]))
        i++;
    while (j > *fb && pw_isalnum((unsigned char)s[j - 1]))
        j--;
    *fe = i, *lb = j;
    return 1;
}

/* ---- titles not written in Latin letters (engine-recall2) ---------------------------------- */

/* 1 if the text s[0..len) is phrase p (len bytes), a Cyrillic capital of the text read as its
 * lower-case letter (А–П D0 90–9F are D0 B0–BF, Р–Я D0 A0–AF are D1 80–8F, Ё D0 81 is D1 91: the
 * same two bytes, so lengths agree). */
static int script_eq(const unsigned char *s, const unsigned char *p, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        if (s[k] == 0xD0 && k + 1 < len && s[k + 1] >= 0x81 && s[k + 1] <= 0xAF) {
            unsigned char d = s[k + 1], l0 = 0xD1, l1 = 0x91;
            if (d >= 0x90 && d <= 0x9F)
                l0 = 0xD0, l1 = (unsigned char)(d + 0x20);
            else if (d >= 0xA0)
                l1 = (unsigned char)(d - 0x20);
            else if (d != 0x81)
                l0 = 0xD0, l1 = d;
            if (p[k] != l0 || p[k + 1] != l1)
                return 0;
            k++;
        } else if (s[k] != p[k]) {
            return 0;
        }
    }
    return 1;
}

/* 1 if the byte before or after a whole-word phrase ends the word: an ASCII byte that is no
 * letter or digit (a space, punctuation). */
static int script_word_edge(unsigned char c)
{
    return c < 0x80 && !pw_isalnum(c);
}

/* A component of script words holds at most 10 words (START_MARKER_MAX_WORDS) and, written
 * without spaces (Chinese), at most 30 ideographs (90 bytes). */
#define SCRIPT_COMPONENT_MAX_BYTES 90

/* 1 if component s[b..e), a title's words in Chinese, Korean, Russian or Arabic, starts or ends
 * with a page phrase (general_pages_script.tsv): "肿瘤科护士招聘" (oncology nurse jobs), "암센터
 * 주차 안내" (cancer center parking), "Вакансия", "مواقف السيارات لمركز السرطان" (parking for the
 * cancer center). Chinese phrases (ideographs: lead byte E3–E9) match inside a run; the others
 * are whole words. An "alone" phrase counts at the start only as the whole component, at the end
 * only when the component names no health term (names_health). */
static int script_component_general(const pw_scan *sc, const pw_seg *g, size_t mark, size_t b,
                                    size_t e)
{
    const unsigned char *s = (const unsigned char *)g->s;
    while (b < e && script_word_edge(s[b]))
        b++;
    while (e > b && script_word_edge(s[e - 1]))
        e--;
    if (e - b < 3 || (s[b] < 0xC0 && s[e - 1] < 0x80))
        return 0; /* no word outside ASCII at either edge: the Latin rule's */
    size_t spaces = 0, cjk = 0;
    for (size_t i = b; i < e; i++) {
        spaces += s[i] == ' ';
        cjk += s[i] >= 0xE3 && s[i] <= 0xE9;
    }
    if (spaces >= START_MARKER_MAX_WORDS || (cjk && e - b > SCRIPT_COMPONENT_MAX_BYTES))
        return 0;
    for (size_t k = 0; k < COUNT(pw_page_script); k++) {
        const pw_page_script_word *w = &pw_page_script[k];
        const unsigned char *p = (const unsigned char *)w->phrase;
        size_t len = w->len;
        int inside = p[0] >= 0xE3 && p[0] <= 0xE9, alone = w->flags & PW_PAGE_ALONE;
        if (len > e - b)
            continue;
        if (script_eq(s + b, p, len) &&
            (b + len == e || (!alone && (inside || script_word_edge(s[b + len])))))
            return 1;
        size_t at = e - len;
        if (at > b && script_eq(s + at, p, len) && (inside || script_word_edge(s[at - 1])) &&
            (!alone || !names_health(sc, g, mark, b, e)))
            return 1;
    }
    return 0;
}

/* 1 if component s[b..e) marks a general page. */
static int component_general(const pw_scan *sc, const pw_seg *g, size_t mark, size_t b, size_t e)
{
    const char *s = g->s;
    size_t fb, fe, lb, le;
    if (script_component_general(sc, g, mark, b, e))
        return 1;
    if (!edge_words(s, b, e, &fb, &fe, &lb, &le))
        return 0;
    int starts = may_be_listed(pw_page_first_lens, (unsigned char)s[fb], fe - fb);
    int ends = may_be_listed(pw_page_last_lens, (unsigned char)s[lb], le - lb);
    if ((!starts && !ends) || more_words_than(s, b, e, START_MARKER_MAX_WORDS))
        return 0;
    ends = ends && !more_words_than(s, b, e, END_MARKER_MAX_WORDS);
    for (size_t k = 0; k < COUNT(pw_page_title); k++) {
        const pw_page_word *w = &pw_page_title[k];
        if (starts && w->first_len == fe - fb && starts_with_marker(s, b, e, w))
            return 1; /* "Volunteer Opportunities in Hospice Care" */
        if (!ends || (size_t)(w->len - w->last_at) != le - lb ||
            !word_eq(s + lb, le - lb, w->phrase + w->last_at))
            continue;
        size_t from = last_words_start(s, b, e, phrase_words(w));
        if (words_equal(s, from, e, w) &&
            (!(w->flags & PW_PAGE_ALONE) || !names_health(sc, g, mark, b, e)))
            return 1;
    }
    return 0;
}

/* A title is short and has few components; longer text (a message, a whole menu's text
 * "Home | Careers | Breast Cancer | Pay My Bill") is not judged by one of its parts. */
#define TITLE_MAX_BYTES      160
#define TITLE_MAX_COMPONENTS 4

/* 1 if the word ending just before s[i] is an abbreviation like "St", "Dr", "Mrs": one upper-case
 * letter and at most two lower-case ones ("St. Mary's" is a hospital's name, no sentence). */
static int abbreviation_before(const char *s, size_t i)
{
    size_t b = i;
    while (b > 0 && pw_isalpha((unsigned char)s[b - 1]) && i - b < 4)
        b--;
    if (b == i || i - b > 3 || (b > 0 && pw_isalpha((unsigned char)s[b - 1])))
        return 0;
    for (size_t k = b + 1; k < i; k++)
        if (!pw_islower((unsigned char)s[k]))
            return 0;
    return pw_isupper((unsigned char)s[b]);
}

/* The bytes text_general looks at: TITLE_SEP may start a component separator (separator_at: |
 * : newline '-' and the UTF-8 lead bytes 0xC2 0xE2 0xEF), TITLE_END may end a sentence
 * (". ", "? ", "! "). Most button and title texts hold none: they are one component without a
 * sentence break, found with one look at each byte (engine-speed). */
enum { TITLE_SEP = 1, TITLE_END = 2 };
static const unsigned char title_marks[256] = {
    ['|'] = TITLE_SEP,  [':'] = TITLE_SEP,  ['\n'] = TITLE_SEP, ['-'] = TITLE_SEP,
    [0xC2] = TITLE_SEP, [0xE2] = TITLE_SEP, [0xEF] = TITLE_SEP, ['.'] = TITLE_END,
    ['?'] = TITLE_END,  ['!'] = TITLE_END};

/* The first byte at or after i of s[0..n) whose title_marks share a bit with want (n when
 * none). engine-url9: SSE2 passes sixteen bytes that are none of . ? ! | : - newline and below
 * 0x80 at a time (a title of 100 bytes had a table look per byte, three times). */
static size_t next_title_mark(const char *s, size_t i, size_t n, unsigned want)
{
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')),
                                                           _mm_cmpeq_epi8(v, _mm_set1_epi8('-'))),
                                              _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('|')),
                                                           _mm_cmpeq_epi8(v, _mm_set1_epi8(':')))),
                                 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('?')),
                                                           _mm_cmpeq_epi8(v, _mm_set1_epi8('!'))),
                                              _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
        /* the top bit of v: a byte past 0x7F, which the table then judges (0xC2 0xE2 0xEF) */
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_or_si128(m, v));
        for (; bits; bits &= bits - 1) {
            size_t k = i + (size_t)__builtin_ctz(bits);
            if (title_marks[(unsigned char)s[k]] & want)
                return k;
        }
    }
#endif
    for (; i < n; i++)
        if (title_marks[(unsigned char)s[i]] & want)
            return i;
    return n;
}

/* The marks of s[0..n) or-ed (0: none), -1 when it holds a sentence break (". ", "? ", "! ",
 * but "St. Mary's" is none): a message, not a title. engine-url9: one pass for what were
 * three (the marks, the sentence breaks, then every byte asked for a separator). */
static int title_marks_of(const char *s, size_t n)
{
    int seen = 0;
    for (size_t i = next_title_mark(s, 0, n, TITLE_SEP | TITLE_END); i < n;
         i = next_title_mark(s, i + 1, n, TITLE_SEP | TITLE_END)) {
        int m = title_marks[(unsigned char)s[i]];
        seen |= m;
        if ((m & TITLE_END) && i + 1 < n && s[i + 1] == ' ' &&
            (s[i] != '.' || !abbreviation_before(s, i)))
            return -1;
    }
    return seen;
}

/* 1 if s[i..e) holds no letter or digit, neither ASCII nor a byte of a letter of another script
 * (a title in Chinese has no ASCII word: "肿瘤科护士招聘"). */
static int no_text(const char *s, size_t i, size_t e)
{
    for (; i < e; i++)
        if (pw_isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

static int text_general(const pw_scan *sc, const pw_seg *g, size_t mark)
{
    size_t from[TITLE_MAX_COMPONENTS], to[TITLE_MAX_COMPONENTS], nc = 0, b = 0;
    if (g->n > TITLE_MAX_BYTES)
        return 0;
    int marks = title_marks_of(g->s, g->n);
    if (marks < 0)
        return 0;
    if (!(marks & TITLE_SEP)) /* the whole text is the one component */
        return !no_text(g->s, 0, g->n) && component_general(sc, g, mark, 0, g->n);
    for (size_t i = next_title_mark(g->s, 0, g->n, TITLE_SEP); i <= g->n;
         i = i < g->n ? next_title_mark(g->s, i + 1, g->n, TITLE_SEP) : g->n + 1) {
        /* only a TITLE_SEP byte may start a separator (the others are passed 16 at a time) */
        size_t sep = i < g->n ? separator_at(g->s, g->n, i) : 1;
        if (!sep)
            continue;
        if (!no_text(g->s, b, i)) {
            if (nc == TITLE_MAX_COMPONENTS)
                return 0;
            from[nc] = b, to[nc++] = i;
        }
        b = i + sep;
        i = b - 1;
    }
    for (size_t k = 0; k < nc; k++)
        if (component_general(sc, g, mark, from[k], to[k]))
            return 1;
    return 0;
}

/* 1 if hits [mark, n) hold health context or care intent. */
static int has_health(const pw_scan *sc, size_t mark)
{
    for (size_t k = mark; k < sc->s->n_hits; k++)
        if (sc->s->hits[k].category == PW_PHI_HEALTH ||
            sc->s->hits[k].category == PW_PHI_CARE_INTENT)
            return 1;
    return 0;
}

/* 1 if g may be a page title or a button: not a path slug (the URL rule's), not what a visitor
 * typed (a form value, a search query: "where is parking" after a health question). */
static int may_be_title(const pw_seg *g)
{
    return !(g->in_url && !g->in_query) && g->type != PW_FT_FORM_VALUE && g->ctx != PW_CTX_SEARCH;
}

void pw_page_text_filter(pw_scan *sc, const pw_seg *g, size_t mark)
{
    if (sc->st != PW_OK || !may_be_title(g) || !has_health(sc, mark) || !text_general(sc, g, mark))
        return;
    size_t kept = mark;
    for (size_t k = mark; k < sc->s->n_hits; k++) {
        pw_phi_category c = sc->s->hits[k].category;
        if (c != PW_PHI_HEALTH && c != PW_PHI_CARE_INTENT)
            sc->s->hits[kept++] = sc->s->hits[k];
    }
    sc->s->n_hits = kept;
}
