/*
 * test_gw_policy_own.c — the visitor's own data and 7+ digit runs are redacted however often
 * they occur: a fixed list of 32 hits once let the 33rd occurrence (and everything after it)
 * through under phi: redact.
 */
#include <stdlib.h>
#include <string.h>

#include "gw_policy.h"
#include "gw_test_phi.h"
#include "gw_test_policy.h"
#include "pw_test.h"

static const char *const yaml = "site:\n"
                                "  origins: [https://www.example-hospital.org]\n"
                                "  hmac_key_env: GW_TEST_SITE_KEY\n"
                                "destinations:\n"
                                "  hook:\n"
                                "    type: webhook\n"
                                "    url: http://127.0.0.1:9/hook\n"
                                "    events: {appointment_request: lead}\n"
                                "    allow_params: [note]\n"
                                "    phi: redact\n";

/* The note as the hook receives it, after the policy (NULL when dropped). */
static char *note_sent(pw_gw_policy *p, pw_arena *a, const char *note, const char *city,
                       const char *last)
{
    pw_gw_param params[] = {{"note", PW_GW_V_STRING, note, strlen(note)}};
    pw_gw_param user[] = {{"city", PW_GW_V_STRING, city, strlen(city)},
                          {"last_name", PW_GW_V_STRING, last, strlen(last)}};
    pw_gw_event ev = {.event_id = "77777777-2222-4333-8444-000000000003",
                      .name = "appointment_request",
                      .consent_ads = 1,
                      .params = params,
                      .n_params = 1,
                      .user = user,
                      .n_user = 2};
    pw_gw_dest_result res[1];
    pw_err err = {0};
    if (pw_gw_policy_apply(p, &gw_test_phi, a, &ev, 1700000000000, res, &err) != PW_OK ||
        !res[0].payload)
        return NULL;
    const char *at = strstr(res[0].payload, "\"note\":\"");
    if (!at)
        return NULL;
    at += 8;
    return pw_arena_strndup(a, at, (size_t)(strchr(at, '"') - at));
}

static char *repeat(pw_arena *a, const char *head, const char *unit, size_t times, const char *tail)
{
    size_t hn = strlen(head), un = strlen(unit), tn = strlen(tail);
    char *s = pw_arena_alloc(a, hn + un * times + tn + 1), *w = s;
    memcpy(w, head, hn);
    w += hn;
    for (size_t i = 0; i < times; i++, w += un)
        memcpy(w, unit, un);
    memcpy(w, tail, tn + 1);
    return s;
}

static size_t count(const char *s, const char *needle)
{
    size_t k = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        k++;
    return k;
}

static void test_many_occurrences(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(yaml, &err);
    CHECK_STR(err.msg, "");
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    /* The visitor's city 40 times, then their name: none of it is sent. */
    char *note = repeat(&a, "", "Boston ", 40, "Zyxwvut");
    char *out = note_sent(p, &a, note, "Boston", "Zyxwvut");
    CHECK(out != NULL);
    if (out) {
        CHECK(strstr(out, "Boston") == NULL);
        CHECK(strstr(out, "Zyxwvut") == NULL);
        CHECK_INT(count(out, "[CANARY]"), 41);
    }
    /* The reviewer's shape: 33 digit runs and the name after them. */
    note = repeat(&a, "ids ", "0000000 ", 32, "8675309 Zyxwvut");
    out = note_sent(p, &a, note, "Boston", "Zyxwvut");
    CHECK(out != NULL);
    if (out) {
        CHECK(strstr(out, "0000000") == NULL);
        CHECK(strstr(out, "8675309") == NULL);
        CHECK(strstr(out, "Zyxwvut") == NULL);
    }
    /* 500 occurrences: no limit. */
    note = repeat(&a, "", "Zyxwvut,", 500, "");
    out = note_sent(p, &a, note, "Boston", "Zyxwvut");
    CHECK(out != NULL && strstr(out, "Zyxwvut") == NULL);
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

/* The visitor's own data is found whatever its case, wherever it stands (first and last bytes of
 * the note included), and only there: own_data_in compares only where a byte could fold to the
 * data's first byte, and '{' (which ORed with 0x20 gives what '[' gives) must not count as '['.
 * Digit runs: 7 redacted, 6 kept, at either end and between letters. */
static void test_case_and_edges(void)
{
    pw_err err = {0};
    pw_gw_policy *p = gw_test_policy_load(yaml, &err);
    CHECK_STR(err.msg, "");
    if (!p)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    static const struct {
        const char *note, *city, *last, *want;
    } cases[] = {
        {"zYXWVUT", "Boston", "Zyxwvut", "[CANARY]"},
        {"ZYXWVUTs and zyxwvut", "Boston", "Zyxwvut", "[CANARY]s and [CANARY]"},
        {"x zyxwvuT", "Boston", "Zyxwvut", "x [CANARY]"},
        {"{home1 and [HOME1", "[home1", "Zyxwvut", "{home1 and [CANARY]"},
        {"{HOME1[home1", "[home1", "Zyxwvut", "{HOME1[CANARY]"},
        {"1234567", "Boston", "Zyxwvut", "[RECORD_ID]"},
        {"123456 ab1234567", "Boston", "Zyxwvut", "123456 ab[RECORD_ID]"},
        {"a123456b7654321", "Boston", "Zyxwvut", "a123456b[RECORD_ID]"},
        {"12345678x", "Boston", "Zyxwvut", "[RECORD_ID]x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = note_sent(p, &a, cases[i].note, cases[i].city, cases[i].last);
        CHECK_STR(out ? out : "(dropped)", cases[i].want);
    }
    pw_arena_free(&a);
    pw_gw_policy_free(p);
}

PW_TEST_MAIN(PW_TEST(test_many_occurrences), PW_TEST(test_case_and_edges))
