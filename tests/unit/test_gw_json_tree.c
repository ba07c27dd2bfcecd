/*
 * test_gw_json_tree.c — the request path's JSON tree: the direct parser for plain bodies and
 * yajl's event parser give the same tree or the same error on edge cases and on thousands of
 * deterministic mutations of an event body (byte flips, insertions, cuts).
 */
#include <stdlib.h>
#include <string.h>

#include "gw_json_tree.h"
#include "pw_test.h"

static int same(const pw_gw_jt *a, const pw_gw_jt *b)
{
    if (!a || !b)
        return a == b;
    if (a->type != b->type || a->n != b->n || a->len != b->len || a->key_len != b->key_len ||
        a->int_ok != b->int_ok || (a->int_ok && a->i != b->i))
        return 0;
    if ((a->s || b->s) && (!a->s || !b->s || memcmp(a->s, b->s, a->len + 1) != 0))
        return 0;
    if ((a->key || b->key) && (!a->key || !b->key || memcmp(a->key, b->key, a->key_len + 1) != 0))
        return 0;
    const pw_gw_jt *x = a->first, *y = b->first;
    for (; x && y; x = x->next, y = y->next)
        if (!same(x, y))
            return 0;
    return x == NULL && y == NULL;
}

/* Both paths on s[0..n): 1 when they agree; *ok says whether it parsed. */
static int agree(const char *s, size_t n, int *ok)
{
    pw_arena a1, a2;
    pw_arena_init(&a1, 0);
    pw_arena_init(&a2, 0);
    pw_gw_jt *t1 = NULL, *t2 = NULL;
    char e1[256], e2[256];
    pw_status s1 = pw_gw_jt_parse(&a1, s, n, &t1, e1, sizeof e1);
    pw_status s2 = pw_gw_jt_parse_yajl(&a2, s, n, &t2, e2, sizeof e2);
    int r = s1 == s2 && strcmp(e1, e2) == 0 && same(t1, t2);
    if (!r)
        fprintf(stderr, "disagree on [%.*s]: %d '%s' / %d '%s'\n", (int)n, s, s1, e1, s2, e2);
    *ok = s1 == PW_OK;
    pw_arena_free(&a1);
    pw_arena_free(&a2);
    return r;
}

static const char *const edge_cases[] = {
    "{}",
    "[]",
    " {\"a\" : [1, -2.5e3, 0, -0, 1E+2, true, false, null, \"x\"] } ",
    "1",
    "\"s\"",
    "null",
    "true",
    "-",
    "01",
    "1.",
    ".5",
    "1e",
    "1e+",
    "-a",
    "[1,]",
    "{\"a\":1,}",
    "{,}",
    "[,1]",
    "{\"a\"}",
    "{\"a\":}",
    "{1:2}",
    "[1 2]",
    "{\"a\":1 \"b\":2}",
    "[",
    "{",
    "]",
    "}",
    "",
    "   ",
    "[1]x",
    "[1] [2]",
    "truex",
    "[tru]",
    "[nul]",
    "nan",
    "\"\\u0041\"",
    "\"a\\u0000b\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"\\n\\t\\\\\\/\\\"\\b\\f\\r\"",
    "\"\\x\"",
    "\"\\",
    "\"a",
    "\"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80\"",
    "\"\xc0\x80\"",
    "\"\xed\xa0\x80\"",
    "\"\xf5\x80\x80\x80\"",
    "\"\xff\"",
    "\"\xe2\x80\"",
    "\"tab\there\"",
    "\"\x7f\"",
    "[1]/*c*/",
    "/*c*/[1]",
    "[1,//c\n2]",
    "\xef\xbb\xbf{}",
    "[\v1]",
    "[\f1]",
    "{\"a\":1,\"a\":2}",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "1e400",
    "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]",
    "{\"\":\"\"}",
    "[\"\\/\"]",
    "[0.0e-0]",
    "[-0.0]",
    "[1e5,2E-5]"};

static void test_edge_cases(void)
{
    for (size_t i = 0; i < sizeof edge_cases / sizeof edge_cases[0]; i++) {
        int ok = 0;
        CHECK(agree(edge_cases[i], strlen(edge_cases[i]), &ok));
    }
    /* a NUL byte inside the text */
    int ok = 0;
    CHECK(agree("[\"a\0b\"]", 7, &ok));
    CHECK(!ok);
}

static const char body[] =
    "{\"event_id\":\"8a6e0804-2bd0-4672-b79d-d97027f9071a\",\"name\":\"appointment_request\","
    "\"time\":1764300000000,\"page_url\":\"https://www.example-hospital.org/find?q=x\","
    "\"page_title\":\"Caf\xc3\xa9 \xe2\x80\x94 \\\"Request\\\"\",\"consent\":{\"ads\":true,"
    "\"analytics\":false},\"user\":{\"email\":\"a@b.co\"},\"params\":{\"value\":150.5,"
    "\"n\":-3,\"big\":123456789012345678901,\"e\":1e-3,\"flag\":null,\"list\":[1,[2,{}]]}}";

static void test_mutations(void)
{
    unsigned long long x = 0x9e3779b97f4a7c15ULL;
    size_t n = sizeof body - 1, parsed = 0, runs = 20000;
    char *buf = malloc(n + 8);
    int all = 1;
    for (size_t r = 0; r < runs && all; r++) {
        memcpy(buf, body, n);
        size_t len = n;
        for (int k = 0; k < 1 + (int)(r % 3); k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (!len)
                break;
            size_t at = (size_t)(x % len);
            static const char bytes[] = "{}[],:\"\\/ \t\n0-.eE+tfnu\x01\x7f\xc3\xa9\xff\xed";
            char c = bytes[(x >> 32) % (sizeof bytes - 1)];
            switch ((x >> 48) % 3) {
            case 0: buf[at] = c; break;
            case 1: /* insert */
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = c;
                len++;
                break;
            default: len = at; /* cut */
            }
            if (len + 4 > n + 8)
                len = n;
        }
        int ok = 0;
        all &= agree(buf, len, &ok);
        parsed += ok;
    }
    CHECK(all);
    CHECK(parsed > runs / 20); /* enough mutants stay valid to compare trees, not just errors */
    int ok = 0;
    CHECK(agree(body, n, &ok) && ok);
    free(buf);
}

PW_TEST_MAIN(PW_TEST(test_edge_cases), PW_TEST(test_mutations))
