/*
 * test_detect_url_memo.c — engine-url7's memos for URL fields never change a result: the
 * parameter-name table in front of the key memo (key_memo.c, pw_ctx_param_key) answers what the
 * classification answers for every name, whatever shared its slot before; and with one
 * long-lived scratch, URLs whose hosts share the host memo's slots (page_context.c), whose path
 * runs share the run memo (path_phrase.c, seg_memo.c) and whose page URL in dl= has slugs with
 * hits at other offsets (the hit memo for decoded parts, seg_memo.c) get exactly the hits of a
 * scan with a fresh scratch, every field of them compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "detect_helpers.h"
#include "phiwall/text.h"
#include "pw_test.h"

/* What the classification of a URL parameter name is, without any memo: a name with '%' or '+'
 * is classified decoded (key_memo.c's classify_param). */
static pw_ctx ref_ctx(pw_arena *a, const char *k, size_t n)
{
    if (memchr(k, '%', n) || memchr(k, '+', n)) {
        size_t dn = 0;
        char *dec = pw_pct_decode(a, k, n, 1, &dn);
        CHECK(dec != NULL);
        if (dec)
            return pw_ctx_from_key(dec, dn);
    }
    return pw_ctx_from_key(k, n);
}

/* Names of 1..24 bytes: tracker names, names that differ from each other only in their last
 * bytes (same length, same first eight: one slot's head), or only in length, escaped names;
 * thousands of them, so that every slot of the 256-slot table is taken over many times. */
static size_t make_names(char (*out)[32], size_t max)
{
    static const char *const heads[] = {"patient_", "customer", "utm_data", "cd[form_", "ud[",
                                        "x",        "first",    "q",        "a%5F",     "my+"};
    static const char *const tails[] = {"id",  "name", "email", "dob",  "phone", "zip",   "mrn",
                                        "ts",  "v",    "xx",    "nam",  "namf",  "e",     "]",
                                        "id]", "fn",   "ln",    "city", "term",  "search"};
    static const char *const plain[] = {
        "v",  "tid", "cid", "dl", "dt", "ev", "en", "_s",         "sr",  "id",  "ts",  "fn", "ln",
        "em", "ph",  "q",   "s",  "k",  "dr", "ul", "utm_source", "dob", "zip", "mrn", "rx", "ssn"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0] && n < max; i++)
        snprintf(out[n++], sizeof out[0], "%s", plain[i]);
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
        for (size_t t = 0; t < sizeof tails / sizeof tails[0] && n < max; t++)
            snprintf(out[n++], sizeof out[0], "%s%s", heads[h], tails[t]);
    /* names with the head, length and table slot of "customername" (a name's key) and
     * "patient_id" (a record's): only their last bytes tell them apart */
    static const char *const shared[] = {"customername", "patient_id"};
    for (size_t w = 0; w < 2; w++) {
        size_t len = strlen(shared[w]);
        uint64_t head, tail;
        pw_param_key_words(shared[w], len, &head, &tail);
        size_t slot = pw_param_memo_slot(head, tail, len), found = 0;
        char b[32];
        for (unsigned k = 0; k < (w ? 100u : 10000u) && found < 4 && n < max; k++) {
            if (w == 0)
                snprintf(b, sizeof b, "customer%04u", k);
            else
                snprintf(b, sizeof b, "patient_%02u", k);
            pw_param_key_words(b, len, &head, &tail);
            if (strcmp(b, shared[w]) != 0 && pw_param_memo_slot(head, tail, len) == slot) {
                snprintf(out[n++], sizeof out[0], "%s", b);
                snprintf(out[n++], sizeof out[0], "%s", shared[w]); /* then the name again */
                found++;
            }
        }
        CHECK(w == 1 || found > 0);
    }
    for (unsigned k = 0; n < max; k++) /* fillers: other names through every slot */
        snprintf(out[n++], sizeof out[0], "%c%u_%s", 'a' + (int)(k % 26), k,
                 tails[k % (sizeof tails / sizeof tails[0])]);
    return n;
}

