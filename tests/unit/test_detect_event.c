/*
 * test_detect_event.c — pw_detect_scan_event gives every field exactly the hits pw_detect_scan
 * gives it (same buffers scanned under several keys, URLs, fields without letters or digits),
 * reports a bad field by index, and key contexts stay right when the scratch's key memo has
 * seen many other keys.
 */
#include <stdio.h>

#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static int same_hit(const pw_hit *a, const pw_hit *b)
{
    return a->category == b->category && strcmp(a->subtype, b->subtype) == 0 &&
           a->start == b->start && a->end == b->end && strcmp(a->normalized, b->normalized) == 0 &&
           a->confidence == b->confidence && a->reason == b->reason &&
           strcmp(a->reason_detail, b->reason_detail) == 0 && a->sensitivity == b->sensitivity;
}

static void test_event_equals_fields(void)
{
    static const char shared[] = "Jane O'Neil 617-555-0123";
    pw_detect_field f[] = {
        {"dl", "https://h.org/conditions/breast-cancer?fn=Jane&ph=6175550123&q=hiv+testing", 0,
         PW_FT_URL, PW_OBJECT_UNKNOWN, NULL, 0},
        {"fn", shared, 0, PW_FT_FORM_VALUE, PW_OBJECT_UNKNOWN, NULL, 0},
        {"ud[ph]", shared, 0, PW_FT_FORM_VALUE, PW_OBJECT_UNKNOWN, NULL, 0},
        {NULL, shared, 0, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
        {"cd[buttonText]", "Book an appointment for my depression", 0, PW_FT_TEXT,
         PW_OBJECT_UNKNOWN, NULL, 0},
        {"ev", "--- ... ///", 0, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
        {"ud[em]", "jane.doe@example.com", 0, PW_FT_JSON_VALUE, PW_OBJECT_UNKNOWN, NULL, 0},
        {"x", "", 0, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
        {"dob", "DOB: 03/14/1985, MRN 00123456", 0, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
    };
    size_t nf = sizeof f / sizeof f[0], total = 0;
    for (size_t i = 0; i < nf; i++)
        f[i].n = strlen(f[i].str);
    pw_arena_reset(&T.a);
    CHECK(pw_detect_scan_event(T.d, T.s, &T.a, f, nf, NULL) == PW_OK);
    for (size_t i = 0; i < nf; i++) {
        pw_hit *h = NULL;
        size_t nh = 0;
        CHECK(pw_detect_scan(T.d, T.s, &T.a, f[i].key, f[i].str, f[i].n, f[i].type, &h, &nh,
                             NULL) == PW_OK);
        CHECK_INT((long)f[i].n_hits, (long)nh);
        for (size_t k = 0; k < nh && k < f[i].n_hits; k++)
            CHECK(same_hit(&f[i].hits[k], &h[k]));
        total += nh;
    }
    CHECK(total >= 8);       /* the event really holds PHI: the comparison is not vacuous */
    CHECK(f[1].n_hits >= 1); /* "fn": a name */
    CHECK(f[5].n_hits == 0 && f[5].hits == NULL);
    CHECK(f[7].n_hits == 0 && f[7].hits == NULL);
}

static void test_bad_field_named(void)
{
    pw_hit stale; /* what a field may hold before the call */
    pw_detect_field f[] = {{"a", "617-555-0123", 12, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
                           {"b", NULL, 5, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
                           {"c", "617-555-0123", 12, PW_FT_TEXT, PW_OBJECT_UNKNOWN, &stale, 7}};
    pw_err err = {0};
    CHECK(pw_detect_scan_event(T.d, T.s, &T.a, f, 3, &err) == PW_ERR_INVALID);
    CHECK(strstr(err.msg, "field 1 (b)") != NULL);
    CHECK(f[0].n_hits == 1);                      /* the fields before keep their hits */
    CHECK(f[2].n_hits == 0 && f[2].hits == NULL); /* the fields after: not scanned, reset */
    CHECK(pw_detect_scan_event(T.d, T.s, &T.a, NULL, 0, NULL) == PW_OK);
}

/* The key memo is a small direct-mapped table: after hundreds of other keys, "fn" still means a
 * first name and "ts" still a timestamp. */
static void test_key_memo_evictions(void)
{
    char key[40];
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 700; k++) {
            snprintf(key, sizeof key, "param_%d_x", k);
            dt_scan(&T, key, "hello", PW_FT_FORM_VALUE);
        }
        CHECK(dt_scan(&T, "fn", "Jane", PW_FT_FORM_VALUE) == 1);
        CHECK(T.h[0].category == PW_PHI_NAME);
        CHECK(dt_scan(&T, "ts", "19850314", PW_FT_FORM_VALUE) == 0);
        CHECK(dt_scan(&T, "dob", "19850314", PW_FT_FORM_VALUE) == 1);
        CHECK(T.h[0].category == PW_PHI_DATE);
    }
}

/* The names of field i of an event. */
static size_t names_of(const pw_detect_field *f)
{
    size_t n = 0;
    for (size_t k = 0; k < f->n_hits; k++)
        n += f->hits[k].category == PW_PHI_NAME;
    return n;
}

/* A field's object kind is read as pw_detect_scan_member reads it: a product's bare "name" is no
 * name, a contact's nested "data.name" is one, and the same fields without a kind are what
 * pw_detect_scan gives them (the event call once judged name members without their object, the
 * per-field path with it). */
static void test_event_object_kinds(void)
{
    const char *const product[] = {"name", "price", "currency"};
    const char *const contact[] = {"name", "email"};
    pw_detect_object thing = pw_detect_object_kind(product, 3);
    pw_detect_object person = pw_detect_object_kind(contact, 2);
    pw_detect_field f[] = {
        {"name", "Knee Brace", 10, PW_FT_JSON_VALUE, thing, NULL, 0},
        {"data.name", "Jane Smith", 10, PW_FT_JSON_VALUE, person, NULL, 0},
        {"name", "Knee Brace", 10, PW_FT_JSON_VALUE, PW_OBJECT_UNKNOWN, NULL, 0},
        {"data.name", "Jane Smith", 10, PW_FT_JSON_VALUE, PW_OBJECT_UNKNOWN, NULL, 0},
    };
    pw_arena_reset(&T.a);
    CHECK(pw_detect_scan_event(T.d, T.s, &T.a, f, 4, NULL) == PW_OK);
    CHECK_INT((long)names_of(&f[0]), 0);
    CHECK_INT((long)names_of(&f[1]), 1);
    CHECK_INT((long)names_of(&f[2]), 1); /* no kind: the key's rule */
    CHECK_INT((long)names_of(&f[3]), 0);
    for (size_t i = 0; i < 4; i++) {
        pw_hit *h = NULL;
        size_t nh = 0;
        CHECK(pw_detect_scan_member(T.d, T.s, &T.a, f[i].key, f[i].object, f[i].str, f[i].n,
                                    f[i].type, &h, &nh, NULL) == PW_OK);
        CHECK_INT((long)f[i].n_hits, (long)nh);
        for (size_t k = 0; k < nh && k < f[i].n_hits; k++)
            CHECK(same_hit(&f[i].hits[k], &h[k]));
    }
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_event_equals_fields), PW_TEST(test_bad_field_named),
             PW_TEST(test_key_memo_evictions), PW_TEST(test_event_object_kinds), PW_TEST(teardown))
