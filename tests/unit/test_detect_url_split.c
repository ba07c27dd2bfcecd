/*
 * test_detect_url_split.c — engine-url9's fast paths give what the code before them gave:
 *
 *   pw_url_parts_paths splits the main path and the query with one walk over sixteen-byte
 *   delimiter masks each (url_mode.c); here it is compared, part for part, with the splitter it
 *   replaced (a search per slug, two per parameter), kept below as the reference, on random URLs
 *   rich in delimiters at every length 0..300 and with part limits that fill.
 *
 *   A page title's marks, sentence breaks and separators are found sixteen bytes at a time
 *   (page_context.c text_general): a title whose separator or sentence break sits at every offset
 *   0..60 (inside the first block, across its end, in the next and in the partial last one) is
 *   judged as before.
 *
 *   Hits that overlap none are kept in start order without the sort by specificity (detector.c
 *   resolve_overlaps): random sets of 1..20 hits, nested, touching, equal in span and rank,
 *   search queries and care intent around health terms, resolved with and without that path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "detect_helpers.h"
#include "pw_test.h"

/* ---- the reference: the splitter before engine-url9, byte at a time ---------------------- */

typedef struct ref_sink {
    pw_url_part *v;
    size_t n, max, path_end;
    int full;
} ref_sink;

static void ref_put(ref_sink *k, pw_upart_kind kind, size_t ks, size_t ke, size_t vs, size_t ve)
{
    if (k->n >= k->max) {
        k->full = 1;
        return;
    }
    k->v[k->n++] = (pw_url_part){kind, ks, ke, vs, ve};
}

static size_t ref_find(const char *s, size_t i, size_t n, char c)
{
    while (i < n && s[i] != c)
        i++;
    return i;
}

static void ref_split_path(ref_sink *k, const char *s, size_t b, size_t e)
{
    size_t prev_s = b, prev_e = b, i = b;
    while (i < e) {
        if (s[i] == '/') {
            i++;
            continue;
        }
        size_t j = ref_find(s, i, e, '/');
        ref_put(k, PW_UPART_PATH, prev_s, prev_e, i, j);
        k->path_end = k->n;
        prev_s = i, prev_e = j;
        i = j;
    }
}

static void ref_split_params(ref_sink *k, const char *s, size_t b, size_t e)
{
    size_t i = b, semi = ref_find(s, b, e, ';');
    while (i < e) {
        if (semi < i)
            semi = ref_find(s, i, e, ';');
        size_t j = ref_find(s, i, semi, '&');
        if (j > i) {
            size_t eq = ref_find(s, i, j, '=');
            if (eq < j)
                ref_put(k, PW_UPART_PARAM, i, eq, eq + 1, j);
            else
                ref_put(k, PW_UPART_TEXT, i, i, i, j);
        }
        i = j + 1;
    }
}

static size_t ref_authority(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (pw_isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i == 0 || i + 3 > n || memcmp(s + i, "://", 3) != 0)
        return 0;
    i += 3;
    while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    return i;
}

static size_t ref_parts(const char *s, size_t n, pw_url_part *parts, size_t max, size_t *auth,
                        size_t *path_end)
{
    ref_sink k = {parts, 0, max > 0 ? max - 1 : 0, 0, 0};
    size_t a = ref_authority(s, n);
    *auth = a;
    size_t x = ref_find(s, a, n, '?'), q = ref_find(s, a, x, '#');
    ref_split_path(&k, s, a, q);
    if (q < n && s[q] == '?') {
        size_t h = ref_find(s, q + 1, n, '#');
        ref_split_params(&k, s, q + 1, h);
        q = h;
    }
    if (q < n && s[q] == '#') {
        size_t f = q + 1;
        if (f < n && s[f] == '!')
            f++;
        size_t fq = ref_find(s, f, n, '?');
        if (f < n && s[f] == '/')
            ref_split_path(&k, s, f, fq);
        else if (memchr(s + f, '=', fq - f))
            ref_split_params(&k, s, f, fq), fq = fq < n ? fq : n;
        else if (fq > f)
            ref_put(&k, PW_UPART_TEXT, f, f, f, fq);
        if (fq < n)
            ref_split_params(&k, s, fq + 1, n);
    }
    if (k.full && k.n > 0 && max > 0) {
        size_t from = k.v[k.n - 1].val_end;
        k.v[k.n++] = (pw_url_part){PW_UPART_TEXT, from, from, from, n};
    }
    *path_end = k.path_end;
    return k.n;
}

/* ---- the splitter against it -------------------------------------------------------------- */

static int same_parts(const pw_url_part *a, const pw_url_part *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].kind != b[i].kind || a[i].key_start != b[i].key_start ||
            a[i].key_end != b[i].key_end || a[i].val_start != b[i].val_start ||
            a[i].val_end != b[i].val_end)
            return 0;
    return 1;
}

