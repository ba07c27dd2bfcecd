/*
 * test_detect_seg_memo.c — the per-thread memo of segments that gave no hit (seg_memo.c) never
 * changes a result: each string scanned with one long-lived scratch, after the same bytes gave
 * no hit in another place (another key's context, a path slug instead of a query value, a quiet
 * careers page, free text instead of a form value, a nested URL), gets exactly the hits of a scan
 * with a fresh scratch; and the hits that the other place lacks are really there. Segments that
 * gave hits are remembered with them (engine-speed): the same value in another place of another
 * field gets the hits a fresh scan gives, every field of them compared.
 */
#include "detect_helpers.h"
#include "pw_test.h"

typedef struct memo_case {
    const char *key, *text;
    pw_field_type type;
} memo_case;

/* Pairs: the first gives no hit for the shared bytes, the second does. */
static const memo_case memo_cases[] = {
    {NULL, "https://h.org/p?x=Jane&fn=Jane", PW_FT_URL},
    {NULL, "https://h.org/p?x=Jane", PW_FT_URL},
    {NULL, "https://h.org/p?fn=Jane", PW_FT_URL},
    {NULL, "Jane", PW_FT_TEXT},
    {"fn", "Jane", PW_FT_TEXT},
    {NULL, "03/14/2027", PW_FT_TEXT},
    {NULL, "03/14/2027", PW_FT_FORM_VALUE},
    {NULL, "https://h.org/careers/oncology", PW_FT_URL},
    {NULL, "https://h.org/conditions/oncology", PW_FT_URL},
    {NULL, "https://h.org/p?x=oncology", PW_FT_URL},
    {NULL, "https://h.org/things/48213907", PW_FT_URL},
    {NULL, "https://h.org/patients/48213907", PW_FT_URL},
    {NULL, "https://t.example/tr?dl=https%3A%2F%2Fh.org%2Fp%3Fx%3DJane%26fn%3DJane", PW_FT_URL},
    {NULL, "https://t.example/tr?v=2&ev=PageView&dl=https%3A%2F%2Fh.org%2Fbook%3Fph%3D617-555-0123",
     PW_FT_URL},
    {"dt", "Careers in Cardiology", PW_FT_TEXT},
    {"dt", "Cardiology", PW_FT_TEXT},
    /* remembered with their hits: the same value in another place of another field */
    {NULL, "https://h.org/p?ph=617-555-0123", PW_FT_URL},
    {NULL, "https://www.other-host.example/a/b?v=2&ph=617-555-0123", PW_FT_URL},
    {NULL,
     "https://t.example/tr?v=2&ev=PageView&dl=https%3A%2F%2Fh.org%2Fconditions%2Fbreast-cancer"
     "%2Ftreatment%3Fpatient_id%3D48213907%26email%3Djane.doe%2540example.com%26dob%3D03%252F"
     "14%252F1971",
     PW_FT_URL},
    {NULL,
     "https://t2.example/collect?tid=G-1&dl=https%3A%2F%2Fh.org%2Fconditions%2Fbreast-cancer"
     "%2Ftreatment%3Fpatient_id%3D48213907%26email%3Djane.doe%2540example.com%26dob%3D03%252F"
     "14%252F1971",
     PW_FT_URL},
    /* a segment longer than the no-hit memo takes, without hits on a careers page, with them
     * elsewhere */
    {NULL,
     "https://h.org/careers/nurse-practitioner-opening-in-the-breast-cancer-center-main-campus",
     PW_FT_URL},
    {NULL,
     "https://h.org/services/nurse-practitioner-opening-in-the-breast-cancer-center-main-campus",
     PW_FT_URL},
    {NULL, "Patient John Smith MRN 4482913 called about HIV PrEP", PW_FT_TEXT},
    {"msg", "Patient John Smith MRN 4482913 called about HIV PrEP", PW_FT_FORM_VALUE},
};

#define N_CASES (sizeof memo_cases / sizeof memo_cases[0])

static const pw_canary canaries[] = {{"email", "Jane.Doe@Example.com", PW_CANARY_EMAIL}};

/* The hits of one case with a scratch made for it alone (nothing remembered). */
static size_t fresh_scan(const pw_detector *d, pw_arena *a, const memo_case *c, pw_hit **h)
{
    pw_detect_scratch *s = NULL;
    size_t n = 0;
    CHECK(pw_detect_scratch_new(d, &s, NULL) == PW_OK);
    CHECK(pw_detect_scan(d, s, a, c->key, c->text, strlen(c->text), c->type, h, &n, NULL) == PW_OK);
    pw_detect_scratch_free(s);
    return n;
}