static void test_param_names_as_classified(void)
{
    enum { NAMES = 3000 };
    static char names[NAMES][32];
    size_t nn = make_names(names, NAMES);
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    pw_detector_opts o = {0};
    CHECK(pw_detector_new(&o, &d, NULL) == PW_OK);
    CHECK(d && pw_detect_scratch_new(d, &s, NULL) == PW_OK);
    if (!s)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t wrong = 0;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < nn; i++) {
            size_t n = strlen(names[i]);
            pw_ctx want = ref_ctx(&a, names[i], n);
            pw_ctx got = pw_ctx_param_key(s, &a, names[i], n);
            pw_ctx again = pw_ctx_param_key(s, &a, names[i], n); /* from the table */
            pw_ctx direct = pw_ctx_from_param_key(s, &a, names[i], n);
            if (got != want || again != want || direct != want) {
                if (wrong++ < 5)
                    fprintf(stderr, "  round %d: %s gave %d/%d/%d, classified %d\n", round,
                            names[i], (int)got, (int)again, (int)direct, (int)want);
            }
            pw_arena_reset(&a);
        }
    CHECK_INT((int)wrong, 0);
    CHECK(pw_ctx_param_key(s, &a, "", 0) == PW_CTX_NONE);
    pw_arena_free(&a);
    pw_detect_scratch_free(s);
    pw_detector_free(d);
}

/* The URLs: page URLs in dl= whose slugs give hits, behind prefixes of every length (their
 * decoded parts come back at other offsets of other fields), a '+' decoded to a space inside
 * and outside a nested URL, general-page hosts beside hosts of the same length that are none
 * (through every slot of the host memo), path runs a phrase crosses beside runs none does. */
static size_t make_urls(char (*out)[256], size_t max)
{
    static const char *const pages[] = {
        "%2Fconditions%2Fbreast-cancer%2Ftreatment",
        "%2Fconditions%2Fhepatitis-c%3Femail%3Djane.doe%2540example.com",
        "%2Fservices%2Fhiv-testing%3Fq%3Dhiv%2Btest",
        "%2Fpatients%2F48213907%2Fresults",
        "%2Fcareers%2Foncology-nurse",
        "%2Fpharmacy%2Frefill",
    };
    static const char *const heads[] = {
        "https://t.example/tr?id=1&ev=PageView&dl=https%3A%2F%2Fh.org",
        "https://www.google-analytics.com/g/collect?v=2&dl=https%3A%2F%2Fh.org",
        "https://x.io/p?dl=https%3A%2F%2Fh.org",
        "https://t2.example/c?aa=1&bbb=22&dl=https%3A%2F%2Fh.org"};
    static const char *const fixed[] = {
        "https://h.org/search?q=breast+cancer",
        "https://h.org/s?x=1&q=breast+cancer",
        "https://h.org/pharmacy/refill",
        "https://h.org/pharmacy/refills",
        "https://h.org/portal/login",
        "https://h.org/portal/logic",
        "https://h.org/conditions/breast-cancer",
        "https://h.org/conditions/breast-cancer#/pharmacy/refill",
        "https://careers.h.org/oncology",
        "https://carpool.h.org/oncology",
        "https://jobs.icims.com/oncology",
        "https://jobs.icimx.com/oncology",
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && n < max; i++)
        snprintf(out[n++], sizeof out[0], "%s", fixed[i]);
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
        for (size_t p = 0; p < sizeof pages / sizeof pages[0] && n < max; p++)
            snprintf(out[n++], sizeof out[0], "%s%s%%26n%%3D%zu&ts=1700000000123", heads[h],
                     pages[p], h); /* a dl= value of its own: its decoded parts are compared */
    for (unsigned k = 0; n + 2 <= max; k++) { /* hosts through every slot of the host memo */
        snprintf(out[n++], sizeof out[0], "https://careers.h%u.org/oncology/nurse", k);
        snprintf(out[n++], sizeof out[0], "https://carpool.h%u.org/oncology/nurse", k);
    }
    return n;
}

static void test_urls_same_as_fresh(void)
{
    enum { URLS = 200 };
    static char urls[URLS][256];
    size_t nu = make_urls(urls, URLS);
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    size_t wrong = 0, with_hits = 0;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < nu; i++) {
            pw_detect_scratch *s = NULL;
            pw_hit *ref = NULL;
            size_t nref = 0;
            CHECK(pw_detect_scratch_new(t.d, &s, NULL) == PW_OK);
            CHECK(pw_detect_scan(t.d, s, &t.a, NULL, urls[i], strlen(urls[i]), PW_FT_URL, &ref,
                                 &nref, NULL) == PW_OK);
            pw_detect_scratch_free(s);
            dt_scan(&t, NULL, urls[i], PW_FT_URL);
            with_hits += round == 0 && nref > 0;
            if (!dt_same_hits(t.h, t.n, ref, nref) && wrong++ < 5)
                fprintf(stderr, "  round %d: hits differ for %s\n", round, urls[i]);
        }
    CHECK_INT((int)wrong, 0);
    CHECK(with_hits >= 20); /* the cases do have hits to get wrong */
    /* and the phrase across two slugs is still found once its run was seen */
    dt_scan(&t, NULL, "https://h.org/pharmacy/refill", PW_FT_URL);
    const pw_hit *h = dt_find(&t, PW_PHI_CARE_INTENT);
    CHECK(h != NULL && h->start == 14 && h->end == 29);
    dt_close(&t);
}

