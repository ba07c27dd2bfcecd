/*
 * test_detect_words.c — health context is the same whichever way the words reach the vocabulary:
 * with the automaton back end, health.c hands the segment's own words over as spans (camelCase
 * split, any case); with Hyperscan it matches a normalised lower-case copy. Both detectors scan
 * the same seeded text built from vocabulary terms written as camelCase, slugs, upper case,
 * percent-encoded and mixed with stray bytes, as text and inside URLs, and must give identical
 * hits. Skips when Hyperscan is not in the build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/vocab.h"
#include "detect_helpers.h"
#include "pw_test.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(uint32_t n)
{
    return pw_test_rnd(&rng_state, n);
}

typedef struct text {
    char b[512];
    size_t n;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->n + n >= sizeof t->b)
        n = sizeof t->b - 1 - t->n;
    memcpy(t->b + t->n, s, n);
    t->n += n;
    t->b[t->n] = '\0';
}

/* A term written one of several ways: as is, camelCase, a slug, upper case, %20-joined. */
static void put_term(text *t, const char *term)
{
    int style = (int)rnd(5);
    int up_next = style == 1 ? 0 : -1;
    for (const char *p = term; *p; p++) {
        char c = *p;
        if (c == ' ') {
            if (style == 1) {
                up_next = 1;
                continue;
            }
            put(t, style == 2 ? "-" : style == 4 ? "%20" : " ", style == 4 ? 3 : 1);
            continue;
        }
        if ((style == 3 || up_next == 1) && c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        up_next = style == 1 ? 0 : -1;
        put(t, &c, 1);
    }
}

static void make_text(const pw_vocab *v, text *t)
{
    static const char *const glue[] = {" ",    " ",        "-",          "/",
                                       ", ",   "\xc3\xa9", "HIVTesting", "breastCancerTreatment",
                                       "Dr. ", " 2024 ",   "my",         "MRI"};
    t->n = 0;
    t->b[0] = '\0';
    int pieces = 1 + (int)rnd(5);
    for (int k = 0; k < pieces; k++) {
        const char *g = glue[rnd(sizeof glue / sizeof glue[0])];
        put(t, g, strlen(g));
        put_term(t, pw_vocab_entry_at(v, rnd((uint32_t)pw_vocab_size(v)))->term);
    }
}

static int same_hits(const pw_hit *a, size_t na, const pw_hit *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (a[i].category != b[i].category || strcmp(a[i].subtype, b[i].subtype) != 0 ||
            a[i].start != b[i].start || a[i].end != b[i].end ||
            strcmp(a[i].normalized, b[i].normalized) != 0 ||
            strcmp(a[i].reason_detail, b[i].reason_detail) != 0)
            return 0;
    return 1;
}

static void test_automaton_equals_hyperscan(void)
{
    dt_ctx ac, hs;
    CHECK(dt_open(&ac, NULL, 0));
    setenv("PHIWALL_VOCAB_BACKEND", "hyperscan", 1);
    int have_hs = dt_open(&hs, NULL, 0);
    unsetenv("PHIWALL_VOCAB_BACKEND");
    if (!have_hs) {
        printf("skipped: no Hyperscan in this build\n");
        dt_close(&ac);
        return;
    }
    pw_vocab *v = NULL;
    CHECK(pw_vocab_new(NULL, &v, NULL) == PW_OK);
    size_t health = 0;
    for (int i = 0; i < 3000; i++) {
        text t;
        make_text(v, &t);
        char url[700];
        snprintf(url, sizeof url, "https://h.org/conditions/%s?q=%s", t.b, t.b);
        const char *inputs[] = {t.b, url};
        for (int k = 0; k < 2; k++) {
            pw_field_type ft = k ? PW_FT_URL : PW_FT_TEXT;
            size_t na = dt_scan(&ac, NULL, inputs[k], ft), nb = dt_scan(&hs, NULL, inputs[k], ft);
            CHECK(same_hits(ac.h, na, hs.h, nb));
            for (size_t h = 0; h < na; h++)
                health += ac.h[h].category == PW_PHI_HEALTH;
        }
        pw_arena_reset(&ac.a);
        pw_arena_reset(&hs.a);
    }
    CHECK(health > 3000); /* the text really is full of terms */
    pw_vocab_free(v);
    dt_close(&ac);
    dt_close(&hs);
}

PW_TEST_MAIN(PW_TEST(test_automaton_equals_hyperscan))