/* Every case, three rounds with one scratch, equals its fresh scan. */
static void check_against_fresh(const pw_canary *cn, size_t ncn)
{
    dt_ctx t;
    CHECK(dt_open(&t, cn, ncn));
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < N_CASES; i++) {
            const memo_case *c = &memo_cases[i];
            pw_hit *ref = NULL;
            size_t nref = fresh_scan(t.d, &t.a, c, &ref);
            CHECK(dt_scan(&t, c->key, c->text, c->type) == nref);
            if (!dt_same_hits(t.h, t.n, ref, nref))
                fprintf(stderr, "  round %d: hits differ for %s\n", round, c->text);
            CHECK(dt_same_hits(t.h, t.n, ref, nref));
        }
    dt_close(&t);
}

static void test_same_as_fresh(void)
{
    check_against_fresh(NULL, 0);
}

static void test_same_as_fresh_with_canaries(void)
{
    check_against_fresh(canaries, 1);
}

/* The hits the memo must not hide, after their bytes gave no hit elsewhere. */
static void test_hits_after_a_miss(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    CHECK_INT(dt_scan(&t, NULL, "https://h.org/p?x=Jane", PW_FT_URL), 0);
    dt_scan(&t, NULL, "https://h.org/p?fn=Jane", PW_FT_URL);
    CHECK(dt_find(&t, PW_PHI_NAME) != NULL);
    CHECK_INT(dt_scan(&t, NULL, "03/14/2027", PW_FT_TEXT), 0);
    dt_scan(&t, NULL, "03/14/2027", PW_FT_FORM_VALUE);
    CHECK(dt_find(&t, PW_PHI_DATE) != NULL);
    dt_scan(&t, NULL, "https://h.org/careers/oncology", PW_FT_URL);
    CHECK(dt_find(&t, PW_PHI_HEALTH) == NULL);
    dt_scan(&t, NULL, "https://h.org/conditions/oncology", PW_FT_URL);
    CHECK(dt_find(&t, PW_PHI_HEALTH) != NULL);
    CHECK_INT(dt_scan(&t, NULL, "https://h.org/things/48213907", PW_FT_URL), 0);
    dt_scan(&t, NULL, "https://h.org/patients/48213907", PW_FT_URL);
    CHECK(dt_find(&t, PW_PHI_RECORD_ID) != NULL);
    dt_close(&t);
}

/* Hits given again from the memo are the caller's: their strings live in the caller's arena and
 * stay as they were while the memo's entries are replaced by other segments' hits. */
static void test_replayed_hits_outlive_the_memo(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    const char *url = "https://h.org/p?ph=617-555-0123&q=breast+cancer";
    for (int i = 0; i < 3; i++) /* the third scan is given from the memo */
        dt_scan(&t, NULL, url, PW_FT_URL);
    CHECK(t.n >= 2 && t.n <= 8); /* the phone number, the search and its health term */
    pw_hit kept[8];
    size_t nk = t.n;
    memcpy(kept, t.h, nk * sizeof kept[0]);
    char buf[96];
    for (int i = 0; i < 2000; i++) { /* enough distinct numbers to replace every entry */
        snprintf(buf, sizeof buf, "https://h.org/p?ph=617-555-%04d&q=diabetes+%d", i, i);
        dt_scan(&t, NULL, buf, PW_FT_URL);
        dt_scan(&t, NULL, buf, PW_FT_URL);
    }
    const pw_hit *phone = NULL;
    for (size_t i = 0; i < nk; i++)
        if (kept[i].category == PW_PHI_PHONE)
            phone = &kept[i];
    CHECK(phone != NULL);
    if (!phone)
        return;
    CHECK_STR(phone->normalized, "6175550123");
    CHECK_INT(phone->start, 19);
    CHECK_INT(phone->end, 31);
    dt_close(&t);
}

/* The first field a new scratch ever scans is a long slice without hits: it is remembered while
 * the scratch has no hit array yet (the sanitizer pass stopped on NULL + 0 there), and the same
 * slice again is answered from the memo with no hits. */
static void test_no_hit_segment_on_a_new_scratch(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    const char *text = "Visiting hours are from nine in the morning until eight in the evening, "
                       "every day of the week, at the main entrance of the hospital building.";
    CHECK(strlen(text) > 128);
    for (int i = 0; i < 2; i++) {
        dt_scan(&t, NULL, text, PW_FT_TEXT);
        CHECK_INT((int)t.n, 0);
    }
    dt_close(&t);
}

PW_TEST_MAIN(PW_TEST(test_same_as_fresh), PW_TEST(test_same_as_fresh_with_canaries),
             PW_TEST(test_hits_after_a_miss), PW_TEST(test_replayed_hits_outlive_the_memo),
             PW_TEST(test_no_hit_segment_on_a_new_scratch))