/* The slug of a page URL in dl= that gave a health hit in one field is given from the memo in
 * the next, at its own offset there. */
static void test_decoded_slug_hit_at_its_offset(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    /* two page URLs: the dl= values differ (not given whole from the memo), the slug does not */
    const char *a = "https://t.example/tr?dl=https%3A%2F%2Fh.org%2Fconditions%2Fbreast-cancer"
                    "%3Fx%3D1";
    const char *b = "https://t.example/tr?id=12&ev=PageView&dl=https%3A%2F%2Fh.org%2Fconditions%2F"
                    "breast-cancer%3Fx%3D2";
    for (int i = 0; i < 2; i++) /* remembered the second time it comes */
        dt_scan(&t, NULL, a, PW_FT_URL);
    dt_scan(&t, NULL, b, PW_FT_URL);
    const pw_hit *h = dt_find(&t, PW_PHI_HEALTH);
    CHECK(h != NULL);
    if (h) {
        const char *at = strstr(b, "breast-cancer");
        CHECK_INT((int)h->start, (int)(at - b));
        CHECK_INT((int)h->end, (int)(at - b) + 13);
    }
    dt_close(&t);
}

/* The same bytes under another key: the segment and hit memos key a segment by its key's text
 * too, which detectors read ("cita" reads 03/04 day-first, ident_date.c; a bare "provider"
 * key's value is a service, "provider_name"'s a name, ident_name.c). Keyed by the key's context
 * alone, a reused scratch answered as for the first key (found in review, 2 December 2026). */
static void test_same_bytes_other_key(void)
{
    static const struct {
        const char *key, *value;
        pw_field_type type;
    } seq[] = {
        {"cita", "03/04/2025", PW_FT_JSON_VALUE},
        {"cita", "03/04/2025", PW_FT_JSON_VALUE},
        {"appointment", "03/04/2025", PW_FT_JSON_VALUE},
        {NULL,
         "https://www.facebook.com/tr?id=1&dl=https://www.example.org/book%3Fcita%3D03/04/2025",
         PW_FT_URL},
        {NULL,
         "https://www.facebook.com/tr?id=2&dl=https://www.example.org/book%3Fcita%3D03/04/2025",
         PW_FT_URL},
        {NULL,
         "https://www.facebook.com/tr?id=3&dl=https://www.example.org/book%3Fappointment%3D03/04/"
         "2025",
         PW_FT_URL},
        {NULL, "https://www.example.org/?provider=Google", PW_FT_URL},
        {NULL, "https://www.example.org/?provider_name=Google", PW_FT_URL},
    };
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    size_t wrong = 0, with_hits = 0;
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        pw_detect_scratch *s = NULL;
        pw_hit *ref = NULL;
        size_t nref = 0;
        CHECK(pw_detect_scratch_new(t.d, &s, NULL) == PW_OK);
        CHECK(pw_detect_scan(t.d, s, &t.a, seq[i].key, seq[i].value, strlen(seq[i].value),
                             seq[i].type, &ref, &nref, NULL) == PW_OK);
        pw_detect_scratch_free(s);
        dt_scan(&t, seq[i].key, seq[i].value, seq[i].type);
        with_hits += nref > 0;
        if (!dt_same_hits(t.h, t.n, ref, nref) && ++wrong)
            fprintf(stderr, "  hits differ for %s %s\n", seq[i].key ? seq[i].key : "-",
                    seq[i].value);
    }
    CHECK_INT((int)wrong, 0);
    CHECK(with_hits >= 6);
    dt_close(&t);
}

PW_TEST_MAIN(PW_TEST(test_param_names_as_classified), PW_TEST(test_urls_same_as_fresh),
             PW_TEST(test_decoded_slug_hit_at_its_offset), PW_TEST(test_same_bytes_other_key))
