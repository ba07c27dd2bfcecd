/*
 * test_gw_fastpath.c — the request path's fast replacements give exactly what the general code
 * gives: the arena JSON tree vs yajl_tree (structure, integer rule, error message), the gateway's
 * SHA-256/HMAC vs src/util's, the JSON writer vs pw_buf_json_string / "%lld", a prepared policy
 * vs an unprepared one, and the reply cache's sharing rules.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "gw_digest.h"
#include "gw_http_reply.h"
#include "gw_json_tree.h"
#include "gw_json_writer.h"
#include "gw_test_phi.h"
#include "phiwall/text.h"
#include "pw_test.h"

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static unsigned long long rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- JSON tree vs yajl_tree ------------------------------------------------------------ */

static int same_tree(const pw_gw_jt *a, yajl_val b)
{
    switch (b->type) {
    case yajl_t_null: return a->type == PW_GW_JT_NULL;
    case yajl_t_true: return a->type == PW_GW_JT_TRUE;
    case yajl_t_false: return a->type == PW_GW_JT_FALSE;
    case yajl_t_string:
        return a->type == PW_GW_JT_STRING && strcmp(a->s, b->u.string) == 0 &&
               a->len == strlen(b->u.string);
    case yajl_t_number:
        return a->type == PW_GW_JT_NUMBER && strcmp(a->s, b->u.number.r) == 0 &&
               a->int_ok == YAJL_IS_INTEGER(b) && (!a->int_ok || a->i == b->u.number.i);
    case yajl_t_object: {
        if (a->type != PW_GW_JT_OBJECT || a->n != b->u.object.len)
            return 0;
        const pw_gw_jt *m = a->first;
        for (size_t i = 0; i < b->u.object.len; i++, m = m->next)
            if (!m || strcmp(m->key, b->u.object.keys[i]) != 0 ||
                m->key_len != strlen(b->u.object.keys[i]) || !same_tree(m, b->u.object.values[i]))
                return 0;
        return m == NULL;
    }
    case yajl_t_array: {
        if (a->type != PW_GW_JT_ARRAY || a->n != b->u.array.len)
            return 0;
        const pw_gw_jt *m = a->first;
        for (size_t i = 0; i < b->u.array.len; i++, m = m->next)
            if (!m || !same_tree(m, b->u.array.values[i]))
                return 0;
        return m == NULL;
    }
    default: return 0;
    }
}

/* 1 if both parsers agree on text (NUL-free): the same tree, or the same first error line. */
static int agree(const char *text)
{
    char yerr[256], jerr[256];
    yajl_val y = yajl_tree_parse(text, yerr, sizeof yerr);
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_jt *t = NULL;
    pw_status st = pw_gw_jt_parse(&a, text, strlen(text), &t, jerr, sizeof jerr);
    int ok;
    if (y) {
        ok = st == PW_OK && t && same_tree(t, y);
    } else {
        yerr[strcspn(yerr, "\n")] = '\0';
        ok = st == PW_ERR_PARSE && strcmp(yerr, jerr) == 0;
    }
    if (!ok)
        fprintf(stderr, "disagree on: %s\n", text);
    yajl_tree_free(y);
    pw_arena_free(&a);
    return ok;
}

