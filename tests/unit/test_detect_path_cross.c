/*
 * test_detect_path_cross.c — a health term that runs across URL path slugs is found whatever the
 * slugs' script and whether a slug carries digits: path_phrase.c's shortcuts (the slugs a phrase
 * may run through, the words beside each '/' that rule a phrase out without a scan) must never
 * skip a term the scan of the whole run finds. Review10b found three that did: a slug of another
 * script had "no letter" (only ASCII letters counted), its words were not the ones read beside the
 * cut, and a word the vocabulary cuts between letters and digits ("cancer2024") was read whole.
 * Each case is also checked against its percent-escaped form, which is always scanned whole.
 */
#include <string.h>

#include "detect_helpers.h"
#include "pw_test.h"

typedef struct cross_case {
    const char *url;     /* the raw form */
    const char *escaped; /* the same path percent-escaped (scanned whole) */
    const char *covered; /* the hit's text in the raw form: both slugs and the '/' */
    const char *term;    /* its normalised value */
} cross_case;

static const cross_case cross_cases[] = {
    {"https://h.org/breast/cancer2024", "https://h.org/breast/canc%65r2024", "breast/cancer",
     "breast cancer"},
    {"https://h.org/2breast/cancer", "https://h.org/2breast/canc%65r", "breast/cancer",
     "breast cancer"},
    {"https://h.org/services/mental/health2/xy", "https://h.org/services/mental/health2/x%79",
     "mental/health", "mental health"},
    {"https://h.org/std/testing1", "https://h.org/std/testing1%20a", "std/testing", "std testing"},
    {"https://h.org/ko/HIV/\xea\xb2\x80\xec\x82\xac/index.html",
     "https://h.org/ko/HIV/%EA%B2%80%EC%82%AC/index.html", "HIV/\xea\xb2\x80\xec\x82\xac",
     "HIV \xea\xb2\x80\xec\x82\xac"},
    {"https://h.org/ar/\xd8\xb3\xd8\xb1\xd8\xb7\xd8\xa7\xd9\x86/"
     "\xd8\xa7\xd9\x84\xd8\xab\xd8\xaf\xd9\x8a/index.html",
     "https://h.org/ar/%D8%B3%D8%B1%D8%B7%D8%A7%D9%86/%D8%A7%D9%84%D8%AB%D8%AF%D9%8A/index.html",
     "\xd8\xb3\xd8\xb1\xd8\xb7\xd8\xa7\xd9\x86/\xd8\xa7\xd9\x84\xd8\xab\xd8\xaf\xd9\x8a",
     "\xd8\xb3\xd8\xb1\xd8\xb7\xd8\xa7\xd9\x86 \xd8\xa7\xd9\x84\xd8\xab\xd8\xaf\xd9\x8a"},
};

/* The health hit whose normalised value is term (or NULL). */
static const pw_hit *find_term(dt_ctx *t, const char *term)
{
    for (size_t i = 0; i < t->n; i++)
        if (!pw_phi_is_identifier(t->h[i].category) && t->h[i].normalized &&
            strcmp(t->h[i].normalized, term) == 0)
            return &t->h[i];
    return NULL;
}

static void check_case(dt_ctx *t, const cross_case *c)
{
    CHECK(dt_scan(t, "dl", c->url, PW_FT_URL) != (size_t)-1);
    const pw_hit *h = find_term(t, c->term);
    const char *at = strstr(c->url, c->covered);
    CHECK(at != NULL);
    if (!h || !at || h->start != (size_t)(at - c->url) || h->end != h->start + strlen(c->covered))
        fprintf(stderr, "  %s: no hit \"%s\" over \"%s\"\n", c->url, c->term, c->covered);
    CHECK(h && at && h->start == (size_t)(at - c->url) && h->end == h->start + strlen(c->covered));
    /* the escaped form, scanned whole, agrees */
    CHECK(dt_scan(t, "dl", c->escaped, PW_FT_URL) != (size_t)-1);
    if (!find_term(t, c->term))
        fprintf(stderr, "  %s: no hit \"%s\"\n", c->escaped, c->term);
    CHECK(find_term(t, c->term) != NULL);
}

static void test_cross_slug_terms(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    for (size_t i = 0; i < sizeof cross_cases / sizeof cross_cases[0]; i++)
        check_case(&t, &cross_cases[i]);
    /* twice with the same scratch: the run memo remembers no "no phrase" for these runs */
    for (size_t i = 0; i < sizeof cross_cases / sizeof cross_cases[0]; i++)
        check_case(&t, &cross_cases[i]);
    dt_close(&t);
}

/* The shortcut still holds where it should: a run with nothing to join keeps its single-slug
 * hits and gains none across the cut. */
static void test_no_phrase_across_unrelated_slugs(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    CHECK(dt_scan(&t, "dl", "https://h.org/blog/asthma2024/apply", PW_FT_URL) != (size_t)-1);
    const pw_hit *h = find_term(&t, "asthma");
    CHECK(h != NULL);
    for (size_t i = 0; i < t.n; i++)
        CHECK(!strchr(t.str + t.h[i].start, '/') ||
              (size_t)(strchr(t.str + t.h[i].start, '/') - t.str) >= t.h[i].end);
    dt_close(&t);
}

PW_TEST_MAIN(PW_TEST(test_cross_slug_terms), PW_TEST(test_no_phrase_across_unrelated_slugs))