static void test_parts_as_reference(void)
{
    /* delimiters often, runs of them, and plain bytes between */
    static const char alphabet[] = "//??##&&;;==!!ab%2Fxyz019_-.";
    static const char *const heads[] = {"https://www.h.org", "http://x",     "",      "/rel",
                                        "https://",          "ftp://a.b:80", "h.org/"};
    static const size_t maxes[] = {PW_URL_MAX_PARTS, 0, 1, 2, 3, 5, 8};
    static pw_url_part got[PW_URL_MAX_PARTS], want[PW_URL_MAX_PARTS];
    char url[400];
    unsigned seed = 9;
    size_t cases = 0, wrong = 0, full = 0;
    for (size_t len = 0; len <= 300; len++)
        for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
            for (int rep = 0; rep < 3; rep++) {
                size_t hn = strlen(heads[h]), n = hn + len;
                memcpy(url, heads[h], hn);
                for (size_t i = hn; i < n; i++) {
                    seed = seed * 1103515245u + 12345u;
                    unsigned r = seed >> 16;
                    /* every other URL mostly plain bytes: long slugs, keys and values */
                    size_t pick =
                        (rep == 1 && r % 4) ? 22 + (r >> 3) % 6 : (r >> 3) % (sizeof alphabet - 1);
                    url[i] = alphabet[pick];
                }
                url[n] = '\0';
                for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
                    size_t ga = 7, gp = 7, wa = 9, wp = 9;
                    size_t gn = pw_url_parts_paths(url, n, got, maxes[m], &ga, &gp);
                    size_t wn = ref_parts(url, n, want, maxes[m], &wa, &wp);
                    cases++;
                    full += maxes[m] && wn == maxes[m];
                    if (gn != wn || ga != wa || gp != wp || !same_parts(got, want, wn)) {
                        if (wrong++ < 5)
                            fprintf(stderr, "  parts differ (max %zu): %s\n", maxes[m], url);
                    }
                }
            }
    CHECK_INT((int)wrong, 0);
    CHECK(cases > 40000);
    CHECK(full > 1000); /* limits were reached: the rest became one text part */
}

/* A URL's parts at 16-byte block edges, written out: the last byte of a block a delimiter, the
 * first of the next one, a query starting in the partial last block. */
static void test_parts_at_block_edges(void)
{
    pw_url_part p[16];
    size_t auth, path_end;
    /* "https://h.org/ab" is 16 bytes: the '/' after it starts the second block; the query
     * starts in the third, the fragment ("f=3") is split by the old code */
    const char *u = "https://h.org/ab/cdefghijklmnop/q?k=v&x;y=1=2#f=3";
    size_t np = pw_url_parts_paths(u, strlen(u), p, 16, &auth, &path_end);
    CHECK_INT((int)auth, 13);
    CHECK_INT((int)np, 7);
    CHECK_INT((int)path_end, 3);
    CHECK(p[1].kind == PW_UPART_PATH && p[1].key_start == 14 && p[1].key_end == 16 &&
          p[1].val_start == 17 && p[1].val_end == 31);
    CHECK(p[3].kind == PW_UPART_PARAM && p[3].key_start == 34 && p[3].val_end == 37);
    CHECK(p[4].kind == PW_UPART_TEXT && p[4].val_start == 38 && p[4].val_end == 39);
    /* "y=1=2": the first '=' splits */
    CHECK(p[5].kind == PW_UPART_PARAM && p[5].key_end == 41 && p[5].val_start == 42 &&
          p[5].val_end == 45);
    CHECK(p[6].kind == PW_UPART_PARAM && p[6].key_start == 46 && p[6].val_end == 49);
}

/* ---- titles -------------------------------------------------------------------------------- */

/* 1 if the scan of text (a page title, key "title") gave a health hit. */
static int health_hit(dt_ctx *t, const char *text)
{
    dt_scan(t, "title", text, PW_FT_JSON_VALUE);
    return dt_find(t, PW_PHI_HEALTH) != NULL;
}