static void test_json_tree_matches_yajl(void)
{
    static const char *const docs[] = {"{}",
                                       "[]",
                                       "null",
                                       "true",
                                       "\"s\"",
                                       "0",
                                       "-0",
                                       "1.5",
                                       "1e3",
                                       "-12",
                                       "[1,2,[3,{}]]",
                                       "{\"a\":1,\"a\":2,\"b\":{\"c\":[null,true,false]}}",
                                       "{\"k\\u0000x\":\"v\\u0000w\"}",
                                       "9223372036854775807",
                                       "9223372036854775808",
                                       "-9223372036854775808",
                                       "-9223372036854775809",
                                       "99999999999999999999",
                                       "12345678901234567890123",
                                       "/* c */ {\"a\": 1} // d\n",
                                       "{\"a\":\"\\ud83d\\ude00 caf\\u00e9 \\\" \\\\ \\/ \\b\"}",
                                       "{\"a\":\"\xc3\xa9\"}",
                                       "{\"a\":\"\xff\"}",
                                       "{\"a\" 1}",
                                       "{\"a\":1,}",
                                       "[1 2]",
                                       "{",
                                       "",
                                       "  ",
                                       "tru",
                                       "[\"\\x\"]",
                                       "[\"\\u12\"]",
                                       "{\"a\":1} x",
                                       "01",
                                       "[1.]",
                                       "[-]",
                                       "{1:2}",
                                       "[\"a\nb\"]"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        CHECK(agree(docs[i]));
    /* Mutations of a realistic event: the two parsers must keep agreeing. */
    static const char seed[] =
        "{\"event_id\":\"00000001-0001-4001-8001-000000000001\",\"name\":\"a\",\"time\":17643,"
        "\"page_url\":\"https://h.example/a?x=1\",\"consent\":{\"ads\":true},\"user\":{\"em\":"
        "\"A@b.co\"},\"params\":{\"x\":\"t\\u00e9st\",\"y\":-1.5e3,\"z\":[null,false]}}";
    static const char tokens[] = "\"\\{}[],:0123456789eE.-+ tfnu/*\xc3\xa9\xff";
    int bad = 0;
    for (int k = 0; k < 3000; k++) {
        char doc[sizeof seed + 16];
        size_t n = sizeof seed - 1;
        memcpy(doc, seed, n);
        for (int m = 1 + (int)(rnd() % 3); m > 0; m--) {
            size_t at = rnd() % n;
            char c = tokens[rnd() % (sizeof tokens - 1)];
            if (rnd() % 3 == 0 && n + 1 < sizeof doc) { /* insert */
                memmove(doc + at + 1, doc + at, n - at);
                doc[at] = c;
                n++;
            } else if (rnd() % 2 && n > 1) { /* delete */
                memmove(doc + at, doc + at + 1, n - at - 1);
                n--;
            } else {
                doc[at] = c;
            }
        }
        doc[n] = '\0';
        bad += !agree(doc);
    }
    CHECK_INT(bad, 0);
}

/* ---- SHA-256 / HMAC vs src/util ---------------------------------------------------------- */

static void test_digest_matches_util(void)
{
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(rnd() & 0xff);
    char a[65], b[65];
    for (size_t n = 0; n <= 200; n += 7) {
        pw_gw_sha256_hex(data, n, a);
        pw_sha256_hex(data, n, b);
        CHECK_STR(a, b);
    }
    static const size_t key_lens[] = {1, 16, 32, 63, 64, 65, 100, 200};
    for (size_t k = 0; k < sizeof key_lens / sizeof key_lens[0]; k++) {
        pw_gw_hmac h;
        pw_gw_hmac_init(&h, data + 50, key_lens[k]);
        for (size_t n = 0; n <= 150; n += 11) {
            pw_gw_hmac_hex(&h, data, n, a);
            pw_hmac_sha256_hex(data + 50, key_lens[k], data, n, b);
            CHECK_STR(a, b);
        }
    }
}

/* Every length around the one-block fast path (a message of up to 55 bytes is hashed as its
 * last block alone, pw_gw_hmac_hex's inner and outer hashes too) and past it, keys of every kind.
 */
static void test_digest_every_length(void)
{
    unsigned char data[200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(rnd() & 0xff);
    char a[65], b[65];
    for (size_t n = 0; n <= 140; n++) {
        pw_gw_sha256_hex(data + n % 7, n, a);
        pw_sha256_hex(data + n % 7, n, b);
        CHECK_STR(a, b);
    }
    static const size_t key_lens[] = {0, 1, 36, 64, 65};
    for (size_t k = 0; k < sizeof key_lens / sizeof key_lens[0]; k++) {
        pw_gw_hmac h;
        pw_gw_hmac_init(&h, data + 60, key_lens[k]);
        for (size_t n = 0; n <= 130; n++) {
            pw_gw_hmac_hex(&h, data + n % 5, n, a);
            pw_hmac_sha256_hex(data + 60, key_lens[k], data + n % 5, n, b);
            CHECK_STR(a, b);
        }
    }
    pw_gw_sha256_hex("abc", 3, a); /* FIPS 180-2's example */
    CHECK_STR(a, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* The writer's literal-key members (PW_GW_JW_STR and friends) write what the general ones do,
 * first member or not, nested, with room in the buffer or with 0-40 bytes of it. */
static void test_json_writer_literal_keys(void)
{
    static const char alphabet[] = "aZ09 \"\\/\n\t\x01\x7f\xc3\xa9~";
    int bad = 0;
    for (int k = 0; k < 3000; k++) {
        char s[48];
        size_t n = rnd() % sizeof s;
        for (size_t i = 0; i < n; i++)
            s[i] = rnd() % 4 ? (char)('a' + rnd() % 26) : alphabet[rnd() % (sizeof alphabet - 1)];
        s[n] = '\0';
        n = strlen(s);
        long long v = (long long)(rnd() % 2000001) - 1000000;
        pw_buf want, got;
        pw_buf_init(&want);
        pw_gw_jw w;
        pw_gw_jw_init(&w, &want);
        pw_gw_jw_obj(&w, NULL);
        pw_gw_jw_str(&w, "event_name", s);
        pw_gw_jw_int(&w, "event_time", v);
        pw_gw_jw_obj(&w, "user_data");
        pw_gw_jw_str(&w, "external_id", s);
        pw_gw_jw_end_obj(&w);
        pw_gw_jw_arr(&w, "events");
        pw_gw_jw_obj(&w, NULL);
        pw_gw_jw_int(&w, "timestamp_micros", v);
        pw_gw_jw_end_obj(&w);
        pw_gw_jw_end_arr(&w);
        pw_gw_jw_end_obj(&w);
        for (int room = 0; room < 2; room++) {
            pw_buf_init(&got);
            pw_buf_reserve(&got, room ? 512 : 1 + (size_t)(rnd() % 40));
            pw_gw_jw_init(&w, &got);
            pw_gw_jw_obj(&w, NULL);
            PW_GW_JW_STR(&w, "event_name", s);
            PW_GW_JW_INT(&w, "event_time", v);
            PW_GW_JW_OBJ(&w, "user_data");
            PW_GW_JW_STR(&w, "external_id", s);
            pw_gw_jw_end_obj(&w);
            PW_GW_JW_ARR(&w, "events");
            pw_gw_jw_obj(&w, NULL);
            PW_GW_JW_INT(&w, "timestamp_micros", v);
            pw_gw_jw_end_obj(&w);
            pw_gw_jw_end_arr(&w);
            pw_gw_jw_end_obj(&w);
            bad += got.failed || want.len != got.len ||
                   memcmp(want.data, got.data, want.len) != 0 || got.data[got.len] != '\0';
            pw_buf_free(&got);
        }
        pw_buf_free(&want);
    }
    CHECK_INT(bad, 0);
}

/* ---- JSON writer vs pw_buf_json_string / printf -------------------------------------------- */

static void test_json_writer_same_bytes(void)
{
    static const char alphabet[] = "aZ09 \"\\/\n\t\x01\x1f\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                                   "\xff\xc0\xed\xa0\x80~";
    int bad = 0;
    for (int k = 0; k < 5000; k++) {
        char s[64];
        size_t n = rnd() % sizeof s;
        for (size_t i = 0; i < n; i++)
            s[i] = rnd() % 4 ? (char)('a' + rnd() % 26) : alphabet[rnd() % (sizeof alphabet - 1)];
        pw_buf want, got;
        pw_buf_init(&want);
        pw_buf_init(&got);
        pw_buf_json_string(&want, s, n);
        pw_gw_jw w;
        pw_gw_jw_init(&w, &got);
        pw_gw_jw_strn(&w, NULL, s, n);
        bad += want.len != got.len || memcmp(want.data, got.data, want.len) != 0;
        /* again as a key and a value into a buffer with room (the in-place paths: a string is
         * checked and copied in one pass, ,"key": written at once), then into one with
         * 0-40 bytes of room (the in-place paths give up part-way) */
        pw_buf_clear(&want);
        pw_buf_putc(&want, '{');
        pw_buf_json_string(&want, s + n / 2, n - n / 2);
        pw_buf_putc(&want, ':');
        pw_buf_json_string(&want, s, n);
        pw_buf_putc(&want, ',');
        pw_buf_json_string(&want, s, n / 2);
        pw_buf_putc(&want, ':');
        pw_buf_json_string(&want, s, n);
        pw_buf_putc(&want, '}');
        for (int room = 0; room < 2; room++) {
            char key1[64], key2[64];
            memcpy(key1, s + n / 2, n - n / 2);
            key1[n - n / 2] = '\0';
            memcpy(key2, s, n / 2);
            key2[n / 2] = '\0';
            if (strlen(key1) != n - n / 2 || strlen(key2) != n / 2)
                break; /* a key is a C string: no U+0000 in it */
            pw_buf_free(&got);
            pw_buf_init(&got);
            pw_buf_reserve(&got, room ? 512 : 1 + (size_t)(rnd() % 40));
            pw_gw_jw_init(&w, &got);
            pw_gw_jw_obj(&w, NULL);
            pw_gw_jw_strn(&w, key1, s, n);
            pw_gw_jw_strn(&w, key2, s, n);
            pw_gw_jw_end_obj(&w);
            bad += want.len != got.len || memcmp(want.data, got.data, want.len) != 0;
        }
        pw_buf_free(&want);
        pw_buf_free(&got);
    }
    CHECK_INT(bad, 0);
    static const long long ints[] = {0, 1, -1, 9, 10, -10, 1764300000000LL, LLONG_MAX, LLONG_MIN};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        char want[32];
        pw_buf got;
        pw_gw_jw w;
        pw_buf_init(&got);
        pw_gw_jw_init(&w, &got);
        pw_gw_jw_arr(&w, NULL);
        pw_gw_jw_int(&w, NULL, ints[i]);
        pw_gw_jw_end_arr(&w);
        snprintf(want, sizeof want, "[%lld]", ints[i]);
        CHECK_STR(got.data, want);
        pw_buf_free(&got);
    }
}

/* ---- a prepared policy decides as an unprepared one ---------------------------------------- */

static const char *const policy_yaml =
    "site: {origins: [\"https://h.example\"], hmac_key_env: GW_FAST_KEY}\n"
    "destinations:\n"
    "  meta: {type: meta, pixel_id: \"1\", access_token_env: GW_FAST_KEY, page_url: origin,\n"
    "         user_data: [em], first_party_id: hmac, allow_params: [x],\n"
    "         events: {a: PageView, b: cancer_screening}}\n"
    "  ga4: {type: ga4, measurement_id: G-1, api_secret_env: GW_FAST_KEY, page_url: origin,\n"
    "        allow_params: [x], first_party_id: hmac, events: {a: page_view, b: hiv_lead}}\n";

static void apply_all(const pw_gw_policy *p, const char *body, pw_buf *out)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_event *evs = NULL;
    size_t n = 0;
    pw_gw_dest_result res[2];
    CHECK(pw_gw_events_parse(&a, body, strlen(body), &p->limits, &evs, &n, NULL) == PW_OK);
    for (size_t i = 0; i < n; i++) {
        CHECK(pw_gw_policy_apply(p, &gw_test_phi, &a, &evs[i], 1764300005000LL, res, NULL) ==
              PW_OK);
        for (size_t d = 0; d < p->n_dests; d++)
            pw_buf_printf(out, "%d %s %s %s %s\n", res[d].accepted, res[d].rule,
                          res[d].payload ? res[d].payload : "-",
                          res[d].fields_json ? res[d].fields_json : "-",
                          res[d].out_name ? res[d].out_name : "-");
    }
    pw_arena_free(&a);
}

static void test_prepared_policy_same_results(void)
{
    setenv("GW_FAST_KEY", "0123456789abcdef-fast", 1);
    static const char body[] =
        "[{\"event_id\":\"00000001-0001-4001-8001-000000000001\",\"name\":\"a\","
        "\"page_url\":\"https://h.example/x\",\"consent\":{\"ads\":true},\"user\":{\"em\":"
        "\"A@b.co\"},\"fpid\":\"f-1\",\"params\":{\"x\":\"1\"}},"
        "{\"event_id\":\"00000001-0001-4001-8001-000000000002\",\"name\":\"b\",\"fpid\":\"f-2\"},"
        "{\"event_id\":\"00000001-0001-4001-8001-000000000003\",\"name\":\"a\"}]";
    pw_gw_policy *plain = NULL, *prepared = NULL;
    CHECK(pw_gw_policy_parse("p.yaml", policy_yaml, strlen(policy_yaml), NULL, &plain, NULL) ==
          PW_OK);
    CHECK(pw_gw_policy_parse("p.yaml", policy_yaml, strlen(policy_yaml), NULL, &prepared, NULL) ==
          PW_OK);
    if (!plain || !prepared)
        return;
    CHECK(pw_gw_policy_prepare(prepared, &gw_test_phi, NULL) == PW_OK);
    CHECK(prepared->prepared);
    CHECK(prepared->dests[0].events[1].to_refusal != NULL); /* "cancer_screening" */
    CHECK(prepared->dests[0].events[0].to_refusal == NULL);
    pw_buf a, b;
    pw_buf_init(&a);
    pw_buf_init(&b);
    apply_all(plain, body, &a);
    apply_all(prepared, body, &b);
    CHECK(a.len > 0 && strstr(a.data, "event_name.phi: refused") != NULL);
    CHECK_STR(b.data, a.data);
    pw_buf_free(&a);
    pw_buf_free(&b);
    pw_gw_policy_free(plain);
    pw_gw_policy_free(prepared);
}

/* ---- the reply cache --------------------------------------------------------------------- */

static void test_reply_cache_sharing(void)
{
    static const char *const json = "application/json";
    pw_gw_reply_cache *c = pw_gw_reply_cache_new();
    CHECK(c != NULL);
    if (!c)
        return;
    int owned = -1;
    struct MHD_Response *r1 = pw_gw_reply_cache_get(c, 200, json, "{\"a\":1}", 7, NULL, &owned);
    CHECK(r1 && owned == 0);
    struct MHD_Response *r2 = pw_gw_reply_cache_get(c, 200, json, "{\"a\":1}", 7, NULL, &owned);
    CHECK(r2 == r1 && owned == 0);
    struct MHD_Response *r3 =
        pw_gw_reply_cache_get(c, 200, json, "{\"a\":1}", 7, "https://h.example", &owned);
    CHECK(r3 && r3 != r1 && owned == 0);
    CHECK(pw_gw_reply_cache_get(c, 200, json, "{\"a\":2}", 7, NULL, &owned) != r1);
    char big[400];
    memset(big, 'x', sizeof big); /* too long to keep: the caller owns it */
    struct MHD_Response *r4 = pw_gw_reply_cache_get(c, 200, json, big, sizeof big, NULL, &owned);
    CHECK(r4 && owned == 1);
    if (r4 && owned)
        MHD_destroy_response(r4);
    for (int i = 0; i < 100; i++) { /* past the bound: still answers, owned when not kept */
        char body[32];
        int n = snprintf(body, sizeof body, "{\"n\":%d}", i);
        struct MHD_Response *r = pw_gw_reply_cache_get(c, 200, json, body, (size_t)n, NULL, &owned);
        CHECK(r != NULL);
        if (r && owned)
            MHD_destroy_response(r);
    }
    CHECK(pw_gw_reply_cache_get(c, 200, json, "{\"a\":1}", 7, NULL, &owned) == r1);
    pw_gw_reply_cache_free(c);
}

PW_TEST_MAIN(PW_TEST(test_json_tree_matches_yajl), PW_TEST(test_digest_matches_util),
             PW_TEST(test_digest_every_length), PW_TEST(test_json_writer_literal_keys),
             PW_TEST(test_json_writer_same_bytes), PW_TEST(test_prepared_policy_same_results),
             PW_TEST(test_reply_cache_sharing))