static void test_title_marks_at_every_offset(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    /* a page title: "<words> | Breast Cancer Nurse Jobs" is the hospital's careers page, whatever
     * the length of the component before the separator; the same with a sentence break before
     * it is a message, and its health term counts */
    CHECK(health_hit(&t, "Breast Cancer Nurse"));
    CHECK(!health_hit(&t, "Breast Cancer Nurse Jobs"));
    char text[200];
    size_t wrong = 0;
    for (size_t pad = 1; pad <= 60; pad++) {
        char first[80];
        for (size_t i = 0; i < pad; i++)
            first[i] = i % 6 == 5 ? ' ' : (char)('a' + i % 5); /* no word an abbreviation */
        first[pad] = '\0';
        snprintf(text, sizeof text, "x%s | Breast Cancer Nurse Jobs", first);
        wrong += health_hit(&t, text); /* a page: no health hit */
        snprintf(text, sizeof text, "x%s - Breast Cancer Nurse Jobs", first);
        wrong += health_hit(&t, text);
        snprintf(text, sizeof text,
                 "x%s\xe2\x80\x94"
                 "Breast Cancer Nurse Jobs",
                 first); /* em dash */
        wrong += health_hit(&t, text);
        snprintf(text, sizeof text, "x%s. Breast Cancer Nurse Jobs", first); /* a sentence break */
        wrong += !health_hit(&t, text);
        snprintf(text, sizeof text, "x%s? Breast cancer nurse jobs | Careers", first);
        wrong += !health_hit(&t, text);
        snprintf(text, sizeof text, "Dr. x%s | Breast Cancer Nurse Jobs", first); /* no break */
        wrong += health_hit(&t, text);
        /* the separator, then the sentence break, in the last (partial) block for short pads */
        snprintf(text, sizeof text, "Breast Cancer Nurse Jobs | x%s", first);
        wrong += health_hit(&t, text);
        snprintf(text, sizeof text, "Breast Cancer Nurse Jobs | Careers. x%s", first);
        wrong += !health_hit(&t, text);
        if (wrong && wrong < 3)
            fprintf(stderr, "  title judged otherwise at pad %zu\n", pad);
    }
    CHECK_INT((int)wrong, 0);
    dt_close(&t);
}

/* ---- overlap resolution ------------------------------------------------------------------- */

static int same_hit(const pw_hit *a, const pw_hit *b)
{
    return a->category == b->category && a->subtype == b->subtype && a->start == b->start &&
           a->end == b->end && a->normalized == b->normalized && a->confidence == b->confidence &&
           a->reason == b->reason && a->reason_detail == b->reason_detail &&
           a->sensitivity == b->sensitivity;
}

static void test_resolve_as_reference(void)
{
    static const pw_phi_category cats[] = {PW_PHI_EMAIL,  PW_PHI_PHONE,       PW_PHI_SSN,
                                           PW_PHI_DATE,   PW_PHI_ZIP,         PW_PHI_NAME,
                                           PW_PHI_CARD,   PW_PHI_NPI,         PW_PHI_HEALTH,
                                           PW_PHI_HEALTH, PW_PHI_CARE_INTENT, PW_PHI_CARE_INTENT};
    static const float confs[] = {0.8f, 0.85f, 0.9f};
    static const char *const labels[] = {"a", "b", "c", "d"};
    pw_detect_scratch *s = calloc(1, sizeof *s); /* resolve uses its long-field buffers only */
    CHECK(s != NULL);
    if (!s)
        return;
    pw_hit a[20], b[20];
    unsigned seed = 17;
    size_t cases = 0, wrong = 0, disjoint = 0;
    for (int round = 0; round < 20000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % 20, span = (round & 1) ? 200 : 40; /* sparse, dense */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 8;
            size_t st = (i * span / n + r % 7) % span, len = 1 + (r >> 4) % 9;
            if (i > 0 && r % 11 == 0) /* the same span and kind as the hit before */
                a[i] = a[i - 1], a[i].normalized = labels[(r >> 6) % 4];
            else
                a[i] = (pw_hit){.category = cats[(r >> 8) % (sizeof cats / sizeof cats[0])],
                                .subtype = (r >> 12) % 3 == 0 ? "search" : "care",
                                .start = st,
                                .end = st + len,
                                .normalized = labels[(r >> 14) % 4],
                                .confidence = confs[(r >> 16) % 3]};
        }
        memcpy(b, a, n * sizeof *a);
        size_t ka = pw_detect_resolve_hits(s, a, n, 1), kb = pw_detect_resolve_hits(s, b, n, 0);
        cases++;
        disjoint += ka == n && n > 1;
        int same = ka == kb;
        for (size_t i = 0; same && i < ka; i++)
            same = same_hit(&a[i], &b[i]);
        if (!same && wrong++ < 3)
            fprintf(stderr, "  round %d: %zu hits resolved to %zu, reference %zu\n", round, n, ka,
                    kb);
    }
    CHECK_INT((int)wrong, 0);
    CHECK(disjoint > 1000); /* the fast path was taken */
    free(s->sort_keys);
    free(s->sort_hits);
    free(s->kept_by_start);
    free(s);
}

PW_TEST_MAIN(PW_TEST(test_parts_as_reference), PW_TEST(test_parts_at_block_edges),
             PW_TEST(test_title_marks_at_every_offset), PW_TEST(test_resolve_as_reference))
